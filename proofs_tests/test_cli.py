"""The scaling-verify command: subcommands, exit codes, one-line errors, the report files."""

import json
import subprocess
import sys

import pytest

from scaling_verify.cli.main import main


def _run(argv, capsys):
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("argv,msg", [
    (["verify", "--theory", "alchemy"], "unknown theory 'alchemy'"),
    (["verify", "--claim", "dynamical.nope"], "unknown claim id"),
    (["verify", "--seed", "-1"], "--seed must be in 0..4294967295"),
    (["verify", "--level", "guess"], "invalid choice"),
    (["frobnicate"], "invalid choice"),
    ([], "required"),
])
def test_bad_usage_exits_2_with_one_line(argv, msg, capsys):
    rc, out, err = _run(argv, capsys)
    assert rc == 2
    assert msg in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_list_and_latex(capsys, tmp_path):
    rc, out, _ = _run(["list", "--theory", "dynamical"], capsys)
    assert rc == 0 and "dynamical.time_exponent" in out
    rc, out, _ = _run(["latex", "--format", "macros"], capsys)
    assert rc == 0 and "\\newcommand{\\svDynamicalTimeExponent}" in out
    rc, _, _ = _run(["latex", "--format", "document", "-o", str(tmp_path / "d.tex")], capsys)
    assert rc == 0 and "\\begin{document}" in (tmp_path / "d.tex").read_text()


def test_verify_writes_report_and_exits_0(capsys, tmp_path):
    rc, out, _ = _run(["verify", "--claim", "dynamical.time_exponent", "--claim", "dynamical.compute_loss_exponent",
                       "--level", "all", "--seed", "3", "--report", str(tmp_path)], capsys)
    assert rc == 0, out
    rep = json.loads((tmp_path / "report.json").read_text())
    assert rep["seed"] == 3 and "sympy" in rep["versions"]
    ids = [c["id"] for c in rep["claims"]]
    assert ids == ["dynamical.time_exponent", "dynamical.compute_loss_exponent"]
    for c in rep["claims"]:
        assert set(c) >= {"id", "theory", "status", "statement", "latex", "source", "checks"}
        for chk in c["checks"].values():
            assert set(chk) >= {"passed", "detail", "seconds"}
            if chk["figure"]:
                assert (tmp_path / chk["figure"]).stat().st_size > 1000
    assert "dynamical.time_exponent" in (tmp_path / "report.md").read_text()


def test_verify_exits_1_when_a_check_fails(capsys, tmp_path, monkeypatch):
    from scaling_verify.theory.claims import REGISTRY

    from scaling_verify.checks import isolated

    claim = REGISTRY.get("dynamical.time_exponent")
    with isolated():
        REGISTRY.replace(claim.perturbed(factor=1.2))
        rc, out, _ = _run(["verify", "--claim", claim.id, "--level", "symbolic", "--no-report"], capsys)
    assert rc == 1
    assert "FAILED dynamical.time_exponent [symbolic]" in out


def test_console_script_entry_point_exit_code(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "scaling_verify.cli.main", "verify", "--theory", "x"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("scaling-verify: error:")


def test_verify_through_an_executor_matches_inline():
    from concurrent.futures import ThreadPoolExecutor

    from scaling_verify.checks import Context
    from scaling_verify.run.verify import verify
    from scaling_verify.theory.claims import REGISTRY

    claims = [REGISTRY.get("dynamical.time_prefactor"), REGISTRY.get("dynamical.size_tail_series")]
    inline = verify(claims, "precise", Context())
    with ThreadPoolExecutor(2) as ex:
        pooled = verify(claims, "precise", Context(), executor=ex)
    assert [r.verdict for r in inline] == [r.verdict for r in pooled] == ["verified", "verified"]
    assert [r.results["precise"].detail for r in inline] == [r.results["precise"].detail for r in pooled]
