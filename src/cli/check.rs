//! `prism check`: theory against simulation at growing n, with a computed verdict.

use super::input::{ModeArg, SpecInput};
use super::{CliError, CliResult};
use prism::check::run::{check, fmt_n, plot, CheckOptions, CheckReport, Reference};
use prism::check::verdict::Verdict;
use prism::sim::Mode;

/// Flags of `prism check`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: SpecInput,
    /// Sizes n, comma-separated (default: chosen automatically within --budget).
    #[arg(long = "n", value_delimiter = ',', value_parser = super::size_n)]
    sizes: Vec<f64>,
    /// Wall-time budget in seconds: sets the automatic sizes, and how many runs are added
    /// while the verdict is inconclusive.
    #[arg(long, default_value_t = CheckOptions::default().budget, value_parser = super::positive)]
    budget: f64,
    /// Refuse sizes whose estimated cost exceeds this many floating-point operations (by
    /// default explicit --n sizes are run whatever they cost).
    #[arg(long = "max-flops", value_parser = super::positive)]
    max_flops: Option<f64>,
    /// Runs per size R to start with.
    #[arg(long, value_name = "R", default_value_t = CheckOptions::default().seeds, value_parser = super::count)]
    seeds: usize,
    /// While the verdict is inconclusive, runs per size grow (x4 per round, within --budget) up
    /// to this many; `--max-seeds` equal to `--seeds` keeps a fixed, reproducible ensemble.
    #[arg(long = "max-seeds", value_name = "R", default_value_t = CheckOptions::default().max_seeds, value_parser = super::count)]
    max_seeds: usize,
    /// Base seed B (run i uses B + i).
    #[arg(long, value_name = "B", default_value_t = CheckOptions::default().seed)]
    seed: u64,
    /// Final face time (default 1, shortened to the validity window). Old spelling: --t-max.
    #[arg(long = "tau-max", alias = "t-max", value_parser = super::positive)]
    t_max: Option<f64>,
    /// Number of intervals K of the face-time grid (K + 1 points).
    #[arg(long, value_name = "K", default_value_t = CheckOptions::default().points, value_parser = super::count2)]
    points: usize,
    /// Compare the simulations with this face's law instead of the spec's own face (a name such
    /// as `large-data`, or a label F1, E4, ...): the verdict says whether that law describes
    /// the spec, as `expect formula = FACE` does in a claims file.
    #[arg(long, value_name = "FACE", value_parser = super::input::parse_face)]
    formula: Option<prism::regimes::Regime>,
    /// Engine family.
    #[arg(long, value_enum, default_value_t = ModeArg::Fast)]
    mode: ModeArg,
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
    let spec = args.input.parse()?;
    // The grid is carried through every run of every size (runs may grow to max_seeds).
    super::budget::guard(&super::budget::grid_estimate(
        "the recorded curves of this check",
        args.points,
        (args.sizes.len().max(4) * args.seeds.max(args.max_seeds)) as f64 * 2.0,
        "--points, --seeds or sizes",
    ))?;
    let prism = prism::pipeline::default_prism()?;
    let opts = CheckOptions {
        sizes: args.sizes.clone(),
        budget: args.budget,
        max_flops: args.max_flops,
        seeds: args.seeds,
        max_seeds: args.max_seeds.max(args.seeds),
        seed: args.seed,
        t_max: args.t_max,
        points: args.points,
        formula: args.formula,
        mode: if args.physical {
            Mode::Physical
        } else {
            args.mode.into()
        },
        ..CheckOptions::default()
    };
    let beat = super::progress::Heartbeat::start("check");
    let report = check(&spec, &prism, &opts, &|line| {
        beat.set(line.to_string());
        eprintln!("[check] {line}")
    })?;
    drop(beat);
    if let Some(path) = &args.plot {
        prism::plot::save_figure(path, &plot(&report)?)?;
    }
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else if args.csv {
        out!(
            "{}\n{}",
            prism::report::tidy::HEADER,
            prism::report::tidy::check_rows(&report)
        );
    } else {
        out!("{}", text(&report));
    }
    if report.verdict == Verdict::Agrees {
        Ok(())
    } else {
        // Exit 1: the check ran but did not confirm the limit (the verdict is in the output).
        Err(CliError {
            message: format!("check: verdict {}", report.verdict.as_str()),
            code: 1,
        })
    }
}

