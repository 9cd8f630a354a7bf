//! Cost estimates, and refusals of orders that would exceed the machine.

/// Which computation an estimate is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// The full Wick computation (all g).
    Full,
    /// The free-probability leading part (g = 0).
    Leading,
}

/// Why an order was refused, with the estimate that decided it.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    /// Requested order.
    pub order: usize,
    /// Which path.
    pub path: Path,
    /// Highest order this path accepts.
    pub max_order: usize,
    /// Estimated wall time in seconds on this machine (2 cores).
    pub est_seconds: f64,
    /// Estimated peak memory in bytes.
    pub est_bytes: f64,
    /// Why this is the limit.
    pub reason: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = match self.path {
            Path::Full => "full (Wick)",
            Path::Leading => "leading (free probability)",
        };
        write!(
            f,
            "order {} refused for the {path} expansion: estimated {} and {} of memory; \
             the limit is order {} ({})",
            self.order,
            human_time(self.est_seconds),
            human_bytes(self.est_bytes),
            self.max_order,
            self.reason
        )
    }
}

/// "3.2 s", "4.1 min", "2.0 h", "5.0 days".
pub fn human_time(s: f64) -> String {
    if s < 60.0 {
        format!("{s:.1} s")
    } else if s < 3600.0 {
        format!("{:.1} min", s / 60.0)
    } else if s < 86400.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} days", s / 86400.0)
    }
}

/// "512 MiB", "3.0 GiB".
pub fn human_bytes(b: f64) -> String {
    const GI: f64 = 1024.0 * 1024.0 * 1024.0;
    if b < GI {
        format!("{:.0} MiB", b / 1024.0 / 1024.0)
    } else {
        format!("{:.1} GiB", b / GI)
    }
}

/// Highest order the leading (free-probability) path accepts: order 14 would need about 35 GiB.
pub const MAX_LEADING_ORDER: usize = 13;

/// Highest order the full (Wick) path accepts: order 14 would need about 35 GiB and two hours.
pub const MAX_FULL_ORDER: usize = 13;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Measured cost model of the leading path for one loss (train; pop is about half), release
/// build, 2 cores: (seconds, peak bytes). Anchored at order 12 (37 s, 2.4 GiB), growing about
/// 3x in time and 3.9x in memory per order (orders 10, 11, 12 measured: 1.3 s / 0.17 GiB,
/// 10.7 s / 0.6 GiB, 37 s / 2.4 GiB).
pub fn leading_estimate(order: usize) -> (f64, f64) {
    let d = order as f64 - 12.0;
    (37.0 * 3.0f64.powf(d), 2.4 * GIB * 3.9f64.powf(d))
}

/// Measured cost model of the full path for one loss (train; pop is about half), release
/// build, 2 cores: (seconds, peak bytes). Anchored at order 11 (62 s, 0.6 GiB), growing about
/// 5x in time and 3.8x in memory per order (orders 9, 10, 11 measured: 2.0 s / 0.05 GiB,
/// 12.7 s / 0.16 GiB, 62 s / 0.6 GiB).
pub fn full_estimate(order: usize) -> (f64, f64) {
    let d = order as f64 - 11.0;
    (62.0 * 5.0f64.powf(d), 0.6 * GIB * 3.8f64.powf(d))
}

/// The refusal for a leading-path order above [`MAX_LEADING_ORDER`].
pub fn leading_refusal(order: usize) -> Refusal {
    let (t, m) = leading_estimate(order);
    Refusal {
        order,
        path: Path::Leading,
        max_order: MAX_LEADING_ORDER,
        est_seconds: t,
        est_bytes: m,
        reason: "the table of free moments grows about 3.9x per order and this machine has 24 GiB"
            .to_string(),
    }
}

/// Refuse a full-path order above [`MAX_FULL_ORDER`].
pub fn check_full(order: usize) -> Result<(), super::ExpansionError> {
    if order <= MAX_FULL_ORDER {
        return Ok(());
    }
    let (t, m) = full_estimate(order);
    Err(super::ExpansionError::TooLarge(Refusal {
        order,
        path: Path::Full,
        max_order: MAX_FULL_ORDER,
        est_seconds: t,
        est_bytes: m,
        reason: "the number of Wick states grows about 4x per order and this machine has \
                 24 GiB and 2 cores"
            .to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_carry_estimates() {
        assert!(check_full(MAX_FULL_ORDER).is_ok());
        let e = check_full(MAX_FULL_ORDER + 1).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("refused") && msg.contains("GiB"), "{msg}");
        let r = leading_refusal(MAX_LEADING_ORDER + 1);
        assert!(r.est_bytes > 16.0 * GIB);
        assert!(human_time(7200.0).contains('h'));
    }
}
