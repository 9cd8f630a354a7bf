//! F5, small-data (alpha -> 0): one data direction on the semicircle Jacobi chain
//! (numerics in [`crate::regimes::small_data`], exact series in [`crate::regimes::exact`]).

use super::prelude::*;
use crate::regimes::spectral::LawContext;

/// F5, `small-data` ([`Regime::SmallData`]).
#[derive(Clone, Copy, Debug)]
pub struct SmallData;

impl Face for SmallData {
    fn regime(&self) -> Regime {
        Regime::SmallData
    }

    fn text_law(&self) -> Option<(&'static str, &'static str)> {
        Some((
            "The isotropic chain (a' = 4a(1-a) - 2|g|^2, g' = (2 - 3a) g - A_perp g, A_perp' = -2 g g^T; a(0) = q r, A_perp(0) = Jacobi(q(1+r), q sqrt r), g(0) = q sqrt(r) e_1) gives L_tr = (1/2)[(1-a)^2 + |g|^2] and D_pop = (1/2)[(1-a)^2 - (1-qr)^2] + (|g|^2 - q^2 r) + 2 int_0^tau (|g|^2 - g^T A_perp g). With Sigma (moments m1, m2): l_tr(tau) = m1 L_tr(m1 tau) (the train limit is the isotropic one, scaled), Delta l_pop/alpha = m1 [D_pop(m1 tau) + (m2/m1^2 - 1)(L_tr(m1 tau) - L_tr(0))].",
            r"\ell_{tr}(\tau)=m_1L_{tr}(m_1\tau),\ \frac{\Delta\ell_{pop}}{\alpha}=m_1\Big[D_{pop}(m_1\tau)+\big(\tfrac{m_2}{m_1^2}-1\big)\big(L_{tr}(m_1\tau)-L_{tr}(0)\big)\Big],\ L_{tr}=\tfrac12\big[(1-a)^2+|g|^2\big],\ D_{pop}=\tfrac12\big[(1-a)^2-(1-qr)^2\big]+|g|^2-q^2r+2\!\int_0^\tau\!(|g|^2-g^\top A_\perp g)",
        ))
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> 0 with q, r finite",
            summary: "F5, one data direction on the semicircle Jacobi chain (a, g, A_perp); l_tr is O(1) in tau = t/alpha and l_pop changes at O(alpha).",
            words: "One data direction on the semicircle Jacobi chain: a' = 4a(1-a) - 2|g|^2, g' = (2 - 3a) g - A_perp g, A_perp' = -2 g g^T (a(0) = q r, A_perp(0) = Jacobi(q(1+r), q sqrt r), g(0) = q sqrt(r) e_1). l_tr = (1/2)[(1-a)^2 + |g|^2]; Delta l_pop/alpha = (1/2)[(1-a)^2 - (1-qr)^2] + (|g|^2 - q^2 r) + 2 int_0^tau (|g|^2 - g^T A_perp g). No closed form (equivalently a Riccati equation for the spectral measure of u).",
            latex: r"\ell_{tr}=\tfrac12\big[(1-a)^2+|g|^2\big],\ \frac{\Delta\ell_{pop}}{\alpha}=\tfrac12\big[(1-a)^2-(1-qr)^2\big]+|g|^2-q^2r+2\!\int_0^\tau\!(|g|^2-g^\top A_\perp g),\ a'=4a(1-a)-2|g|^2,\ g'=(2-3a)g-A_\perp g,\ A_\perp'=-2gg^\top",
            derivation: "\
alpha -> 0, tau = t/alpha: alpha S -> P, the projector on the N-dimensional data span, and the N
data directions decouple (other columns act at O(N/H)). For one direction u, with a = u^T A u,
g = (I - uu^T) A u and A_perp the compression of A to u-perp:
a' = 4a(1-a) - 2|g|^2,  g' = (2 - 3a) g - A_perp g,  A_perp' = -2 g g^T.
A_perp cannot be frozen: the rank-2 update column v makes acts on v itself at O(1).
The spectral measure of g(0) w.r.t. A_perp(0) is q^2 r SC(q(1+r), 2q sqrt r), whose orthogonal
polynomials are Chebyshev-U, so the Lanczos form is exact: A_perp(0) is the Jacobi matrix with
diagonal q(1+r) and off-diagonal q sqrt r, g(0) = q sqrt(r) e_1. Truncating at K sites is exact
through order 2K-1 in tau; prism picks K from the horizon and checks it by doubling.
Equivalent: the Riccati equation dPhi/dtau = -4z(z-1)Phi^2 + (6z - 4 + 2a)Phi - 2 for
Phi(z) = u^T (z - A)^{-1} u, a = lim z(z Phi - 1) (used as a cross-check). No closed form.
Hierarchy side: l = s (train), l = s - 1 (pop; its series starts at s = 1). Correction O(alpha).",
        }
    }

    fn curve(
        &self,
        k: &[f64],
        times: &[f64],
        opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let mut cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            let (q, r) = (k[0], k[1]);
            let mut sites = 0;
            let mut diff = 0.0;
            let out = on_sorted(times, |ts| {
                let c = small_data::small_data_chain(
                    q,
                    r,
                    ts,
                    &opts.ode,
                    opts.chain_tol,
                    opts.max_sites,
                )?;
                sites = c.sites;
                diff = c.difference;
                Ok((c.train, c.pop))
            })?;
            cv.method = CurveMethod::JacobiChain {
                sites,
                difference: diff,
            };
            if r < 1.0 && q * (1.0 - r.sqrt()).powi(2) > 2.0 {
                cv.notes.push("q (1 - sqrt r)^2 > 2 with r < 1: the collapse corner of THEORY 5.3b; the finite-size approach is slow here".into());
            }
            out
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok(small_data_chain_series(len, ChainKind::F5))
    }

    fn series_law(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let (tr, pop) = self.series(max_order)?;
        Ok(small_data_series_law(&tr, &pop))
    }
}

