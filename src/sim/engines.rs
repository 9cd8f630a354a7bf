//! The simulation engines. Each evaluates the vector field
//!
//! ```text
//! V(W) = W [ (lin I - A) S + S (lin I - A) ] = lin W S - M W S - W S W^T W   (A = W^T W, M = W W^T)
//! ```
//!
//! with lin = 1 for gradient flow on L_tr (THEORY section 1: V = W[(I-A)S + S(I-A)], i.e. the
//! linear term 2 W S) and lin = 0 for the reduced free flow of F4 (V = -W(AS + SA)). In code the
//! coefficient of the linear term `W S` is stored as `lin2 = 2 lin`.
//!
//! Every engine also returns the trace quantities from which the losses are read:
//! tr S, tr K = tr(W S W^T) = tr(AS), tr(MK) = tr(A S A), tr M = tr A and tr M^2 = tr A^2, so that
//!
//! ```text
//! l_tr  = (1/2p) [tr S - 2 tr K + tr(MK)],      l_pop = (1/2p) [p - 2 tr M + tr M^2].
//! ```
//!
//! Engines:
//! * [`DiagEngine`] (S = I, fast mode): with S = I the step W <- W + dt(lin2 W - 2 M W) acts on
//!   each eigenvalue m of M independently, m <- m (1 + dt (lin2 - 2 m))^2 (exact Euler), and the
//!   flow dm/dt = 2 lin2 m - 4 m^2 has a closed form. O(min(H, p)) per step.
//! * [`ReducedEngine`] (fast mode, finite N): W is h x p' against S' = diag(lam_1..lam_ns, 0..0).
//!   The "H-side" algorithm costs 3 h^2 (p' + ns) flops per step, the "p-side" one
//!   3 h ns (2 p' - ns); the cheaper one is used.
//! * [`PhysicalEngine`]: the original basis with the data matrix X (or S = X X^T / N when N >= p),
//!   choosing among H-side and p-side associations, O(H p min(p, N)) per step.

use ndarray::{s, Array1, Array2, ArrayView2, ArrayViewMut2, Zip};

use super::linalg::{add_scaled, dot2, frob2, gemm, gemm_abt_sym, gram_frob2, syrk, trace, CHUNK};
use super::plan::PhysKind;
use rayon::prelude::*;

/// S = X X^T / N (p x p) from the p x N data matrix (p^2 N flops).
pub fn dense_covariance(x: &Array2<f64>) -> Array2<f64> {
    let p = x.nrows();
    let mut s = Array2::zeros((p, p));
    syrk(1.0 / x.ncols() as f64, x.view(), s.view_mut());
    s
}

/// Trace quantities of one state (see the module docs). `tr_m2` is `None` when it was not
/// requested and is not free for the engine.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Traces {
    /// tr S.
    pub tr_s: f64,
    /// tr(W S W^T) = tr(A S).
    pub tr_k: f64,
    /// tr(M W S W^T) = tr(A S A).
    pub tr_mk: f64,
    /// tr M = tr A = ||W||_F^2.
    pub tr_m: f64,
    /// tr M^2 = tr A^2.
    pub tr_m2: Option<f64>,
    /// With a covariance Sigma != I: `[tr C, tr(A C), tr(A C A)]` for the population weights C
    /// of [`SigmaPop`] (filled on full evaluations only), so that
    /// `l_pop = (1/2p) tr[(I - A) C (I - A)] = (1/2p) (tr C - 2 tr(AC) + tr(ACA))`. `None`:
    /// isotropic population loss, `l_pop = (1/2p) [p - 2 tr M + tr M^2]`.
    pub tr_pop: Option<[f64; 3]>,
}

/// A vector field on a matrix state, evaluated together with the traces of that state.
pub trait MatField: Send {
    /// Writes V(w) into `v` and returns the traces of `w` (`tr_m2` at least when `full`).
    fn field(&mut self, w: ArrayView2<f64>, v: ArrayViewMut2<f64>, full: bool) -> Traces;
    /// Nominal flop count of one field evaluation.
    fn flops(&self) -> f64;
    /// One-line description (engine, algorithm, shapes).
    fn describe(&self) -> String;
    /// The association of the products in use.
    fn side(&self) -> Side;
}

/// Which association an engine uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Side {
    /// H x H Gram matrices M = W W^T, K = W S W^T: 3 h^2 (p' + ns) flops.
    H,
    /// p-side blocks A_s* = W_s^T W: 3 h ns (2 p' - ns) flops.
    P,
}

