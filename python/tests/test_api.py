"""Every function against the CLI's --json for the same arguments (exact for rationals,
bit-identical for simulations), errors as Python exceptions, plots."""

import json
import math
import pickle
from fractions import Fraction

import numpy as np
import pytest

import prism
from conftest import strip_timing

SPECS = [
    "p = n; H = 0.5 n; sigma2 = n^-1",
    "p = n; H = n^2; sigma2 = 0.5 n^-2; N = n",
    "p = n; H = 0.25 n; sigma2 = 2 n^-1; N = 0.5 n",
    "p = n; H = n^0.5; sigma2 = n^-1; N = n^2",
]


def plain(x):
    """numpy arrays and Fractions back to the JSON types (floats compared exactly)."""
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return [None if math.isnan(v) else float(v) for v in x.tolist()]
    if isinstance(x, Fraction):
        return str(x)
    return x


@pytest.mark.parametrize("spec", SPECS)
def test_classify_matches_cli(spec, cli_json):
    assert prism.classify(spec) == cli_json("classify", spec)


def test_faces_and_hierarchy_match_cli(cli_json):
    f = prism.faces()
    assert len(f) == 21
    assert f == cli_json("faces")
    h = prism.hierarchy(5)
    assert h == cli_json("hierarchy", "--order", "5")
    assert h["prism"]["confirmed"] is True


@pytest.mark.parametrize("leading", [False, True])
def test_expand_matches_cli_exactly(leading, cli_json):
    args = ["expand", "--order", "3"] + (["--leading"] if leading else [])
    e = prism.expand(3, leading=leading)
    assert plain(e) == cli_json(*args)
    assert all(isinstance(t["coeff"], Fraction) for c in e for t in c["terms"])
    assert prism.expand(2, loss="pop") == [c for c in prism.expand(2) if c["loss"] == "pop"]


def test_expand_to_sympy_is_exact():
    sympy = pytest.importorskip("sympy")
    e = prism.expand(2, loss="train", sympy=True)
    c2 = e[2]
    p, H, s2, N = sympy.symbols("p H sigma2 N", positive=True)
    point = {p: 7, H: 3, s2: sympy.Rational(1, 5), N: 11}
    want = sum(
        t["coeff"] * Fraction(7) ** t["p"] * Fraction(3) ** t["H"] * Fraction(1, 5) ** t["sigma2"] * Fraction(11) ** t["N"]
        for t in c2["terms"]
    )
    got = c2["sympy"].subs(point)
    assert got == sympy.Rational(want.numerator, want.denominator)
    assert c2.to_sympy() == c2["sympy"]


@pytest.mark.parametrize(
    "kwargs,args",
    [
        ({"spec": SPECS[0], "points": 5}, [SPECS[0], "--points", "5"]),
        ({"spec": SPECS[2], "tau_max": 2.0, "series": 3, "verify": True},
         [SPECS[2], "--tau-max", "2", "--series", "3", "--verify"]),
        ({"spec": SPECS[3], "t_max": 0.5, "points": 3}, [SPECS[3], "--t-max", "0.5", "--points", "3"]),
        ({"face": "F5", "set": {"q": 2, "r": 0.25}, "points": 4, "format": "latex"},
         ["--face", "F5", "--set", "q=2", "--set", "r=0.25", "--points", "4", "--format", "latex"]),
        ({"face": "proportional", "set": {"q": 1, "r": 1, "y": 0.5}}, ["--face", "proportional", "--set", "q=1", "--set", "r=1", "--set", "y=0.5"]),
    ],
)
def test_limit_matches_cli(kwargs, args, cli_json):
    r = prism.limit(**kwargs)
    want = cli_json("limit", *args)
    assert plain(r) == want
    if "value" in r["train"]:
        assert isinstance(r["train"]["value"], np.ndarray)


SIM = dict(p=30, H=12, sigma2=0.03, t_max=2.0, points=6, seeds=5, seed=3)
SIM_ARGS = ["--p", "30", "--H", "12", "--sigma2", "0.03", "--t-max", "2", "--points", "6", "--seeds", "5", "--seed", "3"]


@pytest.mark.parametrize(
    "extra,extra_args",
    [
        ({}, []),
        ({"N": 45}, ["--N", "45"]),
        ({"N": 45, "mode": "physical", "integrator": "rk4"}, ["--N", "45", "--mode", "physical", "--integrator", "rk4"]),
        ({"N": "inf", "dt": 0.005, "check_dt": True}, ["--N", "inf", "--dt", "0.005", "--check-dt"]),
        ({"N": 60, "integrator": "adaptive", "tol": 1e-7}, ["--N", "60", "--integrator", "adaptive", "--tol", "1e-7"]),
    ],
)
def test_simulate_is_bit_identical_to_cli(extra, extra_args, cli_json):
    r = prism.simulate(**SIM, **extra)
    want = cli_json("simulate", *SIM_ARGS, *extra_args)
    for k in ("t", "train_mean", "train_sem", "pop_mean", "pop_sem"):
        assert isinstance(r[k], np.ndarray) and r[k].dtype == np.float64
        assert r[k].tolist() == want[k], k  # exact float equality
    assert plain(r) == want


