"""Goodness of fit and the warnings a fit raises instead of staying silent."""

from __future__ import annotations

import math

import numpy as np

from scaling_verify.numerics.fitting.forms import Form
from scaling_verify.numerics.fitting.results import BootstrapSummary, Goodness, Search

#: an exponent beyond this (or a log-scale parameter beyond ``exp(+-LOG_LIMIT)``) is called extreme
EXPONENT_LIMIT = 10.0
LOG_LIMIT = 60.0


def goodness(form: Form, theta: np.ndarray, logX: np.ndarray, logy: np.ndarray, delta: float) -> Goodness:
    """RMS log residual, summed Huber objective and :math:`R^2` of :math:`\\log L` at ``theta``."""
    from scaling_verify.numerics.fitting.optimize import huber_np, log_predict

    r = log_predict(form.log_model(), theta, logX) - logy
    hub = float(np.sum(huber_np(r, delta)))
    ss_tot = float(np.sum((logy - logy.mean()) ** 2))
    r2 = 1.0 - float(np.sum(r ** 2)) / ss_tot if ss_tot > 0 else math.nan
    return Goodness(rms_log=float(np.sqrt(np.mean(r ** 2))), huber=hub, r2_log=r2,
                    n_points=int(logy.size), n_params=len(form.params))


def at_bound(p, v: float) -> bool:
    """A positive parameter that ran to its bound: 0 (``exp(theta)`` underflowed, or below
    ``exp(-LOG_LIMIT)``) or beyond ``exp(LOG_LIMIT)``."""
    return p.log_scale and math.isfinite(v) and (v <= 0 or abs(math.log(v)) > LOG_LIMIT)


def bound_message(p, v: float) -> str:
    edge = "0" if v <= 1 else "infinity"
    return (f"parameter {p.name} = {v:.4g} ran to an extreme scale (its bound, {edge}): the fit is probably "
            "degenerate (try --scale)")


def warnings_for(form: Form, values: np.ndarray, search: Search, boot: BootstrapSummary,
                 good: Goodness) -> list[str]:
    """One line per thing a reader of the fit should know: negative or extreme exponents, extreme
    scales, no convergence, bootstrap refits that did not converge, non-finite values."""
    out = []
    for p, v in zip(form.params, values):
        if not math.isfinite(v):
            out.append(f"parameter {p.name} is not finite ({v}); reported as null")
        elif not p.log_scale and v < 0:
            out.append(f"fitted exponent {p.name} = {v:.4g} is negative: the data may be badly scaled "
                       f"(try --scale) or the form may not describe them")
        elif not p.log_scale and abs(v) > EXPONENT_LIMIT:
            out.append(f"fitted exponent {p.name} = {v:.4g} is extreme: the fit is probably degenerate")
        elif at_bound(p, v):
            out.append(bound_message(p, v))
    if not search.converged:
        out.append(f"the optimiser did not converge in {search.iterations} iterations")
    if boot.used and boot.not_converged > 0.1 * boot.used:
        out.append(f"{boot.not_converged} of {boot.used} bootstrap refits did not converge")
    if good.r2_log is not None and math.isfinite(good.r2_log) and good.r2_log < 0:
        out.append(f"R^2 of log loss is negative ({good.r2_log:.3g}): the form fits worse than a constant")
    if not math.isfinite(good.huber):
        out.append("the objective at the optimum is not finite")
    return out
