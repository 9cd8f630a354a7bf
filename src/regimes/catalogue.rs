//! The catalogue of the 21 faces of the prism `P = T x I` (THEORY section 4): their names,
//! labels, (data, latent) parts, dimensions and containment. No dependencies: the classifier,
//! the spec parser and every front can name a face without pulling in the limits.
//!
//! A face is the product of a part of the interval `I` ([`DataPart`]: alpha finite, alpha -> inf,
//! alpha -> 0) and a part of the triangle `T` ([`LatentPart`]); everything structural here is
//! derived from that pair. The face's limit content (curve, series, texts) lives in
//! [`super::faces`].

use serde::{Deserialize, Serialize};

/// A face name that is none of the 21.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown face `{0}` (expected one of: {names})", names = Regime::ALL.iter().map(|r| r.name()).collect::<Vec<_>>().join(", "))]
pub struct UnknownFace(pub String);

/// What happens to alpha = N/p on a face.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum DataPart {
    /// alpha finite: the whole interval I (`l` free).
    Finite,
    /// alpha -> infinity: `I`'s end `{0}` (only `l = 0` survives).
    Large,
    /// alpha -> 0: `I`'s end `{1}` (`l = s` train, `l = s - 1` pop).
    Small,
}

/// The part of the triangle `T = conv{(0,0), (0,1), (1,1)}` (coordinates k' for r, j' for q).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum LatentPart {
    /// All of T: r and q finite.
    Whole,
    /// Edge `k' = 0` (narrow-latent): r -> 0.
    NarrowLatent,
    /// Edge `k' = j'` (mean-field): r -> inf, q -> 0, c = q r finite.
    MeanField,
    /// Edge `j' = 1` (free): q -> inf.
    Free,
    /// Vertex (0,0) (narrow-latent and mean-field): the linear small-initialization regime.
    Linear,
    /// Vertex (0,1) (narrow-latent and free).
    NarrowFree,
    /// Vertex (1,1) (mean-field and free).
    MeanFieldFree,
}

/// The 21 faces of the prism (5 faces, 9 edges, 6 vertices, the interior).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Regime {
    /// Interior: r, q, alpha finite.
    Proportional,
    /// F1: alpha -> inf.
    LargeData,
    /// F2: r -> inf, q = c/r.
    MeanField,
    /// F3: r -> 0.
    NarrowLatent,
    /// F4: q -> inf.
    Free,
    /// F5: alpha -> 0.
    SmallData,
    /// E1.
    LargeNarrow,
    /// E2.
    LargeMeanField,
    /// E3.
    LargeFree,
    /// E4.
    SmallNarrow,
    /// E5.
    SmallMeanField,
    /// E6.
    SmallFree,
    /// E7 (linear small initialization).
    NarrowMeanField,
    /// E8.
    NarrowFree,
    /// E9.
    MeanFieldFree,
    /// Vertex V_lin x {0}.
    LargeNarrowMeanField,
    /// Vertex V_nf x {0}.
    LargeNarrowFree,
    /// Vertex V_mff x {0}.
    LargeMeanFieldFree,
    /// Vertex V_lin x {1}.
    SmallNarrowMeanField,
    /// Vertex V_nf x {1}.
    SmallNarrowFree,
    /// Vertex V_mff x {1}.
    SmallMeanFieldFree,
}

impl From<Regime> for String {
    fn from(r: Regime) -> String {
        r.name().to_string()
    }
}

impl std::fmt::Display for Regime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A finite constant of a face.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ConstName {
    /// q = sigma2 p.
    Q,
    /// r = H / p.
    R,
    /// c = q r = sigma2 H.
    C,
    /// y = 1/alpha = p / N.
    Y,
}

impl ConstName {
    /// `"q"`, `"r"`, `"c"` or `"y"`.
    pub fn name(self) -> &'static str {
        match self {
            ConstName::Q => "q",
            ConstName::R => "r",
            ConstName::C => "c",
            ConstName::Y => "y",
        }
    }
}

