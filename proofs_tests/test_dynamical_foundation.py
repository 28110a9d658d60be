"""Dynamical model, foundation claims: symbolic derivations, 30-digit checks, and their power tests."""

import pytest


from scaling_verify.checks import run_check
from scaling_verify.theory.claims import REGISTRY
from scaling_verify.theory.symbols import a, b

FOUNDATION = [
    "dynamical.time_exponent", "dynamical.time_prefactor", "dynamical.size_tail_series",
    "dynamical.compute_loss_exponent", "dynamical.compute_width_exponent", "dynamical.compute_time_exponent",
]


@pytest.mark.symbolic
@pytest.mark.parametrize("claim_id", FOUNDATION)
def test_claim_is_derived_by_the_engine(claim_id):
    res = run_check(REGISTRY.get(claim_id), "symbolic")
    assert res.passed, res.detail


@pytest.mark.symbolic
def test_symbolic_check_rejects_the_seed_time_exponent_a_over_b():
    wrong = REGISTRY.get("dynamical.time_exponent").perturbed(a / b, label="a/b")
    assert not run_check(wrong, "symbolic").passed


@pytest.mark.precise
@pytest.mark.parametrize("claim_id", FOUNDATION[1:] + FOUNDATION[:1])
def test_exact_sum_agrees_with_claim(claim_id):
    res = run_check(REGISTRY.get(claim_id), "precise")
    assert res.passed, res.detail


@pytest.mark.precise
def test_precise_time_check_rejects_a_over_b():
    res = run_check(REGISTRY.get("dynamical.time_exponent").perturbed(a / b, label="a/b"), "precise")
    assert not res.passed, res.detail


@pytest.mark.precise
def test_tail_series_check_rejects_a_wrong_correction_term():
    claim = REGISTRY.get("dynamical.size_tail_series")
    N = claim.symbol("N")
    wrong = claim.perturbed(claim.expr - a * N ** (-a - 1) / 12 + a * N ** (-a - 1) / 10)
    assert not run_check(wrong, "precise").passed
