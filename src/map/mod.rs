//! Phase maps: exact two-exponent slices of the normal fan of the prism (THEORY section 4).
//!
//! A map fixes part of a spec (`p = n; N = n`) and lets two exponents run over a box: the x
//! axis is the exponent of one parameter (`H = n^x`), the y axis that of another
//! (`sigma2 = n^y`; `sigma = n^y` means `sigma2 = n^(2y)`). Every exponent is then an affine
//! function of (x, y), and so is the direction
//!
//! ```text
//!     u(x, y) = (a_H - a_p,  a_s + a_p,  a_p - a_N)     (u_l = -inf when N = inf).
//! ```
//!
//! The face `F(u) = argmax_{x in P} <u, x>` is decided by the signs of `<u, v - w>` over the
//! edges (v, w) of the fitted prism P (the walls of its normal fan): on the T part these are the
//! ties of `{0, u_q, u_r + u_q}`, on the I part `u_l = 0`. The loss exponents also depend on the
//! offsets a_v of the vertex families (`<u, a_v>` breaks ties between families on one face), so
//! the lines `<u, a_v - a_w> = 0` are added, and so are the admissibility lines of the axis
//! parameters (a_p = 0, a_H = 0, a_N = 0). The box cut by all these lines is a line
//! arrangement; on each open cell the face and the dominant families are constant, so the time
//! and loss exponents are affine there. The computation is exact (BigRational) and never
//! samples the plane: every cell, edge and vertex of the arrangement is classified once, at an
//! exact point of it, by [`crate::polytope::classify`], the same code as `prism classify`.
//!
//! The preimage of a face under the affine map (x, y) -> u is convex (the preimage of the
//! relative interior of a normal cone, cut by the convex admissible set and the box). So the
//! pieces of one face merge into a single convex **region** (2-D), **segment** (1-D) or
//! **point** (0-D); each region is the convex hull of its cells and the regions tile the box.
//!
//! Admissibility: parts of the box where the axes give p an exponent <= 0, or H or N a
//! negative one, are not scalings at all. They are reported as regions (segments, points) with
//! face `invalid` and the reason (the spec parser's message), so the regions still tile the box
//! exactly. Where several conditions fail, the first in the order p, H, N is named, which keeps
//! each invalid piece convex.

pub mod fan;
pub mod palette;
pub mod plane;
pub mod svg;

use crate::polytope::{classify, ClassifyError, FittedPrism};
use crate::regimes::Regime;
use crate::spec::{
    DataSize, ExponentRange, ParamName, PartialSpec, Scaled, Spec, SpecError, SpecErrorKind,
};
use num_traits::{One, Zero};
use plane::{Affine, Pt, Q};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// Errors of building a phase map.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// The fixed part is not a valid partial spec, or conflicts with the axes.
    #[error("invalid --fix: {0}")]
    Fix(SpecError),
    /// An axis flag is malformed.
    #[error("invalid {flag} `{text}`: {message}\n  hint: {hint}")]
    Axis {
        /// `--x` or `--y`.
        flag: &'static str,
        /// The flag's value.
        text: String,
        /// What is wrong.
        message: String,
        /// What to do.
        hint: String,
    },
    /// Both axes vary the same parameter.
    #[error("--x and --y both vary {0}; choose two different parameters")]
    SameAxis(&'static str),
    /// Classification failed at a point of the map.
    #[error("classification failed at ({x}, {y}): {source}")]
    Classify {
        /// Abscissa.
        x: String,
        /// Ordinate.
        y: String,
        /// The error.
        source: ClassifyError,
    },
    /// A region's exponents are not one affine function (the hierarchy is inconsistent).
    #[error("the {which} exponent of region {face} is not affine in (x, y); the fitted hierarchy is inconsistent")]
    NotAffine {
        /// Which exponent.
        which: &'static str,
        /// The region's face.
        face: String,
    },
    /// An internal consistency check failed (a bug).
    #[error("internal error in the phase map: {0}")]
    Internal(String),
}

/// One axis request: the exponent of `param` runs from `from` to `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Axis {
    /// The parameter whose exponent is the coordinate (p, H, sigma2, sigma or N).
    pub param: ParamName,
    /// Lower end.
    pub from: Q,
    /// Upper end (> from).
    pub to: Q,
}

