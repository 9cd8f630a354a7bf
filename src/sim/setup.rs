//! Drawing the random initial state of one run and choosing its engine.
//!
//! # Why the fast mode is exact in distribution
//!
//! W0 (H x p, iid N(0, sigma2)) is independent of X, so for any orthogonal O independent of W0,
//! W0 O has the law of W0. With S = O diag(lam) O^T, the run started at (W0, S) and the run started
//! at (W0 O, diag(lam)) give the same losses (every trace is invariant), so the curves have the
//! same law when S is replaced by the diagonal of its eigenvalues (THEORY section 6). Two more
//! exact reductions are used:
//!
//! * **Left invariance.** V(Q W) = Q V(W) for orthogonal Q, and the losses depend on A = W^T W
//!   only. For H >= p we therefore evolve the p x p Bartlett factor R (R^T R ~ Wishart_p(H,
//!   sigma2 I), the law of A0), i.e. W = Q R with Q fixed: O(p^3) per step, independent of H.
//! * **Null block of S (N < p).** With S' = diag(lam_1..lam_N, 0..0) and W = [W_s, W_n], the
//!   Euler step reads W_s <- W_s + dt [2 W_s Lam - M W_s Lam - K W_s], W_n <- (I - dt K) W_n
//!   with K = W_s Lam W_s^T, M = W_s W_s^T + W_n W_n^T. So W_n enters only through
//!   M_n = W_n W_n^T and is only ever multiplied on the left. If H <= p - N we replace W_n by its
//!   H x H lower Bartlett factor L (L L^T ~ Wishart_H(p - N, sigma2 I), the law of M_n(0),
//!   independent of W_s): the state becomes H x (N + H), exact for Euler and for the flow.
//!
//! The eigenvalues of S come from the bidiagonal Dumitriu-Edelman model (default) or from a
//! dense X and a Householder-QL eigen-solve (`SpectrumMethod::Dense`).

use ndarray::Array2;
use rand::rngs::ChaCha8Rng;

use super::engines::{
    dense_covariance, DiagEngine, MatField, MatIntegrator, PhysData, PhysicalEngine, ReducedEngine,
    Side, Traces,
};
use super::linalg::syrk;
use super::plan::{EngineKind, EnginePlan};
use super::spectrum::{
    bartlett_lower, bartlett_upper, gaussian, sym_eigenvalues, wishart_eigenvalues,
};
use super::{Integrator, Mode, SimError, SpectrumMethod};

/// Everything that defines the law of one run (besides the seed).
#[derive(Clone, Debug)]
pub(crate) struct Setup {
    pub p: usize,
    pub h: usize,
    pub n: Option<usize>,
    pub sigma2: f64,
    pub lin2: f64,
    pub mode: Mode,
    pub spectrum: SpectrumMethod,
    pub side: Option<Side>,
}

/// A ready-to-step engine (the initial state of one run and its algorithm), built for an
/// [`EnginePlan`].
pub struct Stepper {
    /// The engine kind of the plan it was built for.
    kind: EngineKind,
    /// The engine and its state.
    pub body: StepperBody,
}

/// The engine of a [`Stepper`].
#[allow(clippy::large_enum_variant)]
pub enum StepperBody {
    /// S = I: independent eigenvalues.
    Diag(DiagEngine),
    /// A matrix state with a [`MatField`].
    Mat(MatIntegrator),
}

impl Stepper {
    /// The engine kind of the plan it was built for.
    pub fn kind(&self) -> EngineKind {
        self.kind
    }

    /// Traces of the current state.
    pub fn traces(&mut self, full: bool) -> Traces {
        match &mut self.body {
            StepperBody::Diag(d) => d.traces(),
            StepperBody::Mat(m) => m.traces(full),
        }
    }

    /// One fixed step; returns the traces of the state before it. For S = I the flow
    /// integrators (RK4, adaptive) use the exact flow over dt.
    pub fn step(&mut self, integ: Integrator, dt: f64, full: bool) -> Traces {
        match (&mut self.body, integ) {
            (StepperBody::Diag(d), Integrator::Euler) => d.euler(dt),
            (StepperBody::Diag(d), _) => d.flow(dt),
            (StepperBody::Mat(m), Integrator::Euler) => m.euler(dt, full),
            (StepperBody::Mat(m), _) => m.rk4(dt, full),
        }
    }

    /// One-line description of the engine (from the engine itself).
    pub fn describe(&self) -> String {
        match &self.body {
            StepperBody::Diag(d) => format!(
                "fast/diagonal: S = I, {} eigenvalues of M evolve independently",
                d.m.len()
            ),
            StepperBody::Mat(m) => m.f.describe(),
        }
    }

    /// Flops of one field evaluation (from the engine itself).
    pub fn flops(&self) -> f64 {
        match &self.body {
            StepperBody::Diag(d) => 12.0 * d.m.len() as f64,
            StepperBody::Mat(m) => m.f.flops(),
        }
    }

