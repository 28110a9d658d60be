"""Hoffmann et al.'s approach-3 fit and its replication (Besiroglu et al., arXiv:2404.10102) as claims about the
world, on a data set fetched on demand: without the data every report says ``needs data`` and how to fetch it,
nothing is cached and no power trial is counted; with the data (this machine's fetched copy, skipped otherwise)
the verdicts are the ones the claims state, by the drop-in-dispersion test."""

from __future__ import annotations

import json

import pytest

import scaling_verify as sv
from scaling_verify.checks import NEEDS_DATA, Context, run_check
from scaling_verify.checks.power import run_trials
from scaling_verify.cli.main import main
from scaling_verify.numerics.fitting import datasets
from scaling_verify.run.seeds import SeedTally
from scaling_verify.theory.claims import REGISTRY

IDS = ("chinchilla_replication.hoffmann_approach3", "chinchilla_replication.hoffmann_approach3_unrounded",
       "chinchilla_replication.besiroglu_refit")
HAVE_DATA = datasets.is_available("epoch_chinchilla")  # before any test points the cache elsewhere


@pytest.fixture
def no_data(tmp_path, monkeypatch):
    monkeypatch.setenv("SCALING_VERIFY_DATA", str(tmp_path / "data"))
    sv.clear_caches()
    yield
    sv.clear_caches()


def test_the_claims_state_the_outcomes_of_the_replication():
    outcomes = {i: REGISTRY.get(i).outcome for i in IDS}
    assert outcomes == {IDS[0]: "refuted", IDS[1]: "refuted", IDS[2]: "reproduced"}
    assert REGISTRY.get(IDS[2]).holds and not REGISTRY.get(IDS[0]).holds


def test_without_the_data_the_verdict_is_needs_data_and_the_run_passes(no_data, tmp_path, capsys):
    junit = tmp_path / "junit.xml"
    code = main(["verify", "--theory", "chinchilla_replication", "--report", str(tmp_path / "r"),
                 "--junit", str(junit), "--cache", str(tmp_path / "cache")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "3 needs data, 0 failed" in out
    lines = [ln for ln in out.splitlines() if ln.startswith("NEEDS DATA")]
    assert len(lines) == 1 and "scaling-verify data fetch epoch_chinchilla" in lines[0]
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert {c["verdict"] for c in report["claims"]} == {NEEDS_DATA}
    assert junit.read_text().count("<skipped") == 3
    cached = [p for p in (tmp_path / "cache").rglob("*.json")] if (tmp_path / "cache").exists() else []
    assert not [p for p in cached if "chinchilla_replication" in p.read_text()]


def test_without_the_data_no_power_trial_is_judged(no_data):
    claim = REGISTRY.get(IDS[2])
    res = run_check(claim, "empirical", Context())
    assert res.needs_data and res.outcome == NEEDS_DATA and not res.agrees_with(claim)
    assert run_trials(claim, "empirical", Context()) == ()


def test_a_seed_without_data_is_not_counted_against_the_claim():
    t = SeedTally(REGISTRY.get(IDS[2]), "empirical", seeds=list(range(20)), no_data=list(range(20)))
    assert t.judged == 0 and not t.over_budget and t.rate == 0


@pytest.mark.skipif(not HAVE_DATA, reason="epoch_chinchilla is not fetched on this machine")
def test_with_the_data_hoffmann_is_refuted_and_the_replication_reproduced():
    found = {}
    for i in IDS:
        res = run_check(REGISTRY.get(i), "empirical", Context(quick=True, seed=0))
        found[i] = (res.outcome, res.values[0].value, res.values[0].predicted if hasattr(res.values[0], "predicted")
                    else None)
        assert res.agrees_with(REGISTRY.get(i)), res.detail
    assert found[IDS[0]][0] == found[IDS[1]][0] == "refuted" and found[IDS[2]][0] == "reproduced"
    assert found[IDS[0]][1] > 500 and found[IDS[1]][1] > 30 and found[IDS[2]][1] < 1


@pytest.mark.parametrize("claim_id", IDS)
def test_the_values_in_each_statement_are_the_claims_parameters(claim_id):
    """Every "name = value" a statement prints is its parameter rounded to the digits printed."""
    import re

    claim = REGISTRY.get(claim_id)
    found = re.findall(r"\b(E|A|B|alpha|beta) = ([0-9.]+)", claim.statement)
    assert {n for n, _ in found} == {"E", "A", "B", "alpha", "beta"}
    for name, text in found:
        digits = len(text.split(".")[1]) if "." in text else 0
        assert round(claim.params[name], digits) == float(text), (name, text, claim.params[name])
