//! The exact expansion with anisotropic data, x ~ N(0, Sigma) (THEORY 9.2).
//!
//! `c_s = E[L^(s)(0)] / p` becomes a polynomial in p, H, sigma2, 1/N and the spectral moments
//! `m_k = tr(Sigma^k) / p`, with products of moments. This module is separate from the
//! isotropic path ([`super::full_coefficients`], [`super::leading_coefficients`]), which it
//! leaves untouched; it reuses the same integration-by-parts engine ([`super::wick`]).
//!
//! ## Words
//!
//! The train loss `(1/2) tr[(I - A) S (I - A)]` has the isotropic words in A and S. The
//! population loss is `(1/2) tr[(I - A) Sigma (I - A)]`, so `L_pop^(s)` is a combination of words
//! with exactly one letter Sigma ([`word3`]; D acts on A only, D(S) = D(Sigma) = 0).
//!
//! ## Expectation over W
//!
//! W stays isotropic, so phase 1 of [`super::wick`] applies unchanged with S and Sigma both
//! passive letters. At level 0 every trace is `tr(S^k)` or `tr(Sigma S^k)`.
//!
//! ## Expectation over the data
//!
//! `S = Sigma^{1/2} S0 Sigma^{1/2}` with `S0 = Z Z^T / N` isotropic Wishart, so cyclically
//! `tr(S^k) = tr((S0 Sigma)^k)` and `tr(Sigma S^k) = tr(Sigma^2 S0 (Sigma S0)^{k-1})`. The
//! expectation over Z is again phase 1 of the Wick engine, with S0 the active letter (the role of
//! A, with `sigma2 -> 1/N`, `H -> N`) and Sigma passive (the role of S). This is the Wick rule of
//! THEORY 9.2: a pair of y's gives `delta_ab Sigma_ij`, a sample loop gives N, and at the end
//! each p-loop is a power of Sigma, `tr(Sigma^b) = p m_b` (`m_0 = 1`). With `N = inf`,
//! `S = Sigma`: `tr(S^k) = p m_k` and `tr(Sigma S^k) = p m_{k+1}` directly.
//!
//! Each c_s is homogeneous of degree s + 1 in Sigma (every word has s + 1 letters S or Sigma),
//! so the moment indices of every monomial sum to s + 1.
//!
//! ## Leading part
//!
//! [`free`] computes the g = 0 part independently by free probability, with S = Sigma^{1/2} S0
//! Sigma^{1/2}, S0 free Poisson free from Sigma, and A free Poisson free from both.
//!
//! ## Cost
//!
//! Phase 1 for the train loss is the isotropic one; for the population loss it runs on words
//! with one more letter kind (about twice the states of the isotropic train loss at the same
//! order). Phase 2 runs once per distinct level-0 state (multisets of `(k, Sigma?)`, a few
//! hundred at s = 8). Measured timings are in [`super::estimate::aniso_estimate`]; the
//! population loss costs more than the train loss here (the opposite of the isotropic case)
//! because Sigma breaks the symmetry between its words' letters S.

pub mod checks;
pub mod free;
pub mod word3;

use super::fasthash::FastMap;
use super::wick::{integrate_states, integrate_w_states, Coef, Progress};
use super::word::{doubled_derivatives, TraceWord, Word};
use super::ExpansionError;
use crate::poly::{Poly, Vars};
use crate::polytope::Loss;
use num_bigint::BigInt;
use num_rational::BigRational;
use std::collections::BTreeMap;
pub use word3::{doubled_derivatives3, Word3};

/// Number of moment variables `m_1 .. m_K` carried by every anisotropic polynomial (fixed, so
/// that polynomials of different orders compare); orders up to `K - 1` fit.
pub const MAX_MOMENTS: usize = 12;

/// Number of base variables before the moments: `p, H, sigma2, N` (full) or `r, q, y`
/// (leading) — see [`aniso_full_vars`] and [`aniso_leading_vars`].
pub const FULL_BASE: usize = 4;

/// Base variables of the leading polynomials: `r, q, y`.
pub const LEADING_BASE: usize = 3;

