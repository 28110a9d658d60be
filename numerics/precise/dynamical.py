"""High-precision checks of the dynamical model's spectral sums (mpmath, 30 digits).

* :func:`spectral_loss` -- the exact :math:`\\mathcal L(t) = \\sum_{k\\ge1} k^{-a} e^{-2k^{-b}t}`:
  a direct sum up to ``K0`` and Euler--Maclaurin (``mpmath.sumem``) beyond, where the summand is smooth
  on the scale :math:`t^{1/b} \\gg 1`.
* :func:`linear_model_optimum` -- the continuum linear spectral model
  :math:`\\mathcal L(N, t) = \\int_0^N k^{-a}e^{-2k^{-b}t}dk + \\int_N^\\infty k^{-a}dk
  = N^{1-a}\\left[\\frac{x^{-s}\\Gamma(s, x)}{b} + \\frac{1}{a-1}\\right]`, :math:`x = 2tN^{-b}`,
  minimised over ``N`` at :math:`C = N t`. Because the loss is homogeneous, the optimum sits at a fixed
  ``x*`` and the compute exponents are *exact* there; the check measures them at 30 digits.
"""

from __future__ import annotations

import mpmath as mp

from numerics.checks import CheckResult, Context, Figure, Series, check, relative_verdict
from numerics.precise import DPS
from theory.claims import Claim


def _validate(a: float, b: float) -> None:
    if not (a > 1):
        raise ValueError(f"a must be > 1 (the target power sum diverges otherwise), got a={a}")
    if not (b > 0):
        raise ValueError(f"b must be > 0, got b={b}")


def spectral_loss(t, a, b, dps: int = DPS, K0: int = 64):
    """:math:`\\sum_{k\\ge1} k^{-a}e^{-2k^{-b}t}` to ``dps`` digits (``a > 1``, ``b > 0``, ``t >= 0``)."""
    _validate(float(a), float(b))
    if t < 0:
        raise ValueError(f"t must be >= 0, got {t}")
    with mp.workdps(dps + 10):
        a, b, t = mp.mpf(a), mp.mpf(b), mp.mpf(t)
        f = lambda k: k ** (-a) * mp.exp(-2 * t * k ** (-b))  # noqa: E731
        # the summand varies on the scale k ~ t^{1/b}; sum it directly until it is smooth on unit steps
        K = max(K0, int(mp.ceil(4 * (2 * t) ** (1 / b))))
        head = mp.fsum(f(mp.mpf(k)) for k in range(1, K))
        tail = mp.sumem(f, [K, mp.inf])
        return +(head + tail)


def local_exponent(f, x, h=mp.mpf("1e-6")):
    """:math:`-d\\log f/d\\log x` by a central difference at high precision (error O(h^2))."""
    return -(mp.log(f(x * mp.exp(h))) - mp.log(f(x * mp.exp(-h)))) / (2 * h)


@check("dynamical.time_exponent", "precise")
def _time_exponent(claim: Claim, ctx: Context) -> CheckResult:
    """Local slope of the exact sum converges to the claimed exponent.

    Corrections to the integral approximation vanish faster than any power of t (the summand is flat
    at k = 0), so at t = 1e4 (b = 1.5) the local exponent agrees with (a-1)/b to better than 1e-12;
    the tolerance 1e-8 leaves four orders of margin and rejects any exponent error above 1e-8.
    """
    a, b = claim.params["a"], claim.params["b"]
    ts = [10 ** e for e in (1, 2, 3, 4)]
    with mp.workdps(DPS):
        slopes = [local_exponent(lambda x: spectral_loss(x, a, b), mp.mpf(tt)) for tt in ts]
    predicted = float(claim.evaluate())
    errs = [abs(float(s_) - predicted) for s_ in slopes]
    ok, detail = relative_verdict("local exponent at t=1e4", float(slopes[-1]), predicted, rtol=1e-8)
    detail += "; |slope - claim| at t=1e1..1e4: " + ", ".join(f"{e:.1e}" for e in errs)
    fig = Figure(title="dynamical: local time exponent of the exact sum", xlabel="t",
                 ylabel="-dlog L/dlog t", logy=False,
                 series=[Series("exact sum (30 digits)", ts, [float(s_) for s_ in slopes], "points"),
                         Series("claim", ts, [predicted] * len(ts))])
    return CheckResult(ok, detail, {"slopes": [float(s_) for s_ in slopes], "abs_errors": errs}, fig)


@check("dynamical.time_prefactor", "precise")
def _time_prefactor(claim: Claim, ctx: Context) -> CheckResult:
    """``L(t) t^{(a-1)/b}`` converges to the claimed prefactor; relative error below 1e-12 at t = 1e4."""
    a, b = claim.params["a"], claim.params["b"]
    s = (a - 1) / b
    ts = [10 ** e for e in (1, 2, 3, 4)]
    with mp.workdps(DPS):
        ratios = [spectral_loss(tt, a, b) * mp.mpf(tt) ** s for tt in ts]
    pred = claim.evaluate()
    errs = [float(abs(r / pred - 1)) for r in ratios]
    ok, detail = relative_verdict("L(t) t^s at t=1e4", float(ratios[-1]), float(pred), rtol=1e-10)
    detail += "; rel. errors at t=1e1..1e4: " + ", ".join(f"{e:.1e}" for e in errs)
    return CheckResult(ok, detail, {"rel_errors": errs})


