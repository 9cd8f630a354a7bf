//! Fitting the hierarchy `P_s` to an affine family and recognizing the triangular prism.
//!
//! For each computed order s, `conv(P_s)` is a lattice polytope. When the hierarchy grows
//! linearly, every vertex moves affinely with s: `v(s) = a_v + s b_v`, with a normal fan that
//! does not change. We find the families from the two highest orders (matching vertices by
//! their normal cones), then verify exactly that `conv(P_s) = conv{a_v + s b_v}` at every lower
//! order down to the first one where it fails. The asymptotic polytope is `P = conv{b_v}`
//! (= lim P_s / s). The regimes are the facets of P, named by their outward normal in the
//! coordinates (log r, log q, log 1/alpha):
//!
//! | outward normal | scaling it selects | regime |
//! |---|---|---|
//! | (0, 0, -1) | alpha -> infinity | large-data |
//! | (0, 0, 1) | alpha -> 0 | small-data |
//! | (-1, 0, 0) | r -> 0 | narrow-latent |
//! | (1, -1, 0) | r -> infinity, q -> 0, q r fixed | mean-field |
//! | (0, 1, 0) | q -> infinity | free |
//!
//! Cost: one hull per order (see [`super::geometry`]), dominated by the hull of the largest P_s.

use super::geometry::{dot, rank, select_face, sub, vector, GeometryError, Polytope, Vector};
use super::hierarchy::{Hierarchy, Loss, Point3};
use crate::regimes::catalogue::Regime;
use num_rational::BigRational;
use num_traits::Zero;

/// Errors of the fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrismError {
    /// Geometry failed.
    #[error(transparent)]
    Geometry(#[from] GeometryError),
    /// Not enough orders to fit and confirm.
    #[error("the {loss} hierarchy needs at least {need} orders with a full-dimensional support to fit; it has {have}")]
    TooFewOrders {
        /// Which loss.
        loss: &'static str,
        /// Needed.
        need: usize,
        /// Available.
        have: usize,
    },
    /// The top orders do not have matching vertex families.
    #[error("the {loss} supports at orders {s0} and {s1} do not have matching vertices: the hierarchy is not an affine family")]
    NotAffine {
        /// Which loss.
        loss: &'static str,
        /// Lower order.
        s0: u32,
        /// Upper order.
        s1: u32,
    },
    /// The asymptotic polytope is not the triangular prism.
    #[error("the asymptotic polytope is not the triangular prism: {0}")]
    NotPrism(String),
}

/// The affine vertex families of one loss's hierarchy.
#[derive(Clone, Debug)]
pub struct AffineFit {
    /// Which loss.
    pub loss: Loss,
    /// Offsets a_v.
    pub a: Vec<Vector>,
    /// Slopes b_v (the vertices of the asymptotic polytope, with repetitions).
    pub b: Vec<Vector>,
    /// Orders (first, last) at which `conv(P_s) = conv{a_v + s b_v}` was verified exactly.
    pub verified: (u32, u32),
    /// The asymptotic polytope conv{b_v}.
    pub asymptotic: Polytope,
}

fn to_vectors(points: &std::collections::BTreeSet<Point3>) -> Vec<Vector> {
    points.iter().map(|p| vector(p)).collect()
}

fn rat(s: u32) -> BigRational {
    BigRational::from_integer(s.into())
}

