//! Random spectra and triangular Wishart factors, exact in distribution.
//!
//! * [`tridiag_eigenvalues`]: implicit QL with Wilkinson shifts for a symmetric tridiagonal matrix,
//!   eigenvalues only, O(n^2).
//! * [`sym_eigenvalues`]: Householder reduction of a dense symmetric matrix to tridiagonal form
//!   (O(n^3), 4/3 n^3 flops) followed by QL.
//! * [`wishart_eigenvalues`]: the eigenvalues of G G^T for G an m x n matrix of iid N(0, 1)
//!   (m <= n), from the Dumitriu-Edelman bidiagonal model: G G^T has the same spectrum law as
//!   B B^T with B lower bidiagonal, diag(chi_n, chi_{n-1}, ..., chi_{n-m+1}) and subdiagonal
//!   (chi_{m-1}, ..., chi_1). Cost O(m) random numbers and O(m^2) for the tridiagonal solve.
//!   (This is what Householder bidiagonalization of G produces, the Gaussian law being invariant.)
//! * [`bartlett_upper`] / [`bartlett_lower`]: the Bartlett factor of a real Wishart matrix:
//!   with R upper triangular, R_ii^2 ~ chi^2_{n-i+1} (i = 1..m) and R_ij ~ N(0, 1) (i < j),
//!   R^T R ~ Wishart_m(n, I) (n >= m), the law of G^T G for G n x m Gaussian.

use ndarray::Array2;
use rand::Rng;
use rand_distr::{ChiSquared, Distribution, StandardNormal};

use super::SimError;

/// Eigenvalues of the symmetric tridiagonal matrix with diagonal `d` (length n) and sub-diagonal
/// `e` (length n - 1, `e[i]` couples i and i + 1). On return `d` holds the eigenvalues, ascending.
///
/// Implicit QL with Wilkinson shifts (no eigenvectors), O(n^2) flops in total.
pub fn tridiag_eigenvalues(d: &mut [f64], e_in: &[f64]) -> Result<(), SimError> {
    let n = d.len();
    if n == 0 {
        return Ok(());
    }
    debug_assert_eq!(e_in.len() + 1, n);
    let mut e = vec![0.0; n];
    e[..n - 1].copy_from_slice(e_in);
    for l in 0..n {
        let mut iter = 0;
        loop {
            let mut m = l;
            while m + 1 < n {
                let dd = d[m].abs() + d[m + 1].abs();
                if e[m].abs() <= f64::EPSILON * dd {
                    break;
                }
                m += 1;
            }
            if m == l {
                break;
            }
            iter += 1;
            if iter > 60 {
                return Err(SimError::EigenNoConvergence { n });
            }
            let mut g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            let mut r = g.hypot(1.0);
            g = d[m] - d[l] + e[l] / (g + r.copysign(g));
            let (mut s, mut c, mut p) = (1.0f64, 1.0f64, 0.0f64);
            let mut i = m;
            let mut deflated = false;
            while i > l {
                i -= 1;
                let f = s * e[i];
                let b = c * e[i];
                r = f.hypot(g);
                e[i + 1] = r;
                if r == 0.0 {
                    d[i + 1] -= p;
                    e[m] = 0.0;
                    deflated = true;
                    break;
                }
                s = f / r;
                c = g / r;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2.0 * c * b;
                p = s * r;
                d[i + 1] = g + p;
                g = c * r - b;
            }
            if deflated {
                continue;
            }
            d[l] -= p;
            e[l] = g;
            e[m] = 0.0;
        }
    }
    if d.iter().any(|x| !x.is_finite()) {
        return Err(SimError::EigenNoConvergence { n });
    }
    d.sort_by(|a, b| a.total_cmp(b));
    Ok(())
}

