//! The full expansion: `c_s = E[L^(s)(0)] / p` exactly, by Gaussian integration by parts.
//!
//! ## Phase 1: expectation over W (letters A)
//!
//! With `A = W^T W`, W of size H x p with iid N(0, sigma2) entries, Stein's lemma
//! `E[W_{ha} F] = sigma2 E[dF/dW_{ha}]` applied to one A of a trace `tr(A C)` gives, for any
//! product F of further traces,
//!
//! ```text
//! E[tr(A C) F] = sigma2 E[ H tr(C) F
//!     + sum_{C = X A Y} ( tr(rev(X) A Y) + tr(X A) tr(Y) ) F                (same trace)
//!     + sum_{F = tr(A Z) F'} ( tr(rev(C) A Z) + tr(rev(C) A rev(Z)) ) F' ]  (other traces)
//! ```
//!
//! where `rev` reverses a word (the transpose of a product of symmetric letters), the last sum
//! runs over every letter A of every other trace (rotated to the front), and `tr(empty) = p`.
//! (Derivation: `dA_{cd}/dW_{ha} = delta_{ca} W_{hd} + W_{hc} delta_{da}`; the first term of
//! each pair gives the "twisted" word, the second the split or the untwisted join.) Each step
//! removes exactly one letter A and multiplies by sigma2, and S letters are passive.
//!
//! The engine propagates *forward*: a level is a map from states (multisets of canonical cyclic
//! words) to coefficients (integer polynomials in sigma2 and H), starting from the words of
//! `2 L^(s)` at their A count; each state at level a is expanded once into level a - 1, where
//! equal states merge. Levels are processed in parallel (rayon fold/reduce over the states of a
//! level; exact integer sums, so the result does not depend on the scheduling). At level 0 every
//! trace is a power of S.
//!
//! ## Phase 2: expectation over X (letters S)
//!
//! `S = X X^T / N` is the same structure with `W -> X^T / sqrt(N)`: sigma2 -> 1/N and H -> N.
//! For pure powers the recursion on partitions `lambda` (parts >= 1) reads, with
//! `M_lambda(N, p) = N^{|lambda|} E[prod_i tr S^{lambda_i}]` and `k` the first part,
//!
//! ```text
//! M_{k, rest} = (N + k - 1) M_{k-1, rest} + sum_{i=0}^{k-2} M_{i+1, k-2-i, rest}
//!             + sum_{m in rest} 2 m M_{k+m-1, rest - m},
//! ```
//!
//! where a part 0 stands for `tr I = p`. These are memoized (few partitions).
//!
//! ## Cost
//!
//! Let `V_a` be the number of distinct states at level a (multisets of bracelets in A and S
//! with a letters A and s + 1 letters S in total, train; s for pop). A state with traces of
//! total length n and a letters A has O(a n) children, each built and canonicalized in O(n).
//! Total time O(sum_a V_a a n^2), memory O(max_a V_a) states. `V_a` grows roughly 3-4x per
//! order; this is what limits the orders. Measured for the train loss: the largest level has
//! about 1.0e5 states at s = 10 and 3e6 at s = 13 (the order-s words alone are 5323 at s = 8).
//! Release build, 2 shared cores (examples/bench_expansion.rs): s = 6 in 0.02 s, s = 8 in
//! 0.4 s (17 MiB), s = 10 in 7 s (0.16 GiB), s = 11 in 45 s (0.6 GiB), s = 12 in 280 s
//! (1.9 GiB); the population loss takes about half as long.
//!
//! States are merged across all words of an order and across initial A counts (the
//! coefficient key records the initial A count, which is the power of sigma2), which is what
//! makes the forward direction cheap: a backward memo would store polynomials in (H, p, N) per
//! state, the forward pass only small polynomials in H.
//!
//! The trace integrated at each step is the A-containing trace with the fewest letters A (this
//! finishes traces early, and measured fewer states than the opposite choice).
//!
//! Coefficient bound: values are i128 with checked arithmetic; an overflow is reported as
//! [`ExpansionError::Overflow`], never wrapped.

use super::fasthash::FastMap;
use super::word::{TraceWord, Word, WordComb};
use super::ExpansionError;
use num_bigint::BigInt;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// A state: a multiset of canonical words (traces), sorted.
pub type State = Box<[Word]>;

/// A coefficient: sparse integer polynomial in (sigma2, H). Key `(c << 6) | h` for
/// `sigma2^c H^h`, sorted by key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coef(pub Vec<(u16, i128)>);

