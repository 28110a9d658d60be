"""Simulation checks of the dynamical model with finite data (P samples reused): the data exponent of the
converged model and the train-test gap. The random-feature model is
:mod:`numerics.simulate.models.random_features`; the claims are in :mod:`theory.finite_data` and
:mod:`theory.dynamical`.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import numpy as np

from scaling_verify.checks import CheckResult, Context, Figure, Series, check, exponent_verdict
from scaling_verify.numerics.fit import fit_power_law
from scaling_verify.checks.measurement import measurement
from scaling_verify.numerics.simulate import with_float64
from scaling_verify.numerics.simulate.dynamical import EASY_AB
from scaling_verify.numerics.simulate.models import finite_p_de as fpde
from scaling_verify.numerics.simulate.models import random_features as rf
from scaling_verify.numerics.stats import bootstrap_means
from scaling_verify.theory.claims import Claim

DATA_BRANCHES = ((2.5, 1.5), EASY_AB)  # min(a-1, 2b) = a-1 = 1.5, and = 2b = 3 (a-1 = 4)


@dataclass(frozen=True)
class Sizes:
    """Quick (tests, CLI) or full (``-m slow``) sizes of the data-exponent and train-test-gap checks: ``data``
    holds one ``(M, P values, draws)`` per branch of :data:`DATA_BRANCHES`; ``gap_*`` the gap check's."""

    data: tuple[tuple[int, tuple[int, ...], int], ...]
    boot: int
    gap_M: int
    gap_Ps: tuple[int, ...]
    gap_draws: int

    @classmethod
    def quick(cls) -> Sizes:
        return cls(data=((1024, (8, 16, 32, 64), 128), (1024, (32, 64, 128), 64)), boot=400,
                   gap_M=64, gap_Ps=(8, 32), gap_draws=4000)

    @classmethod
    def full(cls) -> Sizes:
        return cls(data=((2048, (8, 16, 32, 64, 128), 192), (2048, (32, 64, 128, 256), 96)), boot=1000,
                   gap_M=128, gap_Ps=(8, 32, 128), gap_draws=6000)

    @classmethod
    def of(cls, ctx: Context) -> Sizes:
        return cls.quick() if ctx.quick else cls.full()


DE_SLOPE_ERROR: dict[tuple[int, tuple[int, ...]], tuple[float, float, float]] = {
    (1024, (32, 64, 128)): (0.061, 0.051, 0.073),
    (2048, (32, 64, 128, 256)): (0.029, 0.011, 0.047),
}
"""Convergence study of the kernel-regression deterministic equivalent E_g on the 2b branch (a = 5, b = 1.5):
(M, P window) -> window-slope error |p_sim - p_E_g| with its 95 % bootstrap interval, measured by
:func:`de_slope_error_study`, independently of any check run (``proofs_tests/test_dynamical_data.py``
re-measures it on fresh seeds under ``-m slow``). M = 1024, window 32..128: 6144 draws (seeds 1000-1015,
3000-3015, 5000-5015; the three thirds gave 0.041 [0.024, 0.060], 0.066 [0.046, 0.089] and 0.071 [0.053,
0.090]), pooled 0.061 [0.051, 0.073]. On the first third, simulation/E_g = 1.220, 1.090, 1.055, 1.029,
1.015 at P = 16..256 (s.e. 0.024..0.005): the excess falls roughly like 1/P, and the window-slope error is
0.105 [0.080, 0.132] over P = 16..64, 0.028 [0.015, 0.041] over 64..256. M = 2048, window 32..256: 1024
draws (seeds 2000-2007), 1.071, 1.036, 1.018, 1.008 at P = 32..256, error 0.029 [0.011, 0.047]. The widening
is the upper end. The fixed 1/P_min (0.031 at P_min = 32) used before was below the measured error at the
quick size."""


def de_slope_error_budget(M: int, Ps) -> float:
    """The widening for the 2b branch at (M, Ps): the upper end of the study's interval."""
    key = (int(M), tuple(int(p) for p in Ps))
    if key not in DE_SLOPE_ERROR:
        raise ValueError(f"no convergence study of the E_g window slope at M={key[0]}, P={key[1]}; "
                         f"studied: {sorted(DE_SLOPE_ERROR)}")
    return DE_SLOPE_ERROR[key][2]


