"""Fits of the published compression laws to simulated sweeps, and the same exponents read from a claim.

* Kumar et al.'s post-training-quantization term
  :math:`\\delta = C_T\\,e^{-B/\\gamma_{post}}\\,D^{\\gamma_D}\\,N^{-\\gamma_N}`: :func:`fit_kumar` (log-linear
  least squares, exact for this form; bootstrap over quantizer draws), :func:`kumar_exponents` (the
  exponents of a Kumar-form claim, by log-derivatives of its expression);
* Frantar et al.'s sparsity law
  :math:`L = (a_S (1-S)^{b_S} + c_S) N^{-b_N} + a_D D^{-b_D} + c`: :func:`fit_frantar` (log-space least
  squares from several starts, bootstrap over points), :func:`frantar_from_claim`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import optimize

from scaling_verify.numerics.stats import percentile_interval
from scaling_verify.theory.claims import Claim


@dataclass
class KumarFit:
    """log delta = log C_T - B/gamma_post + gamma_D log D - gamma_N log N, exact least squares."""

    gamma_post: float
    gamma_D: float
    gamma_N: float
    C_T: float
    ci: dict
    rms_resid: float


def _kumar_lsq(bits, t, Ns, Y) -> np.ndarray:
    """Coefficients (log C_T, -1/gamma_post, gamma_D, -gamma_N) of the log-linear fit to Y (B, N, T)."""
    Bg, Ng, Tg = np.meshgrid(bits, np.asarray(Ns, float), t, indexing="ij")
    X = np.stack([np.ones(Bg.size), Bg.ravel(), np.log(Tg.ravel()), np.log(Ng.ravel())], axis=1)
    coef, *_ = np.linalg.lstsq(X, np.log(Y.ravel()), rcond=None)
    return coef, float(np.sqrt(np.mean((X @ coef - np.log(Y.ravel())) ** 2)))


def fit_kumar(bits, t, Ns, dmg: np.ndarray, *, bootstrap: int = 400, seed: int = 0, level: float = 0.95) -> KumarFit:
    """Fit Kumar et al.'s PTQ term to a sweep ``dmg`` of shape ``(draws, len(bits), len(Ns), len(t))``
    (or its mean, 3-D). Log-linear least squares is exact for this form (it is linear in log delta);
    the bootstrap resamples draws (seeds/quantizer draws)."""
    bits, t = np.asarray(bits, float), np.asarray(t, float)
    dmg = np.asarray(dmg, float)
    if dmg.ndim == 3:
        dmg = dmg[None]
    if dmg.shape[1:] != (bits.size, len(Ns), t.size):
        raise ValueError(f"sweep shape {dmg.shape[1:]} does not match (bits, Ns, t) = {(bits.size, len(Ns), t.size)}")
    if not np.all(np.isfinite(dmg)) or np.any(dmg <= 0):
        raise ValueError("PTQ damages must be positive and finite for a log-linear fit")
    if bits.size < 2 or len(Ns) < 2 or t.size < 2:
        raise ValueError("the Kumar fit needs at least two bit widths, sizes and times")

    def to_exp(cf):
        return np.array([-1.0 / cf[1], cf[2], -cf[3], math.exp(cf[0])])

    cf, resid = _kumar_lsq(bits, t, Ns, dmg.mean(0))
    g = to_exp(cf)
    rng = np.random.default_rng(seed)
    boots = []
    if dmg.shape[0] > 1:
        for _ in range(bootstrap):
            rows = rng.integers(0, dmg.shape[0], dmg.shape[0])
            boots.append(to_exp(_kumar_lsq(bits, t, Ns, dmg[rows].mean(0))[0]))
    names = ("gamma_post", "gamma_D", "gamma_N", "C_T")
    if boots:
        arr = np.array(boots)
        ci = {n_: tuple(float(v) for v in percentile_interval(arr[:, i], level)) for i, n_ in enumerate(names)}
    else:
        ci = {n_: (float(g[i]), float(g[i])) for i, n_ in enumerate(names)}
    return KumarFit(*(float(v) for v in g[:3]), C_T=float(g[3]), ci=ci, rms_resid=resid)


@dataclass(frozen=True)
class KumarExponents:
    """The exponents of a Kumar-form claim (see :func:`kumar_exponents`)."""

    gamma_post: float
    gamma_D: float
    gamma_N: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def kumar_exponents(claim: Claim) -> KumarExponents:
    """(gamma_post, gamma_D, gamma_N) read from a Kumar-form claim by log-derivatives of its expr at its
    params: gamma_post = -1/d_B ln delta, gamma_D = D d_D ln delta, gamma_N = -N d_N ln delta."""
    import sympy as sp

    syms = {s_.name: s_ for s_ in claim.symbols}
    Bs, Ds, Ns_ = syms["B"], syms["D"], syms["N"]
    le = sp.log(claim.expr)
    vals = {s_: claim.params[s_.name] for s_ in claim.symbols if s_.name in claim.params}

    def at(e):
        return float(e.subs(vals).evalf(30))

    dB = at(sp.diff(le, Bs))
    return KumarExponents(gamma_post=-1.0 / dB if dB != 0 else math.inf, gamma_D=at(Ds * sp.diff(le, Ds)),
                          gamma_N=-at(Ns_ * sp.diff(le, Ns_)))


FRANTAR_NAMES = ("a_S", "b_S", "c_S", "b_N", "a_D", "b_D", "c")


_FR_LOG = (True, False, True, False, True, False, True)      # parameters fitted through their log


_FR_BOUNDS = (np.array([-25, 0, -25, 0, -25, 0, -30.0]), np.array([10, 4, 10, 4, 10, 4, 5.0]))


def frantar_model(theta, S, Nnz, D):
    """Frantar et al.'s L = (a_S (1-S)^{b_S} + c_S) N^{-b_N} + a_D D^{-b_D} + c (theta in fit coordinates)."""
    la_s, b_s, lc_s, b_n, la_d, b_d, lc = theta
    return ((np.exp(la_s) * (1 - S) ** b_s + np.exp(lc_s)) * Nnz ** (-b_n) + np.exp(la_d) * D ** (-b_d) + np.exp(lc))


