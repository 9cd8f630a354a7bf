//! Limiting curves in floating point, for every face with a computable limit.
//!
//! All formulas are THEORY section 5, in the face's own time variable `T` and normalized
//! quantities (see [`super::Regime::normalization`]). Spectral averages use the semicircle
//! reduction and adaptive Gauss-Chebyshev rules of [`super::quad`]; ODEs use the step-doubling RK4
//! of [`super::ode`]; the small-data chains use automatic K with doubling
//! ([`super::small_data`]). Target accuracy: about 1e-10 absolute in the normalized quantities.
//!
//! Notation: `m_s(x) = x e^s / (1 + x (e^s - 1))`, evaluated as `x / (x + (1 - x) e^{-s})`
//! (no overflow for large s), `phi(x) = E_{MP_y} e^{lam x}`.

use super::ode::{integrate, OdeOptions};
use super::quad::Semicircle;
use super::small_data;
use super::{Constants, Loss, Regime, RegimeError};
use serde::Serialize;

/// How the curve was obtained.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CurveMethod {
    /// Elementary closed form.
    ClosedForm,
    /// Closed form in spectral averages, by adaptive Gauss-Chebyshev quadrature.
    Quadrature,
    /// ODE (RK4 with step doubling), with spectral averages by quadrature where needed.
    Ode,
    /// The Jacobi chain, truncated at `sites` sites, checked against half as many sites
    /// integrated with 100 times looser ODE tolerances.
    JacobiChain {
        /// Sites of the returned run.
        sites: usize,
        /// Largest difference to the check run (bounds truncation and integration error).
        difference: f64,
    },
    /// Numerical limit from simulations of the reduced flow at growing p, extrapolated in 1/p.
    Extrapolated {
        /// The sizes p used.
        sizes: Vec<usize>,
        /// Runs per size.
        seeds: usize,
    },
}

impl CurveMethod {
    /// One line for reports.
    pub fn describe(&self) -> String {
        match self {
            CurveMethod::ClosedForm => "closed form".into(),
            CurveMethod::Quadrature => {
                "spectral averages by adaptive Gauss-Chebyshev quadrature (semicircle form; tanh-sinh fallback)".into()
            }
            CurveMethod::Ode => {
                "ODE by RK4 with step doubling (error control); spectral averages by quadrature".into()
            }
            CurveMethod::JacobiChain { sites, difference } => format!(
                "Jacobi chain with {sites} sites (RK4, step doubling, tolerance 1e-15); a run with {} sites at tolerance 1e-13 differs by {difference:.1e}",
                sites / 2
            ),
            CurveMethod::Extrapolated { sizes, seeds } => format!(
                "NUMERICAL: reduced flow simulated at p = {sizes:?} ({seeds} runs each), extrapolated linearly in 1/p"
            ),
        }
    }
}

/// Options of the curve evaluators.
#[derive(Clone, Debug)]
pub struct CurveOptions {
    /// Relative tolerance of each spectral average.
    pub quad_tol: f64,
    /// ODE tolerances.
    pub ode: OdeOptions,
    /// Tolerance of the chain's K-doubling check.
    pub chain_tol: f64,
    /// Largest number of chain sites.
    pub max_sites: usize,
    /// Settings of the numerical free-face limit (finite alpha).
    pub free: FreeNumericOptions,
}

/// Settings of the numerical free-face limit at finite alpha (reduced flow simulated at several
/// sizes p and extrapolated linearly in 1/p).
#[derive(Clone, Debug)]
pub struct FreeNumericOptions {
    /// Sizes p.
    pub sizes: Vec<usize>,
    /// Runs (seeds) per size.
    pub seeds: usize,
    /// Base seed.
    pub seed: u64,
}

impl Default for FreeNumericOptions {
    fn default() -> Self {
        FreeNumericOptions {
            sizes: vec![64, 128, 256],
            seeds: 16,
            seed: 0,
        }
    }
}

impl Default for CurveOptions {
    fn default() -> Self {
        CurveOptions {
            quad_tol: 1e-14,
            ode: OdeOptions::default(),
            chain_tol: 1e-10,
            max_sites: 512,
            free: FreeNumericOptions::default(),
        }
    }
}

