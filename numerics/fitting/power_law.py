"""Power-law fits with bootstrap intervals (the workhorse of the simulation checks).

:func:`fit_power_law` fits :math:`y = c\\,x^{-p}` (optionally :math:`+ E`) by log-log least squares over
a declared window; the bootstrap resamples points, or seeds/ensemble members when ``y`` has one row
per seed (the interval then reflects seed-to-seed variation, which is what a simulation check needs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from scaling_verify.numerics.fitting.bootstrap import check_count
from scaling_verify.numerics.stats import percentile_interval as _interval


def _check_xy(x: np.ndarray, y: np.ndarray, min_points: int) -> None:
    if x.ndim != 1:
        raise ValueError("x must be one-dimensional")
    if y.shape[-1] != x.shape[0]:
        raise ValueError(f"x has {x.shape[0]} points but y has {y.shape[-1]}")
    if x.shape[0] < min_points:
        raise ValueError(f"too few points to fit: {x.shape[0]} (need at least {min_points})")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("non-finite value (NaN or inf) in the data")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("power-law fits need positive x and y")
    if np.unique(x).size < 2:
        raise ValueError("x must take at least two distinct values")


@dataclass(frozen=True)
class PowerFit:
    """Result of :func:`fit_power_law`: ``y ~ c x^{-p} (+ floor)`` with bootstrap intervals.

    ``ci`` maps a parameter to its percentile interval; it is empty when there is no interval
    (``bootstrap=0``, or no more points than parameters).
    """

    c: float
    p: float
    floor: float | None
    ci: dict[str, tuple[float, float]]
    level: float
    n_boot: int
    seed: int
    window: tuple[float, float]
    local_x: np.ndarray = field(repr=False)
    local_slopes: np.ndarray = field(repr=False)
    boot_p: np.ndarray = field(repr=False)

    @property
    def has_interval(self) -> bool:
        """False for ``bootstrap=0`` or too few points: then :attr:`ci` is empty."""
        return bool(self.ci)

    def as_dict(self) -> dict:
        def entry(name, value):
            return {"value": value, "ci": list(self.ci[name]) if name in self.ci else None}

        out = {"c": entry("c", self.c), "p": entry("p", self.p)}
        if self.floor is not None:
            out["floor"] = entry("floor", self.floor)
        return out


def local_slopes(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local exponents :math:`-\\Delta\\log y/\\Delta\\log x` between neighbours (geometric midpoints)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    lx, ly = np.log(x), np.log(y)
    return np.exp((lx[1:] + lx[:-1]) / 2), -(ly[1:] - ly[:-1]) / (lx[1:] - lx[:-1])


def _loglog(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    A = np.vstack([np.ones_like(x), -np.log(x)]).T
    coef, *_ = np.linalg.lstsq(A, np.log(y), rcond=None)
    return float(np.exp(coef[0])), float(coef[1])


def _with_floor(x: np.ndarray, y: np.ndarray, start: tuple[float, float, float] | None) -> tuple[float, float, float]:
    c0, p0 = _loglog(x, np.maximum(y - 0.5 * y.min(), 1e-300))
    e0 = 0.5 * float(y.min())
    if start is not None:
        c0, p0, e0 = start

    def resid(th):
        lc, p, le = th
        return np.log(np.exp(le) + np.exp(lc - p * np.log(x))) - np.log(y)

    sol = optimize.least_squares(resid, [math.log(c0), p0, math.log(max(e0, 1e-300))],
                                 xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=5000)
    lc, p, le = sol.x
    return float(math.exp(lc)), float(p), float(math.exp(le))


def fit_power_law(x, y, *, window: tuple[float, float] | None = None, floor: bool = False,
                  bootstrap: int = 1000, seed: int = 0, level: float = 0.95) -> PowerFit:
    """Fit :math:`y = c\\,x^{-p}` (``floor=True``: :math:`y = E + c\\,x^{-p}`) in log space.

    Args:
      x: 1-D positive sizes (times, widths, ...).
      y: 1-D values, or 2-D ``(seeds, len(x))``: then the fit is to the seed mean and the bootstrap
        resamples seeds (rows); with 1-D ``y`` it resamples points.
      window: keep only ``window[0] <= x <= window[1]`` (declare it before looking at the data).
      bootstrap: number of resamples (0 for none).
    Returns:
      :class:`PowerFit` with percentile intervals at ``level`` (none without resamples or with no
      more points than parameters).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if y.ndim not in (1, 2):
        raise ValueError("y must be 1-D or 2-D (seeds, points)")
    if window is not None:
        lo, hi = window
        if not lo < hi:
            raise ValueError(f"empty fit window {window}")
        keep = (x >= lo) & (x <= hi)
        x, y = x[keep], y[..., keep]
    _check_xy(x, y, 4 if floor else 2)
    bootstrap = check_count(bootstrap)
    fitter = (lambda xx, yy: _with_floor(xx, yy, None)) if floor else (lambda xx, yy: (*_loglog(xx, yy), None))
    ymean = y.mean(axis=0) if y.ndim == 2 else y
    c, p, fl = fitter(x, ymean)
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(bootstrap):
        if y.ndim == 2:
            rows = rng.integers(0, y.shape[0], y.shape[0])
            xb, yb = x, y[rows].mean(axis=0)
        else:
            idx = rng.integers(0, x.size, x.size)
            if np.unique(x[idx]).size < (4 if floor else 2):
                continue
            xb, yb = x[idx], y[idx]
        boots.append(fitter(xb, yb))
    ci: dict[str, tuple[float, float]] = {}
    enough = y.shape[0] >= 2 if y.ndim == 2 else x.size > (4 if floor else 2)
    if boots and enough:
        arr = np.array([[bc, bp, bf if bf is not None else np.nan] for bc, bp, bf in boots])
        ci["c"], ci["p"] = _interval(arr[:, 0], level), _interval(arr[:, 1], level)
        if floor:
            ci["floor"] = _interval(arr[:, 2], level)
        boot_p = arr[:, 1]
    else:  # no interval: bootstrap 0, or too few points for one (never a zero-width interval)
        boot_p = np.array([p])
    lx, ls = local_slopes(x, ymean)
    return PowerFit(c=c, p=p, floor=fl, ci=ci, level=level, n_boot=len(boots), seed=seed,
                    window=(float(x.min()), float(x.max())), local_x=lx, local_slopes=ls, boot_p=boot_p)


