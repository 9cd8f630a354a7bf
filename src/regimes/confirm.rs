//! Two-way confirmation: the limit series equals the hierarchy restricted to the face.
//!
//! THEORY 5.5. The g = 0 part of `c_s` is a polynomial in (r, q, y) with monomials
//! `r^k q^j y^l` (exponents `[k, j, l]`). Writing the face time as `T = t M_t` and the loss scale
//! as `M_L` ([`super::Regime::normalization`]), a monomial contributes
//! `r^k q^j y^l t^s = (r^k q^j y^l / (M_L M_t^s)) M_L T^s`, and it survives the limit exactly when
//! the bracket is a monomial in the face's finite constants alone. That is the face's linear
//! constraints on `(k, j, l)` at order s:
//!
//! * data part: large-data `l = 0`; small-data `l = s` (train) or `l = s - 1` (pop); finite: none;
//! * triangle part: narrow-latent `k = 1`; mean-field `k = j`; free `j = s + 2`; the vertices the
//!   intersections (`k = j = 1`; `k = 1, j = s + 2`; `k = j = s + 2`);
//!
//! and the surviving coefficient, as a polynomial in the constants, has exponents
//! `q -> j`, `r -> k`, `c -> k` (mean-field: `r^k q^k = c^k`), `y -> l`. The identity to check is
//! `restrict(c_s) == limit series c_s` for every s both reach, both losses. For faces that
//! subtract `l(0)` the s = 0 row compares the face part of `l(0)`.

use super::{ConstName, DataPart, LatentPart, LimitSeries, Loss, Regime, RegimeError};
use crate::poly::{Poly, PolyFormat};
use serde::Serialize;

/// Whether the monomial `[k, j, l]` of order s lies on the face, for `loss`.
pub fn on_face(regime: Regime, loss: Loss, s: usize, e: &[i32]) -> bool {
    let (k, j, l) = (e[0] as i64, e[1] as i64, e[2] as i64);
    let s = s as i64;
    let (d, t) = regime.parts();
    let d_ok = match d {
        DataPart::Finite => true,
        DataPart::Large => l == 0,
        DataPart::Small => match loss {
            Loss::Train => l == s,
            Loss::Pop => l == s - 1,
        },
    };
    let t_ok = match t {
        LatentPart::Whole => true,
        LatentPart::NarrowLatent => k == 1,
        LatentPart::MeanField => k == j,
        LatentPart::Free => j == s + 2,
        LatentPart::Linear => k == 1 && j == 1,
        LatentPart::NarrowFree => k == 1 && j == s + 2,
        LatentPart::MeanFieldFree => k == j && j == s + 2,
    };
    d_ok && t_ok
}

/// The hierarchy coefficient `c_s` (g = 0 part, in (r, q, y) with exponents `[k, j, l]`, in
/// any order, plus any further variables such as the moments `m1..m12`) restricted to the face
/// and written in the face's constants ([`Regime::constants`]) followed by the further
/// variables: the terms on the face ([`on_face`]) are kept and, by name, `q -> q`, `r -> r`
/// (`r -> c` on the mean-field side, where `k = j` and `c` carries both), `y -> y`; a ratio
/// that is not a constant of the face is fixed there and set to 1.
pub fn restrict(regime: Regime, loss: Loss, s: usize, c_s: &Poly) -> Poly {
    let names = regime.constants();
    let has = |n: ConstName| names.contains(&n);
    let kept = c_s.filter(|e| {
        let kjl = [
            c_s.exponent(e, "r"),
            c_s.exponent(e, "q"),
            c_s.exponent(e, "y"),
        ];
        on_face(regime, loss, s, &kjl)
    });
    let r_img: &[(&str, i32)] = if has(ConstName::R) {
        &[("r", 1)]
    } else if has(ConstName::C) {
        &[("c", 1)]
    } else {
        &[]
    };
    let q_img: &[(&str, i32)] = if has(ConstName::Q) { &[("q", 1)] } else { &[] };
    let y_img: &[(&str, i32)] = if has(ConstName::Y) { &[("y", 1)] } else { &[] };
    kept.change_vars(
        &super::exact::face_vars(regime),
        &[("r", r_img), ("q", q_img), ("y", y_img)],
    )
}

