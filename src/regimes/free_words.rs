//! Exact Taylor series of the free-face limit (F4) from the reduced flow and free probability.
//!
//! The reduced flow (THEORY 5.2, F4) is `dAt/dtau = -(S At^2 + 2 At S At + At^2 S)` with
//! `l_tr/q^2 -> (1/2) phi(S At^2)` and `l_pop/q^2 -> (1/2) phi(At^2)`, `phi = tr/p`. Along it,
//! `d/dtau` acts on traces of words in the letters `a = At`, `s = S` as the derivation
//! `D(a) = -(s a a + 2 a s a + a a s)`, `D(s) = 0`. The n-th derivative at 0 is `phi(D^n w0)`
//! evaluated at `At = At(0)`, which is free Poisson with all free cumulants `r`, free from `S`,
//! free Poisson with cumulants `kappa_n = y^(n-1)` (THEORY section 3).
//!
//! Trace words are stored canonically (the least of all rotations and reversals, valid for traces
//! of products of symmetric matrices). Mixed moments of the two free letters are computed by the
//! first-block recursion of the moment-cumulant formula over non-crossing partitions: if the
//! block of the first letter `T` has `k` elements, it contributes `kappa_k(T)` times the moments of
//! the gaps. The cumulants here are geometric, `kappa_k(T) = alpha_T beta_T^(k-1)`
//! (`a`: `alpha = r`, `beta = 1`; `s`: `alpha = 1`, `beta = y`), so with
//! `R_T(u) = phi(u) + beta_T sum_{i: u_i = T} phi(u[..i]) R_T(u[i+1..])` one has
//! `phi(T u) = alpha_T R_T(u)`. Both are memoized on words; one moment of a word of length L costs
//! `O(L^3)` polynomial operations the first time. The number of distinct trace words at order n is
//! at most the number of necklaces with n+2 letters a and n+1 letters s.

use crate::poly::{frac, Poly};
use num_rational::BigRational;
use std::collections::HashMap;

const A: u8 = 0;
const S: u8 = 1;

/// Least rotation or reversed rotation of a cyclic word.
fn canonical(w: &[u8]) -> Vec<u8> {
    let n = w.len();
    if n == 0 {
        return Vec::new();
    }
    let mut best: Vec<u8> = w.to_vec();
    let mut cand = vec![0u8; n];
    let rev: Vec<u8> = w.iter().rev().copied().collect();
    for src in [w, &rev[..]] {
        for k in 0..n {
            for i in 0..n {
                cand[i] = src[(i + k) % n];
            }
            if cand < best {
                best.copy_from_slice(&cand);
            }
        }
    }
    best
}

/// Memoized free mixed moments of `a` (free Poisson, cumulants r) and `s` (cumulants y^(k-1)).
/// Polynomials in (r, y) (two variables, r at index 0).
pub struct FreeMoments {
    phi: HashMap<Vec<u8>, Poly>,
    rt: HashMap<(u8, Vec<u8>), Poly>,
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
            phi: HashMap::new(),
            rt: HashMap::new(),
        }
    }

    fn one() -> Poly {
        Poly::constant(2, frac(1, 1))
    }

    /// `phi(w)` for the word `w` (a product; tracial).
    pub fn phi(&mut self, w: &[u8]) -> Poly {
        if w.is_empty() {
            return Self::one();
        }
        let c = canonical(w);
        if let Some(v) = self.phi.get(&c) {
            return v.clone();
        }
        let t = c[0];
        let rest = c[1..].to_vec();
        let rv = self.r_t(t, &rest);
        let v = if t == A { rv.mul(&Poly::var(2, 0)) } else { rv };
        self.phi.insert(c, v.clone());
        v
    }

    fn r_t(&mut self, t: u8, u: &[u8]) -> Poly {
        let key = (t, u.to_vec());
        if let Some(v) = self.rt.get(&key) {
            return v.clone();
        }
        let mut acc = self.phi(u);
        let mut inner = Poly::zero(2);
        for i in 0..u.len() {
            if u[i] == t {
                let left = self.phi(&u[..i]);
                let right = self.r_t(t, &u[i + 1..]);
                inner.add_assign(&left.mul(&right));
            }
        }
        if t == S {
            inner = inner.mul(&Poly::var(2, 1));
        }
        acc.add_assign(&inner);
        self.rt.insert(key, acc.clone());
        acc
    }
}

