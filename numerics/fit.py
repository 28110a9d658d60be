"""Fits used across the project (a thin front for :mod:`numerics.fitting`).

* :func:`fit_power_law` -- :math:`y = c\\,x^{-p}` (optionally :math:`+ E`), log-log least squares with
  a bootstrap over points or seeds (:mod:`numerics.fitting.power_law`).
* :func:`fit_chinchilla` -- :math:`L(N, D) = E + A N^{-\\alpha} + B D^{-\\beta}` as Hoffmann et al.
  (arXiv 2203.15556, App. D.2) fitted it, on the vectorised JAX optimiser
  (:mod:`numerics.fitting.chinchilla`); :func:`fit_chinchilla_reference` is the scipy loop it replaced.
* :func:`fit_form` -- any :class:`~numerics.fitting.forms.Form` (Chinchilla, Kaplan, data-constrained,
  BNSL, power, or a parsed user expression).
* :func:`chinchilla_allocation` -- compute-optimal :math:`N_{opt}(C), D_{opt}(C)`.
* :func:`read_csv` -- numeric columns of a CSV (UTF-8, BOM allowed).
* In practice (:mod:`numerics.fitting.practice`, :mod:`numerics.fitting.identify`,
  :mod:`numerics.fitting.family`): :func:`with_fixed` pins parameters, ``fit_form(..., fix=,
  groups=)`` pins and resamples whole runs, :class:`FamilyForm` shares exponents across model
  families, :func:`predict_rows` predicts new rows with intervals, :func:`backtest_folds` runs rolling
  leave-future-out backtests; every :class:`FormFit` carries degeneracy ``flags``, ``profiles``,
  ``curvature`` and the profile-likelihood intervals of its exponents (:func:`profile_intervals`).
* Uncertainty checks: :func:`assert_coverage` (a CI assertion on the prediction-interval coverage of
  a backtest, :func:`holdout_coverage` / :func:`backtest_folds`), :func:`allocation_intervals`
  (delta-method and bootstrap intervals of N_opt, D_opt, D_opt/N_opt), :func:`covariance` (the Huber
  sandwich covariance, :mod:`numerics.fitting.asymptotic`).
* :func:`select_form` -- fit every built-in law the columns allow and rank them by AICc and by
  leave-one-budget-out error (:mod:`numerics.fitting.select`).

The power-law fit imports only numpy and scipy; the rest (JAX, SymPy) load on first use.
"""

from __future__ import annotations

import importlib

from scaling_verify.numerics.fitting.power_law import PowerFit, fit_power_law, local_slopes

_LAZY = {
    "ChinchillaFit": "scaling_verify.numerics.fitting.chinchilla", "chinchilla_allocation": "scaling_verify.numerics.fitting.chinchilla",
    "fit_chinchilla": "scaling_verify.numerics.fitting.chinchilla", "fit_form": "scaling_verify.numerics.fitting.engine",
    "parse_form": "scaling_verify.numerics.fitting.expr_parser", "Form": "scaling_verify.numerics.fitting.forms",
    "builtin_form": "scaling_verify.numerics.fitting.forms", "read_csv": "scaling_verify.numerics.fitting.io",
    "HUBER_DELTA": "scaling_verify.numerics.fitting.optimize", "FormFit": "scaling_verify.numerics.fitting.results",
    "DEFAULT_GRID": "scaling_verify.numerics.fitting.reference", "fit_chinchilla_reference": "scaling_verify.numerics.fitting.reference",
    "_chinchilla_objective": "scaling_verify.numerics.fitting.reference", "_minimise": "scaling_verify.numerics.fitting.reference",
    "with_fixed": "scaling_verify.numerics.fitting.forms", "FamilyForm": "scaling_verify.numerics.fitting.family",
    "predict_rows": "scaling_verify.numerics.fitting.practice", "backtest_folds": "scaling_verify.numerics.fitting.practice",
    "assert_coverage": "scaling_verify.numerics.fitting.practice", "Coverage": "scaling_verify.numerics.fitting.practice",
    "holdout_coverage": "scaling_verify.numerics.fitting.practice",
    "allocation_intervals": "scaling_verify.numerics.fitting.asymptotic",
    "covariance": "scaling_verify.numerics.fitting.asymptotic",
    "profile_intervals": "scaling_verify.numerics.fitting.identify",
    "select_form": "scaling_verify.numerics.fitting.select",
}

__all__ = ["PowerFit", "fit_power_law", "local_slopes", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
