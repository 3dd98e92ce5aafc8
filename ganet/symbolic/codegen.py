r"""Compile closed-form features into numba kernels: sympy → CSE → Python source → ``numba.njit``.

Two operations, each for a given dimension d:

* ``"cross"``: ``cross_d{d}(V, out)`` writes ×(v₁,…,v_{d−1}) = ⋆(v₁ ∧ ⋯ ∧ v_{d−1}) of the rows
  of V (shape (d − 1, d)) into ``out`` as cofactor polynomials
  (:func:`ganet.symbolic.features.cross_cofactors`).
* a feature family of :data:`ganet.symbolic.features.FAMILIES` (e.g. ``"relu_l1_bias"``):
  ``relu_l1_bias_d{d}(X, a, V, s, out)`` writes φ(xᵢ) = max(0, s (xᵢ − a)·w)/‖w‖_p for every
  row xᵢ of X. Common subexpressions that do not depend on x (the cross product and its norm)
  are hoisted out of the loop over rows, so a column costs O(d) per row after O(2^d) once.

The source is printed by sympy's Python printer, written to a file in the kernel cache
directory (``$GANET_CACHE_DIR``, default ``~/.cache/ganet``) and imported, so numba's
``cache=True`` keeps the machine code between sessions. Kernels are cached per (operation, d).

>>> from ganet.symbolic.codegen import kernel
>>> k = kernel("cross", 3)
>>> print(k.source)                                             # doctest: +ELLIPSIS
@numba.njit(cache=True, error_model="numpy")
def cross_d3(V, out):
    ...
>>> k([[1.0, 0, 0], [0, 1.0, 0]])
array([0., 0., 1.])

The numeric layer does not import sympy; it ships the ``"cross"`` kernels for d = 1…6 as
``ganet/numeric/geometry/_generated.py``, which is :func:`numeric_module_source` written out (a test
checks that they are identical).
"""

import hashlib
import importlib.util
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from .features import FAMILIES, coordinate_symbols, cross_cofactors

__all__ = ["Kernel", "kernel", "numeric_module_source", "MAX_SHIPPED_D", "SCORE_BLOCK"]

MAX_SHIPPED_D = 6
SCORE_BLOCK = 4  # hyperplanes per sweep of the fused pricing kernel (8 spills registers)
_HEADER = "import math\n\nimport numba\n"
_DECORATOR = '@numba.njit(cache=True, error_model="numpy")'
# reassociation lets LLVM vectorize the sums over points (results differ by ~1e-16 relative)
# φ is inlined into the pricing loop, where the branch on the family code is loop-invariant
_PHI_DECORATOR = '@numba.njit(cache=True, error_model="numpy", inline="always")'
_SCORE_DECORATOR = '@numba.njit(cache=True, fastmath={"reassoc", "contract", "nsz"})'
# the fused φ sums: inlined into the lifted pass, and reassociated so that they vectorize
_PHI_DOT_DECORATOR = '@numba.njit(cache=True, error_model="numpy", inline="always", fastmath={"reassoc", "contract", "nsz"})'


@dataclass(frozen=True)
class Kernel:
    """A compiled closed form.

    Attributes
    ----------
    op : str
        ``"cross"`` or a feature family name.
    d : int
    name : str
        The generated function's name, e.g. ``cross_d3``.
    source : str
        The generated Python source of the function (read it: it is the closed form).
    func : numba dispatcher
        The compiled function; it writes into its last argument ``out``.
    """

    op: str
    d: int
    name: str
    source: str
    func: object

    def __call__(self, *args):
        """``kernel(V)`` → ×(V); ``kernel(X, a, V, s)`` → feature values at the rows of X."""
        args = [np.ascontiguousarray(a, dtype=np.float64) for a in args[:3]] + list(args[3:])
        if self.op == "cross":
            (V,) = args
            if V.shape != (self.d - 1, self.d):
                raise ValueError(f"V must have shape ({self.d - 1}, {self.d}); got {V.shape}")
            out = np.empty(self.d)
            self.func(V.reshape(self.d - 1, self.d), out)
            return out
        X, a, V, s = args
        if X.ndim != 2 or X.shape[1] != self.d or a.shape != (self.d,) or V.shape != (self.d - 1, self.d):
            raise ValueError(f"expected X (n, {self.d}), a ({self.d},), V ({self.d - 1}, {self.d}); "
                             f"got {X.shape}, {a.shape}, {V.shape}")
        out = np.empty(X.shape[0])
        self.func(X, a, V.reshape(self.d - 1, self.d), float(s), out)
        return out

    def _repr_markdown_(self):
        return f"```python\n{self.source}```"


