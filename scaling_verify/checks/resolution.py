"""The resolution of a numeric check: the smallest perturbation of its claim that it rejects.

The power items ask a check to reject the claim ×0.9 and ×1.1 (the floor); the resolution says how much
finer it sees. For each side (the claim made smaller and larger) the perturbation size δ is bisected
on a logarithmic scale between ``floor`` (1e-14: below it a double cannot hold the change) and
``ceiling`` (0.1, the power items' size) until the bracket is narrower than a factor ``ratio``; the
reported value is the upper end of the bracket (a perturbation of that size is rejected). The family
of perturbations is the claim's own (:class:`theory.claims.PowerSpec`): the expression times (1 ± δ), an
additive shift ± δ for a claim whose value is zero (ceiling: its declared shift; floor: 13 decades
below it), or its declared exponents or rates scaled by (1 ± δ).

The search assumes that a check rejecting a perturbation also rejects every larger one on that side. A
check that draws its data through :func:`scaling_verify.checks.measurement.measurement` reuses it for every
perturbation (the claim is not an argument of the measurement), so a search costs the verdict's
arithmetic; a check that recomputes everything costs about 2 log2(log(ceiling/floor)/log(ratio)) ≈ 16
runs. A perturbed claim that makes the check raise counts as rejected (as in the power items).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp

from scaling_verify.checks import Context, run_check
from scaling_verify.levels import NUMERIC_LEVELS
from scaling_verify.theory.claims import Claim

FLOOR = 1e-14
CEILING = 0.1


@dataclass(frozen=True)
class Side:
    """One side of a resolution search: the smallest rejected δ (None: none up to the ceiling)."""

    rejected_at: float | None
    accepted_below: float  # the largest δ seen accepted (0.0 when even the floor was rejected)


@dataclass(frozen=True)
class Resolution:
    """The smallest perturbations of the claim its check rejects, below and above (see the module)."""

    kind: str  # "relative", "additive", "exponents"
    minus: Side
    plus: Side
    floor: float
    ceiling: float
    runs: int

    @property
    def value(self) -> float | None:
        """The worse side's resolution; None when one side is not rejected up to the ceiling."""
        sides = (self.minus.rejected_at, self.plus.rejected_at)
        return None if None in sides else max(sides)  # type: ignore[type-var]

    def meets(self, target: float | None) -> bool:
        """Whether both sides reject a perturbation of size ``target`` (exact when the search probed it)."""
        return target is not None and self.value is not None and self.value <= target

    def text(self) -> str:
        def one(s: Side) -> str:
            if s.rejected_at is None:
                return f"> {self.ceiling:.2g}"
            return f"< {self.floor:.0e}" if s.accepted_below == 0.0 else f"{s.rejected_at:.2g}"
        unit = {"relative": "relative", "additive": "additive", "exponents": "of the exponents"}[self.kind]
        return f"resolution {one(self.minus)} below, {one(self.plus)} above ({unit})"


def _family(claim: Claim) -> tuple[str, float]:
    spec = claim.power
    if spec.exponents or spec.rates:
        return "exponents", CEILING
    if spec.additive is not None:
        return "additive", float(spec.additive)
    return "relative", CEILING


def ceiling_of(claim: Claim) -> float:
    """The size of the claim's own power perturbations (0.1, or its declared additive shift)."""
    return _family(claim)[1]


def perturbed(claim: Claim, delta: float, sign: int, label: str | None = None) -> Claim:
    """``claim`` perturbed by ``delta`` on side ``sign`` (-1 or +1) in its own family."""
    kind, _ = _family(claim)
    step = sp.Float(sign * delta, 40)
    label = label or f"{'-' if sign < 0 else '+'}{delta:.3g}"
    if kind == "additive":
        return claim.perturbed(claim.expr + step, label=label)
    if kind == "exponents":
        f = 1 + step
        subs = {claim.symbol(v): claim.symbol(v) ** f for v in claim.power.exponents}
        subs.update({claim.symbol(v): f * claim.symbol(v) for v in claim.power.rates})
        return claim.perturbed(claim.expr.xreplace(subs), label=label)
    return claim.perturbed(claim.expr * (1 + step), label=label)


def _rejects(claim: Claim, level: str, ctx: Context) -> bool:
    try:
        return run_check(claim, level, ctx).passed is not True
    except Exception:  # noqa: BLE001 -- a check that cannot evaluate a perturbed claim rejects it
        return True


def _side(claim: Claim, level: str, ctx: Context, sign: int, floor: float, ceiling: float,
          ratio: float, target: float | None) -> tuple[Side, int]:
    runs = 1
    if not _rejects(perturbed(claim, ceiling, sign), level, ctx):
        return Side(None, ceiling), runs
    runs += 1
    if _rejects(perturbed(claim, floor, sign), level, ctx):
        return Side(floor, 0.0), runs
    lo, hi = floor, ceiling
    if target is not None and floor < target < ceiling:  # probe the target first: the bracket then says
        runs += 1                                        # exactly whether the check meets it
        if _rejects(perturbed(claim, target, sign), level, ctx):
            hi = target
        else:
            lo = target
    while hi / lo > ratio:
        mid = math.sqrt(lo * hi)
        runs += 1
        if _rejects(perturbed(claim, mid, sign), level, ctx):
            hi = mid
        else:
            lo = mid
    return Side(hi, lo), runs


def measure(claim: Claim, level: str, ctx: Context = Context(), *, floor: float = FLOOR,
            ceiling: float | None = None, ratio: float = 1.25, passed: bool = False,
            target: float | None = None) -> Resolution:
    """The resolution of the ``level`` check of the holding ``claim`` (see the module docstring).
    ``passed``: the caller has just seen the check accept the claim (its run is not repeated).
    ``target``: a size probed first on each side, so that ``value <= target`` says exactly whether the
    check rejects ± ``target`` (:meth:`Resolution.meets`).

    Raises:
      ValueError: the claim is a refuted printed formula, ``level`` is symbolic, or the check rejects
        the claim itself (no resolution to speak of).
    """
    if not claim.holds:
        raise ValueError(f"{claim.id}: a refuted printed formula has no resolution (its checks must reject it)")
    if level not in NUMERIC_LEVELS:
        raise ValueError(f"resolution is measured for numeric checks, not {level!r}")
    if not passed and not run_check(claim, level, ctx).agrees_with(claim):
        raise ValueError(f"{claim.id} [{level}]: the check rejects the claim itself")
    kind, top = _family(claim)
    ceiling = top if ceiling is None else ceiling
    if kind == "additive":  # an absolute scale: search 13 decades below the declared shift
        floor = min(floor, ceiling * 1e-13)
    if not 0 < floor < ceiling or ratio <= 1:
        raise ValueError("need 0 < floor < ceiling and ratio > 1")
    minus, n1 = _side(claim, level, ctx, -1, floor, ceiling, ratio, target)
    plus, n2 = _side(claim, level, ctx, +1, floor, ceiling, ratio, target)
    return Resolution(kind, minus, plus, floor, ceiling, n1 + n2 + (0 if passed else 1))
