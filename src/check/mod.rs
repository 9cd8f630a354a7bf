//! Theory against simulation: convergence checks with computed verdicts, and the paper's claims.

pub mod claims;
pub mod claims_file;
pub mod cost;
pub mod ladder;
pub mod reference;
pub mod run;
pub mod verdict;