/// Fast-mode engine for finite N: the state W is h x p' and S' = diag(lam, 0) with the first
/// `ns` columns carrying the nonzero eigenvalues `lam` of S. See [`super::setup`] for why this is
/// exact in distribution.
pub struct ReducedEngine {
    ns: usize,
    lam: Array1<f64>,
    lin2: f64,
    tr_s: f64,
    side: Side,
    h: usize,
    pp: usize,
    // H-side buffers.
    m: Array2<f64>,
    k: Array2<f64>,
    y: Array2<f64>,
    // p-side buffers: [A_ss | A_sn] and [B_ss | B_sn] (ns x p').
    a: Array2<f64>,
    b: Array2<f64>,
    gram: Array2<f64>,
    label: &'static str,
}

impl ReducedEngine {
    /// `h` x `pp` state, eigenvalues `lam` (length ns <= pp) on the first ns columns, linear
    /// coefficient `lin2` (2 for gradient flow on L_tr, 0 for the free flow). `side` forces an
    /// algorithm (None: the cheaper one).
    pub fn new(h: usize, pp: usize, lam: Vec<f64>, lin2: f64, side: Option<Side>) -> Self {
        let ns = lam.len();
        assert!(ns <= pp);
        let side = side.unwrap_or_else(|| super::plan::reduced_side(h, pp, ns));
        let tr_s = lam.iter().sum();
        let (m, k, y, a, b) = match side {
            Side::H => (
                Array2::zeros((h, h)),
                Array2::zeros((h, h)),
                Array2::zeros((h, ns)),
                Array2::zeros((0, 0)),
                Array2::zeros((0, 0)),
            ),
            Side::P => (
                Array2::zeros((0, 0)),
                Array2::zeros((0, 0)),
                Array2::zeros((0, 0)),
                Array2::zeros((ns, pp)),
                Array2::zeros((ns, pp)),
            ),
        };
        ReducedEngine {
            ns,
            lam: Array1::from(lam),
            lin2,
            tr_s,
            side,
            h,
            pp,
            m,
            k,
            y,
            a,
            b,
            gram: Array2::zeros((0, 0)),
            label: "reduced",
        }
    }

    /// Names the reduction in [`MatField::describe`] ("reduced", "data-span", "bartlett").
    pub fn with_label(mut self, label: &'static str) -> Self {
        self.label = label;
        self
    }

    fn field_h(&mut self, w: ArrayView2<f64>, mut v: ArrayViewMut2<f64>) -> Traces {
        let ns = self.ns;
        let ws = w.slice(s![.., ..ns]);
        // Y = W_s Lam (row by row, rows in parallel when large).
        let lam = self.lam.as_slice().expect("contiguous");
        scale_columns(ws, lam, &mut self.y);
        // M = W W^T, K = Y W_s^T = W_s Lam W_s^T (both symmetric: upper triangle only).
        syrk(1.0, w, self.m.view_mut());
        gemm_abt_sym(1.0, self.y.view(), ws, self.k.view_mut());
        let tr = Traces {
            tr_s: self.tr_s,
            tr_k: trace(self.k.view()),
            tr_mk: dot2(self.m.view(), self.k.view()),
            tr_m: trace(self.m.view()),
            tr_m2: Some(frob2(self.m.view())),
            tr_pop: None,
        };
        // V = -K W, then V_s += -(M - lin2 I) Y: V_s = lin2 Y - M Y - K W_s, V_n = -K W_n,
        // without elementwise passes over the H x p' field.
        gemm(-1.0, self.k.view(), w, 0.0, v.view_mut());
        for i in 0..self.h {
            self.m[[i, i]] -= self.lin2;
        }
        gemm(
            -1.0,
            self.m.view(),
            self.y.view(),
            1.0,
            v.slice_mut(s![.., ..ns]),
        );
        tr
    }

