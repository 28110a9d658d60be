"""High-precision checks of the generalized spectral model (a RECONSTRUCTION of Zhang 2025, arXiv 2511.07892).

Exact finite objects, 30 digits (``mpmath.workdps``):

* :func:`loss_sum` -- :math:`\\mathcal L(T) = \\sum_{k\\ge1} k^{-a} e^{-2k^{-b}T}` (``T = g/\\lambda``, the
  effective time of a separable ``g``).
* :func:`norm_sum` -- :math:`S(T) = \\sum_{k\\ge1} k^{b-a}(1-e^{-k^{-b}T})^2`, the squared norm of the
  learned weights. Both by :func:`series_sum`: direct sum up to :math:`K = 4(2T)^{1/b}`, then the exact
  tail as a convergent series of Hurwitz zeta values.
* :func:`effective_time` -- :math:`T(t) = t(1+\\kappa t)^{\\rho-1}` (crossover family) or its late-time
  form :math:`\\kappa^{\\rho-1}t^{\\rho}`.
* :func:`pruned_loss_continuum` -- top-``K`` truncation,
  :math:`\\int_0^K k^{-a}e^{-2Tk^{-b}}dk + \\frac{K^{1-a}}{a-1} = \\frac{(2T)^{-\\beta}\\Gamma(\\beta, 2TK^{-b})}{b} + \\frac{K^{1-a}}{a-1}`.

Asymptotic structure used for the error bounds (Mellin analysis): ``L(T) = C_t T^{-beta} + O(T^{-inf})``;
``S(T) = C_S T^{1-beta} + zeta(a-b) + O(T^{-inf})`` (no other pole to the right of the fundamental strip),
so ``1/(T L/S)`` is *linear* in ``x = T^{-(1-beta)}`` up to super-polynomially small terms.
"""

from __future__ import annotations

import mpmath as mp

from scaling_verify.checks import CheckResult, Context, Figure, Series, check, relative_verdict
from scaling_verify.numerics.precise import DPS
from scaling_verify.numerics.precise.dynamical import LOCAL_STEP
from scaling_verify.numerics.precise.slopes import local_exponent
from scaling_verify.numerics.stats import validate_power_spectrum
from scaling_verify.theory.claims import REGISTRY, Claim


def _validate(a: float, b: float, hard: bool = False) -> None:
    validate_power_spectrum(a, b, b_min=1.0)
    if hard and not (a - 1) / b < 1:
        raise ValueError(f"S(T) grows only for hard tasks beta = (a-1)/b < 1, got beta={(a - 1) / b}")


def series_sum(c, F, coef, n0, T, b, dps: int = DPS):
    """:math:`\\sum_{k\\ge1} k^{-c} F(T k^{-b})` with :math:`F(x) = \\sum_{n\\ge n_0} \\mathrm{coef}(n) x^n`.

    Direct sum for :math:`k < K = \\lceil 4(2T)^{1/b}\\rceil` (at least 8); beyond, ``x <= 1/(2\\cdot4^b)`` and
    the tail is summed *exactly* term by term, :math:`\\sum_n \\mathrm{coef}(n)\\,T^n\\,\\zeta(c+nb, K)`
    (Hurwitz zeta), stopped when a term falls below :math:`10^{-(dps+8)}` of the total (geometric
    convergence, ratio below :math:`2^{1-2b}`)."""
    with mp.workdps(dps + 10):
        c, T, b = mp.mpf(c), mp.mpf(T), mp.mpf(b)
        K = max(8, int(mp.ceil(4 * (2 * T) ** (1 / b))))
        head = mp.fsum(mp.mpf(k) ** (-c) * F(T * mp.mpf(k) ** (-b)) for k in range(1, K))
        tail, n = mp.mpf(0), n0
        eps = mp.mpf(10) ** (-(dps + 8))
        while True:
            term = coef(n) * T ** n * mp.zeta(c + n * b, K)
            tail += term
            if n > n0 + 3 and abs(term) <= eps * abs(head + tail):
                break
            n += 1
            if n > n0 + 400:
                raise ValueError("tail series did not converge")
        return +(head + tail)


