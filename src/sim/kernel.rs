//! A packed, cache-blocked f64 GEMM with an AVX-512 FMA microkernel (and an AVX2/FMA twin that
//! gives the same bits), for the dense products of the simulation engines.
//!
//! Computes `C <- alpha A B + beta C` for strided A (m x k), B (k x n), C (m x n), optionally only
//! the tiles of C that meet its upper triangle (for products known to be symmetric; the caller
//! mirrors).
//!
//! # Algorithm (Goto / BLIS)
//!
//! The inner dimension is cut into blocks of at most [`KC`] (balanced, see [`k_blocks`]). For
//! each k block, A is packed into micro-panels of [`MR`] rows (k-major, zero-padded) and B into
//! micro-panels of [`NR`] columns; then every [`MR`] x [`NR`] tile of C is computed by the
//! microkernel from one A micro-panel and one B micro-panel held in registers as 28 zmm
//! accumulators (14 rows x 2 vectors of 8). The tiles are grouped into tasks (rectangles of at
//! most [`MC_TILES`] x [`NC_TILES`] tiles: the task's packed A rows stay in L2 while a B
//! micro-panel, KC x NR = 32 KiB, stays in L1 across them), and the tasks of one k block run in
//! parallel with rayon.
//!
//! # Summation order (determinism)
//!
//! For every element the microkernel computes, within one k block `[k0, k1)`,
//!
//! ```text
//! acc = 0;  for l in k0..k1 { acc = fma(a_il, b_lj, acc) }
//! ```
//!
//! and then `c = beta c + alpha acc` (first block; `c = alpha acc` when beta = 0, C is then not
//! read) or `c = c + alpha acc` (later blocks), the k blocks in increasing order. The k blocks
//! depend on k only, so the value of an element depends neither on which tile or task it falls
//! in nor on the number of threads or on which thread runs it: results are bit-identical for any
//! thread count (and any partition of C into tasks). The AVX2/FMA kernel performs the very same
//! operations (fused multiply-add in the same order), so machines with and without AVX-512 agree
//! too. Only machines without FMA fall back to matrixmultiply (see [`Isa`]).
//!
//! # Safety
//!
//! `unsafe` is confined to this module: raw strided reads of A and B while packing (indices
//! bounded by the views' shapes), raw writes of disjoint C tiles from parallel tasks, and the
//! SIMD intrinsics, which are only called after runtime feature detection.

use std::cell::Cell;

use ndarray::{ArrayView2, ArrayViewMut2};
use rayon::prelude::*;

/// Rows of a C tile (broadcast from the packed A micro-panel).
pub const MR: usize = 14;
/// Columns of a C tile (two 8-lane vectors of the packed B micro-panel).
pub const NR: usize = 16;
/// Longest k block: a B micro-panel of KC x NR doubles is 32 KiB (L1 holds 48 KiB).
pub const KC: usize = 256;
/// Largest task height in tiles (12 x 14 = 168 rows: 336 KiB of packed A per task, in L2).
pub const MC_TILES: usize = 12;
/// Largest task width in tiles (32 x 16 = 512 columns).
pub const NC_TILES: usize = 32;
/// A task is worth about this many flops of one k block (smaller products get fewer tasks).
const TASK_FLOPS: f64 = 4.0e6;
/// At most this many tasks per k block (enough to balance a few threads; more would shrink the
/// tasks and the reuse of packed B in L1).
const MAX_TASKS: usize = 24;

/// The microkernel family in use (detected once at runtime).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// AVX-512F: 14 x 16 tile in 28 zmm accumulators.
    Avx512,
    /// AVX2 + FMA: the same tile and the same fused operations in ymm registers (same bits).
    Fma,
}

/// The best microkernel of this CPU, or `None` when it lacks FMA (callers then use
/// matrixmultiply). Detected once per process; the environment variable `PRISM_NO_AVX512`
/// (any value) selects the AVX2/FMA kernel on AVX-512 machines (for comparisons: same results,
/// lower speed).
pub fn isa() -> Option<Isa> {
    static ISA: std::sync::OnceLock<Option<Isa>> = std::sync::OnceLock::new();
    *ISA.get_or_init(detect)
}

