"""The deterministic equivalent (DMFT) of the random-feature model at ``P = oo`` in float64, and its
compute-optimal frontier.

:func:`de_loss` is the exact ``P = oo`` DMFT loss :math:`\\mathcal L(t) = \\sum_k k^{-a} H_k(2t)`,
:math:`H_k(s) = 1/(s + \\lambda_k R)`, :math:`R = 1 - \\frac1N\\sum_k \\frac{\\lambda_k R}{s + \\lambda_k R}`
(:mod:`numerics.precise.dmft`), in float64: Newton for ``R`` on the fixed-Talbot contour (the real node by
bisection, then continuation along the nodes), 24 nodes (agrees with the 30-digit mpmath solver to
1e-11). ``M = None`` is the infinite spectrum: modes below 512 summed, the rest by Gauss-Legendre in
``log k`` up to ``1e16`` and the leading-order tail beyond (1e-8 relative, valid for ``t <= 1e13``).
:func:`de_frontier` minimises it continuously in ``log N`` at ``M = oo``; :func:`de_far_slope` gives the
frontier's slopes up to ``C = 1e12``, i.e. its ``C -> oo`` exponents (a shared measurement).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scaling_verify.checks.measurement import measurement
from scaling_verify.numerics.simulate.models import random_features as rf


_TALBOT_NODES = 24


def _modes(a: float, b: float, M: int | None, K0: int = 512, X: float = 1e16, per: int = 3, q: int = 8):
    """Mode eigenvalues, powers and weights: all k <= M, or (M = None) k < K0 plus quadrature beyond."""
    k = np.arange(1, K0 if M is None else M + 1, dtype=float)
    lam, pw, wt = [k ** -b], [k ** -a], [np.ones_like(k)]
    if M is None:
        # sum_{k>=K0} f(k) = int_{K0-1/2}^oo f dk + O(f''); Gauss-Legendre in log k, 3 panels per e-fold
        lo, hi = np.log(K0 - 0.5), np.log(X)
        edges = np.linspace(lo, hi, int(np.ceil((hi - lo) * per)) + 1)
        xg, wg = np.polynomial.legendre.leggauss(q)
        half = (edges[1:, None] - edges[:-1, None]) / 2
        u = ((edges[1:, None] + edges[:-1, None]) / 2 + half * xg).ravel()
        kk = np.exp(u)
        lam.append(kk ** -b)
        pw.append(kk ** -a)
        wt.append((half * wg).ravel() * kk)
    return np.concatenate(lam), np.concatenate(pw), np.concatenate(wt), (X if M is None else None)


def _D(s, R, lam, wt, X, b):
    den = s[..., None] + lam * R[..., None]
    D = np.sum(wt * lam * R[..., None] / den, -1)
    dD = np.sum(wt * lam * s[..., None] / den ** 2, -1)
    if X is not None:  # k > X: lambda R << s, sum -> R X^{1-b}/((b-1) s)
        D = D + R * X ** (1 - b) / ((b - 1) * s)
        dD = dD + X ** (1 - b) / ((b - 1) * s)
    return D, dD


def _newton(s, R, lam, wt, X, b, iN):
    for _ in range(100):
        D, dD = _D(s, R, lam, wt, X, b)
        step = (R - 1 + D * iN) / (1 + dD * iN)
        R = R - step
        if np.all(np.abs(step) <= 1e-12 * np.abs(R)):
            return R
    raise RuntimeError("DMFT fixed point R(s) did not converge")


def de_loss(N: float, ts, a: float, b: float, M: int | None = None, **quad) -> np.ndarray:
    """Deterministic-equivalent (DMFT) P = oo test loss at width ``N`` (real allowed) and times ``ts``.

    ``quad``: the infinite-spectrum quadrature (``K0``, ``X``, ``per``, ``q`` of :func:`_modes`).
    """
    if M is None and not b > 1:
        raise ValueError(f"the infinite spectrum needs b > 1 (trace class), got b={b}")
    rf.validate(a, b)
    if not N > 0 or (M is not None and N > M):
        raise ValueError(f"need 0 < N <= M, got N={N}, M={M}")
    ts = np.atleast_1d(np.asarray(ts, dtype=float))
    if np.any(ts <= 0) or (M is None and ts.max() > 1e13):
        raise ValueError("times must be in (0, 1e13] (the infinite-spectrum tail is leading order)")
    lam, pw, wt, X = _modes(a, b, M, **quad)
    T = 2 * ts
    n = _TALBOT_NODES
    th = np.arange(1, n) * np.pi / n
    cot = 1 / np.tan(th)
    sig = th + (th * cot - 1) * cot
    r = 2 * n / (5 * T)
    s = np.concatenate([r[:, None], r[:, None] * th * (cot + 1j)], axis=1).astype(complex)
    iN = 1.0 / N
    # real node: f(R) = R - 1 + D(R)/N is increasing on (0, 1], f(0) = -1 < 0 <= f(1): bisect in log R
    lo, hi = np.full(len(ts), -60.0), np.zeros(len(ts))
    for _ in range(64):
        mid = (lo + hi) / 2
        Rm = np.exp(mid) + 0j
        f = (Rm - 1 + _D(s[:, 0], Rm, lam, wt, X, b)[0] * iN).real
        lo, hi = np.where(f < 0, mid, lo), np.where(f < 0, hi, mid)
    R = np.empty_like(s)
    R[:, 0] = _newton(s[:, 0], np.exp((lo + hi) / 2) + 0j, lam, wt, X, b, iN)
    for j in range(1, n):  # continuation along the contour
        R[:, j] = _newton(s[:, j], R[:, j - 1], lam, wt, X, b, iN)
    F = np.sum(wt * pw / (s[..., None] + lam * R[..., None]), -1)
    if X is not None:
        F = F + X ** (1 - a) / ((a - 1) * s)
    e = np.exp(s * T[:, None])
    tot = 0.5 * (F[:, 0] * e[:, 0]).real + np.sum((e[:, 1:] * F[:, 1:] * (1 + 1j * sig)).real, -1)
    return r / n * tot


def de_surface(a: float, b: float, M: int | None, widths, Cs) -> np.ndarray:
    """DE loss at ``t = C/n`` on the width grid, ``(W, C)``."""
    Cs = np.asarray(Cs, dtype=float)
    return np.stack([de_loss(float(n), Cs / n, a, b, M) for n in widths])


def de_frontier(C: float, a: float, b: float) -> tuple[float, float]:
    """``(N*, L*)`` of the infinite-spectrum DE at compute C, minimised continuously in ``log N``."""
    from scipy.optimize import minimize_scalar

    f = lambda u: float(np.log(de_loss(np.exp(u), [C / np.exp(u)], a, b)[0]))  # noqa: E731
    us = np.linspace(np.log(2.0), np.log(C) - np.log(2.0), 24)
    v = [f(u) for u in us]
    i = int(np.clip(np.argmin(v), 1, len(us) - 2))
    res = minimize_scalar(f, bounds=(us[i - 1], us[i + 1]), method="bounded", options={"xatol": 1e-10})
    return float(np.exp(res.x)), float(np.exp(res.fun))


def de_local_slopes(a: float, b: float, Cs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Local slopes of the M = oo DE frontier between consecutive Cs: ``(C_mid, loss slope, width slope)``."""
    Cs = np.asarray(Cs, dtype=float)
    pts = np.array([de_frontier(C, a, b) for C in Cs])
    lc = np.log(Cs)
    return (np.exp((lc[1:] + lc[:-1]) / 2), -np.diff(np.log(pts[:, 1])) / np.diff(lc),
            np.diff(np.log(pts[:, 0])) / np.diff(lc))



@dataclass(frozen=True)
class FarSlope:
    """Slopes of the M = oo DE frontier over C = 1e11..1e12 (``loss``, ``width``) and their remainders,
    the change from C = 1e10..1e11 (the deficit shrinks geometrically per decade, by 10^-omega, so the last
    slope is within that change of the limit)."""

    loss: float
    loss_rem: float
    width: float
    width_rem: float


@measurement
def de_far_slope(a: float, b: float) -> FarSlope:
    """The DE frontier's slopes over C = 1e10..1e11 and 1e11..1e12, i.e. its C -> oo exponents."""
    _, sl, sn = de_local_slopes(a, b, [1e10, 1e11, 1e12])
    return FarSlope(loss=float(sl[-1]), loss_rem=float(abs(sl[-1] - sl[-2])),
                    width=float(sn[-1]), width_rem=float(abs(sn[-1] - sn[-2])))
