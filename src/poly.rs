//! Sparse multivariate polynomials with exact rational coefficients, in named variables.
//!
//! A [`Poly`] is a finite sum `sum_e c_e x^e` over exponent vectors `e` (one `i32` per variable,
//! negative powers allowed so that `N^(-D)` or `alpha^(-l)` fit) with nonzero [`BigRational`]
//! coefficients `c_e`, together with its variable list [`Vars`] (as in symbolica, a polynomial
//! knows its variables). Exponent vectors are indexed by the position of a variable in
//! [`Poly::vars`]; everything that relates two polynomials relates them by variable NAME:
//! `(r, q, y)` and `(q, r, y)` polynomials add, multiply and compare as the same polynomials of
//! `r, q, y`. Addition costs O(t1 + t2) map operations and multiplication O(t1 * t2), with t the
//! number of terms; when both operands share a variable list (the case in every hot loop) no
//! renaming is done at all.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// An exponent vector, one entry per variable of the polynomial's [`Vars`], in that order.
pub type Exps = Vec<i32>;

/// An ordered list of distinct variable names, cheap to clone (shared).
///
/// Two lists are equal when they hold the same names in the same order; the order only fixes
/// how exponent vectors are laid out, never what a polynomial means.
#[derive(Clone)]
pub struct Vars(Arc<[Box<str>]>);

impl Vars {
    /// The variables `names`, in this order.
    ///
    /// # Panics
    /// If a name occurs twice (variable lists are written in code, never read from input).
    pub fn new<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Vars {
        let v: Vec<Box<str>> = names.into_iter().map(|s| s.as_ref().into()).collect();
        for (i, a) in v.iter().enumerate() {
            assert!(
                !v[..i].contains(a),
                "the variable `{a}` occurs twice in a variable list"
            );
        }
        Vars(v.into())
    }

    /// No variables (the constants).
    pub fn empty() -> Vars {
        Vars::new::<&str>([])
    }

    /// Number of variables.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no variables.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names, in order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.0.iter().map(|s| &**s)
    }

    /// The name of variable `i`.
    pub fn name(&self, i: usize) -> &str {
        &self.0[i]
    }

    /// The position of `name`, if it is one of the variables.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|n| &**n == name)
    }

    /// True when `name` is one of the variables.
    pub fn contains(&self, name: &str) -> bool {
        self.index(name).is_some()
    }

    /// These variables followed by those of `other` not already present.
    pub fn union(&self, other: &Vars) -> Vars {
        if self.same(other) || other.names().all(|n| self.contains(n)) {
            return self.clone();
        }
        Vars::new(
            self.names()
                .chain(other.names().filter(|n| !self.contains(n))),
        )
    }

    /// These variables without `name` (unchanged if absent).
    pub fn without(&self, name: &str) -> Vars {
        Vars::new(self.names().filter(|n| *n != name))
    }

    /// Equal lists, checked by pointer first (the common case of shared lists).
    fn same(&self, other: &Vars) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }

    /// For each variable of `self`, its position in `to` (None when absent).
    fn positions_in(&self, to: &Vars) -> Vec<Option<usize>> {
        self.names().map(|n| to.index(n)).collect()
    }
}

impl PartialEq for Vars {
    fn eq(&self, other: &Vars) -> bool {
        self.same(other)
    }
}

impl Eq for Vars {}

impl std::hash::Hash for Vars {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.hash(h)
    }
}

impl std::fmt::Debug for Vars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

impl std::fmt::Display for Vars {
    /// `q, r, y`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.names().collect::<Vec<_>>().join(", "))
    }
}

impl From<&[&str]> for Vars {
    fn from(names: &[&str]) -> Vars {
        Vars::new(names)
    }
}

impl<const K: usize> From<[&str; K]> for Vars {
    fn from(names: [&str; K]) -> Vars {
        Vars::new(names)
    }
}

impl From<&Vec<&str>> for Vars {
    fn from(names: &Vec<&str>) -> Vars {
        Vars::new(names)
    }
}

/// A sparse polynomial (or Laurent polynomial) over Q in the named variables [`Poly::vars`].
///
/// Equality is equality of polynomials: two polynomials are equal when they have the same
/// coefficient on every monomial, monomials being matched by variable name (a variable absent
/// from one list has exponent 0 there). Hashing agrees with that equality.
#[derive(Clone, Debug)]
pub struct Poly {
    vars: Vars,
    terms: BTreeMap<Exps, BigRational>,
}

impl PartialEq for Poly {
    fn eq(&self, other: &Poly) -> bool {
        if self.vars.same(&other.vars) {
            return self.terms == other.terms;
        }
        let (a, b) = unify(self, other);
        a.terms == b.terms
    }
}

impl Eq for Poly {}

impl std::hash::Hash for Poly {
    /// Hash of the canonical form: terms as (name, nonzero exponent) lists sorted by name.
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let mut canon: Vec<(Vec<(&str, i32)>, &BigRational)> = self
            .terms
            .iter()
            .map(|(e, c)| {
                let mut m: Vec<(&str, i32)> = self
                    .vars
                    .names()
                    .zip(e)
                    .filter(|(_, &k)| k != 0)
                    .map(|(n, &k)| (n, k))
                    .collect();
                m.sort();
                (m, c)
            })
            .collect();
        canon.sort();
        canon.hash(h)
    }
}