/// Eigenvalues (ascending) of a dense symmetric matrix: Householder tridiagonalization
/// (4/3 n^3 flops) then [`tridiag_eigenvalues`]. The whole matrix is read and assumed symmetric.
pub fn sym_eigenvalues(mut a: Array2<f64>) -> Result<Vec<f64>, SimError> {
    let n = a.nrows();
    if n == 0 {
        return Ok(vec![]);
    }
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n.saturating_sub(1)];
    let mut v = vec![0.0; n];
    let mut pvec = vec![0.0; n];
    for k in 0..n.saturating_sub(1) {
        // Reflect x = a[k+1.., k] onto alpha e_1.
        let mut norm2 = 0.0;
        for i in k + 1..n {
            norm2 += a[[i, k]] * a[[i, k]];
        }
        let norm = norm2.sqrt();
        d[k] = a[[k, k]];
        if norm == 0.0 {
            e[k] = 0.0;
            continue;
        }
        let x0 = a[[k + 1, k]];
        let alpha = if x0 >= 0.0 { -norm } else { norm };
        e[k] = alpha;
        for i in k + 1..n {
            v[i] = a[[i, k]];
        }
        v[k + 1] -= alpha;
        let vn = (v[k + 1..n].iter().map(|x| x * x).sum::<f64>()).sqrt();
        if vn == 0.0 {
            continue;
        }
        for x in &mut v[k + 1..n] {
            *x /= vn;
        }
        // p = A22 v, K = v^T p, w = p - K v; A22 <- A22 - 2 v w^T - 2 w v^T.
        for i in k + 1..n {
            let mut acc = 0.0;
            for j in k + 1..n {
                acc += a[[i, j]] * v[j];
            }
            pvec[i] = acc;
        }
        let kk: f64 = (k + 1..n).map(|i| v[i] * pvec[i]).sum();
        for i in k + 1..n {
            pvec[i] -= kk * v[i];
        }
        for i in k + 1..n {
            for j in k + 1..n {
                a[[i, j]] -= 2.0 * (v[i] * pvec[j] + pvec[i] * v[j]);
            }
        }
    }
    d[n - 1] = a[[n - 1, n - 1]];
    tridiag_eigenvalues(&mut d, &e)?;
    Ok(d)
}

/// Eigen-decomposition of a dense symmetric matrix: `a = V diag(d) V^T`, eigenvalues ascending,
/// eigenvectors in the columns of V (orthonormal). Householder tridiagonalization with the
/// transformations accumulated (EISPACK `tred2`, 8/3 n^3 flops) and implicit QL with the
/// rotations accumulated (`tql2`, about 3 n^3 flops more for typical spectra): O(n^3) in all,
/// sequential, so the result is bit-identical whatever the thread count. The lower triangle of
/// `a` is read.
pub fn sym_eigen(a: Array2<f64>) -> Result<(Vec<f64>, Array2<f64>), SimError> {
    let n = a.nrows();
    assert_eq!(a.ncols(), n, "sym_eigen needs a square matrix");
    if n == 0 {
        return Ok((vec![], Array2::zeros((0, 0))));
    }
    // v[i * n + j] = V[i][j] (row-major working copy).
    let mut v: Vec<f64> = a.as_standard_layout().iter().copied().collect();
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n];
    tred2(n, &mut v, &mut d, &mut e);
    // tql2 rotates pairs of columns of V: work on V^T so that they are contiguous rows.
    let mut vt = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            vt[j * n + i] = v[i * n + j];
        }
    }
    tql2(n, &mut vt, &mut d, &mut e)?;
    // Sort ascending (stable, by value) with the vectors.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&x, &y| d[x].total_cmp(&d[y]));
    let vals: Vec<f64> = order.iter().map(|&k| d[k]).collect();
    let vecs = Array2::from_shape_fn((n, n), |(i, j)| vt[order[j] * n + i]);
    Ok((vals, vecs))
}

