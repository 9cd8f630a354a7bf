//! F3, narrow-latent (r -> 0): each row of W evolves alone (a 2-dimensional ODE).

use super::mean_field::deq_err;
use super::prelude::*;
use crate::regimes::series::Series;
use crate::regimes::spectral::deq::{Analytic, Contour, Deq};
use crate::regimes::spectral::{s_moment, LawContext};

/// F3, `narrow-latent` ([`Regime::NarrowLatent`]).
#[derive(Clone, Copy, Debug)]
pub struct NarrowLatent;

impl Face for NarrowLatent {
    fn regime(&self) -> Regime {
        Regime::NarrowLatent
    }

    fn text_law(&self) -> Option<(&'static str, &'static str)> {
        Some((
            "Rows of W evolve alone. With x' = 4 - 2a, B' = b, a = q e^{-2B} phi(x), b = q e^{-2B} phi'(x), e = q e^{-2B} psi(x), where phi(z) = Int e^{lam z} dmu_S (mu_S = mu_Sigma boxtimes MP_{1/alpha}) and psi(z) = Int e^{lam z} dnu (nu the Ledoit-Peche measure; at alpha = inf phi = sum m_k z^k/k! and psi = phi'): Delta l_tr/r = -[b(1 - a/2) - q(1 - q/2)], Delta l_pop/r = -[e(1 - a/2) - q(1 - q/2)].",
            r"\frac{\Delta\ell_{tr}}{r}=-\big[b(1-\tfrac a2)-q(1-\tfrac q2)\big],\ \frac{\Delta\ell_{pop}}{r}=-\big[e(1-\tfrac a2)-q(1-\tfrac q2)\big],\ (a,b,e)=qe^{-2B}\big(\varphi,\varphi',\psi\big)(4t-2A),\ A'=a,\ B'=b,\ \varphi(z)=\int e^{\lambda z}d\mu_S,\ \psi(z)=\int e^{\lambda z}d\nu",
        ))
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "r -> 0 with q, alpha finite",
            summary: "F3, each row of W evolves alone: the 2-dimensional ODE for a = |w|^2, b = w S w^T driven by the MGF of MP_{1/alpha}; loss changes are O(r).",
            words: "Rows of W evolve alone. With x' = 4 - 2a, B' = b, a = q e^{-2B} phi(x), b = q e^{-2B} phi'(x) (phi = MGF of MP_{1/alpha}): Delta l_tr/r = -[b(1 - a/2) - q(1 - q/2)], Delta l_pop/r = -[a - a^2/2 - (q - q^2/2)].",
            latex: r"\frac{\Delta\ell_{tr}}{r}=-\big[b(1-\tfrac a2)-q(1-\tfrac q2)\big],\ \frac{\Delta\ell_{pop}}{r}=-\big[a-\tfrac{a^2}2-(q-\tfrac{q^2}2)\big],\ a=qe^{-2B}\varphi(4t-2A),\ b=qe^{-2B}\varphi'(4t-2A),\ A'=a,\ B'=b",
            derivation: "\
r -> 0: each row w of W evolves alone (cross terms enter at relative order r):
dw/dt = 2wS - |w|^2 wS - (wSw^T) w = (2 - a) w S - b w, with a = |w|^2, b = wSw^T.
S is fixed and (2 - a), b are scalars, so w(t) = e^{-B} w0 e^{S (2t - Aint)} with Aint' = a,
B' = b. Since w0 is isotropic with |w0|^2 -> q and independent of S,
a = q e^{-2B} phi(4t - 2Aint), b = q e^{-2B} phi'(4t - 2Aint), phi the MGF of MP_{1/alpha}. The losses are 1/2 - r [b(1 - a/2)] and 1/2 - r [a - a^2/2] up to O(r^2).
Solved here as the 2-d ODE x' = 4 - 2qE phi(x), E' = -2q E^2 phi'(x) (x = 4t - 2Aint, E = e^{-2B}).
Hierarchy side: k = 1; the s = 0 row is the r-linear part of l(0). Correction O(r).",
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
            cv.method = CurveMethod::Ode;
            let (q, y) = (k[0], k[1]);
            on_sorted(times, |ts| {
                narrow_latent(q, y, ts, opts.quad_tol, &opts.ode)
            })?
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok(narrow_latent_series(len, false))
    }

