"""The infinite-mode sums of the power-law model at 30 digits (mpmath): :math:`\\lambda_k = k^{-b}`, target power
:math:`p_k = \\lambda_k w_k^{\\star2} = k^{-a}`, ``k = 1, 2, ...`` (Bordelon, Atanasov, Pehlevan 2024, "A Dynamical
Model of Neural Scaling Laws", arXiv 2402.01092).

* :func:`spectral_loss` -- the population loss of gradient flow (N = P = oo), :math:`\\mathcal L(t) =
  \\sum_k k^{-a} e^{-2k^{-b}t}`;
* :func:`kappa_of` -- the fixed point :math:`\\sum_k \\lambda_k/(\\lambda_k+\\kappa) = n` (the count of learned
  modes at width or sample size ``n``);
* :func:`residual_sum` -- :math:`\\sum_k k^{-a}(\\kappa/(\\lambda_k+\\kappa))^p`: ``p = 1`` the converged loss at
  width N (projection residual, t = P = oo), ``p = 2`` the ensemble bias;
* :func:`kernel_regression_error` -- ridgeless kernel regression at P samples (t = N = oo; Bordelon, Canatar,
  Pehlevan 2020), over all modes or the first ``M``.

Every sum runs over all k >= 1: a direct head below ``K0`` and Euler--Maclaurin (``mpmath.sumem``) beyond, where
the summand is smooth on unit steps. The size arguments ``n``, ``P`` may be any real >= 1 (the checks take exact
local exponents by differencing in ``log n``). These are the model quantities behind
:meth:`PowerLaw.loss <numerics.models.power_law.PowerLaw.loss>` with ``M = None``.
"""

from __future__ import annotations

import mpmath as mp

from scaling_verify.checks.measurement import measurement
from scaling_verify.numerics.stats import validate_power_spectrum

DPS = 30  # the default precision (as numerics.precise.DPS)


def _validate(a: float, b: float) -> None:
    validate_power_spectrum(a, b, why_a="the target power sum diverges otherwise")


def spectral_loss(t, a, b, dps: int = DPS, K0: int = 64):
    """:math:`\\sum_{k\\ge1} k^{-a}e^{-2k^{-b}t}` to ``dps`` digits (``a > 1``, ``b > 0``, ``t >= 0``): a direct sum
    up to ``K = max(K0, 4 (2t)^{1/b})`` and Euler--Maclaurin beyond, where the summand is smooth on the scale
    :math:`t^{1/b} \\gg 1`."""
    _validate(float(a), float(b))
    if t < 0:
        raise ValueError(f"t must be >= 0, got {t}")
    with mp.workdps(dps + 10):
        a, b, t = mp.mpf(a), mp.mpf(b), mp.mpf(t)
        f = lambda k: k ** (-a) * mp.exp(-2 * t * k ** (-b))  # noqa: E731
        # the summand varies on the scale k ~ t^{1/b}; sum it directly until it is smooth on unit steps
        K = max(K0, int(mp.ceil(4 * (2 * t) ** (1 / b))))
        head = mp.fsum(f(mp.mpf(k)) for k in range(1, K))
        tail = mp.sumem(f, [K, mp.inf])
        return +(head + tail)


def _msum(f, K0: int = 64):
    """``sum_{k>=1} f(k)``: direct head below K0, Euler-Maclaurin (``mp.sumem``) beyond, where f is smooth."""
    head = mp.fsum(f(mp.mpf(k)) for k in range(1, K0))
    return head + mp.sumem(f, [K0, mp.inf])


@measurement
def kappa_of(n, b, dps: int = DPS):
    """``kappa`` solving ``sum_{k>=1} 1/(1 + kappa k^b) = n`` (infinite sum; ``b > 1``; 30-digit root; a
    shared measurement)."""
    return _kappa_of(n, b, dps)


