//! The exact series that `prism limit` prints is the series of the quantity it is labelled with:
//! for every face (the 21 regimes and the interior), the printed c_0 equals the labelled
//! quantity at face time 0, computed independently of the series code (the limit curve at
//! T = 0, or, where there is no exact curve, l(0) = (1/2)[(1 - q r)^2 + q^2 r] over the face's
//! scale). On a quantity that subtracts l(0) that is 0 in every format, and the face part of
//! l(0) it subtracts (the hierarchy's s = 0 face sum, which `--verify` compares) is reported
//! beside it.

use prism::poly::PolyFormat;
use prism::regimes::{limit_series, Constants, CurveOptions, LatentPart, Loss, Regime};
use prism::report::limit::{compute_limit, LimitReport, LimitRequest};
use prism::spec::SpectrumLaw;

const LOSSES: [Loss; 2] = [Loss::Train, Loss::Pop];

fn constants(regime: Regime, y: f64) -> Constants {
    let mut k = Constants::default();
    for n in regime.constant_names() {
        let v = match n {
            "q" => 0.7,
            "r" => 0.4,
            "c" => 0.3,
            "y" => y,
            _ => unreachable!(),
        };
        k.set(n, v).unwrap();
    }
    k
}

fn request(spectrum: Option<SpectrumLaw>) -> LimitRequest {
    LimitRequest {
        times: vec![0.0],
        curve: CurveOptions::default(),
        series: 2,
        verify: false,
        spectrum,
    }
}

fn series_of(rep: &LimitReport, loss: Loss) -> (&[String], &[f64], Option<&String>) {
    let s = &rep.series;
    match loss {
        Loss::Train => (
            &s.train,
            &s.train_values,
            s.subtracted_initial.train.as_ref(),
        ),
        Loss::Pop => (&s.pop, &s.pop_values, s.subtracted_initial.pop.as_ref()),
    }
}

/// The labelled quantity at T = 0 independently of the series: the curve's first value, except
/// where the curve is not exact at these constants (the interior, which has none, and the free
/// face at finite alpha, a simulation): there the limit of l(0) = (1/2)[(1-qr)^2 + q^2 r] over
/// the face's scale (THEORY 5.0, 5.2).
fn quantity_at_zero(regime: Regime, k: &Constants, rep: &LimitReport, loss: Loss) -> f64 {
    if regime.normalization(loss).subtract_initial {
        return 0.0;
    }
    match regime {
        Regime::Proportional => {
            let (q, r) = (k.q.unwrap(), k.r.unwrap());
            0.5 * ((1.0 - q * r).powi(2) + q * q * r)
        }
        Regime::Free => {
            let r = k.r.unwrap();
            r * (1.0 + r) / 2.0
        }
        _ => {
            let c = match loss {
                Loss::Train => &rep.train,
                Loss::Pop => &rep.pop,
            };
            c.value.as_ref().expect("a curve")[0]
        }
    }
}

#[test]
fn printed_c0_is_the_labelled_quantity_at_zero_on_every_face() {
    let mut subtracting = 0;
    for regime in Regime::ALL {
        let ys: &[f64] = if regime.constant_names().contains(&"y") {
            &[0.5, 1.6]
        } else {
            &[0.0]
        };
        for &y in ys {
            let k = constants(regime, y);
            // The free face's curve at finite alpha is a simulation: take the series alone.
            let out = if regime == Regime::Free {
                let mut o = compute_limit(regime, constants(regime, 0.0), &request(None)).unwrap();
                o.series = limit_series(regime, 2).unwrap();
                o.values = regime.resolve(&k).unwrap();
                o.constants = k;
                o
            } else {
                compute_limit(regime, k, &request(None)).unwrap()
            };
            let ls = &out.series;
            for fmt in [PolyFormat::Text, PolyFormat::Latex, PolyFormat::Sympy] {
                let rep = LimitReport::new(&out, None, fmt);
                for loss in LOSSES {
                    let (coeffs, values, sub) = series_of(&rep, loss);
                    let want = quantity_at_zero(regime, &k, &rep, loss);
                    assert!(
                        (values[0] - want).abs() < 1e-12 * want.abs().max(1.0),
                        "{regime} {loss:?} y={y}: printed c_0 = {} ({}) but {} at T = 0 is {want}",
                        coeffs[0],
                        values[0],
                        regime.quantity(loss)
                    );
                    let subtracts = regime.normalization(loss).subtract_initial;
                    if subtracts {
                        assert_eq!(coeffs[0], "0", "{regime} {loss:?} {fmt:?}");
                        // The subtracted part is the face sum at s = 0.
                        assert_eq!(
                            sub.map(String::as_str),
                            Some(ls.format(loss, 0, fmt).as_str()),
                            "{regime} {loss:?}"
                        );
                    } else {
                        assert!(sub.is_none(), "{regime} {loss:?}");
                        assert_eq!(coeffs[0], ls.format(loss, 0, fmt));
                    }
                    // Orders s >= 1 are the face sums unchanged.
                    for (s, c) in coeffs.iter().enumerate().skip(1) {
                        assert_eq!(*c, ls.format(loss, s, fmt), "{regime} {loss:?} s={s}");
                    }
                    if fmt == PolyFormat::Text && subtracts && !ls.coeffs(loss)[0].is_zero() {
                        subtracting += 1;
                    }
                }
            }
        }
    }
    // The narrow-latent family (F3, E1, E7, E8 and its vertices: both losses; E4 and the
    // small-data vertices: train) has a nonzero face part of l(0): the case that was misprinted.
    assert!(subtracting >= 9, "{subtracting}");
}

