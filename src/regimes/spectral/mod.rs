//! Limits with a data covariance spectrum (THEORY 9): x ~ N(0, Sigma) with a spectral law
//! `mu_Sigma` ([`crate::spec::SpectrumLaw`]).
//!
//! * [`deq`]: deterministic equivalents (Silverstein's `mb`, `m`, Ledoit-Peche `Theta` and nu,
//!   contour integrals `Int h dmu_S`, `Int h dnu`).
//! * Face laws with a spectrum (THEORY 9.5) live with their faces, behind
//!   [`super::faces::Face::curve_law`] and [`super::faces::Face::series_law`]: mean-field (F2)
//!   and narrow-latent (F3) in `faces/mean_field.rs` and `faces/narrow_latent.rs`, the
//!   small-data population term (F5) in `faces/small_data.rs`, the free face's exact initial slope
//!   (F4) in `faces/free.rs`. Edges and vertices restrict their faces' laws (THEORY 5.3/5.4):
//!   [`derived_curve`] and [`derived_series`] do this from the face's parts.
//! * Exact series with moments ([`limit_series_law`]): polynomials in the face's constants and
//!   `m1..m12`; [`confirm_law`] / [`verify_law`] compare them with the hierarchy with moments
//!   ([`crate::expansion::aniso::free::leading_coefficients_aniso`]) restricted to the face
//!   (THEORY 5.5 with moments).
//! * Heavy tails ([`heavy_tail`], THEORY 9.6).
//!
//! Scale (THEORY 9.1): every face quantity obeys `Q(T; c Sigma) = c Q(c T; Sigma)` (the flow is
//! linear in S and the face normalizations do not involve Sigma), so curves are computed for the
//! law at mean 1 and mapped back ([`limit_curve_law`] says so in its notes). Series keep `m1` as a
//! variable and need no rescaling.
//!
//! Public entry points: [`LawContext::new`], [`limit_curve_law`], [`limit_series_law`],
//! [`verify_law`], [`heavy_tail`].

pub mod deq;
pub mod numeric;

use super::curves::{check_times, CurveOptions, LimitCurves};
use super::faces::CurveValues;
use super::{ConstName, DataPart, LatentPart, LimitSeries, Loss, Regime, RegimeError};
use crate::expansion::aniso::{free::free_moment, Word3, MAX_MOMENTS};
use crate::poly::{Poly, PolyFormat};
use crate::spec::{Moment, SpectrumLaw};
use deq::{Deq, DeqOptions};
use serde::Serialize;

/// A spectral law prepared for the limits: the law as given, its mean-1 version and the scale
/// `c = m_1` (THEORY 9.1), and the evaluator options.
#[derive(Clone, Debug)]
pub struct LawContext {
    /// The law as given.
    pub law: SpectrumLaw,
    /// The law scaled to mean 1.
    pub normalized: SpectrumLaw,
    /// `c = m_1` of the given law: `Q(T; Sigma) = c Q(c T; Sigma / c)`.
    pub scale: f64,
    /// Options of the deterministic equivalents.
    pub opts: DeqOptions,
}

impl LawContext {
    /// Prepare a law (a `file(...)` law must be read first).
    pub fn new(law: &SpectrumLaw) -> Result<LawContext, RegimeError> {
        let (normalized, c) = law.normalized().map_err(|e| RegimeError::Spectrum {
            reason: e.to_string(),
        })?;
        Ok(LawContext {
            law: law.clone(),
            normalized,
            scale: crate::poly::rat_to_f64(&c),
            opts: DeqOptions::default(),
        })
    }

    /// The deterministic equivalent of the mean-1 law at `y`.
    pub fn deq(&self, y: f64) -> Result<Deq, RegimeError> {
        Ok(Deq::new(&self.normalized, y, self.opts)
            .map_err(|e| RegimeError::Spectrum {
                reason: e.to_string(),
            })?
            .0)
    }

    /// `m_k` of the mean-1 law as a float (None when infinite).
    pub fn moment(&self, k: u32) -> Result<Option<f64>, RegimeError> {
        match self.normalized.moment(k) {
            Ok(Moment::Finite(v)) => Ok(Some(crate::poly::rat_to_f64(&v))),
            Ok(Moment::Infinite) => Ok(None),
            Err(e) => Err(RegimeError::Spectrum {
                reason: e.to_string(),
            }),
        }
    }
}

