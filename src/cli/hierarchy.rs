//! `prism hierarchy`: the computed supports, the affine fit and the prism it confirms.

use super::{CliError, CliResult};
use prism::report::hierarchy::{HierarchyRequest, HierarchyVerdict};

/// Flags of `prism hierarchy`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Highest order s of the leading supports (free-probability path).
    #[arg(long, default_value_t = prism::pipeline::DEFAULT_ORDER)]
    order: u32,
    /// Use the full Wick computation (all g) instead of the free-probability leading path;
    /// adds the checks g >= 0 and the full support law. Practical up to order 7.
    #[arg(long)]
    full: bool,
    /// Print JSON instead of the report.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    output: super::OutFile,
}

/// Run `prism hierarchy`: exit 1 when the hierarchy is not the prism.
pub fn run(args: Args) -> CliResult {
    let order = args.order as usize;
    let request = HierarchyRequest {
        order,
        full: args.full,
    };
    super::budget::guard(&request.estimate()?)?;
    let beat = super::heartbeat("hierarchy");
    beat.set(format!("supports to order {order}"));
    let outcome = request.compute()?;
    drop(beat);
    if args.json {
        let json = prism::report::to_json(&outcome.report())? + "\n";
        args.output.write(json)?;
        // The JSON carries the fit; only a prism that does not fit fails here.
        return match outcome.fit {
            Ok(_) => Ok(()),
            Err(_) => Err(CliError::failed(
                "the hierarchy is not the triangular prism",
            )),
        };
    }
    let (report, verdict) = outcome.text();
    args.output.write(report)?;
    match verdict {
        HierarchyVerdict::Confirmed => Ok(()),
        HierarchyVerdict::NotThePrism(e) => Err(CliError::failed(e)),
        HierarchyVerdict::ChecksFailed => Err(CliError::failed("structural checks failed")),
    }
}
