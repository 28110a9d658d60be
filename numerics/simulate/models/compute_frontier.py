"""The compute-optimal frontier of the random-feature model under gradient flow (``P = oo``), simulated.

At compute :math:`C = N t` the frontier is :math:`\\mathcal L^\\star(C) = \\min_N \\mathcal L(N, C/N)`.

* :func:`loss_surface`: one Gaussian projection of ``N_max`` rows per draw; the width-``n`` models are
  its first ``n`` rows (nested widths, as in :func:`numerics.simulate.models.random_features.modes`).
  One Gram matrix per draw (:func:`gram`), then one eigendecomposition per width gives the exact
  gradient-flow loss :math:`\\mathcal L_n(t) = \\mathcal L_0 - \\sum_i \\frac{z_i^2}{g_i}(1 - e^{-2 g_i t})`
  at every ``t = C/n`` (jitted, ``lax.map`` over draws for the Gram matrices, ``vmap`` over draws for
  the eigendecompositions, widths padded to powers of two (:func:`bucket`) so that few shapes compile);
* :func:`frontier`: for each ``C`` the discrete minimum over the width grid, refined by the vertex of
  the least-squares parabola through the five widths around it in ``(log N, log L)``; the minimum must
  be interior (else ``ValueError``).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from scaling_verify.numerics.simulate import with_float64
from scaling_verify.numerics.simulate.models import random_features as rf


def widths_grid(k_lo: int, k_hi: int) -> np.ndarray:
    """Integer widths ``round(2^{k/2})``, k = k_lo..k_hi (a ratio of about sqrt 2)."""
    if not 0 <= k_lo < k_hi:
        raise ValueError(f"need 0 <= k_lo < k_hi, got {k_lo}, {k_hi}")
    return np.unique(np.round(2.0 ** (np.arange(k_lo, k_hi + 1) / 2)).astype(int))


@with_float64
@partial(jax.jit, static_argnames=("n_max", "M"))
def gram(keys, lam, w, n_max: int, M: int):
    """Per draw: ``K = A Lambda A^T`` and ``c = A Lambda w*`` of an ``n_max x M`` Gaussian A (lax.map: memory)."""
    def one(key):
        A = jax.random.normal(key, (n_max, M), dtype=jnp.float64)
        AL = A * lam
        return AL @ A.T, AL @ w
    return jax.lax.map(one, keys)


def bucket(n: int, n_max: int) -> int:
    """Padded size of a width-``n`` model: the next power of two from 8, at most ``n_max`` (few compiled shapes)."""
    s = 8
    while s < n:
        s *= 2
    return min(s, n_max)


@partial(jax.jit, static_argnames=("size",))
def _nested_loss(K, c, L0, n, ts, size: int):
    """Loss of the width-``n`` model (first n rows) at times ``ts``, per draw; shapes padded to ``size``."""
    mask = (jnp.arange(size) < n).astype(K.dtype)

    def one(Kd, cd):
        G = Kd[:size, :size] * mask[:, None] * mask[None, :] / n + jnp.diag(1.0 - mask)
        g, U = jnp.linalg.eigh(G)
        z = U.T @ (cd[:size] * mask / jnp.sqrt(n))
        q = z * z / jnp.maximum(g, 1e-300)
        return L0 - jnp.sum(q[None, :] * (1.0 - jnp.exp(-2.0 * g[None, :] * ts[:, None])), axis=-1)

    return jax.vmap(one)(K, c)


@with_float64
def loss_surface(a: float, b: float, M: int, widths, Cs, draws: int, seed: int = 0) -> np.ndarray:
    """Simulated gradient-flow loss at ``t = C/n`` for every width n and compute C: ``(draws, W, C)``."""
    widths = np.asarray(widths, dtype=int)
    rf.validate(a, b, N=int(widths.max()), M=M)
    if widths.min() < 1 or np.any(np.diff(widths) <= 0):
        raise ValueError("widths must be increasing integers >= 1")
    if widths.max() > M:
        raise ValueError(f"largest width {widths.max()} exceeds M={M}")
    lam, w = rf.spectrum(M, a, b)
    n_max = int(widths.max())
    keys = jax.random.split(jax.random.key(seed), draws)
    K, c = gram(keys, lam, w, n_max, M)
    L0 = jnp.sum(lam * w * w)
    Cs = np.asarray(Cs, dtype=float)
    out = [np.asarray(_nested_loss(K, c, L0, jnp.float64(n), jnp.asarray(Cs / n), bucket(int(n), n_max)))
           for n in widths]
    return np.stack(out, axis=1)


def frontier(L: np.ndarray, widths, half: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """``(N*, L*)`` per compute from a loss surface ``(..., W, C)``: the discrete argmin over the widths,
    refined by the vertex of the least-squares parabola through the ``2 half + 1`` widths around it (a
    window kept inside the grid) in
    ``(log N, log L)`` (a continuous interpolation in log N; five points average out the draw noise on
    the flat minimum, which a three-point vertex amplifies)."""
    L = np.asarray(L, dtype=float)
    x = np.log(np.asarray(widths, dtype=float))
    if L.shape[-2] != x.size or x.size < 2 * half + 1:
        raise ValueError(f"surface has {L.shape[-2]} widths, grid has {x.size} (need >= {2 * half + 1})")
    if np.any(~np.isfinite(L)) or np.any(L <= 0):
        raise ValueError("loss surface must be finite and positive")
    y = np.log(L)
    i = np.argmin(y, axis=-2)
    if np.any(i == 0) or np.any(i == x.size - 1):
        raise ValueError("frontier not bracketed: the best width is at the edge of the width grid; widen it")
    start = np.clip(i - half, 0, x.size - 1 - 2 * half)  # the window slides inward near the grid's ends
    idx = start[..., None, :] + np.arange(2 * half + 1)[:, None]  # (..., 2h+1, C)
    ys = np.take_along_axis(y, idx, axis=-2)
    xs = x[idx] - x[i][..., None, :]  # centred at the discrete minimum
    # normal equations of y = c0 + c1 u + c2 u^2, batched
    S = [np.sum(xs ** k, axis=-2) for k in range(5)]
    T = [np.sum(ys * xs ** k, axis=-2) for k in range(3)]
    Mx = np.stack([np.stack([S[0], S[1], S[2]], -1), np.stack([S[1], S[2], S[3]], -1),
                   np.stack([S[2], S[3], S[4]], -1)], -2)
    c0, c1, c2 = np.moveaxis(np.linalg.solve(Mx, np.stack(T, -1)[..., None])[..., 0], -1, 0)
    if np.any(c2 <= 0):
        raise ValueError("frontier refinement: the loss is not convex in log N around its minimum")
    u = -c1 / (2 * c2)
    return np.exp(x[i] + u), np.exp(c0 + c1 * u + c2 * u * u)



def bootstrap_frontiers(L: np.ndarray, widths, boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Frontiers ``(N*, L*)`` of ``boot`` resampled mean surfaces, each ``(boot, len(C))``: draws of the
    surface ``L`` ``(draws, widths, C)`` resampled with replacement (``np.random.default_rng(seed)``), the
    frontier of each resampled mean (the frontier of a mean is not the mean of per-draw frontiers)."""
    rng = np.random.default_rng(seed)
    counts = np.stack([np.bincount(rng.integers(0, len(L), len(L)), minlength=len(L))
                       for _ in range(boot)]) / len(L)
    return frontier(np.einsum("bd,dwc->bwc", counts, L), widths)
