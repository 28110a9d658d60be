"""The ``scaling-verify verify`` subcommand: options, input validation, table, report, JUnit, JSON."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from scaling_verify.selection import add_selection

MAX_SEED = 2 ** 32 - 1
QUICK_TIMEOUT = 600.0  # seconds per check at quick sizes: the slowest quick check takes about 15 s here


def add_parser(sub) -> None:
    """Add ``verify`` to the ``scaling-verify`` subparsers ``sub``."""
    pv = sub.add_parser("verify", help="run the checks (default: every claim, all layers, quick sizes)")
    add_selection(pv.add_argument, dest=lambda name: "all_claims" if name == "all" else name)
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
    pv.add_argument("--timeout", type=float, metavar="SECONDS", default=None,
                    help=f"time limit of each check; a check past it fails with the reason (default "
                         f"{QUICK_TIMEOUT:g} s at quick sizes, none at full sizes; 0: none)")


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
    import math

    if args.timeout is not None and not (math.isfinite(args.timeout) and args.timeout >= 0):
        raise ValueError(f"--timeout must be a number of seconds >= 0, got {args.timeout}")
    if args.timeout is None:
        args.timeout = QUICK_TIMEOUT if args.quick else 0.0
    if not 0 <= args.seed <= MAX_SEED:
        raise ValueError(f"--seed must be in 0..{MAX_SEED}, got {args.seed}")
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be >= 1, got {args.workers}")
    from scaling_verify.settings import cache_folder

    if args.cache is None and cache_folder():
        args.cache = Path(cache_folder())
    if args.cache is not None:
        _writable_dir(args.cache, "--cache folder")
    if not args.no_report:
        _writable_dir(args.report, "--report folder")
    if args.junit is not None:
        if args.junit.is_dir():
            raise ValueError(f"--junit {args.junit} is a directory, not a file")
        _writable_dir(args.junit.parent if str(args.junit.parent) else Path("."), "--junit folder")


def module_claims(modules: list[str]) -> list:
    """The claims registered by the ``--module`` modules (a module, its submodules, or a ``.py`` file)."""
    from scaling_verify.theory.claims import REGISTRY

    names = [Path(m).stem if m.endswith(".py") else m for m in modules]
    return [c for c in REGISTRY.all()
            if any((REGISTRY.module_of(c.id) or "") == n or (REGISTRY.module_of(c.id) or "").startswith(n + ".")
                   for n in names)]


def _select(args) -> list:
    from scaling_verify.theory.claims import REGISTRY

    if args.module and not (args.theory or args.claim or args.all_claims):
        claims = module_claims(args.module)
        if not claims:
            raise ValueError(f"--module {', '.join(args.module)} registered no claims; select with --theory, "
                             "--claim or --all")
        return claims
    claims = REGISTRY.select(args.theory, args.claim)
    if not claims:
        raise ValueError("no claims selected")
    return claims


class _Progress:
    """A progress bar on a terminal; plain lines (one per finished check) anywhere else, e.g. CI logs."""

    def __init__(self, console, total: int) -> None:
        self.console, self.total, self.n = console, total, 0
        self.bar = None
        if console.is_terminal:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                                console=console, transient=True)
            self.task = self.bar.add_task("verifying", total=total)

    def __enter__(self):
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def done(self, claim, level, res) -> None:
        self.n += 1
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=f"{claim.id} [{level}]")
            return
        mark = "ok" if res.agrees_with(claim) else "AGAINST CLAIM"
        print(f"[{self.n}/{self.total}] {claim.id} [{level}] {mark} ({res.seconds:.1f} s)", file=sys.stderr,
              flush=True)


def run(args) -> int:
    """Run ``scaling-verify verify``; return the exit code."""
    from scaling_verify.cli.options import console

    from scaling_verify.checks import Context
    from scaling_verify.run.verify import plan, select_levels, verify

    _validate(args)
    seeds = None
    if args.seeds is not None:
        from scaling_verify.run.seeds import parse_seeds

        seeds = parse_seeds(args.seeds)
    claims = _select(args)
    ctx = Context(quick=args.quick, seed=args.seed)
    jobs = plan(claims, select_levels(args.level))  # loads the check modules: registration errors -> exit 2
    cache = None
    if args.cache is not None:
        from scaling_verify.run.cache import ResultCache

        cache = ResultCache(args.cache)
    timeout = args.timeout or None
    t0 = time.perf_counter()
    with _executor(args) as executor, _Progress(console(stderr=True), len(jobs) * len(seeds or [0])) as prog:
        modules = tuple(args.module or ())
        if seeds is not None:
            from scaling_verify.run.seeds import seed_sweep

            tallies = seed_sweep(claims, args.level, args.quick, seeds, executor=executor, cache=cache,
                                 modules=modules, on_done=prog.done, timeout=timeout)
            return _finish_seeds(args, tallies, seeds, time.perf_counter() - t0, cache)
        records = verify(claims, args.level, ctx, on_done=prog.done, executor=executor,
                         allow_unchecked=args.allow_unchecked, cache=cache, modules=modules, timeout=timeout,
                         resolution=args.resolution)
    seconds = time.perf_counter() - t0
    return _finish(args, records, len(jobs), seconds, cache)


def _executor(args):
    from contextlib import nullcontext

    if args.workers is None and args.scheduler is None:
        return nullcontext(None)
    from scaling_verify.run.execution import dask_executor

    return dask_executor(args.workers, args.scheduler)


def _finish_seeds(args, tallies, seeds: list[int], seconds: float, cache) -> int:
    """The seed-sweep table (per check, on how many seeds it went against its claim), its report and
    JUnit; exit 1 when a check is over the sweep's rule (:mod:`scaling_verify.run.seeds`)."""
    from scaling_verify.cli.options import console
    from rich.table import Table

    worst = [x for x in tallies if x.over_budget]
    data = _sweep_json(args, tallies, seeds, seconds, worst)
    if not args.no_report:
        _write_sweep_report(args.report, data)
    if args.junit is not None:
        from scaling_verify.report.junit import sweep_tree, write_tree

        write_tree(sweep_tree(tallies, seeds, quick=args.quick), args.junit)
    t = Table(title=f"{len(seeds)} seeds ({seeds[0]}..{seeds[-1]}), {'quick' if args.quick else 'full'} sizes")
    for col in ("claim", "level", "expect", "against", "allowed", "seeds against", "weakest power trial",
                "same at every seed"):
        t.add_column(col)
    for x in tallies:
        t.add_row(x.claim.id, x.level, "holds" if x.claim.holds else "refuted",
                  f"{len(x.bad)}/{len(x.seeds)}", str(x.allowed), ",".join(map(str, x.bad)) or "-",
                  _weakest(x), "yes" if x.seed_insensitive else "-")
    console(width=160, file=sys.stderr if args.json else sys.stdout).print(t)
    if args.json:
        print(json.dumps(data, allow_nan=False))
        return 1 if worst else 0
    print(f"{len(tallies)} checks x {len(seeds)} seeds in {seconds:.1f} s"
          + (f"; cache {cache.hits} hits" if cache else "") + ("" if args.no_report else f"; report in {args.report}/"))
    for x in worst:
        rule = f"at most {x.allowed}" if x.claim.holds else "none (a refuted formula must be rejected on every seed)"
        if len(x.bad) > x.allowed:
            print(f"OVER BUDGET {x.claim.id} [{x.level}]: against its claim on {len(x.bad)} of {len(x.seeds)} "
                  f"seeds (allowed: {rule})")
        for label, kind in x.weak_trials:
            print(f"WEAK POWER {x.claim.id} [{x.level}]: {kind} trial {label} rejected on only "
                  f"{x.rejections((label, kind))} of {len(x.seeds)} seeds (needed: {len(x.seeds) - x.allowed})")
    for x in tallies:
        if x.level == "simulate" and x.seed_insensitive:
            print(f"SAME AT EVERY SEED {x.claim.id} [{x.level}]: identical results at {len(x.seeds)} seeds "
                  "(a deterministic computation, or a simulation that ignores its seed)")
    return 1 if worst else 0


