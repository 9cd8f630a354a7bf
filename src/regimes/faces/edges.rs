//! The nine edges E1..E9 of the prism, each the limit of its two 2-faces (THEORY 5.4).

use super::prelude::*;

/// E1, `large-data+narrow-latent` ([`Regime::LargeNarrow`]).
#[derive(Clone, Copy, Debug)]
pub struct LargeNarrow;

impl Face for LargeNarrow {
    fn regime(&self) -> Regime {
        Regime::LargeNarrow
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> inf, r -> 0; q finite",
            summary: "E1, a single logistic m_{4t}(q): Delta l / r -> -[m - m^2/2 - (q - q^2/2)].",
            words: "m = m_{4t}(q); both Delta l/r = -[m - m^2/2 - (q - q^2/2)].",
            latex: r"\frac{\Delta\ell}{r}=-\big[m-\tfrac{m^2}2-(q-\tfrac{q^2}2)\big],\ m=m_{4t}(q)",
            derivation: "\
From F1: MP_r -> delta_1 as r -> 0, so mu_A = (1-r) delta_0 + r delta_q and
Delta l/r = -[(m - m^2/2) - (q - q^2/2)] with m = m_{4t}(q). From F3: alpha = inf gives
phi(z) = e^z, so b = a and d ln a/dt = 4 - 2a - 2b = 4(1 - a): the same logistic.
Hierarchy side: l = 0, k = 1.",
        }
    }

    fn curve(
        &self,
        k: &[f64],
        times: &[f64],
        _opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let mut cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            cv.method = CurveMethod::ClosedForm;
            let q = k[0];
            let v: Vec<f64> = times
                .iter()
                .map(|&t| {
                    let m = logistic(q, 4.0 * t);
                    -(m - 0.5 * m * m - (q - 0.5 * q * q))
                })
                .collect();
            (v.clone(), v)
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok({
            // -(m - m^2/2) with m = m_{4t}(q).
            let m = rescale_time(&logistic_in_x(len), &rat(4));
            let m2 = mul(&m, &m, len);
            let v = scale(&sub(&m, &scale(&m2, &frac(1, 2))), &rat(-1));
            let d: Vec<Poly> = to_derivatives(&v)
                .iter()
                .map(|p| p.rename("x", "q"))
                .collect();
            (d.clone(), d)
        })
    }
}

/// E2, `large-data+mean-field` ([`Regime::LargeMeanField`]).
#[derive(Clone, Copy, Debug)]
pub struct LargeMeanField;

impl Face for LargeMeanField {
    fn regime(&self) -> Regime {
        Regime::LargeMeanField
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> inf, r -> inf, q r = c finite",
            summary: "E2, l -> (1/2)(1 - m_{4t}(c))^2 with c = q r.",
            words: "Both losses equal (1/2)(1 - m_{4t}(c))^2.",
            latex: r"\ell=\tfrac12\big(1-m_{4t}(c)\big)^2",
            derivation: "\
From F1: the bulk of q MP_r (mass 1/r) sits at c = q r and the atom's (r-1)/2 cancels (1-r)/2.
From F2: MP_{1/alpha} -> delta_1. Both give l = (1/2)(1 - m_{4t}(c))^2. Hierarchy side: l = 0, k = j.",
        }
    }

    fn curve(
        &self,
        k: &[f64],
        times: &[f64],
        _opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let mut cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            cv.method = CurveMethod::ClosedForm;
            let c = k[0];
            let v: Vec<f64> = times
                .iter()
                .map(|&t| 0.5 * (1.0 - logistic(c, 4.0 * t)).powi(2))
                .collect();
            (v.clone(), v)
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok({
            let d: Vec<Poly> = to_derivatives(&logistic_loss(len))
                .iter()
                .map(|p| p.rename("x", "c"))
                .collect();
            (d.clone(), d)
        })
    }
}

/// E3, `large-data+free` ([`Regime::LargeFree`]).
#[derive(Clone, Copy, Debug)]
pub struct LargeFree;

