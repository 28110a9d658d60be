"""Target resolutions, power trials and the planner, on a check whose sampling law is known exactly.

The check estimates a claimed mean from n Gaussian draws (sd 1) with a 95 % interval; its resolution is
then about 1.84 x 1.96 / sqrt(n) / |p| on 19 seeds of 20, which the planner must find from one pilot run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import scaling_verify as sv
from scaling_verify.checks import CheckRegistrationError, Context
from scaling_verify.checks.power import run_trials
from scaling_verify.checks.planning import plan

SV = str(Path(sys.executable).parent / "scaling-verify")
DRAWS = {"n": 100}


def _mean_check(claim, ctx):
    rng = np.random.default_rng([ctx.seed, 7])
    x = rng.normal(1.5, 1.0, DRAWS["n"])
    m, h = float(x.mean()), 1.959963984540054 * float(x.std(ddof=1)) / np.sqrt(len(x))
    return sv.CheckResult(*sv.exponent_verdict("mean", m, m - h, m + h, claim.value()))


@pytest.fixture
def mean_claim():
    a = sp.Symbol("a", positive=True)
    with sv.isolated():
        sv.register_theory(sv.Theory(id="pw", title="Power cases", authors=("P. W.",), year=2026))
        claim = sv.Claim(id="pw.mean", theory="pw", quantity="m", expr=a - 1, symbols=(a,), statement="mean",
                         source="test", params={"a": 2.5})
        sv.register(claim)
        sv.check("pw.mean", "simulate")(_mean_check)
        yield claim


def _target_rejections(claim, seeds) -> float:
    """The fraction of seeds on which a ±target trial is rejected, the worse of the two sides."""
    hits = {"-": 0, "+": 0}
    for s in seeds:
        for t in run_trials(claim, "simulate", Context(seed=s)):
            if t.kind == "target":
                hits[t.label[0]] += t.rejected
    return min(hits.values()) / len(seeds)


def test_default_targets_and_the_reason_a_coarser_one_needs(mean_claim):
    spec = sv.checks.check_spec("pw.mean", "simulate")
    assert (spec.target(True).value, spec.target(False).value) == (0.05, 0.02)
    with pytest.raises(CheckRegistrationError, match="resolution_reason"):
        sv.check("pw.mean", "precise", resolution=1e-3)(_mean_check)
    sv.check("pw.mean", "precise", resolution=1e-3, resolution_reason="a stated bound")(_mean_check)
    assert sv.checks.check_spec("pw.mean", "precise").target(True).reason == "a stated bound"
    with pytest.raises(CheckRegistrationError, match="in \\(0, 1\\)"):
        sv.check("pw.mean", "simulate", resolution=True)


def test_power_trials_are_the_floor_the_wrong_forms_and_the_target(mean_claim):
    kinds = [(t.label, t.kind) for t in run_trials(mean_claim, "simulate", Context(seed=0))]
    assert kinds == [("x0.9", "floor"), ("x1.1", "floor"), ("-0.05 (target)", "target"),
                     ("+0.05 (target)", "target")]


def test_the_planner_finds_the_draws_a_target_needs(mean_claim):
    """From one pilot at n = 100 the planner asks for about (1.84 x 1.96 / (0.05 x 1.5))^2 = 2,300 draws;
    at that n each of the ±5 % trials is rejected on 95 % of seeds (binomial 99.9 % band over 400 seeds:
    91.5 % to 98 %; the worse side of two), at the pilot's n on far fewer."""
    DRAWS["n"] = 100
    p = plan(mean_claim, "simulate", Context(seed=0), pilot_draws=100)
    expected = (1.8392 * 1.96 / (0.05 * 1.5)) ** 2
    assert p.draws(p.factor) == pytest.approx(expected, rel=0.25)  # one pilot's sd: 100 draws, +-15 %
    seeds = range(400)
    assert _target_rejections(mean_claim, seeds) < 0.3
    DRAWS["n"] = round(expected)
    try:
        rate = _target_rejections(mean_claim, seeds)
    finally:
        DRAWS["n"] = 100
    assert 0.915 <= rate <= 0.98, rate


