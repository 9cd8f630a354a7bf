//! Resource limits: every command estimates its time and memory before it starts and refuses,
//! at once, work beyond `--max-time` / `--max-memory` (lifted with `--force`).
//!
//! The estimates are cost models, not measurements: flops / (machine flops per second) for
//! simulations, the measured growth per order for exact series and expansions, bytes of the
//! recorded curves for grids. They are meant to be right within a small factor, which is what
//! a refusal of a request 100x beyond the limit needs.

/// `eprintln!` that never panics (a closed or full stderr is ignored).
macro_rules! note {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

use std::sync::OnceLock;

use super::CliError;
use prism::expansion::estimate::{human_bytes, human_time};
use prism::regimes::Regime;
use prism::sim::{Integrator, SimParams};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Default time limit: 30 minutes.
pub const DEFAULT_MAX_SECS: f64 = 1800.0;

/// The global limit flags (accepted after any subcommand).
#[derive(clap::Args, Debug, Clone)]
pub struct BudgetArgs {
    /// Refuse work estimated to take longer than this (e.g. 90s, 30m, 2h, 1d) [default: 30m].
    #[arg(long = "max-time", global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub max_time: Option<f64>,
    /// Refuse work estimated to need more memory than this (e.g. 512M, 8G) [default: min(16G,
    /// 3/4 of the RAM)].
    #[arg(long = "max-memory", global = true, value_name = "SIZE", value_parser = parse_bytes)]
    pub max_memory: Option<f64>,
    /// Go ahead even when the estimate exceeds the limits.
    #[arg(long, global = true)]
    pub force: bool,
}

/// The limits in force.
#[derive(Clone, Debug)]
pub struct Budget {
    /// Seconds.
    pub max_secs: f64,
    /// Bytes.
    pub max_bytes: f64,
    /// Run anyway.
    pub force: bool,
}

static BUDGET: OnceLock<Budget> = OnceLock::new();

/// min(16 GiB, 3/4 of MemTotal).
pub fn default_max_bytes() -> f64 {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|kb| kb * 1024.0);
    let cap = 16.0 * GIB;
    total.map_or(cap, |t| cap.min(0.75 * t))
}

/// Install the limits from the flags (once, in [`super::run`]).
pub fn set(a: &BudgetArgs) -> Result<(), CliError> {
    let b = Budget {
        max_secs: a.max_time.unwrap_or(DEFAULT_MAX_SECS),
        max_bytes: a.max_memory.unwrap_or_else(default_max_bytes),
        force: a.force,
    };
    let _ = BUDGET.set(b);
    Ok(())
}

/// The limits in force (the defaults when [`set`] was not called).
pub fn get() -> Budget {
    BUDGET.get().cloned().unwrap_or_else(|| Budget {
        max_secs: DEFAULT_MAX_SECS,
        max_bytes: default_max_bytes(),
        force: false,
    })
}

/// `90`, `90s`, `1.5m`, `30min`, `2h`, `1d` -> seconds.
pub fn parse_duration(s: &str) -> Result<f64, String> {
    let t = s.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let x: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration; write e.g. 90s, 30m, 2h or 1d"))?;
    let mul = match unit.trim() {
        "" | "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86400.0,
        _ => {
            return Err(format!(
                "`{s}`: unknown unit; write e.g. 90s, 30m, 2h or 1d"
            ))
        }
    };
    if !(x.is_finite() && x > 0.0) {
        return Err(format!("`{s}` must be positive"));
    }
    Ok(x * mul)
}

/// `1000000`, `512M`, `8G`, `8GiB`, `1T` -> bytes (powers of 1024).
pub fn parse_bytes(s: &str) -> Result<f64, String> {
    let t = s.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let x: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size; write e.g. 512M or 8G"))?;
    let mul = match unit.trim().trim_end_matches("ib").trim_end_matches('b') {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => GIB,
        "t" => 1024.0 * GIB,
        _ => return Err(format!("`{s}`: unknown unit; write e.g. 512M or 8G")),
    };
    if !(x.is_finite() && x > 0.0) {
        return Err(format!("`{s}` must be positive"));
    }
    Ok(x * mul)
}

/// What a piece of work will cost, and which flag makes it smaller.
#[derive(Clone, Debug)]
pub struct Estimate {
    /// What is estimated, e.g. "this simulation".
    pub what: String,
    /// Wall-clock seconds on this machine.
    pub secs: f64,
    /// Peak bytes.
    pub bytes: f64,
    /// How the estimate was made (sizes, steps, flops).
    pub detail: String,
    /// Which request flags drive the cost (named in the refusal).
    pub knobs: String,
}

