//! # prism
//!
//! Regime classification, exact loss expansions and limit checks for the weight-tied linear
//! autoencoder f(x) = W^T W x, W in R^{H x p}, trained by gradient flow on the train loss.
//!
//! The pipeline (data flows one way):
//!
//! * [`spec`]: parse a scaling specification (how p, H, sigma2, N grow with n).
//! * [`expansion`]: the exact formal loss expansion c_s = E[L^(s)(0)]/p, as polynomials.
//! * [`polytope`]: exact rational convex geometry, the exponent hierarchy, the prism and the
//!   face a scaling direction selects.
//! * [`map`]: exact phase maps (two-exponent slices of the normal fan) and the whole fan.
//! * [`regimes`]: the limiting loss evolution on each face (curves and exact series).
//! * [`sim`]: the numeric backend (gradient descent on the finite model).
//! * [`check`]: theory against simulation; the paper's claims.
//! * [`report`]: the documented output types (the schema of every `--json`, the tidy CSV).
//! * [`simulate`], [`limit`], [`expand`]: the `simulate`, `limit` and `expand` commands as library calls (options
//!   in, plan and estimate, documented report out), shared by the CLI and the Python package.
//! * [`budget`]: cost estimates and the resource limits that admit or refuse work.
//! * [`stats`]: means, standard errors, the bootstrap and control variates over runs.
//! * [`values`]: checked flag and keyword values (numbers, sizes, counts) for every front.
//! * [`progress`]: progress lines for long work, sent to a sink the front supplies.
//!
//! The mathematical specification is THEORY.md (shipped alongside the project).

#![warn(missing_docs)]

pub mod budget;
pub mod check;
pub mod expand;
pub mod expansion;
pub mod limit;
pub mod map;
pub mod pipeline;
pub mod plot;
pub mod poly;
pub mod polytope;
pub mod progress;
pub mod regimes;
pub mod report;
pub mod sim;
pub mod simulate;
pub mod spec;
pub mod stats;
pub mod values;
