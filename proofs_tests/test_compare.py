"""``compare``: the user's runs against a claim -- known exponents pass, contradicting runs fail,
bad input exits 2 with one line."""

import json

import numpy as np
import pytest
import sympy as sp

import scaling_verify as sv
from scaling_verify.checks import isolated
from scaling_verify.cli.main import main
from scaling_verify.numerics.compare import compare, read_runs
from scaling_verify.theory.claims import REGISTRY, Law

a, b = sp.symbols("a b", positive=True)


@pytest.fixture
def claim(monkeypatch):
    """A claim of a test theory: loss ~ Gamma(...)-free prefactor 2/b times t^-(a-1)/b."""
    th = sv.Theory(id="cmp", title="Compare test", authors=("T. Est",), year=2026)
    c = sv.Claim(id="cmp.time_exponent", theory="cmp", statement="L ~ (2/b) t^{-(a-1)/b}", quantity=r"\alpha",
                 expr=(a - 1) / b, symbols=(a, b), regime=(a > 1) & (b > 0), source="test",
                 params={"a": 2.0, "b": 1.5}, law=Law(x="t", y="loss", prefactor=2 / b))
    with isolated():
        sv.register_theory(th)
        sv.register(c)
        yield c


def _runs(path, p, c=4 / 3, seeds=8, noise=0.03, rng=0):
    g = np.random.default_rng(rng)
    t = np.geomspace(10, 1000, 12)
    lines = ["seed,t,loss"]
    for s in range(seeds):
        drift = g.normal(0, noise)  # a per-run offset: points of one run are correlated
        for ti in t:
            lines.append(f"{s},{ti},{c * ti ** -p * np.exp(drift + g.normal(0, noise))}")
    path.write_text("\ufeff" + "\n".join(lines) + "\n")  # with a BOM, as Excel writes it
    return path


