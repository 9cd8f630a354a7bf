//! `prism hierarchy`: the computed supports, the affine fit and the prism it confirms.

use std::path::PathBuf;

use super::{CliError, CliResult};
use prism::expansion::estimate::{expansion_estimate, HIERARCHY_SHARE};
use prism::expansion::Method;
use prism::polytope::FittedPrism;
use prism::report::hierarchy::{text, HierarchyVerdict};
use prism::report::HierarchyReport;

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
    /// Write the output to FILE instead of standard output.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Run `prism hierarchy`: exit 1 when the hierarchy is not the prism.
pub fn run(args: Args) -> CliResult {
    let order = args.order as usize;
    if order < 3 {
        return Err(CliError::user(
            "the fit needs orders 0..=S with S >= 3 (two orders to fit, one more to confirm)",
        ));
    }
    let method = if args.full {
        Method::Full
    } else {
        Method::Leading
    };
    let est = expansion_estimate(
        order,
        !args.full,
        HIERARCHY_SHARE,
        format!("the hierarchy to order {order}"),
        "a lower --order",
    )
    .map_err(|e| CliError::user(format!("--order {order}: {e}")))?;
    super::budget::guard(&est)?;
    let beat = super::progress::Heartbeat::start("hierarchy");
    beat.set(format!("supports to order {order}"));
    let (h, checks) = prism::expansion::computed_hierarchy(order, method)?;
    drop(beat);
    let fit = FittedPrism::from_hierarchy(&h);
    let (report, verdict) = text(&h, &checks, &fit, args.full);
    if args.json {
        let json = prism::report::to_json(&HierarchyReport::new(&h, &fit))? + "\n";
        super::write_output(args.out.as_deref(), json)?;
        // The JSON carries the fit; only a prism that does not fit fails here.
        return match fit {
            Ok(_) => Ok(()),
            Err(_) => Err(CliError::failed(
                "the hierarchy is not the triangular prism",
            )),
        };
    }
    super::write_output(args.out.as_deref(), report)?;
    match verdict {
        HierarchyVerdict::Confirmed => Ok(()),
        HierarchyVerdict::NotThePrism(e) => Err(CliError::failed(e)),
        HierarchyVerdict::ChecksFailed => Err(CliError::failed("structural checks failed")),
    }
}
