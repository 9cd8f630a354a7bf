//! SVG line charts (plotters), returned as strings: the library never writes files.
//!
//! A [`Chart`] is a set of [`Line`]s, each optionally with an error band (drawn as two thin
//! lines at +- the band half-width). [`figure_svg`] draws several charts side by side under a
//! title, on linear or log-log axes ([`Axes`]), with a light grid, tick labels that never read
//! "-0", and each legend under its plot (never over the data); [`panels_svg`] is the untitled,
//! linear case.

use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::prelude::*;

/// One curve.
#[derive(Clone, Debug)]
pub struct Line {
    /// Legend label.
    pub label: String,
    /// Abscissae.
    pub x: Vec<f64>,
    /// Ordinates.
    pub y: Vec<f64>,
    /// Half-width of an error band (e.g. 2 standard errors), same length as y.
    pub band: Option<Vec<f64>>,
    /// Dashed (drawn as markers) instead of a solid line.
    pub dashed: bool,
    /// Palette index.
    pub color: usize,
}

/// One panel.
#[derive(Clone, Debug)]
pub struct Chart {
    /// Caption.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Curves.
    pub lines: Vec<Line>,
}

/// Plotting failed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PlotError(String);

/// The font every PNG figure is rendered with (DejaVu Sans, shipped in `assets/fonts` with its
/// licence): a machine without system fonts still gets labelled figures.
const FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

/// Pixels per SVG unit of PNG figures.
pub const PNG_SCALE: f32 = 2.0;

/// The figure formats, from a path's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureFormat {
    /// `.svg`: the SVG text as drawn.
    Svg,
    /// `.png`: the SVG rasterised at [`PNG_SCALE`] on white.
    Png,
}

/// The format a figure path asks for; an error naming the path for any other extension.
pub fn figure_format(path: &std::path::Path) -> Result<FigureFormat, PlotError> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("svg") => Ok(FigureFormat::Svg),
        Some("png") => Ok(FigureFormat::Png),
        other => Err(PlotError(format!(
            "{}: figures are written as .svg or .png, not {}",
            path.display(),
            other.map_or("a file without extension".to_string(), |e| format!(".{e}"))
        ))),
    }
}

/// Check, before long work starts, that a figure can be written at `path`: a known extension,
/// an existing directory, not a directory itself, and writable (probed by creating the file
/// if it does not exist, then removing it).
pub fn check_figure_path(path: &std::path::Path) -> Result<(), PlotError> {
    figure_format(path)?;
    let shown = path.display();
    if path.is_dir() {
        return Err(PlotError(format!("{shown} is a directory")));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        return Err(PlotError(format!(
            "cannot write {shown}: the directory {} does not exist",
            dir.display()
        )));
    }
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| PlotError(format!("cannot write {shown}: {e}")))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// The PNG image of an SVG figure (white background, text in the embedded font).
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>, PlotError> {
    use resvg::{tiny_skia, usvg};
    let mut opt = usvg::Options::default();
    opt.fontdb_mut().load_font_data(FONT.to_vec());
    opt.fontdb_mut().set_sans_serif_family("DejaVu Sans");
    opt.fontdb_mut().set_serif_family("DejaVu Sans");
    opt.fontdb_mut().set_monospace_family("DejaVu Sans");
    opt.font_family = "DejaVu Sans".into();
    let tree = usvg::Tree::from_str(svg, &opt)
        .map_err(|e| PlotError(format!("cannot read the SVG figure: {e}")))?;
    let size = tree.size();
    let w = (size.width() * PNG_SCALE).ceil() as u32;
    let h = (size.height() * PNG_SCALE).ceil() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(w.max(1), h.max(1))
        .ok_or_else(|| PlotError(format!("cannot allocate a {w} x {h} image")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| PlotError(format!("cannot encode the PNG: {e}")))
}

/// Write a figure: SVG text for `.svg`, a real PNG for `.png` (see [`svg_to_png`]); other
/// extensions are refused. Every `--plot` and `-o` figure goes through here.
pub fn save_figure(path: &std::path::Path, svg: &str) -> Result<(), PlotError> {
    let bytes = match figure_format(path)? {
        FigureFormat::Svg => svg.as_bytes().to_vec(),
        FigureFormat::Png => svg_to_png(svg)?,
    };
    std::fs::write(path, bytes)
        .map_err(|e| PlotError(format!("cannot write {}: {e}", path.display())))
}

const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 0, 0),
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
    RGBColor(23, 190, 207),
];

