//! `prism simulate`: ensembles of gradient-descent runs of the finite autoencoder.
//!
//! Two forms:
//! * explicit: `prism simulate --p P --H H --sigma2 S [--N N] --t-max T ...`;
//! * from a scaling spec: `prism simulate SPEC --n 1000 [--tau-max TAU] ...` evaluates the spec at
//!   the given n (dimensions rounded to integers, and said so), classifies it, records on a grid
//!   of the face's natural time tau = t r^a q^b y^c (prism::regimes normalization, which scales
//!   like n^time_exponent) and also reports the normalized losses the face's limit predicts,
//!   (l(t) - [l(0)]) / (r^k q^j y^l), per run, with their mean and standard error.

use std::path::{Path, PathBuf};

use super::budget;
use super::input::{ModeArg, SpecInput};
use super::progress::Heartbeat;
use super::{CliError, CliResult};
use prism::regimes::{Loss, Normalization, Ratios, Regime};
use prism::report::simulate::{normalization_words, tau_words};
use prism::report::{tidy, Normalized, SimulateReport, SpecMeta};
use prism::sim::{
    compare_dt, simulate_with_progress, total_steps, DtCheck, Integrator, Record, SimParams,
    SimResult, SpectrumMethod,
};

/// Flags of `prism simulate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: SpecInput,
    /// SPEC form: the concrete value of n at which to evaluate the spec.
    #[arg(long = "n", value_name = "n", value_parser = super::size_n)]
    n_scale: Option<f64>,
    /// SPEC form: final face time tau (t = n^time_exponent tau).
    #[arg(long = "tau-max", default_value_t = prism::regimes::DEFAULT_FACE_TIME, value_parser = super::nonneg)]
    tau_max: f64,
    /// Input dimension p.
    #[arg(long = "p", value_parser = super::count)]
    p: Option<usize>,
    /// Latent dimension H.
    #[arg(long = "H", value_parser = super::count)]
    h: Option<usize>,
    /// Initialization variance sigma2.
    #[arg(long = "sigma2", value_parser = super::positive)]
    sigma2: Option<f64>,
    /// Training-set size N (an integer, or `inf`; default inf).
    #[arg(long = "N")]
    n_data: Option<String>,
    /// Explicit form: final physical time t (the SPEC form uses --tau-max, in face time).
    #[arg(long = "t-max", value_parser = super::nonneg)]
    t_max: Option<f64>,
    /// Euler step (default 0.01 / max(1, q, q r, 1/alpha)). The step used is reported on
    /// stderr when it differs, and as `meta.dt_max_used` in the JSON.
    #[arg(long, value_parser = super::positive)]
    dt: Option<f64>,
    /// Number of intervals K of the time grid: record at the K + 1 times 0, T/K, ..., T.
    /// Old spelling: --record.
    #[arg(long, value_name = "K", alias = "record", default_value_t = SimParams::DEFAULT_RECORD, value_parser = super::count)]
    points: usize,
    /// Number of runs R.
    #[arg(long, value_name = "R", default_value_t = SimParams::DEFAULT_SEEDS, value_parser = super::count)]
    seeds: usize,
    /// Base seed B (run i uses B + i).
    #[arg(long, value_name = "B", default_value_t = 0)]
    seed: u64,
    /// Print one JSON object.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print tidy CSV rows `source,face,n,run,seed,loss,quantity,t,tau,value,stderr` (the
    /// schema of `limit --csv` and `check --csv`).
    #[arg(long)]
    csv: bool,
    /// Write curves.csv, summary.json and meta.json into DIR.
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    out: Option<PathBuf>,
    /// Engine family.
    #[arg(long, value_enum, default_value_t = ModeArg::Fast)]
    mode: ModeArg,
    /// Integrator: Euler (gradient descent, THEORY 1), RK4 (the flow, fixed step) or adaptive
    /// (the flow, Dormand-Prince 5(4) with error control at --tol).
    #[arg(long, value_enum, default_value_t = IntegratorArg::Euler)]
    integrator: IntegratorArg,
    /// Relative accuracy of the recorded losses with --integrator adaptive: the integration error
    /// of each recorded loss stays below TOL times that loss (default 0.1 / (p sqrt(seeds)), a
    /// tenth of the ensemble's standard error).
    #[arg(long, value_parser = super::positive)]
    tol: Option<f64>,
    /// Spectrum sampler of the fast mode.
    #[arg(long, value_enum, default_value_t = SpectrumArg::Bidiagonal)]
    spectrum: SpectrumArg,
    /// Rerun at dt/2 (same seeds) and report the largest difference of the mean curves.
    #[arg(long = "check-dt")]
    check_dt: bool,
    /// Write a plot of the mean curves (.svg or .png).
    #[arg(long, value_name = "FILE.svg|FILE.png")]
    plot: Option<PathBuf>,
    /// When runs diverge, keep the others (counted in the summary and the JSON) instead of
    /// failing the whole ensemble.
    #[arg(long = "drop-diverged")]
    drop_diverged: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum IntegratorArg {
    Euler,
    Rk4,
    Adaptive,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum SpectrumArg {
    Bidiagonal,
    Dense,
}

/// What the SPEC form adds: the face's normalization (prism::regimes) at the concrete ratios.
struct SpecContext {
    meta: SpecMeta,
    regime: Regime,
    x: Ratios,
    train: Normalization,
    pop: Normalization,
    /// E l(0) of the rounded model, exactly (the control variate's mean).
    c0: f64,
}

fn parse_n_data(s: &str) -> Result<Option<usize>, CliError> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("inf") || t.eq_ignore_ascii_case("infinity") {
        return Ok(None);
    }
    t.parse::<usize>()
        .map(Some)
        .map_err(|_| CliError::user(format!("--N: expected an integer or `inf`, got `{s}`")))
}

