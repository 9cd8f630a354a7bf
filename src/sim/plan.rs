//! Engine plans: which engine a run will use and what it costs, decided without random draws.
//!
//! Engine choice is made here and only here. [`plan`] looks at (p, H, N, mode, integrator) and
//! returns an [`EnginePlan`]; [`build`](super::build) draws the initial state of one run for
//! exactly that plan. Cost estimates ([`estimate`]) and every resource guard therefore see the
//! engine that really runs (as faer keeps its `_req` functions beside its kernels).
//!
//! # Engines and their costs (flops of one field evaluation V(W))
//!
//! With N' = min(N, p) nonzero eigenvalues of S:
//!
//! | engine | state | H-side | p-side |
//! |---|---|---|---|
//! | [`EngineKind::Diagonal`] (fast, S = I) | min(H, p) eigenvalues of M | 12 min(H, p) | - |
//! | [`EngineKind::Reduced`] (fast, H < p) | H x p against diag S | 3 H^2 (p + N') | 3 H N' (2p - N') |
//! | [`EngineKind::DataSpan`] (fast, N < p, H <= p - N) | H x (N + H) | 3 H^2 (2N + H) | 3 H N (N + 2H) |
//! | [`EngineKind::Bartlett`] (fast, H >= p) | p x p factor R, R^T R ~ A | 3 p^2 (p + N') | 3 p N' (2p - N') |
//! | [`EngineKind::PhysicalIdentity`] | H x p, S = I | 3 H^2 p | 3 H p^2 |
//! | [`EngineKind::PhysicalIdentity`] with Sigma (N = inf) | H x p, S = Sigma diagonal | 6 H^2 p + H p | 3 H p^2 + 3 p^2 |
//! | [`EngineKind::PhysicalDense`] | H x p, S formed once | 2 H p^2 + 6 H^2 p | 3 H p^2 + 2 p^3 |
//! | [`EngineKind::PhysicalSamples`] | H x p, data X | 4 H p N + 5 H^2 p + H^2 N | 10 H p N |
//!
//! The reduced engines use the cheaper side; the physical mode forms S = X X^T / N once
//! (p^2 N flops) when a dense-S association is cheaper per step than the data associations.
//!
//! # With a covariance Sigma != I (THEORY 9.4)
//!
//! * Fast, N = infinity: S = Sigma is diagonal; [`EngineKind::Reduced`] (H < p) or
//!   [`EngineKind::Bartlett`] (H >= p) against its p eigenvalues, l_pop = l_tr. No extra cost.
//! * Fast, finite N: the same engines as for Sigma = I (the step costs above), but the spectrum of
//!   S comes from X = Sigma^{1/2} Z with eigenvectors, [`rotated_spectrum_flops`] once per run
//!   (N >= p: p^2 N + ~9 p^3; N < p: N^2 p + ~9 N^3 + 2 p N^2), instead of the bidiagonal model;
//!   and each record adds [`super::engines::SigmaPop::record_flops`] (2 h^2 p' for an h x p'
//!   state) for the population loss with diag(U^T Sigma U) ([`EnginePlan::record_flops`]).
//! * Physical: X = Sigma^{1/2} Z (p N more at setup), the same routes, and the same record cost
//!   for the exact population loss with Sigma.
//!
//! # Steps
//!
//! Euler and RK4 take the steps of the fixed schedule (see [`super::SimParams::dt`]); their step
//! count is exact. The adaptive pair's count is an a-priori estimate, see
//! [`adaptive_steps_estimate`].

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::engines::Side;
use super::setup::Setup;
use super::{Integrator, Mode, SimError, SimParams, SpectrumMethod};

/// The engine a run uses (one variant per real engine).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EngineKind {
    /// Fast mode, N = infinity (S = I): the eigenvalues of M = W W^T evolve independently.
    /// (With a covariance, N = infinity uses [`EngineKind::Reduced`] or
    /// [`EngineKind::Bartlett`] against S = Sigma.)
    Diagonal,
    /// Fast mode, finite N, H < p (and not [`EngineKind::DataSpan`]): W (H x p) against the
    /// diagonal of the eigenvalues of S.
    Reduced,
    /// Fast mode, N < p and H <= p - N: the data span W_s (H x N) plus the H x H Bartlett factor
    /// of the null block's Gram matrix, an H x (N + H) state.
    DataSpan,
    /// Fast mode, finite N, H >= p: the p x p Bartlett factor R of A = W^T W (cost independent
    /// of H).
    Bartlett,
    /// Physical mode, N = infinity: W (H x p), S = I (with a covariance: S = Sigma diagonal).
    PhysicalIdentity,
    /// Physical mode, S = X X^T / N formed once (p x p).
    PhysicalDense,
    /// Physical mode with the p x N data matrix X.
    PhysicalSamples,
}

