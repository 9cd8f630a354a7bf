//! `prism expand`: the exact coefficients c_s = E[L^(s)(0)]/p for s = 0..=order.

use std::path::PathBuf;

use super::input::FormatArg;
use super::CliResult;
use prism::expansion::aniso::free::leading_coefficients_aniso;
use prism::expansion::aniso::{full_coefficients_aniso, Samples};
use prism::expansion::estimate::{expansion_estimate, POP_SHARE};
use prism::expansion::{full_coefficients, leading_coefficients};
use prism::poly::Poly;
use prism::polytope::Loss;
use prism::report::{expand, ExpandEntry};

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
        // The full path reports as the letters A are integrated out level by level.
        let cb = |s: usize, level: usize, states: usize| {
            beat.set(format!(
                "{} order {s}/{}: {level} letters A left, {states} states",
                loss.name(),
                args.order
            ))
        };
        let polys = match (args.leading, args.anisotropic) {
            (true, true) => leading_coefficients_aniso(args.order, loss)?,
            (true, false) => leading_coefficients(args.order, loss)?,
            (false, true) => full_coefficients_aniso(args.order, loss, Samples::Finite, Some(&cb))?,
            (false, false) => full_coefficients(args.order, loss, Some(&cb))?,
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
