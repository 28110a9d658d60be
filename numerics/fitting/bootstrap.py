"""Bootstrap over data points as weight vectors, and percentile intervals.

Resampling :math:`n` points with replacement is the same as weighting each point by how often it
was drawn: :math:`\\sum_{j} \\mathrm{Huber}(r_{i_j}) = \\sum_i c_i\\,\\mathrm{Huber}(r_i)` with counts
:math:`c_i`. All resamples then share one data array and differ only in their weight rows, which is
what lets :mod:`numerics.fitting.optimize` refit them in one vectorised loop (Efron & Tibshirani 1993).

Memory is linear in the points: the weight rows are never held all at once. :func:`resample_weights`
walks the draws once to decide which resamples are usable (keeping one flag per resample) and
:meth:`Resamples.reader` regenerates the kept rows block by block, from the same seeded stream, as
the optimiser asks for them (so a ``(B, n)`` array is never formed for large ``n``).

**Over runs** (``groups``): when the rows are checkpoints of a few training runs, the rows of one run
are not independent (one seed, one data order), and resampling rows would treat them as if they were,
giving intervals that are too narrow. With ``groups`` (one label per row) a resample draws ``G`` whole
runs with replacement from the ``G`` runs, and each row's weight is the number of times its run was
drawn -- the cluster bootstrap (Davison & Hinkley 1997, sec. 3.8).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np


#: the most bootstrap resamples a fit accepts (documented in ``scaling-verify fit --help``)
MAX_BOOTSTRAP = 10_000


def check_count(count, name: str = "bootstrap") -> int:
    """``count`` as an int in ``[0, MAX_BOOTSTRAP]``; ValueError (one line) for anything else."""
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number of resamples (0 to {MAX_BOOTSTRAP}), got {count!r}")
    if not 0 <= count <= MAX_BOOTSTRAP:
        raise ValueError(f"{name} must be between 0 and {MAX_BOOTSTRAP} resamples, got {count}")
    return int(count)


def _draws(n: int, count: int, seed: int, strata: np.ndarray | None = None) -> Iterator[np.ndarray]:
    """The index draws, in order: ``numpy.random.default_rng(seed).integers(0, n, n)`` each (the
    stream of the scipy reference); with ``strata`` (a stratum per unit) each stratum's units are
    drawn among themselves, as many as it has."""
    rng = np.random.default_rng(seed)
    members = None if strata is None else [np.flatnonzero(strata == s) for s in np.unique(strata)]
    for _ in range(count):
        if members is None:
            yield rng.integers(0, n, n)
        else:
            yield np.concatenate([m[rng.integers(0, m.size, m.size)] for m in members])


def _row_counts(idx: np.ndarray, n: int, codes: np.ndarray | None) -> np.ndarray:
    """How often each row is drawn: by row, or (``codes``: the run of each row) by run."""
    if codes is None:
        return np.bincount(idx, minlength=n)
    return np.bincount(idx, minlength=int(codes.max()) + 1)[codes]


def _usable(counts: np.ndarray, X: np.ndarray, min_distinct: int) -> bool:
    drawn = counts > 0
    if np.count_nonzero(drawn) < min_distinct:
        return False
    sub = X[drawn]
    return bool(np.all(sub.max(axis=0) > sub.min(axis=0)))


def group_codes(labels) -> tuple[np.ndarray, tuple[str, ...]]:
    """Row labels -> (integer code per row, the distinct labels in order of first appearance)."""
    labels = [str(v) for v in labels]
    order: dict[str, int] = {}
    codes = np.fromiter((order.setdefault(v, len(order)) for v in labels), dtype=np.int64, count=len(labels))
    return codes, tuple(order)


@dataclass(frozen=True)
class Resamples:
    """Bootstrap resamples as weight rows, made on demand: row ``b`` holds how often point ``i`` was
    drawn in the ``b``-th kept resample. ``kept[k]`` says whether draw ``k`` was kept."""

    n: int
    seed: int
    requested: int
    kept: np.ndarray = field(repr=False)
    codes: np.ndarray | None = field(default=None, repr=False)
    strata: np.ndarray | None = field(default=None, repr=False)

    @property
    def units(self) -> int:
        """What is drawn: rows, or runs when :attr:`codes` is set."""
        return self.n if self.codes is None else int(self.codes.max()) + 1

    @property
    def used(self) -> int:
        return int(self.kept.sum())

    @property
    def skipped(self) -> int:
        return self.requested - self.used

    def rows(self) -> Iterator[np.ndarray]:
        """The kept weight rows one at a time (float64, length ``n``)."""
        for keep, idx in zip(self.kept, _draws(self.units, self.requested, self.seed, self.strata)):
            if keep:
                yield _row_counts(idx, self.n, self.codes).astype(float)

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


def resample_weights(X: np.ndarray, count: int, seed: int, min_distinct: int,
                     codes: np.ndarray | None = None, strata: np.ndarray | None = None) -> Resamples:
    """``count`` resamples of the rows of ``X`` (``(n, k)`` predictors), as (lazy) weight rows; with
    ``codes`` (the run of each row, 0..G-1) whole runs are resampled; with ``strata`` (a stratum per
    row, constant within a run) each stratum -- e.g. a model family -- is resampled on its own.

    Skips a resample with fewer than ``min_distinct`` distinct points or with a predictor that takes a
    single value (its exponent would be unidentified).
    """
    count = check_count(count)
    n = X.shape[0]
    if codes is not None:
        codes = np.asarray(codes, dtype=np.int64)
        if codes.shape != (n,):
            raise ValueError(f"groups: {codes.size} labels for {n} rows")
    units = n if codes is None else int(codes.max()) + 1
    unit_strata = None
    if strata is not None:
        strata = np.asarray(strata)
        unit_strata = strata if codes is None else strata[np.unique(codes, return_index=True)[1]]
    kept = np.fromiter((_usable(_row_counts(idx, n, codes), X, min_distinct)
                        for idx in _draws(units, count, seed, unit_strata)), dtype=bool, count=count)
    return Resamples(n=n, seed=seed, requested=count, kept=kept, codes=codes, strata=unit_strata)
