//! Numeric backend: gradient descent on the finite weight-tied linear autoencoder (THEORY
//! section 1) and ensembles of runs.
//!
//! # The model
//!
//! W in R^{H x p} with iid N(0, sigma2) entries, data X in R^{p x N} with iid N(0, 1) entries,
//! S = X X^T / N (N = infinity means S = I), A = W^T W, M = W W^T. One run integrates
//!
//! ```text
//! dW/dt = W [(I - A) S + S (I - A)] = 2 W S - M W S - W S W^T W
//! ```
//!
//! with explicit Euler steps W <- W + dt V(W) (gradient descent on p l_tr with learning rate dt)
//! or, on request, the flow: classical RK4 with a fixed step, or the embedded Dormand-Prince
//! 5(4) pair with error control ([`Integrator::Adaptive`], tolerance [`SimParams::tol`]), which
//! takes the steps the dynamics need (few for large init and long horizons). It records, per
//! input dimension,
//!
//! ```text
//! l_tr  = (1/2p) tr[(I - A) S (I - A)] = (1/2p) [tr S - 2 tr(W S W^T) + tr(M W S W^T)],
//! l_pop = (1/2p) ||I - A||_F^2        = (1/2p) [p - 2 tr M + tr M^2],
//! ```
//!
//! always read off H x H (or smaller) matrices, never off p x p products that are not needed.
//!
//! # Modes
//!
//! * [`Mode::Fast`] (default) replaces S by the diagonal of its eigenvalues, which gives the same
//!   law of the loss curves (rotation invariance; see [`setup`] for this and the two further exact
//!   reductions). Engines: S = I, O(min(H, p)) per step; H < p, the H x p state at
//!   min(3 H^2 (p + N'), 3 H N' (2p - N')) flops; H >= p, the p x p Bartlett factor, 3 p^3;
//!   N < p, the data-span engine on an H x (N + H) state. (N' = min(N, p).)
//! * [`Mode::Physical`] keeps the original basis and the data matrix X, O(H p min(p, N)) per step.
//!
//! # Anisotropic data (THEORY 9)
//!
//! With x ~ N(0, Sigma) ([`SimParams::covariance`], the eigenvalues of Sigma, or
//! [`SimParams::with_spectrum`] for a spectral law), S = Sigma^{1/2} Z Z^T Sigma^{1/2} / N and
//!
//! ```text
//! l_pop = (1/2p) tr[(I - A) Sigma (I - A)].
//! ```
//!
//! The fast mode draws X = Sigma^{1/2} Z, rotates to the eigenbasis S = U D U^T (O(p^2 N + p^3)
//! once per run, or through the N x N Gram matrix when N < p), runs the engines above against
//! diag(D) and reads the population loss with the diagonal of Sigma' = U^T Sigma U, the sign-flip
//! (Rao-Blackwell) average of the full-Sigma' value: unbiased per run, with no larger variance
//! (see [`engines::SigmaPop`]). N = infinity: S = Sigma and l_pop = l_tr. The physical mode uses
//! X = Sigma^{1/2} Z and the exact population loss. Sigma is used as given; the scale identity
//! L(t; c Sigma) = c L(c t; Sigma) maps any mean m_1 to 1. Sigma = I keeps today's engines and
//! results bit for bit.
//!
//! ```
//! use prism::sim::{simulate, Record, SimParams};
//! use prism::spec::spectrum::SpectrumLaw;
//! use prism::poly::frac;
//! // Two-level spectrum (1/2 and 3/2, half each): p = 60, H = 20, N = 120.
//! let law = SpectrumLaw::atoms(vec![(frac(1, 2), frac(1, 2)), (frac(3, 2), frac(1, 2))]).unwrap();
//! let mut params = SimParams::new(60, 20, 1.0 / 60.0, 0.5)
//!     .with_n(Some(120))
//!     .with_spectrum(&law)
//!     .unwrap();
//! params.record = Record::Uniform(2);
//! params.seeds = 2;
//! let res = simulate(&params).unwrap();
//! assert!(res.info.engine.contains("Sigma"));
//! ```
//!
//! # Example
//!
//! ```
//! use prism::sim::{simulate, Record, SimParams};
//! // p = 100, H = 50, sigma2 = 0.01 (q = 1, r = 1/2), N = 200 (alpha = 2), t in [0, 1].
//! let mut params = SimParams::new(100, 50, 0.01, 1.0).with_n(Some(200));
//! params.record = Record::Uniform(4); // t = 0, 0.25, ..., 1
//! params.seeds = 2;
//! let res = simulate(&params).unwrap();
//! assert_eq!(res.t.len(), 5);
//! assert!(res.train_mean[4] < res.train_mean[0]);
//! ```
//!
//! # Ensembles and determinism
//!
//! Run i uses `ChaCha8Rng::seed_from_u64(seed + i)`; runs execute in parallel with rayon and
//! are reduced in index order. Inside a run the dense products are split over rayon's threads
//! too ([`linalg::gemm`], [`kernel`]): every element is summed in an order fixed by the shapes
//! alone (fused multiply-adds over fixed k blocks), elementwise updates and reductions use fixed
//! chunks ([`linalg::CHUNK`]), and the adaptive controller reads only the run's own state, so
//! results are bit-identical whatever the number of threads.
//!
//! # Plans
//!
//! [`plan()`] chooses the engine of a run (without random draws) and states its cost; the runs
//! are built for that plan, so [`estimate`] and every resource guard see the engine that runs.

pub(crate) mod adaptive;
pub mod chunks;
pub mod engines;
pub mod free_flow;
pub mod kernel;
pub mod linalg;
pub mod plan;
pub mod setup;
pub mod spectrum;

