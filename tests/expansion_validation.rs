//! Validation of the exact expansion by methods independent of the Wick engine
//! (issue 3, item 5):
//!
//! * per sample: the Taylor coefficients of the loss obtained by propagating the ODE's Taylor
//!   series (Cauchy products) equal the word expansion `D^s L` evaluated on the same matrices;
//! * in expectation: a Monte-Carlo mean of those Taylor coefficients agrees with the exact
//!   polynomials within a few standard errors (two sizes, one with H > p);
//! * exact special cases: p = 1 (scalar logistic flow with chi-square moments) and H = 1,
//!   N = infinity (logistic flow of |w|^2 with chi-square moments).

use ndarray::Array2;
use num_rational::BigRational;
use num_traits::One;
use prism::expansion::full_coefficients;
use prism::expansion::word::{doubled_derivatives, Letter};
use prism::poly::{frac, rat, Poly, Vars};
use prism::polytope::Loss;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

// ---------------------------------------------------------------- numerics

fn gaussian(rng: &mut ChaCha8Rng, rows: usize, cols: usize, sd: f64) -> Array2<f64> {
    Array2::from_shape_simple_fn((rows, cols), || {
        let z: f64 = rng.sample(StandardNormal);
        sd * z
    })
}

fn trace(m: &Array2<f64>) -> f64 {
    m.diag().sum()
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|k| k as f64).product()
}

/// Taylor coefficients c_0..c_order of l(t) = L(t)/p for one sample (W, S), by propagating
/// W(t) = sum W_n t^n with dW/dt = 2 W S - W A S - W S A, A = W^T W (Cauchy products).
fn taylor_losses(w0: &Array2<f64>, s: &Array2<f64>, order: usize) -> (Vec<f64>, Vec<f64>) {
    let p = w0.ncols();
    let mut w: Vec<Array2<f64>> = vec![w0.clone()];
    let mut a: Vec<Array2<f64>> = vec![w0.t().dot(w0)];
    for n in 0..order {
        let mut v = w[n].dot(s) * 2.0;
        for i in 0..=n {
            let wa = w[i].dot(&a[n - i]);
            v = v - wa.dot(s) - w[i].dot(s).dot(&a[n - i]);
        }
        w.push(v / (n + 1) as f64);
        let mut an = Array2::<f64>::zeros((p, p));
        for i in 0..=n + 1 {
            an = an + w[i].t().dot(&w[n + 1 - i]);
        }
        a.push(an);
    }
    let mut tr = Vec::new();
    let mut pop = Vec::new();
    for n in 0..=order {
        let (mut lt, mut lp) = if n == 0 {
            (trace(s), p as f64)
        } else {
            (0.0, 0.0)
        };
        lt -= 2.0 * trace(&a[n].dot(s));
        lp -= 2.0 * trace(&a[n]);
        for i in 0..=n {
            lt += trace(&a[i].dot(s).dot(&a[n - i]));
            lp += trace(&a[i].dot(&a[n - i]));
        }
        tr.push(0.5 * lt * factorial(n) / p as f64);
        pop.push(0.5 * lp * factorial(n) / p as f64);
    }
    (tr, pop)
}

fn eval_word_trace(w: prism::expansion::word::Word, a: &Array2<f64>, s: &Array2<f64>) -> f64 {
    let p = a.nrows();
    let mut m = Array2::<f64>::eye(p);
    for i in 0..w.len() {
        m = match w.letter(i) {
            Letter::A => m.dot(a),
            Letter::S => m.dot(s),
        };
    }
    trace(&m)
}

#[test]
fn per_sample_ode_taylor_equals_word_expansion() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    for &(p, h, n, sigma2) in &[(4usize, 3usize, 5usize, 0.3f64), (3, 5, 2, 0.5)] {
        let w = gaussian(&mut rng, h, p, sigma2.sqrt());
        let x = gaussian(&mut rng, p, n, 1.0);
        let s = x.dot(&x.t()) / n as f64;
        let a = w.t().dot(&w);
        let order = 5;
        let (tr, pop) = taylor_losses(&w, &s, order);
        for (loss, ode) in [(Loss::Train, &tr), (Loss::Pop, &pop)] {
            let words = doubled_derivatives(order, loss).unwrap();
            for (k, comb) in words.iter().enumerate() {
                let val: f64 = comb
                    .iter()
                    .map(|(&wd, &c)| c as f64 * eval_word_trace(wd, &a, &s))
                    .sum::<f64>()
                    / (2.0 * p as f64);
                let scale = comb
                    .iter()
                    .map(|(&wd, &c)| (c as f64 * eval_word_trace(wd, &a, &s)).abs())
                    .sum::<f64>()
                    / (2.0 * p as f64);
                assert!(
                    (val - ode[k]).abs() <= 1e-10 * scale.max(1.0),
                    "{loss:?} order {k}: words {val} vs ODE {}",
                    ode[k]
                );
            }
        }
    }
}

