"""Small statistics shared by the check modules: log-log slopes, percentile intervals, parameter checks.

* :func:`loglog_slope` -- least-squares slope of ``ln y`` against ``ln x`` (NumPy ``polyfit``), the
  growth exponent; a decay exponent is its negative. :func:`power_law_exponent` is the decay exponent
  ``p`` of :func:`numerics.fit.fit_power_law` without a bootstrap (use it where a check's intervals come
  from ``fit_power_law``, so the point estimate and the interval are the same fit).
* :func:`percentile_interval` -- the percentile (bootstrap) interval of a set of samples.
* :func:`bootstrap_means` -- means of rows resampled with replacement (the bootstrap of a mean over draws).
* :func:`t_interval` -- the Student-t interval of a mean over a few independent units (seeds, replicas),
  where a percentile bootstrap under-covers.
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
    from scaling_verify.numerics.fit import fit_power_law

    return fit_power_law(x, y, bootstrap=0).p


def percentile_interval(samples, level: float = 0.95) -> tuple[float, float]:
    """Equal-tailed percentile interval :math:`[q_{(1-\\ell)/2}, q_{(1+\\ell)/2}]` of ``samples`` (the
    bootstrap interval of the checks and of the fitting lab)."""
    q = (1 - level) / 2
    lo, hi = np.quantile(samples, [q, 1 - q])
    return float(lo), float(hi)


def bootstrap_means(x, n_boot: int, rng: np.random.Generator, chunk: int = 64) -> np.ndarray:
    """``(n_boot, *x.shape[1:])``: the means over axis 0 of ``n_boot`` resamples of the rows of ``x`` with
    replacement, each drawn as ``rng.integers(0, n, n)`` in turn (drawn ``chunk`` resamples at a time, which
    gives the same stream and bounds the memory)."""
    x = np.asarray(x)
    n = x.shape[0]
    out = np.empty((n_boot, *x.shape[1:]))
    for b in range(0, n_boot, chunk):
        idx = rng.integers(0, n, (min(chunk, n_boot - b), n))
        out[b:b + idx.shape[0]] = x[idx].mean(axis=1)
    return out


def t_interval(values, level: float = 0.95) -> tuple[float, float]:
    """Student-t interval of the mean of ``values`` (independent units; NaN dropped): mean +- t_{(1+level)/2,
    n-1} sd/sqrt(n); ``(-inf, inf)`` below two values. With 4 units the t quantile is 3.18 standard errors,
    where a percentile bootstrap of the mean gives about 1.7 (over seeds 0-19 that put a true claim outside
    on 5 of 20)."""
    from scipy import stats

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size < 2:
        return -np.inf, np.inf
    half = float(stats.t.ppf((1 + level) / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size))
    return float(v.mean() - half), float(v.mean() + half)


def validate_power_spectrum(a: float, b: float, *, b_min: float = 0.0, why_a: str = "", why_b: str = "") -> None:
    """Raise ``ValueError`` unless ``a > 1`` and ``b > b_min``.

    ``why_a`` / ``why_b`` say why the bound holds in the caller's model (appended in parentheses).
    """
    if not a > 1:
        raise ValueError(f"a must be > 1{f' ({why_a})' if why_a else ''}, got a={a}")
    if not b > b_min:
        raise ValueError(f"b must be > {b_min:g}{f' ({why_b})' if why_b else ''}, got b={b}")
