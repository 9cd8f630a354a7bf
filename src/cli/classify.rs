//! `prism classify`: the face of the prism a scaling lands on, with its scales.

use super::input::SpecInput;
use super::CliResult;
use prism::report::ClassifyReport;

/// Flags of `prism classify`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: SpecInput,
    /// Print one JSON object instead of the report.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    output: super::OutFile,
}

/// Run `prism classify`.
pub fn run(args: Args) -> CliResult {
    let spec = args.input.parse_with_spectrum()?;
    let prism = prism::pipeline::default_prism()?;
    let report = ClassifyReport::new(&spec, &prism)?;
    let text = if args.json {
        prism::report::to_json(&report)? + "\n"
    } else {
        report.text()
    };
    args.output.write(text)
}
