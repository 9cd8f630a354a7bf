//! `prism limit --json`: the limiting law of a face, evaluated on a grid, with its exact series.
//!
//! [`compute_limit`] is the computation behind `prism limit` (curves, exact series, optional
//! exact confirmation against the hierarchy); [`LimitReport::new`] its documented output.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ReportError;
use crate::poly::PolyFormat;
use crate::polytope::Classification;
use crate::regimes::{
    self, confirm, limit_curve_with, limit_series, text, ConfirmReport, Constants, Correction,
    CurveMethod, CurveOptions, LimitCurves, LimitSeries, Loss, OrderCheck, Regime,
};

/// What to compute for a face.
#[derive(Clone, Debug)]
pub struct LimitRequest {
    /// Face times T at which to evaluate the curves.
    pub times: Vec<f64>,
    /// Numerical options of the curves.
    pub curve: CurveOptions,
    /// Highest order s of the exact series.
    pub series: usize,
    /// Confirm the series against the hierarchy's leading coefficients exactly.
    pub verify: bool,
    /// A covariance spectrum other than the identity (read; THEORY 9), or None.
    pub spectrum: Option<crate::spec::SpectrumLaw>,
}

/// What a covariance spectrum changed in a limit (THEORY 9.5, 9.6).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpectrumOutcome {
    /// The law, as written.
    pub law: String,
    /// Remarks: the heavy-tail statement, why a curve or a series is missing.
    pub notes: Vec<String>,
}

/// The evaluated limit of a face (the inputs of [`LimitReport::new`]).
#[derive(Clone, Debug)]
pub struct LimitOutcome {
    /// The face.
    pub regime: Regime,
    /// Its finite constants as given.
    pub constants: Constants,
    /// The resolved values of [`Regime::constant_names`].
    pub values: Vec<f64>,
    /// The curves; `None` for the interior (no closed form, no curve).
    pub curves: Option<LimitCurves>,
    /// The exact Taylor series in the face time.
    pub series: LimitSeries,
    /// The exact confirmation, when requested.
    pub confirm: Option<ConfirmReport>,
    /// With a covariance spectrum: the law and what it changed. The series is then evaluated
    /// at the law's exact moments (empty when the limit is not analytic at 0), and the
    /// confirmation compares the series with moments as variables.
    pub spectrum: Option<SpectrumOutcome>,
}

/// The face a classified spec lands on and its finite constants (from the spec's prefactors).
pub fn limit_target(c: &Classification) -> Result<(Regime, Constants), ReportError> {
    let regime = c.face;
    let mut k = Constants::default();
    for cst in &c.constants {
        k.set(cst.name, cst.value_f64)?;
    }
    Ok((regime, k))
}

/// Evaluate the limit of `regime` at `constants`: curves on `req.times` (none for the
/// interior, which has no closed form), the exact series to order `req.series`, and, with
/// `req.verify`, its exact confirmation against the hierarchy restricted to the face.
pub fn compute_limit(
    regime: Regime,
    constants: Constants,
    req: &LimitRequest,
) -> Result<LimitOutcome, ReportError> {
    let values = regime.resolve(&constants)?;
    if let Some(law) = &req.spectrum {
        return compute_limit_law(regime, constants, values, law, req);
    }
    let curves = match limit_curve_with(regime, &constants, &req.times, &req.curve) {
        Ok(c) => Some(c),
        Err(regimes::RegimeError::NoClosedForm { .. }) if regime == Regime::Proportional => None,
        Err(e) => return Err(e.into()),
    };
    let series = limit_series(regime, req.series)?;
    let confirm = if req.verify {
        let order = series.train.len() - 1;
        let tr = crate::expansion::leading_coefficients(order, Loss::Train)?;
        let pop = crate::expansion::leading_coefficients(order, Loss::Pop)?;
        Some(confirm(&series, &tr, &pop))
    } else {
        None
    };
    Ok(LimitOutcome {
        regime,
        constants,
        values,
        curves,
        series,
        confirm,
        spectrum: None,
    })
}

