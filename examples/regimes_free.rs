//! Numerical free-face limit at r = alpha = 1 against THEORY section 8 (developer tool).
use prism::regimes::curves::{free_numeric, FreeNumericOptions};
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|s| s.parse().ok())
        .collect();
    let seeds = args.first().copied().unwrap_or(8);
    let sizes = if args.len() > 1 {
        args[1..].to_vec()
    } else {
        vec![100, 200, 400]
    };
    let t = Instant::now();
    let o = FreeNumericOptions {
        sizes,
        seeds,
        seed: 0,
    };
    let f = free_numeric(1.0, 1.0, &[0.0, 0.1, 0.5], &o).unwrap();
    println!("{:.3} s", t.elapsed().as_secs_f64());
    for i in 0..3 {
        println!(
            "tau {}: train {:.6} +- {:.6}  pop {:.6} +- {:.6}",
            [0.0, 0.1, 0.5][i],
            f.train[i],
            f.train_err[i],
            f.pop[i],
            f.pop_err[i]
        );
    }
    for s in &f.per_size {
        println!(
            "p={} H={} N={}: train {:?} pop {:?} sem {:?}",
            s.p, s.h, s.n, s.train, s.pop, s.train_sem
        );
    }
    println!("step check {:e}", f.step_check);
}