impl EngineKind {
    /// True for the physical-mode engines.
    pub fn is_physical(self) -> bool {
        matches!(
            self,
            EngineKind::PhysicalIdentity | EngineKind::PhysicalDense | EngineKind::PhysicalSamples
        )
    }
}

/// What one run will do and what it costs. Built by [`plan`] without random draws.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnginePlan {
    /// The engine.
    pub engine: EngineKind,
    /// The association of the products ([`Side::H`]: H x H Gram matrices; [`Side::P`]: p-side
    /// blocks). [`EngineKind::Diagonal`] reports [`Side::H`] (it evolves the eigenvalues of M).
    pub side: Side,
    /// Flops of one vector-field evaluation of this engine.
    pub flops_per_eval: f64,
    /// Field evaluations per step of the chosen integrator (Euler 1, RK4 4, adaptive
    /// Dormand-Prince 5(4): 6 per attempted step, first-same-as-last). 1 for the exact flows of
    /// [`EngineKind::Diagonal`].
    pub evals_per_step: usize,
    /// Flops of one step: `evals_per_step * flops_per_eval` plus the integrator's vector updates.
    pub flops_per_step: f64,
    /// Flops (and random-number equivalents, 20 flops per normal draw) of the per-run setup:
    /// the spectrum of S or of M, the initial weights, S = X X^T / N when formed.
    pub setup_flops: f64,
    /// Peak memory of one run in bytes (data, state, integrator stages, engine buffers).
    pub memory_bytes: f64,
    /// Shape (rows, columns) of the evolved state ((min(H, p), 1) for the eigenvalues).
    pub state: (usize, usize),
    /// Number of nonzero eigenvalues of S the engine carries (N' = min(N, p); p for S = I).
    pub nonzero_eigenvalues: usize,
    /// The integrator.
    pub integrator: Integrator,
    /// Whether the data covariance Sigma differs from I (THEORY 9): the fast mode then draws
    /// X = Sigma^{1/2} Z and rotates to the eigenbasis of S (setup), and the population loss
    /// needs Sigma's weights at each record ([`super::engines::SigmaPop`]).
    #[serde(default)]
    pub anisotropic: bool,
    /// Extra flops at each record time (the population loss with Sigma; 0 otherwise).
    #[serde(default)]
    pub record_flops: f64,
    /// N = infinity.
    #[serde(default)]
    pub infinite_n: bool,
}

/// The suffix of an engine description with a covariance Sigma != I (shared by
/// [`EnginePlan::describe`] and the built engine, so they always agree).
pub(crate) fn anisotropic_suffix(physical: bool, infinite_n: bool) -> &'static str {
    match (physical, infinite_n) {
        (_, true) => "; Sigma != I, N = inf: S = Sigma, l_pop = l_tr",
        (true, false) => "; Sigma != I: X = Sigma^1/2 Z, l_pop with Sigma",
        (false, false) => {
            "; Sigma != I: S = U D U^T from X = Sigma^1/2 Z, l_pop with diag(U^T Sigma U)"
        }
    }
}

impl EnginePlan {
    /// One-line description (engine, algorithm, shapes).
    pub fn describe(&self) -> String {
        let side = match self.side {
            Side::H => "H",
            Side::P => "p",
        };
        let (a, b) = self.state;
        let base = match self.engine {
            EngineKind::Diagonal => {
                format!("fast/diagonal: S = I, {a} eigenvalues of M evolve independently")
            }
            EngineKind::Reduced | EngineKind::DataSpan | EngineKind::Bartlett => format!(
                "fast/{} {side}-side: W {a}x{b} against diag S with {} nonzero eigenvalues",
                match self.engine {
                    EngineKind::Reduced => "reduced",
                    EngineKind::DataSpan => "data-span",
                    _ => "bartlett",
                },
                self.nonzero_eigenvalues
            ),
            EngineKind::PhysicalIdentity if self.anisotropic => {
                format!("physical (S = Sigma diagonal, {side}-side): W {a}x{b}")
            }
            EngineKind::PhysicalIdentity => format!("physical (S = I, {side}-side): W {a}x{b}"),
            EngineKind::PhysicalDense => format!("physical (dense S, {side}-side): W {a}x{b}"),
            EngineKind::PhysicalSamples => format!("physical (data X, {side}-side): W {a}x{b}"),
        };
        if self.anisotropic {
            let infinite_n = matches!(self.engine, EngineKind::PhysicalIdentity)
                || (!self.engine.is_physical() && self.infinite_n);
            format!(
                "{base}{}",
                anisotropic_suffix(self.engine.is_physical(), infinite_n)
            )
        } else {
            base
        }
    }
}

