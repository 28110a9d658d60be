"""High-precision checks (mpmath, 30 digits) of the ``bahri`` claims.

Each check computes an exact (or deterministic-equivalent) loss of the model at several sizes, takes
its local log-log slope, and compares the slope at the largest size with the claim. The tolerance is a
convergence study, never the claim: the slope's corrections fall as ``1/n`` (variance, resolution) or
``1/n^2`` (manifold), so the change of the slope between the last two sizes bounds the remaining
error with a margin (for a ``1/n`` correction and sizes a decade apart the remaining error is about
1/9 of that change; we use the full change).

Public measurements (used by other plug-ins and the tests): :func:`variance_slope`,
:func:`resolution_slope`, :func:`manifold_slope`; each returns ``(slope, error_bound, details)``.
"""

from __future__ import annotations

import mpmath as mp

import scaling_verify as sv

DPS = 30


def _convergence(slopes: list) -> tuple[float, float]:
    """(last slope, |last - previous|): the error bound of the convergence study."""
    return float(slopes[-1]), float(abs(slopes[-1] - slopes[-2]))


# ---------------------------------------------------------------- variance-limited (in D)

def ols_excess(D, P, L_inf=1):
    """Exact expected excess loss of least squares on ``P`` Gaussian features from ``D`` samples.

    Random-feature model with fixed features ``z = F x`` (Gaussian latent ``x``): the teacher's part
    not spanned by ``z`` is Gaussian and independent of ``z`` (joint Gaussianity), so it acts as label
    noise of variance ``L_inf``, and the Gaussian-design identity
    :math:`E[(Z^TZ)^{-1}] = \\Sigma^{-1}/(D-P-1)` gives :math:`E L(D) = L_\\infty (D-1)/(D-P-1)`.
    """
    D, P = mp.mpf(D), mp.mpf(P)
    return L_inf * (D - 1) / (D - P - 1) - L_inf


def mle_excess(D):
    """Exact expected excess cross-entropy of the maximum-likelihood rate of an exponential model.

    Data ``x ~ Exp(1)``, estimate ``theta = D / sum x`` (``sum x ~ Gamma(D, 1)``), loss
    :math:`L(\\theta) = -\\log\\theta + \\theta` (minimum 1 at theta = 1):
    :math:`E L - 1 = \\psi(D) - \\log D + 1/(D-1)`, from ``E log sum x = psi(D)`` and
    ``E[1/sum x] = 1/(D-1)``.
    """
    D = mp.mpf(D)
    return mp.digamma(D) - mp.log(D) + 1 / (D - 1)


def _local_slope(f, x, h=mp.mpf("1e-8")):
    """``-d log f / d log x`` by a central difference (error O(h^2) = 1e-16 at 30 digits)."""
    return -(mp.log(f(x * mp.exp(h))) - mp.log(f(x * mp.exp(-h)))) / (2 * h)


def variance_slope(model: str = "ols", P: int = 8, sizes=(10 ** 3, 10 ** 4, 10 ** 5, 10 ** 6)):
    """Local exponent of the exact expected excess loss at ``sizes`` (``model``: ``ols`` or ``mle``).

    Returns ``(slope at the largest size, convergence error bound, slopes)``.
    """
    f = (lambda D: ols_excess(D, P)) if model == "ols" else mle_excess
    with mp.workdps(DPS):
        slopes = [_local_slope(f, mp.mpf(D)) for D in sizes]
    s, err = _convergence(slopes)
    return s, err, [float(x) for x in slopes]


@sv.check("bahri.variance_data_exponent", "precise", evidence="independent")
def _variance_data(claim, ctx):
    """Exact expected excess loss of two models at D = 1e3..1e6 (30 digits): least squares on P = 8
    random features (Gaussian design) and the maximum-likelihood exponential model (cross-entropy).
    Both local slopes must match the claim within their convergence bound (the slope change from
    D = 1e5 to 1e6; the correction is O(P/D), so the remaining error is below a tenth of it)."""
    pred = float(claim.evaluate())
    ok, parts, meas = True, [], {}
    for model in ("ols", "mle"):
        s, err, slopes = variance_slope(model)
        o, det = sv.exponent_verdict(f"{model} excess-loss slope at D=1e6", s, s - err, s + err, pred)
        ok &= o
        parts.append(det + f" (bound {err:.1e}; slopes at 1e3..1e6: " + ", ".join(f"{x:.8f}" for x in slopes) + ")")
        meas[model] = {"slope": s, "error_bound": err, "slopes": slopes}
    Ds = [1e3, 1e4, 1e5, 1e6]
    fig = sv.Figure(title="bahri: variance-limited local exponent (exact expectations)", xlabel="D",
                    ylabel="-dlog(L - L_oo)/dlog D", logy=False,
                    series=[sv.Series("least squares, P = 8", Ds, meas["ols"]["slopes"], "points"),
                            sv.Series("ML exponential, cross-entropy", Ds, meas["mle"]["slopes"], "points"),
                            sv.Series("claim", Ds, [pred] * 4)])
    return sv.CheckResult(ok, "; ".join(parts), meas, fig)


