//! User claims files: a spec followed by `expect ...` lines (grammar/spec.ebnf), each checked.
//!
//! * `expect face = F`, `expect face_dim = D`, `expect time_exponent = X` (and the two loss
//!   exponents): exact comparison with the classification.
//! * `expect series train order s = "..."`: the claimed polynomial (in the face's constants)
//!   is parsed and compared exactly with the face's limit series coefficient c_s (for the
//!   interior, with the leading hierarchy coefficient in r, q, y).
//! * `expect limit agrees|disagrees`: runs `prism check` and compares the verdict.
//! * `expect formula = F`: runs `prism check` against face F's law; true when it agrees.

use super::run::{check, CheckOptions};
use super::verdict::Verdict;
use crate::poly::Poly;
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
    /// What was found.
    pub detail: String,
}

/// Errors that stop checking (a bad file), as opposed to false claims.
#[derive(Debug, thiserror::Error)]
pub enum ClaimsFileError {
    /// The file is not a valid spec or a claim is malformed.
    #[error("{0}")]
    Spec(#[from] SpecError),
    /// The file has no claims.
    #[error("the file contains no `expect` lines; add claims such as `expect face = mean-field`")]
    NoClaims,
    /// Classification failed.
    #[error(transparent)]
    Classify(#[from] crate::polytope::ClassifyError),
}

/// Check every claim of a claims file. Slow claims (`limit`, `formula`) run `prism check`
/// with `opts`; `progress` gets one line per stage.
pub fn check_claims(
    src: &str,
    prism: &FittedPrism,
    opts: &CheckOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Vec<ClaimOutcome>, ClaimsFileError> {
    let spec = Spec::parse(src)?;
    if spec.claims.is_empty() {
        return Err(ClaimsFileError::NoClaims);
    }
    let cls = classify(&spec, prism)?;
    let mut out = Vec::new();
    for (claim, (a, b)) in &spec.claims {
        let pos = SpecError::at(src, *a, b - a, SpecErrorKind::Syntax, "", "");
        let text = src[*a..*b].trim().to_string();
        let (holds, detail) = match claim {
            Claim::Face(f) => (cls.face == *f, format!("the spec selects {}", cls.face)),
            Claim::FaceDim(d) => (
                cls.face_dim as u32 == *d,
                format!("the face has dimension {}", cls.face_dim),
            ),
            Claim::Exponent(which, v) => {
                let got = match which {
                    ExponentClaim::Time => &cls.exact.time_exponent,
                    ExponentClaim::TrainLoss => &cls.exact.train_loss_exponent,
                    ExponentClaim::PopLoss => &cls.exact.pop_loss_exponent,
                };
                (got == v, format!("computed {got}"))
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
                        (r.verdict == want, format!("verdict {}", r.verdict.as_str()))
                    }
                    Err(e) => (false, format!("the check could not run: {e}")),
                }
            }
            Claim::Formula(face) => {
                progress(&format!(
                    "line {}: checking the {face} law against simulation",
                    pos.line
                ));
                {
                    {
                        let o = CheckOptions {
                            formula: Some(*face),
                            ..opts.clone()
                        };
                        match check(&spec, prism, &o, progress) {
                            Ok(r) => (
                                r.verdict == Verdict::Agrees,
                                format!(
                                    "verdict {} (the spec's own face is {}): {}",
                                    r.verdict.as_str(),
                                    cls.face,
                                    r.losses
                                        .iter()
                                        .map(|l| format!("{} {}", l.loss.name(), l.l2.reason))
                                        .collect::<Vec<_>>()
                                        .join("; ")
                                ),
                            ),
                            Err(e) => (false, format!("the check could not run: {e}")),
                        }
                    }
                }
            }
        };
        out.push(ClaimOutcome {
            line: pos.line,
            col: pos.col,
            text,
            holds,
            detail,
        });
    }
    Ok(out)
}

fn series_claim(
    face: Regime,
    loss: &str,
    order: usize,
    text: &str,
    pos: &SpecError,
) -> (bool, String) {
    let loss = if loss == "train" {
        Loss::Train
    } else {
        Loss::Pop
    };
    let (names, actual): (Vec<&str>, Result<Poly, String>) = match face {
        Regime::Proportional => (
            vec!["r", "q", "y"],
            crate::expansion::leading_coefficients(order, loss)
                .map(|v| v[order].clone())
                .map_err(|e| e.to_string()),
        ),
        regime => match regimes::limit_series(regime, order) {
            Ok(s) => (s.constants.clone(), Ok(s.coeffs(loss)[order].clone())),
            Err(e) => (Vec::new(), Err(e.to_string())),
        },
    };
    let actual = match actual {
        Ok(a) => a,
        Err(e) => return (false, format!("the series is not available: {e}")),
    };
    match Poly::parse(text, &names) {
        Err(e) => (
            false,
            format!("line {}: cannot read the claimed polynomial: {e}", pos.line),
        ),
        Ok(claimed) => {
            let fmt = actual.format(&names, crate::poly::PolyFormat::Text);
            (
                claimed == actual,
                format!("c_{order} = {fmt} (variables {})", names.join(", ")),
            )
        }
    }
}