impl Regime {
    /// All 21, in the order: interior, 2-faces F1..F5, edges E1..E9, vertices.
    pub const ALL: [Regime; 21] = [
        Regime::Proportional,
        Regime::LargeData,
        Regime::MeanField,
        Regime::NarrowLatent,
        Regime::Free,
        Regime::SmallData,
        Regime::LargeNarrow,
        Regime::LargeMeanField,
        Regime::LargeFree,
        Regime::SmallNarrow,
        Regime::SmallMeanField,
        Regime::SmallFree,
        Regime::NarrowMeanField,
        Regime::NarrowFree,
        Regime::MeanFieldFree,
        Regime::LargeNarrowMeanField,
        Regime::LargeNarrowFree,
        Regime::LargeMeanFieldFree,
        Regime::SmallNarrowMeanField,
        Regime::SmallNarrowFree,
        Regime::SmallMeanFieldFree,
    ];

    /// The name used by the classifier (COMMON.md), e.g. `large-data+mean-field`.
    pub fn name(self) -> &'static str {
        use Regime::*;
        match self {
            Proportional => "proportional",
            LargeData => "large-data",
            MeanField => "mean-field",
            NarrowLatent => "narrow-latent",
            Free => "free",
            SmallData => "small-data",
            LargeNarrow => "large-data+narrow-latent",
            LargeMeanField => "large-data+mean-field",
            LargeFree => "large-data+free",
            SmallNarrow => "small-data+narrow-latent",
            SmallMeanField => "small-data+mean-field",
            SmallFree => "small-data+free",
            NarrowMeanField => "narrow-latent+mean-field",
            NarrowFree => "narrow-latent+free",
            MeanFieldFree => "mean-field+free",
            LargeNarrowMeanField => "large-data+narrow-latent+mean-field",
            LargeNarrowFree => "large-data+narrow-latent+free",
            LargeMeanFieldFree => "large-data+mean-field+free",
            SmallNarrowMeanField => "small-data+narrow-latent+mean-field",
            SmallNarrowFree => "small-data+narrow-latent+free",
            SmallMeanFieldFree => "small-data+mean-field+free",
        }
    }

    /// The face cut out by the given 2-faces (the facets containing it), if they meet in a
    /// face; no 2-face gives the interior. Order and repetition do not matter.
    pub fn from_two_faces(two: &[Regime]) -> Option<Regime> {
        if two.iter().any(|f| f.dim() != 2) {
            return None;
        }
        let mut want: Vec<Regime> = two.to_vec();
        want.sort();
        want.dedup();
        Regime::ALL.iter().copied().find(|r| {
            let mut have = r.two_faces();
            have.sort();
            have == want
        })
    }

    /// Canonical order for tables: by the 2-faces containing the face, in the naming order
    /// large-data, small-data, narrow-latent, mean-field, free (the interior first).
    pub fn sort_key(self) -> Vec<usize> {
        const ORDER: [Regime; 5] = [
            Regime::LargeData,
            Regime::SmallData,
            Regime::NarrowLatent,
            Regime::MeanField,
            Regime::Free,
        ];
        self.two_faces()
            .iter()
            .map(|f| ORDER.iter().position(|o| o == f).unwrap_or(ORDER.len()))
            .collect()
    }

    /// Short label: F1..F5, E1..E9 (THEORY 5.1), V1..V6 (in the order of [`Regime::ALL`]),
    /// `interior`.
    pub fn label(self) -> &'static str {
        use Regime::*;
        match self {
            Proportional => "interior",
            LargeData => "F1",
            MeanField => "F2",
            NarrowLatent => "F3",
            Free => "F4",
            SmallData => "F5",
            LargeNarrow => "E1",
            LargeMeanField => "E2",
            LargeFree => "E3",
            SmallNarrow => "E4",
            SmallMeanField => "E5",
            SmallFree => "E6",
            NarrowMeanField => "E7",
            NarrowFree => "E8",
            MeanFieldFree => "E9",
            LargeNarrowMeanField => "V1",
            LargeNarrowFree => "V2",
            LargeMeanFieldFree => "V3",
            SmallNarrowMeanField => "V4",
            SmallNarrowFree => "V5",
            SmallMeanFieldFree => "V6",
        }
    }

    /// The (data, latent) decomposition `F_I x F_T`.
    pub fn parts(self) -> (DataPart, LatentPart) {
        use DataPart as D;
        use LatentPart as L;
        use Regime::*;
        match self {
            Proportional => (D::Finite, L::Whole),
            LargeData => (D::Large, L::Whole),
            MeanField => (D::Finite, L::MeanField),
            NarrowLatent => (D::Finite, L::NarrowLatent),
            Free => (D::Finite, L::Free),
            SmallData => (D::Small, L::Whole),
            LargeNarrow => (D::Large, L::NarrowLatent),
            LargeMeanField => (D::Large, L::MeanField),
            LargeFree => (D::Large, L::Free),
            SmallNarrow => (D::Small, L::NarrowLatent),
            SmallMeanField => (D::Small, L::MeanField),
            SmallFree => (D::Small, L::Free),
            NarrowMeanField => (D::Finite, L::Linear),
            NarrowFree => (D::Finite, L::NarrowFree),
            MeanFieldFree => (D::Finite, L::MeanFieldFree),
            LargeNarrowMeanField => (D::Large, L::Linear),
            LargeNarrowFree => (D::Large, L::NarrowFree),
            LargeMeanFieldFree => (D::Large, L::MeanFieldFree),
            SmallNarrowMeanField => (D::Small, L::Linear),
            SmallNarrowFree => (D::Small, L::NarrowFree),
            SmallMeanFieldFree => (D::Small, L::MeanFieldFree),
        }
    }

    /// The regime with the given parts.
    pub fn from_parts(d: DataPart, l: LatentPart) -> Regime {
        *Regime::ALL
            .iter()
            .find(|r| r.parts() == (d, l))
            .expect("every pair of parts is a regime")
    }

    /// Dimension of the face (0..3).
    pub fn dim(self) -> u32 {
        let (d, l) = self.parts();
        let dd = if d == DataPart::Finite { 1 } else { 0 };
        let ll = match l {
            LatentPart::Whole => 2,
            LatentPart::NarrowLatent | LatentPart::MeanField | LatentPart::Free => 1,
            _ => 0,
        };
        dd + ll
    }

    /// The 2-faces containing this face (for a 2-face, itself; for the interior, none).
    pub fn two_faces(self) -> Vec<Regime> {
        if self.dim() == 3 {
            return vec![];
        }
        if self.dim() == 2 {
            return vec![self];
        }
        let (d, l) = self.parts();
        let mut out = Vec::new();
        match d {
            DataPart::Large => out.push(Regime::LargeData),
            DataPart::Small => out.push(Regime::SmallData),
            DataPart::Finite => {}
        }
        use LatentPart as L;
        match l {
            L::NarrowLatent => out.push(Regime::NarrowLatent),
            L::MeanField => out.push(Regime::MeanField),
            L::Free => out.push(Regime::Free),
            L::Linear => out.extend([Regime::NarrowLatent, Regime::MeanField]),
            L::NarrowFree => out.extend([Regime::NarrowLatent, Regime::Free]),
            L::MeanFieldFree => out.extend([Regime::MeanField, Regime::Free]),
            L::Whole => {}
        }
        out
    }

    /// The faces of one dimension more that contain this one (a vertex's three edges, an edge's
    /// two 2-faces, a 2-face's interior).
    pub fn parents(self) -> Vec<Regime> {
        Regime::ALL
            .iter()
            .copied()
            .filter(|p| p.dim() == self.dim() + 1 && p.contains(self))
            .collect()
    }

    /// Whether `other` is a face of `self` (each part of `other` lies in the part of `self`).
    pub fn contains(self, other: Regime) -> bool {
        let (d1, l1) = self.parts();
        let (d2, l2) = other.parts();
        let d_ok = d1 == DataPart::Finite || d1 == d2;
        use LatentPart as L;
        let l_ok = match l1 {
            L::Whole => true,
            L::NarrowLatent => matches!(l2, L::NarrowLatent | L::Linear | L::NarrowFree),
            L::MeanField => matches!(l2, L::MeanField | L::Linear | L::MeanFieldFree),
            L::Free => matches!(l2, L::Free | L::NarrowFree | L::MeanFieldFree),
            other1 => other1 == l2,
        };
        d_ok && l_ok
    }

    /// The finite constants of the limit, in the order used by its polynomials (q, r, c, y).
    pub fn constants(self) -> Vec<ConstName> {
        let (d, l) = self.parts();
        let mut v = Vec::new();
        if matches!(l, LatentPart::Whole | LatentPart::NarrowLatent) {
            v.push(ConstName::Q);
        }
        if matches!(l, LatentPart::Whole | LatentPart::Free) {
            v.push(ConstName::R);
        }
        if l == LatentPart::MeanField {
            v.push(ConstName::C);
        }
        if d == DataPart::Finite {
            v.push(ConstName::Y);
        }
        v
    }

    /// Names of [`Regime::constants`].
    pub fn constant_names(self) -> Vec<&'static str> {
        self.constants().into_iter().map(|c| c.name()).collect()
    }
}