def de_slope_error_study(a: float, b: float, M: int, Ps, seeds, draws: int, boot: int = 1000) -> tuple[float, float, float]:
    """Window-slope error of E_g against the ridgeless simulation, ``(err, lo, hi)`` (95 % bootstrap over
    draws): the slope of log(simulation/E_g) against log P over ``Ps``, pooled over ``seeds``."""
    Y = np.concatenate([ridgeless_curve(s, a, b, M, Ps, draws) for s in seeds])
    r = Y / kernel_regression_de_curve(a, b, M, Ps)
    fit = fit_power_law(np.array(Ps, dtype=float), r, bootstrap=boot, seed=0)
    lo, hi = sorted(abs(v) for v in fit.ci["p"])
    return abs(fit.p), (0.0 if fit.ci["p"][0] * fit.ci["p"][1] <= 0 else lo), hi


@measurement
@with_float64
def ridgeless_curve(seed: int, a: float, b: float, M: int, Ps, draws: int) -> np.ndarray:
    """Test loss of the min-norm interpolant (GD from w = 0 at t -> oo) at N = oo, ``(draws, len(Ps))``.

    N = oo is taken exactly (``F = A^T A/N -> I``: ridgeless kernel regression with kernel ``Psi Psi^T``);
    nested samples (the first p rows of each data set) share one draw.
    """
    lam, w = rf.spectrum(M, a, b)
    Psi, _ = rf.draw_data(jax.random.key(seed + 41), draws, max(Ps), lam)
    return np.asarray(rf.ridgeless_losses(None, Psi, lam, w, Ps))[:, 0, :]


@measurement
def kernel_regression_de_curve(a: float, b: float, M: int, Ps) -> np.ndarray:
    """Bordelon-Canatar-Pehlevan E_g at finite M for each P."""
    return np.array([rf.kernel_regression_de(p, a, b, M) for p in Ps])


def krr_asymptotic_slope(a: float, b: float) -> float:
    """Local P-exponent of the infinite-M kernel-regression deterministic equivalent at P = 1e4 (mpmath;
    the precise check's shared measurement, so a verify run computes it once)."""
    from scaling_verify.numerics.precise import dynamical as pd
    return float(pd.local_slope("kernel_regression", a, b, 10000))


@check("dynamical.data_exponent", "simulate", resolution=0.09, resolution_reason=(
    "the sharper branch, a-1 (claim 1.5, P = 8..64, 128 draws): 95 % bootstrap interval +-0.053 (3.5 %) plus the window "
    "bias |p_E_g - p_oo| 0.034 (2.2 %) = 5.8 %, and the slope's seed scatter (s.d. ~0.027, 1.8 %) on top; the 2b branch "
    "(claim 3.0): +-0.104 (3.5 %) plus the E_g slope-error budget 0.073 (2.4 %). Seed 0 rejects +-4.4 %, but over seeds "
    "0-3 and 10-11 the claim x1.05 was accepted on 4 of 6 (figures at seed 10)"))
