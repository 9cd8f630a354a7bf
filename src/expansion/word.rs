//! Words in the two symmetric letters A and S, their canonical forms, and the derivation D.
//!
//! A word `w = w_0 w_1 ... w_{n-1}` stands for the trace `tr(w_0 w_1 ... w_{n-1})` of a product of
//! p x p matrices, each letter being `A = W^T W` or `S = X X^T / N`. Because both letters are
//! symmetric, `tr(w)` is invariant under rotation (cyclicity of the trace) and under reversal
//! (`tr(M) = tr(M^T)`). A word is stored in one `u64`: bit `i` is 1 when `w_i = S` and 0 when
//! `w_i = A`, and the length sits in the top 7 bits, so that words of length <= [`MAX_LEN`] fit.
//! The canonical form is the minimum of the packed value over the `2n` rotations of `w` and of its
//! reversal (`O(n)` word operations).
//!
//! Along the flow `dA/dt = B A + A B` with `B = (I - A) S + S (I - A)` (THEORY section 2), so
//! `d/dt` acts on words as the derivation
//! `D(A) = 2 S A + 2 A S - 2 A S A - S A A - A A S`, `D(S) = 0`.

use super::fasthash::FastMap;
use super::ExpansionError;
use crate::polytope::Loss;

/// Longest word that fits the packed representation.
pub const MAX_LEN: usize = 57;

const LEN_SHIFT: u32 = 57;
const BITS_MASK: u64 = (1u64 << LEN_SHIFT) - 1;

/// A word in A and S, packed (see the module docs). Ordered by (length, letters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Word(pub u64);

/// A letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Letter {
    /// `A = W^T W`.
    A,
    /// `S = X X^T / N`.
    S,
}

