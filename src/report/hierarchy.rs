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

/// How `prism hierarchy` ends: the prism confirmed, or why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HierarchyVerdict {
    /// The supports grow like the triangular prism and every structural check passes.
    Confirmed,
    /// The affine fit failed (the message).
    NotThePrism(String),
    /// The prism fits, but a structural check failed.
    ChecksFailed,
}

/// The readable report of `prism hierarchy` (`full`: the full Wick path was used) and its
/// verdict.
pub fn text(
    h: &Hierarchy,
    checks: &crate::expansion::StructureReport,
    fit: &Result<FittedPrism, PrismError>,
    full: bool,
) -> (String, HierarchyVerdict) {
    use crate::polytope::Loss;
    let mut o = String::new();
    let mut line = |s: String| {
        o.push_str(&s);
        o.push('\n');
    };
    line(
        "Leading (g = 0) supports P_s in (k, j, l) = powers of (r, q, 1/alpha), computed exactly."
            .into(),
    );
    line(format!(
        "{:>3} {:>8} {:>8}   {:>22}",
        "s", "|P_s|", "|P_s pop|", "train (s+1)(s+2)(s+3)/2"
    ));
    for ord in &h.orders {
        let s = ord.s as usize;
        line(format!(
            "{:>3} {:>8} {:>8}   {:>22}",
            ord.s,
            ord.train.len(),
            ord.pop.len(),
            (s + 1) * (s + 2) * (s + 3) / 2
        ));
    }
    line(format!(
        "\nStructural checks (THEORY section 3), {} path:",
        if full { "full Wick" } else { "leading" }
    ));
    let mut seen = std::collections::BTreeSet::new();
    for c in &checks.checks {
        let name = c.name.as_str();
        if !seen.insert(name) {
            continue;
        }
        let group: Vec<_> = checks.checks.iter().filter(|c| c.name == name).collect();
        let failed: Vec<_> = group.iter().filter(|c| !c.passed).collect();
        if failed.is_empty() {
            line(format!(
                "  PASS  {name}  ({} loss-order pairs)",
                group.len()
            ));
        }
        for c in failed {
            line(format!(
                "  FAIL  {name}  ({} s = {}): {}",
                c.loss.name(),
                c.order,
                c.details
            ));
        }
    }
    let fp = match fit {
        Ok(fp) => fp,
        Err(e) => {
            line(format!("\nverdict: NOT the triangular prism: {e}"));
            return (o, HierarchyVerdict::NotThePrism(e.to_string()));
        }
    };
    line("\nAffine fit conv(P_s) = conv{a_v + s b_v}:".into());
    for (loss, f) in [(Loss::Train, &fp.train), (Loss::Pop, &fp.pop)] {
        line(format!(
            "  {:<5} verified exactly at orders {}..={}; families (a_v, b_v):",
            loss.name(),
            f.verified.0,
            f.verified.1
        ));
        for (a, b) in f.a.iter().zip(&f.b) {
            line(format!("        a = {:<14} b = {}", fmt_v(a), fmt_v(b)));
        }
    }
    let p = &fp.polytope;
    line(format!(
        "\nAsymptotic polytope P = conv{{b_v}}: {} vertices, {} edges, {} facets",
        p.vertices.len(),
        p.edges.len(),
        p.facets.len()
    ));
    let vertices: Vec<String> = p.vertices.iter().map(|v| fmt_v(v)).collect();
    line(format!("  vertices: {}", vertices.join(" ")));
    for (f, name) in p.facets.iter().zip(&fp.facet_names) {
        line(format!(
            "  facet {:<14} outward normal {:<12} {} vertices",
            name,
            fmt_v(&f.normal),
            f.vertices.len()
        ));
    }
    let verdict = if checks.all_passed() {
        line("\nverdict: the hierarchy grows like the triangular prism T x I (CONFIRMED)".into());
        HierarchyVerdict::Confirmed
    } else {
        line("\nverdict: the prism fits, but structural checks FAILED".into());
        HierarchyVerdict::ChecksFailed
    };
    (o, verdict)
}
/// `prism hierarchy` as a request: the supports to order S (S >= 3: two orders to fit the
/// prism, one more to confirm it), by the free-probability leading path or, with `full`, the
/// full Wick computation (all g; adds the checks g >= 0 and the full support law).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HierarchyRequest {
    /// The highest order S.
    pub order: usize,
    /// The full Wick computation instead of the leading path.
    pub full: bool,
}

