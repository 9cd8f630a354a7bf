//! Numeric references for the faces with no closed form with a spectrum (THEORY 9.5 F1, F4):
//! simulations with the covariance's quantile eigenvalues at growing p, extrapolated linearly in
//! 1/p with error bars (the large-data reference runs the full model at N = inf, S = Sigma,
//! whose curves converge to the reduced flow with O(1/p) corrections; the free face runs the
//! reduced flow [`crate::sim::free_flow`] with the covariance).
//!
//! Both use the exact finite-p mean at t = 0 as a control variate: `E l(0) = m1_p [1/2 - sigma2
//! H + (1/2) sigma2^2 H (H + p + 1)]` for the full model (THEORY 9.2, c_0) and `m1_p r_p (r_p + 1
//! + 1/p)/2` for the free flow (A0 is rotation invariant and independent of S and Sigma), with
//! `m1_p` the mean of the quantile eigenvalues at size p. The law is used at mean 1 (THEORY 9.1).

use super::LawContext;
use crate::regimes::curves::{FreeNumericOptions, FreeSize};
use crate::regimes::faces::free::extrapolate;
use crate::regimes::RegimeError;
use serde::Serialize;

/// An extrapolated numeric reference.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NumericReference {
    /// Face times.
    pub times: Vec<f64>,
    /// Extrapolated train quantity.
    pub train: Vec<f64>,
    /// Its standard error (inflated by sqrt(chi^2/dof) when the 1/p fit is poor).
    pub train_err: Vec<f64>,
    /// Extrapolated population quantity.
    pub pop: Vec<f64>,
    /// Its standard error.
    pub pop_err: Vec<f64>,
    /// Per size: the ensemble means and standard errors.
    pub per_size: Vec<FreeSize>,
}

fn sim_err(e: crate::sim::SimError) -> RegimeError {
    RegimeError::Simulation(e.to_string())
}

/// One-control regression estimate per grid point: the mean of `v - beta c` with `beta` fitted
/// by least squares over the runs (`c` has known mean 0); standard errors with n - 2 degrees of
/// freedom. Used when the two losses coincide (N = inf), where the two-control estimate of
/// [`crate::stats::control_variate`] is degenerate.
fn control_variate1(vals: &[Vec<f64>], c: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = vals.len();
    let cm = c.iter().sum::<f64>() / n as f64;
    let scc: f64 = c.iter().map(|x| (x - cm) * (x - cm)).sum();
    let nt = vals.first().map_or(0, |v| v.len());
    let mut means = Vec::with_capacity(nt);
    let mut sems = Vec::with_capacity(nt);
    for t in 0..nt {
        let vm = vals.iter().map(|v| v[t]).sum::<f64>() / n as f64;
        let beta = if n > 3 && scc > 0.0 {
            vals.iter()
                .zip(c)
                .map(|(v, x)| (v[t] - vm) * (x - cm))
                .sum::<f64>()
                / scc
        } else {
            0.0
        };
        let adj: Vec<f64> = vals.iter().zip(c).map(|(v, x)| v[t] - beta * x).collect();
        let m = adj.iter().sum::<f64>() / n as f64;
        let dof = n.saturating_sub(if beta != 0.0 { 2 } else { 1 }).max(1);
        let var = adj.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / dof as f64;
        means.push(m);
        sems.push((var / n as f64).sqrt());
    }
    (means, sems)
}

/// Control-variate means of an ensemble (`mu0` the exact mean at t = 0, recorded first).
fn adjusted(res: &crate::sim::SimResult, mu0: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    if res.runs.iter().all(|r| r.train == r.pop) {
        let c: Vec<f64> = res.runs.iter().map(|r| r.train[0] - mu0).collect();
        let tr: Vec<Vec<f64>> = res.runs.iter().map(|r| r.train.clone()).collect();
        let (a, b) = control_variate1(&tr, &c);
        return (a.clone(), b.clone(), a, b);
    }
    let c0: Vec<[f64; 2]> = res
        .runs
        .iter()
        .map(|run| [run.train[0] - mu0, run.pop[0] - mu0])
        .collect();
    let tr: Vec<Vec<f64>> = res.runs.iter().map(|r| r.train.clone()).collect();
    let po: Vec<Vec<f64>> = res.runs.iter().map(|r| r.pop.clone()).collect();
    let (a, b) = crate::stats::control_variate(&tr, &c0);
    let (c, d) = crate::stats::control_variate(&po, &c0);
    (a, b, c, d)
}

