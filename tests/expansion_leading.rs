//! The free-probability leading part against limits derived by hand (THEORY 5.2-5.3 at s <= 8).

use num_rational::BigRational;
use num_traits::{One, Zero};
use prism::expansion::{leading_coefficients, leading_vars};
use prism::poly::{frac, rat, Poly, Vars};
use prism::polytope::Loss;

fn factorial(n: usize) -> BigRational {
    (1..=n).fold(BigRational::one(), |a, k| a * rat(k as i64))
}

/// Taylor coefficients (in t) of m(t), dm/dt = 4 m (1 - m), m(0) = c, as polynomials in c.
fn logistic_series(order: usize) -> Vec<Poly> {
    let c = Vars::new(["c"]);
    let mut m = vec![Poly::var(&c, "c")];
    for n in 0..order {
        let mut sq = Poly::zero(&c);
        for i in 0..=n {
            sq.add_assign(&m[i].mul(&m[n - i]));
        }
        m.push(m[n].sub(&sq).scale(&frac(4, (n + 1) as i64)));
    }
    m
}

#[test]
fn large_data_mean_field_edge_e2() {
    // E2: l = (1/2)(1 - m_{4t}(c))^2, c = q r: the monomials with k = j and l = 0.
    let order = 8;
    let m = logistic_series(order);
    // (1 - m)^2 / 2 = 1/2 - m + m^2/2, Taylor coefficient n times n! is c_n.
    for loss in [Loss::Train, Loss::Pop] {
        let lead = leading_coefficients(order, loss).unwrap();
        for n in 0..=order {
            let mut e = m[n].scale(&rat(-1));
            for i in 0..=n {
                e.add_assign(&m[i].mul(&m[n - i]).scale(&frac(1, 2)));
            }
            if n == 0 {
                e.add_term(vec![0], frac(1, 2));
            }
            let e = e.scale(&factorial(n));
            let p = &lead[n];
            let k = |x: &[i32]| p.exponent(x, "r");
            let j = |x: &[i32]| p.exponent(x, "q");
            let l = |x: &[i32]| p.exponent(x, "y");
            // k = j, l = 0, then c = q r.
            let got = p.filter(|x| k(x) == j(x) && l(x) == 0).change_vars(
                &Vars::new(["c"]),
                &[("r", &[("c", 1)]), ("q", &[]), ("y", &[])],
            );
            assert_eq!(got, e, "{loss:?} order {n}");
        }
    }
}

#[test]
fn free_face_first_derivatives() {
    // F4 (THEORY 5.2): d(l_pop/q^2)/dtau = -4 r (1 + 3r + r^2),
    // d(l_tr/q^2)/dtau = -4 r (1 + 3r + r^2) - r (1 + 6r + 4r^2) y: the j = 3 part of c_1.
    let tr = leading_coefficients(1, Loss::Train).unwrap();
    let pop = leading_coefficients(1, Loss::Pop).unwrap();
    let mut want_pop = Poly::zero(&leading_vars());
    for (k, c) in [(1, -4), (2, -12), (3, -4)] {
        want_pop.add_term(vec![k, 3, 0], rat(c));
    }
    let mut want_tr = want_pop.clone();
    for (k, c) in [(1, -1), (2, -6), (3, -4)] {
        want_tr.add_term(vec![k, 3, 1], rat(c));
    }
    let j3 = |p: &Poly| p.filter(|x| p.exponent(x, "q") == 3);
    assert_eq!(j3(&pop[1]), want_pop);
    assert_eq!(j3(&tr[1]), want_tr);
}

#[test]
fn support_law_and_sign_rule_to_order_9() {
    let lead = leading_coefficients(9, Loss::Train).unwrap();
    let pop = leading_coefficients(9, Loss::Pop).unwrap();
    for (s, (t, p)) in lead.iter().zip(&pop).enumerate() {
        let s = s as i32;
        for (poly, lmax) in [(t, s), (p, if s == 0 { 0 } else { s - 1 })] {
            let mut n = 0;
            for (e, c) in poly.terms() {
                if e == &vec![0, 0, 0] {
                    continue;
                }
                let (k, j, l) = (e[0], e[1], e[2]);
                assert!(
                    1 <= k && k <= j && j <= s + 2 && 0 <= l && l <= lmax,
                    "{e:?}"
                );
                assert_eq!(c > &BigRational::zero(), j % 2 == 0, "sign at {e:?}");
                n += 1;
            }
            let full = ((s + 2) * (s + 3) / 2 * (lmax + 1)) as usize;
            assert_eq!(n, full, "order {s}");
        }
    }
}
