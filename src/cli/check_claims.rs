//! `prism check-claims FILE`: check every `expect` line of a claims file.

use super::{CliError, CliResult};
use prism::check::claims_file::check_claims;
use prism::check::run::CheckOptions;

/// Flags of `prism check-claims`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The claims file: a spec followed by `expect ...` lines (see grammar/spec.ebnf).
    file: std::path::PathBuf,
    /// Sizes n for claims that run a convergence check.
    #[arg(long = "n", value_delimiter = ',', default_value = "256,512,1024,2048")]
    sizes: Vec<f64>,
    /// Runs per size for those checks.
    #[arg(long, default_value_t = 16)]
    seeds: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Run `prism check-claims`: exit 0 when every claim holds, 1 when one is false.
pub fn run(args: Args) -> CliResult {
    let src = std::fs::read_to_string(&args.file)
        .map_err(|e| CliError::user(format!("cannot read {}: {e}", args.file.display())))?;
    let prism = prism::pipeline::default_prism()?;
    let opts = CheckOptions {
        sizes: args.sizes.clone(),
        seeds: args.seeds,
        ..CheckOptions::default()
    };
    let outcomes = check_claims(&src, &prism, &opts, &|l| eprintln!("[check-claims] {l}"))
        .map_err(|e| CliError::user(format!("{}: {e}", args.file.display())))?;
    let failed = outcomes.iter().filter(|o| !o.holds).count();
    if args.json {
        println!(
            "{}",
            prism::report::to_json(&prism::report::ClaimsReport::new(outcomes.clone()))?
        );
    } else {
        for o in &outcomes {
            println!(
                "{}  {}:{}: {}\n      {}",
                if o.holds { "TRUE " } else { "FALSE" },
                o.line,
                o.col,
                o.text,
                o.detail
            );
        }
        println!(
            "\n{} of {} claims hold",
            outcomes.len() - failed,
            outcomes.len()
        );
    }
    if failed > 0 {
        return Err(CliError {
            message: format!("{failed} claim(s) are false"),
            code: 1,
        });
    }
    Ok(())
}
