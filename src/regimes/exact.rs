//! Exact Taylor series of every limit, from the limit equations themselves.
//!
//! For each face the limit quantity `Q(T)` of THEORY 5.1 (before subtracting `l(0)`, see the
//! module docs of [`super`]) is expanded as `Q(T) = sum_s c_s T^s / s!` with `c_s` an exact
//! polynomial in the face's finite constants ([`super::Regime::constants`]). The methods, all
//! independent of the expansion code:
//!
//! * logistic faces (F1, F2, E1, E2, E5): the series of `m_s(x)` from `m' = m (1 - m)`, then
//!   Narayana moments of `mu_A` or of `MP_y`;
//! * F3, E8: recursive power-series solution of their ODEs over Q[q, y]; `phi(x(T))` is the
//!   MP_y average of `e^{lam x(T)}`, whose series in T (coefficients polynomial in lam) follows
//!   from `P' = lam x' P`, and `lam^m` averages to the Narayana moment;
//! * F4: the reduced flow through free probability ([`super::free_words`]);
//! * F5, E6: the Jacobi chain solved as power series over Q[q, sqrt r] (K = s/2 + 3 sites
//!   suffice at order s), and for F5 also the Riccati moment hierarchy
//!   `m_k' = -4 sum_{i+j=k+1} m_i m_j + 4 sum_{i+j=k} m_i m_j + 6 m_{k+1} + (2 m_1 - 4) m_k`
//!   (the z^{-k-1} coefficients of the Riccati equation) as an independent second route;
//! * E3, E7, E9: Taylor coefficients of their spectral averages (Narayana moments);
//! * E4 and the vertices: elementary closed forms.

use super::series::{
    add, constant, halve_exponent, logistic_in_x, mp_moment, mu_a_moment, mul, mul_coeff,
    rescale_time, scale, sub, to_derivatives, zero, Series,
};
use super::{Loss, Regime, RegimeError};
use crate::poly::{frac, rat, Poly, PolyFormat, Vars};
use num_rational::BigRational;
use serde::Serialize;

/// The exact limit series of one face, both losses.
#[derive(Clone, Debug, PartialEq)]
pub struct LimitSeries {
    /// The face.
    pub regime: Regime,
    /// Variable names of the coefficient polynomials (the face's finite constants).
    pub constants: Vec<&'static str>,
    /// `c_s`, s = 0..=order, train: the face sums of the hierarchy, i.e. `d^s Q_tr / dT^s` at 0
    /// for s >= 1, and at s = 0 the face part of l(0) (also where the quantity subtracts l(0);
    /// the series of the labelled quantity is [`LimitSeries::quantity_coeffs`]).
    pub train: Vec<Poly>,
    /// `c_s`, s = 0..=order, population.
    pub pop: Vec<Poly>,
}

/// One coefficient as exact text (JSON-friendly).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoeffText {
    /// Order s.
    pub s: usize,
    /// Exact polynomial, plain text.
    pub coeff: String,
}

impl LimitSeries {
    /// The coefficients of one loss.
    pub fn coeffs(&self, loss: Loss) -> &[Poly] {
        match loss {
            Loss::Train => &self.train,
            Loss::Pop => &self.pop,
        }
    }

    /// Format one coefficient (in its own variables, the face's constants).
    pub fn format(&self, loss: Loss, s: usize, fmt: PolyFormat) -> String {
        self.coeffs(loss)[s].format(fmt)
    }

    /// Whether the face's quantity for `loss` ([`Regime::quantity`]) subtracts `l(0)`
    /// (THEORY 5.1: the narrow-latent family, and the small-data population loss).
    pub fn subtracts_initial(&self, loss: Loss) -> bool {
        self.regime.normalization(loss).subtract_initial
    }

    /// The Taylor coefficients `d^s Q / dT^s` at 0 of the labelled quantity
    /// `Q = ` [`Regime::quantity`]`(loss)`. They are the face sums ([`Self::coeffs`]) except at
    /// s = 0 on a quantity that subtracts `l(0)`: there `Q(0) = 0`, while the face sum is the
    /// face part of `l(0)` ([`Self::initial_face_part`]), e.g. `q^2/2 - q` for
    /// `(l - l(0))/r` on narrow-latent (the r-linear part of `l(0) = 1/2 - q r + q^2 r/2 + ...`).
    /// For s >= 1 the subtracted constant does not contribute, so the face sums are the
    /// quantity's derivatives. This is the series `prism limit` prints under the quantity's label.
    pub fn quantity_coeffs(&self, loss: Loss) -> Vec<Poly> {
        let mut c = self.coeffs(loss).to_vec();
        if self.subtracts_initial(loss) {
            if let Some(c0) = c.first_mut() {
                *c0 = Poly::zero(c0.vars());
            }
        }
        c
    }

