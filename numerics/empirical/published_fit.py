r"""The ``empirical`` check of a published fit (the claim: :mod:`theory.published_fits`).

The check refits the form on the record's rows once per process (:func:`refit_of`, a shared measurement)
and judges (:mod:`numerics.fitting.reproduce`):

* the registered claim: :func:`numerics.fitting.reproduce.judge` -- the drop-in-dispersion test of the
  printed parameters against the optimum (:math:`T = 2\Delta F/s` against :math:`\chi^2_{k,0.95}`), the
  identifiability of every fitted parameter, and the printed intervals against the refit's;
* a perturbed claim (its power items: the printed exponents :math:`\alpha, \beta` scaled by 0.9 and 1.1,
  ``PowerSpec(rates=...)``): the same joint test on the perturbed law's predictions at the same rows
  (:func:`numerics.fitting.reproduce.judge_predictions`).

The check passes when the outcome is ``reproduced``; :attr:`CheckResult.outcome` carries the word, and the
claim's verdict is that word when it is the outcome the claim states. When the record's data set is one fetched
on demand and not yet on this machine, the outcome is ``needs data`` with the line that says how to fetch it.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from scaling_verify.checks import NEEDS_DATA, CheckResult, Context, Measured
from scaling_verify.checks.measurement import measurement
from scaling_verify.numerics.fitting import published
from scaling_verify.numerics.fitting.reproduce import Outcome, judge, judge_predictions, refit
from scaling_verify.theory.claims import Claim

QUICK_BOOTSTRAP = 50
FULL_BOOTSTRAP = 400


@measurement
def refit_of(record_name: str, quick: bool, seed: int):
    """The refit of the published record ``record_name`` on its stored rows (bootstrap: 50 resamples quick,
    400 full; ``seed`` seeds the resampling)."""
    rec = published.record(record_name)
    return refit(rec, bootstrap=QUICK_BOOTSTRAP if quick else FULL_BOOTSTRAP, seed=seed)


def predictions(claim: Claim, rf) -> np.ndarray:
    """The claim's law at the refit's rows (its own expression: a perturbed claim's law too)."""
    cols = tuple(s for s in claim.symbols if s.name in rf.columns)
    rest = tuple(s for s in claim.symbols if s not in cols)
    fn = sp.lambdify(cols + rest, claim.expr, "numpy")
    with np.errstate(all="ignore"):
        out = fn(*(np.asarray(rf.columns[s.name], float) for s in cols), *(float(claim.params[s.name]) for s in rest))
    return np.broadcast_to(np.asarray(out, float), rf.logy.shape)


def check_of(record_name: str):
    """The ``empirical`` check of the claims built from ``record_name`` (see the module docstring)."""

    def check(claim: Claim, ctx: Context) -> CheckResult:
        from scaling_verify.numerics.fitting.datasets import DataNotFetched

        try:
            rf = refit_of(record_name, ctx.quick, ctx.seed)
        except DataNotFetched as exc:  # a data set fetched on demand, not yet on this machine: no evidence
            return CheckResult(False, f"{NEEDS_DATA}: {exc}", {"dataset": published.record(record_name).dataset},
                               outcome=NEEDS_DATA)
        rep = judge(rf) if not claim.perturbation else judge_predictions(rf, predictions(claim, rf), claim.perturbation)
        t = rep.test
        values = [] if t is None else [Measured("T = 2 dF/s (drop-in-dispersion)", float(min(t.statistic, 1e300)),
                                               float(t.threshold), not t.rejects)]
        measured = {"outcome": rep.outcome.value, "rows": rep.n_rows, "objective_tested": rep.objective_tested,
                    "objective_optimum": rep.objective_optimum, "unidentified": list(rep.unidentified),
                    "refit": {p.name: p.value for p in rep.parameters}}
        return CheckResult(rep.outcome is Outcome.REPRODUCED, f"{rep.outcome.value}: {rep.detail}", measured,
                           values=values, outcome=rep.outcome.value)

    check.__doc__ = f"Refit of the published record {record_name!r} on its stored rows, judged (module docstring)."
    return check
