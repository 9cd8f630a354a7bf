//! Drawing phase maps and the normal fan as SVG text (the library never writes files).
//!
//! The geometry is exact up to this point; here coordinates become floats for drawing only.
//! Regions are filled with the regime palette ([`super::palette`]) and labelled inside, the
//! segments are drawn with their face's name along them, the points are marked and named,
//! inadmissible parts are hatched grey with their reason. Labels that do not fit fall back to
//! the short labels (F1..F5, E1..E9, V1..V6) explained in a key under the figure.

use super::palette::fill;
use super::plane::{self, Pt, Q};
use super::{AxisInfo, PhaseMap};
use crate::regimes::Regime;
use std::fmt::Write;

const FONT: &str = "DejaVu Sans, Helvetica, Arial, sans-serif";
/// Average glyph advance of the sans-serif font, as a fraction of the font size.
const CHAR_W: f64 = 0.6;

/// Escaped text with every `X_s` (a letter, `_`, a run of letters or digits) written with a
/// lowered subscript, for a line of the given font size.
fn with_subscripts(s: &str, size: f64) -> String {
    let drop = size * 0.25;
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut open = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '_'
            && i > 0
            && chars[i - 1].is_alphabetic()
            && i + 1 < chars.len()
            && chars[i + 1].is_alphanumeric()
        {
            let mut j = i + 1;
            while j < chars.len() && chars[j].is_alphanumeric() {
                j += 1;
            }
            let sub: String = chars[i + 1..j].iter().collect();
            // A space right after a tspan boundary is dropped by some renderers: shift instead.
            let space = chars.get(j) == Some(&' ');
            let _ = write!(
                out,
                "<tspan dy=\"{drop:.1}\" font-size=\"{:.1}\">{}</tspan><tspan dy=\"{:.1}\" dx=\"{:.1}\">",
                size * 0.75,
                esc(&sub),
                -drop,
                if space { size * 0.3 } else { 0.0 }
            );
            open += 1;
            i = if space { j + 1 } else { j };
            continue;
        }
        out.push_str(&esc(&c.to_string()));
        i += 1;
    }
    for _ in 0..open {
        out.push_str("</tspan>");
    }
    out
}

/// Typographic minus signs.
fn minus(s: &str) -> String {
    s.replace('-', "−")
}

