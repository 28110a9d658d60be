"""The 30-digit DMFT loss curve, fast: the fixed point ``R(s)`` in ``gmpy2`` arithmetic on plain lists.

Same quantity, same quadrature as :func:`numerics.precise.dmft.online_loss_curve_reference` (mpmath's fixed
Talbot rule: ``int(1.72 dps)`` working digits, ``int(1.38 int(1.72 dps))`` nodes, 70 nodes at 51 digits for
dps = 30), so the two agree to the working precision, not merely to the quadrature error. Per time point:

1. the Talbot nodes ``p_i = delta_i / t`` and weights, from mpmath (the ``delta_i`` do not depend on t);
2. ``R`` at every node by a vectorised float64 Newton started from ``R = 1`` (the reference's start, so the
   same root), ~1e-15 relative;
3. per node, Newton in ``gmpy2.mpc`` at the reference's working precision + 20 guard bits, started from the
   float64 value: one pass lifts it to ~1e-30, the next step is below ``2^-(prec/2 + 6)`` and ends the
   loop. Each pass over the modes also accumulates ``F(s) = sum_k p_k/(s + lambda_k R)`` and ``dF/dR``,
   so the final ``F`` is ``F(R) + step * dF`` (error O(step^2), below the working precision) and the pass
   that would only evaluate ``F`` at the converged ``R`` is saved: two passes of ~11 gmpy2 operations per
   mode and node instead of the reference's ~8 Newton iterations of mpmath ``fsum`` generators.

:func:`loss_curve` spreads the time points over worker processes (``concurrent.futures``, spawn context;
this module imports only mpmath, gmpy2 and numpy, so a worker starts in well under a second).
"""

from __future__ import annotations

import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import gmpy2
import mpmath as mp
import numpy as np

GUARD_BITS = 20


def talbot_parameters(dps: int):
    """mpmath's fixed-Talbot setup at ``dps`` digits: ``(working dps, prec bits, delta_i, c_i)`` with nodes
    ``p_i = delta_i/t`` and ``f(t) = 2/(5t) Re sum_i e^{delta_i} c_i F(p_i)`` (``c_0 = 1/2``), as in
    ``mpmath.calculus.inverselaplace.FixedTalbot`` (default degree)."""
    dps_goal = int(1.72 * dps)
    M = max(12, int(1.38 * dps_goal))
    with mp.workdps(dps_goal):
        r = mp.fraction(2, 5) * M
        theta = mp.linspace(0.0, mp.pi, M + 1)
        delta, coef = [mp.mpc(r)], [mp.mpf(1) / 2]
        for i in range(1, M):
            cot = mp.cot(theta[i])
            delta.append(r * theta[i] * (cot + 1j))
            coef.append(1 + 1j * theta[i] * (1 + cot ** 2) - 1j * cot)
        return dps_goal, mp.mp.prec, delta, coef


def to_gmpy(x):
    """mpmath mpf/mpc -> gmpy2 mpfr/mpc, exactly (the context has at least the mantissa's bits)."""
    if isinstance(x, mp.mpc):
        return gmpy2.mpc(to_gmpy(x.real), to_gmpy(x.imag))
    sign, man, exp, _ = x._mpf_  # not mp.mpf(x): that would round to the current mpmath precision
    v = gmpy2.mul_2exp(gmpy2.mpfr(int(man)), int(exp))
    return -v if sign else v


def gmpy_num(x):
    """An int, float, str or mpmath number as gmpy2 mpfr (exact for int and mpf)."""
    if isinstance(x, mp.mpf):
        return to_gmpy(x)
    return gmpy2.mpfr(x if isinstance(x, (int, float, str)) else str(x))


def to_mpmath(x):
    """gmpy2 mpfr/mpc -> mpmath mpf/mpc (rounded to the current mpmath precision)."""
    if isinstance(x, gmpy2.mpc):
        return mp.mpc(to_mpmath(x.real), to_mpmath(x.imag))
    man, exp = x.as_mantissa_exp()
    return mp.mpf((int(man), int(exp)))


