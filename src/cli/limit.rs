//! `prism limit`: the limiting law a scaling obeys, evaluated, with its exact series.
//!
//! `prism limit SPEC` classifies the spec, takes the finite constants from its prefactors and
//! prints the face, its normalization, the formula (words and LaTeX), both limiting curves and
//! the exact Taylor series. `--face NAME --set q=0.5 ...` skips the spec. `--explain FACE`
//! prints the derivation sketch. `--verify` confirms the series against the hierarchy exactly.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::budget;
use super::input::SpecInput;
use super::progress::Heartbeat;
use super::{CliError, CliResult};
use prism::poly::PolyFormat;
use prism::regimes::{
    curves::FreeNumericOptions, text, ConfirmReport, Constants, CurveOptions, LimitCurves,
    LimitSeries, Loss, Regime,
};
use prism::report::limit::series_strings;
use prism::report::{compute_limit, tidy, LimitReport, LimitRequest};

/// Output format of exact coefficients.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Plain text (`3/2*q^2*r`).
    Text,
    /// LaTeX.
    Latex,
    /// SymPy.
    Sympy,
}

impl From<Format> for PolyFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Text => PolyFormat::Text,
            Format::Latex => PolyFormat::Latex,
            Format::Sympy => PolyFormat::Sympy,
        }
    }
}

/// Flags of `prism limit`.
#[derive(clap::Args, Debug)]
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
    #[arg(long = "tau-max", alias = "t-max", default_value_t = prism::regimes::DEFAULT_FACE_TIME, value_parser = super::nonneg)]
    t_max: f64,
    /// Number of intervals K of the face-time grid (K + 1 points).
    #[arg(long, value_name = "K", default_value_t = prism::regimes::DEFAULT_POINTS, value_parser = super::count)]
    points: usize,
    /// Print one JSON object.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print tidy CSV rows (source,face,n,run,seed,loss,quantity,t,tau,value,stderr; the face
    /// time is `tau`).
    #[arg(long)]
    csv: bool,
    /// Highest order s of the exact series.
    #[arg(long, value_name = "S", default_value_t = 4)]
    series: usize,
    /// Format of the exact coefficients.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Confirm the exact series against the hierarchy's leading coefficients (exit 1 if not).
    #[arg(long)]
    verify: bool,
    /// Write a plot of both limiting curves (.svg or .png).
    #[arg(long, value_name = "FILE.svg|FILE.png")]
    plot: Option<PathBuf>,
    /// Small-data chains: largest allowed difference between the K-site run and the 2K-site run
    /// with 100x tighter ODE tolerances (raise it in the ill-conditioned collapse corner).
    #[arg(long = "chain-tol", default_value_t = CurveOptions::default().chain_tol, value_parser = super::positive)]
    chain_tol: f64,
    /// Free face at finite alpha: sizes p of the reduced-flow simulations (comma separated).
    #[arg(long = "free-sizes", value_delimiter = ',', default_values_t = FreeNumericOptions::default().sizes, value_parser = super::count)]
    free_sizes: Vec<usize>,
    /// Free face at finite alpha: runs per size.
    #[arg(long = "free-seeds", default_value_t = FreeNumericOptions::default().seeds, value_parser = super::count)]
    free_seeds: usize,
    /// Free face at finite alpha: base seed B (run i uses B + i).
    #[arg(long, value_name = "B", default_value_t = FreeNumericOptions::default().seed)]
    seed: u64,
}

/// The face and its constants, from a spec or from flags.
struct Target {
    regime: Regime,
    constants: Constants,
    /// The spec as classified (None with --face).
    spec: Option<String>,
    /// With a spec: the correction exponent rho of the classification (the rate `prism check`
    /// tests, O(n^-rho)) and whether N = infinity.
    correction: Option<(String, bool)>,
}

