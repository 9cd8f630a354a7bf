//! Cost estimates of checks, before they run (admitted or refused by
//! [`crate::budget::Limits`]).

use crate::budget::{grid_estimate, Estimate, GIB};
use crate::polytope::FittedPrism;
use crate::spec::{Claim, Spec};

use super::run::CheckOptions;

/// Sizes assumed for the grid estimate when they are chosen automatically.
const AUTOMATIC_SIZES: usize = 4;

/// Measured wall time of `prism claims --quick` on two shared cores (under two minutes).
const CLAIMS_QUICK_SECS: f64 = 100.0;
/// Measured wall time of `prism claims` at the full sizes (about 15 minutes).
const CLAIMS_FULL_SECS: f64 = 900.0;
/// Peak memory of `prism claims`.
const CLAIMS_BYTES: f64 = GIB;

/// The recorded curves of a check: the grid is carried through every run (runs may grow to
/// `max_seeds`) of every size, for both losses.
pub fn curves_estimate(opts: &CheckOptions) -> Estimate {
    let sizes = opts.sizes.len().max(AUTOMATIC_SIZES);
    grid_estimate(
        "the recorded curves of this check",
        opts.points,
        (sizes * opts.seeds.max(opts.max_seeds)) as f64 * 2.0,
        "--points, --seeds or sizes",
    )
}

/// The fixed workload of the paper's four claims (`prism claims`).
pub fn claims_estimate(quick: bool) -> Estimate {
    Estimate {
        what: if quick {
            "prism claims --quick".into()
        } else {
            "prism claims".into()
        },
        secs: if quick {
            CLAIMS_QUICK_SECS
        } else {
            CLAIMS_FULL_SECS
        },
        bytes: CLAIMS_BYTES,
        detail: "the fixed workload of the four claims".into(),
        knobs: "--quick".into(),
    }
}

/// The exact series the `expect series` lines of a claims file need, as (line, estimate).
/// A file that does not parse or classify has none (its error is reported by the check).
pub fn series_claims_estimates(src: &str, prism: &FittedPrism) -> Vec<(usize, Estimate)> {
    let Ok(spec) = Spec::parse(src) else {
        return Vec::new();
    };
    let Ok(cls) = crate::polytope::classify(&spec, prism) else {
        return Vec::new();
    };
    spec.claims
        .iter()
        .filter_map(|(claim, (a, _))| match claim {
            Claim::Series { order, .. } => {
                let line = src[..*a].matches('\n').count() + 1;
                let est =
                    crate::limit::series_estimate(cls.face, *order as usize, "order in the claim");
                Some((line, est))
            }
            _ => None,
        })
        .collect()
}
