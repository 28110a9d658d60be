"""The linear random-feature ridge(less) DE with finite N and finite P (:mod:`numerics.precise.models.linear_rf`,
float64 :mod:`numerics.simulate.models.linear_rf_de`) against its two limits, between precisions, and against
Monte Carlo (:mod:`numerics.simulate.models.linear_rf_sim`); the ``P - rho/nu1`` (summed-loss ridge) variant is
rejected; the N <-> P symmetry (Maloney, Roberts, Sully 2022) holds exactly for ``p_k ∝ lambda_k`` without noise.

Convergence study (M = 256, a = 2, b = 1.5, 16000 draws per point, ``/tmp`` script, re-measured in part by
``test_de_error_shrinks_like_1_over_N_plus_1_over_P`` under ``-m slow``): ``c = (MC/DE - 1)/(1/N + 1/P)``, base
size n = 8, 16, 32, 64 (s.e. of c 0.02-0.07):

* N = 2P = 2n, rho = sigma = 0: 0.59, 0.65, 0.67, 0.69 (relative error 11.0 %, 6.1 %, 3.1 %, 1.6 %);
* P = 2N = 2n, rho = sigma = 0: 0.66, 0.73, 0.78, 0.76 (12.4 %, 6.9 %, 3.6 %, 1.8 %);
* N = P = n, rho = 1e-2, sigma = 0.5: 0.14, 0.17, 0.17, 0.12;
* N = 2P = 2n, rho = 1e-3, sigma = 0.5: 0.44, 0.41, 0.24, 0.09;  P = 2N = 2n, same: 0.46, 0.36, 0.24, 0.11.

The DE's relative error is O(1/N + 1/P) with ``c`` about 0.6-0.7 ridgeless and
smaller with ridge and noise; away from the ridgeless ``N = P`` divergence. ``DE_C = 1`` is the budget used here:
``|MC - DE| <= 3 s.e. + DE_C (1/N + 1/P) DE``. Near ``N = P`` without ridge the error grows like
``1/|N - P|`` (measured: +26 % at N = 24, P = 28, M = 64), so that point is tested with a ridge.
"""

from __future__ import annotations

import jax
import mpmath as mp
import numpy as np
import pytest

from scaling_verify.numerics.models.power_law import PowerLaw
from scaling_verify.numerics.precise.models import linear_rf as lr
from scaling_verify.numerics.precise.models import two_time as tt
from scaling_verify.numerics.simulate import float64
from scaling_verify.numerics.simulate.models import linear_rf_de as de
from scaling_verify.numerics.simulate.models import linear_rf_sim as ls
from scaling_verify.numerics.simulate.models import random_features as rf

M, A, B = 64, 2.0, 1.5
DE_C = 1.0
K = np.arange(1, M + 1, dtype=float)
LAM, PW = K ** -B, K ** -A
W = np.sqrt(PW / LAM)


@pytest.fixture(scope="module")
def modes():
    return tt.power_law_modes(M, A, B, 40)


def _residual(lam, pw, N):
    kap = tt.solve_kappa(lam, N, 0, 40)
    with mp.workdps(50):
        return mp.fsum(p * kap / (lv + kap) for lv, p in zip(lam, pw))


def test_limits_to_1e20(modes):
    """N = 1e45: the kernel-ridge DE ``two_time.loss_limit``; P = 1e45, rho = 0: the projection residual
    ``sum p kappa/(lambda+kappa)``, ``df1(kappa) = N`` (+ sigma^2): both to 1e-20 at 30 digits."""
    lam, pw = modes
    big = 10 ** 45
    for P, rho, sig in ((16, 0, 0), (16, 1e-3, 0.5), (40, 1e-2, 0.3), (100, 0, 0.3)):
        d = lr.loss_limit(lam, pw, big, P, rho, sig) - tt.loss_limit(lam, pw, P, rho, sig)
        assert abs(d) < mp.mpf("1e-20"), (P, rho, sig, d)
    for N, sig in ((8, 0), (16, 0.5), (40, 0)):
        d = lr.loss_limit(lam, pw, N, big, 0, sig) - _residual(lam, pw, N) - mp.mpf(sig) ** 2
        assert abs(d) < mp.mpf("1e-20"), (N, sig, d)
    # finite N or P is visibly different from either limit
    assert abs(lr.loss_limit(lam, pw, 400, 16) - tt.loss_limit(lam, pw, 16)) > mp.mpf("1e-3")
    assert abs(lr.loss_limit(lam, pw, 8, 400) - _residual(lam, pw, 8)) > mp.mpf("1e-3")


