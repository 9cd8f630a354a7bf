//! Exact planar geometry over Q for phase maps: affine forms, convex polygons, line arrangements.
//!
//! Everything is BigRational. A box `[x0, x1] x [y0, y1]` cut by m lines has at most
//! `1 + m + m(m-1)/2` cells; [`arrangement`] builds them by splitting convex polygons one line at a
//! time, O(m * cells * vertices) exact operations (m is at most about a dozen here).

use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use std::cmp::Ordering;

/// A rational number.
pub type Q = BigRational;

/// A point (x, y) of the plane with exact coordinates.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pt {
    /// Abscissa.
    pub x: Q,
    /// Ordinate.
    pub y: Q,
}

impl Pt {
    /// The point (x, y).
    pub fn new(x: Q, y: Q) -> Pt {
        Pt { x, y }
    }

    /// `(1 - t) self + t other`.
    pub fn lerp(&self, other: &Pt, t: &Q) -> Pt {
        Pt::new(
            &self.x + (&other.x - &self.x) * t,
            &self.y + (&other.y - &self.y) * t,
        )
    }

    /// `(x, y)` as floats, for drawing only.
    pub fn to_f64(&self) -> (f64, f64) {
        (
            crate::poly::rat_to_f64(&self.x),
            crate::poly::rat_to_f64(&self.y),
        )
    }
}

impl std::fmt::Display for Pt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "({}, {})", self.x, self.y)
    }
}

/// An affine function `f(x, y) = c + a x + b y` with exact coefficients.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Affine {
    /// The constant c.
    pub c: Q,
    /// The coefficient a of x.
    pub a: Q,
    /// The coefficient b of y.
    pub b: Q,
}

impl Affine {
    /// `c + a x + b y`.
    pub fn new(c: Q, a: Q, b: Q) -> Affine {
        Affine { c, a, b }
    }

    /// The constant function c.
    pub fn constant(c: Q) -> Affine {
        Affine::new(c, Q::zero(), Q::zero())
    }

    /// The function `k x` (k times the abscissa).
    pub fn x(k: Q) -> Affine {
        Affine::new(Q::zero(), k, Q::zero())
    }

    /// The function `k y`.
    pub fn y(k: Q) -> Affine {
        Affine::new(Q::zero(), Q::zero(), k)
    }

    /// The value at a point.
    pub fn eval(&self, p: &Pt) -> Q {
        &self.c + &self.a * &p.x + &self.b * &p.y
    }

    /// True when a = b = 0.
    pub fn is_constant(&self) -> bool {
        self.a.is_zero() && self.b.is_zero()
    }

    /// `self + other`.
    pub fn add(&self, o: &Affine) -> Affine {
        Affine::new(&self.c + &o.c, &self.a + &o.a, &self.b + &o.b)
    }

    /// `self - other`.
    pub fn sub(&self, o: &Affine) -> Affine {
        Affine::new(&self.c - &o.c, &self.a - &o.a, &self.b - &o.b)
    }

    /// `k self`.
    pub fn scale(&self, k: &Q) -> Affine {
        Affine::new(&self.c * k, &self.a * k, &self.b * k)
    }

    /// The same zero line with the first nonzero of (a, b) scaled to 1 (a canonical key for
    /// deduplicating lines). None for a constant function.
    pub fn normalized_line(&self) -> Option<Affine> {
        let lead = if !self.a.is_zero() {
            self.a.clone()
        } else if !self.b.is_zero() {
            self.b.clone()
        } else {
            return None;
        };
        Some(self.scale(&(Q::one() / lead)))
    }

    /// The affine function through three non-collinear points with the given values, exactly
    /// (Cramer's rule). None when the points are collinear.
    pub fn interpolate(pts: [&Pt; 3], vals: [&Q; 3]) -> Option<Affine> {
        // Solve c + a x_i + b y_i = v_i.
        let det = |m: [[&Q; 3]; 3]| -> Q {
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        };
        let one = Q::one();
        let rows = |col: usize, v: bool| -> [[&Q; 3]; 3] {
            let mut m = [[&one; 3]; 3];
            for i in 0..3 {
                m[i] = [&one, &pts[i].x, &pts[i].y];
                if v {
                    m[i][col] = vals[i];
                }
            }
            m
        };
        let d = det(rows(0, false));
        if d.is_zero() {
            return None;
        }
        Some(Affine::new(
            det(rows(0, true)) / &d,
            det(rows(1, true)) / &d,
            det(rows(2, true)) / &d,
        ))
    }

