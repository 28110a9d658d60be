"""Bootstrap over data points as weight vectors, and percentile intervals.

Resampling :math:`n` points with replacement is the same as weighting each point by how often it
was drawn: :math:`\\sum_{j} \\mathrm{Huber}(r_{i_j}) = \\sum_i c_i\\,\\mathrm{Huber}(r_i)` with counts
:math:`c_i`. All resamples then share one data array and differ only in their weight rows, which is
what lets :mod:`numerics.fitting.optimize` refit them in one vectorised loop (Efron & Tibshirani 1993).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def percentile_interval(samples: np.ndarray, level: float) -> tuple[float, float]:
    """Equal-tailed percentile interval :math:`[q_{(1-\\ell)/2}, q_{(1+\\ell)/2}]` of ``samples``."""
    q = (1 - level) / 2
    lo, hi = np.quantile(samples, [q, 1 - q])
    return float(lo), float(hi)


@dataclass(frozen=True)
class Resamples:
    """Bootstrap weight rows: ``weights[b, i]`` is how often point ``i`` was drawn in resample ``b``."""

    weights: np.ndarray
    requested: int
    skipped: int


def resample_weights(X: np.ndarray, count: int, seed: int, min_distinct: int) -> Resamples:
    """``count`` resamples of the rows of ``X`` (``(n, k)`` predictors), as weight rows.

    Draws with ``numpy.random.default_rng(seed).integers(0, n, n)`` in sequence (the stream of the
    scipy reference), and skips a resample with fewer than ``min_distinct`` distinct points or with a
    predictor that takes a single value (its exponent would be unidentified).
    """
    if count < 0:
        raise ValueError("bootstrap must be >= 0")
    n = X.shape[0]
    rng = np.random.default_rng(seed)
    rows, skipped = [], 0
    for _ in range(count):
        idx = rng.integers(0, n, n)
        sub = X[idx]
        if len(np.unique(idx)) < min_distinct or any(np.unique(sub[:, j]).size < 2 for j in range(X.shape[1])):
            skipped += 1
            continue
        rows.append(np.bincount(idx, minlength=n).astype(float))
    w = np.array(rows, dtype=float).reshape(len(rows), n)
    return Resamples(weights=w, requested=count, skipped=skipped)