/// Limiting curves of both normalized losses at the requested face times.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LimitCurves {
    /// The face.
    pub regime: Regime,
    /// Face times T (as requested).
    pub times: Vec<f64>,
    /// Normalized train quantity at each time.
    pub train: Vec<f64>,
    /// Normalized population quantity at each time.
    pub pop: Vec<f64>,
    /// Standard errors (numerical limits only).
    pub train_err: Option<Vec<f64>>,
    /// Standard errors (numerical limits only).
    pub pop_err: Option<Vec<f64>>,
    /// How it was computed.
    pub method: CurveMethod,
    /// Remarks (e.g. "no closed form is known").
    pub notes: Vec<String>,
}

impl LimitCurves {
    /// The values of one loss.
    pub fn values(&self, loss: Loss) -> &[f64] {
        match loss {
            Loss::Train => &self.train,
            Loss::Pop => &self.pop,
        }
    }
}

/// [`limit_curve_with`] with default options.
pub fn limit_curve(
    regime: Regime,
    constants: &Constants,
    times: &[f64],
) -> Result<LimitCurves, RegimeError> {
    limit_curve_with(regime, constants, times, &CurveOptions::default())
}

/// `x / (x + (1 - x) e^{-s})`: the logistic `m_s(x)`.
#[inline]
pub fn logistic(x: f64, s: f64) -> f64 {
    x / (x + (1.0 - x) * (-s).exp())
}

/// `eta_y(u) = E_{MP_y}[1/(1 + u lam)]` in closed form (THEORY 5.0), evaluated without
/// cancellation: `2 / (b + sqrt(b^2 + 4 y u))` with `b = 1 + u(1 - y)` when `b >= 0`.
pub fn eta(y: f64, u: f64) -> f64 {
    if u == 0.0 {
        return 1.0;
    }
    let b = 1.0 + u * (1.0 - y);
    let disc = (b * b + 4.0 * y * u).sqrt();
    if b >= 0.0 {
        2.0 / (b + disc)
    } else {
        (disc - b) / (2.0 * y * u)
    }
}

/// `eta_y'(u) = -(y eta^2 + (1 - y) eta) / (2 y u eta + 1 + u - u y)`.
pub fn eta_prime(y: f64, u: f64) -> f64 {
    let e = eta(y, u);
    -(y * e * e + (1.0 - y) * e) / (2.0 * y * u * e + 1.0 + u - u * y)
}

/// `(r/2) E_{MP_r}[lam^2/(1 + u lam)^2] = (r/(2u^2)) [1 - eta_r(u) + u eta_r'(u)]` (F4 at alpha =
/// inf, E3), closed form. Loses about `eps/u^2` relative accuracy for small u.
pub fn free_population_closed(r: f64, u: f64) -> f64 {
    if u == 0.0 {
        return 0.5 * r * (1.0 + r);
    }
    r / (2.0 * u * u) * (1.0 - eta(r, u) + u * eta_prime(r, u))
}

fn check_times(times: &[f64]) -> Result<(), RegimeError> {
    if times.iter().any(|t| !t.is_finite() || *t < 0.0) {
        return Err(RegimeError::BadTimes);
    }
    Ok(())
}

/// Evaluate an integrator that needs sorted times, on arbitrary (finite, >= 0) times.
fn on_sorted<F>(times: &[f64], f: F) -> Result<(Vec<f64>, Vec<f64>), RegimeError>
where
    F: FnOnce(&[f64]) -> Result<(Vec<f64>, Vec<f64>), RegimeError>,
{
    let mut idx: Vec<usize> = (0..times.len()).collect();
    idx.sort_by(|&a, &b| times[a].total_cmp(&times[b]));
    let sorted: Vec<f64> = idx.iter().map(|&i| times[i]).collect();
    let (a, b) = f(&sorted)?;
    let mut ta = vec![0.0; times.len()];
    let mut tb = vec![0.0; times.len()];
    for (k, &i) in idx.iter().enumerate() {
        ta[i] = a[k];
        tb[i] = b[k];
    }
    Ok((ta, tb))
}

/// `(phi(x), phi'(x))` for MP_y: `phi = 1 + E_SC[(e^{lam x} - 1)/lam]`, `phi' = E_SC[e^{lam x}]`.
pub fn mgf(y: f64, x: f64, tol: f64) -> Result<(f64, f64), RegimeError> {
    let sc = Semicircle::of_mp(y);
    let v = sc.expect_n(2, tol, |lam, out| {
        let z = lam * x;
        out[0] = if lam == 0.0 { x } else { z.exp_m1() / lam };
        out[1] = z.exp();
    })?;
    Ok((1.0 + v[0], v[1]))
}

