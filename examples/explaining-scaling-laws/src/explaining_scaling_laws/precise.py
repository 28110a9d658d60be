"""High-precision checks (mpmath, 30 digits) of the ``bahri`` claims.

Each check computes an exact (or deterministic-equivalent) loss of the model at several sizes, takes
its local log-log slope, and compares the slope at the largest size with the claim. The tolerance is a
convergence study, never the claim: the slope's corrections fall as ``1/n`` (variance) or
``1/n^2`` (manifold), so the change of the slope between the last two sizes bounds the remaining
error with a margin (for a ``1/n`` correction and sizes a decade apart the remaining error is about
1/9 of that change; we use the full change).

Public measurements (used by other plug-ins and the tests): :func:`variance_slope`,
:func:`manifold_slope`; each returns ``(slope, error_bound, details)``. The resolution-limited claims are the
library's power-law model, checked by the library (:mod:`explaining_scaling_laws.claims`).
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


@sv.check("bahri.variance_data_exponent", "precise", evidence="independent", resolution=3e-5,
          resolution_reason="the convergence bound of the local slope at D = 1e6 (its change from D = 1e5: "
                            "2e-5 relative at P = 8; the correction is O(P/D))")
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


@sv.check("bahri.manifold_exponent", "precise", evidence="independent", resolution=1.5e-3,
          resolution_reason="the convergence bound of the local slope at n = 1e4 (its change from n = 1e3: "
                            "9e-4 at d = 4; corrections O(1/n) from D = (n+1)^d)")
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