fn detect() -> Option<Isa> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::env::var_os("PRISM_NO_AVX512").is_none() && is_x86_feature_detected!("avx512f") {
            return Some(Isa::Avx512);
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return Some(Isa::Fma);
        }
    }
    None
}

/// Which tiles of C to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// All of C.
    Full,
    /// Only tiles that meet the upper triangle (j >= i); C must be square. Elements strictly
    /// below the diagonal are left unspecified (some are written); the caller mirrors.
    Upper,
}

/// The balanced k blocks: `ceil(k / KC)` blocks of `ceil(k / nb)` (the last shorter). Depends
/// on k only (the determinism of the module rests on this).
pub fn k_blocks(k: usize) -> impl Iterator<Item = (usize, usize)> {
    let nb = k.div_ceil(KC).max(1);
    let kc = k.div_ceil(nb).max(1);
    (0..nb)
        .map(move |b| (b * kc, ((b + 1) * kc).min(k)))
        .filter(|(a, b)| a < b)
}

/// Task size (rows, columns; multiples of MR, NR) for an m x n output and a k block of `kc`,
/// from the shape alone: at most MC_TILES x NC_TILES tiles, halved (longer side first) until
/// there are about flops / TASK_FLOPS tasks.
pub fn task_shape(m: usize, n: usize, kc: usize) -> (usize, usize) {
    let (mt, nt) = (m.div_ceil(MR).max(1), n.div_ceil(NR).max(1));
    let (mut rt, mut ct) = (mt.min(MC_TILES), nt.min(NC_TILES));
    let flops = 2.0 * m as f64 * n as f64 * kc as f64;
    let want = ((flops / TASK_FLOPS) as usize).clamp(1, MAX_TASKS);
    while mt.div_ceil(rt) * nt.div_ceil(ct) < want {
        if ct > 1 && (ct * NR >= rt * MR || rt == 1) {
            ct = ct.div_ceil(2);
        } else if rt > 1 {
            rt = rt.div_ceil(2);
        } else {
            break;
        }
    }
    (rt * MR, ct * NR)
}

/// A strided read-only matrix (element (i, j) at `ptr + i rs + j cs`).
#[derive(Clone, Copy)]
struct Src {
    ptr: *const f64,
    rs: isize,
    cs: isize,
}
// SAFETY: `Src` is only built from an `ArrayView2` that outlives the call, and is only read.
unsafe impl Send for Src {}
unsafe impl Sync for Src {}

/// A strided writable matrix; parallel tasks write disjoint tiles of it.
#[derive(Clone, Copy)]
struct Dst {
    ptr: *mut f64,
    rs: isize,
    cs: isize,
}
// SAFETY: built from an `ArrayViewMut2` borrowed for the whole call; every task writes only
// the elements of its own tiles, and tiles of different tasks are disjoint.
unsafe impl Send for Dst {}
unsafe impl Sync for Dst {}

thread_local! {
    /// Packing buffer reused across calls on this thread (taken while in use, so a nested call
    /// on the same thread through work stealing simply allocates its own).
    static PACK: Cell<Vec<f64>> = const { Cell::new(Vec::new()) };
}

