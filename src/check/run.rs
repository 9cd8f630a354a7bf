//! `prism check`: a spec's limit against simulations at growing n, with a computed verdict.
//!
//! Pipeline: classify the spec (face, exact scales, expected correction exponent rho) ->
//! evaluate the face's limit on a grid of face times T (or, where no closed form exists, the
//! exact leading series inside its apparent radius of convergence) -> at each n, simulate the
//! finite model (p, H, N rounded to integers, sigma2 exact) at the raw times t(T), normalize
//! each run as the face requires, average -> distances (sup-norm and L2 over the grid) with
//! standard errors -> fitted decay rate and [`super::verdict::assess`].
//!
//! The expected rate rho is computed exactly from the hierarchy by the classifier: the gap
//! between the dominant face and the next monomial in direction u, or 1/p, whichever is larger.

use super::ladder::{self, Model};
use super::verdict::{assess, Assessment, Verdict};
use crate::budget::{Estimate, Limits, Refused};
use crate::expansion;
use crate::polytope::{classify, FittedPrism, Loss};
use crate::regimes::spectral::{self, LawContext};
use crate::regimes::{self, Constants, LimitCurves, Ratios, Regime};
use crate::sim::{self, Integrator, Mode, Record, SimParams};
use crate::spec::{DataSize, Spec, SpectrumLaw};
use crate::stats;
use serde::Serialize;

/// Options of a check.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// The sizes n at which the spec is evaluated; empty: chosen automatically within
    /// `budget` (see [`super::ladder`]).
    pub sizes: Vec<f64>,
    /// Wall-time budget of the whole check, seconds (automatic sizes and run extension).
    pub budget: f64,
    /// Runs per size to start with.
    pub seeds: usize,
    /// While the verdict is inconclusive, runs per size are multiplied (by up to 4) up to this,
    /// as long as the budget allows (no growth when it is at most `seeds`).
    pub max_seeds: usize,
    /// Base seed (run i of every size uses base + i).
    pub seed: u64,
    /// Largest face time; None picks [`regimes::DEFAULT_FACE_TIME`], shortened to the
    /// validity window.
    pub t_max: Option<f64>,
    /// Number of intervals of the face-time grid.
    pub points: usize,
    /// Simulation engine family.
    pub mode: Mode,
    /// Refuse sizes whose estimated cost exceeds this many floating-point operations (only
    /// when given: explicit sizes are otherwise honoured whatever they cost within [`Self::limits`]).
    pub max_flops: Option<f64>,
    /// Series order for faces without a closed form.
    pub series_order: usize,
    /// Compare against the limit law (and normalization) of this face instead of the face the
    /// spec selects: how a claim such as "the large-data formula describes this spec" is tested.
    pub formula: Option<Regime>,
    /// Compute the reference with this covariance spectrum instead of the data's (the spec's
    /// `spectrum = LAW`, which the simulations always use): the negative control
    /// `--limit-spectrum identity` tests the isotropic law against anisotropic data. `None`:
    /// the data's law. A `file(...)` law must be read first ([`SpectrumLaw::resolve`]).
    pub limit_spectrum: Option<SpectrumLaw>,
    /// The resource limits that admit explicit `sizes` (their simulations' estimated time and
    /// memory), as for every other command; automatic sizes are bounded by `budget` instead.
    pub limits: Limits,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            sizes: Vec::new(),
            budget: 60.0,
            seeds: 16,
            max_seeds: 1024,
            seed: 0,
            t_max: None,
            points: regimes::DEFAULT_POINTS,
            mode: Mode::Fast,
            max_flops: None,
            series_order: 8,
            formula: None,
            limit_spectrum: None,
            limits: Limits::default(),
        }
    }
}

