//! The exact expansion with moments (THEORY 9.2, 9.3): identities, counts, structural checks and
//! snapshots. The Monte-Carlo check is in `expansion_aniso_mc.rs`.

use num_rational::BigRational;
use prism::expansion::aniso::checks::{
    check_aniso_full, check_aniso_leading, computed_hierarchy_aniso, predicted_products,
};
use prism::expansion::aniso::free::leading_coefficients_aniso;
use prism::expansion::aniso::{
    aniso_full_vars, at_identity, full_coefficients_aniso, leading_part_aniso, moment_exponent,
    moment_name, substitute_moments, Samples, MAX_MOMENTS,
};
use prism::expansion::{full_coefficients, leading_coefficients, Method};
use prism::poly::{frac, rat, Poly, PolyFormat};
use prism::polytope::Loss;

const ORDER: usize = 4;

/// Raw exponent vector in [`aniso_full_vars`] (`p, H, sigma2, N, m..`) from base exponents and
/// a moment product, placed by name.
fn key(base: [i32; 4], moments: &[(usize, i32)]) -> Vec<i32> {
    let vars = aniso_full_vars();
    let mut e = vec![0; vars.len()];
    for (name, x) in ["p", "H", "sigma2", "N"].iter().zip(base) {
        e[vars.index(name).unwrap()] = x;
    }
    for &(k, x) in moments {
        e[vars.index(&moment_name(k)).unwrap()] += x;
    }
    e
}

#[test]
fn identity_spectrum_reproduces_the_isotropic_expansion() {
    for loss in [Loss::Train, Loss::Pop] {
        let iso = full_coefficients(ORDER, loss, None).unwrap();
        let fin = full_coefficients_aniso(ORDER, loss, Samples::Finite, None).unwrap();
        let inf = full_coefficients_aniso(ORDER, loss, Samples::Infinite, None).unwrap();
        for s in 0..=ORDER {
            assert_eq!(at_identity(&fin[s]), iso[s], "{loss:?} s={s} finite N");
            let iso_inf = iso[s].filter(|e| iso[s].exponent(e, "N") == 0);
            assert_eq!(at_identity(&inf[s]), iso_inf, "{loss:?} s={s} N=inf");
            // N = inf is the N^0 part of the finite-N polynomial (THEORY 9.2).
            assert_eq!(
                fin[s].filter(|e| fin[s].exponent(e, "N") == 0),
                inf[s],
                "{loss:?} s={s}"
            );
            // Every c_s is homogeneous of degree s + 1 in Sigma.
            for (e, _) in fin[s].terms() {
                let deg: i32 = (1..=MAX_MOMENTS)
                    .map(|k| k as i32 * moment_exponent(&fin[s], e, k))
                    .sum();
                assert_eq!(deg, s as i32 + 1, "{loss:?} s={s} {e:?}");
            }
        }
        let lead = leading_coefficients_aniso(6, loss).unwrap();
        let iso_lead = leading_coefficients(6, loss).unwrap();
        for s in 0..=6 {
            assert_eq!(at_identity(&lead[s]), iso_lead[s], "{loss:?} s={s}");
        }
    }
}

#[test]
fn c0_is_m1_times_the_isotropic_c0() {
    let mut want = Poly::zero(&aniso_full_vars());
    for (b, c) in [
        ([0, 0, 0, 0], frac(1, 2)),
        ([0, 1, 1, 0], rat(-1)),
        ([0, 2, 2, 0], frac(1, 2)),
        ([1, 1, 2, 0], frac(1, 2)),
        ([0, 1, 2, 0], frac(1, 2)),
    ] {
        want.add_term(key(b, &[(1, 1)]), c);
    }
    for loss in [Loss::Train, Loss::Pop] {
        for samples in [Samples::Finite, Samples::Infinite] {
            let c = full_coefficients_aniso(0, loss, samples, None).unwrap();
            assert_eq!(c[0], want, "{loss:?} {samples:?}");
        }
    }
}

