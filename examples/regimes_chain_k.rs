//! K-convergence of the small-data chain (developer tool). Usage: q r tau K1 K2 ...
use prism::regimes::small_data::small_data_chain_fixed;
use prism::regimes::OdeOptions;

fn main() {
    let a: Vec<f64> = std::env::args()
        .skip(1)
        .map(|s| s.parse().unwrap())
        .collect();
    let (q, r, tau) = (a[0], a[1], a[2]);
    for &k in &a[3..] {
        let (tr, pop) =
            small_data_chain_fixed(q, r, k as usize, &[tau], &OdeOptions::default()).unwrap();
        println!("K={k}: l_tr={:.15} pop={:.15}", tr[0], pop[0]);
    }
}