fn finish(times: &[f64], uniq: &[f64], per_size: Vec<FreeSize>) -> NumericReference {
    let x: Vec<f64> = per_size.iter().map(|f| 1.0 / f.p as f64).collect();
    let mut out = NumericReference {
        times: times.to_vec(),
        train: vec![],
        train_err: vec![],
        pop: vec![],
        pop_err: vec![],
        per_size: vec![],
    };
    for &t in times {
        let i = uniq.iter().position(|u| *u == t).expect("time recorded");
        let tv: Vec<f64> = per_size.iter().map(|f| f.train[i]).collect();
        let ts: Vec<f64> = per_size.iter().map(|f| f.train_sem[i]).collect();
        let pv: Vec<f64> = per_size.iter().map(|f| f.pop[i]).collect();
        let ps: Vec<f64> = per_size.iter().map(|f| f.pop_sem[i]).collect();
        let (a, ae) = extrapolate(&x, &tv, &ts);
        let (b, be) = extrapolate(&x, &pv, &ps);
        out.train.push(a);
        out.train_err.push(ae);
        out.pop.push(b);
        out.pop_err.push(be);
    }
    out.per_size = per_size;
    out
}

fn record_times(times: &[f64]) -> Vec<f64> {
    let mut u: Vec<f64> = times.to_vec();
    u.push(0.0);
    u.sort_by(|a, b| a.total_cmp(b));
    u.dedup();
    u
}

/// The face with no closed form with a spectrum whose numeric reference is run (THEORY 9.5).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum NumericFace {
    /// F1: the full model at N = inf, S = Sigma, `H = round(r p)`, `sigma2 = q/p` (RK4).
    LargeData {
        /// q.
        q: f64,
        /// r.
        r: f64,
    },
    /// F4 (and E3 at y = 0): the reduced flow with the covariance, `H = round(r p)`,
    /// `N = round(p/y)` (N = inf for y = 0).
    Free {
        /// r.
        r: f64,
        /// y = 1/alpha.
        y: f64,
    },
}

/// The simulation of the large-data reference at size p (one ensemble of `seeds` runs).
fn large_params(
    q: f64,
    r: f64,
    law: &LawContext,
    p: usize,
    uniq: &[f64],
    seeds: usize,
    seed: u64,
) -> Result<crate::sim::SimParams, RegimeError> {
    use crate::sim::{Integrator, Record, SimParams};
    let t_max = uniq.last().copied().unwrap_or(0.0);
    let h = ((r * p as f64).round() as usize).max(1);
    let mut sp = SimParams::new(p, h, q / p as f64, t_max.max(1e-9))
        .with_n(None)
        .with_spectrum(&law.normalized)
        .map_err(|e| RegimeError::Spectrum {
            reason: e.to_string(),
        })?;
    sp.record = Record::Times(uniq.to_vec());
    sp.seeds = seeds;
    sp.seed = seed;
    sp.integrator = Integrator::Rk4;
    Ok(sp)
}

/// The reduced flow of the free reference at size p, and the mean eigenvalue `m1_p` of its
/// covariance.
fn free_params(
    r: f64,
    y: f64,
    law: &LawContext,
    p: usize,
    uniq: &[f64],
    seeds: usize,
    seed: u64,
) -> Result<(crate::sim::FreeFlowParams, f64), RegimeError> {
    use crate::sim::{FreeFlowParams, Record};
    let tau_max = uniq.last().copied().unwrap_or(0.0);
    let h = ((r * p as f64).round() as usize).max(1);
    let n = (y > 0.0).then(|| ((p as f64 / y).round() as usize).max(1));
    let mut fp = FreeFlowParams::new(p, h, n, tau_max);
    let eig = law
        .normalized
        .eigenvalues(p)
        .map_err(|e| RegimeError::Spectrum {
            reason: e.to_string(),
        })?;
    let m1p = eig.iter().sum::<f64>() / p as f64;
    fp.covariance = Some(eig);
    fp.record = Record::Times(uniq.to_vec());
    fp.seeds = seeds;
    fp.seed = seed;
    Ok((fp, m1p))
}

