"""The scaling-verify command: subcommands, exit codes, one-line errors, the report files."""

import json
import subprocess
import sys

import numpy as np
import pytest

from numerics.cli import main


def _run(argv, capsys):
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("argv,msg", [
    (["verify", "--theory", "alchemy"], "invalid choice"),
    (["verify", "--claim", "dynamical.nope"], "unknown claim id"),
    (["verify", "--seed", "-1"], "--seed must be >= 0"),
    (["verify", "--level", "guess"], "invalid choice"),
    (["fit", "missing.csv", "--form", "power"], "no such file"),
    (["fit", "x.csv"], "--form"),
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
    from theory.claims import REGISTRY

    claim = REGISTRY.get("dynamical.time_exponent")
    monkeypatch.setitem(REGISTRY._claims, claim.id, claim.perturbed(factor=1.2))
    rc, out, _ = _run(["verify", "--claim", claim.id, "--level", "symbolic", "--no-report"], capsys)
    assert rc == 1
    assert "FAILED dynamical.time_exponent [symbolic]" in out


def test_fit_power_json(capsys, tmp_path):
    x = np.geomspace(1, 1e3, 10)
    p = tmp_path / "p.csv"
    p.write_text("N,loss,extra\n" + "".join(f"{xi},{2 * xi ** -0.5},z\n" for xi in x))
    rc, out, _ = _run(["fit", str(p), "--form", "power", "--json", "--bootstrap", "50"], capsys)
    assert rc == 0
    res = json.loads(out)
    assert abs(res["p"]["value"] - 0.5) < 1e-9 and len(res["p"]["ci"]) == 2


def test_fit_chinchilla_json_keys(capsys, tmp_path):
    rng = np.random.default_rng(0)
    N = np.geomspace(1e7, 1e10, 6)
    D = np.geomspace(1e9, 1e12, 6)
    NN, DD = (v.ravel() for v in np.meshgrid(N, D))
    L = (1.69 + 406.4 * NN ** -0.34 + 410.7 * DD ** -0.28) * np.exp(rng.normal(0, 0.005, NN.size))
    p = tmp_path / "c.csv"
    p.write_text("N,D,loss\n" + "".join(f"{n},{d},{l}\n" for n, d, l in zip(NN, DD, L)))
    rc, out, _ = _run(["fit", str(p), "--form", "chinchilla", "--json", "--bootstrap", "10",
                       "--compute", "1e23"], capsys)
    assert rc == 0
    res = json.loads(out)
    for k in ("E", "A", "B", "alpha", "beta"):
        assert set(res[k]) == {"value", "ci"}
    assert res["allocation"][0]["N_opt"] > 0


@pytest.mark.parametrize("content,msg", [("", "empty CSV"), ("N,D,loss\n1,2,x\n", "not a number"),
                                         ("N,D,loss\n" + "1,1,1\n" * 3, "too few points")])
def test_fit_malformed_csv_exits_2(capsys, tmp_path, content, msg):
    p = tmp_path / "bad.csv"
    p.write_text(content)
    rc, _, err = _run(["fit", str(p), "--form", "chinchilla"], capsys)
    assert rc == 2 and msg in err and len(err.strip().splitlines()) == 1


def test_console_script_entry_point_exit_code(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "numerics.cli", "verify", "--theory", "x"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("scaling-verify: error:")


def test_verify_through_an_executor_matches_inline():
    from concurrent.futures import ThreadPoolExecutor

    from numerics.checks import Context
    from numerics.verify import verify
    from theory.claims import REGISTRY

    claims = [REGISTRY.get("dynamical.time_prefactor"), REGISTRY.get("dynamical.size_tail_series")]
    inline = verify(claims, "precise", Context())
    with ThreadPoolExecutor(2) as ex:
        pooled = verify(claims, "precise", Context(), executor=ex)
    assert [r.verdict for r in inline] == [r.verdict for r in pooled] == ["verified", "verified"]
    assert [r.results["precise"].detail for r in inline] == [r.results["precise"].detail for r in pooled]