def loss_sum(T, a, b, dps: int = DPS):
    """:math:`\\sum_k k^{-a}e^{-2k^{-b}T}` to ``dps`` digits (``a > 1``, ``b > 1``)."""
    _validate(float(a), float(b))
    if T < 0:
        raise ValueError(f"T must be >= 0, got {T}")
    return series_sum(a, lambda x: mp.exp(-2 * x), lambda n: (-2) ** n / mp.factorial(n), 0, T, b, dps)


def norm_sum(T, a, b, dps: int = DPS):
    """:math:`S(T) = \\sum_k k^{b-a}(1-e^{-k^{-b}T})^2` to ``dps`` digits (hard task ``(a-1)/b < 1``)."""
    _validate(float(a), float(b), hard=True)
    if T < 0:
        raise ValueError(f"T must be >= 0, got {T}")
    return series_sum(mp.mpf(a) - b, lambda x: mp.expm1(-x) ** 2,
                      lambda n: (-1) ** n * (mp.mpf(2) ** n - 2) / mp.factorial(n), 2, T, b, dps)


def effective_time(t, rho, kappa=1, crossover: bool = True):
    """``T(t) = t (1 + kappa t)^{rho-1}`` (crossover) or ``kappa^{rho-1} t^rho`` (late-time form)."""
    if not rho > 0:
        raise ValueError(f"rho must be > 0, got {rho}")
    t, rho, kappa = mp.mpf(t), mp.mpf(rho), mp.mpf(kappa)
    return t * (1 + kappa * t) ** (rho - 1) if crossover else kappa ** (rho - 1) * t ** rho


def pruned_loss_continuum(K, T, a, b):
    """Continuum top-``K`` truncated loss (module docstring)."""
    a, b, K, T = (mp.mpf(v) for v in (a, b, K, T))
    beta = (a - 1) / b
    return (2 * T) ** (-beta) * mp.gammainc(beta, 2 * T * K ** (-b)) / b + K ** (1 - a) / (a - 1)


def _p(claim: Claim, *names):
    return [claim.params[n] for n in names]


# ----------------------------------------------------------------------------- time exponent / prefactor


@check("spectral.time_exponent", "precise")
def _time_exponent(claim: Claim, ctx: Context) -> CheckResult:
    """Local slope in ``t`` of the exact sum under the *crossover* g = lambda t (1+kappa t)^{rho-1}.

    Error bound: L(T) = C_t T^{-beta} up to super-polynomial terms, so the exact local slope is
    beta d ln T/d ln t = rho beta - beta (rho-1)/(1+kappa t). The model's analytic crossover transient
    beta (rho-1)/(1+kappa t) (1.7e-5 at t = 1e4) is added back; what remains is the super-polynomial
    remainder (measured 3e-17 at t = 1e4, 1e-15 at t = 1e3), the O(h^2) central difference (h = 1e-6:
    h^2/6 |d^3 ln L/d(ln t)^3| < 1e-12) and rounding (1e-30/h = 1e-24): a budget below 1e-12. Tolerance 1e-9
    absolute (1000x the budget; 1.75e-9 relative to the claimed 0.571, so the target 1e-8 is resolved --
    the former 1e-8 accepted the claim x(1 +- 1.7e-8)).
    """
    a, b, rho, kappa = _p(claim, "a", "b", "rho", "kappa")
    beta = (a - 1) / b
    ts = [10 ** e for e in (2, 3, 4)]
    with mp.workdps(DPS):
        slopes = [local_exponent(lambda x: loss_sum(effective_time(x, rho, kappa), a, b), mp.mpf(tt), LOCAL_STEP) for tt in ts]
    pred = float(claim.evaluate())
    transient = beta * (rho - 1) / (1 + kappa * ts[-1])
    corrected = float(slopes[-1]) + transient
    err = abs(corrected - pred)
    tol = 1e-9
    ok = err <= tol
    detail = (f"local slope at t=1e4: {float(slopes[-1]):.10f}, + analytic crossover transient {transient:.3e} "
              f"= {corrected:.10f} vs claimed {pred:.10f}, |diff| {err:.2e} (tol {tol:.0e}) -> "
              f"{'consistent' if ok else 'REJECTED'}; raw slopes at t=1e2..1e4: " + ", ".join(f"{float(s_):.6f}" for s_ in slopes))
    fig = Figure(title="spectral: local time exponent, crossover g (30 digits)", xlabel="t",
                 ylabel="-dlog L/dlog t", logy=False,
                 series=[Series("exact sum", ts, [float(s_) for s_ in slopes], "points"),
                         Series("claim", ts, [pred] * len(ts))])
    return CheckResult(bool(ok), detail, {"slopes": [float(s_) for s_ in slopes], "abs_error": err, "tol": tol}, fig)


