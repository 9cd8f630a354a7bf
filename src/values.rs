//! Checked flag and keyword values: the numbers every front (the CLI's flags, the Python
//! package's keywords) reads the same way.
//!
//! Each reader takes the text as written and returns the typed value or a [`ValueError`] whose
//! message names the value and says what is expected (`-3 is negative; give a number >= 0`).
//! The `ensure_*` functions apply the same range checks to a value that is already a number
//! (a Python float or int). The ranges:
//!
//! | reader | accepts |
//! |---|---|
//! | [`number`] | a finite real |
//! | [`nonneg`] | a finite real x >= 0 (times, horizons) |
//! | [`positive`] | a finite real x > 0 (steps, tolerances, variances, budgets) |
//! | [`size_n`] | a size n of a scaling spec: a finite real n >= 1 |
//! | [`count`] | an integer k >= 1 (points, runs, dimensions) |
//! | [`count2`] | an integer k >= 2 |
//! | [`data_size`] | a training-set size N: an integer, or `inf` (None) |
//!
//! and [`distinct_sizes`] refuses a list of sizes n with a repeat (a rate needs distinct n).
//!
//! Enumerated values (`--mode fast|physical`, Python's `mode="fast"`) are [`Choice`]s: each
//! type lists its names with a one-line help, and [`choose`] reads one.

use thiserror::Error;

/// Longest value shown in an error message (longer ones are elided).
pub const SHOWN_CHARS: usize = 40;

/// A value outside its range, or not a number at all. `value` is the text as given (elided
/// when long) or the number as read.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ValueError {
    /// Not a number.
    #[error("`{value}` is not a number")]
    NotANumber {
        /// The text.
        value: String,
    },
    /// An infinite or NaN number.
    #[error("{value} is not a finite number")]
    NotFinite {
        /// The text.
        value: String,
    },
    /// A negative number where x >= 0 is needed.
    #[error("{value} is negative; give a number >= 0")]
    Negative {
        /// The text.
        value: String,
    },
    /// A number <= 0 where x > 0 is needed.
    #[error("{value} is not positive; give a number > 0")]
    NotPositive {
        /// The text.
        value: String,
    },
    /// A size n < 1.
    #[error("{value} is not a size: n must be >= 1")]
    NotASize {
        /// The text.
        value: String,
    },
    /// A negative integer.
    #[error("{value} is negative; give an integer >= {min}")]
    NegativeInteger {
        /// The text.
        value: String,
        /// The smallest integer accepted.
        min: usize,
    },
    /// Digits beyond the machine integer.
    #[error("{value} is too large")]
    TooLarge {
        /// The text.
        value: String,
    },
    /// Not an integer.
    #[error("`{value}` is not an integer")]
    NotAnInteger {
        /// The text.
        value: String,
    },
    /// An integer below its minimum.
    #[error("{value} is too small; give an integer >= {min}")]
    TooSmall {
        /// The integer.
        value: usize,
        /// The smallest integer accepted.
        min: usize,
    },
    /// Not a training-set size.
    #[error("expected an integer or `inf`, got `{value}`")]
    NotADataSize {
        /// The text.
        value: String,
    },
    /// A name that is not one of the choices.
    #[error("{what} must be {expected}, not {value:?}")]
    NotAChoice {
        /// What is chosen (`mode`).
        what: &'static str,
        /// The names accepted, as `'a', 'b' or 'c'`.
        expected: String,
        /// The text.
        value: String,
    },
    /// A size given twice in a list of sizes n.
    #[error("the size {size} is given twice; give distinct sizes (e.g. --n 256,512,1024)")]
    RepeatedSize {
        /// The repeated size.
        size: f64,
    },
}

fn shown(s: &str) -> String {
    crate::spec::elide(s, SHOWN_CHARS)
}

/// A finite real number.
pub fn number(s: &str) -> Result<f64, ValueError> {
    let x: f64 = s
        .trim()
        .parse()
        .map_err(|_| ValueError::NotANumber { value: shown(s) })?;
    if !x.is_finite() {
        return Err(ValueError::NotFinite { value: s.into() });
    }
    Ok(x)
}

/// A finite number >= 0.
pub fn nonneg(s: &str) -> Result<f64, ValueError> {
    let x = number(s)?;
    if x < 0.0 {
        return Err(ValueError::Negative { value: s.into() });
    }
    Ok(x)
}

/// A finite number > 0.
pub fn positive(s: &str) -> Result<f64, ValueError> {
    let x = number(s)?;
    if x <= 0.0 {
        return Err(ValueError::NotPositive { value: s.into() });
    }
    Ok(x)
}

