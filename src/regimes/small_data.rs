//! The small-data face (F5) and its free edge (E6): the one-direction dynamics on the
//! semicircle Jacobi chain, and the Riccati form as an independent numerical cross-check.
//!
//! THEORY 5.2 (F5). For one data direction u, with `a = u^T A u`, `g = (I - u u^T) A u` and
//! `A_perp` the compression of A to `u^perp`:
//!
//! ```text
//! a' = 4 a (1 - a) - 2 |g|^2,   g' = (2 - 3a) g - A_perp g,   A_perp' = -2 g g^T,
//! a(0) = q r,  A_perp(0) = Jacobi(diag q(1+r), off-diag q sqrt r),  g(0) = q sqrt(r) e_1,
//! l_tr -> (1/2)[(1 - a)^2 + |g|^2],
//! (l_pop - l_pop(0))/alpha -> (1/2)[(1-a)^2 - (1-qr)^2] + (|g|^2 - q^2 r) + 2 int_0^tau (|g|^2 - g^T A_perp g).
//! ```
//!
//! E6 is the same chain with the target terms dropped and q scaled out (`a = q ah`, ...):
//! `ah' = -4 ah^2 - 2|gh|^2`, `gh' = -3 ah gh - Ah gh`, `Ah' = -2 gh gh^T`, `ah(0) = r`,
//! `Ah(0) = Jacobi(1 + r, sqrt r)`, `gh(0) = sqrt(r) e_1`, `l_tr/q^2 -> (1/2)(ah^2 + |gh|^2)`,
//! `(l_pop - l_pop(0))/(alpha q^2) -> (1/2)(ah^2 - r^2) + (|gh|^2 - r) - 2 int gh^T Ah gh`.
//!
//! The chain is truncated at K sites. Information moves along the chain at a rate set by the
//! off-diagonal `b`, so the truncation error at horizon T behaves like `(e b T / 2K)^(2K)`. K is
//! chosen as `max(8, 2 e b T + 10)`, the run is repeated with 2K sites (and 100 times tighter ODE
//! tolerances), and K is doubled until the two runs agree to the tolerance over all requested
//! times (the finer run is returned; the reported difference bounds truncation and integration
//! error together). Each right-hand side costs `O(K^2)`.
//!
//! Riccati form (THEORY 5.2): `Phi(z, tau) = u^T (z - A)^{-1} u` solves
//! `dPhi/dtau = -4 z (z-1) Phi^2 + (6z - 4 + 2a) Phi - 2`, `a = lim z (z Phi - 1)`. It is solved on a
//! circle enclosing the spectrum (trapezoid rule for the moments `m_n = (1/2 pi i) oint z^n Phi`),
//! with `l_tr = (1/2)(1 - 2a + m_2)`, `|g|^2 = m_2 - a^2`, `g^T A_perp g = m_3 - 2 a m_2 + a^3`.

use super::ode::{integrate, OdeOptions};
use super::quad::Semicircle;
use super::RegimeError;

/// Parameters of a chain model (F5 with targets, or E6 without).
#[derive(Clone, Copy, Debug)]
struct Chain {
    /// Whether the target terms (4a, 2g) are present (F5) or not (E6).
    target: bool,
    a0: f64,
    diag: f64,
    off: f64,
    g0: f64,
    /// For the population formula: (1 - a0)^2 or a0^2 reference and |g0|^2.
    q: f64,
    r: f64,
}

/// Result of a chain evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainCurves {
    /// Normalized train loss at the requested times.
    pub train: Vec<f64>,
    /// Normalized population loss at the requested times.
    pub pop: Vec<f64>,
    /// Sites of the returned (finer) run.
    pub sites: usize,
    /// Largest difference between the K/2-site and the K-site runs.
    pub difference: f64,
}

