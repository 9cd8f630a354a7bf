//! Scaling specifications: how p, H, sigma2 and N grow with a large number n.
//!
//! A spec assigns each parameter `c * n^a` with exact rational c > 0 and a (see
//! `grammar/spec.ebnf`). `sigma = c n^a` means `sigma2 = c^2 n^(2a)`. N defaults to infinity
//! (no finite training set). An optional `t` is a time scale.

mod error;
mod instance;
mod parse;

pub use error::{SpecError, SpecErrorKind};
pub use instance::{round_dimension, Instance, InstanceError, MAX_DIMENSION};
pub use parse::{Claim, ExponentClaim, ParamName, RawValue, Statement};

use num_rational::BigRational;
use num_traits::{Signed, Zero};

/// One scaled parameter `prefactor * n^exponent`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scaled {
    /// The positive prefactor c.
    pub prefactor: BigRational,
    /// The exponent a of n.
    pub exponent: BigRational,
}

impl Scaled {
    /// `c * n^a` evaluated at a concrete n (floating point, for simulations).
    pub fn at(&self, n: f64) -> f64 {
        crate::poly::rat_to_f64(&self.prefactor) * n.powf(crate::poly::rat_to_f64(&self.exponent))
    }
}

/// The training-set size: finite and scaled, or infinite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataSize {
    /// N = c n^a.
    Finite(Scaled),
    /// N = infinity: S = I, and only the l = 0 layer of the hierarchy survives.
    Infinite,
}

/// A parsed and checked scaling specification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// Input dimension p = c n^a, a > 0.
    pub p: Scaled,
    /// Latent dimension H = c n^a, a >= 0.
    pub h: Scaled,
    /// Initialization variance sigma2 = c n^a (converted from sigma if given that way).
    pub sigma2: Scaled,
    /// True when the spec gave `sigma` rather than `sigma2`.
    pub sigma_given: bool,
    /// Training-set size.
    pub n_data: DataSize,
    /// True when N was not given and defaulted to infinity.
    pub n_defaulted: bool,
    /// Optional time scale t = c n^a.
    pub t: Option<Scaled>,
    /// Claims (`expect ...`) in source order, with their byte spans.
    pub claims: Vec<(Claim, (usize, usize))>,
}

impl Spec {
    /// Parse and check a spec. Errors carry line, column, the offending text and a hint.
    pub fn parse(src: &str) -> Result<Spec, SpecError> {
        let stmts = parse::statements(src)?;
        Spec::from_statements(src, &stmts)
    }

    /// Check the semantics of parsed statements.
    pub fn from_statements(src: &str, stmts: &[Statement]) -> Result<Spec, SpecError> {
        let mut seen: Vec<(ParamName, usize)> = Vec::new();
        let mut p = None;
        let mut h = None;
        let mut sigma2 = None;
        let mut sigma_given = false;
        let mut n_data = None;
        let mut t = None;
        let mut claims = Vec::new();
        for st in stmts {
            let (param, param_at, value, value_at) = match st {
                Statement::Expect { claim, span } => {
                    claims.push((claim.clone(), *span));
                    continue;
                }
                Statement::Assign {
                    param,
                    param_at,
                    value,
                    value_at,
                } => (*param, *param_at, value, *value_at),
            };
            let vlen = value_at.1 - value_at.0;
            let range_err = |msg: &str, hint: &str| {
                SpecError::at(src, value_at.0, vlen, SpecErrorKind::Range, msg, hint)
            };
            // Duplicates (sigma and sigma2 count as one parameter).
            let key = |x: ParamName| match x {
                ParamName::Sigma => ParamName::Sigma2,
                other => other,
            };
            if let Some((prev, prev_at)) = seen.iter().find(|(q, _)| key(*q) == key(param)) {
                let (line, _) = line_col(src, *prev_at);
                let msg = if *prev != param {
                    "both `sigma` and `sigma2` are given".to_string()
                } else {
                    format!("`{}` is given twice", param.as_str())
                };
                return Err(SpecError::at(
                    src,
                    param_at,
                    param.as_str().len(),
                    SpecErrorKind::Duplicate,
                    msg,
                    format!(
                        "`{}` was already set on line {line}; keep one (sigma = c n^a means sigma2 = c^2 n^(2a))",
                        prev.as_str()
                    ),
                ));
            }
            seen.push((param, param_at));
            let scaled = match value {
                RawValue::Inf => {
                    if param == ParamName::N {
                        n_data = Some(DataSize::Infinite);
                        continue;
                    }
                    return Err(range_err(
                        &format!("`{}` cannot be infinite", param.as_str()),
                        "only N may be `inf` (no finite training set)",
                    ));
                }
                RawValue::Power {
                    prefactor,
                    exponent,
                } => {
                    if !prefactor.is_positive() {
                        return Err(range_err(
                            "the prefactor must be positive",
                            "use a positive constant, like 0.5 n",
                        ));
                    }
                    Scaled {
                        prefactor: prefactor.clone(),
                        exponent: exponent.clone(),
                    }
                }
            };
            match param {
                ParamName::P => {
                    if !scaled.exponent.is_positive() {
                        return Err(range_err(
                            "p must grow with n (its exponent must be > 0)",
                            "the limits take p -> infinity; write for example `p = n`",
                        ));
                    }
                    p = Some(scaled);
                }
                ParamName::H | ParamName::N => {
                    if scaled.exponent.is_negative() {
                        return Err(range_err(
                            &format!(
                                "{} must not shrink (its exponent must be >= 0)",
                                param.as_str()
                            ),
                            "use an exponent >= 0, e.g. a constant `H = 4` or `N = 2 n`",
                        ));
                    }
                    if param == ParamName::H {
                        h = Some(scaled);
                    } else {
                        n_data = Some(DataSize::Finite(scaled));
                    }
                }
                ParamName::Sigma2 => sigma2 = Some(scaled),
                ParamName::Sigma => {
                    sigma_given = true;
                    sigma2 = Some(Scaled {
                        prefactor: &scaled.prefactor * &scaled.prefactor,
                        exponent: &scaled.exponent * BigRational::from_integer(2.into()),
                    });
                }
                ParamName::T => t = Some(scaled),
            }
        }
        let missing = |name: &str, example: &str| {
            SpecError::at(
                src,
                src.trim_end().len(),
                0,
                SpecErrorKind::Missing,
                format!("`{name}` is required but not given"),
                format!("add a line such as `{example}`"),
            )
        };
        let p = p.ok_or_else(|| missing("p", "p = n"))?;
        let h = h.ok_or_else(|| missing("H", "H = 0.5 n"))?;
        let sigma2 =
            sigma2.ok_or_else(|| missing("sigma2", "sigma2 = n^-1 (or sigma = n^(-1/2))"))?;
        let n_defaulted = n_data.is_none();
        Ok(Spec {
            p,
            h,
            sigma2,
            sigma_given,
            n_data: n_data.unwrap_or(DataSize::Infinite),
            n_defaulted,
            t,
            claims,
        })
    }