/// [`compute_limit`] with a covariance spectrum: curves by
/// [`regimes::spectral::limit_curve_law`] (none where no closed form exists, with the reason),
/// the series at the law's exact moments ([`regimes::spectral::limit_series_at_law`]; none where
/// the limit is not analytic), and `verify` on the series with moments. A face with no limit for
/// this law (heavy tail) is an error.
fn compute_limit_law(
    regime: Regime,
    constants: Constants,
    values: Vec<f64>,
    law: &crate::spec::SpectrumLaw,
    req: &LimitRequest,
) -> Result<LimitOutcome, ReportError> {
    use regimes::spectral as sp;
    let ctx = sp::LawContext::new(law)?;
    let ht = sp::heavy_tail(regime, law);
    let mut notes = Vec::new();
    let curves = match sp::limit_curve_law(regime, &constants, &ctx, &req.times, &req.curve) {
        Ok(c) => Some(c),
        Err(regimes::RegimeError::NoClosedForm { hint, .. }) => {
            notes.push(format!("no limit curve: {hint}"));
            None
        }
        Err(e) => return Err(e.into()),
    };
    let series = match sp::limit_series_at_law(regime, req.series, law) {
        Ok(s) => s,
        Err(regimes::RegimeError::NotAnalytic { reason, .. }) => {
            notes.push(format!("no exact series: {reason}"));
            LimitSeries {
                regime,
                constants: regime.constant_names(),
                train: Vec::new(),
                pop: Vec::new(),
            }
        }
        Err(e) => return Err(e.into()),
    };
    if !ht.analytic && !notes.iter().any(|n| n.contains("not analytic")) {
        notes.push(ht.reason.clone());
    }
    if !series.train.is_empty() {
        notes.push(
            "exact series: the face's law with moments (confirmed against the hierarchy with moments, THEORY 5.5) evaluated at the law's exact moments m_k (rationals for atoms)".into(),
        );
    }
    let confirm = if req.verify {
        let order = req.series;
        let with_m = sp::limit_series_law(regime, order)?;
        Some(sp::verify_law(&with_m)?)
    } else {
        None
    };
    Ok(LimitOutcome {
        regime,
        constants,
        values,
        curves,
        series,
        confirm,
        spectrum: Some(SpectrumOutcome {
            law: law.to_string(),
            notes,
        }),
    })
}

/// The limit of one face.
///
/// Schema: `{"constants": {name: value}, "corrections": [...], "exact_limit_curve", "face",
/// "face_dim", "formula": {"latex", "words"}, "label", "method", "normalization": {"pop",
/// "train"}, "notes": [...], "pop": LossCurve, "scaling", "series": SeriesReport, "spec",
/// "time_variable", "train": LossCurve, "verify"?, "spectrum"?: {"law", "notes"}}`.
#[derive(Clone, Debug, Serialize)]
pub struct LimitReport {
    /// Whether the limit curve is exact at these constants: a closed form or a numerically
    /// exact method (the small-data Jacobi chain has no closed form but is exact); false for
    /// the interior and the free face at finite alpha (simulation).
    pub exact_limit_curve: bool,
    /// The face's finite constants (q, r, c, y as they apply) and their values.
    pub constants: BTreeMap<String, f64>,
    /// Expected finite-size corrections.
    pub corrections: Vec<Correction>,
    /// Face name.
    pub face: String,
    /// Face dimension.
    pub face_dim: u32,
    /// The limiting law in words and in LaTeX.
    pub formula: Formula,
    /// Face label (F5, E4, V2, ...).
    pub label: String,
    /// How the curves were computed (null for the interior).
    pub method: Option<CurveMethod>,
    /// The face's normalization of each loss (time and loss exponents).
    pub normalization: LossPair<regimes::Normalization>,
    /// Remarks on the curves.
    pub notes: Vec<String>,
    /// The population curve.
    pub pop: LossCurve,
    /// The defining scaling in words.
    pub scaling: String,
    /// The exact series.
    pub series: SeriesReport,
    /// The classified spec (null with `--face`).
    pub spec: Option<String>,
    /// The face time variable, e.g. `T = t q r`.
    pub time_variable: String,
    /// The train curve.
    pub train: LossCurve,
    /// The exact confirmation (only with `--verify`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<VerifyReport>,
    /// The covariance spectrum and what it changed (only with `spectrum = LAW`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spectrum: Option<SpectrumOutcome>,
}

/// A value per loss.
#[derive(Clone, Debug, Serialize)]
pub struct LossPair<T> {
    /// Population loss.
    pub pop: T,
    /// Train loss.
    pub train: T,
}

/// The limiting law as text.
#[derive(Clone, Debug, Serialize)]
pub struct Formula {
    /// LaTeX.
    pub latex: String,
    /// Words.
    pub words: String,
}

/// One limiting curve: the quantity Q(T) at face times `t` (absent for the interior).
#[derive(Clone, Debug, Serialize)]
pub struct LossCurve {
    /// The normalized quantity, e.g. `(l_tr - l_tr(0)) / r`.
    pub quantity: String,
    /// Standard errors (numerical limits only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stderr: Option<Vec<f64>>,
    /// Face times T.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t: Option<Vec<f64>>,
    /// Q(T).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Vec<f64>>,
}

/// The exact Taylor series Q(T) = sum_s c_s T^s / s!.
#[derive(Clone, Debug, Serialize)]
pub struct SeriesReport {
    /// The convention, in words.
    pub convention: String,
    /// c_s of the population quantity (exact, in the chosen format).
    pub pop: Vec<String>,
    /// c_s evaluated at the constants.
    pub pop_values: Vec<f64>,
    /// c_s of the train quantity.
    pub train: Vec<String>,
    /// c_s evaluated at the constants.
    pub train_values: Vec<f64>,
    /// Variables of the coefficient polynomials (the face's constants).
    pub variables: Vec<String>,
    /// Where a quantity subtracts `l(0)`: the face part of `l(0)` over the loss scale that it
    /// subtracts (its c_0 is then 0), which is the s = 0 face sum that `verify` compares with
    /// the hierarchy; null for a quantity that does not subtract `l(0)`.
    pub subtracted_initial: LossPair<Option<String>>,
}

