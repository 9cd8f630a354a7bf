//! Structural checks of the expansion with moments against the isotropic one (THEORY 9.3),
//! and the hierarchy with moments.
//!
//! For every computed order, loss and data size:
//!
//! * `Sigma = I`: setting every `m_k = 1` gives the isotropic polynomial exactly;
//! * support: the normalized exponents `(k, j, l, g)` (moments as O(1) constants) are exactly
//!   those of the isotropic coefficient, and of the support law of section 3;
//! * sign: every monomial, including its moment product, has sign `(-1)^j`, so nothing can
//!   cancel for any Sigma (all `m_k > 0`);
//! * moment products: at each `(k, j, l, g)` they are exactly the partitions mu of s + 1 with
//!   `max(1, l + 1 - g) <= len(mu) <= min(s + 1, j - k + l + 1 - g)` (at s = 0 the constant
//!   point carries `m_1`).
//!
//! These are computed facts for the orders computed, not assumptions.

use super::free::leading_coefficients_aniso;
use super::{
    at_identity, full_coefficients_aniso, leading_part_aniso, moment_partition, normalize_aniso,
    Samples,
};
use crate::expansion::normalized::{full_support_law, normalize, Check, StructureReport};
use crate::expansion::{full_coefficients, leading_coefficients, ExpansionError, Method};
use crate::poly::Poly;
use crate::polytope::{Hierarchy, HierarchySource, Loss, OrderSupport, Point3};
use num_traits::Signed;
use std::collections::{BTreeMap, BTreeSet};

