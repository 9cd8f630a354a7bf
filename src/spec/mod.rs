//! Scaling specifications: how p, H, sigma2 and N grow with a large number n.
//!
//! A spec assigns each parameter `c * n^a` with exact rational c > 0 and a (see
//! `grammar/spec.ebnf`). `sigma = c n^a` means `sigma2 = c^2 n^(2a)`. N defaults to infinity
//! (no finite training set). An optional `t` is a time scale.

mod error;
mod instance;
mod parse;
mod source;
pub mod spectrum;

pub use error::{elide, SpecError, SpecErrorKind};
pub use instance::{round_dimension, Instance, InstanceError, MAX_DIMENSION};
pub use parse::{Claim, ExponentClaim, ParamName, PosNum, RawSpectrum, RawValue, Statement};
pub use source::{
    read_bounded, read_eigenvalue_file, read_law, read_source, resolve_spectrum, strip_bom,
    InputError, Source, SourceError, MAX_INPUT_BYTES,
};
pub use spectrum::{Moment, SpectrumError, SpectrumLaw};

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
    /// The spectral law of the data covariance (`spectrum = LAW`; [`SpectrumLaw::Identity`]
    /// when not given). A `file("...")` law is left unread ([`SpectrumLaw::File`]): the caller
    /// reads it with [`SpectrumLaw::resolve`].
    pub spectrum: SpectrumLaw,
}

impl Spec {
    /// Parse and check a spec. Errors carry line, column, the offending text and a hint.
    pub fn parse(src: &str) -> Result<Spec, SpecError> {
        // A UTF-8 byte-order mark (as some editors write) is not part of the spec.
        let src = src.strip_prefix('\u{feff}').unwrap_or(src);
        let stmts = parse::statements(src)?;
        Spec::from_statements(src, &stmts)
    }

    /// Check the semantics of parsed statements.
    pub fn from_statements(src: &str, stmts: &[Statement]) -> Result<Spec, SpecError> {
        let part = PartialSpec::from_statements(src, stmts)?;
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
        let p = part.p.ok_or_else(|| missing("p", "p = n"))?;
        let h = part.h.ok_or_else(|| missing("H", "H = 0.5 n"))?;
        let sigma2 = part
            .sigma2
            .ok_or_else(|| missing("sigma2", "sigma2 = n^-1 (or sigma = n^(-1/2))"))?;
        let n_defaulted = part.n_data.is_none();
        Ok(Spec {
            p,
            h,
            sigma2,
            sigma_given: part.sigma_given,
            n_data: part.n_data.unwrap_or(DataSize::Infinite),
            n_defaulted,
            t: part.t,
            claims: part.claims,
            spectrum: part.spectrum.map_or(SpectrumLaw::Identity, |s| s.0),
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
        if self.spectrum != SpectrumLaw::Identity {
            parts.push(format!("spectrum = {}", self.spectrum));
        }
        parts.join("; ")
    }
}

/// Which exponents a parameter admits (THEORY section 4): p must grow (a_p > 0), H and N must
/// not shrink (a_H >= 0, a_N >= 0), sigma2 (or sigma) and t may scale either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExponentRange {
    /// Any rational exponent.
    Any,
    /// a >= 0: the quantity must not shrink.
    NonNegative,
    /// a > 0: the quantity must grow.
    Positive,
}

impl ExponentRange {
    /// The range of one parameter's exponent.
    pub fn of(param: ParamName) -> ExponentRange {
        match param {
            ParamName::P => ExponentRange::Positive,
            ParamName::H | ParamName::N => ExponentRange::NonNegative,
            ParamName::Sigma2 | ParamName::Sigma | ParamName::T => ExponentRange::Any,
        }
    }

    /// Whether the exponent `a` is admitted.
    pub fn admits(self, a: &BigRational) -> bool {
        match self {
            ExponentRange::Any => true,
            ExponentRange::NonNegative => !a.is_negative(),
            ExponentRange::Positive => a.is_positive(),
        }
    }