/// Axes of a panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axes {
    /// Linear x and y; a band is a half-width in y units.
    Linear,
    /// Logarithmic x and y (ticks at real values); abscissae and ordinates must be positive, and
    /// a band is a half-width in log10 units (the edges are y 10^-b and y 10^b).
    LogLog,
}

/// Data range of a chart in plotting coordinates (log10 of the values on log axes), padded by
/// 5% in y.
fn range(c: &Chart, axes: Axes) -> ((f64, f64), (f64, f64)) {
    let log = axes == Axes::LogLog;
    let tr = |v: f64| if log { v.log10() } else { v };
    let mut xs = (f64::INFINITY, f64::NEG_INFINITY);
    let mut ys = (f64::INFINITY, f64::NEG_INFINITY);
    for l in &c.lines {
        for (i, (&x, &y)) in l.x.iter().zip(&l.y).enumerate() {
            let (x, y) = (tr(x), tr(y));
            if !(x.is_finite() && y.is_finite()) {
                continue;
            }
            let b = l
                .band
                .as_ref()
                .and_then(|b| b.get(i))
                .copied()
                .filter(|b| b.is_finite())
                .unwrap_or(0.0);
            xs = (xs.0.min(x), xs.1.max(x));
            ys = (ys.0.min(y - b), ys.1.max(y + b));
        }
    }
    if !xs.0.is_finite() {
        xs = (0.0, 1.0);
        ys = (0.0, 1.0);
    }
    if xs.1 <= xs.0 {
        xs = (xs.0 - 0.5, xs.0 + 0.5);
    }
    let xpad = if log { 0.04 * (xs.1 - xs.0) } else { 0.0 };
    let pad = 0.05 * (ys.1 - ys.0).max(1e-12 * (1.0 + ys.1.abs()));
    ((xs.0 - xpad, xs.1 + xpad), (ys.0 - pad, ys.1 + pad))
}

/// A tick label on a linear axis whose ticks are about `step` apart: as many decimals as the
/// step needs, and never "-0" or "-0.0" (a value that rounds to zero prints as "0").
pub fn tick_label(v: f64, step: f64) -> String {
    let step = step.abs();
    let mag = v.abs().max(step);
    if mag > 0.0 && !(1e-4..1e6).contains(&mag) {
        // Scientific, with the digits the step needs relative to the magnitude.
        let digits = if step > 0.0 {
            ((mag / step).log10().ceil().max(0.0) as usize).min(6)
        } else {
            2
        };
        let s = format!("{v:.digits$e}");
        return if v.abs() < 0.5 * step { "0".into() } else { s };
    }
    let decimals = if step > 0.0 {
        (-(step.log10().floor())).max(0.0) as usize + 1
    } else {
        2
    };
    let s = format!("{v:.decimals$}");
    // Trim trailing zeros of the fraction.
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        "0".into()
    } else {
        s
    }
}