@check("spectral.time_prefactor", "precise")
def _time_prefactor(claim: Claim, ctx: Context) -> CheckResult:
    """``L t^{alpha_t}`` with the late-time g = kappa^{rho-1} lambda t^rho at kappa = 1.7 (not 1, so the
    kappa dependence is tested). Corrections are super-polynomial in T; at T >= 1e4 the relative error
    is below 1e-12 (measured), tolerance 1e-10."""
    a, b, rho = _p(claim, "a", "b", "rho")
    kappa = 1.7
    alpha_t = rho * (a - 1) / b
    ts = [10 ** e for e in (1, 2, 3)]
    with mp.workdps(DPS):
        ratios = [loss_sum(effective_time(tt, rho, kappa, crossover=False), a, b) * mp.mpf(tt) ** alpha_t for tt in ts]
    pred = claim.evaluate(kappa=kappa)
    errs = [float(abs(r / pred - 1)) for r in ratios]
    ok, detail = relative_verdict("L(t) t^alpha_t at t=1e3", float(ratios[-1]), float(pred), rtol=1e-10)
    detail += "; rel. errors at t=1e1..1e3: " + ", ".join(f"{e:.1e}" for e in errs)
    return CheckResult(bool(ok), detail, {"rel_errors": errs})


# ----------------------------------------------------------------------------- size / compute


@check("spectral.size_exponent", "precise")
def _size_exponent(claim: Claim, ctx: Context) -> CheckResult:
    """Local slope of the truncation tail zeta(a, N+1) (top-N modes kept) at N = 1e4, 1e8, 1e12.

    Euler-Maclaurin: tail = N^{1-a}/(a-1) - N^{-a}/2 + ..., so the local exponent is (a-1) + O(1/N);
    bound |slope - (a-1)| <= a/N: tol at N = 1e12 is 2.2e-12 (1.8e-12 relative to a - 1 = 1.2; the Hurwitz zeta
    at 30 digits and the difference step h = 1e-6 add < 1e-20). The former last size N = 1e7 (tol 2.2e-7)
    accepted the claim x(1 +- 1e-7)."""
    a = claim.params["a"]
    Ns = [10 ** e for e in (4, 8, 12)]
    with mp.workdps(DPS):
        slopes = [local_exponent(lambda x: mp.zeta(a, x + 1), mp.mpf(n_), LOCAL_STEP) for n_ in Ns]
    pred = float(claim.evaluate())
    err = abs(float(slopes[-1]) - pred)
    tol = a / Ns[-1]
    ok = err <= tol
    return CheckResult(bool(ok), f"tail local exponent at N=1e12: {float(slopes[-1]):.9f} vs claimed {pred:.9f}, "
                           f"|diff| {err:.1e} (tol a/N = {tol:.1e}) -> {'consistent' if ok else 'REJECTED'}",
                       {"slopes": [float(s_) for s_ in slopes]})


def continuum_linear_loss(N, t, a, b, rho):
    """Continuum linear spectral model with g = lambda t^rho: first ``N`` modes trained, the rest unlearned."""
    return pruned_loss_continuum(N, mp.mpf(t) ** rho, a, b)