fn run_chain(
    m: &Chain,
    k: usize,
    times: &[f64],
    ode: &OdeOptions,
) -> Result<(Vec<f64>, Vec<f64>), RegimeError> {
    let n = 2 + k + k * k;
    let mut y0 = vec![0.0; n];
    y0[0] = m.a0;
    y0[2] = m.g0;
    for i in 0..k {
        y0[2 + k + i * k + i] = m.diag;
        if i + 1 < k {
            y0[2 + k + i * k + i + 1] = m.off;
            y0[2 + k + (i + 1) * k + i] = m.off;
        }
    }
    let target = m.target;
    let mut ag = vec![0.0; k];
    let rhs = move |_t: f64, y: &[f64], dy: &mut [f64]| -> Result<(), String> {
        let a = y[0];
        let g = &y[2..2 + k];
        let am = &y[2 + k..];
        let mut gg = 0.0;
        let mut gag = 0.0;
        for i in 0..k {
            let row = &am[i * k..(i + 1) * k];
            let mut s = 0.0;
            for j in 0..k {
                s += row[j] * g[j];
            }
            ag[i] = s;
            gg += g[i] * g[i];
            gag += g[i] * s;
        }
        if target {
            dy[0] = 4.0 * a * (1.0 - a) - 2.0 * gg;
            dy[1] = gg - gag;
            for i in 0..k {
                dy[2 + i] = (2.0 - 3.0 * a) * g[i] - ag[i];
            }
        } else {
            dy[0] = -4.0 * a * a - 2.0 * gg;
            dy[1] = gag;
            for i in 0..k {
                dy[2 + i] = -3.0 * a * g[i] - ag[i];
            }
        }
        let da = &mut dy[2 + k..];
        for i in 0..k {
            for j in 0..k {
                da[i * k + j] = -2.0 * g[i] * g[j];
            }
        }
        Ok(())
    };
    let states = integrate(rhs, &y0, times, ode)?;
    let mut train = Vec::with_capacity(times.len());
    let mut pop = Vec::with_capacity(times.len());
    for s in &states {
        let a = s[0];
        let gg: f64 = s[2..2 + k].iter().map(|v| v * v).sum();
        if m.target {
            let a0 = m.q * m.r;
            train.push(0.5 * ((1.0 - a) * (1.0 - a) + gg));
            pop.push(
                0.5 * ((1.0 - a).powi(2) - (1.0 - a0).powi(2))
                    + (gg - m.q * m.q * m.r)
                    + 2.0 * s[1],
            );
        } else {
            train.push(0.5 * (a * a + gg));
            pop.push(0.5 * (a * a - m.r * m.r) + (gg - m.r) - 2.0 * s[1]);
        }
    }
    Ok((train, pop))
}

fn max_diff_per_time(a: &(Vec<f64>, Vec<f64>), b: &(Vec<f64>, Vec<f64>)) -> Vec<f64> {
    (0..a.0.len())
        .map(|i| (a.0[i] - b.0[i]).abs().max((a.1[i] - b.1[i]).abs()))
        .collect()
}

fn chain_auto(
    m: &Chain,
    times: &[f64],
    ode: &OdeOptions,
    tol: f64,
    max_sites: usize,
) -> Result<ChainCurves, RegimeError> {
    let t_max = times.iter().cloned().fold(0.0, f64::max);
    let mut k = ((2.0 * std::f64::consts::E * m.off * t_max).ceil() as usize + 10).max(8);
    k = k.min(max_sites / 2).max(1);
    // The finer run also uses 100x tighter ODE tolerances, so the comparison bounds the time
    // integration error as well as the truncation.
    let tight = OdeOptions {
        atol: ode.atol * 1e-2,
        rtol: ode.rtol * 1e-2,
        ..*ode
    };
    let mut coarse = run_chain(m, k, times, ode)?;
    loop {
        let k2 = 2 * k;
        let fine = run_chain(m, k2, times, &tight)?;
        let per_time = max_diff_per_time(&coarse, &fine);
        let diff = per_time.iter().cloned().fold(0.0, f64::max);
        if diff <= tol {
            return Ok(ChainCurves {
                train: fine.0,
                pop: fine.1,
                sites: k2,
                difference: diff,
            });
        }
        // Diagnose: the same number of sites at the tight tolerance. If that agrees with the
        // finer run, truncation is fine and the time integration is ill-conditioned.
        let same_k = run_chain(m, k, times, &tight)?;
        let trunc = max_diff_per_time(&same_k, &fine)
            .iter()
            .cloned()
            .fold(0.0, f64::max);
        if trunc <= tol {
            let reliable_until = times
                .iter()
                .zip(&per_time)
                .take_while(|(_, d)| **d <= tol)
                .map(|(t, _)| *t)
                .last()
                .unwrap_or(0.0);
            return Err(RegimeError::IllConditioned {
                difference: diff,
                reliable_until,
            });
        }
        if 2 * k2 > max_sites {
            return Err(RegimeError::ChainNotConverged {
                sites: k,
                double: k2,
                difference: trunc,
                t_max,
                max_sites,
            });
        }
        k = k2;
        coarse = fine;
    }
}

