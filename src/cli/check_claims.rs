//! `prism check-claims FILE`: check every `expect` line of a claims file.

use prism::values;
use std::path::PathBuf;

use super::{budget, CliError, CliResult};
use prism::check::claims_file::check_claims_in;
use prism::check::run::CheckOptions;
use prism::report::ClaimsReport;
use prism::spec::Source;

/// Flags of `prism check-claims`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The claims file: a spec followed by `expect ...` lines (see grammar/spec.ebnf); `-`
    /// reads standard input.
    file: PathBuf,
    /// Sizes n for claims that run a convergence check.
    #[arg(long = "n", value_delimiter = ',', default_value = "256,512,1024,2048", value_parser = values::size_n)]
    sizes: Vec<f64>,
    /// Runs per size for those checks.
    #[arg(long, default_value_t = CheckOptions::default().seeds, value_parser = values::count)]
    seeds: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    output: super::OutFile,
}

/// Run `prism check-claims`: exit 0 when every claim holds, 1 when one is false, 2 when the
/// file is malformed or a claim cannot be checked.
pub fn run(args: Args) -> CliResult {
    super::distinct_sizes(&args.sizes, "--n")?;
    let source = Source::path(&args.file);
    let src = source.read()?;
    let name = args.file.display().to_string();
    let prism = prism::pipeline::default_prism()?;
    // Series claims beyond the resource limits are refused before any claim runs.
    for (line, est) in prism::check::cost::series_claims_estimates(&src, &prism) {
        budget::guard(&est).map_err(|e| {
            CliError::user(format!(
                "line {line}: this claim cannot be checked: {}",
                e.message
            ))
        })?;
    }
    let opts = CheckOptions {
        sizes: args.sizes.clone(),
        seeds: args.seeds,
        ..CheckOptions::default()
    };
    let beat = super::heartbeat("check-claims");
    // `file("...")` laws are read relative to the claims file's directory.
    let outcomes = check_claims_in(&src, source.base_dir(), &prism, &opts, &|l| {
        beat.set(l.to_string());
        eprintln!("[check-claims] {l}")
    })
    .map_err(|e| CliError::user(format!("{name}: {e}")))?;
    drop(beat);
    let report = ClaimsReport::new(outcomes);
    let text = if args.json {
        prism::report::to_json(&report)? + "\n"
    } else {
        prism::report::text::claims(&report.claims)
    };
    args.output.write(text)?;
    if report.failed > 0 {
        return Err(CliError::failed(format!(
            "{} claim(s) are false",
            report.failed
        )));
    }
    if report.unchecked > 0 {
        return Err(CliError::user(format!(
            "{} claim(s) could not be checked (see above)",
            report.unchecked
        )));
    }
    Ok(())
}
