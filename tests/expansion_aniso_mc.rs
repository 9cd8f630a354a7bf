//! Monte-Carlo check of the expansion with moments (THEORY 9.2, 9.7) by an independent
//! method: per sample, the Taylor series of W(t) is propagated through the ODE
//! dW/dt = 2 W S - W A S - W S A (Cauchy products, no words, no Wick code), with data
//! x = Sigma^{1/2} z for a non-diagonal Sigma; the sample means of L^(s)(0)/p are compared with
//! the exact polynomials evaluated at m_k = tr(Sigma^k)/p, by z-scores. The wrong model
//! "Sigma -> (tr Sigma / p) I" (the isotropic polynomial) must be rejected.

use ndarray::Array2;
use num_rational::BigRational;
use prism::expansion::aniso::{full_coefficients_aniso, substitute_moments, Samples};
use prism::poly::{frac, rat, rat_to_f64, Poly};
use prism::polytope::Loss;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

const ORDER: usize = 3;

fn gaussian(rng: &mut ChaCha8Rng, rows: usize, cols: usize) -> Array2<f64> {
    Array2::from_shape_simple_fn((rows, cols), || rng.sample::<f64, _>(StandardNormal))
}

fn trace(m: &Array2<f64>) -> f64 {
    m.diag().sum()
}

/// A fixed rotation: Gram-Schmidt of a seeded Gaussian matrix.
fn rotation(p: usize, seed: u64) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let g = gaussian(&mut rng, p, p);
    let mut q = Array2::<f64>::zeros((p, p));
    for j in 0..p {
        let mut v = g.column(j).to_owned();
        for k in 0..j {
            let d = q.column(k).dot(&v);
            v -= &(q.column(k).to_owned() * d);
        }
        let n = v.dot(&v).sqrt();
        q.column_mut(j).assign(&(v / n));
    }
    q
}

/// L^(s)(0) for s = 0..=ORDER, train (against S) and population (against Sigma), one sample.
fn derivatives(w0: &Array2<f64>, s: &Array2<f64>, sigma: &Array2<f64>) -> [[f64; ORDER + 1]; 2] {
    let p = w0.ncols();
    let mut w = vec![w0.clone()];
    let mut a = vec![w0.t().dot(w0)];
    for n in 0..ORDER {
        let mut v = w[n].dot(s) * 2.0;
        for i in 0..=n {
            v = v - w[i].dot(&a[n - i]).dot(s) - w[i].dot(s).dot(&a[n - i]);
        }
        w.push(v / (n + 1) as f64);
        let mut an = Array2::<f64>::zeros((p, p));
        for i in 0..=n + 1 {
            an = an + w[i].t().dot(&w[n + 1 - i]);
        }
        a.push(an);
    }
    let mut out = [[0.0; ORDER + 1]; 2];
    let mut fact = 1.0;
    for n in 0..=ORDER {
        if n > 0 {
            fact *= n as f64;
        }
        for (slot, m) in [s, sigma].into_iter().enumerate() {
            let mut l = if n == 0 { trace(m) } else { 0.0 };
            l -= 2.0 * trace(&a[n].dot(m));
            for i in 0..=n {
                l += trace(&a[i].dot(m).dot(&a[n - i]));
            }
            out[slot][n] = 0.5 * l * fact;
        }
    }
    out
}

struct Case {
    p: usize,
    h: usize,
    /// None: N = inf (S = Sigma).
    n: Option<usize>,
    sigma2: (i64, i64),
    /// Eigenvalues of Sigma, exact.
    eig: Vec<(i64, i64)>,
    samples: usize,
    seed: u64,
}