def test_spec_errors_carry_positions(cli):
    bad = "p = n; H = n^2;\nsigma2 = n^-x"
    with pytest.raises(prism.SpecError) as ei:
        prism.classify(bad)
    e = ei.value
    assert isinstance(e, ValueError)
    assert (e.line, e.column) == (2, 13)
    assert e.hint and "^" in e.caret and e.source_line == "sigma2 = n^-x"
    r = cli("classify", bad, check_code=False)
    assert r.returncode == 2 and "line 2, column 13" in r.stderr
    with pytest.raises(prism.SpecError):
        prism.limit("p = n; p = n")
    with pytest.raises(prism.SpecError):
        prism.check("H = n")


def test_a_refused_request_carries_the_estimate():
    with pytest.raises(prism.ResourceError) as ei:
        prism.check("p = n; H = n; sigma2 = n^-1; N = 2 n", n=[4096, 8192], max_flops=1e12)
    e = ei.value
    assert e.estimate > e.limit > 0 and e.seconds > 0 and e.p >= 4096
    assert "floating-point operations" in str(e)


def test_a_divergence_carries_the_suggested_step():
    with pytest.raises(prism.DivergenceError) as ei:
        prism.simulate(40, 20, 0.5, 60, t_max=5.0, dt=1.0, seeds=2, record=5)
    e = ei.value
    assert 0 < e.suggested_dt < 1.0 and e.step >= 0 and e.seed in (0, 1)
    assert isinstance(e, ArithmeticError) and isinstance(e, prism.PrismError)
    # Exceptions survive pickling with their fields (Dask ships them between processes).
    e2 = pickle.loads(pickle.dumps(e))
    assert type(e2) is prism.DivergenceError and e2.suggested_dt == e.suggested_dt


def test_bad_arguments_are_parameter_errors():
    with pytest.raises(prism.ParameterError):
        prism.simulate(10, 5, 0.1, t_max=1.0, mode="slow")
    with pytest.raises(prism.ParameterError):
        prism.simulate(10, 5, 0.1, t_max=-1.0)
    with pytest.raises(prism.ParameterError):
        prism.limit(face="nonsense")
    with pytest.raises(ValueError):
        prism.hierarchy(2)
    with pytest.raises(prism.ParameterError):
        prism.simulate(10, 5, 0.1, t_max=1.0, points=4, record=4)


def test_check_matches_cli(cli_json):
    spec_file = "examples/check/mean-field.spec"
    import pathlib

    spec = (pathlib.Path(__file__).resolve().parents[2] / spec_file).read_text()
    # max_seeds = seeds: a fixed ensemble (no runs added against the clock), so both sides are
    # the same computation whatever the machine's speed.
    r = prism.check(spec, n=[64, 128], seeds=3, max_seeds=3, points=5, tau_max=0.8)
    want = cli_json(
        "check", "-f", spec_file, "--n", "64,128", "--seeds", "3", "--max-seeds", "3",
        "--points", "5", "--tau-max", "0.8",
    )
    assert strip_timing(r) == strip_timing(want)
    assert r["verdict"] in ("agrees", "disagrees", "inconclusive")


def test_plots_are_svg():
    s = prism.prism_svg(spec=SPECS[1])
    assert s.startswith("<svg") and s._repr_svg_() == str(s)
    assert prism.prism_svg(face="F4").startswith("<svg")
    # A spec's covariance law is classified with and stated in the figure; a heavy tail is
    # refused (its prism is a conjecture, THEORY 9.6).
    law = "atoms(1/2: 1/2, 3/2: 1/2)"
    assert law in prism.prism_svg(spec=SPECS[1], spectrum=law)
    assert law in prism.prism_svg(spec=SPECS[1] + "; spectrum = " + law)
    with pytest.raises(ValueError):
        prism.prism_svg(spec=SPECS[1], spectrum="powerlaw(1/3)")
    lim = prism.limit(SPECS[0], points=5)
    assert "polyline" in prism.plot_limit(lim)
    sim = prism.simulate(**SIM)
    assert "polyline" in prism.plot_simulation(sim)


def test_map_matches_cli(cli_json):
    m = prism.map(fix="p = n", x="H=0:2", y="sigma2=-2:0")
    assert dict(m) == cli_json("map", "--fix", "p = n", "--x", "H=0:2", "--y", "sigma2=-2:0")
    assert m._repr_svg_().startswith("<svg")
    with pytest.raises(prism.SpecError):
        prism.map(fix="p = n^", x="H=0:2", y="sigma2=-2:0")


