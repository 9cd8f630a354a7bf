//! `prism prism [SPEC] [--plot FILE.svg]`: the triangular prism P = T x I with the five regimes
//! labelled and the face a spec selects highlighted (a simple oblique 2-D projection).

use std::path::PathBuf;

use super::input::SpecInput;
use super::{CliError, CliResult};
use prism::regimes::Regime;

/// Flags of `prism prism`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: SpecInput,
    /// Highlight this face instead of a spec's.
    #[arg(long, value_name = "FACE", value_parser = super::input::parse_face)]
    face: Option<Regime>,
    /// Write the drawing as SVG.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
}

/// Run `prism prism`.
pub fn run(args: Args) -> CliResult {
    let highlight = match (&args.face, args.input.text_opt()?) {
        (Some(_), Some(_)) => return Err(CliError::user("give either a SPEC or --face, not both")),
        (Some(f), None) => Some(*f),
        (None, Some(_)) => {
            let spec = args.input.parse()?;
            let prism = prism::pipeline::default_prism()?;
            let c = prism::polytope::classify(&spec, &prism)?;
            Some(c.face)
        }
        (None, None) => None,
    };
    let mut out = String::from("the prism P = T x I: 6 vertices, 9 edges, 5 faces\n");
    for dim in [2u32, 1, 0] {
        let title = match dim {
            2 => "faces",
            1 => "edges",
            _ => "vertices",
        };
        out.push_str(&format!("{title}:\n"));
        for f in Regime::ALL.iter().filter(|f| f.dim() == dim) {
            let mark = if Some(*f) == highlight { "=>" } else { "  " };
            out.push_str(&format!("{mark} {:<4} {}\n", f.label(), f.name()));
        }
    }
    if highlight == Some(Regime::Proportional) {
        out.push_str("=> the interior (proportional): r, q and alpha all finite\n");
    }
    if let Some(path) = &args.plot {
        let svg = prism::plot::prism_svg(highlight)?;
        std::fs::write(path, svg)
            .map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))?;
        out.push_str(&format!("wrote {}\n", path.display()));
    }
    print!("{out}");
    Ok(())
}
