"""The fitting lab in practice: predictions with intervals, rolling backtests, checkpoint filters.

* :func:`predict_rows` -- the law at new rows with two bootstrap intervals: ``ci`` for the law itself
  (parameter uncertainty: the percentile interval of :math:`f(x; \\theta_b)` over the refits) and
  ``pi`` for a new observation (each refit's prediction plus a log residual of the fit drawn at
  random, seeded: the residual bootstrap of a prediction, Davison & Hinkley 1997, sec. 6.3.3). The
  residuals drawn are the *modified* ones of their sec. 6.2.3, scaled by
  :math:`(1 - h)^{-1/2}` with the mean leverage :math:`h = p/n` (:func:`modified_residuals`): fitted
  residuals are smaller than the scatter of a new point by about that factor, which matters on short
  curves (at :math:`n = 8, p = 3` the factor is 1.26).
* **Domain.** A row must be positive in every column (the law lives in log space) and within
  :data:`MAX_EXTRAPOLATION` of the fitted range in every column; further out the refusal is one line
  (exit 2). Why refuse rather than flag: the bootstrap intervals assume the law itself holds, and
  beyond two decades past the data the choice of law dominates the error (Chinchilla-type fits of the
  same runs disagree by far more than their intervals there), so an interval printed there would look
  like a measurement and is not one. Rows inside the limit but outside the data carry their
  ``extrapolation`` factor (1 inside the fitted range), and a warning says how many there are.
* :func:`rolling_folds` / :func:`backtest_folds` -- leave-future-out: the distinct values of an
  ordering column (compute, size) are cut into ``K + 1`` contiguous blocks; fold ``k`` fits on blocks
  ``1..k`` and predicts block ``k + 1``, each held-out point with its prediction interval; the summary
  is the fraction of held-out points inside their interval, with its binomial standard error
  :math:`\\sqrt{c(1-c)/m}`, against the nominal level.
* :func:`checkpoint_mask` -- drop early checkpoints (``--min-step``, ``--drop-warmup``) before fitting.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

#: the furthest a prediction row may lie beyond the fitted range of a column (a factor)
MAX_EXTRAPOLATION = 100.0


@dataclass(frozen=True)
class Predictions:
    """The law at new rows: point values, law interval ``ci``, prediction interval ``pi`` (None
    without bootstrap refits), and each row's extrapolation factor beyond the fitted range."""

    value: np.ndarray
    ci_lo: np.ndarray | None
    ci_hi: np.ndarray | None
    pi_lo: np.ndarray | None
    pi_hi: np.ndarray | None
    extrapolation: np.ndarray
    level: float

    @property
    def has_interval(self) -> bool:
        return self.pi_lo is not None

    def rows(self, columns: dict[str, np.ndarray]) -> list[dict]:
        out = []
        for i in range(self.value.size):
            row = {c: float(v[i]) for c, v in columns.items()}
            row["predicted"] = float(self.value[i])
            row["ci"] = [float(self.ci_lo[i]), float(self.ci_hi[i])] if self.has_interval else None
            row["pi"] = [float(self.pi_lo[i]), float(self.pi_hi[i])] if self.has_interval else None
            row["extrapolation"] = float(self.extrapolation[i])
            out.append(row)
        return out


def fitted_range(columns: dict[str, np.ndarray]) -> dict[str, tuple[float, float]]:
    """Each column's smallest and largest fitted value (the family index is not a range)."""
    return {c: (float(np.min(v)), float(np.max(v))) for c, v in columns.items() if c != "family"}