/// Flops of one field evaluation of the reduced engine on an h x pp state with ns nonzero
/// eigenvalues, for each side.
pub fn reduced_cost(h: usize, pp: usize, ns: usize, side: Side) -> f64 {
    let (h, p, n) = (h as f64, pp as f64, ns as f64);
    match side {
        Side::H => 3.0 * h * h * (p + n),
        Side::P => 3.0 * h * n * (2.0 * p - n),
    }
}

/// The cheaper side of the reduced engine (H-side on ties).
pub fn reduced_side(h: usize, pp: usize, ns: usize) -> Side {
    if reduced_cost(h, pp, ns, Side::P) < reduced_cost(h, pp, ns, Side::H) {
        Side::P
    } else {
        Side::H
    }
}

/// How the physical engine holds the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhysKind {
    /// S = I.
    Identity,
    /// S = Sigma = diag(s) (N = infinity with a covariance).
    Diagonal,
    /// S = X X^T / N, p x p.
    Dense,
    /// The data matrix X, p x N.
    Samples,
}

/// Flops of one field evaluation of the physical engine (`n` is N; ignored for S = I and dense S).
pub fn physical_cost(h: usize, p: usize, n: usize, kind: PhysKind, side: Side) -> f64 {
    let (h, p, n) = (h as f64, p as f64, n as f64);
    match (kind, side) {
        (PhysKind::Identity, Side::H) => 3.0 * h * h * p,
        (PhysKind::Identity, Side::P) => 3.0 * h * p * p,
        (PhysKind::Diagonal, Side::H) => 6.0 * h * h * p + h * p,
        (PhysKind::Diagonal, Side::P) => 3.0 * h * p * p + 3.0 * p * p,
        (PhysKind::Dense, Side::H) => 2.0 * h * p * p + 6.0 * h * h * p,
        (PhysKind::Dense, Side::P) => 3.0 * h * p * p + 2.0 * p * p * p,
        (PhysKind::Samples, Side::H) => 4.0 * h * p * n + 5.0 * h * h * p + h * h * n,
        (PhysKind::Samples, Side::P) => 10.0 * h * p * n,
    }
}

/// The cheaper side of a physical data representation (H-side on ties; for S = I the H-side
/// iff H <= p).
pub fn physical_side(h: usize, p: usize, n: usize, kind: PhysKind) -> Side {
    if kind == PhysKind::Identity {
        return if h <= p { Side::H } else { Side::P };
    }
    if physical_cost(h, p, n, kind, Side::H) <= physical_cost(h, p, n, kind, Side::P) {
        Side::H
    } else {
        Side::P
    }
}

/// For data given as samples (finite N): whether to form S once (dense) — when the cheaper dense
/// association beats the cheaper data association per step.
pub fn physical_kind(h: usize, p: usize, n: Option<usize>) -> PhysKind {
    match n {
        None => PhysKind::Identity,
        Some(n) => {
            let best =
                |k| physical_cost(h, p, n, k, Side::H).min(physical_cost(h, p, n, k, Side::P));
            if best(PhysKind::Dense) < best(PhysKind::Samples) {
                PhysKind::Dense
            } else {
                PhysKind::Samples
            }
        }
    }
}

/// Flop-equivalents of one standard normal draw (for setup costs).
const FLOPS_PER_NORMAL: f64 = 20.0;

/// Cost of the tridiagonal QL eigenvalue sweep ([`super::spectrum::tridiag_eigenvalues`]) per
/// m^2, in flops at the calibrated GEMM speed (the unit of every estimate here). The sweep is
/// serial scalar code with a `hypot` per Givens rotation, about m^2 rotations in all: measured
/// 69 ns per m^2 at m = 8000..12000 and 116 ns at m = 2000 on the shared 2-core machine (load
/// 7), against the calibrated 30 GFLOP/s: 2000 to 3500 GEMM flops. Counting it as 30 flops per
/// m^2 made setup-dominated runs (large min(N, p), small H) 50-100x more expensive than
/// estimated.
pub const QL_FLOPS_PER_M2: f64 = 2000.0;

/// Setup cost of the eigenvalues of a Wishart_m(k) matrix (m <= k) by `method`.
pub(crate) fn spectrum_flops(m: usize, k: usize, method: SpectrumMethod) -> f64 {
    let (m, k) = (m as f64, k as f64);
    match method {
        // 2m chi draws (~ k normals worth), tridiagonal QL.
        SpectrumMethod::Bidiagonal => FLOPS_PER_NORMAL * (m + k) + QL_FLOPS_PER_M2 * m * m,
        // m k normals, Gram m^2 k, Householder 4/3 m^3 + tridiagonal QL.
        SpectrumMethod::Dense => {
            FLOPS_PER_NORMAL * m * k + m * m * k + 1.4 * m * m * m + QL_FLOPS_PER_M2 * m * m
        }
    }
}