impl Estimate {
    /// Time and memory, human readable ("about 3.1 min and 20 MiB").
    pub fn summary(&self) -> String {
        format!("{} and {}", fmt_secs(self.secs), fmt_bytes(self.bytes))
    }
}

fn fmt_secs(s: f64) -> String {
    if !s.is_finite() || s > 1e12 {
        "practically forever".to_string()
    } else if s < 1.0 {
        "under a second".to_string()
    } else {
        format!("about {}", human_time(s))
    }
}

fn fmt_bytes(b: f64) -> String {
    if !b.is_finite() || b > 1e18 {
        "unbounded memory".to_string()
    } else if b < 1024.0 * 1024.0 {
        "under 1 MiB".to_string()
    } else {
        human_bytes(b)
    }
}

/// Refuse `est` when it exceeds the limits in force (unless `--force`); note long work on
/// stderr.
pub fn guard(est: &Estimate) -> Result<(), CliError> {
    let b = get();
    let over_time = !(est.secs <= b.max_secs);
    let over_mem = !(est.bytes <= b.max_bytes);
    if (over_time || over_mem) && !b.force {
        let mut lift = Vec::new();
        if over_time {
            lift.push(format!(
                "the time limit is {} (--max-time)",
                human_time(b.max_secs)
            ));
        }
        if over_mem {
            lift.push(format!(
                "the memory limit is {} (--max-memory)",
                human_bytes(b.max_bytes)
            ));
        }
        return Err(CliError::user(format!(
            "refused: {} would take {} ({}); {}.\n  Make it smaller ({}), raise the limit, or pass --force to run it anyway.",
            est.what,
            est.summary(),
            est.detail,
            lift.join(" and "),
            est.knobs
        )));
    }
    if est.secs > 5.0 || (b.force && (over_time || over_mem)) {
        note!("note: {} is estimated at {}", est.what, est.summary());
    }
    Ok(())
}

/// Machine speed used by the cost models that are not simulations (flops per second, both
/// cores); simulations use the calibrated [`prism::sim::machine_flops_per_sec`].
pub const FLOPS_PER_SEC: f64 = 5e9;

/// Cost of one ensemble of runs: the engine plan of [`prism::sim::estimate`] (flops per step,
/// setup, memory of the runs in flight) with the number of steps counted in floating point
/// (t_max / dt for fixed steps, so that `--dt 1e-300` is an estimate, not an overflow), the
/// recorded curves in memory and in the output, at the calibrated machine speed.
pub fn simulate_estimate(params: &SimParams, what: &str) -> Result<Estimate, CliError> {
    let dt = params.dt();
    let k = match &params.record {
        prism::sim::Record::Uniform(k) => *k as f64 + 1.0,
        prism::sim::Record::Times(t) => t.len() as f64,
    };
    let runs = params.seeds as f64;
    let knobs =
        "fewer --seeds, a shorter --t-max/--tau-max, a larger --dt, smaller sizes, fewer --points";
    // The engine plan walks the record grid: a grid beyond memory is refused on its size alone.
    let grid_bytes = k * (runs * (2.0 * 8.0 * 1.5 + 120.0) + 64.0);
    if k > 1e7 && grid_bytes > get().max_bytes {
        return Ok(Estimate {
            what: what.to_string(),
            secs: k * runs * 1e-7,
            bytes: grid_bytes,
            detail: format!("{} run(s) x {k} recorded points", params.seeds),
            knobs: knobs.into(),
        });
    }
    let e = prism::sim::estimate(params)?;
    let steps = match params.integrator {
        Integrator::Adaptive => e.steps_per_run,
        _ if params.t_max <= 0.0 => 0.0,
        _ if dt > 0.0 && dt.is_finite() => (params.t_max / dt).ceil().max(k - 1.0),
        _ => f64::INFINITY,
    };
    let flops = runs * (e.plan.setup_flops + steps * e.plan.flops_per_step);
    let rate = prism::sim::machine_flops_per_sec();
    let bytes = e.memory_bytes + runs * k * (2.0 * 8.0 * 1.5 + 120.0);
    Ok(Estimate {
        what: what.to_string(),
        secs: flops / rate,
        bytes,
        detail: format!(
            "{} run(s) x {:.3e} steps of dt = {:.3e} x {:.2e} flops per step ({:?} engine) at {:.1e} flops/s; {} recorded points per run",
            params.seeds, steps, dt, e.plan.flops_per_step, e.plan.engine, rate, k
        ),
        knobs: knobs.into(),
    })
}

