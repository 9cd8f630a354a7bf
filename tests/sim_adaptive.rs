//! The adaptive Dormand-Prince 5(4) integrator of the gradient flow: accuracy against RK4 with a
//! tiny step, step economy at large init, plans and estimates, determinism.

use prism::sim::{
    estimate, plan, run_one, simulate, EngineKind, Integrator, Mode, Record, SimParams,
};

fn max_rel_gap(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1e-3))
        .fold(0.0, f64::max)
}

/// Per run (same seed, same initial state), the adaptive curves agree with RK4 at a tiny step to
/// a small multiple of the tolerance, for every engine kind: reduced, data span, Bartlett,
/// physical; small and large init.
#[test]
fn adaptive_matches_fine_rk4() {
    let cases: &[(usize, usize, Option<usize>, f64, Mode)] = &[
        (40, 15, Some(60), 1.0, Mode::Fast),  // reduced
        (40, 10, Some(20), 4.0, Mode::Fast),  // data span
        (30, 45, Some(50), 0.5, Mode::Fast),  // Bartlett
        (40, 15, Some(25), 16.0, Mode::Fast), // reduced, large init, N < p
        (30, 12, Some(45), 4.0, Mode::Physical),
        (30, 12, None, 2.0, Mode::Physical),
    ];
    for &(p, h, n, q, mode) in cases {
        let mut params = SimParams::new(p, h, q / p as f64, 2.0).with_n(n);
        params.mode = mode;
        params.record = Record::Uniform(8);
        params.seed = 3;
        params.integrator = Integrator::Adaptive;
        params.tol = Some(1e-7);
        let a = run_one(&params, 0).unwrap();
        params.integrator = Integrator::Rk4;
        params.dt = Some(params.default_dt() / 8.0);
        let b = run_one(&params, 0).unwrap();
        let g = max_rel_gap(&a.train, &b.train).max(max_rel_gap(&a.pop, &b.pop));
        assert!(g < 1e-5, "{p} {h} {n:?} q={q} {mode:?}: gap {g}");
    }
}

/// Tolerance matters: a loose tolerance is measurably less accurate than a tight one, and both
/// hit the record times exactly.
#[test]
fn tolerance_controls_error() {
    let mut params = SimParams::new(40, 15, 4.0 / 40.0, 3.0).with_n(Some(60));
    params.record = Record::Uniform(6);
    params.integrator = Integrator::Rk4;
    params.dt = Some(params.default_dt() / 8.0);
    params.seeds = 1;
    let fine = simulate(&params).unwrap();
    params.integrator = Integrator::Adaptive;
    params.dt = None;
    let mut errs = vec![];
    for tol in [1e-3, 1e-8] {
        params.tol = Some(tol);
        let r = simulate(&params).unwrap();
        assert_eq!(r.t, fine.t);
        assert_eq!(r.info.tol, Some(tol));
        errs.push(max_rel_gap(&r.train_mean, &fine.train_mean));
    }
    assert!(errs[1] < 1e-6, "{errs:?}");
    assert!(errs[0] > 10.0 * errs[1], "{errs:?}");
}

/// Large init over a long horizon: the adaptive pair takes a small fraction of the fixed-step
/// RK4 steps at the default step (which is ~ 1/q).
#[test]
fn large_init_takes_few_steps() {
    let mut params = SimParams::new(60, 20, 16.0 / 60.0, 20.0).with_n(Some(120));
    params.record = Record::Uniform(20);
    params.seeds = 2;
    params.integrator = Integrator::Adaptive;
    let a = simulate(&params).unwrap();
    params.integrator = Integrator::Rk4;
    let b = simulate(&params).unwrap();
    assert!(
        (a.info.steps as f64) < 0.2 * b.info.steps as f64,
        "adaptive {} vs RK4 {}",
        a.info.steps,
        b.info.steps
    );
    // And the a-priori estimate is within a factor of a few of the steps taken.
    let e = estimate(&{
        let mut p = params.clone();
        p.integrator = Integrator::Adaptive;
        p
    })
    .unwrap();
    let ratio = e.steps_per_run / a.info.steps as f64;
    assert!(
        (0.2..5.0).contains(&ratio),
        "estimate {} vs {}",
        e.steps_per_run,
        a.info.steps
    );
}

/// S = I in fast mode: the exact flow, one jump per record interval.
#[test]
fn identity_uses_exact_flow() {
    let mut params = SimParams::new(50, 20, 0.1, 1.0);
    params.integrator = Integrator::Adaptive;
    params.record = Record::Uniform(4);
    params.seeds = 2;
    assert_eq!(plan(&params).unwrap().engine, EngineKind::Diagonal);
    let r = simulate(&params).unwrap();
    assert_eq!(r.info.steps, 4);
    let mut rk = params.clone();
    rk.integrator = Integrator::Rk4;
    let s = simulate(&rk).unwrap();
    assert!(max_rel_gap(&r.pop_mean, &s.pop_mean) < 1e-12);
}

/// Adaptive ensembles are bit-identical with 1 or 2 threads (the step sequence of a run depends
/// on its own state only).
#[test]
fn adaptive_deterministic_across_thread_counts() {
    for mode in [Mode::Fast, Mode::Physical] {
        let mut params = SimParams::new(60, 20, 0.1, 1.0).with_n(Some(40));
        params.record = Record::Uniform(5);
        params.seeds = 5;
        params.mode = mode;
        params.integrator = Integrator::Adaptive;
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| simulate(&params).unwrap())
        };
        assert_eq!(run(1), run(2));
    }
}

/// The tolerance is the accuracy of the recorded losses: on the hard shapes (large init with the
/// train loss falling by orders of magnitude while W stays large: H >= N, and N < p; both losses
/// decaying: H >= p, N >= p), the error of every recorded train and population loss against a
/// tight reference (same seed) stays below tol max(l, 1e-8 l_max), at the check's tolerance.
#[test]
fn loss_error_within_tolerance_on_hard_shapes() {
    let p = 40;
    let cases: &[(usize, usize, f64)] =
        &[(80, 20, 16.0), (80, 20, 4.0), (20, 80, 4.0), (80, 80, 1.0)];
    let tol = 0.1 / (p as f64 * 16.0);
    for &(h, n, q) in cases {
        let mut params = SimParams::new(p, h, q / p as f64, 5.0).with_n(Some(n));
        params.record = Record::Uniform(40);
        params.seeds = 2;
        params.seed = 5;
        params.integrator = Integrator::Adaptive;
        params.tol = Some(tol);
        let a = simulate(&params).unwrap();
        params.tol = Some(1e-12);
        let b = simulate(&params).unwrap();
        for (ra, rb) in a.runs.iter().zip(&b.runs) {
            for (x, y) in [(&ra.train, &rb.train), (&ra.pop, &rb.pop)] {
                let lmax = y.iter().cloned().fold(0.0, f64::max);
                for (u, v) in x.iter().zip(y) {
                    let rel = (u - v).abs() / v.abs().max(1e-8 * lmax);
                    assert!(
                        rel < tol,
                        "H={h} N={n} q={q}: error {rel:.2e} > tol {tol:.2e}"
                    );
                }
            }
        }
    }
}
