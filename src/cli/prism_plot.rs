//! `prism prism [SPEC] [--plot FILE.svg]`: the triangular prism P = T x I with the five regimes
//! labelled and the face a spec selects highlighted (a simple oblique 2-D projection).

use std::path::{Path, PathBuf};

use super::input::SpecInput;
use super::{CliError, CliResult};
use prism::regimes::{DataPart, LatentPart, Regime};

/// Flags of `prism prism`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: SpecInput,
    /// Highlight this face instead of a spec's.
    #[arg(long, value_name = "FACE")]
    face: Option<String>,
    /// Write the drawing as SVG.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
}

/// Prism coordinates (k', j', l') of the face's vertices, in drawing order.
fn face_vertices(regime: Regime) -> Vec<[f64; 3]> {
    let (d, t) = regime.parts();
    let tv: Vec<[f64; 2]> = match t {
        LatentPart::Whole => vec![[0.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
        LatentPart::NarrowLatent => vec![[0.0, 0.0], [0.0, 1.0]],
        LatentPart::MeanField => vec![[0.0, 0.0], [1.0, 1.0]],
        LatentPart::Free => vec![[0.0, 1.0], [1.0, 1.0]],
        LatentPart::Linear => vec![[0.0, 0.0]],
        LatentPart::NarrowFree => vec![[0.0, 1.0]],
        LatentPart::MeanFieldFree => vec![[1.0, 1.0]],
    };
    match d {
        DataPart::Large => tv.iter().map(|v| [v[0], v[1], 0.0]).collect(),
        DataPart::Small => tv.iter().map(|v| [v[0], v[1], 1.0]).collect(),
        DataPart::Finite => {
            let mut out: Vec<[f64; 3]> = tv.iter().map(|v| [v[0], v[1], 0.0]).collect();
            out.extend(tv.iter().rev().map(|v| [v[0], v[1], 1.0]));
            out
        }
    }
}

/// Oblique projection: the triangle T lies flat (seen from the front and above, the mean-field
/// side facing the viewer), l' (powers of 1/alpha) points up.
fn project(p: [f64; 3]) -> (f64, f64) {
    (1.3 * p[0] + 0.35 * p[1], 0.55 * p[1] - 0.15 * p[0] + p[2])
}

/// Edges hidden behind the front (mean-field) face in this view: those through the back
/// vertex V_nf at l' = 0.
fn hidden(e: Regime) -> bool {
    matches!(
        e,
        Regime::LargeNarrow | Regime::LargeFree | Regime::NarrowFree
    )
}

fn draw(path: &Path, highlight: Option<Regime>) -> Result<(), CliError> {
    use plotters::prelude::*;
    let err =
        |e: &dyn std::fmt::Display| CliError::user(format!("cannot draw {}: {e}", path.display()));
    let root = SVGBackend::new(path, (820, 640)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let caption = match highlight {
        Some(r) => format!(
            "the prism P = T x I; highlighted: {} ({})",
            r.name(),
            r.label()
        ),
        None => "the prism P = T x I of leading exponents".to_string(),
    };
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 18))
        .margin(20)
        .build_cartesian_2d(-0.8f64..2.1f64, -0.45f64..1.75f64)
        .map_err(|e| err(&e))?;
    let hl = RGBColor(255, 170, 40);
    if let Some(r) = highlight {
        let pts: Vec<(f64, f64)> = face_vertices(r).into_iter().map(project).collect();
        match r.dim() {
            3 => {
                for f in Regime::ALL.iter().filter(|f| f.dim() == 2) {
                    let poly: Vec<(f64, f64)> =
                        face_vertices(*f).into_iter().map(project).collect();
                    chart
                        .draw_series(std::iter::once(Polygon::new(poly, hl.mix(0.18))))
                        .map_err(|e| err(&e))?;
                }
            }
            2 => {
                chart
                    .draw_series(std::iter::once(Polygon::new(pts, hl.mix(0.55))))
                    .map_err(|e| err(&e))?;
            }
            1 => {
                chart
                    .draw_series(LineSeries::new(pts, hl.stroke_width(9)))
                    .map_err(|e| err(&e))?;
            }
            _ => {
                chart
                    .draw_series(std::iter::once(Circle::new(pts[0], 11, hl.filled())))
                    .map_err(|e| err(&e))?;
            }
        }
    }
    // The nine edges (hidden ones dashed).
    for e in Regime::ALL.iter().filter(|f| f.dim() == 1) {
        let pts: Vec<(f64, f64)> = face_vertices(*e).into_iter().map(project).collect();
        if hidden(*e) {
            let (a, b) = (pts[0], pts[1]);
            let n = 14;
            for i in (0..n).step_by(2) {
                let f0 = i as f64 / n as f64;
                let f1 = (i + 1) as f64 / n as f64;
                let p0 = (a.0 + (b.0 - a.0) * f0, a.1 + (b.1 - a.1) * f0);
                let p1 = (a.0 + (b.0 - a.0) * f1, a.1 + (b.1 - a.1) * f1);
                chart
                    .draw_series(LineSeries::new(vec![p0, p1], BLACK.stroke_width(1)))
                    .map_err(|e| err(&e))?;
            }
        } else {
            chart
                .draw_series(LineSeries::new(pts, BLACK.stroke_width(2)))
                .map_err(|e| err(&e))?;
        }
    }
    // The five 2-faces, labelled beside (or on) their faces.
    let style = ("sans-serif", 17).into_font().color(&BLUE);
    let labels = [
        (Regime::SmallData, (0.45, 1.38)),
        (Regime::LargeData, (0.45, -0.22)),
        (Regime::MeanField, (0.45, 0.45)),
        (Regime::NarrowLatent, (-0.62, 0.75)),
        (Regime::Free, (1.4, 1.5)),
    ];
    for (f, (x, y)) in labels {
        let text = match f {
            Regime::NarrowLatent => format!("{} ({}, left)", f.name(), f.label()),
            Regime::Free => format!("{} ({}, back)", f.name(), f.label()),
            Regime::MeanField => format!("{} ({}, front)", f.name(), f.label()),
            Regime::SmallData => format!("{} ({}, top)", f.name(), f.label()),
            _ => format!("{} ({}, bottom)", f.name(), f.label()),
        };
        chart
            .draw_series(std::iter::once(Text::new(text, (x, y), style.clone())))
            .map_err(|e| err(&e))?;
    }
    // Vertices of T and the l' axis.
    let small = ("sans-serif", 13).into_font();
    for (v, name, dx) in [
        ([0.0, 0.0, 0.0], "V_lin (0,0)", -0.2),
        ([0.0, 1.0, 0.0], "V_nf (0,1)", -0.3),
        ([1.0, 1.0, 0.0], "V_mff (1,1)", 0.03),
    ] {
        let (x, y) = project(v);
        chart
            .draw_series(std::iter::once(Text::new(
                name.to_string(),
                (x + dx, y - 0.05),
                small.clone(),
            )))
            .map_err(|e| err(&e))?;
    }
    chart
        .draw_series(std::iter::once(Text::new(
            "T: k' (powers of r), j' (powers of q);  I: l' (powers of 1/alpha), upward".to_string(),
            (-0.75, -0.4),
            small.clone(),
        )))
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// Run `prism prism`.
pub fn run(args: Args) -> CliResult {
    let highlight = match (&args.face, args.input.text_opt()?) {
        (Some(_), Some(_)) => return Err(CliError::user("give either a SPEC or --face, not both")),
        (Some(f), None) => Some(Regime::from_name(f)?),
        (None, Some(_)) => {
            let spec = args.input.parse()?;
            let prism = prism::pipeline::default_prism()?;
            let c = prism::polytope::classify(&spec, &prism)?;
            Some(Regime::from_name(&c.face)?)
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
        draw(path, highlight)?;
        out.push_str(&format!("wrote {}\n", path.display()));
    }
    print!("{out}");
    Ok(())
}
