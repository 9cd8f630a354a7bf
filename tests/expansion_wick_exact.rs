//! The Wick engine against brute-force exact Gaussian integration at small sizes.
//!
//! For fixed small (p, H, N), `tr(w)` of a word is expanded symbolically as a polynomial in the
//! entries of W (H x p) and X (p x N) with integer coefficients (S = X X^T, the 1/N^b taken out),
//! and integrated monomial by monomial with `E z^(2m) = (2m - 1)!!` (the sigma2^a taken out).
//! This shares no code with the integration-by-parts engine, and exercises every twisted,
//! split and joined term at finite p, H and N.

use num_bigint::BigInt;
use num_rational::BigRational;
use prism::expansion::wick::expectation;
use prism::expansion::word::{Letter, Word, WordComb};
use prism::poly::rat;
use std::collections::{BTreeSet, HashMap};

/// Monomials packed 6 bits per variable (at most 21 variables) in a u128.
type P = HashMap<u128, i128>;

const BITS: u32 = 6;

fn var(i: usize) -> P {
    assert!(i < 21, "too many variables for the packing");
    [(1u128 << (BITS * i as u32), 1)].into_iter().collect()
}

fn mul(a: &P, b: &P) -> P {
    let mut out = P::with_capacity(a.len() * b.len().min(8));
    for (&ea, &ca) in a {
        for (&eb, &cb) in b {
            *out.entry(ea + eb).or_insert(0) += ca * cb;
        }
    }
    out.retain(|_, c| *c != 0);
    out
}

fn add_into(dst: &mut P, src: &P) {
    for (&e, &c) in src {
        *dst.entry(e).or_insert(0) += c;
    }
}

/// `E` over iid standard normals of a polynomial: sum of coeff * prod (e_i - 1)!!.
fn gaussian_expectation(p: &P, nvars: usize) -> i128 {
    let mut total = 0i128;
    'mono: for (&e, &c) in p {
        let mut w = c;
        for i in 0..nvars {
            let k = (e >> (BITS * i as u32)) & ((1 << BITS) - 1);
            if k % 2 == 1 {
                continue 'mono;
            }
            let mut df = 1i128;
            let mut j = k as i128 - 1;
            while j > 1 {
                df *= j;
                j -= 2;
            }
            w *= df;
        }
        total += w;
    }
    total
}

/// Integer `N^b sigma2^-a E[tr w]` at sizes (p, H, N), by brute force.
fn brute(w: Word, p: usize, h: usize, n: usize) -> i128 {
    if w.is_empty() {
        return p as i128;
    }
    gaussian_expectation(&brute_poly(w, p, h, n), h * p + p * n)
}

fn all_words(max_len: usize) -> BTreeSet<Word> {
    let mut set = BTreeSet::new();
    for n in 1..=max_len {
        for bits in 0..(1u64 << n) {
            set.insert(Word::from_bits(bits, n).canonical());
        }
    }
    set
}

/// The engine's `N^b sigma2^-a E[tr w]` evaluated at (p, H, N).
fn engine(w: Word, p: usize, h: usize, n: usize) -> BigRational {
    let comb: WordComb = [(w, 1)].into_iter().collect();
    let raw = expectation(&comb, None).unwrap();
    let mut total = BigRational::from_integer(BigInt::from(0));
    for (k, v) in raw {
        assert_eq!(k[2] as usize, w.count_a(), "sigma2 power = number of A");
        let term = BigRational::from_integer(v)
            * prism::poly::pow_rat(&rat(p as i64), k[0])
            * prism::poly::pow_rat(&rat(h as i64), k[1])
            * prism::poly::pow_rat(&rat(n as i64), k[3] + w.count_s() as i32);
        total += term;
    }
    total
}

#[test]
fn wick_engine_equals_brute_force_integration() {
    // (p, H, N, longest word): includes H > p and N < p.
    for &(p, h, n, len) in &[
        (2usize, 2usize, 2usize, 8usize),
        (2, 3, 1, 7),
        (3, 1, 2, 6),
        (3, 2, 2, 5),
    ] {
        for w in all_words(len) {
            let b = brute(w, p, h, n);
            let e = engine(w, p, h, n);
            assert_eq!(
                e,
                BigRational::from_integer(BigInt::from(b)),
                "word {w} at p={p} H={h} N={n}"
            );
        }
    }
}

