"""Fit a :class:`~numerics.fitting.forms.Form` to data: start grid, multi-start L-BFGS, bootstrap.

1. Rank the start grid by the objective (one vectorised evaluation) and keep the ``n_starts`` best
   (``None``: every grid point), as Hoffmann et al. did (arXiv 2203.15556, App. D.2).
2. Screen: L-BFGS from all of them for ``coarse_iters`` (20) steps
   (:func:`numerics.fitting.optimize.minimise`, blocks of up to :data:`SCREEN_BLOCK`); polish: the
   ``polish`` (32) best unfinished ones for up to :data:`POLISH_ITERS` (130) more L-BFGS steps (150 in
   all, the old coarse stage); finish: damped Newton (:func:`numerics.fitting.optimize.newton`) to
   convergence from the :data:`FINISH` (8) best still unfinished and from the best end point. The optimum
   is the best end point. (Before, every start ran 150 L-BFGS steps and the 64 best unfinished ones ran
   L-BFGS to convergence, hundreds of steps more, for the same optimum to about 1e-15 on the 240-point
   benchmark; ``benchmarks/bench_fit.py`` and ``proofs_tests/test_fit_speed_equivalence.py`` check it
   against the scipy reference.)
3. Refit every bootstrap resample (a weight row, :mod:`numerics.fitting.bootstrap`) from the optimum
   (Newton: it starts near the resample's optimum).

Problems run in blocks of :func:`numerics.fitting.optimize.block_size` problems, so one compiled loop
serves all three stages and progress is reported after each block.
4. Goodness of fit and warnings (:mod:`numerics.fitting.diagnostics`), and whether each parameter is
   determined at all: profiles, curvature and degeneracy flags (:mod:`numerics.fitting.identify`;
   ``identify=False`` skips them, e.g. inside backtest folds).

``fix`` pins parameters (:func:`numerics.fitting.forms.with_fixed`); ``groups`` (a run label per row)
makes the bootstrap resample whole runs; a :class:`numerics.fitting.family.FamilyForm` is resampled
within each family.

**Bounded work.** Memory is linear in the rows: the start grid is ranked in chunks, a block holds at
most :data:`numerics.fitting.optimize.BLOCK_ELEMENTS` problems x points, and bootstrap weight rows are
made block by block (:mod:`numerics.fitting.bootstrap`); no ``(resamples x rows)`` or
``(starts x rows)`` array is formed. At most :data:`MAX_ROWS` rows and
:data:`numerics.fitting.bootstrap.MAX_BOOTSTRAP` resamples are accepted: the time of a fit grows as
rows x (starts + resamples): measured on 2 CPU cores, a chinchilla fit of 10^4 rows takes 25 s and
0.65 GB (0.4 GB of it imports), of 10^5 rows 4.5 minutes and 0.8 GB (it was killed at 23 GB before),
so 10^6 rows would take about an hour.

**Input checks** (ValueError, one line, before any work): every column and the target finite,
positive and a normal float64 (a subnormal value, below 2.2e-308, has lost precision: rescale); a
target with no variation (a constant loss, to float64 rounding of its log: range of log y below
1e-12 max(1, |log y|)) is refused -- the fit would return arbitrary parameters with zero-width
intervals; ``bootstrap`` a whole number in [0, MAX_BOOTSTRAP]; Huber ``delta`` positive and finite
(``delta = 0`` makes the objective identically 0, a negative one makes it meaningless).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from scaling_verify.numerics.fitting import diagnostics
import math
import numbers

from scaling_verify.numerics.fitting.bootstrap import check_count, resample_weights
from scaling_verify.numerics.stats import percentile_interval
from scaling_verify.numerics.fitting.forms import Form
from scaling_verify.numerics.fitting.optimize import (HUBER_DELTA, block_size, evaluate, minimise, newton,  # noqa: F401
                                                       predict)

__all__ = ["fit_form", "predict"]
from scaling_verify.numerics.fitting.results import BootstrapSummary, Estimate, FormFit, Search

Progress = Callable[[str, int, int], None]

#: the most rows :func:`fit_form` (and ``scaling-verify fit``) accepts
MAX_ROWS = 1_000_000
_TINY = np.finfo(float).tiny
#: problems per compiled block in the screen of the starts (bounded by the points, :func:`block_size`)
SCREEN_BLOCK = 256
#: the most L-BFGS steps of the polish (stage 2 of :func:`_search`)
POLISH_ITERS = 130
#: how many of the best unfinished end points the Newton finish (stage 3 of :func:`_search`) takes to convergence
FINISH = 8
#: a target whose log varies by less than this (relative to max(1, |log y|)) is constant
CONSTANT_RTOL = 1e-12


def check_delta(delta) -> float:
    """The Huber ``delta`` as a positive finite float; ValueError (one line) otherwise."""
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not (math.isfinite(delta) and delta > 0):
        raise ValueError(f"the Huber delta must be a positive finite number, got {delta!r}")
    return float(delta)


def _check_options(bootstrap, level, delta, n_starts) -> None:
    check_count(bootstrap)
    if isinstance(level, bool) or not isinstance(level, numbers.Real) or not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    check_delta(delta)
    if n_starts is not None and (isinstance(n_starts, bool) or not isinstance(n_starts, (int, np.integer))
                                 or n_starts < 1):
        raise ValueError(f"n_starts must be a whole number >= 1 or None, got {n_starts!r}")


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
    if y.size > MAX_ROWS:
        raise ValueError(f"{y.size:,} rows: more than the limit of {MAX_ROWS:,}; fit a subsample or bin the rows")
    for name, v in arrays + [("target", y)]:
        if not np.all(np.isfinite(v)):
            raise ValueError(f"non-finite value (NaN or inf) in column {name}")
        if np.any(v <= 0):
            raise ValueError(f"column {name} must be positive (the fit works in log space)")
        if np.any(v < _TINY):
            raise ValueError(f"column {name} has subnormal values (below {_TINY:.3g}), which have lost precision; "
                             "rescale it (e.g. --scale)")
    n, P = y.size, len(form.params)
    if n < P:
        raise ValueError(f"too few points to fit: {n} (form {form.name} has {P} parameters)")
    logy = np.log(y)
    if np.ptp(logy) <= CONSTANT_RTOL * max(1.0, float(np.abs(logy).max())):
        raise ValueError(f"the target takes a single value ({y[0]:.6g}) in every row: no variation in the loss, "
                         "nothing to fit")
    return np.log(np.stack([v for _, v in arrays])), logy


def _search(form: Form, logX, logy, *, n_starts, grid, init, delta, coarse_iters, polish, maxiter, progress):
    starts = form.grid(logX, logy, grid, init)
    progress("ranking the start grid", 0, 1)
    lm = form.log_model()
    f0 = evaluate(lm, starts, logX, logy, delta=delta)
    order = np.argsort(f0, kind="stable")
    if n_starts is not None:
        order = order[:n_starts]
    label = f"L-BFGS from {order.size} starts"
    progress(label, 0, order.size)
    # 1. every start: a few L-BFGS steps, in large blocks (the screen)
    first = minimise(lm, starts[order], None, logX, logy, delta=delta, maxiter=coarse_iters,
                     block=block_size(logy.size, SCREEN_BLOCK), on_block=lambda k: progress(label, k, order.size))
    theta, value = first.theta.copy(), first.value.copy()
    iters, done = first.iterations.copy(), first.converged.copy()
    # 2. the ``polish`` best unfinished ones: L-BFGS on, for up to POLISH_ITERS steps
    pending = np.flatnonzero(~done)
    pick = pending[np.argsort(value[pending], kind="stable")[:polish]]
    if pick.size:
        progress(f"polishing the best {pick.size}", 0, 1)
        more = minimise(lm, theta[pick], None, logX, logy, delta=delta, maxiter=min(POLISH_ITERS, maxiter))
        theta[pick], value[pick], iters[pick], done[pick] = more.theta, more.value, iters[pick] + more.iterations, more.converged
        progress(f"polishing the best {pick.size}", 1, 1)
    # 3. Newton to convergence from the FINISH best unfinished ones and the best end point (L-BFGS needs
    #    hundreds of steps for the last digits, Newton a few dozen)
    pending = np.flatnonzero(~done & np.isfinite(value))
    fin = np.union1d(pending[np.argsort(value[pending], kind="stable")[:FINISH]], np.argsort(value, kind="stable")[:1])
    fin = fin[np.isfinite(value[fin])]
    if fin.size:
        last = newton(lm, theta[fin], None, logX, logy, delta=delta, maxiter=maxiter)
        better = last.value <= value[fin]
        sel = fin[better]
        theta[sel], value[sel] = last.theta[better], last.value[better]
        iters[fin] += last.iterations
        done[fin] = done[fin] | last.converged
    if not np.isfinite(value).any():
        raise ValueError(f"the {form.name} fit did not reach a finite objective from any start")
    win = int(np.argmin(value))
    search = Search(n_grid=len(starts), n_starts=int(order.size), best_start=int(order[win]),
                    start_values=tuple(float(v) for v in form.to_natural(starts[order[win]])),
                    iterations=int(iters[win]), converged=bool(done[win]), **_grid_extent(starts))
    return theta[win], float(value[win]), search


def _grid_extent(starts: np.ndarray) -> dict[str, tuple[float, ...]]:
    """Per parameter: the grid's smallest and largest value and the step to the next one at each edge."""
    lo, hi, slo, shi = [], [], [], []
    for j in range(starts.shape[1]):
        u = np.unique(starts[:, j])
        lo.append(float(u[0]))
        hi.append(float(u[-1]))
        slo.append(float(u[1] - u[0]) if u.size > 1 else 0.0)
        shi.append(float(u[-1] - u[-2]) if u.size > 1 else 0.0)
    return {"grid_lo": tuple(lo), "grid_hi": tuple(hi), "grid_step_lo": tuple(slo), "grid_step_hi": tuple(shi)}