def compute_optimum(C, a, b, rho):
    """``(N*, t*, L*)`` minimising the continuum model at ``N t = C`` (30-digit root of dL/dlogN)."""
    C = mp.mpf(C)

    def dlog(z):
        return mp.diff(lambda y: continuum_linear_loss(mp.exp(y), C / mp.exp(y), a, b, rho), z)

    logN = mp.findroot(dlog, mp.log(C) * rho / (b + rho), tol=mp.mpf(10) ** (-mp.mp.dps + 5))
    Nst = mp.exp(logN)
    return Nst, C / Nst, continuum_linear_loss(Nst, C / Nst, a, b, rho)


@check("spectral.compute_exponent", "precise")
def _compute_exponent(claim: Claim, ctx: Context) -> CheckResult:
    """The continuum model is homogeneous in (N, t^{rho/b}), so the optimum sits at a fixed N^b/t^rho and
    the log-log slope of L* over C = 1e4..1e8 equals the exponent up to the 30-digit root tolerance
    (tol 1e-12)."""
    a, b, rho = _p(claim, "a", "b", "rho")
    Cs = [mp.mpf(10) ** e for e in (4, 6, 8)]
    with mp.workdps(DPS):
        opts = [compute_optimum(c_, a, b, rho) for c_ in Cs]
        slopes = [-(mp.log(opts[i + 1][2]) - mp.log(opts[i][2])) / (mp.log(Cs[i + 1]) - mp.log(Cs[i])) for i in range(2)]
    pred = float(claim.evaluate())
    ok, detail = relative_verdict("slope of L*(C), C=1e6..1e8", float(slopes[-1]), pred, rtol=1e-12)
    fig = Figure(title="spectral: compute-optimal loss (continuum model, 30 digits)", xlabel="C", ylabel="L*",
                 series=[Series("exact optimum", [float(c_) for c_ in Cs], [float(o[2]) for o in opts], "points"),
                         Series("claimed power law", [float(c_) for c_ in Cs],
                                [float(opts[0][2]) * float(c_ / Cs[0]) ** (-pred) for c_ in Cs])])
    return CheckResult(bool(ok), detail, {"slopes": [float(s_) for s_ in slopes]}, fig)


# ----------------------------------------------------------------------------- pruning


def critical_pruning_K(T, a, b, factor=2):
    """Continuum ``K_c(T)`` with ``L_pr(K_c, T) = factor * L(T)`` (pruning doubles the loss)."""
    a, b, T = mp.mpf(a), mp.mpf(b), mp.mpf(T)
    beta = (a - 1) / b
    full = (2 * T) ** (-beta) * mp.gamma(beta) / b
    f = lambda lk: mp.log(pruned_loss_continuum(mp.exp(lk), T, a, b)) - mp.log(factor * full)  # noqa: E731
    guess = mp.log(T) / b
    return mp.exp(mp.findroot(f, guess, tol=mp.mpf(10) ** (-mp.mp.dps + 5)))


@check("spectral.pruning_density_exponent", "precise")
def _pruning_density(claim: Claim, ctx: Context) -> CheckResult:
    """Critical density K_c(t)/N from the continuum top-K truncation under the late-time g: the model
    is homogeneous in K/T^{1/b}, so the slope of log K_c vs log t equals the exponent up to the root
    tolerance (tol 1e-12); the crossover value K_c/k* = Psi^{-1}(2) is reported."""
    a, b, rho = _p(claim, "a", "b", "rho")
    ts = [10 ** e for e in (2, 4, 6)]
    with mp.workdps(DPS):
        Ks = [critical_pruning_K(effective_time(tt, rho, 1, crossover=False), a, b) for tt in ts]
        slopes = [(mp.log(Ks[i + 1]) - mp.log(Ks[i])) / (mp.log(ts[i + 1]) - mp.log(ts[i])) for i in range(2)]
        kstar = [effective_time(tt, rho, 1, crossover=False) ** (1 / mp.mpf(b)) for tt in ts]
    pred = float(claim.evaluate())
    ok, detail = relative_verdict("slope of log K_c vs log t", float(slopes[-1]), pred, rtol=1e-12)
    detail += f"; K_c/k* = {float(Ks[0] / kstar[0]):.6f} (scaling-function crossover)"
    return CheckResult(bool(ok), detail, {"K_c": [float(k_) for k_ in Ks], "slopes": [float(s_) for s_ in slopes],
                                    "K_c_over_kstar": float(Ks[0] / kstar[0])})


