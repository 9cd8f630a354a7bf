//! The nom parser for the grammar in `grammar/spec.ebnf`, production by production.
//!
//! Parsing is purely syntactic: it yields positioned [`Statement`]s. The semantic checks
//! (required parameters, ranges, duplicates) live in [`super::Spec::from_statements`].
//! The parser never panics: every failure becomes a [`SpecError`] with a position and a hint.

use super::error::{SpecError, SpecErrorKind};
use crate::regimes::catalogue::Regime;
use nom::bytes::complete::{tag, take_till, take_while, take_while1};
use nom::character::complete::{char, digit1, one_of};
use nom::combinator::{opt, recognize};
use nom::error::{ErrorKind, ParseError};
use nom::{IResult, Parser};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};

/// A parameter name on the left of `=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParamName {
    /// Input dimension.
    P,
    /// Latent dimension.
    H,
    /// Initialization variance.
    Sigma2,
    /// Initialization standard deviation (sigma2 = sigma^2).
    Sigma,
    /// Training-set size.
    N,
    /// A time scale.
    T,
}

impl ParamName {
    /// The name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamName::P => "p",
            ParamName::H => "H",
            ParamName::Sigma2 => "sigma2",
            ParamName::Sigma => "sigma",
            ParamName::N => "N",
            ParamName::T => "t",
        }
    }
}

/// A right-hand side as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawValue {
    /// `inf`.
    Inf,
    /// `c * n^e` (c = 1 when omitted; a bare constant has e = 0).
    Power {
        /// The prefactor c.
        prefactor: BigRational,
        /// The exponent e of n.
        exponent: BigRational,
    },
}

/// Which quantity an exponent claim is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExponentClaim {
    /// `time_exponent`
    Time,
    /// `train_loss_exponent`
    TrainLoss,
    /// `pop_loss_exponent`
    PopLoss,
}

/// A claim about a spec (`expect ...`), for `prism check-claims`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// `expect face = NAME`
    Face(Regime),
    /// `expect face_dim = D`
    FaceDim(u32),
    /// `expect time_exponent = -1` and friends.
    Exponent(ExponentClaim, BigRational),
    /// `expect limit agrees` (true) or `expect limit disagrees` (false).
    Limit(bool),
    /// `expect series train order 2 = "..."`
    Series {
        /// The loss, `train` or `pop`.
        loss: String,
        /// The order s.
        order: u32,
        /// The claimed polynomial, as text.
        text: String,
    },
    /// `expect formula = NAME`: the limit law of face NAME describes this spec.
    Formula(Regime),
}

/// One statement with its byte span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    /// `param = value`
    Assign {
        /// The parameter.
        param: ParamName,
        /// Byte offset of the parameter name.
        param_at: usize,
        /// The value.
        value: RawValue,
        /// Byte span of the value.
        value_at: (usize, usize),
    },
    /// `expect claim`
    Expect {
        /// The claim.
        claim: Claim,
        /// Byte span of the whole statement.
        span: (usize, usize),
    },
    /// `spectrum = LAW` (THEORY 9.1), checked in [`super::Spec::from_statements`].
    Spectrum {
        /// The law as written, with the positions of its numbers.
        law: RawSpectrum,
        /// Byte offset of the keyword `spectrum`.
        at: usize,
        /// Byte span of the law.
        law_at: (usize, usize),
    },
}

/// A number of a spectral law with its byte span in the source.
pub type PosNum = (BigRational, (usize, usize));

/// A spectral law as written (`grammar/spec.ebnf`, production `law`); ranges are checked by
/// [`super::SpectrumLaw`]'s constructors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawSpectrum {
    /// `identity`
    Identity,
    /// `atoms(v1: w1, ...)`: (value, weight) pairs.
    Atoms(Vec<(PosNum, PosNum)>),
    /// `uniform(a, b)`
    Uniform(PosNum, PosNum),
    /// `powerlaw(a)`
    PowerLaw(PosNum),
    /// `file("path")`
    File(String),
}

/// A nom error that remembers where it happened and what would fix it.
#[derive(Debug)]
pub struct PErr<'a> {
    input: &'a str,
    message: String,
    hint: String,
}

