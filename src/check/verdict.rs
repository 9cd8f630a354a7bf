//! The verdict of a convergence check, computed from the numbers.
//!
//! Input: at sizes n_1 < ... < n_m, the distance e_i between the simulated (normalized) curve
//! and the limit, with its standard error s_i, and the expected decay rate rho (the face's
//! correction order, e = O(n^-rho)). The rate is fitted by weighted least squares of
//! `ln e_i = a - rho_hat ln n_i` with weights `(e_i / s_i)^2` (the delta-method variance of
//! ln e_i is `(s_i / e_i)^2`); its standard error comes from the same fit, inflated by the
//! reduced chi-square when that exceeds 1.
//!
//! * **agrees**: the error is resolved (e_i > 3 s_i) at some size, the rate fitted on the sizes
//!   where it is at least weakly resolved (e_i > s_i, two or more) is
//!   positive and consistent with O(n^-rho), i.e. not clearly slower
//!   (rho_hat >= rho - 2 se - RATE_SLACK; faster decay is allowed, since rho bounds the
//!   leading correction and its coefficient may vanish for one loss), and the last
//!   error lies within 3 s of the fitted trend; or no error is resolved at any size while the
//!   error bound at the largest size (e + 2 s) is below NOISE_FLOOR of the curve's scale, i.e.
//!   the simulation and the limit coincide to within a small noise.
//! * **disagrees**: the errors are resolved and do not fall at a rate consistent with rho
//!   (they are flat, growing, or decay at a clearly different rate), or the last error is off
//!   the trend.
//! * **inconclusive**: too few resolved sizes with noise that is not small, or a rate whose
//!   uncertainty is too large to tell.

use serde::Serialize;

/// Allowed systematic difference between the fitted and the expected rate (pre-asymptotic
/// sizes bend log-log lines).
pub const RATE_SLACK: f64 = 0.35;
/// Noise, relative to the scale of the curve, below which unresolved errors count as agreement.
pub const NOISE_FLOOR: f64 = 0.02;
/// Largest rate uncertainty that still allows a verdict.
pub const MAX_RATE_SE: f64 = 0.6;
/// Floating-point resolution of an error, relative to the scale of the curve: a standard error
/// is never taken below this (double rounding in the runs and in the limit, about 1e-16 each,
/// accumulated over steps and quadratures), so that errors at rounding level with zero spread
/// (every run on the same fixed point) count as unresolved, not as a signal that does not fall.
pub const ROUNDOFF_FLOOR: f64 = 1e-12;

/// The three outcomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The simulation converges to the limit at the expected rate.
    Agrees,
    /// It does not.
    Disagrees,
    /// The noise is too large to tell.
    Inconclusive,
}

impl Verdict {
    /// `agrees`, `disagrees` or `inconclusive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Agrees => "agrees",
            Verdict::Disagrees => "disagrees",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// A fitted decay rate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RateFit {
    /// rho_hat in e ~ n^-rho_hat.
    pub rate: f64,
    /// Its standard error.
    pub se: f64,
    /// The fitted prefactor exp(a).
    pub prefactor: f64,
    /// Reduced chi-square of the fit (NaN with two points).
    pub chi2_red: f64,
}

/// The verdict with its evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessment {
    /// The outcome.
    pub verdict: Verdict,
    /// The fitted rate, when at least two errors are resolved.
    pub fit: Option<RateFit>,
    /// The expected rate.
    pub expected_rate: f64,
    /// Why, in one sentence.
    pub reason: String,
}

