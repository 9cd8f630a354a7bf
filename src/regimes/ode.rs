//! Classical RK4 with step doubling (error control), hand-written.
//!
//! Each step of size `h` is taken once whole and once as two halves. Their difference
//! estimates the local error of the half-step result (`|y_half - y_full| / 15` for a fourth-order
//! method); the accepted value is the Richardson extrapolation `y_half + (y_half - y_full)/15`
//! (locally fifth order). A step is accepted when the estimate is below
//! `atol + rtol |y|` in every component, and the next step is scaled by
//! `0.9 (tol/err)^(1/5)`, clamped to `[0.2, 4]`. Output times are hit exactly (the step is
//! clipped). Cost: 11 right-hand-side evaluations per attempted step.

use thiserror::Error;

/// Tolerances and limits of [`integrate`].
#[derive(Clone, Copy, Debug)]
pub struct OdeOptions {
    /// Absolute tolerance per step.
    pub atol: f64,
    /// Relative tolerance per step.
    pub rtol: f64,
    /// First trial step.
    pub h0: f64,
    /// Largest step.
    pub h_max: f64,
    /// Largest number of attempted steps.
    pub max_steps: usize,
}

impl Default for OdeOptions {
    fn default() -> Self {
        OdeOptions {
            atol: 1e-13,
            rtol: 1e-13,
            h0: 1e-3,
            h_max: 0.05,
            max_steps: 2_000_000,
        }
    }
}

/// Why an integration failed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum OdeError {
    /// The right-hand side reported an error (e.g. a quadrature that did not converge).
    #[error("right-hand side failed at t = {t}: {message}")]
    Rhs {
        /// Time of the failing evaluation.
        t: f64,
        /// The reported problem.
        message: String,
    },
    /// A non-finite value appeared.
    #[error("the solution became non-finite at t = {t}")]
    NonFinite {
        /// Time reached.
        t: f64,
    },
    /// The step size collapsed or the step budget ran out.
    #[error("step control failed at t = {t} (step {h:e}, {steps} steps)")]
    StepControl {
        /// Time reached.
        t: f64,
        /// Last step size.
        h: f64,
        /// Steps attempted.
        steps: usize,
    },
    /// Output times must be finite, >= 0 and nondecreasing.
    #[error("output times must be finite, nonnegative and nondecreasing")]
    BadTimes,
}

/// The right-hand side `dy/dt = f(t, y)`, written into `dy`.
pub trait Rhs {
    /// Evaluate; an `Err(message)` aborts the integration.
    fn eval(&mut self, t: f64, y: &[f64], dy: &mut [f64]) -> Result<(), String>;
}

impl<F: FnMut(f64, &[f64], &mut [f64]) -> Result<(), String>> Rhs for F {
    fn eval(&mut self, t: f64, y: &[f64], dy: &mut [f64]) -> Result<(), String> {
        self(t, y, dy)
    }
}

struct Work {
    k1: Vec<f64>,
    k2: Vec<f64>,
    k3: Vec<f64>,
    k4: Vec<f64>,
    tmp: Vec<f64>,
}

fn rk4_step<R: Rhs>(
    f: &mut R,
    t: f64,
    y: &[f64],
    h: f64,
    out: &mut [f64],
    w: &mut Work,
    k1_known: Option<&[f64]>,
) -> Result<(), OdeError> {
    let n = y.len();
    let err = |t: f64, m: String| OdeError::Rhs { t, message: m };
    match k1_known {
        Some(k) => w.k1.copy_from_slice(k),
        None => f.eval(t, y, &mut w.k1).map_err(|m| err(t, m))?,
    }
    for i in 0..n {
        w.tmp[i] = y[i] + 0.5 * h * w.k1[i];
    }
    f.eval(t + 0.5 * h, &w.tmp, &mut w.k2)
        .map_err(|m| err(t, m))?;
    for i in 0..n {
        w.tmp[i] = y[i] + 0.5 * h * w.k2[i];
    }
    f.eval(t + 0.5 * h, &w.tmp, &mut w.k3)
        .map_err(|m| err(t, m))?;
    for i in 0..n {
        w.tmp[i] = y[i] + h * w.k3[i];
    }
    f.eval(t + h, &w.tmp, &mut w.k4).map_err(|m| err(t, m))?;
    for i in 0..n {
        out[i] = y[i] + h / 6.0 * (w.k1[i] + 2.0 * w.k2[i] + 2.0 * w.k3[i] + w.k4[i]);
    }
    Ok(())
}