impl<'a> ParseError<&'a str> for PErr<'a> {
    fn from_error_kind(input: &'a str, _kind: ErrorKind) -> Self {
        PErr {
            input,
            message: "unexpected text".into(),
            hint: String::new(),
        }
    }
    fn append(_input: &'a str, _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

type Res<'a, T> = IResult<&'a str, T, PErr<'a>>;

/// Run `p`; on failure, fail hard at `at` with a message and a hint.
fn expect<'a, T>(
    mut p: impl Parser<&'a str, Output = T, Error = PErr<'a>>,
    at: &'a str,
    message: &str,
    hint: &str,
) -> impl FnMut(&'a str) -> Res<'a, T> {
    let message = message.to_string();
    let hint = hint.to_string();
    move |i: &'a str| {
        p.parse(i).map_err(|_| {
            nom::Err::Failure(PErr {
                input: if at.is_empty() { i } else { at },
                message: message.clone(),
                hint: hint.clone(),
            })
        })
    }
}

fn fail<'a, T>(input: &'a str, message: &str, hint: &str) -> Res<'a, T> {
    Err(nom::Err::Failure(PErr {
        input,
        message: message.into(),
        hint: hint.into(),
    }))
}

/// `blank = " " | "\t" | "\r"`, repeated.
fn blanks(i: &str) -> Res<'_, &str> {
    take_while(|c| c == ' ' || c == '\t' || c == '\r').parse(i)
}

/// Longest digit string of one number literal: exact arithmetic on a million-digit prefactor
/// would take hours, and no scaling needs more than a few digits.
pub const MAX_DIGITS: usize = 200;

/// `integer = digit, {digit}`
fn integer(i: &str) -> Res<'_, BigInt> {
    let (rest, d) = digit1(i)?;
    if d.len() > MAX_DIGITS {
        return fail(
            i,
            &format!("a number with {} digits is too long", d.len()),
            &format!("numbers in a spec have at most {MAX_DIGITS} digits (exact rationals such as 1/3 or 0.125)"),
        );
    }
    // digit1 guarantees ASCII digits, so this parse cannot fail.
    let n = d.parse::<BigInt>().unwrap_or_else(|_| BigInt::zero());
    Ok((rest, n))
}

/// `decimal = integer, ["." digit {digit}]`, exactly: `0.1` is 1/10.
fn decimal(i: &str) -> Res<'_, BigRational> {
    let (rest, int_part) = integer(i)?;
    if let Some(after_dot) = rest.strip_prefix('.') {
        let (rest2, frac) = expect(
            digit1,
            "",
            "expected digits after the decimal point",
            "write decimals like 0.5 or 2.25",
        )(after_dot)?;
        if frac.len() > MAX_DIGITS {
            return fail(
                after_dot,
                &format!("a decimal with {} digits after the point is too long", frac.len()),
                &format!("numbers in a spec have at most {MAX_DIGITS} digits; write a fraction such as 1/3"),
            );
        }
        let num: BigInt = format!("{}{}", int_part, frac)
            .parse()
            .unwrap_or_else(|_| BigInt::zero());
        let den = num_traits::pow(BigInt::from(10), frac.len());
        return Ok((rest2, BigRational::new(num, den)));
    }
    Ok((rest, BigRational::from_integer(int_part)))
}

/// `number = decimal, [blank* "/" blank* integer]`.
fn number(i: &str) -> Res<'_, BigRational> {
    let (rest, x) = decimal(i)?;
    let (after_blank, _) = blanks(rest)?;
    if let Some(after_slash) = after_blank.strip_prefix('/') {
        let (after_slash, _) = blanks(after_slash)?;
        let (rest2, d) = expect(
            integer,
            "",
            "expected an integer denominator after `/`",
            "write fractions like 3/2",
        )(after_slash)?;
        if d.is_zero() {
            return fail(
                after_slash,
                "division by zero",
                "the denominator must be positive",
            );
        }
        return Ok((rest2, x / BigRational::from_integer(d)));
    }
    Ok((rest, x))
}

