//! `prism faces --json`: one [`FaceEntry`] per face of the fitted prism.

use serde::Serialize;

use crate::polytope::FittedPrism;
use crate::regimes::Regime;

/// One face of the prism.
///
/// Schema: `{"face": "large-data+free", "face_dim": 1, "limit": "...", "scaling": "...",
/// "vertices": ["(0,1,-1)", ...]}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FaceEntry {
    /// Face name: the 2-faces containing it joined by `+` (`proportional` for the interior).
    pub face: Regime,
    /// Dimension of the face (0 vertex ... 3 interior).
    pub face_dim: usize,
    /// One-sentence summary of the limiting law on the face.
    pub limit: String,
    /// The defining scaling of the face, in words ([`Regime::scaling`]).
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
            scaling: name.scaling().to_string(),
            limit: name.summary().to_string(),
            face_dim: dim,
            face: name,
        })
        .collect()
}
