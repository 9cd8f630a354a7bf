//! Faces of the prism as named regimes: their limiting loss curves and exact limit series.
//!
//! Every face of the prism `P = T x I` (THEORY section 4) is a [`Regime`]: the five 2-faces, the
//! nine edges, the six vertices and the interior (`proportional`). A regime is the product of a
//! data part ([`DataPart`]: alpha finite, alpha -> inf, alpha -> 0) and a part of the triangle `T`
//! ([`LatentPart`]). The names, labels, parts, dimensions and containment of the 21 regimes are
//! the dependency-free [`catalogue`]; what is hand-written about each face (its curve, exact
//! series, texts and particular validity windows) lives in one place per face, [`faces`]
//! (`faces/{interior, large_data, mean_field, narrow_latent, free, small_data, edges,
//! vertices}.rs`, each an `impl Face`). For each regime this module provides
//!
//! * its normalization (THEORY 5.1): the face time `T = t * r^a q^b y^c` and, per loss, the
//!   quantity `(l - [l(0)]) / (r^k q^j y^l)` that has an O(1) limit ([`Normalization`]);
//! * the finite constants the limit depends on ([`ConstName`], [`Constants`]);
//! * the limiting curves in floating point ([`limit_curve`]), from closed forms, quadrature
//!   ([`quad`]) or ODEs ([`ode`]);
//! * the exact Taylor series of the limit in its own time variable ([`limit_series`]), computed
//!   from the limit equations themselves (never from the expansion code);
//! * the restriction of the hierarchy to the face and the exact comparison ([`confirm`]);
//! * words, LaTeX and a derivation sketch ([`text`], reading [`faces::FaceText`]);
//! * the expected finite-size corrections and validity windows ([`Regime::corrections`],
//!   [`Regime::validity`]), derived from the parts.
//!
//! # Using a limit against finite-size data (`prism check`)
//!
//! ```no_run
//! use prism::regimes::{limit_curve, Constants, Loss, Ratios, Regime};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // From a classification: the face name and its finite constants (name, value).
//! let regime = Regime::SmallData;
//! let mut k = Constants::default();
//! k.set("q", 2.0)?;
//! k.set("r", 0.25)?;
//! // A finite-size instance (p, H, sigma2, N) has ratios r = H/p, q = sigma2 p, y = p/N.
//! let x = Ratios { r: 0.25, q: 2.0, y: 1.0 / 0.02 };
//! let norm = regime.normalization(Loss::Train);
//! // Raw times for a grid of face times T (here tau = t/alpha): t = norm.raw_time(T, &x).
//! let face_times = [0.0, 0.5, 1.0];
//! let raw_times: Vec<f64> = face_times.iter().map(|&tt| norm.raw_time(tt, &x)).collect();
//! // ... simulate at raw_times, giving l_tr(t) with l_tr(0) ...
//! # let (l, l0) = (0.3, 0.625);
//! let q_sim = norm.quantity(l, l0, &x); // (l - [l0]) / scale, to compare with the limit
//! let lim = limit_curve(regime, &k, &face_times)?; // lim.train[i], lim.pop[i]
//! // Expected approach: regime.corrections() (e.g. O(alpha) here); compare only inside
//! // regime.validity(&x) (scales in face time).
//! # let _ = (raw_times, q_sim, lim);
//! # Ok(()) }
//! ```
//!
//! [`normalize`] does the two conversions at once. For the free face at finite alpha
//! [`limit_curve`] runs simulations of the reduced flow (seconds to a minute; error bars in
//! `train_err`/`pop_err`); for the interior it returns [`RegimeError::NoClosedForm`] and
//! [`limit_series`] gives the exact leading series instead.
//!
//! Conventions: `y = 1/alpha = p/N`, `c = q r`. Series coefficients are derivatives at 0,
//! `Q(T) = sum_s c_s T^s / s!`, the convention of the expansion hierarchy. For quantities that
//! subtract `l(0)` the s = 0 coefficient is the face part of `l(0)` (THEORY 5.5, "mind the s = 0
//! row"): the r-linear part for narrow-latent, the `r q^2` part for E8, and so on; the population
//! loss on the small-data side has s = 0 coefficient 0.

