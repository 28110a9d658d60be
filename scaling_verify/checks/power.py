"""Power trials: the perturbed claims a numeric check of a holding claim must reject.

A check that cannot fail proves nothing, so each numeric check of a holding claim is fed:

* the **floor**: the claim's own perturbations (:meth:`theory.claims.Claim.perturbations`: x0.9 and x1.1,
  an additive shift for a zero-valued claim, or its declared exponents scaled);
* its declared **wrong forms** (the misprints and near-misses of the literature);
* its **target** (:class:`scaling_verify.checks.registry.Target`): the claim perturbed by ± the target
  resolution in the same family (:func:`scaling_verify.checks.resolution.perturbed`), unless the target is
  as coarse as the floor.

A perturbed claim that makes the check raise counts as rejected. The pytest plugin's power items, the seed
sweeps of ``verify --seeds`` and the planner run exactly these trials; a check that draws its data through
:func:`scaling_verify.checks.measurement.measurement` reuses it, so a trial costs the verdict's arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

from scaling_verify.checks.registry import Target, check_spec, run_check
from scaling_verify.checks.results import Context
from scaling_verify.theory.claims import Claim

KINDS = ("floor", "wrong form", "target")


@dataclass(frozen=True)
class Trial:
    """One perturbed claim fed to a check: its label, its kind (:data:`KINDS`), and the outcome."""

    label: str
    kind: str
    rejected: bool
    detail: str = ""


def trial_claims(claim: Claim, target: Target) -> list[tuple[str, Claim]]:
    """The (kind, perturbed claim) pairs of ``claim``'s power trials at ``target`` (see the module)."""
    from scaling_verify.checks.resolution import ceiling_of, perturbed

    wrong = set(claim.wrong_forms)
    out = [("wrong form" if p.perturbation in wrong else "floor", p) for p in claim.perturbations()]
    if target.value is not None and target.value < ceiling_of(claim):
        out += [("target", perturbed(claim, target.value, s, label=f"{'-+'[s > 0]}{target.value:g} (target)"))
                for s in (-1, 1)]
    return out


def run_trials(claim: Claim, level: str, ctx: Context = Context()) -> tuple[Trial, ...]:
    """Feed the ``level`` check every power trial of ``claim`` (none for a refuted printed formula or an
    exempt check)."""
    spec = check_spec(claim.id, level)
    if not claim.holds or spec.power_exempt:
        return ()
    out = []
    for kind, p in trial_claims(claim, spec.target(ctx.quick)):
        try:
            res = run_check(p, level, ctx)
            if res.needs_data:  # its data are not on this machine: no trial can be judged
                return ()
            rejected, detail = res.passed is not True, res.detail
        except Exception as exc:  # noqa: BLE001 -- a check that cannot evaluate a perturbed claim rejects it
            rejected, detail = True, f"error: {type(exc).__name__}: {exc}"
        out.append(Trial(p.perturbation, kind, rejected, detail))
    return tuple(out)
