"""Simulation checks of the compute-optimal frontier of the random-feature model (gradient flow, ``P = oo``).

The frontier :math:`\\mathcal L^\\star(C) = \\min_N \\mathcal L(N, C/N)` is measured on the real model
(:mod:`numerics.simulate.models.compute_frontier`) and on its deterministic equivalent (DE,
:mod:`numerics.simulate.models.dmft_frontier`) with the *same* method, so that the finite-size bias of the
measurement is computed, not guessed: ``delta = p_DE(same M, widths, C window, method) - p_DE(C -> oo)``;
the checks compare ``p_sim - delta`` with the claim, i.e. they predict ``claim + delta`` for the window.

Why a frontier measured at small sizes gives 0.347 for the claimed 0.40 (a = 2, b = 1.5): the frontier's own
pre-asymptotic curvature. The DE frontier at M = oo has local slopes 0.365, 0.381, 0.389, 0.394, ... per
decade from C = 1e2 and reaches 0.3996 only at C ~ 1e12: the deficit decays as
:math:`C^{-\\omega}`, :math:`\\omega = \\min(b-a+1, 1)/(b+1)` (0.2 there). It comes from the head term
:math:`\\zeta(a-b)\\kappa` of the projection residual and the 1/N cross term, both
:math:`N^{-(b-a+1)}` relative to :math:`N^{-(a-1)}`, and from the analytic 1/N corrections. Finite M,
the factor-2 width grid and 2 draws added the rest. The checks use a = b = 2 (omega = 1/3) for the
hard regime and a = 5, b = 1.5 for the easy one (a - 1 > 2b > b), where the DE frontier converges to the
corrected (a-1)/a = 0.8 and (a-b)/a = 0.7 (printed m-form: 1.41 and 0.47). The compute-time exponent gets
no separate check: t* = C/N* exactly, so its slope is one minus the width slope.

The bootstrap resamples draws and recomputes the frontier of the resampled mean surface (the frontier of
a mean is not the mean of per-draw frontiers); the fits are :func:`numerics.fit.fit_power_law`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scaling_verify.checks import CheckResult, Context, Figure, Series, check, exponent_verdict
from scaling_verify.checks.measurement import measurement
from scaling_verify.numerics.simulate import with_float64
from scaling_verify.numerics.simulate.models.compute_frontier import bootstrap_frontiers, frontier, loss_surface, widths_grid
from scaling_verify.numerics.simulate.models.dmft_frontier import FarSlope, de_far_slope, de_surface
from scaling_verify.numerics.stats import percentile_interval, power_law_exponent
from scaling_verify.theory.claims import Claim

HARD_AB = (2.0, 2.0)  # a-1 < b, b >= 1.25; frontier slope converges as C^{-1/3}
EASY_AB = (5.0, 1.5)  # a-1 = 4 > 2b = 3 > b: corrected C^{-(a-1)/a}, printed C^{-m(a-1)/(bm+a-1)}, m = 3


@dataclass(frozen=True, eq=False)
class Sizes:
    """Quick (tests, CLI) or full (``-m slow``) sizes of the two frontier measurements.

    The C window starts where the optimal width is about 15-20 (below, the deterministic equivalent's
    own O(1/N) error grows) and the width grid brackets the optimum with room (M >= 4 N_max). Full size: one more decade of C
    (hard) or half a decade (easy), widths to 512.
    """

    M: int
    widths: np.ndarray
    Cs: np.ndarray
    draws: int
    boot: int

    @classmethod
    def quick(cls, regime: str) -> Sizes:
        if _regime(regime) == "hard":
            return cls(M=1024, widths=widths_grid(6, 16), Cs=np.geomspace(10 ** 2.5, 10 ** 4.5, 5), draws=256, boot=300)
        return cls(M=1024, widths=widths_grid(4, 16), Cs=np.geomspace(10 ** 1.5, 1e3, 4), draws=128, boot=300)

    @classmethod
    def full(cls, regime: str) -> Sizes:
        if _regime(regime) == "hard":
            return cls(M=2048, widths=widths_grid(6, 18), Cs=np.geomspace(10 ** 2.5, 10 ** 5.5, 7), draws=128, boot=1000)
        return cls(M=2048, widths=widths_grid(4, 18), Cs=np.geomspace(10 ** 1.5, 10 ** 3.5, 5), draws=256, boot=1000)

    @classmethod
    def of(cls, ctx: Context, regime: str) -> Sizes:
        return cls.quick(regime) if ctx.quick else cls.full(regime)


def _regime(regime: str) -> str:
    if regime not in ("hard", "easy"):
        raise ValueError(f"regime must be 'hard' or 'easy', got {regime!r}")
    return regime


@dataclass(frozen=True, eq=False)
class FrontierMeasurement:
    """Simulated and DE frontiers ``(N*, L*)`` over the compute window ``Cs``, their slopes (``p_loss``,
    ``p_width``; bootstrap intervals ``ci_*`` for the simulation), the DE's relative error ``ratio`` =
    L_sim*/L_DE* and the slope error it implies (``de_err``), and the DE's far slopes."""

    a: float
    b: float
    Cs: np.ndarray
    N_sim: np.ndarray
    L_sim: np.ndarray
    N_de: np.ndarray
    L_de: np.ndarray
    draws: int
    p_loss: float
    ci_loss: tuple[float, float]
    p_width: float
    ci_width: tuple[float, float]
    p_loss_de: float
    p_width_de: float
    de_err: float
    ratio: np.ndarray
    far: FarSlope
    sizes: Sizes


