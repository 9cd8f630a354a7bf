//! Spectral laws of the data covariance Sigma (THEORY 9.1): x ~ N(0, Sigma), with a spectral
//! law `mu_Sigma` of fixed shape as p grows.
//!
//! * `atoms(v1: w1, ...)`: `sum_i w_i delta_{v_i}`, exact rationals, `v_i > 0`, `w_i > 0`,
//!   `sum w_i = 1`;
//! * `uniform(a, b)`: uniform on `[a, b]`, `0 <= a < b`;
//! * `powerlaw(a)`: the law of `(1 - a) U^(-a)`, U uniform on (0, 1), `0 < a < 1`: mean 1,
//!   density `~ x^(-1 - 1/a)`, so `m_k` is finite iff `k < 1/a` (heavy tail, unbounded support);
//! * `file("eigs.txt")`: the empirical law of a list of eigenvalues (one per line), read by the
//!   caller ([`SpectrumLaw::resolve`]) and stored exactly (decimals are exact rationals);
//! * `identity`: `delta_1`, the isotropic default.
//!
//! At size p the eigenvalues are the law's quantiles at `(i - 1/2)/p`, i = 1..p
//! ([`SpectrumLaw::eigenvalues`]). The moments `m_k = E[lam^k]` are exact where they are finite
//! ([`SpectrumLaw::moment`]): atoms `sum w v^k`; uniform `(b^(k+1) - a^(k+1)) / ((k+1)(b - a))`;
//! powerlaw `(1 - a)^k / (1 - a k)` for `a k < 1`, infinite otherwise; identity 1.
//!
//! Scale (THEORY 9.1): the flow is linear in S, so `L(t; c Sigma) = c L(c t; Sigma)` exactly.
//! [`SpectrumLaw::normalized`] returns the law with mean 1 and the factor `c = m_1`.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use std::fmt;

/// A spectral law (module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpectrumLaw {
    /// `delta_1`: isotropic data (the default).
    Identity,
    /// Atoms `(value, weight)`, sorted by value, equal values merged.
    Atoms(Vec<(BigRational, BigRational)>),
    /// Uniform on `[a, b]`.
    Uniform {
        /// Lower end, `>= 0`.
        a: BigRational,
        /// Upper end, `> a`.
        b: BigRational,
    },
    /// The law of `(1 - a) U^(-a)`, `0 < a < 1`.
    PowerLaw {
        /// The tail exponent a.
        a: BigRational,
    },
    /// The empirical law of a list of eigenvalues (sorted), read from `source`.
    Empirical {
        /// Where the list came from (the path as written).
        source: String,
        /// The eigenvalues, exact, sorted increasingly.
        values: Vec<BigRational>,
    },
    /// `file("path")` as written in a spec, not yet read: see [`SpectrumLaw::resolve`].
    File {
        /// The path as written.
        path: String,
    },
}

/// Largest eigenvalue file read for `file("...")`: 16 MiB of text (about a million eigenvalues).
pub const MAX_EIGENVALUE_FILE_BYTES: u64 = 16 << 20;

/// A moment `m_k = E[lam^k]` of a spectral law.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Moment {
    /// Finite, exact.
    Finite(BigRational),
    /// Infinite (heavy tail: `powerlaw(a)` with `a k >= 1`).
    Infinite,
}

impl Moment {
    /// The value, if finite.
    pub fn finite(&self) -> Option<&BigRational> {
        match self {
            Moment::Finite(v) => Some(v),
            Moment::Infinite => None,
        }
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Moment::Finite(v) => write!(f, "{v}"),
            Moment::Infinite => write!(f, "inf"),
        }
    }
}