impl Axis {
    /// Parse `PARAM=FROM:TO` (e.g. `H=0:3`, `sigma2=-3:1`, `sigma=-3/2:1/2`, `N=0:2.5`).
    /// `flag` (`--x` or `--y`) is used in errors.
    pub fn parse(flag: &'static str, text: &str) -> Result<Axis, MapError> {
        let err = |message: String, hint: &str| MapError::Axis {
            flag,
            text: text.to_string(),
            message,
            hint: hint.to_string(),
        };
        let form = "write PARAM=FROM:TO, e.g. H=0:3 or sigma2=-3:1";
        let (name, range) = text.split_once('=').ok_or_else(|| {
            err(
                "expected `=` between the parameter and its range".into(),
                form,
            )
        })?;
        let param = match name.trim() {
            "p" => ParamName::P,
            "H" => ParamName::H,
            "sigma2" => ParamName::Sigma2,
            "sigma" => ParamName::Sigma,
            "N" => ParamName::N,
            "t" => return Err(err(
                "`t` cannot be an axis".into(),
                "a map varies p, H, sigma2 (or sigma) or N; each region reports its time exponent",
            )),
            other => {
                let hint = match other {
                    "P" => "parameters are case-sensitive: did you mean `p`?",
                    "h" => "parameters are case-sensitive: did you mean `H`?",
                    "n" => "`n` is the growth variable; the training-set size is `N`",
                    _ => "axes are p, H, sigma2, sigma and N",
                };
                return Err(err(format!("unknown parameter `{other}`"), hint));
            }
        };
        let (a, b) = range.split_once(':').ok_or_else(|| {
            err(
                "expected `:` between the two ends of the range".into(),
                form,
            )
        })?;
        let num = |s: &str| {
            parse_rational(s).ok_or_else(|| {
                err(
                    format!("`{}` is not an exact rational", s.trim()),
                    "ends look like 0, -3, 1/2, -3/2 or 0.25",
                )
            })
        };
        let (from, to) = (num(a)?, num(b)?);
        if from >= to {
            return Err(err(
                format!("the range {from}:{to} is empty"),
                "the first end must be smaller than the second, e.g. H=0:3",
            ));
        }
        Ok(Axis { param, from, to })
    }

    /// Name of the coordinate, e.g. `a_H` (the exponent of H).
    pub fn symbol(&self) -> String {
        format!("a_{}", self.param.as_str())
    }
}

/// An exact rational from text: `-3`, `3/2`, `-0.25`, `+1`.
pub fn parse_rational(s: &str) -> Option<Q> {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r.trim_start()),
        None => (false, s.strip_prefix('+').unwrap_or(s).trim_start()),
    };
    let dec = |t: &str| -> Option<Q> {
        let t = t.trim();
        let (i, f) = t.split_once('.').unwrap_or((t, ""));
        if i.is_empty() || !i.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if t.contains('.') && (f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit())) {
            return None;
        }
        let num: num_bigint::BigInt = format!("{i}{f}").parse().ok()?;
        let den = num_traits::pow(num_bigint::BigInt::from(10), f.len());
        Some(Q::new(num, den))
    };
    let v = match body.split_once('/') {
        Some((n, d)) => {
            let d = d.trim();
            if d.is_empty() || !d.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let d: num_bigint::BigInt = d.parse().ok()?;
            if d.is_zero() {
                return None;
            }
            dec(n)? / Q::from_integer(d)
        }
        None => dec(body)?,
    };
    Some(if neg { -v } else { v })
}

/// One parameter across the slice: `prefactor * n^exponent(x, y)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SliceParam {
    /// The positive prefactor (1 on an axis).
    pub prefactor: Q,
    /// The exponent, affine in (x, y).
    pub exponent: Affine,
}

impl SliceParam {
    fn fixed(s: &Scaled) -> SliceParam {
        SliceParam {
            prefactor: s.prefactor.clone(),
            exponent: Affine::constant(s.exponent.clone()),
        }
    }

    fn at(&self, pt: &Pt) -> Scaled {
        Scaled {
            prefactor: self.prefactor.clone(),
            exponent: self.exponent.eval(pt),
        }
    }
}

/// A two-parameter family of scaling specs: every exponent an affine function of (x, y).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slice {
    /// p.
    pub p: SliceParam,
    /// H.
    pub h: SliceParam,
    /// sigma2.
    pub sigma2: SliceParam,
    /// True when sigma (not sigma2) was given or varied.
    pub sigma_given: bool,
    /// N, or None for N = infinity.
    pub n_data: Option<SliceParam>,
    /// True when N was neither fixed nor varied (it defaults to infinity, as in a spec).
    pub n_defaulted: bool,
}

impl Slice {
    /// The direction u = (a_H - a_p, a_s + a_p, a_p - a_N) as affine functions of (x, y);
    /// the third is None for N = infinity.
    pub fn u(&self) -> (Affine, Affine, Option<Affine>) {
        let ap = &self.p.exponent;
        (
            self.h.exponent.sub(ap),
            self.sigma2.exponent.add(ap),
            self.n_data.as_ref().map(|n| ap.sub(&n.exponent)),
        )
    }

    /// The admissibility conditions (parameter, range, exponent), in the order p, H, N.
    pub fn conditions(&self) -> Vec<(ParamName, ExponentRange, &Affine)> {
        let mut out = vec![
            (
                ParamName::P,
                ExponentRange::of(ParamName::P),
                &self.p.exponent,
            ),
            (
                ParamName::H,
                ExponentRange::of(ParamName::H),
                &self.h.exponent,
            ),
        ];
        if let Some(n) = &self.n_data {
            out.push((ParamName::N, ExponentRange::of(ParamName::N), &n.exponent));
        }
        out
    }

    /// The first admissibility condition that fails at `pt` (the spec parser's message).
    pub fn violation(&self, pt: &Pt) -> Option<String> {
        self.conditions().into_iter().find_map(|(param, range, e)| {
            (!range.admits(&e.eval(pt))).then(|| range.violation(param).0)
        })
    }