/// Limiting curves with explicit options. `times` are face times (finite, >= 0, any order).
pub fn limit_curve_with(
    regime: Regime,
    constants: &Constants,
    times: &[f64],
    opts: &CurveOptions,
) -> Result<LimitCurves, RegimeError> {
    check_times(times)?;
    let k = regime.resolve(constants)?;
    let tol = opts.quad_tol;
    let mut notes = Vec::new();
    let mut method = CurveMethod::Quadrature;
    let mut train_err = None;
    let mut pop_err = None;
    use Regime::*;
    let (train, pop): (Vec<f64>, Vec<f64>) = match regime {
        Proportional => {
            return Err(RegimeError::NoClosedForm {
                face: regime.name(),
                hint: "r, q and alpha all finite keep every leading diagram; no closed form is known. Use the exact leading series (prism limit --series) and simulation (prism simulate / prism check)",
            })
        }
        LargeData => {
            let (q, r) = (k[0], k[1]);
            let v = large_data(q, r, times, tol)?;
            (v.clone(), v)
        }
        MeanField => mean_field(k[0], k[1], times, tol)?,
        NarrowLatent => {
            method = CurveMethod::Ode;
            let (q, y) = (k[0], k[1]);
            on_sorted(times, |ts| narrow_latent(q, y, ts, tol, &opts.ode))?
        }
        Free => {
            let (r, y) = (k[0], k[1]);
            if y == 0.0 {
                notes.push("alpha = infinity: closed form through the eta-transform".into());
                let v = large_free(r, times, tol)?;
                (v.clone(), v)
            } else {
                notes.push("no closed form is known on the free face at finite alpha: the curve is the numerical limit of the reduced flow dAt/dtau = -(S At^2 + 2 At S At + At^2 S), simulated at growing p and extrapolated in 1/p (error bars are standard errors)".into());
                let fl = free_numeric(r, y, times, &opts.free)?;
                method = CurveMethod::Extrapolated {
                    sizes: opts.free.sizes.clone(),
                    seeds: opts.free.seeds,
                };
                notes.push(format!(
                    "time-step check at p = {}: halving dtau changes the means by at most {:.1e}",
                    opts.free.sizes.first().copied().unwrap_or(0),
                    fl.step_check
                ));
                train_err = Some(fl.train_err);
                pop_err = Some(fl.pop_err);
                (fl.train, fl.pop)
            }
        }
        SmallData => {
            let (q, r) = (k[0], k[1]);
            let mut sites = 0;
            let mut diff = 0.0;
            let out = on_sorted(times, |ts| {
                let c = small_data::small_data_chain(q, r, ts, &opts.ode, opts.chain_tol, opts.max_sites)?;
                sites = c.sites;
                diff = c.difference;
                Ok((c.train, c.pop))
            })?;
            method = CurveMethod::JacobiChain {
                sites,
                difference: diff,
            };
            if r < 1.0 && q * (1.0 - r.sqrt()).powi(2) > 2.0 {
                notes.push("q (1 - sqrt r)^2 > 2 with r < 1: the collapse corner of THEORY 5.3b; the finite-size approach is slow here".into());
            }
            out
        }
        LargeNarrow => {
            method = CurveMethod::ClosedForm;
            let q = k[0];
            let v: Vec<f64> = times
                .iter()
                .map(|&t| {
                    let m = logistic(q, 4.0 * t);
                    -(m - 0.5 * m * m - (q - 0.5 * q * q))
                })
                .collect();
            (v.clone(), v)
        }
        LargeMeanField => {
            method = CurveMethod::ClosedForm;
            let c = k[0];
            let v: Vec<f64> = times
                .iter()
                .map(|&t| 0.5 * (1.0 - logistic(c, 4.0 * t)).powi(2))
                .collect();
            (v.clone(), v)
        }
        LargeFree => {
            let v = large_free(k[0], times, tol)?;
            (v.clone(), v)
        }
        SmallNarrow => {
            method = CurveMethod::ClosedForm;
            let q = k[0];
            let kappa = 4.0 - 2.0 * q;
            let tr = times
                .iter()
                .map(|&t| -(q - 0.5 * q * q) * (kappa * t).exp_m1())
                .collect();
            let pop = times
                .iter()
                .map(|&t| {
                    let e = if kappa == 0.0 {
                        t
                    } else {
                        (kappa * t).exp_m1() / kappa
                    };
                    -4.0 * q * (1.0 - q).powi(2) * e
                })
                .collect();
            (tr, pop)
        }
        SmallMeanField => {
            method = CurveMethod::ClosedForm;
            let c = k[0];
            let tr = times
                .iter()
                .map(|&t| 0.5 * (1.0 - logistic(c, 4.0 * t)).powi(2))
                .collect();
            let pop = times
                .iter()
                .map(|&t| {
                    let a = logistic(c, 4.0 * t);
                    0.5 * (c - a) * (2.0 - a - c)
                })
                .collect();
            (tr, pop)
        }
        SmallFree => {
            let r = k[0];
            let mut sites = 0;
            let mut diff = 0.0;
            let out = on_sorted(times, |ts| {
                let c = small_data::small_free_chain(r, ts, &opts.ode, opts.chain_tol, opts.max_sites)?;
                sites = c.sites;
                diff = c.difference;
                Ok((c.train, c.pop))
            })?;
            method = CurveMethod::JacobiChain {
                sites,
                difference: diff,
            };
            notes.push("no closed form is known (same structure as the small-data chain); the chain is exact up to truncation, checked by doubling".into());
            out
        }
        NarrowMeanField => {
            let y = k[0];
            let mut tr = Vec::new();
            let mut pop = Vec::new();
            for &t in times {
                let (p0, p1) = mgf(y, 4.0 * t, tol)?;
                tr.push(-(p1 - 1.0));
                pop.push(-(p0 - 1.0));
            }
            (tr, pop)
        }
        NarrowFree => {
            method = CurveMethod::Ode;
            let y = k[0];
            on_sorted(times, |ts| narrow_free(y, ts, tol, &opts.ode))?
        }
        MeanFieldFree => mean_field_free(k[0], times, tol)?,
        LargeNarrowMeanField | SmallNarrowMeanField => {
            method = CurveMethod::ClosedForm;
            let v: Vec<f64> = times.iter().map(|&t| -(4.0 * t).exp_m1()).collect();
            (v.clone(), v)
        }
        LargeNarrowFree | LargeMeanFieldFree => {
            method = CurveMethod::ClosedForm;
            let v: Vec<f64> = times
                .iter()
                .map(|&t| 0.5 / (1.0 + 4.0 * t).powi(2))
                .collect();
            let v = if regime == LargeNarrowFree {
                v.iter().map(|x| x - 0.5).collect()
            } else {
                v
            };
            (v.clone(), v)
        }
        SmallNarrowFree => {
            method = CurveMethod::ClosedForm;
            let tr = times.iter().map(|&t| 0.5 * (-2.0 * t).exp_m1()).collect();
            let pop = times.iter().map(|&t| 2.0 * (-2.0 * t).exp_m1()).collect();
            (tr, pop)
        }
        SmallMeanFieldFree => {
            method = CurveMethod::ClosedForm;
            let tr = times
                .iter()
                .map(|&t| 0.5 / (1.0 + 4.0 * t).powi(2))
                .collect();
            let pop = times
                .iter()
                .map(|&t| 0.5 / (1.0 + 4.0 * t).powi(2) - 0.5)
                .collect();
            (tr, pop)
        }
    };
    if train.iter().chain(&pop).any(|v| !v.is_finite()) {
        return Err(RegimeError::Internal(format!(
            "non-finite limit value on {}",
            regime.name()
        )));
    }
    Ok(LimitCurves {
        regime,
        times: times.to_vec(),
        train,
        pop,
        train_err,
        pop_err,
        method,
        notes,
    })
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

/// E8: `dx/dtau = -2 phi(x)^2`, `x(0) = 0`;
/// `Delta l_tr/(r q^2) = (1/2)(phi^3 phi' - 1)`, `Delta l_pop/(r q^2) = (1/2)(phi^4 - 1)`.
pub fn narrow_free(
    y: f64,
    times: &[f64],
    tol: f64,
    ode: &OdeOptions,
) -> Result<(Vec<f64>, Vec<f64>), RegimeError> {
    let rhs = |_t: f64, s: &[f64], d: &mut [f64]| -> Result<(), String> {
        let (p0, _) = mgf(y, s[0], tol).map_err(|e| e.to_string())?;
        d[0] = -2.0 * p0 * p0;
        Ok(())
    };
    let states = integrate(rhs, &[0.0], times, ode)?;
    let mut tr = Vec::new();
    let mut pop = Vec::new();
    for s in states {
        let (p0, p1) = mgf(y, s[0], tol)?;
        tr.push(0.5 * (p0.powi(3) * p1 - 1.0));
        pop.push(0.5 * (p0.powi(4) - 1.0));
    }
    Ok((tr, pop))
}

/// E3 and F4 at alpha = inf: `l/q^2 = (r/2) E_{MP_r}[lam^2/(1+u lam)^2]
/// = (r/2) E_SC(1+r, 2 sqrt r)[lam/(1+u lam)^2]`, `u = 4 tau`.
pub fn large_free(r: f64, times: &[f64], tol: f64) -> Result<Vec<f64>, RegimeError> {
    let sc = Semicircle::of_mp(r);
    times
        .iter()
        .map(|&t| {
            let u = 4.0 * t;
            Ok(0.5 * r * sc.expect(tol, |lam| lam / (1.0 + u * lam).powi(2))?)
        })
        .collect()
}

/// E9: `l_tr/c^2 = (1/2) E_{MP_y}[lam/(1+u lam)^2] = (1/2) E_SC[1/(1+u lam)^2]`,
/// `l_pop/c^2 = (1/2) E_{MP_y}[1/(1+u lam)^2] = (1/2)[1 - E_SC[u (2 + u lam)/(1+u lam)^2]]`.
pub fn mean_field_free(
    y: f64,
    times: &[f64],
    tol: f64,
) -> Result<(Vec<f64>, Vec<f64>), RegimeError> {
    let sc = Semicircle::of_mp(y);
    let mut tr = Vec::new();
    let mut pop = Vec::new();
    for &t in times {
        let u = 4.0 * t;
        let v = sc.expect_n(2, tol, |lam, out| {
            let d = 1.0 / (1.0 + u * lam).powi(2);
            out[0] = d;
            out[1] = u * (2.0 + u * lam) * d;
        })?;
        tr.push(0.5 * v[0]);
        pop.push(0.5 * (1.0 - v[1]));
    }
    Ok((tr, pop))
}

/// Numerical free-face limit at finite alpha.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FreeNumeric {
    /// Extrapolated `l_tr/q^2`.
    pub train: Vec<f64>,
    /// Extrapolated `l_pop/q^2`.
    pub pop: Vec<f64>,
    /// Standard errors of the extrapolation (inflated by sqrt(chi^2/dof) when the 1/p fit is
    /// poor).
    pub train_err: Vec<f64>,
    /// Standard errors of the extrapolation.
    pub pop_err: Vec<f64>,
    /// The sizes used and, per size, the ensemble means `(p, H, N, train, pop)`.
    pub per_size: Vec<FreeSize>,
    /// Largest |difference| between the default step and half of it at the smallest p (same
    /// seeds), over both losses and all times.
    pub step_check: f64,
}

