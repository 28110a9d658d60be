"""The finite-data (finite ``P``) gradient-flow test loss in float64: the two-time deterministic equivalent.

Same quantity and formula as the 30-digit :mod:`numerics.precise.models.two_time` (derivation there):
``N = oo``, ``P`` reused samples, ridge ``rho``, label noise ``sigma``, test loss on a fresh sample
:math:`\\mathcal L(t) = v^\\top\\Lambda v + \\sigma^2` at the diagonal of the inverse double Laplace transform of

.. math:: \\hat{\\mathcal L}(s_1,s_2) = \\frac{z_1z_2}{s_1s_2}\\frac{\\sum_k p_kH_k(z_1)H_k(z_2)}{1-\\gamma_{12}} +
   \\frac{\\sigma^2}{s_1s_2}\\Big[\\frac{\\operatorname{tr}_1+\\operatorname{tr}_2}{2} - \\frac{z_1+z_2}{2P}
   \\frac{\\sum_k\\lambda_kH_k(z_1)H_k(z_2)}{1-\\gamma_{12}} + 1\\Big],

:math:`z = s + \\rho`, :math:`H_k = 1/(z+\\lambda_kR)`, :math:`R = 1 - \\frac1P\\sum_k\\lambda_kR/(z+\\lambda_kR)`,
:math:`\\gamma_{12} = \\frac1P\\sum_k\\lambda_k^2R_1R_2H_k(z_1)H_k(z_2)`, :math:`\\operatorname{tr}_i = \\frac1P\\sum_k\\lambda_kH_k(z_i)`.

Inversion: the product of two Weideman-optimised Talbot rules (the contour of
:func:`numerics.simulate.models.rf_ensemble.dmft_loss_curve`, ``nodes`` midpoints on the upper half; the lower
half is the conjugate). With :math:`a_j = e^{z_jt}z'_j` on the upper half and :math:`a = -\\bar a` on the lower,
:math:`f(t,t) = (h/2\\pi i)^2\\sum_{j,l}a_ja_lF = \\frac{h^2}{2\\pi^2}\\operatorname{Re}[\\sum_{j,l}a_j\\bar a_lF(z_j,\\bar z_l) -
\\sum_{j,l}a_ja_lF(z_j,z_l)]`. Rounding is amplified by :math:`e^{2 \\cdot 0.17\\,n}` (n = 32: ~6e4), so the
result is good to ~1e-11 relative (tested against the 30-digit solver). ``t = inf``: the ridge(less) closed form.
"""

from __future__ import annotations

import numpy as np

from scaling_verify.numerics.simulate.models import rf_ensemble as rfe


def _check(P: float, ridge: float, noise: float) -> None:
    for name, v, lo in (("P", P, 1.0), ("ridge", ridge, 0.0), ("noise", noise, 0.0)):
        if isinstance(v, (str, bytes, bool)) or v is None or not np.isfinite(float(v)) or not float(v) >= lo:
            raise ValueError(f"{name} must be a finite number >= {lo:g}, got {name}={v!r}")


def solve_kappa(lam: np.ndarray, P: float, ridge: float = 0.0) -> float:
    """``kappa = rho + (kappa/P) sum lambda/(lambda + kappa)`` (largest root; convex Newton from above, see the
    30-digit :func:`numerics.precise.models.two_time.solve_kappa`); ``rho = 0``, ``P >= M``: 0."""
    lam = np.asarray(lam, float)
    if ridge == 0 and P >= lam.size:
        return 0.0
    kap = ridge + lam.sum() / P
    for _ in range(500):
        u = lam / (lam + kap)
        step = (kap * (1 - u.sum() / P) - ridge) / (1 - np.sum(u * u) / P)
        kap -= step
        if abs(step) <= 1e-15 * kap:
            return float(kap)
    raise ArithmeticError(f"kappa equation did not converge (P={P}, ridge={ridge})")


