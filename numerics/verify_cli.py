"""The ``scaling-verify verify`` subcommand: options, input validation, table, report, JUnit, JSON."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

MAX_SEED = 2 ** 32 - 1


def add_parser(sub) -> None:
    """Add ``verify`` to the ``scaling-verify`` subparsers ``sub``."""
    from numerics.cli_options import add_module_option

    pv = sub.add_parser("verify", help="run the checks (default: every claim, all layers, quick sizes)")
    pv.add_argument("--theory", action="append", help="only this theory (repeatable)")
    pv.add_argument("--claim", action="append", help="only this claim id (repeatable)")
    add_module_option(pv)
    pv.add_argument("--level", choices=("symbolic", "precise", "simulate", "all"), default="all")
    size = pv.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="quick", action="store_true", default=True, help="quick sizes (default)")
    size.add_argument("--full", dest="quick", action="store_false", help="full sizes (slow)")
    seeds = pv.add_mutually_exclusive_group()
    seeds.add_argument("--seed", type=int, default=0, help=f"base seed of every simulation, 0..{MAX_SEED} (default 0)")
    seeds.add_argument("--seeds", metavar="A-B",
                       help="run the selected checks over these base seeds and report, per check, on how many "
                            "seeds it went against its claim (false alarms; misses for refuted formulas)")
    where = pv.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N",
                       help="run the checks on an embedded local Dask cluster of N worker processes")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run the checks on an existing Dask cluster (e.g. tcp://host:8786)")
    pv.add_argument("--cache", type=Path, metavar="DIR", default=None,
                    help="read unchanged checks' results from DIR and store new ones (default: "
                         "$SCALING_VERIFY_CACHE if set)")
    pv.add_argument("--report", type=Path, default=Path("sv-report"),
                    help="report folder: report.md, report.json, PNG figures (default ./sv-report)")
    pv.add_argument("--no-report", action="store_true", help="print the table only")
    pv.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML (one test case per claim and level)")
    pv.add_argument("--json", action="store_true", help="print the summary as JSON on stdout (the table goes to stderr)")
    pv.add_argument("--allow-unchecked", action="store_true",
                    help="a selected claim with no check at the selected levels does not fail the run")


def _writable_dir(path: Path, what: str) -> None:
    """Create ``path`` if needed and prove it writable, before any check runs (else ValueError)."""
    if path.exists() and not path.is_dir():
        raise ValueError(f"{what} {path} exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".sv-write-test-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ValueError(f"{what} {path} is not writable: {exc.strerror or exc}") from None


def _validate(args) -> None:
    if not 0 <= args.seed <= MAX_SEED:
        raise ValueError(f"--seed must be in 0..{MAX_SEED}, got {args.seed}")
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be >= 1, got {args.workers}")
    if args.cache is None and os.environ.get("SCALING_VERIFY_CACHE"):
        args.cache = Path(os.environ["SCALING_VERIFY_CACHE"])
    if args.cache is not None:
        _writable_dir(args.cache, "--cache folder")
    if not args.no_report:
        _writable_dir(args.report, "--report folder")
    if args.junit is not None:
        if args.junit.is_dir():
            raise ValueError(f"--junit {args.junit} is a directory, not a file")
        _writable_dir(args.junit.parent if str(args.junit.parent) else Path("."), "--junit folder")


def run(args) -> int:
    """Run ``scaling-verify verify``; return the exit code."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from numerics.checks import Context
    from numerics.verify import plan, select_levels, verify
    from theory.claims import REGISTRY

    _validate(args)
    seeds = None
    if args.seeds is not None:
        from numerics.seeds import parse_seeds

        seeds = parse_seeds(args.seeds)
    claims = REGISTRY.select(args.theory, args.claim)
    if not claims:
        raise ValueError("no claims selected")
    ctx = Context(quick=args.quick, seed=args.seed)
    jobs = plan(claims, select_levels(args.level))  # loads the check modules: registration errors -> exit 2
    cache = None
    if args.cache is not None:
        from numerics.cache import ResultCache

        cache = ResultCache(args.cache)
    console = Console(stderr=True)
    t0 = time.perf_counter()
    with _executor(args) as executor, Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(), console=console, transient=True) as prog:
        task = prog.add_task("verifying", total=len(jobs) * (len(seeds) if seeds else 1))

        def done(claim, level, res):
            prog.update(task, advance=1, description=f"{claim.id} [{level}]")

        modules = tuple(args.module or ())
        if seeds is not None:
            from numerics.seeds import seed_sweep

            tallies = seed_sweep(claims, args.level, args.quick, seeds, executor=executor, cache=cache,
                                 modules=modules, on_done=done)
            return _finish_seeds(args, tallies, seeds, time.perf_counter() - t0, cache)
        records = verify(claims, args.level, ctx, on_done=done, executor=executor,
                         allow_unchecked=args.allow_unchecked, cache=cache, modules=modules)
    seconds = time.perf_counter() - t0
    return _finish(args, records, len(jobs), seconds, cache)