impl Coef {
    fn add_assign(&mut self, other: &Coef) -> Result<(), ExpansionError> {
        if self.0.is_empty() {
            self.0.extend_from_slice(&other.0);
            return Ok(());
        }
        for &(k, v) in &other.0 {
            match self.0.binary_search_by_key(&k, |x| x.0) {
                Ok(i) => {
                    self.0[i].1 = self.0[i].1.checked_add(v).ok_or(ExpansionError::Overflow)?;
                }
                Err(i) => self.0.insert(i, (k, v)),
            }
        }
        self.0.retain(|x| x.1 != 0);
        Ok(())
    }

    /// `self * H^dh * mult` (sigma2 is implicit: keys carry the initial A count).
    fn shifted(&self, dh: u16, mult: i128) -> Result<Coef, ExpansionError> {
        let mut v = Vec::with_capacity(self.0.len());
        for &(k, c) in &self.0 {
            v.push((k + dh, c.checked_mul(mult).ok_or(ExpansionError::Overflow)?));
        }
        Ok(Coef(v))
    }
}

fn a_count<W: TraceWord>(state: &[W]) -> usize {
    state.iter().map(|w| w.count_a()).sum()
}

/// A child of a state: the state with traces `remove` taken out and `add` put in.
fn make_state<W: TraceWord>(state: &[W], remove: (usize, usize), add: &[W]) -> Box<[W]> {
    let mut v: Vec<W> = Vec::with_capacity(state.len() + 1);
    for (i, &w) in state.iter().enumerate() {
        if i != remove.0 && i != remove.1 {
            v.push(w);
        }
    }
    for &w in add {
        v.push(w.canonical());
    }
    v.sort_unstable();
    v.into_boxed_slice()
}

/// Which trace to integrate: the A-containing trace with the fewest letters A (ties: first).
fn pick_trace<W: TraceWord>(state: &[W]) -> Option<usize> {
    state
        .iter()
        .enumerate()
        .filter(|(_, w)| w.count_a() > 0)
        .min_by_key(|(i, w)| (w.count_a(), *i))
        .map(|(i, _)| i)
}

/// One integration-by-parts step on a state (module docs). Calls `emit(child, h)` where the
/// child's weight is `sigma2 * H^h` (h in {0, 1}). Generic over the word type: the letters
/// other than A are passive (S, or S and Sigma in the anisotropic expansion).
pub fn expand_state<W: TraceWord>(state: &[W], mut emit: impl FnMut(Box<[W]>, u16)) {
    let Some(t) = pick_trace(state) else {
        return;
    };
    let w = state[t];
    let n = w.len();
    // Rotate so that an A is at position 0: T = A C.
    let tw = w.rotated(w.first_a());
    let c = tw.slice(1, n);
    let none = usize::MAX;
    // H tr(C)
    emit(make_state(state, (t, none), &[c]), 1);
    let a_letter = W::a_letter();
    // Same trace: C = X A Y.
    for k in 1..n {
        if tw.is_a(k) {
            let x = tw.slice(1, k);
            let y = tw.slice(k + 1, n);
            let twisted = x.reversed().concat(a_letter).concat(y);
            emit(make_state(state, (t, none), &[twisted]), 0);
            emit(make_state(state, (t, none), &[tw.slice(1, k + 1), y]), 0);
        }
    }
    // Other traces tr(A Z).
    let rc = c.reversed();
    for (u, &uw) in state.iter().enumerate() {
        if u == t || uw.count_a() == 0 {
            continue;
        }
        let m = uw.len();
        for i in 0..m {
            if uw.is_a(i) {
                let z = uw.rotated(i).slice(1, m);
                let j1 = rc.concat(a_letter).concat(z);
                let j2 = rc.concat(a_letter).concat(z.reversed());
                emit(make_state(state, (t, u), &[j1]), 0);
                emit(make_state(state, (t, u), &[j2]), 0);
            }
        }
    }
}

/// Progress callback: `(level, number of states at that level)`.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Phase 1 on a linear combination of words: the level-0 combination of states (pure S
/// powers), coefficients polynomials in (sigma2, H). See the module docs.
pub fn integrate_w(
    comb: &WordComb,
    progress: Option<Progress<'_>>,
) -> Result<FastMap<State, Coef>, ExpansionError> {
    let init = comb
        .iter()
        .map(|(&w, &c)| (vec![w].into_boxed_slice(), c))
        .collect();
    integrate_states(init, progress)
}

/// Phase 1 from arbitrary initial states (sorted multisets of canonical words) with integer
/// weights: `E_W[sum_i c_i prod_{w in state_i} tr(w)]` as a combination of pure-S states.
pub fn integrate_w_states(
    init: Vec<(State, i128)>,
) -> Result<FastMap<State, Coef>, ExpansionError> {
    integrate_states(init, None)
}

