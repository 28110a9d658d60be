"""Solvable models of neural scaling laws, typed and validated (public).

>>> from scaling_verify import models
>>> m = models.PowerLaw(a=2.0, b=1.5, M=64)   # lambda_k = k^-b, lambda_k w*_k^2 = k^-a, 64 modes
>>> float(m.loss(t=float("inf"), P=16))        # ridgeless kernel regression, 30 digits   # doctest: +ELLIPSIS
0.1228227609...

>>> # a theory that is "this model, in these regimes": claims with symbolic, precise and simulate checks
>>> # models.claims(m, "mytheory", source="...", time=models.Scaling("t", (a - 1) / b))   # doctest: +SKIP

:class:`Linear` is the same system on any spectrum and target. See :class:`PowerLaw` (:mod:`scaling_verify.numerics.models.power_law`) for the formulas and references.
"""

from __future__ import annotations

from scaling_verify.numerics.models import Exponent, Linear, PowerLaw, Scaling, Sizes, claims

__all__ = ["Exponent", "Linear", "PowerLaw", "Scaling", "Sizes", "claims"]