@measurement
@with_float64
def measure(regime: str, quick: bool = True, seed: int = 0) -> FrontierMeasurement:
    """Simulated and DE frontiers at the regime's sizes, their slopes and a bootstrap over draws."""
    a, b = HARD_AB if regime == "hard" else EASY_AB
    sz = Sizes.of(Context(quick=quick, seed=seed), regime)
    W, Cs = sz.widths, sz.Cs
    L = loss_surface(a, b, sz.M, W, Cs, sz.draws, seed=seed + 41)
    Ns, Ls = frontier(L.mean(axis=0), W)
    Nb, Lb = bootstrap_frontiers(L, W, sz.boot, seed)
    boot_loss = np.array([power_law_exponent(Cs, y) for y in Lb])
    boot_width = np.array([-power_law_exponent(Cs, y) for y in Nb])
    Nd, Ld = frontier(de_surface(a, b, sz.M, W, Cs), W)
    # the DE is exact only as N -> oo: its relative error r(C) = L_sim*/L_DE* - 1 at the window's ends,
    # if it decays monotonically in N (N* grows with C), moves a fitted log-log slope by at most
    # (|ln(1 + r_first)| + |ln(1 + r_last)|) / ln(C_last / C_first)
    r = Ls / Ld
    de_err = float((abs(np.log(r[0])) + abs(np.log(r[-1]))) / np.log(Cs[-1] / Cs[0]))
    return FrontierMeasurement(de_err=de_err, ratio=r, a=a, b=b, Cs=Cs, N_sim=Ns, L_sim=Ls, N_de=Nd, L_de=Ld, draws=len(L),
                               p_loss=power_law_exponent(Cs, Ls), ci_loss=tuple(percentile_interval(boot_loss)),
                               p_width=-power_law_exponent(Cs, Ns), ci_width=tuple(percentile_interval(boot_width)),
                               p_loss_de=power_law_exponent(Cs, Ld), p_width_de=-power_law_exponent(Cs, Nd),
                               far=de_far_slope(a, b), sizes=sz)


def _verdict(claim: Claim, ctx: Context, regime: str, which: str) -> CheckResult:
    """Measured frontier slope vs ``claim + delta``, delta the DE's pre-asymptotic shift at the same sizes.

    ``delta = p_DE(window) - p_DE(C = 1e11..1e12)``: the DE frontier computed with the simulation's M,
    width grid, C window and parabola refinement, minus its far slope (infinite M, continuous N). The
    tolerance is the 95 % bootstrap interval over draws, widened by (i) the far slope's remainder
    (:func:`de_far_slope`) and (ii) the DE's own finite-N error at the window's ends, measured in the
    same run (``de_err`` in :func:`measure`). The prediction is read from the claim; delta and the
    widening do not depend on it.
    """
    d = measure(regime, ctx.quick, ctx.seed)
    a, b = d.a, d.b
    pred_asym = claim.value(a=a, b=b)
    p, (lo, hi) = getattr(d, f"p_{which}"), getattr(d, f"ci_{which}")
    delta = getattr(d, f"p_{which}_de") - getattr(d.far, which)
    bias = getattr(d.far, f"{which}_rem") + d.de_err
    pred = pred_asym + delta
    name = "loss" if which == "loss" else "width"
    ok, detail = exponent_verdict(f"frontier {name} exponent (a={a:g}, b={b:g}), window C={d.Cs[0]:.3g}..{d.Cs[-1]:.3g}",
                                  p, float(lo), float(hi), pred, bias=bias)
    detail += (f" (claimed {pred_asym:.4f} + finite-size shift {delta:+.4f}: DE slope {getattr(d, f'p_{which}_de'):.4f} "
               f"over the same window and width grid at M={d.sizes.M}, {getattr(d.far, which):.4f} at C=1e11..1e12, "
               f"M=oo; widening = far remainder {getattr(d.far, which + '_rem'):.1e} + DE finite-N error {d.de_err:.4f} "
               f"(L_sim*/L_DE* - 1 = {d.ratio[0] - 1:+.3f} .. {d.ratio[-1] - 1:+.3f}); {d.draws} draws)")
    x = d.Cs
    if which == "loss":
        ys, yd, lab = d.L_sim, d.L_de, "L*(C)"
    else:
        ys, yd, lab = d.N_sim, d.N_de, "N*(C)"
    sgn = -1 if which == "loss" else 1
    fig = Figure(title=f"dynamical: compute-optimal {lab}, random features (a={a:g}, b={b:g}, P = oo)",
                 xlabel="C = N t", ylabel=lab,
                 series=[Series(f"simulation, {d.draws} draws, M={d.sizes.M}", x, ys, "points"),
                         Series("deterministic equivalent, same sizes", x, yd),
                         Series(f"claim C^{sgn * pred_asym:+.3f}", x, yd[0] * (x / x[0]) ** (sgn * pred_asym))])
    return CheckResult(ok, detail, {"p": p, "ci": [float(lo), float(hi)], "predicted_asymptotic": pred_asym,
                                    "finite_size_shift": delta, "predicted_window": pred, "bias": bias, "de_error": d.de_err,
                                    "p_deterministic_equivalent": getattr(d, f"p_{which}_de"), "far_slope": getattr(d.far, which)}, fig)


