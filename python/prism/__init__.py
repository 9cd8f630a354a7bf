"""prism: scaling regimes of the weight-tied linear autoencoder f(x) = W^T W x.

A native (Rust) package: every function calls the prism library, the same code as the ``prism``
command line, and returns the schema of the CLI's ``--json`` output (``prism::report``), with
numpy arrays for curves and :class:`fractions.Fraction` for exact coefficients.

* :func:`classify` a scaling spec onto a face of the prism; :func:`faces`, :func:`hierarchy`;
* :func:`expand` the exact loss expansion (to SymPy with ``sympy=True`` or ``to_sympy()``);
* :func:`limit` the limiting law of a face; :func:`simulate` gradient descent ensembles;
* :func:`check` theory against simulation, :func:`check_many` for several specs;
* plots as SVG (:class:`Svg`, rendered inline by Jupyter): :func:`prism_svg`,
  :func:`plot_limit`, :func:`plot_simulation`, :func:`plot_check`.

Pass ``client=`` (a ``dask.distributed.Client``) to :func:`simulate`, :func:`check` or
:func:`check_many` to run on a Dask cluster; results are bit-identical to the local ones.

Long calls release the GIL and stop on Ctrl-C (``KeyboardInterrupt``).
"""

from __future__ import annotations

import json
import math
import warnings
from fractions import Fraction
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import numpy as np

from . import _native
from ._errors import DivergenceError, ParameterError, PrismError, ResourceError, SpecError

__version__ = _native.version()

__all__ = [
    "classify",
    "faces",
    "hierarchy",
    "expand",
    "Coefficient",
    "limit",
    "simulate",
    "check",
    "check_many",
    "prism_svg",
    "plot_limit",
    "plot_simulation",
    "plot_check",
    "Svg",
    "map",
    "PhaseMap",
    "PrismError",
    "SpecError",
    "ParameterError",
    "ResourceError",
    "DivergenceError",
]


def _alias(name: str, value: Any, old: str, old_value: Any) -> Any:
    """A keyword and its old spelling (kept like the CLI's hidden aliases)."""
    if old_value is None:
        return value
    if value is not None:
        raise ParameterError(f"give {name}= or its old name {old}=, not both")
    return old_value