pub use chunks::{reduce_chunks, simulate_chunk, RunChunk};
pub use free_flow::{free_flow, free_flow_with_progress, FreeFlowParams, FreeFlowResult};
pub use plan::{estimate, machine_flops_per_sec, plan, CostEstimate, EngineKind, EnginePlan};
pub use setup::Stepper;

use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::spec::spectrum::{SpectrumError, SpectrumLaw};
pub use engines::Side;
use engines::Traces;
use setup::{build_setup, Setup};

/// Name of the random number generator, for metadata.
pub const RNG_NAME: &str = "ChaCha8Rng (rand 0.10); run i seeded with seed_from_u64(seed + i)";

/// Errors of the simulation phase.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum SimError {
    /// A parameter is out of range.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The iteration produced a non-finite value or a loss past the divergence bound.
    #[error(
        "simulation diverged (run seed {seed}) at step {step}, t = {t}: non-finite values or a loss past the divergence bound; {}",
        dt_advice(*suggested_dt)
    )]
    Diverged {
        /// Seed of the run that diverged.
        seed: u64,
        /// Step index (0-based) at which the problem was seen.
        step: u64,
        /// Time of that step.
        t: f64,
        /// A step that should be stable.
        suggested_dt: f64,
    },
    /// The adaptive pair could not meet its tolerance (the step collapsed) or the loss left the
    /// divergence bound.
    #[error(
        "adaptive integration failed (run seed {seed}) at t = {t}: the step shrank to {h:.3e} at tolerance {tol:.1e}, or the loss left the divergence bound; check the parameters, or try a larger tolerance"
    )]
    StepCollapsed {
        /// Seed of the run.
        seed: u64,
        /// Time reached.
        t: f64,
        /// Last step tried (0 when the loss bound was crossed).
        h: f64,
        /// Tolerance in use.
        tol: f64,
    },
    /// The symmetric eigen-solver did not converge.
    #[error("eigenvalue iteration did not converge (matrix of order {n})")]
    EigenNoConvergence {
        /// Matrix order.
        n: usize,
    },
}

/// The advice of [`SimError::Diverged`]: a smaller step, when one can be named.
fn dt_advice(dt: f64) -> String {
    if dt.is_finite() && dt > 1e-300 {
        format!("try a smaller step, dt = {dt:.3e}")
    } else {
        "no usable smaller step exists: the initialization (sigma2) or the sizes are too large to simulate".to_string()
    }
}

/// Which basis/engine to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Rotation-reduced engines (exact in distribution).
    #[default]
    Fast,
    /// Original basis with the data matrix X.
    Physical,
}

/// Time integrator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Integrator {
    /// Explicit Euler, W <- W + dt V(W): gradient descent with learning rate dt (THEORY 1).
    #[default]
    Euler,
    /// Classical RK4 with a fixed step (the gradient flow). For S = I the exact flow is used
    /// instead.
    Rk4,
    /// The gradient flow by the embedded Dormand-Prince 5(4) pair with error control at the
    /// tolerance [`SimParams::tol`] (see [`adaptive`]); the default for the flow. For S = I the
    /// exact flow is used instead.
    Adaptive,
}

/// How the eigenvalues of S (and, for S = I, of W0 W0^T) are drawn in fast mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SpectrumMethod {
    /// Dumitriu-Edelman bidiagonal model: O(m) random numbers, O(m^2) eigen-solve.
    #[default]
    Bidiagonal,
    /// Dense Gaussian matrix, Gram matrix, Householder + QL eigen-solve (O(m^2 k)).
    Dense,
}

/// When to record the losses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Record {
    /// K + 1 equally spaced times 0, T/K, ..., T (T = t_max).
    Uniform(usize),
    /// Explicit, strictly increasing times in [0, t_max].
    Times(Vec<f64>),
}

/// Parameters of an ensemble of runs. Build with [`SimParams::new`] and adjust fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimParams {
    /// Input dimension p.
    pub p: usize,
    /// Latent dimension H.
    #[serde(rename = "H")]
    pub h: usize,
    /// Training-set size N (`None`: N = infinity, S = I).
    #[serde(rename = "N")]
    pub n: Option<usize>,
    /// Initialization variance sigma2.
    pub sigma2: f64,
    /// Final time T.
    pub t_max: f64,
    /// Step size (`None`: [`SimParams::default_dt`]).
    pub dt: Option<f64>,
    /// Record times.
    pub record: Record,
    /// Number of runs R.
    pub seeds: usize,
    /// Base seed B; run i uses seed B + i.
    pub seed: u64,
    /// Engine family.
    pub mode: Mode,
    /// Time integrator.
    pub integrator: Integrator,
    /// How the fast mode draws the eigenvalues of S (and of W0 W0^T for S = I) when Sigma = I
    /// (with a covariance the spectrum always comes from X = Sigma^{1/2} Z). Was `spectrum`
    /// (still read from JSON under that name).
    #[serde(alias = "spectrum")]
    pub sampler: SpectrumMethod,
    /// Tolerance of [`Integrator::Adaptive`]: the relative accuracy of the recorded losses
    /// (`None`: [`SimParams::default_tol`]).
    #[serde(default)]
    pub tol: Option<f64>,
    /// The eigenvalues of the data covariance Sigma (length p, >= 0, not all 0): x ~ N(0, Sigma)
    /// (THEORY 9.1). `None`, or all entries exactly 1, is Sigma = I and runs today's engines
    /// unchanged. Sigma is taken diagonal without loss of generality (W0 is rotation invariant).
    /// Build it from a spectral law with [`SimParams::with_spectrum`]. Sigma is used as given:
    /// with mean m_1 != 1 the scale identity L(t; c Sigma) = c L(c t; Sigma) relates the result
    /// to the mean-1 law.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covariance: Option<Vec<f64>>,
    /// The spectral law `covariance` was built from, as written (`atoms(1/2: 1/2, 3/2: 1/2)`),
    /// for reports; set by [`SimParams::with_spectrum`], cleared by
    /// [`SimParams::with_covariance`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covariance_law: Option<String>,
}