    fn curve_law(
        &self,
        k: &[f64],
        times: &[f64],
        law: &LawContext,
        opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let deq = law.deq(k[1])?;
        let mut cv = CurveValues::new(CurveMethod::Contour { ode: true });
        cv.notes.push("narrow-latent with a spectrum (THEORY 9.5 F3): the same 2-d ODE with phi(z) = Int e^(lam z) dmu_S and psi(z) = Int e^(lam z) dnu, by contour integrals of the Silverstein solution".into());
        let (train, pop) = on_sorted(times, |ts| narrow_latent_law(&deq, k[0], ts, opts))?;
        cv.with(train, pop)
    }

    fn series_law(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        narrow_latent_series_law(max_order + 1)
    }
}

/// The generating functions of the narrow-latent law with a spectrum, on one cached contour:
/// `(phi(x), phi'(x), psi(x))` with `phi(x) = Int e^{lam x} dmu_S`, `psi(x) = Int e^{lam x} dnu`.
pub struct LawMgf<'a> {
    deq: &'a Deq,
    contour: Contour,
    tol: f64,
}

impl<'a> LawMgf<'a> {
    /// For the mean-1 law's deterministic equivalent.
    pub fn new(deq: &'a Deq, tol: f64) -> Result<Self, RegimeError> {
        Ok(LawMgf {
            deq,
            contour: deq.contour(Analytic::ENTIRE).map_err(deq_err)?,
            tol: tol.max(1e-13),
        })
    }

    /// `(phi(x), phi'(x), psi(x))`.
    pub fn eval(&mut self, x: f64) -> Result<(f64, f64, f64), RegimeError> {
        let (s, nu) = self
            .deq
            .integrate(&mut self.contour, 2, self.tol, |z, o| {
                let e = (z * x).exp();
                o[0] = e;
                o[1] = z * e;
            })
            .map_err(deq_err)?;
        Ok((s[0], s[1], nu[0]))
    }
}

/// F3 with a spectrum (THEORY 9.5), mean-1 law: `x' = 4 - 2 q E phi(x)`,
/// `E' = -2 q E^2 phi'(x)`, `a = q E phi(x)`, `b = q E phi'(x)`, `e = q E psi(x)`;
/// `Delta l_tr / r = -[b (1 - a/2) - q (1 - q/2)]`, `Delta l_pop / r = -[e (1 - a/2) - q (1 - q/2)]`.
pub fn narrow_latent_law(
    deq: &Deq,
    q: f64,
    times: &[f64],
    opts: &CurveOptions,
) -> Result<(Vec<f64>, Vec<f64>), RegimeError> {
    let mut g = LawMgf::new(deq, opts.quad_tol)?;
    let mut rhs = |_t: f64, s: &[f64], d: &mut [f64]| -> Result<(), String> {
        let (p0, p1, _) = g.eval(s[0]).map_err(|e| e.to_string())?;
        d[0] = 4.0 - 2.0 * q * s[1] * p0;
        d[1] = -2.0 * q * s[1] * s[1] * p1;
        Ok(())
    };
    let states = integrate(&mut rhs, &[0.0, 1.0], times, &opts.ode)?;
    let mut g = LawMgf::new(deq, opts.quad_tol)?;
    let mut tr = Vec::new();
    let mut pop = Vec::new();
    let base = q - 0.5 * q * q;
    for s in states {
        let (p0, p1, ps) = g.eval(s[0])?;
        let a = q * s[1] * p0;
        let b = q * s[1] * p1;
        let e = q * s[1] * ps;
        tr.push(-(b * (1.0 - 0.5 * a) - base));
        pop.push(-(e * (1.0 - 0.5 * a) - base));
    }
    Ok((tr, pop))
}

/// E7 (linear, narrow-latent x mean-field) with a spectrum: from F3 at q -> 0,
/// `Delta l_tr/(q r) = -(phi'(4t) - 1)`, `Delta l_pop/(q r) = -(psi(4t) - 1)` (mean-1 law).
pub fn linear_law(deq: &Deq, times: &[f64], tol: f64) -> Result<(Vec<f64>, Vec<f64>), RegimeError> {
    let mut g = LawMgf::new(deq, tol)?;
    let mut tr = Vec::new();
    let mut pop = Vec::new();
    for &t in times {
        let (_, p1, ps) = g.eval(4.0 * t)?;
        tr.push(-(p1 - 1.0));
        pop.push(-(ps - 1.0));
    }
    Ok((tr, pop))
}

