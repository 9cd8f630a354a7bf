//! `prism map`: exact phase diagrams of the regimes, and the whole normal fan (`--fan`).

use std::path::{Path, PathBuf};

use super::{CliError, CliResult};
use prism::map::{self, Axis};

/// Flags of `prism map`.
#[derive(clap::Args, Debug)]
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
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
}

/// Refuse an output path before any work: only .svg for now, in an existing directory.
fn check_plot_path(path: &Path) -> Result<(), CliError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !ext.eq_ignore_ascii_case("svg") {
        return Err(CliError::user(format!(
            "--plot {}: only SVG is written (give a file name ending in .svg)",
            path.display()
        )));
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(d) = dir {
        if !d.is_dir() {
            return Err(CliError::user(format!(
                "--plot {}: the directory {} does not exist",
                path.display(),
                d.display()
            )));
        }
    }
    Ok(())
}

fn write(path: &Path, svg: &str) -> Result<(), CliError> {
    std::fs::write(path, svg)
        .map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))
}

/// Run `prism map`.
pub fn run(args: Args) -> CliResult {
    if let Some(p) = &args.plot {
        check_plot_path(p)?;
    }
    let prism = prism::pipeline::default_prism()?;
    let (json, report, svg) = if args.fan {
        let fan = map::fan::normal_fan(&prism)?;
        let report = fan
            .panels
            .iter()
            .map(|p| format!("== {}\n{}", p.title, p.map.report()))
            .collect::<Vec<_>>()
            .join("\n");
        (
            serde_json::to_string_pretty(&fan)?,
            report,
            map::svg::fan_svg(&fan),
        )
    } else {
        let x = Axis::parse("--x", args.x.as_deref().unwrap_or_default())?;
        let y = Axis::parse("--y", args.y.as_deref().unwrap_or_default())?;
        let m = map::phase_map(args.fix.as_deref().unwrap_or_default(), &x, &y, &prism)?;
        (
            serde_json::to_string_pretty(&m)?,
            m.report(),
            map::svg::map_svg(&m),
        )
    };
    if let Some(p) = &args.plot {
        write(p, &svg)?;
    }
    if args.json {
        println!("{json}");
    } else {
        print!("{report}");
        if let Some(p) = &args.plot {
            println!("\nwrote {}", p.display());
        }
    }
    Ok(())
}
