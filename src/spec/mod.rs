//! Scaling specifications.
