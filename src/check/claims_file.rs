//! User claims files: a spec followed by `expect ...` lines (grammar/spec.ebnf), each checked.
//!
//! * `expect face = F`, `expect face_dim = D`, `expect time_exponent = X` (and the two loss
//!   exponents): exact comparison with the classification.
//! * `expect series train order s = "..."`: the claimed polynomial (in the face's constants)
//!   is parsed and compared exactly with the face's limit series coefficient c_s of the
//!   labelled quantity, as `prism limit` prints it (c_0 = 0 where the quantity subtracts l(0);
//!   for the interior, with the leading hierarchy coefficient in r, q, y).
//! * `expect limit agrees|disagrees`: runs `prism check` and compares the verdict.
//! * `expect formula = F`: runs `prism check` against face F's law; true when it agrees.
//! * `expect limit agrees|disagrees with spectrum = LAW`: runs `prism check` with the reference
//!   computed for the covariance spectrum LAW (the simulations keep the spec's `spectrum =`):
//!   `expect limit disagrees with spectrum = identity` is the negative control that the isotropic
//!   law is rejected on anisotropic data.
//!
//! A `spectrum = LAW` statement makes the spec's data anisotropic (THEORY 9); `file("...")`
//! laws, in the statement or a claim, are read relative to the claims file's directory
//! ([`check_claims_in`]).

use super::run::{check, CheckOptions};
use super::verdict::Verdict;
use crate::poly::{Poly, Vars};
use crate::polytope::{classify, FittedPrism, Loss};
use crate::regimes::{self, Regime};
use crate::spec::{Claim, ExponentClaim, Spec, SpecError, SpecErrorKind};

/// The outcome of one claim.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ClaimOutcome {
    /// 1-based line of the claim.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// The claim as written.
    pub text: String,
    /// True when the claim holds.
    pub holds: bool,
    /// True, false, or could not be checked (`holds` is false then, but the claim is not
    /// false: e.g. the convergence check was refused or the series is beyond reach).
    pub status: ClaimStatus,
    /// What was found.
    pub detail: String,
}

/// What checking one claim found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimStatus {
    /// The claim holds.
    True,
    /// The claim is false.
    False,
    /// The claim could not be checked (never reported as false).
    Unchecked,
}

pub use crate::poly::{MAX_POLY_DIGITS, MAX_POLY_POWER};