def extrapolation(ranges: dict[str, tuple[float, float]], columns: dict[str, np.ndarray],
                  limit: float = MAX_EXTRAPOLATION) -> np.ndarray:
    """Each row's largest factor beyond the fitted range over the columns (1 inside); one-line
    ValueError for a non-positive value or a factor above ``limit``."""
    factor = np.ones(next(iter(columns.values())).size)
    for c, v in columns.items():
        if c not in ranges:  # the family index
            continue
        v = np.asarray(v, float)
        bad = ~(np.isfinite(v) & (v > 0))
        if bad.any():
            raise ValueError(f"--predict: row {int(np.argmax(bad)) + 1}: column {c} must be positive and finite, "
                             f"got {v[np.argmax(bad)]!r}")
        lo, hi = ranges[c]
        f = np.maximum(np.maximum(v / hi, lo / v), 1.0)
        worst = int(np.argmax(f))
        if f[worst] > limit:
            raise ValueError(f"--predict: row {worst + 1}: {c} = {v[worst]:.4g} is {f[worst]:.3g}x beyond the fitted "
                             f"range [{lo:.4g}, {hi:.4g}] (the limit is {limit:g}x: the law, not the data, "
                             "would decide the prediction)")
        factor = np.maximum(factor, f)
    return factor


@functools.lru_cache(maxsize=32)
def _batched(log_model):
    import jax

    return jax.jit(jax.vmap(log_model, in_axes=(0, None)))


def _log_predictions(log_model, thetas: np.ndarray, logX: np.ndarray) -> np.ndarray:
    import jax.numpy as jnp

    from scaling_verify.numerics.fitting.optimize import float64

    with float64():
        return np.asarray(_batched(log_model)(jnp.asarray(thetas, jnp.float64), jnp.asarray(logX, jnp.float64)))


def modified_residuals(fit) -> np.ndarray:
    """The fit's log residuals (prediction - observation) scaled by :math:`\\sqrt{n/(n-p)}` with ``p`` the
    fitted parameters: Davison & Hinkley 1997, eq. 6.9, with every leverage set to its mean :math:`p/n`
    (module docstring). Not centred, unlike their least-squares recipe: the Huber fit (close to least
    absolute deviations at the default delta) puts the *median* residual at zero, the intervals are
    quantiles, and subtracting the mean would shift every interval by the pull of the few largest
    residuals."""
    r = np.asarray(fit.residuals, float)
    n, p = r.size, len(fit.form.params)
    return r * math.sqrt(n / max(n - p, 1))