#[test]
fn population_c1_of_theory_9_2() {
    // c_1 p = -4 s2 H p m2 + 8 s2^2 H p m2 + 4 s2^2 H p^2 (m1^2 + m2) + 8 s2^2 H^2 p m2
    //         - 16 s2^3 H p m2 - 6 s2^3 H p^2 (m1^2 + m2) - s2^3 H p^3 (3 m1^2 + m2)
    //         - 12 s2^3 H^2 p m2 - 6 s2^3 H^2 p^2 (m1^2 + m2) - 4 s2^3 H^3 p m2
    // base exponents [p, H, sigma2] of c_1 p, then (m1^2 coefficient, m2 coefficient).
    let rows: [([i32; 3], i64, i64); 10] = [
        ([1, 1, 1], 0, -4),
        ([1, 1, 2], 0, 8),
        ([2, 1, 2], 4, 4),
        ([1, 2, 2], 0, 8),
        ([1, 1, 3], 0, -16),
        ([2, 1, 3], -6, -6),
        ([3, 1, 3], -3, -1),
        ([1, 2, 3], 0, -12),
        ([2, 2, 3], -6, -6),
        ([1, 3, 3], 0, -4),
    ];
    let mut want = Poly::zero(&aniso_full_vars());
    for (b, c11, c2) in rows {
        let base = [b[0] - 1, b[1], b[2], 0];
        want.add_term(key(base, &[(1, 2)]), rat(c11));
        want.add_term(key(base, &[(2, 1)]), rat(c2));
    }
    for samples in [Samples::Finite, Samples::Infinite] {
        let c = full_coefficients_aniso(1, Loss::Pop, samples, None).unwrap();
        assert_eq!(
            c[1], want,
            "{samples:?}: the population c_1 does not depend on N"
        );
    }
}

#[test]
fn moment_counts_of_theory_9_2() {
    let tr = full_coefficients_aniso(3, Loss::Train, Samples::Finite, None).unwrap();
    let pop = full_coefficients_aniso(3, Loss::Pop, Samples::Finite, None).unwrap();
    let n = |v: &[Poly]| v.iter().map(Poly::len).collect::<Vec<_>>();
    assert_eq!(n(&tr), vec![5, 34, 144, 559]);
    assert_eq!(n(&pop), vec![5, 14, 84, 384]);
}

#[test]
fn free_path_equals_the_g0_part_of_the_wick_path() {
    for loss in [Loss::Train, Loss::Pop] {
        let fin = full_coefficients_aniso(ORDER, loss, Samples::Finite, None).unwrap();
        let lead = leading_coefficients_aniso(ORDER, loss).unwrap();
        for s in 0..=ORDER {
            assert_eq!(leading_part_aniso(&fin[s]), lead[s], "{loss:?} s={s}");
        }
    }
}

/// The free face (THEORY 9.5 F4): d(l_pop/q^2)/dtau at 0 is the j = s + 2 face sum of the
/// population c_1, and equals -[(3 + m2) phi(A^3) + 3 (m2 - 1) phi(A^2) phi(A)] with m1 = 1,
/// phi(A) = r, phi(A^2) = r + r^2, phi(A^3) = r + 3 r^2 + r^3.
#[test]
fn free_face_initial_slope() {
    let lead = leading_coefficients_aniso(1, Loss::Pop).unwrap();
    // face sum: terms with j = s + 2 = 3, as a polynomial in r, m2 (m1 = 1)
    let face = lead[1].filter(|e| lead[1].exponent(e, "q") == 3);
    assert!(!face.is_zero());
    let r = BigRational::new(1.into(), 2.into());
    let m2 = frac(5, 4);
    // m_k for the two-level spectrum {1/2, 3/2}, half each: m1 = 1, m2 = 5/4, m3 = 7/4
    let moments = |m2: &BigRational| {
        let mut m = vec![rat(1), m2.clone()];
        m.extend((3..=MAX_MOMENTS).map(|_| rat(0)));
        m
    };
    let at = |m2v: &BigRational, rv: &BigRational| -> BigRational {
        let p = substitute_moments(&face, &moments(m2v)).unwrap();
        p.eval_exact(&[rv.clone(), rat(1), rat(7)])
    };
    assert_eq!(at(&m2, &r), frac(-49, 8));
    // the closed form, at several (r, m2)
    for (rn, rd) in [(1, 3), (2, 1), (7, 5)] {
        for (mn, md) in [(1, 1), (3, 2), (9, 4)] {
            let (rv, mv) = (frac(rn, rd), frac(mn, md));
            let pa = rv.clone();
            let pa2 = &rv + &rv * &rv;
            let pa3 = &rv + rat(3) * &rv * &rv + &rv * &rv * &rv;
            let want = -((rat(3) + &mv) * pa3 + rat(3) * (&mv - rat(1)) * pa2 * pa);
            assert_eq!(at(&mv, &rv), want, "r = {rv}, m2 = {mv}");
        }
    }
    // isotropic value: -4 r (1 + 3 r + r^2)
    assert_eq!(at(&rat(1), &r), frac(-11, 2));
}