impl AffineFit {
    /// Fit `v(s) = a_v + s b_v` to the hierarchy of one loss.
    pub fn fit(h: &Hierarchy, loss: Loss) -> Result<AffineFit, PrismError> {
        let name = loss.name();
        // Orders with full-dimensional supports, from the top down (consecutive).
        let mut full: Vec<(u32, Polytope)> = Vec::new();
        for o in h.orders.iter().rev() {
            let pts = to_vectors(o.support(loss));
            if pts.is_empty() {
                break;
            }
            let poly = Polytope::hull(&pts)?;
            if poly.dim < 3 {
                break;
            }
            full.push((o.s, poly));
        }
        if full.len() < 2 {
            return Err(PrismError::TooFewOrders {
                loss: name,
                need: 2,
                have: full.len(),
            });
        }
        let (s1, top) = &full[0];
        let (s0, next) = &full[1];
        if top.vertices.len() != next.vertices.len() {
            return Err(PrismError::NotAffine {
                loss: name,
                s0: *s0,
                s1: *s1,
            });
        }
        // Match each top vertex to the vertex of the next polytope that maximizes the sum of
        // the top vertex's incident facet normals (an interior direction of its normal cone).
        let mut a = Vec::new();
        let mut b = Vec::new();
        for (i, v) in top.vertices.iter().enumerate() {
            let mut dir = vec![BigRational::zero(); 3];
            for f in top.facets.iter().filter(|f| f.vertices.contains(&i)) {
                for (d, n) in dir.iter_mut().zip(&f.normal) {
                    *d += n;
                }
            }
            let m = select_face(&next.vertices, &[dir])?;
            if m.len() != 1 {
                return Err(PrismError::NotAffine {
                    loss: name,
                    s0: *s0,
                    s1: *s1,
                });
            }
            let slope = sub(v, &next.vertices[m[0]]);
            let offset: Vector = v
                .iter()
                .zip(&slope)
                .map(|(x, y)| x - &rat(*s1) * y)
                .collect();
            a.push(offset);
            b.push(slope);
        }
        // Verify at every order, going down, until the family stops describing P_s.
        let mut first = *s1;
        for o in h.orders.iter().rev() {
            let pts = to_vectors(o.support(loss));
            if pts.is_empty() {
                break;
            }
            let actual = Polytope::hull(&pts)?;
            let predicted: Vec<Vector> = a
                .iter()
                .zip(&b)
                .map(|(x, y)| x.iter().zip(y).map(|(p, q)| p + &rat(o.s) * q).collect())
                .collect();
            let pred = Polytope::hull(&predicted)?;
            if pred.vertices != actual.vertices {
                break;
            }
            first = o.s;
        }
        if *s1 - first < 2 {
            return Err(PrismError::TooFewOrders {
                loss: name,
                need: 3,
                have: (*s1 - first + 1) as usize,
            });
        }
        let asymptotic = Polytope::hull(&b)?;
        Ok(AffineFit {
            loss,
            a,
            b,
            verified: (first, *s1),
            asymptotic,
        })
    }

    /// `max_{x in P_s} <dirs, x>` in the lexicographic order, attained by the family maximizing
    /// first `<dirs, b_v>`, then `<dirs, a_v>`. Returns the index of one such family.
    pub fn dominant_family(&self, dirs: &[Vector]) -> usize {
        let key = |i: usize| -> Vec<BigRational> {
            dirs.iter()
                .map(|d| dot(d, &self.b[i]))
                .chain(dirs.iter().map(|d| dot(d, &self.a[i])))
                .collect()
        };
        (0..self.b.len()).max_by_key(|&i| key(i)).unwrap_or(0)
    }
}

/// The fitted prism: both losses' families, the asymptotic polytope, its named facets.
#[derive(Clone, Debug)]
pub struct FittedPrism {
    /// Train-loss family.
    pub train: AffineFit,
    /// Population-loss family.
    pub pop: AffineFit,
    /// The asymptotic polytope P (shared by both losses; checked).
    pub polytope: Polytope,
    /// The 2-face regime of each facet of `polytope` (same order as `polytope.facets`).
    pub facet_names: Vec<Regime>,
    /// Where the hierarchy came from, and the orders it spans.
    pub source: String,
    /// Orders (first, last) present in the hierarchy.
    pub orders: (u32, u32),
    /// The hierarchy itself (lattice points are needed for correction orders).
    pub hierarchy: Hierarchy,
    /// The face lattice: (regime, dimension, vertex indices), the interior last.
    faces: Vec<(Regime, usize, Vec<usize>)>,
}