impl Face for LargeFree {
    fn regime(&self) -> Regime {
        Regime::LargeFree
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> inf, q -> inf; r finite",
            summary: "E3, l/q^2 -> (r/2) E_{MP_r}[lam^2/(1 + 4 tau lam)^2], closed form via the eta-transform.",
            words: "Both l/q^2 = (r/2) E_{MP_r}[lam^2/(1 + 4 tau lam)^2] = (r/(2u^2))[1 - eta_r(u) + u eta_r'(u)], u = 4 tau.",
            latex: r"\frac{\ell}{q^2}=\frac r2\,\mathbb{E}_{\mathrm{MP}_r}\Big[\frac{\lambda^2}{(1+4\tau\lambda)^2}\Big]=\frac{r}{2u^2}\big[1-\eta_r(u)+u\eta_r'(u)\big],\ u=4\tau",
            derivation: "\
From F1 with m_{4 tau/q}(q lam) ~ q lam/(1 + 4 lam tau); from F4 with S = I. The MP_r average is
(r/(2u^2))[1 - eta_r(u) + u eta_r'(u)], u = 4 tau, since
lam^2/(1+u lam)^2 = u^{-2}(1 - 2/(1+u lam) + 1/(1+u lam)^2) and E[1/(1+u lam)^2] = (u eta)'.
Hierarchy side: l = 0, j = s + 2.",
        }
    }

    fn curve(
        &self,
        k: &[f64],
        times: &[f64],
        opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            let v = large_free(k[0], times, opts.quad_tol)?;
            (v.clone(), v)
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok({
            // (r/2) sum_n (n+1) (-4)^n E_{MP_r} lam^{n+2} tau^n.
            let r = face_vars(Regime::LargeFree);
            let d: Vec<Poly> = (0..len)
                .map(|n| {
                    mp_moment(n as u64 + 2, &r, "r")
                        .mul(&q(&r, "r"))
                        .scale(&(frac(1, 2) * rat(n as i64 + 1) * pow_i(-4, n) * factorial(n)))
                })
                .collect();
            (d.clone(), d)
        })
    }
}

/// E4, `small-data+narrow-latent` ([`Regime::SmallNarrow`]).
#[derive(Clone, Copy, Debug)]
pub struct SmallNarrow;

impl Face for SmallNarrow {
    /// The linearization in r holds while `r e^{kappa tau} << 1`, `kappa = 4 - 2q`.
    fn windows(&self, x: &Ratios) -> Vec<ValidityWindow> {
        let kappa = 4.0 - 2.0 * x.q;
        vec![ValidityWindow {
            loss: None,
            condition: "r e^{kappa tau} << 1, kappa = 4 - 2q",
            scale: if kappa > 0.0 {
                Some((1.0 / x.r).ln() / kappa)
            } else {
                None
            },
        }]
    }

    fn regime(&self) -> Regime {
        Regime::SmallNarrow
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> 0, r -> 0 (alpha << r); q finite",
            summary: "E4, exponential growth with rate kappa = 4 - 2q in tau = t/alpha: Delta l_tr/r -> -(q - q^2/2)(e^{kappa tau} - 1).",
            words: "kappa = 4 - 2q: Delta l_tr/r = -(q - q^2/2)(e^{kappa tau} - 1); Delta l_pop/(r alpha) = -4q(1-q)^2 (e^{kappa tau} - 1)/kappa.",
            latex: r"\frac{\Delta\ell_{tr}}{r}=-(q-\tfrac{q^2}2)(e^{\kappa\tau}-1),\ \frac{\Delta\ell_{pop}}{r\alpha}=-4q(1-q)^2\frac{e^{\kappa\tau}-1}{\kappa},\ \kappa=4-2q",
            derivation: "\
From F5 linearized in r: SC(q(1+r), 2q sqrt r) -> delta_q, so |g|^2 = q^2 r e^{kappa tau},
a = q r e^{kappa tau}, kappa = 4 - 2q. From F3 with alpha -> 0: a row's data-span component grows
as e^{(2-q) tau}. Valid while r e^{kappa tau} << 1 (alpha << r).
Hierarchy side: k = 1, l = s (train) / s - 1 (pop).",
        }
    }

    fn curve(
        &self,
        k: &[f64],
        times: &[f64],
        _opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let mut cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            cv.method = CurveMethod::ClosedForm;
            let q = k[0];
            let kappa = 4.0 - 2.0 * q;
            let tr = times
                .iter()
                .map(|&t| -(q - 0.5 * q * q) * (kappa * t).exp_m1())
                .collect();
            let pop = times
                .iter()
                .map(|&t| {
                    let e = if kappa == 0.0 {
                        t
                    } else {
                        (kappa * t).exp_m1() / kappa
                    };
                    -4.0 * q * (1.0 - q).powi(2) * e
                })
                .collect();
            (tr, pop)
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok(small_narrow_series(len, 2))
    }
}

