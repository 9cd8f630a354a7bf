//! Two-way confirmation (THEORY 5.5): the exact limit series of every face, edge and vertex
//! equals the hierarchy's leading (g = 0) coefficients restricted to that face, for both losses,
//! exactly. The hierarchy comes from prism::expansion (free-probability path); the limit series
//! from the limit equations (src/regimes/exact.rs), independently.

use prism::expansion::leading_coefficients;
use prism::poly::{Poly, PolyFormat};
use prism::polytope::Loss;
use prism::regimes::{confirm, limit_series, variants, LimitSeries, Regime};

fn hierarchy(order: usize) -> (Vec<Poly>, Vec<Poly>) {
    (
        leading_coefficients(order, Loss::Train).unwrap(),
        leading_coefficients(order, Loss::Pop).unwrap(),
    )
}

fn confirm_all(base: usize) {
    let (tr, pop) = hierarchy(base);
    for regime in Regime::ALL {
        let order = base;
        let ls = limit_series(regime, order).unwrap();
        let rep = confirm(&ls, &tr, &pop);
        assert!(
            rep.all_agree(),
            "{regime}: limit series and hierarchy disagree: {:#?}",
            rep.failures()
        );
        assert_eq!(rep.max_order, order, "{regime}");
        // Every order of both losses was compared.
        assert_eq!(rep.checks.len(), 2 * (order + 1), "{regime}");
    }
}

/// Order 8 is the hierarchy the classifier uses by default (prism::pipeline::DEFAULT_ORDER).
#[test]
fn every_face_edge_and_vertex_agrees_through_order_8() {
    confirm_all(8);
}

#[test]
#[ignore = "slow (about a minute): orders up to 10"]
fn every_face_edge_and_vertex_agrees_through_order_10() {
    confirm_all(10);
}

fn fails(ls: &LimitSeries, tr: &[Poly], pop: &[Poly]) -> (usize, Loss) {
    let rep = confirm(ls, tr, pop);
    let f = rep.failures();
    assert!(
        !f.is_empty(),
        "{}: the wrong variant was not rejected",
        ls.regime
    );
    let first = f.iter().min_by_key(|c| c.s).unwrap();
    (first.s, first.loss)
}

#[test]
fn wrong_variants_are_rejected() {
    let (tr, pop) = hierarchy(4);
    // F5 without its integral term: the population loss fails, first at s = 1.
    let v = variants::small_data_without_integral(4);
    let (s, loss) = fails(&v, &tr, &pop);
    assert_eq!(loss, Loss::Pop);
    assert_eq!(s, 1);
    // The frozen-M_perp shortcut: off by exactly q^3 r^2 at s = 1 (train).
    let v = variants::small_data_frozen_m_perp(4);
    let rep = confirm(&v, &tr, &pop);
    let f = rep.failures();
    let first = f.iter().min_by_key(|c| c.s).unwrap();
    assert_eq!((first.s, first.loss), (1, Loss::Train));
    let true_series = limit_series(Regime::SmallData, 1).unwrap();
    assert_eq!(
        v.train[1]
            .sub(&true_series.train[1])
            .format(PolyFormat::Text),
        "q^3*r^2"
    );
    // Freezing A_perp on the chain instead: first wrong at s = 2.
    let v = variants::small_data_frozen_a_perp(4);
    assert_eq!(fails(&v, &tr, &pop).0, 2);
    // E4 with kappa = 4 - q.
    let v = variants::small_narrow_wrong_kappa(4);
    assert_eq!(fails(&v, &tr, &pop).0, 1);
    // F3 with phi' replaced by phi.
    let v = variants::narrow_latent_phi_for_phi_prime(4);
    assert_eq!(fails(&v, &tr, &pop).0, 1);
}

#[test]
fn deliberately_wrong_restrictions_fail() {
    // The 5.5 restriction rules are not interchangeable: using the population rule l = s - 1 for
    // the small-data train loss (or l = s for pop), or k = 1 for mean-field, breaks agreement.
    use prism::regimes::restrict;
    let (tr, pop) = hierarchy(4);
    let f5 = limit_series(Regime::SmallData, 4).unwrap();
    // Train coefficient compared with the pop restriction of the train hierarchy.
    let bad = (1..=4).any(|s| restrict(Regime::SmallData, Loss::Pop, s, &tr[s]) != f5.train[s]);
    assert!(bad);
    let bad = (1..=4).any(|s| restrict(Regime::SmallData, Loss::Train, s, &pop[s]) != f5.pop[s]);
    assert!(bad);
}

#[test]
fn snapshots_of_exact_series() {
    for regime in Regime::ALL {
        if regime == Regime::Proportional {
            continue;
        }
        let ls = limit_series(regime, 6).unwrap();
        let mut out = String::new();
        out.push_str(&format!(
            "face: {}\ntime: {}\nconstants: {}\nconvention: Q(T) = sum_s c_s T^s / s!\n",
            regime.name(),
            regime.time_variable(),
            ls.constants.join(", ")
        ));
        for loss in [Loss::Train, Loss::Pop] {
            out.push_str(&format!("\n[{}] {}\n", loss.name(), regime.quantity(loss)));
            for s in 0..=6 {
                out.push_str(&format!(
                    "c_{s} = {}\n",
                    ls.format_quantity(loss, s, PolyFormat::Text)
                ));
            }
            if let Some(p) = ls.initial_face_part(loss).filter(|p| !p.is_zero()) {
                out.push_str(&format!(
                    "subtracted face part of l(0) (the s = 0 face sum) = {}\n",
                    p.format(PolyFormat::Text)
                ));
            }
        }
        insta::assert_snapshot!(format!("series_{}", regime.name().replace('+', "_")), out);
    }
}
