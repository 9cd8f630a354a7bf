//! Deterministic equivalents of a sample covariance with a population spectrum (THEORY 9.5).
//!
//! Data `x ~ N(0, Sigma)`, `S = Sigma^{1/2} Z Z^T Sigma^{1/2} / N`, `y = p/N`, with the spectral
//! law `mu_Sigma` normalized to mean 1 (the exact scale identity `L(t; c Sigma) = c L(c t;
//! Sigma)` of THEORY 9.1 maps any mean to 1; [`Deq::new`] returns the factor `c`).
//!
//! * The Stieltjes transform `m(z) = phi((S - z)^{-1})` of `mu_S = mu_Sigma boxtimes MP_y` solves
//!   the Marchenko-Pastur / Silverstein equation, written for m so that it holds uniformly in
//!   `y >= 0` (no division by y):
//!
//!   ```text
//!   m = Int dmu_Sigma(tau) / (tau w - z),    w = 1 - y - y z m.
//!   ```
//!
//!   The companion transform is `mb = y m - (1 - y)/z`; substituting gives Silverstein's
//!   `z = -1/mb + y Int tau dmu_Sigma/(1 + tau mb)`.
//! * Ledoit-Peche: `Theta(z) = phi(Sigma (S - z)^{-1}) = (1 + z m)/(1 - y - y z m)` is the
//!   Stieltjes transform of `nu(d lam) = lim (1/p) sum_i (u_i^T Sigma u_i) delta_{lam_i}`; for
//!   `y > 1`, nu has the atom `1/(y mb(0))` at 0 ([`Deq::nu_atom_at_zero`]).
//! * Integrals (`Int h dmu_S`, `Int h dnu`) by the Cauchy formula on an ellipse `z(theta) =
//!   x0 + A cos theta + i B sin theta` that encloses the support and crosses the real axis
//!   outside it ([`Deq::integrate`]):
//!
//!   ```text
//!   Int h dmu_S = -(1/(2 pi i)) oint h(z) m(z) dz = -(2/n) sum_{upper nodes} Im[h(z_j) m(z_j) z'(theta_j)]
//!   ```
//!
//!   (the trapezoid rule on the closed curve, with conjugate symmetry; exponentially convergent
//!   for h analytic inside a neighbourhood of the ellipse, [`Analytic`]). The rule is refined
//!   `n = 64, 128, ...` until two levels agree to the tolerance. Atoms, including those of
//!   `mu_S` and `nu` at 0 when `y > 1`, are enclosed and so included exactly.
//! * `y = 0` (N = inf): `mu_S = mu_Sigma` and `nu = tau mu_Sigma`; integrals are direct sums
//!   over the law's (discretized) points.
//!
//! Continuous laws are discretized by Gauss-Legendre rules: `uniform(a, b)` on `[a, b]`;
//! `powerlaw(a)` through `tau = (1 - a) u^{-a}`, `u = v^K` (K the denominator of a, so
//! `u^a = v^{K a}` is a polynomial in v), which makes the Silverstein integrand analytic in v.
//! The discretization error is exponentially small in the number of nodes for integrands
//! analytic near the support; the tests measure it by doubling the rule. A power law has an
//! unbounded support: it is evaluated here only at `y = 0` (direct integrals); with finite N
//! its contour would have to be unbounded ([`DeqError::Unbounded`]).

use super::super::quad::QuadError;
use crate::spec::{SpectrumError, SpectrumLaw};
use num_complex::Complex64 as C;
use num_traits::ToPrimitive;

/// Why a deterministic equivalent cannot be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeqError {
    /// The law is invalid or unread.
    #[error(transparent)]
    Spectrum(#[from] SpectrumError),
    /// Unbounded support with finite N (no enclosing contour).
    #[error("{law} has an unbounded support: its deterministic equivalent is evaluated only at N = inf (alpha = inf) here")]
    Unbounded {
        /// The law.
        law: String,
    },
    /// The Silverstein equation did not converge at a node.
    #[error("the Silverstein equation did not converge at z = {re} + {im} i")]
    NoConvergence {
        /// Re z.
        re: f64,
        /// Im z.
        im: f64,
    },
    /// The integrand is singular on the support.
    #[error("the integrand is singular at {at}, inside the support [{lo}, {hi}] of mu_S")]
    SingularOnSupport {
        /// Where.
        at: f64,
        /// Support.
        lo: f64,
        /// Support.
        hi: f64,
    },
    /// The contour rule did not converge.
    #[error("contour integral: {0}")]
    Quadrature(#[from] QuadError),
}

/// Where the integrand h is analytic: the open strip `|Im z| < strip` intersected with
/// `Re z > left` (use `f64::INFINITY` / `f64::NEG_INFINITY` for an entire function).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Analytic {
    /// Half-width of the strip.
    pub strip: f64,
    /// Left boundary.
    pub left: f64,
}