# (claim id, function name, regime, which, docstring): one registered check each, all through :func:`_verdict`
_CHECKS = (
    ("dynamical.compute_loss_exponent", "_hard_loss", "hard", "loss",
     "Hard regime a = b = 2: L*(C) slope vs (a-1)/(b+1) = 1/3."),
    ("dynamical.compute_width_exponent", "_hard_width", "hard", "width",
     "Hard regime a = b = 2: N*(C) slope vs 1/(b+1) = 1/3 (t* = C/N*: the time exponent is 1 minus it)."),
    ("dynamical.easy_compute_loss_exponent", "_easy_loss", "easy", "loss",
     "Easy regime a = 5, b = 1.5: L*(C) slope vs the corrected (a-1)/a = 0.8."),
    ("dynamical.easy_compute_width_exponent", "_easy_width", "easy", "width",
     "Easy regime a = 5, b = 1.5: N*(C) slope vs the corrected (a-b)/a = 0.7."),
    ("dynamical.easy_compute_loss_exponent_printed", "_easy_loss_printed", "easy", "loss",
     "The printed m-form at the easy point through the same measurement (expected: refuted)."),
    ("dynamical.easy_compute_width_exponent_printed", "_easy_width_printed", "easy", "width",
     "The printed m-form of N* at the easy point through the same measurement (expected: refuted)."),
)


# Declared target resolutions at quick sizes, from a sweep of seeds 0-19 with their power trials. The tolerance is the
# 95 % bootstrap interval of the frontier slope over draws plus the DE's finite-N slope error measured in the run; the
# slope also scatters from seed to seed by about half the interval, so over 20 seeds these checks see the power items'
# 10 % at best, and three of them not even that on 19 seeds of 20 (the figures below): they need about 4x the draws.
_SWEEP = "over seeds 0-19 (quick sizes) "
_RESOLUTION = {
    "dynamical.compute_loss_exponent": (0.1, "hard-regime loss slope (claim 1/3): 95 % bootstrap interval over 256 "
        "draws plus the DE finite-N error, and the seed scatter; " + _SWEEP + "-5 % was rejected on 20 seeds but +5 % "
        "on 9, x0.9 and x1.1 on 20"),
    "dynamical.compute_width_exponent": (0.1, "hard-regime width slope (claim 1/3): 95 % bootstrap interval over 256 "
        "draws +-0.011 (3.3 %) plus the DE finite-N error 0.0049 (1.5 %) and the seed scatter (s.d. ~0.0056, 1.7 %); "
        + _SWEEP + "x0.9 was rejected on only 18 seeds (below the 19-of-20 floor), x1.1 on 20"),
    "dynamical.easy_compute_loss_exponent": (0.1, "easy-regime loss slope (claim 0.8): 95 % bootstrap interval over 128 "
        "draws +-0.024 (3.0 %) plus the DE finite-N error 0.0143 (1.8 %) and the seed scatter (s.d. ~0.012, 1.6 %); "
        + _SWEEP + "x1.1 was rejected on only 9 seeds (below the 19-of-20 floor), x0.9 on 20"),
    "dynamical.easy_compute_width_exponent": (0.1, "easy-regime width slope (claim 0.7): 95 % bootstrap interval over 128 "
        "draws +-0.0175 (2.5 %) plus the DE finite-N error 0.0146 (2.1 %) and the seed scatter (s.d. ~0.009, 1.3 %); "
        + _SWEEP + "x0.9 was rejected on only 14 seeds (below the 19-of-20 floor), x1.1 on 19"),
}


def _register(claim_id: str, name: str, regime: str, which: str, doc: str) -> None:
    """Register ``_verdict(claim, ctx, regime, which)`` for ``claim_id`` as the module-level function ``name``
    (its own ``__name__``/``__qualname__``: registration tells checks apart by module and qualified name)."""

    def fn(claim: Claim, ctx: Context) -> CheckResult:
        return _verdict(claim, ctx, regime, which)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    res, why = _RESOLUTION.get(claim_id, (None, ""))
    globals()[name] = check(claim_id, "simulate", resolution=res, resolution_reason=why)(with_float64(fn))


for _row in _CHECKS:
    _register(*_row)
