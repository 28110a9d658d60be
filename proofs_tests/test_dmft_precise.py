"""The fast 30-digit DMFT solver (numerics.precise.models.dmft_solver) against the mpmath reference and the
float64 solvers, and the easy-task frontier check that exercises it."""

import mpmath as mp
import numpy as np
import pytest

from scaling_verify.checks import Context, run_check
from scaling_verify.numerics.precise import dmft
from scaling_verify.numerics.precise.models import dmft_solver as ds
from scaling_verify.theory.claims import REGISTRY


def test_fast_curve_equals_the_reference_to_the_working_precision():
    ts = [0.5, 30.0]
    ref = dmft.online_loss_curve_reference(ts, 40, 2.0, 1.5, 8)
    for root in ("physical", "one"):
        fast = dmft.online_loss_curve(ts, 40, 2.0, 1.5, 8, workers=1, root=root)
        with mp.workdps(30):
            assert max(abs(f / r - 1) for f, r in zip(fast, ref)) < mp.mpf(10) ** -25


def test_fast_node_solve_equals_solve_R_with_finite_P():
    """R and F at single contour nodes with N and P finite (the curve API has P = oo)."""
    dg, prec, delta, _ = ds.talbot_parameters(30)
    lam, pw = dmft.power_spectrum(30, 2.0, 1.5)
    import gmpy2
    with mp.workdps(dg), gmpy2.context(precision=prec + ds.GUARD_BITS):
        gl, gp = [ds.to_gmpy(v) for v in lam], [ds.to_gmpy(v) for v in pw]
        p = [d / 3 for d in delta]
        R64 = ds.float_start(np.array([complex(v) for v in p]), np.array([float(v) for v in lam]), 1 / 6, 1 / 9)
        for i in (0, 20, 69):
            R, F = ds.newton_node(ds.to_gmpy(p[i]), gmpy2.mpc(complex(R64[i])), gl, gp, 1 / gmpy2.mpfr(6), 1 / gmpy2.mpfr(9),
                            gmpy2.mpfr(2) ** -(prec // 2))
            Rr = dmft.solve_R(p[i], lam, N=6, P=9)
            Fr = mp.fsum(w / (p[i] + l * Rr) for l, w in zip(lam, pw))
            assert abs(ds.to_mpmath(R) - Rr) < mp.mpf(10) ** -45 and abs(ds.to_mpmath(F) / Fr - 1) < mp.mpf(10) ** -45


def test_physical_root_fixes_the_late_time_failure_of_the_reference():
    """Newton from R = 1 (the reference) lands on a spurious root at late time; the continued physical root
    matches the float64 deterministic equivalent (bisection + continuation) to 1e-9."""
    from scaling_verify.numerics.simulate.models import dmft_frontier as DE
    ts = [1e2, 1e4]
    fast = [float(x) for x in dmft.online_loss_curve(ts, 200, 2.0, 1.5, 50, workers=1)]
    assert np.max(np.abs(np.array(fast) / DE.de_loss(50, ts, 2.0, 1.5, M=200) - 1)) < 1e-9
    one = dmft.online_loss_curve([1e4], 200, 2.0, 1.5, 50, workers=1, root="one")
    assert not abs(float(one[0]) / fast[1] - 1) < 1e-3  # the reference's root choice is garbage here


def test_fast_curve_matches_the_float64_talbot_curve():
    """rfe.dmft_loss_curve (32 nodes, float64) to ~1e-13; tolerance 1e-11 as the existing 30-digit test."""
    from scaling_verify.numerics.simulate.models import rf_ensemble as rfe
    ts = [0.1, 3.0, 100.0]
    fast = np.array([float(x) for x in dmft.online_loss_curve(ts, 300, 2.0, 1.5, 50, workers=1)])
    assert np.max(np.abs(rfe.dmft_loss_curve(ts, 300, 2.0, 1.5, 50) / fast - 1)) < 1e-11


def test_workers_give_the_same_numbers():
    ts = [0.3, 2.0, 7.0]
    one = ds.loss_curve(ts, 30, 2.0, 1.5, N=10, workers=1)
    two = ds.loss_curve(ts, 30, 2.0, 1.5, N=10, workers=2)
    assert [mp.nstr(x, 30) for x in one] == [mp.nstr(x, 30) for x in two]


def test_bad_input_raises():
    with pytest.raises(ValueError, match="N must be >= 1"):
        ds.loss_points([1.0], 10, 2.0, 1.5, N=0)
    with pytest.raises(ValueError, match="times must be > 0"):
        ds.loss_points([0.0], 10, 2.0, 1.5, N=4)
    with pytest.raises(ValueError, match="root"):
        ds.loss_points([1.0], 10, 2.0, 1.5, N=4, root="two")


def test_frontier_check_passes_and_rejects_perturbed_claims():
    for cid in ("dynamical.easy_compute_loss_exponent", "dynamical.easy_compute_width_exponent"):
        claim = REGISTRY.get(cid)
        assert run_check(claim, "precise").passed
        for f in (0.9, 1.1):
            res = run_check(claim.perturbed(claim.expr * f), "precise")
            assert not res.passed and "REJECTED" in res.detail, res.detail


def test_frontier_check_catches_a_factor_two_in_R3(monkeypatch):
    """A factor 2 in D/N (R_3 = 1 - 2D/N) is N -> N/2: it leaves the slope but doubles c_x; the Dyson guard fails."""
    real = dmft.online_loss_curve
    monkeypatch.setattr(dmft, "online_loss_curve", lambda ts, M, a, b, N, dps=30, **kw: real(ts, M, a, b, N / 2, dps))
    dmft.first_order_frontier.cache_clear()
    try:
        res = dmft._frontier_check(REGISTRY.get("dynamical.easy_compute_loss_exponent"), Context(), "loss")
    finally:
        dmft.first_order_frontier.cache_clear()
    assert not res.passed and "SOLVER INCONSISTENT" in res.detail, res.detail
