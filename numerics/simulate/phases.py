"""Simulation check of the 4+3 phases of one-pass SGD on power-law random features (Paquette, Paquette,
Xiao, Pennington 2024, arXiv 2405.15074): an exact numeric check of the compute exponents.

The model and its exact expected loss (a closed form per width, no sampling of SGD noise) are in
:mod:`numerics.simulate.models.sgd_phases`. **Frontier** (:func:`measure`): widths on a sqrt(2) grid
(nested: first N rows of one projection per draw), exact loss at ``n = round(f/N)``, best width per f
refined by the parabola vertex of :func:`numerics.simulate.models.compute_frontier.frontier`, slopes by
:func:`numerics.fit.fit_power_law`, bootstrap over draws. B = 1, ``eta = 1/(4 sum_k lambda_k)``.
Measured (loss exponent, claim in brackets):

* Ia (alpha = 1, beta = 0.3; claim 8/15 = 0.5333): quick (M = 4096, 32 draws, f = 3e3..3e6) 0.5147
  [0.5003, 0.5304], seeds 1, 2: 0.5116, 0.5197; the gradient-flow DE over the same window gives 0.5117
  (far: 0.5318), i.e. a pre-asymptotic shift of -0.020, which the check adds to the claim. Width exponent
  0.34..0.37 (claim 1/3). M = 8192, 16 draws, f to 6e6: 0.5237. Registered check (power x0.9, x1.1 rejected).
* II (alpha = 1, beta = 0.7; claim 12/17 = 0.7059): M = 8192, 16 draws, f = 1e3..1e6: 0.7199, 0.6821,
  0.6703 (seeds 0-2; DE-shifted claim 0.6828); the seed spread exceeds the 16-draw bootstrap interval, so
  no quick check is registered. Decided by :func:`seed_pooled_verdict` at the full size (M = 8192, 32 draws
  per seed, f = 1e3..2e6, seeds 0-7, ``-m slow``): 0.6930 [0.6801, 0.7059] (Student-t over seeds, sd 0.0155)
  against 12/17 - 0.0215 = 0.6844, x0.9 and x1.1 rejected; width exponent 0.411 against 7/17 = 0.412:
  confirmed.
* III (alpha = 0.7, beta = 1.2; claim 9/14 = 0.6429, width 1/2): M = 8192, 16 draws, f = 1.6e2..6e4:
  halves 0.656, 0.724 (local slopes rising to ~0.75), width 0.59..0.60. Without the SGD noise term the
  same frontier gives 0.675, 0.752 and width 0.60..0.63, i.e. the phase-II (gradient-flow) values
  2.8/3.8 = 0.737 and 1.2/1.9 = 0.632; the noise raises L* by 15 % -> 36 % across the window, so K_pp is
  growing but not yet dominant: a crossover, not confirmed at affordable sizes (doubling eta: same).
  Seed-pooled (:func:`seed_pooled_verdict`, quick sizes M = 4096, 32 draws, f = 1e2..3e4, seeds 0-7):
  0.6867 [0.6753, 0.6981] against 9/14 = 0.6429, halves 0.642 -> 0.714, width 0.592 against 1/2: undecided.
  Deciding it needs K_pp to dominate, several decades of f beyond this window, with M >= 8 N*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scaling_verify.checks import CheckResult, Context, Figure, Series, check, exponent_verdict
from scaling_verify.checks.measurement import measurement
from scaling_verify.numerics.simulate import with_float64
from scaling_verify.numerics.simulate.models.compute_frontier import bootstrap_frontiers, frontier, widths_grid
from scaling_verify.numerics.simulate.models.dmft_frontier import de_far_slope, de_frontier
from scaling_verify.numerics.simulate.models.sgd_phases import BATCH, ab, loss_surface
from scaling_verify.numerics.stats import percentile_interval, power_law_exponent, t_interval
from scaling_verify.theory.claims import Claim

PHASES = {  # (alpha, beta) of one point per phase, 2 alpha > 1
    "Ia": (1.0, 0.3),
    "II": (1.0, 0.7),
    "III": (0.7, 1.2),
}


@dataclass(frozen=True, eq=False)
class Sizes:
    """Quick (tests, CLI) or full (``-m slow``) sizes. The f window keeps the best width inside the width
    grid (measured quick: N* ~ 25..317 (Ia), 21..229 (II), 7..219 (III)), M >= 8 N_max."""

    M: int
    widths: np.ndarray
    fs: np.ndarray
    draws: int
    boot: int

    @classmethod
    def quick(cls, phase: str) -> Sizes:
        if _phase(phase) == "II":  # the quick M = 4096 window drifts by 0.065 and cannot reject x1.1: larger M, 16 draws
            return cls(M=8192, widths=widths_grid(6, 19), fs=np.geomspace(1e3, 1e6, 13), draws=16, boot=300)
        win, k_lo = {"Ia": ((3e3, 3e6), 6), "III": ((1e2, 3e4), 4)}[phase]
        return cls(M=4096, widths=widths_grid(k_lo, 18), fs=np.geomspace(*win, 13), draws=32, boot=300)

    @classmethod
    def full(cls, phase: str) -> Sizes:
        win, k_lo = {"Ia": ((3e3, 3e6), 6), "II": ((1e3, 2e6), 6), "III": ((1.6e2, 6e4), 4)}[_phase(phase)]
        return cls(M=8192, widths=widths_grid(k_lo, 19), fs=np.geomspace(*win, 17), draws=32, boot=1000)

    @classmethod
    def of(cls, ctx: Context, phase: str) -> Sizes:
        return cls.quick(phase) if ctx.quick else cls.full(phase)


def _phase(phase: str) -> str:
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}; known: {sorted(PHASES)}")
    return phase


@dataclass(frozen=True, eq=False)
class PhaseMeasurement:
    """Frontier ``(N*, L*)`` of the mean surface over the compute window ``fs``; slopes over the whole
    window (``p_loss``, ``p_width``, bootstrap intervals ``ci_*``), over its halves (``*_lo``, ``*_hi``)
    and the bootstrap interval of the upper half (``ci_*_hi``)."""

    alpha: float
    beta: float
    eta: float
    fs: np.ndarray
    N: np.ndarray
    L: np.ndarray
    sizes: Sizes
    draws: int
    p_loss: float
    ci_loss: tuple[float, float]
    p_loss_lo: float
    p_loss_hi: float
    ci_loss_hi: tuple[float, float]
    p_width: float
    ci_width: tuple[float, float]
    p_width_lo: float
    p_width_hi: float
    ci_width_hi: tuple[float, float]


@measurement
@with_float64
def measure(phase: str, quick: bool = True, seed: int = 0) -> PhaseMeasurement:
    """Frontier ``(N*, L*)`` of the mean surface, slopes over the whole f window and its two halves,
    bootstrap over draws (the frontier of each resampled mean surface)."""
    sz = Sizes.of(Context(quick=quick, seed=seed), phase)
    alpha, beta = PHASES[phase]
    W, fs = sz.widths, sz.fs
    L, eta = loss_surface(alpha, beta, sz.M, W, fs, sz.draws, seed=seed + 7)
    Ns, Ls = frontier(L.mean(axis=0), W)
    Nb, Lb = bootstrap_frontiers(L, W, sz.boot, seed)
    h = len(fs) // 2
    pl, cil, pll, plh, cilh = _window_slopes(fs, Ls, Lb, 1, h)
    pw, ciw, pwl, pwh, ciwh = _window_slopes(fs, Ns, Nb, -1, h)
    return PhaseMeasurement(alpha=alpha, beta=beta, eta=eta, fs=fs, N=Ns, L=Ls, sizes=sz, draws=len(L),
                            p_loss=pl, ci_loss=cil, p_loss_lo=pll, p_loss_hi=plh, ci_loss_hi=cilh,
                            p_width=pw, ci_width=ciw, p_width_lo=pwl, p_width_hi=pwh, ci_width_hi=ciwh)


def _window_slopes(fs, Y, Yb, sg: int, h: int) -> tuple[float, tuple[float, float], float, float, tuple[float, float]]:
    """``sg`` times the log-log slope of ``Y`` over the window, its bootstrap interval (from the resampled
    frontiers ``Yb``), the slopes over the halves ``[:h + 1]`` and ``[h:]``, and the upper half's interval."""
    p = sg * power_law_exponent(fs, Y)
    boot = np.array([sg * power_law_exponent(fs, y) for y in Yb])
    p_lo = sg * power_law_exponent(fs[:h + 1], Y[:h + 1])
    p_hi = sg * power_law_exponent(fs[h:], Y[h:])
    boot_hi = np.array([sg * power_law_exponent(fs[h:], y[h:]) for y in Yb])
    return p, tuple(percentile_interval(boot)), p_lo, p_hi, tuple(percentile_interval(boot_hi))


