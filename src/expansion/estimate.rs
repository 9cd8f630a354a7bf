//! Cost estimates, and refusals of orders that would exceed the machine.

/// Which computation an estimate is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// The full Wick computation (all g).
    Full,
    /// The free-probability leading part (g = 0).
    Leading,
    /// The expansion with spectral moments (anisotropic data, THEORY 9.2), either path.
    Aniso,
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
            Path::Aniso => "anisotropic (with moments)",
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

/// Highest order the leading (free-probability) path accepts: order 14 would need about 39 GiB.
pub const MAX_LEADING_ORDER: usize = 13;

/// Highest order the full (Wick) path accepts: order 14 would need about 23 GiB and 1.6 hours.
pub const MAX_FULL_ORDER: usize = 13;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Measured cost model of the leading path for one loss (train; pop is about half), release
/// build, 2 shared cores: (seconds, peak bytes). Anchored at order 13 (371 s, 9.7 GiB), growing
/// about 4x in time and 4x in memory per order (measured: order 11 in 12.5 s / 0.6 GiB, 12 in
/// 37-65 s / 2.4 GiB depending on the load, 13 in 371 s / 9.7 GiB).
pub fn leading_estimate(order: usize) -> (f64, f64) {
    let d = order as f64 - 13.0;
    (371.0 * 4.0f64.powf(d), 9.7 * GIB * 4.0f64.powf(d))
}

/// Measured cost model of the full path for one loss (train; pop is about half), release
/// build, 2 shared cores: (seconds, peak bytes). Anchored at order 13 (1270 s, 6.6 GiB),
/// growing about 4.6x in time and 3.5x in memory per order (measured: order 11 in 45 s /
/// 0.6 GiB, 12 in 277 s / 1.9 GiB, 13 in 1267 s / 6.6 GiB).
pub fn full_estimate(order: usize) -> (f64, f64) {
    let d = order as f64 - 13.0;
    (1270.0 * 4.6f64.powf(d), 6.6 * GIB * 3.5f64.powf(d))
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
        reason: "the number of Wick states grows about 3.5x per order and this machine has \
                 24 GiB and 2 cores"
            .to_string(),
    }))
}

/// Highest order of the full expansion with moments (Wick path, THEORY 9.2): order 10 is
/// estimated at about 20 minutes and 1.5 GiB (see [`aniso_estimate`]); the moment variables
/// `m_1..m_12` of [`super::aniso::MAX_MOMENTS`] would allow 11.
pub const MAX_ANISO_ORDER: usize = 10;

/// Highest order of the leading expansion with moments (free path): order 9 would need about
/// 15 minutes and 8 GiB (single-threaded memoized recursion with moment polynomials).
pub const MAX_ANISO_LEADING_ORDER: usize = 8;

/// Measured cost model of the expansion with moments for the population loss, all orders
/// 0..=s together (the train loss is 3-5x cheaper), release build, 2 shared cores:
/// (seconds, peak bytes). Full path anchored at order 8 (33 s, 0.12 GiB; order 7: 5.3 s,
/// 33 MiB; order 6: 0.5 s), growing about 6x in time and 3.5x in memory per order. Leading
/// path anchored at order 7 (26 s, 0.16 GiB; order 6: 2.5 s), growing about 10x in time and
/// 7x in memory per order.
pub fn aniso_estimate(order: usize, leading: bool) -> (f64, f64) {
    if leading {
        let d = order as f64 - 7.0;
        (26.0 * 10.0f64.powf(d), 0.16 * GIB * 7.0f64.powf(d))
    } else {
        let d = order as f64 - 8.0;
        (33.0 * 6.0f64.powf(d), 0.12 * GIB * 3.5f64.powf(d))
    }
}

/// Refuse an order of the expansion with moments above [`MAX_ANISO_ORDER`] (full) or
/// [`MAX_ANISO_LEADING_ORDER`] (leading).
pub fn check_aniso(order: usize, leading: bool) -> Result<(), super::ExpansionError> {
    let max = if leading {
        MAX_ANISO_LEADING_ORDER
    } else {
        MAX_ANISO_ORDER
    };
    if order <= max {
        return Ok(());
    }
    let (t, m) = aniso_estimate(order, leading);
    Err(super::ExpansionError::TooLarge(Refusal {
        order,
        path: Path::Aniso,
        max_order: max,
        est_seconds: t,
        est_bytes: m,
        reason: if leading {
            "the free moments carry polynomials in the spectral moments; the leading path with \
             moments grows about 10x per order"
        } else {
            "the words carry a third letter (Sigma) and every coefficient a product of moments; \
             the state count grows about 4x per order"
        }
        .to_string(),
    }))
}

/// The cost of the isotropic expansion to `order` on the leading (`leading`) or full path as a
/// resource [`crate::budget::Estimate`], with `share` the number of train-loss equivalents
/// computed (the population loss costs about half of the train loss; the hierarchy, both
/// losses, 1.5). An order beyond the path's maximum is refused here, with its [`Refusal`].
pub fn expansion_estimate(
    order: usize,
    leading: bool,
    share: f64,
    what: String,
    knobs: &str,
) -> Result<crate::budget::Estimate, super::ExpansionError> {
    if leading && order > MAX_LEADING_ORDER {
        return Err(super::ExpansionError::TooLarge(leading_refusal(order)));
    }
    if !leading {
        check_full(order)?;
    }
    let (secs, bytes) = if leading {
        leading_estimate(order)
    } else {
        full_estimate(order)
    };
    Ok(crate::budget::Estimate {
        what,
        secs: share * secs,
        bytes,
        detail: "measured cost model of prism::expansion::estimate".into(),
        knobs: knobs.into(),
    })
}

/// Share of [`expansion_estimate`] for the population loss alone (train is 1).
pub const POP_SHARE: f64 = 0.5;

/// Share of [`expansion_estimate`] for the hierarchy (both losses).
pub const HIERARCHY_SHARE: f64 = 1.5;

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
        assert!(check_aniso(MAX_ANISO_ORDER, false).is_ok());
        let msg = check_aniso(MAX_ANISO_ORDER + 1, false)
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("anisotropic") && msg.contains("limit is order 10"),
            "{msg}"
        );
        assert!(check_aniso(MAX_ANISO_LEADING_ORDER + 1, true).is_err());
    }
}