#[test]
fn printed_c0_with_a_spectrum_is_the_labelled_quantity_at_zero() {
    use prism::poly::frac;
    let law = SpectrumLaw::atoms(vec![(frac(1, 2), frac(1, 2)), (frac(3, 2), frac(1, 2))]).unwrap();
    for regime in Regime::ALL {
        // Faces whose limit with a spectrum is a closed form (the others are simulations).
        if matches!(regime.parts().1, LatentPart::Whole | LatentPart::Free) {
            continue;
        }
        let k = constants(regime, 0.5);
        let out = compute_limit(regime, k, &request(Some(law.clone()))).unwrap();
        let rep = LimitReport::new(&out, None, PolyFormat::Text);
        for loss in LOSSES {
            let (coeffs, values, _) = series_of(&rep, loss);
            let want = quantity_at_zero(regime, &k, &rep, loss);
            assert!(
                (values[0] - want).abs() < 1e-9 * want.abs().max(1.0),
                "{regime} {loss:?}: printed c_0 = {} but {} at T = 0 is {want}",
                coeffs[0],
                regime.quantity(loss)
            );
        }
    }
}

#[test]
fn limit_text_prints_zero_c0_for_a_difference_quantity() {
    let out = compute_limit(
        Regime::NarrowLatent,
        constants(Regime::NarrowLatent, 1.0),
        &request(None),
    )
    .unwrap();
    let target = prism::limit::Target {
        regime: Regime::NarrowLatent,
        constants: constants(Regime::NarrowLatent, 1.0),
        spec: None,
        correction: None,
        spectrum: SpectrumLaw::Identity,
    };
    let text = prism::limit::text(&target, &out, PolyFormat::Text);
    let block = text
        .split("[train] (l_tr - l_tr(0))/r\n")
        .nth(1)
        .expect(&text);
    assert!(block.starts_with("    c_0 = 0\n"), "{text}");
    assert!(
        text.contains("face part of l_tr(0)/r, 1/2*q^2 - q"),
        "{text}"
    );
}

/// With a spectrum, the faces whose law has a closed form in terms of the spectral law print
/// that formula (THEORY 9.5), not the isotropic one; without one the isotropic text stays.
#[test]
fn formula_with_a_spectrum_is_the_spectral_law() {
    use prism::poly::frac;
    let law = SpectrumLaw::atoms(vec![(frac(1, 2), frac(1, 2)), (frac(3, 2), frac(1, 2))]).unwrap();
    for (regime, words, latex) in [
        (Regime::MeanField, "dnu", r"d\nu"),
        (Regime::NarrowLatent, "psi(z) = Int e^{lam z} dnu", r"\psi"),
        (Regime::SmallData, "(m2/m1^2 - 1)", r"\tfrac{m_2}{m_1^2}"),
    ] {
        let k = constants(regime, 0.5);
        let out = compute_limit(regime, k, &request(Some(law.clone()))).unwrap();
        let rep = LimitReport::new(&out, None, PolyFormat::Text);
        assert!(
            rep.formula.words.contains(words),
            "{regime}: {}",
            rep.formula.words
        );
        assert!(
            rep.formula.latex.contains(latex),
            "{regime}: {}",
            rep.formula.latex
        );
        let iso = compute_limit(regime, k, &request(None)).unwrap();
        let rep = LimitReport::new(&iso, None, PolyFormat::Text);
        assert!(
            !rep.formula.words.contains(words),
            "{regime}: {}",
            rep.formula.words
        );
    }
}
