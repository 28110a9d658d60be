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

    from numerics import latex_cli

    latex_cli.add_parser(sub)

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

    from numerics import fit_cli

    fit_cli.add_parser(sub)
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
    from numerics import latex_cli

    return latex_cli.run(args)


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


def _fit(args) -> int:
    from numerics import fit_cli

    return fit_cli.run(args)


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return {"list": _cmd_list, "latex": _cmd_latex, "verify": _cmd_verify, "fit": _fit}[args.cmd](args)
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
