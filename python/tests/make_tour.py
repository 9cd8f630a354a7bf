"""Write examples/notebooks/tour.ipynb (cells only); execute it with `python make_tour.py --run`
to store its outputs (the committed notebook is executed)."""

import pathlib
import sys

import nbformat as nbf

OUT = pathlib.Path(__file__).resolve().parents[2] / "examples" / "notebooks" / "tour.ipynb"

md = nbf.v4.new_markdown_cell
code = nbf.v4.new_code_cell

cells = [
    md("# A tour of prism from Python\n\n"
       "`prism` classifies how the sizes of a weight-tied linear autoencoder f(x) = W^T W x grow with n "
       "(a *scaling spec*), derives the limiting loss evolution on the face of the prism it lands on, "
       "and checks it against gradient-descent simulations. Everything below calls the same Rust "
       "library as the `prism` command line."),
    code("import prism\nimport sympy\n\n"
         "spec = \"p = 0.125 n; H = 0.015625 n^2; sigma2 = 32 n^-2; N = 0.125 n\"\n"
         "c = prism.classify(spec)\n"
         "{k: c[k] for k in ('face', 'face_dim', 'u', 'time_exponent', 'train_loss_exponent', 'pop_loss_exponent')}"),
    md("## The prism, with the spec's face lit"),
    code("prism.prism_svg(spec=spec)"),
    md("## The limiting law on that face"),
    code("lim = prism.limit(spec, t_max=1.0, points=10, series=3)\n"
         "print(lim['formula']['words'])\n"
         "print('time:', lim['time_variable'])\n"
         "print('train series c_s:', lim['series']['train'])\n"
         "prism.plot_limit(lim)"),
    md("## Limit against simulation\n\n`check` simulates the finite model at growing n, "
       "normalizes the losses the way the face's limit predicts and compares."),
    code("chk = prism.check(spec, n=[64, 128, 256], seeds=16, max_seeds=16, points=10)\n"
         "print('verdict:', chk['verdict'])\n"
         "for l in chk['losses']:\n"
         "    print(l['loss'], [f\"{e['l2']:.2e}\" for e in l['errors']])\n"
         "prism.plot_check(chk)"),
    md("## A raw ensemble (numpy arrays)"),
    code("sim = prism.simulate(64, 32, 1 / 64, 128, t_max=5.0, record=20, seeds=8)\n"
         "print(sim['train_mean'][:5], sim['meta']['engine'])\n"
         "prism.plot_simulation(sim)"),
    md("## The exact expansion, to SymPy"),
    code("e = prism.expand(2, loss='train', sympy=True)\n"
         "[(c['order'], sympy.factor(c['sympy'])) for c in e]"),
]

nb = nbf.v4.new_notebook()
nb.cells = cells
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}

if __name__ == "__main__":
    if "--run" in sys.argv:
        from nbclient import NotebookClient

        NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    nbf.write(nb, OUT)
    print("wrote", OUT)
