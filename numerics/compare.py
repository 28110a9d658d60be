r"""Check your own runs against a claim: fit the exponent of a measured curve and judge the claim.

The claim must state a :class:`theory.claims.Law`: its ``expr`` is the exponent of
:math:`y \propto x^{\,s\,\mathrm{expr}}` (``s = law.sign``, -1 for a decaying loss). From the runs:

* the exponent is the least-squares slope of :math:`\log y` on :math:`\log x` (times ``s``), over the
  points in ``window``;
* its 95 % interval is a percentile bootstrap: over the runs of ``group`` (seeds: whole curves are
  resampled, so correlations along one run are kept) or, without a group, over the points;
* the amplitude, when the law has a prefactor, is fitted with the exponent held at the claim's value
  (:math:`\hat c = \exp\,\overline{\log y - s\,\mathrm{expr}\log x}`), with its bootstrap interval;
* the verdict is :func:`numerics.checks.exponent_verdict`: the claim is consistent when its value lies
  in the interval widened by ``bias``, a finite-size bias the user states (from their own convergence
  study; 0 by default).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from numerics.checks import exponent_verdict
from theory.claims import REGISTRY, Claim

MIN_DISTINCT_X = 4


@dataclass(frozen=True)
class Runs:
    """Measured points (x, y) and the run each belongs to (``group``: -1 when there are no groups)."""

    x: np.ndarray
    y: np.ndarray
    group: np.ndarray
    x_name: str
    y_name: str
    group_name: str | None = None


@dataclass(frozen=True)
class Estimate:
    name: str
    value: float
    lo: float
    hi: float
    predicted: float
    consistent: bool
    detail: str


@dataclass(frozen=True)
class CompareResult:
    """The verdict of a claim against runs: exponent (and amplitude) with intervals."""

    claim_id: str
    params: dict[str, float]
    exponent: Estimate
    prefactor: Estimate | None
    n_points: int
    n_groups: int
    bootstrap: int
    resample: str  # "groups" or "points"
    seed: int
    window: tuple[float, float] | None
    figure: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return self.exponent.consistent and (self.prefactor is None or self.prefactor.consistent)


def read_runs(path: Path | str, claim: Claim, x: str | None = None, y: str | None = None,
              group: str | None = None) -> Runs:
    """Read the CSV (header row; UTF-8, a BOM is fine; :func:`numerics.fitting.io.load_table`) into
    :class:`Runs`; ValueError on bad input."""
    from numerics.fitting.io import load_table

    law = claim.law
    if law is None:
        raise ValueError(f"claim {claim.id} does not state a power law of a measured curve (no law), so runs "
                         "cannot be compared with it")
    x, y = x or law.x, y or law.y
    table = load_table(path)
    for col, what in ((x, "--x"), (y, "--y"), (group, "--group")):
        if col is not None and col not in table.header:
            raise ValueError(f"{table.path}: no column {col!r} ({what}); columns: {', '.join(table.header)}")
    xs, ys, gs = table.numbers(x), table.numbers(y), np.full(len(table.rows), -1)
    for arr, col in ((xs, x), (ys, y)):
        if np.any(arr <= 0):
            raise ValueError(f"{table.path}: column {col!r} has values <= 0, which a log axis cannot show")
    if group is not None:
        j = table.header.index(group)
        labels = [cells[j] for _, cells in table.rows]
        order = {g: i for i, g in enumerate(dict.fromkeys(labels))}
        gs = np.array([order[g] for g in labels])
    return Runs(xs, ys, gs, x, y, group)


def parse_params(items: list[str] | None) -> dict[str, float]:
    """``["a=2", "b=1.5"]`` -> ``{"a": 2.0, "b": 1.5}``; ValueError for anything else."""
    out: dict[str, float] = {}
    for item in items or []:
        name, sep, val = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ValueError(f"--param {item!r}: expected NAME=VALUE")
        try:
            v = float(val)
        except ValueError:
            raise ValueError(f"--param {item!r}: {val!r} is not a number") from None
        if not math.isfinite(v):
            raise ValueError(f"--param {item!r}: value must be finite")
        out[name] = v
    return out


def _weighted_slopes(lx: np.ndarray, ly: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares slope and intercept of ly on lx for each row of weights ``w`` (B, n)."""
    sw = w.sum(axis=1)
    mx, my = (w @ lx) / sw, (w @ ly) / sw
    sxx = (w * (lx - mx[:, None]) ** 2).sum(axis=1)
    sxy = (w * (lx - mx[:, None]) * (ly - my[:, None])).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = sxy / sxx
    return slope, my - slope * mx


