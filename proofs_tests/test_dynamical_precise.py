"""Dynamical model: 30-digit bottleneck sums, DMFT early-time check, and their power tests."""

import mpmath as mp
import pytest

from scaling_verify.checks import Context, run_check
from scaling_verify.numerics.models import mode_sums as ms
from scaling_verify.numerics.precise import dmft
from scaling_verify.numerics.precise import dynamical as pd
from scaling_verify.theory.claims import REGISTRY
from scaling_verify.theory.symbols import a, b

pytestmark = pytest.mark.precise

PRECISE = ["dynamical.size_exponent", "dynamical.ensemble_bias_exponent", "dynamical.data_exponent",
           "dynamical.ensemble_vs_width", "dynamical.early_time_correction_finite_trace"]


@pytest.mark.parametrize("claim_id", PRECISE)
def test_exact_object_agrees_with_claim(claim_id):
    res = run_check(REGISTRY.get(claim_id), "precise")
    assert res.passed, res.detail


def test_printed_size_bottleneck_is_refuted_at_30_digits():
    res = run_check(REGISTRY.get("dynamical.size_exponent_published"), "precise")
    assert not res.passed, res.detail
    assert "REJECTED" in res.detail


def test_bias_check_rejects_the_single_model_exponent():
    wrong = REGISTRY.get("dynamical.ensemble_bias_exponent").perturbed(REGISTRY.get("dynamical.size_exponent").expr)
    assert not run_check(wrong, "precise").passed


def test_bad_input_names_the_bound():
    with pytest.raises(ValueError, match="b > 1"):
        ms.kappa_of(10, 0.9)
    with pytest.raises(ValueError, match="a must be > 1"):
        ms.residual_sum(10, 1.0, 1.5)
    with pytest.raises(ValueError, match="N .* must be >= 1"):
        ms.kappa_of(0.5, 1.5)
    with pytest.raises(ValueError, match="N must be >= 1"):
        dmft.solve_R(mp.mpf(1), [mp.mpf(1)], N=0)


def test_dmft_fixed_point_satisfies_its_equation():
    with mp.workdps(30):
        lam, _ = dmft.power_spectrum(50, 2.0, 1.5)
        s = mp.mpc(0.3, 0.7)
        R = dmft.solve_R(s, lam, N=20, P=40)
        D = mp.fsum(l * R / (s + l * R) for l in lam)
        assert abs(R - (1 - D / 40) * (1 - D / 20)) < mp.mpf(10) ** -25
        # N, P -> oo: R = 1 and H_k(t) = exp(-lambda_k t)
        H = dmft.transfer_time(mp.mpf(2), 3, lam)
        assert abs(H - mp.exp(-lam[2] * 2)) < mp.mpf(10) ** -20


def test_printed_early_time_form_is_refuted_at_30_digits():
    res = run_check(REGISTRY.get("dynamical.early_time_correction"), "precise")
    assert not res.passed and "REJECTED" in res.detail, res.detail


def test_dmft_first_order_equals_the_printed_form_not_the_exact_one():
    """The DMFT's 1/N term (N = 1e8, Talbot, 30 digits) is the printed early-time form: it drops mode k's
    self-interaction. At k = 1, t = 1e-3 the printed form matches the DMFT to (T2/T) t and misses the exact
    first order by lambda_1/T = 0.42."""
    with mp.workdps(30):
        lam, _ = dmft.power_spectrum(64, 2.0, 1.5)
        T1, T2 = mp.fsum(lam), mp.fsum(l * l for l in lam)
        tv = mp.mpf("1e-3")
        d = dmft.dmft_first_order(tv, 1, lam)
        printed = REGISTRY.get("dynamical.early_time_correction").evaluate(T=T1, N=1, P=10 ** 300, t=tv, **{"lambda": lam[0]})
        exact = dmft.first_order_exact(tv, 1, lam)
        assert abs(d / printed - 1) <= T2 / T1 * tv
        assert abs(exact / d - 1 - lam[0] / T1) <= 2 * T2 / T1 * tv


def test_continuum_model_agrees_with_the_discrete_mode_sum_within_its_bound():
    """The rigorous sum-integral bound holds at the optimum, and is not vacuous: a continuum with its time
    scale off by 2 (x = t N^-b) misses the discrete sum by far more than the bound."""
    with mp.workdps(30):
        N, t = 500, mp.mpf(3000)
        disc = pd.discrete_model_loss(N, t, 2.0, 1.5)
        bound = pd.sum_integral_bound(N, t, 2.0, 1.5)
        assert abs(pd.linear_model_loss(N, t, 2.0, 1.5) - disc) <= bound < 0.01 * disc
        assert abs(pd.linear_model_loss(N, t / 2, 2.0, 1.5) - disc) > 10 * bound


def test_compute_check_fails_when_the_continuum_time_scale_is_wrong(monkeypatch):
    orig = pd.linear_model_loss
    monkeypatch.setattr(pd, "linear_model_loss", lambda N, t, a_, b_: orig(N, mp.mpf(t) / 2, a_, b_))
    monkeypatch.setattr(pd, "model_validation", pd.model_validation.__wrapped__)
    res = run_check(REGISTRY.get("dynamical.compute_loss_exponent"), "precise", Context())
    assert not res.passed and "MISMATCH" in res.detail


def test_extrapolated_budget_refuses_a_sequence_that_does_not_contract():
    """Richardson extrapolants whose changes do not shrink (ratio > 1/2) give no budget; a clean 1/n + n^-1.5
    sequence is extrapolated to its limit within the budget."""
    ns = (10 ** 5, 10 ** 6, 10 ** 7, 10 ** 8)
    clean = [mp.mpf(3) - mp.mpf(1) / n_ + mp.mpf(2) * mp.mpf(n_) ** mp.mpf(-1.5) for n_ in ns]
    ext, r, budget, ok = pd._extrapolated_budget(clean, ns, pd.SLOPE_FLOOR)
    assert ok and abs(float(ext[-1]) - 3) <= budget < 1e-10
    wobbly = [mp.mpf(3) + mp.mpf(10) ** -6 * (-1) ** i for i in range(4)]
    assert not pd._extrapolated_budget(wobbly, ns, pd.SLOPE_FLOOR)[3]
