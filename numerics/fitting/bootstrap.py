"""Bootstrap over data points as weight vectors, and percentile intervals.

Resampling :math:`n` points with replacement is the same as weighting each point by how often it
was drawn: :math:`\\sum_{j} \\mathrm{Huber}(r_{i_j}) = \\sum_i c_i\\,\\mathrm{Huber}(r_i)` with counts
:math:`c_i`. All resamples then share one data array and differ only in their weight rows, which is
what lets :mod:`numerics.fitting.optimize` refit them in one vectorised loop (Efron & Tibshirani 1993).

Memory is linear in the points: the weight rows are never held all at once. :func:`resample_weights`
walks the draws once to decide which resamples are usable (keeping one flag per resample) and
:meth:`Resamples.reader` regenerates the kept rows block by block, from the same seeded stream, as
the optimiser asks for them (so a ``(B, n)`` array is never formed for large ``n``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

#: the most bootstrap resamples a fit accepts (documented in ``scaling-verify fit --help``)
MAX_BOOTSTRAP = 10_000


def percentile_interval(samples: np.ndarray, level: float) -> tuple[float, float]:
    """Equal-tailed percentile interval :math:`[q_{(1-\\ell)/2}, q_{(1+\\ell)/2}]` of ``samples``."""
    q = (1 - level) / 2
    lo, hi = np.quantile(samples, [q, 1 - q])
    return float(lo), float(hi)


def check_count(count, name: str = "bootstrap") -> int:
    """``count`` as an int in ``[0, MAX_BOOTSTRAP]``; ValueError (one line) for anything else."""
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number of resamples (0 to {MAX_BOOTSTRAP}), got {count!r}")
    if not 0 <= count <= MAX_BOOTSTRAP:
        raise ValueError(f"{name} must be between 0 and {MAX_BOOTSTRAP} resamples, got {count}")
    return int(count)


def _draws(n: int, count: int, seed: int) -> Iterator[np.ndarray]:
    """The index draws, in order: ``numpy.random.default_rng(seed).integers(0, n, n)`` each (the
    stream of the scipy reference)."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        yield rng.integers(0, n, n)


def _usable(idx: np.ndarray, X: np.ndarray, min_distinct: int) -> bool:
    counts = np.bincount(idx, minlength=X.shape[0])
    if np.count_nonzero(counts) < min_distinct:
        return False
    sub = X[idx]
    return bool(np.all(sub.max(axis=0) > sub.min(axis=0)))


@dataclass(frozen=True)
class Resamples:
    """Bootstrap resamples as weight rows, made on demand: row ``b`` holds how often point ``i`` was
    drawn in the ``b``-th kept resample. ``kept[k]`` says whether draw ``k`` was kept."""

    n: int
    seed: int
    requested: int
    kept: np.ndarray = field(repr=False)

    @property
    def used(self) -> int:
        return int(self.kept.sum())

    @property
    def skipped(self) -> int:
        return self.requested - self.used

    def rows(self) -> Iterator[np.ndarray]:
        """The kept weight rows one at a time (float64, length ``n``)."""
        for keep, idx in zip(self.kept, _draws(self.n, self.requested, self.seed)):
            if keep:
                yield np.bincount(idx, minlength=self.n).astype(float)

    def reader(self) -> Callable[[int, int], np.ndarray]:
        """``read(lo, hi)`` -> rows ``lo..hi-1`` as a ``(hi - lo, n)`` array; blocks must be asked for
        in order (it walks the seeded stream once)."""
        it, pos = self.rows(), [0]

        def read(lo: int, hi: int) -> np.ndarray:
            if lo != pos[0]:
                raise RuntimeError(f"bootstrap rows must be read in order (asked {lo}, at {pos[0]})")
            pos[0] = hi
            return np.array([next(it) for _ in range(hi - lo)]).reshape(hi - lo, self.n)

        return read

    @property
    def weights(self) -> np.ndarray:
        """All kept rows as one ``(used, n)`` array (for small problems and tests)."""
        return np.array(list(self.rows()), dtype=float).reshape(self.used, self.n)


def resample_weights(X: np.ndarray, count: int, seed: int, min_distinct: int) -> Resamples:
    """``count`` resamples of the rows of ``X`` (``(n, k)`` predictors), as (lazy) weight rows.

    Skips a resample with fewer than ``min_distinct`` distinct points or with a predictor that takes a
    single value (its exponent would be unidentified).
    """
    count = check_count(count)
    n = X.shape[0]
    kept = np.fromiter((_usable(idx, X, min_distinct) for idx in _draws(n, count, seed)), dtype=bool, count=count)
    return Resamples(n=n, seed=seed, requested=count, kept=kept)