/// Escaped text with every power `n^e` (e a number or a parenthesized rational) written as n
/// with a raised exponent, for a line of the given font size.
fn with_powers(s: &str, size: f64) -> String {
    let raise = size * 0.4;
    let mut out = String::new();
    let mut rest = s;
    let mut open = 0;
    while let Some(i) = rest.find("n^") {
        out.push_str(&esc(&rest[..i + 1]));
        let after = &rest[i + 2..];
        let len = if after.starts_with('(') {
            after.find(')').map_or(after.len(), |j| j + 1)
        } else {
            after
                .char_indices()
                .find(|(k, c)| {
                    !(c.is_ascii_digit() || *c == '.' || *c == '/' || (*k == 0 && *c == '-'))
                })
                .map_or(after.len(), |(k, _)| k)
        };
        let e = after[..len].trim_start_matches('(').trim_end_matches(')');
        rest = &after[len..];
        // A space right after a tspan boundary is dropped by some renderers: shift instead.
        let space = rest.starts_with(' ');
        if space {
            rest = &rest[1..];
        }
        let _ = write!(
            out,
            "<tspan dy=\"{:.1}\" font-size=\"{:.1}\">{}</tspan><tspan dy=\"{raise:.1}\" dx=\"{:.1}\">",
            -raise,
            size * 0.72,
            esc(&minus(e)),
            if space { size * 0.3 } else { 0.0 }
        );
        open += 1;
    }
    out.push_str(&esc(rest));
    for _ in 0..open {
        out.push_str("</tspan>");
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Data-to-pixel transform of one panel.
#[derive(Clone, Copy, Debug)]
struct Frame {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Frame {
    fn new(left: f64, top: f64, width: f64, height: f64, x: &AxisInfo, y: &AxisInfo) -> Frame {
        let f = crate::poly::rat_to_f64;
        Frame {
            left,
            top,
            width,
            height,
            x0: f(&x.from),
            x1: f(&x.to),
            y0: f(&y.from),
            y1: f(&y.to),
        }
    }

    fn px(&self, p: &Pt) -> (f64, f64) {
        let (x, y) = p.to_f64();
        self.xy(x, y)
    }

    fn xy(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.left + (x - self.x0) / (self.x1 - self.x0) * self.width,
            self.top + (self.y1 - y) / (self.y1 - self.y0) * self.height,
        )
    }
}

/// How a parameter is written in the figure.
fn pretty(param: &str) -> String {
    match param {
        "sigma2" => "σ²".to_string(),
        "sigma" => "σ".to_string(),
        "u_r" => "u_r".to_string(),
        other => other.to_string(),
    }
}

/// The fixed part written for a title: `p = n, N = n^(1/2)`.
fn pretty_fixed(map: &PhaseMap) -> String {
    let mut s = map.fixed.replace("sigma2", "σ²").replace("; ", ",  ");
    if map.n_defaulted {
        if !s.is_empty() {
            s.push_str(",  ");
        }
        s.push_str("N = ∞ (default)");
    }
    s.replace("inf", "∞")
}

/// Short label of a face (F1, E7, V3, interior); None for `invalid`.
fn short(regime: Option<Regime>) -> Option<&'static str> {
    regime.map(Regime::label)
}

/// Tick positions: a "nice" step giving 4 to 8 ticks; exact rationals for the labels.
fn ticks(from: &Q, to: &Q) -> Vec<Q> {
    let span = to - from;
    let steps: Vec<Q> = [
        (1, 10),
        (1, 5),
        (1, 4),
        (1, 2),
        (1, 1),
        (2, 1),
        (5, 1),
        (10, 1),
    ]
    .iter()
    .map(|&(n, d)| crate::poly::frac(n, d))
    .collect();
    let mut scale = Q::from_integer(1.into());
    // Bring the span into [1, 10) in powers of ten.
    let ten = Q::from_integer(10.into());
    let mut s = span.clone();
    while s >= ten {
        s /= &ten;
        scale *= &ten;
    }
    while s < Q::from_integer(1.into()) {
        s *= &ten;
        scale /= &ten;
    }
    for st in &steps {
        let step = st * &scale;
        let n = (&span / &step).floor();
        if n <= Q::from_integer(6.into()) {
            let mut out = Vec::new();
            let mut t = (from / &step).ceil() * &step;
            while t <= *to {
                out.push(t.clone());
                t += &step;
            }
            return out;
        }
    }
    vec![from.clone(), to.clone()]
}

/// Text with a white halo (readable on any fill).
fn text(
    out: &mut String,
    (x, y): (f64, f64),
    size: f64,
    anchor: &str,
    rotate: Option<f64>,
    extra: &str,
    body: &str,
) {
    let rot = rotate.map_or(String::new(), |a| {
        format!(" transform=\"rotate({a:.2} {x:.2} {y:.2})\"")
    });
    let _ = writeln!(
        out,
        "<text x=\"{x:.2}\" y=\"{y:.2}\" font-size=\"{size}\" text-anchor=\"{anchor}\"{rot} {extra}>{body}</text>"
    );
}

const HALO: &str =
    "stroke=\"white\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"";

/// Is the axis-aligned label box (centre, width, height) inside the pixel polygon?
fn fits(poly: &[(f64, f64)], (cx, cy): (f64, f64), w: f64, h: f64) -> bool {
    let inside = |(x, y): (f64, f64)| {
        let n = poly.len();
        let sign = (0..n).map(|i| {
            let (a, b) = (poly[i], poly[(i + 1) % n]);
            (b.0 - a.0) * (y - a.1) - (b.1 - a.1) * (x - a.0)
        });
        // Pixel y points down, so a counter-clockwise polygon turns clockwise on screen.
        sign.into_iter().all(|s| s <= 0.0)
    };
    let (dx, dy) = (w / 2.0 + 3.0, h / 2.0 + 3.0);
    [(-dx, -dy), (dx, -dy), (dx, dy), (-dx, dy)]
        .iter()
        .all(|(ox, oy)| inside((cx + ox, cy + oy)))
}

/// A quadrilateral in pixels (a possibly rotated label box).
type Quad = [(f64, f64); 4];

/// The box of width w and height h centred at c, rotated by `deg` degrees.
fn rect(c: (f64, f64), w: f64, h: f64, deg: f64) -> Quad {
    let (s, co) = deg.to_radians().sin_cos();
    let corner = |dx: f64, dy: f64| (c.0 + dx * co - dy * s, c.1 + dx * s + dy * co);
    let (a, b) = (w / 2.0, h / 2.0);
    [corner(-a, -b), corner(a, -b), corner(a, b), corner(-a, b)]
}

/// Whether two convex quadrilaterals overlap (separating-axis test).
fn overlap(p: &Quad, q: &Quad) -> bool {
    for poly in [p, q] {
        for i in 0..4 {
            let (a, b) = (poly[i], poly[(i + 1) % 4]);
            let n = (a.1 - b.1, b.0 - a.0);
            let proj = |r: &Quad| {
                r.iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                        let d = v.0 * n.0 + v.1 * n.1;
                        (lo.min(d), hi.max(d))
                    })
            };
            let (p0, p1) = proj(p);
            let (q0, q1) = proj(q);
            if p1 <= q0 || q1 <= p0 {
                return false;
            }
        }
    }
    true
}

