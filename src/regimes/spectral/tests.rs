//! Tests of the limits with a spectrum: evaluators against closed forms and THEORY 9.7, series
//! with moments against the hierarchy with moments.

use super::*;
use crate::poly::frac;
use crate::regimes::{limit_curve, Constants, CurveOptions};

fn two_level() -> SpectrumLaw {
    SpectrumLaw::atoms(vec![(frac(1, 2), frac(1, 2)), (frac(3, 2), frac(1, 2))]).unwrap()
}

fn consts(pairs: &[(&str, f64)]) -> Constants {
    let mut k = Constants::default();
    for (n, v) in pairs {
        k.set(n, *v).unwrap();
    }
    k
}

fn curve(regime: Regime, law: &SpectrumLaw, k: &Constants, times: &[f64]) -> LimitCurves {
    let ctx = LawContext::new(law).unwrap();
    limit_curve_law(regime, k, &ctx, times, &CurveOptions::default()).unwrap()
}

/// A non-identity law whose evaluation must coincide with the isotropic one: the identity
/// written as one atom at 2 (mean 2), mapped back by the scale identity.
fn scaled_identity() -> SpectrumLaw {
    SpectrumLaw::atoms(vec![(frac(2, 1), frac(1, 1))]).unwrap()
}

#[test]
fn identity_reproduces_the_isotropic_mean_field_face() {
    // The contour evaluator (not the isotropic path) at Sigma = I against F2's quadrature.
    let times = [0.0, 0.25, 1.0, 3.0];
    for (c, y) in [(0.3, 0.5), (1.7, 2.0), (0.5, 1.0)] {
        let k = consts(&[("c", c), ("y", y)]);
        let iso = limit_curve(Regime::MeanField, &k, &times).unwrap();
        let ctx = LawContext::new(&SpectrumLaw::Identity).unwrap();
        let deq = ctx.deq(y).unwrap();
        let (tr, pop) =
            crate::regimes::faces::mean_field::mean_field_law(&deq, c, &times, 1e-14).unwrap();
        for i in 0..times.len() {
            assert!(
                (tr[i] - iso.train[i]).abs() < 1e-12,
                "c={c} y={y} {i}: {} {}",
                tr[i],
                iso.train[i]
            );
            assert!(
                (pop[i] - iso.pop[i]).abs() < 1e-12,
                "c={c} y={y} {i}: {} {}",
                pop[i],
                iso.pop[i]
            );
        }
    }
}

#[test]
fn scale_identity_maps_a_scaled_identity_to_the_isotropic_curves() {
    // Sigma = 2 I: Q(T) = 2 Q_iso(2 T) on every face with a closed form here.
    let times = [0.0, 0.3, 0.8];
    let law = scaled_identity();
    for (regime, k) in [
        (Regime::MeanField, consts(&[("c", 0.4), ("y", 0.5)])),
        (Regime::NarrowLatent, consts(&[("q", 0.5), ("y", 0.5)])),
        (Regime::SmallData, consts(&[("q", 0.5), ("r", 2.0)])),
        (Regime::NarrowFree, consts(&[("y", 0.5)])),
        (Regime::MeanFieldFree, consts(&[("y", 2.0)])),
        (Regime::NarrowMeanField, consts(&[("y", 0.5)])),
    ] {
        let got = curve(regime, &law, &k, &times);
        let t2: Vec<f64> = times.iter().map(|t| 2.0 * t).collect();
        let iso = limit_curve(regime, &k, &t2).unwrap();
        for i in 0..times.len() {
            let close = |a: f64, b: f64| (a - b).abs() < 1e-9 * b.abs().max(1.0);
            assert!(close(got.train[i], 2.0 * iso.train[i]), "{regime} {i}");
            assert!(close(got.pop[i], 2.0 * iso.pop[i]), "{regime} {i}");
        }
        assert!(
            got.notes.iter().any(|n| n.contains("THEORY 9.1")),
            "{regime}"
        );
    }
}

