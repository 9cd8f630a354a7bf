//! `prism check`: a spec's limit against simulations at growing n, with a computed verdict.
//!
//! Pipeline: classify the spec (face, exact scales, expected correction exponent rho) ->
//! evaluate the face's limit on a grid of face times T (or, where no closed form exists, the
//! exact leading series inside its apparent radius of convergence) -> at each n, simulate the
//! finite model (p, H, N rounded to integers, sigma2 exact) at the raw times t(T), normalize
//! each run as the face requires, average -> distances (sup-norm and L2 over the grid) with
//! standard errors -> fitted decay rate and [`super::verdict::assess`].
//!
//! The expected rate rho is computed exactly from the hierarchy by the classifier: the gap
//! between the dominant face and the next monomial in direction u, or 1/p, whichever is larger.

use super::verdict::{assess, Assessment, Verdict};
use crate::expansion;
use crate::polytope::{classify, FittedPrism, Loss};
use crate::regimes::{self, Constants, LimitCurves, Ratios, Regime};
use crate::sim::{self, Integrator, Mode, Record, SimParams};
use crate::spec::{DataSize, Instance, Spec};
use crate::stats;
use serde::Serialize;

/// Options of a check.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// The sizes n at which the spec is evaluated.
    pub sizes: Vec<f64>,
    /// Runs per size to start with.
    pub seeds: usize,
    /// While the verdict is inconclusive, runs per size are multiplied by 4 up to this.
    pub max_seeds: usize,
    /// Base seed (run i of every size uses base + i).
    pub seed: u64,
    /// Largest face time; None picks [`regimes::DEFAULT_FACE_TIME`], shortened to the
    /// validity window.
    pub t_max: Option<f64>,
    /// Number of intervals of the face-time grid.
    pub points: usize,
    /// Simulation engine family.
    pub mode: Mode,
    /// Refuse runs whose estimated cost exceeds this many floating-point operations.
    pub max_flops: f64,
    /// Series order for faces without a closed form.
    pub series_order: usize,
    /// Compare against the limit law (and normalization) of this face instead of the face the
    /// spec selects: how a claim such as "the large-data formula describes this spec" is tested.
    pub formula: Option<Regime>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            sizes: vec![256.0, 512.0, 1024.0, 2048.0],
            seeds: 16,
            max_seeds: 256,
            seed: 0,
            t_max: None,
            points: regimes::DEFAULT_POINTS,
            mode: Mode::Fast,
            max_flops: 4e12,
            series_order: 8,
            formula: None,
        }
    }
}

