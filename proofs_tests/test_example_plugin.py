"""The worked outside example: the ``sv-explaining-scaling-laws`` plug-in (examples/explaining-scaling-laws).

The distribution is installed into a temporary folder (never into the venv), then used the way a user
would: the console script from a directory outside the repository, with ``PYTHONPATH`` naming the
folder, so the theory is found through its ``scaling_verify.theories`` entry point.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "explaining-scaling-laws"
SCRIPT = Path(sys.executable).parent / "scaling-verify"


@pytest.fixture(scope="module")
def plugin(tmp_path_factory) -> Path:
    """The example installed with pip into a temporary target (offline, no build isolation)."""
    target = tmp_path_factory.mktemp("sv_plugin")
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                           "--disable-pip-version-check", "--quiet", "--target", str(target), str(EXAMPLE)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"pip install of the example failed:\n{proc.stdout}\n{proc.stderr}"
    assert (target / "explaining_scaling_laws" / "claims.py").is_file()
    assert list(target.glob("sv_explaining_scaling_laws-*.dist-info"))
    return target


def _run(args, plugin: Path, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(plugin)}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_list_shows_bahri(plugin, tmp_path):
    out = _run([str(SCRIPT), "list"], plugin, tmp_path)
    assert out.returncode == 0, out.stderr
    for name in ("variance_data_exponent", "resolution_data_exponent", "resolution_width_exponent",
                 "manifold_exponent"):
        assert f"bahri.{name}" in out.stdout


# slow (11 s): the default run keeps the same checks through pytest (with power items) and the command's exit 1
@pytest.mark.slow
def test_verify_bahri_passes(plugin, tmp_path):
    out = _run([str(SCRIPT), "verify", "--theory", "bahri", "--no-report"], plugin, tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    for name in ("variance_data_exponent", "variance_width_exponent", "resolution_data_exponent",
                 "resolution_width_exponent", "manifold_exponent"):
        assert f"bahri.{name}" in out.stdout
    assert "verified" in out.stdout.lower()


WRONG = textwrap.dedent('''
    import sympy as sp
    import scaling_verify as sv

    alpha = sp.Symbol("alpha", positive=True)
    sv.register_theory(sv.Theory(id="bahri_wrong", title="A wrong resolution exponent",
                                 authors=("Nobody",), year=2026))
    # the example's resolution-limited model (the library's power-law model, a = b = 1 + alpha) with the
    # spectral decay exponent claimed as the width exponent: the library's precise check must reject it
    sv.models.claims(sv.models.PowerLaw(a=2.0, b=2.0), "bahri_wrong", source="test", levels=("precise",),
                     symbols={"a": 1 + alpha, "b": 1 + alpha}, params={"alpha": 1.0},
                     resolution_exponent=sv.models.Scaling(
                         "N", 1 + alpha, regime=alpha > 0,
                         statement="L(P) ~ P^{-(1+alpha)} (the spectral decay exponent; wrong)."))
''')


def test_wrong_claim_exits_1(plugin, tmp_path):
    (tmp_path / "wrong_bahri.py").write_text(WRONG)
    out = _run([str(SCRIPT), "verify", "--module", "wrong_bahri", "--theory", "bahri_wrong", "--level", "precise",
                "--no-report"], plugin, tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr


def test_pytest_plugin_runs_bahri_with_power_items(plugin, tmp_path):
    """Every check of every bahri claim as a pytest item, and every numeric check's power item: the
    check is fed x0.9, x1.1 and the declared wrong form of its claim and must reject each one."""
    out = _run([sys.executable, "-m", "pytest", "--sv", "--sv-theory", "bahri", "-v", "-p", "no:cacheprovider"],
               plugin, tmp_path)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    text = out.stdout.replace("::", ".")
    power = [line for line in text.splitlines() if "-power] PASSED" in line]
    assert len(power) == 7, text[-3000:]  # 4 precise + 3 simulate checks, each rejecting every perturbation
    assert "bahri.variance_width_exponent[symbolic] PASSED" in text