def _float_newton(p, R, lam, iN: float, iP: float, iters: int = 100):
    """Vectorised float64 Newton for R at the nodes ``p`` (complex array) from ``R``; NaN where it fails."""
    with np.errstate(all="ignore"):
        for _ in range(iters):
            u = 1 / (p[:, None] + lam * R[:, None])
            D, dD = R * np.sum(lam * u, axis=1), p * np.sum(lam * u * u, axis=1)
            R1, R3 = 1 - D * iP, 1 - D * iN
            step = (R - R1 * R3) / (1 + dD * iP * R3 + R1 * dD * iN)
            R = R - step
            if np.all(np.abs(step) <= 1e-15 * np.abs(R)):
                break
        else:
            R = np.where(np.abs(step) <= 1e-12 * np.abs(R), R, np.nan)
    return np.where(np.isfinite(R), R, np.nan)


def float_start(p, lam, iN: float, iP: float, root: str = "physical"):
    """float64 ``R`` at the Talbot nodes ``p`` (``p[0]`` real, then along the contour).

    ``root="one"``: Newton from R = 1 at every node (the reference solver's choice). At late times
    (``N < M``, ``t`` beyond ~``1e3``) that can land on a spurious root of the degree-(M+1) polynomial equation
    and the inverted loss is garbage (e.g. -4e9 at M = 200, N = 50, t = 1e4). ``"physical"``: the root in
    (0, 1) at the real node (``g(R) = R - R1 R3`` is -1 at R = 0+ and > 0 at R = 1) by bisection, then
    continuation along the contour (each node from the previous one; R = 1 where that fails).
    """
    if root == "one":
        return _float_newton(p, np.ones_like(p), lam, iN, iP)
    if root != "physical":
        raise ValueError(f"root is 'physical' or 'one', got {root!r}")
    s0 = p[0].real

    def g(R):
        D = np.sum(lam * R / (s0 + lam * R))
        return R - (1 - D * iP) * (1 - D * iN)
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if g(mid) < 0 else (lo, mid)
    out = np.empty_like(p)
    prev = complex((lo + hi) / 2)
    for i, pv in enumerate(p):
        R = _float_newton(p[i:i + 1], np.array([prev]), lam, iN, iP)[0]
        if not np.isfinite(R):
            R = _float_newton(p[i:i + 1], np.ones(1, complex), lam, iN, iP)[0]
        out[i] = R
        if np.isfinite(R):
            prev = R
    return out


def newton_node(s, R, lam, pw, iN, iP, thr, max_passes: int = 60):
    """Newton for R at the node ``s`` (gmpy2 context active); returns ``(R, F(s))``."""
    zero = gmpy2.mpc(0)
    for _ in range(max_passes):
        Sd = Sdd = F = dF = zero
        for lv, pv in zip(lam, pw):
            u = 1 / (s + lv * R)
            lu = lv * u
            lu2 = lu * u
            Sd += lu
            Sdd += lu2
            F += pv * u
            dF += pv * lu2
        D, dD = R * Sd, s * Sdd
        R1, R3 = 1 - D * iP, 1 - D * iN
        step = (R - R1 * R3) / (1 + dD * iP * R3 + R1 * dD * iN)
        R = R - step
        if abs(step) <= thr * abs(R):
            # F(R_old - step) = F(R_old) - step dF/dR + O(step^2), dF/dR = -sum p lambda u^2
            return R, F + step * dF
    raise ArithmeticError(f"DMFT fixed point did not converge in {max_passes} Newton passes at s = {s}")


def loss_points(ts, M: int, a, b, N=None, P=None, dps: int = 30, time_factor=2, root: str = "physical"):
    """``f(time_factor * t)`` for each t, ``f`` the inverse Laplace transform of ``sum_k k^-a/(s + k^-b R(s))``:
    the exact ``P = oo`` loss with ``time_factor = 2`` (``N`` None: infinite width). Returns mpf at ``dps``.

    Finite ``P`` (``N`` None): the test loss after gradient flow on ``P`` reused samples,
    ``w*^T e^{-tG} Lambda e^{-tG} w*``, needs two resolvents -- the two-time deterministic equivalent of
    :mod:`.two_time` (one resolvent at ``2t``, what this function returned before, is wrong by 16-30 % at
    M = 64, P = 16, t >= 10). Finite ``N`` and ``P`` together are refused (that needs the DMFT's two-point
    function, not implemented)."""
    for name, v in (("N", N), ("P", P)):
        if v is not None and not v >= 1:
            raise ValueError(f"{name} must be >= 1, got {name}={v}")
    if P is not None:
        if N is not None:
            raise ValueError("finite N and finite P together: the two-time DMFT loss is not implemented "
                             "(use N=None for the finite-P loss, or P=None)")
        if time_factor != 2:
            raise ValueError(f"the finite-P loss is a two-time function; time_factor must be 2, got {time_factor}")
        from scaling_verify.numerics.precise.models import two_time

        lam_mp, pw_mp = two_time.power_law_modes(M, a, b, dps)
        return two_time.loss_points(ts, lam_mp, pw_mp, P, dps=dps)
    with mp.workdps(dps + 10):
        lam_mp = [mp.mpf(k) ** (-mp.mpf(b)) for k in range(1, M + 1)]
        pw_mp = [mp.mpf(k) ** (-mp.mpf(a)) for k in range(1, M + 1)]
    return mode_loss_points(ts, lam_mp, pw_mp, N, dps, time_factor, root)


