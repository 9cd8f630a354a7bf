//! `prism faces`: every face of the fitted prism, with its scaling and limit.

use super::CliResult;

/// Flags of `prism faces`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print JSON (one object per face) instead of the table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    output: super::OutFile,
}

/// Run `prism faces`.
pub fn run(args: Args) -> CliResult {
    let prism = prism::pipeline::default_prism()?;
    let text = if args.json {
        prism::report::to_json(&prism::report::faces(&prism))? + "\n"
    } else {
        prism::report::text::faces(&prism)
    };
    args.output.write(text)
}