def _array(v: Any) -> np.ndarray:
    """A float array; JSON nulls (non-finite values) become NaN."""
    return np.array([math.nan if x is None else x for x in v], dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# classification and geometry


def classify(spec: str, *, spectrum: Optional[str] = None) -> dict:
    """Classify a scaling spec: the face of the prism it lands on, with its scales.

    Same keys and values as ``prism classify --json`` (``spec``, ``u``, ``face``, ``face_dim``,
    ``face_vertices``, ``time_exponent``, the loss exponents, ``ratios``, ``constants``, ...).
    Exponents are exact rationals written as strings.

    ``spectrum`` is the data covariance's spectral law (THEORY 9), as a ``spectrum = LAW``
    statement of the spec (give one or the other): ``'atoms(1/2: 1/2, 3/2: 1/2)'``,
    ``'uniform(1/2, 3/2)'``, ``'powerlaw(1/3)'``, ``'file("eigs.txt")'`` (relative to the working
    directory). With a spectrum the result has a ``spectrum`` key: whether the classification
    holds for the law (bounded support) or what a heavy tail changes.

    Raises :class:`SpecError` (with ``line``, ``column``, ``hint``) for an invalid spec.
    """
    return json.loads(_native.classify_json(str(spec), None if spectrum is None else str(spectrum)))


def faces() -> list:
    """Every face of the prism (6 vertices, 9 edges, 5 two-faces, the interior), as
    ``prism faces --json``: dicts with ``face``, ``face_dim``, ``vertices``, ``scaling``, ``limit``."""
    return json.loads(_native.faces_json())


def hierarchy(order: int = 8, full: bool = False) -> dict:
    """The computed leading supports to ``order`` and the prism they confirm
    (``prism hierarchy --order S [--full] --json``): ``supports`` (per order, the exponents
    (k, j, l) of r^k q^j y^l) and ``prism`` (``confirmed``, vertices, facets, ...)."""
    return json.loads(_native.hierarchy_json(int(order), bool(full)))


# ---------------------------------------------------------------------------------------------
# exact expansion


class Coefficient(dict):
    """One coefficient c_s of ``prism expand --json``: keys ``order``, ``loss``, ``part``
    (``full``/``leading``) and ``terms``; each term has ``coeff`` (a :class:`fractions.Fraction`),
    ``value`` (float) and the exponents ``p``, ``H``, ``sigma2``, ``N`` of the raw monomial."""

    def to_sympy(self):
        """The coefficient as a SymPy expression in the symbols p, H, sigma2, N (exact rationals).

        Requires SymPy (``pip install sympy``)."""
        try:
            import sympy
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("to_sympy() needs SymPy: pip install sympy") from e
        p, H, s2, N = sympy.symbols("p H sigma2 N", positive=True)
        expr = sympy.Integer(0)
        for t in self["terms"]:
            c = t["coeff"]
            expr += sympy.Rational(c.numerator, c.denominator) * p ** t["p"] * H ** t["H"] * s2 ** t["sigma2"] * N ** t["N"]
        return expr


def expand(order: int, loss: str = "both", leading: bool = False, sympy: bool = False) -> list:
    """The exact coefficients c_s = E[L^(s)(0)]/p for s = 0..order (``prism expand --json``).

    ``loss``: ``"train"``, ``"pop"`` or ``"both"``; ``leading``: only the g = 0 part (free
    probability, much faster), given as raw monomials in p, H, sigma2, N. Returns a list of
    :class:`Coefficient` dicts (one per order and loss, the CLI's entries) whose term
    coefficients are :class:`fractions.Fraction`; with ``sympy=True`` each also has a ``sympy``
    key holding the SymPy expression (see :meth:`Coefficient.to_sympy`).
    """
    entries = json.loads(_native.expand_json(int(order), str(loss), bool(leading)))
    out = []
    for e in entries:
        for t in e["terms"]:
            t["coeff"] = Fraction(t["coeff"])
        c = Coefficient(e)
        if sympy:
            c["sympy"] = c.to_sympy()
        out.append(c)
    return out


# ---------------------------------------------------------------------------------------------
# limits


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
    free_sizes: Optional[Sequence[int]] = None,
    free_seeds: Optional[int] = None,
    seed: int = 0,
    spectrum: Optional[str] = None,
    free_budget: float = 60.0,
) -> dict:
    """The limiting law of a spec's face (or of ``face=`` with constants ``set={"q": ...}``),
    as ``prism limit --json``: face, normalization, formula, constants, the curves on the face
    time grid 0..``tau_max`` (default 1; ``points`` intervals) and the exact series to order
    ``series`` (default 4). ``t_max`` is the old name of ``tau_max`` (as ``--t-max``).

    ``train`` and ``pop`` hold ``t`` (face times), ``value`` (and ``stderr`` for numerical
    limits) as numpy arrays; ``series`` holds the exact coefficients as text (``format``:
    text, latex or sympy) and ``train_values``/``pop_values`` as numpy arrays. ``verify=True``
    adds ``verify``: the exact confirmation against the hierarchy.

    ``spectrum`` is the data covariance's spectral law (as a spec's ``spectrum = LAW``; also
    with ``face=``): the face's law with that spectrum (THEORY 9.5), the series at the law's
    exact moments, and a ``spectrum`` key with what it changed.

    Numerical limits (the free face at finite alpha; large-data and free with a spectrum)
    simulate at sizes ``free_sizes`` with ``free_seeds`` runs each (defaults 64, 128, 256 and
    16); with a spectrum, unless either is given, the sizes and runs are chosen from
    ``free_budget`` seconds at a nominal machine speed (as ``--free-budget``).
    """
    tau_max = _alias("tau_max", tau_max, "t_max", t_max)
    sets = [(str(k), float(v)) for k, v in (set or {}).items()]
    r = json.loads(
        _native.limit_json(
            spec,
            face,
            sets,
            1.0 if tau_max is None else float(tau_max),
            int(points),
            4 if series is None else int(series),
            str(format),
            bool(verify),
            float(chain_tol),
            None if free_sizes is None else [int(x) for x in free_sizes],
            None if free_seeds is None else int(free_seeds),
            int(seed),
            None if spectrum is None else str(spectrum),
            float(free_budget),
        )
    )
    for loss in ("train", "pop"):
        for k in ("t", "value", "stderr"):
            if k in r[loss]:
                r[loss][k] = _array(r[loss][k])
        r["series"][loss + "_values"] = _array(r["series"][loss + "_values"])
    return r


