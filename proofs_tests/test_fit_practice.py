"""The fitting lab in practice: data-constrained runs before one epoch, degeneracy flags, --fix,
--group, checkpoint filters, --predict with intervals, rolling backtests, 6ND as C."""

import json

import numpy as np
import pytest

from scaling_verify.cli.main import main
from scaling_verify.numerics.fitting import forms, practice
from scaling_verify.numerics.fitting.bootstrap import resample_weights
from scaling_verify.numerics.fitting.engine import fit_form, predict

H = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
FAST = ["--starts", "16", "--quiet"]


def _chin(N, D):
    return H["E"] + H["A"] * N ** -H["alpha"] + H["B"] * D ** -H["beta"]


def _grid(n=5, noise=0.01, seed=1):
    N, D = np.geomspace(1e7, 1e9, n), np.geomspace(1e9, 1e11, n)
    NN, DD = (v.ravel() for v in np.meshgrid(N, D))
    rng = np.random.default_rng(seed)
    return NN, DD, _chin(NN, DD) * np.exp(rng.normal(0, noise, NN.size))


def _run(argv, capsys):
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


# ----------------------------------------------------------------------------- item 1: domains


def test_data_constrained_before_one_epoch_is_chinchilla():
    """D < U (a run that stopped before one epoch): U_D = min(U, D) = D, so R_D = 0, D' = D and the law
    is Chinchilla's. Before the fix D' = U + U R*(1 - e^{(1 - D/U)/R*}) with a negative R_D, which is
    not Chinchilla (and can be negative: no finite objective)."""
    f = forms.data_constrained()
    N, D = np.geomspace(1e7, 1e9, 4), np.geomspace(1e10, 1e12, 4)
    theta = np.array([np.log(H["E"]), np.log(H["A"]), np.log(H["B"]), np.log(H["alpha"]), np.log(H["beta"]),
                      np.log(15.0), np.log(5.0)])
    np.testing.assert_allclose(predict(f, theta, {"N": N, "D": D, "U": 10 * D}), _chin(N, D), rtol=1e-12)
    # a fit on single-epoch data with U > D recovers the Chinchilla exponents
    NN, DD, L = _grid(noise=0.0)
    res = fit_form(f, {"N": NN, "D": DD, "U": 3 * DD}, L, bootstrap=0, identify=False)
    assert abs(res.params()["alpha"] - 0.34) < 1e-3 and abs(res.params()["beta"] - 0.28) < 1e-3


@pytest.mark.parametrize("name", forms.BUILTIN)
def test_every_form_is_finite_on_valid_data(name):
    """Every built-in form, at random parameters spread around its start grid and on positive data in
    every order (D below and above U, N below and above the compute-optimal size), gives a finite
    positive loss and a finite gradient."""
    import jax
    import jax.numpy as jnp

    from scaling_verify.numerics.fitting.optimize import float64

    form = forms.builtin_form(name, breaks=2, floor=True)
    rng = np.random.default_rng(7)
    n = 200
    cols = {"N": 10 ** rng.uniform(5, 12, n), "D": 10 ** rng.uniform(6, 13, n), "U": 10 ** rng.uniform(6, 13, n),
            "x": 10 ** rng.uniform(0, 8, n)}
    logX = np.log(np.stack([cols[c] for c in form.columns]))
    for _ in range(20):
        theta = np.array([rng.choice(p.grid) + rng.uniform(-0.3, 0.3) for p in form.params])
        if name == "bnsl":
            theta[[i for i, p in enumerate(form.params) if p.name.startswith("d_")]] = rng.uniform(0, 18, 2)
        with float64():
            out = np.asarray(form.log_model()(jnp.asarray(theta), jnp.asarray(logX)))
            g = np.asarray(jax.grad(lambda t: jnp.sum(form.log_model()(t, jnp.asarray(logX))))(jnp.asarray(theta)))
        assert np.all(np.isfinite(out)), (name, theta)
        assert np.all(np.isfinite(g)), (name, theta)


# ----------------------------------------------------------------------------- item 2: flags


