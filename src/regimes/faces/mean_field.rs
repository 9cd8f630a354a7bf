//! F2, mean-field (r -> infinity, c = q r finite): a logistic per eigenvalue of S.

use super::prelude::*;
use crate::regimes::spectral::deq::{Analytic, Deq};
use crate::regimes::spectral::{s_moment, LawContext};

/// F2, `mean-field` ([`Regime::MeanField`]).
#[derive(Clone, Copy, Debug)]
pub struct MeanField;

impl Face for MeanField {
    fn regime(&self) -> Regime {
        Regime::MeanField
    }

    fn text_law(&self) -> Option<(&'static str, &'static str)> {
        Some((
            "A stays a function of S: per eigenvalue lam of S ~ mu_S = mu_Sigma boxtimes MP_{1/alpha}, a = m_{4 lam t}(c). l_tr = (1/2) Int lam (1-a)^2 dmu_S, l_pop = (1/2) Int (1-a)^2 dnu, with nu the Ledoit-Peche measure (Int g dnu = lim phi(g(S) Sigma); Stieltjes transform (1 + z m)/(1 - y - y z m), m that of mu_S, y = 1/alpha; atom at 0 when alpha < 1).",
            r"\ell_{tr}=\tfrac12\int\lambda(1-a_\lambda)^2\,d\mu_S(\lambda),\ \ell_{pop}=\tfrac12\int(1-a_\lambda)^2\,d\nu(\lambda),\quad a_\lambda=m_{4\lambda t}(c),\ \mu_S=\mu_\Sigma\boxtimes\mathrm{MP}_{1/\alpha},\ \int g\,d\nu=\lim\varphi\big(g(S)\Sigma\big)",
        ))
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

    fn curve_law(
        &self,
        k: &[f64],
        times: &[f64],
        law: &LawContext,
        opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let deq = law.deq(k[1])?;
        let mut cv = CurveValues::new(CurveMethod::Contour { ode: false });
        cv.notes.push("mean-field with a spectrum (THEORY 9.5 F2): l_tr = (1/2) Int lam (1-a)^2 dmu_S, l_pop = (1/2) Int (1-a)^2 dnu (Ledoit-Peche), by contour integrals of the Silverstein solution".into());
        let (train, pop) = mean_field_law(&deq, k[0], times, opts.quad_tol)?;
        cv.with(train, pop)
    }

    fn series_law(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        mean_field_series_law(max_order + 1)
    }
}

/// Tolerance of a contour integral: the requested one, but not below what double precision
/// reaches on a sum of a few thousand terms.
fn contour_tol(tol: f64) -> f64 {
    tol.max(1e-13)
}

/// F2 with a spectrum (THEORY 9.5), mean-1 law: with `a(lam, t) = c/(c + (1 - c) e^{-4 lam t})`,
/// `l_tr = (1/2) Int lam (1 - a)^2 dmu_S`, `l_pop = (1/2) Int (1 - a)^2 dnu`. The integrand's
/// poles (`c + (1 - c) e^{-4 z t} = 0`) are at `|Im z| >= pi/(4t)` for c < 1 and on the line
/// `Re z = -ln(c/(c - 1))/(4t)` for c > 1; the contour avoids them ([`Analytic`]).
pub fn mean_field_law(
    deq: &Deq,
    c: f64,
    times: &[f64],
    tol: f64,
) -> Result<(Vec<f64>, Vec<f64>), RegimeError> {
    let region = |t: f64| {
        if t == 0.0 || c == 1.0 {
            Analytic::ENTIRE
        } else if c < 1.0 {
            Analytic {
                strip: std::f64::consts::PI / (4.0 * t),
                left: f64::NEG_INFINITY,
            }
        } else {
            Analytic {
                strip: f64::INFINITY,
                left: -(c / (c - 1.0)).ln() / (4.0 * t),
            }
        }
    };
    quadratic_loss_law(deq, times, tol, region, |t, z| {
        let e = (-4.0 * t * z).exp() * (1.0 - c);
        e / (c + e)
    })
}

/// The losses of a flow in which `A` stays a function of `S`, `1 - a(lam, t) = g(lam, t)`:
/// `l_tr = (1/2) Int lam g^2 dmu_S` and `l_pop = (1/2) Int g^2 dnu` at each time, by contour
/// integrals on a contour inside `region(t)`, where `g(., t)` is analytic.
fn quadratic_loss_law(
    deq: &Deq,
    times: &[f64],
    tol: f64,
    region: impl Fn(f64) -> Analytic,
    g: impl Fn(f64, num_complex::Complex64) -> num_complex::Complex64,
) -> Result<(Vec<f64>, Vec<f64>), RegimeError> {
    let mut tr = Vec::with_capacity(times.len());
    let mut pop = Vec::with_capacity(times.len());
    for &t in times {
        let mut ct = deq.contour(region(t)).map_err(deq_err)?;
        let (s, nu) = deq
            .integrate(&mut ct, 2, contour_tol(tol), |z, o| {
                let gz = g(t, z);
                o[0] = z * gz * gz;
                o[1] = gz * gz;
            })
            .map_err(deq_err)?;
        tr.push(0.5 * s[0]);
        pop.push(0.5 * nu[1]);
    }
    Ok((tr, pop))
}

/// E9 (mean-field x free) with a spectrum: `a/c -> 1/(1 + 4 lam tau)`, so
/// `l_tr/c^2 = (1/2) Int lam/(1 + 4 lam tau)^2 dmu_S` and
/// `l_pop/c^2 = (1/2) Int 1/(1 + 4 lam tau)^2 dnu` (pole at `-1/(4 tau)`).
pub fn mf_free_law(
    deq: &Deq,
    times: &[f64],
    tol: f64,
) -> Result<(Vec<f64>, Vec<f64>), RegimeError> {
    let region = |t: f64| {
        if t == 0.0 {
            Analytic::ENTIRE
        } else {
            Analytic {
                strip: f64::INFINITY,
                left: -1.0 / (4.0 * t),
            }
        }
    };
    quadratic_loss_law(deq, times, tol, region, |t, z| 1.0 / (1.0 + 4.0 * t * z))
}

pub(crate) fn deq_err(e: crate::regimes::spectral::deq::DeqError) -> RegimeError {
    RegimeError::Spectrum {
        reason: e.to_string(),
    }
}

/// F2 with moments over Q[c, y, m1..m12]: `c_n = n! 4^n P_n(c) E_{mu_S}[lam^{n+1}]` (train) and
/// `n! 4^n P_n(c) E_nu[lam^n]` (pop), `P_n(c) = [s^n] (1/2)(1 - m_s(c))^2`, with the free moments
/// `E_{mu_S}[lam^k] = phi(S^k)` and `E_nu[lam^k] = phi(Sigma S^k)` (THEORY 9.2, 9.5).
pub(crate) fn mean_field_series_law(len: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
    let m = logistic_in_x(len);
    let om = sub(&constant(one(m[0].vars()), len), &m);
    let p = scale(&mul(&om, &om, len), &frac(1, 2));
    let nv = &crate::regimes::spectral::law_vars(Regime::MeanField);
    // P_n(c): the logistic's x is the face constant c.
    let embed = |x: &Poly| x.rename("x", "c").reorder(nv);
    let mut tr = Vec::new();
    let mut pop = Vec::new();
    for (n, pn) in p.iter().enumerate() {
        let base = embed(pn).scale(&(pow_i(4, n) * factorial(n)));
        tr.push(base.mul(&s_moment(n + 1, false, true)?.reorder(nv)));
        pop.push(base.mul(&s_moment(n, true, true)?.reorder(nv)));
    }
    Ok((tr, pop))
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
    let om = sub(&constant(one(m[0].vars()), len), &m);
    let p = scale(&mul(&om, &om, len), &frac(1, 2));
    let nv = &face_vars(Regime::MeanField);
    // P_n(c): the logistic's x is the face constant c.
    let embed = |x: &Poly| x.rename("x", "c").reorder(nv);
    let mut tr = Vec::new();
    let mut pop = Vec::new();
    for (n, pn) in p.iter().enumerate() {
        let base = embed(pn).scale(&(pow_i(4, n) * factorial(n)));
        tr.push(base.mul(&mp_moment(n as u64 + 1, nv, "y")));
        pop.push(base.mul(&mp_moment(n as u64, nv, "y")));
    }
    (tr, pop)
}