def test_converged_in_dps_float64_agrees_and_fast(modes):
    """dps 30 vs 40 to 1e-29; float64 (vectorised) vs 30 digits to 1e-11 relative at P < N, N < P, N = P with
    ridge, N or P beyond M; one 30-digit point at M = 2000 in under 2 s."""
    lam, pw = modes
    pts = [(32, 16, 0, 0), (16, 32, 0, 0), (32, 16, 1e-3, 0.5), (24, 24, 1e-2, 0.3), (100, 40, 0, 0.5),
           (40, 100, 1e-4, 0.5), (100, 200, 0, 0.5), (64, 100, 0, 0.5), (50, 60, 1e-6, 0)]
    for N, P, rho, sig in pts[:3]:
        a30, a40 = lr.loss_limit(lam, pw, N, P, rho, sig, dps=30), lr.loss_limit(lam, pw, N, P, rho, sig, dps=40)
        assert abs(a30 - a40) < mp.mpf("1e-29")
    Ns, Ps, rs, ss = (np.array(c, dtype=float) for c in zip(*pts))
    lo = de.loss_limit(LAM, PW, Ns, Ps, rs, ss)
    hi = np.array([float(lr.loss_limit(lam, pw, *p)) for p in pts])
    assert np.max(np.abs(lo / hi - 1)) < 1e-11, (lo, hi)
    assert de.power_law_loss(M, A, B, 32, 16)[()] == pytest.approx(float(hi[0]), rel=1e-12)
    lam2, pw2 = tt.power_law_modes(2000, A, B)
    import time
    t0 = time.perf_counter()
    lr.loss_limit(lam2, pw2, 300, 500, 1e-3, 0.5)
    assert time.perf_counter() - t0 < 2.0


def test_ridgeless_edge_cases(modes):
    """rho = 0: N = P < M diverges even without noise (the projection residual acts as noise); P = M <= N:
    0 without noise, inf with; min(N, P) >= M: OLS in M dimensions, sigma^2/(1 - M/P); float64 the same."""
    lam, pw = modes
    assert lr.loss_limit(lam, pw, 16, 16) == mp.inf and lr.loss_limit(lam, pw, 16, 16, 0, 0.5) == mp.inf
    assert lr.loss_limit(lam, pw, 16, 16, 1e-3) < 10  # a ridge regularises it
    assert lr.loss_limit(lam, pw, 100, M) == 0 and lr.loss_limit(lam, pw, 100, M, 0, 0.5) == mp.inf
    for N, P in ((100, 200), (M, 100), (200, 100)):
        with mp.workdps(40):
            assert abs(lr.loss_limit(lam, pw, N, P, 0, 0.5) - mp.mpf("0.25") / (1 - mp.mpf(M) / P)) < mp.mpf("1e-28")
    with mp.workdps(40):
        s = lr.solve(lam, 20, 50)
        assert s.nu1 == 0 and abs(s.df1 - 20) < mp.mpf("1e-30") and abs(s.Upsilon - mp.mpf(20) / 50) < mp.mpf("1e-30")
        s = lr.solve(lam, 50, 20)
        assert abs(s.nu1 / s.nu2 - mp.mpf(3) / 5) < mp.mpf("1e-30")
    f = de.loss_limit(LAM, PW, [16, 100, 100], [16, M, 200], 0.0, [0.0, 0.5, 0.5])
    assert np.isinf(f[0]) and np.isinf(f[1]) and f[2] == pytest.approx(0.25 / (1 - M / 200), rel=1e-12)