impl Analytic {
    /// An entire integrand.
    pub const ENTIRE: Analytic = Analytic {
        strip: f64::INFINITY,
        left: f64::NEG_INFINITY,
    };
}

/// Options of the evaluators.
#[derive(Clone, Copy, Debug)]
pub struct DeqOptions {
    /// Gauss-Legendre nodes that discretize a continuous law.
    pub law_nodes: usize,
    /// Largest number of contour nodes (full ellipse) before giving up.
    pub max_nodes: usize,
    /// Scale of the contour's margins around the support (1 by default; the accuracy tests
    /// compare contours of different shapes, whose results must agree).
    pub shape: f64,
}

impl Default for DeqOptions {
    fn default() -> Self {
        DeqOptions {
            law_nodes: 256,
            max_nodes: 1 << 16,
            shape: 1.0,
        }
    }
}

/// Gauss-Legendre nodes and weights on [0, 1] (Newton on the Legendre recurrence).
pub fn gauss_legendre01(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    for i in 0..n.div_ceil(2) {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0, z);
            for k in 2..=n {
                let p2 = ((2 * k - 1) as f64 * z * p1 - (k - 1) as f64 * p0) / k as f64;
                p0 = p1;
                p1 = p2;
            }
            let pn = if n == 1 { z } else { p1 };
            let pm = if n == 1 { 1.0 } else { p0 };
            dp = n as f64 * (z * pn - pm) / (z * z - 1.0);
            let dz = pn / dp;
            z -= dz;
            if dz.abs() < 1e-16 {
                break;
            }
        }
        let wt = 2.0 / ((1.0 - z * z) * dp * dp);
        x[i] = 0.5 * (1.0 - z);
        x[n - 1 - i] = 0.5 * (1.0 + z);
        w[i] = 0.5 * wt;
        w[n - 1 - i] = 0.5 * wt;
    }
    (x, w)
}

/// A spectral law as weighted points (exact for atoms, a quadrature rule otherwise), at mean 1.
#[derive(Clone, Debug, PartialEq)]
pub struct PointLaw {
    /// Points tau_i (>= 0).
    pub tau: Vec<f64>,
    /// Weights (sum 1).
    pub w: Vec<f64>,
    /// Bounded support `[min, max]` (None for a power law).
    pub support: Option<(f64, f64)>,
    /// Whether the points are the law itself (atoms) rather than a quadrature rule.
    pub exact: bool,
}

impl PointLaw {
    /// The points of a law at mean 1 (`law` must already be normalized), with `n` Gauss-Legendre
    /// nodes for a continuous law.
    pub fn of(law: &SpectrumLaw, n: usize) -> Result<PointLaw, DeqError> {
        let f = crate::poly::rat_to_f64;
        Ok(match law {
            SpectrumLaw::Identity => PointLaw {
                tau: vec![1.0],
                w: vec![1.0],
                support: Some((1.0, 1.0)),
                exact: true,
            },
            SpectrumLaw::Atoms(a) => PointLaw {
                tau: a.iter().map(|(v, _)| f(v)).collect(),
                w: a.iter().map(|(_, w)| f(w)).collect(),
                support: Some((f(&a[0].0), f(&a[a.len() - 1].0))),
                exact: true,
            },
            SpectrumLaw::Empirical { values, .. } => {
                let k = values.len() as f64;
                PointLaw {
                    tau: values.iter().map(f).collect(),
                    w: vec![1.0 / k; values.len()],
                    support: Some((f(&values[0]), f(&values[values.len() - 1]))),
                    exact: true,
                }
            }
            SpectrumLaw::Uniform { a, b } => {
                let (a, b) = (f(a), f(b));
                let (x, w) = gauss_legendre01(n);
                PointLaw {
                    tau: x.iter().map(|u| a + (b - a) * u).collect(),
                    w,
                    support: Some((a, b)),
                    exact: false,
                }
            }
            SpectrumLaw::PowerLaw { a } => {
                let k = a.denom().to_u32().filter(|&k| k <= 64).unwrap_or(64) as i32;
                let af = f(a);
                let (x, w) = gauss_legendre01(n);
                PointLaw {
                    tau: x
                        .iter()
                        .map(|v| (1.0 - af) * v.powi(k).powf(-af))
                        .collect(),
                    w: x
                        .iter()
                        .zip(&w)
                        .map(|(v, wi)| wi * k as f64 * v.powi(k - 1))
                        .collect(),
                    support: None,
                    exact: false,
                }
            }
            SpectrumLaw::File { path } => {
                return Err(SpectrumError::Unresolved { path: path.clone() }.into())
            }
        })
    }
}