    fn field_p(&mut self, w: ArrayView2<f64>, mut v: ArrayViewMut2<f64>, full: bool) -> Traces {
        let ns = self.ns;
        let pp = self.pp;
        let ws = w.slice(s![.., ..ns]);
        let wn = w.slice(s![.., ns..]);
        syrk(1.0, ws.t(), self.a.slice_mut(s![.., ..ns]));
        if ns < pp {
            gemm(1.0, ws.t(), wn, 0.0, self.a.slice_mut(s![.., ns..]));
        }
        // Traces: tr(AS) = sum_i lam_i A_ii ; tr(ASA) = sum_i lam_i |A_i*|^2 (rows i < ns).
        let mut tr_k = 0.0;
        let mut tr_mk = 0.0;
        for i in 0..ns {
            let row = self.a.row(i);
            tr_k += self.lam[i] * row[i];
            tr_mk += self.lam[i] * row.iter().map(|x| x * x).sum::<f64>();
        }
        let tr_m = frob2(w);
        let tr_m2 = if full {
            let ass = frob2(self.a.slice(s![.., ..ns]));
            let asn = frob2(self.a.slice(s![.., ns..]));
            let ann = if ns < pp {
                gram_frob2(wn, &mut self.gram)
            } else {
                0.0
            };
            Some(ass + 2.0 * asn + ann)
        } else {
            None
        };
        // B_ss = lin2 Lam - A_ss Lam - Lam A_ss ; B_sn = -Lam A_sn.
        let lam = self.lam.as_slice().expect("contiguous");
        Zip::indexed(self.b.rows_mut())
            .and(self.a.rows())
            .for_each(|i, mut br, ar| {
                let li = lam[i];
                let (bs, bn) = br.view_mut().split_at(ndarray::Axis(0), ns);
                let (as_, an) = ar.split_at(ndarray::Axis(0), ns);
                for ((b, a), lj) in bs.into_iter().zip(as_.iter()).zip(lam) {
                    *b = -a * (li + lj);
                }
                for (b, a) in bn.into_iter().zip(an.iter()) {
                    *b = -li * a;
                }
                br[i] += self.lin2 * li;
            });
        // V_s = W_s B_ss + W_n B_ns ; V_n = W_s B_sn.
        {
            let vs = v.slice_mut(s![.., ..ns]);
            gemm(1.0, ws, self.b.slice(s![.., ..ns]), 0.0, vs);
        }
        if ns < pp {
            let bsn = self.b.slice(s![.., ns..]);
            gemm(1.0, wn, bsn.t(), 1.0, v.slice_mut(s![.., ..ns]));
            gemm(1.0, ws, bsn, 0.0, v.slice_mut(s![.., ns..]));
        }
        Traces {
            tr_s: self.tr_s,
            tr_k,
            tr_mk,
            tr_m,
            tr_m2,
            tr_pop: None,
        }
    }
}

impl MatField for ReducedEngine {
    fn field(&mut self, w: ArrayView2<f64>, v: ArrayViewMut2<f64>, full: bool) -> Traces {
        debug_assert_eq!(w.dim(), (self.h, self.pp));
        match self.side {
            Side::H => self.field_h(w, v),
            Side::P => self.field_p(w, v, full),
        }
    }

    fn flops(&self) -> f64 {
        super::plan::reduced_cost(self.h, self.pp, self.ns, self.side)
    }

    fn side(&self) -> Side {
        self.side
    }

    fn describe(&self) -> String {
        format!(
            "fast/{} {}-side: W {}x{} against diag S with {} nonzero eigenvalues",
            self.label,
            match self.side {
                Side::H => "H",
                Side::P => "p",
            },
            self.h,
            self.pp,
            self.ns
        )
    }
}

/// Fast-mode engine for S = I: the eigenvalues of M evolve independently.
pub struct DiagEngine {
    /// Eigenvalues of M = W W^T (the min(H, p) possibly nonzero ones).
    pub m: Vec<f64>,
    /// Input dimension p (tr S = p).
    pub p: f64,
    /// Coefficient of the linear term (2 for gradient flow on L_tr, 0 for the free flow).
    pub lin2: f64,
}

impl DiagEngine {
    /// Traces of the current state (tr K = tr M and tr MK = tr M^2 since S = I).
    pub fn traces(&self) -> Traces {
        let tr_m: f64 = self.m.iter().sum();
        let tr_m2: f64 = self.m.iter().map(|x| x * x).sum();
        Traces {
            tr_s: self.p,
            tr_k: tr_m,
            tr_mk: tr_m2,
            tr_m,
            tr_m2: Some(tr_m2),
            tr_pop: None,
        }
    }

    /// Exact Euler step of W <- W + dt (lin2 W - 2 M W): m <- m (1 + dt (lin2 - 2 m))^2.
    pub fn euler(&mut self, dt: f64) -> Traces {
        let tr = self.traces();
        for m in &mut self.m {
            let f = 1.0 + dt * (self.lin2 - 2.0 * *m);
            *m *= f * f;
        }
        tr
    }

    /// Exact flow over a time dt of dm/dt = 2 lin2 m - 4 m^2:
    /// m(dt) = m e^{c dt} / (1 + (4 m / c)(e^{c dt} - 1)) with c = 2 lin2, or m / (1 + 4 m dt)
    /// when lin2 = 0.
    pub fn flow(&mut self, dt: f64) -> Traces {
        let tr = self.traces();
        let c = 2.0 * self.lin2;
        for m in &mut self.m {
            *m = if c == 0.0 {
                *m / (1.0 + 4.0 * *m * dt)
            } else if *m == 0.0 {
                // The zero eigenvalues of M stay zero (0 e^{c dt} would be 0 inf = NaN).
                0.0
            } else if c * dt > 600.0 {
                // e^{c dt} overflows (or nearly): the same map divided through by e^{c dt},
                // m / (e^{-c dt} + (4 m / c)(1 - e^{-c dt})), which tends to c/4 (the fixed
                // point) instead of inf/inf = NaN.
                let d = (-c * dt).exp();
                *m / (d + (4.0 * *m / c) * (1.0 - d))
            } else {
                let e = (c * dt).exp();
                *m * e / (1.0 + (4.0 * *m / c) * (e - 1.0))
            };
        }
        tr
    }
}

