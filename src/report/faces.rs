//! `prism faces --json`: one [`FaceEntry`] per face of the fitted prism.

use serde::Serialize;

use crate::polytope::classify::limit_summary;
use crate::polytope::FittedPrism;

/// One face of the prism.
///
/// Schema: `{"face": "large-data+free", "face_dim": 1, "limit": "...", "scaling": "...",
/// "vertices": ["(0,1,-1)", ...]}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FaceEntry {
    /// Face name: the 2-faces containing it joined by `+` (`proportional` for the interior).
    pub face: String,
    /// Dimension of the face (0 vertex ... 3 interior).
    pub face_dim: usize,
    /// One-sentence summary of the limiting law on the face.
    pub limit: String,
    /// The defining scaling of the face, in words ([`face_scaling`]).
    pub scaling: String,
    /// Vertices of the face, `(k',j',l')` in powers of (r, q, 1/alpha) per order.
    pub vertices: Vec<String>,
}

/// Every face of `prism` (vertices, edges, 2-faces, interior), in the prism's order.
pub fn faces(prism: &FittedPrism) -> Vec<FaceEntry> {
    prism
        .all_faces()
        .into_iter()
        .map(|(name, dim, verts)| FaceEntry {
            vertices: verts
                .iter()
                .map(|&i| {
                    let v = &prism.polytope.vertices[i];
                    format!("({},{},{})", v[0], v[1], v[2])
                })
                .collect(),
            scaling: face_scaling(&name),
            limit: limit_summary(&name).to_string(),
            face_dim: dim,
            face: name,
        })
        .collect()
}

/// The defining scaling of a face, from the scalings of the 2-faces that contain it.
pub fn face_scaling(name: &str) -> String {
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