/// The deterministic equivalents of `mu_S` and `nu` for one law (mean 1) and one `y`.
#[derive(Clone, Debug)]
pub struct Deq {
    /// The law's points.
    pub law: PointLaw,
    /// `y = p/N`.
    pub y: f64,
    /// `[lo, hi]`, the outer edges of the support of `mu_S` (0 when `y >= 1`); at `y = 0` the
    /// support of the law.
    pub support: (f64, f64),
    /// Options.
    pub opts: DeqOptions,
}

/// One node of the contour: z, z'(theta), m(z), Theta(z).
#[derive(Clone, Copy, Debug)]
struct Node {
    z: C,
    dz: C,
    m: C,
    theta: C,
}

/// The contour, its nodes precomputed per refinement level (reused for many integrands).
#[derive(Clone, Debug)]
pub struct Contour {
    levels: Vec<Vec<Node>>,
    /// Number of nodes of the full ellipse at level 0.
    n0: usize,
    /// Crossing points of the real axis, `(x_left, x_right)`, and the semi-minor axis.
    pub shape: (f64, f64, f64),
}

impl Deq {
    /// The deterministic equivalent for `law` at `y`. Returns it and the factor `c = m_1` of the
    /// normalization (THEORY 9.1).
    pub fn new(law: &SpectrumLaw, y: f64, opts: DeqOptions) -> Result<(Deq, f64), DeqError> {
        let (norm, c) = law.normalized()?;
        let pl = PointLaw::of(&norm, opts.law_nodes)?;
        if pl.support.is_none() && y > 0.0 {
            return Err(DeqError::Unbounded {
                law: law.to_string(),
            });
        }
        let (smin, smax) = pl.support.unwrap_or((0.0, f64::INFINITY));
        let mut d = Deq {
            law: pl,
            y,
            support: (smin, smax),
            opts,
        };
        if y > 0.0 {
            d.support = d.edges();
        }
        Ok((d, crate::poly::rat_to_f64(&c)))
    }

    /// Silverstein's inverse `x(b) = -1/b + y Int tau/(1 + tau b) dmu_Sigma` for real b.
    fn x_of(&self, b: f64) -> f64 {
        -1.0 / b
            + self.y
                * self
                    .law
                    .tau
                    .iter()
                    .zip(&self.law.w)
                    .map(|(t, w)| w * t / (1.0 + t * b))
                    .sum::<f64>()
    }

    /// The outer edges of the support of `mu_S` (Silverstein-Choi: outside the support, x(b) is
    /// increasing): the right edge is `min x(b)` over `b in (-1/tau_max, 0)`; for `y < 1` and
    /// `tau_min > 0` the left edge is `max x(b)` over `b < -1/tau_min`, else 0 (an atom or a
    /// touching edge). Found by a log-spaced scan and golden-section refinement; the result is
    /// widened by 1e-9 relative.
    fn edges(&self) -> (f64, f64) {
        let tmax = self.law.tau.iter().cloned().fold(0.0, f64::max);
        let tmin = self.law.tau.iter().cloned().fold(f64::INFINITY, f64::min);
        // b = -s/tmax, s in (0, 1): minimize x.
        let hi = self.extremum(|s| self.x_of(-s / tmax), 1e-12, 1.0 - 1e-12, false);
        let lo = if self.y < 1.0 && tmin > 0.0 {
            // b = -1/(tmin s), s in (0, 1): maximize x.
            self.extremum(|s| self.x_of(-1.0 / (tmin * s)), 1e-12, 1.0 - 1e-12, true)
                .max(0.0)
        } else {
            0.0
        };
        (lo * (1.0 - 1e-9), hi * (1.0 + 1e-9))
    }