def _resolution_line(res, target) -> str:
    if target is None or target.value is None:
        return res.text()
    return f"{res.text()}; target {target.value:g}: " + ("met" if res.meets(target.value) else "NOT MET")


def _weakest(x) -> str:
    """The power trial rejected on the fewest seeds, as "k/n label" ("-" without trials)."""
    if not x.trials:
        return "-"
    key = min(x.trials, key=x.rejections)
    return f"{x.rejections(key)}/{len(x.seeds)} {key[0]}"


def _sweep_json(args, tallies, seeds, seconds, worst) -> dict:
    from scaling_verify.report.folder import versions

    return {"kind": "seed-sweep", "ok": not worst, "seeds": seeds, "seconds": round(seconds, 2),
            "quick": args.quick, "level": args.level, "versions": versions(),
            "rule": "a holding claim's check may go against it on n // 20 of n seeds, and each of its power "
                    "trials may be accepted on as many; a refuted printed formula must be rejected on every seed",
            "checks": [{"claim": x.claim.id, "level": x.level, "holds": x.claim.holds, "against": x.bad,
                        "runs": len(x.seeds), "allowed": x.allowed, "over_budget": x.over_budget,
                        "seed_insensitive": x.seed_insensitive,
                        "power": [{"trial": label, "kind": kind, "rejected_on": x.rejections((label, kind))}
                                  for label, kind in x.trials],
                        "weak_power": [label for label, _ in x.weak_trials]} for x in tallies],
            "over_budget": [f"{x.claim.id}[{x.level}]" for x in worst]}


