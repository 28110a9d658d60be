"""``scaling-verify fit``: output, strict JSON, one-line errors (exit 2) for every bad input."""

import json

import numpy as np
import pytest

from scaling_verify.cli.main import main


def _run(argv, capsys):
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def _chinchilla_csv(path, header="N,D,loss", n=6, noise=0.005, encoding="utf-8", scale_n=1.0):
    rng = np.random.default_rng(0)
    N, D = np.geomspace(1e7, 1e10, n), np.geomspace(1e9, 1e12, n)
    NN, DD = (v.ravel() for v in np.meshgrid(N, D))
    L = (1.69 + 406.4 * NN ** -0.34 + 410.7 * DD ** -0.28) * np.exp(rng.normal(0, noise, NN.size))
    path.write_text(header + "\n" + "".join(f"{a / scale_n},{b},{c}\n" for a, b, c in zip(NN, DD, L)), encoding=encoding)
    return path


def _power_csv(path, header="N,loss,extra", rows=10, extra="z"):
    x = np.geomspace(1, 1e3, rows)
    path.write_text(header + "\n" + "".join(f"{xi},{2 * xi ** -0.5},{extra}\n" for xi in x))
    return path


FAST = ["--starts", "16", "--quiet"]


def test_fit_power_json(capsys, tmp_path):
    p = _power_csv(tmp_path / "p.csv")
    rc, out, _ = _run(["fit", str(p), "--form", "power", "--json", "--bootstrap", "50", *FAST], capsys)
    assert rc == 0
    res = json.loads(out)
    assert abs(res["params"]["p"]["value"] - 0.5) < 1e-9 and len(res["params"]["p"]["ci"]) == 2
    assert res["columns"] == {"x": "N"} and res["target"] == "loss"


def test_fit_chinchilla_json_provenance_and_allocation(capsys, tmp_path):
    p = _chinchilla_csv(tmp_path / "c.csv")
    rc, out, _ = _run(["fit", str(p), "--form", "chinchilla", "--json", "--bootstrap", "10", "--compute", "1e23",
                       *FAST], capsys)
    assert rc == 0
    res = json.loads(out)
    for k in ("E", "A", "B", "alpha", "beta"):
        assert set(res["params"][k]) == {"value", "ci"} and len(res["params"][k]["ci"]) == 2
    assert res["allocation"][0]["N_opt"] > 0
    assert res["latex"].startswith("L = ") and "\\alpha" in res["latex"]
    assert len(res["input"]["sha256"]) == 64 and res["seed"] == 0 and res["bootstrap"]["requested"] == 10
    assert {"numpy", "jax", "scipy", "optax"} <= set(res["versions"])
    g = res["goodness"]
    assert g["n_points"] == 36 and g["r2_log"] > 0.99 and g["rms_log_residual"] < 0.01
    assert res["search"]["converged"] and res["search"]["starts"] == 16 and res["warnings"] == []


def test_fit_is_identical_on_rerun(capsys, tmp_path):
    p = _chinchilla_csv(tmp_path / "c.csv")
    argv = ["fit", str(p), "--form", "chinchilla", "--json", "--bootstrap", "8", *FAST]
    assert _run(argv, capsys)[1] == _run(argv, capsys)[1]


def test_bom_column_mapping_and_scale(capsys, tmp_path):
    p = _chinchilla_csv(tmp_path / "excel.csv", header="params_M,tokens,val_loss", encoding="utf-8-sig", scale_n=1e6)
    rc, out, err = _run(["fit", str(p), "--form", "chinchilla", "--col", "N=params_M", "--col", "D=tokens",
                         "--y", "val_loss", "--scale", "N=1e6", "--json", "--bootstrap", "0", *FAST], capsys)
    assert rc == 0, err
    res = json.loads(out)
    assert abs(res["params"]["alpha"]["value"] - 0.34) < 0.05 and res["scales"] == {"N": 1e6}


def test_bootstrap_0_prints_no_interval(capsys, tmp_path):
    p = _chinchilla_csv(tmp_path / "c.csv")
    rc, out, _ = _run(["fit", str(p), "--form", "chinchilla", "--bootstrap", "0", *FAST], capsys)
    assert rc == 0 and "no interval (bootstrap 0)" in out and "CI" not in out
    rc, out, _ = _run(["fit", str(p), "--form", "chinchilla", "--bootstrap", "0", "--json", *FAST], capsys)
    assert all(v["ci"] is None for v in json.loads(out)["params"].values())


def test_two_row_power_fit_has_no_zero_width_interval(capsys, tmp_path):
    p = tmp_path / "two.csv"
    p.write_text("x,y\n1,2\n10,0.6\n")
    rc, out, _ = _run(["fit", str(p), "--form", "power", *FAST], capsys)
    assert rc == 0 and "no interval (too few points" in out and "CI" not in out