    /// The spec at a point of the slice, or the reason it is not a spec.
    pub fn spec_at(&self, pt: &Pt) -> Result<Spec, String> {
        if let Some(reason) = self.violation(pt) {
            return Err(reason);
        }
        Ok(Spec {
            p: self.p.at(pt),
            h: self.h.at(pt),
            sigma2: self.sigma2.at(pt),
            sigma_given: self.sigma_given,
            n_data: match &self.n_data {
                Some(n) => DataSize::Finite(n.at(pt)),
                None => DataSize::Infinite,
            },
            n_defaulted: self.n_defaulted,
            t: None,
            claims: Vec::new(),
            // the phase map is over isotropic data (THEORY 9.3: the supports, hence the map,
            // are the same for any spectral law with bounded support)
            spectrum: crate::spec::SpectrumLaw::Identity,
        })
    }
}

/// Build the slice of `--fix` with the two axes. Conflicts are reported at their position in
/// the fixed text.
pub fn slice_from(fixed_src: &str, x: &Axis, y: &Axis) -> Result<(Slice, PartialSpec), MapError> {
    let fix = PartialSpec::parse(fixed_src).map_err(MapError::Fix)?;
    let key = |p: ParamName| {
        if p == ParamName::Sigma {
            ParamName::Sigma2
        } else {
            p
        }
    };
    if key(x.param) == key(y.param) {
        return Err(MapError::SameAxis(key(x.param).as_str()));
    }
    let at = |pos: usize, len: usize, kind: SpecErrorKind, msg: String, hint: &str| {
        MapError::Fix(SpecError::at(fixed_src, pos, len, kind, msg, hint))
    };
    if let Some((_, span)) = fix.claims.first() {
        return Err(at(
            span.0,
            span.1 - span.0,
            SpecErrorKind::Syntax,
            "a map takes no claims".into(),
            "remove the `expect` statement; use `prism check-claims` for claims",
        ));
    }
    if let Some((_, pos)) = fix.position(ParamName::T) {
        return Err(at(
            pos,
            1,
            SpecErrorKind::Range,
            "a map has no time scale".into(),
            "remove `t = ...`: every region reports its time exponent instead",
        ));
    }
    for (axis, flag) in [(x, "x"), (y, "y")] {
        if let Some((given, pos)) = fix.position(axis.param) {
            return Err(at(
                pos,
                given.as_str().len(),
                SpecErrorKind::Duplicate,
                format!(
                    "`{}` is fixed here but is also the {flag} axis",
                    given.as_str()
                ),
                "remove it from --fix, or put another parameter on that axis",
            ));
        }
    }
    let axis_param = |p: ParamName| -> Option<SliceParam> {
        [x, y]
            .iter()
            .zip([Affine::x(Q::one()), Affine::y(Q::one())])
            .find(|(a, _)| key(a.param) == key(p))
            .map(|(a, coord)| SliceParam {
                prefactor: Q::one(),
                // sigma = n^c means sigma2 = n^(2c).
                exponent: if a.param == ParamName::Sigma {
                    coord.scale(&Q::from_integer(2.into()))
                } else {
                    coord
                },
            })
    };
    let missing = |name: &str, example: &str, axis: &str| {
        at(
            fixed_src.trim_end().len(),
            0,
            SpecErrorKind::Missing,
            format!("`{name}` is neither fixed nor on an axis"),
            &format!("fix it (add `{example}` to --fix) or vary it (`--x {axis}`)"),
        )
    };
    let p = match (&fix.p, axis_param(ParamName::P)) {
        (Some(s), _) => SliceParam::fixed(s),
        (None, Some(a)) => a,
        (None, None) => return Err(missing("p", "p = n", "p=1/2:2")),
    };
    let h = match (&fix.h, axis_param(ParamName::H)) {
        (Some(s), _) => SliceParam::fixed(s),
        (None, Some(a)) => a,
        (None, None) => return Err(missing("H", "H = n", "H=0:2")),
    };
    let sigma2 = match (&fix.sigma2, axis_param(ParamName::Sigma2)) {
        (Some(s), _) => SliceParam::fixed(s),
        (None, Some(a)) => a,
        (None, None) => return Err(missing("sigma2", "sigma2 = n^-1", "sigma2=-2:0")),
    };
    let (n_data, n_defaulted) = match (&fix.n_data, axis_param(ParamName::N)) {
        (Some(DataSize::Finite(s)), _) => (Some(SliceParam::fixed(s)), false),
        (Some(DataSize::Infinite), _) => (None, false),
        (None, Some(a)) => (Some(a), false),
        (None, None) => (None, true),
    };
    let sigma_given = fix.sigma_given || [x, y].iter().any(|a| a.param == ParamName::Sigma);
    Ok((
        Slice {
            p,
            h,
            sigma2,
            sigma_given,
            n_data,
            n_defaulted,
        },
        fix,
    ))
}

fn ser_q<S: Serializer>(q: &Q, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&q.to_string())
}