/// How the physical engine represents the data.
pub enum PhysData {
    /// N = infinity: S = I.
    Identity,
    /// N = infinity with a covariance: S = Sigma = diag(s) (THEORY 9.1).
    Diagonal {
        /// The eigenvalues s of Sigma (its diagonal).
        s: Array1<f64>,
    },
    /// S = X X^T / N formed once.
    Dense {
        /// The p x p empirical covariance.
        s: Array2<f64>,
    },
    /// The p x N data matrix X.
    Samples {
        /// The data matrix.
        x: Array2<f64>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    IdH,
    IdP,
    DiagH,
    DiagP,
    DenseH,
    DenseP,
    SampH,
    SampP,
}

/// Physical-mode engine: the original basis, W is H x p, with the cheapest association of the
/// products (all O(H p min(p, N)) per step):
///
/// * S = I: V = lin2 W - 2 M W (3 H^2 p) or lin2 W - 2 W A (3 H p^2);
/// * S = Sigma = diag(s) (N = infinity with a covariance): Y = W diag(s), V = lin2 Y - M Y - K W
///   (6 H^2 p + H p), or V = W (lin2 S - A S - S A) (3 H p^2 + 3 p^2);
/// * S dense (formed once when that is cheaper per step): Y = W S, V = lin2 Y - M Y - (Y W^T) W (2 H p^2 + 6 H^2 p) or
///   V = W (lin2 S - A S - S A) (3 H p^2 + 2 p^3);
/// * data X, G = W X: V = lin2 Y - M Y - K W with Y = G X^T / N, K = G G^T / N
///   (4 H p N + 5 H^2 p + H^2 N), or V = [(lin2 G - W P) X^T - G P^T] / N with P = W^T G (10 H p N).
pub struct PhysicalEngine {
    data: PhysData,
    route: Route,
    lin2: f64,
    h: usize,
    p: usize,
    n: usize,
    tr_s: f64,
    bufs: Vec<Array2<f64>>,
    gram: Array2<f64>,
}

impl PhysicalEngine {
    /// Like [`PhysicalEngine::new`], but data given as samples X are first turned into the dense
    /// S = X X^T / N (p^2 N flops, once) when a dense-S association is cheaper per step.
    pub fn auto(h: usize, p: usize, data: PhysData, lin2: f64) -> Self {
        if let PhysData::Samples { x } = &data {
            if super::plan::physical_kind(h, p, Some(x.ncols())) == PhysKind::Dense {
                let data = PhysData::Dense {
                    s: dense_covariance(x),
                };
                return PhysicalEngine::new(h, p, data, lin2);
            }
        }
        PhysicalEngine::new(h, p, data, lin2)
    }

    /// Engine for an H x p state with the given data representation (the cheaper of its two
    /// associations is used, see [`super::plan::physical_side`]).
    pub fn new(h: usize, p: usize, data: PhysData, lin2: f64) -> Self {
        let (kind, n) = match &data {
            PhysData::Identity => (PhysKind::Identity, 0),
            PhysData::Diagonal { .. } => (PhysKind::Diagonal, 0),
            PhysData::Dense { .. } => (PhysKind::Dense, 0),
            PhysData::Samples { x } => (PhysKind::Samples, x.ncols()),
        };
        let side = super::plan::physical_side(h, p, n, kind);
        PhysicalEngine::with_side(h, p, data, lin2, side)
    }