# ---------------------------------------------------------------- resolution-limited (kernel spectrum)

def spectral_sum(phi, kappa, b, K0: int = 64):
    """:math:`\\sum_{k\\ge1}\\phi(\\kappa k^b)` for a smooth ``phi``: direct sum below ``K0``, then
    Euler-Maclaurin (``mpmath.sumem``) with the integral split at the cutoff :math:`\\kappa^{-1/b}`."""
    f = lambda k: phi(kappa * k ** b)  # noqa: E731
    head = mp.fsum(f(mp.mpf(k)) for k in range(1, K0))
    ks = kappa ** (-1 / b)
    pts = [mp.mpf(K0)] + [ks * c for c in (mp.mpf(1) / 4, 1, 4, 16) if ks * c > K0] + [mp.inf]
    integral = mp.quad(f, pts)
    return head + mp.sumem(f, [K0, mp.inf], integral=integral)


def de_loss(kappa, alpha, kind: str):
    """Deterministic-equivalent (size n, loss L) at effective ridge ``kappa`` for spectrum
    :math:`\\lambda_k = k^{-(1+\\alpha)}` and target power :math:`\\lambda_k`.

    ``kind="width"``: projection residual :math:`\\sum_k\\lambda_k\\kappa/(\\lambda_k+\\kappa)`, ``n = P``.
    ``kind="data"``: ridgeless kernel regression
    :math:`\\frac{1}{1-\\gamma}\\sum_k\\lambda_k\\kappa^2/(\\lambda_k+\\kappa)^2`,
    :math:`\\gamma = \\frac1D\\sum_k\\lambda_k^2/(\\lambda_k+\\kappa)^2`, ``n = D``. In both
    :math:`n = \\sum_k \\lambda_k/(\\lambda_k+\\kappa)`.
    """
    b = 1 + mp.mpf(alpha)
    n = spectral_sum(lambda v: 1 / (1 + v), kappa, b)                  # lambda/(lambda+kappa), v = kappa/lambda
    if kind == "width":
        L = kappa * spectral_sum(lambda v: 1 / (1 + v), kappa, b)      # lambda kappa/(lambda+kappa) = kappa * (same)
        return n, L
    sq = spectral_sum(lambda v: 1 / (1 + v) ** 2, kappa, b)            # lambda^2/(lambda+kappa)^2
    num = kappa * spectral_sum(lambda v: v / (1 + v) ** 2, kappa, b)    # lambda kappa^2/(lambda+kappa)^2
    return n, num / (1 - sq / n)


def de_local_exponent(alpha, n_target, kind: str, h=mp.mpf("1e-8")):
    """``(n, -dlog L/dlog n)`` of the deterministic equivalent near size ``n_target`` (30 digits)."""
    with mp.workdps(DPS):
        b = 1 + mp.mpf(alpha)
        c1 = mp.pi / b / mp.sin(mp.pi / b)  # n ~ c1 kappa^{-1/b}: only used to aim at n_target
        kappa = (c1 / mp.mpf(n_target)) ** b
        n_p, L_p = de_loss(kappa * mp.exp(h), alpha, kind)
        n_m, L_m = de_loss(kappa * mp.exp(-h), alpha, kind)
        n0, _ = de_loss(kappa, alpha, kind)
        return float(n0), -(mp.log(L_p) - mp.log(L_m)) / (mp.log(n_p) - mp.log(n_m))


_MEMO: dict = {}


def resolution_slope(alpha: float = 1.0, kind: str = "width", sizes=(10 ** 3, 10 ** 4, 10 ** 5)):
    """Local exponent of the deterministic-equivalent loss at the largest of ``sizes``.

    Returns ``(slope, convergence error bound |slope(n_last) - slope(n_prev)|, [(n, slope), ...])``.
    """
    key = (float(alpha), kind, tuple(sizes))
    if key not in _MEMO:
        rows = [de_local_exponent(alpha, n, kind) for n in sizes]
        s, err = _convergence([r[1] for r in rows])
        _MEMO[key] = (s, err, [(n, float(x)) for n, x in rows])
    return _MEMO[key]


