//! `prism limit` as one library call: a [`Target`] (the face and its finite constants, from a
//! classified spec or given directly), its cost ([`estimates`]), the evaluated limit
//! ([`compute`], a [`LimitOutcome`] whose documented output is [`LimitReport`]) and its
//! readable text ([`text`]).

use crate::budget::{Estimate, FLOPS_PER_SEC};
use crate::plot::{chart_svg, Chart, Line, PlotError};
use crate::poly::PolyFormat;
use crate::regimes::{text as words, Constants, CurveOptions, LimitCurves, Loss, Regime};
use crate::report::limit::series_strings;
use crate::report::{compute_limit, tidy, LimitOutcome, LimitRequest, ReportError};
use crate::spec::{DataSize, Spec};

pub use crate::report::LimitReport;

/// The names `--set` accepts: q (= sigma2 p), r (= H/p), c (= q r), y (= p/N), alpha (= N/p).
pub const CONSTANT_NAMES: [&str; 5] = ["q", "r", "c", "y", "alpha"];

/// Longest assignment or name shown in an error message (longer ones are elided).
const SHOWN_CHARS: usize = 60;

/// Errors of a limit request.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    /// The spec could not be classified.
    #[error(transparent)]
    Classify(#[from] crate::polytope::ClassifyError),
    /// The prism could not be computed.
    #[error(transparent)]
    Pipeline(#[from] crate::pipeline::PipelineError),
    /// The face or its constants could not be evaluated.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A constant assignment `NAME=VALUE` is malformed.
    #[error("--set {shown}: {why}")]
    Set {
        /// The assignment (elided).
        shown: String,
        /// What is wrong.
        why: String,
    },
    /// An assignment without `=`.
    #[error("--set expects NAME=VALUE, got `{0}`")]
    NotAssignment(String),
    /// The spec cannot be read.
    #[error(transparent)]
    Input(#[from] crate::spec::InputError),
    /// Both a spec and a face, or neither; or a figure of a face without curves.
    #[error("{0}")]
    Request(&'static str),
    /// The figure could not be drawn.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// A time grid 0..=tau_max with no extent (every point at 0) or no finite end.
    #[error("--tau-max {0}: the grid 0..=tau_max of {1} intervals needs a finite tau_max > 0 (every time point would be 0); give e.g. --tau-max 1")]
    EmptyGrid(f64, usize),
}

/// The face whose limit is evaluated, and its finite constants.
#[derive(Clone, Debug)]
pub struct Target {
    /// The face.
    pub regime: Regime,
    /// Its finite constants.
    pub constants: Constants,
    /// The spec as classified (None for a face given directly).
    pub spec: Option<String>,
    /// With a spec: the correction exponent rho of the classification (the rate `prism check`
    /// tests, O(n^-rho)) and whether N = infinity.
    pub correction: Option<(String, bool)>,
    /// The covariance spectrum of the data (`spectrum = LAW`; identity by default), read.
    pub spectrum: crate::spec::SpectrumLaw,
}

impl Target {
    /// The target of a request: a spec from `source` (classified; `spectrum = LAW` read
    /// relative to the spec file) or a `face` given directly, not both; then each `NAME=VALUE`
    /// of `set` ([`Target::assign`]).
    pub fn from_request(
        source: Option<&crate::spec::Source>,
        face: Option<Regime>,
        set: &[String],
    ) -> Result<Self, LimitError> {
        let mut target = match (face, source) {
            (Some(_), Some(_)) => {
                return Err(LimitError::Request("give either a SPEC or --face, not both"))
            }
            (Some(f), None) => Target::face(f),
            (None, Some(s)) => Target::of_spec(&s.parse_resolved()?)?,
            (None, None) => return Err(LimitError::Request(
                "no spec given: pass a SPEC (\"p = n; H = 0.5 n; sigma2 = n^-1\"), -f FILE, or --face NAME --set q=...",
            )),
        };
        for kv in set {
            target.assign(kv)?;
        }
        Ok(target)
    }

    /// A face given directly, with no constants set yet.
    pub fn face(regime: Regime) -> Self {
        Target {
            regime,
            constants: Constants::default(),
            spec: None,
            correction: None,
            spectrum: crate::spec::SpectrumLaw::Identity,
        }
    }

    /// The same target with a covariance spectrum (a `file(...)` law is read here, relative to
    /// the working directory).
    pub fn with_spectrum(mut self, law: crate::spec::SpectrumLaw) -> Result<Self, LimitError> {
        self.spectrum = law
            .resolve(|p| crate::spec::read_source(std::path::Path::new(p)))
            .map_err(|e| {
                LimitError::Report(ReportError::from(crate::regimes::RegimeError::Spectrum {
                    reason: format!("{e} ({})", e.hint()),
                }))
            })?;
        Ok(self)
    }

    /// The face a spec lands on, with the finite constants of its prefactors.
    pub fn of_spec(spec: &Spec) -> Result<Self, LimitError> {
        let prism = crate::pipeline::default_prism()?;
        let c = crate::polytope::classify(spec, &prism)?;
        let (regime, constants) = crate::report::limit::limit_target(&c)?;
        let n_inf = matches!(spec.n_data, DataSize::Infinite);
        Target {
            regime,
            constants,
            spec: Some(c.spec),
            correction: Some((c.correction_exponent.clone(), n_inf)),
            spectrum: crate::spec::SpectrumLaw::Identity,
        }
        .with_spectrum(spec.spectrum.clone())
    }

    /// Set or override a constant from `NAME=VALUE` (names: [`CONSTANT_NAMES`]; `inf` is a
    /// value).
    pub fn assign(&mut self, kv: &str) -> Result<(), LimitError> {
        let shown = crate::spec::elide(kv, SHOWN_CHARS);
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| LimitError::NotAssignment(shown.clone()))?;
        let set_err = |why: String| LimitError::Set {
            shown: shown.clone(),
            why,
        };
        let k = k.trim();
        if !CONSTANT_NAMES.contains(&k) {
            return Err(set_err(format!(
                "unknown constant `{}`; the constants are q (= sigma2 p), r (= H/p), c (= q r), y (= p/N) and alpha (= N/p)",
                crate::spec::elide(k, SHOWN_CHARS / 2)
            )));
        }
        let v: f64 = if v.trim() == "inf" {
            f64::INFINITY
        } else {
            v.trim().parse().map_err(|_| {
                set_err(format!(
                    "`{}` is not a number",
                    crate::spec::elide(v, SHOWN_CHARS / 2)
                ))
            })?
        };
        if v.is_nan() {
            return Err(set_err("NaN is not a value".into()));
        }
        self.constants.set(k, v).map_err(|e| set_err(e.to_string()))
    }

    /// The free face at finite alpha has no closed form: its limit is simulated; with a spectrum
    /// the large-data and free faces (and their edge) too.
    fn simulates(&self) -> bool {
        if !self.spectrum.is_identity() {
            // Numeric references with a spectrum (THEORY 9.5 F1, F4 and their edge E3).
            return matches!(
                self.regime,
                Regime::LargeData | Regime::Free | Regime::LargeFree
            );
        }
        self.regime == Regime::Free
            && self
                .regime
                .resolve(&self.constants)
                .ok()
                .and_then(|v| v.get(1).copied())
                .unwrap_or(0.0)
                > 0.0
    }
}

/// What to evaluate.
#[derive(Clone, Debug)]
pub struct LimitOptions {
    /// Final face time T (the curves are on 0..=T).
    pub tau_max: f64,
    /// Number of intervals K of the face-time grid (K + 1 points).
    pub points: usize,
    /// Highest order s of the exact series.
    pub series: usize,
    /// Confirm the series against the hierarchy exactly.
    pub verify: bool,
    /// Numerical options of the curves.
    pub curve: CurveOptions,
}

impl Default for LimitOptions {
    fn default() -> Self {
        LimitOptions {
            tau_max: crate::regimes::DEFAULT_FACE_TIME,
            points: crate::regimes::DEFAULT_POINTS,
            series: DEFAULT_SERIES_ORDER,
            verify: false,
            curve: CurveOptions::default(),
        }
    }
}

/// Default highest order of the exact series.
pub const DEFAULT_SERIES_ORDER: usize = 4;

/// Measured cost of the exact limit series of `regime` to order `s` (seconds; release build,
/// 2 shared cores). Chains of the small-data and narrow-latent families grow geometrically
/// (about 1.6-1.75x per order: 1.4-1.8 s at order 12, 10-12 s at 16), the free face about 6x
/// per order (5 s at 7, 30 s at 8), the interior as the leading expansion of
/// [`crate::expansion::estimate`], the other faces polynomially (0.2 s at 20, 3-5 s at 40,
/// 37 s at 60: about s^5, then s^6).
pub fn series_secs(regime: Regime, s: usize) -> f64 {
    let x = s as f64;
    let name = regime.name();
    match regime {
        Regime::Proportional => 2.0 * crate::expansion::estimate::leading_estimate(s).0,
        Regime::Free => 5.0 * 6f64.powf(x - 7.0),
        _ if name == "small-data" || name == "narrow-latent" || name == "small-data+free" => {
            1.8 * 1.75f64.powf(x - 12.0)
        }
        _ if name == "narrow-latent+free" => 0.1 * 1.35f64.powf(x - 12.0),
        _ => (0.3 * (x / 20.0).powi(5)).max(37.0 * (x / 60.0).powi(6)),
    }
}

/// [`series_secs`] as an [`Estimate`] (memory: the interior's moment tables; small otherwise);
/// `knob` names the option that sets the order.
pub fn series_estimate(regime: Regime, s: usize, knob: &str) -> Estimate {
    let bytes = match regime {
        Regime::Proportional => 2.0 * crate::expansion::estimate::leading_estimate(s).1,
        _ => 1e6 * (1.0 + (s as f64 / 20.0).powi(2)),
    };
    Estimate {
        what: format!("the exact series of {} to order {s}", regime.name()),
        secs: series_secs(regime, s),
        bytes,
        detail: "measured cost model of the exact series on this face".into(),
        knobs: format!("a lower {knob}"),
    }
}

/// Steps per unit face time of the reduced free flow.
const FREE_STEPS_PER_TIME: f64 = 100.0;
/// Flops per step of the reduced free flow, in units of p^3.
const FREE_FLOPS_PER_P3: f64 = 6.0;
/// Bytes of the reduced free flow's state, in units of p^2 (four p x p f64 matrices, twice).
const FREE_BYTES_PER_P2: f64 = 2.0 * 4.0 * 8.0;

/// The costs of evaluating `target` with `opts`: the exact series, the grid, and, for the free
/// face at finite alpha, the reduced-flow simulations (sizes x seeds runs of a p x p state,
/// O(p^3) per step). Constants that do not resolve on the face are an error first.
pub fn estimates(target: &Target, opts: &LimitOptions) -> Result<Vec<Estimate>, LimitError> {
    target
        .regime
        .resolve(&target.constants)
        .map_err(ReportError::from)?;
    let mut v = vec![
        series_estimate(target.regime, opts.series, "--series"),
        crate::budget::grid_estimate(
            "the limit curves on this grid",
            opts.points,
            4.0,
            "--points",
        ),
    ];
    if target.simulates() && !target.spectrum.is_identity() {
        // The numeric references with a spectrum: the plan limit_curve_law will run.
        let law = crate::regimes::spectral::LawContext::new(&target.spectrum)
            .map_err(ReportError::from)?;
        let times = grid(opts);
        if let Some(plan) = crate::regimes::spectral::numeric_reference_plan(
            target.regime,
            &target.constants,
            &law,
            &times,
            &opts.curve,
        )
        .map_err(ReportError::from)?
        {
            v.push(Estimate {
                what: "the numeric reference (simulations)".into(),
                secs: plan.flops / FLOPS_PER_SEC,
                bytes: plan.bytes * rayon::current_num_threads().max(1) as f64,
                detail: format!(
                    "sizes {:?} x {} runs ({}), {:.1e} flops by the engines' plan",
                    plan.sizes,
                    plan.seeds,
                    match plan.budget_secs {
                        Some(b) => format!("chosen from a budget of {b} s"),
                        None => "as given".into(),
                    },
                    plan.flops
                ),
                knobs: "a smaller --free-budget or --free-sizes, fewer --free-seeds, a shorter --tau-max".into(),
            });
        }
    } else if target.simulates() {
        let free = &opts.curve.free;
        let steps = FREE_STEPS_PER_TIME * opts.tau_max.max(0.01) + opts.points as f64;
        let flops: f64 = free
            .sizes
            .iter()
            .map(|&p| FREE_FLOPS_PER_P3 * (p as f64).powi(3) * steps * free.seeds as f64)
            .sum();
        let biggest = free.sizes.iter().copied().max().unwrap_or(1) as f64;
        v.push(Estimate {
            what: "the free-face simulations".into(),
            secs: flops / FLOPS_PER_SEC,
            bytes: FREE_BYTES_PER_P2 * biggest * biggest,
            detail: format!(
                "sizes {:?} x {} runs x about {steps:.0} steps of O(p^3)",
                free.sizes, free.seeds
            ),
            knobs: "smaller --free-sizes, fewer --free-seeds, a shorter --tau-max".into(),
        });
    }
    Ok(v)
}

/// A note to show before a long evaluation (the free face's simulations), if any.
pub fn start_note(target: &Target, opts: &LimitOptions) -> Option<String> {
    if !target.simulates() {
        return None;
    }
    let planned = (!target.spectrum.is_identity())
        .then(|| {
            let law = crate::regimes::spectral::LawContext::new(&target.spectrum).ok()?;
            crate::regimes::spectral::numeric_reference_plan(
                target.regime,
                &target.constants,
                &law,
                &grid(opts),
                &opts.curve,
            )
            .ok()
            .flatten()
        })
        .flatten();
    let (sizes, seeds) = match &planned {
        Some(p) => (p.sizes.clone(), p.seeds),
        None => (opts.curve.free.sizes.clone(), opts.curve.free.seeds),
    };
    Some(format!(
        "no closed form here: simulating at p = {sizes:?} ({seeds} runs each) ..."
    ))
}

/// The uniform face-time grid 0..=tau_max of `opts`.
fn grid(opts: &LimitOptions) -> Vec<f64> {
    (0..=opts.points)
        .map(|i| opts.tau_max * i as f64 / opts.points as f64)
        .collect()
}

/// Evaluate the limit of `target`: the curves on the uniform grid 0..=tau_max, the exact
/// series, and the exact confirmation with `opts.verify`.
pub fn compute(target: &Target, opts: &LimitOptions) -> Result<LimitOutcome, LimitError> {
    if opts.points > 0 && !(opts.tau_max.is_finite() && opts.tau_max > 0.0) {
        return Err(LimitError::EmptyGrid(opts.tau_max, opts.points));
    }
    let req = LimitRequest {
        times: grid(opts),
        curve: opts.curve.clone(),
        series: opts.series,
        verify: opts.verify,
        spectrum: (!target.spectrum.is_identity()).then(|| target.spectrum.clone()),
    };
    Ok(compute_limit(target.regime, target.constants, &req)?)
}

/// The documented output of an evaluated limit.
pub fn report(target: &Target, outcome: &LimitOutcome, fmt: PolyFormat) -> LimitReport {
    LimitReport::new(outcome, target.spec.clone(), fmt)
}

/// The expected finite-size correction in words: with a spec, the rate `prism check` tests
/// (O(n^-rho) from the classification). At N = infinity a face with a large-data part has no
/// 1/alpha correction: the corrections are O(1/p), and the simulations start above the limit
/// by exactly q^2 r/(2p) (E l(0) minus the limit at t = 0, THEORY section 2).
pub fn corrections_text(target: &Target) -> String {
    let regime = target.regime;
    let large = regime.two_faces().contains(&Regime::LargeData);
    let n_inf = target.correction.as_ref().is_some_and(|c| c.1);
    let mut parts = Vec::new();
    if let Some((rho, _)) = &target.correction {
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

fn constants_text(regime: Regime, k: &Constants) -> String {
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

/// Why a verified limit fails: its exact series disagrees with the hierarchy's leading
/// coefficients at some coefficients (None: confirmed, or not verified).
pub fn disagreement(target: &Target, outcome: &LimitOutcome) -> Option<String> {
    let rep = outcome.confirm.as_ref().filter(|r| !r.all_agree())?;
    Some(format!(
        "the limit series of {} disagrees with the hierarchy at {} coefficient(s)",
        target.regime.name(),
        rep.failures().len()
    ))
}

/// The tidy CSV of `limit --csv` ([`crate::report::tidy`]): the header, then the rows of the
/// curves in face time `tau` (only the header where the face has no curve).
pub fn csv(target: &Target, outcome: &LimitOutcome) -> String {
    let rows = outcome.curves.as_ref();
    let rows = rows.map_or(String::new(), |c| tidy::limit_rows(target.regime, c));
    format!("{}\n{rows}", tidy::HEADER)
}

/// The output of `prism limit`: the [`LimitReport`] as JSON (keys sorted, trailing new line),
/// the tidy CSV ([`csv`]) or the readable report ([`text`]); `fmt` is the format of the exact
/// coefficients.
pub fn render(
    target: &Target,
    outcome: &LimitOutcome,
    format: crate::report::Format,
    fmt: PolyFormat,
) -> serde_json::Result<String> {
    use crate::report::Format;
    Ok(match format {
        Format::Json => crate::report::to_json(&report(target, outcome, fmt))? + "\n",
        Format::Csv => csv(target, outcome),
        Format::Text => text(target, outcome, fmt),
    })
}

/// The figure of `limit --plot`: both limiting curves ([`figure_svg`]); the interior has no
/// curve to draw.
pub fn figure(target: &Target, outcome: &LimitOutcome) -> Result<String, LimitError> {
    let Some(c) = &outcome.curves else {
        return Err(LimitError::Request(
            "the interior has no limit curve to plot (no closed form); see the series",
        ));
    };
    Ok(figure_svg(target.regime, c)?)
}

/// The readable report of an evaluated limit (the text of `prism limit`).
pub fn text(target: &Target, o: &LimitOutcome, fmt: PolyFormat) -> String {
    let regime = target.regime;
    let (ls, curves) = (&o.series, o.curves.as_ref());
    let mut out = String::new();
    let mut push = |k: &str, v: String| out.push_str(&format!("{k:<14}{v}\n"));
    if let Some(s) = &target.spec {
        push("spec", s.clone());
    }
    push(
        "face",
        format!(
            "{} ({}, dimension {}): {}",
            regime.name(),
            regime.label(),
            regime.dim(),
            words::scaling(regime)
        ),
    );
    push("constants", constants_text(regime, &target.constants));
    if let Some(sp) = &o.spectrum {
        push("spectrum", sp.law.clone());
    }
    push("time", regime.time_variable());
    push("train", regime.quantity(Loss::Train));
    push("pop", regime.quantity(Loss::Pop));
    let (fw, fl) = o
        .spectrum
        .as_ref()
        .and_then(|_| words::formula_law(regime))
        .unwrap_or((words::formula_words(regime), words::formula_latex(regime)));
    push("limit", fw.to_string());
    push("LaTeX", fl.to_string());
    if o.spectrum.is_none() && !regime.has_closed_form(target.constants.y) {
        push(
            "exact curve",
            "NONE: no closed form or exact numerical limit is known; the curve below (if any) is from simulation, and the exact series is given"
                .into(),
        );
    }
    push("corrections", corrections_text(target));
    if let Some(sp) = &o.spectrum {
        for n in &sp.notes {
            push("spectrum", n.clone());
        }
    }
    if let Some(c) = curves {
        push("method", c.method.describe());
        for n in &c.notes {
            push("note", n.clone());
        }
        out.push('\n');
        out.push_str(&curve_table(regime, c));
    } else if o.spectrum.is_some() {
        out.push_str("\nno limit curve with this spectrum (see the spectrum notes above).\n");
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
    if ls.train.is_empty() {
        out.push_str(
            "  none: the limit is not analytic at the face time 0 (see the spectrum notes above)\n",
        );
    }
    for loss in [Loss::Train, Loss::Pop] {
        if ls.train.is_empty() {
            break;
        }
        out.push_str(&format!("  [{}] {}\n", loss.name(), regime.quantity(loss)));
        for (s, c) in series_strings(ls, loss, fmt).iter().enumerate() {
            out.push_str(&format!("    c_{s} = {c}\n"));
        }
        if let Some(p) = ls.initial_face_part(loss).filter(|p| !p.is_zero()) {
            out.push_str(&format!(
                "    (subtracted: the face part of {}, {}; the hierarchy's s = 0 face sum)\n",
                initial_over_scale(regime, loss),
                p.format(fmt)
            ));
        }
    }
    if let Some(rep) = &o.confirm {
        let agree = rep.checks.iter().filter(|c| c.agrees).count();
        out.push_str(&format!(
            "\nverify: {} of {} coefficients (orders 0..={}, both losses) equal the hierarchy{} restricted to the face: {}\n",
            agree,
            rep.checks.len(),
            rep.max_order,
            if o.spectrum.is_some() { " with moments (series with m_k as variables)" } else { "" },
            if rep.all_agree() { "CONFIRMED" } else { "DISAGREES" }
        ));
        if [Loss::Train, Loss::Pop]
            .iter()
            .any(|&l| ls.initial_face_part(l).is_some_and(|p| !p.is_zero()))
        {
            out.push_str(
                "  (at s = 0 the comparison is of the subtracted face part of l(0), the hierarchy's face sum)\n",
            );
        }
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

/// `l(0)` over the loss scale of the face's quantity, e.g. `l_tr(0)/r` for `(l_tr - l_tr(0))/r`.
fn initial_over_scale(regime: Regime, loss: Loss) -> String {
    let l = match loss {
        Loss::Train => "l_tr",
        Loss::Pop => "l_pop",
    };
    regime
        .quantity(loss)
        .replace(&format!("({l} - {l}(0))"), &format!("{l}(0)"))
}

/// The curves as a table (with standard errors for numerical limits).
fn curve_table(regime: Regime, c: &LimitCurves) -> String {
    let mut out = String::new();
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
    out
}

/// An SVG chart of both limiting curves (+-2 standard-error bands for numerical limits).
pub fn figure_svg(regime: Regime, c: &LimitCurves) -> Result<String, PlotError> {
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
    chart_svg(&Chart {
        title: format!("{} limit ({})", regime.name(), regime.label()),
        x_label: regime.time_variable(),
        y_label: "normalized loss".into(),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_costs_grow() {
        assert!(series_secs(Regime::SmallData, 40) > 1e5);
        assert!(series_secs(Regime::SmallData, 4) < 1.0);
        assert!(series_secs(Regime::LargeData, 1000) > 1e6);
        assert!(series_secs(Regime::Free, 8) > 10.0);
        assert!(series_secs(Regime::MeanField, 8) < 1.0);
    }

    #[test]
    fn requests_take_a_spec_or_a_face() {
        let src = crate::spec::Source::Text("p = n; H = 0.5 n; sigma2 = n^-1".into());
        let t = Target::from_request(Some(&src), None, &["q=2".into()]).unwrap();
        assert_eq!(t.constants.q, Some(2.0));
        assert!(t.spec.is_some());
        let f = Target::from_request(None, Some(Regime::LargeData), &[]).unwrap();
        assert_eq!(f.regime, Regime::LargeData);
        for (s, r) in [(Some(&src), Some(Regime::LargeData)), (None, None)] {
            assert!(matches!(
                Target::from_request(s, r, &[]),
                Err(LimitError::Request(_))
            ));
        }
    }

    #[test]
    fn assignments_are_checked() {
        let mut t = Target::face(Regime::LargeData);
        t.assign("q=0.5").unwrap();
        assert_eq!(t.constants.q, Some(0.5));
        assert!(t
            .assign("z=1")
            .unwrap_err()
            .to_string()
            .contains("unknown constant `z`"));
        assert!(t
            .assign("q=abc")
            .unwrap_err()
            .to_string()
            .contains("not a number"));
        assert!(t
            .assign("q")
            .unwrap_err()
            .to_string()
            .contains("NAME=VALUE"));
    }
}
