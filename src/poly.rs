//! Sparse multivariate polynomials with exact rational coefficients.
//!
//! `Poly` is a map from exponent vectors (one `i32` per variable, negative powers allowed so that
//! `N^(-D)` or `alpha^(-l)` fit) to nonzero [`BigRational`] coefficients. Variable names are
//! carried by the caller (see [`Poly::format`]). Addition costs O(t1 + t2) map operations and
//! multiplication O(t1 * t2), with t the number of terms.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::collections::BTreeMap;

/// An exponent vector.
pub type Exps = Vec<i32>;

/// A sparse polynomial (or Laurent polynomial) in `nvars` variables over Q.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Poly {
    nvars: usize,
    terms: BTreeMap<Exps, BigRational>,
}

/// How to print a polynomial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolyFormat {
    /// `3/2*q^2*r - q*r`
    Text,
    /// `\frac{3}{2} q^{2} r - q r`
    Latex,
    /// `Rational(3, 2)*q**2*r - q*r` (pastes into SymPy)
    Sympy,
}

impl Poly {
    /// The zero polynomial in `nvars` variables.
    pub fn zero(nvars: usize) -> Self {
        Poly {
            nvars,
            terms: BTreeMap::new(),
        }
    }

    /// A constant.
    pub fn constant(nvars: usize, c: BigRational) -> Self {
        let mut p = Poly::zero(nvars);
        p.add_term(vec![0; nvars], c);
        p
    }

    /// The monomial `c * prod x_i^{e_i}`.
    pub fn monomial(exps: Exps, c: BigRational) -> Self {
        let mut p = Poly::zero(exps.len());
        p.add_term(exps, c);
        p
    }

    /// The variable `x_i`.
    pub fn var(nvars: usize, i: usize) -> Self {
        let mut e = vec![0; nvars];
        e[i] = 1;
        Poly::monomial(e, BigRational::one())
    }

    /// Number of variables.
    pub fn nvars(&self) -> usize {
        self.nvars
    }

    /// Terms in increasing exponent order.
    pub fn terms(&self) -> impl Iterator<Item = (&Exps, &BigRational)> {
        self.terms.iter()
    }

