//! The six vertices of the prism: elementary closed forms, limits of their three edges.

use super::prelude::*;

/// V1, `large-data+narrow-latent+mean-field` ([`Regime::LargeNarrowMeanField`]).
#[derive(Clone, Copy, Debug)]
pub struct LargeNarrowMeanField;

impl Face for LargeNarrowMeanField {
    fn regime(&self) -> Regime {
        Regime::LargeNarrowMeanField
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> inf and q r -> 0 (linear flow, population case)",
            summary: "vertex, limit of E1 and E2 (and E7 at alpha = infinity): the linear regime with S = I, Delta l/(q r) -> -(e^{4t} - 1).",
            words: "Both Delta l/(q r) = -(e^{4t} - 1).",
            latex: r"\frac{\Delta\ell}{qr}=-(e^{4t}-1)",
            derivation: "\
Vertex (0,0) x {0}, the limit of its three edges: E7 with alpha = inf (phi = e^x) gives
-(e^{4t} - 1); E1 with q -> 0 gives m ~ q e^{4t}; E2 with c -> 0 gives the same.
Hierarchy side: (k, j, l) = (1, 1, 0) at every order: c_s = -4^s.",
        }
    }

    fn curve(
        &self,
        _k: &[f64],
        times: &[f64],
        _opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let mut cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            cv.method = CurveMethod::ClosedForm;
            let v: Vec<f64> = times.iter().map(|&t| -(4.0 * t).exp_m1()).collect();
            (v.clone(), v)
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok({
            // Delta l/(q r) = -(e^{4t} - 1); s = 0 row: -1.
            let d: Vec<Poly> = (0..len)
                .map(|n| cst(&Vars::empty(), -pow_i(4, n)))
                .collect();
            (d.clone(), d)
        })
    }
}

/// V2, `large-data+narrow-latent+free` ([`Regime::LargeNarrowFree`]).
#[derive(Clone, Copy, Debug)]
pub struct LargeNarrowFree;

impl Face for LargeNarrowFree {
    fn regime(&self) -> Regime {
        Regime::LargeNarrowFree
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> inf, r -> 0, q -> inf",
            summary: "vertex, limit of E1, E3 and E8 at alpha = infinity: Delta l/(r q^2) -> ((1 + 4 tau)^{-2} - 1)/2.",
            words: "Both Delta l/(r q^2) = (1/2)((1 + 4 tau)^{-2} - 1).",
            latex: r"\frac{\Delta\ell}{rq^2}=\tfrac12\big((1+4\tau)^{-2}-1\big)",
            derivation: "\
Vertex (0,1) x {0}: E8 with alpha = inf: phi = e^x, dx/dtau = -2 e^{2x}, e^{-2x} = 1 + 4 tau,
phi^4 = phi^3 phi' = (1 + 4 tau)^{-2}. E3 with r -> 0: MP_r -> delta_1, (r/2)(1 + 4 tau)^{-2}.
E4 with q -> inf: the coefficient of q^{s+2}. Hierarchy side: (1, s+2, 0).",
        }
    }

    fn curve(
        &self,
        _k: &[f64],
        times: &[f64],
        _opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let mut cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            cv.method = CurveMethod::ClosedForm;
            let v: Vec<f64> = times
                .iter()
                .map(|&t| 0.5 / (1.0 + 4.0 * t).powi(2))
                .collect();
            let v: Vec<f64> = v.iter().map(|x| x - 0.5).collect();
            (v.clone(), v)
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok({
            // (1/2)(1 + 4 tau)^{-2}: c_n = (1/2)(n+1)! (-4)^n.
            let d: Vec<Poly> = (0..len)
                .map(|n| cst(&Vars::empty(), frac(1, 2) * factorial(n + 1) * pow_i(-4, n)))
                .collect();
            (d.clone(), d)
        })
    }
}

/// V3, `large-data+mean-field+free` ([`Regime::LargeMeanFieldFree`]).
#[derive(Clone, Copy, Debug)]
pub struct LargeMeanFieldFree;