def loss_limit(lam, pw, P: float, ridge: float = 0.0, noise: float = 0.0) -> float:
    """``t = oo``: ``[sum p kappa^2/(lambda+kappa)^2 + sigma^2 gamma]/(1-gamma) + sigma^2`` (inf at the
    interpolation threshold ``rho = 0``, ``P = M``, ``sigma > 0``)."""
    _check(P, ridge, noise)
    lam, pw = np.asarray(lam, float), np.asarray(pw, float)
    kap = solve_kappa(lam, P, ridge)
    gam = np.sum((lam / (lam + kap)) ** 2) / P
    if gam >= 1 - 1e-15:
        return float("inf") if noise > 0 else 0.0
    return float((np.sum(pw * (kap / (lam + kap)) ** 2) + noise ** 2 * gam) / (1 - gam) + noise ** 2)


def loss_de(ts, lam, pw, P: float, ridge: float = 0.0, noise: float = 0.0, nodes: int = 32) -> np.ndarray:
    """The finite-P gradient-flow test loss at each ``t`` (``inf`` allowed), float64 (module doc)."""
    _check(P, ridge, noise)
    if int(nodes) != nodes or nodes < 8:
        raise ValueError(f"nodes must be an integer >= 8, got {nodes}")
    lam, pw = np.asarray(lam, float), np.asarray(pw, float)
    ts = np.atleast_1d(np.asarray(ts, dtype=float))
    if np.any(~(ts > 0)):
        raise ValueError("times must be > 0 (or inf)")
    out = np.empty(ts.shape)
    inf = np.isinf(ts)
    out[inf] = loss_limit(lam, pw, P, ridge, noise)
    if np.all(inf):
        return out
    t = ts[~inf][:, None]
    p = rfe._TALBOT
    h = np.pi / nodes
    th = (np.arange(nodes) + 0.5) * h
    cot = 1 / np.tan(p["alpha"] * th)
    s = nodes / t * (p["sigma"] + p["mu"] * (th * cot + 1j * p["nu"] * th))
    ds = nodes / t * p["mu"] * (cot - p["alpha"] * th / np.sin(p["alpha"] * th) ** 2 + 1j * p["nu"])
    z = s + ridge
    R = rfe._solve_R_contour(z, lam, float(P))  # the N = oo DMFT R with N -> P: the same equation
    H = 1 / (z[..., None] + lam * R[..., None])  # (T, n, M)
    a = np.exp(s * t) * ds

    def block(H2, R2, z2, s2, a2):
        gam = np.einsum("tjk,tlk->tjl", lam ** 2 * R[..., None] * H, R2[..., None] * H2) / P
        F = np.einsum("tjk,tlk->tjl", pw * H, H2) / (1 - gam)
        if ridge:
            F = F * (z[:, :, None] * z2[:, None, :]) / (s[:, :, None] * s2[:, None, :])
        if noise:
            cross = np.einsum("tjk,tlk->tjl", lam * H, H2) / P / (1 - gam)
            tr1, tr2 = (H @ lam) / P, (H2 @ lam) / P
            Fn = (tr1[:, :, None] + tr2[:, None, :] - (z[:, :, None] + z2[:, None, :]) * cross) / 2 + 1
            F = F + noise ** 2 * Fn / (s[:, :, None] * s2[:, None, :])
        return np.einsum("tj,tjl,tl->t", a, F, a2)

    same = block(H, R, z, s, a)
    conj = block(H.conj(), R.conj(), z.conj(), s.conj(), a.conj())
    out[~inf] = h ** 2 / (2 * np.pi ** 2) * (conj.real - same.real)
    return out


def power_law_loss_de(ts, M: int, a: float, b: float, P: float, ridge: float = 0.0, noise: float = 0.0,
                      nodes: int = 32) -> np.ndarray:
    """:func:`loss_de` for ``lambda_k = k^-b``, ``p_k = k^-a``, k = 1..M."""
    k = np.arange(1, int(M) + 1, dtype=float)
    return loss_de(ts, k ** -b, k ** -a, P, ridge, noise, nodes)