@with_float64
def _data_exponent(claim: Claim, ctx: Context) -> CheckResult:
    """Fit ``L(P) ~ P^{-p}`` of the converged (t -> oo, min-norm) model at N = oo on two branches:
    a = 2.5, b = 1.5 (min(a-1, 2b) = a-1 = 1.5) and a = 5, b = 1.5 (= 2b = 3; a-1 = 4).

    t -> oo: GD from w = 0 converges to the min-norm interpolant ``w = X^+ y`` (tested against the exact flow
    at t = inf). N = oo exactly (F -> I): at finite N the converged loss exceeds the N = oo value by a relative
    ~2.2 P/N (measured at a = 2, N = 512: +4 %, +6 %, +15 %, +28 % at P = 8..64), so N >> P would need N >~ 100 P.
    Reference: the Bordelon-Canatar-Pehlevan E_g at the same finite M (``rf.kernel_regression_de``); its
    local slope over the window differs from its asymptotic slope (P = 1e4, infinite M, 30 digits).
    Branch a-1: tolerance = 95 % bootstrap interval widened by that window shift |p_DE(window) - p_DE(oo)|.
    Branch 2b: the window shift (+0.11) is as large as the 10 % band, so the prediction is shifted by it
    (claim + p_DE(window) - p_DE(oo), the shift does not depend on the claim) and the interval widened by the
    DE's own window-slope error, the upper end of its interval in the convergence study
    :data:`DE_SLOPE_ERROR` (sizes without a study are refused).
    """
    sz = Sizes.of(ctx)
    rows, oks, measured, series = [], [], {}, []
    for (a, b), (M, Ps, draws) in zip(DATA_BRANCHES, sz.data):
        Pa = np.array(Ps, dtype=float)
        Y = ridgeless_curve(ctx.seed, a, b, M, Ps, draws)
        fit = fit_power_law(Pa, Y, bootstrap=sz.boot, seed=ctx.seed)
        de = kernel_regression_de_curve(a, b, M, Ps)
        p_de = fit_power_law(Pa, de, bootstrap=0).p
        p_oo = krr_asymptotic_slope(a, b)
        pred = claim.value(a=a, b=b)
        branch = "a-1" if a - 1 < 2 * b else "2b"
        if branch == "a-1":
            bias, target = abs(p_de - p_oo), pred
        else:
            bias, target = de_slope_error_budget(M, Ps), pred + (p_de - p_oo)
        ok, det = exponent_verdict(f"P-exponent a={a}, b={b} ({branch} branch)", fit.p, *fit.ci["p"], target, bias=bias)
        ratio = Y.mean(axis=0) / de
        det += (f" [claim {pred:.3f}; E_g window slope {p_de:.4f}, asymptotic {p_oo:.4f}; simulation/E_g at P="
                + ",".join(str(p) for p in Ps) + ": " + ", ".join(f"{r:.3f}" for r in ratio) + "]")
        rows.append(det)
        oks.append(ok)
        measured[f"a={a}"] = {"p": fit.p, "ci": list(fit.ci["p"]), "bias": bias, "predicted": pred, "target": target,
                              "p_E_g_window": p_de, "p_E_g_asymptotic": p_oo, "sim_over_E_g": ratio.tolist()}
        ym = Y.mean(axis=0)
        series += [Series(f"simulation a={a} (N = oo, t = oo)", Pa, ym, "points", yerr=Y.std(axis=0) / np.sqrt(len(Y))),
                   Series(f"E_g a={a}, M={M}", Pa, de),
                   Series(f"claim P^-{pred:.2f}", Pa, ym[0] * (Pa / Pa[0]) ** (-pred))]
    fig = Figure(title="dynamical: data bottleneck L(P), ridgeless limit", xlabel="P", ylabel="test loss", series=series)
    return CheckResult(all(oks), "; ".join(rows), measured, fig)