impl Face for LargeMeanFieldFree {
    fn regime(&self) -> Regime {
        Regime::LargeMeanFieldFree
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> inf, r -> inf, q r -> inf",
            summary: "vertex, limit of E2, E3 and E9 at alpha = infinity: l/c^2 -> (1/2)(1 + 4 tau)^{-2}, tau = c t.",
            words: "Both l/(q r)^2 = (1/2)(1 + 4 tau)^{-2}.",
            latex: r"\frac{\ell}{(qr)^2}=\tfrac12(1+4\tau)^{-2}",
            derivation: "\
Vertex (1,1) x {0}: E9 with alpha = inf: (1/2)(1 + 4 tau)^{-2} for both; E2 with c -> inf:
m_{4t}(c) ~ c/(1 + 4 c t); E3 with r -> inf. Hierarchy side: (s+2, s+2, 0).",
        }
    }

    fn curve(
        &self,
        _k: &[f64],
        times: &[f64],
        _opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let mut cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            cv.method = CurveMethod::ClosedForm;
            let v: Vec<f64> = times
                .iter()
                .map(|&t| 0.5 / (1.0 + 4.0 * t).powi(2))
                .collect();
            (v.clone(), v)
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok({
            // (1/2)(1 + 4 tau)^{-2}: c_n = (1/2)(n+1)! (-4)^n.
            let d: Vec<Poly> = (0..len)
                .map(|n| cst(&Vars::empty(), frac(1, 2) * factorial(n + 1) * pow_i(-4, n)))
                .collect();
            (d.clone(), d)
        })
    }
}

/// V4, `small-data+narrow-latent+mean-field` ([`Regime::SmallNarrowMeanField`]).
#[derive(Clone, Copy, Debug)]
pub struct SmallNarrowMeanField;

impl Face for SmallNarrowMeanField {
    fn regime(&self) -> Regime {
        Regime::SmallNarrowMeanField
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> 0 and q r -> 0 (linear flow on the data span)",
            summary: "vertex, limit of E4 (q -> 0) and E5 (c -> 0): the data span grows linearly, Delta l_tr/(q r) -> -(e^{4 tau} - 1) and Delta l_pop/(q r alpha) -> -(e^{4 tau} - 1), tau = t/alpha.",
            words: "Delta l_tr/(q r) = Delta l_pop/(q r alpha) = -(e^{4 tau} - 1).",
            latex: r"\frac{\Delta\ell_{tr}}{qr}=\frac{\Delta\ell_{pop}}{qr\alpha}=-(e^{4\tau}-1)",
            derivation: "\
Vertex (0,0) x {1}: E7 with alpha -> 0: phi(4t) ~ 1 + alpha(e^{4 tau} - 1), phi'(4t) ~ e^{4 tau};
E4 with q -> 0 (kappa -> 4): -(q - q^2/2)(e^{4 tau} - 1) ~ -q (e^{4 tau} - 1);
E5 with c -> 0. Hierarchy side: (1, 1, s) train, (1, 1, s-1) pop.",
        }
    }

    fn curve(
        &self,
        _k: &[f64],
        times: &[f64],
        _opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let mut cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            cv.method = CurveMethod::ClosedForm;
            let v: Vec<f64> = times.iter().map(|&t| -(4.0 * t).exp_m1()).collect();
            (v.clone(), v)
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok({
            let tr: Vec<Poly> = (0..len)
                .map(|n| cst(&Vars::empty(), -pow_i(4, n)))
                .collect();
            let mut pop = tr.clone();
            pop[0] = Poly::zero(&Vars::empty());
            (tr, pop)
        })
    }
}

/// V5, `small-data+narrow-latent+free` ([`Regime::SmallNarrowFree`]).
#[derive(Clone, Copy, Debug)]
pub struct SmallNarrowFree;