/// Integrate `dy/dt = f(t, y)` from `t = 0`, `y(0) = y0`, returning the state at each of `times`
/// (nondecreasing, >= 0).
pub fn integrate<R: Rhs>(
    mut f: R,
    y0: &[f64],
    times: &[f64],
    opts: &OdeOptions,
) -> Result<Vec<Vec<f64>>, OdeError> {
    if times.iter().any(|t| !t.is_finite() || *t < 0.0) || times.windows(2).any(|w| w[1] < w[0]) {
        return Err(OdeError::BadTimes);
    }
    let n = y0.len();
    let mut w = Work {
        k1: vec![0.0; n],
        k2: vec![0.0; n],
        k3: vec![0.0; n],
        k4: vec![0.0; n],
        tmp: vec![0.0; n],
    };
    let mut y = y0.to_vec();
    let mut t = 0.0f64;
    let mut h = opts.h0.min(opts.h_max);
    let mut full = vec![0.0; n];
    let mut half = vec![0.0; n];
    let mut half2 = vec![0.0; n];
    let mut k1 = vec![0.0; n];
    let mut steps = 0usize;
    let mut out = Vec::with_capacity(times.len());
    for &target in times {
        while t < target {
            let clipped = target - t <= h;
            let hs = if clipped { target - t } else { h };
            f.eval(t, &y, &mut k1)
                .map_err(|m| OdeError::Rhs { t, message: m })?;
            rk4_step(&mut f, t, &y, hs, &mut full, &mut w, Some(&k1))?;
            rk4_step(&mut f, t, &y, 0.5 * hs, &mut half, &mut w, Some(&k1))?;
            let mid = half.clone();
            rk4_step(
                &mut f,
                t + 0.5 * hs,
                &mid,
                0.5 * hs,
                &mut half2,
                &mut w,
                None,
            )?;
            let mut err: f64 = 0.0;
            for i in 0..n {
                let d = (half2[i] - full[i]).abs() / 15.0;
                let sc = opts.atol + opts.rtol * half2[i].abs().max(y[i].abs());
                err = err.max(d / sc);
            }
            if !err.is_finite() {
                return Err(OdeError::NonFinite { t });
            }
            steps += 1;
            if steps > opts.max_steps {
                return Err(OdeError::StepControl { t, h: hs, steps });
            }
            let factor = if err == 0.0 {
                4.0
            } else {
                (0.9 * err.powf(-0.2)).clamp(0.2, 4.0)
            };
            if err <= 1.0 {
                for i in 0..n {
                    y[i] = half2[i] + (half2[i] - full[i]) / 15.0;
                }
                if clipped {
                    t = target;
                } else {
                    t += hs;
                }
                if y.iter().any(|v| !v.is_finite()) {
                    return Err(OdeError::NonFinite { t });
                }
                // A short clipped step says little about the running step size: keep it unless
                // the error asks for a smaller one.
                let proposal = (hs * factor).min(opts.h_max);
                h = if clipped && factor >= 1.0 {
                    h.max(proposal).min(opts.h_max)
                } else {
                    proposal
                };
            } else {
                h = (hs * factor).min(opts.h_max);
                if h < 1e-14 * t.abs().max(1.0) {
                    return Err(OdeError::StepControl { t, h, steps });
                }
            }
        }
        out.push(y.clone());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_exact() {
        // dm/dt = 4 m (1 - m), m(0) = 0.2: m = m0 e^{4t} / (1 + m0 (e^{4t} - 1)).
        let times = [0.0, 0.1, 0.5, 1.0, 3.0];
        let ys = integrate(
            |_t: f64, y: &[f64], dy: &mut [f64]| {
                dy[0] = 4.0 * y[0] * (1.0 - y[0]);
                Ok(())
            },
            &[0.2],
            &times,
            &OdeOptions::default(),
        )
        .unwrap();
        for (t, y) in times.iter().zip(&ys) {
            let e = (4.0 * t).exp();
            let exact = 0.2 * e / (1.0 + 0.2 * (e - 1.0));
            assert!((y[0] - exact).abs() < 1e-11, "t={t}: {} vs {exact}", y[0]);
        }
    }

    #[test]
    fn oscillator_and_errors() {
        let times = [0.0, 1.0, 10.0];
        let ys = integrate(
            |_t: f64, y: &[f64], dy: &mut [f64]| {
                dy[0] = y[1];
                dy[1] = -y[0];
                Ok(())
            },
            &[1.0, 0.0],
            &times,
            &OdeOptions::default(),
        )
        .unwrap();
        assert!((ys[2][0] - 10f64.cos()).abs() < 1e-10);
        let bad = integrate(
            |t: f64, _y: &[f64], _dy: &mut [f64]| {
                if t > 0.5 {
                    Err("boom".to_string())
                } else {
                    Ok(())
                }
            },
            &[0.0],
            &[1.0],
            &OdeOptions::default(),
        );
        assert!(matches!(bad, Err(OdeError::Rhs { .. })));
        let blow = integrate(
            |_t: f64, y: &[f64], dy: &mut [f64]| {
                dy[0] = y[0] * y[0];
                Ok(())
            },
            &[1.0],
            &[2.0],
            &OdeOptions::default(),
        );
        assert!(blow.is_err());
        assert_eq!(
            integrate(
                |_t: f64, _y: &[f64], _d: &mut [f64]| Ok(()),
                &[0.0],
                &[1.0, 0.5],
                &OdeOptions::default()
            ),
            Err(OdeError::BadTimes)
        );
    }
}
