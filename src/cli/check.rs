//! `prism check`: theory against simulation at growing n, with a computed verdict.

use super::input::{ModeArg, SpecInput};
use super::{CliError, CliResult};
use prism::check::run::{check, plot, CheckOptions, CheckReport, Reference};
use prism::sim::Mode;

/// Flags of `prism check`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: SpecInput,
    /// The values of n at which the spec is evaluated (comma-separated; several, to measure
    /// the rate).
    #[arg(long = "n", value_delimiter = ',', default_values_t = CheckOptions::default().sizes)]
    sizes: Vec<f64>,
    /// Runs per size R.
    #[arg(long, value_name = "R", default_value_t = CheckOptions::default().seeds)]
    seeds: usize,
    /// Base seed B (run i uses B + i).
    #[arg(long, value_name = "B", default_value_t = CheckOptions::default().seed)]
    seed: u64,
    /// Final face time (default 1, shortened to the validity window). Old spelling: --t-max.
    #[arg(long = "tau-max", alias = "t-max")]
    t_max: Option<f64>,
    /// Number of intervals K of the face-time grid (K + 1 points).
    #[arg(long, value_name = "K", default_value_t = CheckOptions::default().points)]
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
    /// Write an SVG overlay of the simulated curves on the limit.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<std::path::PathBuf>,
}

/// Run `prism check`. Exit code 0 when the verdict is `agrees`, 1 otherwise.
pub fn run(args: Args) -> CliResult {
    let spec = args.input.parse()?;
    let prism = prism::pipeline::default_prism()?;
    let opts = CheckOptions {
        sizes: args.sizes.clone(),
        seeds: args.seeds,
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
    let report = check(&spec, &prism, &opts, &|line| eprintln!("[check] {line}"))?;
    if let Some(path) = &args.plot {
        let svg = plot(&report)?;
        std::fs::write(path, svg)
            .map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if args.csv {
        print!(
            "{}\n{}",
            prism::report::tidy::HEADER,
            prism::report::tidy::check_rows(&report)
        );
    } else {
        print!("{}", text(&report));
    }
    Ok(())
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
    }
    o.push_str(&format!("window    {}\n", r.window));
    o.push_str(&format!(
        "expected  corrections O(n^-{})\n\n",
        r.expected_rate
    ));
    o.push_str(&format!(
        "{:>6} {:>6} {:>7} {:>7}   {:>22} {:>22}\n",
        "n", "p", "H", "N", "train L2 (+- se)", "pop L2 (+- se)"
    ));
    for (i, s) in r.sizes.iter().enumerate() {
        let e = |k: usize| {
            let x = &r.losses[k].errors[i];
            format!("{:.3e} +- {:.1e}", x.l2, x.l2_se)
        };
        o.push_str(&format!(
            "{:>6} {:>6} {:>7} {:>7}   {:>22} {:>22}\n",
            s.n,
            s.p,
            s.h,
            s.n_data.map_or("inf".to_string(), |v| v.to_string()),
            e(0),
            e(1)
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
    o.push_str(&format!("\nverdict: {}\n", r.verdict.as_str()));
    o
}