# ---------------------------------------------------------------------------------------------
# simulation


def _sim_params(
    p, H, sigma2, N, t_max, dt, record, seeds, seed, mode, integrator, sampler, tol=None, spectrum=None
) -> str:
    if t_max is None:
        raise ParameterError("simulate needs t_max (the final time T)")
    if N is not None and isinstance(N, str):
        if N.strip().lower() not in ("inf", "infinity"):
            raise ParameterError(f"N: expected an integer or 'inf', got {N!r}")
        N = None
    if N is not None and (isinstance(N, float) and math.isinf(N)):
        N = None
    return _native.sim_params_json(
        int(p), int(H), float(sigma2), None if N is None else int(N), float(t_max),
        None if dt is None else float(dt), int(record), int(seeds), int(seed),
        str(mode), str(integrator), str(sampler), None if tol is None else float(tol),
        None if spectrum is None else str(spectrum),
    )


def _sim_result(text: str) -> dict:
    r = json.loads(text)
    for k in ("t", "train_mean", "train_sem", "pop_mean", "pop_sem"):
        r[k] = _array(r[k])
    return r


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
) -> dict:
    """Gradient descent on the finite model: an ensemble of ``seeds`` runs (run i uses seed
    ``seed + i``), recorded at ``points + 1`` equally spaced times in 0..``t_max`` (default
    100 intervals; ``record`` is the old name of ``points``, as ``--record``).

    Same as ``prism simulate --p P --H H --sigma2 S [--N N] --t-max T ... --json`` and
    bit-identical to it: numpy arrays ``t``, ``train_mean``, ``train_sem``, ``pop_mean``,
    ``pop_sem`` (losses per input dimension) and ``meta`` (parameters, engine, step, version).

    ``N=None`` (or ``"inf"``) is an infinite training set. ``dt`` defaults to
    0.01 / max(1, q, q r, 1/alpha). ``mode``: ``fast`` (rotation-reduced engines) or ``physical``;
    ``integrator``: ``euler`` (gradient descent), ``rk4`` or ``adaptive`` (the flow, with
    relative tolerance ``tol``).

    ``spectrum`` is the data covariance's spectral law, as ``--spectrum LAW`` (THEORY 9):
    ``"identity"`` (default, x ~ N(0, I)), ``"atoms(1/2: 1/2, 3/2: 1/2)"``, ``"uniform(0, 2)"``,
    ``"powerlaw(1/3)"`` or ``'file("eigs.txt")'`` (one eigenvalue per line, relative to the
    working directory); Sigma's eigenvalues are the law's quantiles at (i - 1/2)/p, used as given
    (``meta["covariance"]`` states m_1 and the scale identity L(t; c Sigma) = c L(c t; Sigma)).
    ``sampler`` (``bidiagonal`` or ``dense``) is how the fast mode draws the spectrum of S for
    isotropic data; ``spectrum="bidiagonal"``/``"dense"`` is its deprecated old spelling.

    With ``client`` (a ``dask.distributed.Client``) the runs are split into chunks of ``chunk``
    runs (default: about two chunks per worker), each computed by the Rust core on a worker;
    the per-run curves are reduced in run order with the local reduction, so the result is
    bit-identical to the local one.

    Raises :class:`DivergenceError` (with ``suggested_dt``) when a run diverges and
    :class:`ParameterError` for bad arguments.
    """
    points = _alias("points", points, "record", record)
    points = 100 if points is None else points
    if isinstance(spectrum, str) and spectrum.strip().lower() in ("bidiagonal", "dense"):
        warnings.warn(
            "simulate(spectrum='bidiagonal'|'dense') is deprecated: the fast-mode sampler is now "
            "sampler=; spectrum= takes the data covariance's law (e.g. 'atoms(1/2: 1/2, 3/2: 1/2)')",
            DeprecationWarning,
            stacklevel=2,
        )
        sampler, spectrum = spectrum.strip().lower(), "identity"
    params = _sim_params(
        p, H, sigma2, N, t_max, dt, points, seeds, seed, mode, integrator, sampler, tol, spectrum
    )
    if client is None:
        return _sim_result(_native.simulate_json(params, bool(check_dt)))
    if check_dt:
        raise ParameterError("check_dt is not available with client=; run it locally")
    from ._dask import simulate_distributed

    return _sim_result(simulate_distributed(client, params, int(seeds), chunk))


