//! Statistics over independent runs: means, standard errors, the bootstrap and control variates.
//!
//! Every ensemble estimate of prism goes through here, so that `simulate`, `check` and the
//! numerical free-face limit agree on what a mean and its error bar are.
//!
//! * [`mean`], [`sem`]: the sample mean and the standard error of the mean
//!   `sqrt(s^2 / R)`, with `s^2 = sum (x_i - mean)^2 / (R - 1)` (0 for a single run).
//! * [`column_mean_sem`]: the same per grid point of per-run curves.
//! * [`bootstrap_se`]: the standard error of any statistic of the runs by resampling whole runs
//!   (which keeps the correlation between the grid points of one run).
//! * [`exact_c0`]: the control variate with exactly known mean used for the loss curves:
//!   `l_i(t) - l_i(0) + c_0` with `c_0 = E l(0)` ([`exact_initial_loss`]). It is unbiased
//!   (`E l_i(0) = c_0`) and removes the O(1/p) run-to-run noise of the initial loss, which is
//!   strongly correlated with `l_i(t)` at small t.
//! * [`control_variate`]: the regression (fitted-coefficient) control-variate estimator with
//!   two zero-mean controls, for when the coefficient is not known to be 1.

use rand::{RngExt, SeedableRng};

/// The sample mean (0 for no values).
pub fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// The standard error of the mean, `sqrt(s^2 / R)` with the unbiased sample variance `s^2`
/// (0 for fewer than two values).
pub fn sem(xs: &[f64]) -> f64 {
    let r = xs.len();
    if r < 2 {
        return 0.0;
    }
    (variance(xs) / r as f64).sqrt()
}

/// The unbiased sample variance `sum (x_i - mean)^2 / (R - 1)` (0 for fewer than two values).
pub fn variance(xs: &[f64]) -> f64 {
    let r = xs.len();
    if r < 2 {
        return 0.0;
    }
    let m = mean(xs);
    xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (r - 1) as f64
}

/// The sample standard deviation `sqrt(sum (x_i - mean)^2 / (R - 1))` (0 for fewer than two
/// values).
pub fn std_dev(xs: &[f64]) -> f64 {
    variance(xs).sqrt()
}

/// Mean and standard error per grid point of per-run curves `per_run[i][k]` (all of one
/// length). Cost O(R K).
pub fn column_mean_sem<V: AsRef<[f64]>>(per_run: &[V]) -> (Vec<f64>, Vec<f64>) {
    let k = per_run.first().map_or(0, |v| v.as_ref().len());
    let mut means = Vec::with_capacity(k);
    let mut sems = Vec::with_capacity(k);
    let mut col = Vec::with_capacity(per_run.len());
    for i in 0..k {
        col.clear();
        col.extend(per_run.iter().map(|v| v.as_ref()[i]));
        means.push(mean(&col));
        sems.push(sem(&col));
    }
    (means, sems)
}

/// Bootstrap standard errors of `K` statistics of `runs` runs: `stat` receives the indices of
/// one resample (drawn with replacement, `runs` of them) and returns the statistics; the result
/// is, per statistic, the sample standard deviation of its `resamples` values. Deterministic
/// for a given `seed` (ChaCha8; the indices of a resample are drawn in order). Returns zeros
/// for fewer than two runs or resamples. Cost: `resamples` calls of `stat`.
pub fn bootstrap_se<const K: usize>(
    runs: usize,
    resamples: usize,
    seed: u64,
    mut stat: impl FnMut(&[usize]) -> [f64; K],
) -> [f64; K] {
    if runs < 2 || resamples < 2 {
        return [0.0; K];
    }
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
    let mut idx = vec![0usize; runs];
    let mut vals: [Vec<f64>; K] = std::array::from_fn(|_| Vec::with_capacity(resamples));
    for _ in 0..resamples {
        for v in idx.iter_mut() {
            *v = rng.random_range(0..runs);
        }
        for (dst, x) in vals.iter_mut().zip(stat(&idx)) {
            dst.push(x);
        }
    }
    std::array::from_fn(|k| std_dev(&vals[k]))
}

/// `E l(0)` exactly, for both losses, for a finite model (p, H, sigma2):
/// `c_0 = 1/2 - sigma2 H + sigma2^2 H (H + p + 1) / 2` (THEORY section 2). The known mean of
/// the control variate of [`exact_c0`].
pub fn exact_initial_loss(p: usize, h: usize, sigma2: f64) -> f64 {
    let (p, h) = (p as f64, h as f64);
    0.5 - sigma2 * h + 0.5 * sigma2 * sigma2 * h * (h + p + 1.0)
}

/// One run's loss curve with the exact-c0 control variate: `l(t) - l(0) + c0`, where `c0` is
/// the exact mean of `l(0)` ([`exact_initial_loss`]). Unbiased for `E l(t)`; its variance lacks
/// the run-to-run spread of the initial loss. An empty curve gives an empty result.
pub fn exact_c0(curve: &[f64], c0: f64) -> Vec<f64> {
    match curve.first() {
        Some(&l0) => curve.iter().map(|l| l - l0 + c0).collect(),
        None => Vec::new(),
    }
}

