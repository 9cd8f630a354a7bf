//! `prism check`: theory against simulation at growing n, with a computed verdict.

use super::input::{choice, SpecInput};
use super::{CliError, CliResult};
use prism::check::run::{check, plot, CheckOptions};
use prism::check::verdict::Verdict;
use prism::sim::Mode;
use prism::values;
use prism::values::Choice;

/// Flags of `prism check`.
#[derive(clap::Args, Debug)]
#[command(mut_arg("out", |a| a.help("Write the output (text, JSON or CSV) to FILE instead of standard output")))]
pub struct Args {
    #[command(flatten)]
    input: SpecInput,
    /// Sizes n, comma-separated (default: chosen automatically within --budget).
    #[arg(long = "n", value_delimiter = ',', value_parser = values::size_n)]
    sizes: Vec<f64>,
    /// Wall-time budget in seconds: sets the automatic sizes, and how many runs are added
    /// while the verdict is inconclusive.
    #[arg(long, default_value_t = CheckOptions::default().budget, value_parser = values::positive)]
    budget: f64,
    /// Refuse sizes whose estimated cost exceeds this many floating-point operations (by
    /// default explicit --n sizes are run whatever they cost within --max-time and --max-memory).
    #[arg(long = "max-flops", value_parser = values::positive)]
    max_flops: Option<f64>,
    /// Runs per size R to start with.
    #[arg(long, value_name = "R", default_value_t = CheckOptions::default().seeds, value_parser = values::count)]
    seeds: usize,
    /// While the verdict is inconclusive, runs per size grow (x4 per round, within --budget) up
    /// to this many; `--max-seeds` equal to `--seeds` keeps a fixed, reproducible ensemble.
    #[arg(long = "max-seeds", value_name = "R", default_value_t = CheckOptions::default().max_seeds, value_parser = values::count)]
    max_seeds: usize,
    /// Base seed B (run i uses B + i).
    #[arg(long, value_name = "B", default_value_t = CheckOptions::default().seed)]
    seed: u64,
    /// Final face time (default 1, shortened to the validity window). Old spelling: --t-max.
    #[arg(long = "tau-max", alias = "t-max", value_parser = values::positive)]
    t_max: Option<f64>,
    /// Number of intervals K of the face-time grid (K + 1 points).
    #[arg(long, value_name = "K", default_value_t = CheckOptions::default().points, value_parser = values::count2)]
    points: usize,
    /// Compare the simulations with this face's law instead of the spec's own face (a name such
    /// as `large-data`, or a label F1, E4, ...): the verdict says whether that law describes
    /// the spec, as `expect formula = FACE` does in a claims file.
    #[arg(long, value_name = "FACE", value_parser = super::input::parse_face)]
    formula: Option<prism::regimes::Regime>,
    /// Compute the reference with this covariance spectrum instead of the spec's `spectrum =`
    /// (the simulations keep the spec's): `--limit-spectrum identity` is the negative control
    /// that tests the isotropic law against anisotropic data (expected verdict `disagrees`).
    /// Same laws as `spectrum =`; a file("...") path is relative to the working directory.
    #[arg(long = "limit-spectrum", value_name = "LAW")]
    limit_spectrum: Option<String>,
    /// Engine family.
    #[arg(long, value_parser = choice::<Mode>(), default_value = CheckOptions::default().mode.name())]
    mode: Mode,
    /// Old spelling of `--mode physical`.
    #[arg(long, hide = true)]
    physical: bool,
    /// Print one JSON object.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print tidy CSV rows `source,face,n,run,seed,loss,quantity,t,tau,value,stderr` (the
    /// schema of `simulate --csv` and `limit --csv`): the limit, then each size's means.
    #[arg(long)]
    csv: bool,
    #[command(flatten)]
    output: super::OutFile,
    /// Write an overlay of the simulated curves on the limit (.svg or .png).
    #[arg(long, value_name = "FILE.svg|FILE.png")]
    plot: Option<std::path::PathBuf>,
}

/// Run `prism check`. Exit code 0 when the verdict is `agrees`, 1 otherwise.
pub fn run(args: Args) -> CliResult {
    super::distinct_sizes(&args.sizes, "--n")?;
    if let Some(path) = &args.plot {
        prism::plot::check_figure_path(path)?;
    }
    let spec = args.input.parse_with_spectrum()?;
    let limit_spectrum = args
        .limit_spectrum
        .as_deref()
        .map(|text| super::input::law_flag("--limit-spectrum", text))
        .transpose()?;
    let opts = CheckOptions {
        sizes: args.sizes.clone(),
        budget: args.budget,
        max_flops: args.max_flops,
        seeds: args.seeds,
        max_seeds: args.max_seeds,
        seed: args.seed,
        t_max: args.t_max,
        points: args.points,
        formula: args.formula,
        limit_spectrum,
        mode: if args.physical {
            Mode::Physical
        } else {
            args.mode
        },
        limits: super::budget::limits(),
        ..CheckOptions::default()
    };
    super::budget::guard(&prism::check::cost::curves_estimate(&opts))?;
    let prism = prism::pipeline::default_prism()?;
    let beat = super::heartbeat("check");
    let report = check(&spec, &prism, &opts, &|line| {
        beat.set(line.to_string());
        eprintln!("[check] {line}")
    })?;
    drop(beat);
    if let Some(path) = &args.plot {
        prism::plot::save_figure(path, &plot(&report)?)?;
    }
    let format = prism::report::Format::from_flags(args.json, args.csv);
    args.output
        .write(prism::report::render_check(&report, format)?)?;
    match report.verdict {
        Verdict::Agrees => Ok(()),
        // The check ran but did not confirm the limit (the verdict is in the output).
        v => Err(CliError::failed(format!("check: verdict {}", v.as_str()))),
    }
}