    /// The face part of `l(0)` divided by the loss scale, which the quantity of `loss`
    /// subtracts: the s = 0 face sum (the coefficient the hierarchy confirms at s = 0,
    /// THEORY 5.5 "mind the s = 0 row"). `None` where the quantity does not subtract `l(0)`
    /// (its c_0 is then the quantity at T = 0 itself) or the series is empty.
    pub fn initial_face_part(&self, loss: Loss) -> Option<&Poly> {
        if self.subtracts_initial(loss) {
            self.coeffs(loss).first()
        } else {
            None
        }
    }

    /// Format one coefficient of the labelled quantity ([`Self::quantity_coeffs`]).
    pub fn format_quantity(&self, loss: Loss, s: usize, fmt: PolyFormat) -> String {
        if s == 0 && self.subtracts_initial(loss) {
            return Poly::zero(self.coeffs(loss)[0].vars()).format(fmt);
        }
        self.format(loss, s, fmt)
    }

    /// Evaluate the truncated series `sum_s c_s T^s/s!` at constants `at` (floating point).
    pub fn eval_f64(&self, loss: Loss, at: &[f64], t: f64) -> f64 {
        let mut sum = 0.0;
        let mut term = 1.0;
        for (s, c) in self.coeffs(loss).iter().enumerate() {
            if s > 0 {
                term *= t / s as f64;
            }
            sum += c.eval_f64(at) * term;
        }
        sum
    }
}

/// The variable `name` of `vars`.
pub(crate) fn q(vars: &Vars, name: &str) -> Poly {
    Poly::var(vars, name)
}

/// The constant `c` in the variables `vars`.
pub(crate) fn cst(vars: &Vars, c: BigRational) -> Poly {
    Poly::constant(vars, c)
}

/// The constant 1 in the variables `vars`.
pub(crate) fn one(vars: &Vars) -> Poly {
    cst(vars, rat(1))
}

/// The variables of a face's series: its finite constants ([`Regime::constant_names`]), in
/// that order (shared per face).
pub fn face_vars(regime: Regime) -> Vars {
    static ALL: std::sync::LazyLock<Vec<(Regime, Vars)>> = std::sync::LazyLock::new(|| {
        Regime::ALL
            .iter()
            .map(|&r| (r, Vars::new(r.constant_names())))
            .collect()
    });
    ALL.iter()
        .find(|(r, _)| *r == regime)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| Vars::new(regime.constant_names()))
}

/// Exact limit series of `regime` up to order `max_order` (both losses).
///
/// The interior has no limit equation and no closed form: its exact leading series is the g = 0
/// hierarchy itself, taken from [`crate::expansion::leading_coefficients`] and written in
/// (q, r, y). (It is the only series here that comes from the expansion code.)
pub fn limit_series(regime: Regime, max_order: usize) -> Result<LimitSeries, RegimeError> {
    let (train, pop) = regime.face().series(max_order)?;
    // Every face computes in its constants by name; lay them out in the catalogue's order.
    let vars = face_vars(regime);
    let fix = |v: Vec<Poly>| v.iter().map(|p| p.reorder(&vars)).collect();
    Ok(LimitSeries {
        regime,
        constants: regime.constant_names(),
        train: fix(train),
        pop: fix(pop),
    })
}

pub(crate) fn pow_i(b: i64, n: usize) -> BigRational {
    crate::poly::pow_rat(&rat(b), n as i32)
}

/// `(1/2)(1 - m_{4t}(x))^2` as a series in t with coefficients in Q[x].
pub(crate) fn logistic_loss(len: usize) -> Series {
    let m = rescale_time(&logistic_in_x(len), &rat(4));
    let om = sub(&constant(one(m[0].vars()), len), &m);
    scale(&mul(&om, &om, len), &frac(1, 2))
}

/// The name of the spectral variable of [`MgfTrack`] and [`expect_lambda`].
pub(crate) const LAM: &str = "lam";

/// `E_{lam ~ MP_y}` of a polynomial in (consts..., lam): each `lam^m` becomes the Narayana
/// moment `mu_m(y)` (`y` the variable named `y`), giving a polynomial in `vars` (the constants).
pub(crate) fn expect_lambda(p: &Poly, vars: &Vars) -> Poly {
    let mut out = Poly::zero(vars);
    for m in 0..=p
        .terms()
        .map(|(e, _)| p.exponent(e, LAM))
        .max()
        .unwrap_or(0)
    {
        let c = p.coefficient(LAM, m);
        if !c.is_zero() {
            out.add_assign(&c.mul(&mp_moment(m as u64, vars, "y")));
        }
    }
    out
}

