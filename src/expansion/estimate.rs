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

/// Measured cost model of the leading path (release, 2 cores): time and memory grow by a
/// factor of about 3.3 per order (the number of canonical words does).
pub fn leading_estimate(order: usize) -> (f64, f64) {
    // Anchor: order 12 measured (see examples/bench_expansion.rs).
    let g = 3.3f64;
    let d = order as f64 - 12.0;
    (LEADING_T12 * g.powf(d), LEADING_M12 * g.powf(d))
}

const LEADING_T12: f64 = 10.0;
const LEADING_M12: f64 = 1.0e9;

/// The refusal for a leading-path order above [`super::free::MAX_LEADING_ORDER`].
pub fn leading_refusal(order: usize) -> Refusal {
    let (t, m) = leading_estimate(order);
    Refusal {
        order,
        path: Path::Leading,
        max_order: super::free::MAX_LEADING_ORDER,
        est_seconds: t,
        est_bytes: m,
        reason: "u64 free-moment counts are proven exact only for words of length <= 35, \
                 and the cost grows about 3.3x per order"
            .to_string(),
    }
}
