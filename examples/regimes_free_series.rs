//! Partial sums of the exact free-face series at r = y = 1 (developer tool).
use prism::polytope::Loss;
use prism::regimes::{limit_series, Regime};

fn main() {
    let order: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let r: f64 = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let y: f64 = std::env::args()
        .nth(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let s = limit_series(Regime::Free, order).unwrap();
    for loss in [Loss::Train, Loss::Pop] {
        let c: Vec<f64> = s.coeffs(loss).iter().map(|p| p.eval_f64(&[r, y])).collect();
        println!("{loss:?} c_s: {c:?}");
        for &tau in &[0.02, 0.05, 0.1] {
            let mut sum = 0.0;
            let mut term = 1.0;
            let mut parts = Vec::new();
            for (k, ck) in c.iter().enumerate() {
                if k > 0 {
                    term *= tau / k as f64;
                }
                sum += ck * term;
                parts.push(format!("{sum:.7}"));
            }
            println!("  tau {tau}: {}", parts.join(" "));
        }
    }
}