/// The inverse of [`restrict`]: a face series coefficient (in the face's constants, plus any
/// further variables such as the moments, kept by name) written back as a polynomial in
/// (r, q, y) with exponents `[k, j, l]`, using the face's fixed exponents (`k = 1` on
/// narrow-latent, `j = s + 2` on free, `l = s` on small-data train, ...): by name `q -> q`,
/// `r -> r`, `c -> r q` (mean-field: `k = j`), `y -> y`, times `r^k0 q^j0 y^l0` for the fixed
/// exponents. Restricting the lifted series of a face to one of its sub-faces gives the
/// sub-face's series whenever the sub-face's limit is the limit of the face's limit; this is
/// how edges are checked as limits of faces, and vertices as limits of edges, exactly.
pub fn lift(regime: Regime, loss: Loss, s: usize, p: &Poly) -> Poly {
    let (d, t) = regime.parts();
    let s = s as i32;
    // Which constants the parts read, and the fixed exponents (k0, j0, l0).
    let (reads_r, reads_q, reads_c, k0, j0) = match t {
        LatentPart::Whole => (true, true, false, 0, 0),
        LatentPart::NarrowLatent => (false, true, false, 1, 0),
        LatentPart::MeanField => (false, false, true, 0, 0),
        LatentPart::Free => (true, false, false, 0, s + 2),
        LatentPart::Linear => (false, false, false, 1, 1),
        LatentPart::NarrowFree => (false, false, false, 1, s + 2),
        LatentPart::MeanFieldFree => (false, false, false, s + 2, s + 2),
    };
    let (reads_y, l0) = match d {
        DataPart::Finite => (true, 0),
        DataPart::Large => (false, 0),
        DataPart::Small => match loss {
            Loss::Train => (false, s),
            Loss::Pop => (false, s - 1),
        },
    };
    let img = |reads: bool, m: &'static [(&'static str, i32)]| if reads { m } else { &[] };
    let lifted = p.change_vars(
        &crate::expansion::leading_vars(),
        &[
            ("r", img(reads_r, &[("r", 1)])),
            ("q", img(reads_q, &[("q", 1)])),
            ("c", img(reads_c, &[("r", 1), ("q", 1)])),
            ("y", img(reads_y, &[("y", 1)])),
        ],
    );
    if (k0, j0, l0) == (0, 0, 0) {
        return lifted;
    }
    let mut fixed = vec![0; lifted.nvars()];
    for (name, k) in [("r", k0), ("q", j0), ("y", l0)] {
        fixed[lifted.var_index(name).expect("r, q, y")] = k;
    }
    lifted.mul(&Poly::monomial(lifted.vars(), fixed, crate::poly::rat(1)))
}

/// Lift a whole face series to (r, q, y) (see [`lift`]): `(train, pop)`.
pub fn lift_series(series: &LimitSeries) -> (Vec<Poly>, Vec<Poly>) {
    let f = |loss: Loss| {
        series
            .coeffs(loss)
            .iter()
            .enumerate()
            .map(|(s, p)| lift(series.regime, loss, s, p))
            .collect()
    };
    (f(Loss::Train), f(Loss::Pop))
}

/// One compared coefficient.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderCheck {
    /// Loss.
    pub loss: Loss,
    /// Order s.
    pub s: usize,
    /// Whether the two agree exactly.
    pub agrees: bool,
    /// The limit series coefficient (text).
    pub limit: String,
    /// The restricted hierarchy coefficient (text).
    pub hierarchy: String,
}

/// The result of comparing one face's limit series with the hierarchy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfirmReport {
    /// The face.
    pub regime: Regime,
    /// Highest order compared.
    pub max_order: usize,
    /// Every comparison.
    pub checks: Vec<OrderCheck>,
}

impl ConfirmReport {
    /// True when every compared coefficient agrees.
    pub fn all_agree(&self) -> bool {
        self.checks.iter().all(|c| c.agrees)
    }

    /// The disagreeing comparisons.
    pub fn failures(&self) -> Vec<&OrderCheck> {
        self.checks.iter().filter(|c| !c.agrees).collect()
    }
}

/// Compare a limit series with the hierarchy's leading coefficients (`train[s]`, `pop[s]`,
/// variables (r, q, y)) at every order both have.
pub fn confirm(series: &LimitSeries, train: &[Poly], pop: &[Poly]) -> ConfirmReport {
    let regime = series.regime;
    let mut checks = Vec::new();
    let mut max_order = 0;
    for (loss, hier) in [(Loss::Train, train), (Loss::Pop, pop)] {
        let lim = series.coeffs(loss);
        let n = lim.len().min(hier.len());
        for s in 0..n {
            let h = restrict(regime, loss, s, &hier[s]);
            let agrees = h == lim[s];
            max_order = max_order.max(s);
            checks.push(OrderCheck {
                loss,
                s,
                agrees,
                limit: lim[s].format(PolyFormat::Text),
                hierarchy: h.format(PolyFormat::Text),
            });
        }
    }
    ConfirmReport {
        regime,
        max_order,
        checks,
    }
}

