//! Quadrature for Marchenko-Pastur and semicircle expectations (THEORY section 6).
//!
//! Every spectral average in the limit formulas is reduced to a semicircle average through the
//! identity `lam MP_y(d lam) = SC(1 + y, 2 sqrt y)(d lam)` (THEORY 5.0), which holds with the atom
//! of MP_y at 0 included (lam kills it):
//!
//! ```text
//! E_{MP_y}[f(lam)] = f(0) + E_{SC(1+y, 2 sqrt y)}[ (f(lam) - f(0)) / lam ].
//! ```
//!
//! So the atom is handled exactly and separately (it is the `f(0)` term), and only smooth
//! integrands against a semicircle remain. With `lam = c + R cos(theta)` the semicircle average is
//!
//! ```text
//! E_{SC(c,R)}[g] = (2/pi) int_0^pi g(c + R cos theta) sin^2(theta) d theta,
//! ```
//!
//! and the trapezoid rule in theta with `M` intervals is the Gauss-Chebyshev rule of the second
//! kind with `M - 1` nodes: exact for polynomials of degree `2M - 3` and exponentially convergent
//! for integrands analytic near the support. The rule is applied with `M = 32, 64, 128, ...`
//! (nested: each doubling reuses the previous nodes) until two successive values agree to the
//! tolerance; the finer value is returned. Cost: `O(M)` integrand evaluations for the final `M`.
//! To avoid cancellation at the left edge (where lam can be 0 when y = 1) the node is computed as
//! `lam = (c - R) + 2 R cos^2(theta / 2)`.

use thiserror::Error;

/// Default relative tolerance of the spectral averages.
pub const DEFAULT_TOL: f64 = 1e-14;

/// Largest number of trapezoid intervals tried before giving up.
pub const MAX_INTERVALS: usize = 1 << 20;

/// A quadrature that did not reach its tolerance.
#[derive(Debug, Error, Clone, PartialEq)]
#[error("quadrature did not converge with {intervals} intervals (last change {change:e}, tolerance {tol:e})")]
pub struct QuadError {
    /// Intervals used at the last attempt.
    pub intervals: usize,
    /// The last difference between successive refinements.
    pub change: f64,
    /// The tolerance asked for.
    pub tol: f64,
}

/// The semicircle law `SC(c, R)` on `[c - R, c + R]`, stored as its left edge `lo = c - R` and
/// radius `R` (so the left edge is exact even when it is 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Semicircle {
    /// Left edge `c - R`.
    pub lo: f64,
    /// Radius `R >= 0`.
    pub rad: f64,
}

impl Semicircle {
    /// `SC(1 + y, 2 sqrt y)`, the law `lam MP_y(d lam)`: left edge `(1 - sqrt y)^2`.
    pub fn of_mp(y: f64) -> Self {
        let s = y.sqrt();
        Semicircle {
            lo: (1.0 - s) * (1.0 - s),
            rad: 2.0 * s,
        }
    }

    /// The node `lam(theta) = lo + 2 R cos^2(theta/2)`.
    #[inline]
    pub fn node(&self, theta: f64) -> f64 {
        let c = (0.5 * theta).cos();
        self.lo + 2.0 * self.rad * c * c
    }

    /// `E_{SC}[g]` for several integrands at once (`g(lam, out)` writes `out[0..n]`), each to
    /// relative tolerance `tol` (absolute below magnitude 1).
    pub fn expect_n(
        &self,
        n: usize,
        tol: f64,
        mut g: impl FnMut(f64, &mut [f64]),
    ) -> Result<Vec<f64>, QuadError> {
        let mut buf = vec![0.0; n];
        if self.rad == 0.0 {
            g(self.lo, &mut buf);
            return Ok(buf);
        }
        // sums[i] = sum over nodes of sin^2(theta) g_i(lam(theta)), theta = k pi / m, 0 < k < m.
        let mut m = 32usize;
        let mut sums = vec![0.0; n];
        for k in 1..m {
            let th = std::f64::consts::PI * k as f64 / m as f64;
            let w = th.sin().powi(2);
            g(self.node(th), &mut buf);
            for (s, b) in sums.iter_mut().zip(&buf) {
                *s += w * b;
            }
        }
        let mut prev: Vec<f64> = sums.iter().map(|s| 2.0 * s / m as f64).collect();
        loop {
            let m2 = 2 * m;
            for k in (1..m2).step_by(2) {
                let th = std::f64::consts::PI * k as f64 / m2 as f64;
                let w = th.sin().powi(2);
                g(self.node(th), &mut buf);
                for (s, b) in sums.iter_mut().zip(&buf) {
                    *s += w * b;
                }
            }
            let cur: Vec<f64> = sums.iter().map(|s| 2.0 * s / m2 as f64).collect();
            let mut change: f64 = 0.0;
            let mut ok = true;
            for (c, p) in cur.iter().zip(&prev) {
                let d = (c - p).abs();
                if !d.is_finite() {
                    ok = false;
                    change = f64::INFINITY;
                    break;
                }
                change = change.max(d);
                if d > tol * c.abs().max(1.0) {
                    ok = false;
                }
            }
            if ok {
                return Ok(cur);
            }
            if m2 >= MAX_INTERVALS || !change.is_finite() {
                return Err(QuadError {
                    intervals: m2,
                    change,
                    tol,
                });
            }
            prev = cur;
            m = m2;
        }
    }

