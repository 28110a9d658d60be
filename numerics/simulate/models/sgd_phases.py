"""Exact expected loss of one-pass SGD on power-law random features (PLRF), per width: the model behind
the 4+3 phases of Paquette, Paquette, Xiao, Pennington 2024 (arXiv 2405.15074).

Model in the package's notation: :math:`\\lambda_k = k^{-b}`, :math:`\\lambda_k w_k^{\\star2} = k^{-a}` with
``b = 2 alpha``, ``a = 2 alpha + 2 beta`` (:func:`ab`); width-N features ``A x/sqrt(N)``; one-pass SGD with
a fresh minibatch of ``B`` samples per step, step ``eta``; compute ``f = N n`` (B fixed).

**Exact reduction.** :func:`numerics.simulate.models.rf_ensemble.sgd_expected_loss` propagates
:math:`Q = \\mathbb E\\, r r^\\top` (M x M, O(M^3) per step). In the eigenbasis of :math:`K = F F^\\top`
(:math:`F = \\Lambda^{1/2}A^\\top/\\sqrt N`, rank N) the diagonal of Q evolves on its own,

.. math:: q_i \\leftarrow c_i q_i + \\tfrac{\\eta^2}{B}\\kappa_i^2 \\textstyle\\sum_j q_j,\\qquad
          c_i = 1 - 2\\eta\\kappa_i + \\eta^2\\tfrac{B+1}{B}\\kappa_i^2,

and the loss is :math:`\\sum_i q_i`; null-space modes (``kappa = 0``) stay constant (their total is
``|r_0|^2`` minus the projected part). The nonzero ``kappa_i`` are the eigenvalues ``g_i`` of the Gram
matrix :math:`G = A\\Lambda A^\\top/N` and :math:`q_i(0) = (u_i^\\top c)^2/g_i`, :math:`c = A\\Lambda w^\\star/\\sqrt N`.

**Closed form at any n** (:func:`loss_at`). With :math:`s = (\\eta/\\sqrt B)\\,\\kappa` the step matrix
:math:`T = \\mathrm{diag}(c) + s^{2} 1^\\top` is similar, by :math:`P = \\mathrm{diag}(s)`, to the symmetric
:math:`S = \\mathrm{diag}(c) + s s^\\top`. With :math:`I - S = V\\,\\mathrm{diag}(\\nu)V^\\top` (computed from
``1 - c`` directly, so slow modes keep their relative precision) and the null mass ``z``,

.. math:: \\mathcal L(n) = z + \\sum_j (V^\\top s)_j (V^\\top q_0/s)_j (1-\\nu_j)^n
          + z \\sum_j (V^\\top s)_j^2\\, \\frac{1 - (1-\\nu_j)^n}{\\nu_j},

one symmetric eigendecomposition per width and draw, then O(N) per step count: no scan over steps.
:func:`loss_scan` is the same recursion by ``lax.scan`` (O(N) per step); both are tested against
``sgd_expected_loss`` to 1e-10. :func:`loss_surface` evaluates it on nested widths x computes.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from scaling_verify.numerics.simulate import with_float64
from scaling_verify.numerics.simulate.models import random_features as rf
from scaling_verify.numerics.simulate.models.compute_frontier import bucket, gram

BATCH = 1


def ab(alpha: float, beta: float) -> tuple[float, float]:
    """``(a, b) = (2 alpha + 2 beta, 2 alpha)``; needs ``2 alpha > 1`` (trace class) and ``alpha + beta > 1/2``."""
    if not 2 * alpha > 1:
        raise ValueError(f"need 2 alpha > 1 (the phases checked here), got alpha={alpha}")
    if not alpha + beta > 0.5:
        raise ValueError(f"need alpha + beta > 1/2 (finite target power), got alpha={alpha}, beta={beta}")
    return 2 * alpha + 2 * beta, 2 * alpha


@jax.jit
def _modes(A, lam, w):
    """Per draw ``A (N, M)``: ``(kappa, q0, null)`` of the width-N model."""
    def one(A_):
        N = A_.shape[0]
        AL = A_ * lam
        g, U = jnp.linalg.eigh(AL @ A_.T / N)
        z = U.T @ (AL @ w / jnp.sqrt(N))
        q = z * z / jnp.maximum(g, 1e-300)
        return g, q, jnp.sum(lam * w * w) - jnp.sum(q)
    return jax.vmap(one)(A)


@with_float64
def modes(A, lam, w):
    """``(kappa (draws, N), q0 (draws, N), null (draws,))`` for projections ``A`` of shape ``(draws, N, M)``."""
    if A.ndim != 3 or lam.shape != (A.shape[2],) or w.shape != lam.shape:
        raise ValueError(f"need A (draws, N, M), lam and w of shape (M,), got {A.shape}, {lam.shape}, {w.shape}")
    if A.shape[1] >= A.shape[2]:
        raise ValueError(f"need N < M (rank-N feature kernel), got N={A.shape[1]}, M={A.shape[2]}")
    return _modes(A, lam, w)


def _coeffs(kappa, eta, batch):
    one_minus_c = 2 * eta * kappa - eta ** 2 * (batch + 1) / batch * kappa ** 2
    return one_minus_c, eta / jnp.sqrt(batch) * kappa


@jax.jit
def _spectral(kappa, q0, null, eta, batch):
    """Per draw: ``(nu, weight of q0, weight of the null forcing)`` of the closed form."""
    def one(k, q, z):
        omc, s = _coeffs(k, eta, batch)
        live = k > 0
        ss = jnp.where(live, s, 0.0)
        H = jnp.diag(jnp.where(live, omc, 0.5)) - jnp.outer(ss, ss)  # I - S (dead modes: nu = 1/2, weight 0)
        nu, V = jnp.linalg.eigh(H)
        a_ = V.T @ ss
        b_ = V.T @ jnp.where(live, q / jnp.where(live, s, 1.0), 0.0)
        return nu, a_ * b_, z * a_ * a_
    return jax.vmap(one)(kappa, q0, null)


@jax.jit
def _eval(nu, wq, wz, null, n):
    lg = jnp.log1p(-nu)  # (D, N)
    pw = jnp.exp(n[None, :, None] * lg[:, None, :])  # (D, S, N)
    geo = -jnp.expm1(n[None, :, None] * lg[:, None, :]) / nu[:, None, :]
    return null[:, None] + jnp.sum(wq[:, None, :] * pw + wz[:, None, :] * geo, axis=-1)


@with_float64
def stable(kappa, eta: float, batch: int) -> bool:
    """Stability of the recursion as used here: ``0 < 1 - c_i < 1`` (monotone modes) and the Volterra
    kernel mass ``sum_i s_i^2/(1 - c_i) < 1`` (mean-square convergence)."""
    omc, s = _coeffs(jnp.asarray(kappa), eta, batch)
    k = np.asarray(kappa)
    live = k > 0
    mass = np.sum(np.where(live, np.asarray(s) ** 2 / np.where(live, np.asarray(omc), 1.0), 0.0), axis=-1)
    return bool(np.all(np.asarray(omc)[live] > 0) and np.all(np.asarray(omc)[live] < 1) and np.all(mass < 1))


@with_float64
def loss_at(kappa, q0, null, eta: float, batch: int, steps) -> np.ndarray:
    """Exact expected SGD loss after ``steps`` (any non-negative integers) per draw, ``(draws, len(steps))``."""
    n = np.asarray(steps, dtype=float).reshape(-1)
    if np.any(n < 0) or np.any(n != np.round(n)):
        raise ValueError("step counts must be non-negative integers")
    if int(batch) != batch or batch < 1:
        raise ValueError(f"batch must be an integer >= 1, got batch={batch}")
    if not stable(kappa, eta, int(batch)):
        raise ValueError(f"eta={eta} is outside the SGD stability region (need 0 < 1 - c_i < 1 and "
                         f"sum_i s_i^2/(1 - c_i) < 1)")
    nu, wq, wz = _spectral(kappa, q0, null, eta, float(batch))
    if np.any(np.asarray(nu) <= 0) or np.any(np.asarray(nu) >= 1):
        raise ValueError("closed form: an eigenvalue of I - S left (0, 1) (diverging or oscillating SGD recursion)")
    return np.asarray(_eval(nu, wq, wz, null, jnp.asarray(n)))


@partial(jax.jit, static_argnames=("steps",))
def _scan(kappa, q0, null, eta, batch, steps: int):
    def one(k, q, z):
        omc, s = _coeffs(k, eta, batch)

        def step(q, _):
            L = jnp.sum(q) + z
            return (1 - omc) * q + s * s * L, L
        qf, Ls = jax.lax.scan(step, q, None, length=steps)
        return jnp.concatenate([Ls, (jnp.sum(qf) + z)[None]])
    return jax.vmap(one)(kappa, q0, null)


@with_float64
def loss_scan(kappa, q0, null, eta: float, batch: int, steps: int) -> np.ndarray:
    """The diagonal recursion by ``lax.scan`` (O(N) per step): loss after 0..steps, ``(draws, steps + 1)``."""
    return np.asarray(_scan(kappa, q0, null, eta, float(batch), int(steps)))


@partial(jax.jit, static_argnames=("size",))
def _nested_modes(K, c, L0, n, size: int):
    """``(kappa, q0, null)`` of the width-n model (first n rows), shapes padded to ``size`` (kappa = 0 there)."""
    live = jnp.arange(size) < n
    mask = live.astype(K.dtype)

    def one(Kd, cd):
        G = Kd[:size, :size] * mask[:, None] * mask[None, :] / n - jnp.diag(1.0 - mask)  # dead modes at -1
        g, U = jnp.linalg.eigh(G)
        z = U.T @ (cd[:size] * mask / jnp.sqrt(n))
        ok = g > 0
        q = jnp.where(ok, z * z / jnp.where(ok, g, 1.0), 0.0)
        return jnp.where(ok, g, 0.0), q, L0 - jnp.sum(q)
    return jax.vmap(one)(K, c)


@with_float64
def loss_surface(alpha: float, beta: float, M: int, widths, fs, draws: int, eta: float | None = None,
                 batch: int = BATCH, seed: int = 0, method: str = "scan") -> tuple[np.ndarray, float]:
    """Exact expected SGD loss at ``n = round(f/N)`` steps for every width N and compute f: ``(draws, W, F)``.

    Nested widths: the width-N model uses the first N rows of one ``N_max x M`` projection per draw (one
    Gram matrix per draw, :func:`numerics.simulate.models.compute_frontier.gram`).
    ``eta`` defaults to ``B / (4 sum_k lambda_k)`` (Volterra kernel mass about 1/8). ``method``: "scan"
    (:func:`loss_scan`, O(f) per width and draw: cheaper than a second N x N eigh at large N) or "closed"
    (:func:`loss_at`). Returns ``(L, eta)``.
    """
    if method not in ("scan", "closed"):
        raise ValueError(f"method must be 'scan' or 'closed', got {method!r}")
    a, b = ab(alpha, beta)
    widths = np.asarray(widths, dtype=int)
    if widths.min() < 1 or np.any(np.diff(widths) <= 0):
        raise ValueError("widths must be increasing integers >= 1")
    if widths.max() >= M:
        raise ValueError(f"largest width {widths.max()} must be < M={M}")
    lam, w = rf.spectrum(M, a, b)
    if eta is None:
        eta = 0.25 * batch / float(jnp.sum(lam))
    n_max = int(widths.max())
    K, c = gram(jax.random.split(jax.random.key(seed), draws), lam, w, n_max, int(M))
    L0 = jnp.sum(lam * w * w)
    fs = np.asarray(fs, dtype=float)
    out = []
    for N in widths:
        n = np.maximum(np.round(fs / N), 1.0)
        kap, q0, z = _nested_modes(K, c, L0, jnp.float64(N), bucket(int(N), n_max))
        if method == "closed":
            out.append(loss_at(kap, q0, z, eta, batch, n))
        else:
            if not stable(kap, eta, batch):
                raise ValueError(f"eta={eta} is outside the SGD stability region at width {N}")
            out.append(loss_scan(kap, q0, z, eta, batch, int(n.max()))[:, n.astype(int)])
    return np.stack(out, axis=1), eta