fn sign(i: &str) -> Res<'_, bool> {
    let (rest, s) = opt(one_of("+-")).parse(i)?;
    Ok((rest, s == Some('-')))
}

/// `exponent = signed_num | "(" signed_rat ")"`.
fn exponent(i: &str) -> Res<'_, BigRational> {
    if let Some(inner) = i.strip_prefix('(') {
        let (r, _) = blanks(inner)?;
        let (r, neg) = sign(r)?;
        let (r, _) = blanks(r)?;
        let (r, x) = expect(
            number,
            "",
            "expected a number inside the parentheses",
            "exponents look like n^(1/2) or n^(-3/2)",
        )(r)?;
        let (r, _) = blanks(r)?;
        let (r, _) = expect(
            char(')'),
            "",
            "expected `)` to close the exponent",
            "exponents look like n^(1/2) or n^(-3/2)",
        )(r)?;
        return Ok((r, if neg { -x } else { x }));
    }
    let (r, neg) = sign(i)?;
    let (r, x) = expect(
        decimal,
        "",
        "expected an exponent after `^`",
        "exponents look like n^2, n^-1, n^0.5 or n^(1/2)",
    )(r)?;
    let (after, _) = blanks(r)?;
    if after.starts_with('/') {
        return fail(
            after,
            "a fractional exponent needs parentheses",
            "write n^(1/2), not n^1/2",
        );
    }
    Ok((r, if neg { -x } else { x }))
}

/// `value` (see the grammar), with the span it covers.
fn value(i: &str) -> Res<'_, RawValue> {
    if let Ok((r, _)) = tag::<_, _, PErr>("inf").parse(i) {
        if !r.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            return Ok((r, RawValue::Inf));
        }
    }
    let (r, pre) = opt(number).parse(i)?;
    let (r2, _) = blanks(r)?;
    let (r2, star) = opt(char('*')).parse(r2)?;
    let (r2, _) = blanks(r2)?;
    if r2.starts_with('n') && !r2[1..].starts_with(|c: char| c.is_alphanumeric() || c == '_') {
        let r3 = &r2[1..];
        let (r4, _) = blanks(r3)?;
        let (rest, e) = if let Some(after_caret) = r4.strip_prefix('^') {
            let (after_caret, _) = blanks(after_caret)?;
            exponent(after_caret)?
        } else {
            (r3, BigRational::zero())
        };
        let e = if r4.starts_with('^') {
            e
        } else {
            BigRational::one()
        };
        return Ok((
            rest,
            RawValue::Power {
                prefactor: pre.unwrap_or_else(BigRational::one),
                exponent: e,
            },
        ));
    }
    match pre {
        Some(c) if star.is_none() => Ok((
            r,
            RawValue::Power {
                prefactor: c,
                exponent: BigRational::zero(),
            },
        )),
        Some(_) => fail(
            r2,
            "expected `n` after `*`",
            "write a prefactor times a power of n, like 2*n^-1",
        ),
        None => {
            if r2.starts_with('-') {
                fail(
                    i,
                    "negative values are not allowed",
                    "prefactors must be positive; a shrinking quantity is a negative exponent: n^-1",
                )
            } else {
                fail(
                    i,
                    "expected a value",
                    "values look like n, 0.5 n^(1/2), 2*n^-1, 3 or inf",
                )
            }
        }
    }
}

fn word(i: &str) -> Res<'_, &str> {
    take_while1(|c: char| c.is_alphanumeric() || c == '_').parse(i)
}

fn param_name(i: &str) -> Res<'_, ParamName> {
    let (r, w) = word(i)?;
    let p = match w {
        "p" => ParamName::P,
        "H" => ParamName::H,
        "sigma2" => ParamName::Sigma2,
        "sigma" => ParamName::Sigma,
        "N" => ParamName::N,
        "t" => ParamName::T,
        other => {
            let hint = match other {
                "P" => "parameters are case-sensitive: did you mean `p`?".to_string(),
                "h" => "parameters are case-sensitive: did you mean `H`?".to_string(),
                "n" => "`n` is the growth variable; the training-set size is `N`".to_string(),
                "T" => "the time scale is lowercase `t`".to_string(),
                "s2" | "sig2" | "var" | "sigma_2" | "Sigma2" => {
                    "did you mean `sigma2` (the initialization variance)?".to_string()
                }
                _ => "parameters are p, H, sigma2, sigma, N and t".to_string(),
            };
            return fail(i, &format!("unknown parameter `{other}`"), &hint);
        }
    };
    Ok((r, p))
}

