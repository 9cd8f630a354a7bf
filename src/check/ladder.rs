//! The automatic size ladder of `prism check`: which sizes n to simulate within a time budget.
//!
//! # What has to hold at the smallest size
//!
//! A face's limit is approached as its small parameters vanish (THEORY 5.1, 5.3b). At a size n
//! of the spec they are monomials in the ratios `r = H/p`, `q = sigma2 p`, `y = p/N` of the
//! finite model, each `C n^e` with `e < 0` on the face:
//!
//! | part of the face | small parameters |
//! |---|---|
//! | large-data | `1/alpha = y` |
//! | small-data | `alpha = 1/y` and `N/H = 1/(r y)` (THEORY 5.3b: N << H as well as N << p) |
//! | narrow-latent | `r` |
//! | mean-field | `1/r` |
//! | free | `1/q` |
//! | narrow-latent + mean-field (linear) | `c = q r` |
//! | narrow-latent + free | `r`, `1/q` |
//! | mean-field + free | `1/r`, `1/c` |
//!
//! plus `1/p` (the g >= 1 terms of the hierarchy) for every face. The smallest size `n_min` is
//! the least n at which every small parameter is at most [`SMALL`] and p >= [`P_MIN`]; this is
//! solved exactly for each power law (`n >= (C / SMALL)^(1/(-e))`).
//!
//! # The ladder
//!
//! K >= 4 geometric sizes `n_k = n_min g^k`. The cost of one size is the engine's plan (flops
//! per field evaluation x evaluations per step x steps x runs) divided by the machine speed; the
//! top size is the largest whose whole ladder fits the budget, capped where the expected
//! correction `n^-rho` has fallen by [`MAX_SPAN`] over the ladder (more span adds cost, not
//! evidence). When even a span of [`MIN_SPAN`] (in the correction) is not affordable from
//! `n_min`, the ladder is moved below `n_min` and says so. The speed is first the calibrated
//! one, then the one measured on each size already run: after each size the remaining sizes are
//! re-planned from the measured time scaled by the plan's cost ratios.

use crate::regimes::{DataPart, LatentPart, Regime};
use crate::spec::{DataSize, Spec};
use serde::Serialize;

/// Largest value of a face's small parameter at the smallest size.
pub const SMALL: f64 = 0.125;
/// Smallest input dimension of a size.
pub const P_MIN: f64 = 16.0;
/// The expected correction should fall at least by this factor over the ladder to measure a rate.
pub const MIN_SPAN: f64 = 4.0;
/// Beyond this fall of the expected correction over the ladder, larger sizes are not needed.
pub const MAX_SPAN: f64 = 32.0;
/// Number of sizes.
pub const RUNGS: usize = 4;

/// The finite model at one size n (dimensions rounded to integers, sigma2 exact).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Model {
    /// The growth variable.
    pub n: f64,
    /// Input dimension.
    pub p: usize,
    /// Latent dimension.
    #[serde(rename = "H")]
    pub h: usize,
    /// Training-set size (None = infinity).
    #[serde(rename = "N")]
    pub n_data: Option<usize>,
    /// Initialization variance.
    pub sigma2: f64,
}

/// The finite model of `spec` at n.
pub fn model_at(spec: &Spec, n: f64) -> Model {
    let round = |x: f64| (x.round().max(1.0)) as usize;
    Model {
        n,
        p: round(spec.p.at(n)),
        h: round(spec.h.at(n)),
        n_data: match &spec.n_data {
            DataSize::Finite(s) => Some(round(s.at(n))),
            DataSize::Infinite => None,
        },
        sigma2: spec.sigma2.at(n),
    }
}

/// A size near `n` at which p is an integer and, as far as possible, H and N too (rounding H
/// or N shifts the ratios r, alpha by O(1/p) with a coefficient that jumps from size to size,
/// which would blur the measured rate): among the sizes with p within 10% of p(n), the one
/// with the smallest largest relative rounding error of H and N, nearest to n on ties.
pub fn snap(spec: &Spec, n: f64) -> f64 {
    let c = crate::poly::rat_to_f64(&spec.p.prefactor);
    let a = crate::poly::rat_to_f64(&spec.p.exponent);
    let p0 = (c * n.powf(a)).round().max(1.0);
    let n_of = |p: f64| {
        let m = (p / c).powf(1.0 / a);
        if (m - m.round()).abs() < 1e-9 * m.max(1.0) {
            m.round()
        } else {
            (m * 1e6).round() / 1e6
        }
    };
    let rounding = |m: f64| -> f64 {
        let rel = |x: f64| {
            if x < 0.5 {
                0.0
            } else {
                (x - x.round()).abs() / x.round().max(1.0)
            }
        };
        let mut e = rel(spec.h.at(m));
        if let DataSize::Finite(s) = &spec.n_data {
            e = e.max(rel(s.at(m)));
        }
        e
    };
    let span = (0.1 * p0).floor() as i64;
    let mut best = (f64::INFINITY, 0i64, n_of(p0));
    for k in 0..=span {
        for sgn in [1i64, -1] {
            let p = p0 + (sgn * k) as f64;
            if p < 1.0 {
                continue;
            }
            let m = n_of(p);
            let e = rounding(m);
            if e < best.0 - 1e-12 {
                best = (e, k, m);
            }
        }
        if best.0 < 1e-9 {
            break;
        }
    }
    best.2
}

