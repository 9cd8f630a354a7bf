//! F5, small-data (alpha -> 0): one data direction on the semicircle Jacobi chain
//! (numerics in [`crate::regimes::small_data`], exact series in [`crate::regimes::exact`]).

use super::prelude::*;

/// F5, `small-data` ([`Regime::SmallData`]).
#[derive(Clone, Copy, Debug)]
pub struct SmallData;

impl Face for SmallData {
    fn regime(&self) -> Regime {
        Regime::SmallData
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> 0 with q, r finite",
            summary: "F5, one data direction on the semicircle Jacobi chain (a, g, A_perp); l_tr is O(1) in tau = t/alpha and l_pop changes at O(alpha).",
            words: "One data direction on the semicircle Jacobi chain: a' = 4a(1-a) - 2|g|^2, g' = (2 - 3a) g - A_perp g, A_perp' = -2 g g^T (a(0) = q r, A_perp(0) = Jacobi(q(1+r), q sqrt r), g(0) = q sqrt(r) e_1). l_tr = (1/2)[(1-a)^2 + |g|^2]; Delta l_pop/alpha = (1/2)[(1-a)^2 - (1-qr)^2] + (|g|^2 - q^2 r) + 2 int_0^tau (|g|^2 - g^T A_perp g). No closed form (equivalently a Riccati equation for the spectral measure of u).",
            latex: r"\ell_{tr}=\tfrac12\big[(1-a)^2+|g|^2\big],\ \frac{\Delta\ell_{pop}}{\alpha}=\tfrac12\big[(1-a)^2-(1-qr)^2\big]+|g|^2-q^2r+2\!\int_0^\tau\!(|g|^2-g^\top A_\perp g),\ a'=4a(1-a)-2|g|^2,\ g'=(2-3a)g-A_\perp g,\ A_\perp'=-2gg^\top",
            derivation: "\
alpha -> 0, tau = t/alpha: alpha S -> P, the projector on the N-dimensional data span, and the N
data directions decouple (other columns act at O(N/H)). For one direction u, with a = u^T A u,
g = (I - uu^T) A u and A_perp the compression of A to u-perp:
a' = 4a(1-a) - 2|g|^2,  g' = (2 - 3a) g - A_perp g,  A_perp' = -2 g g^T.
A_perp cannot be frozen: the rank-2 update column v makes acts on v itself at O(1).
The spectral measure of g(0) w.r.t. A_perp(0) is q^2 r SC(q(1+r), 2q sqrt r), whose orthogonal
polynomials are Chebyshev-U, so the Lanczos form is exact: A_perp(0) is the Jacobi matrix with
diagonal q(1+r) and off-diagonal q sqrt r, g(0) = q sqrt(r) e_1. Truncating at K sites is exact
through order 2K-1 in tau; prism picks K from the horizon and checks it by doubling.
Equivalent: the Riccati equation dPhi/dtau = -4z(z-1)Phi^2 + (6z - 4 + 2a)Phi - 2 for
Phi(z) = u^T (z - A)^{-1} u, a = lim z(z Phi - 1) (used as a cross-check). No closed form.
Hierarchy side: l = s (train), l = s - 1 (pop; its series starts at s = 1). Correction O(alpha).",
        }
    }

    fn curve(
        &self,
        k: &[f64],
        times: &[f64],
        opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let mut cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            let (q, r) = (k[0], k[1]);
            let mut sites = 0;
            let mut diff = 0.0;
            let out = on_sorted(times, |ts| {
                let c = small_data::small_data_chain(
                    q,
                    r,
                    ts,
                    &opts.ode,
                    opts.chain_tol,
                    opts.max_sites,
                )?;
                sites = c.sites;
                diff = c.difference;
                Ok((c.train, c.pop))
            })?;
            cv.method = CurveMethod::JacobiChain {
                sites,
                difference: diff,
            };
            if r < 1.0 && q * (1.0 - r.sqrt()).powi(2) > 2.0 {
                cv.notes.push("q (1 - sqrt r)^2 > 2 with r < 1: the collapse corner of THEORY 5.3b; the finite-size approach is slow here".into());
            }
            out
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok(small_data_chain_series(len, ChainKind::F5))
    }
}