/// The exact confirmation of the series against the hierarchy.
#[derive(Clone, Debug, Serialize)]
pub struct VerifyReport {
    /// Whether every coefficient agrees.
    pub all_agree: bool,
    /// Every comparison.
    pub checks: Vec<OrderCheck>,
    /// Highest order compared.
    pub max_order: usize,
}

/// The `convention` text of [`SeriesReport`].
pub const SERIES_CONVENTION: &str = "Q(T) = sum_s c_s T^s / s!, T the face time, Q the labelled quantity (so c_0 = Q(0), which is 0 for a quantity that subtracts l(0); the face part of l(0) it subtracts is in subtracted_initial)";

/// The `notes` of the interior, which has no curve.
pub const NO_CLOSED_FORM_NOTE: &str = "no closed form is known: the exact leading series is the hierarchy itself; compare with simulation (prism simulate, prism check)";

/// The exact coefficients c_s of the labelled quantity of one loss
/// ([`LimitSeries::quantity_coeffs`]) as text in `fmt`.
pub fn series_strings(ls: &LimitSeries, loss: Loss, fmt: PolyFormat) -> Vec<String> {
    (0..ls.coeffs(loss).len())
        .map(|s| ls.format_quantity(loss, s, fmt))
        .collect()
}

/// The face part of `l(0)` (over the loss scale) that the quantity of `loss` subtracts, as text
/// in `fmt` ([`LimitSeries::initial_face_part`]).
pub fn subtracted_string(ls: &LimitSeries, loss: Loss, fmt: PolyFormat) -> Option<String> {
    ls.initial_face_part(loss).map(|p| p.format(fmt))
}

impl LimitReport {
    /// The report of an evaluated limit. `spec`: the classified spec text, if any.
    pub fn new(o: &LimitOutcome, spec: Option<String>, fmt: PolyFormat) -> Self {
        let regime = o.regime;
        let curves = o.curves.as_ref();
        let loss_curve = |loss: Loss| LossCurve {
            quantity: regime.quantity(loss),
            t: curves.map(|c| c.times.clone()),
            value: curves.map(|c| c.values(loss).to_vec()),
            stderr: curves.and_then(|c| match loss {
                Loss::Train => c.train_err.clone(),
                Loss::Pop => c.pop_err.clone(),
            }),
        };
        let ls = &o.series;
        let coeff_values = |loss: Loss| -> Vec<f64> {
            ls.quantity_coeffs(loss)
                .iter()
                .map(|p| p.eval_f64(&o.values))
                .collect()
        };
        LimitReport {
            exact_limit_curve: if o.spectrum.is_some() {
                curves.is_some_and(|c| c.train_err.is_none())
            } else {
                regime.has_closed_form(o.constants.y)
            },
            spectrum: o.spectrum.clone(),
            constants: regime
                .constant_names()
                .iter()
                .zip(&o.values)
                .map(|(n, v)| (n.to_string(), *v))
                .collect(),
            corrections: regime.corrections(),
            face: regime.name().to_string(),
            face_dim: regime.dim(),
            formula: {
                // With a spectrum, the face's formula in terms of the law where it has one.
                let (words, latex) = o
                    .spectrum
                    .as_ref()
                    .and_then(|_| text::formula_law(regime))
                    .unwrap_or((text::formula_words(regime), text::formula_latex(regime)));
                Formula {
                    latex: latex.to_string(),
                    words: words.to_string(),
                }
            },
            label: regime.label().to_string(),
            method: curves.map(|c| c.method.clone()),
            normalization: LossPair {
                pop: regime.normalization(Loss::Pop),
                train: regime.normalization(Loss::Train),
            },
            notes: match (curves, &o.spectrum) {
                (Some(c), _) => c.notes.clone(),
                (None, Some(sp)) => sp.notes.clone(),
                (None, None) => vec![NO_CLOSED_FORM_NOTE.to_string()],
            },
            pop: loss_curve(Loss::Pop),
            scaling: text::scaling(regime).to_string(),
            series: SeriesReport {
                convention: SERIES_CONVENTION.to_string(),
                pop: series_strings(ls, Loss::Pop, fmt),
                pop_values: coeff_values(Loss::Pop),
                train: series_strings(ls, Loss::Train, fmt),
                train_values: coeff_values(Loss::Train),
                variables: ls.constants.iter().map(|s| s.to_string()).collect(),
                subtracted_initial: LossPair {
                    pop: subtracted_string(ls, Loss::Pop, fmt),
                    train: subtracted_string(ls, Loss::Train, fmt),
                },
            },
            spec,
            time_variable: regime.time_variable(),
            train: loss_curve(Loss::Train),
            verify: o.confirm.as_ref().map(|rep| VerifyReport {
                all_agree: rep.all_agree(),
                checks: rep.checks.clone(),
                max_order: rep.max_order,
            }),
        }
    }
}