def _bootstrap(form: Form, theta, logX, logy, *, count, seed, level, delta, maxiter, progress, codes=None,
               strata=None):
    n, P = logy.size, len(form.params)
    res = resample_weights(logX.T, count, seed, min_distinct=P, codes=codes, strata=strata)
    used = res.used
    reason = None
    if count == 0:
        reason = "bootstrap 0"
    elif n <= P + 1:
        reason = f"too few points for an interval ({n} points, {P} parameters)"
    elif codes is not None and res.units < 3:
        reason = f"too few runs to resample ({res.units}; the bootstrap over runs needs at least 3)"
    elif used < 2:
        reason = "too few usable bootstrap resamples"
    if reason is not None:
        summary = BootstrapSummary(count, 0, res.skipped, 0, level, seed, reason)
        return np.empty((0, P)), summary
    label = f"bootstrap {used} resamples"
    progress(label, 0, used)
    sol = newton(form.log_model(), np.repeat(theta[None, :], used, axis=0), res.reader(), logX, logy,
                 delta=delta, maxiter=maxiter, on_block=lambda k: progress(label, k, used))
    thetas, ok = sol.theta, sol.converged & np.isfinite(sol.value)
    summary = BootstrapSummary(count, int(thetas.shape[0]), res.skipped, int((~ok).sum()), level, seed, None)
    return thetas, summary


