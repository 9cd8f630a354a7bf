"""The Dask path: ensembles split into chunks of runs, checks spread over workers.

Workers import this module (``prism._dask``) and call the same native functions as the local
path. Chunk results are per-run curves; the reduction (``simulate_reduce_json``) restores run
order and applies the local ensemble's reduction, so the result does not depend on the
chunking, the number of workers or the order in which chunks finish.
"""

from __future__ import annotations

import math
from typing import Any, List, Optional

from . import _native
from ._errors import ParameterError


def _run_chunk(params: str, start: int, stop: int) -> str:
    """Worker task: the runs start..stop of the ensemble (JSON of ``prism::sim::RunChunk``)."""
    return _native.simulate_chunk_json(params, start, stop)


def _run_check(spec: str, options: str) -> str:
    """Worker task: one check (JSON of ``prism check --json``)."""
    return _native.check_json(spec, options)


def _workers(client: Any) -> int:
    try:
        return max(1, len(client.scheduler_info()["workers"]))
    except Exception:  # pragma: no cover - a client without scheduler info
        return 1


def simulate_distributed(client: Any, params: str, seeds: int, chunk: Optional[int]) -> str:
    """Compute the ensemble ``params`` on ``client`` in chunks of ``chunk`` runs (default:
    about two chunks per worker) and reduce them in run order."""
    if seeds < 1:
        raise ParameterError("seeds must be >= 1")
    if chunk is None:
        chunk = max(1, math.ceil(seeds / (2 * _workers(client))))
    if chunk < 1:
        raise ParameterError("chunk must be >= 1")
    bounds = [(a, min(a + chunk, seeds)) for a in range(0, seeds, chunk)]
    futures = [client.submit(_run_chunk, params, a, b, pure=False) for a, b in bounds]
    chunks: List[str] = client.gather(futures)
    return _native.simulate_reduce_json(params, chunks)


def check_distributed(client: Any, specs: List[str], options: str) -> List[str]:
    """One check per spec, each on a worker; results in the order of ``specs``."""
    futures = [client.submit(_run_check, s, options, pure=False) for s in specs]
    return client.gather(futures)