    fn extremum(&self, f: impl Fn(f64) -> f64, a: f64, b: f64, max: bool) -> f64 {
        let g = |s: f64| if max { -f(s) } else { f(s) };
        // scan on a log grid of (s) and of (1 - s)
        let n = 400;
        let mut best = (f64::INFINITY, a);
        for i in 0..=n {
            let u = i as f64 / n as f64;
            for s in [a * (b / a).powf(u), 1.0 - (1.0 - a) * ((1.0 - b) / (1.0 - a)).powf(u)] {
                let v = g(s);
                if v < best.0 {
                    best = (v, s);
                }
            }
        }
        // golden section around the best point
        let (mut l, mut r) = ((best.1 * 0.9).max(a), (best.1 + 0.1 * (1.0 - best.1)).min(b));
        let phi = 0.5 * (5f64.sqrt() - 1.0);
        for _ in 0..200 {
            let m1 = r - phi * (r - l);
            let m2 = l + phi * (r - l);
            if g(m1) < g(m2) {
                r = m2;
            } else {
                l = m1;
            }
        }
        let v = g(0.5 * (l + r)).min(best.0);
        if max {
            -v
        } else {
            v
        }
    }

    /// `(F(m), F'(m))` of `F(m) = m - Int dmu/(tau w - z)`, `w = 1 - y - y z m`.
    fn residual(&self, z: C, m: C) -> (C, C) {
        let w = C::new(1.0 - self.y, 0.0) - self.y * z * m;
        let mut i1 = C::new(0.0, 0.0);
        let mut i2 = C::new(0.0, 0.0);
        for (t, wt) in self.law.tau.iter().zip(&self.law.w) {
            let d = 1.0 / (t * w - z);
            i1 += wt * d;
            i2 += wt * t * d * d;
        }
        (m - i1, C::new(1.0, 0.0) - self.y * z * i2)
    }

    /// Solve for `m(z)` (Im z != 0) by Newton from `guess`, falling back to the fixed-point
    /// iteration (a contraction in the upper half plane) from `-1/z`.
    fn solve(&self, z: C, guess: Option<C>) -> Result<C, DeqError> {
        let upper = z.im > 0.0;
        let ok = |m: C| m.is_finite() && (m.im > 0.0) == upper;
        if let Some(g) = guess {
            let mut m = g;
            for _ in 0..60 {
                let (f, df) = self.residual(z, m);
                let step = f / df;
                m -= step;
                if !m.is_finite() {
                    break;
                }
                if step.norm() <= 1e-15 * m.norm().max(1e-300) {
                    if ok(m) {
                        return Ok(m);
                    }
                    break;
                }
            }
        }
        // Silverstein's fixed point for the companion transform, mb = 1/(-z + y Int tau/(1 + tau mb))
        // (a contraction of the upper half plane), then Newton on the m form.
        let mut mb = -1.0 / z;
        for _ in 0..100_000 {
            let mut g = C::new(0.0, 0.0);
            for (t, wt) in self.law.tau.iter().zip(&self.law.w) {
                g += wt * t / (1.0 + t * mb);
            }
            let next = 1.0 / (-z + self.y * g);
            let done = (next - mb).norm() <= 1e-12 * next.norm();
            mb = next;
            if done {
                break;
            }
        }
        let mut m = (mb + (1.0 - self.y) / z) / self.y;
        for _ in 0..60 {
            let (f, df) = self.residual(z, m);
            let step = f / df;
            m -= step;
            if step.norm() <= 1e-15 * m.norm() {
                break;
            }
        }
        let (f, _) = self.residual(z, m);
        if ok(m) && f.norm() <= 1e-12 * m.norm().max(1.0) {
            Ok(m)
        } else {
            Err(DeqError::NoConvergence { re: z.re, im: z.im })
        }
    }

    /// `m(z) = phi((S - z)^{-1})`, Im z != 0.
    pub fn m(&self, z: C) -> Result<C, DeqError> {
        self.solve(z, None)
    }