static FULL_VARS_ANISO: std::sync::LazyLock<Vars> = std::sync::LazyLock::new(|| {
    let m: Vec<String> = (1..=MAX_MOMENTS).map(|k| format!("m{k}")).collect();
    Vars::new(
        crate::expansion::FULL_VARS
            .iter()
            .copied()
            .chain(m.iter().map(|s| s.as_str())),
    )
});

static LEADING_VARS_ANISO: std::sync::LazyLock<Vars> = std::sync::LazyLock::new(|| {
    let m: Vec<String> = (1..=MAX_MOMENTS).map(|k| format!("m{k}")).collect();
    Vars::new(
        crate::expansion::LEADING_VARS
            .iter()
            .copied()
            .chain(m.iter().map(|s| s.as_str())),
    )
});

/// The name of the moment variable `m_k = E_{mu_S}[lam^k]` (k >= 1): `m1`, `m2`, ...
pub fn moment_name(k: usize) -> String {
    format!("m{k}")
}

/// Variables of the full anisotropic polynomials: `p, H, sigma2, N, m1, ..., m12`
/// (N with exponents <= 0, moment exponents >= 0).
pub fn aniso_full_vars() -> Vars {
    FULL_VARS_ANISO.clone()
}

/// Variables of the leading anisotropic polynomials: `r, q, y, m1, ..., m12`.
pub fn aniso_leading_vars() -> Vars {
    LEADING_VARS_ANISO.clone()
}

/// The training-set size of an expansion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Samples {
    /// Finite N: polynomials in 1/N.
    Finite,
    /// N = inf: S = Sigma.
    Infinite,
}

/// One trace at level 0 of phase 1: `tr(S^k)` (`sigma = false`) or `tr(Sigma S^k)`.
type Trace0 = (u32, bool);

/// Phase 2 result of one level-0 state: exponent vectors `[p, N, m_1..m_K]` with integer
/// coefficients.
type Phase2 = Vec<(Vec<i32>, i128)>;