/// E8 (narrow-latent x free) with a spectrum: `dx/dtau = -2 phi(x)^2`, x(0) = 0, and
/// `e^{-2B} = phi(x)`, so `a/q = phi^2`, `b/q = phi phi'`, `e/q = phi psi`;
/// `Delta l_tr/(r q^2) = (1/2)(phi^3 phi' - 1)`, `Delta l_pop/(r q^2) = (1/2)(phi^3 psi - 1)`.
pub fn narrow_free_law(
    deq: &Deq,
    times: &[f64],
    opts: &CurveOptions,
) -> Result<(Vec<f64>, Vec<f64>), RegimeError> {
    let mut g = LawMgf::new(deq, opts.quad_tol)?;
    let mut rhs = |_t: f64, s: &[f64], d: &mut [f64]| -> Result<(), String> {
        let (p0, _, _) = g.eval(s[0]).map_err(|e| e.to_string())?;
        d[0] = -2.0 * p0 * p0;
        Ok(())
    };
    let states = integrate(&mut rhs, &[0.0], times, &opts.ode)?;
    let mut g = LawMgf::new(deq, opts.quad_tol)?;
    let mut tr = Vec::new();
    let mut pop = Vec::new();
    for s in states {
        let (p0, p1, ps) = g.eval(s[0])?;
        let p3 = p0 * p0 * p0;
        tr.push(0.5 * (p3 * p1 - 1.0));
        pop.push(0.5 * (p3 * ps - 1.0));
    }
    Ok((tr, pop))
}

/// F3 with moments over Q[q, y, m1..m12]: the ODE of
/// [`narrow_latent_series`] with `phi(x(T)) = E_{mu_S}[e^{lam x(T)}]`,
/// `phi'(x(T)) = E_{mu_S}[lam e^{lam x(T)}]` and `psi(x(T)) = E_nu[e^{lam x(T)}]`, each `lam^m`
/// averaged to its free moment (`phi(S^m)`, `phi(S^{m+1})`, `phi(Sigma S^m)`); train
/// `-b (1 - a/2)`, pop `-e (1 - a/2)` with `e = q E psi`.
pub(crate) fn narrow_latent_series_law(len: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
    let nv = &crate::regimes::spectral::law_vars(Regime::NarrowLatent);
    let with_lam = &Vars::new(nv.names().chain([LAM]));
    let qv = q(nv, "q");
    // Free moments, lam^m -> polynomial in (q, y, m..).
    let mut ms = Vec::new();
    let mut mnu = Vec::new();
    for m in 0..=len + 1 {
        ms.push(s_moment(m, false, true)?.reorder(nv));
        mnu.push(s_moment(m, true, true)?.reorder(nv));
    }
    // E over lam of a polynomial in (vars.., lam), with lam^m -> tab[m + shift].
    let expect = |p: &Poly, tab: &[Poly], shift: usize| -> Poly {
        let mut out = Poly::zero(nv);
        let top = p
            .terms()
            .map(|(e, _)| p.exponent(e, LAM))
            .max()
            .unwrap_or(0);
        for m in 0..=top {
            let c = p.coefficient(LAM, m);
            if !c.is_zero() {
                out.add_assign(&c.mul(&tab[m as usize + shift]));
            }
        }
        out
    };
    let lift = |x: &Poly| x.reorder(with_lam);
    let lam = Poly::var(with_lam, LAM);
    let mut x = zero(nv, len);
    let mut e = constant(one(nv), len);
    let mut e2 = zero(nv, len);
    // P(T) = e^{lam x(T)} over Q[vars, lam]: P' = lam x' P.
    let mut pp: Vec<Poly> = vec![Poly::constant(with_lam, rat(1))];
    let mut phi = vec![expect(&pp[0], &ms, 0)];
    let mut dphi = vec![expect(&pp[0], &ms, 1)];
    let mut psi = vec![expect(&pp[0], &mnu, 0)];
    for n in 0..len - 1 {
        let eph = mul_coeff(&e, &phi, n);
        let mut xn = eph.mul(&qv).scale(&rat(-2));
        if n == 0 {
            xn.add_assign(&cst(nv, rat(4)));
        }
        x[n + 1] = xn.scale(&frac(1, n as i64 + 1));
        e2[n] = mul_coeff(&e, &e, n);
        let v = mul_coeff(&e2, &dphi, n);
        e[n + 1] = v.mul(&qv).scale(&frac(-2, n as i64 + 1));
        // P_{n+1} = lam/(n+1) sum_k (k+1) x_{k+1} P_{n-k}
        let mut acc = Poly::zero(with_lam);
        for k in 0..=n {
            if x[k + 1].is_zero() {
                continue;
            }
            acc.add_assign(&lift(&x[k + 1]).mul(&pp[n - k]).scale(&rat(k as i64 + 1)));
        }
        let pn = acc.mul(&lam).scale(&frac(1, n as i64 + 1));
        phi.push(expect(&pn, &ms, 0));
        dphi.push(expect(&pn, &ms, 1));
        psi.push(expect(&pn, &mnu, 0));
        pp.push(pn);
    }
    let a = mul_poly(&mul(&e, &phi, len), &qv);
    let b = mul_poly(&mul(&e, &dphi, len), &qv);
    let ee = mul_poly(&mul(&e, &psi, len), &qv);
    let half = |v: &Series| scale(v, &frac(1, 2));
    let one_minus_half_a = sub(&constant(one(nv), len), &half(&a));
    let tr = scale(&mul(&b, &one_minus_half_a, len), &rat(-1));
    let pop = scale(&mul(&ee, &one_minus_half_a, len), &rat(-1));
    Ok((to_derivatives(&tr), to_derivatives(&pop)))
}

