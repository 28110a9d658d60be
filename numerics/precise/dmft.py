"""DMFT of the random-feature model (Bordelon, Atanasov, Pehlevan 2024), solved at 30 digits.

Transfer function (gradient flow on the ½-loss, eta = 1, s the Laplace variable)

.. math:: H_k(s) = \\frac{1}{s + \\lambda_k R(s)},\\quad R = R_1 R_3,\\quad R_1 = 1 - \\frac{D}{P},\\quad
          R_3 = 1 - \\frac{D}{N},\\quad D(s) = \\sum_k \\frac{\\lambda_k R}{s + \\lambda_k R}.

:func:`solve_R` finds the fixed point by Newton's method (analytic derivative, started from the
previous node or R = 1; mpmath ``findroot`` as a fallback); :func:`transfer` is :math:`H_k(s)`; the
time domain comes from Talbot inversion (``mp.invertlaplace(..., method='talbot')``):

* :func:`online_loss_curve` -- the fast path (:mod:`numerics.precise.models.dmft_solver`: gmpy2 lists, float64
  start, two Newton passes per node, the same Talbot rule, time points over spawned processes); equal to
  :func:`online_loss_curve_reference` to the working precision wherever the reference finds the physical root;
* :func:`online_loss` -- the exact ``P = oo`` test loss :math:`\\mathcal L(t) = \\sum_k \\lambda_k w_k^2 H_k(2t)`
  (``R_1 = 1``; one-point function because :math:`\\mathcal L = \\theta^\\top e^{-2tK}\\theta` with K symmetric);
* :func:`bias_loss` -- the ensemble bias :math:`\\sum_k \\lambda_k w_k^2 H_k(t)^2`;
* :func:`transfer_time` -- :math:`H_k(t)`.

Everything runs inside ``mp.workdps`` (never a global precision).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import mpmath as mp

from scaling_verify.checks import CheckResult, Context, Figure, Series, check, relative_verdict
from scaling_verify.numerics.precise import DPS
from scaling_verify.numerics.precise.models import dmft_solver
from scaling_verify.theory.claims import Claim


def validate(N=None, P=None, b=None, a=None) -> None:
    if b is not None and not b > 0:
        raise ValueError(f"b must be > 0, got b={b}")
    if a is not None and not a > 1:
        raise ValueError(f"a must be > 1, got a={a}")
    for name, v in (("N", N), ("P", P)):
        if v is not None and not v >= 1:
            raise ValueError(f"{name} must be >= 1, got {name}={v}")


def power_spectrum(M: int, a: float, b: float, dps: int = DPS):
    """``(lambda_k, lambda_k w_k^2)`` for k = 1..M as mpf lists: ``k^-b`` and ``k^-a``."""
    validate(a=a, b=b)
    with mp.workdps(dps + 10):
        return [mp.mpf(k) ** (-mp.mpf(b)) for k in range(1, M + 1)], [mp.mpf(k) ** (-mp.mpf(a)) for k in range(1, M + 1)]


def solve_R(s, lam, N=None, P=None, R0=None, tol=None):
    """Fixed point ``R(s)`` (complex ``s`` allowed). ``N`` or ``P`` None means infinite."""
    validate(N=N, P=P)
    iN = 0 if N is None else 1 / mp.mpf(N)
    iP = 0 if P is None else 1 / mp.mpf(P)
    tol = tol or mp.mpf(10) ** (-mp.mp.dps + 3)
    R = mp.mpc(1) if R0 is None else R0
    for _ in range(60):
        Dv = mp.fsum(l * R / (s + l * R) for l in lam)
        dD = mp.fsum(l * s / (s + l * R) ** 2 for l in lam)
        R1, R3 = 1 - Dv * iP, 1 - Dv * iN
        f = R - R1 * R3
        fp = 1 + dD * iP * R3 + R1 * dD * iN
        step = f / fp
        R -= step
        if abs(step) <= tol * abs(R):
            return R
    # fallback: secant from R = 1
    return mp.findroot(lambda r: r - (1 - mp.fsum(l * r / (s + l * r) for l in lam) * iP)
                       * (1 - mp.fsum(l * r / (s + l * r) for l in lam) * iN), mp.mpc(1))


def transfer(s, k: int, lam, N=None, P=None):
    """:math:`H_k(s) = 1/(s + \\lambda_k R(s))` (k is 1-based)."""
    return 1 / (s + lam[k - 1] * solve_R(s, lam, N, P))


def _invert(F, t, dps):
    with mp.workdps(dps):
        return mp.invertlaplace(F, mp.mpf(t), method="talbot")


def transfer_time(t, k: int, lam, N=None, P=None, dps: int = DPS):
    """:math:`H_k(t)` by Talbot inversion at ``dps`` digits."""
    return _invert(lambda s: transfer(s, k, lam, N, P), t, dps)


def online_loss(t, lam, power, N, dps: int = DPS):
    """Exact P = oo test loss :math:`\\sum_k \\lambda_k w_k^2 H_k(2t)` (one Talbot inversion per t)."""
    def F(s):
        R = solve_R(s, lam, N, None)
        return mp.fsum(pw / (s + l * R) for l, pw in zip(lam, power))
    return _invert(F, 2 * mp.mpf(t), dps)


def online_loss_curve_reference(ts, M: int, a: float, b: float, N: int, dps: int = DPS):
    """:func:`online_loss` at each ``t`` in ``ts`` for the power-law model with M modes (the original mpmath
    path, ~21 s per point at M = 2000; kept as the reference of :func:`online_loss_curve`).

    Newton starts from R = 1 at every node: at late times with N < M it can converge to a spurious root
    (M = 200, N = 50, t = 1e4 gives -4e9; the physical value is 0.0654).
    """
    validate(N=N, a=a, b=b)
    with mp.workdps(dps):
        lam, power = power_spectrum(M, a, b, dps)
        return [online_loss(t, lam, power, N, dps) for t in ts]


def online_loss_curve(ts, M: int, a: float, b: float, N, dps: int = DPS, workers: int | None = None,
                      root: str = "physical"):
    """The exact ``P = oo`` loss :math:`\\sum_k k^{-a} H_k(2t)` at each ``t`` in ``ts`` (mpf at ``dps`` digits),
    by :func:`numerics.precise.models.dmft_solver.loss_curve` (same Talbot rule and working precision as
    :func:`online_loss_curve_reference`; ~2 s per point at M = 2000 on one core, ``workers`` processes).

    ``root="physical"`` continues R from the real root in (0, 1) along the contour; ``"one"`` starts every
    node from R = 1 like the reference (which can pick a spurious root at late times).
    """
    validate(N=N, a=a, b=b)
    return dmft_solver.loss_curve(ts, M, a, b, N=N, dps=dps, workers=workers, root=root)


def first_order_exact(t, k: int, lam):
    """Exact coefficient of 1/N in ``H_k(t) = E_A[e^{-t F Lambda}]_kk`` (P = oo), at the working precision.

    Second-order Dyson term with the Wishart moments ``N E[Delta_kj^2] = 1 + delta_kj``
    (:func:`theory.dynamical.wishart_second_moments`): in the Laplace domain
    ``lambda_k/(s+lambda_k)^2 [sum_l lambda_l/(s+lambda_l) + lambda_k/(s+lambda_k)]``, inverted term by term
    with ``L^{-1}[1/((s+x)^2 (s+c))] = (e^{-ct} - e^{-xt})/(x-c)^2 - t e^{-xt}/(x-c)`` (``t^2 e^{-xt}/2`` at c = x).
    The DMFT keeps the sum only; the extra ``lambda_k/(s+lambda_k)`` is mode k's self-interaction.
    """
    x = lam[k - 1]

    def f(c):
        if c == x:
            return t * t * mp.exp(-x * t) / 2
        d = x - c
        return (mp.exp(-c * t) - mp.exp(-x * t)) / d ** 2 - t * mp.exp(-x * t) / d
    return x * mp.fsum(l * f(l) for l in lam) + x * x * t * t * mp.exp(-x * t) / 2


# consistency: the exact first order is the same Dyson/Wishart expansion the corrected derivation uses
# (the simulation of the random-feature system is the independent evidence for the correction)
@check("dynamical.early_time_correction", "precise", evidence="consistency")
@check("dynamical.early_time_correction_finite_trace", "precise", evidence="consistency")
def _early_time(claim: Claim, ctx: Context) -> CheckResult:
    """Exact 1/N coefficient of ``H_k(t)`` (:func:`first_order_exact`, 30 digits) vs the claimed one.

    Setup: M = 64 modes, b = 1.5, P = oo, modes k = 1 (lambda_1/tr Lambda = 0.42) and k = 3, t = 1e-9, 1e-3 (judged)
    and 1e-2 (reported). The claim is evaluated at N = 1, P = 1e300 (its coefficient of 1/N). An early-time claim
    replaces ``D_0(s) = sum lambda_l/(s + lambda_l)`` by ``T/s``; the next term ``-T_2/s^2`` (T_2 = sum lambda^2)
    changes the result by a relative ``-(T_2/T) t/3`` at small t (measured: -1.19e-4 (k=1) and -1.57e-4 (k=3) at
    t = 1e-3, exactly 1e6 times smaller at t = 1e-9: linear in t). Tolerance at each judged t: ``(T_2/T) t`` (three
    times that term) at both modes: 5.1e-10 at t = 1e-9, which resolves the claim to ~7e-10 relative (at t = 1e-3
    alone, 5.1e-4, the check accepted the claim x(1 - 6.6e-4)). Precision: the exact terms are O(t/d) (d >= 1.2e-4,
    the closest eigenvalue gap) and cancel to O(t^2), losing ~14 digits at t = 1e-9, so the sums run at DPS + 20
    digits. The DMFT form (no self-interaction) is off by about ``lambda_k/(T + lambda_k)``: 29 % at k = 1.
    """
    M, b = 64, 1.5
    with mp.workdps(DPS + 20):
        lam, _ = power_spectrum(M, 2.0, b, DPS + 20)
        T1, T2 = mp.fsum(lam), mp.fsum(l * l for l in lam)
        rows = []
        for k in (1, 3):
            for judged, tv in ((True, mp.mpf("1e-9")), (True, mp.mpf("1e-3")), (False, mp.mpf("1e-2"))):
                meas = first_order_exact(tv, k, lam)
                pred = claim.evaluate(T=T1, N=1, P=10 ** 300, t=tv, **{"lambda": lam[k - 1]})
                rows.append((k, tv, meas, pred, abs(meas / pred - 1), T2 / T1 * tv, judged))
    ok = all(r[4] <= r[5] for r in rows if r[6])
    detail = "; ".join(f"k={r[0]}, t={mp.nstr(r[1], 2)}: exact {mp.nstr(r[2], 10)} vs claim {mp.nstr(r[3], 10)}, rel. diff "
                       f"{mp.nstr(r[4], 3)} (bound (T2/T) t = {mp.nstr(r[5], 3)})" for r in rows)
    detail += " -> consistent" if ok else " -> REJECTED"
    return CheckResult(ok, detail, {"rel_diff": [float(r[4]) for r in rows]})


def dmft_first_order(t, k: int, lam, N=10 ** 8, dps: int = DPS):
    """``N (H_k(t) - e^{-lambda_k t})`` from the DMFT at large N (its 1/N coefficient, Talbot at ``dps`` digits)."""
    with mp.workdps(dps):
        return N * (transfer_time(t, k, lam, N=N, dps=dps) - mp.exp(-lam[k - 1] * t))


# =============================================================================================
# The easy-task compute frontier of the DMFT's first-order (cross-term) model
# =============================================================================================

EASY_AB = (6, 3)  # a - 1 > b > 1; b = 3 keeps the truncation at M modes small (sum_{k>M} lambda_k = M^-2/2)
N_FIRST = 10 ** 10  # N (L_N - L_oo) at this N is the 1/N coefficient to ~1e-9 relative


@functools.lru_cache(maxsize=4)
def first_order_frontier(ts: tuple, M: int, a=EASY_AB[0], b=EASY_AB[1], h="1e-6", dps: int = DPS):
    """Compute-optimal frontier of ``L(N, t) = L_oo(t) + c_x(t)/N`` at ``C = N t`` with the DMFT's 1/N term.

    ``c_x(t) = N (L_N(t) - L_oo(t))`` at ``N = 1e10`` from the 30-digit DMFT (:func:`online_loss_curve`, M modes),
    ``L_oo(t) = sum_k k^-a e^{-2 k^-b t}`` exact. Minimising over t at fixed C gives ``d/dt[c_x t] = -C L_oo'(t)``,
    so each t is the optimum of ``C(t) = -(c_x t)'/L_oo'(t)`` (central difference, relative step ``h``: error
    ~1e-12) with ``N* = C/t`` and ``L* = L_oo + c_x t/C``. Returns ``[(t, C, N*, L*, c_x)]`` as mpf.
    """
    h = mp.mpf(h)
    with mp.workdps(dps):
        tv = [mp.mpf(t) for t in ts]
        grid = [x for t in tv for x in (t * (1 - h), t, t * (1 + h))]
        LN = online_loss_curve(grid, M, a, b, N_FIRST, dps)
        lam, pw = power_spectrum(M, a, b, dps)
        L_oo = lambda x: mp.fsum(p * mp.exp(-2 * l * x) for l, p in zip(lam, pw))  # noqa: E731
        dL_oo = lambda x: -2 * mp.fsum(p * l * mp.exp(-2 * l * x) for l, p in zip(lam, pw))  # noqa: E731
        out = []
        for i, t in enumerate(tv):
            xs = grid[3 * i:3 * i + 3]
            cx = [N_FIRST * (LN[3 * i + j] - L_oo(x)) for j, x in enumerate(xs)]
            C = -(cx[2] * xs[2] - cx[0] * xs[0]) / (xs[2] - xs[0]) / dL_oo(t)
            out.append((t, C, C / t, L_oo(t) + cx[1] * t / C, cx[1]))
        return out


FRONTIER_RTOL = 0.03
DYSON_RTOL = 1e-7  # second order at N = 1e10: ~D_0(1/t)/N ~ 1e-9 relative; Talbot/rounding ~1e-20


def dmft_first_order_loss(t, lam, pw):
    """The DMFT's exact 1/N coefficient of the ``P = oo`` loss ``sum_k pw_k H_k(2t)``, in closed form: the Dyson
    term ``lambda_k D_0(s)/(s + lambda_k)^2`` inverted as in :func:`first_order_exact` at time 2t, without mode k's
    self-interaction (which the DMFT drops). Independent of :func:`solve_R` and of the fast solver."""
    T = 2 * mp.mpf(t)
    E = [mp.exp(-l * T) for l in lam]
    tot = []
    for k, (x, Ek) in enumerate(zip(lam, E)):
        inner = []
        for j, (c, Ec) in enumerate(zip(lam, E)):
            if j == k:
                inner.append(c * T * T * Ek / 2)
            else:
                d = x - c
                inner.append(c * ((Ec - Ek) / d ** 2 - T * Ek / d))
        tot.append(pw[k] * x * mp.fsum(inner))
    return mp.fsum(tot)


@dataclass(frozen=True)
class Sizes:
    """Quick (tests, CLI) or full (``-m slow``) sizes of the frontier checks: the optimum times ``ts`` and the
    mode count ``M``."""

    ts: tuple[int, ...]
    M: int

    @classmethod
    def quick(cls) -> Sizes:
        return cls(ts=(100, 1000), M=200)

    @classmethod
    def full(cls) -> Sizes:
        return cls(ts=(100, 1000, 10000), M=400)

    @classmethod
    def of(cls, ctx: Context) -> Sizes:
        return cls.quick() if ctx.quick else cls.full()


def _frontier_check(claim: Claim, ctx: Context, which: str) -> CheckResult:
    """Local slope of the DMFT first-order frontier between the optimum times ``t*`` (see the two checks below)."""
    a, b = EASY_AB
    sz = Sizes.of(ctx)
    ts, M = sz.ts, sz.M
    fr = first_order_frontier(ts, M, a, b)
    col, sign = (3, -1) if which == "loss" else (2, 1)
    with mp.workdps(DPS):
        slopes = [sign * (mp.log(fr[i + 1][col]) - mp.log(fr[i][col])) / (mp.log(fr[i + 1][1]) - mp.log(fr[i][1]))
                  for i in range(len(fr) - 1)]
        cx_exp = [-(mp.log(fr[i + 1][4]) - mp.log(fr[i][4])) / (mp.log(fr[i + 1][0]) - mp.log(fr[i][0]))
                  for i in range(len(fr) - 1)]
    with mp.workdps(DPS):
        lam, pw = power_spectrum(M, a, b)
        dyson = dmft_first_order_loss(fr[0][0], lam, pw)
        guard = abs(fr[0][4] / dyson - 1)
    pred = float(claim.value(a=a, b=b))
    name = "L*" if which == "loss" else "N*"
    ok, detail = relative_verdict(f"DMFT first-order frontier, local slope of {name} at t*={ts[-2]:g}..{ts[-1]:g} "
                                  f"(a={a}, b={b}, M={M})", slopes[-1], pred, rtol=FRONTIER_RTOL)
    ok = ok and guard <= DYSON_RTOL
    detail += (f"; solver guard: c_x(t*={ts[0]:g}) vs the closed-form Dyson term, rel. diff {mp.nstr(guard, 3)} "
               f"(tol {DYSON_RTOL:.0e})" + ("" if guard <= DYSON_RTOL else " -> SOLVER INCONSISTENT"))
    detail += ("; slopes " + ", ".join(mp.nstr(s_, 6) for s_ in slopes) + "; c_x(t) local exponents "
               + ", ".join(mp.nstr(q, 5) for q in cx_exp) + f" (cross term: {1 - 1 / b:.4f})")
    fig = Figure(title=f"dynamical: easy-task compute frontier of the 30-digit DMFT (first order in 1/N), {name}",
                 xlabel="C", ylabel=name,
                 series=[Series("DMFT first-order optimum", [float(r[1]) for r in fr], [float(r[col]) for r in fr],
                                "points"),
                         Series("claimed power law", [float(r[1]) for r in fr],
                                [float(fr[0][col]) * float(r[1] / fr[0][1]) ** (sign * pred) for r in fr])])
    return CheckResult(ok, detail, {"slopes": [float(s_) for s_ in slopes], "cx_exponents": [float(q) for q in cx_exp],
                                    "dyson_guard": float(guard),
                                    "C": [float(r[1]) for r in fr]}, fig)


_FRONTIER_REASON = ("pre-asymptotic window: the first-order frontier's local slope between t* = 1e2 and 1e3 (M = 200) "
                    "still deviates from its limit by finite-t and mode-truncation terms measured up to 0.6 % (0.8376 "
                    "vs 5/6); the tolerance is 3 % (5x that, FRONTIER_RTOL), so a claim {} off is the finest it can "
                    "reject; reaching 1e-8 would need the frontier far beyond t* = 1e4 (full: M = 400, 0.2 %), where "
                    "one DMFT point costs seconds")


@check("dynamical.easy_compute_loss_exponent", "precise", resolution=5e-2, resolution_full=5e-2,
       resolution_reason=_FRONTIER_REASON.format("3.6-3.9 % (3 % + the 0.6 % deviation)"))
def _easy_compute_loss(claim: Claim, ctx: Context) -> CheckResult:
    """Exercises the 30-digit DMFT solver: the compute-optimal loss of its first-order model ``L_oo(t) + c_x(t)/N``
    (:func:`first_order_frontier`; a = 6, b = 3, N = 1e10 for the 1/N coefficient) against ``C^-claim``.

    Quick: M = 200, optimum times t* = 1e2, 1e3 (C ~ 7e3..7e5), ~1.5 s; full: M = 400, t* up to 1e4.
    The local slope approaches (a-1)/a = 5/6 from above: measured 0.8495 (t* 10..100), 0.8376 (100..1000, M=200),
    0.8372 (M=200) / 0.8350 (M=400) at t* 1e2..1e3: finite-t and truncation (``sum_{k>M} lambda_k/s``) deviations
    below 0.6 %. Tolerance 3 % (5x that, < a third of a 10 % change of the claim); the cross term's own exponent
    c_x ~ t^{-(1-1/b)} is reported. The slope alone is blind to a constant factor in c_x (a factor 2 in
    R_3 = 1 - D/N doubles it and leaves the slope), so the check also requires the solver's c_x at the first t* to
    equal the closed-form Dyson term (:func:`dmft_first_order_loss`) to 1e-7 relative.

    Resolution (declared, 5e-2): the tolerance 3 % plus the pre-asymptotic deviation (measured 0.4-0.6 %) is the
    smallest relative change of the claim the check rejects (measured 3.9 %); the method's window, not its
    arithmetic, sets it.
    """
    return _frontier_check(claim, ctx, "loss")


@check("dynamical.easy_compute_width_exponent", "precise", resolution=4e-2, resolution_full=4e-2,
       resolution_reason=_FRONTIER_REASON.format("3.1 % (3 % + the deviation of the N* slope)"))
def _easy_compute_width(claim: Claim, ctx: Context) -> CheckResult:
    """Same frontier as :func:`_easy_compute_loss` (cached), the optimal width ``N* = C/t*`` against ``C^claim``
    ((a-b)/a = 1/2 at a = 6, b = 3); tolerance 3 % from the same convergence study. Resolution (declared, 4e-2):
    the tolerance plus the slope's pre-asymptotic deviation (measured resolution 3.1 %)."""
    return _frontier_check(claim, ctx, "width")
