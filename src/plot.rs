//! SVG line charts (plotters), returned as strings: the library never writes files.
//!
//! A [`Chart`] is a set of [`Line`]s, each optionally with an error band (drawn as two thin
//! lines at +- the band half-width). [`panels_svg`] draws several charts side by side.

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
#[error("cannot draw the chart: {0}")]
pub struct PlotError(String);

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

fn range(charts: &Chart) -> ((f64, f64), (f64, f64)) {
    let mut xs = (f64::INFINITY, f64::NEG_INFINITY);
    let mut ys = (f64::INFINITY, f64::NEG_INFINITY);
    for l in &charts.lines {
        for (i, (&x, &y)) in l.x.iter().zip(&l.y).enumerate() {
            if !(x.is_finite() && y.is_finite()) {
                continue;
            }
            let b = l
                .band
                .as_ref()
                .and_then(|b| b.get(i))
                .copied()
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
        xs.1 = xs.0 + 1.0;
    }
    let pad = 0.05 * (ys.1 - ys.0).max(1e-12);
    (xs, (ys.0 - pad, ys.1 + pad))
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    c: &Chart,
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    let e = |x: &dyn std::fmt::Display| PlotError(x.to_string());
    let ((x0, x1), (y0, y1)) = range(c);
    let mut chart = ChartBuilder::on(area)
        .caption(&c.title, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|x| e(&x))?;
    chart
        .configure_mesh()
        .x_desc(c.x_label.as_str())
        .y_desc(c.y_label.as_str())
        .draw()
        .map_err(|x| e(&x))?;
    for l in &c.lines {
        let color = PALETTE[l.color % PALETTE.len()];
        let pts: Vec<(f64, f64)> =
            l.x.iter()
                .zip(&l.y)
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|(x, y)| (*x, *y))
                .collect();
        if l.dashed {
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
                .map_err(|x| e(&x))?
                .label(l.label.as_str())
                .legend(move |(x, y)| Circle::new((x + 10, y), 3, color.filled()));
        } else {
            chart
                .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
                .map_err(|x| e(&x))?
                .label(l.label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        if let Some(band) = &l.band {
            for sign in [-1.0, 1.0] {
                let edge: Vec<(f64, f64)> =
                    l.x.iter()
                        .zip(&l.y)
                        .zip(band)
                        .filter(|((x, y), b)| x.is_finite() && y.is_finite() && b.is_finite())
                        .map(|((x, y), b)| (*x, y + sign * b))
                        .collect();
                chart
                    .draw_series(LineSeries::new(edge, color.mix(0.35)))
                    .map_err(|x| e(&x))?;
            }
        }
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|x| e(&x))?;
    Ok(())
}

/// Charts side by side in one SVG (each panel `width` x `height` pixels).
pub fn panels_svg(charts: &[Chart], width: u32, height: u32) -> Result<String, PlotError> {
    let mut out = String::new();
    {
        let n = charts.len().max(1);
        let root =
            SVGBackend::with_string(&mut out, (width * n as u32, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|x| PlotError(x.to_string()))?;
        let areas = root.split_evenly((1, n));
        for (a, c) in areas.iter().zip(charts) {
            draw(a, c)?;
        }
        root.present().map_err(|x| PlotError(x.to_string()))?;
    }
    Ok(out)
}

/// One chart as SVG.
pub fn chart_svg(chart: &Chart) -> Result<String, PlotError> {
    panels_svg(std::slice::from_ref(chart), 720, 460)
}

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
}