    /// Number of nonzero terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True for the zero polynomial.
    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }

    /// Coefficient of one monomial (zero if absent).
    pub fn coeff(&self, exps: &[i32]) -> BigRational {
        self.terms
            .get(exps)
            .cloned()
            .unwrap_or_else(BigRational::zero)
    }

    /// Add `c * x^exps` in place, dropping the term if it cancels.
    pub fn add_term(&mut self, exps: Exps, c: BigRational) {
        assert_eq!(
            exps.len(),
            self.nvars,
            "exponent vector of the wrong length"
        );
        if c.is_zero() {
            return;
        }
        match self.terms.entry(exps) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(c);
            }
            std::collections::btree_map::Entry::Occupied(mut o) => {
                *o.get_mut() += c;
                if o.get().is_zero() {
                    o.remove();
                }
            }
        }
    }

    /// `self + other`.
    pub fn add(&self, other: &Poly) -> Poly {
        let mut out = self.clone();
        out.add_assign(other);
        out
    }

    /// `self += other`.
    pub fn add_assign(&mut self, other: &Poly) {
        for (e, c) in &other.terms {
            self.add_term(e.clone(), c.clone());
        }
    }

    /// `self - other`.
    pub fn sub(&self, other: &Poly) -> Poly {
        self.add(&other.scale(&-BigRational::one()))
    }

    /// `c * self`.
    pub fn scale(&self, c: &BigRational) -> Poly {
        if c.is_zero() {
            return Poly::zero(self.nvars);
        }
        Poly {
            nvars: self.nvars,
            terms: self.terms.iter().map(|(e, v)| (e.clone(), v * c)).collect(),
        }
    }

    /// `self * other`.
    pub fn mul(&self, other: &Poly) -> Poly {
        assert_eq!(self.nvars, other.nvars);
        let mut out = Poly::zero(self.nvars);
        for (e1, c1) in &self.terms {
            for (e2, c2) in &other.terms {
                let e: Exps = e1.iter().zip(e2).map(|(a, b)| a + b).collect();
                out.add_term(e, c1 * c2);
            }
        }
        out
    }

    /// `self^k` by repeated squaring.
    pub fn pow(&self, mut k: u32) -> Poly {
        let mut base = self.clone();
        let mut acc = Poly::constant(self.nvars, BigRational::one());
        while k > 0 {
            if k & 1 == 1 {
                acc = acc.mul(&base);
            }
            k >>= 1;
            if k > 0 {
                base = base.mul(&base);
            }
        }
        acc
    }

    /// Keep the terms for which `keep(exps)` holds.
    pub fn filter(&self, keep: impl Fn(&[i32]) -> bool) -> Poly {
        Poly {
            nvars: self.nvars,
            terms: self
                .terms
                .iter()
                .filter(|(e, _)| keep(e))
                .map(|(e, c)| (e.clone(), c.clone()))
                .collect(),
        }
    }

    /// Change variables monomial by monomial: each term `c x^e` becomes `c x^{f(e)}`.
    pub fn map_exps(&self, nvars: usize, f: impl Fn(&[i32]) -> Exps) -> Poly {
        let mut out = Poly::zero(nvars);
        for (e, c) in &self.terms {
            out.add_term(f(e), c.clone());
        }
        out
    }

    /// Evaluate at a point, exactly (negative powers allowed for nonzero values).
    pub fn eval_exact(&self, at: &[BigRational]) -> BigRational {
        let mut sum = BigRational::zero();
        for (e, c) in &self.terms {
            let mut t = c.clone();
            for (x, &k) in at.iter().zip(e) {
                t *= pow_rat(x, k);
            }
            sum += t;
        }
        sum
    }

    /// Evaluate in floating point (for curves only).
    pub fn eval_f64(&self, at: &[f64]) -> f64 {
        self.terms
            .iter()
            .map(|(e, c)| {
                let mut t = rat_to_f64(c);
                for (x, &k) in at.iter().zip(e) {
                    t *= x.powi(k);
                }
                t
            })
            .sum()
    }

    /// Parse a polynomial such as `-4*q*r + 3/2 q^2 - y + 0.25` in the variables `names`
    /// (exact; the inverse of [`Poly::format`] with [`PolyFormat::Text`]). The error names the
    /// place that cannot be read.
    pub fn parse(text: &str, names: &[&str]) -> Result<Poly, String> {
        parse::parse_poly(text, names)
    }

    /// Render with the given variable names, highest total degree first.
    pub fn format(&self, names: &[&str], fmt: PolyFormat) -> String {
        assert_eq!(names.len(), self.nvars);
        if self.terms.is_empty() {
            return "0".to_string();
        }
        let mut out = String::new();
        let mut entries: Vec<_> = self.terms.iter().collect();
        entries.sort_by(|a, b| {
            let da: i32 = a.0.iter().sum();
            let db: i32 = b.0.iter().sum();
            db.cmp(&da).then_with(|| b.0.cmp(a.0))
        });
        for (i, (e, c)) in entries.into_iter().enumerate() {
            let neg = c.is_negative();
            let a = c.abs();
            if i == 0 {
                if neg {
                    out.push('-');
                }
            } else {
                out.push_str(if neg { " - " } else { " + " });
            }
            let mut factors: Vec<String> = Vec::new();
            for (name, &k) in names.iter().zip(e) {
                if k == 0 {
                    continue;
                }
                factors.push(match (fmt, k) {
                    (_, 1) => name.to_string(),
                    (PolyFormat::Text, k) if k < 0 => format!("{name}^({k})"),
                    (PolyFormat::Text, k) => format!("{name}^{k}"),
                    (PolyFormat::Latex, k) => format!("{name}^{{{k}}}"),
                    (PolyFormat::Sympy, k) => format!("{name}**{}", paren_neg(k)),
                });
            }
            let one = a.is_one();
            let coef = match fmt {
                PolyFormat::Text => a.to_string(),
                PolyFormat::Latex => {
                    if a.is_integer() {
                        a.to_string()
                    } else {
                        format!("\\frac{{{}}}{{{}}}", a.numer(), a.denom())
                    }
                }
                PolyFormat::Sympy => {
                    if a.is_integer() {
                        a.to_string()
                    } else {
                        format!("Rational({}, {})", a.numer(), a.denom())
                    }
                }
            };
            let sep = match fmt {
                PolyFormat::Latex => " ",
                _ => "*",
            };
            if factors.is_empty() {
                out.push_str(&coef);
            } else if one {
                out.push_str(&factors.join(sep));
            } else {
                out.push_str(&coef);
                out.push_str(sep);
                out.push_str(&factors.join(sep));
            }
        }
        out
    }
}

fn paren_neg(k: i32) -> String {
    if k < 0 {
        format!("({k})")
    } else {
        k.to_string()
    }
}

