//! The embedded Runge-Kutta pair of Dormand and Prince, 5(4), with first-same-as-last (FSAL)
//! stages and step-size control: the default integrator for the gradient *flow*.
//!
//! # The method
//!
//! Seven stages k_1..k_7 with k_i = V(y + h sum_j a_ij k_j); the fifth-order solution
//! y_1 = y + h sum_i b_i k_i is propagated (local extrapolation) and the embedded fourth-order
//! one gives the error estimate e = h sum_i (b_i - bhat_i) k_i. Since the last stage is
//! evaluated at y_1 (a_7j = b_j), k_7 of an accepted step is k_1 of the next: 6 field
//! evaluations per attempted step.
//!
//! # Error control
//!
//! `rtol` is the accuracy asked of the *losses* the run records: the integration error of a
//! recorded loss l(t) should stay below rtol max(l(t), LOSS_FLOOR l_max). The losses, not the
//! state, are what is checked, and a state-relative error control does not deliver this: the
//! train loss of a large initialization (q >> 1) decays by many orders of magnitude while W
//! stays large, so an error rtol ||W|| in the state is a huge relative error in the loss.
//!
//! The flows integrated here are gradient flows, V = -grad Phi with the potential Phi = p l_tr
//! (both for the flow on L_tr and for the free flow; the engines' states are isometric images
//! of W, so the gradient is the Frobenius one of the state). The controller is given Phi of
//! every stage-7 state (read off the traces the field returns) and bounds the local error
//! estimate e in three ways; err = max of the three ratios, a step is accepted when err <= 1:
//!
//! 1. first order in the loss: Phi(y_1) - Phi(y_1 - e) = <grad Phi(y_1), e> + O(e^2)
//!    = -<k_7, e> + O(e^2), free since k_7 = V(y_1) is the FSAL stage:
//!    |<k_7, e>| <= rtol Phi_s with Phi_s = max(Phi(y_1), LOSS_FLOOR Phi_max);
//! 2. the state, normwise and relatively: ||e||_2 <= rtol g max(||y||_2, ||y_1||_2), rotation
//!    invariant (the fast and physical modes differ by rotations) and scale free. This also
//!    bounds the error of the population loss, which has no cheap gradient here, and the
//!    components of e orthogonal to V that later rotate into the loss;
//! 3. second order in the loss, through the factor g = min(1, sqrt(Phi_s / (C rtol Phi_max))):
//!    a state error of relative size eps changes Phi by up to (1/2) L eps^2 ||y||^2 (L the
//!    curvature of Phi), with no first-order term near a zero-loss minimum (H >= N), and on
//!    these flows (1/2) L ||y||^2 is of the order of the largest potential of the run Phi_max
//!    (both are quartic forms in W of the same size at t = 0, and Phi decreases along the flow,
//!    so Phi_max = Phi(0)). Then eps <= rtol g gives a second-order change <= rtol Phi_s / C.
//!    This tightens the state control only once the loss has fallen below rtol Phi_max, i.e.
//!    only in the late, slowly varying phase (at worst by sqrt(LOSS_FLOOR / (C rtol)) on the
//!    state tolerance, a factor (C rtol / LOSS_FLOOR)^(1/10) on the steps).
//!
//! Below LOSS_FLOOR Phi_max (1e-8) the loss is controlled in absolute terms: the potential is
//! read off traces of size ~Phi_max, whose rounding leaves no relative accuracy to control far
//! below that, and no comparison of loss curves resolves it. The constant C = 32 and the
//! margins were calibrated on the grid p = 100, H in {p/2, 2p}, N in {p/2, 2p}, q in
//! {1/4, 1, 4, 16}, t <= 20 against a reference at rtol 1e-12: the largest measured error of a
//! recorded loss is below rtol max(l, LOSS_FLOOR l_max) (tests/sim_adaptive.rs checks the
//! hardest shapes). Without a potential (`None`) only the state criterion (g = 1) is used.
//!
//! The next step is h min(5, max(0.1, 0.9 err^(-0.17) err_prev^(0.04))) with err_prev the error
//! of the last accepted step (the PI controller of Hairer's DOPRI5, which damps the
//! accept/reject oscillation at the stability boundary); after a rejection the step is not
//! increased. Steps are clamped so that every record time is hit exactly; a clamped step does
//! not shrink the next proposal. The initial step follows Hairer, Norsett and Wanner (Solving
//! ODEs I, II.4), one extra evaluation.
//!
//! Every quantity (norms included) is computed from the run's own state in a fixed order, so the
//! step sequence of a run depends on its seed only, not on threads or on other runs.

