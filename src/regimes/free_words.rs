//! Exact Taylor series of the free-face limit (F4) from the reduced flow and free probability.
//!
//! The reduced flow (THEORY 5.2, F4) is `dAt/dtau = -(S At^2 + 2 At S At + At^2 S)` with
//! `l_tr/q^2 -> (1/2) phi(S At^2)` and `l_pop/q^2 -> (1/2) phi(At^2)`, `phi = tr/p`. Along it,
//! `d/dtau` acts on traces of words in the letters `a = At`, `s = S` as the derivation
//! `D(a) = -(s a a + 2 a s a + a a s)`, `D(s) = 0`. The n-th derivative at 0 is `phi(D^n w0)`
//! evaluated at `At = At(0)`, which is free Poisson with all free cumulants `r`, free from `S`,
//! free Poisson with cumulants `kappa_n = y^(n-1)` (THEORY section 3).
//!
//! Words are bit strings (`a` = 0, `s` = 1, letter i at bit i, length <= 63). Trace words are
//! stored canonically (the least of all rotations and reversals, valid for traces of products of
//! symmetric matrices) with integer coefficients (the overall 1/2 is applied at the end).
//! Mixed moments of the two free letters are computed by the first-block recursion of the
//! moment-cumulant formula over non-crossing partitions: if the block of the first letter `T` has
//! `k` elements, it contributes `kappa_k(T)` times the moments of the gaps. The cumulants are
//! geometric, `kappa_k(T) = alpha_T beta_T^(k-1)` (`a`: `alpha = r`, `beta = 1`; `s`: `alpha = 1`,
//! `beta = y`), so with `R_T(u) = phi(u) + beta_T sum_{i: u_i = T} phi(u[..i]) R_T(u[i+1..])` one
//! has `phi(T u) = alpha_T R_T(u)`. Moments are dense integer polynomials in (r, y) (they count
//! non-crossing partitions), memoized on words; one new moment of a word of length L costs
//! `O(L^2)` polynomial products. All integer arithmetic is checked (`i128`); an overflow is
//! reported, never wrapped. The number of distinct trace words at order n is at most the number
//! of necklaces with n+2 letters a and n+1 letters s.

use crate::poly::Poly;
use num_bigint::BigInt;
use num_rational::BigRational;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small multiplicative hasher for word keys (speed only; not a dependency).
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64);
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// A word: letters in the low `len` bits (bit i = letter i; 0 = a, 1 = s).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Word {
    bits: u64,
    len: u8,
}

impl Word {
    fn mask(len: u8) -> u64 {
        if len >= 64 {
            u64::MAX
        } else {
            (1u64 << len) - 1
        }
    }
    fn letter(&self, i: u8) -> u64 {
        (self.bits >> i) & 1
    }
    fn prefix(&self, i: u8) -> Word {
        Word {
            bits: self.bits & Self::mask(i),
            len: i,
        }
    }
    fn suffix(&self, i: u8) -> Word {
        Word {
            bits: if i >= 64 { 0 } else { self.bits >> i },
            len: self.len - i,
        }
    }
    fn rotate(&self, k: u8) -> Word {
        if k == 0 || self.len == 0 {
            return *self;
        }
        let b = (self.bits >> k) | (self.bits << (self.len - k));
        Word {
            bits: b & Self::mask(self.len),
            len: self.len,
        }
    }
    fn reverse(&self) -> Word {
        let b = self.bits.reverse_bits() >> (64 - self.len as u32);
        Word {
            bits: if self.len == 0 { 0 } else { b },
            len: self.len,
        }
    }
    /// Least rotation or reversed rotation (as integers).
    fn canonical(&self) -> Word {
        let mut best = *self;
        let rev = self.reverse();
        for k in 0..self.len {
            let a = self.rotate(k);
            if a.bits < best.bits {
                best = a;
            }
            let b = rev.rotate(k);
            if b.bits < best.bits {
                best = b;
            }
        }
        best
    }
    fn from_letters(l: &[u64]) -> Word {
        let mut bits = 0u64;
        for (i, &x) in l.iter().enumerate() {
            bits |= x << i;
        }
        Word {
            bits,
            len: l.len() as u8,
        }
    }
}

/// Integer overflow in an exact intermediate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overflow;

/// Dense integer polynomial in (r, y): `c[i * ny + j]` is the coefficient of r^i y^j.
#[derive(Clone, Debug, PartialEq)]
struct Dense {
    nr: usize,
    ny: usize,
    c: Vec<i128>,
}

