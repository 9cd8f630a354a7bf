//! F4, free (q -> infinity): the reduced cubic flow. Closed form only at alpha = infinity;
//! at finite alpha a numerical limit (reduced-flow simulations extrapolated in 1/p).

use super::edges::large_free;
use super::prelude::*;

/// F4, `free` ([`Regime::Free`]).
#[derive(Clone, Copy, Debug)]
pub struct Free;

impl Face for Free {
    fn regime(&self) -> Regime {
        Regime::Free
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "q -> inf with r, alpha finite",
            summary: "F4, the reduced cubic flow dAt/dtau = -(S At^2 + 2 At S At + At^2 S) in tau = q t, losses O(q^2); closed form (eta-transform) only at alpha = infinity, otherwise no closed form is known.",
            words: "Targets drop out: dAt/dtau = -(S At^2 + 2 At S At + At^2 S), l_tr/q^2 = (1/2) phi(S At^2), l_pop/q^2 = (1/2) phi(At^2). At alpha = inf: (r/2) E_{MP_r}[lam^2/(1+4 tau lam)^2] = (r/(2u^2))[1 - eta_r(u) + u eta_r'(u)], u = 4 tau. At finite alpha no closed form is known: numerical limit of the reduced flow, plus the exact series.",
            latex: r"\frac{\ell_{tr}}{q^2}=\tfrac12\varphi(S\tilde A^2),\ \frac{\ell_{pop}}{q^2}=\tfrac12\varphi(\tilde A^2),\ \frac{d\tilde A}{d\tau}=-(S\tilde A^2+2\tilde AS\tilde A+\tilde A^2S);\ \alpha=\infty:\ \frac{r}{2u^2}\big[1-\eta_r(u)+u\eta_r'(u)\big],\ u=4\tau",
            derivation: "\
q -> inf: rescale W = sqrt(q) Wt and tau = q t. The target terms of the gradient are O(1/q)
relative to the cubic ones and drop out: dAt/dtau = -(S At^2 + 2 At S At + At^2 S), the gradient
flow of (1/2) tr(S A^2); l_tr/q^2 -> (1/2) phi(S At^2), l_pop/q^2 -> (1/2) phi(At^2).
With S = I (alpha = inf) dAt/dtau = -4 At^2, At = At0 (I + 4 tau At0)^{-1}, and the average over
MP_r is a closed form in the eta-transform. At finite alpha the flow does not preserve commutation
with S and the (At, S) moment hierarchy does not close: NO CLOSED FORM IS KNOWN. prism gives
(1) the exact Taylor series in tau, from the reduced flow through free probability (At0 free
Poisson with cumulants r, S free Poisson with cumulants y^(n-1)), and (2) the numerical limit:
simulations of the reduced flow at growing p, extrapolated in 1/p, with error bars.
Hierarchy side: j = s + 2. Valid for tau << q; correction O(1/q).",
        }
    }

    fn curve(
        &self,
        k: &[f64],
        times: &[f64],
        opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let mut cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            let (r, y) = (k[0], k[1]);
            if y == 0.0 {
                cv.notes
                    .push("alpha = infinity: closed form through the eta-transform".into());
                let v = large_free(r, times, opts.quad_tol)?;
                (v.clone(), v)
            } else {
                cv.notes.push("no closed form is known on the free face at finite alpha: the curve is the numerical limit of the reduced flow dAt/dtau = -(S At^2 + 2 At S At + At^2 S), simulated at growing p and extrapolated in 1/p (error bars are standard errors)".into());
                let fl = free_numeric(r, y, times, &opts.free)?;
                cv.method = CurveMethod::Extrapolated {
                    sizes: opts.free.sizes.clone(),
                    seeds: opts.free.seeds,
                };
                cv.notes.push(format!(
                    "time-step check at p = {}: halving dtau changes the means by at most {:.1e}",
                    opts.free.sizes.first().copied().unwrap_or(0),
                    fl.step_check
                ));
                cv.train_err = Some(fl.train_err);
                cv.pop_err = Some(fl.pop_err);
                (fl.train, fl.pop)
            }
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        Ok(free_face_derivatives(max_order))
    }
}

/// Numerical free-face limit at finite alpha.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FreeNumeric {
    /// Extrapolated `l_tr/q^2`.
    pub train: Vec<f64>,
    /// Extrapolated `l_pop/q^2`.
    pub pop: Vec<f64>,
    /// Standard errors of the extrapolation (inflated by sqrt(chi^2/dof) when the 1/p fit is
    /// poor).
    pub train_err: Vec<f64>,
    /// Standard errors of the extrapolation.
    pub pop_err: Vec<f64>,
    /// The sizes used and, per size, the ensemble means `(p, H, N, train, pop)`.
    pub per_size: Vec<FreeSize>,
    /// Largest |difference| between the default step and half of it at the smallest p (same
    /// seeds), over both losses and all times.
    pub step_check: f64,
}