fn params_from_spec(args: &Args, text: &str) -> Result<(SimParams, SpecContext), CliError> {
    let n = args
        .n_scale
        .ok_or_else(|| CliError::user("the SPEC form needs --n (the concrete value of n)"))?;
    if !(n.is_finite() && n >= 1.0) {
        return Err(CliError::user("--n must be a finite number >= 1"));
    }
    if args.t_max.is_some() {
        return Err(CliError::user(
            "--t-max is not used with a SPEC: the grid is in the natural time, use --tau-max",
        ));
    }
    if args.p.is_some() || args.h.is_some() || args.sigma2.is_some() || args.n_data.is_some() {
        return Err(CliError::user(
            "give either a SPEC (with --n) or --p/--H/--sigma2/--N, not both",
        ));
    }
    let spec =
        prism::spec::Spec::parse(text).map_err(|e| CliError::user(format!("invalid spec: {e}")))?;
    super::input::require_isotropic(&spec)?;
    let fitted = prism::pipeline::default_prism()?;
    let c = prism::polytope::classify(&spec, &fitted)?;
    let inst = spec.instance(n)?;
    for note in &inst.rounding {
        eprintln!("note: {note} (dimensions are rounded to integers)");
    }
    let regime = c.face;
    let (nt, np) = (
        regime.normalization(Loss::Train),
        regime.normalization(Loss::Pop),
    );
    let x = inst.ratios();
    // Face time T = t r^a q^b y^c: the raw horizon is T_max / (r^a q^b y^c).
    let t_max = nt.raw_time(args.tau_max, &x);
    let ok = |v: f64| v.is_finite() && v > 0.0;
    if !ok(t_max) || !ok(np.quantity(1.0, 0.0, &x).abs()) || !ok(nt.quantity(1.0, 0.0, &x).abs()) {
        return Err(CliError::user(format!(
            "the normalization of face `{}` is degenerate at these sizes (r = {}, q = {}, y = {})",
            c.face, x.r, x.q, x.y
        )));
    }
    let mut params = inst.sim_params(t_max);
    apply_common(args, &mut params)?;
    let meta = SpecMeta {
        face: c.face,
        n,
        pop_norm: normalization_words(&np),
        pop_loss_exponent: c.pop_loss_exponent.clone(),
        ratios: x,
        rounding: inst.rounding.clone(),
        spec: c.spec.clone(),
        tau: tau_words(&nt),
        tau_max: args.tau_max,
        time_exponent: c.time_exponent.clone(),
        train_norm: normalization_words(&nt),
        train_loss_exponent: c.train_loss_exponent.clone(),
    };
    Ok((
        params,
        SpecContext {
            meta,
            regime,
            x,
            train: nt,
            pop: np,
            c0: inst.initial_loss(),
        },
    ))
}

fn apply_common(args: &Args, params: &mut SimParams) -> Result<(), CliError> {
    params.dt = args.dt;
    params.record = Record::Uniform(args.points);
    params.seeds = args.seeds;
    params.seed = args.seed;
    params.mode = args.mode.into();
    params.integrator = match args.integrator {
        IntegratorArg::Euler => Integrator::Euler,
        IntegratorArg::Rk4 => Integrator::Rk4,
        IntegratorArg::Adaptive => Integrator::Adaptive,
    };
    params.tol = args.tol;
    params.spectrum = match args.spectrum {
        SpectrumArg::Bidiagonal => SpectrumMethod::Bidiagonal,
        SpectrumArg::Dense => SpectrumMethod::Dense,
    };
    Ok(())
}

