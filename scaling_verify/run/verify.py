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
* a check whose data are not on this machine (a public data set fetched on demand, not fetched yet):
  ``needs data`` -- no evidence either way, not a failure; the command names the fetch that supplies it.

Checks are independent; they run through an executor (``concurrent.futures.Executor``) when one is
given, inline otherwise. Anything a check raises (``SystemExit`` included), a timeout, or a result that
is not a strict boolean over finite numbers is recorded as a failure with its reason; only
``KeyboardInterrupt`` stops the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from concurrent.futures import Executor
from dataclasses import dataclass, field

from scaling_verify.checks import LEVELS, NEEDS_DATA, CheckResult, Context, levels_for, run_check
from scaling_verify.theory.claims import REGISTRY, Claim

if TYPE_CHECKING:
    from scaling_verify.run.cache import ResultCache


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
        if any(r.needs_data for r in res):  # no evidence either way: its data are not on this machine
            return NEEDS_DATA
        if self.claim.outcome:  # a claim about the world: the outcome its data checks found, when as stated
            found = {r.outcome for r in res if r.outcome}
            agree = all(r.agrees_with(self.claim) for r in res) and found == {self.claim.outcome}
            return self.claim.outcome if agree else "FAILED"
        if not self.claim.holds:
            return "refuted" if all(r.agrees_with(self.claim) for r in res) else "FAILED"
        if not all(r.agrees_with(self.claim) for r in res):
            return "FAILED"
        if any(r.evidence == "independent" for r in res):
            return "verified"
        return "consistent" if any(r.evidence == "consistency" for r in res) else "derived"

    @property
    def ok(self) -> bool:
        return self.verdict in VERDICTS_OK or (self.verdict == "unchecked" and self.allow_unchecked)


VERDICTS_OK: tuple[str, ...] = ("verified", "consistent", "derived", "refuted", "reproduced", "not reproducible",
                                 NEEDS_DATA)


def _claims(claims) -> list[Claim]:
    if claims is None:
        return list(REGISTRY.all())
    if isinstance(claims, (str, Claim)):
        claims = [claims]
    out = []
    for c in claims:
        if isinstance(c, str):
            c = REGISTRY.get(c)
        if not isinstance(c, Claim):
            raise ValueError(f"claims must be Claim objects or claim ids, not {type(c).__name__}")
        out.append(c)
    return out


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


@dataclass(frozen=True)
class Extras:
    """What a run measures beside each check's verdict, in the same process and time limit (so a check that
    draws its data through ``measurement`` reuses it): ``resolution``, the smallest perturbation a passing
    numeric check of a holding claim rejects (:mod:`scaling_verify.checks.resolution`); ``power``, the
    outcome of each of its power trials (:mod:`scaling_verify.checks.power`)."""

    resolution: bool = False
    power: bool = False

    def wanted(self, claim: Claim, level: str, res: CheckResult) -> bool:
        """Whether ``res`` (e.g. read from the cache) lacks something this run measures."""
        return (self.resolution and wants_resolution(claim, level, res)) or (
            self.power and claim.holds and level != "symbolic" and res.trials is None)


def safe_run(claim: Claim, level: str, ctx: Context, timeout: float | None = None,
             extras: Extras = Extras()) -> CheckResult:
    """:func:`run_check` within ``timeout`` seconds; whatever the check raises (``SystemExit``
    included) or a timeout becomes a failed result with the reason. Only ``KeyboardInterrupt`` stops
    the run. ``extras``: what else to measure (:class:`Extras`), within the same time limit."""
    from scaling_verify.run.time_limit import CheckTimeout, time_limit

    t0 = time.perf_counter()
    try:
        with time_limit(timeout):
            res = run_check(claim, level, ctx)
            if res.needs_data:  # nothing measured: no resolution, no power trials
                return res
            if extras.resolution and wants_resolution(claim, level, res):
                from scaling_verify.checks import check_spec
                from scaling_verify.checks.resolution import measure

                try:
                    target = check_spec(claim.id, level).target(ctx.quick).value
                    res.resolution = measure(claim, level, ctx, passed=True, target=target)
                except Exception:  # noqa: BLE001 -- a search that cannot run leaves the verdict as it is
                    res.resolution = None
            if extras.power and claim.holds and level != "symbolic":
                from scaling_verify.checks.power import run_trials

                res.trials = run_trials(claim, level, ctx)
            return res
    except KeyboardInterrupt:
        raise
    except CheckTimeout as exc:
        return CheckResult(False, f"error: {exc}", seconds=time.perf_counter() - t0)
    except BaseException as exc:  # noqa: BLE001 -- a crashing check is a failed check, with its reason
        what = f"{type(exc).__name__}({exc.code!r})" if isinstance(exc, SystemExit) else f"{type(exc).__name__}: {exc}"
        return CheckResult(False, f"error: {what}", seconds=time.perf_counter() - t0)


