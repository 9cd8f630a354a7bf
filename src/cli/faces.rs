//! `prism faces`: every face of the fitted prism, with its scaling and limit.

use super::CliResult;
use prism::polytope::classify::limit_summary;

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
        rows.push((name.clone(), *dim, pts, scaling(name), limit_summary(name)));
    }
    if args.json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|(n, d, p, s, l)| {
                serde_json::json!({"face": n, "face_dim": d, "vertices": p, "scaling": s, "limit": l})
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    outln!(
        "The prism P = T x I in (k', j', l') = powers of (r, q, 1/alpha) per order, from {} (orders {}..={}).",
        prism.source, prism.orders.0, prism.orders.1
    );
    outln!(
        "{} faces: 6 vertices, 9 edges, 5 two-faces and the interior.\n",
        faces.len()
    );
    for (n, d, p, s, l) in rows {
        outln!("{n}  (dimension {d}; vertices {})", p.join(" "));
        outln!("  scaling: {s}");
        out!(
            "{}",
            indent(&super::classify::wrap(&format!("limit: {l}"), 76), "  ")
        );
        outln!();
    }
    Ok(())
}

fn indent(s: &str, pre: &str) -> String {
    s.lines().map(|l| format!("{pre}{l}\n")).collect()
}

/// The defining scaling of a face, from the scalings of the 2-faces that contain it.
pub fn scaling(name: &str) -> String {
    if name == "proportional" {
        return "r, q and alpha all finite".into();
    }
    let parts: Vec<&str> = name.split('+').collect();
    let mut out: Vec<&str> = Vec::new();
    for p in &parts {
        out.push(match *p {
            "large-data" => "alpha -> infinity",
            "small-data" => "alpha -> 0",
            "narrow-latent" => "r -> 0",
            "mean-field" => "r -> infinity, q -> 0 with q r fixed",
            "free" => "q -> infinity",
            _ => "?",
        });
    }
    let has = |x: &str| parts.contains(&x);
    let mut s = out.join("; ");
    if has("narrow-latent") && has("mean-field") {
        s = "q r -> 0 (small initialization)".into();
        if has("large-data") || has("small-data") {
            s = format!("{}; {}", out[0], s);
        }
    } else if has("narrow-latent") && has("free") {
        s = "r -> 0 and q -> infinity".into();
        if has("large-data") || has("small-data") {
            s = format!("{}; {}", out[0], s);
        }
    } else if has("mean-field") && has("free") {
        s = "r -> infinity and q r -> infinity".into();
        if has("large-data") || has("small-data") {
            s = format!("{}; {}", out[0], s);
        }
    }
    if !(has("large-data") || has("small-data")) {
        s.push_str("; alpha finite");
    }
    s
}
