//! The paper's claims (THEORY section 7), each reproduced and ending in a computed PASS/FAIL.
//!
//! Pure: every item returns Markdown text and optional SVG figures; the CLI writes them.

use crate::pipeline;
use crate::polytope::{classify, FittedPrism};
use crate::spec::Spec;

/// One reproduced claim.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ClaimItem {
    /// 1-based number, as in THEORY section 7.
    pub number: u32,
    /// Short title.
    pub title: String,
    /// Computed outcome.
    pub pass: bool,
    /// Markdown body (tables, numbers).
    pub markdown: String,
    /// Figures: (file name, SVG text).
    #[serde(skip)]
    pub figures: Vec<(String, String)>,
}

/// Errors while reproducing claims (distinct from a claim that FAILs).
#[derive(Debug, thiserror::Error)]
pub enum ClaimsError {
    /// The pipeline could not build the prism.
    #[error(transparent)]
    Pipeline(#[from] pipeline::PipelineError),
    /// A spec in the report did not parse.
    #[error(transparent)]
    Spec(#[from] crate::spec::SpecError),
    /// Classification failed.
    #[error(transparent)]
    Classify(#[from] crate::polytope::ClassifyError),
    /// A check failed to run.
    #[error("{0}")]
    Run(String),
}

/// The representative spec of each 2-face: the direction u along its outward normal.
pub const FACE_SPECS: [(&str, &str, &str); 5] = [
    (
        "large-data",
        "alpha -> infinity; r, q finite",
        "p = n; H = 0.5 n; sigma2 = n^-1; N = n^2",
    ),
    (
        "small-data",
        "alpha -> 0; r, q finite",
        "p = n; H = 0.25 n; sigma2 = 2 n^-1; N = 20",
    ),
    (
        "narrow-latent",
        "r -> 0; q, alpha finite",
        "p = n; H = 4; sigma2 = 0.5 n^-1; N = 2 n",
    ),
    (
        "mean-field",
        "r -> infinity, q -> 0, q r finite; alpha finite",
        "p = n; H = n^2; sigma2 = 0.5 n^-2; N = n",
    ),
    (
        "free",
        "q -> infinity; r, alpha finite",
        "p = n; H = n; sigma2 = 1; N = n",
    ),
];

fn fmt_v(v: &[num_rational::BigRational]) -> String {
    format!(
        "({})",
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Claim 1: the computed supports grow like the triangular prism, with its face lattice.
pub fn claim_prism(prism: &FittedPrism, checks: &crate::expansion::StructureReport) -> ClaimItem {
    let mut md = String::new();
    md.push_str(&format!(
        "Hierarchy: {} (orders {}..={}).\n\n",
        prism.source, prism.orders.0, prism.orders.1
    ));
    md.push_str("| s | train |P_s| | (s+1)(s+2)(s+3)/2 | pop |P_s| |\n|---|---|---|---|\n");
    let mut counts_ok = true;
    for o in &prism.hierarchy.orders {
        let s = o.s as usize;
        let law = (s + 1) * (s + 2) * (s + 3) / 2;
        counts_ok &= o.train.len() == law;
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            o.s,
            o.train.len(),
            law,
            o.pop.len()
        ));
    }
    let p = &prism.polytope;
    md.push_str(&format!(
        "\nAffine fit conv(P_s) = conv{{a_v + s b_v}}: verified exactly at orders {}..={} (train) and {}..={} (pop).\n\n",
        prism.train.verified.0, prism.train.verified.1, prism.pop.verified.0, prism.pop.verified.1
    ));
    md.push_str(&format!(
        "Asymptotic polytope P = conv{{b_v}}: **{} vertices, {} edges, {} facets** (the triangular prism T x I has 6, 9, 5).\n\n",
        p.vertices.len(),
        p.edges.len(),
        p.facets.len()
    ));
    md.push_str("| facet | outward normal | vertices |\n|---|---|---|\n");
    for (f, name) in p.facets.iter().zip(&prism.facet_names) {
        let verts: Vec<String> = f.vertices.iter().map(|&i| fmt_v(&p.vertices[i])).collect();
        md.push_str(&format!(
            "| {} | {} | {} |\n",
            name,
            fmt_v(&f.normal),
            verts.join(" ")
        ));
    }
    let faces = prism.all_faces();
    md.push_str(&format!(
        "\nFace lattice: {} faces.\n\n| face | dim |\n|---|---|\n",
        faces.len()
    ));
    for (name, dim, _) in &faces {
        md.push_str(&format!("| {name} | {dim} |\n"));
    }
    md.push_str(&format!(
        "\nStructural checks (g >= 0 where available, support law, no holes, sign rule (-1)^j): {} of {} passed.\n",
        checks.checks.iter().filter(|c| c.passed).count(),
        checks.checks.len()
    ));
    for c in checks.failures() {
        md.push_str(&format!(
            "- FAILED {} ({} s = {}): {}\n",
            c.name,
            c.loss.name(),
            c.order,
            c.details
        ));
    }
    let pass = checks.all_passed()
        && counts_ok
        && (p.vertices.len(), p.edges.len(), p.facets.len()) == (6, 9, 5)
        && faces.len() == 21;
    ClaimItem {
        number: 1,
        title: "The loss-expansion hierarchy grows like a triangular prism".into(),
        pass,
        markdown: md,
        figures: Vec::new(),
    }
}

/// Claim 2: the five 2-faces are the five regimes, found by the classifier from their scalings.
pub fn claim_regimes(prism: &FittedPrism) -> Result<ClaimItem, ClaimsError> {
    let mut md = String::from(
        "| regime | defining scaling | spec | classified as | dim | time exp. | train exp. | pop exp. |\n|---|---|---|---|---|---|---|---|\n",
    );
    let mut pass = true;
    for (name, scaling, text) in FACE_SPECS {
        let spec = Spec::parse(text)?;
        let c = classify(&spec, prism)?;
        let ok = c.face == name && c.face_dim == 2;
        pass &= ok;
        md.push_str(&format!(
            "| {name} | {scaling} | `{text}` | {}{} | {} | {} | {} | {} |\n",
            c.face,
            if ok { "" } else { " (MISMATCH)" },
            c.face_dim,
            c.time_exponent,
            c.train_loss_exponent,
            c.pop_loss_exponent
        ));
    }
    let names: std::collections::BTreeSet<&str> = prism.facet_names.iter().copied().collect();
    let expected: std::collections::BTreeSet<&str> = FACE_SPECS.iter().map(|f| f.0).collect();
    pass &= names == expected;
    Ok(ClaimItem {
        number: 2,
        title: "The five 2-faces are large-data, small-data, mean-field, narrow-latent and free"
            .into(),
        pass,
        markdown: md,
        figures: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_one_and_two_pass() {
        let (h, report) =
            crate::expansion::computed_hierarchy(8, crate::expansion::Method::Leading).unwrap();
        let prism = FittedPrism::from_hierarchy(&h).unwrap();
        assert!(claim_prism(&prism, &report).pass);
        let c2 = claim_regimes(&prism).unwrap();
        assert!(c2.pass, "{}", c2.markdown);
    }
}