/// Why a spectral law is invalid or cannot be evaluated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpectrumError {
    /// An atom value is not positive.
    #[error("atom {index}: the eigenvalue {value} must be > 0")]
    AtomValue {
        /// 0-based atom index.
        index: usize,
        /// The value, rendered.
        value: String,
    },
    /// An atom weight is not positive.
    #[error("atom {index}: the weight {weight} must be > 0")]
    AtomWeight {
        /// 0-based atom index.
        index: usize,
        /// The weight, rendered.
        weight: String,
    },
    /// The atom weights do not sum to 1.
    #[error("the weights sum to {sum}, not 1")]
    WeightSum {
        /// Their sum, rendered.
        sum: String,
        /// `1 - sum`, rendered.
        missing: String,
    },
    /// `uniform(a, b)` with `a < 0`.
    #[error("uniform(a, b) needs a >= 0 (got a = {a})")]
    UniformLow {
        /// The lower end, rendered.
        a: String,
    },
    /// `uniform(a, b)` with `a >= b`.
    #[error("uniform(a, b) needs a < b (got a = {a}, b = {b})")]
    UniformOrder {
        /// Lower end, rendered.
        a: String,
        /// Upper end, rendered.
        b: String,
    },
    /// `powerlaw(a)` outside `0 < a < 1`.
    #[error("powerlaw(a) needs 0 < a < 1 (got a = {a})")]
    PowerLawExponent {
        /// The exponent, rendered.
        a: String,
    },
    /// An eigenvalue file has no eigenvalues.
    #[error("{file}: no eigenvalues found")]
    EmptyFile {
        /// The file.
        file: String,
    },
    /// A line of an eigenvalue file is not a nonnegative number.
    #[error("{file}, line {line}: {message} (found `{text}`)")]
    FileLine {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// The offending text.
        text: String,
        /// What is wrong.
        message: String,
    },
    /// Every eigenvalue is zero (the mean must be > 0).
    #[error("{file}: every eigenvalue is 0; the covariance must have a positive trace")]
    AllZero {
        /// The file.
        file: String,
    },
    /// An eigenvalue file cannot be read.
    #[error("cannot read the eigenvalue file {file}: {reason}")]
    Unreadable {
        /// The file (as resolved).
        file: String,
        /// Why.
        reason: String,
    },
    /// `file("...")` has not been read yet.
    #[error("the eigenvalue file {path:?} has not been read")]
    Unresolved {
        /// The path.
        path: String,
    },
}

impl SpectrumError {
    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            SpectrumError::AtomValue { .. } => {
                "covariance eigenvalues are > 0 in atoms(...); e.g. atoms(1/2: 1/2, 3/2: 1/2)"
                    .into()
            }
            SpectrumError::AtomWeight { .. } => {
                "weights are positive fractions that sum to 1, e.g. atoms(1: 3/4, 4: 1/4)".into()
            }
            SpectrumError::WeightSum { missing, .. } => {
                format!("the weights must sum to 1 (adjust by {missing})")
            }
            SpectrumError::UniformLow { .. } | SpectrumError::UniformOrder { .. } => {
                "write uniform(a, b) with 0 <= a < b, e.g. uniform(0, 2)".into()
            }
            SpectrumError::PowerLawExponent { .. } => {
                "the tail exponent a is in (0, 1), e.g. powerlaw(1/3); m_k is infinite for k >= 1/a"
                    .into()
            }
            SpectrumError::EmptyFile { .. } => {
                "put one eigenvalue per line (blank lines and # comments are skipped)".into()
            }
            SpectrumError::FileLine { .. } => {
                "each line holds one eigenvalue >= 0, like 2.5, 1/3 or 1.2e-3; clip tiny negative \
                 values from rounding to 0"
                    .into()
            }
            SpectrumError::AllZero { .. } => "give at least one positive eigenvalue".into(),
            SpectrumError::Unreadable { .. } => format!(
                "a path in a spec file is relative to that file's directory, in --spectrum or an inline spec to the working directory; at most {} MiB of text, one eigenvalue per line",
                MAX_EIGENVALUE_FILE_BYTES >> 20
            ),
            SpectrumError::Unresolved { .. } => {
                "read the file first (SpectrumLaw::resolve); the CLI does this".into()
            }
        }
    }
}

fn rat(n: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(n))
}

/// Parse a nonnegative decimal exactly: `2`, `2.5`, `.5`, `1/3`, `1.2e-3`, `+4E2`.
pub fn parse_exact_number(text: &str) -> Option<BigRational> {
    let t = text.trim();
    if let Some((n, d)) = t.split_once('/') {
        let n = parse_exact_number(n)?;
        let d = parse_exact_number(d)?;
        if d.is_zero() {
            return None;
        }
        return Some(n / d);
    }
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (mant, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let (ip, fp) = match mant.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mant, ""),
    };
    if (ip.is_empty() && fp.is_empty())
        || !ip.chars().all(|c| c.is_ascii_digit())
        || !fp.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{ip}{fp}");
    let num: BigInt = if digits.is_empty() {
        BigInt::zero()
    } else {
        digits.parse().ok()?
    };
    let mut x = BigRational::new(num, num_traits::pow(BigInt::from(10), fp.len()));
    if let Some(e) = exp {
        let e: i32 = e.parse().ok()?;
        if e.unsigned_abs() > 400 {
            return None;
        }
        x *= crate::poly::pow_rat(&rat(10), e);
    }
    Some(if neg { -x } else { x })
}

