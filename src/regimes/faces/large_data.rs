//! F1, large-data (alpha -> infinity): a logistic per eigenvalue of A0 averaged over q MP_r.

use super::prelude::*;

/// F1, `large-data` ([`Regime::LargeData`]).
#[derive(Clone, Copy, Debug)]
pub struct LargeData;

impl Face for LargeData {
    fn regime(&self) -> Regime {
        Regime::LargeData
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> inf with r, q finite",
            summary: "F1, logistic per eigenvalue of A0 averaged over q MP_r: l(t) = (1/2) E_{x ~ mu_A} (1 - m_{4t}(x))^2, for both losses.",
            words: "Each eigenvalue x of A0 ~ mu_A = (1-r) delta_0 + r (q MP_r) follows the logistic m_{4t}(x); both losses equal (1/2) E_{mu_A} (1 - m_{4t}(x))^2.",
            latex: r"\ell_{tr}=\ell_{pop}=\tfrac12\,\mathbb{E}_{x\sim\mu_A}\big(1-m_{4t}(x)\big)^2,\quad m_s(x)=\frac{x e^s}{1+x(e^s-1)},\ \mu_A=(1-r)\delta_0+r\,(q\,\mathrm{MP}_r)",
            derivation: "\
alpha -> inf: S -> I, so dA/dt = BA + AB with B = 2(I - A) gives dM/dt = 4(M - M^2). M commutes
with itself, so each eigenvalue follows the logistic m' = 4m(1-m): m(t) = m_{4t}(x), x an
eigenvalue of A0. The spectrum of A0 is mu_A = (1-r) delta_0 + r (q MP_r) (M0/q ~ MP_r), and both
losses are (1/2p)|I - A|_F^2 = (1/2) E_{mu_A}(1 - m_{4t}(x))^2. For r > 1 the atom of MP_r at 0
adds (r-1)/2 and cancels (1-r)/2. Numerically: E_{mu_A} h = h(0) + r E_{SC(1+r,2 sqrt r)}
[(h(q lam) - h(0))/lam] (lam MP_r = semicircle), a smooth integrand for Gauss-Chebyshev.
Hierarchy side: l = 0 (only monomials without 1/alpha survive).
Correction O(1/alpha); the train limit needs t << sqrt(alpha).",
        }
    }

    fn curve(
        &self,
        k: &[f64],
        times: &[f64],
        opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            let (q, r) = (k[0], k[1]);
            let v = large_data(q, r, times, opts.quad_tol)?;
            (v.clone(), v)
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok({
            let h = logistic_loss(len);
            let v = face_vars(Regime::LargeData);
            let s = series::apply_moments(&h, &v, |j| mu_a_moment(j, &v));
            let d = to_derivatives(&s);
            (d.clone(), d)
        })
    }
}

/// F1: `l = (1/2) E_{x ~ mu_A}(1 - m_{4t}(x))^2 = 1/2 + r q E_SC(1+r, 2 sqrt r)[(m/x)(m-2)/2]`,
/// with `x = q lam`, `m = m_{4t}(x)`, `m/x = 1/(x + (1-x) e^{-4t})` (the identity
/// `E_{mu_A} h = h(0) + r E_{MP_r}[h(q lam) - h(0)]` removes the atoms, for every r).
pub fn large_data(q: f64, r: f64, times: &[f64], tol: f64) -> Result<Vec<f64>, RegimeError> {
    let sc = Semicircle::of_mp(r);
    times
        .iter()
        .map(|&t| {
            let e = (-4.0 * t).exp();
            let v = sc.expect(tol, |lam| {
                let x = q * lam;
                let mx = 1.0 / (x + (1.0 - x) * e);
                0.5 * mx * (x * mx - 2.0)
            })?;
            Ok(0.5 + r * q * v)
        })
        .collect()
}