pub mod catalogue;
pub mod confirm;
pub mod curves;
pub mod exact;
pub mod faces;
pub mod free_words;
pub mod ode;
pub mod quad;
pub mod series;
pub mod small_data;
pub mod spectral;
pub mod text;
pub mod variants;

pub use crate::polytope::Loss;
pub use confirm::{confirm, lift, lift_series, restrict, verify, ConfirmReport, OrderCheck};
pub use curves::{limit_curve, limit_curve_with, CurveMethod, CurveOptions, LimitCurves};
pub use exact::{face_vars, limit_series, LimitSeries};
pub use ode::OdeOptions;

use serde::Serialize;
use thiserror::Error;

/// Errors of the regimes phase.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum RegimeError {
    /// A face name that is not one of the 21 names.
    #[error(transparent)]
    UnknownFace(#[from] UnknownFace),
    /// A finite constant the face needs was not given.
    #[error("face `{face}` needs the constant `{name}`")]
    MissingConstant {
        /// The face.
        face: &'static str,
        /// The missing constant.
        name: &'static str,
    },
    /// A constant outside its domain.
    #[error("constant `{name}` = {value} is not allowed: {reason}")]
    BadConstant {
        /// The constant.
        name: &'static str,
        /// Its value.
        value: f64,
        /// Why.
        reason: &'static str,
    },
    /// Output times must be finite, nonnegative and nondecreasing.
    #[error("times must be finite, nonnegative and nondecreasing")]
    BadTimes,
    /// A quadrature did not converge.
    #[error("quadrature failed: {0}")]
    Quadrature(#[from] quad::QuadError),
    /// An ODE integration failed.
    #[error("ODE integration failed: {0}")]
    Ode(#[from] ode::OdeError),
    /// The truncated Jacobi chain did not converge in its number of sites.
    #[error("the Jacobi chain did not converge: {sites} and {double} sites differ by {difference:e} up to T = {t_max} (limit {max_sites} sites); this corner is open (THEORY 5.3b)")]
    ChainNotConverged {
        /// Sites of the coarser run.
        sites: usize,
        /// Sites of the finer run.
        double: usize,
        /// Largest difference over the requested times.
        difference: f64,
        /// Horizon.
        t_max: f64,
        /// Largest number of sites allowed.
        max_sites: usize,
    },
    /// The limit ODE is ill-conditioned: runs at two ODE tolerances disagree although the chain
    /// truncation has converged (the collapse corner of the small-data face, THEORY 5.3b).
    #[error("the limit dynamics is ill-conditioned here: runs with ODE tolerances 1e-13 and 1e-15 differ by {difference:e}; the curve is reliable only up to T = {reliable_until} (use a smaller --t-max); this corner is open (THEORY 5.3b)")]
    IllConditioned {
        /// Largest difference over the requested times.
        difference: f64,
        /// Last requested time at which the runs still agree.
        reliable_until: f64,
    },
    /// The face has no closed form and no computable limit curve here.
    #[error("face `{face}` has no closed-form limit: {hint}")]
    NoClosedForm {
        /// The face.
        face: &'static str,
        /// What to do instead.
        hint: &'static str,
    },
    /// The simulation backend failed (numerical free-face limit).
    #[error("simulation failed: {0}")]
    Simulation(String),
    /// The requested series order is not available for this face.
    #[error("series for face `{face}`: {reason}")]
    Series {
        /// The face.
        face: &'static str,
        /// Why.
        reason: String,
    },
    /// The spectral law cannot be used (invalid, unread, or not supported by an evaluator).
    #[error("spectrum: {reason}")]
    Spectrum {
        /// Why.
        reason: String,
    },
    /// No limit exists on this face with this law (heavy tails, THEORY 9.6).
    #[error("face `{face}` has no limit with this spectrum: {reason}")]
    NoLimit {
        /// The face.
        face: &'static str,
        /// Why.
        reason: String,
    },
    /// The limit exists but is not analytic at t = 0: no Taylor series (THEORY 9.6).
    #[error("face `{face}`: {reason}")]
    NotAnalytic {
        /// The face.
        face: &'static str,
        /// Why.
        reason: String,
    },
    /// An internal consistency check failed (a bug).
    #[error("internal error: {0}")]
    Internal(String),
}

pub use catalogue::{ConstName, DataPart, LatentPart, Regime, UnknownFace};

/// Values of the finite constants. Unused ones may be `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Constants {
    /// q = sigma2 p.
    pub q: Option<f64>,
    /// r = H / p.
    pub r: Option<f64>,
    /// c = q r.
    pub c: Option<f64>,
    /// y = 1 / alpha (0 means N = infinity).
    pub y: Option<f64>,
}

impl Constants {
    /// From the prefactors of the ratios in a scaling spec, `r ~ r0 n^.., q ~ q0 n^.., y ~ y0 n^..`
    /// (`y0 = None` when N = infinity). The face keeps those whose exponent vanishes; `c` is the
    /// prefactor of q r, i.e. `q0 r0`.
    pub fn from_prefactors(r0: f64, q0: f64, y0: Option<f64>) -> Self {
        Constants {
            q: Some(q0),
            r: Some(r0),
            c: Some(q0 * r0),
            y: Some(y0.unwrap_or(0.0)),
        }
    }

    /// Set one constant by name (`q`, `r`, `c`, `y`, or `alpha` for y = 1/alpha).
    pub fn set(&mut self, name: &str, value: f64) -> Result<(), RegimeError> {
        match name {
            "q" => self.q = Some(value),
            "r" => self.r = Some(value),
            "c" => self.c = Some(value),
            "y" => self.y = Some(value),
            "alpha" => {
                self.y = Some(if value.is_infinite() {
                    0.0
                } else {
                    1.0 / value
                })
            }
            _ => {
                return Err(RegimeError::BadConstant {
                    name: "?",
                    value,
                    reason: "unknown constant name (use q, r, c, y or alpha)",
                })
            }
        }
        Ok(())
    }

    /// The value of one constant, if given.
    pub fn get(&self, n: ConstName) -> Option<f64> {
        match n {
            ConstName::Q => self.q,
            ConstName::R => self.r,
            ConstName::C => self.c,
            ConstName::Y => self.y,
        }
    }
}

/// Ratios of a finite-size instance (for [`normalize`]): `r = H/p`, `q = sigma2 p`,
/// `y = p/N` (0 when N = infinity).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Ratios {
    /// H / p.
    pub r: f64,
    /// sigma2 p.
    pub q: f64,
    /// p / N.
    pub y: f64,
}

