//! `prism hierarchy --json`: the computed leading supports and the prism they confirm.

use serde::Serialize;

use crate::polytope::geometry::format_vector as fmt_v;
use crate::polytope::hierarchy::{Hierarchy, Point3};
use crate::polytope::{FittedPrism, PrismError};

/// The leading (g = 0) supports and the affine fit.
///
/// Schema: `{"prism": PrismFitReport, "supports": [SupportOrder...]}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HierarchyReport {
    /// The triangular prism the supports confirm, or why not.
    pub prism: PrismFitReport,
    /// One entry per order s = 0..=S.
    pub supports: Vec<SupportOrder>,
}

/// The support P_s of the leading coefficient of order s.
///
/// Schema: `{"order": s, "pop": [[k, j, l]...], "train": [[k, j, l]...]}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SupportOrder {
    /// The order s.
    pub order: u32,
    /// Exponents (k, j, l) of r^k q^j y^l with a nonzero leading population coefficient.
    pub pop: Vec<Point3>,
    /// Same for the train loss.
    pub train: Vec<Point3>,
}

/// The prism fit: `confirmed` with its geometry, or `confirmed: false` with the `error`.
///
/// Schema (confirmed): `{"confirmed": true, "edges": 9, "facets": [{"normal": "(0,0,-1)",
/// "regime": "large-data", "vertices": 4}...], "pop_verified": [s0, s1], "train_verified":
/// [s0, s1], "vertices": ["(0,0,0)", ...]}`; (refuted): `{"confirmed": false, "error": "..."}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrismFitReport {
    /// Whether the affine fit produced the triangular prism T x I.
    pub confirmed: bool,
    /// Number of edges of the asymptotic polytope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edges: Option<usize>,
    /// Why the fit failed (refuted only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Facets: regime name, outward normal, vertex count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Vec<FacetEntry>>,
    /// Orders (first, last) at which the population fit was verified exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pop_verified: Option<(u32, u32)>,
    /// Orders (first, last) at which the train fit was verified exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub train_verified: Option<(u32, u32)>,
    /// Vertices of the asymptotic polytope P = conv{b_v}.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vertices: Option<Vec<String>>,
}

/// One facet of the asymptotic polytope.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FacetEntry {
    /// Outward normal, exact.
    pub normal: String,
    /// The regime (2-face) it is.
    pub regime: String,
    /// Number of vertices on the facet.
    pub vertices: usize,
}

impl HierarchyReport {
    /// The report of a hierarchy and its prism fit.
    pub fn new(h: &Hierarchy, fit: &Result<FittedPrism, PrismError>) -> Self {
        let supports = h
            .orders
            .iter()
            .map(|o| SupportOrder {
                order: o.s,
                train: o.train.iter().copied().collect(),
                pop: o.pop.iter().copied().collect(),
            })
            .collect();
        let prism = match fit {
            Ok(fp) => PrismFitReport {
                confirmed: true,
                edges: Some(fp.polytope.edges.len()),
                error: None,
                facets: Some(
                    fp.polytope
                        .facets
                        .iter()
                        .zip(&fp.facet_names)
                        .map(|(f, n)| FacetEntry {
                            normal: fmt_v(&f.normal),
                            regime: n.to_string(),
                            vertices: f.vertices.len(),
                        })
                        .collect(),
                ),
                pop_verified: Some(fp.pop.verified),
                train_verified: Some(fp.train.verified),
                vertices: Some(fp.polytope.vertices.iter().map(|v| fmt_v(v)).collect()),
            },
            Err(e) => PrismFitReport {
                confirmed: false,
                edges: None,
                error: Some(e.to_string()),
                facets: None,
                pop_verified: None,
                train_verified: None,
                vertices: None,
            },
        };
        HierarchyReport { prism, supports }
    }
}
