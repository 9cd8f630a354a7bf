//! Benchmark of one Euler step: prism's fast and physical modes against a naive reference that
//! forms the p x p matrices A = W^T W, G = (I - A) S and W (G + G^T) at every step (as a
//! paper-style numpy script would), plus the machine's large-GEMM rate measured in the same run.
//!
//! Run: `cargo run --release --example bench_sim [-- --quick]`. Single-threaded throughout (the
//! ensembles parallelize across runs instead). Timings are noisy on a shared machine.

use std::time::Instant;

use ndarray::linalg::general_mat_mul;
use ndarray::Array2;
use prism::sim::spectrum::gaussian;
use prism::sim::{engine_for, Integrator, Mode, SimParams};
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

fn gemm_rate(n: usize) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let a = gaussian(n, n, 1.0, &mut rng);
    let b = gaussian(n, n, 1.0, &mut rng);
    let mut c = Array2::<f64>::zeros((n, n));
    let t = time_steps(|| general_mat_mul(1.0, &a, &b, 0.0, &mut c), 3, 3.0);
    2.0 * (n as f64).powi(3) / t / 1e9
}

/// The naive reference: S dense, every step A = W^T W, G = (I - A) S, V = W (G + G^T).
struct Naive {
    w: Array2<f64>,
    s: Array2<f64>,
    eye: Array2<f64>,
}

impl Naive {
    fn step(&mut self, dt: f64) {
        let a = self.w.t().dot(&self.w);
        let g = (&self.eye - &a).dot(&self.s);
        let b = &g + &g.t();
        let v = self.w.dot(&b);
        self.w.scaled_add(dt, &v);
    }
    fn flops(p: usize, h: usize) -> f64 {
        let (p, h) = (p as f64, h as f64);
        2.0 * p * p * h + 2.0 * p * p * p + 2.0 * h * p * p
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let budget = if quick { 1.0 } else { 4.0 };
    println!("prism bench_sim: time per Euler step (single thread, f64)");
    println!("note: the machine has 2 cores shared with other jobs; numbers are noisy.");
    let g1000 = gemm_rate(1000);
    let g2000 = if quick { g1000 } else { gemm_rate(2000) };
    let mut gemm = g1000.max(g2000);
    println!("large-GEMM rate (matrixmultiply dgemm, best of repeated calls): n=1000 {g1000:.1} GFLOP/s, n=2000 {g2000:.1} GFLOP/s");
    println!("(the rate is measured again at the end; %GEMM uses the larger value)\n");
    type Row = (usize, usize, Option<usize>, f64, f64, f64, f64, String);
    let mut rows: Vec<Row> = vec![];
    let points: [(usize, usize, Option<usize>); 4] = [
        (1000, 500, Some(2000)),
        (2000, 100, Some(4000)),
        (1000, 4000, Some(500)),
        (1000, 500, None),
    ];
    for &(p, h, n) in &points {
        let mut params = SimParams::new(p, h, 1.0 / p as f64, 1.0).with_n(n);
        params.integrator = Integrator::Euler;
        let dt = params.default_dt();
        // Fast mode.
        let mut eng = engine_for(&params, 0).expect("engine");
        let desc = eng.describe();
        let flops = eng.flops();
        let t_fast = time_steps(
            || {
                eng.step(Integrator::Euler, dt, false);
            },
            3,
            budget,
        );
        // Physical mode.
        params.mode = Mode::Physical;
        let mut peng = engine_for(&params, 0).expect("engine");
        let t_phys = time_steps(
            || {
                peng.step(Integrator::Euler, dt, false);
            },
            2,
            budget,
        );
        // Naive reference (the data are drawn as in the physical mode).
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let s = match n {
            Some(n) => {
                let x = gaussian(p, n, 1.0, &mut rng);
                x.dot(&x.t()) / n as f64
            }
            None => Array2::eye(p),
        };
        let mut naive = Naive {
            w: gaussian(h, p, (1.0 / p as f64).sqrt(), &mut rng),
            s,
            eye: Array2::eye(p),
        };
        let t_naive = time_steps(|| naive.step(dt), 2, budget);
        rows.push((p, h, n, t_naive, t_fast, t_phys, flops, desc));
    }
    let g_end = gemm_rate(1000);
    gemm = gemm.max(g_end);
    println!(
        "large-GEMM rate at the end: n=1000 {g_end:.1} GFLOP/s; reference rate {gemm:.1} GFLOP/s\n"
    );
    println!(
        "{:>18} | {:>10} {:>10} {:>10} | {:>9} {:>9} | {:>8} {:>8} | engine",
        "(p, H, N)", "naive s", "fast s", "phys s", "fast x", "phys x", "fast GF", "%GEMM"
    );
    for (p, h, n, t_naive, t_fast, t_phys, flops, desc) in rows {
        let gf = flops / t_fast / 1e9;
        let ngf = Naive::flops(p, h) / t_naive / 1e9;
        let label = format!(
            "({p}, {h}, {})",
            n.map_or("inf".to_string(), |n| n.to_string())
        );
        println!(
            "{:>18} | {:>10.3e} {:>10.3e} {:>10.3e} | {:>9.1} {:>9.1} | {:>8.1} {:>7.0}% | {}",
            label,
            t_naive,
            t_fast,
            t_phys,
            t_naive / t_fast,
            t_naive / t_phys,
            gf,
            100.0 * gf / gemm,
            desc
        );
        println!(
            "{:>18} | naive {:.2} GFLOP/step at {:.1} GFLOP/s ({:.0}% of GEMM); fast {:.3} GFLOP/step (flop ratio {:.1}x)",
            "",
            Naive::flops(p, h) / 1e9,
            ngf,
            100.0 * ngf / gemm,
            flops / 1e9,
            Naive::flops(p, h) / flops.max(1.0)
        );
    }
}