/// Default horizon, in face time, of `prism limit` and `prism check` (`--tau-max`).
pub const DEFAULT_FACE_TIME: f64 = 1.0;

/// Default number of intervals of the face-time grid (`--points`).
pub const DEFAULT_POINTS: usize = 20;

/// Exponents `[of r, of q, of y]` of a monomial scale.
pub type ScaleExps = [i32; 3];

/// A face's normalization of time and of one loss (THEORY 5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Normalization {
    /// Face time `T = t * r^a q^b y^c`, exponents `[a, b, c]`.
    pub time: ScaleExps,
    /// The loss quantity is `(l - [l(0)]) / (r^k q^j y^l)`, exponents `[k, j, l]`.
    pub loss: ScaleExps,
    /// Whether `l(0)` is subtracted.
    pub subtract_initial: bool,
}

fn scale_value(e: &ScaleExps, x: &Ratios) -> f64 {
    x.r.powi(e[0]) * x.q.powi(e[1]) * x.y.powi(e[2])
}

impl Normalization {
    /// The face time at raw time t.
    pub fn time_of(&self, t: f64, x: &Ratios) -> f64 {
        t * scale_value(&self.time, x)
    }

    /// The raw time at face time T.
    pub fn raw_time(&self, tt: f64, x: &Ratios) -> f64 {
        tt / scale_value(&self.time, x)
    }

