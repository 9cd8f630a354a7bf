//! F2, mean-field (r -> infinity, c = q r finite): a logistic per eigenvalue of S.

use super::prelude::*;

/// F2, `mean-field` ([`Regime::MeanField`]).
#[derive(Clone, Copy, Debug)]
pub struct MeanField;

impl Face for MeanField {
    fn regime(&self) -> Regime {
        Regime::MeanField
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "r -> inf, q -> 0 with c = q r finite; alpha finite",
            summary: "F2, A0 -> c I, logistic in each eigenvalue of S: a = m_{4 lam t}(c), averaged over MP_{1/alpha}.",
            words: "A stays a function of S: per eigenvalue lam of S ~ MP_{1/alpha}, a = m_{4 lam t}(c). l_tr = (1/2) E[lam (1-a)^2], l_pop = (1/2) E[(1-a)^2] (atom 1 - alpha at lam = 0 when alpha < 1).",
            latex: r"\ell_{tr}=\tfrac12\,\mathbb{E}_{\lambda\sim \mathrm{MP}_{1/\alpha}}\big[\lambda(1-a_\lambda)^2\big],\ \ell_{pop}=\tfrac12\,\mathbb{E}\big[(1-a_\lambda)^2\big],\quad a_\lambda=m_{4\lambda t}(c)",
            derivation: "\
r -> inf with c = q r: A0 = W0^T W0 is a sum of H rank-one terms of size q, so A0 -> c I (a law
of large numbers; fluctuations are O(1/sqrt r)). Then A(t) stays a function of S and commutes
with it: per eigenvalue lam of S, da/dt = 4 lam a (1 - a), a(0) = c, i.e. a = m_{4 lam t}(c).
l_tr = (1/2p) tr[(I-A) S (I-A)] = (1/2) E[lam (1-a)^2], l_pop = (1/2) E[(1-a)^2] with
lam ~ MP_{1/alpha}; when alpha < 1 the atom 1 - alpha at lam = 0 stays at a = c.
Hierarchy side: k = j (monomials r^k q^k = c^k). Correction O(1/r); at t = 0 exactly c^2/(2r).",
        }
    }

    fn curve(
        &self,
        k: &[f64],
        times: &[f64],
        opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = mean_field(k[0], k[1], times, opts.quad_tol)?;
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok(mean_field_series(len))
    }
}

/// F2: with `a = c / (c + (1 - c) e^{-4 lam t})`,
/// `l_tr = (1/2) E_{MP_y}[lam (1-a)^2] = (1/2) E_SC[(1-a)^2]` and
/// `l_pop = (1/2) E_{MP_y}[(1-a)^2] = (1/2)(1-c)^2 - (1/2) E_SC[c (1-c) w (2 - a - c) / D]`,
/// `D = c + (1-c) e^{-4 lam t}`, `w = (1 - e^{-4 lam t})/lam` (atom at 0 included exactly).
pub fn mean_field(
    c: f64,
    y: f64,
    times: &[f64],
    tol: f64,
) -> Result<(Vec<f64>, Vec<f64>), RegimeError> {
    let sc = Semicircle::of_mp(y);
    let mut tr = Vec::new();
    let mut pop = Vec::new();
    for &t in times {
        let v = sc.expect_n(2, tol, |lam, out| {
            let e = (-4.0 * lam * t).exp();
            let d = c + (1.0 - c) * e;
            let a = c / d;
            out[0] = (1.0 - a) * (1.0 - a);
            let w = if lam == 0.0 {
                4.0 * t
            } else {
                -(-4.0 * lam * t).exp_m1() / lam
            };
            out[1] = -c * (1.0 - c) * w * (2.0 - a - c) / d;
        })?;
        tr.push(0.5 * v[0]);
        pop.push(0.5 * (1.0 - c) * (1.0 - c) + 0.5 * v[1]);
    }
    Ok((tr, pop))
}

/// F2 over Q[c, y]: `c_n = n! 4^n P_n(c) E_{MP_y}[lam^{n+1}]` (train; `lam^n` for pop), where
/// `P_n(c) = [s^n] (1/2)(1 - m_s(c))^2`.
pub(crate) fn mean_field_series(len: usize) -> (Vec<Poly>, Vec<Poly>) {
    let m = logistic_in_x(len);
    let om = sub(&constant(one(1), len), &m);
    let p = scale(&mul(&om, &om, len), &frac(1, 2));
    let embed = |x: &Poly| x.map_exps(2, |e| vec![e[0], 0]);
    let mut tr = Vec::new();
    let mut pop = Vec::new();
    for (n, pn) in p.iter().enumerate() {
        let base = embed(pn).scale(&(pow_i(4, n) * factorial(n)));
        tr.push(base.mul(&mp_moment(n as u64 + 1, 2, 1)));
        pop.push(base.mul(&mp_moment(n as u64, 2, 1)));
    }
    (tr, pop)
}