def test_simulate_with_a_covariance_spectrum(tmp_path, monkeypatch):
    """spectrum= is the data covariance's law (as --spectrum LAW): the two-level law changes the
    population loss, the meta states m_1, m_2 and the scale identity, a law of mean 2 doubles
    l(0) on average, file(...) reads eigenvalues relative to the working directory, and the old
    spectrum='dense' still selects the sampler (with a DeprecationWarning)."""
    import pytest

    kw = dict(t_max=0.5, points=4, seeds=24, N=60)
    iso = prism.simulate(30, 10, 1 / 30, **kw)
    two = prism.simulate(30, 10, 1 / 30, spectrum="atoms(1/2: 1/2, 3/2: 1/2)", **kw)
    assert iso["meta"]["spectrum"] == "identity" and "covariance" not in iso["meta"]
    cov = two["meta"]["covariance"]
    assert two["meta"]["spectrum"] == "atoms(1/2: 1/2, 3/2: 1/2)"
    assert abs(cov["m1"] - 1.0) < 1e-12 and abs(cov["m2"] - 1.25) < 1e-12
    assert "c L(c t; Sigma)" in cov["scale_identity"]
    assert "Sigma" in two["meta"]["engine"]
    gap = abs(two["pop_mean"][-1] - iso["pop_mean"][-1])
    assert gap > 3 * (two["pop_sem"][-1] + iso["pop_sem"][-1])
    # A law of mean 2: E l(0) = m_1 c_0.
    big = prism.simulate(30, 10, 1 / 30, spectrum="atoms(1: 1/2, 3: 1/2)", **kw)
    assert abs(big["train_mean"][0] / iso["train_mean"][0] - 2.0) < 0.1
    # file(...) relative to the working directory.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "eigs.txt").write_text("# two levels\n0.5\n1.5\n")
    f = prism.simulate(30, 10, 1 / 30, spectrum='file("eigs.txt")', **kw)
    np.testing.assert_array_equal(f["pop_mean"], two["pop_mean"])
    (tmp_path / "bad.txt").write_text("1\n-2\n")
    with pytest.raises(prism.ParameterError, match="line 2"):
        prism.simulate(30, 10, 1 / 30, spectrum='file("bad.txt")', **kw)
    with pytest.raises(prism.ParameterError, match="sum"):
        prism.simulate(30, 10, 1 / 30, spectrum="atoms(1: 1/2)", **kw)
    with pytest.warns(DeprecationWarning):
        old = prism.simulate(30, 10, 1 / 30, spectrum="dense", **kw)
    assert old["meta"]["sampler"] == "dense" and old["meta"]["spectrum"] == "identity"


TWO_LEVEL = "atoms(1/4: 1/2, 7/4: 1/2)"
MF = "p = n; H = n^2; sigma2 = 0.5 n^-2; N = n"


def test_classify_and_limit_with_a_spectrum(cli_json, tmp_path, monkeypatch):
    """spectrum= is the spec's `spectrum = LAW` (same JSON as the CLI with the statement); a
    statement and the keyword together are refused; file(...) is relative to the working
    directory; a heavy tail on narrow-latent has no limit."""
    c = prism.classify(MF, spectrum=TWO_LEVEL)
    assert c == cli_json("classify", f"{MF}; spectrum = {TWO_LEVEL}")
    assert c["spectrum"]["classification_holds"] is True
    assert "spectrum" not in prism.classify(MF)
    with pytest.raises(prism.ParameterError, match="not both"):
        prism.classify(f"{MF}; spectrum = {TWO_LEVEL}", spectrum="uniform(1/2, 3/2)")
    lim = prism.limit(MF, spectrum=TWO_LEVEL, points=4, series=2)
    want = cli_json("limit", f"{MF}; spectrum = {TWO_LEVEL}", "--points", "4", "--series", "2")
    assert plain(lim) == want
    iso = prism.limit(MF, points=4, series=2)
    assert abs(lim["pop"]["value"][-1] - iso["pop"]["value"][-1]) > 1e-3
    monkeypatch.chdir(tmp_path)
    (tmp_path / "eigs.txt").write_text("0.25\n1.75\n")
    lf = prism.limit(MF, spectrum='file("eigs.txt")', points=4, series=2)
    np.testing.assert_allclose(lf["pop"]["value"], lim["pop"]["value"], rtol=1e-12)
    with pytest.raises(prism.PrismError, match="no limit"):
        prism.limit("p = n; H = 8; sigma2 = 0.5 n^-1; N = 2 n", spectrum="powerlaw(1/2)")


def test_check_with_a_spectrum_and_the_negative_control(cli_json):
    """check(spectrum=) simulates anisotropic data against the face's law with the spectrum (as
    the CLI with the statement); limit_spectrum='identity' is the negative control."""
    kw = dict(n=[16, 32, 64], seeds=16, max_seeds=16)
    r = prism.check(MF, spectrum=TWO_LEVEL, **kw)
    want = cli_json(
        "check", f"{MF}; spectrum = {TWO_LEVEL}", "--n", "16,32,64", "--seeds", "16",
        "--max-seeds", "16",
    )
    assert strip_timing(r) == strip_timing(want)
    assert r["verdict"] == "agrees" and r["spectrum"] == TWO_LEVEL
    neg = prism.check(MF, spectrum=TWO_LEVEL, limit_spectrum="identity", **kw)
    assert neg["verdict"] == "disagrees" and neg["limit_spectrum"] == "identity"
    both = prism.check_many([MF], spectrum=TWO_LEVEL, limit_spectrum="identity", **kw)
    assert [b["verdict"] for b in both] == ["disagrees"]
