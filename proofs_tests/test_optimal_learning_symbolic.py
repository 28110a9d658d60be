"""Gu et al. 2024 (Learning Law): symbolic derivations, and their power tests."""

import pytest
import sympy as sp

from scaling_verify.checks import run_check
from scaling_verify.theory.claims import REGISTRY
from scaling_verify.theory import optimal_learning as O

HOLDING = [c.id for c in REGISTRY.all("optimal_learning") if c.holds and c.derive is not None]
REFUTED = [c.id for c in REGISTRY.all("optimal_learning") if not c.holds and c.derive is not None]


def test_at_least_six_claims_derive():
    assert len(HOLDING) >= 6


@pytest.mark.symbolic
@pytest.mark.parametrize("claim_id", HOLDING)
def test_claim_is_derived(claim_id):
    res = run_check(REGISTRY.get(claim_id), "symbolic")
    assert res.passed, res.detail


@pytest.mark.symbolic
@pytest.mark.parametrize("claim_id", REFUTED)
def test_printed_number_is_refuted_by_its_own_table(claim_id):
    res = run_check(REGISTRY.get(claim_id), "symbolic")
    assert not res.passed, res.detail


@pytest.mark.symbolic
@pytest.mark.parametrize("claim_id", HOLDING)
def test_symbolic_check_rejects_ten_percent(claim_id):
    claim = REGISTRY.get(claim_id)
    if claim.expr == 0:
        wrong = claim.perturbed(sp.Rational(1, 10), label="+0.1")
    else:
        wrong = claim.perturbed(factor=1.1)
    assert not run_check(wrong, "symbolic").passed


@pytest.mark.symbolic
def test_toy_pontryagin_structure():
    d = O.toy_pontryagin()
    assert d["x_arc"] == sp.Rational(1, 2) and d["p_x_arc"] == 0
    assert sp.simplify(d["sigma"] - 2 * sp.Symbol("p_x", real=True)) == 0   # sigma = dH/dgamma_1 = 2 p_x
    assert d["ct_diff"] == 0 and d["costate_diff"] == 0


@pytest.mark.symbolic
def test_acceleration_ratio_rejects_inverted_exponent():
    c = REGISTRY.get("optimal_learning.acceleration_ratio")
    T, B1, B2, b1, b2 = c.symbols
    wrong = c.perturbed(T ** (1 - b2 / b1) * B1 ** (b2 / b1) / B2, label="beta_2/beta_1")
    assert not run_check(wrong, "symbolic").passed


@pytest.mark.symbolic
def test_paper_numbers_arithmetic():
    assert abs(float(O.b_decrease_at_table1()) - 0.93703) < 1e-5
    assert abs(float(O.ar_at_table1()) - 3.1708) < 1e-4
