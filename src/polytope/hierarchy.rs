//! The hierarchy of leading exponent supports.
//!
//! Each monomial of c_s (THEORY section 3) is `coeff * q^j r^k alpha^(-l) p^(-g)`. The leading
//! part (g = 0) of order s has support `P_s`, a finite set of lattice points `(k, j, l)`.
//! Classification consumes a [`Hierarchy`]: the supports at a list of consecutive orders, for the
//! train and the population loss, and where they came from. It never assumes a shape.

use std::collections::BTreeSet;

/// A lattice point `(k, j, l)`: powers of r, q and 1/alpha.
pub type Point3 = [i64; 3];

/// Which loss a support or a coefficient belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Loss {
    /// l_tr = L_tr / p, the loss the flow minimizes.
    Train,
    /// l_pop = L_pop / p, the population (test) loss.
    Pop,
}

impl Loss {
    /// `"train"` or `"pop"`.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Train => "train",
            Loss::Pop => "pop",
        }
    }
}

/// The leading supports at one order s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderSupport {
    /// The order s (power of t).
    pub s: u32,
    /// Leading (g = 0) support of the train-loss coefficient c_s.
    pub train: BTreeSet<Point3>,
    /// Leading (g = 0) support of the population-loss coefficient c_s.
    pub pop: BTreeSet<Point3>,
}

impl OrderSupport {
    /// The support for one loss.
    pub fn support(&self, loss: Loss) -> &BTreeSet<Point3> {
        match loss {
            Loss::Train => &self.train,
            Loss::Pop => &self.pop,
        }
    }
}

/// Where a hierarchy came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HierarchySource {
    /// The support law stated in THEORY section 3 (a formula, not a computation).
    SupportLaw,
    /// Supports extracted from exactly computed expansion coefficients.
    Computed {
        /// How they were computed (e.g. "free probability, g = 0" or "Wick").
        method: String,
    },
}

/// Leading supports at consecutive orders `orders[0].s, orders[0].s + 1, ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hierarchy {
    /// Supports by order, consecutive and increasing.
    pub orders: Vec<OrderSupport>,
    /// Provenance, reported by classification.
    pub source: HierarchySource,
}

impl Hierarchy {
    /// The support law of THEORY section 3 for s = 0..=max_order:
    /// train `P_s = {1 <= k <= j <= s+2, 0 <= l <= s}`, population the same with `l <= s-1`
    /// for s >= 1 (and `l = 0` at s = 0). The constant point of c_0 is dropped: it does not
    /// change with t and plays no part in the asymptotic polytope.
    pub fn from_support_law(max_order: u32) -> Self {
        let orders = (0..=max_order)
            .map(|s| {
                let s64 = i64::from(s);
                let layer = |lmax: i64| {
                    let mut set = BTreeSet::new();
                    for j in 1..=s64 + 2 {
                        for k in 1..=j {
                            for l in 0..=lmax {
                                set.insert([k, j, l]);
                            }
                        }
                    }
                    set
                };
                OrderSupport {
                    s,
                    train: layer(s64),
                    pop: layer(if s == 0 { 0 } else { s64 - 1 }),
                }
            })
            .collect();
        Hierarchy {
            orders,
            source: HierarchySource::SupportLaw,
        }
    }

    /// The orders present, as `(first, last)`.
    pub fn order_range(&self) -> Option<(u32, u32)> {
        Some((self.orders.first()?.s, self.orders.last()?.s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_law_counts() {
        let h = Hierarchy::from_support_law(6);
        for o in &h.orders {
            let s = o.s as usize;
            assert_eq!(o.train.len(), (s + 1) * (s + 2) * (s + 3) / 2);
        }
        assert_eq!(h.order_range(), Some((0, 6)));
    }
}
