//! Classification of a scaling spec: the face of the prism it selects, and its scales.
//!
//! A spec sets p ~ n^{a_p}, H ~ n^{a_H}, sigma2 ~ n^{a_s}, N ~ n^{a_N}. In the coordinates
//! (log r, log q, log 1/alpha) its direction is
//!
//! ```text
//!     u = (a_H - a_p,  a_s + a_p,  a_p - a_N),
//! ```
//!
//! with u_l = -infinity when N = infinity. The dominant monomials at every order lie on the face
//! `F(u) = argmax_{x in P} <u, x>` of the asymptotic polytope P. With the affine fit
//! `conv(P_s) = conv{a_v + s b_v}` the scales follow exactly:
//!
//! * `h(u) = max_v <u, b_v>`: time runs as `t = n^{-h} tau`, so `time_exponent = -h`;
//! * the order-s term of the loss change is `n^{<u, a_v*> + s h} t^s`, so with t = n^{-h} tau
//!   the loss change scales as `n^{<u, a_v*>}` where `v*` maximizes `<u, b_v>` and then
//!   `<u, a_v>`; this is `c(u) = u_r + u_q + max_T(u_r k' + u_q j')` for the train loss and
//!   `c(u) - max(0, u_l)` for the population loss (THEORY section 4).
//!
//! An infinite component is handled exactly by a lexicographic direction: first minimize l,
//! then maximize the finite part.

use super::geometry::{affine_dim, dot, rank, vector, Vector};
use super::prism::FittedPrism;
use crate::regimes::catalogue::Regime;
use crate::spec::{DataSize, Spec};
use num_rational::BigRational;
use num_traits::{Signed, Zero};

/// Errors of classification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassifyError {
    /// The dominant face is none of the 21 regimes (the fitted prism is inconsistent).
    #[error("the dominant face of the fitted prism is none of the 21 regimes")]
    NoFace,
    /// The hierarchy gave an infinite exponent (should not happen for a valid hierarchy).
    #[error("the dominant terms have an unbounded exponent along N = infinity; the hierarchy is inconsistent")]
    Unbounded,
    /// The exponents found from the fit disagree with the supports at some order.
    #[error("the fitted scales disagree with the {loss} support at order {s}")]
    Inconsistent {
        /// Which loss.
        loss: &'static str,
        /// The order.
        s: u32,
    },
}

/// A finite constant of the limit, with its value from the spec's prefactors.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Constant {
    /// `r`, `q`, `c` (= q r) or `y` (= 1/alpha).
    pub name: &'static str,
    /// What it is.
    pub meaning: &'static str,
    /// Exact value, as a string such as "1/2".
    pub value: String,
    /// The same as a float.
    pub value_f64: f64,
}

/// How one ratio scales with n.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Ratio {
    /// `r`, `q` or `alpha`.
    pub name: &'static str,
    /// Exponent of n, or None for alpha = infinity.
    pub exponent: Option<String>,
    /// `-> 0`, `-> infinity` or `finite`.
    pub behaviour: &'static str,
}

/// Where a user-given time scale t sits relative to the regime's natural time.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TimeReport {
    /// Exponent of tau = t n^{h}.
    pub tau_exponent: String,
    /// Plain statement.
    pub verdict: String,
}

/// The result of classifying a spec.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Classification {
    /// The spec, canonically rendered.
    pub spec: String,
    /// True when N was not given and defaulted to infinity.
    pub n_defaulted: bool,
    /// The direction u as exact strings; u_l is "-inf" for N = infinity.
    pub u: [String; 3],
    /// The face (serialized as its name, e.g. `mean-field` or `small-data+narrow-latent+free`).
    pub face: Regime,
    /// Face dimension, 0 to 3.
    pub face_dim: usize,
    /// Vertices of the face in prism coordinates (k', j', l').
    pub face_vertices: Vec<[String; 3]>,
    /// Time exponent -h(u): t = n^{time_exponent} tau.
    pub time_exponent: String,
    /// Train loss-change exponent c(u).
    pub train_loss_exponent: String,
    /// Population loss-change exponent.
    pub pop_loss_exponent: String,
    /// Expected finite-size correction: normalized curves approach the limit as
    /// n^-correction_exponent (the gap to the next monomial of the hierarchy, or 1/p).
    pub correction_exponent: String,
    /// How r, q and alpha behave.
    pub ratios: Vec<Ratio>,
    /// Finite constants the limit depends on, with values.
    pub constants: Vec<Constant>,
    /// One-paragraph description.
    pub description: String,
    /// Where the hierarchy came from.
    pub hierarchy: String,
    /// Orders of the train and population hierarchies the fit was verified on.
    pub orders_used: OrdersUsed,
    /// Report on the spec's own time scale t, if given.
    pub time: Option<TimeReport>,
    #[serde(skip)]
    /// Exact exponents (time, train, pop).
    pub exact: ExactScales,
}