fn ser_opt_q<S: Serializer>(q: &Option<Q>, s: S) -> Result<S::Ok, S::Error> {
    match q {
        Some(q) => s.serialize_str(&q.to_string()),
        None => s.serialize_none(),
    }
}

impl Serialize for Pt {
    /// `["x", "y"]` with exact rational strings.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        [self.x.to_string(), self.y.to_string()].serialize(s)
    }
}

impl Serialize for Affine {
    /// `{"const": "c", "x": "a", "y": "b", "text": "a x + b y + c"}` with exact strings.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Affine", 4)?;
        st.serialize_field("const", &self.c.to_string())?;
        st.serialize_field("x", &self.a.to_string())?;
        st.serialize_field("y", &self.b.to_string())?;
        st.serialize_field("text", &self.render("x", "y"))?;
        st.end()
    }
}

/// An axis of the map, as reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AxisInfo {
    /// The parameter (`H`, `sigma`, ...) or, for the fan, the direction component (`u_r`).
    pub param: String,
    /// Lower end (exact string).
    #[serde(serialize_with = "ser_q")]
    pub from: Q,
    /// Upper end (exact string).
    #[serde(serialize_with = "ser_q")]
    pub to: Q,
    /// What the coordinate is, e.g. `exponent of H (H = n^x)`.
    pub label: String,
}

/// A 2-D cell of the map: one face of the prism on an open convex polygon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Region {
    /// The face (the `prism classify` name), or `invalid`.
    pub face: String,
    /// The face as a type (None for `invalid`).
    #[serde(skip)]
    pub regime: Option<Regime>,
    /// Dimension of the face of the prism (None for `invalid`).
    pub face_dim: Option<usize>,
    /// Why the parameters are not a scaling here (only for `invalid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The closed polygon, counter-clockwise, no repeated or collinear vertices.
    pub polygon: Vec<Pt>,
    /// Its exact area.
    #[serde(serialize_with = "ser_q")]
    pub area: Q,
    /// Time exponent -h(u): t = n^{time_exponent} tau, affine in (x, y).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_exponent: Option<Affine>,
    /// Train loss-change exponent c(u), affine in (x, y).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub train_loss_exponent: Option<Affine>,
    /// Population loss-change exponent, affine in (x, y).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pop_loss_exponent: Option<Affine>,
}

/// A 1-D piece of the map whose face differs from the faces on both sides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// The face, or `invalid`.
    pub face: String,
    /// The face as a type (None for `invalid`).
    #[serde(skip)]
    pub regime: Option<Regime>,
    /// Dimension of the face (None for `invalid`).
    pub face_dim: Option<usize>,
    /// Why the parameters are not a scaling here (only for `invalid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The closed segment's end points (lexicographically ordered). Its relative interior
    /// has this face; an end point may belong to a point or another segment.
    pub segment: [Pt; 2],
}

/// An isolated point of the map with its own face (where the slice meets a 2-face, the
/// interior, or an edge that no region or segment carries).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MapPoint {
    /// The face, or `invalid`.
    pub face: String,
    /// The face as a type (None for `invalid`).
    #[serde(skip)]
    pub regime: Option<Regime>,
    /// Dimension of the face (None for `invalid`).
    pub face_dim: Option<usize>,
    /// Why the parameters are not a scaling here (only for `invalid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The point.
    pub point: Pt,
    /// Time exponent there.
    #[serde(serialize_with = "ser_opt_q", skip_serializing_if = "Option::is_none")]
    pub time_exponent: Option<Q>,
    /// Train loss-change exponent there.
    #[serde(serialize_with = "ser_opt_q", skip_serializing_if = "Option::is_none")]
    pub train_loss_exponent: Option<Q>,
    /// Population loss-change exponent there.
    #[serde(serialize_with = "ser_opt_q", skip_serializing_if = "Option::is_none")]
    pub pop_loss_exponent: Option<Q>,
}

/// A phase map: the box cut into the faces of the prism.
///
/// JSON (`prism map --json`): every coordinate and exponent coefficient is an exact rational
/// string (`"3/2"`); a point is `["x", "y"]`; an affine exponent is
/// `{"const", "x", "y", "text"}`. The region polygons are counter-clockwise and tile the box
/// exactly (their areas add up to the box's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PhaseMap {
    /// The x axis.
    pub x: AxisInfo,
    /// The y axis.
    pub y: AxisInfo,
    /// The fixed part of the spec, canonically rendered.
    pub fixed: String,
    /// True when N was neither fixed nor on an axis (N = inf, as in a spec).
    pub n_defaulted: bool,
    /// The direction u = (u_r, u_q, u_l) as affine functions of (x, y); u_l is `-inf` for
    /// N = inf.
    pub u: [String; 3],
    /// 2-D cells (the regions tile the box).
    pub regions: Vec<Region>,
    /// 1-D boundaries with a face of their own.
    pub segments: Vec<Segment>,
    /// Isolated points with a face of their own.
    pub points: Vec<MapPoint>,
}

/// What an element of the arrangement is: a face of the prism or an inadmissible spec.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Face(Regime),
    Invalid(String),
}

/// A classified point: its key, face dimension and exact exponents (time, train, pop).
struct Sample {
    key: Key,
    face_dim: Option<usize>,
    exps: Option<[Q; 3]>,
}