    /// The association the engine really uses.
    pub fn side(&self) -> Side {
        match &self.body {
            StepperBody::Diag(_) => Side::H,
            StepperBody::Mat(m) => m.f.side(),
        }
    }

    /// Shape of the evolved state ((number of eigenvalues, 1) for S = I).
    pub fn state_dim(&self) -> (usize, usize) {
        match &self.body {
            StepperBody::Diag(d) => (d.m.len(), 1),
            StepperBody::Mat(m) => m.w.dim(),
        }
    }
}

/// The nonzero eigenvalues of S = X X^T / N (min(p, N) of them).
pub(crate) fn s_eigenvalues(
    p: usize,
    n: usize,
    method: SpectrumMethod,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<f64>, SimError> {
    let (m, k) = (p.min(n), p.max(n));
    let mut ev = match method {
        SpectrumMethod::Bidiagonal => wishart_eigenvalues(m, k, rng)?,
        SpectrumMethod::Dense => {
            let x = gaussian(p, n, 1.0, rng);
            let mut g = Array2::zeros((m, m));
            if p <= n {
                syrk(1.0, x.view(), g.view_mut());
            } else {
                syrk(1.0, x.t(), g.view_mut());
            }
            let mut ev = sym_eigenvalues(g)?;
            for e in &mut ev {
                *e = e.max(0.0);
            }
            ev
        }
    };
    let inv = 1.0 / n as f64;
    for e in &mut ev {
        *e *= inv;
    }
    Ok(ev)
}

/// Draw the initial state of one run and build the engine `plan` prescribes (the engine choice
/// is made by [`super::plan`] only). Random numbers are drawn in a fixed order: the data
/// (spectrum or X) first, then the weights.
pub(crate) fn build_setup(
    plan: &EnginePlan,
    setup: &Setup,
    rng: &mut ChaCha8Rng,
) -> Result<Stepper, SimError> {
    let Setup {
        p,
        h,
        n,
        sigma2,
        lin2,
        ..
    } = *setup;
    let sd = sigma2.sqrt();
    let mat = |f: Box<dyn MatField>, w| Stepper {
        kind: plan.engine,
        body: StepperBody::Mat(MatIntegrator::new(f, w)),
    };
    match plan.engine {
        EngineKind::Diagonal => {
            let (m, k) = (h.min(p), h.max(p));
            let ev = match setup.spectrum {
                SpectrumMethod::Bidiagonal => wishart_eigenvalues(m, k, rng)?,
                SpectrumMethod::Dense => {
                    let w = gaussian(h, p, 1.0, rng);
                    let mut g = Array2::zeros((m, m));
                    if h <= p {
                        syrk(1.0, w.view(), g.view_mut());
                    } else {
                        syrk(1.0, w.t(), g.view_mut());
                    }
                    sym_eigenvalues(g)?
                }
            };
            Ok(Stepper {
                kind: plan.engine,
                body: StepperBody::Diag(DiagEngine {
                    m: ev.into_iter().map(|x| x.max(0.0) * sigma2).collect(),
                    p: p as f64,
                    lin2,
                }),
            })
        }
        EngineKind::DataSpan | EngineKind::Bartlett | EngineKind::Reduced => {
            let nn = n.expect("finite N for the reduced engines");
            let lam = s_eigenvalues(p, nn, setup.spectrum, rng)?;
            let (w, label) = match plan.engine {
                EngineKind::DataSpan => {
                    // [G_s | L]: Gaussian span block, Bartlett factor of the null block's Gram.
                    let gs = gaussian(h, nn, sd, rng);
                    let l = bartlett_lower(h, p - nn, sd, rng);
                    (ndarray::concatenate![ndarray::Axis(1), gs, l], "data-span")
                }
                EngineKind::Bartlett => (bartlett_upper(p, h, sd, rng), "bartlett"),
                _ => (gaussian(h, p, sd, rng), "reduced"),
            };
            let (hh, pp) = w.dim();
            let f = ReducedEngine::new(hh, pp, lam, lin2, Some(plan.side)).with_label(label);
            Ok(mat(Box::new(f), w))
        }
        EngineKind::PhysicalIdentity | EngineKind::PhysicalDense | EngineKind::PhysicalSamples => {
            let data = match n {
                None => PhysData::Identity,
                Some(n) => {
                    let x = gaussian(p, n, 1.0, rng);
                    if plan.engine == EngineKind::PhysicalDense {
                        PhysData::Dense {
                            s: dense_covariance(&x),
                        }
                    } else {
                        PhysData::Samples { x }
                    }
                }
            };
            let w = gaussian(h, p, sd, rng);
            Ok(mat(
                Box::new(PhysicalEngine::with_side(h, p, data, lin2, plan.side)),
                w,
            ))
        }
    }
}