impl SimParams {
    /// Default number of record intervals ([`Record::Uniform`]).
    pub const DEFAULT_RECORD: usize = 100;
    /// Default number of runs.
    pub const DEFAULT_SEEDS: usize = 8;

    /// Defaults: N = infinity, record [`Self::DEFAULT_RECORD`] intervals,
    /// [`Self::DEFAULT_SEEDS`] seeds from base seed 0, fast mode, Euler, default dt.
    pub fn new(p: usize, h: usize, sigma2: f64, t_max: f64) -> Self {
        SimParams {
            p,
            h,
            n: None,
            sigma2,
            t_max,
            dt: None,
            record: Record::Uniform(Self::DEFAULT_RECORD),
            seeds: Self::DEFAULT_SEEDS,
            seed: 0,
            mode: Mode::Fast,
            integrator: Integrator::Euler,
            sampler: SpectrumMethod::Bidiagonal,
            tol: None,
            covariance: None,
            covariance_law: None,
        }
    }

    /// Builder-style setter for the covariance eigenvalues (see [`SimParams::covariance`]).
    pub fn with_covariance(mut self, eigenvalues: Vec<f64>) -> Self {
        self.covariance = Some(eigenvalues);
        self.covariance_law = None;
        self
    }

    /// Builder-style setter for the covariance from a spectral law: its quantiles at
    /// (i - 1/2)/p, i = 1..p ([`SpectrumLaw::eigenvalues`]); the identity law clears it.
    pub fn with_spectrum(mut self, law: &SpectrumLaw) -> Result<Self, SpectrumError> {
        (self.covariance, self.covariance_law) = if law.is_identity() {
            (None, None)
        } else {
            (Some(law.eigenvalues(self.p)?), Some(law.to_string()))
        };
        Ok(self)
    }

    /// The covariance eigenvalues when Sigma != I (`None` also when every entry is exactly 1).
    pub fn covariance_active(&self) -> Option<&[f64]> {
        self.covariance
            .as_deref()
            .filter(|c| c.iter().any(|&x| x != 1.0))
    }

    /// m_1 = tr(Sigma)/p (1 for Sigma = I).
    pub fn sigma_mean(&self) -> f64 {
        self.covariance_active()
            .map_or(1.0, |c| c.iter().sum::<f64>() / c.len().max(1) as f64)
    }

    /// The largest eigenvalue of Sigma (1 for Sigma = I).
    pub fn sigma_max(&self) -> f64 {
        self.covariance_active()
            .map_or(1.0, |c| c.iter().fold(0.0, |m: f64, &x| m.max(x)))
    }

    /// Builder-style setter for N.
    pub fn with_n(mut self, n: Option<usize>) -> Self {
        self.n = n;
        self
    }

    /// q = sigma2 p.
    pub fn q(&self) -> f64 {
        self.sigma2 * self.p as f64
    }

    /// r = H / p.
    pub fn r(&self) -> f64 {
        self.h as f64 / self.p as f64
    }

    /// 1 / alpha = p / N (0 for N = infinity).
    pub fn inv_alpha(&self) -> f64 {
        self.n.map_or(0.0, |n| self.p as f64 / n as f64)
    }

    /// THEORY section 1: dt = 0.01 / [max(1, q, q r) max(1, 1/alpha)], the inverse of the
    /// curvature scale (a product: the top eigenvalue of the Hessian grows like the top of M
    /// times the top of S). With a covariance the top of S scales with the top of Sigma, so the
    /// scale is multiplied by max(1, max eig Sigma) (unchanged for Sigma = I).
    pub fn default_dt(&self) -> f64 {
        let q = self.q();
        let base = 0.01 / (1f64.max(q).max(q * self.r()) * 1f64.max(self.inv_alpha()));
        match self.covariance_active() {
            None => base,
            Some(_) => base / 1f64.max(self.sigma_max()),
        }
    }

    /// The nominal step size (given or default). For Euler (gradient descent) a given dt is the
    /// learning rate and is used exactly (see [`SimParams::record`] handling in
    /// [`SimInfo::dt_used`]); for RK4 it is the largest step; the adaptive pair ignores it.
    pub fn dt(&self) -> f64 {
        self.dt.unwrap_or_else(|| self.default_dt())
    }

    /// Default tolerance of the adaptive pair: 0.1 / (p sqrt(R)), clamped to [1e-9, 1e-3].
    ///
    /// Why: the normalized losses are linear spectral statistics, an O(p) sum with O(1)
    /// fluctuations, so their relative standard deviation across runs is about 1/p and the
    /// standard error of an R-run mean about 1/(p sqrt R). The tolerance is the relative accuracy
    /// of the recorded losses (the pair controls the loss itself, not only the state; see
    /// [`adaptive`]): a tenth of the resolvable error keeps the integration error well below
    /// what the ensemble can see.
    pub fn default_tol(&self) -> f64 {
        (0.1 / (self.p as f64 * (self.seeds.max(1) as f64).sqrt())).clamp(1e-9, 1e-3)
    }

    /// The tolerance of the adaptive pair (given or default).
    pub fn tol(&self) -> f64 {
        self.tol.unwrap_or_else(|| self.default_tol())
    }

    /// The record times.
    pub fn record_times(&self) -> Vec<f64> {
        record_times(&self.record, self.t_max)
    }