/// A tick label on a log axis: the value with up to three significant digits, powers of ten
/// outside [1e-3, 1e4) written as `1e-5`, `2.5e6`.
pub fn log_tick_label(v: f64) -> String {
    if v <= 0.0 || !v.is_finite() {
        return String::new();
    }
    let e = v.log10().floor() as i32;
    if (-3..4).contains(&e) {
        let decimals = (2 - e).max(0) as usize;
        let s = format!("{v:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        let m = v / 10f64.powi(e);
        let ms = format!("{m:.2}");
        let ms = ms.trim_end_matches('0').trim_end_matches('.');
        format!("{ms}e{e}")
    }
}

/// Height in pixels of one legend row, and the legend font size.
const LEGEND_ROW: u32 = 17;
const LEGEND_FONT: u32 = 12;

/// Legend columns and rows of a chart in a panel `width` pixels wide (entries are laid out
/// under the plot, never over the data).
fn legend_grid(c: &Chart, width: u32) -> (usize, usize) {
    let n = c.lines.iter().filter(|l| !l.label.is_empty()).count();
    if n == 0 {
        return (1, 0);
    }
    let longest = c
        .lines
        .iter()
        .map(|l| l.label.chars().count())
        .max()
        .unwrap_or(0);
    let col = 34.0 + 6.6 * longest as f64;
    let cols = (((width as f64 - 80.0) / col).floor() as usize)
        .clamp(1, 3)
        .min(n);
    (cols, n.div_ceil(cols))
}

/// Draw the curves of a chart on an already built coordinate system.
fn draw_lines<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    c: &Chart,
    axes: Axes,
) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let e = |x: &dyn std::fmt::Display| PlotError(format!("cannot draw the chart: {x}"));
    let ok = |x: f64, y: f64| {
        x.is_finite() && y.is_finite() && (axes == Axes::Linear || (x > 0.0 && y > 0.0))
    };
    for l in &c.lines {
        let color = PALETTE[l.color % PALETTE.len()];
        let pts: Vec<(f64, f64)> =
            l.x.iter()
                .zip(&l.y)
                .filter(|(x, y)| ok(**x, **y))
                .map(|(x, y)| (*x, *y))
                .collect();
        if let Some(band) = &l.band {
            for sign in [-1.0, 1.0] {
                let edge: Vec<(f64, f64)> =
                    l.x.iter()
                        .zip(&l.y)
                        .zip(band)
                        .filter(|((x, y), b)| ok(**x, **y) && b.is_finite())
                        .map(|((x, y), b)| match axes {
                            Axes::Linear => (*x, y + sign * b),
                            Axes::LogLog => (*x, y * 10f64.powf(sign * b)),
                        })
                        .collect();
                chart
                    .draw_series(LineSeries::new(edge, color.mix(0.35)))
                    .map_err(|x| e(&x))?;
            }
        }
        if l.dashed {
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
                .map_err(|x| e(&x))?;
        } else {
            chart
                .draw_series(LineSeries::new(pts, color.stroke_width(2)))
                .map_err(|x| e(&x))?;
        }
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    c: &Chart,
    axes: Axes,
    legend_height: u32,
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    let e = |x: &dyn std::fmt::Display| PlotError(format!("cannot draw the chart: {x}"));
    let (w, h) = area.dim_in_pixel();
    let (plot_area, legend_area) = area.split_vertically(h.saturating_sub(legend_height));
    let ((x0, x1), (y0, y1)) = range(c, axes);
    let bold = BLACK.mix(0.15);
    let light = BLACK.mix(0.05);
    let mut builder = ChartBuilder::on(&plot_area);
    builder
        .caption(&c.title, ("sans-serif", 15))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70);
    match axes {
        Axes::Linear => {
            let mut chart = builder
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(|x| e(&x))?;
            let (xs, ys) = ((x1 - x0) / 10.0, (y1 - y0) / 10.0);
            let xf = move |v: &f64| tick_label(*v, xs);
            let yf = move |v: &f64| tick_label(*v, ys);
            chart
                .configure_mesh()
                .x_desc(c.x_label.as_str())
                .y_desc(c.y_label.as_str())
                .x_label_formatter(&xf)
                .y_label_formatter(&yf)
                .bold_line_style(bold)
                .light_line_style(light)
                .draw()
                .map_err(|x| e(&x))?;
            draw_lines(&mut chart, c, axes)?;
        }
        Axes::LogLog => {
            let p = |v: f64| 10f64.powf(v);
            let mut chart = builder
                .build_cartesian_2d((p(x0)..p(x1)).log_scale(), (p(y0)..p(y1)).log_scale())
                .map_err(|x| e(&x))?;
            // plotters' own log ticks are sparse within a decade: the mesh draws the axes and
            // their descriptions; ticks at 1, 2, 5 x 10^k (every digit when that leaves fewer
            // than four) are drawn here, with grid lines (bold at powers of ten).
            chart
                .configure_mesh()
                .x_desc(c.x_label.as_str())
                .y_desc(c.y_label.as_str())
                .disable_x_mesh()
                .disable_y_mesh()
                .x_labels(0)
                .y_labels(0)
                .x_label_formatter(&|_| String::new())
                .y_label_formatter(&|_| String::new())
                .draw()
                .map_err(|x| e(&x))?;
            let ticks = |lo: f64, hi: f64| {
                let (a, b) = (lo.floor() as i32, hi.ceil() as i32);
                let pick = |ms: &[f64]| {
                    let mut t = Vec::new();
                    for k in a..=b {
                        for m in ms {
                            let v = m * 10f64.powi(k);
                            if v.log10() >= lo && v.log10() <= hi {
                                t.push(v);
                            }
                        }
                    }
                    t
                };
                let t = pick(&[1.0, 2.0, 5.0]);
                if t.len() >= 4 {
                    t
                } else {
                    pick(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
                }
            };
            let is_decade = |v: f64| (v.log10() - v.log10().round()).abs() < 1e-9;
            let base = plot_area.get_base_pixel();
            let font = ("sans-serif", LEGEND_FONT).into_font();
            let (xlo, xhi, ylo, yhi) = (p(x0), p(x1), p(y0), p(y1));
            for v in ticks(x0, x1) {
                let style = if is_decade(v) { bold } else { light.mix(2.0) };
                chart
                    .draw_series(LineSeries::new(vec![(v, ylo), (v, yhi)], style))
                    .map_err(|x| e(&x))?;
                let (px, py) = chart.backend_coord(&(v, ylo));
                let label = log_tick_label(v);
                let w = 6 * label.chars().count() as i32 / 2;
                plot_area
                    .draw(&Text::new(
                        label,
                        (px - base.0 - w, py - base.1 + 6),
                        font.clone(),
                    ))
                    .map_err(|x| e(&x))?;
            }
            for v in ticks(y0, y1) {
                let style = if is_decade(v) { bold } else { light.mix(2.0) };
                chart
                    .draw_series(LineSeries::new(vec![(xlo, v), (xhi, v)], style))
                    .map_err(|x| e(&x))?;
                let (px, py) = chart.backend_coord(&(xlo, v));
                let label = log_tick_label(v);
                let w = 7 * label.chars().count() as i32;
                plot_area
                    .draw(&Text::new(
                        label,
                        (px - base.0 - w - 6, py - base.1 - 6),
                        font.clone(),
                    ))
                    .map_err(|x| e(&x))?;
            }
            draw_lines(&mut chart, c, axes)?;
        }
    }
    // The legend, under the plot.
    let (cols, _) = legend_grid(c, w);
    let col_w = (w.saturating_sub(80) / cols as u32) as i32;
    let font = ("sans-serif", LEGEND_FONT).into_font();
    for (k, l) in c.lines.iter().filter(|l| !l.label.is_empty()).enumerate() {
        let color = PALETTE[l.color % PALETTE.len()];
        let x = 70 + (k % cols) as i32 * col_w;
        let y = 8 + (k / cols) as i32 * LEGEND_ROW as i32;
        if l.dashed {
            legend_area
                .draw(&Circle::new((x + 10, y), 3, color.filled()))
                .map_err(|x| e(&x))?;
        } else {
            legend_area
                .draw(&PathElement::new(
                    vec![(x, y), (x + 20, y)],
                    color.stroke_width(2),
                ))
                .map_err(|x| e(&x))?;
        }
        if l.band.is_some() {
            for dy in [-4, 4] {
                legend_area
                    .draw(&PathElement::new(
                        vec![(x, y + dy), (x + 20, y + dy)],
                        color.mix(0.35),
                    ))
                    .map_err(|x| e(&x))?;
            }
        }
        legend_area
            .draw(&Text::new(
                l.label.clone(),
                (x + 28, y - LEGEND_FONT as i32 / 2),
                font.clone(),
            ))
            .map_err(|x| e(&x))?;
    }
    Ok(())
}

