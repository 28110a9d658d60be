r"""The planner: how many draws (or seeds) a check needs to resolve a target, from one pilot run's spread.

A simulate check compares a measured value :math:`m` with the claim's prediction :math:`p` through an
interval :math:`[m - h, m + h]` widened by a stated bias :math:`b` (:func:`scaling_verify.checks.exponent_verdict`).
The claim perturbed by :math:`\delta` (in its own family, :func:`scaling_verify.checks.resolution.perturbed`)
moves the prediction by :math:`g\,\delta`; the planner measures the sensitivity :math:`g` by running the check
once more on the claim perturbed by the power items' size (the measurement is reused, so that costs
arithmetic). In units of :math:`\delta` the comparison has a statistical half-width :math:`s = h/|g|`,
which falls as :math:`1/\sqrt{n}` with the number of draws :math:`n`, and a fixed part :math:`f = b/|g|`
that no number of draws removes.

A perturbation :math:`\delta` is rejected when it moves :math:`p` outside the widened interval. Over seeds the
centre :math:`m` scatters with standard deviation :math:`h/1.96` (a 95 % interval), so on 19 seeds of 20 it
lies less than :math:`1.645\,h/1.96` on the side of a one-sided perturbation; the check then rejects
:math:`+\delta` (and, alike, :math:`-\delta`) on 19 of 20 seeds when

.. math:: f + z s' \le \delta, \qquad z = 1 + 1.645/1.96 \approx 1.84, \qquad s' = s \sqrt{n / n'} ,

which gives the factor :math:`n'/n = \left(z s / (\delta - f)\right)^2` (no factor when :math:`\delta \le f`:
the target needs larger sizes or a tighter bias bound, not more draws). A comparison against a relative
tolerance (an exact computation) has :math:`s = 0`. A check that makes several comparisons rejects when
any does, so the smallest factor counts. This is a plan, not a measurement: rerun the seed sweep
(``verify --seeds 0-19``) at the planned size to confirm it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scaling_verify.checks.registry import check_spec, run_check
from scaling_verify.checks.results import Context, Measured
from scaling_verify.theory.claims import Claim

Z19 = 1.0 + 1.6448536269514722 / 1.959963984540054  # half-width + the one-sided 95 % scatter of the centre


@dataclass(frozen=True)
class Comparison:
    """One recorded comparison of the pilot run, in units of the perturbation size."""

    name: str
    statistical: float  # s: the interval's half-width over the sensitivity
    fixed: float  # f: the stated bias (or relative tolerance) over the sensitivity
    offset: float  # |m - p| / |g| at the pilot seed

    def factor(self, target: float) -> float:
        """Draws multiplier for 19-of-20 rejection of ±target (inf when no number of draws reaches it)."""
        if target <= self.fixed:
            return math.inf
        if self.statistical == 0:
            return 0.0
        return (Z19 * self.statistical / (target - self.fixed)) ** 2


@dataclass(frozen=True)
class Plan:
    """What a check needs for ``target`` (and for the power items' floor), from one pilot run."""

    claim_id: str
    level: str
    seed: int
    target: float
    floor: float
    comparisons: tuple[Comparison, ...]
    pilot_draws: int | None

    def _best(self, size: float) -> float:
        return min((c.factor(size) for c in self.comparisons), default=math.inf)

    @property
    def factor(self) -> float:
        """The draws multiplier the target needs (inf: unreachable by draws; below 1: fewer would do)."""
        return self._best(self.target)

    @property
    def floor_factor(self) -> float:
        return self._best(self.floor)

    def draws(self, factor: float) -> int | None:
        if self.pilot_draws is None or not math.isfinite(factor):
            return None
        return max(1, math.ceil(self.pilot_draws * factor))

    def lines(self) -> list[str]:
        out = [f"{self.claim_id} [{self.level}], pilot seed {self.seed}"
               + (f", {self.pilot_draws} draws" if self.pilot_draws else "")]
        for c in self.comparisons:
            out.append(f"  {c.name}: statistical half-width {c.statistical:.3g}, fixed {c.fixed:.3g}, "
                       f"offset at this seed {c.offset:.3g} (units of the perturbation)")
        for what, size, k in (("target", self.target, self.factor), ("power floor", self.floor, self.floor_factor)):
            if not math.isfinite(k):
                out.append(f"  {what} {size:g}: not reachable by more draws (the fixed part is at or above it): "
                           "larger sizes or a tighter bias bound")
            else:
                n = self.draws(k)
                out.append(f"  {what} {size:g}: x{k:.3g} the pilot's draws" + (f" = {n} draws" if n else "")
                           + " for rejection on 19 of 20 seeds")
        return out


def _comparisons(base: list[Measured], moved: list[Measured], delta: float) -> tuple[Comparison, ...]:
    out = []
    for a, b in zip(base, moved):
        if a.name != b.name or a.predicted is None or b.predicted is None:
            continue
        g = abs(b.predicted - a.predicted) / delta
        if not (g > 0 and math.isfinite(g)):
            continue  # this comparison does not see the perturbation
        if a.kind == "relative":
            out.append(Comparison(a.name, 0.0, a.tolerance * abs(a.predicted) / g, abs(a.value - a.predicted) / g))
        elif a.lo is not None and a.hi is not None:
            out.append(Comparison(a.name, (a.hi - a.lo) / 2 / g, a.tolerance / g, abs(a.value - a.predicted) / g))
    return tuple(out)


def plan(claim: Claim, level: str, ctx: Context = Context(), *, target: float | None = None,
         pilot_draws: int | None = None) -> Plan:
    """The draws a check needs to reject ± ``target`` (default: its declared target) on 19 of 20 seeds.

    Args:
      claim: a holding claim with a numeric check at ``level``.
      ctx: the pilot run's sizes and seed.
      target: the resolution wanted (relative; additive for a zero-valued claim; of the declared exponents).
      pilot_draws: the number of draws (or seeds) the check used at ``ctx``, to turn factors into counts.

    Raises:
      ValueError: a refuted claim, a symbolic level, a target outside (0, 1), or a check that records no
        comparison the perturbation moves (nothing to plan from).
    """
    from scaling_verify.checks.resolution import ceiling_of, perturbed

    if not claim.holds:
        raise ValueError(f"{claim.id}: a refuted printed formula has no target to plan for")
    spec = check_spec(claim.id, level)
    target = spec.target(ctx.quick).value if target is None else target
    if target is None or not 0 < target < 1:
        raise ValueError(f"target must be in (0, 1), got {target!r}")
    if pilot_draws is not None and pilot_draws < 1:
        raise ValueError(f"pilot draws must be >= 1, got {pilot_draws}")
    delta = ceiling_of(claim)
    base = run_check(claim, level, ctx).values
    moved = run_check(perturbed(claim, delta, +1), level, ctx).values
    comps = _comparisons(base, moved, delta)
    if not comps:
        raise ValueError(f"{claim.id} [{level}]: the check records no comparison that the perturbed claim moves "
                         "(use the verdict helpers exponent_verdict / relative_verdict)")
    return Plan(claim.id, level, ctx.seed, target, delta, comps, pilot_draws)