/// A hierarchy request that cannot be run.
#[derive(Debug, thiserror::Error)]
pub enum HierarchyRequestError {
    /// S < 3.
    #[error("the fit needs orders 0..=S with S >= 3 (two orders to fit, one more to confirm)")]
    TooLow,
    /// The order cannot be computed at all (the message names `--order`).
    #[error("--order {order}: {source}")]
    Order {
        /// The order asked for.
        order: usize,
        /// Why not.
        source: crate::expansion::ExpansionError,
    },
    /// The expansion failed.
    #[error(transparent)]
    Expansion(#[from] crate::expansion::ExpansionError),
}

/// The computed hierarchy, its structural checks and the prism fit.
#[derive(Clone, Debug)]
pub struct HierarchyOutcome {
    /// The request.
    pub request: HierarchyRequest,
    /// The supports of each order.
    pub hierarchy: Hierarchy,
    /// The structural checks.
    pub checks: crate::expansion::StructureReport,
    /// The affine fit: the prism, or why not.
    pub fit: Result<FittedPrism, PrismError>,
}

impl HierarchyRequest {
    /// The time and memory of the computation (S < 3 is refused first).
    pub fn estimate(&self) -> Result<crate::budget::Estimate, HierarchyRequestError> {
        let order = self.order;
        if order < 3 {
            return Err(HierarchyRequestError::TooLow);
        }
        crate::expansion::estimate::expansion_estimate(
            order,
            !self.full,
            crate::expansion::estimate::HIERARCHY_SHARE,
            format!("the hierarchy to order {order}"),
            "a lower --order",
        )
        .map_err(|source| HierarchyRequestError::Order { order, source })
    }

    /// Compute the supports and fit the prism.
    pub fn compute(&self) -> Result<HierarchyOutcome, HierarchyRequestError> {
        if self.order < 3 {
            return Err(HierarchyRequestError::TooLow);
        }
        let method = if self.full {
            crate::expansion::Method::Full
        } else {
            crate::expansion::Method::Leading
        };
        let (hierarchy, checks) = crate::expansion::computed_hierarchy(self.order, method)?;
        let fit = FittedPrism::from_hierarchy(&hierarchy);
        Ok(HierarchyOutcome {
            request: *self,
            hierarchy,
            checks,
            fit,
        })
    }
}

impl HierarchyOutcome {
    /// The `--json` report.
    pub fn report(&self) -> HierarchyReport {
        HierarchyReport::new(&self.hierarchy, &self.fit)
    }

    /// The text report and the verdict it states.
    pub fn text(&self) -> (String, HierarchyVerdict) {
        text(&self.hierarchy, &self.checks, &self.fit, self.request.full)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_refuse_low_orders_and_fit_the_prism() {
        let low = HierarchyRequest {
            order: 2,
            full: false,
        };
        assert!(matches!(low.estimate(), Err(HierarchyRequestError::TooLow)));
        assert!(matches!(low.compute(), Err(HierarchyRequestError::TooLow)));
        let req = HierarchyRequest {
            order: 4,
            full: false,
        };
        assert!(req.estimate().unwrap().secs < 10.0);
        let out = req.compute().unwrap();
        assert!(out.report().prism.confirmed);
        assert!(matches!(out.text().1, HierarchyVerdict::Confirmed));
        let far = HierarchyRequest {
            order: 1000,
            full: true,
        };
        assert!(far
            .estimate()
            .unwrap_err()
            .to_string()
            .starts_with("--order 1000: "));
    }
}
