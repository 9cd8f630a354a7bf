//! A spec at a concrete n: the finite model to simulate.
//!
//! `Spec::instance(n)` evaluates `p = c_p n^a_p`, `H`, `N` and `sigma2` at n and rounds the
//! three dimensions by one rule ([`round_dimension`]): to the nearest integer, refused when the
//! value is below 1/2 or above [`MAX_DIMENSION`] (not a usable dimension), and noted when it was
//! not already an integer. The ratios of the rounded model, `r = H/p`, `q = sigma2 p`,
//! `y = p/N` (0 for N = infinity), are what every normalization uses.

use super::{DataSize, Spec};
use crate::regimes::Ratios;
use crate::sim::SimParams;
use serde::Serialize;

/// Largest dimension an instance may have.
pub const MAX_DIMENSION: f64 = 1e9;

/// Relative tolerance under which a value counts as already integral (no rounding note).
const INTEGRAL_TOL: f64 = 1e-9;

/// Errors of [`Spec::instance`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InstanceError {
    /// n itself is unusable.
    #[error("n = {0} is not usable: n must be a finite number >= 1")]
    BadN(f64),
    /// A dimension evaluates outside [1/2, MAX_DIMENSION].
    #[error("{name} = {value} at n = {n} is not a usable dimension (need 1 <= {name} <= 1e9); choose another n")]
    NotADimension {
        /// `p`, `H` or `N`.
        name: &'static str,
        /// Its value at n.
        value: f64,
        /// The n.
        n: f64,
    },
    /// sigma2 evaluates to a non-positive or non-finite value.
    #[error("sigma2 = {value} at n = {n} is not a usable variance")]
    BadVariance {
        /// Its value at n.
        value: f64,
        /// The n.
        n: f64,
    },
}

/// The finite model of a spec at one n.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Instance {
    /// The n.
    pub n: f64,
    /// Input dimension, rounded.
    pub p: usize,
    /// Latent dimension, rounded.
    #[serde(rename = "H")]
    pub h: usize,
    /// Training-set size, rounded (`None`: N = infinity).
    #[serde(rename = "N")]
    pub n_data: Option<usize>,
    /// Initialization variance.
    pub sigma2: f64,
    /// One note per dimension that was not an integer, e.g. `H = 12.5 rounded to 13`.
    pub rounding: Vec<String>,
}

/// The one rounding rule for dimensions: nearest integer; an error outside
/// `[1/2, MAX_DIMENSION]`; a note in `notes` when `x` was not already an integer.
pub fn round_dimension(
    name: &'static str,
    x: f64,
    n: f64,
    notes: &mut Vec<String>,
) -> Result<usize, InstanceError> {
    if !(0.5..=MAX_DIMENSION).contains(&x) {
        return Err(InstanceError::NotADimension { name, value: x, n });
    }
    let r = x.round();
    if (r - x).abs() > INTEGRAL_TOL * x.max(1.0) {
        notes.push(format!("{name} = {x} rounded to {r}"));
    }
    Ok(r as usize)
}

impl Spec {
    /// The finite model at `n` (see the module docs for the rounding rule).
    pub fn instance(&self, n: f64) -> Result<Instance, InstanceError> {
        if !(n.is_finite() && n >= 1.0) {
            return Err(InstanceError::BadN(n));
        }
        let mut rounding = Vec::new();
        let p = round_dimension("p", self.p.at(n), n, &mut rounding)?;
        let h = round_dimension("H", self.h.at(n), n, &mut rounding)?;
        let n_data = match &self.n_data {
            DataSize::Finite(s) => Some(round_dimension("N", s.at(n), n, &mut rounding)?),
            DataSize::Infinite => None,
        };
        let sigma2 = self.sigma2.at(n);
        if !(sigma2.is_finite() && sigma2 > 0.0) {
            return Err(InstanceError::BadVariance { value: sigma2, n });
        }
        Ok(Instance {
            n,
            p,
            h,
            n_data,
            sigma2,
            rounding,
        })
    }
}

impl Instance {
    /// The ratios of the rounded model: `r = H/p`, `q = sigma2 p`, `y = p/N` (0 for N = inf).
    pub fn ratios(&self) -> Ratios {
        Ratios {
            r: self.h as f64 / self.p as f64,
            q: self.sigma2 * self.p as f64,
            y: self.n_data.map_or(0.0, |nd| self.p as f64 / nd as f64),
        }
    }

    /// Simulation parameters of this model up to raw time `t_max` (other settings default).
    pub fn sim_params(&self, t_max: f64) -> SimParams {
        SimParams::new(self.p, self.h, self.sigma2, t_max).with_n(self.n_data)
    }

    /// `E l(0)` of this model, exactly ([`crate::stats::exact_initial_loss`]).
    pub fn initial_loss(&self) -> f64 {
        crate::stats::exact_initial_loss(self.p, self.h, self.sigma2)
    }

    /// Whether any dimension was rounded.
    pub fn was_rounded(&self) -> bool {
        !self.rounding.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rounding_rule() {
        let spec = Spec::parse("p = n; H = 0.3 n; sigma2 = n^-1; N = 2 n").unwrap();
        let i = spec.instance(10.0).unwrap();
        assert_eq!((i.p, i.h, i.n_data), (10, 3, Some(20)));
        assert!(!i.was_rounded());
        let i = spec.instance(15.0).unwrap();
        assert_eq!(i.h, 5); // 4.5 rounds away from zero
        assert_eq!(i.rounding, vec!["H = 4.5 rounded to 5".to_string()]);
        let x = i.ratios();
        assert_eq!((x.r, x.q, x.y), (5.0 / 15.0, 1.0, 0.5));
        assert_eq!(i.sim_params(2.0).n, Some(30));
        // Too small a dimension is refused, not clamped.
        let spec = Spec::parse("p = n; H = 0.01 n; sigma2 = n^-1").unwrap();
        assert!(matches!(
            spec.instance(10.0),
            Err(InstanceError::NotADimension { name: "H", .. })
        ));
        assert!(spec.instance(f64::NAN).is_err());
        assert_eq!(spec.instance(100.0).unwrap().n_data, None);
    }
}