    /// The message and the hint for `param` given an exponent outside the range.
    pub fn violation(self, param: ParamName) -> (String, &'static str) {
        match self {
            ExponentRange::Positive => (
                format!(
                    "{} must grow with n (its exponent must be > 0)",
                    param.as_str()
                ),
                "the limits take p -> infinity; write for example `p = n`",
            ),
            ExponentRange::NonNegative => (
                format!(
                    "{} must not shrink (its exponent must be >= 0)",
                    param.as_str()
                ),
                "use an exponent >= 0, e.g. a constant `H = 4` or `N = 2 n`",
            ),
            ExponentRange::Any => (String::new(), ""),
        }
    }
}

/// A spec in which any parameter may be left open: the checked statements of a spec before the
/// required parameters are enforced. A phase map (`prism map --fix`) fixes some parameters this
/// way and lets the axes supply the others. Every given value passed the same checks as in a
/// full [`Spec`] (duplicates, positive prefactors, exponent ranges, `inf` only for N).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PartialSpec {
    /// Input dimension, if given.
    pub p: Option<Scaled>,
    /// Latent dimension, if given.
    pub h: Option<Scaled>,
    /// Initialization variance, if given (converted from sigma if given that way).
    pub sigma2: Option<Scaled>,
    /// True when `sigma` rather than `sigma2` was given.
    pub sigma_given: bool,
    /// Training-set size, if given.
    pub n_data: Option<DataSize>,
    /// Time scale, if given.
    pub t: Option<Scaled>,
    /// Claims (`expect ...`) in source order, with their byte spans.
    pub claims: Vec<(Claim, (usize, usize))>,
    /// Each given parameter, as written, with the byte offset of its name.
    pub given: Vec<(ParamName, usize)>,
    /// The spectral law (`spectrum = LAW`), if given, with the byte offset of the keyword.
    pub spectrum: Option<(SpectrumLaw, usize)>,
}

impl PartialSpec {
    /// Parse and check a partial spec; errors are positioned as for [`Spec::parse`].
    pub fn parse(src: &str) -> Result<PartialSpec, SpecError> {
        let stmts = parse::statements(src)?;
        PartialSpec::from_statements(src, &stmts)
    }

    /// Where `param` was given (sigma and sigma2 count as one), if it was.
    pub fn position(&self, param: ParamName) -> Option<(ParamName, usize)> {
        let key = |x: ParamName| match x {
            ParamName::Sigma => ParamName::Sigma2,
            other => other,
        };
        self.given
            .iter()
            .copied()
            .find(|(q, _)| key(*q) == key(param))
    }

    /// The given parameters, canonically rendered: `p = n; N = inf` (in the order p, H,
    /// sigma2, N, t).
    pub fn canonical(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = &self.p {
            parts.push(format!("p = {}", render(s)));
        }
        if let Some(s) = &self.h {
            parts.push(format!("H = {}", render(s)));
        }
        if let Some(s) = &self.sigma2 {
            parts.push(format!("sigma2 = {}", render(s)));
        }
        match &self.n_data {
            Some(DataSize::Finite(s)) => parts.push(format!("N = {}", render(s))),
            Some(DataSize::Infinite) => parts.push("N = inf".to_string()),
            None => {}
        }
        if let Some(s) = &self.t {
            parts.push(format!("t = {}", render(s)));
        }
        if let Some((law, _)) = &self.spectrum {
            if *law != SpectrumLaw::Identity {
                parts.push(format!("spectrum = {law}"));
            }
        }
        parts.join("; ")
    }