def _kappa_of(n, b, dps):
    if not b > 1:
        raise ValueError(f"the count sum converges only for b > 1, got b={b}")
    if not n >= 1:
        raise ValueError(f"N (or P) must be >= 1, got {n}")
    with mp.workdps(dps + 10):
        b, n = mp.mpf(b), mp.mpf(n)
        count = lambda lk: _msum(lambda k: 1 / (1 + mp.exp(lk) * k ** b)) - n  # noqa: E731
        # leading order: n = pi/(b sin(pi/b)) kappa^{-1/b}
        # Euler-Maclaurin: count = pi/(b sin(pi/b)) kappa^{-1/b} - 1/2 + O(kappa), so the start is
        # accurate to O(kappa) and the secant iteration needs few steps
        guess = -b * mp.log((n + mp.mpf(1) / 2) * b * mp.sin(mp.pi / b) / mp.pi)
        # secant iteration in log kappa (the count is smooth and monotone there); the start is accurate
        # to O(kappa), so 5-6 evaluations reach 10^-(dps+5); mp.findroot's default took 10
        x0, x1 = guess, guess + mp.mpf("1e-3") * (1 + abs(guess)) * mp.mpf("1e-3")
        f0, f1 = count(x0), count(x1)
        for _ in range(40):
            x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
            if abs(x2 - x1) < mp.mpf(10) ** (-dps - 5):
                return mp.exp(x2)
            x0, f0, x1, f1 = x1, f1, x2, count(x2)
        raise ValueError(f"kappa equation did not converge for n={n}, b={b}")


def residual_sum(n, a, b, p: int = 1, dps: int = DPS):
    """:math:`\\sum_k k^{-a}\\,(\\kappa/(\\lambda_k+\\kappa))^p` with :math:`\\sum_k\\lambda_k/(\\lambda_k+\\kappa) = n`.

    ``p = 1``: converged single-model loss (projection residual, t, P -> oo); ``p = 2``: ensemble bias.
    """
    _validate(float(a), float(b))
    kap = kappa_of(n, b, dps)
    with mp.workdps(dps + 10):
        a, b = mp.mpf(a), mp.mpf(b)
        return +_msum(lambda k: k ** (-a) * (kap * k ** b / (1 + kap * k ** b)) ** p)


def kernel_regression_error(P, a, b, dps: int = DPS, M: int | None = None):
    """Ridgeless kernel regression (Bordelon-Canatar-Pehlevan 2020), t, N -> oo:
    :math:`E_g = \\frac{\\sum_k k^{-a}(\\kappa/(\\lambda_k+\\kappa))^2}{1-\\gamma}`,
    :math:`\\gamma = \\frac1P\\sum_k \\frac{\\lambda_k^2}{(\\lambda_k+\\kappa)^2}`, :math:`\\sum_k\\frac{\\lambda_k}{\\lambda_k+\\kappa} = P`.

    ``M``: the sums over the first M modes only (``1 <= P < M``; None: all k >= 1)."""
    if M is not None:
        return _kernel_regression_error_finite(P, a, b, int(M), dps)
    kap = kappa_of(P, b, dps)
    with mp.workdps(dps + 10):
        bb = mp.mpf(b)
        gam = _msum(lambda k: 1 / (1 + kap * k ** bb) ** 2) / P
        return residual_sum(P, a, b, 2, dps) / (1 - gam)


def _kernel_regression_error_finite(P, a, b, M: int, dps: int):
    """:func:`kernel_regression_error` over k = 1..M: kappa by a bracketed root (Illinois) in log kappa of the
    decreasing count ``sum_{k<=M} 1/(1 + kappa k^b) - P`` (``M - P > 0`` at kappa -> 0, ``-P`` at kappa -> oo)."""
    _validate(float(a), float(b))
    if not 1 <= P < M:
        raise ValueError(f"need 1 <= P < M for the finite-M ridgeless error, got P={P}, M={M}")
    with mp.workdps(dps + 15):
        a, b, P = mp.mpf(a), mp.mpf(b), mp.mpf(P)
        ks = [mp.mpf(k) for k in range(1, M + 1)]
        kb = [k ** b for k in ks]
        lk = mp.findroot(lambda x: mp.fsum(1 / (1 + mp.exp(x) * v) for v in kb) - P, (mp.mpf(-300), mp.mpf(60)),
                         solver="illinois", tol=mp.mpf(10) ** (-2 * (dps + 10)), maxsteps=400)
        kap = mp.exp(lk)
        gam = mp.fsum(1 / (1 + kap * v) ** 2 for v in kb) / P
        res = mp.fsum(k ** (-a) * (kap * v / (1 + kap * v)) ** 2 for k, v in zip(ks, kb))
        return res / (1 - gam)