/// `x^k` for an integer k (x nonzero when k < 0).
pub fn pow_rat(x: &BigRational, k: i32) -> BigRational {
    if k >= 0 {
        num_traits::pow(x.clone(), k as usize)
    } else {
        num_traits::pow(x.recip(), (-k) as usize)
    }
}

/// Nearest f64 to an exact rational (for curve evaluation only).
pub fn rat_to_f64(x: &BigRational) -> f64 {
    if let (Some(n), Some(d)) = (x.numer().to_f64(), x.denom().to_f64()) {
        if n.is_finite() && d.is_finite() && d != 0.0 {
            return n / d;
        }
    }
    // Huge numerator or denominator: shift both to keep about 60 significant bits.
    let nb = x.numer().bits() as i64;
    let db = x.denom().bits() as i64;
    let shift_n = (nb - 60).max(0) as usize;
    let shift_d = (db - 60).max(0) as usize;
    let n = (x.numer() >> shift_n).to_f64().unwrap_or(0.0);
    let d = (x.denom() >> shift_d).to_f64().unwrap_or(1.0);
    n / d * 2f64.powi((shift_n as i64 - shift_d as i64) as i32)
}

/// An integer as a rational.
pub fn rat(n: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(n))
}

/// `n / d` as a rational (d nonzero).
pub fn frac(n: i64, d: i64) -> BigRational {
    BigRational::new(BigInt::from(n), BigInt::from(d))
}

/// Reading polynomials back from text: the inverse of [`Poly::format`] with [`PolyFormat::Text`]
/// (also `**` for powers, juxtaposition for products and decimals such as `0.25`, all exact).
mod parse {
    use super::Poly;
    use nom::branch::alt;
    use nom::bytes::complete::{tag, take_while1};
    use nom::character::complete::{char, digit1, multispace0};
    use nom::combinator::opt;
    use nom::{IResult, Parser};
    use num_bigint::BigInt;
    use num_rational::BigRational;
    use num_traits::One;

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

    pub(crate) fn parse_poly(text: &str, names: &[&str]) -> Result<Poly, String> {
        let nv = names.len();
        let factor = |i| -> IResult<&str, Poly> {
            let (i, _) = ws(i)?;
            if let Ok((i, c)) = coefficient(i) {
                return Ok((i, Poly::constant(nv, c)));
            }
            let (i, name) =
                take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_').parse(i)?;
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polynomials_parse_exactly() {
        let p = Poly::parse("-4*q*r + 3/2 q^2 - y + 0.25", &["q", "r", "y"]).unwrap();
        assert_eq!(p.coeff(&[1, 1, 0]), frac(-4, 1));
        assert_eq!(p.coeff(&[2, 0, 0]), frac(3, 2));
        assert_eq!(p.coeff(&[0, 0, 1]), frac(-1, 1));
        assert_eq!(p.coeff(&[0, 0, 0]), frac(1, 4));
        assert_eq!(
            Poly::parse("q**2*r", &["q", "r"]).unwrap(),
            Poly::parse("r q^2", &["q", "r"]).unwrap()
        );
        assert!(Poly::parse("4*z", &["q"]).is_err());
        assert!(Poly::parse("4 q q", &["q"]).is_ok());
        assert!(Poly::parse("", &["q"]).is_err());
        assert!(Poly::parse("1/0", &["q"]).is_err());
        // format and parse are inverse.
        let names = ["q", "r", "y"];
        assert_eq!(
            Poly::parse(&p.format(&names, PolyFormat::Text), &names).unwrap(),
            p
        );
    }

    #[test]
    fn arithmetic_and_format() {
        let q = Poly::var(2, 0);
        let r = Poly::var(2, 1);
        let p = q.add(&r).pow(2).sub(&q.mul(&r).scale(&rat(2)));
        assert_eq!(p.format(&["q", "r"], PolyFormat::Text), "q^2 + r^2");
        let h = q.scale(&frac(3, 2)).sub(&r);
        assert_eq!(
            h.format(&["q", "r"], PolyFormat::Sympy),
            "Rational(3, 2)*q - r"
        );
        assert_eq!(
            h.format(&["q", "r"], PolyFormat::Latex),
            "\\frac{3}{2} q - r"
        );
        assert_eq!(h.eval_exact(&[rat(2), rat(1)]), rat(2));
        assert!((h.eval_f64(&[2.0, 1.0]) - 2.0).abs() < 1e-15);
    }

    #[test]
    fn huge_rational_to_f64() {
        let big = BigRational::new(BigInt::from(3) << 2000usize, BigInt::from(1) << 1999usize);
        assert!((rat_to_f64(&big) - 6.0).abs() < 1e-12);
    }
}
