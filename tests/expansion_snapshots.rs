//! Snapshots of the exact polynomials (s <= 4, both losses) and of the leading polynomials
//! (s <= 8, both losses).

use prism::expansion::{full_coefficients, full_vars, leading_coefficients, leading_vars};
use prism::poly::{Poly, PolyFormat, Vars};
use prism::polytope::Loss;

fn render(polys: &[Poly], vars: &Vars) -> String {
    polys
        .iter()
        .enumerate()
        .map(|(s, p)| {
            format!(
                "c_{s} ({} terms) = {}\n",
                p.len(),
                p.reorder(vars).format(PolyFormat::Text)
            )
        })
        .collect()
}

#[test]
fn exact_polynomials_to_order_4() {
    for loss in [Loss::Train, Loss::Pop] {
        let c = full_coefficients(4, loss, None).unwrap();
        insta::assert_snapshot!(format!("full_{}", loss.name()), render(&c, &full_vars()));
    }
}

#[test]
fn leading_polynomials_to_order_8() {
    for loss in [Loss::Train, Loss::Pop] {
        let c = leading_coefficients(8, loss).unwrap();
        insta::assert_snapshot!(
            format!("leading_{}", loss.name()),
            render(&c, &leading_vars())
        );
    }
}
