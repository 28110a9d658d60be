"""The ``scaling-verify`` command: list | latex | verify | plan | compare | fit | bench | data.

Exit codes (CI-grade):

* 0: every selected claim is as expected (a holding claim passes its checks, a refuted printed
  formula is rejected by all of its checks);
* 1: a check failed, or a selected claim has no check at the selected levels (``unchecked``;
  ``--allow-unchecked`` accepts it); for ``compare``: the runs reject the claim;
* 2: bad usage or bad input (unknown ids, unusable ``--report``, a plug-in that fails to import, a
  malformed CSV), one line on stderr, detected before any check runs;
* 3: an internal error of the tool, one line plus "rerun with --debug for the traceback".
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path

from scaling_verify.cli.options import add_module_option

PROG = "scaling-verify"


class UsageError(Exception):
    """Bad usage of the command line (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse prints usage + message by default)
        raise UsageError(message)


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("scaling-verify")
    except metadata.PackageNotFoundError:
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Verify theories of neural scaling laws: SymPy derivations, "
                "mpmath high-precision checks and JAX simulations.")
    p.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    p.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    p.add_argument("--no-plugins", action="store_true",
                   help="load no third-party plug-in, only the built-in theories (or SCALING_VERIFY_PLUGINS=0)")
    sub = p.add_subparsers(dest="cmd", metavar="{list,latex,verify,plan,compare,fit,bench,data}", parser_class=_Parser)
    sub.required = True

    pl = sub.add_parser("list", help="list the registered theories and claims")
    pl.add_argument("--theory", action="append", help="only this theory (repeatable)")
    pl.add_argument("--json", action="store_true", help="print a JSON object: theories, claims, their levels, "
                    "each numeric check's evidence kind and target resolution")
    pl.add_argument("--report", type=Path, metavar="DIR",
                    help="with --json: also each check's measured resolution from the report in DIR "
                         "(written by verify --resolution)")
    add_module_option(pl)

    from scaling_verify.cli import compare as compare_cli, fit as fit_cli, latex as latex_cli, plan as plan_cli
    from scaling_verify.cli import bench as bench_cli, data as data_cli, verify as verify_cli

    latex_cli.add_parser(sub)
    verify_cli.add_parser(sub)
    plan_cli.add_parser(sub)
    compare_cli.add_parser(sub)
    fit_cli.add_parser(sub)
    bench_cli.add_parser(sub)
    data_cli.add_parser(sub)
    return p


def load_modules(args) -> None:
    """Import the ``--module`` modules, then every installed plug-in (errors: exit 2, one line)."""
    from scaling_verify.theory.claims import REGISTRY
    from scaling_verify.plugins import load_module

    from scaling_verify.plugins import BROKEN

    REGISTRY.theories()
    for mod in getattr(args, "module", None) or []:
        load_module(mod)
    for reason in BROKEN.values():
        print(f"{PROG}: warning: {reason}", file=sys.stderr)


def _cmd_list(args) -> int:
    from scaling_verify.theory.claims import REGISTRY

    claims = REGISTRY.select(args.theory, None)
    if args.json:
        from scaling_verify.checks import check_spec, levels_for

        out = {"theories": [{"id": t.id, "title": t.title, "authors": list(t.authors), "year": t.year,
                             "arxiv": t.arxiv} for t in REGISTRY.theories()
                            if not args.theory or t.id in args.theory],
               "claims": []}
        measured = _measured_resolutions(args.report) if args.report is not None else {}
        for c in claims:
            levels = levels_for(c)
            out["claims"].append({
                "id": c.id, "theory": c.theory, "status": c.status, "holds": c.holds,
                "statement": c.statement, "source": c.source, "levels": levels,
                "evidence": {lv: ("derivation" if lv == "symbolic" else check_spec(c.id, lv).evidence)
                             for lv in levels},
                "resolution": {lv: _resolution_entry(check_spec(c.id, lv), measured.get((c.id, lv)))
                               for lv in levels if lv != "symbolic" and c.holds}})
        print(json.dumps(out, indent=2))
        return 0
    from scaling_verify.cli.options import console
    from rich.table import Table

    t = Table(title=f"{len(claims)} claims")
    for col in ("claim", "status", "statement"):
        t.add_column(col)
    for c in claims:
        t.add_row(c.id, c.status + ("" if c.holds else " (refuted)"), c.statement)
    console(width=160).print(t)
    return 0


def _resolution_entry(spec, measured) -> dict:
    """A numeric check's targets (quick and full sizes, the reason for a coarse one) and, from a report,
    its measured resolution."""
    quick, full = spec.target(True), spec.target(False)
    return {"target": quick.value, "target_full": full.value,
            "reason": (quick.reason or full.reason) or None, "measured": measured}


def _measured_resolutions(folder: Path) -> dict:
    """(claim id, level) -> the resolution entry of ``folder/report.json`` (ValueError when unreadable)."""
    path = folder / "report.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {(c["id"], lv): ch.get("resolution") for c in data["claims"] for lv, ch in c["checks"].items()
                if ch.get("resolution") is not None}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"--report {folder}: no readable report.json ({type(exc).__name__})") from None


def _dispatch(args) -> int:
    from scaling_verify.cli import compare as compare_cli, fit as fit_cli, latex as latex_cli, plan as plan_cli
    from scaling_verify.cli import bench as bench_cli, data as data_cli, verify as verify_cli
    from scaling_verify.plugins import restoring_path

    run = {"list": _cmd_list, "latex": latex_cli.run, "verify": verify_cli.run, "plan": plan_cli.run,
           "compare": compare_cli.run, "fit": fit_cli.run, "bench": bench_cli.run, "data": data_cli.run}[args.cmd]
    with restoring_path():  # the --module folders leave sys.path with the command (main() may run in-process)
        if args.cmd not in ("fit", "bench", "data"):
            load_modules(args)
        return run(args)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # anywhere: before or after the subcommand
    if "--no-plugins" in argv:
        from scaling_verify.settings import switch_plugins_off

        switch_plugins_off()
    argv = [a for a in argv if a not in ("--debug", "--no-plugins")]
    try:
        _thread_policy()
        args = _parser().parse_args(argv)
        return _dispatch(args)
    except BrokenPipeError:  # the reader went away (`verify | head`): reports are already written
        _silence_stdout()
        return 141
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # bad input, raised before long work starts
        if debug:
            traceback.print_exc()
        print(f"{PROG}: error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a file the user named cannot be written or read (permission, disk full)
        if debug:
            traceback.print_exc()
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"{PROG}: error: cannot use{where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 -- the tool's own bug: one line, exit 3
        if debug:
            traceback.print_exc()
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(f"{PROG}: internal error: {type(exc).__name__}: {first} (rerun with --debug for the traceback)",
              file=sys.stderr)
        return 3


def _thread_policy() -> None:
    """BLAS threads of this process (:mod:`scaling_verify.run.threads`) and JAX's compilation cache
    (:mod:`scaling_verify.run.jax_cache`), before numpy and JAX load; a variable the user set wins."""
    import os

    from scaling_verify.run.jax_cache import jax_cache_env
    from scaling_verify.run.threads import serial_env

    for key, value in {**serial_env(), **jax_cache_env()}.items():
        os.environ.setdefault(key, value)


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
