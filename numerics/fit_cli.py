"""The ``scaling-verify fit`` subcommand: its arguments and what it prints."""

from __future__ import annotations

import json


def add_parser(sub) -> None:
    """Add the ``fit`` subcommand to the ``scaling-verify`` subparsers ``sub``."""
    from pathlib import Path

    pf = sub.add_parser("fit", help="fit a power law or a Chinchilla law to a CSV")
    pf.add_argument("file", type=Path, help="CSV with a header row")
    pf.add_argument("--form", choices=("power", "chinchilla"), required=True)
    pf.add_argument("--bootstrap", type=int, default=200, help="bootstrap resamples (default 200)")
    pf.add_argument("--seed", type=int, default=0)
    pf.add_argument("--x", default=None, help="power: x column (default: first of x, N, D, C, t)")
    pf.add_argument("--y", default=None, help="power: y column (default: first of y, loss)")
    pf.add_argument("--floor", action="store_true", help="power: fit y = E + c x^-p")
    pf.add_argument("--compute", type=float, action="append",
                    help="chinchilla: also print N_opt, D_opt at this compute C = 6ND (repeatable)")
    pf.add_argument("--json", action="store_true", help="print a JSON object")


def run(args) -> int:
    """Run ``scaling-verify fit``; return the exit code (ValueError -> exit 2 in the caller)."""
    from numerics import fit

    if args.bootstrap < 0:
        raise ValueError("--bootstrap must be >= 0")
    if args.form == "chinchilla":
        cols = fit.read_csv(args.file, ("N", "D", "loss"))
        res = fit.fit_chinchilla(cols["N"], cols["D"], cols["loss"], bootstrap=args.bootstrap, seed=args.seed)
        out = res.as_dict()
        if args.compute:
            n_opt, d_opt = fit.chinchilla_allocation(res, args.compute)
            out["allocation"] = [{"C": c, "N_opt": float(n), "D_opt": float(d)}
                                 for c, n, d in zip(args.compute, n_opt, d_opt)]
    else:
        if not args.file.is_file():
            raise ValueError(f"no such file: {args.file}")
        try:
            with open(args.file, newline="") as fh:
                header = [h.strip() for h in fh.readline().split(",")]
        except UnicodeDecodeError:
            raise ValueError(f"{args.file}: not a text CSV file") from None
        xcol = args.x or next((c for c in ("x", "N", "D", "C", "t") if c in header), "x")
        ycol = args.y or next((c for c in ("y", "loss") if c in header), "y")
        cols = fit.read_csv(args.file, (xcol, ycol))
        res = fit.fit_power_law(cols[xcol], cols[ycol], floor=args.floor, bootstrap=args.bootstrap, seed=args.seed)
        out = res.as_dict()
    out["bootstrap"] = res.n_boot
    out["seed"] = args.seed
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            if isinstance(v, dict) and "value" in v:
                lo, hi = v["ci"]
                print(f"{k:>6} = {v['value']:.6g}   95% CI [{lo:.6g}, {hi:.6g}]")
            elif k == "allocation":
                for row in v:
                    print(f"C = {row['C']:.3g}: N_opt = {row['N_opt']:.4g}, D_opt = {row['D_opt']:.4g}")
        print(f"({out['bootstrap']} bootstrap resamples, seed {args.seed})")
    return 0