def wants_resolution(claim: Claim, level: str, res: CheckResult) -> bool:
    """A resolution is measured for a passing numeric check of a holding claim that has not got one."""
    return claim.holds and level != "symbolic" and res.passed is True and res.resolution is None


Job = tuple[Claim, str, Context]


def run_jobs(jobs: list[Job], on_done: Callable[[Claim, str, Context, CheckResult], None], *,
             executor: Executor | None = None, cache: "ResultCache | None" = None,
             modules: tuple[str, ...] = (), timeout: float | None = None, extras: Extras = Extras()) -> None:
    """Run (claim, level, context) checks, reading and filling ``cache``; ``on_done`` gets each result.

    Inline when ``executor`` is None; otherwise the jobs are submitted at once in groups (:func:`job_groups`),
    with this run's id and the identity of the code each check runs (:mod:`scaling_verify.run.worker`: a long-lived worker runs this
    run's code or fails the check saying why), and results arrive as they finish. An exception raised
    by the executor for a group (a worker that died twice, a result that could not travel back) sends
    each of its checks again on its own; for a single check it becomes a failed result with the reason,
    not cached: a check that kills its worker fails alone. ``timeout`` is each check's limit in
    seconds (None: none).
    """
    import os
    import uuid

    from scaling_verify.run.cache import check_identity

    identities: dict[tuple[str, str], str] = {}

    def ident(c: Claim, lv: str) -> str:
        if (c.id, lv) not in identities:
            identities[(c.id, lv)] = check_identity(c, lv)
        return identities[(c.id, lv)]

    todo = []
    for c, lv, ctx in jobs:
        hit = cache.load(c, lv, ctx, ident(c, lv)) if cache is not None else None
        if hit is not None and extras.wanted(c, lv, hit):
            hit = None  # stored without a resolution or power trials: measure them now
        if hit is not None:
            on_done(c, lv, ctx, hit)
        else:
            todo.append((c, lv, ctx))

    def finish(c: Claim, lv: str, ctx: Context, res: CheckResult, fresh: bool) -> None:
        if fresh and cache is not None:
            cache.store(c, lv, ctx, res, ident(c, lv))
        on_done(c, lv, ctx, res)

    if executor is None:
        for c, lv, ctx in todo:
            finish(c, lv, ctx, safe_run(c, lv, ctx, timeout, extras), True)
        return
    from concurrent.futures import FIRST_COMPLETED, wait

    from scaling_verify.run.worker import run_group

    run_id = uuid.uuid4().hex
    futures = {}

    def submit(group: list[Job]) -> None:
        tasks = tuple((c.id, lv, ctx, ident(c, lv)) for c, lv, ctx in group)
        futures[executor.submit(run_group, tasks, tuple(modules), os.getcwd(), run_id, timeout, extras)] = group

    for group in job_groups(todo):
        submit(group)
    while futures:
        done, _ = wait(futures, return_when=FIRST_COMPLETED)
        for fut in done:
            group = futures.pop(fut)
            try:
                results, fresh = fut.result(), True
            except Exception as exc:  # the worker died (twice) or the task could not run there
                if len(group) > 1:  # find the check that killed it: each alone, so only that one fails
                    for job in group:
                        submit([job])
                    continue
                why = f"error: the check could not run on a worker: {type(exc).__name__}: {exc}"
                results, fresh = [CheckResult(False, why)], False
            if not (isinstance(results, list) and len(results) == len(group)):
                results, fresh = [CheckResult(False, "error: a worker returned no result for its group")] * len(group), False
            for (c, lv, ctx), res in zip(group, results):
                ok = isinstance(res, CheckResult)
                if not ok:
                    res = CheckResult(False, f"error: a worker returned {type(res).__name__}, not CheckResult")
                finish(c, lv, ctx, res, fresh and ok)


#: Mean seconds of one check of each level, for ordering the groups (a quick serial run of the built-in
#: theories on 2 cores: 89 symbolic checks 0.33 s, 66 precise 0.19 s, 51 simulate 2.2 s).
LEVEL_COST = {"symbolic": 0.33, "precise": 0.19, "simulate": 2.2, "empirical": 1.0}


