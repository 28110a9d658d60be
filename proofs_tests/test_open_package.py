"""The open package: theories and checks registered from outside, strict registration, CI-grade
exits of ``scaling-verify verify``, JUnit/JSON output, the pytest plugin and its power items."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sympy as sp

import scaling_verify as sv
from scaling_verify import checks as C
from scaling_verify.cli.main import main
from scaling_verify.theory.claims import REGISTRY

BIN = Path(sys.executable).parent


def _run(argv, capsys):
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


# A tiny outside theory: the tail of k^-a, with an honest precise check and a check with no power.
THEORY_SRC = '''
import mpmath
import sympy as sp
import scaling_verify as sv

a, N = sp.symbols("a N", positive=True)
sv.register_theory(sv.Theory(id="{tid}", title="Tails", authors=("A. Author",), year=2026))
sv.register(sv.Claim(id="{tid}.tail_exponent", theory="{tid}", quantity="p", expr={expr}, symbols=(a,),
    statement="tail exponent", regime=a > 1, source="here", params={{"a": 2.5}}, wrong_forms={{"a": a}},
    derive=lambda: sv.asymptotics.power_of(sv.asymptotics.tail_sum(a, N)[0][0], N).exponent))
sv.register(sv.Claim(id="{tid}.lazy", theory="{tid}", quantity="q", expr=a, symbols=(a,),
    statement="a claim checked by a check that cannot fail", source="here", params={{"a": 2.5}}))
sv.register(sv.Claim(id="{tid}.bare", theory="{tid}", quantity="r", expr=a, symbols=(a,),
    statement="a claim with no check", source="here", params={{"a": 2.5}}))

@sv.check("{tid}.tail_exponent", "precise", resolution=2e-6,
          resolution_reason="the tolerance, the first omitted Euler-Maclaurin term a/(2n(a-1)) = 8.3e-7 at "
                            "n = 1e6, plus the slope's own 5e-7 offset from its limit there")
def _(claim, ctx):
    a_, n = claim.params["a"], 10 ** 6
    with mpmath.workdps(30):
        slope = -n * mpmath.diff(lambda x: mpmath.log(mpmath.zeta(a_, x + 1)), n)
    ok, detail = sv.relative_verdict("slope", slope, claim.value(), rtol=a_ / (2 * n * (a_ - 1)))
    return sv.CheckResult(ok, detail)

@sv.check("{tid}.lazy", "precise")
def _(claim, ctx):
    return sv.CheckResult(claim.value() > 0, "positive")

@sv.check("{tid}.lazy", "simulate", power_exempt="a one-sided bound: a larger value also satisfies it")
def _(claim, ctx):
    return sv.CheckResult(claim.value() > 0, "positive")
'''


@pytest.fixture(autouse=True)
def isolated_registry():
    """Theories, claims, checks and modules registered by a test are removed after it."""
    modules, path = set(sys.modules), list(sys.path)
    with sv.isolated():
        yield
    for m in set(sys.modules) - modules:
        if m.endswith("_mod"):
            del sys.modules[m]
    sys.path[:] = path


def _write_theory(folder: Path, tid: str = "tails", expr: str = "a - 1") -> str:
    (folder / f"{tid}_mod.py").write_text(THEORY_SRC.format(tid=tid, expr=expr))
    return f"{tid}_mod"


def test_public_face_exports_the_api_without_jax():
    code = ("import sys, scaling_verify as sv; assert 'jax' not in sys.modules; "
            "names = ['Claim', 'Theory', 'register', 'register_theory', 'REGISTRY', 'check', 'CheckResult', "
            "'Context', 'verify', 'exponent_verdict', 'relative_verdict', 'asymptotics', 'fit_power_law', "
            "'fit_chinchilla', 'render_latex', 'compare', 'PowerSpec']; "
            "assert set(names) <= set(dir(sv)); "
            "[getattr(sv, n) for n in names if not n.startswith('fit')]; assert 'jax' not in sys.modules; "
            "assert callable(sv.fit_chinchilla)")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_a_project_with_its_own_theory_package_is_untouched_by_the_installed_plugin(tmp_path):
    """scaling-verify takes no generic top-level name: a project with its own ``theory``/``numerics``
    packages imports them, and its plain ``python -m pytest`` passes with our plugin loaded, without --sv
    (which imports only the two standard-library tables its options are declared from)."""
    for pkg in ("theory", "numerics"):
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text(f"WHO = 'the project {pkg}'\n")
    (tmp_path / "test_own.py").write_text(
        "import sys\nimport theory, numerics\n\n"
        "def test_own():\n"
        "    assert theory.WHO == 'the project theory' and numerics.WHO == 'the project numerics'\n"
        "    ours = {m for m in sys.modules if m.startswith('scaling_verify')}\n"
        "    assert ours <= {'scaling_verify', 'scaling_verify.pytest_plugin', 'scaling_verify.levels', "
        "'scaling_verify.selection'}, ours\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_own.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "1 passed" in proc.stdout
    code = ("import scaling_verify as sv, theory; assert theory.WHO == 'the project theory'; "
            "assert sv.REGISTRY.get('dynamical.time_exponent').theory == 'dynamical'")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_builtin_theories_are_registered_with_their_sources():
    ids = [t.id for t in REGISTRY.theories()]
    assert {"dynamical", "spectral", "quanta", "equivariance", "optimal_learning"} <= set(ids)
    dyn = REGISTRY.theory("dynamical")
    assert dyn.arxiv == "2402.01092" and dyn.year == 2024 and "Bordelon" in dyn.authors[0]
    with pytest.raises(ValueError, match="closest: dynamical"):
        REGISTRY.theory("dynamicl")


def test_theory_and_claim_validation():
    with pytest.raises(ValueError, match="lower case"):
        sv.Theory(id="My-Theory", title="t", authors=("x",), year=2020)
    with pytest.raises(ValueError, match="tuple of names"):
        sv.Theory(id="t", title="t", authors="A. Author", year=2020)
    a = sp.Symbol("a", positive=True)
    claim = sv.Claim(id="nowhere.x", theory="nowhere", statement="s", quantity="q", expr=a, symbols=(a,), source="s")
    with pytest.raises(ValueError, match="theory 'nowhere' is not registered"):
        REGISTRY.register(claim)


def test_perturbations_default_additive_exponents_and_wrong_forms():
    a, x = sp.symbols("a x", positive=True)
    base = dict(id="t.c", theory="t", statement="s", quantity="q", symbols=(a, x), source="s", params={"a": 2.0, "x": 3.0})
    c = sv.Claim(expr=a - 1, wrong_forms={"a": a}, **base)
    assert [p.perturbation for p in c.perturbations()] == ["x0.9", "x1.1", "a"]
    assert [p.value() for p in c.perturbations()] == pytest.approx([0.9, 1.1, 2.0])
    z = sv.Claim(expr=a - 2, power=sv.PowerSpec(additive=0.05), **base)
    assert [p.value() for p in z.perturbations()] == pytest.approx([-0.05, 0.05])
    form = sv.Claim(expr=x ** (-a), power=sv.PowerSpec(exponents=("x",)), **base)
    vals = [p.value() for p in form.perturbations()]
    assert vals == pytest.approx([3.0 ** (-2 * 0.9), 3.0 ** (-2 * 1.1)])
    with pytest.raises(ValueError, match="not one of its symbols"):
        sv.Claim(expr=a, power=sv.PowerSpec(exponents=("y",)), **base)


def test_check_registration_is_strict():
    fn = lambda claim, ctx: C.CheckResult(True, "")  # noqa: E731
    C.check("dynamical.time_exponnt", "precise")(fn)
    with pytest.raises(C.CheckRegistrationError, match="closest known: dynamical.time_exponent"):
        C.validate_checks()

    def other(claim, ctx):
        return C.CheckResult(True, "")
    C.check("dynamical.nothing_here", "simulate")(fn)
    with pytest.raises(C.CheckRegistrationError, match="two simulate checks"):
        C.check("dynamical.nothing_here", "simulate")(other)
    with pytest.raises(C.CheckRegistrationError, match="evidence"):
        C.check("dynamical.time_exponent", "precise", evidence="vibes")


def test_outside_module_verifies_fails_and_reports_unchecked(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    mod = _write_theory(tmp_path)
    rc, out, _ = _run(["verify", "--module", mod, "--claim", "tails.tail_exponent", "--no-report"], capsys)
    assert rc == 0 and "1 verified" in out
    rc, out, _ = _run(["verify", "--module", mod, "--claim", "tails.bare", "--no-report"], capsys)
    assert rc == 1 and "UNCHECKED tails.bare" in out
    rc, out, _ = _run(["verify", "--module", mod, "--claim", "tails.bare", "--no-report", "--allow-unchecked"], capsys)
    assert rc == 0
    wrong = _write_theory(tmp_path, "tailswrong", expr="a")
    rc, out, _ = _run(["verify", "--module", wrong, "--claim", "tailswrong.tail_exponent", "--no-report"], capsys)
    assert rc == 1 and "FAILED tailswrong.tail_exponent [symbolic]" in out and "[precise]" in out


def test_symbolic_level_does_not_import_jax(tmp_path):
    code = ("import sys; from scaling_verify.cli.main import main; "
            "rc = main(['verify', '--theory', 'quanta', '--level', 'symbolic', '--no-report', '--json']); "
            "assert 'jax' not in sys.modules, 'jax imported'; sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ok"] is True


@pytest.mark.parametrize("argv,msg", [
    (["verify", "--report", "FILE"], "is not a directory"),
    (["verify", "--report", "FILE/sub"], "not writable"),
    (["verify", "--seed", str(2 ** 32)], "--seed must be in 0..4294967295"),
    (["verify", "--module", "no_such_module_here"], "'no_such_module_here' failed to import"),
    (["verify", "--module", "broken_mod"], "ZeroDivisionError"),
    (["verify", "--claim", "dynamical.time_exponnt"], "closest: dynamical.time_exponent"),
    (["list", "--theory", "nope"], "unknown theory 'nope'"),
])
def test_bad_input_exits_2_before_any_check(argv, msg, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "FILE").write_text("x")
    (tmp_path / "broken_mod.py").write_text("1 / 0\n")
    rc, out, err = _run(argv, capsys)
    assert rc == 2 and msg in err and len(err.strip().splitlines()) == 1 and not out


def test_internal_error_exits_3_with_one_line(monkeypatch, capsys):
    from scaling_verify.cli import verify as verify_cli

    def boom(*a, **k):
        raise RuntimeError("something broke\nsecond line")
    monkeypatch.setattr(verify_cli, "_finish", boom)
    rc, _, err = _run(["verify", "--claim", "dynamical.time_exponent", "--level", "symbolic", "--no-report"], capsys)
    assert rc == 3
    assert err.strip().splitlines()[-1] == ("scaling-verify: internal error: RuntimeError: something broke "
                           "(rerun with --debug for the traceback)")


def test_junit_json_and_list_json(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    mod = _write_theory(tmp_path)
    rc, out, _ = _run(["verify", "--module", mod, "--theory", "tails", "--no-report", "--json",
                       "--junit", "out/junit.xml"], capsys)
    assert rc == 1  # tails.bare is unchecked
    summary = json.loads(out)
    assert summary["failed"] == ["tails.bare"] and summary["counts"]["verified"] == 2
    root = ET.parse(tmp_path / "out" / "junit.xml").getroot()
    names = sorted(c.get("name") for c in root.iter("testcase"))
    assert names == ["tails.bare[unchecked]", "tails.lazy[precise]", "tails.lazy[simulate]",
                     "tails.tail_exponent[precise]", "tails.tail_exponent[symbolic]"]
    assert root.find("testsuite").get("failures") == "1"
    rc, out, _ = _run(["list", "--module", mod, "--theory", "tails", "--json"], capsys)
    listed = {c["id"]: c["levels"] for c in json.loads(out)["claims"]}
    assert listed == {"tails.tail_exponent": ["symbolic", "precise"], "tails.lazy": ["precise", "simulate"],
                      "tails.bare": []}


def test_pytest_plugin_items_and_power(tmp_path):
    mod = _write_theory(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--sv", "--sv-module", mod,
                           "--sv-theory", "tails", "-v", "-rA"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    out = proc.stdout
    assert proc.returncode == 1, out
    for line in ("tail_exponent[symbolic] PASSED", "tail_exponent[precise] PASSED",
                 "tail_exponent[precise-power] PASSED", "lazy[precise] PASSED", "lazy[precise-power] FAILED",
                 "bare[unchecked] FAILED", "lazy[simulate-power] SKIPPED"):
        assert line in out.replace("::", "."), line
    assert "accepted perturbed claims x0.9, x1.1" in out
    assert "power exempt: a one-sided bound" in out
    assert "2 failed, 5 passed, 1 skipped" in out


def test_pytest_plugin_bad_module_is_a_usage_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--sv", "--sv-module", "nope_mod"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 4 and "'nope_mod' failed to import" in proc.stderr


def _readme_recipe() -> str:
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    start = text.index("```python\n# mytheory.py")
    return text[start + len("```python\n"): text.index("```", start + 3)]


def test_readme_recipe_runs_from_outside_the_repository(tmp_path):
    """The README's own-theory recipe, written to a temporary folder and run through the installed
    command and the pytest plugin only."""
    (tmp_path / "mytheory.py").write_text(_readme_recipe())
    env_cmd = [str(BIN / "scaling-verify"), "verify", "--module", "mytheory", "--theory", "mytheory", "--no-report"]
    proc = subprocess.run(env_cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--sv", "--sv-module", "mytheory",
                           "--sv-theory", "mytheory", "-v"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout
    assert "tail_exponent[precise-power] PASSED" in proc.stdout.replace("::", ".")


def test_plugin_helpers_are_public():
    """A plug-in's own checks use the same measurement cache and float64 switch as the built-in ones."""
    import scaling_verify as sv
    from scaling_verify.checks import measurement as M
    from scaling_verify.numerics import simulate as S

    assert sv.measurement is M.measurement and sv.float64 is S.float64 and sv.with_float64 is S.with_float64
    assert {"measurement", "float64", "with_float64", "models"} <= set(sv.__all__)