impl std::str::FromStr for Regime {
    type Err = UnknownFace;

    /// Parse a face name: the classifier's names (`large-data+mean-field`), the 2-faces
    /// containing the face joined by `+` in any order, the labels F1..F5, E1..E9, V1..V6, or
    /// `proportional` / `interior`. The one place a face name is read (spec files, flags, the
    /// Python package all call it through `str::parse`).
    fn from_str(s: &str) -> Result<Regime, UnknownFace> {
        let t = s.trim();
        if let Some(r) = Regime::ALL
            .iter()
            .copied()
            .find(|r| r.name() == t || r.label().eq_ignore_ascii_case(t))
        {
            return Ok(r);
        }
        let parts: Option<Vec<Regime>> = t
            .split('+')
            .map(|p| {
                Regime::ALL
                    .iter()
                    .copied()
                    .find(|r| r.dim() == 2 && r.name() == p.trim())
            })
            .collect();
        parts
            .and_then(|p| Regime::from_two_faces(&p))
            .ok_or_else(|| UnknownFace(t.to_string()))
    }
}

impl TryFrom<String> for Regime {
    type Error = UnknownFace;
    fn try_from(s: String) -> Result<Regime, UnknownFace> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_structure() {
        for r in Regime::ALL {
            assert_eq!(r.name().parse::<Regime>().unwrap(), r);
            assert_eq!(r.label().parse::<Regime>().unwrap(), r);
            assert_eq!(Regime::from_parts(r.parts().0, r.parts().1), r);
        }
        assert!("nope".parse::<Regime>().is_err());
        let dims: Vec<u32> = Regime::ALL.iter().map(|r| r.dim()).collect();
        assert_eq!(dims.iter().filter(|&&d| d == 2).count(), 5);
        assert_eq!(dims.iter().filter(|&&d| d == 1).count(), 9);
        assert_eq!(dims.iter().filter(|&&d| d == 0).count(), 6);
        // Names follow the rule: the 2-faces containing the face, joined with '+'.
        for r in Regime::ALL.iter().filter(|r| r.dim() < 2) {
            let joined: Vec<&str> = r.two_faces().iter().map(|f| f.name()).collect();
            assert_eq!(joined.join("+"), r.name());
        }
        for r in Regime::ALL.iter().filter(|r| r.dim() == 0) {
            assert_eq!(r.parents().len(), 3, "{r}");
        }
        for r in Regime::ALL.iter().filter(|r| r.dim() == 1) {
            assert_eq!(r.parents().len(), 2, "{r}");
        }
    }

