"""Which law fits? Fit every candidate form and rank them by AICc and by leave-one-budget-out error.

* **AICc** of the log residuals :math:`r_i` at each fit, as Gaussian errors with the variance profiled
  out: :math:`\\mathrm{AIC} = n\\log(\\mathrm{RSS}/n) + 2k`, :math:`k = P + 1` (the noise variance
  counts), :math:`\\mathrm{AICc} = \\mathrm{AIC} + 2k(k+1)/(n-k-1)` (Hurvich & Tsai 1989; Burnham &
  Anderson 2002, eq. 2.14). The fits minimise the Huber loss (Hoffmann et al. 2022, arXiv:2203.15556),
  so this is the usual approximation, not the likelihood the fit maximised; it is comparable across
  forms because every form is fitted to the same rows.
* **Leave-one-budget-out** (leave-one-compute-group-out, :mod:`numerics.fitting.budgets`): for each
  compute budget :math:`g` the form is refitted without its rows and predicts them; the score is the RMS
  log error over every held-out row. All :math:`G` refits run as one batch: weight rows that are 0 on
  budget :math:`g` (the bootstrap's mechanism), damped Newton from the full fit's optimum
  (:func:`numerics.fitting.optimize.newton`). Budgets beyond :data:`MAX_GROUPS` are merged into
  contiguous blocks. Needs at least 3 budgets.

The selected form is the one with the lowest leave-one-budget-out error (how well it predicts compute
it has not seen: what a scaling law is used for; Besiroglu et al. 2024, arXiv:2404.10102, compare fits
the same way), or by AICc when there are too few budgets; both rankings are reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

#: the most leave-out groups (budgets beyond it are merged into contiguous blocks)
MAX_GROUPS = 20
#: the fewest budgets a leave-one-budget-out score needs
MIN_GROUPS = 3


@dataclass(frozen=True)
class Candidate:
    """A built-in law to try: the ``--form`` name, its options and the form itself."""

    name: str
    form: object
    floor: bool = False

    @property
    def label(self) -> str:
        return f"{self.name}+floor" if self.floor else self.name


@dataclass(frozen=True)
class Ranked:
    """One candidate's scores (None: not available, with ``note`` saying why)."""

    label: str
    n_params: int
    aicc: float | None
    logo_rms: float | None
    rms_log: float | None
    converged: bool
    note: str | None = None

    def as_dict(self) -> dict:
        fin = lambda v: float(v) if v is not None and math.isfinite(v) else None  # noqa: E731
        return {"form": self.label, "n_params": self.n_params, "aicc": fin(self.aicc),
                "leave_one_budget_out_rms_log": fin(self.logo_rms), "rms_log_residual": fin(self.rms_log),
                "converged": self.converged, "note": self.note}


@dataclass(frozen=True)
class Selection:
    """The ranking (best first by the criterion ``by``), the chosen candidate and the AICc winner."""

    selected: Candidate
    by: str
    ranking: tuple[Ranked, ...]
    aicc_best: str | None
    n_groups: int

    def as_dict(self) -> dict:
        return {"selected": self.selected.label, "by": self.by, "aicc_best": self.aicc_best,
                "budgets": self.n_groups, "ranking": [r.as_dict() for r in self.ranking]}


def aicc(residuals: np.ndarray, n_params: int) -> float | None:
    """AICc of Gaussian log residuals (module docstring); None when :math:`n \\le k + 1` or RSS = 0."""
    r = np.asarray(residuals, float)
    n, k = r.size, n_params + 1
    rss = float(np.sum(r ** 2))
    if n <= k + 1 or not rss > 0:
        return None
    return n * math.log(rss / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)


def leave_group_out(form, theta: np.ndarray, logX: np.ndarray, logy: np.ndarray, groups: np.ndarray,
                    delta: float) -> tuple[float | None, bool]:
    """RMS log error of each group's rows predicted by the refit without them (module docstring), and
    whether every refit converged."""
    from scaling_verify.numerics.fitting.optimize import newton
    from scaling_verify.numerics.fitting.practice import _log_predictions

    G = int(groups.max()) + 1
    if G < MIN_GROUPS:
        return None, True
    W = (groups[None, :] != np.arange(G)[:, None]).astype(float)
    sol = newton(form.log_model(), np.repeat(np.asarray(theta, float)[None, :], G, axis=0), W, logX, logy,
                 delta=delta, maxiter=500)
    pred = _log_predictions(form.log_model(), sol.theta, logX)  # (G, n)
    r = pred[groups, np.arange(logy.size)] - logy
    if not np.all(np.isfinite(r)):
        return math.inf, bool(sol.converged.all())
    return float(np.sqrt(np.mean(r ** 2))), bool(sol.converged.all())


def select_form(candidates: list[Candidate], columns: Mapping[str, np.ndarray], y: np.ndarray,
                budgets: np.ndarray, *, fit_kwargs: dict | None = None,
                progress: Callable | None = None) -> Selection:
    """Fit every candidate (no bootstrap, no profiles) and rank them (module docstring).

    ``budgets``: a compute-budget label per row (:func:`numerics.fitting.budgets.budget_labels`); a
    candidate that cannot be fitted (e.g. too few rows for its parameters) is ranked last with a note."""
    from scaling_verify.numerics.fitting.budgets import merge_budgets
    from scaling_verify.numerics.fitting.engine import _log_data, fit_form

    if not candidates:
        raise ValueError("--select: no built-in law fits these columns")
    groups = merge_budgets(np.unique(budgets, return_inverse=True)[1], MAX_GROUPS)
    kw = dict(fit_kwargs or {}) | {"bootstrap": 0, "identify": False}
    rows = []
    for cand in candidates:
        try:
            res = fit_form(cand.form, columns, y, progress=progress, **kw)
        except ValueError as exc:
            rows.append(Ranked(cand.label, len(cand.form.params), None, None, None, False, str(exc).splitlines()[0]))
            continue
        logX, logy = _log_data(cand.form, columns, y)
        logo, ok = leave_group_out(cand.form, res.theta, logX, logy, groups, res.delta)
        note = None if ok else "some leave-one-budget-out refits did not converge"
        rows.append(Ranked(cand.label, len(cand.form.params), aicc(res.residuals, len(cand.form.params)), logo,
                           res.goodness.rms_log, res.search.converged, note))
    n_groups = int(groups.max()) + 1
    by = "leave-one-budget-out" if n_groups >= MIN_GROUPS else "AICc"
    inf = math.inf
    key_a = lambda r: r.aicc if r.aicc is not None else inf  # noqa: E731
    key_l = lambda r: (r.logo_rms if r.logo_rms is not None else inf, key_a(r))  # noqa: E731
    ranking = sorted(rows, key=key_l if by == "leave-one-budget-out" else key_a)
    if ranking[0].aicc is None and ranking[0].logo_rms is None:
        raise ValueError(f"--select: no candidate could be fitted ({ranking[0].note})")
    best_a = min(rows, key=key_a)
    chosen = next(c for c in candidates if c.label == ranking[0].label)
    return Selection(chosen, by, tuple(ranking), best_a.label if best_a.aicc is not None else None, n_groups)