def _executor(args):
    from contextlib import nullcontext

    if args.workers is None and args.scheduler is None:
        return nullcontext(None)
    from numerics.execution import dask_executor

    return dask_executor(args.workers, args.scheduler)


def _finish_seeds(args, tallies, seeds: list[int], seconds: float, cache) -> int:
    """The seed-sweep table: per check, on how many seeds it went against its claim."""
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"{len(seeds)} seeds ({seeds[0]}..{seeds[-1]}), {'quick' if args.quick else 'full'} sizes")
    for col in ("claim", "level", "expect", "against", "seeds against", "same at every seed"):
        t.add_column(col)
    for x in tallies:
        t.add_row(x.claim.id, x.level, "holds" if x.claim.holds else "refuted",
                  f"{len(x.bad)}/{len(x.seeds)}", ",".join(map(str, x.bad)) or "-",
                  "yes" if x.seed_insensitive else "-")
    Console(width=160, file=sys.stderr if args.json else sys.stdout).print(t)
    worst = [x for x in tallies if x.claim.holds and len(x.bad) > max(1, len(seeds) // 20)]
    if args.json:
        print(json.dumps({"seeds": seeds, "seconds": round(seconds, 2), "quick": args.quick,
                          "checks": [{"claim": x.claim.id, "level": x.level, "holds": x.claim.holds,
                                      "against": x.bad, "runs": len(x.seeds),
                                      "seed_insensitive": x.seed_insensitive} for x in tallies],
                          "over_budget": [f"{x.claim.id}[{x.level}]" for x in worst]}, allow_nan=False))
    else:
        print(f"{len(tallies)} checks x {len(seeds)} seeds in {seconds:.1f} s"
              + (f"; cache {cache.hits} hits" if cache else ""))
        for x in worst:
            print(f"OVER BUDGET {x.claim.id} [{x.level}]: against its claim on {len(x.bad)} of {len(x.seeds)} seeds")
        for x in tallies:
            if x.level == "simulate" and x.seed_insensitive:
                print(f"SAME AT EVERY SEED {x.claim.id} [{x.level}]: identical results at {len(x.seeds)} seeds "
                      "(a deterministic computation, or a simulation that ignores its seed)")
    return 1 if worst else 0


def _finish(args, records, n_jobs: int, seconds: float, cache=None) -> int:
    from collections import Counter

    from rich.console import Console

    from numerics.report import table, write_report

    Console(width=160, file=sys.stderr if args.json else sys.stdout).print(table(records))
    bad = [r for r in records if not r.ok]
    counts = Counter(r.verdict for r in records)
    summary = (", ".join([f"{counts[v]} {v}" for v in ("verified", "consistent", "derived", "refuted", "unchecked")
                          if counts[v]] + [f"{len(bad)} failed"]) + f"; {n_jobs} checks in {seconds:.1f} s, "
               f"seed {args.seed}, {'quick' if args.quick else 'full'} sizes")
    if cache is not None:
        summary += f"; cache: {cache.hits} read, {cache.misses} computed" + (
            f" ({cache.rejected} unreadable entries ignored)" if cache.rejected else "")
    if not args.no_report:
        write_report(records, args.report, args.seed, args.quick, seconds)
        summary += f"; report in {args.report}/"
    if args.junit is not None:
        from numerics.junit import write_junit

        write_junit(records, args.junit, seed=args.seed, quick=args.quick)
    failures = [f"{'UNCHECKED' if r.verdict == 'unchecked' else 'FAILED'} {r.claim.id}"
                + ("" if r.verdict == "unchecked" else f" [{lv}]: {res.detail}")
                for r in bad for lv, res in (r.results.items() if r.results else [("", None)])
                if r.verdict == "unchecked" or res.passed != r.claim.holds]
    if args.json:
        from numerics.report import versions

        print(json.dumps({"ok": not bad, "counts": dict(counts), "failed": [r.claim.id for r in bad],
                          "checks": n_jobs, "seconds": round(seconds, 2), "seed": args.seed,
                          "quick": args.quick, "level": args.level, "versions": versions(),
                          "claims": [{"id": r.claim.id, "verdict": r.verdict,
                                      "checks": {lv: res.passed for lv, res in r.results.items()}}
                                     for r in records]}, allow_nan=False))
        for line in failures:
            print(line, file=sys.stderr)
    else:
        print(summary)
        for line in failures:
            print(line)
    return 1 if bad else 0