/// Both polynomials written in the union of their variable lists (borrowed when already so).
fn unify<'a>(a: &'a Poly, b: &'a Poly) -> (Cow<'a, Poly>, Cow<'a, Poly>) {
    if a.vars.same(&b.vars) {
        return (Cow::Borrowed(a), Cow::Borrowed(b));
    }
    let u = a.vars.union(&b.vars);
    (a.in_vars(&u), b.in_vars(&u))
}

/// How to print a polynomial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolyFormat {
    /// `3/2*q^2*r - q*r`
    Text,
    /// `\frac{3}{2} q^{2} r - q r`
    Latex,
    /// `Rational(3, 2)*q**2*r - q*r` (pastes into SymPy)
    Sympy,
}

/// Largest power of a variable accepted by [`Poly::parse`].
pub const MAX_POLY_POWER: u32 = 64;

/// Longest digit string of a number accepted by [`Poly::parse`].
pub const MAX_POLY_DIGITS: usize = 200;

impl Poly {
    /// The zero polynomial in the variables `vars`.
    pub fn zero(vars: &Vars) -> Self {
        Poly {
            vars: vars.clone(),
            terms: BTreeMap::new(),
        }
    }

    /// The constant `c`.
    pub fn constant(vars: &Vars, c: BigRational) -> Self {
        let mut p = Poly::zero(vars);
        p.add_term(vec![0; vars.len()], c);
        p
    }

    /// The monomial `c * prod_i x_i^{e_i}`, `x_i` the variables `vars` in order.
    ///
    /// # Panics
    /// If `exps` does not have one entry per variable.
    pub fn monomial(vars: &Vars, exps: Exps, c: BigRational) -> Self {
        let mut p = Poly::zero(vars);
        p.add_term(exps, c);
        p
    }

    /// The variable `name` of `vars`.
    ///
    /// # Panics
    /// If `name` is not one of `vars` (variable names are written in code).
    pub fn var(vars: &Vars, name: &str) -> Self {
        let i = vars
            .index(name)
            .unwrap_or_else(|| panic!("`{name}` is not one of the variables {vars}"));
        let mut e = vec![0; vars.len()];
        e[i] = 1;
        Poly::monomial(vars, e, BigRational::one())
    }

    /// The variables, in the order of the exponent vectors.
    pub fn vars(&self) -> &Vars {
        &self.vars
    }

    /// Position of the variable `name` in the exponent vectors (None if not a variable).
    pub fn var_index(&self, name: &str) -> Option<usize> {
        self.vars.index(name)
    }

    /// Number of variables.
    pub fn nvars(&self) -> usize {
        self.vars.len()
    }

    /// Terms in increasing exponent order.
    pub fn terms(&self) -> impl Iterator<Item = (&Exps, &BigRational)> {
        self.terms.iter()
    }

