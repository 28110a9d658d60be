"""Simulate checks of the solvable model of Maloney, Roberts, Sully 2022 (:mod:`theory.solvable_model`): the real
system -- ``N`` Gaussian random features of ``M`` power-law modes (``a = b = 1 + alpha``), ``T`` samples, the
min-norm least-squares student -- by Monte Carlo in JAX (:func:`numerics.simulate.models.linear_rf_sim.monte_carlo`:
float64, one compiled function, vmapped draws).

* **Duality**: the mean loss at ``(N, T)`` over the mean at ``(T, N)`` (independent draws), with a 95 % bootstrap
  interval (each side resampled on its own); 1024 draws per side at the quick size (256 gave a 95 % interval
  of about +-0.06, so a 5 % change of the ratio was accepted at seed 0; the interval halves with 4x the draws). The real system at finite sizes need not be exactly symmetric (the
  equivalent is): the interval is widened by the measured finite-size asymmetry (``ASYM_C``, below).

The interpolation peak has no simulate check: near ``N = T`` the real system's finite-size excess over the
equivalent grows like ``1/|N - T|`` (measured at ``T = 128``, ``M = 1024``, 256 draws: simulation/DE = 1.074, 1.030,
0.993 at ``N`` = 160, 192, 256), which tilts a windowed slope by about 0.08 -- as large as the +-10 % band the
check must resolve -- and no error bound independent of the check covers it at affordable sizes. The precise
check resolves the exponent on both sides.

``ASYM_C``: the relative excess of the real system over the equivalent is ``c (1/N + 1/T)`` with ``c`` depending on
the side; measured at ``a = b = 2``, ``M = 1024``, 3000 draws per point (seeds 11, 12):
``c(N<T) - c(N>T) = -0.12 +- 0.11`` at ``(16, 64)`` and ``-0.15 +- 0.15`` at ``(32, 128)`` (ratios 0.9911, 0.9944). The
budget takes ``|c(N<T) - c(N>T)| <= 0.45`` (the 95 % upper end), times ``1/N + 1/T``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scaling_verify.checks import CheckResult, Context, Figure, Series, check, exponent_verdict
from scaling_verify.checks.measurement import measurement
from scaling_verify.numerics.models.claims import wire_declared
from scaling_verify.theory.claims import Claim

ALPHA = 1.0
ASYM_C = 0.45


def _modes(M: int, alpha: float):
    k = np.arange(1, M + 1, dtype=float)
    lam = k ** -(1 + alpha)
    return lam, lam.copy()  # p_k = lambda_k: i.i.d. unit teacher weights


@measurement
def losses(seed: int, alpha: float, M: int, N: int, T: int, draws: int) -> np.ndarray:
    """Per-draw converged (min-norm) test losses at ``(N, T)``."""
    from scaling_verify.numerics.simulate.models import linear_rf_sim
    lam, pw = _modes(M, alpha)
    return linear_rf_sim.monte_carlo(seed, lam, np.sqrt(pw / lam), N, T, draws)


@dataclass(frozen=True)
class Sizes:
    """``M`` modes, the duality pair ``(n, m)``/``(m, n)`` and ``draws`` per pair."""

    M: int
    n: int
    m: int
    draws: int

    @classmethod
    def quick(cls) -> Sizes:
        return cls(M=1024, n=32, m=128, draws=1024)

    @classmethod
    def full(cls) -> Sizes:
        return cls(M=2048, n=64, m=256, draws=2048)

    @classmethod
    def of(cls, ctx: Context) -> Sizes:
        return cls.quick() if ctx.quick else cls.full()


@check("solvable_model.duality", "simulate", resolution=0.065, resolution_full=0.065,
       resolution_reason="L(32,128)/L(128,32) with 1024 draws per side: the 95 % bootstrap interval is +-0.019 "
                         "(seed 0: 0.9975 [0.9789, 1.0164]) and the finite-size asymmetry budget 0.45 (1/32 + 1/128) "
                         "= 0.0176 (the 95 % upper end of the measured asymmetry constant, module doc) is added on "
                         "each side, so a ratio within about 0.037 of the measured one is accepted (seed 0: -3.9 % "
                         ".. +3.5 %); over seeds 0-19 the ratio's own scatter let +5 % through on 2 seeds (-5 % on "
                         "1). Full sizes (2048 draws, 64/256) not measured")
def _duality(claim: Claim, ctx: Context) -> CheckResult:
    sz = Sizes.of(ctx)
    M, n, m, draws = sz.M, sz.n, sz.m, sz.draws
    a = losses(ctx.seed, ALPHA, M, n, m, draws)
    b = losses(ctx.seed + 7919, ALPHA, M, m, n, draws)  # an independent stream for the mirrored pair
    ratio = a.mean() / b.mean()
    rng = np.random.default_rng(ctx.seed)
    ia, ib = rng.integers(0, draws, (1000, draws)), rng.integers(0, draws, (1000, draws))
    boot = a[ia].mean(axis=1) / b[ib].mean(axis=1)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    bias = ASYM_C * (1 / n + 1 / m)  # the measured finite-size asymmetry (module doc)
    pred = claim.value()
    ok, detail = exponent_verdict(f"L({n},{m})/L({m},{n}), M={M}, {draws} draws each", ratio, lo, hi, pred,
                                  bias=bias)
    fig = Figure(title=f"{claim.id}: loss at (N, T) and at (T, N)", xlabel="pair", ylabel="test loss", logx=False,
                 series=[Series(f"N={n}, T={m}", [0.0], [a.mean()], "points", yerr=[a.std() / np.sqrt(draws)]),
                         Series(f"N={m}, T={n}", [1.0], [b.mean()], "points", yerr=[b.std() / np.sqrt(draws)])])
    return CheckResult(ok, f"{detail} [finite-size asymmetry budget {bias:.4f} = {ASYM_C} (1/{n} + 1/{m})]",
                       {"ratio": ratio, "ci": [lo, hi], "bias": bias, "predicted": pred}, fig)


wire_declared("solvable_model", "simulate")  # the bottleneck exponents: the model library's checks
