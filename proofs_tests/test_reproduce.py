"""Checking published fits against data (numerics/fitting/reproduce.py, numerics/fitting/published.py).

Synthetic data drawn from a known Chinchilla law L = E + A N^-alpha + B D^-beta (Hoffmann et al.,
arXiv:2203.15556) with 1 % log-normal scatter: the true parameters are reproduced, alpha x 1.1 is
refuted by the drop-in-dispersion test, a data set with a single D cannot identify beta (not
reproducible), and printed intervals far narrower than the data support are refuted. The stored runs of
Muennighoff et al. (arXiv:2305.16264) are checked in the slow tests.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from scaling_verify.numerics.fitting import published as P
from scaling_verify.numerics.fitting import reproduce as R

TRUE = {"E": 1.7, "A": 400.0, "B": 1500.0, "alpha": 0.34, "beta": 0.36}
SIGMA = 0.01


def _law(N, D, p=TRUE):
    return p["E"] + p["A"] * N ** -p["alpha"] + p["B"] * D ** -p["beta"]


def _synthetic(single_d: bool = False, seed: int = 1) -> dict[str, np.ndarray]:
    """8 x 8 = 64 runs (N from 1e7 to 1e10, D from 1e9 to 1e12), or 64 runs at one D."""
    rng = np.random.default_rng(seed)
    n_grid = np.geomspace(1e7, 1e10, 8)
    if single_d:
        N, D = np.geomspace(1e7, 1e10, 64), np.full(64, 1e11)
    else:
        N, D = (a.ravel() for a in np.meshgrid(n_grid, np.geomspace(1e9, 1e12, 8)))
    loss = _law(N, D) * np.exp(SIGMA * rng.standard_normal(N.size))
    return {"N": N, "D": D, "loss": loss}


def _record(**changes) -> P.PublishedFit:
    base = P.PublishedFit(name="synthetic", form="chinchilla", parameters=dict(TRUE), dataset=None,
                          protocol=P.Protocol(), citation="synthetic data from a known law", arxiv="",
                          source="this test", n_points=64)
    return dataclasses.replace(base, **changes)


@pytest.fixture(scope="module")
def synthetic_refit():
    return R.refit(_record(), _synthetic(), bootstrap=R.QUICK_BOOTSTRAP)


def test_true_parameters_are_reproduced(synthetic_refit):
    r = R.judge(synthetic_refit)
    assert r.outcome is R.Outcome.REPRODUCED, r.detail
    assert r.test.k == 5 and r.test.threshold == pytest.approx(11.0705, abs=1e-3)  # chi2_5(0.95)
    assert 0 <= r.test.statistic < r.test.threshold
    assert r.objective_tested >= r.objective_optimum
    assert r.unidentified == ()
    for name, v in TRUE.items():  # the refit lands near the truth
        p = r.parameter(name)
        assert p.boot_lo <= v <= p.boot_hi, (name, p)


@pytest.mark.parametrize("name,factor", [("alpha", 1.1), ("alpha", 0.9), ("beta", 1.1), ("beta", 0.9)])
def test_perturbed_exponent_is_refuted(synthetic_refit, name, factor):
    r = R.judge(synthetic_refit, R.scaled(_record(), {name: factor}))
    assert r.outcome is R.Outcome.REFUTED, r.detail
    assert r.test.statistic > r.test.threshold
    assert r.tested[name] == pytest.approx(TRUE[name] * factor)
    assert "better optimum" in r.detail


def test_reproduce_with_takes_perturbed_parameters():
    r = R.reproduce_with(_record(), R.scaled(_record(), {"alpha": 1.1}), _synthetic(), bootstrap=0)
    assert r.outcome is R.Outcome.REFUTED
    assert r.tested["alpha"] == pytest.approx(0.374)


def test_single_d_cannot_identify_beta():
    r = R.reproduce(_record(), _synthetic(single_d=True), bootstrap=R.QUICK_BOOTSTRAP)
    assert r.outcome is R.Outcome.NOT_REPRODUCIBLE, r.detail
    assert set(r.unidentified) & {"B", "beta", "E"}
    assert not r.test.rejects  # the truth is inside the (unbounded) region


def test_implausibly_narrow_printed_interval_is_refuted(synthetic_refit):
    from scaling_verify.numerics.stats import percentile_interval

    fit = synthetic_refit.fit
    j = fit.form.param_names.index("alpha")
    lo, hi = percentile_interval(fit.form.to_natural(fit.boot_theta)[:, j], 0.95)
    mid, half = TRUE["alpha"], (hi - lo) / 2

    def judged(width_fraction):
        iv = P.PrintedIntervals("95% bootstrap percentile", 0.95,
                                bounds={"alpha": (mid - width_fraction * half, mid + width_fraction * half)})
        rf = dataclasses.replace(synthetic_refit, record=_record(intervals=iv))
        return R.judge(rf)

    # a tenth of the width implies 100 x 64 points, beyond 4 x 64: refuted
    narrow = judged(0.1)
    assert narrow.outcome is R.Outcome.REFUTED and "implausibly narrow" in narrow.detail
    c = narrow.intervals[0]
    assert c.narrow and c.implied_points == pytest.approx(64 * 100, rel=1e-9) and c.narrow_limit == 4 * 64
    # the width the data support: reproduced, and the intervals overlap
    same = judged(1.0)
    assert same.outcome is R.Outcome.REPRODUCED, same.detail
    assert same.intervals[0].overlap and not same.intervals[0].narrow


def test_moving_a_held_parameter_frees_it_in_the_optimum():
    rec = _record(protocol=P.Protocol(fixed={"E": TRUE["E"]}))
    rf = R.refit(rec, _synthetic(), bootstrap=0)
    at_truth = R.judge(rf)
    assert at_truth.outcome is R.Outcome.REPRODUCED and at_truth.test.k == 4
    moved = R.judge(rf, {"E": TRUE["E"] * 1.1})
    assert moved.test.k == 5 and moved.test.rise > 0
    assert moved.outcome is R.Outcome.REFUTED, moved.detail


def test_record_whose_data_are_not_fetched_says_how_to_fetch_them(tmp_path, monkeypatch):
    from scaling_verify.numerics.fitting.datasets import DataNotFetched

    monkeypatch.setenv("SCALING_VERIFY_DATA", str(tmp_path))
    with pytest.raises(DataNotFetched, match="scaling-verify data fetch epoch_chinchilla"):
        R.refit(P.record("hoffmann2022_approach3"))


def test_record_without_public_data_needs_data():
    with pytest.raises(ValueError, match="not stored"):
        R.refit(P.record("muennighoff2023_c4_base"))


def test_unknown_parameter_is_refused(synthetic_refit):
    with pytest.raises(ValueError, match="no parameter"):
        R.judge(synthetic_refit, {"gamma": 1.0})


# ----------------------------------------------------------------------------- the records


def test_records_match_their_forms_and_sources():
    assert len(set(P.names())) == len(P.RECORDS) >= 7
    for rec in P.RECORDS:
        assert set(rec.parameters) == set(R.form_for(rec).param_names), rec.name
        assert set(rec.protocol.fixed) <= set(rec.parameters)
        assert rec.arxiv and rec.arxiv in rec.citation and rec.source
        for k, v in rec.printed_logs.items():  # natural values are exp of the printed logs
            assert rec.parameters[k] == pytest.approx(math.exp(v), rel=1e-12)
    h = P.record("hoffmann2022_approach3").parameters
    assert dict(h) == {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
    b = P.record("besiroglu2024_refit")
    assert b.parameters["A"] == 482.00572 and b.intervals.bounds["beta"] == (0.331, 0.415)
    m = P.record("muennighoff2023_decay").parameters
    assert (m["R_D_star"], m["R_N_star"]) == (15.387756, 5.309743)
    with pytest.raises(ValueError, match="unknown published fit"):
        P.record("nope")


def test_row_filters_select_the_published_rows():
    from scaling_verify.numerics.fitting import datasets

    cols = datasets.load("datablations_runs").columns
    counts = {n: int(P.record(n).protocol.rows.mask(cols, "loss").sum())
              for n in ("muennighoff2023_decay", "datablations_tied_2p5_epochs", "datablations_fixed_e_2_epochs")}
    assert counts == {"muennighoff2023_decay": 182, "datablations_tied_2p5_epochs": 62,
                      "datablations_fixed_e_2_epochs": 59}


# ----------------------------------------------------------------------------- real data (slow)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["datablations_fixed_e_2_epochs", "datablations_tied_2p5_epochs"])
def test_notebook_fits_reproduce_and_perturbed_exponents_are_refuted(name):
    rec = P.record(name)
    rf = R.refit(rec, quick=True)
    r = R.judge(rf)
    assert r.outcome is R.Outcome.REPRODUCED, r.detail
    for exp in [n for n in ("alpha", "beta") if n in rec.fitted]:
        for factor in (0.9, 1.1):
            q = R.judge(rf, R.scaled(rec, {exp: factor}))
            assert q.outcome is R.Outcome.REFUTED, (exp, factor, q.detail)


@pytest.mark.slow
def test_data_constrained_decay_is_not_identified_by_the_runs():
    rec = P.record("muennighoff2023_decay")
    rf = R.refit(rec, quick=True)
    r = R.judge(rf)
    # the printed objective (notebook cell 29: 0.015825936570763588) is what the lab computes there
    assert r.objective_tested == pytest.approx(0.015825936570763588, rel=1e-4)
    assert r.outcome is R.Outcome.NOT_REPRODUCIBLE, r.detail
    assert "R_D_star" in r.unidentified
    for exp in ("alpha", "beta"):  # held by the publication; moved, they are refuted
        for factor in (0.9, 1.1):
            q = R.judge(rf, R.scaled(rec, {exp: factor}))
            assert q.outcome is R.Outcome.REFUTED, (exp, factor, q.detail)