/// Phase 1 for any word type ([`TraceWord`]): from initial states (sorted multisets of
/// canonical words) with integer weights to the level-0 states (no letter A left), each with
/// its coefficient, a polynomial in (sigma2, H) whose sigma2 power is the initial A count.
pub fn integrate_states<W: TraceWord>(
    init: Vec<(Box<[W]>, i128)>,
    progress: Option<Progress<'_>>,
) -> Result<FastMap<Box<[W]>, Coef>, ExpansionError> {
    let max_a = init.iter().map(|(s, _)| a_count(s)).max().unwrap_or(0);
    let mut levels: Vec<FastMap<Box<[W]>, Coef>> =
        (0..=max_a).map(|_| FastMap::default()).collect();
    for (st, c) in init {
        let a = a_count(&st);
        let coef = Coef(vec![((a as u16) << 6, c)]);
        levels[a].entry(st).or_default().add_assign(&coef)?;
    }
    for a in (1..=max_a).rev() {
        let cur = std::mem::take(&mut levels[a]);
        if let Some(p) = progress {
            p(a, cur.len());
        }
        let items: Vec<(Box<[W]>, Coef)> = cur.into_iter().collect();
        let err: Mutex<Option<ExpansionError>> = Mutex::new(None);
        let next = items
            .par_iter()
            .fold(FastMap::<Box<[W]>, Coef>::default, |mut acc, (st, coef)| {
                debug_assert_eq!(a_count(st), a);
                expand_state(st, |child, h| match coef.shifted(h, 1) {
                    Ok(cc) => {
                        if let Err(e) = acc.entry(child).or_default().add_assign(&cc) {
                            *err.lock().expect("lock") = Some(e);
                        }
                    }
                    Err(e) => *err.lock().expect("lock") = Some(e),
                });
                acc
            })
            .reduce(FastMap::default, |x, y| {
                let (mut big, small) = if x.len() >= y.len() { (x, y) } else { (y, x) };
                for (k, v) in small {
                    if let Err(e) = big.entry(k).or_default().add_assign(&v) {
                        *err.lock().expect("lock") = Some(e);
                    }
                }
                big
            });
        if let Some(e) = err.into_inner().expect("lock") {
            return Err(e);
        }
        let dst = &mut levels[a - 1];
        if dst.is_empty() {
            *dst = next;
        } else {
            for (k, v) in next {
                dst.entry(k).or_default().add_assign(&v)?;
            }
        }
    }
    Ok(std::mem::take(&mut levels[0]))
}

/// Integer polynomial in (N, p): key `(n, e)` for `N^n p^e`.
pub type NP = BTreeMap<(u32, u32), i128>;

/// Memoized real-Wishart moments `M_lambda(N, p) = N^{|lambda|} E[prod tr S^{lambda_i}]`,
/// lambda a partition with parts >= 1, sorted decreasingly (module docs, phase 2).
#[derive(Default)]
pub struct Wishart {
    memo: FastMap<Vec<u32>, NP>,
}

fn np_add(dst: &mut NP, src: &NP, mult: i128, dn: u32, dp: u32) -> Result<(), ExpansionError> {
    for (&(n, e), &c) in src {
        let v = c.checked_mul(mult).ok_or(ExpansionError::Overflow)?;
        let slot = dst.entry((n + dn, e + dp)).or_insert(0);
        *slot = slot.checked_add(v).ok_or(ExpansionError::Overflow)?;
    }
    Ok(())
}

impl Wishart {
    /// `M_lambda` for a multiset of parts (zeros allowed: each gives a factor p).
    pub fn moment(&mut self, parts: &[u32]) -> Result<NP, ExpansionError> {
        let zeros = parts.iter().filter(|&&k| k == 0).count() as u32;
        let mut lam: Vec<u32> = parts.iter().copied().filter(|&k| k > 0).collect();
        lam.sort_unstable_by(|a, b| b.cmp(a));
        let m = self.moment_sorted(lam)?;
        let mut out = NP::new();
        np_add(&mut out, &m, 1, 0, zeros)?;
        Ok(out)
    }

    fn moment_sorted(&mut self, lam: Vec<u32>) -> Result<NP, ExpansionError> {
        if lam.is_empty() {
            return Ok([((0, 0), 1)].into_iter().collect());
        }
        if let Some(v) = self.memo.get(&lam) {
            return Ok(v.clone());
        }
        let k = lam[0];
        let rest = &lam[1..];
        let mut out = NP::new();
        let with = |extra: &[u32]| -> Vec<u32> {
            let mut v: Vec<u32> = rest.to_vec();
            v.extend_from_slice(extra);
            v
        };
        // (N + k - 1) M_{k-1, rest}
        let m1 = self.moment(&with(&[k - 1]))?;
        np_add(&mut out, &m1, 1, 1, 0)?;
        np_add(&mut out, &m1, i128::from(k - 1), 0, 0)?;
        // splits
        if k >= 2 {
            for i in 0..=(k - 2) {
                let m2 = self.moment(&with(&[i + 1, k - 2 - i]))?;
                np_add(&mut out, &m2, 1, 0, 0)?;
            }
        }
        // joins
        for (j, &mj) in rest.iter().enumerate() {
            let mut v: Vec<u32> = rest.to_vec();
            v.remove(j);
            v.push(k + mj - 1);
            let m3 = self.moment(&v)?;
            np_add(&mut out, &m3, 2 * i128::from(mj), 0, 0)?;
        }
        out.retain(|_, v| *v != 0);
        self.memo.insert(lam, out.clone());
        Ok(out)
    }
}