/// A size n of a scaling spec: a finite number >= 1.
pub fn size_n(s: &str) -> Result<f64, ValueError> {
    let x = number(s)?;
    if x < 1.0 {
        return Err(ValueError::NotASize { value: s.into() });
    }
    Ok(x)
}

/// An integer >= `min`.
pub fn integer(s: &str, min: usize) -> Result<usize, ValueError> {
    let t = s.trim();
    if t.starts_with('-') {
        return Err(ValueError::NegativeInteger {
            value: s.into(),
            min,
        });
    }
    let x: usize = t.parse().map_err(|_| {
        if t.chars().all(|c| c.is_ascii_digit()) && !t.is_empty() {
            ValueError::TooLarge { value: shown(s) }
        } else {
            ValueError::NotAnInteger { value: shown(s) }
        }
    })?;
    ensure_count(x, min)
}

/// An integer >= 1 (counts: points, runs, record intervals, dimensions).
pub fn count(s: &str) -> Result<usize, ValueError> {
    integer(s, 1)
}

/// An integer >= 2.
pub fn count2(s: &str) -> Result<usize, ValueError> {
    integer(s, 2)
}

/// A training-set size N of a finite model: `Some(N)` samples, or `None` for N = infinity
/// (the population loss is trained).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrainingSize(pub Option<usize>);

/// A training-set size N: an integer, or `inf` / `infinity` (any case) for N = infinity.
pub fn data_size(s: &str) -> Result<TrainingSize, ValueError> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("inf") || t.eq_ignore_ascii_case("infinity") {
        return Ok(TrainingSize(None));
    }
    t.parse::<usize>()
        .map(|n| TrainingSize(Some(n)))
        .map_err(|_| ValueError::NotADataSize { value: s.into() })
}

/// Refuse a list of sizes n with repeats (a rate needs distinct sizes).
pub fn distinct_sizes(sizes: &[f64]) -> Result<(), ValueError> {
    let mut v = sizes.to_vec();
    v.sort_by(f64::total_cmp);
    match v.windows(2).find(|w| w[0] == w[1]) {
        Some(w) => Err(ValueError::RepeatedSize { size: w[0] }),
        None => Ok(()),
    }
}

/// `x` if it is finite and >= 0 (the check of [`nonneg`] on a number).
pub fn ensure_nonneg(x: f64) -> Result<f64, ValueError> {
    nonneg(&x.to_string())
}

/// `x` if it is finite and > 0 (the check of [`positive`] on a number).
pub fn ensure_positive(x: f64) -> Result<f64, ValueError> {
    positive(&x.to_string())
}

/// `k` if it is >= `min` (the check of [`integer`] on a number).
pub fn ensure_count(k: usize, min: usize) -> Result<usize, ValueError> {
    if k < min {
        return Err(ValueError::TooSmall { value: k, min });
    }
    Ok(k)
}

/// A value chosen by name from a fixed list: the values of an enumerated flag or keyword.
pub trait Choice: Copy + PartialEq + 'static {
    /// What is being chosen (`mode`), for messages.
    const WHAT: &'static str;
    /// Each value's name, its one-line help, and the value.
    const CHOICES: &'static [(&'static str, &'static str, Self)];

    /// The value's name (as [`choose`] reads it and serde writes it).
    fn name(self) -> &'static str {
        Self::CHOICES
            .iter()
            .find(|c| c.2 == self)
            .map_or("", |c| c.0)
    }
}

/// The value named `s` (exactly, after trimming) among `T`'s choices.
pub fn choose<T: Choice>(s: &str) -> Result<T, ValueError> {
    if let Some(c) = T::CHOICES.iter().find(|c| c.0 == s.trim()) {
        return Ok(c.2);
    }
    let names: Vec<String> = T::CHOICES.iter().map(|c| format!("'{}'", c.0)).collect();
    let expected = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    };
    Err(ValueError::NotAChoice {
        what: T::WHAT,
        expected,
        value: s.to_string(),
    })
}

impl Choice for crate::sim::Mode {
    const WHAT: &'static str = "mode";
    const CHOICES: &'static [(&'static str, &'static str, Self)] = &[
        ("fast", "The rotation-reduced engines (default)", Self::Fast),
        ("physical", "The original basis", Self::Physical),
    ];
}

impl Choice for crate::sim::Integrator {
    const WHAT: &'static str = "integrator";
    const CHOICES: &'static [(&'static str, &'static str, Self)] = &[
        ("euler", "Gradient descent (THEORY 1)", Self::Euler),
        (
            "rk4",
            "The flow, classical Runge-Kutta with a fixed step",
            Self::Rk4,
        ),
        (
            "adaptive",
            "The flow, Dormand-Prince 5(4) with error control",
            Self::Adaptive,
        ),
    ];
}