def test_module_folders_leave_sys_path_with_the_command(tmp_path, monkeypatch, capsys):
    """``--module`` puts the user's folder on sys.path for the command only (main() may run in-process)."""
    import sys

    from scaling_verify.cli.main import main

    (tmp_path / "pathmod.py").write_text(THEORY_SRC.format(tid="pathmod", expr="a - 1"))
    monkeypatch.chdir(tmp_path)
    before = list(sys.path)
    try:
        assert main(["verify", "--module", "pathmod", "--level", "symbolic", "--no-report", "--allow-unchecked"]) == 0
        assert sys.path == before and str(tmp_path) not in sys.path
    finally:
        sys.modules.pop("pathmod", None)


def test_clear_caches_forgets_measurements_and_derivations():
    import scaling_verify as sv
    from scaling_verify.checks.measurement import measurement_stats
    from scaling_verify.theory import spectral

    calls = []

    @sv.measurement
    def doubled(x: float) -> float:
        calls.append(x)
        return 2 * x

    doubled(1.0), doubled(1.0)
    spectral.loss_asymptotics()
    assert len(calls) == 1 and spectral.loss_asymptotics.cache_info().currsize == 1
    sv.clear_caches()
    assert measurement_stats() == {} and spectral.loss_asymptotics.cache_info().currsize == 0
    doubled(1.0)
    assert len(calls) == 2