/// The variables of a series with moments: the face's constants, then `m1..m12`
/// ([`law_series_names`]).
pub fn law_vars(regime: Regime) -> crate::poly::Vars {
    crate::poly::Vars::new(law_series_names(regime))
}

/// Names of the variables of a series with moments: the face's constants, then `m1..m12`.
pub fn law_series_names(regime: Regime) -> Vec<&'static str> {
    const M: [&str; MAX_MOMENTS] = [
        "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11", "m12",
    ];
    let mut v = regime.constant_names();
    v.extend(M);
    v
}

/// What a heavy tail does to a face (THEORY 9.6).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeavyTail {
    /// The first infinite moment `m_k` (None: bounded support, nothing changes).
    pub first_infinite_moment: Option<u32>,
    /// The first order s of the hierarchy whose coefficients grow with p (`k - 1`).
    pub first_divergent_order: Option<usize>,
    /// Whether the face's limit exists.
    pub limit_exists: bool,
    /// Whether the limit is analytic at t = 0 (a Taylor series exists).
    pub analytic: bool,
    /// Why, in one sentence.
    pub reason: String,
}

/// The consequences of the law's tail for `regime` (THEORY 9.6). Bounded support: the
/// classification and every limit are as for isotropic data, with analytic limits. A power law
/// `powerlaw(a)`: `m_k` is infinite from `k = ceil(1/a)` on, the finite-p hierarchy coefficients
/// grow with p from order `k - 1` on, no limit is analytic at t = 0, and the limits that need every
/// moment (narrow-latent and its sub-faces, through `phi(z) = Int e^{lam z} dmu_S` at z > 0) do
/// not exist; the small-data population limit needs `m_2`.
pub fn heavy_tail(regime: Regime, law: &SpectrumLaw) -> HeavyTail {
    let k = law.first_infinite_moment();
    let Some(k) = k else {
        return HeavyTail {
            first_infinite_moment: None,
            first_divergent_order: None,
            limit_exists: true,
            analytic: true,
            reason: format!("{law} has a bounded support: every moment is finite"),
        };
    };
    let (d, l) = regime.parts();
    let narrow = matches!(
        l,
        LatentPart::NarrowLatent | LatentPart::Linear | LatentPart::NarrowFree
    );
    let (exists, reason) = if narrow {
        (
            false,
            format!(
                "the narrow-latent law needs phi(z) = Int e^(lam z) dmu_S at z > 0, which is infinite for {law} (m_{k} = inf): at finite p, Delta l/r at fixed t grows without bound with p (THEORY 9.5 F3, 9.6)"
            ),
        )
    } else if d == DataPart::Small && k <= 2 {
        (
            false,
            format!(
                "the small-data population term (m2/m1 - 1)(l_tr - l_tr(0)) needs m_2, which is infinite for {law} (the train limit is the isotropic one)"
            ),
        )
    } else if regime == Regime::Proportional {
        (
            false,
            "the interior has no limit law; its series needs every moment".to_string(),
        )
    } else {
        (
            true,
            format!(
                "the limit is a bounded functional of the spectrum and exists, but it is not analytic at t = 0 (m_{k} = inf, a t^(1/a - 1) term): no Taylor series"
            ),
        )
    };
    HeavyTail {
        first_infinite_moment: Some(k),
        first_divergent_order: Some(k as usize - 1),
        limit_exists: exists,
        analytic: false,
        reason,
    }
}

/// What `classify` states about a covariance spectrum (THEORY 9.3, 9.6).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpectrumStatement {
    /// The law, as written.
    pub law: String,
    /// Its first moments `m_1..m_4` (exact, or "inf").
    pub moments: Vec<String>,
    /// Whether the support is bounded.
    pub bounded_support: bool,
    /// Whether the classification of sections 3-4 holds for this law.
    pub classification_holds: bool,
    /// Highest order at which the hierarchy with moments was computed here and found to have the
    /// isotropic supports (free probability with moments, both losses).
    pub hierarchy_checked_to: usize,
    /// The first infinite moment (heavy tail).
    pub first_infinite_moment: Option<u32>,
    /// The first order whose finite-p coefficients grow with p.
    pub first_divergent_order: Option<usize>,
    /// The faces (names) whose limit does not exist with this law.
    pub no_limit: Vec<String>,
    /// What happens on the classified face.
    pub face: HeavyTail,
    /// The statement, in sentences.
    pub text: String,
}

