//! The tidy CSV shared by `prism simulate --csv`, `prism limit --csv` and `prism check --csv`.
//!
//! One row per observation, one header for all three commands:
//!
//! `source,face,n,run,seed,loss,quantity,t,tau,value,stderr`
//!
//! * `source`: `sim` (a simulation) or `limit` (the face's limiting curve);
//! * `face`: the face name (empty for an explicit-size simulation, which has no face);
//! * `n`: the growth variable n of a SPEC simulation (empty otherwise);
//! * `run`: the run index, or `mean` for the ensemble mean (then `stderr` is its standard
//!   error); empty for a limit row;
//! * `seed`: the run's seed (per-run rows only);
//! * `loss`: `train` or `pop`;
//! * `quantity`: `l_tr` / `l_pop` for the raw loss per input dimension, or the face's
//!   normalized quantity (e.g. `(l_tr - l_tr(0)) / r`, [`crate::regimes::Regime::quantity`]),
//!   always quoted; a limit row and a normalized simulation row with the same `face`, `loss` and
//!   `quantity` overlay directly on `tau`;
//! * `t`: physical gradient-flow time (simulation rows; empty for limit rows);
//! * `tau`: the face time (limit rows, SPEC simulations and check rows);
//! * `value`, `stderr` (empty when not applicable).

use crate::check::run::CheckReport;
use crate::regimes::{LimitCurves, Loss, Regime};
use crate::sim::SimResult;

use super::Normalized;

/// The header line (without newline).
pub const HEADER: &str = "source,face,n,run,seed,loss,quantity,t,tau,value,stderr";

/// One tidy row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row<'a> {
    /// `sim` or `limit`.
    pub source: &'static str,
    /// Face name, or empty.
    pub face: &'a str,
    /// The growth variable n.
    pub n: Option<f64>,
    /// Run index, `mean`, or empty.
    pub run: String,
    /// Seed of the run.
    pub seed: Option<u64>,
    /// Which loss.
    pub loss: Loss,
    /// The quantity.
    pub quantity: &'a str,
    /// Physical time.
    pub t: Option<f64>,
    /// Face time.
    pub tau: Option<f64>,
    /// The value.
    pub value: f64,
    /// Its standard error.
    pub stderr: Option<f64>,
}

fn opt<T: std::fmt::Display>(x: Option<T>) -> String {
    x.map_or(String::new(), |v| v.to_string())
}

impl Row<'_> {
    /// The CSV line (with newline).
    pub fn line(&self) -> String {
        format!(
            "{},{},{},{},{},{},\"{}\",{},{},{},{}\n",
            self.source,
            self.face,
            opt(self.n),
            self.run,
            opt(self.seed),
            self.loss.name(),
            self.quantity.replace('"', "\"\""),
            opt(self.t),
            opt(self.tau),
            self.value,
            opt(self.stderr)
        )
    }
}

/// The limit rows of `curves` (face time in `tau`).
pub fn limit_rows(regime: Regime, curves: &LimitCurves) -> String {
    let mut s = String::new();
    for loss in [Loss::Train, Loss::Pop] {
        let err = match loss {
            Loss::Train => curves.train_err.as_ref(),
            Loss::Pop => curves.pop_err.as_ref(),
        };
        let q = regime.quantity(loss);
        for (i, t) in curves.times.iter().enumerate() {
            s.push_str(
                &Row {
                    source: "limit",
                    face: regime.name(),
                    n: None,
                    run: String::new(),
                    seed: None,
                    loss,
                    quantity: &q,
                    t: None,
                    tau: Some(*t),
                    value: curves.values(loss)[i],
                    stderr: err.map(|e| e[i]),
                }
                .line(),
            );
        }
    }
    s
}

fn raw(l: Loss) -> &'static str {
    match l {
        Loss::Train => "l_tr",
        Loss::Pop => "l_pop",
    }
}

/// The SPEC form's context of a simulation's rows.
#[derive(Clone, Copy, Debug)]
pub struct SimFace<'a> {
    /// The face.
    pub regime: Regime,
    /// The concrete n.
    pub n: f64,
    /// The normalized curves.
    pub norm: &'a Normalized,
}