def test_runs_with_the_claimed_exponent_are_consistent(claim, tmp_path, capsys):
    f = _runs(tmp_path / "runs.csv", p=2 / 3)
    res = compare(read_runs(f, claim, group="seed"), claim, plot=tmp_path / "c.png")
    assert res.consistent and res.resample == "groups" and res.n_groups == 8
    assert res.exponent.lo <= 2 / 3 <= res.exponent.hi and res.exponent.hi - res.exponent.lo < 0.05
    assert res.prefactor.lo <= 4 / 3 <= res.prefactor.hi
    assert (tmp_path / "c.png").stat().st_size > 5000
    rc = main(["compare", str(f), "--claim", claim.id, "--group", "seed", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["consistent"] and out["exponent"]["predicted"] == pytest.approx(2 / 3)


def test_runs_that_contradict_the_claim_are_rejected(claim, tmp_path, capsys):
    f = _runs(tmp_path / "runs.csv", p=0.6)  # 10 % off the claim's 2/3
    rc = main(["compare", str(f), "--claim", claim.id, "--group", "seed"])
    out = capsys.readouterr().out
    assert rc == 1 and "REJECTED" in out
    # the same runs agree with the claim at the parameters they were made with: (a-1)/b = 0.6, 2/b = 4/3
    assert main(["compare", str(f), "--claim", claim.id, "--group", "seed", "--param", "a=1.9",
                 "--param", "b=1.5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["params"] == {"a": 1.9, "b": 1.5}


def test_right_exponent_wrong_amplitude_is_rejected(claim, tmp_path, capsys):
    f = _runs(tmp_path / "runs.csv", p=2 / 3, c=1.6)  # amplitude 20 % above 2/b
    assert main(["compare", str(f), "--claim", claim.id, "--group", "seed"]) == 1
    assert "amplitude" in capsys.readouterr().out


def test_window_and_points_without_group(claim, tmp_path):
    f = _runs(tmp_path / "runs.csv", p=2 / 3, seeds=1)
    res = compare(read_runs(f, claim), claim, window=(20, 500))
    assert res.resample == "points" and res.n_points == sum(20 <= t <= 500 for t in np.geomspace(10, 1000, 12))


@pytest.mark.parametrize("extra,content,msg", [
    (["--claim", "cmp.nope"], None, "unknown claim id"),
    (["--x", "steps"], None, "no column 'steps'"),
    (["--param", "c=1"], None, "has no parameter 'c'"),
    (["--param", "a=x"], None, "is not a number"),
    (["--window", "5:1"], None, "0 < LO < HI"),
    (["--window", "10:30"], None, "distinct t values in the window"),
    ([], "seed,t,loss\n0,1,1\n0,2,0.5\n0,4,0.25\n", "3 distinct t values"),
    ([], "seed,t,loss\n0,1,1\n0,2,0\n0,4,0.25\n0,8,0.1\n", "values <= 0"),
    ([], "seed,t,loss\n0,1,1\n0,2,abc\n", "is not a number"),
    # one run: a between-run interval cannot be formed (it was a zero-width interval and exit 1)
    (["--group", "run"], "run,t,loss\n0,1,1\n0,2,0.5\n0,4,0.26\n0,8,0.12\n", "1 run(s) in the group column"),
    ([], "t,loss\n1,1\n2,0.5\n4,0.25\n8,0.125\n", "no scatter"),
    ([], "t,loss\n1,1\n2,0.5\n4,0.25\n8,1e-310\n", "subnormal"),
    ([], "t;loss\n1;1\n2;0,5\n", "looks ';'-separated"),
    ([], "t\tloss\n1\t1\n", "looks tab-separated"),
    ([], "t,loss\n1,1\n2,0,5\n4,0.25\n8,0.1\n", "line 3 has 3 fields, header has 2"),
    (["--plot", "runs.csv/x.png"], None, "--plot: folder"),
    (["--plot", "."], None, "is a folder"),
    (["--bias", "nan"], None, "--bias must be a finite number"),
])
def test_bad_input_exits_2(claim, tmp_path, capsys, extra, content, msg):
    f = tmp_path / "runs.csv"
    if content is None:
        _runs(f, p=2 / 3)
    else:
        f.write_text(content)
    argv = ["compare", str(f)] + (extra if "--claim" in extra else ["--claim", claim.id] + extra)
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2 and msg in err and len(err.strip().splitlines()) == 1, err


def test_a_claim_without_a_law_is_refused(tmp_path, capsys):
    f = tmp_path / "r.csv"
    f.write_text("t,loss\n1,1\n2,.5\n3,.3\n4,.25\n")
    assert main(["compare", str(f), "--claim", "quanta.case2_constant", "--x", "t"]) == 2
    assert "does not state a power law" in capsys.readouterr().err


def test_bootstrap_and_seed_are_no_longer_used_and_say_so(claim, tmp_path, capsys):
    """compare's intervals are exact t intervals now (the percentile bootstrap rejected true claims
    12.5-33 % of the time): --bootstrap/--seed are accepted for old scripts, with a warning."""
    f = _runs(tmp_path / "runs.csv", p=2 / 3)
    with pytest.warns(DeprecationWarning, match="no longer used"):
        res = compare(read_runs(f, claim, group="seed"), claim, bootstrap=1000, seed=3)
    assert res.consistent and any("no longer used" in w for w in res.warnings)
    assert main(["compare", str(f), "--claim", claim.id, "--group", "seed", "--bootstrap", "500", "--json"]) == 0
    assert any("bootstrap no longer used" in w for w in json.loads(capsys.readouterr().out)["warnings"])


def test_text_output_names_the_method_and_the_joint_test(claim, tmp_path, capsys):
    f = _runs(tmp_path / "runs.csv", p=2 / 3)
    assert main(["compare", str(f), "--claim", claim.id, "--group", "seed"]) == 0
    out = capsys.readouterr().out
    assert "t interval over 8 runs (7 degrees of freedom)" in out
    assert "joint test of exponent and amplitude: Hotelling T^2, scaled to F(2, 6)" in out
    assert out.strip().endswith("consistent")
