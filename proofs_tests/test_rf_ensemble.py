"""Matrix-level teacher ensembles (numerics/simulate/rf_ensemble.py) against random_features and the DMFT."""

import jax
import mpmath as mp
import numpy as np
import pytest

from scaling_verify.numerics.simulate.models import random_features as rf
from scaling_verify.numerics.simulate.models import rf_ensemble as rfe

pytestmark = pytest.mark.simulate

E, N, M, T, a, b = 3, 16, 64, 5, 2.0, 1.5


@pytest.fixture(scope="module", autouse=True)
def _float64():
    """The models compute in float64 inside their own scope; the tests combine their arrays with
    jnp operations too, so the whole module runs in the same scope."""
    from scaling_verify.numerics.simulate import float64

    with float64():
        yield


@pytest.fixture(scope="module")
def setup():
    lam, W = rfe.sign_teachers(jax.random.key(1), M, a, b, T)
    A = rf.draw_projections(jax.random.key(0), E, N, M)
    eta = 0.5 * rf.stability_bound(A, lam)
    return A, lam, W, eta


def test_sign_teachers_have_the_paper_spectrum():
    lam, W = rfe.sign_teachers(jax.random.key(2), 50, a, b, 7)
    k = np.arange(1, 51.0)
    np.testing.assert_allclose(np.asarray(lam)[:, None] * np.asarray(W) ** 2, np.repeat((k ** -a)[:, None], 7, 1), rtol=1e-14)
    np.testing.assert_array_equal(np.asarray(W[:, 0]), np.asarray(rf.spectrum(50, a, b)[1]))
    assert np.any(np.asarray(W[:, 1:]) < 0)


def test_teacher_scan_matches_random_features_gd_scan(setup):
    """Every teacher column reproduces rf.gd_scan run on that teacher alone (to 1e-10)."""
    A, lam, W, eta = setup
    L = np.asarray(rfe.gd_scan_teachers(A, lam, W, eta, 200, every=40))
    for j in range(T):
        ref = np.asarray(rf.gd_scan(A, lam, W[:, j], eta, 200, every=40))
        assert np.max(np.abs(L[:, :, j] / ref - 1)) < 1e-10


def test_exact_teachers_match_stepping_and_gd_exact(setup):
    A, lam, W, eta = setup
    steps = np.arange(0, 201, 40)
    Lx = np.asarray(rfe.gd_exact_teachers(A, lam, W, eta, steps))
    Ls = np.asarray(rfe.gd_scan_teachers(A, lam, W, eta, 200, every=40))
    assert np.max(np.abs(Lx / Ls - 1)) < 1e-10
    ref = np.asarray(rf.gd_exact(A, lam, W[:, 0], eta, steps))
    assert np.max(np.abs(Lx[:, :, 0] / ref - 1)) < 1e-10


def test_power_solver_matches_stepping_and_eigh(setup):
    """Repeated squaring of I - eta G: same losses as stepping (n <= 200) and as eigh at n = 1e5 (to 1e-10)."""
    A, lam, W, eta = setup
    Ls = np.asarray(rfe.gd_scan_teachers(A, lam, W, eta, 200, every=1))
    n = np.array([0, 1, 2, 7, 64, 199, 200])
    Lp = np.asarray(rfe.gd_power_teachers(A, lam, W, eta, n))
    assert np.max(np.abs(Lp / Ls[:, n] - 1)) < 1e-10
    far = np.array([1000, 100_000])
    assert np.max(np.abs(np.asarray(rfe.gd_power_teachers(A, lam, W, eta, far))
                         / np.asarray(rfe.gd_exact_teachers(A, lam, W, eta, far)) - 1)) < 1e-10


def test_numpy_references_give_the_same_numbers(setup):
    """The NumPy loops timed by benchmarks/bench_dynamical.py compute the same losses (to 1e-10)."""
    A, lam, W, eta = setup
    L = np.asarray(rfe.gd_scan_teachers(A, lam, W, eta, 150, every=150))[:, -1]
    assert np.max(np.abs(rfe.numpy_gd_features(A, lam, W, eta, 150) / L - 1)) < 1e-10
    assert np.max(np.abs(rfe.numpy_gd_system(A, lam, W, eta, 150) / L - 1)) < 1e-10


def test_a_sign_teacher_is_the_plain_teacher_on_a_sign_flipped_projection(setup):
    """The identity behind the ensemble: (A, xi * w) trains exactly like (A diag(xi), w)."""
    A, lam, W, eta = setup
    w = rf.spectrum(M, a, b)[1]
    xi = np.asarray(W[:, 3] / w)
    L = np.asarray(rfe.gd_scan_teachers(A, lam, W, eta, 100, every=50))[:, :, 3]
    ref = np.asarray(rf.gd_scan(A * xi, lam, w, eta, 100, every=50))
    assert np.max(np.abs(L / ref - 1)) < 1e-12


def test_teacher_ensemble_mean_is_unbiased():
    """Mean over 16 projections x 32 teachers vs 1024 independent projections with the plain teacher.

    Both estimate E_A L (the teachers are draws of the same law). Bar: 3 combined standard errors,
    the teacher-ensemble one from its 16 per-projection means (teachers of one projection correlate).
    """
    n, m = 12, 48
    lam, W = rfe.sign_teachers(jax.random.key(3), m, a, b, 32)
    A = rf.draw_projections(jax.random.key(4), 16, n, m)
    eta = 0.5 * rf.stability_bound(A, lam)
    steps = np.array([10, 100, 1000])
    per_proj = np.asarray(rfe.gd_exact_teachers(A, lam, W, eta, steps, check=False)).mean(axis=2)
    B = rf.draw_projections(jax.random.key(5), 1024, n, m)
    ind = np.asarray(rf.gd_exact(B, lam, W[:, 0], eta, steps, check=False))
    se = np.sqrt(per_proj.var(axis=0, ddof=1) / 16 + ind.var(axis=0, ddof=1) / 1024)
    assert np.all(np.abs(per_proj.mean(axis=0) - ind.mean(axis=0)) <= 3 * se), (per_proj.mean(0), ind.mean(0), se)


