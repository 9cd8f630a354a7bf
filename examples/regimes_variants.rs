//! Print where each deliberately wrong variant first fails (developer tool).
use prism::expansion::leading_coefficients;
use prism::polytope::Loss;
use prism::regimes::{confirm, variants};

fn main() {
    let tr = leading_coefficients(5, Loss::Train).unwrap();
    let pop = leading_coefficients(5, Loss::Pop).unwrap();
    for (name, v) in [
        ("F5 no integral", variants::small_data_without_integral(5)),
        ("F5 frozen M_perp", variants::small_data_frozen_m_perp(5)),
        ("F5 frozen A_perp", variants::small_data_frozen_a_perp(5)),
        ("E4 kappa 4-q", variants::small_narrow_wrong_kappa(5)),
        (
            "F3 phi for phi'",
            variants::narrow_latent_phi_for_phi_prime(5),
        ),
    ] {
        let rep = confirm(&v, &tr, &pop);
        for f in rep.failures().iter().take(2) {
            println!(
                "{name}: {:?} s={} limit={} | hierarchy={}",
                f.loss, f.s, f.limit, f.hierarchy
            );
        }
    }
}