fn face_name(i: &str) -> Res<'_, Regime> {
    let (r, name) = expect(
        recognize(take_while1(|c: char| {
            c.is_alphanumeric() || c == '-' || c == '+'
        })),
        "",
        "expected a face name",
        "face names look like mean-field, large-data+free or proportional",
    )(i)?;
    match name.parse::<Regime>() {
        Ok(face) => Ok((r, face)),
        Err(_) => fail(
            i,
            &format!("unknown face name `{name}`"),
            "join large-data or small-data, narrow-latent, mean-field, free with `+`, or use proportional",
        ),
    }
}

fn equals(i: &str) -> Res<'_, ()> {
    let (r, _) = blanks(i)?;
    let (r, _) = expect(
        char('='),
        "",
        "expected `=`",
        "claims look like `expect face = mean-field`",
    )(r)?;
    let (r, _) = blanks(r)?;
    Ok((r, ()))
}

/// `claim` (see the grammar).
fn claim(i: &str) -> Res<'_, Claim> {
    let (r, w) = expect(
        word,
        "",
        "expected what to claim",
        "claims: face, face_dim, time_exponent, train_loss_exponent, pop_loss_exponent, limit, series, formula",
    )(i)?;
    match w {
        "face" | "formula" => {
            let (r, _) = equals(r)?;
            let (r, name) = face_name(r)?;
            Ok((
                r,
                if w == "face" {
                    Claim::Face(name)
                } else {
                    Claim::Formula(name)
                },
            ))
        }
        "face_dim" => {
            let (r, _) = equals(r)?;
            let (r2, d) = expect(integer, "", "expected a dimension", "face_dim is 0, 1, 2 or 3")(r)?;
            let d = u32::try_from(d).unwrap_or(u32::MAX);
            if d > 3 {
                return fail(r, "a face dimension is at most 3", "face_dim is 0, 1, 2 or 3");
            }
            Ok((r2, Claim::FaceDim(d)))
        }
        "time_exponent" | "train_loss_exponent" | "pop_loss_exponent" => {
            let (r, _) = equals(r)?;
            let (r, neg) = sign(r)?;
            let (r, x) = expect(
                number,
                "",
                "expected an exact rational",
                "exponents look like -1, 1/2 or -0.5",
            )(r)?;
            let which = match w {
                "time_exponent" => ExponentClaim::Time,
                "train_loss_exponent" => ExponentClaim::TrainLoss,
                _ => ExponentClaim::PopLoss,
            };
            Ok((r, Claim::Exponent(which, if neg { -x } else { x })))
        }
        "limit" => {
            let (r, _) = blanks(r)?;
            let (r2, v) = expect(word, "", "expected `agrees` or `disagrees`", "write `expect limit agrees`")(r)?;
            match v {
                "agrees" => Ok((r2, Claim::Limit(true))),
                "disagrees" => Ok((r2, Claim::Limit(false))),
                _ => fail(r, "expected `agrees` or `disagrees`", "write `expect limit agrees`"),
            }
        }
        "series" => {
            let (r, _) = blanks(r)?;
            let (r2, loss) = expect(word, "", "expected `train` or `pop`", "write `expect series train order 2 = \"...\"`")(r)?;
            if loss != "train" && loss != "pop" {
                return fail(r, "expected `train` or `pop`", "write `expect series train order 2 = \"...\"`");
            }
            let (r2, _) = blanks(r2)?;
            let (r3, _) = expect(tag("order"), "", "expected `order`", "write `expect series train order 2 = \"...\"`")(r2)?;
            let (r3, _) = blanks(r3)?;
            let (r4, s) = expect(integer, "", "expected the order (an integer)", "write `expect series train order 2 = \"...\"`")(r3)?;
            let order = u32::try_from(s).unwrap_or(u32::MAX);
            let (r4, _) = equals(r4)?;
            let (r5, _) = expect(char('"'), "", "expected a quoted polynomial", "write the series coefficient in quotes, e.g. \"-4*q*r\"")(r4)?;
            let (r6, text) = take_till(|c| c == '"' || c == '\n').parse(r5)?;
            let (r7, _) = expect(char('"'), "", "unterminated string", "close the polynomial with `\"` on the same line")(r6)?;
            Ok((
                r7,
                Claim::Series {
                    loss: loss.to_string(),
                    order,
                    text: text.to_string(),
                },
            ))
        }
        other => fail(
            i,
            &format!("unknown claim `{other}`"),
            "claims: face, face_dim, time_exponent, train_loss_exponent, pop_loss_exponent, limit, series, formula",
        ),
    }
}

