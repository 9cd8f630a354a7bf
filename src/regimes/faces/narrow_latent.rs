//! F3, narrow-latent (r -> 0): each row of W evolves alone (a 2-dimensional ODE).

use super::prelude::*;

/// F3, `narrow-latent` ([`Regime::NarrowLatent`]).
#[derive(Clone, Copy, Debug)]
pub struct NarrowLatent;

impl Face for NarrowLatent {
    fn regime(&self) -> Regime {
        Regime::NarrowLatent
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

/// F3 over Q[q, y] (q index 0, y index 1): `x' = 4 - 2 q E phi(x)`, `E' = -2 q E^2 phi'(x)`,
/// `a = q E phi(x)`, `b = q E phi'(x)`; train `-b (1 - a/2)`, pop `-(a - a^2/2)` (the r-linear
/// part of l divided by r). With `wrong_phi` the phi' are replaced by phi (a wrong variant).
pub(crate) fn narrow_latent_series(len: usize, wrong_phi: bool) -> (Vec<Poly>, Vec<Poly>) {
    let nv = 2;
    let qv = q(nv, 0);
    let mut x = zero(nv, len);
    let mut e = constant(one(nv), len);
    let mut e2 = zero(nv, len);
    let mut mg = MgfTrack::new(nv, 1);
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
