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
    let faces = prism.all_faces();
    let mut rows = Vec::new();
    for (name, dim, verts) in &faces {
        let pts: Vec<String> = verts
            .iter()
            .map(|&i| {
                let v = &prism.polytope.vertices[i];
                format!("({},{},{})", v[0], v[1], v[2])
            })
            .collect();
        rows.push((name.name(), *dim, pts, name.scaling(), name.summary()));
    }
    if args.json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|(n, d, p, s, l)| {
                serde_json::json!({"face": n, "face_dim": d, "vertices": p, "scaling": s, "limit": l})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!(
        "The prism P = T x I in (k', j', l') = powers of (r, q, 1/alpha) per order, from {} (orders {}..={}).",
        prism.source, prism.orders.0, prism.orders.1
    );
    println!(
        "{} faces: 6 vertices, 9 edges, 5 two-faces and the interior.\n",
        faces.len()
    );
    for (n, d, p, s, l) in rows {
        println!("{n}  (dimension {d}; vertices {})", p.join(" "));
        println!("  scaling: {s}");
        print!(
            "{}",
            indent(&super::classify::wrap(&format!("limit: {l}"), 76), "  ")
        );
        println!();
    }
    Ok(())
}

fn indent(s: &str, pre: &str) -> String {
    s.lines().map(|l| format!("{pre}{l}\n")).collect()
}