/// Errors of a check (user errors and refusals, not verdicts).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// Classification failed.
    #[error(transparent)]
    Classify(#[from] crate::polytope::ClassifyError),
    /// The limit could not be evaluated.
    #[error(transparent)]
    Regime(#[from] regimes::RegimeError),
    /// The series could not be computed.
    #[error(transparent)]
    Expansion(#[from] expansion::ExpansionError),
    /// A simulation failed (e.g. diverged).
    #[error("simulation at n = {n}: {source}")]
    Sim {
        /// The size.
        n: f64,
        /// The error.
        source: sim::SimError,
    },
    /// A request that would take too long.
    #[error("n = {n} gives p = {p}, H = {h}: about {est:.1e} floating-point operations ({secs:.0} s at 5 GFLOP/s), above the limit of {max:.0e}; use smaller --n or fewer --seeds")]
    TooLarge {
        /// The size.
        n: f64,
        /// p at that size.
        p: usize,
        /// H at that size.
        h: usize,
        /// Estimated flops.
        est: f64,
        /// Estimated seconds.
        secs: f64,
        /// The limit.
        max: f64,
    },
    /// A size n gives no usable finite model.
    #[error(transparent)]
    Instance(#[from] crate::spec::InstanceError),
    /// Bad options.
    #[error("{0}")]
    Options(String),
}

/// Resamples of the bootstrap over runs behind the distances' standard errors.
const BOOTSTRAP_RESAMPLES: usize = 200;
/// Base seed of that bootstrap (combined with the bits of n, so each size has its own stream).
const BOOTSTRAP_SEED: u64 = 0x5eed;

/// The finite model at one n.
#[derive(Clone, Debug, Serialize)]
pub struct SizeRun {
    /// The growth variable n.
    pub n: f64,
    /// Input dimension (rounded).
    pub p: usize,
    /// Latent dimension (rounded).
    #[serde(rename = "H")]
    pub h: usize,
    /// Training-set size (rounded; None = infinity).
    #[serde(rename = "N")]
    pub n_data: Option<usize>,
    /// Initialization variance.
    pub sigma2: f64,
    /// r, q, y of the rounded model.
    pub ratios: Ratios,
    /// Euler step.
    pub dt: f64,
    /// Largest raw time simulated.
    pub t_raw_max: f64,
    /// Normalized train quantity: mean and standard error per face time.
    pub train_mean: Vec<f64>,
    /// Standard error.
    pub train_sem: Vec<f64>,
    /// Normalized population quantity: mean.
    pub pop_mean: Vec<f64>,
    /// Standard error.
    pub pop_sem: Vec<f64>,
    /// Runs (seeds base .. base + seeds).
    pub seeds: usize,
    /// Wall time of the ensemble, seconds.
    pub seconds: f64,
}

/// Distance to the limit at one n (over the grid points T > 0).
#[derive(Clone, Debug, Serialize)]
pub struct SizeError {
    /// The size.
    pub n: f64,
    /// max_T |sim - limit|.
    pub sup: f64,
    /// Standard error of `sup` (that of the mean at the maximizing time).
    pub sup_se: f64,
    /// sqrt(mean_T (sim - limit)^2 - mean_T sem^2): the root-mean-square distance with the
    /// statistical noise removed (0 when the distance is within noise).
    pub l2: f64,
    /// Standard error of `l2` (delta method).
    pub l2_se: f64,
}

/// The check of one loss.
#[derive(Clone, Debug, Serialize)]
pub struct LossCheck {
    /// Which loss.
    pub loss: Loss,
    /// The normalized quantity, e.g. `(l_tr - l_tr(0))/r`.
    pub quantity: String,
    /// Errors per size.
    pub errors: Vec<SizeError>,
    /// Assessment of the sup-norm errors (reported).
    pub sup: Assessment,
    /// Assessment of the (noise-debiased) L2 errors: decides the verdict, being the better
    /// determined of the two.
    pub l2: Assessment,
}

/// What the simulation was compared with.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reference {
    /// The limit curve of THEORY section 5.
    Limit {
        /// How it was evaluated.
        method: String,
    },
    /// The exact leading series (no closed form), inside its apparent radius of convergence.
    Series {
        /// Order of truncation.
        order: usize,
        /// Apparent radius of convergence in face time.
        radius: f64,
    },
}

/// The full result of `prism check`.
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    /// The spec, canonical.
    pub spec: String,
    /// The face whose law is compared (the spec's own face unless a formula was asked for).
    pub face: String,
    /// The face the spec selects.
    pub spec_face: Regime,
    /// The face time variable, e.g. `tau = t/alpha`.
    pub time_variable: String,
    /// Finite constants (name, value).
    pub constants: Vec<(String, f64)>,
    /// What was compared against.
    pub reference: Reference,
    /// The time window used, and why.
    pub window: String,
    /// Face times of the grid.
    pub times: Vec<f64>,
    /// Reference values, train.
    pub limit_train: Vec<f64>,
    /// Reference values, pop.
    pub limit_pop: Vec<f64>,
    /// Expected correction exponent rho (exact, as a string) and as a float.
    pub expected_rate: String,
    /// The simulations.
    pub sizes: Vec<SizeRun>,
    /// Per-loss errors and assessments.
    pub losses: Vec<LossCheck>,
    /// The overall verdict.
    pub verdict: Verdict,
    /// Remarks.
    pub notes: Vec<String>,
}

/// Constants of the face from the spec's prefactors.
pub fn constants_of(spec: &Spec) -> Constants {
    let f = crate::poly::rat_to_f64;
    let cp = f(&spec.p.prefactor);
    let r0 = f(&spec.h.prefactor) / cp;
    let q0 = f(&spec.sigma2.prefactor) * cp;
    let y0 = match &spec.n_data {
        DataSize::Finite(s) => Some(cp / f(&s.prefactor)),
        DataSize::Infinite => None,
    };
    Constants::from_prefactors(r0, q0, y0)
}

/// Rough cost of one ensemble in flops: steps x field evaluations per step x flops per
/// evaluation x runs, with the per-evaluation costs of the fast engines documented in
/// [`crate::sim`] (S = I: O(min(H, p)); otherwise an h x p' state — H x (N + H) for the data
/// span, p x p for H >= p, H x p else — at min(3 h^2 (p' + N'), 3 h N' (2p' - N'))), or
/// O(H p min(p, N)) in physical mode.
fn estimate_flops(params: &SimParams) -> f64 {
    let p = params.p as f64;
    let h = params.h as f64;
    let per_eval = match (params.mode, params.n) {
        (Mode::Physical, n) => 6.0 * h * p * n.map_or(p, |n| (n as f64).min(p)),
        (Mode::Fast, None) => 50.0 * h.min(p),
        (Mode::Fast, Some(n)) => {
            // The state the fast engine evolves (sim::setup): the data span plus the H x H
            // Bartlett block when N < p and H <= p - N; the p x p Bartlett factor when H >= p;
            // otherwise W itself. Then the reduced engine's cheaper side.
            let (hh, pp) = if params
                .n
                .is_some_and(|n| n < params.p && params.h + n <= params.p)
            {
                (h, n as f64 + h)
            } else if params.h >= params.p {
                (p, p)
            } else {
                (h, p)
            };
            let n = (n as f64).min(pp);
            (3.0 * hh * hh * (pp + n)).min(3.0 * hh * n * (2.0 * pp - n))
        }
    };
    let evals = if params.integrator == Integrator::Rk4 {
        4.0
    } else {
        1.0
    };
    let steps = (params.t_max / params.dt()).ceil().max(1.0);
    per_eval * evals * steps * params.seeds as f64
}

/// Largest last-term size of a truncated series reference (absolute, in the normalized loss).
pub const SERIES_TOL: f64 = 1e-5;

/// The series reference: values of sum_s c_s T^s / s! and the apparent radius.
struct SeriesRef {
    order: usize,
    radius: f64,
    train: Vec<Vec<f64>>,
    pop: Vec<Vec<f64>>,
}

impl SeriesRef {
    fn eval(coeffs: &[Vec<f64>], t: f64) -> f64 {
        let mut sum = 0.0;
        let mut term = 1.0;
        for (s, c) in coeffs[0].iter().enumerate() {
            if s > 0 {
                term *= t / s as f64;
            }
            sum += c * term;
        }
        sum
    }

    /// Largest T at which the last Taylor term of both losses, |c_S| T^S / S!, is below `tol`.
    fn tolerable_time(&self, tol: f64) -> f64 {
        let last = |c: &[f64]| -> f64 {
            let s = c.len() - 1;
            let fact: f64 = (1..=s).map(|k| k as f64).product();
            let a = c[s].abs() / fact;
            if a == 0.0 || s == 0 {
                f64::INFINITY
            } else {
                (tol / a).powf(1.0 / s as f64)
            }
        };
        last(&self.train[0]).min(last(&self.pop[0]))
    }

    /// Apparent radius from the last three Taylor coefficients a_s = c_s / s!.
    fn radius_of(c: &[f64]) -> f64 {
        let mut fact = 1.0;
        let mut r = f64::INFINITY;
        let top = c.len().saturating_sub(1);
        for (s, v) in c.iter().enumerate() {
            if s > 0 {
                fact *= s as f64;
            }
            if s + 3 > top && s > 0 && *v != 0.0 {
                r = r.min((v.abs() / fact).powf(-1.0 / s as f64));
            }
        }
        r
    }
}

fn series_reference(
    regime: Regime,
    spec_consts: &Constants,
    order: usize,
) -> Result<SeriesRef, CheckError> {
    let at = regime.resolve(spec_consts)?;
    // The interior and the free face take the face's part of the leading hierarchy
    // (regimes::restrict; exactly their limit series, THEORY 5.5, confirmed by the regimes
    // tests): for the interior that is all of c_s, and for the free face it is much faster than
    // the free-probability route of regimes::limit_series.
    let coeffs = |loss: Loss| -> Result<Vec<f64>, CheckError> {
        Ok(match regime {
            Regime::Proportional | Regime::Free => expansion::leading_coefficients(order, loss)?
                .iter()
                .enumerate()
                .map(|(s, c)| regimes::restrict(regime, loss, s, c).eval_f64(&at))
                .collect(),
            _ => regimes::limit_series(regime, order)?
                .coeffs(loss)
                .iter()
                .map(|c| c.eval_f64(&at))
                .collect(),
        })
    };
    let (train, pop) = (coeffs(Loss::Train)?, coeffs(Loss::Pop)?);
    let radius = SeriesRef::radius_of(&train).min(SeriesRef::radius_of(&pop));
    Ok(SeriesRef {
        order,
        radius,
        train: vec![train],
        pop: vec![pop],
    })
}

/// Run the check. `progress` receives one line per stage (the CLI prints it on stderr).
pub fn check(
    spec: &Spec,
    prism: &FittedPrism,
    opts: &CheckOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<CheckReport, CheckError> {
    if opts.sizes.len() < 2 {
        return Err(CheckError::Options(
            "give at least two sizes n to measure a rate".into(),
        ));
    }
    if opts.seeds < 2 {
        return Err(CheckError::Options(
            "give at least two seeds for error bars".into(),
        ));
    }
    let cls = classify(spec, prism)?;
    let regime = match opts.formula {
        Some(r) => r,
        None => cls.face,
    };
    let consts = constants_of(spec);
    let rate_exact = cls.exact.correction_exponent.clone();
    let rate = crate::poly::rat_to_f64(&rate_exact);
    let mut notes = Vec::new();
    if regime != cls.face {
        notes.push(format!(
            "the spec selects the face {}, but the {} law was asked for: its limit and normalization are used",
            cls.face,
            regime.name()
        ));
    }
    let mut sizes: Vec<f64> = opts.sizes.clone();
    sizes.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));

    // The finite models (one rounding rule: Spec::instance).
    let models: Vec<Instance> = sizes
        .iter()
        .map(|&n| spec.instance(n))
        .collect::<Result<_, _>>()?;

    // Time window: T_max = 1 by default, shortened by the validity windows at the smallest n.
    let x0 = models[0].ratios();
    let mut t_max = opts.t_max.unwrap_or(regimes::DEFAULT_FACE_TIME);
    let mut window = format!("{} in [0, {t_max}]", regime.time_symbol());
    let windows = regime.validity(&x0);
    for w in &windows {
        if let Some(scale) = w.scale {
            if opts.t_max.is_none() && scale.is_finite() && scale > 0.0 && 0.25 * scale < t_max {
                t_max = 0.25 * scale;
                window = format!(
                    "{} in [0, {t_max:.3}]: a quarter of the validity scale {scale:.3} of {} at the smallest n",
                    regime.time_symbol(),
                    w.condition
                );
            }
        }
    }
    let unquantified: Vec<&str> = windows
        .iter()
        .filter(|w| w.scale.is_none())
        .map(|w| w.condition)
        .collect();
    if !unquantified.is_empty() {
        notes.push(format!(
            "validity conditions of this face (THEORY 5.3b): {}",
            unquantified.join("; ")
        ));
    }
    let mut series_ref = None;
    if !regime.has_closed_form(consts.y) {
        let sr = series_reference(regime, &consts, opts.series_order)?;
        // Stay inside half the apparent radius, and where the last term kept is below
        // SERIES_TOL: the truncation error does not shrink with n, so it must sit well under
        // the finite-size corrections being measured.
        let limit = (sr.radius / 2.0).min(sr.tolerable_time(SERIES_TOL));
        if limit < t_max {
            t_max = limit;
        }
        window = format!(
            "{} in [0, {t_max:.3}]: no closed form is known on this face, so the simulation is compared with the exact leading series (order {}) inside its apparent radius of convergence ({:.3}), where the last term kept is below {SERIES_TOL:e}",
            regime.time_symbol(),
            sr.order,
            sr.radius
        );
        notes.push(
            "no closed form is known for this face: the reference is the exact leading series"
                .into(),
        );
        series_ref = Some(sr);
    }
    let k = opts.points.max(2);
    let times: Vec<f64> = (0..=k).map(|i| t_max * i as f64 / k as f64).collect();

    // The reference curves.
    progress(&format!(
        "limit on face {} ({} points)",
        cls.face,
        times.len()
    ));
    let (limit_train, limit_pop, reference) = match &series_ref {
        Some(sr) => {
            let tr: Vec<f64> = times
                .iter()
                .map(|&t| SeriesRef::eval(&sr.train, t))
                .collect();
            let po: Vec<f64> = times.iter().map(|&t| SeriesRef::eval(&sr.pop, t)).collect();
            (
                tr,
                po,
                Reference::Series {
                    order: sr.order,
                    radius: sr.radius,
                },
            )
        }
        None => {
            let lc: LimitCurves = regimes::limit_curve(regime, &consts, &times)?;
            let method = serde_json::to_value(&lc.method)
                .ok()
                .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
                .unwrap_or_else(|| "limit".into());
            notes.extend(lc.notes.iter().cloned());
            (lc.train, lc.pop, Reference::Limit { method })
        }
    };
    // The proportional series is of l itself; subtract nothing. Other faces follow their
    // normalization, which the limit/series already uses.

    // Refuse oversize runs before running any.
    let mut plans = Vec::new();
    for inst in &models {
        let (n, p, h) = (inst.n, inst.p, inst.h);
        let x = inst.ratios();
        let norm = regime.normalization(Loss::Train);
        let raw: Vec<f64> = times.iter().map(|&t| norm.raw_time(t, &x)).collect();
        let t_raw_max = *raw.last().unwrap_or(&0.0);
        let mut params = inst.sim_params(t_raw_max);
        params.record = Record::Times(raw);
        params.seeds = opts.seeds;
        params.seed = opts.seed;
        params.mode = opts.mode;
        // The limits describe the gradient flow: integrate it with RK4 (step 2.5x the Euler
        // default; the RK4 error, O(dt^4), is then far below the statistical noise), so that
        // the O(dt) bias of explicit Euler does not masquerade as a finite-size gap.
        params.integrator = Integrator::Rk4;
        params.dt = Some(2.5 * params.default_dt());
        let est = estimate_flops(&params);
        if est > opts.max_flops {
            return Err(CheckError::TooLarge {
                n,
                p,
                h,
                est,
                secs: est / 5e9,
                max: opts.max_flops,
            });
        }
        plans.push((n, x, params));
    }
    let rounded = models.iter().any(Instance::was_rounded);
    if rounded {
        notes.push(
            "dimensions were rounded to integers at some n; normalizations use the rounded ratios"
                .into(),
        );
    }

    // Simulate, normalize, assess; while the verdict is inconclusive, add runs (4x, up to
    // `max_seeds` and the cost limit). Run i always has seed base + i, so adding runs extends
    // the same ensemble deterministically.
    let mut per_run_curves: Vec<(Vec<Vec<f64>>, Vec<Vec<f64>>)> =
        vec![(Vec::new(), Vec::new()); plans.len()];
    let mut info: Vec<(f64, f64)> = vec![(0.0, 0.0); plans.len()]; // (dt, seconds)
    let mut have = 0usize;
    let mut target = opts.seeds;
    let (losses, verdict) = loop {
        for (k, (n, x, base)) in plans.iter().enumerate() {
            let mut params = base.clone();
            params.seed = opts.seed + have as u64;
            params.seeds = target - have;
            progress(&format!(
                "n = {n}: p = {}, H = {}, N = {}, sigma2 = {:.4e}, runs {}..{}",
                params.p,
                params.h,
                params.n.map_or("inf".to_string(), |v| v.to_string()),
                params.sigma2,
                have,
                target
            ));
            let start = std::time::Instant::now();
            let res = sim::simulate(&params).map_err(|source| CheckError::Sim { n: *n, source })?;
            info[k].0 = res.info.dt;
            info[k].1 += start.elapsed().as_secs_f64();
            let c0 = stats::exact_initial_loss(params.p, params.h, params.sigma2);
            for loss in [Loss::Train, Loss::Pop] {
                let norm = regime.normalization(loss);
                let dest = if loss == Loss::Train {
                    &mut per_run_curves[k].0
                } else {
                    &mut per_run_curves[k].1
                };
                for r in &res.runs {
                    let l = if loss == Loss::Train {
                        &r.train
                    } else {
                        &r.pop
                    };
                    // The exact-c0 control variate (stats::exact_c0, THEORY section 2).
                    dest.push(norm.run_quantities(l, c0, x));
                }
            }
        }
        have = target;
        let (losses, verdict) = assess_all(
            regime,
            &plans,
            &per_run_curves,
            &limit_train,
            &limit_pop,
            rate,
        );
        let next = (target * 4).min(opts.max_seeds);
        let affordable = plans.iter().all(|(_, _, base)| {
            let mut p = base.clone();
            p.seeds = next;
            estimate_flops(&p) <= opts.max_flops
        });
        if verdict != Verdict::Inconclusive || next <= target || !affordable {
            if verdict == Verdict::Inconclusive {
                notes.push(format!(
                    "still inconclusive with {target} runs per size; more runs would exceed the limit of {} runs or the cost limit",
                    opts.max_seeds
                ));
            }
            break (losses, verdict);
        }
        progress(&format!(
            "inconclusive with {target} runs per size: extending to {next}"
        ));
        notes.push(format!(
            "inconclusive with {target} runs per size, so the ensemble was extended to {next}"
        ));
        target = next;
    };
    let runs: Vec<SizeRun> = plans
        .iter()
        .zip(&per_run_curves)
        .zip(&info)
        .map(|(((n, x, params), (tr, po)), (dt, seconds))| {
            let (train_mean, train_sem) = stats::column_mean_sem(tr);
            let (pop_mean, pop_sem) = stats::column_mean_sem(po);
            SizeRun {
                n: *n,
                p: params.p,
                h: params.h,
                n_data: params.n,
                sigma2: params.sigma2,
                ratios: *x,
                dt: *dt,
                t_raw_max: params.t_max,
                seeds: have,
                train_mean,
                train_sem,
                pop_mean,
                pop_sem,
                seconds: *seconds,
            }
        })
        .collect();
    let constants = regime
        .constant_names()
        .into_iter()
        .zip(regime.resolve(&consts).unwrap_or_default())
        .map(|(n, v)| (n.to_string(), v))
        .collect();
    Ok(CheckReport {
        spec: cls.spec.clone(),
        face: regime.name().to_string(),
        spec_face: cls.face,
        time_variable: regime.time_variable(),
        constants,
        reference,
        window,
        times,
        limit_train,
        limit_pop,
        expected_rate: rate_exact.to_string(),
        sizes: runs,
        losses,
        verdict,
        notes,
    })
}

