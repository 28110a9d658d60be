"""The scipy reference for the Chinchilla fit (the implementation the JAX one replaced).

:math:`\\log L = \\mathrm{LSE}(a - \\alpha\\log N,\\ b - \\beta\\log D,\\ e)`, Huber loss
(:math:`\\delta = 10^{-3}`) *summed* over points on the log-loss residual, L-BFGS-B with analytic
gradients from a grid of starts, ``ftol=1e-15, gtol=1e-12`` (with scipy's defaults L-BFGS-B stops at
its start point on real scaling data), and a bootstrap over data points (Hoffmann et al. 2022,
arXiv 2203.15556, App. D.2). One start at a time in Python: slow, but independent of JAX, so
``benchmarks/bench_fit.py`` and the tests use it to check the vectorised optimiser's optimum.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import optimize

from scaling_verify.numerics.stats import percentile_interval as _interval
from scaling_verify.numerics.fitting.chinchilla import ChinchillaFit
from scaling_verify.numerics.fitting.optimize import HUBER_DELTA

def _huber_and_grad(r: np.ndarray, delta: float) -> tuple[np.ndarray, np.ndarray]:
    a = np.abs(r)
    val = np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))
    return val, np.clip(r, -delta, delta)


def _chinchilla_objective(theta: np.ndarray, logN: np.ndarray, logD: np.ndarray, logL: np.ndarray,
                          delta: float) -> tuple[float, np.ndarray]:
    """Summed Huber loss of the log-sum-exp model and its analytic gradient in (a, b, e, alpha, beta)."""
    a, b, e, al, be = theta
    z = np.stack([a - al * logN, b - be * logD, np.full_like(logN, e)])
    zmax = z.max(axis=0)
    w = np.exp(z - zmax)
    s = w.sum(axis=0)
    lse = zmax + np.log(s)
    w /= s
    val, dr = _huber_and_grad(lse - logL, delta)
    grad = np.array([np.sum(dr * w[0]), np.sum(dr * w[1]), np.sum(dr * w[2]),
                     -np.sum(dr * w[0] * logN), -np.sum(dr * w[1] * logD)])
    return float(val.sum()), grad


DEFAULT_GRID = {
    "alpha": np.arange(0.0, 2.01, 0.5), "beta": np.arange(0.0, 2.01, 0.5),
    "e": np.arange(-1.0, 1.01, 0.5), "a": np.arange(0.0, 25.1, 5.0), "b": np.arange(0.0, 25.1, 5.0),
}


def _starts(grid: dict[str, np.ndarray]) -> np.ndarray:
    return np.array([[a, b, e, al, be] for a, b, e, al, be in
                     itertools.product(grid["a"], grid["b"], grid["e"], grid["alpha"], grid["beta"])])


def _minimise(starts: np.ndarray, logN, logD, logL, delta, tight: bool = True) -> tuple[np.ndarray, float]:
    opts = {"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10000} if tight else {}
    best_x, best_f = None, np.inf
    for x0 in starts:
        sol = optimize.minimize(_chinchilla_objective, x0, args=(logN, logD, logL, delta), jac=True,
                                method="L-BFGS-B", options=opts)
        if np.isfinite(sol.fun) and sol.fun < best_f:
            best_x, best_f = sol.x, float(sol.fun)
    if best_x is None:
        raise ValueError("the Chinchilla fit did not converge from any start")
    return best_x, best_f


def _validate_ndl(N, D, L) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    N, D, L = (np.asarray(v, dtype=float) for v in (N, D, L))
    if not (N.shape == D.shape == L.shape) or N.ndim != 1:
        raise ValueError("N, D and loss must be 1-D arrays of equal length")
    if N.size < 6:
        raise ValueError(f"too few points to fit: {N.size} (need at least 6 for 5 parameters)")
    for name, v in (("N", N), ("D", D), ("loss", L)):
        if not np.all(np.isfinite(v)):
            raise ValueError(f"non-finite value (NaN or inf) in column {name}")
        if np.any(v <= 0):
            raise ValueError(f"column {name} must be positive")
    if np.unique(N).size < 2 or np.unique(D).size < 2:
        raise ValueError("N and D must each take at least two distinct values")
    return N, D, L


def fit_chinchilla_reference(N, D, L, *, bootstrap: int = 100, seed: int = 0, level: float = 0.95,
                   grid: dict[str, np.ndarray] | None = None, delta: float = HUBER_DELTA,
                   n_starts: int | None = 250, boot_starts: int = 8, tight: bool = True) -> ChinchillaFit:
    """The scipy reference: Hoffmann et al.'s fit of :math:`L = E + A N^{-\\alpha} + B D^{-\\beta}`, one
    L-BFGS-B run per start in a Python loop (kept to check :func:`numerics.fitting.chinchilla.fit_chinchilla`
    and to time it in ``benchmarks/bench_fit.py``).

    The objective is evaluated at every point of ``grid`` (default: Hoffmann/Epoch's 4500-point grid);
    L-BFGS-B then starts from the ``n_starts`` best of them (``None``: all 4500, about 25 s on one
    core for 100 points; the best 250 took 1.4 s and reached the same optimum on synthetic
    Chinchilla data). Each bootstrap refit starts from the ``boot_starts`` best grid starts of the main fit.
    ``tight=False`` uses scipy's default tolerances (kept only to demonstrate the tolerance trap).
    """
    from scaling_verify.numerics.fitting.bootstrap import check_count
    from scaling_verify.numerics.fitting.engine import check_delta

    N, D, L = _validate_ndl(N, D, L)
    bootstrap, delta = check_count(bootstrap), check_delta(delta)
    logN, logD, logL = np.log(N), np.log(D), np.log(L)
    starts = _starts(grid or DEFAULT_GRID)
    # rank the starts by their objective, then optimise from all of them
    f0 = np.array([_chinchilla_objective(s, logN, logD, logL, delta)[0] for s in starts])
    order = np.argsort(f0)
    if n_starts is not None:
        if n_starts < 1:
            raise ValueError("n_starts must be >= 1")
        order = order[:n_starts]
    best, fbest = _minimise(starts[order], logN, logD, logL, delta, tight)
    seeds_for_boot = np.vstack([best[None, :], starts[order[:boot_starts]]])
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(bootstrap):
        idx = rng.integers(0, N.size, N.size)
        if np.unique(N[idx]).size < 2 or np.unique(D[idx]).size < 2:
            continue
        xb, _ = _minimise(seeds_for_boot, logN[idx], logD[idx], logL[idx], delta, tight)
        boots.append(xb)
    a, b, e, al, be = best
    ci: dict[str, tuple[float, float]] = {}
    if boots and N.size > 6:
        arr = np.array(boots)
        ci = {"A": _interval(np.exp(arr[:, 0]), level), "B": _interval(np.exp(arr[:, 1]), level),
              "E": _interval(np.exp(arr[:, 2]), level), "alpha": _interval(arr[:, 3], level),
              "beta": _interval(arr[:, 4], level)}
    return ChinchillaFit(E=math.exp(e), A=math.exp(a), B=math.exp(b), alpha=float(al), beta=float(be),
                         ci=ci, objective=fbest, n_boot=len(boots), seed=seed, level=level)