const LAW_HINT: &str =
    "laws: identity, atoms(1/2: 1/2, 3/2: 1/2), uniform(0, 2), powerlaw(1/3), file(\"eigs.txt\")";

/// `"=" law` after the keyword `spectrum` (see the grammar); returns the law and the byte
/// offset where it starts.
fn spectrum_law<'a>(src: &'a str, i: &'a str) -> Res<'a, (RawSpectrum, usize)> {
    let (r, _) = blanks(i)?;
    let (r, _) = expect(char('='), "", "expected `=` after `spectrum`", LAW_HINT)(r)?;
    let (r, _) = blanks(r)?;
    law_body(src, r)
}

/// A spectral law (the grammar's `law`) at `r`; returns it and the byte offset where it starts.
fn law_body<'a>(src: &'a str, r: &'a str) -> Res<'a, (RawSpectrum, usize)> {
    let off = |rest: &str| src.len() - rest.len();
    let start = off(r);
    let (r2, name) = expect(word, "", "expected a spectral law", LAW_HINT)(r)?;
    let open = |x: &'a str| -> Res<'a, &'a str> {
        let (x, _) = blanks(x)?;
        let (x, _) = expect(
            char('('),
            "",
            &format!("expected `(` after `{name}`"),
            LAW_HINT,
        )(x)?;
        blanks(x)
    };
    let close = |x: &'a str| -> Res<'a, &'a str> {
        let (x, _) = blanks(x)?;
        let (x, _) = expect(char(')'), "", "expected `,` or `)`", LAW_HINT)(x)?;
        Ok((x, x))
    };
    let num = |x: &'a str, what: &str| -> Res<'a, PosNum> {
        if x.starts_with('-') {
            return fail(
                x,
                &format!("{what} must not be negative"),
                "covariance eigenvalues are >= 0",
            );
        }
        let b = off(x);
        let (x2, v) = expect(
            number,
            "",
            &format!("expected {what} (an exact number like 2, 0.5 or 3/2)"),
            LAW_HINT,
        )(x)?;
        Ok((x2, (v, (b, off(x2)))))
    };
    let comma = |x: &'a str| -> Res<'a, &'a str> {
        let (x, _) = blanks(x)?;
        let (x, _) = expect(char(','), "", "expected `,`", LAW_HINT)(x)?;
        blanks(x)
    };
    let law = match name {
        "identity" => return Ok((r2, (RawSpectrum::Identity, start))),
        "atoms" => {
            let (mut x, _) = open(r2)?;
            let mut atoms = Vec::new();
            loop {
                let (y, v) = num(x, "an eigenvalue")?;
                let (y, _) = blanks(y)?;
                let (y, _) = expect(
                    char(':'),
                    "",
                    "expected `:` between an eigenvalue and its weight",
                    "atoms look like atoms(1/2: 1/2, 3/2: 1/2) (value: weight)",
                )(y)?;
                let (y, _) = blanks(y)?;
                let (y, w) = num(y, "a weight")?;
                atoms.push((v, w));
                let (y, _) = blanks(y)?;
                if let Some(z) = y.strip_prefix(',') {
                    x = blanks(z)?.0;
                } else {
                    x = y;
                    break;
                }
            }
            let (x, _) = close(x)?;
            (x, RawSpectrum::Atoms(atoms))
        }
        "uniform" => {
            let (x, _) = open(r2)?;
            let (x, a) = num(x, "the lower end")?;
            let (x, _) = comma(x)?;
            let (x, b) = num(x, "the upper end")?;
            let (x, _) = close(x)?;
            (x, RawSpectrum::Uniform(a, b))
        }
        "powerlaw" => {
            let (x, _) = open(r2)?;
            let (x, a) = num(x, "the tail exponent")?;
            let (x, _) = close(x)?;
            (x, RawSpectrum::PowerLaw(a))
        }
        "file" => {
            let (x, _) = open(r2)?;
            let (x, _) = expect(
                char('"'),
                "",
                "expected a quoted path",
                "write file(\"eigs.txt\"): one eigenvalue per line",
            )(x)?;
            let (x, path) = take_till(|c| c == '"' || c == '\n').parse(x)?;
            let (x, _) = expect(
                char('"'),
                "",
                "unterminated string",
                "close the path with `\"` on the same line",
            )(x)?;
            if path.is_empty() {
                return fail(r2, "the path is empty", "write file(\"eigs.txt\")");
            }
            let (x, _) = close(x)?;
            (x, RawSpectrum::File(path.to_string()))
        }
        other => {
            let hint = match other {
                "iso" | "isotropic" | "I" | "eye" => "the isotropic law is `identity`".to_string(),
                "power" | "power_law" | "powerLaw" | "pareto" => {
                    "did you mean powerlaw(a), 0 < a < 1?".to_string()
                }
                "atom" | "discrete" | "twolevel" => {
                    "did you mean atoms(v1: w1, v2: w2, ...)?".to_string()
                }
                _ => LAW_HINT.to_string(),
            };
            return fail(r, &format!("unknown spectral law `{other}`"), &hint);
        }
    };
    Ok((law.0, (law.1, start)))
}