use super::linalg::{axpy_into, lincomb_into, norm2, sum_chunks};

/// Runge-Kutta matrix (the field is autonomous, so the nodes c_i are not needed), row i holds a_i1..a_i(i-1).
const A: [&[f64]; 7] = [
    &[],
    &[0.2],
    &[3.0 / 40.0, 9.0 / 40.0],
    &[44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0],
    &[
        19372.0 / 6561.0,
        -25360.0 / 2187.0,
        64448.0 / 6561.0,
        -212.0 / 729.0,
    ],
    &[
        9017.0 / 3168.0,
        -355.0 / 33.0,
        46732.0 / 5247.0,
        49.0 / 176.0,
        -5103.0 / 18656.0,
    ],
    &[
        35.0 / 384.0,
        0.0,
        500.0 / 1113.0,
        125.0 / 192.0,
        -2187.0 / 6784.0,
        11.0 / 84.0,
    ],
];
/// b - bhat (error weights).
const E: [f64; 7] = [
    71.0 / 57600.0,
    0.0,
    -71.0 / 16695.0,
    71.0 / 1920.0,
    -17253.0 / 339200.0,
    22.0 / 525.0,
    -1.0 / 40.0,
];

/// Fraction of the tolerance allowed to the local error of the state (criterion 2 of the
/// module docs).
const STATE_MARGIN: f64 = 1.0;
/// Fraction of the tolerance allowed to the first-order local error of the potential
/// (criterion 1).
const LOSS_MARGIN: f64 = 1.0;
/// The constant C of the second-order criterion 3: (1/2) L ||y||^2 <= C Phi_max with margin.
const SECOND_ORDER_C: f64 = 32.0;
/// Below this fraction of the largest potential of the run, the potential's error is
/// controlled in absolute terms (at rtol LOSS_FLOOR Phi_max).
const LOSS_FLOOR: f64 = 1e-8;

/// Smallest step relative to max(1, t) before the run is declared diverged.
const H_MIN_REL: f64 = 1e-13;
/// Consecutive rejections before the run is declared diverged.
const MAX_REJECTS: u32 = 60;

/// Failure of the controller: the step collapsed or the state is no longer finite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct StepFailure {
    /// Time reached.
    pub t: f64,
    /// Last step tried.
    pub h: f64,
}

/// Dormand-Prince 5(4) state: stage buffers of the flattened state and the controller.
pub(crate) struct Dopri5 {
    k: Vec<Vec<f64>>,
    tmp: Vec<f64>,
    y1: Vec<f64>,
    /// Proposed next step (0 before the first step).
    pub h: f64,
    /// Relative tolerance.
    pub rtol: f64,
    /// Whether k[0] holds V(y) of the current state.
    fsal: bool,
    /// Accepted steps.
    pub accepted: u64,
    /// Rejected steps.
    pub rejected: u64,
    /// Field evaluations.
    pub evals: u64,
    /// Smallest and largest accepted steps.
    pub h_min: f64,
    /// Largest accepted step.
    pub h_max: f64,
    /// Error of the last accepted step (PI control).
    err_prev: f64,
    /// Largest |potential| seen in the run (the scale of [`LOSS_FLOOR`]).
    phi_max: f64,
}

impl Dopri5 {
    /// Buffers for states of `len` entries.
    pub fn new(len: usize, rtol: f64) -> Self {
        Dopri5 {
            k: (0..7).map(|_| vec![0.0; len]).collect(),
            tmp: vec![0.0; len],
            y1: vec![0.0; len],
            h: 0.0,
            rtol,
            fsal: false,
            accepted: 0,
            rejected: 0,
            evals: 0,
            h_min: f64::INFINITY,
            h_max: 0.0,
            err_prev: 1e-4,
            phi_max: 0.0,
        }
    }

