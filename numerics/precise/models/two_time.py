"""The finite-data (finite ``P``) test loss of gradient flow at 30 digits: a two-time deterministic equivalent.

**System** (``N = oo``: the linear model on the ``M`` modes itself, i.e. kernel gradient flow). Data
:math:`\\Psi \\in \\mathbb R^{P\\times M}` with rows :math:`\\psi_\\mu \\sim \\mathcal N(0, \\Lambda)`, labels
:math:`y = \\Psi w^\\star + \\sigma\\epsilon`, :math:`\\hat G = \\Psi^\\top\\Psi/P`. Gradient flow on the ½-MSE with
ridge :math:`\\rho \\ge 0` from :math:`\\theta = 0`: :math:`\\dot\\theta = -(\\hat G + \\rho)\\theta + \\Psi^\\top y/P`.
With :math:`v = w^\\star - \\theta`, :math:`\\phi_t(g) = (1 - e^{-tg})/g` and :math:`I - \\phi_t(\\hat G+\\rho)\\hat G =
e^{-t(\\hat G+\\rho)} + \\rho\\,\\phi_t(\\hat G+\\rho)`:

.. math:: v(t) = [e^{-t(\\hat G+\\rho)} + \\rho\\phi_t(\\hat G+\\rho)]\\,w^\\star - \\phi_t(\\hat G+\\rho)\\Psi^\\top\\sigma\\epsilon/P,
   \\qquad \\hat v(s) = \\tfrac{z}{s} Q(z) w^\\star - \\tfrac1s Q(z)\\Psi^\\top\\sigma\\epsilon/P,

:math:`z = s + \\rho`, :math:`Q(z) = (\\hat G + z)^{-1}` (Laplace transform in t). The test loss on a fresh
sample, :math:`\\mathcal L(t) = v^\\top\\Lambda v + \\sigma^2`, is the diagonal :math:`t_1 = t_2 = t` of the two-time
function :math:`\\mathcal L(t_1, t_2) = v(t_1)^\\top\\Lambda v(t_2) + \\sigma^2`, whose double Laplace transform is

.. math:: \\hat{\\mathcal L}(s_1, s_2) = \\frac{z_1z_2}{s_1s_2} w^{\\star\\top} Q_1\\Lambda Q_2 w^\\star
   + \\frac{\\sigma^2}{s_1s_2}\\Big[\\tfrac1P\\operatorname{tr}(\\hat G Q_1\\Lambda Q_2) + 1\\Big].

It needs **two** resolvents. (The previous solver inverted :math:`\\sum_k p_k H_k(s)` at ``2t``, i.e.
:math:`w^{\\star\\top}\\Lambda\\,\\mathbb E[e^{-2t\\hat G}]w^\\star`, one resolvent: exact at ``P = oo``, wrong at finite P.)

**One point** (leave-one-out): :math:`\\mathbb E Q(z) \\simeq \\bar Q = \\operatorname{diag}H_k(z)`,
:math:`H_k = 1/(z + \\lambda_k R)`, :math:`R = 1 - \\frac1P\\sum_k\\frac{\\lambda_k R}{z + \\lambda_k R}` -- the DMFT's
``R`` at ``N = oo`` (``R_1`` of :mod:`numerics.precise.dmft`); :math:`\\kappa = z/R` is the renormalised ridge,
:math:`zQ \\simeq \\kappa(\\Lambda + \\kappa)^{-1}`, :math:`\\kappa = z + \\frac{\\kappa}{P}\\sum_k\\frac{\\lambda_k}{\\lambda_k+\\kappa}`.

**Two points**, derived here (the argument of Atanasov, Zavatone-Veth, Pehlevan 2024, "Scaling and
renormalization in high-dimensional regression", arXiv 2405.00592, Sec. 3 and App. on two-point
equivalents; not transcribed). With :math:`1 + \\delta_i = 1/R_i` and :math:`\\bar Q_i = ((1+\\delta_i)^{-1}\\Lambda +
z_i)^{-1}`: :math:`Q_1 - \\bar Q_1 = Q_1(\\Lambda/(1+\\delta_1) - \\hat G)\\bar Q_1`, so
:math:`T = Q_1\\Lambda Q_2 = \\bar Q_1\\Lambda Q_2 + Q_1(\\Lambda/(1+\\delta_1) - \\hat G)\\bar Q_1\\Lambda Q_2`. In
:math:`Q_1\\hat G\\,\\bar Q_1\\Lambda Q_2 = \\frac1P\\sum_\\mu Q_1\\psi_\\mu\\psi_\\mu^\\top\\bar Q_1\\Lambda Q_2` use Sherman-Morrison,
:math:`Q_1\\psi = Q_{1,-\\mu}\\psi/(1+\\delta_1)` and :math:`Q_2 = Q_{2,-\\mu} - Q_{2,-\\mu}\\psi\\psi^\\top Q_{2,-\\mu}/(P(1+\\delta_2))`,
and concentrate the quadratic form :math:`\\psi^\\top\\bar Q_1\\Lambda Q_{2,-\\mu}\\psi/P \\to \\operatorname{tr}(\\Lambda\\bar Q_1\\Lambda\\bar Q_2)/P`:
the first part cancels :math:`Q_1\\Lambda\\bar Q_1\\Lambda Q_2/(1+\\delta_1)` and the second returns :math:`T` itself,

.. math:: T \\simeq \\bar Q_1\\Lambda\\bar Q_2 + \\gamma_{12} T \\;\\Rightarrow\\; Q_1\\Lambda Q_2 \\simeq
   \\frac{\\Lambda H(z_1)H(z_2)}{1 - \\gamma_{12}},\\qquad \\gamma_{12} = \\frac1P\\sum_k \\lambda_k^2 R_1R_2 H_k(z_1)H_k(z_2)
   = \\frac1P\\sum_k\\frac{\\lambda_k^2}{(\\lambda_k+\\kappa_1)(\\lambda_k+\\kappa_2)}.

At :math:`z_1 = z_2` this is the ridge-regression generalisation error of Bordelon, Canatar, Pehlevan 2020
(:math:`E_g = \\frac{1}{1-\\gamma}\\sum_k \\lambda_k w_k^2\\kappa^2/(\\lambda_k+\\kappa)^2`; Bordelon, Atanasov, Pehlevan
2024, arXiv 2402.01092, App. on finite data). The noise trace follows from :math:`\\hat G Q_1 = I - z_1Q_1`:
:math:`\\frac1P\\operatorname{tr}(\\hat G Q_1\\Lambda Q_2) \\simeq \\frac1P\\sum_k\\lambda_k H_k(z_2) - \\frac{z_1}{P}\\sum_k
\\frac{\\lambda_k H_k(z_1)H_k(z_2)}{1-\\gamma_{12}}` (used symmetrised in 1 <-> 2; at :math:`z_1 = z_2` it reduces to
:math:`\\gamma/(1-\\gamma)`, the ridge variance term). Hence

.. math:: \\hat{\\mathcal L}(s_1,s_2) = \\frac{z_1z_2}{s_1s_2}\\frac{\\sum_k p_kH_k(z_1)H_k(z_2)}{1-\\gamma_{12}} +
   \\frac{\\sigma^2}{s_1s_2}\\Big[\\frac{\\operatorname{tr}_1 + \\operatorname{tr}_2}{2} - \\frac{z_1+z_2}{2P}
   \\frac{\\sum_k\\lambda_kH_k(z_1)H_k(z_2)}{1-\\gamma_{12}} + 1\\Big],

:math:`p_k = \\lambda_k w_k^{\\star2}`, :math:`\\operatorname{tr}_i = \\frac1P\\sum_k\\lambda_kH_k(z_i)`. Its relative error
against the real system is O(1/P) (measured: ``proofs_tests/test_finite_p_loss.py``, about ``0.6/P`` at
a = 2, b = 1.5).

**t -> oo** (:func:`loss_limit`): :math:`s_i \\to 0`, :math:`z_iH_k \\to \\kappa/(\\lambda_k+\\kappa)`:
:math:`\\mathcal L(\\infty) = \\frac{\\sum_kp_k\\kappa^2/(\\lambda_k+\\kappa)^2 + \\sigma^2\\gamma}{1-\\gamma} + \\sigma^2` with
:math:`\\kappa = \\rho + \\frac\\kappa P\\sum_k\\frac{\\lambda_k}{\\lambda_k+\\kappa}` -- ridge(less) regression
(``rho = 0``, ``P < M``: :math:`\\sum_k\\lambda_k/(\\lambda_k+\\kappa) = P`; ``P > M``: :math:`\\kappa = 0`).

**Inversion** (:func:`loss_points`): mpmath's fixed Talbot rule in each variable (nodes :math:`p_j = \\delta_j/t`,
weights :math:`W_j = \\frac{2}{5t}e^{\\delta_j}c_j`, 1-d: :math:`f = \\operatorname{Re}\\sum_jW_jF(p_j)`). Writing the full
(conjugate-symmetric) rule and using :math:`F(\\bar s_1, \\bar s_2) = \\overline{F(s_1,s_2)}`, the product rule is
:math:`f(t,t) = \\tfrac12\\operatorname{Re}\\sum_{j,l}W_j[W_lF(p_j,p_l) + \\bar W_lF(p_j,\\bar p_l)]`. The terms are
amplified by :math:`e^{2\\operatorname{Re}\\delta} \\le e^{0.8n}` instead of :math:`e^{0.4n}`: the working precision is
the 1-d rule's plus :math:`0.8n/\\ln 10/2` digits.
"""