def mode_loss_points(ts, lam_mp, pw_mp, N=None, dps: int = 30, time_factor=2, root: str = "physical"):
    """:func:`loss_points` for given modes: eigenvalues ``lam_mp`` and target powers ``pw_mp`` (mpf lists at
    ``dps + 10`` digits or more), ``P = oo``."""
    if N is not None and not N >= 1:
        raise ValueError(f"N must be >= 1, got N={N}")
    dps_goal, prec, delta, coef = talbot_parameters(dps)
    iN = 0.0 if N is None else 1 / float(N)
    iP = 0.0
    lam64 = np.array([float(v) for v in lam_mp])
    out = []
    wprec = prec + GUARD_BITS
    with gmpy2.context(precision=wprec):
        lam, pw = [to_gmpy(v) for v in lam_mp], [to_gmpy(v) for v in pw_mp]
        giN = gmpy2.mpfr(0) if N is None else 1 / gmpy_num(N)
        giP = gmpy2.mpfr(0)
        thr = gmpy2.mpfr(2) ** (-(wprec // 2 + 6))
        for t in ts:
            with mp.workdps(dps_goal):
                T = time_factor * mp.mpf(t)
                if not T > 0:
                    raise ValueError(f"times must be > 0, got {t}")
                p = [d / T for d in delta]
            R64 = float_start(np.array([complex(v) for v in p]), lam64, iN, iP, root)
            Fs = []
            for pv, r64 in zip(p, R64):
                R0 = gmpy2.mpc(1) if np.isnan(r64) else gmpy2.mpc(complex(r64))
                Fs.append(newton_node(to_gmpy(pv), R0, lam, pw, giN, giP, thr)[1])
            with mp.workdps(dps_goal):
                terms = [mp.exp(d) * to_mpmath(F) * c for d, F, c in zip(delta, Fs, coef)]
                val = (mp.fraction(2, 5) * mp.fsum(terms) / T).real
            with mp.workdps(dps):
                out.append(+val)
    return out


def _worker(args):
    return loss_points(*args[:-1], root=args[-1])


def default_workers(n_points: int, M: int) -> int:
    """Processes for ``n_points`` at ``M`` modes: 1 below ~5 s of work (a spawned worker costs ~0.5 s)."""
    work = n_points * M * 1.2e-3  # ~1 ms per mode per point
    return 1 if work < 5 else max(1, min(os.cpu_count() or 1, n_points))


def loss_curve(ts, M: int, a, b, N=None, P=None, dps: int = 30, workers: int | None = None, time_factor=2,
               root: str = "physical"):
    """:func:`loss_points` over ``ts``, split into contiguous chunks over ``workers`` spawned processes
    (None: :func:`default_workers`)."""
    ts = list(ts)
    w = default_workers(len(ts), M) if workers is None else int(workers)
    if w <= 1 or len(ts) <= 1:
        return loss_points(ts, M, a, b, N, P, dps, time_factor, root)
    w = min(w, len(ts))
    # interleave so each worker gets early and late times alike
    chunks = [ts[i::w] for i in range(w)]
    with ProcessPoolExecutor(max_workers=w, mp_context=multiprocessing.get_context("spawn")) as ex:
        parts = list(ex.map(_worker, [(c, M, a, b, N, P, dps, time_factor, root) for c in chunks]))
    out = [None] * len(ts)
    for i, part in enumerate(parts):
        out[i::w] = part
    return out
