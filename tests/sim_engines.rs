//! Per-sample checks of the engines and of the exact reductions used by the fast mode.

use ndarray::{concatenate, s, Array2, Axis};
use prism::sim::engines::{MatIntegrator, PhysData, PhysicalEngine, ReducedEngine, Side};
use prism::sim::spectrum::{gaussian, sym_eigenvalues};
use prism::sim::{run_one, simulate_forced_side, Integrator, Mode, Record, SimParams};
use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;

/// Lower Cholesky factor of a symmetric positive definite matrix.
fn cholesky(a: &Array2<f64>) -> Array2<f64> {
    let n = a.nrows();
    let mut l = Array2::<f64>::zeros((n, n));
    for j in 0..n {
        let mut d = a[[j, j]];
        for k in 0..j {
            d -= l[[j, k]] * l[[j, k]];
        }
        assert!(d > 0.0);
        let d = d.sqrt();
        l[[j, j]] = d;
        for i in j + 1..n {
            let mut x = a[[i, j]];
            for k in 0..j {
                x -= l[[i, k]] * l[[j, k]];
            }
            l[[i, j]] = x / d;
        }
    }
    l
}

/// Run `steps` Euler steps, return (l_tr, l_pop) before each step and at the end.
fn curve(mut it: MatIntegrator, p: usize, steps: usize, dt: f64) -> Vec<(f64, f64)> {
    let pf = p as f64;
    let mut out = vec![];
    let loss = |tr: prism::sim::engines::Traces| {
        (
            (tr.tr_s - 2.0 * tr.tr_k + tr.tr_mk) / (2.0 * pf),
            (pf - 2.0 * tr.tr_m + tr.tr_m2.unwrap()) / (2.0 * pf),
        )
    };
    for _ in 0..steps {
        out.push(loss(it.euler(dt, true)));
    }
    out.push(loss(it.traces(true)));
    out
}

fn max_gap(a: &[(f64, f64)], b: &[(f64, f64)]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x.0 - y.0).abs().max((x.1 - y.1).abs()))
        .fold(0.0, f64::max)
}

/// The reductions of the fast mode, per sample: the full state against S = diag(lam, 0), the
/// physical engine with the same diagonal S, the null block replaced by the Cholesky factor of
/// its Gram matrix, and H >= p replaced by the Cholesky factor of A. All must agree to rounding.
#[test]
fn reductions_are_exact_per_sample() {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let sigma2: f64 = 0.02;
    for &(p, h, n) in &[
        (40usize, 12usize, 15usize),
        (40, 30, 15),
        (30, 45, 12),
        (30, 10, 50),
        (30, 45, 60),
    ] {
        let ns = n.min(p);
        let lam: Vec<f64> = (0..ns).map(|i| 0.3 + 1.7 * i as f64 / ns as f64).collect();
        let w0 = gaussian(h, p, sigma2.sqrt(), &mut rng);
        let dt = 0.01;
        let steps = 60;
        // Reference: full state, both sides.
        let full_h = curve(
            MatIntegrator::new(
                Box::new(ReducedEngine::new(h, p, lam.clone(), 2.0, Some(Side::H))),
                w0.clone(),
            ),
            p,
            steps,
            dt,
        );
        let full_p = curve(
            MatIntegrator::new(
                Box::new(ReducedEngine::new(h, p, lam.clone(), 2.0, Some(Side::P))),
                w0.clone(),
            ),
            p,
            steps,
            dt,
        );
        assert!(
            max_gap(&full_h, &full_p) < 1e-12,
            "H-side vs p-side {p} {h} {n}"
        );
        // Physical engine with the same diagonal S.
        let mut sd = Array2::zeros((p, p));
        for (i, l) in lam.iter().enumerate() {
            sd[[i, i]] = *l;
        }
        let phys = curve(
            MatIntegrator::new(
                Box::new(PhysicalEngine::new(h, p, PhysData::Dense { s: sd }, 2.0)),
                w0.clone(),
            ),
            p,
            steps,
            dt,
        );
        assert!(
            max_gap(&full_h, &phys) < 1e-12,
            "physical vs reduced {p} {h} {n}"
        );
        // Null-block compression (N < p, H <= p - N).
        if n < p && h <= p - n {
            let wn = w0.slice(s![.., ns..]).to_owned();
            let l = cholesky(&wn.dot(&wn.t()));
            let wc = concatenate![Axis(1), w0.slice(s![.., ..ns]), l];
            for side in [Side::H, Side::P] {
                let c = curve(
                    MatIntegrator::new(
                        Box::new(ReducedEngine::new(h, ns + h, lam.clone(), 2.0, Some(side))),
                        wc.clone(),
                    ),
                    p,
                    steps,
                    dt,
                );
                assert!(
                    max_gap(&full_h, &c) < 1e-12,
                    "null-block compression {p} {h} {n}"
                );
            }
        }
        // Row compression (H >= p): W -> R with R^T R = W^T W.
        if h >= p {
            let r = cholesky(&w0.t().dot(&w0)).reversed_axes();
            for side in [Side::H, Side::P] {
                let c = curve(
                    MatIntegrator::new(
                        Box::new(ReducedEngine::new(p, p, lam.clone(), 2.0, Some(side))),
                        r.clone(),
                    ),
                    p,
                    steps,
                    dt,
                );
                assert!(max_gap(&full_h, &c) < 1e-12, "row compression {p} {h} {n}");
            }
        }
    }
}