def _printer():
    return PythonCodePrinter({"fully_qualified_modules": True, "standard": "python3"})


def _plain(d):
    """Symbol → plain identifier for the printed source, and the lines that load them."""
    x, a, V, s = coordinate_symbols(d)
    names, loads = {}, {"x": [], "a": [], "V": []}
    for q in range(d):
        names[x[q]] = sp.Symbol(f"x{q + 1}")
        loads["x"].append(f"x{q + 1} = X[i, {q}]")
        names[a[q]] = sp.Symbol(f"a{q + 1}")
        loads["a"].append(f"a{q + 1} = a[{q}]")
    for r in range(d - 1):
        for q in range(d):
            names[V[r, q]] = sp.Symbol(f"v{r + 1}_{q + 1}")
            loads["V"].append(f"v{r + 1}_{q + 1} = V[{r}, {q}]")
    names[s] = sp.Symbol("s")
    return names, loads


def _used(lines, exprs):
    """The load lines whose variable the expressions use."""
    free = set().union(*(sp.sympify(e).free_symbols for e in exprs)) if exprs else set()
    return [ln for ln in lines if sp.Symbol(ln.split(" = ")[0]) in free]


def _cross_source(d):
    """Source of ``cross_d{d}(V, out)``."""
    _, _, V, _ = coordinate_symbols(d)
    names, loads = _plain(d)
    w = [sp.sympify(c).xreplace(names) for c in cross_cofactors(V)]
    subs, reduced = sp.cse(w, symbols=sp.numbered_symbols("m"), optimizations=None)
    pr = _printer()
    body = _used(loads["V"], [e for _, e in subs] + reduced)
    body += [f"{t} = {pr.doprint(e)}" for t, e in subs]
    body += [f"out[{q}] = {pr.doprint(e)}" for q, e in enumerate(reduced)]
    return "\n".join([_DECORATOR, f"def cross_d{d}(V, out):"] + ["    " + b for b in body]) + "\n"


def _feature_source(fam, d):
    """Source of ``{family}_d{d}(X, a, V, s, out)``, loop invariants hoisted."""
    x, _, _, _ = coordinate_symbols(d)
    names, loads = _plain(d)
    expr = fam.feature(d).xreplace(names)
    subs, (reduced,) = sp.cse([expr], symbols=sp.numbered_symbols("m"), optimizations=None)
    varying = {names[xq] for xq in x}
    hoisted, inner = [], []
    fresh = sp.numbered_symbols("h")

    def hoist(e):
        """Replace the maximal x-free subtrees of e (e.g. 1/‖w‖_p) by hoisted temporaries."""
        if e.is_Atom:
            return e
        if not e.free_symbols & varying:
            t = next(fresh)
            hoisted.append((t, e))
            return t
        return e.func(*[hoist(arg) for arg in e.args])

    for t, e in subs:  # cse orders definitions before use, so one pass partitions them
        if e.free_symbols & varying:
            varying.add(t)
            inner.append((t, hoist(e)))
        else:
            hoisted.append((t, e))
    reduced = hoist(reduced)
    pr = _printer()
    outer_exprs = [e for _, e in hoisted]
    inner_exprs = [e for _, e in inner] + [reduced]
    body = _used(loads["V"] + loads["a"], outer_exprs + inner_exprs)
    body += [f"{t} = {pr.doprint(e)}" for t, e in hoisted]
    body.append("for i in range(X.shape[0]):")
    body += ["    " + ln for ln in _used(loads["x"], inner_exprs)]
    body += [f"    {t} = {pr.doprint(e)}" for t, e in inner]
    body.append(f"    out[i] = {pr.doprint(reduced)}")
    head = [_DECORATOR, f"def {fam.name}_d{d}(X, a, V, s, out):"]
    return "\n".join(head + ["    " + b for b in body]) + "\n"