/// The statement `classify` makes about a spectral law on the classified face `regime`: the
/// hierarchy with moments is computed to `order` (free probability; seconds at order <= 6) and
/// its supports compared with the isotropic ones. For a bounded support every moment is finite,
/// every coefficient has sign `(-1)^j` with positive moment products, so nothing cancels and the
/// prism, its faces, the scales and the classification are those of sections 3-4 (THEORY 9.3).
/// For a power law the statement says which orders grow with p and which limits do not exist
/// (THEORY 9.6), and that the lifted prism for the tail exponent is a conjecture.
pub fn spectrum_statement(
    law: &SpectrumLaw,
    regime: Regime,
    order: usize,
) -> Result<SpectrumStatement, RegimeError> {
    let spec_err = |e: crate::spec::SpectrumError| RegimeError::Spectrum {
        reason: e.to_string(),
    };
    let moments = law
        .moments(4)
        .map_err(spec_err)?
        .iter()
        .map(|m| m.to_string())
        .collect();
    let (_, rep) = crate::expansion::aniso::checks::computed_hierarchy_aniso(
        order,
        crate::expansion::Method::Leading,
    )
    .map_err(|e| RegimeError::Series {
        face: "hierarchy with moments",
        reason: e.to_string(),
    })?;
    let same = rep.checks.iter().all(|c| c.passed);
    let face = heavy_tail(regime, law);
    let no_limit: Vec<String> = Regime::ALL
        .iter()
        .filter(|r| !heavy_tail(**r, law).limit_exists && **r != Regime::Proportional)
        .map(|r| r.name().to_string())
        .collect();
    let bounded = law.bounded_support();
    let text = if bounded {
        format!(
            "{law} has a bounded support (every m_k finite). The hierarchy with moments, computed here to order {order}, has exactly the isotropic supports{}; every monomial has sign (-1)^j with a positive moment product, so nothing cancels: the prism, its faces, the scales and this classification hold unchanged. Only the limit along the face changes (prism limit with this spec).",
            if same { "" } else { " (CHECK FAILED)" }
        )
    } else {
        let k = face.first_infinite_moment.unwrap_or(0);
        format!(
            "{law} has a heavy tail: m_k is infinite for k >= {k}. Orders s >= {} of the hierarchy have coefficients that grow with p (like p^(a(s+1) - 1)), so no limit is analytic at t = 0 and the classification by the prism holds only for the orders s < {} (the hierarchy with moments, computed here to order {order}, has the isotropic supports as polynomials in the m_k). Limits that do not exist: {}. Mean-field, small-data (train) and large-data limits are bounded functionals of the spectrum and still exist. Treating the tail exponent as a new scaling direction appears to lift the prism affinely; that is a conjecture (orders <= 6), not a result.",
            k - 1,
            k - 1,
            if no_limit.is_empty() { "none".to_string() } else { no_limit.join(", ") }
        )
    };
    Ok(SpectrumStatement {
        law: law.to_string(),
        moments,
        bounded_support: bounded,
        classification_holds: bounded && same,
        hierarchy_checked_to: order,
        first_infinite_moment: face.first_infinite_moment,
        first_divergent_order: face.first_divergent_order,
        no_limit,
        face,
        text,
    })
}