impl Choice for crate::sim::SpectrumMethod {
    const WHAT: &'static str = "sampler";
    const CHOICES: &'static [(&'static str, &'static str, Self)] = &[
        (
            "bidiagonal",
            "The bidiagonal (Dumitriu-Edelman) model",
            Self::Bidiagonal,
        ),
        ("dense", "A dense Wishart matrix", Self::Dense),
    ];
}

impl Choice for crate::poly::PolyFormat {
    const WHAT: &'static str = "format";
    const CHOICES: &'static [(&'static str, &'static str, Self)] = &[
        ("text", "Plain text (`3/2*q^2*r`)", Self::Text),
        ("latex", "LaTeX (`\\frac{3}{2} q^{2} r`)", Self::Latex),
        ("sympy", "SymPy (`Rational(3, 2)*q**2*r`)", Self::Sympy),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_are_finite_and_in_range() {
        assert_eq!(number(" 1.5 "), Ok(1.5));
        assert_eq!(nonneg("0"), Ok(0.0));
        assert_eq!(positive("2e-3"), Ok(2e-3));
        assert_eq!(size_n("1"), Ok(1.0));
        let msg = |r: Result<f64, ValueError>| r.unwrap_err().to_string();
        assert_eq!(msg(number("abc")), "`abc` is not a number");
        assert_eq!(msg(number("inf")), "inf is not a finite number");
        assert_eq!(msg(nonneg("-1")), "-1 is negative; give a number >= 0");
        assert_eq!(msg(positive("0")), "0 is not positive; give a number > 0");
        assert_eq!(msg(size_n("0.5")), "0.5 is not a size: n must be >= 1");
        assert!(msg(number(&"x".repeat(100))).contains("(100 characters)"));
        assert_eq!(
            ensure_nonneg(-0.5).unwrap_err(),
            nonneg("-0.5").unwrap_err()
        );
        assert!(ensure_positive(f64::NAN).is_err());
        assert_eq!(ensure_positive(0.25), Ok(0.25));
    }

    #[test]
    fn integers_name_what_is_wrong() {
        assert_eq!(count("3"), Ok(3));
        assert_eq!(count2("2"), Ok(2));
        let msg = |r: Result<usize, ValueError>| r.unwrap_err().to_string();
        assert_eq!(msg(count("0")), "0 is too small; give an integer >= 1");
        assert_eq!(msg(count2("1")), "1 is too small; give an integer >= 2");
        assert_eq!(msg(count("-4")), "-4 is negative; give an integer >= 1");
        assert_eq!(msg(count("1.5")), "`1.5` is not an integer");
        assert_eq!(
            msg(count("99999999999999999999999")),
            "99999999999999999999999 is too large"
        );
        assert_eq!(
            ensure_count(0, 1),
            Err(ValueError::TooSmall { value: 0, min: 1 })
        );
    }

    #[test]
    fn choices_read_their_names_and_list_them_otherwise() {
        use crate::sim::{Integrator, Mode};
        assert_eq!(choose::<Mode>(" physical"), Ok(Mode::Physical));
        assert_eq!(Integrator::Rk4.name(), "rk4");
        assert_eq!(
            choose::<Mode>("slow").unwrap_err().to_string(),
            "mode must be 'fast' or 'physical', not \"slow\""
        );
        assert_eq!(
            choose::<Integrator>("x").unwrap_err().to_string(),
            "integrator must be 'euler', 'rk4' or 'adaptive', not \"x\""
        );
        // The names are serde's.
        for &(name, _, m) in <Mode as Choice>::CHOICES {
            assert_eq!(serde_json::to_value(m).unwrap(), name);
        }
    }

    #[test]
    fn data_sizes_and_distinct_sizes() {
        assert_eq!(data_size("inf"), Ok(TrainingSize(None)));
        assert_eq!(data_size("Infinity"), Ok(TrainingSize(None)));
        assert_eq!(data_size("12"), Ok(TrainingSize(Some(12))));
        assert_eq!(
            data_size("x").unwrap_err().to_string(),
            "expected an integer or `inf`, got `x`"
        );
        assert_eq!(distinct_sizes(&[256.0, 512.0]), Ok(()));
        assert_eq!(
            distinct_sizes(&[512.0, 256.0, 512.0])
                .unwrap_err()
                .to_string(),
            "the size 512 is given twice; give distinct sizes (e.g. --n 256,512,1024)"
        );
    }
}
