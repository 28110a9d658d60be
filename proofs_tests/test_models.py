"""The public model library ``scaling_verify.models``: validation, exact limits, the deterministic equivalents
against the simulated system, and the derived exponents."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

from scaling_verify import models
from scaling_verify.numerics.models import flow
from scaling_verify.numerics.models import mode_sums as ms
from scaling_verify.numerics.simulate.models import finite_p_de as fp

INF = float("inf")


@pytest.fixture(scope="module")
def m():
    return models.PowerLaw(a=2.0, b=1.5, M=64)


def _one_line(exc_info):
    msg = str(exc_info.value)
    assert msg and "\n" not in msg
    return msg


@pytest.mark.parametrize("kw, match", [
    (dict(a=1.0, b=1.5, M=None), "a must be > 1"),
    (dict(a=2.0, b=1.0, M=None), "b must be > 1"),
    (dict(a=2.0, b=-1.0, M=8), "b must be > 0"),
    (dict(a=float("nan"), b=1.5, M=8), "a must be finite"),
    (dict(a="2", b=1.5, M=8), "a must be a real number"),
    (dict(a=2.0, b=1.5, M=0), "M must be >= 1"),
    (dict(a=2.0, b=1.5, M=8.5), "M must be an integer"),
    (dict(a=2.0, b=True, M=8), "b must be a real number"),
])
def test_model_arguments(kw, match):
    with pytest.raises(ValueError, match=match) as e:
        models.PowerLaw(**kw)
    _one_line(e)


@pytest.mark.parametrize("kw, match", [
    (dict(t=-1.0), "t must be >= 0"),
    (dict(t="10"), "t must be a real number"),
    (dict(t=1.0, P=0), "P must be >= 1"),
    (dict(t=1.0, P=1.5), "P must be an integer"),
    (dict(t=1.0, P=8, ridge=-1e-3), "ridge must be >= 0"),
    (dict(t=1.0, P=8, noise=float("nan")), "noise must be finite"),
    (dict(t=1.0, P=8, noise=float("inf")), "noise must be finite"),
    (dict(t=1.0, P=8, noise="0.1"), "noise must be a real number"),
    (dict(t=1.0, N=8, P=8), "finite N and finite P"),
    (dict(t=1.0, N=8, ridge=0.1), "ridge at finite N"),
])
def test_loss_arguments(m, kw, match):
    with pytest.raises(ValueError, match=match) as e:
        m.loss(**kw)
    _one_line(e)


def test_other_arguments(m):
    for call, match in ((lambda: m.simulate(t=1.0), "nothing is random"),
                        (lambda: m.simulate(t=1.0, P=8, draws=0), "draws must be >= 1"),
                        (lambda: models.PowerLaw(2.0, 1.5, None).simulate(t=1.0, P=8), "finite M"),
                        (lambda: models.PowerLaw(2.0, 1.5, None).loss(t=1.0, P=8), "finite M"),
                        (lambda: m.exponent("C"), "variable must be one of"),
                        (lambda: m.exponent("P", ridge="best"), "ridge must be")):
        with pytest.raises(ValueError, match=match) as e:
            call()
        _one_line(e)


def test_population_loss_is_the_exact_mode_sum(m):
    """N = P = None: each mode relaxes alone; with ridge rho the converged residual is rho/(lambda + rho)."""
    with mp.workdps(40):
        k = [mp.mpf(i) for i in range(1, 65)]
        direct = mp.fsum(kk ** -2 * mp.exp(-2 * kk ** mp.mpf(-1.5) * 3) for kk in k)
        ridge_inf = mp.fsum(kk ** -2 * (mp.mpf("0.01") / (kk ** mp.mpf(-1.5) + mp.mpf("0.01"))) ** 2 for kk in k)
    assert abs(m.loss(3.0) - direct) < mp.mpf("1e-28")
    assert abs(m.loss(INF, ridge=0.01, noise=0.5) - ridge_inf - mp.mpf("0.25")) < mp.mpf("1e-28")
    assert abs(models.PowerLaw(2.0, 1.5, None).loss(3.0) - ms.spectral_loss(3.0, 2.0, 1.5)) < mp.mpf("1e-28")


def test_converged_losses_are_the_regression_solutions(m):
    """t = inf: ridgeless kernel regression at the same M (and at M = oo), the projection residual at finite N
    (the DMFT flow at t = 1e6 reaches it), and t = 0 is the initial loss plus the noise."""
    assert abs(m.loss(INF, P=16) - ms.kernel_regression_error(16, 2.0, 1.5, M=64)) < mp.mpf("1e-25")
    assert abs(models.PowerLaw(2.0, 1.5, None).loss(INF, P=16) - ms.kernel_regression_error(16, 2.0, 1.5)) < mp.mpf("1e-25")
    assert abs(m.loss(1e6, N=16) - m.loss(INF, N=16)) < mp.mpf("1e-20")
    with mp.workdps(40):
        L0 = mp.fsum(mp.mpf(k) ** -2 for k in range(1, 65))
        assert abs(m.loss(0.0, P=16, noise=0.5) - L0 - mp.mpf("0.25")) < mp.mpf("1e-25")


@pytest.mark.parametrize("ridge, noise", [(0.0, 0.0), (1e-2, 0.3)])
def test_finite_p_loss_against_simulation(m, ridge, noise):
    """2000 exact-flow draws at P = 32 (ridge and noise included): |mean - DE| <= 3 s.e. + DE/P at t = 3 and oo
    (DE error budget 1/P relative, from the convergence study of proofs_tests/test_finite_p_loss.py)."""
    ts = [3.0, INF]
    Y = m.simulate(ts, P=32, draws=2000, seed=5, ridge=ridge, noise=noise)
    mean, se = Y.mean(axis=0), Y.std(axis=0, ddof=1) / np.sqrt(len(Y))
    de = np.array([float(m.loss(t, P=32, ridge=ridge, noise=noise)) for t in ts])
    assert np.all(np.abs(mean - de) <= 3 * se + de / 32), (mean, se, de)


def test_finite_n_loss_against_simulation(m):
    """Random features N = 16, P = oo: the DMFT curve within 3 s.e. + its O(1/N) error (budget 1/N)."""
    Y = m.simulate(10.0, N=16, draws=2000, seed=3)
    de = float(m.loss(10.0, N=16))
    assert abs(Y.mean() - de) <= 3 * Y.std(ddof=1) / np.sqrt(len(Y)) + de / 16


def test_simulate_shapes_seeds_and_paths(m):
    """Shapes; a seed reproduces, another differs; the dual (P <= M) and primal (P > M) paths agree with the
    package's kernel flow on the same data."""
    one = m.simulate(2.0, P=8, draws=50, seed=1)
    two = m.simulate([2.0, INF], P=8, draws=50, seed=1)
    assert one.shape == (50,) and two.shape == (50, 2) and np.allclose(one, two[:, 0], rtol=1e-12)
    assert not np.array_equal(one, m.simulate(2.0, P=8, draws=50, seed=2))
    import jax

    from scaling_verify.numerics.simulate import float64
    from scaling_verify.numerics.simulate.models import random_features as rf
    with float64():
        lam, w = rf.spectrum(64, 2.0, 1.5)
        t = np.array([0.5, 5.0, INF])
        for P in (16, 80):
            Psi, nz = rf.draw_data(jax.random.key(P), 20, P, lam, sigma=0.2)
            ref = np.asarray(rf.kernel_flow_data(Psi, lam, w, t, nz, 0.2)[0])
            ours = np.asarray(flow._ridge_flow(Psi, nz, lam, w, 0.0, 0.04, jax.numpy.asarray(t)))
            assert np.allclose(ours[:, :2], ref[:, :2], rtol=1e-9), P
            if P < 64:
                assert np.allclose(ours[:, 2], ref[:, 2], rtol=1e-7)


