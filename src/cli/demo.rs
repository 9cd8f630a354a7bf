//! `prism demo`: a short tour on built-in specs.

use super::CliResult;
use prism::check::run::{check, CheckOptions};
use prism::polytope::classify;
use prism::spec::Spec;

/// The specs of the tour: (what it is, spec).
pub const TOUR: [(&str, &str); 6] = [
    (
        "large data, proportional width",
        "p = n; H = 0.5 n; sigma2 = n^-1; N = n^2",
    ),
    (
        "mean-field init",
        "p = n; H = n^2; sigma2 = 0.5 n^-2; N = n",
    ),
    (
        "narrow latent layer",
        "p = n; H = 8; sigma2 = 0.5 n^-1; N = 2 n",
    ),
    ("large init", "p = n; H = n; sigma2 = 1; N = n"),
    ("few samples", "p = n; H = 0.25 n; sigma2 = 2 n^-1; N = 20"),
    ("small init, population loss", "p = n; H = n; sigma = n^-1"),
];

/// Flags of `prism demo`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Run the tour.
pub fn run(_args: Args) -> CliResult {
    outln!("prism demo: where scaling limits of the weight-tied linear autoencoder land.\n");
    let prism = prism::pipeline::default_prism()?;
    outln!(
        "Hierarchy: {} (orders {}..={}); its asymptotic Newton polytope is the triangular prism",
        prism.source,
        prism.orders.0,
        prism.orders.1
    );
    outln!(
        "with {} vertices, {} edges and {} two-faces: {}.\n",
        prism.polytope.vertices.len(),
        prism.polytope.edges.len(),
        prism.polytope.facets.len(),
        {
            let mut names = prism.facet_names.clone();
            names.sort_by_key(|n| n.sort_key());
            names
                .iter()
                .map(|n| n.name())
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    outln!(
        "{:<30} {:<44} {:<36} {:>5} {:>6} {:>6}",
        "",
        "spec",
        "face",
        "time",
        "train",
        "pop"
    );
    for (what, text) in TOUR {
        let spec = Spec::parse(text)?;
        let c = classify(&spec, &prism)?;
        outln!(
            "{:<30} {:<44} {:<36} {:>5} {:>6} {:>6}",
            what,
            text,
            c.face,
            c.time_exponent,
            c.train_loss_exponent,
            c.pop_loss_exponent
        );
    }
    outln!("\n(time: t = n^time tau; train/pop: the loss change scales as n^exponent)");

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
