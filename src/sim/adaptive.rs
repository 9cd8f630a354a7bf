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
//! The error is measured normwise and relatively, err = ||e||_2 / (rtol max(||y||_2,
//! ||y_1||_2)): rotation invariant (so the fast and physical modes, which differ by rotations,
//! are controlled alike) and scale free. A step is accepted when err <= 1; the next step is
//! h min(5, max(0.1, 0.9 err^(-0.17) err_prev^(0.04))) with err_prev the error of the last
//! accepted step (the PI controller of Hairer's DOPRI5, which damps the accept/reject
//! oscillation at the stability boundary); after a rejection the step is not increased. Steps are clamped so that
//! every record time is hit exactly; a clamped step does not shrink the next proposal.
//! The initial step follows Hairer, Norsett and Wanner (Solving ODEs I, II.4), one extra
//! evaluation.
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
    pub fn advance<T, Err>(
        &mut self,
        y: &mut [f64],
        t: &mut f64,
        t_end: f64,
        f: &mut impl FnMut(&[f64], &mut [f64], bool) -> T,
        mut on_accept: impl FnMut(&T, f64) -> Result<(), Err>,
        fail: impl Fn(StepFailure) -> Err,
    ) -> Result<Option<T>, Err> {
        let mut last: Option<T> = None;
        if !self.fsal {
            last = Some(self.eval_start(y, f, true));
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
            // Error estimate e = h sum E_i k_i.
            let err_norm = {
                let ks = &self.k;
                sum_chunks(y.len(), |r| {
                    let mut acc = [0.0f64; 8];
                    for (t, j) in r.enumerate() {
                        let mut e = 0.0;
                        for (i, ei) in E.iter().enumerate() {
                            if *ei != 0.0 {
                                e += ei * ks[i][j];
                            }
                        }
                        let e = h * e;
                        acc[t % 8] += e * e;
                    }
                    acc.iter().sum()
                })
                .sqrt()
            };
            let scale = self.rtol * norm2(y).max(norm2(&self.y1)).max(1e-300);
            let err = err_norm / scale;
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
    f: &impl Fn(&[f64], &mut [f64]),
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
        let r: Result<Option<()>, ()> =
            d.advance(&mut y, &mut t, te, &mut field, |_, _| Ok(()), |_| ());
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
                d.advance(&mut y, &mut t, te, &mut f, |_, _| Ok::<(), ()>(()), |_| ())
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

    /// Steps needed grow slowly (logarithmically) with the initial scale, not linearly.
    #[test]
    fn large_init_takes_few_steps() {
        let f = |a: &[f64], b: &mut [f64]| b[0] = -4.0 * a[0] * a[0];
        let times: Vec<f64> = (1..=10).map(|k| k as f64).collect();
        let (a1, _) = count_steps(&f, &[10.0], &times, 1e-6);
        let (a2, _) = count_steps(&f, &[1e4], &times, 1e-6);
        assert!(a2 < 3 * a1, "{a1} {a2}");
    }
}
