//! High-statistics numerical free-face value at one (r, y, tau) (developer tool).
//! Usage: regimes_free_point R Y TAU SEEDS P1 P2 ...
use prism::regimes::curves::{free_numeric, FreeNumericOptions};
use std::time::Instant;

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let r: f64 = a[0].parse().unwrap();
    let y: f64 = a[1].parse().unwrap();
    let tau: f64 = a[2].parse().unwrap();
    let seeds: usize = a[3].parse().unwrap();
    let sizes: Vec<usize> = a[4..].iter().map(|s| s.parse().unwrap()).collect();
    let t = Instant::now();
    let f = free_numeric(
        r,
        y,
        &[tau],
        &FreeNumericOptions {
            sizes,
            seeds,
            seed: 1000,
        },
    )
    .unwrap();
    println!(
        "{:.1} s: train {:.6} +- {:.6}, pop {:.6} +- {:.6}, step check {:.1e}",
        t.elapsed().as_secs_f64(),
        f.train[0],
        f.train_err[0],
        f.pop[0],
        f.pop_err[0],
        f.step_check
    );
    for s in &f.per_size {
        println!(
            "  p={} H={} N={}: train {:?} +- {:?}; pop {:?} +- {:?}",
            s.p, s.h, s.n, s.train, s.train_sem, s.pop, s.pop_sem
        );
    }
}
