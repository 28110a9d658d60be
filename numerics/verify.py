"""Run the checks of selected claims and collect records.

A claim's verdict:

* ``holds=True``: every check must pass -> ``verified``; any failure -> ``FAILED``.
* ``holds=False`` (a printed formula we refute): every check must *reject* it -> ``refuted`` (as
  expected, the evidence for the correction); a check that accepts it -> ``FAILED`` (the check has no
  power to tell the printed form from ours).

Checks are independent; they run through an executor (``concurrent.futures.Executor``) when one is
given, inline otherwise. An exception inside a check is recorded as a failure with its message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field

from numerics.checks import LEVELS, CheckResult, Context, levels_for, run_check
from theory.claims import REGISTRY, Claim


@dataclass
class ClaimRecord:
    claim: Claim
    results: dict[str, CheckResult] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if not self.results:
            return "no checks"
        if self.claim.holds:
            return "verified" if all(r.passed for r in self.results.values()) else "FAILED"
        return "refuted" if not any(r.passed for r in self.results.values()) else "FAILED"

    @property
    def ok(self) -> bool:
        return self.verdict in ("verified", "refuted", "no checks")


def select_levels(level: str) -> tuple[str, ...]:
    if level == "all":
        return LEVELS
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; use symbolic, precise, simulate or all")
    return (level,)


def plan(claims: Iterable[Claim], levels: Iterable[str]) -> list[tuple[Claim, str]]:
    wanted = set(levels)
    return [(c, lv) for c in claims for lv in levels_for(c) if lv in wanted]


def _safe_run(claim: Claim, level: str, ctx: Context) -> CheckResult:
    t0 = time.perf_counter()
    try:
        return run_check(claim, level, ctx)
    except Exception as exc:  # a crashing check is a failed check, with its reason
        return CheckResult(False, f"error: {type(exc).__name__}: {exc}", seconds=time.perf_counter() - t0)


def _run_registered(claim_id: str, level: str, ctx: Context) -> CheckResult:
    """Worker entry for executors: look the claim up by id (claims hold lambdas and do not pickle)."""
    return _safe_run(REGISTRY.get(claim_id), level, ctx)


def verify(claims: Iterable[Claim] | None = None, level: str = "all", ctx: Context = Context(),
           on_done: Callable[[Claim, str, CheckResult], None] | None = None,
           executor: Executor | None = None) -> list[ClaimRecord]:
    """Run every check of ``claims`` (default: all registered) at ``level``; return records in order."""
    claims = list(REGISTRY.all() if claims is None else claims)
    jobs = plan(claims, select_levels(level))
    records = {c.id: ClaimRecord(c) for c in claims}
    if executor is None:
        for c, lv in jobs:
            res = _safe_run(c, lv, ctx)
            records[c.id].results[lv] = res
            if on_done:
                on_done(c, lv, res)
    else:
        # e.g. ProcessPoolExecutor(mp_context=multiprocessing.get_context("spawn")): never fork after JAX
        futures = [(c, lv, executor.submit(_run_registered, c.id, lv, ctx)) for c, lv in jobs]
        for c, lv, fut in futures:
            res = fut.result()
            records[c.id].results[lv] = res
            if on_done:
                on_done(c, lv, res)
    return [records[c.id] for c in claims]