def test_negative_exponent_warns_on_stderr_and_in_json(capsys, tmp_path):
    x = np.geomspace(1, 1e3, 12)
    p = tmp_path / "up.csv"
    p.write_text("x,loss\n" + "".join(f"{xi},{0.3 * xi ** 0.4}\n" for xi in x))
    rc, out, err = _run(["fit", str(p), "--form", "power", "--json", "--bootstrap", "0", *FAST], capsys)
    assert rc == 0
    res = json.loads(out)
    assert any("negative" in w for w in res["warnings"])
    assert "scaling-verify: warning: fitted exponent p" in err


def test_user_expression_and_backtest(capsys, tmp_path):
    p = _power_csv(tmp_path / "u.csv", header="N,loss,extra", rows=12)
    rc, out, err = _run(["fit", str(p), "--form-expr", "A*N**(-alpha)", "--param-init", "alpha=0.3",
                         "--backtest", "N=100", "--json", "--bootstrap", "0", *FAST], capsys)
    assert rc == 0, err
    res = json.loads(out)
    assert abs(res["params"]["alpha"]["value"] - 0.5) < 1e-6
    assert res["backtest"]["n_test"] > 0 and res["backtest"]["max_rel_error"] < 1e-5


@pytest.mark.parametrize("make,argv,msg", [
    (None, ["fit", "missing.csv", "--form", "power"], "no such file"),
    (None, ["fit", "x.csv"], "--form"),
    ("c", ["--form", "chinchilla", "--compute", "nan"], "--compute must be a positive finite"),
    ("c", ["--form", "chinchilla", "--compute", "inf"], "--compute must be a positive finite"),
    ("c", ["--form", "chinchilla", "--compute=-1e20"], "--compute must be a positive finite"),
    ("c", ["--form", "chinchilla", "--compute", "0"], "--compute must be a positive finite"),
    ("c", ["--form", "chinchilla", "--bootstrap=-1"], "--bootstrap must be >= 0"),
    ("c", ["--form", "power"], "choose one with --x"),
    ("c", ["--form", "chinchilla", "--col", "N=params"], "missing column(s) params (for N)"),
    ("c", ["--form", "chinchilla", "--scale", "N=abc"], "--scale N=abc: not a number"),
    ("c", ["--form", "chinchilla", "--scale", "N=-2"], "must be a positive finite"),
    ("c", ["--form", "kaplan", "--param-init", "zeta=1"], "has no parameter zeta"),
    ("c", ["--form-expr", "__import__('os').system('true')"], "not allowed"),
    ("few", ["--form-expr", "E + A*N**(-alpha) + B*D**(-beta)"], "too few points"),
    ("c", ["--form", "bnsl", "--x", "N", "--breaks", "9"], "--breaks must be between 1 and 4"),
    ("c", ["--form", "chinchilla", "--backtest", "N=1e30"], "no rows above the threshold"),
    ("nan", ["--form", "chinchilla"], "not finite"),
    ("zero", ["--form", "chinchilla"], "must be positive"),
    ("text", ["--form", "chinchilla"], "not a number"),
    ("few", ["--form", "chinchilla"], "too few points"),
    ("empty", ["--form", "chinchilla"], "empty CSV"),
    ("bin", ["--form", "chinchilla"], "not a UTF-8 text CSV"),
    # reliability review, item C
    ("tiny", ["--form", "chinchilla"], "outside the normal float64 range"),
    ("c", ["--form", "chinchilla", "--scale", "loss=1e-310"], "outside the normal float64 range"),
    ("c", ["--form", "chinchilla", "--huber-delta", "0"], "--huber-delta must be a positive finite"),
    ("c", ["--form", "chinchilla", "--huber-delta=-1"], "--huber-delta must be a positive finite"),
    ("c", ["--form", "chinchilla", "--bootstrap", "2.5"], "--bootstrap must be a whole number"),
    ("c", ["--form", "chinchilla", "--bootstrap", "1e8"], "at most 10000"),
    ("c", ["--form", "chinchilla", "--bootstrap", "100000000"], "at most 10000"),
    # ';' and tab are sniffed; a decimal comma in them is then a non-numeric cell
    ("semi", ["--form", "chinchilla"], "column loss is not a number: '3,5' (a decimal comma"),
    ("tab", ["--form", "chinchilla"], "column loss is not a number: '3,5' (a decimal comma"),
    ("ambig", ["--form", "chinchilla"], "cannot determine the delimiter: ',' and ';' both split every row"),
    ("c", ["--select", "--fix", "E=1"], "--select does not combine with --fix"),
    ("c", ["--select", "--form", "chinchilla"], "not allowed with argument"),
    ("comma", ["--form", "chinchilla"], "line 2 has 4 fields, header has 3 (a decimal comma"),
    ("const", ["--form", "chinchilla"], "no variation in the loss"),
    ("c", ["--form", "chinchilla", "--plot", "{file}/figs"], "--plot: cannot create folder"),
    ("c", ["--form", "chinchilla", "--plot", "{file}"], "exists and is not a folder"),
])
def test_bad_input_exits_2_with_one_line(make, argv, msg, capsys, tmp_path):
    if make is not None:
        p = tmp_path / "in.csv"
        if make == "c":
            _chinchilla_csv(p)
        elif make == "bin":
            p.write_bytes(b"\xff\xfe\x00N,D\x00\x81")
        elif make in ("semi", "tab"):
            sep = ";" if make == "semi" else "\t"
            p.write_text(sep.join(["N", "D", "loss"]) + "\n" + sep.join(["1e8", "1e9", "3,5"]) + "\n")
        elif make == "ambig":
            p.write_text("N;x,D;y,loss\n1;2,3;4,5\n2;3,4;5,6\n")
        elif make == "const":
            _chinchilla_csv(p)
            p.write_text("".join(line.rsplit(",", 1)[0] + ",2.5\n" for line in p.read_text().splitlines()[1:])
                         .join(["N,D,loss\n", ""]))
        else:
            body = {"nan": "1e8,1e9,nan\n", "zero": "0,1e9,3\n", "text": "1e8,1e9,x\n", "few": "1e8,1e9,3\n2e8,2e9,2.9\n",
                    "empty": "", "tiny": "1e8,1e9,3e-310\n", "comma": "1e8,1e9,3,5\n"}[make]
            p.write_text(("N,D,loss\n" if make != "empty" else "") + body + ("1e9,1e10,2.5\n" * (make != "empty")))
        argv = ["fit", str(p), *(a.replace("{file}", str(p)) for a in argv)]
    rc, out, err = _run(argv, capsys)
    assert rc == 2, (out, err)
    assert msg in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert out == ""


