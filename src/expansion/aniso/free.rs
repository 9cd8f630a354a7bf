//! The leading (g = 0) part of the anisotropic expansion by free probability (THEORY 9.2),
//! independent of the Wick engine.
//!
//! As p, H, N -> infinity, `(1/p) tr(w)` of a word in A, S and Sigma converges to `phi(w)`,
//! where A is free Poisson (`kappa_n = r q^n`) free from the algebra of S and Sigma, and
//! `S = Sigma^{1/2} S0 Sigma^{1/2}` with S0 free Poisson (`kappa_n = y^(n-1)`) free from Sigma,
//! whose moments are `phi(Sigma^b) = m_b`.
//!
//! Because A is free from {S, Sigma}, the first-block recursion of the isotropic path holds
//! for a letter A whatever the other letters are (A's free cumulants only):
//!
//! ```text
//! phi(A C) = q r phi(C) + q sum_{C = X A Y} phi(X A) phi(Y).
//! ```
//!
//! A word without A is `S^k` or `Sigma S^k` (the population words have one Sigma); cyclically
//! `phi(S^k) = phi((S0 Sigma)^k)` and `phi(Sigma S^k) = phi(Sigma^2 S0 (Sigma S0)^{k-1})`,
//! evaluated by the same recursion on the letter S0,
//!
//! ```text
//! phi(S0 C) = phi(C) + y sum_{C = X S0 Y} phi(X S0) phi(Y),    phi(Sigma^b) = m_b,
//! ```
//!
//! which is the non-crossing formula `phi(S^n) = sum_{pi in NC(n)} y^{n - |pi|}
//! prod_{B in K(pi)} m_{|B|}` of THEORY 9.2. Values are polynomials in r, y and the m_k (q is
//! implicit: `q^{#A}`) with nonnegative integer coefficients (counts of non-crossing
//! partitions), kept in checked `u64`. Memoized recursion over canonical words,
//! single-threaded; each value is a sparse polynomial whose size is the number of
//! (r, y, moment product) combinations, so the cost is that of the isotropic leading path times
//! the square of that size. It is an independent check of the Wick path, not a faster route:
//! see [`leading_coefficients_aniso`] for timings.

use super::word3::{doubled_derivatives3, Word3};
use super::MAX_MOMENTS;
use crate::expansion::fasthash::FastMap;
use crate::expansion::word::{doubled_derivatives, TraceWord, Word};
use crate::expansion::ExpansionError;
use crate::poly::Poly;
use crate::polytope::Loss;
use num_bigint::BigInt;
use num_rational::BigRational;
use std::rc::Rc;

/// Exponent key: `[r, y, m_1, ..., m_K]`.
type Key = [u8; 2 + MAX_MOMENTS];

/// A sparse polynomial in (r, y, m..) with nonnegative integer coefficients, sorted by key.
type SPoly = Vec<(Key, u64)>;

/// Accumulator of an [`SPoly`] under construction.
type Acc = FastMap<Key, u64>;

fn finish(acc: Acc) -> SPoly {
    let mut v: SPoly = acc.into_iter().filter(|(_, c)| *c != 0).collect();
    v.sort_unstable();
    v
}

/// `dst += r^dr y^dy * x * y`.
fn add_product(dst: &mut Acc, x: &SPoly, y: &SPoly, dr: u8, dy: u8) -> Result<(), ExpansionError> {
    for (k1, c1) in x {
        let c1 = *c1;
        for (k2, c2) in y {
            let c2 = *c2;
            let mut k = [0u8; 2 + MAX_MOMENTS];
            for i in 0..k.len() {
                k[i] = k1[i] + k2[i];
            }
            k[0] += dr;
            k[1] += dy;
            let v = c1.checked_mul(c2).ok_or(ExpansionError::Overflow)?;
            let e = dst.entry(k).or_insert(0);
            *e = e.checked_add(v).ok_or(ExpansionError::Overflow)?;
        }
    }
    Ok(())
}