#[test]
fn structural_checks_and_hierarchy_with_moments() {
    let (h, report) = computed_hierarchy_aniso(3, Method::Full).unwrap();
    let failures: Vec<_> = report.failures();
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(h.orders.len(), 4);
    // the checks do fail on a wrong polynomial: drop one moment product
    let fin = full_coefficients_aniso(2, Loss::Train, Samples::Finite, None).unwrap();
    let iso = full_coefficients(2, Loss::Train, None).unwrap();
    let (e, _) = fin[2].terms().next().unwrap();
    let e = e.clone();
    let broken = fin[2].filter(|x| *x != e[..]);
    let r = check_aniso_full(Loss::Train, 2, Samples::Finite, &broken, &iso[2]);
    assert!(!r.all_passed());
    let lead = leading_coefficients_aniso(2, Loss::Pop).unwrap();
    let iso_lead = leading_coefficients(2, Loss::Pop).unwrap();
    let wrong = lead[2].scale(&rat(-1));
    assert!(!check_aniso_leading(Loss::Pop, 2, &wrong, &iso_lead[2]).all_passed());
    assert!(check_aniso_leading(Loss::Pop, 2, &lead[2], &iso_lead[2]).all_passed());
    // the length law at one point: s = 2, (k, j, l, g) = (1, 4, 2, 0): partitions of 3 with
    // 3 <= len <= 3
    let p = predicted_products(2, 1, 4, 2, 0);
    assert_eq!(p.into_iter().collect::<Vec<_>>(), vec![vec![1, 1, 1]]);
}

/// Heavier: every structural check through order 6 (THEORY 9.3 verified to order 6).
#[test]
#[ignore]
fn structural_checks_to_order_6() {
    let (_, report) = computed_hierarchy_aniso(6, Method::Full).unwrap();
    let failures: Vec<_> = report.failures();
    assert!(failures.is_empty(), "{failures:#?}");
    let tr = full_coefficients_aniso(6, Loss::Train, Samples::Finite, None).unwrap();
    let pop = full_coefficients_aniso(6, Loss::Pop, Samples::Finite, None).unwrap();
    let n = |v: &[Poly]| v.iter().map(Poly::len).collect::<Vec<_>>();
    assert_eq!(n(&tr), vec![5, 34, 144, 559, 1546, 4437, 10061]);
    assert_eq!(n(&pop), vec![5, 14, 84, 384, 1154, 3513, 8261]);
}

fn render(polys: &[Poly]) -> String {
    polys
        .iter()
        .enumerate()
        .map(|(s, p)| {
            format!(
                "c_{s} ({} terms) = {}\n",
                p.len(),
                p.format(PolyFormat::Text)
            )
        })
        .collect()
}

#[test]
fn snapshots_of_a_small_anisotropic_expansion() {
    for loss in [Loss::Train, Loss::Pop] {
        let c = full_coefficients_aniso(2, loss, Samples::Finite, None).unwrap();
        insta::assert_snapshot!(format!("aniso_full_{}", loss.name()), render(&c));
        let c = full_coefficients_aniso(2, loss, Samples::Infinite, None).unwrap();
        insta::assert_snapshot!(format!("aniso_full_ninf_{}", loss.name()), render(&c));
        let c = leading_coefficients_aniso(3, loss).unwrap();
        insta::assert_snapshot!(format!("aniso_leading_{}", loss.name()), render(&c));
    }
}

fn prism(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_prism"))
        .args(args)
        .output()
        .expect("run prism")
}

/// Rebuild a polynomial from `prism expand --json` terms (with their `moments` objects).
fn from_json(terms: &[serde_json::Value]) -> Poly {
    let vars = aniso_full_vars();
    let mut p = Poly::zero(&vars);
    for t in terms {
        let mut e = vec![0; vars.len()];
        for k in ["p", "H", "sigma2", "N"] {
            e[vars.index(k).unwrap()] = t[k].as_i64().unwrap() as i32;
        }
        for (k, v) in t["moments"].as_object().unwrap() {
            e[vars.index(k).unwrap()] = v.as_i64().unwrap() as i32;
        }
        let c: BigRational = t["coeff"].as_str().unwrap().parse().unwrap();
        p.add_term(e, c);
    }
    p
}

