"""Monte Carlo of linear random-feature ridge(less) regression at ``t = oo``, any ``N``, ``P``, ridge ``>= 0``.

Same model and normalisation as :mod:`numerics.simulate.models.random_features` (``X = Psi A^T/sqrt(N)``,
``y = Psi w* + sigma eps``, ``theta = A^T v/sqrt(N)``, test loss ``(w*-theta)^T Lambda (w*-theta) + sigma^2``), with
``v = (X^T X/P + rho)^{-1} X^T y/P`` (the ½-MSE mean plus ``rho/2 |v|^2``: gradient flow from 0 at ``t = oo``);
``rho = 0``: the min-norm solution ``X^+ y`` (eigenvalues below ``1e-13 max`` treated as zero). The linear
solve runs in the smaller dimension (``P x P`` Gram ``X X^T`` if ``P <= N``, else ``N x N``) by one
eigendecomposition per draw. :func:`ridge_losses` takes drawn arrays (those of
:func:`random_features.draw_projections` / :func:`random_features.draw_data`); :func:`monte_carlo` draws
inside the compiled function, ``lax.map`` over batches of ``vmap``-ed draws, so memory stays bounded.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from scaling_verify.numerics.simulate import with_float64


def _one(A_, Psi_, n_, lam, w, Prho, sig2):
    N, P = A_.shape[0], Psi_.shape[0]
    X = Psi_ @ A_.T / jnp.sqrt(N)
    y = Psi_ @ w + n_
    K = X @ X.T if P <= N else X.T @ X
    g, V = jnp.linalg.eigh(K)
    thr = 1e-13 * jnp.max(jnp.abs(g))
    filt = jnp.where(Prho > 0, 1.0 / (g + Prho), jnp.where(g > thr, 1.0 / jnp.where(g > thr, g, 1.0), 0.0))
    if P <= N:
        v = X.T @ (V @ (filt * (V.T @ y)))
    else:
        v = V @ (filt * (V.T @ (X.T @ y)))
    d = w - A_.T @ v / jnp.sqrt(N)
    return jnp.sum(lam * d * d) + sig2


@jax.jit
def _batch(A, Psi, noise, lam, w, Prho, sig2):
    return jax.vmap(_one, in_axes=(0, 0, 0, None, None, None, None))(A, Psi, noise, lam, w, Prho, sig2)


def _check(lam, w, ridge, sigma):
    if not (np.ndim(ridge) == 0 and np.isfinite(ridge) and ridge >= 0):
        raise ValueError(f"ridge must be finite and >= 0, got ridge={ridge!r}")
    if not (np.ndim(sigma) == 0 and np.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma must be finite and >= 0, got sigma={sigma!r}")
    if np.shape(lam) != np.shape(w) or np.ndim(lam) != 1:
        raise ValueError(f"lam and w must be 1-d of one length, got {np.shape(lam)} and {np.shape(w)}")


@with_float64
def ridge_losses(A, Psi, lam, w, ridge: float = 0.0, noise=None, sigma: float = 0.0) -> jnp.ndarray:
    """Per-draw converged test losses, shape ``(draws,)``, for drawn ``A (draws, N, M)``, ``Psi (draws, P, M)``
    and label noise ``(draws, P)`` (``sigma`` its scale, added as the irreducible ``sigma^2``)."""
    _check(lam, w, ridge, sigma)
    if A.ndim != 3 or Psi.ndim != 3 or A.shape[0] != Psi.shape[0] or A.shape[2] != Psi.shape[2]:
        raise ValueError(f"A (draws, N, M) and Psi (draws, P, M) must match, got {A.shape} and {Psi.shape}")
    noise = jnp.zeros(Psi.shape[:2]) if noise is None else jnp.asarray(noise)
    return _batch(A, Psi, noise, jnp.asarray(lam), jnp.asarray(w), Psi.shape[1] * float(ridge), float(sigma) ** 2)


@partial(jax.jit, static_argnames=("N", "P", "batch"))
def _mc(keys, lam, w, N: int, P: int, Prho, sigma, batch: int):
    M = lam.shape[0]

    def one(key):
        kA, kX, kE = jax.random.split(key, 3)
        A_ = jax.random.normal(kA, (N, M), dtype=jnp.float64)
        Psi_ = jax.random.normal(kX, (P, M), dtype=jnp.float64) * jnp.sqrt(lam)
        n_ = sigma * jax.random.normal(kE, (P,), dtype=jnp.float64)
        return _one(A_, Psi_, n_, lam, w, Prho, sigma * sigma)
    return jax.lax.map(one, keys, batch_size=batch)


@with_float64
def monte_carlo(seed: int, lam, w, N: int, P: int, draws: int, ridge: float = 0.0, sigma: float = 0.0,
                batch: int = 64) -> np.ndarray:
    """``draws`` per-draw converged test losses (numpy, float64), drawn inside one compiled function."""
    _check(lam, w, ridge, sigma)
    for name, v in (("N", N), ("P", P), ("draws", draws), ("batch", batch)):
        if isinstance(v, bool) or int(v) != v or v < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {name}={v!r}")
    keys = jax.random.split(jax.random.key(int(seed)), int(draws))
    out = _mc(keys, jnp.asarray(lam, dtype=jnp.float64), jnp.asarray(w, dtype=jnp.float64), int(N), int(P),
              int(P) * float(ridge), float(sigma), int(min(batch, draws)))
    return np.asarray(out)