impl Face for SmallNarrowFree {
    fn regime(&self) -> Regime {
        Regime::SmallNarrowFree
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> 0, r -> 0, q -> inf",
            summary: "vertex, limit of E6 as r -> 0 (and E4 as q -> infinity): Delta l_tr/(r q^2) -> (e^{-2 sigma} - 1)/2, sigma = q t/alpha.",
            words: "Delta l_tr/(r q^2) = (1/2)(e^{-2 sigma} - 1); Delta l_pop/(alpha r q^2) = 2(e^{-2 sigma} - 1).",
            latex: r"\frac{\Delta\ell_{tr}}{rq^2}=\tfrac12(e^{-2\sigma}-1),\ \frac{\Delta\ell_{pop}}{\alpha rq^2}=2(e^{-2\sigma}-1)",
            derivation: "\
Vertex (0,1) x {1}: E8 with alpha -> 0 (x = alpha xi, xi = -2 sigma): phi^4 ~ 1 + 4 alpha
(e^{-2 sigma} - 1), phi^3 phi' ~ e^{-2 sigma}; E6 with r -> 0: |gh|^2 = r e^{-2 sigma};
E4 with q -> inf. Hierarchy side: (1, s+2, s) train, (1, s+2, s-1) pop.",
        }
    }

    fn curve(
        &self,
        _k: &[f64],
        times: &[f64],
        _opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let mut cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            cv.method = CurveMethod::ClosedForm;
            let tr = times.iter().map(|&t| 0.5 * (-2.0 * t).exp_m1()).collect();
            let pop = times.iter().map(|&t| 2.0 * (-2.0 * t).exp_m1()).collect();
            (tr, pop)
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok({
            // train (1/2) e^{-2 sigma}, pop 2 (e^{-2 sigma} - 1).
            let tr: Vec<Poly> = (0..len)
                .map(|n| cst(&Vars::empty(), frac(1, 2) * pow_i(-2, n)))
                .collect();
            let mut pop: Vec<Poly> = (0..len)
                .map(|n| cst(&Vars::empty(), rat(2) * pow_i(-2, n)))
                .collect();
            pop[0] = Poly::zero(&Vars::empty());
            (tr, pop)
        })
    }
}

/// V6, `small-data+mean-field+free` ([`Regime::SmallMeanFieldFree`]).
#[derive(Clone, Copy, Debug)]
pub struct SmallMeanFieldFree;

impl Face for SmallMeanFieldFree {
    fn regime(&self) -> Regime {
        Regime::SmallMeanFieldFree
    }

    fn text(&self) -> FaceText {
        FaceText {
            scaling: "alpha -> 0, r -> inf, q r -> inf",
            summary: "vertex, limit of E9 as alpha -> 0 (and E5 as c -> infinity): l_tr/c^2 -> (1/2)(1 + 4 sigma)^{-2}, sigma = c t/alpha.",
            words: "l_tr/(q r)^2 = (1/2)(1 + 4 sigma)^{-2}; Delta l_pop/(alpha (q r)^2) = (1/2)((1 + 4 sigma)^{-2} - 1).",
            latex: r"\frac{\ell_{tr}}{(qr)^2}=\tfrac12(1+4\sigma)^{-2},\ \frac{\Delta\ell_{pop}}{\alpha(qr)^2}=\tfrac12\big((1+4\sigma)^{-2}-1\big)",
            derivation: "\
Vertex (1,1) x {1}: E5 with c -> inf: a ~ c/(1 + 4 sigma); E9 with alpha -> 0 (mass alpha at
1/alpha); E6 with r -> inf. Hierarchy side: (s+2, s+2, s) train, (s+2, s+2, s-1) pop.",
        }
    }

    fn curve(
        &self,
        _k: &[f64],
        times: &[f64],
        _opts: &CurveOptions,
    ) -> Result<CurveValues, RegimeError> {
        let mut cv = CurveValues::new(CurveMethod::Quadrature);
        let (train, pop) = {
            cv.method = CurveMethod::ClosedForm;
            let tr = times
                .iter()
                .map(|&t| 0.5 / (1.0 + 4.0 * t).powi(2))
                .collect();
            let pop = times
                .iter()
                .map(|&t| 0.5 / (1.0 + 4.0 * t).powi(2) - 0.5)
                .collect();
            (tr, pop)
        };
        cv.with(train, pop)
    }

    fn series(&self, max_order: usize) -> Result<(Vec<Poly>, Vec<Poly>), RegimeError> {
        let len = max_order + 1;
        Ok({
            let tr: Vec<Poly> = (0..len)
                .map(|n| cst(&Vars::empty(), frac(1, 2) * factorial(n + 1) * pow_i(-4, n)))
                .collect();
            let mut pop = tr.clone();
            pop[0] = Poly::zero(&Vars::empty());
            (tr, pop)
        })
    }
}
