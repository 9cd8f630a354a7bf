//! Exact truncated power series over Q[constants], and the exact spectral moments they need.
//!
//! A [`Series`] of length `n + 1` holds the ordinary Taylor coefficients `[T^0], ..., [T^n]` of a
//! function of the face time `T`, each a [`Poly`] in the face's finite constants. Products cost
//! `O(n^2)` polynomial multiplications; composition `O(n^3)`.

use crate::poly::{rat, Poly, Vars};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};

/// Ordinary Taylor coefficients, index = power of the time variable.
pub type Series = Vec<Poly>;

/// The zero series of a given length, in the variables `vars`.
pub fn zero(vars: &Vars, len: usize) -> Series {
    vec![Poly::zero(vars); len]
}

/// `c + 0 T + ...`.
pub fn constant(c: Poly, len: usize) -> Series {
    let mut s = zero(c.vars(), len);
    if len > 0 {
        s[0] = c;
    }
    s
}

/// `a + b` (same length).
pub fn add(a: &Series, b: &Series) -> Series {
    a.iter().zip(b).map(|(x, y)| x.add(y)).collect()
}

/// `a - b` (same length).
pub fn sub(a: &Series, b: &Series) -> Series {
    a.iter().zip(b).map(|(x, y)| x.sub(y)).collect()
}

/// Every coefficient times the polynomial `p`.
pub fn mul_poly(a: &Series, p: &Poly) -> Series {
    a.iter().map(|x| x.mul(p)).collect()
}

/// Every coefficient times the rational `c`.
pub fn scale(a: &Series, c: &BigRational) -> Series {
    a.iter().map(|x| x.scale(c)).collect()
}

/// The coefficient `[T^k] (a b)`.
pub fn mul_coeff(a: &Series, b: &Series, k: usize) -> Poly {
    let mut out = Poly::zero(a[0].vars());
    for i in 0..=k {
        if i < a.len() && k - i < b.len() && !a[i].is_zero() && !b[k - i].is_zero() {
            out.add_assign(&a[i].mul(&b[k - i]));
        }
    }
    out
}

/// `a b` truncated to `len` coefficients.
pub fn mul(a: &Series, b: &Series, len: usize) -> Series {
    (0..len).map(|k| mul_coeff(a, b, k)).collect()
}

/// `sum_m f[m] x^m`, truncated to `len`, for `x` with zero constant term (Horner).
pub fn compose(f: &[Poly], x: &Series, len: usize) -> Series {
    debug_assert!(x[0].is_zero());
    let top = f.len().min(len);
    let mut acc = zero(x[0].vars(), len);
    for m in (0..top).rev() {
        acc = mul(&acc, x, len);
        acc[0].add_assign(&f[m]);
    }
    acc
}

/// `n!` as a rational.
pub fn factorial(n: usize) -> BigRational {
    let mut f = BigInt::one();
    for k in 2..=n {
        f *= k;
    }
    BigRational::from_integer(f)
}

/// From Taylor coefficients to derivatives at 0: `c_n = n! [T^n]` (the convention of the
/// expansion hierarchy, `l(T) = sum_n c_n T^n / n!`).
pub fn to_derivatives(a: &Series) -> Vec<Poly> {
    a.iter()
        .enumerate()
        .map(|(n, p)| p.scale(&factorial(n)))
        .collect()
}

/// Binomial coefficient.
pub fn binom(n: u64, k: u64) -> BigInt {
    if k > n {
        return BigInt::zero();
    }
    let mut b = BigInt::one();
    for t in 0..k {
        b = b * (n - t) / (t + 1);
    }
    b
}

/// Narayana number `N(m, i) = C(m, i) C(m, i-1) / m` (m >= 1, 1 <= i <= m).
pub fn narayana(m: u64, i: u64) -> BigInt {
    binom(m, i) * binom(m, i - 1) / m
}

/// `E_{MP_y} lam^m = sum_{i=1}^m N(m, i) y^(i-1)` (and 1 for m = 0), as a polynomial in
/// the variables `vars`, `y` being the one named `y`.
pub fn mp_moment(m: u64, vars: &Vars, y: &str) -> Poly {
    if m == 0 {
        return Poly::constant(vars, rat(1));
    }
    let yi = vars.index(y).expect("y is a variable");
    let mut p = Poly::zero(vars);
    for i in 1..=m {
        let mut e = vec![0; vars.len()];
        e[yi] = (i - 1) as i32;
        p.add_term(e, BigRational::from_integer(narayana(m, i)));
    }
    p
}

