//! `prism map`: exact phase diagrams of the regimes, and the whole normal fan (`--fan`).

use std::path::{Path, PathBuf};

use super::{CliError, CliResult};
use prism::map::MapOutcome;

/// Flags of `prism map`.
#[derive(clap::Args, Debug)]
#[command(mut_arg("out", |a| a.help("Write the output (report or JSON) to FILE instead of standard output")))]
pub struct Args {
    /// The fixed part of the spec, e.g. "p = n; N = n" (N may be `inf`; N not given means inf).
    #[arg(long, value_name = "SPEC", required_unless_present = "fan")]
    fix: Option<String>,
    /// The x axis: a parameter's exponent and its range, e.g. H=0:3 (or sigma=-3/2:1/2).
    #[arg(
        long,
        value_name = "PARAM=FROM:TO",
        required_unless_present = "fan",
        allow_hyphen_values = true
    )]
    x: Option<String>,
    /// The y axis, e.g. sigma2=-3:1.
    #[arg(
        long,
        value_name = "PARAM=FROM:TO",
        required_unless_present = "fan",
        allow_hyphen_values = true
    )]
    y: Option<String>,
    /// Draw the whole normal fan of the prism instead of a slice.
    #[arg(long, conflicts_with_all = ["fix", "x", "y"])]
    fan: bool,
    /// Print one JSON object instead of the report.
    #[arg(long)]
    json: bool,
    /// Write the figure (SVG).
    #[arg(long, value_name = "FILE.svg|FILE.png")]
    plot: Option<PathBuf>,
    #[command(flatten)]
    output: super::OutFile,
}

/// Refuse an output path before any work (prism::plot::check_figure_path: .svg or .png, in an
/// existing, writable directory).
fn check_plot_path(path: &Path) -> Result<(), CliError> {
    prism::plot::check_figure_path(path).map_err(|e| CliError::user(format!("--plot: {e}")))
}

/// Run `prism map`.
pub fn run(args: Args) -> CliResult {
    if let Some(p) = &args.plot {
        check_plot_path(p)?;
    }
    let prism = prism::pipeline::default_prism()?;
    let outcome = if args.fan {
        MapOutcome::fan(&prism)?
    } else {
        let (fix, x, y) = (args.fix.as_deref(), args.x.as_deref(), args.y.as_deref());
        MapOutcome::slice(
            fix.unwrap_or_default(),
            x.unwrap_or_default(),
            y.unwrap_or_default(),
            &prism,
        )?
    };
    if let Some(p) = &args.plot {
        prism::plot::save_figure(p, &outcome.svg())?;
    }
    let text = if args.json {
        outcome.json()? + "\n"
    } else {
        let wrote = args
            .plot
            .as_ref()
            .map(|p| format!("\nwrote {}\n", p.display()));
        outcome.report() + &wrote.unwrap_or_default()
    };
    args.output.write(text)
}