def test_n_p_symmetry_only_for_iid_teacher_without_noise():
    """Maloney-Roberts-Sully: p_k ∝ lambda_k (a = b), sigma = 0: L(N, P) = L(P, N) to 1e-25 (ridge 0, 1e-3, 0.1);
    a = 2, b = 1.5 breaks it by > 10 %, label noise by > 1 %."""
    lam, pw = tt.power_law_modes(M, 1.5, 1.5)
    for N, P, rho in ((8, 16, 0), (20, 50, 0), (40, 100, 0), (8, 16, 1e-3), (20, 50, 0.1)):
        x, y = lr.loss_limit(lam, pw, N, P, rho), lr.loss_limit(lam, pw, P, N, rho)
        assert abs(x / y - 1) < mp.mpf("1e-25"), (N, P, rho, x, y)
    assert abs(lr.loss_limit(lam, pw, 8, 16, 0, 0.5) / lr.loss_limit(lam, pw, 16, 8, 0, 0.5) - 1) > 0.01
    lam, pw = tt.power_law_modes(M, A, B)
    assert abs(lr.loss_limit(lam, pw, 20, 50) / lr.loss_limit(lam, pw, 50, 20) - 1) > 0.1


def test_simulator_matches_existing_ridgeless_solvers():
    """rho = 0 on the same draws: ``ridgeless_losses`` (P <= N) and ``flow_exact_data`` at t = inf (any N, P)
    to 1e-10 relative; a ridge lowers the noisy interpolating loss."""
    with float64():
        lam, w = rf.spectrum(M, A, B)
        Ad = rf.draw_projections(jax.random.key(1), 8, 24, M)
        for P in (16, 40):
            Psi, nz = rf.draw_data(jax.random.key(2), 8, P, lam, sigma=0.3)
            ours = np.asarray(ls.ridge_losses(Ad, Psi, lam, w, 0.0, nz, 0.3))
            flow = np.asarray(rf.flow_exact_data(Ad, Psi, lam, w, [np.inf], nz, 0.3)[0])[:, 0]
            assert np.max(np.abs(ours / flow - 1)) < 1e-10
            if P <= 24:
                old = np.asarray(rf.ridgeless_losses(Ad, Psi, lam, w, [P], noise=nz))[:, 0, 0] + 0.09
                assert np.max(np.abs(ours / old - 1)) < 1e-10
                assert np.mean(np.asarray(ls.ridge_losses(Ad, Psi, lam, w, 1e-2, nz, 0.3))) < np.mean(ours)


@pytest.mark.parametrize("N, P, rho, sig", [(32, 16, 0.0, 0.0), (16, 32, 1e-3, 0.5), (22, 26, 3e-2, 0.3)])
def test_agrees_with_monte_carlo(N, P, rho, sig):
    """1000 draws: |MC - DE| <= 3 s.e. + DE_C (1/N + 1/P) DE; at ridge >= 1e-2 the summed-loss ridge
    ``P - rho/nu1`` (= our DE at ridge rho/P; 2x off there) fails the same test."""
    L = ls.monte_carlo(1000 + N + 7 * P, LAM, W, N, P, 1000, rho, sig)
    m, se = L.mean(), L.std(ddof=1) / np.sqrt(L.size)
    d = float(de.loss_limit(LAM, PW, N, P, rho, sig))
    tol = 3 * se + DE_C * (1 / N + 1 / P) * d
    assert abs(m - d) <= tol, (m, se, d)
    if rho >= 1e-2:
        bad = float(de.loss_limit(LAM, PW, N, P, rho / P, sig))
        assert abs(m - bad) > 3 * se + DE_C * (1 / N + 1 / P) * bad, (m, se, bad)


