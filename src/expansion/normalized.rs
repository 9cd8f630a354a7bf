//! The normalized view (THEORY section 3) and the structural checks of the hierarchy.
//!
//! A raw monomial `sigma2^C H^B p^a N^(-D)` of `c_s` (a = exponent of p in `c_s`, i.e. after the
//! division by p) is, in the ratios r = H/p, q = sigma2 p, y = p/N,
//! `q^j r^k y^l p^(-g)` with `(k, j, l) = (B, C, D)` and `g = C + D - a - B`
//! (THEORY writes `g = C + D + 1 - A - B` with `A = a + 1` the exponent before dividing by p).

#[cfg(doc)]
use super::full::FULL_VARS;
use crate::poly::Poly;
use crate::polytope::{Hierarchy, HierarchySource, Loss, OrderSupport, Point3};
use num_traits::{Signed, Zero};
use std::collections::BTreeSet;

/// Variables of the normalized polynomials: `r^k q^j y^l eps^g` with eps = 1/p.
pub const NORM_VARS: [&str; 4] = ["r", "q", "y", "eps"];

/// The ratio variables as monomials in (r, q, y, eps): `p = 1/eps`, `H = r/eps`,
/// `sigma2 = q eps`, `N = 1/(y eps)` (from `r = H/p`, `q = sigma2 p`, `y = p/N`, `eps = 1/p`).
const RAW_IN_NORM: [(&str, &[(&str, i32)]); 4] = [
    ("p", &[("eps", -1)]),
    ("H", &[("r", 1), ("eps", -1)]),
    ("sigma2", &[("q", 1), ("eps", 1)]),
    ("N", &[("y", -1), ("eps", -1)]),
];

/// The inverse change of variables: `r = H/p`, `q = sigma2 p`, `y = p/N`, `eps = 1/p`.
const NORM_IN_RAW: [(&str, &[(&str, i32)]); 4] = [
    ("r", &[("H", 1), ("p", -1)]),
    ("q", &[("sigma2", 1), ("p", 1)]),
    ("y", &[("p", 1), ("N", -1)]),
    ("eps", &[("p", -1)]),
];

/// The normalized form of a full coefficient: the monomial `p^a H^B sigma2^C N^(-D)` is
/// `r^B q^C y^D eps^(C + D - a - B)` (variables [`NORM_VARS`], exponents `[k, j, l, g]`; other
/// variables, such as the moments of an anisotropic expansion, are kept after eps).
pub fn normalize(full: &Poly) -> Poly {
    full.change_vars(&super::norm_vars(), &RAW_IN_NORM)
}

/// The inverse of [`normalize`]: a normalized polynomial (in [`NORM_VARS`], exponents
/// `[k, j, l, g]`) as raw monomials `p^a H^B sigma2^C N^(-D)` ([`FULL_VARS`]) with
/// `(B, C, D) = (k, j, l)` and `a = C + D - B - g`. Other variables are kept after N.
pub fn denormalize(norm: &Poly) -> Poly {
    norm.change_vars(&super::full_vars(), &NORM_IN_RAW)
}

/// A leading (g = 0) polynomial in (r, q, y) as raw monomials:
/// `r^k q^j y^l = p^(j - k + l) H^k sigma2^j N^(-l)` ([`denormalize`] without eps, the inverse
/// of [`normalize`] on the leading part). Further variables (the moments of an anisotropic
/// expansion) are kept after N.
pub fn leading_to_raw(leading: &Poly) -> Poly {
    denormalize(leading)
}

/// The g = 0 part of a full coefficient (the coefficient of `eps^0` of [`normalize`]), as a
/// polynomial in (r, q, y) followed by any further variables, the shape of
/// [`super::leading_coefficients`].
pub fn leading_part(full: &Poly) -> Poly {
    normalize(full).coefficient("eps", 0)
}

/// The support law of THEORY section 3 for the *full* coefficient `c_s` (points `[k, j, l, g]`):
/// `1 <= k <= j <= s+2`, `0 <= l <= lmax`, `0 <= g <= j - k + l`, plus `(0,0,0,0)` at s = 0,
/// with `lmax = s` (train) or `s - 1` (pop, s >= 1; 0 at s = 0).
pub fn full_support_law(s: usize, loss: Loss) -> BTreeSet<[i32; 4]> {
    let s = s as i32;
    let lmax = lmax(s, loss);
    let mut set = BTreeSet::new();
    if s == 0 {
        set.insert([0, 0, 0, 0]);
    }
    for j in 1..=s + 2 {
        for k in 1..=j {
            for l in 0..=lmax {
                for g in 0..=j - k + l {
                    set.insert([k, j, l, g]);
                }
            }
        }
    }
    set
}