fn sample(slice: &Slice, pt: &Pt, prism: &FittedPrism) -> Result<Sample, MapError> {
    match slice.spec_at(pt) {
        Err(reason) => Ok(Sample {
            key: Key::Invalid(reason),
            face_dim: None,
            exps: None,
        }),
        Ok(spec) => {
            let c = classify(&spec, prism).map_err(|source| MapError::Classify {
                x: pt.x.to_string(),
                y: pt.y.to_string(),
                source,
            })?;
            Ok(Sample {
                key: Key::Face(c.face),
                face_dim: Some(c.face_dim),
                exps: Some([
                    c.exact.time_exponent,
                    c.exact.train_loss_exponent,
                    c.exact.pop_loss_exponent,
                ]),
            })
        }
    }
}

/// The lines across which the classification of the slice can change: the walls
/// `<u, v - w> = 0` of the normal fan (edges (v, w) of P), the family tie-breaks
/// `<u, a_v - a_w> = 0` of both losses, and the admissibility lines. Deduplicated, constant
/// forms dropped. With N = inf the l components are left out (alpha = inf is decided first).
pub fn critical_lines(slice: &Slice, prism: &FittedPrism) -> Vec<Affine> {
    let (ur, uq, ul) = slice.u();
    let form = |d: &[Q]| -> Affine {
        let mut f = ur.scale(&d[0]).add(&uq.scale(&d[1]));
        if let Some(ul) = &ul {
            f = f.add(&ul.scale(&d[2]));
        }
        f
    };
    let mut forms: Vec<Affine> = Vec::new();
    let verts = &prism.polytope.vertices;
    for &(i, j) in &prism.polytope.edges {
        forms.push(form(&crate::polytope::geometry::sub(&verts[i], &verts[j])));
    }
    for fit in [&prism.train, &prism.pop] {
        for i in 0..fit.a.len() {
            for j in i + 1..fit.a.len() {
                forms.push(form(&crate::polytope::geometry::sub(&fit.a[i], &fit.a[j])));
            }
        }
    }
    for (_, range, e) in slice.conditions() {
        if range != ExponentRange::Any {
            forms.push(e.clone());
        }
    }
    let mut lines: Vec<Affine> = forms.iter().filter_map(Affine::normalized_line).collect();
    lines.sort();
    lines.dedup();
    lines
}

/// Three interior points of a convex polygon with nonzero area, affinely independent, and its
/// vertex mean: `(3 g + v) / 4` for three vertices v spanning a triangle.
fn interior_points(cell: &[Pt]) -> Result<[Pt; 4], MapError> {
    let g = plane::vertex_mean(cell);
    let inner = |v: &Pt| {
        Pt::new(
            (&g.x * Q::from_integer(3.into()) + &v.x) / Q::from_integer(4.into()),
            (&g.y * Q::from_integer(3.into()) + &v.y) / Q::from_integer(4.into()),
        )
    };
    let a = &cell[0];
    for i in 1..cell.len() {
        for j in i + 1..cell.len() {
            if !plane::cross(a, &cell[i], &cell[j]).is_zero() {
                return Ok([inner(a), inner(&cell[i]), inner(&cell[j]), g]);
            }
        }
    }
    Err(MapError::Internal(
        "a cell of the arrangement has no area".into(),
    ))
}

#[derive(Default)]
struct Group {
    face_dim: Option<usize>,
    cells: Vec<usize>,
    exps: Option<[Affine; 3]>,
    edge_points: Vec<Pt>,
    vertices: Vec<Pt>,
    vertex_exps: Option<[Q; 3]>,
}