/// A small parameter `value(n) = C n^e` of the face.
#[derive(Clone, Debug, Serialize)]
pub struct SmallParameter {
    /// Its name, e.g. `1/alpha`.
    pub name: String,
    /// C.
    pub coefficient: f64,
    /// e (negative on the face).
    pub exponent: f64,
}

impl SmallParameter {
    /// Its value at n.
    pub fn at(&self, n: f64) -> f64 {
        self.coefficient * n.powf(self.exponent)
    }

    /// The least n at which the value is at most `bound` (None if it never is).
    pub fn threshold(&self, bound: f64) -> Option<f64> {
        if self.coefficient <= bound {
            if self.exponent <= 0.0 {
                return Some(0.0);
            }
        }
        if self.exponent >= 0.0 {
            return None;
        }
        Some((self.coefficient / bound).powf(1.0 / -self.exponent))
    }
}

/// The small parameters of `regime` for `spec` (see the module docs), and 1/p.
pub fn small_parameters(spec: &Spec, regime: Regime) -> Vec<SmallParameter> {
    let f = crate::poly::rat_to_f64;
    let (cp, ap) = (f(&spec.p.prefactor), f(&spec.p.exponent));
    let (ch, ah) = (f(&spec.h.prefactor), f(&spec.h.exponent));
    let (cs, a_s) = (f(&spec.sigma2.prefactor), f(&spec.sigma2.exponent));
    // log-coefficients and exponents of r, q, y.
    let r = ((ch / cp).ln(), ah - ap);
    let q = ((cs * cp).ln(), a_s + ap);
    let y = match &spec.n_data {
        DataSize::Finite(s) => Some(((cp / f(&s.prefactor)).ln(), ap - f(&s.exponent))),
        DataSize::Infinite => None,
    };
    let mono = |name: &str, parts: &[((f64, f64), f64)]| SmallParameter {
        name: name.to_string(),
        coefficient: parts.iter().map(|((lc, _), k)| k * lc).sum::<f64>().exp(),
        exponent: parts.iter().map(|((_, e), k)| k * e).sum(),
    };
    let mut out = vec![SmallParameter {
        name: "1/p".into(),
        coefficient: 1.0 / cp,
        exponent: -ap,
    }];
    let (d, l) = regime.parts();
    if let Some(y) = y {
        match d {
            DataPart::Large => out.push(mono("1/alpha", &[(y, 1.0)])),
            DataPart::Small => {
                out.push(mono("alpha", &[(y, -1.0)]));
                out.push(mono("N/H", &[(r, -1.0), (y, -1.0)]));
            }
            DataPart::Finite => {}
        }
    }
    match l {
        LatentPart::Whole => {}
        LatentPart::NarrowLatent => out.push(mono("r", &[(r, 1.0)])),
        LatentPart::MeanField => out.push(mono("1/r", &[(r, -1.0)])),
        LatentPart::Free => out.push(mono("1/q", &[(q, -1.0)])),
        LatentPart::Linear => out.push(mono("q r", &[(q, 1.0), (r, 1.0)])),
        LatentPart::NarrowFree => {
            out.push(mono("r", &[(r, 1.0)]));
            out.push(mono("1/q", &[(q, -1.0)]));
        }
        LatentPart::MeanFieldFree => {
            out.push(mono("1/r", &[(r, -1.0)]));
            out.push(mono("1/(q r)", &[(q, -1.0), (r, -1.0)]));
        }
    }
    out
}

/// The smallest size at which the asymptotics apply, and what sets it.
#[derive(Clone, Debug, Serialize)]
pub struct MinSize {
    /// n_min.
    pub n: f64,
    /// Which condition sets it, e.g. `1/r <= 1/8`.
    pub limited_by: String,
    /// Small parameters that do not become small (constant in n on this face), if any.
    pub not_small: Vec<String>,
}