/// Setup cost with a covariance Sigma != I and finite N (fast mode): Z (p x N normals), then
/// for N >= p S = X X^T / N (p^2 N) and its eigenvectors (about 9 p^3), for N < p the Gram
/// X^T X / N (N^2 p), its eigenvectors (9 N^3) and the span directions X V (2 p N^2); plus the
/// weights diag(U^T Sigma U) (2 p min(p, N)).
pub fn rotated_spectrum_flops(p: usize, n: usize) -> f64 {
    let (pf, nf) = (p as f64, n as f64);
    let m = pf.min(nf);
    let base = FLOPS_PER_NORMAL * pf * nf + pf * nf + 2.0 * pf * m;
    if n >= p {
        base + pf * pf * nf + 9.0 * pf * pf * pf
    } else {
        base + nf * nf * pf + 9.0 * nf * nf * nf + 2.0 * pf * nf * nf
    }
}

/// Memory (in f64 entries) of that setup: X, the p x p or N x N matrix and its eigenvectors,
/// and X V for N < p.
fn rotated_spectrum_entries(p: usize, n: usize) -> f64 {
    let (pf, nf) = (p as f64, n as f64);
    let m = pf.min(nf);
    pf * nf + 3.0 * m * m + if n < p { pf * nf } else { 0.0 }
}

