//! The exact formal loss expansion (THEORY sections 2 and 3).
//!
//! `E l(t) = sum_s c_s t^s / s!` with `c_s = E[L^(s)(0)] / p`, for the train and the population
//! loss, as exact polynomials in p, H, sigma2 and 1/N.
//!
//! * [`word`]: words in the letters A and S, canonical forms under rotation and reversal, the
//!   derivation D with `L^(s) = D^s L`.
//! * [`free`]: the leading (g = 0) part by free probability, [`leading_coefficients`],
//!   independent of the Wick engine.
//! * [`estimate`]: cost estimates and refusals for orders beyond the machine.

pub mod estimate;
pub mod fasthash;
pub mod free;
pub mod word;

pub use estimate::Refusal;
pub use free::leading_coefficients;

/// Errors of the expansion phase.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum ExpansionError {
    /// The requested order would exceed the machine (or the proven arithmetic bounds).
    #[error("{0}")]
    TooLarge(Refusal),
    /// An exact integer intermediate exceeded its checked fixed-width type.
    #[error("integer overflow in an exact intermediate (checked arithmetic)")]
    Overflow,
    /// A word exceeded the packed representation.
    #[error("word of length {len} exceeds the supported maximum")]
    WordTooLong {
        /// The length that was needed.
        len: usize,
    },
}
