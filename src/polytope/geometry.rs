//! Exact convex geometry of finite point sets in small dimension, over Q.
//!
//! Everything is BigRational: no floats. The algorithms are brute force, which is exact and
//! fast enough for the sets prism meets (dimension <= 3, a few hundred points):
//!
//! * [`rank`]: Gaussian elimination over Q, O(m d min(m, d)) for m vectors in Q^d.
//! * [`select_face`]: the maximizers of a (lexicographic) linear functional, O(m d).
//! * [`Polytope::hull`]: the face lattice of conv(X). Points that are the midpoint of two other
//!   points of X along a direction in {-1,0,1}^d are discarded first (they cannot be vertices);
//!   on the c remaining candidates, facets are found by testing every affinely independent
//!   k-subset's hyperplane, k = dim, O(c^k * c * d). Vertices are the candidates where the
//!   normals of the incident facets have full rank, edges are vertex pairs whose common facets
//!   have normals of rank dim - 1, and so on.

use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use std::collections::{BTreeSet, HashSet};

/// A point or a direction in Q^d.
pub type Vector = Vec<BigRational>;

/// Errors of the geometry routines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeometryError {
    /// The point set was empty.
    #[error("the point set is empty")]
    Empty,
    /// Points of different dimensions were mixed.
    #[error("points of different dimensions ({0} and {1})")]
    DimensionMismatch(usize, usize),
    /// The face lattice is only implemented up to dimension 3.
    #[error("convex hulls are computed up to dimension 3; this set spans dimension {0}")]
    TooManyDimensions(usize),
}

/// Integer vector to rational vector.
pub fn vector(xs: &[i64]) -> Vector {
    xs.iter()
        .map(|&x| BigRational::from_integer(x.into()))
        .collect()
}

/// `(x1, x2, ...)` with exact entries, e.g. `(1, -1/2, 0)`.
pub fn format_vector(v: &[BigRational]) -> String {
    let parts: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("({})", parts.join(", "))
}

/// `<u, x>`.
pub fn dot(u: &[BigRational], x: &[BigRational]) -> BigRational {
    u.iter()
        .zip(x)
        .fold(BigRational::zero(), |acc, (a, b)| acc + a * b)
}

/// `x - y`.
pub fn sub(x: &[BigRational], y: &[BigRational]) -> Vector {
    x.iter().zip(y).map(|(a, b)| a - b).collect()
}

/// Rank of a list of vectors over Q (Gaussian elimination).
pub fn rank(vectors: &[Vector]) -> usize {
    let mut rows: Vec<Vector> = vectors.to_vec();
    let d = rows.first().map_or(0, |r| r.len());
    let mut r = 0;
    for col in 0..d {
        let Some(piv) = (r..rows.len()).find(|&i| !rows[i][col].is_zero()) else {
            continue;
        };
        rows.swap(r, piv);
        let pivot = rows[r][col].clone();
        for i in 0..rows.len() {
            if i != r && !rows[i][col].is_zero() {
                let f = &rows[i][col] / &pivot;
                for c in col..d {
                    let delta = &f * &rows[r][c];
                    rows[i][c] -= delta;
                }
            }
        }
        r += 1;
        if r == rows.len() {
            break;
        }
    }
    r
}

/// Affine dimension of a point set (-1 for the empty set is reported as None).
pub fn affine_dim(points: &[Vector]) -> Option<usize> {
    let first = points.first()?;
    let diffs: Vec<Vector> = points[1..].iter().map(|p| sub(p, first)).collect();
    Some(rank(&diffs))
}

/// The face of conv(points) selected by a lexicographic direction `dirs`: first maximize
/// `<dirs[0], x>`, then among those maximizers `<dirs[1], x>`, and so on. With one direction
/// this is the usual `argmax <u, x>`; a list models directions with infinite components
/// (e.g. N = infinity: first minimize l, then maximize the finite part).
///
/// Returns the indices of the maximizing points. Cost O(m d |dirs|).
pub fn select_face(points: &[Vector], dirs: &[Vector]) -> Result<Vec<usize>, GeometryError> {
    if points.is_empty() {
        return Err(GeometryError::Empty);
    }
    let d = points[0].len();
    for p in points.iter().chain(dirs) {
        if p.len() != d {
            return Err(GeometryError::DimensionMismatch(d, p.len()));
        }
    }
    let mut idx: Vec<usize> = (0..points.len()).collect();
    for u in dirs {
        let vals: Vec<BigRational> = idx.iter().map(|&i| dot(u, &points[i])).collect();
        let best = vals.iter().max().cloned().unwrap_or_else(BigRational::zero);
        idx = idx
            .into_iter()
            .zip(vals)
            .filter(|(_, v)| *v == best)
            .map(|(i, _)| i)
            .collect();
    }
    Ok(idx)
}