/// The leading support law `P_s` (points `[k, j, l]`), with `(0,0,0)` at s = 0.
pub fn leading_support_law(s: usize, loss: Loss) -> BTreeSet<[i32; 3]> {
    full_support_law(s, loss)
        .into_iter()
        .filter(|e| e[3] == 0)
        .map(|e| [e[0], e[1], e[2]])
        .collect()
}

fn lmax(s: i32, loss: Loss) -> i32 {
    match loss {
        Loss::Train => s,
        Loss::Pop => (s - 1).max(0),
    }
}

/// One structural check, with its verdict and what was found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    /// Short name, e.g. `"g >= 0"`.
    pub name: String,
    /// Loss it applies to.
    pub loss: Loss,
    /// Order s.
    pub order: usize,
    /// Verdict.
    pub passed: bool,
    /// What was found (counts, or the first offending points).
    pub details: String,
}

/// All structural checks of computed coefficients.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct StructureReport {
    /// Every check, by loss then order.
    pub checks: Vec<Check>,
}

impl StructureReport {
    /// True when every check passed.
    pub fn all_passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    /// The failed checks.
    pub fn failures(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.passed).collect()
    }
}

fn show<T: std::fmt::Debug>(v: &[T]) -> String {
    let head: Vec<String> = v.iter().take(5).map(|x| format!("{x:?}")).collect();
    if v.len() > 5 {
        format!("{} (and {} more)", head.join(", "), v.len() - 5)
    } else {
        head.join(", ")
    }
}

fn support_checks(
    report: &mut StructureReport,
    loss: Loss,
    s: usize,
    got: &BTreeSet<Vec<i32>>,
    law: &BTreeSet<Vec<i32>>,
    what: &str,
) {
    let outside: Vec<&Vec<i32>> = got.difference(law).collect();
    let holes: Vec<&Vec<i32>> = law.difference(got).collect();
    report.checks.push(Check {
        name: format!("{what} support within the law"),
        loss,
        order: s,
        passed: outside.is_empty(),
        details: if outside.is_empty() {
            format!("{} points, all inside", got.len())
        } else {
            format!("outside: {}", show(&outside))
        },
    });
    report.checks.push(Check {
        name: format!("{what} no holes"),
        loss,
        order: s,
        passed: holes.is_empty(),
        details: if holes.is_empty() {
            format!("all {} lattice points of the law are nonzero", law.len())
        } else {
            format!("missing: {}", show(&holes))
        },
    });
}

fn sign_check(report: &mut StructureReport, loss: Loss, s: usize, poly: &Poly, j_index: usize) {
    let bad: Vec<Vec<i32>> = poly
        .terms()
        .filter(|(e, c)| {
            let j = e[j_index];
            let want_pos = j % 2 == 0;
            c.is_positive() != want_pos
        })
        .map(|(e, _)| e.clone())
        .collect();
    report.checks.push(Check {
        name: "sign rule (-1)^j".to_string(),
        loss,
        order: s,
        passed: bad.is_empty(),
        details: if bad.is_empty() {
            format!("all {} coefficients", poly.len())
        } else {
            format!("wrong sign at {}", show(&bad))
        },
    });
}

/// Structural checks of full coefficients `c_0..` (raw variables [`FULL_VARS`]): g >= 0, the
/// exact support law with no holes, the sign rule, and the train term counts 5, 26, 90, 230.
pub fn check_full(loss: Loss, coeffs: &[Poly]) -> StructureReport {
    let mut report = StructureReport::default();
    for (s, c) in coeffs.iter().enumerate() {
        report.checks.extend(check_full_order(loss, s, c).checks);
    }
    report
}