def _source(op, d):
    if op == "cross":
        return f"cross_d{d}", _cross_source(int(d))
    if op in FAMILIES:
        return f"{op}_d{d}", _feature_source(FAMILIES[op], int(d))
    raise ValueError(f"unknown operation {op!r}; expected 'cross' or one of {sorted(FAMILIES)}")


def _cache_dir():
    root = os.environ.get("GANET_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "ganet")
    path = Path(root) / "kernels"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError:  # read-only home: fall back to the temp directory
        path = Path(tempfile.gettempdir()) / "ganet-kernels"
        path.mkdir(parents=True, exist_ok=True)
    return path


def _load(name, source):
    """Write the module to the cache directory (named by its hash) and import it."""
    text = _HEADER + "\n\n" + source
    digest = hashlib.sha1(text.encode()).hexdigest()[:16]
    module_name = f"ganet_kernel_{name}_{digest}"
    path = _cache_dir() / f"{module_name}.py"
    if not path.exists() or path.read_text() != text:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)  # atomic: parallel test workers may race on the same kernel
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return getattr(module, name)


def kernel(op, d):
    """The compiled kernel of an operation in dimension d (cached per (op, d)).

    Parameters
    ----------
    op : str
        ``"cross"`` or a family of :data:`ganet.symbolic.features.FAMILIES`.
    d : int

    Returns
    -------
    Kernel
    """
    # validated before the cache: lru_cache would treat True as 1 and 2.0 as 2
    if not isinstance(d, (int, np.integer)) or isinstance(d, bool) or not 1 <= d <= 12:
        raise ValueError(f"d must be an integer in 1..12; got {d!r}")
    return _kernel(op, int(d))


@lru_cache(maxsize=None)
def _kernel(op, d):
    name, source = _source(op, d)
    return Kernel(op, int(d), name, source, _load(name, source))


def _score_source(d, block=SCORE_BLOCK):
    """Source of ``score_d{d}(XT, r, W, off, out)``: the pricing sums of ``block`` unit neurons.

    For rows j of W (unit normals) and offsets off, with zᵢ = xᵢᵀwⱼ − offⱼ (the expression below
    is sympy's, printed), one sweep over the points accumulates
    out[j] = (Σ rᵢ zᵢ⁺, Σ rᵢ zᵢ⁻, Σ (zᵢ⁺)², Σ (zᵢ⁻)²) with z⁺ = max(z, 0), z⁻ = z⁺ − z: the
    correlations K_±ᵀr of the column pair and their squared norms. Every loaded point serves
    ``block`` hyperplanes from registers (d and the block unrolled), which is what lets LLVM keep
    the arithmetic units busy: 2.3× the throughput of one hyperplane per sweep at d = 3
    (measured, one thread; blocks of 8 spill registers and are slower than 4).
    """
    x = sp.symbols(f"x0:{d}")
    lines = [_SCORE_DECORATOR, f"def score_d{d}(XT, r, W, off, out):", "    n = XT.shape[1]"]
    pr = _printer()
    for j in range(block):
        lines += [f"    w{j}_{q} = W[{j}, {q}]" for q in range(d)]
        lines += [f"    o{j} = off[{j}]", f"    p{j} = 0.0", f"    m{j} = 0.0", f"    s{j} = 0.0",
                  f"    t{j} = 0.0"]
    lines.append("    for i in range(n):")
    lines += [f"        x{q} = XT[{q}, i]" for q in range(d)]
    lines.append("        ri = r[i]")
    for j in range(block):
        w = sp.symbols(f"w{j}_0:{d}")
        z = sp.Add(*[xq * wq for xq, wq in zip(x, w)]) - sp.Symbol(f"o{j}")
        lines += [f"        z = {pr.doprint(z)}", "        zp = max(z, 0.0)", "        zn = zp - z",
                  f"        p{j} += ri * zp", f"        m{j} += ri * zn", f"        s{j} += zp * zp",
                  f"        t{j} += zn * zn"]
    for j in range(block):
        lines += [f"    out[{j}, 0] = p{j}", f"    out[{j}, 1] = m{j}", f"    out[{j}, 2] = s{j}",
                  f"    out[{j}, 3] = t{j}"]
    return "\n".join(lines) + "\n"


