"""The ``scaling-verify compare`` subcommand: your runs against a claim (exit 0 consistent, 1 rejected,
2 bad input -- one line, before any work)."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path


def add_parser(sub) -> None:
    """Add ``compare`` to the ``scaling-verify`` subparsers ``sub``."""
    from scaling_verify.cli.options import add_module_option

    pc = sub.add_parser("compare", help="fit the exponent of your runs and judge a claim with it")
    pc.add_argument("file", type=Path, help="CSV with a header row (one row per measured point; at most "
                                            "10,000,000 rows)")
    pc.add_argument("--claim", required=True, help="the claim id (it must state a power law: see 'list --json')")
    pc.add_argument("--x", help="x column (default: the claim's, e.g. t or N)")
    pc.add_argument("--y", help="y column (default: the claim's, e.g. loss)")
    pc.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="a value of the claim's symbols (repeatable; default: the claim's params)")
    pc.add_argument("--group", help="column naming the run (seed) of each point: each run is fitted on its own "
                                    "and the interval is a t interval over runs (at least 2 runs; 3 when the "
                                    "claim has an amplitude)")
    pc.add_argument("--window", help="LO:HI, keep points with LO <= x <= HI")
    pc.add_argument("--bias", type=float, default=0.0,
                    help="a finite-size bias you state from your own convergence study (default 0)")
    # no longer used (compare's intervals are exact t intervals); accepted so old scripts run, with a warning
    pc.add_argument("--bootstrap", default=None, help=argparse.SUPPRESS)
    pc.add_argument("--seed", default=None, help=argparse.SUPPRESS)
    pc.add_argument("--plot", type=Path, metavar="PNG", help="write the data, band and theory line to this PNG")
    pc.add_argument("--json", action="store_true", help="print a JSON object")
    add_module_option(pc)


def _window(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    lo, sep, hi = text.partition(":")
    try:
        w = (float(lo), float(hi)) if sep else None
    except ValueError:
        w = None
    if w is None or not all(map(math.isfinite, w)) or not 0 < w[0] < w[1]:
        raise ValueError(f"--window {text!r}: expected LO:HI with 0 < LO < HI")
    return w


def _json(res, bias: float) -> str:
    est = lambda e: None if e is None else {"value": e.value, "ci": [e.lo, e.hi], "predicted": e.predicted,  # noqa: E731
                                            "consistent": e.consistent}
    joint = None
    if res.joint is not None:
        j = res.joint
        joint = {"statistic": j.statistic if math.isfinite(j.statistic) else None, "distribution": j.distribution,
                 "p_value": j.p_value, "exponent": j.exponent, "consistent": j.consistent}
    return json.dumps({"claim": res.claim_id, "consistent": res.consistent, "params": res.params,
                       "exponent": est(res.exponent), "prefactor": est(res.prefactor), "joint": joint,
                       "points": res.n_points, "runs": res.n_groups, "method": res.method, "dof": res.dof,
                       "level": res.level, "resample": res.resample, "bias": bias,
                       "window": list(res.window) if res.window else None,
                       "figure": str(res.figure) if res.figure else None, "warnings": res.warnings},
                      allow_nan=False)


def run(args) -> int:
    import warnings

    from scaling_verify.numerics.compare import compare, parse_params, read_runs
    from scaling_verify.numerics.fitting.io import writable_file
    from scaling_verify.theory.claims import REGISTRY

    claim = REGISTRY.get(args.claim)
    params, window = parse_params(args.param), _window(args.window)
    if not (math.isfinite(args.bias) and args.bias >= 0):
        raise ValueError("--bias must be a finite number >= 0")
    if args.plot is not None:
        writable_file(args.plot, "--plot")
    runs = read_runs(args.file, claim, args.x, args.y, args.group)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the same text goes into res.warnings
        res = compare(runs, claim, params, window=window, bias=args.bias, plot=args.plot,
                      bootstrap=args.bootstrap, seed=args.seed)
    if args.json:
        print(_json(res, args.bias))
    else:
        unit = f"{res.n_groups} runs" if res.method == "runs" else f"{res.n_points} points"
        print(f"{res.claim_id} at {', '.join(f'{k} = {v:g}' for k, v in res.params.items())}: "
              f"{res.n_points} points, t interval over {unit} ({res.dof} degrees of freedom)")
        print(res.exponent.detail)
        if res.prefactor is not None:
            print(res.prefactor.detail)
        if res.joint is not None:
            print(res.joint.detail)
        for w in res.warnings:
            print(f"warning: {w}")
        print("consistent" if res.consistent else "REJECTED")
    return 0 if res.consistent else 1