@dataclass(frozen=True)
class DEShift:
    """Slope of the gradient-flow DE frontier over the window (``p_window``), its far slope, their
    difference (``shift``) and the far slope's remainder (``rem``)."""

    p_window: float
    far: float
    shift: float
    rem: float


@measurement
def de_shift(phase: str, eta: float, fs) -> DEShift:
    """Pre-asymptotic shift of the frontier slope over the window, from the gradient-flow deterministic
    equivalent (:mod:`numerics.simulate.models.dmft_frontier`, M = oo, continuous N) at ``a = 2 alpha + 2 beta``,
    ``b = 2 alpha`` and ``C = eta f`` (SGD time ``t = eta n``): in phases Ia and II the SGD noise term K_pp is
    subleading, so the leading components F_pp, F_0, F_ac are those of gradient flow.
    ``shift = p_DE(window) - p_DE(C = 1e11..1e12)``; ``rem`` = the far slope's remainder."""
    a, b = ab(*PHASES[phase])
    fs = np.asarray(fs, dtype=float)[::2]
    pts = np.array([de_frontier(eta * f, a, b) for f in fs])
    far = de_far_slope(a, b)
    p_win = power_law_exponent(fs, pts[:, 1])
    return DEShift(p_window=p_win, far=far.loss, shift=p_win - far.loss, rem=far.loss_rem)