/// Control-variate estimate per grid point: for runs `vals[i][t]` and controls `c[i] = [c1,
/// c2]` with known mean 0, the mean of `vals - beta . c` with `beta` fitted by least squares
/// over the runs (the plain mean when the controls are degenerate or there are at most four
/// runs). Returns `(means, standard errors)`; the standard error counts the two fitted
/// coefficients as lost degrees of freedom. Cost O(R K).
pub fn control_variate(vals: &[Vec<f64>], c: &[[f64; 2]]) -> (Vec<f64>, Vec<f64>) {
    /// Relative size below which the controls' covariance matrix counts as singular.
    const SINGULAR: f64 = 1e-12;
    let n = vals.len();
    let nt = vals.first().map_or(0, |v| v.len());
    let cm = [
        mean(&c.iter().map(|x| x[0]).collect::<Vec<_>>()),
        mean(&c.iter().map(|x| x[1]).collect::<Vec<_>>()),
    ];
    let (mut s11, mut s12, mut s22) = (0.0, 0.0, 0.0);
    for ci in c {
        let (a, b) = (ci[0] - cm[0], ci[1] - cm[1]);
        s11 += a * a;
        s12 += a * b;
        s22 += b * b;
    }
    let det = s11 * s22 - s12 * s12;
    let usable = n > 4 && det > SINGULAR * (s11 * s22).max(f64::MIN_POSITIVE);
    let mut means = Vec::with_capacity(nt);
    let mut sems = Vec::with_capacity(nt);
    for t in 0..nt {
        let vm = vals.iter().map(|v| v[t]).sum::<f64>() / n as f64;
        let (b1, b2) = if usable {
            let (mut t1, mut t2) = (0.0, 0.0);
            for i in 0..n {
                let dv = vals[i][t] - vm;
                t1 += dv * (c[i][0] - cm[0]);
                t2 += dv * (c[i][1] - cm[1]);
            }
            ((s22 * t1 - s12 * t2) / det, (s11 * t2 - s12 * t1) / det)
        } else {
            (0.0, 0.0)
        };
        let adj: Vec<f64> = (0..n)
            .map(|i| vals[i][t] - b1 * c[i][0] - b2 * c[i][1])
            .collect();
        let m = adj.iter().sum::<f64>() / n as f64;
        let used = if usable { 3 } else { 1 };
        let dof = n.saturating_sub(used).max(1);
        let var = adj.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / dof as f64;
        means.push(m);
        sems.push((var / n as f64).sqrt());
    }
    (means, sems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_sem_small_cases() {
        assert_eq!(mean(&[]), 0.0);
        assert_eq!(sem(&[3.0]), 0.0);
        assert_eq!(mean(&[1.0, 2.0, 3.0]), 2.0);
        // s^2 = 1, R = 3: sem = sqrt(1/3).
        assert!((sem(&[1.0, 2.0, 3.0]) - (1.0f64 / 3.0).sqrt()).abs() < 1e-15);
        let (m, s) = column_mean_sem(&[vec![1.0, 10.0], vec![3.0, 10.0]]);
        assert_eq!(m, vec![2.0, 10.0]);
        assert!((s[0] - 1.0).abs() < 1e-15 && s[1] == 0.0);
    }

    #[test]
    fn bootstrap_of_the_mean_matches_the_sem() {
        // For the mean, the bootstrap SE approaches sqrt((R-1)/R) * sem.
        let xs: Vec<f64> = (0..200).map(|i| ((i * 37) % 101) as f64).collect();
        let [se] = bootstrap_se(xs.len(), 2000, 7, |idx| {
            [idx.iter().map(|&i| xs[i]).sum::<f64>() / idx.len() as f64]
        });
        let want = sem(&xs) * ((xs.len() - 1) as f64 / xs.len() as f64).sqrt();
        assert!((se / want - 1.0).abs() < 0.1, "{se} vs {want}");
        // Deterministic for a seed.
        let [again] = bootstrap_se(xs.len(), 2000, 7, |idx| {
            [idx.iter().map(|&i| xs[i]).sum::<f64>() / idx.len() as f64]
        });
        assert_eq!(se, again);
    }

    #[test]
    fn exact_c0_removes_the_initial_spread() {
        // Two runs that differ only by their initial offset give identical corrected curves.
        let a = [1.0, 0.8, 0.5];
        let b = [1.2, 1.0, 0.7];
        assert_eq!(exact_c0(&a, 1.1), exact_c0(&b, 1.1));
        assert!(exact_c0(&[], 1.0).is_empty());
        // c0 at sigma2 = 0 is 1/2 (W = 0).
        assert_eq!(exact_initial_loss(10, 5, 0.0), 0.5);
    }

    #[test]
    fn control_variate_cancels_a_correlated_control() {
        // vals = 5 + 2 c1 exactly: the fitted estimator recovers 5 with zero error.
        let c: Vec<[f64; 2]> = (0..10)
            .map(|i| [i as f64 - 4.5, ((i * 7) % 5) as f64 - 2.0])
            .collect();
        let vals: Vec<Vec<f64>> = c.iter().map(|ci| vec![5.0 + 2.0 * ci[0]]).collect();
        let (m, s) = control_variate(&vals, &c);
        assert!((m[0] - 5.0).abs() < 1e-12 && s[0] < 1e-12);
    }
}