/// n_min for `spec` on `regime` (module docs).
pub fn min_size(spec: &Spec, regime: Regime) -> MinSize {
    let mut best = 0.0f64;
    let mut why = String::from("p >= 16");
    let mut not_small = Vec::new();
    for sp in small_parameters(spec, regime) {
        let (bound, label) = if sp.name == "1/p" {
            (1.0 / P_MIN, "p >= 16".to_string())
        } else {
            (SMALL, format!("{} <= 1/8", sp.name))
        };
        match sp.threshold(bound) {
            Some(t) => {
                if t > best {
                    best = t;
                    why = label;
                }
            }
            None => not_small.push(format!("{} = {:.3}", sp.name, sp.coefficient)),
        }
    }
    // Every dimension at least 1 (H = n^(1/2) etc. are fine); never below n = 1.
    let n = best.max(1.0);
    MinSize {
        n,
        limited_by: why,
        not_small,
    }
}

/// A chosen ladder.
#[derive(Clone, Debug, Serialize)]
pub struct LadderPlan {
    /// The sizes n, increasing.
    pub sizes: Vec<f64>,
    /// Predicted wall time of one pass over the sizes, seconds.
    pub predicted_seconds: f64,
    /// Whether the smallest size lies below n_min (the budget cannot reach the asymptotic range
    /// with a measurable span).
    pub below_asymptotic_range: bool,
    /// What stopped the top size: `budget`, `span` (large enough already) or `memory`.
    pub top_limited_by: String,
}

/// Geometric sizes from `lo` to `hi` (k of them), snapped so that p is an integer.
pub fn geometric(spec: &Spec, lo: f64, hi: f64, k: usize) -> Vec<f64> {
    let mut v: Vec<f64> = (0..k)
        .map(|i| {
            let x = if k == 1 {
                lo
            } else {
                lo * (hi / lo).powf(i as f64 / (k - 1) as f64)
            };
            snap(spec, x)
        })
        .collect();
    v.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    v
}

/// Choose the ladder. `seconds(n)` predicts the wall time of one ensemble at size n, `mem(n)`
/// its memory in bytes; `rho` is the expected correction exponent; `budget` the seconds allowed
/// for one pass.
pub fn choose(
    spec: &Spec,
    n_min: f64,
    rho: f64,
    budget: f64,
    seconds: &dyn Fn(f64) -> f64,
    mem: &dyn Fn(f64) -> f64,
    mem_limit: f64,
) -> LadderPlan {
    let rho = if rho > 0.0 { rho } else { 1.0 };
    let span_min = MIN_SPAN.powf(1.0 / rho);
    let span_max = MAX_SPAN.powf(1.0 / rho);
    let total = |lo: f64, hi: f64| -> f64 {
        geometric(spec, lo, hi, RUNGS)
            .iter()
            .map(|&n| seconds(n))
            .sum()
    };
    // The smallest n that still gives a p >= 4 model (floor for moving below n_min).
    let floor = {
        let c = crate::poly::rat_to_f64(&spec.p.prefactor);
        let a = crate::poly::rat_to_f64(&spec.p.exponent);
        (4.0 / c).powf(1.0 / a).max(1e-9)
    };
    let fits = |lo: f64, hi: f64| total(lo, hi) <= budget && mem(hi) <= mem_limit;
    if fits(n_min, n_min * span_min) {
        // Largest top in [n_min span_min, n_min span_max] that fits: bisection in log n.
        let (mut a, mut b) = (n_min * span_min, n_min * span_max);
        let limited = if fits(n_min, b) {
            a = b;
            "span"
        } else {
            for _ in 0..40 {
                let m = (a * b).sqrt();
                if fits(n_min, m) {
                    a = m;
                } else {
                    b = m;
                }
            }
            if mem(b) > mem_limit {
                "memory"
            } else {
                "budget"
            }
        };
        let sizes = geometric(spec, n_min, a, RUNGS);
        let predicted = sizes.iter().map(|&n| seconds(n)).sum();
        return LadderPlan {
            sizes,
            predicted_seconds: predicted,
            below_asymptotic_range: false,
            top_limited_by: limited.into(),
        };
    }
    // Not affordable from n_min: keep the minimal span and move the ladder down.
    let (mut a, mut b) = (floor, n_min);
    if !fits(a, a * span_min) {
        let sizes = geometric(spec, a, a * span_min, RUNGS);
        let predicted = sizes.iter().map(|&n| seconds(n)).sum();
        return LadderPlan {
            sizes,
            predicted_seconds: predicted,
            below_asymptotic_range: true,
            top_limited_by: "budget".into(),
        };
    }
    for _ in 0..40 {
        let m = (a * b).sqrt();
        if fits(m, m * span_min) {
            a = m;
        } else {
            b = m;
        }
    }
    let sizes = geometric(spec, a, a * span_min, RUNGS);
    let predicted = sizes.iter().map(|&n| seconds(n)).sum();
    LadderPlan {
        sizes,
        predicted_seconds: predicted,
        below_asymptotic_range: true,
        top_limited_by: "budget".into(),
    }
}