/// `C <- alpha A B + beta C` (or its upper tiles, see [`Part`]) with the given microkernel.
/// Shapes must agree (checked). Runs the tasks of each k block on rayon's pool (on the calling
/// thread when there is one task).
pub fn gemm(
    isa: Isa,
    alpha: f64,
    a: ArrayView2<f64>,
    b: ArrayView2<f64>,
    beta: f64,
    mut c: ArrayViewMut2<f64>,
    part: Part,
) {
    let (m, k) = a.dim();
    let n = b.ncols();
    assert_eq!(b.nrows(), k, "gemm: inner dimensions differ");
    assert_eq!(c.dim(), (m, n), "gemm: output shape");
    if part == Part::Upper {
        assert_eq!(m, n, "gemm: upper part of a non-square product");
    }
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if beta == 0.0 {
            c.fill(0.0);
        } else {
            c.map_inplace(|x| *x *= beta);
        }
        return;
    }
    let (mt, nt) = (m.div_ceil(MR), n.div_ceil(NR));
    let kc_max = k_blocks(k).map(|(a, b)| b - a).max().unwrap_or(0);
    let (need_a, need_b) = (mt * MR * kc_max, nt * NR * kc_max);
    // 8 spare doubles to align both panels' starts to 64 bytes.
    let need = need_a + need_b + 16;
    let mut buf = PACK.with(|p| p.take());
    if buf.len() < need {
        buf = vec![0.0; need];
    }
    let off = buf.as_ptr().align_offset(64).min(8);
    let (pa, rest) = buf[off..].split_at_mut(need_a);
    let off_b = rest.as_ptr().align_offset(64).min(8);
    let pb = &mut rest[off_b..off_b + need_b];

    let sa = Src {
        ptr: a.as_ptr(),
        rs: a.strides()[0],
        cs: a.strides()[1],
    };
    let sb = Src {
        ptr: b.as_ptr(),
        rs: b.strides()[0],
        cs: b.strides()[1],
    };
    let dc = Dst {
        ptr: c.as_mut_ptr(),
        rs: c.strides()[0],
        cs: c.strides()[1],
    };
    for (bi, (k0, k1)) in k_blocks(k).enumerate() {
        let kc = k1 - k0;
        let pa = &mut pa[..mt * MR * kc];
        let pb = &mut pb[..nt * NR * kc];
        let big = 2.0 * m as f64 * n as f64 * kc as f64 >= 2.0 * TASK_FLOPS;
        // Packing is a pure copy: its parallel split does not affect any value.
        let pack_a = |(t, dst): (usize, &mut [f64])| {
            // SAFETY: rows t*MR.. (clipped to m) and columns k0..k1 lie inside A.
            unsafe { pack::<MR>(isa, sa, t * MR, (m - t * MR).min(MR), k0, kc, dst, false) }
        };
        let pack_b = |(t, dst): (usize, &mut [f64])| {
            // SAFETY: columns t*NR.. (clipped to n) and rows k0..k1 lie inside B.
            unsafe { pack::<NR>(isa, sb, t * NR, (n - t * NR).min(NR), k0, kc, dst, true) }
        };
        if big {
            rayon::join(
                || {
                    pa.par_chunks_mut(MR * kc)
                        .with_min_len(4)
                        .enumerate()
                        .for_each(pack_a)
                },
                || {
                    pb.par_chunks_mut(NR * kc)
                        .with_min_len(4)
                        .enumerate()
                        .for_each(pack_b)
                },
            );
        } else {
            pa.chunks_mut(MR * kc).enumerate().for_each(pack_a);
            pb.chunks_mut(NR * kc).enumerate().for_each(pack_b);
        }
        let (alpha_b, beta_b) = if bi == 0 { (alpha, beta) } else { (alpha, 1.0) };
        let (tm, tn) = task_shape(m, n, kc);
        let tasks: Vec<(usize, usize)> = (0..m.div_ceil(tm))
            .flat_map(|i| (0..n.div_ceil(tn)).map(move |j| (i * tm, j * tn)))
            .filter(|&(r0, c0)| part == Part::Full || c0 + tn > r0)
            .collect();
        let (pa, pb) = (&*pa, &*pb);
        let run = |&(r0, c0): &(usize, usize)| {
            // SAFETY: the task's tiles lie inside C and are disjoint from other tasks' tiles.
            unsafe {
                macro_tile(
                    isa,
                    kc,
                    pa,
                    pb,
                    dc,
                    (r0, (r0 + tm).min(m)),
                    (c0, (c0 + tn).min(n)),
                    alpha_b,
                    beta_b,
                    part,
                )
            }
        };
        if tasks.len() == 1 {
            run(&tasks[0]);
        } else {
            tasks.par_iter().for_each(run);
        }
    }
    PACK.with(|p| {
        let old = p.take();
        p.set(if old.len() > buf.len() { old } else { buf });
    });
}