/// Flops and peak bytes of one run of `face`'s reference at size p on the face times `times`,
/// from the engine's own plan (setup + steps x flops per step + records x record flops; no
/// random draws).
pub fn run_cost(
    face: NumericFace,
    law: &LawContext,
    p: usize,
    times: &[f64],
) -> Result<(f64, f64), RegimeError> {
    let uniq = record_times(times);
    match face {
        NumericFace::LargeData { q, r } => {
            let sp = large_params(q, r, law, p, &uniq, 1, 0)?;
            let e = crate::sim::estimate(&sp).map_err(sim_err)?;
            Ok((e.flops, e.memory_bytes))
        }
        NumericFace::Free { r, y } => {
            let (fp, _) = free_params(r, y, law, p, &uniq, 1, 0)?;
            let job = fp.job().map_err(sim_err)?;
            let steps: f64 = job.sched.iter().map(|s| s.0 as f64).sum();
            let records = job.times.len() as f64;
            let pl = &job.plan;
            Ok((
                pl.setup_flops + steps * pl.flops_per_step + records * pl.record_flops,
                pl.memory_bytes,
            ))
        }
    }
}

/// Candidate top sizes of a budgeted reference (the sizes are `top/4, top/2, top`: doubling,
/// so that the 1/p extrapolation has a lever arm of 4, and p >= 16).
pub const REFERENCE_TOPS: [usize; 5] = [64, 128, 256, 512, 1024];
/// Runs per size the top size must afford within the budget (the noise of the intercept per
/// unit cost favours small p, the O(1/p^2) bias of the linear fit large p).
pub const REFERENCE_MIN_RUNS: usize = 32;
/// Bounds of the runs per size of a budgeted reference.
pub const REFERENCE_RUNS: (usize, usize) = (16, 256);

/// A budgeted choice of sizes and runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReferencePlan {
    /// Sizes p.
    pub sizes: Vec<usize>,
    /// Runs per size.
    pub seeds: usize,
    /// Planned flops of all runs.
    pub flops: f64,
    /// Peak bytes of one run at the top size.
    pub bytes: f64,
    /// The budget (seconds at `flops_per_sec`); None for sizes and runs given explicitly.
    pub budget_secs: Option<f64>,
    /// The speed the plan assumes (flops per second).
    pub flops_per_sec: f64,
}

impl ReferencePlan {
    /// Planned seconds at the assumed speed.
    pub fn secs(&self) -> f64 {
        self.flops / self.flops_per_sec
    }
}

/// Sizes and runs of `face`'s reference from a time budget, as the free-face reference of
/// `prism check` chooses them: three doubling sizes `top/4, top/2, top`, `top` the largest of
/// [`REFERENCE_TOPS`] at which [`REFERENCE_MIN_RUNS`] runs per size fit `budget_secs` at
/// `flops_per_sec` (the smallest top when none does), then as many runs as the budget buys,
/// within [`REFERENCE_RUNS`]. The cost is the engines' plan ([`run_cost`]), so the choice is a
/// deterministic function of the face, the law, the times and the budget (with a fixed speed,
/// e.g. [`crate::budget::FLOPS_PER_SEC`], it is the same on every machine).
pub fn plan_reference(
    face: NumericFace,
    law: &LawContext,
    times: &[f64],
    budget_secs: f64,
    flops_per_sec: f64,
) -> Result<ReferencePlan, RegimeError> {
    let afford = budget_secs.max(0.0) * flops_per_sec;
    let per_run = |top: usize| -> Result<(f64, f64, Vec<usize>), RegimeError> {
        let sizes = vec![top / 4, top / 2, top];
        let mut flops = 0.0;
        let mut bytes: f64 = 0.0;
        for &p in &sizes {
            let (f, b) = run_cost(face, law, p, times)?;
            flops += f;
            bytes = bytes.max(b);
        }
        Ok((flops, bytes, sizes))
    };
    let mut chosen = per_run(REFERENCE_TOPS[0])?;
    for &top in &REFERENCE_TOPS[1..] {
        let c = per_run(top)?;
        if c.0 * REFERENCE_MIN_RUNS as f64 > afford {
            break;
        }
        chosen = c;
    }
    let (flops, bytes, sizes) = chosen;
    let seeds = ((afford / flops.max(1.0)) as usize).clamp(REFERENCE_RUNS.0, REFERENCE_RUNS.1);
    Ok(ReferencePlan {
        sizes,
        seeds,
        flops: flops * seeds as f64,
        bytes,
        budget_secs: Some(budget_secs),
        flops_per_sec,
    })
}

