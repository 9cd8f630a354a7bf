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
    let report = run_claims(
        &ClaimsOptions {
            quick: args.quick,
            seed: args.seed,
        },
        &|l| eprintln!("[claims] {l}"),
    )?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| CliError::user(format!("cannot create {}: {e}", args.out.display())))?;
    let write = |name: &str, text: &str| {
        let path = args.out.join(name);
        std::fs::write(&path, text)
            .map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))
    };
    write("report.md", &report.markdown)?;
    for item in &report.items {
        for (name, svg) in &item.figures {
            write(name, svg)?;
        }
    }
    for item in &report.items {
        println!(
            "claim {}: {} ... {}",
            item.number,
            item.title,
            if item.pass { "PASS" } else { "FAIL" }
        );
    }
    println!("report: {}", args.out.join("report.md").display());
    if report.all_pass() {
        Ok(())
    } else {
        Err(CliError {
            message: "some claims FAILED".into(),
            code: 1,
        })
    }
}
