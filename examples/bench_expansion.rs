//! Per-order timings of the exact expansion (full Wick path and free-probability leading path),
//! both losses, with the peak resident memory (VmHWM) after each order.
//!
//! Usage: `cargo run --release --example bench_expansion -- [MAX_FULL] [MAX_LEADING]`
//! (defaults 8 and 12). Each order is computed on its own (not cumulatively), so the times are
//! per order.

use prism::expansion::{full_coefficient, leading_coefficients};
use prism::polytope::Loss;
use std::time::Instant;

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "n/a".to_string())
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let max_full = args.first().copied().unwrap_or(8);
    let max_lead = args.get(1).copied().unwrap_or(12);
    println!("threads: {}", rayon::current_num_threads());
    println!("path     order  loss   seconds   terms   peak RSS so far");
    for s in 0..=max_full {
        for loss in [Loss::Train, Loss::Pop] {
            let t = Instant::now();
            match full_coefficient(s, loss, None) {
                Ok(c) => println!(
                    "full     {s:>5}  {:<5} {:>8.3}  {:>6}   {}",
                    loss.name(),
                    t.elapsed().as_secs_f64(),
                    c.len(),
                    vm_hwm()
                ),
                Err(e) => println!("full     {s:>5}  {:<5} error: {e}", loss.name()),
            }
        }
    }
    for s in 0..=max_lead {
        for loss in [Loss::Train, Loss::Pop] {
            let t = Instant::now();
            match leading_coefficients(s, loss) {
                Ok(c) => println!(
                    "leading  {s:>5}  {:<5} {:>8.3}  {:>6}   {}",
                    loss.name(),
                    t.elapsed().as_secs_f64(),
                    c[s].len(),
                    vm_hwm()
                ),
                Err(e) => println!("leading  {s:>5}  {:<5} error: {e}", loss.name()),
            }
        }
    }
}