/// Errors that stop checking (a bad file), as opposed to false claims.
#[derive(Debug, thiserror::Error)]
pub enum ClaimsFileError {
    /// The file is not a valid spec or a claim is malformed.
    #[error("{0}")]
    Spec(#[from] SpecError),
    /// A claim is malformed (checked for every claim before any of them runs).
    #[error("line {line}, column {col}: {message}")]
    Malformed {
        /// 1-based line of the claim.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What is wrong, with a hint.
        message: String,
    },
    /// The file has no claims.
    #[error("the file contains no `expect` lines; add claims such as `expect face = mean-field`")]
    NoClaims,
    /// Classification failed.
    #[error(transparent)]
    Classify(#[from] crate::polytope::ClassifyError),
    /// A `file("...")` spectral law could not be read.
    #[error("{0}; {hint}", hint = .0.hint())]
    Spectrum(#[from] crate::spec::SpectrumError),
}

/// Check every claim of a claims file. Slow claims (`limit`, `formula`) run `prism check`
/// with `opts`; `progress` gets one line per stage.
pub fn check_claims(
    src: &str,
    prism: &FittedPrism,
    opts: &CheckOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Vec<ClaimOutcome>, ClaimsFileError> {
    check_claims_in(src, None, prism, opts, progress)
}

/// [`check_claims`] with `file("...")` laws read relative to `base` (the claims file's
/// directory; `None`: the working directory).
pub fn check_claims_in(
    src: &str,
    base: Option<&std::path::Path>,
    prism: &FittedPrism,
    opts: &CheckOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Vec<ClaimOutcome>, ClaimsFileError> {
    // Spans are byte offsets into the text the parser saw: drop a byte-order mark first.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut spec = Spec::parse(src)?;
    spec.spectrum = crate::spec::resolve_spectrum(spec.spectrum, base)?;
    if spec.claims.is_empty() {
        return Err(ClaimsFileError::NoClaims);
    }
    let cls = classify(&spec, prism)?;
    validate(src, &spec, cls.face)?;
    let mut out = Vec::new();
    for (claim, (a, b)) in &spec.claims {
        let pos = SpecError::at(src, *a, b - a, SpecErrorKind::Syntax, "", "");
        let text = src[*a..*b].trim().to_string();
        let holds = match claim {
            Claim::Face(f) => checked(cls.face == *f, format!("the spec selects {}", cls.face)),
            Claim::FaceDim(d) => checked(
                cls.face_dim as u32 == *d,
                format!("the face has dimension {}", cls.face_dim),
            ),
            Claim::Exponent(which, v) => {
                let got = match which {
                    ExponentClaim::Time => &cls.exact.time_exponent,
                    ExponentClaim::TrainLoss => &cls.exact.train_loss_exponent,
                    ExponentClaim::PopLoss => &cls.exact.pop_loss_exponent,
                };
                checked(got == v, format!("computed {got}"))
            }
            Claim::Series {
                loss,
                order,
                text: poly,
            } => series_claim(cls.face, loss, *order as usize, poly, &pos),
            Claim::Limit(agrees) => {
                progress(&format!("line {}: running the convergence check", pos.line));
                match check(&spec, prism, opts, progress) {
                    Ok(r) => {
                        let want = if *agrees {
                            Verdict::Agrees
                        } else {
                            Verdict::Disagrees
                        };
                        checked(r.verdict == want, format!("verdict {}", r.verdict.as_str()))
                    }
                    Err(e) => unchecked(format!("the check could not run: {e}")),
                }
            }
            Claim::LimitWith {
                agrees,
                law,
                law_at,
            } => {
                progress(&format!(
                    "line {}: running the convergence check with the reference's spectrum {}",
                    pos.line,
                    &src[law_at.0..law_at.1]
                ));
                let law = crate::spec::claim_law(src, law, *law_at)
                    .map_err(ClaimsFileError::Spec)
                    .and_then(|l| Ok(crate::spec::resolve_spectrum(l, base)?));
                match law {
                    Err(e) => unchecked(format!("the law cannot be used: {e}")),
                    Ok(law) => {
                        let o = CheckOptions {
                            limit_spectrum: Some(law),
                            ..opts.clone()
                        };
                        match check(&spec, prism, &o, progress) {
                            Ok(r) => {
                                let want = if *agrees {
                                    Verdict::Agrees
                                } else {
                                    Verdict::Disagrees
                                };
                                checked(
                                    r.verdict == want,
                                    format!(
                                        "verdict {} (data {}, reference {}): {}",
                                        r.verdict.as_str(),
                                        r.spectrum.as_deref().unwrap_or("identity"),
                                        r.limit_spectrum.as_deref().unwrap_or("identity"),
                                        loss_reasons(&r)
                                    ),
                                )
                            }
                            Err(e) => unchecked(format!("the check could not run: {e}")),
                        }
                    }
                }
            }
            Claim::Formula(face) => {
                progress(&format!(
                    "line {}: checking the {face} law against simulation",
                    pos.line
                ));
                let o = CheckOptions {
                    formula: Some(*face),
                    ..opts.clone()
                };
                match check(&spec, prism, &o, progress) {
                    Ok(r) => checked(
                        r.verdict == Verdict::Agrees,
                        format!(
                            "verdict {} (the spec's own face is {}): {}",
                            r.verdict.as_str(),
                            cls.face,
                            loss_reasons(&r)
                        ),
                    ),
                    Err(e) => unchecked(format!("the check could not run: {e}")),
                }
            }
        };
        let (status, detail) = holds;
        out.push(ClaimOutcome {
            line: pos.line,
            col: pos.col,
            text,
            holds: status == ClaimStatus::True,
            status,
            detail,
        });
    }
    Ok(out)
}

fn checked(holds: bool, detail: String) -> (ClaimStatus, String) {
    (
        if holds {
            ClaimStatus::True
        } else {
            ClaimStatus::False
        },
        detail,
    )
}

/// Each loss's L2 verdict reason, `train <reason>; pop <reason>`, for a claim's detail.
fn loss_reasons(r: &super::run::CheckReport) -> String {
    r.losses
        .iter()
        .map(|l| format!("{} {}", l.loss.name(), l.l2.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

fn unchecked(detail: String) -> (ClaimStatus, String) {
    (ClaimStatus::Unchecked, detail)
}

/// The variables of the series claims on `face`: the face's constants (r, q, y for the
/// interior, whose series is the leading hierarchy).
pub fn series_variables(face: Regime) -> Result<Vars, String> {
    match face {
        Regime::Proportional => Ok(crate::expansion::leading_vars()),
        regime => regimes::limit_series(regime, 0)
            .map(|_| regimes::face_vars(regime))
            .map_err(|e| e.to_string()),
    }
}

/// Every claim is well formed (claimed polynomials parse in the face's variables), before any
/// slow claim runs: a malformed claim is an error of the file, never a false claim.
pub fn validate(src: &str, spec: &Spec, face: Regime) -> Result<(), ClaimsFileError> {
    for (claim, (a, b)) in &spec.claims {
        if let Claim::Series { text, .. } = claim {
            let pos = SpecError::at(src, *a, b - a, SpecErrorKind::Syntax, "", "");
            let names = series_variables(face).map_err(|e| ClaimsFileError::Malformed {
                line: pos.line,
                col: pos.col,
                message: e,
            })?;
            if let Err(e) = Poly::parse(text, &names) {
                return Err(ClaimsFileError::Malformed {
                    line: pos.line,
                    col: pos.col,
                    message: format!(
                        "cannot read the claimed polynomial \"{}\" (face {face}, variables {}): {e}",
                        crate::spec::elide(text, 60),
                        if names.is_empty() { "none".to_string() } else { names.to_string() }
                    ),
                });
            }
        }
    }
    Ok(())
}

fn series_claim(
    face: Regime,
    loss: &str,
    order: usize,
    text: &str,
    pos: &SpecError,
) -> (ClaimStatus, String) {
    let loss = if loss == "train" {
        Loss::Train
    } else {
        Loss::Pop
    };
    let actual: Result<Poly, String> = match face {
        Regime::Proportional => crate::expansion::leading_coefficients(order, loss)
            .map(|v| v[order].clone())
            .map_err(|e| e.to_string()),
        regime => regimes::limit_series(regime, order)
            .map(|s| s.quantity_coeffs(loss)[order].clone())
            .map_err(|e| e.to_string()),
    };
    let actual = match actual {
        Ok(a) => a,
        Err(e) => return unchecked(format!("the series is not available: {e}")),
    };
    // The claim is read in the variables of the computed coefficient, and compared by name.
    match Poly::parse(text, actual.vars()) {
        Err(e) => unchecked(format!(
            "line {}: cannot read the claimed polynomial: {e}",
            pos.line
        )),
        Ok(claimed) => {
            let fmt = actual.format(crate::poly::PolyFormat::Text);
            checked(
                claimed == actual,
                format!("c_{order} = {fmt} (variables {})", actual.vars()),
            )
        }
    }
}