/// The verified orders.
#[derive(Clone, Debug, serde::Serialize)]
pub struct OrdersUsed {
    /// (first, last) for the train loss.
    pub train: (u32, u32),
    /// (first, last) for the population loss.
    pub pop: (u32, u32),
}

/// Exact scales for downstream stages.
#[derive(Clone, Debug)]
pub struct ExactScales {
    /// u_r, u_q, and u_l (None for N = infinity).
    pub u: (BigRational, BigRational, Option<BigRational>),
    /// time_exponent = -h.
    pub time_exponent: BigRational,
    /// Train loss-change exponent.
    pub train_loss_exponent: BigRational,
    /// Population loss-change exponent.
    pub pop_loss_exponent: BigRational,
    /// Expected correction exponent rho: corrections are O(n^-rho).
    pub correction_exponent: BigRational,
    /// Finite constants (name, exact value).
    pub constants: Vec<(&'static str, BigRational)>,
}

fn s(x: &BigRational) -> String {
    x.to_string()
}

/// Classify a spec against a fitted prism.
pub fn classify(spec: &Spec, prism: &FittedPrism) -> Result<Classification, ClassifyError> {
    let a_p = &spec.p.exponent;
    let u_r = &spec.h.exponent - a_p;
    let u_q = &spec.sigma2.exponent + a_p;
    let u_l = spec.n_exponent().map(|a_n| a_p - a_n);
    let dirs: Vec<Vector> = match &u_l {
        Some(ul) => vec![vec![u_r.clone(), u_q.clone(), ul.clone()]],
        None => vec![
            vector(&[0, 0, -1]),
            vec![u_r.clone(), u_q.clone(), BigRational::zero()],
        ],
    };
    let finite_part = vec![
        u_r.clone(),
        u_q.clone(),
        u_l.clone().unwrap_or_else(BigRational::zero),
    ];
    // Scales from the affine families, checked against every verified order.
    let scale =
        |fit: &super::prism::AffineFit| -> Result<(BigRational, BigRational), ClassifyError> {
            let v = fit.dominant_family(&dirs);
            if u_l.is_none() && (!fit.b[v][2].is_zero() || !fit.a[v][2].is_zero()) {
                return Err(ClassifyError::Unbounded);
            }
            let h = dot(&finite_part, &fit.b[v]);
            let c = dot(&finite_part, &fit.a[v]);
            Ok((h, c))
        };
    let (h, c_train) = scale(&prism.train)?;
    let (h_pop, c_pop) = scale(&prism.pop)?;
    if h != h_pop {
        return Err(ClassifyError::Inconsistent {
            loss: "pop",
            s: prism.pop.verified.1,
        });
    }
    let face_idx = prism.polytope.face(&dirs).unwrap_or_default();
    let face_pts: Vec<Vector> = face_idx
        .iter()
        .map(|&i| prism.polytope.vertices[i].clone())
        .collect();
    let face = prism.face_of(&face_pts).ok_or(ClassifyError::NoFace)?;
    let face_dim = affine_dim(&face_pts).unwrap_or(0);

    // Finite constants: a basis of the face's direction space among r, q, c = q r, y.
    let base = face_pts[0].clone();
    let mut span: Vec<Vector> = face_pts
        .iter()
        .map(|p| super::geometry::sub(p, &base))
        .collect();
    span.retain(|v| v.iter().any(|x| !x.is_zero()));
    let target = rank(&span);
    let cp = &spec.p.prefactor;
    let ch = &spec.h.prefactor;
    let cs = &spec.sigma2.prefactor;
    let candidates: Vec<(&'static str, &'static str, [i64; 3], Option<BigRational>)> = vec![
        ("r", "H/p", [1, 0, 0], Some(ch / cp)),
        ("q", "sigma2 p", [0, 1, 0], Some(cs * cp)),
        ("c", "q r = sigma2 H", [1, 1, 0], Some(cs * ch)),
        (
            "y",
            "1/alpha = p/N",
            [0, 0, 1],
            match &spec.n_data {
                DataSize::Finite(nd) => Some(cp / &nd.prefactor),
                DataSize::Infinite => None,
            },
        ),
    ];
    let mut chosen: Vec<Vector> = Vec::new();
    let mut constants = Vec::new();
    let mut exact_constants = Vec::new();
    for (name, meaning, v, val) in candidates {
        if chosen.len() == target {
            break;
        }
        let vv = vector(&v);
        let mut with = span.clone();
        with.push(vv.clone());
        let mut trial = chosen.clone();
        trial.push(vv);
        if rank(&with) == target && rank(&trial) == trial.len() {
            if let Some(val) = val {
                constants.push(Constant {
                    name,
                    meaning,
                    value: s(&val),
                    value_f64: crate::poly::rat_to_f64(&val),
                });
                exact_constants.push((name, val));
                chosen = trial;
            }
        }
    }

    let behaviour = |e: &BigRational| {
        if e.is_positive() {
            "-> infinity"
        } else if e.is_negative() {
            "-> 0"
        } else {
            "finite"
        }
    };
    let ratios = vec![
        Ratio {
            name: "r",
            exponent: Some(s(&u_r)),
            behaviour: behaviour(&u_r),
        },
        Ratio {
            name: "q",
            exponent: Some(s(&u_q)),
            behaviour: behaviour(&u_q),
        },
        match &u_l {
            Some(ul) => {
                let e = -ul.clone();
                Ratio {
                    name: "alpha",
                    exponent: Some(s(&e)),
                    behaviour: behaviour(&e),
                }
            }
            None => Ratio {
                name: "alpha",
                exponent: None,
                behaviour: "-> infinity",
            },
        },
    ];
    let time_exponent = -h.clone();
    let time = spec.t.as_ref().map(|t| {
        let tau = &t.exponent + &h;
        let verdict = if tau.is_negative() {
            format!(
                "t = n^{} is shorter than the natural time n^{}: tau -> 0, only the initial slope of the limit is seen",
                t.exponent, time_exponent
            )
        } else if tau.is_positive() {
            format!(
                "t = n^{} is longer than the natural time n^{}: tau -> infinity, past the window of the limit curve",
                t.exponent, time_exponent
            )
        } else {
            format!(
                "t runs on the natural time scale: tau = {} (the limit curve at that point)",
                t.prefactor
            )
        };
        TimeReport { tau_exponent: s(&tau), verdict }
    });
    let correction = correction_exponent(prism, &finite_part, u_l.is_none(), a_p);
    let description = describe(
        face,
        &ratios,
        &constants,
        &time_exponent,
        &c_train,
        &c_pop,
        spec,
    );
    Ok(Classification {
        spec: spec.canonical(),
        n_defaulted: spec.n_defaulted,
        u: [
            s(&u_r),
            s(&u_q),
            u_l.as_ref().map_or_else(|| "-inf".to_string(), s),
        ],
        face_vertices: face_pts
            .iter()
            .map(|p| [s(&p[0]), s(&p[1]), s(&p[2])])
            .collect(),
        face,
        face_dim,
        time_exponent: s(&time_exponent),
        train_loss_exponent: s(&c_train),
        pop_loss_exponent: s(&c_pop),
        correction_exponent: s(&correction),
        ratios,
        constants,
        description,
        hierarchy: format!(
            "{}, orders {}..={}",
            prism.source, prism.orders.0, prism.orders.1
        ),
        orders_used: OrdersUsed {
            train: prism.train.verified,
            pop: prism.pop.verified,
        },
        time,
        exact: ExactScales {
            u: (u_r, u_q, u_l),
            time_exponent,
            train_loss_exponent: c_train,
            pop_loss_exponent: c_pop,
            correction_exponent: correction,
            constants: exact_constants,
        },
    })
}

/// The exponent rho of the leading finite-size correction, O(n^-rho): at every order s >= 1 of
/// both losses, the gap between the largest `<u, x>` over the support P_s and the largest value
/// off the dominant face; and `a_p` for the 1/p (g >= 1) terms. With N = infinity only the
/// l = 0 layer exists. Returns the minimum over all of these.
fn correction_exponent(
    prism: &FittedPrism,
    finite_part: &[BigRational],
    n_infinite: bool,
    a_p: &BigRational,
) -> BigRational {
    // Scale u to integers: <u, x> = <U, x> / D with U integral. Lattice points are small, so
    // the dot products are exact in i128 whenever every U_i fits in i64 (|x_i| < 2^20).
    use num_integer::Integer;
    let mut den = num_bigint::BigInt::from(1);
    for x in finite_part {
        den = den.lcm(x.denom());
    }
    let ints: Option<Vec<i128>> = finite_part
        .iter()
        .map(|x| {
            let v = (x * BigRational::from_integer(den.clone())).to_integer();
            i64::try_from(&v).ok().map(i128::from)
        })
        .collect();
    let den_r = BigRational::from_integer(den);
    let mut best = a_p.clone();
    for o in &prism.hierarchy.orders {
        if o.s == 0 {
            continue;
        }
        for loss in [super::Loss::Train, super::Loss::Pop] {
            let pts = o.support(loss).iter().filter(|x| !n_infinite || x[2] == 0);
            let gap = match &ints {
                Some(u) => {
                    let vals: Vec<i128> = pts
                        .map(|x| {
                            u[0] * i128::from(x[0])
                                + u[1] * i128::from(x[1])
                                + u[2] * i128::from(x[2])
                        })
                        .collect();
                    let Some(&max) = vals.iter().max() else {
                        continue;
                    };
                    vals.iter()
                        .filter(|v| **v < max)
                        .max()
                        .map(|second| BigRational::from_integer((max - second).into()) / &den_r)
                }
                None => {
                    let vals: Vec<BigRational> =
                        pts.map(|x| dot(finite_part, &vector(x))).collect();
                    let Some(max) = vals.iter().max().cloned() else {
                        continue;
                    };
                    vals.iter()
                        .filter(|v| **v < max)
                        .max()
                        .map(|second| &max - second)
                }
            };
            if let Some(gap) = gap {
                if gap < best {
                    best = gap;
                }
            }
        }
    }
    best
}

fn describe(
    face: Regime,
    ratios: &[Ratio],
    constants: &[Constant],
    time_exponent: &BigRational,
    c_train: &BigRational,
    c_pop: &BigRational,
    spec: &Spec,
) -> String {
    let moving: Vec<String> = ratios
        .iter()
        .map(|r| match (&r.exponent, r.behaviour) {
            (None, _) => format!(
                "{} = infinity (N = inf{})",
                r.name,
                if spec.n_defaulted {
                    ", the default"
                } else {
                    ""
                }
            ),
            (Some(e), "finite") => format!("{} stays of order 1 (n^{e})", r.name),
            (Some(e), b) => format!("{} {b} (as n^{e})", r.name),
        })
        .collect();
    let consts = if constants.is_empty() {
        "no finite constant survives".to_string()
    } else {
        format!(
            "the limit depends only on {}",
            constants
                .iter()
                .map(|c| format!("{} = {} = {}", c.name, c.meaning, c.value))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let time = if time_exponent.is_zero() {
        "time t itself is the natural clock".to_string()
    } else {
        format!("the natural clock is tau = t n^{}", -time_exponent.clone())
    };
    let loss =
        format!("the train loss changes at order n^{c_train} and the population loss at n^{c_pop}");
    format!(
        "As n grows: {}. {}; {}, and {}. Limit: {}",
        moving.join(", "),
        capitalize(&consts),
        time,
        loss,
        face.summary()
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
