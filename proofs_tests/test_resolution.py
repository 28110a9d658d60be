"""The resolution of a check, measured by bisection over perturbed claims: a 30-digit check resolves far
below the power items' 10 %, a check with a stated tolerance resolves at that tolerance, a declared
target fails the power item when the check is coarser, and the command reports it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scaling_verify.checks.resolution import measure, perturbed
from scaling_verify.theory.claims import REGISTRY

SV = str(Path(sys.executable).parent / "scaling-verify")

PLUGIN = '''
import sympy as sp
import scaling_verify as sv
a = sp.Symbol("a", positive=True)
sv.register_theory(sv.Theory(id="res", title="Resolution cases", authors=("R. Es",), year=2026))
for name in ("tol3", "zero"):
    sv.register(sv.Claim(id=f"res.{name}", theory="res", quantity="q", expr=a - 1 if name != "zero" else a - a,
                         symbols=(a,), statement=name, source="test", params={"a": 2.5},
                         power=sv.PowerSpec(additive=0.05) if name == "zero" else sv.PowerSpec()))
TARGET = float(__import__("os").environ.get("SV_TARGET", "0.01"))
sv.check("res.tol3", "precise", resolution=TARGET, resolution_reason="a stated relative tolerance of 1e-3")(
    lambda c, x: sv.CheckResult(*sv.relative_verdict("v", 1.5, c.value(), rtol=1e-3)))
sv.check("res.zero", "precise")(lambda c, x: sv.CheckResult(*sv.exponent_verdict("v", 0.0, -0.002, 0.002, c.value())))
'''


def test_a_30_digit_check_resolves_far_below_ten_percent():
    claim = REGISTRY.get("quanta.tail_series")
    r = measure(claim, "precise")
    assert r.kind == "relative" and r.value is not None and r.value < 1e-10
    assert r.minus.accepted_below < r.minus.rejected_at <= 1.25 * r.minus.accepted_below


def test_perturbations_follow_the_claims_own_family():
    claim = REGISTRY.get("quanta.tail_series")
    up = perturbed(claim, 1e-3, +1)
    assert float(up.value() / claim.value()) == pytest.approx(1.001, rel=1e-12)
    with pytest.raises(ValueError, match="refuted printed formula"):
        measure(next(c for c in REGISTRY.all() if not c.holds), "precise")


@pytest.fixture
def work(tmp_path):
    (tmp_path / "res_mod.py").write_text(PLUGIN)
    return tmp_path


def test_the_command_reports_the_resolution_of_a_stated_tolerance(work):
    out = subprocess.run([SV, "verify", "--module", "res_mod", "--resolution", "--report", "rep"], cwd=work,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    rep = {c["id"]: c["checks"]["precise"]["resolution"]
           for c in json.loads((work / "rep" / "report.json").read_text())["claims"]}
    assert 1e-3 <= rep["res.tol3"]["value"] <= 1.25e-3  # the relative tolerance, found by bisection
    assert rep["res.zero"]["kind"] == "additive" and 0.002 <= rep["res.zero"]["value"] <= 0.0025
    assert "res.tol3 [precise]: resolution" in out.stdout and "target 0.01: met" in out.stdout
    checks = {c["id"]: c["checks"]["precise"] for c in json.loads((work / "rep" / "report.json").read_text())["claims"]}
    assert checks["res.tol3"]["target"]["reason"].startswith("a stated relative tolerance")
    assert checks["res.tol3"]["resolution"]["meets_target"] is True
    assert checks["res.zero"]["target"]["value"] == 1e-8 and checks["res.zero"]["resolution"]["meets_target"] is False
    assert "COARSER than its target" in (work / "rep" / "report.md").read_text()
    listed = subprocess.run([SV, "list", "--module", "res_mod", "--json", "--report", "rep"], cwd=work,
                            capture_output=True, text=True, timeout=120)
    entry = {c["id"]: c["resolution"] for c in json.loads(listed.stdout)["claims"]}["res.tol3"]["precise"]
    assert entry["target"] == 0.01 and 1e-3 <= entry["measured"]["value"] <= 1.25e-3
    tex = subprocess.run([SV, "latex", "--module", "res_mod", "--report", "rep"], cwd=work, capture_output=True,
                         text=True, timeout=120).stdout
    assert "PreciseResolution}{" in tex and "PreciseResolutionTarget}{" in tex


@pytest.mark.parametrize("target, ok", [("0.01", True), ("1e-4", False)])
def test_a_declared_target_fails_the_power_item_when_the_check_is_coarser(work, target, ok):
    out = subprocess.run([sys.executable, "-m", "pytest", "--sv", "--sv-module", "res_mod", "-q", "-p",
                          "no:cacheprovider", "-k", "tol3 and power", "-rA"], cwd=work, capture_output=True,
                         text=True, timeout=300, env={**os.environ, "SV_TARGET": target})
    assert (out.returncode == 0) == ok, out.stdout[-3000:]
    if not ok:
        assert "-0.0001 (target) [target]: ACCEPTED" in out.stdout and "resolution_reason" in out.stdout
