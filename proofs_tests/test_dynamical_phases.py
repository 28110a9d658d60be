"""4+3 phases of one-pass SGD: the exact O(N) reduction of one-pass SGD's expected loss, tested
against the O(M^3) second-moment recursion, and the phase-Ia compute exponent on the real model with
power tests (x0.9, x1.1 rejected)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from scaling_verify.checks import Context, run_check
from scaling_verify.numerics.simulate import float64
from scaling_verify.numerics.simulate import phases as P
from scaling_verify.numerics.simulate.models import sgd_phases as SP
from scaling_verify.numerics.simulate.models import random_features as rf
from scaling_verify.numerics.simulate.models import rf_ensemble as E
from scaling_verify.theory.claims import REGISTRY

IA = "dynamical.phase_ia_compute_exponent"


def _small(alpha, beta, M=24, N=8, draws=3, seed=1):
    lam, w = rf.spectrum(M, *SP.ab(alpha, beta))
    with float64():
        A = jax.random.normal(jax.random.key(seed), (draws, N, M), dtype=jnp.float64)
    return A, lam, w


@pytest.mark.simulate
@pytest.mark.parametrize("alpha,beta,batch,eta", [(1.0, 0.3, 2, 0.25), (0.7, 1.2, 1, 0.1), (1.0, 0.7, 3, 0.3)])
def test_diagonal_reduction_equals_the_full_second_moment_recursion(alpha, beta, batch, eta):
    """Scan and closed form of the mode recursion equal rf_ensemble.sgd_expected_loss to 1e-10 (M = 24, N = 8,
    300 steps; measured ~3e-14, float64 rounding of the M x M recursion)."""
    A, lam, w = _small(alpha, beta)
    steps = 300
    ref = np.asarray(E.sgd_expected_loss(A, lam, w[:, None], eta, steps, batch))[:, :, 0]
    k, q, z = SP.modes(A, lam, w)
    assert np.max(np.abs(SP.loss_scan(k, q, z, eta, batch, steps) / ref - 1)) < 1e-10
    assert np.max(np.abs(SP.loss_at(k, q, z, eta, batch, np.arange(steps + 1)) / ref - 1)) < 1e-10


@pytest.mark.simulate
def test_closed_form_equals_scan_at_large_n_and_nested_widths():
    """At N = 64, M = 512, 2e4 steps (slow modes far from converged) the closed form and the scan agree to
    1e-9; the nested-width surface (widths padded to power-of-two buckets) gives the same numbers both ways."""
    A, lam, w = _small(1.0, 0.3, M=512, N=64, draws=2)
    k, q, z = SP.modes(A, lam, w)
    n = np.array([0, 1, 10, 1000, 20000])
    sc = SP.loss_scan(k, q, z, 0.15, 1, int(n.max()))[:, n]
    assert np.max(np.abs(SP.loss_at(k, q, z, 0.15, 1, n) / sc - 1)) < 1e-9
    kw = dict(alpha=1.0, beta=0.7, M=256, widths=[6, 11, 23, 32], fs=[10.0, 1e2, 1e4], draws=2)  # padded buckets
    L1, _ = SP.loss_surface(**kw, method="scan")
    L2, _ = SP.loss_surface(**kw, method="closed")
    assert np.max(np.abs(L1 / L2 - 1)) < 1e-9


@pytest.mark.simulate
def test_bad_input_raises_with_a_clear_message():
    with pytest.raises(ValueError, match="2 alpha > 1"):
        SP.ab(0.4, 1.0)
    with pytest.raises(ValueError, match="unknown phase"):
        P.Sizes.of(Context(), "IV")
    A, lam, w = _small(1.0, 0.3)
    k, q, z = SP.modes(A, lam, w)
    with pytest.raises(ValueError, match="stability"):
        SP.loss_at(k, q, z, 5.0, 1, [10])
    with pytest.raises(ValueError, match="non-negative integers"):
        SP.loss_at(k, q, z, 0.1, 1, [1.5])
    with pytest.raises(ValueError, match="N < M"):
        SP.modes(A[:, :, :8], lam[:8], w[:8])
    with pytest.raises(ValueError, match="method"):
        SP.loss_surface(1.0, 0.3, 64, [4, 8], [100.0], 1, method="euler")


@pytest.mark.simulate
def test_phase_ia_compute_exponent_simulate():
    """Exact expected SGD loss, alpha = 1, beta = 0.3: the L*(f) slope matches 8/15."""
    res = run_check(REGISTRY.get(IA), "simulate")
    assert res.passed, res.detail


@pytest.mark.simulate
@pytest.mark.slow
def test_phase_ia_compute_exponent_full_size():
    res = run_check(REGISTRY.get(IA), "simulate", Context(quick=False))
    assert res.passed, res.detail


@pytest.mark.simulate
@pytest.mark.slow
def test_phase_ii_decided_over_eight_seeds_full_size():
    """Phase II (alpha = 1, beta = 0.7), full size (M = 8192, 32 draws per seed, f = 1e3..2e6), seeds 0-7:
    measured 0.6930 [0.6801, 0.7059] (t interval over seeds; seed sd 0.0155) against 12/17 - 0.0215 = 0.6844;
    width exponent 0.411 against 7/17 = 0.412. Confirmed; x0.9 and x1.1 are rejected by the same experiment."""
    claim = REGISTRY.get("dynamical.phase_ii_compute_exponent")
    res = P.seed_pooled_verdict(claim, "II", range(8))
    assert res.passed, res.detail
    for wrong in claim.perturbations():
        assert not P.seed_pooled_verdict(wrong, "II", range(8)).passed, wrong.perturbation


@pytest.mark.simulate
@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="undecided: phase III (alpha = 0.7, beta = 1.2), M = 4096, 32 draws, seeds 0-7, "
                   "f = 1e2..3e4: 0.6867 [0.6753, 0.6981] against 9/14 = 0.6429, window halves 0.642 -> 0.714 "
                   "rising toward the gradient-flow value 0.737, width 0.592 against 1/2: still in the crossover")
def test_phase_iii_over_eight_seeds():
    claim = REGISTRY.get("dynamical.phase_iii_compute_exponent")
    res = P.seed_pooled_verdict(claim, "III", range(8), quick=True)
    assert res.passed, res.detail