def _phi_source(fam):
    """Source of ``phi_{name}(t, params, kind)``: a deep family's φ(t; π), printed from its sympy
    closed form (:mod:`ganet.symbolic.deep`), one branch per kind of feature."""
    p = sp.symbols(f"p0:{fam.q}", real=True)
    names = {pl: sp.Symbol(f"params[{i}]") for i, pl in enumerate(p)}
    pr = _printer()
    lines = [_PHI_DECORATOR, f"def phi_{fam.name}(t, params, kind):",
             f'    """φ(t; π) of the {fam.name} family ({fam.theorem}), printed from sympy."""']
    for kind in range(fam.kinds):
        expr = pr.doprint(fam.phi(kind).xreplace(names))
        if fam.kinds == 1:
            lines.append(f"    return {expr}")
        elif kind < fam.kinds - 1:
            lines += [f"    if kind == {kind}:", f"        return {expr}"]
        else:
            lines.append(f"    return {expr}")
    return "\n".join(lines) + "\n"


def _phi_loops(fam, body):
    """Lines of one loop over the points per kind of feature (branching on ``kind`` when there
    are several), with ti = flip·t[i] and v = φ(ti; π) printed from sympy; ``body`` are the
    statements that use v."""
    t = sp.Symbol("t", real=True)
    pr = _printer()
    lines = [f"    p{i} = params[{i}]" for i in range(fam.q)]
    for kind in range(fam.kinds):
        expr = pr.doprint(fam.phi(kind).xreplace({t: sp.Symbol("ti")}))
        pad = "    " if fam.kinds == 1 else "        "
        if fam.kinds > 1:
            lines.append(f"    {'if' if kind == 0 else 'else'}{f' kind == {kind}' if kind == 0 else ''}:")
        lines += [f"{pad}for i in range(t.shape[0]):", f"{pad}    ti = flip * t[i]", f"{pad}    v = {expr}"]
        lines += [f"{pad}    {b}" for b in body]
    return lines


def _phi_vec_source(fam):
    """Source of ``phi_vec_{name}(t, flip, params, kind, out)``: out[i] = φ(flip·t[i]; π), one
    loop per kind with the parameters hoisted, so that each loop vectorizes (the pricing pass
    calls it once per signed neuron)."""
    return "\n".join([_DECORATOR, f"def phi_vec_{fam.name}(t, flip, params, kind, out):",
                      f'    """out[i] = φ(flip·t[i]; π) of the {fam.name} family, printed from sympy."""']
                     + _phi_loops(fam, ["out[i] = v"])) + "\n"


def _phi_dot_source(fam):
    """Source of ``phi_dot_{name}(t, flip, params, kind, r)``: (Σᵢ vᵢ², Σᵢ vᵢrᵢ) of the feature
    vᵢ = φ(flip·t[i]; π) in one sweep, never stored (a single-output pricing pass calls it once per
    signed neuron: storing v and summing in a second sweep cost a fifth of the 2-D abs3 pass)."""
    return "\n".join([_PHI_DOT_DECORATOR, f"def phi_dot_{fam.name}(t, flip, params, kind, r):",
                      f'    """(Σ v², Σ v·r) of v[i] = φ(flip·t[i]; π) of the {fam.name} family, printed from sympy."""',
                      "    vv = 0.0", "    vr = 0.0"]
                     + _phi_loops(fam, ["vv += v * v", "vr += v * r[i]"]) + ["    return vv, vr"]) + "\n"