def _write_sweep_report(folder: Path, data: dict) -> None:
    import uuid

    from scaling_verify.report.atomic_files import publish

    run_id = uuid.uuid4().hex
    data = dict(data, run=run_id)
    lines = ["# scaling-verify seed sweep", "",
             f"{len(data['seeds'])} seeds ({data['seeds'][0]}..{data['seeds'][-1]}), "
             f"{'quick' if data['quick'] else 'full'} sizes, {data['seconds']} s; rule: {data['rule']}", "",
             "| claim | level | expect | against | allowed | seeds against | power trials rejected on |",
             "|---|---|---|---|---|---|---|"]
    for c in data["checks"]:
        power = ", ".join(f"{p['trial']} {p['rejected_on']}/{c['runs']}" for p in c["power"]) or "-"
        lines.append(f"| `{c['claim']}` | {c['level']} | {'holds' if c['holds'] else 'refuted'} | "
                     f"{len(c['against'])}/{c['runs']} | {c['allowed']} | {','.join(map(str, c['against'])) or '-'} "
                     f"| {power} |")
    lines += ["", f"run {run_id}", ""]
    publish(folder, {"report.json": json.dumps(data, indent=2, allow_nan=False).encode(),
                     "report.md": "\n".join(lines).encode()}, run_id=run_id, stale_pattern="*__*.png")


def _finish(args, records, n_jobs: int, seconds: float, cache=None) -> int:
    from collections import Counter

    from scaling_verify.cli.options import console

    from scaling_verify.checks import NEEDS_DATA
    from scaling_verify.report.folder import table, target_of, write_report

    from scaling_verify.plugins import BROKEN

    bad = [r for r in records if not r.ok]
    broken = dict(BROKEN) if not (args.theory or args.claim or args.module) else {}
    counts = Counter(r.verdict for r in records)
    summary = (", ".join([f"{counts[v]} {v}" for v in ("verified", "consistent", "derived", "refuted", "reproduced", "not reproducible", "needs data",
                                                              "unchecked")
                          if counts[v]] + [f"{len(bad)} failed"] + ([f"{len(broken)} broken plug-ins"] if broken else [])) + f"; {n_jobs} checks in {seconds:.1f} s, "
               f"seed {args.seed}, {'quick' if args.quick else 'full'} sizes")
    if cache is not None:
        summary += f"; cache: {cache.hits} read, {cache.misses} computed" + (
            f" ({cache.rejected} unreadable entries ignored)" if cache.rejected else "")
    if not args.no_report:
        write_report(records, args.report, args.seed, args.quick, seconds, broken=broken, cache=cache)
        summary += f"; report in {args.report}/"
    if args.junit is not None:
        from scaling_verify.report.junit import write_junit

        write_junit(records, args.junit, seed=args.seed, quick=args.quick, broken=broken)
    console(width=160, file=sys.stderr if args.json else sys.stdout).print(table(records, args.quick))
    failures = [f"{'UNCHECKED' if r.verdict == 'unchecked' else 'FAILED'} {r.claim.id}"
                + ("" if r.verdict == "unchecked" else f" [{lv}]: {res.detail}")
                for r in bad for lv, res in (r.results.items() if r.results else [("", None)])
                if r.verdict == "unchecked" or not res.agrees_with(r.claim)]
    failures += [f"BROKEN {label}: {reason}" for label, reason in broken.items()]
    waiting: dict[str, list[str]] = {}  # one line per missing data set, naming the claims that wait for it
    for r in records:
        for lv, res in r.results.items():
            if res.needs_data:
                waiting.setdefault(res.detail.removeprefix(f"{NEEDS_DATA}: "), []).append(r.claim.id)
    failures += [f"NEEDS DATA ({len(ids)} claim{'s' if len(ids) > 1 else ''}: {', '.join(ids)}): {detail}"
                 for detail, ids in waiting.items()]
    resolutions = [f"{r.claim.id} [{lv}]: " + (_resolution_line(res.resolution, target_of(r.claim.id, lv, args.quick))
                                                if res.resolution is not None
                                                else "resolution not measured (the search could not run)")
                   for r in records for lv, res in r.results.items()
                   if args.resolution and r.claim.holds and lv != "symbolic" and res.passed is True]
    if args.json:
        from scaling_verify.report.folder import versions

        print(json.dumps({"ok": not bad and not broken, "counts": dict(counts), "failed": [r.claim.id for r in bad],
                          "broken_plugins": broken,
                          "checks": n_jobs, "seconds": round(seconds, 2), "seed": args.seed,
                          "quick": args.quick, "level": args.level, "versions": versions(),
                          "claims": [{"id": r.claim.id, "verdict": r.verdict,
                                      "checks": {lv: res.passed for lv, res in r.results.items()}}
                                     for r in records]}, allow_nan=False))
        for line in failures + resolutions:
            print(line, file=sys.stderr)
    else:
        print(summary)
        for line in failures + resolutions:
            print(line)
    return 1 if bad or broken else 0
