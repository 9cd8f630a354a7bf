//! Resource limits: every computation can estimate its time and memory before it starts, and
//! work beyond the limits is refused at once, with the estimate.
//!
//! The estimates are cost models, not measurements: flops / (machine flops per second) for
//! simulations ([`crate::simulate::estimate`]), the measured growth per order for exact series
//! and expansions ([`crate::limit::series_estimate`],
//! [`crate::expansion::estimate::expansion_estimate`]), bytes of the recorded curves for grids
//! ([`grid_estimate`]). They are meant to be right within a small factor, which is what a
//! refusal of a request 100x beyond the limit needs. [`Limits::admit`] is the one guard.

use crate::expansion::estimate::{human_bytes, human_time};

/// Bytes in a GiB.
pub const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Bytes in a MiB.
pub const MIB: f64 = 1024.0 * 1024.0;

/// Default time limit: 30 minutes.
pub const DEFAULT_MAX_SECS: f64 = 1800.0;

/// Default memory cap before the share of the RAM is applied: 16 GiB.
pub const DEFAULT_MAX_BYTES_CAP: f64 = 16.0 * GIB;

/// Share of the machine's RAM the default memory limit allows.
pub const DEFAULT_RAM_SHARE: f64 = 0.75;

/// Work estimated to take longer than this (seconds) is noted even when admitted.
pub const NOTE_AFTER_SECS: f64 = 5.0;

/// Machine speed used by the cost models that are not simulations (flops per second, both
/// cores); simulations use the calibrated [`crate::sim::machine_flops_per_sec`].
pub const FLOPS_PER_SEC: f64 = 5e9;

/// Seconds per (time point x curve) of a grid carried through curves.
const GRID_SECS_PER_POINT: f64 = 2e-7;

/// Bytes per (time point x curve) of a grid carried through curves (value, error, record).
const GRID_BYTES_PER_POINT: f64 = 200.0;

/// What a piece of work will cost, and which options make it smaller.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// What is estimated, e.g. "this simulation".
    pub what: String,
    /// Wall-clock seconds on this machine.
    pub secs: f64,
    /// Peak bytes.
    pub bytes: f64,
    /// How the estimate was made (sizes, steps, flops).
    pub detail: String,
    /// Which request options drive the cost (named in the refusal).
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
    } else if b < MIB {
        "under 1 MiB".to_string()
    } else {
        human_bytes(b)
    }
}

/// A request refused by the resource limits: the estimate, and which limit it exceeds.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "refused: {} would take {} ({}); {}.\n  Make it smaller ({}), raise the limit, or pass --force to run it anyway.",
    .estimate.what, .estimate.summary(), .estimate.detail, .exceeded, .estimate.knobs
)]
pub struct Refused {
    /// The estimate of the refused work.
    pub estimate: Estimate,
    /// The limits exceeded, in words ("the time limit is 30 min (--max-time)").
    pub exceeded: String,
}

/// The limits in force: time, memory, and whether to go ahead anyway.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Seconds.
    pub max_secs: f64,
    /// Bytes.
    pub max_bytes: f64,
    /// Run anyway (over-limit work is only noted).
    pub force: bool,
}

impl Default for Limits {
    /// [`DEFAULT_MAX_SECS`] and [`default_max_bytes`], not forced.
    fn default() -> Self {
        Limits {
            max_secs: DEFAULT_MAX_SECS,
            max_bytes: default_max_bytes(),
            force: false,
        }
    }
}

impl Limits {
    /// Admit `est` or refuse it (unless `force`). `Ok(Some(note))`: admitted, with a note to
    /// show (long work, or work over the limits run with `force`).
    pub fn admit(&self, est: &Estimate) -> Result<Option<String>, Refused> {
        // A NaN estimate is over every limit.
        let over_time = est.secs.is_nan() || est.secs > self.max_secs;
        let over_mem = est.bytes.is_nan() || est.bytes > self.max_bytes;
        if (over_time || over_mem) && !self.force {
            let mut lift = Vec::new();
            if over_time {
                lift.push(format!(
                    "the time limit is {} (--max-time)",
                    human_time(self.max_secs)
                ));
            }
            if over_mem {
                lift.push(format!(
                    "the memory limit is {} (--max-memory)",
                    human_bytes(self.max_bytes)
                ));
            }
            return Err(Refused {
                estimate: est.clone(),
                exceeded: lift.join(" and "),
            });
        }
        if est.secs > NOTE_AFTER_SECS || (self.force && (over_time || over_mem)) {
            return Ok(Some(format!(
                "note: {} is estimated at {}",
                est.what,
                est.summary()
            )));
        }
        Ok(None)
    }
}

/// min([`DEFAULT_MAX_BYTES_CAP`], [`DEFAULT_RAM_SHARE`] of MemTotal).
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
    total.map_or(DEFAULT_MAX_BYTES_CAP, |t| {
        DEFAULT_MAX_BYTES_CAP.min(DEFAULT_RAM_SHARE * t)
    })
}

/// Split `12.5xyz` into the number and its unit.
fn number_unit(s: &str) -> (String, String) {
    let t = s.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    (num.to_string(), unit.trim().to_string())
}

/// `90`, `90s`, `1.5m`, `30min`, `2h`, `1d` -> seconds.
pub fn parse_duration(s: &str) -> Result<f64, String> {
    let (num, unit) = number_unit(s);
    let x: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration; write e.g. 90s, 30m, 2h or 1d"))?;
    let mul = match unit.as_str() {
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
    let (num, unit) = number_unit(s);
    let x: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size; write e.g. 512M or 8G"))?;
    let mul = match unit.trim_end_matches("ib").trim_end_matches('b') {
        "" => 1.0,
        "k" => 1024.0,
        "m" => MIB,
        "g" => GIB,
        "t" => 1024.0 * GIB,
        _ => return Err(format!("`{s}`: unknown unit; write e.g. 512M or 8G")),
    };
    if !(x.is_finite() && x > 0.0) {
        return Err(format!("`{s}` must be positive"));
    }
    Ok(x * mul)
}

/// Memory and time of a grid of `points` + 1 time points carried through `copies` curves;
/// `knob` names the option that sets the grid.
pub fn grid_estimate(what: &str, points: usize, copies: f64, knob: &str) -> Estimate {
    let k = points as f64 + 1.0;
    Estimate {
        what: what.to_string(),
        secs: k * copies * GRID_SECS_PER_POINT,
        bytes: k * copies * GRID_BYTES_PER_POINT,
        detail: format!("{k} time points x {copies} curves"),
        knobs: format!("fewer {knob}"),
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
        assert_eq!(parse_bytes("512MiB").unwrap(), 512.0 * MIB);
        assert!(parse_bytes("lots").is_err());
    }

    #[test]
    fn limits_refuse_and_note() {
        let lim = Limits {
            max_secs: 10.0,
            max_bytes: GIB,
            force: false,
        };
        let mut e = grid_estimate("g", 10, 1.0, "--points");
        assert_eq!(lim.admit(&e), Ok(None));
        e.secs = 7.0;
        assert!(lim.admit(&e).unwrap().is_some());
        e.secs = 100.0;
        let r = lim.admit(&e).unwrap_err();
        assert!(r.to_string().contains("--max-time"), "{r}");
        e.secs = f64::NAN;
        assert!(lim.admit(&e).is_err());
        let forced = Limits { force: true, ..lim };
        assert!(forced.admit(&e).unwrap().is_some());
    }
}
