"""The converged (``t = oo``) test loss of linear random-feature ridge(less) regression with finite ``N`` AND
finite ``P``, at 30 digits: a deterministic equivalent (DE).

**System** (the package's notation, :mod:`numerics.simulate.models.random_features`). ``M`` modes, data
:math:`\\psi \\sim \\mathcal N(0, \\Lambda)`, labels :math:`y = \\psi^\\top w^\\star + \\sigma\\epsilon`,
:math:`p_k = \\lambda_k w_k^{\\star2}`. ``N`` random features :math:`z = A\\psi/\\sqrt N` (:math:`A_{ij} \\sim
\\mathcal N(0,1)`), ``P`` samples :math:`X = \\Psi A^\\top/\\sqrt N`, ridge :math:`\\rho \\ge 0` on the ½-MSE mean:
:math:`v = \\arg\\min \\frac1P|Xv - y|^2 + \\rho|v|^2 = (X^\\top X/P + \\rho)^{-1}X^\\top y/P` (``rho = 0``: the
min-norm interpolant = gradient flow from 0 at ``t = oo``), :math:`\\theta = A^\\top v/\\sqrt N`,
:math:`\\mathcal L = (w^\\star-\\theta)^\\top\\Lambda(w^\\star-\\theta) + \\sigma^2`.

**The DE.** With :math:`\\mathrm{df}_1(x) = \\sum_k\\frac{\\lambda_k}{\\lambda_k+x}`,
:math:`\\mathrm{df}_2(x) = \\sum_k\\frac{\\lambda_k^2}{(\\lambda_k+x)^2}`, find :math:`\\nu_1, \\nu_2 > 0` with

.. math:: P - \\frac{P\\rho}{\\nu_1} = \\mathrm{df}_1(\\nu_2), \\qquad N - N\\frac{\\nu_1}{\\nu_2} = \\mathrm{df}_1(\\nu_2),

.. math:: \\Upsilon = \\frac NP\\Big[\\Big(1-\\frac{\\nu_1}{\\nu_2}\\Big)^2 + \\Big(\\frac{\\nu_1}{\\nu_2}\\Big)^2
   \\frac{\\mathrm{df}_2}{N - \\mathrm{df}_2}\\Big], \\qquad \\chi = \\frac{\\sum_k\\lambda_k/(\\lambda_k+\\nu_2)^2}{N - \\mathrm{df}_2},

.. math:: \\mathcal L = \\frac{\\nu_2^2\\big[\\sum_k\\frac{p_k}{(\\lambda_k+\\nu_2)^2} + \\chi\\sum_k\\frac{p_k\\lambda_k}
   {(\\lambda_k+\\nu_2)^2}\\big] + \\sigma^2}{1 - \\Upsilon}
   = \\underbrace{\\frac{\\nu_2^2[\\dots]}{1-\\Upsilon}}_{B} + \\underbrace{\\frac{\\sigma^2\\Upsilon}{1-\\Upsilon}}_{V} + \\sigma^2.

This is the form of Defilippis, Loureiro, Misiakiewicz 2024 (arXiv 2405.15699, "Dimension-free deterministic
equivalents for random feature regression") for linear features; see also Atanasov, Zavatone-Veth, Pehlevan
2024 (arXiv 2405.00592) and Bach 2023 (random projections). The form was first *reconstructed from memory*,
with ``P - rho/nu1`` (a ridge on the *summed* loss); with this package's ridge on the mean loss it is
``P - P rho/nu1`` (Monte Carlo rejects the other one, ``proofs_tests/test_linear_rf.py``).

**Derived here** (so not only recalled): condition on ``A``. Given ``A`` the features are Gaussian with
covariance :math:`S = A\\Lambda A^\\top/N = BB^\\top`, :math:`B = A\\Lambda^{1/2}/\\sqrt N`; the target splits into
its projection :math:`\\beta_A = S^{-1}A\\Lambda w^\\star/\\sqrt N` plus an independent Gaussian residual of
variance :math:`r_A = u^\\top(I-\\Pi)u`, :math:`u = \\Lambda^{1/2}w^\\star`, :math:`\\Pi` the projector on the row
space of ``B``, acting as extra label noise. The kernel-ridge DE in ``N`` dimensions
(:mod:`numerics.precise.models.two_time`, ``t = oo``) gives
:math:`\\mathcal L_A = [\\kappa^2\\beta_A^\\top S(S+\\kappa)^{-2}\\beta_A + r_A + \\sigma^2]/(1-\\gamma_A)` with
:math:`\\kappa = \\rho + \\frac\\kappa P\\operatorname{tr}S(S+\\kappa)^{-1}`, :math:`\\gamma_A = \\frac1P\\operatorname{tr}
S^2(S+\\kappa)^{-2}`. By push-through (:math:`B^\\top g(BB^\\top)B = g(F)F`, :math:`F = B^\\top B`) the numerator is
:math:`u^\\top\\kappa^2(F+\\kappa)^{-2}u + \\sigma^2` (on the null space of ``F`` the factor is 1, which is
:math:`r_A`). The random-projection DE :math:`\\kappa(F+\\kappa)^{-1} \\simeq \\nu_2(\\Lambda+\\nu_2)^{-1}`,
:math:`\\kappa = \\nu_2(1 - \\mathrm{df}_1(\\nu_2)/N)` identifies :math:`\\nu_1 = \\kappa`, gives
:math:`\\operatorname{tr}S(S+\\kappa)^{-1} \\simeq \\mathrm{df}_1(\\nu_2)` (the first equation), and its
``kappa``-derivative (:math:`d\\nu_2/d\\kappa = 1/(1 - \\mathrm{df}_2/N)`) gives the two-point quantities:
:math:`\\kappa^2(F+\\kappa)^{-2} = -\\kappa^2\\partial_\\kappa(F+\\kappa)^{-1} \\simeq \\nu_2^2(\\Lambda+\\nu_2)^{-2} +
\\nu_2\\frac{\\mathrm{df}_1-\\mathrm{df}_2}{N-\\mathrm{df}_2}\\Lambda(\\Lambda+\\nu_2)^{-2}` (:math:`=\\nu_2^2\\chi`
for the second term) and :math:`P\\gamma_A = \\mathrm{df}_F + \\kappa\\,\\partial_\\kappa\\mathrm{df}_F \\simeq P\\Upsilon`
(checked algebraically: both equal :math:`N[(1-q)^2N - \\mathrm{df}_2(1-2q)]/(N-\\mathrm{df}_2)`,
:math:`q = \\nu_1/\\nu_2`). Concentration of each ``A``-dependent factor is assumed (errors O(1/N + 1/P)).

**Limits** (tested): ``N -> oo``: :math:`\\nu_1/\\nu_2 \\to 1`, :math:`\\Upsilon \\to \\gamma`, :math:`\\chi \\to 0`: the
kernel-ridge DE :func:`two_time.loss_limit`. ``P -> oo``, ``rho = 0``: :math:`\\Upsilon = N/P \\to 0`,
:math:`\\mathrm{df}_1(\\nu_2) = N`, :math:`\\nu_2\\chi = 1`: the projection residual
:math:`\\sum_kp_k\\kappa/(\\lambda_k+\\kappa)`. **Ridgeless** (``rho -> 0``), with :math:`n = \\min(N, P)`:
:math:`\\mathrm{df}_1(\\nu_2) = n` if ``n < M`` (else :math:`\\nu_2 = 0`); :math:`\\nu_1/\\nu_2 = 1 - n/N` (``0`` for
``N <= P < ...``, ``1 - M/N`` when ``n >= M``); ``N = P < M`` gives :math:`\\Upsilon = 1`, a divergence even
without label noise (the projection residual acts as noise); ``n >= M``: ordinary least squares in M
dimensions, :math:`\\mathcal L = \\sigma^2/(1 - M/P)`, infinite at ``P = M`` with noise. **N <-> P symmetry**
(Maloney, Roberts, Sully 2022, arXiv 2210.16859): for :math:`p_k \\propto \\lambda_k` (``a = b``) and
:math:`\\sigma = 0` the ridgeless DE is exactly symmetric: :math:`\\mathcal L = c\\,\\nu_2 n/(1 - n/\\max(N,P))`,
:math:`\\mathrm{df}_1(\\nu_2) = n` (derived from the formulas above); other targets or noise break it.

**Solver.** With :math:`q = 1 - \\mathrm{df}_1(\\nu_2)/N` the two equations reduce to one in :math:`x = \\nu_2`,
:math:`h(x) = x(1-\\mathrm{df}_1/N)(1-\\mathrm{df}_1/P) = \\rho`, increasing on the physical branch
:math:`x > x_*` (:math:`\\mathrm{df}_1(x_*) = \\min(N,P)`, or :math:`x_* = 0` if that is ``>= M``), where each factor
is positive and increasing. Newton in :math:`u = \\ln x` on :math:`\\ln h - \\ln\\rho` (derivative
:math:`1 + (\\mathrm{df}_1-\\mathrm{df}_2)[1/(N-\\mathrm{df}_1) + 1/(P-\\mathrm{df}_1)]`, using
:math:`x\\,\\mathrm{df}_1' = -(\\mathrm{df}_1-\\mathrm{df}_2)`), started from a bracketed float64 solve; ``rho = 0``:
Newton on :math:`\\mathrm{df}_1(e^u) = n`. Sums: ``mp.fsum`` over precomputed lists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath as mp
import numpy as np


def _check(name, v, lo):
    if isinstance(v, (str, bytes, bool)) or v is None:
        raise ValueError(f"{name} must be a number, got {v!r}")
    if not mp.isfinite(mp.mpf(v)) or not mp.mpf(v) >= lo:
        raise ValueError(f"{name} must be finite and >= {lo}, got {name}={v}")


def validate(lam, N, P, ridge=0, noise=0) -> None:
    """One ValueError line per bad argument (``N, P >= 1`` finite, ``ridge, noise >= 0`` finite, ``lam`` a
    non-empty list of positive eigenvalues)."""
    for name, v, lo in (("N", N, 1), ("P", P, 1), ("ridge", ridge, 0), ("noise", noise, 0)):
        _check(name, v, lo)
    if len(lam) == 0:
        raise ValueError("lam must be a non-empty list of eigenvalues")
    if not all(mp.mpf(v) > 0 and mp.isfinite(mp.mpf(v)) for v in lam):
        raise ValueError("lam must hold finite eigenvalues > 0")


@dataclass(frozen=True)
class Solution:
    """The DE's parameters (module doc), mpf: ``nu1`` (= the renormalised ridge of the N-feature regression),
    ``nu2`` (that of the projection), ``df1``/``df2`` at ``nu2``, ``Upsilon``, ``chi``, and ``bias_weight``
    :math:`\\nu_2\\,(\\mathrm{df}_1-\\mathrm{df}_2)/(N-\\mathrm{df}_2) = \\nu_2^2\\chi` (``0`` at ``nu2 = 0``)."""

    N: object
    P: object
    ridge: object
    nu1: object
    nu2: object
    df1: object
    df2: object
    Upsilon: object
    chi: object
    bias_weight: object


def _sums(lam, x):
    r = [lv / (lv + x) for lv in lam]
    return mp.fsum(r), mp.fsum([v * v for v in r])


def _float_root(F, lo, hi, u0, iters=200):
    """Safeguarded Newton for an increasing ``F(u) -> (value, derivative)`` on ``[lo, hi]`` (float64)."""
    u = u0
    for _ in range(iters):
        f, d = F(u)
        if f > 0:
            hi = u
        else:
            lo = u
        un = u - f / d if d > 0 and math.isfinite(f) else 0.5 * (lo + hi)
        if not lo < un < hi:
            un = 0.5 * (lo + hi)
        if abs(un - u) <= 1e-15 * max(1.0, abs(u)):
            return un
        u = un
    return u


def _start(lam64, N, P, rho, n):
    """float64 ``(x_*, nu2)`` (``x_* = 0`` when ``n >= M``)."""
    M = lam64.size
    if n < M:
        def F(u):
            r = lam64 / (lam64 + math.exp(u))
            d1, d2 = r.sum(), (r * r).sum()
            return n - d1, d1 - d2
        lo, hi = math.log(lam64.min() * (M - n) / n), math.log(lam64.sum() / n)
        xs = math.exp(_float_root(F, lo, hi, 0.5 * (lo + hi)))
    else:
        xs = 0.0
    if rho == 0:
        return xs, xs

    def H(u):
        r = lam64 / (lam64 + math.exp(u))
        d1, d2 = r.sum(), (r * r).sum()
        if d1 >= min(N, P):
            return -math.inf, 0.0
        return (u + math.log1p(-d1 / N) + math.log1p(-d1 / P) - math.log(rho),
                1 + (d1 - d2) * (1 / (N - d1) + 1 / (P - d1)))
    lo = math.log(max(xs, rho))
    hi = math.log(rho + lam64.sum() * (1 / N + 1 / P))  # h(hi) >= rho: df1(x) <= tr(Lambda)/x
    return xs, math.exp(_float_root(H, lo, hi, hi))


def solve(lam, N, P, ridge=0, dps: int = 30) -> Solution:
    """Solve the DE's two equations (module doc) for the eigenvalues ``lam`` (mpf list), mpf at ``dps + 20``
    working digits. ``ridge = 0``: the ``rho -> 0+`` limit (exact ``df1 = min(N, P, M)``)."""
    validate(lam, N, P, ridge)
    M = len(lam)
    lam64 = np.array([float(v) for v in lam])
    with mp.workdps(dps + 20):
        Nm, Pm, rho = mp.mpf(N), mp.mpf(P), mp.mpf(ridge)
        n = min(Nm, Pm)
        tol = mp.mpf(10) ** (-(dps + 12))
        xs64, x64 = _start(lam64, float(N), float(P), float(ridge), float(n))
        if rho == 0 and n >= M:
            x = mp.mpf(0)
        else:
            x = mp.mpf(x64)
            for it in range(60):
                d1, d2 = _sums(lam, x)
                if rho == 0:  # df1(e^u) = n, d df1/du = -(d1 - d2)
                    step = (d1 - n) / (d1 - d2)
                else:  # ln h(e^u) = ln rho
                    step = -(mp.log(x) + mp.log1p(-d1 / Nm) + mp.log1p(-d1 / Pm) - mp.log(rho)) / (
                        1 + (d1 - d2) * (1 / (Nm - d1) + 1 / (Pm - d1)))
                x *= mp.exp(step)
                if abs(step) <= tol:
                    break
            else:
                raise ArithmeticError(f"nu2 equation did not converge (N={N}, P={P}, ridge={ridge})")
        if x == 0:  # rho = 0, min(N, P) >= M: OLS in M dimensions
            d1 = d2 = mp.mpf(M)
            q = 1 - d1 / Nm
            ups = d1 / Pm
            chi = mp.fsum([1 / lv for lv in lam]) / (Nm - d2) if Nm > M else mp.inf
            bw = mp.mpf(0)
        else:
            d1, d2 = _sums(lam, x)
            if rho == 0:
                d1 = n  # exact: makes Upsilon = 1 exactly at N = P
            q = 1 - d1 / Nm
            ups = Nm / Pm * ((1 - q) ** 2 + q ** 2 * d2 / (Nm - d2))
            chi = (d1 - d2) / x / (Nm - d2)
            bw = x * (d1 - d2) / (Nm - d2)
        return Solution(Nm, Pm, rho, x * q, x, d1, d2, ups, chi, bw)


def bias_variance(lam, pw, N, P, ridge=0, noise=0, dps: int = 30):
    """``(B, V)`` of the module doc (``L = B + V + sigma^2``), mpf at ``dps + 20`` digits; ``+inf`` entries
    where ``Upsilon >= 1`` (``rho = 0`` at ``N = P < M`` or ``P = M <= N``) and the numerator is > 0."""
    validate(lam, N, P, ridge, noise)
    if len(pw) != len(lam):
        raise ValueError(f"pw must have one entry per mode ({len(lam)}), got {len(pw)}")
    s = solve(lam, N, P, ridge, dps)
    with mp.workdps(dps + 20):
        s2 = mp.mpf(noise) ** 2
        x = s.nu2
        if x == 0:
            num = mp.mpf(0)
        else:
            inv2 = [1 / (lv + x) ** 2 for lv in lam]
            num = x * x * mp.fsum([p * i for p, i in zip(pw, inv2)]) + s.bias_weight * mp.fsum(
                [p * lv * i for p, lv, i in zip(pw, lam, inv2)])
        if s.Upsilon >= 1:
            return (mp.inf if num > 0 else mp.mpf(0)), (mp.inf if s2 > 0 else mp.mpf(0))
        return num / (1 - s.Upsilon), s2 * s.Upsilon / (1 - s.Upsilon)


def loss_limit(lam, pw, N, P, ridge=0, noise=0, dps: int = 30):
    """The converged test loss :math:`\\mathcal L = B + V + \\sigma^2` (module doc), mpf at ``dps`` digits
    (``+inf`` where it diverges: ridgeless at ``N = P < M``, or ``P = M <= N`` with noise)."""
    B, V = bias_variance(lam, pw, N, P, ridge, noise, dps)
    with mp.workdps(dps + 20):
        val = B + V + mp.mpf(noise) ** 2
    with mp.workdps(dps):
        return +val