/// Errors and assessments of both losses from the per-run normalized curves; the verdict is
/// `disagrees` if either loss disagrees, `agrees` if both agree, else `inconclusive`.
fn assess_all(
    regime: Regime,
    plans: &[(f64, Ratios, SimParams)],
    per_run_curves: &[(Vec<Vec<f64>>, Vec<Vec<f64>>)],
    limit_train: &[f64],
    limit_pop: &[f64],
    rate: f64,
) -> (Vec<LossCheck>, Verdict) {
    let mut losses = Vec::new();
    for loss in [Loss::Train, Loss::Pop] {
        let limit = if loss == Loss::Train {
            limit_train
        } else {
            limit_pop
        };
        let scale = {
            let lo = limit.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = limit.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            (hi - lo)
                .abs()
                .max(limit.iter().map(|v| v.abs()).fold(0.0, f64::max) * 0.1)
                .max(1e-6)
        };
        let errors: Vec<SizeError> = plans
            .iter()
            .zip(per_run_curves)
            .map(|((n, _, _), (tr, po))| {
                distances(*n, if loss == Loss::Train { tr } else { po }, limit)
            })
            .collect();
        let ns: Vec<f64> = errors.iter().map(|e| e.n).collect();
        let sup: Vec<f64> = errors.iter().map(|e| e.sup).collect();
        let sup_se: Vec<f64> = errors.iter().map(|e| e.sup_se).collect();
        let l2: Vec<f64> = errors.iter().map(|e| e.l2).collect();
        let l2_se: Vec<f64> = errors.iter().map(|e| e.l2_se).collect();
        losses.push(LossCheck {
            loss,
            quantity: regime.quantity(loss),
            sup: assess(&ns, &sup, &sup_se, rate, scale),
            l2: assess(&ns, &l2, &l2_se, rate, scale),
            errors,
        });
    }
    let verdicts: Vec<Verdict> = losses.iter().map(|l| l.l2.verdict).collect();
    let verdict = if verdicts.contains(&Verdict::Disagrees) {
        Verdict::Disagrees
    } else if verdicts.iter().all(|v| *v == Verdict::Agrees) {
        Verdict::Agrees
    } else {
        Verdict::Inconclusive
    };
    (losses, verdict)
}