fn params_explicit(args: &Args) -> Result<SimParams, CliError> {
    let missing = |f: &str| CliError::user(format!("missing --{f} (or give a SPEC with --n)"));
    let p = args.p.ok_or_else(|| missing("p"))?;
    let h = args.h.ok_or_else(|| missing("H"))?;
    let sigma2 = args.sigma2.ok_or_else(|| missing("sigma2"))?;
    let t_max = args.t_max.ok_or_else(|| missing("t-max"))?;
    let n = match &args.n_data {
        Some(s) => parse_n_data(s)?,
        None => None,
    };
    if args.n_scale.is_some() {
        return Err(CliError::user("--n is only used with a SPEC"));
    }
    let mut params = SimParams::new(p, h, sigma2, t_max).with_n(n);
    apply_common(args, &mut params)?;
    Ok(params)
}

fn normalized(res: &SimResult, ctx: &SpecContext) -> Normalized {
    Normalized::new(res, &ctx.x, &ctx.train, &ctx.pop, ctx.c0)
}

fn summary(
    params: &SimParams,
    res: &SimResult,
    ctx: Option<&SpecContext>,
    dtc: Option<&DtCheck>,
) -> SimulateReport {
    let nz = ctx.map(|c| normalized(res, c));
    SimulateReport::new(
        params,
        res,
        ctx.map(|c| c.meta.clone()),
        nz.as_ref(),
        dtc.cloned(),
    )
}

fn csv_text(res: &SimResult, ctx: Option<&SpecContext>) -> String {
    let nz = ctx.map(|c| normalized(res, c));
    let face = ctx.zip(nz.as_ref()).map(|(c, norm)| tidy::SimFace {
        regime: c.regime,
        n: c.meta.n,
        norm,
    });
    format!("{}\n{}", tidy::HEADER, tidy::sim_rows(res, face))
}

fn table_text(
    params: &SimParams,
    res: &SimResult,
    ctx: Option<&SpecContext>,
    dtc: Option<&DtCheck>,
) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "p = {}, H = {}, N = {}, sigma2 = {}  (q = {:.4}, r = {:.4}, alpha = {})\n",
        params.p,
        params.h,
        params.n.map_or("inf".into(), |n| n.to_string()),
        params.sigma2,
        params.q(),
        params.r(),
        params.n.map_or("inf".into(), |n| format!(
            "{:.4}",
            n as f64 / params.p as f64
        ))
    ));
    s.push_str(&format!(
        "{} runs (seeds {}..{}), dt = {:.4e}, {} steps, engine: {}\n",
        params.seeds,
        params.seed,
        params.seed + params.seeds as u64 - 1,
        res.info.dt_used,
        res.info.steps,
        res.info.engine
    ));
    let nz = ctx.map(|c| normalized(res, c));
    if let Some(c) = ctx {
        s.push_str(&format!(
            "spec: {}  face: {}\n{}; train_norm = {}, pop_norm = {}\n",
            c.meta.spec, c.meta.face, c.meta.tau, c.meta.train_norm, c.meta.pop_norm,
        ));
    }
    s.push_str(&format!(
        "{:>12} {:>14} {:>10} {:>14} {:>10}",
        "t", "l_tr", "sem", "l_pop", "sem"
    ));
    if nz.is_some() {
        s.push_str(&format!(
            " {:>10} {:>12} {:>12}",
            "tau", "train_norm", "pop_norm"
        ));
    }
    s.push('\n');
    for k in 0..res.t.len() {
        s.push_str(&format!(
            "{:>12.5e} {:>14.8} {:>10.2e} {:>14.8} {:>10.2e}",
            res.t[k], res.train_mean[k], res.train_sem[k], res.pop_mean[k], res.pop_sem[k]
        ));
        if let Some(nz) = &nz {
            s.push_str(&format!(
                " {:>10.4} {:>12.6} {:>12.6}",
                nz.tau[k], nz.train.mean[k], nz.pop.mean[k]
            ));
        }
        s.push('\n');
    }
    if let Some(d) = dtc {
        s.push_str(&dt_text(d));
    }
    s
}

fn dt_text(d: &DtCheck) -> String {
    format!(
        "check-dt: dt = {:.4e} vs dt/2: max |diff| train {:.3e}, pop {:.3e} (largest sem {:.3e})\n",
        d.dt, d.max_diff_train, d.max_diff_pop, d.max_sem
    )
}