@measurement
@with_float64
def gap_measure(seed: int, M: int, P: int, draws: int, sigma: float, ts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """N = oo gradient flow on P noisy samples: per-draw (test, train) at ``ts`` and the zero-mean control
    variates (``w^T Lambda G w - S_2``, ``w^T G w - L_0``, ``|eps|^2/P - 1``, ``eps^T Psi w/P``, ``eps^T Psi Lambda w/P``)."""
    lam, w = rf.spectrum(M, 2.0, 1.5)
    Psi, nz = rf.draw_data(jax.random.key(seed + 71 + P), draws, P, lam, sigma=sigma)
    te, tr = rf.kernel_flow_data(Psi, lam, w, np.asarray(ts), nz, sigma)
    Ps, n = np.asarray(Psi), np.asarray(nz)
    lamn, wn = np.asarray(lam), np.asarray(w)
    Gw = np.einsum("dpm,dp->dm", Ps, Ps @ wn) / P
    X = np.stack([Gw @ (lamn * wn) - np.sum(lamn ** 2 * wn ** 2), Gw @ wn - np.sum(lamn * wn ** 2),
                  (n ** 2).mean(axis=1) / max(sigma, 1e-300) ** 2 - 1 if sigma else np.zeros(draws),
                  np.einsum("dp,dp->d", n, Ps @ wn) / P, np.einsum("dp,dp->d", n, Ps @ (lamn * wn)) / P], axis=1)
    return np.asarray(te), np.asarray(tr), X


@check("dynamical.train_test_gap_slope", "simulate", resolution=0.08, resolution_reason=(
    "slope of the gap at t -> 0 (P = 32, the sharper of the two P): with 2000 draws 3 standard errors were 5.6 % of the "
    "claim plus the Richardson remainder 1.3 % (seed 0 rejecting +-7 %); with 4000 draws (now) 3 s.e. ~4 % + remainder "
    "~1 %, and the seed scatter of the estimate (s.e. ~1.3 %) on top leaves +-5 % rejected on fewer than 19 of 20 seeds"))
@with_float64
def _gap_sim(claim: Claim, ctx: Context) -> CheckResult:
    """Gap ``E[test - train]`` under full-batch gradient flow with data reuse (N = oo, a = 2, b = 1.5, M = 64,
    sigma = 0.5) at P = 8 and 32: its slope at t -> 0 against the claim, and its growth with t.

    Slope: per draw ``s(t) = (gap(t) - gap(0))/t`` at t = 0.01, 0.02, 0.04 (gap(0) has zero mean), Richardson
    ``2 s(0.01) - s(0.02)`` (removes the O(t) term), with a regression control variate on five zero-mean
    statistics of the data (their means follow from E G = Lambda, E eps = 0, E eps^2 = 1, not from the claim).
    Tolerance: 3 standard errors plus the Richardson remainder, bounded by the second difference
    ``|s(0.01) - 2 s(0.02) + s(0.04)|``. Also required: the mean gap grows with t and is larger at smaller P
    (for every t in 0.3..30). Reported: train -> 0 and test(oo) vs the kernel-regression E_g at t = oo.
    """
    sz = Sizes.of(ctx)
    M, sig = sz.gap_M, 0.5
    ts = np.array([0.0, 0.01, 0.02, 0.04, 0.3, 3.0, 30.0, np.inf])
    lam, w = (np.asarray(x) for x in rf.spectrum(M, 2.0, 1.5))
    sums = {"S_2": float(np.sum(lam ** 2 * w ** 2)), "T": float(np.sum(lam)), "L_0": float(np.sum(lam * w ** 2))}
    oks, parts, measured, curves = [], [], {}, {}
    for P in sz.gap_Ps:
        te, tr, X = gap_measure(ctx.seed, M, P, sz.gap_draws, sig, ts)
        g = (te - tr) - (te - tr)[:, :1]
        s = g[:, 1:4] / ts[1:4]
        Xc = X - X.mean(axis=0)
        coef, *_ = np.linalg.lstsq(Xc, s - s.mean(axis=0), rcond=None)
        sc = s - X @ coef  # X has mean exactly 0: the mean is unchanged, the variance drops
        rich = 2 * sc[:, 0] - sc[:, 1]
        mean, se = float(rich.mean()), float(rich.std() / np.sqrt(len(rich)))
        sm = sc.mean(axis=0)
        bias = float(abs(sm[0] - 2 * sm[1] + sm[2]))
        pred = claim.value(P=P, sigma=sig, **sums)
        ok = abs(mean - pred) <= 3 * se + bias
        oks.append(ok)
        curves[P] = g.mean(axis=0)
        parts.append(f"P={P}: slope {mean:.4f} +- {se:.4f} (bias {bias:.1e}) vs claim {pred:.4f}"
                     + (" consistent" if ok else " REJECTED"))
        measured[f"P={P}"] = {"slope": mean, "se": se, "bias": bias, "predicted": pred, "gap_curve": curves[P].tolist(),
                              "train_at_inf": float(tr[:, -1].mean()), "test_at_inf": float(te[:, -1].mean())}
    mid = slice(1, len(ts) - 1)  # finite t > 0
    grows = all(bool(np.all(np.diff(c[:-1]) > 0)) for c in curves.values())
    Ps = sorted(curves)
    smaller_P_larger = all(bool(np.all(curves[p1][4:-1] > curves[p2][4:-1])) for p1, p2 in zip(Ps, Ps[1:]))
    ok = all(oks) and grows and smaller_P_larger
    detail = ("; ".join(parts) + f"; gap grows with t: {grows}; larger for smaller P (t = 0.3..30): {smaller_P_larger}"
              + (" -> consistent" if ok else " -> REJECTED"))
    tt = ts[mid]
    fig = Figure(title="dynamical: train-test gap under data reuse (N = oo)", xlabel="t", ylabel="E[test - train]",
                 series=[Series(f"simulation P={p}", tt, curves[p][mid], "points") for p in Ps]
                 + [Series(f"claim slope x t, P={p}", tt[:3], measured[f"P={p}"]["predicted"] * tt[:3]) for p in Ps])
    return CheckResult(ok, detail, measured, fig)


# ----------------------------------------------------------------------------- the finite-P loss curve

CURVE_AB = (2.0, 1.5)
CURVE_TS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, float("inf"))
CURVE_ERR_COEF = 0.8
"""Budget of the DE's relative error measured at P/2: ``|L_sim/L_DE - 1| <= CURVE_ERR_COEF/(P/2)`` at every time.
Convergence study (exact-flow Monte Carlo, 16000 draws per P, M = 64, a = 2, b = 1.5; table in
``proofs_tests/test_finite_p_loss.py``): P x (simulation/DE - 1) = 0.44, 0.60, 0.60, 0.59, 0.56, 0.52 at P = 16 and
0.43, 0.55, 0.61, 0.65, 0.73, 0.65 at P = 32 for t = 1, 3, 10, 30, 100, oo (s.e. 0.04-0.08); 0.8 leaves 33 % over
the P = 16 maximum."""
CURVE_SCALING = (0.3, 0.8)
"""The DE error at P as a fraction of the (signed) error measured at P/2. A pure 1/P law gives 1/2; at fixed M = 64 the
error decays more slowly as P approaches M: the study's ratios error(32)/error(16) are 0.48, 0.46, 0.50, 0.55,
0.65, 0.62 at t = 1, 3, 10, 30, 100, oo (s.e. ~0.07); (0.3, 0.8) covers every one by more than 2 s.e. The error has
one sign at all times (simulation above the DE: P x (simulation/DE - 1) = +0.43 .. +0.73), so the check predicts
claim x (1 + s e_{P/2}), s in this range, instead of a symmetric widening: the earlier symmetric widening by
0.75 e_{P/2} (~0.033) left the claim x1.05 accepted at the quick size (resolution 5.6 %, seed 0)."""