/// Measured cost of the exact limit series of `regime` to order `s` (seconds; release build,
/// 2 shared cores). Chains of the small-data and narrow-latent families grow geometrically
/// (about 1.6-1.75x per order: 1.4-1.8 s at order 12, 10-12 s at 16), the free face about 6x
/// per order (5 s at 7, 30 s at 8), the interior as the leading expansion of
/// prism::expansion::estimate, the other faces polynomially (0.2 s at 20, 3-5 s at 40, 37 s
/// at 60: about s^5, then s^6).
pub fn series_secs(regime: Regime, s: usize) -> f64 {
    let x = s as f64;
    let name = regime.name();
    match regime {
        Regime::Proportional => 2.0 * prism::expansion::estimate::leading_estimate(s).0,
        Regime::Free => 5.0 * 6f64.powf(x - 7.0),
        _ if name == "small-data" || name == "narrow-latent" || name == "small-data+free" => {
            1.8 * 1.75f64.powf(x - 12.0)
        }
        _ if name == "narrow-latent+free" => 0.1 * 1.35f64.powf(x - 12.0),
        // 0.2 s at 20, 3-5 s at 40, 37 s at 60: about s^5 at first, s^6 from 40 on.
        _ => (0.3 * (x / 20.0).powi(5)).max(37.0 * (x / 60.0).powi(6)),
    }
}

/// [`series_secs`] as an [`Estimate`] (memory: the interior's moment tables; small otherwise).
pub fn series_estimate(regime: Regime, s: usize, flag: &str) -> Estimate {
    let bytes = match regime {
        Regime::Proportional => 2.0 * prism::expansion::estimate::leading_estimate(s).1,
        _ => 1e6 * (1.0 + (s as f64 / 20.0).powi(2)),
    };
    Estimate {
        what: format!("the exact series of {} to order {s}", regime.name()),
        secs: series_secs(regime, s),
        bytes,
        detail: "measured cost model of the exact series on this face".into(),
        knobs: format!("a lower {flag}"),
    }
}

/// Memory and time of a grid of `points` + 1 time points carried through `copies` curves.
pub fn grid_estimate(what: &str, points: usize, copies: f64, flag: &str) -> Estimate {
    let k = points as f64 + 1.0;
    Estimate {
        what: what.to_string(),
        secs: k * copies * 2e-7,
        bytes: k * copies * 200.0,
        detail: format!("{k} time points x {copies} curves"),
        knobs: format!("fewer {flag}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sizes_parse() {
        assert_eq!(parse_duration("90").unwrap(), 90.0);
        assert_eq!(parse_duration("30m").unwrap(), 1800.0);
        assert_eq!(parse_duration("2h").unwrap(), 7200.0);
        assert!(parse_duration("-1").is_err());
        assert!(parse_duration("3 weeks").is_err());
        assert_eq!(parse_bytes("8G").unwrap(), 8.0 * GIB);
        assert_eq!(parse_bytes("512MiB").unwrap(), 512.0 * 1024.0 * 1024.0);
        assert!(parse_bytes("lots").is_err());
    }

    #[test]
    fn absurd_simulations_are_estimated_beyond_any_limit() {
        let mut p = SimParams::new(3000, 3000, 1.0 / 3000.0, 100.0).with_n(Some(3000));
        let e = simulate_estimate(&p, "x").unwrap();
        assert!(e.secs > 1e4, "{e:?}");
        p = SimParams::new(64, 64, 1.0 / 64.0, 1.0);
        let e = simulate_estimate(&p, "x").unwrap();
        assert!(e.secs < 1.0 && e.bytes < GIB, "{e:?}");
        p.seeds = 1_000_000_000;
        assert!(simulate_estimate(&p, "x").unwrap().bytes > 100.0 * GIB);
        p.seeds = 8;
        p.dt = Some(1e-300);
        assert!(simulate_estimate(&p, "x").unwrap().secs > 1e12);
    }

    #[test]
    fn series_costs_grow() {
        assert!(series_secs(Regime::SmallData, 40) > 1e5);
        assert!(series_secs(Regime::SmallData, 4) < 1.0);
        assert!(series_secs(Regime::LargeData, 1000) > 1e6);
        assert!(series_secs(Regime::Free, 8) > 10.0);
        assert!(series_secs(Regime::MeanField, 8) < 1.0);
    }
}
