//! `prism simulate --json`: the ensemble means, their standard errors and the run's metadata;
//! with a SPEC, also the face time tau and the normalized losses the face's limit predicts.

use serde::Serialize;

use super::OrInf;
use crate::regimes::{Normalization, Ratios};
use crate::sim::{
    DtCheck, Integrator, Mode, Record, SimParams, SimResult, SpectrumMethod, RNG_NAME,
};

/// An ensemble of gradient-descent runs.
///
/// Schema: `{"check_dt"?: DtCheck, "meta": SimMeta, "pop_mean": [...], "pop_norm_mean"?: [...],
/// "pop_norm_sem"?: [...], "pop_sem": [...], "t": [...], "tau"?: [...], "train_mean": [...],
/// "train_norm_mean"?: [...], "train_norm_sem"?: [...], "train_sem": [...]}`; the fields marked
/// `?` are present only in the SPEC form (normalized) or with `--check-dt`.
#[derive(Clone, Debug, Serialize)]
pub struct SimulateReport {
    /// The step-size check (with `--check-dt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_dt: Option<DtCheck>,
    /// Parameters and provenance.
    pub meta: SimMeta,
    /// Mean population loss l_pop per input dimension, per record time.
    pub pop_mean: Vec<f64>,
    /// Mean normalized population quantity (SPEC form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pop_norm_mean: Option<Vec<f64>>,
    /// Its standard error (SPEC form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pop_norm_sem: Option<Vec<f64>>,
    /// Standard error of the mean population loss.
    pub pop_sem: Vec<f64>,
    /// Record times (physical gradient-flow time t).
    pub t: Vec<f64>,
    /// The face time tau of each record (SPEC form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tau: Option<Vec<f64>>,
    /// Mean train loss l_tr per input dimension.
    pub train_mean: Vec<f64>,
    /// Mean normalized train quantity (SPEC form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub train_norm_mean: Option<Vec<f64>>,
    /// Its standard error (SPEC form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub train_norm_sem: Option<Vec<f64>>,
    /// Standard error of the mean train loss.
    pub train_sem: Vec<f64>,
}

/// Parameters and provenance of a simulation (`meta.json` of `prism simulate -o DIR`).
#[derive(Clone, Debug, Serialize)]
pub struct SimMeta {
    /// Latent dimension H.
    #[serde(rename = "H")]
    pub h: usize,
    /// Training-set size N, or `"inf"`.
    #[serde(rename = "N")]
    pub n: OrInf<usize>,
    /// alpha = N / p, or `"inf"`.
    pub alpha: OrInf<f64>,
    /// The nominal Euler/RK4 step.
    pub dt: f64,
    /// The default step 0.01 / max(1, q, q r, 1/alpha).
    pub dt_default: f64,
    /// Largest step actually taken.
    pub dt_max_used: f64,
    /// Engine description (of run 0).
    pub engine: String,
    /// The data covariance Sigma when it is not I (THEORY 9): its moments and the scale
    /// identity. Absent for isotropic data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub covariance: Option<CovarianceMeta>,
    /// Flops per step of the engine.
    pub flops_per_step: f64,
    /// Integrator.
    pub integrator: Integrator,
    /// What the losses are.
    pub losses: String,
    /// Engine family.
    pub mode: Mode,
    /// Input dimension p.
    pub p: usize,
    /// q = sigma2 p.
    pub q: f64,
    /// r = H / p.
    pub r: f64,
    /// The record grid.
    pub record: Record,
    /// The random number generator and seeding rule.
    pub rng: String,
    /// Base seed B (run i uses B + i).
    pub seed: u64,
    /// Number of runs R.
    pub seeds: usize,
    /// Initialization variance sigma2.
    pub sigma2: f64,
    /// The SPEC form's context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<SpecMeta>,
    /// The data covariance's spectral law, as written (`identity` for isotropic data;
    /// `eigenvalues` when the library was given the eigenvalues directly).
    pub spectrum: String,
    /// How the fast mode drew the spectrum of S when Sigma = I (`--sampler`; unused with a
    /// covariance, whose spectrum always comes from X = Sigma^{1/2} Z).
    pub sampler: SpectrumMethod,
    /// Steps per run.
    pub steps: u64,
    /// The adaptive pair's relative tolerance (absent for fixed steps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tol: Option<f64>,
    /// Adaptive pair only: the smallest accepted step over all runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dt_min_used: Option<f64>,
    /// Adaptive pair only: rejected steps summed over runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_steps: Option<u64>,
    /// Adaptive pair only: accepted steps summed over runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps_total: Option<u64>,
    /// Final time T.
    pub t_max: f64,
    /// prism's version.
    pub version: String,
    /// With `--drop-diverged`: the runs that diverged and were left out of the means (one
    /// message each, naming the run's seed and a smaller step).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diverged: Option<Vec<String>>,
    /// With `--drop-diverged`: the runs kept in the means.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs_kept: Option<usize>,
}