    /// `E_{SC}[g]` for one integrand.
    pub fn expect(&self, tol: f64, mut g: impl FnMut(f64) -> f64) -> Result<f64, QuadError> {
        Ok(self.expect_n(1, tol, |l, out| out[0] = g(l))?[0])
    }
}

/// `E_{MP_y}[f]` through `f(0) + E_{SC(1+y,2 sqrt y)}[(f(lam) - f(0))/lam]` (atom included).
/// Use it only when `f(lam) - f(0)` has no cancellation problem near the left edge; the limit
/// code passes `(f(lam) - f(0))/lam` in closed form where possible.
pub fn mp_expect(y: f64, tol: f64, mut f: impl FnMut(f64) -> f64) -> Result<f64, QuadError> {
    let f0 = f(0.0);
    let sc = Semicircle::of_mp(y);
    Ok(f0 + sc.expect(tol, |l| if l == 0.0 { 0.0 } else { (f(l) - f0) / l })?)
}

/// Real Narayana moment `E_{MP_y} lam^m = sum_{i=1}^m N(m, i) y^(i-1)` in floating point.
pub fn mp_moment_f64(m: u32, y: f64) -> f64 {
    if m == 0 {
        return 1.0;
    }
    let mut sum = 0.0;
    for i in 1..=m {
        sum += narayana_f64(m, i) * y.powi(i as i32 - 1);
    }
    sum
}

fn narayana_f64(m: u32, i: u32) -> f64 {
    binom_f64(m, i) * binom_f64(m, i - 1) / m as f64
}

fn binom_f64(n: u32, k: u32) -> f64 {
    let mut b = 1.0;
    for t in 0..k {
        b = b * (n - t) as f64 / (t + 1) as f64;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicircle_mass_and_moments() {
        for &y in &[0.0, 0.3, 1.0, 2.5] {
            let sc = Semicircle::of_mp(y);
            let one = sc.expect(1e-15, |_| 1.0).unwrap();
            assert!((one - 1.0).abs() < 1e-14, "mass {one}");
            // E_MP lam^(m+1) = E_SC lam^m.
            for m in 0..8u32 {
                let v = sc.expect(1e-15, |l| l.powi(m as i32)).unwrap();
                let exact = mp_moment_f64(m + 1, y);
                assert!((v - exact).abs() < 1e-12 * exact.max(1.0), "y={y} m={m}");
            }
        }
    }

    #[test]
    fn mp_expectation_with_atom() {
        // y = 3: atom of mass 2/3 at 0. E[1{lam = 0}] cannot be written, but E[e^{-lam}]
        // can be compared with its moment series.
        for &y in &[0.5, 1.0, 3.0] {
            let v = mp_expect(y, 1e-15, |l| (-0.7 * l).exp()).unwrap();
            let mut series = 0.0;
            let mut fact = 1.0;
            for m in 0..60u32 {
                if m > 0 {
                    fact *= m as f64;
                }
                series += mp_moment_f64(m, y) * (-0.7f64).powi(m as i32) / fact;
            }
            assert!((v - series).abs() < 1e-12, "y={y}: {v} vs {series}");
        }
    }

    #[test]
    fn reports_non_convergence() {
        let sc = Semicircle { lo: 0.0, rad: 1.0 };
        // 1/lam^2 is not integrable at the left edge with weight sin^2: refinement never settles.
        let e = sc.expect(1e-15, |l| 1.0 / (l * l)).unwrap_err();
        assert!(e.intervals >= 64);
    }
}
