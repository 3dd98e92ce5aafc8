r"""Exact geometric algebra 𝔾ᵈ over sympy, sharing clifford's blade order and sign tables.

>>> from ganet.symbolic import Algebra
>>> G2 = Algebra(2)
>>> e1, e2 = G2.basis
>>> (e1 + e2).dual()          # ⋆x := x I⁻¹, the papers' Hodge dual
e1 - e2
>>> G2.vector([3, -2])._repr_latex_()
'$3 e_{1} - 2 e_{2}$'

A :class:`Multivector` holds one exact sympy coefficient per basis blade, in the order of
``clifford.Cl(d)``'s ``layout.bladeTupList``; geometric (``*``) and outer (``^``) products read the
signs off clifford's own multiplication tables ``layout.gmt`` and ``layout.omt``.
"""

import numbers
from fractions import Fraction
from functools import lru_cache

import clifford
import numpy as np
import sympy as sp

from ..numeric.geometry.blades import pseudoscalar_inverse_sign

__all__ = ["Algebra", "Multivector", "exact", "MAX_D"]

MAX_D = 10  # Algebra(10) builds in under a second; the tables grow as 4^d


def exact(value, name="value"):
    """Convert a number or a symbol to an exact sympy expression.

    ints, Fractions and sympy Rationals stay rational; decimal strings such as ``"0.25"`` become
    the Rational they spell (1/4); Python floats become the Rational of their exact binary value;
    other strings and sympy expressions are sympified (``"a"`` becomes a Symbol).

    Raises
    ------
    ValueError
        For booleans, NaN, infinities and objects that are not numbers or expressions.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{name} must be a number or a sympy expression; got {value!r}")
    if isinstance(value, sp.Basic):
        out = value
    elif isinstance(value, (int, np.integer)):
        out = sp.Integer(int(value))
    elif isinstance(value, Fraction):
        out = sp.Rational(value.numerator, value.denominator)
    elif isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise ValueError(f"{name} must be finite; got {value!r}")
        out = sp.Rational(float(value))
    elif isinstance(value, str):
        try:
            out = sp.Rational(value)
        except ZeroDivisionError:
            raise ValueError(f"{name} must be finite; got {value!r}") from None
        except (TypeError, ValueError):
            try:
                out = sp.sympify(value)
            except (sp.SympifyError, SyntaxError, TypeError) as exc:
                raise ValueError(f"{name} {value!r} is neither a number nor an expression") from exc
    elif isinstance(value, numbers.Number):
        out = sp.sympify(value)
    else:
        raise ValueError(f"{name} must be a number or a sympy expression; got {type(value).__name__}")
    if out.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return out


class Algebra:
    """The Euclidean geometric algebra 𝔾ᵈ with exact (sympy) coefficients.

    ``Algebra(d)`` is cached, so ``Algebra(3) is Algebra(3)``.

    Attributes
    ----------
    d : int
    blades : tuple of tuple of int
        0-based basis blades in clifford's order, ``()`` being the scalar.
    basis : tuple of Multivector
        e₁, …, e_d.
    I : Multivector
        The unit pseudoscalar e₁⋯e_d.
    layout : clifford.Layout
        The clifford layout the blade order and sign tables come from.
    """

    def __new__(cls, d):
        if not isinstance(d, (int, np.integer)) or isinstance(d, bool) or d < 1:
            raise ValueError(f"d must be a positive integer; got {d!r}")
        if d > MAX_D:
            raise ValueError(f"Algebra({d}) would build clifford's layout with 2^{d} = {2 ** d:,} blades "
                             f"and product tables of 4^{d} entries (d = 12 took 98 s and 5.1 GB); "
                             f"exact multivectors are supported up to d = {MAX_D}. Cross products "
                             "and features of any d are in ganet.numeric and "
                             "ganet.symbolic.features.cross_cofactors")
        return _algebra(int(d))

    @classmethod
    def _create(cls, d):
        self = object.__new__(cls)
        self.d = d
        self.layout, _ = clifford.Cl(d)
        offset = 1 if any(t and min(t) == 1 for t in self.layout.bladeTupList) else 0
        self.blades = tuple(tuple(i - offset for i in t) for t in self.layout.bladeTupList)
        self._index = {b: i for i, b in enumerate(self.blades)}
        self._gp = _table(self.layout.gmt)
        self._op = _table(self.layout.omt)
        self.basis = tuple(self.blade((i,)) for i in range(d))
        self.I = self.blade(tuple(range(d)))
        return self

    def __repr__(self):
        return f"Algebra({self.d})"

    def __reduce__(self):
        return (Algebra, (self.d,))

    # ---- constructors -------------------------------------------------------------------
    def blade(self, indices, coefficient=1):
        """The basis blade e_{i₁}⋯e_{i_k} (0-based sorted indices) times ``coefficient``."""
        key = tuple(indices)
        if key not in self._index:
            raise ValueError(f"{indices!r} is not a sorted tuple of distinct axes in 0..{self.d - 1}")
        coeffs = [sp.S.Zero] * len(self.blades)
        coeffs[self._index[key]] = exact(coefficient, "coefficient")
        return Multivector(self, coeffs)

    def scalar(self, value):
        """The grade-0 multivector ``value``."""
        return self.blade((), value)

    def vector(self, coords):
        """The vector Σ cᵢ eᵢ from d coordinates (ints, Fractions, Rationals, strings, symbols)."""
        coords = list(coords) if not isinstance(coords, Multivector) else None
        if coords is None or len(coords) != self.d:
            raise ValueError(f"a vector of 𝔾^{self.d} needs {self.d} coordinates")
        out = [sp.S.Zero] * len(self.blades)
        for i, c in enumerate(coords):
            out[self._index[(i,)]] = exact(c, f"coordinate {i + 1}")
        return Multivector(self, out)

    def multivector(self, coefficients):
        """A multivector from 2ᵈ coefficients in clifford's blade order, or a {blade: coefficient} dict."""
        if isinstance(coefficients, dict):
            out = [sp.S.Zero] * len(self.blades)
            for b, c in coefficients.items():
                if tuple(b) not in self._index:
                    raise ValueError(f"unknown blade {b!r} in 𝔾^{self.d}")
                out[self._index[tuple(b)]] = exact(c)
            return Multivector(self, out)
        coefficients = list(coefficients)
        if len(coefficients) != len(self.blades):
            raise ValueError(f"need {len(self.blades)} coefficients, got {len(coefficients)}")
        return Multivector(self, [exact(c) for c in coefficients])

    def symbols(self, name):
        """A symbolic vector (name_1, …, name_d) of real symbols, e.g. ``G.symbols("x")``."""
        return self.vector(sp.symbols(f"{name}_1:{self.d + 1}", real=True))

    def _as_vector(self, v):
        if isinstance(v, Multivector):
            if v.algebra is not self:
                raise ValueError(f"vector belongs to {v.algebra!r}, not {self!r}")
            return v
        return self.vector(v)

    def wedge(self, *vectors):
        """v₁ ∧ ⋯ ∧ v_k (the scalar 1 for no vectors)."""
        out = self.scalar(1)
        for v in vectors:
            out = out ^ self._as_vector(v)
        return out

    def cross(self, *vectors):
        """Generalized cross product ×(v₁,…,v_{d−1}) := ⋆(v₁ ∧ ⋯ ∧ v_{d−1}), a vector of 𝔾ᵈ.

        Orthogonal to every vᵢ, and x · ×(v₁,…,v_{d−1}) = det[x; v₁; …; v_{d−1}].
        """
        if len(vectors) != self.d - 1:
            raise ValueError(f"the cross product of 𝔾^{self.d} takes d − 1 = {self.d - 1} vectors, "
                             f"got {len(vectors)}")
        return self.wedge(*vectors).dual()

    @classmethod
    def from_clifford(cls, mv):
        """The exact multivector with the coefficients of a ``clifford.MultiVector``.

        Float coefficients become the Rationals of their exact binary values (3.0 → 3, 0.5 → 1/2).
        """
        if not isinstance(mv, clifford.MultiVector):
            raise ValueError(f"expected a clifford.MultiVector, got {type(mv).__name__}")
        algebra = cls(mv.layout.dims)
        if mv.layout.sig.tolist() != [1] * algebra.d:
            raise ValueError("only Euclidean layouts (signature all +1) are supported")
        return algebra.multivector([exact(float(c)) for c in mv.value])


