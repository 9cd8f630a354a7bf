//! The reduced free flow of the free face F4 (THEORY 5.2) at finite p, N.
//!
//! With Wt = W / sqrt(q) (entries of variance 1/p at tau = 0) and At = Wt^T Wt, the limit
//! q -> infinity (time tau = q t, losses divided by q^2) is the degree-3 homogeneous flow
//!
//! ```text
//! dWt/dtau = -Wt (At S + S At)     <=>     dAt/dtau = -(S At^2 + 2 At S At + At^2 S),
//! ```
//!
//! the gradient flow of (1/2) tr(S A^2). Recorded: l_tr/q^2 = (1/2p) tr(S At^2) and
//! l_pop/q^2 = (1/2p) tr(At^2). No closed form is known at finite alpha; for S = I (N =
//! infinity) the exact solution At = At0 (I + 4 tau At0)^{-1} is applied eigenvalue by eigenvalue.
//!
//! The same engines as the main simulation are used with the linear term removed, so fast mode,
//! the data-span reduction for N < p and ensembles all apply. Default integrator: RK4.
//!
//! With a covariance Sigma != I ([`FreeFlowParams::covariance`], THEORY 9.5 F4) S is drawn as in
//! the main simulation (X = Sigma^{1/2} Z, rotated to the eigenbasis of S in fast mode) and the
//! population value is l_pop/q^2 = (1/2p) tr(At Sigma At) (in fast mode with the diagonal of
//! U^T Sigma U, the unbiased sign-flip average of [`super::engines::SigmaPop`]); for N = infinity
//! S = Sigma and the two values coincide.
//!
//! ```
//! use prism::sim::{free_flow, FreeFlowParams, Record};
//! // r = 1/2, alpha = 1 at p = 60: l_tr/q^2 and l_pop/q^2 at tau = 0, 0.1, 0.2.
//! let mut fp = FreeFlowParams::new(60, 30, Some(60), 0.2);
//! fp.record = Record::Uniform(2);
//! fp.seeds = 2;
//! let res = free_flow(&fp).unwrap();
//! assert!(res.pop_mean[2] < res.pop_mean[0]);
//! ```

use serde::{Deserialize, Serialize};

use super::setup::Setup;
use super::{
    record_times, run_job, validate_common, Integrator, Job, LossMap, Mode, Record, SimError,
    SimResult, SpectrumMethod,
};

/// Parameters of an ensemble of free-flow runs. Build with [`FreeFlowParams::new`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FreeFlowParams {
    /// Input dimension p.
    pub p: usize,
    /// Latent dimension H (r = H / p).
    #[serde(rename = "H")]
    pub h: usize,
    /// Training-set size N (`None`: alpha = infinity, S = I).
    #[serde(rename = "N")]
    pub n: Option<usize>,
    /// Final time tau_max.
    pub tau_max: f64,
    /// Step in tau (`None`: [`FreeFlowParams::default_dtau`]).
    pub dtau: Option<f64>,
    /// Record times (in tau).
    pub record: Record,
    /// Number of runs.
    pub seeds: usize,
    /// Base seed; run i uses seed + i.
    pub seed: u64,
    /// Integrator (default RK4; the exact solution is used for S = I).
    pub integrator: Integrator,
    /// Engine family (fast by default).
    pub mode: Mode,
    /// Spectrum sampler of the fast mode (Sigma = I). Was `spectrum` (still read from JSON
    /// under that name).
    #[serde(alias = "spectrum")]
    pub sampler: SpectrumMethod,
    /// Relative tolerance of [`Integrator::Adaptive`] (`None`: 0.1 / (p sqrt(seeds)), as
    /// [`super::SimParams::default_tol`]).
    #[serde(default)]
    pub tol: Option<f64>,
    /// The eigenvalues of the data covariance Sigma (length p; `None` or all 1: Sigma = I), as
    /// [`super::SimParams::covariance`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covariance: Option<Vec<f64>>,
}

/// Result of [`free_flow`]: `t` holds tau, `train_*` is l_tr/q^2 = (1/2p) tr(S At^2) and `pop_*`
/// is l_pop/q^2 = (1/2p) tr(At^2).
pub type FreeFlowResult = SimResult;

impl FreeFlowParams {
    /// Defaults: record 100 intervals, 8 seeds from 0, RK4, fast mode, default step.
    pub fn new(p: usize, h: usize, n: Option<usize>, tau_max: f64) -> Self {
        FreeFlowParams {
            p,
            h,
            n,
            tau_max,
            dtau: None,
            record: Record::Uniform(100),
            seeds: 8,
            seed: 0,
            integrator: Integrator::Rk4,
            mode: Mode::Fast,
            sampler: SpectrumMethod::Bidiagonal,
            tol: None,
            covariance: None,
        }
    }