#[inline]
fn mask(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

impl Word {
    /// The empty word (`tr I = p`).
    pub const EMPTY: Word = Word(0);

    /// Build from raw letter bits (bit i = 1 for S) and a length (<= [`MAX_LEN`]).
    #[inline]
    pub fn from_bits(bits: u64, len: usize) -> Word {
        debug_assert!(len <= MAX_LEN);
        Word(((len as u64) << LEN_SHIFT) | (bits & mask(len)))
    }

    /// Parse a string of `A` and `S` letters.
    pub fn parse(s: &str) -> Option<Word> {
        if s.len() > MAX_LEN {
            return None;
        }
        let mut bits = 0u64;
        for (i, c) in s.chars().enumerate() {
            match c {
                'A' => {}
                'S' => bits |= 1 << i,
                _ => return None,
            }
        }
        Some(Word::from_bits(bits, s.len()))
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

    /// Letter bits (bit i = 1 for S).
    #[inline]
    pub fn bits(self) -> u64 {
        self.0 & BITS_MASK
    }

    /// Letter at position i.
    #[inline]
    pub fn letter(self, i: usize) -> Letter {
        if (self.bits() >> i) & 1 == 1 {
            Letter::S
        } else {
            Letter::A
        }
    }

    /// Number of S letters.
    #[inline]
    pub fn count_s(self) -> usize {
        self.bits().count_ones() as usize
    }

    /// Number of A letters.
    #[inline]
    pub fn count_a(self) -> usize {
        self.len() - self.count_s()
    }

    /// The sub-word `w_i ... w_{j-1}` (as a linear word).
    #[inline]
    pub fn slice(self, i: usize, j: usize) -> Word {
        Word::from_bits(self.bits() >> i, j - i)
    }

    /// Concatenation `self other`.
    #[inline]
    pub fn concat(self, other: Word) -> Word {
        let n = self.len();
        Word::from_bits(self.bits() | (other.bits() << n), n + other.len())
    }

    /// The reversed word `w_{n-1} ... w_0`.
    #[inline]
    pub fn reversed(self) -> Word {
        let n = self.len();
        if n == 0 {
            return self;
        }
        Word::from_bits(self.bits().reverse_bits() >> (64 - n), n)
    }

    /// The rotation `w_i ... w_{n-1} w_0 ... w_{i-1}`.
    #[inline]
    pub fn rotated(self, i: usize) -> Word {
        let n = self.len();
        if n == 0 || i.is_multiple_of(n) {
            return self;
        }
        let i = i % n;
        let b = self.bits();
        Word::from_bits((b >> i) | (b << (n - i)), n)
    }

    /// Canonical representative under rotation and reversal: the minimum packed value over the
    /// 2n rotations of the word and of its reversal. O(n).
    #[inline]
    pub fn canonical(self) -> Word {
        let n = self.len();
        if n <= 1 {
            return self;
        }
        let m = mask(n);
        let head = (n as u64) << LEN_SHIFT;
        let mut best = u64::MAX;
        for b in [self.bits(), self.reversed().bits()] {
            let mut x = b;
            for _ in 0..n {
                best = best.min(x);
                x = ((x >> 1) | (x << (n - 1))) & m;
            }
        }
        Word(head | best)
    }

    /// Render as a string of letters.
    pub fn to_letters(self) -> String {
        (0..self.len())
            .map(|i| match self.letter(i) {
                Letter::A => 'A',
                Letter::S => 'S',
            })
            .collect()
    }
}

/// What the integration-by-parts engine ([`super::wick`]) needs of a word: one active letter A
/// (integrated out) among passive letters. Implemented by [`Word`] (letters A, S) and by the
/// three-letter words of the anisotropic expansion (A, S, Sigma). All methods are the
/// packed-word operations of the implementor, so the engine is monomorphized per word type.
pub trait TraceWord: Copy + Ord + Eq + std::hash::Hash + Send + Sync + std::fmt::Debug {
    /// The one-letter word `A`.
    fn a_letter() -> Self;
    /// Number of letters.
    fn len(self) -> usize;
    /// True for the empty word.
    fn is_empty(self) -> bool {
        self.len() == 0
    }
    /// Number of letters A.
    fn count_a(self) -> usize;
    /// True when letter i is A.
    fn is_a(self, i: usize) -> bool;
    /// Position of the first letter A (the word has one).
    fn first_a(self) -> usize;
    /// Sub-word `w_i ... w_{j-1}`.
    fn slice(self, i: usize, j: usize) -> Self;
    /// Concatenation.
    fn concat(self, other: Self) -> Self;
    /// Reversal.
    fn reversed(self) -> Self;
    /// Rotation by i letters.
    fn rotated(self, i: usize) -> Self;
    /// Canonical form under rotation and reversal.
    fn canonical(self) -> Self;
}

impl TraceWord for Word {
    #[inline]
    fn a_letter() -> Self {
        Word::from_bits(0, 1)
    }
    #[inline]
    fn len(self) -> usize {
        Word::len(self)
    }
    #[inline]
    fn count_a(self) -> usize {
        Word::count_a(self)
    }
    #[inline]
    fn is_a(self, i: usize) -> bool {
        (self.bits() >> i) & 1 == 0
    }
    #[inline]
    fn first_a(self) -> usize {
        (!self.bits()).trailing_zeros() as usize
    }
    #[inline]
    fn slice(self, i: usize, j: usize) -> Self {
        Word::slice(self, i, j)
    }
    #[inline]
    fn concat(self, other: Self) -> Self {
        Word::concat(self, other)
    }
    #[inline]
    fn reversed(self) -> Self {
        Word::reversed(self)
    }
    #[inline]
    fn rotated(self, i: usize) -> Self {
        Word::rotated(self, i)
    }
    #[inline]
    fn canonical(self) -> Self {
        Word::canonical(self)
    }
}

impl std::fmt::Display for Word {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_empty() {
            write!(f, "I")
        } else {
            write!(f, "{}", self.to_letters())
        }
    }
}

/// A linear combination of canonical words with integer coefficients (the loss and its
/// derivatives are stored doubled, `2 L^{(s)}`, so that all coefficients are integers).
pub type WordComb = FastMap<Word, i128>;

/// `2 L` as a combination of canonical words:
/// train `2 L_tr = tr S - 2 tr(A S) + tr(A A S)`, population `2 L_pop = tr I - 2 tr A + tr(A A)`.
pub fn doubled_loss(loss: Loss) -> WordComb {
    let terms: [(&str, i128); 3] = match loss {
        Loss::Train => [("S", 1), ("AS", -2), ("AAS", 1)],
        Loss::Pop => [("", 1), ("A", -2), ("AA", 1)],
    };
    terms
        .iter()
        .map(|&(w, c)| (Word::parse(w).expect("valid word").canonical(), c))
        .collect()
}

/// The five replacement patterns of `D(A)`: (coefficient, bits, length), bit i = 1 for S.
/// `2 SA + 2 AS - 2 ASA - SAA - AAS`.
const D_PATTERNS: [(i128, u64, usize); 5] = [
    (2, 0b01, 2),   // S A
    (2, 0b10, 2),   // A S
    (-2, 0b010, 3), // A S A
    (-1, 0b001, 3), // S A A
    (-1, 0b100, 3), // A A S
];

/// Apply the derivation D once: every A of every word is replaced by each pattern of `D(A)`,
/// and the results are canonicalized and merged. Cost O(W * a * 5 * n) for W words of length
/// <= n with <= a letters A. Fails on coefficient overflow (i128, checked) or on words longer
/// than [`MAX_LEN`].
pub fn derive(comb: &WordComb) -> Result<WordComb, ExpansionError> {
    let mut out: WordComb = FastMap::with_capacity_and_hasher(comb.len() * 4, Default::default());
    for (&w, &c) in comb {
        let n = w.len();
        if n + 2 > MAX_LEN {
            return Err(ExpansionError::WordTooLong { len: n + 2 });
        }
        let b = w.bits();
        for i in 0..n {
            if (b >> i) & 1 == 1 {
                continue;
            }
            let low = b & mask(i);
            let high = b >> (i + 1);
            for &(k, pat, m) in &D_PATTERNS {
                let nb = low | (pat << i) | (high << (i + m));
                let nw = Word::from_bits(nb, n - 1 + m).canonical();
                let add = c.checked_mul(k).ok_or(ExpansionError::Overflow)?;
                let e = out.entry(nw).or_insert(0);
                *e = e.checked_add(add).ok_or(ExpansionError::Overflow)?;
            }
        }
    }
    out.retain(|_, c| *c != 0);
    Ok(out)
}

/// `2 L^{(s)} = D^s (2 L)` for s = 0..=max_order, each a combination of canonical words.
pub fn doubled_derivatives(max_order: usize, loss: Loss) -> Result<Vec<WordComb>, ExpansionError> {
    let mut out = Vec::with_capacity(max_order + 1);
    let mut cur = doubled_loss(loss);
    for s in 0..=max_order {
        if s > 0 {
            cur = derive(&cur)?;
        }
        out.push(cur.clone());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comb(terms: &[(&str, i128)]) -> WordComb {
        terms
            .iter()
            .map(|&(w, c)| (Word::parse(w).unwrap().canonical(), c))
            .collect()
    }

    #[test]
    fn canonical_is_rotation_and_reversal_invariant() {
        let w = Word::parse("AASASSA").unwrap();
        let c = w.canonical();
        for i in 0..w.len() {
            assert_eq!(w.rotated(i).canonical(), c);
            assert_eq!(w.rotated(i).reversed().canonical(), c);
        }
        assert_ne!(
            Word::parse("AASS").unwrap().canonical(),
            Word::parse("ASAS").unwrap().canonical()
        );
        assert_eq!(Word::parse("ASAS").unwrap().rotated(1).to_letters(), "SASA");
        assert_eq!(Word::parse("AAS").unwrap().reversed().to_letters(), "SAA");
    }

    #[test]
    fn derivative_examples_of_theory_section_2() {
        // D L_pop = -4 tr(AS) + 8 tr(AAS) - 4 tr(AAAS)  (doubled: x2)
        let d = derive(&doubled_loss(Loss::Pop)).unwrap();
        assert_eq!(d, comb(&[("AS", -8), ("AAS", 16), ("AAAS", -8)]));
        // D L_tr = -4 tr(ASS) + 4 tr(AASS) + 4 tr(ASAS) - 3 tr(AASAS) - tr(AAASS)
        let d = derive(&doubled_loss(Loss::Train)).unwrap();
        assert_eq!(
            d,
            comb(&[
                ("ASS", -8),
                ("AASS", 8),
                ("ASAS", 8),
                ("AASAS", -6),
                ("AAASS", -2)
            ])
        );
    }

    #[test]
    fn word_counts_grow_as_expected() {
        // Number of distinct canonical words in 2 L_tr^{(s)}, s = 0..5 (independent Python count).
        let d = doubled_derivatives(5, Loss::Train).unwrap();
        let counts: Vec<usize> = d.iter().map(|c| c.len()).collect();
        assert_eq!(counts, vec![3, 5, 10, 26, 61, 180]);
    }
}
