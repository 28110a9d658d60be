"""Cui, Loureiro, Krzakala, Zdeborova 2021 (arXiv 2105.15004) built on the model library: the rates derived from the
power-law model (b = alpha, a = 1 + 2 alpha r), the 30-digit closed-form exponent against a finite difference, the
precise checks against their claims and perturbations, and the argument errors of the decaying ridge."""

import mpmath as mp
import pytest
import sympy as sp

import scaling_verify as sv
from scaling_verify import models
from scaling_verify.numerics.models.ridge_limit import ridge_limit
from scaling_verify.theory import kernel_ridge_crossover as K

IDS = ("noiseless_optimal_rate", "noisy_optimal_rate", "effectively_noiseless_rate", "effectively_noisy_rate",
       "saturated_noiseless_rate", "crossover_line")


@pytest.mark.parametrize("name", IDS)
def test_derivations_match_the_formulas(name):
    claim = sv.REGISTRY.get(f"krr_crossover.{name}")
    ok, detail = sv.symbolic_check(claim)
    assert ok, detail


def test_values_and_sides_of_the_crossover_line():
    """alpha = 2.5, r = 0.5: the line is at 5/7; l = 0.5 lies below it (noiseless rate 0.5), l = 1 above (1 - 1/2.5)."""
    get = lambda n: sv.REGISTRY.get(f"krr_crossover.{n}")  # noqa: E731
    assert get("crossover_line").value() == pytest.approx(5 / 7)
    assert get("effectively_noiseless_rate").value() == pytest.approx(0.5) and get("effectively_noiseless_rate").in_regime()
    assert get("effectively_noisy_rate").value() == pytest.approx(0.6) and get("effectively_noisy_rate").in_regime()
    assert get("noisy_optimal_rate").value() == pytest.approx(2.5 / 3.5)
    assert get("saturated_noiseless_rate").value() == pytest.approx(5.0)
    assert not get("effectively_noisy_rate").in_regime(ell=0.6)


@pytest.mark.parametrize("kw", [dict(noise=0.5, ridge_decay=1.0), dict(noise=0.5, ridge="optimal"), dict()])
def test_closed_form_exponent_equals_a_finite_difference(kw):
    """The exact d log E/d log P (envelope theorem for the optimal ridge, implicit kappa'(P) otherwise) against a
    central difference at 30 digits (h = 1e-6: truncation ~1e-12)."""
    P, h = mp.mpf(1000), mp.mpf("1e-6")
    with mp.workdps(40):
        fd = -(mp.log(ridge_limit(P * mp.exp(h), 3.5, 2.5, **kw).excess)
               - mp.log(ridge_limit(P * mp.exp(-h), 3.5, 2.5, **kw).excess)) / (2 * h)
    assert abs(ridge_limit(P, 3.5, 2.5, **kw).slope - fd) < 1e-9


@pytest.mark.parametrize("name", IDS[:5])
def test_precise_check_accepts_the_claim_and_rejects_its_perturbations(name):
    claim = sv.REGISTRY.get(f"krr_crossover.{name}")
    assert sv.run_check(claim, "precise").passed
    for wrong in claim.perturbations():
        assert not sv.run_check(wrong, "precise").passed, wrong.perturbation


def test_decaying_ridge_arguments():
    m = models.PowerLaw(3.5, 2.5, None)
    for call, match in ((lambda: m.exponent("t", ridge_decay=0.5), "applies to variable 'P' only"),
                        (lambda: m.exponent("P", ridge=0.1, ridge_decay=0.5), "not both"),
                        (lambda: m.exponent("P", ridge_decay=0.0), "ridge_decay must be > 0"),
                        (lambda: models.Scaling("t", sp.Integer(1), noise=0.5), "variable 'P' only"),
                        (lambda: models.Scaling("P", sp.Integer(0), ridge=0.1), "exponent 0")):
        with pytest.raises(ValueError, match=match):
            call()
    e = m.exponent("P", ridge_decay=1.0, noise=0.5)
    assert e.value == pytest.approx(0.6) and e.holds
    assert not m.exponent("P", ridge_decay=3.0, noise=0.5).holds  # l > b: the ridge no longer sets kappa
