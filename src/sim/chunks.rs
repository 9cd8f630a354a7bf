//! Ensembles in chunks of runs, for distributed execution (the Python package's Dask path).
//!
//! Run i of an ensemble depends only on the parameters and its seed `seed + i`, so the runs can
//! be computed anywhere, in any grouping. [`simulate_chunk`] computes the runs `start..stop` (a
//! [`RunChunk`], the per-run curves in run order); [`reduce_chunks`] puts chunks covering
//! `0..seeds` back in run order and applies the very reduction of [`super::simulate`] (mean and
//! standard error over runs, summed in run order). The result is therefore bit-identical to
//! [`super::simulate`] on one machine, whatever the chunking and the order in which chunks
//! arrive: no float is summed in arrival order.

use std::ops::Range;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{assemble, job_of, run_job_one, RunCurves, RunStats, SimError, SimParams, SimResult};

/// The runs `start..start + runs.len()` of an ensemble.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunChunk {
    /// Index of the first run.
    pub start: usize,
    /// Per-run curves, in run order.
    pub runs: Vec<RunCurves>,
    /// Per-run step counters, in run order.
    pub stats: Vec<RunStats>,
}

/// Compute the runs `runs` (indices into `0..params.seeds`) of the ensemble `params`, in
/// parallel on rayon's threads; `progress(k)` after every k further steps.
pub fn simulate_chunk(
    params: &SimParams,
    runs: Range<usize>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunChunk, SimError> {
    params.validate()?;
    if runs.start >= runs.end || runs.end > params.seeds {
        return Err(SimError::InvalidParameter {
            name: "runs",
            reason: format!(
                "chunk {}..{} is empty or outside the ensemble 0..{}",
                runs.start, runs.end, params.seeds
            ),
        });
    }
    let job = job_of(params)?;
    let outs: Vec<_> = runs
        .clone()
        .into_par_iter()
        .map(|i| run_job_one(&job, i, progress))
        .collect();
    let mut chunk = RunChunk {
        start: runs.start,
        runs: Vec::with_capacity(runs.len()),
        stats: Vec::with_capacity(runs.len()),
    };
    for o in outs {
        let (c, st) = o?;
        chunk.runs.push(c);
        chunk.stats.push(st);
    }
    Ok(chunk)
}

/// Reassemble chunks covering the runs `0..params.seeds` exactly once (in any order) into the
/// ensemble result, with the reduction of [`super::simulate`]: bit-identical to it.
pub fn reduce_chunks(params: &SimParams, mut chunks: Vec<RunChunk>) -> Result<SimResult, SimError> {
    params.validate()?;
    chunks.sort_by_key(|c| c.start);
    let mut next = 0;
    for c in &chunks {
        if c.start != next || c.runs.is_empty() || c.runs.len() != c.stats.len() {
            return Err(SimError::InvalidParameter {
                name: "chunks",
                reason: format!(
                    "chunks do not tile the runs 0..{}: gap, overlap or a malformed chunk at run {next}",
                    params.seeds
                ),
            });
        }
        next += c.runs.len();
    }
    if next != params.seeds {
        return Err(SimError::InvalidParameter {
            name: "chunks",
            reason: format!(
                "chunks cover runs 0..{next}, the ensemble has {}",
                params.seeds
            ),
        });
    }
    let job = job_of(params)?;
    let mut runs = Vec::with_capacity(params.seeds);
    let mut stats = Vec::with_capacity(params.seeds);
    for c in chunks {
        runs.extend(c.runs);
        stats.extend(c.stats);
    }
    Ok(assemble(&job, runs, &stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_reduce_bit_identically_to_simulate() {
        let mut p = SimParams::new(12, 4, 0.05, 0.5).with_n(Some(20));
        p.seeds = 7;
        p.seed = 3;
        p.record = super::super::Record::Uniform(4);
        let whole = super::super::simulate(&p).unwrap();
        let mut chunks: Vec<RunChunk> = [(4, 7), (0, 3), (3, 4)]
            .into_iter()
            .map(|(a, b)| simulate_chunk(&p, a..b, &|_| {}).unwrap())
            .collect();
        let r = reduce_chunks(&p, chunks.clone()).unwrap();
        assert_eq!(r, whole);
        chunks.pop();
        assert!(reduce_chunks(&p, chunks).is_err());
        assert!(simulate_chunk(&p, 5..9, &|_| {}).is_err());
    }
}
