"""Gu et al. 2024: 30-digit checks (2-D toy optimum, Richardson to the continuum, AR and its rounding)."""

import mpmath as mp
import pytest

from scaling_verify.checks import run_check
from scaling_verify.numerics.precise import optimal_learning as P
from scaling_verify.theory.claims import REGISTRY

PRECISE = ["toy_switch_time", "toy_area_gap", "toy_singular_control", "loss_rate_identity",
           "acceleration_ratio", "ar_table", "b_decrease_table", "b_conditioning"]
REFUTED = ["ar_printed", "b_decrease_printed"]


@pytest.mark.precise
@pytest.mark.parametrize("name", PRECISE)
def test_precise_agrees_with_claim(name):
    res = run_check(REGISTRY.get("optimal_learning." + name), "precise")
    assert res.passed, res.detail


@pytest.mark.precise
@pytest.mark.parametrize("name", REFUTED)
def test_printed_paper_numbers_refuted(name):
    res = run_check(REGISTRY.get("optimal_learning." + name), "precise")
    assert not res.passed, res.detail


@pytest.mark.precise
def test_ar_rounding_box_contains_printed_value():
    """Finding: 2.41 is reachable by unrounded beta; the rounded table gives 3.17."""
    with mp.workdps(30):
        lo, hi = P.ar_rounding_box()
    assert lo < 2.41 < hi
    assert 1.5 < lo < 1.6 and 6.8 < hi < 7.0


@pytest.mark.precise
def test_richardson_removes_first_order_error():
    with mp.workdps(30):
        seq = [P.toy_discrete_optimum(e)[1] for e in P.ETAS]
        est, err = P.richardson(seq, P.ETAS, 2)
        exact = mp.mpf(11) / 16 - mp.log(2) / 8
        assert abs(seq[-1] - exact) > 1e-4          # O(eta) error of the finest discrete optimum
        assert abs(est - exact) < 1e-7


@pytest.mark.precise
def test_discrete_optimum_rejects_bad_eta():
    with pytest.raises(ValueError):
        P.toy_discrete_optimum(2.0)
