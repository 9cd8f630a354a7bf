//! Dense kernels for the simulation engines: GEMM wrappers over ndarray's matrixmultiply backend,
//! a blocked symmetric rank-k update (SYRK) that computes only the upper block triangle, and
//! trace helpers that read losses off small matrices.
//!
//! Nothing here allocates except where documented; the engines keep their buffers across steps.

use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, Zip};

/// C <- alpha * A B + beta * C (plain GEMM, 2 m n k flops for A m x k, B k x n).
#[inline]
pub fn gemm(
    alpha: f64,
    a: ArrayView2<f64>,
    b: ArrayView2<f64>,
    beta: f64,
    mut c: ArrayViewMut2<f64>,
) {
    general_mat_mul(alpha, &a, &b, beta, &mut c);
}

/// C <- alpha * A A^T (C symmetric n x n, A n x k): the symmetric rank-k update.
///
/// The rows of A are split into `nb` blocks; block row i of C is computed from rows i.. only
/// (one GEMM per block row), then the strictly lower triangle is mirrored. The flop count is
/// (nb + 1) / (2 nb) of the full GEMM's 2 n^2 k, i.e. close to n^2 k for large n.
pub fn syrk(alpha: f64, a: ArrayView2<f64>, c: ArrayViewMut2<f64>) {
    gemm_abt_sym(alpha, a, a, c);
}

/// C <- alpha * A B^T for a product known to be symmetric (e.g. W (S W^T) with S symmetric):
/// only the upper block triangle is computed (as in [`syrk`]) and mirrored.
pub fn gemm_abt_sym(alpha: f64, a: ArrayView2<f64>, b: ArrayView2<f64>, mut c: ArrayViewMut2<f64>) {
    let n = a.nrows();
    debug_assert_eq!(c.dim(), (n, n));
    debug_assert_eq!(b.dim(), a.dim());
    if n == 0 {
        return;
    }
    // Blocks of at least ~96 rows keep matrixmultiply near its peak rate.
    let nb = (n / 96).clamp(1, 8);
    if nb == 1 {
        general_mat_mul(alpha, &a, &b.t(), 0.0, &mut c);
        return;
    }
    let bs = n.div_ceil(nb);
    let mut i0 = 0;
    while i0 < n {
        let i1 = (i0 + bs).min(n);
        let ai = a.slice(s![i0..i1, ..]);
        let bj = b.slice(s![i0.., ..]);
        let mut ci = c.slice_mut(s![i0..i1, i0..]);
        general_mat_mul(alpha, &ai, &bj.t(), 0.0, &mut ci);
        i0 = i1;
    }
    // Mirror the upper block triangle into the lower one (within diagonal blocks too).
    for i in 0..n {
        for j in 0..i {
            c[[i, j]] = c[[j, i]];
        }
    }
}

/// Squared Frobenius norm sum_ij a_ij^2.
#[inline]
pub fn frob2(a: ArrayView2<f64>) -> f64 {
    a.iter().map(|x| x * x).sum()
}

/// sum_ij a_ij b_ij = tr(A^T B) (for symmetric A: tr(A B)).
#[inline]
pub fn dot2(a: ArrayView2<f64>, b: ArrayView2<f64>) -> f64 {
    let mut acc = 0.0;
    Zip::from(&a).and(&b).for_each(|x, y| acc += x * y);
    acc
}

/// Trace of a square matrix.
#[inline]
pub fn trace(a: ArrayView2<f64>) -> f64 {
    a.diag().sum()
}

/// ||A A^T||_F^2 = ||A^T A||_F^2 = tr[(A A^T)^2], computed with the Gram matrix of the smaller
/// side (cost min(m, n)^2 max(m, n) flops). `buf` is reused when it has the right shape.
pub fn gram_frob2(a: ArrayView2<f64>, buf: &mut Array2<f64>) -> f64 {
    let (m, n) = a.dim();
    let k = m.min(n);
    if buf.dim() != (k, k) {
        *buf = Array2::zeros((k, k));
    }
    if m <= n {
        syrk(1.0, a, buf.view_mut());
    } else {
        syrk(1.0, a.t(), buf.view_mut());
    }
    frob2(buf.view())
}

/// out = y + h k (elementwise).
pub fn axpy_into(out: &mut [f64], y: &[f64], h: f64, k: &[f64]) {
    for ((o, a), b) in out.iter_mut().zip(y).zip(k) {
        *o = a + h * b;
    }
}

/// out = y + h sum_j a_j k_j over the first `a.len()` slopes (elementwise, terms added in
/// index order).
pub fn lincomb_into(out: &mut [f64], y: &[f64], h: f64, a: &[f64], ks: &[Vec<f64>]) {
    out.copy_from_slice(y);
    for (aj, kj) in a.iter().zip(ks) {
        if *aj == 0.0 {
            continue;
        }
        let c = h * aj;
        for (o, b) in out.iter_mut().zip(kj) {
            *o += c * b;
        }
    }
}

/// Euclidean norm, summed in index order.
pub fn norm2(a: &[f64]) -> f64 {
    a.iter().map(|x| x * x).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syrk_matches_gemm() {
        for &(n, k) in &[(1usize, 3usize), (5, 2), (200, 37), (301, 64)] {
            let a = Array2::from_shape_fn((n, k), |(i, j)| ((i * 7 + j * 13) % 11) as f64 - 5.0);
            let mut c = Array2::zeros((n, n));
            syrk(0.5, a.view(), c.view_mut());
            let full = a.dot(&a.t()) * 0.5;
            let err = (&c - &full).iter().fold(0.0f64, |m, x| m.max(x.abs()));
            assert!(err < 1e-9, "n={n} k={k} err={err}");
        }
    }

    #[test]
    fn gram_frob2_both_sides() {
        let a = Array2::from_shape_fn((7, 3), |(i, j)| (i as f64) - 2.0 * (j as f64));
        let mut buf = Array2::zeros((0, 0));
        let x = gram_frob2(a.view(), &mut buf);
        let y = gram_frob2(a.t(), &mut buf);
        let direct = frob2(a.dot(&a.t()).view());
        assert!((x - direct).abs() < 1e-9 * direct && (y - direct).abs() < 1e-9 * direct);
    }
}
