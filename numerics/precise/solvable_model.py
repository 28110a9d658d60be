"""Precise checks of the solvable model of Maloney, Roberts, Sully 2022 (:mod:`theory.solvable_model`): the
deterministic equivalent of linear random-feature regression with ``N`` and ``T`` finite
(:mod:`numerics.precise.models.linear_rf`) on the power-law model ``a = b = 1 + alpha`` with ``M`` modes, solved
numerically at 30 digits (Newton on its fixed point; the claims were derived from its closed form in SymPy).

* **Duality**: ``L(N, T)/L(T, N)`` at three pairs, against the claim; tolerance ``1e-20`` (the solver converges to
  ``1e-(dps + 12)`` relative, 30 working digits + 20 guard digits). Evidence: *consistency* (the same equivalent
  whose symbolic form gave the claim, evaluated by an independent numerical route); the Monte Carlo check of
  :mod:`numerics.simulate.solvable_model` is the independent evidence.
* **Interpolation peak**: the exact local exponent ``-d log L/d log u``, ``u = 1 - min(N,T)/max(N,T)``, at
  ``u = 1e-3, 1e-4, 1e-5`` from both sides of ``N = T`` (``N = T(1 - u)`` and ``N = T/(1 - u)``, real ``N``: the
  equivalent is smooth in ``N``), central difference ``h = 1e-6`` in ``log u`` at 40 digits; the convergence
  budget of :func:`numerics.models.claims.convergence_budget` (the corrections are powers of ``u``).
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath as mp

from scaling_verify.checks import CheckResult, Context, Figure, Series, check, exponent_verdict, \
    relative_verdict
from scaling_verify.checks.measurement import measurement
from scaling_verify.numerics.models.claims import convergence_budget, wire_declared
from scaling_verify.theory.claims import Claim

ALPHA = 1.0
PAIRS = ((50, 200), (120, 480), (300, 301))
DUALITY_RTOL = 1e-20  # the solver's convergence (1e-42) and 30 working digits, with a wide margin
_FD_FLOOR = 1e-10  # central difference h = 1e-6 in log u at 40 digits: truncation ~h^2 = 1e-12, rounding ~1e-34;
# 100x the truncation (the former floor 1e-8 sat exactly at the precise target and accepted the claim x(1 +- 1e-8)
# on the N > T side, where the local exponent is 1 to float precision at every u)


def _modes(M: int, alpha: float, dps: int):
    from scaling_verify.numerics.precise.models import two_time
    return two_time.power_law_modes(M, 1 + alpha, 1 + alpha, dps)


@measurement
def duality_ratios(alpha: float, M: int, pairs: tuple) -> list[tuple[int, int, str, str]]:
    """``(N, T, L(N,T), L(T,N))`` at 30 digits (as strings: the measurement is stored as data)."""
    from scaling_verify.numerics.precise.models import linear_rf
    lam, pw = _modes(M, alpha, 30)
    out = []
    for N, T in pairs:
        out.append((N, T, mp.nstr(linear_rf.loss_limit(lam, pw, N, T, dps=30), 30),
                    mp.nstr(linear_rf.loss_limit(lam, pw, T, N, dps=30), 30)))
    return out


@dataclass(frozen=True)
class Sizes:
    """Quick (tests, CLI) or full (``-m slow``) sizes: modes ``duality_M`` of the duality check, modes
    ``peak_M`` and samples ``peak_T`` of the interpolation-peak check."""

    duality_M: int
    peak_M: int
    peak_T: float

    @classmethod
    def quick(cls) -> Sizes:
        return cls(duality_M=1000, peak_M=1000, peak_T=200.0)

    @classmethod
    def full(cls) -> Sizes:
        return cls(duality_M=4000, peak_M=4000, peak_T=800.0)

    @classmethod
    def of(cls, ctx: Context) -> Sizes:
        return cls.quick() if ctx.quick else cls.full()


@check("solvable_model.duality", "precise", evidence="consistency")
def _duality(claim: Claim, ctx: Context) -> CheckResult:
    M = Sizes.of(ctx).duality_M
    rows = duality_ratios(ALPHA, M, PAIRS)
    pred = claim.value()
    oks, parts = [], []
    with mp.workdps(30):
        for N, T, a, b in rows:
            ok, detail = relative_verdict(f"L({N},{T})/L({T},{N}), M={M}", mp.mpf(a) / mp.mpf(b), pred, DUALITY_RTOL)
            oks.append(ok)
            parts.append(detail)
    return CheckResult(all(oks), "; ".join(parts), {"M": M, "pairs": [list(r) for r in rows]})


@measurement
def peak_slopes(alpha: float, M: int, T: float, side: str, us: tuple) -> list[float]:
    """``-d log L/d log u`` of the ridgeless equivalent at ``u`` in ``us`` (``side`` ``below``: ``N = T(1-u)``;
    ``above``: ``N = T/(1-u)``), 40 digits."""
    from scaling_verify.numerics.precise.models import linear_rf
    lam, pw = _modes(M, alpha, 40)
    h = mp.mpf("1e-6")
    out = []
    with mp.workdps(40):
        def L(u):
            N = T * (1 - u) if side == "below" else T / (1 - u)
            return linear_rf.loss_limit(lam, pw, N, T, dps=40)
        for u in us:
            U = mp.mpf(u)
            out.append(float(-(mp.log(L(U * mp.exp(h))) - mp.log(L(U * mp.exp(-h)))) / (2 * h)))
    return out


@check("solvable_model.interpolation_peak", "precise")
def _peak(claim: Claim, ctx: Context) -> CheckResult:
    """Local exponent of the ridgeless equivalent at u = 1e-3, 1e-4, 1e-5 on both sides of N = T, each within its
    convergence budget (:func:`numerics.models.claims.convergence_budget`, floor ``_FD_FLOOR`` = 1e-10: the central
    difference's truncation ~1e-12 with 100x margin). Below T the slopes approach 1 linearly in u (budget 2.4e-5);
    above T they are 1 to float precision, so that side resolves the claim to ~1e-10."""
    sz = Sizes.of(ctx)
    M, T = sz.peak_M, sz.peak_T
    us = (1e-3, 1e-4, 1e-5)
    pred = claim.value()
    oks, parts, series = [], [], []
    for side in ("below", "above"):
        s = peak_slopes(ALPHA, M, T, side, us)
        r, budget, converged = convergence_budget(s, _FD_FLOOR)
        trail = f"N {'<' if side == 'below' else '>'} T={T:g}: local exponents at u = 1e-3, 1e-4, 1e-5: " + \
                ", ".join(f"{v:.10f}" for v in s)
        if not converged:
            oks.append(False)
            parts.append(f"{trail}; not converged (drift ratio {r:.2f} > 0.5)")
            continue
        ok, detail = exponent_verdict(f"30-digit peak exponent ({side})", s[-1], s[-1], s[-1], pred, bias=budget)
        oks.append(ok)
        parts.append(f"{trail}; drift ratio {r:.2f}, budget {budget:.1e}; {detail}")
        series.append(Series(f"DE, N {side} T", list(us), s, "points"))
    fig = Figure(title=f"{claim.id}: local exponent at the interpolation threshold", xlabel="u = 1 - min/max",
                 ylabel="-dlog L/dlog u", logy=False, series=series + [Series("claim", list(us), [pred] * 3)])
    return CheckResult(all(oks), "; ".join(parts), {"M": M, "T": T, "u": list(us)}, fig)


wire_declared("solvable_model", "precise")  # the bottleneck exponents: the model library's checks