    /// Number of nonzero terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True for the zero polynomial.
    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }

    /// True when there are no terms (the zero polynomial, [`Poly::is_zero`]).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Coefficient of one monomial, exponents in the order of [`Poly::vars`] (zero if absent).
    pub fn coeff(&self, exps: &[i32]) -> BigRational {
        self.terms
            .get(exps)
            .cloned()
            .unwrap_or_else(BigRational::zero)
    }

    /// Add `c * x^exps` in place (exponents in the order of [`Poly::vars`]), dropping the term
    /// if it cancels.
    ///
    /// # Panics
    /// If `exps` does not have one entry per variable.
    pub fn add_term(&mut self, exps: Exps, c: BigRational) {
        assert_eq!(
            exps.len(),
            self.vars.len(),
            "exponent vector of the wrong length"
        );
        if c.is_zero() {
            return;
        }
        match self.terms.entry(exps) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(c);
            }
            std::collections::btree_map::Entry::Occupied(mut o) => {
                *o.get_mut() += c;
                if o.get().is_zero() {
                    o.remove();
                }
            }
        }
    }

    /// `self + other`, variables matched by name (the union of both lists, `self`'s first).
    pub fn add(&self, other: &Poly) -> Poly {
        let mut out = self.clone();
        out.add_assign(other);
        out
    }

    /// `self += other`, variables matched by name (`self` takes the union of both lists).
    pub fn add_assign(&mut self, other: &Poly) {
        if !self.vars.same(&other.vars) {
            let u = self.vars.union(&other.vars);
            if !u.same(&self.vars) {
                *self = self.in_vars(&u).into_owned();
            }
            let o = other.in_vars(&u);
            for (e, c) in &o.terms {
                self.add_term(e.clone(), c.clone());
            }
            return;
        }
        for (e, c) in &other.terms {
            self.add_term(e.clone(), c.clone());
        }
    }

    /// `self - other`, variables matched by name.
    pub fn sub(&self, other: &Poly) -> Poly {
        self.add(&other.scale(&-BigRational::one()))
    }

    /// `c * self`.
    pub fn scale(&self, c: &BigRational) -> Poly {
        if c.is_zero() {
            return Poly::zero(&self.vars);
        }
        Poly {
            vars: self.vars.clone(),
            terms: self.terms.iter().map(|(e, v)| (e.clone(), v * c)).collect(),
        }
    }

    /// `self * other`, variables matched by name (the union of both lists, `self`'s first).
    pub fn mul(&self, other: &Poly) -> Poly {
        if !self.vars.same(&other.vars) {
            let (a, b) = unify(self, other);
            return a.mul(&b);
        }
        let mut out = Poly::zero(&self.vars);
        for (e1, c1) in &self.terms {
            for (e2, c2) in &other.terms {
                let e: Exps = e1.iter().zip(e2).map(|(a, b)| a + b).collect();
                out.add_term(e, c1 * c2);
            }
        }
        out
    }

    /// `self^k` by repeated squaring.
    pub fn pow(&self, mut k: u32) -> Poly {
        let mut base = self.clone();
        let mut acc = Poly::constant(&self.vars, BigRational::one());
        while k > 0 {
            if k & 1 == 1 {
                acc = acc.mul(&base);
            }
            k >>= 1;
            if k > 0 {
                base = base.mul(&base);
            }
        }
        acc
    }

    /// Keep the terms for which `keep(exps)` holds (exponents in the order of [`Poly::vars`]).
    pub fn filter(&self, keep: impl Fn(&[i32]) -> bool) -> Poly {
        Poly {
            vars: self.vars.clone(),
            terms: self
                .terms
                .iter()
                .filter(|(e, _)| keep(e))
                .map(|(e, c)| (e.clone(), c.clone()))
                .collect(),
        }
    }

    /// The exponent of variable `name` in an exponent vector of this polynomial (0 when `name`
    /// is not a variable): `p.filter(|e| p.exponent(e, "N") == 0)` keeps the N-free terms.
    pub fn exponent(&self, exps: &[i32], name: &str) -> i32 {
        self.vars.index(name).map_or(0, |i| exps[i])
    }

    /// Each term `c x^e` becomes `c y^{f(e)}`, `y` the variables `to` (terms that meet add up).
    fn remap(&self, to: &Vars, f: impl Fn(&[i32]) -> Exps) -> Poly {
        let mut out = Poly::zero(to);
        for (e, c) in &self.terms {
            out.add_term(f(e), c.clone());
        }
        out
    }

    /// The same polynomial with exponent vectors laid out for `to`, which must contain every
    /// variable of `self` (borrowed when the lists are equal).
    fn in_vars(&self, to: &Vars) -> Cow<'_, Poly> {
        if self.vars.same(to) {
            return Cow::Borrowed(self);
        }
        let pos: Vec<usize> = self
            .vars
            .positions_in(to)
            .into_iter()
            .map(|p| p.expect("target list holds every variable"))
            .collect();
        let n = to.len();
        Cow::Owned(self.remap(to, |e| {
            let mut v = vec![0; n];
            for (&p, &k) in pos.iter().zip(e) {
                v[p] = k;
            }
            v
        }))
    }

    /// The same polynomial written in the variables `to` (another order, more variables, or
    /// fewer: a variable may be left out when no term uses it).
    ///
    /// # Panics
    /// If a variable that occurs in some term is missing from `to`.
    pub fn reorder(&self, to: &Vars) -> Poly {
        if self.vars.same(to) {
            return self.clone();
        }
        let pos = self.vars.positions_in(to);
        for (i, p) in pos.iter().enumerate() {
            if p.is_none() && self.terms.keys().any(|e| e[i] != 0) {
                panic!(
                    "cannot write a polynomial in {} without its variable `{}`",
                    to,
                    self.vars.name(i)
                );
            }
        }
        let n = to.len();
        self.remap(to, |e| {
            let mut v = vec![0; n];
            for (p, &k) in pos.iter().zip(e) {
                if let Some(p) = p {
                    v[*p] = k;
                }
            }
            v
        })
    }

    /// Rename the variable `from` to `to` (the polynomial `p(.., to, ..)`); if `to` is already
    /// a variable this is the substitution `from = to`. Unchanged when `from` is absent.
    pub fn rename(&self, from: &str, to: &str) -> Poly {
        if !self.vars.contains(from) || from == to {
            return self.clone();
        }
        if !self.vars.contains(to) {
            let vars = Vars::new(self.vars.names().map(|n| if n == from { to } else { n }));
            return Poly {
                vars,
                terms: self.terms.clone(),
            };
        }
        self.change_vars(&self.vars.without(from), &[(from, &[(to, 1)])])
    }

    /// Monomial change of variables: each variable `x` listed in `images` is replaced by the
    /// Laurent monomial `prod_j y_j^{M_j}` given as `(y_j, M_j)` pairs (an empty list is 1), so a
    /// term `c prod x^e` becomes `c prod_j y_j^{sum_x e_x M_{x j}}`. Variables without an image
    /// are kept (by name); images of variables that `self` does not have are ignored. The result
    /// is in the variables `to` followed by the kept (and image) variables missing from `to`. Example: `p = 1/eps, H = r/eps, sigma2 = q eps, N = 1/(y eps)`
    /// rewrites a polynomial in (p, H, sigma2, N) in (r, q, y, eps).
    pub fn change_vars(&self, to: &Vars, images: &[(&str, &[(&str, i32)])]) -> Poly {
        let mut extra: Vec<&str> = Vec::new();
        for n in self.vars.names() {
            if !images.iter().any(|(x, _)| *x == n) && !to.contains(n) {
                extra.push(n);
            }
        }
        for (x, m) in images {
            if !self.vars.contains(x) {
                continue;
            }
            for (y, _) in m.iter() {
                if !to.contains(y) && !extra.contains(y) {
                    extra.push(y);
                }
            }
        }
        let target = if extra.is_empty() {
            to.clone()
        } else {
            Vars::new(to.names().chain(extra.iter().copied()))
        };
        let n = target.len();
        // Row i: the exponent vector (in `target`) of the image of variable i.
        let rows: Vec<Vec<i32>> = self
            .vars
            .names()
            .map(|x| {
                let mut row = vec![0; n];
                match images.iter().find(|(v, _)| *v == x) {
                    Some((_, m)) => {
                        for (y, k) in m.iter() {
                            row[target.index(y).expect("in target")] += k;
                        }
                    }
                    None => row[target.index(x).expect("kept variable in target")] = 1,
                }
                row
            })
            .collect();
        self.remap(&target, |e| {
            let mut v = vec![0; n];
            for (row, &k) in rows.iter().zip(e) {
                if k != 0 {
                    for (a, b) in v.iter_mut().zip(row) {
                        *a += k * b;
                    }
                }
            }
            v
        })
    }

    /// The coefficient of `name^k`: the polynomial `c` in the other variables with
    /// `self = sum_k c_k name^k` (`name` leaves the variable list; `self` itself when `name`
    /// is not a variable and k = 0, zero when k != 0).
    pub fn coefficient(&self, name: &str, k: i32) -> Poly {
        let Some(i) = self.vars.index(name) else {
            return if k == 0 {
                self.clone()
            } else {
                Poly::zero(&self.vars)
            };
        };
        let vars = self.vars.without(name);
        let mut out = Poly::zero(&vars);
        for (e, c) in &self.terms {
            if e[i] == k {
                let mut v = e.clone();
                v.remove(i);
                out.add_term(v, c.clone());
            }
        }
        out
    }

    /// The substitution `x = image` for the variable `x = name`: `sum_k c_k(..) image^k` with
    /// `c_k` the [`coefficient`](Poly::coefficient) of `x^k`, in the other variables of `self`
    /// followed by those of `image`. Unchanged when `name` is not a variable.
    ///
    /// # Panics
    /// If `x` occurs with a negative power and `image` is not a single monomial (not invertible
    /// as a Laurent polynomial).
    pub fn substitute(&self, name: &str, image: &Poly) -> Poly {
        let Some(i) = self.vars.index(name) else {
            return self.clone();
        };
        let rest = self.vars.without(name).union(&image.vars);
        let image = image.reorder(&rest);
        let inverse = || -> Poly {
            assert!(
                image.len() == 1,
                "`{name}` occurs with a negative power and its image is not a monomial"
            );
            let (e, c) = image.terms().next().expect("one term");
            Poly::monomial(&rest, e.iter().map(|k| -k).collect(), c.recip())
        };
        let mut powers: BTreeMap<i32, Poly> = BTreeMap::new();
        let mut out = Poly::zero(&rest);
        let ctx = self.vars.without(name);
        let lift: Vec<usize> = ctx.positions_in(&rest).into_iter().flatten().collect();
        for (e, c) in &self.terms {
            let k = e[i];
            let pk = powers
                .entry(k)
                .or_insert_with(|| {
                    if k >= 0 {
                        image.pow(k as u32)
                    } else {
                        inverse().pow((-k) as u32)
                    }
                })
                .clone();
            let mut m = vec![0; rest.len()];
            for (&p, (_, &x)) in lift
                .iter()
                .zip(e.iter().enumerate().filter(|(j, _)| *j != i))
            {
                m[p] = x;
            }
            out.add_assign(&pk.mul(&Poly::monomial(&rest, m, c.clone())));
        }
        out
    }

    /// Evaluate the variables named in `values` (others stay): `p(x = v, ..)`, a polynomial in
    /// the remaining variables, exactly.
    ///
    /// # Panics
    /// If a variable with a negative power is evaluated at 0.
    pub fn eval_at(&self, values: &[(&str, BigRational)]) -> Poly {
        let mut vars = self.vars.clone();
        for (n, _) in values {
            vars = vars.without(n);
        }
        let at: Vec<Option<&BigRational>> = self
            .vars
            .names()
            .map(|n| values.iter().find(|(m, _)| *m == n).map(|(_, v)| v))
            .collect();
        let mut out = Poly::zero(&vars);
        for (e, c) in &self.terms {
            let mut c = c.clone();
            let mut rest = Vec::with_capacity(vars.len());
            for (x, &k) in at.iter().zip(e) {
                match x {
                    Some(v) => {
                        if k != 0 {
                            c *= pow_rat(v, k)
                        }
                    }
                    None => rest.push(k),
                }
            }
            out.add_term(rest, c);
        }
        out
    }

    /// The polynomial in `x^(1/k)` renamed `to`: each power `x^e` of `x = name` becomes
    /// `to^(e/k)` (e.g. with `s = sqrt r`, `s^(2i) -> r^i`). `None` when some power of `x` is
    /// not a multiple of k.
    pub fn root_var(&self, name: &str, k: i32, to: &str) -> Option<Poly> {
        let Some(i) = self.vars.index(name) else {
            return Some(self.clone());
        };
        if self.terms.keys().any(|e| e[i] % k != 0) {
            return None;
        }
        let rooted = self.remap(&self.vars, |e| {
            let mut v = e.to_vec();
            v[i] /= k;
            v
        });
        Some(rooted.rename(name, to))
    }

    /// Evaluate at a point given in the order of [`Poly::vars`], exactly (negative powers
    /// allowed for nonzero values).
    pub fn eval_exact(&self, at: &[BigRational]) -> BigRational {
        let mut sum = BigRational::zero();
        for (e, c) in &self.terms {
            let mut t = c.clone();
            for (x, &k) in at.iter().zip(e) {
                t *= pow_rat(x, k);
            }
            sum += t;
        }
        sum
    }

    /// Evaluate in floating point at a point given in the order of [`Poly::vars`] (for curves
    /// only).
    pub fn eval_f64(&self, at: &[f64]) -> f64 {
        self.terms
            .iter()
            .map(|(e, c)| {
                let mut t = rat_to_f64(c);
                for (x, &k) in at.iter().zip(e) {
                    t *= x.powi(k);
                }
                t
            })
            .sum()
    }

    /// Parse a polynomial such as `-4*q*r + 3/2 q^2 - y + 0.25` in the variables `vars`
    /// (powers at most [`MAX_POLY_POWER`], numbers of at most [`MAX_POLY_DIGITS`] digits)
    /// (exact; the inverse of [`Poly::format`] with [`PolyFormat::Text`]). The error names the
    /// place that cannot be read.
    pub fn parse(text: &str, vars: &Vars) -> Result<Poly, String> {
        parse::parse_poly(text, vars)
    }

    /// Render with the polynomial's own variable names, highest total degree first (ties:
    /// larger exponent vectors first, in the order of [`Poly::vars`]).
    pub fn format(&self, fmt: PolyFormat) -> String {
        if self.terms.is_empty() {
            return "0".to_string();
        }
        let names: Vec<&str> = self.vars.names().collect();
        let mut out = String::new();
        let mut entries: Vec<_> = self.terms.iter().collect();
        entries.sort_by(|a, b| {
            let da: i32 = a.0.iter().sum();
            let db: i32 = b.0.iter().sum();
            db.cmp(&da).then_with(|| b.0.cmp(a.0))
        });
        for (i, (e, c)) in entries.into_iter().enumerate() {
            let neg = c.is_negative();
            let a = c.abs();
            if i == 0 {
                if neg {
                    out.push('-');
                }
            } else {
                out.push_str(if neg { " - " } else { " + " });
            }
            let mut factors: Vec<String> = Vec::new();
            for (name, &k) in names.iter().zip(e) {
                if k == 0 {
                    continue;
                }
                factors.push(match (fmt, k) {
                    (_, 1) => name.to_string(),
                    (PolyFormat::Text, k) if k < 0 => format!("{name}^({k})"),
                    (PolyFormat::Text, k) => format!("{name}^{k}"),
                    (PolyFormat::Latex, k) => format!("{name}^{{{k}}}"),
                    (PolyFormat::Sympy, k) => format!("{name}**{}", paren_neg(k)),
                });
            }
            let one = a.is_one();
            let coef = match fmt {
                PolyFormat::Text => a.to_string(),
                PolyFormat::Latex => {
                    if a.is_integer() {
                        a.to_string()
                    } else {
                        format!("\\frac{{{}}}{{{}}}", a.numer(), a.denom())
                    }
                }
                PolyFormat::Sympy => {
                    if a.is_integer() {
                        a.to_string()
                    } else {
                        format!("Rational({}, {})", a.numer(), a.denom())
                    }
                }
            };
            let sep = match fmt {
                PolyFormat::Latex => " ",
                _ => "*",
            };
            if factors.is_empty() {
                out.push_str(&coef);
            } else if one {
                out.push_str(&factors.join(sep));
            } else {
                out.push_str(&coef);
                out.push_str(sep);
                out.push_str(&factors.join(sep));
            }
        }
        out
    }
}