def job_groups(jobs: list[Job]) -> list[list[Job]]:
    """The jobs in the groups a worker runs as one task, costliest first.

    A group is the checks of one check module (one theory's symbolic derivations, or the checks in one
    ``precise``/``simulate`` module) at one context: checks that share a measurement
    (:func:`scaling_verify.checks.measurement.measurement`) or compiled JAX functions sit in one module, so a
    group computes and compiles them once, on one worker, as a serial run does. A group that would cost more
    than half of the whole run (by :data:`LEVEL_COST`) is split into its checks, so that two workers can share
    it (one theory's simulate checks, say). Groups go out costliest first, so the longest group starts at once
    and the short ones fill in around it.
    """
    from scaling_verify.checks import check_spec

    groups: dict[tuple, list[Job]] = {}
    for c, lv, ctx in jobs:
        where = c.theory if lv == "symbolic" else check_spec(c.id, lv).fn.__module__
        groups.setdefault((ctx.seed, ctx.quick, lv, where), []).append((c, lv, ctx))
    out = [g for g in groups.values()]
    total = sum(_cost(g) for g in out)
    out = [part for g in out for part in ([[job] for job in g] if len(g) > 1 and _cost(g) > total / 2 else [g])]
    return sorted(out, key=lambda g: -_cost(g))


def _cost(group: list[Job]) -> float:
    return sum(LEVEL_COST[lv] for _, lv, _ in group)


def verify(claims: Iterable[Claim | str] | None = None, level: str = "all", ctx: Context = Context(),
           on_done: Callable[[Claim, str, CheckResult], None] | None = None,
           executor: Executor | None = None, allow_unchecked: bool = False,
           cache: "ResultCache | None" = None, modules: tuple[str, ...] = (),
           timeout: float | None = None, resolution: bool = False) -> list[ClaimRecord]:
    """Run every check of ``claims`` (default: all registered) at ``level``; return records in order.

    Args:
      claims: the claims or their ids (default: every registered claim, plug-ins included).
      level: ``symbolic``, ``precise``, ``simulate`` or ``all``.
      ctx: quick or full sizes and the base seed.
      on_done: called with (claim, level, result) as each check finishes (progress bars).
      executor: a ``concurrent.futures.Executor`` to run the checks on (inline when None), e.g. a Dask
        client's executor (:func:`scaling_verify.run.execution.dask_executor`) or a spawn-context
        ``ProcessPoolExecutor`` (never fork after JAX is imported). A check whose worker dies is
        recorded as failed with the reason; the others are unaffected.
      allow_unchecked: a claim with no check at ``level`` counts as ok instead of failed.
      cache: a :class:`scaling_verify.run.cache.ResultCache`: results of unchanged checks are read from it.
      modules: the user's modules (``--module``) that workers must import before looking claims up.
      timeout: each check's time limit in seconds (None: none); a check past it fails with the reason.
      resolution: also measure each passing numeric check's resolution (:mod:`scaling_verify.checks.resolution`).

    Raises:
      ValueError: an unknown claim id or level, a claim that is not a :class:`Claim`, a context that is
        not a :class:`Context`, a negative timeout.

    Every result depends only on (claim, level, ctx): the simulations draw their random numbers from
    ``ctx.seed`` and their own arguments, so the records are the same inline, on any number of workers
    and in any order.

    Example:
      >>> from scaling_verify import REGISTRY, Context, verify
      >>> [r.verdict for r in verify([REGISTRY.get("dynamical.time_exponent")], "symbolic")]
      ['derived']
    """
    claims = _claims(claims)
    if not isinstance(ctx, Context):
        raise ValueError(f"ctx must be a Context, not {type(ctx).__name__}")
    if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    jobs = plan(claims, select_levels(level))
    records = {c.id: ClaimRecord(c, allow_unchecked=allow_unchecked) for c in claims}

    def done(c: Claim, lv: str, _ctx: Context, res: CheckResult) -> None:
        records[c.id].results[lv] = res
        if on_done:
            on_done(c, lv, res)

    run_jobs([(c, lv, ctx) for c, lv in jobs], done, executor=executor, cache=cache, modules=modules,
             timeout=timeout, extras=Extras(resolution=resolution))
    for rec in records.values():  # results in level order, whatever order they finished in
        rec.results = {lv: rec.results[lv] for lv in LEVELS if lv in rec.results}
    return [records[c.id] for c in claims]