impl SpectrumLaw {
    /// `atoms(v1: w1, ...)`: checks `v_i > 0`, `w_i > 0`, `sum w_i = 1`; sorts and merges.
    pub fn atoms(atoms: Vec<(BigRational, BigRational)>) -> Result<SpectrumLaw, SpectrumError> {
        let mut sum = BigRational::zero();
        for (index, (v, w)) in atoms.iter().enumerate() {
            if !v.is_positive() {
                return Err(SpectrumError::AtomValue {
                    index,
                    value: v.to_string(),
                });
            }
            if !w.is_positive() {
                return Err(SpectrumError::AtomWeight {
                    index,
                    weight: w.to_string(),
                });
            }
            sum += w;
        }
        if !sum.is_one() {
            return Err(SpectrumError::WeightSum {
                missing: (BigRational::one() - &sum).to_string(),
                sum: sum.to_string(),
            });
        }
        let mut sorted = atoms;
        sorted.sort();
        let mut merged: Vec<(BigRational, BigRational)> = Vec::with_capacity(sorted.len());
        for (v, w) in sorted {
            match merged.last_mut() {
                Some((lv, lw)) if *lv == v => *lw += w,
                _ => merged.push((v, w)),
            }
        }
        Ok(SpectrumLaw::Atoms(merged))
    }

    /// `uniform(a, b)` with `0 <= a < b`.
    pub fn uniform(a: BigRational, b: BigRational) -> Result<SpectrumLaw, SpectrumError> {
        if a.is_negative() {
            return Err(SpectrumError::UniformLow { a: a.to_string() });
        }
        if a >= b {
            return Err(SpectrumError::UniformOrder {
                a: a.to_string(),
                b: b.to_string(),
            });
        }
        Ok(SpectrumLaw::Uniform { a, b })
    }

    /// `powerlaw(a)` with `0 < a < 1`.
    pub fn powerlaw(a: BigRational) -> Result<SpectrumLaw, SpectrumError> {
        if !a.is_positive() || a >= BigRational::one() {
            return Err(SpectrumError::PowerLawExponent { a: a.to_string() });
        }
        Ok(SpectrumLaw::PowerLaw { a })
    }

