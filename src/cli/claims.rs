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
    super::check_out_dir(&args.out)?;
    super::budget::guard(&prism::check::cost::claims_estimate(args.quick))?;
    let beat = super::heartbeat("claims");
    let opts = ClaimsOptions {
        quick: args.quick,
        seed: args.seed,
    };
    let report = run_claims(&opts, &|l| {
        beat.set(l.to_string());
        eprintln!("[claims] {l}")
    })?;
    drop(beat);
    let md = args.out.join("report.md");
    super::write_file(&md, &report.markdown)?;
    for item in &report.items {
        for (name, svg) in &item.figures {
            prism::plot::save_figure(&args.out.join(name), svg)?;
        }
    }
    for item in &report.items {
        let verdict = if item.pass { "PASS" } else { "FAIL" };
        outln!("claim {}: {} ... {verdict}", item.number, item.title);
    }
    outln!("report: {}", md.display());
    if report.all_pass() {
        Ok(())
    } else {
        Err(CliError::failed("some claims FAILED"))
    }
}