from __future__ import annotations

import gmpy2
import mpmath as mp
import numpy as np

from scaling_verify.numerics.precise.models.dmft_solver import GUARD_BITS, float_start, to_gmpy, to_mpmath, newton_node, gmpy_num, talbot_parameters


def validate(P, ridge=0, noise=0) -> None:
    """One ValueError line per bad argument (``P >= 1`` finite, ``ridge, noise >= 0`` finite)."""
    for name, v, lo in (("P", P, 1), ("ridge", ridge, 0), ("noise", noise, 0)):
        if isinstance(v, (str, bytes, bool)) or v is None:
            raise ValueError(f"{name} must be a number, got {v!r}")
        if not mp.isfinite(mp.mpf(v)) or not mp.mpf(v) >= lo:
            raise ValueError(f"{name} must be finite and >= {lo}, got {name}={v}")


def power_law_modes(M: int, a, b, dps: int = 30):
    """``(lambda_k, p_k)`` = ``(k^-b, k^-a)``, k = 1..M, as mpf at ``dps + 10`` digits."""
    with mp.workdps(dps + 10):
        return ([mp.mpf(k) ** (-mp.mpf(b)) for k in range(1, M + 1)],
                [mp.mpf(k) ** (-mp.mpf(a)) for k in range(1, M + 1)])