/// Compute the phase map of a slice over the box `[x.from, x.to] x [y.from, y.to]`.
pub fn compute(
    slice: &Slice,
    x: AxisInfo,
    y: AxisInfo,
    fixed: String,
    prism: &FittedPrism,
) -> Result<PhaseMap, MapError> {
    if x.from >= x.to || y.from >= y.to {
        return Err(MapError::Internal("the box is empty".into()));
    }
    let corners = vec![
        Pt::new(x.from.clone(), y.from.clone()),
        Pt::new(x.to.clone(), y.from.clone()),
        Pt::new(x.to.clone(), y.to.clone()),
        Pt::new(x.from.clone(), y.to.clone()),
    ];
    let lines = critical_lines(slice, prism);
    let cells = plane::arrangement(&corners, &lines);
    let mut groups: BTreeMap<Key, Group> = BTreeMap::new();

    // 2-D cells: the face and the affine exponents, from four interior points.
    for (ci, cell) in cells.iter().enumerate() {
        let pts = interior_points(cell)?;
        let samples = pts
            .iter()
            .map(|p| sample(slice, p, prism))
            .collect::<Result<Vec<_>, _>>()?;
        if samples.iter().any(|s| s.key != samples[0].key) {
            return Err(MapError::Internal(format!(
                "the face is not constant on the cell around {}",
                pts[3]
            )));
        }
        let exps = match samples
            .iter()
            .map(|s| s.exps.clone())
            .collect::<Option<Vec<_>>>()
        {
            None => None,
            Some(v) => {
                let mut fs = Vec::new();
                for (k, which) in ["time", "train loss", "pop loss"].into_iter().enumerate() {
                    let not_affine = || MapError::NotAffine {
                        which,
                        face: match &samples[0].key {
                            Key::Face(f) => f.name().to_string(),
                            Key::Invalid(r) => r.clone(),
                        },
                    };
                    let f = Affine::interpolate(
                        [&pts[0], &pts[1], &pts[2]],
                        [&v[0][k], &v[1][k], &v[2][k]],
                    )
                    .ok_or_else(not_affine)?;
                    if f.eval(&pts[3]) != v[3][k] {
                        return Err(not_affine());
                    }
                    fs.push(f);
                }
                let [t, tr, po]: [Affine; 3] = fs
                    .try_into()
                    .map_err(|_| MapError::Internal("three exponents expected".into()))?;
                Some([t, tr, po])
            }
        };
        let s = &samples[0];
        let g = groups.entry(s.key.clone()).or_default();
        g.face_dim = s.face_dim;
        match (&g.exps, exps) {
            (None, e) => g.exps = e,
            (Some(old), Some(new)) if *old != new => {
                let which = ["time", "train loss", "pop loss"]
                    [(0..3).find(|&k| old[k] != new[k]).unwrap_or(0)];
                return Err(MapError::NotAffine {
                    which,
                    face: match &s.key {
                        Key::Face(f) => f.name().to_string(),
                        Key::Invalid(f) => f.clone(),
                    },
                });
            }
            _ => {}
        }
        g.cells.push(ci);
    }

    // 1-D pieces (cell edges) and 0-D pieces (cell vertices), each classified once.
    let mut edges: Vec<(Pt, Pt)> = Vec::new();
    let mut vertices: Vec<Pt> = Vec::new();
    for cell in &cells {
        for i in 0..cell.len() {
            let (a, b) = (&cell[i], &cell[(i + 1) % cell.len()]);
            edges.push(if a < b {
                (a.clone(), b.clone())
            } else {
                (b.clone(), a.clone())
            });
            vertices.push(a.clone());
        }
    }
    edges.sort();
    edges.dedup();
    vertices.sort();
    vertices.dedup();
    let half = Q::new(1.into(), 2.into());
    for (a, b) in &edges {
        let s = sample(slice, &a.lerp(b, &half), prism)?;
        let g = groups.entry(s.key).or_default();
        g.face_dim = s.face_dim;
        g.edge_points.push(a.clone());
        g.edge_points.push(b.clone());
    }
    for v in &vertices {
        let s = sample(slice, v, prism)?;
        let g = groups.entry(s.key).or_default();
        g.face_dim = s.face_dim;
        g.vertices.push(v.clone());
        g.vertex_exps = s.exps;
    }

    // Each face's pieces form one convex set: a region, a segment or a point.
    let mut regions = Vec::new();
    let mut segments = Vec::new();
    let mut points = Vec::new();
    for (key, g) in groups {
        let (regime, reason) = match key {
            Key::Face(f) => (Some(f), None),
            Key::Invalid(r) => (None, Some(r)),
        };
        let face = match regime {
            Some(f) => f.name().to_string(),
            None => "invalid".to_string(),
        };
        if !g.cells.is_empty() {
            let all: Vec<Pt> = g
                .cells
                .iter()
                .flat_map(|&c| cells[c].iter().cloned())
                .collect();
            let polygon = plane::convex_hull(&all);
            let area = plane::area(&polygon);
            let cell_area: Q = g.cells.iter().map(|&c| plane::area(&cells[c])).sum();
            if area != cell_area {
                return Err(MapError::Internal(format!(
                    "the cells of {face} do not form a convex region"
                )));
            }
            let [t, tr, po] = match g.exps {
                Some([a, b, c]) => [Some(a), Some(b), Some(c)],
                None => [None, None, None],
            };
            regions.push(Region {
                face,
                regime,
                face_dim: g.face_dim,
                reason,
                polygon,
                area,
                time_exponent: t,
                train_loss_exponent: tr,
                pop_loss_exponent: po,
            });
        } else if !g.edge_points.is_empty() {
            let mut pts = g.edge_points;
            pts.extend(g.vertices);
            if !plane::collinear(&pts) {
                return Err(MapError::Internal(format!(
                    "the boundary pieces of {face} are not on one line"
                )));
            }
            pts.sort();
            let (Some(a), Some(b)) = (pts.first().cloned(), pts.last().cloned()) else {
                continue;
            };
            segments.push(Segment {
                face,
                regime,
                face_dim: g.face_dim,
                reason,
                segment: [a, b],
            });
        } else {
            if g.vertices.len() != 1 {
                return Err(MapError::Internal(format!(
                    "{face} occurs at {} isolated points",
                    g.vertices.len()
                )));
            }
            let [t, tr, po] = match g.vertex_exps {
                Some([a, b, c]) => [Some(a), Some(b), Some(c)],
                None => [None, None, None],
            };
            points.push(MapPoint {
                face,
                regime,
                face_dim: g.face_dim,
                reason,
                point: g.vertices[0].clone(),
                time_exponent: t,
                train_loss_exponent: tr,
                pop_loss_exponent: po,
            });
        }
    }
    let total: Q = regions.iter().map(|r| r.area.clone()).sum();
    let box_area = (&x.to - &x.from) * (&y.to - &y.from);
    if total != box_area {
        return Err(MapError::Internal(format!(
            "the regions cover {total} of the box's area {box_area}"
        )));
    }
    // Valid faces first, in the catalogue's order (fewer parts first), then the invalid ones.
    let order = |regime: &Option<Regime>, reason: &Option<String>| {
        let key = regime.map(|r| r.sort_key()).unwrap_or_default();
        (reason.is_some(), key.len(), key, reason.clone())
    };
    regions.sort_by_key(|a| order(&a.regime, &a.reason));
    segments.sort_by_key(|a| order(&a.regime, &a.reason));
    points.sort_by_key(|a| order(&a.regime, &a.reason));
    let (ur, uq, ul) = slice.u();
    Ok(PhaseMap {
        x,
        y,
        fixed,
        n_defaulted: slice.n_defaulted,
        u: [
            ur.render("x", "y"),
            uq.render("x", "y"),
            ul.map_or_else(|| "-inf".to_string(), |f| f.render("x", "y")),
        ],
        regions,
        segments,
        points,
    })
}