def predict_rows(fit, columns: dict[str, np.ndarray], ranges: dict[str, tuple[float, float]], *,
                 seed: int = 0, limit: float = MAX_EXTRAPOLATION) -> Predictions:
    """Predictions with intervals for new rows (module docstring); blocks of rows keep the
    ``(refits x rows)`` work below :data:`numerics.fitting.optimize.BLOCK_ELEMENTS`."""
    from scaling_verify.numerics.fitting.optimize import BLOCK_ELEMENTS

    form = fit.form
    factor = extrapolation(ranges, {c: columns[c] for c in form.columns if c != "family"}, limit)
    logX = np.log(np.stack([np.asarray(columns[c], float) for c in form.columns]))
    value = np.exp(_log_predictions(form.log_model(), fit.theta[None, :], logX)[0])
    level = fit.bootstrap.level
    boot = fit.boot_theta
    if boot is None or boot.shape[0] < 2:
        return Predictions(value, None, None, None, None, factor, level)
    ok = np.all(np.isfinite(boot), axis=1)
    boot = boot[ok]
    noise = -modified_residuals(fit)
    rng = np.random.default_rng(seed)
    q = (1 - level) / 2
    m = value.size
    out = np.empty((4, m))
    chunk = max(1, BLOCK_ELEMENTS // max(boot.shape[0], 1))
    for lo in range(0, m, chunk):
        lp = _log_predictions(form.log_model(), boot, logX[:, lo: lo + chunk])  # (B, rows)
        draw = noise[rng.integers(0, noise.size, lp.shape)]
        out[0:2, lo: lo + chunk] = np.quantile(lp, [q, 1 - q], axis=0)
        out[2:4, lo: lo + chunk] = np.quantile(lp + draw, [q, 1 - q], axis=0)
    ci_lo, ci_hi, pi_lo, pi_hi = np.exp(out)
    return Predictions(value, ci_lo, ci_hi, pi_lo, pi_hi, factor, level)


# ----------------------------------------------------------------------------- rolling backtests


@dataclass(frozen=True)
class Fold:
    """One leave-future-out fold: fitted on ``column <= upto``, scored on the next block."""

    index: int
    upto: float
    n_fit: int
    n_test: int
    rms_log_error: float
    covered: int
    points: tuple[dict, ...]

    def as_dict(self) -> dict:
        fin = self.rms_log_error if math.isfinite(self.rms_log_error) else None
        return {"fold": self.index, "fit_upto": self.upto, "n_fit": self.n_fit, "n_test": self.n_test,
                "rms_log_error": fin, "covered": self.covered, "points": list(self.points)}


@dataclass(frozen=True)
class Coverage:
    """Fraction of held-out points inside their prediction interval, with its binomial error."""

    covered: int
    total: int
    level: float

    @property
    def rate(self) -> float | None:
        return self.covered / self.total if self.total else None

    @property
    def stderr(self) -> float | None:
        r = self.rate
        return math.sqrt(r * (1 - r) / self.total) if r is not None else None

    def as_dict(self) -> dict:
        return {"covered": self.covered, "total": self.total, "rate": self.rate, "binomial_stderr": self.stderr,
                "nominal": self.level}


def rolling_folds(order: np.ndarray, k: int) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """``k`` leave-future-out splits along ``order``: ``(fit upto, fit mask, test mask)``."""
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"--backtest-folds must be a whole number >= 1, got {k!r}")
    values = np.unique(order)
    if values.size < k + 1:
        raise ValueError(f"--backtest-folds {k}: the ordering column has only {values.size} distinct values; "
                         f"{k} folds need at least {k + 1}")
    blocks = np.array_split(values, k + 1)
    out = []
    for i in range(1, k + 1):
        upto, nxt = blocks[i - 1][-1], blocks[i][-1]
        out.append((float(upto), order <= upto, (order > upto) & (order <= nxt)))
    return out


def backtest_folds(fit_fn, columns: dict[str, np.ndarray], y: np.ndarray, order: np.ndarray, k: int, *,
                   seed: int = 0, min_rows: int = 1) -> tuple[list[Fold], Coverage]:
    """Run the ``k`` folds: ``fit_fn(mask)`` fits the rows in ``mask`` (with its bootstrap); each held-out point
    gets its prediction interval (extrapolation is not limited here: the backtest asks how far the
    law carries)."""
    folds, hits, total, level = [], 0, 0, 0.95
    for i, (upto, train, test) in enumerate(rolling_folds(order, k), start=1):
        if train.sum() < min_rows:
            raise ValueError(f"--backtest-folds: fold {i} fits on {int(train.sum())} rows, fewer than the "
                             f"{min_rows} the form needs; use fewer folds")
        fit = fit_fn(train)
        level = fit.bootstrap.level
        test_cols = {c: v[test] for c, v in columns.items()}
        pred = predict_rows(fit, test_cols, fitted_range({c: v[train] for c, v in columns.items()}),
                            seed=seed + i, limit=math.inf)
        obs = y[test]
        inside = (pred.pi_lo <= obs) & (obs <= pred.pi_hi) if pred.has_interval else np.zeros(obs.size, bool)
        points = tuple(r | {"observed": float(o), "inside": bool(h) if pred.has_interval else None}
                       for r, o, h in zip(pred.rows(test_cols), obs, inside))
        r = np.log(pred.value) - np.log(obs)
        folds.append(Fold(i, upto, int(train.sum()), int(test.sum()), float(np.sqrt(np.mean(r ** 2))),
                          int(inside.sum()), points))
        if pred.has_interval:
            hits += int(inside.sum())
            total += int(obs.size)
    return folds, Coverage(hits, total, level)


