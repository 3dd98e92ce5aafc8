"""The paper's §3.4 worked example in 𝔾², computed exactly and printed (``python -m ganet ga``)."""

import sympy as sp

from .symbolic import Algebra


def section_3_4_report():
    """Return the §3.4 calculation as text: the neurons ⋆x̃ⱼ of the augmented data, their
    orthogonality to x̃ⱼ, a triangle's signed area and a distance to an affine hull."""
    G = Algebra(2)
    e1, e2 = G.basis
    x1, x2 = e1 + e2, 2 * e2
    augmented = [("x1", x1), ("x2", x2), ("e1", e1), ("e2", e2)]
    lines = ["P23 §3.4 in G^2, Hodge dual ⋆M := M I⁻¹ with I⁻¹ = e2 e1",
             f"  x1 = {x1},  x2 = {x2}; augmented with e1, e2 for p = 1", ""]
    for name, v in augmented:
        w = v.dual()
        dot = sum(a * b for a, b in zip(v.vector_coefficients(), w.vector_coefficients()))
        lines.append(f"  neuron ⋆{name} = {str(w):<10}  ⋆{name}·{name} = {dot}   ‖{name}‖₁ = {v.norm(1)}")
    lines.append("  (the paper prints ⋆e1 = e2 and ⋆e2 = −e1: sign slips; M I⁻¹ gives −e2 and e1)")
    x = G.symbols("x")
    area = ((x - x2) ^ (x1 - x2)).coefficients[-1]
    lines += ["",
              "  2·Vol(△(x, x1, x2)) = ⋆((x − x2) ∧ (x1 − x2)) = " + sp.sstr(sp.expand(area)),
              "  dist(x, Aff(x1, x2)) = that / ‖x1 − x2‖₂ = " + sp.sstr(sp.simplify(area / (x1 - x2).norm(2))),
              "  Theorem 2 feature for x̃1: κ(x, x1) = (x ∧ x1)₊ / ‖x1‖₁ = "
              + sp.sstr(sp.Max(0, (x ^ x1).coefficients[-1]) / x1.norm(1))]
    return "\n".join(lines)