@check("dynamical.size_tail_series", "precise")
def _tail_series(claim: Claim, ctx: Context) -> CheckResult:
    """Exact tail = Hurwitz zeta(a, N+1); the 3-term series error must fall as N^{-a-3}.

    At N = 10, 100, 1000 the measured remainder times N^{a+3} must approach the next Euler-Maclaurin
    coefficient -a(a+1)(a+2)/720 (relative spread below 5 %): this rejects a wrong term at any order
    kept, since a wrong coefficient leaves a remainder of order N^{-a}, N^{-a-1}, or N^{1-a}.
    """
    a = claim.params["a"]
    Ns = [10, 100, 1000]
    with mp.workdps(DPS):
        rem = []
        for n_ in Ns:
            exact = mp.zeta(a, n_ + 1)
            series = claim.evaluate(dps=DPS, N=n_)
            rem.append((exact - series) * mp.mpf(n_) ** (a + 3))
        expected = -mp.mpf(a) * (a + 1) * (a + 2) / 720
        rel = [float(abs(r / expected - 1)) for r in rem]
    ok = rel[-1] < 0.05
    detail = ("remainder * N^(a+3) at N=10,100,1000: " + ", ".join(mp.nstr(r, 8) for r in rem)
              + f" vs next EM coefficient {mp.nstr(expected, 8)} (rel. dev. {rel[-1]:.1e}, tol 5e-2)"
              + (" -> consistent" if ok else " -> REJECTED"))
    return CheckResult(ok, detail, {"scaled_remainders": [float(r) for r in rem]})


def linear_model_loss(N, t, a, b):
    """Continuum linear spectral model: first ``N`` modes learned for time ``t`` (see module doc)."""
    a, b, N, t = (mp.mpf(v) for v in (a, b, N, t))
    s = (a - 1) / b
    x = 2 * t * N ** (-b)
    return N ** (1 - a) * (x ** (-s) * mp.gammainc(s, x) / b + 1 / (a - 1))


def linear_model_optimum(C, a, b):
    """``(N*, t*, L*)`` minimising :func:`linear_model_loss` at ``N t = C`` (30-digit root of dL/dlogN)."""
    _validate(float(a), float(b))
    C = mp.mpf(C)
    if C <= 0:
        raise ValueError("compute C must be positive")

    def dlog(logN):
        return mp.diff(lambda z: linear_model_loss(mp.exp(z), C / mp.exp(z), a, b), logN)

    guess = mp.log(C) / (mp.mpf(b) + 1)
    logN = mp.findroot(dlog, guess, tol=mp.mpf(10) ** (-mp.mp.dps + 5))
    Nst = mp.exp(logN)
    return Nst, C / Nst, linear_model_loss(Nst, C / Nst, a, b)


def _compute_exponent_check(claim: Claim, which: int, sign: int) -> CheckResult:
    a, b = claim.params["a"], claim.params["b"]
    Cs = [mp.mpf(10) ** e for e in (4, 6, 8)]
    with mp.workdps(DPS):
        opts = [linear_model_optimum(Cv, a, b) for Cv in Cs]
        slopes = [sign * (mp.log(opts[i + 1][which]) - mp.log(opts[i][which])) / (mp.log(Cs[i + 1]) - mp.log(Cs[i]))
                  for i in range(len(Cs) - 1)]
    pred = float(claim.evaluate())
    # the continuum model is exactly homogeneous: the slope equals the exponent up to the root tolerance
    ok, detail = relative_verdict("log-log slope over C=1e4..1e8", float(slopes[-1]), pred, rtol=1e-15)
    names = ["N*", "t*", "L*"]
    fig = Figure(title=f"dynamical: compute-optimal {names[which]} (continuum linear model, 30 digits)",
                 xlabel="C", ylabel=names[which],
                 series=[Series("exact optimum", [float(c) for c in Cs], [float(o[which]) for o in opts], "points"),
                         Series("claimed power law", [float(c) for c in Cs],
                                [float(opts[0][which]) * float(c / Cs[0]) ** (sign * pred) for c in Cs])])
    return CheckResult(ok, detail, {"slopes": [float(s_) for s_ in slopes]}, fig)


@check("dynamical.compute_loss_exponent", "precise")
def _compute_loss(claim: Claim, ctx: Context) -> CheckResult:
    return _compute_exponent_check(claim, 2, -1)


@check("dynamical.compute_width_exponent", "precise")
def _compute_width(claim: Claim, ctx: Context) -> CheckResult:
    return _compute_exponent_check(claim, 0, +1)


@check("dynamical.compute_time_exponent", "precise")
def _compute_time(claim: Claim, ctx: Context) -> CheckResult:
    return _compute_exponent_check(claim, 1, +1)
