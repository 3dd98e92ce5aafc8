"""Geometric-algebra kernels in numba: wedge, Hodge dual and cross products (closed forms generated
by :mod:`ganet.symbolic.codegen` into ``_generated.py``), blade tables, normals certified against
rounding (:mod:`.normals`) and the normalized coordinates every oracle and program shares
(:mod:`.normalization`)."""

# The generated kernels other subpackages call (the module itself stays private: it is rewritten
# by code generation, never by hand).
from ._generated import PHI_FAMILIES, SCORE_BLOCK, phi, phi_dot, phi_vec, score_closed_form

__all__ = ["PHI_FAMILIES", "SCORE_BLOCK", "phi", "phi_dot", "phi_vec", "score_closed_form"]