def holdout_coverage(fit, columns: dict[str, np.ndarray], y: np.ndarray, ranges: dict[str, tuple[float, float]], *,
                     seed: int = 0) -> Coverage:
    """How many of the held-out rows ``columns``/``y`` lie inside their prediction interval (``pi`` of
    :func:`predict_rows`, no extrapolation limit) -- the coverage of a single ``--backtest`` split."""
    pred = predict_rows(fit, columns, ranges, seed=seed, limit=math.inf)
    if not pred.has_interval:
        return Coverage(0, 0, fit.bootstrap.level)
    inside = (pred.pi_lo <= y) & (y <= pred.pi_hi)
    return Coverage(int(inside.sum()), int(y.size), fit.bootstrap.level)


def assert_coverage(result, nominal: float, lo: float, hi: float) -> Coverage:
    """Raise AssertionError (one clear line) unless the interval coverage of ``result`` lies in
    ``[lo, hi]`` and its intervals are at level ``nominal``; return the :class:`Coverage`.

    ``result``: a :class:`Coverage`, the ``(folds, coverage)`` pair of :func:`backtest_folds`, or an object
    with a ``coverage`` attribute. For a CI job, choose ``[lo, hi]`` from the binomial error of the number
    of held-out points, e.g. ``nominal +- 3 sqrt(nominal (1 - nominal) / m)``."""
    for name, v in (("nominal", nominal), ("lo", lo), ("hi", hi)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
            raise ValueError(f"assert_coverage: {name} must be a number in [0, 1], got {v!r}")
    if not lo <= nominal <= hi:
        raise ValueError(f"assert_coverage: need lo <= nominal <= hi, got {lo}, {nominal}, {hi}")
    cov = result
    if isinstance(result, tuple) and result and isinstance(result[-1], Coverage):
        cov = result[-1]
    elif not isinstance(result, Coverage) and isinstance(getattr(result, "coverage", None), Coverage):
        cov = result.coverage
    if not isinstance(cov, Coverage):
        raise TypeError(f"assert_coverage: expected a Coverage (or backtest_folds' result), got {type(result).__name__}")
    if cov.total == 0:
        raise AssertionError("interval coverage: no held-out point has an interval (bootstrap 0?); nothing to check")
    if abs(cov.level - nominal) > 1e-9:
        raise AssertionError(f"interval coverage: the intervals are at level {cov.level:g}, not the nominal {nominal:g}")
    if not lo <= cov.rate <= hi:
        raise AssertionError(f"interval coverage {cov.rate:.3f} ({cov.covered}/{cov.total} held-out points inside "
                             f"their {nominal:.0%} interval) is outside [{lo:g}, {hi:g}]")
    return cov


# ----------------------------------------------------------------------------- checkpoints


def checkpoint_mask(step: np.ndarray, *, min_step: float | None = None, drop_warmup: float | None = None,
                    runs: np.ndarray | None = None) -> np.ndarray:
    """Rows to keep: ``step >= min_step`` and ``step >= drop_warmup x`` the last step of the row's run
    (``runs``: a code per row; None: one run). One-line ValueError when nothing is left."""
    keep = np.ones(step.size, bool)
    if min_step is not None:
        keep &= step >= min_step
    if drop_warmup is not None:
        if not (math.isfinite(drop_warmup) and 0 <= drop_warmup < 1):
            raise ValueError(f"--drop-warmup must be a fraction in [0, 1), got {drop_warmup}")
        codes = np.zeros(step.size, int) if runs is None else runs
        last = np.full(int(codes.max()) + 1, -np.inf)
        np.maximum.at(last, codes, step)
        keep &= step >= drop_warmup * last[codes]
    if not keep.any():
        raise ValueError("--min-step/--drop-warmup leave no rows to fit")
    return keep
