//! `prism prism [SPEC] [--plot FILE.svg]`: the triangular prism P = T x I with the five regimes
//! labelled and the face a spec selects highlighted (a simple oblique 2-D projection).

use std::path::PathBuf;

use super::input::SpecInput;
use super::{CliError, CliResult};
use prism::regimes::Regime;
use prism::spec::Source;

/// Flags of `prism prism`.
#[derive(clap::Args, Debug)]
#[command(mut_arg("out", |a| a.help("Write the text to FILE instead of standard output")))]
pub struct Args {
    #[command(flatten)]
    input: SpecInput,
    /// Highlight this face instead of a spec's.
    #[arg(long, value_name = "FACE", value_parser = super::input::parse_face)]
    face: Option<Regime>,
    /// Write the drawing (.svg or .png).
    #[arg(long, value_name = "FILE.svg|FILE.png")]
    plot: Option<PathBuf>,
    #[command(flatten)]
    output: super::OutFile,
}

/// Run `prism prism`.
pub fn run(args: Args) -> CliResult {
    if let Some(path) = &args.plot {
        prism::plot::check_figure_path(path)?;
    }
    let text = args.input.source().map(|s| s.read()).transpose()?;
    let highlight = match (&args.face, text) {
        (Some(_), Some(_)) => return Err(CliError::user("give either a SPEC or --face, not both")),
        (Some(f), None) => Some(*f),
        (None, Some(text)) => {
            let spec = Source::Text(text).parse_isotropic()?;
            let prism = prism::pipeline::default_prism()?;
            let c = prism::polytope::classify(&spec, &prism)?;
            Some(c.face)
        }
        (None, None) => None,
    };
    let mut out = prism::report::text::prism_faces(highlight);
    if let Some(path) = &args.plot {
        prism::plot::save_figure(path, &prism::plot::prism_svg(highlight)?)?;
        out.push_str(&format!("wrote {}\n", path.display()));
    }
    args.output.write(out)
}