/// The (S0, Sigma) word of a level-0 trace: S0 in the role of A, Sigma in the role of S.
fn data_word(t: Trace0) -> Word {
    let (k, sigma) = t;
    let mut s = String::new();
    if sigma {
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
    Word::parse(&s).expect("short word").canonical()
}

/// `prod_i tr(Sigma^{b_i}) = prod_i p m_{b_i}` as `[p, m_1..m_K]` exponents (after the N slot).
fn sigma_powers(parts: impl Iterator<Item = usize>) -> Result<Vec<i32>, ExpansionError> {
    let mut e = vec![0i32; 1 + MAX_MOMENTS];
    for b in parts {
        e[0] += 1;
        if b > 0 {
            if b > MAX_MOMENTS {
                return Err(ExpansionError::WordTooLong { len: b });
            }
            e[b] += 1;
        }
    }
    Ok(e)
}

/// `E_Z[prod tr(...)]` of a level-0 state times `N^{|k|}`... precisely: the list of
/// `(exponents [p, N, m..], integer)` with `E = sum c p^a N^e prod m^..` (module docs).
fn phase2(state: &[Trace0], samples: Samples) -> Result<Phase2, ExpansionError> {
    match samples {
        Samples::Infinite => {
            let pe = sigma_powers(state.iter().map(|&(k, s)| k as usize + usize::from(s)))?;
            let mut e = vec![pe[0], 0];
            e.extend_from_slice(&pe[1..]);
            Ok(vec![(e, 1)])
        }
        Samples::Finite => {
            let mut words: Vec<Word> = state.iter().map(|&t| data_word(t)).collect();
            words.sort_unstable();
            let lvl0 = integrate_w_states(vec![(words.into_boxed_slice(), 1)])?;
            let mut out = Vec::new();
            for (st, coef) in lvl0 {
                let pe = sigma_powers(st.iter().map(|w| w.len()))?;
                for &(key, c) in &coef.0 {
                    // (1/N)^{c0} N^h with c0 the number of S0 letters.
                    let c0 = i32::from(key >> 6);
                    let h = i32::from(key & 63);
                    let mut e = Vec::with_capacity(2 + MAX_MOMENTS);
                    e.push(pe[0]);
                    e.push(h - c0);
                    e.extend_from_slice(&pe[1..]);
                    out.push((e, c));
                }
            }
            out.sort();
            Ok(out)
        }
    }
}

/// Combine phase 1 (level-0 states with (sigma2, H) coefficients) and phase 2 into `c_s`.
fn combine(
    level0: Vec<(Vec<Trace0>, Coef)>,
    samples: Samples,
    memo: &mut FastMap<Vec<Trace0>, Phase2>,
) -> Result<Poly, ExpansionError> {
    let mut acc: BTreeMap<Vec<i32>, BigInt> = BTreeMap::new();
    for (mut st, coef) in level0 {
        st.sort_unstable();
        if !memo.contains_key(&st) {
            let v = phase2(&st, samples)?;
            memo.insert(st.clone(), v);
        }
        let p2 = &memo[&st];
        for &(key, c1) in &coef.0 {
            let sig = i32::from(key >> 6);
            let h = i32::from(key & 63);
            for (e2, c2) in p2 {
                // raw key [p, H, sigma2, N, m..]; c_s = E[2 L^(s)] / (2 p)
                let mut k = Vec::with_capacity(FULL_BASE + MAX_MOMENTS);
                k.extend_from_slice(&[e2[0] - 1, h, sig, e2[1]]);
                k.extend_from_slice(&e2[2..]);
                let v = match c1.checked_mul(*c2) {
                    Some(v) => BigInt::from(v),
                    None => BigInt::from(c1) * BigInt::from(*c2),
                };
                *acc.entry(k).or_default() += v;
            }
        }
    }
    let mut poly = Poly::zero(&aniso_full_vars());
    for (k, v) in acc {
        poly.add_term(k, BigRational::new(v, BigInt::from(2)));
    }
    Ok(poly)
}

/// `c_0, ..., c_{max_order}` with anisotropic data, exactly: polynomials in
/// [`aniso_full_vars`] (`p, H, sigma2, N, m1..m12`; no N for [`Samples::Infinite`]).
/// `progress(s, level, states)` is called before each level of phase 1 of each order.
/// Orders above [`super::estimate::MAX_ANISO_ORDER`] are refused with an estimate.
/// Measured (population loss, all orders 0..=s, release, 2 shared cores): s = 6 in 0.5 s,
/// s = 7 in 5.3 s, s = 8 in 33 s (0.12 GiB); the train loss 0.1 s, 2.1 s, 6.3 s.
pub fn full_coefficients_aniso(
    max_order: usize,
    loss: Loss,
    samples: Samples,
    progress: Option<&(dyn Fn(usize, usize, usize) + Sync)>,
) -> Result<Vec<Poly>, ExpansionError> {
    super::estimate::check_aniso(max_order, false)?;
    let mut memo: FastMap<Vec<Trace0>, Phase2> = FastMap::default();
    let mut out = Vec::with_capacity(max_order + 1);
    match loss {
        Loss::Train => {
            let derivs = doubled_derivatives(max_order, loss)?;
            for (s, comb) in derivs.iter().enumerate() {
                let cb = progress.map(|p| move |a: usize, n: usize| p(s, a, n));
                let pr: Option<Progress<'_>> = cb.as_ref().map(|f| f as Progress<'_>);
                let init = comb
                    .iter()
                    .map(|(&w, &c)| (vec![w].into_boxed_slice(), c))
                    .collect();
                let lvl0 = integrate_states::<Word>(init, pr)?;
                let lvl0 = lvl0
                    .into_iter()
                    .map(|(st, c)| (st.iter().map(|w| (w.len() as u32, false)).collect(), c))
                    .collect();
                out.push(combine(lvl0, samples, &mut memo)?);
            }
        }
        Loss::Pop => {
            let derivs = doubled_derivatives3(max_order, loss)?;
            for (s, comb) in derivs.iter().enumerate() {
                let cb = progress.map(|p| move |a: usize, n: usize| p(s, a, n));
                let pr: Option<Progress<'_>> = cb.as_ref().map(|f| f as Progress<'_>);
                let init = comb
                    .iter()
                    .map(|(&w, &c)| (vec![w].into_boxed_slice(), c))
                    .collect();
                let lvl0 = integrate_states::<Word3>(init, pr)?;
                let lvl0 = lvl0
                    .into_iter()
                    .map(|(st, c)| {
                        let t: Vec<Trace0> = st
                            .iter()
                            .map(|w| (w.count_s() as u32, w.count_sigma() == 1))
                            .collect();
                        debug_assert!(st.iter().all(|w| TraceWord::count_a(*w) == 0));
                        (t, c)
                    })
                    .collect();
                out.push(combine(lvl0, samples, &mut memo)?);
            }
        }
    }
    Ok(out)
}