def solve_kappa(lam, P, ridge=0, dps: int = 30):
    """The renormalised ridge ``kappa = rho + (kappa/P) sum_k lambda_k/(lambda_k + kappa)`` (largest root).

    ``g(kappa) = kappa (1 - df1/P) - rho`` is convex and increasing on the physical branch (``g' = 1 - gamma``,
    ``g'' = (2/P) sum lambda^2/(lambda+kappa)^3``), so Newton from ``kappa = rho + sum lambda/P`` (where
    ``g >= 0``) decreases monotonically to it; ``rho = 0``, ``P >= M``: the root is ``kappa = 0``."""
    validate(P, ridge)
    with mp.workdps(dps + 20):
        P, rho = mp.mpf(P), mp.mpf(ridge)
        if rho == 0 and P >= len(lam):
            return mp.mpf(0)
        kap = rho + mp.fsum(lam) / P
        for _ in range(500):
            df1 = mp.fsum(lv / (lv + kap) for lv in lam)
            gam = mp.fsum((lv / (lv + kap)) ** 2 for lv in lam) / P
            step = (kap * (1 - df1 / P) - rho) / (1 - gam)
            kap -= step
            if abs(step) <= mp.mpf(10) ** (-(dps + 15)) * kap:
                return kap
        raise ArithmeticError(f"kappa equation did not converge (P={P}, ridge={rho})")


def loss_limit(lam, pw, P, ridge=0, noise=0, dps: int = 30):
    """``t = oo`` test loss: ``[sum p kappa^2/(lambda+kappa)^2 + sigma^2 gamma]/(1 - gamma) + sigma^2`` (module doc);
    ``+inf`` at ``rho = 0``, ``P = M``, ``sigma > 0`` (the interpolation threshold)."""
    validate(P, ridge, noise)
    kap = solve_kappa(lam, P, ridge, dps)
    with mp.workdps(dps + 20):
        P, s2 = mp.mpf(P), mp.mpf(noise) ** 2
        gam = mp.fsum((lv / (lv + kap)) ** 2 for lv in lam) / P
        sig = mp.fsum(p * (kap / (lv + kap)) ** 2 for lv, p in zip(lam, pw))
        if gam >= 1:  # rho = 0, P = M
            val = mp.inf if s2 > 0 else mp.mpf(0)
        else:
            val = (sig + s2 * gam) / (1 - gam) + s2
    with mp.workdps(dps):
        return +val