/// Re-plan the sizes after `done` (the last size run, measured): the `left` remaining sizes are
/// placed geometrically between `done` and the largest top whose predicted time fits
/// `remaining` seconds, never beyond `cap` and never closer than a factor 1.3 to each other.
pub fn replan(
    spec: &Spec,
    done: f64,
    left: usize,
    cap: f64,
    remaining: f64,
    seconds: &dyn Fn(f64) -> f64,
) -> Vec<f64> {
    if left == 0 {
        return vec![];
    }
    let rest = |hi: f64| -> Vec<f64> {
        let all = geometric(spec, done, hi, left + 1);
        all.into_iter().skip(1).collect()
    };
    let cost = |hi: f64| rest(hi).iter().map(|&n| seconds(n)).sum::<f64>();
    let min_top = done * 1.3f64.powi(left as i32);
    let cap = cap.max(min_top);
    if cost(cap) <= remaining {
        return rest(cap);
    }
    if cost(min_top) > remaining {
        return rest(min_top);
    }
    let (mut a, mut b) = (min_top, cap);
    for _ in 0..40 {
        let m = (a * b).sqrt();
        if cost(m) <= remaining {
            a = m;
        } else {
            b = m;
        }
    }
    rest(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(s: &str) -> Spec {
        Spec::parse(s).unwrap()
    }

    #[test]
    fn small_parameters_are_power_laws() {
        let s = spec("p = n; H = 8; sigma2 = 0.5 n^-1; N = 2 n");
        let ps = small_parameters(&s, Regime::NarrowLatent);
        let r = ps.iter().find(|p| p.name == "r").unwrap();
        assert!((r.at(64.0) - 0.125).abs() < 1e-12);
        let m = min_size(&s, Regime::NarrowLatent);
        assert!((m.n - 64.0).abs() < 1e-9, "{m:?}");
        assert_eq!(m.limited_by, "r <= 1/8");
        // Small data: alpha = 20/n and N/H = 20/(0.25 n) = 80/n.
        let s = spec("p = n; H = 0.25 n; sigma2 = 2 n^-1; N = 20");
        let m = min_size(&s, Regime::SmallData);
        assert!((m.n - 640.0).abs() < 1e-6, "{m:?}");
        // The interior has only 1/p.
        let s = spec("p = n; H = n; sigma2 = n^-1; N = n");
        let m = min_size(&s, Regime::Proportional);
        assert!((m.n - 16.0).abs() < 1e-9);
        // p = n^2: n_min = 4.
        let s = spec("p = n^2; H = n^2; sigma2 = n^-2; N = n^2");
        assert!((min_size(&s, Regime::Proportional).n - 4.0).abs() < 1e-9);
    }

    #[test]
    fn ladder_fits_the_budget_and_is_geometric() {
        let s = spec("p = n; H = n^2; sigma2 = n^-2; N = n");
        // Cost ~ p^3 = n^3, 1 s at n = 100.
        let secs = |n: f64| (n / 100.0).powi(3);
        let plan = choose(&s, 16.0, 1.0, 10.0, &secs, &|_| 0.0, 1e9);
        assert_eq!(plan.sizes.len(), RUNGS);
        assert!(plan.predicted_seconds <= 10.0);
        assert!(!plan.below_asymptotic_range);
        assert_eq!(plan.sizes[0], 16.0);
        let ratios: Vec<f64> = plan.sizes.windows(2).map(|w| w[1] / w[0]).collect();
        assert!(
            ratios.iter().all(|r| (r / ratios[0] - 1.0).abs() < 0.1),
            "{plan:?}"
        );
        // Tiny budget: the ladder moves below n_min and says so.
        let plan = choose(&s, 16.0, 1.0, 1e-4, &secs, &|_| 0.0, 1e9);
        assert!(plan.below_asymptotic_range);
        assert!(plan.sizes[RUNGS - 1] / plan.sizes[0] >= 3.9);
        // Huge budget: capped by the span.
        let plan = choose(&s, 16.0, 1.0, 1e9, &secs, &|_| 0.0, 1e9);
        assert_eq!(plan.top_limited_by, "span");
        assert!((plan.sizes[RUNGS - 1] - 16.0 * MAX_SPAN).abs() < 1.0);
    }

    #[test]
    fn replan_respects_the_remaining_time() {
        let s = spec("p = n; H = n; sigma2 = n^-1; N = n");
        let secs = |n: f64| (n / 100.0).powi(3);
        let rest = replan(&s, 32.0, 3, 1000.0, 2.0, &secs);
        assert_eq!(rest.len(), 3);
        assert!(rest.iter().map(|&n| secs(n)).sum::<f64>() <= 2.0 + 1e-9);
        assert!(rest[0] > 32.0);
    }
}