# ----------------------------------------------------------------------------- quantization / norm


def norm_rate(T, a, b):
    """:math:`T\\,dS/dT = T\\sum_k k^{-a}\\,2(e^{-x}-e^{-2x})`, :math:`x = k^{-b}T` (summand derivative in closed
    form, :func:`series_sum`, 30 digits)."""
    T, b = mp.mpf(T), mp.mpf(b)
    return T * series_sum(mp.mpf(a), lambda x: 2 * (mp.exp(-x) - mp.exp(-2 * x)),
                          lambda n: 2 * ((-1) ** n - (-2) ** n) / mp.factorial(n), 1, T, b)


@check("spectral.quantization_damage_exponent", "precise")
def _damage_exponent(claim: Claim, ctx: Context) -> CheckResult:
    """Growth exponent in t of the exact S(T(t)) (crossover g) from its rate u(t) = dS/d ln t, at t = 1e4, 1e5, 1e6.

    S(T) = C_S T^{1-beta} + zeta(a-b) + O(T^{-inf}) (module docstring): the constant is what made the local slope
    of S itself converge only as T^{-(1-beta)} (the former check: 4e-5 off at t = 1e4, tolerance 1.7e-4). Its rate
    T dS/dT = (1-beta) C_S T^{1-beta} has no constant, so u(t) = T S'(T) l(t), l = d ln T/d ln t =
    rho - (rho-1)/(1+kappa t), has the exact local exponent
    d ln u/d ln t = (1-beta) l(t) + (rho-1) kappa t/((1+kappa t)^2 l(t)) up to super-polynomial terms. The model's
    analytic crossover transient (everything but rho (1-beta); 4.3e-8 at t = 1e6) is removed; what remains is the
    super-polynomial remainder (< 1e-15 at T >= 1e7, as for L: ``spectral.time_exponent``), the O(h^2) central
    difference (h = 1e-6: < 1e-12) and rounding (1e-24): a budget below 1e-12. Tolerance 1e-9 absolute (1.2e-9
    relative to the claimed 0.857; target 1e-8)."""
    a, b, rho, kappa = _p(claim, "a", "b", "rho", "kappa")
    beta = (a - 1) / b
    ts = [10 ** e for e in (4, 5, 6)]

    def ell(t):
        return rho - (rho - 1) / (1 + kappa * t)

    with mp.workdps(DPS):
        slopes = [-local_exponent(lambda x: norm_rate(effective_time(x, rho, kappa), a, b) * ell(x), mp.mpf(tt),
                                  LOCAL_STEP) for tt in ts]
    t_ = ts[-1]
    transient = (1 - beta) * (ell(t_) - rho) + (rho - 1) * kappa * t_ / ((1 + kappa * t_) ** 2 * ell(t_))
    corrected = float(slopes[-1]) - transient
    pred = float(claim.evaluate())
    tol = 1e-9
    err = abs(corrected - pred)
    ok = err <= tol
    detail = (f"local slope of dS/dln t at t=1e6: {float(slopes[-1]):.10f}, - analytic crossover transient "
              f"{transient:.3e} = {corrected:.10f} vs claimed {pred:.10f}, |diff| {err:.2e} (tol {tol:.0e}) -> "
              f"{'consistent' if ok else 'REJECTED'}; raw slopes t=1e4..1e6: " + ", ".join(f"{float(s_):.8f}" for s_ in slopes))
    fig = Figure(title="spectral: growth exponent of the weight norm S(t) (30 digits)", xlabel="t",
                 ylabel="dlog(dS/dlog t)/dlog t", logy=False,
                 series=[Series("exact sum", ts, [float(s_) for s_ in slopes], "points"),
                         Series("claim gamma_D", ts, [pred] * len(ts))])
    return CheckResult(bool(ok), detail, {"slopes": [float(s_) for s_ in slopes], "abs_error": err, "tol": tol}, fig)