/// A figure: an optional title over panels side by side, each `width` x `height` pixels of
/// plot plus room for its legend, which is drawn under the plot (never over the data).
pub fn figure_svg(
    title: &str,
    panels: &[(Chart, Axes)],
    width: u32,
    height: u32,
) -> Result<String, PlotError> {
    let mut out = String::new();
    {
        let e = |x: &dyn std::fmt::Display| PlotError(format!("cannot draw the chart: {x}"));
        let n = panels.len().max(1);
        let rows = panels
            .iter()
            .map(|(c, _)| legend_grid(c, width).1)
            .max()
            .unwrap_or(0) as u32;
        let legend_height = if rows > 0 { rows * LEGEND_ROW + 16 } else { 0 };
        let title_height = if title.is_empty() { 0 } else { 34 };
        let root = SVGBackend::with_string(
            &mut out,
            (width * n as u32, height + legend_height + title_height),
        )
        .into_drawing_area();
        root.fill(&WHITE).map_err(|x| e(&x))?;
        let body = if title.is_empty() {
            root.clone()
        } else {
            root.titled(title, ("sans-serif", 17)).map_err(|x| e(&x))?
        };
        let areas = body.split_evenly((1, n));
        for (a, (c, axes)) in areas.iter().zip(panels) {
            draw(a, c, *axes, legend_height)?;
        }
        root.present().map_err(|x| e(&x))?;
    }
    Ok(out)
}