    /// The exponent of N, or None for N = infinity.
    pub fn n_exponent(&self) -> Option<&BigRational> {
        match &self.n_data {
            DataSize::Finite(s) => Some(&s.exponent),
            DataSize::Infinite => None,
        }
    }

    /// A one-line canonical rendering: `p = n; H = 1/2 n^(1/2); sigma2 = 2 n^-1; N = inf`.
    pub fn canonical(&self) -> String {
        let mut parts = vec![
            format!("p = {}", render(&self.p)),
            format!("H = {}", render(&self.h)),
            format!("sigma2 = {}", render(&self.sigma2)),
            match &self.n_data {
                DataSize::Finite(s) => format!("N = {}", render(s)),
                DataSize::Infinite => "N = inf".to_string(),
            },
        ];
        if let Some(t) = &self.t {
            parts.push(format!("t = {}", render(t)));
        }
        parts.join("; ")
    }
}

/// Render `c n^a` compactly with exact rationals.
pub fn render(s: &Scaled) -> String {
    let c = &s.prefactor;
    let a = &s.exponent;
    let one = BigRational::from_integer(1.into());
    let pow = if a.is_zero() {
        String::new()
    } else if *a == one {
        "n".to_string()
    } else if a.is_integer() {
        format!("n^{a}")
    } else {
        format!("n^({a})")
    };
    match (c == &one, pow.is_empty()) {
        (_, true) => c.to_string(),
        (true, false) => pow,
        (false, false) => format!("{c} {pow}"),
    }
}

fn line_col(src: &str, at: usize) -> (usize, usize) {
    let e = SpecError::at(src, at, 0, SpecErrorKind::Syntax, "", "");
    (e.line, e.col)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::frac;

    #[test]
    fn parses_the_issue_examples() {
        let s = Spec::parse("p = n; H = 0.5 n^(1/2); sigma2 = 2*n^-1; N = inf").unwrap();
        assert_eq!(s.h.prefactor, frac(1, 2));
        assert_eq!(s.h.exponent, frac(1, 2));
        assert_eq!(s.sigma2.exponent, frac(-1, 1));
        assert!(!s.n_defaulted);
        let s = Spec::parse("p = n; H = n; sigma = n^(-3/4)").unwrap();
        assert_eq!(s.sigma2.exponent, frac(-3, 2));
        assert!(s.sigma_given && s.n_defaulted);
        assert_eq!(s.canonical(), "p = n; H = n; sigma2 = n^(-3/2); N = inf");
        let s = Spec::parse("p = n\nH = 4\nsigma = 3 n^(-1/2)\nN = 2n").unwrap();
        assert_eq!(s.sigma2.prefactor, frac(9, 1));
    }

    #[test]
    fn semantic_errors() {
        let e = Spec::parse("p = 1; H = n; sigma2 = 1").unwrap_err();
        assert_eq!(
            (e.kind.clone(), e.line, e.col),
            (SpecErrorKind::Range, 1, 5)
        );
        let e = Spec::parse("p = n\nH = n^-1\nsigma2 = 1").unwrap_err();
        assert_eq!((e.line, e.col), (2, 5));
        let e = Spec::parse("p = n; H = n; sigma2 = 1; sigma = 1").unwrap_err();
        assert_eq!(e.kind, SpecErrorKind::Duplicate);
        let e = Spec::parse("p = n; p = n^2; H = 1; sigma2 = 1").unwrap_err();
        assert_eq!((e.kind.clone(), e.col), (SpecErrorKind::Duplicate, 8));
        let e = Spec::parse("p = n; H = n").unwrap_err();
        assert_eq!(e.kind, SpecErrorKind::Missing);
        assert!(e.message.contains("sigma2"));
        let e = Spec::parse("p = n; H = inf; sigma2 = 1").unwrap_err();
        assert_eq!(e.kind, SpecErrorKind::Range);
        let e = Spec::parse("p = n; H = 0 n; sigma2 = 1").unwrap_err();
        assert!(e.message.contains("positive"));
        let e = Spec::parse("p = n; H = 1; sigma2 = 1; N = n^(-1/2)").unwrap_err();
        assert!(e.to_string().contains("hint"));
    }
}
