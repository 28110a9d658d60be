"""The same simulation code on the GPU: results agree with the CPU run (skipped without a GPU)."""

import numpy as np
import pytest

import jax

from scaling_verify.numerics.simulate import float64

from scaling_verify.numerics.simulate.models import random_features as rf

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


def _teacher_ensemble_on(device):
    from scaling_verify.numerics.simulate.models import rf_ensemble as rfe

    with jax.default_device(device), float64():
        lam, W = rfe.sign_teachers(jax.random.key(1), 1024, 2.0, 1.5, 64)
        A = rf.draw_projections(jax.random.key(0), 4, 128, 1024)
        eta = 0.5 * rf.stability_bound(A, lam)
        return np.asarray(rfe.gd_scan_teachers(A, lam, W, eta, 500, every=100))


def test_teacher_ensemble_on_gpu_matches_cpu():
    """The random-feature teacher ensemble (one GEMM per step) in float64 on both devices."""
    gpu = _teacher_ensemble_on(jax.devices("gpu")[0])
    cpu = _teacher_ensemble_on(jax.devices("cpu")[0])
    assert gpu.dtype == np.float64
    np.testing.assert_allclose(gpu, cpu, rtol=1e-10)


def test_vectorised_chinchilla_fit_on_gpu_matches_cpu():
    """The vmapped L-BFGS over starts and bootstrap resamples reaches the same optimum on the GPU."""
    from scaling_verify.numerics.fit import fit_chinchilla

    rng = np.random.default_rng(0)
    N, D = (v.ravel() for v in np.meshgrid(np.geomspace(1e7, 1e10, 8), np.geomspace(1e9, 1e12, 8)))
    L = (1.69 + 406.4 * N ** -0.34 + 410.7 * D ** -0.28) * np.exp(rng.normal(0, 0.005, N.size))
    fits = []
    for dev in (jax.devices("gpu")[0], jax.devices("cpu")[0]):
        with jax.default_device(dev):
            fits.append(fit_chinchilla(N, D, L, bootstrap=20, seed=0))
    gpu, cpu = fits
    for name in ("E", "A", "B", "alpha", "beta"):
        np.testing.assert_allclose(getattr(gpu, name), getattr(cpu, name), rtol=1e-6)