    pub(crate) fn validate(&self) -> Result<(), SimError> {
        let bad = |name, reason: &str| {
            Err(SimError::InvalidParameter {
                name,
                reason: reason.to_string(),
            })
        };
        if self.p == 0 {
            return bad("p", "must be >= 1");
        }
        if self.h == 0 {
            return bad("H", "must be >= 1");
        }
        if self.n == Some(0) {
            return bad("N", "must be >= 1 (omit it for N = infinity)");
        }
        if !(self.sigma2.is_finite() && self.sigma2 > 0.0) {
            return bad("sigma2", "must be finite and > 0");
        }
        if let Some(tol) = self.tol {
            if !(tol.is_finite() && tol > 0.0 && tol < 1.0) {
                return bad("tol", "must be in (0, 1)");
            }
        }
        if let Some(c) = &self.covariance {
            if c.len() != self.p {
                return Err(SimError::InvalidParameter {
                    name: "covariance",
                    reason: format!("has {} eigenvalues, but p = {}", c.len(), self.p),
                });
            }
            if c.iter().any(|x| !(x.is_finite() && *x >= 0.0)) {
                return bad("covariance", "eigenvalues must be finite and >= 0");
            }
            if !c.iter().any(|&x| x > 0.0) {
                return bad("covariance", "at least one eigenvalue must be > 0");
            }
        }
        validate_common(self.t_max, self.dt, &self.record, self.seeds)
    }
}

pub(crate) fn validate_common(
    t_max: f64,
    dt: Option<f64>,
    record: &Record,
    seeds: usize,
) -> Result<(), SimError> {
    let bad = |name, reason: &str| {
        Err(SimError::InvalidParameter {
            name,
            reason: reason.to_string(),
        })
    };
    if !(t_max.is_finite() && t_max >= 0.0) {
        return bad("t_max", "must be finite and >= 0");
    }
    if let Some(dt) = dt {
        if !(dt.is_finite() && dt > 0.0) {
            return bad("dt", "must be finite and > 0");
        }
    }
    if seeds == 0 {
        return bad("seeds", "must be >= 1");
    }
    match record {
        Record::Uniform(k) => {
            if *k == 0 && t_max > 0.0 {
                return bad("record", "need at least one interval");
            }
            if *k > 0 && t_max == 0.0 {
                return bad(
                    "t_max",
                    "must be > 0 for a grid of intervals (--t-max or --tau-max): every record time would be 0",
                );
            }
        }
        Record::Times(ts) => {
            if ts.is_empty() {
                return bad("record", "no record times");
            }
            if ts
                .iter()
                .any(|t| !t.is_finite() || *t < 0.0 || *t > t_max * (1.0 + 1e-12))
            {
                return bad("record", "times must lie in [0, t_max]");
            }
            if ts.windows(2).any(|w| w[1] <= w[0]) {
                return bad("record", "times must be strictly increasing");
            }
        }
    }
    Ok(())
}

pub(crate) fn record_times(record: &Record, t_max: f64) -> Vec<f64> {
    match record {
        Record::Uniform(k) => {
            if *k == 0 {
                vec![0.0]
            } else {
                (0..=*k).map(|i| t_max * i as f64 / *k as f64).collect()
            }
        }
        Record::Times(ts) => ts.clone(),
    }
}

/// The step schedule: for each record time, the number of steps from the previous record time
/// (or 0) and their common size. Each interval is split into ceil(length / dt) equal steps, so
/// the step never exceeds dt and records fall exactly on the requested times (used for the
/// flow, where dt is a numerical parameter, and for the default gradient-descent step).
pub(crate) fn schedule(times: &[f64], dt: f64) -> Vec<(u64, f64)> {
    let mut prev = 0.0;
    times
        .iter()
        .map(|&t| {
            let len = t - prev;
            prev = t;
            if len <= 0.0 {
                return (0, 0.0);
            }
            let ratio = len / dt;
            let n = if (ratio - ratio.round()).abs() <= 1e-9 * ratio.max(1.0) {
                ratio.round().max(1.0)
            } else {
                ratio.ceil()
            } as u64;
            (n, len / n as f64)
        })
        .collect()
}

/// The schedule of gradient descent with a requested learning rate dt, used exactly: record k
/// is taken after n_k = round(t_k / dt) steps, at time n_k dt (the requested t_k when that is
/// the same step up to rounding). Refused when two record times fall on the same step.
pub(crate) fn exact_schedule(
    times: &[f64],
    dt: f64,
) -> Result<(Vec<(u64, f64)>, Vec<f64>), SimError> {
    let mut sched = Vec::with_capacity(times.len());
    let mut actual = Vec::with_capacity(times.len());
    let mut prev: Option<u64> = None;
    for (k, &t) in times.iter().enumerate() {
        let n = (t / dt).round().max(0.0) as u64;
        if let Some(pn) = prev {
            if n <= pn {
                return Err(SimError::InvalidParameter {
                    name: "dt",
                    reason: format!(
                        "dt = {dt} is the gradient-descent learning rate and is used exactly, but record times {} and {t} fall on the same step; use a smaller dt or fewer record times, or omit dt (the default step divides the record grid)",
                        times[k - 1]
                    ),
                });
            }
        }
        let steps = n - prev.unwrap_or(0);
        let tn = n as f64 * dt;
        actual.push(if (tn - t).abs() <= 1e-9 * t.abs().max(dt) {
            t
        } else {
            tn
        });
        sched.push((steps, if steps > 0 { dt } else { 0.0 }));
        prev = Some(n);
    }
    Ok((sched, actual))
}

/// The loss curves of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunCurves {
    /// Run index i.
    pub run: usize,
    /// Its seed (base + i).
    pub seed: u64,
    /// Train loss at each record time.
    pub train: Vec<f64>,
    /// Population loss at each record time.
    pub pop: Vec<f64>,
}