#: an interval narrower than this, relative to its ends, has zero width (every refit gave one value)
ZERO_WIDTH_RTOL = 1e-12
#: an RMS log residual below this is an exact fit (noise-free data; float64 rounding is ~1e-16)
EXACT_FIT = 1e-9


def _estimates(form: Form, natural: np.ndarray, boot_nat: np.ndarray, level: float, *,
               noisy: bool) -> tuple[list[Estimate], list[str]]:
    """Each parameter with its percentile interval. On data with scatter (``noisy``) a zero-width
    interval is not a measurement -- every bootstrap refit gave the same value because the parameter
    sits in a flat direction of the objective, or at the edge of float64 (e.g. a floor whose exp
    underflowed to 0) -- so it gets no interval and a warning. (On noise-free data every refit
    rightly lands on the same exact optimum.)"""
    out, warns = [], []
    for j, p in enumerate(form.params):
        lo = hi = None
        if boot_nat.shape[0]:
            lo, hi = percentile_interval(boot_nat[:, j], level)
            if noisy and not hi - lo > ZERO_WIDTH_RTOL * max(abs(lo), abs(hi)):
                warns.append(f"no interval for {p.name}: every bootstrap refit gave {lo:.6g} (a degenerate "
                             "direction of the fit; check the scale of the data, e.g. --scale)")
                lo = hi = None
        out.append(Estimate(p.name, float(natural[j]), lo, hi))
    return out, warns


