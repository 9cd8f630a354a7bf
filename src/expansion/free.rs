//! The leading (g = 0) part of the expansion by free probability (THEORY section 3).
//!
//! As p, H, N -> infinity with r = H/p, q = sigma2 p and y = p/N fixed, the normalized trace
//! `(1/p) tr(w)` of a word in A and S converges to a mixed moment `phi(w)` of two free
//! variables: A is free Poisson with free cumulants `kappa_n(A) = r q^n` and S is free Poisson
//! with `kappa_n(S) = y^(n-1)`. Hence the g = 0 part of `c_s = E[L^(s)(0)]/p` is
//! `sum_w c_w phi(w)` over the words of `L^(s) = D^s L`.
//!
//! `phi` is computed by the free Schwinger-Dyson equation (the g = 0 part of the Wick
//! recursion, and equivalently the moment-cumulant formula over non-crossing partitions with
//! monochromatic blocks): for a letter `L` in {A, S} and a word `C`,
//!
//! ```text
//! phi(L C) = a_L phi(C) + b_L * sum_{C = X L Y} phi(X L) phi(Y),
//! (a_A, b_A) = (q r, q),   (a_S, b_S) = (1, y),   phi(empty) = 1.
//! ```
//!
//! (Expanding the block of the first letter: either it is a singleton, `kappa_1`, or its next
//! element is the `L` ending `X L`; the non-crossing condition splits the rest into `X L`,
//! cyclically closed, and `Y`.)
//!
//! `phi(w) = q^a P_w(r, y)` for a word with `a` letters A and `b` letters S, where `P_w` has
//! nonnegative integer coefficients of degree <= a in r and <= b - 1 in y. Their sum is the number
//! of non-crossing partitions of the n = a + b letters into monochromatic blocks, at most the
//! Catalan number `C_n`; every intermediate value of the recursion is a partial sum of
//! nonnegative terms of that count. So `u64` cannot overflow while `C_n < 2^64`, i.e. n <= 35,
//! which covers orders s <= 16 (more than [`MAX_LEADING_ORDER`]).
//!
//! Algorithm and cost. The words of `D^s L` are generated (section [`super::word`]); their
//! closure under the recursion (cyclic closures of sub-words, canonicalized) is collected level
//! by level in the word length, then `phi` is evaluated bottom-up by length, each level in
//! parallel (rayon) over a read-only table of shorter words, so the result is deterministic.
//! With `U` distinct canonical words in the closure, of length <= n = 2s + 3, the cost is
//! O(U n) canonicalizations plus O(U n) products of dense polynomials of size <= (a+1)(b+1).
//! `U` grows roughly like 3^s (measured: see the benchmark).

use super::fasthash::{FastMap, FastSet};
use super::word::{doubled_derivatives, Word};
use super::ExpansionError;
use crate::poly::Poly;
use crate::polytope::Loss;
use num_bigint::BigInt;
use num_rational::BigRational;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Highest order the leading path accepts: the memory limit of
/// [`super::estimate::MAX_LEADING_ORDER`] (the u64 bound of the module docs would allow 16).
pub use super::estimate::MAX_LEADING_ORDER;

/// Dense `P_w(r, y)`: coefficient of `r^k y^l` at index `k * (b + 1) + l`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Dense {
    a: usize,
    b: usize,
    c: Vec<u64>,
}

impl Dense {
    fn zero(a: usize, b: usize) -> Dense {
        Dense {
            a,
            b,
            c: vec![0; (a + 1) * (b + 1)],
        }
    }

    /// `self += shift(x * y)`: adds `r^dk y^dl * x * y` (degrees must fit).
    fn add_product(&mut self, x: &Dense, y: &Dense, dk: usize, dl: usize) {
        let bw = self.b + 1;
        for k1 in 0..=x.a {
            for l1 in 0..=x.b {
                let c1 = x.c[k1 * (x.b + 1) + l1];
                if c1 == 0 {
                    continue;
                }
                for k2 in 0..=y.a {
                    let row = (k1 + k2 + dk) * bw + l1 + dl;
                    let yr = &y.c[k2 * (y.b + 1)..(k2 + 1) * (y.b + 1)];
                    let dst = &mut self.c[row..row + yr.len()];
                    for (d, &c2) in dst.iter_mut().zip(yr) {
                        *d += c1 * c2;
                    }
                }
            }
        }
    }