impl Dense {
    fn constant(v: i128) -> Dense {
        Dense {
            nr: 1,
            ny: 1,
            c: vec![v],
        }
    }
    fn zero() -> Dense {
        Dense::constant(0)
    }
    fn mul(&self, o: &Dense) -> Result<Dense, Overflow> {
        let nr = self.nr + o.nr - 1;
        let ny = self.ny + o.ny - 1;
        let mut c = vec![0i128; nr * ny];
        for i in 0..self.nr {
            for j in 0..self.ny {
                let a = self.c[i * self.ny + j];
                if a == 0 {
                    continue;
                }
                for k in 0..o.nr {
                    for l in 0..o.ny {
                        let b = o.c[k * o.ny + l];
                        if b == 0 {
                            continue;
                        }
                        let idx = (i + k) * ny + (j + l);
                        let p = a.checked_mul(b).ok_or(Overflow)?;
                        c[idx] = c[idx].checked_add(p).ok_or(Overflow)?;
                    }
                }
            }
        }
        Ok(Dense { nr, ny, c })
    }
    fn add_assign(&mut self, o: &Dense) -> Result<(), Overflow> {
        if o.nr > self.nr || o.ny > self.ny {
            let nr = self.nr.max(o.nr);
            let ny = self.ny.max(o.ny);
            let mut c = vec![0i128; nr * ny];
            for i in 0..self.nr {
                for j in 0..self.ny {
                    c[i * ny + j] = self.c[i * self.ny + j];
                }
            }
            *self = Dense { nr, ny, c };
        }
        for i in 0..o.nr {
            for j in 0..o.ny {
                let idx = i * self.ny + j;
                self.c[idx] = self.c[idx].checked_add(o.c[i * o.ny + j]).ok_or(Overflow)?;
            }
        }
        Ok(())
    }
    /// Multiply by r (shift in i) or by y (shift in j).
    fn shift(&self, dr: usize, dy: usize) -> Dense {
        let nr = self.nr + dr;
        let ny = self.ny + dy;
        let mut c = vec![0i128; nr * ny];
        for i in 0..self.nr {
            for j in 0..self.ny {
                c[(i + dr) * ny + j + dy] = self.c[i * self.ny + j];
            }
        }
        Dense { nr, ny, c }
    }
    fn scale(&self, k: i128) -> Result<Dense, Overflow> {
        let c = self
            .c
            .iter()
            .map(|v| v.checked_mul(k).ok_or(Overflow))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Dense {
            nr: self.nr,
            ny: self.ny,
            c,
        })
    }
    fn to_poly(&self, denom: i64) -> Poly {
        let mut p = Poly::zero(&super::exact::face_vars(super::Regime::Free));
        for i in 0..self.nr {
            for j in 0..self.ny {
                let v = self.c[i * self.ny + j];
                if v != 0 {
                    p.add_term(
                        vec![i as i32, j as i32],
                        BigRational::new(BigInt::from(v), BigInt::from(denom)),
                    );
                }
            }
        }
        p
    }
}

/// Memoized free mixed moments of `a` (free Poisson, cumulants r) and `s` (cumulants y^(k-1)),
/// polynomials in (r, y) (r at index 0).
pub struct FreeMoments {
    phi: Map<Word, Dense>,
    rt: Map<(u64, Word), Dense>,
}

impl Default for FreeMoments {
    fn default() -> Self {
        Self::new()
    }
}

impl FreeMoments {
    /// An empty memo.
    pub fn new() -> Self {
        FreeMoments {
            phi: Map::default(),
            rt: Map::default(),
        }
    }

    /// `phi(w)` for the word given as letters (0 = a, 1 = s).
    pub fn phi_letters(&mut self, w: &[u8]) -> Result<Poly, Overflow> {
        let l: Vec<u64> = w.iter().map(|&x| x as u64).collect();
        Ok(self.phi(Word::from_letters(&l))?.to_poly(1))
    }

    fn phi(&mut self, w: Word) -> Result<Dense, Overflow> {
        if w.len == 0 {
            return Ok(Dense::constant(1));
        }
        let c = w.canonical();
        if let Some(v) = self.phi.get(&c) {
            return Ok(v.clone());
        }
        let t = c.letter(0);
        let rv = self.r_t(t, c.suffix(1))?;
        let v = if t == 0 { rv.shift(1, 0) } else { rv };
        self.phi.insert(c, v.clone());
        Ok(v)
    }

    fn r_t(&mut self, t: u64, u: Word) -> Result<Dense, Overflow> {
        if let Some(v) = self.rt.get(&(t, u)) {
            return Ok(v.clone());
        }
        let mut acc = self.phi(u)?;
        let mut inner = Dense::zero();
        for i in 0..u.len {
            if u.letter(i) == t {
                let left = self.phi(u.prefix(i))?;
                let right = self.r_t(t, u.suffix(i + 1))?;
                inner.add_assign(&left.mul(&right)?)?;
            }
        }
        if t == 1 {
            inner = inner.shift(0, 1);
        }
        acc.add_assign(&inner)?;
        self.rt.insert((t, u), acc.clone());
        Ok(acc)
    }
}

