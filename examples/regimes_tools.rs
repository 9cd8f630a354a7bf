//! Developer tools for the regimes module (not part of the test suite).
//!
//! * `cargo run --release --example regimes_tools -- timing [ORDER]`: time the exact limit series
//!   of every face and the hierarchy at ORDER.
//! * `... -- free R Y TAU SEEDS P1 P2 ...`: a high-statistics numerical free-face value (reduced
//!   flow at sizes P1, P2, ..., extrapolated in 1/p), with the per-size means.
//! * `... -- chain Q R TAU K1 K2 ...`: the small-data chain at fixed numbers of sites.
use prism::expansion::leading_coefficients;
use prism::polytope::Loss;
use prism::regimes::curves::{free_numeric, FreeNumericOptions};
use prism::regimes::small_data::small_data_chain_fixed;
use prism::regimes::{limit_series, OdeOptions, Regime};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| -> f64 { args[i].parse().expect("a number") };
    match args.first().map(String::as_str) {
        Some("timing") => {
            let order: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(8);
            let t = Instant::now();
            leading_coefficients(order, Loss::Train).unwrap();
            leading_coefficients(order, Loss::Pop).unwrap();
            println!("hierarchy (both losses) order {order}: {:.3} s", t.elapsed().as_secs_f64());
            for r in Regime::ALL {
                let t = Instant::now();
                let s = limit_series(r, order).unwrap();
                let terms: usize = s.train.iter().chain(&s.pop).map(|p| p.len()).sum();
                println!(
                    "{:<40} {:>8.3} s, {terms} terms",
                    r.name(),
                    t.elapsed().as_secs_f64()
                );
            }
        }
        Some("free") => {
            let (r, y, tau) = (num(1), num(2), num(3));
            let seeds = num(4) as usize;
            let sizes: Vec<usize> = (5..args.len()).map(|i| num(i) as usize).collect();
            let t = Instant::now();
            let o = FreeNumericOptions {
                sizes,
                seeds,
                seed: 1000,
            };
            let f = free_numeric(r, y, &[tau], &o).unwrap();
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
        Some("chain") => {
            let (q, r, tau) = (num(1), num(2), num(3));
            for i in 4..args.len() {
                let k = num(i) as usize;
                let (tr, pop) =
                    small_data_chain_fixed(q, r, k, &[tau], &OdeOptions::default()).unwrap();
                println!("K={k}: l_tr={:.15} pop={:.15}", tr[0], pop[0]);
            }
        }
        _ => eprintln!("usage: regimes_tools timing [ORDER] | free R Y TAU SEEDS P1 P2 ... | chain Q R TAU K1 K2 ..."),
    }
}
