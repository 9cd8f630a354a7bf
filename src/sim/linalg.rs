//! Dense kernels for the simulation engines: GEMM (the packed AVX-512 / FMA kernel of
//! [`super::kernel`], or ndarray's matrixmultiply backend on CPUs without FMA), a symmetric
//! rank-k update (SYRK) that computes only the upper triangle's tiles, and trace helpers that read
//! losses off small matrices.
//!
//! Nothing here allocates except where documented; the engines keep their buffers across steps.

use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, Axis, Zip};
use rayon::prelude::*;

use super::kernel::{self, Part};

/// Products below this many flops run on the calling thread.
const PAR_MIN_FLOPS: f64 = 2.0e6;
/// Smallest block (rows or columns of C) handed to one task.
const MIN_BLOCK: usize = 64;
/// Smallest chunk of the inner dimension when a thin product is split along it.
const MIN_K_BLOCK: usize = 256;
/// Largest number of blocks a product is split into.
const MAX_BLOCKS: usize = 8;

/// Block size for splitting a dimension of length `d` into blocks of at least `min` (depends
/// on the shape only, never on the thread count).
fn block_size(d: usize, min: usize) -> usize {
    let nb = (d / min).clamp(1, MAX_BLOCKS);
    d.div_ceil(nb)
}

/// C <- alpha * A B + beta * C (plain GEMM, 2 m n k flops for A m x k, B k x n).
///
/// # Parallelism and determinism
///
/// On CPUs with FMA this is [`super::kernel::gemm`]: every element is a fused multiply-add chain
/// over fixed k blocks (chosen from k alone), whatever the thread count or task partition, so
/// results are bit-identical across thread counts (and between the AVX-512 and AVX2 kernels).
///
/// Without FMA (fallback, matrixmultiply):
/// Large products are split into a fixed number of blocks of rows or columns of C (the longer
/// side), chosen from the shape alone ([`block_size`]); each block is one sequential
/// matrixmultiply GEMM over the full inner dimension, and blocks run as rayon tasks. Thin
/// products (C smaller than 128 x 128, long inner dimension) are split along the inner
/// dimension instead, into fixed chunks whose partial products are added in chunk order. Every
/// element of C is therefore computed by the same sequence of operations whatever the number of
/// threads (and whichever thread runs its block): results are bit-identical across thread
/// counts. Inside an ensemble (runs already parallel) rayon's work stealing nests these tasks in
/// the same pool instead of adding threads.
pub fn gemm(alpha: f64, a: ArrayView2<f64>, b: ArrayView2<f64>, beta: f64, c: ArrayViewMut2<f64>) {
    match kernel::isa() {
        Some(isa) => kernel::gemm(isa, alpha, a, b, beta, c, Part::Full),
        None => gemm_mm(alpha, a, b, beta, c),
    }
}

