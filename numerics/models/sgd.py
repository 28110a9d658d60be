"""One-pass SGD on a linear model of given modes: its exact expected test loss at 30 digits, and the real system
in JAX.

**System** (the model of the 4+3 phases of Paquette, Paquette, Xiao, Pennington 2024, arXiv 2405.15074, and of
Bordelon, Atanasov, Pehlevan 2024, arXiv 2402.01092, App. on SGD). Modes :math:`k = 1..M`, data
:math:`\\psi \\sim \\mathcal N(0, \\Lambda)`, :math:`\\Lambda = \\operatorname{diag}(\\lambda_k)`, labels
:math:`y = \\psi^\\top w^\\star + \\sigma\\epsilon`, :math:`p_k = \\lambda_k w_k^{\\star2}`. Student: ``N`` random features
:math:`z = A\\psi/\\sqrt N` (:math:`A_{ij} \\sim \\mathcal N(0, 1)`; ``N = None``: the modes themselves, :math:`z = \\psi`),
:math:`f = v^\\top z`, :math:`v_0 = 0`; step ``n`` draws a fresh minibatch of ``B`` samples and takes
:math:`v \\leftarrow v - \\frac\\eta B\\sum_{b} z_b(f(\\psi_b) - y_b)`. Test loss on a fresh sample:
:math:`\\mathcal L = (w^\\star-\\theta)^\\top\\Lambda(w^\\star-\\theta) + \\sigma^2`, :math:`\\theta = A^\\top v/\\sqrt N`.

**Exact expected loss at** ``N = None`` (:func:`loss_points`), derived here. With :math:`r = \\theta - w^\\star` and the
minibatch covariance :math:`\\hat G = \\frac1B\\sum_b\\psi_b\\psi_b^\\top`,
:math:`r' = (I - \\eta\\hat G)r + \\frac\\eta B\\sum_b\\psi_b\\sigma\\epsilon_b`. For Gaussian data (Isserlis)
:math:`\\mathbb E[\\hat G Q\\hat G] = (1 + \\tfrac1B)\\Lambda Q\\Lambda + \\tfrac1B\\Lambda\\operatorname{tr}(\\Lambda Q)`, so
:math:`Q = \\mathbb E\\,rr^\\top` obeys
:math:`Q' = Q - \\eta(\\Lambda Q + Q\\Lambda) + \\eta^2[(1+\\tfrac1B)\\Lambda Q\\Lambda + \\tfrac1B\\Lambda\\operatorname{tr}(\\Lambda Q)]
+ \\tfrac{\\eta^2\\sigma^2}B\\Lambda`. Its diagonal closes on itself: with :math:`q_k = \\lambda_kQ_{kk}` (the loss of mode k),

.. math:: q_k \\leftarrow c_k q_k + \\frac{\\eta^2}{B}\\lambda_k^2\\Big(\\sum_j q_j + \\sigma^2\\Big),\\qquad
   c_k = 1 - 2\\eta\\lambda_k + \\eta^2\\big(1 + \\tfrac1B\\big)\\lambda_k^2,\\qquad q_k(0) = p_k,

and :math:`\\mathcal L(n) = \\sum_k q_k(n) + \\sigma^2` -- exact, no deterministic-equivalent error (the same recursion
as :mod:`numerics.simulate.models.sgd_phases` in the eigenbasis of the features, here with label noise). It is
stable iff every :math:`|c_k| < 1` and :math:`\\frac{\\eta^2}{B}\\sum_k\\lambda_k^2/(1-c_k) < 1` (the kernel norm of the
Volterra form of Paquette et al.): :func:`stability` checks both.

Finite ``N``: the expectation over the data is the same recursion in the eigenbasis of :math:`A\\Lambda A^\\top/N`, but
its average over :math:`A` has no deterministic equivalent here; :func:`simulate` gives per-draw losses of the real
system for any ``N``.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np


def _validated(batch, lr, noise) -> tuple[int, float, float]:
    import numbers
    if isinstance(batch, bool) or not isinstance(batch, numbers.Integral) or batch < 1:
        raise ValueError(f"batch must be an integer >= 1, got batch={batch!r}")
    for name, v in (("lr", lr), ("noise", noise)):
        if isinstance(v, bool) or not isinstance(v, (numbers.Real, mp.mpf)) or not math.isfinite(float(v)):
            raise ValueError(f"{name} must be a finite real number, got {name}={v!r}")
    if not float(lr) > 0:
        raise ValueError(f"lr must be > 0, got lr={lr!r}")
    if float(noise) < 0:
        raise ValueError(f"noise must be >= 0, got noise={noise!r}")
    return int(batch), float(lr), float(noise)


def _steps(steps) -> list[int]:
    import numbers
    out = []
    for s in np.atleast_1d(np.asarray(steps, dtype=object)):
        if isinstance(s, bool) or not isinstance(s, numbers.Real) or not float(s).is_integer() or float(s) < 0:
            raise ValueError(f"steps must be integers >= 0, got {s!r}")
        out.append(int(s))
    return out


def stability(lam, batch: int, lr: float) -> tuple[bool, float]:
    """``(stable, kernel_norm)`` of the recursion (module doc) for eigenvalues ``lam`` (float64)."""
    lam = np.asarray([float(v) for v in lam])
    c = 1 - 2 * lr * lam + lr ** 2 * (1 + 1 / batch) * lam ** 2
    if np.any(np.abs(c) >= 1):
        return False, math.inf
    norm = float(lr ** 2 / batch * np.sum(lam ** 2 / (1 - c)))
    return norm < 1, norm


def _require_stable(lam, batch, lr) -> None:
    ok, norm = stability(lam, batch, lr)
    if not ok:
        raise ValueError(f"lr={lr:g} with batch={batch} diverges: the expected loss grows without bound "
                         f"(need |1 - 2 lr lambda + lr^2 (1 + 1/B) lambda^2| < 1 for every mode and kernel norm "
                         f"< 1, got {norm:.3g}); lower lr")


def loss_points(steps, lam, pw, batch: int, lr: float, noise: float = 0.0, dps: int = 30) -> list:
    """The exact expected test loss of one-pass SGD at ``N = None`` after each of ``steps`` (mpf at ``dps``
    digits; ``lam``, ``pw`` the modes, mpf or float), by the recursion of the module doc (O(M) per step, run to
    the largest step)."""
    batch, lr, noise = _validated(batch, lr, noise)
    ns = _steps(steps)
    _require_stable(lam, batch, lr)
    with mp.workdps(dps + 15):
        eta, B, s2 = mp.mpf(lr), mp.mpf(batch), mp.mpf(noise) ** 2
        lam_ = [mp.mpf(v) for v in lam]
        q = [mp.mpf(v) for v in pw]
        c = [1 - 2 * eta * lv + eta ** 2 * (1 + 1 / B) * lv ** 2 for lv in lam_]
        g = [eta ** 2 / B * lv ** 2 for lv in lam_]
        want = sorted(set(ns))
        vals, n = {}, 0
        total = mp.fsum(q)
        for target in want:
            while n < target:
                drive = total + s2
                q = [ck * qk + gk * drive for ck, qk, gk in zip(c, q, g)]
                total = mp.fsum(q)
                n += 1
            vals[target] = total + s2
    with mp.workdps(dps):
        return [+vals[s] for s in ns]


def loss_curve(steps, lam, pw, batch: int, lr: float, noise: float = 0.0) -> np.ndarray:
    """:func:`loss_points` in float64 (numpy, vectorised over modes), for curves."""
    batch, lr, noise = _validated(batch, lr, noise)
    ns = _steps(steps)
    lam = np.asarray(lam, dtype=float)
    _require_stable(lam, batch, lr)
    q = np.asarray(pw, dtype=float).copy()
    c = 1 - 2 * lr * lam + lr ** 2 * (1 + 1 / batch) * lam ** 2
    g = lr ** 2 / batch * lam ** 2
    out, n = {}, 0
    for target in sorted(set(ns)):
        for _ in range(target - n):
            q = c * q + g * (q.sum() + noise ** 2)
        n = target
        out[target] = q.sum() + noise ** 2
    return np.array([out[s] for s in ns])


def simulate(seed: int, lam, w, steps, batch: int, lr: float, draws: int, N: int | None = None,
             noise: float = 0.0) -> np.ndarray:
    """Per-draw test losses ``(draws, len(steps))`` of the real one-pass SGD (module doc), float64: ``lax.scan``
    over steps, ``vmap`` over draws; draw ``i`` uses ``fold_in(key(seed), i)`` (projection, minibatches)."""
    batch, lr, noise = _validated(batch, lr, noise)
    ns = _steps(steps)
    lam = np.asarray(lam, dtype=float)
    _require_stable(lam, batch, lr)
    from scaling_verify.numerics.simulate import float64
    with float64():
        return _simulate(seed, lam, np.asarray(w, dtype=float), ns, batch, lr, int(draws),
                         None if N is None else int(N), noise)


def _simulate(seed, lam, w, ns, batch, lr, draws, N, noise):
    import jax
    import jax.numpy as jnp

    M = lam.shape[0]
    n_max = max(ns) if ns else 0
    lam_j, w_j, sq = jnp.asarray(lam), jnp.asarray(w), jnp.sqrt(jnp.asarray(lam))

    def one(key):
        kA, kS = jax.random.split(key)
        A = (jax.random.normal(kA, (N, M), dtype=jnp.float64) / jnp.sqrt(N)) if N else None

        def theta_of(v):
            return v if A is None else A.T @ v

        def loss(v):
            r = w_j - theta_of(v)
            return jnp.sum(lam_j * r * r) + noise ** 2

        def step(v, k):
            kx, ke = jax.random.split(k)
            psi = jax.random.normal(kx, (batch, M), dtype=jnp.float64) * sq
            y = psi @ w_j + noise * jax.random.normal(ke, (batch,), dtype=jnp.float64)
            z = psi if A is None else psi @ A.T
            v = v - lr / batch * z.T @ (z @ v - y)
            return v, loss(v)

        v0 = jnp.zeros(M if A is None else N, dtype=jnp.float64)
        _, path = jax.lax.scan(step, v0, jax.random.split(kS, n_max))
        return jnp.concatenate([loss(v0)[None], path])

    keys = jax.vmap(lambda i: jax.random.fold_in(jax.random.key(seed), i))(jnp.arange(draws))
    paths = jax.jit(jax.vmap(one))(keys)
    return np.asarray(paths[:, jnp.asarray(ns, dtype=int)])
