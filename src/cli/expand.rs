//! `prism expand`: the exact coefficients c_s = E[L^(s)(0)]/p for s = 0..=order.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::input::FormatArg;
use super::CliResult;
use indicatif::{ProgressBar, ProgressStyle};
use prism::expansion::aniso::free::leading_coefficients_aniso;
use prism::expansion::aniso::{full_coefficients_aniso, Samples};
use prism::expansion::estimate::{expansion_estimate, POP_SHARE};
use prism::expansion::{full_coefficients, leading_coefficients, ExpansionError};
use prism::poly::Poly;
use prism::polytope::Loss;
use prism::report::{expand, ExpandEntry};

/// Progress is shown once a computation has run this long.
const SHOW_PROGRESS_AFTER: Duration = Duration::from_secs(1);

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
    /// Write the output to FILE instead of standard output.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Run `prism expand`.
pub fn run(args: Args) -> CliResult {
    let losses: &[Loss] = match args.loss {
        LossArg::Train => &[Loss::Train],
        LossArg::Pop => &[Loss::Pop],
        LossArg::Both => &[Loss::Train, Loss::Pop],
    };
    let share = losses
        .iter()
        .map(|l| if *l == Loss::Train { 1.0 } else { POP_SHARE })
        .sum();
    let path = if args.leading { "leading" } else { "full" };
    let est = expansion_estimate(
        args.order,
        args.leading,
        share,
        format!("the {path} expansion to order {}", args.order),
        "a lower --order, --leading, or --loss train",
    )
    .map_err(|e| super::CliError::user(format!("--order {}: {e}", args.order)))?;
    super::budget::guard(&est)?;
    let beat = super::progress::Heartbeat::start("expand");
    let mut results: Vec<(Loss, Vec<Poly>)> = Vec::new();
    for &loss in losses {
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
    let text = if args.json {
        let entries: Vec<ExpandEntry> = results
            .iter()
            .flat_map(|(loss, polys)| ExpandEntry::from_polys(*loss, polys, args.leading))
            .collect();
        prism::report::to_json(&entries)? + "\n"
    } else {
        results
            .iter()
            .map(|(loss, polys)| {
                let fmt = args.format.into();
                expand::text(*loss, polys, args.leading, args.anisotropic, fmt)
            })
            .collect()
    };
    super::write_output(args.out.as_deref(), text)
}

/// A spinner on stderr that only appears after [`SHOW_PROGRESS_AFTER`].
fn delayed_spinner(msg: String) -> ProgressBar {
    let bar = ProgressBar::hidden();
    let b2 = bar.clone();
    std::thread::spawn(move || {
        std::thread::sleep(SHOW_PROGRESS_AFTER);
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

/// The full path with a progress bar (shown after [`SHOW_PROGRESS_AFTER`]): one bar per order,
/// advancing as the letters A are integrated out level by level.
fn compute_full(order: usize, loss: Loss, anisotropic: bool) -> Result<Vec<Poly>, ExpansionError> {
    let start = Instant::now();
    // (bar, order being computed, its top level)
    let state: Mutex<(Option<ProgressBar>, usize, usize)> = Mutex::new((None, usize::MAX, 0));
    let cb = |s: usize, level: usize, states: usize| {
        let mut g = state.lock().expect("lock");
        if g.1 != s {
            (g.1, g.2) = (s, level);
        }
        if g.0.is_none() && start.elapsed() > SHOW_PROGRESS_AFTER {
            let b = ProgressBar::new(1);
            b.set_style(ProgressStyle::with_template("{bar:30} {msg} [{elapsed}]").expect("style"));
            g.0 = Some(b);
        }
        let top = g.2 as u64;
        if let Some(b) = g.0.as_ref() {
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
    if let Some(b) = state.lock().expect("lock").0.take() {
        b.finish_and_clear();
    }
    r
}
