"""``scaling-verify bench``: the fitting lab on the fixed public splits (arXiv:2209.06640, 2305.16264):
a quick subset gives valid JSON with seed and versions, a rerun is identical, bad options are one line."""

import argparse
import json
import math

import pytest

from scaling_verify.cli import bench


def _args(*argv):
    p = argparse.ArgumentParser(prog="scaling-verify")
    bench.add_parser(p.add_subparsers(dest="cmd"))
    return p.parse_args(["bench", *argv])


def _run(capsys, *argv):
    rc = bench.run(_args(*argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_quick_subset_prints_valid_json_and_reruns_identically(capsys):
    rc, out, err = _run(capsys, "--dataset", "revisiting_lang", "--curves", "1", "--json")
    assert rc == 0 and "1 fits" in err
    doc = json.loads(out)
    assert doc["seed"] == bench.SEED == 0
    assert doc["versions"]["numpy"] and doc["versions"]["jax"] and doc["versions"]["python"]
    assert doc["settings"] == {"bootstrap": 0, "identify": False, "curves_per_dataset": 1,
                               "forms": {"revisiting_lang": ["power"]}}
    [ds] = doc["datasets"]
    assert ds["name"] == "revisiting_lang" and ds["licence"] == "CC-BY-4.0" and len(ds["sha256"]) == 64
    [case] = doc["cases"]
    assert case["curve"] == "NMT 6 Enc, 6 Dec" and case["form"] == "power" and case["error"] is None
    assert (case["fit_rows"], case["held_out_rows"]) == (10, 1)
    assert math.isfinite(case["rmse_log"]) and 0 <= case["rmse_log"] < 0.5
    assert set(case["params"]) == {"E", "c", "p"}
    assert doc["summary"][0]["curves"] == 1
    rc2, out2, _ = _run(capsys, "--dataset", "revisiting_lang", "--curves", "1", "--json")
    assert rc2 == 0 and out2 == out


def test_table_names_the_source_and_split(capsys):
    rc, out, _ = _run(capsys, "--dataset", "revisiting_lang", "--curves", "1")
    assert rc == 0
    assert "NMT 6 Enc, 6 Dec" in out and "rmse_log" in out and "published" in out
    assert "google-research/google-research@9853680c7817 (CC-BY-4.0)" in out and "split:" in out


@pytest.mark.parametrize("argv, message", [
    (("--dataset", "pythia_lambada"), "--dataset 'pythia_lambada' has no split"),
    (("--dataset", "nope"), "--dataset 'nope' is not a stored data set"),
    (("--form", "kaplan"), "--form 'kaplan' is not benchmarked"),
    (("--dataset", "datablations_runs", "--form", "bnsl"), "--form 'bnsl' is not benchmarked"),
    (("--curves", "0"), "--curves must be >= 1"),
])
def test_bad_options_are_one_line_before_any_fit(argv, message):
    with pytest.raises(ValueError) as exc:
        bench.run(_args(*argv))
    assert str(exc.value).startswith(message) and "\n" not in str(exc.value)


def test_optional_law_is_selected_by_form():
    chosen, laws = bench._selection(_args("--form", "bnsl"))
    assert chosen == ["revisiting_lang"] and laws == {"revisiting_lang": ("bnsl",)}
    chosen, laws = bench._selection(_args())
    assert laws == bench.FORMS


def test_main_registers_bench_with_exit_2_on_bad_input(capsys):
    from scaling_verify.cli import main as main_cli

    assert main_cli.main(["bench", "--curves", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--curves must be >= 1" in err


@pytest.mark.slow
def test_default_bench_is_deterministic(capsys):
    rc, out, _ = _run(capsys, "--json")
    rc2, out2, _ = _run(capsys, "--json")
    assert rc == rc2 == 0 and out == out2
    doc = json.loads(out)
    assert len(doc["cases"]) == 12 and all(c["error"] is None for c in doc["cases"])
    held = {c["form"]: c for c in doc["cases"] if c["dataset"] == "datablations_runs"}
    assert held["chinchilla"]["held_out_rows"] == 8 and held["data-constrained"]["rmse_log"] < 0.05