    /// The covariance when Sigma != I.
    fn covariance_active(&self) -> Option<&[f64]> {
        self.covariance
            .as_deref()
            .filter(|c| c.iter().any(|&x| x != 1.0))
    }

    /// Default step: c / ((1 + sqrt r)^2 (1 + sqrt(p/N))^2), the product of the upper spectral
    /// edges of At(0) and S, with c = 0.2 for RK4 and 0.02 for Euler.
    pub fn default_dtau(&self) -> f64 {
        let r = self.h as f64 / self.p as f64;
        let y = self.n.map_or(0.0, |n| self.p as f64 / n as f64);
        let edge = (1.0 + r.sqrt()).powi(2) * (1.0 + y.sqrt()).powi(2);
        let c = match self.integrator {
            Integrator::Rk4 | Integrator::Adaptive => 0.2,
            Integrator::Euler => 0.02,
        };
        // With a covariance the top of S scales with the top of Sigma.
        let smax = self
            .covariance_active()
            .map_or(1.0, |c| c.iter().fold(1.0f64, |m, &x| m.max(x)));
        c / (edge * smax)
    }

    /// The step in use.
    pub fn dtau(&self) -> f64 {
        self.dtau.unwrap_or_else(|| self.default_dtau())
    }

    pub(crate) fn job(&self) -> Result<Job, SimError> {
        if self.p == 0 || self.h == 0 || self.n == Some(0) {
            return Err(SimError::InvalidParameter {
                name: "p/H/N",
                reason: "dimensions must be >= 1".into(),
            });
        }
        validate_common(self.tau_max, self.dtau, &self.record, self.seeds)?;
        if let Some(c) = &self.covariance {
            if c.len() != self.p
                || c.iter().any(|x| !(x.is_finite() && *x >= 0.0))
                || !c.iter().any(|&x| x > 0.0)
            {
                return Err(SimError::InvalidParameter {
                    name: "covariance",
                    reason: format!(
                        "need p = {} finite eigenvalues >= 0, not all 0 (got {})",
                        self.p,
                        c.len()
                    ),
                });
            }
        }
        let cov = self.covariance_active().map(<[f64]>::to_vec);
        let tol = self.tol.unwrap_or(
            (0.1 / (self.p as f64 * (self.seeds.max(1) as f64).sqrt())).clamp(1e-9, 1e-3),
        );
        Job::new(
            Setup {
                p: self.p,
                h: self.h,
                n: self.n,
                sigma2: 1.0 / self.p as f64,
                lin2: 0.0,
                mode: self.mode,
                sampler: self.sampler,
                side: None,
                covariance: cov.clone(),
            },
            if cov.is_some() && self.n.is_none() {
                LossMap::FreePopIsTrain
            } else {
                LossMap::Free
            },
            self.integrator,
            record_times(&self.record, self.tau_max),
            self.dtau,
            self.default_dtau(),
            tol,
            self.seeds,
            self.seed,
        )
    }
}

/// Integrate the reduced free flow for an ensemble (see the module docs). Cost per step: one
/// (Euler) or four (RK4) field evaluations of the fast engine, O(min(H, p)^2 max(H, p)) or less.
pub fn free_flow(params: &FreeFlowParams) -> Result<FreeFlowResult, SimError> {
    free_flow_with_progress(params, &|_| {})
}

/// [`free_flow`] with a progress callback (steps, summed over runs).
pub fn free_flow_with_progress(
    params: &FreeFlowParams,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<FreeFlowResult, SimError> {
    run_job(&params.job()?, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_closed_form() {
        // S = I: l/q^2 = (1/2p) sum m^2/(1 + 4 tau m)^2 per sample; at tau = 0 the mean is
        // r(1 + r)/2 + r/(2p) (E tr M^2 / p = sigma2^2 H (H + p + 1) / p with sigma2 = 1/p).
        let (p, h) = (200, 100);
        let mut fp = FreeFlowParams::new(p, h, None, 0.5);
        fp.record = Record::Uniform(5);
        fp.seeds = 40;
        let res = free_flow(&fp).unwrap();
        let r = h as f64 / p as f64;
        let c0 = r * (r + 1.0 + 1.0 / p as f64) / 2.0;
        assert!((res.pop_mean[0] - c0).abs() < 4.0 * res.pop_sem[0] + 1e-12);
        assert_eq!(res.train_mean, res.pop_mean);
        // Decreasing.
        assert!(res.pop_mean.windows(2).all(|w| w[1] < w[0]));
    }
}
