//! The exact formal loss expansion (THEORY sections 2 and 3).
//!
//! `E l(t) = sum_s c_s t^s / s!` with `c_s = E[L^(s)(0)] / p`, for the train and the population
//! loss, as exact polynomials in p, H, sigma2 and 1/N.
//!
//! * [`word`]: words in the letters A and S, canonical forms under rotation and reversal, the
//!   derivation D with `L^(s) = D^s L`.
//! * [`free`]: the leading (g = 0) part by free probability, [`leading_coefficients`],
//!   independent of the Wick engine.
//! * [`wick`]: the exact expectation over W and X by integration by parts (all g), used by
//!   [`full_coefficients`].
//! * [`normalized`]: the view `(k, j, l, g)`, the structural checks and the [`Hierarchy`]
//!   built from computed supports.
//! * [`estimate`]: cost estimates and refusals for orders beyond the machine.

pub mod aniso;
pub mod estimate;
pub mod fasthash;
pub mod free;
pub mod full;
pub mod normalized;
pub mod wick;
pub mod word;

pub use estimate::Refusal;
pub use vars::{full_vars, leading_vars, norm_vars, LEADING_VARS};

/// The shared variable lists of the expansion's polynomials (one allocation each, so that
/// polynomials built from them meet the same-list fast path of [`crate::poly::Poly`]).
mod vars {
    use crate::poly::Vars;
    use std::sync::LazyLock;

    /// Variables of the leading polynomials: `r = H/p`, `q = sigma2 p`, `y = p/N`.
    pub const LEADING_VARS: [&str; 3] = ["r", "q", "y"];

    static FULL: LazyLock<Vars> = LazyLock::new(|| Vars::new(super::FULL_VARS));
    static LEADING: LazyLock<Vars> = LazyLock::new(|| Vars::new(LEADING_VARS));
    static NORM: LazyLock<Vars> = LazyLock::new(|| Vars::new(super::NORM_VARS));

    /// `p, H, sigma2, N`: the variables of the full coefficients ([`super::FULL_VARS`]).
    pub fn full_vars() -> Vars {
        FULL.clone()
    }

    /// `r, q, y`: the variables of the leading (g = 0) coefficients.
    pub fn leading_vars() -> Vars {
        LEADING.clone()
    }

    /// `r, q, y, eps` (eps = 1/p): the variables of the normalized view ([`super::NORM_VARS`]).
    pub fn norm_vars() -> Vars {
        NORM.clone()
    }
}
pub use free::leading_coefficients;
pub use full::{full_coefficient, full_coefficients, FULL_VARS};
pub use normalized::{
    check_full, check_full_order, check_leading, hierarchy_from_full, hierarchy_from_leading,
    leading_part, leading_to_raw, normalize, Check, StructureReport, NORM_VARS,
};

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

use crate::polytope::{Hierarchy, Loss};

/// Which computation to build a hierarchy from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The full Wick computation (g = 0 part extracted); also checks g >= 0 and the full law.
    Full,
    /// The free-probability leading path only.
    Leading,
}

/// Compute the hierarchy of orders 0..=max_order for both losses, with its structural checks.
/// The supports come from exactly computed coefficients (`HierarchySource::Computed`).
pub fn computed_hierarchy(
    max_order: usize,
    method: Method,
) -> Result<(Hierarchy, StructureReport), ExpansionError> {
    let mut report = StructureReport::default();
    match method {
        Method::Full => {
            let tr = full_coefficients(max_order, Loss::Train, None)?;
            let pop = full_coefficients(max_order, Loss::Pop, None)?;
            report.checks.extend(check_full(Loss::Train, &tr).checks);
            report.checks.extend(check_full(Loss::Pop, &pop).checks);
            let h = hierarchy_from_full(&tr, &pop, "Wick (integration by parts), g = 0 part");
            Ok((h, report))
        }
        Method::Leading => {
            let tr = leading_coefficients(max_order, Loss::Train)?;
            let pop = leading_coefficients(max_order, Loss::Pop)?;
            report.checks.extend(check_leading(Loss::Train, &tr).checks);
            report.checks.extend(check_leading(Loss::Pop, &pop).checks);
            let h = hierarchy_from_leading(&tr, &pop, "free probability, g = 0");
            Ok((h, report))
        }
    }
}