/// One size of the free-face extrapolation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FreeSize {
    /// Input dimension.
    pub p: usize,
    /// Latent dimension (round(r p)).
    pub h: usize,
    /// Samples (round(p / y)).
    pub n: usize,
    /// Ensemble mean of l_tr/q^2.
    pub train: Vec<f64>,
    /// Its standard error.
    pub train_sem: Vec<f64>,
    /// Ensemble mean of l_pop/q^2.
    pub pop: Vec<f64>,
    /// Its standard error.
    pub pop_sem: Vec<f64>,
}

/// Weighted least squares of `v = a + b x`; returns `(a, se(a))`, the standard error inflated by
/// `sqrt(chi^2/dof)` when that exceeds 1.
fn extrapolate(x: &[f64], v: &[f64], se: &[f64]) -> (f64, f64) {
    // Guard zero standard errors (e.g. at tau = 0 with identical means) with a tiny floor.
    let w: Vec<f64> = se
        .iter()
        .zip(v)
        .map(|(s, vv)| 1.0 / (s * s).max(1e-30 * (1.0 + vv * vv)))
        .collect();
    let (mut s0, mut s1, mut s2, mut t0, mut t1) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..x.len() {
        s0 += w[i];
        s1 += w[i] * x[i];
        s2 += w[i] * x[i] * x[i];
        t0 += w[i] * v[i];
        t1 += w[i] * x[i] * v[i];
    }
    let det = s0 * s2 - s1 * s1;
    let a = (s2 * t0 - s1 * t1) / det;
    let b = (s0 * t1 - s1 * t0) / det;
    let var_a = s2 / det;
    let dof = x.len().saturating_sub(2);
    let mut chi2 = 0.0;
    for i in 0..x.len() {
        let r = v[i] - a - b * x[i];
        chi2 += w[i] * r * r;
    }
    let inflate = if dof > 0 {
        (chi2 / dof as f64).max(1.0)
    } else {
        1.0
    };
    (a, (var_a * inflate).sqrt())
}