/// Moment `E_{x ~ mu_A} x^j = (1/p) tr A0^j = sum_k N(j, k) q^j r^k` for j >= 1 (1 for j = 0),
/// in the variables `vars`, which contain `q` and `r`.
pub fn mu_a_moment(j: u64, vars: &Vars) -> Poly {
    if j == 0 {
        return Poly::constant(vars, rat(1));
    }
    let qi = vars.index("q").expect("q is a variable");
    let ri = vars.index("r").expect("r is a variable");
    let mut p = Poly::zero(vars);
    for k in 1..=j {
        let mut e = vec![0; vars.len()];
        e[qi] = j as i32;
        e[ri] = k as i32;
        p.add_term(e, BigRational::from_integer(narayana(j, k)));
    }
    p
}

/// The logistic `m_s(x)` (`dm/ds = m (1 - m)`, `m_0 = x`) as a power series in s whose
/// coefficients are polynomials in the single variable x: `m_{n+1} = (m_n - [m^2]_n)/(n+1)`.
pub fn logistic_in_x(len: usize) -> Series {
    let x = Vars::new(["x"]);
    let mut m = zero(&x, len);
    m[0] = Poly::var(&x, "x");
    for n in 0..len.saturating_sub(1) {
        let sq = mul_coeff(&m, &m, n);
        m[n + 1] = m[n]
            .sub(&sq)
            .scale(&BigRational::new(1.into(), (n as i64 + 1).into()));
    }
    m
}

/// Substitute `s = k T`: coefficient n is multiplied by `k^n`.
pub fn rescale_time(a: &Series, k: &BigRational) -> Series {
    let mut f = BigRational::one();
    a.iter()
        .map(|p| {
            let out = p.scale(&f);
            f = &f * k;
            out
        })
        .collect()
}

/// Replace the variable x of each coefficient (a polynomial in x alone) by the polynomial
/// `sub(j)` for `x^j` (a linear functional on Q[x], such as a moment map), giving a series in
/// the variables `vars`.
pub fn apply_moments(a: &Series, vars: &Vars, mut sub: impl FnMut(u64) -> Poly) -> Series {
    let mut cache: Vec<Option<Poly>> = Vec::new();
    a.iter()
        .map(|p| {
            let mut out = Poly::zero(vars);
            for (e, c) in p.terms() {
                let j = p.exponent(e, "x") as usize;
                if cache.len() <= j {
                    cache.resize(j + 1, None);
                }
                if cache[j].is_none() {
                    cache[j] = Some(sub(j as u64));
                }
                out.add_assign(&cache[j].as_ref().expect("filled").scale(c));
            }
            out
        })
        .collect()
}

/// Square an auxiliary square root: a polynomial in `s = sqrt r` (the variable named `from`)
/// written in `r = s^2` (named `to`). Returns `None` when an odd power of s is present.
pub fn halve_exponent(p: &Poly, from: &str, to: &str) -> Option<Poly> {
    p.root_var(from, 2, to)
}

/// Evaluate `sum_n a[n] T^n` in floating point at the constants `at`.
pub fn eval_f64(a: &Series, at: &[f64], t: f64) -> f64 {
    let mut sum = 0.0;
    let mut pw = 1.0;
    for p in a {
        sum += p.eval_f64(at) * pw;
        pw *= t;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::{frac, PolyFormat};

    #[test]
    fn narayana_and_moments() {
        assert_eq!(narayana(4, 2), BigInt::from(6));
        // E_MP lam^3 = 1 + 3y + y^2.
        let m3 = mp_moment(3, &Vars::new(["y"]), "y");
        assert_eq!(m3.format(PolyFormat::Text), "y^2 + 3*y + 1");
        // (1/p) E tr A^2 = q^2 (r + r^2) at leading order.
        let a2 = mu_a_moment(2, &Vars::new(["q", "r"]));
        assert_eq!(a2.format(PolyFormat::Text), "q^2*r^2 + q^2*r");
    }

    #[test]
    fn logistic_series_matches_closed_form() {
        // m_s(x) at x = 1/3: compare the series with the closed form at s = 0.1.
        let m = logistic_in_x(20);
        let s = 0.1f64;
        let x = 1.0 / 3.0;
        let approx = eval_f64(&m, &[x], s);
        let exact = x * s.exp() / (1.0 + x * (s.exp() - 1.0));
        assert!((approx - exact).abs() < 1e-15);
        assert_eq!(m[1].format(PolyFormat::Text), "-x^2 + x");
    }

    #[test]
    fn compose_exp() {
        // e^{x(T)} with x = T: coefficients 1/n!.
        let len = 6;
        let none = Vars::empty();
        let mut x = zero(&none, len);
        x[1] = Poly::constant(&none, rat(1));
        let f: Vec<Poly> = (0..len)
            .map(|m| Poly::constant(&none, factorial(m).recip()))
            .collect();
        let e = compose(&f, &x, len);
        for (n, p) in e.iter().enumerate() {
            assert_eq!(p.coeff(&[]), factorial(n).recip());
        }
        assert_eq!(to_derivatives(&e)[5].coeff(&[]), rat(1));
        assert_eq!(rescale_time(&e, &frac(1, 2))[2].coeff(&[]), frac(1, 8));
    }
}