/// [`gemm`] on CPUs without FMA: fixed blocks of matrixmultiply GEMMs (see [`gemm`]).
fn gemm_mm(
    alpha: f64,
    a: ArrayView2<f64>,
    b: ArrayView2<f64>,
    beta: f64,
    mut c: ArrayViewMut2<f64>,
) {
    let (m, k) = a.dim();
    let n = b.ncols();
    let flops = 2.0 * m as f64 * n as f64 * k as f64;
    if flops < PAR_MIN_FLOPS {
        general_mat_mul(alpha, &a, &b, beta, &mut c);
        return;
    }
    if m.max(n) < 2 * MIN_BLOCK {
        // A thin product (small C, long inner dimension): fixed chunks of the inner dimension
        // in parallel, partial products summed in chunk order.
        if k < 2 * MIN_K_BLOCK {
            general_mat_mul(alpha, &a, &b, beta, &mut c);
            return;
        }
        let bs = block_size(k, MIN_K_BLOCK);
        let parts: Vec<Array2<f64>> = a
            .axis_chunks_iter(Axis(1), bs)
            .zip(b.axis_chunks_iter(Axis(0), bs))
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|(ai, bi)| {
                let mut t = Array2::zeros((m, n));
                general_mat_mul(1.0, &ai, &bi, 0.0, &mut t);
                t
            })
            .collect();
        let mut sum = parts[0].clone();
        for t in &parts[1..] {
            sum += t;
        }
        if beta == 0.0 {
            Zip::from(&mut c).and(&sum).for_each(|x, &y| *x = alpha * y);
        } else {
            Zip::from(&mut c)
                .and(&sum)
                .for_each(|x, &y| *x = beta * *x + alpha * y);
        }
        return;
    }
    if n >= m {
        let bs = block_size(n, MIN_BLOCK);
        let blocks: Vec<_> = c
            .axis_chunks_iter_mut(Axis(1), bs)
            .zip(b.axis_chunks_iter(Axis(1), bs))
            .collect();
        blocks.into_par_iter().for_each(|(mut cj, bj)| {
            general_mat_mul(alpha, &a, &bj, beta, &mut cj);
        });
    } else {
        let bs = block_size(m, MIN_BLOCK);
        let blocks: Vec<_> = c
            .axis_chunks_iter_mut(Axis(0), bs)
            .zip(a.axis_chunks_iter(Axis(0), bs))
            .collect();
        blocks.into_par_iter().for_each(|(mut ci, ai)| {
            general_mat_mul(alpha, &ai, &b, beta, &mut ci);
        });
    }
}

/// C <- alpha * A A^T (C symmetric n x n, A n x k): the symmetric rank-k update.
///
/// With the FMA kernels only the tiles meeting the upper triangle are computed (about n^2 k
/// flops plus the diagonal tiles) and the strictly lower triangle is mirrored from the upper one.
/// Fallback: the rows of A are split into `nb` blocks; block row i of C is computed from rows i.. only
/// (one GEMM per block row), then the strictly lower triangle is mirrored. The flop count is
/// (nb + 1) / (2 nb) of the full GEMM's 2 n^2 k, i.e. close to n^2 k for large n.
pub fn syrk(alpha: f64, a: ArrayView2<f64>, c: ArrayViewMut2<f64>) {
    gemm_abt_sym(alpha, a, a, c);
}

/// C <- alpha * A B^T for a product known to be symmetric (e.g. W (S W^T) with S symmetric):
/// only the upper triangle is computed (as in [`syrk`]) and mirrored. Fallback: block rows run
/// in parallel, each through [`gemm`]; the partition depends on the shape only (deterministic).
pub fn gemm_abt_sym(alpha: f64, a: ArrayView2<f64>, b: ArrayView2<f64>, mut c: ArrayViewMut2<f64>) {
    let n = a.nrows();
    debug_assert_eq!(c.dim(), (n, n));
    debug_assert_eq!(b.dim(), a.dim());
    if n == 0 {
        return;
    }
    match kernel::isa() {
        Some(isa) => {
            kernel::gemm(isa, alpha, a, b.t(), 0.0, c.view_mut(), Part::Upper);
            mirror_upper(c);
        }
        None => gemm_abt_sym_mm(alpha, a, b, c),
    }
}

/// [`gemm_abt_sym`] on CPUs without FMA: block rows of the upper block triangle through
/// [`gemm_mm`], then mirrored.
fn gemm_abt_sym_mm(alpha: f64, a: ArrayView2<f64>, b: ArrayView2<f64>, mut c: ArrayViewMut2<f64>) {
    let n = a.nrows();
    // Blocks of at least ~96 rows keep matrixmultiply near its peak rate.
    let nb = (n / 96).clamp(1, 8);
    if nb == 1 {
        gemm_mm(alpha, a, b.t(), 0.0, c);
        return;
    }
    let bs = n.div_ceil(nb);
    let rows: Vec<_> = c.axis_chunks_iter_mut(Axis(0), bs).enumerate().collect();
    rows.into_par_iter().for_each(|(blk, mut ci)| {
        let i0 = blk * bs;
        let i1 = (i0 + bs).min(n);
        let ai = a.slice(s![i0..i1, ..]);
        let bj = b.slice(s![i0.., ..]);
        gemm_mm(alpha, ai, bj.t(), 0.0, ci.slice_mut(s![.., i0..]));
    });
    mirror_upper(c);
}

