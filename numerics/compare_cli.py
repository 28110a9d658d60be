"""The ``scaling-verify compare`` subcommand: your runs against a claim (exit 0 consistent, 1 rejected)."""

from __future__ import annotations

import json
import math
from pathlib import Path


def add_parser(sub) -> None:
    """Add ``compare`` to the ``scaling-verify`` subparsers ``sub``."""
    from numerics.cli_options import add_module_option

    pc = sub.add_parser("compare", help="fit the exponent of your runs and judge a claim with it")
    pc.add_argument("file", type=Path, help="CSV with a header row (one row per measured point)")
    pc.add_argument("--claim", required=True, help="the claim id (it must state a power law: see 'list --json')")
    pc.add_argument("--x", help="x column (default: the claim's, e.g. t or N)")
    pc.add_argument("--y", help="y column (default: the claim's, e.g. loss)")
    pc.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="a value of the claim's symbols (repeatable; default: the claim's params)")
    pc.add_argument("--group", help="column naming the run (seed) of each point: bootstrap over runs")
    pc.add_argument("--window", help="LO:HI, keep points with LO <= x <= HI")
    pc.add_argument("--bias", type=float, default=0.0,
                    help="a finite-size bias you state from your own convergence study (default 0)")
    pc.add_argument("--bootstrap", type=int, default=2000, help="bootstrap resamples (default 2000)")
    pc.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
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


def run(args) -> int:
    from numerics.compare import compare, parse_params, read_runs
    from theory.claims import REGISTRY

    claim = REGISTRY.get(args.claim)
    params, window = parse_params(args.param), _window(args.window)
    if args.plot is not None and not args.plot.parent.is_dir():
        raise ValueError(f"--plot: folder {args.plot.parent} does not exist")
    runs = read_runs(args.file, claim, args.x, args.y, args.group)
    res = compare(runs, claim, params, window=window, bias=args.bias, bootstrap=args.bootstrap,
                  seed=args.seed, plot=args.plot)
    if args.json:
        est = lambda e: None if e is None else {"value": e.value, "ci": [e.lo, e.hi], "predicted": e.predicted,
                                                "consistent": e.consistent}
        print(json.dumps({"claim": res.claim_id, "consistent": res.consistent, "params": res.params,
                          "exponent": est(res.exponent), "prefactor": est(res.prefactor),
                          "points": res.n_points, "runs": res.n_groups, "bootstrap": res.bootstrap,
                          "resample": res.resample, "seed": res.seed, "bias": args.bias,
                          "window": list(res.window) if res.window else None,
                          "figure": str(res.figure) if res.figure else None, "warnings": res.warnings},
                         allow_nan=False))
    else:
        print(f"{res.claim_id} at {', '.join(f'{k} = {v:g}' for k, v in res.params.items())}: "
              f"{res.n_points} points, bootstrap {res.bootstrap} over {res.resample}, seed {res.seed}")
        print(res.exponent.detail)
        if res.prefactor is not None:
            print(res.prefactor.detail)
        for w in res.warnings:
            print(f"warning: {w}")
        print("consistent" if res.consistent else "REJECTED")
    return 0 if res.consistent else 1
