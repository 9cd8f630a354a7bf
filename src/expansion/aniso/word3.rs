//! Words in three symmetric letters: A = W^T W, S = X X^T / N and the population covariance
//! Sigma (THEORY 9.2).
//!
//! The population loss with anisotropic data is `L_pop = (1/2) tr[(I - A) Sigma (I - A)]`, so its
//! derivatives `D^s L_pop` are words with exactly one letter Sigma (D acts on A only). A word is
//! packed in one `u64`: two bits per letter (0 = A, 1 = S, 2 = Sigma), letter i at bits 2i..2i+1,
//! and the length in the top 8 bits, so words of up to [`MAX_LEN3`] letters fit (orders s <= 12).
//! The canonical form is the minimum packed value over the 2n rotations of the word and of its
//! reversal (traces of products of symmetric matrices are invariant under both), O(n).

use crate::expansion::fasthash::FastMap;
use crate::expansion::word::{TraceWord, Word};
use crate::expansion::ExpansionError;
use crate::polytope::Loss;

/// Longest three-letter word that fits the packed representation.
pub const MAX_LEN3: usize = 28;

const LEN_SHIFT: u32 = 56;
const BITS_MASK: u64 = (1u64 << LEN_SHIFT) - 1;
const LOW_PAIRS: u64 = 0x5555_5555_5555_5555;

/// A letter of a [`Word3`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Letter3 {
    /// `A = W^T W`.
    A,
    /// `S`, the empirical covariance.
    S,
    /// `Sigma`, the population covariance.
    Sigma,
}

impl Letter3 {
    fn code(self) -> u64 {
        match self {
            Letter3::A => 0,
            Letter3::S => 1,
            Letter3::Sigma => 2,
        }
    }
}

/// A word in A, S and Sigma, packed (module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Word3(pub u64);

#[inline]
fn mask2(n: usize) -> u64 {
    if 2 * n >= 64 {
        u64::MAX
    } else {
        (1u64 << (2 * n)) - 1
    }
}

impl Word3 {
    /// The empty word (`tr I = p`).
    pub const EMPTY: Word3 = Word3(0);

    /// Build from packed letter codes and a length (<= [`MAX_LEN3`]).
    #[inline]
    pub fn from_bits(bits: u64, len: usize) -> Word3 {
        debug_assert!(len <= MAX_LEN3);
        Word3(((len as u64) << LEN_SHIFT) | (bits & mask2(len)))
    }

    /// Parse a string of letters `A`, `S` and `T` (T stands for Sigma).
    pub fn parse(s: &str) -> Option<Word3> {
        if s.len() > MAX_LEN3 {
            return None;
        }
        let mut bits = 0u64;
        for (i, c) in s.chars().enumerate() {
            let l = match c {
                'A' => Letter3::A,
                'S' => Letter3::S,
                'T' => Letter3::Sigma,
                _ => return None,
            };
            bits |= l.code() << (2 * i);
        }
        Some(Word3::from_bits(bits, s.len()))
    }

    /// A two-letter word (A, S) as a three-letter word.
    pub fn from_word(w: Word) -> Word3 {
        let mut bits = 0u64;
        for i in 0..w.len() {
            bits |= ((w.bits() >> i) & 1) << (2 * i);
        }
        Word3::from_bits(bits, w.len())
    }

    /// Letter codes.
    #[inline]
    pub fn bits(self) -> u64 {
        self.0 & BITS_MASK
    }

    /// Number of letters.
    #[inline]
    pub fn len(self) -> usize {
        (self.0 >> LEN_SHIFT) as usize
    }

    /// True for the empty word.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Letter at position i.
    #[inline]
    pub fn letter(self, i: usize) -> Letter3 {
        match (self.bits() >> (2 * i)) & 3 {
            0 => Letter3::A,
            1 => Letter3::S,
            _ => Letter3::Sigma,
        }
    }

    /// Bit 2i set when letter i is not A.
    #[inline]
    fn non_a(self) -> u64 {
        let b = self.bits();
        (b | (b >> 1)) & LOW_PAIRS & mask2(self.len())
    }