/// What `prism map` computes: a two-exponent slice, or the whole normal fan.
#[derive(Clone, Debug)]
pub enum MapOutcome {
    /// `--fix SPEC --x PARAM=FROM:TO --y PARAM=FROM:TO`.
    Slice(Box<PhaseMap>),
    /// `--fan`.
    Fan(fan::NormalFan),
}

impl MapOutcome {
    /// The slice of `fix` along the axes `x` and `y` (texts as given to `--x` and `--y`).
    pub fn slice(fix: &str, x: &str, y: &str, prism: &FittedPrism) -> Result<Self, MapError> {
        let x = Axis::parse("--x", x)?;
        let y = Axis::parse("--y", y)?;
        Ok(MapOutcome::Slice(Box::new(phase_map(fix, &x, &y, prism)?)))
    }

    /// The whole normal fan.
    pub fn fan(prism: &FittedPrism) -> Result<Self, MapError> {
        Ok(MapOutcome::Fan(fan::normal_fan(prism)?))
    }

    /// The `--json` text (pretty-printed, without a final new line).
    pub fn json(&self) -> serde_json::Result<String> {
        match self {
            MapOutcome::Slice(m) => serde_json::to_string_pretty(m),
            MapOutcome::Fan(f) => serde_json::to_string_pretty(f),
        }
    }

    /// The text report.
    pub fn report(&self) -> String {
        match self {
            MapOutcome::Slice(m) => m.report(),
            MapOutcome::Fan(f) => f.report(),
        }
    }

    /// The figure (SVG).
    pub fn svg(&self) -> String {
        match self {
            MapOutcome::Slice(m) => svg::map_svg(m),
            MapOutcome::Fan(f) => svg::fan_svg(f),
        }
    }
}

/// The phase map of `prism map --fix FIXED --x X --y Y`.
pub fn phase_map(
    fixed_src: &str,
    x: &Axis,
    y: &Axis,
    prism: &FittedPrism,
) -> Result<PhaseMap, MapError> {
    let (slice, fix) = slice_from(fixed_src, x, y)?;
    let info = |a: &Axis, v: &str| AxisInfo {
        param: a.param.as_str().to_string(),
        from: a.from.clone(),
        to: a.to.clone(),
        label: format!(
            "exponent of {} ({} = n^{v})",
            a.param.as_str(),
            a.param.as_str()
        ),
    };
    compute(&slice, info(x, "x"), info(y, "y"), fix.canonical(), prism)
}

impl PhaseMap {
    /// The face named at an exact point of the box: the point's own face if it is a map point,
    /// else that of a segment through it, else that of the region containing it. None outside
    /// the box. (A point on a region's edge that no segment carries has the region's face.)
    pub fn face_at(&self, p: &Pt) -> Option<&str> {
        if let Some(m) = self.points.iter().find(|m| m.point == *p) {
            return Some(&m.face);
        }
        if let Some(s) = self
            .segments
            .iter()
            .find(|s| plane::on_segment(&s.segment[0], &s.segment[1], p))
        {
            return Some(&s.face);
        }
        self.regions
            .iter()
            .find(|r| plane::locate(&r.polygon, p) != plane::Location::Outside)
            .map(|r| r.face.as_str())
    }

