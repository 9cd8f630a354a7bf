//! Exact rational convex geometry and the exponent hierarchy.

pub mod classify;
pub mod geometry;
pub mod hierarchy;
pub mod prism;

pub use classify::{classify, Classification, ClassifyError};
pub use hierarchy::{Hierarchy, HierarchySource, Loss, OrderSupport, Point3};
pub use prism::{FittedPrism, PrismError};