/// E5, `small-data+mean-field` ([`Regime::SmallMeanField`]).
#[derive(Clone, Copy, Debug)]
pub struct SmallMeanField;

impl Face for SmallMeanField {
    fn regime(&self) -> Regime {
        Regime::SmallMeanField
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> 0, r -> inf, q r = c finite",
            summary: "E5, a = m_{4 tau}(c): l_tr -> (1/2)(1-a)^2, Delta l_pop/alpha -> (1/2)[(1-a)^2 - (1-c)^2].",
            words: "a = m_{4 tau}(c): l_tr = (1/2)(1 - a)^2; Delta l_pop/alpha = (1/2)[(1 - a)^2 - (1 - c)^2].",
            latex: r"\ell_{tr}=\tfrac12(1-a)^2,\ \frac{\Delta\ell_{pop}}{\alpha}=\tfrac12\big[(1-a)^2-(1-c)^2\big],\ a=m_{4\tau}(c)",
            derivation: "\
From F5: a(0) = c and |g(0)|^2 = c^2/r -> 0, so the chain decouples and a' = 4a(1-a). From F2:
MP_{1/alpha} = (1 - alpha) delta_0 + alpha delta_{1/alpha} with lam t = tau.
Hierarchy side: k = j, l = s (train) / s - 1 (pop).",
        }
    }

    fn curve(
        &self,
        k: &[f64],
        times: &[f64],
        _opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let mut cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            cv.method = CurveMethod::ClosedForm;
            let c = k[0];
            let tr = times
                .iter()
                .map(|&t| 0.5 * (1.0 - logistic(c, 4.0 * t)).powi(2))
                .collect();
            let pop = times
                .iter()
                .map(|&t| {
                    let a = logistic(c, 4.0 * t);
                    0.5 * (c - a) * (2.0 - a - c)
                })
                .collect();
            (tr, pop)
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok({
            let d: Vec<Poly> = to_derivatives(&logistic_loss(len))
                .iter()
                .map(|p| p.rename("x", "c"))
                .collect();
            let mut p = d.clone();
            p[0] = Poly::zero(d[0].vars());
            (d, p)
        })
    }
}

/// E6, `small-data+free` ([`Regime::SmallFree`]).
#[derive(Clone, Copy, Debug)]
pub struct SmallFree;

impl Face for SmallFree {
    fn regime(&self) -> Regime {
        Regime::SmallFree
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> 0, q -> inf; r finite",
            summary: "E6, the hatted Jacobi-chain flow in sigma = q t/alpha, losses O(q^2); no closed form.",
            words: "The small-data chain without targets: ah' = -4 ah^2 - 2|gh|^2, gh' = -(3 ah + Ah) gh, Ah' = -2 gh gh^T (ah(0) = r, Ah(0) = Jacobi(1+r, sqrt r), gh(0) = sqrt(r) e_1); l_tr/q^2 = (1/2)(ah^2 + |gh|^2), Delta l_pop/(alpha q^2) = (1/2)(ah^2 - r^2) + (|gh|^2 - r) - 2 int gh^T Ah gh. No closed form.",
            latex: r"\frac{\ell_{tr}}{q^2}=\tfrac12(\hat a^2+|\hat g|^2),\ \frac{\Delta\ell_{pop}}{\alpha q^2}=\tfrac12(\hat a^2-r^2)+|\hat g|^2-r-2\!\int_0^\sigma\!\hat g^\top\hat A\hat g,\ \hat a'=-4\hat a^2-2|\hat g|^2,\ \hat g'=-(3\hat a+\hat A)\hat g,\ \hat A'=-2\hat g\hat g^\top",
            derivation: "\
From F5 with q -> inf (a = q ah, g = q gh, A_perp = q Ah, sigma = q tau): the target terms drop.
From F4 with S = P/alpha. Same structure as F5: no closed form; the chain is solved with K chosen
from the horizon and checked by doubling. The r -> 0 end gives Delta l_tr/(r q^2) = (e^{-2 sigma} - 1)/2.
Hierarchy side: l = s (train) / s - 1 (pop), j = s + 2.",
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
            let r = k[0];
            let mut sites = 0;
            let mut diff = 0.0;
            let out = on_sorted(times, |ts| {
                let c =
                    small_data::small_free_chain(r, ts, &opts.ode, opts.chain_tol, opts.max_sites)?;
                sites = c.sites;
                diff = c.difference;
                Ok((c.train, c.pop))
            })?;
            cv.method = CurveMethod::JacobiChain {
                sites,
                difference: diff,
            };
            cv.notes.push("no closed form is known (same structure as the small-data chain); the chain is exact up to truncation, checked by doubling".into());
            out
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok(small_data_chain_series(len, ChainKind::E6))
    }
}

