//! The readable (non-JSON) reports of `classify`, `check` and `check-claims`: the text the CLI
//! prints, built from the same library types as the JSON.

use crate::check::claims_file::{ClaimOutcome, ClaimStatus};
use crate::check::run::{fmt_n, CheckReport, Reference};
use crate::polytope::Classification;

/// Width of the wrapped description of `prism classify`.
const WRAP_WIDTH: usize = 78;

/// The readable classification report.
pub fn classification(c: &Classification) -> String {
    let mut out = String::new();
    let push = |out: &mut String, k: &str, v: String| out.push_str(&format!("{k:<14}{v}\n"));
    push(&mut out, "spec", c.spec.clone());
    if c.n_defaulted {
        push(
            &mut out,
            "",
            "(N not given: defaults to inf, no finite training set)".into(),
        );
    }
    push(
        &mut out,
        "direction u",
        format!(
            "({}, {}, {})  in (log r, log q, log 1/alpha) per log n",
            c.u[0], c.u[1], c.u[2]
        ),
    );
    push(
        &mut out,
        "face",
        format!("{}  (dimension {})", c.face, c.face_dim),
    );
    let vertices: Vec<String> = c
        .face_vertices
        .iter()
        .map(|v| format!("({}, {}, {})", v[0], v[1], v[2]))
        .collect();
    push(&mut out, "face vertices", vertices.join(" "));
    for r in &c.ratios {
        let e = r
            .exponent
            .as_deref()
            .map_or("N = inf".to_string(), |e| format!("n^{e}"));
        push(
            &mut out,
            &format!("  {}", r.name),
            format!("{:<12} ({e})", r.behaviour),
        );
    }
    push(&mut out, "time", format!("t = n^{} tau", c.time_exponent));
    push(
        &mut out,
        "train loss",
        format!("change ~ n^{}", c.train_loss_exponent),
    );
    push(
        &mut out,
        "pop loss",
        format!("change ~ n^{}", c.pop_loss_exponent),
    );
    let constants: Vec<String> = c
        .constants
        .iter()
        .map(|k| format!("{} = {} = {}", k.name, k.meaning, k.value))
        .collect();
    push(
        &mut out,
        "constants",
        if constants.is_empty() {
            "none".into()
        } else {
            constants.join(", ")
        },
    );
    if let Some(t) = &c.time {
        push(&mut out, "your t", t.verdict.clone());
    }
    push(&mut out, "hierarchy", c.hierarchy.clone());
    let (tr, pop) = (c.orders_used.train, c.orders_used.pop);
    push(
        &mut out,
        "",
        format!(
            "fit verified at orders {}..={} (train), {}..={} (pop)",
            tr.0, tr.1, pop.0, pop.1
        ),
    );
    out.push('\n');
    out.push_str(&wrap(&c.description, WRAP_WIDTH));
    out.push('\n');
    out
}

/// Order to which `classify` computes the hierarchy with moments for its spectrum statement
/// (free probability, well under a second).
pub const SPECTRUM_CHECK_ORDER: usize = 4;

/// The spectrum statement of `classify` for a spec with `spectrum = LAW` (None for the
/// identity): reads a `file(...)` law, then [`crate::regimes::spectral::spectrum_statement`].
pub fn spectrum_statement(
    spec: &crate::spec::Spec,
    face: crate::regimes::Regime,
) -> Result<Option<crate::regimes::spectral::SpectrumStatement>, crate::regimes::RegimeError> {
    if spec.spectrum.is_identity() {
        return Ok(None);
    }
    let law = spec
        .spectrum
        .clone()
        .resolve(|p| crate::spec::read_source(std::path::Path::new(p)))
        .map_err(|e| crate::regimes::RegimeError::Spectrum {
            reason: format!("{e} ({})", e.hint()),
        })?;
    crate::regimes::spectral::spectrum_statement(&law, face, SPECTRUM_CHECK_ORDER).map(Some)
}