/// Apply the derivation `D(a) = -(s a a + 2 a s a + a a s)` to a combination of trace words.
fn derive(words: &Map<Word, i128>) -> Result<Map<Word, i128>, Overflow> {
    let mut out: Map<Word, i128> = Map::default();
    // Replacements of one letter a by three letters (bit patterns, letter 0 first).
    let repl: [(u64, i128); 3] = [(0b001, -1), (0b010, -2), (0b100, -1)];
    for (w, &c) in words {
        if w.len as usize + 2 > 63 {
            return Err(Overflow);
        }
        for i in 0..w.len {
            if w.letter(i) != 0 {
                continue;
            }
            let low = w.bits & Word::mask(i);
            let high = w.bits >> (i + 1);
            for &(ins, k) in &repl {
                let bits = low | (ins << i) | (high << (i + 3));
                let nw = Word {
                    bits,
                    len: w.len + 2,
                }
                .canonical();
                let e = out.entry(nw).or_insert(0);
                *e = e
                    .checked_add(c.checked_mul(k).ok_or(Overflow)?)
                    .ok_or(Overflow)?;
            }
        }
    }
    out.retain(|_, c| *c != 0);
    Ok(out)
}

/// Derivatives `c_n = d^n/dtau^n (l/q^2)` at 0, n = 0..=max_order, of the free-face limit, as
/// polynomials in (r, y) (r at index 0). Returns (train, pop), or [`Overflow`] if an exact
/// intermediate leaves i128 (far beyond any order this can reach in reasonable time).
///
/// Cost: the number of distinct trace words grows roughly like `3^n`; order 8 takes under a
/// second, order 10 about ten.
pub fn free_face_derivatives_checked(max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), Overflow> {
    let mut fm = FreeMoments::new();
    let mut run = |start: Word| -> Result<Vec<Poly>, Overflow> {
        let mut words: Map<Word, i128> = Map::default();
        words.insert(start.canonical(), 1);
        let mut out = Vec::with_capacity(max_order + 1);
        for n in 0..=max_order {
            let mut keys: Vec<&Word> = words.keys().collect();
            keys.sort();
            let mut total = Dense::zero();
            for w in keys {
                let m = fm.phi(*w)?;
                total.add_assign(&m.scale(words[w])?)?;
            }
            out.push(total.to_poly(2));
            if n < max_order {
                words = derive(&words)?;
            }
        }
        Ok(out)
    };
    let train = run(Word::from_letters(&[1, 0, 0]))?;
    let pop = run(Word::from_letters(&[0, 0]))?;
    Ok((train, pop))
}

/// [`free_face_derivatives_checked`], panicking only on an i128 overflow, which cannot happen
/// below order 12 (coefficients there are below 2^100).
pub fn free_face_derivatives(max_order: usize) -> (Vec<Poly>, Vec<Poly>) {
    free_face_derivatives_checked(max_order).expect("exact intermediate exceeded i128")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::PolyFormat;

    #[test]
    fn words_canonical() {
        let w = Word::from_letters(&[1, 0, 0, 1, 0]);
        let c = w.canonical();
        for k in 0..5 {
            assert_eq!(w.rotate(k).canonical(), c);
            assert_eq!(w.rotate(k).reverse().canonical(), c);
        }
        assert_eq!(w.reverse().reverse(), w);
    }

    #[test]
    fn free_moments_basic() {
        let mut fm = FreeMoments::new();
        let f = |p: Poly| p.format(PolyFormat::Text);
        // phi(a^2) = r + r^2, phi(s^2) = 1 + y, and for free a, s
        // phi(a s a s) = phi(a^2) phi(s)^2 + phi(a)^2 phi(s^2) - phi(a)^2 phi(s)^2
        //             = (r + r^2) + r^2 (1 + y) - r^2 = r + r^2 + r^2 y.
        assert_eq!(f(fm.phi_letters(&[0, 0]).unwrap()), "r^2 + r");
        assert_eq!(f(fm.phi_letters(&[1, 1]).unwrap()), "y + 1");
        assert_eq!(f(fm.phi_letters(&[0, 1, 0, 1]).unwrap()), "r^2*y + r^2 + r");
        // phi(a^3) = r + 3 r^2 + r^3; phi(s^3) = 1 + 3y + y^2.
        assert_eq!(f(fm.phi_letters(&[0, 0, 0]).unwrap()), "r^3 + 3*r^2 + r");
        assert_eq!(f(fm.phi_letters(&[1, 1, 1]).unwrap()), "y^2 + 3*y + 1");
    }

    #[test]
    fn first_derivatives_match_theory() {
        // THEORY 5.2 F4: both start at r(1+r)/2; d(l_pop/q^2)/dtau = -4 r (1 + 3r + r^2);
        // d(l_tr/q^2)/dtau = -4 r (1 + 3r + r^2) - r (1 + 6r + 4r^2) y.
        let (tr, pop) = free_face_derivatives(1);
        let f = |p: &Poly| p.format(PolyFormat::Text);
        assert_eq!(f(&tr[0]), "1/2*r^2 + 1/2*r");
        assert_eq!(f(&pop[0]), "1/2*r^2 + 1/2*r");
        assert_eq!(f(&pop[1]), "-4*r^3 - 12*r^2 - 4*r");
        assert_eq!(f(&tr[1]), "-4*r^3*y - 4*r^3 - 6*r^2*y - 12*r^2 - r*y - 4*r");
    }
}
