"""Fit a :class:`~numerics.fitting.forms.Form` to data: start grid, multi-start L-BFGS, bootstrap.

1. Rank the start grid by the objective (one vectorised evaluation) and keep the ``n_starts`` best
   (``None``: every grid point), as Hoffmann et al. did (arXiv 2203.15556, App. D.2).
2. Run L-BFGS from all of them for ``coarse_iters`` steps (:func:`numerics.fitting.optimize.minimise`),
   then continue the ``polish`` best unfinished ones to convergence. The optimum is the best end point.
3. Refit every bootstrap resample (a weight row, :mod:`numerics.fitting.bootstrap`) from the optimum.

Problems run in blocks of :data:`numerics.fitting.optimize.BLOCK`, so one compiled loop serves all
three stages and progress is reported after each block.
4. Goodness of fit and warnings (:mod:`numerics.fitting.diagnostics`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from numerics.fitting import diagnostics
from numerics.fitting.bootstrap import percentile_interval, resample_weights
from numerics.fitting.forms import Form
from numerics.fitting.optimize import HUBER_DELTA, evaluate, minimise, predict  # noqa: F401 (re-exported)

__all__ = ["fit_form", "predict"]
from numerics.fitting.results import BootstrapSummary, Estimate, FormFit, Search

Progress = Callable[[str, int, int], None]


def _log_data(form: Form, columns: Mapping[str, np.ndarray], y) -> tuple[np.ndarray, np.ndarray]:
    """Validate and take logs: every column of the form and the target must be finite and positive."""
    y = np.asarray(y, dtype=float)
    if y.ndim != 1:
        raise ValueError("the target must be 1-D")
    arrays = []
    for name in form.columns:
        if name not in columns:
            raise ValueError(f"form {form.name} needs column {name}")
        v = np.asarray(columns[name], dtype=float)
        if v.shape != y.shape:
            raise ValueError(f"column {name} has {v.size} values but the target has {y.size}")
        arrays.append((name, v))
    for name, v in arrays + [("target", y)]:
        if not np.all(np.isfinite(v)):
            raise ValueError(f"non-finite value (NaN or inf) in column {name}")
        if np.any(v <= 0):
            raise ValueError(f"column {name} must be positive (the fit works in log space)")
    n, P = y.size, len(form.params)
    if n < P:
        raise ValueError(f"too few points to fit: {n} (form {form.name} has {P} parameters)")
    return np.log(np.stack([v for _, v in arrays])), np.log(y)


def _search(form: Form, logX, logy, *, n_starts, grid, init, delta, coarse_iters, polish, maxiter, progress):
    starts = form.grid(logX, logy, grid, init)
    progress("ranking the start grid", 0, 1)
    f0 = evaluate(form.log_model(), starts, logX, logy, delta=delta)
    order = np.argsort(f0, kind="stable")
    if n_starts is not None:
        if n_starts < 1:
            raise ValueError("n_starts must be >= 1")
        order = order[:n_starts]
    ones = np.ones((order.size, logy.size))
    label = f"L-BFGS from {order.size} starts"
    progress(label, 0, order.size)
    first = minimise(form.log_model(), starts[order], ones, logX, logy, delta=delta, maxiter=coarse_iters,
                     on_block=lambda k: progress(label, k, order.size))
    theta, value = first.theta.copy(), first.value.copy()
    iters, done = first.iterations.copy(), first.converged.copy()
    pending = np.flatnonzero(~done)
    if pending.size:
        pick = pending[np.argsort(value[pending], kind="stable")[:polish]]
        progress(f"polishing the best {pick.size}", 0, 1)
        more = minimise(form.log_model(), theta[pick], ones[: pick.size], logX, logy, delta=delta, maxiter=maxiter)
        theta[pick], value[pick], iters[pick], done[pick] = more.theta, more.value, iters[pick] + more.iterations, more.converged
        progress(f"polishing the best {pick.size}", 1, 1)
    if not np.isfinite(value).any():
        raise ValueError(f"the {form.name} fit did not reach a finite objective from any start")
    win = int(np.argmin(value))
    search = Search(n_grid=len(starts), n_starts=int(order.size), best_start=int(order[win]),
                    start_values=tuple(float(v) for v in form.to_natural(starts[order[win]])),
                    iterations=int(iters[win]), converged=bool(done[win]))
    return theta[win], float(value[win]), search


def _bootstrap(form: Form, theta, logX, logy, *, count, seed, level, delta, maxiter, progress):
    n, P = logy.size, len(form.params)
    res = resample_weights(logX.T, count, seed, min_distinct=P)
    W = res.weights
    reason = None
    if count == 0:
        reason = "bootstrap 0"
    elif n <= P + 1:
        reason = f"too few points for an interval ({n} points, {P} parameters)"
    elif W.shape[0] < 2:
        reason = "too few usable bootstrap resamples"
    if reason is not None:
        summary = BootstrapSummary(count, 0, res.skipped, 0, level, seed, reason)
        return np.empty((0, P)), summary
    label = f"bootstrap {W.shape[0]} resamples"
    progress(label, 0, W.shape[0])
    sol = minimise(form.log_model(), np.repeat(theta[None, :], W.shape[0], axis=0), W, logX, logy,
                   delta=delta, maxiter=maxiter, on_block=lambda k: progress(label, k, W.shape[0]))
    thetas, ok = sol.theta, sol.converged & np.isfinite(sol.value)
    summary = BootstrapSummary(count, int(thetas.shape[0]), res.skipped, int((~ok).sum()), level, seed, None)
    return thetas, summary


def fit_form(form: Form, columns: Mapping[str, np.ndarray], y, *, bootstrap: int = 200, seed: int = 0,
             level: float = 0.95, delta: float = HUBER_DELTA, n_starts: int | None = 250,
             grid: dict[str, tuple[float, ...]] | None = None, init: dict[str, float] | None = None,
             coarse_iters: int = 150, polish: int = 64, maxiter: int = 5000,
             progress: Progress | None = None) -> FormFit:
    """Fit ``form`` to ``y`` at ``columns`` (natural units) with the summed Huber loss of log residuals.

    Args:
      n_starts: optimise from the best ``n_starts`` grid points (``None``: all of them).
      grid / init: replace start values (fit coordinates) / pin a start (natural value) per parameter.
      bootstrap: resamples of the points (0: no interval); ``seed`` fixes them.
    """
    if bootstrap < 0:
        raise ValueError("bootstrap must be >= 0")
    if not 0 < level < 1:
        raise ValueError("level must be in (0, 1)")
    progress = progress or (lambda *_: None)
    logX, logy = _log_data(form, columns, y)
    theta, value, search = _search(form, logX, logy, n_starts=n_starts, grid=grid, init=init, delta=delta,
                                   coarse_iters=coarse_iters, polish=polish, maxiter=maxiter, progress=progress)
    boot_theta, boot = _bootstrap(form, theta, logX, logy, count=bootstrap, seed=seed, level=level, delta=delta,
                                  maxiter=maxiter, progress=progress)
    natural = form.to_natural(theta)
    boot_nat = form.to_natural(boot_theta)
    estimates = []
    for j, p in enumerate(form.params):
        lo = hi = None
        if boot_nat.shape[0]:
            lo, hi = percentile_interval(boot_nat[:, j], level)
        estimates.append(Estimate(p.name, float(natural[j]), lo, hi))
    goodness = diagnostics.goodness(form, theta, logX, logy, delta)
    warns = diagnostics.warnings_for(form, natural, search, boot, goodness)
    return FormFit(form=form, estimates=tuple(estimates), goodness=goodness, search=search, bootstrap=boot,
                   delta=delta, warnings=tuple(warns), theta=theta, boot_theta=boot_theta)