@dataclass(frozen=True)
class CurveSizes:
    """Sizes of the finite-P loss-curve check: ``M`` modes, ``P`` samples, ``draws``, ``boot`` resamples."""

    M: int
    P: int
    draws: int
    boot: int

    @classmethod
    def quick(cls) -> CurveSizes:
        return cls(M=64, P=32, draws=4000, boot=400)

    @classmethod
    def full(cls) -> CurveSizes:
        return cls(M=128, P=64, draws=16000, boot=1000)

    @classmethod
    def of(cls, ctx: Context) -> CurveSizes:
        return cls.quick() if ctx.quick else cls.full()


@measurement
@with_float64
def finite_p_flow(seed: int, a: float, b: float, M: int, P: int, draws: int, ts) -> np.ndarray:
    """Exact gradient-flow test loss at N = oo on ``P`` reused noiseless samples from theta = 0, ``(draws, len(ts))``
    (:func:`numerics.simulate.models.random_features.kernel_flow_data`: one P x P eigendecomposition per draw,
    vmapped; ``inf`` is the min-norm interpolant)."""
    lam, w = rf.spectrum(M, a, b)
    Psi, _ = rf.draw_data(jax.random.key(seed + 97 + 7919 * P), draws, P, lam)
    return np.asarray(rf.kernel_flow_data(Psi, lam, w, np.asarray(ts, dtype=float))[0])


@measurement
def finite_p_de_curve(a: float, b: float, M: int, P: int, ts) -> np.ndarray:
    """The two-time deterministic equivalent of the finite-P loss (float64, :mod:`.models.finite_p_de`)."""
    return fpde.power_law_loss_de(np.asarray(ts, dtype=float), M, a, b, P)