/// E7, `narrow-latent+mean-field` ([`Regime::NarrowMeanField`]).
#[derive(Clone, Copy, Debug)]
pub struct NarrowMeanField;

impl Face for NarrowMeanField {
    fn regime(&self) -> Regime {
        Regime::NarrowMeanField
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "q r -> 0 (small initialization, linear flow); alpha finite",
            summary: "E7, the linear small-initialization regime W(t) = W0 e^{2St}: Delta l_tr/(q r) -> -(phi'(4t) - 1), Delta l_pop/(q r) -> -(phi(4t) - 1).",
            words: "Linear flow W = W0 e^{2 S t}: Delta l_tr/(q r) = -(phi'(4t) - 1), Delta l_pop/(q r) = -(phi(4t) - 1).",
            latex: r"\frac{\Delta\ell_{tr}}{qr}=-(\varphi'(4t)-1),\ \frac{\Delta\ell_{pop}}{qr}=-(\varphi(4t)-1)",
            derivation: "\
q r -> 0 (vertex (0,0) of T): the cubic terms vanish and the flow is linear,
W(t) = W0 e^{2St}. Freeness gives phi_p(S e^{2St} A0 e^{2St}) -> q r phi'(4t) and
phi_p(e^{2St} A0 e^{2St}) -> q r phi(4t). From F3 (q -> 0): a ~ q phi(4t), b ~ q phi'(4t); from
F2 (c -> 0): a ~ c e^{4 lam t}. Valid for t << log(1/(q r))/(4 lam_max).
Hierarchy side: k = j = 1.",
        }
    }

    fn curve(
        &self,
        k: &[f64],
        times: &[f64],
        opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            let y = k[0];
            let mut tr = Vec::new();
            let mut pop = Vec::new();
            for &t in times {
                let (p0, p1) = mgf(y, 4.0 * t, opts.quad_tol)?;
                tr.push(-(p1 - 1.0));
                pop.push(-(p0 - 1.0));
            }
            (tr, pop)
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok({
            let y = face_vars(Regime::NarrowMeanField);
            let tr = (0..len)
                .map(|n| mp_moment(n as u64 + 1, &y, "y").scale(&-pow_i(4, n)))
                .collect();
            let pop = (0..len)
                .map(|n| mp_moment(n as u64, &y, "y").scale(&-pow_i(4, n)))
                .collect();
            (tr, pop)
        })
    }
}

/// E8, `narrow-latent+free` ([`Regime::NarrowFree`]).
#[derive(Clone, Copy, Debug)]
pub struct NarrowFree;