    /// Engine for an H x p state with the given data representation and association.
    pub fn with_side(h: usize, p: usize, data: PhysData, lin2: f64, side: Side) -> Self {
        let pf = p as f64;
        let (route, n, tr_s) = match (&data, side) {
            (PhysData::Identity, Side::H) => (Route::IdH, 0, pf),
            (PhysData::Identity, Side::P) => (Route::IdP, 0, pf),
            (PhysData::Diagonal { s }, Side::H) => (Route::DiagH, 0, s.sum()),
            (PhysData::Diagonal { s }, Side::P) => (Route::DiagP, 0, s.sum()),
            (PhysData::Dense { s }, Side::H) => (Route::DenseH, 0, trace(s.view())),
            (PhysData::Dense { s }, Side::P) => (Route::DenseP, 0, trace(s.view())),
            (PhysData::Samples { x }, side) => {
                let n = x.ncols();
                (
                    if side == Side::H {
                        Route::SampH
                    } else {
                        Route::SampP
                    },
                    n,
                    frob2(x.view()) / n as f64,
                )
            }
        };
        let z = |a: usize, b: usize| Array2::zeros((a, b));
        let bufs = match route {
            Route::IdH => vec![z(h, h)],
            Route::IdP => vec![z(p, p)],
            Route::DiagH => vec![z(h, p), z(h, h), z(h, h)],
            Route::DiagP => vec![z(p, p), z(p, p)],
            Route::DenseH => vec![z(h, p), z(h, h), z(h, h)],
            Route::DenseP => vec![z(p, p), z(p, p), z(p, p)],
            Route::SampH => vec![z(h, n), z(h, p), z(h, h), z(h, h)],
            Route::SampP => vec![z(h, n), z(p, n), z(h, n)],
        };
        PhysicalEngine {
            data,
            route,
            lin2,
            h,
            p,
            n,
            tr_s,
            bufs,
            gram: Array2::zeros((0, 0)),
        }
    }
}

impl MatField for PhysicalEngine {
    fn field(&mut self, w: ArrayView2<f64>, mut v: ArrayViewMut2<f64>, full: bool) -> Traces {
        let lin2 = self.lin2;
        let tr_s = self.tr_s;
        match (self.route, &self.data) {
            (Route::IdH, _) => {
                let m = &mut self.bufs[0];
                syrk(1.0, w, m.view_mut());
                Zip::from(&mut v).and(&w).for_each(|a, &b| *a = lin2 * b);
                gemm(-2.0, m.view(), w, 1.0, v);
                let (t1, t2) = (trace(m.view()), frob2(m.view()));
                Traces {
                    tr_s,
                    tr_k: t1,
                    tr_mk: t2,
                    tr_m: t1,
                    tr_m2: Some(t2),
                    tr_pop: None,
                }
            }
            (Route::IdP, _) => {
                let a = &mut self.bufs[0];
                syrk(1.0, w.t(), a.view_mut());
                Zip::from(&mut v).and(&w).for_each(|x, &b| *x = lin2 * b);
                gemm(-2.0, w, a.view(), 1.0, v);
                let (t1, t2) = (trace(a.view()), frob2(a.view()));
                Traces {
                    tr_s,
                    tr_k: t1,
                    tr_mk: t2,
                    tr_m: t1,
                    tr_m2: Some(t2),
                    tr_pop: None,
                }
            }
            (Route::DiagH, PhysData::Diagonal { s }) => {
                let [y, m, k] = &mut self.bufs[..] else {
                    unreachable!()
                };
                let sv = s.as_slice().expect("contiguous");
                Zip::from(y.rows_mut())
                    .and(w.rows())
                    .for_each(|mut yr, wr| {
                        for ((y, w), l) in yr.iter_mut().zip(wr.iter()).zip(sv) {
                            *y = w * l;
                        }
                    });
                syrk(1.0, w, m.view_mut());
                gemm_abt_sym(1.0, y.view(), w, k.view_mut());
                h_side_finish(w, y, m, k, tr_s, lin2, v)
            }
            (Route::DiagP, PhysData::Diagonal { s }) => {
                let [a, b] = &mut self.bufs[..] else {
                    unreachable!()
                };
                syrk(1.0, w.t(), a.view_mut());
                let sv = s.as_slice().expect("contiguous");
                // tr(AS) = sum_j s_j A_jj ; tr(ASA) = sum_ij s_j A_ij^2.
                let mut tr_k = 0.0;
                let mut tr_mk = 0.0;
                for (i, row) in a.rows().into_iter().enumerate() {
                    tr_k += sv[i] * row[i];
                    for (x, sj) in row.iter().zip(sv) {
                        tr_mk += sj * x * x;
                    }
                }
                let tr = Traces {
                    tr_s,
                    tr_k,
                    tr_mk,
                    tr_m: trace(a.view()),
                    tr_m2: Some(frob2(a.view())),
                    tr_pop: None,
                };
                // B = lin2 S - A S - S A.
                Zip::indexed(&mut *b).and(&*a).for_each(|(i, j), bb, &x| {
                    *bb = -x * (sv[i] + sv[j]);
                });
                for (i, si) in sv.iter().enumerate() {
                    b[[i, i]] += lin2 * si;
                }
                gemm(1.0, w, b.view(), 0.0, v);
                tr
            }
            (Route::DenseH, PhysData::Dense { s }) => {
                let [y, m, k] = &mut self.bufs[..] else {
                    unreachable!()
                };
                gemm(1.0, w, s.view(), 0.0, y.view_mut());
                syrk(1.0, w, m.view_mut());
                gemm_abt_sym(1.0, y.view(), w, k.view_mut());
                h_side_finish(w, y, m, k, tr_s, lin2, v)
            }
            (Route::DenseP, PhysData::Dense { s }) => {
                let [a, t, b] = &mut self.bufs[..] else {
                    unreachable!()
                };
                syrk(1.0, w.t(), a.view_mut());
                gemm(1.0, a.view(), s.view(), 0.0, t.view_mut());
                let tr = Traces {
                    tr_s,
                    tr_k: trace(t.view()),
                    tr_mk: dot2(t.view(), a.view()),
                    tr_m: trace(a.view()),
                    tr_m2: Some(frob2(a.view())),
                    tr_pop: None,
                };
                Zip::from(&mut *b)
                    .and(s)
                    .and(&*t)
                    .and(&t.t())
                    .for_each(|bb, &ss, &t1, &t2| *bb = lin2 * ss - t1 - t2);
                gemm(1.0, w, b.view(), 0.0, v);
                tr
            }
            (Route::SampH, PhysData::Samples { x }) => {
                let inv_n = 1.0 / self.n as f64;
                let [g, y, m, k] = &mut self.bufs[..] else {
                    unreachable!()
                };
                gemm(1.0, w, x.view(), 0.0, g.view_mut());
                gemm(inv_n, g.view(), x.t(), 0.0, y.view_mut());
                syrk(1.0, w, m.view_mut());
                syrk(inv_n, g.view(), k.view_mut());
                h_side_finish(w, y, m, k, tr_s, lin2, v)
            }
            (Route::SampP, PhysData::Samples { x }) => {
                let inv_n = 1.0 / self.n as f64;
                let [g, pm, q] = &mut self.bufs[..] else {
                    unreachable!()
                };
                gemm(1.0, w, x.view(), 0.0, g.view_mut());
                gemm(1.0, w.t(), g.view(), 0.0, pm.view_mut());
                // Q = lin2 G - W P.
                Zip::from(&mut *q).and(&*g).for_each(|a, &b| *a = lin2 * b);
                gemm(-1.0, w, pm.view(), 1.0, q.view_mut());
                gemm(inv_n, q.view(), x.t(), 0.0, v.view_mut());
                gemm(-inv_n, g.view(), pm.t(), 1.0, v);
                let tr_m2 = if full {
                    Some(gram_frob2(w, &mut self.gram))
                } else {
                    None
                };
                Traces {
                    tr_s,
                    tr_k: frob2(g.view()) * inv_n,
                    tr_mk: frob2(pm.view()) * inv_n,
                    tr_m: frob2(w),
                    tr_m2,
                    tr_pop: None,
                }
            }
            _ => unreachable!("route matches data"),
        }
    }