/// F3: with `x = 4t - 2 Aint` and `E = e^{-2B}`:
/// `x' = 4 - 2 q E phi(x)`, `E' = -2 q E^2 phi'(x)`, `a = q E phi(x)`, `b = q E phi'(x)`;
/// `Delta l_tr / r = -[b (1 - a/2) - q (1 - q/2)]`, `Delta l_pop / r = -[a - a^2/2 - (q - q^2/2)]`.
pub fn narrow_latent(
    q: f64,
    y: f64,
    times: &[f64],
    tol: f64,
    ode: &OdeOptions,
) -> Result<(Vec<f64>, Vec<f64>), RegimeError> {
    let rhs = |_t: f64, s: &[f64], d: &mut [f64]| -> Result<(), String> {
        let (p0, p1) = mgf(y, s[0], tol).map_err(|e| e.to_string())?;
        d[0] = 4.0 - 2.0 * q * s[1] * p0;
        d[1] = -2.0 * q * s[1] * s[1] * p1;
        Ok(())
    };
    let states = integrate(rhs, &[0.0, 1.0], times, ode)?;
    let mut tr = Vec::new();
    let mut pop = Vec::new();
    let base = q - 0.5 * q * q;
    for s in states {
        let (p0, p1) = mgf(y, s[0], tol)?;
        let a = q * s[1] * p0;
        let b = q * s[1] * p1;
        tr.push(-(b * (1.0 - 0.5 * a) - base));
        pop.push(-(a - 0.5 * a * a - base));
    }
    Ok((tr, pop))
}

/// F3 over Q[q, y]: `x' = 4 - 2 q E phi(x)`, `E' = -2 q E^2 phi'(x)`,
/// `a = q E phi(x)`, `b = q E phi'(x)`; train `-b (1 - a/2)`, pop `-(a - a^2/2)` (the r-linear
/// part of l divided by r). With `wrong_phi` the phi' are replaced by phi (a wrong variant).
pub(crate) fn narrow_latent_series(len: usize, wrong_phi: bool) -> (Vec<Poly>, Vec<Poly>) {
    let nv = &face_vars(Regime::NarrowLatent);
    let qv = q(nv, "q");
    let mut x = zero(nv, len);
    let mut e = constant(one(nv), len);
    let mut e2 = zero(nv, len);
    let mut mg = MgfTrack::new(nv);
    for n in 0..len - 1 {
        let dph: &Vec<Poly> = if wrong_phi { &mg.phi } else { &mg.dphi };
        let eph = mul_coeff(&e, &mg.phi, n);
        let mut xn = eph.mul(&qv).scale(&rat(-2));
        if n == 0 {
            xn.add_assign(&cst(nv, rat(4)));
        }
        x[n + 1] = xn.scale(&frac(1, n as i64 + 1));
        e2[n] = mul_coeff(&e, &e, n);
        let v = mul_coeff(&e2, dph, n);
        e[n + 1] = v.mul(&qv).scale(&frac(-2, n as i64 + 1));
        mg.push(&x[..n + 2]);
    }
    let ph = mg.phi.clone();
    let dph = if wrong_phi {
        mg.phi.clone()
    } else {
        mg.dphi.clone()
    };
    let a = mul_poly(&mul(&e, &ph, len), &qv);
    let b = mul_poly(&mul(&e, &dph, len), &qv);
    let ab = mul(&a, &b, len);
    let aa = mul(&a, &a, len);
    let tr = scale(&sub(&b, &scale(&ab, &frac(1, 2))), &rat(-1));
    let pop = scale(&sub(&a, &scale(&aa, &frac(1, 2))), &rat(-1));
    (to_derivatives(&tr), to_derivatives(&pop))
}
