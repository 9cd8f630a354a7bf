//! Statistical checks of the ensembles: exact t = 0 moments, fast against physical mode,
//! determinism across thread counts, divergence, the free-flow and small-data reference values of
//! THEORY section 8.

use prism::sim::{
    check_dt, free_flow, simulate, FreeFlowParams, Integrator, Mode, Record, SimError, SimParams,
    SimResult,
};

fn c0(p: usize, h: usize, sigma2: f64) -> f64 {
    let (p, h) = (p as f64, h as f64);
    0.5 - sigma2 * h + 0.5 * sigma2 * sigma2 * h * (h + p + 1.0)
}

fn within(a: f64, sa: f64, b: f64, sb: f64, k: f64) -> bool {
    (a - b).abs() <= k * (sa * sa + sb * sb).sqrt() + 1e-12
}

/// THEORY section 2: E l_tr(0) = E l_pop(0) = c_0 = 1/2 - sigma2 H + sigma2^2 H (H + p + 1)/2.
#[test]
fn initial_loss_matches_c0() {
    let cases: [(usize, usize, Option<usize>, f64); 5] = [
        (40, 20, Some(80), 0.02),
        (40, 60, Some(20), 0.01),
        (30, 10, None, 0.05),
        (50, 20, Some(10), 0.02),
        (20, 50, None, 0.04),
    ];
    for &(p, h, n, sigma2) in &cases {
        for mode in [Mode::Fast, Mode::Physical] {
            let mut params = SimParams::new(p, h, sigma2, 0.0).with_n(n);
            params.record = Record::Uniform(0);
            params.seeds = 600;
            params.mode = mode;
            let r = simulate(&params).unwrap();
            let c = c0(p, h, sigma2);
            assert!(
                within(r.pop_mean[0], r.pop_sem[0], c, 0.0, 4.0),
                "pop {p} {h} {n:?} {mode:?}: {} +- {} vs {c}",
                r.pop_mean[0],
                r.pop_sem[0]
            );
            assert!(
                within(r.train_mean[0], r.train_sem[0], c, 0.0, 4.0),
                "train {p} {h} {n:?} {mode:?}: {} +- {} vs {c}",
                r.train_mean[0],
                r.train_sem[0]
            );
        }
    }
}

fn assert_agree(a: &SimResult, b: &SimResult, what: &str) {
    for k in 0..a.t.len() {
        assert!(
            within(
                a.train_mean[k],
                a.train_sem[k],
                b.train_mean[k],
                b.train_sem[k],
                4.0
            ),
            "{what} train at t={}: {} +- {} vs {} +- {}",
            a.t[k],
            a.train_mean[k],
            a.train_sem[k],
            b.train_mean[k],
            b.train_sem[k]
        );
        assert!(
            within(
                a.pop_mean[k],
                a.pop_sem[k],
                b.pop_mean[k],
                b.pop_sem[k],
                4.0
            ),
            "{what} pop at t={}: {} +- {} vs {} +- {}",
            a.t[k],
            a.pop_mean[k],
            a.pop_sem[k],
            b.pop_mean[k],
            b.pop_sem[k]
        );
    }
}

/// Fast mode (rotation-reduced, every engine) and physical mode have the same mean curves.
#[test]
fn fast_and_physical_agree() {
    let cases: [(usize, usize, Option<usize>, f64, f64); 5] = [
        (60, 30, Some(120), 1.0, 1.0), // H < p <= N: reduced W
        (60, 20, Some(15), 2.0, 0.02), // N < p, H <= p - N: data span + Bartlett null block
        (30, 45, Some(20), 0.5, 0.5),  // H >= p, N < p: Bartlett R with null block
        (40, 30, Some(25), 1.0, 0.3),  // p - N < H < p
        (40, 20, None, 1.0, 1.0),      // S = I: eigenvalue engine
    ];
    for &(p, h, n, q, t_max) in &cases {
        let mut params = SimParams::new(p, h, q / p as f64, t_max).with_n(n);
        params.record = Record::Uniform(4);
        params.seeds = 64;
        let fast = simulate(&params).unwrap();
        params.mode = Mode::Physical;
        params.seed = 10_000;
        let phys = simulate(&params).unwrap();
        assert_agree(&fast, &phys, &format!("{p} {h} {n:?}"));
        // The curves move by much more than the error bars, so the check has power.
        let moved = (fast.train_mean[0] - fast.train_mean[4]).abs();
        assert!(
            moved > 10.0 * fast.train_sem[4],
            "{p} {h} {n:?}: curve barely moves"
        );
    }
}

