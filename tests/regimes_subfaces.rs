//! Exact internal consistency: every edge's limit series is the restriction of each adjacent
//! face's limit series, and every vertex's is the restriction of each adjacent edge's (THEORY 5.3,
//! 5.4: "each edge is obtained as a limit of both adjacent faces"; vertices as limits of edges).
//! Independent of the expansion hierarchy.

use prism::regimes::{confirm, lift_series, limit_series, Regime};

const ORDER: usize = 6;

fn check_parent(child: Regime, parent: Regime) {
    let order = ORDER;
    let ps = limit_series(parent, order).unwrap();
    let cs = limit_series(child, order).unwrap();
    let (tr, pop) = lift_series(&ps);
    let rep = confirm(&cs, &tr, &pop);
    assert!(
        rep.all_agree(),
        "{child} is not the limit of {parent}: {:#?}",
        rep.failures()
    );
    assert_eq!(rep.max_order, order);
}

#[test]
fn edges_are_limits_of_both_faces() {
    for child in Regime::ALL.iter().copied().filter(|r| r.dim() == 1) {
        for parent in child.parents() {
            check_parent(child, parent);
        }
    }
}

#[test]
fn vertices_are_limits_of_their_three_edges() {
    for child in Regime::ALL.iter().copied().filter(|r| r.dim() == 0) {
        let parents = child.parents();
        assert_eq!(parents.len(), 3);
        for parent in parents {
            check_parent(child, parent);
        }
    }
}

#[test]
fn restriction_is_not_vacuous() {
    // A face series restricted to a different (non-adjacent) edge must not match it.
    let ps = limit_series(Regime::LargeData, 4).unwrap();
    let cs = limit_series(Regime::SmallNarrow, 4).unwrap();
    let (tr, pop) = lift_series(&ps);
    assert!(!confirm(&cs, &tr, &pop).all_agree());
    // E4 with the wrong kappa is not the limit of F5.
    let f5 = limit_series(Regime::SmallData, 4).unwrap();
    let (tr, pop) = lift_series(&f5);
    let wrong = prism::regimes::variants::small_narrow_wrong_kappa(4);
    assert!(!confirm(&wrong, &tr, &pop).all_agree());
}