def test_power_law_wiring(modes):
    """``PowerLaw.loss(inf, N, P, ridge, noise)`` is the DE; ``simulate`` (ridge at finite N, t = inf) agrees
    with it; finite t with N and P finite, M = None, and a ridge at finite t are refused with one line."""
    m = PowerLaw(A, B, M)
    lam, pw = modes
    v = m.loss(float("inf"), N=32, P=16, ridge=1e-3, noise=0.5)
    assert abs(v - lr.loss_limit(lam, pw, 32, 16, 1e-3, 0.5)) < mp.mpf("1e-28")
    assert m.loss(mp.inf, N=16, P=16) == mp.inf
    Y = m.simulate(float("inf"), N=32, P=16, draws=1000, seed=3, ridge=1e-3, noise=0.5)
    assert Y.shape == (1000,)
    se = Y.std(ddof=1) / np.sqrt(Y.size)
    assert abs(Y.mean() - float(v)) <= 3 * se + DE_C * (1 / 32 + 1 / 16) * float(v)
    Y2 = m.simulate([float("inf")], N=32, P=16, draws=1000, seed=3, ridge=1e-3, noise=0.5)
    assert Y2.shape == (1000, 1) and np.array_equal(Y2[:, 0], Y)
    for call, match in ((lambda: m.loss(10.0, N=8, P=8), "finite N and finite P"),
                        (lambda: PowerLaw(A, B, None).loss(float("inf"), N=8, P=8), "finite M"),
                        (lambda: m.simulate(10.0, N=8, P=8, ridge=1e-3), "ridge at finite N"),
                        (lambda: m.simulate(float("inf"), N=8, ridge=1e-3), "ridge at finite N")):
        with pytest.raises(ValueError, match=match) as e:
            call()
        assert "\n" not in str(e.value)


def test_arguments_are_validated(modes):
    lam, pw = modes
    for kw in (dict(N=0, P=4), dict(N=4, P=0.5), dict(N=4, P=4, ridge=-1.0), dict(N=4, P=4, noise=float("nan")),
               dict(N="4", P=4), dict(N=4, P=float("inf")), dict(N=None, P=4)):
        with pytest.raises(ValueError) as e:
            lr.loss_limit(lam, pw, **kw)
        assert "\n" not in str(e.value)
    with pytest.raises(ValueError, match="lam"):
        lr.solve([mp.mpf(1), mp.mpf(-1)], 4, 4)
    with pytest.raises(ValueError, match="pw"):
        lr.loss_limit(lam, pw[:3], 4, 4)
    for kw in (dict(N=0, P=4), dict(N=4, P=4, ridge=-1.0), dict(N=4, P=4, noise=np.nan)):
        with pytest.raises(ValueError):
            de.loss_limit(LAM, PW, **kw)
    with pytest.raises(ValueError, match="ridge"):
        ls.monte_carlo(0, LAM, W, 4, 4, 2, ridge=-1.0)
    with pytest.raises(ValueError, match="draws"):
        ls.monte_carlo(0, LAM, W, 4, 4, 0)


@pytest.mark.slow
def test_de_error_shrinks_like_1_over_N_plus_1_over_P():
    """M = 256, N = 2P ridgeless, 16000 draws at P = 16, 32: c = (MC/DE - 1)/(1/N + 1/P) in [0.4, 0.9] at both
    sizes (so the relative error halves as N, P double)."""
    k = np.arange(1, 257, dtype=float)
    lam, pw = k ** -B, k ** -A
    w = np.sqrt(pw / lam)
    cs = []
    for P in (16, 32):
        N = 2 * P
        L = ls.monte_carlo(100 + P, lam, w, N, P, 16000, batch=256)
        c = (L.mean() / float(de.loss_limit(lam, pw, N, P)) - 1) / (1 / N + 1 / P)
        cs.append(c)
        assert 0.4 < c < 0.9, (P, c)
    assert abs(cs[1] / cs[0] - 1) < 0.4
