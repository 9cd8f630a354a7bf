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
//! `U` grows roughly like 3.5^s: 442k words at s = 11 (train). Measured (release, 2 shared
//! cores, examples/bench_expansion.rs, train; pop about half): s = 10 in 2.3 s, s = 11 in
//! 12.5 s, s = 12 in 37-65 s (2.4 GiB, depending on the load), s = 13 in 371 s (9.7 GiB).

use super::fasthash::{FastMap, FastSet};
use super::word::{doubled_derivatives, Word};
use super::ExpansionError;
use crate::poly::Poly;
use crate::polytope::Loss;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;
use rayon::prelude::*;

/// Highest order the leading path accepts: the memory limit of
/// [`super::estimate::MAX_LEADING_ORDER`] (the u64 bound of the module docs would allow 16).
pub use super::estimate::MAX_LEADING_ORDER;

/// Dense `P_w(r, y)` over the only exponents that can occur: `k` in `[k0, k0 + kn)` with
/// `k0 = 1, kn = a` when the word has letters A (`k0 = 0, kn = 1` otherwise) and `l` in
/// `[0, ln)` with `ln = max(b, 1)`; coefficient of `r^k y^l` at `(k - k0) * ln + l`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Dense {
    /// Number of letters A (the power of q).
    a: usize,
    k0: usize,
    kn: usize,
    ln: usize,
    c: Vec<u64>,
}

impl Dense {
    fn zero(a: usize, b: usize) -> Dense {
        let (k0, kn) = if a == 0 { (0, 1) } else { (1, a) };
        let ln = b.max(1);
        Dense {
            a,
            k0,
            kn,
            ln,
            c: vec![0; kn * ln],
        }
    }

    /// `self += r^dk y^dl * x * y` (the exponent ranges must fit: see the recursion).
    fn add_product(&mut self, x: &Dense, y: &Dense, dk: usize, dl: usize) {
        let w = self.ln;
        let base = x.k0 + y.k0 + dk - self.k0;
        for i1 in 0..x.kn {
            let xr = &x.c[i1 * x.ln..(i1 + 1) * x.ln];
            for (l1, &c1) in xr.iter().enumerate() {
                if c1 == 0 {
                    continue;
                }
                for i2 in 0..y.kn {
                    let row = (base + i1 + i2) * w + l1 + dl;
                    let yr = &y.c[i2 * y.ln..(i2 + 1) * y.ln];
                    let dst = &mut self.c[row..row + yr.len()];
                    for (d, &c2) in dst.iter_mut().zip(yr) {
                        *d += c1 * c2;
                    }
                }
            }
        }
    }

    /// `self += r^dk * x` (same y range or narrower).
    fn add_shifted(&mut self, x: &Dense, dk: usize) {
        let base = x.k0 + dk - self.k0;
        for i in 0..x.kn {
            let xr = &x.c[i * x.ln..(i + 1) * x.ln];
            let row = (base + i) * self.ln;
            for (d, &c) in self.c[row..row + xr.len()].iter_mut().zip(xr) {
                *d += c;
            }
        }
    }

    /// Iterate over the nonzero `(k, l, coefficient)`.
    fn terms(&self) -> impl Iterator<Item = (usize, usize, u64)> + '_ {
        self.c
            .iter()
            .enumerate()
            .filter(|(_, &v)| v != 0)
            .map(|(i, &v)| (self.k0 + i / self.ln, i % self.ln, v))
    }
}

fn one() -> Dense {
    Dense::zero(0, 0).with_one()
}

impl Dense {
    fn with_one(mut self) -> Dense {
        self.c[0] = 1;
        self
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
    out.add_shifted(c, usize::from(!first_is_s));
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
    for lvl in levels.iter().skip(1) {
        let lvl: Vec<Word> = lvl.iter().copied().collect();
        let vals: Vec<Dense> = lvl.par_iter().map(|&w| eval_word(w, &table)).collect();
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
        // Dense accumulator over (j, k, l): j = number of A, k <= j, l < max(b, 1).
        let jmax = comb.keys().map(|w| w.count_a()).max().unwrap_or(0);
        let lw = comb.keys().map(|w| w.count_s()).max().unwrap_or(0).max(1);
        let kw = jmax + 1;
        let mut acc: Vec<Acc> = vec![Acc::default(); (jmax + 1) * kw * lw];
        for (w, &c) in comb {
            let d = &table[w];
            for (k, l, v) in d.terms() {
                acc[(d.a * kw + k) * lw + l].add_mul(c, v);
            }
        }
        let mut poly = Poly::zero(&super::leading_vars());
        for (i, v) in acc.iter().enumerate() {
            let (j, k, l) = (i / (kw * lw), (i / lw) % kw, i % lw);
            let v = v.value();
            if !v.is_zero() {
                poly.add_term(
                    vec![k as i32, j as i32, l as i32],
                    BigRational::from_integer(v) * &half,
                );
            }
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
        let terms = |s: &str| phi(s).terms().collect::<Vec<_>>();
        // phi(A^2) = q^2 (r + r^2)
        assert_eq!(terms("AA"), vec![(1, 0, 1), (2, 0, 1)]);
        // phi(S^3) = 1 + 3y + y^2 (Narayana)
        assert_eq!(terms("SSS"), vec![(0, 0, 1), (0, 1, 3), (0, 2, 1)]);
        // phi(A^3) = q^3 (r + 3 r^2 + r^3)
        assert_eq!(terms("AAA"), vec![(1, 0, 1), (2, 0, 3), (3, 0, 1)]);
        // phi(ASAS) = q^2 (r + r^2 + r^2 y) by freeness
        let d = phi("ASAS");
        assert_eq!(d.a, 2);
        assert_eq!(
            d.terms().collect::<Vec<_>>(),
            vec![(1, 0, 1), (2, 0, 1), (2, 1, 1)]
        );
    }

    #[test]
    fn c0_and_pop_c1_leading() {
        for loss in [Loss::Train, Loss::Pop] {
            let c = leading_coefficients(1, loss).unwrap();
            // c_0 = 1/2 - q r + (q^2 r^2 + q^2 r)/2
            let mut c0 = Poly::zero(&crate::expansion::leading_vars());
            c0.add_term(vec![0, 0, 0], frac(1, 2));
            c0.add_term(vec![1, 1, 0], rat(-1));
            c0.add_term(vec![2, 2, 0], frac(1, 2));
            c0.add_term(vec![1, 2, 0], frac(1, 2));
            assert_eq!(c[0], c0, "{loss:?}");
        }
        // pop c_1 = -4 m1 + 8 m2 - 4 m3 with leading m_j = sum_k Narayana(j,k) q^j r^k
        let c = leading_coefficients(1, Loss::Pop).unwrap();
        let mut c1 = Poly::zero(&crate::expansion::leading_vars());
        c1.add_term(vec![1, 1, 0], rat(-4));
        c1.add_term(vec![1, 2, 0], rat(8));
        c1.add_term(vec![2, 2, 0], rat(8));
        for (k, n) in [(1, 1), (2, 3), (3, 1)] {
            c1.add_term(vec![k, 3, 0], rat(-4 * n));
        }
        assert_eq!(c[1], c1);
    }
}
