//! `prism._native`: the PyO3 bindings of the prism library.
//!
//! Every function calls the same library API as the CLI and returns the CLI's `--json` text of
//! the same `prism::report` type (the Python layer in `prism/__init__.py` parses it and turns
//! arrays into numpy arrays), so the two fronts share one schema.
//!
//! Boundary rules:
//! * nothing panics through: every call runs under `catch_unwind`, a panic becomes
//!   `prism.PrismError("internal error: ...")`;
//! * long calls (expand, limit, simulate, check) run on a worker thread with the GIL released;
//!   the calling thread polls `Python::check_signals` every 50 ms and, on Ctrl-C, sets a
//!   cancellation flag that the simulation's progress callback (every 64 steps) and the
//!   check's log callback observe, then raises `KeyboardInterrupt` (within 0.4 s);
//! * errors map to the exception types of `prism/_errors.py` with their structured fields
//!   (spec position and hint, resource estimate, divergence step).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::Deserialize;

use prism::check::run::{check, CheckError, CheckOptions};
use prism::expand::{ExpandRequest, Losses};
use prism::limit::{LimitOptions, Target};
use prism::poly::PolyFormat;
use prism::regimes::{CurveOptions, Regime, UnknownFace};
use prism::report::hierarchy::{HierarchyRequest, HierarchyRequestError};
use prism::report::{self, ClassifyReport, SimulateReport};
use prism::sim::{reduce_chunks, simulate_chunk, RunChunk, SimError, SimParams};
use prism::simulate::{Request, RequestError, SimulateError, SimulateOptions, SimulatePlan};
use prism::spec::{InputError, Source, Spec, SpecError};
use prism::values::{self, Choice, TrainingSize};

/// Panic payload of a cancelled computation (raised from a progress callback).
struct Cancelled;

/// A failure, as plain data (built on the worker thread, turned into a Python exception under
/// the GIL).
enum Failure {
    Spec(SpecError),
    Diverged {
        msg: String,
        seed: u64,
        step: u64,
        t: f64,
        suggested_dt: f64,
    },
    Resource {
        msg: String,
        fields: Vec<(&'static str, f64)>,
    },
    Param(String),
    Other(String),
    Cancelled,
    Panic(String),
}

impl From<SpecError> for Failure {
    fn from(e: SpecError) -> Self {
        Failure::Spec(e)
    }
}

impl From<SimError> for Failure {
    fn from(e: SimError) -> Self {
        match e {
            SimError::Diverged {
                seed,
                step,
                t,
                suggested_dt,
            } => Failure::Diverged {
                msg: e.to_string(),
                seed,
                step,
                t,
                suggested_dt,
            },
            SimError::InvalidParameter { .. } => Failure::Param(e.to_string()),
            other => Failure::Other(other.to_string()),
        }
    }
}

impl From<CheckError> for Failure {
    fn from(e: CheckError) -> Self {
        let msg = e.to_string();
        match e {
            CheckError::TooLarge {
                n,
                p,
                h,
                est,
                secs,
                max,
            } => Failure::Resource {
                msg,
                fields: vec![
                    ("n", n),
                    ("p", p as f64),
                    ("H", h as f64),
                    ("estimate", est),
                    ("seconds", secs),
                    ("limit", max),
                ],
            },
            CheckError::Sim {
                source:
                    SimError::Diverged {
                        seed,
                        step,
                        t,
                        suggested_dt,
                    },
                ..
            } => Failure::Diverged {
                msg,
                seed,
                step,
                t,
                suggested_dt,
            },
            CheckError::Refused(r) => Failure::Resource {
                msg,
                fields: vec![
                    ("estimate", r.estimate.secs),
                    ("seconds", r.estimate.secs),
                    ("bytes", r.estimate.bytes),
                ],
            },
            CheckError::Options(_) => Failure::Param(msg),
            _ => Failure::Other(msg),
        }
    }
}

/// Any other library error: its message.
fn other(e: impl std::fmt::Display) -> Failure {
    Failure::Other(e.to_string())
}

fn param(msg: impl Into<String>) -> Failure {
    Failure::Param(msg.into())
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".into()
    }
}