    /// The empirical law of a list of eigenvalues given as text, one per line (blank lines and
    /// `#` comments skipped; a value may be followed by further columns, which are ignored).
    /// Values are exact (`1.25` is 5/4) and must be >= 0, not all 0.
    pub fn empirical(source: &str, text: &str) -> Result<SpectrumLaw, SpectrumError> {
        let mut values = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let body = line.split('#').next().unwrap_or("").trim();
            let body = body.trim_start_matches('\u{feff}');
            if body.is_empty() {
                continue;
            }
            let tok = body
                .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .next()
                .unwrap_or("");
            let err = |message: &str| SpectrumError::FileLine {
                file: source.to_string(),
                line: i + 1,
                text: tok.to_string(),
                message: message.to_string(),
            };
            let v = parse_exact_number(tok).ok_or_else(|| err("not a number"))?;
            if v.is_negative() {
                return Err(err("a covariance eigenvalue must be >= 0"));
            }
            values.push(v);
        }
        if values.is_empty() {
            return Err(SpectrumError::EmptyFile {
                file: source.to_string(),
            });
        }
        if values.iter().all(Zero::is_zero) {
            return Err(SpectrumError::AllZero {
                file: source.to_string(),
            });
        }
        values.sort();
        Ok(SpectrumLaw::Empirical {
            source: source.to_string(),
            values,
        })
    }

    /// Read a `file("...")` law with `read(path)` (other laws are returned unchanged).
    pub fn resolve<E: fmt::Display>(
        self,
        read: impl FnOnce(&str) -> Result<String, E>,
    ) -> Result<SpectrumLaw, SpectrumError> {
        match self {
            SpectrumLaw::File { path } => {
                let text = read(&path).map_err(|e| SpectrumError::Unreadable {
                    file: path.clone(),
                    reason: e.to_string(),
                })?;
                SpectrumLaw::empirical(&path, &text)
            }
            other => Ok(other),
        }
    }

    /// True for the isotropic law.
    pub fn is_identity(&self) -> bool {
        match self {
            SpectrumLaw::Identity => true,
            SpectrumLaw::Atoms(a) => a.len() == 1 && a[0].0.is_one(),
            _ => false,
        }
    }

    /// True when the support is bounded (every moment finite): all laws but `powerlaw`.
    pub fn bounded_support(&self) -> bool {
        !matches!(self, SpectrumLaw::PowerLaw { .. })
    }

    /// `m_k = E[lam^k]`, exact (`m_0 = 1`).
    pub fn moment(&self, k: u32) -> Result<Moment, SpectrumError> {
        let kk = k as usize;
        Ok(Moment::Finite(match self {
            SpectrumLaw::Identity => BigRational::one(),
            SpectrumLaw::Atoms(atoms) => atoms
                .iter()
                .map(|(v, w)| w * num_traits::pow(v.clone(), kk))
                .sum(),
            SpectrumLaw::Uniform { a, b } => {
                let num = num_traits::pow(b.clone(), kk + 1) - num_traits::pow(a.clone(), kk + 1);
                num / (rat(i64::from(k) + 1) * (b - a))
            }
            SpectrumLaw::PowerLaw { a } => {
                let den = BigRational::one() - a * rat(i64::from(k));
                if !den.is_positive() {
                    return Ok(Moment::Infinite);
                }
                num_traits::pow(BigRational::one() - a, kk) / den
            }
            SpectrumLaw::Empirical { values, .. } => {
                let n = rat(values.len() as i64);
                values
                    .iter()
                    .map(|v| num_traits::pow(v.clone(), kk))
                    .sum::<BigRational>()
                    / n
            }
            SpectrumLaw::File { path } => {
                return Err(SpectrumError::Unresolved { path: path.clone() })
            }
        }))
    }

    /// `m_1, ..., m_kmax`.
    pub fn moments(&self, kmax: u32) -> Result<Vec<Moment>, SpectrumError> {
        (1..=kmax).map(|k| self.moment(k)).collect()
    }

    /// For `powerlaw(a)`: the smallest k with `m_k` infinite (`ceil(1/a)`, or `1/a` when it is
    /// an integer); None for laws with bounded support.
    pub fn first_infinite_moment(&self) -> Option<u32> {
        match self {
            SpectrumLaw::PowerLaw { a } => {
                let inv = a.recip();
                let c = inv.ceil().to_integer();
                u32::try_from(c).ok()
            }
            _ => None,
        }
    }

    /// The mean `m_1` (exact; every law here has a finite mean).
    pub fn mean(&self) -> Result<BigRational, SpectrumError> {
        match self.moment(1)? {
            Moment::Finite(v) => Ok(v),
            Moment::Infinite => unreachable!("powerlaw(a) has a < 1, so m_1 is finite"),
        }
    }

    /// The law scaled to mean 1, and the factor `c = m_1`: `Sigma = c Sigma'` with
    /// `mean(Sigma') = 1`, and `L(t; Sigma) = c L(c t; Sigma')` exactly (THEORY 9.1).
    pub fn normalized(&self) -> Result<(SpectrumLaw, BigRational), SpectrumError> {
        let c = self.mean()?;
        let law = match self {
            SpectrumLaw::Identity | SpectrumLaw::PowerLaw { .. } => self.clone(),
            SpectrumLaw::Atoms(atoms) => {
                SpectrumLaw::Atoms(atoms.iter().map(|(v, w)| (v / &c, w.clone())).collect())
            }
            SpectrumLaw::Uniform { a, b } => SpectrumLaw::Uniform {
                a: a / &c,
                b: b / &c,
            },
            SpectrumLaw::Empirical { source, values } => SpectrumLaw::Empirical {
                source: source.clone(),
                values: values.iter().map(|v| v / &c).collect(),
            },
            SpectrumLaw::File { path } => {
                return Err(SpectrumError::Unresolved { path: path.clone() })
            }
        };
        Ok((law, c))
    }

    /// The eigenvalues at size p: the quantiles of the law at `(i - 1/2)/p`, i = 1..p, in
    /// increasing order (the left-continuous quantile `inf{x : F(x) >= u}`).
    pub fn eigenvalues(&self, p: usize) -> Result<Vec<f64>, SpectrumError> {
        let to_f = crate::poly::rat_to_f64;
        let two_p = BigInt::from(2 * p);
        let u = |i: usize| BigRational::new(BigInt::from(2 * i - 1), two_p.clone());
        let mut out = Vec::with_capacity(p);
        for i in 1..=p {
            let x = match self {
                SpectrumLaw::Identity => 1.0,
                SpectrumLaw::Atoms(atoms) => {
                    let ui = u(i);
                    let mut cum = BigRational::zero();
                    let mut v = &atoms[atoms.len() - 1].0;
                    for (val, w) in atoms {
                        cum += w;
                        if cum >= ui {
                            v = val;
                            break;
                        }
                    }
                    to_f(v)
                }
                SpectrumLaw::Uniform { a, b } => to_f(&(a + (b - a) * u(i))),
                SpectrumLaw::PowerLaw { a } => {
                    let af = to_f(a);
                    let one_minus_u = (2 * (p - i) + 1) as f64 / (2 * p) as f64;
                    (1.0 - af) * one_minus_u.powf(-af)
                }
                SpectrumLaw::Empirical { values, .. } => {
                    // ceil(u n), 1-based
                    let n = values.len();
                    let num = (2 * i - 1) * n;
                    let idx = num.div_ceil(2 * p);
                    to_f(&values[idx.clamp(1, n) - 1])
                }
                SpectrumLaw::File { path } => {
                    return Err(SpectrumError::Unresolved { path: path.clone() })
                }
            };
            out.push(x);
        }
        Ok(out)
    }

    /// `tr(Sigma_p^k)/p` for the eigenvalues at size p (finite for every law; for a heavy tail
    /// it grows with p when `m_k` is infinite, like `p^(a k - 1)`).
    pub fn finite_size_moment(&self, p: usize, k: i32) -> Result<f64, SpectrumError> {
        let e = self.eigenvalues(p)?;
        Ok(e.iter().map(|x| x.powi(k)).sum::<f64>() / p as f64)
    }
}