def _resolution_check(claim, kind: str):
    a = float(claim.params["alpha"])
    s, err, rows = resolution_slope(a, kind)
    pred = float(claim.evaluate())
    what = "D" if kind == "data" else "P"
    ok, det = sv.exponent_verdict(f"DE local exponent at {what}={rows[-1][0]:.3g} (alpha_K={a:g})",
                                  s, s - err, s + err, pred)
    det += " (convergence bound %.1e; slopes " % err + ", ".join(f"{n:.3g}: {x:.8f}" for n, x in rows) + ")"
    fig = sv.Figure(title=f"bahri: resolution-limited local exponent in {what} (deterministic equivalent)",
                    xlabel=what, ylabel=f"-dlog L/dlog {what}", logy=False,
                    series=[sv.Series("deterministic equivalent (30 digits)", [n for n, _ in rows], [x for _, x in rows], "points"),
                            sv.Series("claim", [n for n, _ in rows], [pred] * len(rows))])
    return sv.CheckResult(ok, det, {"slope": s, "error_bound": err, "rows": rows}, fig)


@sv.check("bahri.resolution_data_exponent", "precise", evidence="independent")
def _resolution_data(claim, ctx):
    """Ridgeless kernel-regression deterministic equivalent (infinite width) at D ~ 1e3, 1e4, 1e5:
    local exponent vs the claim; tolerance: the slope change between D ~ 1e4 and 1e5 (O(1/D) corrections)."""
    return _resolution_check(claim, "data")


@sv.check("bahri.resolution_width_exponent", "precise", evidence="independent")
def _resolution_width(claim, ctx):
    """Projection-residual deterministic equivalent (infinite data) at P ~ 1e3, 1e4, 1e5: local exponent
    vs the claim; tolerance: the slope change between P ~ 1e4 and 1e5 (O(1/P) corrections)."""
    return _resolution_check(claim, "width")


# ---------------------------------------------------------------- manifold dimension

def _interp_moments(h):
    """``(int_0^h e, int_0^h e^2)`` for the linear-interpolation error of ``exp`` on ``[0, h]``."""
    slope = (mp.exp(h) - 1) / h
    e = lambda x: mp.exp(x) - 1 - slope * x  # noqa: E731
    return mp.quad(e, [0, h]), mp.quad(lambda x: e(x) ** 2, [0, h])


def manifold_loss(n, d):
    """Exact mean squared error of multilinear interpolation of :math:`f(x) = \\sum_j e^{x_j}` on
    ``[0,1]^d`` from the regular grid with ``n`` intervals per axis (``D = (n+1)^d`` samples).

    Multilinear interpolation of an additive target is the sum of the 1-D piecewise-linear
    interpolants, so the error is :math:`\\sum_j e(x_j)` and
    :math:`\\mathrm{MSE} = d\\,\\overline{e^2} + d(d-1)\\,\\bar e^2`; on the cell ``[ih, (i+1)h]`` the error of
    ``exp`` is ``e^{ih}`` times the error on ``[0, h]``, so both averages are geometric sums.
    """
    n, d = mp.mpf(n), int(d)
    h = 1 / n
    I1, I2 = _interp_moments(h)
    mean_e = I1 * (mp.e - 1) / (mp.exp(h) - 1)
    mean_e2 = I2 * (mp.e ** 2 - 1) / (mp.exp(2 * h) - 1)
    return d * mean_e2 + d * (d - 1) * mean_e ** 2


def manifold_slope(d: int = 4, sizes=(10 ** 2, 10 ** 3, 10 ** 4)):
    """Local exponent ``-dlog MSE/dlog D`` (``D = (n+1)^d``) at the largest ``n`` of ``sizes``, with the
    convergence bound; returns ``(slope, bound, slopes)``."""
    with mp.workdps(DPS):
        hh = mp.mpf("1e-6")
        slopes = []
        for n in sizes:
            n = mp.mpf(n)
            lo, hi = n * mp.exp(-hh), n * mp.exp(hh)
            dlogL = mp.log(manifold_loss(hi, d)) - mp.log(manifold_loss(lo, d))
            dlogD = d * (mp.log(hi + 1) - mp.log(lo + 1))
            slopes.append(-dlogL / dlogD)
    s, err = _convergence(slopes)
    return s, err, [float(x) for x in slopes]


@sv.check("bahri.manifold_exponent", "precise", evidence="independent")
def _manifold(claim, ctx):
    """Exact MSE of multilinear interpolation of a smooth additive target on [0,1]^d (d from the claim's
    params) at n = 1e2, 1e3, 1e4 intervals per axis; local exponent in D = (n+1)^d vs the claim.
    Tolerance: the slope change from n = 1e3 to 1e4 (corrections O(1/n) from D = (n+1)^d)."""
    d = int(claim.params["d"])
    s, err, slopes = manifold_slope(d)
    pred = float(claim.evaluate())
    ok, det = sv.exponent_verdict(f"interpolation-MSE exponent at n=1e4 (d={d})", s, s - err, s + err, pred)
    det += f" (convergence bound {err:.1e}; slopes at n=1e2..1e4: " + ", ".join(f"{x:.8f}" for x in slopes) + ")"
    return sv.CheckResult(ok, det, {"slope": s, "error_bound": err, "slopes": slopes})