/// Householder reduction of the symmetric `v` (row-major n x n) to tridiagonal form, with the
/// orthogonal transformation accumulated in `v`; `d` receives the diagonal, `e[1..]` the
/// sub-diagonal (JAMA / EISPACK `tred2`).
fn tred2(n: usize, v: &mut [f64], d: &mut [f64], e: &mut [f64]) {
    let ix = |i: usize, j: usize| i * n + j;
    for j in 0..n {
        d[j] = v[ix(n - 1, j)];
    }
    for i in (1..n).rev() {
        let mut scale = 0.0;
        let mut h = 0.0;
        for x in &d[..i] {
            scale += x.abs();
        }
        if scale == 0.0 {
            e[i] = d[i - 1];
            for j in 0..i {
                d[j] = v[ix(i - 1, j)];
                v[ix(i, j)] = 0.0;
                v[ix(j, i)] = 0.0;
            }
        } else {
            for x in &mut d[..i] {
                *x /= scale;
                h += *x * *x;
            }
            let mut f = d[i - 1];
            let mut g = h.sqrt();
            if f > 0.0 {
                g = -g;
            }
            e[i] = scale * g;
            h -= f * g;
            d[i - 1] = f - g;
            for x in &mut e[..i] {
                *x = 0.0;
            }
            for j in 0..i {
                f = d[j];
                v[ix(j, i)] = f;
                g = e[j] + v[ix(j, j)] * f;
                for k in j + 1..i {
                    let vkj = v[ix(k, j)];
                    g += vkj * d[k];
                    e[k] += vkj * f;
                }
                e[j] = g;
            }
            f = 0.0;
            for j in 0..i {
                e[j] /= h;
                f += e[j] * d[j];
            }
            let hh = f / (h + h);
            for j in 0..i {
                e[j] -= hh * d[j];
            }
            for j in 0..i {
                let f = d[j];
                let g = e[j];
                for k in j..i {
                    v[ix(k, j)] -= f * e[k] + g * d[k];
                }
                d[j] = v[ix(i - 1, j)];
                v[ix(i, j)] = 0.0;
            }
        }
        d[i] = h;
    }
    // Accumulate the transformations.
    let mut col = vec![0.0; n];
    for i in 0..n - 1 {
        v[ix(n - 1, i)] = v[ix(i, i)];
        v[ix(i, i)] = 1.0;
        let h = d[i + 1];
        if h != 0.0 {
            for k in 0..=i {
                col[k] = v[ix(k, i + 1)];
                d[k] = col[k] / h;
            }
            for j in 0..=i {
                let mut g = 0.0;
                for k in 0..=i {
                    g += col[k] * v[ix(k, j)];
                }
                for k in 0..=i {
                    v[ix(k, j)] -= g * d[k];
                }
            }
        }
        for k in 0..=i {
            v[ix(k, i + 1)] = 0.0;
        }
    }
    for j in 0..n {
        d[j] = v[ix(n - 1, j)];
        v[ix(n - 1, j)] = 0.0;
    }
    v[ix(n - 1, n - 1)] = 1.0;
    e[0] = 0.0;
}

