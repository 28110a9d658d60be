"""The fitting lab: forms from SymPy, the SymPy->JAX translation, the vectorised optimiser against the
scipy reference, parameter recovery within bootstrap intervals, warnings."""

import numpy as np
import pytest
import sympy as sp

from scaling_verify.numerics.fitting import forms, optimize
from scaling_verify.numerics.fitting.chinchilla import fit_chinchilla
from scaling_verify.numerics.fitting.engine import fit_form, predict
from scaling_verify.numerics.fitting.reference import _minimise

HOFFMANN = {"E": 1.69337368, "A": 406.401018, "B": 410.722827, "alpha": 0.33917084, "beta": 0.2849083}
SMALL_GRID = {"e": np.array([-0.5, 0.5]), "a": np.array([3.0, 6.0]), "b": np.array([3.0, 6.0]),
              "alpha": np.array([0.2, 0.5]), "beta": np.array([0.2, 0.5])}


def _chinchilla_data(noise=0.02, seed=5, n=6):
    rng = np.random.default_rng(seed)
    N, D = np.geomspace(4e7, 1.6e10, n), np.geomspace(5e9, 1e12, n)
    NN, DD = (v.ravel() for v in np.meshgrid(N, D))
    h = HOFFMANN
    L = h["E"] + h["A"] * NN ** -h["alpha"] + h["B"] * DD ** -h["beta"]
    return NN, DD, L * np.exp(rng.normal(0, noise, L.size))


def test_vectorised_optimum_matches_scipy_reference():
    N, D, L = _chinchilla_data()
    res = fit_chinchilla(N, D, L, bootstrap=0, grid=SMALL_GRID, n_starts=None)
    starts = np.array([[a, b, e, al, be] for a in SMALL_GRID["a"] for b in SMALL_GRID["b"] for e in SMALL_GRID["e"]
                       for al in SMALL_GRID["alpha"] for be in SMALL_GRID["beta"]])
    _, f_ref = _minimise(starts, np.log(N), np.log(D), np.log(L), 1e-3)
    assert abs(res.objective - f_ref) <= 1e-9 * f_ref, (res.objective, f_ref)
    assert res.details.search.converged and res.details.search.n_starts == 32


def test_translation_equals_direct_evaluation_for_every_form():
    rng = np.random.default_rng(0)
    cols = {"N": np.geomspace(1e7, 1e10, 5), "D": np.geomspace(1e9, 1e12, 5) * 3, "U": np.geomspace(1e9, 1e12, 5),
            "x": np.geomspace(1, 1e4, 5)}
    for form in (forms.chinchilla(), forms.kaplan(), forms.data_constrained(), forms.bnsl(2), forms.power(True)):
        theta = np.array([rng.uniform(-0.5, 0.5) + (2.0 if p.log_scale else 0.3) for p in form.params])
        got = predict(form, theta, cols)
        subs = {s: v for s, v in zip(form.param_symbols, form.to_natural(theta))}
        f = sp.lambdify(form.column_symbols, form.substituted().subs(subs), "numpy")
        want = f(*(cols[c] for c in form.columns))
        np.testing.assert_allclose(got, want, rtol=1e-10, err_msg=form.name)


def test_latex_and_gradient_come_from_the_sympy_definition():
    f = forms.chinchilla()
    assert f.latex() == "L = A N^{- \\alpha} + B D^{- \\beta} + E"
    A, N, al = sp.Symbol("A", positive=True), sp.Symbol("N", positive=True), sp.Symbol("alpha", real=True)
    grad = dict(zip(f.param_names, f.gradient()))
    assert sp.simplify(grad["alpha"] + A * N ** -al * sp.log(N)) == 0
    assert "D'" in forms.data_constrained().latex() and "R_{D star}" in forms.data_constrained().latex()


def test_data_constrained_single_epoch_is_chinchilla_with_finite_gradient():
    """With D = U (one epoch) D' = D; the gradient must stay finite where 1 - exp(-R_D/R_D*) = 0."""
    import jax
    import jax.numpy as jnp

    f = forms.data_constrained()
    N, D = np.geomspace(1e7, 1e9, 4), np.geomspace(1e10, 1e12, 4)
    theta = np.array([np.log(1.7), np.log(400.0), np.log(410.0), np.log(0.34), np.log(0.28), np.log(15.0), np.log(5.0)])
    logX = np.log(np.stack([N, D, D]))
    with optimize.float64():
        g = jax.grad(lambda t: jnp.sum(f.log_model()(t, jnp.asarray(logX))))(jnp.asarray(theta))
        g = np.asarray(g)
    assert np.all(np.isfinite(g))
    # N below N_opt(U) -> U_N = N, R_N = 0 -> N' = N: exactly the Chinchilla law
    chin = 1.7 + 400 * N ** -0.34 + 410 * D ** -0.28
    np.testing.assert_allclose(predict(f, theta, {"N": N, "D": D, "U": D}), chin, rtol=1e-12)