    /// V(y) into k[0] (with traces), marking it valid for the next step.
    pub fn eval_start<T>(
        &mut self,
        y: &[f64],
        f: &mut impl FnMut(&[f64], &mut [f64], bool) -> T,
        full: bool,
    ) -> T {
        self.evals += 1;
        let out = f(y, &mut self.k[0], full);
        self.fsal = true;
        out
    }

    /// Records the potential of a state of the run (the scale of [`LOSS_FLOOR`]); call it with
    /// the initial state's potential when the first evaluation was made by [`Self::eval_start`].
    pub fn observe_potential(&mut self, phi: f64) {
        if phi.is_finite() {
            self.phi_max = self.phi_max.max(phi.abs());
        }
    }

    fn initial_step<T>(
        &mut self,
        y: &[f64],
        f: &mut impl FnMut(&[f64], &mut [f64], bool) -> T,
    ) -> f64 {
        let d0 = norm2(y);
        let d1 = norm2(&self.k[0]);
        let h0 = if d0 < 1e-300 || d1 < 1e-300 {
            1e-6
        } else {
            0.01 * d0 / d1
        };
        axpy_into(&mut self.tmp, y, h0, &self.k[0]);
        self.evals += 1;
        f(&self.tmp, &mut self.k[1], false);
        let mut diff = 0.0;
        for (a, b) in self.k[1].iter().zip(&self.k[0]) {
            diff += (a - b) * (a - b);
        }
        let d2 = diff.sqrt() / h0 / (self.rtol * d0.max(1e-300));
        let d1s = d1 / (self.rtol * d0.max(1e-300));
        let h1 = if d1s.max(d2) <= 1e-15 {
            (h0 * 1e-3).max(1e-6)
        } else {
            (0.01 / d1s.max(d2)).powf(0.2)
        };
        (100.0 * h0).min(h1)
    }