/// A facet of a full-dimensional polytope: `<normal, x> <= offset`, tight on `points`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facet {
    /// Outward normal, primitive integer direction scaled to have gcd 1 when integral.
    pub normal: Vector,
    /// `max <normal, x>` over the polytope.
    pub offset: BigRational,
    /// Indices (into [`Polytope::vertices`]) of the vertices on this facet.
    pub vertices: BTreeSet<usize>,
}

/// The face lattice of the convex hull of a finite point set.
#[derive(Clone, Debug)]
pub struct Polytope {
    /// Ambient dimension d.
    pub ambient_dim: usize,
    /// Affine dimension of the hull.
    pub dim: usize,
    /// The vertices, sorted.
    pub vertices: Vec<Vector>,
    /// Facets (faces of dimension dim - 1), described in the ambient coordinates when
    /// dim == ambient_dim, otherwise in the affine hull (normal then lies in the hull's
    /// direction space).
    pub facets: Vec<Facet>,
    /// Edges (1-faces) as sorted vertex-index pairs.
    pub edges: Vec<(usize, usize)>,
    /// 2-faces as sorted vertex-index sets (for dim == 3 these are the facets).
    pub two_faces: Vec<BTreeSet<usize>>,
}

impl Polytope {
    /// Compute the face lattice of conv(points), for hulls of dimension <= 3.
    pub fn hull(points: &[Vector]) -> Result<Polytope, GeometryError> {
        let first = points.first().ok_or(GeometryError::Empty)?;
        let d = first.len();
        if let Some(p) = points.iter().find(|p| p.len() != d) {
            return Err(GeometryError::DimensionMismatch(d, p.len()));
        }
        // Deduplicate and drop midpoints.
        let uniq: BTreeSet<Vector> = points.iter().cloned().collect();
        let uniq: Vec<Vector> = uniq.into_iter().collect();
        let set: HashSet<&Vector> = uniq.iter().collect();
        let steps = small_directions(d);
        let cand: Vec<Vector> = uniq
            .iter()
            .filter(|x| {
                !steps.iter().any(|v| {
                    let a: Vector = x.iter().zip(v).map(|(p, q)| p + q).collect();
                    let b: Vector = x.iter().zip(v).map(|(p, q)| p - q).collect();
                    set.contains(&a) && set.contains(&b)
                })
            })
            .cloned()
            .collect();
        let dim = affine_dim(&cand).unwrap_or(0);
        if dim > 3 {
            return Err(GeometryError::TooManyDimensions(dim));
        }
        // Coordinates of the affine hull: pick `dim` ambient coordinates in which the
        // differences still have rank `dim`; the projection is then an affine isomorphism.
        let base = cand[0].clone();
        let diffs: Vec<Vector> = cand.iter().map(|p| sub(p, &base)).collect();
        let coords = independent_coordinates(&diffs, d, dim);
        let proj: Vec<Vector> = cand
            .iter()
            .map(|p| coords.iter().map(|&c| p[c].clone()).collect())
            .collect();
        // Facets of the projected, full-dimensional hull.
        let mut facets_proj: Vec<(Vector, BigRational, BTreeSet<usize>)> = Vec::new();
        if dim >= 1 {
            let mut seen: HashSet<BTreeSet<usize>> = HashSet::new();
            for subset in k_subsets(proj.len(), dim) {
                let Some(normal) = hyperplane_normal(&proj, &subset) else {
                    continue;
                };
                let off = dot(&normal, &proj[subset[0]]);
                let vals: Vec<BigRational> = proj.iter().map(|x| dot(&normal, x) - &off).collect();
                let pos = vals.iter().any(|v| v.is_positive());
                let neg = vals.iter().any(|v| v.is_negative());
                if pos && neg {
                    continue;
                }
                let normal: Vector = if pos {
                    normal.iter().map(|x| -x).collect()
                } else {
                    normal
                };
                let on: BTreeSet<usize> = vals
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_zero())
                    .map(|(i, _)| i)
                    .collect();
                if seen.insert(on.clone()) {
                    let normal = primitive(&normal);
                    let off = dot(&normal, &proj[subset[0]]);
                    facets_proj.push((normal, off, on));
                }
            }
        }
        // Vertices: candidates at which the incident facet normals have full rank.
        let mut vert_idx: Vec<usize> = (0..proj.len())
            .filter(|&i| {
                let normals: Vec<Vector> = facets_proj
                    .iter()
                    .filter(|f| f.2.contains(&i))
                    .map(|f| f.0.clone())
                    .collect();
                rank(&normals) == dim
            })
            .collect();
        vert_idx.sort_by(|&a, &b| cand[a].cmp(&cand[b]));
        let vertices: Vec<Vector> = vert_idx.iter().map(|&i| cand[i].clone()).collect();
        let remap = |i: usize| vert_idx.iter().position(|&j| j == i);
        let faces_of = |verts: &[usize]| -> Vec<usize> {
            (0..facets_proj.len())
                .filter(|&f| {
                    verts
                        .iter()
                        .all(|v| facets_proj[f].2.contains(&vert_idx[*v]))
                })
                .collect()
        };
        let normals_rank = |fs: &[usize]| -> usize {
            rank(
                &fs.iter()
                    .map(|&f| facets_proj[f].0.clone())
                    .collect::<Vec<_>>(),
            )
        };
        let mut edges = Vec::new();
        if dim >= 1 {
            for a in 0..vertices.len() {
                for b in a + 1..vertices.len() {
                    let fs = faces_of(&[a, b]);
                    if dim == 1 || normals_rank(&fs) == dim - 1 {
                        edges.push((a, b));
                    }
                }
            }
        }
        let facets: Vec<Facet> = facets_proj
            .iter()
            .map(|(n, _, on)| {
                // Lift the normal back to ambient coordinates (zero outside `coords`) when the
                // hull is full-dimensional; otherwise it lives in the chosen coordinates.
                let mut normal = vec![BigRational::zero(); d];
                for (k, &c) in coords.iter().enumerate() {
                    normal[c] = n[k].clone();
                }
                let verts: BTreeSet<usize> = on.iter().filter_map(|&i| remap(i)).collect();
                let offset = verts
                    .iter()
                    .next()
                    .map_or_else(BigRational::zero, |&v| dot(&normal, &vertices[v]));
                Facet {
                    normal,
                    offset,
                    vertices: verts,
                }
            })
            .collect();
        let two_faces: Vec<BTreeSet<usize>> = match dim {
            3 => facets.iter().map(|f| f.vertices.clone()).collect(),
            2 => vec![(0..vertices.len()).collect()],
            _ => Vec::new(),
        };
        Ok(Polytope {
            ambient_dim: d,
            dim,
            vertices,
            facets,
            edges,
            two_faces,
        })
    }

    /// Vertex indices maximizing a lexicographic direction (see [`select_face`]).
    pub fn face(&self, dirs: &[Vector]) -> Result<Vec<usize>, GeometryError> {
        select_face(&self.vertices, dirs)
    }

    /// True when `x` lies in the polytope (full-dimensional hulls only; otherwise also checks
    /// that x is in the affine hull).
    pub fn contains(&self, x: &[BigRational]) -> bool {
        if self.dim < self.ambient_dim {
            let base = &self.vertices[0];
            let mut diffs: Vec<Vector> = self.vertices.iter().map(|v| sub(v, base)).collect();
            let r = rank(&diffs);
            diffs.push(sub(x, base));
            if rank(&diffs) != r {
                return false;
            }
        }
        self.facets.iter().all(|f| {
            // Facet normals of lower-dimensional hulls live in chosen coordinates, which is
            // consistent because membership was reduced to the affine hull above.
            dot(&f.normal, x) <= f.offset
        })
    }
}

