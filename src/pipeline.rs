//! Composition of the stages: the hierarchy prism classifies against.
//!
//! Classification takes a [`Hierarchy`]; this module decides which one. By default it is the
//! leading (g = 0) support of the exactly computed coefficients c_0..c_8 of both losses
//! (free-probability path of [`crate::expansion`]); the support law of THEORY section 3 is
//! kept only as an explicit alternative for comparison.

use crate::expansion::{self, ExpansionError, Method};
use crate::polytope::{FittedPrism, Hierarchy, PrismError};

/// Highest order of the hierarchy used by default for classification.
pub const DEFAULT_ORDER: u32 = 8;

/// Errors of building the default prism.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The expansion failed or was refused.
    #[error(transparent)]
    Expansion(#[from] ExpansionError),
    /// The fit failed.
    #[error(transparent)]
    Prism(#[from] PrismError),
}

/// Supports of exactly computed leading coefficients, orders 0..=max_order, with the
/// structural checks of THEORY section 3 (see [`crate::expansion::computed_hierarchy`]).
pub fn computed_hierarchy(max_order: u32) -> Result<Hierarchy, ExpansionError> {
    Ok(expansion::computed_hierarchy(max_order as usize, Method::Leading)?.0)
}

/// The fitted prism from the default (computed) hierarchy.
pub fn default_prism() -> Result<FittedPrism, PipelineError> {
    Ok(FittedPrism::from_hierarchy(&computed_hierarchy(
        DEFAULT_ORDER,
    )?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computed_supports_equal_the_support_law() {
        let computed = computed_hierarchy(6).unwrap();
        let law = Hierarchy::from_support_law(6);
        assert_eq!(computed.orders, law.orders);
    }
}
