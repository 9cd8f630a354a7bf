//! The global limit flags: `--max-time`, `--max-memory` and `--force` set the
//! [`prism::budget::Limits`] every command's estimate is admitted by ([`guard`]).

use std::sync::OnceLock;

use super::CliError;
use prism::budget::{parse_bytes, parse_duration, Estimate, Limits};

/// The global limit flags (accepted after any subcommand).
#[derive(clap::Args, Debug, Clone)]
pub struct BudgetArgs {
    /// Refuse work estimated to take longer than this (e.g. 90s, 30m, 2h, 1d) [default: 30m].
    #[arg(long = "max-time", global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub max_time: Option<f64>,
    /// Refuse work estimated to need more memory than this (e.g. 512M, 8G) [default: min(16G,
    /// 3/4 of the RAM)].
    #[arg(long = "max-memory", global = true, value_name = "SIZE", value_parser = parse_bytes)]
    pub max_memory: Option<f64>,
    /// Go ahead even when the estimate exceeds the limits.
    #[arg(long, global = true)]
    pub force: bool,
}

static LIMITS: OnceLock<Limits> = OnceLock::new();

/// Install the limits from the flags (once, in [`super::run`]).
pub fn set(a: &BudgetArgs) {
    let d = Limits::default();
    // A second call keeps the first limits (there is one per process).
    LIMITS.get_or_init(|| Limits {
        max_secs: a.max_time.unwrap_or(d.max_secs),
        max_bytes: a.max_memory.unwrap_or(d.max_bytes),
        force: a.force,
    });
}

/// The limits in force (the defaults when [`set`] was not called).
pub fn limits() -> Limits {
    LIMITS.get().cloned().unwrap_or_default()
}

/// Refuse `est` beyond the limits in force (exit 2); note long work on stderr.
pub fn guard(est: &Estimate) -> Result<(), CliError> {
    if let Some(note) = limits().admit(est)? {
        eprintln!("{note}");
    }
    Ok(())
}