/// Parse a spectral law alone (the grammar's `law`, e.g. the text of `--spectrum LAW`),
/// surrounded by blanks only; returns it with its byte span, errors positioned in `src`.
pub fn law(src: &str) -> Result<(RawSpectrum, (usize, usize)), SpecError> {
    let to_err = |e: nom::Err<PErr<'_>>| -> SpecError {
        match e {
            nom::Err::Error(pe) | nom::Err::Failure(pe) => {
                let at = src.len() - pe.input.len();
                let len = token_len(pe.input);
                SpecError::at(src, at, len, SpecErrorKind::Syntax, pe.message, pe.hint)
            }
            nom::Err::Incomplete(_) => SpecError::at(
                src,
                src.len(),
                0,
                SpecErrorKind::Syntax,
                "unexpected end of input",
                LAW_HINT,
            ),
        }
    };
    let (r, _) = blanks(src).map_err(to_err)?;
    let (r, (law, start)) = law_body(src, r).map_err(to_err)?;
    let end = src.len() - r.len();
    let (rest, _) = blanks(r).map_err(to_err)?;
    if !rest.is_empty() {
        return Err(SpecError::at(
            src,
            src.len() - rest.len(),
            token_len(rest),
            SpecErrorKind::Syntax,
            "unexpected text after the spectral law",
            LAW_HINT,
        ));
    }
    Ok((law, (start, end)))
}

