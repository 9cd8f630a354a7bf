//! `prism prism [SPEC] [--plot FILE.svg]`: the triangular prism P = T x I with the five regimes
//! labelled and the face a spec selects highlighted (a simple oblique 2-D projection).

use std::path::PathBuf;

use super::input::SpecInput;
use super::{CliError, CliResult};
use prism::regimes::Regime;

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
    // A spec's `spectrum = LAW` (THEORY 9): classified with it (the same prism for a bounded
    // support, THEORY 9.3) and stated in the figure; a heavy tail has no established prism.
    let (highlight, law) = match (&args.face, args.input.source()) {
        (Some(_), Some(_)) => return Err(CliError::user("give either a SPEC or --face, not both")),
        (Some(f), None) => (Some(*f), None),
        (None, Some(source)) => {
            let spec = source.parse_resolved()?;
            let (face, law) =
                prism::plot::prism_highlight(&spec, &prism::pipeline::default_prism()?)?;
            (Some(face), law)
        }
        (None, None) => (None, None),
    };
    let mut out = prism::report::text::prism_faces_law(highlight, law.as_ref());
    if let Some(path) = &args.plot {
        prism::plot::save_figure(path, &prism::plot::prism_svg_law(highlight, law.as_ref())?)?;
        out.push_str(&format!("wrote {}\n", path.display()));
    }
    args.output.write(out)
}