/// `dst += r^dr * x`.
fn add_shifted(dst: &mut Acc, x: &SPoly, dr: u8) -> Result<(), ExpansionError> {
    for (k1, c) in x {
        let c = *c;
        let mut k = *k1;
        k[0] += dr;
        let e = dst.entry(k).or_insert(0);
        *e = e.checked_add(c).ok_or(ExpansionError::Overflow)?;
    }
    Ok(())
}

/// Memo tables of the two recursions.
#[derive(Default)]
struct Free {
    /// Words in A, S, Sigma.
    outer: FastMap<Word3, Rc<SPoly>>,
    /// Words in S0 (the role of A in [`Word`]) and Sigma (the role of S).
    inner: FastMap<Word, Rc<SPoly>>,
}

impl Free {
    /// `phi` of a word in S0 and Sigma (canonical).
    fn inner(&mut self, w: Word) -> Result<Rc<SPoly>, ExpansionError> {
        if let Some(v) = self.inner.get(&w) {
            return Ok(v.clone());
        }
        let n = w.len();
        let mut out = Acc::default();
        if w.count_a() == 0 {
            // phi(Sigma^b) = m_b
            if n == 0 {
                out.insert([0u8; 2 + MAX_MOMENTS], 1);
            } else {
                if n > MAX_MOMENTS {
                    return Err(ExpansionError::WordTooLong { len: n });
                }
                let mut k = [0u8; 2 + MAX_MOMENTS];
                k[1 + n] = 1;
                out.insert(k, 1);
            }
        } else {
            let tw = TraceWord::rotated(w, TraceWord::first_a(w));
            let c = self.inner(tw.slice(1, n).canonical())?;
            add_shifted(&mut out, &c, 0)?;
            for k in 1..n {
                if TraceWord::is_a(tw, k) {
                    let x = self.inner(tw.slice(1, k + 1).canonical())?;
                    let y = self.inner(tw.slice(k + 1, n).canonical())?;
                    add_product(&mut out, &x, &y, 0, 1)?;
                }
            }
        }
        let rc = Rc::new(finish(out));
        self.inner.insert(w, rc.clone());
        Ok(rc)
    }

    /// `phi` of a word in A, S, Sigma (canonical), q implicit.
    fn outer(&mut self, w: Word3) -> Result<Rc<SPoly>, ExpansionError> {
        if let Some(v) = self.outer.get(&w) {
            return Ok(v.clone());
        }
        let n = w.len();
        let mut out = Acc::default();
        if TraceWord::count_a(w) == 0 {
            let k = w.count_s();
            let sig = w.count_sigma();
            if sig > 1 {
                return Err(ExpansionError::WordTooLong { len: n });
            }
            let mut s = String::new();
            if sig == 1 {
                if k == 0 {
                    s.push('S');
                } else {
                    s.push_str("SSA");
                    for _ in 1..k {
                        s.push_str("SA");
                    }
                }
            } else {
                for _ in 0..k {
                    s.push_str("AS");
                }
            }
            let dw = Word::parse(&s)
                .ok_or(ExpansionError::WordTooLong { len: s.len() })?
                .canonical();
            let v = self.inner(dw)?;
            self.outer.insert(w, v.clone());
            return Ok(v);
        }
        let tw = TraceWord::rotated(w, TraceWord::first_a(w));
        let c = self.outer(TraceWord::slice(tw, 1, n).canonical())?;
        add_shifted(&mut out, &c, 1)?;
        for k in 1..n {
            if TraceWord::is_a(tw, k) {
                let x = self.outer(TraceWord::slice(tw, 1, k + 1).canonical())?;
                let y = self.outer(TraceWord::slice(tw, k + 1, n).canonical())?;
                add_product(&mut out, &x, &y, 0, 0)?;
            }
        }
        let rc = Rc::new(finish(out));
        self.outer.insert(w, rc.clone());
        Ok(rc)
    }
}

