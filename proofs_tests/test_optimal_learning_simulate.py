"""Gu et al. 2024: JAX simulations (meta-optimised Perceptron policy, the 2-D toy) and their power tests."""

import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp

from scaling_verify.checks import Context, run_check
from scaling_verify.numerics.simulate import optimal_learning as S
from scaling_verify.theory.claims import REGISTRY

PERCEPTRON = ["compression_ratio", "loss_rate_identity", "learning_law_costate", "acceleration_ratio"]
TOY = ["toy_switch_time", "toy_singular_control", "toy_area_gap", "toy_arc_equal_contribution"]


def claim(name):
    return REGISTRY.get("optimal_learning." + name)


# Each check's verdict on its own claim is the [simulate] item of `pytest --sv` (in the default run); the tests
# here add what those items do not: rejections of wrong forms and looks inside the measurements.


@pytest.mark.simulate
def test_printed_learning_law_is_refuted_by_simulation():
    res = run_check(claim("learning_law_printed"), "simulate")
    assert not res.passed, res.detail
    assert res.measured["median_cv_ct"] > 2 * S.KKT_THRESHOLD > res.measured["median_cv_kkt"]


@pytest.mark.simulate
@pytest.mark.parametrize("factor", [0.8, 1.25])
def test_ar_simulation_rejects_twenty_percent(factor):
    """The AR check's 10 % tolerance (fitted law vs curve) can only reject errors beyond it."""
    res = run_check(claim("acceleration_ratio").perturbed(factor=factor), "simulate")
    assert not res.passed, res.detail


@pytest.mark.simulate
def test_compression_ratio_rejects_bits_for_nats():
    c = claim("compression_ratio")
    T, V, A = c.symbols
    res = run_check(c.perturbed(T * sp.log(V, 2) / A, label="log2"), "simulate")
    assert not res.passed, res.detail


@pytest.mark.simulate
def test_kkt_check_rejects_nonzero_spread():
    res = run_check(claim("learning_law_costate").perturbed(0.5, label="spread 0.5"), "simulate")
    assert not res.passed, res.detail


@pytest.mark.simulate
def test_optimised_policy_is_on_the_simplex():
    ex = S.perceptron_experiment(True, 0)
    g = ex.gamma_opt
    assert np.all(g >= 0) and np.allclose(g.sum(axis=-1), 1, atol=1e-9)


@pytest.mark.simulate
def test_simplex_projection_matches_definition():
    v = jnp.array([0.9, -0.3, 0.6, 0.2])
    w = np.asarray(S.project_simplex(v))
    assert abs(w.sum() - 1) < 1e-12 and np.all(w >= 0)
    # optimality: w = max(v - tau, 0) with one tau; moving mass between supports cannot get closer
    tau = (v - w)[w > 0]
    assert np.allclose(tau, tau[0])
    assert np.all(np.asarray(v)[w == 0] <= tau[0] + 1e-12)


def _toy():
    return S.make_toy()


def test_negative_learning_rate_raises():
    with pytest.raises(ValueError, match="learning rate"):
        S.run_policy(_toy(), np.full((5, 2), 0.5), -0.1, model="toy")


def test_empty_data_raises():
    import jax
    with pytest.raises(ValueError, match="empty data"):
        S.make_perceptron(jax.random.key(0), 4, 0, 8)
    t = _toy()
    empty = t._replace(Z=jnp.zeros((0, 2)))
    with pytest.raises(ValueError, match="empty data"):
        S.meta_optimise(empty, 0.1, 0.1, 3, T=5, model="toy")


def test_policy_rows_not_summing_to_one_raise():
    g = np.full((5, 2), 0.5)
    g[2] = [0.7, 0.7]
    with pytest.raises(ValueError, match="sum to one"):
        S.run_policy(_toy(), g, 0.05, model="toy")
    with pytest.raises(ValueError, match="non-negative"):
        S.run_policy(_toy(), np.array([[1.5, -0.5]] * 3), 0.05, model="toy")


FULL_AR_XFAIL = pytest.mark.xfail(strict=True, reason=(
    "full size (D=16, N=128, T=200, 10k outer steps): with the protocol fixed in advance (L0 = 0, window "
    "[T/5, T]) the optimised curve is not a clean power law (r2 = 0.981 < 0.99) and the AR formula (4.76) is 14 % "
    "off the AR measured on the curves (4.10); B falls 94 % but beta falls 21 % (paper: +21 %)"))


@pytest.mark.simulate
@pytest.mark.slow
@pytest.mark.parametrize("name", PERCEPTRON[:3] + [pytest.param(PERCEPTRON[3], marks=FULL_AR_XFAIL)])
def test_full_size(name):
    res = run_check(claim(name), "simulate", Context(quick=False))
    assert res.passed, res.detail