    /// Check the semantics of parsed statements, without requiring any parameter.
    pub fn from_statements(src: &str, stmts: &[Statement]) -> Result<PartialSpec, SpecError> {
        let mut out = PartialSpec::default();
        for st in stmts {
            let (param, param_at, value, value_at) = match st {
                Statement::Expect { claim, span } => {
                    if let Claim::LimitWith { law, law_at, .. } = claim {
                        // Range errors of the claim's law, positioned like a statement's.
                        check_spectrum(src, law, *law_at)?;
                    }
                    out.claims.push((claim.clone(), *span));
                    continue;
                }
                Statement::Spectrum { law, at, law_at } => {
                    if let Some((_, prev)) = &out.spectrum {
                        let (line, _) = line_col(src, *prev);
                        return Err(SpecError::at(
                            src,
                            *at,
                            "spectrum".len(),
                            SpecErrorKind::Duplicate,
                            "`spectrum` is given twice",
                            format!("`spectrum` was already set on line {line}; keep one"),
                        ));
                    }
                    out.spectrum = Some((check_spectrum(src, law, *law_at)?, *at));
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
            if let Some((prev, prev_at)) = out.position(param) {
                let (line, _) = line_col(src, prev_at);
                let msg = if prev != param {
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
            out.given.push((param, param_at));
            let scaled = match value {
                RawValue::Inf => {
                    if param == ParamName::N {
                        out.n_data = Some(DataSize::Infinite);
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
            let range = ExponentRange::of(param);
            if !range.admits(&scaled.exponent) {
                let (msg, hint) = range.violation(param);
                return Err(range_err(&msg, hint));
            }
            match param {
                ParamName::P => out.p = Some(scaled),
                ParamName::H => out.h = Some(scaled),
                ParamName::N => out.n_data = Some(DataSize::Finite(scaled)),
                ParamName::Sigma2 => out.sigma2 = Some(scaled),
                ParamName::Sigma => {
                    out.sigma_given = true;
                    out.sigma2 = Some(Scaled {
                        prefactor: &scaled.prefactor * &scaled.prefactor,
                        exponent: &scaled.exponent * BigRational::from_integer(2.into()),
                    });
                }
                ParamName::T => out.t = Some(scaled),
            }
        }
        Ok(out)
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

/// Build the [`SpectrumLaw`] of a `spectrum = LAW` statement, with range errors at the
/// offending number.
impl SpectrumLaw {
    /// Parse a spectral law alone, as written after `spectrum =` in a spec (the text of
    /// `prism simulate --spectrum LAW`), with the same positioned errors and hints: e.g.
    /// `atoms(1/2: 1/2, 3/2: 1/2)`, `uniform(0, 2)`, `powerlaw(1/3)`, `file("eigs.txt")` (not yet
    /// read: see [`SpectrumLaw::resolve`]), `identity`.
    pub fn parse(text: &str) -> Result<SpectrumLaw, SpecError> {
        let (raw, span) = parse::law(text)?;
        check_spectrum(text, &raw, span)
    }
}

/// The law of an `expect limit ... with spectrum = LAW` claim (already range-checked when the
/// spec was parsed; `src` is the text the spec was parsed from).
pub fn claim_law(
    src: &str,
    law: &RawSpectrum,
    law_at: (usize, usize),
) -> Result<SpectrumLaw, SpecError> {
    check_spectrum(src, law, law_at)
}

fn check_spectrum(
    src: &str,
    law: &RawSpectrum,
    law_at: (usize, usize),
) -> Result<SpectrumLaw, SpecError> {
    let v = |x: &PosNum| x.0.clone();
    let res = match law {
        RawSpectrum::Identity => Ok(SpectrumLaw::Identity),
        RawSpectrum::Atoms(atoms) => {
            SpectrumLaw::atoms(atoms.iter().map(|(a, w)| (v(a), v(w))).collect())
        }
        RawSpectrum::Uniform(a, b) => SpectrumLaw::uniform(v(a), v(b)),
        RawSpectrum::PowerLaw(a) => SpectrumLaw::powerlaw(v(a)),
        RawSpectrum::File(path) => Ok(SpectrumLaw::File { path: path.clone() }),
    };
    res.map_err(|e| {
        let span = match (&e, law) {
            (SpectrumError::AtomValue { index, .. }, RawSpectrum::Atoms(a)) => a[*index].0 .1,
            (SpectrumError::AtomWeight { index, .. }, RawSpectrum::Atoms(a)) => a[*index].1 .1,
            (SpectrumError::UniformLow { .. }, RawSpectrum::Uniform(a, _)) => a.1,
            (SpectrumError::UniformOrder { .. }, RawSpectrum::Uniform(_, b)) => b.1,
            (SpectrumError::PowerLawExponent { .. }, RawSpectrum::PowerLaw(a)) => a.1,
            _ => law_at,
        };
        SpecError::at(
            src,
            span.0,
            span.1 - span.0,
            SpecErrorKind::Range,
            e.to_string(),
            e.hint(),
        )
    })
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
    fn partial_specs() {
        let s = PartialSpec::parse("p = n; N = inf").unwrap();
        assert!(s.h.is_none() && s.sigma2.is_none());
        assert_eq!(s.n_data, Some(DataSize::Infinite));
        assert_eq!(s.canonical(), "p = n; N = inf");
        assert_eq!(s.position(ParamName::N).map(|x| x.1), Some(7));
        let s = PartialSpec::parse("sigma = 2 n^(-1/2)").unwrap();
        assert!(s.sigma_given);
        assert_eq!(s.position(ParamName::Sigma2), Some((ParamName::Sigma, 0)));
        assert_eq!(s.canonical(), "sigma2 = 4 n^-1");
        assert!(PartialSpec::parse("").unwrap().given.is_empty());
        let e = PartialSpec::parse("p = n; H = n^-1").unwrap_err();
        assert_eq!((e.kind.clone(), e.col), (SpecErrorKind::Range, 12));
        assert!(ExponentRange::of(ParamName::P).admits(&frac(1, 2)));
        assert!(!ExponentRange::of(ParamName::P).admits(&frac(0, 1)));
        assert!(ExponentRange::of(ParamName::N).admits(&frac(0, 1)));
        assert!(!ExponentRange::of(ParamName::H).admits(&frac(-1, 3)));
    }

    #[test]
    fn spectrum_statement() {
        let base = "p = n; H = n; sigma2 = n^-1";
        let s = Spec::parse(base).unwrap();
        assert_eq!(s.spectrum, SpectrumLaw::Identity);
        assert_eq!(s.canonical(), "p = n; H = n; sigma2 = n^-1; N = inf");
        let s = Spec::parse(&format!("{base}\nspectrum = atoms(1/2: 1/2, 3/2: 1/2)")).unwrap();
        assert_eq!(s.spectrum.moment(2).unwrap(), Moment::Finite(frac(5, 4)));
        assert_eq!(
            s.canonical(),
            "p = n; H = n; sigma2 = n^-1; N = inf; spectrum = atoms(1/2: 1/2, 3/2: 1/2)"
        );
        let s = Spec::parse(&format!("spectrum = file(\"eigs.txt\"); {base}")).unwrap();
        assert_eq!(
            s.spectrum,
            SpectrumLaw::File {
                path: "eigs.txt".into()
            }
        );
        // range errors point at the offending number
        let e = Spec::parse(&format!("{base}\nspectrum = atoms(1: 1/2, 2: 1/4)")).unwrap_err();
        assert_eq!(
            (e.kind.clone(), e.line, e.col),
            (SpecErrorKind::Range, 2, 12)
        );
        assert!(e.message.contains("3/4") && e.hint.contains("1/4"), "{e}");
        let e = Spec::parse(&format!("{base}\nspectrum = atoms(1: 1/2, 0: 1/2)")).unwrap_err();
        assert_eq!((e.col, e.found.as_str()), (26, "0"));
        let e = Spec::parse(&format!("{base}\nspectrum = uniform(2, 1)")).unwrap_err();
        assert_eq!((e.col, e.found.as_str()), (23, "1"));
        let e = Spec::parse(&format!("{base}\nspectrum = powerlaw(1.5)")).unwrap_err();
        assert_eq!((e.kind.clone(), e.col), (SpecErrorKind::Range, 21));
        let e =
            Spec::parse(&format!("spectrum = identity\n{base}\nspectrum = identity")).unwrap_err();
        assert_eq!((e.kind.clone(), e.line), (SpecErrorKind::Duplicate, 3));
        assert!(e.hint.contains("line 1"));
    }

    #[test]
    fn law_alone() {
        assert_eq!(
            SpectrumLaw::parse(" atoms(1/2: 1/2, 3/2: 1/2) ")
                .unwrap()
                .to_string(),
            "atoms(1/2: 1/2, 3/2: 1/2)"
        );
        assert_eq!(
            SpectrumLaw::parse("identity").unwrap(),
            SpectrumLaw::Identity
        );
        assert_eq!(
            SpectrumLaw::parse("file(\"e.txt\")").unwrap(),
            SpectrumLaw::File {
                path: "e.txt".into()
            }
        );
        let e = SpectrumLaw::parse("atoms(1/2: 1/2, 3/2: 1/4)").unwrap_err();
        assert!(e.to_string().contains("sum"), "{e}");
        let e = SpectrumLaw::parse("uniform(0, 2) x").unwrap_err();
        assert_eq!(e.col, 15, "{e}");
        let e = SpectrumLaw::parse("powerlaw(2)").unwrap_err();
        assert_eq!((e.col, e.found.as_str()), (10, "2"), "{e}");
        assert!(SpectrumLaw::parse("gauss(1)").is_err());
        assert!(SpectrumLaw::parse("").is_err());
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
