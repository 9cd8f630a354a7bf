//! `prism expand` as one library call: a [`ExpandRequest`] (order, losses, leading or full,
//! isotropic or anisotropic) with its cost [`ExpandRequest::estimate`], computed by
//! [`ExpandRequest::compute`] into the exact coefficients c_s = E[L^(s)(0)]/p, s = 0..=order,
//! of each loss; [`ExpandOutcome::entries`] is the documented `--json` report
//! ([`ExpandEntry`]) and [`ExpandOutcome::text`] the text report. The CLI and the Python
//! package call the same functions.
//!
//! Paths: the leading (g = 0) part by free probability (`leading`), or the full Wick
//! computation; with `anisotropic`, x ~ N(0, Sigma) and each term carries the spectral moments
//! m_k = tr(Sigma^k)/p (THEORY 9.2). The cost of the population loss relative to the train
//! loss is [`POP_SHARE`].

use crate::budget::Estimate;
use crate::expansion::aniso::free::leading_coefficients_aniso;
use crate::expansion::aniso::{full_coefficients_aniso, Samples};
use crate::expansion::estimate::{expansion_estimate, POP_SHARE};
use crate::expansion::{full_coefficients, leading_coefficients, ExpansionError};
use crate::poly::{Poly, PolyFormat};
use crate::polytope::Loss;
use crate::report::{expand, ExpandEntry};
use crate::values::Choice;

/// Which losses to expand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Losses {
    /// The train loss l_tr.
    Train,
    /// The population loss l_pop.
    Pop,
    /// Both, train first.
    #[default]
    Both,
}

impl Choice for Losses {
    const WHAT: &'static str = "loss";
    const CHOICES: &'static [(&'static str, &'static str, Self)] = &[
        ("train", "The train loss l_tr", Losses::Train),
        ("pop", "The population loss l_pop", Losses::Pop),
        ("both", "Both", Losses::Both),
    ];
}

impl Losses {
    /// The losses, in output order.
    pub fn list(self) -> &'static [Loss] {
        match self {
            Losses::Train => &[Loss::Train],
            Losses::Pop => &[Loss::Pop],
            Losses::Both => &[Loss::Train, Loss::Pop],
        }
    }
}

/// What to expand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpandRequest {
    /// Highest order s (all orders 0..=s are computed).
    pub order: usize,
    /// Which losses.
    pub losses: Losses,
    /// Only the leading (g = 0) part, by free probability.
    pub leading: bool,
    /// Keep the spectral moments m_k of an anisotropic covariance.
    pub anisotropic: bool,
}

/// The coefficients of each loss.
#[derive(Clone, Debug)]
pub struct ExpandOutcome {
    /// The request.
    pub request: ExpandRequest,
    /// For each loss, c_0..=c_order.
    pub results: Vec<(Loss, Vec<Poly>)>,
}

impl ExpandRequest {
    /// The time and memory of the computation; an order beyond what can be computed at all is
    /// an error naming `--order`.
    pub fn estimate(&self) -> Result<Estimate, ExpansionError> {
        let share = self
            .losses
            .list()
            .iter()
            .map(|l| if *l == Loss::Train { 1.0 } else { POP_SHARE })
            .sum();
        let path = if self.leading { "leading" } else { "full" };
        expansion_estimate(
            self.order,
            self.leading,
            share,
            format!("the {path} expansion to order {}", self.order),
            "a lower --order, --leading, or --loss train",
        )
    }

    /// The coefficients; `stage` hears what is being computed (the full path reports as the
    /// letters A are integrated out level by level).
    pub fn compute(
        &self,
        stage: &(dyn Fn(String) + Sync),
    ) -> Result<ExpandOutcome, ExpansionError> {
        let order = self.order;
        let mut results = Vec::new();
        for &loss in self.losses.list() {
            stage(format!("{} loss to order {order}", loss.name()));
            let cb = |s: usize, level: usize, states: usize| {
                stage(format!(
                    "{} order {s}/{order}: {level} letters A left, {states} states",
                    loss.name()
                ))
            };
            let polys = match (self.leading, self.anisotropic) {
                (true, true) => leading_coefficients_aniso(order, loss)?,
                (true, false) => leading_coefficients(order, loss)?,
                (false, true) => full_coefficients_aniso(order, loss, Samples::Finite, Some(&cb))?,
                (false, false) => full_coefficients(order, loss, Some(&cb))?,
            };
            results.push((loss, polys));
        }
        Ok(ExpandOutcome {
            request: *self,
            results,
        })
    }
}

impl ExpandOutcome {
    /// The `--json` report: one entry per order and loss.
    pub fn entries(&self) -> Vec<ExpandEntry> {
        let leading = self.request.leading;
        self.results
            .iter()
            .flat_map(|(loss, polys)| ExpandEntry::from_polys(*loss, polys, leading))
            .collect()
    }

    /// The text report, coefficients in `fmt`.
    pub fn text(&self, fmt: PolyFormat) -> String {
        let ExpandRequest {
            leading,
            anisotropic,
            ..
        } = self.request;
        self.results
            .iter()
            .map(|(loss, polys)| expand::text(*loss, polys, leading, anisotropic, fmt))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_compute_each_loss_in_order() {
        let req = ExpandRequest {
            order: 2,
            losses: Losses::Both,
            leading: true,
            anisotropic: false,
        };
        assert!(req.estimate().unwrap().secs < 1.0);
        let stages = std::sync::Mutex::new(Vec::new());
        let out = req.compute(&|s| stages.lock().unwrap().push(s)).unwrap();
        assert_eq!(out.results.len(), 2);
        assert_eq!(out.results[0].0, Loss::Train);
        assert_eq!(out.results[1].1.len(), 3);
        assert_eq!(stages.lock().unwrap()[1], "pop loss to order 2");
        assert_eq!(out.entries().len(), 6);
        let one = ExpandRequest {
            losses: Losses::Train,
            ..req
        };
        let train = one.compute(&|_| {}).unwrap();
        assert!(out
            .text(PolyFormat::Text)
            .starts_with(&train.text(PolyFormat::Text)));
        assert!(ExpandRequest {
            order: 10_000,
            ..req
        }
        .estimate()
        .is_err());
    }
}