/// Limiting curves of both normalized losses with a spectral law, at face times `times`.
///
/// The face's law is evaluated for the mean-1 law and mapped back by `Q(T) = c Q'(c T)`
/// (THEORY 9.1); the notes say when that was applied. For `identity` this is exactly
/// [`super::limit_curve_with`]. Refused where no limit exists (heavy tails, [`heavy_tail`]).
pub fn limit_curve_law(
    regime: Regime,
    constants: &super::Constants,
    law: &LawContext,
    times: &[f64],
    opts: &CurveOptions,
) -> Result<LimitCurves, RegimeError> {
    if law.normalized.is_identity() && law.scale == 1.0 {
        return super::limit_curve_with(regime, constants, times, opts);
    }
    check_times(times)?;
    let ht = heavy_tail(regime, &law.law);
    if !ht.limit_exists {
        return Err(RegimeError::NoLimit {
            face: regime.name(),
            reason: ht.reason,
        });
    }
    let k = regime.resolve(constants)?;
    let c = law.scale;
    let scaled: Vec<f64> = times.iter().map(|t| c * t).collect();
    let CurveValues {
        train,
        pop,
        train_err,
        pop_err,
        method,
        mut notes,
    } = regime.face().curve_law(&k, &scaled, law, opts)?;
    let sc = |v: Vec<f64>| v.into_iter().map(|x| c * x).collect::<Vec<f64>>();
    if c != 1.0 {
        notes.push(format!(
            "the law has mean m1 = {c}: evaluated for Sigma/m1 (mean 1) and mapped back by the exact identity Q(T; Sigma) = m1 Q(m1 T; Sigma/m1) (THEORY 9.1)"
        ));
    }
    if !ht.analytic {
        notes.push(ht.reason.clone());
    }
    let (train, pop) = (sc(train), sc(pop));
    if train.iter().chain(&pop).any(|v| !v.is_finite()) {
        return Err(RegimeError::Internal(format!(
            "non-finite limit value on {} with {}",
            regime.name(),
            law.law
        )));
    }
    Ok(LimitCurves {
        regime,
        times: times.to_vec(),
        train,
        pop,
        train_err: train_err.map(sc),
        pop_err: pop_err.map(sc),
        method,
        notes,
    })
}

/// The default [`super::faces::Face::curve_law`]: a sub-face's law restricted from its
/// faces' laws (THEORY 5.3, 5.4, 9.5), from the parts. `k` are the face's constants, `times` face
/// times for the mean-1 law.
///
/// * small-data part: the isotropic curve (the train limit is unchanged) plus, for the population
///   quantity, `(m2 - 1)(Q_tr(T) - Q_tr(0))` ([`super::faces::small_data::population_term`]);
/// * otherwise by the triangle part, with y = 0 on the large-data side: mean-field and its
///   vertex with free (`E9`) through the mean-field law; narrow-latent, linear (`E7`) and
///   narrow-free (`E8`) through the narrow-latent generating functions; the whole triangle and
///   the free edge have no closed form with a spectrum.
pub fn derived_curve(
    regime: Regime,
    k: &[f64],
    times: &[f64],
    law: &LawContext,
    opts: &CurveOptions,
) -> Result<CurveValues, RegimeError> {
    use super::faces::{mean_field, narrow_latent, small_data};
    let (d, l) = regime.parts();
    let names = regime.constants();
    let get = |n: ConstName| names.iter().position(|&m| m == n).map(|i| k[i]);
    if d == DataPart::Small {
        return small_data::with_population_term(regime, k, times, law, opts);
    }
    let y = if d == DataPart::Large {
        0.0
    } else {
        get(ConstName::Y).unwrap_or(0.0)
    };
    let no_closed = |hint: &'static str| RegimeError::NoClosedForm {
        face: regime.name(),
        hint,
    };
    if let Some(face) = numeric_face(regime, &get) {
        return numeric_curve(face, times, law, opts);
    }
    let deq = law.deq(y)?;
    let mut cv = CurveValues::new(super::CurveMethod::Contour { ode: false });
    let (train, pop) = match l {
        LatentPart::MeanField => {
            mean_field::mean_field_law(&deq, get(ConstName::C).unwrap_or(1.0), times, opts.quad_tol)?
        }
        LatentPart::MeanFieldFree => mean_field::mf_free_law(&deq, times, opts.quad_tol)?,
        LatentPart::NarrowLatent => {
            cv.method = super::CurveMethod::Contour { ode: true };
            super::curves::on_sorted(times, |ts| {
                narrow_latent::narrow_latent_law(&deq, get(ConstName::Q).unwrap_or(1.0), ts, opts)
            })?
        }
        LatentPart::Linear => narrow_latent::linear_law(&deq, times, opts.quad_tol)?,
        LatentPart::NarrowFree => {
            cv.method = super::CurveMethod::Contour { ode: true };
            super::curves::on_sorted(times, |ts| {
                narrow_latent::narrow_free_law(&deq, ts, opts)
            })?
        }
        LatentPart::Whole | LatentPart::Free => {
            return Err(no_closed(
                "with a covariance spectrum A0 does not commute with Sigma and no per-eigenvalue law holds (THEORY 9.5 F1, F4): the limit is a reduced flow, evaluated only numerically; use `prism limit --series` for its exact series with moments",
            ))
        }
    };
    cv.notes.push(format!(
        "deterministic equivalent of mu_S = mu_Sigma boxtimes MP_y (y = {y}) by contour integrals (THEORY 9.5)"
    ));
    cv.with(train, pop)
}