/// Packs `len` (<= W) rows (or, with `cols`, columns) of `src` starting at `start`, over
/// k in `k0..k0 + kc`, into one k-major micro-panel of width W, zero-padded:
/// `dst[l * W + r] = src[start + r, k0 + l]` (or `src[k0 + l, start + r]`).
///
/// # Safety
/// The indices read must lie inside the matrix `src` describes; `dst.len() == W * kc`.
#[allow(clippy::too_many_arguments)]
unsafe fn pack<const W: usize>(
    isa: Isa,
    src: Src,
    start: usize,
    len: usize,
    k0: usize,
    kc: usize,
    dst: &mut [f64],
    cols: bool,
) {
    assert_eq!(dst.len(), W * kc);
    // Stride along the panel's width (r) and along k (l).
    let (sr, sk) = if cols {
        (src.cs, src.rs)
    } else {
        (src.rs, src.cs)
    };
    let base = if cols {
        src.ptr
            .offset(start as isize * src.cs + k0 as isize * src.rs)
    } else {
        src.ptr
            .offset(start as isize * src.rs + k0 as isize * src.cs)
    };
    let d = dst.as_mut_ptr();
    if len == W && sr == 1 {
        // Contiguous along the width: fixed-size row copies.
        for l in 0..kc {
            std::ptr::copy_nonoverlapping(base.offset(l as isize * sk), d.add(l * W), W);
        }
    } else if len == W && sk == 1 && W >= 8 && isa == Isa::Avx512 {
        // Contiguous along k: 8 x 8 in-register transposes (rows 0..8 and W-8..W; overlapping
        // rows are written twice with the same values), scalar for the last kc % 8.
        let kc8 = kc - kc % 8;
        for r0 in [0, W - 8] {
            x86::transpose8_avx512(base.offset(r0 as isize * sr), sr, kc8, d.add(r0), W);
        }
        for l in kc8..kc {
            for r in 0..W {
                *d.add(l * W + r) = *base.offset(r as isize * sr + l as isize);
            }
        }
    } else if len == W {
        // W source lines read side by side (sequential in k when sk = 1), written in order.
        let rows: [*const f64; W] = std::array::from_fn(|r| base.offset(r as isize * sr));
        for l in 0..kc {
            let dl = d.add(l * W);
            let off = l as isize * sk;
            for (r, p) in rows.iter().enumerate() {
                *dl.add(r) = *p.offset(off);
            }
        }
    } else {
        // Edge panel: zero padding beyond `len`.
        dst.fill(0.0);
        for l in 0..kc {
            for r in 0..len {
                *d.add(l * W + r) = *base.offset(r as isize * sr + l as isize * sk);
            }
        }
    }
}

/// All tiles of one task: rows `r0..r1`, columns `c0..c1` of C, for one k block of length `kc`
/// (packed A panels in `pa`, B panels in `pb`).
///
/// # Safety
/// The rows and columns lie inside C; no other thread writes these tiles meanwhile.
#[allow(clippy::too_many_arguments)]
unsafe fn macro_tile(
    isa: Isa,
    kc: usize,
    pa: &[f64],
    pb: &[f64],
    c: Dst,
    (r0, r1): (usize, usize),
    (c0, c1): (usize, usize),
    alpha: f64,
    beta: f64,
    part: Part,
) {
    let mut tmp = [0.0f64; MR * NR];
    let mut j = c0;
    while j < c1 {
        let nj = (c1 - j).min(NR);
        let bp = pb.as_ptr().add((j / NR) * NR * kc);
        let mut i = r0;
        while i < r1 {
            let mi = (r1 - i).min(MR);
            if part == Part::Upper && j + NR <= i {
                i += MR;
                continue;
            }
            let ap = pa.as_ptr().add((i / MR) * MR * kc);
            let cp = c.ptr.offset(i as isize * c.rs + j as isize * c.cs);
            if mi == MR && nj == NR && c.cs == 1 {
                micro(isa, kc, ap, bp, cp, c.rs, alpha, beta);
            } else {
                // Edge or strided tile: the same kernel into a local tile, then the same update
                // c = beta c + alpha acc, element by element.
                micro(isa, kc, ap, bp, tmp.as_mut_ptr(), NR as isize, 1.0, 0.0);
                for r in 0..mi {
                    for s in 0..nj {
                        let e = cp.offset(r as isize * c.rs + s as isize * c.cs);
                        let t = alpha * tmp[r * NR + s];
                        *e = if beta == 0.0 { t } else { beta * *e + t };
                    }
                }
            }
            i += MR;
        }
        j += NR;
    }
}