/// Errors of a check (user errors and refusals, not verdicts).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// Classification failed.
    #[error(transparent)]
    Classify(#[from] crate::polytope::ClassifyError),
    /// The limit could not be evaluated.
    #[error(transparent)]
    Regime(#[from] regimes::RegimeError),
    /// The series could not be computed.
    #[error(transparent)]
    Expansion(#[from] expansion::ExpansionError),
    /// A simulation failed (e.g. diverged).
    #[error("simulation at n = {n}: {source}")]
    Sim {
        /// The size.
        n: f64,
        /// The error.
        source: sim::SimError,
    },
    /// A request that would take too long.
    #[error("n = {n} gives p = {p}, H = {h}: about {est:.1e} floating-point operations (about {secs:.0} s on this machine), above the limit --max-flops {max:.0e}; use smaller --n, fewer --seeds, or omit --n to let prism choose sizes within --budget")]
    TooLarge {
        /// The size.
        n: f64,
        /// p at that size.
        p: usize,
        /// H at that size.
        h: usize,
        /// Estimated flops.
        est: f64,
        /// Estimated seconds.
        secs: f64,
        /// The limit.
        max: f64,
    },
    /// A size n gives no usable finite model.
    #[error(transparent)]
    Instance(#[from] crate::spec::InstanceError),
    /// Bad options.
    #[error("{0}")]
    Options(String),
    /// The spectral law cannot be used in the simulations (e.g. a `file(...)` law not read).
    #[error("spectrum: {0}; {hint}", hint = .0.hint())]
    Spectrum(#[from] crate::spec::SpectrumError),
    /// No reference is available for this face with this covariance spectrum (nothing is
    /// compared rather than a made-up reference).
    #[error("no reference available: {0}")]
    NoReference(String),
    /// Explicit sizes whose simulations are beyond the resource limits.
    #[error(transparent)]
    Refused(#[from] Refused),
}

/// Resamples of the bootstrap over runs behind the distances' standard errors.
const BOOTSTRAP_RESAMPLES: usize = 200;
/// Base seed of that bootstrap (combined with the bits of n, so each size has its own stream).
const BOOTSTRAP_SEED: u64 = 0x5eed;

/// The finite model at one n.
#[derive(Clone, Debug, Serialize)]
pub struct SizeRun {
    /// The growth variable n.
    pub n: f64,
    /// Input dimension (rounded).
    pub p: usize,
    /// Latent dimension (rounded).
    #[serde(rename = "H")]
    pub h: usize,
    /// Training-set size (rounded; None = infinity).
    #[serde(rename = "N")]
    pub n_data: Option<usize>,
    /// Initialization variance.
    pub sigma2: f64,
    /// r, q, y of the rounded model.
    pub ratios: Ratios,
    /// Euler step.
    pub dt: f64,
    /// Largest raw time simulated.
    pub t_raw_max: f64,
    /// Normalized train quantity: mean and standard error per face time.
    pub train_mean: Vec<f64>,
    /// Standard error.
    pub train_sem: Vec<f64>,
    /// Normalized population quantity: mean.
    pub pop_mean: Vec<f64>,
    /// Standard error.
    pub pop_sem: Vec<f64>,
    /// Runs (seeds base .. base + seeds).
    pub seeds: usize,
    /// Wall time of the ensemble, seconds.
    pub seconds: f64,
}

/// Distance to the limit at one n (over the grid points T > 0).
#[derive(Clone, Debug, Serialize)]
pub struct SizeError {
    /// The size.
    pub n: f64,
    /// max_T |sim - limit|.
    pub sup: f64,
    /// Standard error of `sup` (that of the mean at the maximizing time).
    pub sup_se: f64,
    /// sqrt(mean_T (sim - limit)^2 - mean_T sem^2): the root-mean-square distance with the
    /// statistical noise removed (0 when the distance is within noise).
    pub l2: f64,
    /// Standard error of `l2` (delta method).
    pub l2_se: f64,
}

/// The check of one loss.
#[derive(Clone, Debug, Serialize)]
pub struct LossCheck {
    /// Which loss.
    pub loss: Loss,
    /// The normalized quantity, e.g. `(l_tr - l_tr(0))/r`.
    pub quantity: String,
    /// Errors per size.
    pub errors: Vec<SizeError>,
    /// Assessment of the sup-norm errors (reported).
    pub sup: Assessment,
    /// Assessment of the (noise-debiased) L2 errors: decides the verdict, being the better
    /// determined of the two.
    pub l2: Assessment,
    /// Scale of the reference curve (its range, at least a tenth of its largest value): the
    /// noise floor of the verdict is relative to it.
    pub scale: f64,
}

/// What the simulation was compared with.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reference {
    /// The limit curve of THEORY section 5.
    Limit {
        /// How it was evaluated.
        method: String,
    },
    /// The exact leading series (no closed form), inside its apparent radius of convergence.
    Series {
        /// Order of truncation.
        order: usize,
        /// Apparent radius of convergence in face time.
        radius: f64,
    },
    /// No closed form: the exact leading series at small face times (T <= `series_until`), and
    /// beyond it a NUMERICAL limit with error bars (`limit_train_err`, `limit_pop_err` of the
    /// report): the reduced flow extrapolated in 1/p (free face), or ensembles of the full model
    /// at the face's constants and growing p, extrapolated in 1/p (interior).
    SeriesAndNumeric {
        /// Order of the series.
        order: usize,
        /// Apparent radius of the series.
        radius: f64,
        /// Largest face time at which the series is the reference.
        series_until: f64,
        /// How the numerical limit was obtained.
        numeric: String,
        /// Largest |numerical - series| / error bar over the grid points where both exist (the
        /// numerical limit checked against the exact series).
        overlap_z: Option<f64>,
    },
}

/// How the sizes were chosen, and what they cost.
#[derive(Clone, Debug, Serialize)]
pub struct LadderReport {
    /// True when prism chose the sizes (no --n).
    pub automatic: bool,
    /// The wall-time budget, seconds.
    pub budget_seconds: f64,
    /// Smallest size at which the face's small parameters are small (see [`super::ladder`]).
    pub n_min: f64,
    /// The condition that sets it.
    pub n_min_reason: String,
    /// The face's small parameters at the smallest and the largest size.
    pub small_parameters: Vec<(String, f64, f64)>,
    /// Engine of the largest size, from its cost plan.
    pub engine: String,
    /// Local growth of the cost of one size with n (exponent of n).
    pub cost_exponent: f64,
    /// What limits the largest size: `budget`, `span` or `memory` (or `given` for --n).
    pub limited_by: String,
    /// Calibrated machine speed used for the first plan, floating-point operations per second.
    pub calibrated_flops_per_sec: f64,
    /// Speed measured on the sizes run (plan flops / wall time).
    pub measured_flops_per_sec: f64,
    /// Wall time of the whole check, seconds.
    pub wall_seconds: f64,
    /// One line per decision.
    pub explanation: Vec<String>,
    /// When the verdict is inconclusive: an estimate of the budget that would suffice.
    pub budget_that_would_suffice: Option<f64>,
}

/// Number of face times of [`FineLimit`].
pub const FINE_POINTS: usize = 256;

/// The closed-form limit evaluated on a fine, uniform grid of face times (figure only).
#[derive(Clone, Debug)]
pub struct FineLimit {
    /// Face times, uniform from the first to the last time of the check's grid.
    pub times: Vec<f64>,
    /// Limit, train.
    pub train: Vec<f64>,
    /// Limit, pop.
    pub pop: Vec<f64>,
}

/// The full result of `prism check`.
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    /// The spec, canonical.
    pub spec: String,
    /// The face whose law is compared (the spec's own face unless a formula was asked for).
    pub face: String,
    /// The face the spec selects.
    pub spec_face: Regime,
    /// The data's covariance spectrum (the spec's `spectrum = LAW`), when not the identity:
    /// the simulations use its quantiles at (i - 1/2)/p at each size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spectrum: Option<String>,
    /// The law the reference was computed with, when not the identity or when it differs from
    /// the data's (`--limit-spectrum`, the negative control).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_spectrum: Option<String>,
    /// The face time variable, e.g. `tau = t/alpha`.
    pub time_variable: String,
    /// Finite constants (name, value).
    pub constants: Vec<(String, f64)>,
    /// What was compared against.
    pub reference: Reference,
    /// The time window used, and why.
    pub window: String,
    /// Face times of the grid.
    pub times: Vec<f64>,
    /// Reference values, train.
    pub limit_train: Vec<f64>,
    /// Reference values, pop.
    pub limit_pop: Vec<f64>,
    /// Standard errors of the reference (numerical references only; 0 where exact).
    pub limit_train_err: Vec<f64>,
    /// Standard errors of the reference, pop.
    pub limit_pop_err: Vec<f64>,
    /// The closed-form limit on a fine grid of [`FINE_POINTS`] face times over the same window,
    /// for the figure (a smooth curve, no corners). `None` when the reference has no closed
    /// form (series or numerical): the figure then shows it on its own grid, as markers.
    #[serde(skip)]
    pub limit_fine: Option<FineLimit>,
    /// How the sizes were chosen.
    pub ladder: LadderReport,
    /// Expected correction exponent rho (exact, as a string) and as a float.
    pub expected_rate: String,
    /// The simulations.
    pub sizes: Vec<SizeRun>,
    /// Per-loss errors and assessments.
    pub losses: Vec<LossCheck>,
    /// The overall verdict.
    pub verdict: Verdict,
    /// Remarks.
    pub notes: Vec<String>,
}

/// Constants of the face from the spec's prefactors.
pub fn constants_of(spec: &Spec) -> Constants {
    let f = crate::poly::rat_to_f64;
    let cp = f(&spec.p.prefactor);
    let r0 = f(&spec.h.prefactor) / cp;
    let q0 = f(&spec.sigma2.prefactor) * cp;
    let y0 = match &spec.n_data {
        DataSize::Finite(s) => Some(cp / f(&s.prefactor)),
        DataSize::Infinite => None,
    };
    Constants::from_prefactors(r0, q0, y0)
}

/// The cost plan of one ensemble: total floating-point operations, peak memory and the engine.
#[derive(Clone, Debug)]
pub struct EnsembleCost {
    /// Floating-point operations of all runs.
    pub flops: f64,
    /// Peak memory, bytes (runs in parallel on every thread).
    pub memory_bytes: f64,
    /// The engine, with its per-evaluation cost law.
    pub engine: String,
}

/// Cost of one ensemble, from the engine's own plan ([`crate::sim::plan::estimate`]): runs x
/// (setup + steps x evaluations per step x flops per evaluation), and peak memory.
pub fn ensemble_cost(params: &SimParams) -> EnsembleCost {
    match sim::plan::estimate(params) {
        Ok(e) => EnsembleCost {
            flops: e.flops,
            memory_bytes: e.memory_bytes,
            engine: format!(
                "{} ({:.0} steps per run)",
                e.plan.describe(),
                e.steps_per_run
            ),
        },
        Err(_) => EnsembleCost {
            flops: f64::INFINITY,
            memory_bytes: f64::INFINITY,
            engine: "invalid parameters".into(),
        },
    }
}

/// The machine's speed, floating-point operations per second over all threads: the
/// calibrated, per-machine cached speed of the simulation kernels
/// ([`crate::sim::plan::machine_flops_per_sec`]). `prism check` plans with it first, then with
/// the speed measured on the sizes it has run.
pub fn machine_flops_per_sec() -> f64 {
    sim::plan::machine_flops_per_sec()
}

/// Largest last-term size of a truncated series reference (absolute, in the normalized loss).
pub const SERIES_TOL: f64 = 1e-5;

/// The series reference: values of sum_s c_s T^s / s! and the apparent radius.
struct SeriesRef {
    order: usize,
    radius: f64,
    train: Vec<Vec<f64>>,
    pop: Vec<Vec<f64>>,
}

impl SeriesRef {
    fn eval(coeffs: &[Vec<f64>], t: f64) -> f64 {
        let mut sum = 0.0;
        let mut term = 1.0;
        for (s, c) in coeffs[0].iter().enumerate() {
            if s > 0 {
                term *= t / s as f64;
            }
            sum += c * term;
        }
        sum
    }

    /// Largest T at which the last Taylor term of both losses, |c_S| T^S / S!, is below `tol`.
    fn tolerable_time(&self, tol: f64) -> f64 {
        let last = |c: &[f64]| -> f64 {
            let s = c.len() - 1;
            let fact: f64 = (1..=s).map(|k| k as f64).product();
            let a = c[s].abs() / fact;
            if a == 0.0 || s == 0 {
                f64::INFINITY
            } else {
                (tol / a).powf(1.0 / s as f64)
            }
        };
        last(&self.train[0]).min(last(&self.pop[0]))
    }

    /// Apparent radius from the last three Taylor coefficients a_s = c_s / s!.
    fn radius_of(c: &[f64]) -> f64 {
        let mut fact = 1.0;
        let mut r = f64::INFINITY;
        let top = c.len().saturating_sub(1);
        for (s, v) in c.iter().enumerate() {
            if s > 0 {
                fact *= s as f64;
            }
            if s + 3 > top && s > 0 && *v != 0.0 {
                r = r.min((v.abs() / fact).powf(-1.0 / s as f64));
            }
        }
        r
    }
}

fn ratios_of(p: usize, h: usize, n_data: Option<usize>, sigma2: f64) -> Ratios {
    Ratios {
        r: h as f64 / p as f64,
        q: sigma2 * p as f64,
        y: n_data.map_or(0.0, |nd| p as f64 / nd as f64),
    }
}

fn series_reference(
    regime: Regime,
    spec_consts: &Constants,
    order: usize,
) -> Result<SeriesRef, CheckError> {
    let at = regime.resolve(spec_consts)?;
    // The interior and the free face take the face's part of the leading hierarchy
    // (regimes::restrict; exactly their limit series, THEORY 5.5, confirmed by the regimes
    // tests): for the interior that is all of c_s, and for the free face it is much faster than
    // the free-probability route of regimes::limit_series.
    let coeffs = |loss: Loss| -> Result<Vec<f64>, CheckError> {
        Ok(match regime {
            Regime::Proportional | Regime::Free => expansion::leading_coefficients(order, loss)?
                .iter()
                .enumerate()
                .map(|(s, c)| regimes::restrict(regime, loss, s, c).eval_f64(&at))
                .collect(),
            _ => regimes::limit_series(regime, order)?
                .coeffs(loss)
                .iter()
                .map(|c| c.eval_f64(&at))
                .collect(),
        })
    };
    let (train, pop) = (coeffs(Loss::Train)?, coeffs(Loss::Pop)?);
    let radius = SeriesRef::radius_of(&train).min(SeriesRef::radius_of(&pop));
    Ok(SeriesRef {
        order,
        radius,
        train: vec![train],
        pop: vec![pop],
    })
}

/// Fraction of the (remaining) budget planned for the first pass over the sizes; the rest pays
/// for more runs while the verdict is inconclusive.
pub const PASS_FRACTION: f64 = 0.3;
/// Largest memory of one ensemble the automatic ladder plans for, bytes.
pub const MEMORY_LIMIT: f64 = 4e9;
/// Budget fraction planned for a numerical reference (free face, interior).
pub const REFERENCE_FRACTION: f64 = 0.25;
/// Default final face time of a check (before the validity window shortens it).
pub const DEFAULT_CHECK_TIME: f64 = 1.0;
/// Share of a face's validity scale the default window reaches at the smallest n.
pub const VALIDITY_SHARE: f64 = 0.25;
/// Share of the budget left that more runs may spend (the rest is slack for the verdict).
const EXTEND_BUDGET_SHARE: f64 = 0.9;
/// Runs added per round at most, as a multiple of the runs already done.
const EXTEND_MAX_FACTOR: usize = 3;
/// Target standard error of an inconclusive rate, as a share of the verdict's largest one.
const RATE_SE_TARGET: f64 = 0.8;
/// Smallest factor of runs worth asking for when a verdict is inconclusive.
const MIN_RUNS_FACTOR: f64 = 1.25;
/// A check is reported over its budget beyond this multiple of it.
const BUDGET_OVERRUN: f64 = 1.1;
/// The adaptive tolerance of the checks' runs: 0.1 / (p sqrt(256)), the statistical error of
/// the largest ensemble, within these bounds.
const CHECK_TOL: (f64, f64, f64) = (0.1 / 16.0, 1e-9, 1e-3);

/// The time window at the smallest size: `(T_max, description, notes)`.
fn time_window(regime: Regime, x0: &Ratios, t_max_opt: Option<f64>) -> (f64, String, Vec<String>) {
    let mut notes = Vec::new();
    let mut t_max = t_max_opt.unwrap_or(DEFAULT_CHECK_TIME);
    let mut window = format!("{} in [0, {t_max}]", regime.time_symbol());
    let windows = regime.validity(x0);
    for w in &windows {
        if let Some(scale) = w.scale {
            if t_max_opt.is_none()
                && scale.is_finite()
                && scale > 0.0
                && VALIDITY_SHARE * scale < t_max
            {
                t_max = VALIDITY_SHARE * scale;
                window = format!(
                    "{} in [0, {t_max:.3}]: a quarter of the validity scale {scale:.3} of {} at the smallest n",
                    regime.time_symbol(),
                    w.condition
                );
            }
        }
    }
    let unquantified: Vec<&str> = windows
        .iter()
        .filter(|w| w.scale.is_none())
        .map(|w| w.condition)
        .collect();
    if !unquantified.is_empty() {
        notes.push(format!(
            "validity conditions of this face (THEORY 5.3b): {}",
            unquantified.join("; ")
        ));
    }
    (t_max, window, notes)
}

/// The reference curves and their error bars.
struct RefCurves {
    train: Vec<f64>,
    pop: Vec<f64>,
    train_err: Vec<f64>,
    pop_err: Vec<f64>,
    reference: Reference,
    window_extra: Option<String>,
    notes: Vec<String>,
}

/// The simulation parameters of the spec at size n (adaptive flow, records at the raw times of
/// the face-time grid), with the data covariance of the spec's `spectrum = LAW` (its quantiles
/// at (i - 1/2)/p; Sigma as given, whatever its mean).
fn params_at(
    spec: &Spec,
    regime: Regime,
    times: &[f64],
    n: f64,
    opts: &CheckOptions,
) -> Result<(Model, Ratios, SimParams), CheckError> {
    let m = ladder::model_at(spec, n);
    let x = ratios_of(m.p, m.h, m.n_data, m.sigma2);
    let norm = regime.normalization(Loss::Train);
    let raw: Vec<f64> = times.iter().map(|&t| norm.raw_time(t, &x)).collect();
    let t_raw_max = *raw.last().unwrap_or(&0.0);
    let mut params = SimParams::new(m.p, m.h, m.sigma2, t_raw_max).with_n(m.n_data);
    params.record = Record::Times(raw);
    params.seeds = opts.seeds;
    params.seed = opts.seed;
    params.mode = opts.mode;
    // The limits describe the gradient flow: integrate it with the adaptive pair (error
    // control), so that the O(dt) bias of explicit Euler does not masquerade as a finite-size
    // gap. The tolerance is tied to the statistical error the largest ensemble can resolve,
    // 0.1 / (p sqrt(256)), and fixed up front so that added runs integrate exactly like the
    // first ones.
    params.integrator = Integrator::Adaptive;
    params.tol = Some((CHECK_TOL.0 / m.p as f64).clamp(CHECK_TOL.1, CHECK_TOL.2));
    let params = params.with_spectrum(&spec.spectrum)?;
    Ok((m, x, params))
}

/// Run the check. `progress` receives one line per stage (the CLI prints it on stderr).
pub fn check(
    spec: &Spec,
    prism: &FittedPrism,
    opts: &CheckOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<CheckReport, CheckError> {
    let clock = std::time::Instant::now();
    let automatic = opts.sizes.is_empty();
    if !automatic && opts.sizes.len() < 2 {
        return Err(CheckError::Options(
            "give at least two sizes n to measure a rate (or omit --n to let prism choose)".into(),
        ));
    }
    if opts.seeds < 2 {
        return Err(CheckError::Options(
            "give at least two seeds for error bars".into(),
        ));
    }
    if !(opts.budget.is_finite() && opts.budget > 0.0) {
        return Err(CheckError::Options(format!(
            "--budget must be a positive number of seconds, got {}",
            opts.budget
        )));
    }
    let cls = classify(spec, prism)?;
    let regime = match opts.formula {
        Some(r) => r,
        None => cls.face,
    };
    let consts = constants_of(spec);
    let rate_exact = cls.exact.correction_exponent.clone();
    let rate = crate::poly::rat_to_f64(&rate_exact);
    let mut notes = Vec::new();
    let mut explanation = Vec::new();
    if regime != cls.face {
        notes.push(format!(
            "the spec selects the face {}, but the {} law was asked for: its limit and normalization are used",
            cls.face,
            regime.name()
        ));
    }
    // Covariance spectrum (THEORY 9): the data's law drives the simulations; the reference
    // uses `opts.limit_spectrum` when given (the negative control), else the data's law.
    let laws = Laws::new(spec, regime, &consts, opts)?;
    notes.extend(laws.notes.iter().cloned());
    let min = ladder::min_size(spec, regime);
    let smalls = ladder::small_parameters(spec, regime);
    if !min.not_small.is_empty() {
        notes.push(format!(
            "on this spec some small parameters of the {} face do not vanish: {}",
            regime.name(),
            min.not_small.join(", ")
        ));
    }
    let speed0 = machine_flops_per_sec();

    // The time window and grid, at the smallest size (n_min, or the smallest given n).
    let n_first = if automatic {
        min.n
    } else {
        opts.sizes.iter().cloned().fold(f64::INFINITY, f64::min)
    };
    let grid = |n0: f64| -> (f64, String, Vec<String>, Vec<f64>) {
        let m = ladder::model_at(spec, n0);
        let x0 = ratios_of(m.p, m.h, m.n_data, m.sigma2);
        let (t_max, window, wn) = time_window(regime, &x0, opts.t_max);
        let k = opts.points.max(2);
        let times: Vec<f64> = (0..=k).map(|i| t_max * i as f64 / k as f64).collect();
        (t_max, window, wn, times)
    };
    let (mut _t_max, mut window, mut wnotes, mut times) = grid(n_first);

    // The sizes. Cost of one ensemble at n (with the initial runs) from the engine's plan.
    // With a covariance the plan counts forming S = Sigma^(1/2) Z Z^T Sigma^(1/2) / N and its
    // eigendecomposition (or the data-span engine), so the automatic sizes pay for it.
    let cost_at = |n: f64, times: &[f64]| -> EnsembleCost {
        match params_at(spec, regime, times, n, opts) {
            Ok((_, _, params)) => ensemble_cost(&params),
            Err(_) => EnsembleCost {
                flops: f64::INFINITY,
                memory_bytes: f64::INFINITY,
                engine: "invalid parameters".into(),
            },
        }
    };
    let mut sizes: Vec<f64>;
    let mut limited_by = String::from("given");
    let below;
    let mut n_cap = f64::INFINITY;
    // Time reserved for a numerical reference (computed below, after the ladder is known for
    // the interior); the free face's reference is budgeted by its own sizes.
    let needs_numeric = if laws.context.is_some() {
        law_is_numeric(regime)
    } else {
        !regime.has_closed_form(consts.y)
    };
    if automatic {
        let avail = opts.budget
            * if needs_numeric {
                1.0 - REFERENCE_FRACTION
            } else {
                1.0
            };
        let pass = avail * PASS_FRACTION;
        let plan_with = |times: &[f64], n_lo: f64| {
            let secs = |n: f64| cost_at(n, times).flops / speed0;
            let mem = |n: f64| cost_at(n, times).memory_bytes;
            ladder::choose(spec, n_lo, rate, pass, &secs, &mem, MEMORY_LIMIT)
        };
        let mut plan = plan_with(&times, min.n);
        if plan.below_asymptotic_range && plan.sizes[0] < n_first {
            // A smaller first size shortens the validity windows: recompute, re-plan once.
            let g = grid(plan.sizes[0]);
            _t_max = g.0;
            window = g.1;
            wnotes = g.2;
            times = g.3;
            plan = plan_with(&times, min.n);
        }
        sizes = plan.sizes.clone();
        limited_by = plan.top_limited_by.clone();
        below = plan.below_asymptotic_range;
        n_cap = min.n * ladder::MAX_SPAN.powf(1.0 / if rate > 0.0 { rate } else { 1.0 });
        let listed: Vec<String> = smalls
            .iter()
            .filter(|s| s.name != "1/p")
            .map(|s| format!("{} = {:.3}", s.name, s.at(sizes[0])))
            .collect();
        explanation.push(format!(
            "smallest size n = {} (set by {}; the face's small parameters there: {}; p >= {} always)",
            fmt_n(min.n),
            min.limited_by,
            if listed.is_empty() {
                "none besides 1/p (the interior is not a limit in r, q, alpha)".to_string()
            } else {
                listed.join(", ")
            },
            ladder::P_MIN
        ));
        if below {
            explanation.push(format!(
                "the budget cannot reach n >= {} with a measurable span: the ladder starts at n = {}, BELOW the asymptotic range; expect pre-asymptotic errors",
                fmt_n(min.n),
                fmt_n(sizes[0])
            ));
            notes.push(format!(
                "the smallest size n = {} is below n_min = {} ({}): the budget does not reach the asymptotic range",
                fmt_n(sizes[0]),
                fmt_n(min.n),
                min.limited_by
            ));
        }
        explanation.push(format!(
            "planned one pass of {} runs per size in {:.1} s ({:.0}% of the budget) at the calibrated {:.2} GFLOP/s: predicted {:.1} s",
            opts.seeds,
            pass,
            PASS_FRACTION * 100.0,
            speed0 / 1e9,
            plan.predicted_seconds
        ));
    } else {
        sizes = opts.sizes.clone();
        sizes.sort_by(|a, b| a.total_cmp(b));
        sizes.dedup();
        if let Some(maxf) = opts.max_flops {
            for &n in &sizes {
                let c = cost_at(n, &times);
                if c.flops > maxf {
                    let m = ladder::model_at(spec, n);
                    return Err(CheckError::TooLarge {
                        n,
                        p: m.p,
                        h: m.h,
                        est: c.flops,
                        secs: c.flops / speed0,
                        max: maxf,
                    });
                }
            }
        }
        let total: f64 = sizes.iter().map(|&n| cost_at(n, &times).flops).sum();
        // Explicit sizes are run whatever they cost within the resource limits (--max-time,
        // --max-memory, --force), admitted here before anything runs: a size far beyond the
        // machine is refused with the estimate instead of exhausting its memory.
        let peak = sizes
            .iter()
            .map(|&n| cost_at(n, &times).memory_bytes)
            .fold(0.0, f64::max);
        let est = Estimate {
            what: format!(
                "the simulations of this check at n = {}",
                sizes.iter().map(|&n| fmt_n(n)).collect::<Vec<_>>().join(", ")
            ),
            secs: total / speed0,
            bytes: peak,
            detail: format!(
                "{} runs per size, {:.1e} floating-point operations at the calibrated {:.2} GFLOP/s",
                opts.seeds,
                total,
                speed0 / 1e9
            ),
            knobs: "smaller --n, fewer --seeds, fewer --points".into(),
        };
        if let Some(note) = opts.limits.admit(&est)? {
            notes.push(note.trim_start_matches("note: ").to_string());
        }
        explanation.push(format!(
            "sizes given with --n: about {:.1e} floating-point operations, {:.0} s at the calibrated {:.2} GFLOP/s",
            total,
            total / speed0,
            speed0 / 1e9
        ));
    }
    notes.extend(wnotes);
    let top = *sizes.last().unwrap_or(&n_first);
    let plans0: Vec<(f64, Model, Ratios, SimParams)> = sizes
        .iter()
        .map(|&n| {
            let (m, x, p) = params_at(spec, regime, &times, n, opts)?;
            Ok((n, m, x, p))
        })
        .collect::<Result<_, CheckError>>()?;
    let rounded = plans0.iter().any(|(n, m, _, _)| {
        (spec.p.at(*n) - m.p as f64).abs() > 1e-9
            || (spec.h.at(*n) - m.h as f64).abs() > 1e-9
            || m.n_data.is_some_and(|nd| matches!(&spec.n_data, DataSize::Finite(s) if (s.at(*n) - nd as f64).abs() > 1e-9))
    });
    if rounded {
        notes.push(
            "dimensions were rounded to integers at some n; normalizations use the rounded ratios"
                .into(),
        );
    }

    // First pass: size by size, re-planning the remaining sizes from the measured time.
    let m = times.len();
    let mut plans: Vec<(f64, Ratios, SimParams)> = Vec::new();
    let mut per_run_curves: Vec<(Vec<Vec<f64>>, Vec<Vec<f64>>)> = Vec::new();
    let mut info: Vec<(f64, f64)> = Vec::new(); // (dt, seconds)
    let mut flops_done = 0.0;
    let mut secs_done = 0.0;
    let run_size = |params: &SimParams,
                    x: &Ratios,
                    n: f64,
                    from: usize,
                    to: usize,
                    dest: &mut (Vec<Vec<f64>>, Vec<Vec<f64>>)|
     -> Result<(f64, f64, f64), CheckError> {
        let mut params = params.clone();
        params.seed = opts.seed + from as u64;
        params.seeds = to - from;
        progress(&format!(
            "n = {}: p = {}, H = {}, N = {}, sigma2 = {:.4e}, runs {}..{}",
            fmt_n(n),
            params.p,
            params.h,
            params.n.map_or("inf".to_string(), |v| v.to_string()),
            params.sigma2,
            from,
            to
        ));
        let start = std::time::Instant::now();
        let res = sim::simulate(&params).map_err(|source| CheckError::Sim { n, source })?;
        let secs = start.elapsed().as_secs_f64();
        // E l(0) = m_1 c_0 with a covariance (c_0 is linear in Sigma through tr Sigma/p, THEORY
        // 9.2), m_1 that of the quantiles at this p.
        let c0 = exact_initial_loss(params.p, params.h, params.sigma2) * params.sigma_mean();
        for loss in [Loss::Train, Loss::Pop] {
            let norm = regime.normalization(loss);
            let out = if loss == Loss::Train {
                &mut dest.0
            } else {
                &mut dest.1
            };
            for r in &res.runs {
                let l = if loss == Loss::Train {
                    &r.train
                } else {
                    &r.pop
                };
                // Control variate: l(t) - l(0) + E l(0), with E l(0) = c_0 known exactly
                // (THEORY section 2, both losses). Unbiased, and free of the O(1/p)
                // run-to-run noise of the initial loss. Faces that subtract l(0) anyway
                // are unaffected.
                let mut v: Vec<f64> = (0..m)
                    .map(|i| norm.quantity(l[i] - l[0] + c0, c0, x))
                    .collect();
                v.push(r.train[0] - c0);
                v.push(r.pop[0] - c0);
                out.push(v);
            }
        }
        Ok((res.info.dt, secs, ensemble_cost(&params).flops))
    };
    let mut queue: Vec<f64> = sizes.clone();
    let mut k = 0;
    while k < queue.len() {
        let n = queue[k];
        let (_, x, params) = params_at(spec, regime, &times, n, opts)?;
        let mut dest = (Vec::new(), Vec::new());
        let (dt, secs, fl) = run_size(&params, &x, n, 0, opts.seeds, &mut dest)?;
        flops_done += fl;
        secs_done += secs;
        per_run_curves.push(dest);
        info.push((dt, secs));
        plans.push((n, x, params));
        if automatic && k + 1 < queue.len() {
            // Measured seconds per planned flop on the largest size run so far (the least
            // dominated by fixed overheads), times the plan's cost of the next sizes.
            let per_flop = secs / fl.max(1.0);
            let avail = opts.budget
                * if needs_numeric {
                    1.0 - REFERENCE_FRACTION
                } else {
                    1.0
                };
            let remaining = (avail * PASS_FRACTION - secs_done).max(0.0);
            let secs_at = |nn: f64| cost_at(nn, &times).flops * per_flop;
            let rest = ladder::replan(
                spec,
                n,
                queue.len() - k - 1,
                n_cap.min(top * 4.0),
                remaining,
                &secs_at,
            );
            queue.truncate(k + 1);
            queue.extend(rest);
        }
        k += 1;
    }
    let sizes: Vec<f64> = queue;
    let measured_speed = flops_done / secs_done.max(1e-9);
    let top_final = *sizes.last().unwrap_or(&n_first);
    let top_cost = cost_at(top_final, &times);
    let cost_exponent = {
        let lo = cost_at(sizes[0], &times).flops;
        if sizes[0] < top_final && lo > 0.0 {
            (top_cost.flops / lo).ln() / (top_final / sizes[0]).ln()
        } else {
            0.0
        }
    };
    explanation.push(format!(
        "engine at the largest size: {}; the cost of a size grows as n^{cost_exponent:.2} over the ladder",
        top_cost.engine
    ));

    if automatic {
        explanation.push(match limited_by.as_str() {
            "span" => format!(
                "largest size n = {}: the expected correction n^-{} falls by {} over the ladder, enough to measure its rate",
                fmt_n(*sizes.last().unwrap_or(&top)),
                rate_exact,
                ladder::MAX_SPAN
            ),
            "memory" => format!(
                "largest size n = {}: limited by memory ({:.1} GB per ensemble)",
                fmt_n(*sizes.last().unwrap_or(&top)),
                top_cost.memory_bytes / 1e9
            ),
            _ => format!(
                "largest size n = {}: limited by the budget ({} s)",
                fmt_n(*sizes.last().unwrap_or(&top)),
                opts.budget
            ),
        });
    }

    if automatic {
        explanation.push(format!(
            "measured {:.2} GFLOP/s on the sizes run (plan flops / wall time); sizes after re-planning: {}",
            measured_speed / 1e9,
            sizes.iter().map(|n| fmt_n(*n)).collect::<Vec<_>>().join(", ")
        ));
    }

    // The reference curves (after the first pass: a numerical reference is budgeted with the
    // measured speed, at the final sizes).
    progress(&format!(
        "limit on face {} ({} points)",
        regime.name(),
        times.len()
    ));
    let refc = match &laws.context {
        Some(ctx) => law_reference(regime, &consts, ctx, &times, opts)?,
        None => reference_curves(
            spec,
            regime,
            &consts,
            &times,
            &sizes,
            opts,
            measured_speed,
            progress,
        )?,
    };
    if let Some(w) = &refc.window_extra {
        window = format!("{window}; {w}");
    }
    notes.extend(refc.notes.iter().cloned());
    let (limit_train, limit_pop) = (refc.train.clone(), refc.pop.clone());

    // Assess; while inconclusive, add runs as far as the budget allows. Run i always has seed
    // base + i, so adding runs extends the same ensemble deterministically.
    let mut have = opts.seeds;
    let mut suffices = None;
    let (losses, verdict) = loop {
        let (losses, verdict) = assess_all(
            regime,
            &plans,
            &per_run_curves,
            &limit_train,
            &limit_pop,
            &refc.train_err,
            &refc.pop_err,
            rate,
        );
        if verdict != Verdict::Inconclusive {
            break (losses, verdict);
        }
        // Seconds per run of one pass over the sizes, measured.
        let per_run: f64 = info.iter().map(|i| i.1).sum::<f64>() / have as f64;
        let left = opts.budget - clock.elapsed().as_secs_f64();
        let afford = ((EXTEND_BUDGET_SHARE * left / per_run.max(1e-9)).floor() as usize)
            .min(EXTEND_MAX_FACTOR * have);
        let next = (have + afford).min(opts.max_seeds);
        // What would suffice: the runs that bring the noise at the largest size under the
        // floor of the noise-floor test (or resolve the error), from the measured noise.
        let factor = losses
            .iter()
            .filter(|l| l.l2.verdict == Verdict::Inconclusive)
            .map(|l| {
                let e = l.errors.last().expect("sizes");
                let floor = super::verdict::NOISE_FLOOR * l.scale;
                let need = match l.l2.fit {
                    // A rate too uncertain: its standard error falls as 1/sqrt(runs).
                    Some(f) => (f.se / (RATE_SE_TARGET * super::verdict::MAX_RATE_SE)).powi(2),
                    // Nothing resolved: bring e + 2 se at the largest size under the floor.
                    None => (e.l2_se * 2.0 / (floor - e.l2).max(0.25 * floor)).powi(2),
                };
                need.max(MIN_RUNS_FACTOR)
            })
            .fold(1.0, f64::max);
        let needed_runs = (have as f64 * factor).ceil();
        let elapsed_fixed = clock.elapsed().as_secs_f64() - info.iter().map(|i| i.1).sum::<f64>();
        suffices = Some(elapsed_fixed.max(0.0) + per_run * needed_runs);
        if !(automatic || opts.max_seeds > have) || next < have + have / 2 || next <= have {
            notes.push(format!(
                "still inconclusive with {have} runs per size: the budget of {} s allows no more runs (about {needed_runs:.0} runs per size, roughly {:.0} s, would be needed)",
                opts.budget,
                suffices.unwrap_or(0.0)
            ));
            break (losses, verdict);
        }
        progress(&format!(
            "inconclusive with {have} runs per size: extending to {next}"
        ));
        notes.push(format!(
            "inconclusive with {have} runs per size, so the ensemble was extended to {next}"
        ));
        for (k, (n, x, params)) in plans.iter().enumerate() {
            let (_, secs, _) = run_size(params, x, *n, have, next, &mut per_run_curves[k])?;
            info[k].1 += secs;
        }
        have = next;
    };
    if verdict == Verdict::Agrees {
        suffices = None;
    }
    let runs: Vec<SizeRun> = plans
        .iter()
        .zip(&per_run_curves)
        .zip(&info)
        .map(|(((n, x, params), (tr, po)), (dt, seconds))| {
            // The reported means are the plain ensemble means on the face-time grid (each
            // run's vector also carries the CONTROLS of the control-variate estimator).
            let on_grid = |runs: &Vec<Vec<f64>>| -> Vec<Vec<f64>> {
                runs.iter()
                    .map(|v| v[..v.len().min(times.len())].to_vec())
                    .collect()
            };
            let (train_mean, train_sem) = stats::column_mean_sem(&on_grid(tr));
            let (pop_mean, pop_sem) = stats::column_mean_sem(&on_grid(po));
            SizeRun {
                n: *n,
                p: params.p,
                h: params.h,
                n_data: params.n,
                sigma2: params.sigma2,
                ratios: *x,
                dt: *dt,
                t_raw_max: params.t_max,
                seeds: have,
                train_mean,
                train_sem,
                pop_mean,
                pop_sem,
                seconds: *seconds,
            }
        })
        .collect();
    let constants = regime
        .constant_names()
        .into_iter()
        .zip(regime.resolve(&consts).unwrap_or_default())
        .map(|(n, v)| (n.to_string(), v))
        .collect();
    let wall = clock.elapsed().as_secs_f64();
    if wall > opts.budget * BUDGET_OVERRUN && automatic {
        notes.push(format!(
            "the check took {wall:.1} s, over the budget of {} s (the machine was slower than measured)",
            opts.budget
        ));
    }
    let (lo, hi) = (sizes[0], *sizes.last().unwrap_or(&sizes[0]));
    // The closed-form limit on a fine grid, for the figure only (cheap: a closed form).
    let exact_ref = refc
        .train_err
        .iter()
        .chain(&refc.pop_err)
        .all(|e| *e == 0.0);
    let limit_fine = match (&refc.reference, times.first(), times.last()) {
        (Reference::Limit { .. }, Some(&t0), Some(&t1)) if t1 > t0 && exact_ref => {
            let fine: Vec<f64> = (0..FINE_POINTS)
                .map(|i| t0 + (t1 - t0) * i as f64 / (FINE_POINTS - 1) as f64)
                .collect();
            match &laws.context {
                Some(ctx) => spectral::limit_curve_law(
                    regime,
                    &consts,
                    ctx,
                    &fine,
                    &regimes::CurveOptions::default(),
                ),
                None => regimes::limit_curve(regime, &consts, &fine),
            }
            .ok()
            .map(|lc| FineLimit {
                times: fine,
                train: lc.train,
                pop: lc.pop,
            })
        }
        _ => None,
    };
    Ok(CheckReport {
        spec: cls.spec.clone(),
        face: regime.name().to_string(),
        spec_face: cls.face,
        spectrum: (!spec.spectrum.is_identity()).then(|| spec.spectrum.to_string()),
        limit_spectrum: laws.reported_limit_law(spec),
        time_variable: regime.time_variable(),
        constants,
        reference: refc.reference,
        window,
        times,
        limit_train,
        limit_pop,
        limit_train_err: refc.train_err,
        limit_pop_err: refc.pop_err,
        limit_fine,
        ladder: LadderReport {
            automatic,
            budget_seconds: opts.budget,
            n_min: min.n,
            n_min_reason: min.limited_by.clone(),
            small_parameters: smalls
                .iter()
                .map(|s| (s.name.clone(), s.at(lo), s.at(hi)))
                .collect(),
            engine: top_cost.engine,
            cost_exponent,
            limited_by,
            calibrated_flops_per_sec: speed0,
            measured_flops_per_sec: measured_speed,
            wall_seconds: wall,
            explanation,
            budget_that_would_suffice: suffices,
        },
        expected_rate: rate_exact.to_string(),
        sizes: runs,
        losses,
        verdict,
        notes,
    })
}

/// The covariance spectra of a check (THEORY 9): the data's law (the spec's `spectrum =`, used
/// by the simulations) and the reference's (`opts.limit_spectrum`, else the data's).
struct Laws {
    /// The reference's law, prepared (None: the identity, the isotropic references).
    context: Option<LawContext>,
    /// The reference's law as given.
    reference: SpectrumLaw,
    /// What the report says about them.
    notes: Vec<String>,
}

impl Laws {
    /// Read the laws and refuse, before any simulation, a reference that does not exist (a
    /// heavy tail on a face that needs every moment, THEORY 9.6) or that is not available with
    /// a spectrum (no closed form, THEORY 9.5 F1/F4, and no exact series reaching the window).
    fn new(
        spec: &Spec,
        regime: Regime,
        consts: &Constants,
        opts: &CheckOptions,
    ) -> Result<Laws, CheckError> {
        let data = &spec.spectrum;
        let mut notes = Vec::new();
        if !data.is_identity() {
            // A `file(...)` law that was not read is an error here, not after the first size.
            data.eigenvalues(ladder::P_MIN as usize)?;
            let m1 = data.mean().map(|m| crate::poly::rat_to_f64(&m))?;
            notes.push(format!(
                "anisotropic data: x ~ N(0, Sigma), Sigma's eigenvalues the quantiles of {data} at (i - 1/2)/p at each size (m1 = {m1}); the fast engines run in the eigenbasis of S with Sigma' = U^T Sigma U for the population loss (THEORY 9.4), E l(0) = m1 c0 for the control variate"
            ));
            if (m1 - 1.0).abs() > 1e-12 {
                notes.push(format!(
                    "the data's law has mean m1 = {m1}: the simulations use Sigma as given; the reference is the limit for Sigma/m1 (mean 1) mapped back by the exact identity L(t; c Sigma) = c L(c t; Sigma), i.e. Q(T) = m1 Q'(m1 T) (THEORY 9.1)"
                ));
            }
        }
        let reference = opts.limit_spectrum.clone().unwrap_or_else(|| data.clone());
        if opts.limit_spectrum.is_some() && reference != *data {
            notes.push(format!(
                "negative control: the reference is computed with the law {reference}, the data's is {}: `disagrees` is expected wherever the data's spectrum matters",
                if data.is_identity() { "identity".to_string() } else { data.to_string() }
            ));
        }
        if reference.is_identity() {
            return Ok(Laws {
                context: None,
                reference,
                notes,
            });
        }
        let ctx = LawContext::new(&reference)?;
        let ht = spectral::heavy_tail(regime, &reference);
        if !ht.limit_exists {
            return Err(CheckError::Regime(regimes::RegimeError::NoLimit {
                face: regime.name(),
                reason: ht.reason,
            }));
        }
        if law_is_numeric(regime) {
            notes.push(format!(
                "no closed form on {} with a spectrum (THEORY 9.5 F1/F4): the reference is NUMERICAL, simulations with the law's quantile eigenvalues at growing p extrapolated in 1/p, with error bars",
                regime.name()
            ));
            return Ok(Laws {
                context: Some(ctx),
                reference,
                notes,
            });
        }
        // Probe the face's law on two early times: faces without a closed form with a
        // spectrum answer NoClosedForm (checked again against the window in law_reference).
        match spectral::limit_curve_law(
            regime,
            consts,
            &ctx,
            &[0.0, 1e-3],
            &regimes::CurveOptions::default(),
        ) {
            Ok(_) => {}
            Err(regimes::RegimeError::NoClosedForm { .. }) => {
                let t_max = opts.t_max.unwrap_or(DEFAULT_CHECK_TIME);
                law_series_reference(regime, consts, &reference, opts.series_order, t_max)?;
            }
            Err(e) => return Err(e.into()),
        }
        Ok(Laws {
            context: Some(ctx),
            reference,
            notes,
        })
    }

    /// The reference's law for the report: shown when not the identity or when it differs
    /// from the data's.
    fn reported_limit_law(&self, spec: &Spec) -> Option<String> {
        (!self.reference.is_identity() || self.reference != spec.spectrum)
            .then(|| self.reference.to_string())
    }
}

/// Whether the face's law with a spectrum is a numerical reference (large-data and the free
/// face and its large-data edge: [`spectral::limit_curve_law`] simulates and extrapolates).
fn law_is_numeric(regime: Regime) -> bool {
    use regimes::{DataPart, LatentPart};
    matches!(
        regime.parts(),
        (DataPart::Large, LatentPart::Whole) | (_, LatentPart::Free)
    )
}

/// Highest order of the series with moments used as a reference (the hierarchy with moments
/// costs seconds up to order 6).
pub const LAW_SERIES_ORDER: usize = 6;

/// The exact series with moments of `regime` at the law's exact moments
/// ([`spectral::limit_series_at_law`]), evaluated at the face's constants, and the face time up
/// to which it is a reference (half its apparent radius, last term below [`SERIES_TOL`]).
/// Refused, with the reason, when that does not reach `t_max`: with a spectrum the faces
/// without a closed form (large-data, free, the interior) have no numerical reference here.
fn law_series_reference(
    regime: Regime,
    consts: &Constants,
    law: &SpectrumLaw,
    order: usize,
    t_max: f64,
) -> Result<(SeriesRef, f64), CheckError> {
    let order = order.clamp(2, LAW_SERIES_ORDER);
    let at = regime.resolve(consts)?;
    let ls = spectral::limit_series_at_law(regime, order, law)?;
    let ev = |v: &[crate::poly::Poly]| -> Vec<f64> { v.iter().map(|c| c.eval_f64(&at)).collect() };
    let (train, pop) = (ev(&ls.train), ev(&ls.pop));
    let radius = SeriesRef::radius_of(&train).min(SeriesRef::radius_of(&pop));
    let sr = SeriesRef {
        order,
        radius,
        train: vec![train],
        pop: vec![pop],
    };
    let until = (sr.radius / 2.0).min(sr.tolerable_time(SERIES_TOL));
    if t_max > until {
        return Err(CheckError::NoReference(format!(
            "face {} has no closed-form limit with the covariance spectrum {law} (A0 does not commute with Sigma, THEORY 9.5 F1/F4), and no numerical reference with a spectrum is implemented in prism check; the exact series with moments (order {order}) is a reference only for {} <= {until:.3} (use --tau-max {:.3} or less to check that window, or `prism limit` for the series)",
            regime.name(),
            regime.time_symbol(),
            (until * 1000.0).floor() / 1000.0
        )));
    }
    Ok((sr, until))
}

/// The reference with a covariance spectrum: the face's law (closed forms of THEORY 9.5 by
/// deterministic equivalents, mapped back to the law's mean by the scale identity), or, on a
/// face without one, the exact series with moments inside its window.
fn law_reference(
    regime: Regime,
    consts: &Constants,
    ctx: &LawContext,
    times: &[f64],
    opts: &CheckOptions,
) -> Result<RefCurves, CheckError> {
    let zeros = vec![0.0; times.len()];
    let mut co = regimes::CurveOptions::default();
    // The numerical references' own seeds, apart from the simulations'; their sizes and runs
    // from the check's budget share for a reference (the engines' plan at the nominal speed).
    co.free.seed = opts.seed.wrapping_add(1 << 32);
    co.reference_budget = Some(opts.budget * REFERENCE_FRACTION);
    match spectral::limit_curve_law(regime, consts, ctx, times, &co) {
        Ok(lc) => {
            let method = serde_json::to_value(&lc.method)
                .ok()
                .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
                .unwrap_or_else(|| "limit".into());
            let mut notes = lc.notes.clone();
            notes.push(format!(
                "reference: the {} law with the covariance spectrum {} (THEORY 9.5)",
                regime.name(),
                ctx.law
            ));
            Ok(RefCurves {
                train_err: lc.train_err.clone().unwrap_or_else(|| zeros.clone()),
                pop_err: lc.pop_err.clone().unwrap_or_else(|| zeros.clone()),
                train: lc.train,
                pop: lc.pop,
                reference: Reference::Limit {
                    method: format!("{method}, spectrum {}", ctx.law),
                },
                window_extra: None,
                notes,
            })
        }
        Err(regimes::RegimeError::NoClosedForm { .. }) => {
            let t_max = times.last().copied().unwrap_or(0.0);
            let (sr, until) =
                law_series_reference(regime, consts, &ctx.law, opts.series_order, t_max)?;
            Ok(RefCurves {
                train: times.iter().map(|&t| SeriesRef::eval(&sr.train, t)).collect(),
                pop: times.iter().map(|&t| SeriesRef::eval(&sr.pop, t)).collect(),
                train_err: zeros.clone(),
                pop_err: zeros,
                reference: Reference::Series {
                    order: sr.order,
                    radius: sr.radius,
                },
                window_extra: Some(format!(
                    "inside the exact series' window {} <= {until:.3}",
                    regime.time_symbol()
                )),
                notes: vec![format!(
                    "no closed form with the spectrum {}: the reference is the exact series with moments at the law's exact moments, order {}, where its truncation error is below {SERIES_TOL:e}",
                    ctx.law, sr.order
                )],
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// n for printing: integers as integers, else 4 significant digits.
pub fn fmt_n(n: f64) -> String {
    if (n - n.round()).abs() < 1e-9 {
        format!("{}", n.round() as i64)
    } else {
        format!("{:.4}", n)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// The reference: the limit curve where one is known; else the exact series at small face
/// times and a numerical limit (with error bars) beyond.
#[allow(clippy::too_many_arguments)]
fn reference_curves(
    spec: &Spec,
    regime: Regime,
    consts: &Constants,
    times: &[f64],
    sizes: &[f64],
    opts: &CheckOptions,
    speed: f64,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<RefCurves, CheckError> {
    let zeros = vec![0.0; times.len()];
    if regime.has_closed_form(consts.y) {
        let lc: LimitCurves = regimes::limit_curve(regime, consts, times)?;
        let method = serde_json::to_value(&lc.method)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
            .unwrap_or_else(|| "limit".into());
        return Ok(RefCurves {
            train: lc.train,
            pop: lc.pop,
            train_err: zeros.clone(),
            pop_err: zeros,
            reference: Reference::Limit { method },
            window_extra: None,
            notes: lc.notes,
        });
    }
    let sr = series_reference(regime, consts, opts.series_order)?;
    // The series is exact inside half its apparent radius where the last term kept is below
    // SERIES_TOL (the truncation error does not shrink with n).
    let series_until = (sr.radius / 2.0).min(sr.tolerable_time(SERIES_TOL));
    let ser_tr: Vec<f64> = times
        .iter()
        .map(|&t| SeriesRef::eval(&sr.train, t))
        .collect();
    let ser_po: Vec<f64> = times.iter().map(|&t| SeriesRef::eval(&sr.pop, t)).collect();
    let mut notes = vec![
        "no closed form is known for this face: the reference is the exact leading series at small times and a NUMERICAL limit with error bars beyond".to_string(),
    ];
    // The numerical limit on the grid points beyond the series window.
    let need: Vec<f64> = times.to_vec();
    let budget = opts.budget * REFERENCE_FRACTION;
    let num = match regime {
        Regime::Free => {
            let r = consts.r.unwrap_or(1.0);
            // Sizes of the reduced flow: three, doubling; per run about 4 x 3 max(H,p)
            // min(H,p)^2 flops per step and 40 tau_max max(1, r) steps. The noise of the
            // intercept per unit cost favours small p (a run costs p^3, its noise falls as
            // 1/p), the O(1/p^2) bias large p: the top size is 128 when the budget affords 32
            // runs there, else 64, else 32; the rest of the budget share buys runs.
            let tmax = *need.last().unwrap_or(&1.0);
            let per_run = |top: f64| {
                [top / 4.0, top / 2.0, top]
                    .iter()
                    .map(|&p| {
                        let h = (r * p).max(1.0);
                        (40.0 * tmax * r.max(1.0)).max(10.0)
                            * 4.0
                            * 3.0
                            * h.max(p)
                            * h.min(p).powi(2)
                    })
                    .sum::<f64>()
                    * 1.25 // the step check at the smallest size
            };
            let mut top = 32.0f64;
            for cand in [64.0, 128.0] {
                if budget * speed / per_run(cand) >= 32.0 {
                    top = cand;
                }
            }
            let seeds = ((budget * speed / per_run(top)) as usize).clamp(16, 256);
            let ps = vec![(top / 4.0) as usize, (top / 2.0) as usize, top as usize];
            progress(&format!(
                "numerical free-face limit: reduced flow at p = {ps:?}, {seeds} runs each, extrapolated in 1/p"
            ));
            let mut co = regimes::CurveOptions::default();
            co.free.sizes = ps.clone();
            co.free.seeds = seeds;
            co.free.seed = opts.seed.wrapping_add(1 << 32);
            let lc = regimes::limit_curve_with(Regime::Free, consts, &need, &co)?;
            notes.extend(lc.notes.iter().cloned());
            super::reference::NumericRef {
                train_err: lc.train_err.clone().unwrap_or_else(|| zeros.clone()),
                pop_err: lc.pop_err.clone().unwrap_or_else(|| zeros.clone()),
                train: lc.train,
                pop: lc.pop,
                method: lc.method.describe(),
            }
        }
        _ => {
            // The interior: ensembles of the full model at the spec's constants, at the top
            // sizes of the ladder (own seeds), extrapolated in 1/p.
            let x = Ratios {
                r: consts.r.unwrap_or(1.0),
                q: consts.q.unwrap_or(1.0),
                y: consts.y.unwrap_or(0.0),
            };
            let top_p = ladder::model_at(spec, *sizes.last().unwrap_or(&64.0))
                .p
                .max(32);
            let ps = vec![top_p / 4, top_p / 2, top_p];
            // As many runs as the budget share affords (at least 32, at most 1024): the
            // intercept of the 1/p fit carries about three times the top size's noise.
            let per_run: f64 = ps
                .iter()
                .map(|&p| {
                    let h = ((x.r * p as f64).round() as usize).max(1);
                    let nd = (x.y > 0.0).then(|| ((p as f64 / x.y).round() as usize).max(1));
                    let mut sp = SimParams::new(p, h, x.q / p as f64, *need.last().unwrap_or(&1.0))
                        .with_n(nd);
                    sp.seeds = 1;
                    sp.integrator = Integrator::Adaptive;
                    sp.tol = Some((0.1 / (p as f64 * 16.0)).clamp(1e-9, 1e-3));
                    ensemble_cost(&sp).flops
                })
                .sum();
            let seeds = ((budget * speed / per_run.max(1.0)) as usize).clamp(32, 1024);
            progress(&format!(
                "numerical interior limit: full model at p = {ps:?}, {seeds} runs each, extrapolated in 1/p"
            ));
            super::reference::interior_numeric(
                &x,
                &need,
                &ps,
                seeds,
                opts.seed.wrapping_add(1 << 32),
                &exact_initial_loss,
            )
            .map_err(|source| CheckError::Sim {
                n: top_p as f64,
                source,
            })?
        }
    };
    // Series where it is exact; numerical beyond. The numerical limit is checked against the
    // series where both exist.
    let mut train = Vec::new();
    let mut pop = Vec::new();
    let mut terr = Vec::new();
    let mut perr = Vec::new();
    let mut z: Option<f64> = None;
    for (i, &t) in times.iter().enumerate() {
        if t <= series_until {
            train.push(ser_tr[i]);
            pop.push(ser_po[i]);
            terr.push(0.0);
            perr.push(0.0);
            if t > 0.0 {
                for (a, b, e) in [
                    (num.train[i], ser_tr[i], num.train_err[i]),
                    (num.pop[i], ser_po[i], num.pop_err[i]),
                ] {
                    let zz = (a - b).abs() / e.max(1e-12);
                    z = Some(z.map_or(zz, |v: f64| v.max(zz)));
                }
            }
        } else {
            train.push(num.train[i]);
            pop.push(num.pop[i]);
            terr.push(num.train_err[i]);
            perr.push(num.pop_err[i]);
        }
    }
    if let Some(zz) = z {
        notes.push(format!(
            "the numerical limit against the exact series at T <= {series_until:.3}: largest |difference| / error bar = {zz:.1}{}",
            if zz > 3.0 { " (MORE THAN 3: the numerical limit is doubtful)" } else { "" }
        ));
    }
    let max_err = terr.iter().chain(&perr).cloned().fold(0.0, f64::max);
    Ok(RefCurves {
        train,
        pop,
        train_err: terr,
        pop_err: perr,
        reference: Reference::SeriesAndNumeric {
            order: sr.order,
            radius: sr.radius,
            series_until,
            numeric: num.method,
            overlap_z: z,
        },
        window_extra: Some(format!(
            "exact leading series (order {}) for {} <= {series_until:.3}, numerical limit beyond (error bars up to {max_err:.1e})",
            sr.order,
            regime.time_symbol()
        )),
        notes,
    })
}

/// Errors and assessments of both losses from the per-run normalized curves; the verdict is
/// `disagrees` if either loss disagrees, `agrees` if both agree, else `inconclusive`.
#[allow(clippy::too_many_arguments)]
fn assess_all(
    regime: Regime,
    plans: &[(f64, Ratios, SimParams)],
    per_run_curves: &[(Vec<Vec<f64>>, Vec<Vec<f64>>)],
    limit_train: &[f64],
    limit_pop: &[f64],
    err_train: &[f64],
    err_pop: &[f64],
    rate: f64,
) -> (Vec<LossCheck>, Verdict) {
    let mut losses = Vec::new();
    for loss in [Loss::Train, Loss::Pop] {
        let (limit, lerr) = if loss == Loss::Train {
            (limit_train, err_train)
        } else {
            (limit_pop, err_pop)
        };
        let scale = {
            let lo = limit.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = limit.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            (hi - lo)
                .abs()
                .max(limit.iter().map(|v| v.abs()).fold(0.0, f64::max) * 0.1)
                .max(1e-6)
        };
        let errors: Vec<SizeError> = plans
            .iter()
            .zip(per_run_curves)
            .map(|((n, _, _), (tr, po))| {
                distances(*n, if loss == Loss::Train { tr } else { po }, limit, lerr)
            })
            .collect();
        let ns: Vec<f64> = errors.iter().map(|e| e.n).collect();
        let sup: Vec<f64> = errors.iter().map(|e| e.sup).collect();
        let sup_se: Vec<f64> = errors.iter().map(|e| e.sup_se).collect();
        let l2: Vec<f64> = errors.iter().map(|e| e.l2).collect();
        let l2_se: Vec<f64> = errors.iter().map(|e| e.l2_se).collect();
        losses.push(LossCheck {
            loss,
            quantity: regime.quantity(loss),
            sup: assess(&ns, &sup, &sup_se, rate, scale),
            l2: assess(&ns, &l2, &l2_se, rate, scale),
            errors,
            scale,
        });
    }
    let verdicts: Vec<Verdict> = losses.iter().map(|l| l.l2.verdict).collect();
    let verdict = if verdicts.contains(&Verdict::Disagrees) {
        Verdict::Disagrees
    } else if verdicts.iter().all(|v| *v == Verdict::Agrees) {
        Verdict::Agrees
    } else {
        Verdict::Inconclusive
    };
    (losses, verdict)
}

/// E l(0) exactly, for both losses: c_0 = 1/2 - sigma2 H + sigma2^2 H (H + p + 1) / 2
/// (THEORY section 2).
pub fn exact_initial_loss(p: usize, h: usize, sigma2: f64) -> f64 {
    let (p, h) = (p as f64, h as f64);
    0.5 - sigma2 * h + 0.5 * sigma2 * sigma2 * h * (h + p + 1.0)
}

/// Number of zero-mean controls stored after the m curve values of each run: `l_tr(0) - c_0`
/// and `l_pop(0) - c_0` (E l(0) = c_0 exactly for both losses, THEORY section 2).
pub const CONTROLS: usize = 2;

/// Mean and standard error of the mean over runs, per grid point, with regression control
/// variates: each run's vector holds the m values followed by [`CONTROLS`] zero-mean controls
/// c; per grid point the estimate is `mean(v) - beta . mean(c)` with `beta` fitted by least
/// squares over the runs (the optimal linear control variate; its bias is O(1/R)). The
/// standard error counts the fitted coefficients. Collinear controls (N = infinity, where
/// l_tr = l_pop) fall back to one control, too few runs to none.
pub(crate) fn mean_sem(per_run: &[Vec<f64>], m: usize) -> (Vec<f64>, Vec<f64>) {
    let refs: Vec<&Vec<f64>> = per_run.iter().collect();
    mean_sem_refs(&refs, m)
}

fn mean_sem_refs(per_run: &[&Vec<f64>], m: usize) -> (Vec<f64>, Vec<f64>) {
    let n = per_run.len();
    let r = n as f64;
    let has_ctl = per_run.first().is_some_and(|v| v.len() >= m + CONTROLS);
    // Centered controls and their Gram matrix.
    let (c1, c2) = if has_ctl {
        let m1 = per_run.iter().map(|v| v[m]).sum::<f64>() / r;
        let m2 = per_run.iter().map(|v| v[m + 1]).sum::<f64>() / r;
        (
            per_run.iter().map(|v| v[m] - m1).collect::<Vec<f64>>(),
            per_run.iter().map(|v| v[m + 1] - m2).collect::<Vec<f64>>(),
        )
    } else {
        (vec![0.0; n], vec![0.0; n])
    };
    let means_c = if has_ctl {
        [
            per_run.iter().map(|v| v[m]).sum::<f64>() / r,
            per_run.iter().map(|v| v[m + 1]).sum::<f64>() / r,
        ]
    } else {
        [0.0, 0.0]
    };
    let s11: f64 = c1.iter().map(|a| a * a).sum();
    let s22: f64 = c2.iter().map(|a| a * a).sum();
    let s12: f64 = c1.iter().zip(&c2).map(|(a, b)| a * b).sum();
    let det = s11 * s22 - s12 * s12;
    // 2 controls, 1 control, or none.
    let used = if !has_ctl || n < 6 {
        0
    } else if det > 1e-9 * s11 * s22 && s11 > 0.0 && s22 > 0.0 {
        2
    } else if s11 > 0.0 {
        1
    } else {
        0
    };
    let mut mean = vec![0.0; m];
    let mut sem = vec![0.0; m];
    for i in 0..m {
        let vm = per_run.iter().map(|v| v[i]).sum::<f64>() / r;
        let (t1, t2) = per_run
            .iter()
            .zip(c1.iter().zip(&c2))
            .fold((0.0, 0.0), |(a, b), (v, (x, y))| {
                (a + (v[i] - vm) * x, b + (v[i] - vm) * y)
            });
        let (b1, b2) = match used {
            2 => ((s22 * t1 - s12 * t2) / det, (s11 * t2 - s12 * t1) / det),
            1 => (t1 / s11, 0.0),
            _ => (0.0, 0.0),
        };
        let mu = vm - b1 * means_c[0] - b2 * means_c[1];
        let var = if n > 1 + used {
            per_run
                .iter()
                .zip(c1.iter().zip(&c2))
                .map(|(v, (x, y))| (v[i] - vm - b1 * x - b2 * y).powi(2))
                .sum::<f64>()
                / (r - 1.0 - used as f64)
        } else {
            0.0
        };
        mean[i] = mu;
        sem[i] = (var / r).sqrt();
    }
    (mean, sem)
}

/// Sup-norm and L2 distances of the ensemble-mean curve to the reference over the grid points
/// T > 0. The point T = 0 is left out: there the simulated mean is the exact c_0 (control
/// variate) and its O(1/p) offset from the limit says nothing about the dynamics.
///
/// The L2 distance is debiased for noise: E[d_i^2] = bias_i^2 + sem_i^2, so
/// `L2 = sqrt(max(0, mean(d^2) - mean(sem^2)))`. Standard errors of both distances come from a
/// bootstrap over runs (B = 200 resamples, fixed seed), which keeps the strong correlation
/// between grid points of one run; treating the points as independent would understate them.
///
/// A numerical reference's standard errors `ref_err` (0 where exact) add to the noise: in the
/// debiasing, and in quadrature to both standard errors (twice their root mean square for L2,
/// twice the largest for the sup-norm: the reference's error is common to every size).
fn distances(n: f64, per_run: &[Vec<f64>], limit: &[f64], ref_err: &[f64]) -> SizeError {
    use rand::{RngExt, SeedableRng};
    let m = limit.len();
    let metrics = |runs: &[&Vec<f64>]| -> (f64, f64) {
        let (mean, sem) = mean_sem_refs(runs, m);
        let d: Vec<f64> = mean[1..]
            .iter()
            .zip(&limit[1..])
            .map(|(a, b)| a - b)
            .collect();
        let sup = d.iter().map(|v| v.abs()).fold(0.0, f64::max);
        let k = d.len() as f64;
        let raw2 = d.iter().map(|v| v * v).sum::<f64>() / k;
        let noise2 = sem[1..]
            .iter()
            .zip(&ref_err[1..])
            .map(|(s, e)| s * s + e * e)
            .sum::<f64>()
            / k;
        (sup, (raw2 - noise2).max(0.0).sqrt())
    };
    let all: Vec<&Vec<f64>> = per_run.iter().collect();
    let (sup, l2) = metrics(&all);
    let r = per_run.len();
    let b = BOOTSTRAP_RESAMPLES;
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(BOOTSTRAP_SEED ^ n.to_bits());
    let mut sups = Vec::with_capacity(b);
    let mut l2s = Vec::with_capacity(b);
    for _ in 0..b {
        let sample: Vec<&Vec<f64>> = (0..r).map(|_| &per_run[rng.random_range(0..r)]).collect();
        let (s1, s2) = metrics(&sample);
        sups.push(s1);
        l2s.push(s2);
    }
    let sd = |v: &[f64]| {
        let mu = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)).sqrt()
    };
    let ref_rms = (ref_err[1..].iter().map(|e| e * e).sum::<f64>() / (m - 1).max(1) as f64).sqrt();
    let ref_max = ref_err[1..].iter().cloned().fold(0.0, f64::max);
    // The reference's error is common to every size (a systematic, not noise that averages
    // out across sizes): it is counted at 2 standard errors, so that a flat floor of the size of
    // the reference's own uncertainty is never read as a failure to converge.
    SizeError {
        n,
        sup,
        sup_se: sd(&sups).hypot(2.0 * ref_max),
        l2,
        l2_se: sd(&l2s).hypot(2.0 * ref_rms),
    }
}

/// The evidence figure, titled with the spec, the face and its constants: per loss, the
/// reference and the simulated curves (one per n, bands of 2 standard errors), then a log-log
/// panel of the L2 error against n with the fitted slope and the expected one (bands: 2
/// standard errors of the points and of the fitted slope). A closed-form limit is drawn as a
/// line on a fine grid ([`CheckReport::limit_fine`]); a series or numerical reference as
/// markers on the check's own grid.
pub fn plot(report: &CheckReport) -> Result<String, crate::plot::PlotError> {
    use crate::plot::{figure_svg, Axes, Chart, Line};
    let consts = report
        .constants
        .iter()
        .map(|(n, v)| format!("{n} = {}", crate::plot::log_tick_label(*v)))
        .collect::<Vec<_>>()
        .join(", ");
    let title = format!(
        "prism check: {}  |  face {}{}  |  verdict {}",
        report.spec,
        report.face,
        if consts.is_empty() {
            String::new()
        } else {
            format!(" ({consts})")
        },
        report.verdict.as_str()
    );
    let mut panels = Vec::new();
    for (li, lc) in report.losses.iter().enumerate() {
        let (limit, lerr) = if li == 0 {
            (&report.limit_train, &report.limit_train_err)
        } else {
            (&report.limit_pop, &report.limit_pop_err)
        };
        let numeric = lerr.iter().any(|e| *e > 0.0);
        let reference = match (&report.reference, &report.limit_fine) {
            (Reference::Limit { .. }, Some(f)) => Line {
                label: format!("limit ({} points)", f.times.len()),
                x: f.times.clone(),
                y: if li == 0 {
                    f.train.clone()
                } else {
                    f.pop.clone()
                },
                band: None,
                dashed: false,
                color: 0,
            },
            (r, _) => Line {
                label: match r {
                    Reference::Limit { .. } => "limit".into(),
                    Reference::Series { order, .. } => {
                        format!("leading series (order {order}), on the check's grid")
                    }
                    Reference::SeriesAndNumeric { order, .. } => format!(
                        "series (order {order}), then numerical limit{}, on the check's grid",
                        if numeric { " +- 2 s.e." } else { "" }
                    ),
                },
                x: report.times.clone(),
                y: limit.clone(),
                band: numeric.then(|| lerr.iter().map(|v| 2.0 * v).collect()),
                dashed: true,
                color: 0,
            },
        };
        let mut lines = vec![reference];
        for (i, s) in report.sizes.iter().enumerate() {
            let (m, e) = if li == 0 {
                (&s.train_mean, &s.train_sem)
            } else {
                (&s.pop_mean, &s.pop_sem)
            };
            lines.push(Line {
                label: format!("n = {} (p = {}, H = {}), band 2 s.e.", fmt_n(s.n), s.p, s.h),
                x: report.times.clone(),
                y: m.clone(),
                band: Some(e.iter().map(|v| 2.0 * v).collect()),
                dashed: true,
                color: i + 1,
            });
        }
        panels.push((
            Chart {
                title: format!("{}: simulations vs reference", lc.quantity),
                x_label: report.time_variable.clone(),
                y_label: lc.quantity.clone(),
                lines,
            },
            Axes::Linear,
        ));
    }
    // The log-log panel: the L2 error against n on log axes; bands are half-widths in log10.
    let mut lines = Vec::new();
    for (li, lc) in report.losses.iter().enumerate() {
        let pts: Vec<(f64, f64, f64)> = lc
            .errors
            .iter()
            .filter(|e| e.l2 > 0.0)
            .map(|e| (e.n, e.l2, 2.0 * e.l2_se / (e.l2 * std::f64::consts::LN_10)))
            .collect();
        let color = 2 * li + 1;
        lines.push(Line {
            label: format!("{} L2 error, band 2 s.e.", lc.loss.name()),
            x: pts.iter().map(|p| p.0).collect(),
            y: pts.iter().map(|p| p.1).collect(),
            band: Some(pts.iter().map(|p| p.2).collect()),
            dashed: true,
            color,
        });
        if let Some(f) = lc.l2.fit {
            let xs: Vec<f64> = report.sizes.iter().map(|s| s.n.log10()).collect();
            let ns: Vec<f64> = report.sizes.iter().map(|s| s.n).collect();
            let fit: Vec<f64> = xs
                .iter()
                .map(|x| f.prefactor * 10f64.powf(-f.rate * x))
                .collect();
            // The slope's uncertainty as a band about the centre of the ladder.
            let xc = xs.iter().sum::<f64>() / xs.len() as f64;
            lines.push(Line {
                label: format!(
                    "{} fit: slope {:.2} +- {:.2} (band 2 s.e. of the slope)",
                    lc.loss.name(),
                    -f.rate,
                    2.0 * f.se
                ),
                x: ns.clone(),
                y: fit,
                band: Some(xs.iter().map(|x| 2.0 * f.se * (x - xc).abs()).collect()),
                dashed: false,
                color,
            });
            let yc = f.prefactor.log10() - f.rate * xc;
            lines.push(Line {
                label: format!(
                    "{} expected slope -{} (through the fit's centre)",
                    lc.loss.name(),
                    report.expected_rate
                ),
                x: ns,
                y: xs
                    .iter()
                    .map(|x| 10f64.powf(yc - lc.l2.expected_rate * (x - xc)))
                    .collect(),
                band: None,
                dashed: false,
                color: color + 1,
            });
        }
    }
    panels.push((
        Chart {
            title: "L2 error vs n (log-log)".into(),
            x_label: "n".into(),
            y_label: "L2 error".into(),
            lines,
        },
        Axes::LogLog,
    ));
    figure_svg(&title, &panels, 620, 440)
}