def test_the_planner_says_when_draws_cannot_reach_a_target(mean_claim):
    biased = sv.Claim(id="pw.biased", theory="pw", quantity="m", expr=mean_claim.expr, symbols=mean_claim.symbols,
                      statement="mean with a stated bias", source="test", params={"a": 2.5})
    sv.register(biased)
    sv.check("pw.biased", "simulate", resolution=0.08, resolution_reason="a stated bias of 0.1")(
        lambda c, x: sv.CheckResult(*sv.exponent_verdict("m", 1.5, 1.49, 1.51, c.value(), bias=0.1)))
    p = plan(biased, "simulate", target=0.05)
    assert p.factor == float("inf") and "not reachable by more draws" in "\n".join(p.lines())
    assert p.floor_factor < 1  # the power floor (0.1 of 1.5 = 0.15 > 0.1 + the interval) is within reach


PLUGIN = '''
import numpy as np, sympy as sp, scaling_verify as sv
a = sp.Symbol("a", positive=True)
sv.register_theory(sv.Theory(id="sw", title="Sweep cases", authors=("S. W.",), year=2026))
for name in ("sharp", "blunt"):
    sv.register(sv.Claim(id=f"sw.{name}", theory="sw", quantity="m", expr=a - 1, symbols=(a,), statement=name,
                         source="test", params={"a": 2.5}))
def make(n):
    def check(claim, ctx):
        x = np.random.default_rng([ctx.seed, 7]).normal(1.5, 1.0, n)
        m, h = x.mean(), 1.96 * x.std(ddof=1) / np.sqrt(n)
        return sv.CheckResult(*sv.exponent_verdict("mean", m, m - h, m + h, claim.value()))
    return check
sv.check("sw.sharp", "simulate")(make(6000))
sv.check("sw.blunt", "simulate")(make(800))
'''


def test_a_seed_sweep_counts_each_power_trial_and_fails_a_weak_one(tmp_path):
    (tmp_path / "sw_mod.py").write_text(PLUGIN)
    out = subprocess.run([SV, "verify", "--module", "sw_mod", "--seeds", "0-19", "--report", "rep", "--json"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stdout + out.stderr
    checks = {c["claim"]: c for c in json.loads(out.stdout)["checks"] if c["level"] == "simulate"}
    sharp = {p["trial"]: p["rejected_on"] for p in checks["sw.sharp"]["power"]}
    assert set(sharp) == {"x0.9", "x1.1", "-0.05 (target)", "+0.05 (target)"}
    assert min(sharp.values()) >= 19 and not checks["sw.sharp"]["over_budget"]
    assert checks["sw.blunt"]["over_budget"] and set(checks["sw.blunt"]["weak_power"]) == {"-0.05 (target)",
                                                                                         "+0.05 (target)"}
    assert "power trials rejected on" in (tmp_path / "rep" / "report.md").read_text()


def test_the_plan_command(tmp_path):
    (tmp_path / "sw_mod.py").write_text(PLUGIN)
    run = lambda *a: subprocess.run([SV, "plan", "--module", "sw_mod", *a], cwd=tmp_path,  # noqa: E731
                                    capture_output=True, text=True, timeout=120)
    out = run("--claim", "sw.blunt", "--draws", "800", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["level"] == "simulate" and data["target"] == 0.05
    assert 1800 <= data["draws"] <= 3000  # about (1.84 x 1.96 / 0.075)^2 = 2,300 from this pilot
    for bad, msg in ((("--claim", "sw.nope"), "unknown claim id"),
                     (("--claim", "sw.blunt", "--level", "precise"), "no precise check")):
        out = run(*bad)
        assert out.returncode == 2 and msg in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
