"""Type stubs of the prism package (see the docstrings in prism/__init__.py)."""

from fractions import Fraction
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from ._errors import (
    DivergenceError as DivergenceError,
    ParameterError as ParameterError,
    PrismError as PrismError,
    ResourceError as ResourceError,
    SpecError as SpecError,
)

__version__: str

def classify(spec: str) -> dict[str, Any]:
    """The face a scaling spec lands on (``prism classify --json``)."""

def faces() -> list[dict[str, Any]]:
    """Every face of the prism (``prism faces --json``)."""

def hierarchy(order: int = 8, full: bool = False) -> dict[str, Any]:
    """The computed supports and the prism they confirm (``prism hierarchy --json``)."""

class Coefficient(dict[str, Any]):
    """One c_s of ``prism expand --json``; term coefficients are Fractions."""

    def to_sympy(self) -> Any:
        """The coefficient as a SymPy expression in p, H, sigma2, N."""

def expand(order: int, loss: str = "both", leading: bool = False, sympy: bool = False) -> list[Coefficient]:
    """The exact coefficients c_s = E[L^(s)(0)]/p, s = 0..order."""

def limit(
    spec: Optional[str] = None,
    tau_max: Optional[float] = None,
    points: int = 20,
    series: Optional[int] = None,
    *,
    t_max: Optional[float] = None,
    face: Optional[str] = None,
    set: Optional[Mapping[str, float]] = None,
    format: str = "text",
    verify: bool = False,
    chain_tol: float = 1e-10,
    free_sizes: Sequence[int] = (64, 128, 256),
    free_seeds: int = 16,
    seed: int = 0,
) -> dict[str, Any]:
    """The limiting law of a face (``prism limit --json``), curves as numpy arrays."""

def simulate(
    p: int,
    H: int,
    sigma2: float,
    N: Union[int, str, None] = None,
    *,
    t_max: float,
    dt: Optional[float] = None,
    points: Optional[int] = None,
    seeds: int = 8,
    seed: int = 0,
    mode: str = "fast",
    integrator: str = "euler",
    tol: Optional[float] = None,
    spectrum: str = "identity",
    sampler: str = "bidiagonal",
    check_dt: bool = False,
    client: Any = None,
    chunk: Optional[int] = None,
    record: Optional[int] = None,
) -> dict[str, Any]:
    """An ensemble of gradient-descent runs (``prism simulate --json``), bit-identical to the CLI."""

def check(
    spec: str,
    *,
    n: Optional[Sequence[float]] = None,
    budget: Optional[float] = None,
    seeds: Optional[int] = None,
    max_seeds: Optional[int] = None,
    max_flops: Optional[float] = None,
    seed: int = 0,
    tau_max: Optional[float] = None,
    points: int = 20,
    mode: str = "fast",
    formula: Optional[str] = None,
    client: Any = None,
    t_max: Optional[float] = None,
    physical: Optional[bool] = None,
) -> dict[str, Any]:
    """Theory against simulation (``prism check --json``)."""

def check_many(specs: Iterable[str], *, client: Any = None, **options: Any) -> list[dict[str, Any]]:
    """:func:`check` for several specs, optionally on Dask workers."""

class Svg(str):
    """An SVG document rendered inline by Jupyter."""

    def _repr_svg_(self) -> str: ...
    def save(self, path: str) -> None:
        """Write the SVG to a file."""

def prism_svg(face: Optional[str] = None, spec: Optional[str] = None) -> Svg:
    """The prism with a face lit."""

def plot_limit(result: dict[str, Any]) -> Svg:
    """Both limiting curves of a limit() result."""

def plot_simulation(result: dict[str, Any], title: Optional[str] = None) -> Svg:
    """The mean curves of a simulate() result."""

def plot_check(result: dict[str, Any], loss: str = "train") -> Svg:
    """Limit against simulation from a check() result."""

class PhaseMap(dict[str, Any]):
    """A phase diagram (``prism map --json``) that renders as SVG."""

    svg: Svg
    def _repr_svg_(self) -> str: ...

def map(fix: Optional[str] = None, x: Optional[str] = None, y: Optional[str] = None, fan: bool = False) -> PhaseMap:
    """An exact phase diagram of the regimes (``prism map``)."""
