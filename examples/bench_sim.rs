//! Benchmark of one Euler step: prism's fast and physical modes against the naive numpy step
//! timed in the same run, plus the Rust naive step and the GEMM rate.
//!
//! The naive numpy step is the physical gradient step in the original basis, with numpy's own
//! (multithreaded) BLAS: S = X X^T / N formed once, then per step
//! `A = W.T @ W; G = (I - A) @ S; W += dt * W @ (G + G.T)` (B = (I - A) S + S (I - A) = G + G^T).
//! It is run with `python3 -c ...`; without numpy the ratios are skipped (say `pip install numpy`).
//!
//! Run: `cargo run --release --example bench_sim [-- --quick] [-- --threads K]`; with
//! `-- --adaptive`, the adaptive-vs-RK4 step table instead. prism uses all
//! threads of rayon's pool for one run (fixed blocks: bit-identical whatever the thread count);
//! `--threads K` sets the pool size. Also timed: the same step on a 1-thread pool, and an
//! ensemble (runs in parallel, each run parallel) against the sum of its runs, to show that
//! nesting does not oversubscribe. Timings are noisy on a shared machine: minima are reported.

use std::process::Command;
use std::time::Instant;

use ndarray::linalg::general_mat_mul;
use ndarray::Array2;
use prism::sim::spectrum::gaussian;
use prism::sim::{engine_for, plan, simulate, Integrator, Mode, Record, SimParams};
use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;

/// Fastest of the timed calls (after one warm-up): on a shared machine the minimum is the least
/// disturbed measurement.
fn time_steps(mut f: impl FnMut(), min_reps: usize, budget_s: f64) -> f64 {
    f();
    let mut ts = vec![];
    let start = Instant::now();
    while ts.len() < min_reps || (start.elapsed().as_secs_f64() < budget_s && ts.len() < 200) {
        let t0 = Instant::now();
        f();
        ts.push(t0.elapsed().as_secs_f64());
    }
    ts.iter().copied().fold(f64::INFINITY, f64::min)
}

fn gemm_rate(n: usize, budget: f64) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let a = gaussian(n, n, 1.0, &mut rng);
    let b = gaussian(n, n, 1.0, &mut rng);
    let mut c = Array2::<f64>::zeros((n, n));
    let t = time_steps(|| general_mat_mul(1.0, &a, &b, 0.0, &mut c), 3, budget);
    2.0 * (n as f64).powi(3) / t / 1e9
}

/// prism's parallel GEMM (fixed blocks over rayon).
fn par_gemm_rate(n: usize, budget: f64) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let a = gaussian(n, n, 1.0, &mut rng);
    let b = gaussian(n, n, 1.0, &mut rng);
    let mut c = Array2::<f64>::zeros((n, n));
    let t = time_steps(
        || prism::sim::linalg::gemm(1.0, a.view(), b.view(), 0.0, c.view_mut()),
        3,
        budget,
    );
    2.0 * (n as f64).powi(3) / t / 1e9
}

const NUMPY_STEP: &str = r#"
import sys, time
import numpy as np
p, h, n, budget = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
rng = np.random.default_rng(0)
if n == "inf":
    S = np.eye(p)
else:
    X = rng.standard_normal((p, int(n)))
    S = X @ X.T / int(n)
W = rng.standard_normal((h, p)) / np.sqrt(p)
I = np.eye(p)
dt = 1e-3
def step(W):
    A = W.T @ W
    G = (I - A) @ S
    return W + dt * (W @ (G + G.T))
W = step(W)
ts = []
t_start = time.perf_counter()
while len(ts) < 2 or (time.perf_counter() - t_start < budget and len(ts) < 100):
    t0 = time.perf_counter()
    W = step(W)
    ts.append(time.perf_counter() - t0)
print(min(ts))
"#;

/// Seconds per naive numpy step, or why it could not be timed.
fn numpy_step(p: usize, h: usize, n: Option<usize>, budget: f64) -> Result<f64, String> {
    let n = n.map_or("inf".to_string(), |n| n.to_string());
    let out = Command::new("python3")
        .args([
            "-c",
            NUMPY_STEP,
            &p.to_string(),
            &h.to_string(),
            &n,
            &budget.to_string(),
        ])
        .output()
        .map_err(|e| format!("python3 not runnable: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(if err.contains("No module named 'numpy'") {
            "numpy is missing (pip install numpy)".into()
        } else {
            format!("python3 failed: {}", err.lines().last().unwrap_or(""))
        });
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse::<f64>()
        .map_err(|e| format!("unreadable numpy timing: {e}"))
}