    /// Readable form in the variables `xn`, `yn`: `1 - x + 1/2 y`, `0`.
    pub fn render(&self, xn: &str, yn: &str) -> String {
        let mut out = String::new();
        let mut term = |coef: &Q, var: &str| {
            if coef.is_zero() {
                return;
            }
            let neg = coef.is_negative();
            let mag = coef.abs();
            let body = if var.is_empty() {
                mag.to_string()
            } else if mag.is_one() {
                var.to_string()
            } else {
                format!("{mag} {var}")
            };
            if out.is_empty() {
                out = if neg { format!("-{body}") } else { body };
            } else {
                out.push_str(if neg { " - " } else { " + " });
                out.push_str(&body);
            }
        };
        // `1 - x` rather than `-x + 1`: a positive constant leads when the first variable
        // term is negative.
        let first_var = if self.a.is_zero() { &self.b } else { &self.a };
        if self.c.is_positive() && first_var.is_negative() {
            term(&self.c, "");
            term(&self.a, xn);
            term(&self.b, yn);
        } else {
            term(&self.a, xn);
            term(&self.b, yn);
            term(&self.c, "");
        }
        if out.is_empty() {
            "0".to_string()
        } else {
            out
        }
    }
}

/// Twice the signed area of the triangle (a, b, c): positive when counter-clockwise.
pub fn cross(a: &Pt, b: &Pt, c: &Pt) -> Q {
    (&b.x - &a.x) * (&c.y - &a.y) - (&b.y - &a.y) * (&c.x - &a.x)
}

/// Signed area of a polygon (shoelace), positive for counter-clockwise vertex order.
pub fn area(poly: &[Pt]) -> Q {
    let n = poly.len();
    let mut twice = Q::zero();
    for i in 0..n {
        let (p, q) = (&poly[i], &poly[(i + 1) % n]);
        twice += &p.x * &q.y - &q.x * &p.y;
    }
    twice / Q::from_integer(2.into())
}

/// The average of the vertices (an interior point of a convex polygon with nonzero area).
pub fn vertex_mean(poly: &[Pt]) -> Pt {
    let n = Q::from_integer(poly.len().max(1).into());
    let sx = poly.iter().fold(Q::zero(), |s, p| s + &p.x);
    let sy = poly.iter().fold(Q::zero(), |s, p| s + &p.y);
    Pt::new(sx / &n, sy / &n)
}

/// The area centroid of a polygon with nonzero area (the standard shoelace formula).
pub fn centroid(poly: &[Pt]) -> Pt {
    let n = poly.len();
    let a6 = area(poly) * Q::from_integer(6.into());
    if a6.is_zero() {
        return vertex_mean(poly);
    }
    let (mut cx, mut cy) = (Q::zero(), Q::zero());
    for i in 0..n {
        let (p, q) = (&poly[i], &poly[(i + 1) % n]);
        let w = &p.x * &q.y - &q.x * &p.y;
        cx += (&p.x + &q.x) * &w;
        cy += (&p.y + &q.y) * &w;
    }
    Pt::new(cx / &a6, cy / &a6)
}

/// Split a convex polygon (counter-clockwise) by the line f = 0 into its parts with f <= 0 and
/// f >= 0. A part with zero area is returned as None. Vertices where f changes sign strictly
/// along an edge get the exact intersection point, shared by both parts.
pub fn split(poly: &[Pt], f: &Affine) -> (Option<Vec<Pt>>, Option<Vec<Pt>>) {
    let vals: Vec<Q> = poly.iter().map(|p| f.eval(p)).collect();
    let mut neg = Vec::new();
    let mut pos = Vec::new();
    let n = poly.len();
    for i in 0..n {
        let j = (i + 1) % n;
        let (vi, vj) = (&vals[i], &vals[j]);
        if !vi.is_positive() {
            neg.push(poly[i].clone());
        }
        if !vi.is_negative() {
            pos.push(poly[i].clone());
        }
        if (vi.is_negative() && vj.is_positive()) || (vi.is_positive() && vj.is_negative()) {
            let t = vi / (vi - vj);
            let x = poly[i].lerp(&poly[j], &t);
            neg.push(x.clone());
            pos.push(x);
        }
    }
    let keep = |p: Vec<Pt>| {
        if p.len() >= 3 && !area(&p).is_zero() {
            Some(p)
        } else {
            None
        }
    };
    (keep(neg), keep(pos))
}

/// The cells of the arrangement of `lines` (affine forms, each vanishing on one line) inside the
/// convex polygon `outer`: convex counter-clockwise polygons on whose interiors every form has a
/// constant nonzero sign, tiling `outer`.
pub fn arrangement(outer: &[Pt], lines: &[Affine]) -> Vec<Vec<Pt>> {
    let mut cells = vec![outer.to_vec()];
    for f in lines {
        let mut next = Vec::with_capacity(cells.len() * 2);
        for c in cells {
            let (a, b) = split(&c, f);
            next.extend(a);
            next.extend(b);
        }
        cells = next;
    }
    cells
}

