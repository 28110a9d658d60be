"""Large-sample uncertainty of a Huber fit: sandwich covariance, delta method, likelihood-ratio cut.

The fit minimises :math:`F(\\theta) = \\sum_i \\rho_\\delta(r_i)`, :math:`r_i = \\log f(x_i;\\theta) - \\log L_i`
(Hoffmann et al. 2022, arXiv:2203.15556, App. D.2), an M-estimator with
:math:`\\psi = \\rho' = \\mathrm{clip}(r, -\\delta, \\delta)` and :math:`\\psi' = 1\\{|r| \\le \\delta\\}`.

* **Covariance** (Huber 1981, *Robust Statistics*, sec. 7.6; Huber & Ronchetti 2009, eq. 7.81):

  .. math:: V = K^2\\,\\frac{\\sum_i \\psi(r_i)^2/(n-P)}{(\\overline{\\psi'})^2}\\,(J^\\top J)^{-1},
            \\qquad K = 1 + \\frac{P}{n}\\frac{\\mathrm{var}\\,\\psi'}{(\\overline{\\psi'})^2},

  :math:`J_{ij} = \\partial\\log f(x_i)/\\partial\\theta_j` at the optimum (fit coordinates). With the default
  :math:`\\delta = 10^{-3}` most residuals lie beyond :math:`\\delta` and the count of
  :math:`|r_i| \\le \\delta` is small and noisy, so :math:`\\overline{\\psi'}` is the kernel-smoothed
  fraction :math:`\\frac{1}{n-P}\\sum_i [\\Phi((\\delta - r_i)/h) - \\Phi((-\\delta - r_i)/h)]` with Silverman's
  bandwidth :math:`h = 0.9\\min(\\hat\\sigma, \\mathrm{IQR}/1.349)\\,n^{-1/5}` (Silverman 1986, eq. 3.31);
  it tends to the count when :math:`\\delta \\gg h`. The :math:`P` residuals of smallest size are left
  out of it: near least absolute deviations the fit interpolates about :math:`P` points, whose residuals
  sit at 0 because of the fit, not the errors (as in the sparsity estimate of quantile regression,
  Koenker 2005, *Quantile Regression*, sec. 3.4). Measured on :math:`c\\,x^{-p}` with an :math:`E` floor,
  14 points, 1 % noise: the 95 % profile interval of :math:`p` covered 83 % of 100 replicates with
  them, 93 % without. Least squares (:math:`\\delta` above every residual)
  gives :math:`V = \\hat\\sigma^2 (J^\\top J)^{-1}`; least absolute deviations gives
  :math:`V = (J^\\top J)^{-1}/(4 f(0)^2)`.
* **Likelihood-ratio cut** (the drop-in-dispersion test, Ronchetti 1982; Hampel et al. 1986, sec. 7.4):
  :math:`T = 2\\,\\Delta F / s \\to \\chi^2_1` with :math:`s = [\\sum\\psi^2/(n-P)]/\\overline{\\psi'}`, so the
  profile interval of level :math:`\\ell` is :math:`\\{\\theta_j: \\Delta F_{prof}(\\theta_j) \\le \\tfrac12\\chi^2_{1,\\ell}\\, s\\}`
  (:func:`numerics.fitting.identify.profile_intervals`). For Gaussian residuals and least squares this is
  the usual :math:`\\Delta\\mathrm{RSS} \\le \\chi^2 \\hat\\sigma^2`.
* **Delta method** for the compute-optimal allocation (Hoffmann et al. eq. 4):
  :math:`\\log N_{opt} = \\log G + \\frac{\\beta}{\\alpha+\\beta}\\log\\frac C6`,
  :math:`\\log D_{opt} = -\\log G + \\frac{\\alpha}{\\alpha+\\beta}\\log\\frac C6`,
  :math:`G = (\\alpha A/(\\beta B))^{1/(\\alpha+\\beta)}`; the interval is
  :math:`\\exp(\\log v \\pm z\\sqrt{g^\\top V g})`, :math:`g = \\nabla_\\theta \\log v`, beside the bootstrap
  percentile interval of the same quantity over the refits (Besiroglu et al. 2024, arXiv:2404.10102,
  report the latter).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dispersion:
    """The :math:`\\psi` moments of the residuals at the optimum (module docstring)."""

    n: int
    n_params: int
    mean_psi2: float      # sum psi^2 / (n - P)
    mean_dpsi: float      # smoothed mean psi'
    correction: float     # Huber's K

    @property
    def usable(self) -> bool:
        return (self.n > self.n_params and self.mean_dpsi > 0 and self.mean_psi2 > 0
                and math.isfinite(self.mean_psi2) and math.isfinite(self.mean_dpsi))

    @property
    def scale(self) -> float:
        """:math:`s = [\\sum\\psi^2/(n-P)]/\\overline{\\psi'}`: ``2 dF / s`` is chi^2_1 (module docstring)."""
        return self.mean_psi2 / self.mean_dpsi

    @property
    def kappa(self) -> float:
        """:math:`K^2 [\\sum\\psi^2/(n-P)]/\\overline{\\psi'}^2`, the factor in front of :math:`(J^\\top J)^{-1}`."""
        return self.correction ** 2 * self.mean_psi2 / self.mean_dpsi ** 2


def _bandwidth(r: np.ndarray) -> float:
    """Silverman's rule :math:`0.9\\min(\\hat\\sigma, \\mathrm{IQR}/1.349)\\,n^{-1/5}` (Silverman 1986, eq. 3.31)."""
    sd = float(np.std(r, ddof=1)) if r.size > 1 else 0.0
    q75, q25 = np.percentile(r, [75, 25])
    spread = min(sd, (q75 - q25) / 1.349) if q75 > q25 else sd
    return 0.9 * spread * r.size ** -0.2


