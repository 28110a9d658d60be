"""``--plot DIR``: PNGs of a fit, each drawn on a :class:`matplotlib.figure.Figure` of its own (no pyplot
state, the caller's backend untouched).

* :func:`plot_fit` -- ``fit.png``: observed against predicted loss, and the log residuals.
* :func:`plot_isoflop` -- ``isoflop.png``: loss against N at each compute budget :math:`C = 6ND`
  (:mod:`numerics.fitting.budgets`) with at least :data:`MIN_BUDGET_ROWS` rows, and the fitted law along
  the same budget, :math:`L(N, C/(6N))` (Hoffmann et al. 2022, arXiv:2203.15556, fig. 3).
* :func:`plot_frontier` -- ``frontier.png``: the compute-optimal :math:`N_{opt}(C)` of the Chinchilla law
  (eq. 4) with the bootstrap percentile band over the refits, and each budget's lowest-loss N.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: the most points drawn (an even sample of the rows beyond that)
MAX_POINTS = 20_000


def plot_fit(path: Path, observed: np.ndarray, predicted: np.ndarray, title: str) -> Path:
    """Write ``path`` (PNG): observed vs predicted loss on log axes, and the log residuals."""
    from matplotlib.figure import Figure  # a figure object of its own: no pyplot state, the caller's backend untouched

    fig = Figure(figsize=(9, 4))
    ax = fig.subplots(1, 2)
    if observed.size > MAX_POINTS:  # an even sample keeps the figure small and quick; the fit used all rows
        pick = np.linspace(0, observed.size - 1, MAX_POINTS).astype(int)
        title = f"{title} ({MAX_POINTS:,} of {observed.size:,} rows shown)"
        observed, predicted = observed[pick], predicted[pick]
    lo, hi = min(observed.min(), predicted.min()), max(observed.max(), predicted.max())
    ax[0].loglog(predicted, observed, "o", ms=3)
    ax[0].loglog([lo, hi], [lo, hi], "k--", lw=1)
    ax[0].set_xlabel("predicted")
    ax[0].set_ylabel("observed")
    ax[1].semilogx(predicted, np.log(observed) - np.log(predicted), "o", ms=3)
    ax[1].axhline(0, color="k", lw=1)
    ax[1].set_xlabel("predicted")
    ax[1].set_ylabel("log residual")
    fig.suptitle(title)
    return _save(fig, path)


#: rows a budget needs to be drawn as an isoFLOP curve
MIN_BUDGET_ROWS = 3
#: the most budgets drawn (evenly chosen)
MAX_BUDGETS = 8


def _budgets(N: np.ndarray, D: np.ndarray) -> list[np.ndarray]:
    """Row indices of each compute budget with at least :data:`MIN_BUDGET_ROWS` rows."""
    from scaling_verify.numerics.fitting.budgets import budget_labels, training_compute

    lab = budget_labels(training_compute(N, D))
    groups = [np.flatnonzero(lab == g) for g in range(int(lab.max()) + 1)]
    return [g for g in groups if g.size >= MIN_BUDGET_ROWS and np.unique(N[g]).size >= MIN_BUDGET_ROWS]


def plot_isoflop(path: Path, N: np.ndarray, D: np.ndarray, y: np.ndarray, fit, title: str) -> Path | None:
    """Write ``path``: loss against N at fixed compute, data and law (module docstring); None (nothing
    written) when fewer than two budgets have :data:`MIN_BUDGET_ROWS` rows of distinct N."""
    from matplotlib.figure import Figure

    groups = _budgets(N, D)
    if len(groups) < 2:
        return None
    if len(groups) > MAX_BUDGETS:
        groups = [groups[int(i)] for i in np.linspace(0, len(groups) - 1, MAX_BUDGETS).round()]
    fig = Figure(figsize=(6, 4.5))
    ax = fig.subplots()
    for k, g in enumerate(groups):
        C = float(np.exp(np.mean(np.log(6.0 * N[g] * D[g]))))
        color = f"C{k % 10}"
        ax.loglog(N[g], y[g], "o", ms=4, color=color, label=f"C = {C:.2g}")
        n = np.geomspace(N[g].min(), N[g].max(), 100)
        ax.loglog(n, fit.predict({"N": n, "D": C / (6.0 * n)}), "-", lw=1, color=color)
    ax.set_xlabel("N (parameters)")
    ax.set_ylabel("loss")
    ax.legend(fontsize=7)
    ax.set_title(f"{title}: isoFLOP curves\n(points: data; lines: the law at C = 6ND)", fontsize=9)
    return _save(fig, path)


def plot_frontier(path: Path, N: np.ndarray, D: np.ndarray, y: np.ndarray, fit, title: str) -> Path:
    """Write ``path``: :math:`N_{opt}(C)` of a Chinchilla fit over the data's compute range (a decade beyond
    it on each side) with the bootstrap band, and each budget's lowest-loss N (module docstring)."""
    from matplotlib.figure import Figure

    from scaling_verify.numerics.fitting.asymptotic import _natural_columns, log_allocation

    Cd = 6.0 * N * D
    C = np.geomspace(Cd.min() / 10, Cd.max() * 10, 120)
    p = fit.params()
    logn = log_allocation(p["A"], p["B"], p["alpha"], p["beta"], C)[0]
    fig = Figure(figsize=(6, 4.5))
    ax = fig.subplots()
    ax.loglog(C, np.exp(logn), "k-", lw=1.5, label="N_opt(C), fit")
    boot = fit.boot_theta
    if boot is not None and boot.shape[0] >= 2:
        nat = _natural_columns(fit.form, fit.fixed, boot, np)
        with np.errstate(invalid="ignore", divide="ignore"):
            col = {k: np.asarray(v, float)[..., None] for k, v in nat.items()}
            bl = np.broadcast_to(log_allocation(col["A"], col["B"], col["alpha"], col["beta"], C[None, :])[0],
                                 (boot.shape[0], C.size))
        ok = np.all(np.isfinite(bl), axis=1)
        if ok.sum() >= 2:
            level = fit.bootstrap.level
            lo, hi = np.quantile(bl[ok], [(1 - level) / 2, (1 + level) / 2], axis=0)
            ax.fill_between(C, np.exp(lo), np.exp(hi), color="C0", alpha=0.3, label=f"{level:.0%} bootstrap band")
    for g in _budgets(N, D):
        best = g[np.argmin(y[g])]
        ax.loglog(Cd[best], N[best], "o", color="C3", ms=5)
    ax.set_xlabel("C = 6 N D (FLOPs)")
    ax.set_ylabel("N_opt")
    ax.legend(fontsize=7)
    ax.set_title(f"{title}: compute-optimal frontier\n(dots: lowest loss of each budget)", fontsize=9)
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    """Lay out ``fig`` and write it to ``path`` (its folder created), at 100 dpi."""
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return path