# ---------------------------------------------------------------------------------------------
# checks


def _check_options(
    n, seeds, seed, tau_max, points, mode, formula, t_max=None, physical=None, budget=None, max_seeds=None,
    max_flops=None, spectrum=None, limit_spectrum=None,
) -> str:
    tau_max = _alias("tau_max", tau_max, "t_max", t_max)
    if physical is not None:
        mode = "physical" if physical else mode
    return json.dumps(
        {
            "n": [float(x) for x in (n or ())],
            "budget": None if budget is None else float(budget),
            "seeds": None if seeds is None else int(seeds),
            "max_seeds": None if max_seeds is None else int(max_seeds),
            "max_flops": None if max_flops is None else float(max_flops),
            "seed": int(seed),
            "t_max": None if tau_max is None else float(tau_max),
            "points": int(points),
            "mode": str(mode),
            "formula": formula,
            "spectrum": None if spectrum is None else str(spectrum),
            "limit_spectrum": None if limit_spectrum is None else str(limit_spectrum),
        }
    )


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
    spectrum: Optional[str] = None,
    limit_spectrum: Optional[str] = None,
) -> dict:
    """Theory against simulation (``prism check SPEC --json``): the face's limit against
    ensembles at the sizes ``n`` (default: chosen automatically within ``budget`` seconds, as
    ``--budget``), the L2 and sup errors, fitted rates and a ``verdict``
    (``agrees``, ``disagrees``, ``inconclusive``). ``tau_max``: the largest face time (default
    1, shortened to the validity window); ``mode``: ``fast`` or ``physical``; ``formula``: test
    another face's law. While the verdict is inconclusive the runs per size grow within
    ``budget`` up to ``max_seeds`` (``--max-seeds``; ``max_seeds=seeds`` keeps a fixed,
    reproducible ensemble). ``max_flops`` (``--max-flops``) refuses explicit sizes ``n`` whose
    estimated cost is above it. ``t_max`` and ``physical=True`` are the old spellings.

    ``spectrum`` is the data covariance's spectral law (as a spec's ``spectrum = LAW``, give
    one or the other): the simulations use its quantiles at each size and the reference is the
    face's law with the spectrum. ``limit_spectrum`` (``--limit-spectrum``) computes the
    reference with another law: ``limit_spectrum="identity"`` is the negative control, the
    isotropic law against anisotropic data (expected verdict ``disagrees``).

    With ``client`` the check runs on a Dask worker. Raises :class:`ResourceError` (with the
    ``estimate``) when a size would take too long.
    """
    opts = _check_options(
        n, seeds, seed, tau_max, points, mode, formula, t_max, physical, budget, max_seeds, max_flops,
        spectrum, limit_spectrum,
    )
    if client is None:
        return json.loads(_native.check_json(str(spec), opts))
    from ._dask import check_distributed

    return json.loads(check_distributed(client, [str(spec)], opts)[0])


def check_many(specs: Iterable[str], *, client: Any = None, **options: Any) -> list:
    """:func:`check` for several specs (same keyword options), in order. With ``client`` each
    spec is checked on a Dask worker (in parallel); the results are those of the local run."""
    specs = [str(s) for s in specs]
    opts = _check_options(
        options.pop("n", None),
        options.pop("seeds", None),
        options.pop("seed", 0),
        options.pop("tau_max", None),
        options.pop("points", 20),
        options.pop("mode", "fast"),
        options.pop("formula", None),
        options.pop("t_max", None),
        options.pop("physical", None),
        options.pop("budget", None),
        options.pop("max_seeds", None),
        options.pop("max_flops", None),
        options.pop("spectrum", None),
        options.pop("limit_spectrum", None),
    )
    if options:
        raise ParameterError(f"unknown options: {sorted(options)}")
    if client is None:
        return [json.loads(_native.check_json(s, opts)) for s in specs]
    from ._dask import check_distributed

    return [json.loads(t) for t in check_distributed(client, specs, opts)]


# ---------------------------------------------------------------------------------------------
# plots


