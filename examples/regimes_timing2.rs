//! Time the hierarchy's leading coefficients and the free-face series (developer tool).
use prism::expansion::leading_coefficients;
use prism::polytope::Loss;
use prism::regimes::{limit_series, Regime};
use std::time::Instant;

fn main() {
    for order in [8usize, 9, 10] {
        let t = Instant::now();
        let _ = leading_coefficients(order, Loss::Train).unwrap();
        let _ = leading_coefficients(order, Loss::Pop).unwrap();
        println!(
            "hierarchy order {order}: {:.3} s",
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        let _ = limit_series(Regime::Free, order).unwrap();
        println!(
            "free face series order {order}: {:.3} s",
            t.elapsed().as_secs_f64()
        );
    }
}
