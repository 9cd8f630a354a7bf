//! One home per face: everything hand-written about a face of the prism, side by side.
//!
//! Each of the 21 regimes has a unit type implementing [`Face`], which keeps together its
//! texts ([`FaceText`]: scaling, one-line summary, formula in words and in LaTeX, derivation
//! sketch), its limiting curve in floating point ([`Face::curve`]) and its exact Taylor series
//! ([`Face::series`]), plus any validity window that is particular to it ([`Face::windows`]).
//! The files group the faces by family: the interior, the five 2-faces (one file each), the nine
//! edges and the six vertices. Changing a face's formula means editing one `impl Face` block.
//!
//! What follows from the face's (data part, latent part) alone stays derived in
//! [`super::catalogue`] and [`super`] (names, containment, constants, normalization, expected
//! corrections and the generic validity windows); what the faces share (spectral quadrature,
//! ODEs, the Jacobi chain, power-series arithmetic) lives in [`super::curves`],
//! [`super::exact`], [`super::series`], [`super::small_data`] and [`super::free_words`].
//! [`face`] looks a regime's implementation up; the public entry points are
//! [`super::limit_curve_with`], [`super::limit_series`], [`super::text`] and
//! [`super::Regime::validity`].

use super::curves::{CurveMethod, CurveOptions};
use super::{Ratios, Regime, RegimeError, ValidityWindow};
use crate::poly::Poly;

pub mod edges;
pub mod free;
pub mod interior;
pub mod large_data;
pub mod mean_field;
pub mod narrow_latent;
pub mod small_data;
pub mod vertices;

/// What the face files use: the shared numerical and exact machinery.
mod prelude {
    pub(crate) use super::{CurveValues, Face, FaceText};
    pub(crate) use crate::poly::{frac, rat, Poly, Vars};
    pub(crate) use crate::regimes::curves::{
        logistic, mgf, on_sorted, CurveMethod, CurveOptions, FreeNumericOptions,
    };
    pub(crate) use crate::regimes::exact::{
        cst, face_vars, logistic_loss, one, pow_i, q, small_data_chain_series, ChainKind, MgfTrack,
        LAM,
    };
    pub(crate) use crate::regimes::free_words::free_face_derivatives;
    pub(crate) use crate::regimes::ode::{integrate, OdeOptions};
    pub(crate) use crate::regimes::quad::Semicircle;
    pub(crate) use crate::regimes::series::{
        self, constant, factorial, logistic_in_x, mp_moment, mu_a_moment, mul, mul_coeff, mul_poly,
        rescale_time, scale, sub, to_derivatives, zero,
    };
    pub(crate) use crate::regimes::{
        small_data, Loss, Ratios, Regime, RegimeError, ValidityWindow,
    };
    pub(crate) use serde::Serialize;
}

/// The hand-written texts of a face (THEORY section 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaceText {
    /// What goes where on the face, in one line.
    pub scaling: &'static str,
    /// Which limit applies, in one sentence (ends a classification's description).
    pub summary: &'static str,
    /// The limit formula in words (both losses).
    pub words: &'static str,
    /// The limit formula in LaTeX (both losses).
    pub latex: &'static str,
    /// A derivation sketch (`prism limit --explain FACE`).
    pub derivation: &'static str,
}

/// Both normalized limit quantities at the requested face times, and how they were obtained.
#[derive(Clone, Debug, PartialEq)]
pub struct CurveValues {
    /// Normalized train quantity.
    pub train: Vec<f64>,
    /// Normalized population quantity.
    pub pop: Vec<f64>,
    /// Standard errors (numerical limits only).
    pub train_err: Option<Vec<f64>>,
    /// Standard errors (numerical limits only).
    pub pop_err: Option<Vec<f64>>,
    /// How it was computed.
    pub method: CurveMethod,
    /// Remarks for the report.
    pub notes: Vec<String>,
}

impl CurveValues {
    /// Empty values computed by `method`.
    pub fn new(method: CurveMethod) -> Self {
        CurveValues {
            train: Vec::new(),
            pop: Vec::new(),
            train_err: None,
            pop_err: None,
            method,
            notes: Vec::new(),
        }
    }

