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
use nom::branch::alt;
use nom::bytes::complete::{tag, take_while1};
use nom::character::complete::{char, digit1, multispace0};
use nom::combinator::opt;
use nom::{IResult, Parser};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::One;

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

fn ws(i: &str) -> IResult<&str, &str> {
    multispace0(i)
}

fn coefficient(i: &str) -> IResult<&str, BigRational> {
    let (i, int) = digit1(i)?;
    let (i, frac) = opt((char('.'), digit1)).parse(i)?;
    let mut x = BigRational::from_integer(int.parse::<BigInt>().unwrap_or_default());
    if let Some((_, f)) = frac {
        let num: BigInt = format!("{int}{f}").parse().unwrap_or_default();
        x = BigRational::new(num, num_traits::pow(BigInt::from(10), f.len()));
    }
    let (i, den) = opt((ws, char('/'), ws, digit1)).parse(i)?;
    if let Some((_, _, _, d)) = den {
        let d: BigInt = d.parse().unwrap_or_default();
        if d == BigInt::from(0) {
            return Err(nom::Err::Failure(nom::error::Error::new(
                i,
                nom::error::ErrorKind::Verify,
            )));
        }
        x /= BigRational::from_integer(d);
    }
    Ok((i, x))
}

/// Parse a polynomial such as `-4*q*r + 3/2 q^2 - y` in the given variables (exact).
pub fn parse_poly(text: &str, names: &[&str]) -> Result<Poly, String> {
    let nv = names.len();
    let factor = |i| -> IResult<&str, Poly> {
        let (i, _) = ws(i)?;
        if let Ok((i, c)) = coefficient(i) {
            return Ok((i, Poly::constant(nv, c)));
        }
        let (i, name) = take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_').parse(i)?;
        let Some(k) = names.iter().position(|n| *n == name) else {
            return Err(nom::Err::Failure(nom::error::Error::new(
                i,
                nom::error::ErrorKind::Tag,
            )));
        };
        let (i, pow) = opt((ws, alt((tag("**"), tag("^"))), ws, digit1)).parse(i)?;
        let e: u32 = pow.map_or(1, |(_, _, _, d)| d.parse().unwrap_or(1));
        Ok((i, Poly::var(nv, k).pow(e)))
    };
    let term = |i| -> IResult<&str, Poly> {
        let (mut i, mut acc) = factor(i)?;
        loop {
            let (j, _) = ws(i)?;
            let (j, star) = opt(char('*')).parse(j)?;
            match factor(j) {
                Ok((k, f)) => {
                    acc = acc.mul(&f);
                    i = k;
                }
                Err(_) if star.is_some() => {
                    return Err(nom::Err::Failure(nom::error::Error::new(
                        j,
                        nom::error::ErrorKind::Tag,
                    )))
                }
                Err(_) => return Ok((i, acc)),
            }
        }
    };
    let mut i = text.trim();
    let mut total = Poly::zero(nv);
    let mut first = true;
    while !i.is_empty() {
        let (j, _) = ws(i).map_err(|e| e.to_string())?;
        let (j, sign) = opt(alt((char('+'), char('-'))))
            .parse(j)
            .map_err(|e: nom::Err<nom::error::Error<&str>>| e.to_string())?;
        if sign.is_none() && !first {
            return Err(format!("expected `+` or `-` before `{j}`"));
        }
        let (j, t) = term(j).map_err(|_| {
            format!(
                "cannot read a term at `{}`; use numbers and the variables {}",
                j.chars().take(12).collect::<String>(),
                names.join(", ")
            )
        })?;
        let t = if sign == Some('-') {
            t.scale(&-BigRational::one())
        } else {
            t
        };
        total.add_assign(&t);
        first = false;
        i = j.trim_start();
    }
    if first {
        return Err("empty polynomial".into());
    }
    Ok(total)
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
    match parse_poly(text, &names) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::frac;

    #[test]
    fn polynomials_parse_exactly() {
        let p = parse_poly("-4*q*r + 3/2 q^2 - y + 0.25", &["q", "r", "y"]).unwrap();
        assert_eq!(p.coeff(&[1, 1, 0]), frac(-4, 1));
        assert_eq!(p.coeff(&[2, 0, 0]), frac(3, 2));
        assert_eq!(p.coeff(&[0, 0, 1]), frac(-1, 1));
        assert_eq!(p.coeff(&[0, 0, 0]), frac(1, 4));
        assert_eq!(
            parse_poly("q**2*r", &["q", "r"]).unwrap(),
            parse_poly("r q^2", &["q", "r"]).unwrap()
        );
        assert!(parse_poly("4*z", &["q"]).is_err());
        assert!(parse_poly("4 q q", &["q"]).is_ok());
        assert!(parse_poly("", &["q"]).is_err());
        assert!(parse_poly("1/0", &["q"]).is_err());
    }
}