/// The checks of [`check_full`] for one order s alone.
pub fn check_full_order(loss: Loss, s: usize, c: &Poly) -> StructureReport {
    let mut report = StructureReport::default();
    {
        let n = normalize(c);
        let neg: Vec<Vec<i32>> = n
            .terms()
            .filter(|(e, _)| n.exponent(e, "eps") < 0)
            .map(|(e, _)| e.clone())
            .collect();
        report.checks.push(Check {
            name: "g >= 0".to_string(),
            loss,
            order: s,
            passed: neg.is_empty(),
            details: if neg.is_empty() {
                format!(
                    "min g = {}",
                    n.terms()
                        .map(|(e, _)| n.exponent(e, "eps"))
                        .min()
                        .unwrap_or(0)
                )
            } else {
                format!("g < 0 at {}", show(&neg))
            },
        });
        let got: BTreeSet<Vec<i32>> = n.terms().map(|(e, _)| e.clone()).collect();
        let law: BTreeSet<Vec<i32>> = full_support_law(s, loss)
            .into_iter()
            .map(|e| e.to_vec())
            .collect();
        support_checks(&mut report, loss, s, &got, &law, "full");
        sign_check(&mut report, loss, s, &n, n.var_index("q").expect("q"));
        if loss == Loss::Train && s <= 3 {
            let want = [5, 26, 90, 230][s];
            report.checks.push(Check {
                name: "term count".to_string(),
                loss,
                order: s,
                passed: c.len() == want,
                details: format!("{} terms (THEORY: {want})", c.len()),
            });
        }
    }
    report
}

/// Structural checks of leading coefficients (variables (r, q, y)): the support law `P_s`
/// with no holes, and the sign rule.
pub fn check_leading(loss: Loss, leading: &[Poly]) -> StructureReport {
    let mut report = StructureReport::default();
    for (s, c) in leading.iter().enumerate() {
        let c = &c.reorder(&super::leading_vars());
        let got: BTreeSet<Vec<i32>> = c.terms().map(|(e, _)| e.clone()).collect();
        let law: BTreeSet<Vec<i32>> = leading_support_law(s, loss)
            .into_iter()
            .map(|e| e.to_vec())
            .collect();
        support_checks(&mut report, loss, s, &got, &law, "leading");
        sign_check(&mut report, loss, s, c, c.var_index("q").expect("q"));
        let nonconst = c.terms().filter(|(e, _)| e.iter().any(|&x| x != 0)).count();
        report.checks.push(Check {
            name: "leading point count (s+1)(s+2)(s+3)/2 (train)".to_string(),
            loss,
            order: s,
            passed: loss == Loss::Pop || nonconst == (s + 1) * (s + 2) * (s + 3) / 2,
            details: format!("{nonconst} non-constant points"),
        });
    }
    report
}

/// The leading supports of each order (constant point dropped, as in
/// [`Hierarchy::from_support_law`]).
pub fn support_of(leading: &Poly) -> BTreeSet<Point3> {
    leading
        .reorder(&super::leading_vars())
        .terms()
        .filter(|(e, c)| !c.is_zero() && e.iter().any(|&x| x != 0))
        .map(|(e, _)| [i64::from(e[0]), i64::from(e[1]), i64::from(e[2])])
        .collect::<BTreeSet<Point3>>()
}

/// A [`Hierarchy`] from computed leading coefficients (train and pop, same orders from 0).
pub fn hierarchy_from_leading(train: &[Poly], pop: &[Poly], method: &str) -> Hierarchy {
    let orders = train
        .iter()
        .zip(pop)
        .enumerate()
        .map(|(s, (t, p))| OrderSupport {
            s: s as u32,
            train: support_of(t),
            pop: support_of(p),
        })
        .collect();
    Hierarchy {
        orders,
        source: HierarchySource::Computed {
            method: method.to_string(),
        },
    }
}

/// A [`Hierarchy`] from computed full coefficients (their g = 0 parts).
pub fn hierarchy_from_full(train: &[Poly], pop: &[Poly], method: &str) -> Hierarchy {
    let lt: Vec<Poly> = train.iter().map(leading_part).collect();
    let lp: Vec<Poly> = pop.iter().map(leading_part).collect();
    hierarchy_from_leading(&lt, &lp, method)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::frac;

    #[test]
    fn denormalize_inverts_normalize() {
        let mut full = Poly::zero(&crate::expansion::full_vars());
        full.add_term(vec![-1, 1, 2, -1], frac(3, 2));
        full.add_term(vec![0, 0, 0, 0], frac(1, 2));
        full.add_term(vec![2, 1, 1, 0], frac(-4, 1));
        full.add_term(vec![1, 1, 2, 0], frac(7, 3));
        full.add_term(vec![0, 1, 2, -1], frac(-1, 5));
        assert_eq!(denormalize(&normalize(&full)), full);
        // The g = 0 part goes back to the raw monomials it came from.
        let lead = leading_part(&full);
        assert_eq!(leading_part(&leading_to_raw(&lead)), lead);
        // g = C + D - a - B = 0 with D = -(exponent of N).
        assert_eq!(
            leading_to_raw(&lead),
            full.filter(|e| {
                let x = |n: &str| full.exponent(e, n);
                x("sigma2") - x("N") - x("p") - x("H") == 0
            })
        );
    }
}