@lru_cache(maxsize=None)
def _algebra(d):
    return Algebra._create(d)


def _is_zero(expr):
    """Exact zero test: numbers directly, polynomials by expansion, the rest by simplification."""
    if expr.is_Number:
        return expr == 0
    return sp.expand(expr) == 0 or sp.simplify(expr) == 0


def _table(tensor):
    """{(i, k): (j, sign)} from a clifford table T with (a ∘ b)_j = Σ a_i T[i, j, k] b_k."""
    i, j, k = tensor.coords
    return {(int(a), int(c)): (int(b), int(s)) for a, b, c, s in zip(i, j, k, tensor.data)}


class Multivector:
    """An exact multivector of 𝔾ᵈ: one sympy coefficient per basis blade.

    Operators: ``+``, ``-``, ``*`` (geometric product, or scaling by a number/expression), ``^``
    (outer/wedge product), ``/`` (by a scalar). Methods: :meth:`dual`, :meth:`reverse`,
    :meth:`grade`, :meth:`norm`, :meth:`to_clifford`. Printing through sympy's printers
    (``sympy.latex(M)``) and in notebooks (``_repr_latex_``).
    """

    __slots__ = ("algebra", "coefficients")
    __array_priority__ = 100  # keep numpy scalars from broadcasting over us

    def __init__(self, algebra, coefficients):
        self.algebra = algebra
        self.coefficients = tuple(coefficients)

    # ---- arithmetic ---------------------------------------------------------------------
    def _coerce(self, other):
        if isinstance(other, Multivector):
            if other.algebra is not self.algebra:
                raise ValueError(f"cannot combine multivectors of {self.algebra!r} and {other.algebra!r}")
            return other
        try:
            return self.algebra.scalar(other)
        except ValueError:
            return None

    def __add__(self, other):
        other = self._coerce(other)
        if other is None:
            return NotImplemented
        return Multivector(self.algebra, [a + b for a, b in zip(self.coefficients, other.coefficients)])

    __radd__ = __add__

    def __neg__(self):
        return Multivector(self.algebra, [-a for a in self.coefficients])

    def __sub__(self, other):
        other = self._coerce(other)
        return NotImplemented if other is None else self + (-other)

    def __rsub__(self, other):
        other = self._coerce(other)
        return NotImplemented if other is None else other + (-self)

    def _product(self, other, table):
        out = [sp.S.Zero] * len(self.coefficients)
        for i, a in enumerate(self.coefficients):
            if a == 0:
                continue
            for k, b in enumerate(other.coefficients):
                if b == 0:
                    continue
                hit = table.get((i, k))
                if hit is not None:
                    out[hit[0]] += hit[1] * a * b
        return Multivector(self.algebra, [c if c.is_Number else sp.expand(c) for c in out])

    def __mul__(self, other):
        other = self._coerce(other)
        return NotImplemented if other is None else self._product(other, self.algebra._gp)

    def __rmul__(self, other):
        other = self._coerce(other)
        return NotImplemented if other is None else other._product(self, self.algebra._gp)

    def __xor__(self, other):
        other = self._coerce(other)
        return NotImplemented if other is None else self._product(other, self.algebra._op)

    def __rxor__(self, other):
        other = self._coerce(other)
        return NotImplemented if other is None else other._product(self, self.algebra._op)

    def __truediv__(self, other):
        if isinstance(other, Multivector):
            scalar = other.coefficients[0]
            if any(c != 0 for c in other.coefficients[1:]):
                raise ValueError("division is only defined by scalars")
            other = scalar
        other = exact(other, "divisor")
        if other == 0:
            raise ZeroDivisionError("division of a multivector by zero")
        return Multivector(self.algebra, [c / other for c in self.coefficients])

    def __eq__(self, other):
        other = self._coerce(other) if not isinstance(other, Multivector) else other
        if not isinstance(other, Multivector) or other.algebra is not self.algebra:
            return False
        return all(_is_zero(a - b) for a, b in zip(self.coefficients, other.coefficients))

    __hash__ = None

    # ---- algebra ------------------------------------------------------------------------
    def dual(self):
        """Hodge dual ⋆M := M I⁻¹ with I⁻¹ = e_d⋯e₁ (the papers' convention).

        In 𝔾²: ⋆(a e₁ + b e₂) = b e₁ − a e₂; in 𝔾³: ⋆(a ∧ b) = a × b.
        """
        inverse = self.algebra.I * pseudoscalar_inverse_sign(self.algebra.d)
        return self * inverse

    def reverse(self):
        """Reversion M† (the order of every blade's factors reversed): e_A† = (−1)^{k(k−1)/2} e_A."""
        return Multivector(self.algebra, [c * (-1) ** (len(b) * (len(b) - 1) // 2)
                                          for c, b in zip(self.coefficients, self.algebra.blades)])

    def grade(self, k):
        """The grade-k part ⟨M⟩_k."""
        if not isinstance(k, (int, np.integer)) or not 0 <= k <= self.algebra.d:
            raise ValueError(f"grade must be an integer in 0..{self.algebra.d}; got {k!r}")
        return Multivector(self.algebra, [c if len(b) == k else sp.S.Zero
                                          for c, b in zip(self.coefficients, self.algebra.blades)])

    def grades(self):
        """The set of grades with a non-zero coefficient."""
        return {len(b) for c, b in zip(self.coefficients, self.algebra.blades) if c != 0}

    def norm(self, p=2):
        """‖M‖₁ = Σ|coefficients| or ‖M‖₂ = √(Σ coefficients²) = √⟨M† M⟩₀."""
        if p == 1:
            return sp.Add(*[sp.Abs(c) for c in self.coefficients])
        if p == 2:
            return sp.sqrt(sp.Add(*[c ** 2 for c in self.coefficients]))
        raise ValueError(f"p must be 1 or 2; got {p!r}")

    def __getitem__(self, blade):
        """The coefficient of a blade given as a 0-based index tuple, e.g. ``M[(0, 1)]``."""
        try:
            return self.coefficients[self.algebra._index[tuple(blade)]]
        except KeyError:
            raise KeyError(f"{blade!r} is not a blade of {self.algebra!r}") from None

    def grade_coefficients(self, k):
        """Coefficients of the grade-k blades, in clifford's order (the numeric layer's layout)."""
        return [c for c, b in zip(self.coefficients, self.algebra.blades) if len(b) == k]

    def vector_coefficients(self):
        """The d coordinates of the grade-1 part."""
        return self.grade_coefficients(1)

    def subs(self, *args, **kwargs):
        """Substitute into every coefficient (sympy's ``subs``)."""
        return Multivector(self.algebra, [sp.sympify(c).subs(*args, **kwargs) for c in self.coefficients])

    def simplify(self):
        """Simplify every coefficient."""
        return Multivector(self.algebra, [sp.simplify(c) for c in self.coefficients])

    @property
    def free_symbols(self):
        return set().union(*(sp.sympify(c).free_symbols for c in self.coefficients))

    def to_clifford(self):
        """The ``clifford.MultiVector`` with these (numeric) coefficients as floats."""
        if self.free_symbols:
            raise ValueError(f"cannot convert symbolic coefficients {sorted(map(str, self.free_symbols))} "
                             "to clifford; substitute numbers first")
        return self.algebra.layout.MultiVector(value=np.array([float(c) for c in self.coefficients]))

    # ---- printing -----------------------------------------------------------------------
    def _terms(self):
        return [(c, b) for c, b in zip(self.coefficients, self.algebra.blades) if c != 0]

    def _blade_name(self, blade, latex):
        if not blade:
            return ""
        sep = "" if self.algebra.d < 10 else ","
        idx = sep.join(str(i + 1) for i in blade)
        return f"e_{{{idx}}}" if latex else f"e{idx}"

    def _render(self, fmt, latex):
        terms = self._terms()
        if not terms:
            return "0"
        out = []
        for c, blade in terms:
            negative = c.could_extract_minus_sign()
            mag = -c if negative else c
            name = self._blade_name(blade, latex)
            if not name:
                body = fmt(mag)
            elif mag == 1:
                body = name
            else:
                text = fmt(mag)
                if isinstance(mag, sp.Add):
                    text = (r"\left(%s\right)" if latex else "(%s)") % text
                body = f"{text} {name}" if latex else f"{text}*{name}"
            out.append(("- " if negative else "+ ") + body)
        text = " ".join(out)
        return text[2:] if text.startswith("+ ") else "-" + text[2:]

    def _latex(self, printer):
        return self._render(printer._print, latex=True)

    def _repr_latex_(self):
        return "$" + sp.latex(self) + "$"

    def __str__(self):
        return self._render(sp.sstr, latex=False)

    def _sympystr(self, printer):
        return self._render(printer._print, latex=False)

    __repr__ = __str__