fn eval_full(poly: &Poly, p: usize, h: usize, sigma2: BigRational, n: usize) -> f64 {
    let v = poly.eval_exact(&[rat(p as i64), rat(h as i64), sigma2, rat(n as i64)]);
    prism::poly::rat_to_f64(&v)
}

#[test]
fn monte_carlo_expectation_matches_exact_polynomials() {
    let order = 4;
    let exact_tr = full_coefficients(order, Loss::Train, None).unwrap();
    let exact_pop = full_coefficients(order, Loss::Pop, None).unwrap();
    // (p, H, N, sigma2 = num/den, samples); the second case has H > p.
    for &(p, h, n, num, den, samples, seed) in &[
        (5usize, 3usize, 4usize, 3i64, 10i64, 30_000usize, 1u64),
        (3, 5, 4, 1, 5, 30_000, 2),
    ] {
        let sigma2 = num as f64 / den as f64;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut sum = vec![[0.0f64; 2]; order + 1];
        let mut sq = vec![[0.0f64; 2]; order + 1];
        for _ in 0..samples {
            let w = gaussian(&mut rng, h, p, sigma2.sqrt());
            let x = gaussian(&mut rng, p, n, 1.0);
            let s = x.dot(&x.t()) / n as f64;
            let (tr, pop) = taylor_losses(&w, &s, order);
            for k in 0..=order {
                for (i, v) in [tr[k], pop[k]].into_iter().enumerate() {
                    sum[k][i] += v;
                    sq[k][i] += v * v;
                }
            }
        }
        for k in 0..=order {
            for (i, exact) in [&exact_tr, &exact_pop].into_iter().enumerate() {
                let m = sum[k][i] / samples as f64;
                let var = (sq[k][i] / samples as f64 - m * m).max(0.0);
                let se = (var / samples as f64).sqrt();
                let e = eval_full(&exact[k], p, h, frac(num, den), n);
                assert!(
                    (m - e).abs() <= 4.5 * se + 1e-12 * e.abs(),
                    "p={p} H={h} N={n} loss {i} order {k}: MC {m} +- {se} vs exact {e}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------- exact special cases

/// Taylor coefficients (in t) of m, dm/dt = 4 s m (1 - m), m(0) = a, as polynomials in (a, s).
fn logistic(order: usize) -> Vec<Poly> {
    let vars = Vars::new(["a", "s"]);
    let a = Poly::var(&vars, "a");
    let s = Poly::var(&vars, "s");
    let mut m = vec![a];
    for n in 0..order {
        let mut sq = Poly::zero(&vars);
        for i in 0..=n {
            sq.add_assign(&m[i].mul(&m[n - i]));
        }
        m.push(m[n].sub(&sq).mul(&s).scale(&frac(4, (n + 1) as i64)));
    }
    m
}

/// c_n of (1/2)(1 - m)^2 (times s for the train loss) as polynomials in (a, s).
fn logistic_losses(order: usize, loss: Loss) -> Vec<Poly> {
    let m = logistic(order);
    let s = Poly::var(m[0].vars(), "s");
    (0..=order)
        .map(|n| {
            let mut e = m[n].scale(&rat(-1));
            for i in 0..=n {
                e.add_assign(&m[i].mul(&m[n - i]).scale(&frac(1, 2)));
            }
            if n == 0 {
                e.add_term(vec![0, 0], frac(1, 2));
            }
            let fact = (1..=n).fold(BigRational::one(), |f, k| f * rat(k as i64));
            let e = e.scale(&fact);
            match loss {
                Loss::Train => e.mul(&s),
                Loss::Pop => e,
            }
        })
        .collect()
}

/// Rising chi-square moment `prod_{i<k} (x + 2 i)` in the variable `x` of `vars`.
fn chi_moment(vars: &Vars, x: &str, k: i32) -> Poly {
    let x = Poly::var(vars, x);
    (0..k).fold(Poly::constant(vars, BigRational::one()), |acc, i| {
        acc.mul(&x.add(&Poly::constant(vars, rat(2 * i as i64))))
    })
}

/// The monomial `prod x^k` of `(name, k)` pairs in `vars`.
fn mono(vars: &Vars, powers: &[(&str, i32)]) -> Poly {
    let mut e = vec![0; vars.len()];
    for (x, k) in powers {
        e[vars.index(x).unwrap()] = *k;
    }
    Poly::monomial(vars, e, one())
}

#[test]
fn p_equals_one_is_the_scalar_logistic_flow() {
    // p = 1: a = |w|^2 = sigma2 chi2_H, s = chi2_N / N, da/dt = 4 s a (1 - a).
    // Variables of the comparison: (H, sigma2, N).
    let order = 7;
    for loss in [Loss::Train, Loss::Pop] {
        let full = full_coefficients(order, loss, None).unwrap();
        let series = logistic_losses(order, loss);
        for n in 0..=order {
            let got = full[n].eval_at(&[("p", rat(1))]);
            let vars = Vars::new(["H", "sigma2", "N"]);
            let mut want = Poly::zero(&vars);
            for (e, c) in series[n].terms() {
                let (ka, ks) = (e[0], e[1]);
                // E a^ka = sigma2^ka H(H+2)..., E s^ks = N(N+2).../N^ks
                let ea = chi_moment(&vars, "H", ka).mul(&mono(&vars, &[("sigma2", ka)]));
                let es = chi_moment(&vars, "N", ks).mul(&mono(&vars, &[("N", -ks)]));
                want.add_assign(&ea.mul(&es).scale(c));
            }
            assert_eq!(got, want, "{loss:?} order {n}");
        }
    }
}

fn one() -> BigRational {
    BigRational::one()
}

#[test]
fn h_equals_one_infinite_data_is_logistic_in_the_norm() {
    // H = 1, N = inf (S = I): m = |w|^2 = sigma2 chi2_p, dm/dt = 4 m (1 - m);
    // L = (p - 1)/2 + (1 - m)^2 / 2 for both losses. Variables of the comparison: (p, sigma2).
    let order = 7;
    for loss in [Loss::Train, Loss::Pop] {
        let full = full_coefficients(order, loss, None).unwrap();
        let series = logistic_losses(order, Loss::Pop);
        for n in 0..=order {
            let got = full[n].coefficient("N", 0).eval_at(&[("H", rat(1))]);
            let vars = Vars::new(["p", "sigma2"]);
            let mut want = Poly::zero(&vars);
            for (e, c) in series[n].terms() {
                let k = e[0];
                let ea = chi_moment(&vars, "p", k).mul(&mono(&vars, &[("p", -1), ("sigma2", k)]));
                want.add_assign(&ea.scale(c));
            }
            if n == 0 {
                // (p - 1) / (2 p)
                want.add_assign(&mono(&vars, &[]).scale(&frac(1, 2)));
                want.add_assign(&mono(&vars, &[("p", -1)]).scale(&frac(-1, 2)));
            }
            assert_eq!(got, want, "{loss:?} order {n}");
        }
    }
}

#[test]
fn infinite_data_is_the_logistic_flow_of_the_spectrum_of_a() {
    // N = inf (S = I): dA/dt = 4 (A - A^2), so every eigenvalue follows the logistic flow and
    // L = (1/2) tr (I - A)^2 = sum_k e_k(t) tr A^k. With E tr A^k = sigma2^k M_k(H, p) (real
    // Wishart moments by the partition recursion, a different code path from the W phase),
    // both losses must equal this at N^0, for all p and H. Variables: (p, H, sigma2).
    use prism::expansion::wick::Wishart;
    let order = 7;
    let series = logistic_losses(order, Loss::Pop);
    let mut wishart = Wishart::default();
    for loss in [Loss::Train, Loss::Pop] {
        let full = full_coefficients(order, loss, None).unwrap();
        for n in 0..=order {
            let got = full[n].coefficient("N", 0);
            let vars = Vars::new(["p", "H", "sigma2"]);
            let mut want = Poly::zero(&vars);
            for (e, c) in series[n].terms() {
                let k = e[0];
                // (1/p) E tr A^k; the constant term gives (1/p) tr I = 1.
                let mut m = Poly::zero(&vars);
                for (&(h, pe), &v) in &wishart.moment(&[k as u32]).unwrap() {
                    m.add_term(vec![pe as i32 - 1, h as i32, k], rat(v as i64));
                }
                want.add_assign(&m.scale(c));
            }
            assert_eq!(got, want, "{loss:?} order {n}");
        }
    }
}
