//! The Wick engine against the free-probability path and the structure of THEORY section 3.

use prism::expansion::{
    check_full, computed_hierarchy, full_coefficients, leading_coefficients, leading_part, Method,
};
use prism::polytope::{Hierarchy, Loss};

#[test]
fn leading_part_equals_free_probability_to_order_7() {
    for loss in [Loss::Train, Loss::Pop] {
        let full = full_coefficients(7, loss, None).unwrap();
        let lead = leading_coefficients(7, loss).unwrap();
        for (s, (f, l)) in full.iter().zip(&lead).enumerate() {
            assert_eq!(&leading_part(f), l, "{loss:?} order {s}");
        }
    }
}

#[test]
fn structure_of_full_coefficients_to_order_7() {
    for loss in [Loss::Train, Loss::Pop] {
        let full = full_coefficients(7, loss, None).unwrap();
        let report = check_full(loss, &full);
        assert!(report.all_passed(), "{:#?}", report.failures());
        assert!(report.checks.len() >= 8 * 4);
    }
}

#[test]
fn computed_hierarchy_matches_support_law() {
    for method in [Method::Full, Method::Leading] {
        let (h, report) = computed_hierarchy(6, method).unwrap();
        assert!(report.all_passed(), "{:#?}", report.failures());
        let law = Hierarchy::from_support_law(6);
        assert_eq!(h.orders, law.orders, "{method:?}");
    }
}

/// Slow (tens of seconds): the leading part equals free probability up to order 10.
#[test]
#[ignore]
fn leading_part_equals_free_probability_to_order_10() {
    for loss in [Loss::Train, Loss::Pop] {
        let full = full_coefficients(10, loss, None).unwrap();
        let lead = leading_coefficients(10, loss).unwrap();
        for (s, (f, l)) in full.iter().zip(&lead).enumerate() {
            assert_eq!(&leading_part(f), l, "{loss:?} order {s}");
        }
        let report = check_full(loss, &full);
        assert!(report.all_passed(), "{:#?}", report.failures());
    }
}

#[test]
fn structural_checks_catch_corruptions() {
    use num_rational::BigRational;
    use prism::poly::rat;
    let mut full = full_coefficients(3, Loss::Train, None).unwrap();
    // Flip the sign of one term, drop another, add one with g < 0.
    let (e, c) = full[2]
        .terms()
        .next()
        .map(|(e, c)| (e.clone(), c.clone()))
        .unwrap();
    full[2].add_term(e, -c * rat(2));
    let (e3, c3) = full[3]
        .terms()
        .last()
        .map(|(e, c)| (e.clone(), c.clone()))
        .unwrap();
    full[3].add_term(e3, -c3);
    full[1].add_term(vec![3, 1, 1, 0], BigRational::from_integer(1.into()));
    let report = check_full(Loss::Train, &full);
    let failed: Vec<(&str, usize)> = report
        .failures()
        .iter()
        .map(|c| (c.name.as_str(), c.order))
        .collect();
    assert!(failed.contains(&("sign rule (-1)^j", 2)), "{failed:?}");
    assert!(failed.contains(&("full no holes", 3)), "{failed:?}");
    assert!(failed.contains(&("term count", 3)), "{failed:?}");
    assert!(failed.contains(&("g >= 0", 1)), "{failed:?}");
    assert!(
        failed.contains(&("full support within the law", 1)),
        "{failed:?}"
    );
}
