"""The ``scaling-verify plan`` subcommand: the draws (or seeds) a check needs for a target resolution, from
one pilot run (:mod:`scaling_verify.checks.planning`). Exit 0; 2 for bad input (one line, before any work)."""

from __future__ import annotations

import json
import math


def add_parser(sub) -> None:
    """Add ``plan`` to the ``scaling-verify`` subparsers ``sub``."""
    from scaling_verify.cli.options import add_module_option

    pp = sub.add_parser("plan", help="the draws or seeds a check needs for a target resolution, from one pilot run")
    pp.add_argument("--claim", required=True, help="the claim id (a holding claim with a numeric check)")
    pp.add_argument("--level", choices=("precise", "simulate"), default=None,
                    help="the check (default: simulate when the claim has one, else precise)")
    pp.add_argument("--target", type=float, default=None,
                    help="the resolution wanted (default: the check's declared target)")
    pp.add_argument("--draws", type=int, default=None, metavar="N",
                    help="the draws (or seeds) the check uses at the pilot's sizes: factors become counts")
    pp.add_argument("--seed", type=int, default=0, help="the pilot's base seed (default 0)")
    pp.add_argument("--full", action="store_true", help="pilot at full sizes (default quick)")
    pp.add_argument("--json", action="store_true", help="print a JSON object")
    add_module_option(pp)


def _level(claim, wanted: str | None) -> str:
    from scaling_verify.checks import levels_for

    found = [lv for lv in levels_for(claim) if lv != "symbolic"]
    if wanted is not None:
        if wanted not in found:
            raise ValueError(f"{claim.id} has no {wanted} check (it has: {', '.join(found) or 'none'})")
        return wanted
    if not found:
        raise ValueError(f"{claim.id} has no numeric check to plan for")
    return "simulate" if "simulate" in found else found[0]


def _num(x: float) -> float | None:
    return x if math.isfinite(x) else None


def run(args) -> int:
    from scaling_verify.checks import Context
    from scaling_verify.checks.planning import plan
    from scaling_verify.theory.claims import REGISTRY

    claim = REGISTRY.get(args.claim)
    level = _level(claim, args.level)
    p = plan(claim, level, Context(quick=not args.full, seed=args.seed), target=args.target,
             pilot_draws=args.draws)
    if args.json:
        print(json.dumps({
            "claim": p.claim_id, "level": p.level, "seed": p.seed, "quick": not args.full, "target": p.target,
            "floor": p.floor, "pilot_draws": p.pilot_draws,
            "factor": _num(p.factor), "draws": p.draws(p.factor),
            "floor_factor": _num(p.floor_factor), "floor_draws": p.draws(p.floor_factor),
            "comparisons": [{"name": c.name, "statistical": c.statistical, "fixed": c.fixed, "offset": c.offset}
                            for c in p.comparisons]}, allow_nan=False))
    else:
        print("\n".join(p.lines()))
    return 0
