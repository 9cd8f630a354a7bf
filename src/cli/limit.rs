//! `prism limit`: the limiting law a scaling obeys, evaluated, with its exact series.
//!
//! `prism limit SPEC` classifies the spec, takes the finite constants from its prefactors and
//! prints the face, its normalization, the formula (words and LaTeX), both limiting curves and
//! the exact Taylor series. `--face NAME --set q=0.5 ...` skips the spec. `--explain FACE`
//! prints the derivation sketch. `--verify` confirms the series against the hierarchy exactly.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::input::SpecInput;
use super::{CliError, CliResult};
use prism::poly::PolyFormat;
use prism::regimes::{
    self, confirm, curves::FreeNumericOptions, limit_curve_with, limit_series, text, ConfirmReport,
    Constants, CurveOptions, LimitCurves, LimitSeries, Loss, Regime,
};

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
    #[arg(long, value_name = "FACE", conflicts_with_all = ["face"])]
    explain: Option<String>,
    /// Use this face directly instead of classifying a spec.
    #[arg(long, value_name = "FACE")]
    face: Option<String>,
    /// Set or override a finite constant: q, r, c (= q r), y (= 1/alpha) or alpha. Repeatable.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Final face time T (the curves are on 0..T in the face's time variable).
    #[arg(long = "t-max", default_value_t = 1.0)]
    t_max: f64,
    /// Number of intervals of the time grid (K + 1 points).
    #[arg(long, value_name = "K", default_value_t = 20)]
    points: usize,
    /// Print one JSON object.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print tidy CSV rows (source,face,loss,quantity,t,value,stderr).
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
    /// Write an SVG plot of both limiting curves.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
    /// Small-data chains: largest allowed difference between the K-site run and the 2K-site run
    /// with 100x tighter ODE tolerances (raise it in the ill-conditioned collapse corner).
    #[arg(long = "chain-tol", default_value_t = 1e-10)]
    chain_tol: f64,
    /// Free face at finite alpha: sizes p of the reduced-flow simulations (comma separated).
    #[arg(long = "free-sizes", value_delimiter = ',', default_values_t = vec![64usize, 128, 256])]
    free_sizes: Vec<usize>,
    /// Free face at finite alpha: runs per size.
    #[arg(long = "free-seeds", default_value_t = 16)]
    free_seeds: usize,
    /// Free face at finite alpha: base seed.
    #[arg(long, default_value_t = 0)]
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
        (Some(f), None) => (Regime::from_name(f)?, Constants::default(), None),
        (None, Some(_)) => {
            let spec = args.input.parse()?;
            let prism = prism::pipeline::default_prism()?;
            let c = prism::polytope::classify(&spec, &prism)?;
            let regime = Regime::from_name(&c.face)?;
            let mut k = Constants::default();
            for cst in &c.constants {
                k.set(cst.name, cst.value_f64)?;
            }
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
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| CliError::user(format!("--set expects NAME=VALUE, got `{kv}`")))?;
        let v: f64 = if v.trim() == "inf" {
            f64::INFINITY
        } else {
            v.trim()
                .parse()
                .map_err(|_| CliError::user(format!("--set {kv}: `{v}` is not a number")))?
        };
        constants.set(k.trim(), v)?;
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
/// by exactly q^2 r/(2p) (E l(0) - l(0) limit, THEORY section 2).
fn corrections_text(tg: &Target) -> String {
    let regime = tg.regime;
    let large = regime.two_faces().contains(&Regime::LargeData);
    let notes: Vec<String> = regime
        .corrections()
        .iter()
        .filter(|c| !(large && tg.correction.as_ref().is_some_and(|c| c.1) && c.parameter == "1/alpha"))
        .map(|c| c.note.to_string())
        .collect();
    let mut parts = Vec::new();
    if let Some((rho, n_inf)) = &tg.correction {
        parts.push(format!(
            "O(n^-{rho}) in the normalized quantities (the rate prism check tests)"
        ));
        if *n_inf && large {
            parts.push(
                "N = inf: no 1/alpha correction; the corrections are O(1/p), with the simulations above the limit by q^2 r/(2p) at t = 0"
                    .to_string(),
            );
        }
    }
    parts.extend(notes);
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

fn series_strings(ls: &LimitSeries, loss: Loss, fmt: PolyFormat) -> Vec<String> {
    (0..ls.coeffs(loss).len())
        .map(|s| ls.format(loss, s, fmt))
        .collect()
}

fn verify(ls: &LimitSeries) -> Result<ConfirmReport, CliError> {
    let order = ls.train.len() - 1;
    let tr = prism::expansion::leading_coefficients(order, Loss::Train)?;
    let pop = prism::expansion::leading_coefficients(order, Loss::Pop)?;
    Ok(confirm(ls, &tr, &pop))
}

/// Run `prism limit`.
pub fn run(args: Args) -> CliResult {
    if let Some(face) = &args.explain {
        let r = Regime::from_name(face)?;
        print!("{}", text::explain(r));
        return Ok(());
    }
    if !(args.t_max.is_finite() && args.t_max >= 0.0) {
        return Err(CliError::user("--t-max must be finite and >= 0"));
    }
    if args.points == 0 {
        return Err(CliError::user("--points must be >= 1"));
    }
    let tg = target(&args)?;
    let regime = tg.regime;
    let values = regime.resolve(&tg.constants)?;
    if regime == Regime::Free && args.series > 7 {
        eprintln!(
            "note: the free-face series at order {} may take minutes (order 7: ~5 s, order 8: ~30 s)",
            args.series
        );
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
    let curves: Result<LimitCurves, regimes::RegimeError> =
        limit_curve_with(regime, &tg.constants, &times, &opts);
    let curves = match curves {
        Ok(c) => Some(c),
        Err(regimes::RegimeError::NoClosedForm { .. }) if regime == Regime::Proportional => None,
        Err(e) => return Err(e.into()),
    };
    let ls = limit_series(regime, args.series)?;
    let report = if args.verify {
        Some(verify(&ls)?)
    } else {
        None
    };
    let fmt: PolyFormat = args.format.into();

    if let Some(path) = &args.plot {
        match &curves {
            Some(c) => plot_curves(path, regime, c)?,
            None => {
                return Err(CliError::user(
                    "the interior has no limit curve to plot (no closed form); see the series",
                ))
            }
        }
    }

    if args.json {
        let mut v = json_output(&tg, &ls, curves.as_ref(), &values, fmt);
        if let Some(rep) = &report {
            v["verify"] = json!({
                "all_agree": rep.all_agree(),
                "max_order": rep.max_order,
                "checks": rep.checks,
            });
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else if args.csv {
        let out = std::io::stdout();
        let mut w = out.lock();
        writeln!(w, "source,face,loss,quantity,t,value,stderr")?;
        if let Some(c) = &curves {
            for loss in [Loss::Train, Loss::Pop] {
                let err = match loss {
                    Loss::Train => c.train_err.as_ref(),
                    Loss::Pop => c.pop_err.as_ref(),
                };
                for (i, t) in c.times.iter().enumerate() {
                    writeln!(
                        w,
                        "limit,{},{},\"{}\",{},{},{}",
                        regime.name(),
                        loss.name(),
                        regime.quantity(loss),
                        t,
                        c.values(loss)[i],
                        err.map_or(String::new(), |e| e[i].to_string())
                    )?;
                }
            }
        }
    } else {
        print!(
            "{}",
            text_output(&tg, &ls, curves.as_ref(), report.as_ref(), fmt)
        );
    }
    if let Some(rep) = &report {
        if !rep.all_agree() {
            return Err(CliError {
                message: format!(
                    "the limit series of {} disagrees with the hierarchy at {} coefficient(s)",
                    regime.name(),
                    rep.failures().len()
                ),
                code: 1,
            });
        }
    }
    Ok(())
}

fn json_output(
    tg: &Target,
    ls: &LimitSeries,
    curves: Option<&LimitCurves>,
    values: &[f64],
    fmt: PolyFormat,
) -> Value {
    let regime = tg.regime;
    let consts: serde_json::Map<String, Value> = regime
        .constant_names()
        .iter()
        .zip(values)
        .map(|(n, v)| (n.to_string(), json!(v)))
        .collect();
    let loss_obj = |loss: Loss| {
        let mut o = json!({ "quantity": regime.quantity(loss) });
        if let Some(c) = curves {
            o["t"] = json!(c.times);
            o["value"] = json!(c.values(loss));
            let err = match loss {
                Loss::Train => c.train_err.as_ref(),
                Loss::Pop => c.pop_err.as_ref(),
            };
            if let Some(e) = err {
                o["stderr"] = json!(e);
            }
        }
        o
    };
    let coeff_values =
        |loss: Loss| -> Vec<f64> { ls.coeffs(loss).iter().map(|p| p.eval_f64(values)).collect() };
    json!({
        "face": regime.name(),
        "label": regime.label(),
        "face_dim": regime.dim(),
        "spec": tg.spec,
        "scaling": text::scaling(regime),
        "constants": consts,
        "time_variable": regime.time_variable(),
        "normalization": {
            "train": regime.normalization(Loss::Train),
            "pop": regime.normalization(Loss::Pop),
        },
        "formula": { "words": text::formula_words(regime), "latex": text::formula_latex(regime) },
        "closed_form": regime.has_closed_form(tg.constants.y),
        "method": curves.map(|c| json!(c.method)),
        "notes": curves.map_or_else(|| vec!["no closed form is known: the exact leading series is the hierarchy itself; compare with simulation (prism simulate, prism check)".to_string()], |c| c.notes.clone()),
        "train": loss_obj(Loss::Train),
        "pop": loss_obj(Loss::Pop),
        "series": {
            "convention": "Q(T) = sum_s c_s T^s / s!, T the face time; c_0 of a quantity that subtracts l(0) is the face part of l(0)",
            "variables": ls.constants,
            "train": series_strings(ls, Loss::Train, fmt),
            "pop": series_strings(ls, Loss::Pop, fmt),
            "train_values": coeff_values(Loss::Train),
            "pop_values": coeff_values(Loss::Pop),
        },
        "corrections": regime.corrections(),
        "expected_correction": corrections_text(tg),
        "correction_exponent": tg.correction.as_ref().map(|c| c.0.clone()),
    })
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
            "closed form",
            "NONE KNOWN: the curve below is numerical (or absent) and the exact series is given"
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
    std::fs::write(path, svg)
        .map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))
}