def test_compute_with_scale_states_its_units_and_agrees_with_raw_units(capsys, tmp_path):
    """--compute with --scale: the allocation is in the units after --scale (C = 6 N D), and it says so;
    N_opt_file_units is N_opt in the file's own units. The same runs in raw units give the same N_opt
    (to the fit's convergence, 1e-3 relative)."""
    raw = _chinchilla_csv(tmp_path / "raw.csv")
    mil = _chinchilla_csv(tmp_path / "mil.csv", scale_n=1e6)
    args = ["--form", "chinchilla", "--compute", "1e21", "--json", "--bootstrap", "0", *FAST]
    rc, out, err = _run(["fit", str(raw), *args], capsys)
    assert rc == 0, err
    a = json.loads(out)
    rc, out, err = _run(["fit", str(mil), *args, "--scale", "N=1e6"], capsys)
    assert rc == 0, err
    b = json.loads(out)
    assert "N_opt_file_units" not in a["allocation"][0] and "N x 1e+06" in b["allocation_units"]
    row = b["allocation"][0]
    assert row["N_opt_file_units"] * 1e6 == pytest.approx(row["N_opt"], rel=1e-12)
    assert row["D_opt_file_units"] == pytest.approx(row["D_opt"], rel=1e-12)
    assert row["N_opt"] == pytest.approx(a["allocation"][0]["N_opt"], rel=1e-3)
    assert 6 * row["N_opt"] * row["D_opt"] == pytest.approx(1e21, rel=1e-9)
    rc, out, _ = _run(["fit", str(mil), *[x for x in args if x != "--json"], "--scale", "N=1e6"], capsys)
    assert rc == 0 and "in the file's units: N_opt = " in out
    assert "allocation units: C = 6 N D with N = N x 1e+06" in out


def test_a_degenerate_direction_gets_no_zero_width_interval(capsys, tmp_path):
    """Loss scaled to 1e-300 (normal floats, far from every start): the fit is degenerate; parameters whose
    bootstrap refits all agree get no interval and a warning, never a [v, v] interval."""
    p = _chinchilla_csv(tmp_path / "c.csv")
    lines = p.read_text().splitlines()
    p.write_text(lines[0] + "\n" + "".join(f"{a},{b},{float(c) * 1e-300!r}\n" for a, b, c in
                                          (ln.split(",") for ln in lines[1:])))
    rc, out, err = _run(["fit", str(p), "--form", "chinchilla", "--bootstrap", "10", "--json", *FAST], capsys)
    assert rc == 0, err
    res = json.loads(out)
    for v in res["params"].values():
        assert v["ci"] is None or v["ci"][1] > v["ci"][0], res["params"]
    assert any(w.startswith("no interval for ") for w in res["warnings"])