impl Face for NarrowFree {
    fn regime(&self) -> Regime {
        Regime::NarrowFree
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "r -> 0, q -> inf (r q^2 sets the loss scale); alpha finite",
            summary: "E8, dx/dtau = -2 phi(x)^2: Delta l_tr/(r q^2) -> (phi^3 phi' - 1)/2, Delta l_pop/(r q^2) -> (phi^4 - 1)/2.",
            words: "x' = -2 phi(x)^2, x(0) = 0: Delta l_tr/(r q^2) = (1/2)(phi(x)^3 phi'(x) - 1), Delta l_pop/(r q^2) = (1/2)(phi(x)^4 - 1).",
            latex: r"\frac{\Delta\ell_{tr}}{rq^2}=\tfrac12(\varphi(x)^3\varphi'(x)-1),\ \frac{\Delta\ell_{pop}}{rq^2}=\tfrac12(\varphi(x)^4-1),\ \frac{dx}{d\tau}=-2\varphi(x)^2,\ x(0)=0",
            derivation: "\
From F3 with q -> inf (tau = q t): the target term 4t drops; with x = -2 int a/q and y = -2B,
dy/dx = phi'/phi gives e^{-2B} = phi(x), so a/q = phi(x)^2, b/q = phi(x) phi'(x) and
dx/dtau = -2 phi(x)^2. From F4 with r -> 0: rows decouple, dw/dtau = -|w|^2 w S - (wSw^T) w.
At alpha = inf phi = e^x gives phi^4 = (1 + 4 tau)^{-2}, matching E3 at r -> 0.
Hierarchy side: k = 1, j = s + 2; the s = 0 row is the r q^2 part of l(0).",
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
            cv.method = CurveMethod::Ode;
            let y = k[0];
            on_sorted(times, |ts| narrow_free(y, ts, opts.quad_tol, &opts.ode))?
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok(narrow_free_series(len))
    }
}

/// E9, `mean-field+free` ([`Regime::MeanFieldFree`]).
#[derive(Clone, Copy, Debug)]
pub struct MeanFieldFree;

impl Face for MeanFieldFree {
    fn regime(&self) -> Regime {
        Regime::MeanFieldFree
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "r -> inf, c = q r -> inf; alpha finite",
            summary: "E9, l_tr/c^2 -> -(1/2) eta'_{1/alpha}(4 tau), l_pop/c^2 -> (1/2)(u eta_{1/alpha}(u))' at u = 4 tau, tau = c t.",
            words: "u = 4 tau: l_tr/c^2 = (1/2) E_{MP_{1/alpha}}[lam/(1 + u lam)^2] = -(1/2) eta'(u), l_pop/c^2 = (1/2) E[1/(1 + u lam)^2] = (1/2)(u eta(u))', eta = eta_{1/alpha}.",
            latex: r"\frac{\ell_{tr}}{c^2}=-\tfrac12\eta_{1/\alpha}'(4\tau),\ \frac{\ell_{pop}}{c^2}=\tfrac12\,(u\,\eta_{1/\alpha}(u))'\big|_{u=4\tau}",
            derivation: "\
From F2 with c -> inf (tau = c t): a/c -> 1/(1 + 4 lam tau). From F4 with r -> inf: At ~ r I
commutes with S, At/r = (I + 4 S tau)^{-1}. The MP averages are eta-transform derivatives.
Hierarchy side: k = j = s + 2.",
        }
    }

    fn curve(
        &self,
        k: &[f64],
        times: &[f64],
        opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = mean_field_free(k[0], times, opts.quad_tol)?;
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok({
            let y = face_vars(Regime::MeanFieldFree);
            let f = |n: usize, m: u64| {
                mp_moment(m, &y, "y")
                    .scale(&(frac(1, 2) * rat(n as i64 + 1) * pow_i(-4, n) * factorial(n)))
            };
            let tr = (0..len).map(|n| f(n, n as u64 + 1)).collect();
            let pop = (0..len).map(|n| f(n, n as u64)).collect();
            (tr, pop)
        })
    }
}

/// E8: `dx/dtau = -2 phi(x)^2`, `x(0) = 0`;
/// `Delta l_tr/(r q^2) = (1/2)(phi^3 phi' - 1)`, `Delta l_pop/(r q^2) = (1/2)(phi^4 - 1)`.
pub fn narrow_free(
    y: f64,
    times: &[f64],
    tol: f64,
    ode: &OdeOptions,
) -> Result<(Vec<f64>, Vec<f64>), RegimeError> {
    let rhs = |_t: f64, s: &[f64], d: &mut [f64]| -> Result<(), String> {
        let (p0, _) = mgf(y, s[0], tol).map_err(|e| e.to_string())?;
        d[0] = -2.0 * p0 * p0;
        Ok(())
    };
    let states = integrate(rhs, &[0.0], times, ode)?;
    let mut tr = Vec::new();
    let mut pop = Vec::new();
    for s in states {
        let (p0, p1) = mgf(y, s[0], tol)?;
        tr.push(0.5 * (p0.powi(3) * p1 - 1.0));
        pop.push(0.5 * (p0.powi(4) - 1.0));
    }
    Ok((tr, pop))
}

