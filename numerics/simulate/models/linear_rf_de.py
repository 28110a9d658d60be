"""The linear random-feature ridge(less) DE (finite ``N`` and ``P``, ``t = oo``) in float64 numpy, vectorised
over points ``(N, P, ridge, noise)`` for curves. Same formulas, same reduction to one equation and same
ridgeless conventions as the 30-digit :mod:`numerics.precise.models.linear_rf` (its module doc has the
derivation); agreement to ~1e-12 relative is tested in ``proofs_tests/test_linear_rf.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _newton(F, lo, hi, u, iters: int = 200):
    """Vectorised safeguarded Newton for increasing ``F(u) -> (value, derivative)`` on brackets ``[lo, hi]``."""
    for _ in range(iters):
        f, d = F(u)
        hi = np.where(f > 0, u, hi)
        lo = np.where(f > 0, lo, u)
        with np.errstate(divide="ignore", invalid="ignore"):
            un = u - f / d
        bad = ~np.isfinite(un) | (un <= lo) | (un >= hi)
        un = np.where(bad, 0.5 * (lo + hi), un)
        done = np.abs(un - u) <= 1e-15 * np.maximum(1.0, np.abs(u))
        u = un
        if np.all(done):
            break
    return u


def _df(lam, x):
    r = lam[None, :] / (lam[None, :] + x[:, None])
    return r.sum(axis=1), (r * r).sum(axis=1)


def _validate(lam, pw, N, P, ridge, noise):
    lam = np.asarray(lam, dtype=float)
    if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam) & (lam > 0)):
        raise ValueError("lam must be a non-empty 1-d array of finite eigenvalues > 0")
    if pw is not None:
        pw = np.asarray(pw, dtype=float)
        if pw.shape != lam.shape or not np.all(np.isfinite(pw)):
            raise ValueError(f"pw must be finite with one entry per mode ({lam.size}), got shape {pw.shape}")
    for name, v, lo in (("N", N, 1), ("P", P, 1), ("ridge", ridge, 0), ("noise", noise, 0)):
        a = np.asarray(v, dtype=float) if not isinstance(v, (str, bytes)) else None
        if a is None or not np.all(np.isfinite(a) & (a >= lo)):
            raise ValueError(f"{name} must be finite and >= {lo}, got {name}={v!r}")
    return lam, pw


@dataclass(frozen=True, eq=False)
class Solution:
    """The equivalent's renormalised ridges and degrees of freedom, arrays of the broadcast shape of
    ``N, P, ridge``: ``nu1, nu2, df1, df2, Upsilon, bias_weight`` (module doc of
    :mod:`numerics.precise.models.linear_rf`)."""

    nu1: np.ndarray
    nu2: np.ndarray
    df1: np.ndarray
    df2: np.ndarray
    Upsilon: np.ndarray
    bias_weight: np.ndarray


def solve(lam, N, P, ridge=0.0) -> Solution:
    """:class:`Solution` (arrays of the broadcast shape of N, P, ridge): ``nu1, nu2, df1, df2, Upsilon,
    bias_weight`` (module doc of :mod:`numerics.precise.models.linear_rf`)."""
    lam, _ = _validate(lam, None, N, P, ridge, 0.0)
    Nb, Pb, rb = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (N, P, ridge)))
    shape = Nb.shape
    N, P, rho = Nb.ravel(), Pb.ravel(), rb.ravel()
    M = lam.size
    n = np.minimum(N, P)
    inner = n < M
    # x_*: df1(x_*) = n (n < M), else 0
    nn = np.where(inner, n, M - 0.5)
    lo = np.log(lam.min() * (M - nn) / nn)
    hi = np.log(lam.sum() / nn)

    def F1(u):
        d1, d2 = _df(lam, np.exp(u))
        return nn - d1, d1 - d2
    xs = np.where(inner, np.exp(_newton(F1, lo, hi, 0.5 * (lo + hi))), 0.0)
    x = xs.copy()
    pos = rho > 0
    if np.any(pos):
        r = np.where(pos, rho, 1.0)
        lo = np.log(np.maximum(xs, r))
        hi = np.log(r + lam.sum() * (1 / N + 1 / P))

        def F2(u):
            d1, d2 = _df(lam, np.exp(u))
            ok = d1 < n
            with np.errstate(divide="ignore", invalid="ignore"):
                f = u + np.log1p(-d1 / N) + np.log1p(-d1 / P) - np.log(r)
                d = 1 + (d1 - d2) * (1 / (N - d1) + 1 / (P - d1))
            return np.where(ok, f, -np.inf), np.where(ok, d, 0.0)
        x = np.where(pos, np.exp(_newton(F2, lo, hi, hi)), x)
    zero = x == 0
    d1, d2 = _df(lam, np.where(zero, 1.0, x))
    d1 = np.where(zero, M, np.where(pos, d1, np.minimum(n, M)))
    d2 = np.where(zero, M, d2)
    q = 1 - d1 / N
    with np.errstate(divide="ignore", invalid="ignore"):
        ups = np.where(zero, d1 / P, N / P * ((1 - q) ** 2 + q ** 2 * d2 / (N - d2)))
        bw = np.where(zero, 0.0, x * (d1 - d2) / (N - d2))
    return Solution(nu1=(x * q).reshape(shape), nu2=x.reshape(shape), df1=d1.reshape(shape), df2=d2.reshape(shape),
                    Upsilon=ups.reshape(shape), bias_weight=bw.reshape(shape))


def bias_variance(lam, pw, N, P, ridge=0.0, noise=0.0):
    """``(B, V)`` arrays (``L = B + V + sigma^2``); ``inf`` where the ridgeless loss diverges."""
    lam, pw = _validate(lam, pw, N, P, ridge, noise)
    s = solve(lam, N, P, ridge)
    shape = np.broadcast_shapes(s.nu2.shape, np.shape(noise))
    x = np.broadcast_to(s.nu2, shape).ravel()
    bw = np.broadcast_to(s.bias_weight, shape).ravel()
    ups = np.broadcast_to(s.Upsilon, shape).ravel()
    s2 = np.broadcast_to(np.asarray(noise, dtype=float) ** 2, shape).ravel()
    inv2 = 1 / (lam[None, :] + x[:, None]) ** 2
    num = np.where(x == 0, 0.0, x * x * (inv2 @ pw) + bw * (inv2 @ (pw * lam)))
    div = ups >= 1
    with np.errstate(divide="ignore", invalid="ignore"):
        B = np.where(div, np.where(num > 0, np.inf, 0.0), num / (1 - ups))
        V = np.where(div, np.where(s2 > 0, np.inf, 0.0), s2 * ups / (1 - ups))
    return B.reshape(shape), V.reshape(shape)


def loss_limit(lam, pw, N, P, ridge=0.0, noise=0.0) -> np.ndarray:
    """The converged test loss ``B + V + sigma^2`` (broadcast over N, P, ridge, noise), float64."""
    B, V = bias_variance(lam, pw, N, P, ridge, noise)
    return B + V + np.asarray(noise, dtype=float) ** 2


def power_law_loss(M: int, a: float, b: float, N, P, ridge=0.0, noise=0.0) -> np.ndarray:
    """:func:`loss_limit` for ``lambda_k = k^-b``, ``p_k = k^-a``, ``k = 1..M``."""
    k = np.arange(1, int(M) + 1, dtype=float)
    return loss_limit(k ** -float(b), k ** -float(a), N, P, ridge, noise)