    /// A plain-text report: the regions with their exponents, the segments and the points.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let fixed = if self.n_defaulted {
            if self.fixed.is_empty() {
                "N = inf (default)".to_string()
            } else {
                format!("{}; N = inf (default)", self.fixed)
            }
        } else {
            self.fixed.clone()
        };
        out.push_str(&format!("phase map of   {fixed}\n"));
        for (name, a) in [("x", &self.x), ("y", &self.y)] {
            out.push_str(&format!(
                "{name} axis         {} from {} to {}\n",
                a.label, a.from, a.to
            ));
        }
        out.push_str(&format!(
            "direction u    ({}, {}, {})  in (log r, log q, log 1/alpha) per log n\n",
            self.u[0], self.u[1], self.u[2]
        ));
        let pt = |p: &Pt| format!("({}, {})", p.x, p.y);
        let dim = |d: &Option<usize>, r: &Option<String>| match (d, r) {
            (Some(d), _) => format!("dim {d}"),
            (None, Some(r)) => r.clone(),
            (None, None) => String::new(),
        };
        out.push_str(&format!("\nregions ({}):\n", self.regions.len()));
        for r in &self.regions {
            out.push_str(&format!(
                "  {}  ({}), area {}\n",
                r.face,
                dim(&r.face_dim, &r.reason),
                r.area
            ));
            out.push_str(&format!(
                "      polygon {}\n",
                r.polygon.iter().map(pt).collect::<Vec<_>>().join(" ")
            ));
            if let (Some(t), Some(tr), Some(po)) = (
                &r.time_exponent,
                &r.train_loss_exponent,
                &r.pop_loss_exponent,
            ) {
                out.push_str(&format!(
                    "      t = n^({}) tau;  train loss change ~ n^({});  pop ~ n^({})\n",
                    t.render("x", "y"),
                    tr.render("x", "y"),
                    po.render("x", "y")
                ));
            }
        }
        out.push_str(&format!("\nsegments ({}):\n", self.segments.len()));
        for s in &self.segments {
            out.push_str(&format!(
                "  {}  ({})  from {} to {}\n",
                s.face,
                dim(&s.face_dim, &s.reason),
                pt(&s.segment[0]),
                pt(&s.segment[1])
            ));
        }
        out.push_str(&format!("\npoints ({}):\n", self.points.len()));
        for m in &self.points {
            out.push_str(&format!(
                "  {}  ({})  at {}\n",
                m.face,
                dim(&m.face_dim, &m.reason),
                pt(&m.point)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::frac;

    #[test]
    fn axes_parse_exactly() {
        let a = Axis::parse("--x", "H=0:3").unwrap();
        assert_eq!(
            (a.param, a.from, a.to),
            (ParamName::H, frac(0, 1), frac(3, 1))
        );
        let a = Axis::parse("--y", " sigma = -3/2 : 0.25 ").unwrap();
        assert_eq!(
            (a.param, a.from, a.to),
            (ParamName::Sigma, frac(-3, 2), frac(1, 4))
        );
        for bad in [
            "H0:3", "H=0", "h=0:1", "t=0:1", "H=1:1", "H=2:1", "H=a:1", "H=1/0:2", "H=1.:2",
        ] {
            assert!(Axis::parse("--x", bad).is_err(), "{bad}");
        }
        let e = Axis::parse("--x", "h=0:1").unwrap_err().to_string();
        assert!(e.contains("`H`"), "{e}");
        assert_eq!(parse_rational("-0.5"), Some(frac(-1, 2)));
        assert_eq!(parse_rational("+7/14"), Some(frac(1, 2)));
        assert_eq!(parse_rational("- 2"), Some(frac(-2, 1)));
    }

    #[test]
    fn slices_and_conflicts() {
        let x = Axis::parse("--x", "H=0:3").unwrap();
        let y = Axis::parse("--y", "sigma=-2:1").unwrap();
        let (s, _) = slice_from("p = n; N = n", &x, &y).unwrap();
        let (ur, uq, ul) = s.u();
        assert_eq!(ur.render("x", "y"), "x - 1");
        assert_eq!(uq.render("x", "y"), "2 y + 1");
        assert_eq!(ul.unwrap().render("x", "y"), "0");
        assert!(s.sigma_given && !s.n_defaulted);
        let e = slice_from("p = n; H = n", &x, &y).unwrap_err();
        let MapError::Fix(e) = e else { panic!() };
        assert_eq!((e.kind, e.col), (SpecErrorKind::Duplicate, 8));
        let e = slice_from("p = n; sigma2 = 1", &x, &y).unwrap_err();
        assert!(e.to_string().contains("y axis"), "{e}");
        let e = slice_from("N = n", &x, &y).unwrap_err();
        assert!(e.to_string().contains("`p` is neither"), "{e}");
        let e = slice_from("p = n; t = n", &x, &y).unwrap_err();
        assert!(e.to_string().contains("time scale"), "{e}");
        let e = slice_from("p = n; expect face = free", &x, &y).unwrap_err();
        assert!(e.to_string().contains("claims"), "{e}");
        let y2 = Axis::parse("--y", "H=0:1").unwrap();
        assert_eq!(slice_from("p = n", &x, &y2), Err(MapError::SameAxis("H")));
        let (s, _) = slice_from("p = n", &x, &Axis::parse("--y", "sigma2=0:1").unwrap()).unwrap();
        assert!(s.n_defaulted && s.n_data.is_none());
        // Admissibility: H = n^x needs x >= 0.
        assert!(s.violation(&Pt::new(frac(-1, 2), frac(0, 1))).is_some());
        assert!(s.violation(&Pt::new(frac(0, 1), frac(0, 1))).is_none());
    }
}
