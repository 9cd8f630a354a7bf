//! `prism demo`: a short tour on built-in specs.

use super::CliResult;
use prism::check::run::{check, CheckOptions};
use prism::spec::Spec;

/// Flags of `prism demo`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    output: super::OutFile,
}

/// Run the tour. On standard output the tour is shown before the quick check runs.
pub fn run(args: Args) -> CliResult {
    let prism = prism::pipeline::default_prism()?;
    let mut text = prism::report::text::tour(&prism)?;
    text.push_str("\nQuick check of the mean-field limit against gradient-flow simulations:\n");
    if args.output.out.is_none() {
        out!("{text}");
        text.clear();
    }
    // A quick check of one regime: the mean-field limit against simulations at growing n.
    let spec = Spec::parse("p = 0.125 n; H = 0.015625 n^2; sigma2 = 32 n^-2; N = 0.125 n")?;
    let opts = CheckOptions {
        sizes: vec![128.0, 256.0, 512.0, 1024.0],
        seeds: 16,
        ..CheckOptions::default()
    };
    let report = check(&spec, &prism, &opts, &|_| {})?;
    text.push_str(&prism::report::text::check(&report));
    text.push_str(
        "\nTry: prism classify \"p = n; H = n^2; sigma2 = n^-2\", prism faces, prism limit SPEC,\n",
    );
    text.push_str("     prism check SPEC, prism claims --quick\n");
    args.output.write(text)
}
