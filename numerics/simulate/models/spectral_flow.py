"""The generalized spectral model trained by the generalized flow (a reconstruction of Zhang 2025,
arXiv 2511.07892): SGD and population-GD trainers, their closed-form (noise-free) weights, and the
quantities read off a run (loss, learning frontier).

The learning system: a linear model :math:`f(x) = w\\cdot x` in the power-law spectral basis,
:math:`x \\sim \\mathcal N(0, \\Lambda)`, :math:`\\Lambda = \\mathrm{diag}(k^{-b})_{k\\le M}`, target
:math:`y = w^\\star\\cdot x` with :math:`\\lambda_k (w^\\star_k)^2 = k^{-a}`, test loss
:math:`\\mathcal L(w) = \\sum_k \\lambda_k (w_k - w^\\star_k)^2` (exact population loss). It is trained from
``w = 0`` with the *generalized flow*: preconditioned SGD

.. math:: w \\leftarrow w - \\eta_s\\,\\Lambda^{p-1}\\,\\frac1B\\sum_{i\\le B} x_i (x_i\\cdot w - y_i),
          \\qquad \\eta_s = \\eta\\,((s+1)^q - s^q),

whose mean dynamics is :math:`e_k \\approx e^{-g(\\lambda_k, s)}` with :math:`g = \\eta\\lambda^{p}s^{q}`: the
polynomial g family, elasticity :math:`\\rho = q/p` (``p = 1/rho, q = 1`` for ``rho >= 1``; ``p = 1, q = rho``
otherwise). Everything is jitted, vmapped over seeds and scanned over steps. A run is a
:class:`FlowRun`: the weights at log-spaced recorded times and the model that produced them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from scaling_verify.numerics.simulate import with_float64
from scaling_verify.numerics.stats import validate_power_spectrum


def g_exponents(rho: float) -> tuple[float, float]:
    """``(p, q)`` of the simulated g = eta lambda^p s^q with elasticity ``rho = q/p`` (stable for SGD)."""
    if not rho > 0:
        raise ValueError(f"rho must be > 0, got {rho}")
    return (1.0 / rho, 1.0) if rho >= 1 else (1.0, rho)


def validate(a: float, b: float) -> None:
    """``a > 1`` (finite target power) and ``b > 1`` (trace-class spectrum)."""
    validate_power_spectrum(a, b, b_min=1.0)


def record_times(t_max: int, n: int = 24, t_min: int = 1) -> np.ndarray:
    """Unique integer times, log-spaced in [t_min, t_max]."""
    return np.unique(np.round(np.geomspace(t_min, t_max, n)).astype(int))


@dataclass(frozen=True, eq=False)
class FlowRun:
    """Weights of the spectral model at recorded times.

    ``w`` is ``(len(t), M)``, or ``(seeds, len(t), M)`` for SGD runs; ``wstar``, ``lam`` the target and
    the spectrum (length M); ``p``, ``q``, ``eta`` the flow g = eta lambda^p t^q; ``a``, ``b`` the model.
    """

    t: np.ndarray
    w: np.ndarray
    wstar: np.ndarray
    lam: np.ndarray
    p: float
    q: float
    eta: float
    a: float
    b: float

    @property
    def M(self) -> int:
        return self.w.shape[-1]

    def loss(self) -> np.ndarray:
        """Population loss per (seed and) time, ``w.shape[:-1]`` (modes beyond M not included)."""
        return ((self.w - self.wstar) ** 2 * self.lam).sum(-1)

    def window(self, window: tuple[float, float], every: int = 1) -> FlowRun:
        """The snapshots with ``window[0] <= t <= window[1]`` (every ``every``-th of them)."""
        keep = np.nonzero((self.t >= window[0]) & (self.t <= window[1]))[0][::every]
        return replace(self, t=self.t[keep], w=self.w[..., keep, :])


def losses(run: FlowRun) -> np.ndarray:
    """Population loss per seed and time, ``(seeds, len(t))``."""
    return run.loss()


@partial(jax.jit, static_argnames=("M", "batch", "steps"))
def _sgd_run(key, a, b, p, q, eta, rec, *, M: int, batch: int, steps: int):
    k = jnp.arange(1, M + 1, dtype=jnp.float64)
    lam = k ** (-b)
    wstar = k ** ((b - a) / 2)
    prec = lam ** (p - 1)

    def step(carry, s):
        w, key, snaps, idx = carry
        key, sub = jax.random.split(key)
        x = jax.random.normal(sub, (batch, M)) * jnp.sqrt(lam)
        r = x @ (w - wstar)
        eta_s = eta * ((s + 1.0) ** q - s ** q)
        w = w - eta_s * prec * (x.T @ r) / batch
        hit = (s + 1) == rec[jnp.minimum(idx, rec.shape[0] - 1)]
        snaps = snaps.at[jnp.minimum(idx, rec.shape[0] - 1)].set(
            jnp.where(hit, w, snaps[jnp.minimum(idx, rec.shape[0] - 1)]))
        return (w, key, snaps, idx + hit.astype(jnp.int32)), None

    snaps0 = jnp.zeros((rec.shape[0], M))
    (w, _, snaps, _), _ = lax.scan(step, (jnp.zeros(M), key, snaps0, jnp.int32(0)),
                                   jnp.arange(steps, dtype=jnp.float64))
    return snaps


@with_float64
def train(a: float, b: float, rho: float, *, M: int = 2048, batch: int = 4, eta: float = 0.25,
          steps: int = 1200, seeds: int = 8, seed: int = 0, n_rec: int = 20) -> FlowRun:
    """Train ``seeds`` independent models by SGD under the generalized flow (vmapped); weights at
    log-spaced times, ``w`` of shape ``(seeds, len(t), M)``. The unrepresentable part of the loss,
    ``sum_{k>M} k^{-a}``, is not included in the losses."""
    validate(a, b)
    p, q = g_exponents(rho)
    if eta * 1.0 > 1.0:
        raise ValueError("eta must be <= 1 (stability of the top mode)")
    rec = record_times(steps, n_rec)
    keys = jax.random.split(jax.random.key(seed), seeds)
    run = jax.vmap(lambda kk: _sgd_run(kk, a, b, p, q, eta, jnp.asarray(rec), M=M, batch=batch, steps=steps))
    w = np.asarray(run(keys))
    k = np.arange(1, M + 1, dtype=float)
    return FlowRun(t=rec.astype(float), w=w, wstar=k ** ((b - a) / 2), lam=k ** (-b), p=p, q=q, eta=eta, a=a, b=b)


@partial(jax.jit, static_argnames=("M", "steps"))
def gd_scan(a, b, p, eta, rec, *, M: int, steps: int):
    """Full-batch (population) preconditioned GD, g = eta lambda^p t; snapshots at ``rec`` (jitted; call
    it inside :func:`numerics.simulate.float64`)."""
    k = jnp.arange(1, M + 1, dtype=jnp.float64)
    lam = k ** (-b)
    wstar = k ** ((b - a) / 2)
    prec = lam ** (p - 1)

    def step(carry, s):
        w, snaps, idx = carry
        w = w - eta * prec * lam * (w - wstar)
        j = jnp.minimum(idx, rec.shape[0] - 1)
        hit = (s + 1) == rec[j]
        snaps = snaps.at[j].set(jnp.where(hit, w, snaps[j]))
        return (w, snaps, idx + hit.astype(jnp.int32)), None

    (_, snaps, _), _ = lax.scan(step, (jnp.zeros(M), jnp.zeros((rec.shape[0], M)), jnp.int32(0)),
                                jnp.arange(steps))
    return snaps


@with_float64
def train_gd(a: float, b: float, rho: float, *, M: int = 4096, eta: float = 0.5, steps: int = 10000,
             n_rec: int = 16, t_min: int = 10) -> FlowRun:
    """Population GD under the generalized flow (rho >= 1: p = 1/rho); weights at log-spaced times."""
    validate(a, b)
    p, q = g_exponents(rho)
    if q != 1:
        raise ValueError("train_gd implements q = 1 (rho >= 1)")
    rec = record_times(steps, n_rec, t_min)
    w = np.asarray(gd_scan(a, b, p, eta, jnp.asarray(rec), M=M, steps=steps))
    k = np.arange(1, M + 1, dtype=float)
    return FlowRun(t=rec.astype(float), w=w, wstar=k ** ((b - a) / 2), lam=k ** (-b), p=p, q=q, eta=eta, a=a, b=b)


def closed_form_weights(t: np.ndarray, a, b, rho, eta, M) -> FlowRun:
    """Noise-free GD weights at times ``t``: :math:`w_k = w^\\star_k (1 - (1 - \\eta\\lambda_k^p)^t)`."""
    p, q = g_exponents(rho)
    k = np.arange(1, M + 1, dtype=float)
    lam, ws = k ** (-b), k ** ((b - a) / 2)
    w = ws * (1 - np.exp(np.outer(t, np.log1p(-eta * lam ** p))))
    return FlowRun(t=t, w=w, wstar=ws, lam=lam, p=p, q=q, eta=eta, a=a, b=b)


def frontier_modes(run: FlowRun) -> np.ndarray:
    """Frontier mode ``k*(t)`` where the squared residual ``e_k^2/w*_k^2`` crosses ``e^{-2}``
    (i.e. ``g = 1``), by log-log interpolation; per seed ``(seeds, len(t))``."""
    res = ((run.w - run.wstar) / run.wstar) ** 2  # (seeds, t, M)
    lk = np.log(np.arange(1, res.shape[-1] + 1))
    target = math.exp(-2)
    out = np.empty(res.shape[:2])
    for i in range(res.shape[0]):
        for j in range(res.shape[1]):
            r = res[i, j]
            above = np.nonzero(r > target)[0]
            first = above[0] if above.size else r.size - 1
            lo = max(first - 1, 0)
            if r[lo] >= target or lo == first:
                out[i, j] = math.exp(lk[first])
            else:
                f = (math.log(target) - math.log(r[lo])) / (math.log(r[first]) - math.log(r[lo]))
                out[i, j] = math.exp(lk[lo] + f * (lk[first] - lk[lo]))
    return out


def deterministic_loss(t: np.ndarray, a: float, b: float, rho: float, eta: float, M: int) -> np.ndarray:
    """Mean (gradient-flow-discretised) loss of the same model without SGD noise:
    :math:`\\sum_{k\\le M} k^{-a}\\prod_s(1-\\eta_s\\lambda_k^p)^2` with the schedule's increments summed
    (exact for q = 1). Used only for the finite-size bias."""
    p, q = g_exponents(rho)
    k = np.arange(1, M + 1, dtype=float)
    lp = k ** (-b * p)
    return np.array([np.sum(k ** (-a) * np.exp(2 * tt ** q * np.log1p(-eta * lp))) for tt in t])


def window_bias(fn, window: tuple[float, float], decades: float = 1.0) -> float:
    """Finite-size bias of a log-log slope estimator ``fn(lo, hi)``: its drift when the window moves
    ``decades`` later. If the estimator approaches its limit geometrically with ratio <= 1/2 per decade,
    the remaining error is at most this drift."""
    lo, hi = window
    s1 = fn(lo, hi)
    s2 = fn(lo * 10 ** decades, hi * 10 ** decades)
    return abs(s1 - s2)


@dataclass(frozen=True)
class ClosedFormBias:
    """Finite-size bias of a slope estimator on the noise-free weights: ``drift`` (the estimator at 4 M when
    the window moves a decade later, :func:`window_bias`) and ``finite_m`` (its change from 4 M to M over the
    window); ``total`` = their sum."""

    drift: float
    finite_m: float

    @property
    def total(self) -> float:
        return self.drift + self.finite_m


def closed_form_bias(slope, window: tuple[float, float], a, b, rho, eta, M: int, n: int = 6) -> ClosedFormBias:
    """The estimator ``slope(tt, cw)`` (``cw`` the :func:`closed_form_weights` at ``n`` log-spaced times ``tt``
    spanning a window) evaluated on closed-form weights: drift a decade later at ``4 M`` plus the finite-M
    shift ``|est(window; M) - est(window; 4 M)|``."""

    def est(lo, hi, MM=4 * M):
        tt = np.geomspace(lo, hi, n)
        return slope(tt, closed_form_weights(tt, a, b, rho, eta, MM))

    return ClosedFormBias(window_bias(est, window), abs(est(*window, MM=M) - est(*window)))