/// Weighted least squares of ln e on ln n over the given points.
pub fn fit_rate(ns: &[f64], errs: &[f64], ses: &[f64]) -> Option<RateFit> {
    let pts: Vec<(f64, f64, f64)> = ns
        .iter()
        .zip(errs)
        .zip(ses)
        .filter(|((n, e), _)| **n > 0.0 && **e > 0.0)
        .map(|((n, e), s)| {
            let rel = (s / e).max(0.02);
            (n.ln(), e.ln(), 1.0 / (rel * rel))
        })
        .collect();
    if pts.len() < 2 {
        return None;
    }
    let sw: f64 = pts.iter().map(|p| p.2).sum();
    let mx = pts.iter().map(|p| p.2 * p.0).sum::<f64>() / sw;
    let my = pts.iter().map(|p| p.2 * p.1).sum::<f64>() / sw;
    let sxx: f64 = pts.iter().map(|p| p.2 * (p.0 - mx).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = pts.iter().map(|p| p.2 * (p.0 - mx) * (p.1 - my)).sum();
    let slope = sxy / sxx;
    let a = my - slope * mx;
    let mut se = (1.0 / sxx).sqrt();
    let dof = pts.len() as f64 - 2.0;
    let chi2_red = if dof > 0.0 {
        pts.iter()
            .map(|p| p.2 * (p.1 - a - slope * p.0).powi(2))
            .sum::<f64>()
            / dof
    } else {
        f64::NAN
    };
    if chi2_red.is_finite() && chi2_red > 1.0 {
        se *= chi2_red.sqrt();
    }
    Some(RateFit {
        rate: -slope,
        se,
        prefactor: a.exp(),
        chi2_red,
    })
}

/// Decide from errors `errs[i] +- ses[i]` at sizes `ns[i]` (increasing), the expected rate,
/// and the scale of the curve (e.g. its range), which sets the noise floor.
pub fn assess(ns: &[f64], errs: &[f64], ses: &[f64], expected_rate: f64, scale: f64) -> Assessment {
    let m = ns.len().min(errs.len()).min(ses.len());
    let resolution = ROUNDOFF_FLOOR * scale.abs().max(1e-12);
    let ses: Vec<f64> = ses.iter().map(|&s| s.max(resolution)).collect();
    // Strongly resolved sizes (e > 3 s) decide whether there is a signal at all; the rate is
    // fitted on every size where the error is at least weakly resolved (e > s), with weights
    // (e/s)^2, so noisy points count for little.
    let strong: Vec<usize> = (0..m).filter(|&i| errs[i] > 3.0 * ses[i]).collect();
    let weak: Vec<usize> = (0..m).filter(|&i| errs[i] > ses[i]).collect();
    let noise = ses[..m].iter().cloned().fold(0.0, f64::max);
    let out = |verdict, fit, reason: String| Assessment {
        verdict,
        fit,
        expected_rate,
        reason,
    };
    if m == 0 {
        return out(Verdict::Inconclusive, None, "no sizes were run".into());
    }
    if strong.is_empty() {
        let floor = NOISE_FLOOR * scale.abs().max(1e-12);
        let last_bound = errs[m - 1] + 2.0 * ses[m - 1];
        if last_bound <= floor {
            return out(
                Verdict::Agrees,
                None,
                format!(
                    "no size shows an error beyond noise, and at the largest size the error is below {last_bound:.2e}, under {:.0}% of the curve's scale",
                    NOISE_FLOOR * 100.0
                ),
            );
        }
        return out(
            Verdict::Inconclusive,
            None,
            format!("no size resolves the error beyond 3 standard errors, and the noise ({noise:.2e}) is not small"),
        );
    }
    if weak.len() < 2 {
        return out(
            Verdict::Inconclusive,
            None,
            format!(
                "the error is resolved at only {} of {m} sizes: no rate can be fitted",
                weak.len()
            ),
        );
    }
    let rn: Vec<f64> = weak.iter().map(|&i| ns[i]).collect();
    let re: Vec<f64> = weak.iter().map(|&i| errs[i]).collect();
    let rs: Vec<f64> = weak.iter().map(|&i| ses[i]).collect();
    let Some(fit) = fit_rate(&rn, &re, &rs) else {
        return out(
            Verdict::Inconclusive,
            None,
            "the rate could not be fitted".into(),
        );
    };
    let last = m - 1;
    let trend = fit.prefactor * ns[last].powf(-fit.rate);
    // Only an error above the trend at the largest size is a warning sign (the error stops
    // falling: a plateau at a wrong limit). One below it (an error at the largest size that is
    // unresolved, or falls faster) is what convergence to the limit looks like.
    let last_ok = errs[last] - trend <= 3.0 * ses[last] + 0.25 * trend;
    if fit.rate <= 0.0 && fit.rate + 2.0 * fit.se < expected_rate - RATE_SLACK {
        return out(
            Verdict::Disagrees,
            Some(fit),
            format!(
                "the error does not fall with n (fitted rate {:.2} +- {:.2}, expected {expected_rate:.2})",
                fit.rate, fit.se
            ),
        );
    }
    if fit.se > MAX_RATE_SE {
        return out(
            Verdict::Inconclusive,
            Some(fit),
            format!(
                "the fitted rate {:.2} has too large an uncertainty ({:.2})",
                fit.rate, fit.se
            ),
        );
    }
    let consistent = fit.rate >= expected_rate - 2.0 * fit.se - RATE_SLACK;
    if consistent && fit.rate > 0.0 && last_ok {
        // Faster than expected (beyond 2 se and the slack): the limit is approached, but the
        // leading correction's coefficient vanishes here or the sizes are pre-asymptotic; say
        // so rather than calling it consistent.
        let faster = fit.rate > expected_rate + 2.0 * fit.se + RATE_SLACK;
        out(
            Verdict::Agrees,
            Some(fit),
            if faster {
                format!(
                    "the error falls as n^({:.2}) (+- {:.2}), FASTER than the expected n^(-{expected_rate:.2}) (the limit is approached; the expected leading correction is not seen at these sizes)",
                    -fit.rate, fit.se
                )
            } else {
                format!(
                    "the error falls as n^({:.2}) (+- {:.2}), consistent with the expected n^(-{expected_rate:.2})",
                    -fit.rate, fit.se
                )
            },
        )
    } else if !consistent {
        out(
            Verdict::Disagrees,
            Some(fit),
            format!(
                "the error falls as n^({:.2}) (+- {:.2}), slower than the expected n^(-{expected_rate:.2})",
                -fit.rate, fit.se
            ),
        )
    } else {
        out(
            Verdict::Disagrees,
            Some(fit),
            format!(
                "the last error {:.2e} +- {:.2e} is off the fitted trend {trend:.2e}",
                errs[last], ses[last]
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    const NS: [f64; 4] = [256.0, 512.0, 1024.0, 2048.0];

    fn noisy(base: &[f64], sigma: f64, seed: u64) -> Vec<f64> {
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
        base.iter()
            .map(|b| {
                let z: f64 = rng.random::<f64>() * 2.0 - 1.0;
                (b + sigma * z).abs()
            })
            .collect()
    }

    #[test]
    fn converging_sequence_agrees() {
        for seed in 0..20 {
            let base: Vec<f64> = NS.iter().map(|n| 3.0 / n).collect();
            let e = noisy(&base, 1e-4, seed);
            let a = assess(&NS, &e, &[1e-4; 4], 1.0, 1.0);
            assert_eq!(a.verdict, Verdict::Agrees, "{a:?}");
            assert!((a.fit.unwrap().rate - 1.0).abs() < 0.2);
        }
    }

    #[test]
    fn errors_at_rounding_level_agree() {
        // Every run at the same fixed point: errors of one ulp and no spread are not a signal
        // that fails to fall with n (check --tau-max 1e6 on large-data).
        let a = assess(&NS, &[1.11e-16; 4], &[0.0; 4], 1.0, 0.5);
        assert_eq!(a.verdict, Verdict::Agrees, "{a:?}");
        // A real error with zero spread still counts.
        let a = assess(&NS, &[0.05; 4], &[0.0; 4], 1.0, 0.5);
        assert_eq!(a.verdict, Verdict::Disagrees, "{a:?}");
    }

    #[test]
    fn non_converging_sequence_disagrees() {
        for seed in 0..20 {
            let e = noisy(&[0.05; 4], 1e-3, seed);
            let a = assess(&NS, &e, &[1e-3; 4], 1.0, 1.0);
            assert_eq!(a.verdict, Verdict::Disagrees, "{a:?}");
        }
        // Converging, but at the wrong rate (n^-1/2 for an expected n^-2).
        let e: Vec<f64> = NS.iter().map(|n| 1.0 / n.sqrt()).collect();
        let a = assess(&NS, &e, &[1e-4; 4], 2.0, 1.0);
        assert_eq!(a.verdict, Verdict::Disagrees, "{a:?}");
    }

    #[test]
    fn noisy_sequence_is_inconclusive() {
        for seed in 0..20 {
            // True errors 3/n, hidden under noise 0.05 on a curve of scale 1.
            let base: Vec<f64> = NS.iter().map(|n| 3.0 / n).collect();
            let e = noisy(&base, 0.05, seed);
            let a = assess(&NS, &e, &[0.05; 4], 1.0, 1.0);
            assert_eq!(a.verdict, Verdict::Inconclusive, "seed {seed}: {a:?}");
        }
    }

    #[test]
    fn much_faster_decay_is_reported_as_faster() {
        let e: Vec<f64> = NS.iter().map(|n| 1e3 / (n * n * n)).collect();
        let a = assess(&NS, &e, &[1e-9; 4], 1.0, 1.0);
        assert_eq!(a.verdict, Verdict::Agrees);
        assert!(a.reason.contains("FASTER"), "{}", a.reason);
        let e: Vec<f64> = NS.iter().map(|n| 3.0 / n).collect();
        let a = assess(&NS, &e, &[1e-6; 4], 1.0, 1.0);
        assert!(a.reason.contains("consistent"), "{}", a.reason);
    }

    #[test]
    fn errors_below_a_small_noise_agree() {
        let a = assess(&NS, &[1e-4, 2e-4, 1e-4, 5e-5], &[1e-4; 4], 1.0, 1.0);
        assert_eq!(a.verdict, Verdict::Agrees);
    }

    /// A largest size whose error falls below the fitted trend (here unresolved, 6.3e-5 +-
    /// 5.8e-5) agrees: check/large-data's population loss on a ladder chosen under load.
    #[test]
    fn last_error_below_the_trend_agrees() {
        let ns = [16.0, 36.0, 92.0, 310.0];
        let e = [3.477e-3, 1.0405e-3, 9.528e-4, 6.265e-5];
        let s = [1.034e-3, 3.984e-4, 1.485e-4, 5.827e-5];
        let a = assess(&ns, &e, &s, 1.0, 0.125);
        assert_eq!(a.verdict, Verdict::Agrees, "{}", a.reason);
    }

    /// A largest size whose error sits far above the trend of the smaller ones (a plateau)
    /// still disagrees.
    #[test]
    fn last_error_above_the_trend_disagrees() {
        let mut e: Vec<f64> = NS.iter().map(|n| 3.0 / n).collect();
        e[3] = 3.0 / 512.0;
        let a = assess(&NS, &e, &[1e-6; 4], 1.0, 1.0);
        assert_eq!(a.verdict, Verdict::Disagrees, "{}", a.reason);
    }
}
