"""Simulation check of the dynamical model's early-time 1/N correction: the real random-feature model's
per-mode transfer H_k(t) against its exact first-order coefficient (the dynamical model's simulate checks
are in :mod:`numerics.simulate.dynamical`; the conventions are the same)."""

from __future__ import annotations

from dataclasses import dataclass

import jax
import numpy as np

from scaling_verify.checks import CheckResult, Context, Figure, Series, check
from scaling_verify.checks.measurement import measurement
from scaling_verify.numerics.simulate import with_float64
from scaling_verify.numerics.simulate.models import random_features as rf
from scaling_verify.theory.claims import Claim


@dataclass(frozen=True)
class EarlySizes:
    """Sizes of the early-time 1/N check: ``M`` modes, widths ``Ns``, ``draws`` per width, ``boot`` resamples."""

    boot: int
    M: int
    Ns: tuple[int, ...]
    draws: int

    @classmethod
    def quick(cls) -> EarlySizes:
        return cls(boot=400, M=64, Ns=(8, 16, 32), draws=2000)

    @classmethod
    def full(cls) -> EarlySizes:
        return cls(boot=1000, M=64, Ns=(8, 16, 32, 64), draws=8000)

    @classmethod
    def of(cls, ctx: Context) -> EarlySizes:
        return cls.quick() if ctx.quick else cls.full()


def _first_order_exact(lam_k: float, lam: np.ndarray, t: float) -> tuple[float, float]:
    """Exact O(1/N) coefficient of ``H_k(t)`` at P = oo and its leading-time (T/s) form, independently of any claim.

    Second-order Dyson term with ``E[(F-I) X (F-I)] = (X^T + I tr X)/N`` (Wishart):
    ``delta H_k(s) = lambda_k/(N (s+lambda_k)^2) [D_0(s) + lambda_k/(s+lambda_k)]``, ``D_0 = sum_l lambda_l/(s+lambda_l)``;
    inverted term by term with ``L^{-1}[1/((s+x)^2 (s+c))]``. The second term (self-interaction) is absent
    from the DMFT; replacing ``D_0`` by ``T/s`` gives the leading early-time form (self-interaction kept).
    Returns (exact, early-time form).
    """
    def f(x, c):
        d = x - c
        small = np.abs(d) < 1e-9 * x
        dd = np.where(small, 1.0, d)
        return np.where(small, t * t * np.exp(-x * t) / 2,
                        (np.exp(-c * t) - np.exp(-x * t)) / dd ** 2 - t * np.exp(-x * t) / dd)
    exact = lam_k * np.sum(lam * f(lam_k, lam)) + lam_k ** 2 * t * t * np.exp(-lam_k * t) / 2
    leading = lam_k * np.sum(lam) * float(f(lam_k, np.array(0.0))) + lam_k ** 2 * t * t * np.exp(-lam_k * t) / 2
    return float(exact), float(leading)


@measurement
@with_float64
def early_time_measure(seed: int, M: int, b: float, N: int, draws: int, ts) -> np.ndarray:
    """Per-draw control-variate estimates of ``H_k(t)`` for every mode, ``(draws, len(ts), M)`` (P = oo)."""
    lam, _ = rf.spectrum(M, 2.0, b)
    A = rf.draw_projections(jax.random.key(seed + 53 + N), draws, N, M)
    return np.asarray(rf.transfer_diagonal(A, lam, np.asarray(ts)))


@check("dynamical.early_time_correction", "simulate")
@check("dynamical.early_time_correction_finite_trace", "simulate", resolution=0.1, resolution_reason=(
    "N (H_k - e^{-lambda t}) at N = 32 from 2000 draws: 3 standard errors are 4.5 % of the claim (k = 4, t = 0.1) and "
    "6.4 % (k = 1), plus the stated early-time bias |exact - early form| 1.6 % and 1.2 %, and the measured value sits "
    "3 % below the claim at k = 4 (finite-time part plus the next order in 1/N: N r = -0.1 at t = 1): seed 0 rejects "
    "+-8.9 %, so the x0.9/x1.1 floor is the target at quick sizes (the full size has 8000 draws)"))