/// Charts (linear axes) side by side in one SVG (each panel `width` x `height` pixels plus
/// its legend).
pub fn panels_svg(charts: &[Chart], width: u32, height: u32) -> Result<String, PlotError> {
    let panels: Vec<(Chart, Axes)> = charts.iter().map(|c| (c.clone(), Axes::Linear)).collect();
    figure_svg("", &panels, width, height)
}

/// One chart as SVG.
pub fn chart_svg(chart: &Chart) -> Result<String, PlotError> {
    panels_svg(std::slice::from_ref(chart), 720, 460)
}

// ---- The prism drawing -------------------------------------------------------------

use crate::regimes::{DataPart, LatentPart, Regime};

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
/// vertex V2 (the corner (k', j') = (0, 1) of T at l' = 0).
fn hidden(e: Regime) -> bool {
    matches!(
        e,
        Regime::LargeNarrow | Regime::LargeFree | Regime::NarrowFree
    )
}

/// The triangular prism P = T x I in an oblique projection, the five regimes labelled, hidden
/// edges dashed, and the face `highlight` (if any) filled or thickened. Returns SVG text.
pub fn prism_svg(highlight: Option<Regime>) -> Result<String, PlotError> {
    prism_svg_law(highlight, None)
}

/// [`prism_svg`] for data with a covariance spectrum `law` (x ~ N(0, Sigma), THEORY 9): the
/// figure states the law under its title. For a law with bounded support the hierarchy with
/// moments has exactly the isotropic supports (THEORY 9.3), so the prism, its faces and the face
/// a spec classifies onto are those of isotropic data, and only the limit along the face changes;
/// the caller refuses a heavy-tailed law first ([`prism_drawing_refusal`]).
pub fn prism_svg_law(
    highlight: Option<Regime>,
    law: Option<&crate::spec::SpectrumLaw>,
) -> Result<String, PlotError> {
    let mut out = String::new();
    let law = law
        .filter(|l| !l.is_identity())
        .map(|l| crate::spec::elide(&l.to_string(), 40));
    draw_prism(&mut out, highlight, law.as_deref())?;
    Ok(out)
}

