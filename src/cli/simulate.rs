//! `prism simulate`: flags in, [`prism::simulate`] plan and run, its report out.
//!
//! Two forms: explicit sizes (`--p P --H H --sigma2 S [--N N] --t-max T`), or a scaling spec at
//! a concrete n (`SPEC --n 1000 [--tau-max TAU]`, recorded on the face's time grid with the
//! normalized losses the face's limit predicts).

use std::path::PathBuf;

use super::input::{resolve_spectrum, IntegratorArg, ModeArg, SamplerArg, SpecInput};
use super::progress::Heartbeat;
use super::{budget, write_file, CliError, CliResult};
use prism::sim::SimParams;
use prism::simulate::{run as simulate, SimulateOptions, SimulatePlan};

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
    #[arg(long = "N", value_parser = parse_n_data)]
    n_data: Option<DataSize>,
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
    /// Explicit form: the data covariance's spectral law (THEORY 9), in the grammar of a spec's
    /// `spectrum =` statement: identity (default), 'atoms(1/2: 1/2, 3/2: 1/2)', 'uniform(0, 2)',
    /// 'powerlaw(1/3)' or 'file("eigs.txt")' (one eigenvalue per line, relative to the working
    /// directory). At size p Sigma's eigenvalues are the law's quantiles at (i - 1/2)/p; any mean
    /// is used as given (L(t; c Sigma) = c L(c t; Sigma)). A SPEC uses its own statement.
    #[arg(long, value_name = "LAW")]
    spectrum: Option<String>,
    /// How the fast mode draws the spectrum of S for isotropic data (bidiagonal model or a dense
    /// matrix); with a covariance the spectrum always comes from X = Sigma^1/2 Z.
    #[arg(long, value_enum)]
    sampler: Option<SamplerArg>,
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

/// `--N`: a training-set size, or infinity.
#[derive(Clone, Copy, Debug)]
struct DataSize(Option<usize>);

fn parse_n_data(s: &str) -> Result<DataSize, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("inf") || t.eq_ignore_ascii_case("infinity") {
        return Ok(DataSize(None));
    }
    t.parse::<usize>()
        .map(|n| DataSize(Some(n)))
        .map_err(|_| format!("expected an integer or `inf`, got `{s}`"))
}

/// `--spectrum bidiagonal|dense`: the old name of `--sampler`, still accepted (hidden).
fn deprecated_sampler(text: &str) -> Option<SamplerArg> {
    match text.trim().to_ascii_lowercase().as_str() {
        "bidiagonal" => Some(SamplerArg::Bidiagonal),
        "dense" => Some(SamplerArg::Dense),
        _ => None,
    }
}

impl Args {
    /// The options, with the covariance law of `--spectrum` read (and the deprecated
    /// `--spectrum bidiagonal|dense` taken as the sampler).
    fn options(&self) -> Result<SimulateOptions, CliError> {
        let mut sampler = self.sampler;
        let mut law = prism::spec::SpectrumLaw::Identity;
        if let Some(text) = &self.spectrum {
            if let Some(old) = deprecated_sampler(text) {
                if self.sampler.is_some() {
                    return Err(CliError::user(
                        "--spectrum bidiagonal|dense is the old spelling of --sampler; give --sampler only",
                    ));
                }
                eprintln!(
                    "note: `--spectrum {}` is deprecated: the fast-mode sampler is now --sampler; --spectrum takes the data covariance's law (e.g. 'atoms(1/2: 1/2, 3/2: 1/2)')",
                    text.trim()
                );
                sampler = Some(old);
            } else {
                let parsed = prism::spec::SpectrumLaw::parse(text)
                    .map_err(|e| CliError::user(format!("--spectrum: {e}")))?;
                law = resolve_spectrum(parsed, None)?;
            }
        }
        Ok(SimulateOptions {
            dt: self.dt,
            points: self.points,
            seeds: self.seeds,
            seed: self.seed,
            mode: self.mode.into(),
            integrator: self.integrator.into(),
            tol: self.tol,
            sampler: sampler.unwrap_or(SamplerArg::Bidiagonal).into(),
            spectrum: law,
            check_dt: self.check_dt,
            drop_diverged: self.drop_diverged,
        })
    }

    /// The plan of the SPEC form or of the explicit form; the flags of the other are refused.
    fn plan(&self) -> Result<SimulatePlan, CliError> {
        let explicit = self.p.is_some() || self.h.is_some() || self.sigma2.is_some();
        if self.input.spec.is_some() || self.input.file.is_some() {
            if explicit || self.n_data.is_some() {
                return Err(CliError::user(
                    "give either a SPEC (with --n) or --p/--H/--sigma2/--N, not both",
                ));
            }
            if self.t_max.is_some() {
                return Err(CliError::user(
                    "--t-max is not used with a SPEC: the grid is in the natural time, use --tau-max",
                ));
            }
            let n = self.n_scale.ok_or_else(|| {
                CliError::user("the SPEC form needs --n (the concrete value of n)")
            })?;
            let opts = self.options()?;
            if !opts.spectrum.is_identity() {
                return Err(CliError::user(
                    "--spectrum is for the explicit form: a SPEC gives its covariance by a `spectrum = LAW` statement",
                ));
            }
            let spec = self.input.parse_with_spectrum()?;
            return Ok(SimulatePlan::from_spec(&spec, n, self.tau_max, &opts)?);
        }
        let missing = |f: &str| CliError::user(format!("missing --{f} (or give a SPEC with --n)"));
        let p = self.p.ok_or_else(|| missing("p"))?;
        let h = self.h.ok_or_else(|| missing("H"))?;
        let sigma2 = self.sigma2.ok_or_else(|| missing("sigma2"))?;
        let t_max = self.t_max.ok_or_else(|| missing("t-max"))?;
        if self.n_scale.is_some() {
            return Err(CliError::user("--n is only used with a SPEC"));
        }
        let n_data = self.n_data.and_then(|d| d.0);
        Ok(SimulatePlan::explicit(
            p,
            h,
            sigma2,
            n_data,
            t_max,
            &self.options()?,
        )?)
    }
}

/// Run `prism simulate`.
pub fn run(args: Args) -> CliResult {
    let plan = args.plan()?;
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
    let beat = Heartbeat::start("simulate");
    beat.set("steps over all runs");
    beat.total(plan.total_steps());
    let outcome = simulate(&plan, &|k| beat.add(k))?;
    drop(beat);
    for note in outcome.notes() {
        eprintln!("{note}");
    }
    if let Some(dir) = &args.out {
        write_file(&dir.join("curves.csv"), outcome.csv())?;
        write_file(
            &dir.join("summary.json"),
            prism::report::to_json(&outcome.report)?,
        )?;
        write_file(
            &dir.join("meta.json"),
            prism::report::to_json(&outcome.report.meta)?,
        )?;
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