fn paren_neg(k: i32) -> String {
    if k < 0 {
        format!("({k})")
    } else {
        k.to_string()
    }
}

/// `x^k` for an integer k (x nonzero when k < 0).
pub fn pow_rat(x: &BigRational, k: i32) -> BigRational {
    if k >= 0 {
        num_traits::pow(x.clone(), k as usize)
    } else {
        num_traits::pow(x.recip(), (-k) as usize)
    }
}

/// Nearest f64 to an exact rational (for curve evaluation only).
pub fn rat_to_f64(x: &BigRational) -> f64 {
    if let (Some(n), Some(d)) = (x.numer().to_f64(), x.denom().to_f64()) {
        if n.is_finite() && d.is_finite() && d != 0.0 {
            return n / d;
        }
    }
    // Huge numerator or denominator: shift both to keep about 60 significant bits.
    let nb = x.numer().bits() as i64;
    let db = x.denom().bits() as i64;
    let shift_n = (nb - 60).max(0) as usize;
    let shift_d = (db - 60).max(0) as usize;
    let n = (x.numer() >> shift_n).to_f64().unwrap_or(0.0);
    let d = (x.denom() >> shift_d).to_f64().unwrap_or(1.0);
    n / d * 2f64.powi((shift_n as i64 - shift_d as i64) as i32)
}

