//! `prism claims`: reproduce the paper's claims as a Markdown report with SVG figures.

use super::{CliError, CliResult};
use prism::check::claims::{run_claims, ClaimsOptions};

/// Flags of `prism claims`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Smaller sizes: under two minutes on two cores.
    #[arg(long)]
    quick: bool,
    /// Output directory for report.md and the figures.
    #[arg(short = 'o', long = "out", default_value = "prism-claims")]
    out: std::path::PathBuf,
    /// Base seed of every simulation.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

/// Run `prism claims`: exit 0 when every claim passes, 1 otherwise.
pub fn run(args: Args) -> CliResult {
    // Fail fast: the output directory must be writable before minutes of work.
    super::simulate::check_out_dir(&args.out)?;
    super::budget::guard(&super::budget::Estimate {
        what: if args.quick {
            "prism claims --quick".into()
        } else {
            "prism claims".into()
        },
        // Measured on two shared cores: --quick under two minutes, the full sizes about 15.
        secs: if args.quick { 100.0 } else { 900.0 },
        bytes: 1.0 * 1024.0 * 1024.0 * 1024.0,
        detail: "the fixed workload of the four claims".into(),
        knobs: "--quick".into(),
    })?;
    let beat = super::progress::Heartbeat::start("claims");
    let report = run_claims(
        &ClaimsOptions {
            quick: args.quick,
            seed: args.seed,
        },
        &|l| {
            beat.set(l.to_string());
            eprintln!("[claims] {l}")
        },
    )?;
    drop(beat);
    std::fs::create_dir_all(&args.out)
        .map_err(|e| CliError::user(format!("cannot create {}: {e}", args.out.display())))?;
    super::write_file(&args.out.join("report.md"), &report.markdown)?;
    for item in &report.items {
        for (name, svg) in &item.figures {
            prism::plot::save_figure(&args.out.join(name), svg)?;
        }
    }
    for item in &report.items {
        outln!(
            "claim {}: {} ... {}",
            item.number,
            item.title,
            if item.pass { "PASS" } else { "FAIL" }
        );
    }
    outln!("report: {}", args.out.join("report.md").display());
    if report.all_pass() {
        Ok(())
    } else {
        Err(CliError::failed("some claims FAILED"))
    }
}