/// The plan of one run of `setup` with `integrator` (the single place where engines are chosen).
pub(crate) fn plan_setup(setup: &Setup, integrator: Integrator) -> EnginePlan {
    let Setup { p, h, n, .. } = *setup;
    let aniso = setup.covariance.is_some();
    let f8 = 8.0;
    // Integrator stage buffers (in state-sized arrays, including the state itself).
    let stage_arrays = match integrator {
        Integrator::Euler => 2.0,
        Integrator::Rk4 => 4.0,
        Integrator::Adaptive => 10.0,
    };
    // Vector-update flops per step, per state entry.
    let update_flops = match integrator {
        Integrator::Euler => 2.0,
        Integrator::Rk4 => 14.0,
        // Stages 2..7 combine 1..6 previous slopes (42 flops/entry), the error estimate 14 more.
        Integrator::Adaptive => 56.0,
    };
    let evals_per_step = |diag: bool| {
        if diag {
            1
        } else {
            match integrator {
                Integrator::Euler => 1,
                Integrator::Rk4 => 4,
                Integrator::Adaptive => 6,
            }
        }
    };
    let finish = |engine: EngineKind,
                  side: Side,
                  flops_per_eval: f64,
                  state: (usize, usize),
                  ns: usize,
                  setup_flops: f64,
                  extra_bytes: f64| {
        let diag = engine == EngineKind::Diagonal;
        let size = (state.0 * state.1) as f64;
        let evals = evals_per_step(diag);
        let (stages, upd) = if diag {
            (1.0, 0.0)
        } else {
            (stage_arrays, update_flops)
        };
        EnginePlan {
            engine,
            side,
            flops_per_eval,
            evals_per_step: evals,
            flops_per_step: evals as f64 * flops_per_eval + upd * size,
            setup_flops,
            memory_bytes: f8 * (stages * size) + extra_bytes,
            state,
            nonzero_eigenvalues: ns,
            integrator,
            anisotropic: aniso,
            record_flops: if aniso && n.is_some() {
                super::engines::SigmaPop::record_flops(state.0, state.1)
            } else {
                0.0
            },
            infinite_n: n.is_none(),
        }
    };
    match setup.mode {
        Mode::Fast if aniso && n.is_none() => {
            // S = Sigma = diag(s): the matrix engines against p eigenvalues.
            let (engine, hh, pp) = if h >= p {
                (EngineKind::Bartlett, p, p)
            } else {
                (EngineKind::Reduced, h, p)
            };
            let side = setup.side.unwrap_or_else(|| reduced_side(hh, pp, p));
            let bufs = match side {
                Side::H => 2.0 * (hh * hh) as f64 + (hh * p) as f64,
                Side::P => 2.0 * (p * pp) as f64,
            } + p as f64;
            finish(
                engine,
                side,
                reduced_cost(hh, pp, p, side),
                (hh, pp),
                p,
                FLOPS_PER_NORMAL * (hh * pp) as f64,
                f8 * bufs,
            )
        }
        Mode::Fast => match n {
            None => {
                let m = h.min(p);
                finish(
                    EngineKind::Diagonal,
                    Side::H,
                    12.0 * m as f64,
                    (m, 1),
                    p,
                    spectrum_flops(m, h.max(p), setup.sampler),
                    // Dense spectrum draws an H x p matrix and an m x m Gram matrix.
                    match setup.sampler {
                        SpectrumMethod::Bidiagonal => f8 * 4.0 * h.max(p) as f64,
                        SpectrumMethod::Dense => f8 * ((h * p) as f64 + (m * m) as f64),
                    },
                )
            }
            Some(nn) => {
                let ns = nn.min(p);
                let (engine, hh, pp) = if nn < p && h <= p - nn {
                    (EngineKind::DataSpan, h, nn + h)
                } else if h >= p {
                    (EngineKind::Bartlett, p, p)
                } else {
                    (EngineKind::Reduced, h, p)
                };
                let side = setup.side.unwrap_or_else(|| reduced_side(hh, pp, ns));
                let cost = reduced_cost(hh, pp, ns, side);
                let bufs = match side {
                    Side::H => 2.0 * (hh * hh) as f64 + (hh * ns) as f64,
                    Side::P => 2.0 * (ns * pp) as f64,
                } + match engine {
                    // tr M^2 of the null block on the p side uses a Gram buffer.
                    _ if side == Side::P && ns < pp => {
                        let k = hh.min(pp - ns);
                        (k * k) as f64
                    }
                    _ => 0.0,
                };
                let spec_mem = match setup.sampler {
                    _ if aniso => rotated_spectrum_entries(p, nn) + pp as f64,
                    SpectrumMethod::Bidiagonal => 4.0 * p.max(nn) as f64,
                    SpectrumMethod::Dense => (p * nn) as f64 + (ns * ns) as f64,
                } + if aniso {
                    // The population-weight buffers of SigmaPop.
                    if hh <= pp {
                        (hh * pp + 2 * hh * hh) as f64
                    } else {
                        (pp * pp) as f64
                    }
                } else {
                    0.0
                };
                let spec_flops = if aniso {
                    rotated_spectrum_flops(p, nn)
                } else {
                    spectrum_flops(ns, p.max(nn), setup.sampler)
                };
                let setup_flops = spec_flops + FLOPS_PER_NORMAL * (hh * pp) as f64;
                finish(
                    engine,
                    side,
                    cost,
                    (hh, pp),
                    ns,
                    setup_flops,
                    f8 * (bufs + spec_mem),
                )
            }
        },
        Mode::Physical => {
            let kind = match physical_kind(h, p, n) {
                PhysKind::Identity if aniso => PhysKind::Diagonal,
                k => k,
            };
            let nn = n.unwrap_or(0);
            let side = physical_side(h, p, nn, kind);
            let cost = physical_cost(h, p, nn, kind, side);
            let (hf, pf, nf) = (h as f64, p as f64, nn as f64);
            let (engine, bufs, setup_extra) = match kind {
                PhysKind::Diagonal => (
                    EngineKind::PhysicalIdentity,
                    pf + match side {
                        Side::H => hf * pf + 2.0 * hf * hf,
                        Side::P => 2.0 * pf * pf,
                    },
                    0.0,
                ),
                PhysKind::Identity => (
                    EngineKind::PhysicalIdentity,
                    match side {
                        Side::H => hf * hf,
                        Side::P => pf * pf,
                    },
                    0.0,
                ),
                PhysKind::Dense => (
                    EngineKind::PhysicalDense,
                    // X while S is formed, S, and the route's buffers.
                    pf * nf
                        + pf * pf
                        + match side {
                            Side::H => hf * pf + 2.0 * hf * hf,
                            Side::P => 3.0 * pf * pf,
                        },
                    pf * pf * nf,
                ),
                PhysKind::Samples => (
                    EngineKind::PhysicalSamples,
                    pf * nf
                        + match side {
                            Side::H => hf * nf + hf * pf + 2.0 * hf * hf,
                            Side::P => 2.0 * hf * nf + pf * nf + hf.min(pf).powi(2),
                        },
                    0.0,
                ),
            };
            let sigma_pop_bufs = if aniso && n.is_some() {
                if h <= p {
                    hf * pf + 2.0 * hf * hf
                } else {
                    pf * pf
                }
            } else {
                0.0
            };
            let bufs = bufs + sigma_pop_bufs;
            // Scaling X by Sigma^{1/2} (p N).
            let setup_flops = FLOPS_PER_NORMAL * (pf * nf + hf * pf)
                + setup_extra
                + if aniso { pf * nf } else { 0.0 };
            finish(
                engine,
                side,
                cost,
                (h, p),
                n.map_or(p, |nn| nn.min(p)),
                setup_flops,
                f8 * bufs,
            )
        }
    }
}