    /// Set the values.
    pub fn with(mut self, train: Vec<f64>, pop: Vec<f64>) -> Result<Self, RegimeError> {
        self.train = train;
        self.pop = pop;
        Ok(self)
    }
}

/// Everything hand-written about one face of the prism.
pub trait Face: Sync {
    /// Which regime this is.
    fn regime(&self) -> Regime;

    /// Its texts.
    fn text(&self) -> FaceText;

    /// The limit formula with a covariance spectrum (THEORY 9.5), where the face's law has one
    /// in terms of the spectral law (deterministic equivalents, moments): `(words, LaTeX)`.
    /// None: the isotropic [`FaceText`] is shown with the notes of the evaluation.
    fn text_law(&self) -> Option<(&'static str, &'static str)> {
        None
    }

    /// The limiting curves of both normalized losses at face times `times` (finite, >= 0, any
    /// order), given the face's finite constants `k` in the order of [`Regime::constants`]
    /// (already checked by [`Regime::resolve`]).
    fn curve(
        &self,
        k: &[f64],
        times: &[f64],
        opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError>;

    /// The exact Taylor coefficients `c_0..=c_max_order` of both normalized losses (train, pop),
    /// polynomials in the face's finite constants (THEORY 5.5 conventions, see [`super`]).
    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError>;

    /// Validity windows particular to this face, beyond those derived from its parts.
    fn windows(&self, _x: &Ratios) -> Vec<ValidityWindow> {
        Vec::new()
    }

    /// The limiting curves with a covariance spectrum (THEORY 9.5), for the mean-1 law of `law`
    /// at face times `times` (the caller, [`super::spectral::limit_curve_law`], applies the scale
    /// identity and the heavy-tail refusals). Default: restricted from the face's faces
    /// ([`super::spectral::derived_curve`]).
    fn curve_law(
        &self,
        k: &[f64],
        times: &[f64],
        law: &super::spectral::LawContext,
        opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        super::spectral::derived_curve(self.regime(), k, times, law, opts)
    }

    /// The exact Taylor coefficients with moments: polynomials in the face's constants followed
    /// by `m1..m12` ([`super::spectral::law_series_names`]). Default: restricted from the parent
    /// face's series ([`super::spectral::derived_series`]).
    fn series_law(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        super::spectral::derived_series(self.regime(), max_order)
    }
}

/// The implementation of `regime`.
pub fn face(regime: Regime) -> &'static dyn Face {
    use Regime as R;
    match regime {
        R::Proportional => &interior::Proportional,
        R::LargeData => &large_data::LargeData,
        R::MeanField => &mean_field::MeanField,
        R::NarrowLatent => &narrow_latent::NarrowLatent,
        R::Free => &free::Free,
        R::SmallData => &small_data::SmallData,
        R::LargeNarrow => &edges::LargeNarrow,
        R::LargeMeanField => &edges::LargeMeanField,
        R::LargeFree => &edges::LargeFree,
        R::SmallNarrow => &edges::SmallNarrow,
        R::SmallMeanField => &edges::SmallMeanField,
        R::SmallFree => &edges::SmallFree,
        R::NarrowMeanField => &edges::NarrowMeanField,
        R::NarrowFree => &edges::NarrowFree,
        R::MeanFieldFree => &edges::MeanFieldFree,
        R::LargeNarrowMeanField => &vertices::LargeNarrowMeanField,
        R::LargeNarrowFree => &vertices::LargeNarrowFree,
        R::LargeMeanFieldFree => &vertices::LargeMeanFieldFree,
        R::SmallNarrowMeanField => &vertices::SmallNarrowMeanField,
        R::SmallNarrowFree => &vertices::SmallNarrowFree,
        R::SmallMeanFieldFree => &vertices::SmallMeanFieldFree,
    }
}

impl Regime {
    /// This face's implementation ([`face`]).
    pub fn face(self) -> &'static dyn Face {
        face(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_regime_has_its_own_face() {
        for r in Regime::ALL {
            assert_eq!(face(r).regime(), r);
            let t = face(r).text();
            assert!(!t.words.is_empty() && !t.derivation.is_empty() && !t.summary.is_empty());
        }
    }
}
