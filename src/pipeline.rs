//! Composition of the stages: the hierarchy prism classifies against.
//!
//! Classification takes a [`Hierarchy`]; this module decides which one. It is the only place
//! that chooses between computed supports and the support law.

use crate::polytope::{FittedPrism, Hierarchy, PrismError};

/// Highest order of the hierarchy used by default for classification.
pub const DEFAULT_ORDER: u32 = 8;

/// The hierarchy used by default: orders 0..=max_order.
pub fn default_hierarchy(max_order: u32) -> Hierarchy {
    Hierarchy::from_support_law(max_order)
}

/// The fitted prism from the default hierarchy.
pub fn default_prism() -> Result<FittedPrism, PrismError> {
    FittedPrism::from_hierarchy(&default_hierarchy(DEFAULT_ORDER))
}