/// Apply the derivation `D(a) = -(s a a + 2 a s a + a a s)` to a linear combination of trace words.
fn derive(words: &HashMap<Vec<u8>, BigRational>) -> HashMap<Vec<u8>, BigRational> {
    let mut out: HashMap<Vec<u8>, BigRational> = HashMap::new();
    let repl: [(&[u8], i64); 3] = [(&[S, A, A], -1), (&[A, S, A], -2), (&[A, A, S], -1)];
    for (w, c) in words {
        for i in 0..w.len() {
            if w[i] != A {
                continue;
            }
            for (ins, k) in repl.iter() {
                let mut nw = Vec::with_capacity(w.len() + 2);
                nw.extend_from_slice(&w[..i]);
                nw.extend_from_slice(ins);
                nw.extend_from_slice(&w[i + 1..]);
                let key = canonical(&nw);
                let e = out.entry(key).or_insert_with(|| frac(0, 1));
                *e += c * frac(*k, 1);
            }
        }
    }
    out.retain(|_, c| *c != frac(0, 1));
    out
}

/// Derivatives `c_n = d^n/dtau^n (l/q^2)` at 0, n = 0..=max_order, of the free-face limit, as
/// polynomials in (r, y) (r at index 0). Returns (train, pop).
///
/// Cost: the number of distinct trace words grows roughly like `3^n`; order 6 takes well under a
/// second, order 9 a few minutes.
pub fn free_face_derivatives(max_order: usize) -> (Vec<Poly>, Vec<Poly>) {
    let mut fm = FreeMoments::new();
    let mut run = |start: Vec<u8>| -> Vec<Poly> {
        let mut words: HashMap<Vec<u8>, BigRational> = HashMap::new();
        words.insert(canonical(&start), frac(1, 2));
        let mut out = Vec::with_capacity(max_order + 1);
        for n in 0..=max_order {
            let mut total = Poly::zero(2);
            let mut keys: Vec<&Vec<u8>> = words.keys().collect();
            keys.sort();
            for w in keys {
                let c = &words[w];
                total.add_assign(&fm.phi(w).scale(c));
            }
            out.push(total);
            if n < max_order {
                words = derive(&words);
            }
        }
        out
    };
    let train = run(vec![S, A, A]);
    let pop = run(vec![A, A]);
    (train, pop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::PolyFormat;

    #[test]
    fn free_moments_basic() {
        let mut fm = FreeMoments::new();
        // phi(a^2) = r + r^2, phi(s^2) = 1 + y, phi(a s a s) for free a, s:
        // phi(a s a s) = phi(a^2) phi(s)^2 + phi(a)^2 phi(s^2) - phi(a)^2 phi(s)^2
        //             = (r + r^2) + r^2 (1 + y) - r^2 = r + r^2 + r^2 y.
        assert_eq!(
            fm.phi(&[A, A]).format(&["r", "y"], PolyFormat::Text),
            "r^2 + r"
        );
        assert_eq!(
            fm.phi(&[S, S]).format(&["r", "y"], PolyFormat::Text),
            "y + 1"
        );
        assert_eq!(
            fm.phi(&[A, S, A, S]).format(&["r", "y"], PolyFormat::Text),
            "r^2*y + r^2 + r"
        );
        // phi(a^3) = r + 3 r^2 + r^3.
        assert_eq!(
            fm.phi(&[A, A, A]).format(&["r", "y"], PolyFormat::Text),
            "r^3 + 3*r^2 + r"
        );
    }

    #[test]
    fn first_derivatives_match_theory() {
        // THEORY 5.2 F4: both start at r(1+r)/2; d(l_pop/q^2)/dtau = -4 r (1 + 3r + r^2);
        // d(l_tr/q^2)/dtau = -4 r (1 + 3r + r^2) - r (1 + 6r + 4r^2) y.
        let (tr, pop) = free_face_derivatives(1);
        let f = |p: &Poly| p.format(&["r", "y"], PolyFormat::Text);
        assert_eq!(f(&tr[0]), "1/2*r^2 + 1/2*r");
        assert_eq!(f(&pop[0]), "1/2*r^2 + 1/2*r");
        assert_eq!(f(&pop[1]), "-4*r^3 - 12*r^2 - 4*r");
        assert_eq!(f(&tr[1]), "-4*r^3*y - 4*r^3 - 6*r^2*y - 12*r^2 - r*y - 4*r");
    }
}
