"""The same simulation code on the GPU: results agree with the CPU run (skipped without a GPU)."""

import numpy as np
import pytest

import jax

from numerics.simulate import float64

from numerics.simulate.models import random_features as rf

pytestmark = [pytest.mark.gpu, pytest.mark.simulate]


def _run_on(device):
    with jax.default_device(device), float64():
        lam, w = rf.spectrum(512, 2.0, 2.0)
        A = rf.draw_projections(jax.random.key(0), 8, 64, 512)
        eta = 0.5 * rf.stability_bound(A, lam)
        stepped = np.asarray(rf.gd_scan(A, lam, w, eta, steps=2000, every=100))
        exact = np.asarray(rf.gd_exact(A, lam, w, eta, np.arange(0, 2001, 100)))
    return stepped, exact


def test_random_feature_gd_on_gpu_matches_cpu():
    gpu_stepped, gpu_exact = _run_on(jax.devices("gpu")[0])
    cpu_stepped, cpu_exact = _run_on(jax.devices("cpu")[0])
    # float64 on both; reductions are ordered differently, so agreement is to rounding, not bitwise
    np.testing.assert_allclose(gpu_stepped, cpu_stepped, rtol=1e-10)
    np.testing.assert_allclose(gpu_exact, cpu_exact, rtol=1e-9)
    np.testing.assert_allclose(gpu_stepped, gpu_exact, rtol=1e-9)
