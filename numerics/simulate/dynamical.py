"""Simulation checks of the dynamical model: the real random-feature model trained by gradient descent.

Every prediction is read from the claim (``claim.value(...)``), so perturbed claims are rejected by
the same code (see ``proofs_tests/test_dynamical_simulate.py``). Sizes: ``ctx.quick`` (tests, CLI)
or full (``-m slow``). Fits use :func:`numerics.fit.fit_power_law` with a bootstrap over draws of
the projection A; the tolerance is the bootstrap interval widened by a finite-size bias that is
*measured in the same run* (a Richardson difference between N and N/2, plus the finite-M shift of
the exact N = oo curve), never tuned.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import numpy as np

from scaling_verify.checks import CheckResult, Context, Figure, Series, check, exponent_verdict
from scaling_verify.numerics.fit import fit_power_law
from scaling_verify.checks.measurement import measurement
from scaling_verify.checks.replicas import replica_seeds, replicated
from scaling_verify.numerics.simulate import with_float64
from scaling_verify.numerics.simulate.models import random_features as rf
from scaling_verify.numerics.stats import bootstrap_means, percentile_interval
from scaling_verify.theory.claims import Claim

TIME_AB = (2.0, 2.0)  # a-1 < b and b >= 1.25 (log corrections at b = 1), small N-bottleneck
EASY_AB = (5.0, 1.5)  # a-1 = 4 > 2b = 3 > b: the printed and the corrected N-bottlenecks differ by 2x
ENS_AB = (1.5, 2.0)   # a-1 < b: ensembles lose; finite-N corrections O(1/N) (b-a+1 = 1.5)
SHIFT_BUDGET = 0.02   # time exponent: finite-size shift at N = 256 (DE study: 0.030, 0.015, 0.007 at N = 128, 256, 512)
ERR_BUDGET = 0.005    # time exponent and prefactor: |simulation/DE - 1| error estimate allowed (measured 0.0022 exponent, 0.0037 prefactor)
T_ASYM = 10.0         # prefactor window starts here: |L_oo(t) t^s / c_t - 1| < 3e-4 for t >= 10 (a = b = 2, exact sum)


@dataclass(frozen=True)
class Sizes:
    """Quick (tests, CLI) or full (``-m slow``) sizes of the gradient-flow checks: widths ``N`` (time checks),
    ``Ns`` (size exponent), ``Nens`` (ensembles); mode counts ``M``, ``M_res``, ``M_ens``; draws and
    bootstrap resamples."""

    N: int
    M: int
    draws: int
    draws_res: int
    boot: int
    Ns: tuple[int, ...]
    M_res: int
    Nens: int
    groups: int
    M_ens: int

    @classmethod
    def quick(cls) -> Sizes:
        return cls(N=256, M=2048, draws=32, draws_res=128, boot=400, Ns=(16, 32, 64, 128), M_res=2048, Nens=16, groups=96, M_ens=1024)

    @classmethod
    def full(cls) -> Sizes:
        return cls(N=512, M=4096, draws=48, draws_res=48, boot=1000, Ns=(16, 32, 64, 128, 256, 512), M_res=8192, Nens=32, groups=256, M_ens=4096)

    @classmethod
    def of(cls, ctx: Context) -> Sizes:
        return cls.quick() if ctx.quick else cls.full()


@measurement
@with_float64
def time_curves(seed: int, a: float, b: float, N: int, M: int, draws: int, ts: np.ndarray,
                n_active: int | None = None) -> np.ndarray:
    """Gradient-flow test-loss curves ``(draws, len(ts))`` at P = oo (exact eigendecomposition solver).

    ``n_active < N``: the width-``n_active`` models made of the first rows of the same draws.
    """
    lam, w = rf.spectrum(M, a, b)
    A = rf.draw_projections(jax.random.key(seed), draws, N, M)
    return np.asarray(rf.flow_exact(A, lam, w, ts, n_active))


@measurement
def de_curves(a: float, b: float, N: int, M: int, ts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The float64 DMFT deterministic equivalent of the flow's loss at widths N and N/2 (M modes) at
    ``ts``: shared by the time-exponent and time-prefactor checks and their power items."""
    from scaling_verify.numerics.simulate.models import rf_ensemble as rfe

    return tuple(np.asarray(rfe.dmft_loss_curve(ts, M, a, b, n)) for n in (N, N // 2))


@measurement
def exact_flow_loss(a: float, b: float, ts: np.ndarray) -> np.ndarray:
    """The N, M = oo gradient-flow loss :math:`\\sum_k k^{-a} e^{-2k^{-b}t}` over 2e6 modes (the tail
    beyond is below 5e-7, 3e-5 of L at t = 1e3)."""
    k = np.arange(1, 2 * 10 ** 6 + 1, dtype=float)
    return np.array([np.sum(k ** -a * np.exp(-2 * k ** -b * tt)) for tt in ts])


@dataclass(frozen=True)
class TimeRuns:
    """The gradient-flow runs behind the time-exponent and time-prefactor checks: loss curves at widths N
    and N/2 (``Y``, ``Yh``: two replicas of ``draws/2`` each, pooled) and the deterministic equivalent's."""

    N: int
    M: int
    ts: np.ndarray
    Y: np.ndarray
    Yh: np.ndarray
    L_de: np.ndarray
    L_de_half: np.ndarray
    independent: bool
    note: str


def _time_runs(ctx: Context) -> TimeRuns:
    """Two independent replicas (:mod:`scaling_verify.checks.replicas`): the checks refuse identical ones."""
    a, b = TIME_AB
    sz = Sizes.of(ctx)
    N, M, half = sz.N, sz.M, sz.draws // 2
    ts = np.geomspace(2.0, 100.0, 10)
    full = replicated(lambda s: time_curves(s, a, b, N, M, half, ts), ctx.seed)
    narrow = replicated(lambda s: time_curves(s, a, b, N, M, half, ts, n_active=N // 2), ctx.seed)
    L_de, L_de_half = de_curves(a, b, N, M, ts)
    return TimeRuns(N, M, ts, full.pooled, narrow.pooled, L_de, L_de_half, full.independent, full.note)


@check("dynamical.time_exponent", "simulate")
@with_float64
def _time_exponent(claim: Claim, ctx: Context) -> CheckResult:
    """Fit ``L(t) ~ t^{-p}`` over t in [2, 100] at a = b = 2, P = oo, N = 256 (quick), M = 2048, against the
    claim shifted by the finite-size slope of the deterministic equivalent (DE) at the same sizes.

    At N = 256 the width bottleneck lowers the window slope by about 0.015 (1/N: DE deficits 0.030, 0.015,
    0.007 at N = 128, 256, 512). The DE (float64 DMFT P = oo curve, :func:`numerics.simulate.models.rf_ensemble.dmft_loss_curve`,
    1e-14 from the 30-digit solver) gives the window slope ``p_DE(N, M)`` without the claim; the shift is
    ``delta = p_DE(N, M) - p_far``, ``p_far`` the slope of the exact N = oo sum over t in [1e2, 1e3] (2e6 modes, so
    the missing tail is below 3e-5 of L; the time corrections are super-polynomial, 1.5e-11 at t = 1e2). Prediction ``claim + delta``; measured: the raw slope at N with a
    95 % bootstrap interval over draws. Widening: the DE's own finite-N error, measured in the same run as
    ``|p_sim(N/2) - p_DE(N/2)|/2`` (the N/2 models are the first rows of the same draws; the error is taken
    to scale as 1/N, the order of the DE's correction). A Richardson extrapolation ``2 p(N) - p(N/2)`` is
    reported for comparison; it doubles the noise (seed scatter 0.008 against 0.006 for the raw slope).

    Budgets (the shift and its error estimate both come from the DE, so a DE with a wrong 1/N term moves both
    together; the caps come from the convergence study above, done with the 30-digit solver and the
    simulation at N = 128, 256, 512, independently of this run): the shift must be <= 0.02 (256/N)
    (:data:`SHIFT_BUDGET`; measured 0.015 at N = 256, halving with 2N) and the DE error estimate, beyond two
    standard errors of its own sampling noise, <= 0.005 (:data:`ERR_BUDGET`); a larger one fails the check.
    Doubling the DE's 1/N term (R3 = 1 - 4D/N) gives a shift 0.03 and fails. The draws come as two replicas
    at independent seeds (:mod:`scaling_verify.checks.replicas`); identical replicas (a simulation that ignores its seed)
    fail the check.
    """
    a, b = TIME_AB
    sz = Sizes.of(ctx)
    runs = _time_runs(ctx)
    N, M, ts, Y, Yh, L_de, L_de_half = runs.N, runs.M, runs.ts, runs.Y, runs.Yh, runs.L_de, runs.L_de_half
    fit = fit_power_law(ts, Y, bootstrap=sz.boot, seed=ctx.seed)
    fit_half = fit_power_law(ts, Yh, bootstrap=sz.boot, seed=ctx.seed + 1)
    p_half = fit_half.p
    p_de, p_de_half = (fit_power_law(ts, L, bootstrap=0).p for L in (L_de, L_de_half))
    t_far = np.geomspace(1e2, 1e3, 6)
    p_far = fit_power_law(t_far, exact_flow_loss(a, b, t_far), bootstrap=0).p
    delta = p_de - p_far
    bias = abs(p_half - p_de_half) / 2
    pred = claim.value(a=a, b=b) + delta
    lo, hi = fit.ci["p"]
    ok, detail = exponent_verdict(f"time exponent (a=b=2), N={N}", fit.p, lo, hi, pred, bias=bias)
    # the shift and its error estimate both come from the DE; caps from the independent convergence study
    # (budget: shift <= SHIFT_BUDGET * 256/N, error <= ERR_BUDGET): a DE whose 1/N term is off by 2x fails
    # the budget applies to the DE error beyond the N/2 slope's own sampling noise (2 standard errors, from
    # its bootstrap interval): over seeds 0-19 the raw estimate reached 0.007 on 3 seeds with the claim true
    noise = (fit_half.ci["p"][1] - fit_half.ci["p"][0]) / (2 * 1.96) / 2
    shift_cap = SHIFT_BUDGET * 256 / N
    within = abs(delta) <= shift_cap and max(0.0, bias - 2 * noise) <= ERR_BUDGET
    ok = ok and within and runs.independent
    detail += runs.note + (f"; shift budget {shift_cap:.4f}, DE-error budget {ERR_BUDGET}"
               + ("" if within else " -> budget EXCEEDED (REJECTED)"))
    detail += (f" (claimed {claim.value(a=a, b=b):.4f} + finite-size shift {delta:+.4f}: DE slope {p_de:.4f} over the window "
               f"at N={N}, M={M}; N = oo slope {p_far:.6f} at t = 1e2..1e3; DE error at N/2 {2 * bias:.4f} +- {2 * noise:.4f} (noise)); "
               f"Richardson 2p(N) - p(N/2) = {2 * fit.p - p_half:.4f}")
    ym = Y.mean(axis=0)
    fig = Figure(title="dynamical: L(t), random features (P = oo)", xlabel="t", ylabel="test loss",
                 series=[Series(f"simulation N={N}, M={M}", ts, ym, "points", yerr=Y.std(axis=0) / np.sqrt(Y.shape[0])),
                         Series(f"DMFT deterministic equivalent N={N}", ts, L_de),
                         Series(f"claim t^-{claim.value(a=a, b=b):.3f}", ts, ym[0] * (ts / ts[0]) ** (-claim.value(a=a, b=b)))])
    return CheckResult(ok, detail, {"p_N": fit.p, "ci": [lo, hi], "p_half_N": p_half, "p_de": p_de,
                                    "p_far": p_far, "shift": delta, "bias": bias, "predicted": pred}, fig)


@check("dynamical.time_prefactor", "simulate")
@with_float64
def _time_prefactor_sim(claim: Claim, ctx: Context) -> CheckResult:
    """Amplitude of the simulated loss curve against the claimed prefactor c_t (a = b = 2, s = (a-1)/b).

    Same runs as the time-exponent check (gradient flow, P = oo, N = 256, M = 2048 quick). Per draw, the
    amplitude ``A = mean_t L(t) t^s / R(t)`` over the 6 times t >= 10 of the grid, with ``R(t) = L_DE(t; N, M) /
    L_oo(t)`` the finite-size factor: the float64 DMFT deterministic equivalent at the same N, M over the exact
    N, M = oo sum (2e6 modes). R is 1.02-1.08 here and contains no claim. Measured: mean of A over draws with
    a 95 % bootstrap interval. Widening (budgets written next to the constants): the DE's own error
    ``|mean_t sim/DE - 1|`` at N/2 halved (1/N scaling, as in the exponent check; measured 0.0037, budget
    0.005) plus the asymptotic error of L_oo(t) t^s at t >= 10 (3e-4, from the exact sum; budget 1e-3).
    A time rescaling t -> 2t of the flow moves A by 2^{-s} = 0.71 and a 10 % prefactor error by 0.1: both fail.
    """
    a, b = TIME_AB
    sz = Sizes.of(ctx)
    runs = _time_runs(ctx)
    N, ts, Y, Yh, L_de, L_de_half = runs.N, runs.ts, runs.Y, runs.Yh, runs.L_de, runs.L_de_half
    L_oo = exact_flow_loss(a, b, ts)
    s = (a - 1) / b
    m = ts >= T_ASYM
    R = L_de / L_oo
    A = np.mean(Y[:, m] * ts[m] ** s / R[m], axis=1)
    rng = np.random.default_rng(ctx.seed + 5)
    means = bootstrap_means(A, sz.boot, rng)
    lo, hi = np.percentile(means, [2.5, 97.5])
    # the DE's error at N/2 (halved: 1/N scaling) from the per-draw ratios sim/DE; the budget applies to
    # the part beyond the ratios' own sampling noise (2 standard errors), which varies with the seed
    # (over seeds 0-19: 0.0018..0.0195 raw, so a raw budget of 0.005 failed a true claim on 13 of 20 seeds)
    r = np.mean(Yh[:, m] / L_de_half[m], axis=1)
    de_err = abs(float(r.mean()) - 1) / 2
    de_se = float(r.std(ddof=1) / np.sqrt(len(r))) / 2
    asym = 3e-4
    within = max(0.0, de_err - 2 * de_se) <= ERR_BUDGET
    pred = claim.value(a=a, b=b)
    amp = float(A.mean())
    ok, detail = exponent_verdict(f"amplitude L(t) t^s / R(t) (a=b=2, t in [{T_ASYM:g}, 100]), N={N}", amp,
                                  lo, hi, pred, bias=(de_err + asym) * pred)
    ok = ok and within and runs.independent
    detail += runs.note + (f" (finite-size factor R = DE/L_oo {R[m].min():.3f}..{R[m].max():.3f}; DE error at N/2 halved {de_err:.4f} +- {de_se:.4f} (noise),"
               f" budget {ERR_BUDGET}{'' if within else ' EXCEEDED'}; asymptotic error {asym:g})")
    fig = Figure(title="dynamical: L(t) t^s / R(t) against the claimed prefactor", xlabel="t", ylabel="L t^s / R",
                 logy=False, series=[Series("simulation", ts, (Y * ts ** s / R).mean(axis=0), "points"),
                                     Series("claim c_t", ts, [pred] * len(ts))])
    return CheckResult(bool(ok), detail, {"amplitude": amp, "ci": [float(lo), float(hi)], "de_error": de_err,
                                          "R": R.tolist(), "predicted": pred}, fig)


@measurement
@with_float64
def residual_curve(seed: int, a: float, b: float, Ns, M: int, draws: int) -> np.ndarray:
    """Converged single-model loss (P = oo, t -> oo) for each N, ``(draws, len(Ns))``."""
    lam, w = rf.spectrum(M, a, b)
    A = rf.draw_projections(jax.random.key(seed + 17), draws, max(Ns), M)
    return np.asarray(rf.nested_residuals(A, lam, w, Ns))


@measurement
def residual_de_curve(a: float, b: float, Ns, M: int) -> np.ndarray:
    """Deterministic equivalent of the converged single-model loss at each N (finite M)."""
    return np.array([rf.residual_de(n, a, b, M) for n in Ns])


@measurement
def residual_de_far(a: float, b: float) -> list:
    """The deterministic equivalent at N = 0.9e4 and 1.1e4, infinite M (its asymptotic local slope)."""
    return [rf.residual_de(n, a, b, 10 ** 5, infinite=True) for n in (0.9e4, 1.1e4)]


# The window slope of the simulation minus that of its deterministic equivalent (same N = 16..128, M = 2048): from the
# convergence study next to HEAD_DE_C, simulation/DE - 1 = 0.033, 0.024, 0.014 at N = 32, 64, 128 (s.e. 0.010, 0.007,
# 0.005), falling with N, so the simulation's slope is steeper: the slope of log(simulation/DE) over 32..128 is +0.013
# (s.e. ~0.008). SIZE_DE_SLOPE_ERR covers it, three standard errors and the unmeasured N = 16 end; its lower end
# allows a small negative error. Seeds 0-3 of the check (128 draws) measured 1.488, 1.562, 1.558, 1.578 against the
# DE window slope 1.527: the earlier symmetric widening by |p_DE - p_oo| alone failed the true claim on 3 of 4.
SIZE_DE_SLOPE_ERR = (-0.01, 0.04)


def _size_check(claim: Claim, ctx: Context) -> CheckResult:
    """Fit ``L_oo(N) ~ N^{-p}`` at a = 5, b = 1.5 (a-1 > 2b: printed 2b = 3, corrected b = 1.5).

    Prediction: the claim plus the window shift of the deterministic equivalent ``sum k^{-a} kappa/(lambda+kappa)``
    (its fitted slope over the same N values minus its local slope at N = 1e4, infinite M; no claim in it), plus the
    DE's own window-slope error within :data:`SIZE_DE_SLOPE_ERR` (convergence study). Tolerance: 95 % bootstrap
    interval over draws.
    """
    a, b = EASY_AB
    sz = Sizes.of(ctx)
    Ns = np.array(sz.Ns, dtype=float)
    Y = residual_curve(ctx.seed, a, b, sz.Ns, sz.M_res, sz.draws_res)
    fit = fit_power_law(Ns, Y, bootstrap=sz.boot, seed=ctx.seed)
    de = residual_de_curve(a, b, Ns, sz.M_res)
    p_de = fit_power_law(Ns, de, bootstrap=0).p
    big = residual_de_far(a, b)
    p_asym = -np.log(big[1] / big[0]) / np.log(1.1 / 0.9)
    shift = p_de - p_asym
    e_lo, e_hi = SIZE_DE_SLOPE_ERR
    bias = (e_hi - e_lo) / 2
    pred = claim.value(a=a, b=b)
    ok, detail = exponent_verdict("size exponent (a=5, b=1.5)", fit.p, *fit.ci["p"], pred + shift + (e_lo + e_hi) / 2,
                                  bias=bias)
    detail += (f" (claimed {pred:.4f} + DE window shift {shift:+.4f} + DE window-slope error in [{e_lo:+g}, {e_hi:+g}]);"
               f" deterministic equivalent: window slope {p_de:.4f}, asymptotic slope {p_asym:.4f}")
    ym = Y.mean(axis=0)
    fig = Figure(title="dynamical: N-bottleneck at a=5, b=1.5 (t, P = oo)", xlabel="N", ylabel="converged loss",
                 series=[Series("simulation (projection residual)", Ns, ym, "points", yerr=Y.std(axis=0) / np.sqrt(len(Y))),
                         Series("deterministic equivalent", Ns, de),
                         Series(f"claim N^-{pred:.2f}", Ns, ym[0] * (Ns / Ns[0]) ** (-pred))])
    return CheckResult(ok, detail, {"p": fit.p, "ci": list(fit.ci["p"]), "bias": bias, "predicted": pred,
                                    "shift": shift, "p_deterministic_equivalent": p_de}, fig)


check("dynamical.size_exponent", "simulate", resolution=0.07, resolution_reason=(
    "slope 1.5 of L_oo(N) over N = 16..128 (quick, 128 draws): 95 % bootstrap interval +-0.03 (2 %) plus the DE's own "
    "window-slope error budget SIZE_DE_SLOPE_ERR, half-width 0.025 (1.7 %), and the slope's seed scatter (1.488..1.578 "
    "over seeds 0-3, 2 %). Over seeds 0-19: claim x1.05 rejected on 13-14/20, x1.06 on 17-18/20, x1.07 and x0.93 on >= 19/20; "
    "no false alarm"))(with_float64(_size_check))


# relative error of the projection-residual equivalent at width N: HEAD_DE_LO/N <= simulation/DE - 1 <= HEAD_DE_C/N.
# Convergence study (M = 2048, a = 5, b = 1.5, 1024 draws, seeds 100-101, nested widths): N (simulation/DE - 1) = 1.06 +- 0.32,
# 1.55 +- 0.47, 1.81 +- 0.64, 2.30 +- 0.94 at N = 32, 64, 128, 256; 3.0 covers N = 128 at its 95 % upper end. The error
# is positive at every width (95 % lower ends 0.43, 0.63, 0.56, 0.46): HEAD_DE_LO = 0.4 is below all of them, so the
# budget is one-sided, as the error is (a symmetric 3/N widening left the claim x1.05 accepted: resolution 6.3 %).
HEAD_DE_C = 3.0
HEAD_DE_LO = 0.4


@check("dynamical.size_head_coefficient", "simulate")
def _head_coefficient_sim(claim: Claim, ctx: Context) -> CheckResult:
    """The real projection residual over ``kappa(N)`` against the claimed head coefficient ``zeta(a - b)``
    (a = 5, b = 1.5; N = 128 quick, 256 full; 512 or 1024 draws).

    Prediction: ``claim - kappa zeta(a - 2b)`` (the next term of ``L/kappa``; the remainder ``O(kappa^{5/3})`` is below
    1e-5 at N = 128), with ``kappa`` from the finite-M count equation of the simulated modes, times ``1 + e``: the
    equivalent's own relative error, ``HEAD_DE_LO/N <= e <= HEAD_DE_C/N`` (the convergence study above; one-sided, as
    the error is). Tolerance: the 95 % bootstrap interval of the mean over draws. Unlike the precise check, which takes
    the limit of the equivalent's own sum, this tests the model: random projections of the modes.
    """
    import mpmath as mp

    a, b = EASY_AB
    sz = Sizes.of(ctx)
    N, draws = (128, 512) if ctx.quick else (256, 1024)
    Y = residual_curve(ctx.seed, a, b, (N,), sz.M_res, draws)
    lam, _ = rf.spectrum(sz.M_res, a, b)
    kap = rf.solve_kappa(float(N), np.asarray(lam))
    col = Y[:, 0] / kap
    lo, hi = (float(v) for v in percentile_interval(bootstrap_means(col, sz.boot, np.random.default_rng(ctx.seed))))
    pred = float(claim.evaluate(a=a, b=b)) - kap * float(mp.zeta(a - 2 * b))
    e_lo, e_hi = HEAD_DE_LO / N, HEAD_DE_C / N
    # accept iff pred (1 + e) meets [lo, hi] for some e_lo <= e <= e_hi: centre and half-width of that range
    centre, bias = pred * (1 + (e_lo + e_hi) / 2), abs(pred) * (e_hi - e_lo) / 2
    ok, detail = exponent_verdict(f"simulated L_oo/kappa at N={N} ({draws} draws)", float(col.mean()), lo, hi,
                                  centre, bias=bias)
    detail += (f" [claim {float(claim.evaluate(a=a, b=b)):.5f} - kappa zeta(a-2b) = {pred:.5f}, kappa = {kap:.3e}, times "
               f"1 + e, DE budget {HEAD_DE_LO:g}/N <= e <= {HEAD_DE_C:g}/N: {pred * (1 + e_lo):.4f}..{pred * (1 + e_hi):.4f}]")
    return CheckResult(ok, detail, {"ratio": float(col.mean()), "ci": [lo, hi], "predicted": pred, "bias": bias,
                                    "predicted_range": [pred * (1 + e_lo), pred * (1 + e_hi)]})


@check("dynamical.size_exponent_published", "simulate")
@with_float64
def _size_check_published(claim: Claim, ctx: Context) -> CheckResult:
    """The printed min(a-1, 2b) through the same fit (expected: refuted)."""
    return _size_check(claim, ctx)


@measurement
@with_float64
def ensemble_vs_width_measure(seed: int, a: float, b: float, N: int, E: int, M: int, groups: int):
    """Converged losses of ``groups`` E-ensembles of width N and of ``groups`` single models of width E N."""
    lam, w = rf.spectrum(M, a, b)
    k1, k2 = jax.random.split(jax.random.key(seed + 29))
    LE = np.asarray(rf.ensemble_residual(rf.draw_projections(k1, groups * E, N, M), lam, w, E))
    L1 = np.asarray(rf.projection_residual(rf.draw_projections(k2, groups, E * N, M), lam, w))
    return LE, L1


@measurement
def ensemble_de_ratio(a: float, b: float, E: int, N: int, M: int, infinite: bool = False) -> float:
    """Deterministic-equivalent ratio L_E(N)/L_1(EN) from the projection-residual sums."""
    L1n, Bn = rf.residual_de(N, a, b, M, 1, infinite), rf.residual_de(N, a, b, M, 2, infinite)
    return (Bn + (L1n - Bn) / E) / rf.residual_de(E * N, a, b, M, 1, infinite)


@check("dynamical.ensemble_vs_width", "simulate")
@with_float64
def _ensemble(claim: Claim, ctx: Context) -> CheckResult:
    """Ratio ``L_E(N)/L_1(EN)`` (E = 4, a = 1.5, b = 2) at t, P = oo, vs the claimed ``E^{a-1}(1-s+s/E)``.

    The claim is the N -> oo limit; at the simulated N = 16 (M = 1024) the finite-size factor
    ``f_N = DE(N, M)/DE(oo)`` of the deterministic equivalent (projection-residual sums, exact in the
    proportional limit) multiplies the prediction (it does not depend on the claim: a perturbed claim
    is multiplied by the same factor). Tolerance: 95 % bootstrap interval over groups, widened by
    ``|DE(N) - DE(oo)|/N``, i.e. allowing the DE's own O(1/N) error on its finite-N correction.
    Also reports that E = 1 wins (ratio > 1).
    """
    a, b = ENS_AB
    E = int(claim.params.get("E", 4))
    sz = Sizes.of(ctx)
    N, M = sz.Nens, sz.M_ens
    LE, L1 = ensemble_vs_width_measure(ctx.seed, a, b, N, E, M, sz.groups)
    ratio = LE.mean() / L1.mean()
    rng = np.random.default_rng(ctx.seed)
    boots = []
    for _ in range(sz.boot):
        i, j = rng.integers(0, len(LE), len(LE)), rng.integers(0, len(L1), len(L1))
        boots.append(LE[i].mean() / L1[j].mean())
    lo, hi = percentile_interval(boots)

    de_here, de_far = ensemble_de_ratio(a, b, E, N, M), ensemble_de_ratio(a, b, E, 2048, 10 ** 5, True)
    bias = abs(de_here - de_far) / N
    limit = claim.value(a=a, b=b, E=E)
    pred = limit * de_here / de_far
    ok, detail = exponent_verdict(f"L_E(N)/L_1(EN), E={E}, N={N}", float(ratio), float(lo), float(hi), pred, bias=bias)
    detail += (f" (claimed limit {limit:.4f} x finite-N factor {de_here / de_far:.4f} from the deterministic "
               f"equivalent {de_here:.4f} at N={N} vs {de_far:.4f} at N=2048, M=oo); E=1 wins: {ratio > 1}")
    return CheckResult(ok, detail, {"ratio": float(ratio), "ci": [float(lo), float(hi)], "bias": bias,
                                    "predicted": pred, "claimed_limit": limit, "one_model_wins": bool(ratio > 1)})


# The DMFT deterministic equivalent's own error at width N, sim/DE - 1 = e(t) with -DMFT_DE_LO/N <= e(t) <= DMFT_DE_HI(t)/N.
# Convergence study (independent of the check's seeds: keys 1000-1007, 256 draws, a = b = 2, M = 2048, nested widths
# N = 64, 128, 256, the first-order control variate of :func:`first_order_controls`; script in the check's docstring):
# N (sim/DE - 1) at t = 2 .. 100 (the check's 10 times) was
#   N = 256: +0.53 +0.34 +0.28 +0.28 +0.30 +0.37 +0.43 +0.48 +0.59 +0.79  (s.e. 0.12 .. 0.31)
#   N = 128: +0.55 +0.27 +0.18 +0.21 +0.25 +0.31 +0.37 +0.42 +0.48 +0.55  (s.e. 0.11 .. 0.31)
#   N =  64: +0.69 +0.52 +0.48 +0.52 +0.56 +0.59 +0.63 +0.66 +0.72 +0.80  (s.e. 0.12 .. 0.31)
# positive throughout (the DMFT omits the self-interaction of each mode, which raises H_k:
# dynamical.early_time_correction_finite_trace). DMFT_DE_HI(t) is the largest 95 % upper end over the three widths at
# each time, rounded up (0.92, 0.77, 0.76, 0.85, 0.94, 1.02, 1.09, 1.18, 1.28, 1.42); DMFT_DE_LO covers the most negative
# 95 % lower end (-0.11, N = 128). The budget is one-sided because the error is: a symmetric 1.5/N widening would
# leave the claim x1.01 accepted.
DMFT_TS = np.geomspace(2.0, 100.0, 10)
DMFT_DE_HI = np.array([1.0, 0.8, 0.8, 0.9, 1.0, 1.1, 1.1, 1.2, 1.3, 1.5])
DMFT_DE_LO = 0.15
DMFT_CV_MODES = 128  # modes in the control variate (any number keeps its mean exactly 0; 128 take ~90 % of the sd)


def _first_order_kernel(lam: np.ndarray, w: np.ndarray, t: float) -> np.ndarray:
    """``B_kl(t)``: the first-order change of the flow loss under ``F = I + E`` is ``sum_kl B_kl E_kl``.

    ``v(t) = e^{-t F Lambda} w`` (``L = v^T Lambda v``); Duhamel: ``v_1 = -int_0^t e^{-(t-s) Lambda} E Lambda e^{-s Lambda} w ds``,
    so ``B_kl = -2 lambda_k w_k e^{-lambda_k t} lambda_l w_l phi_kl``, ``phi_kl = (e^{-lambda_l t} - e^{-lambda_k t})/(lambda_k - lambda_l)``
    (``t e^{-lambda_k t}`` on the diagonal)."""
    lk, ll = lam[:, None], lam[None, :]
    d = lk - ll
    same = np.abs(d) <= 1e-12 * lk
    phi = np.where(same, t * np.exp(-lk * t), (np.exp(-ll * t) - np.exp(-lk * t)) / np.where(same, 1.0, d))
    return -2.0 * (lk * w[:, None] * np.exp(-lk * t)) * (ll * w[None, :]) * phi


@measurement
@with_float64
def first_order_controls(seed: int, a: float, b: float, N: int, M: int, draws: int, ts: np.ndarray,
                         K: int = DMFT_CV_MODES) -> tuple[np.ndarray, np.ndarray]:
    """Zero-mean control variates of :func:`time_curves` ``(seed, a, b, N, M, draws, ts)``, at widths N and N/2:
    ``sum_kl B_kl(t) E_kl`` over the first K modes, ``E = A^T A / n - I`` from the *same* draws (same key; the N/2
    models are the first rows). Their mean is exactly 0 for any K (``E[A^T A/n] = I`` entrywise) and contains no
    claim and no deterministic equivalent; they are the first-order Duhamel term of each draw's loss."""
    lam, w = (np.asarray(x) for x in rf.spectrum(M, a, b))
    AK = np.asarray(rf.draw_projections(jax.random.key(seed), draws, N, M)[:, :, :K])
    B = np.stack([_first_order_kernel(lam[:K], w[:K], float(t)) for t in np.asarray(ts)])
    out = []
    for n in (N, N // 2):
        X = AK[:, :n]
        E = np.matmul(X.transpose(0, 2, 1), X) / n - np.eye(K)
        out.append(E.reshape(len(E), -1) @ B.reshape(len(B), -1).T)
    return out[0], out[1]


@check("dynamical.dmft_loss_curve", "simulate", resolution=0.01)  # finer than the default: see the docstring
@with_float64
def _dmft_curve(claim: Claim, ctx: Context) -> CheckResult:
    """The simulated loss curve against the DMFT deterministic equivalent, point by point.

    Same runs as the time checks (gradient flow, P = oo, N = 256, M = 2048 quick, 32 draws in two replicas; 10 times
    in [2, 100]). Estimator: per draw ``(L_sim(t) - C(t)) / L_DE(t; N, M)`` with ``C`` the exact first-order
    (Duhamel) term of that draw's loss in ``E = A^T A/N - I`` over the first 128 modes (:func:`first_order_controls`):
    a control variate of mean exactly 0 with coefficient 1 (no fitted coefficient, so no bias; the fitted optimum is
    0.99-1.03), which cuts the per-draw spread of the ratio from 6 % to 0.8 % at t = 2 and 1.9 % at t = 100 (N = 256).
    Full sizes (N = 512, M = 4096) use the same budget DMFT_DE_HI/N, i.e. its 1/N scaling beyond the study's N = 256. Per time, the mean over draws
    with a Student-t interval at 99.5 % (Bonferroni: the 10 times jointly at 95 %), against the claimed ratio times
    the DE's own error ``1 + e``, ``-DMFT_DE_LO/N <= e <= DMFT_DE_HI(t)/N`` (the convergence study next to
    :data:`DMFT_DE_HI`, one-sided as the error is). Guard, without the claim: at N/2 (the first rows of the same
    draws, same estimator) ``sim/DE - 1`` must lie in ``[-DMFT_DE_LO, DMFT_DE_HI(t)] / (N/2)`` up to 3 standard errors
    at every time: the DE's error must be O(1/N) in the run itself. A time rescaling by 2 moves the late curve by
    2^{-s} = 0.71, a 1 % normalisation error by 0.01 against a half-width ~0.004 + budget ~0.004: all fail.
    """
    from scipy import stats

    a, b = TIME_AB
    sz = Sizes.of(ctx)
    runs = _time_runs(ctx)
    if not np.allclose(runs.ts, DMFT_TS):
        raise ValueError("the DE-error budget DMFT_DE_HI was measured on the time grid DMFT_TS")
    ctl = [first_order_controls(s, a, b, runs.N, runs.M, sz.draws // 2, runs.ts) for s in replica_seeds(ctx.seed)]
    C, Ch = (np.concatenate(x) for x in zip(*ctl))
    r, rh = (runs.Y - C) / runs.L_de, (runs.Yh - Ch) / runs.L_de_half
    n, nh = len(r), runs.N // 2
    se = r.std(axis=0, ddof=1) / np.sqrt(n)
    q = stats.t.ppf(1 - 0.025 / len(runs.ts), n - 1)
    m = r.mean(axis=0)
    lo, hi = m - q * se, m + q * se
    # the guard at N/2: claim-free, the DE error within its budget at half the width, 3 standard errors of slack
    mh, seh = rh.mean(axis=0), rh.std(axis=0, ddof=1) / np.sqrt(len(rh))
    within = bool(np.all((mh - 1 <= DMFT_DE_HI / nh + 3 * seh) & (mh - 1 >= -DMFT_DE_LO / nh - 3 * seh)))
    pred = claim.value()
    e_hi, e_lo = DMFT_DE_HI / runs.N, DMFT_DE_LO / runs.N
    # accept iff pred (1 + e) meets [lo, hi] for some -e_lo <= e <= e_hi: centre and half-width of that range
    centre, half = pred * (1 + (e_hi - e_lo) / 2), np.abs(pred) * (e_hi + e_lo) / 2
    oks = [exponent_verdict(f"L_sim/L_DMFT at t={tt:.3g}", float(mm), float(l_), float(h_), float(c_), bias=float(hb))[0]
           for tt, mm, l_, h_, c_, hb in zip(runs.ts, m, lo, hi, centre, half)]
    worst = int(np.argmax(np.abs(m - centre) - (hi - lo) / 2 - half))
    ok = all(oks) and within and runs.independent
    detail = (f"ratio L_sim/L_DMFT at N={runs.N}, M={runs.M} (first-order control variate, {n} draws), t = "
              f"{runs.ts[0]:g}..{runs.ts[-1]:g}: " + ", ".join(f"{v:.4f}" for v in m)
              + f" against claimed {pred:g} x (1 + e), -{DMFT_DE_LO:g}/N <= e <= ({DMFT_DE_HI.min():g}..{DMFT_DE_HI.max():g})/N; "
              f"{sum(oks)}/{len(oks)} times consistent (99.5 % Student-t intervals, half-width {(hi - lo).min() / 2:.4f}.."
              f"{(hi - lo).max() / 2:.4f}); closest call t={runs.ts[worst]:.3g}: {m[worst]:.4f} [{lo[worst]:.4f}, "
              f"{hi[worst]:.4f}] vs [{pred * (1 - e_lo):.4f}, {pred * (1 + e_hi[worst]):.4f}]; DE error at N/2 "
              + ", ".join(f"{v:+.4f}" for v in mh - 1) + f" (budget {(-DMFT_DE_LO / nh):+.4f}..{DMFT_DE_HI.max() / nh:+.4f}"
              + f"{'' if within else ' EXCEEDED'})" + runs.note + (" -> consistent" if ok else " -> REJECTED"))
    fig = Figure(title="dynamical: simulated loss over the DMFT deterministic equivalent (P = oo)", xlabel="t",
                 ylabel="L_sim / L_DMFT", logy=False,
                 series=[Series(f"N={runs.N}", runs.ts, m, "points", yerr=(hi - lo) / 2),
                         Series(f"N={nh}", runs.ts, mh, "points", yerr=q * seh),
                         Series("claim", runs.ts, [pred] * len(runs.ts))])
    return CheckResult(ok, detail, {"ratio": m.tolist(), "lo": lo.tolist(), "hi": hi.tolist(),
                                    "de_error_budget": [(-e_lo), e_hi.tolist()], "ratio_half_N": mh.tolist(),
                                    "t": runs.ts.tolist()}, fig)
