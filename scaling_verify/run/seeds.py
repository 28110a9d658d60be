"""Seed sweeps: every selected check over many base seeds, as independent tasks.

For a holding claim, a failure on some seed is a false alarm; for a refuted printed formula, an
acceptance on some seed is a miss (the check's power is the fraction of seeds that reject it).

The power trials (:mod:`scaling_verify.checks.power`: x0.9 and x1.1, the wrong forms, ± the target
resolution) of every numeric check of a holding claim run at each seed too, on that seed's measurement,
so a sweep says how often each perturbation was rejected.

The rule a sweep is judged by (:meth:`SeedTally.over_budget`): a holding claim's check may go against
it on at most one seed in twenty (``n // 20`` seeds of ``n``: none below 20 seeds, so a sweep of one
seed judges exactly as a single run does; the 95 % intervals of the checks allow a 5 % false-alarm
rate), and each of its power trials may be accepted on at most as many seeds; a refuted printed
formula must be rejected on every seed (a miss on any seed fails the sweep).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field

from scaling_verify.checks import CheckResult, Context
from scaling_verify.run.verify import Extras, plan, run_jobs, select_levels
from scaling_verify.theory.claims import Claim


@dataclass
class SeedTally:
    """One check over the seeds: which seeds went against the claim's expectation."""

    claim: Claim
    level: str
    seeds: list[int] = field(default_factory=list)
    bad: list[int] = field(default_factory=list)
    details: set[str] = field(default_factory=set)
    trials: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (label, kind) -> rejecting seeds
    no_data: list[int] = field(default_factory=list)  # seeds whose check had no data to run on (NEEDS_DATA)

    def add_trials(self, seed: int, trials) -> None:
        for t in trials or ():
            seeds = self.trials.setdefault((t.label, t.kind), [])
            if t.rejected:
                seeds.append(seed)

    def rejections(self, key: tuple[str, str]) -> int:
        """On how many seeds the power trial ``key`` (label, kind) was rejected (a seed whose check could
        not run its trials counts as not rejecting)."""
        return len(self.trials[key])

    @property
    def weak_trials(self) -> list[tuple[str, str]]:
        """The power trials not rejected on more seeds than :attr:`allowed`."""
        return [k for k in self.trials if self.judged - self.rejections(k) > self.allowed]

    @property
    def judged(self) -> int:
        """Seeds on which the check ran (not those that needed data not on this machine)."""
        return len(self.seeds) - len(self.no_data)

    @property
    def seed_insensitive(self) -> bool:
        """Identical results at two or more seeds: a deterministic computation, or a simulation that
        ignores its seed (then its interval is not a sampling interval)."""
        return len(self.seeds) > 1 and len(self.details) == 1

    @property
    def rate(self) -> float:
        return len(self.bad) / max(self.judged, 1)

    @property
    def allowed(self) -> int:
        """Seeds on which the check may go against its claim: ``n // 20`` for a holding claim, 0 for
        a refuted printed formula."""
        return self.judged // 20 if self.claim.holds else 0

    @property
    def over_budget(self) -> bool:
        return len(self.bad) > self.allowed or bool(self.weak_trials)

    @property
    def what(self) -> str:
        return "false alarms" if self.claim.holds else "misses"


def parse_seeds(text: str) -> list[int]:
    """``"0-19"`` -> 0..19, ``"3"`` -> [3], ``"1,5,9"``; ValueError outside 0..2^32-1 or when empty."""
    out: list[int] = []
    for part in text.split(","):
        lo, sep, hi = part.strip().partition("-")
        try:
            a, b = int(lo), int(hi) if sep else int(lo)
        except ValueError:
            raise ValueError(f"--seeds {text!r}: expected A-B, a number, or a comma-separated list") from None
        if not 0 <= a <= b <= 2 ** 32 - 1:
            raise ValueError(f"--seeds {text!r}: seeds must satisfy 0 <= A <= B <= 4294967295")
        out += range(a, b + 1)
    if not out or len(out) > 10_000:
        raise ValueError(f"--seeds {text!r}: between 1 and 10000 seeds")
    return sorted(set(out))


def seed_sweep(claims: Iterable[Claim], level: str, quick: bool, seeds: list[int], *,
               executor: Executor | None = None, cache=None, modules: tuple[str, ...] = (),
               on_done: Callable[[Claim, str, CheckResult], None] | None = None,
               timeout: float | None = None, power: bool = True) -> list[SeedTally]:
    """Run every check of ``claims`` at ``level`` for each seed, with its power trials (unless ``power``
    is False); one tally per check, in plan order."""
    checks = plan(list(claims), select_levels(level))
    tallies = {(c.id, lv): SeedTally(c, lv) for c, lv in checks}
    jobs = [(c, lv, Context(quick=quick, seed=s)) for s in seeds for c, lv in checks]

    def done(c: Claim, lv: str, ctx: Context, res: CheckResult) -> None:
        t = tallies[(c.id, lv)]
        t.seeds.append(ctx.seed)
        t.details.add(res.detail)
        if res.needs_data:  # no evidence at this seed (no trials either); the detail names the data set
            t.no_data.append(ctx.seed)
        elif not res.agrees_with(c):
            t.bad.append(ctx.seed)
        t.add_trials(ctx.seed, res.trials)
        if on_done:
            on_done(c, lv, res)

    run_jobs(jobs, done, executor=executor, cache=cache, modules=modules, timeout=timeout,
             extras=Extras(power=power))
    for t in tallies.values():
        t.seeds.sort()
        t.bad.sort()
        for acc in t.trials.values():
            acc.sort()
    return list(tallies.values())