    /// The normalized quantity from a raw loss value `l` and its initial value `l0`.
    pub fn quantity(&self, l: f64, l0: f64, x: &Ratios) -> f64 {
        let num = if self.subtract_initial { l - l0 } else { l };
        num / scale_value(&self.loss, x)
    }

    /// One run's normalized curve with the exact-c0 control variate
    /// ([`crate::stats::exact_c0`]): `Q(t) = quantity(l(t) - l(0) + c0, c0)`, with `c0 = E l(0)`
    /// exact for the finite model. Unbiased for the normalized mean loss, and free of the
    /// run-to-run noise of `l(0)`; on faces that subtract `l(0)` it is `(l(t) - l(0))/scale`.
    /// The estimator of `prism simulate SPEC` and `prism check`.
    pub fn run_quantities(&self, curve: &[f64], c0: f64, x: &Ratios) -> Vec<f64> {
        crate::stats::exact_c0(curve, c0)
            .into_iter()
            .map(|v| self.quantity(v, c0, x))
            .collect()
    }
}

/// An expected finite-size correction (THEORY 7.3, 5.2).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Correction {
    /// The small parameter, e.g. "1/alpha".
    pub parameter: &'static str,
    /// Exponents `[r, q, y]` of the parameter as a monomial (e.g. 1/alpha = y: [0, 0, 1]).
    pub exps: ScaleExps,
    /// Human description.
    pub note: &'static str,
}

/// A time window inside which the limit is expected to hold (THEORY 5.3b).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValidityWindow {
    /// Which loss it concerns (None: both).
    pub loss: Option<Loss>,
    /// The condition in words, e.g. "t << sqrt(alpha)".
    pub condition: &'static str,
    /// The scale in the face time variable at which the limit stops holding, when it is a number
    /// for the given finite-size ratios (compare only at face times well below it).
    pub scale: Option<f64>,
}

impl Regime {
    /// Check and collect the constant values, in the order of [`Regime::constants`].
    /// q, r, c must be positive and finite, y nonnegative and finite.
    pub fn resolve(self, k: &Constants) -> Result<Vec<f64>, RegimeError> {
        self.constants()
            .into_iter()
            .map(|n| {
                let v = k.get(n).ok_or(RegimeError::MissingConstant {
                    face: self.name(),
                    name: n.name(),
                })?;
                if !v.is_finite() {
                    return Err(RegimeError::BadConstant {
                        name: n.name(),
                        value: v,
                        reason: "must be finite",
                    });
                }
                match n {
                    ConstName::Y if v < 0.0 => Err(RegimeError::BadConstant {
                        name: "y",
                        value: v,
                        reason: "y = 1/alpha must be >= 0",
                    }),
                    ConstName::Q | ConstName::R | ConstName::C if v <= 0.0 => {
                        Err(RegimeError::BadConstant {
                            name: n.name(),
                            value: v,
                            reason: "must be > 0",
                        })
                    }
                    _ => Ok(v),
                }
            })
            .collect()
    }