def test_sgd_matches_numpy_on_the_same_minibatches(setup):
    A, lam, W, eta = setup
    L = np.asarray(rfe.sgd_teachers(A, lam, W, eta, 40, 8, jax.random.key(7), every=20))[:, -1]
    Z = rfe.sgd_batches(jax.random.key(7), E, 40, 8, M)
    assert np.max(np.abs(rfe.numpy_sgd(A, lam, W, eta, 8, Z) / L - 1)) < 1e-10


def test_sgd_mean_matches_the_exact_second_moment_recursion():
    """Mean of one-pass SGD (B = 4) over 256 minibatch seeds vs rfe.sgd_expected_loss (exact mean).

    Bar: 4 standard errors over seeds (18 correlated comparisons; measured |z| < 2). The GD loss
    (no minibatch noise) is rejected by the same bar: the check sees the SGD noise terms.
    """
    n, m, T_, B = 12, 40, 3, 4
    lam, W = rfe.sign_teachers(jax.random.key(1), m, a, b, T_)
    A = rf.draw_projections(jax.random.key(0), 2, n, m)
    eta = 0.3 * rf.stability_bound(A, lam)
    run = jax.jit(jax.vmap(lambda k: rfe._sgd_T(A, lam, W, eta, k, 30, 10, B)))
    Ls = np.asarray(run(jax.random.split(jax.random.key(9), 256)))[:, :, 1:]
    mean, se = Ls.mean(0), Ls.std(0, ddof=1) / np.sqrt(len(Ls))
    exact = np.asarray(rfe.sgd_expected_loss(A, lam, W, eta, 30, B))[:, 10::10]
    assert np.all(np.abs(mean - exact) <= 4 * se), (mean - exact) / se
    gd = np.asarray(rfe.gd_exact_teachers(A, lam, W, eta, [10, 20, 30]))
    assert np.any(np.abs(mean - gd) > 4 * se)


def test_float64_dmft_curve_matches_the_30_digit_solver():
    """rfe.dmft_loss_curve vs numerics.precise.dmft.online_loss_curve (M = 40, N = 8).

    Tolerance 1e-11 relative: the contour quadrature error is ~exp(-1.358 * 32) ~ 1e-19; float64
    rounding in the node sums, amplified by exp(Re z t) <= exp(0.17 * 32) ~ 230, gives ~1e-13
    (measured 1e-14 at M = 100).
    """
    from scaling_verify.numerics.precise import dmft

    ts = [0.5, 30.0]
    with mp.workdps(30):
        ref = np.array([float(x) for x in dmft.online_loss_curve(ts, 40, a, b, 8)])
    fast = rfe.dmft_loss_curve(ts, 40, a, b, 8)
    assert np.max(np.abs(fast / ref - 1)) < 1e-11
    # fewer nodes are measurably worse: the test can see a quadrature error
    assert np.max(np.abs(rfe.dmft_loss_curve(ts, 40, a, b, 8, nodes=10) / ref - 1)) > 1e-9


def test_float64_dmft_curve_stays_on_the_physical_root_at_late_times():
    """N < M, t up to 1e5 (M = 200, N = 50, a = 2, b = 1.5): Newton from R = 1 at every node landed on a
    spurious root at t = 1e4 (loss -3.9e-9 instead of 0.0654); the continuation from the physical root
    agrees with the 30-digit solver (its ``root="physical"``) to 1e-12 (measured 2e-14)."""
    from scaling_verify.numerics.precise import dmft

    ts = [1.0, 1e2, 1e3, 1e4, 1e5]
    with mp.workdps(30):
        ref = np.array([float(x) for x in dmft.online_loss_curve(ts, 200, 2.0, 1.5, 50, workers=1)])
    assert np.max(np.abs(rfe.dmft_loss_curve(ts, 200, 2.0, 1.5, 50) / ref - 1)) < 1e-12


def test_bad_input_raises(setup):
    A, lam, W, eta = setup
    with pytest.raises(ValueError, match="T"):
        rfe.sign_teachers(jax.random.key(0), M, a, b, 0)
    with pytest.raises(ValueError, match="shape"):
        rfe.gd_scan_teachers(A, lam, W[:-1], eta, 10)
    with pytest.raises(ValueError, match="multiple"):
        rfe.gd_scan_teachers(A, lam, W, eta, 10, every=3)
    with pytest.raises(ValueError, match="stability"):
        rfe.gd_exact_teachers(A, lam, W, 10 * eta, [1])
    with pytest.raises(ValueError, match=">= 0"):
        rfe.gd_power_teachers(A, lam, W, eta, [-1])
    with pytest.raises(ValueError, match="batch"):
        rfe.sgd_teachers(A, lam, W, eta, 10, 0, jax.random.key(0))
    with pytest.raises(ValueError, match="nodes"):
        rfe.dmft_loss_curve([1.0], 20, a, b, 4, nodes=4)
    with pytest.raises(ValueError, match="> 0"):
        rfe.dmft_loss_curve([0.0], 20, a, b, 4)
    with pytest.raises(ValueError, match="a must be"):
        rfe.dmft_loss_curve([1.0], 20, 0.5, b, 4)
