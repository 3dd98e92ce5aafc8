"""Activation-pattern (arrangement) programs for wide data: the exact and sampled gated and ReLU
programs (:mod:`.program`), pattern enumeration and sampling (:mod:`.patterns`), and the chamber
diameter bound of P23 Theorem 5 (:mod:`.chambers`)."""
