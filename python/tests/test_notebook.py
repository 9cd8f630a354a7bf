"""The tour notebook runs top to bottom (so it cannot rot) and its committed outputs exist."""

import pathlib

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NB = pathlib.Path(__file__).resolve().parents[2] / "examples" / "notebooks" / "tour.ipynb"


def test_tour_notebook_executes():
    nb = nbformat.read(NB, as_version=4)
    committed = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("outputs") for c in committed), "commit the notebook with its outputs"
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    outs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outs if o.output_type == "error"]
    svgs = [o for o in outs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) >= 4  # the prism, the limit, limit vs simulation, the ensemble
