"""The Chinchilla law :math:`L(N, D) = E + A N^{-\\alpha} + B D^{-\\beta}`: fit and compute-optimal allocation.

* :func:`fit_chinchilla` -- Hoffmann et al.'s fit (arXiv 2203.15556, App. D.2): summed Huber loss
  (:math:`\\delta = 10^{-3}`) of log residuals of the log-sum-exp form, L-BFGS from the best of the
  4500-point start grid, a bootstrap over points -- all on the vectorised JAX optimiser
  (:mod:`numerics.fitting.engine`). :func:`numerics.fitting.reference.fit_chinchilla_reference` is the
  scipy loop it replaced and reaches the same optimum.
* :func:`chinchilla_allocation` -- :math:`N_{opt} = G (C/6)^{a}`, :math:`D_{opt} = G^{-1}(C/6)^{b}`,
  :math:`G = (\\alpha A/(\\beta B))^{1/(\\alpha+\\beta)}`, :math:`a = \\beta/(\\alpha+\\beta)`, :math:`b = \\alpha/(\\alpha+\\beta)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scaling_verify.numerics.fitting.optimize import HUBER_DELTA


@dataclass(frozen=True)
class ChinchillaFit:
    """``L(N, D) = E + A N^{-alpha} + B D^{-beta}`` with bootstrap intervals (``ci`` empty: no interval)."""

    E: float
    A: float
    B: float
    alpha: float
    beta: float
    ci: dict[str, tuple[float, float]]
    objective: float
    n_boot: int
    seed: int
    level: float = 0.95
    details: object = field(default=None, repr=False, compare=False)

    def params(self) -> dict[str, float]:
        return {"E": self.E, "A": self.A, "B": self.B, "alpha": self.alpha, "beta": self.beta}

    def as_dict(self) -> dict:
        return {k: {"value": v, "ci": list(self.ci[k]) if k in self.ci else None} for k, v in self.params().items()}

    def predict(self, N, D):
        N, D = np.asarray(N, float), np.asarray(D, float)
        return self.E + self.A * N ** -self.alpha + self.B * D ** -self.beta


def _grid_overrides(grid: dict[str, np.ndarray]) -> dict[str, tuple[float, ...]]:
    """The legacy grid keys (``a, b, e`` = logs of ``A, B, E``) -> the form's parameter names."""
    names = {"a": "A", "b": "B", "e": "E", "alpha": "alpha", "beta": "beta"}
    return {names[k]: tuple(float(v) for v in np.atleast_1d(vals)) for k, vals in grid.items()}


def fit_chinchilla(N, D, L, *, bootstrap: int = 100, seed: int = 0, level: float = 0.95,
                   grid: dict[str, np.ndarray] | None = None, delta: float = HUBER_DELTA,
                   n_starts: int | None = 250, progress=None) -> ChinchillaFit:
    """Hoffmann et al.'s fit of :math:`L = E + A N^{-\\alpha} + B D^{-\\beta}` with bootstrap intervals.

    The objective is evaluated at every point of ``grid`` (default: Hoffmann/Epoch's 4500-point grid in
    :math:`(a, b, e, \\alpha, \\beta)`, :math:`a = \\log A`); L-BFGS then starts from the ``n_starts``
    best of them (``None``: all). Each bootstrap refit starts from the optimum of the full fit.
    """
    from scaling_verify.numerics.fitting.engine import fit_form
    from scaling_verify.numerics.fitting.forms import chinchilla

    N, D, L = (np.asarray(v, dtype=float) for v in (N, D, L))
    if not (N.shape == D.shape == L.shape) or N.ndim != 1:
        raise ValueError("N, D and loss must be 1-D arrays of equal length")
    if N.size < 6:
        raise ValueError(f"too few points to fit: {N.size} (need at least 6 for 5 parameters)")
    if np.unique(N).size < 2 or np.unique(D).size < 2:
        raise ValueError("N and D must each take at least two distinct values")
    res = fit_form(chinchilla(), {"N": N, "D": D}, L, bootstrap=bootstrap, seed=seed, level=level, delta=delta,
                   n_starts=n_starts, grid=_grid_overrides(grid) if grid else None, progress=progress)
    p = res.params()
    ci = {e.name: (e.lo, e.hi) for e in res.estimates if e.has_interval}
    return ChinchillaFit(E=p["E"], A=p["A"], B=p["B"], alpha=p["alpha"], beta=p["beta"], ci=ci,
                         objective=res.goodness.huber, n_boot=res.bootstrap.used, seed=seed, level=level, details=res)


def chinchilla_allocation(fit: ChinchillaFit | dict, C) -> tuple[np.ndarray, np.ndarray]:
    """Compute-optimal :math:`N_{opt}(C), D_{opt}(C)` under :math:`C = 6 N D` (Hoffmann et al. eq. 4).

    ``A, B, alpha, beta`` must be positive and finite (a negative ``A`` made :math:`G` complex); ``C``
    positive and finite. N, D and C are in the units the law was fitted in (6 N D FLOPs when N counts
    parameters and D tokens). ValueError (one line) otherwise.
    """
    p = fit.params() if isinstance(fit, ChinchillaFit) else fit
    missing = [k for k in ("A", "B", "alpha", "beta") if k not in p]
    if missing:
        raise ValueError(f"the allocation needs the parameters A, B, alpha, beta; missing {', '.join(missing)}")
    for k in ("A", "B", "alpha", "beta"):
        v = p[k]
        number = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        if not (number and np.isfinite(v) and v > 0):
            raise ValueError(f"the allocation needs positive finite A, B, alpha and beta; got {k} = {v!r}")
    al, be, A, B = (float(p[k]) for k in ("alpha", "beta", "A", "B"))
    C = np.asarray(C, dtype=float)
    if not np.all(np.isfinite(C)) or np.any(C <= 0):
        raise ValueError("compute must be positive and finite")
    G = (al * A / (be * B)) ** (1 / (al + be))
    return G * (C / 6) ** (be / (al + be)), (C / 6) ** (al / (al + be)) / G