/// Seconds per Euler step of `params`' engine (run 0).
fn engine_step(params: &SimParams, budget: f64) -> f64 {
    let mut eng = engine_for(params, 0).expect("engine");
    let dt = params.default_dt();
    time_steps(
        || {
            eng.step(Integrator::Euler, dt, false);
        },
        3,
        budget,
    )
}

fn pool(k: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(k)
        .build()
        .expect("thread pool")
}

/// `--adaptive`: steps and wall time of the adaptive pair (default tolerance) against the
/// fixed-step RK4 that `check` used before it (dt = 2.5 x the old default 0.01 / max(1, q, qr,
/// 1/alpha)), and the accuracy of both against RK4 at a 4x smaller step (same seeds).
fn adaptive_table() {
    println!("adaptive Dormand-Prince 5(4) vs fixed-step RK4 (p = 200, H = 100, t_max = 10, 20 records, 2 seeds)");
    println!(
        "{:>22} | {:>9} {:>9} {:>8} | {:>9} {:>9} | {:>9} {:>9} | engine",
        "case", "adapt st", "rejected", "adapt s", "RK4 st", "RK4 s", "err adapt", "err RK4"
    );
    let (p, h) = (200usize, 100usize);
    for &(q, n, mode) in &[
        (0.5, None, Mode::Physical),
        (4.0, None, Mode::Physical),
        (16.0, None, Mode::Physical),
        (0.5, Some(100usize), Mode::Fast),
        (4.0, Some(100), Mode::Fast),
        (16.0, Some(100), Mode::Fast),
        (4.0, Some(400), Mode::Fast),
        (16.0, Some(400), Mode::Fast),
    ] {
        let mut params = SimParams::new(p, h, q / p as f64, 10.0).with_n(n);
        params.mode = mode;
        params.record = Record::Uniform(20);
        params.seeds = 2;
        params.integrator = Integrator::Adaptive;
        let t0 = Instant::now();
        let a = simulate(&params).expect("adaptive");
        let ta = t0.elapsed().as_secs_f64();
        let old_default = 0.01 / 1f64.max(q).max(q * params.r()).max(params.inv_alpha());
        params.integrator = Integrator::Rk4;
        params.dt = Some(2.5 * old_default);
        let t0 = Instant::now();
        let b = simulate(&params).expect("rk4");
        let tb = t0.elapsed().as_secs_f64();
        params.dt = Some(2.5 * old_default / 4.0);
        let fine = simulate(&params).expect("fine rk4");
        let gap = |x: &[f64], y: &[f64]| {
            x.iter()
                .zip(y)
                .map(|(u, v)| (u - v).abs() / v.abs().max(1e-12))
                .fold(0.0, f64::max)
        };
        let ea = gap(&a.train_mean, &fine.train_mean).max(gap(&a.pop_mean, &fine.pop_mean));
        let eb = gap(&b.train_mean, &fine.train_mean).max(gap(&b.pop_mean, &fine.pop_mean));
        let label = format!(
            "q={q} N={} {}",
            n.map_or("inf".into(), |n| n.to_string()),
            if mode == Mode::Fast { "fast" } else { "phys" }
        );
        println!(
            "{label:>22} | {:>9} {:>9} {:>8.3} | {:>9} {:>9.3} | {:>9.1e} {:>9.1e} | {} (tol {:.1e})",
            a.info.steps,
            a.info.rejected_steps,
            ta,
            b.info.steps,
            tb,
            ea,
            eb,
            a.info.engine,
            a.info.tol.unwrap_or(0.0)
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--adaptive") {
        adaptive_table();
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let threads = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let budget: f64 = if quick { 1.0 } else { 3.0 };
    let all = pool(threads);
    let one = pool(1);
    println!("prism bench_sim: seconds per Euler step (f64); prism on {threads} thread(s), numpy with its default threads");
    println!("note: the machine is shared with other jobs; numbers are noisy (minima of repeated steps).");
    let g1 = gemm_rate(1000, budget.min(2.0));
    let gk1 = one.install(|| par_gemm_rate(1000, budget.min(2.0)));
    let gp = all.install(|| par_gemm_rate(1000, budget.min(2.0)));
    println!(
        "GEMM n=1000: matrixmultiply 1 thread {g1:.1} GFLOP/s; prism ({}) 1 thread {gk1:.1}, {threads} threads {gp:.1} GFLOP/s\n",
        match prism::sim::kernel::isa() {
            Some(isa) => format!("{isa:?} kernel"),
            None => "matrixmultiply blocks".into(),
        }
    );
    let points: &[(usize, usize, Option<usize>)] = if quick {
        &[(1000, 500, Some(2000)), (2000, 100, Some(4000))]
    } else if args.iter().any(|a| a == "--targets") {
        &[(1000, 500, Some(2000)), (2000, 100, Some(4000))]
    } else {
        &[
            (1000, 500, Some(2000)),
            (2000, 100, Some(4000)),
            (1000, 4000, Some(500)),
            (1000, 200, Some(300)),
            (1000, 500, None),
        ]
    };
    println!(
        "{:>18} | {:>10} | {:>10} {:>10} {:>10} | {:>8} {:>8} | {:>8} | engine",
        "(p, H, N)", "numpy s", "fast s", "fast 1t s", "phys s", "fast x", "phys x", "fast GF"
    );
    // Targets of issue 9: fast-mode step against the naive numpy step.
    let targets = [
        ((1000usize, 500usize, Some(2000usize)), 2.0),
        ((2000, 100, Some(4000)), 50.0),
    ];
    let mut target_lines = vec![];
    for &(p, h, n) in points {
        let mut params = SimParams::new(p, h, 1.0 / p as f64, 1.0).with_n(n);
        params.integrator = Integrator::Euler;
        let pl = plan(&params).expect("plan");
        let t_fast = all.install(|| engine_step(&params, budget));
        let t_fast1 = one.install(|| engine_step(&params, budget));
        params.mode = Mode::Physical;
        let t_phys = all.install(|| engine_step(&params, budget));
        let label = format!(
            "({p}, {h}, {})",
            n.map_or("inf".to_string(), |n| n.to_string())
        );
        let (np_s, fx, px) = match numpy_step(p, h, n, budget) {
            Ok(t) => {
                if let Some((_, goal)) = targets.iter().find(|(pt, _)| *pt == (p, h, n)) {
                    target_lines.push(format!(
                        "  {label}: fast step {:.1}x faster than numpy (target >= {goal}): {}",
                        t / t_fast,
                        if t / t_fast >= *goal {
                            "met"
                        } else {
                            "NOT met"
                        }
                    ));
                }
                (
                    format!("{t:>10.3e}"),
                    format!("{:>8.1}", t / t_fast),
                    format!("{:>8.1}", t / t_phys),
                )
            }
            Err(why) => {
                println!("  (numpy ratio skipped: {why})");
                (
                    format!("{:>10}", "-"),
                    format!("{:>8}", "-"),
                    format!("{:>8}", "-"),
                )
            }
        };
        println!(
            "{label:>18} | {np_s} | {t_fast:>10.3e} {t_fast1:>10.3e} {t_phys:>10.3e} | {fx} {px} | {:>8.1} | {}",
            pl.flops_per_eval / t_fast / 1e9,
            pl.describe()
        );
    }
    if !target_lines.is_empty() {
        println!("\ntargets (numpy step / prism fast step, same run):");
        for l in &target_lines {
            println!("{l}");
        }
    }
    // Nested parallelism: an ensemble of R runs (runs in parallel, each run parallel) against R
    // times one run, both on the full pool.
    let mut params = SimParams::new(1000, 500, 1.0 / 1000.0, 0.02).with_n(Some(2000));
    params.record = Record::Uniform(1);
    params.dt = Some(0.01);
    params.seeds = 1;
    let t1 = all.install(|| {
        let t0 = Instant::now();
        simulate(&params).expect("run");
        t0.elapsed().as_secs_f64()
    });
    params.seeds = 4;
    let t4 = all.install(|| {
        let t0 = Instant::now();
        simulate(&params).expect("run");
        t0.elapsed().as_secs_f64()
    });
    println!(
        "\nnested parallelism at (1000, 500, 2000), 2 Euler steps per run: 1 run {t1:.3} s, 4 runs {t4:.3} s ({:.2} x one run; 4.0 = no loss from nesting)",
        t4 / t1
    );
}
