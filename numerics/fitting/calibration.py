r"""Do the fitting lab's prediction intervals cover real held-out runs? Rolling backtests on the stored data sets.

For each stored data set (:mod:`numerics.fitting.datasets`) a fixed study, :data:`STUDIES`: which law is fitted
to which rows, along which column the future lies, and how many folds. Each fold fits the rows up to a cut
(with its bootstrap) and predicts the next block, each held-out point with its prediction interval
(:func:`numerics.fitting.practice.backtest_folds`: parameter refits plus the fit's modified log residuals).
The figure per data set and law is the fraction of held-out points inside their interval, pooled over its
curves and folds, with the Wilson score interval of that fraction (Wilson 1927) at 95 %:

.. math:: \frac{\hat c + z^2/2m \pm z\sqrt{\hat c(1-\hat c)/m + z^2/4m^2}}{1 + z^2/m},\qquad z = 1.96 .

Verdict: ``under-covers`` when the Wilson interval lies wholly below the nominal level, ``over-covers`` when
wholly above, else ``consistent`` with it. Points whose fold could not form an interval (a bootstrap on too
few rows) are counted apart, never as covered.

* ``datablations_runs`` -- every run (Muennighoff et al., arXiv:2305.16264), ``chinchilla`` on (N, D) and
  ``data-constrained`` on (N, D, U); 3 folds along the compute :math:`C = 6ND`. ``datablations_paper_runs``:
  the same on the 182 runs the paper fitted after removing outliers (which still hold runs of up to 9,000
  epochs with losses up to 8.1).
* ``revisiting_lang`` -- each NMT and LM learning curve of Alabdulmohsin et al. (arXiv:2209.06640), the
  power law with a floor :math:`y = E + c\,x^{-p}` in the examples seen; 2 folds along them (the NMT curves
  have 10-11 points).
* ``pythia_lambada`` -- each Pythia size (Biderman et al., arXiv:2304.01373), LAMBADA perplexity against
  tokens seen, checkpoints from step 1000 on (earlier ones are near the untrained perplexity of about
  :math:`3.6\times10^6`), the power law with a floor; 3 folds along tokens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from scaling_verify.numerics.fitting.practice import Coverage

__all__ = ["STUDIES", "Curve", "SetCoverage", "Study", "coverage", "curves", "wilson"]

#: two-sided 95 % normal quantile of the Wilson interval
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Study:
    """How one data set is backtested: its laws, the folds, and (in words) the rows and the order."""

    dataset: str
    laws: tuple[str, ...]
    folds: int
    rows: str


STUDIES: dict[str, Study] = {
    "datablations_runs": Study("datablations_runs", ("chinchilla", "data-constrained"), 3,
                               "every run; folds along C = 6ND"),
    "datablations_paper_runs": Study("datablations_runs", ("chinchilla", "data-constrained"), 3,
                                     "the 182 runs Muennighoff et al. fitted after removing outliers (the record "
                                     "muennighoff2023_decay); folds along C = 6ND"),
    "revisiting_lang": Study("revisiting_lang", ("power",), 2,
                             "each learning curve (Domain, Model), all its rows; folds along the examples seen"),
    "pythia_lambada": Study("pythia_lambada", ("power",), 3,
                            "each model size, checkpoints with step >= 1000; LAMBADA perplexity against tokens; "
                            "folds along tokens"),
}
PYTHIA_MIN_STEP = 1000


@dataclass(frozen=True)
class Curve:
    """The rows of one backtested curve: law columns, the observed values, and the order of the future."""

    name: str
    columns: dict[str, np.ndarray]
    y: np.ndarray
    order: np.ndarray


@dataclass(frozen=True)
class SetCoverage:
    """The pooled coverage of one data set and law (module docstring)."""

    dataset: str
    law: str
    curves: int
    pooled: Coverage
    without_interval: int
    rms_log_error: float
    #: mean of log(predicted) - log(observed) over the held-out points: a systematic error of the law's
    #: extrapolation, which no interval built from in-sample scatter can cover
    mean_log_error: float

    @property
    def level(self) -> float:
        return self.pooled.level

    @property
    def rate(self) -> float | None:
        return self.pooled.rate

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.pooled.covered, self.pooled.total) if self.pooled.total else None

    @property
    def verdict(self) -> str:
        iv = self.interval
        if iv is None:
            return "no interval"
        return "under-covers" if iv[1] < self.level else "over-covers" if iv[0] > self.level else "consistent"

    def as_dict(self) -> dict:
        iv = self.interval
        return {"dataset": self.dataset, "law": self.law, "curves": self.curves, **self.pooled.as_dict(),
                "wilson_95": list(iv) if iv else None, "verdict": self.verdict,
                "points_without_interval": self.without_interval,
                "rms_log_error": self.rms_log_error if math.isfinite(self.rms_log_error) else None,
                "mean_log_error": self.mean_log_error if math.isfinite(self.mean_log_error) else None}


def wilson(k: int, m: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``k`` successes in ``m`` trials (module docstring)."""
    c = k / m
    centre = (c + z * z / (2 * m)) / (1 + z * z / m)
    half = z * math.sqrt(c * (1 - c) / m + z * z / (4 * m * m)) / (1 + z * z / m)
    return max(0.0, centre - half), min(1.0, centre + half)