/// Copies the upper triangle of a square matrix onto its strictly lower triangle (in 32 x 32
/// blocks, for the cache).
fn mirror_upper(mut c: ArrayViewMut2<f64>) {
    const B: usize = 32;
    let n = c.nrows();
    for i0 in (0..n).step_by(B) {
        for j0 in (0..=i0).step_by(B) {
            for i in i0..(i0 + B).min(n) {
                for j in j0..(j0 + B).min(i) {
                    c[[i, j]] = c[[j, i]];
                }
            }
        }
    }
}

/// Elements per chunk of the parallel elementwise operations and reductions below. Reductions
/// add per-chunk partial sums in chunk order, and a chunk sums its elements in 8 interleaved
/// lanes (element i into lane i mod 8, lanes added in order at the end): the order depends on
/// the length only, never on the thread count.
pub const CHUNK: usize = 1 << 14;

/// sum_i a_i b_i of one chunk, in 8 lanes (vectorizable; fixed order).
#[inline]
fn dot_lanes(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ar, br) = (ac.remainder(), bc.remainder());
    for (x, y) in ac.zip(bc) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    for (l, (x, y)) in ar.iter().zip(br).enumerate() {
        acc[l] += x * y;
    }
    acc.iter().sum()
}

/// sum_i a_i b_i over slices of equal length: fixed chunks (in parallel when long), partial sums
/// in chunk order.
pub fn dot_slices(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    if a.len() <= CHUNK {
        return dot_lanes(a, b);
    }
    let parts: Vec<f64> = a
        .par_chunks(CHUNK)
        .zip(b.par_chunks(CHUNK))
        .map(|(x, y)| dot_lanes(x, y))
        .collect();
    parts.iter().sum()
}

/// Squared Frobenius norm sum_ij a_ij^2 (fixed order, see [`CHUNK`]).
#[inline]
pub fn frob2(a: ArrayView2<f64>) -> f64 {
    dot2(a, a)
}

/// sum_ij a_ij b_ij = tr(A^T B) (for symmetric A: tr(A B)), in a fixed order: for contiguous
/// row-major operands over the flat slices ([`dot_slices`]), otherwise row by row (rows in
/// order).
pub fn dot2(a: ArrayView2<f64>, b: ArrayView2<f64>) -> f64 {
    assert_eq!(a.dim(), b.dim());
    if let (Some(x), Some(y)) = (a.as_slice(), b.as_slice()) {
        return dot_slices(x, y);
    }
    let mut acc = 0.0;
    for (ra, rb) in a.rows().into_iter().zip(b.rows()) {
        acc += match (ra.as_slice(), rb.as_slice()) {
            (Some(x), Some(y)) => dot_lanes(x, y),
            _ => ra.iter().zip(rb.iter()).map(|(x, y)| x * y).sum(),
        };
    }
    acc
}

/// sum over `0..n` of `f(chunk)` for the fixed chunks of [`CHUNK`] elements (in parallel when
/// long), partial sums added in chunk order.
pub fn sum_chunks(n: usize, f: impl Fn(std::ops::Range<usize>) -> f64 + Sync) -> f64 {
    if n <= CHUNK {
        return f(0..n);
    }
    let parts: Vec<f64> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| f(c * CHUNK..((c + 1) * CHUNK).min(n)))
        .collect();
    parts.iter().sum()
}