@dataclass
class FrantarFit:
    """Frantar fit: natural-scale parameters and their bootstrap intervals, the N-term multiplier at the
    sweep's largest sparsity, the rms log residual and the fit-coordinate parameters ``theta``."""

    params: dict
    ci: dict
    multiplier: float                      # (a_S (1-S*)^{b_S} + c_S)/(a_S + c_S) at the sweep's largest sparsity S*
    multiplier_ci: tuple[float, float]
    S_max: float
    rms_resid: float
    theta: np.ndarray = field(repr=False, default=None)


_FR_TERMS = {"full": np.ones(7, bool),
             "N": np.array([1, 1, 1, 1, 0, 0, 0], bool),      # power-law phase: size term only (c = 0)
             "D": np.array([0, 0, 0, 0, 1, 1, 0], bool)}      # plateau phase: data term only (c = 0)


_FR_OFF = np.array([-60.0, 0.0, -60.0, 0.0, -60.0, 0.0, -60.0])   # values of the switched-off parameters


def _frantar_lsq(S, Nnz, D, L, starts, terms: str = "full"):
    free = _FR_TERMS[terms]

    def full(x):
        th = _FR_OFF.copy()
        th[free] = x
        return th

    lS, lN, lD, lL = np.log1p(-S), np.log(Nnz), np.log(D), np.log(L)

    def parts(x):
        la_s, b_s, lc_s, b_n, la_d, b_d, lc = full(x)
        sp_ = np.exp(la_s + b_s * lS - b_n * lN)          # a_S (1-S)^{b_S} N^{-b_N}
        cs_ = np.exp(lc_s - b_n * lN)                     # c_S N^{-b_N}
        d_ = np.exp(la_d - b_d * lD)
        return sp_, cs_, d_, np.exp(lc)

    def resid(x):
        sp_, cs_, d_, c_ = parts(x)
        return np.log(sp_ + cs_ + d_ + c_) - lL

    def jac(x):                                           # analytic d log(model)/d theta
        sp_, cs_, d_, c_ = parts(x)
        m = sp_ + cs_ + d_ + c_
        J = np.stack([sp_, sp_ * lS, cs_, -(sp_ + cs_) * lN, d_, -d_ * lD, np.broadcast_to(c_, m.shape)], axis=1) / m[:, None]
        return J[:, free]

    best = None
    for x0 in starts:
        sol = optimize.least_squares(resid, np.asarray(x0)[free], jac=jac, bounds=(_FR_BOUNDS[0][free], _FR_BOUNDS[1][free]),
                                     x_scale="jac", xtol=1e-10, ftol=1e-12, gtol=1e-10, max_nfev=200)
        if best is None or sol.cost < best.cost:
            best = sol
    return full(best.x), float(np.sqrt(2 * best.cost / L.size))