/// Raw monomial key `[p, H, sigma2, N]` exponents (N exponent <= 0).
pub type RawKey = [i32; 4];

/// `E[sum_w c_w tr(w)]` for a combination of words, as exact integers per raw monomial
/// `p^A H^B sigma2^C N^E` (E <= 0). Phase 1 then phase 2.
pub fn expectation(
    comb: &WordComb,
    progress: Option<Progress<'_>>,
) -> Result<BTreeMap<RawKey, BigInt>, ExpansionError> {
    let level0 = integrate_w(comb, progress)?;
    let mut wishart = Wishart::default();
    let mut out: BTreeMap<RawKey, BigInt> = BTreeMap::new();
    for (st, coef) in level0 {
        let parts: Vec<u32> = st.iter().map(|w| w.len() as u32).collect();
        let b: u32 = parts.iter().sum();
        let m = wishart.moment(&parts)?;
        for &(key, c) in &coef.0 {
            let sig = i32::from(key >> 6);
            let h = i32::from(key & 63);
            for (&(n, e), &v) in &m {
                let k = [e as i32, h, sig, n as i32 - b as i32];
                *out.entry(k).or_default() += BigInt::from(c) * BigInt::from(v);
            }
        }
    }
    out.retain(|_, v| *v != BigInt::from(0));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single(w: &str) -> WordComb {
        [(Word::parse(w).unwrap().canonical(), 1)]
            .into_iter()
            .collect()
    }

    fn key(p: i32, h: i32, s: i32, n: i32) -> RawKey {
        [p, h, s, n]
    }

    #[test]
    fn wishart_moments() {
        let mut w = Wishart::default();
        // M = N^{|lambda|} E[...]: E tr S = p ; E tr S^2 = p (N + p + 1) / N
        assert_eq!(w.moment(&[1]).unwrap(), [((1, 1), 1)].into_iter().collect());
        let m2 = w.moment(&[2]).unwrap();
        assert_eq!(
            m2,
            [((2, 1), 1), ((1, 2), 1), ((1, 1), 1)]
                .into_iter()
                .collect()
        );
        // E (tr S)^2 = p (N p + 2) / N
        let m11 = w.moment(&[1, 1]).unwrap();
        assert_eq!(m11, [((2, 2), 1), ((1, 1), 2)].into_iter().collect());
        // E tr S^3 = p (N^2 + p^2 + 3 N p + 3 N + 3 p + 4) / N^2
        let m3 = w.moment(&[3]).unwrap();
        let want: NP = [
            ((3, 1), 1),
            ((1, 3), 1),
            ((2, 2), 3),
            ((2, 1), 3),
            ((1, 2), 3),
            ((1, 1), 4),
        ]
        .into_iter()
        .collect();
        assert_eq!(m3, want);
        // zeros are factors p: E[tr S tr I] = p^2
        assert_eq!(
            w.moment(&[0, 1]).unwrap(),
            [((1, 2), 1)].into_iter().collect()
        );
    }

    #[test]
    fn wishart_moments_of_a() {
        // E tr A^3 = sigma2^3 H p (H^2 + p^2 + 3 H p + 3 H + 3 p + 4)
        let e = expectation(&single("AAA"), None).unwrap();
        let want: BTreeMap<RawKey, BigInt> = [
            (key(1, 3, 3, 0), 1),
            (key(3, 1, 3, 0), 1),
            (key(2, 2, 3, 0), 3),
            (key(1, 2, 3, 0), 3),
            (key(2, 1, 3, 0), 3),
            (key(1, 1, 3, 0), 4),
        ]
        .into_iter()
        .map(|(k, v)| (k, BigInt::from(v)))
        .collect();
        assert_eq!(e, want);
        // E tr(A S) = sigma2 H p (S independent, E S = I)
        let e = expectation(&single("AS"), None).unwrap();
        assert_eq!(
            e,
            [(key(1, 1, 1, 0), BigInt::from(1))].into_iter().collect()
        );
    }
}