impl fmt::Display for SpectrumLaw {
    /// The spec syntax: `atoms(1/2: 1/2, 3/2: 1/2)`, `uniform(0, 2)`, `powerlaw(1/3)`,
    /// `file("eigs.txt")`, `identity`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpectrumLaw::Identity => write!(f, "identity"),
            SpectrumLaw::Atoms(atoms) => {
                let parts: Vec<String> = atoms.iter().map(|(v, w)| format!("{v}: {w}")).collect();
                write!(f, "atoms({})", parts.join(", "))
            }
            SpectrumLaw::Uniform { a, b } => write!(f, "uniform({a}, {b})"),
            SpectrumLaw::PowerLaw { a } => write!(f, "powerlaw({a})"),
            SpectrumLaw::Empirical { source, .. } => write!(f, "file({source:?})"),
            SpectrumLaw::File { path } => write!(f, "file({path:?})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::frac;

    fn two_level() -> SpectrumLaw {
        SpectrumLaw::atoms(vec![(frac(3, 2), frac(1, 2)), (frac(1, 2), frac(1, 2))]).unwrap()
    }

    #[test]
    fn atoms_moments_quantiles_and_display() {
        let l = two_level();
        assert_eq!(l.to_string(), "atoms(1/2: 1/2, 3/2: 1/2)");
        let m: Vec<Moment> = l.moments(3).unwrap();
        assert_eq!(
            m,
            vec![
                Moment::Finite(frac(1, 1)),
                Moment::Finite(frac(5, 4)),
                Moment::Finite(frac(7, 4))
            ]
        );
        assert_eq!(l.eigenvalues(4).unwrap(), vec![0.5, 0.5, 1.5, 1.5]);
        // odd p: the middle quantile u = 1/2 sits exactly on the cumulative weight 1/2
        assert_eq!(l.eigenvalues(3).unwrap(), vec![0.5, 0.5, 1.5]);
        assert!(l.bounded_support() && !l.is_identity());
        // merging and sorting
        let l2 = SpectrumLaw::atoms(vec![
            (frac(1, 1), frac(1, 4)),
            (frac(1, 1), frac(1, 4)),
            (frac(1, 2), frac(1, 2)),
        ])
        .unwrap();
        assert_eq!(l2.to_string(), "atoms(1/2: 1/2, 1: 1/2)");
    }

    #[test]
    fn validation() {
        let e = SpectrumLaw::atoms(vec![(frac(1, 1), frac(1, 2))]).unwrap_err();
        assert_eq!(
            e,
            SpectrumError::WeightSum {
                sum: "1/2".into(),
                missing: "1/2".into()
            }
        );
        assert!(e.hint().contains("1/2"));
        assert!(matches!(
            SpectrumLaw::atoms(vec![(frac(0, 1), frac(1, 1))]),
            Err(SpectrumError::AtomValue { index: 0, .. })
        ));
        assert!(SpectrumLaw::uniform(frac(2, 1), frac(1, 1)).is_err());
        assert!(SpectrumLaw::uniform(frac(-1, 1), frac(1, 1)).is_err());
        assert!(SpectrumLaw::uniform(frac(0, 1), frac(1, 1)).is_ok());
        assert!(SpectrumLaw::powerlaw(frac(1, 1)).is_err());
        assert!(SpectrumLaw::powerlaw(frac(0, 1)).is_err());
    }

    #[test]
    fn uniform_and_powerlaw() {
        let u = SpectrumLaw::uniform(frac(0, 1), frac(2, 1)).unwrap();
        // m_k = 2^k / (k + 1)
        assert_eq!(u.moment(2).unwrap(), Moment::Finite(frac(4, 3)));
        assert_eq!(u.eigenvalues(2).unwrap(), vec![0.5, 1.5]);
        let (n, c) = SpectrumLaw::uniform(frac(1, 1), frac(3, 1))
            .unwrap()
            .normalized()
            .unwrap();
        assert_eq!(
            (n.to_string(), c),
            ("uniform(1/2, 3/2)".to_string(), frac(2, 1))
        );
        let pl = SpectrumLaw::powerlaw(frac(1, 3)).unwrap();
        assert_eq!(pl.mean().unwrap(), frac(1, 1));
        // m_2 = (2/3)^2 / (1 - 2/3) = 4/3; m_3 infinite (a k = 1)
        assert_eq!(pl.moment(2).unwrap(), Moment::Finite(frac(4, 3)));
        assert_eq!(pl.moment(3).unwrap(), Moment::Infinite);
        assert_eq!(pl.first_infinite_moment(), Some(3));
        assert_eq!(
            SpectrumLaw::powerlaw(frac(2, 5))
                .unwrap()
                .first_infinite_moment(),
            Some(3)
        );
        assert!(!pl.bounded_support());
        // quantiles: (1 - a)(1 - u)^(-a), increasing
        let e = pl.eigenvalues(1000).unwrap();
        assert!(e.windows(2).all(|w| w[0] < w[1]));
        let mean = e.iter().sum::<f64>() / 1000.0;
        assert!((mean - 1.0).abs() < 0.02, "{mean}");
        // m_4 is infinite: at size p it grows like p^(a k - 1) = p^(1/3)
        let r = pl.finite_size_moment(8000, 4).unwrap() / pl.finite_size_moment(1000, 4).unwrap();
        assert!((r - 2.0).abs() < 0.1, "{r}");
    }

    #[test]
    fn empirical_files() {
        let l = SpectrumLaw::empirical("e.txt", "# PCA\n3\n1.0\n\n2 0.1\n1e-0\n").unwrap();
        assert_eq!(l.mean().unwrap(), frac(7, 4));
        assert_eq!(l.eigenvalues(4).unwrap(), vec![1.0, 1.0, 2.0, 3.0]);
        assert_eq!(l.eigenvalues(2).unwrap(), vec![1.0, 2.0]);
        assert_eq!(l.to_string(), "file(\"e.txt\")");
        let e = SpectrumLaw::empirical("e.txt", "1\n-2\n").unwrap_err();
        assert!(matches!(e, SpectrumError::FileLine { line: 2, .. }), "{e}");
        let e = SpectrumLaw::empirical("e.txt", "1\nx\n").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(matches!(
            SpectrumLaw::empirical("e.txt", "# nothing\n"),
            Err(SpectrumError::EmptyFile { .. })
        ));
        assert!(SpectrumLaw::empirical("e.txt", "0\n0\n").is_err());
        let f = SpectrumLaw::File {
            path: "e.txt".into(),
        };
        assert!(f.moment(1).is_err());
        let r = f.resolve(|_| Ok::<_, String>("2\n".to_string())).unwrap();
        assert_eq!(r.mean().unwrap(), frac(2, 1));
        assert_eq!(parse_exact_number("1.25e2"), Some(frac(125, 1)));
        assert_eq!(parse_exact_number(".5"), Some(frac(1, 2)));
        assert_eq!(parse_exact_number("1/3"), Some(frac(1, 3)));
        assert_eq!(parse_exact_number("e"), None);
    }

    #[test]
    fn identity() {
        let l = SpectrumLaw::Identity;
        assert_eq!(l.moment(5).unwrap(), Moment::Finite(frac(1, 1)));
        assert_eq!(l.eigenvalues(3).unwrap(), vec![1.0; 3]);
        assert!(l.is_identity());
        assert_eq!(l.normalized().unwrap().1, frac(1, 1));
    }
}