class Svg(str):
    """An SVG document (a ``str``) that Jupyter renders inline (``_repr_svg_``)."""

    def _repr_svg_(self) -> str:
        return str(self)

    def save(self, path: str) -> None:
        """Write the SVG to ``path``."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self)


def prism_svg(
    face: Optional[str] = None, spec: Optional[str] = None, spectrum: Optional[str] = None
) -> Svg:
    """The triangular prism with the five regimes labelled and a face lit (by name or label,
    e.g. ``"mean-field"``/``"F4"``, or the face of ``spec``), as ``prism prism --plot``.

    A spec's covariance law (its ``spectrum = LAW`` statement, or ``spectrum=``) is stated in
    the figure and its face is classified with it; a heavy-tailed law is refused (ValueError:
    its prism is a conjecture, THEORY 9.6)."""
    return Svg(_native.prism_svg(face, spec, None if spectrum is None else str(spectrum)))


def _chart(title: str, x_label: str, y_label: str, lines: list) -> Svg:
    def clean(v):
        return [float(x) for x in v]

    payload = {
        "title": title,
        "x_label": x_label,
        "y_label": y_label,
        "lines": [
            {
                "label": l["label"],
                "x": clean(l["x"]),
                "y": clean(l["y"]),
                "band": None if l.get("band") is None else clean(l["band"]),
                "dashed": bool(l.get("dashed", False)),
                "color": int(l["color"]),
            }
            for l in lines
        ],
    }
    return Svg(_native.chart_svg(json.dumps(payload)))


def plot_limit(result: dict) -> Svg:
    """Both limiting curves of a :func:`limit` result against the face time (``--plot``)."""
    lines = []
    for color, loss in ((1, "train"), (2, "pop")):
        c = result[loss]
        if "value" not in c:
            raise ParameterError("this face has no limit curve (the interior): plot a check instead")
        band = None if "stderr" not in c else 2 * np.asarray(c["stderr"])
        lines.append({"label": f"{loss}: {c['quantity']}", "x": c["t"], "y": c["value"], "band": band, "color": color})
    return _chart(f"{result['face']} limit ({result['label']})", result["time_variable"], "normalized loss", lines)


def plot_simulation(result: dict, title: Optional[str] = None) -> Svg:
    """Mean train and population losses of a :func:`simulate` result, with 2-SEM bands."""
    m = result["meta"]
    lines = [
        {"label": "train l_tr", "x": result["t"], "y": result["train_mean"], "band": 2 * np.asarray(result["train_sem"]), "color": 1},
        {"label": "population l_pop", "x": result["t"], "y": result["pop_mean"], "band": 2 * np.asarray(result["pop_sem"]), "color": 2},
    ]
    t = title or f"p={m['p']}, H={m['H']}, N={m['N']}, sigma2={m['sigma2']}"
    return _chart(t, "t", "loss per input dimension", lines)


def plot_check(result: dict, loss: str = "train") -> Svg:
    """Limit against simulation from a :func:`check` result: the limit (dashed) and each
    size's normalized ensemble mean with a 2-SEM band, on the face time."""
    q = next(l["quantity"] for l in result["losses"] if l["loss"] == loss)
    lines = [{"label": f"limit ({result['face']})", "x": result["times"], "y": result[f"limit_{loss}"], "dashed": True, "color": 0}]
    for i, s in enumerate(result["sizes"]):
        lines.append(
            {
                "label": f"n = {s['n']:g} (p = {s['p']})",
                "x": result["times"],
                "y": s[f"{loss}_mean"],
                "band": 2 * np.asarray(s[f"{loss}_sem"], dtype=float),
                "color": i + 1,
            }
        )
    return _chart(f"{result['spec']}: {loss}", result["time_variable"], q, lines)


# ---------------------------------------------------------------------------------------------
# phase diagrams


class PhaseMap(dict):
    """The result of :func:`map`: the dict of ``prism map --json``, drawn inline by Jupyter
    (``_repr_svg_``, the drawing of ``prism map --plot``; also :attr:`svg`)."""

    svg: Svg

    def _repr_svg_(self) -> str:
        return str(self.svg)


def map(fix: Optional[str] = None, x: Optional[str] = None, y: Optional[str] = None, fan: bool = False) -> PhaseMap:
    """An exact phase diagram of the regimes (``prism map --fix SPEC --x PARAM=FROM:TO --y
    PARAM=FROM:TO --json``): the plane of two exponents with its regions (face, polygon, exact
    area and exponents); ``fan=True``: the whole normal fan (``prism map --fan``)."""
    j, svg = _native.map_json(fix, x, y, bool(fan))
    m = PhaseMap(json.loads(j))
    m.svg = Svg(svg)
    return m