/// Why the prism cannot be drawn for data with the covariance spectrum `law` on the face
/// `face`, or None when it can. The drawing is the prism of THEORY 3-4, which is the prism of
/// every law with bounded support (THEORY 9.3). With a heavy tail (m_k infinite from some k) the
/// hierarchy's coefficients grow with p from order k - 1 on, so the classification holds only
/// below that order, and the prism for the tail exponent is a conjecture (THEORY 9.6): there is
/// no established prism to draw.
pub fn prism_drawing_refusal(law: &crate::spec::SpectrumLaw, face: Regime) -> Option<String> {
    if law.bounded_support() {
        return None;
    }
    let ht = crate::regimes::spectral::heavy_tail(face, law);
    let k = ht.first_infinite_moment.unwrap_or(0);
    Some(format!(
        "the prism is not drawn for `spectrum = {law}`: it has a heavy tail (m_k infinite for k >= {k}), so the hierarchy's coefficients grow with p from order {} on and the classification onto the prism of THEORY 3-4 holds only for the orders below it; the prism for the tail exponent is a conjecture (THEORY 9.6), not a result. `prism classify SPEC` states what holds (the leading orders classify onto {}); a law with bounded support (e.g. `atoms(...)`, `uniform(a, b)`, a `file(...)` of eigenvalues) is drawn",
        k.saturating_sub(1),
        face.name(),
    ))
}

/// What the drawing of a spec shows: the face the spec selects, classified with its
/// `spectrum = LAW` (the same prism for a law with bounded support, THEORY 9.3), and the law
/// to state in the figure (None: isotropic data). A heavy tail is refused with the reason
/// ([`prism_drawing_refusal`]).
pub fn prism_highlight(
    spec: &crate::spec::Spec,
    prism: &crate::polytope::FittedPrism,
) -> Result<(Regime, Option<crate::spec::SpectrumLaw>), PlotError> {
    let c = crate::polytope::classify(spec, prism).map_err(|e| PlotError(e.to_string()))?;
    if let Some(why) = prism_drawing_refusal(&spec.spectrum, c.face) {
        return Err(PlotError(why));
    }
    let law = (!spec.spectrum.is_identity()).then(|| spec.spectrum.clone());
    Ok((c.face, law))
}

