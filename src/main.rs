//! The `prism` command line: parses flags, calls the library, formats what comes back.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
