//! The whole normal fan of the prism on one picture.
//!
//! The face selected by a direction u depends only on the ray through u (faces are cones), so
//! the sphere of directions is seen whole in three planes of (u_r, u_q):
//!
//! * `u_l = -1`: the open lower hemisphere (alpha -> infinity) in gnomonic projection, the pole
//!   `u = (0, 0, -1)` at the origin;
//! * `u_l = 0`: the equator plane (alpha finite); the rays of the plane are the directions of
//!   the equator, and the origin is `u = 0` itself (the interior of the prism);
//! * `u_l = +1`: the open upper hemisphere (alpha -> 0).
//!
//! Each panel is a phase map computed by [`super::compute`] on the slice
//! `p = n, H = n^(1 + u_r), sigma2 = n^(u_q - 1), N = n^(1 - u_l)` (so that u is exactly
//! (u_r, u_q, u_l)) over the box `[-1, 1]^2`. Since every wall of the fan contains the u_l axis,
//! the box shows every cone of every panel: 7 faces per panel, all 21 faces once.

use super::plane::{Affine, Q};
use super::{compute, AxisInfo, MapError, PhaseMap, Slice, SliceParam};
use crate::polytope::FittedPrism;
use num_traits::One;

/// One panel: the plane u_l = const.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FanPanel {
    /// The value of u_l (-1, 0 or 1).
    pub u_l: i64,
    /// Panel title, e.g. `alpha -> inf  (u_l < 0)`.
    pub title: String,
    /// What the panel shows.
    pub subtitle: String,
    /// The map in coordinates (u_r, u_q).
    pub map: PhaseMap,
}

/// The normal fan: three panels.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NormalFan {
    /// How to read the picture.
    pub caption: String,
    /// The panels for u_l = -1, 0, 1.
    pub panels: Vec<FanPanel>,
}

impl NormalFan {
    /// The text report: each panel's title, then its map's report.
    pub fn report(&self) -> String {
        self.panels
            .iter()
            .map(|p| format!("== {}\n{}", p.title, p.map.report()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Compute the normal fan of the fitted prism as three exact phase maps.
pub fn normal_fan(prism: &FittedPrism) -> Result<NormalFan, MapError> {
    let one = Q::one();
    let unit = |e: Affine| SliceParam {
        prefactor: one.clone(),
        exponent: e,
    };
    let mut panels = Vec::new();
    for (u_l, title, subtitle) in [
        (
            -1i64,
            "α → ∞   (u_l < 0)",
            "lower hemisphere, gnomonic: u_l = −1",
        ),
        (
            0,
            "α finite   (u_l = 0)",
            "equator plane u_l = 0; origin: u = 0",
        ),
        (
            1,
            "α → 0   (u_l > 0)",
            "upper hemisphere, gnomonic: u_l = +1",
        ),
    ] {
        let slice = Slice {
            p: unit(Affine::constant(one.clone())),
            h: unit(Affine::x(one.clone()).add(&Affine::constant(one.clone()))),
            sigma2: unit(Affine::y(one.clone()).sub(&Affine::constant(one.clone()))),
            sigma_given: false,
            n_data: Some(unit(Affine::constant(Q::from_integer((1 - u_l).into())))),
            n_defaulted: false,
        };
        let axis = |name: &str, meaning: &str| AxisInfo {
            param: name.to_string(),
            from: -one.clone(),
            to: one.clone(),
            label: meaning.to_string(),
        };
        let map = compute(
            &slice,
            axis("u_r", "u_r = log r / log n = a_H - a_p"),
            axis("u_q", "u_q = log q / log n = a_sigma2 + a_p"),
            format!("u_l = {u_l}"),
            prism,
        )?;
        panels.push(FanPanel {
            u_l,
            title: title.to_string(),
            subtitle: subtitle.to_string(),
            map,
        });
    }
    Ok(NormalFan {
        caption: "Faces are cones, so three planes show every direction: u_l = ±1 the two open hemispheres (α → ∞, α → 0), u_l = 0 the equator plane with u = 0 at its origin. Each of the 21 faces appears once.".to_string(),
        panels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fan_shows_all_21_faces_once() {
        let prism =
            FittedPrism::from_hierarchy(&crate::polytope::Hierarchy::from_support_law(4)).unwrap();
        let fan = normal_fan(&prism).unwrap();
        let mut faces: Vec<String> = Vec::new();
        for p in &fan.panels {
            assert_eq!(p.map.regions.len(), 3);
            assert_eq!(p.map.segments.len(), 3);
            assert_eq!(p.map.points.len(), 1);
            faces.extend(p.map.regions.iter().map(|r| r.face.clone()));
            faces.extend(p.map.segments.iter().map(|r| r.face.clone()));
            faces.extend(p.map.points.iter().map(|r| r.face.clone()));
        }
        let n = faces.len();
        faces.sort();
        faces.dedup();
        assert_eq!((n, faces.len()), (21, 21));
        assert!(faces.contains(&"proportional".to_string()));
    }
}
