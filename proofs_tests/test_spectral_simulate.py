"""Spectral model (RECONSTRUCTION of Zhang 2025): JAX simulations (SGD under the generalized flow,
pruning and dithered-quantization sweeps) and their power tests."""

import numpy as np
import pytest

from scaling_verify.checks import Context, levels_for, run_check
from scaling_verify.numerics.simulate.models import compression_fits as fits
from scaling_verify.numerics.simulate.models import prune, quantize
from scaling_verify.numerics.simulate.models import spectral_flow as flow
from scaling_verify.numerics.simulate.models import spectral_studies as studies
from scaling_verify.theory.claims import REGISTRY
from scaling_verify.theory.symbols import a, b

SIM = [c.id for c in REGISTRY.all("spectral") if "simulate" in levels_for(c)]
# fit-form claims (Kumar, Frantar): a constant factor is the form's free amplitude (C_T) and is not judged;
# their exponent perturbations are the power tests in test_spectral_compression.py
FORMS = {"spectral.kumar_ptq_form", "spectral.kumar_ptq_form_absmax", "spectral.frantar_sparsity_form"}
SIM_SCALED = [c for c in SIM if c not in FORMS and REGISTRY.get(c).holds]


# Each check's verdict on its own claim is the [simulate] item of `pytest --sv` (in the default run); the tests
# here add what those items do not: rejections of wrong forms and looks inside the measurements.


@pytest.mark.simulate
def test_simulation_rejects_lazy_time_exponent():
    res = run_check(REGISTRY.get("spectral.time_exponent").perturbed((a - 1) / b, label="lazy"), "simulate")
    assert not res.passed, res.detail


@pytest.mark.simulate
def test_simulated_loss_is_below_its_start_and_decreasing():
    m = studies.sgd_measurement(2.2, 3.0, 10 / 7, True, 0)
    L = m.loss.mean(0)
    assert (L[1:] <= L[:-1] * 1.05).all()


def test_simulate_bad_input():
    with pytest.raises(ValueError, match="rho must be > 0"):
        flow.g_exponents(0.0)
    with pytest.raises(ValueError, match="a must be > 1"):
        flow.train(1.0, 2.0, 1.0, steps=10, M=8)
    run = flow.FlowRun(t=np.array([1.0]), w=np.zeros((1, 1)), wstar=np.ones(1), lam=np.ones(1), p=1.0, q=1.0,
                       eta=0.5, a=2.0, b=2.0)
    with pytest.raises(ValueError, match="bits must be >= 1"):
        quantize.quantization_damage(run, bits=0)


@pytest.mark.simulate
@pytest.mark.slow
@pytest.mark.parametrize("claim_id", SIM)
def test_simulation_full_size(claim_id):
    claim = REGISTRY.get(claim_id)
    res = run_check(claim, "simulate", Context(quick=False))
    assert res.passed == claim.holds, res.detail
