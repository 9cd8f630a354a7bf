//! `prism simulate` as one library call: options in, a [`SimulatePlan`] (parameters, cost),
//! then [`run`] to a [`SimulateOutcome`] whose report is the documented
//! [`SimulateReport`] (the CLI and the Python package call the same functions).
//!
//! Two forms:
//! * explicit sizes ([`SimulatePlan::explicit`]): p, H, sigma2, N and the physical horizon t;
//! * a scaling spec at a concrete n ([`SimulatePlan::from_spec`]): the spec is classified and
//!   instantiated ([`Spec::instance`]: dimensions rounded to integers, and said so); the runs
//!   record on a grid of the face's natural time tau = t r^a q^b y^c (the normalization of
//!   [`crate::regimes`], which scales like n^time_exponent), and the outcome also carries the
//!   normalized losses the face's limit predicts, Q_i(t) = (l_i(t) - [l_i(0)]) / (r^k q^j y^l)
//!   per run, estimated with the exact-c0 control variate ([`Normalized`]).
//!
//! Anisotropic data (THEORY 9): the explicit form takes a spectral law in
//! [`SimulateOptions::spectrum`] (`--spectrum LAW`), the SPEC form its `spectrum =` statement
//! (both already read: a `file("...")` law must be resolved by the caller, see
//! [`SpectrumLaw::resolve`]). The covariance's eigenvalues are the law's quantiles at size p;
//! Sigma is used as given, and the notes and the report state m_1 and the scale identity
//! L(t; c Sigma) = c L(c t; Sigma) that maps it to mean 1. The SPEC form's face is the
//! isotropic classification (THEORY 9.3: the supports do not change for a law with bounded
//! support; a heavy tail is noted, 9.6) and its control-variate mean is E l(0) = m_1 c_0.

use crate::budget::{Estimate, Limits};
use crate::plot::{chart_svg, Chart, Line, PlotError};
use crate::regimes::{Loss, Normalization, Ratios, Regime};
use crate::report::simulate::{normalization_words, tau_words};
use crate::report::{tidy, Normalized, SimulateReport, SpecMeta};
use crate::sim::{
    compare_dt, simulate_with_progress, total_steps, DtCheck, Integrator, Mode, Record, RunCurves,
    SimError, SimParams, SimResult, SpectrumMethod,
};
use crate::spec::{read_law, InputError, Source, Spec, SpecError, SpectrumError, SpectrumLaw};
use crate::values::TrainingSize;

/// Record grids longer than this are estimated from their size alone (the engine plan walks
/// the grid, which must not itself exhaust memory).
const MAX_WALKED_POINTS: f64 = 1e7;

/// Bytes per recorded point per run: train and pop values (f64, with 50% slack) and the
/// per-point bookkeeping of the result.
const BYTES_PER_RECORD_PER_RUN: f64 = 2.0 * 8.0 * 1.5 + 120.0;

/// Bytes per recorded point shared by the runs (the time grid).
const BYTES_PER_RECORD: f64 = 64.0;

/// Seconds per recorded point per run, for grids estimated from their size alone.
const SECS_PER_RECORD_PER_RUN: f64 = 1e-7;

/// `--check-dt` runs the ensemble at dt and at dt/2: three times the work of one run at dt.
const CHECK_DT_COST_FACTOR: f64 = 3.0;

