//! `prism expand`: the exact coefficients c_s = E[L^(s)(0)]/p for s = 0..=order.

use super::{CliError, CliResult};
use indicatif::{ProgressBar, ProgressStyle};
use prism::expansion::aniso::free::leading_coefficients_aniso;
use prism::expansion::aniso::{
    aniso_full_vars, aniso_leading_vars, full_coefficients_aniso, Samples,
};
use prism::expansion::{full_coefficients, leading_coefficients, FULL_VARS};
use prism::poly::{Poly, PolyFormat};
use prism::polytope::Loss;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Which loss to expand.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossArg {
    /// The train loss l_tr.
    Train,
    /// The population loss l_pop.
    Pop,
    /// Both.
    Both,
}

/// Output format of the polynomials (text mode).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    /// `3/2*sigma2^2*H*p`
    Text,
    /// `\frac{3}{2} sigma2^{2} H p`
    Latex,
    /// `Rational(3, 2)*sigma2**2*H*p`
    Sympy,
}

/// Flags of `prism expand`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Highest order s (all orders 0..=s are printed).
    #[arg(long)]
    order: usize,
    /// Which loss.
    #[arg(long, value_enum, default_value = "both")]
    loss: LossArg,
    /// Only the leading (g = 0) part, by free probability (much faster). Text output uses
    /// r = H/p, q = sigma2 p, y = p/N; JSON gives the same terms as raw monomials
    /// (q^j r^k y^l = p^(j-k+l) H^k sigma2^j N^(-l)).
    #[arg(long)]
    leading: bool,
    /// Print JSON: one object per order and loss, with exact coefficients as strings.
    #[arg(long)]
    json: bool,
    /// Formula format for the text output.
    #[arg(long, value_enum, default_value = "text")]
    format: FormatArg,
    /// Anisotropic data x ~ N(0, Sigma) (THEORY 9.2): keep the spectral moments
    /// m_k = tr(Sigma^k)/p. Each term gains a moment product (m1*m2 in text, "moments":
    /// {"m1": 1, "m2": 1} in JSON); m_k = 1 gives the isotropic expansion.
    #[arg(long)]
    anisotropic: bool,
}