def test_unidentified_parameters_are_flagged_and_identified_ones_are_not():
    """Single-epoch data (U = 3D > D): R_D* never enters the law (R_D = 0), so its profile is flat to
    the optimiser's precision and it must be flagged "unidentified"; the Chinchilla parameters, which
    the same data determine, must not be. The flat profile's rise is below the threshold, the
    identified ones' rises are far above it (a failing check would show here)."""
    NN, DD, L = _grid()
    res = fit_form(forms.data_constrained(), {"N": NN, "D": DD, "U": 3 * DD}, L, bootstrap=0)
    assert "R_D_star" in res.flagged("unidentified")
    assert not {"E", "A", "B", "alpha", "beta"} & set(res.flagged("unidentified")), res.flags
    prof = {p.param: p for p in res.profiles}
    assert max(abs(prof["R_D_star"].rise_down), abs(prof["R_D_star"].rise_up)) < prof["R_D_star"].threshold
    for name in ("E", "alpha", "beta"):
        assert min(prof[name].rise_down, prof[name].rise_up) > 10 * prof[name].threshold, prof[name]
    assert any("R_D_star" in w and "not identified" in w for w in res.warnings)


def test_well_identified_chinchilla_fit_has_no_flags():
    NN, DD, L = _grid()
    res = fit_form(forms.chinchilla(), {"N": NN, "D": DD}, L, bootstrap=40)
    assert res.flags == () and res.warnings == ()
    c = res.curvature
    assert c.condition_number is not None and 1 < c.condition_number < 1e8
    ab = c.correlation("alpha", "beta")
    assert ab is not None and -1 <= ab.jacobian <= 1 and -1 <= ab.bootstrap <= 1


def test_exponent_over_a_tiny_range_is_flagged():
    """A power law with a floor over x in [1, 1.3]: the data cannot separate the floor, the amplitude and
    the exponent -- flagged unidentified (and a wide interval)."""
    rng = np.random.default_rng(2)
    x = np.linspace(1.0, 1.3, 30)
    y = (0.5 + 2 * x ** -0.5) * np.exp(rng.normal(0, 0.01, x.size))
    res = fit_form(forms.power(floor=True), {"x": x}, y, bootstrap=40)
    assert res.flagged("unidentified") or res.flagged("wide_interval"), res.flags
    assert set(res.flagged("unidentified")) & {"E", "c", "p"}


def test_grid_edge_flag():
    """An optimum far outside the start grid (a power-law exponent of 8, grid {slope, 0.1, 1}, pinned
    to 0.1 and 1 by --param-init-like grids) is flagged grid_edge."""
    x = np.geomspace(1, 10, 20)
    res = fit_form(forms.power(), {"x": x}, 3 * x ** -4.0, bootstrap=0, grid={"p": (0.1, 0.5, 1.0), "c": (1.0,)})
    assert "p" in res.flagged("grid_edge")
    ok = fit_form(forms.power(), {"x": x}, 3 * x ** -0.6, bootstrap=0, grid={"p": (0.1, 0.5, 1.0), "c": (1.0,)})
    assert ok.flags == ()


def test_flags_reach_the_json(capsys, tmp_path):
    NN, DD, L = _grid()
    p = tmp_path / "dc.csv"
    p.write_text("N,D,U,loss\n" + "".join(f"{a},{b},{3 * b},{c}\n" for a, b, c in zip(NN, DD, L)))
    rc, out, err = _run(["fit", str(p), "--form", "data-constrained", "--json", "--bootstrap", "0", *FAST], capsys)
    assert rc == 0, err
    res = json.loads(out)
    kinds = {(f["kind"], f["param"]) for f in res["flags"]}
    assert ("unidentified", "R_D_star") in kinds
    assert any("not identified" in w for w in res["warnings"]) and "not identified" in err
    assert {p["param"] for p in res["profiles"]} == {"E", "A", "B", "alpha", "beta", "R_D_star", "R_N_star"}


# ----------------------------------------------------------------------------- item 3: fix, group, checkpoints