/// E l(0) exactly, for both losses ([`stats::exact_initial_loss`]).
pub use crate::stats::exact_initial_loss;

/// Sup-norm and L2 distances of the ensemble-mean curve to the reference over the grid points
/// T > 0. The point T = 0 is left out: there the simulated mean is the exact c_0 (control
/// variate) and its O(1/p) offset from the limit says nothing about the dynamics.
///
/// The L2 distance is debiased for noise: E[d_i^2] = bias_i^2 + sem_i^2, so
/// `L2 = sqrt(max(0, mean(d^2) - mean(sem^2)))`. Standard errors of both distances come from a
/// bootstrap over runs (B = 200 resamples, fixed seed), which keeps the strong correlation
/// between grid points of one run; treating the points as independent would understate them.
fn distances(n: f64, per_run: &[Vec<f64>], limit: &[f64]) -> SizeError {
    let metrics = |runs: &[&Vec<f64>]| -> (f64, f64) {
        let owned: Vec<Vec<f64>> = runs.iter().map(|v| v.to_vec()).collect();
        let (mean, sem) = stats::column_mean_sem(&owned);
        let d: Vec<f64> = mean[1..]
            .iter()
            .zip(&limit[1..])
            .map(|(a, b)| a - b)
            .collect();
        let sup = d.iter().map(|v| v.abs()).fold(0.0, f64::max);
        let k = d.len() as f64;
        let raw2 = d.iter().map(|v| v * v).sum::<f64>() / k;
        let noise2 = sem[1..].iter().map(|s| s * s).sum::<f64>() / k;
        (sup, (raw2 - noise2).max(0.0).sqrt())
    };
    let all: Vec<&Vec<f64>> = per_run.iter().collect();
    let (sup, l2) = metrics(&all);
    let [sup_se, l2_se] = stats::bootstrap_se(
        per_run.len(),
        BOOTSTRAP_RESAMPLES,
        BOOTSTRAP_SEED ^ n.to_bits(),
        |idx| {
            let sample: Vec<&Vec<f64>> = idx.iter().map(|&i| &per_run[i]).collect();
            let (s1, s2) = metrics(&sample);
            [s1, s2]
        },
    );
    SizeError {
        n,
        sup,
        sup_se,
        l2,
        l2_se,
    }
}