/// Run `prism expand`.
pub fn run(args: Args) -> CliResult {
    let losses: Vec<Loss> = match args.loss {
        LossArg::Train => vec![Loss::Train],
        LossArg::Pop => vec![Loss::Pop],
        LossArg::Both => vec![Loss::Train, Loss::Pop],
    };
    let fmt = match args.format {
        FormatArg::Text => PolyFormat::Text,
        FormatArg::Latex => PolyFormat::Latex,
        FormatArg::Sympy => PolyFormat::Sympy,
    };
    // The measured cost models of prism::expansion::estimate (pop costs about half of train).
    let (secs, bytes) = if args.leading {
        prism::expansion::estimate::leading_estimate(args.order)
    } else {
        prism::expansion::estimate::full_estimate(args.order)
    };
    let share: f64 = losses
        .iter()
        .map(|l| if *l == Loss::Train { 1.0 } else { 0.5 })
        .sum();
    // Orders beyond the path's maximum are refused by the library itself, with its estimate.
    let max = if args.leading {
        prism::expansion::estimate::MAX_LEADING_ORDER
    } else {
        prism::expansion::estimate::MAX_FULL_ORDER
    };
    if args.order > max {
        let why = if args.leading {
            prism::expansion::estimate::leading_refusal(args.order).to_string()
        } else {
            prism::expansion::estimate::check_full(args.order)
                .err()
                .map_or_else(String::new, |e| e.to_string())
        };
        return Err(super::CliError::user(format!(
            "--order {}: {why}",
            args.order
        )));
    } else {
        super::budget::guard(&super::budget::Estimate {
            what: format!(
                "the {} expansion to order {}",
                if args.leading { "leading" } else { "full" },
                args.order
            ),
            secs: share * secs,
            bytes,
            detail: "measured cost model of prism::expansion::estimate".into(),
            knobs: "a lower --order, --leading, or --loss train".into(),
        })?;
    }
    let beat = super::progress::Heartbeat::start("expand");
    let mut results: Vec<(Loss, Vec<Poly>)> = Vec::new();
    for &loss in &losses {
        beat.set(format!("{} loss to order {}", loss.name(), args.order));
        let polys = if args.leading {
            let bar = delayed_spinner(format!("leading {} to order {}", loss.name(), args.order));
            let r = if args.anisotropic {
                leading_coefficients_aniso(args.order, loss)
            } else {
                leading_coefficients(args.order, loss)
            };
            bar.finish_and_clear();
            r?
        } else {
            compute_full(args.order, loss, args.anisotropic)?
        };
        results.push((loss, polys));
    }
    drop(beat);
    if args.json {
        let out: Vec<prism::report::ExpandEntry> = results
            .iter()
            .flat_map(|(loss, polys)| {
                prism::report::ExpandEntry::from_polys(*loss, polys, args.leading)
            })
            .collect();
        outln!("{}", prism::report::to_json(&out)?);
        return Ok(());
    }
    for (loss, polys) in &results {
        let what = if args.leading {
            "leading part (g = 0) of c_s in r = H/p, q = sigma2 p, y = p/N"
        } else {
            "c_s = E[L^(s)(0)]/p, exact"
        };
        outln!("# {} loss: {what}", loss.name());
        if args.anisotropic {
            outln!("# anisotropic data: m_k = tr(Sigma^k)/p (m_k = 1 is isotropic)");
        }
        let (lv, fv) = (aniso_leading_vars(), aniso_full_vars());
        let aniso_names: Vec<&str> = if args.leading { &lv } else { &fv }
            .iter()
            .map(String::as_str)
            .collect();
        for (s, p) in polys.iter().enumerate() {
            let body = if args.anisotropic {
                p.format(&aniso_names, fmt)
            } else if args.leading {
                p.format(&["r", "q", "y"], fmt)
            } else {
                p.format(&FULL_VARS, fmt)
            };
            outln!("c_{s} = {body}");
        }
    }
    Ok(())
}

/// A spinner on stderr that only appears after one second.
fn delayed_spinner(msg: String) -> ProgressBar {
    let bar = ProgressBar::hidden();
    let b2 = bar.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        if !b2.is_finished() {
            b2.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            b2.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("style"),
            );
            b2.set_message(msg);
            b2.enable_steady_tick(Duration::from_millis(200));
        }
    });
    bar
}

/// The full path with a progress bar (shown once a computation has run for a second): one bar
/// per order, advancing as the letters A are integrated out level by level.
fn compute_full(order: usize, loss: Loss, anisotropic: bool) -> Result<Vec<Poly>, CliError> {
    struct State {
        bar: Option<ProgressBar>,
        order: usize,
        top: usize,
    }
    let start = Instant::now();
    let state = Mutex::new(State {
        bar: None,
        order: usize::MAX,
        top: 0,
    });
    let cb = |s: usize, level: usize, states: usize| {
        let mut g = state.lock().expect("lock");
        if g.order != s {
            g.order = s;
            g.top = level;
        }
        if g.bar.is_none() && start.elapsed() > Duration::from_secs(1) {
            let b = ProgressBar::new(1);
            b.set_style(ProgressStyle::with_template("{bar:30} {msg} [{elapsed}]").expect("style"));
            g.bar = Some(b);
        }
        let top = g.top as u64;
        if let Some(b) = g.bar.as_ref() {
            b.set_length(top.max(1));
            b.set_position(top - level as u64);
            b.set_message(format!(
                "{} order {s}/{order}: {level} letters A left, {states} states",
                loss.name()
            ));
        }
    };
    let r = if anisotropic {
        full_coefficients_aniso(order, loss, Samples::Finite, Some(&cb))
    } else {
        full_coefficients(order, loss, Some(&cb))
    };
    if let Some(b) = state.lock().expect("lock").bar.take() {
        b.finish_and_clear();
    }
    Ok(r?)
}