def dispersion(residuals: np.ndarray, delta: float, n_params: int) -> Dispersion:
    """The :class:`Dispersion` of ``residuals`` (log space) for the Huber ``delta`` and ``n_params`` fitted."""
    from scipy.special import ndtr

    r = np.asarray(residuals, float)
    n, P = r.size, int(n_params)
    psi = np.clip(r, -delta, delta)
    # the P residuals the fit itself pins near 0 are not draws of the errors near 0 (module docstring)
    near = r[np.argsort(np.abs(r), kind="stable")[P:]] if n > P else r
    h = _bandwidth(r)
    if h > 0:
        dpsi = ndtr((delta - near) / h) - ndtr((-delta - near) / h)
    else:
        dpsi = (np.abs(near) <= delta).astype(float)
    m = float(dpsi.mean())
    mean_psi2 = float(np.sum(psi ** 2) / (n - P)) if n > P else math.nan
    K = 1.0 + (P / n) * float(dpsi.var()) / m ** 2 if m > 0 else math.nan
    return Dispersion(n, P, mean_psi2, m, K)


def jacobian(form, theta: np.ndarray, logX: np.ndarray) -> np.ndarray:
    """:math:`J_{ij} = \\partial\\log f(x_i)/\\partial\\theta_j` (the curvature machinery of
    :mod:`numerics.fitting.identify`)."""
    from scaling_verify.numerics.fitting.identify import _jacobian

    return _jacobian(form, np.asarray(theta, float), logX)


def covariance(form, theta: np.ndarray, logX: np.ndarray, residuals: np.ndarray, delta: float) -> np.ndarray | None:
    """The sandwich covariance :math:`V` of the fit coordinates (module docstring); None when the
    residuals give no usable dispersion (an exact fit) or the Jacobian is not finite or singular."""
    disp = dispersion(residuals, delta, len(form.params))
    if not disp.usable:
        return None
    J = jacobian(form, theta, logX)
    if not np.all(np.isfinite(J)):
        return None
    JtJ = J.T @ J
    if np.linalg.matrix_rank(JtJ) < JtJ.shape[0]:
        return None
    return disp.kappa * np.linalg.inv(JtJ)


# ----------------------------------------------------------------------------- allocation


QUANTITIES = ("N_opt", "D_opt", "tokens_per_param")