/// One size of the free-face extrapolation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FreeSize {
    /// Input dimension.
    pub p: usize,
    /// Latent dimension (round(r p)).
    pub h: usize,
    /// Samples (round(p / y)).
    pub n: usize,
    /// Ensemble mean of l_tr/q^2.
    pub train: Vec<f64>,
    /// Its standard error.
    pub train_sem: Vec<f64>,
    /// Ensemble mean of l_pop/q^2.
    pub pop: Vec<f64>,
    /// Its standard error.
    pub pop_sem: Vec<f64>,
}

/// Weighted least squares of `v = a + b x`; returns `(a, se(a))`, the standard error inflated by
/// `sqrt(chi^2/dof)` when that exceeds 1.
fn extrapolate(x: &[f64], v: &[f64], se: &[f64]) -> (f64, f64) {
    // Guard zero standard errors (e.g. at tau = 0 with identical means) with a tiny floor.
    let w: Vec<f64> = se
        .iter()
        .zip(v)
        .map(|(s, vv)| 1.0 / (s * s).max(1e-30 * (1.0 + vv * vv)))
        .collect();
    let (mut s0, mut s1, mut s2, mut t0, mut t1) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..x.len() {
        s0 += w[i];
        s1 += w[i] * x[i];
        s2 += w[i] * x[i] * x[i];
        t0 += w[i] * v[i];
        t1 += w[i] * x[i] * v[i];
    }
    let det = s0 * s2 - s1 * s1;
    let a = (s2 * t0 - s1 * t1) / det;
    let b = (s0 * t1 - s1 * t0) / det;
    let var_a = s2 / det;
    let dof = x.len().saturating_sub(2);
    let mut chi2 = 0.0;
    for i in 0..x.len() {
        let r = v[i] - a - b * x[i];
        chi2 += w[i] * r * r;
    }
    let inflate = if dof > 0 {
        (chi2 / dof as f64).max(1.0)
    } else {
        1.0
    };
    (a, (var_a * inflate).sqrt())
}