/// The normalized view with moments: raw `p^a H^B sigma2^C N^(-D) m..` to
/// `r^k q^j y^l eps^g m..` (THEORY section 3, the moments kept as O(1) constants; it is
/// [`crate::expansion::normalize`], which keeps every further variable by name).
pub fn normalize_aniso(full: &Poly) -> Poly {
    crate::expansion::normalize(full)
}

/// The g = 0 part of a full anisotropic coefficient, in [`aniso_leading_vars`] (`r, q, y, m..`),
/// the shape of [`free::leading_coefficients_aniso`] ([`crate::expansion::leading_part`]).
pub fn leading_part_aniso(full: &Poly) -> Poly {
    crate::expansion::leading_part(full)
}

/// Substitute values for the moments: `m[k - 1]` for `m_k` (moments beyond `m.len()` must not
/// occur, else [`ExpansionError::WordTooLong`]); the result is a polynomial in the other
/// variables (the moment variables `m1..` are found by name, [`moment_name`]). With all
/// `m_k = 1` this is the isotropic polynomial (THEORY 9.1: isotropic data is `m_k = 1`).
pub fn substitute_moments(poly: &Poly, m: &[BigRational]) -> Result<Poly, ExpansionError> {
    let mut values = Vec::new();
    for k in 1..=MAX_MOMENTS {
        let name = moment_name(k);
        let Some(i) = poly.var_index(&name) else {
            continue;
        };
        let value = match m.get(k - 1) {
            Some(v) => v.clone(),
            None if poly.terms().all(|(e, _)| e[i] == 0) => BigRational::from_integer(1.into()),
            None => return Err(ExpansionError::WordTooLong { len: k }),
        };
        values.push((name, value));
    }
    let at: Vec<(&str, BigRational)> = values
        .iter()
        .map(|(n, v)| (n.as_str(), v.clone()))
        .collect();
    Ok(poly.eval_at(&at))
}

/// The exponent of the moment `m_k` in an exponent vector of `poly` (0 if `m_k` is not a
/// variable).
pub fn moment_exponent(poly: &Poly, e: &[i32], k: usize) -> i32 {
    poly.exponent(e, &moment_name(k))
}

/// Why a polynomial with moments cannot be evaluated at a spectral law.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LawError {
    /// A moment that occurs is infinite (heavy tail, THEORY 9.6).
    #[error("m_{k} of {law} is infinite, and it occurs in this coefficient")]
    InfiniteMoment {
        /// The index k.
        k: usize,
        /// The law, as written.
        law: String,
    },
    /// The law cannot be evaluated (e.g. an unread file).
    #[error(transparent)]
    Spectrum(#[from] crate::spec::SpectrumError),
}