/// Control-variate estimate per record time: for runs `vals[i][t]` and zero-mean controls
/// `c[i] = [c1, c2]`, the mean of `vals - beta . c` with `beta` fitted by least squares over the
/// runs (falls back to the plain mean when the controls are degenerate). Returns
/// `(means, standard errors)`; the standard error accounts for the two fitted coefficients.
fn control_variate(vals: &[Vec<f64>], c: &[[f64; 2]]) -> (Vec<f64>, Vec<f64>) {
    let n = vals.len();
    let nt = vals.first().map_or(0, |v| v.len());
    let mean = |f: &dyn Fn(usize) -> f64| (0..n).map(f).sum::<f64>() / n as f64;
    let cm = [mean(&|i| c[i][0]), mean(&|i| c[i][1])];
    let (mut s11, mut s12, mut s22) = (0.0, 0.0, 0.0);
    for ci in c {
        let (a, b) = (ci[0] - cm[0], ci[1] - cm[1]);
        s11 += a * a;
        s12 += a * b;
        s22 += b * b;
    }
    let det = s11 * s22 - s12 * s12;
    let usable = n > 4 && det > 1e-12 * (s11 * s22).max(1e-300);
    let mut means = Vec::with_capacity(nt);
    let mut sems = Vec::with_capacity(nt);
    for t in 0..nt {
        let vm = mean(&|i| vals[i][t]);
        let (b1, b2) = if usable {
            let (mut t1, mut t2) = (0.0, 0.0);
            for i in 0..n {
                let dv = vals[i][t] - vm;
                t1 += dv * (c[i][0] - cm[0]);
                t2 += dv * (c[i][1] - cm[1]);
            }
            ((s22 * t1 - s12 * t2) / det, (s11 * t2 - s12 * t1) / det)
        } else {
            (0.0, 0.0)
        };
        let adj: Vec<f64> = (0..n)
            .map(|i| vals[i][t] - b1 * c[i][0] - b2 * c[i][1])
            .collect();
        let m = adj.iter().sum::<f64>() / n as f64;
        let used = if usable { 3 } else { 1 };
        let dof = n.saturating_sub(used).max(1);
        let var = adj.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / dof as f64;
        means.push(m);
        sems.push((var / n as f64).sqrt());
    }
    (means, sems)
}

