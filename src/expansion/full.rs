//! The full coefficients `c_s = E[L^(s)(0)] / p` in raw monomials (all g).

use super::wick::{expectation, Progress};
use super::word::doubled_derivatives;
use super::ExpansionError;
use crate::poly::Poly;
use crate::polytope::Loss;
use num_bigint::BigInt;
use num_rational::BigRational;

/// Variable order of the full polynomials: `p^A H^B sigma2^C N^E` (E <= 0).
pub const FULL_VARS: [&str; 4] = ["p", "H", "sigma2", "N"];

/// `c_0, ..., c_{max_order}` exactly, each a [`Poly`] in (p, H, sigma2, N) (see
/// [`FULL_VARS`]; N appears with exponents <= 0). Words from [`super::word`], expectation by
/// the Wick engine [`super::wick`] (cost in its docs). `progress(s, level, states)` is called
/// before each level of each order.
pub fn full_coefficients(
    max_order: usize,
    loss: Loss,
    progress: Option<&(dyn Fn(usize, usize, usize) + Sync)>,
) -> Result<Vec<Poly>, ExpansionError> {
    super::estimate::check_full(max_order)?;
    let derivs = doubled_derivatives(max_order, loss)?;
    let mut out = Vec::with_capacity(derivs.len());
    for (s, comb) in derivs.iter().enumerate() {
        let cb = progress.map(|p| move |a: usize, n: usize| p(s, a, n));
        let pr: Option<Progress<'_>> = cb.as_ref().map(|f| f as Progress<'_>);
        let raw = expectation(comb, pr)?;
        let mut poly = Poly::zero(&super::full_vars());
        for (k, v) in raw {
            // c_s = E[2 L^(s)] / (2 p)
            poly.add_term(
                vec![k[0] - 1, k[1], k[2], k[3]],
                BigRational::new(v, BigInt::from(2)),
            );
        }
        out.push(poly);
    }
    Ok(out)
}

/// One order only (cheaper than [`full_coefficients`] when lower orders are not needed).
pub fn full_coefficient(
    s: usize,
    loss: Loss,
    progress: Option<Progress<'_>>,
) -> Result<Poly, ExpansionError> {
    super::estimate::check_full(s)?;
    let derivs = doubled_derivatives(s, loss)?;
    let raw = expectation(&derivs[s], progress)?;
    let mut poly = Poly::zero(&super::full_vars());
    for (k, v) in raw {
        poly.add_term(
            vec![k[0] - 1, k[1], k[2], k[3]],
            BigRational::new(v, BigInt::from(2)),
        );
    }
    Ok(poly)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::{frac, rat};

    fn mono(c: BigRational, e: [i32; 4]) -> Poly {
        Poly::monomial(&crate::expansion::full_vars(), e.to_vec(), c)
    }

    #[test]
    fn c0_both_losses() {
        // c_0 = 1/2 - sigma2 H + 1/2 sigma2^2 H (H + p + 1)
        let mut want = mono(frac(1, 2), [0, 0, 0, 0]);
        want.add_term(vec![0, 1, 1, 0], rat(-1));
        want.add_term(vec![0, 2, 2, 0], frac(1, 2));
        want.add_term(vec![1, 1, 2, 0], frac(1, 2));
        want.add_term(vec![0, 1, 2, 0], frac(1, 2));
        for loss in [Loss::Train, Loss::Pop] {
            assert_eq!(full_coefficient(0, loss, None).unwrap(), want, "{loss:?}");
        }
    }

    #[test]
    fn pop_c1_from_wishart_moments() {
        // c_1 = -4 m1 + 8 m2 - 4 m3, m_j = E tr A^j / p
        let s = |e: [i32; 4], c: i64| mono(rat(c), e);
        let m1 = s([0, 1, 1, 0], 1);
        let m2 = s([0, 2, 2, 0], 1)
            .add(&s([1, 1, 2, 0], 1))
            .add(&s([0, 1, 2, 0], 1));
        let m3 = [
            ([0, 3, 3, 0], 1),
            ([2, 1, 3, 0], 1),
            ([1, 2, 3, 0], 3),
            ([0, 2, 3, 0], 3),
            ([1, 1, 3, 0], 3),
            ([0, 1, 3, 0], 4),
        ]
        .iter()
        .fold(
            Poly::zero(&crate::expansion::full_vars()),
            |acc, &(e, c)| acc.add(&s(e, c)),
        );
        let want = m1
            .scale(&rat(-4))
            .add(&m2.scale(&rat(8)))
            .add(&m3.scale(&rat(-4)));
        assert_eq!(full_coefficient(1, Loss::Pop, None).unwrap(), want);
    }

    #[test]
    fn train_term_counts() {
        // THEORY section 3: 5, 26, 90, 230 terms (train, s = 0..3)
        let c = full_coefficients(3, Loss::Train, None).unwrap();
        let n: Vec<usize> = c.iter().map(|p| p.len()).collect();
        assert_eq!(n, vec![5, 26, 90, 230]);
    }
}