/// Incremental series of `P(T) = e^{lam x(T)}` (x(0) = 0), `P' = lam x' P`, over
/// Q[consts..., lam]; with `phi(x(T)) = E[P]`, `phi'(x(T)) = E[lam P]`. Each new order costs
/// O(n) polynomial products, so a whole solution is O(n^2) instead of the O(n^4) of re-composing.
pub(crate) struct MgfTrack {
    vars: Vars,
    with_lam: Vars,
    p: Vec<Poly>,
    /// `phi(x(T))` coefficients known so far.
    pub(crate) phi: Vec<Poly>,
    /// `phi'(x(T))` coefficients known so far.
    pub(crate) dphi: Vec<Poly>,
}

impl MgfTrack {
    /// Over the constants `vars` (which contain `y`, the MP ratio).
    pub(crate) fn new(vars: &Vars) -> Self {
        let with_lam = Vars::new(vars.names().chain([LAM]));
        MgfTrack {
            vars: vars.clone(),
            p: vec![Poly::constant(&with_lam, rat(1))],
            with_lam,
            phi: vec![Poly::constant(vars, rat(1))],
            dphi: vec![Poly::constant(vars, rat(1))],
        }
    }

    /// Extend by one order, given x[1..=n+1] (x has n+2 known coefficients).
    pub(crate) fn push(&mut self, x: &[Poly]) {
        let n = self.p.len() - 1;
        let lam = Poly::var(&self.with_lam, LAM);
        let mut acc = Poly::zero(&self.with_lam);
        for k in 0..=n {
            if x[k + 1].is_zero() {
                continue;
            }
            let term = x[k + 1]
                .reorder(&self.with_lam)
                .mul(&self.p[n - k])
                .scale(&rat(k as i64 + 1));
            acc.add_assign(&term);
        }
        let pn = acc.mul(&lam).scale(&frac(1, n as i64 + 1));
        self.phi.push(expect_lambda(&pn, &self.vars));
        self.dphi.push(expect_lambda(&pn.mul(&lam), &self.vars));
        self.p.push(pn);
    }
}

/// Which chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChainKind {
    /// F5 (with targets), variables (q, s = sqrt r).
    F5,
    /// E6 (no targets, q scaled out), variable s = sqrt r.
    E6,
    /// F5 with A_perp frozen (wrong variant).
    F5Frozen,
    /// F5 without the integral term in the population loss (wrong variant).
    F5NoIntegral,
}

/// Power-series solution of the chain (see [`super::small_data`]) over Q[q, s] (F5) or Q[s]
/// (E6), s = sqrt r, truncated at K = (len + 5)/2 sites, mapped to Q[q, r] / Q[r].
pub(crate) fn small_data_chain_series(len: usize, kind: ChainKind) -> (Vec<Poly>, Vec<Poly>) {
    small_data_chain_series_sites(len, kind, (len + 5) / 2)
}