/// The small-data population term with a spectrum (THEORY 9.5 F5), for the mean-1 law:
/// `Q_pop(T) -> Q_pop,iso(T) + (m2 - 1)(Q_tr(T) - Q_tr(0))`, where `Q_tr` is the (unchanged,
/// isotropic) train quantity of the face. It holds on every face of the small-data side: their
/// train and population quantities have the same normalization up to the factor alpha that the
/// population loss's shorter l range removes (THEORY 5.1), and the series with moments confirm
/// it against the hierarchy on each of them.
pub fn population_term(m2: f64, train: &[f64], train0: f64) -> Vec<f64> {
    train.iter().map(|t| (m2 - 1.0) * (t - train0)).collect()
}

/// [`super::Face::curve_law`] of every small-data face: its isotropic curve plus
/// [`population_term`] (`m2` of the mean-1 law must be finite).
pub fn with_population_term(
    regime: Regime,
    k: &[f64],
    times: &[f64],
    law: &LawContext,
    opts: &CurveOptions,
) -> Result<CurveValues, RegimeError> {
    let m2 = law.moment(2)?.ok_or_else(|| RegimeError::NoLimit {
        face: regime.name(),
        reason: "m_2 is infinite: the population term (m2/m1 - 1)(l_tr - l_tr(0)) diverges".into(),
    })?;
    let mut cv = regime.face().curve(k, times, opts)?;
    let t0 = regime.face().curve(k, &[0.0], opts)?.train[0];
    for (p, d) in cv.pop.iter_mut().zip(population_term(m2, &cv.train, t0)) {
        *p += d;
    }
    cv.notes.push(format!(
        "small-data with a spectrum (THEORY 9.5 F5): the train limit is the isotropic one; the population quantity gains (m2/m1 - 1)(Q_tr(T) - Q_tr(0)), m2/m1 = {m2}"
    ));
    Ok(cv)
}

/// F5 with moments from the isotropic series (q, r): by the scale identity (THEORY 9.1) and the
/// population term at mean 1, `c_s^tr = m1^{s+1} c_s^tr,iso` and, for s >= 1,
/// `c_s^pop = m1^{s+1} c_s^pop,iso + (m2 m1^{s-1} - m1^{s+1}) c_s^tr,iso`
/// (variables `q, r, m1..m12`).
pub(crate) fn small_data_series_law(tr: &[Poly], pop: &[Poly]) -> (Vec<Poly>, Vec<Poly>) {
    let nv = &crate::regimes::spectral::law_vars(Regime::SmallData);
    let embed = |p: &Poly| p.reorder(nv);
    // m1^a m2^b.
    let mono = |a: i32, b: i32| q(nv, "m1").pow(a as u32).mul(&q(nv, "m2").pow(b as u32));
    let mut otr = Vec::new();
    let mut opop = Vec::new();
    for s in 0..tr.len() {
        let si = s as i32;
        let t = embed(&tr[s]);
        otr.push(t.mul(&mono(si + 1, 0)));
        let mut p = embed(&pop[s]).mul(&mono(si + 1, 0));
        if s >= 1 {
            let term = mono(si - 1, 1).sub(&mono(si + 1, 0));
            p.add_assign(&t.mul(&term));
        }
        opop.push(p);
    }
    (otr, opop)
}