fn target(args: &Args) -> Result<Target, CliError> {
    let (regime, mut constants, spec) = match (&args.face, args.input.text_opt()?) {
        (Some(_), Some(_)) => {
            return Err(CliError::user(
                "give either a SPEC or --face, not both",
            ))
        }
        (Some(f), None) => (*f, Constants::default(), None),
        (None, Some(_)) => {
            let spec = args.input.parse()?;
            let prism = prism::pipeline::default_prism()?;
            let c = prism::polytope::classify(&spec, &prism)?;
            let (regime, k) = prism::report::limit::limit_target(&c)?;
            let n_inf = matches!(spec.n_data, prism::spec::DataSize::Infinite);
            (regime, k, Some((c.spec, c.correction_exponent.clone(), n_inf)))
        }
        (None, None) => {
            return Err(CliError::user(
                "no spec given: pass a SPEC (\"p = n; H = 0.5 n; sigma2 = n^-1\"), -f FILE, or --face NAME --set q=...",
            ))
        }
    };
    for kv in &args.set {
        let kv_shown = prism::spec::elide(kv, 60);
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| CliError::user(format!("--set expects NAME=VALUE, got `{kv_shown}`")))?;
        let k = k.trim();
        const NAMES: [&str; 5] = ["q", "r", "c", "y", "alpha"];
        if !NAMES.contains(&k) {
            return Err(CliError::user(format!(
                "--set {kv_shown}: unknown constant `{}`; the constants are q (= sigma2 p), r (= H/p), c (= q r), y (= p/N) and alpha (= N/p)",
                prism::spec::elide(k, 30)
            )));
        }
        let v: f64 = if v.trim() == "inf" {
            f64::INFINITY
        } else {
            v.trim().parse().map_err(|_| {
                CliError::user(format!(
                    "--set {kv_shown}: `{}` is not a number",
                    prism::spec::elide(v, 30)
                ))
            })?
        };
        if v.is_nan() {
            return Err(CliError::user(format!(
                "--set {kv_shown}: NaN is not a value"
            )));
        }
        constants
            .set(k, v)
            .map_err(|e| CliError::user(format!("--set {kv_shown}: {e}")))?;
    }
    let (spec, correction) = match spec {
        Some((s, rho, n_inf)) => (Some(s), Some((rho, n_inf))),
        None => (None, None),
    };
    Ok(Target {
        regime,
        constants,
        spec,
        correction,
    })
}

/// The expected finite-size correction in words: with a spec, the rate `prism check` tests
/// (O(n^-rho) from the classification). At N = infinity a face with a large-data part has no
/// 1/alpha correction: the corrections are O(1/p), and the simulations start above the limit
/// by exactly q^2 r/(2p) (E l(0) minus the limit at t = 0, THEORY section 2).
fn corrections_text(tg: &Target) -> String {
    let regime = tg.regime;
    let large = regime.two_faces().contains(&Regime::LargeData);
    let n_inf = tg.correction.as_ref().is_some_and(|c| c.1);
    let mut parts = Vec::new();
    if let Some((rho, _)) = &tg.correction {
        parts.push(format!(
            "O(n^-{rho}) in the normalized quantities (the rate prism check tests)"
        ));
        if n_inf && large {
            parts.push(
                "N = inf: no 1/alpha correction; the corrections are O(1/p), with the simulations above the limit by q^2 r/(2p) at t = 0"
                    .to_string(),
            );
        }
    }
    parts.extend(
        regime
            .corrections()
            .iter()
            .filter(|c| !(large && n_inf && c.parameter == "1/alpha"))
            .map(|c| c.note.to_string()),
    );
    if parts.is_empty() {
        "none listed (the interior is not a limit)".into()
    } else {
        parts.join("; ")
    }
}