/// Same base seed, 1 or 2 worker threads: bit-identical results.
#[test]
fn deterministic_across_thread_counts() {
    let mut params = SimParams::new(50, 20, 0.02, 0.5).with_n(Some(30));
    params.record = Record::Uniform(5);
    params.seeds = 7;
    params.seed = 123;
    let run = |params: &SimParams, threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| simulate(params).unwrap())
    };
    let a = run(&params, 1);
    let b = run(&params, 2);
    assert_eq!(a, b);
    params.mode = Mode::Physical;
    let a = run(&params, 1);
    let b = run(&params, 2);
    assert_eq!(a, b);
    // A different base seed changes the result.
    params.seed = 124;
    assert_ne!(run(&params, 2), b);
}

/// One run large enough that every product is split across threads (fixed blocks): curves and
/// ensembles bit-identical with 1 and 2 threads, for every engine kind and integrator.
#[test]
fn parallel_runs_deterministic_across_thread_counts() {
    let cases: &[(usize, usize, Option<usize>, Mode)] = &[
        (300, 150, Some(400), Mode::Fast), // reduced
        (300, 60, Some(100), Mode::Fast),  // data span
        (200, 300, Some(300), Mode::Fast), // Bartlett
        (300, 100, Some(500), Mode::Physical),
        (300, 40, Some(60), Mode::Physical),
    ];
    for &(p, h, n, mode) in cases {
        for integ in [Integrator::Euler, Integrator::Rk4, Integrator::Adaptive] {
            let mut params = SimParams::new(p, h, 1.0 / p as f64, 0.05).with_n(n);
            params.record = Record::Uniform(2);
            params.dt = Some(0.01);
            params.seeds = 2;
            params.mode = mode;
            params.integrator = integ;
            let run = |threads| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| simulate(&params).unwrap())
            };
            assert_eq!(run(1), run(2), "{p} {h} {n:?} {mode:?} {integ:?}");
        }
    }
}

/// A deliberately huge step is reported as divergence, not as NaN curves.
#[test]
fn huge_dt_diverges() {
    for mode in [Mode::Fast, Mode::Physical] {
        for n in [Some(100), Some(20), None] {
            let mut params = SimParams::new(40, 20, 0.05, 20.0).with_n(n);
            params.dt = Some(2.0);
            params.record = Record::Uniform(2);
            params.mode = mode;
            params.seeds = 2;
            match simulate(&params) {
                Err(SimError::Diverged {
                    suggested_dt, t, ..
                }) => {
                    assert!(suggested_dt < 2.0 && suggested_dt > 0.0);
                    assert!(t <= 20.0);
                }
                Err(e) => panic!("{mode:?} {n:?}: expected divergence, got {e}"),
                Ok(r) => panic!(
                    "{mode:?} {n:?}: expected divergence, got {:?}",
                    r.train_mean
                ),
            }
        }
    }
}

/// --check-dt: at the default step the Euler curves move little when dt is halved.
#[test]
fn halving_dt_changes_little() {
    let mut params = SimParams::new(40, 20, 0.025, 1.0).with_n(Some(80));
    params.record = Record::Uniform(4);
    params.seeds = 4;
    let base = simulate(&params).unwrap();
    let chk = check_dt(&params, &base).unwrap();
    assert!(
        chk.max_diff_train > 0.0 && chk.max_diff_train < 5e-3,
        "{chk:?}"
    );
    assert!(chk.max_diff_pop < 5e-3, "{chk:?}");
}

/// THEORY section 8, F4 reference values at r = alpha = 1 (gap O(1/p) at p = 200).
#[test]
fn free_flow_reference_values() {
    let mut fp = FreeFlowParams::new(200, 200, Some(200), 0.5);
    fp.record = Record::Times(vec![0.0, 0.1, 0.5]);
    fp.seeds = 8;
    let r = free_flow(&fp).unwrap();
    let refs = [(1, 0.2114, 0.3855), (2, 0.03630, 0.1481)];
    for (k, tr, pop) in refs {
        let tol_t = 4.0 * r.train_sem[k] + 0.01 * tr;
        let tol_p = 4.0 * r.pop_sem[k] + 0.01 * pop;
        assert!(
            (r.train_mean[k] - tr).abs() < tol_t,
            "train tau={}: {} vs {tr}",
            r.t[k],
            r.train_mean[k]
        );
        assert!(
            (r.pop_mean[k] - pop).abs() < tol_p,
            "pop tau={}: {} vs {pop}",
            r.t[k],
            r.pop_mean[k]
        );
    }
    // tau = 0: both start at r(1 + r)/2 = 1 (+ O(1/p)).
    assert!((r.train_mean[0] - 1.0).abs() < 4.0 * r.train_sem[0] + 0.02);
}