def _verdict(claim: Claim, ctx: Context, phase: str) -> CheckResult:
    """Slope of the compute-optimal loss L*(f) over the f window vs ``claim + shift``.

    ``shift`` (:func:`de_shift`) is the gradient-flow deterministic equivalent's own pre-asymptotic
    deviation over the same window (C = eta f), as in :mod:`numerics.simulate.dynamical_frontier`; the
    tolerance is the 95 % bootstrap interval over draws widened by the far slope's remainder. Not included
    (reported): the slope change from the subleading SGD noise and the finite M / discrete widths. The
    prediction is read from the claim; the shift does not depend on it.
    """
    d = measure(phase, ctx.quick, ctx.seed)
    alpha, beta = d.alpha, d.beta
    asym = float(claim.value(alpha=alpha, beta=beta))
    de = de_shift(phase, d.eta, d.fs)
    pred = asym + de.shift
    p, (lo, hi) = d.p_loss, d.ci_loss
    ok, detail = exponent_verdict(f"phase {phase} compute-optimal loss exponent (alpha={alpha:g}, beta={beta:g}), "
                                  f"f={d.fs[0]:.3g}..{d.fs[-1]:.3g}", p, float(lo), float(hi), pred, bias=de.rem)
    detail += (f" (claimed {asym:.4f} + pre-asymptotic shift {de.shift:+.4f}: gradient-flow DE slope "
               f"{de.p_window:.4f} over C = eta f, {de.far:.4f} at C = 1e11..1e12; halves of the window "
               f"{d.p_loss_lo:.4f}, {d.p_loss_hi:.4f}; width exponent {d.p_width:.4f} "
               f"[{d.ci_width[0]:.4f}, {d.ci_width[1]:.4f}]; one-pass SGD B={BATCH}, "
               f"eta={d.eta:.4g}, M={d.sizes.M}, {d.draws} draws)")
    x = d.fs
    fig = Figure(title=f"dynamical: 4+3 phase {phase}, compute-optimal SGD loss (alpha={alpha:g}, beta={beta:g})",
                 xlabel="f = N n (B fixed)", ylabel="L*(f)",
                 series=[Series(f"exact expected SGD loss, {d.draws} draws", x, d.L, "points"),
                         Series(f"claim f^{-asym:.3f}", x, d.L[-1] * (x / x[-1]) ** (-asym))])
    return CheckResult(ok, detail, {"p": p, "ci": [float(lo), float(hi)], "predicted_asymptotic": asym,
                                    "shift": de.shift, "predicted_window": pred, "bias": de.rem,
                                    "p_halves": [d.p_loss_lo, d.p_loss_hi], "p_width": d.p_width,
                                    "ci_width": [float(v) for v in d.ci_width], "eta": d.eta}, fig)