    /// Number of letters S.
    #[inline]
    pub fn count_s(self) -> usize {
        let b = self.bits();
        (b & !(b >> 1) & LOW_PAIRS).count_ones() as usize
    }

    /// Number of letters Sigma.
    #[inline]
    pub fn count_sigma(self) -> usize {
        ((self.bits() >> 1) & LOW_PAIRS).count_ones() as usize
    }

    /// Render with `A`, `S` and `T` (Sigma); `I` for the empty word.
    pub fn to_letters(self) -> String {
        if self.is_empty() {
            return "I".to_string();
        }
        (0..self.len())
            .map(|i| match self.letter(i) {
                Letter3::A => 'A',
                Letter3::S => 'S',
                Letter3::Sigma => 'T',
            })
            .collect()
    }
}

impl TraceWord for Word3 {
    #[inline]
    fn a_letter() -> Self {
        Word3::from_bits(0, 1)
    }
    #[inline]
    fn len(self) -> usize {
        Word3::len(self)
    }
    #[inline]
    fn count_a(self) -> usize {
        self.len() - self.non_a().count_ones() as usize
    }
    #[inline]
    fn is_a(self, i: usize) -> bool {
        (self.bits() >> (2 * i)) & 3 == 0
    }
    #[inline]
    fn first_a(self) -> usize {
        ((!self.non_a()) & LOW_PAIRS).trailing_zeros() as usize / 2
    }
    #[inline]
    fn slice(self, i: usize, j: usize) -> Self {
        Word3::from_bits(self.bits() >> (2 * i), j - i)
    }
    #[inline]
    fn concat(self, other: Self) -> Self {
        let n = self.len();
        Word3::from_bits(self.bits() | (other.bits() << (2 * n)), n + other.len())
    }
    #[inline]
    fn reversed(self) -> Self {
        let n = self.len();
        if n == 0 {
            return self;
        }
        let r = self.bits().reverse_bits();
        // reverse_bits also swapped the two bits inside each letter: swap them back.
        let r = ((r >> 1) & LOW_PAIRS) | ((r & LOW_PAIRS) << 1);
        Word3::from_bits(r >> (64 - 2 * n), n)
    }
    #[inline]
    fn rotated(self, i: usize) -> Self {
        let n = self.len();
        if n == 0 || i.is_multiple_of(n) {
            return self;
        }
        let i = i % n;
        let b = self.bits();
        Word3::from_bits((b >> (2 * i)) | (b << (2 * (n - i))), n)
    }
    #[inline]
    fn canonical(self) -> Self {
        let n = self.len();
        if n <= 1 {
            return self;
        }
        let m = mask2(n);
        let head = (n as u64) << LEN_SHIFT;
        let mut best = u64::MAX;
        for b in [self.bits(), TraceWord::reversed(self).bits()] {
            let mut x = b;
            for _ in 0..n {
                best = best.min(x);
                x = ((x >> 2) | (x << (2 * (n - 1)))) & m;
            }
        }
        Word3(head | best)
    }
}

impl std::fmt::Display for Word3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_letters())
    }
}

/// A linear combination of canonical three-letter words with integer coefficients.
pub type WordComb3 = FastMap<Word3, i128>;

/// `2 L` as three-letter words: train `tr S - 2 tr(A S) + tr(A A S)` (no Sigma: the train loss
/// only sees S), population `2 L_pop = tr Sigma - 2 tr(A Sigma) + tr(A A Sigma)`.
pub fn doubled_loss3(loss: Loss) -> WordComb3 {
    let terms: [(&str, i128); 3] = match loss {
        Loss::Train => [("S", 1), ("AS", -2), ("AAS", 1)],
        Loss::Pop => [("T", 1), ("AT", -2), ("AAT", 1)],
    };
    terms
        .iter()
        .map(|&(w, c)| (Word3::parse(w).expect("valid word").canonical(), c))
        .collect()
}

