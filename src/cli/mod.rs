//! Subcommands. Each file parses its flags, calls the library and prints the result.
//!
//! This module decides, in one place, how a command ends:
//!
//! | exit code | meaning |
//! |---|---|
//! | 0 ([`EXIT_OK`]) | success (a check that agrees, every claim true) |
//! | 1 ([`EXIT_FALSE`]) | the command ran and found something false: a claim, a check that does not agree, a hierarchy that is not the prism |
//! | 2 ([`EXIT_USER`]) | a user error: bad flags or input, a request refused by a resource limit, an output that cannot be written, a claim that cannot be checked |
//! | 130 ([`EXIT_INTERRUPTED`]) | interrupted (Ctrl-C) |
//! | 141 ([`EXIT_PIPE`]) | standard output was closed by the reader (`prism faces \| head -1`): stop quietly, as a pipe writer killed by SIGPIPE does |
//!
//! Commands return [`CliResult`]; errors are [`CliError`]s built with [`CliError::user`] (2) or
//! [`CliError::failed`] (1), printed once by [`run`]. Standard output is written only through
//! [`out!`] / [`outln!`] ([`emit`]), which turn a closed pipe or a full disk into a
//! [`CliError`] instead of a panic.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::fmt;
use std::io::Write;

/// Print to standard output through [`emit`]; on a write error, return it from the enclosing
/// function (which must return `Result<_, CliError>`).
macro_rules! out {
    ($($arg:tt)*) => {
        if let Err(e) = $crate::cli::emit(format_args!($($arg)*)) {
            return Err(e.into());
        }
    };
}

/// [`out!`] with a trailing new line.
macro_rules! outln {
    () => { out!("\n") };
    ($($arg:tt)*) => { out!("{}\n", format_args!($($arg)*)) };
}

mod budget;
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

/// Success.
pub const EXIT_OK: u8 = 0;
/// The command ran and found a claim false or a check that does not agree.
pub const EXIT_FALSE: u8 = 1;
/// A user error (bad input, refused request, unwritable output, claim that cannot be checked).
pub const EXIT_USER: u8 = 2;
/// Interrupted by Ctrl-C (128 + SIGINT): the default SIGINT action ends the process at once,
/// and the shell reports this code.
#[allow(dead_code)]
pub const EXIT_INTERRUPTED: u8 = 130;
/// Standard output closed by its reader (128 + SIGPIPE).
pub const EXIT_PIPE: u8 = 141;

/// An error to print once, with the exit code it maps to (see the module table).
#[derive(Debug)]
pub struct CliError {
    /// The full message (may span several lines; empty: print nothing).
    pub message: String,
    /// Process exit code ([`EXIT_USER`] for user errors, [`EXIT_FALSE`] for failed checks).
    pub code: u8,
}

impl CliError {
    /// A user error (exit code 2).
    pub fn user(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: EXIT_USER,
        }
    }

    /// The command ran and found something false (exit code 1).
    pub fn failed(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: EXIT_FALSE,
        }
    }

    /// A failed write to standard output: quiet exit 141 for a closed pipe, else a message and
    /// exit 2.
    pub fn output(e: &std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            CliError {
                message: String::new(),
                code: EXIT_PIPE,
            }
        } else {
            CliError::user(format!("cannot write to standard output: {e}"))
        }
    }
}

impl<E: fmt::Display + 'static> From<E> for CliError {
    fn from(e: E) -> Self {
        // An io::Error that reaches a command's `?` comes from writing its output.
        if let Some(io) = (&e as &dyn std::any::Any).downcast_ref::<std::io::Error>() {
            return CliError::output(io);
        }
        CliError::user(e.to_string())
    }
}

/// Result type of every subcommand.
pub type CliResult = Result<(), CliError>;

/// Write formatted text to standard output; a closed pipe or a full disk becomes a [`CliError`].
pub fn emit(args: fmt::Arguments<'_>) -> Result<(), CliError> {
    std::io::stdout()
        .lock()
        .write_fmt(args)
        .map_err(|e| CliError::output(&e))
}

