"""The fast paths of the fitting engine reach the optima of the slow ones.

The search screens the starts with a few L-BFGS steps, polishes the best and finishes with Newton
(:func:`numerics.fitting.engine._search`); the bootstrap refits run on Newton; the profiles run as one
masked L-BFGS batch. On fixed synthetic data each must land where the scipy reference / the plain
L-BFGS / the scipy profile do."""

import numpy as np

from scaling_verify.numerics.fitting import engine, forms, identify, optimize
from scaling_verify.numerics.fitting.bootstrap import resample_weights
from scaling_verify.numerics.fitting.chinchilla import fit_chinchilla
from scaling_verify.numerics.fitting.reference import fit_chinchilla_reference

HOFFMANN = {"E": 1.69337368, "A": 406.401018, "B": 410.722827, "alpha": 0.33917084, "beta": 0.2849083}


def _data(n=6, noise=0.02, seed=7):
    rng = np.random.default_rng(seed)
    N, D = np.geomspace(4e7, 1.6e10, n), np.geomspace(5e9, 1e12, n)
    NN, DD = (v.ravel() for v in np.meshgrid(N, D))
    h = HOFFMANN
    L = (h["E"] + h["A"] * NN ** -h["alpha"] + h["B"] * DD ** -h["beta"]) * np.exp(rng.normal(0, noise, NN.size))
    return NN, DD, L


def test_fast_search_reaches_the_reference_optimum():
    """Default 4500-point grid, best 250 starts: the same optimum as the scipy loop that runs every start
    to convergence (objective to 1e-9 relative, parameters to 1e-5)."""
    N, D, L = _data()
    fast = fit_chinchilla(N, D, L, bootstrap=0, n_starts=250)
    ref = fit_chinchilla_reference(N, D, L, bootstrap=0, n_starts=250)
    assert abs(fast.objective - ref.objective) <= 1e-9 * ref.objective, (fast.objective, ref.objective)
    for k, v in ref.params().items():
        assert abs(fast.params()[k] - v) <= 1e-5 * abs(v), (k, fast.params()[k], v)
    assert fast.details.search.converged and fast.details.search.n_starts == 250


def _problem():
    N, D, L = _data()
    form = forms.chinchilla()
    logX, logy = engine._log_data(form, {"N": N, "D": D}, L)
    theta = engine.fit_form(form, {"N": N, "D": D}, L, bootstrap=0, identify=False).theta
    return form, logX, logy, theta


def test_newton_bootstrap_refits_match_lbfgs():
    """Each resample refitted from the optimum: Newton ends where a long L-BFGS run does (or lower)."""
    form, logX, logy, theta = _problem()
    W = resample_weights(logX.T, 24, 0, min_distinct=5).weights
    th0 = np.repeat(theta[None, :], W.shape[0], axis=0)
    slow = optimize.minimise(form.log_model(), th0, W, logX, logy, maxiter=5000)
    fast = optimize.newton(form.log_model(), th0, W, logX, logy, maxiter=5000)
    assert fast.converged.all()
    assert np.all(fast.value <= slow.value * (1 + 1e-12)), np.max(fast.value / slow.value - 1)
    assert np.all(fast.value >= slow.value * (1 - 1e-8)), np.min(fast.value / slow.value - 1)


def test_newton_keeps_pinned_coordinates_and_reaches_the_optimum():
    form, logX, logy, theta = _problem()
    free = np.ones((2, theta.size))
    free[1, 3] = 0.0
    start = np.vstack([theta + 0.05, theta + 0.05])
    sol = optimize.newton(form.log_model(), start, None, logX, logy, free=free)
    f_star = optimize.evaluate(form.log_model(), theta[None, :], logX, logy)[0]
    assert abs(sol.value[0] - f_star) <= 1e-9 * f_star and np.allclose(sol.theta[0], theta, rtol=0, atol=1e-5)
    assert sol.theta[1, 3] == start[1, 3] and sol.value[1] >= f_star


def test_batched_profiles_reach_the_tight_scipy_profiles():
    """The batched profile rises (masked L-BFGS, then Newton) are never above one tight scipy L-BFGS-B run
    per direction (a profile is a minimum: lower is closer to it), and never below the optimum."""
    form, logX, logy, theta = _problem()
    profs = identify.profiles(form, theta, logX, logy, 1e-3)
    f = identify._objective(form.log_model(), 1e-3, logX, logy)
    f_star = f(theta)[0]
    tau = profs[0].threshold
    for j, p in enumerate(profs):
        for sign, rise in ((-1.0, p.rise_down), (1.0, p.rise_up)):
            t0 = theta.copy()
            t0[j] += sign * p.step
            want = identify._pinned_min(f, t0, j, 1e-15) - f_star
            assert -1e-9 * f_star <= rise <= want + 0.01 * tau, (p.param, sign, rise, want, tau)
