"""The ``scaling-verify`` command: list | latex | verify | fit.

Exit codes: 0 when every claim that should hold holds (and every refuted printed formula is
rejected); 1 when a check fails; 2 for bad usage or bad input, with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from theory.claims import REGISTRY, THEORIES

PROG = "scaling-verify"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse prints usage + message by default)
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Verify theories of neural scaling laws: SymPy derivations, "
                "mpmath high-precision checks and JAX simulations.")
    sub = p.add_subparsers(dest="cmd", metavar="{list,latex,verify,fit}", parser_class=_Parser)
    sub.required = True

    pl = sub.add_parser("list", help="list the registered claims")
    pl.add_argument("--theory", choices=THEORIES, help="only this theory")

    px = sub.add_parser("latex", help="claims as LaTeX macros, equations or a standalone document")
    px.add_argument("--theory", choices=THEORIES)
    px.add_argument("--format", choices=("macros", "equations", "document"), default="macros")
    px.add_argument("-o", "--output", type=Path, help="write to FILE instead of standard output")

    pv = sub.add_parser("verify", help="run the checks (default: every claim, all layers, quick sizes)")
    pv.add_argument("--theory", choices=THEORIES, action="append",
                    help="only this theory (repeatable)")
    pv.add_argument("--claim", action="append", help="only this claim id (repeatable)")
    pv.add_argument("--level", choices=("symbolic", "precise", "simulate", "all"), default="all")
    size = pv.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="quick", action="store_true", default=True, help="quick sizes (default)")
    size.add_argument("--full", dest="quick", action="store_false", help="full sizes (slow)")
    pv.add_argument("--seed", type=int, default=0, help="base seed of every simulation (default 0)")
    pv.add_argument("--report", type=Path, default=Path("sv-report"),
                    help="report folder: report.md, report.json, PNG figures (default ./sv-report)")
    pv.add_argument("--no-report", action="store_true", help="print the table only")

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
    return p


def _cmd_list(args) -> int:
    from rich.console import Console
    from rich.table import Table

    claims = REGISTRY.all(args.theory)
    t = Table(title=f"{len(claims)} claims")
    for col in ("claim", "status", "statement"):
        t.add_column(col)
    for c in claims:
        t.add_row(c.id, c.status + ("" if c.holds else " (refuted)"), c.statement)
    Console(width=160).print(t)
    return 0


def _cmd_latex(args) -> int:
    from theory.latex import render

    text = render(REGISTRY.all(args.theory), args.format)
    if args.output:
        try:
            args.output.write_text(text)
        except OSError as exc:
            raise ValueError(f"cannot write {args.output}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    return 0


def _cmd_verify(args) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from numerics.checks import Context, load_checks
    from numerics.report import table, write_report
    from numerics.verify import plan, select_levels, verify

    if args.seed < 0:
        raise ValueError("--seed must be >= 0")
    claims = REGISTRY.select(args.theory, args.claim)
    if not claims:
        raise ValueError("no claims selected")
    load_checks()
    ctx = Context(quick=args.quick, seed=args.seed)
    jobs = plan(claims, select_levels(args.level))
    console = Console(stderr=True)
    t0 = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as prog:
        task = prog.add_task("verifying", total=len(jobs))

        def done(claim, level, res):
            prog.update(task, advance=1, description=f"{claim.id} [{level}]")

        records = verify(claims, args.level, ctx, on_done=done)
    seconds = time.perf_counter() - t0
    Console(width=160).print(table(records))
    bad = [r for r in records if not r.ok]
    summary = (f"{sum(r.verdict == 'verified' for r in records)} verified, "
               f"{sum(r.verdict == 'refuted' for r in records)} refuted as expected, {len(bad)} failed; "
               f"{len(jobs)} checks in {seconds:.1f} s, seed {args.seed}, {'quick' if args.quick else 'full'} sizes")
    if not args.no_report:
        write_report(records, args.report, args.seed, args.quick, seconds)
        summary += f"; report in {args.report}/"
    print(summary)
    for r in bad:
        for lv, res in r.results.items():
            if res.passed != r.claim.holds:
                print(f"FAILED {r.claim.id} [{lv}]: {res.detail}")
    return 1 if bad else 0


def _cmd_fit(args) -> int:
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


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return {"list": _cmd_list, "latex": _cmd_latex, "verify": _cmd_verify, "fit": _cmd_fit}[args.cmd](args)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"{PROG}: error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