fn failure_of_panic(p: Box<dyn std::any::Any + Send>) -> Failure {
    if p.downcast_ref::<Cancelled>().is_some() {
        Failure::Cancelled
    } else {
        Failure::Panic(panic_text(&*p))
    }
}

/// The Python exception of a failure (classes from `prism._errors`).
fn to_pyerr(py: Python<'_>, f: Failure) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let m = py.import("prism._errors")?;
        let kw = PyDict::new(py);
        let (class, msg) = match f {
            Failure::Spec(e) => {
                kw.set_item("line", e.line)?;
                kw.set_item("column", e.col)?;
                kw.set_item("hint", &e.hint)?;
                kw.set_item("found", &e.found)?;
                kw.set_item("source_line", &e.source_line)?;
                kw.set_item("kind", format!("{:?}", e.kind).to_lowercase())?;
                kw.set_item("caret", e.to_string())?;
                ("SpecError", format!("invalid spec: {e}"))
            }
            Failure::Diverged {
                msg,
                seed,
                step,
                t,
                suggested_dt,
            } => {
                kw.set_item("seed", seed)?;
                kw.set_item("step", step)?;
                kw.set_item("t", t)?;
                kw.set_item("suggested_dt", suggested_dt)?;
                ("DivergenceError", msg)
            }
            Failure::Resource { msg, fields } => {
                for (k, v) in fields {
                    kw.set_item(k, v)?;
                }
                ("ResourceError", msg)
            }
            Failure::Param(msg) => ("ParameterError", msg),
            Failure::Other(msg) => ("PrismError", msg),
            Failure::Panic(msg) => (
                "PrismError",
                format!("internal error (a bug in prism): {msg}"),
            ),
            Failure::Cancelled => {
                return Ok(PyKeyboardInterrupt::new_err("prism computation cancelled"))
            }
        };
        let cls = m.getattr(class)?;
        let obj = cls.call((msg,), Some(&kw))?;
        Ok(PyErr::from_value(obj))
    };
    build().unwrap_or_else(|e| e)
}

/// Run `f` on a worker thread with the GIL released, polling for Ctrl-C. On an interrupt the
/// cancellation flag is set, the worker gets up to 0.3 s to stop (it stops at its next
/// cancellation point in any case), and `KeyboardInterrupt` is raised. Panics on the worker become `PrismError`.
fn run_blocking<T: Send + 'static>(
    py: Python<'_>,
    f: impl FnOnce(&AtomicBool) -> Result<T, Failure> + Send + 'static,
) -> PyResult<T> {
    let cancel = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    // Receiver is Send but not Sync; `detach` needs the closure's captures to be Send.
    let rx = std::sync::Mutex::new(rx);
    let recv = |d: Duration| {
        rx.lock()
            .map_or(Err(mpsc::RecvTimeoutError::Disconnected), |r| {
                r.recv_timeout(d)
            })
    };
    let c2 = cancel.clone();
    std::thread::Builder::new()
        .name("prism-worker".into())
        .spawn(move || {
            let r = catch_unwind(AssertUnwindSafe(|| f(&c2)))
                .unwrap_or_else(|p| Err(failure_of_panic(p)));
            let _ = tx.send(r);
        })
        .map_err(|e| to_pyerr(py, other(format!("cannot start a worker thread: {e}"))))?;
    loop {
        let got = py.detach(|| recv(Duration::from_millis(50)));
        match got {
            Ok(r) => return r.map_err(|f| to_pyerr(py, f)),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Err(e) = py.check_signals() {
                    cancel.store(true, Ordering::SeqCst);
                    // Give the worker a moment to reach a cancellation point (it checks every 64 steps),
                    // then return: it stops on its own and its result is dropped.
                    let _ = py.detach(|| recv(Duration::from_millis(300)));
                    return Err(e);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(to_pyerr(
                    py,
                    Failure::Panic("the worker thread vanished".into()),
                ))
            }
        }
    }
}

