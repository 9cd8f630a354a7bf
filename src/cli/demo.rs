//! `prism demo`: a short tour on built-in specs.

use super::CliResult;

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
    text.push_str(&prism::check::demo(&prism)?);
    args.output.write(text)
}