/// The cost of `face`'s reference with the sizes and runs given explicitly.
pub fn explicit_plan(
    face: NumericFace,
    law: &LawContext,
    times: &[f64],
    sizes: &[usize],
    seeds: usize,
    flops_per_sec: f64,
) -> Result<ReferencePlan, RegimeError> {
    let mut flops = 0.0;
    let mut bytes: f64 = 0.0;
    for &p in sizes {
        let (f, b) = run_cost(face, law, p, times)?;
        flops += f * seeds as f64;
        bytes = bytes.max(b);
    }
    Ok(ReferencePlan {
        sizes: sizes.to_vec(),
        seeds,
        flops,
        bytes,
        budget_secs: None,
        flops_per_sec,
    })
}

/// The reference of `face` (dispatch to [`large_data_reference`] and [`free_reference`]).
pub fn reference(
    face: NumericFace,
    law: &LawContext,
    times: &[f64],
    opts: &FreeNumericOptions,
) -> Result<NumericReference, RegimeError> {
    match face {
        NumericFace::LargeData { q, r } => large_data_reference(q, r, law, times, opts),
        NumericFace::Free { r, y } => free_reference(r, y, law, times, opts),
    }
}

/// F1 (large-data) with a spectrum: the full model at N = inf (S = Sigma), `H = round(r p)`,
/// `sigma2 = q/p`, RK4, simulated at each size in `opts.sizes` with `opts.seeds` runs,
/// extrapolated in 1/p. Face time = t.
pub fn large_data_reference(
    q: f64,
    r: f64,
    law: &LawContext,
    times: &[f64],
    opts: &FreeNumericOptions,
) -> Result<NumericReference, RegimeError> {
    let uniq = record_times(times);
    let mut per_size = Vec::new();
    for &p in &opts.sizes {
        let sp = large_params(q, r, law, p, &uniq, opts.seeds, opts.seed)?;
        let res = crate::sim::simulate(&sp).map_err(sim_err)?;
        let m1p = sp.sigma_mean();
        let (h, s2) = (sp.h, sp.sigma2);
        let (hf, pf) = (h as f64, p as f64);
        let mu0 = m1p * (0.5 - s2 * hf + 0.5 * s2 * s2 * hf * (hf + pf + 1.0));
        let (a, b, c, d) = adjusted(&res, mu0);
        per_size.push(FreeSize {
            p,
            h,
            n: 0,
            train: a,
            train_sem: b,
            pop: c,
            pop_sem: d,
        });
    }
    Ok(finish(times, &uniq, per_size))
}