/// (max |z| against the exact polynomials, max |z| against the wrong isotropic model).
fn run(case: &Case) -> (f64, f64) {
    let p = case.p;
    let samples = match case.n {
        Some(_) => Samples::Finite,
        None => Samples::Infinite,
    };
    let lam: Vec<BigRational> = case.eig.iter().map(|&(a, b)| frac(a, b)).collect();
    let m: Vec<BigRational> = (1..=prism::expansion::aniso::MAX_MOMENTS)
        .map(|k| {
            lam.iter()
                .map(|x| prism::poly::pow_rat(x, k as i32))
                .sum::<BigRational>()
                / rat(p as i64)
        })
        .collect();
    // the wrong model: Sigma -> m1 I, i.e. m_k -> m1^k
    let wrong: Vec<BigRational> = (1..=m.len())
        .map(|k| prism::poly::pow_rat(&m[0], k as i32))
        .collect();
    let s2 = frac(case.sigma2.0, case.sigma2.1);
    let at = [
        rat(p as i64),
        rat(case.h as i64),
        s2.clone(),
        rat(case.n.unwrap_or(1) as i64),
    ];
    let eval = |c: &Poly, mm: &[BigRational]| -> f64 {
        rat_to_f64(&substitute_moments(c, mm).unwrap().eval_exact(&at))
    };
    let exact: Vec<Vec<Poly>> = [Loss::Train, Loss::Pop]
        .iter()
        .map(|&l| full_coefficients_aniso(ORDER, l, samples, None).unwrap())
        .collect();
    let u = rotation(p, case.seed + 1000);
    let d = |f: &dyn Fn(f64) -> f64| {
        Array2::from_diag(&ndarray::Array1::from_iter(
            lam.iter().map(|x| f(rat_to_f64(x))),
        ))
    };
    let sigma = u.dot(&d(&|x| x)).dot(&u.t());
    let root = u.dot(&d(&|x| x.sqrt())).dot(&u.t());
    let sd = rat_to_f64(&s2).sqrt();
    let mut rng = ChaCha8Rng::seed_from_u64(case.seed);
    let mut sum = [[0.0f64; ORDER + 1]; 2];
    let mut sq = [[0.0f64; ORDER + 1]; 2];
    for _ in 0..case.samples {
        let w = gaussian(&mut rng, case.h, p) * sd;
        let s = match case.n {
            Some(n) => {
                let x = root.dot(&gaussian(&mut rng, p, n));
                x.dot(&x.t()) / n as f64
            }
            None => sigma.clone(),
        };
        let v = derivatives(&w, &s, &sigma);
        for l in 0..2 {
            for k in 0..=ORDER {
                let x = v[l][k] / p as f64;
                sum[l][k] += x;
                sq[l][k] += x * x;
            }
        }
    }
    let ns = case.samples as f64;
    let (mut zmax, mut zwrong) = (0.0f64, 0.0f64);
    for l in 0..2 {
        for k in 0..=ORDER {
            let mean = sum[l][k] / ns;
            let var = (sq[l][k] / ns - mean * mean).max(0.0);
            let se = (var / ns).sqrt().max(1e-300);
            let want = eval(&exact[l][k], &m);
            let bad = eval(&exact[l][k], &wrong);
            let z = (mean - want) / se;
            let zw = (mean - bad) / se;
            eprintln!(
                "{:?} N={:?} {} c_{k}: MC {mean:.6} +- {se:.2e}, exact {want:.6} (z = {z:+.2}), \
                 wrong model {bad:.6} (z = {zw:+.1})",
                case.eig,
                case.n,
                ["train", "pop"][l]
            );
            zmax = zmax.max(z.abs());
            zwrong = zwrong.max(zw.abs());
        }
    }
    (zmax, zwrong)
}

fn cases(samples: usize) -> Vec<Case> {
    vec![
        // N < p, H < p
        Case {
            p: 4,
            h: 3,
            n: Some(3),
            sigma2: (1, 5),
            eig: vec![(1, 5), (3, 5), (1, 1), (11, 5)],
            samples,
            seed: 11,
        },
        // N = inf
        Case {
            p: 4,
            h: 2,
            n: None,
            sigma2: (1, 4),
            eig: vec![(1, 5), (3, 5), (1, 1), (11, 5)],
            samples,
            seed: 12,
        },
        // H > p, N > p, mean != 1
        Case {
            p: 3,
            h: 5,
            n: Some(6),
            sigma2: (1, 10),
            eig: vec![(1, 2), (1, 1), (5, 2)],
            samples,
            seed: 13,
        },
    ]
}

#[test]
fn monte_carlo_orders_up_to_3_with_a_nontrivial_sigma() {
    let mut worst_wrong = 0.0f64;
    for case in cases(20_000) {
        let (z, zw) = run(&case);
        assert!(z < 4.5, "|z| = {z} against the exact polynomials");
        worst_wrong = worst_wrong.max(zw);
    }
    assert!(
        worst_wrong > 10.0,
        "the wrong model Sigma -> (tr Sigma/p) I was not rejected (max |z| = {worst_wrong})"
    );
}

/// Heavier: 20x the samples.
#[test]
#[ignore]
fn monte_carlo_orders_up_to_3_large() {
    for mut case in cases(400_000) {
        case.seed += 100;
        let (z, zw) = run(&case);
        assert!(z < 4.5, "|z| = {z}");
        assert!(zw > 10.0, "wrong model not rejected: {zw}");
    }
}