/// Places to try for a region's label: its centroid first, then the points of a grid over the
/// polygon's bounding box, nearest to the centroid first.
fn label_candidates(pts: &[(f64, f64)], centroid: (f64, f64)) -> Vec<(f64, f64)> {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in pts {
        x0 = x0.min(p.0);
        x1 = x1.max(p.0);
        y0 = y0.min(p.1);
        y1 = y1.max(p.1);
    }
    let n = 14;
    let mut out: Vec<(f64, f64)> = (0..=n)
        .flat_map(|i| {
            (0..=n).map(move |j| {
                (
                    x0 + (x1 - x0) * f64::from(i) / f64::from(n),
                    y0 + (y1 - y0) * f64::from(j) / f64::from(n),
                )
            })
        })
        .collect();
    let d = |p: &(f64, f64)| (p.0 - centroid.0).powi(2) + (p.1 - centroid.1).powi(2);
    out.sort_by(|a, b| d(a).total_cmp(&d(b)));
    out.insert(0, centroid);
    out
}

/// What the panel drawing needs to know beyond the map.
struct PanelStyle {
    /// Font size of region labels.
    region_font: f64,
    /// Draw the axis titles.
    axis_titles: bool,
}

/// Draw one map into a frame; returns the short labels used (for the key).
fn draw_panel(out: &mut String, map: &PhaseMap, fr: &Frame, st: &PanelStyle) -> Vec<Regime> {
    let mut key: Vec<Regime> = Vec::new();
    let poly_px = |poly: &[Pt]| poly.iter().map(|p| fr.px(p)).collect::<Vec<_>>();
    // Regions.
    for r in &map.regions {
        let pts = poly_px(&r.polygon);
        let d: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.2},{y:.2}")).collect();
        let fill = fill(r.regime).hex();
        let _ = writeln!(
            out,
            "<polygon points=\"{}\" fill=\"{fill}\" stroke=\"{fill}\" stroke-width=\"0.6\"/>",
            d.join(" ")
        );
        if r.reason.is_some() {
            let _ = writeln!(
                out,
                "<polygon points=\"{}\" fill=\"url(#hatch)\" stroke=\"none\"/>",
                d.join(" ")
            );
        }
    }
    // Frame.
    let _ = writeln!(
        out,
        "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"none\" stroke=\"#333\" stroke-width=\"1\"/>",
        fr.left, fr.top, fr.width, fr.height
    );
    // Segments.
    for s in &map.segments {
        let (a, b) = (fr.px(&s.segment[0]), fr.px(&s.segment[1]));
        let dash = if s.reason.is_some() {
            " stroke-dasharray=\"5 3\""
        } else {
            ""
        };
        let colour = if s.reason.is_some() {
            "#777"
        } else {
            "#1a1a1a"
        };
        let _ = writeln!(
            out,
            "<line x1=\"{:.2}\" y1=\"{:.2}\" x2=\"{:.2}\" y2=\"{:.2}\" stroke=\"{colour}\" stroke-width=\"2\" stroke-linecap=\"round\"{dash}/>",
            a.0, a.1, b.0, b.1
        );
    }
    // Points.
    for m in &map.points {
        let (x, y) = fr.px(&m.point);
        let _ = writeln!(
            out,
            "<circle cx=\"{x:.2}\" cy=\"{y:.2}\" r=\"4.5\" fill=\"#000\" stroke=\"white\" stroke-width=\"1.5\"/>"
        );
    }
    // Labels: segments first (along their line), then points, then regions, each placed where
    // it collides with no label placed before it.
    let mut taken: Vec<Quad> = Vec::new();
    for m in &map.points {
        taken.push(rect(fr.px(&m.point), 10.0, 10.0, 0.0));
    }
    for s in &map.segments {
        let (a, b) = (fr.px(&s.segment[0]), fr.px(&s.segment[1]));
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        // Upright text; a vertical segment reads from bottom to top.
        let mut ang = (b.1 - a.1).atan2(b.0 - a.0).to_degrees();
        if ang >= 89.99 {
            ang -= 180.0;
        } else if ang < -90.01 {
            ang += 180.0;
        }
        let full = match &s.reason {
            Some(r) => format!("invalid: {}", r.split(" (").next().unwrap_or(r)),
            None => match short(s.regime) {
                Some(l) => format!("{} ({l})", s.face),
                None => s.face.clone(),
            },
        };
        let mut options: Vec<(String, f64, bool)> =
            vec![(full.clone(), 11.0, false), (full, 9.5, false)];
        if s.reason.is_none() {
            options.push((s.face.clone(), 9.5, false));
        }
        if let Some(l) = short(s.regime) {
            options.push((l.to_string(), 11.0, true));
        }
        let rad = ang.to_radians();
        // Unit normal pointing to the upper side of the rotated baseline.
        let (nx, ny) = (rad.sin(), -rad.cos());
        let (mx, my) = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
        let mut placed = None;
        'opt: for (label, size, is_short) in &options {
            let w = label.chars().count() as f64 * size * CHAR_W;
            for along in [0.0f64, 0.2, -0.2, 0.35, -0.35] {
                if w + 14.0 + along.abs() * 2.0 * len > len {
                    continue;
                }
                for side in [1.0, -1.0] {
                    let off = if side > 0.0 { 5.0 } else { 5.0 + size * 0.8 };
                    let base = (
                        mx + (b.0 - a.0) * along + nx * off * side,
                        my + (b.1 - a.1) * along + ny * off * side,
                    );
                    let centre = (base.0 + nx * size * 0.35, base.1 + ny * size * 0.35);
                    let q = rect(centre, w, size * 1.05, ang);
                    if !taken.iter().any(|t| overlap(t, &q)) {
                        placed = Some((label.clone(), *size, *is_short, base, q));
                        break 'opt;
                    }
                }
            }
        }
        // Nothing fits without a collision: the short label on the segment's midpoint.
        let placed = placed.or_else(|| {
            short(s.regime).map(|l| {
                let base = (mx + nx * 5.0, my + ny * 5.0);
                let q = rect(base, l.len() as f64 * 11.0 * CHAR_W, 11.0, ang);
                (l.to_string(), 11.0, true, base, q)
            })
        });
        if let Some((label, size, is_short, base, q)) = placed {
            taken.push(q);
            text(
                out,
                base,
                size,
                "middle",
                Some(ang),
                &format!("fill=\"#000\" font-style=\"italic\" {HALO}"),
                &esc(&label),
            );
            if is_short {
                key.extend(s.regime);
            }
        }
    }
    for m in &map.points {
        let (x, y) = fr.px(&m.point);
        let name = match &m.reason {
            Some(_) => "invalid".to_string(),
            None => match short(m.regime) {
                Some("interior") => format!("{} (interior)", m.face),
                Some(l) => format!("{} ({l})", m.face),
                None => m.face.clone(),
            },
        };
        let size = 11.5;
        let w = name.chars().count() as f64 * size * CHAR_W;
        let mut choice = None;
        for (dx, dy) in [(1.0, -1.0), (1.0, 1.0), (-1.0, -1.0), (-1.0, 1.0)] {
            let tx = x + dx * 8.0;
            let ty = if dy < 0.0 {
                y - 8.0
            } else {
                y + 8.0 + size * 0.8
            };
            let cx = tx + dx * w / 2.0;
            let q = rect((cx, ty - size * 0.3), w, size * 1.1, 0.0);
            let inside = cx - w / 2.0 > fr.left
                && cx + w / 2.0 < fr.left + fr.width
                && ty - size > fr.top
                && ty < fr.top + fr.height;
            if inside && !taken.iter().any(|t| overlap(t, &q)) {
                choice = Some((tx, ty, if dx > 0.0 { "start" } else { "end" }, q));
                break;
            }
        }
        let (tx, ty, anchor, q) = choice.unwrap_or_else(|| {
            let q = rect(
                (x + 8.0 + w / 2.0, y - 8.0 - size * 0.3),
                w,
                size * 1.1,
                0.0,
            );
            (x + 8.0, y - 8.0, "start", q)
        });
        taken.push(q);
        text(
            out,
            (tx, ty),
            size,
            anchor,
            None,
            &format!("fill=\"#000\" font-weight=\"bold\" {HALO}"),
            &esc(&name),
        );
    }
    for r in &map.regions {
        let pts = poly_px(&r.polygon);
        let lines: Vec<String> = match &r.reason {
            Some(reason) => vec![
                "invalid:".to_string(),
                reason.split(" (").next().unwrap_or(reason).to_string(),
            ],
            None => r.face.split('+').map(|s| s.to_string()).collect(),
        };
        let sub = r
            .reason
            .is_none()
            .then(|| short(r.regime).map(|l| format!("({l})")))
            .flatten();
        let candidates = label_candidates(&pts, fr.px(&plane::centroid(&r.polygon)));
        let mut all = lines.clone();
        all.extend(sub.clone());
        let chars = all.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
        let free = |c: (f64, f64), w: f64, h: f64| {
            fits(&pts, c, w, h) && !taken.iter().any(|t| overlap(t, &rect(c, w, h, 0.0)))
        };
        let place = [st.region_font, st.region_font * 0.82]
            .into_iter()
            .find_map(|size| {
                let (w, h) = (chars * size * CHAR_W, all.len() as f64 * size * 1.2);
                candidates
                    .iter()
                    .find(|c| free(**c, w, h))
                    .map(|&c| (c, size, w, h))
            });
        if let Some(((cx, cy), size, w, h)) = place {
            taken.push(rect((cx, cy), w, h, 0.0));
            let y0 = cy - h / 2.0 + size * 0.95;
            for (i, l) in lines.iter().enumerate() {
                text(
                    out,
                    (cx, y0 + i as f64 * size * 1.2),
                    size,
                    "middle",
                    None,
                    &format!("fill=\"#111\" {HALO}"),
                    &esc(l),
                );
            }
            if let Some(sub) = &sub {
                text(
                    out,
                    (cx, y0 + lines.len() as f64 * size * 1.2),
                    size * 0.85,
                    "middle",
                    None,
                    &format!("fill=\"#444\" {HALO}"),
                    &esc(sub),
                );
            }
        } else if let Some(l) = short(r.regime) {
            let size = st.region_font;
            let w = l.len() as f64 * size * CHAR_W;
            if let Some(&(cx, cy)) = candidates.iter().find(|c| free(**c, w, size)) {
                taken.push(rect((cx, cy), w, size, 0.0));
                text(
                    out,
                    (cx, cy + size * 0.35),
                    size,
                    "middle",
                    None,
                    &format!("fill=\"#111\" {HALO}"),
                    l,
                );
                key.extend(r.regime);
            }
        }
    }
    // Axes: ticks and numbers.
    let xt = ticks(&map.x.from, &map.x.to);
    for t in &xt {
        let (px, py) = fr.xy(crate::poly::rat_to_f64(t), fr.y0);
        let _ = writeln!(
            out,
            "<line x1=\"{px:.2}\" y1=\"{py:.2}\" x2=\"{px:.2}\" y2=\"{:.2}\" stroke=\"#333\"/>",
            py + 5.0
        );
        text(
            out,
            (px, py + 18.0),
            11.0,
            "middle",
            None,
            "fill=\"#222\"",
            &minus(&t.to_string()),
        );
    }
    for t in &ticks(&map.y.from, &map.y.to) {
        let (px, py) = fr.xy(fr.x0, crate::poly::rat_to_f64(t));
        let _ = writeln!(
            out,
            "<line x1=\"{:.2}\" y1=\"{py:.2}\" x2=\"{px:.2}\" y2=\"{py:.2}\" stroke=\"#333\"/>",
            px - 5.0
        );
        text(
            out,
            (px - 8.0, py + 4.0),
            11.0,
            "end",
            None,
            "fill=\"#222\"",
            &minus(&t.to_string()),
        );
    }
    if st.axis_titles {
        let xt = axis_title(&map.x, "x");
        let yt = axis_title(&map.y, "y");
        text(
            out,
            (fr.left + fr.width / 2.0, fr.top + fr.height + 40.0),
            13.0,
            "middle",
            None,
            "fill=\"#000\"",
            &xt,
        );
        let (yx, yy) = (fr.left - 46.0, fr.top + fr.height / 2.0);
        text(
            out,
            (yx, yy),
            13.0,
            "middle",
            Some(-90.0),
            "fill=\"#000\"",
            &yt,
        );
    }
    key.sort();
    key.dedup();
    key
}