def _bootstrap_weights(runs: Runs, mask: np.ndarray, B: int, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    g = runs.group[mask]
    if runs.group_name is not None:
        ids = np.unique(g)
        counts = rng.multinomial(len(ids), np.full(len(ids), 1 / len(ids)), size=B)  # (B, groups)
        lookup = np.searchsorted(ids, g)
        return counts[:, lookup].astype(float), "groups"
    n = int(mask.sum())
    return rng.multinomial(n, np.full(n, 1 / n), size=B).astype(float), "points"


def _interval(samples: np.ndarray, B: int) -> tuple[float, float]:
    ok = samples[np.isfinite(samples)]
    if ok.size < 0.9 * B:
        raise ValueError(f"the bootstrap is degenerate ({B - ok.size} of {B} resamples have a single x value); "
                         "give more distinct x values or more runs")
    lo, hi = np.percentile(ok, [2.5, 97.5])
    return float(lo), float(hi)


def compare(runs: Runs, claim: Claim | str, params: dict[str, float] | None = None, *,
            window: tuple[float, float] | None = None, bias: float = 0.0, bootstrap: int = 2000,
            seed: int = 0, plot: Path | None = None) -> CompareResult:
    """Judge ``claim`` against measured runs (see the module docstring for the method).

    Args:
      runs: from :func:`read_runs`.
      claim: a :class:`Claim` with a ``law`` (or its id).
      params: values of the claim's symbols (override ``claim.params``).
      window: keep points with ``lo <= x <= hi``.
      bias: a finite-size bias stated by the caller (from their own convergence study).
      bootstrap: resamples (>= 200).
      seed: the bootstrap's seed.
      plot: write a PNG of the data, the fitted band and the theory line there.

    Raises:
      ValueError: bad input (no law, a parameter missing, fewer than 4 distinct x values, ...).
    """
    claim = REGISTRY.get(claim) if isinstance(claim, str) else claim
    if claim.law is None:
        raise ValueError(f"claim {claim.id} does not state a power law of a measured curve (no law), so runs "
                         "cannot be compared with it")
    if bootstrap < 200:
        raise ValueError(f"--bootstrap must be >= 200 for a 95 % interval, got {bootstrap}")
    if not (math.isfinite(bias) and bias >= 0):
        raise ValueError("--bias must be a finite number >= 0")
    params = dict(params or {})
    unknown = set(params) - {s.name for s in claim.symbols}
    if unknown:
        raise ValueError(f"claim {claim.id} has no parameter {sorted(unknown)[0]!r}; its symbols: "
                         f"{', '.join(s.name for s in claim.symbols)}")
    predicted = float(claim.evaluate(**params))
    c_pred = float(claim.evaluate_expr(claim.law.prefactor, **params)) if claim.law.prefactor is not None else None
    if not claim.in_regime(**params):
        raise ValueError(f"claim {claim.id} does not hold at {dict(claim.params, **params)}: outside its regime {claim.regime}")
    mask = np.ones(len(runs.x), bool)
    if window is not None:
        lo_w, hi_w = window
        mask = (runs.x >= lo_w) & (runs.x <= hi_w)
    distinct = len(np.unique(runs.x[mask]))
    if distinct < MIN_DISTINCT_X:
        raise ValueError(f"{distinct} distinct {runs.x_name} values{' in the window' if window else ''}; "
                         f"an exponent needs at least {MIN_DISTINCT_X}")
    s = claim.law.sign
    lx, ly = np.log(runs.x[mask]), np.log(runs.y[mask])
    rng = np.random.default_rng(seed)
    W, how = _bootstrap_weights(runs, mask, bootstrap, rng)
    slope, _ = _weighted_slopes(lx, ly, np.ones((1, lx.size)))
    boot, _ = _weighted_slopes(lx, ly, W)
    p_hat, (lo, hi) = s * float(slope[0]), _interval(s * boot, bootstrap)
    lo, hi = min(lo, hi), max(lo, hi)
    ok, detail = exponent_verdict(f"exponent of {runs.y_name}({runs.x_name})", p_hat, lo, hi, predicted, bias)
    expo = Estimate("exponent", p_hat, lo, hi, predicted, ok, detail)
    pref = None
    if c_pred is not None:
        resid = ly - s * predicted * lx
        c_hat = math.exp(float(resid.mean()))
        c_boot = np.exp((W @ resid) / W.sum(axis=1))
        c_lo, c_hi = _interval(c_boot, bootstrap)
        c_ok, c_detail = exponent_verdict("amplitude (exponent held at the claim)", c_hat, c_lo, c_hi, c_pred)
        pref = Estimate("prefactor", c_hat, c_lo, c_hi, c_pred, c_ok, c_detail)
    n_groups = len(np.unique(runs.group[mask])) if runs.group_name else 0
    warnings = []
    if runs.group_name and n_groups < 5:
        warnings.append(f"only {n_groups} runs in --group {runs.group_name}: the bootstrap interval is unreliable")
    res = CompareResult(claim.id, {**{k: float(v) for k, v in claim.params.items()}, **params}, expo, pref,
                        int(mask.sum()), n_groups, bootstrap, how, seed, window, None, warnings)
    if plot is not None:
        _plot(runs, mask, res, claim, W, plot)
        res = CompareResult(**{**res.__dict__, "figure": plot})
    return res


def _plot(runs: Runs, mask: np.ndarray, res: CompareResult, claim: Claim, W: np.ndarray, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = claim.law.sign
    lx, ly = np.log(runs.x[mask]), np.log(runs.y[mask])
    slopes, icpts = _weighted_slopes(lx, ly, W)
    grid = np.linspace(lx.min(), lx.max(), 60)
    curves = np.exp(icpts[:, None] + slopes[:, None] * grid[None, :])
    fig, ax = plt.subplots(figsize=(5.2, 3.8), dpi=110)
    ax.plot(runs.x, runs.y, "o", ms=3, alpha=0.6, label="runs")
    ax.fill_between(np.exp(grid), *np.nanpercentile(curves, [2.5, 97.5], axis=0), alpha=0.3,
                    label=f"fit, 95 % band: {res.exponent.value:.3f} [{res.exponent.lo:.3f}, {res.exponent.hi:.3f}]")
    amp = res.prefactor.predicted if res.prefactor else math.exp(float(np.mean(ly - s * res.exponent.predicted * lx)))
    ax.plot(np.exp(grid), amp * np.exp(grid) ** (s * res.exponent.predicted), "k--",
            label=f"{claim.id}: {res.exponent.predicted:.3f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(runs.x_name)
    ax.set_ylabel(runs.y_name)
    ax.set_title(f"{claim.id}: {'consistent' if res.consistent else 'REJECTED'}", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
