"""Write the tutorial notebooks from the cell sources below (run: python tutorials/make_notebooks.py).

Keeping the sources here keeps diffs readable; the .ipynb files are what users open and what
`make test` executes with nbmake.
"""

from pathlib import Path

import nbformat as nbf

HERE = Path(__file__).parent


def notebook(cells):
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbf.v4.new_markdown_cell(src[3:]) if src.startswith("md:") else nbf.v4.new_code_cell(src)
                for src in cells]
    return nb


GA_CORE = [
    "md:# 00 · The geometric-algebra core of ganet\n\n"
    "ganet explains neurons as wedge products and Hodge duals. This notebook tours the two GA layers:\n"
    "`ganet.symbolic` (exact, sympy) and `ganet.numeric` (numpy/numba). The Hodge dual is "
    "$\\star M := M I^{-1}$ with $I = e_1\\cdots e_d$.",
    "import numpy as np\nimport sympy as sp\nfrom ganet.symbolic import Algebra\nfrom ganet import numeric as gn\n\n"
    "G2 = Algebra(2)\ne1, e2 = G2.basis\nx1, x2 = e1 + e2, 2 * e2\nx1.dual(), x2.dual(), e1.dual(), e2.dual()",
    "md:The paper's §3.4 prints $\\star e_1 = e_2$ and $\\star e_2 = -e_1$; under $\\star M = M I^{-1}$ "
    "they are $-e_2$ and $e_1$ (sign slips in the paper). A neuron $\\star x$ is orthogonal to $x$, so its "
    "breakline passes through the origin and $x$.",
    "x = G2.symbols('x')\narea2 = ((x - x2) ^ (x1 - x2))  # twice the signed area of the triangle (x, x1, x2)\narea2",
    "G3 = Algebra(3)\na, b = G3.symbols('a'), G3.symbols('b')\nG3.cross(a, b)  # ⋆(a ∧ b) = a × b",
    "md:The numeric layer computes the same objects in floating point, in clifford's blade order:",
    "V = np.array([[1.0, 2.0, 0.5], [0.0, 1.0, -1.0]])\n"
    "w = gn.cross(V)\nprint('wedge', gn.wedge(V), ' cross', w, ' cross ⟂ V:', V @ w)\n"
    "x = np.array([0.3, -1.0, 2.0])\nprint('x·×V =', x @ w, ' det[x; V] =', np.linalg.det(np.vstack([x, V])))\n"
    "print('signed distance to Span V:', gn.dist_to_span(x, V))",
    "import matplotlib.pyplot as plt\n"
    "pts = np.array([[1.0, 1.0], [0.0, 2.0]])\nfig, ax = plt.subplots(figsize=(4, 4))\n"
    "ax.scatter(*pts.T, color='k')\nfor p in pts:\n"
    "    w = gn.cross(p[None, :])  # ⋆p: the neuron whose breakline passes through 0 and p\n"
    "    t = np.linspace(-3, 3, 2)\n    ax.plot(t * p[0], t * p[1], '--', label=f'breakline of ⋆{p}')\n"
    "    ax.arrow(0, 0, *w, head_width=0.08, color='C3')\n"
    "ax.set_xlim(-3, 3); ax.set_ylim(-3, 3); ax.set_aspect('equal'); ax.legend(); plt.show()",
]

NOTEBOOKS = {"00_geometric_algebra_core.ipynb": GA_CORE}

if __name__ == "__main__":
    for name, cells in NOTEBOOKS.items():
        nbf.write(notebook(cells), HERE / name)
        print("wrote", HERE / name)