def test_power_with_floor_recovers_parameters_within_intervals():
    rng = np.random.default_rng(3)
    x = np.geomspace(1, 1e4, 40)
    y = (0.2 + 5 * x ** -0.6) * np.exp(rng.normal(0, 0.01, x.size))
    res = fit_form(forms.power(floor=True), {"x": x}, y, bootstrap=60, seed=1)
    for name, true in (("E", 0.2), ("c", 5.0), ("p", 0.6)):
        e = res.estimate(name)
        assert e.lo <= true <= e.hi, (name, e)
    assert res.warnings == () and res.search.converged


def test_kaplan_noise_free_recovery():
    N, D = np.geomspace(1e7, 1e10, 6), np.geomspace(1e9, 1e12, 6)
    NN, DD = (v.ravel() for v in np.meshgrid(N, D))
    aN, aD, Nc, Dc = 0.076, 0.095, 8.8e13, 5.4e13
    L = ((Nc / NN) ** (aN / aD) + Dc / DD) ** aD
    res = fit_form(forms.kaplan(), {"N": NN, "D": DD}, L, bootstrap=0, n_starts=64)
    p = res.params()
    assert abs(p["alpha_N"] / aN - 1) < 1e-4 and abs(p["alpha_D"] / aD - 1) < 1e-4
    assert res.goodness.rms_log < 1e-8


def test_bnsl_one_break_fits_a_broken_power_law():
    x = np.geomspace(1, 1e6, 40)
    y = 0.05 + 2.0 * x ** -0.1 * (1 + (x / 1e3) ** (1 / 0.5)) ** (-0.4 * 0.5)
    res = fit_form(forms.bnsl(1), {"x": x}, y, bootstrap=0, n_starts=64)
    assert res.goodness.rms_log < 1e-3 and res.goodness.r2_log > 0.9999


def test_negative_exponent_gives_a_warning():
    x = np.geomspace(1, 1e3, 12)
    res = fit_form(forms.power(), {"x": x}, 0.3 * x ** 0.4, bootstrap=0)
    assert any("exponent p" in w and "negative" in w for w in res.warnings)


def test_no_interval_without_bootstrap_or_points():
    N, D, L = _chinchilla_data()
    res = fit_chinchilla(N, D, L, bootstrap=0, grid=SMALL_GRID)
    assert res.ci == {} and res.as_dict()["alpha"]["ci"] is None
    assert res.details.bootstrap.no_interval_reason == "bootstrap 0"
    two = fit_form(forms.power(), {"x": np.array([1.0, 10.0])}, np.array([2.0, 0.6]), bootstrap=50)
    assert not two.has_interval and "too few points" in two.bootstrap.no_interval_reason


def test_bootstrap_is_reproducible_and_seeded():
    N, D, L = _chinchilla_data()
    a = fit_chinchilla(N, D, L, bootstrap=20, seed=4, grid=SMALL_GRID)
    b = fit_chinchilla(N, D, L, bootstrap=20, seed=4, grid=SMALL_GRID)
    c = fit_chinchilla(N, D, L, bootstrap=20, seed=5, grid=SMALL_GRID)
    assert a.ci == b.ci and a.ci != c.ci


def test_float64_is_scoped_not_global():
    import jax

    N, D, L = _chinchilla_data()
    fit_chinchilla(N, D, L, bootstrap=0, grid=SMALL_GRID)
    assert not jax.config.jax_enable_x64


@pytest.mark.parametrize("bad,msg", [({"x": np.array([1.0, -2.0, 3.0])}, "must be positive"),
                                     ({"x": np.array([1.0, np.nan, 3.0])}, "non-finite")])
def test_fit_form_refuses_bad_columns(bad, msg):
    with pytest.raises(ValueError, match=msg):
        fit_form(forms.power(), bad, np.array([1.0, 0.5, 0.3]), bootstrap=0)


def test_bootstrap_draws_every_point_once_on_average():
    """Resampling n points with replacement: each point's count is Binomial(n, 1/n), mean exactly 1 and
    variance 1 - 1/n, and the counts of a resample sum to n. Over B = 4000 resamples the mean count of
    every point lies within 1 +- 5 sqrt((1 - 1/n)/B) = 1 +- 0.077 (a point never drawn, e.g. an off-by-one
    in the index range, has mean 0)."""
    from scaling_verify.numerics.fitting.bootstrap import resample_weights

    n, B = 12, 4000
    X = np.column_stack([np.arange(1.0, n + 1), np.arange(n, 0.0, -1)])
    res = resample_weights(X, B, seed=3, min_distinct=2)
    w = res.weights
    assert w.shape[1] == n and np.all(w.sum(axis=1) == n)
    assert len(w) + res.skipped == B
    bound = 5 * np.sqrt((1 - 1 / n) / len(w))
    assert np.all(np.abs(w.mean(axis=0) - 1) < bound), w.mean(axis=0)
