"""Spectral model (RECONSTRUCTION of Zhang 2025, arXiv 2511.07892): symbolic derivations, power tests, user API."""

import pytest
import sympy as sp

from scaling_verify.checks import run_check
from scaling_verify.theory.claims import REGISTRY
from scaling_verify.theory.spectral import frantar_sparsity_loss, kumar_ptq_delta
from scaling_verify.theory.spectral_model import SpectralModel
from scaling_verify.theory.symbols import a, b, lam, rho, t

CLAIMS = [c.id for c in REGISTRY.all("spectral")]


def test_at_least_eight_claims_all_reconstructed():
    assert len(CLAIMS) >= 8
    for c in REGISTRY.all("spectral"):
        assert c.status == "reconstructed", c.id
        assert "reconstruct" in (c.statement + c.notes).lower(), c.id


@pytest.mark.symbolic
@pytest.mark.parametrize("claim_id", CLAIMS)
def test_claim_is_derived(claim_id):
    """Every claim's derivation agrees with it, except a refuted expectation (holds=False), which it rejects."""
    claim = REGISTRY.get(claim_id)
    res = run_check(claim, "symbolic")
    assert res.passed == claim.holds, res.detail


@pytest.mark.symbolic
@pytest.mark.parametrize("claim_id, wrong", [
    ("spectral.time_exponent", a / b),                       # the circulating t^{-a/b}
    ("spectral.time_exponent", (a - 1) / b),                 # lazy exponent: drops rho
    ("spectral.compute_exponent", (a - 1) / (b + 1)),        # lazy compute exponent
    ("spectral.quantization_damage_exponent", 1 - (a - 1) / b),  # drops rho
    ("spectral.learning_compression_invariant", sp.Integer(1)),
    ("spectral.pruning_density_exponent", 1 / b),
])
def test_symbolic_check_rejects_wrong_formula(claim_id, wrong):
    assert not run_check(REGISTRY.get(claim_id).perturbed(wrong), "symbolic").passed


@pytest.mark.symbolic
def test_amplitude_ratio_rejects_shifted_power_of_two():
    c = REGISTRY.get("spectral.amplitude_ratio")
    beta_ = (a - 1) / b
    assert not run_check(c.perturbed((1 - beta_) / (2 ** beta_ - 2)), "symbolic").passed


# ----------------------------------------------------------------------------- user API


def test_api_lazy_reduces_to_dynamical_model():
    ex = SpectralModel(2.0, 1.5, g="lazy").exponents()
    dyn = REGISTRY.get("dynamical.compute_loss_exponent").value(a=2.0, b=1.5)
    assert ex["rho"] == 1.0
    assert ex["alpha_C"] == pytest.approx(dyn, rel=1e-14)
    assert ex["alpha_t"] == pytest.approx(1 / 1.5, rel=1e-14)


def test_api_feature_learning_exponents():
    m = SpectralModel(2.2, 3.0, g="feature")
    ex = m.exponents()
    assert ex["rho"] == pytest.approx(2 / 1.4)
    assert ex["alpha_t"] == pytest.approx(2 * 0.4 / 1.4)
    assert ex["alpha_t"] + ex["gamma_D"] == pytest.approx(ex["rho"])


def test_api_sympy_g_elasticity():
    assert SpectralModel(2.2, 3.0, g=lam ** sp.Rational(1, 2) * t).rho == pytest.approx(2.0)
    assert SpectralModel(2.2, 3.0, g=lam * t * (1 + t) ** sp.Rational(3, 7)).rho == pytest.approx(10 / 7)


def test_api_latex_says_reconstructed():
    tex = SpectralModel(2.2, 3.0, g=1.5).latex()
    assert set(tex) >= {"alpha_t", "alpha_C", "gamma_D"}
    assert all("reconstructed" in v for v in tex.values())
    assert r"\rho" in tex["alpha_t"]


@pytest.mark.parametrize("kwargs, msg", [
    (dict(a=2.0, b=1.5, g=0.0), "rho must be > 0"),
    (dict(a=2.0, b=1.5, g=-1.0), "rho must be > 0"),
    (dict(a=1.0, b=1.5), "a must be > 1"),
    (dict(a=2.0, b=1.0), "b must be > 1"),
    (dict(a=2.0, b=1.5, g="__import__('os')"), "never evaluated"),
    (dict(a="2", b=1.5), "not text"),
    (dict(a=float("nan"), b=1.5), "finite"),
    (dict(a=2.0, b=1.5, g=lam * t * sp.Symbol("z", positive=True)), "only use the symbols"),
    (dict(a=2.0, b=1.5, g=-lam * t), "rho must be > 0"),
])
def test_api_bad_input_raises(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        SpectralModel(**kwargs)


def test_api_bits_and_beta_range():
    m = SpectralModel(2.2, 3.0, g=1.5)
    with pytest.raises(ValueError, match="bits must be >= 1"):
        m.ptq_damage_scale(0.5, 100.0, 1000.0)
    with pytest.raises(ValueError, match="hard task"):
        SpectralModel(5.0, 1.5).ptq_damage_scale(4, 100.0, 1000.0)
    assert "gamma_D" not in SpectralModel(5.0, 1.5).exponents()
    r = m.ptq_damage_scale(5, 100.0, 10.0) / m.ptq_damage_scale(4, 100.0, 10.0)
    assert r == pytest.approx(0.25)


def test_compression_anchor_forms():
    assert kumar_ptq_delta(1e9, 2e10, 4) > kumar_ptq_delta(1e9, 2e10, 8)
    assert kumar_ptq_delta(1e9, 2e11, 4) > kumar_ptq_delta(1e9, 2e10, 4)   # PTQ damage grows with data
    # at fixed non-zero parameters, a sparser (larger) model is better
    assert frantar_sparsity_loss(0.9, 100, 10) < frantar_sparsity_loss(0.5, 100, 10)
    with pytest.raises(ValueError, match="bits must be >= 1"):
        kumar_ptq_delta(1e9, 1e10, 0)
    with pytest.raises(ValueError, match="sparsity"):
        frantar_sparsity_loss(1.0, 100, 10)