/// Parse a whole spec (or claims file) into positioned statements.
pub fn statements(src: &str) -> Result<Vec<Statement>, SpecError> {
    let off = |rest: &str| src.len() - rest.len();
    let to_err = |e: nom::Err<PErr<'_>>| -> SpecError {
        match e {
            nom::Err::Error(pe) | nom::Err::Failure(pe) => {
                let at = src.len() - pe.input.len();
                let len = token_len(pe.input);
                SpecError::at(src, at, len, SpecErrorKind::Syntax, pe.message, pe.hint)
            }
            nom::Err::Incomplete(_) => SpecError::at(
                src,
                src.len(),
                0,
                SpecErrorKind::Syntax,
                "unexpected end of input",
                "finish the statement",
            ),
        }
    };
    let mut out = Vec::new();
    let mut i = src;
    loop {
        // Skip blanks, separators and comments.
        loop {
            let (r, _) = blanks(i).map_err(to_err)?;
            i = r;
            if let Some(r) = i.strip_prefix(';').or_else(|| i.strip_prefix('\n')) {
                i = r;
            } else if i.starts_with('#') {
                i = i.find('\n').map_or("", |k| &i[k..]);
            } else {
                break;
            }
        }
        if i.is_empty() {
            return Ok(out);
        }
        let start = off(i);
        let (r, w) = word(i).map_err(|_| {
            SpecError::at(
                src,
                start,
                token_len(i),
                SpecErrorKind::Syntax,
                "expected a parameter name",
                "statements look like `p = n` or `H = 0.5 n^(1/2)`",
            )
        })?;
        let stmt;
        let rest;
        if w == "spectrum" {
            let (r, law) = spectrum_law(src, r).map_err(to_err)?;
            stmt = Statement::Spectrum {
                at: start,
                law_at: (law.1, off(r)),
                law: law.0,
            };
            rest = r;
        } else if w == "expect" {
            let (r, _) = blanks(r).map_err(to_err)?;
            let (r, c) = claim(r).map_err(to_err)?;
            stmt = Statement::Expect {
                claim: c,
                span: (start, off(r)),
            };
            rest = r;
        } else {
            let (r, p) = param_name(i).map_err(to_err)?;
            let (r, _) = blanks(r).map_err(to_err)?;
            let (r, _) = expect(
                char('='),
                "",
                "expected `=` after the parameter name",
                "statements look like `p = n`",
            )(r)
            .map_err(to_err)?;
            let (r, _) = blanks(r).map_err(to_err)?;
            let vstart = off(r);
            let (r, v) = value(r).map_err(to_err)?;
            stmt = Statement::Assign {
                param: p,
                param_at: start,
                value: v,
                value_at: (vstart, off(r)),
            };
            rest = r;
        }
        let (r, _) = blanks(rest).map_err(to_err)?;
        if !(r.is_empty() || r.starts_with(';') || r.starts_with('\n') || r.starts_with('#')) {
            let hint = if r.starts_with('/') {
                "a fractional exponent needs parentheses: n^(1/2)"
            } else if r.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
                "write a prefactor before n, like 0.5 n or 0.5*n"
            } else {
                "separate statements with `;` or a new line; comments start with #"
            };
            return Err(SpecError::at(
                src,
                off(r),
                token_len(r),
                SpecErrorKind::Syntax,
                "unexpected text after the statement",
                hint,
            ));
        }
        out.push(stmt);
        i = r;
    }
}

