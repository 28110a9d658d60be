"""Spectral model (RECONSTRUCTION of Zhang 2025): 30-digit checks and their power tests."""

import mpmath as mp
import pytest

from scaling_verify.checks import levels_for, run_check
from scaling_verify.numerics.precise.spectral import loss_sum, norm_sum
from scaling_verify.theory.claims import REGISTRY
from scaling_verify.theory.symbols import a, b

PRECISE = [c.id for c in REGISTRY.all("spectral") if "precise" in levels_for(c)]


def test_precise_coverage():
    assert len(PRECISE) >= 8


@pytest.mark.precise
@pytest.mark.parametrize("claim_id", PRECISE)
def test_exact_sums_agree_with_claim(claim_id):
    res = run_check(REGISTRY.get(claim_id), "precise")
    assert res.passed, res.detail


@pytest.mark.precise
@pytest.mark.parametrize("claim_id, wrong", [
    ("spectral.time_exponent", (a - 1) / b),          # lazy exponent: rho forgotten
    ("spectral.quantization_damage_exponent", 1 - (a - 1) / b),
])
def test_precise_rejects_classic_wrong_forms(claim_id, wrong):
    assert not run_check(REGISTRY.get(claim_id).perturbed(wrong), "precise").passed


@pytest.mark.precise
def test_amplitude_ratio_rate_is_one_minus_beta():
    res = run_check(REGISTRY.get("spectral.amplitude_ratio"), "precise")
    assert res.measured["rate"][-1] == pytest.approx(0.6, abs=5e-3)


@pytest.mark.precise
def test_series_sum_matches_direct_sum_at_small_T():
    with mp.workdps(30):
        direct = mp.fsum(mp.mpf(k) ** -2.2 * mp.exp(-2 * mp.mpf(3) * mp.mpf(k) ** -3) for k in range(1, 200000))
        tail = mp.zeta(2.2, 200000)  # exp factor is 1 - O(1e-15) there
        assert abs(loss_sum(3, 2.2, 3.0) - (direct + tail)) < 1e-14


def test_precise_bad_input():
    with pytest.raises(ValueError, match="hard tasks"):
        norm_sum(10, 5.0, 1.5)
    with pytest.raises(ValueError, match="a must be > 1"):
        loss_sum(10, 1.0, 2.0)
    with pytest.raises(ValueError, match="T must be >= 0"):
        loss_sum(-1, 2.0, 2.0)


@pytest.mark.precise
def test_norm_rate_is_the_derivative_of_the_norm_sum():
    """The closed-form T dS/dT behind the damage-exponent check equals a central difference of S (h = 1e-8 in log T:
    O(h^2) = 1e-16) at T from 10 to 1e7."""
    from scaling_verify.numerics.precise.spectral import norm_rate
    with mp.workdps(30):
        h = mp.mpf("1e-8")
        for T in (mp.mpf(10), mp.mpf(10) ** 4, mp.mpf(10) ** 7):
            fd = (norm_sum(T * mp.exp(h), 2.2, 3.0) - norm_sum(T * mp.exp(-h), 2.2, 3.0)) / (2 * h)
            assert abs(norm_rate(T, 2.2, 3.0) / fd - 1) < 1e-14
