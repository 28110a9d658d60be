"""``scaling-verify fit`` on public files as they are published: training compute instead of tokens (model size,
training FLOP, loss: D = C/(6N) is derived, with the same scales, for the fit and for ``--predict``; an ambiguous
use of C is one line, exit 2), several curves in one file (``--where``), and step-0 checkpoints whose zero tokens
would have no logarithm (rows a filter leaves out are never parsed)."""

import json

import numpy as np

from scaling_verify.cli.main import main

TRUE = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def _compute_csv(path, header=("Model Size", "Training FLOP", "loss"), c_unit=1.0):
    N, D = np.geomspace(1e7, 1e10, 6), np.geomspace(1e9, 1e12, 6)
    NN, DD = (v.ravel() for v in np.meshgrid(N, D))
    L = TRUE["E"] + TRUE["A"] * NN ** -TRUE["alpha"] + TRUE["B"] * DD ** -TRUE["beta"]
    path.write_text(",".join(header) + "\n" + "".join(f"{float(n)!r},{float(6 * n * d / c_unit)!r},{float(l)!r}\n"
                                                       for n, d, l in zip(NN, DD, L)))
    return path


def test_tokens_are_derived_from_compute(capsys, tmp_path):
    p = _compute_csv(tmp_path / "runs.csv", c_unit=1e18)
    new = tmp_path / "new.csv"
    new.write_text("Model Size,Training FLOP\n1e9,60\n")  # 6 N D = 6e19 FLOPs, D = 1e10
    rc = main(["fit", str(p), "--form", "chinchilla", "--col", "N=Model Size", "--col", "C=Training FLOP",
               "--scale", "C=1e18", "--bootstrap", "0", "--predict", str(new), "--json", "--quiet"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert out["columns"]["D"] == "C/(6N), C = Training FLOP"
    for k, v in TRUE.items():  # noiseless data: the law's parameters, to the optimiser's precision
        assert abs(out["params"][k]["value"] - v) < 1e-6 * v, (k, out["params"][k])
    exact = TRUE["E"] + TRUE["A"] * 1e9 ** -TRUE["alpha"] + TRUE["B"] * 1e10 ** -TRUE["beta"]
    row = out["predictions"]["rows"][0]
    assert row["D"] == 1e10 and abs(row["predicted"] / exact - 1) < 1e-9


def test_compute_beside_both_n_and_d_is_refused(capsys, tmp_path):
    p = tmp_path / "runs.csv"
    p.write_text("N,D,C,loss\n1e7,1e9,6e16,4\n1e8,1e10,6e18,3\n")
    rc = main(["fit", str(p), "--form", "chinchilla", "--col", "C=C", "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "C = 6ND stands in for exactly one of them" in err[0]


def _curves_csv(path):
    rows = ["# two runs in one file, with their step-0 checkpoints", "model,step,tokens,loss"]
    for model, c in (("small", 30.0), ("large", 20.0)):
        rows.append(f"{model},0,0,11.0")
        rows += [f"{model},{s},{s * 1000},{1.5 + c * (s * 1000) ** -0.3!r}" for s in (10, 20, 50, 100, 200, 500, 1000)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_one_curve_of_a_file_with_step_zero_rows_fits_as_it_is(capsys, tmp_path):
    p = _curves_csv(tmp_path / "curves.csv")
    base = ["fit", str(p), "--form", "power", "--floor", "--x", "tokens", "--bootstrap", "0", "--json", "--quiet"]
    assert main(base + ["--where", "model=large", "--min-step", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["input"]["rows_fitted"] == 7
    assert abs(out["params"]["p"]["value"] - 0.3) < 1e-6 and abs(out["params"]["c"]["value"] - 20.0) < 1e-4
    assert main(base + ["--where", "model=large"]) == 2  # the step-0 row is kept: zero tokens, one line
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "line 11: column tokens must be positive" in err[0]
    assert main(base + ["--where", "model=medium"]) == 2
    assert "no row is left" in capsys.readouterr().err


def test_a_public_file_as_shipped_fits_and_warns_about_its_unidentified_parameters(capsys, tmp_path):
    """Muennighoff et al.'s runs as a user gets them (with single-epoch runs, U > D, and diverged runs): the
    decay constants with the C4 constants held are flagged unidentified, in the JSON and on stderr."""
    from importlib import resources

    src = resources.files("scaling_verify.numerics.fitting.datasets") / "datablations_runs.csv"
    p = tmp_path / "runs.csv"
    p.write_bytes(src.read_bytes())
    from scaling_verify.numerics.fitting import published

    held = published.record("muennighoff2023_decay").protocol.fixed  # the paper's C4 constants
    c4 = [a for k, v in held.items() for a in ("--fix", f"{k}={v!r}")]
    rc = main(["fit", str(p), "--form", "data-constrained", *c4, "--bootstrap", "0", "--starts", "8", "--json"])
    cap = capsys.readouterr()
    out = json.loads(cap.out)
    assert rc == 0 and out["goodness"]["n_points"] == 296
    for name in ("R_D_star", "R_N_star"):
        kinds = {f["kind"] for f in out["flags"] if f["param"] == name}
        assert kinds & {"unidentified", "bound"}, (name, out["flags"])
    assert "R_D_star" in cap.err and "is not identified by the data" in cap.err


def test_a_parameter_running_to_its_limit_is_flagged_bound_not_a_missed_optimum():
    """The profile still falls past the start grid in the direction the parameter ran: the data favour its
    limit (here R_D* -> infinity), which is no finite value and no optimum the search missed."""
    from scaling_verify.numerics.fitting import identify as ident
    from scaling_verify.numerics.fitting.forms import builtin_form

    form = builtin_form("data-constrained")
    names = form.param_names
    profs = tuple(ident.Profile(n, 4.6, -5e-4 if n == "R_D_star" else 1.0, -5e-4 if n == "R_D_star" else 1.0,
                                1e-4) for n in names)
    natural = [4.5e14 if n == "R_D_star" else 1.0 for n in names]
    flags = ident.profile_flags(form, profs, natural, {"R_D_star": "above"})
    assert [(f.kind, f.param) for f in flags] == [("bound", "R_D_star")]
    assert "runs towards infinity" in flags[0].message
    inside = ident.profile_flags(form, profs, natural, {})
    assert [(f.kind, f.param) for f in inside] == [("better_optimum", "R_D_star")]


def test_select_takes_compute_in_place_of_tokens(capsys, tmp_path):
    p = _compute_csv(tmp_path / "runs.csv")
    rc = main(["fit", str(p), "--select", "--col", "N=Model Size", "--col", "C=Training FLOP", "--bootstrap", "0",
               "--starts", "16", "--json", "--quiet"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["selected"] == "chinchilla" and [r["form"] for r in out["ranking"]] == ["chinchilla", "kaplan"]
    assert out["columns"]["D"] == "C/(6N), C = Training FLOP"