    /// The normalization of time and of `loss` on this face (THEORY 5.1; derived from the face's
    /// monomials, see the module docs of [`confirm`]).
    pub fn normalization(self, loss: Loss) -> Normalization {
        let (d, l) = self.parts();
        use LatentPart as L;
        let (mut ml, mut mt): (ScaleExps, ScaleExps) = match l {
            L::Whole | L::MeanField => ([0, 0, 0], [0, 0, 0]),
            L::NarrowLatent => ([1, 0, 0], [0, 0, 0]),
            L::Free => ([0, 2, 0], [0, 1, 0]),
            L::Linear => ([1, 1, 0], [0, 0, 0]),
            L::NarrowFree => ([1, 2, 0], [0, 1, 0]),
            L::MeanFieldFree => ([2, 2, 0], [1, 1, 0]),
        };
        if d == DataPart::Small {
            mt[2] += 1;
            if loss == Loss::Pop {
                ml[2] -= 1;
            }
        }
        let subtract = matches!(l, L::NarrowLatent | L::Linear | L::NarrowFree)
            || (d == DataPart::Small && loss == Loss::Pop);
        Normalization {
            time: mt,
            loss: ml,
            subtract_initial: subtract,
        }
    }

    /// Name of the face time variable.
    pub fn time_symbol(self) -> &'static str {
        let n = self.normalization(Loss::Train);
        match n.time {
            [0, 0, 0] => "t",
            [0, 1, 1] | [1, 1, 1] => "sigma",
            _ => "tau",
        }
    }

    /// The face time variable as an equation, e.g. `tau = q t`.
    pub fn time_variable(self) -> String {
        let n = self.normalization(Loss::Train);
        let sym = self.time_symbol();
        if sym == "t" {
            return "t".to_string();
        }
        let f = match n.time {
            [0, 1, 0] => "q t",
            [0, 0, 1] => "t/alpha",
            [1, 1, 0] => "q r t",
            [0, 1, 1] => "q t/alpha",
            [1, 1, 1] => "q r t/alpha",
            _ => "?",
        };
        format!("{sym} = {f}")
    }

    /// The normalized loss quantity in words, e.g. `(l_tr - l_tr(0))/r`.
    pub fn quantity(self, loss: Loss) -> String {
        let n = self.normalization(loss);
        let l = match loss {
            Loss::Train => "l_tr",
            Loss::Pop => "l_pop",
        };
        let num = if n.subtract_initial {
            format!("({l} - {l}(0))")
        } else {
            l.to_string()
        };
        let den = match n.loss {
            [0, 0, 0] => return num,
            [1, 0, 0] => "r",
            [0, 2, 0] => "q^2",
            [1, 1, 0] => "(q r)",
            [1, 2, 0] => "(r q^2)",
            [2, 2, 0] => "(q r)^2",
            [0, 0, -1] => "alpha",
            [1, 0, -1] => "(r alpha)",
            [0, 2, -1] => "(alpha q^2)",
            [1, 1, -1] => "(q r alpha)",
            [1, 2, -1] => "(alpha r q^2)",
            [2, 2, -1] => "(alpha (q r)^2)",
            _ => "?",
        };
        format!("{num}/{den}")
    }

    /// Whether a closed-form or numerically exact limit curve is available
    /// (false for the interior; the free face at finite alpha needs simulation).
    pub fn has_closed_form(self, y: Option<f64>) -> bool {
        match self {
            Regime::Proportional => false,
            Regime::Free => y == Some(0.0),
            _ => true,
        }
    }

    /// Expected finite-size corrections (THEORY 7.3 and 5.2): one per 2-face containing the
    /// face; the interior has none (it is not a limit).
    pub fn corrections(self) -> Vec<Correction> {
        self.two_faces()
            .into_iter()
            .map(|f| match f {
                Regime::LargeData => Correction {
                    parameter: "1/alpha",
                    exps: [0, 0, 1],
                    note: "O(1/alpha); the train loss lies below the limit with a coefficient growing in t",
                },
                Regime::SmallData => Correction {
                    parameter: "alpha",
                    exps: [0, 0, -1],
                    note: "O(alpha), mixed with O(N/H); N ~ H is not covered by the limit",
                },
                Regime::MeanField => Correction {
                    parameter: "1/r",
                    exps: [-1, 0, 0],
                    note: "O(1/r), simulation above the limit; at t = 0 the exact offset is c^2/(2r)",
                },
                Regime::NarrowLatent => Correction {
                    parameter: "r",
                    exps: [1, 0, 0],
                    note: "O(r): cross terms between rows",
                },
                _ => Correction {
                    parameter: "1/q",
                    exps: [0, -1, 0],
                    note: "O(1/q) (coefficient about r), plus O(1/p) sampling differences",
                },
            })
            .collect()
    }

    /// Validity windows (THEORY 5.3b) for the given finite-size ratios; `scale` is in the face
    /// time variable. Derived from the parts (the 2-faces containing the face, the linear
    /// vertex of T), plus the face's own ([`faces::Face::windows`]).
    pub fn validity(self, x: &Ratios) -> Vec<ValidityWindow> {
        let mut out = Vec::new();
        let two = self.two_faces();
        let tf = self.normalization(Loss::Train);
        if two.contains(&Regime::LargeData) {
            out.push(ValidityWindow {
                loss: Some(Loss::Train),
                condition: "t << sqrt(alpha) (ln phi(4t) = 4t + 8t^2/alpha + ...)",
                scale: if x.y > 0.0 {
                    Some(tf.time_of(x.y.powf(-0.5), x))
                } else {
                    None
                },
            });
        }
        if two.contains(&Regime::Free) {
            // The target terms return when the time of the non-free parent is O(1): raw t ~ 1,
            // or t ~ alpha on the small-data side.
            let raw = if self.parts().0 == DataPart::Small && x.y > 0.0 {
                1.0 / x.y
            } else {
                1.0
            };
            out.push(ValidityWindow {
                loss: None,
                condition: "tau << q (at tau ~ q the O(1) target terms return)",
                scale: Some(tf.time_of(raw, x)),
            });
        }
        if self.parts().1 == LatentPart::Linear {
            let lam_max = (1.0 + x.y.sqrt()).powi(2);
            let c = x.q * x.r;
            out.push(ValidityWindow {
                loss: None,
                condition: "t << log(1/(q r)) / (4 lam_max) (linearization)",
                scale: if c < 1.0 {
                    Some(tf.time_of((1.0 / c).ln() / (4.0 * lam_max), x))
                } else {
                    Some(0.0)
                },
            });
        }
        out.extend(self.face().windows(x));
        if two.contains(&Regime::SmallData) {
            out.push(ValidityWindow {
                loss: None,
                condition: "N << H as well as N << p; when r < 1 and q (1 - sqrt r)^2 >~ 2 the approach is slow and the chain's K-convergence must be checked (prefer q <= 2)",
                scale: None,
            });
        }
        out
    }
}

