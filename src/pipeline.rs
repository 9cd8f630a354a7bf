//! Composition of the stages: the hierarchy prism classifies against.
//!
//! Classification takes a [`Hierarchy`]; this module decides which one. By default it is the
//! leading (g = 0) support of the exactly computed coefficients c_0..c_8 of both losses
//! (free-probability path of [`crate::expansion`]); the support law of THEORY section 3 is
//! kept only as an explicit alternative for comparison.

use crate::expansion::{leading_coefficients, ExpansionError};
use crate::polytope::{FittedPrism, Hierarchy, HierarchySource, Loss, OrderSupport, PrismError};
use std::collections::BTreeSet;

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

/// Supports of exactly computed leading coefficients, orders 0..=max_order.
///
/// A point (k, j, l) is in P_s when the coefficient of r^k q^j y^l in the g = 0 part of c_s
/// is nonzero. The constant 1/2 of c_0 (the point (0, 0, 0)) does not move with t and is left
/// out, as in THEORY section 3.
pub fn computed_hierarchy(max_order: u32) -> Result<Hierarchy, ExpansionError> {
    let train = leading_coefficients(max_order as usize, Loss::Train)?;
    let pop = leading_coefficients(max_order as usize, Loss::Pop)?;
    let support = |p: &crate::poly::Poly| -> BTreeSet<[i64; 3]> {
        p.terms()
            .map(|(e, _)| [i64::from(e[0]), i64::from(e[1]), i64::from(e[2])])
            .filter(|x| *x != [0, 0, 0])
            .collect()
    };
    let orders = (0..=max_order)
        .map(|s| OrderSupport {
            s,
            train: support(&train[s as usize]),
            pop: support(&pop[s as usize]),
        })
        .collect();
    Ok(Hierarchy {
        orders,
        source: HierarchySource::Computed {
            method: "exact leading coefficients, free-probability path".into(),
        },
    })
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