def _phi_dispatcher(families):
    """Source of ``phi(code, t, params, kind)``: φ of the family with index ``code`` in
    ``PHI_FAMILIES``; any other code is the |·| chain of depth len(params) + 1. An integer code,
    not a function argument, keeps the pricing kernels cacheable (numba cannot cache a kernel
    that takes a function)."""
    lines = ["PHI_FAMILIES = (" + "".join(f'"{f.name}", ' for f in families) + ")", "", "",
             _PHI_DECORATOR, "def phi(code, t, params, kind):",
             '    """φ(t; π) of the family PHI_FAMILIES[code]; other codes: the |·| chain of any depth."""']
    for k, f in enumerate(families):
        lines += [f"    {'if' if k == 0 else 'elif'} code == {k}:", f"        return phi_{f.name}(t, params, kind)"]
    lines += ["    h = abs(t - params[0])", "    for l in range(1, params.shape[0]):",
              "        h = abs(h - params[l])", "    return h", "", "",
              "@numba.njit(cache=True)", "def phi_vec(code, t, flip, params, kind, out):",
              '    """out[i] = φ(flip·t[i]; π) of the family PHI_FAMILIES[code] (other codes: the |·| chain)."""']
    for k, f in enumerate(families):
        lines += [f"    {'if' if k == 0 else 'elif'} code == {k}:",
                  f"        phi_vec_{f.name}(t, flip, params, kind, out)"]
    lines += ["    else:", "        for i in range(t.shape[0]):", "            out[i] = abs(flip * t[i] - params[0])",
              "        for l in range(1, params.shape[0]):", "            for i in range(t.shape[0]):",
              "                out[i] = abs(out[i] - params[l])", "", "",
              _PHI_DOT_DECORATOR, "def phi_dot(code, t, flip, params, kind, r):",
              '    """(Σ v², Σ v·r) of v[i] = φ(flip·t[i]; π) of the family PHI_FAMILIES[code] (other codes:\n'
              '    the |·| chain), in one sweep."""']
    for k, f in enumerate(families):
        lines += [f"    {'if' if k == 0 else 'elif'} code == {k}:",
                  f"        return phi_dot_{f.name}(t, flip, params, kind, r)"]
    lines += ["    vv = 0.0", "    vr = 0.0", "    for i in range(t.shape[0]):", "        h = abs(flip * t[i] - params[0])",
              "        for l in range(1, params.shape[0]):", "            h = abs(h - params[l])",
              "        vv += h * h", "        vr += h * r[i]", "    return vv, vr"]
    return "\n".join(lines) + "\n"


def _dispatcher(name, args, op, max_d, doc):
    lines = ["@numba.njit(cache=True)", f"def {name}({args}):", f'    """{doc}"""',
             f"    d = {'V.shape[1]' if op == 'cross' else 'XT.shape[0]'}"]
    for d in range(1, max_d + 1):
        lines += [f"    {'if' if d == 1 else 'elif'} d == {d}:", f"        {op}_d{d}({args})"]
    lines += ["    else:", "        return False", "    return True"]
    return "\n".join(lines) + "\n"


def numeric_module_source(max_d=MAX_SHIPPED_D):
    """Source of ``ganet/numeric/geometry/_generated.py``: the cross kernels and the fused pricing kernels
    for d = 1…max_d, with dispatchers ``cross_closed_form(V, out)`` and
    ``score_closed_form(XT, r, W, off, out)`` that return False beyond max_d."""
    parts = ['"""Closed-form cross products ×(v₁,…,v_{d−1}) and fused pricing sums for d = 1…%d, and the\n'
             'deep families\' features φ(t; π).\n\n'
             "Generated by ``ganet.symbolic.codegen.numeric_module_source()``; do not edit (a test\n"
             'checks this file against the generator).\n"""\n\nimport numba\n\n'
             "SCORE_BLOCK = %d\n" % (max_d, SCORE_BLOCK)]
    parts += [_cross_source(d) for d in range(1, max_d + 1)]
    parts.append(_dispatcher("cross_closed_form", "V, out", "cross", max_d,
                             f"Write ×(rows of V) into out if d ≤ {max_d} and return True; else return False."))
    parts += [_score_source(d) for d in range(1, max_d + 1)]
    parts.append(_dispatcher("score_closed_form", "XT, r, W, off, out", "score", max_d,
                             f"The pricing sums of SCORE_BLOCK unit neurons (score_d*) if d ≤ {max_d}; "
                             "else False."))
    from .deep import DEEP_FAMILIES

    parts += [_phi_source(fam) for fam in DEEP_FAMILIES.values()]
    parts += [_phi_vec_source(fam) for fam in DEEP_FAMILIES.values()]
    parts += [_phi_dot_source(fam) for fam in DEEP_FAMILIES.values()]
    parts.append(_phi_dispatcher(list(DEEP_FAMILIES.values())))
    return "\n\n".join(parts)