/// The nonzero vectors of {-1, 0, 1}^d up to sign.
fn small_directions(d: usize) -> Vec<Vector> {
    let mut out = Vec::new();
    let total = 3usize.pow(d as u32);
    for code in 0..total {
        let mut c = code;
        let mut v = Vec::with_capacity(d);
        for _ in 0..d {
            v.push((c % 3) as i64 - 1);
            c /= 3;
        }
        // Keep one of each pair +-v: the first nonzero entry is positive.
        if v.iter().find(|&&x| x != 0).is_some_and(|&x| x > 0) {
            out.push(vector(&v));
        }
    }
    out
}

fn independent_coordinates(diffs: &[Vector], d: usize, dim: usize) -> Vec<usize> {
    // Greedy: add coordinate c if it raises the rank of the projected differences.
    let mut chosen: Vec<usize> = Vec::new();
    for c in 0..d {
        if chosen.len() == dim {
            break;
        }
        let mut trial = chosen.clone();
        trial.push(c);
        let proj: Vec<Vector> = diffs
            .iter()
            .map(|v| trial.iter().map(|&k| v[k].clone()).collect())
            .collect();
        if rank(&proj) == trial.len() {
            chosen = trial;
        }
    }
    chosen
}

fn k_subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut cur = Vec::with_capacity(k);
    fn rec(start: usize, n: usize, k: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            if n - i < k - cur.len() {
                break;
            }
            cur.push(i);
            rec(i + 1, n, k, cur, out);
            cur.pop();
        }
    }
    rec(0, n, k, &mut cur, &mut out);
    out
}

