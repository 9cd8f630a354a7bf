//! `prism demo`: a short tour on built-in specs.

use super::CliResult;
use prism::check::run::{check, CheckOptions};
use prism::spec::Spec;

/// Flags of `prism demo`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Run the tour.
pub fn run(_args: Args) -> CliResult {
    let prism = prism::pipeline::default_prism()?;
    out!("{}", prism::report::text::tour(&prism)?);

    // A quick check of one regime: the mean-field limit against simulations at growing n.
    let text = "p = 0.125 n; H = 0.015625 n^2; sigma2 = 32 n^-2; N = 0.125 n";
    outln!("\nQuick check of the mean-field limit against gradient-flow simulations:");
    let spec = Spec::parse(text)?;
    let opts = CheckOptions {
        sizes: vec![128.0, 256.0, 512.0, 1024.0],
        seeds: 16,
        ..CheckOptions::default()
    };
    let report = check(&spec, &prism, &opts, &|_| {})?;
    out!("{}", prism::report::text::check(&report));
    outln!(
        "\nTry: prism classify \"p = n; H = n^2; sigma2 = n^-2\", prism faces, prism limit SPEC,"
    );
    outln!("     prism check SPEC, prism claims --quick");
    Ok(())
}