/// All partitions of n (parts in decreasing order).
pub fn partitions(n: usize) -> Vec<Vec<usize>> {
    fn rec(n: usize, max: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if n == 0 {
            out.push(cur.clone());
            return;
        }
        for k in (1..=n.min(max)).rev() {
            cur.push(k);
            rec(n - k, k, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    rec(n, n, &mut Vec::new(), &mut out);
    out
}

/// The moment products THEORY 9.3 predicts at `(k, j, l, g)` of order s: the partitions of
/// s + 1 with `max(1, l + 1 - g) <= len <= min(s + 1, j - k + l + 1 - g)`.
pub fn predicted_products(s: usize, k: i32, j: i32, l: i32, g: i32) -> BTreeSet<Vec<usize>> {
    let lo = (l + 1 - g).max(1);
    let hi = (s as i32 + 1).min(j - k + l + 1 - g);
    partitions(s + 1)
        .into_iter()
        .filter(|p| (lo..=hi).contains(&(p.len() as i32)))
        .collect()
}

fn show<T: std::fmt::Debug>(v: &[T]) -> String {
    let head: Vec<String> = v.iter().take(4).map(|x| format!("{x:?}")).collect();
    if v.len() > 4 {
        format!("{} (and {} more)", head.join(", "), v.len() - 4)
    } else {
        head.join(", ")
    }
}

fn check(name: &str, loss: Loss, s: usize, bad: Vec<String>, ok: String) -> Check {
    Check {
        name: name.to_string(),
        loss,
        order: s,
        passed: bad.is_empty(),
        details: if bad.is_empty() { ok } else { show(&bad) },
    }
}

/// The checks shared by the full and the leading view. `norm` is in `r, q, y, (eps,)` followed
/// by the moments `m1..` (the layout of [`normalize_aniso`] and
/// [`super::aniso_leading_vars`]; the moments start at `m1`, found by name); `iso_support` is
/// the isotropic support in the same coordinates without moments.
fn common_checks(
    report: &mut StructureReport,
    loss: Loss,
    s: usize,
    what: &str,
    norm: &Poly,
    iso_support: &BTreeSet<Vec<i32>>,
) {
    let mb = norm
        .var_index(&super::moment_name(1))
        .unwrap_or(norm.nvars());
    let j_index = norm.var_index("q").expect("q is a variable");
    let support: BTreeSet<Vec<i32>> = norm.terms().map(|(e, _)| e[..mb].to_vec()).collect();
    let extra: Vec<String> = support
        .difference(iso_support)
        .map(|e| format!("extra {e:?}"))
        .chain(
            iso_support
                .difference(&support)
                .map(|e| format!("missing {e:?}")),
        )
        .collect();
    report.checks.push(check(
        &format!("{what}: support with moments = isotropic support"),
        loss,
        s,
        extra,
        format!(
            "{} points (k, j, l{})",
            support.len(),
            if mb == 4 { ", g" } else { "" }
        ),
    ));
    let bad_sign: Vec<String> = norm
        .terms()
        .filter(|(e, c)| c.is_positive() != (e[j_index] % 2 == 0))
        .map(|(e, _)| format!("{e:?}"))
        .collect();
    report.checks.push(check(
        &format!("{what}: sign (-1)^j including moment products"),
        loss,
        s,
        bad_sign,
        format!("all {} monomials", norm.len()),
    ));
    let mut products: BTreeMap<Vec<i32>, BTreeSet<Vec<usize>>> = BTreeMap::new();
    for (e, _) in norm.terms() {
        products
            .entry(e[..mb].to_vec())
            .or_default()
            .insert(moment_partition(e, mb));
    }
    let mut bad = Vec::new();
    for (pt, got) in &products {
        let g = if mb == 4 { pt[3] } else { 0 };
        let want = if pt.iter().all(|&x| x == 0) {
            // the constant point of c_0: (1/2) m_1
            [vec![1]].into_iter().collect()
        } else {
            predicted_products(s, pt[0], pt[1], pt[2], g)
        };
        if *got != want {
            bad.push(format!("at {pt:?}: got {got:?}, law {want:?}"));
        }
    }
    report.checks.push(check(
        &format!("{what}: moment products = partitions of s+1 with the length law"),
        loss,
        s,
        bad,
        format!("{} points, {} monomials", products.len(), norm.len()),
    ));
}

/// Checks of one full anisotropic coefficient `aniso` (raw variables) against the isotropic
/// full coefficient `iso` of the same order and loss (finite N; for [`Samples::Infinite`] its
/// `N^0` part is used).
pub fn check_aniso_full(
    loss: Loss,
    s: usize,
    samples: Samples,
    aniso: &Poly,
    iso: &Poly,
) -> StructureReport {
    let mut report = StructureReport::default();
    let iso = match samples {
        Samples::Finite => iso.clone(),
        Samples::Infinite => iso.filter(|e| iso.exponent(e, "N") == 0),
    };
    let tag = match samples {
        Samples::Finite => "full, finite N",
        Samples::Infinite => "full, N = inf",
    };
    let red = at_identity(aniso);
    report.checks.push(check(
        &format!("{tag}: Sigma = I gives the isotropic polynomial"),
        loss,
        s,
        if red == iso {
            vec![]
        } else {
            vec![format!("differs in {} terms", red.sub(&iso).len())]
        },
        format!(
            "{} isotropic terms from {} with moments",
            iso.len(),
            aniso.len()
        ),
    ));
    let iso_support: BTreeSet<Vec<i32>> = normalize(&iso).terms().map(|(e, _)| e.clone()).collect();
    let law: BTreeSet<Vec<i32>> = full_support_law(s, loss)
        .into_iter()
        .filter(|e| samples == Samples::Finite || e[2] == 0)
        .map(|e| e.to_vec())
        .collect();
    report.checks.push(check(
        &format!("{tag}: isotropic support = the support law of section 3"),
        loss,
        s,
        if iso_support == law {
            vec![]
        } else {
            vec!["isotropic support differs from the law".to_string()]
        },
        format!("{} points", law.len()),
    ));
    common_checks(
        &mut report,
        loss,
        s,
        tag,
        &normalize_aniso(aniso),
        &iso_support,
    );
    report
}

/// Checks of one leading anisotropic coefficient (variables `r, q, y, m..`) against the
/// isotropic leading coefficient (variables `r, q, y`).
pub fn check_aniso_leading(loss: Loss, s: usize, lead: &Poly, iso_lead: &Poly) -> StructureReport {
    let mut report = StructureReport::default();
    let tag = "leading (free probability)";
    let red = at_identity(lead);
    report.checks.push(check(
        &format!("{tag}: Sigma = I gives the isotropic leading part"),
        loss,
        s,
        if red == *iso_lead {
            vec![]
        } else {
            vec![format!("differs in {} terms", red.sub(iso_lead).len())]
        },
        format!("{} terms with moments", lead.len()),
    ));
    let iso_support: BTreeSet<Vec<i32>> = iso_lead.terms().map(|(e, _)| e.clone()).collect();
    common_checks(&mut report, loss, s, tag, lead, &iso_support);
    report
}

/// The points `[k, j, l]` (exponents of r, q, y, by name) of a leading polynomial with
/// moments, the constant point dropped.
fn project_support(lead: &Poly) -> BTreeSet<Point3> {
    lead.terms()
        .map(|(e, _)| ["r", "q", "y"].map(|n| i64::from(lead.exponent(e, n))))
        .filter(|p| p.iter().any(|&x| x != 0))
        .collect()
}

/// The hierarchy with moments for orders 0..=max_order: the g = 0 supports of the anisotropic
/// coefficients (moments as O(1) constants), with every check of this module, the check that
/// the hierarchy equals the isotropic one, and (full method) that the free path equals the
/// g = 0 part of the Wick path with moments and that N = inf is the N^0 part of finite N.
pub fn computed_hierarchy_aniso(
    max_order: usize,
    method: Method,
) -> Result<(Hierarchy, StructureReport), ExpansionError> {
    let mut report = StructureReport::default();
    let mut leads: Vec<Vec<Poly>> = Vec::new();
    for loss in [Loss::Train, Loss::Pop] {
        let lead = leading_coefficients_aniso(max_order, loss)?;
        let iso_lead = leading_coefficients(max_order, loss)?;
        for s in 0..=max_order {
            report
                .checks
                .extend(check_aniso_leading(loss, s, &lead[s], &iso_lead[s]).checks);
        }
        if method == Method::Full {
            let iso = full_coefficients(max_order, loss, None)?;
            let fin = full_coefficients_aniso(max_order, loss, Samples::Finite, None)?;
            let inf = full_coefficients_aniso(max_order, loss, Samples::Infinite, None)?;
            for s in 0..=max_order {
                for (samples, c) in [(Samples::Finite, &fin[s]), (Samples::Infinite, &inf[s])] {
                    report
                        .checks
                        .extend(check_aniso_full(loss, s, samples, c, &iso[s]).checks);
                }
                let g0 = leading_part_aniso(&fin[s]);
                report.checks.push(check(
                    "free path = g = 0 part of the Wick path with moments",
                    loss,
                    s,
                    if g0 == lead[s] {
                        vec![]
                    } else {
                        vec![format!("differs in {} terms", g0.sub(&lead[s]).len())]
                    },
                    format!("{} terms", g0.len()),
                ));
                let n0 = fin[s].filter(|e| fin[s].exponent(e, "N") == 0);
                report.checks.push(check(
                    "N = inf equals the N^0 part of finite N",
                    loss,
                    s,
                    if n0 == inf[s] {
                        vec![]
                    } else {
                        vec![format!("differs in {} terms", n0.sub(&inf[s]).len())]
                    },
                    format!("{} terms", inf[s].len()),
                ));
            }
        }
        leads.push(lead);
    }
    let orders: Vec<OrderSupport> = (0..=max_order)
        .map(|s| OrderSupport {
            s: s as u32,
            train: project_support(&leads[0][s]),
            pop: project_support(&leads[1][s]),
        })
        .collect();
    let source = match method {
        Method::Full => "Wick with moments (checked against free probability), g = 0 part",
        Method::Leading => "free probability with moments, g = 0",
    };
    let h = Hierarchy {
        orders,
        source: HierarchySource::Computed {
            method: source.to_string(),
        },
    };
    let iso_h = crate::expansion::computed_hierarchy(max_order, Method::Leading)?.0;
    let same = h.orders == iso_h.orders;
    report.checks.push(Check {
        name: "hierarchy with moments = isotropic hierarchy".to_string(),
        loss: Loss::Train,
        order: max_order,
        passed: same,
        details: if same {
            format!("orders 0..={max_order}, both losses")
        } else {
            "the supports differ".to_string()
        },
    });
    Ok((h, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_counts() {
        let n: Vec<usize> = (1..=7).map(|k| partitions(k).len()).collect();
        assert_eq!(n, vec![1, 2, 3, 5, 7, 11, 15]);
        assert_eq!(partitions(3), vec![vec![3], vec![2, 1], vec![1, 1, 1]]);
    }
}