fn plot_figure(path: &Path, res: &SimResult, title: &str) -> Result<(), CliError> {
    use prism::plot::{chart_svg, Chart, Line};
    let line = |label: &str, mean: &[f64], sem: &[f64], color: usize| Line {
        label: label.to_string(),
        x: res.t.clone(),
        y: mean.to_vec(),
        band: Some(sem.iter().map(|s| 2.0 * s).collect()),
        dashed: false,
        color,
    };
    let svg = chart_svg(&Chart {
        title: title.to_string(),
        x_label: "t".into(),
        y_label: "loss per input dimension".into(),
        lines: vec![
            line("train l_tr", &res.train_mean, &res.train_sem, 1),
            line("population l_pop", &res.pop_mean, &res.pop_sem, 2),
        ],
    })?;
    Ok(prism::plot::save_figure(path, &svg)?)
}

fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text)
        .map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))
}

/// Run `prism simulate`.
pub fn run(args: Args) -> CliResult {
    let (params, ctx) = match args.input.text_opt()? {
        Some(text) => {
            let (p, c) = params_from_spec(&args, &text)?;
            (p, Some(c))
        }
        None => (params_explicit(&args)?, None),
    };
    if args.check_dt && params.integrator == Integrator::Adaptive {
        return Err(CliError::user(
            "--check-dt halves a fixed step; with --integrator adaptive lower --tol instead",
        ));
    }
    // Fail fast: outputs, sizes that overflow, then the cost, before any step.
    // The output directory first: the plot may go inside it.
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    if let Some(path) = &args.plot {
        prism::plot::check_figure_path(path)?;
    }
    if !(params.q().is_finite() && params.default_dt() > 0.0) {
        return Err(CliError::user(format!(
            "q = sigma2 p = {:e} overflows: sigma2 = {:e} is too large to simulate (the default step 0.01/max(1, q, q r, 1/alpha) would be 0)",
            params.q(),
            params.sigma2
        )));
    }
    let mut est = budget::simulate_estimate(&params, "this simulation")?;
    if args.check_dt {
        est.secs *= 3.0;
        est.what = "this simulation with --check-dt (runs at dt and dt/2)".into();
    }
    budget::guard(&est)?;
    let beat = Heartbeat::start("simulate");
    beat.set("steps over all runs");
    beat.total(total_steps(&params) * if args.check_dt { 3 } else { 1 });
    let progress = |k: u64| beat.add(k);
    let (res, dropped) = if args.drop_diverged {
        run_keeping(&params, &progress)?
    } else {
        (simulate_with_progress(&params, &progress)?, Vec::new())
    };
    let dtc = if args.check_dt {
        let mut half = params.clone();
        half.dt = Some(params.dt() / 2.0);
        let other = simulate_with_progress(&half, &progress)?;
        // The computation of prism::sim::check_dt, with progress reporting.
        Some(compare_dt(params.dt(), &res, &other))
    } else {
        None
    };
    drop(beat);
    report_dt(&params, &res);
    if !dropped.is_empty() {
        eprintln!(
            "note: {} of {} runs diverged and were dropped (--drop-diverged): {}",
            dropped.len(),
            params.seeds,
            dropped.join("; ")
        );
    }
    if let Some(d) = &dtc {
        eprint!("{}", dt_text(d));
    }
    let mut summary = summary(&params, &res, ctx.as_ref(), dtc.as_ref());
    if args.drop_diverged {
        summary.meta.diverged = Some(dropped.clone());
        summary.meta.runs_kept = Some(res.runs.len());
    }
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::user(format!("cannot create {}: {e}", dir.display())))?;
        write_file(&dir.join("curves.csv"), &csv_text(&res, ctx.as_ref()))?;
        write_file(
            &dir.join("summary.json"),
            &prism::report::to_json(&summary)?,
        )?;
        write_file(
            &dir.join("meta.json"),
            &prism::report::to_json(&summary.meta)?,
        )?;
        eprintln!(
            "wrote {}/{{curves.csv, summary.json, meta.json}}",
            dir.display()
        );
    }
    if let Some(path) = &args.plot {
        let title = format!(
            "p={}, H={}, N={}, sigma2={}",
            params.p,
            params.h,
            params.n.map_or("inf".into(), |n| n.to_string()),
            params.sigma2
        );
        plot_figure(path, &res, &title)?;
    }
    let text = if args.json {
        prism::report::to_json(&summary)? + "\n"
    } else if args.csv {
        csv_text(&res, ctx.as_ref())
    } else if args.out.is_some() {
        String::new()
    } else {
        table_text(&params, &res, ctx.as_ref(), dtc.as_ref())
    };
    out!("{text}");
    if !dropped.is_empty() && !args.json && !args.csv && args.out.is_none() {
        outln!(
            "{} of {} runs kept ({} diverged and were dropped)",
            res.runs.len(),
            params.seeds,
            dropped.len()
        );
    }
    Ok(())
}