#[test]
fn theory_9_7_reference_numbers() {
    // Mean-field, two-level, alpha = 2, c = 0.3, t = 1: l_tr 0.0103707, l_pop 0.0323714.
    let k = consts(&[("c", 0.3), ("alpha", 2.0)]);
    let mf = curve(Regime::MeanField, &two_level(), &k, &[1.0]);
    assert!((mf.train[0] - 0.0103707).abs() < 5e-8, "{}", mf.train[0]);
    assert!((mf.pop[0] - 0.0323714).abs() < 5e-8, "{}", mf.pop[0]);
    // Narrow-latent, two-level, q = 1/2, alpha = 2, t = 1: -1.02351, -0.32962.
    let k = consts(&[("q", 0.5), ("alpha", 2.0)]);
    let nl = curve(Regime::NarrowLatent, &two_level(), &k, &[1.0]);
    assert!((nl.train[0] + 1.02351).abs() < 5e-6, "{}", nl.train[0]);
    assert!((nl.pop[0] + 0.32962).abs() < 5e-6, "{}", nl.pop[0]);
}

#[test]
fn free_face_initial_slope_is_exact() {
    // THEORY 9.5 F4: two-level (m2 = 5/4), r = 1/2: -49/8; m2 = 1 gives -4 r (1 + 3r + r^2).
    use crate::regimes::faces::free::free_population_slope;
    assert_eq!(
        free_population_slope(&frac(1, 2), &frac(5, 4)),
        frac(-49, 8)
    );
    let r = frac(1, 3);
    let iso = -(frac(4, 1) * &r * (frac(1, 1) + frac(3, 1) * &r + &r * &r));
    assert_eq!(free_population_slope(&r, &frac(1, 1)), iso);
    // Against the hierarchy with moments restricted to the free face (j = s + 2), s = 1, pop:
    // at m1 = 1 it is the formula, for every y.
    let ls = limit_series_law(Regime::Free, 1).unwrap();
    let names = law_series_names(Regime::Free);
    let mut at = vec![frac(1, 2), frac(7, 3)];
    at.extend((1..=MAX_MOMENTS).map(|k| if k == 2 { frac(5, 4) } else { frac(1, 1) }));
    assert_eq!(names[0], "r");
    assert_eq!(ls.pop[1].eval_exact(&at), frac(-49, 8));
    let at_iso = two_level_at(&at);
    assert_eq!(ls.pop[1].eval_exact(&at_iso), frac(-49, 8));
    // The exact series at the two-level law (exact rationals).
    let ex = limit_series_at_law(Regime::Free, 1, &two_level()).unwrap();
    assert_eq!(
        ex.pop[1].eval_exact(&[frac(1, 2), frac(1, 2)]),
        frac(-49, 8)
    );
    assert_eq!(ex.pop[0].eval_exact(&[frac(1, 2), frac(1, 2)]), frac(3, 8));
}

/// The same point with m3.. set to the two-level values (the slope must not depend on them).
fn two_level_at(at: &[num_rational::BigRational]) -> Vec<num_rational::BigRational> {
    let mut v = at.to_vec();
    for k in 3..=MAX_MOMENTS {
        if let Moment::Finite(m) = two_level().moment(k as u32).unwrap() {
            v[1 + k] = m;
        }
    }
    v
}

#[test]
fn series_with_moments_confirm_two_ways() {
    // THEORY 5.5 with moments: every face, edge and vertex with a face law (and the faces
    // without one, whose series is the restricted hierarchy) against the hierarchy with moments.
    let order = 4;
    let (tr, pop) = hierarchy_law(order).unwrap();
    for regime in Regime::ALL {
        if regime == Regime::Proportional {
            continue;
        }
        let ls = limit_series_law(regime, order).unwrap();
        let rep = confirm_law(&ls, &tr, &pop);
        assert!(rep.all_agree(), "{regime}: {:?}", rep.failures());
        assert_eq!(rep.checks.len(), 2 * (order + 1));
        // At m_k = 1 the series with moments is the isotropic series.
        let iso = crate::regimes::limit_series(regime, order).unwrap();
        for (a, b) in ls
            .train
            .iter()
            .zip(&iso.train)
            .chain(ls.pop.iter().zip(&iso.pop))
        {
            assert_eq!(&crate::expansion::aniso::at_identity(a), b, "{regime}");
        }
    }
}