    #[test]
    fn names_parse_in_any_order_and_serialize_as_names() {
        assert_eq!("free+large-data".parse::<Regime>(), Ok(Regime::LargeFree));
        assert_eq!(" E4 ".parse::<Regime>(), Ok(Regime::SmallNarrow));
        assert_eq!("interior".parse::<Regime>(), Ok(Regime::Proportional));
        assert!("large-data+small-data".parse::<Regime>().is_err());
        assert!("large-data+".parse::<Regime>().is_err());
        assert_eq!(
            Regime::from_two_faces(&[Regime::Free, Regime::MeanField, Regime::Free]),
            Some(Regime::MeanFieldFree)
        );
        assert_eq!(Regime::from_two_faces(&[]), Some(Regime::Proportional));
        assert_eq!(Regime::from_two_faces(&[Regime::LargeFree]), None);
        let json = serde_json::to_string(&Regime::SmallNarrow).unwrap();
        assert_eq!(json, "\"small-data+narrow-latent\"");
        let back: Regime = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Regime::SmallNarrow);
        assert!(serde_json::from_str::<Regime>("\"nope\"").is_err());
        // Table order: by the 2-faces, large-data first.
        let mut v = vec![Regime::SmallData, Regime::Free, Regime::LargeData];
        v.sort_by_key(|r| r.sort_key());
        assert_eq!(v, vec![Regime::LargeData, Regime::SmallData, Regime::Free]);
    }
}
