"""Small statistics shared by the check modules: log-log slopes, percentile intervals, parameter checks.

* :func:`loglog_slope` -- least-squares slope of ``ln y`` against ``ln x`` (NumPy ``polyfit``), the
  growth exponent; a decay exponent is its negative. :func:`power_law_exponent` is the decay exponent
  ``p`` of :func:`numerics.fit.fit_power_law` without a bootstrap (use it where a check's intervals come
  from ``fit_power_law``, so the point estimate and the interval are the same fit).
* :func:`percentile_interval` -- the percentile (bootstrap) interval of a set of samples.
* :func:`validate_power_spectrum` -- the bounds on the power-law exponents ``a`` (target) and ``b``
  (spectrum) that the spectral models need, with an error message naming the violated bound.
"""

from __future__ import annotations

import numpy as np


def loglog_slope(x, y) -> float:
    """Least-squares slope of ``ln y`` against ``ln x`` (positive for a growing power law)."""
    return np.polyfit(np.log(x), np.log(y), 1)[0]


def power_law_exponent(x, y) -> float:
    """Decay exponent ``p`` of ``y = c x^{-p}``, fitted in log space by :func:`numerics.fit.fit_power_law`."""
    from numerics.fit import fit_power_law

    return fit_power_law(x, y, bootstrap=0).p


def percentile_interval(samples, lo: float = 0.025, hi: float = 0.975) -> tuple[float, float]:
    """Percentile interval ``(q_lo, q_hi)`` of ``samples`` (default: the central 95 %)."""
    a, b = np.quantile(samples, [lo, hi])
    return a, b


def validate_power_spectrum(a: float, b: float, *, b_min: float = 0.0, why_a: str = "", why_b: str = "") -> None:
    """Raise ``ValueError`` unless ``a > 1`` and ``b > b_min``.

    ``why_a`` / ``why_b`` say why the bound holds in the caller's model (appended in parentheses).
    """
    if not a > 1:
        raise ValueError(f"a must be > 1{f' ({why_a})' if why_a else ''}, got a={a}")
    if not b > b_min:
        raise ValueError(f"b must be > {b_min:g}{f' ({why_b})' if why_b else ''}, got b={b}")