/// Implicit QL with the rotations accumulated (JAMA / EISPACK `tql2`) on the tridiagonal
/// (`d`, `e` from [`tred2`]); `vt` holds V^T (row k is eigenvector k on return).
fn tql2(n: usize, vt: &mut [f64], d: &mut [f64], e: &mut [f64]) -> Result<(), SimError> {
    for i in 1..n {
        e[i - 1] = e[i];
    }
    e[n - 1] = 0.0;
    let mut f = 0.0;
    let mut tst1: f64 = 0.0;
    let eps = f64::EPSILON;
    for l in 0..n {
        tst1 = tst1.max(d[l].abs() + e[l].abs());
        let mut m = l;
        while m < n {
            if e[m].abs() <= eps * tst1 {
                break;
            }
            m += 1;
        }
        if m == n {
            // e[n - 1] = 0, so the scan always stops inside.
            m = n - 1;
        }
        if m > l {
            let mut iter = 0;
            loop {
                iter += 1;
                if iter > 60 {
                    return Err(SimError::EigenNoConvergence { n });
                }
                let mut g = d[l];
                let mut p = (d[l + 1] - g) / (2.0 * e[l]);
                let mut r = p.hypot(1.0);
                if p < 0.0 {
                    r = -r;
                }
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                let dl1 = d[l + 1];
                let mut h = g - d[l];
                for x in &mut d[l + 2..n] {
                    *x -= h;
                }
                f += h;
                p = d[m];
                let mut c = 1.0;
                let mut c2 = c;
                let mut c3 = c;
                let el1 = e[l + 1];
                let mut s = 0.0;
                let mut s2 = 0.0;
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    g = c * e[i];
                    h = c * p;
                    r = p.hypot(e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    // Rotate eigenvector rows i and i + 1 of V^T.
                    let (lo, hi) = vt.split_at_mut((i + 1) * n);
                    let ri = &mut lo[i * n..];
                    let ri1 = &mut hi[..n];
                    for (a, b) in ri.iter_mut().zip(ri1.iter_mut()) {
                        let hb = *b;
                        *b = s * *a + c * hb;
                        *a = c * *a - s * hb;
                    }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
                if e[l].abs() <= eps * tst1 {
                    break;
                }
            }
        }
        d[l] += f;
        e[l] = 0.0;
    }
    if d.iter().any(|x| !x.is_finite()) {
        return Err(SimError::EigenNoConvergence { n });
    }
    Ok(())
}

/// chi_k sample (k > 0 degrees of freedom).
fn chi<R: Rng + ?Sized>(k: usize, rng: &mut R) -> f64 {
    let dist = ChiSquared::new(k as f64).expect("k > 0");
    let x: f64 = dist.sample(rng);
    x.sqrt()
}

/// The m eigenvalues (ascending) of G G^T with G m x n iid N(0, 1), m <= n, from the
/// Dumitriu-Edelman bidiagonal model (see module docs). O(m) random numbers, O(m^2) flops.
pub fn wishart_eigenvalues<R: Rng + ?Sized>(
    m: usize,
    n: usize,
    rng: &mut R,
) -> Result<Vec<f64>, SimError> {
    assert!(m <= n, "wishart_eigenvalues needs m <= n");
    if m == 0 {
        return Ok(vec![]);
    }
    let a: Vec<f64> = (0..m).map(|i| chi(n - i, rng)).collect();
    let b: Vec<f64> = (0..m - 1).map(|i| chi(m - 1 - i, rng)).collect();
    // T = B B^T: T_ii = a_i^2 + b_{i-1}^2, T_{i,i+1} = a_i b_i.
    let mut d: Vec<f64> = (0..m)
        .map(|i| a[i] * a[i] + if i > 0 { b[i - 1] * b[i - 1] } else { 0.0 })
        .collect();
    let e: Vec<f64> = (0..m - 1).map(|i| a[i] * b[i]).collect();
    tridiag_eigenvalues(&mut d, &e)?;
    // B B^T is positive semi-definite; clamp rounding noise.
    for x in &mut d {
        if *x < 0.0 {
            *x = 0.0;
        }
    }
    Ok(d)
}

/// Upper-triangular Bartlett factor R (m x m) with R^T R ~ Wishart_m(n, scale^2 I), n >= m:
/// R_ii = scale * chi_{n-i} (i = 0..m-1, zero-based), R_ij = scale * N(0, 1) for i < j.
/// Random numbers are drawn row by row (diagonal first), a fixed, portable order.
pub fn bartlett_upper<R: Rng + ?Sized>(m: usize, n: usize, scale: f64, rng: &mut R) -> Array2<f64> {
    assert!(n >= m, "Bartlett factor needs n >= m");
    let mut r = Array2::zeros((m, m));
    for i in 0..m {
        r[[i, i]] = scale * chi(n - i, rng);
        for j in i + 1..m {
            let z: f64 = StandardNormal.sample(rng);
            r[[i, j]] = scale * z;
        }
    }
    r
}

/// Lower-triangular Bartlett factor L = R^T with L L^T ~ Wishart_m(n, scale^2 I), n >= m.
pub fn bartlett_lower<R: Rng + ?Sized>(m: usize, n: usize, scale: f64, rng: &mut R) -> Array2<f64> {
    bartlett_upper(m, n, scale, rng)
        .reversed_axes()
        .as_standard_layout()
        .to_owned()
}

/// An m x n matrix of iid N(0, scale^2), filled row-major (a fixed, portable order).
pub fn gaussian<R: Rng + ?Sized>(m: usize, n: usize, scale: f64, rng: &mut R) -> Array2<f64> {
    Array2::from_shape_simple_fn((m, n), || {
        let z: f64 = StandardNormal.sample(rng);
        scale * z
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::ChaCha8Rng;
    use rand::SeedableRng;

    #[test]
    fn tridiag_known() {
        // Second-difference matrix: eigenvalues 2 - 2 cos(k pi/(n+1)).
        let n = 50;
        let mut d = vec![2.0; n];
        let e = vec![-1.0; n - 1];
        tridiag_eigenvalues(&mut d, &e).unwrap();
        for (k, x) in d.iter().enumerate() {
            let exact = 2.0 - 2.0 * ((k + 1) as f64 * std::f64::consts::PI / (n + 1) as f64).cos();
            assert!((x - exact).abs() < 1e-12, "{k}: {x} vs {exact}");
        }
    }

    #[test]
    fn dense_matches_known_spectrum() {
        // Q diag(1..n) Q^T for a Householder Q.
        let n = 40;
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let u = gaussian(n, 1, 1.0, &mut rng);
        let un = u.iter().map(|x| x * x).sum::<f64>();
        let q = Array2::<f64>::eye(n) - u.dot(&u.t()) * (2.0 / un);
        let dm = Array2::from_diag(&ndarray::Array1::from_iter((1..=n).map(|i| i as f64)));
        let a = q.dot(&dm).dot(&q.t());
        let ev = sym_eigenvalues(a).unwrap();
        for (k, x) in ev.iter().enumerate() {
            assert!((x - (k + 1) as f64).abs() < 1e-10);
        }
    }

    #[test]
    fn eigen_with_vectors_reconstructs() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for &n in &[1usize, 2, 5, 37, 120] {
            let g = gaussian(n, n + 3, 1.0, &mut rng);
            let a = g.dot(&g.t());
            let (d, v) = sym_eigen(a.clone()).unwrap();
            assert!(d.windows(2).all(|w| w[0] <= w[1]));
            let rec = v
                .dot(&Array2::from_diag(&ndarray::Array1::from(d.clone())))
                .dot(&v.t());
            let scale = a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            let err = (&rec - &a).iter().fold(0.0f64, |m, x| m.max(x.abs()));
            assert!(err < 1e-12 * scale * n as f64, "n={n}: {err}");
            let orth = (v.t().dot(&v) - Array2::<f64>::eye(n))
                .iter()
                .fold(0.0f64, |m, x| m.max(x.abs()));
            assert!(orth < 1e-12 * n as f64, "n={n}: {orth}");
            let ev = sym_eigenvalues(a).unwrap();
            for (x, y) in d.iter().zip(&ev) {
                assert!((x - y).abs() < 1e-10 * scale, "{x} {y}");
            }
        }
        // Repeated eigenvalues and a zero block (diagonal input, already tridiagonal).
        let a = Array2::from_diag(&ndarray::Array1::from(vec![2.0, 0.0, 2.0, 1.0, 0.0]));
        let (d, v) = sym_eigen(a).unwrap();
        assert_eq!(d, vec![0.0, 0.0, 1.0, 2.0, 2.0]);
        let orth = (v.t().dot(&v) - Array2::<f64>::eye(5))
            .iter()
            .fold(0.0f64, |m, x| m.max(x.abs()));
        assert!(orth < 1e-15);
    }

    #[test]
    fn bidiagonal_model_moments() {
        // E tr(G G^T) = m n, E tr (G G^T)^2 = m n (m + n + 1). Compare the bidiagonal model with
        // the dense route on the same statistics (50 samples each, m = 12, n = 20).
        let (m, n, reps) = (12usize, 20usize, 400usize);
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (mut s1, mut s2) = (0.0, 0.0);
        for _ in 0..reps {
            let ev = wishart_eigenvalues(m, n, &mut rng).unwrap();
            s1 += ev.iter().sum::<f64>();
            s2 += ev.iter().map(|x| x * x).sum::<f64>();
        }
        let (e1, e2) = ((m * n) as f64, (m * n * (m + n + 1)) as f64);
        assert!(
            (s1 / reps as f64 / e1 - 1.0).abs() < 0.02,
            "{}",
            s1 / reps as f64
        );
        assert!(
            (s2 / reps as f64 / e2 - 1.0).abs() < 0.04,
            "{}",
            s2 / reps as f64
        );
        // One dense sample against its own trace identities.
        let g = gaussian(m, n, 1.0, &mut rng);
        let ggt = g.dot(&g.t());
        let ev = sym_eigenvalues(ggt.clone()).unwrap();
        let t1: f64 = ev.iter().sum();
        let t2: f64 = ev.iter().map(|x| x * x).sum();
        assert!((t1 - ggt.diag().sum()).abs() < 1e-9 * t1);
        assert!((t2 - ggt.iter().map(|x| x * x).sum::<f64>()).abs() < 1e-9 * t2);
    }

    #[test]
    fn bartlett_moments() {
        // E[R^T R] = n I.
        let (m, n, reps) = (6usize, 9usize, 2000usize);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut acc = Array2::<f64>::zeros((m, m));
        for _ in 0..reps {
            let r = bartlett_upper(m, n, 1.0, &mut rng);
            acc = acc + r.t().dot(&r);
        }
        acc /= reps as f64;
        for i in 0..m {
            for j in 0..m {
                let want = if i == j { n as f64 } else { 0.0 };
                assert!(
                    (acc[[i, j]] - want).abs() < 0.35,
                    "{i},{j}: {}",
                    acc[[i, j]]
                );
            }
        }
    }
}