    fn flops(&self) -> f64 {
        let (kind, side) = match self.route {
            Route::IdH => (PhysKind::Identity, Side::H),
            Route::IdP => (PhysKind::Identity, Side::P),
            Route::DiagH => (PhysKind::Diagonal, Side::H),
            Route::DiagP => (PhysKind::Diagonal, Side::P),
            Route::DenseH => (PhysKind::Dense, Side::H),
            Route::DenseP => (PhysKind::Dense, Side::P),
            Route::SampH => (PhysKind::Samples, Side::H),
            Route::SampP => (PhysKind::Samples, Side::P),
        };
        super::plan::physical_cost(self.h, self.p, self.n, kind, side)
    }

    fn side(&self) -> Side {
        match self.route {
            Route::IdH | Route::DiagH | Route::DenseH | Route::SampH => Side::H,
            Route::IdP | Route::DiagP | Route::DenseP | Route::SampP => Side::P,
        }
    }

    fn describe(&self) -> String {
        let r = match self.route {
            Route::IdH => "S = I, H-side",
            Route::IdP => "S = I, p-side",
            Route::DiagH => "S = Sigma diagonal, H-side",
            Route::DiagP => "S = Sigma diagonal, p-side",
            Route::DenseH => "dense S, H-side",
            Route::DenseP => "dense S, p-side",
            Route::SampH => "data X, H-side",
            Route::SampP => "data X, p-side",
        };
        format!("physical ({r}): W {}x{}", self.h, self.p)
    }
}

/// The population loss with a covariance Sigma != I (THEORY 9.1, 9.4), around any matrix engine:
/// on full evaluations it adds `[tr C, tr(A C), tr(A C A)]` ([`Traces::tr_pop`]) for diagonal
/// population weights C = diag(c) on the state's columns, so that
///
/// ```text
/// l_pop = (1/2p) tr[(I - A) C (I - A)] = (1/2p) [tr C - 2 sum_j c_j |W_:j|^2 + tr(M W C W^T)],
/// ```
///
/// read off the state W (h x p') as for the train loss: `tr(A C A) = tr(M K_C)` with
/// `M = W W^T`, `K_C = W C W^T` (2 h^2 p' + h p' flops) when h <= p', else
/// `sum_ij c_j (W^T W)_ij^2` (h p'^2 + p'^2). The weights are:
///
/// * physical mode: c = the eigenvalues of Sigma (Sigma is diagonal in the original basis,
///   without loss of generality): the exact per-run value;
/// * fast mode: c = diag(Sigma') with Sigma' = U^T Sigma U in the eigenbasis of S = U D U^T.
///   With S diagonal the flow commutes with the sign flips W -> W E (E = diag(+-1)) and W0 is
///   invariant under them, so the run from W0 E has A(t) -> E A(t) E and its population loss is
///   the full-Sigma' value with Sigma' -> E Sigma' E. The average over the 2^p flips replaces
///   Sigma' by diag(Sigma'): the per-run value computed here is the conditional expectation of
///   the full-Sigma' value given the run up to flips (Rao-Blackwell). It is therefore an unbiased
///   per-run estimate of the same ensemble mean with no larger variance, and it costs O(h^2 p')
///   per record instead of O(h p^2). Columns of the null space of S (N < p) carry the common
///   weight `(tr Sigma - sum_span c_j) / (p - N)`: the flow is also invariant under rotations
///   of the null block, and their (Haar) average replaces the null-null block of Sigma' by its
///   mean on the diagonal and removes the span-null blocks. The data-span engine's Bartlett
///   columns L (L L^T = W_n W_n^T) carry this same weight, since the averaged null term is
///   `c_null tr(W_n W_n^T ...)`, a function of M_n = L L^T only.
pub struct SigmaPop {
    inner: Box<dyn MatField>,
    c: Array1<f64>,
    tr_c: f64,
    y: Array2<f64>,
    m: Array2<f64>,
    k: Array2<f64>,
}

impl SigmaPop {
    /// Wraps `inner` (state h x c.len()) with population weights `c` and `tr_c = tr Sigma`
    /// (which differs from sum c for the data-span engine).
    pub fn new(inner: Box<dyn MatField>, c: Vec<f64>, tr_c: f64) -> Self {
        SigmaPop {
            inner,
            c: Array1::from(c),
            tr_c,
            y: Array2::zeros((0, 0)),
            m: Array2::zeros((0, 0)),
            k: Array2::zeros((0, 0)),
        }
    }