    /// Advance `y` from `t` to exactly `t_end`. `on_accept(traces of the new state, t)` is called
    /// after every accepted step; the traces are full (`full = true`) at `t_end`. Returns the
    /// traces of the state at `t_end`, or a failure if the step collapses / values blow up, or
    /// the error of `on_accept`.
    #[allow(clippy::too_many_arguments)]
    pub fn advance<T, Err>(
        &mut self,
        y: &mut [f64],
        t: &mut f64,
        t_end: f64,
        f: &mut impl FnMut(&[f64], &mut [f64], bool) -> T,
        potential: Option<&dyn Fn(&T) -> f64>,
        mut on_accept: impl FnMut(&T, f64) -> Result<(), Err>,
        fail: impl Fn(StepFailure) -> Err,
    ) -> Result<Option<T>, Err> {
        let mut last: Option<T> = None;
        if !self.fsal {
            let out = self.eval_start(y, f, true);
            if let Some(phi) = potential {
                self.observe_potential(phi(&out));
            }
            last = Some(out);
        }
        if self.h <= 0.0 {
            self.h = self.initial_step(y, f);
        }
        let mut rejects_in_row = 0u32;
        while *t < t_end {
            let remaining = t_end - *t;
            let (h, lands) = if self.h >= remaining * (1.0 - 1e-12) {
                (remaining, true)
            } else {
                (self.h, false)
            };
            // Stages 2..7.
            for i in 1..7 {
                let (done, rest) = self.k.split_at_mut(i);
                lincomb_into(&mut self.tmp, y, h, A[i], done);
                self.evals += 1;
                // The last stage is evaluated at y_1 (FSAL); full traces when it is a record.
                let out = f(&self.tmp, &mut rest[0], i == 6 && lands);
                if i == 6 {
                    std::mem::swap(&mut self.tmp, &mut self.y1);
                    last = Some(out);
                }
            }
            // Error estimate e = h sum E_i k_i: its norm, and its first-order effect on the
            // potential, <grad Phi(y_1), e> = -<V(y_1), e> = -<k_7, e>. Both are sums over the
            // fixed chunks of `sum_chunks` (8 lanes each), so their values do not depend on the
            // number of threads.
            let (err_norm, dphi) = {
                let ks = &self.k;
                let e_at = |j: usize| {
                    let mut e = 0.0;
                    for (i, ei) in E.iter().enumerate() {
                        if *ei != 0.0 {
                            e += ei * ks[i][j];
                        }
                    }
                    h * e
                };
                let sq = sum_chunks(y.len(), |r| {
                    let mut acc = [0.0f64; 8];
                    for (t, j) in r.enumerate() {
                        let e = e_at(j);
                        acc[t % 8] += e * e;
                    }
                    acc.iter().sum()
                });
                let dot = sum_chunks(y.len(), |r| {
                    let mut acc = [0.0f64; 8];
                    for (t, j) in r.enumerate() {
                        acc[t % 8] += e_at(j) * ks[6][j];
                    }
                    acc.iter().sum()
                });
                (sq.sqrt(), dot.abs())
            };
            let ynorm = norm2(y).max(norm2(&self.y1)).max(1e-300);
            let err = match potential {
                None => err_norm / (self.rtol * STATE_MARGIN * ynorm),
                Some(phi) => {
                    let phi1 = phi(last.as_ref().expect("stage 7 evaluated"));
                    if phi1.is_finite() {
                        self.observe_potential(phi1);
                        let phi_s = phi1.abs().max(LOSS_FLOOR * self.phi_max).max(1e-300);
                        let second = (phi_s
                            / (SECOND_ORDER_C * self.rtol * self.phi_max.max(1e-300)))
                        .sqrt()
                        .min(1.0);
                        let err_state = err_norm / (self.rtol * STATE_MARGIN * second * ynorm);
                        let err_phi = dphi / (self.rtol * LOSS_MARGIN * phi_s);
                        err_state.max(err_phi)
                    } else {
                        f64::INFINITY
                    }
                }
            };
            if !err.is_finite() {
                return Err(fail(StepFailure { t: *t, h }));
            }
            let fac = if err == 0.0 {
                5.0
            } else {
                (0.9 * err.powf(-0.17) * self.err_prev.powf(0.04)).clamp(0.1, 5.0)
            };
            if err <= 1.0 {
                y.copy_from_slice(&self.y1);
                self.k.swap(0, 6);
                *t = if lands { t_end } else { *t + h };
                self.accepted += 1;
                self.h_min = self.h_min.min(h);
                self.h_max = self.h_max.max(h);
                let proposal = h * if rejects_in_row > 0 {
                    fac.min(1.0)
                } else {
                    fac
                };
                self.h = if lands {
                    proposal.max(self.h)
                } else {
                    proposal
                };
                rejects_in_row = 0;
                self.err_prev = err.max(1e-4);
                on_accept(last.as_ref().expect("stage 7 evaluated"), *t)?;
            } else {
                self.rejected += 1;
                rejects_in_row += 1;
                self.h = h * fac.min(1.0).max(0.1);
                last = None;
                if rejects_in_row > MAX_REJECTS || self.h < H_MIN_REL * t.abs().max(1.0) {
                    return Err(fail(StepFailure { t: *t, h }));
                }
            }
        }
        Ok(last)
    }
}

