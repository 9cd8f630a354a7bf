//! Numerical references where no closed form is known (THEORY 5.2 F4 at finite alpha, 5.4 the
//! interior).
//!
//! * Free face at finite alpha: the reduced flow `dAt/dtau = -(S At^2 + 2 At S At + At^2 S)`,
//!   simulated at growing p and extrapolated linearly in 1/p ([`crate::regimes::curves::free_numeric`]).
//! * Interior (r, q, alpha all finite): no reduced flow is known, so the limit at the spec's
//!   constants is estimated by ensembles of the full model at growing p (H = r p, sigma2 = q/p,
//!   N = p/y), with their own seeds (independent of the runs being checked), extrapolated
//!   linearly in 1/p by weighted least squares. The standard error of the intercept is the
//!   error bar, inflated by sqrt(chi^2/dof) when the linear fit is poor. This is an
//!   extrapolation, not a limit theorem: `prism check` says so, and keeps the exact leading
//!   series as the reference at small times.

use crate::regimes::Ratios;
use crate::sim::{self, Integrator, Record, SimParams};

/// A numerical reference curve with error bars.
#[derive(Clone, Debug)]
pub struct NumericRef {
    /// Values at the requested face times, train.
    pub train: Vec<f64>,
    /// Standard errors, train.
    pub train_err: Vec<f64>,
    /// Values, pop.
    pub pop: Vec<f64>,
    /// Standard errors, pop.
    pub pop_err: Vec<f64>,
    /// What was done, in one line.
    pub method: String,
}

/// Weighted least squares of `v = a + b x`; returns `(a, se(a))` with the standard error
/// inflated by `sqrt(chi^2/dof)` when that exceeds 1.
pub fn extrapolate(x: &[f64], v: &[f64], se: &[f64]) -> (f64, f64) {
    let w: Vec<f64> = se
        .iter()
        .zip(v)
        .map(|(s, vv)| 1.0 / (s * s).max(1e-30 * (1.0 + vv * vv)))
        .collect();
    let (mut s0, mut s1, mut s2, mut t0, mut t1) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..x.len() {
        s0 += w[i];
        s1 += w[i] * x[i];
        s2 += w[i] * x[i] * x[i];
        t0 += w[i] * v[i];
        t1 += w[i] * x[i] * v[i];
    }
    let det = s0 * s2 - s1 * s1;
    if det <= 0.0 {
        return (t0 / s0, (1.0 / s0).sqrt());
    }
    let a = (s2 * t0 - s1 * t1) / det;
    let b = (s0 * t1 - s1 * t0) / det;
    let dof = x.len().saturating_sub(2);
    let chi2: f64 = (0..x.len())
        .map(|i| w[i] * (v[i] - a - b * x[i]).powi(2))
        .sum();
    let inflate = if dof > 0 {
        (chi2 / dof as f64).max(1.0)
    } else {
        1.0
    };
    (a, (s2 / det * inflate).sqrt())
}

/// The interior's numerical limit at constants `x` (r, q, y), face times `times` (= raw t), from
/// ensembles of `seeds` runs at each size in `ps`, seeds `seed ..`. `c0(p, h, sigma2)` is the
/// exact mean initial loss (a control variate).
pub fn interior_numeric(
    x: &Ratios,
    times: &[f64],
    ps: &[usize],
    seeds: usize,
    seed: u64,
    c0: &dyn Fn(usize, usize, f64) -> f64,
) -> Result<NumericRef, sim::SimError> {
    let mut per: Vec<(f64, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>)> = Vec::new();
    for &p0 in ps {
        // A p near p0 at which H = r p and N = p/y are (nearly) integers: rounding would shift
        // the ratios by O(1/p) with a coefficient that jumps from size to size.
        let frac = |v: f64| (v - v.round()).abs() / v.round().max(1.0);
        let p = (p0..p0 + (p0 / 8).max(1))
            .min_by(|&a, &b| {
                let e = |p: usize| {
                    let pf = p as f64;
                    frac(x.r * pf).max(if x.y > 0.0 { frac(pf / x.y) } else { 0.0 })
                };
                e(a).total_cmp(&e(b))
            })
            .unwrap_or(p0);
        let h = ((x.r * p as f64).round() as usize).max(1);
        let nd = if x.y > 0.0 {
            Some(((p as f64 / x.y).round() as usize).max(1))
        } else {
            None
        };
        let sigma2 = x.q / p as f64;
        let t_max = *times.last().unwrap_or(&0.0);
        let mut params = SimParams::new(p, h, sigma2, t_max).with_n(nd);
        params.record = Record::Times(times.to_vec());
        params.seeds = seeds;
        params.seed = seed;
        params.integrator = Integrator::Adaptive;
        params.tol = Some((0.1 / (p as f64 * 16.0)).clamp(1e-9, 1e-3));
        let res = sim::simulate(&params)?;
        let mu0 = c0(p, h, sigma2);
        // Per run: l(t) - l(0) + c_0, then the two zero-mean controls (regression control
        // variates, as for the checked runs).
        let stats = |pick: &dyn Fn(&sim::RunCurves) -> &Vec<f64>| -> (Vec<f64>, Vec<f64>) {
            let per: Vec<Vec<f64>> = res
                .runs
                .iter()
                .map(|run| {
                    let mut v: Vec<f64> =
                        pick(run).iter().map(|l| l - pick(run)[0] + mu0).collect();
                    v.push(run.train[0] - mu0);
                    v.push(run.pop[0] - mu0);
                    v
                })
                .collect();
            super::run::mean_sem(&per, times.len())
        };
        let (tm, ts) = stats(&|r| &r.train);
        let (pm, psm) = stats(&|r| &r.pop);
        per.push((1.0 / p as f64, tm, ts, pm, psm));
    }
    let xs: Vec<f64> = per.iter().map(|v| v.0).collect();
    let used: Vec<usize> = xs.iter().map(|x| (1.0 / x).round() as usize).collect();
    let mut out = NumericRef {
        train: vec![],
        train_err: vec![],
        pop: vec![],
        pop_err: vec![],
        method: format!(
            "NUMERICAL (no closed form): the full model at these constants simulated at p = {used:?} ({seeds} runs each, seeds independent of the checked runs), extrapolated linearly in 1/p"
        ),
    };
    for i in 0..times.len() {
        let v: Vec<f64> = per.iter().map(|s| s.1[i]).collect();
        let e: Vec<f64> = per.iter().map(|s| s.2[i]).collect();
        let (a, se) = extrapolate(&xs, &v, &e);
        out.train.push(a);
        out.train_err.push(se);
        let v: Vec<f64> = per.iter().map(|s| s.3[i]).collect();
        let e: Vec<f64> = per.iter().map(|s| s.4[i]).collect();
        let (a, se) = extrapolate(&xs, &v, &e);
        out.pop.push(a);
        out.pop_err.push(se);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extrapolation_recovers_the_intercept() {
        let x = [1.0 / 64.0, 1.0 / 128.0, 1.0 / 256.0];
        let v: Vec<f64> = x.iter().map(|x| 0.3 + 2.0 * x).collect();
        let (a, se) = extrapolate(&x, &v, &[1e-3; 3]);
        assert!((a - 0.3).abs() < 1e-12 && se > 0.0 && se < 1e-2);
    }
}