/// The readable report.
pub fn text(r: &CheckReport) -> String {
    let mut o = String::new();
    o.push_str(&format!("spec      {}\nface      {}\n", r.spec, r.face));
    o.push_str(&format!(
        "time      {}; constants {}\n",
        r.time_variable,
        r.constants
            .iter()
            .map(|(n, v)| format!("{n} = {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    match &r.reference {
        Reference::Limit { method } => o.push_str(&format!("reference the limit of THEORY section 5 ({method})\n")),
        Reference::Series { order, radius } => o.push_str(&format!(
            "reference the exact leading series, order {order} (apparent radius {radius:.3}); no closed form is known\n"
        )),
        Reference::SeriesAndNumeric {
            order,
            radius,
            series_until,
            numeric,
            overlap_z,
        } => {
            o.push_str(&format!(
                "reference no closed form is known: the exact leading series (order {order}, apparent radius {radius:.3}) for {} <= {series_until:.3}; beyond, {numeric}\n",
                r.time_variable.split(' ').next().unwrap_or("T")
            ));
            let emax = r
                .limit_train_err
                .iter()
                .chain(&r.limit_pop_err)
                .cloned()
                .fold(0.0, f64::max);
            o.push_str(&format!(
                "          numerical error bars (1 s.e.) up to {emax:.1e}{}\n",
                overlap_z.map_or(String::new(), |z| format!(
                    "; against the series where both exist: largest |difference|/error {z:.1}"
                ))
            ));
        }
    }
    o.push_str(&format!("window    {}\n", r.window));
    let l = &r.ladder;
    o.push_str(&format!(
        "sizes     {} ({}; budget {} s, took {:.1} s)\n",
        r.sizes
            .iter()
            .map(|s| fmt_n(s.n))
            .collect::<Vec<_>>()
            .join(", "),
        if l.automatic {
            "chosen automatically"
        } else {
            "given"
        },
        l.budget_seconds,
        l.wall_seconds
    ));
    for e in &l.explanation {
        o.push_str(&format!("          - {e}\n"));
    }
    o.push_str(&format!(
        "expected  corrections O(n^-{})\n\n",
        r.expected_rate
    ));
    o.push_str(&format!(
        "{:>6} {:>6} {:>7} {:>7}   {:>22} {:>22} {:>5}\n",
        "n", "p", "H", "N", "train L2 (+- se)", "pop L2 (+- se)", "runs"
    ));
    for (i, s) in r.sizes.iter().enumerate() {
        let e = |k: usize| {
            let x = &r.losses[k].errors[i];
            format!("{:.3e} +- {:.1e}", x.l2, x.l2_se)
        };
        o.push_str(&format!(
            "{:>6} {:>6} {:>7} {:>7}   {:>22} {:>22} {:>5}\n",
            fmt_n(s.n),
            s.p,
            s.h,
            s.n_data.map_or("inf".to_string(), |v| v.to_string()),
            e(0),
            e(1),
            s.seeds
        ));
    }
    o.push('\n');
    for l in &r.losses {
        let rate = l.sup.fit.map_or("-".to_string(), |f| {
            format!("n^({:.2}) +- {:.2}", -f.rate, f.se)
        });
        let rate2 = l.l2.fit.map_or("-".to_string(), |f| {
            format!("n^({:.2}) +- {:.2}", -f.rate, f.se)
        });
        o.push_str(&format!(
            "{:<5} {}: sup-norm rate {rate}, L2 rate {rate2}\n      {} (from the L2 errors): {}\n",
            l.loss.name(),
            l.quantity,
            l.l2.verdict.as_str(),
            l.l2.reason
        ));
    }
    for n in &r.notes {
        o.push_str(&format!("note: {n}\n"));
    }
    if let Some(b) = l.budget_that_would_suffice {
        o.push_str(&format!(
            "note: a budget of about {b:.0} s (--budget) would be needed to decide (estimated from the measured noise)\n"
        ));
    }
    o.push_str(&format!("\nverdict: {}\n", r.verdict.as_str()));
    o
}