/// F5 small-data limit at face times `tau` (sorted): `l_tr` and `(l_pop - l_pop(0))/alpha`.
pub fn small_data_chain(
    q: f64,
    r: f64,
    times: &[f64],
    ode: &OdeOptions,
    tol: f64,
    max_sites: usize,
) -> Result<ChainCurves, RegimeError> {
    let m = Chain {
        target: true,
        a0: q * r,
        diag: q * (1.0 + r),
        off: q * r.sqrt(),
        g0: q * r.sqrt(),
        q,
        r,
    };
    chain_auto(&m, times, ode, tol, max_sites)
}

/// F5 with a fixed number of sites (for tests and the K-convergence report).
pub fn small_data_chain_fixed(
    q: f64,
    r: f64,
    sites: usize,
    times: &[f64],
    ode: &OdeOptions,
) -> Result<(Vec<f64>, Vec<f64>), RegimeError> {
    let m = Chain {
        target: true,
        a0: q * r,
        diag: q * (1.0 + r),
        off: q * r.sqrt(),
        g0: q * r.sqrt(),
        q,
        r,
    };
    run_chain(&m, sites, times, ode)
}

/// E6 small-data + free limit at `sigma` (sorted): `l_tr/q^2` and
/// `(l_pop - l_pop(0))/(alpha q^2)`.
pub fn small_free_chain(
    r: f64,
    times: &[f64],
    ode: &OdeOptions,
    tol: f64,
    max_sites: usize,
) -> Result<ChainCurves, RegimeError> {
    let m = Chain {
        target: false,
        a0: r,
        diag: 1.0 + r,
        off: r.sqrt(),
        g0: r.sqrt(),
        q: 1.0,
        r,
    };
    chain_auto(&m, times, ode, tol, max_sites)
}

#[derive(Clone, Copy, Debug)]
struct Cx {
    re: f64,
    im: f64,
}

impl Cx {
    fn new(re: f64, im: f64) -> Self {
        Cx { re, im }
    }
    fn add(self, o: Cx) -> Cx {
        Cx::new(self.re + o.re, self.im + o.im)
    }
    fn mul(self, o: Cx) -> Cx {
        Cx::new(
            self.re * o.re - self.im * o.im,
            self.re * o.im + self.im * o.re,
        )
    }
    fn scale(self, s: f64) -> Cx {
        Cx::new(self.re * s, self.im * s)
    }
    fn inv(self) -> Cx {
        let d = self.re * self.re + self.im * self.im;
        Cx::new(self.re / d, -self.im / d)
    }
}