def _objmat(rows):
    return np.array(rows, dtype=object)


def loss_points(ts, lam, pw, P, ridge=0, noise=0, dps: int = 30):
    """The finite-P test loss ``L(t)`` (module doc) at each ``t`` of ``ts`` (``mp.inf`` allowed), mpf at ``dps``.

    ``lam``, ``pw``: the mode eigenvalues and target powers ``p_k = lambda_k w*_k^2`` (mpf lists, e.g. from
    :func:`power_law_modes`). ``R`` at each Talbot node by the 30-digit solver's Newton (physical root,
    float64 continuation start), the double sums as object-array matrix products in gmpy2.
    """
    validate(P, ridge, noise)
    dps_goal, _, delta, coef = talbot_parameters(dps)
    n = len(delta)
    wdps = dps_goal + int(0.8 * n / 2.302585 / 2) + 5
    wprec = int(wdps * 3.3219281) + GUARD_BITS
    lam64 = np.array([float(v) for v in lam])
    iP = 1 / float(P)
    out = []
    with mp.workdps(wdps):
        delta = [mp.mpc(d) for d in delta]
        coef = [mp.mpc(c) for c in coef]
    with gmpy2.context(precision=wprec):
        glam, gpw = [gmpy_num(v) for v in lam], [gmpy_num(v) for v in pw]  # exact: no rounding to mpmath's precision
        giP = 1 / gmpy_num(P)
        grho, gs2 = gmpy_num(ridge), gmpy_num(noise) ** 2
        thr = gmpy2.mpfr(2) ** (-(wprec // 2 + 6))
        zero = gmpy2.mpfr(0)
        lam2 = _objmat([v * v for v in glam])
        lamv, pwv = _objmat(glam), _objmat(gpw)
        for t in ts:
            if t == mp.inf or t == float("inf"):
                out.append(loss_limit(lam, pw, P, ridge, noise, dps))
                continue
            with mp.workdps(wdps):
                T = mp.mpf(t)
                if not T > 0:
                    raise ValueError(f"times must be > 0 (or inf), got {t}")
                s = [to_gmpy(d / T) for d in delta]
                W = [to_gmpy(mp.fraction(2, 5) * mp.exp(d) * c / T) for d, c in zip(delta, coef)]
            z = [sv + grho for sv in s]
            R64 = float_start(np.array([complex(v) for v in z]), lam64, 0.0, iP, "physical")
            R = []
            for zv, r64 in zip(z, R64):
                R0 = gmpy2.mpc(1) if np.isnan(r64) else gmpy2.mpc(complex(r64))
                R.append(newton_node(zv, R0, glam, gpw, zero, giP, thr)[0])
            H = _objmat([[1 / (zv + lv * Rv) for lv in glam] for zv, Rv in zip(z, R)])
            Hc = _objmat([[gmpy2.mpc(h.real, -h.imag) for h in row] for row in H])
            Rv = _objmat(R)
            RH = H * Rv[:, None]
            RHc = Hc * _objmat([gmpy2.mpc(r.real, -r.imag) for r in R])[:, None]
            zz = _objmat(z)
            ss = _objmat(s)
            Wv = _objmat(W)
            tr = (H @ lamv) * giP
            total = gmpy2.mpc(0)
            for H2, RH2, conj in ((H, RH, False), (Hc, RHc, True)):
                z2 = _objmat([gmpy2.mpc(v.real, -v.imag) for v in z]) if conj else zz
                s2 = _objmat([gmpy2.mpc(v.real, -v.imag) for v in s]) if conj else ss
                W2 = _objmat([gmpy2.mpc(v.real, -v.imag) for v in W]) if conj else Wv
                gam = ((RH * lam2) @ RH2.T) * giP
                den = 1 - gam
                F = ((H * pwv) @ H2.T) / den
                if ridge != 0:
                    F = F * (zz[:, None] * z2[None, :]) / (ss[:, None] * s2[None, :])
                if noise != 0:
                    tr2 = (H2 @ lamv) * giP
                    cross = ((H * lamv) @ H2.T) * giP / den
                    Fn = ((tr[:, None] + tr2[None, :]) - (zz[:, None] + z2[None, :]) * cross) / 2 + 1
                    F = F + gs2 * Fn / (ss[:, None] * s2[None, :])
                total += Wv @ (F @ W2)
            with mp.workdps(wdps):
                val = to_mpmath(total.real / 2)
            with mp.workdps(dps):
                out.append(+val)
    return out