#[test]
fn wrong_variants_fail_the_confirmation() {
    let order = 3;
    let (tr, pop) = hierarchy_law(order).unwrap();
    // Narrow-latent with psi replaced by phi' (the alpha = inf relation) in the population loss,
    // and small-data without its population term: both must be rejected.
    let mut nl = limit_series_law(Regime::NarrowLatent, order).unwrap();
    nl.pop = nl.train.clone();
    assert!(!confirm_law(&nl, &tr, &pop).all_agree());
    let iso = crate::regimes::limit_series(Regime::SmallData, order).unwrap();
    let (t2, p2) = crate::regimes::faces::small_data::small_data_series_law(&iso.train, &iso.pop);
    let mut sd = limit_series_law(Regime::SmallData, order).unwrap();
    assert_eq!((sd.train.clone(), sd.pop.clone()), (t2, p2));
    let vars = sd.train[0].vars().clone();
    let m1 = Poly::var(&vars, "m1");
    sd.pop = iso
        .pop
        .iter()
        .enumerate()
        .map(|(s, p)| p.mul(&m1.pow(s as u32 + 1)).reorder(&vars))
        .collect();
    assert!(!confirm_law(&sd, &tr, &pop).all_agree());
}

#[test]
fn exact_rational_series_for_atoms() {
    let ex = limit_series_at_law(Regime::MeanField, 2, &two_level()).unwrap();
    // s = 0: (1/2)(1 - c)^2 m1 (train), (1/2)(1 - c)^2 m1 (pop; nu has mass m1).
    assert_eq!(ex.train[0].format(PolyFormat::Text), "1/2*c^2 - c + 1/2");
    // The numeric curve's initial slope matches the exact s = 1 coefficient.
    let k = consts(&[("c", 0.3), ("y", 0.5)]);
    let h = 1e-4;
    let cv = curve(Regime::MeanField, &two_level(), &k, &[0.0, h, 2.0 * h]);
    let slope = (-3.0 * cv.train[0] + 4.0 * cv.train[1] - cv.train[2]) / (2.0 * h);
    let exact = ex.train[1].eval_f64(&[0.3, 0.5]);
    assert!((slope - exact).abs() < 1e-6, "{slope} {exact}");
}

#[test]
fn heavy_tails() {
    let pl = SpectrumLaw::powerlaw(frac(1, 3)).unwrap();
    let h = heavy_tail(Regime::NarrowLatent, &pl);
    assert!(!h.limit_exists && h.first_divergent_order == Some(2));
    let h = heavy_tail(Regime::MeanField, &pl);
    assert!(h.limit_exists && !h.analytic);
    assert!(heavy_tail(Regime::MeanField, &two_level()).analytic);
    let ctx = LawContext::new(&pl).unwrap();
    let k = consts(&[("q", 0.5), ("y", 0.5)]);
    let e = limit_curve_law(
        Regime::NarrowLatent,
        &k,
        &ctx,
        &[0.5],
        &CurveOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, RegimeError::NoLimit { .. }), "{e}");
    // No Taylor series: m_3 = inf occurs from order 2 on.
    assert!(limit_series_at_law(Regime::MeanField, 1, &pl).is_ok());
    let e = limit_series_at_law(Regime::MeanField, 2, &pl).unwrap_err();
    assert!(matches!(e, RegimeError::NotAnalytic { .. }), "{e}");
    // Large-data + mean-field (S = Sigma): the limit exists and is evaluated directly.
    let k = consts(&[("c", 0.5)]);
    let cv = limit_curve_law(
        Regime::LargeMeanField,
        &k,
        &ctx,
        &[0.0, 1.0],
        &CurveOptions::default(),
    )
    .unwrap();
    assert!((cv.train[0] - 0.125).abs() < 1e-6, "{}", cv.train[0]);
    assert!(cv.train[1] < cv.train[0]);
    assert!(cv.notes.iter().any(|n| n.contains("not analytic")));
}