    /// Extra flops of one full (record) evaluation for an h x pp state.
    pub fn record_flops(h: usize, pp: usize) -> f64 {
        let (h, p) = (h as f64, pp as f64);
        if h <= p {
            2.0 * h * h * p + 3.0 * h * p
        } else {
            h * p * p + 3.0 * p * p + 2.0 * h * p
        }
    }

    /// `[tr C, tr(A C), tr(A C A)]` of the state `w`.
    pub fn pop_traces(&mut self, w: ArrayView2<f64>) -> [f64; 3] {
        let (h, pp) = w.dim();
        debug_assert_eq!(pp, self.c.len());
        let c = self.c.as_slice().expect("contiguous");
        let mut t1 = 0.0;
        for row in w.rows() {
            for (x, cj) in row.iter().zip(c) {
                t1 += cj * x * x;
            }
        }
        let t2 = if h <= pp {
            if self.y.dim() != (h, pp) {
                self.y = Array2::zeros((h, pp));
                self.m = Array2::zeros((h, h));
                self.k = Array2::zeros((h, h));
            }
            Zip::from(self.y.rows_mut())
                .and(w.rows())
                .for_each(|mut yr, wr| {
                    for ((y, w), l) in yr.iter_mut().zip(wr.iter()).zip(c) {
                        *y = w * l;
                    }
                });
            syrk(1.0, w, self.m.view_mut());
            gemm_abt_sym(1.0, self.y.view(), w, self.k.view_mut());
            dot2(self.m.view(), self.k.view())
        } else {
            if self.m.dim() != (pp, pp) {
                self.m = Array2::zeros((pp, pp));
            }
            syrk(1.0, w.t(), self.m.view_mut());
            let mut acc = 0.0;
            for row in self.m.rows() {
                for (x, cj) in row.iter().zip(c) {
                    acc += cj * x * x;
                }
            }
            acc
        };
        [self.tr_c, t1, t2]
    }
}

impl MatField for SigmaPop {
    fn field(&mut self, w: ArrayView2<f64>, v: ArrayViewMut2<f64>, full: bool) -> Traces {
        let mut tr = self.inner.field(w, v, full);
        if full {
            tr.tr_pop = Some(self.pop_traces(w));
        }
        tr
    }

    fn flops(&self) -> f64 {
        self.inner.flops()
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn side(&self) -> Side {
        self.inner.side()
    }
}

/// Explicit integrators over a [`MatField`], with preallocated stage buffers.
pub struct MatIntegrator {
    /// The field.
    pub f: Box<dyn MatField>,
    /// The state.
    pub w: Array2<f64>,
    v: Array2<f64>,
    acc: Array2<f64>,
    tmp: Array2<f64>,
}

impl MatIntegrator {
    /// Wraps a field and an initial state.
    pub fn new(f: Box<dyn MatField>, w: Array2<f64>) -> Self {
        // Row-major storage, so that the state can be handled as one flat slice.
        let w = if w.is_standard_layout() {
            w
        } else {
            w.as_standard_layout().into_owned()
        };
        let d = w.dim();
        MatIntegrator {
            f,
            w,
            v: Array2::zeros(d),
            acc: Array2::zeros((0, 0)),
            tmp: Array2::zeros((0, 0)),
        }
    }

