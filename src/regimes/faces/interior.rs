//! The interior (`proportional`): r, q and alpha all finite. No limit equation and no closed
//! form; its exact series is the g = 0 hierarchy itself.

use super::prelude::*;

/// interior, `proportional` ([`Regime::Proportional`]).
#[derive(Clone, Copy, Debug)]
pub struct Proportional;

impl Face for Proportional {
    fn regime(&self) -> Regime {
        Regime::Proportional
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "r, q and alpha all finite (every leading diagram survives)",
            summary: "none in closed form: every leading diagram survives (r, q, alpha all finite); prism gives the exact leading series and checks it against simulation.",
            words: "No closed form is known: the exact leading series (the g = 0 hierarchy) and simulation.",
            latex: r"\text{no closed form: } \ell(t) = \sum_s c_s^{(g=0)}(r,q,1/\alpha)\, t^s/s!",
            derivation: "\
r, q and alpha all finite: the direction u is 0 and the face is the whole prism, so every leading
monomial of every c_s survives. The flow is nonlinear in W, A0 and S do not commute, and the
moment hierarchy of (A, S) does not close: no closed form is known. What is exact is the leading
series l(t) = sum_s c_s^{(g=0)}(r, q, 1/alpha) t^s/s! (the hierarchy itself), to the order the
expansion reaches; beyond its apparent radius of convergence use simulation (prism simulate,
prism check).",
        }
    }

    fn curve(
        &self,
        _k: &[f64],
        _times: &[f64],
        _opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        Err(RegimeError::NoClosedForm {
                face: Regime::Proportional.name(),
                hint: "r, q and alpha all finite keep every leading diagram; no closed form is known. Use the exact leading series (prism limit --series) and simulation (prism simulate / prism check)",
            })
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        interior_series(max_order)
    }
}

/// The interior: the hierarchy's leading coefficients restricted to the whole prism
/// ([`crate::regimes::restrict`]), i.e. written in the face's constants (q, r, y).
pub(crate) fn interior_series(max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
    let get = |loss: Loss| -> Result<Vec<Poly>, RegimeError> {
        let c = crate::expansion::leading_coefficients(max_order, loss).map_err(|e| {
            RegimeError::Series {
                face: "proportional",
                reason: e.to_string(),
            }
        })?;
        Ok(c.iter()
            .enumerate()
            .map(|(s, p)| crate::regimes::restrict(Regime::Proportional, loss, s, p))
            .collect())
    };
    Ok((get(Loss::Train)?, get(Loss::Pop)?))
}