@check("dynamical.phase_ia_compute_exponent", "simulate")
@with_float64
def _phase_ia(claim: Claim, ctx: Context) -> CheckResult:
    """Phase Ia at alpha = 1, beta = 0.3: L*(f) slope vs (2 alpha + 2 beta - 1)/(2 alpha + 1) = 8/15.

    Phases II and III get no check (numbers in the module docstring): II agrees with its claim but the
    seed-to-seed spread of its slope (0.67..0.72 over seeds 0-2) exceeds the 16-draw bootstrap interval, so
    the verdict would depend on the seed; III is still in the crossover from the gradient-flow (II-like)
    frontier at affordable sizes.
    """
    return _verdict(claim, ctx, "Ia")



@with_float64
def seed_pooled_verdict(claim: Claim, phase: str, seeds, quick: bool = False) -> CheckResult:
    """The decision experiment behind phases II and III (``-m slow``; not a registered check: 8 seeds at the
    full size cost about 70 s on 2 cores). The window slope of L*(f) per seed (each seed its own draws), the
    mean over seeds with a Student-t 95 % interval from their spread (the per-seed bootstrap interval
    under-covers the seed spread at 16 draws), against ``claim + shift`` (gradient-flow DE, as
    :func:`_verdict`; none in phase III, whose leading noise term the DE lacks), widened by the far slope's
    remainder. Window halves and the width exponent reported."""
    seeds = list(seeds)
    if len(seeds) < 2:
        raise ValueError(f"seed-pooled verdict: {len(seeds)} seeds; use at least 2")
    runs = [measure(phase, quick, s) for s in seeds]
    d = runs[0]
    ps = np.array([r.p_loss for r in runs])
    halves = np.array([(r.p_loss_lo, r.p_loss_hi) for r in runs])
    widths = np.array([r.p_width for r in runs])
    lo, hi = t_interval(ps)
    w_lo, w_hi = t_interval(widths)
    asym = float(claim.value(alpha=d.alpha, beta=d.beta))
    # phase III has no gradient-flow shift: its leading noise term K_pp is absent from the DE
    de = de_shift(phase, d.eta, d.fs) if phase != "III" else DEShift(np.nan, np.nan, 0.0, 0.0)
    ok, detail = exponent_verdict(f"phase {phase} compute-optimal loss exponent, mean over {len(seeds)} seeds "
                                  f"(f={d.fs[0]:.3g}..{d.fs[-1]:.3g}, M={d.sizes.M}, {d.draws} draws each)",
                                  float(ps.mean()), lo, hi,
                                  asym + de.shift, bias=de.rem)
    detail += (f" (claimed {asym:.4f} + pre-asymptotic shift {de.shift:+.4f}; seed sd {ps.std(ddof=1):.4f}; "
               f"window halves {halves[:, 0].mean():.4f}, {halves[:, 1].mean():.4f}; width exponent "
               f"{widths.mean():.4f} [{w_lo:.4f}, {w_hi:.4f}])")
    return CheckResult(ok, detail, {"p": float(ps.mean()), "ci": [lo, hi],
                                    "per_seed": ps.tolist(), "halves": halves.mean(axis=0).tolist(),
                                    "p_width": float(widths.mean()), "shift": de.shift, "predicted_asymptotic": asym})
