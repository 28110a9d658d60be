"""What a worker process (a Dask worker, possibly long-lived) does with one check: run the code of the
run that submitted it.

A worker that served an earlier run may hold that run's modules in memory while their files have
changed since. So each task carries its run's id and the identity of the code the submitting run
computed for the check (:func:`scaling_verify.run.cache.check_identity`). The first check of a new run on a worker
that served another run drops every module of ours, of the plug-ins and of the user's (the "source"
modules of :mod:`scaling_verify.run.code_identity`) from ``sys.modules`` and imports them afresh; every task then
compares the identity of the code it loaded with the submitted one and, if they differ (a file edited
during the run), returns a failed result that says so instead of running other code.

This module keeps its state across runs and is never dropped itself: a change to this file needs a
restart of the workers.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

_state: dict[str, object] = {"run": None}


def _drop_source_modules() -> None:
    from scaling_verify.run.code_identity import module_kind

    for name, mod in list(sys.modules.items()):
        if name == __name__:
            continue
        f = getattr(mod, "__file__", None)
        if f and (name.split(".")[0] == "scaling_verify" or module_kind(name, f) == "source"):
            del sys.modules[name]
    importlib.invalidate_caches()


def run_group(tasks: tuple[tuple[str, str, object, str], ...], modules: tuple[str, ...], cwd: str | None,
              run_id: str, timeout: float | None, extras=None) -> list:
    """Worker entry: the checks ``(claim_id, level, context, identity)`` of one group, in order, as the
    submitting run ``run_id`` knows them (their measurements and compiled functions shared in this process)."""
    if _state["run"] not in (None, run_id):
        _drop_source_modules()
    _state["run"] = run_id
    plugins = importlib.import_module("scaling_verify.plugins")
    with plugins.restoring_path():  # a long-lived worker does not collect the runs' folders on sys.path
        return _run_group(tasks, modules, cwd, timeout, extras, plugins)


def _run_group(tasks, modules, cwd, timeout, extras, plugins) -> list:
    claims = importlib.import_module("scaling_verify.theory.claims")
    for mod in modules:
        plugins.load_module(mod, Path(cwd) if cwd else None)
    checks = importlib.import_module("scaling_verify.checks")
    cache = importlib.import_module("scaling_verify.run.cache")
    verify = importlib.import_module("scaling_verify.run.verify")
    out = []
    for claim_id, level, ctx, identity in tasks:
        claim = claims.REGISTRY.get(claim_id)
        checks.levels_for(claim, [level])  # loads the check's module
        if cache.check_identity(claim, level) != identity:
            out.append(checks.CheckResult(False, "error: this worker's code for the check differs from the submitting "
                                                 "run's (a source file changed during the run); rerun"))
        else:
            out.append(verify.safe_run(claim, level, ctx, timeout, extras or verify.Extras()))
    return out