/// The free-face limit at finite alpha. No closed form is known (THEORY 5.2, F4): the reduced
/// flow `dAt/dtau = -(S At^2 + 2 At S At + At^2 S)` is simulated by [`crate::sim::free_flow`]
/// (fast mode, RK4) at each size p in `opts.sizes` with `H = round(r p)`, `N = round(p / y)`,
/// `opts.seeds` runs each, and the ensemble means are extrapolated linearly in 1/p by weighted
/// least squares (THEORY: the reduced curve is self-averaging with O(1/p) differences). Both
/// losses at tau = 0 serve as control variates (their exact finite-p mean is
/// `r_p (r_p + 1 + 1/p)/2`), which cuts the variance several-fold at small tau. The smallest size
/// is rerun with half the step as a step check. Times: face times tau. Cost: dominated by the
/// largest size, `seeds * steps * 4` field evaluations of `O(min(H,p)^2 max(H,p))`.
pub fn free_numeric(
    r: f64,
    y: f64,
    times: &[f64],
    opts: &FreeNumericOptions,
) -> Result<FreeNumeric, RegimeError> {
    use crate::sim::{free_flow, FreeFlowParams, Record};
    if opts.sizes.len() < 2 || opts.seeds < 2 {
        return Err(RegimeError::BadConstant {
            name: "sizes/seeds",
            value: opts.sizes.len() as f64,
            reason: "the extrapolation needs at least two sizes and two seeds",
        });
    }
    // Distinct sorted record times, always including 0 (the control variate).
    let mut uniq: Vec<f64> = times.to_vec();
    uniq.push(0.0);
    uniq.sort_by(|a, b| a.total_cmp(b));
    uniq.dedup();
    let tau_max = uniq.last().copied().unwrap_or(0.0);
    let sim_err = |e: crate::sim::SimError| RegimeError::Simulation(e.to_string());
    let mut per_size = Vec::new();
    let mut step_check = 0.0f64;
    for (idx, &p) in opts.sizes.iter().enumerate() {
        let h = ((r * p as f64).round() as usize).max(1);
        let n = ((p as f64 / y).round() as usize).max(1);
        let mut fp = FreeFlowParams::new(p, h, Some(n), tau_max);
        fp.record = Record::Times(uniq.clone());
        fp.seeds = opts.seeds;
        fp.seed = opts.seed;
        let res = free_flow(&fp).map_err(sim_err)?;
        if idx == 0 {
            let mut half = fp.clone();
            half.dtau = Some(0.5 * fp.dtau());
            let r2 = free_flow(&half).map_err(sim_err)?;
            for i in 0..uniq.len() {
                step_check = step_check
                    .max((r2.train_mean[i] - res.train_mean[i]).abs())
                    .max((r2.pop_mean[i] - res.pop_mean[i]).abs());
            }
        }
        // Control variates: both losses at tau = 0 have the exact finite-p mean
        // E (1/2p) tr(S At0^2) = E (1/2p) tr(At0^2) = (1/2) r_p (r_p + 1 + 1/p), r_p = H/p.
        let rp = h as f64 / p as f64;
        let mu0 = 0.5 * rp * (rp + 1.0 + 1.0 / p as f64);
        let c0: Vec<[f64; 2]> = res
            .runs
            .iter()
            .map(|run| [run.train[0] - mu0, run.pop[0] - mu0])
            .collect();
        let adj = |pick: &dyn Fn(&crate::sim::RunCurves) -> &Vec<f64>| -> (Vec<f64>, Vec<f64>) {
            let vals: Vec<Vec<f64>> = res.runs.iter().map(|r| pick(r).clone()).collect();
            control_variate(&vals, &c0)
        };
        let (tr_m, tr_s) = adj(&|r| &r.train);
        let (po_m, po_s) = adj(&|r| &r.pop);
        let res = crate::sim::SimResult {
            train_mean: tr_m,
            train_sem: tr_s,
            pop_mean: po_m,
            pop_sem: po_s,
            ..res
        };
        per_size.push(FreeSize {
            p,
            h,
            n,
            train: res.train_mean,
            train_sem: res.train_sem,
            pop: res.pop_mean,
            pop_sem: res.pop_sem,
        });
    }
    // The instance's own ratios differ from (r, y) by rounding; the extrapolation variable is
    // 1/p (the rounding error is O(1/p) too and is absorbed by the fit).
    let x: Vec<f64> = per_size.iter().map(|f| 1.0 / f.p as f64).collect();
    let mut out = FreeNumeric {
        train: vec![],
        pop: vec![],
        train_err: vec![],
        pop_err: vec![],
        per_size: vec![],
        step_check,
    };
    let mut tr_u = Vec::new();
    let mut po_u = Vec::new();
    for i in 0..uniq.len() {
        let col = |f: &FreeSize, tr: bool| {
            if tr {
                (f.train[i], f.train_sem[i])
            } else {
                (f.pop[i], f.pop_sem[i])
            }
        };
        for (tr, dst) in [(true, &mut tr_u), (false, &mut po_u)] {
            let v: Vec<f64> = per_size.iter().map(|f| col(f, tr).0).collect();
            let se: Vec<f64> = per_size.iter().map(|f| col(f, tr).1).collect();
            dst.push(extrapolate(&x, &v, &se));
        }
    }
    for &t in times {
        let i = uniq.iter().position(|u| *u == t).expect("time recorded");
        out.train.push(tr_u[i].0);
        out.train_err.push(tr_u[i].1);
        out.pop.push(po_u[i].0);
        out.pop_err.push(po_u[i].1);
    }
    out.per_size = per_size;
    Ok(out)
}
