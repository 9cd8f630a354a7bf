//! `prism expand`: the exact coefficients c_s = E[L^(s)(0)]/p for s = 0..=order.

use super::input::choice;
use super::CliResult;
use prism::expand::{ExpandRequest, Losses};
use prism::poly::PolyFormat;
use prism::values::Choice;

/// Flags of `prism expand`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Highest order s (all orders 0..=s are printed).
    #[arg(long)]
    order: usize,
    /// Which loss.
    #[arg(long, value_parser = choice::<Losses>(), default_value = Losses::default().name())]
    loss: Losses,
    /// Only the leading (g = 0) part, by free probability (much faster). Text output uses
    /// r = H/p, q = sigma2 p, y = p/N; JSON gives the same terms as raw monomials
    /// (q^j r^k y^l = p^(j-k+l) H^k sigma2^j N^(-l)).
    #[arg(long)]
    leading: bool,
    /// Print JSON: one object per order and loss, with exact coefficients as strings.
    #[arg(long)]
    json: bool,
    /// Formula format for the text output.
    #[arg(long, value_parser = choice::<PolyFormat>(), default_value = PolyFormat::Text.name())]
    format: PolyFormat,
    /// Anisotropic data x ~ N(0, Sigma) (THEORY 9.2): keep the spectral moments
    /// m_k = tr(Sigma^k)/p. Each term gains a moment product (m1*m2 in text, "moments":
    /// {"m1": 1, "m2": 1} in JSON); m_k = 1 gives the isotropic expansion.
    #[arg(long)]
    anisotropic: bool,
    #[command(flatten)]
    output: super::OutFile,
}

/// Run `prism expand`.
pub fn run(args: Args) -> CliResult {
    let request = ExpandRequest {
        order: args.order,
        losses: args.loss,
        leading: args.leading,
        anisotropic: args.anisotropic,
    };
    let est = request
        .estimate()
        .map_err(|e| super::CliError::user(format!("--order {}: {e}", args.order)))?;
    super::budget::guard(&est)?;
    let beat = super::heartbeat("expand");
    let outcome = request.compute(&|stage| beat.set(stage))?;
    drop(beat);
    let text = if args.json {
        prism::report::to_json(&outcome.entries())? + "\n"
    } else {
        outcome.text(args.format)
    };
    args.output.write(text)
}
