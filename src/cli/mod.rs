//! Subcommands. Each file parses its flags, calls the library and prints the result.
//! Errors are returned as [`CliError`] and printed once by [`run`]; user errors exit with 2.

use clap::{Parser, Subcommand};

mod check;
mod check_claims;
mod claims;
mod classify;
mod demo;
mod expand;
mod faces;
mod hierarchy;
mod input;
mod limit;
mod map;
mod prism_plot;
mod simulate;
use std::process::ExitCode;

/// An error to print once, with the exit code it maps to.
#[derive(Debug)]
pub struct CliError {
    /// The full message (may span several lines).
    pub message: String,
    /// Process exit code (2 for user errors, 1 for failed checks).
    pub code: u8,
}

impl CliError {
    /// A user error (exit code 2).
    pub fn user(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: 2,
        }
    }
}

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError::user(e.to_string())
    }
}

/// Result type of every subcommand.
pub type CliResult = Result<(), CliError>;

#[derive(Parser, Debug)]
#[command(
    name = "prism",
    version,
    about = "Scaling regimes of the weight-tied linear autoencoder: classify, expand, simulate, check"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Classify a scaling spec: the prism face it selects, its time and loss scales.
    Classify(classify::Args),
    /// List every face of the prism with its defining scaling and limit.
    Faces(faces::Args),
    /// The computed leading supports, their affine fit and the prism they confirm.
    Hierarchy(hierarchy::Args),
    /// Theory against simulation: the limit vs finite-size runs at growing n, with a verdict.
    Check(check::Args),
    /// Check the `expect` lines of a claims file (face, exponents, series, limit, formula).
    CheckClaims(check_claims::Args),
    /// Reproduce the paper's claims (THEORY section 7) as a Markdown report with figures.
    Claims(claims::Args),
    /// A short built-in tour.
    Demo(demo::Args),
    /// The exact loss expansion c_s = E[L^(s)(0)]/p (or its leading part).
    Expand(expand::Args),
    /// Simulate gradient descent on the finite model (explicit sizes or SPEC --n).
    Simulate(simulate::Args),
    /// The limiting law of a scaling: face, normalization, formula, curves, exact series.
    Limit(limit::Args),
    /// Draw the triangular prism with the five regimes labelled and a spec's face highlighted.
    Prism(prism_plot::Args),
    /// Exact phase map of two exponents (regions, boundaries, points), or the whole fan.
    Map(map::Args),
}

/// Parse the arguments, run the subcommand, print any error once.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result: CliResult = match cli.command {
        Command::Classify(a) => classify::run(a),
        Command::Faces(a) => faces::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Check(a) => check::run(a),
        Command::CheckClaims(a) => check_claims::run(a),
        Command::Claims(a) => claims::run(a),
        Command::Hierarchy(a) => hierarchy::run(a),
        Command::Expand(a) => expand::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Limit(a) => limit::run(a),
        Command::Prism(a) => prism_plot::run(a),
        Command::Map(a) => map::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}
