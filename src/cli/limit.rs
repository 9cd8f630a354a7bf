//! `prism limit`: flags in, [`prism::limit`] target, estimate and evaluation, its report out.
//!
//! `prism limit SPEC` classifies the spec and takes the finite constants from its prefactors;
//! `--face NAME --set q=0.5 ...` skips the spec; `--explain FACE` prints the derivation
//! sketch; `--verify` confirms the series against the hierarchy exactly (exit 1 if not).

use prism::values;
use std::path::PathBuf;

use super::input::{choice, SpecInput};
use super::{budget, CliError, CliResult};
use prism::limit::{LimitOptions, Target};
use prism::poly::PolyFormat;
use prism::regimes::{curves::FreeNumericOptions, text, CurveOptions, Regime};
use prism::values::Choice;

/// Flags of `prism limit`.
#[derive(clap::Args, Debug)]
#[command(mut_arg("out", |a| a.help("Write the output (text, JSON or CSV) to FILE instead of standard output")))]
pub struct Args {
    #[command(flatten)]
    input: SpecInput,
    /// Print the derivation sketch of a face (name such as `small-data`, or label F5, E4, V2).
    #[arg(long, value_name = "FACE", conflicts_with_all = ["face"], value_parser = super::input::parse_face)]
    explain: Option<Regime>,
    /// Use this face directly instead of classifying a spec.
    #[arg(long, value_name = "FACE", value_parser = super::input::parse_face)]
    face: Option<Regime>,
    /// Set or override a finite constant: q, r, c (= q r), y (= 1/alpha) or alpha. Repeatable.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Final face time T (the curves are on 0..T in the face's time variable). Old spelling:
    /// --t-max.
    #[arg(long = "tau-max", alias = "t-max", default_value_t = LimitOptions::default().tau_max, value_parser = values::nonneg)]
    t_max: f64,
    /// Number of intervals K of the face-time grid (K + 1 points).
    #[arg(long, value_name = "K", default_value_t = LimitOptions::default().points, value_parser = values::count)]
    points: usize,
    /// Print one JSON object.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print tidy CSV rows (source,face,n,run,seed,loss,quantity,t,tau,value,stderr; the face
    /// time is `tau`).
    #[arg(long)]
    csv: bool,
    #[command(flatten)]
    output: super::OutFile,
    /// Highest order s of the exact series.
    #[arg(long, value_name = "S", default_value_t = LimitOptions::default().series)]
    series: usize,
    /// Format of the exact coefficients.
    #[arg(long, value_parser = choice::<PolyFormat>(), default_value = PolyFormat::Text.name())]
    format: PolyFormat,
    /// Confirm the exact series against the hierarchy's leading coefficients (exit 1 if not).
    #[arg(long)]
    verify: bool,
    /// Write a plot of both limiting curves (.svg or .png).
    #[arg(long, value_name = "FILE.svg|FILE.png")]
    plot: Option<PathBuf>,
    /// Small-data chains: largest allowed difference between the K-site run and the 2K-site run
    /// with 100x tighter ODE tolerances (raise it in the ill-conditioned collapse corner).
    #[arg(long = "chain-tol", default_value_t = CurveOptions::default().chain_tol, value_parser = values::positive)]
    chain_tol: f64,
    /// Free face at finite alpha: sizes p of the reduced-flow simulations (comma separated;
    /// default 64,128,256). With a spectrum (numeric references of large-data and free): these
    /// sizes instead of the ones chosen from --free-budget.
    #[arg(long = "free-sizes", value_delimiter = ',', value_parser = values::count)]
    free_sizes: Option<Vec<usize>>,
    /// Free face at finite alpha: runs per size (default 16). With a spectrum: these runs
    /// instead of the ones chosen from --free-budget.
    #[arg(long = "free-seeds", value_parser = values::count)]
    free_seeds: Option<usize>,
    /// With a spectrum: time budget of the numeric references (large-data, free), from which
    /// their sizes and runs are chosen by the engines' cost plan at a nominal machine speed (so
    /// the same on every machine) unless --free-sizes or --free-seeds is given.
    #[arg(long = "free-budget", value_name = "DURATION", default_value_t = prism::regimes::curves::DEFAULT_REFERENCE_BUDGET, value_parser = prism::budget::parse_duration)]
    free_budget: f64,
    /// Free face at finite alpha: base seed B (run i uses B + i).
    #[arg(long, value_name = "B", default_value_t = FreeNumericOptions::default().seed)]
    seed: u64,
}

impl Args {
    fn options(&self) -> LimitOptions {
        LimitOptions {
            tau_max: self.t_max,
            points: self.points,
            series: self.series,
            verify: self.verify,
            curve: CurveOptions {
                chain_tol: self.chain_tol,
                ..CurveOptions::default()
            }
            .with_references(
                self.free_sizes.clone(),
                self.free_seeds,
                self.seed,
                self.free_budget,
            ),
        }
    }
}

/// Run `prism limit`.
pub fn run(args: Args) -> CliResult {
    if let Some(r) = args.explain {
        return args.output.write(text::explain(r));
    }
    if let Some(path) = &args.plot {
        prism::plot::check_figure_path(path)?;
    }
    let target = Target::from_request(args.input.source().as_ref(), args.face, &args.set)?;
    let opts = args.options();
    // Resource guards before any work: the series order, the grid, the free-face simulations.
    for est in prism::limit::estimates(&target, &opts)? {
        budget::guard(&est)?;
    }
    if let Some(note) = prism::limit::start_note(&target, &opts).filter(|_| !args.json) {
        eprintln!("{note}");
    }
    let beat = super::heartbeat("limit");
    beat.set(format!(
        "limit curves and the exact series to order {}",
        args.series
    ));
    let outcome = prism::limit::compute(&target, &opts)?;
    drop(beat);
    if let Some(path) = &args.plot {
        prism::plot::save_figure(path, &prism::limit::figure(&target, &outcome)?)?;
    }
    let format = prism::report::Format::from_flags(args.json, args.csv);
    args.output.write(prism::limit::render(
        &target,
        &outcome,
        format,
        args.format,
    )?)?;
    match prism::limit::disagreement(&target, &outcome) {
        Some(why) => Err(CliError::failed(why)),
        None => Ok(()),
    }
}
