"""``scaling_verify.models.Linear`` (any spectrum and target, arrays or callables) and one-pass SGD: the general
model reproduces the power-law model where they coincide, its float64 path agrees with its 30-digit path, and
the exact SGD recursion agrees with the real SGD simulated in JAX."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from scaling_verify import models
from scaling_verify.numerics.models import sgd

INF = float("inf")
M = 48


@pytest.fixture(scope="module")
def pl():
    return models.PowerLaw(a=2.0, b=1.5, M=M)


@pytest.fixture(scope="module")
def lin():
    return models.Linear(lambda k: k ** mp.mpf(-1.5), lambda k: k ** mp.mpf(-2), M=M)


def _rel(x, y):
    with mp.workdps(40):
        return float(abs(mp.mpf(x) - mp.mpf(y)) / abs(mp.mpf(y)))


@pytest.mark.parametrize("kw", [dict(t=3.0), dict(t=3.0, ridge=1e-2, noise=0.1), dict(t=INF, ridge=1e-2),
                                dict(t=4.0, P=16), dict(t=INF, P=16, noise=0.2), dict(t=INF, N=8),
                                dict(t=2.0, N=8)])
def test_callables_reproduce_the_power_law_at_30_digits(pl, lin, kw):
    """Callables are evaluated at mpf k, so the general model is the power-law model to the working precision."""
    assert _rel(lin.loss(**kw), pl.loss(**kw)) < 1e-27


def test_arrays_are_taken_at_their_binary_values(pl):
    k = np.arange(1, M + 1, dtype=float)
    arr = models.Linear(k ** -1.5, k ** -2.0)
    # float64 spectra differ from the exact powers by ~1e-16 relative: so does the loss, no more
    assert 1e-19 < _rel(arr.loss(4.0, P=16), pl.loss(4.0, P=16)) < 1e-14


def test_a_spectrum_that_is_not_a_power_law():
    """An exponential spectrum with a two-level target: the population loss is the closed form, term by term."""
    m = models.Linear(lambda k: mp.e ** (-k / 4), lambda k: 1 if k <= 8 else mp.mpf(1) / 100, M=32)
    with mp.workdps(40):
        lam = [mp.e ** (-mp.mpf(k) / 4) for k in range(1, 33)]
        want = mp.fsum((1 if k <= 8 else mp.mpf(1) / 100) * mp.exp(-2 * 5 * lv) for k, lv in enumerate(lam, 1))
    assert _rel(m.loss(5.0), want) < 1e-28


@pytest.mark.parametrize("kw", [dict(), dict(P=16), dict(P=16, ridge=1e-2, noise=0.3)])
def test_float64_curve_agrees_with_30_digits(lin, kw):
    ts = [0.5, 5.0, 50.0, INF]
    curve = lin.loss_curve(ts, **kw)
    exact = [float(lin.loss(t, **kw)) for t in ts]
    np.testing.assert_allclose(curve, exact, rtol=1e-9)


@pytest.mark.parametrize("spec, target, kw, match", [
    ([1.0, -0.5], [1.0, 1.0], {}, "spectrum must be > 0"),
    ([1.0, 0.5], [1.0, -1.0], {}, "target powers must be >= 0"),
    ([1.0, float("nan")], [1.0, 1.0], {}, "spectrum must be finite"),
    ("1, 2", [1.0, 1.0], {}, "array of numbers or a callable"),
    ([[1.0]], [1.0], {}, "one-dimensional"),
    ([1.0, 0.5], [1.0], {}, "target has 1 entries, M=2"),
    (lambda k: k ** -1.5, lambda k: k ** -2, {}, "give the number of modes M"),
    (lambda k: 1 / (k - 1), lambda k: k ** -2, dict(M=4), "could not be evaluated"),
])
def test_model_arguments(spec, target, kw, match):
    with pytest.raises(ValueError, match=match) as e:
        models.Linear(spec, target, **kw)
    assert "\n" not in str(e.value)


# ----------------------------------------------------------------------------------------------- SGD

def test_sgd_recursion_float64_matches_30_digits(lin):
    steps = [0, 1, 10, 100, 400]
    exact = lin.sgd_loss(steps, batch=4, lr=0.6, noise=0.2)
    curve = sgd.loss_curve(steps, lin.lam, lin.power, 4, 0.6, 0.2)
    np.testing.assert_allclose(curve, [float(v) for v in exact], rtol=1e-12)
    with mp.workdps(40):
        assert _rel(exact[0], mp.fsum(lin.modes()[1]) + mp.mpf(0.2) ** 2) < 1e-28  # step 0: the initial loss


def test_sgd_small_steps_follow_gradient_flow(lin):
    """lr -> 0 with n lr = t fixed: one-pass SGD tends to gradient flow at t (population loss), error O(lr)."""
    t = 8.0
    gaps = [abs(float(lin.sgd_loss(int(t / lr), batch=1, lr=lr)) / float(lin.loss(t)) - 1) for lr in (0.04, 0.02)]
    assert gaps[1] < 0.6 * gaps[0] and gaps[1] < 0.05


@pytest.mark.parametrize("N, noise", [(None, 0.0), (None, 0.3)])
def test_sgd_simulation_agrees_with_the_exact_recursion(lin, N, noise):
    """Real one-pass SGD (fresh Gaussian minibatches, lax.scan, 400 draws) against the exact expected loss: the
    draw mean within 4 standard errors at every recorded step."""
    steps = [10, 60, 300]
    Y = lin.sgd_simulate(steps, batch=4, lr=0.6, draws=400, seed=3, N=N, noise=noise)
    exact = np.array([float(v) for v in lin.sgd_loss(steps, batch=4, lr=0.6, noise=noise)])
    z = (Y.mean(axis=0) - exact) / (Y.std(axis=0, ddof=1) / np.sqrt(len(Y)))
    assert np.all(np.abs(z) < 4), z


def test_sgd_simulation_can_fail(lin):
    """The same comparison rejects a recursion with the wrong batch noise factor (B+1)/B -> 1."""
    steps = [60]
    Y = lin.sgd_simulate(steps, batch=1, lr=0.5, draws=400, seed=3)
    c = 1 - 2 * 0.5 * lin.lam + 0.5 ** 2 * lin.lam ** 2  # drops the Isserlis term
    q = lin.power.copy()
    for _ in range(60):
        q = c * q + 0.5 ** 2 * lin.lam ** 2 * q.sum()
    z = (Y.mean() - q.sum()) / (Y.std(ddof=1) / np.sqrt(len(Y)))
    assert abs(z) > 4


def test_sgd_with_random_features_runs_and_is_reproducible(lin):
    a = lin.sgd_simulate([0, 20], batch=2, lr=0.5, draws=8, seed=1, N=16)
    b = lin.sgd_simulate([0, 20], batch=2, lr=0.5, draws=8, seed=1, N=16)
    np.testing.assert_array_equal(a, b)
    assert np.all(a[:, 1] < a[:, 0])


@pytest.mark.parametrize("kw, match", [
    (dict(batch=0, lr=0.5), "batch must be an integer >= 1"),
    (dict(batch=2, lr=-0.5), "lr must be > 0"),
    (dict(batch=2, lr=float("nan")), "lr must be a finite"),
    (dict(batch=1, lr=1.9), "diverges"),
    (dict(batch=2, lr=0.5, noise=-1.0), "noise must be >= 0"),
    (dict(batch=2, lr=0.5, N=8), "not derived here"),
])
def test_sgd_arguments(lin, kw, match):
    with pytest.raises(ValueError, match=match) as e:
        lin.sgd_loss(10, **kw)
    assert "\n" not in str(e.value)


def test_sgd_steps_must_be_counts(lin):
    with pytest.raises(ValueError, match="steps must be integers"):
        lin.sgd_loss(2.5, batch=1, lr=0.5)


def test_model_claims_method_registers_for_the_caller():
    """``m.claims(theory, ...)`` is ``models.claims(m, theory, ...)``: the claims carry the derived exponent and
    are recorded as registered by this module (``--module`` selects by it)."""
    import sympy as sp

    import scaling_verify as sv

    a, b = sp.symbols("a b", positive=True)
    with sv.isolated():
        sv.register_theory(sv.Theory(id="methodcheck", title="t", authors=("A",), year=2026))
        (c,) = models.PowerLaw(3.0, 1.5).claims("methodcheck", time=models.Scaling("t", (a - 1) / b))
        assert c.id == "methodcheck.time" and sp.simplify(c.derive() - (a - 1) / b) == 0
        assert sv.REGISTRY.module_of(c.id) == __name__