/// Normal of the hyperplane through `dim` points in Q^dim (None if they are dependent).
fn hyperplane_normal(pts: &[Vector], subset: &[usize]) -> Option<Vector> {
    let dim = pts[0].len();
    let base = &pts[subset[0]];
    let diffs: Vec<Vector> = subset[1..].iter().map(|&i| sub(&pts[i], base)).collect();
    let n = match dim {
        1 => vec![BigRational::one()],
        2 => vec![-diffs[0][1].clone(), diffs[0][0].clone()],
        3 => {
            let (a, b) = (&diffs[0], &diffs[1]);
            vec![
                &a[1] * &b[2] - &a[2] * &b[1],
                &a[2] * &b[0] - &a[0] * &b[2],
                &a[0] * &b[1] - &a[1] * &b[0],
            ]
        }
        _ => return None,
    };
    if n.iter().all(|x| x.is_zero()) {
        None
    } else {
        Some(n)
    }
}

/// Scale a rational vector to a primitive integer vector with the same direction.
pub fn primitive(v: &[BigRational]) -> Vector {
    use num_integer::Integer;
    let mut lcm = num_bigint::BigInt::one();
    for x in v {
        lcm = lcm.lcm(x.denom());
    }
    let ints: Vec<num_bigint::BigInt> = v.iter().map(|x| (x * &lcm).to_integer()).collect();
    let mut g = num_bigint::BigInt::zero();
    for x in &ints {
        g = g.gcd(x);
    }
    if g.is_zero() {
        return v.to_vec();
    }
    ints.into_iter()
        .map(|x| BigRational::from_integer(x / &g))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(v: &[[i64; 3]]) -> Vec<Vector> {
        v.iter().map(|p| vector(p)).collect()
    }

    #[test]
    fn cube_lattice() {
        let mut v = Vec::new();
        for x in 0..3 {
            for y in 0..3 {
                for z in 0..3 {
                    v.push([x, y, z]);
                }
            }
        }
        let p = Polytope::hull(&pts(&v)).unwrap();
        assert_eq!(
            (p.dim, p.vertices.len(), p.edges.len(), p.facets.len()),
            (3, 8, 12, 6)
        );
    }

    #[test]
    fn triangular_prism() {
        let p = Polytope::hull(&pts(&[
            [0, 0, 0],
            [0, 1, 0],
            [1, 1, 0],
            [0, 0, 1],
            [0, 1, 1],
            [1, 1, 1],
        ]))
        .unwrap();
        assert_eq!((p.vertices.len(), p.edges.len(), p.facets.len()), (6, 9, 5));
        let tri = p.facets.iter().filter(|f| f.vertices.len() == 3).count();
        assert_eq!(tri, 2);
    }

    #[test]
    fn lower_dimensional_hulls() {
        let p = Polytope::hull(&pts(&[
            [0, 0, 1],
            [2, 0, 1],
            [1, 0, 1],
            [0, 2, 1],
            [1, 1, 1],
        ]))
        .unwrap();
        assert_eq!((p.dim, p.vertices.len(), p.edges.len()), (2, 3, 3));
        let p = Polytope::hull(&pts(&[[0, 0, 0], [1, 1, 1], [2, 2, 2]])).unwrap();
        assert_eq!((p.dim, p.vertices.len(), p.edges.len()), (1, 2, 1));
        let p = Polytope::hull(&pts(&[[5, 5, 5]])).unwrap();
        assert_eq!((p.dim, p.vertices.len()), (0, 1));
        assert!(p.contains(&vector(&[5, 5, 5])));
        assert!(!p.contains(&vector(&[5, 5, 4])));
    }

    #[test]
    fn lexicographic_selection() {
        let p = pts(&[[0, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]]);
        let f = select_face(&p, &[vector(&[0, 0, -1]), vector(&[0, 1, 0])]).unwrap();
        assert_eq!(f, vec![1, 2]);
        assert_eq!(rank(&[vector(&[1, 2, 3]), vector(&[2, 4, 6])]), 1);
    }
}