/// An integer as a rational.
pub fn rat(n: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(n))
}

/// `n / d` as a rational (d nonzero).
pub fn frac(n: i64, d: i64) -> BigRational {
    BigRational::new(BigInt::from(n), BigInt::from(d))
}

/// Reading polynomials back from text: the inverse of [`Poly::format`] with [`PolyFormat::Text`]
/// (also `**` for powers, juxtaposition for products and decimals such as `0.25`, all exact).
mod parse {
    use super::{Poly, Vars};
    use nom::branch::alt;
    use nom::bytes::complete::{tag, take_while1};
    use nom::character::complete::{char, digit1, multispace0};
    use nom::combinator::opt;
    use nom::{IResult, Parser};
    use num_bigint::BigInt;
    use num_rational::BigRational;
    use num_traits::One;

    fn ws(i: &str) -> IResult<&str, &str> {
        multispace0(i)
    }

    fn coefficient(i: &str) -> IResult<&str, BigRational> {
        let (i, int) = digit1(i)?;
        let (i, frac) = opt((char('.'), digit1)).parse(i)?;
        let mut x = BigRational::from_integer(int.parse::<BigInt>().unwrap_or_default());
        if let Some((_, f)) = frac {
            let num: BigInt = format!("{int}{f}").parse().unwrap_or_default();
            x = BigRational::new(num, num_traits::pow(BigInt::from(10), f.len()));
        }
        let (i, den) = opt((ws, char('/'), ws, digit1)).parse(i)?;
        if let Some((_, _, _, d)) = den {
            let d: BigInt = d.parse().unwrap_or_default();
            if d == BigInt::from(0) {
                return Err(nom::Err::Failure(nom::error::Error::new(
                    i,
                    nom::error::ErrorKind::Verify,
                )));
            }
            x /= BigRational::from_integer(d);
        }
        Ok((i, x))
    }