def curves(name: str, law: str) -> list[Curve]:
    """The curves of the study of data set ``name`` for ``law``, in a fixed order."""
    from scaling_verify.numerics.fitting import datasets

    if name not in STUDIES:
        raise ValueError(f"no backtest study is named {name!r}; choose one of {', '.join(STUDIES)}")
    ds = datasets.load(STUDIES[name].dataset)
    f = lambda c: np.asarray(ds.column(c), float)  # noqa: E731
    if STUDIES[name].dataset == "datablations_runs":
        keep = np.ones(ds.rows, bool)
        if name == "datablations_paper_runs":
            from scaling_verify.numerics.fitting.published import record

            keep = record("muennighoff2023_decay").protocol.rows.mask(ds.columns, "loss")
        cols = {c: f(c)[keep] for c in (("N", "D", "U") if law == "data-constrained" else ("N", "D"))}
        return [Curve("all runs" if keep.all() else f"{int(keep.sum())} runs", cols, f("loss")[keep],
                      6.0 * cols["N"] * cols["D"])]
    if name == "revisiting_lang":
        dom, mod = ds.column("Domain"), ds.column("Model")
        out = []
        for key in dict.fromkeys(zip(dom.tolist(), mod.tolist())):
            rows = (dom == key[0]) & (mod == key[1])
            x = f("Seen Examples")[rows]
            out.append(Curve(f"{key[0]} {key[1]}", {"x": x}, f("Loss")[rows], x))
        return out
    if name == "pythia_lambada":
        model, step = ds.column("model"), np.asarray(ds.column("step"))
        out = []
        for key in dict.fromkeys(model.tolist()):
            rows = (model == key) & (step >= PYTHIA_MIN_STEP)
            x = f("tokens")[rows]
            out.append(Curve(key, {"x": x}, f("lambada_ppl")[rows], x))
        return out
    raise ValueError(f"no backtest study is defined for data set {name!r}; choose one of {', '.join(STUDIES)}")


def _form(law: str):
    from scaling_verify.numerics.fitting.forms import builtin_form

    return builtin_form(law, floor=True) if law == "power" else builtin_form(law)


def coverage(name: str, law: str, *, level: float = 0.9, bootstrap: int = 100, seed: int = 0,
             progress: Callable[[str], None] | None = None) -> SetCoverage:
    """Backtest ``law`` on every curve of the study of ``name`` and pool the coverage (module docstring)."""
    from scaling_verify.numerics.fitting import practice
    from scaling_verify.numerics.fitting.engine import fit_form

    study = STUDIES[name]
    form = _form(law)
    covered = total = missing = 0
    sq, tot, n_err = 0.0, 0.0, 0
    todo = curves(name, law)
    for cv in todo:
        def fit_fn(mask, cv=cv):
            return fit_form(form, {c: v[mask] for c, v in cv.columns.items()}, cv.y[mask], bootstrap=bootstrap,
                            seed=seed, level=level, identify=False)

        folds, cov = practice.backtest_folds(fit_fn, cv.columns, cv.y, cv.order, study.folds, seed=seed,
                                             min_rows=len(form.params) + 1)
        covered += cov.covered
        total += cov.total
        missing += sum(f.n_test for f in folds) - cov.total
        for f in folds:
            err = np.array([math.log(p["predicted"]) - math.log(p["observed"]) for p in f.points], float)
            if err.size and np.all(np.isfinite(err)):
                sq += float(np.sum(err ** 2))
                tot += float(np.sum(err))
                n_err += err.size
        if progress is not None:
            progress(f"{name} {law} {cv.name}: {cov.covered}/{cov.total}")
    rms = math.sqrt(sq / n_err) if n_err else math.nan
    return SetCoverage(name, law, len(todo), Coverage(covered, total, level), missing, rms,
                       tot / n_err if n_err else math.nan)