    /// The companion transform `mb(z) = y m - (1 - y)/z`.
    pub fn mb(&self, z: C) -> Result<C, DeqError> {
        Ok(self.y * self.m(z)? - (1.0 - self.y) / z)
    }

    /// Ledoit-Peche `Theta(z) = (1 + z m)/(1 - y - y z m)`.
    pub fn theta(&self, z: C) -> Result<C, DeqError> {
        let m = self.m(z)?;
        Ok(theta_of(self.y, z, m))
    }

    /// The atom of `mu_S` at 0: `1 - 1/y` for `y > 1`, else 0.
    pub fn mu_atom_at_zero(&self) -> f64 {
        if self.y > 1.0 {
            1.0 - 1.0 / self.y
        } else {
            0.0
        }
    }

    /// The atom of nu at 0: `1/(y mb(0))` for `y > 1` (0 otherwise), with `mb(0) > 0` the root of
    /// `y Int tau b/(1 + tau b) dmu_Sigma = 1` (Silverstein at z = 0), found by bisection.
    pub fn nu_atom_at_zero(&self) -> f64 {
        if self.y <= 1.0 {
            return 0.0;
        }
        let f = |b: f64| {
            self.y
                * self
                    .law
                    .tau
                    .iter()
                    .zip(&self.law.w)
                    .map(|(t, w)| w * t * b / (1.0 + t * b))
                    .sum::<f64>()
                - 1.0
        };
        let (mut lo, mut hi) = (0.0, 1.0);
        while f(hi) < 0.0 {
            hi *= 2.0;
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if f(mid) < 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        1.0 / (self.y * 0.5 * (lo + hi))
    }

    /// The contour for integrands analytic in `region`: an ellipse crossing the real axis at
    /// `x_L < lo` and `x_R > hi`, with semi-minor axis inside the strip.
    pub fn contour(&self, region: Analytic) -> Result<Contour, DeqError> {
        let (lo, hi) = self.support;
        let width = (hi - lo).max(1e-3);
        let delta = (0.05 * width + 0.02) * self.opts.shape;
        let mut xl = lo - delta;
        if region.left >= lo {
            return Err(DeqError::SingularOnSupport {
                at: region.left,
                lo,
                hi,
            });
        }
        if xl <= region.left {
            xl = 0.5 * (lo + region.left);
        }
        let xr = hi + delta;
        let half = 0.5 * (xr - xl);
        let b = ((0.5 * half + 0.1) * self.opts.shape).min(0.5 * region.strip);
        Ok(Contour {
            levels: Vec::new(),
            n0: 64,
            shape: (xl, xr, b),
        })
    }

    fn level_nodes(&self, c: &Contour, n: usize) -> Result<Vec<Node>, DeqError> {
        let (xl, xr, b) = c.shape;
        let x0 = 0.5 * (xl + xr);
        let a = 0.5 * (xr - xl);
        // Upper-half nodes theta_j = 2 pi (j + 1/2)/n, j < n/2; solved from the top outwards.
        let half = n / 2;
        let th = |j: usize| 2.0 * std::f64::consts::PI * (j as f64 + 0.5) / n as f64;
        let mut out = vec![
            Node {
                z: C::new(0.0, 0.0),
                dz: C::new(0.0, 0.0),
                m: C::new(0.0, 0.0),
                theta: C::new(0.0, 0.0),
            };
            half
        ];
        let top = half / 2;
        let mut solve_at = |j: usize, guess: Option<C>| -> Result<C, DeqError> {
            let t = th(j);
            let z = C::new(x0 + a * t.cos(), b * t.sin());
            let dz = C::new(-a * t.sin(), b * t.cos());
            let m = self.solve(z, guess)?;
            out[j] = Node {
                z,
                dz,
                m,
                theta: theta_of(self.y, z, m),
            };
            Ok(m)
        };
        let mtop = solve_at(top, None)?;
        let mut g = mtop;
        for j in (0..top).rev() {
            g = solve_at(j, Some(g))?;
        }
        g = mtop;
        for j in top + 1..half {
            g = solve_at(j, Some(g))?;
        }
        Ok(out)
    }

    /// `(Int f_i dmu_S, Int f_i dnu)` for `k` integrands `f(z, out)` analytic in `region`, each
    /// to relative tolerance `tol` (absolute below magnitude 1). Uses (and extends) the cached
    /// levels of `contour`.
    pub fn integrate(
        &self,
        contour: &mut Contour,
        k: usize,
        tol: f64,
        mut f: impl FnMut(C, &mut [C]),
    ) -> Result<(Vec<f64>, Vec<f64>), DeqError> {
        let mut buf = vec![C::new(0.0, 0.0); k];
        if self.y == 0.0 {
            let mut s = vec![0.0; k];
            let mut nu = vec![0.0; k];
            for (t, w) in self.law.tau.iter().zip(&self.law.w) {
                f(C::new(*t, 0.0), &mut buf);
                for i in 0..k {
                    s[i] += w * buf[i].re;
                    nu[i] += w * t * buf[i].re;
                }
            }
            return Ok((s, nu));
        }
        let mut prev: Option<Vec<f64>> = None;
        let mut last_change = f64::INFINITY;
        let mut level = 0;
        loop {
            let n = contour.n0 << level;
            if n > self.opts.max_nodes {
                return Err(QuadError {
                    intervals: n / 2,
                    change: last_change,
                    tol,
                }
                .into());
            }
            if contour.levels.len() <= level {
                let nodes = self.level_nodes(contour, n)?;
                contour.levels.push(nodes);
            }
            let mut acc = vec![0.0; 2 * k];
            let mut abs = vec![0.0; 2 * k];
            for nd in &contour.levels[level] {
                f(nd.z, &mut buf);
                for i in 0..k {
                    let a = buf[i] * nd.m * nd.dz;
                    let b = buf[i] * nd.theta * nd.dz;
                    acc[i] += a.im;
                    acc[k + i] += b.im;
                    abs[i] += a.norm();
                    abs[k + i] += b.norm();
                }
            }
            let cur: Vec<f64> = acc.iter().map(|v| -2.0 * v / n as f64).collect();
            // Rounding floor of the sum: 64 eps times the sum of the magnitudes of its terms.
            let floor: Vec<f64> = abs
                .iter()
                .map(|v| 64.0 * f64::EPSILON * 2.0 * v / n as f64)
                .collect();
            if let Some(p) = &prev {
                let mut good = true;
                let mut change: f64 = 0.0;
                for ((c, q), fl) in cur.iter().zip(p).zip(&floor) {
                    let d = (c - q).abs();
                    change = change.max(d);
                    if !(d <= (tol * c.abs().max(1.0)).max(*fl)) {
                        good = false;
                    }
                }
                if good {
                    return Ok((cur[..k].to_vec(), cur[k..].to_vec()));
                }
                last_change = change;
                if !change.is_finite() {
                    return Err(QuadError {
                        intervals: n / 2,
                        change,
                        tol,
                    }
                    .into());
                }
            }
            prev = Some(cur);
            level += 1;
        }
    }
}

/// `Theta = (1 + z m)/(1 - y - y z m)`.
fn theta_of(y: f64, z: C, m: C) -> C {
    (1.0 + z * m) / (C::new(1.0 - y, 0.0) - y * z * m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::frac;

    fn two_level() -> SpectrumLaw {
        SpectrumLaw::atoms(vec![(frac(1, 2), frac(1, 2)), (frac(3, 2), frac(1, 2))]).unwrap()
    }

    #[test]
    fn gauss_legendre_exact_for_polynomials() {
        let (x, w) = gauss_legendre01(10);
        for k in 0..20 {
            let v: f64 = x.iter().zip(&w).map(|(x, w)| w * x.powi(k)).sum();
            assert!((v - 1.0 / (k as f64 + 1.0)).abs() < 1e-14, "{k} {v}");
        }
    }

    #[test]
    fn identity_is_marchenko_pastur() {
        // Moments of mu_S = MP_y: 1, 1 + y, 1 + 3y + y^2; nu = mu_S for Sigma = I.
        for y in [0.3, 1.0, 2.5] {
            let (d, c) = Deq::new(&SpectrumLaw::Identity, y, DeqOptions::default()).unwrap();
            assert_eq!(c, 1.0);
            let mut ct = d.contour(Analytic::ENTIRE).unwrap();
            let (s, nu) = d
                .integrate(&mut ct, 4, 1e-14, |z, o| {
                    o[0] = C::new(1.0, 0.0);
                    o[1] = z;
                    o[2] = z * z;
                    o[3] = z * z * z;
                })
                .unwrap();
            let want = [1.0, 1.0, 1.0 + y, 1.0 + 3.0 * y + y * y];
            for i in 0..4 {
                assert!((s[i] - want[i]).abs() < 1e-12, "y={y} {i} {}", s[i]);
                assert!((nu[i] - want[i]).abs() < 1e-12, "y={y} {i} {}", nu[i]);
            }
        }
    }

    #[test]
    fn free_moments_of_a_two_level_law() {
        // THEORY 9.2: phi(S^2) = m2 + y, phi(Sigma S) = m2 (nu's first moment),
        // phi(S^3) = m3 + 3 y m2 + y^2, phi(Sigma S^2) = m3 + y m2.
        let (m2, m3) = (1.25, 1.75);
        for y in [0.5, 2.0] {
            let (d, _) = Deq::new(&two_level(), y, DeqOptions::default()).unwrap();
            let mut ct = d.contour(Analytic::ENTIRE).unwrap();
            let (s, nu) = d
                .integrate(&mut ct, 4, 1e-14, |z, o| {
                    o[0] = C::new(1.0, 0.0);
                    o[1] = z;
                    o[2] = z * z;
                    o[3] = z * z * z;
                })
                .unwrap();
            assert!((s[2] - (m2 + y)).abs() < 1e-12);
            assert!((s[3] - (m3 + 3.0 * y * m2 + y * y)).abs() < 1e-12);
            assert!((nu[0] - 1.0).abs() < 1e-12);
            assert!((nu[1] - m2).abs() < 1e-12);
            assert!((nu[2] - (m3 + y * m2)).abs() < 1e-12);
            // Silverstein's equation in its companion form at an off-axis point.
            let z = C::new(0.7, 0.3);
            let mb = d.mb(z).unwrap();
            let rhs = -1.0 / mb
                + y * d
                    .law
                    .tau
                    .iter()
                    .zip(&d.law.w)
                    .map(|(t, w)| w * t / (1.0 + t * mb))
                    .sum::<C>();
            assert!((rhs - z).norm() < 1e-12);
        }
    }

    #[test]
    fn nu_atom_at_zero_is_enclosed() {
        // y > 1: Int 1{lam = 0} ... check nu's total mass is m1 = 1 and its atom is 1/(y mb(0)).
        // For Sigma = I, nu = MP_y, atom 1 - 1/y.
        let (d, _) = Deq::new(&SpectrumLaw::Identity, 2.0, DeqOptions::default()).unwrap();
        assert!((d.nu_atom_at_zero() - 0.5).abs() < 1e-12);
        let (d, _) = Deq::new(&two_level(), 4.0, DeqOptions::default()).unwrap();
        let a = d.nu_atom_at_zero();
        // nu({0}) = lim_{z -> 0} (-z Theta(z)), mu_S({0}) = lim (-z m(z)).
        let z = C::new(0.0, 1e-4);
        let th = d.theta(z).unwrap();
        assert!(((-z * th).re - a).abs() < 1e-3, "{} {a}", -z * th);
        assert!(((-z * d.m(z).unwrap()).re - 0.75).abs() < 1e-3);
        // total masses through the contour: mu_S 1, nu m1 = 1.
        let mut ct = d.contour(Analytic::ENTIRE).unwrap();
        let (s, nu) = d.integrate(&mut ct, 1, 1e-14, |_, o| o[0] = C::new(1.0, 0.0)).unwrap();
        assert!((s[0] - 1.0).abs() < 1e-12 && (nu[0] - 1.0).abs() < 1e-12);
    }
}

#[cfg(test)]
mod edge_tests {
    use super::*;
    #[test]
    fn marchenko_pastur_edges() {
        for y in [0.25, 0.5, 2.0] {
            let (d, _) = Deq::new(&SpectrumLaw::Identity, y, DeqOptions::default()).unwrap();
            let want_hi = (1.0 + y.sqrt()).powi(2);
            let want_lo = if y < 1.0 { (1.0 - y.sqrt()).powi(2) } else { 0.0 };
            assert!((d.support.1 - want_hi).abs() < 1e-7, "{y} {:?}", d.support);
            assert!((d.support.0 - want_lo).abs() < 1e-7, "{y} {:?}", d.support);
        }
    }
}