/// F4 (free) with a spectrum: the reduced flow with the covariance, `H = round(r p)`,
/// `N = round(p / y)` (N = inf for y = 0), extrapolated in 1/p. Face time tau = q t.
pub fn free_reference(
    r: f64,
    y: f64,
    law: &LawContext,
    times: &[f64],
    opts: &FreeNumericOptions,
) -> Result<NumericReference, RegimeError> {
    let uniq = record_times(times);
    let mut per_size = Vec::new();
    for &p in &opts.sizes {
        let (fp, m1p) = free_params(r, y, law, p, &uniq, opts.seeds, opts.seed)?;
        let res = crate::sim::free_flow(&fp).map_err(sim_err)?;
        let (h, n) = (fp.h, fp.n);
        let rp = h as f64 / p as f64;
        let mu0 = m1p * 0.5 * rp * (rp + 1.0 + 1.0 / p as f64);
        let (a, b, c, d) = adjusted(&res, mu0);
        per_size.push(FreeSize {
            p,
            h,
            n: n.unwrap_or(0),
            train: a,
            train_sem: b,
            pop: c,
            pop_sem: d,
        });
    }
    Ok(finish(times, &uniq, per_size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::frac;
    use crate::spec::SpectrumLaw;

    fn two_level() -> LawContext {
        LawContext::new(
            &SpectrumLaw::atoms(vec![(frac(1, 2), frac(1, 2)), (frac(3, 2), frac(1, 2))]).unwrap(),
        )
        .unwrap()
    }

    /// THEORY 9.7: large-data, two-level, r = 1/2, q = 1, N = inf: l(1) = 0.1895 +- 0.0005.
    /// `cargo test --release large_data_reference_theory -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn large_data_reference_theory_9_7() {
        let opts = FreeNumericOptions {
            sizes: vec![50, 100, 200, 400],
            seeds: 16,
            seed: 1,
        };
        let r = large_data_reference(1.0, 0.5, &two_level(), &[0.0, 0.5, 1.0], &opts).unwrap();
        println!("{r:#?}");
        let (v, e) = (r.train[2], r.train_err[2]);
        assert!(
            (v - 0.1895).abs() < 3.0 * (e * e + 0.0005 * 0.0005).sqrt(),
            "{v} +- {e}"
        );
    }

    /// THEORY 9.5 F4: free face initial slope of l_pop/q^2, two-level, r = 1/2: -49/8, any alpha;
    /// a finite difference of the extrapolated reference.
    #[test]
    #[ignore]
    fn free_reference_slope() {
        let opts = FreeNumericOptions {
            sizes: vec![64, 128, 256],
            seeds: 16,
            seed: 2,
        };
        let h = 0.005;
        for y in [0.5, 2.0] {
            let r =
                free_reference(0.5, y, &two_level(), &[0.0, h, 2.0 * h, 0.1, 0.5], &opts).unwrap();
            let slope = (-3.0 * r.pop[0] + 4.0 * r.pop[1] - r.pop[2]) / (2.0 * h);
            println!("y = {y}: {r:#?}\nslope {slope}");
            assert!((slope + 6.125).abs() < 0.3, "{slope}");
        }
    }

    /// The budgeted plan: deterministic, within the budget, larger with a larger budget, and the
    /// cost model is the engines' (RK4 steps of the full model grow like p^3).
    #[test]
    fn plans_from_a_budget() {
        let law = two_level();
        let times = [0.0, 0.5, 1.0];
        let face = NumericFace::LargeData { q: 1.0, r: 0.5 };
        let f = crate::budget::FLOPS_PER_SEC;
        let small = plan_reference(face, &law, &times, 5.0, f).unwrap();
        let again = plan_reference(face, &law, &times, 5.0, f).unwrap();
        assert_eq!(small, again);
        let big = plan_reference(face, &law, &times, 600.0, f).unwrap();
        assert!(big.sizes.last() > small.sizes.last(), "{small:?} {big:?}");
        for pl in [&small, &big] {
            assert_eq!(pl.sizes.len(), 3);
            assert_eq!(pl.sizes[2], 2 * pl.sizes[1]);
            assert_eq!(pl.sizes[1], 2 * pl.sizes[0]);
            assert!(pl.seeds >= REFERENCE_RUNS.0 && pl.seeds <= REFERENCE_RUNS.1);
            // Within the budget unless the smallest plan is already over it.
            if pl.sizes[2] > REFERENCE_TOPS[0] {
                assert!(pl.secs() <= pl.budget_secs.unwrap() * 1.0001, "{pl:?}");
            }
        }
        let (c1, _) = run_cost(face, &law, 64, &times).unwrap();
        let (c2, _) = run_cost(face, &law, 128, &times).unwrap();
        assert!(c2 / c1 > 4.0 && c2 / c1 < 16.0, "{}", c2 / c1);
        let fr =
            plan_reference(NumericFace::Free { r: 0.5, y: 1.0 }, &law, &times, 5.0, f).unwrap();
        let ex = explicit_plan(
            NumericFace::Free { r: 0.5, y: 1.0 },
            &law,
            &times,
            &fr.sizes,
            fr.seeds,
            f,
        )
        .unwrap();
        assert!((ex.flops - fr.flops).abs() <= 1e-9 * fr.flops);
    }

    /// Fast: small sizes, the extrapolation runs and starts at the exact value r(1 + r)/2.
    #[test]
    fn free_reference_small() {
        let opts = FreeNumericOptions {
            sizes: vec![16, 32],
            seeds: 4,
            seed: 0,
        };
        let r = free_reference(0.5, 1.0, &two_level(), &[0.0, 0.05], &opts).unwrap();
        assert!((r.pop[0] - 0.375).abs() < 0.02, "{:?}", r.pop);
        assert!(r.pop[1] < r.pop[0]);
    }
}