/// The plan of every run of `params` (all runs use the same engine). No random draws.
pub fn plan(params: &SimParams) -> Result<EnginePlan, SimError> {
    params.validate()?;
    Ok(plan_setup(&super::setup_of(params), params.integrator))
}

/// Cost of a whole ensemble.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostEstimate {
    /// The plan every run uses.
    pub plan: EnginePlan,
    /// Steps per run (exact for Euler and RK4; an a-priori estimate for the adaptive pair, see
    /// [`adaptive_steps_estimate`]).
    pub steps_per_run: f64,
    /// Number of runs.
    pub runs: usize,
    /// Total flops: runs x (setup + steps x flops per step + records x record flops).
    pub flops: f64,
    /// Peak memory of the ensemble: one run's peak times the runs that execute at once
    /// (min(runs, rayon threads)).
    pub memory_bytes: f64,
}

/// Cost of the ensemble `params` (no random draws).
pub fn estimate(params: &SimParams) -> Result<CostEstimate, SimError> {
    let plan = plan(params)?;
    let steps = steps_per_run(params, &plan);
    let runs = params.seeds;
    let records = params.record_times().len() as f64;
    let flops = runs as f64
        * (plan.setup_flops + steps * plan.flops_per_step + records * plan.record_flops);
    let concurrent = runs.min(rayon::current_num_threads().max(1));
    Ok(CostEstimate {
        memory_bytes: plan.memory_bytes * concurrent as f64,
        plan,
        steps_per_run: steps,
        runs,
        flops,
    })
}

/// Steps per run of `params` under `plan`.
fn steps_per_run(params: &SimParams, plan: &EnginePlan) -> f64 {
    let times = params.record_times();
    match params.integrator {
        Integrator::Adaptive => {
            if plan.engine == EngineKind::Diagonal {
                // The exact flow jumps from record time to record time.
                times.iter().filter(|&&t| t > 0.0).count() as f64
            } else {
                adaptive_steps_estimate(params)
            }
        }
        _ => super::step_plan(params)
            .map(|s| s.iter().map(|x| x.0).sum::<u64>() as f64)
            .unwrap_or(f64::NAN),
    }
}

/// A-priori number of accepted steps of the adaptive pair for `params` (also used by callers
/// that budget before running; refine with a measured run when one is available).
///
/// The estimate runs the same step-size controller, at the same tolerance, on a scalar surrogate
/// of the flow: the singular values w of W along eigendirections of S with eigenvalue s follow
/// dw/dt = s (2 w - 2 w^3) when the singular vectors align with those of S. We integrate it for
/// w0 at both edges of the initial singular spectrum, sqrt(q) (1 -+ sqrt r) (clamped above 0),
/// and s at both edges of Marchenko-Pastur, (1 -+ sqrt(1/alpha))^2 (s = 1 for N = infinity;
/// for N < p the lower edge is replaced by the smallest nonzero one), and take the largest step
/// count. The surrogate has the same stiffness scale (4 s max(w^2, 1)) and the same transients
/// (decay from large init, growth from small init) as the matrix flow, so the count has the
/// right dependence on q, alpha and t_max; it is cheap (microseconds) and deterministic.
pub fn adaptive_steps_estimate(params: &SimParams) -> f64 {
    let tol = params.tol();
    let q = params.q();
    let r = params.r();
    let y = params.inv_alpha();
    let s_edges: Vec<f64> = if params.n.is_none() {
        vec![1.0]
    } else {
        let lo = (1.0 - y.sqrt()).powi(2).max(1e-3);
        vec![lo, (1.0 + y.sqrt()).powi(2)]
    };
    // With a covariance the spectrum of S stretches with Sigma's (top and smallest positive
    // eigenvalue; Sigma = I leaves the edges unchanged).
    let s_edges: Vec<f64> = match params.covariance_active() {
        None => s_edges,
        Some(c) => {
            let hi = c.iter().fold(0.0f64, |m, &x| m.max(x));
            let lo = c
                .iter()
                .filter(|&&x| x > 0.0)
                .fold(f64::INFINITY, |m, &x| m.min(x))
                .max(1e-3 * hi);
            vec![s_edges[0] * lo, s_edges[s_edges.len() - 1] * hi]
        }
    };
    let w_edges = [
        (q.sqrt() * (1.0 - r.sqrt()).abs()).max(1e-3 * q.sqrt()),
        q.sqrt() * (1.0 + r.sqrt()),
    ];
    let times = params.record_times();
    let mut best: f64 = 0.0;
    let mut ys = Vec::new();
    for &s in &s_edges {
        for &w in &w_edges {
            ys.push((s, w));
        }
    }
    let lin2 = 2.0;
    // dw/dt = -Phi'(w) with Phi = (s/2) (1 - w^2)^2, the loss of the direction.
    let field = |state: &[f64], out: &mut [f64]| -> f64 {
        let mut phi = 0.0;
        for (i, &(s, _)) in ys.iter().enumerate() {
            let w = state[i];
            out[i] = s * (lin2 * w - 2.0 * w * w * w);
            phi += 0.5 * s * (1.0 - w * w).powi(2);
        }
        phi
    };
    let y0: Vec<f64> = ys.iter().map(|x| x.1).collect();
    // Each scalar is controlled on its own (the matrix controller's error norm is dominated by
    // the stiffest direction); the steps of the stiffest one count.
    for i in 0..y0.len() {
        let f1 = |st: &[f64], out: &mut [f64]| -> f64 {
            let mut full = vec![0.0; ys.len()];
            let mut o = vec![0.0; ys.len()];
            full[i] = st[0];
            field(&full, &mut o);
            out[0] = o[i];
            0.5 * ys[i].0 * (1.0 - st[0] * st[0]).powi(2)
        };
        let (acc, _rej) = super::adaptive::count_steps(&f1, &[y0[i]], &times, tol);
        best = best.max(acc as f64);
    }
    best.max(times.iter().filter(|&&t| t > 0.0).count() as f64)
}