@with_float64
def _early_time_sim(claim: Claim, ctx: Context) -> CheckResult:
    """``N (H_k(t) - e^{-lambda_k t})`` from random-feature draws (P = oo, b = 1.5, M = 64) at N = 8, 16, 32,
    modes k = 1 (lambda_1/tr Lambda = 0.42, where the self-interaction matters) and k = 4 (0.05), t = 0.1, 0.2, 0.4
    (early: t << 1/lambda_1 = 1), against N times the claim (``claim.value(T, N, P = 1e300, lambda, t)``).

    ``H_k(t) = E_A[e^{-tF Lambda}]_kk`` per draw from one N x N eigendecomposition, with the exact zero-mean
    first-order term as control variate (Monte-Carlo error 1-2 % with 2000 draws). An early-time claim replaces
    ``D_0(s)`` by ``T/s``; the exact first-order coefficient (:func:`_first_order_exact`) differs from the
    early-time form by that finite-time part only (computed without any claim: the stated bias). Verdict at the
    largest N: ``|measured - claim| <= 3 SE + |exact - early form|`` at each early t and both modes, and the residual
    ``measured - exact`` must shrink like the next order, 1/N: at t = 1 (largest signal), mode 4,
    ``|r(N_max)| <= (N_min/N_max) |r(N_min)| + 3 SE(N_max) + 3 (N_min/N_max) SE(N_min)``
    (measured with 8000 draws: N r = -0.092, -0.087, -0.101 at N = 8, 16, 32).
    """
    sz = EarlySizes.of(ctx)
    M, b, ts = sz.M, 1.5, (0.1, 0.2, 0.4, 1.0)
    early = slice(0, 3)
    lam = np.asarray(rf.spectrum(M, 2.0, b)[0])
    T = float(np.sum(lam))
    measured, oks, parts, series = {"N": list(sz.Ns), "t": list(ts)}, [], [], []
    for k in (1, 4):
        lk = float(lam[k - 1])
        exact, lead = (np.array(v) for v in zip(*(_first_order_exact(lk, lam, tt) for tt in ts)))
        rows = []
        for N in sz.Ns:
            Y = early_time_measure(ctx.seed, M, b, N, sz.draws, ts)[:, :, k - 1]
            m = N * (Y.mean(axis=0) - np.exp(-lk * np.array(ts)))
            se = N * Y.std(axis=0) / np.sqrt(Y.shape[0])
            pred = np.array([N * claim.value(T=T, N=N, P=10 ** 300, t=tt, **{"lambda": lk}) for tt in ts])
            rows.append((N, m, se, pred))
        N, m, se, pred = rows[-1]
        bias = np.abs(exact - lead)
        ok_claim = bool(np.all((np.abs(m - pred) <= 3 * se + bias)[early]))
        (n0, _, se0, _), r = rows[0], {n_: mm - exact for n_, mm, _, _ in rows}
        q = n0 / N
        ok_order = bool(abs(r[N][-1]) <= q * abs(r[n0][-1]) + 3 * se[-1] + 3 * q * se0[-1]) if k == 4 else True
        oks.append(ok_claim and ok_order)
        parts.append(f"k={k}, N={N}, t={ts[:3]}: measured " + ", ".join(f"{v:.5f}" for v in m[early])
                     + " +- " + ", ".join(f"{v:.1e}" for v in se[early]) + " vs claim " + ", ".join(f"{v:.5f}" for v in pred[early])
                     + "; bias |exact - early form| " + ", ".join(f"{v:.1e}" for v in bias[early])
                     + (" consistent" if ok_claim else " REJECTED")
                     + ("" if k != 4 else "; residual vs exact first order at t=1, N r(N) = "
                        + ", ".join(f"{n_}: {n_ * rr[-1]:+.3f}" for n_, rr in r.items())
                        + (" (shrinks like 1/N)" if ok_order else " (does NOT shrink like 1/N)")))
        measured[f"k={k}"] = {"measured": m.tolist(), "se": se.tolist(), "predicted": pred.tolist(),
                              "exact_first_order": exact.tolist(), "early_form": lead.tolist(),
                              "residual_vs_exact": {n_: rr.tolist() for n_, rr in r.items()}}
        series += [Series(f"simulation k={k}, N={n_}", ts, mm, "points", yerr=ss) for n_, mm, ss, _ in rows[-1:]]
        series += [Series(f"claim k={k}", ts, pred), Series(f"exact first order k={k}", ts, exact)]
    ok = all(oks)
    detail = "; ".join(parts) + (" -> consistent" if ok else " -> REJECTED")
    fig = Figure(title="dynamical: early-time 1/N correction", xlabel="t", ylabel="N (H_k - e^{-lambda t})", series=series)
    return CheckResult(ok, detail, measured, fig)
