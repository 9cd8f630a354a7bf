//! The regime palette: one fill colour per face of the prism, derived from its two parts.
//!
//! A face is `F_I x F_T` (THEORY section 4). The hue comes from the T part, from a
//! colour-blind-safe set (Okabe and Ito): the three vertices of T get the three primaries of the
//! set (V_lin sky blue, V_nf bluish green, V_mff orange), each edge of T a hue of its own
//! (narrow-latent blue, mean-field reddish purple, free yellow) and the whole triangle grey. The
//! I part sets the tint: large-data (alpha -> inf) is the lightest, finite alpha the middle and
//! small-data (alpha -> 0) the deepest, so the two data sides of a map read as light and dark
//! versions of the same regimes. Any drawing of the regimes should take its colours from here.

use crate::regimes::{DataPart, LatentPart, Regime};

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Mix with white: `w` = 0 keeps the colour, 1 gives white.
    pub fn tint(self, w: f64) -> Rgb {
        let m = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * w).round() as u8;
        Rgb(m(self.0), m(self.1), m(self.2))
    }
}

/// The hue of a part of T.
pub fn latent_hue(l: LatentPart) -> Rgb {
    match l {
        LatentPart::Linear => Rgb(86, 180, 233),
        LatentPart::NarrowFree => Rgb(0, 158, 115),
        LatentPart::MeanFieldFree => Rgb(230, 159, 0),
        LatentPart::NarrowLatent => Rgb(0, 114, 178),
        LatentPart::MeanField => Rgb(204, 121, 167),
        LatentPart::Free => Rgb(240, 228, 66),
        LatentPart::Whole => Rgb(150, 150, 150),
    }
}

/// How much white is mixed into the hue for each part of I.
pub fn data_tint(d: DataPart) -> f64 {
    match d {
        DataPart::Large => 0.68,
        DataPart::Finite => 0.42,
        DataPart::Small => 0.16,
    }
}

/// The fill colour of a regime.
pub fn regime_fill(r: Regime) -> Rgb {
    let (d, l) = r.parts();
    latent_hue(l).tint(data_tint(d))
}

/// The fill colour of a face; light grey for None (an inadmissible part of a map).
pub fn fill(regime: Option<Regime>) -> Rgb {
    regime.map_or(Rgb(236, 236, 236), regime_fill)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_21_faces_have_21_colours() {
        let mut seen: Vec<Rgb> = Regime::ALL.iter().map(|r| regime_fill(*r)).collect();
        seen.sort_by_key(|c| (c.0, c.1, c.2));
        seen.dedup();
        assert_eq!(seen.len(), 21);
        assert_eq!(Rgb(0, 0, 0).tint(1.0), Rgb(255, 255, 255));
        assert_eq!(fill(Some(Regime::Free)), regime_fill(Regime::Free));
        assert_eq!(Rgb(0, 114, 178).hex(), "#0072b2");
    }
}