/// What was run (what was actually done, not what was asked).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimInfo {
    /// Engine description of the runs.
    pub engine: String,
    /// The plan every run used.
    pub plan: EnginePlan,
    /// Flops of one field evaluation.
    pub flops_per_eval: f64,
    /// Nominal step (given or default; for the adaptive pair unused).
    pub dt: f64,
    /// Largest step actually taken, over all runs. Euler with a given dt: exactly dt (the record
    /// times follow the real steps, see [`SimResult::t`]); Euler by default and RK4: each record
    /// interval is split into equal steps <= dt; adaptive: the largest accepted step.
    pub dt_used: f64,
    /// Smallest step actually taken, over all runs.
    pub dt_min_used: f64,
    /// Accepted steps per run (the largest over runs; all runs agree for fixed steps).
    pub steps: u64,
    /// Accepted steps summed over runs.
    pub steps_total: u64,
    /// Rejected steps summed over runs (0 for fixed steps).
    pub rejected_steps: u64,
    /// Field evaluations summed over runs.
    pub field_evals: u64,
    /// The adaptive pair's relative tolerance (`None` for fixed steps).
    pub tol: Option<f64>,
}

/// Result of an ensemble: mean and standard error of the mean per record time, plus every run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimResult {
    /// Record times (as reached: the requested ones, except for gradient descent with a given
    /// dt that does not divide them, where they are the nearest step times n dt).
    pub t: Vec<f64>,
    /// Mean train loss l_tr.
    pub train_mean: Vec<f64>,
    /// Standard error of the mean of l_tr (0 for one run).
    pub train_sem: Vec<f64>,
    /// Mean population loss l_pop.
    pub pop_mean: Vec<f64>,
    /// Standard error of the mean of l_pop.
    pub pop_sem: Vec<f64>,
    /// Per-run curves, in run order.
    pub runs: Vec<RunCurves>,
    /// Engine and step information.
    pub info: SimInfo,
}

/// How traces map to the two recorded losses.
#[derive(Clone, Copy, Debug)]
pub(crate) enum LossMap {
    /// l_tr and l_pop of THEORY section 1.
    Full,
    /// F4 reduced flow: (1/2p) tr(S A^2) and (1/2p) tr(A^2).
    Free,
    /// N = infinity with a covariance: S = Sigma, so l_pop = l_tr (THEORY 9.1).
    PopIsTrain,
    /// F4 reduced flow, N = infinity with a covariance: (1/2p) tr(Sigma A^2) twice.
    FreePopIsTrain,
}

impl LossMap {
    fn losses(self, tr: &Traces, p: f64) -> (f64, f64) {
        let m2 = tr.tr_m2.unwrap_or(f64::NAN);
        match self {
            LossMap::Full => (
                (tr.tr_s - 2.0 * tr.tr_k + tr.tr_mk) / (2.0 * p),
                match tr.tr_pop {
                    Some([c, ac, aca]) => (c - 2.0 * ac + aca) / (2.0 * p),
                    None => (p - 2.0 * tr.tr_m + m2) / (2.0 * p),
                },
            ),
            LossMap::Free => (
                tr.tr_mk / (2.0 * p),
                tr.tr_pop.map_or(m2, |[_, _, aca]| aca) / (2.0 * p),
            ),
            LossMap::FreePopIsTrain => (tr.tr_mk / (2.0 * p), tr.tr_mk / (2.0 * p)),
            LossMap::PopIsTrain => {
                let l = (tr.tr_s - 2.0 * tr.tr_k + tr.tr_mk) / (2.0 * p);
                (l, l)
            }
        }
    }

    fn train(self, tr: &Traces, p: f64) -> f64 {
        match self {
            LossMap::Full | LossMap::PopIsTrain => (tr.tr_s - 2.0 * tr.tr_k + tr.tr_mk) / (2.0 * p),
            LossMap::Free | LossMap::FreePopIsTrain => tr.tr_mk / (2.0 * p),
        }
    }
}

/// Internal description of an ensemble (shared by [`simulate`] and [`free_flow`]).
pub(crate) struct Job {
    pub setup: Setup,
    pub plan: EnginePlan,
    pub loss: LossMap,
    pub integrator: Integrator,
    /// Record times as they will be reached.
    pub times: Vec<f64>,
    /// Fixed-step schedule (empty for the adaptive pair).
    pub sched: Vec<(u64, f64)>,
    pub dt: f64,
    pub default_dt: f64,
    pub tol: f64,
    pub seeds: usize,
    pub seed: u64,
}

impl Job {
    /// A job; the schedule follows the integrator: Euler with an explicit dt uses it exactly
    /// ([`exact_schedule`]), Euler by default and RK4 split each record interval ([`schedule`]),
    /// the adaptive pair controls its own steps.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        setup: Setup,
        loss: LossMap,
        integrator: Integrator,
        times: Vec<f64>,
        dt_given: Option<f64>,
        default_dt: f64,
        tol: f64,
        seeds: usize,
        seed: u64,
    ) -> Result<Job, SimError> {
        let dt = dt_given.unwrap_or(default_dt);
        let (sched, times) = match (integrator, dt_given) {
            (Integrator::Adaptive, _) => (Vec::new(), times),
            (Integrator::Euler, Some(dt)) => exact_schedule(&times, dt)?,
            _ => (schedule(&times, dt), times),
        };
        let plan = plan::plan_setup(&setup, integrator);
        Ok(Job {
            setup,
            plan,
            loss,
            integrator,
            times,
            sched,
            dt,
            default_dt,
            tol,
            seeds,
            seed,
        })
    }
}

/// Counters of one run (summarized over runs in [`SimInfo`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunStats {
    /// Accepted steps.
    pub accepted: u64,
    /// Rejected steps (adaptive pair).
    pub rejected: u64,
    /// Field evaluations.
    pub evals: u64,
    /// Smallest step taken.
    pub h_min: f64,
    /// Largest step taken.
    pub h_max: f64,
}