/// The sizes and runs of `face`'s numeric reference on the (mean-1 law's) face times `times`:
/// from `opts.reference_budget` when set, else `opts.free` as given; costed by the engines' plan.
fn reference_plan(
    face: numeric::NumericFace,
    times: &[f64],
    law: &LawContext,
    opts: &CurveOptions,
) -> Result<numeric::ReferencePlan, RegimeError> {
    let speed = crate::budget::FLOPS_PER_SEC;
    match opts.reference_budget {
        Some(b) => numeric::plan_reference(face, law, times, b, speed),
        None => numeric::explicit_plan(face, law, times, &opts.free.sizes, opts.free.seeds, speed),
    }
}

/// The numeric face of `regime` with a spectrum (large-data and the free face and its
/// large-data edge, whose laws are simulated), None for a face with a closed form.
fn numeric_face(
    regime: Regime,
    get: &dyn Fn(ConstName) -> Option<f64>,
) -> Option<numeric::NumericFace> {
    let (d, l) = regime.parts();
    let r = get(ConstName::R).unwrap_or(1.0);
    match l {
        LatentPart::Whole if d == DataPart::Large => Some(numeric::NumericFace::LargeData {
            q: get(ConstName::Q).unwrap_or(1.0),
            r,
        }),
        LatentPart::Free if d != DataPart::Small => Some(numeric::NumericFace::Free {
            r,
            y: if d == DataPart::Large {
                0.0
            } else {
                get(ConstName::Y).unwrap_or(0.0)
            },
        }),
        _ => None,
    }
}

/// The planned simulations of `regime`'s numeric reference with `law` on the face times
/// `times` (None where the face's law has a closed form): the sizes and runs that
/// [`limit_curve_law`] will use, and their cost. For the resource guards before any work.
pub fn numeric_reference_plan(
    regime: Regime,
    constants: &super::Constants,
    law: &LawContext,
    times: &[f64],
    opts: &CurveOptions,
) -> Result<Option<numeric::ReferencePlan>, RegimeError> {
    if law.normalized.is_identity() && law.scale == 1.0 {
        return Ok(None);
    }
    let k = regime.resolve(constants)?;
    let names = regime.constants();
    let get = |n: ConstName| names.iter().position(|&m| m == n).map(|i| k[i]);
    let Some(face) = numeric_face(regime, &get) else {
        return Ok(None);
    };
    let scaled: Vec<f64> = times.iter().map(|t| law.scale * t).collect();
    reference_plan(face, &scaled, law, opts).map(Some)
}

/// The numeric references of the faces with no closed form with a spectrum (large-data; the
/// free face and its large-data edge: [`numeric_face`]), as curve values with error bars
/// ([`numeric`]). Sizes and runs: chosen from `opts.reference_budget` when it is set
/// ([`numeric::plan_reference`] at the nominal speed [`crate::budget::FLOPS_PER_SEC`], so the
/// choice is the same on every machine), else `opts.free.sizes` and `opts.free.seeds` as given;
/// the seed is `opts.free.seed` either way.
fn numeric_curve(
    face: numeric::NumericFace,
    times: &[f64],
    law: &LawContext,
    opts: &CurveOptions,
) -> Result<CurveValues, RegimeError> {
    let large = matches!(face, numeric::NumericFace::LargeData { .. });
    let plan = reference_plan(face, times, law, opts)?;
    let mut free = opts.free.clone();
    let plan_note = plan.budget_secs.map(|budget| {
        format!(
            "sizes and runs chosen from a budget of {budget} s at the nominal {:.0e} flops/s (the engines' cost plan; the same on every machine): p = {:?}, {} runs each, about {:.1e} flops (--free-sizes sets them instead)",
            plan.flops_per_sec, plan.sizes, plan.seeds, plan.flops
        )
    });
    free.sizes = plan.sizes;
    free.seeds = plan.seeds;
    let reference = numeric::reference(face, law, times, &free)?;
    let mut cv = CurveValues::new(super::CurveMethod::Extrapolated {
        sizes: free.sizes.clone(),
        seeds: free.seeds,
    });
    cv.notes.push(format!(
        "NO CLOSED FORM with a spectrum (THEORY 9.5 {}): numeric reference from simulations ({}) with the covariance's quantile eigenvalues, extrapolated linearly in 1/p (error bars are standard errors of the extrapolation)",
        if large { "F1" } else { "F4" },
        if large { "the full model at N = inf, S = Sigma" } else { "the reduced flow" }
    ));
    cv.notes.extend(plan_note);
    cv.train_err = Some(reference.train_err);
    cv.pop_err = Some(reference.pop_err);
    cv.with(reference.train, reference.pop)
}

