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
    let spec = args.input.parse_with_spectrum()?;
    let prism = prism::pipeline::default_prism()?;
    let c = prism::polytope::classify(&spec, &prism)?;
    let statement = prism::report::text::spectrum_statement(&spec, c.face)?;
    let text = if args.json {
        let mut v = serde_json::to_value(&c)?;
        if let Some(st) = &statement {
            v["spectrum"] = serde_json::to_value(st)?;
        }
        serde_json::to_string_pretty(&v)? + "\n"
    } else {
        let mut t = prism::report::text::classification(&c);
        if let Some(st) = &statement {
            t.push_str(&prism::report::text::spectrum_text(st));
        }
        t
    };
    super::write_output(args.out.as_deref(), text)
}