def test_exponents_fast(m):
    """t: (a-1)/b; P (noiseless, ridgeless = optimal): the registered data exponent min(a-1, 2b)."""
    from scaling_verify.theory.claims import REGISTRY

    e = m.exponent("t")
    assert e.value == pytest.approx(2 / 3) and e.holds
    p = m.exponent("P", ridge="optimal", noise=0.0)
    assert p.expr == REGISTRY.get("dynamical.data_exponent").expr and p.value == 1.0 and p.holds
    assert m.exponent("P", ridge=0.1).value == 0.0


@pytest.mark.slow
def test_noisy_optimal_ridge_exponent_against_the_ridge_formula():
    """P with noise and optimal ridge: min(a-1, 2b)/(min(a-1, 2b) + 1) (0.5 at a = 2, b = 1.5), against the local
    slope of the float64 ridge formula minimised over the ridge at P = 1e4..1e5 (M = 2e6 modes)."""
    from scipy.optimize import minimize_scalar

    e = models.PowerLaw(2.0, 1.5, None).exponent("P", ridge="optimal", noise=0.5)
    assert e.value == pytest.approx(0.5)
    k = np.arange(1, 2 * 10 ** 6 + 1, dtype=float)
    lam, pw = k ** -1.5, k ** -2.0

    def best(P):
        f = lambda u: fp.loss_limit(lam, pw, P, math.exp(u), 0.5) - 0.25  # noqa: E731
        return minimize_scalar(f, bounds=(-25, 2), method="bounded", options={"xatol": 1e-8}).fun

    slope = -(math.log(best(1e5)) - math.log(best(1e4))) / math.log(10)
    assert abs(slope - e.value) < 0.05, slope
