"""Dynamical model, finite data: the P-sample solvers, the data exponent, the early-time 1/N
correction and the train-test gap -- simulations, exact checks and their power tests."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

from scaling_verify.checks import Context, run_check
from scaling_verify.numerics.simulate import float64
from scaling_verify.numerics.precise import dynamical as pd
from scaling_verify.numerics.simulate.models import random_features as rf
from scaling_verify.theory.claims import REGISTRY, symbolic_check
from scaling_verify.theory.symbols import N, P, a, b

GAP = "dynamical.train_test_gap_slope"


# ----------------------------------------------------------------------------- solvers


@pytest.mark.simulate
@pytest.mark.parametrize("Pn", [8, 40])
def test_data_scan_and_eigendecomposition_solvers_agree_to_1e10(Pn):
    """P < N (interpolating, null space in G_hat) and P > N, with label noise."""
    lam, w = rf.spectrum(64, 2.0, 1.5)
    A = rf.draw_projections(jax.random.key(0), 3, 16, 64)
    Psi, nz = rf.draw_data(jax.random.key(1), 3, Pn, lam, sigma=0.3)
    eta = 0.9 * rf.data_stability_bound(A, Psi, lam, w)
    Ts, Tr = (np.asarray(x) for x in rf.gd_scan_data(A, Psi, lam, w, eta, 400, every=50, noise=nz, sigma=0.3))
    Es, Er = (np.asarray(x) for x in rf.gd_exact_data(A, Psi, lam, w, eta, np.arange(0, 401, 50), noise=nz, sigma=0.3))
    assert Ts.shape == Es.shape == Tr.shape == (3, 9)
    assert np.max(np.abs(Ts / Es - 1)) < 1e-10
    assert np.max(np.abs(Tr - Er)) < 1e-10 * np.max(Er)  # train -> 0 when interpolating: absolute
    # t = 0: test = L0 + sigma^2, train = |y|^2/P
    with float64():
        L0 = float(jnp.sum(lam * w * w))
    assert np.allclose(Es[:, 0], L0 + 0.09)
    # gradient flow at t = inf is the min-norm solution: train 0 when P < N
    Fs, Fr = (np.asarray(x) for x in rf.flow_exact_data(A, Psi, lam, w, [np.inf], noise=nz, sigma=0.3))
    if Pn < 16:
        assert np.max(np.abs(Fr)) < 1e-12
        R = np.asarray(rf.ridgeless_losses(A, Psi, lam, w, [Pn], noise=nz))[:, 0, 0] + 0.09
        assert np.max(np.abs(R / Fs[:, 0] - 1)) < 1e-9


@pytest.mark.simulate
def test_kernel_limit_is_the_random_feature_model_with_F_equal_identity():
    """A = sqrt(M) I makes F = A^T A/N = I: the RF solver must reproduce the N = oo kernel solvers."""
    M = 24
    lam, w = rf.spectrum(M, 2.0, 1.5)
    Psi, nz = rf.draw_data(jax.random.key(2), 2, 12, lam, sigma=0.5)
    with float64():
        A = jnp.broadcast_to(jnp.sqrt(M) * jnp.eye(M), (2, M, M))
    ts = np.array([0.0, 0.3, 5.0, np.inf])
    k1 = rf.kernel_flow_data(Psi, lam, w, ts, nz, 0.5)
    k2 = rf.flow_exact_data(A, Psi, lam, w, ts, nz, 0.5)
    for x, y in zip(k1, k2):
        assert np.max(np.abs(np.asarray(x) - np.asarray(y))) < 1e-10
    r_kernel = np.asarray(rf.ridgeless_losses(None, Psi, lam, w, [6, 12], noise=nz))[:, 0, :]
    r_rf = np.asarray(rf.ridgeless_losses(A, Psi, lam, w, [6, 12], noise=nz))[:, 0, :]
    assert np.max(np.abs(r_kernel / r_rf - 1)) < 1e-9
    assert np.max(np.abs(r_kernel[:, 1] + 0.25 - np.asarray(k1[0])[:, -1])) < 1e-9


@pytest.mark.simulate
def test_transfer_diagonal_is_the_matrix_exponential_plus_a_zero_mean_term():
    M, Nn = 24, 6
    lam, _ = rf.spectrum(M, 2.0, 1.5)
    A = rf.draw_projections(jax.random.key(3), 2, Nn, M)
    ts = np.array([0.3, 2.0])
    Y = np.asarray(rf.transfer_diagonal(A, lam, ts))
    lamn = np.asarray(lam)
    for d in range(2):
        F = np.asarray(A[d]).T @ np.asarray(A[d]) / Nn
        for i, t in enumerate(ts):
            diag = np.diag(scipy.linalg.expm(-t * F * lamn[None, :]))
            cv = -t * np.exp(-lamn * t) * lamn * (np.diag(F) - 1)
            assert np.max(np.abs(Y[d, i] - (diag - cv))) < 1e-12


@pytest.mark.simulate
def test_finite_data_bad_input_raises():
    lam, w = rf.spectrum(32, 2.0, 1.5)
    for badP in (0, 2.5, -3):
        with pytest.raises(ValueError, match="P must be an integer >= 1"):
            rf.draw_data(jax.random.key(0), 1, badP, lam)
    with pytest.raises(ValueError, match="sigma must be >= 0"):
        rf.draw_data(jax.random.key(0), 1, 4, lam, sigma=-0.1)
    A = rf.draw_projections(jax.random.key(0), 1, 8, 32)
    Psi, _ = rf.draw_data(jax.random.key(0), 1, 12, lam)
    with pytest.raises(ValueError, match="need P <= N"):
        rf.ridgeless_losses(A, Psi, lam, w, [12])
    with pytest.raises(ValueError, match="P must be an integer >= 1"):
        rf.ridgeless_losses(None, Psi, lam, w, [0])
    with pytest.raises(ValueError, match="stability bound"):
        rf.gd_exact_data(A, Psi, lam, w, 1.01 * rf.data_stability_bound(A, Psi, lam, w), [10])
    with pytest.raises(ValueError, match="sigma must be >= 0"):
        pd.gap_curve_exact([1e-3], [1.0], [1.0], 1, -1.0)
    with pytest.raises(ValueError, match="P must be an integer >= 1"):
        pd.gap_curve_exact([1e-3], [1.0], [1.0], 0, 0.5)


# ----------------------------------------------------------------------------- the new claim


@pytest.mark.symbolic
def test_train_test_gap_slope_is_derived_from_gaussian_moments():
    c = REGISTRY.get(GAP)
    ok, detail = symbolic_check(c)
    assert ok, detail
    assert not symbolic_check(c.perturbed(c.expr * P))[0]


@pytest.mark.precise
def test_train_test_gap_slope_exact_quadrature():
    res = run_check(REGISTRY.get(GAP), "precise")
    assert res.passed, res.detail


def _wrong_gap_forms():
    c = REGISTRY.get(GAP)
    S2, T, L0, sigma = (c.symbol(n) for n in ("S_2", "T", "L_0", "sigma"))
    return {"x0.9": c.perturbed(factor=0.9), "x1.1": c.perturbed(factor=1.1),
            "no 1/P": c.perturbed(c.expr * P, label="no 1/P"),
            "DMFT (no self term)": c.perturbed(2 * T * (L0 + sigma ** 2) / P, label="DMFT"),
            "no noise term": c.perturbed(2 * (S2 + T * L0) / P, label="no noise")}


@pytest.mark.precise
@pytest.mark.parametrize("label", ["x0.9", "x1.1", "no 1/P", "DMFT (no self term)", "no noise term"])
def test_gap_precise_check_rejects_wrong_forms(label):
    res = run_check(_wrong_gap_forms()[label], "precise")
    assert not res.passed, res.detail


@pytest.mark.simulate
def test_gap_simulation_agrees_and_grows_with_reuse():
    res = run_check(REGISTRY.get(GAP), "simulate")
    assert res.passed, res.detail
    m = res.measured
    assert m["P=8"]["train_at_inf"] < 1e-10 and m["P=32"]["train_at_inf"] < 1e-10  # interpolation


@pytest.mark.simulate
@pytest.mark.parametrize("label", ["x0.9", "x1.1", "no 1/P", "DMFT (no self term)"])
def test_gap_simulation_rejects_wrong_forms(label):
    res = run_check(_wrong_gap_forms()[label], "simulate")
    assert not res.passed, res.detail


# ----------------------------------------------------------------------------- data exponent


@pytest.mark.simulate
def test_data_exponent_simulation_on_both_branches():
    res = run_check(REGISTRY.get("dynamical.data_exponent"), "simulate")
    assert res.passed, res.detail


@pytest.mark.simulate
@pytest.mark.parametrize("label", ["x0.9", "x1.1", "2b", "a-1"])
def test_data_exponent_simulation_rejects_wrong_forms(label):
    c = REGISTRY.get("dynamical.data_exponent")
    wrong = {"x0.9": c.perturbed(factor=0.9), "x1.1": c.perturbed(factor=1.1),
             "2b": c.perturbed(2 * b, label="2b"), "a-1": c.perturbed(a - 1, label="a-1")}[label]
    res = run_check(wrong, "simulate")
    assert not res.passed, res.detail


# ----------------------------------------------------------------------------- early time


@pytest.mark.simulate
def test_early_time_simulation_agrees_and_residual_shrinks_like_1_over_N():
    res = run_check(REGISTRY.get("dynamical.early_time_correction_finite_trace"), "simulate")
    assert res.passed, res.detail
    assert "shrinks like 1/N" in res.detail


@pytest.mark.simulate
def test_early_time_simulation_refutes_the_printed_form_at_the_top_mode():
    res = run_check(REGISTRY.get("dynamical.early_time_correction"), "simulate")
    assert not res.passed and "k=1" in res.detail and "REJECTED" in res.detail, res.detail


@pytest.mark.simulate
@pytest.mark.parametrize("label", ["x0.9", "x1.1", "1/sqrt(N)"])
def test_early_time_simulation_rejects_wrong_forms(label):
    c = REGISTRY.get("dynamical.early_time_correction_finite_trace")
    wrong = {"x0.9": c.perturbed(factor=0.9), "x1.1": c.perturbed(factor=1.1),
             "1/sqrt(N)": c.perturbed(c.expr.subs(N, N ** 2), label="1/sqrt(N)")}[label]
    res = run_check(wrong, "simulate")
    assert not res.passed, res.detail


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", ["dynamical.data_exponent", "dynamical.early_time_correction_finite_trace", GAP])
def test_finite_data_full_size(claim_id):
    res = run_check(REGISTRY.get(claim_id), "simulate", Context(quick=False))
    assert res.passed, res.detail


def test_data_exponent_refuses_sizes_without_a_convergence_study():
    from scaling_verify.numerics.simulate import finite_data as FD

    assert FD.de_slope_error_budget(1024, (32, 64, 128)) == FD.DE_SLOPE_ERROR[(1024, (32, 64, 128))][2]
    with pytest.raises(ValueError, match="no convergence study"):
        FD.de_slope_error_budget(1024, (32, 64, 128, 256))


@pytest.mark.slow
@pytest.mark.simulate
def test_de_slope_error_study_reproduces_its_table():
    """Re-measure the E_g window-slope error of the 2b branch at the quick size on fresh seeds (2048 draws):
    the fresh study must not show, at 95 %, an error above the budget the check uses (its interval's lower end
    must lie below the budget)."""
    from scaling_verify.numerics.simulate import finite_data as FD

    err, lo, hi = FD.de_slope_error_study(5.0, 1.5, 1024, (32, 64, 128), range(7000, 7016), 128)
    assert lo <= FD.de_slope_error_budget(1024, (32, 64, 128)), (err, lo, hi)
