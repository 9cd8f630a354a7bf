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

pub use super::faces::free::{free_numeric, FreeNumeric, FreeSize};
use super::faces::CurveValues;
use super::ode::OdeOptions;
use super::quad::Semicircle;
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
    /// Deterministic equivalents with a covariance spectrum (Silverstein's equation, the
    /// Ledoit-Peche measure) by contour integrals, refined until two levels agree (THEORY 9.5);
    /// `ode`: inside an ODE (the narrow-latent family).
    Contour {
        /// Whether an ODE is integrated with the contour integrals in its right-hand side.
        ode: bool,
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
            CurveMethod::Contour { ode } => format!(
                "deterministic equivalent of mu_S = mu_Sigma boxtimes MP_y and of the Ledoit-Peche measure nu by contour integrals (trapezoid rule on an ellipse, doubled until two levels agree){}",
                if *ode { "; ODE by RK4 with step doubling" } else { "" }
            ),
            CurveMethod::Extrapolated { sizes, seeds } => format!(
                "NUMERICAL: simulated at p = {sizes:?} ({seeds} runs each; the notes say which model), extrapolated linearly in 1/p"
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
    /// Settings of the numerical free-face limit (finite alpha), and the explicit sizes and runs
    /// of the numeric references with a spectrum when `reference_budget` is None.
    pub free: FreeNumericOptions,
    /// Time budget in seconds (at the nominal speed [`crate::budget::FLOPS_PER_SEC`]) from which
    /// the numeric references with a spectrum (large-data, free: THEORY 9.5 F1, F4) choose their
    /// sizes and runs ([`super::spectral::numeric::plan_reference`]); None: `free.sizes` and
    /// `free.seeds` as given.
    pub reference_budget: Option<f64>,
}

/// Default [`CurveOptions::reference_budget`], seconds at the nominal speed.
pub const DEFAULT_REFERENCE_BUDGET: f64 = 60.0;

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

impl CurveOptions {
    /// The numeric-reference settings as the fronts take them (`--free-sizes`, `--free-seeds`,
    /// `--seed`, `--free-budget`): explicit sizes or runs (either one given; the other from
    /// [`FreeNumericOptions::default`]) are used as given and switch the budget off; otherwise
    /// the references choose their sizes and runs from `budget` seconds at the nominal speed.
    pub fn with_references(
        mut self,
        sizes: Option<Vec<usize>>,
        seeds: Option<usize>,
        seed: u64,
        budget: f64,
    ) -> Self {
        let default = FreeNumericOptions::default();
        self.reference_budget = (sizes.is_none() && seeds.is_none()).then_some(budget);
        self.free = FreeNumericOptions {
            sizes: sizes.unwrap_or(default.sizes),
            seeds: seeds.unwrap_or(default.seeds),
            seed,
        };
        self
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
            reference_budget: Some(DEFAULT_REFERENCE_BUDGET),
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

pub(crate) fn check_times(times: &[f64]) -> Result<(), RegimeError> {
    if times.iter().any(|t| !t.is_finite() || *t < 0.0) {
        return Err(RegimeError::BadTimes);
    }
    Ok(())
}

/// Evaluate an integrator that needs sorted times, on arbitrary (finite, >= 0) times.
pub(crate) fn on_sorted<F>(times: &[f64], f: F) -> Result<(Vec<f64>, Vec<f64>), RegimeError>
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
    let CurveValues {
        train,
        pop,
        train_err,
        pop_err,
        method,
        notes,
    } = regime.face().curve(&k, times, opts)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Explicit sizes or runs switch the reference budget off; neither keeps it, with the
    /// default sizes and runs for the isotropic free face.
    #[test]
    fn references_from_the_fronts_flags() {
        let o = CurveOptions::default().with_references(None, None, 7, 12.0);
        assert_eq!(o.reference_budget, Some(12.0));
        assert_eq!(o.free.sizes, FreeNumericOptions::default().sizes);
        assert_eq!((o.free.seeds, o.free.seed), (16, 7));
        let o = CurveOptions::default().with_references(Some(vec![32, 64]), None, 0, 12.0);
        assert_eq!(o.reference_budget, None);
        assert_eq!((o.free.sizes.clone(), o.free.seeds), (vec![32, 64], 16));
        let o = CurveOptions::default().with_references(None, Some(4), 0, 12.0);
        assert_eq!((o.reference_budget, o.free.seeds), (None, 4));
    }
}