/// [`small_data_chain_series`] with an explicit number of sites `k`.
pub(crate) fn small_data_chain_series_sites(
    len: usize,
    kind: ChainKind,
    k: usize,
) -> (Vec<Poly>, Vec<Poly>) {
    let target = kind != ChainKind::E6;
    // Q[q, s] (F5) or Q[s] (E6), s = sqrt r.
    let nv = &if target {
        Vars::new(["q", "s"])
    } else {
        Vars::new(["s"])
    };
    let s = q(nv, "s");
    let qv = if target { q(nv, "q") } else { one(nv) };
    let rv = s.mul(&s);
    // Initial values.
    let mut a = zero(nv, len);
    a[0] = qv.mul(&rv);
    let mut integ = zero(nv, len);
    let mut g: Vec<Series> = (0..k).map(|_| zero(nv, len)).collect();
    g[0][0] = qv.mul(&s);
    let mut am: Vec<Vec<Series>> = (0..k)
        .map(|_| (0..k).map(|_| zero(nv, len)).collect())
        .collect();
    for i in 0..k {
        am[i][i][0] = qv.mul(&one(nv).add(&rv));
        if i + 1 < k {
            am[i][i + 1][0] = qv.mul(&s);
            am[i + 1][i][0] = qv.mul(&s);
        }
    }
    let mut ag: Vec<Series> = (0..k).map(|_| zero(nv, len)).collect();
    let mut gg = zero(nv, len);
    let mut gag = zero(nv, len);
    for n in 0..len {
        // Coefficients of order n of the auxiliary products (state known to order n).
        for i in 0..k {
            let mut v = Poly::zero(nv);
            for j in 0..k {
                v.add_assign(&mul_coeff(&am[i][j], &g[j], n));
            }
            ag[i][n] = v;
        }
        let mut ggn = Poly::zero(nv);
        let mut gagn = Poly::zero(nv);
        for i in 0..k {
            ggn.add_assign(&mul_coeff(&g[i], &g[i], n));
            gagn.add_assign(&mul_coeff(&g[i], &ag[i], n));
        }
        gg[n] = ggn;
        gag[n] = gagn;
        if n + 1 == len {
            break;
        }
        let inv = frac(1, n as i64 + 1);
        let aa = mul_coeff(&a, &a, n);
        let da = if target {
            a[n].scale(&rat(4))
                .sub(&aa.scale(&rat(4)))
                .sub(&gg[n].scale(&rat(2)))
        } else {
            aa.scale(&rat(-4)).sub(&gg[n].scale(&rat(2)))
        };
        let di = if target {
            gg[n].sub(&gag[n])
        } else {
            gag[n].clone()
        };
        let mut dg = Vec::with_capacity(k);
        for i in 0..k {
            let agi = mul_coeff(&a, &g[i], n).scale(&rat(3));
            let v = if target {
                g[i][n].scale(&rat(2)).sub(&agi).sub(&ag[i][n])
            } else {
                agi.scale(&rat(-1)).sub(&ag[i][n])
            };
            dg.push(v.scale(&inv));
        }
        if kind != ChainKind::F5Frozen {
            let mut upd = Vec::new();
            for i in 0..k {
                for j in i..k {
                    upd.push((i, j, mul_coeff(&g[i], &g[j], n).scale(&(rat(-2) * &inv))));
                }
            }
            for (i, j, v) in upd {
                am[i][j][n + 1] = v.clone();
                am[j][i][n + 1] = v;
            }
        }
        a[n + 1] = da.scale(&inv);
        integ[n + 1] = di.scale(&inv);
        for (i, v) in dg.into_iter().enumerate() {
            g[i][n + 1] = v;
        }
    }
    let om_a = sub(&constant(one(nv), len), &a);
    let sq = mul(&om_a, &om_a, len);
    let aa = mul(&a, &a, len);
    let (tr, pop) = if target {
        let tr = scale(&add(&sq, &gg), &frac(1, 2));
        let a0 = qv.mul(&rv);
        let c0 = one(nv).sub(&a0);
        let mut pop = scale(&sub(&sq, &constant(c0.mul(&c0), len)), &frac(1, 2));
        pop = add(&pop, &sub(&gg, &constant(qv.mul(&qv).mul(&rv), len)));
        if kind != ChainKind::F5NoIntegral {
            pop = add(&pop, &scale(&integ, &rat(2)));
        }
        (tr, pop)
    } else {
        let tr = scale(&add(&aa, &gg), &frac(1, 2));
        let mut pop = scale(&sub(&aa, &constant(rv.mul(&rv), len)), &frac(1, 2));
        pop = add(&pop, &sub(&gg, &constant(rv.clone(), len)));
        pop = sub(&pop, &scale(&integ, &rat(2)));
        (tr, pop)
    };
    let fix = |v: Series| -> Vec<Poly> {
        to_derivatives(&v)
            .into_iter()
            .map(|p| halve_exponent(&p, "s", "r").expect("only even powers of sqrt(r) occur"))
            .collect()
    };
    (fix(tr), fix(pop))
}