/// Substitute the exact moments of a spectral law (the law as given; use
/// [`crate::spec::SpectrumLaw::normalized`] first for mean 1). Fails when a moment that
/// occurs is infinite.
pub fn substitute_law(poly: &Poly, law: &crate::spec::SpectrumLaw) -> Result<Poly, LawError> {
    let occurs = |k: usize| poly.terms().any(|(e, _)| moment_exponent(poly, e, k) != 0);
    let used = (1..=MAX_MOMENTS).filter(|&k| occurs(k)).max().unwrap_or(0);
    let mut m = Vec::with_capacity(used);
    for k in 1..=used {
        let occurs = occurs(k);
        m.push(match law.moment(k as u32)? {
            crate::spec::Moment::Finite(v) => v,
            crate::spec::Moment::Infinite if occurs => {
                return Err(LawError::InfiniteMoment {
                    k,
                    law: law.to_string(),
                })
            }
            crate::spec::Moment::Infinite => BigRational::from_integer(0.into()),
        });
    }
    Ok(substitute_moments(poly, &m).expect("every occurring moment is given"))
}

/// The first order s whose coefficient `c_s` involves an infinite moment of the law (THEORY
/// 9.6): c_s contains `m_{s+1}` (and no higher moment), so this is `k - 1` for the first
/// infinite `m_k`; None for a law with bounded support. From this order on the finite-p
/// coefficients grow with p (like `p^(a (s + 1) - 1)` for `powerlaw(a)`).
pub fn first_divergent_order(law: &crate::spec::SpectrumLaw) -> Option<usize> {
    law.first_infinite_moment().map(|k| k as usize - 1)
}

/// The isotropic reduction: every `m_k = 1`.
pub fn at_identity(poly: &Poly) -> Poly {
    let ones = vec![BigRational::from_integer(1.into()); MAX_MOMENTS];
    substitute_moments(poly, &ones).expect("all moments given")
}

/// The moment product of an exponent vector (the slots after `base`) as a partition, largest
/// part first: `m1^2 m3` is `[3, 1, 1]`.
pub fn moment_partition(e: &[i32], base: usize) -> Vec<usize> {
    let mut parts = Vec::new();
    for (k, &x) in e[base..].iter().enumerate().rev() {
        for _ in 0..x {
            parts.push(k + 1);
        }
    }
    parts
}

/// Render a moment product: `m1^2*m3`, or `1`.
pub fn moment_label(e: &[i32], base: usize) -> String {
    let f: Vec<String> = e[base..]
        .iter()
        .enumerate()
        .filter(|(_, &x)| x != 0)
        .map(|(k, &x)| {
            if x == 1 {
                format!("m{}", k + 1)
            } else {
                format!("m{}^{x}", k + 1)
            }
        })
        .collect();
    if f.is_empty() {
        "1".to_string()
    } else {
        f.join("*")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::{frac, rat};

    #[test]
    fn c0_is_m1_times_the_isotropic_c0() {
        // c_0 = m1 [1/2 - sigma2 H + (1/2) sigma2^2 H (H + p + 1)], both losses, any N.
        let m1 = |e: [i32; 4]| {
            let mut v = e.to_vec();
            v.extend(std::iter::repeat_n(0, MAX_MOMENTS));
            v[FULL_BASE] = 1;
            v
        };
        let mut want = Poly::zero(&aniso_full_vars());
        want.add_term(m1([0, 0, 0, 0]), frac(1, 2));
        want.add_term(m1([0, 1, 1, 0]), rat(-1));
        want.add_term(m1([0, 2, 2, 0]), frac(1, 2));
        want.add_term(m1([1, 1, 2, 0]), frac(1, 2));
        want.add_term(m1([0, 1, 2, 0]), frac(1, 2));
        for loss in [Loss::Train, Loss::Pop] {
            for samples in [Samples::Finite, Samples::Infinite] {
                let c = full_coefficients_aniso(0, loss, samples, None).unwrap();
                assert_eq!(c[0], want, "{loss:?} {samples:?}");
            }
        }
    }

    #[test]
    fn data_words() {
        assert_eq!(data_word((0, false)), Word::EMPTY);
        assert_eq!(data_word((0, true)).to_letters(), "S");
        assert_eq!(data_word((2, false)).len(), 4);
        // tr(Sigma S^2) = tr(Sigma^2 S0 Sigma S0): three Sigma, two S0.
        let w = data_word((2, true));
        assert_eq!((w.count_s(), w.count_a()), (3, 2));
    }
}
