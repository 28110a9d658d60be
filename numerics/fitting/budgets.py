"""Compute budgets of a set of runs: which rows share a training compute :math:`C`.

Runs of an isoFLOP design (Hoffmann et al. 2022, arXiv:2203.15556, approach 2) share a compute
:math:`C = 6ND` at several model sizes. :func:`budget_labels` gives each row the index of its budget:
the rows sorted by :math:`\\log C`, a new budget starting wherever the gap to the previous row exceeds
:data:`BUDGET_GAP` (10 % in :math:`C`), so budgets that were meant to be equal but were rounded in
the file (6ND computed from a rounded N) stay together. Used by the leave-one-budget-out error of
:mod:`numerics.fitting.select` and by the isoFLOP plot of :mod:`numerics.fitting.plot`.
"""

from __future__ import annotations

import math

import numpy as np

#: a gap in log C larger than this starts a new budget (ln 1.1: 10 %)
BUDGET_GAP = math.log(1.1)


def training_compute(N: np.ndarray, D: np.ndarray) -> np.ndarray:
    """:math:`C = 6ND` (Kaplan et al. 2020, arXiv:2001.08361, sec. 2.1; Hoffmann et al. 2022)."""
    return 6.0 * np.asarray(N, float) * np.asarray(D, float)


def budget_labels(C: np.ndarray, gap: float = BUDGET_GAP) -> np.ndarray:
    """A budget index per row, 0..G-1 in increasing compute (module docstring)."""
    logc = np.log(np.asarray(C, float))
    order = np.argsort(logc, kind="stable")
    starts = np.concatenate([[0], (np.diff(logc[order]) > gap).astype(int)])
    labels = np.empty(logc.size, int)
    labels[order] = np.cumsum(starts)
    return labels


def merge_budgets(labels: np.ndarray, most: int) -> np.ndarray:
    """At most ``most`` groups: contiguous runs of budgets merged into ``most`` near-equal blocks."""
    G = int(labels.max()) + 1
    if G <= most:
        return labels
    block = np.concatenate([np.full(len(part), k) for k, part in enumerate(np.array_split(np.arange(G), most))])
    return block[labels]