// ---------------------------------------------------------------------------------------------
// Exact series with moments.

/// The free moment `E_{mu_S}[lam^k] = phi(S^k)` (`law = false`) or `E_nu[lam^k] = phi(Sigma S^k)`
/// (`law = true`) as a polynomial in (y, m1..m12), or in (m1..m12) at y = 0 (the N = inf
/// value) when `with_y` is false (THEORY 9.2:
/// `phi(S^n) = sum_{pi in NC(n)} y^{n - |pi|} prod_{B in K(pi)} m_{|B|}`). It combines by
/// name with a face's polynomials.
pub fn s_moment(k: usize, nu: bool, with_y: bool) -> Result<Poly, RegimeError> {
    let mut w = String::new();
    if nu {
        w.push('T');
    }
    w.extend(std::iter::repeat_n('S', k));
    let p = if w.is_empty() {
        Poly::constant(
            &crate::expansion::aniso::aniso_leading_vars(),
            crate::poly::rat(1),
        )
    } else {
        let word = Word3::parse(&w).ok_or_else(|| RegimeError::Series {
            face: "moments",
            reason: format!("word S^{k} is too long"),
        })?;
        free_moment(word).map_err(|e| RegimeError::Series {
            face: "moments",
            reason: e.to_string(),
        })?
    };
    // No A in the word: r and q do not occur.
    let p = p.coefficient("r", 0).coefficient("q", 0);
    Ok(if with_y { p } else { p.coefficient("y", 0) })
}

/// [`super::restrict`] with moments: the aniso leading coefficient `c_s` (variables
/// `r, q, y, m1..m12`) restricted to the face, in the face's constants followed by the moments
/// (the moments are kept by name, so this is [`super::restrict`] itself).
pub fn restrict_law(regime: Regime, loss: Loss, s: usize, c_s: &Poly) -> Poly {
    super::restrict(regime, loss, s, c_s)
}

/// [`super::lift`] with moments: a face series coefficient (constants then moments) written in
/// `(r, q, y, m..)` (the moments are kept by name, so this is [`super::lift`] itself).
pub fn lift_law(regime: Regime, loss: Loss, s: usize, p: &Poly) -> Poly {
    super::lift(regime, loss, s, p)
}

/// The default [`super::faces::Face::series_law`]: the series with moments of a sub-face as the
/// restriction of its parent face's lifted series (THEORY 5.3/5.4: a sub-face's limit is the
/// limit of its face's limit), the parent being, by the parts: small-data for the small side,
/// else mean-field (mean-field, mean-field+free), narrow-latent (narrow-latent, linear,
/// narrow-free); the large-data side restricts the finite-alpha face (`l = 0`). Faces with no
/// closed form (the whole triangle, the free edge) take the hierarchy with moments restricted
/// to them: for them the series is computed, not confirmed.
pub fn derived_series(
    regime: Regime,
    max_order: usize,
) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
    let (d, l) = regime.parts();
    let parent = match (d, l) {
        (DataPart::Small, LatentPart::Whole) | (_, LatentPart::Whole | LatentPart::Free) => None,
        (DataPart::Small, _) => Some(Regime::SmallData),
        (_, LatentPart::MeanField | LatentPart::MeanFieldFree) => Some(Regime::MeanField),
        (_, LatentPart::NarrowLatent | LatentPart::Linear | LatentPart::NarrowFree) => {
            Some(Regime::NarrowLatent)
        }
    };
    match parent {
        Some(p) if p != regime => {
            let (tr, pop) = p.face().series_law(max_order)?;
            let f = |loss: Loss, v: &[Poly]| -> Vec<Poly> {
                v.iter()
                    .enumerate()
                    .map(|(s, c)| restrict_law(regime, loss, s, &lift_law(p, loss, s, c)))
                    .collect()
            };
            Ok((f(Loss::Train, &tr), f(Loss::Pop, &pop)))
        }
        _ => hierarchy_series(regime, max_order),
    }
}