/// THEORY section 8, F5: p = 2000, N = 20, q = 2, r = 0.25, l_tr(tau = 1) = 0.2157 +- 0.0007 by
/// an independent simulation (t = alpha tau = 0.01).
#[test]
fn small_data_reference_value() {
    let mut params = SimParams::new(2000, 500, 0.001, 0.01).with_n(Some(20));
    params.record = Record::Uniform(1);
    params.seeds = 8;
    let r = simulate(&params).unwrap();
    assert!(
        within(r.train_mean[1], r.train_sem[1], 0.2157, 0.0007, 4.0),
        "{} +- {}",
        r.train_mean[1],
        r.train_sem[1]
    );
}

/// Heavy: fast against physical mode at p = 300 (run with `cargo test --release -- --ignored`).
#[test]
#[ignore]
fn heavy_fast_and_physical_agree_p300() {
    for &(h, n) in &[
        (150usize, Some(600usize)),
        (100, Some(100)),
        (400, Some(150)),
    ] {
        let mut params = SimParams::new(300, h, 1.0 / 300.0, 1.0).with_n(n);
        params.record = Record::Uniform(4);
        params.seeds = 16;
        let fast = simulate(&params).unwrap();
        params.mode = Mode::Physical;
        params.seed = 50_000;
        let phys = simulate(&params).unwrap();
        assert_agree(&fast, &phys, &format!("300 {h} {n:?}"));
    }
}

/// Heavy: the F4 reference values at p = 400 with a tighter tolerance.
#[test]
#[ignore]
fn heavy_free_flow_reference_p400() {
    let mut fp = FreeFlowParams::new(400, 400, Some(400), 0.5);
    fp.record = Record::Times(vec![0.0, 0.1, 0.5]);
    fp.seeds = 8;
    let r = free_flow(&fp).unwrap();
    for (k, tr, pop) in [(1, 0.2114, 0.3855), (2, 0.03630, 0.1481)] {
        assert!(
            (r.train_mean[k] - tr).abs() < 4.0 * r.train_sem[k] + 0.004 * tr,
            "{}",
            r.train_mean[k]
        );
        assert!(
            (r.pop_mean[k] - pop).abs() < 4.0 * r.pop_sem[k] + 0.004 * pop,
            "{}",
            r.pop_mean[k]
        );
    }
}

/// THEORY section 2: the initial slope of the population loss,
/// c_1 = -4 m_1 + 8 m_2 - 4 m_3 with m_j = E tr(A^j) / p (real Wishart moments), from one tiny
/// Euler step per run, in both modes and for finite and infinite N.
#[test]
fn initial_pop_slope_matches_c1() {
    for &(p, h, n, sigma2) in &[
        (30usize, 12usize, Some(50usize), 0.03),
        (20, 30, Some(10), 0.02),
        (25, 10, None, 0.05),
    ] {
        let (pf, hf, s) = (p as f64, h as f64, sigma2);
        let m1 = s * hf;
        let m2 = s * s * hf * (hf + pf + 1.0);
        let m3 = s * s * s * hf * (hf * hf + pf * pf + 3.0 * hf * pf + 3.0 * hf + 3.0 * pf + 4.0);
        let c1 = -4.0 * m1 + 8.0 * m2 - 4.0 * m3;
        for mode in [Mode::Fast, Mode::Physical] {
            let dt = 1e-6;
            let mut params = SimParams::new(p, h, sigma2, dt).with_n(n);
            params.dt = Some(dt);
            params.record = Record::Uniform(1);
            params.seeds = 800;
            params.mode = mode;
            let r = simulate(&params).unwrap();
            let slopes: Vec<f64> = r.runs.iter().map(|c| (c.pop[1] - c.pop[0]) / dt).collect();
            let mean = slopes.iter().sum::<f64>() / slopes.len() as f64;
            let var =
                slopes.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (slopes.len() - 1) as f64;
            let sem = (var / slopes.len() as f64).sqrt();
            assert!(
                (mean - c1).abs() < 4.0 * sem + 1e-4 * c1.abs(),
                "{p} {h} {n:?} {mode:?}: {mean} +- {sem} vs {c1}"
            );
        }
    }
}
