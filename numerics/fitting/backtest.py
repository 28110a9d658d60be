"""Backtesting a law: fit on the small runs, score the prediction on the large ones.

``--backtest N=1e9`` fits on the rows with :math:`N \\le 10^9` and reports, on the held-out rows, the
RMS log error :math:`\\sqrt{\\overline{(\\log\\hat L - \\log L)^2}}` and the largest relative error
:math:`\\max|\\hat L/L - 1|` -- the extrapolation test a scaling law is for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Backtest:
    """Held-out prediction error of a fit made on ``column <= threshold``."""

    column: str
    threshold: float
    n_fit: int
    n_test: int
    rms_log_error: float
    max_rel_error: float

    def as_dict(self) -> dict:
        return {"column": self.column, "threshold": self.threshold, "n_fit": self.n_fit, "n_test": self.n_test,
                "rms_log_error": self.rms_log_error, "max_rel_error": self.max_rel_error}


def split(values: np.ndarray, threshold: float, column: str) -> np.ndarray:
    """Mask of the fitting rows (``values <= threshold``); one-line error when either side is empty."""
    keep = values <= threshold
    if keep.all() or not keep.any():
        side = "above" if keep.all() else "at or below"
        raise ValueError(f"--backtest {column}={threshold:g}: no rows {side} the threshold")
    return keep


def score(predicted: np.ndarray, observed: np.ndarray, column: str, threshold: float, n_fit: int) -> Backtest:
    """Held-out errors of ``predicted`` against ``observed``."""
    r = np.log(predicted) - np.log(observed)
    return Backtest(column, float(threshold), int(n_fit), int(observed.size), float(np.sqrt(np.mean(r ** 2))),
                    float(np.max(np.abs(predicted / observed - 1))))