/// The hierarchy with moments (g = 0, free probability) up to `max_order`, both losses.
pub fn hierarchy_law(max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
    let get = |loss| {
        crate::expansion::aniso::free::leading_coefficients_aniso(max_order, loss).map_err(|e| {
            RegimeError::Series {
                face: "hierarchy with moments",
                reason: e.to_string(),
            }
        })
    };
    Ok((get(Loss::Train)?, get(Loss::Pop)?))
}

/// The hierarchy with moments restricted to `regime`.
pub fn hierarchy_series(
    regime: Regime,
    max_order: usize,
) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
    let (tr, pop) = hierarchy_law(max_order)?;
    let f = |loss: Loss, v: &[Poly]| -> Vec<Poly> {
        v.iter()
            .enumerate()
            .map(|(s, c)| restrict_law(regime, loss, s, c))
            .collect()
    };
    Ok((f(Loss::Train, &tr), f(Loss::Pop, &pop)))
}

/// The exact series with moments of `regime` (variables [`law_series_names`]): coefficients are
/// polynomials in the face's constants and `m1..m12`, valid for every law with finite moments.
pub fn limit_series_law(regime: Regime, max_order: usize) -> Result<LimitSeries, RegimeError> {
    if max_order + 1 > MAX_MOMENTS {
        return Err(RegimeError::Series {
            face: regime.name(),
            reason: format!("orders up to {} with moments", MAX_MOMENTS - 1),
        });
    }
    let (train, pop) = regime.face().series_law(max_order)?;
    let vars = law_vars(regime);
    let fix = |v: Vec<Poly>| v.iter().map(|p| p.reorder(&vars)).collect();
    Ok(LimitSeries {
        regime,
        constants: law_series_names(regime),
        train: fix(train),
        pop: fix(pop),
    })
}

/// The series with moments evaluated at a law's exact moments (`law` as given, any mean): a
/// series in the face's constants only; for atoms with rational values the coefficients are
/// exact rationals. Refused when the law has an infinite moment that occurs (the limit is then
/// not analytic at t = 0, THEORY 9.6).
pub fn limit_series_at_law(
    regime: Regime,
    max_order: usize,
    law: &SpectrumLaw,
) -> Result<LimitSeries, RegimeError> {
    let ls = limit_series_law(regime, max_order)?;
    let sub = |v: &[Poly]| -> Result<Vec<Poly>, RegimeError> {
        v.iter()
            .map(|p| {
                crate::expansion::aniso::substitute_law(p, law).map_err(|e| {
                    RegimeError::NotAnalytic {
                        face: regime.name(),
                        reason: format!(
                            "{e}: the limit is not analytic at t = 0 and has no Taylor series (THEORY 9.6)"
                        ),
                    }
                })
            })
            .collect()
    };
    Ok(LimitSeries {
        regime,
        constants: regime.constant_names(),
        train: sub(&ls.train)?,
        pop: sub(&ls.pop)?,
    })
}

/// [`super::confirm`] with moments: the series with moments against the aniso hierarchy
/// (`train[s]`, `pop[s]` in `r, q, y, m..`) restricted to the face, exactly.
pub fn confirm_law(series: &LimitSeries, train: &[Poly], pop: &[Poly]) -> super::ConfirmReport {
    let regime = series.regime;
    let mut checks = Vec::new();
    let mut max_order = 0;
    for (loss, hier) in [(Loss::Train, train), (Loss::Pop, pop)] {
        let lim = series.coeffs(loss);
        for s in 0..lim.len().min(hier.len()) {
            let h = restrict_law(regime, loss, s, &hier[s]);
            max_order = max_order.max(s);
            checks.push(super::OrderCheck {
                loss,
                s,
                agrees: h == lim[s],
                limit: lim[s].format(PolyFormat::Text),
                hierarchy: h.format(PolyFormat::Text),
            });
        }
    }
    super::ConfirmReport {
        regime,
        max_order,
        checks,
    }
}

/// Compute the hierarchy with moments to the series' order and [`confirm_law`].
pub fn verify_law(series: &LimitSeries) -> Result<super::ConfirmReport, RegimeError> {
    let order = series.train.len().saturating_sub(1);
    let (tr, pop) = hierarchy_law(order)?;
    Ok(confirm_law(series, &tr, &pop))
}

#[cfg(test)]
mod tests;
