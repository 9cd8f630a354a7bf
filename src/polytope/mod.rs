//! Exact rational convex geometry and the exponent hierarchy.

pub mod hierarchy;

pub use hierarchy::{Hierarchy, HierarchySource, Loss, OrderSupport, Point3};