/// The text of [`SimMeta::losses`].
pub const LOSSES_NOTE: &str =
    "per input dimension: l_tr = (1/2p) tr[(I-A)S(I-A)], l_pop = (1/2p) ||I-A||_F^2";

/// The text of [`SimMeta::losses`] with a covariance.
pub const LOSSES_NOTE_SIGMA: &str =
    "per input dimension: l_tr = (1/2p) tr[(I-A)S(I-A)], l_pop = (1/2p) tr[(I-A)Sigma(I-A)], S = Sigma^1/2 Z Z^T Sigma^1/2 / N";

/// The covariance of an anisotropic simulation (THEORY 9.1), from its p eigenvalues.
#[derive(Clone, Debug, Serialize)]
pub struct CovarianceMeta {
    /// m_1 = tr(Sigma)/p at this p.
    pub m1: f64,
    /// m_2 = tr(Sigma^2)/p at this p.
    pub m2: f64,
    /// The largest eigenvalue.
    pub max: f64,
    /// The smallest eigenvalue.
    pub min: f64,
    /// How a mean m_1 != 1 relates to mean 1.
    pub scale_identity: String,
}

impl CovarianceMeta {
    /// The moments of the eigenvalues `c` (non-empty).
    pub fn new(c: &[f64]) -> Self {
        let p = c.len() as f64;
        let m1 = c.iter().sum::<f64>() / p;
        CovarianceMeta {
            m1,
            m2: c.iter().map(|x| x * x).sum::<f64>() / p,
            max: c.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x)),
            min: c.iter().fold(f64::INFINITY, |m, &x| m.min(x)),
            scale_identity: format!(
                "L(t; c Sigma) = c L(c t; Sigma) exactly (THEORY 9.1): Sigma is used as given; with c = m_1 = {m1} these curves are m_1 times those of the mean-1 covariance Sigma/m_1 at time m_1 t"
            ),
        }
    }
}

impl SimMeta {
    /// The metadata of `res`, simulated with `params`.
    pub fn new(params: &SimParams, res: &SimResult, spec: Option<SpecMeta>) -> Self {
        SimMeta {
            h: params.h,
            n: params.n.into(),
            alpha: params.n.map(|n| n as f64 / params.p as f64).into(),
            dt: params.dt(),
            dt_default: params.default_dt(),
            dt_max_used: res.info.dt_used,
            engine: res.info.engine.clone(),
            flops_per_step: res.info.flops_per_eval,
            integrator: params.integrator,
            losses: if params.covariance_active().is_some() {
                LOSSES_NOTE_SIGMA
            } else {
                LOSSES_NOTE
            }
            .to_string(),
            covariance: params.covariance_active().map(CovarianceMeta::new),
            mode: params.mode,
            p: params.p,
            q: params.q(),
            r: params.r(),
            record: params.record.clone(),
            rng: RNG_NAME.to_string(),
            seed: params.seed,
            seeds: params.seeds,
            sigma2: params.sigma2,
            spec,
            spectrum: match (params.covariance_active(), &params.covariance_law) {
                (None, _) => "identity".to_string(),
                (Some(_), Some(law)) => law.clone(),
                (Some(_), None) => "eigenvalues".to_string(),
            },
            sampler: params.sampler,
            steps: res.info.steps,
            tol: res.info.tol,
            dt_min_used: res.info.tol.map(|_| res.info.dt_min_used),
            rejected_steps: res.info.tol.map(|_| res.info.rejected_steps),
            steps_total: res.info.tol.map(|_| res.info.steps_total),
            t_max: params.t_max,
            version: env!("CARGO_PKG_VERSION").to_string(),
            diverged: None,
            runs_kept: None,
        }
    }
}