#[test]
fn cli_expand_anisotropic() {
    let out = prism(&["expand", "--order", "2", "--anisotropic", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 6);
    for loss in [Loss::Train, Loss::Pop] {
        let lib = full_coefficients_aniso(2, loss, Samples::Finite, None).unwrap();
        for (s, poly) in lib.iter().enumerate() {
            let obj = arr
                .iter()
                .find(|o| o["order"] == s && o["loss"] == loss.name())
                .unwrap();
            assert_eq!(from_json(obj["terms"].as_array().unwrap()), *poly);
        }
    }
    // c_0 terms all carry {"m1": 1}
    let c0 = &arr[0]["terms"].as_array().unwrap()[0];
    assert_eq!(c0["moments"], serde_json::json!({"m1": 1}));
    // text: moment factors
    let out = prism(&["expand", "--order", "1", "--loss", "pop", "--anisotropic"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("H*sigma2*m2") && text.contains("m1^2"),
        "{text}"
    );
    // leading path with moments
    let out = prism(&["expand", "--order", "2", "--anisotropic", "--leading"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("y*m1^2"), "{text}");
    let out = prism(&[
        "expand",
        "--order",
        "2",
        "--anisotropic",
        "--leading",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lib = leading_coefficients_aniso(2, Loss::Train).unwrap();
    let got = from_json(v[2]["terms"].as_array().unwrap());
    assert_eq!(leading_part_aniso(&got), lib[2]);
    // refusal with an estimate
    let out = prism(&["expand", "--order", "11", "--anisotropic"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refused") && err.contains("anisotropic"),
        "{err}"
    );
}

/// `classify`, `limit`, `check` and the prism drawing use a covariance spectrum (THEORY 9.3, 9.5); the commands that do not
/// use it yet refuse it rather than silently computing the isotropic answer; `spectrum =
/// identity` is accepted.
#[test]
fn spec_commands_refuse_a_spectrum_they_cannot_use() {
    let spec = "p = n; H = n; sigma2 = n^-1\nspectrum = atoms(1/2: 1/2, 3/2: 1/2)";
    let out = prism(&["classify", spec]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("the classification holds for this law"),
        "{text}"
    );
    // `check` takes a spectrum since issue 14 (tests/check_spectrum.rs); the prism drawing
    // classifies with it and states the law, and refuses a heavy tail (no established prism).
    let out = prism(&["prism", spec]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("=> F1") && text.contains("spectrum atoms(1/2: 1/2, 3/2: 1/2)"),
        "{text}"
    );
    let out = prism(&[
        "prism",
        "p = n; H = n; sigma2 = n^-1; N = n; spectrum = powerlaw(1/2)",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("heavy tail") && err.contains("THEORY 9.6"),
        "{err}"
    );
    let out = prism(&[
        "classify",
        "p = n; H = n; sigma2 = n^-1; spectrum = identity",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = prism(&[
        "classify",
        "p = n; H = n; sigma2 = n^-1; spectrum = uniform(2, 1)",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("a < b"), "{err}");
}

/// Evaluating at a spectral law: exact moments for bounded laws, a refusal naming the first
/// infinite moment for a heavy tail (THEORY 9.6).
#[test]
fn evaluation_at_spectral_laws() {
    use prism::expansion::aniso::{first_divergent_order, substitute_law, LawError};
    use prism::spec::SpectrumLaw;
    let c = full_coefficients_aniso(3, Loss::Pop, Samples::Infinite, None).unwrap();
    // identity = the isotropic polynomial
    assert_eq!(
        substitute_law(&c[2], &SpectrumLaw::Identity).unwrap(),
        at_identity(&c[2])
    );
    // the two-level law: the same as substituting m1 = 1, m2 = 5/4, m3 = 7/4, m4 = 41/16
    let two = SpectrumLaw::atoms(vec![(frac(1, 2), frac(1, 2)), (frac(3, 2), frac(1, 2))]).unwrap();
    let mut m = vec![rat(1), frac(5, 4), frac(7, 4), frac(41, 16)];
    m.extend((5..=MAX_MOMENTS).map(|_| rat(0)));
    assert_eq!(
        substitute_law(&c[3], &two).unwrap(),
        substitute_moments(&c[3], &m).unwrap()
    );
    // powerlaw(1/3): m_3 is infinite, so c_0, c_1 evaluate and c_2 does not
    let pl = SpectrumLaw::powerlaw(frac(1, 3)).unwrap();
    assert_eq!(first_divergent_order(&pl), Some(2));
    assert!(substitute_law(&c[1], &pl).is_ok());
    assert_eq!(
        substitute_law(&c[2], &pl).unwrap_err(),
        LawError::InfiniteMoment {
            k: 3,
            law: "powerlaw(1/3)".into()
        }
    );
    assert_eq!(first_divergent_order(&two), None);
}