/// Accepted and rejected steps of the controller at `rtol` for the small system
/// dy/dt = f(y) from y0 through the record `times` (for a-priori step estimates).
pub(crate) fn count_steps(
    f: &impl Fn(&[f64], &mut [f64]) -> f64,
    y0: &[f64],
    times: &[f64],
    rtol: f64,
) -> (u64, u64) {
    let mut y = y0.to_vec();
    let mut d = Dopri5::new(y.len(), rtol);
    let mut field = |a: &[f64], b: &mut [f64], _full: bool| f(a, b);
    let mut t = 0.0;
    for &te in times {
        if te <= t {
            continue;
        }
        let r: Result<Option<f64>, ()> = d.advance(
            &mut y,
            &mut t,
            te,
            &mut field,
            Some(&|phi: &f64| *phi),
            |_, _| Ok(()),
            |_| (),
        );
        if r.is_err() {
            break;
        }
    }
    (d.accepted, d.rejected)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exact solution of the logistic dm/dt = 4 m (1 - m) against the controller: the global
    /// error stays within a small multiple of the tolerance and record times are hit exactly.
    #[test]
    fn logistic_to_tolerance() {
        for &(m0, rtol) in &[(0.01, 1e-6), (50.0, 1e-6), (0.5, 1e-9), (1e3, 1e-5)] {
            let mut y = vec![m0];
            let mut d = Dopri5::new(1, rtol);
            let mut f = |a: &[f64], b: &mut [f64], _: bool| {
                b[0] = 4.0 * a[0] * (1.0 - a[0]);
            };
            let mut t = 0.0;
            let mut worst: f64 = 0.0;
            for k in 1..=20 {
                let te = 0.1 * k as f64;
                d.advance(
                    &mut y,
                    &mut t,
                    te,
                    &mut f,
                    None,
                    |_, _| Ok::<(), ()>(()),
                    |_| (),
                )
                .unwrap();
                assert_eq!(t, te);
                let e = (4.0 * te).exp();
                let exact = m0 * e / (1.0 + m0 * (e - 1.0));
                worst = worst.max(((y[0] - exact) / exact).abs());
            }
            assert!(worst < 20.0 * rtol, "m0={m0} rtol={rtol}: {worst}");
            assert!(d.accepted > 0);
        }
    }

    /// A gradient flow whose potential decays by orders of magnitude while the state stays
    /// large (a frozen component, as in the flow from a large initialization): the error of
    /// the recorded potential stays below rtol max(Phi, LOSS_FLOOR Phi_max), which the
    /// state-relative control alone (`None`) misses by orders of magnitude.
    #[test]
    fn potential_error_within_tolerance() {
        let lam = [0.0, 0.3, 1.0, 4.0, 30.0];
        let y0 = [100.0, 1.0, 2.0, 1.0, 3.0];
        let phi_of = |y: &[f64]| 0.5 * lam.iter().zip(y).map(|(l, v)| l * v * v).sum::<f64>();
        let rtol = 1e-4;
        let run = |with_phi: bool| {
            let mut y = y0.to_vec();
            let mut d = Dopri5::new(y.len(), rtol);
            let mut f = |a: &[f64], b: &mut [f64], _: bool| {
                for i in 0..a.len() {
                    b[i] = -lam[i] * a[i];
                }
                phi_of(a)
            };
            let phi: &dyn Fn(&f64) -> f64 = &|v: &f64| *v;
            let mut t = 0.0;
            let mut worst: f64 = 0.0;
            let phi_max = phi_of(&y0);
            for k in 1..=40 {
                let te = 0.5 * k as f64;
                d.advance(
                    &mut y,
                    &mut t,
                    te,
                    &mut f,
                    with_phi.then_some(phi),
                    |_, _| Ok::<(), ()>(()),
                    |_| (),
                )
                .unwrap();
                let exact: Vec<f64> = (0..5).map(|i| y0[i] * (-lam[i] * te).exp()).collect();
                let (pe, pn) = (phi_of(&exact), phi_of(&y));
                worst = worst.max((pn - pe).abs() / pe.max(LOSS_FLOOR * phi_max));
            }
            (worst / rtol, d.accepted)
        };
        let (with, steps_with) = run(true);
        let (without, steps_without) = run(false);
        assert!(with < 1.0, "loss error {with} rtol ({steps_with} steps)");
        assert!(without > 10.0, "state control alone: {without} rtol");
        assert!(
            steps_with < 4 * steps_without,
            "{steps_with} vs {steps_without}"
        );
    }

    /// Steps needed grow slowly (logarithmically) with the initial scale, not linearly.
    #[test]
    fn large_init_takes_few_steps() {
        // dy/dt = -4 y^2 = -Phi'(y) with Phi = 4 y^3 / 3.
        let f = |a: &[f64], b: &mut [f64]| {
            b[0] = -4.0 * a[0] * a[0];
            4.0 * a[0].powi(3) / 3.0
        };
        let times: Vec<f64> = (1..=10).map(|k| k as f64).collect();
        let (a1, _) = count_steps(&f, &[10.0], &times, 1e-6);
        let (a2, _) = count_steps(&f, &[1e4], &times, 1e-6);
        assert!(a2 < 3 * a1, "{a1} {a2}");
    }
}