/// Refuse an output directory that cannot be created or written, before the work starts.
pub fn check_out_dir(dir: &Path) -> Result<(), CliError> {
    if dir.exists() && !dir.is_dir() {
        return Err(CliError::user(format!(
            "-o {}: exists and is not a directory",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::user(format!("-o {}: cannot create it: {e}", dir.display())))?;
    let probe = dir.join(".prism-write-test");
    std::fs::write(&probe, b"")
        .map_err(|e| CliError::user(format!("-o {}: cannot write into it: {e}", dir.display())))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// Say on stderr when the largest step taken differs from the nominal one (Euler by default and
/// RK4 split each record interval into equal steps <= dt; the JSON has `meta.dt_max_used`).
fn report_dt(params: &SimParams, res: &SimResult) {
    let used = res.info.dt_used;
    let asked = params.dt();
    if params.integrator != Integrator::Adaptive
        && used > 0.0
        && (used - asked).abs() > 1e-12 * asked
    {
        eprintln!(
            "note: dt = {used:.6e} used instead of {} {asked:.6e}: each record interval is split into equal steps no larger than dt, so that every record time is reached exactly (meta.dt_max_used)",
            if params.dt.is_some() { "the requested" } else { "the default" },
        );
    }
}

/// The ensemble, keeping the runs that do not diverge: every run i is simulated as its own
/// one-run ensemble with seed B + i, which is bit-identical to run i of the full ensemble.
/// Returns the result over the kept runs and one message per dropped run.
fn run_keeping(
    params: &SimParams,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(SimResult, Vec<String>), CliError> {
    use prism::sim::SimError;
    use rayon::prelude::*;
    let outs: Vec<Result<SimResult, SimError>> = (0..params.seeds)
        .into_par_iter()
        .map(|i| {
            let mut one = params.clone();
            one.seeds = 1;
            one.seed = params.seed.wrapping_add(i as u64);
            simulate_with_progress(&one, progress)
        })
        .collect();
    let mut kept: Vec<SimResult> = Vec::new();
    let mut dropped = Vec::new();
    for (i, o) in outs.into_iter().enumerate() {
        match o {
            Ok(mut r) => {
                r.runs[0].run = i;
                kept.push(r);
            }
            Err(e @ (SimError::Diverged { .. } | SimError::StepCollapsed { .. })) => {
                dropped.push(format!("run {i}: {e}"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let Some(first) = kept.first() else {
        return Err(CliError::user(format!(
            "all {} runs diverged; {}",
            params.seeds,
            dropped.first().map_or(String::new(), |e| e.to_string())
        )));
    };
    let t = first.t.clone();
    let mut info = first.info.clone();
    info.dt_used = kept.iter().map(|r| r.info.dt_used).fold(0.0, f64::max);
    info.dt_min_used = kept
        .iter()
        .map(|r| r.info.dt_min_used)
        .fold(f64::INFINITY, f64::min);
    info.steps = kept.iter().map(|r| r.info.steps).max().unwrap_or(0);
    info.steps_total = kept.iter().map(|r| r.info.steps_total).sum();
    info.rejected_steps = kept.iter().map(|r| r.info.rejected_steps).sum();
    info.field_evals = kept.iter().map(|r| r.info.field_evals).sum();
    let runs: Vec<prism::sim::RunCurves> = kept.into_iter().map(|r| r.runs[0].clone()).collect();
    let stats = |pick: &dyn Fn(&prism::sim::RunCurves) -> &Vec<f64>| {
        let r = runs.len() as f64;
        let k = t.len();
        let mut mean = vec![0.0; k];
        let mut sem = vec![0.0; k];
        for i in 0..k {
            let m = runs.iter().map(|c| pick(c)[i]).sum::<f64>() / r;
            mean[i] = m;
            if runs.len() > 1 {
                let v = runs.iter().map(|c| (pick(c)[i] - m).powi(2)).sum::<f64>() / (r - 1.0);
                sem[i] = (v / r).sqrt();
            }
        }
        (mean, sem)
    };
    let (train_mean, train_sem) = stats(&|c| &c.train);
    let (pop_mean, pop_sem) = stats(&|c| &c.pop);
    Ok((
        SimResult {
            t,
            train_mean,
            train_sem,
            pop_mean,
            pop_sem,
            runs,
            info,
        },
        dropped,
    ))
}
