"""Basis blades of the Euclidean algebra 𝔾ᵈ: their order and the signs of their products.

Blades are sorted tuples of 0-based axis indices, ``()`` being the scalar. They are ordered first by
grade, then lexicographically within a grade, which is the order of ``clifford.Cl(d)``'s
``layout.bladeTupList`` (tested), so the symbolic and numeric layers share one blade order and one
sign table. Pure Python: imported by both ``ganet.numeric`` and ``ganet.symbolic``.
"""

from functools import lru_cache
from itertools import combinations

__all__ = ["blades", "blades_of_grade", "blade_product", "hodge_sign", "pseudoscalar_inverse_sign"]


@lru_cache(maxsize=None)
def blades_of_grade(d, k):
    """The grade-``k`` basis blades of 𝔾ᵈ in clifford's order (lexicographic index tuples)."""
    return tuple(combinations(range(d), k))


@lru_cache(maxsize=None)
def blades(d):
    """All 2ᵈ basis blades of 𝔾ᵈ, by grade then lexicographically (clifford's ``bladeTupList``)."""
    return tuple(b for k in range(d + 1) for b in blades_of_grade(d, k))


def blade_product(a, b):
    """Geometric product of two Euclidean basis blades: ``e_a e_b = sign · e_c``.

    Moving each factor of ``e_b`` left past the factors of ``e_a`` greater than it costs one sign
    per transposition; equal factors then meet and cancel since ``e_i² = +1``. So

        sign = (−1)^{#{(i, j) : i ∈ a, j ∈ b, i > j}},   c = a △ b (sorted).

    Returns
    -------
    sign : int
        +1 or −1.
    c : tuple of int
    """
    swaps = sum(1 for i in a for j in b if i > j)
    return (-1) ** swaps, tuple(sorted(set(a) ^ set(b)))


def pseudoscalar_inverse_sign(d):
    """The sign s in I⁻¹ = e_d⋯e₁ = s·e₁⋯e_d, namely (−1)^{d(d−1)/2} (reversal of d factors)."""
    return (-1) ** (d * (d - 1) // 2)


@lru_cache(maxsize=None)
def hodge_sign(d, blade):
    """Sign and blade of ⋆e_blade = e_blade I⁻¹ (the Hodge dual of docs/conventions.md).

    Returns ``(sign, complement)`` with ``e_blade I⁻¹ = sign · e_complement``.
    """
    sign, comp = blade_product(blade, tuple(range(d)))
    return sign * pseudoscalar_inverse_sign(d), comp