/// out_i = f(out_i, x_i) over equal-length slices, in parallel fixed chunks when long
/// (elementwise: the split cannot change any value).
pub fn par_update(out: &mut [f64], x: &[f64], f: impl Fn(&mut f64, f64) + Sync) {
    assert_eq!(out.len(), x.len());
    if out.len() <= 2 * CHUNK {
        out.iter_mut().zip(x).for_each(|(o, &v)| f(o, v));
    } else {
        out.par_chunks_mut(CHUNK)
            .zip(x.par_chunks(CHUNK))
            .for_each(|(o, v)| o.iter_mut().zip(v).for_each(|(o, &v)| f(o, v)));
    }
}

/// w <- w + h v for row-major arrays of the same shape (parallel fixed chunks; falls back to
/// ndarray's `scaled_add` for other layouts).
pub fn add_scaled(w: &mut Array2<f64>, h: f64, v: &Array2<f64>) {
    match (w.as_slice_mut(), v.as_slice()) {
        (Some(ws), Some(vs)) => par_update(ws, vs, |o, x| *o += h * x),
        _ => w.scaled_add(h, v),
    }
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
    out.copy_from_slice(y);
    par_update(out, k, |o, b| *o += h * b);
}

/// out = y + h sum_j a_j k_j over the first `a.len()` slopes (elementwise, terms added in
/// index order; one pass over memory, in parallel fixed chunks when long).
pub fn lincomb_into(out: &mut [f64], y: &[f64], h: f64, a: &[f64], ks: &[Vec<f64>]) {
    let terms: Vec<(f64, &[f64])> = a
        .iter()
        .zip(ks)
        .filter(|(aj, _)| **aj != 0.0)
        .map(|(aj, kj)| (h * aj, kj.as_slice()))
        .collect();
    let chunk = |(c, (o, yc)): (usize, (&mut [f64], &[f64]))| {
        o.copy_from_slice(yc);
        let r = c * CHUNK..c * CHUNK + o.len();
        for (cj, kj) in &terms {
            for (o, b) in o.iter_mut().zip(&kj[r.clone()]) {
                *o += cj * b;
            }
        }
    };
    if out.len() <= 2 * CHUNK {
        chunk((0, (out, y)));
    } else {
        out.par_chunks_mut(CHUNK)
            .zip(y.par_chunks(CHUNK))
            .enumerate()
            .for_each(chunk);
    }
}