/// F5 through the Riccati form on a contour of `points` nodes (a cross-check of the chain).
/// Returns `(l_tr, (l_pop - l_pop(0))/alpha, max |m_0 - 1|)` where the last is the
/// contour's mass check (should be ~1e-12).
pub fn small_data_riccati(
    q: f64,
    r: f64,
    times: &[f64],
    points: usize,
    ode: &OdeOptions,
) -> Result<(Vec<f64>, Vec<f64>, f64), RegimeError> {
    let top = (q * (1.0 + r.sqrt()).powi(2)).max(1.0) + q * r;
    let center = 0.5 * top;
    let delta = 0.3 + 0.05 * top;
    let rho = 0.5 * top + delta;
    let mcount = points;
    let zs: Vec<Cx> = (0..mcount)
        .map(|k| {
            let th = 2.0 * std::f64::consts::PI * k as f64 / mcount as f64;
            Cx::new(center + rho * th.cos(), rho * th.sin())
        })
        .collect();
    // dz/(2 pi i) weights: (1/M) rho e^{i theta}.
    let ws: Vec<Cx> = (0..mcount)
        .map(|k| {
            let th = 2.0 * std::f64::consts::PI * k as f64 / mcount as f64;
            Cx::new(th.cos(), th.sin()).scale(rho / mcount as f64)
        })
        .collect();
    // Initial Phi(z) = 1/z + r E_SC(1+r, 2 sqrt r)[ q / (z (z - q lam)) ].
    let sc = Semicircle::of_mp(r);
    let mut y0 = vec![0.0; 2 * mcount + 1];
    for (k, z) in zs.iter().enumerate() {
        let zi = z.inv();
        let v = sc.expect_n(2, 1e-15, |lam, out| {
            let d = z.add(Cx::new(-q * lam, 0.0)).mul(*z).inv().scale(q);
            out[0] = d.re;
            out[1] = d.im;
        })?;
        let phi = zi.add(Cx::new(v[0], v[1]).scale(r));
        y0[2 * k] = phi.re;
        y0[2 * k + 1] = phi.im;
    }
    let zs2 = zs.clone();
    let moments = move |y: &[f64]| -> [f64; 4] {
        let mut m = [Cx::new(0.0, 0.0); 4];
        for k in 0..mcount {
            let phi = Cx::new(y[2 * k], y[2 * k + 1]);
            let mut zp = ws[k];
            for mi in m.iter_mut() {
                *mi = mi.add(zp.mul(phi));
                zp = zp.mul(zs[k]);
            }
        }
        [m[0].re, m[1].re, m[2].re, m[3].re]
    };
    let mom = moments.clone();
    let rhs = move |_t: f64, y: &[f64], dy: &mut [f64]| -> Result<(), String> {
        let [_, a, m2, m3] = mom(y);
        for (k, z) in zs2.iter().enumerate() {
            let phi = Cx::new(y[2 * k], y[2 * k + 1]);
            let quad = z
                .mul(z.add(Cx::new(-1.0, 0.0)))
                .scale(-4.0)
                .mul(phi)
                .mul(phi);
            let lin = z.scale(6.0).add(Cx::new(-4.0 + 2.0 * a, 0.0)).mul(phi);
            let d = quad.add(lin).add(Cx::new(-2.0, 0.0));
            dy[2 * k] = d.re;
            dy[2 * k + 1] = d.im;
        }
        dy[2 * mcount] = (m2 - a * a) - (m3 - 2.0 * a * m2 + a * a * a);
        Ok(())
    };
    let states = integrate(rhs, &y0, times, ode)?;
    let mut train = Vec::new();
    let mut pop = Vec::new();
    let mut mass_err: f64 = 0.0;
    for s in &states {
        let [m0, a, m2, _] = moments(s);
        mass_err = mass_err.max((m0 - 1.0).abs());
        let gg = m2 - a * a;
        train.push(0.5 * (1.0 - 2.0 * a + m2));
        pop.push(
            0.5 * ((1.0 - a).powi(2) - (1.0 - q * r).powi(2))
                + (gg - q * q * r)
                + 2.0 * s[2 * mcount],
        );
    }
    Ok((train, pop, mass_err))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theory_reference_values() {
        // THEORY section 8: q=2, r=0.25: l_tr(tau=1) = 0.2140; q=0.5, r=2: l_tr(0.5) = 0.0398.
        let o = OdeOptions::default();
        let c = small_data_chain(2.0, 0.25, &[1.0], &o, 1e-10, 512).unwrap();
        assert!((c.train[0] - 0.2140).abs() < 5e-5, "{}", c.train[0]);
        let c = small_data_chain(0.5, 2.0, &[0.5], &o, 1e-10, 512).unwrap();
        assert!((c.train[0] - 0.0398).abs() < 5e-5, "{}", c.train[0]);
    }

    #[test]
    fn riccati_agrees_with_chain() {
        let o = OdeOptions::default();
        for &(q, r) in &[(2.0, 0.25), (0.5, 2.0), (1.0, 1.0)] {
            let times = [0.0, 0.25, 0.5, 1.0];
            let c = small_data_chain(q, r, &times, &o, 1e-11, 512).unwrap();
            let (tr, pop, mass) = small_data_riccati(q, r, &times, 256, &o).unwrap();
            assert!(mass < 1e-9, "mass {mass}");
            for i in 0..times.len() {
                assert!(
                    (c.train[i] - tr[i]).abs() < 1e-11,
                    "q={q} r={r} i={i}: {} {}",
                    c.train[i],
                    tr[i]
                );
                assert!(
                    (c.pop[i] - pop[i]).abs() < 1e-11,
                    "q={q} r={r} i={i}: {} {}",
                    c.pop[i],
                    pop[i]
                );
            }
        }
    }
}
