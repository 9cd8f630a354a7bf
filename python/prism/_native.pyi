"""The native module (PyO3). Each function returns the CLI's --json text of a prism::report type."""

from typing import Optional

def version() -> str: ...
def classify_json(spec: str) -> str: ...
def faces_json() -> str: ...
def hierarchy_json(order: int, full: bool) -> str: ...
def expand_json(order: int, loss: str, leading: bool) -> str: ...
def limit_json(
    spec: Optional[str],
    face: Optional[str],
    set: list[tuple[str, float]],
    t_max: float,
    points: int,
    series: int,
    format: str,
    verify: bool,
    chain_tol: float,
    free_sizes: list[int],
    free_seeds: int,
    seed: int,
) -> str: ...
def sim_params_json(
    p: int,
    h: int,
    sigma2: float,
    n: Optional[int],
    t_max: float,
    dt: Optional[float],
    record: int,
    seeds: int,
    seed: int,
    mode: str,
    integrator: str,
    spectrum: str,
    tol: Optional[float],
) -> str: ...
def simulate_json(params: str, check_dt: bool) -> str: ...
def simulate_chunk_json(params: str, start: int, stop: int) -> str: ...
def simulate_reduce_json(params: str, chunks: list[str]) -> str: ...
def check_json(spec: str, options: str) -> str: ...
def prism_svg(face: Optional[str] = None, spec: Optional[str] = None) -> str: ...
def chart_svg(chart: str) -> str: ...