/// Run a short computation on the calling thread (GIL held), catching panics.
fn run_here<T>(py: Python<'_>, f: impl FnOnce() -> Result<T, Failure>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|p| Err(failure_of_panic(p)))
        .map_err(|f| to_pyerr(py, f))
}

/// A progress callback that aborts the computation (by a `Cancelled` panic) once `cancel` is set.
fn cancel_point(cancel: &AtomicBool) {
    if cancel.load(Ordering::Relaxed) {
        std::panic::panic_any(Cancelled);
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string(&serde_json::to_value(v).map_err(other)?).map_err(other)
}

/// A spec or law that cannot be read: an invalid spec keeps its position; a law's error is
/// prefixed with the keyword `what` (and its hint).
fn input_failure(what: &str, e: InputError) -> Failure {
    match e {
        InputError::Invalid(e) => Failure::Spec(*e),
        InputError::Law(e) => param(format!("{what}: {e}")),
        InputError::Spectrum(e) => param(format!("{what}: {e}; {}", e.hint())),
        e => param(e.to_string()),
    }
}

/// A spectral law as written after `spectrum =` (`--spectrum LAW`), a `file("...")` law read
/// relative to the working directory.
fn read_law(what: &str, text: &str) -> Result<prism::spec::SpectrumLaw, Failure> {
    prism::spec::read_law(text, None).map_err(|e| input_failure(what, e))
}

/// A keyword's value among the library's choices (`mode="fast"`).
fn choice<T: Choice>(text: &str) -> Result<T, Failure> {
    prism::values::choose(text).map_err(|e| param(e.to_string()))
}

/// The spec with the data covariance's law: its `spectrum = LAW` statement, or the `spectrum=`
/// keyword (as if the statement were appended; not both), read as the CLI reads an inline spec
/// (`file("...")` relative to the working directory).
fn spec_with_spectrum(text: &str, spectrum: Option<&str>) -> Result<Spec, Failure> {
    let source = Source::Text(text.to_string());
    let mut s = source.parse().map_err(|e| input_failure("spectrum", e))?;
    match spectrum {
        Some(t) => {
            if !s.spectrum.is_identity() {
                return Err(param(format!(
                    "the spec already has `spectrum = {}`: give the statement or spectrum=, not both",
                    s.spectrum
                )));
            }
            s.spectrum = read_law("spectrum", t)?;
        }
        None => {
            s.spectrum = prism::spec::resolve_spectrum(s.spectrum, source.base_dir())
                .map_err(|e| input_failure("spectrum", e.into()))?;
        }
    }
    Ok(s)
}

/// The version of the prism library this module was built from.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// `prism classify --json` of a spec (declaration order, as the CLI prints it); with a
/// covariance spectrum (`spectrum = LAW` or `spectrum`), the `spectrum` statement of THEORY
/// 9.3/9.6 as the CLI adds it.
#[pyfunction]
#[pyo3(signature = (spec, spectrum = None))]
fn classify_json(py: Python<'_>, spec: String, spectrum: Option<String>) -> PyResult<String> {
    run_blocking(py, move |_| {
        let s = spec_with_spectrum(&spec, spectrum.as_deref())?;
        let prism = prism::pipeline::default_prism().map_err(other)?;
        json(&ClassifyReport::new(&s, &prism).map_err(other)?)
    })
}

/// `prism faces --json`.
#[pyfunction]
fn faces_json(py: Python<'_>) -> PyResult<String> {
    run_here(py, || {
        let prism = prism::pipeline::default_prism().map_err(other)?;
        json(&report::faces(&prism))
    })
}

/// `prism hierarchy --order S [--full] --json`.
#[pyfunction]
fn hierarchy_json(py: Python<'_>, order: u32, full: bool) -> PyResult<String> {
    let request = HierarchyRequest {
        order: order as usize,
        full,
    };
    if order < 3 {
        return Err(to_pyerr(
            py,
            param(HierarchyRequestError::TooLow.to_string()),
        ));
    }
    run_blocking(py, move |_| {
        json(&request.compute().map_err(other)?.report())
    })
}

/// `prism expand --order S --loss L [--leading] --json`.
#[pyfunction]
fn expand_json(py: Python<'_>, order: usize, loss: String, leading: bool) -> PyResult<String> {
    let losses = choice::<Losses>(&loss).map_err(|f| to_pyerr(py, f))?;
    let request = ExpandRequest {
        order,
        losses,
        leading,
        anisotropic: false,
    };
    run_blocking(py, move |cancel| {
        let outcome = request
            .compute(&|_stage| cancel_point(cancel))
            .map_err(other)?;
        json(&outcome.entries())
    })
}

/// `prism limit ... --json`: from a spec, or a face with constants (`set`: name -> value).
#[pyfunction]
#[pyo3(signature = (spec, face, set, t_max, points, series, format, verify, chain_tol, free_sizes, free_seeds, seed, spectrum = None, free_budget = prism::regimes::curves::DEFAULT_REFERENCE_BUDGET))]
#[allow(clippy::too_many_arguments)]
fn limit_json(
    py: Python<'_>,
    spec: Option<String>,
    face: Option<String>,
    set: Vec<(String, f64)>,
    t_max: f64,
    points: usize,
    series: usize,
    format: String,
    verify: bool,
    chain_tol: f64,
    free_sizes: Option<Vec<usize>>,
    free_seeds: Option<usize>,
    seed: u64,
    spectrum: Option<String>,
    free_budget: f64,
) -> PyResult<String> {
    run_blocking(py, move |_| {
        values::ensure_nonneg(t_max).map_err(|e| param(format!("t_max: {e}")))?;
        values::ensure_count(points, 1).map_err(|e| param(format!("points: {e}")))?;
        let fmt = choice::<PolyFormat>(&format)?;
        let mut target = match (face, spec) {
            (Some(_), Some(_)) => return Err(param("give either a spec or face=, not both")),
            (Some(f), None) => {
                let t = Target::face(f.parse().map_err(|e: UnknownFace| param(e.to_string()))?);
                match spectrum.as_deref() {
                    Some(text) => t
                        .with_spectrum(read_law("spectrum", text)?)
                        .map_err(other)?,
                    None => t,
                }
            }
            (None, Some(s)) => {
                Target::of_spec(&spec_with_spectrum(&s, spectrum.as_deref())?).map_err(other)?
            }
            (None, None) => {
                return Err(param(
                    "no spec given: pass a spec, or face= with set={'q': ...}",
                ))
            }
        };
        for (k, v) in &set {
            target
                .constants
                .set(k, *v)
                .map_err(|e| param(e.to_string()))?;
        }
        let opts = LimitOptions {
            tau_max: t_max,
            points,
            series,
            verify,
            curve: CurveOptions {
                chain_tol,
                ..CurveOptions::default()
            }
            .with_references(free_sizes, free_seeds, seed, free_budget),
        };
        let outcome = prism::limit::compute(&target, &opts).map_err(other)?;
        json(&prism::limit::report(&target, &outcome, fmt))
    })
}

/// The serde JSON of the simulation parameters (validated), the token passed to the other
/// simulation functions (and shipped to Dask workers).
#[pyfunction]
#[pyo3(signature = (p, h, sigma2, n, t_max, dt, record, seeds, seed, mode, integrator, sampler, tol, spectrum = None))]
#[allow(clippy::too_many_arguments)]
fn sim_params_json(
    py: Python<'_>,
    p: usize,
    h: usize,
    sigma2: f64,
    n: Option<usize>,
    t_max: f64,
    dt: Option<f64>,
    record: usize,
    seeds: usize,
    seed: u64,
    mode: String,
    integrator: String,
    sampler: String,
    tol: Option<f64>,
    spectrum: Option<String>,
) -> PyResult<String> {
    run_here(py, || {
        let request = Request {
            p: Some(p),
            h: Some(h),
            sigma2: Some(sigma2),
            n_data: Some(TrainingSize(n)),
            t_max: Some(t_max),
            spectrum,
            sampler: Some(choice(&sampler)?),
            options: SimulateOptions {
                dt,
                points: record,
                seeds,
                seed,
                mode: choice(&mode)?,
                integrator: choice(&integrator)?,
                tol,
                ..SimulateOptions::default()
            },
            ..Request::default()
        };
        let params = request.plan().map_err(request_failure)?.params;
        serde_json::to_string(&params).map_err(other)
    })
}

/// A simulation request's failure: a bad law as the keyword's error, the plan's as
/// [`simulate_failure`].
fn request_failure(e: RequestError) -> Failure {
    match e {
        RequestError::Law(e) => param(format!("spectrum: {e}")),
        RequestError::Input(e) => input_failure("spectrum", e),
        RequestError::Plan(e) => simulate_failure(e),
        e => param(e.to_string()),
    }
}

/// A simulation's failure: divergence as such, invalid options as parameter errors.
fn simulate_failure(e: SimulateError) -> Failure {
    match e {
        SimulateError::Sim(e) => Failure::from(e),
        e @ (SimulateError::Options(_) | SimulateError::Overflow { .. }) => param(e.to_string()),
        e => other(e),
    }
}

fn params_of(s: &str) -> Result<SimParams, Failure> {
    serde_json::from_str(s).map_err(|e| param(format!("bad simulation parameters: {e}")))
}

/// `prism simulate ... --json` (explicit sizes), computed here on all cores.
#[pyfunction]
fn simulate_json(py: Python<'_>, params: String, check_dt: bool) -> PyResult<String> {
    run_blocking(py, move |cancel| {
        let params = params_of(&params)?;
        let plan = SimulatePlan::new(params, check_dt, false).map_err(simulate_failure)?;
        let outcome =
            prism::simulate::run(&plan, &|_k| cancel_point(cancel)).map_err(|e| match e {
                SimulateError::Sim(e) => Failure::from(e),
                e => other(e),
            })?;
        json(&outcome.report)
    })
}

/// The runs `start..stop` of the ensemble (a `prism::sim::RunChunk` as JSON).
#[pyfunction]
fn simulate_chunk_json(
    py: Python<'_>,
    params: String,
    start: usize,
    stop: usize,
) -> PyResult<String> {
    run_blocking(py, move |cancel| {
        let params = params_of(&params)?;
        let progress = |_k: u64| cancel_point(cancel);
        let chunk = simulate_chunk(&params, start..stop, &progress)?;
        serde_json::to_string(&chunk).map_err(other)
    })
}

/// Reduce chunks (JSON, any order) covering every run into `prism simulate --json`, with the
/// reduction of the local ensemble (bit-identical to `simulate_json`).
#[pyfunction]
fn simulate_reduce_json(py: Python<'_>, params: String, chunks: Vec<String>) -> PyResult<String> {
    run_blocking(py, move |_| {
        let params = params_of(&params)?;
        let chunks: Vec<RunChunk> = chunks
            .iter()
            .map(|c| serde_json::from_str(c).map_err(|e| param(format!("bad chunk: {e}"))))
            .collect::<Result<_, _>>()?;
        let res = reduce_chunks(&params, chunks)?;
        json(&SimulateReport::new(&params, &res, None, None, None))
    })
}

/// Options of `check_json` (the flags of `prism check`).
#[derive(Deserialize)]
struct CheckArgs {
    n: Vec<f64>,
    budget: Option<f64>,
    seeds: Option<usize>,
    #[serde(default)]
    max_seeds: Option<usize>,
    #[serde(default)]
    max_flops: Option<f64>,
    seed: u64,
    t_max: Option<f64>,
    points: usize,
    mode: String,
    formula: Option<String>,
    /// The data covariance's law (`spectrum = LAW` appended to the spec).
    #[serde(default)]
    spectrum: Option<String>,
    /// The reference's law (`--limit-spectrum LAW`, the negative control).
    #[serde(default)]
    limit_spectrum: Option<String>,
}

/// `prism check SPEC ... --json`.
#[pyfunction]
fn check_json(py: Python<'_>, spec: String, options: String) -> PyResult<String> {
    run_blocking(py, move |cancel| {
        let a: CheckArgs =
            serde_json::from_str(&options).map_err(|e| param(format!("bad check options: {e}")))?;
        values::distinct_sizes(&a.n).map_err(|e| param(format!("n: {e}")))?;
        let s = spec_with_spectrum(&spec, a.spectrum.as_deref())?;
        let limit_spectrum = a
            .limit_spectrum
            .as_deref()
            .map(|t| read_law("limit_spectrum", t))
            .transpose()?;
        let prism = prism::pipeline::default_prism().map_err(other)?;
        let formula = match &a.formula {
            Some(f) => Some(f.parse::<Regime>().map_err(|e| param(e.to_string()))?),
            None => None,
        };
        let opts = CheckOptions {
            sizes: a.n,
            budget: a.budget.unwrap_or(CheckOptions::default().budget),
            seeds: a.seeds.unwrap_or(CheckOptions::default().seeds),
            max_seeds: a
                .max_seeds
                .unwrap_or(CheckOptions::default().max_seeds)
                .max(a.seeds.unwrap_or(CheckOptions::default().seeds)),
            max_flops: a.max_flops,
            seed: a.seed,
            t_max: a.t_max,
            points: a.points,
            mode: choice(&a.mode)?,
            formula,
            limit_spectrum,
            ..CheckOptions::default()
        };
        let log = |_line: &str| cancel_point(cancel);
        let r = check(&s, &prism, &opts, &log)?;
        serde_json::to_string(&r).map_err(other)
    })
}

/// The prism drawing (SVG), with a face highlighted (by name or label, or the face of a spec).
#[pyfunction]
#[pyo3(signature = (face=None, spec=None, spectrum=None))]
fn prism_svg(
    py: Python<'_>,
    face: Option<String>,
    spec: Option<String>,
    spectrum: Option<String>,
) -> PyResult<String> {
    run_here(py, || {
        let (regime, law) = match (face, spec) {
            (Some(_), Some(_)) => return Err(param("give either face= or spec=, not both")),
            (Some(_), None) if spectrum.is_some() => {
                return Err(param(
                    "spectrum= goes with spec= (the face of a spec with that law)",
                ))
            }
            (Some(f), None) => (
                Some(f.parse::<Regime>().map_err(|e| param(e.to_string()))?),
                None,
            ),
            (None, Some(s)) => {
                let sp = spec_with_spectrum(&s, spectrum.as_deref())?;
                let prism = prism::pipeline::default_prism().map_err(other)?;
                let (face, law) =
                    prism::plot::prism_highlight(&sp, &prism).map_err(|e| param(e.to_string()))?;
                (Some(face), law)
            }
            (None, None) => (None, None),
        };
        prism::plot::prism_svg_law(regime, law.as_ref()).map_err(other)
    })
}

#[derive(Deserialize)]
struct LineArg {
    label: String,
    x: Vec<f64>,
    y: Vec<f64>,
    band: Option<Vec<f64>>,
    #[serde(default)]
    dashed: bool,
    color: usize,
}

#[derive(Deserialize)]
struct ChartArg {
    title: String,
    x_label: String,
    y_label: String,
    lines: Vec<LineArg>,
}

/// A line chart (SVG) from `{"title", "x_label", "y_label", "lines": [{"label", "x", "y",
/// "band"?, "dashed"?, "color"}]}`, drawn by prism's plotter (the CLI's `--plot`).
#[pyfunction]
fn chart_svg(py: Python<'_>, chart: String) -> PyResult<String> {
    run_here(py, || {
        let c: ChartArg =
            serde_json::from_str(&chart).map_err(|e| param(format!("bad chart: {e}")))?;
        for l in &c.lines {
            if l.x.len() != l.y.len() || l.band.as_ref().is_some_and(|b| b.len() != l.x.len()) {
                return Err(param(format!(
                    "line {:?}: x, y (and band) must have equal lengths",
                    l.label
                )));
            }
        }
        let chart = prism::plot::Chart {
            title: c.title,
            x_label: c.x_label,
            y_label: c.y_label,
            lines: c
                .lines
                .into_iter()
                .map(|l| prism::plot::Line {
                    label: l.label,
                    x: l.x,
                    y: l.y,
                    band: l.band,
                    dashed: l.dashed,
                    color: l.color,
                })
                .collect(),
        };
        prism::plot::chart_svg(&chart).map_err(other)
    })
}

/// `prism map --fix SPEC --x PARAM=FROM:TO --y PARAM=FROM:TO --json` (or `--fan`), with the
/// SVG drawing of `--plot`: returns (JSON, SVG).
#[pyfunction]
#[pyo3(signature = (fix=None, x=None, y=None, fan=false))]
fn map_json(
    py: Python<'_>,
    fix: Option<String>,
    x: Option<String>,
    y: Option<String>,
    fan: bool,
) -> PyResult<(String, String)> {
    run_blocking(py, move |_| {
        use prism::map::{self, Axis, MapError};
        let prism = prism::pipeline::default_prism().map_err(other)?;
        let map_err = |e: MapError| match e {
            MapError::Fix(se) => Failure::Spec(se),
            e => param(e.to_string()),
        };
        if fan {
            if fix.is_some() || x.is_some() || y.is_some() {
                return Err(param("fan=True takes no fix=, x= or y="));
            }
            let f = map::fan::normal_fan(&prism).map_err(other)?;
            return Ok((json(&f)?, map::svg::fan_svg(&f)));
        }
        let (Some(fix), Some(x), Some(y)) = (fix, x, y) else {
            return Err(param(
                "map needs fix= (a partial spec), x= and y= (PARAM=FROM:TO), or fan=True",
            ));
        };
        let x = Axis::parse("x", &x).map_err(map_err)?;
        let y = Axis::parse("y", &y).map_err(map_err)?;
        let m = map::phase_map(&fix, &x, &y, &prism).map_err(map_err)?;
        Ok((json(&m)?, map::svg::map_svg(&m)))
    })
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Cancellation unwinds with a `Cancelled` payload: keep the default hook quiet about it.
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<Cancelled>().is_none() {
            prev(info)
        }
    }));
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(classify_json, m)?)?;
    m.add_function(wrap_pyfunction!(faces_json, m)?)?;
    m.add_function(wrap_pyfunction!(hierarchy_json, m)?)?;
    m.add_function(wrap_pyfunction!(expand_json, m)?)?;
    m.add_function(wrap_pyfunction!(limit_json, m)?)?;
    m.add_function(wrap_pyfunction!(sim_params_json, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_json, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_chunk_json, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_reduce_json, m)?)?;
    m.add_function(wrap_pyfunction!(check_json, m)?)?;
    m.add_function(wrap_pyfunction!(prism_svg, m)?)?;
    m.add_function(wrap_pyfunction!(chart_svg, m)?)?;
    m.add_function(wrap_pyfunction!(map_json, m)?)?;
    Ok(())
}