#[test]
fn two_trace_states_equal_brute_force() {
    // Joins between traces: E[tr(w1) tr(w2)] through a state with two traces.
    let pairs = [("AS", "AAS"), ("ASAS", "A"), ("AAS", "ASS"), ("A", "A")];
    for (x, y) in pairs {
        let wx = Word::parse(x).unwrap();
        let wy = Word::parse(y).unwrap();
        for &(p, h, n) in &[(2usize, 2usize, 2usize), (2, 1, 3)] {
            // brute force of the product of the two traces
            let bx = brute_poly(wx, p, h, n);
            let by = brute_poly(wy, p, h, n);
            let want = gaussian_expectation(&mul(&bx, &by), h * p + p * n);
            // engine: start the integration from the two-trace state
            let got = engine_two(wx, wy, p, h, n);
            assert_eq!(
                got,
                BigRational::from_integer(BigInt::from(want)),
                "{x} {y}"
            );
        }
    }
}

fn brute_poly(w: Word, p: usize, h: usize, n: usize) -> P {
    // The trace polynomial before integration: S = X X^T (unnormalized), W standard.
    let nv_w = h * p;
    let wv = |i: usize, a: usize| var(i * p + a);
    let xv = |a: usize, m: usize| var(nv_w + a * n + m);
    let mut amat = vec![vec![P::new(); p]; p];
    let mut smat = vec![vec![P::new(); p]; p];
    for a in 0..p {
        for b in 0..p {
            for i in 0..h {
                add_into(&mut amat[a][b], &mul(&wv(i, a), &wv(i, b)));
            }
            for m in 0..n {
                add_into(&mut smat[a][b], &mul(&xv(a, m), &xv(b, m)));
            }
        }
    }
    let mut cur: Vec<Vec<P>> = (0..p)
        .map(|a| {
            (0..p)
                .map(|b| {
                    if a == b {
                        [(0u128, 1i128)].into_iter().collect()
                    } else {
                        P::new()
                    }
                })
                .collect()
        })
        .collect();
    for i in 0..w.len() {
        let l = match w.letter(i) {
            Letter::A => &amat,
            Letter::S => &smat,
        };
        let mut next = vec![vec![P::new(); p]; p];
        for a in 0..p {
            for b in 0..p {
                for k in 0..p {
                    if !cur[a][k].is_empty() && !l[k][b].is_empty() {
                        let prod = mul(&cur[a][k], &l[k][b]);
                        add_into(&mut next[a][b], &prod);
                    }
                }
            }
        }
        cur = next;
    }
    let mut tr = P::new();
    for (a, row) in cur.iter().enumerate() {
        add_into(&mut tr, &row[a]);
    }
    tr
}

fn engine_two(x: Word, y: Word, p: usize, h: usize, n: usize) -> BigRational {
    use prism::expansion::wick::{integrate_w_states, Wishart};
    let mut st = vec![x.canonical(), y.canonical()];
    st.sort();
    let level0 = integrate_w_states(vec![(st.into_boxed_slice(), 1)]).unwrap();
    let mut wishart = Wishart::default();
    let mut total = BigRational::from_integer(BigInt::from(0));
    for (state, coef) in level0 {
        let parts: Vec<u32> = state.iter().map(|w| w.len() as u32).collect();
        let m = wishart.moment(&parts).unwrap();
        for &(key, c) in &coef.0 {
            let hexp = i32::from(key & 63);
            for (&(ne, pe), &v) in &m {
                total += BigRational::from_integer(BigInt::from(c * v))
                    * prism::poly::pow_rat(&rat(h as i64), hexp)
                    * prism::poly::pow_rat(&rat(p as i64), pe as i32)
                    * prism::poly::pow_rat(&rat(n as i64), ne as i32);
            }
        }
    }
    total
}

#[test]
fn wick_engine_on_a_grid_of_sizes() {
    for p in 1..=3usize {
        for h in 1..=3usize {
            for n in 1..=3usize {
                for w in all_words(4) {
                    let b = brute(w, p, h, n);
                    assert_eq!(
                        engine(w, p, h, n),
                        BigRational::from_integer(BigInt::from(b)),
                        "word {w} at p={p} H={h} N={n}"
                    );
                }
            }
        }
    }
}