def log_allocation(A, B, alpha, beta, C, xp=np):
    """``(log N_opt, log D_opt, log D_opt/N_opt)`` at compute ``C`` (Hoffmann et al. eq. 4; module
    docstring); ``xp`` is numpy or ``jax.numpy`` (arrays broadcast)."""
    s = alpha + beta
    log_g = (xp.log(alpha) + xp.log(A) - xp.log(beta) - xp.log(B)) / s
    lc = xp.log(C / 6.0)
    log_n = log_g + beta / s * lc
    log_d = -log_g + alpha / s * lc
    return log_n, log_d, log_d - log_n


@dataclass(frozen=True)
class AllocationInterval:
    """One quantity of the compute-optimal allocation at ``C``: value, delta-method and bootstrap intervals."""

    C: float
    quantity: str
    value: float
    delta_lo: float | None
    delta_hi: float | None
    boot_lo: float | None
    boot_hi: float | None
    level: float

    def as_dict(self) -> dict:
        pair = lambda a, b: [a, b] if a is not None and b is not None else None  # noqa: E731
        return {"C": self.C, "quantity": self.quantity, "value": self.value, "level": self.level,
                "delta_method": pair(self.delta_lo, self.delta_hi), "bootstrap": pair(self.boot_lo, self.boot_hi)}


def _natural_columns(form, fixed: dict, theta: np.ndarray, xp):
    """``{name: natural value}`` of A, B, alpha, beta from fit coordinates ``theta`` (last axis) and
    the pinned ``fixed`` values."""
    out = {}
    for name in ("A", "B", "alpha", "beta"):
        if name in fixed:
            out[name] = float(fixed[name])
            continue
        j = form.param_names.index(name)
        p = form.params[j]
        out[name] = xp.exp(theta[..., j]) if p.log_scale else theta[..., j]
    return out


def allocation_intervals(fit, compute, logX: np.ndarray) -> tuple[AllocationInterval, ...]:
    """Delta-method and bootstrap intervals of :data:`QUANTITIES` at each compute (a Chinchilla
    :class:`~numerics.fitting.results.FormFit`; ``logX`` the fitted columns, logs)."""
    import jax
    import jax.numpy as jnp
    from scipy.stats import norm

    from scaling_verify.numerics.fitting.optimize import float64
    from scaling_verify.numerics.stats import percentile_interval

    form, level = fit.form, fit.bootstrap.level
    V = covariance(form, fit.theta, logX, fit.residuals, fit.delta)
    z = float(norm.ppf(0.5 + level / 2))
    boot = fit.boot_theta if fit.boot_theta is not None and fit.boot_theta.shape[0] >= 2 else None
    if boot is not None:
        boot = boot[np.all(np.isfinite(boot), axis=1)]
    out = []
    for C in np.asarray(compute, float):
        def f(th, C=C):
            p = _natural_columns(form, fit.fixed, th, jnp)
            return jnp.stack(log_allocation(p["A"], p["B"], p["alpha"], p["beta"], C, jnp))

        with float64():
            th = jnp.asarray(fit.theta, jnp.float64)
            value = np.asarray(f(th))
            grad = np.asarray(jax.jacfwd(f)(th))
        if boot is not None and boot.shape[0] >= 2:
            p = _natural_columns(form, fit.fixed, boot, np)
            with np.errstate(invalid="ignore", divide="ignore"):
                bvals = np.stack(log_allocation(p["A"], p["B"], p["alpha"], p["beta"], C, np))
        for k, q in enumerate(QUANTITIES):
            dlo = dhi = blo = bhi = None
            if V is not None and np.all(np.isfinite(grad[k])):
                se = math.sqrt(max(float(grad[k] @ V @ grad[k]), 0.0))
                dlo, dhi = math.exp(value[k] - z * se), math.exp(value[k] + z * se)
            if boot is not None and boot.shape[0] >= 2:
                ok = np.isfinite(bvals[k])
                if ok.sum() >= 2:
                    lo, hi = percentile_interval(bvals[k][ok], level)
                    blo, bhi = math.exp(lo), math.exp(hi)
            out.append(AllocationInterval(float(C), q, math.exp(float(value[k])), dlo, dhi, blo, bhi, level))
    return tuple(out)