/// Physical mode with data X (N < p and N >= p, both associations) against the physical engine
/// with S formed densely, per sample.
#[test]
fn physical_routes_agree() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for &(p, h, n) in &[
        (30usize, 5usize, 10usize),
        (30, 25, 10),
        (20, 8, 50),
        (20, 30, 50),
    ] {
        let x = gaussian(p, n, 1.0, &mut rng);
        let s = x.dot(&x.t()) / n as f64;
        let w0 = gaussian(h, p, 0.05f64.sqrt(), &mut rng);
        let a = curve(
            MatIntegrator::new(
                Box::new(PhysicalEngine::new(
                    h,
                    p,
                    PhysData::Samples { x: x.clone() },
                    2.0,
                )),
                w0.clone(),
            ),
            p,
            50,
            0.01,
        );
        let b = curve(
            MatIntegrator::new(
                Box::new(PhysicalEngine::new(h, p, PhysData::Dense { s }, 2.0)),
                w0.clone(),
            ),
            p,
            50,
            0.01,
        );
        assert!(max_gap(&a, &b) < 1e-12, "{p} {h} {n}");
        // And the p x p naive formula for the first step's losses.
        let am = w0.t().dot(&w0);
        let i_a = Array2::<f64>::eye(p) - &am;
        let xs = x.dot(&x.t()) / n as f64;
        let ltr = (i_a.dot(&xs).dot(&i_a)).diag().sum() / (2.0 * p as f64);
        let lpop = i_a.iter().map(|v| v * v).sum::<f64>() / (2.0 * p as f64);
        assert!((a[0].0 - ltr).abs() < 1e-12 && (a[0].1 - lpop).abs() < 1e-12);
        // Five literal Euler steps W <- W + dt W[(I - A) S + S (I - A)] (THEORY section 1).
        let mut w = w0.clone();
        for _ in 0..5 {
            let i_a = Array2::<f64>::eye(p) - w.t().dot(&w);
            let g = i_a.dot(&xs);
            let v = w.dot(&(&g + &g.t()));
            w.scaled_add(0.01, &v);
        }
        let i_a = Array2::<f64>::eye(p) - w.t().dot(&w);
        let ltr = (i_a.dot(&xs).dot(&i_a)).diag().sum() / (2.0 * p as f64);
        let lpop = i_a.iter().map(|v| v * v).sum::<f64>() / (2.0 * p as f64);
        assert!(
            (a[5].0 - ltr).abs() < 1e-12 && (a[5].1 - lpop).abs() < 1e-12,
            "{p} {h} {n}"
        );
    }
}

/// N = infinity: the physical Euler curve equals the exact per-eigenvalue recursion
/// m <- m (1 + 2 dt (1 - m))^2, and the RK4 curve the logistic flow
/// m(t) = m0 e^{4t} / (1 + m0 (e^{4t} - 1)), per sample.
#[test]
fn population_case_is_logistic_per_sample() {
    for &(p, h, sigma2) in &[(50usize, 20usize, 0.01), (30, 60, 0.02)] {
        let mut params = SimParams::new(p, h, sigma2, 1.0);
        params.mode = Mode::Physical;
        params.record = Record::Uniform(10);
        params.seed = 9;
        params.dt = Some(0.01);
        let run = run_one(&params, 2).unwrap();
        // Same draws as the engine: W0 first (no data for N = infinity).
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let w0 = gaussian(h, p, sigma2.sqrt(), &mut rng);
        let m0 = sym_eigenvalues(w0.dot(&w0.t())).unwrap();
        let loss = |m: &[f64]| {
            let pf = p as f64;
            (pf - 2.0 * m.iter().sum::<f64>() + m.iter().map(|x| x * x).sum::<f64>()) / (2.0 * pf)
        };
        let mut m = m0.clone();
        for k in 0..=10 {
            let l = loss(&m);
            assert!(
                (run.pop[k] - l).abs() < 1e-11,
                "Euler k={k}: {} vs {l}",
                run.pop[k]
            );
            assert!((run.train[k] - l).abs() < 1e-11);
            for _ in 0..10 {
                for x in &mut m {
                    *x *= (1.0 + 2.0 * 0.01 * (1.0 - *x)).powi(2);
                }
            }
        }
        params.integrator = Integrator::Rk4;
        params.dt = Some(0.0025);
        let run = run_one(&params, 2).unwrap();
        for k in 0..=10 {
            let t = 0.1 * k as f64;
            let e = (4.0 * t).exp();
            let m: Vec<f64> = m0.iter().map(|&x| x * e / (1.0 + x * (e - 1.0))).collect();
            let l = loss(&m);
            assert!(
                (run.pop[k] - l).abs() < 1e-9,
                "RK4 k={k}: {} vs {l}",
                run.pop[k]
            );
        }
    }
}

/// The fast mode's two algorithms give the same curves for the same seed (same initial state).
#[test]
fn fast_sides_agree_in_ensembles() {
    for &(p, h, n) in &[
        (60usize, 20usize, Some(90usize)),
        (60, 20, Some(25)),
        (40, 50, Some(20)),
        (40, 30, Some(30)),
    ] {
        let mut params = SimParams::new(p, h, 1.0 / p as f64, 0.5).with_n(n);
        params.record = Record::Uniform(5);
        params.seeds = 3;
        let a = simulate_forced_side(&params, Side::H).unwrap();
        let b = simulate_forced_side(&params, Side::P).unwrap();
        for (x, y) in a
            .train_mean
            .iter()
            .zip(&b.train_mean)
            .chain(a.pop_mean.iter().zip(&b.pop_mean))
        {
            assert!((x - y).abs() < 1e-12, "{p} {h} {n:?}: {x} {y}");
        }
    }
}
