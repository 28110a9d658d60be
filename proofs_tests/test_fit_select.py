"""``--select`` (rank the built-in laws by AICc and leave-one-budget-out error), delimiter sniffing and the
isoFLOP / frontier plots of ``--plot``."""

import json
import math

import numpy as np
import pytest

from scaling_verify.cli.main import main
from scaling_verify.numerics.fitting import budgets, select

FAST = ["--starts", "16", "--quiet"]


def _run(argv, capsys):
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def _grid_rows(n=6, noise=0.005, seed=0):
    rng = np.random.default_rng(seed)
    N, D = np.geomspace(1e7, 1e10, n), np.geomspace(1e9, 1e12, n)
    NN, DD = (v.ravel() for v in np.meshgrid(N, D))
    L = (1.69 + 406.4 * NN ** -0.34 + 410.7 * DD ** -0.28) * np.exp(rng.normal(0, noise, NN.size))
    return NN, DD, L


def test_aicc_formula():
    """n log(RSS/n) + 2k + 2k(k+1)/(n-k-1) with k = P + 1 (Hurvich & Tsai 1989)."""
    r = np.array([0.1, -0.2, 0.05, 0.0, 0.3, -0.1, 0.02, 0.04])
    n, k = 8, 3
    want = n * math.log(np.sum(r ** 2) / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)
    assert select.aicc(r, 2) == pytest.approx(want, rel=1e-12)
    assert select.aicc(r[:4], 2) is None  # n <= k + 1


def test_budgets_group_6nd_within_ten_percent():
    C = np.array([1e20, 1.05e20, 3e20, 1e21, 0.98e21, 1e22])
    assert budgets.budget_labels(C).tolist() == [0, 0, 1, 2, 2, 3]
    assert budgets.merge_budgets(np.arange(6), 3).tolist() == [0, 0, 1, 1, 2, 2]


def test_select_prefers_chinchilla_on_chinchilla_data_semicolon_csv(capsys, tmp_path):
    """Chinchilla data (36 points, 11 budgets of C = 6ND) in a ';' file with a comment and mixed-case header:
    chinchilla must win on both criteria over kaplan (measured: leave-one-budget-out RMS log error 0.0043
    against 0.072; AICc -384 against -186), and the JSON carries the full ranking."""
    N, D, L = _grid_rows()
    p = tmp_path / "runs.csv"
    p.write_text("# a sweep\nn;D;LOSS\n" + "".join(f"{a};{b};{c}\n" for a, b, c in zip(N, D, L)))
    rc, out, err = _run(["fit", str(p), "--select", "--col", "N=n", "--json", "--bootstrap", "20", *FAST], capsys)
    assert rc == 0, err
    res = json.loads(out)
    assert res["selected"] == "chinchilla" and res["form"] == "chinchilla"
    assert [r["form"] for r in res["ranking"]] == ["chinchilla", "kaplan"]
    best, other = res["ranking"]
    assert best["leave_one_budget_out_rms_log"] < other["leave_one_budget_out_rms_log"]
    assert best["aicc"] < other["aicc"] and res["select"]["aicc_best"] == "chinchilla"
    assert res["select"]["by"] == "leave-one-budget-out" and res["select"]["budgets"] == 11
    rc, text, _ = _run(["fit", str(p), "--select", "--col", "N=n", "--bootstrap", "0", *FAST], capsys)
    assert rc == 0 and text.startswith("select: chinchilla (by leave-one-budget-out")


def test_select_finds_the_floor_of_a_power_law_with_one():
    """y = 1.5 + 3 x^-0.4 with 1 % noise at 14 x values (each its own budget): power+floor must beat the
    power law without a floor on both criteria (measured leave-one-out RMS log error 0.0071 against 0.138;
    AICc -129 against -53)."""
    from scaling_verify.numerics.fitting import forms

    rng = np.random.default_rng(1)
    x = np.geomspace(1, 1e4, 14)
    y = (1.5 + 3 * x ** -0.4) * np.exp(rng.normal(0, 0.01, x.size))
    cands = [select.Candidate("power", forms.power()), select.Candidate("power", forms.power(floor=True), floor=True)]
    sel = select.select_form(cands, {"x": x}, y, budgets.budget_labels(x))
    assert sel.selected.label == "power+floor" and sel.by == "leave-one-budget-out" and sel.n_groups == 14
    assert [r.label for r in sel.ranking] == ["power+floor", "power"] and sel.aicc_best == "power+floor"
    assert sel.ranking[0].logo_rms < sel.ranking[1].logo_rms


def test_plot_writes_isoflop_and_frontier(capsys, tmp_path):
    N, D, L = _grid_rows()
    p = tmp_path / "c.csv"
    p.write_text("N,D,loss\n" + "".join(f"{a},{b},{c}\n" for a, b, c in zip(N, D, L)))
    rc, out, err = _run(["fit", str(p), "--form", "chinchilla", "--plot", str(tmp_path / "figs"), "--json",
                         "--bootstrap", "20", *FAST], capsys)
    assert rc == 0, err
    res = json.loads(out)
    names = sorted(path.rsplit("/", 1)[1] for path in res["plots"])
    assert names == ["fit.png", "frontier.png", "isoflop.png"]
    for path in res["plots"]:
        with open(path, "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    # a law of one predictor: no isoFLOP curves, no frontier
    q = tmp_path / "pw.csv"
    q.write_text("x,loss\n" + "".join(f"{a},{2 * a ** -0.5}\n" for a in np.geomspace(1, 1e3, 10)))
    rc, out, err = _run(["fit", str(q), "--form", "power", "--plot", str(tmp_path / "g"), "--json", "--bootstrap", "0",
                         *FAST], capsys)
    assert rc == 0, err
    assert [path.rsplit("/", 1)[1] for path in json.loads(out)["plots"]] == ["fit.png"]


def test_allocation_intervals_and_profile_intervals_reach_json_and_text(capsys, tmp_path):
    N, D, L = _grid_rows()
    p = tmp_path / "c.csv"
    p.write_text("N,D,loss\n" + "".join(f"{a},{b},{c}\n" for a, b, c in zip(N, D, L)))
    argv = ["fit", str(p), "--form", "chinchilla", "--compute", "1e21", "--bootstrap", "30", *FAST]
    rc, out, err = _run(argv + ["--json"], capsys)
    assert rc == 0, err
    res = json.loads(out)
    ivs = res["allocation"][0]["intervals"]
    assert set(ivs) == {"N_opt", "D_opt", "tokens_per_param"}
    for q, iv in ivs.items():
        assert iv["delta_method"][0] < iv["value"] < iv["delta_method"][1]
        assert iv["bootstrap"][0] < iv["bootstrap"][1]
    assert set(res["profile_intervals"]) == {"alpha", "beta"}
    assert res["curvature"]["condition_number"] > 1
    rc, text, _ = _run(argv, capsys)
    assert "tokens_per_param" in text and "delta method [" in text and "; profile likelihood [" in text
    assert "corr(alpha, beta)" in text