/// The normalization of `loss` on `regime` applied to raw finite-size values: returns
/// `(T, Q)` with `T` the face time of raw time `t` and `Q = (l - [l0]) / scale`.
pub fn normalize(regime: Regime, loss: Loss, x: &Ratios, t: f64, l: f64, l0: f64) -> (f64, f64) {
    let n = regime.normalization(loss);
    (n.time_of(t, x), n.quantity(l, l0, x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizations_match_theory_table() {
        use Loss::*;
        let cases: [(Regime, &str, &str, &str); 14] = [
            (Regime::LargeData, "t", "l_tr", "l_pop"),
            (Regime::MeanField, "t", "l_tr", "l_pop"),
            (
                Regime::NarrowLatent,
                "t",
                "(l_tr - l_tr(0))/r",
                "(l_pop - l_pop(0))/r",
            ),
            (Regime::Free, "tau = q t", "l_tr/q^2", "l_pop/q^2"),
            (
                Regime::SmallData,
                "tau = t/alpha",
                "l_tr",
                "(l_pop - l_pop(0))/alpha",
            ),
            (
                Regime::LargeNarrow,
                "t",
                "(l_tr - l_tr(0))/r",
                "(l_pop - l_pop(0))/r",
            ),
            (Regime::LargeMeanField, "t", "l_tr", "l_pop"),
            (Regime::LargeFree, "tau = q t", "l_tr/q^2", "l_pop/q^2"),
            (
                Regime::SmallNarrow,
                "tau = t/alpha",
                "(l_tr - l_tr(0))/r",
                "(l_pop - l_pop(0))/(r alpha)",
            ),
            (
                Regime::SmallMeanField,
                "tau = t/alpha",
                "l_tr",
                "(l_pop - l_pop(0))/alpha",
            ),
            (
                Regime::SmallFree,
                "sigma = q t/alpha",
                "l_tr/q^2",
                "(l_pop - l_pop(0))/(alpha q^2)",
            ),
            (
                Regime::NarrowMeanField,
                "t",
                "(l_tr - l_tr(0))/(q r)",
                "(l_pop - l_pop(0))/(q r)",
            ),
            (
                Regime::NarrowFree,
                "tau = q t",
                "(l_tr - l_tr(0))/(r q^2)",
                "(l_pop - l_pop(0))/(r q^2)",
            ),
            (
                Regime::MeanFieldFree,
                "tau = q r t",
                "l_tr/(q r)^2",
                "l_pop/(q r)^2",
            ),
        ];
        for (r, t, tr, pop) in cases {
            assert_eq!(r.time_variable(), t, "{r}");
            assert_eq!(r.quantity(Train), tr, "{r}");
            assert_eq!(r.quantity(Pop), pop, "{r}");
        }
        let x = Ratios {
            r: 0.5,
            q: 2.0,
            y: 0.25,
        };
        // F5: tau = t/alpha = t y; pop quantity = (l - l0) y.
        let (tt, qv) = normalize(Regime::SmallData, Pop, &x, 2.0, 1.5, 1.0);
        assert!((tt - 0.5).abs() < 1e-15 && (qv - 0.125).abs() < 1e-15);
    }

    #[test]
    fn validity_windows() {
        let x = Ratios {
            r: 0.5,
            q: 100.0,
            y: 4.0,
        };
        // Free face: tau = q t breaks down at tau ~ q.
        let w = Regime::Free.validity(&x);
        assert_eq!(w[0].scale, Some(100.0));
        // Small-data + free: sigma = q t / alpha breaks down at t ~ alpha, i.e. sigma ~ q.
        let w = Regime::SmallFree.validity(&x);
        assert!((w[0].scale.unwrap() - 100.0).abs() < 1e-12);
        // Large-data: t << sqrt(alpha).
        let w = Regime::LargeData.validity(&Ratios {
            r: 0.5,
            q: 1.0,
            y: 0.01,
        });
        assert!((w[0].scale.unwrap() - 10.0).abs() < 1e-12);
        assert_eq!(Regime::LargeData.corrections()[0].parameter, "1/alpha");
        assert_eq!(Regime::SmallNarrow.corrections().len(), 2);
    }

    #[test]
    fn constants_per_face() {
        assert_eq!(Regime::LargeData.constant_names(), vec!["q", "r"]);
        assert_eq!(Regime::MeanField.constant_names(), vec!["c", "y"]);
        assert_eq!(Regime::NarrowLatent.constant_names(), vec!["q", "y"]);
        assert_eq!(Regime::SmallData.constant_names(), vec!["q", "r"]);
        assert_eq!(Regime::Free.constant_names(), vec!["r", "y"]);
        assert_eq!(Regime::Proportional.constant_names(), vec!["q", "r", "y"]);
        assert!(Regime::LargeNarrowFree.constant_names().is_empty());
        let k = Constants::from_prefactors(0.5, 2.0, None);
        assert_eq!(Regime::LargeData.resolve(&k).unwrap(), vec![2.0, 0.5]);
        assert_eq!(Regime::LargeMeanField.resolve(&k).unwrap(), vec![1.0]);
        assert!(Regime::MeanField.resolve(&Constants::default()).is_err());
        let bad = Constants {
            q: Some(-1.0),
            ..Default::default()
        };
        assert!(Regime::LargeNarrow.resolve(&bad).is_err());
    }
}