/// The free-face limit at finite alpha. No closed form is known (THEORY 5.2, F4): the reduced
/// flow `dAt/dtau = -(S At^2 + 2 At S At + At^2 S)` is simulated by [`crate::sim::free_flow`]
/// (fast mode, RK4) at each size p in `opts.sizes` with `H = round(r p)`, `N = round(p / y)`,
/// `opts.seeds` runs each, and the ensemble means are extrapolated linearly in 1/p by weighted
/// least squares (THEORY: the reduced curve is self-averaging with O(1/p) differences). Both
/// losses at tau = 0 serve as control variates (their exact finite-p mean is
/// `r_p (r_p + 1 + 1/p)/2`), which cuts the variance several-fold at small tau. The smallest size
/// is rerun with half the step as a step check. Times: face times tau. Cost: dominated by the
/// largest size, `seeds * steps * 4` field evaluations of `O(min(H,p)^2 max(H,p))`.
pub fn free_numeric(
    r: f64,
    y: f64,
    times: &[f64],
    opts: &FreeNumericOptions,
) -> Result<FreeNumeric, RegimeError> {
    use crate::sim::{free_flow, FreeFlowParams, Record};
    if opts.sizes.len() < 2 || opts.seeds < 2 {
        return Err(RegimeError::BadConstant {
            name: "sizes/seeds",
            value: opts.sizes.len() as f64,
            reason: "the extrapolation needs at least two sizes and two seeds",
        });
    }
    // Distinct sorted record times, always including 0 (the control variate).
    let mut uniq: Vec<f64> = times.to_vec();
    uniq.push(0.0);
    uniq.sort_by(|a, b| a.total_cmp(b));
    uniq.dedup();
    let tau_max = uniq.last().copied().unwrap_or(0.0);
    let sim_err = |e: crate::sim::SimError| RegimeError::Simulation(e.to_string());
    let mut per_size = Vec::new();
    let mut step_check = 0.0f64;
    for (idx, &p) in opts.sizes.iter().enumerate() {
        let h = ((r * p as f64).round() as usize).max(1);
        let n = ((p as f64 / y).round() as usize).max(1);
        let mut fp = FreeFlowParams::new(p, h, Some(n), tau_max);
        fp.record = Record::Times(uniq.clone());
        fp.seeds = opts.seeds;
        fp.seed = opts.seed;
        let res = free_flow(&fp).map_err(sim_err)?;
        if idx == 0 {
            let mut half = fp.clone();
            half.dtau = Some(0.5 * fp.dtau());
            let r2 = free_flow(&half).map_err(sim_err)?;
            for i in 0..uniq.len() {
                step_check = step_check
                    .max((r2.train_mean[i] - res.train_mean[i]).abs())
                    .max((r2.pop_mean[i] - res.pop_mean[i]).abs());
            }
        }
        // Control variates: both losses at tau = 0 have the exact finite-p mean
        // E (1/2p) tr(S At0^2) = E (1/2p) tr(At0^2) = (1/2) r_p (r_p + 1 + 1/p), r_p = H/p.
        let rp = h as f64 / p as f64;
        let mu0 = 0.5 * rp * (rp + 1.0 + 1.0 / p as f64);
        let c0: Vec<[f64; 2]> = res
            .runs
            .iter()
            .map(|run| [run.train[0] - mu0, run.pop[0] - mu0])
            .collect();
        let adj = |pick: &dyn Fn(&crate::sim::RunCurves) -> &Vec<f64>| -> (Vec<f64>, Vec<f64>) {
            let vals: Vec<Vec<f64>> = res.runs.iter().map(|r| pick(r).clone()).collect();
            crate::stats::control_variate(&vals, &c0)
        };
        let (tr_m, tr_s) = adj(&|r| &r.train);
        let (po_m, po_s) = adj(&|r| &r.pop);
        let res = crate::sim::SimResult {
            train_mean: tr_m,
            train_sem: tr_s,
            pop_mean: po_m,
            pop_sem: po_s,
            ..res
        };
        per_size.push(FreeSize {
            p,
            h,
            n,
            train: res.train_mean,
            train_sem: res.train_sem,
            pop: res.pop_mean,
            pop_sem: res.pop_sem,
        });
    }
    // The instance's own ratios differ from (r, y) by rounding; the extrapolation variable is
    // 1/p (the rounding error is O(1/p) too and is absorbed by the fit).
    let x: Vec<f64> = per_size.iter().map(|f| 1.0 / f.p as f64).collect();
    let mut out = FreeNumeric {
        train: vec![],
        pop: vec![],
        train_err: vec![],
        pop_err: vec![],
        per_size: vec![],
        step_check,
    };
    let mut tr_u = Vec::new();
    let mut po_u = Vec::new();
    for i in 0..uniq.len() {
        let col = |f: &FreeSize, tr: bool| {
            if tr {
                (f.train[i], f.train_sem[i])
            } else {
                (f.pop[i], f.pop_sem[i])
            }
        };
        for (tr, dst) in [(true, &mut tr_u), (false, &mut po_u)] {
            let v: Vec<f64> = per_size.iter().map(|f| col(f, tr).0).collect();
            let se: Vec<f64> = per_size.iter().map(|f| col(f, tr).1).collect();
            dst.push(extrapolate(&x, &v, &se));
        }
    }
    for &t in times {
        let i = uniq.iter().position(|u| *u == t).expect("time recorded");
        out.train.push(tr_u[i].0);
        out.train_err.push(tr_u[i].1);
        out.pop.push(po_u[i].0);
        out.pop_err.push(po_u[i].1);
    }
    out.per_size = per_size;
    Ok(out)
}

/// The exact initial slope of the free face's population quantity with a spectrum (THEORY 9.5
/// F4), mean-1 law, any alpha:
/// `d(l_pop/q^2)/dtau at 0 = -[(3 + m2) phi(A^3) + 3 (m2 - 1) phi(A^2) phi(A)]` with
/// `phi(A) = r`, `phi(A^2) = r + r^2`, `phi(A^3) = r + 3 r^2 + r^3` (exact rationals; m2 = 1 gives
/// the isotropic `-4 r (1 + 3r + r^2)`). Confirmed against the hierarchy with moments in the
/// tests of [`crate::regimes::spectral`].
pub fn free_population_slope(
    r: &num_rational::BigRational,
    m2: &num_rational::BigRational,
) -> num_rational::BigRational {
    let one = rat(1);
    let a1 = r.clone();
    let a2 = r + r * r;
    let a3 = r + rat(3) * r * r + r * r * r;
    -((rat(3) + m2) * a3 + rat(3) * (m2 - &one) * a2 * a1)
}