/// The free moment `phi(w)` of one word (letters `A`, `S`, `T` = Sigma), as a polynomial in
/// [`super::aniso_leading_vars`] (`r, q, y, m..`). For tests and inspection.
pub fn free_moment(w: Word3) -> Result<Poly, ExpansionError> {
    let mut f = Free::default();
    let v = f.outer(w.canonical())?;
    Ok(to_poly(&v, TraceWord::count_a(w), 1))
}

fn to_poly(v: &SPoly, j: usize, mult: i128) -> Poly {
    let mut p = Poly::zero(&super::aniso_leading_vars());
    for (k, c) in v {
        let c = *c;
        let mut e = vec![i32::from(k[0]), j as i32, i32::from(k[1])];
        e.extend(k[2..].iter().map(|&x| i32::from(x)));
        p.add_term(
            e,
            BigRational::from_integer(BigInt::from(c) * BigInt::from(mult)),
        );
    }
    p
}

/// The g = 0 part of c_0, ..., c_{max_order} with anisotropic data, by free probability:
/// polynomials in [`super::aniso_leading_vars`] (`r, q, y, m1..m12`, exponents
/// `[k, j, l, moments]`). Independent of the Wick engine (module docs). Refused above
/// [`crate::expansion::estimate::MAX_ANISO_LEADING_ORDER`]. Measured (population loss, all
/// orders 0..=s, release, one core): s = 5 in 0.3 s, s = 6 in 2.5 s, s = 7 in 26 s (0.16 GiB);
/// the train loss is about 4x cheaper. Beyond order 6 the full path with moments is faster.
pub fn leading_coefficients_aniso(
    max_order: usize,
    loss: Loss,
) -> Result<Vec<Poly>, ExpansionError> {
    crate::expansion::estimate::check_aniso(max_order, true)?;
    let derivs: Vec<Vec<(Word3, i128)>> = match loss {
        Loss::Train => doubled_derivatives(max_order, loss)?
            .iter()
            .map(|c| {
                c.iter()
                    .map(|(&w, &k)| (Word3::from_word(w).canonical(), k))
                    .collect()
            })
            .collect(),
        Loss::Pop => doubled_derivatives3(max_order, loss)?
            .iter()
            .map(|c| c.iter().map(|(&w, &k)| (w, k)).collect())
            .collect(),
    };
    let mut f = Free::default();
    let mut out = Vec::with_capacity(derivs.len());
    for comb in &derivs {
        let mut acc = Poly::zero(&super::aniso_leading_vars());
        let mut sorted = comb.clone();
        sorted.sort();
        for (w, c) in sorted {
            let v = f.outer(w)?;
            acc.add_assign(&to_poly(&v, TraceWord::count_a(w), c));
        }
        out.push(acc.scale(&BigRational::new(1.into(), 2.into())));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::PolyFormat;

    fn show(w: &str) -> String {
        free_moment(Word3::parse(w).unwrap())
            .unwrap()
            .format(PolyFormat::Text)
    }

    #[test]
    fn examples_of_theory_9_2() {
        // phi(S^2) = m2 + y, phi(Sigma S) = m2, phi(Sigma S^2) = m3 + y m2.
        // (with m1 kept: phi(S^2) = m2 + y m1^2)
        assert_eq!(show("SS"), "y*m1^2 + m2");
        assert_eq!(show("TS"), "m2");
        assert_eq!(show("TSS"), "y*m1*m2 + m3");
        // phi(S^3) = m3 + 3 y m2 + y^2 (m1^3 ... ) : sum over NC(3) with Kreweras blocks
        assert_eq!(show("SSS"), "y^2*m1^3 + 3*y*m1*m2 + m3");
        // A free from the rest: phi(A S) = q r m1
        assert_eq!(show("AS"), "r*q*m1");
    }
}
