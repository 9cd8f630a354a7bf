//! `prism faces`: every face of the fitted prism, with its scaling and limit.

use super::CliResult;

/// Flags of `prism faces`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print JSON (one object per face) instead of the table.
    #[arg(long)]
    json: bool,
}

/// Run `prism faces`.
pub fn run(args: Args) -> CliResult {
    let prism = prism::pipeline::default_prism()?;
    let rows = prism::report::faces(&prism);
    if args.json {
        outln!("{}", prism::report::to_json(&rows)?);
        return Ok(());
    }
    outln!(
        "The prism P = T x I in (k', j', l') = powers of (r, q, 1/alpha) per order, from {} (orders {}..={}).",
        prism.source, prism.orders.0, prism.orders.1
    );
    outln!(
        "{} faces: 6 vertices, 9 edges, 5 two-faces and the interior.\n",
        rows.len()
    );
    for f in rows {
        outln!(
            "{}  (dimension {}; vertices {})",
            f.face,
            f.face_dim,
            f.vertices.join(" ")
        );
        outln!("  scaling: {}", f.scaling);
        out!(
            "{}",
            indent(
                &prism::report::text::wrap(&format!("limit: {}", f.limit), 76),
                "  "
            )
        );
        outln!();
    }
    Ok(())
}

fn indent(s: &str, pre: &str) -> String {
    s.lines().map(|l| format!("{pre}{l}\n")).collect()
}