/// One MR x NR tile: `c = beta c + alpha acc` (beta = 0: `c = alpha acc`) with acc the fused
/// multiply-add chain over the `kc` packed columns. C rows at stride `rsc`, columns contiguous.
///
/// # Safety
/// `a` holds MR * kc, `b` NR * kc doubles; `c` is an MR x NR tile at row stride `rsc`; the
/// detected ISA supports the kernel.
#[allow(clippy::too_many_arguments)]
#[inline]
unsafe fn micro(
    isa: Isa,
    kc: usize,
    a: *const f64,
    b: *const f64,
    c: *mut f64,
    rsc: isize,
    alpha: f64,
    beta: f64,
) {
    #[cfg(target_arch = "x86_64")]
    match isa {
        Isa::Avx512 => x86::micro_avx512(kc, a, b, c, rsc, alpha, beta),
        Isa::Fma => x86::micro_fma(kc, a, b, c, rsc, alpha, beta),
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (isa, kc, a, b, c, rsc, alpha, beta);
        unreachable!("no microkernel on this architecture");
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{MR, NR};
    use std::arch::x86_64::*;

    /// The AVX-512 microkernel: 14 rows x 2 zmm of accumulators.
    ///
    /// # Safety
    /// See [`super::micro`]; the CPU supports AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn micro_avx512(
        kc: usize,
        mut a: *const f64,
        mut b: *const f64,
        c: *mut f64,
        rsc: isize,
        alpha: f64,
        beta: f64,
    ) {
        // Start fetching the C tile (read or written after the loop).
        for r in 0..MR {
            let cr = c.offset(r as isize * rsc) as *const i8;
            _mm_prefetch::<_MM_HINT_T0>(cr);
            _mm_prefetch::<_MM_HINT_T0>(cr.add(64));
        }
        let mut acc = [[_mm512_setzero_pd(); 2]; MR];
        for _ in 0..kc {
            let b0 = _mm512_loadu_pd(b);
            let b1 = _mm512_loadu_pd(b.add(8));
            for (r, acc_r) in acc.iter_mut().enumerate() {
                let ar = _mm512_set1_pd(*a.add(r));
                acc_r[0] = _mm512_fmadd_pd(ar, b0, acc_r[0]);
                acc_r[1] = _mm512_fmadd_pd(ar, b1, acc_r[1]);
            }
            a = a.add(MR);
            b = b.add(NR);
        }
        let va = _mm512_set1_pd(alpha);
        if beta == 0.0 {
            for (r, acc_r) in acc.iter().enumerate() {
                let cr = c.offset(r as isize * rsc);
                _mm512_storeu_pd(cr, _mm512_mul_pd(va, acc_r[0]));
                _mm512_storeu_pd(cr.add(8), _mm512_mul_pd(va, acc_r[1]));
            }
        } else {
            let vb = _mm512_set1_pd(beta);
            for (r, acc_r) in acc.iter().enumerate() {
                let cr = c.offset(r as isize * rsc);
                let x0 = _mm512_mul_pd(vb, _mm512_loadu_pd(cr));
                let x1 = _mm512_mul_pd(vb, _mm512_loadu_pd(cr.add(8)));
                _mm512_storeu_pd(cr, _mm512_add_pd(x0, _mm512_mul_pd(va, acc_r[0])));
                _mm512_storeu_pd(cr.add(8), _mm512_add_pd(x1, _mm512_mul_pd(va, acc_r[1])));
            }
        }
    }

    /// Transposes 8 source lines (at `src + r * sr`, r < 8, each contiguous over `kc8`, a
    /// multiple of 8) into `dst[l * w + r]`, 8 x 8 blocks in registers.
    ///
    /// # Safety
    /// The 8 lines of `kc8` doubles are readable; `dst[l * w + r]` for l < kc8, r < 8 writable;
    /// the CPU supports AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn transpose8_avx512(
        src: *const f64,
        sr: isize,
        kc8: usize,
        dst: *mut f64,
        w: usize,
    ) {
        let mut l = 0;
        while l < kc8 {
            let ld = |r: isize| _mm512_loadu_pd(src.offset(r * sr + l as isize));
            let (r0, r1, r2, r3) = (ld(0), ld(1), ld(2), ld(3));
            let (r4, r5, r6, r7) = (ld(4), ld(5), ld(6), ld(7));
            // Pairs: t0 = (r0_0 r1_0 | r0_2 r1_2 | r0_4 r1_4 | r0_6 r1_6), t1 the odd ones, ...
            let (t0, t1) = (_mm512_unpacklo_pd(r0, r1), _mm512_unpackhi_pd(r0, r1));
            let (t2, t3) = (_mm512_unpacklo_pd(r2, r3), _mm512_unpackhi_pd(r2, r3));
            let (t4, t5) = (_mm512_unpacklo_pd(r4, r5), _mm512_unpackhi_pd(r4, r5));
            let (t6, t7) = (_mm512_unpacklo_pd(r6, r7), _mm512_unpackhi_pd(r6, r7));
            // 128-bit lanes: even lanes (0x88) and odd lanes (0xdd) of two sources.
            let (u0, u1) = (
                _mm512_shuffle_f64x2::<0x88>(t0, t2),
                _mm512_shuffle_f64x2::<0xdd>(t0, t2),
            );
            let (v0, v1) = (
                _mm512_shuffle_f64x2::<0x88>(t4, t6),
                _mm512_shuffle_f64x2::<0xdd>(t4, t6),
            );
            let (u2, u3) = (
                _mm512_shuffle_f64x2::<0x88>(t1, t3),
                _mm512_shuffle_f64x2::<0xdd>(t1, t3),
            );
            let (v2, v3) = (
                _mm512_shuffle_f64x2::<0x88>(t5, t7),
                _mm512_shuffle_f64x2::<0xdd>(t5, t7),
            );
            let cols = [
                _mm512_shuffle_f64x2::<0x88>(u0, v0), // k = l
                _mm512_shuffle_f64x2::<0x88>(u2, v2), // l + 1
                _mm512_shuffle_f64x2::<0x88>(u1, v1), // l + 2
                _mm512_shuffle_f64x2::<0x88>(u3, v3), // l + 3
                _mm512_shuffle_f64x2::<0xdd>(u0, v0), // l + 4
                _mm512_shuffle_f64x2::<0xdd>(u2, v2), // l + 5
                _mm512_shuffle_f64x2::<0xdd>(u1, v1), // l + 6
                _mm512_shuffle_f64x2::<0xdd>(u3, v3), // l + 7
            ];
            for (q, col) in cols.into_iter().enumerate() {
                _mm512_storeu_pd(dst.add((l + q) * w), col);
            }
            l += 8;
        }
    }

    /// The AVX2/FMA twin: the same tile and the same fused operations (4 ymm per row; the
    /// accumulators spill to the stack, which changes the speed, not the values).
    ///
    /// # Safety
    /// See [`super::micro`]; the CPU supports AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn micro_fma(
        kc: usize,
        a: *const f64,
        b: *const f64,
        c: *mut f64,
        rsc: isize,
        alpha: f64,
        beta: f64,
    ) {
        // Two passes of 7 rows each keep the 7 x 4 accumulators in the 16 ymm registers.
        for half in 0..2 {
            let (mut ah, mut bh) = (a.add(half * 7), b);
            let mut acc = [[_mm256_setzero_pd(); 4]; 7];
            for _ in 0..kc {
                let bv = [
                    _mm256_loadu_pd(bh),
                    _mm256_loadu_pd(bh.add(4)),
                    _mm256_loadu_pd(bh.add(8)),
                    _mm256_loadu_pd(bh.add(12)),
                ];
                for (r, acc_r) in acc.iter_mut().enumerate() {
                    let ar = _mm256_set1_pd(*ah.add(r));
                    for (x, bq) in acc_r.iter_mut().zip(bv) {
                        *x = _mm256_fmadd_pd(ar, bq, *x);
                    }
                }
                ah = ah.add(MR);
                bh = bh.add(NR);
            }
            let va = _mm256_set1_pd(alpha);
            let vb = _mm256_set1_pd(beta);
            for (r, acc_r) in acc.iter().enumerate() {
                let cr = c.offset((half * 7 + r) as isize * rsc);
                for (q, x) in acc_r.iter().enumerate() {
                    let t = _mm256_mul_pd(va, *x);
                    let v = if beta == 0.0 {
                        t
                    } else {
                        _mm256_add_pd(_mm256_mul_pd(vb, _mm256_loadu_pd(cr.add(4 * q))), t)
                    };
                    _mm256_storeu_pd(cr.add(4 * q), v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{s, Array2};

    /// The reference: the same summation order written as plain scalar loops (k blocks, fused
    /// multiply-add chain per block, then the same update).
    fn reference(
        alpha: f64,
        a: ArrayView2<f64>,
        b: ArrayView2<f64>,
        beta: f64,
        c: &mut Array2<f64>,
    ) {
        let (m, k) = a.dim();
        let n = b.ncols();
        if k == 0 {
            c.map_inplace(|x| *x = if beta == 0.0 { 0.0 } else { beta * *x });
        }
        for (bi, (k0, k1)) in k_blocks(k).enumerate() {
            for i in 0..m {
                for j in 0..n {
                    let mut acc = 0.0f64;
                    for l in k0..k1 {
                        acc = a[[i, l]].mul_add(b[[l, j]], acc);
                    }
                    let t = alpha * acc;
                    let e = &mut c[[i, j]];
                    *e = if bi == 0 && beta == 0.0 {
                        t
                    } else if bi == 0 {
                        beta * *e + t
                    } else {
                        *e + t
                    };
                }
            }
        }
    }

    /// Plain triple loop in f64 (no particular order), for a tolerance check.
    fn naive(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Array2<f64> {
        let (m, k) = a.dim();
        let n = b.ncols();
        Array2::from_shape_fn((m, n), |(i, j)| (0..k).map(|l| a[[i, l]] * b[[l, j]]).sum())
    }

    fn mat(r: usize, c: usize, seed: usize) -> Array2<f64> {
        Array2::from_shape_fn((r, c), |(i, j)| {
            let x = ((i * 131 + j * 71 + seed * 17) % 97) as f64;
            (x - 48.0) / 29.0 + 1e-3 * ((i + 3 * j) as f64).sin()
        })
    }

    fn isas() -> Vec<Isa> {
        let mut v = vec![];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx512f") {
                v.push(Isa::Avx512);
            }
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                v.push(Isa::Fma);
            }
        }
        v
    }

    fn in_pool<T: Send>(k: usize, f: impl FnOnce() -> T + Send) -> T {
        rayon::ThreadPoolBuilder::new()
            .num_threads(k)
            .build()
            .unwrap()
            .install(f)
    }

    /// Awkward shapes (1 x 1, primes, exact and partial tiles, k across block boundaries),
    /// every layout the engines use (row-major, transposed views, strided column slices of a
    /// wider matrix), alpha/beta cases: bit-identical to the scalar reference of the same order
    /// and close to the naive triple loop.
    #[test]
    fn matches_reference_on_awkward_shapes() {
        let shapes = [
            (1usize, 1usize, 1usize),
            (1, 7, 1),
            (2, 3, 5),
            (13, 17, 19),
            (14, 256, 16),
            (15, 257, 17),
            (29, 513, 33),
            (97, 5, 101),
            (3, 600, 2),
            (0, 4, 3),
            (4, 0, 3),
        ];
        for isa in isas() {
            for &(m, k, n) in &shapes {
                for (alpha, beta) in [(1.0, 0.0), (-0.7, 1.0), (0.3, -1.25)] {
                    // Row-major operands.
                    let a = mat(m, k, 1);
                    let b = mat(k, n, 2);
                    // Transposed views (A = At^T, B = Bt^T) and strided slices.
                    let at = mat(k, m, 1);
                    let bt = mat(n, k, 2);
                    let wide_a = mat(m, k + 9, 3);
                    let wide_b = mat(k, n + 5, 4);
                    let c0 = mat(m, n, 5);
                    let cases: [(ArrayView2<f64>, ArrayView2<f64>); 4] = [
                        (a.view(), b.view()),
                        (at.t(), bt.t()),
                        (
                            wide_a.slice(s![.., 4..4 + k]),
                            wide_b.slice(s![.., 2..2 + n]),
                        ),
                        (at.t(), b.view()),
                    ];
                    for (ci, (av, bv)) in cases.iter().enumerate() {
                        let mut want = c0.clone();
                        reference(alpha, *av, *bv, beta, &mut want);
                        let mut got = c0.clone();
                        gemm(isa, alpha, *av, *bv, beta, got.view_mut(), Part::Full);
                        assert_eq!(
                            got, want,
                            "{isa:?} case {ci} {m}x{k}x{n} a={alpha} b={beta}"
                        );
                        // Strided, transposed output.
                        let mut ct = c0.t().to_owned();
                        gemm(
                            isa,
                            alpha,
                            *av,
                            *bv,
                            beta,
                            ct.view_mut().reversed_axes(),
                            Part::Full,
                        );
                        assert_eq!(ct.t(), want, "{isa:?} transposed C, case {ci}");
                        let plain = naive(*av, *bv);
                        let mut approx = c0.clone();
                        approx.zip_mut_with(&plain, |x, &p| {
                            *x = if beta == 0.0 {
                                alpha * p
                            } else {
                                beta * *x + alpha * p
                            }
                        });
                        let err = (&got - &approx).iter().fold(0.0f64, |e, x| e.max(x.abs()));
                        assert!(err < 1e-10 * (k as f64 + 1.0) * 50.0, "{m}x{k}x{n}: {err}");
                    }
                }
            }
        }
    }

    /// The AVX-512 and AVX2/FMA kernels give the same bits.
    #[test]
    fn isas_agree_bitwise() {
        let v = isas();
        if v.len() < 2 {
            return;
        }
        let (a, b) = (mat(131, 700, 1), mat(700, 77, 2));
        let run = |isa| {
            let mut c = Array2::zeros((131, 77));
            gemm(isa, 1.0, a.view(), b.view(), 0.0, c.view_mut(), Part::Full);
            c
        };
        assert_eq!(run(v[0]), run(v[1]));
    }

    /// Bit-identical on pools of 1, 2 and 3 threads; a sub-block of C computed alone equals the
    /// same block of the whole product (values do not depend on the task partition).
    #[test]
    fn deterministic_across_threads_and_partitions() {
        let Some(isa) = isa() else { return };
        let (m, k, n) = (300, 700, 410);
        let (a, b) = (mat(m, k, 1), mat(k, n, 2));
        let run = |threads| {
            let mut c = mat(m, n, 3);
            in_pool(threads, || {
                gemm(isa, 0.5, a.view(), b.view(), 2.0, c.view_mut(), Part::Full)
            });
            c
        };
        let c1 = run(1);
        assert_eq!(c1, run(2));
        assert_eq!(c1, run(3));
        let mut sub = mat(m, n, 3).slice(s![37..101, 55..300]).to_owned();
        gemm(
            isa,
            0.5,
            a.slice(s![37..101, ..]),
            b.slice(s![.., 55..300]),
            2.0,
            sub.view_mut(),
            Part::Full,
        );
        assert_eq!(sub, c1.slice(s![37..101, 55..300]));
    }

    /// The upper part computes every element with j >= i exactly as the full product does.
    #[test]
    fn upper_part_matches_full() {
        let Some(isa) = isa() else { return };
        for &(n, k) in &[(1usize, 3usize), (15, 2), (100, 300), (333, 64)] {
            let a = mat(n, k, 1);
            let mut full = Array2::zeros((n, n));
            gemm(isa, 1.0, a.view(), a.t(), 0.0, full.view_mut(), Part::Full);
            let mut up = Array2::from_elem((n, n), f64::NAN);
            in_pool(2, || {
                gemm(isa, 1.0, a.view(), a.t(), 0.0, up.view_mut(), Part::Upper)
            });
            for i in 0..n {
                for j in i..n {
                    assert_eq!(
                        up[[i, j]].to_bits(),
                        full[[i, j]].to_bits(),
                        "{n} {k} ({i},{j})"
                    );
                }
            }
        }
    }

    #[test]
    fn k_blocks_cover_k() {
        for k in [1usize, 255, 256, 257, 1000, 4000] {
            let v: Vec<_> = k_blocks(k).collect();
            assert_eq!(v[0].0, 0);
            assert_eq!(v.last().unwrap().1, k);
            assert!(v.windows(2).all(|w| w[0].1 == w[1].0));
            assert!(v.iter().all(|(a, b)| b - a <= KC));
        }
    }
}