/// The rows of a simulation: per run then the means, raw losses and (SPEC form) the face's
/// normalized quantities.
pub fn sim_rows(res: &SimResult, face: Option<SimFace>) -> String {
    let mut s = String::new();
    let fname = face.map_or("", |f| f.regime.name());
    let n = face.map(|f| f.n);
    let tau = |k: usize| face.map(|f| f.norm.tau[k]);
    // A face whose normalization is the identity (quantity `l_tr` itself) adds no rows.
    let quantities = face.map(|f| {
        [Loss::Train, Loss::Pop].map(|l| {
            let q = f.regime.quantity(l);
            (q != raw(l)).then_some(q)
        })
    });
    let row = |run: String, seed, loss, quantity: &str, k: usize, value, stderr| {
        Row {
            source: "sim",
            face: fname,
            n,
            run,
            seed,
            loss,
            quantity,
            t: Some(res.t[k]),
            tau: tau(k),
            value,
            stderr,
        }
        .line()
    };
    for (i, r) in res.runs.iter().enumerate() {
        for k in 0..res.t.len() {
            let (run, seed) = (r.run.to_string(), Some(r.seed));
            s.push_str(&row(
                run.clone(),
                seed,
                Loss::Train,
                "l_tr",
                k,
                r.train[k],
                None,
            ));
            s.push_str(&row(
                run.clone(),
                seed,
                Loss::Pop,
                "l_pop",
                k,
                r.pop[k],
                None,
            ));
            if let (Some(f), Some([qt, qp])) = (face, &quantities) {
                if let Some(q) = qt {
                    s.push_str(&row(
                        run.clone(),
                        seed,
                        Loss::Train,
                        q,
                        k,
                        f.norm.train.runs[i][k],
                        None,
                    ));
                }
                if let Some(q) = qp {
                    s.push_str(&row(
                        run.clone(),
                        seed,
                        Loss::Pop,
                        q,
                        k,
                        f.norm.pop.runs[i][k],
                        None,
                    ));
                }
            }
        }
    }
    for k in 0..res.t.len() {
        let m = || "mean".to_string();
        s.push_str(&row(
            m(),
            None,
            Loss::Train,
            "l_tr",
            k,
            res.train_mean[k],
            Some(res.train_sem[k]),
        ));
        s.push_str(&row(
            m(),
            None,
            Loss::Pop,
            "l_pop",
            k,
            res.pop_mean[k],
            Some(res.pop_sem[k]),
        ));
        if let (Some(f), Some([qt, qp])) = (face, &quantities) {
            if let Some(q) = qt {
                s.push_str(&row(
                    m(),
                    None,
                    Loss::Train,
                    q,
                    k,
                    f.norm.train.mean[k],
                    Some(f.norm.train.sem[k]),
                ));
            }
            if let Some(q) = qp {
                s.push_str(&row(
                    m(),
                    None,
                    Loss::Pop,
                    q,
                    k,
                    f.norm.pop.mean[k],
                    Some(f.norm.pop.sem[k]),
                ));
            }
        }
    }
    s
}

/// The rows of a check: the limit (or reference series) on the face-time grid, then the
/// simulated ensemble means of every size n.
pub fn check_rows(r: &CheckReport) -> String {
    let mut s = String::new();
    for lc in &r.losses {
        let limit = match lc.loss {
            Loss::Train => &r.limit_train,
            Loss::Pop => &r.limit_pop,
        };
        for (i, tau) in r.times.iter().enumerate() {
            s.push_str(
                &Row {
                    source: "limit",
                    face: &r.face,
                    n: None,
                    run: String::new(),
                    seed: None,
                    loss: lc.loss,
                    quantity: &lc.quantity,
                    t: None,
                    tau: Some(*tau),
                    value: limit[i],
                    stderr: None,
                }
                .line(),
            );
        }
    }
    for size in &r.sizes {
        for lc in &r.losses {
            let (mean, sem) = match lc.loss {
                Loss::Train => (&size.train_mean, &size.train_sem),
                Loss::Pop => (&size.pop_mean, &size.pop_sem),
            };
            for (i, tau) in r.times.iter().enumerate() {
                s.push_str(
                    &Row {
                        source: "sim",
                        face: &r.face,
                        n: Some(size.n),
                        run: "mean".into(),
                        seed: None,
                        loss: lc.loss,
                        quantity: &lc.quantity,
                        t: None,
                        tau: Some(*tau),
                        value: mean[i],
                        stderr: Some(sem[i]),
                    }
                    .line(),
                );
            }
        }
    }
    s
}