/// Length in bytes of the token starting the input (for underlining).
fn token_len(s: &str) -> usize {
    let mut n = 0;
    for c in s.chars() {
        if c.is_whitespace() || c == ';' || c == '#' {
            break;
        }
        n += c.len_utf8();
        if !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-') {
            break;
        }
    }
    n.max(s.chars().next().map_or(0, |c| c.len_utf8()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::frac;

    fn val(s: &str) -> RawValue {
        match &statements(&format!("p = {s}")).unwrap()[0] {
            Statement::Assign { value, .. } => value.clone(),
            _ => unreachable!(),
        }
    }

    fn pw(c: (i64, i64), e: (i64, i64)) -> RawValue {
        RawValue::Power {
            prefactor: frac(c.0, c.1),
            exponent: frac(e.0, e.1),
        }
    }

    #[test]
    fn values() {
        assert_eq!(val("n"), pw((1, 1), (1, 1)));
        assert_eq!(val("n^2"), pw((1, 1), (2, 1)));
        assert_eq!(val("n^-1"), pw((1, 1), (-1, 1)));
        assert_eq!(val("n^(1/2)"), pw((1, 1), (1, 2)));
        assert_eq!(val("n^(-3/2)"), pw((1, 1), (-3, 2)));
        assert_eq!(val("n^0.5"), pw((1, 1), (1, 2)));
        assert_eq!(val("n^0.1"), pw((1, 1), (1, 10)));
        assert_eq!(val("0.5 n^(1/2)"), pw((1, 2), (1, 2)));
        assert_eq!(val("2*n^-1"), pw((2, 1), (-1, 1)));
        assert_eq!(val("3/2 * n"), pw((3, 2), (1, 1)));
        assert_eq!(val("3"), pw((3, 1), (0, 1)));
        assert_eq!(val("0.25"), pw((1, 4), (0, 1)));
        assert_eq!(val("inf"), RawValue::Inf);
        assert_eq!(val("n ^ ( - 1 / 3 )"), pw((1, 1), (-1, 3)));
    }

    #[test]
    fn statements_and_comments() {
        let s = statements("p = n; H = 0.5 n^(1/2) # half\n\n sigma2 = 2*n^-1;N = inf;").unwrap();
        assert_eq!(s.len(), 4);
        let s = statements("# only a comment\n").unwrap();
        assert!(s.is_empty());
    }

    #[test]
    fn errors_are_positioned() {
        let e = statements("p = n\nH = n^1/2").unwrap_err();
        assert_eq!((e.line, e.col), (2, 8));
        assert!(e.hint.contains("n^(1/2)"), "{e}");
        let e = statements("p = n; h = n").unwrap_err();
        assert_eq!((e.line, e.col), (1, 8));
        assert!(e.hint.contains("`H`"));
        let e = statements("p = n^").unwrap_err();
        assert_eq!(e.col, 7);
        let e = statements("p = 1/0 n").unwrap_err();
        assert!(e.message.contains("zero"));
        let e = statements("p = -n").unwrap_err();
        assert!(e.message.contains("negative"));
    }

    #[test]
    fn spectrum_statements() {
        let s = statements("spectrum = atoms(1/2: 1/2, 3/2 : 0.5)").unwrap();
        match &s[0] {
            Statement::Spectrum {
                law: RawSpectrum::Atoms(a),
                at,
                law_at,
            } => {
                assert_eq!(*at, 0);
                assert_eq!(*law_at, (11, 37));
                assert_eq!(a.len(), 2);
                assert_eq!(a[1].1, (frac(1, 2), (33, 36)));
            }
            other => panic!("{other:?}"),
        }
        for (src, want) in [
            ("spectrum = identity", RawSpectrum::Identity),
            (
                "spectrum=file(\"a b.txt\")",
                RawSpectrum::File("a b.txt".into()),
            ),
        ] {
            match &statements(src).unwrap()[0] {
                Statement::Spectrum { law, .. } => assert_eq!(*law, want),
                other => panic!("{other:?}"),
            }
        }
        assert!(statements("spectrum = uniform( 0 , 2 ) # comment\np = n").is_ok());
        assert!(statements("spectrum = powerlaw(1/3)").is_ok());
        let e = statements("p = n\nspectrum = gauss(1)").unwrap_err();
        assert_eq!((e.line, e.col), (2, 12));
        assert!(e.message.contains("gauss"));
        let e = statements("spectrum = atoms(1 0.5)").unwrap_err();
        assert_eq!(e.col, 20);
        assert!(e.message.contains(":"), "{e}");
        let e = statements("spectrum = uniform(-1, 2)").unwrap_err();
        assert_eq!(e.col, 20);
        let e = statements("spectrum = powerlaw(1/3").unwrap_err();
        assert!(e.message.contains(")"), "{e}");
        let e = statements("spectrum = file(eigs.txt)").unwrap_err();
        assert!(e.message.contains("quoted"), "{e}");
        let e = statements("spectrum = isotropic").unwrap_err();
        assert!(e.hint.contains("identity"));
        let e = statements("spectrum = identity x").unwrap_err();
        assert_eq!(e.col, 21);
    }

    #[test]
    fn claims() {
        let s = statements(
            "expect face = mean-field\nexpect time_exponent = -1/2\nexpect limit agrees\nexpect series train order 2 = \"-4*q\"",
        )
        .unwrap();
        assert_eq!(s.len(), 4);
        assert!(statements("expect face = banana").is_err());
    }
}
