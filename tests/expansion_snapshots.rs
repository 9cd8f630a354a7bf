//! Snapshots of the exact polynomials (s <= 4, both losses) and of the leading polynomials
//! (s <= 8, both losses).

use prism::expansion::{full_coefficients, leading_coefficients, FULL_VARS};
use prism::poly::{Poly, PolyFormat};
use prism::polytope::Loss;

fn render(polys: &[Poly], names: &[&str]) -> String {
    polys
        .iter()
        .enumerate()
        .map(|(s, p)| {
            format!(
                "c_{s} ({} terms) = {}\n",
                p.len(),
                p.format(names, PolyFormat::Text)
            )
        })
        .collect()
}

#[test]
fn exact_polynomials_to_order_4() {
    for loss in [Loss::Train, Loss::Pop] {
        let c = full_coefficients(4, loss, None).unwrap();
        insta::assert_snapshot!(format!("full_{}", loss.name()), render(&c, &FULL_VARS));
    }
}

#[test]
fn leading_polynomials_to_order_8() {
    for loss in [Loss::Train, Loss::Pop] {
        let c = leading_coefficients(8, loss).unwrap();
        insta::assert_snapshot!(
            format!("leading_{}", loss.name()),
            render(&c, &["r", "q", "y"])
        );
    }
}