/// The regime a facet normal selects (see the module table), if any.
pub fn regime_of_normal(n: &[BigRational]) -> Option<Regime> {
    let table: [([i64; 3], Regime); 5] = [
        ([0, 0, -1], Regime::LargeData),
        ([0, 0, 1], Regime::SmallData),
        ([-1, 0, 0], Regime::NarrowLatent),
        ([1, -1, 0], Regime::MeanField),
        ([0, 1, 0], Regime::Free),
    ];
    table
        .iter()
        .find(|(v, _)| vector(v).as_slice() == n)
        .map(|(_, name)| *name)
}

impl FittedPrism {
    /// Fit both losses and confirm that P is the triangular prism T x I: 6 vertices, 9 edges,
    /// 5 facets (2 triangles, 3 quadrilaterals), whose outward normals are the five regimes.
    pub fn from_hierarchy(h: &Hierarchy) -> Result<FittedPrism, PrismError> {
        let train = AffineFit::fit(h, Loss::Train)?;
        let pop = AffineFit::fit(h, Loss::Pop)?;
        if train.asymptotic.vertices != pop.asymptotic.vertices {
            return Err(PrismError::NotPrism(
                "the train and population hierarchies grow like different polytopes".into(),
            ));
        }
        let polytope = train.asymptotic.clone();
        let counts = (
            polytope.vertices.len(),
            polytope.edges.len(),
            polytope.facets.len(),
        );
        if polytope.dim != 3 || counts != (6, 9, 5) {
            return Err(PrismError::NotPrism(format!(
                "dimension {}, {} vertices, {} edges, {} facets (expected 3, 6, 9, 5)",
                polytope.dim, counts.0, counts.1, counts.2
            )));
        }
        let tri = polytope
            .facets
            .iter()
            .filter(|f| f.vertices.len() == 3)
            .count();
        let quad = polytope
            .facets
            .iter()
            .filter(|f| f.vertices.len() == 4)
            .count();
        if (tri, quad) != (2, 3) {
            return Err(PrismError::NotPrism(format!(
                "{tri} triangles and {quad} quadrilaterals (expected 2 and 3)"
            )));
        }
        let mut facet_names = Vec::new();
        for f in &polytope.facets {
            let name = regime_of_normal(&f.normal).ok_or_else(|| {
                PrismError::NotPrism(format!(
                    "a facet has outward normal ({}), which is none of the five regimes",
                    f.normal
                        .iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            if facet_names.contains(&name) {
                return Err(PrismError::NotPrism(format!(
                    "two facets have the outward normal of {}",
                    name.name()
                )));
            }
            facet_names.push(name);
        }
        let source = match &h.source {
            super::HierarchySource::SupportLaw => "the support law of THEORY section 3".to_string(),
            super::HierarchySource::Computed { method } => format!("computed supports ({method})"),
        };
        let orders = h.order_range().unwrap_or((0, 0));
        let faces = FittedPrism::face_lattice(&polytope, &facet_names)?;
        Ok(FittedPrism {
            faces,
            train,
            pop,
            polytope,
            facet_names,
            source,
            orders,
            hierarchy: h.clone(),
        })
    }

    /// The 2-faces (facets) that contain all the given points (vertex coordinates of P), in the
    /// catalogue's naming order.
    pub fn facets_containing(&self, points: &[Vector]) -> Vec<Regime> {
        let mut names: Vec<Regime> = self
            .polytope
            .facets
            .iter()
            .zip(&self.facet_names)
            .filter(|(f, _)| points.iter().all(|x| dot(&f.normal, x) == f.offset))
            .map(|(_, n)| *n)
            .collect();
        names.sort_by_key(|n| n.sort_key());
        names
    }

    /// The face of P given by its vertices: the regime cut out by the facets containing it
    /// (the interior for the whole prism). `None` when those facets name no face of the
    /// catalogue (impossible for a prism accepted by [`FittedPrism::from_hierarchy`]).
    pub fn face_of(&self, face_vertices: &[Vector]) -> Option<Regime> {
        Regime::from_two_faces(&self.facets_containing(face_vertices))
    }

    /// Every nonempty face of P: (regime, dimension, vertex indices), the interior last.
    /// Faces are intersections of facets; there are 6 + 9 + 5 + 1 = 21 of them.
    pub fn all_faces(&self) -> Vec<(Regime, usize, Vec<usize>)> {
        self.faces.clone()
    }

    /// The face lattice of `polytope` named by `facet_names`, or the vertex set of a face that
    /// names none of the 21 regimes.
    fn face_lattice(
        polytope: &Polytope,
        facet_names: &[Regime],
    ) -> Result<Vec<(Regime, usize, Vec<usize>)>, PrismError> {
        let probe = FittedPrismFacets {
            polytope,
            facet_names,
        };
        let nf = polytope.facets.len();
        let mut out: Vec<(Regime, usize, Vec<usize>)> = Vec::new();
        for mask in 0u32..(1 << nf) {
            let mut verts: Vec<usize> = (0..polytope.vertices.len()).collect();
            for (k, f) in polytope.facets.iter().enumerate() {
                if mask & (1 << k) != 0 {
                    verts.retain(|v| f.vertices.contains(v));
                }
            }
            if verts.is_empty() || out.iter().any(|(_, _, v)| *v == verts) {
                continue;
            }
            let pts: Vec<Vector> = verts
                .iter()
                .map(|&i| polytope.vertices[i].clone())
                .collect();
            let base = pts[0].clone();
            let dim = rank(&pts.iter().map(|p| sub(p, &base)).collect::<Vec<_>>());
            let regime = Regime::from_two_faces(&probe.containing(&pts)).ok_or_else(|| {
                PrismError::NotPrism(format!(
                    "the facets {} meet in a face that is none of the 21 regimes",
                    probe
                        .containing(&pts)
                        .iter()
                        .map(|r| r.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            out.push((regime, dim, verts));
        }
        out.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| a.0.sort_key().cmp(&b.0.sort_key()))
        });
        out.rotate_left(1); // the interior (dimension 3) goes last
        Ok(out)
    }
}

/// Facets with their regimes, before the [`FittedPrism`] exists.
struct FittedPrismFacets<'a> {
    polytope: &'a Polytope,
    facet_names: &'a [Regime],
}

impl FittedPrismFacets<'_> {
    fn containing(&self, points: &[Vector]) -> Vec<Regime> {
        self.polytope
            .facets
            .iter()
            .zip(self.facet_names)
            .filter(|(f, _)| points.iter().all(|x| dot(&f.normal, x) == f.offset))
            .map(|(_, n)| *n)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_law_fits_the_prism() {
        let h = Hierarchy::from_support_law(6);
        let fp = FittedPrism::from_hierarchy(&h).unwrap();
        assert_eq!(fp.train.verified, (0, 6));
        assert_eq!(fp.pop.verified.1, 6);
        assert!(fp.pop.verified.0 <= 2);
        let mut names = fp.facet_names.clone();
        names.sort();
        assert_eq!(
            names,
            vec![
                Regime::LargeData,
                Regime::MeanField,
                Regime::NarrowLatent,
                Regime::Free,
                Regime::SmallData,
            ]
        );
        let faces = fp.all_faces();
        assert_eq!(faces.len(), 21);
        assert_eq!(faces.iter().filter(|f| f.1 == 0).count(), 6);
        assert_eq!(faces.iter().filter(|f| f.1 == 1).count(), 9);
        assert_eq!(faces.iter().filter(|f| f.1 == 2).count(), 5);
        assert_eq!(faces.last().unwrap().0, Regime::Proportional);
        let mut all: Vec<Regime> = faces.iter().map(|f| f.0).collect();
        all.sort();
        assert_eq!(all, Regime::ALL.to_vec());
    }

    #[test]
    fn a_wrong_hierarchy_is_rejected() {
        // A cube-shaped hierarchy is affine but not the prism.
        let mut h = Hierarchy::from_support_law(4);
        for o in &mut h.orders {
            let s = i64::from(o.s);
            let mut cube = std::collections::BTreeSet::new();
            for k in 0..=s {
                for j in 0..=s {
                    for l in 0..=s {
                        cube.insert([k, j, l]);
                    }
                }
            }
            o.train = cube.clone();
            o.pop = cube;
        }
        assert!(matches!(
            FittedPrism::from_hierarchy(&h),
            Err(PrismError::NotPrism(_))
        ));
    }
}
