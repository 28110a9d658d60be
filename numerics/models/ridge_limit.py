"""The converged (t = oo) excess test loss of ridge regression on the power-law model with infinitely many modes,
and its exact logarithmic derivative in the number of samples ``P``, at 30 digits.

Model: :math:`\\lambda_k = k^{-b}`, :math:`p_k = \\lambda_k w_k^{\\star2} = k^{-a}`, ``k = 1..oo`` (``a > 1``, ``b > 1``),
``P`` samples, ridge :math:`\\rho \\ge 0`, label noise :math:`\\sigma`. The deterministic equivalent (Bordelon, Canatar,
Pehlevan 2020; Atanasov, Zavatone-Veth, Pehlevan 2024, arXiv 2405.00592; the ``t -> oo`` limit of
:mod:`numerics.precise.models.two_time`) of the excess loss :math:`\\mathcal E = \\mathcal L - \\sigma^2` is

.. math:: \\mathcal E(\\kappa, P) = \\frac{B(\\kappa) + \\sigma^2\\gamma}{1-\\gamma},\\quad
   B = \\sum_k \\frac{p_k\\kappa^2}{(\\lambda_k+\\kappa)^2},\\quad \\gamma = \\frac1P\\sum_k\\frac{\\lambda_k^2}{(\\lambda_k+\\kappa)^2},\\quad
   \\kappa = \\rho + \\frac{\\kappa}{P}\\sum_k\\frac{\\lambda_k}{\\lambda_k+\\kappa}.

For fixed ``P`` the map :math:`\\kappa \\mapsto \\rho = \\kappa(1 - D_1/P)` (:math:`D_1 = \\sum\\lambda/(\\lambda+\\kappa)`) is
increasing on :math:`\\kappa \\ge \\kappa_0(P)`, so the optimal ridge is the minimum of :math:`\\mathcal E` over
:math:`\\kappa`: the root of :math:`\\partial_\\kappa\\mathcal E \\propto G = B'(1-\\gamma) + \\gamma'(B + \\sigma^2)`. The decay
exponent :math:`s = -\\mathrm d\\log\\mathcal E/\\mathrm d\\log P` is exact (no finite difference):

* optimal ridge (envelope theorem, :math:`\\partial_P\\gamma = -\\gamma/P`): :math:`s = \\gamma(B+\\sigma^2)/((1-\\gamma)(B+\\sigma^2\\gamma))`;
* a ridge :math:`\\rho(P)` (fixed, or :math:`\\rho = c P^{-l}`): :math:`\\kappa'(P) = (\\rho'(P) - \\kappa D_1/P^2)/(1-\\gamma)`
  from the implicit equation, and :math:`s = -P[\\partial_\\kappa\\mathcal E\\,\\kappa' + \\partial_P\\mathcal E]/\\mathcal E`.

Sums run to infinity: a direct head below ``K = 64`` and Euler-Maclaurin (``mpmath.sumem``) beyond, where the
summands are smooth on the scale ``k ~ kappa^{-1/b} >> 1``.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath as mp

DPS = 30
_K = 64


@dataclass(frozen=True)
class RidgeLimit:
    """One point of the converged excess loss: ``P``, the ridge used, ``kappa``, the excess loss and its exact
    decay exponent ``slope = -d log E/d log P`` (mpf at 30 digits)."""

    P: float
    ridge: object
    kappa: object
    excess: object
    slope: object


def _msum(f):
    return mp.fsum(f(mp.mpf(k)) for k in range(1, _K)) + mp.sumem(f, [_K, mp.inf])


class _Sums:
    """The mode sums at one ``kappa`` (a > 1, b > 1, infinitely many modes)."""

    def __init__(self, a, b, kap):
        lam = lambda k: k ** (-b)  # noqa: E731
        self.D1 = _msum(lambda k: lam(k) / (lam(k) + kap))
        self.B = _msum(lambda k: k ** (-a) * (kap / (lam(k) + kap)) ** 2)
        self.dB = _msum(lambda k: k ** (-a) * 2 * kap * lam(k) / (lam(k) + kap) ** 3)
        self.g2 = _msum(lambda k: (lam(k) / (lam(k) + kap)) ** 2)
        self.g3 = _msum(lambda k: lam(k) ** 2 / (lam(k) + kap) ** 3)


def _kappa(P, rho, b):
    """Largest root of ``kappa (1 - D_1(kappa)/P) = rho`` by the secant rule in ``log kappa`` from the leading-order
    start ``D_1 ~ pi/(b sin(pi/b)) kappa^{-1/b}`` (ridgeless) or ``kappa ~ rho``."""
    c = mp.pi / (b * mp.sin(mp.pi / b))
    k0 = (c / (P + mp.mpf(1) / 2)) ** b
    lk = mp.log(max(k0, rho)) if rho > 0 else mp.log(k0)

    def g(x):
        kap = mp.exp(x)
        d1 = _msum(lambda k: k ** (-b) / (k ** (-b) + kap))
        return mp.log(kap) + mp.log(1 - d1 / P) - mp.log(rho) if rho > 0 else d1 - P

    x0, x1 = lk, lk + mp.mpf("1e-4")
    f0, f1 = g(x0), g(x1)
    for _ in range(60):
        x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
        if abs(x2 - x1) < mp.mpf(10) ** (-(mp.mp.dps - 3)):
            return mp.exp(x2)
        x0, f0, x1, f1 = x1, f1, x2, g(x2)
    raise ArithmeticError(f"kappa equation did not converge (P={P}, ridge={rho})")


def _excess(S, P, s2):
    gam = S.g2 / P
    return (S.B + s2 * gam) / (1 - gam), gam


def ridge_limit(P, a, b, noise=0.0, ridge=0.0, ridge_decay=None, ridge_scale=1.0, dps: int = DPS) -> RidgeLimit:
    """The converged excess loss and its exact decay exponent in ``P`` (module doc), mpf at ``dps`` digits.

    Args:
      P: number of samples (``>= 1``, any real: the deterministic equivalent is smooth in P).
      a, b: the power-law exponents (``a > 1``, ``b > 1``).
      noise: label-noise standard deviation ``sigma``.
      ridge: a fixed ridge ``rho >= 0``, or ``"optimal"`` (minimised over ``rho >= 0``; interior when ``sigma > 0``).
      ridge_decay, ridge_scale: the ridge ``rho = ridge_scale P^-ridge_decay`` instead of ``ridge``.
    """
    if not (float(a) > 1 and float(b) > 1):
        raise ValueError(f"need a > 1 and b > 1 for infinitely many modes, got a={a}, b={b}")
    with mp.workdps(dps + 15):
        a, b, P, s2 = mp.mpf(a), mp.mpf(b), mp.mpf(P), mp.mpf(noise) ** 2
        if ridge == "optimal":
            if not s2 > 0:
                raise ValueError("the optimal ridge needs noise > 0 (noiseless: the optimum is the ridgeless limit)")
            kap, S = _optimal_kappa(P, a, b, s2)
            E, gam = _excess(S, P, s2)
            slope = gam * (S.B + s2) / ((1 - gam) * (S.B + s2 * gam))
            rho = kap * (1 - S.D1 / P)
            if not rho > 0:
                raise ArithmeticError(f"the optimal ridge is not interior at P={P} (rho = {mp.nstr(rho, 5)})")
        else:
            if ridge_decay is not None:
                rho = mp.mpf(ridge_scale) * P ** (-mp.mpf(ridge_decay))
                drho = -mp.mpf(ridge_decay) * rho / P
            else:
                rho, drho = mp.mpf(ridge), mp.mpf(0)
            kap = _kappa(P, rho, b)
            S = _Sums(a, b, kap)
            E, gam = _excess(S, P, s2)
            dgam = -2 * S.g3 / P  # d gamma/d kappa
            dE_dk = (S.dB * (1 - gam) + dgam * (S.B + s2)) / (1 - gam) ** 2
            dE_dP = -gam * (S.B + s2) / (P * (1 - gam) ** 2)
            dk_dP = (drho - kap * S.D1 / P ** 2) / (1 - gam)
            slope = -P * (dE_dk * dk_dP + dE_dP) / E
    with mp.workdps(dps):
        return RidgeLimit(float(P), +rho, +kap, +E, +slope)


def _optimal_kappa(P, a, b, s2):
    """Root of ``G(kappa) = B'(1-gamma) + gamma'(B + sigma^2)`` (the minimum of the excess over kappa) by the secant
    rule in ``log kappa``, started from the balance of the leading bias and variance terms."""
    def G(x):
        S = _Sums(a, b, mp.exp(x))
        gam = S.g2 / P
        return S.dB * (1 - gam) - 2 * S.g3 / P * (S.B + s2), S

    # start: kappa where the ridgeless kappa_0 ~ P^-b and the noise-balanced kappa ~ (sigma^2/P)^{b/(qb+1)} meet
    q = min((a - 1) / b, mp.mpf(2))
    x0 = max(mp.log(s2 / P) * b / (q * b + 1), -b * mp.log(P) + 1)
    x1 = x0 + mp.mpf("0.05")
    (f0, _), (f1, S) = G(x0), G(x1)
    for _ in range(80):
        x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
        if abs(x2 - x1) > 2:  # keep the secant steps within the bracket of the leading-order scale
            x2 = x1 + 2 * mp.sign(x2 - x1)
        if abs(x2 - x1) < mp.mpf(10) ** (-(mp.mp.dps - 5)):
            return mp.exp(x2), G(x2)[1]
        x0, f0 = x1, f1
        x1 = x2
        f1, S = G(x1)
    raise ArithmeticError(f"optimal-ridge equation did not converge (P={P})")
