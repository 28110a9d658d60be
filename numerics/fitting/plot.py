"""``--plot DIR``: a PNG of the data against the fitted law (observed vs predicted, and residuals)."""

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
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return path
