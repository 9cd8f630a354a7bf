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
//!
//! # A covariance Sigma != I (THEORY 9.4)
//!
//! Sigma = diag(s) without loss of generality (W0 is rotation invariant). With finite N the
//! fast mode draws Z (p x N), X = Sigma^{1/2} Z and S = X X^T / N = U D U^T
//! ([`rotated_spectrum`]). The run against diag(D) from W0 (W0 U has the law of W0 and is
//! independent of (U, D)) gives the train loss, and the population loss needs
//! Sigma' = U^T Sigma U in that basis; by the sign-flip argument of
//! [`super::engines::SigmaPop`] its diagonal is enough for an unbiased per-run value with no
//! larger variance. The bidiagonal and Marchenko-Pastur shortcuts describe S only when Sigma = I,
//! so with Sigma != I the spectrum of S always comes from X (the `spectrum` sampler setting is
//! not used). With N = infinity, S = Sigma is already diagonal and l_pop = l_tr. The physical
//! mode uses X = Sigma^{1/2} Z in the original basis (S = Sigma for N = infinity) and the exact
//! population loss with Sigma.

use ndarray::Array2;
use rand::rngs::ChaCha8Rng;

use super::engines::{
    dense_covariance, DiagEngine, MatField, MatIntegrator, PhysData, PhysicalEngine, ReducedEngine,
    Side, SigmaPop, Traces,
};
use super::linalg::{gemm, syrk};
use super::plan::{EngineKind, EnginePlan};
use super::spectrum::{
    bartlett_lower, bartlett_upper, gaussian, sym_eigen, sym_eigenvalues, wishart_eigenvalues,
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
    pub sampler: SpectrumMethod,
    pub side: Option<Side>,
    /// The eigenvalues of Sigma (length p), `None` for Sigma = I.
    pub covariance: Option<Vec<f64>>,
}