/// Confirm a limit series against the hierarchy computed here: the leading coefficients
/// [`crate::expansion::leading_coefficients`] up to the series' order, restricted to the face
/// and compared exactly with [`confirm`] (what `prism limit --verify` reports). Cost: that of
/// the expansion at the series' order.
pub fn verify(series: &LimitSeries) -> Result<ConfirmReport, RegimeError> {
    let order = series.train.len().saturating_sub(1);
    let hierarchy = |loss: Loss| {
        crate::expansion::leading_coefficients(order, loss).map_err(|e| RegimeError::Series {
            face: series.regime.name(),
            reason: e.to_string(),
        })
    };
    Ok(confirm(
        series,
        &hierarchy(Loss::Train)?,
        &hierarchy(Loss::Pop)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::{frac, rat};

    /// The exact low-order oracles of THEORY section 2 (g = 0 parts), in (r, q, y).
    fn c0() -> Poly {
        let mut p = Poly::zero(&crate::expansion::leading_vars());
        p.add_term(vec![0, 0, 0], frac(1, 2));
        p.add_term(vec![1, 1, 0], rat(-1));
        p.add_term(vec![1, 2, 0], frac(1, 2));
        p.add_term(vec![2, 2, 0], frac(1, 2));
        p
    }

    fn c1_pop() -> Poly {
        // -4 m1 + 8 m2 - 4 m3 with m1 = q r, m2 = q^2 (r + r^2), m3 = q^3 (r + 3 r^2 + r^3).
        let mut p = Poly::zero(&crate::expansion::leading_vars());
        p.add_term(vec![1, 1, 0], rat(-4));
        p.add_term(vec![1, 2, 0], rat(8));
        p.add_term(vec![2, 2, 0], rat(8));
        p.add_term(vec![1, 3, 0], rat(-4));
        p.add_term(vec![2, 3, 0], rat(-12));
        p.add_term(vec![3, 3, 0], rat(-4));
        p
    }

    #[test]
    fn low_order_oracles_on_every_face() {
        // s = 0 (both losses) and s = 1 (pop; it has no y dependence) against every face whose
        // series is available, with the THEORY oracles.
        for regime in Regime::ALL {
            if regime == Regime::Proportional {
                continue;
            }
            let ls = super::super::limit_series(regime, 1).unwrap();
            let rep = confirm(&ls, &[c0()], &[c0(), c1_pop()]);
            assert!(rep.all_agree(), "{regime}: {:?}", rep.failures());
        }
    }

    #[test]
    fn restriction_examples() {
        // narrow-latent s = 0: the r-linear part of l(0), -q + q^2/2.
        let p = restrict(Regime::NarrowLatent, Loss::Train, 0, &c0());
        assert_eq!(p.format(PolyFormat::Text), "1/2*q^2 - q");
        // mean-field s = 0: (1/2)(1 - c)^2.
        let p = restrict(Regime::MeanField, Loss::Train, 0, &c0());
        assert_eq!(p.format(PolyFormat::Text), "1/2*c^2 - c + 1/2");
        // small-data pop s = 0: empty.
        assert!(restrict(Regime::SmallData, Loss::Pop, 0, &c0()).is_zero());
        // By name: the same c_0 written in (q, r, y) restricts to the same polynomials.
        let qry = crate::poly::Vars::new(["q", "r", "y"]);
        let c0_qry = c0().reorder(&qry);
        for regime in [Regime::NarrowLatent, Regime::MeanField, Regime::LargeData] {
            let a = restrict(regime, Loss::Train, 0, &c0());
            let b = restrict(regime, Loss::Train, 0, &c0_qry);
            assert_eq!(a.vars(), b.vars());
            assert_eq!(a.format(PolyFormat::Text), b.format(PolyFormat::Text));
        }
    }

    #[test]
    fn lift_inverts_restrict_on_the_face() {
        // Lifting a face's coefficient and restricting it again gives it back, for every face
        // with a closed form (interior excluded: it is the restriction itself).
        for regime in Regime::ALL {
            let ls = super::super::limit_series(regime, 2).unwrap();
            for loss in [Loss::Train, Loss::Pop] {
                for (s, c) in ls.coeffs(loss).iter().enumerate() {
                    let back = restrict(regime, loss, s, &lift(regime, loss, s, c));
                    assert_eq!(&back, c, "{regime} {loss:?} s={s}");
                    assert_eq!(back.vars(), c.vars());
                }
            }
        }
    }
}
