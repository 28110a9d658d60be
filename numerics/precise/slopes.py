"""Local log-log slopes of exact (mpmath) functions, shared by the precise check modules. Registers no check
(this package is scanned module by module for checks; importing this module adds none)."""

from __future__ import annotations

import mpmath as mp


def local_exponent(f, x, h):
    """:math:`-d\\log f/d\\log x` at ``x`` by a central difference in ``log x`` with step ``h``, at the working
    precision (error O(h^2)). The caller chooses ``h`` for its precision and function (an ``mpf`` made at
    the precision of its own module, so its value is the one that module always used)."""
    return -(mp.log(f(x * mp.exp(h))) - mp.log(f(x * mp.exp(-h)))) / (2 * h)
