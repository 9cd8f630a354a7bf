"""Dask: simulate and check_many on a LocalCluster are bit-identical to the local runs."""

import numpy as np
import pytest

import prism
from conftest import strip_timing

pytest.importorskip("distributed")

ARRAYS = ("t", "train_mean", "train_sem", "pop_mean", "pop_sem")


@pytest.mark.parametrize("chunk", [None, 1, 3, 7])
def test_simulate_on_dask_is_bit_identical(client, chunk):
    kw = dict(p=24, H=10, sigma2=0.04, N=40, t_max=1.5, record=5, seeds=7, seed=11)
    local = prism.simulate(**kw)
    dist = prism.simulate(**kw, client=client, chunk=chunk)
    for k in ARRAYS:
        assert np.array_equal(local[k], dist[k]), k
        assert local[k].tobytes() == dist[k].tobytes(), k
    assert local["meta"] == dist["meta"]


def test_check_many_on_dask_matches_local(client):
    specs = [
        "p = 0.125 n; H = 0.015625 n^2; sigma2 = 32 n^-2; N = 0.125 n",
        "p = n; H = 0.5 n; sigma2 = n^-1; N = n^2",
    ]
    # Closed-form faces: a numerical reference (free face, interior) sizes its ensembles from
    # the budget and the calibrated speed of the machine it runs on, which a worker measures
    # for itself.
    opts = dict(n=[32, 64], seeds=2, max_seeds=2, points=4, budget=20)
    local = prism.check_many(specs, **opts)
    dist = prism.check_many(specs, client=client, **opts)
    one = prism.check(specs[1], client=client, **opts)
    for r in local + dist + [one]:
        strip_timing(r)
    assert dist == local
    assert one == local[1]


def test_errors_cross_the_cluster(client):
    with pytest.raises(prism.DivergenceError) as ei:
        prism.simulate(40, 20, 0.5, 60, t_max=5.0, dt=1.0, seeds=4, record=5, client=client, chunk=2)
    assert ei.value.suggested_dt > 0