_T_PAIR = (mp.mpf(10) ** 4, mp.mpf(10) ** 6)


def _two_point_norm(a, b, pair=_T_PAIR):
    """Exact S at ``pair`` (default T = 1e4, 1e6) and the two-point solution of S = C_S T^{1-beta} + c_0."""
    beta = mp.mpf(a - 1) / b
    S1, S2 = (norm_sum(T_, a, b) for T_ in pair)
    x1, x2 = (T_ ** (1 - beta) for T_ in pair)
    CS = (S2 - S1) / (x2 - x1)
    return CS, S1 - CS * x1, (S1, S2)


@check("spectral.norm_prefactor", "precise")
def _norm_prefactor(claim: Claim, ctx: Context) -> CheckResult:
    """Gamma closed form of S against the exact sum: C_S from S at T = 1e4 and 1e6 with the constant
    term eliminated (S = C_S T^{1-beta} + c_0 up to super-polynomial terms): rtol 1e-9."""
    a, b = _p(claim, "a", "b")
    with mp.workdps(DPS):
        CS, c0, _ = _two_point_norm(a, b)
    ok, detail = relative_verdict("C_S (two-point, T=1e4,1e6)", float(CS), float(claim.evaluate()), rtol=1e-9)
    return CheckResult(bool(ok), detail, {"C_S": float(CS), "c0": float(c0)})


@check("spectral.norm_constant", "precise")
def _norm_constant(claim: Claim, ctx: Context) -> CheckResult:
    """The constant of S (two-point elimination of the T^{1-beta} term) against zeta(a-b).

    The elimination is exact up to the super-polynomial remainder of S at the smaller T, so c_0 is taken from
    T = 1e5, 1e7 and its error is bounded by the change from the pair T = 1e4, 1e6: a remainder falling faster
    than any power falls more than 10x per decade, so the later estimate is off by at most 1/9 of the change
    (measured at a = 2.2, b = 3: change 7.0e-10 relative, distance of the later estimate from zeta(a-b) 4e-13).
    Tolerance: that change plus a 1e-12 floor (the cancellation S - C_S T^{1-beta} at T = 1e5 costs 3 of the 30
    digits). With the former fixed rtol 1e-8 on the T = 1e4, 1e6 pair the check accepted the claim x(1 + 1e-8)."""
    a, b = _p(claim, "a", "b")
    with mp.workdps(DPS):
        _, c0_prev, _ = _two_point_norm(a, b)
        CS, c0, _ = _two_point_norm(a, b, (mp.mpf(10) ** 5, mp.mpf(10) ** 7))
        rtol = float(abs(c0 / c0_prev - 1)) + 1e-12
    ok, detail = relative_verdict("c_0 (two-point, T=1e5,1e7)", float(c0), float(claim.evaluate()), rtol=rtol)
    detail += f"; from T=1e4,1e6: {mp.nstr(c0_prev, 15)} (tol = relative change {rtol:.1e})"
    return CheckResult(bool(ok), detail, {"C_S": float(CS), "c0": float(c0), "c0_prev": float(c0_prev), "rtol": rtol})