/// Write a file, naming it in the error (exit 2).
pub fn write_file(path: &std::path::Path, bytes: impl AsRef<[u8]>) -> Result<(), CliError> {
    std::fs::write(path, bytes)
        .map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))
}

/// Write a command's result to `path` (`-o FILE`), or to standard output.
pub fn write_output(path: Option<&std::path::Path>, text: impl AsRef<str>) -> CliResult {
    match path {
        Some(p) => write_file(p, text.as_ref()),
        None => emit(format_args!("{}", text.as_ref())),
    }
}

/// `-o FILE`: where a command that prints one result writes it (one declaration for every
/// such command; a command may reword the help with `mut_arg("out", ...)`).
#[derive(clap::Args, Debug, Clone)]
pub struct OutFile {
    /// Write the output to FILE instead of standard output.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

impl OutFile {
    /// Write a command's result to the file, or to standard output.
    pub fn write(&self, text: impl AsRef<str>) -> CliResult {
        write_output(self.out.as_deref(), text)
    }
}

/// Refuse an output directory that cannot be created or written, before the work starts.
pub fn check_out_dir(dir: &std::path::Path) -> CliResult {
    prism::report::check_out_dir(dir).map_err(|e| CliError::user(format!("-o {e}")))
}

/// A progress reporter for `label` whose lines go to standard error (never panicking: a
/// closed or full stderr is ignored).
pub fn heartbeat(label: &str) -> prism::progress::Heartbeat {
    prism::progress::Heartbeat::start(
        label,
        Box::new(|line| {
            let _ = writeln!(std::io::stderr(), "{line}");
        }),
    )
}

/// Refuse a list of sizes n with repeats, naming the flag.
pub fn distinct_sizes(sizes: &[f64], flag: &str) -> CliResult {
    prism::values::distinct_sizes(sizes).map_err(|e| CliError::user(format!("{flag}: {e}")))
}

#[derive(Parser, Debug)]
#[command(
    name = "prism",
    version,
    about = "Scaling regimes of the weight-tied linear autoencoder: classify, expand, simulate, check",
    after_help = "Exit codes: 0 success, 1 a false claim or a check that does not agree, 2 a user \
                  error (bad input, a request beyond the resource limits, an unwritable output).\n\
                  Resource limits: every command estimates its time and memory first and refuses \
                  beyond --max-time (default 30m) or --max-memory (default min(16 GiB, 3/4 of RAM)); \
                  --force goes ahead anyway."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    budget: budget::BudgetArgs,
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

/// After a panic in a `println!` that this module did not route through [`emit`]: end like
/// [`CliError::output`] would, instead of printing a panic message.
fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to stderr") {
            // Nowhere left to report anything.
            std::process::exit(EXIT_USER as i32);
        }
        if msg.starts_with("failed printing to stdout") {
            if msg.contains("Broken pipe") {
                std::process::exit(EXIT_PIPE as i32);
            }
            eprintln!("error: cannot write to standard output: {msg}");
            std::process::exit(EXIT_USER as i32);
        }
        default(info);
    }));
}

/// Parse the arguments, run the subcommand, print any error once, map it to the exit code.
pub fn run() -> ExitCode {
    install_panic_hook();
    // Negative numbers are values (`--t-max -1`), so that the range checks can name them.
    let cmd = Cli::command().mut_subcommands(|s| s.allow_negative_numbers(true));
    let cli = match cmd
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(c) => c,
        Err(e) => {
            // Help and version go to stdout (exit 0), usage errors to stderr (exit 2); a
            // closed stdout is ignored.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USER } else { EXIT_OK });
        }
    };
    budget::set(&cli.budget);
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
    // Data still buffered in stdout must reach it: a failed flush is an output error too.
    let result = result.and_then(|()| std::io::stdout().flush().map_err(|e| CliError::output(&e)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !e.message.is_empty() {
                let _ = writeln!(std::io::stderr(), "error: {}", e.message);
            }
            ExitCode::from(e.code)
        }
    }
}
