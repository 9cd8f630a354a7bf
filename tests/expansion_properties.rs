//! Property tests: canonical forms, and independence of the Wick result from the order in
//! which the letters A are integrated out.

use prism::expansion::wick::{integrate_w_states, Wishart};
use prism::expansion::word::Word;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// `E[prod tr]` of a (not necessarily canonical) initial state, as integer coefficients of
/// `(H, p, N, sigma2 via key)`. The engine integrates the first A of the first A-containing
/// trace as stored, so a rotated initial word takes a different integration path.
fn value(state: Vec<Word>) -> BTreeMap<(u16, u32, u32), i128> {
    let level0 = integrate_w_states(vec![(state.into_boxed_slice(), 1)]).unwrap();
    let mut wishart = Wishart::default();
    let mut out = BTreeMap::new();
    for (st, coef) in level0 {
        let parts: Vec<u32> = st.iter().map(|w| w.len() as u32).collect();
        let m = wishart.moment(&parts).unwrap();
        for &(key, c) in &coef.0 {
            for (&(n, e), &v) in &m {
                *out.entry((key, n, e)).or_insert(0) += c * v;
            }
        }
    }
    out.retain(|_, v| *v != 0);
    out
}

fn word(bits: u64, len: usize) -> Word {
    Word::from_bits(bits, len)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn canonical_form_is_invariant(bits in 0u64..(1 << 12), len in 1usize..=12, rot in 0usize..12) {
        let w = word(bits, len);
        let c = w.canonical();
        prop_assert_eq!(w.rotated(rot).canonical(), c);
        prop_assert_eq!(w.reversed().rotated(rot).canonical(), c);
        prop_assert_eq!(c.count_a(), w.count_a());
        prop_assert!(c <= w.rotated(rot));
    }

    #[test]
    fn integration_order_does_not_matter(bits in 0u64..(1 << 8), len in 1usize..=8, rot in 0usize..8) {
        let w = word(bits, len);
        let a = value(vec![w.canonical()]);
        let b = value(vec![w.rotated(rot)]);
        let c = value(vec![w.reversed().rotated(rot + 1)]);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(&a, &c);
    }

    #[test]
    fn two_traces_in_either_order(b1 in 0u64..(1 << 5), l1 in 1usize..=5, b2 in 0u64..(1 << 4), l2 in 1usize..=4) {
        let x = word(b1, l1);
        let y = word(b2, l2);
        prop_assert_eq!(value(vec![x, y]), value(vec![y, x]));
    }
}