/// `D(A) = 2 S A + 2 A S - 2 A S A - S A A - A A S` as (coefficient, letters).
const D_PATTERNS: [(i128, &str); 5] = [(2, "SA"), (2, "AS"), (-2, "ASA"), (-1, "SAA"), (-1, "AAS")];

/// Apply the derivation D (THEORY section 2; D(S) = D(Sigma) = 0) to a combination of
/// three-letter words: every A is replaced by each pattern of D(A), results canonicalized and
/// merged. Fails on i128 overflow or on words longer than [`MAX_LEN3`].
pub fn derive3(comb: &WordComb3) -> Result<WordComb3, ExpansionError> {
    let pats: Vec<(i128, Word3)> = D_PATTERNS
        .iter()
        .map(|&(c, w)| (c, Word3::parse(w).expect("valid pattern")))
        .collect();
    let mut out: WordComb3 = FastMap::default();
    for (&w, &c) in comb {
        let n = w.len();
        if n + 2 > MAX_LEN3 {
            return Err(ExpansionError::WordTooLong { len: n + 2 });
        }
        for i in 0..n {
            if !w.is_a(i) {
                continue;
            }
            let head = w.slice(0, i);
            let tail = w.slice(i + 1, n);
            for &(k, pat) in &pats {
                let nw = head.concat(pat).concat(tail).canonical();
                let add = c.checked_mul(k).ok_or(ExpansionError::Overflow)?;
                let e = out.entry(nw).or_insert(0);
                *e = e.checked_add(add).ok_or(ExpansionError::Overflow)?;
            }
        }
    }
    out.retain(|_, c| *c != 0);
    Ok(out)
}

/// `2 L^{(s)} = D^s (2 L)` for s = 0..=max_order, as three-letter words.
pub fn doubled_derivatives3(
    max_order: usize,
    loss: Loss,
) -> Result<Vec<WordComb3>, ExpansionError> {
    let mut out = Vec::with_capacity(max_order + 1);
    let mut cur = doubled_loss3(loss);
    for s in 0..=max_order {
        if s > 0 {
            cur = derive3(&cur)?;
        }
        out.push(cur.clone());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_rotation_reversal() {
        let w = Word3::parse("ATSAAS").unwrap();
        assert_eq!(w.to_letters(), "ATSAAS");
        assert_eq!(TraceWord::reversed(w).to_letters(), "SAASTA");
        assert_eq!(TraceWord::rotated(w, 2).to_letters(), "SAASAT");
        assert_eq!(TraceWord::count_a(w), 3);
        assert_eq!((w.count_s(), w.count_sigma()), (2, 1));
        assert_eq!(TraceWord::first_a(Word3::parse("STSA").unwrap()), 3);
        let c = w.canonical();
        for i in 0..w.len() {
            assert_eq!(TraceWord::rotated(w, i).canonical(), c);
            assert_eq!(TraceWord::reversed(TraceWord::rotated(w, i)).canonical(), c);
        }
        assert_eq!(
            Word3::from_word(Word::parse("ASSA").unwrap()).to_letters(),
            "ASSA"
        );
    }

    #[test]
    fn word_counts_of_theory_9_2() {
        // THEORY 9.2: L_pop^(s) with one letter Sigma has 3, 5, 21, 65, 245 words (s = 0..4).
        let d = doubled_derivatives3(4, Loss::Pop).unwrap();
        let n: Vec<usize> = d.iter().map(|c| c.len()).collect();
        assert_eq!(n, vec![3, 5, 21, 65, 245]);
        for c in &d {
            assert!(c.keys().all(|w| w.count_sigma() == 1));
        }
        // The train words are the isotropic ones.
        let d3 = doubled_derivatives3(4, Loss::Train).unwrap();
        let d2 = crate::expansion::word::doubled_derivatives(4, Loss::Train).unwrap();
        for (a, b) in d3.iter().zip(&d2) {
            let conv: WordComb3 = b
                .iter()
                .map(|(&w, &c)| (Word3::from_word(w).canonical(), c))
                .collect();
            assert_eq!(*a, conv);
        }
    }
}