def fit_form(form: Form, columns: Mapping[str, np.ndarray], y, *, bootstrap: int = 200, seed: int = 0,
             level: float = 0.95, delta: float = HUBER_DELTA, n_starts: int | None = 250,
             grid: dict[str, tuple[float, ...]] | None = None, init: dict[str, float] | None = None,
             coarse_iters: int = 20, polish: int = 32, maxiter: int = 5000,
             progress: Progress | None = None, fix: dict[str, float] | None = None,
             groups=None, identify: bool = True) -> FormFit:
    """Fit ``form`` to ``y`` at ``columns`` (natural units) with the summed Huber loss of log residuals.

    Args:
      n_starts: optimise from the best ``n_starts`` grid points (``None``: all of them).
      coarse_iters / polish: L-BFGS steps of the screen of every start / how many of the best unfinished
        ones are polished (module docstring, step 2).
      grid / init: replace start values (fit coordinates) / pin a start (natural value) per parameter.
      bootstrap: resamples of the points (0: no interval); ``seed`` fixes them.
      fix: pin parameters to natural values (:func:`numerics.fitting.forms.with_fixed`); they are
        reported with ``fixed=True`` and no interval.
      groups: one run label per row: the bootstrap resamples whole runs (:mod:`numerics.fitting.bootstrap`).
      identify: compute profiles, curvature and degeneracy flags (:mod:`numerics.fitting.identify`).
    """
    from scaling_verify.numerics.fitting.bootstrap import group_codes
    from scaling_verify.numerics.fitting.forms import with_fixed

    _check_options(bootstrap, level, delta, n_starts)
    progress = progress or (lambda *_: None)
    full = form
    if fix:
        form = form.with_fixed(fix) if hasattr(form, "with_fixed") else with_fixed(form, fix)
    logX, logy = _log_data(form, columns, y)
    codes = strata = None
    if groups is not None:
        if len(groups) != logy.size:
            raise ValueError(f"groups: {len(groups)} labels for {logy.size} rows")
        codes = group_codes(groups)[0]
    if "family" in form.columns and hasattr(form, "labels"):
        strata = np.rint(np.exp(logX[-1])).astype(np.int64)  # resample within each family
    theta, value, search = _search(form, logX, logy, n_starts=n_starts, grid=grid, init=init, delta=delta,
                                   coarse_iters=coarse_iters, polish=polish, maxiter=maxiter, progress=progress)
    boot_theta, boot = _bootstrap(form, theta, logX, logy, count=bootstrap, seed=seed, level=level, delta=delta,
                                  maxiter=maxiter, progress=progress, codes=codes, strata=strata)
    natural = form.to_natural(theta)
    goodness = diagnostics.goodness(form, theta, logX, logy, delta)
    estimates, flat = _estimates(form, natural, form.to_natural(boot_theta), level,
                                 noisy=goodness.rms_log > EXACT_FIT)
    warns = diagnostics.warnings_for(form, natural, search, boot, goodness) + flat
    from scaling_verify.numerics.fitting.optimize import log_predict

    residuals = log_predict(form.log_model(), theta, logX) - logy
    flags, profs, curv, pints = (), (), None, ()
    if identify:
        flags, profs, curv, pints = _identify(form, theta, natural, logX, logy, delta, search, estimates,
                                              boot_theta, residuals, level)
        warns += [f.message for f in flags if f.message not in warns]
    return FormFit(form=form, estimates=_with_fixed_estimates(full, estimates, fix or {}), goodness=goodness,
                   search=search, bootstrap=boot, delta=delta, warnings=tuple(warns), theta=theta,
                   boot_theta=boot_theta, flags=tuple(flags), profiles=profs, curvature=curv,
                   fixed=dict(fix or {}), residuals=residuals, profile_intervals=pints)


def _with_fixed_estimates(full: Form, estimates: list[Estimate], fix: dict[str, float]) -> tuple[Estimate, ...]:
    """The estimates in ``full``'s parameter order, pinned ones included (``fixed=True``, no interval)."""
    fitted = {e.name: e for e in estimates}

    def pinned(name: str) -> float:  # a family's copy "E[label]" is pinned by "E"
        return float(fix[name] if name in fix else fix[name.split("[", 1)[0]])

    return tuple(fitted[p.name] if p.name in fitted else Estimate(p.name, pinned(p.name), fixed=True)
                 for p in full.params)


def _identify(form, theta, natural, logX, logy, delta, search, estimates, boot_theta, residuals, level):
    """Degeneracy flags, profiles, curvature and the profile-likelihood intervals of the exponents
    (:mod:`numerics.fitting.identify`)."""
    from scaling_verify.numerics.fitting import identify as ident

    profs = ident.profiles(form, theta, logX, logy, delta)
    beyond = (ident.beyond_grid(form, theta, search.grid_lo, search.grid_hi, search.grid_step_lo,
                                search.grid_step_hi) if search.grid_lo else {})
    flags = ident.profile_flags(form, profs, natural, beyond)
    if search.grid_lo:
        flags += ident.grid_flags(form, theta, search.grid_lo, search.grid_hi, search.grid_step_lo,
                                  search.grid_step_hi)
    flags += ident.interval_flags(form, estimates)
    flags += [ident.Flag("bound", p.name, diagnostics.bound_message(p, v))
              for p, v in zip(form.params, natural) if diagnostics.at_bound(p, v)]
    curv = ident.curvature(form, theta, logX, boot_theta if boot_theta.shape[0] else None)
    pints = ident.profile_intervals(form, theta, logX, logy, delta, residuals, level)
    flags += ident.open_interval_flags(pints)
    return flags, profs, curv, pints
