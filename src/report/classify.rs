//! `prism classify --json`: the [`Classification`] of a spec, and with a covariance spectrum
//! (`spectrum = LAW`, THEORY 9) the statement of what the spectrum changes.
//!
//! Schema: every field of [`Classification`] at the top level (`spec`, `n_defaulted`, `u`,
//! `face`, `face_dim`, `face_vertices`, `time_exponent`, `train_loss_exponent`,
//! `pop_loss_exponent`, `correction_exponent`, `ratios`, `constants`, `description`,
//! `hierarchy`, `orders_used`, `time`), plus `spectrum` (a [`SpectrumStatement`]) only when the
//! spec has a spectrum other than the identity. Printed by [`super::to_json`] (keys sorted).

use serde::Serialize;

use super::ReportError;
use crate::polytope::{Classification, FittedPrism};
use crate::regimes::spectral::SpectrumStatement;
use crate::spec::Spec;

/// The report of `prism classify` (see the module docs for the schema).
#[derive(Clone, Debug, Serialize)]
pub struct ClassifyReport {
    /// The face, its scales and constants.
    #[serde(flatten)]
    pub classification: Classification,
    /// With a covariance spectrum: its moments and whether the isotropic classification holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spectrum: Option<SpectrumStatement>,
}

impl ClassifyReport {
    /// Classify `spec` on `prism` (its `spectrum = LAW` already read, see
    /// [`crate::spec::Source::parse_resolved`]) and state its spectrum.
    pub fn new(spec: &Spec, prism: &FittedPrism) -> Result<Self, ReportError> {
        let classification = crate::polytope::classify(spec, prism)?;
        let spectrum = super::text::spectrum_statement(spec, classification.face)?;
        Ok(ClassifyReport {
            classification,
            spectrum,
        })
    }

    /// The text report: the classification, then the spectrum lines.
    pub fn text(&self) -> String {
        let mut t = super::text::classification(&self.classification);
        if let Some(st) = &self.spectrum {
            t.push_str(&super::text::spectrum_text(st));
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_the_classification_plus_spectrum_when_given() {
        let prism = crate::pipeline::default_prism().unwrap();
        let iso = Spec::parse("p = n; H = n^2; sigma2 = 0.5 n^-2; N = n").unwrap();
        let r = ClassifyReport::new(&iso, &prism).unwrap();
        let plain = serde_json::to_value(&r.classification).unwrap();
        assert_eq!(serde_json::to_value(&r).unwrap(), plain);
        let aniso = Spec::parse(
            "p = n; H = n^2; sigma2 = 0.5 n^-2; N = n; spectrum = atoms(1/4: 1/2, 7/4: 1/2)",
        )
        .unwrap();
        let r = ClassifyReport::new(&aniso, &prism).unwrap();
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["face"], plain["face"]);
        assert_eq!(v["spectrum"]["classification_holds"], true);
        assert!(r
            .text()
            .starts_with(&crate::report::text::classification(&r.classification)));
    }
}
