"""Precise checks of :mod:`theory.kernel_ridge_crossover` (Cui, Loureiro, Krzakala, Zdeborova 2021): the model
library's precise checks (:mod:`numerics.models.claims`), wired to the claims the theory declared."""

from scaling_verify.numerics.models.claims import wire_declared

wire_declared("krr_crossover", "precise")