    /// `self += r^dk y^dl * x`.
    fn add_shifted(&mut self, x: &Dense, dk: usize, dl: usize) {
        let bw = self.b + 1;
        for k in 0..=x.a {
            for l in 0..=x.b {
                let c = x.c[k * (x.b + 1) + l];
                if c != 0 {
                    self.c[(k + dk) * bw + l + dl] += c;
                }
            }
        }
    }
}

fn one() -> Dense {
    Dense {
        a: 0,
        b: 0,
        c: vec![1],
    }
}

/// Rotate a word so that its first letter is the one to expand: the rarer letter (fewer
/// products in the recursion), A on ties.
fn pivot(w: Word) -> Word {
    let (a, b) = (w.count_a(), w.count_s());
    if b > 0 && (b < a || a == 0) {
        w.rotated(w.bits().trailing_zeros() as usize)
    } else if w.bits() & 1 == 1 {
        w.rotated((!w.bits()).trailing_zeros() as usize)
    } else {
        w
    }
}

/// The canonical words the recursion for `phi(w)` refers to (w canonical, nonempty):
/// `C`, and `X L`, `Y` for every `C = X L Y`.
fn children(w: Word, mut f: impl FnMut(Word)) {
    let w = pivot(w);
    let n = w.len();
    let first = w.bits() & 1;
    f(w.slice(1, n).canonical());
    for k in 1..n {
        if (w.bits() >> k) & 1 == first {
            f(w.slice(1, k + 1).canonical());
            f(w.slice(k + 1, n).canonical());
        }
    }
}

/// Evaluate `phi(w)` for a canonical nonempty word from the table of shorter words.
fn eval_word(w: Word, table: &FastMap<Word, Dense>) -> Dense {
    let w = pivot(w);
    let n = w.len();
    let a = w.count_a();
    let b = w.count_s();
    let mut out = Dense::zero(a, b);
    let first_is_s = w.bits() & 1 == 1;
    let get = |u: Word| -> &Dense { table.get(&u).expect("closure contains every child") };
    // a_L phi(C): a_A = q r (q implicit: one more A), a_S = 1.
    let c = get(w.slice(1, n).canonical());
    out.add_shifted(c, usize::from(!first_is_s), 0);
    for k in 1..n {
        if (w.bits() >> k) & 1 == w.bits() & 1 {
            let x = get(w.slice(1, k + 1).canonical());
            let y = get(w.slice(k + 1, n).canonical());
            // b_A = q (implicit), b_S = y.
            out.add_product(x, y, 0, usize::from(first_is_s));
        }
    }
    out
}

/// Free moments `phi(w)` of all the given canonical words (and of their closure).
/// Deterministic; parallel over the words of each length.
fn free_moments(words: &FastSet<Word>) -> FastMap<Word, Dense> {
    let max_len = words.iter().map(|w| w.len()).max().unwrap_or(0);
    let mut levels: Vec<FastSet<Word>> = vec![FastSet::default(); max_len + 1];
    for &w in words {
        levels[w.len()].insert(w);
    }
    // Closure, longest first.
    for n in (1..=max_len).rev() {
        let lvl: Vec<Word> = levels[n].iter().copied().collect();
        let kids: Vec<Vec<Word>> = lvl
            .par_iter()
            .map(|&w| {
                let mut v = Vec::new();
                children(w, |u| v.push(u));
                v
            })
            .collect();
        for v in kids {
            for u in v {
                levels[u.len()].insert(u);
            }
        }
    }
    let mut table: FastMap<Word, Dense> = FastMap::default();
    table.insert(Word::EMPTY, one());
    for (n, lvl) in levels.iter().enumerate().skip(1) {
        let lvl: Vec<Word> = lvl.iter().copied().collect();
        let vals: Vec<Dense> = lvl.par_iter().map(|&w| eval_word(w, &table)).collect();
        let _ = n;
        table.extend(lvl.into_iter().zip(vals));
    }
    table
}

/// Exact accumulator: i128 with a BigInt overflow spill.
#[derive(Default, Clone)]
struct Acc {
    small: i128,
    big: BigInt,
}

impl Acc {
    fn add(&mut self, x: i128) {
        match self.small.checked_add(x) {
            Some(v) => self.small = v,
            None => {
                self.big += BigInt::from(self.small);
                self.small = x;
            }
        }
    }
    fn add_mul(&mut self, a: i128, b: u64) {
        match a.checked_mul(i128::from(b)) {
            Some(v) => self.add(v),
            None => self.big += BigInt::from(a) * BigInt::from(b),
        }
    }
    fn value(&self) -> BigInt {
        &self.big + BigInt::from(self.small)
    }
}

