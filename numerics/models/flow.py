"""Exact gradient flow of the linear power-law model on ``P`` samples with ridge and label noise, in JAX.

``N = oo`` (the model is linear in the ``M`` modes themselves). Data :math:`\\Psi \\in \\mathbb R^{P\\times M}`,
rows :math:`\\mathcal N(0, \\Lambda)`, labels :math:`y = \\Psi w^\\star + \\sigma\\epsilon`; flow on the ½-MSE plus
:math:`\\tfrac\\rho2|\\theta|^2` from :math:`\\theta = 0`: :math:`\\dot\\theta = -(\\hat G + \\rho)\\theta + \\Psi^\\top y/P`,
:math:`\\hat G = \\Psi^\\top\\Psi/P`. The solution stays in the row space of :math:`\\Psi`: :math:`\\theta = \\Psi^\\top\\beta`
with :math:`\\dot\\beta = -(K + \\rho)\\beta + y/P`, :math:`K = \\Psi\\Psi^\\top/P = V\\operatorname{diag}(\\kappa)V^\\top`, so

.. math:: \\beta(t) = V\\,\\operatorname{diag}\\Big(\\frac{1 - e^{-t(\\kappa+\\rho)}}{\\kappa + \\rho}\\Big)V^\\top y/P

(one P x P eigendecomposition per draw gives every t -- for ``P > M`` the M x M one of :math:`\\hat G`,
:math:`\\theta = \\phi_t(\\hat G+\\rho)\\Psi^\\top y/P`; ``t = inf``: :math:`(K+\\rho)^{+}y/P`, the ridge or
min-norm solution; directions with :math:`\\kappa + \\rho = 0` have :math:`\\Psi^\\top V = 0` and do not move
:math:`\\theta`). Test loss on a fresh sample: :math:`(w^\\star-\\theta)^\\top\\Lambda(w^\\star-\\theta) + \\sigma^2`.
jit + vmap over draws; draws are generated and processed in chunks of bounded memory.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.linalg  # noqa: F401  (cho_factor, cho_solve)
import numpy as np

from scaling_verify.numerics.simulate import with_float64


def _filter(x, t):
    """``(1 - e^{-t x})/x`` at eigenvalues ``x`` (``t`` where ``x = 0``; ``0`` there at ``t = inf``), ``(T, n)``."""
    pos = x > 1e-13 * jnp.max(x)
    xs = jnp.where(pos, x, 1.0)
    tt = t[:, None]
    return jnp.where(pos[None, :], -jnp.expm1(-xs[None, :] * jnp.minimum(tt, 1e300)) / xs[None, :],
                     jnp.where(jnp.isinf(tt), 0.0, tt))


@jax.jit
def _ridge_flow(Psi, noise, lam, w, rho, sig2, t):
    P, M = Psi.shape[1], Psi.shape[2]

    def dual(Psi_, y):  # P <= M: the P x P kernel
        kap, V = jnp.linalg.eigh(Psi_ @ Psi_.T / P)
        beta = (_filter(kap + rho, t) * (V.T @ y)[None, :]) @ V.T / P
        return beta @ Psi_

    def primal(Psi_, y):  # P > M: the M x M empirical covariance, theta = phi(G + rho) Psi^T y / P
        g, U = jnp.linalg.eigh(Psi_.T @ Psi_ / P)
        return (_filter(g + rho, t) * (U.T @ (Psi_.T @ y / P))[None, :]) @ U.T

    def one(Psi_, n_):
        y = Psi_ @ w + n_
        v = w[None, :] - (dual if P <= M else primal)(Psi_, y)  # (T, M)
        return jnp.sum(lam * v * v, axis=1) + sig2
    return jax.vmap(one)(Psi, noise)


@with_float64
def ridge_flow_losses(seed: int, lam, w, P: int, draws: int, t, ridge: float = 0.0, noise: float = 0.0,
                      chunk_bytes: float = 64e6) -> np.ndarray:
    """Per-draw test losses ``(draws, len(t))`` of the flow above (float64). Chunk ``c`` of the draws uses
    ``jax.random.fold_in(key(seed), c)``; equal chunks keep ``Psi`` below ``chunk_bytes`` (one compiled shape)."""
    lam = jnp.asarray(lam, dtype=jnp.float64)
    w = jnp.asarray(w, dtype=jnp.float64)
    t = jnp.asarray(np.asarray(t, dtype=float))
    limit_only = bool(np.all(np.isinf(np.asarray(t))))  # t = oo only: a linear solve, no eigendecomposition
    per = min(draws, max(1, int(chunk_bytes // (8 * P * lam.shape[0]))))
    key = jax.random.key(seed)
    out = []
    for c in range(-(-draws // per)):  # equal chunks (one compiled shape), the last one truncated
        n = per
        k1, k2 = jax.random.split(jax.random.fold_in(key, c))
        Psi = jax.random.normal(k1, (n, P, lam.shape[0]), dtype=jnp.float64) * jnp.sqrt(lam)
        eps = noise * jax.random.normal(k2, (n, P), dtype=jnp.float64)
        if limit_only:
            L = np.asarray(_ridge_limit(Psi, eps, lam, w, float(ridge), float(noise) ** 2))
            if np.all(np.isfinite(L)):
                out.append(np.repeat(L[:, None], t.shape[0], axis=1))
                continue
        out.append(np.asarray(_ridge_flow(Psi, eps, lam, w, float(ridge), float(noise) ** 2, t)))
    return np.concatenate(out)[:draws]


@jax.jit
def _ridge_limit(Psi, noise, lam, w, rho, sig2):
    """``t = oo`` only: the ridge (min-norm at ``rho = 0``) solution by a Cholesky solve in the smaller dimension
    (the kernel or the covariance has full rank almost surely), ``lax.map`` over draws (see
    :func:`nested_ridge_losses`); NaN where the factorisation fails, and the caller falls back to the eigenbasis."""
    P, M = Psi.shape[1], Psi.shape[2]

    def one(args):
        Psi_, n_ = args
        y = Psi_ @ w + n_
        if P <= M:
            C = jax.scipy.linalg.cho_factor(Psi_ @ Psi_.T / P + rho * jnp.eye(P))
            theta = Psi_.T @ jax.scipy.linalg.cho_solve(C, y) / P
        else:
            C = jax.scipy.linalg.cho_factor(Psi_.T @ Psi_ / P + rho * jnp.eye(M))
            theta = jax.scipy.linalg.cho_solve(C, Psi_.T @ y / P)
        v = w - theta
        return jnp.sum(lam * v * v) + sig2
    return jax.lax.map(one, (Psi, noise))


def _nested_program(sizes: tuple[int, ...]):
    """The jitted per-chunk program for the nested sizes ``sizes`` (a Python loop over the few sizes, traced once)."""
    @jax.jit
    def run(Psi, noise, lam, w, rhos, sig2):
        def one(Psi_, n_):
            y = Psi_ @ w + n_
            out = []
            for i, P in enumerate(sizes):
                X, yy = Psi_[:P], y[:P]
                # (K + rho)^{-1} y by Cholesky: K = X X^T/P has full rank P < M almost surely (min-norm at rho = 0)
                C = jax.scipy.linalg.cho_factor(X @ X.T / P + rhos[i] * jnp.eye(P))
                theta = X.T @ jax.scipy.linalg.cho_solve(C, yy) / P
                v = w - theta
                out.append(jnp.sum(lam * v * v) + sig2)
            return jnp.stack(out)
        # lax.map (one draw at a time inside the compiled program), not vmap: a vmapped batch of large
        # Cholesky factorisations wedged XLA's CPU thread pool here (jax 0.10.2, 2 cores), see the module doc
        return jax.lax.map(lambda args: one(*args), (Psi, noise))
    return run


_PROGRAMS: dict[tuple[int, ...], object] = {}


@with_float64
def nested_ridge_losses(seed: int, lam, w, sizes, ridges, draws: int, noise: float = 0.0,
                        chunk_bytes: float = 64e6) -> np.ndarray:
    """Excess test losses ``(draws, len(sizes))`` of ridge(less) regression at ``t = oo`` on **nested** samples: draw
    ``d`` has one data set of ``max(sizes)`` rows and size ``P`` uses its first ``P`` rows, with ridge ``ridges[i]``
    (``0``: the min-norm interpolant). :math:`\\theta = \\Psi^\\top(K + \\rho)^{+}y/P`, :math:`K = \\Psi\\Psi^\\top/P`; the
    excess loss is :math:`(w^\\star - \\theta)^\\top\\Lambda(w^\\star - \\theta)` (the fresh-sample loss minus
    :math:`\\sigma^2`). Needs ``max(sizes) < M`` (Cholesky). float64, jit + ``lax.map`` over draws (a vmapped batch of
    Cholesky factorisations wedged XLA's CPU thread pool, jax 0.10.2); chunk ``c`` uses ``fold_in(key(seed), c)``."""
    sizes = tuple(int(p) for p in sizes)
    if len(ridges) != len(sizes) or sorted(sizes) != list(sizes) or sizes[0] < 1 or sizes[-1] >= len(lam):
        raise ValueError(f"sizes must increase from >= 1 and match the ridges, got {sizes}, {ridges}")
    lam = jnp.asarray(lam, dtype=jnp.float64)
    w = jnp.asarray(w, dtype=jnp.float64)
    rhos = jnp.asarray(np.asarray(ridges, dtype=float))
    Pm, M = sizes[-1], lam.shape[0]
    run = _PROGRAMS.setdefault(sizes, _nested_program(sizes))
    per = min(draws, max(1, int(chunk_bytes // (8 * Pm * M))))
    key = jax.random.key(seed)
    out = []
    for c in range(-(-draws // per)):
        k1, k2 = jax.random.split(jax.random.fold_in(key, c))
        Psi = jax.random.normal(k1, (per, Pm, M), dtype=jnp.float64) * jnp.sqrt(lam)
        eps = noise * jax.random.normal(k2, (per, Pm), dtype=jnp.float64)
        out.append(np.asarray(run(Psi, eps, lam, w, rhos, 0.0)))
    return np.concatenate(out)[:draws]