/// The mean-field and narrow-latent values of one law under given evaluator options.
fn mf_nl(law: &SpectrumLaw, y: f64, opts: DeqOptions) -> [f64; 4] {
    let mut ctx = LawContext::new(law).unwrap();
    ctx.opts = opts;
    let deq = ctx.deq(y).unwrap();
    let (tr, pop) =
        crate::regimes::faces::mean_field::mean_field_law(&deq, 0.3, &[1.0], 1e-14).unwrap();
    let co = CurveOptions::default();
    let (ntr, npop) =
        crate::regimes::faces::narrow_latent::narrow_latent_law(&deq, 0.5, &[1.0], &co).unwrap();
    [tr[0], pop[0], ntr[0], npop[0]]
}

#[test]
fn evaluator_accuracy() {
    // Contour independence (atoms: exact law) and law discretization (uniform, powerlaw):
    // the values must not change beyond the stated accuracy when the contour's shape or the
    // number of Gauss-Legendre nodes changes. `cargo test evaluator_accuracy -- --nocapture`
    // prints the measured differences.
    let base = DeqOptions::default();
    let other_shape = DeqOptions { shape: 0.6, ..base };
    let finer = DeqOptions {
        law_nodes: 512,
        shape: 0.6,
        ..base
    };
    let diff = |a: [f64; 4], b: [f64; 4]| {
        a.iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    };
    let uniform = SpectrumLaw::uniform(frac(0, 1), frac(2, 1)).unwrap();
    for y in [0.5, 2.0] {
        let d = diff(
            mf_nl(&two_level(), y, base),
            mf_nl(&two_level(), y, other_shape),
        );
        println!("atoms(1/2: 1/2, 3/2: 1/2), y = {y}: contour shapes differ by {d:.1e}");
        assert!(d < 1e-11, "{d}");
        let d = diff(mf_nl(&uniform, y, base), mf_nl(&uniform, y, finer));
        println!("uniform(0, 2), y = {y}: 256 vs 512 nodes and contour shapes differ by {d:.1e}");
        assert!(d < 1e-10, "{d}");
    }
    // Power law at alpha = inf: direct integrals (Gauss-Legendre in v, u = v^K): mean-field
    // (large-data edge) at t = 1 with 256 vs 1024 nodes.
    let pl = SpectrumLaw::powerlaw(frac(1, 3)).unwrap();
    let k = consts(&[("c", 0.3)]);
    let mut vals = Vec::new();
    for n in [256, 1024] {
        let mut ctx = LawContext::new(&pl).unwrap();
        ctx.opts.law_nodes = n;
        let cv = limit_curve_law(
            Regime::LargeMeanField,
            &k,
            &ctx,
            &[0.25, 1.0],
            &CurveOptions::default(),
        )
        .unwrap();
        vals.push(cv.train);
    }
    let d = (vals[0][0] - vals[1][0])
        .abs()
        .max((vals[0][1] - vals[1][1]).abs());
    println!(
        "powerlaw(1/3), alpha = inf, large-data+mean-field: 256 vs 1024 nodes differ by {d:.1e}"
    );
    assert!(d < 1e-8, "{d}");
}

#[test]
fn classify_statements() {
    let st = spectrum_statement(&two_level(), Regime::MeanField, 3).unwrap();
    assert!(st.classification_holds && st.no_limit.is_empty());
    assert_eq!(st.moments, vec!["1", "5/4", "7/4", "41/16"]);
    let pl = SpectrumLaw::powerlaw(frac(2, 5)).unwrap();
    let st = spectrum_statement(&pl, Regime::NarrowLatent, 3).unwrap();
    assert!(!st.classification_holds);
    assert_eq!(st.first_infinite_moment, Some(3));
    assert_eq!(st.first_divergent_order, Some(2));
    assert!(st.no_limit.contains(&"narrow-latent".to_string()));
    assert!(!st.face.limit_exists);
    assert!(st.text.contains("conjecture"), "{}", st.text);
}
