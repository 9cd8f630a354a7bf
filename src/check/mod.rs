//! Theory against simulation: convergence checks with computed verdicts, and the paper's claims.

pub mod claims;
pub mod claims_file;
pub mod cost;
pub mod ladder;
pub mod reference;
pub mod run;
pub mod verdict;

use crate::polytope::FittedPrism;

/// The spec of the quick check of `prism demo`: a mean-field scaling (THEORY 4, F2).
pub const DEMO_SPEC: &str = "p = 0.125 n; H = 0.015625 n^2; sigma2 = 32 n^-2; N = 0.125 n";

/// The quick check of `prism demo`: the mean-field limit of [`DEMO_SPEC`] against gradient-flow
/// simulations at n = 128, 256, 512, 1024 (16 runs each), as the readable report followed by
/// the commands to try next.
pub fn demo(prism: &FittedPrism) -> Result<String, run::CheckError> {
    let spec = crate::spec::Spec::parse(DEMO_SPEC)
        .map_err(|e| run::CheckError::Options(format!("the demo spec: {e}")))?;
    let opts = run::CheckOptions {
        sizes: vec![128.0, 256.0, 512.0, 1024.0],
        seeds: 16,
        ..run::CheckOptions::default()
    };
    let report = run::check(&spec, prism, &opts, &|_| {})?;
    Ok(crate::report::text::check(&report)
        + "\nTry: prism classify \"p = n; H = n^2; sigma2 = n^-2\", prism faces, prism limit SPEC,\n"
        + "     prism check SPEC, prism claims --quick\n")
}
