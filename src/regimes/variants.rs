//! Deliberately wrong variants of the limit formulas (THEORY 5.5). The two-way confirmation must
//! reject each of them; they exist to show that the comparison has teeth.

use super::exact::{small_data_chain_series, ChainKind};
use super::faces::edges::small_narrow_series;
use super::faces::narrow_latent::narrow_latent_series;
use super::series::{
    add, compose, constant, mp_moment, mul, mul_poly, scale, sub, to_derivatives, Series,
};
use super::{LimitSeries, Regime};
use crate::poly::{frac, rat, Poly};

fn wrap(regime: Regime, train: Vec<Poly>, pop: Vec<Poly>) -> LimitSeries {
    let vars = super::exact::face_vars(regime);
    let fix = |v: Vec<Poly>| v.iter().map(|p| p.reorder(&vars)).collect();
    LimitSeries {
        regime,
        constants: regime.constant_names(),
        train: fix(train),
        pop: fix(pop),
    }
}

/// F5 without the integral term `2 int (|g|^2 - g^T A_perp g)` in the population loss.
pub fn small_data_without_integral(max_order: usize) -> LimitSeries {
    let (t, p) = small_data_chain_series(max_order + 1, ChainKind::F5NoIntegral);
    wrap(Regime::SmallData, t, p)
}

/// F5 on the chain with `A_perp` frozen (`A_perp' = 0`).
pub fn small_data_frozen_a_perp(max_order: usize) -> LimitSeries {
    let (t, p) = small_data_chain_series(max_order + 1, ChainKind::F5Frozen);
    wrap(Regime::SmallData, t, p)
}

/// The frozen-`M_perp` shortcut of THEORY 5.2 (train loss only; `pop` is empty):
/// `a = q r e^{4 tau} L / (1 + 4 q r int_0^tau e^{4s} L ds)`, `L = E_{MP_r} e^{-2 q lam tau}`,
/// `|g|^2 = a E[q lam e^{-2 q lam tau}] / L`, `l_tr = (1/2)[(1 - a)^2 + |g|^2]`.
/// THEORY: off by exactly `q^3 r^2` at s = 1.
pub fn small_data_frozen_m_perp(max_order: usize) -> LimitSeries {
    let len = max_order + 1;
    let nv = &super::exact::face_vars(Regime::SmallData);
    let q = Poly::var(nv, "q");
    let r = Poly::var(nv, "r");
    let fact = |n: usize| super::series::factorial(n);
    let pw = |b: i64, n: usize| crate::poly::pow_rat(&rat(b), n as i32);
    // L(tau) = sum_n (-2q)^n mu_n(r) tau^n / n!, G = q sum_n (-2q)^n mu_{n+1}(r) tau^n/n!.
    let l: Series = (0..len)
        .map(|n| {
            mp_moment(n as u64, nv, "r")
                .mul(&q.pow(n as u32))
                .scale(&(pw(-2, n) / fact(n)))
        })
        .collect();
    let g: Series = (0..len)
        .map(|n| {
            mp_moment(n as u64 + 1, nv, "r")
                .mul(&q.pow(n as u32 + 1))
                .scale(&(pw(-2, n) / fact(n)))
        })
        .collect();
    let e4: Series = (0..len)
        .map(|n| Poly::constant(nv, pw(4, n) / fact(n)))
        .collect();
    let qr = q.mul(&r);
    let num = mul_poly(&mul(&e4, &l, len), &qr);
    let integrand = mul(&e4, &l, len);
    let mut den = constant(Poly::constant(nv, rat(1)), len);
    for n in 0..len - 1 {
        den[n + 1] = integrand[n]
            .mul(&qr)
            .scale(&(rat(4) * frac(1, n as i64 + 1)));
    }
    let inv = |x: &Series| -> Series {
        // 1 / x for x(0) = 1: sum_m (-(x - 1))^m.
        let mut d = x.clone();
        d[0] = Poly::zero(nv);
        let f: Vec<Poly> = (0..len).map(|m| Poly::constant(nv, pw(-1, m))).collect();
        compose(&f, &d, len)
    };
    let a = mul(&num, &inv(&den), len);
    let gg = mul(&mul(&a, &g, len), &inv(&l), len);
    let om = sub(&constant(Poly::constant(nv, rat(1)), len), &a);
    let tr = scale(&add(&mul(&om, &om, len), &gg), &frac(1, 2));
    wrap(Regime::SmallData, to_derivatives(&tr), Vec::new())
}

/// E4 with `kappa = 4 - q` instead of `4 - 2q`.
pub fn small_narrow_wrong_kappa(max_order: usize) -> LimitSeries {
    let (t, p) = small_narrow_series(max_order + 1, 1);
    wrap(Regime::SmallNarrow, t, p)
}

/// F3 with `phi'` replaced by `phi`.
pub fn narrow_latent_phi_for_phi_prime(max_order: usize) -> LimitSeries {
    let (t, p) = narrow_latent_series(max_order + 1, true);
    wrap(Regime::NarrowLatent, t, p)
}