/// The g = 0 part of c_0, ..., c_{max_order} for one loss, each a [`Poly`] in the three
/// variables (r, q, y) in this order (exponents `[k, j, l]`, y = 1/alpha = p/N), with exact
/// rational coefficients. c_0 includes its constant 1/2 at `[0, 0, 0]`.
///
/// Independent of the Wick engine: free probability only (module docs). Orders above
/// [`MAX_LEADING_ORDER`] are refused with [`ExpansionError::TooLarge`].
pub fn leading_coefficients(max_order: usize, loss: Loss) -> Result<Vec<Poly>, ExpansionError> {
    if max_order > MAX_LEADING_ORDER {
        return Err(ExpansionError::TooLarge(super::estimate::leading_refusal(
            max_order,
        )));
    }
    let derivs = doubled_derivatives(max_order, loss)?;
    let words: FastSet<Word> = derivs.iter().flat_map(|c| c.keys().copied()).collect();
    let table = free_moments(&words);
    let half = BigRational::new(BigInt::from(1), BigInt::from(2));
    let mut out = Vec::with_capacity(derivs.len());
    for comb in &derivs {
        let mut acc: BTreeMap<[i32; 3], Acc> = BTreeMap::new();
        for (w, &c) in comb {
            let d = &table[w];
            let j = d.a as i32;
            for k in 0..=d.a {
                for l in 0..=d.b {
                    let v = d.c[k * (d.b + 1) + l];
                    if v != 0 {
                        acc.entry([k as i32, j, l as i32])
                            .or_default()
                            .add_mul(c, v);
                    }
                }
            }
        }
        let mut poly = Poly::zero(3);
        for (e, v) in acc {
            poly.add_term(e.to_vec(), BigRational::from_integer(v.value()) * &half);
        }
        out.push(poly);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::{frac, rat};

    fn phi(s: &str) -> Dense {
        let w = Word::parse(s).unwrap().canonical();
        let set: FastSet<Word> = [w].into_iter().collect();
        free_moments(&set)[&w].clone()
    }

    #[test]
    fn free_moments_small_words() {
        // phi(A^2) = q^2 (r + r^2)
        assert_eq!(phi("AA").c, vec![0, 1, 1]);
        // phi(S^3) = 1 + 3y + y^2 (Narayana)
        assert_eq!(phi("SSS").c, vec![1, 3, 1, 0]);
        // phi(A^3) = q^3 (r + 3 r^2 + r^3)
        assert_eq!(phi("AAA").c, vec![0, 1, 3, 1]);
        // phi(ASAS) = q^2 (r + r^2 + r^2 y) by freeness
        let d = phi("ASAS");
        assert_eq!((d.a, d.b), (2, 2));
        assert_eq!(d.c, vec![0, 0, 0, 1, 0, 0, 1, 1, 0]);
    }

    #[test]
    fn c0_and_pop_c1_leading() {
        for loss in [Loss::Train, Loss::Pop] {
            let c = leading_coefficients(1, loss).unwrap();
            // c_0 = 1/2 - q r + (q^2 r^2 + q^2 r)/2
            let mut c0 = Poly::zero(3);
            c0.add_term(vec![0, 0, 0], frac(1, 2));
            c0.add_term(vec![1, 1, 0], rat(-1));
            c0.add_term(vec![2, 2, 0], frac(1, 2));
            c0.add_term(vec![1, 2, 0], frac(1, 2));
            assert_eq!(c[0], c0, "{loss:?}");
        }
        // pop c_1 = -4 m1 + 8 m2 - 4 m3 with leading m_j = sum_k Narayana(j,k) q^j r^k
        let c = leading_coefficients(1, Loss::Pop).unwrap();
        let mut c1 = Poly::zero(3);
        c1.add_term(vec![1, 1, 0], rat(-4));
        c1.add_term(vec![1, 2, 0], rat(8));
        c1.add_term(vec![2, 2, 0], rat(8));
        for (k, n) in [(1, 1), (2, 3), (3, 1)] {
            c1.add_term(vec![k, 3, 0], rat(-4 * n));
        }
        assert_eq!(c[1], c1);
    }
}