/// Convex hull (counter-clockwise, no collinear vertices) of a point set, by Andrew's monotone
/// chain. Fewer than three distinct non-collinear points give the extreme points only.
pub fn convex_hull(points: &[Pt]) -> Vec<Pt> {
    let mut pts: Vec<Pt> = points.to_vec();
    pts.sort();
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let mut lower: Vec<Pt> = Vec::new();
    for p in &pts {
        while lower.len() >= 2
            && !cross(&lower[lower.len() - 2], &lower[lower.len() - 1], p).is_positive()
        {
            lower.pop();
        }
        lower.push(p.clone());
    }
    let mut upper: Vec<Pt> = Vec::new();
    for p in pts.iter().rev() {
        while upper.len() >= 2
            && !cross(&upper[upper.len() - 2], &upper[upper.len() - 1], p).is_positive()
        {
            upper.pop();
        }
        upper.push(p.clone());
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

/// True when every point lies on one line.
pub fn collinear(points: &[Pt]) -> bool {
    let Some(a) = points.first() else {
        return true;
    };
    let Some(b) = points.iter().find(|p| *p != a) else {
        return true;
    };
    points.iter().all(|c| cross(a, b, c).is_zero())
}

/// Where a point lies relative to a convex counter-clockwise polygon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// Strictly inside.
    Inside,
    /// On an edge or a vertex.
    Boundary,
    /// Outside.
    Outside,
}

/// Locate a point relative to a convex counter-clockwise polygon, exactly.
pub fn locate(poly: &[Pt], p: &Pt) -> Location {
    let n = poly.len();
    let mut on_edge = false;
    for i in 0..n {
        match cross(&poly[i], &poly[(i + 1) % n], p).cmp(&Q::zero()) {
            Ordering::Less => return Location::Outside,
            Ordering::Equal => on_edge = true,
            Ordering::Greater => {}
        }
    }
    if on_edge {
        Location::Boundary
    } else {
        Location::Inside
    }
}

/// True when p lies on the closed segment [a, b].
pub fn on_segment(a: &Pt, b: &Pt, p: &Pt) -> bool {
    cross(a, b, p).is_zero()
        && p.x >= a.x.clone().min(b.x.clone())
        && p.x <= a.x.clone().max(b.x.clone())
        && p.y >= a.y.clone().min(b.y.clone())
        && p.y <= a.y.clone().max(b.y.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poly::frac;

    fn pt(x: i64, y: i64) -> Pt {
        Pt::new(frac(x, 1), frac(y, 1))
    }

    fn unit_box() -> Vec<Pt> {
        vec![pt(0, 0), pt(2, 0), pt(2, 2), pt(0, 2)]
    }

    #[test]
    fn splitting_and_areas() {
        let b = unit_box();
        assert_eq!(area(&b), frac(4, 1));
        // x + y - 1 = 0 cuts off the corner triangle of area 1/2.
        let f = Affine::new(frac(-1, 1), frac(1, 1), frac(1, 1));
        let (n, p) = split(&b, &f);
        assert_eq!(area(&n.unwrap()), frac(1, 2));
        assert_eq!(area(&p.unwrap()), frac(7, 2));
        // A line through a vertex only: nothing on one side.
        let g = Affine::new(Q::zero(), frac(1, 1), frac(1, 1));
        let (n, p) = split(&b, &g);
        assert!(n.is_none() && p.is_some());
        let cells = arrangement(
            &b,
            &[f, Affine::x(frac(1, 1)).add(&Affine::constant(frac(-1, 1)))],
        );
        assert_eq!(cells.len(), 3); // x = 1 misses the corner triangle (it touches (1, 0))
        assert_eq!(cells.iter().map(|c| area(c)).sum::<Q>(), frac(4, 1));
        assert!(cells.iter().all(|c| area(c).is_positive()));
    }

    #[test]
    fn hull_interpolation_location() {
        let h = convex_hull(&[pt(0, 0), pt(1, 0), pt(2, 0), pt(1, 1), pt(0, 1), pt(1, 0)]);
        assert_eq!(h, vec![pt(0, 0), pt(2, 0), pt(1, 1), pt(0, 1)]);
        let f = Affine::new(frac(1, 2), frac(-3, 1), frac(2, 7));
        let (a, b, c) = (pt(0, 0), pt(3, 1), pt(-1, 5));
        let g = Affine::interpolate([&a, &b, &c], [&f.eval(&a), &f.eval(&b), &f.eval(&c)]);
        assert_eq!(g, Some(f.clone()));
        assert!(Affine::interpolate([&a, &pt(1, 1), &pt(2, 2)], [&a.x, &a.x, &a.x]).is_none());
        assert_eq!(locate(&h, &pt(1, 0)), Location::Boundary);
        assert_eq!(
            locate(&h, &Pt::new(frac(1, 2), frac(1, 2))),
            Location::Inside
        );
        assert_eq!(locate(&h, &pt(2, 1)), Location::Outside);
        assert_eq!(f.render("x", "y"), "1/2 - 3 x + 2/7 y");
        assert_eq!(
            Affine::new(frac(-1, 1), frac(1, 1), Q::zero()).render("x", "y"),
            "x - 1"
        );
        assert_eq!(
            Affine::new(frac(1, 1), Q::zero(), frac(-2, 1)).render("x", "y"),
            "1 - 2 y"
        );
        assert_eq!(Affine::constant(Q::zero()).render("x", "y"), "0");
        assert_eq!(centroid(&unit_box()), pt(1, 1));
        assert!(collinear(&[pt(0, 0), pt(1, 1), pt(3, 3)]));
        assert!(on_segment(&pt(0, 0), &pt(2, 2), &pt(1, 1)));
        assert!(!on_segment(&pt(0, 0), &pt(2, 2), &pt(3, 3)));
    }
}
