//! `prism simulate`: flags in, [`prism::simulate`] plan and run, its report out.
//!
//! Two forms: explicit sizes (`--p P --H H --sigma2 S [--N N] --t-max T`), or a scaling spec at
//! a concrete n (`SPEC --n 1000 [--tau-max TAU]`, recorded on the face's time grid with the
//! normalized losses the face's limit predicts).

use prism::values;
use std::path::PathBuf;

use super::input::{choice, SpecInput};
use super::{budget, CliResult};
use prism::sim::{Integrator, Mode, SimParams, SpectrumMethod};
use prism::simulate::{run as simulate, Request, SimulateOptions};
use prism::values::Choice;
use prism::values::TrainingSize;

/// Flags of `prism simulate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: SpecInput,
    /// SPEC form: the concrete value of n at which to evaluate the spec.
    #[arg(long = "n", value_name = "n", value_parser = values::size_n)]
    n_scale: Option<f64>,
    /// SPEC form: final face time tau (t = n^time_exponent tau).
    #[arg(long = "tau-max", default_value_t = prism::regimes::DEFAULT_FACE_TIME, value_parser = values::nonneg)]
    tau_max: f64,
    /// Input dimension p.
    #[arg(long = "p", value_parser = values::count)]
    p: Option<usize>,
    /// Latent dimension H.
    #[arg(long = "H", value_parser = values::count)]
    h: Option<usize>,
    /// Initialization variance sigma2.
    #[arg(long = "sigma2", value_parser = values::positive)]
    sigma2: Option<f64>,
    /// Training-set size N (an integer, or `inf`; default inf).
    #[arg(long = "N", value_parser = values::data_size)]
    n_data: Option<TrainingSize>,
    /// Explicit form: final physical time t (the SPEC form uses --tau-max, in face time).
    #[arg(long = "t-max", value_parser = values::nonneg)]
    t_max: Option<f64>,
    /// Euler step (default 0.01 / max(1, q, q r, 1/alpha)). The step used is reported on
    /// stderr when it differs, and as `meta.dt_max_used` in the JSON.
    #[arg(long, value_parser = values::positive)]
    dt: Option<f64>,
    /// Number of intervals K of the time grid: record at the K + 1 times 0, T/K, ..., T.
    /// Old spelling: --record.
    #[arg(long, value_name = "K", alias = "record", default_value_t = SimParams::DEFAULT_RECORD, value_parser = values::count)]
    points: usize,
    /// Number of runs R.
    #[arg(long, value_name = "R", default_value_t = SimParams::DEFAULT_SEEDS, value_parser = values::count)]
    seeds: usize,
    /// Base seed B (run i uses B + i).
    #[arg(long, value_name = "B", default_value_t = SimulateOptions::default().seed)]
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
    #[arg(long, value_parser = choice::<Mode>(), default_value = SimulateOptions::default().mode.name())]
    mode: Mode,
    /// Integrator: Euler (gradient descent, THEORY 1), RK4 (the flow, fixed step) or adaptive
    /// (the flow, Dormand-Prince 5(4) with error control at --tol).
    #[arg(long, value_parser = choice::<Integrator>(), default_value = SimulateOptions::default().integrator.name())]
    integrator: Integrator,
    /// Relative accuracy of the recorded losses with --integrator adaptive: the integration error
    /// of each recorded loss stays below TOL times that loss (default 0.1 / (p sqrt(seeds)), a
    /// tenth of the ensemble's standard error).
    #[arg(long, value_parser = values::positive)]
    tol: Option<f64>,
    /// Explicit form: the data covariance's spectral law (THEORY 9), in the grammar of a spec's
    /// `spectrum =` statement: identity (default), 'atoms(1/2: 1/2, 3/2: 1/2)', 'uniform(0, 2)',
    /// 'powerlaw(1/3)' or 'file("eigs.txt")' (one eigenvalue per line, relative to the working
    /// directory). At size p Sigma's eigenvalues are the law's quantiles at (i - 1/2)/p; any mean
    /// is used as given (L(t; c Sigma) = c L(c t; Sigma)). A SPEC uses its own statement.
    #[arg(long, value_name = "LAW")]
    spectrum: Option<String>,
    /// How the fast mode draws the spectrum of S for isotropic data (bidiagonal model or a dense
    /// matrix); with a covariance the spectrum always comes from X = Sigma^1/2 Z.
    #[arg(long, value_parser = choice::<SpectrumMethod>())]
    sampler: Option<SpectrumMethod>,
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

impl Args {
    /// The library request: the form is chosen, and the deprecated `--spectrum
    /// bidiagonal|dense` read, by [`Request::plan`].
    fn request(&self) -> Request {
        Request {
            spec: self.input.source(),
            n: self.n_scale,
            tau_max: self.tau_max,
            p: self.p,
            h: self.h,
            sigma2: self.sigma2,
            n_data: self.n_data,
            t_max: self.t_max,
            spectrum: self.spectrum.clone(),
            sampler: self.sampler,
            options: SimulateOptions {
                dt: self.dt,
                points: self.points,
                seeds: self.seeds,
                seed: self.seed,
                mode: self.mode,
                integrator: self.integrator,
                tol: self.tol,
                check_dt: self.check_dt,
                drop_diverged: self.drop_diverged,
                ..SimulateOptions::default()
            },
        }
    }
}

/// Run `prism simulate`.
pub fn run(args: Args) -> CliResult {
    let plan = args.request().plan()?;
    for note in &plan.notes {
        eprintln!("{note}");
    }
    // Fail fast: outputs (the directory first: the plot may go inside it), then the cost.
    if let Some(dir) = &args.out {
        super::check_out_dir(dir)?;
    }
    if let Some(path) = &args.plot {
        prism::plot::check_figure_path(path)?;
    }
    budget::guard(&plan.estimate(&budget::limits())?)?;
    let beat = super::heartbeat("simulate");
    beat.set("steps over all runs");
    beat.total(plan.total_steps());
    let outcome = simulate(&plan, &|k| beat.add(k))?;
    drop(beat);
    for note in outcome.notes() {
        eprintln!("{note}");
    }
    if let Some(dir) = &args.out {
        prism::report::write_files(dir, outcome.files()?)?;
        eprintln!(
            "wrote {}/{{curves.csv, summary.json, meta.json}}",
            dir.display()
        );
    }
    if let Some(path) = &args.plot {
        prism::plot::save_figure(path, &outcome.figure_svg()?)?;
    }
    if args.json {
        outln!("{}", prism::report::to_json(&outcome.report)?);
    } else if args.csv {
        out!("{}", outcome.csv());
    } else if args.out.is_none() {
        out!("{}", outcome.table());
    }
    Ok(())
}