/// `x: exponent of H  (H = n^x)` with a superscript, as SVG text content.
fn axis_title(a: &AxisInfo, var: &str) -> String {
    let p = pretty(&a.param);
    if let Some(sub) = a.param.strip_prefix("u_") {
        let meaning = if sub == "r" {
            "log r / log n,   r = H/p"
        } else {
            "log q / log n,   q = σ² p"
        };
        return format!(
            "<tspan font-style=\"italic\">u</tspan><tspan dy=\"4\" font-size=\"10\">{sub}</tspan><tspan dy=\"-4\" dx=\"4\">= {}</tspan>",
            esc(meaning)
        );
    }
    format!(
        "<tspan font-style=\"italic\">{var}</tspan> = exponent of {p}   ({p} = n<tspan dy=\"-6\" font-size=\"10\" font-style=\"italic\">{var}</tspan><tspan dy=\"6\">)</tspan>",
    )
}

fn header(out: &mut String, w: f64, h: f64) {
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\">"
    );
    let _ = writeln!(
        out,
        "<defs><pattern id=\"hatch\" width=\"7\" height=\"7\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"7\" stroke=\"#9a9a9a\" stroke-width=\"1.2\"/></pattern></defs>"
    );
    let _ = writeln!(out, "<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>");
}

fn key_lines(key: &[Regime]) -> Vec<String> {
    let items: Vec<String> = key
        .iter()
        .map(|f| format!("{} = {}", f.label(), f.name()))
        .collect();
    let mut lines = Vec::new();
    let mut cur = String::new();
    for it in items {
        if !cur.is_empty() && cur.len() + it.len() > 110 {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push_str(";   ");
        }
        cur.push_str(&it);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// The phase map as a stand-alone SVG figure: the fixed part in the title, the direction u
/// below it, the regions, segments and points, and the axes.
pub fn map_svg(map: &PhaseMap) -> String {
    let (w, plot_w, plot_h) = (780.0, 600.0, 470.0);
    let (left, top) = (100.0, 78.0);
    let fr = Frame::new(left, top, plot_w, plot_h, &map.x, &map.y);
    let mut body = String::new();
    let key = draw_panel(
        &mut body,
        map,
        &fr,
        &PanelStyle {
            region_font: 13.0,
            axis_titles: true,
        },
    );
    let key = key_lines(&key);
    let h = top + plot_h + 62.0 + 16.0 * key.len() as f64 + 8.0;
    let mut out = String::new();
    header(&mut out, w, h);
    text(
        &mut out,
        (left + plot_w / 2.0, 30.0),
        17.0,
        "middle",
        None,
        "fill=\"#000\" font-weight=\"bold\"",
        &format!(
            "Regimes of the prism at  {}",
            with_powers(&pretty_fixed(map), 17.0)
        ),
    );
    let u = format!(
        "direction u = (log r, log q, log 1/α) / log n = ({}, {}, {})",
        map.u[0], map.u[1], map.u[2]
    )
    .replace("-inf", "−∞")
    .replace('-', "−");
    text(
        &mut out,
        (left + plot_w / 2.0, 52.0),
        12.5,
        "middle",
        None,
        "fill=\"#333\"",
        &esc(&u),
    );
    out.push_str(&body);
    for (i, l) in key.iter().enumerate() {
        text(
            &mut out,
            (left, top + plot_h + 66.0 + 16.0 * i as f64),
            11.0,
            "start",
            None,
            "fill=\"#333\"",
            &esc(l),
        );
    }
    out.push_str("</svg>\n");
    out
}

/// The normal fan as one SVG figure: three panels in the plane of (u_r, u_q), for u_l < 0
/// (alpha -> inf), u_l = 0 (alpha finite) and u_l > 0 (alpha -> 0).
pub fn fan_svg(fan: &super::fan::NormalFan) -> String {
    let (panel, gap, left, top) = (330.0, 78.0, 78.0, 100.0);
    let n = fan.panels.len() as f64;
    let w = left + n * panel + (n - 1.0) * gap + 30.0;
    let mut body = String::new();
    let mut key = Vec::new();
    for (i, p) in fan.panels.iter().enumerate() {
        let x = left + i as f64 * (panel + gap);
        let fr = Frame::new(x, top, panel, panel, &p.map.x, &p.map.y);
        key.extend(draw_panel(
            &mut body,
            &p.map,
            &fr,
            &PanelStyle {
                region_font: 12.0,
                axis_titles: true,
            },
        ));
        text(
            &mut body,
            (x + panel / 2.0, top - 26.0),
            14.0,
            "middle",
            None,
            "fill=\"#000\" font-weight=\"bold\"",
            &with_subscripts(&p.title, 14.0),
        );
        text(
            &mut body,
            (x + panel / 2.0, top - 9.0),
            11.5,
            "middle",
            None,
            "fill=\"#333\"",
            &with_subscripts(&p.subtitle, 11.5),
        );
    }
    key.sort();
    key.dedup();
    let key = key_lines(&key);
    let h = top + panel + 62.0 + 16.0 * key.len() as f64 + 28.0;
    let mut out = String::new();
    header(&mut out, w, h);
    text(
        &mut out,
        (w / 2.0, 30.0),
        17.0,
        "middle",
        None,
        "fill=\"#000\" font-weight=\"bold\"",
        &with_subscripts(
            "The normal fan of the prism: the face selected by each direction u = (u_r, u_q, u_l)",
            17.0,
        ),
    );
    text(
        &mut out,
        (w / 2.0, 50.0),
        12.0,
        "middle",
        None,
        "fill=\"#333\"",
        &with_subscripts(&fan.caption, 12.0),
    );
    out.push_str(&body);
    for (i, l) in key.iter().enumerate() {
        text(
            &mut out,
            (left, top + panel + 66.0 + 16.0 * i as f64),
            11.0,
            "start",
            None,
            "fill=\"#333\"",
            &esc(l),
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::frac;

    #[test]
    fn ticks_are_nice() {
        let t = ticks(&frac(0, 1), &frac(3, 1));
        assert_eq!(t, (0..=6).map(|i| frac(i, 2)).collect::<Vec<_>>());
        let t = ticks(&frac(-3, 1), &frac(1, 1));
        assert_eq!(t.first(), Some(&frac(-3, 1)));
        assert!(t.len() >= 4 && t.len() <= 9);
        let t = ticks(&frac(1, 3), &frac(2, 3));
        assert!(t.len() >= 3, "{t:?}");
        assert_eq!(esc("a<b & c"), "a&lt;b &amp; c");
        let t = with_powers("p = n^(1/2), N = n^-1; H = n", 10.0);
        assert!(
            t.contains(">1/2</tspan>") && t.contains(">−1</tspan>"),
            "{t}"
        );
        assert_eq!(t.matches("<tspan").count(), 4);
        assert_eq!(t.matches("</tspan>").count(), 4);
        let t = with_subscripts("u = (u_r, u_q) & a_H2", 10.0);
        assert!(
            t.contains(">r</tspan>") && t.contains(">H2</tspan>") && t.contains("&amp;"),
            "{t}"
        );
        assert_eq!(t.matches("<tspan").count(), 6);
    }
}
