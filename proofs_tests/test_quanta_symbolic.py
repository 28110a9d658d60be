"""Quantization model (Michaud et al. 2023): symbolic derivations, errata, and their power tests."""

import pytest
import sympy as sp

from scaling_verify.checks import run_check
from scaling_verify.theory.claims import REGISTRY
from scaling_verify.theory.quanta import alpha, alpha_N, gamma, n, validate_alpha

HOLD = [c.id for c in REGISTRY.all("quanta") if c.holds and c.derive is not None]
REFUTED = [c.id for c in REGISTRY.all("quanta") if not c.holds]


def test_at_least_six_claims_and_the_errata_are_recorded():
    claims = REGISTRY.all("quanta")
    assert len(claims) >= 6
    corrected = {c.corrects: c.id for c in claims if c.status == "corrected"}
    assert corrected == {"quanta.case2_constant": "quanta.case2_constant_exact",
                         "quanta.alpha_s_reported": "quanta.alpha_s_implied"}
    assert set(REFUTED) == set(corrected)


@pytest.mark.symbolic
@pytest.mark.parametrize("claim_id", HOLD)
def test_claim_is_derived(claim_id):
    res = run_check(REGISTRY.get(claim_id), "symbolic")
    assert res.passed, res.detail


@pytest.mark.symbolic
@pytest.mark.parametrize("claim_id", REFUTED)
def test_printed_formula_is_refuted_by_the_derivation(claim_id):
    res = run_check(REGISTRY.get(claim_id), "symbolic")
    assert not res.passed, res.detail


@pytest.mark.symbolic
def test_alpha_s_erratum_arithmetic():
    implied = REGISTRY.get("quanta.alpha_s_implied")
    assert implied.expr == sp.Rational(200, 567)
    assert abs(float(implied.expr) - 0.35273) < 1e-5
    general = REGISTRY.get("quanta.alpha_s_general").expr
    assert general.subs({alpha: sp.Rational(2, 5), gamma: sp.Rational(81, 100)}) == implied.expr


@pytest.mark.symbolic
def test_case2_paper_term_is_the_integral_approximation_of_the_entropy():
    """The printed constant equals the Case-1 closed form at n = 1, i.e. int_1^oo p(-log p) dk."""
    case1 = REGISTRY.get("quanta.case1_loss").expr.subs(n, 1)
    printed = REGISTRY.get("quanta.case2_constant")
    C = printed.symbol("C")
    assert sp.simplify(printed.expr + sp.log(C) - case1) == 0


@pytest.mark.symbolic
@pytest.mark.parametrize("claim_id,wrong", [
    ("quanta.tail_leading", n ** (-alpha) / sp.zeta(alpha + 1)),            # missing 1/alpha
    ("quanta.tail_series", (n ** (-alpha) / alpha + n ** (-alpha - 1) / 2) / sp.zeta(alpha + 1)),  # sign
    ("quanta.alpha_d", alpha),                                              # data exponent = param exponent
    ("quanta.alpha_s_general", alpha * gamma / (alpha + 1)),                # gamma on the wrong side
    ("quanta.alpha_d_identity", alpha_N / (alpha_N + 2)),
])
def test_symbolic_check_rejects_wrong_formula(claim_id, wrong):
    assert not run_check(REGISTRY.get(claim_id).perturbed(wrong), "symbolic").passed


@pytest.mark.parametrize("bad", [0, -0.5, float("nan"), "x"])
def test_bad_alpha_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="alpha must be > 0"):
        validate_alpha(bad)