/// Fallback machine speed when calibration is impossible (flops per second).
pub const FALLBACK_FLOPS_PER_SEC: f64 = 2.0e9;

/// Speed of the real dense kernel on this machine, in flops per second, with all the threads of
/// the current rayon pool. Measured once per machine by a short calibration (< 0.3 s) of the GEMM
/// used by the engines and cached in `$XDG_CACHE_HOME/prism/` (or `~/.cache/prism/`) under a key
/// of host name, CPU count and prism version; also cached in-process. Never fails:
/// [`FALLBACK_FLOPS_PER_SEC`] when nothing can be measured.
pub fn machine_flops_per_sec() -> f64 {
    static CACHE: OnceLock<f64> = OnceLock::new();
    *CACHE.get_or_init(|| {
        let file = cache_file();
        if let Some(f) = &file {
            if let Some(v) = std::fs::read_to_string(f)
                .ok()
                .and_then(|s| s.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v > 0.0)
            {
                return v;
            }
        }
        let v = calibrate();
        if let Some(f) = &file {
            if let Some(dir) = f.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = std::fs::write(f, format!("{v:e}\n"));
        }
        v
    })
}

fn cache_file() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into());
    let host: String = host
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    Some(base.join("prism").join(format!(
        "flops-{host}-{cpus}cpu-threads{}-v{}.txt",
        rayon::current_num_threads(),
        env!("CARGO_PKG_VERSION")
    )))
}

