//! Words, LaTeX and derivation sketches for every face (THEORY section 5). The texts themselves
//! live with each face ([`super::faces`]); this module reads and composes them.

use super::Regime;

/// What goes where on the face, in one line.
pub fn scaling(regime: Regime) -> &'static str {
    regime.face().text().scaling
}

/// Which limit of THEORY section 5 applies on the face, in one sentence (the last sentence of a
/// classification's description).
pub fn summary(regime: Regime) -> &'static str {
    regime.face().text().summary
}

impl Regime {
    /// [`summary`]: the face's limit in one sentence.
    pub fn summary(self) -> &'static str {
        summary(self)
    }

    /// [`scaling`]: what goes where on the face.
    pub fn scaling(self) -> &'static str {
        scaling(self)
    }
}

/// The limit formula in words (both losses).
pub fn formula_words(regime: Regime) -> &'static str {
    regime.face().text().words
}

/// The limit formula in LaTeX (both losses).
pub fn formula_latex(regime: Regime) -> &'static str {
    regime.face().text().latex
}

/// The limit formula with a covariance spectrum in words and in LaTeX, where the face has one
/// (THEORY 9.5: mean-field, narrow-latent, small-data); None elsewhere.
pub fn formula_law(regime: Regime) -> Option<(&'static str, &'static str)> {
    regime.face().text_law()
}

/// A derivation sketch (for `prism limit --explain FACE`).
pub fn explain(regime: Regime) -> String {
    let body = regime.face().text().derivation;
    format!(
        "{label} {name}: {scaling}\n\ntime: {time}\ntrain quantity: {qt}\npop quantity:   {qp}\nconstants: {consts}\n\nlimit: {words}\n\nLaTeX: {latex}\n\nderivation:\n{body}\n",
        label = regime.label(),
        name = regime.name(),
        scaling = scaling(regime),
        time = regime.time_variable(),
        qt = regime.quantity(super::Loss::Train),
        qp = regime.quantity(super::Loss::Pop),
        consts = {
            let c = regime.constant_names();
            if c.is_empty() {
                "none".to_string()
            } else {
                c.join(", ")
            }
        },
        words = formula_words(regime),
        latex = formula_latex(regime),
    )
}