fn fmt_constants(regime: Regime, k: &Constants) -> String {
    let names = regime.constant_names();
    if names.is_empty() {
        return "none (a vertex: the limit is universal)".into();
    }
    let vals = regime.resolve(k).unwrap_or_default();
    names
        .iter()
        .zip(vals)
        .map(|(n, v)| format!("{n} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Run `prism limit`.
pub fn run(args: Args) -> CliResult {
    if let Some(r) = args.explain {
        out!("{}", text::explain(r));
        return Ok(());
    }
    if let Some(path) = &args.plot {
        prism::plot::check_figure_path(path)?;
    }
    let tg = target(&args)?;
    let regime = tg.regime;
    let values = regime.resolve(&tg.constants)?;
    // Resource guards before any work: the series order, the grid, the free-face simulations.
    budget::guard(&budget::series_estimate(regime, args.series, "--series"))?;
    budget::guard(&budget::grid_estimate(
        "the limit curves on this grid",
        args.points,
        4.0,
        "--points",
    ))?;
    if regime == Regime::Free && values.get(1).copied().unwrap_or(0.0) > 0.0 {
        budget::guard(&free_sims_estimate(&args))?;
    }
    let times: Vec<f64> = (0..=args.points)
        .map(|i| args.t_max * i as f64 / args.points as f64)
        .collect();
    let opts = CurveOptions {
        chain_tol: args.chain_tol,
        free: FreeNumericOptions {
            sizes: args.free_sizes.clone(),
            seeds: args.free_seeds,
            seed: args.seed,
        },
        ..CurveOptions::default()
    };
    if regime == Regime::Free && values.get(1).copied().unwrap_or(0.0) > 0.0 && !args.json {
        eprintln!(
            "free face at finite alpha: simulating the reduced flow at p = {:?} ({} runs each) ...",
            args.free_sizes, args.free_seeds
        );
    }
    let req = LimitRequest {
        times,
        curve: opts,
        series: args.series,
        verify: args.verify,
    };
    let beat = Heartbeat::start("limit");
    beat.set(format!(
        "limit curves and the exact series to order {}",
        args.series
    ));
    let outcome = compute_limit(regime, tg.constants, &req)?;
    drop(beat);
    let curves = outcome.curves.as_ref();
    let ls = &outcome.series;
    let report = outcome.confirm.as_ref();
    let fmt: PolyFormat = args.format.into();

    if let Some(path) = &args.plot {
        match curves {
            Some(c) => plot_curves(path, regime, c)?,
            None => {
                return Err(CliError::user(
                    "the interior has no limit curve to plot (no closed form); see the series",
                ))
            }
        }
    }

    if args.json {
        let v = LimitReport::new(&outcome, tg.spec.clone(), fmt);
        outln!("{}", prism::report::to_json(&v)?);
    } else if args.csv {
        let mut w = std::io::stdout().lock();
        writeln!(w, "{}", tidy::HEADER)?;
        if let Some(c) = curves {
            w.write_all(tidy::limit_rows(regime, c).as_bytes())?;
        }
    } else {
        out!("{}", text_output(&tg, ls, curves, report, fmt));
    }
    if let Some(rep) = report {
        if !rep.all_agree() {
            return Err(CliError::failed(format!(
                "the limit series of {} disagrees with the hierarchy at {} coefficient(s)",
                regime.name(),
                rep.failures().len()
            )));
        }
    }
    Ok(())
}

fn text_output(
    tg: &Target,
    ls: &LimitSeries,
    curves: Option<&LimitCurves>,
    report: Option<&ConfirmReport>,
    fmt: PolyFormat,
) -> String {
    let regime = tg.regime;
    let mut out = String::new();
    let mut push = |k: &str, v: String| out.push_str(&format!("{k:<14}{v}\n"));
    if let Some(s) = &tg.spec {
        push("spec", s.clone());
    }
    push(
        "face",
        format!(
            "{} ({}, dimension {}): {}",
            regime.name(),
            regime.label(),
            regime.dim(),
            text::scaling(regime)
        ),
    );
    push("constants", fmt_constants(regime, &tg.constants));
    push("time", regime.time_variable());
    push("train", regime.quantity(Loss::Train));
    push("pop", regime.quantity(Loss::Pop));
    push("limit", text::formula_words(regime).to_string());
    push("LaTeX", text::formula_latex(regime).to_string());
    if !regime.has_closed_form(tg.constants.y) {
        push(
            "exact curve",
            "NONE: no closed form or exact numerical limit is known; the curve below (if any) is from simulation, and the exact series is given"
                .into(),
        );
    }
    push("corrections", corrections_text(tg));
    if let Some(c) = curves {
        push("method", c.method.describe());
        for n in &c.notes {
            push("note", n.clone());
        }
        out.push('\n');
        let sym = regime.time_symbol();
        let has_err = c.train_err.is_some();
        if has_err {
            out.push_str(&format!(
                "{sym:>10}  {:>24}  {:>24}\n",
                "train (+- se)", "pop (+- se)"
            ));
        } else {
            out.push_str(&format!("{sym:>10}  {:>20}  {:>20}\n", "train", "pop"));
        }
        for i in 0..c.times.len() {
            if has_err {
                let te = c.train_err.as_ref().map_or(0.0, |e| e[i]);
                let pe = c.pop_err.as_ref().map_or(0.0, |e| e[i]);
                out.push_str(&format!(
                    "{:>10.4}  {:>13.7} +- {:<8.1e}  {:>13.7} +- {:<8.1e}\n",
                    c.times[i], c.train[i], te, c.pop[i], pe
                ));
            } else {
                out.push_str(&format!(
                    "{:>10.4}  {:>20.12}  {:>20.12}\n",
                    c.times[i], c.train[i], c.pop[i]
                ));
            }
        }
    } else {
        out.push_str(
            "\nno limit curve: the interior keeps every leading diagram and has no closed form.\nUse the exact leading series below inside its radius of convergence, and simulation\n(prism simulate SPEC --n ..., prism check SPEC) beyond it.\n",
        );
    }
    out.push_str(&format!(
        "\nexact series in {} (Q(T) = sum_s c_s T^s/s!; variables: {}):\n",
        regime.time_symbol(),
        if ls.constants.is_empty() {
            "none".to_string()
        } else {
            ls.constants.join(", ")
        }
    ));
    for loss in [Loss::Train, Loss::Pop] {
        out.push_str(&format!("  [{}] {}\n", loss.name(), regime.quantity(loss)));
        for (s, c) in series_strings(ls, loss, fmt).iter().enumerate() {
            out.push_str(&format!("    c_{s} = {c}\n"));
        }
    }
    if let Some(rep) = report {
        let agree = rep.checks.iter().filter(|c| c.agrees).count();
        out.push_str(&format!(
            "\nverify: {} of {} coefficients (orders 0..={}, both losses) equal the hierarchy restricted to the face: {}\n",
            agree,
            rep.checks.len(),
            rep.max_order,
            if rep.all_agree() { "CONFIRMED" } else { "DISAGREES" }
        ));
        for f in rep.failures() {
            out.push_str(&format!(
                "  {} s={}: limit {} | hierarchy {}\n",
                f.loss.name(),
                f.s,
                f.limit,
                f.hierarchy
            ));
        }
    }
    out
}

fn plot_curves(path: &Path, regime: Regime, c: &LimitCurves) -> Result<(), CliError> {
    use prism::plot::{chart_svg, Chart, Line};
    let lines = [(Loss::Train, 1), (Loss::Pop, 2)]
        .into_iter()
        .map(|(loss, color)| {
            let err = match loss {
                Loss::Train => c.train_err.clone(),
                Loss::Pop => c.pop_err.clone(),
            };
            Line {
                label: format!("{}: {}", loss.name(), regime.quantity(loss)),
                x: c.times.clone(),
                y: c.values(loss).to_vec(),
                band: err.map(|e| e.iter().map(|v| 2.0 * v).collect()),
                dashed: false,
                color,
            }
        })
        .collect();
    let svg = chart_svg(&Chart {
        title: format!("{} limit ({})", regime.name(), regime.label()),
        x_label: regime.time_variable(),
        y_label: "normalized loss".into(),
        lines,
    })?;
    Ok(prism::plot::save_figure(path, &svg)?)
}

/// The free face at finite alpha simulates the reduced flow: sizes x seeds runs of a p x p
/// state (O(p^3) per step) over the grid.
fn free_sims_estimate(args: &Args) -> budget::Estimate {
    let steps = 100.0 * args.t_max.max(0.01) + args.points as f64;
    let flops: f64 = args
        .free_sizes
        .iter()
        .map(|&p| 6.0 * (p as f64).powi(3) * steps * args.free_seeds as f64)
        .sum();
    let biggest = args.free_sizes.iter().copied().max().unwrap_or(1) as f64;
    budget::Estimate {
        what: "the free-face simulations".into(),
        secs: flops / budget::FLOPS_PER_SEC,
        bytes: 2.0 * 4.0 * 8.0 * biggest * biggest,
        detail: format!(
            "sizes {:?} x {} runs x about {steps:.0} steps of O(p^3)",
            args.free_sizes, args.free_seeds
        ),
        knobs: "smaller --free-sizes, fewer --free-seeds, a shorter --tau-max".into(),
    }
}