/// A ready-to-step engine (the initial state of one run and its algorithm), built for an
/// [`EnginePlan`].
pub struct Stepper {
    /// The engine kind of the plan it was built for.
    kind: EngineKind,
    /// Appended to the description (Sigma != I).
    suffix: &'static str,
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
        let base = match &self.body {
            StepperBody::Diag(d) => format!(
                "fast/diagonal: S = I, {} eigenvalues of M evolve independently",
                d.m.len()
            ),
            StepperBody::Mat(m) => m.f.describe(),
        };
        format!("{base}{}", self.suffix)
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

/// The spectrum of S = X X^T / N with X = Sigma^{1/2} Z (Z p x N standard Gaussian, drawn row by
/// row; Sigma = diag(`sigma`)) and the population weights of its eigenvectors: returns
/// (`lam`, `c`) with `lam` the min(p, N) leading eigenvalues of S (ascending for N >= p; the
/// Gram order for N < p) and `c_j = u_j^T Sigma u_j` (the diagonal of U^T Sigma U).
///
/// N >= p: S (p^2 N flops) and its eigenvectors (O(p^3)). N < p: the nonzero spectrum through the
/// N x N Gram G = X^T X / N = V D V^T (N^2 p + O(N^3)); the unit eigenvectors of S are
/// u_j = X v_j / sqrt(N d_j), so c_j = |Sigma^{1/2} X v_j|^2 / (N d_j) (2 p N^2 for X V).
/// Directions with d_j <= 1e-13 max(d) (Sigma with zero eigenvalues: rank below N) are in the
/// null space of S; they get lam_j = 0 and `c_j = NAN`, for the caller to give them the null
/// weight.
pub fn rotated_spectrum<R: rand::Rng + ?Sized>(
    sigma: &[f64],
    n: usize,
    rng: &mut R,
) -> Result<(Vec<f64>, Vec<f64>), SimError> {
    let p = sigma.len();
    let mut x = gaussian(p, n, 1.0, rng);
    for (mut row, s) in x.rows_mut().into_iter().zip(sigma) {
        let r = s.sqrt();
        row.mapv_inplace(|z| z * r);
    }
    let inv_n = 1.0 / n as f64;
    if n >= p {
        let s = dense_covariance(&x);
        let (d, u) = sym_eigen(s)?;
        let c: Vec<f64> = (0..p)
            .map(|j| u.column(j).iter().zip(sigma).map(|(v, s)| s * v * v).sum())
            .collect();
        Ok((d.into_iter().map(|x| x.max(0.0)).collect(), c))
    } else {
        let mut g = Array2::zeros((n, n));
        syrk(inv_n, x.t(), g.view_mut());
        let (d, v) = sym_eigen(g)?;
        let mut xv = Array2::zeros((p, n));
        gemm(1.0, x.view(), v.view(), 0.0, xv.view_mut());
        let dmax = d.iter().fold(0.0f64, |m, &x| m.max(x));
        let lam: Vec<f64> = d
            .iter()
            .map(|&x| if x > 1e-13 * dmax { x } else { 0.0 })
            .collect();
        let c = (0..n)
            .map(|j| {
                if lam[j] == 0.0 {
                    return f64::NAN;
                }
                let q: f64 = xv.column(j).iter().zip(sigma).map(|(y, s)| s * y * y).sum();
                q * inv_n / lam[j]
            })
            .collect();
        Ok((lam, c))
    }
}

/// The population weights of a fast-mode state with `cols` columns, the first of which carry
/// the weights `c` of the span of S (NAN: a null direction): the rest (the null block of S, or
/// the data-span engine's Bartlett columns) and the NAN ones get the null weight
/// (tr Sigma - sum of the span weights) / (p - number of span directions) (see
/// [`SigmaPop`]).
fn population_weights(c: &[f64], cols: usize, p: usize, tr_sigma: f64) -> Vec<f64> {
    let span: Vec<f64> = c.iter().copied().filter(|x| !x.is_nan()).collect();
    let null_dims = p - span.len();
    let null_w = if null_dims > 0 {
        ((tr_sigma - span.iter().sum::<f64>()) / null_dims as f64).max(0.0)
    } else {
        0.0
    };
    let mut out: Vec<f64> = c
        .iter()
        .map(|&x| if x.is_nan() { null_w } else { x })
        .collect();
    out.resize(cols, null_w);
    out
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
    let suffix = match &setup.covariance {
        Some(_) => super::plan::anisotropic_suffix(plan.engine.is_physical(), n.is_none()),
        None => "",
    };
    let mat = |f: Box<dyn MatField>, w| Stepper {
        kind: plan.engine,
        suffix,
        body: StepperBody::Mat(MatIntegrator::new(f, w)),
    };
    if let (Some(sigma), false) = (&setup.covariance, plan.engine.is_physical()) {
        let tr_sigma: f64 = sigma.iter().sum();
        // Fast mode with Sigma != I: S = Sigma (N = inf) or the rotated draw.
        let (lam, c) = match n {
            None => (sigma.clone(), None),
            Some(nn) => {
                let (lam, c) = rotated_spectrum(sigma, nn, rng)?;
                (lam, Some(c))
            }
        };
        let (w, label) = match plan.engine {
            EngineKind::DataSpan => {
                let nn = n.expect("finite N for the data-span engine");
                let gs = gaussian(h, nn, sd, rng);
                let l = bartlett_lower(h, p - nn, sd, rng);
                (ndarray::concatenate![ndarray::Axis(1), gs, l], "data-span")
            }
            EngineKind::Bartlett => (bartlett_upper(p, h, sd, rng), "bartlett"),
            EngineKind::Reduced => (gaussian(h, p, sd, rng), "reduced"),
            other => unreachable!("plan chose {other:?} for a covariance"),
        };
        let (hh, pp) = w.dim();
        let f = ReducedEngine::new(hh, pp, lam, lin2, Some(plan.side)).with_label(label);
        let f: Box<dyn MatField> = match c {
            None => Box::new(f),
            Some(c) => Box::new(SigmaPop::new(
                Box::new(f),
                population_weights(&c, pp, p, tr_sigma),
                tr_sigma,
            )),
        };
        return Ok(mat(f, w));
    }
    match plan.engine {
        EngineKind::Diagonal => {
            let (m, k) = (h.min(p), h.max(p));
            let ev = match setup.sampler {
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
                suffix,
                body: StepperBody::Diag(DiagEngine {
                    m: ev.into_iter().map(|x| x.max(0.0) * sigma2).collect(),
                    p: p as f64,
                    lin2,
                }),
            })
        }
        EngineKind::DataSpan | EngineKind::Bartlett | EngineKind::Reduced => {
            let nn = n.expect("finite N for the reduced engines");
            let lam = s_eigenvalues(p, nn, setup.sampler, rng)?;
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
            let data = match (n, &setup.covariance) {
                (None, None) => PhysData::Identity,
                (None, Some(sigma)) => PhysData::Diagonal {
                    s: ndarray::Array1::from(sigma.clone()),
                },
                (Some(n), cov) => {
                    let mut x = gaussian(p, n, 1.0, rng);
                    if let Some(sigma) = cov {
                        // X = Sigma^{1/2} Z.
                        for (mut row, s) in x.rows_mut().into_iter().zip(sigma) {
                            let r = s.sqrt();
                            row.mapv_inplace(|z| z * r);
                        }
                    }
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
            let f = Box::new(PhysicalEngine::with_side(h, p, data, lin2, plan.side));
            Ok(match (&setup.covariance, n) {
                // Finite N: the exact population loss with Sigma = diag(s).
                (Some(sigma), Some(_)) => mat(
                    Box::new(SigmaPop::new(f, sigma.clone(), sigma.iter().sum())),
                    w,
                ),
                _ => mat(f, w),
            })
        }
    }
}