/// Errors of planning and running a simulation.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// The spec could not be classified.
    #[error(transparent)]
    Classify(#[from] crate::polytope::ClassifyError),
    /// The prism could not be computed.
    #[error(transparent)]
    Pipeline(#[from] crate::pipeline::PipelineError),
    /// The spec has no usable finite model at this n.
    #[error(transparent)]
    Instance(#[from] crate::spec::InstanceError),
    /// The simulation failed (divergence, invalid parameters).
    #[error(transparent)]
    Sim(#[from] SimError),
    /// The spectral law cannot be used (e.g. a `file("...")` law that was not read).
    #[error("{0}; {hint}", hint = .0.hint())]
    Spectrum(#[from] SpectrumError),
    /// The face's normalization vanishes or overflows at these sizes.
    #[error("the normalization of face `{face}` is degenerate at these sizes (r = {r}, q = {q}, y = {y})")]
    Degenerate {
        /// The face.
        face: Regime,
        /// r = H/p.
        r: f64,
        /// q = sigma2 p.
        q: f64,
        /// y = p/N.
        y: f64,
    },
    /// sigma2 p overflows: no step size is usable.
    #[error("q = sigma2 p = {q:e} overflows: sigma2 = {sigma2:e} is too large to simulate (the default step 0.01/max(1, q, q r, 1/alpha) would be 0)")]
    Overflow {
        /// q = sigma2 p.
        q: f64,
        /// sigma2.
        sigma2: f64,
    },
    /// Options that cannot be combined.
    #[error("{0}")]
    Options(&'static str),
    /// Every run diverged (with `drop_diverged`).
    #[error("all {runs} runs diverged; {first}")]
    AllDiverged {
        /// Number of runs.
        runs: usize,
        /// The first run's error.
        first: String,
    },
}

/// How to run the ensemble (everything but the sizes).
#[derive(Clone, Debug, PartialEq)]
pub struct SimulateOptions {
    /// Euler/RK4 step (None: [`SimParams::default_dt`]).
    pub dt: Option<f64>,
    /// Number of intervals K of the time grid (K + 1 record times).
    pub points: usize,
    /// Number of runs R.
    pub seeds: usize,
    /// Base seed B (run i uses B + i).
    pub seed: u64,
    /// Engine family.
    pub mode: Mode,
    /// Integrator.
    pub integrator: Integrator,
    /// Relative tolerance of the adaptive integrator (None: [`SimParams::default_tol`]).
    pub tol: Option<f64>,
    /// How the fast mode draws the spectrum of S when Sigma = I (`--sampler`).
    pub sampler: SpectrumMethod,
    /// The data covariance's spectral law of the explicit form (`--spectrum LAW`; the SPEC form
    /// uses its `spectrum =` statement and refuses this one). Default: the identity.
    pub spectrum: SpectrumLaw,
    /// Rerun at dt/2 (same seeds) and compare the mean curves.
    pub check_dt: bool,
    /// Keep the runs that do not diverge instead of failing the ensemble.
    pub drop_diverged: bool,
}

impl Default for SimulateOptions {
    fn default() -> Self {
        let p = SimParams::new(1, 1, 1.0, 1.0);
        SimulateOptions {
            dt: None,
            points: SimParams::DEFAULT_RECORD,
            seeds: SimParams::DEFAULT_SEEDS,
            seed: 0,
            mode: p.mode,
            integrator: p.integrator,
            tol: None,
            sampler: p.sampler,
            spectrum: SpectrumLaw::Identity,
            check_dt: false,
            drop_diverged: false,
        }
    }
}

impl SimulateOptions {
    fn apply(&self, params: &mut SimParams) {
        params.dt = self.dt;
        params.record = Record::Uniform(self.points);
        params.seeds = self.seeds;
        params.seed = self.seed;
        params.mode = self.mode;
        params.integrator = self.integrator;
        params.tol = self.tol;
        params.sampler = self.sampler;
    }
}

/// What the SPEC form adds: the face's normalization at the concrete ratios.
#[derive(Clone, Debug)]
pub struct SpecContext {
    /// The `meta` fields of the report.
    pub meta: SpecMeta,
    /// The face the spec lands on.
    pub regime: Regime,
    /// r, q, y of the rounded model.
    pub x: Ratios,
    /// Train normalization of the face.
    pub train: Normalization,
    /// Population normalization of the face.
    pub pop: Normalization,
    /// E l(0) of the rounded model, exactly (the control variate's mean).
    pub c0: f64,
}

impl SpecContext {
    /// The normalized curves of `res` (exact-c0 control variate).
    pub fn normalize(&self, res: &SimResult) -> Normalized {
        Normalized::new(res, &self.x, &self.train, &self.pop, self.c0)
    }
}

/// A simulation ready to run: its parameters, the SPEC form's context, and notes to show.
#[derive(Clone, Debug)]
pub struct SimulatePlan {
    /// The ensemble.
    pub params: SimParams,
    /// The SPEC form's face and normalization.
    pub spec: Option<SpecContext>,
    /// Rerun at dt/2 and compare.
    pub check_dt: bool,
    /// Keep the runs that do not diverge.
    pub drop_diverged: bool,
    /// Notes for the user (dimensions rounded to integers, the covariance's moments and scale).
    pub notes: Vec<String>,
    /// The data covariance's spectral law (the identity for isotropic data).
    pub spectrum: SpectrumLaw,
}

/// The covariance eigenvalues of `law` at size p in `params`, and the notes that state its
/// moments, the scale identity when m_1 != 1 (THEORY 9.1) and a heavy tail (9.6).
fn apply_spectrum(params: &mut SimParams, law: &SpectrumLaw) -> Result<Vec<String>, SimulateError> {
    if let SpectrumLaw::File { .. } = law {
        // Refused with the law's own error and hint.
        law.moment(1)?;
    }
    *params = params.clone().with_spectrum(law)?;
    Ok(spectrum_notes(params, law))
}

/// The notes of a covariance (empty for Sigma = I).
pub fn spectrum_notes(params: &SimParams, law: &SpectrumLaw) -> Vec<String> {
    let Some(c) = params.covariance_active() else {
        return Vec::new();
    };
    let p = c.len() as f64;
    let m1 = c.iter().sum::<f64>() / p;
    let m2 = c.iter().map(|x| x * x).sum::<f64>() / p;
    let mut notes = vec![format!(
        "note: spectrum = {law}: x ~ N(0, Sigma), Sigma's eigenvalues the law's quantiles at (i - 1/2)/p (p = {}): m_1 = tr(Sigma)/p = {m1:.6}, m_2 = {m2:.6}, largest {:.6}",
        c.len(),
        params.sigma_max()
    )];
    if (m1 - 1.0).abs() > 1e-12 {
        notes.push(format!(
            "note: m_1 = {m1:.6} != 1: Sigma is used as given; by the exact scale identity L(t; c Sigma) = c L(c t; Sigma) (THEORY 9.1) these curves are c = m_1 times those of Sigma / m_1 (mean 1) at time m_1 t"
        ));
    }
    if let Some(k) = law.first_infinite_moment() {
        notes.push(format!(
            "note: {law} has a heavy tail (m_k infinite for k >= {k}): the finite-p runs are exact, but a face's limit may not exist or not be analytic at t = 0 (THEORY 9.6)"
        ));
    }
    notes
}

impl SimulatePlan {
    /// An ensemble of given parameters (the options' `dt` ... `spectrum` are already in them).
    pub fn new(
        params: SimParams,
        check_dt: bool,
        drop_diverged: bool,
    ) -> Result<Self, SimulateError> {
        if check_dt && params.integrator == Integrator::Adaptive {
            return Err(SimulateError::Options(
                "--check-dt halves a fixed step; with --integrator adaptive lower --tol instead",
            ));
        }
        if !(params.q().is_finite() && params.default_dt() > 0.0) {
            return Err(SimulateError::Overflow {
                q: params.q(),
                sigma2: params.sigma2,
            });
        }
        Ok(SimulatePlan {
            params,
            spec: None,
            check_dt,
            drop_diverged,
            notes: Vec::new(),
            spectrum: SpectrumLaw::Identity,
        })
    }

    /// Explicit sizes: p, H, sigma2, N (None: infinite) and the physical horizon `t_max`.
    pub fn explicit(
        p: usize,
        h: usize,
        sigma2: f64,
        n_data: Option<usize>,
        t_max: f64,
        opts: &SimulateOptions,
    ) -> Result<Self, SimulateError> {
        let mut params = SimParams::new(p, h, sigma2, t_max).with_n(n_data);
        opts.apply(&mut params);
        let notes = apply_spectrum(&mut params, &opts.spectrum)?;
        let mut plan = Self::new(params, opts.check_dt, opts.drop_diverged)?;
        plan.notes = notes;
        plan.spectrum = opts.spectrum.clone();
        Ok(plan)
    }

    /// The SPEC form: classify `spec`, instantiate it at `n`, and record on the face-time grid
    /// 0..=`tau_max` (the physical horizon is t = tau_max / (r^a q^b y^c)).
    pub fn from_spec(
        spec: &Spec,
        n: f64,
        tau_max: f64,
        opts: &SimulateOptions,
    ) -> Result<Self, SimulateError> {
        if !(tau_max.is_finite() && tau_max > 0.0) {
            return Err(SimError::InvalidParameter {
                name: "tau_max",
                reason: format!(
                    "must be finite and > 0 (--tau-max), got {tau_max}: the face-time grid 0..=tau_max would have no extent"
                ),
            }
            .into());
        }
        if !opts.spectrum.is_identity() {
            return Err(SimulateError::Options(
                "--spectrum is for the explicit form: a SPEC gives its covariance by a `spectrum = LAW` statement",
            ));
        }
        let fitted = crate::pipeline::default_prism()?;
        let c = crate::polytope::classify(spec, &fitted)?;
        let inst = spec.instance(n)?;
        let regime = c.face;
        let (nt, np) = (
            regime.normalization(Loss::Train),
            regime.normalization(Loss::Pop),
        );
        let x = inst.ratios();
        let t_max = nt.raw_time(tau_max, &x);
        let ok = |v: f64| v.is_finite() && v > 0.0;
        if !ok(t_max)
            || !ok(np.quantity(1.0, 0.0, &x).abs())
            || !ok(nt.quantity(1.0, 0.0, &x).abs())
        {
            return Err(SimulateError::Degenerate {
                face: regime,
                r: x.r,
                q: x.q,
                y: x.y,
            });
        }
        let mut params = inst.sim_params(t_max);
        opts.apply(&mut params);
        let spectrum_notes = apply_spectrum(&mut params, &spec.spectrum)?;
        let meta = SpecMeta {
            face: regime,
            n,
            pop_norm: normalization_words(&np),
            pop_loss_exponent: c.pop_loss_exponent.clone(),
            ratios: x,
            rounding: inst.rounding.clone(),
            spec: c.spec.clone(),
            tau: tau_words(&nt),
            tau_max,
            time_exponent: c.time_exponent.clone(),
            train_norm: normalization_words(&nt),
            train_loss_exponent: c.train_loss_exponent.clone(),
        };
        let mut plan = Self::new(params, opts.check_dt, opts.drop_diverged)?;
        plan.notes = inst
            .rounding
            .iter()
            .map(|r| format!("note: {r} (dimensions are rounded to integers)"))
            .chain(spectrum_notes)
            .collect();
        plan.spectrum = spec.spectrum.clone();
        plan.spec = Some(SpecContext {
            meta,
            regime,
            x,
            train: nt,
            pop: np,
            // E l(0) = m_1 c_0 for both losses (THEORY 9.2), m_1 at size p.
            c0: inst.initial_loss() * plan.params.sigma_mean(),
        });
        Ok(plan)
    }

    /// Cost of the plan (both ensembles with `check_dt`); `limits` bounds the record grid
    /// walked by the engine plan.
    pub fn estimate(&self, limits: &Limits) -> Result<Estimate, SimulateError> {
        let mut est = estimate(&self.params, "this simulation", limits)?;
        if self.check_dt {
            est.secs *= CHECK_DT_COST_FACTOR;
            est.what = "this simulation with --check-dt (runs at dt and dt/2)".into();
        }
        Ok(est)
    }

    /// Steps over all runs (the progress total).
    pub fn total_steps(&self) -> u64 {
        total_steps(&self.params) * if self.check_dt { 3 } else { 1 }
    }
}

/// Cost of one ensemble of runs: the engine plan of [`crate::sim::estimate`] (flops per step,
/// setup, memory of the runs in flight) with the number of steps counted in floating point
/// (t_max / dt for fixed steps, so that `dt = 1e-300` is an estimate, not an overflow), the
/// recorded curves in memory and in the output, at the calibrated machine speed. A record grid
/// beyond [`MAX_WALKED_POINTS`] whose curves exceed `limits.max_bytes` is estimated from its
/// size alone.
pub fn estimate(params: &SimParams, what: &str, limits: &Limits) -> Result<Estimate, SimError> {
    let dt = params.dt();
    let k = match &params.record {
        Record::Uniform(k) => *k as f64 + 1.0,
        Record::Times(t) => t.len() as f64,
    };
    let runs = params.seeds as f64;
    let knobs =
        "fewer --seeds, a shorter --t-max/--tau-max, a larger --dt, smaller sizes, fewer --points";
    let grid_bytes = k * (runs * BYTES_PER_RECORD_PER_RUN + BYTES_PER_RECORD);
    if k > MAX_WALKED_POINTS && grid_bytes > limits.max_bytes {
        return Ok(Estimate {
            what: what.to_string(),
            secs: k * runs * SECS_PER_RECORD_PER_RUN,
            bytes: grid_bytes,
            detail: format!("{} run(s) x {k} recorded points", params.seeds),
            knobs: knobs.into(),
        });
    }
    let e = crate::sim::estimate(params)?;
    let steps = match params.integrator {
        Integrator::Adaptive => e.steps_per_run,
        _ if params.t_max <= 0.0 => 0.0,
        _ if dt > 0.0 && dt.is_finite() => (params.t_max / dt).ceil().max(k - 1.0),
        _ => f64::INFINITY,
    };
    let flops =
        runs * (e.plan.setup_flops + steps * e.plan.flops_per_step + k * e.plan.record_flops);
    let rate = crate::sim::machine_flops_per_sec();
    Ok(Estimate {
        what: what.to_string(),
        secs: flops / rate,
        bytes: e.memory_bytes + runs * k * BYTES_PER_RECORD_PER_RUN,
        detail: format!(
            "{} run(s) x {:.3e} steps of dt = {:.3e} x {:.2e} flops per step ({:?} engine) at {:.1e} flops/s; {} recorded points per run",
            params.seeds, steps, dt, e.plan.flops_per_step, e.plan.engine, rate, k
        ),
        knobs: knobs.into(),
    })
}

/// A finished simulation.
#[derive(Clone, Debug)]
pub struct SimulateOutcome {
    /// What was run.
    pub plan: SimulatePlan,
    /// The ensemble (over the kept runs with `drop_diverged`).
    pub result: SimResult,
    /// One message per dropped run.
    pub dropped: Vec<String>,
    /// The step-size check.
    pub dt_check: Option<DtCheck>,
    /// The SPEC form's normalized curves.
    pub normalized: Option<Normalized>,
    /// The documented output.
    pub report: SimulateReport,
}

/// Run `plan`, calling `progress(k)` after every k steps.
pub fn run(
    plan: &SimulatePlan,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SimulateOutcome, SimulateError> {
    let params = &plan.params;
    let (result, dropped) = if plan.drop_diverged {
        run_keeping(params, progress)?
    } else {
        (simulate_with_progress(params, progress)?, Vec::new())
    };
    let dt_check = if plan.check_dt {
        let mut half = params.clone();
        half.dt = Some(params.dt() / 2.0);
        let other = simulate_with_progress(&half, progress)?;
        Some(compare_dt(params.dt(), &result, &other))
    } else {
        None
    };
    let normalized = plan.spec.as_ref().map(|c| c.normalize(&result));
    let mut report = SimulateReport::new(
        params,
        &result,
        plan.spec.as_ref().map(|c| c.meta.clone()),
        normalized.as_ref(),
        dt_check.clone(),
    );
    if plan.drop_diverged {
        report.meta.diverged = Some(dropped.clone());
        report.meta.runs_kept = Some(result.runs.len());
    }
    Ok(SimulateOutcome {
        plan: plan.clone(),
        result,
        dropped,
        dt_check,
        normalized,
        report,
    })
}

impl SimulateOutcome {
    /// Notes for the user: the step actually used, dropped runs, the step-size check.
    pub fn notes(&self) -> Vec<String> {
        let (params, res) = (&self.plan.params, &self.result);
        let mut notes = Vec::new();
        let (used, asked) = (res.info.dt_used, params.dt());
        if params.integrator != Integrator::Adaptive
            && used > 0.0
            && (used - asked).abs() > 1e-12 * asked
        {
            notes.push(format!(
                "note: dt = {used:.6e} used instead of {} {asked:.6e}: each record interval is split into equal steps no larger than dt, so that every record time is reached exactly (meta.dt_max_used)",
                if params.dt.is_some() { "the requested" } else { "the default" },
            ));
        }
        if !self.dropped.is_empty() {
            notes.push(format!(
                "note: {} of {} runs diverged and were dropped (--drop-diverged): {}",
                self.dropped.len(),
                params.seeds,
                self.dropped.join("; ")
            ));
        }
        if let Some(d) = &self.dt_check {
            notes.push(dt_text(d));
        }
        notes
    }

    /// The files of `simulate -o DIR`, by name: `curves.csv` ([`SimulateOutcome::csv`]),
    /// `summary.json` (the report) and `meta.json` (its `meta`), JSON as [`crate::report::to_json`]
    /// prints it.
    pub fn files(&self) -> serde_json::Result<[(&'static str, String); 3]> {
        Ok([
            ("curves.csv", self.csv()),
            ("summary.json", crate::report::to_json(&self.report)?),
            ("meta.json", crate::report::to_json(&self.report.meta)?),
        ])
    }

    /// The tidy CSV (header and rows).
    pub fn csv(&self) -> String {
        let face = self
            .plan
            .spec
            .as_ref()
            .zip(self.normalized.as_ref())
            .map(|(c, norm)| tidy::SimFace {
                regime: c.regime,
                n: c.meta.n,
                norm,
            });
        format!("{}\n{}", tidy::HEADER, tidy::sim_rows(&self.result, face))
    }

    /// The readable table.
    pub fn table(&self) -> String {
        let (params, res) = (&self.plan.params, &self.result);
        let mut s = String::new();
        s.push_str(&format!(
            "p = {}, H = {}, N = {}, sigma2 = {}  (q = {:.4}, r = {:.4}, alpha = {})\n",
            params.p,
            params.h,
            params.n.map_or("inf".into(), |n| n.to_string()),
            params.sigma2,
            params.q(),
            params.r(),
            params.n.map_or("inf".into(), |n| format!(
                "{:.4}",
                n as f64 / params.p as f64
            ))
        ));
        s.push_str(&format!(
            "{} runs (seeds {}..{}), dt = {:.4e}, {} steps, engine: {}\n",
            params.seeds,
            params.seed,
            params.seed + params.seeds as u64 - 1,
            res.info.dt_used,
            res.info.steps,
            res.info.engine
        ));
        if let Some(c) = &self.plan.spec {
            s.push_str(&format!(
                "spec: {}  face: {}\n{}; train_norm = {}, pop_norm = {}\n",
                c.meta.spec, c.meta.face, c.meta.tau, c.meta.train_norm, c.meta.pop_norm,
            ));
        }
        let nz = self.normalized.as_ref();
        s.push_str(&format!(
            "{:>12} {:>14} {:>10} {:>14} {:>10}",
            "t", "l_tr", "sem", "l_pop", "sem"
        ));
        if nz.is_some() {
            s.push_str(&format!(
                " {:>10} {:>12} {:>12}",
                "tau", "train_norm", "pop_norm"
            ));
        }
        s.push('\n');
        for k in 0..res.t.len() {
            s.push_str(&format!(
                "{:>12.5e} {:>14.8} {:>10.2e} {:>14.8} {:>10.2e}",
                res.t[k], res.train_mean[k], res.train_sem[k], res.pop_mean[k], res.pop_sem[k]
            ));
            if let Some(nz) = nz {
                s.push_str(&format!(
                    " {:>10.4} {:>12.6} {:>12.6}",
                    nz.tau[k], nz.train.mean[k], nz.pop.mean[k]
                ));
            }
            s.push('\n');
        }
        if let Some(d) = &self.dt_check {
            s.push_str(&dt_text(d));
            s.push('\n');
        }
        if !self.dropped.is_empty() {
            s.push_str(&format!(
                "{} of {} runs kept ({} diverged and were dropped)\n",
                res.runs.len(),
                params.seeds,
                self.dropped.len()
            ));
        }
        s
    }

    /// An SVG chart of the mean curves with +-2 standard-error bands.
    pub fn figure_svg(&self) -> Result<String, PlotError> {
        let (params, res) = (&self.plan.params, &self.result);
        let line = |label: &str, mean: &[f64], sem: &[f64], color: usize| Line {
            label: label.to_string(),
            x: res.t.clone(),
            y: mean.to_vec(),
            band: Some(sem.iter().map(|s| 2.0 * s).collect()),
            dashed: false,
            color,
        };
        chart_svg(&Chart {
            title: format!(
                "p={}, H={}, N={}, sigma2={}",
                params.p,
                params.h,
                params.n.map_or("inf".into(), |n| n.to_string()),
                params.sigma2
            ),
            x_label: "t".into(),
            y_label: "loss per input dimension".into(),
            lines: vec![
                line("train l_tr", &res.train_mean, &res.train_sem, 1),
                line("population l_pop", &res.pop_mean, &res.pop_sem, 2),
            ],
        })
    }
}

fn dt_text(d: &DtCheck) -> String {
    format!(
        "check-dt: dt = {:.4e} vs dt/2: max |diff| train {:.3e}, pop {:.3e} (largest sem {:.3e})",
        d.dt, d.max_diff_train, d.max_diff_pop, d.max_sem
    )
}

/// The ensemble, keeping the runs that do not diverge: every run i is simulated as its own
/// one-run ensemble with seed B + i, which is bit-identical to run i of the full ensemble.
/// Returns the result over the kept runs and one message per dropped run.
fn run_keeping(
    params: &SimParams,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(SimResult, Vec<String>), SimulateError> {
    use rayon::prelude::*;
    let outs: Vec<Result<SimResult, SimError>> = (0..params.seeds)
        .into_par_iter()
        .map(|i| {
            let mut one = params.clone();
            one.seeds = 1;
            one.seed = params.seed.wrapping_add(i as u64);
            simulate_with_progress(&one, progress)
        })
        .collect();
    let mut kept: Vec<SimResult> = Vec::new();
    let mut dropped = Vec::new();
    for (i, o) in outs.into_iter().enumerate() {
        match o {
            Ok(mut r) => {
                r.runs[0].run = i;
                kept.push(r);
            }
            Err(e @ (SimError::Diverged { .. } | SimError::StepCollapsed { .. })) => {
                dropped.push(format!("run {i}: {e}"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let Some(first) = kept.first() else {
        return Err(SimulateError::AllDiverged {
            runs: params.seeds,
            first: dropped.first().cloned().unwrap_or_default(),
        });
    };
    let t = first.t.clone();
    let mut info = first.info.clone();
    info.dt_used = kept.iter().map(|r| r.info.dt_used).fold(0.0, f64::max);
    info.dt_min_used = kept
        .iter()
        .map(|r| r.info.dt_min_used)
        .fold(f64::INFINITY, f64::min);
    info.steps = kept.iter().map(|r| r.info.steps).max().unwrap_or(0);
    info.steps_total = kept.iter().map(|r| r.info.steps_total).sum();
    info.rejected_steps = kept.iter().map(|r| r.info.rejected_steps).sum();
    info.field_evals = kept.iter().map(|r| r.info.field_evals).sum();
    let runs: Vec<RunCurves> = kept.into_iter().map(|r| r.runs[0].clone()).collect();
    let train: Vec<&[f64]> = runs.iter().map(|c| c.train.as_slice()).collect();
    let pop: Vec<&[f64]> = runs.iter().map(|c| c.pop.as_slice()).collect();
    let (train_mean, train_sem) = crate::stats::column_mean_sem(&train);
    let (pop_mean, pop_sem) = crate::stats::column_mean_sem(&pop);
    Ok((
        SimResult {
            t,
            train_mean,
            train_sem,
            pop_mean,
            pop_sem,
            runs,
            info,
        },
        dropped,
    ))
}

/// The deprecated `--spectrum bidiagonal|dense` (before `--sampler` existed): the sampler it
/// names, if `text` is one of those words.
pub fn deprecated_sampler(text: &str) -> Option<SpectrumMethod> {
    match text.trim().to_ascii_lowercase().as_str() {
        "bidiagonal" => Some(SpectrumMethod::Bidiagonal),
        "dense" => Some(SpectrumMethod::Dense),
        _ => None,
    }
}

/// A `simulate` request as a front receives it, before it is known which form it is: a SPEC
/// with n (and the face-time horizon `tau_max`), or explicit sizes p, H, sigma2, N with the
/// physical horizon `t_max`. [`Request::plan`] picks the form, refuses the other form's
/// fields, reads the covariance law and returns the [`SimulatePlan`].
#[derive(Clone, Debug)]
pub struct Request {
    /// SPEC form: where the spec comes from.
    pub spec: Option<Source>,
    /// SPEC form: the concrete n.
    pub n: Option<f64>,
    /// SPEC form: the final face time tau (t = n^time_exponent tau).
    pub tau_max: f64,
    /// Explicit form: the input dimension p.
    pub p: Option<usize>,
    /// Explicit form: the latent dimension H.
    pub h: Option<usize>,
    /// Explicit form: the initialization variance sigma2.
    pub sigma2: Option<f64>,
    /// Explicit form: the training-set size N (not given: infinite).
    pub n_data: Option<TrainingSize>,
    /// Explicit form: the final physical time t.
    pub t_max: Option<f64>,
    /// Explicit form: the covariance's law as written (`--spectrum LAW`, a `file("...")` path
    /// relative to the working directory); `bidiagonal` or `dense` is the deprecated spelling
    /// of [`Request::sampler`].
    pub spectrum: Option<String>,
    /// The fast-mode sampler (None: the default of [`SimulateOptions`]).
    pub sampler: Option<SpectrumMethod>,
    /// Everything else; its `sampler` and `spectrum` are replaced by the fields above.
    pub options: SimulateOptions,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            spec: None,
            n: None,
            tau_max: crate::regimes::DEFAULT_FACE_TIME,
            p: None,
            h: None,
            sigma2: None,
            n_data: None,
            t_max: None,
            spectrum: None,
            sampler: None,
            options: SimulateOptions::default(),
        }
    }
}

/// A [`Request`] that cannot be planned: the two forms mixed, a field missing, a bad law or
/// spec, or a plan the library refuses.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// Fields of both forms.
    #[error("give either a SPEC (with --n) or --p/--H/--sigma2/--N, not both")]
    BothForms,
    /// A physical horizon with a SPEC.
    #[error("--t-max is not used with a SPEC: the grid is in the natural time, use --tau-max")]
    TMaxWithSpec,
    /// A SPEC without n.
    #[error("the SPEC form needs --n (the concrete value of n)")]
    MissingN,
    /// A field of the explicit form is missing (its flag name).
    #[error("missing --{0} (or give a SPEC with --n)")]
    Missing(&'static str),
    /// n without a SPEC.
    #[error("--n is only used with a SPEC")]
    NWithoutSpec,
    /// The deprecated sampler spelling and the sampler together.
    #[error("--spectrum bidiagonal|dense is the old spelling of --sampler; give --sampler only")]
    SamplerTwice,
    /// A covariance law with a SPEC (which gives its own).
    #[error("--spectrum is for the explicit form: a SPEC gives its covariance by a `spectrum = LAW` statement")]
    SpectrumWithSpec,
    /// The `--spectrum` law is not valid.
    #[error("--spectrum: {0}")]
    Law(Box<SpecError>),
    /// The spec or the `--spectrum` law's file cannot be read ([`InputError::hint`] has the
    /// hint).
    #[error(transparent)]
    Input(#[from] InputError),
    /// The plan is refused.
    #[error(transparent)]
    Plan(#[from] SimulateError),
}

impl Request {
    /// The sampler and the covariance law, and a deprecation note for the old spelling.
    fn sampler_and_law(
        &self,
    ) -> Result<(SpectrumMethod, SpectrumLaw, Option<String>), RequestError> {
        let default = self.sampler.unwrap_or(SimulateOptions::default().sampler);
        let Some(text) = &self.spectrum else {
            return Ok((default, SpectrumLaw::Identity, None));
        };
        if let Some(old) = deprecated_sampler(text) {
            if self.sampler.is_some() {
                return Err(RequestError::SamplerTwice);
            }
            let note = format!(
                "note: `--spectrum {}` is deprecated: the fast-mode sampler is now --sampler; --spectrum takes the data covariance's law (e.g. 'atoms(1/2: 1/2, 3/2: 1/2)')",
                text.trim()
            );
            return Ok((old, SpectrumLaw::Identity, Some(note)));
        }
        let law = read_law(text, None).map_err(|e| match e {
            InputError::Law(e) => RequestError::Law(e),
            e => RequestError::Input(e),
        })?;
        Ok((default, law, None))
    }

    /// The plan of the SPEC form or of the explicit form; the fields of the other form are
    /// refused. A deprecation note (the old `--spectrum` spelling) comes first in its notes.
    pub fn plan(&self) -> Result<SimulatePlan, RequestError> {
        let (mut plan, note) = match &self.spec {
            Some(source) => self.spec_form(source)?,
            None => self.explicit_form()?,
        };
        plan.notes.splice(0..0, note);
        Ok(plan)
    }

    fn spec_form(&self, source: &Source) -> Result<(SimulatePlan, Option<String>), RequestError> {
        let explicit = self.p.is_some() || self.h.is_some() || self.sigma2.is_some();
        if explicit || self.n_data.is_some() {
            return Err(RequestError::BothForms);
        }
        if self.t_max.is_some() {
            return Err(RequestError::TMaxWithSpec);
        }
        let n = self.n.ok_or(RequestError::MissingN)?;
        let (sampler, law, note) = self.sampler_and_law()?;
        if !law.is_identity() {
            return Err(RequestError::SpectrumWithSpec);
        }
        let opts = SimulateOptions {
            sampler,
            spectrum: law,
            ..self.options.clone()
        };
        let spec = source.parse_resolved()?;
        Ok((
            SimulatePlan::from_spec(&spec, n, self.tau_max, &opts)?,
            note,
        ))
    }

    fn explicit_form(&self) -> Result<(SimulatePlan, Option<String>), RequestError> {
        let p = self.p.ok_or(RequestError::Missing("p"))?;
        let h = self.h.ok_or(RequestError::Missing("H"))?;
        let sigma2 = self.sigma2.ok_or(RequestError::Missing("sigma2"))?;
        let t_max = self.t_max.ok_or(RequestError::Missing("t-max"))?;
        if self.n.is_some() {
            return Err(RequestError::NWithoutSpec);
        }
        let (sampler, spectrum, note) = self.sampler_and_law()?;
        let opts = SimulateOptions {
            sampler,
            spectrum,
            ..self.options.clone()
        };
        let n_data = self.n_data.and_then(|d| d.0);
        let plan = SimulatePlan::explicit(p, h, sigma2, n_data, t_max, &opts)?;
        Ok((plan, note))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_pick_one_form_and_refuse_the_other() {
        let explicit = Request {
            p: Some(8),
            h: Some(4),
            sigma2: Some(0.125),
            t_max: Some(1.0),
            ..Request::default()
        };
        let plan = explicit.plan().unwrap();
        assert_eq!((plan.params.p, plan.params.h), (8, 4));
        assert!(plan.spec.is_none() && plan.notes.is_empty());
        let missing = Request {
            t_max: None,
            ..explicit.clone()
        };
        assert_eq!(
            missing.plan().unwrap_err().to_string(),
            "missing --t-max (or give a SPEC with --n)"
        );
        let with_n = Request {
            n: Some(10.0),
            ..explicit.clone()
        };
        assert!(matches!(with_n.plan(), Err(RequestError::NWithoutSpec)));
        // The old spelling of the sampler: taken, with a note first; not with the new one.
        let old = Request {
            spectrum: Some(" Dense ".into()),
            ..explicit.clone()
        };
        let plan = old.plan().unwrap();
        assert_eq!(plan.params.sampler, SpectrumMethod::Dense);
        assert!(
            plan.notes[0].contains("`--spectrum Dense` is deprecated"),
            "{:?}",
            plan.notes
        );
        let both = Request {
            sampler: Some(SpectrumMethod::Bidiagonal),
            ..old
        };
        assert!(matches!(both.plan(), Err(RequestError::SamplerTwice)));
        let law = Request {
            spectrum: Some("atoms(1/2: 1/2, 3/2: 1/2)".into()),
            ..explicit.clone()
        };
        assert!(!law.plan().unwrap().spectrum.is_identity());

        let spec = Request {
            spec: Some(Source::Text("p = n; H = n; sigma2 = n^-1".into())),
            n: Some(16.0),
            ..Request::default()
        };
        let plan = spec.plan().unwrap();
        assert_eq!(plan.params.p, 16);
        assert!(plan.spec.is_some());
        let mixed = Request {
            p: Some(3),
            ..spec.clone()
        };
        assert!(matches!(mixed.plan(), Err(RequestError::BothForms)));
        let no_n = Request {
            n: None,
            ..spec.clone()
        };
        assert!(matches!(no_n.plan(), Err(RequestError::MissingN)));
        let t = Request {
            t_max: Some(1.0),
            ..spec.clone()
        };
        assert!(matches!(t.plan(), Err(RequestError::TMaxWithSpec)));
        let law = Request {
            spectrum: Some("uniform(0, 2)".into()),
            ..spec
        };
        assert!(matches!(law.plan(), Err(RequestError::SpectrumWithSpec)));
    }

    #[test]
    fn absurd_simulations_are_estimated_beyond_any_limit() {
        let lim = Limits::default();
        let mut p = SimParams::new(3000, 3000, 1.0 / 3000.0, 100.0).with_n(Some(3000));
        let e = estimate(&p, "x", &lim).unwrap();
        assert!(e.secs > 1e4, "{e:?}");
        p = SimParams::new(64, 64, 1.0 / 64.0, 1.0);
        let e = estimate(&p, "x", &lim).unwrap();
        assert!(e.secs < 1.0 && e.bytes < crate::budget::GIB, "{e:?}");
        p.seeds = 1_000_000_000;
        assert!(estimate(&p, "x", &lim).unwrap().bytes > 100.0 * crate::budget::GIB);
        p.seeds = 8;
        p.dt = Some(1e-300);
        assert!(estimate(&p, "x", &lim).unwrap().secs > 1e12);
    }

    #[test]
    fn dropping_diverged_runs_keeps_the_others_bit_identical() {
        let opts = SimulateOptions {
            seeds: 3,
            points: 4,
            ..SimulateOptions::default()
        };
        let plan = SimulatePlan::explicit(8, 4, 1.0 / 8.0, None, 0.5, &opts).unwrap();
        let all = run(&plan, &|_| {}).unwrap();
        let keep = SimulatePlan {
            drop_diverged: true,
            ..plan.clone()
        };
        let kept = run(&keep, &|_| {}).unwrap();
        assert!(kept.dropped.is_empty());
        assert_eq!(all.result.train_mean, kept.result.train_mean);
        assert_eq!(kept.report.meta.runs_kept, Some(3));
    }
}