/// E9: `l_tr/c^2 = (1/2) E_{MP_y}[lam/(1+u lam)^2] = (1/2) E_SC[1/(1+u lam)^2]`,
/// `l_pop/c^2 = (1/2) E_{MP_y}[1/(1+u lam)^2] = (1/2)[1 - E_SC[u (2 + u lam)/(1+u lam)^2]]`.
pub fn mean_field_free(
    y: f64,
    times: &[f64],
    tol: f64,
) -> Result<(Vec<f64>, Vec<f64>), RegimeError> {
    let sc = Semicircle::of_mp(y);
    let mut tr = Vec::new();
    let mut pop = Vec::new();
    for &t in times {
        let u = 4.0 * t;
        let v = sc.expect_n(2, tol, |lam, out| {
            let d = 1.0 / (1.0 + u * lam).powi(2);
            out[0] = d;
            out[1] = u * (2.0 + u * lam) * d;
        })?;
        tr.push(0.5 * v[0]);
        pop.push(0.5 * (1.0 - v[1]));
    }
    Ok((tr, pop))
}

/// E3 and F4 at alpha = inf: `l/q^2 = (r/2) E_{MP_r}[lam^2/(1+u lam)^2]
/// = (r/2) E_SC(1+r, 2 sqrt r)[lam/(1+u lam)^2]`, `u = 4 tau`.
pub fn large_free(r: f64, times: &[f64], tol: f64) -> Result<Vec<f64>, RegimeError> {
    let sc = Semicircle::of_mp(r);
    times
        .iter()
        .map(|&t| {
            let u = 4.0 * t;
            Ok(0.5 * r * sc.expect(tol, |lam| lam / (1.0 + u * lam).powi(2))?)
        })
        .collect()
}

/// E8 over Q[y]: `x' = -2 phi(x)^2`; train `(1/2) phi^3 phi'`, pop `(1/2) phi^4` (the r q^2
/// part of l divided by r q^2).
pub(crate) fn narrow_free_series(len: usize) -> (Vec<Poly>, Vec<Poly>) {
    let nv = &face_vars(Regime::NarrowFree);
    let mut x = zero(nv, len);
    let mut mg = MgfTrack::new(nv);
    for n in 0..len - 1 {
        let v = mul_coeff(&mg.phi, &mg.phi, n);
        x[n + 1] = v.scale(&frac(-2, n as i64 + 1));
        mg.push(&x[..n + 2]);
    }
    let ph = mg.phi.clone();
    let dph = mg.dphi.clone();
    let p2 = mul(&ph, &ph, len);
    let p4 = mul(&p2, &p2, len);
    let p3 = mul(&p2, &ph, len);
    let tr = scale(&mul(&p3, &dph, len), &frac(1, 2));
    let pop = scale(&p4, &frac(1, 2));
    (to_derivatives(&tr), to_derivatives(&pop))
}

/// E4 over Q[q]: train `-(q - q^2/2) e^{kappa tau}` (c_n = -(q - q^2/2) kappa^n), pop
/// `-4 q (1-q)^2 (e^{kappa tau} - 1)/kappa` (c_n = -4 q (1-q)^2 kappa^{n-1}, n >= 1), with
/// `kappa = 4 - k q` (k = 2 is THEORY; k = 1 is a wrong variant).
pub(crate) fn small_narrow_series(len: usize, k: i64) -> (Vec<Poly>, Vec<Poly>) {
    let nv = &face_vars(Regime::SmallNarrow);
    let qv = q(nv, "q");
    let kappa = cst(nv, rat(4)).sub(&qv.scale(&rat(k)));
    let base = qv.sub(&qv.mul(&qv).scale(&frac(1, 2))).scale(&rat(-1));
    let omq = one(nv).sub(&qv);
    let pbase = qv.mul(&omq).mul(&omq).scale(&rat(-4));
    let mut tr = Vec::new();
    let mut pop = Vec::new();
    for n in 0..len {
        tr.push(base.mul(&kappa.pow(n as u32)));
        pop.push(if n == 0 {
            Poly::zero(nv)
        } else {
            pbase.mul(&kappa.pow(n as u32 - 1))
        });
    }
    (tr, pop)
}