/// F5 through the Riccati moment hierarchy over Q[q, r]: an independent exact route (no chain,
/// no square roots).
pub fn small_data_riccati_series(max_order: usize) -> (Vec<Poly>, Vec<Poly>) {
    let nv = &face_vars(Regime::SmallData);
    let len = max_order + 1;
    let kmax = max_order + 3;
    // m[k] series; m[0] = 1.
    let mut m: Vec<Series> = (0..=kmax + 1).map(|_| zero(nv, len)).collect();
    for (kk, mk) in m.iter_mut().enumerate() {
        mk[0] = mu_a_moment(kk as u64, nv);
    }
    for n in 0..len - 1 {
        let kmax_n = kmax - n - 1; // moments computable at order n + 1
        for k in 1..=kmax_n {
            let mut v = Poly::zero(nv);
            for i in 0..=k + 1 {
                v.add_assign(&mul_coeff(&m[i], &m[k + 1 - i], n).scale(&rat(-4)));
            }
            for i in 0..=k {
                v.add_assign(&mul_coeff(&m[i], &m[k - i], n).scale(&rat(4)));
            }
            v.add_assign(&m[k + 1][n].scale(&rat(6)));
            v.add_assign(&mul_coeff(&m[1], &m[k], n).scale(&rat(2)));
            v.add_assign(&m[k][n].scale(&rat(-4)));
            m[k][n + 1] = v.scale(&frac(1, n as i64 + 1));
        }
    }
    let a = m[1].clone();
    let tr = scale(
        &add(&sub(&constant(one(nv), len), &scale(&a, &rat(2))), &m[2]),
        &frac(1, 2),
    );
    let aa = mul(&a, &a, len);
    let gg = sub(&m[2], &aa);
    let am2 = mul(&a, &m[2], len);
    let a3 = mul(&aa, &a, len);
    let gag = add(&sub(&m[3], &scale(&am2, &rat(2))), &a3);
    let d = sub(&gg, &gag);
    let mut integ = zero(nv, len);
    for n in 0..len - 1 {
        integ[n + 1] = d[n].scale(&frac(1, n as i64 + 1));
    }
    let om = sub(&constant(one(nv), len), &a);
    let sq = mul(&om, &om, len);
    let a0 = q(nv, "q").mul(&q(nv, "r"));
    let c0 = one(nv).sub(&a0);
    let mut pop = scale(&sub(&sq, &constant(c0.mul(&c0), len)), &frac(1, 2));
    let q2r = q(nv, "q").mul(&q(nv, "q")).mul(&q(nv, "r"));
    pop = add(&pop, &sub(&gg, &constant(q2r, len)));
    pop = add(&pop, &scale(&integ, &rat(2)));
    (to_derivatives(&tr), to_derivatives(&pop))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(p: &Poly, names: &[&str]) -> String {
        assert_eq!(p.vars(), &Vars::new(names));
        p.format(PolyFormat::Text)
    }

    #[test]
    fn large_data_initial_and_first() {
        let s = limit_series(Regime::LargeData, 1).unwrap();
        // c_0 = (1/2)[(1 - q r)^2 + q^2 r] at g = 0: 1/2 - q r + q^2 r (1 + r)/2.
        assert_eq!(
            f(&s.train[0], &["q", "r"]),
            "1/2*q^2*r^2 + 1/2*q^2*r - q*r + 1/2"
        );
        // c_1 (pop, alpha = inf) = -4 m1 + 8 m2 - 4 m3 at g = 0.
        assert_eq!(
            f(&s.pop[1], &["q", "r"]),
            "-4*q^3*r^3 - 12*q^3*r^2 - 4*q^3*r + 8*q^2*r^2 + 8*q^2*r - 4*q*r"
        );
    }

    #[test]
    fn small_data_two_exact_routes_agree() {
        let (tr, pop) = small_data_chain_series(8, ChainKind::F5);
        let (tr2, pop2) = small_data_riccati_series(7);
        assert_eq!(tr, tr2);
        assert_eq!(pop, pop2);
    }

    #[test]
    fn chain_truncation_exact_through_order_2k() {
        // THEORY 5.5: K sites are exact through order 2K - 1 (and not beyond), both losses.
        let (full_tr, full_pop) = small_data_chain_series(10, ChainKind::F5);
        for k in 1..=3usize {
            let (tr, pop) = small_data_chain_series_sites(10, ChainKind::F5, k);
            let first_bad_tr = (0..10).find(|&s| tr[s] != full_tr[s]);
            let first_bad_pop = (0..10).find(|&s| pop[s] != full_pop[s]);
            assert_eq!(first_bad_tr, Some(2 * k), "K = {k} (train)");
            assert_eq!(first_bad_pop, Some(2 * k), "K = {k} (pop)");
        }
    }

    #[test]
    fn frozen_variants_differ() {
        // THEORY 5.5: the frozen-M_perp shortcut is off by exactly q^3 r^2 at s = 1 (train).
        let (tr, _) = small_data_chain_series(3, ChainKind::F5);
        let fr = super::super::variants::small_data_frozen_m_perp(2);
        assert_eq!(fr.train[0], tr[0]);
        let d = fr.train[1].sub(&tr[1]);
        assert_eq!(f(&d, &["q", "r"]), "q^3*r^2");
        // Freezing A_perp on the chain changes nothing at s <= 1 but does at s = 2.
        let (trf, _) = small_data_chain_series(3, ChainKind::F5Frozen);
        assert_eq!(trf[1], tr[1]);
        assert_ne!(trf[2], tr[2]);
    }
}