@check("spectral.amplitude_ratio", "precise")
def _amplitude_ratio(claim: Claim, ctx: Context) -> CheckResult:
    """R(T) = L(T)/(lambda* S(T)), lambda* = 1/T, at T = 1e2..1e6 from the exact sums.

    1/R is linear in x = T^{-(1-beta)} up to super-polynomial terms (module docstring), so the
    extrapolation from T = 1e4, 1e6 gives the limit to ~1e-15; tolerance 1e-9. The rate is measured as the
    slope of log|R - Phi| vs log T (expected 1 - beta: approach as T^{-(1-beta)} = t^{-gamma_D})."""
    a, b = _p(claim, "a", "b")
    beta = (a - 1) / b
    Ts = [mp.mpf(10) ** e for e in (2, 4, 6)]
    with mp.workdps(DPS):
        R = [T_ * loss_sum(T_, a, b) / norm_sum(T_, a, b) for T_ in Ts]
        x = [T_ ** (-(1 - mp.mpf(beta))) for T_ in Ts]
        inv = [1 / r for r in R]
        lim = 1 / (inv[1] - (inv[2] - inv[1]) / (x[2] - x[1]) * x[1])
        phi = claim.evaluate()
        dev = [abs(r - phi) for r in R]
        rate = [float(-(mp.log(dev[i + 1]) - mp.log(dev[i])) / (mp.log(Ts[i + 1]) - mp.log(Ts[i])))
                if dev[i + 1] > 0 and dev[i] > 0 else float("nan") for i in range(2)]
    ok, detail = relative_verdict("extrapolated L/(lambda* S)", float(lim), float(phi), rtol=1e-9)
    detail += (f"; R(T=1e2,1e4,1e6) = " + ", ".join(f"{float(r):.8f}" for r in R)
               + f"; convergence rate d log|R-Phi|/d log T = {rate[-1]:.4f} (expected 1-beta = {1 - beta:.4f})")
    fig = Figure(title="spectral: amplitude ratio L/(lambda* S) (30 digits)", xlabel="T = g/lambda",
                 ylabel="L/(lambda* S)", logy=False,
                 series=[Series("exact sums", [float(T_) for T_ in Ts], [float(r) for r in R], "points"),
                         Series("claimed limit", [float(T_) for T_ in Ts], [float(phi)] * 3)])
    return CheckResult(bool(ok), detail, {"R": [float(r) for r in R], "limit": float(lim), "rate": rate}, fig)


@check("spectral.ptq_critical_time", "precise")
def _critical_time(claim: Claim, ctx: Context) -> CheckResult:
    """argmin_t of the exact L(T(t)) + Q0 S(T(t)) (late-time g, kappa = 1) against the claim with
    C_t and Q taken from the prefactor claims (Q = Q0 C_S; the constant zeta(a-b) of S does not move the
    minimum). Corrections are super-polynomial in T (T* ~ 6e4 here; the remainders of L and S are < 1e-15 relative
    at T >= 1e3, see ``spectral.time_exponent``), the root is found to the 30-digit tolerance and the derivatives are
    closed-form sums: measured agreement < 1e-16. rtol 1e-9 (the former 1e-8 accepted the claim x(1 - 1e-8))."""
    a, b, rho = _p(claim, "a", "b", "rho")
    Q0 = mp.mpf("1e-5")
    with mp.workdps(DPS):
        A_, B_ = mp.mpf(a), mp.mpf(b)

        def h(y):  # T d/dT [L + Q0 S] at T = e^y, exact sums (summand derivatives in closed form)
            T_ = mp.exp(y)
            dL = series_sum(A_ + B_, lambda x: -2 * mp.exp(-2 * x), lambda n: -2 * (-2) ** n / mp.factorial(n), 0, T_, B_)
            dS = series_sum(A_, lambda x: 2 * (mp.exp(-x) - mp.exp(-2 * x)),
                            lambda n: 2 * ((-1) ** n - (-2) ** n) / mp.factorial(n), 1, T_, B_)
            return T_ * (dL + Q0 * dS)

        Ct = REGISTRY.get("spectral.time_prefactor").evaluate(a=a, b=b, rho=rho, kappa=1)
        CS = REGISTRY.get("spectral.norm_prefactor").evaluate(a=a, b=b)
        pred = claim.evaluate(a=a, b=b, rho=rho, C_t=float(Ct), Q=float(Q0 * CS))
        Tmin = mp.exp(mp.findroot(h, (mp.log(pred) * rho - 1, mp.log(pred) * rho + 1), solver="anderson"))
        tmin = Tmin ** (1 / mp.mpf(rho))
    ok, detail = relative_verdict("argmin_t of L + Q0 S", float(tmin), float(pred), rtol=1e-9)
    return CheckResult(bool(ok), detail, {"t_crit_exact": float(tmin), "t_crit_claim": float(pred)})
