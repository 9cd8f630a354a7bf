//! `prism check-claims FILE`: check every `expect` line of a claims file.

use super::budget;
use super::input::read_source;
use super::progress::Heartbeat;
use super::{CliError, CliResult};
use prism::check::claims_file::{check_claims, ClaimStatus, ClaimsFileError};
use prism::check::run::CheckOptions;
use prism::spec::Claim;

/// Flags of `prism check-claims`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The claims file: a spec followed by `expect ...` lines (see grammar/spec.ebnf); `-`
    /// reads standard input.
    file: std::path::PathBuf,
    /// Sizes n for claims that run a convergence check.
    #[arg(long = "n", value_delimiter = ',', default_value = "256,512,1024,2048", value_parser = super::size_n)]
    sizes: Vec<f64>,
    /// Runs per size for those checks.
    #[arg(long, default_value_t = 16, value_parser = super::count)]
    seeds: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Refuse series claims whose exact series is beyond the resource limits (before any claim
/// runs).
fn guard_series(src: &str, prism: &prism::polytope::FittedPrism) -> Result<(), CliError> {
    let Ok(spec) = prism::spec::Spec::parse(src) else {
        return Ok(()); // check_claims reports the parse error with its position
    };
    let Ok(cls) = prism::polytope::classify(&spec, prism) else {
        return Ok(());
    };
    let regime = Some(cls.face);
    for (claim, (a, _)) in &spec.claims {
        if let (Claim::Series { order, .. }, Some(r)) = (claim, regime) {
            let line = src[..*a].matches('\n').count() + 1;
            let est = budget::series_estimate(r, *order as usize, "order in the claim");
            budget::guard(&est).map_err(|e| {
                CliError::user(format!(
                    "line {line}: this claim cannot be checked: {}",
                    e.message
                ))
            })?;
        }
    }
    Ok(())
}

/// Run `prism check-claims`: exit 0 when every claim holds, 1 when one is false, 2 when the
/// file is malformed or a claim cannot be checked.
pub fn run(args: Args) -> CliResult {
    super::distinct_sizes(&args.sizes, "--n")?;
    let src = read_source(&args.file)?;
    let name = args.file.display().to_string();
    let src = src.strip_prefix('\u{feff}').unwrap_or(&src).to_string();
    let prism = prism::pipeline::default_prism()?;
    guard_series(&src, &prism)?;
    let opts = CheckOptions {
        sizes: args.sizes.clone(),
        seeds: args.seeds,
        ..CheckOptions::default()
    };
    let beat = Heartbeat::start("check-claims");
    let outcomes = check_claims(&src, &prism, &opts, &|l| {
        beat.set(l.to_string());
        eprintln!("[check-claims] {l}")
    })
    .map_err(|e| match e {
        ClaimsFileError::Spec(_) | ClaimsFileError::Malformed { .. } => {
            CliError::user(format!("{name}: {e}"))
        }
        other => CliError::user(format!("{name}: {other}")),
    })?;
    drop(beat);
    let failed = outcomes
        .iter()
        .filter(|o| o.status == ClaimStatus::False)
        .count();
    let unchecked = outcomes
        .iter()
        .filter(|o| o.status == ClaimStatus::Unchecked)
        .count();
    if args.json {
        outln!(
            "{}",
            prism::report::to_json(&prism::report::ClaimsReport::new(outcomes.clone()))?
        );
    } else {
        for o in &outcomes {
            outln!(
                "{}  {}:{}: {}\n      {}",
                match o.status {
                    ClaimStatus::True => "TRUE     ",
                    ClaimStatus::False => "FALSE    ",
                    ClaimStatus::Unchecked => "UNCHECKED",
                },
                o.line,
                o.col,
                o.text,
                o.detail
            );
        }
        outln!(
            "\n{} of {} claims hold{}{}",
            outcomes.len() - failed - unchecked,
            outcomes.len(),
            if failed > 0 {
                format!(", {failed} false")
            } else {
                String::new()
            },
            if unchecked > 0 {
                format!(", {unchecked} could not be checked")
            } else {
                String::new()
            }
        );
    }
    if failed > 0 {
        return Err(CliError::failed(format!("{failed} claim(s) are false")));
    }
    if unchecked > 0 {
        return Err(CliError::user(format!(
            "{unchecked} claim(s) could not be checked (see above)"
        )));
    }
    Ok(())
}
