//! `prism classify`: the face of the prism a scaling lands on, with its scales.

use super::input::SpecInput;
use super::CliResult;

/// Flags of `prism classify`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: SpecInput,
    /// Print one JSON object instead of the report.
    #[arg(long)]
    json: bool,
    /// Write the output to FILE instead of standard output.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    out: Option<std::path::PathBuf>,
}

/// Run `prism classify`.
pub fn run(args: Args) -> CliResult {
    let spec = args.input.parse()?;
    let prism = prism::pipeline::default_prism()?;
    let c = prism::polytope::classify(&spec, &prism)?;
    let text = if args.json {
        serde_json::to_string_pretty(&c)? + "\n"
    } else {
        prism::report::text::classification(&c)
    };
    super::write_output(args.out.as_deref(), text)
}
