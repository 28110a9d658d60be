"""A user's plug-in theory built on ``scaling_verify.models.claims`` (the README's first example), written to a
temporary folder and run as a user would: through the command (``verify --module``: exit 0, every claim verified)
and through the pytest plugin (``--sv --sv-module``: symbolic, precise, simulate and power items pass)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SV = str(Path(sys.executable).parent / "scaling-verify")

PLUGIN = '''\
# plaw.py -- "the linear power-law model, in these regimes", verified by scaling-verify
import sympy as sp

import scaling_verify as sv
from scaling_verify import models

a, b = sp.symbols("a b", positive=True)
sv.register_theory(sv.Theory(id="plaw", title="Power-law regression", authors=("A. Author",), year=2026))

# lambda_k = k^-b, lambda_k w*_k^2 = k^-a; each claim gets its derivation (symbolic), 30-digit local
# exponents of the deterministic equivalent (precise), a JAX simulation with a bootstrap interval
# (simulate), and power items: x0.9, x1.1 and the wrong forms must be rejected
models.claims(
    models.PowerLaw(a=3.0, b=1.5), "plaw", source="Author 2026, eqs. 3-4",
    time_exponent=models.Scaling("t", (a - 1) / b, wrong_forms={"a/b": a / b}),
    data_exponent=models.Scaling("P", sp.Min(a - 1, 2 * b), wrong_forms={"2b": 2 * b}),
)
'''


def _run(args, cwd):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    d = tmp_path_factory.mktemp("plaw")
    (d / "plaw.py").write_text(PLUGIN)
    return d


def test_plugin_is_short():
    assert len(PLUGIN.splitlines()) <= 40


def test_verify_module_verifies_every_claim(work):
    out = _run([SV, "verify", "--module", "plaw", "--no-report", "--json"], work)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    rep = json.loads(out.stdout[out.stdout.index("{"):])
    text = json.dumps(rep)
    for cid in ("plaw.time_exponent", "plaw.data_exponent"):
        assert cid in text
    assert '"verified"' in text and "FAILED" not in text


def test_pytest_items_and_power_pass(work):
    out = _run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--sv", "--sv-module", "plaw", "-v",
                "-rA", "-W", "error"], work)
    text = out.stdout.replace("::", ".")
    assert out.returncode == 0, text[-4000:]
    for cid in ("time_exponent", "data_exponent"):
        for lv in ("symbolic", "precise", "simulate", "precise-power", "simulate-power"):
            assert f"plaw.{cid}[{lv}] PASSED" in text, (cid, lv)


@pytest.mark.parametrize("model, match", [
    ("models.PowerLaw(a=0.5, b=1.5, M=None)", "a must be > 1"),
    ("models.PowerLaw(a=3.0, b=float('nan'))", "b must be finite"),
    ("models.PowerLaw(a='3', b=1.5)", "a must be a real number"),
])
def test_a_bad_model_argument_exits_2_with_one_line(tmp_path, model, match):
    """A plug-in declaring an invalid model fails before any check runs: exit 2, one line naming the argument."""
    (tmp_path / "badplaw.py").write_text(PLUGIN.replace("models.PowerLaw(a=3.0, b=1.5)", model)
                                         .replace('"plaw"', '"badplaw"'))
    out = _run([SV, "verify", "--module", "badplaw", "--no-report"], tmp_path)
    assert out.returncode == 2, out.stdout[-2000:] + out.stderr[-2000:]
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and match in lines[0], out.stderr
