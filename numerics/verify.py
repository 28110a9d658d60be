"""Run the checks of selected claims and collect records.

A claim's verdict says what evidence it rests on:

* ``holds=True`` and every check passes: ``verified`` when at least one passing check is independent
  numeric evidence (an exact computation or a simulation of the learning system, not a re-evaluation of
  the formula), ``consistent`` when the numeric checks are consistency checks only, ``derived`` when
  the symbolic derivation is the only check; any failure -> ``FAILED``.
* ``holds=False`` (a printed formula we refute): every check must *reject* it -> ``refuted`` (as
  expected, the evidence for the correction); a check that accepts it -> ``FAILED`` (the check has no
  power to tell the printed form from ours).
* no check at the selected levels: ``unchecked`` (a failure unless the caller allows it).

Checks are independent; they run through an executor (``concurrent.futures.Executor``) when one is
given, inline otherwise. An exception inside a check is recorded as a failure with its message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from concurrent.futures import Executor
from dataclasses import dataclass, field

from numerics.checks import LEVELS, CheckResult, Context, levels_for, run_check
from theory.claims import REGISTRY, Claim

if TYPE_CHECKING:
    from numerics.cache import ResultCache


@dataclass
class ClaimRecord:
    claim: Claim
    results: dict[str, CheckResult] = field(default_factory=dict)

    allow_unchecked: bool = False

    @property
    def verdict(self) -> str:
        res = self.results.values()
        if not self.results:
            return "unchecked"
        if not self.claim.holds:
            return "refuted" if not any(r.passed for r in res) else "FAILED"
        if not all(r.passed for r in res):
            return "FAILED"
        if any(r.evidence == "independent" for r in res):
            return "verified"
        return "consistent" if any(r.evidence == "consistency" for r in res) else "derived"

    @property
    def ok(self) -> bool:
        return self.verdict in VERDICTS_OK or (self.verdict == "unchecked" and self.allow_unchecked)


VERDICTS_OK: tuple[str, ...] = ("verified", "consistent", "derived", "refuted")


def select_levels(level: str) -> tuple[str, ...]:
    if level == "all":
        return LEVELS
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; use symbolic, precise, simulate or all")
    return (level,)


def plan(claims: Iterable[Claim], levels: Iterable[str]) -> list[tuple[Claim, str]]:
    """The (claim, level) checks to run; loads only the check modules of ``levels``."""
    levels = tuple(levels)
    return [(c, lv) for c in claims for lv in levels_for(c, levels)]


def _safe_run(claim: Claim, level: str, ctx: Context) -> CheckResult:
    t0 = time.perf_counter()
    try:
        return run_check(claim, level, ctx)
    except Exception as exc:  # a crashing check is a failed check, with its reason
        return CheckResult(False, f"error: {type(exc).__name__}: {exc}", seconds=time.perf_counter() - t0)


def _run_registered(claim_id: str, level: str, ctx: Context, modules: tuple[str, ...] = (),
                    cwd: str | None = None) -> CheckResult:
    """Worker entry for executors: load the user's modules, look the claim up by id (claims hold
    lambdas and do not pickle) and run the check."""
    if modules:
        from pathlib import Path

        from theory.plugins import load_module

        for mod in modules:
            load_module(mod, Path(cwd) if cwd else None)
    return _safe_run(REGISTRY.get(claim_id), level, ctx)


Job = tuple[Claim, str, Context]


def run_jobs(jobs: list[Job], on_done: Callable[[Claim, str, Context, CheckResult], None], *,
             executor: Executor | None = None, cache: "ResultCache | None" = None,
             modules: tuple[str, ...] = ()) -> None:
    """Run (claim, level, context) checks, reading and filling ``cache``; ``on_done`` gets each result.

    Inline when ``executor`` is None; otherwise every job is submitted at once and results arrive as
    they finish. An exception raised by the executor for one job (a worker that died twice) becomes a
    failed result with the reason and is not cached.
    """
    import os

    todo = []
    for c, lv, ctx in jobs:
        hit = cache.load(c, lv, ctx) if cache is not None else None
        if hit is not None:
            on_done(c, lv, ctx, hit)
        else:
            todo.append((c, lv, ctx))

    def finish(c: Claim, lv: str, ctx: Context, res: CheckResult, fresh: bool) -> None:
        if fresh and cache is not None:
            cache.store(c, lv, ctx, res)
        on_done(c, lv, ctx, res)

    if executor is None:
        for c, lv, ctx in todo:
            finish(c, lv, ctx, _safe_run(c, lv, ctx), True)
        return
    from concurrent.futures import as_completed

    futures = {executor.submit(_run_registered, c.id, lv, ctx, tuple(modules), os.getcwd()): (c, lv, ctx)
               for c, lv, ctx in todo}
    for fut in as_completed(futures):
        c, lv, ctx = futures[fut]
        try:
            res, fresh = fut.result(), True
        except Exception as exc:  # the worker died (twice) or the task could not run there
            res = CheckResult(False, f"error: the check could not run on a worker: {type(exc).__name__}: {exc}")
            fresh = False
        finish(c, lv, ctx, res, fresh)


def verify(claims: Iterable[Claim] | None = None, level: str = "all", ctx: Context = Context(),
           on_done: Callable[[Claim, str, CheckResult], None] | None = None,
           executor: Executor | None = None, allow_unchecked: bool = False,
           cache: "ResultCache | None" = None, modules: tuple[str, ...] = ()) -> list[ClaimRecord]:
    """Run every check of ``claims`` (default: all registered) at ``level``; return records in order.

    Args:
      claims: the claims (default: every registered claim, plug-ins included).
      level: ``symbolic``, ``precise``, ``simulate`` or ``all``.
      ctx: quick or full sizes and the base seed.
      on_done: called with (claim, level, result) as each check finishes (progress bars).
      executor: a ``concurrent.futures.Executor`` to run the checks on (inline when None), e.g. a Dask
        client's executor (:func:`numerics.execution.dask_executor`) or a spawn-context
        ``ProcessPoolExecutor`` (never fork after JAX is imported). A check whose worker dies is
        recorded as failed with the reason; the others are unaffected.
      allow_unchecked: a claim with no check at ``level`` counts as ok instead of failed.
      cache: a :class:`numerics.cache.ResultCache`: results of unchanged checks are read from it.
      modules: the user's modules (``--module``) that workers must import before looking claims up.

    Every result depends only on (claim, level, ctx): the simulations draw their random numbers from
    ``ctx.seed`` and their own arguments, so the records are the same inline, on any number of workers
    and in any order.

    Example:
      >>> from scaling_verify import REGISTRY, Context, verify
      >>> [r.verdict for r in verify([REGISTRY.get("dynamical.time_exponent")], "symbolic")]
      ['derived']
    """
    claims = list(REGISTRY.all() if claims is None else claims)
    jobs = plan(claims, select_levels(level))
    records = {c.id: ClaimRecord(c, allow_unchecked=allow_unchecked) for c in claims}

    def done(c: Claim, lv: str, _ctx: Context, res: CheckResult) -> None:
        records[c.id].results[lv] = res
        if on_done:
            on_done(c, lv, res)

    run_jobs([(c, lv, ctx) for c, lv in jobs], done, executor=executor, cache=cache, modules=modules)
    for rec in records.values():  # results in level order, whatever order they finished in
        rec.results = {lv: rec.results[lv] for lv in LEVELS if lv in rec.results}
    return [records[c.id] for c in claims]