/// Overlay plot: per loss, the reference and the simulated curves (one per n, 2-sigma bands).
pub fn plot(report: &CheckReport) -> Result<String, crate::plot::PlotError> {
    use crate::plot::{panels_svg, Chart, Line};
    let mut charts = Vec::new();
    for (li, lc) in report.losses.iter().enumerate() {
        let limit = if li == 0 {
            &report.limit_train
        } else {
            &report.limit_pop
        };
        let mut lines = vec![Line {
            label: match report.reference {
                Reference::Limit { .. } => "limit".into(),
                Reference::Series { order, .. } => format!("leading series (order {order})"),
            },
            x: report.times.clone(),
            y: limit.clone(),
            band: None,
            dashed: false,
            color: 0,
        }];
        for (i, s) in report.sizes.iter().enumerate() {
            let (m, e) = if li == 0 {
                (&s.train_mean, &s.train_sem)
            } else {
                (&s.pop_mean, &s.pop_sem)
            };
            lines.push(Line {
                label: format!("n = {} (p = {}, H = {})", s.n, s.p, s.h),
                x: report.times.clone(),
                y: m.clone(),
                band: Some(e.iter().map(|v| 2.0 * v).collect()),
                dashed: true,
                color: i + 1,
            });
        }
        charts.push(Chart {
            title: format!("{}: {}", report.face, lc.quantity),
            x_label: report.time_variable.clone(),
            y_label: lc.quantity.clone(),
            lines,
        });
    }
    panels_svg(&charts, 620, 440)
}