def _checkpoints(path, runs=6, steps=10, noise=0.005, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for r, (N, D) in enumerate(zip(np.geomspace(1e7, 3e9, runs), np.geomspace(2e9, 1e11, runs))):
        run_shift = rng.normal(0, noise)  # one seed per run: correlated rows
        for s in range(1, steps + 1):
            d = D * s / steps
            rows.append(f"run{r},{s * 100},{N},{d},{_chin(N, d) * np.exp(run_shift + rng.normal(0, noise / 5))}")
    path.write_text("run,step,N,D,loss\n" + "\n".join(rows) + "\n")
    return path


def test_fix_pins_a_parameter(capsys, tmp_path):
    p = _checkpoints(tmp_path / "ck.csv")
    rc, out, err = _run(["fit", str(p), "--form", "chinchilla", "--fix", "E=1.69", "--json", "--bootstrap", "10",
                         *FAST], capsys)
    assert rc == 0, err
    res = json.loads(out)
    assert res["params"]["E"] == {"value": 1.69, "ci": None, "fixed": True}
    assert len(res["params"]["alpha"]["ci"]) == 2 and "E" not in {f["param"] for f in res["profiles"]}


@pytest.mark.parametrize("argv,msg", [
    (["--fix", "zeta=1"], "--fix zeta=...: form chinchilla has no parameter zeta"),
    (["--fix", "E=-1"], "--fix E=-1.0: must be a positive finite number"),
    (["--fix", "E=1", "--param-init", "E=2"], "pinned by --fix"),
    (["--group", "nope"], "missing column(s) nope"),
    (["--min-step", "5000"], "leave no rows to fit"),
    (["--drop-warmup", "1.5"], "--drop-warmup must be a fraction"),
    (["--backtest-folds", "0"], "--backtest-folds must be >= 1"),
    (["--backtest-folds", "80"], "distinct values"),
    (["--backtest-by", "Q", "--backtest-folds", "2"], "no column Q"),
])
def test_practice_options_refuse_bad_input_in_one_line(argv, msg, capsys, tmp_path):
    p = _checkpoints(tmp_path / "ck.csv")
    rc, out, err = _run(["fit", str(p), "--form", "chinchilla", *argv, *FAST], capsys)
    assert rc == 2 and msg in err, err
    assert len(err.strip().splitlines()) == 1 and out == ""


def test_group_bootstrap_resamples_whole_runs():
    """With run labels each weight row is constant within a run (a run is drawn whole)."""
    codes = np.repeat(np.arange(5), 4)
    X = np.column_stack([np.arange(20.0) + 1, np.arange(20.0)[::-1] + 1])
    w = resample_weights(X, 50, seed=1, min_distinct=2, codes=codes).weights
    for row in w:
        assert all(np.unique(row[codes == g]).size == 1 for g in range(5))
        assert row.sum() == 20  # 5 runs of 4 rows drawn


def test_group_bootstrap_widens_intervals_of_correlated_runs(capsys, tmp_path):
    """Checkpoints share their run's noise: treating rows as independent understates the uncertainty;
    the bootstrap over runs gives the wider interval."""
    p = _checkpoints(tmp_path / "ck.csv", noise=0.02)
    base = ["fit", str(p), "--form", "chinchilla", "--fix", "E=1.69", "--json", "--bootstrap", "60", *FAST]
    rows = json.loads(_run(base, capsys)[1])
    runs = json.loads(_run(base + ["--group", "run"], capsys)[1])
    width = lambda r: r["params"]["alpha"]["ci"][1] - r["params"]["alpha"]["ci"][0]  # noqa: E731
    assert runs["bootstrap"]["over"] == "runs (run)"
    assert width(runs) > 1.5 * width(rows), (width(runs), width(rows))


def test_checkpoint_filters():
    step = np.array([1, 5, 10, 2, 4, 20.0])
    runs = np.array([0, 0, 0, 1, 1, 1])
    assert practice.checkpoint_mask(step, min_step=4).tolist() == [False, True, True, False, True, True]
    assert practice.checkpoint_mask(step, drop_warmup=0.3, runs=runs).tolist() == [False, True, True,
                                                                                    False, False, True]


def test_drop_warmup_in_the_cli(capsys, tmp_path):
    p = _checkpoints(tmp_path / "ck.csv")
    rc, out, err = _run(["fit", str(p), "--form", "chinchilla", "--group", "run", "--drop-warmup", "0.5", "--json",
                         "--bootstrap", "0", *FAST], capsys)
    assert rc == 0, err
    res = json.loads(out)
    assert res["input"]["rows"] == 60 and res["goodness"]["n_points"] == 36  # steps 500..1000 of 6 runs


# ----------------------------------------------------------------------------- item 4: predictions


def test_predict_gives_intervals_that_contain_the_truth(capsys, tmp_path):
    p = _checkpoints(tmp_path / "ck.csv", noise=0.005)
    new = tmp_path / "new.csv"
    new.write_text("N,D\n1e10,2e11\n3e9,1e11\n")
    rc, out, err = _run(["fit", str(p), "--form", "chinchilla", "--predict", str(new), "--json",
                         "--bootstrap", "60", *FAST], capsys)
    assert rc == 0, err
    rows = json.loads(out)["predictions"]["rows"]
    assert len(rows) == 2
    for r in rows:
        truth = _chin(r["N"], r["D"])
        assert r["pi"][0] <= r["ci"][0] <= r["predicted"] <= r["ci"][1] <= r["pi"][1]
        assert r["pi"][0] < truth < r["pi"][1], r
    assert rows[0]["extrapolation"] > 1 and rows[1]["extrapolation"] == 1.0


@pytest.mark.parametrize("body,msg", [("N,D\n1e13,1e11\n", "beyond the fitted range"),
                                      ("N,D\n0,1e11\n", "must be positive"),
                                      ("N\n1e9\n", "missing column(s) D")])
def test_predict_refuses_rows_outside_the_domain(body, msg, capsys, tmp_path):
    p = _checkpoints(tmp_path / "ck.csv")
    new = tmp_path / "new.csv"
    new.write_text(body)
    rc, out, err = _run(["fit", str(p), "--form", "chinchilla", "--predict", str(new), "--bootstrap", "5", *FAST],
                        capsys)
    assert rc == 2 and msg in err and len(err.strip().splitlines()) == 1, err


# ----------------------------------------------------------------------------- item 5: rolling backtests


def test_rolling_folds_never_test_on_the_past():
    order = np.array([5.0, 1, 2, 3, 4, 6, 6, 1])
    folds = practice.rolling_folds(order, 2)
    assert len(folds) == 2
    for upto, train, test in folds:
        assert test.any() and train.any() and not (train & test).any()
        assert order[train].max() <= upto < order[test].min()


def test_backtest_folds_with_c_as_6nd(capsys, tmp_path):
    p = _checkpoints(tmp_path / "ck.csv")
    rc, out, err = _run(["fit", str(p), "--form", "chinchilla", "--fix", "E=1.69", "--backtest-folds", "2", "--json",
                         "--bootstrap", "30", *FAST], capsys)
    assert rc == 0, err
    bt = json.loads(out)["backtest_folds"]
    assert bt["by"] == "C" and len(bt["folds"]) == 2
    cov = bt["coverage"]
    assert cov["total"] == sum(f["n_test"] for f in bt["folds"]) and 0 <= cov["rate"] <= 1
    assert cov["binomial_stderr"] == pytest.approx(np.sqrt(cov["rate"] * (1 - cov["rate"]) / cov["total"]))
    for f in bt["folds"]:
        for pt in f["points"]:
            assert pt["pi"][0] < pt["pi"][1] and isinstance(pt["inside"], bool)
            assert 6 * pt["N"] * pt["D"] > f["fit_upto"]
    rc, out, err = _run(["fit", str(p), "--form", "chinchilla", "--backtest", "C=1e19", "--json", "--bootstrap", "0",
                         *FAST], capsys)
    assert rc == 0, err
    b = json.loads(out)["backtest"]
    assert b["column"] == "C" and b["n_fit"] + b["n_test"] == 60


# ----------------------------------------------------------------------------- families


def _families(path, runs_per_family=(5, 5), seed=0):
    rng = np.random.default_rng(seed)
    fams = {"dense": (1.7, 400.0, 400.0), "moe": (1.5, 250.0, 500.0)}
    rows = []
    for (fam, (E, A, B)), runs in zip(fams.items(), runs_per_family):
        for r, (N, D) in enumerate(zip(np.geomspace(1e7, 1e9, runs), np.geomspace(2e9, 6e10, runs))):
            for s in (5, 10):
                d = D * s / 10
                L = (E + A * N ** -0.34 + B * d ** -0.28) * np.exp(rng.normal(0, 0.002))
                rows.append(f"{fam},{fam}{r},{s * 100},{N},{d},{L}")
    path.write_text("arch,run,step,N,D,loss\n" + "\n".join(rows) + "\n")
    return path


def test_family_fit_shares_exponents_and_separates_floors(capsys, tmp_path):
    p = _families(tmp_path / "fam.csv")
    new = tmp_path / "new.csv"
    new.write_text("arch,N,D\nmoe,3e9,1e11\ndense,3e9,1e11\n")
    rc, out, err = _run(["fit", str(p), "--form", "chinchilla", "--family", "arch", "--share", "alpha,beta",
                         "--group", "run", "--predict", str(new), "--json", "--bootstrap", "20", *FAST], capsys)
    assert rc == 0, err
    res = json.loads(out)
    assert set(res["params"]) == {"alpha", "beta", "E[dense]", "A[dense]", "B[dense]", "E[moe]", "A[moe]", "B[moe]"}
    assert res["params"]["E[dense]"]["value"] > res["params"]["E[moe]"]["value"]
    assert abs(res["params"]["alpha"]["value"] - 0.34) < 0.1 and res["goodness"]["rms_log_residual"] < 0.005
    rows = {r["family"]: r for r in res["predictions"]["rows"]}
    assert rows["dense"]["predicted"] > rows["moe"]["predicted"]


def test_family_with_one_run_is_refused(capsys, tmp_path):
    """With --group a run is a run (two checkpoints of one run are one run); without it each row is one."""
    p = _families(tmp_path / "fam.csv", runs_per_family=(5, 1))
    rc, out, err = _run(["fit", str(p), "--form", "chinchilla", "--family", "arch", "--share", "alpha,beta",
                         "--group", "run", *FAST], capsys)
    assert rc == 2 and "family 'moe' has 1 run" in err and len(err.strip().splitlines()) == 1, err
    assert out == ""
    lines = p.read_text().splitlines()
    p.write_text("\n".join(lines[:-1]) + "\n")  # moe keeps a single row
    rc, out, err = _run(["fit", str(p), "--form", "chinchilla", "--family", "arch", "--share", "alpha,beta",
                         *FAST], capsys)
    assert rc == 2 and "family 'moe' has 1 run" in err, err
    rc, out, err = _run(["fit", str(p), "--form", "chinchilla", "--family", "arch", "--share", "gamma", *FAST], capsys)
    assert rc == 2 and "--share gamma" in err, err


def test_family_model_equals_the_base_law_per_family():
    """The joint model evaluated at family k's rows equals the base law with family k's parameters."""
    from scaling_verify.numerics.fitting.family import FamilyForm

    ff = FamilyForm(forms.chinchilla(), ("a", "b"), ("alpha", "beta"))
    assert ff.param_names == ("alpha", "beta", "E[a]", "A[a]", "B[a]", "E[b]", "A[b]", "B[b]")
    theta = np.array([0.3, 0.25, 0.5, 6.0, 6.5, 0.2, 5.0, 7.0])
    N, D = np.array([1e8, 1e9, 1e8]), np.array([1e10, 1e11, 1e10])
    got = predict(ff, theta, {"N": N, "D": D, "family": np.array([1.0, 2.0, 2.0])})
    a = predict(forms.chinchilla(), np.array([0.5, 6.0, 6.5, 0.3, 0.25]), {"N": N, "D": D})
    b = predict(forms.chinchilla(), np.array([0.2, 5.0, 7.0, 0.3, 0.25]), {"N": N, "D": D})
    np.testing.assert_allclose(got, [a[0], b[1], b[2]], rtol=1e-13)


# ----------------------------------------------------------------------------- CSV extras


def test_comment_lines_and_case_insensitive_columns(capsys, tmp_path):
    x = np.geomspace(1, 1e3, 10)
    p = tmp_path / "c.csv"
    p.write_text("# runs of 2024-05, seed 3\nX,Loss\n" + "".join(f"{a},{2 * a ** -0.5}\n" for a in x[:5])
                 + "# a comment, with a comma\n" + "".join(f"{a},{2 * a ** -0.5}\n" for a in x[5:]))
    rc, out, err = _run(["fit", str(p), "--form", "power", "--json", "--bootstrap", "0", *FAST], capsys)
    assert rc == 0, err
    res = json.loads(out)
    assert res["goodness"]["n_points"] == 10 and abs(res["params"]["p"]["value"] - 0.5) < 1e-8
    amb = tmp_path / "amb.csv"
    amb.write_text("x,LOSS,Loss\n1,2,2\n2,1.5,1.5\n3,1.2,1.2\n")
    rc, out, err = _run(["fit", str(amb), "--form", "power", *FAST], capsys)
    assert rc == 2 and "differ only in case" in err, err


def test_compare_reader_is_unchanged_by_lenient_mode(tmp_path):
    """The default (strict) reader still treats '#' as data: compare and other callers are unaffected."""
    from scaling_verify.numerics.fitting.io import load_table

    p = tmp_path / "c.csv"
    p.write_text("a,b\n#1,2\n3,4\n")
    assert load_table(p).n_rows == 2 and load_table(p, lenient=True).n_rows == 1
    assert not load_table(p).has("A") and load_table(p, lenient=True).has("A")


def test_a_floor_at_its_bound_is_flagged():
    """No floor in the data (a pure power law): the fitted floor E runs to 0 -- flagged (bound or
    unidentified: moving E by two decades changes nothing)."""
    x = np.geomspace(1, 1e3, 20)
    res = fit_form(forms.power(floor=True), {"x": x}, 2 * x ** -0.5, bootstrap=0, grid={"E": (-40.0,)})
    kinds = {f.kind for f in res.flags if f.param == "E"}
    assert kinds & {"bound", "unidentified"}, res.flags
    assert not {f.param for f in res.flags} & {"c", "p"}, res.flags
