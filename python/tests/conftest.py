"""Shared fixtures: the CLI binary (to compare against) and a Dask LocalCluster."""

import json
import re
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def _binary() -> pathlib.Path:
    env = os.environ.get("PRISM_BIN")
    p = pathlib.Path(env) if env else REPO / "target" / "release" / "prism"
    if not p.exists():
        pytest.fail(f"the prism binary {p} is missing: run `cargo build --release` first (or set PRISM_BIN)")
    return p


@pytest.fixture(scope="session")
def cli():
    """Run the prism CLI; returns (exit code, stdout, stderr)."""
    exe = _binary()

    def run(*args: str, check_code: bool = True):
        r = subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=REPO)
        if check_code:
            assert r.returncode == 0, r.stderr
        return r

    return run


@pytest.fixture(scope="session")
def cli_json(cli):
    """The parsed --json output of a CLI command."""

    def run(*args: str):
        # `check` exits 1 when its verdict is not `agrees`: its JSON is still the result.
        r = cli(*args, "--json", check_code=False)
        assert r.returncode == 0 or (args[0] == "check" and r.returncode == 1), r.stderr
        return json.loads(r.stdout)

    return run


@pytest.fixture(scope="session")
def client():
    """A Dask client on a LocalCluster of two worker processes."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def strip_timing(report: dict) -> dict:
    """A check report without its wall-clock measurements (the only fields that differ between
    two runs of the same fixed-ensemble check)."""
    for s in report["sizes"]:
        s.pop("seconds", None)
    for k in ("wall_seconds", "measured_flops_per_sec", "budget_that_would_suffice"):
        report.get("ladder", {}).pop(k, None)
    report["notes"] = [re.sub(r"roughly [0-9.e+-]+ s", "roughly (time) s", n) for n in report.get("notes", [])]
    return report