/// Euclidean norm (fixed order, see [`CHUNK`]).
pub fn norm2(a: &[f64]) -> f64 {
    dot_slices(a, a).sqrt()
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

    fn in_pool<T: Send>(k: usize, f: impl FnOnce() -> T + Send) -> T {
        rayon::ThreadPoolBuilder::new()
            .num_threads(k)
            .build()
            .unwrap()
            .install(f)
    }

    /// The matrixmultiply fallback (CPUs without FMA): every split path (column blocks, row
    /// blocks, inner-dimension chunks, block-row SYRK) is bit-identical on 1 and 2 threads and
    /// agrees with one plain GEMM to rounding.
    #[test]
    fn fallback_deterministic_across_thread_counts() {
        check_gemm_paths(gemm_mm, |a, c| gemm_abt_sym_mm(0.5, a, a, c));
    }

    /// The same for the dispatching entry points (the FMA kernels where available).
    #[test]
    fn parallel_kernels_deterministic_across_thread_counts() {
        check_gemm_paths(gemm, |a, c| syrk(0.5, a, c));
    }

    #[allow(clippy::type_complexity)]
    fn check_gemm_paths(
        gemm: fn(f64, ArrayView2<f64>, ArrayView2<f64>, f64, ArrayViewMut2<f64>),
        syrk: fn(ArrayView2<f64>, ArrayViewMut2<f64>),
    ) {
        for &(m, k, n) in &[
            (300usize, 200usize, 500usize),
            (500, 200, 150),
            (40, 5000, 60),
            (7, 3, 9),
        ] {
            let a =
                Array2::from_shape_fn((m, k), |(i, j)| ((i * 7 + j * 13) % 11) as f64 / 3.0 - 1.5);
            let b =
                Array2::from_shape_fn((k, n), |(i, j)| ((i * 5 + j * 3) % 17) as f64 / 7.0 - 1.0);
            let c0 = Array2::from_shape_fn((m, n), |(i, j)| (i + 2 * j) as f64 * 1e-3);
            let run = |threads| {
                let mut c = c0.clone();
                in_pool(threads, || gemm(0.7, a.view(), b.view(), 0.3, c.view_mut()));
                c
            };
            let (c1, c2) = (run(1), run(2));
            assert_eq!(c1, c2, "{m} {k} {n}");
            let mut reference = c0.clone();
            general_mat_mul(0.7, &a, &b, 0.3, &mut reference);
            assert_eq!(c1, run(3), "{m} {k} {n}");
            let err = (&c1 - &reference)
                .iter()
                .fold(0.0f64, |x, y| x.max(y.abs()));
            assert!(err < 1e-9, "{m} {k} {n}: {err}");
        }
        let a = Array2::from_shape_fn((400, 300), |(i, j)| ((i * 7 + j * 13) % 11) as f64 - 5.0);
        let run = |threads| {
            let mut c = Array2::zeros((400, 400));
            in_pool(threads, || syrk(a.view(), c.view_mut()));
            c
        };
        let c1 = run(1);
        assert_eq!(c1, run(2));
        assert_eq!(c1, c1.t());
        let full = a.dot(&a.t()) * 0.5;
        let err = (&c1 - &full).iter().fold(0.0f64, |m, x| m.max(x.abs()));
        assert!(err < 1e-9, "syrk: {err}");
    }

    /// Fixed-order reductions and parallel elementwise updates: bit-identical on 1, 2 and 3
    /// threads, sums close to the naive ones, elementwise results equal to the sequential
    /// formulas exactly.
    #[test]
    fn chunked_reductions_and_updates_deterministic() {
        let n = 5 * CHUNK + 123;
        let x: Vec<f64> = (0..n)
            .map(|i| ((i * 37 % 101) as f64 - 50.0) / 7.0)
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|i| ((i * 11 % 53) as f64 - 26.0) / 3.0)
            .collect();
        let d = |t| in_pool(t, || dot_slices(&x, &y));
        let d1 = d(1);
        assert_eq!(d1.to_bits(), d(2).to_bits());
        assert_eq!(d1.to_bits(), d(3).to_bits());
        let naive: f64 = x.iter().zip(&y).map(|(a, b)| a * b).sum();
        assert!((d1 - naive).abs() <= 1e-12 * naive.abs().max(1.0));
        let s = |t| in_pool(t, || sum_chunks(n, |r| r.map(|i| x[i]).sum()));
        assert_eq!(s(1).to_bits(), s(2).to_bits());
        // A matrix that is not contiguous: row by row.
        let a = Array2::from_shape_vec((n / 100, 100), x[..n / 100 * 100].to_vec()).unwrap();
        let f = |t| in_pool(t, || frob2(a.slice(s![.., 1..99])));
        assert_eq!(f(1).to_bits(), f(2).to_bits());
        // lincomb_into: out = y + sum_j (h a_j) k_j, terms in order, exactly.
        let ks = vec![x.clone(), y.clone(), x.clone()];
        let coef = [0.5, 0.0, -0.25];
        let l = |t| {
            let mut out = vec![0.0; n];
            in_pool(t, || lincomb_into(&mut out, &y, 0.1, &coef, &ks));
            out
        };
        let want: Vec<f64> = (0..n)
            .map(|i| {
                let mut o = y[i];
                o += (0.1 * 0.5) * x[i];
                o += (0.1 * -0.25) * x[i];
                o
            })
            .collect();
        assert_eq!(l(1), want);
        assert_eq!(l(2), want);
        let mut w = Array2::from_shape_vec((n / 100, 100), y[..n / 100 * 100].to_vec()).unwrap();
        let v = a.clone();
        let want = &w + &(&v * 0.3);
        in_pool(2, || add_scaled(&mut w, 0.3, &v));
        assert_eq!(w, want);
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
