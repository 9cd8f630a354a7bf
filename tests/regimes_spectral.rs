//! Limits with a covariance spectrum (THEORY 9.5): exact series with moments (snapshots), their
//! exact values at rational atoms, and the two-way confirmation against the hierarchy with
//! moments; curves against THEORY 9.7.

use prism::poly::{frac, PolyFormat};
use prism::regimes::spectral::{
    confirm_law, heavy_tail, hierarchy_law, limit_curve_law, limit_series_at_law, limit_series_law,
    LawContext,
};
use prism::regimes::{Constants, CurveOptions, Loss, Regime};
use prism::spec::SpectrumLaw;

fn two_level() -> SpectrumLaw {
    SpectrumLaw::atoms(vec![(frac(1, 2), frac(1, 2)), (frac(3, 2), frac(1, 2))]).unwrap()
}

fn render(regime: Regime, order: usize, law: Option<&SpectrumLaw>) -> String {
    let ls = match law {
        Some(l) => limit_series_at_law(regime, order, l).unwrap(),
        None => limit_series_law(regime, order).unwrap(),
    };
    let mut out = String::new();
    for loss in [Loss::Train, Loss::Pop] {
        for s in 0..=order {
            out.push_str(&format!(
                "{loss:?} c_{s} = {}\n",
                ls.format(loss, s, PolyFormat::Text)
            ));
        }
    }
    out
}

#[test]
fn series_with_moments_snapshots() {
    for regime in [
        Regime::MeanField,
        Regime::NarrowLatent,
        Regime::SmallData,
        Regime::Free,
        Regime::NarrowMeanField,
    ] {
        insta::assert_snapshot!(
            format!("moments_{}", regime.name().replace('+', "_")),
            render(regime, 2, None)
        );
    }
}

#[test]
fn exact_rational_series_at_a_two_level_law() {
    for regime in [
        Regime::MeanField,
        Regime::NarrowLatent,
        Regime::SmallData,
        Regime::Free,
    ] {
        insta::assert_snapshot!(
            format!("two_level_{}", regime.name().replace('+', "_")),
            render(regime, 3, Some(&two_level()))
        );
    }
}

#[test]
fn every_face_confirms_with_moments_at_order_5() {
    let (tr, pop) = hierarchy_law(5).unwrap();
    for regime in Regime::ALL {
        if regime == Regime::Proportional {
            continue;
        }
        let ls = limit_series_law(regime, 5).unwrap();
        let rep = confirm_law(&ls, &tr, &pop);
        assert!(rep.all_agree(), "{regime}: {:?}", rep.failures());
    }
}

#[test]
fn uniform_law_curves_and_heavy_tail_refusals() {
    let law = SpectrumLaw::uniform(frac(1, 1), frac(3, 1)).unwrap(); // mean 2: scale identity
    let ctx = LawContext::new(&law).unwrap();
    assert_eq!(ctx.scale, 2.0);
    let mut k = Constants::default();
    k.set("c", 0.3).unwrap();
    k.set("alpha", 2.0).unwrap();
    let cv = limit_curve_law(
        Regime::MeanField,
        &k,
        &ctx,
        &[0.0, 0.5],
        &CurveOptions::default(),
    )
    .unwrap();
    // t = 0: l_tr = (1/2)(1 - c)^2 m1 and l_pop = (1/2)(1 - c)^2 m1 (nu has mass m1).
    assert!((cv.train[0] - 0.49).abs() < 1e-12 && (cv.pop[0] - 0.49).abs() < 1e-12);
    // against the exact series near 0 (same law, mean 2)
    let ex = limit_series_at_law(Regime::MeanField, 6, &law).unwrap();
    let h = 0.002; // truncation (4 lam_max h)^7/7! ~ 1e-12
    let cv = limit_curve_law(Regime::MeanField, &k, &ctx, &[h], &CurveOptions::default()).unwrap();
    let ser = ex.eval_f64(Loss::Train, &[0.3, 0.5], h);
    assert!((cv.train[0] - ser).abs() < 1e-11, "{} {ser}", cv.train[0]);
    let pl = SpectrumLaw::powerlaw(frac(1, 2)).unwrap();
    assert!(!heavy_tail(Regime::SmallData, &pl).limit_exists);
    assert!(heavy_tail(Regime::LargeData, &pl).limit_exists);
}

fn prism(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_prism"))
        .args(args)
        .output()
        .expect("run prism")
}

#[test]
fn cli_limit_and_classify_with_a_spectrum() {
    // Mean-field with a two-level spectrum: THEORY 9.7's l_tr(1) and l_pop(1), verified series.
    let spec = "p = n; H = 0.3 n^2; sigma2 = n^-2; N = 2 n; spectrum = atoms(1/2: 1/2, 3/2: 1/2)";
    let out = prism(&[
        "limit", spec, "--points", "2", "--series", "2", "--verify", "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tr = v["train"]["value"][2].as_f64().unwrap();
    let pop = v["pop"]["value"][2].as_f64().unwrap();
    assert!(
        (tr - 0.0103707).abs() < 1e-7 && (pop - 0.0323714).abs() < 1e-7,
        "{tr} {pop}"
    );
    assert_eq!(v["verify"]["all_agree"], true);
    assert_eq!(v["spectrum"]["law"], "atoms(1/2: 1/2, 3/2: 1/2)");
    // Narrow-latent with a heavy tail: no limit, exit 2 with the reason.
    let out = prism(&[
        "limit",
        "p = n; H = 4; sigma2 = 0.5 n^-1; N = 2 n; spectrum = powerlaw(2/5)",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no limit") && err.contains("m_3 = inf"),
        "{err}"
    );
    // Large-data+mean-field with a heavy tail: a curve, but no series.
    let out = prism(&[
        "limit",
        "p = n; H = 0.3 n^2; sigma2 = n^-2; spectrum = powerlaw(2/5)",
        "--points",
        "2",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("not analytic") && !text.contains("c_0 ="),
        "{text}"
    );
    // classify: the statement, and JSON
    let out = prism(&[
        "classify",
        "p = n; H = 4; sigma2 = 0.5 n^-1; N = 2 n; spectrum = powerlaw(2/5)",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["spectrum"]["first_divergent_order"], 2);
    assert_eq!(v["spectrum"]["face"]["limit_exists"], false);
}

#[test]
fn cli_large_data_with_a_spectrum_is_a_numeric_reference() {
    let out = prism(&[
        "limit",
        "p = n; H = 0.5 n; sigma2 = n^-1; spectrum = atoms(1/2: 1/2, 3/2: 1/2)",
        "--points",
        "2",
        "--series",
        "1",
        "--free-sizes",
        "16,32",
        "--free-seeds",
        "4",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["exact_limit_curve"], false);
    assert!(v["train"]["stderr"].is_array());
    // t = 0 is exact through the control variate: (1/2)[(1 - q r)^2 + q^2 r] = 0.375.
    assert!((v["train"]["value"][0].as_f64().unwrap() - 0.375).abs() < 1e-9);
}