@check("dynamical.finite_data_loss_curve", "simulate")
@with_float64
def _finite_data_curve(claim: Claim, ctx: Context) -> CheckResult:
    """The simulated finite-P loss curve against the two-time deterministic equivalent, point by point in time.

    Gradient flow at N = oo on P = 32 reused samples (quick; M = 64, a = 2, b = 1.5, 4000 draws; full: P = 64,
    M = 128, 16000 draws), exact per draw (eigendecomposition), at t = 1, 2, 5, 10, 20, 50, 100 and oo. Per time,
    the mean over draws of L_sim(t)/L_DE(t) with a 99.375 % bootstrap interval (Bonferroni: the 8 times jointly at
    95 %), against the claimed ratio times ``1 + e``, the DE's own O(1/P) error: measured in the same run at P/2
    (fresh draws) as the signed mean ratio - 1 (within two standard errors) and scaled by a factor s in
    :data:`CURVE_SCALING` = (0.3, 0.8) (O(1/P) decay, slowed near P = M; from the convergence study). The error at
    P/2, beyond two standard errors of its own noise, must lie within :data:`CURVE_ERR_COEF`/(P/2) at every time.
    The claim x0.95 or x1.05 moves the target by 0.05 against a half-width ~0.01 + an allowed DE-error range
    ~0.015 on each side of its centre: both fail; the old one-resolvent curve (L at 2t) is 15-35 % above the
    simulation at t >= 10 and would exceed the budget.
    """
    a, b = CURVE_AB
    sz = CurveSizes.of(ctx)
    M, P, ts = sz.M, sz.P, np.array(CURVE_TS)
    Y = finite_p_flow(ctx.seed, a, b, M, P, sz.draws, CURVE_TS)
    Yh = finite_p_flow(ctx.seed + 1, a, b, M, P // 2, sz.draws, CURVE_TS)
    r = Y / finite_p_de_curve(a, b, M, P, CURVE_TS)
    rh = Yh / finite_p_de_curve(a, b, M, P // 2, CURVE_TS)
    rng = np.random.default_rng(ctx.seed + 17)
    q = 2.5 / len(ts)
    lo, hi = np.percentile(bootstrap_means(r, sz.boot, rng), [q, 100 - q], axis=0)
    e_signed = rh.mean(axis=0) - 1
    e_half = np.abs(e_signed)
    noise = rh.std(axis=0, ddof=1) / np.sqrt(len(rh))
    # the DE error at P: s x (error at P/2), s in CURVE_SCALING, the P/2 error within 2 standard errors of its mean
    ends = np.stack([s_ * (e_signed + k * 2 * noise) for s_ in CURVE_SCALING for k in (-1, 1)])
    e_lo, e_hi = ends.min(axis=0), ends.max(axis=0)
    budget = CURVE_ERR_COEF / (P // 2)
    within = bool(np.all(np.maximum(e_half - 2 * noise, 0.0) <= budget))
    pred = claim.value()
    rm = r.mean(axis=0)
    # accept iff pred (1 + e) meets [lo, hi] for some e_lo <= e <= e_hi: centre and half-width of that range
    centre, half = pred * (1 + (e_lo + e_hi) / 2), abs(pred) * (e_hi - e_lo) / 2
    oks = [exponent_verdict(f"L_sim/L_DE at P={P}, t={tt:g}", float(m), float(l_), float(h_), float(c_), bias=float(e))[0]
           for tt, m, l_, h_, c_, e in zip(ts, rm, lo, hi, centre, half)]
    worst = int(np.argmax(np.abs(rm - centre) - (hi - lo) / 2 - half))
    ok = all(oks) and within
    detail = (f"ratio L_sim/L_DE at P={P}, M={M}, t = " + ", ".join(f"{t:g}" for t in ts) + ": "
              + ", ".join(f"{v:.4f}" for v in rm) + f" against claimed {pred:g} x (1 + e), e = s x (DE error at P/2) with s in "
              f"{CURVE_SCALING} (DE error at P/2: " + ", ".join(f"{v:+.4f}" for v in e_signed) + f" +- 2 x {noise.max():.4f}); "
              f"{sum(oks)}/{len(oks)} times consistent (99.375 % intervals); closest call t={ts[worst]:g}: {rm[worst]:.4f} "
              f"[{lo[worst]:.4f}, {hi[worst]:.4f}] vs [{pred * (1 + e_lo[worst]):.4f}, {pred * (1 + e_hi[worst]):.4f}]; DE error "
              f"at P/2 {e_half.max():.4f}, budget {budget:.4f}{'' if within else ' EXCEEDED'}" + (" -> consistent" if ok else " -> REJECTED"))
    tf = ts[:-1]
    fig = Figure(title="dynamical: finite-P loss curve over its two-time deterministic equivalent (N = oo)",
                 xlabel="t", ylabel="L_sim / L_DE", logy=False,
                 series=[Series(f"P={P}", tf, rm[:-1], "points", yerr=(hi - lo)[:-1] / 2),
                         Series(f"P={P // 2}", tf, rh.mean(axis=0)[:-1], "points"),
                         Series("claim", tf, [pred] * len(tf))])
    return CheckResult(ok, detail, {"t": [float(t) for t in ts], "ratio": rm.tolist(), "lo": lo.tolist(),
                                    "hi": hi.tolist(), "de_error_range": [e_lo.tolist(), e_hi.tolist()], "ratio_half_P": rh.mean(axis=0).tolist(),
                                    "budget": budget}, fig)