/// Time GEMMs of order 256 through the engines' kernel for about 0.15 s; the best rate.
fn calibrate() -> f64 {
    use ndarray::Array2;
    let n = 256;
    let a = Array2::from_shape_fn((n, n), |(i, j)| {
        ((i * 31 + j * 17) % 23) as f64 / 23.0 - 0.5
    });
    let b = Array2::from_shape_fn((n, n), |(i, j)| ((i * 13 + j * 7) % 19) as f64 / 19.0 - 0.5);
    let mut c = Array2::<f64>::zeros((n, n));
    let flops = 2.0 * (n as f64).powi(3);
    let start = Instant::now();
    let mut best = f64::INFINITY;
    let mut reps = 0;
    while reps < 2 || (start.elapsed().as_secs_f64() < 0.15 && reps < 50) {
        let t0 = Instant::now();
        super::linalg::gemm(1.0, a.view(), b.view(), 0.0, c.view_mut());
        best = best.min(t0.elapsed().as_secs_f64());
        reps += 1;
    }
    if c[[0, 0]].is_finite() && best > 0.0 && best.is_finite() {
        flops / best
    } else {
        FALLBACK_FLOPS_PER_SEC
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{engine_for, Record};

    /// The setup estimate of the bidiagonal spectrum is not far below the real time of the
    /// QL sweep on this machine (it was 50-70x low): time one draw at m = 2000 and compare
    /// with the estimate at the calibrated speed. The bound (5x) leaves room for a loaded
    /// machine; the old model fails it by an order of magnitude. A timing check, so it is run
    /// explicitly (`cargo test --release --lib spectrum_setup -- --ignored`), not in CI.
    #[test]
    #[ignore = "timing check: run explicitly on a quiet machine"]
    fn spectrum_setup_estimate_is_not_far_below_the_real_time() {
        use rand::SeedableRng;
        let (m, k) = (2000, 1_000_000);
        let est = spectrum_flops(m, k, SpectrumMethod::Bidiagonal) / machine_flops_per_sec();
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
        let t0 = Instant::now();
        let ev = super::super::spectrum::wishart_eigenvalues(m, k, &mut rng).unwrap();
        let real = t0.elapsed().as_secs_f64();
        assert_eq!(ev.len(), m);
        assert!(
            real <= 5.0 * est,
            "QL setup took {real:.3} s, estimated {est:.4} s"
        );
    }

    /// plan's engine equals the engine build really constructs, over a grid of shapes and modes
    /// (S = I, H >= p, N < p with and without the data span, both sides, physical routes).
    #[test]
    fn plan_matches_built_engine() {
        let shapes: &[(usize, usize, Option<usize>)] = &[
            (20, 5, None),
            (20, 40, None),
            (20, 20, None),
            (30, 10, Some(60)),
            (30, 10, Some(12)),
            (30, 25, Some(12)),
            (30, 45, Some(12)),
            (30, 45, Some(60)),
            (30, 30, Some(30)),
            (40, 2, Some(200)),
            (40, 39, Some(1)),
            (12, 3, Some(2)),
            (50, 49, Some(400)),
        ];
        for &(p, h, n) in shapes {
            for mode in [Mode::Fast, Mode::Physical] {
                for integ in [Integrator::Euler, Integrator::Rk4, Integrator::Adaptive] {
                    let mut params = SimParams::new(p, h, 0.5 / p as f64, 0.1).with_n(n);
                    params.mode = mode;
                    params.integrator = integ;
                    params.record = Record::Uniform(2);
                    let pl = plan(&params).unwrap();
                    let eng = engine_for(&params, 0).unwrap();
                    assert_eq!(pl.engine, eng.kind(), "{p} {h} {n:?} {mode:?}");
                    assert_eq!(pl.side, eng.side(), "{p} {h} {n:?} {mode:?}");
                    assert_eq!(pl.state, eng.state_dim(), "{p} {h} {n:?} {mode:?}");
                    assert_eq!(pl.flops_per_eval, eng.flops(), "{p} {h} {n:?} {mode:?}");
                    assert_eq!(pl.describe(), eng.describe(), "{p} {h} {n:?} {mode:?}");
                }
            }
        }
    }

    #[test]
    fn plan_engine_choices() {
        let k = |p, h, n: Option<usize>, mode| {
            let mut s = SimParams::new(p, h, 1.0 / p as f64, 1.0).with_n(n);
            s.mode = mode;
            plan(&s).unwrap().engine
        };
        assert_eq!(k(100, 50, None, Mode::Fast), EngineKind::Diagonal);
        assert_eq!(k(100, 200, Some(400), Mode::Fast), EngineKind::Bartlett);
        assert_eq!(k(100, 20, Some(50), Mode::Fast), EngineKind::DataSpan);
        assert_eq!(k(100, 80, Some(50), Mode::Fast), EngineKind::Reduced);
        assert_eq!(k(100, 80, Some(500), Mode::Fast), EngineKind::Reduced);
        assert_eq!(
            k(100, 80, None, Mode::Physical),
            EngineKind::PhysicalIdentity
        );
        assert_eq!(
            k(100, 80, Some(5000), Mode::Physical),
            EngineKind::PhysicalDense
        );
        assert_eq!(
            k(100, 10, Some(20), Mode::Physical),
            EngineKind::PhysicalSamples
        );
        // The H >= p engine's cost does not depend on H.
        let c = |h| {
            plan(&SimParams::new(100, h, 0.01, 1.0).with_n(Some(300)))
                .unwrap()
                .flops_per_eval
        };
        assert_eq!(c(100), c(10_000));
    }

    #[test]
    fn estimate_counts_fixed_steps() {
        let mut s = SimParams::new(100, 50, 0.01, 1.0).with_n(Some(200));
        s.record = Record::Uniform(10);
        s.dt = Some(0.01);
        s.seeds = 3;
        let e = estimate(&s).unwrap();
        assert_eq!(e.steps_per_run, 100.0);
        assert_eq!(e.runs, 3);
        let per = e.plan.setup_flops + 100.0 * e.plan.flops_per_step;
        assert!((e.flops - 3.0 * per).abs() <= 1e-9 * e.flops);
        s.integrator = Integrator::Rk4;
        let e4 = estimate(&s).unwrap();
        assert_eq!(e4.plan.evals_per_step, 4);
        assert!(e4.flops > 3.9 * e.flops - 3.0 * e.plan.setup_flops * 4.0);
    }

    #[test]
    fn machine_speed_is_positive() {
        let v = machine_flops_per_sec();
        assert!(v.is_finite() && v > 0.0);
    }
}