    pub(crate) fn parse_poly(text: &str, vars: &Vars) -> Result<Poly, String> {
        // Bounds first: a million-digit coefficient or q^1000000 would take hours exactly.
        let mut run = 0usize;
        for c in text.chars() {
            run = if c.is_ascii_digit() { run + 1 } else { 0 };
            if run > super::MAX_POLY_DIGITS {
                return Err(format!(
                    "a number with more than {} digits; claimed coefficients are small exact rationals",
                    super::MAX_POLY_DIGITS
                ));
            }
        }
        for (at, len) in text
            .match_indices('^')
            .chain(text.match_indices("**"))
            .map(|(k, op)| (k, op.len()))
        {
            let digits: String = text[at + len..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if !digits.is_empty()
                && digits
                    .parse::<u32>()
                    .map_or(true, |e| e > super::MAX_POLY_POWER)
            {
                return Err(format!(
                    "the power {} is too large; powers are at most {}",
                    crate::spec::elide(&digits, 20),
                    super::MAX_POLY_POWER
                ));
            }
        }
        let factor = |i| -> IResult<&str, Poly> {
            let (i, _) = ws(i)?;
            if let Ok((i, c)) = coefficient(i) {
                return Ok((i, Poly::constant(vars, c)));
            }
            let (i, name) =
                take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_').parse(i)?;
            if !vars.contains(name) {
                return Err(nom::Err::Failure(nom::error::Error::new(
                    i,
                    nom::error::ErrorKind::Tag,
                )));
            }
            let (i, pow) = opt((ws, alt((tag("**"), tag("^"))), ws, digit1)).parse(i)?;
            let e: u32 = pow.map_or(1, |(_, _, _, d)| d.parse().unwrap_or(1));
            Ok((i, Poly::var(vars, name).pow(e)))
        };
        let term = |i| -> IResult<&str, Poly> {
            let (mut i, mut acc) = factor(i)?;
            loop {
                let (j, _) = ws(i)?;
                let (j, star) = opt(char('*')).parse(j)?;
                match factor(j) {
                    Ok((k, f)) => {
                        acc = acc.mul(&f);
                        i = k;
                    }
                    Err(_) if star.is_some() => {
                        return Err(nom::Err::Failure(nom::error::Error::new(
                            j,
                            nom::error::ErrorKind::Tag,
                        )))
                    }
                    Err(_) => return Ok((i, acc)),
                }
            }
        };
        let mut i = text.trim();
        let mut total = Poly::zero(vars);
        let mut first = true;
        while !i.is_empty() {
            let (j, _) = ws(i).map_err(|e| e.to_string())?;
            let (j, sign) = opt(alt((char('+'), char('-'))))
                .parse(j)
                .map_err(|e: nom::Err<nom::error::Error<&str>>| e.to_string())?;
            if sign.is_none() && !first {
                return Err(format!(
                    "expected `+` or `-` before `{}`",
                    crate::spec::elide(j, 30)
                ));
            }
            if j.trim().is_empty() {
                return Err(format!(
                    "a term is missing after the final `{}`",
                    sign.unwrap_or('+')
                ));
            }
            let (j, t) = term(j).map_err(|_| {
                format!(
                    "cannot read a term at `{}`; use numbers and the variables {}",
                    j.chars().take(12).collect::<String>(),
                    vars
                )
            })?;
            let t = if sign == Some('-') {
                t.scale(&-BigRational::one())
            } else {
                t
            };
            total.add_assign(&t);
            first = false;
            i = j.trim_start();
        }
        if first {
            return Err("empty polynomial".into());
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(names: &[&str]) -> Vars {
        Vars::new(names)
    }

    #[test]
    fn polynomials_parse_exactly() {
        let qry = v(&["q", "r", "y"]);
        let p = Poly::parse("-4*q*r + 3/2 q^2 - y + 0.25", &qry).unwrap();
        assert_eq!(p.coeff(&[1, 1, 0]), frac(-4, 1));
        assert_eq!(p.coeff(&[2, 0, 0]), frac(3, 2));
        assert_eq!(p.coeff(&[0, 0, 1]), frac(-1, 1));
        assert_eq!(p.coeff(&[0, 0, 0]), frac(1, 4));
        let qr = v(&["q", "r"]);
        assert_eq!(
            Poly::parse("q**2*r", &qr).unwrap(),
            Poly::parse("r q^2", &qr).unwrap()
        );
        let q = v(&["q"]);
        assert!(Poly::parse("4*z", &q).is_err());
        assert!(Poly::parse("4 q q", &q).is_ok());
        assert!(Poly::parse("", &q).is_err());
        assert!(Poly::parse("1/0", &q).is_err());
        // The error lists the variables.
        assert_eq!(
            Poly::parse("4*z", &qry).unwrap_err(),
            "cannot read a term at `4*z`; use numbers and the variables q, r, y"
        );
        // format and parse are inverse, in the polynomial's own names.
        assert_eq!(Poly::parse(&p.format(PolyFormat::Text), &qry).unwrap(), p);
        // ... also when the text is read in another order of the same variables.
        let rqy = v(&["r", "q", "y"]);
        let back = Poly::parse(&p.format(PolyFormat::Text), &rqy).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.vars(), &rqy);
        assert_eq!(back.coeff(&[1, 1, 0]), frac(-4, 1));
    }

    #[test]
    fn arithmetic_and_format() {
        let vars = v(&["q", "r"]);
        let q = Poly::var(&vars, "q");
        let r = Poly::var(&vars, "r");
        let p = q.add(&r).pow(2).sub(&q.mul(&r).scale(&rat(2)));
        assert_eq!(p.format(PolyFormat::Text), "q^2 + r^2");
        let h = q.scale(&frac(3, 2)).sub(&r);
        assert_eq!(h.format(PolyFormat::Sympy), "Rational(3, 2)*q - r");
        assert_eq!(h.format(PolyFormat::Latex), "\\frac{3}{2} q - r");
        assert_eq!(h.eval_exact(&[rat(2), rat(1)]), rat(2));
        assert!((h.eval_f64(&[2.0, 1.0]) - 2.0).abs() < 1e-15);
        assert_eq!(Poly::zero(&vars).format(PolyFormat::Text), "0");
    }

    #[test]
    fn arithmetic_combines_by_name() {
        // The same polynomials written in (r, q, y) and in (q, r, y).
        let rqy = v(&["r", "q", "y"]);
        let qry = v(&["q", "r", "y"]);
        let a = Poly::parse("2*r*q^2 - y + 1", &rqy).unwrap();
        let b = Poly::parse("q - 3*r*y", &qry).unwrap();
        let a2 = a.reorder(&qry);
        let b2 = b.reorder(&rqy);
        assert_eq!(a, a2);
        assert_eq!(b, b2);
        assert_ne!(a.coeff(&[1, 2, 0]), a2.coeff(&[1, 2, 0]));
        // Sum and product in mixed lists agree with the same-list results.
        let sum = a.add(&b);
        assert_eq!(sum, a.add(&b2));
        assert_eq!(sum.vars(), &rqy);
        assert_eq!(sum.format(PolyFormat::Text), "2*r*q^2 - 3*r*y + q - y + 1");
        assert_eq!(b.add(&a).vars(), &qry);
        assert_eq!(a.mul(&b), a2.mul(&b));
        assert_eq!(a.mul(&b), a.mul(&b2));
        assert!(a.sub(&a2).is_zero());
        // A polynomial in fewer variables joins by name.
        let y = Poly::var(&v(&["y"]), "y");
        let s = y.add(&Poly::var(&v(&["eps"]), "eps"));
        assert_eq!(s.vars(), &v(&["y", "eps"]));
        let t = a.add(&y);
        assert_eq!(t.vars(), &rqy);
        assert_eq!(t, Poly::parse("2*r*q^2 + 1", &qry).unwrap());
        // Equal polynomials hash alike.
        use std::hash::{BuildHasher, RandomState};
        let st = RandomState::new();
        assert_eq!(st.hash_one(&a), st.hash_one(&a2));
    }

    #[test]
    fn reorder_round_trip() {
        let pqsn = v(&["p", "H", "sigma2", "N"]);
        let p = Poly::parse("3/2*p^2*H - sigma2^3 + 7", &pqsn).unwrap();
        let other = v(&["N", "sigma2", "H", "p", "extra"]);
        let q = p.reorder(&other);
        assert_eq!(q.vars(), &other);
        assert_eq!(q.coeff(&[0, 0, 1, 2, 0]), frac(3, 2));
        assert_eq!(q.reorder(&pqsn).coeff(&[2, 1, 0, 0]), frac(3, 2));
        assert_eq!(q.reorder(&pqsn), p);
        assert_eq!(
            q.reorder(&pqsn).format(PolyFormat::Text),
            p.format(PolyFormat::Text)
        );
        // An unused variable may be left out. (Terms of equal degree are printed in the order of
        // the exponent vectors, so the variable order decides ties.)
        assert_eq!(
            p.reorder(&v(&["sigma2", "p", "H"]))
                .format(PolyFormat::Text),
            "-sigma2^3 + 3/2*p^2*H + 7"
        );
    }

    #[test]
    #[should_panic(expected = "without its variable `sigma2`")]
    fn reorder_refuses_to_drop_a_used_variable() {
        let p = Poly::parse("sigma2 + 1", &v(&["p", "sigma2"])).unwrap();
        let _ = p.reorder(&v(&["p"]));
    }

    #[test]
    fn substitute_rename_and_evaluate() {
        let qr = v(&["q", "r"]);
        let r_inv = |vars: &Vars, r: &str, c: BigRational| {
            let mut e = vec![0; vars.len()];
            e[vars.index(r).unwrap()] = -1;
            Poly::monomial(vars, e, c)
        };
        let p = Poly::parse("q^2*r - 2*q", &qr)
            .unwrap()
            .add(&r_inv(&qr, "r", rat(1)));
        assert_eq!(p.format(PolyFormat::Text), "q^2*r - 2*q + r^(-1)");
        // q = r + 1.
        let img = Poly::parse("r + 1", &v(&["r"])).unwrap();
        let s = p.substitute("q", &img);
        assert_eq!(s.vars(), &v(&["r"]));
        assert_eq!(s.format(PolyFormat::Text), "r^3 + 2*r^2 - r - 2 + r^(-1)");
        // r = 2 y / 3 (a monomial, so negative powers invert).
        let s = p.substitute("r", &Poly::parse("2/3*y", &v(&["y"])).unwrap());
        assert_eq!(s.vars(), &v(&["q", "y"]));
        let qy = v(&["q", "y"]);
        assert_eq!(
            s,
            Poly::parse("2/3*q^2*y - 2*q", &qy)
                .unwrap()
                .add(&r_inv(&qy, "y", frac(3, 2)))
        );
        // Substitution agrees with evaluation.
        let at = p.eval_at(&[("q", frac(1, 2))]);
        assert_eq!(
            at,
            p.substitute("q", &Poly::constant(&Vars::empty(), frac(1, 2)))
        );
        assert_eq!(
            at.eval_exact(&[rat(3)]),
            p.eval_exact(&[frac(1, 2), rat(3)])
        );
        // Renaming onto an existing variable merges (c = r = q).
        let mf = p.rename("q", "c").rename("r", "c");
        assert_eq!(mf.vars(), &v(&["c"]));
        assert_eq!(mf.format(PolyFormat::Text), "c^3 - 2*c + c^(-1)");
        // The coefficient of r^-1, and roots.
        assert_eq!(p.coefficient("r", -1), Poly::constant(&v(&["q"]), rat(1)));
        assert_eq!(p.coefficient("r", 0).format(PolyFormat::Text), "-2*q");
        let sq = Poly::parse("s^4*q + s^2", &v(&["q", "s"])).unwrap();
        let r = sq.root_var("s", 2, "r").unwrap();
        assert_eq!(r.format(PolyFormat::Text), "q*r^2 + r");
        assert!(p.root_var("q", 2, "x").is_none());
    }

    #[test]
    fn monomial_change_of_variables() {
        // p = 1/eps, H = r/eps, sigma2 = q eps, N = 1/(y eps): p^a H^B sigma2^C N^-D
        // = r^B q^C y^D eps^(C + D - a - B).
        let full = Poly::parse("p^2*H*sigma2^3 + 5", &v(&["p", "H", "sigma2", "N"])).unwrap();
        let full = full.mul(&Poly::monomial(&v(&["N"]), vec![-1], rat(1)));
        let norm = full.change_vars(
            &v(&["r", "q", "y", "eps"]),
            &[
                ("p", &[("eps", -1)]),
                ("H", &[("r", 1), ("eps", -1)]),
                ("sigma2", &[("q", 1), ("eps", 1)]),
                ("N", &[("y", -1), ("eps", -1)]),
            ],
        );
        assert_eq!(norm.format(PolyFormat::Text), "r*q^3*y*eps + 5*y*eps");
    }

    #[test]
    fn huge_rational_to_f64() {
        let big = BigRational::new(BigInt::from(3) << 2000usize, BigInt::from(1) << 1999usize);
        assert!((rat_to_f64(&big) - 6.0).abs() < 1e-12);
    }
}