fn run_job_one(
    job: &Job,
    run: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(RunCurves, RunStats), SimError> {
    let seed = job.seed.wrapping_add(run as u64);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let eng = build_setup(&job.plan, &job.setup, &mut rng)?;
    let (train, pop, stats) = match job.integrator {
        Integrator::Adaptive => run_adaptive(job, eng, seed, progress)?,
        _ => run_fixed(job, eng, seed, progress)?,
    };
    Ok((
        RunCurves {
            run,
            seed,
            train,
            pop,
        },
        stats,
    ))
}

type Curves = (Vec<f64>, Vec<f64>, RunStats);

fn run_fixed(
    job: &Job,
    mut eng: Stepper,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Curves, SimError> {
    let p = job.setup.p as f64;
    let sched = &job.sched;
    let mut train = Vec::with_capacity(job.times.len());
    let mut pop = Vec::with_capacity(job.times.len());
    let mut bound = f64::INFINITY;
    let mut step: u64 = 0;
    let mut t = 0.0;
    let mut pending_flush = 0u64;
    let diverged = |step: u64, t: f64, dt: f64| SimError::Diverged {
        seed,
        step,
        t,
        suggested_dt: if dt > job.default_dt {
            job.default_dt.min(dt / 4.0)
        } else {
            dt / 4.0
        },
    };
    // `record_next`: the pre-step traces of the next step are the record of this index.
    let mut record_next: Option<usize> = None;
    let check = |tr: &Traces, l_tr: f64, bound: f64| -> bool {
        l_tr.is_finite()
            && l_tr <= bound
            && tr.tr_m.is_finite()
            && tr.tr_m2.is_none_or(|x| x.is_finite())
    };
    for (k, &(nsteps, h)) in sched.iter().enumerate() {
        for _ in 0..nsteps {
            let full = record_next.is_some();
            let tr = eng.step(job.integrator, h, full);
            let l_tr = job.loss.train(&tr, p);
            if let Some(r) = record_next.take() {
                let (a, b) = job.loss.losses(&tr, p);
                if !(a.is_finite() && b.is_finite()) {
                    return Err(diverged(step, t, h));
                }
                if r == 0 {
                    bound = 1e3 * (1.0 + a.abs() + b.abs());
                }
                train.push(a);
                pop.push(b);
                debug_assert_eq!(train.len(), r + 1);
            }
            if bound.is_infinite() {
                // First step without a record at t = 0: set the bound from this state.
                bound = 1e3 * (1.0 + l_tr.abs());
            }
            if !check(&tr, l_tr, bound) {
                return Err(diverged(step, t, h));
            }
            step += 1;
            t += h;
            pending_flush += 1;
            if pending_flush >= 64 {
                progress(pending_flush);
                pending_flush = 0;
            }
        }
        t = job.times[k];
        // Record index k at the current state: via the next step if there is one.
        let next_has_steps = sched.get(k + 1).is_some_and(|x| x.0 > 0);
        if next_has_steps {
            record_next = Some(k);
        } else {
            let tr = eng.traces(true);
            let (a, b) = job.loss.losses(&tr, p);
            if !(a.is_finite() && b.is_finite()) || (bound.is_finite() && a > bound) {
                return Err(diverged(step, t, job.dt));
            }
            if bound.is_infinite() {
                bound = 1e3 * (1.0 + a.abs() + b.abs());
            }
            train.push(a);
            pop.push(b);
        }
    }
    if pending_flush > 0 {
        progress(pending_flush);
    }
    let used = sched.iter().filter(|x| x.0 > 0).map(|x| x.1);
    let stats = RunStats {
        accepted: step,
        rejected: 0,
        evals: step * job.plan.evals_per_step as u64 + (train.len() as u64).min(1),
        h_min: used.clone().fold(f64::INFINITY, f64::min),
        h_max: used.fold(0.0, f64::max),
    };
    Ok((train, pop, stats))
}

fn run_adaptive(
    job: &Job,
    eng: Stepper,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Curves, SimError> {
    let p = job.setup.p as f64;
    let mut train = Vec::with_capacity(job.times.len());
    let mut pop = Vec::with_capacity(job.times.len());
    let push = |tr: &Traces, t: f64, train: &mut Vec<f64>, pop: &mut Vec<f64>| {
        let (a, b) = job.loss.losses(tr, p);
        if !(a.is_finite() && b.is_finite()) {
            return Err(SimError::Diverged {
                seed,
                step: 0,
                t,
                suggested_dt: job.default_dt,
            });
        }
        train.push(a);
        pop.push(b);
        Ok(())
    };
    let mut stats = RunStats {
        h_min: f64::INFINITY,
        ..Default::default()
    };
    match eng.body {
        setup::StepperBody::Diag(mut d) => {
            // The exact flow: one jump per record interval.
            let mut t = 0.0;
            for &te in &job.times {
                if te > t {
                    d.flow(te - t);
                    stats.accepted += 1;
                    stats.evals += 1;
                    stats.h_min = stats.h_min.min(te - t);
                    stats.h_max = stats.h_max.max(te - t);
                    progress(1);
                    t = te;
                }
                push(&d.traces(), t, &mut train, &mut pop)?;
            }
        }
        setup::StepperBody::Mat(mut m) => {
            let (f, w) = m.parts();
            let dim = w.dim();
            let y = w.as_slice_mut().expect("standard layout state");
            let mut field = |a: &[f64], b: &mut [f64], full: bool| {
                let av = ndarray::ArrayView2::from_shape(dim, a).expect("shape");
                let bv = ndarray::ArrayViewMut2::from_shape(dim, b).expect("shape");
                f.field(av, bv, full)
            };
            let mut dp = adaptive::Dopri5::new(y.len(), job.tol);
            let tr0 = dp.eval_start(y, &mut field, true);
            // The field is V = -grad(p l_tr) (gradient flow on the potential p l_tr, for both loss
            // maps), which lets the pair control the error of the train loss itself.
            let potential = |tr: &Traces| p * job.loss.train(tr, p);
            dp.observe_potential(potential(&tr0));
            let (a0, b0) = job.loss.losses(&tr0, p);
            let bound = 1e3 * (1.0 + a0.abs() + b0.abs());
            let mut t = 0.0;
            let loss = job.loss;
            let tol = job.tol;
            let mut since_flush = 0u64;
            for &te in &job.times {
                let last = dp.advance(
                    y,
                    &mut t,
                    te,
                    &mut field,
                    Some(&potential),
                    |tr: &Traces, t| {
                        let l = loss.train(tr, p);
                        since_flush += 1;
                        if since_flush >= 16 {
                            progress(since_flush);
                            since_flush = 0;
                        }
                        if l.is_finite() && l <= bound && tr.tr_m.is_finite() {
                            Ok(())
                        } else {
                            Err(SimError::StepCollapsed {
                                seed,
                                t,
                                h: 0.0,
                                tol,
                            })
                        }
                    },
                    |fail| SimError::StepCollapsed {
                        seed,
                        t: fail.t,
                        h: fail.h,
                        tol,
                    },
                )?;
                let tr = last.unwrap_or(tr0);
                push(&tr, t, &mut train, &mut pop)?;
            }
            if since_flush > 0 {
                progress(since_flush);
            }
            stats.accepted = dp.accepted;
            stats.rejected = dp.rejected;
            stats.evals = dp.evals;
            stats.h_min = dp.h_min;
            stats.h_max = dp.h_max;
        }
    }
    Ok((train, pop, stats))
}

/// Mean and standard error of the mean over runs, per record index (in run order;
/// [`crate::stats::column_mean_sem`]).
fn mean_sem(runs: &[RunCurves], pick: impl Fn(&RunCurves) -> &Vec<f64>) -> (Vec<f64>, Vec<f64>) {
    let curves: Vec<&Vec<f64>> = runs.iter().map(pick).collect();
    crate::stats::column_mean_sem(&curves)
}

pub(crate) fn run_job(job: &Job, progress: &(dyn Fn(u64) + Sync)) -> Result<SimResult, SimError> {
    let outs: Vec<Result<(RunCurves, RunStats), SimError>> = (0..job.seeds)
        .into_par_iter()
        .map(|i| run_job_one(job, i, progress))
        .collect();
    let mut runs = Vec::with_capacity(job.seeds);
    let mut st = Vec::with_capacity(job.seeds);
    for o in outs {
        let (c, s) = o?;
        runs.push(c);
        st.push(s);
    }
    Ok(assemble(job, runs, &st))
}

/// The ensemble result of the runs `0..seeds` (in run order) and their counters: means and
/// standard errors summed in run order (shared by [`simulate`] and [`chunks::reduce_chunks`]).
pub(crate) fn assemble(job: &Job, runs: Vec<RunCurves>, st: &[RunStats]) -> SimResult {
    let (train_mean, train_sem) = mean_sem(&runs, |c| &c.train);
    let (pop_mean, pop_sem) = mean_sem(&runs, |c| &c.pop);
    let h_min = st.iter().map(|s| s.h_min).fold(f64::INFINITY, f64::min);
    let info = SimInfo {
        engine: job.plan.describe(),
        plan: job.plan.clone(),
        flops_per_eval: job.plan.flops_per_eval,
        dt: job.dt,
        dt_used: st.iter().map(|s| s.h_max).fold(0.0, f64::max),
        dt_min_used: if h_min.is_finite() { h_min } else { 0.0 },
        steps: st.iter().map(|s| s.accepted).max().unwrap_or(0),
        steps_total: st.iter().map(|s| s.accepted).sum(),
        rejected_steps: st.iter().map(|s| s.rejected).sum(),
        field_evals: st.iter().map(|s| s.evals).sum(),
        tol: (job.integrator == Integrator::Adaptive).then_some(job.tol),
    };
    SimResult {
        t: job.times.clone(),
        train_mean,
        train_sem,
        pop_mean,
        pop_sem,
        runs,
        info,
    }
}

/// The law of one run of `params` (everything but the seed).
pub(crate) fn setup_of(params: &SimParams) -> Setup {
    Setup {
        p: params.p,
        h: params.h,
        n: params.n,
        sigma2: params.sigma2,
        lin2: 2.0,
        mode: params.mode,
        sampler: params.sampler,
        side: None,
        covariance: params.covariance_active().map(<[f64]>::to_vec),
    }
}

/// How the traces map to the losses for `params`.
fn loss_map_of(params: &SimParams) -> LossMap {
    if params.covariance_active().is_some() && params.n.is_none() {
        LossMap::PopIsTrain
    } else {
        LossMap::Full
    }
}

fn job_of(params: &SimParams) -> Result<Job, SimError> {
    Job::new(
        setup_of(params),
        loss_map_of(params),
        params.integrator,
        params.record_times(),
        params.dt,
        params.default_dt(),
        params.tol(),
        params.seeds,
        params.seed,
    )
}

/// The fixed-step schedule of `params` (steps per record interval and their size).
pub(crate) fn step_plan(params: &SimParams) -> Result<Vec<(u64, f64)>, SimError> {
    Ok(job_of(params)?.sched)
}

/// Total progress units (steps over all runs) of [`simulate_with_progress`]: exact for fixed
/// steps, the a-priori estimate ([`plan::adaptive_steps_estimate`]) for the adaptive pair.
pub fn total_steps(params: &SimParams) -> u64 {
    match estimate(params) {
        Ok(e) if e.steps_per_run.is_finite() => {
            (e.steps_per_run * params.seeds as f64).round() as u64
        }
        _ => 0,
    }
}

/// Run the ensemble described by `params` (see the module docs).
///
/// Cost: `seeds` x steps x the engine's flops per step (see [`estimate`]).
pub fn simulate(params: &SimParams) -> Result<SimResult, SimError> {
    simulate_with_progress(params, &|_| {})
}

/// [`simulate`], calling `progress(k)` after every k further steps (summed over runs).
pub fn simulate_with_progress(
    params: &SimParams,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SimResult, SimError> {
    params.validate()?;
    run_job(&job_of(params)?, progress)
}

/// One run (run index `run`, seed `seed + run`) of the ensemble.
pub fn run_one(params: &SimParams, run: usize) -> Result<RunCurves, SimError> {
    params.validate()?;
    run_job_one(&job_of(params)?, run, &|_| {}).map(|x| x.0)
}

/// Draw the initial state of run `run` of `params` (seed `params.seed + run`) and build the
/// engine `plan` prescribes. `plan` must be [`plan`]`(params)`.
pub fn build(plan: &EnginePlan, params: &SimParams, run: usize) -> Result<Stepper, SimError> {
    params.validate()?;
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed.wrapping_add(run as u64));
    build_setup(plan, &setup_of(params), &mut rng)
}

/// The engine of run `run` of `params`, at its initial state (for benchmarks and tests).
pub fn engine_for(params: &SimParams, run: usize) -> Result<Stepper, SimError> {
    let pl = plan(params)?;
    build(&pl, params, run)
}

/// Result of a step-size check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DtCheck {
    /// Nominal step of the original run.
    pub dt: f64,
    /// Halved step.
    pub dt_half: f64,
    /// max_t |mean l_tr(dt) - mean l_tr(dt/2)|.
    pub max_diff_train: f64,
    /// max_t |mean l_pop(dt) - mean l_pop(dt/2)|.
    pub max_diff_pop: f64,
    /// Largest standard error of the mean over both curves (for scale).
    pub max_sem: f64,
}

/// Rerun `params` (same seeds, so the same initial states) at dt/2 and compare the mean curves
/// with `base` (the result at dt).
pub fn check_dt(params: &SimParams, base: &SimResult) -> Result<DtCheck, SimError> {
    let mut half = params.clone();
    let dt = params.dt();
    half.dt = Some(dt / 2.0);
    let other = simulate(&half)?;
    Ok(compare_dt(dt, base, &other))
}

/// Compare the mean curves of a run at dt (`base`) with one at dt/2 (`other`).
pub fn compare_dt(dt: f64, base: &SimResult, other: &SimResult) -> DtCheck {
    let maxdiff = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    };
    let max_sem = base
        .train_sem
        .iter()
        .chain(&base.pop_sem)
        .fold(0.0f64, |m, &x| m.max(x));
    DtCheck {
        dt,
        dt_half: dt / 2.0,
        max_diff_train: maxdiff(&base.train_mean, &other.train_mean),
        max_diff_pop: maxdiff(&base.pop_mean, &other.pop_mean),
        max_sem,
    }
}

/// Force an algorithm in the reduced engine (for tests and benchmarks).
#[doc(hidden)]
pub fn simulate_forced_side(params: &SimParams, side: Side) -> Result<SimResult, SimError> {
    params.validate()?;
    let mut setup = setup_of(params);
    setup.side = Some(side);
    let job = Job::new(
        setup,
        loss_map_of(params),
        params.integrator,
        params.record_times(),
        params.dt,
        params.default_dt(),
        params.tol(),
        params.seeds,
        params.seed,
    )?;
    run_job(&job, &|_| {})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_schedule_follows_real_steps() {
        // dt = 0.3 does not divide 1: the record lands on step 3, t = 0.9 (reported).
        let (s, t) = exact_schedule(&[0.0, 1.0], 0.3).unwrap();
        assert_eq!(s[1], (3, 0.3));
        assert!((t[1] - 0.9).abs() < 1e-15);
        // A dividing dt keeps the requested times exactly.
        let (s, t) = exact_schedule(&[0.0, 0.1, 0.3], 0.01).unwrap();
        assert_eq!((s[1].0, s[2].0), (10, 20));
        assert_eq!(t, vec![0.0, 0.1, 0.3]);
        // Two records on one step are refused.
        assert!(matches!(
            exact_schedule(&[0.0, 0.1, 0.12], 0.1),
            Err(SimError::InvalidParameter { name: "dt", .. })
        ));
    }

    #[test]
    fn schedule_hits_records() {
        let s = schedule(&[0.0, 0.1, 0.2, 0.35], 0.01);
        assert_eq!(s[0].0, 0);
        assert_eq!(s[1].0, 10);
        assert_eq!(s[2].0, 10);
        assert_eq!(s[3].0, 15);
        let s = schedule(&[0.0, 1.0], 0.3);
        assert_eq!(s[1].0, 4);
        assert!((s[1].1 - 0.25).abs() < 1e-15);
    }

    #[test]
    fn default_dt_formula() {
        let p = SimParams::new(100, 50, 0.05, 1.0).with_n(Some(50));
        // q = 5, qr = 2.5, 1/alpha = 2: curvature scale 5 x 2 = 10 (a product, THEORY 1).
        assert!((p.default_dt() - 0.001).abs() < 1e-15);
        let p = SimParams::new(100, 50, 0.001, 1.0).with_n(Some(400));
        assert!((p.default_dt() - 0.01).abs() < 1e-15);
    }

    #[test]
    fn invalid_params() {
        let mut p = SimParams::new(10, 5, 0.1, 1.0);
        p.sigma2 = -1.0;
        assert!(matches!(
            simulate(&p),
            Err(SimError::InvalidParameter { name: "sigma2", .. })
        ));
        let mut p = SimParams::new(10, 5, 0.1, 1.0);
        p.n = Some(0);
        assert!(matches!(
            simulate(&p),
            Err(SimError::InvalidParameter { name: "N", .. })
        ));
    }
}