/// The SPEC form of `prism simulate SPEC --n n`: the spec at one n, its face and normalization.
#[derive(Clone, Debug, Serialize)]
pub struct SpecMeta {
    /// The face the spec selects.
    pub face: crate::regimes::Regime,
    /// The concrete n.
    pub n: f64,
    /// The population normalization, in words.
    pub pop_norm: String,
    /// Exponent of the population loss change in n.
    pub pop_loss_exponent: String,
    /// r, q, y of the rounded model.
    pub ratios: Ratios,
    /// Dimensions that were rounded to integers.
    pub rounding: Vec<String>,
    /// The spec as classified.
    pub spec: String,
    /// The face time, in words.
    pub tau: String,
    /// Final face time.
    pub tau_max: f64,
    /// Exponent of the time scale in n.
    pub time_exponent: String,
    /// The train normalization, in words.
    pub train_norm: String,
    /// Exponent of the train loss change in n.
    pub train_loss_exponent: String,
}

/// `(l(t) - l(0)) / (r^a q^b y^c)` or `l(t) / (...)`: a normalization in words.
pub fn normalization_words(nz: &Normalization) -> String {
    let [a, b, c] = nz.loss;
    format!(
        "{} / (r^{a} q^{b} y^{c})",
        if nz.subtract_initial {
            "(l(t) - l(0))"
        } else {
            "l(t)"
        }
    )
}

/// `tau = t r^a q^b y^c (...)`: the face time of a normalization in words.
pub fn tau_words(nz: &Normalization) -> String {
    let [a, b, c] = nz.time;
    format!("tau = t r^{a} q^{b} y^{c} (the face time of prism::regimes, y = p/N)")
}

/// Mean, standard error and per-run values of a normalized curve.
#[derive(Clone, Debug, PartialEq)]
pub struct NormCurve {
    /// Mean over runs per record.
    pub mean: Vec<f64>,
    /// Standard error of the mean.
    pub sem: Vec<f64>,
    /// Per run (run order), per record.
    pub runs: Vec<Vec<f64>>,
}

/// The normalized curves of an ensemble: Q_i(t) = (l_i(t) - [l_i(0)]) / scale per run, on the
/// face time tau.
#[derive(Clone, Debug, PartialEq)]
pub struct Normalized {
    /// Face time of each record.
    pub tau: Vec<f64>,
    /// Train quantity.
    pub train: NormCurve,
    /// Population quantity.
    pub pop: NormCurve,
}

/// Mean and SEM over runs of the normalized quantity with the exact-c0 control variate,
/// `Q_i(t) = quantity(l_i(t) - l_i(0) + c0, c0)` ([`Normalization::run_quantities`]), the
/// estimator `prism check` uses.
fn normalized_quantity(
    res: &SimResult,
    pop: bool,
    nz: &Normalization,
    x: &Ratios,
    c0: f64,
) -> NormCurve {
    let runs: Vec<Vec<f64>> = res
        .runs
        .iter()
        .map(|r| nz.run_quantities(if pop { &r.pop } else { &r.train }, c0, x))
        .collect();
    let (mean, sem) = crate::stats::column_mean_sem(&runs);
    NormCurve { mean, sem, runs }
}

impl Normalized {
    /// Normalize every run of `res` with the face's train and population normalizations at
    /// the ratios `x`, with the exact expected initial loss `c0` as control variate; the face
    /// time comes from the train normalization.
    pub fn new(
        res: &SimResult,
        x: &Ratios,
        train: &Normalization,
        pop: &Normalization,
        c0: f64,
    ) -> Self {
        Normalized {
            tau: res.t.iter().map(|t| train.time_of(*t, x)).collect(),
            train: normalized_quantity(res, false, train, x, c0),
            pop: normalized_quantity(res, true, pop, x, c0),
        }
    }
}

impl SimulateReport {
    /// The report of `res`; `norm`: the SPEC form's normalized curves; `dt`: the step check.
    pub fn new(
        params: &SimParams,
        res: &SimResult,
        spec: Option<SpecMeta>,
        norm: Option<&Normalized>,
        dt: Option<DtCheck>,
    ) -> Self {
        SimulateReport {
            check_dt: dt,
            meta: SimMeta::new(params, res, spec),
            pop_mean: res.pop_mean.clone(),
            pop_norm_mean: norm.map(|n| n.pop.mean.clone()),
            pop_norm_sem: norm.map(|n| n.pop.sem.clone()),
            pop_sem: res.pop_sem.clone(),
            t: res.t.clone(),
            tau: norm.map(|n| n.tau.clone()),
            train_mean: res.train_mean.clone(),
            train_norm_mean: norm.map(|n| n.train.mean.clone()),
            train_norm_sem: norm.map(|n| n.train.sem.clone()),
            train_sem: res.train_sem.clone(),
        }
    }
}
