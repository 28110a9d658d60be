"""Fitting: power laws with bootstrap intervals, and Hoffmann et al.'s Chinchilla fit."""

import numpy as np
import pytest

from scaling_verify.numerics import fit

# Hoffmann et al. 2022, Eq. 10 (unrounded values as used by Epoch AI's replication)
HOFFMANN = {"E": 1.69337368, "A": 406.401018, "B": 410.722827, "alpha": 0.33917084, "beta": 0.2849083}


def _synthetic_chinchilla(noise=0.01, seed=0, n=12):
    rng = np.random.default_rng(seed)
    N = np.geomspace(4e7, 1.6e10, n)
    D = np.geomspace(5e9, 1e12, n)
    NN, DD = (v.ravel() for v in np.meshgrid(N, D))
    h = HOFFMANN
    L = h["E"] + h["A"] * NN ** -h["alpha"] + h["B"] * DD ** -h["beta"]
    return NN, DD, L * np.exp(rng.normal(0, noise, L.size))


def test_power_law_recovers_exponent_with_seed_bootstrap():
    rng = np.random.default_rng(1)
    x = np.geomspace(10, 1e4, 12)
    Y = 3.0 * x ** -0.7 * np.exp(rng.normal(0, 0.05, (16, x.size)))
    res = fit.fit_power_law(x, Y, bootstrap=400, seed=0)
    lo, hi = res.ci["p"]
    assert lo < 0.7 < hi
    assert hi - lo < 0.05
    assert abs(res.c / 3.0 - 1) < 0.1


def test_power_law_interval_rejects_wrong_exponent():
    rng = np.random.default_rng(2)
    x = np.geomspace(10, 1e4, 12)
    Y = 2.0 * x ** -0.5 * np.exp(rng.normal(0, 0.05, (16, x.size)))
    lo, hi = fit.fit_power_law(x, Y, bootstrap=400).ci["p"]
    assert not (lo < 0.55 < hi) and not (lo < 0.45 < hi)


def test_power_law_with_floor():
    x = np.geomspace(1, 1e4, 30)
    y = 0.2 + 5 * x ** -0.6
    res = fit.fit_power_law(x, y, floor=True, bootstrap=0)
    assert abs(res.p - 0.6) < 1e-6 and abs(res.floor - 0.2) < 1e-6


def test_local_slopes_of_exact_power_law():
    x = np.geomspace(1, 100, 5)
    _, s = fit.local_slopes(x, x ** -1.25)
    assert np.allclose(s, 1.25)


def test_fit_is_reproducible_with_fixed_seed():
    x = np.geomspace(1, 100, 8)
    y = x ** -0.5 * (1 + 0.01 * np.sin(x))
    a, b = fit.fit_power_law(x, y, seed=3), fit.fit_power_law(x, y, seed=3)
    assert a.ci == b.ci


@pytest.mark.parametrize("x,y,msg", [
    ([1.0], [1.0], "too few points"),
    ([1.0, 2.0, float("nan")], [1.0, 0.5, 0.3], "non-finite"),
    ([1.0, -2.0, 3.0], [1.0, 0.5, 0.3], "positive"),
    ([2.0, 2.0, 2.0], [1.0, 0.5, 0.3], "two distinct"),
])
def test_power_law_bad_input(x, y, msg):
    with pytest.raises(ValueError, match=msg):
        fit.fit_power_law(x, y)


def test_chinchilla_recovers_hoffmann_exponents_within_interval():
    N, D, L = _synthetic_chinchilla()
    res = fit.fit_chinchilla(N, D, L, bootstrap=40, seed=0)
    for k in ("alpha", "beta"):
        assert abs(res.params()[k] - HOFFMANN[k]) < 0.03, (k, res.params()[k])
        lo, hi = res.ci[k]
        assert lo <= HOFFMANN[k] <= hi, (k, lo, hi)
    assert abs(res.E - HOFFMANN["E"]) < 0.05


def test_chinchilla_noise_free_fit_is_exact():
    N, D, L = _synthetic_chinchilla(noise=0.0)
    res = fit.fit_chinchilla(N, D, L, bootstrap=0)
    for k, v in HOFFMANN.items():
        assert abs(res.params()[k] / v - 1) < 1e-3, k


def test_default_lbfgs_tolerances_stop_early_tolerance_trap():
    """With scipy's default tolerances L-BFGS-B stops short of the optimum the tight run reaches."""
    N, D, L = _synthetic_chinchilla(noise=0.02, seed=5)
    logs = np.log(N), np.log(D), np.log(L)
    start = np.array([np.log(HOFFMANN["A"]) + 1.0, np.log(HOFFMANN["B"]) - 1.0, np.log(1.5), 0.3, 0.3])
    loose, f_loose = fit._minimise(start[None, :], *logs, fit.HUBER_DELTA, tight=False)
    tight, f_tight = fit._minimise(start[None, :], *logs, fit.HUBER_DELTA, tight=True)
    assert f_tight < f_loose * (1 - 1e-3)


def test_chinchilla_allocation_exponents():
    n_opt, d_opt = fit.chinchilla_allocation(HOFFMANN, [1e21, 1e23])
    a = HOFFMANN["beta"] / (HOFFMANN["alpha"] + HOFFMANN["beta"])
    assert abs(np.log(n_opt[1] / n_opt[0]) / np.log(100) - a) < 1e-12
    assert np.allclose(6 * n_opt * d_opt, [1e21, 1e23])


def test_chinchilla_too_few_points():
    with pytest.raises(ValueError, match="too few points"):
        fit.fit_chinchilla([1, 2, 3], [1, 2, 3], [3, 2, 1])


@pytest.mark.parametrize("content,msg", [
    ("", "empty CSV"),
    ("N,D\n1,2\n", "missing column"),
    ("N,D,loss\n", "no data rows"),
    ("N,D,loss\n1,2,abc\n", "not a number"),
    ("N,D,loss\n1,2,nan\n", "not finite"),
    ("N,D,loss\n1,2\n", "fields"),
])
def test_read_csv_bad_input(tmp_path, content, msg):
    p = tmp_path / "x.csv"
    p.write_text(content)
    with pytest.raises(ValueError, match=msg):
        fit.read_csv(p, ("N", "D", "loss"))