/// The spectrum lines appended to the classification text.
pub fn spectrum_text(st: &crate::regimes::spectral::SpectrumStatement) -> String {
    let mut out = String::new();
    out.push_str(&format!("{:<14}{}\n", "spectrum", st.law));
    out.push_str(&format!(
        "{:<14}{}\n",
        "moments",
        st.moments
            .iter()
            .enumerate()
            .map(|(k, m)| format!("m{} = {m}", k + 1))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    out.push_str(&format!(
        "{:<14}{}\n",
        "validity",
        if st.classification_holds {
            "the classification holds for this law (bounded support)".to_string()
        } else {
            format!(
                "the classification holds only below order {} (heavy tail)",
                st.first_divergent_order.unwrap_or(0)
            )
        }
    ));
    out.push_str(&format!(
        "{:<14}{}\n",
        "this face",
        if !st.face.limit_exists {
            "NO LIMIT with this law".to_string()
        } else if !st.face.analytic {
            "limit exists, not analytic at t = 0 (no series)".to_string()
        } else {
            "limit exists (prism limit)".to_string()
        }
    ));
    out.push('\n');
    out.push_str(&wrap(&st.text, WRAP_WIDTH));
    if st.face.first_infinite_moment.is_some() {
        out.push_str(&wrap(
            &format!("On this face: {}", st.face.reason),
            WRAP_WIDTH,
        ));
    }
    out
}

/// Greedy word wrap at `width` characters.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for w in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + w.len() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    if !line.is_empty() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The readable report of `prism check`.
pub fn check(r: &CheckReport) -> String {
    let mut o = String::new();
    let constants: Vec<String> = r
        .constants
        .iter()
        .map(|(n, v)| format!("{n} = {v}"))
        .collect();
    o.push_str(&format!("spec      {}\nface      {}\n", r.spec, r.face));
    o.push_str(&format!(
        "time      {}; constants {}\n",
        r.time_variable,
        constants.join(", ")
    ));
    match &r.reference {
        Reference::Limit { method } => o.push_str(&format!(
            "reference the limit of THEORY {} ({method})\n",
            if r.limit_spectrum.as_deref().is_some_and(|l| l != "identity") { "9.5 (with the covariance spectrum)" } else { "section 5" }
        )),
        Reference::Series { order, radius } => o.push_str(&format!(
            "reference the exact leading series, order {order} (apparent radius {radius:.3}); no closed form is known\n"
        )),
        Reference::SeriesAndNumeric {
            order,
            radius,
            series_until,
            numeric,
            overlap_z,
        } => {
            o.push_str(&format!(
                "reference no closed form is known: the exact leading series (order {order}, apparent radius {radius:.3}) for {} <= {series_until:.3}; beyond, {numeric}\n",
                r.time_variable.split(' ').next().unwrap_or("T")
            ));
            let emax = r
                .limit_train_err
                .iter()
                .chain(&r.limit_pop_err)
                .cloned()
                .fold(0.0, f64::max);
            o.push_str(&format!(
                "          numerical error bars (1 s.e.) up to {emax:.1e}{}\n",
                overlap_z.map_or(String::new(), |z| format!(
                    "; against the series where both exist: largest |difference|/error {z:.1}"
                ))
            ));
        }
    }
    if r.spectrum.is_some() || r.limit_spectrum.is_some() {
        o.push_str(&format!(
            "spectrum  data {}; reference {}\n",
            r.spectrum.as_deref().unwrap_or("identity"),
            r.limit_spectrum
                .as_deref()
                .or(r.spectrum.as_deref())
                .unwrap_or("identity")
        ));
    }
    o.push_str(&format!("window    {}\n", r.window));
    let l = &r.ladder;
    let sizes: Vec<String> = r.sizes.iter().map(|s| fmt_n(s.n)).collect();
    o.push_str(&format!(
        "sizes     {} ({}; budget {} s, took {:.1} s)\n",
        sizes.join(", "),
        if l.automatic {
            "chosen automatically"
        } else {
            "given"
        },
        l.budget_seconds,
        l.wall_seconds
    ));
    for e in &l.explanation {
        o.push_str(&format!("          - {e}\n"));
    }
    o.push_str(&format!(
        "expected  corrections O(n^-{})\n\n",
        r.expected_rate
    ));
    o.push_str(&format!(
        "{:>6} {:>6} {:>7} {:>7}   {:>22} {:>22} {:>5}\n",
        "n", "p", "H", "N", "train L2 (+- se)", "pop L2 (+- se)", "runs"
    ));
    for (i, s) in r.sizes.iter().enumerate() {
        let e = |k: usize| {
            let x = &r.losses[k].errors[i];
            format!("{:.3e} +- {:.1e}", x.l2, x.l2_se)
        };
        o.push_str(&format!(
            "{:>6} {:>6} {:>7} {:>7}   {:>22} {:>22} {:>5}\n",
            fmt_n(s.n),
            s.p,
            s.h,
            s.n_data.map_or("inf".to_string(), |v| v.to_string()),
            e(0),
            e(1),
            s.seeds
        ));
    }
    o.push('\n');
    for l in &r.losses {
        let rate = |f: Option<_>| {
            f.map_or("-".to_string(), |f: crate::check::verdict::RateFit| {
                format!("n^({:.2}) +- {:.2}", -f.rate, f.se)
            })
        };
        o.push_str(&format!(
            "{:<5} {}: sup-norm rate {}, L2 rate {}\n      {} (from the L2 errors): {}\n",
            l.loss.name(),
            l.quantity,
            rate(l.sup.fit),
            rate(l.l2.fit),
            l.l2.verdict.as_str(),
            l.l2.reason
        ));
    }
    for n in &r.notes {
        o.push_str(&format!("note: {n}\n"));
    }
    if let Some(b) = l.budget_that_would_suffice {
        o.push_str(&format!(
            "note: a budget of about {b:.0} s (--budget) would be needed to decide (estimated from the measured noise)\n"
        ));
    }
    o.push_str(&format!("\nverdict: {}\n", r.verdict.as_str()));
    o
}

/// The readable report of `prism check-claims`: one entry per claim, then the tally.
pub fn claims(outcomes: &[ClaimOutcome]) -> String {
    let mut o = String::new();
    for c in outcomes {
        let status = match c.status {
            ClaimStatus::True => "TRUE     ",
            ClaimStatus::False => "FALSE    ",
            ClaimStatus::Unchecked => "UNCHECKED",
        };
        o.push_str(&format!(
            "{status}  {}:{}: {}\n      {}\n",
            c.line, c.col, c.text, c.detail
        ));
    }
    let count = |s: ClaimStatus| outcomes.iter().filter(|o| o.status == s).count();
    let (failed, unchecked) = (count(ClaimStatus::False), count(ClaimStatus::Unchecked));
    o.push_str(&format!(
        "\n{} of {} claims hold{}{}\n",
        outcomes.len() - failed - unchecked,
        outcomes.len(),
        if failed > 0 {
            format!(", {failed} false")
        } else {
            String::new()
        },
        if unchecked > 0 {
            format!(", {unchecked} could not be checked")
        } else {
            String::new()
        }
    ));
    o
}

/// Width of the wrapped limits of `prism faces`.
const FACES_WRAP_WIDTH: usize = 76;

/// The readable table of `prism faces`: every face of the fitted prism, with its scaling and
/// limit.
pub fn faces(prism: &crate::polytope::FittedPrism) -> String {
    let rows = super::faces(prism);
    let mut o = format!(
        "The prism P = T x I in (k', j', l') = powers of (r, q, 1/alpha) per order, from {} (orders {}..={}).\n",
        prism.source, prism.orders.0, prism.orders.1
    );
    o.push_str(&format!(
        "{} faces: 6 vertices, 9 edges, 5 two-faces and the interior.\n\n",
        rows.len()
    ));
    for f in rows {
        o.push_str(&format!(
            "{}  (dimension {}; vertices {})\n",
            f.face,
            f.face_dim,
            f.vertices.join(" ")
        ));
        o.push_str(&format!("  scaling: {}\n", f.scaling));
        let limit = wrap(&format!("limit: {}", f.limit), FACES_WRAP_WIDTH);
        for l in limit.lines() {
            o.push_str(&format!("  {l}\n"));
        }
        o.push('\n');
    }
    o
}

/// [`prism_faces`] for data with a covariance spectrum `law` (THEORY 9): a law with bounded
/// support has the isotropic supports (THEORY 9.3), so the prism and the face are those of
/// isotropic data, and a line says so (the caller refuses a heavy tail first, see
/// [`crate::plot::prism_drawing_refusal`]).
pub fn prism_faces_law(
    highlight: Option<crate::regimes::Regime>,
    law: Option<&crate::spec::SpectrumLaw>,
) -> String {
    let mut out = prism_faces(highlight);
    if let Some(l) = law.filter(|l| !l.is_identity()) {
        out.push_str(&format!(
            "spectrum {l}: bounded support, so this is the prism and the face of isotropic data (THEORY 9.3); only the limit along the face changes (prism limit SPEC)\n"
        ));
    }
    out
}

/// The faces of the prism by dimension, with `highlight` marked (the text of `prism prism`).
pub fn prism_faces(highlight: Option<crate::regimes::Regime>) -> String {
    use crate::regimes::Regime;
    let mut out = String::from("the prism P = T x I: 6 vertices, 9 edges, 5 two-faces\n");
    for (dim, title) in [(2u32, "two-faces"), (1, "edges"), (0, "vertices")] {
        out.push_str(&format!("{title}:\n"));
        for f in Regime::ALL.iter().filter(|f| f.dim() == dim) {
            let mark = if Some(*f) == highlight { "=>" } else { "  " };
            out.push_str(&format!("{mark} {:<4} {}\n", f.label(), f.name()));
        }
    }
    if highlight == Some(Regime::Proportional) {
        out.push_str("=> the interior (proportional): r, q and alpha all finite\n");
    }
    out
}

/// The specs of `prism demo`'s tour: (what it is, spec).
pub const TOUR: [(&str, &str); 6] = [
    (
        "large data, proportional width",
        "p = n; H = 0.5 n; sigma2 = n^-1; N = n^2",
    ),
    (
        "mean-field init",
        "p = n; H = n^2; sigma2 = 0.5 n^-2; N = n",
    ),
    (
        "narrow latent layer",
        "p = n; H = 8; sigma2 = 0.5 n^-1; N = 2 n",
    ),
    ("large init", "p = n; H = n; sigma2 = 1; N = n"),
    ("few samples", "p = n; H = 0.25 n; sigma2 = 2 n^-1; N = 20"),
    ("small init, population loss", "p = n; H = n; sigma = n^-1"),
];

/// The tour's overview: the prism the hierarchy confirms, and where each spec of [`TOUR`]
/// lands (face, time and loss exponents).
pub fn tour(prism: &crate::polytope::FittedPrism) -> Result<String, TourError> {
    let mut names = prism.facet_names.clone();
    names.sort_by_key(|n| n.sort_key());
    let names: Vec<&str> = names.iter().map(|n| n.name()).collect();
    let mut o = String::from(
        "prism demo: where scaling limits of the weight-tied linear autoencoder land.\n\n",
    );
    o.push_str(&format!(
        "Hierarchy: {} (orders {}..={}); its asymptotic Newton polytope is the triangular prism\n",
        prism.source, prism.orders.0, prism.orders.1
    ));
    o.push_str(&format!(
        "with {} vertices, {} edges and {} two-faces: {}.\n\n",
        prism.polytope.vertices.len(),
        prism.polytope.edges.len(),
        prism.polytope.facets.len(),
        names.join(", ")
    ));
    let row = |a: &str, b: &str, c: &str, d: &str, e: &str, f: &str| {
        format!("{a:<30} {b:<44} {c:<36} {d:>5} {e:>6} {f:>6}\n")
    };
    o.push_str(&row("", "spec", "face", "time", "train", "pop"));
    for (what, text) in TOUR {
        let spec = crate::spec::Spec::parse(text)?;
        let c = crate::polytope::classify(&spec, prism)?;
        o.push_str(&row(
            what,
            text,
            c.face.name(),
            &c.time_exponent,
            &c.train_loss_exponent,
            &c.pop_loss_exponent,
        ));
    }
    o.push_str("\n(time: t = n^time tau; train/pop: the loss change scales as n^exponent)\n");
    Ok(o)
}

/// Errors of [`tour`] (a built-in spec that does not parse or classify is a bug).
#[derive(Debug, thiserror::Error)]
pub enum TourError {
    /// A tour spec does not parse.
    #[error(transparent)]
    Spec(#[from] crate::spec::SpecError),
    /// A tour spec does not classify.
    #[error(transparent)]
    Classify(#[from] crate::polytope::ClassifyError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regimes::Regime;
    use crate::spec::SpectrumLaw;

    #[test]
    fn the_prism_text_states_a_bounded_spectrum() {
        let plain = prism_faces(Some(Regime::MeanField));
        let iso = SpectrumLaw::Identity;
        assert_eq!(prism_faces_law(Some(Regime::MeanField), Some(&iso)), plain);
        assert_eq!(prism_faces_law(Some(Regime::MeanField), None), plain);
        let law = SpectrumLaw::parse("uniform(0, 2)").unwrap();
        let t = prism_faces_law(Some(Regime::MeanField), Some(&law));
        assert!(t.starts_with(&plain), "{t}");
        assert!(t.ends_with("only the limit along the face changes (prism limit SPEC)\n"));
    }
}