    /// The field and the state, borrowed together (for external integrators).
    pub fn parts(&mut self) -> (&mut dyn MatField, &mut Array2<f64>) {
        (self.f.as_mut(), &mut self.w)
    }

    /// Traces of the current state (one field evaluation).
    pub fn traces(&mut self, full: bool) -> Traces {
        self.f.field(self.w.view(), self.v.view_mut(), full)
    }

    /// W <- W + dt V(W); returns the traces of the state before the step.
    pub fn euler(&mut self, dt: f64, full: bool) -> Traces {
        let tr = self.f.field(self.w.view(), self.v.view_mut(), full);
        add_scaled(&mut self.w, dt, &self.v);
        tr
    }

    /// Classical RK4 step; returns the traces of the state before the step.
    pub fn rk4(&mut self, dt: f64, full: bool) -> Traces {
        if self.acc.dim() != self.w.dim() {
            self.acc = Array2::zeros(self.w.dim());
            self.tmp = Array2::zeros(self.w.dim());
        }
        let tr = self.f.field(self.w.view(), self.v.view_mut(), full);
        self.acc.assign(&self.v);
        for (c_tmp, c_acc) in [(0.5, 2.0), (0.5, 2.0), (1.0, 1.0)] {
            self.tmp.assign(&self.w);
            add_scaled(&mut self.tmp, c_tmp * dt, &self.v);
            self.f.field(self.tmp.view(), self.v.view_mut(), false);
            add_scaled(&mut self.acc, c_acc, &self.v);
        }
        add_scaled(&mut self.w, dt / 6.0, &self.acc);
        tr
    }
}

/// Y = W_s diag(lam) (each row of `ws` times `lam` elementwise), rows in parallel when large.
fn scale_columns(ws: ArrayView2<f64>, lam: &[f64], y: &mut Array2<f64>) {
    let ns = lam.len();
    let row = |yr: &mut [f64], i: usize| {
        let wr = ws.row(i);
        match wr.as_slice() {
            Some(wr) => {
                for ((y, w), l) in yr.iter_mut().zip(wr).zip(lam) {
                    *y = w * l;
                }
            }
            None => {
                for ((y, w), l) in yr.iter_mut().zip(wr.iter()).zip(lam) {
                    *y = w * l;
                }
            }
        }
    };
    let ys = y.as_slice_mut().expect("Y is a standard-layout buffer");
    if ns == 0 {
        return;
    }
    if ys.len() <= 2 * CHUNK {
        ys.chunks_mut(ns).enumerate().for_each(|(i, yr)| row(yr, i));
    } else {
        ys.par_chunks_mut(ns)
            .enumerate()
            .for_each(|(i, yr)| row(yr, i));
    }
}

/// The common end of the H-side physical routes: with Y = W S (H x p), M = W W^T and
/// K = W S W^T, the traces of THEORY's loss formulas and the field
/// V = lin2 Y - M Y - K W.
fn h_side_finish(
    w: ArrayView2<f64>,
    y: &Array2<f64>,
    m: &Array2<f64>,
    k: &Array2<f64>,
    tr_s: f64,
    lin2: f64,
    mut v: ArrayViewMut2<f64>,
) -> Traces {
    let tr = Traces {
        tr_s,
        tr_k: trace(k.view()),
        tr_mk: dot2(m.view(), k.view()),
        tr_m: trace(m.view()),
        tr_m2: Some(frob2(m.view())),
        tr_pop: None,
    };
    Zip::from(&mut v).and(y).for_each(|a, &b| *a = lin2 * b);
    gemm(-1.0, m.view(), y.view(), 1.0, v.view_mut());
    gemm(-1.0, k.view(), w, 1.0, v);
    tr
}

#[cfg(test)]
mod tests {
    use super::DiagEngine;

    /// The exact flow of dm/dt = 2 lin2 m - 4 m^2 over a long step (c dt beyond the range of
    /// exp) reaches the fixed point lin2/2 instead of inf/inf = NaN, and agrees with the
    /// unscaled formula where both are finite.
    #[test]
    fn diagonal_flow_survives_long_steps() {
        let m0 = vec![0.0, 1e-3, 0.5, 3.0];
        let mut long = DiagEngine {
            m: m0.clone(),
            p: 4.0,
            lin2: 2.0,
        };
        long.flow(5e4);
        assert_eq!(long.m[0], 0.0);
        for &m in &long.m[1..] {
            assert!((m - 1.0).abs() < 1e-12, "{:?}", long.m);
        }
        // Just below and above the switch (c dt = 600) the two forms agree.
        for dt in [149.9, 150.1] {
            let mut e = DiagEngine {
                m: m0.clone(),
                p: 4.0,
                lin2: 2.0,
            };
            e.flow(dt);
            for &m in &e.m[1..] {
                assert!((m - 1.0).abs() < 1e-12, "dt {dt}: {:?}", e.m);
            }
        }
    }
}
