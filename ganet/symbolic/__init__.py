"""Exact layer of ganet: sympy multivectors on clifford's blade conventions.

Everything here is exact (Rationals, symbols, exact square roots); the numeric layer
:mod:`ganet.numeric` never imports this package.
"""

from .algebra import Algebra, Multivector, exact
from .codegen import kernel
from .derive import Derivation, ExactVerificationError, derive
from .derive_deep import derive_deep
from .features import FAMILIES, family

__all__ = ["Algebra", "Multivector", "exact", "derive", "derive_deep", "Derivation", "ExactVerificationError",
           "FAMILIES", "family", "kernel"]