def frantar_starts() -> list[np.ndarray]:
    """Starting points of the Frantar fit (a grid over the three exponents)."""
    return [np.array([0.0, bs, 0.0, bn, 0.0, bd, -10.0]) for bs in (0.5, 2.0) for bn in (0.5, 1.5) for bd in (0.3, 1.0)]


def fit_frantar(S, Nnz, D, L, *, bootstrap: int = 50, seed: int = 0, level: float = 0.95, starts=None,
                terms: str = "full") -> FrantarFit:
    """Fit Frantar et al.'s sparsity law by least squares on log L (scipy ``least_squares``, several
    starts, positive coefficients through their logs); bootstrap over sweep points (refits start from
    the best fit). ``terms="N"`` keeps only the size term, ``"D"`` only the data term (c = 0 in both), for
    sweeps restricted to one phase. The sparsity dependence is summarised by the multiplier of the
    N-term at the largest sparsity of the sweep, well defined even when a_S and b_S are degenerate."""
    if terms not in _FR_TERMS:
        raise ValueError(f"terms must be one of {tuple(_FR_TERMS)}, got {terms!r}")
    S, Nnz, D, L = (np.asarray(v, dtype=float).ravel() for v in (S, Nnz, D, L))
    if not (S.size == Nnz.size == D.size == L.size):
        raise ValueError("S, N_nz, D and L must have the same length")
    if S.size < int(_FR_TERMS[terms].sum()) + 1:
        raise ValueError(f"too few points for the fit: {S.size}")
    if np.any((S < 0) | (S >= 1)):
        raise ValueError("sparsities must lie in [0, 1)")
    for name, v in (("N_nz", Nnz), ("D", D), ("L", L)):
        if not np.all(np.isfinite(v)) or np.any(v <= 0):
            raise ValueError(f"{name} must be positive and finite")
    th, resid = _frantar_lsq(S, Nnz, D, L, starts if starts is not None else frantar_starts(), terms)
    s_max = float(S.max())

    def mult(t_):
        return (math.exp(t_[0]) * (1 - s_max) ** t_[1] + math.exp(t_[2])) / (math.exp(t_[0]) + math.exp(t_[2]))

    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(bootstrap):
        idx = rng.integers(0, S.size, S.size)
        boots.append(_frantar_lsq(S[idx], Nnz[idx], D[idx], L[idx], [th], terms)[0])
    nat = [math.exp(v) if lg else float(v) for v, lg in zip(th, _FR_LOG)]
    ci, mci = {}, (mult(th), mult(th))
    if boots:
        arr = np.array(boots)
        nat_b = np.where(np.array(_FR_LOG), np.exp(arr), arr)
        ci = {n_: tuple(float(v) for v in percentile_interval(nat_b[:, i], level)) for i, n_ in enumerate(FRANTAR_NAMES)}
        mci = tuple(float(v) for v in percentile_interval([mult(b_) for b_ in arr], level))
    return FrantarFit(dict(zip(FRANTAR_NAMES, nat)), ci, mult(th), mci, s_max, resid, th)


@dataclass(frozen=True)
class FrantarPrediction:
    """``b_N``, ``b_D`` and the sparsity multiplier ``m(S_max)`` of a Frantar-form claim (:func:`frantar_from_claim`)."""

    b_N: float
    b_D: float
    multiplier: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def frantar_from_claim(claim: Claim, S_max: float) -> FrantarPrediction:
    """b_N, b_D and the sparsity multiplier m(S_max) read from a Frantar-form claim's expr at its params:
    b_X = -(X d_X^2 L)/(d_X L) - 1 (exact for an additive power-law term), m = d_N L(S_max)/d_N L(S = 0)."""
    import sympy as sp

    syms = {s_.name: s_ for s_ in claim.symbols}
    Sx, Nx, Dx = syms["S_p"], syms["N_nz"], syms["D"]
    vals = {s_: claim.params[s_.name] for s_ in claim.symbols if s_.name in claim.params}

    def at(e, **over):
        v = dict(vals)
        v.update({syms[k_]: x for k_, x in over.items()})
        return float(e.subs(v).evalf(30))

    def expo(x):
        d1 = sp.diff(claim.expr, x)
        return -at(x * sp.diff(d1, x) / d1) - 1

    dN = sp.diff(claim.expr, Nx)
    return FrantarPrediction(b_N=expo(Nx), b_D=expo(Dx), multiplier=at(dN, S_p=S_max) / at(dN, S_p=0.0))

