//! Time the exact limit series of every face (developer tool).
use prism::regimes::{limit_series, Regime};
use std::time::Instant;

fn main() {
    let order: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    for r in Regime::ALL {
        if r == Regime::Proportional || (r == Regime::Free && order > 7) {
            continue;
        }
        let t = Instant::now();
        let s = limit_series(r, order).unwrap();
        let terms: usize = s.train.iter().chain(&s.pop).map(|p| p.len()).sum();
        println!(
            "{:<40} order {order}: {:>8.3} s, {terms} terms",
            r.name(),
            t.elapsed().as_secs_f64()
        );
    }
}