fn draw_prism(
    out: &mut String,
    highlight: Option<Regime>,
    law: Option<&str>,
) -> Result<(), PlotError> {
    let err = |e: &dyn std::fmt::Display| PlotError(format!("cannot draw the figure: {e}"));
    let root = SVGBackend::with_string(out, (820, 640)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let caption = match highlight {
        Some(r) => format!(
            "the prism P = T x I; highlighted: {} ({})",
            r.name(),
            r.label()
        ),
        None => "the prism P = T x I of leading exponents".to_string(),
    };
    // The law, stated under the title (the title alone would overflow the figure).
    let note = law.map(|l| {
        format!("data x ~ N(0, Sigma), spectrum = {l}: a bounded support, so the prism, its faces and the classification are those of isotropic data (THEORY 9.3); only the limit along the face changes")
    });
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
    // The six vertices, with the labels V1-V6 of the text output (prism::regimes) and their
    // (k', j') corner of T.
    let small = ("sans-serif", 13).into_font();
    for r in Regime::ALL.iter().filter(|r| r.dim() == 0) {
        let v = face_vertices(*r)[0];
        let (x, y) = project(v);
        let dx = if v[0] > 0.5 { 0.03 } else { -0.28 };
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{} ({},{})", r.label(), v[0], v[1]),
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
    if let Some(note) = note {
        // Wrapped to the figure's width.
        let mut lines = vec![String::new()];
        for w in note.split(' ') {
            let cur = lines.last_mut().expect("one line");
            if !cur.is_empty() && cur.len() + 1 + w.len() > NOTE_WIDTH {
                lines.push(w.to_string());
            } else {
                if !cur.is_empty() {
                    cur.push(' ');
                }
                cur.push_str(w);
            }
        }
        for (i, l) in lines.into_iter().enumerate() {
            chart
                .draw_series(std::iter::once(Text::new(
                    l,
                    (-0.75, 1.72 - 0.075 * i as f64),
                    small.clone(),
                )))
                .map_err(|e| err(&e))?;
        }
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// Characters per line of the prism drawing's spectrum note.
const NOTE_WIDTH: usize = 110;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_lines_and_bands() {
        let c = Chart {
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            lines: vec![
                Line {
                    label: "a".into(),
                    x: vec![0.0, 1.0],
                    y: vec![0.0, 1.0],
                    band: Some(vec![0.1, 0.1]),
                    dashed: false,
                    color: 1,
                },
                Line {
                    label: "b".into(),
                    x: vec![0.0, 1.0],
                    y: vec![1.0, f64::NAN],
                    band: None,
                    dashed: true,
                    color: 2,
                },
            ],
        };
        let svg = panels_svg(&[c.clone(), c], 300, 200).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("polyline"));
    }

    #[test]
    fn tick_labels_never_read_negative_zero() {
        assert_eq!(tick_label(-0.0, 0.1), "0");
        assert_eq!(tick_label(-1e-17, 0.02), "0");
        assert_eq!(tick_label(1e-17, 0.02), "0");
        assert_eq!(tick_label(-0.2, 0.1), "-0.2");
        assert_eq!(tick_label(0.12, 0.01), "0.12");
        assert_eq!(tick_label(3.0, 1.0), "3");
        assert_eq!(tick_label(-3e-9, 1e-6), "0");
        assert_eq!(log_tick_label(1e-5), "1e-5");
        assert_eq!(log_tick_label(0.002), "0.002");
        assert_eq!(log_tick_label(200.0), "200");
    }

    #[test]
    fn log_log_figure_has_a_title_and_no_negative_zero() {
        let c = Chart {
            title: "e".into(),
            x_label: "n".into(),
            y_label: "err".into(),
            lines: vec![Line {
                label: "err, band 2 s.e.".into(),
                x: vec![16.0, 32.0, 64.0],
                y: vec![1e-2, 5e-3, 2.5e-3],
                band: Some(vec![0.05; 3]),
                dashed: true,
                color: 1,
            }],
        };
        let lin = Chart {
            lines: vec![Line {
                x: vec![0.0, 1.0],
                y: vec![-1e-3, 1e-3],
                band: None,
                dashed: false,
                ..c.lines[0].clone()
            }],
            ..c.clone()
        };
        let svg = figure_svg(
            "spec; c = 1",
            &[(lin, Axes::Linear), (c, Axes::LogLog)],
            400,
            300,
        )
        .unwrap();
        assert!(svg.contains("spec; c = 1") && svg.contains("band 2 s.e."));
        assert!(!svg.contains(">-0<") && !svg.contains(">-0.0<"));
    }

    #[test]
    fn draws_the_prism() {
        let svg = prism_svg(Some(Regime::MeanField)).unwrap();
        assert!(svg.contains("mean-field") && svg.contains("small-data"));
        assert!(!svg.contains("spectrum"));
    }

    #[test]
    fn draws_the_prism_with_a_spectrum_and_refuses_a_heavy_tail() {
        use crate::poly::frac;
        use crate::spec::SpectrumLaw;
        let law =
            SpectrumLaw::atoms(vec![(frac(1, 2), frac(1, 2)), (frac(3, 2), frac(1, 2))]).unwrap();
        assert!(prism_drawing_refusal(&law, Regime::NarrowLatent).is_none());
        let svg = prism_svg_law(Some(Regime::NarrowLatent), Some(&law)).unwrap();
        assert!(
            svg.contains("spectrum = atoms(1/2: 1/2, 3/2: 1/2)"),
            "{svg}"
        );
        assert!(svg.contains("narrow-latent (F3)"));
        let heavy = SpectrumLaw::PowerLaw { a: frac(1, 2) };
        let why = prism_drawing_refusal(&heavy, Regime::MeanField).unwrap();
        assert!(
            why.contains("heavy tail") && why.contains("conjecture"),
            "{why}"
        );
    }
}
