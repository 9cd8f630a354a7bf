//! `prism hierarchy`: the computed supports, the affine fit and the prism it confirms.

use super::CliResult;
use prism::expansion::Method;
use prism::polytope::geometry::format_vector as fmt_v;
use prism::polytope::{FittedPrism, Loss};

/// Flags of `prism hierarchy`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Highest order s of the leading supports (free-probability path).
    #[arg(long, default_value_t = 8)]
    order: u32,
    /// Use the full Wick computation (all g) instead of the free-probability leading path;
    /// adds the checks g >= 0 and the full support law. Practical up to order 7.
    #[arg(long)]
    full: bool,
    /// Print JSON instead of the report.
    #[arg(long)]
    json: bool,
}

/// Run `prism hierarchy`.
pub fn run(args: Args) -> CliResult {
    if args.order < 3 {
        return Err(super::CliError::user(
            "the fit needs orders 0..=S with S >= 3 (two orders to fit, one more to confirm)",
        ));
    }
    let method = if args.full {
        Method::Full
    } else {
        Method::Leading
    };
    // Both losses to order S, on the measured cost models of prism::expansion::estimate.
    let (secs, bytes) = if args.full {
        prism::expansion::estimate::full_estimate(args.order as usize)
    } else {
        prism::expansion::estimate::leading_estimate(args.order as usize)
    };
    // Orders beyond the path's maximum are refused by the library itself, with its estimate.
    let max = if args.full {
        prism::expansion::estimate::MAX_FULL_ORDER
    } else {
        prism::expansion::estimate::MAX_LEADING_ORDER
    };
    if args.order as usize > max {
        let why = if !args.full {
            prism::expansion::estimate::leading_refusal(args.order as usize).to_string()
        } else {
            prism::expansion::estimate::check_full(args.order as usize)
                .err()
                .map_or_else(String::new, |e| e.to_string())
        };
        return Err(super::CliError::user(format!(
            "--order {}: {why}",
            args.order as usize
        )));
    } else {
        super::budget::guard(&super::budget::Estimate {
            what: format!("the hierarchy to order {}", args.order),
            secs: 1.5 * secs,
            bytes,
            detail: "measured cost model of the expansion (train and pop)".into(),
            knobs: "a lower --order".into(),
        })?;
    }
    let beat = super::progress::Heartbeat::start("hierarchy");
    beat.set(format!("supports to order {}", args.order));
    let (h, report) = prism::expansion::computed_hierarchy(args.order as usize, method)?;
    drop(beat);
    let fit = FittedPrism::from_hierarchy(&h);
    let checks_ok = report.all_passed();
    if args.json {
        let rep = prism::report::HierarchyReport::new(&h, &fit);
        outln!("{}", prism::report::to_json(&rep)?);
        return if fit.is_ok() {
            Ok(())
        } else {
            Err(super::CliError::failed(
                "the hierarchy is not the triangular prism",
            ))
        };
    }
    outln!(
        "Leading (g = 0) supports P_s in (k, j, l) = powers of (r, q, 1/alpha), computed exactly."
    );
    outln!(
        "{:>3} {:>8} {:>8}   {:>22}",
        "s",
        "|P_s|",
        "|P_s pop|",
        "train (s+1)(s+2)(s+3)/2"
    );
    for o in &h.orders {
        let s = o.s as usize;
        outln!(
            "{:>3} {:>8} {:>8}   {:>22}",
            o.s,
            o.train.len(),
            o.pop.len(),
            (s + 1) * (s + 2) * (s + 3) / 2
        );
    }
    outln!(
        "\nStructural checks (THEORY section 3), {} path:",
        if args.full { "full Wick" } else { "leading" }
    );
    let mut names: Vec<&str> = report.checks.iter().map(|c| c.name.as_str()).collect();
    names.dedup();
    let mut seen = std::collections::BTreeSet::new();
    for name in names {
        if !seen.insert(name) {
            continue;
        }
        let group: Vec<_> = report.checks.iter().filter(|c| c.name == name).collect();
        let failed: Vec<_> = group.iter().filter(|c| !c.passed).collect();
        if failed.is_empty() {
            outln!("  PASS  {name}  ({} loss-order pairs)", group.len());
        } else {
            for c in failed {
                outln!(
                    "  FAIL  {name}  ({} s = {}): {}",
                    c.loss.name(),
                    c.order,
                    c.details
                );
            }
        }
    }
    let fp = match fit {
        Ok(fp) => fp,
        Err(e) => {
            outln!("\nverdict: NOT the triangular prism: {e}");
            return Err(super::CliError::failed(e.to_string()));
        }
    };
    outln!("\nAffine fit conv(P_s) = conv{{a_v + s b_v}}:");
    for (loss, f) in [(Loss::Train, &fp.train), (Loss::Pop, &fp.pop)] {
        outln!(
            "  {:<5} verified exactly at orders {}..={}; families (a_v, b_v):",
            loss.name(),
            f.verified.0,
            f.verified.1
        );
        for (a, b) in f.a.iter().zip(&f.b) {
            outln!("        a = {:<14} b = {}", fmt_v(a), fmt_v(b));
        }
    }
    let p = &fp.polytope;
    outln!(
        "\nAsymptotic polytope P = conv{{b_v}}: {} vertices, {} edges, {} facets",
        p.vertices.len(),
        p.edges.len(),
        p.facets.len()
    );
    outln!(
        "  vertices: {}",
        p.vertices
            .iter()
            .map(|v| fmt_v(v))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (f, name) in p.facets.iter().zip(&fp.facet_names) {
        outln!(
            "  facet {:<14} outward normal {:<12} {} vertices",
            name,
            fmt_v(&f.normal),
            f.vertices.len()
        );
    }
    if !checks_ok {
        outln!("\nverdict: the prism fits, but structural checks FAILED");
        return Err(super::CliError::failed("structural checks failed"));
    }
    outln!("\nverdict: the hierarchy grows like the triangular prism T x I (CONFIRMED)");
    Ok(())
}
