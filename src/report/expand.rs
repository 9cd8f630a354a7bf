//! `prism expand --json`: the exact coefficients c_s = E[L^(s)(0)]/p, one entry per order and
//! loss, every coefficient as an exact rational string.

use serde::Serialize;

use crate::expansion::leading_to_raw;
use crate::poly::{rat_to_f64, Poly};
use crate::polytope::Loss;

/// One coefficient c_s of one loss.
///
/// Schema: `{"loss": "train", "order": s, "part": "full"|"leading", "terms": [ExpandTerm...]}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExpandEntry {
    /// `train` or `pop`.
    pub loss: String,
    /// The order s.
    pub order: usize,
    /// `full` (all genera, exact) or `leading` (the g = 0 part, free probability).
    pub part: String,
    /// The monomials of c_s in the raw variables (p, H, sigma2, N).
    pub terms: Vec<ExpandTerm>,
}

/// One monomial `coeff * p^p H^H sigma2^sigma2 N^N` (exponents may be negative for p and N).
///
/// Schema: `{"H": k, "N": -l, "coeff": "3/2", "p": a, "sigma2": j, "value": 1.5}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExpandTerm {
    /// Exponent of H.
    #[serde(rename = "H")]
    pub h: i32,
    /// Exponent of N (<= 0).
    #[serde(rename = "N")]
    pub n: i32,
    /// The exact rational coefficient, `a` or `a/b`.
    pub coeff: String,
    /// Exponent of p.
    pub p: i32,
    /// Exponent of sigma2.
    pub sigma2: i32,
    /// The coefficient as the nearest f64.
    pub value: f64,
    /// Anisotropic expansions only (`prism expand --anisotropic`, THEORY 9.2): the exponents
    /// of the spectral moments m_k = tr(Sigma^k)/p, e.g. `{"m1": 1, "m2": 1}` for m_1 m_2
    /// (absent for isotropic expansions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moments: Option<std::collections::BTreeMap<String, i32>>,
}

impl ExpandEntry {
    /// The entries of one loss, orders 0..polys.len(). `leading`: the polynomials are in
    /// (r, q, y) (the leading path) and are converted to raw monomials. Polynomials with
    /// further variables (the moments `m_k` of `prism::expansion::aniso`) give terms with
    /// `moments`, keyed by variable name. Exponents are read by name.
    pub fn from_polys(loss: Loss, polys: &[Poly], leading: bool) -> Vec<ExpandEntry> {
        polys
            .iter()
            .enumerate()
            .map(|(s, p)| {
                let raw = if leading {
                    leading_to_raw(p)
                } else {
                    p.clone()
                };
                // Raw variables p, H, sigma2, N first, then the moments (if any).
                let raw = raw.reorder(&crate::expansion::full_vars().union(raw.vars()));
                let extra: Vec<(usize, &str)> = raw
                    .vars()
                    .names()
                    .enumerate()
                    .filter(|(_, n)| !crate::expansion::FULL_VARS.contains(n))
                    .collect();
                ExpandEntry {
                    loss: loss.name().to_string(),
                    order: s,
                    part: if leading { "leading" } else { "full" }.to_string(),
                    terms: raw
                        .terms()
                        .map(|(e, c)| ExpandTerm {
                            coeff: c.to_string(),
                            value: rat_to_f64(c),
                            p: raw.exponent(e, "p"),
                            h: raw.exponent(e, "H"),
                            sigma2: raw.exponent(e, "sigma2"),
                            n: raw.exponent(e, "N"),
                            moments: (!extra.is_empty()).then(|| {
                                extra
                                    .iter()
                                    .filter(|(i, _)| e[*i] != 0)
                                    .map(|(i, name)| (name.to_string(), e[*i]))
                                    .collect()
                            }),
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

/// The readable text of `prism expand` for one loss: a header, then `c_s = ...` per order in
/// `fmt`, in the variables of the path: (r, q, y) for the leading part, (p, H, sigma2, N) for
/// the full expansion, followed by the moments m_k with `anisotropic`.
pub fn text(
    loss: Loss,
    polys: &[Poly],
    leading: bool,
    anisotropic: bool,
    fmt: crate::poly::PolyFormat,
) -> String {
    use crate::expansion::aniso::{aniso_full_vars, aniso_leading_vars};
    let what = if leading {
        "leading part (g = 0) of c_s in r = H/p, q = sigma2 p, y = p/N"
    } else {
        "c_s = E[L^(s)(0)]/p, exact"
    };
    let mut out = format!("# {} loss: {what}\n", loss.name());
    if anisotropic {
        out.push_str("# anisotropic data: m_k = tr(Sigma^k)/p (m_k = 1 is isotropic)\n");
    }
    let vars = match (anisotropic, leading) {
        (true, true) => aniso_leading_vars(),
        (true, false) => aniso_full_vars(),
        (false, true) => crate::expansion::leading_vars(),
        (false, false) => crate::expansion::full_vars(),
    };
    for (s, p) in polys.iter().enumerate() {
        out.push_str(&format!("c_{s} = {}\n", p.reorder(&vars).format(fmt)));
    }
    out
}
