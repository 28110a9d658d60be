"""The linear power-law model (Bordelon, Atanasov, Pehlevan 2024, "A Dynamical Model of Neural Scaling Laws",
arXiv 2402.01092): ``M`` modes (``M = None``: infinitely many) with :math:`\\lambda_k = k^{-b}` and target power
:math:`p_k = \\lambda_k w_k^{\\star2} = k^{-a}`; data :math:`\\psi \\sim \\mathcal N(0, \\Lambda)`, labels
:math:`y = \\psi^\\top w^\\star + \\sigma\\epsilon`; a student trained by gradient flow from zero on the ½-MSE
(plus :math:`\\tfrac\\rho2|\\theta|^2`) with ``P`` reused samples (None: the population loss) and ``N`` random
features (None: the modes themselves). The test loss is measured on a fresh noisy sample:
:math:`\\mathcal L = (w^\\star-\\theta)^\\top\\Lambda(w^\\star-\\theta) + \\sigma^2`.

:meth:`PowerLaw.loss` (30 digits, mpmath ``mpf``) by case:

* ``N = P = None``: exact, :math:`\\mathcal L(t) = \\sum_k p_k\\big(\\frac{\\rho + \\lambda_ke^{-t(\\lambda_k+\\rho)}}
  {\\lambda_k+\\rho}\\big)^2 + \\sigma^2` (each mode relaxes on its own);
* ``N = None``, ``P`` finite: the two-time deterministic equivalent of
  :mod:`numerics.precise.models.two_time` (derived there; relative error O(1/P), about 0.6/P at a = 2,
  b = 1.5); ``t = inf``: ridge(less) regression, :math:`\\frac{\\sum_kp_k\\kappa^2/(\\lambda_k+\\kappa)^2 +
  \\sigma^2\\gamma}{1-\\gamma} + \\sigma^2` (Bordelon, Canatar, Pehlevan 2020; Atanasov, Zavatone-Veth, Pehlevan 2024,
  arXiv 2405.00592);
* ``N`` finite, ``P = None``, no ridge: the DMFT curve :math:`\\sum_k p_k H_k(2t)` of Bordelon, Atanasov,
  Pehlevan 2024 (:mod:`numerics.precise.dmft`), plus :math:`\\sigma^2`; ``t = inf``: the projection residual
  :math:`\\sum_k p_k\\kappa/(\\lambda_k+\\kappa)`, :math:`\\sum_k\\lambda_k/(\\lambda_k+\\kappa) = N`;
* ``N`` and ``P`` finite, ``t = inf`` (finite ``M``; ridge and noise allowed): the linear random-feature
  ridge(less) deterministic equivalent of :mod:`numerics.precise.models.linear_rf` (Defilippis, Loureiro,
  Misiakiewicz 2024, arXiv 2405.15699; derived there by conditioning on the projection; relative error
  O(1/N + 1/P), measured in ``proofs_tests/test_linear_rf.py``): :math:`\\frac{\\nu_2^2[\\sum_kp_k/(\\lambda_k+\\nu_2)^2
  + \\chi\\sum_kp_k\\lambda_k/(\\lambda_k+\\nu_2)^2] + \\sigma^2}{1-\\Upsilon}` (``+inf`` ridgeless at ``N = P < M``);
* ``N`` and ``P`` finite at finite ``t``, ``M = None`` with both finite, or a ridge with finite ``N`` and
  ``P = None``: refused (ValueError): not derived here.

:meth:`PowerLaw.simulate` runs the real system in JAX (float64, jit + vmap over draws, exact flow from one
eigendecomposition per draw). :meth:`PowerLaw.exponent` derives the scaling exponents in SymPy with
:mod:`theory.asymptotics` and the bottleneck laws of :mod:`theory.dynamical`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import mpmath as mp
import numpy as np

_VARIABLES = ("t", "N", "P")


def real_arg(name: str, v, lo: float | None = None, strict: bool = False, allow_inf: bool = False) -> float:
    """``v`` as a float, or one ValueError line saying what is wrong with it."""
    if isinstance(v, bool) or not isinstance(v, (numbers.Real, mp.mpf)):
        raise ValueError(f"{name} must be a real number, got {v!r}")
    x = float(v)
    if math.isnan(x) or (math.isinf(x) and not (allow_inf and x > 0)):
        raise ValueError(f"{name} must be finite{' or +inf' if allow_inf else ''}, got {name}={v!r}")
    if lo is not None and (x <= lo if strict else x < lo):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {lo:g}, got {name}={v!r}")
    return x


def count_arg(name: str, v, allow_none: bool = True) -> int | None:
    if v is None and allow_none:
        return None
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        if isinstance(v, numbers.Real) and not isinstance(v, bool) and float(v).is_integer() and float(v) >= 1:
            return int(v)
        raise ValueError(f"{name} must be an integer >= 1{' or None' if allow_none else ''}, got {name}={v!r}")
    if v < 1:
        raise ValueError(f"{name} must be >= 1, got {name}={v}")
    return int(v)


@dataclass(frozen=True)
class Exponent:
    """A derived scaling exponent: ``loss ~ variable^(-expr)`` under ``conditions`` (SymPy, in the symbols
    ``a``, ``b`` of :mod:`theory.symbols`), its ``value`` at the model's (a, b), whether the conditions
    ``hold`` there, and how it was derived."""

    variable: str
    expr: object
    conditions: object
    value: float
    holds: bool
    derivation: str


class PowerLaw:
    """The linear power-law model: ``lambda_k = k^-b``, ``lambda_k w*_k^2 = k^-a``, ``k = 1..M`` (module doc).

    ``M = None``: infinitely many modes; needs ``a > 1`` (the target power sum_k k^-a converges) and
    ``b > 1`` (tr Lambda converges, so the data have finite variance).
    """

    def __init__(self, a: float, b: float, M: int | None = 64):
        self.a = real_arg("a", a)
        self.b = real_arg("b", b, lo=0.0, strict=True)
        self.M = count_arg("M", M)
        if self.M is None:
            if not self.a > 1:
                raise ValueError(f"a must be > 1 with M=None (sum_k k^-a diverges), got a={a}")
            if not self.b > 1:
                raise ValueError(f"b must be > 1 with M=None (tr Lambda = sum_k k^-b diverges), got b={b}")

    def __repr__(self) -> str:
        return f"PowerLaw(a={self.a:g}, b={self.b:g}, M={self.M})"

    # ------------------------------------------------------------------ the modes

    def modes(self, dps: int = 30):
        """``(lambda_k, p_k)`` as mpf lists (finite ``M`` only)."""
        if self.M is None:
            raise ValueError("modes() needs a finite M")
        from scaling_verify.numerics.precise.models import two_time
        return two_time.power_law_modes(self.M, self.a, self.b, dps)

    def _mode_sum(self, f, K: int = 64):
        """``sum_k f(k)`` (mpf k) over the modes: direct for finite M, else a direct head below ``K`` and
        Euler-Maclaurin beyond, where f is smooth on unit steps."""
        if self.M is not None:
            return mp.fsum(f(mp.mpf(k)) for k in range(1, self.M + 1))
        return mp.fsum(f(mp.mpf(k)) for k in range(1, K)) + mp.sumem(f, [K, mp.inf])

    # ------------------------------------------------------------------ the loss

    def loss(self, t, N: int | None = None, P: int | None = None, ridge: float = 0.0, noise: float = 0.0,
             dps: int = 30):
        """The expected test loss at time ``t`` (``float('inf')`` or ``mpmath.inf``: converged), mpf at ``dps``
        digits; the formula for each case (N, P finite or None) is in the module doc."""
        t = real_arg("t", t, lo=0.0, allow_inf=True)
        N, P = count_arg("N", N), count_arg("P", P)
        rho, sig = real_arg("ridge", ridge, lo=0.0), real_arg("noise", noise, lo=0.0)
        dps = count_arg("dps", dps, allow_none=False)
        with mp.workdps(dps + 10):
            s2 = mp.mpf(sig) ** 2  # exact square of the binary noise value (at 53 bits it would cost ~1e-17)
        if N is not None and P is not None:
            if not math.isinf(t):
                raise ValueError("finite N and finite P together at finite t: the loss is not derived here "
                                 "(t=inf is: the random-feature ridge DE; or use N=None or P=None)")
            if self.M is None:
                raise ValueError("finite N and finite P together need a finite M (the random-feature DE sums the modes)")
        elif N is not None and rho:
            raise ValueError("a ridge at finite N is not derived here (use N=None, or ridge=0)")
        with mp.workdps(dps + 10):
            if N is not None and P is not None:
                from scaling_verify.numerics.precise.models import linear_rf
                lam, pw = self.modes(dps)
                val = linear_rf.loss_limit(lam, pw, N, P, ridge=rho, noise=sig, dps=dps + 10)
            elif N is None and P is None:
                val = self._population_loss(t, rho) + s2
            elif P is not None:
                val = self._finite_p_loss(t, P, rho, sig, dps)
            else:
                val = self._finite_n_loss(t, N, dps) + s2
        with mp.workdps(dps):
            return +val

    def _population_loss(self, t: float, rho: float):
        a, b, r = mp.mpf(self.a), mp.mpf(self.b), mp.mpf(rho)
        K = 64
        if math.isinf(t):
            if not rho:
                return mp.mpf(0)
            f = lambda k: k ** (-a) * (r / (k ** (-b) + r)) ** 2  # noqa: E731
        else:
            tt = mp.mpf(t)
            f = lambda k: k ** (-a) * ((r + k ** (-b) * mp.exp(-tt * (k ** (-b) + r))) / (k ** (-b) + r)) ** 2  # noqa: E731
            K = max(64, int(mp.ceil(4 * (2 * tt) ** (1 / b))))  # the summand varies on k ~ t^{1/b}
        return +self._mode_sum(f, K)

    def _finite_p_loss(self, t: float, P: int, rho: float, sig: float, dps: int):
        from scaling_verify.numerics.precise.models import two_time
        if self.M is None:
            if math.isinf(t) and not rho and not sig:
                from scaling_verify.numerics.models.mode_sums import kernel_regression_error
                return kernel_regression_error(P, self.a, self.b, dps)
            raise ValueError("with M=None only the ridgeless noiseless t=inf loss is available at finite P "
                             "(kernel_regression_error); use a finite M")
        lam, pw = self.modes(dps)
        if t == 0:
            return mp.fsum(pw) + mp.mpf(sig) ** 2
        return two_time.loss_points([mp.inf if math.isinf(t) else t], lam, pw, P, ridge=rho, noise=sig, dps=dps)[0]

    def _finite_n_loss(self, t: float, N: int, dps: int):
        if math.isinf(t):
            if self.M is None:
                from scaling_verify.numerics.models.mode_sums import residual_sum
                return residual_sum(N, self.a, self.b, 1, dps)
            from scaling_verify.numerics.precise.models import two_time
            lam, pw = self.modes(dps)
            kap = two_time.solve_kappa(lam, N, 0, dps)  # kappa = (kappa/N) sum lambda/(lambda+kappa)
            return mp.fsum(p * kap / (lv + kap) for lv, p in zip(lam, pw))
        if self.M is None:
            raise ValueError("the finite-N loss at finite t needs a finite M")
        if t == 0:
            return mp.fsum(self.modes(dps)[1])
        from scaling_verify.numerics.precise.models import dmft_solver
        return dmft_solver.loss_points([t], self.M, self.a, self.b, N=N, dps=dps)[0]

    # ------------------------------------------------------------------ the real system

    def simulate(self, t, P: int | None = None, N: int | None = None, draws: int = 1000, seed: int = 0,
                 ridge: float = 0.0, noise: float = 0.0) -> np.ndarray:
        """Per-draw test losses of the real system after gradient flow for time ``t`` (a number: shape
        ``(draws,)``; a sequence: ``(draws, len(t))``), float64, JAX (jit + vmap over draws): :func:`simulate_modes`
        on this model's modes."""
        if self.M is None:
            raise ValueError("simulate() needs a finite M")
        k = np.arange(1, self.M + 1, dtype=float)
        return simulate_modes(k ** -self.b, np.sqrt(k ** -self.a / k ** -self.b), t, P, N, draws, seed, ridge, noise)

    def claims(self, theory: str, **kwargs):
        """``models.claims(self, theory, **kwargs)``: exponent claims of this model with their checks wired
        (:func:`numerics.models.claims.claims`); the claims register on behalf of the calling module."""
        from scaling_verify.numerics.models.claims import claims
        return claims(self, theory, **kwargs)

    def sgd_loss(self, steps, batch: int, lr: float, noise: float = 0.0, N: int | None = None, dps: int = 30):
        """The exact expected test loss of one-pass SGD (:meth:`Linear.sgd_loss
        <numerics.models.linear.Linear.sgd_loss>`; finite ``M``)."""
        return self._linear().sgd_loss(steps, batch, lr, noise, N, dps)

    def sgd_simulate(self, steps, batch: int, lr: float, draws: int = 1000, seed: int = 0, N: int | None = None,
                     noise: float = 0.0) -> np.ndarray:
        """Per-draw test losses of the real one-pass SGD (:meth:`Linear.sgd_simulate
        <numerics.models.linear.Linear.sgd_simulate>`; finite ``M``)."""
        return self._linear().sgd_simulate(steps, batch, lr, draws, seed, N, noise)

    def loss_curve(self, ts, N: int | None = None, P: int | None = None, ridge: float = 0.0,
                   noise: float = 0.0) -> np.ndarray:
        """:meth:`loss` in float64 over ``ts`` (:meth:`Linear.loss_curve <numerics.models.linear.Linear.loss_curve>`;
        finite ``M``)."""
        return self._linear().loss_curve(ts, N, P, ridge, noise)

    def _linear(self):
        if self.M is None:
            raise ValueError("this needs a finite M")
        from scaling_verify.numerics.models.linear import Linear
        b, a = mp.mpf(self.b), mp.mpf(self.a)
        return Linear(lambda k: k ** -b, lambda k: k ** -a, M=self.M)

    # ------------------------------------------------------------------ exponents

    def exponent(self, variable: str, ridge="optimal", noise: float = 0.0,
                 ridge_decay: float | None = None) -> Exponent:
        """The exponent of ``loss ~ variable^-e`` with the other resources infinite (``t`` at N = P = oo; ``N`` at
        t = P = oo; ``P`` at t = N = oo), derived in SymPy by :func:`theory.power_law_model.exponent` (the case splits
        and formulas are in its module doc: ``(a-1)/b``; ``min(a-1, b)``; ``min(a-1, 2b)`` noiseless,
        ``min(a-1, 2b)/(min(a-1, 2b) + 1)`` noisy with the optimal ridge, 0 with a fixed ridge or noisy ridgeless;
        ``ridge_decay = l``: the ridge ``P^-l``). ``value`` substitutes this model's ``a``, ``b`` (and ``l``); ``holds``
        says whether the regime conditions hold there.
        """
        if variable not in _VARIABLES:
            raise ValueError(f"variable must be one of {_VARIABLES}, got {variable!r}")
        opt = isinstance(ridge, str)
        if opt and ridge != "optimal":
            raise ValueError(f"ridge must be a number >= 0 or 'optimal', got {ridge!r}")
        rho = 0.0 if opt else real_arg("ridge", ridge, lo=0.0)
        sig = real_arg("noise", noise, lo=0.0)
        if ridge_decay is not None:
            if variable != "P":
                raise ValueError(f"ridge_decay applies to variable 'P' only, got variable={variable!r}")
            if not opt:
                raise ValueError("give either a fixed ridge or ridge_decay, not both")
            ell = real_arg("ridge_decay", ridge_decay, lo=0.0, strict=True)
        import sympy as sp

        from scaling_verify.theory import power_law_model as PLM
        from scaling_verify.theory import symbols as S
        extra = {} if ridge_decay is None else {PLM.ell_symbol(): ell}
        d = PLM.exponent(variable, ridge="optimal" if opt else rho, noise=sig, ridge_decay=ridge_decay is not None)
        subs = {S.a: self.a, S.b: self.b, **extra}
        value = float(sp.N(d.expr.subs(subs)))
        holds = bool(d.conditions.subs(subs)) if d.conditions is not sp.true else True
        return Exponent(variable, d.expr, d.conditions, value, holds, d.derivation)


# ---------------------------------------------------------------------- the real system, on any modes

def simulate_modes(lam, w, t, P: int | None = None, N: int | None = None, draws: int = 1000, seed: int = 0,
                   ridge: float = 0.0, noise: float = 0.0) -> np.ndarray:
    """Per-draw test losses of the real system on the modes ``lam`` (eigenvalues) with target weights ``w`` (float64
    arrays) after gradient flow for time ``t`` (a number: shape ``(draws,)``; a sequence: ``(draws, len(t))``),
    float64, JAX (jit + vmap over draws):

    * ``N = None``, ``P`` finite: :func:`numerics.models.flow.ridge_flow_losses` (ridge and noise);
    * ``N`` finite, ``P = None``: random projections, exact flow on ``G = A Lambda A^T/N``
      (:func:`numerics.simulate.models.random_features.flow_exact`), ``+ sigma^2``;
    * ``N``, ``P`` finite (no ridge): :func:`numerics.simulate.models.random_features.flow_exact_data`;
    * ``N``, ``P`` finite with a ridge, ``t = inf`` only: the ridge solution in the smaller dimension,
      :func:`numerics.simulate.models.linear_rf_sim.ridge_losses`, on the same draws.
    """
    scalar = np.ndim(t) == 0
    ts = [real_arg("t", v, lo=0.0, allow_inf=True) for v in np.atleast_1d(np.asarray(t, dtype=object))]
    N, P = count_arg("N", N), count_arg("P", P)
    draws, seed = count_arg("draws", draws, allow_none=False), int(real_arg("seed", seed, lo=0.0))
    rho, sig = real_arg("ridge", ridge, lo=0.0), real_arg("noise", noise, lo=0.0)
    if N is None and P is None:
        raise ValueError("nothing is random with N=None and P=None: use loss()")
    if N is not None and rho and (P is None or not all(math.isinf(v) for v in ts)):
        raise ValueError("a ridge at finite N is simulated only with finite P at t=inf (use N=None, or ridge=0)")
    lam, w = np.asarray(lam, dtype=float), np.asarray(w, dtype=float)
    if N is None:
        from scaling_verify.numerics.models.flow import ridge_flow_losses
        out = ridge_flow_losses(seed, lam, w, P, draws, ts, rho, sig)
    else:
        out = _simulate_rf(ts, N, P, draws, seed, lam, w, sig, rho)
    return out[:, 0] if scalar else out


def _simulate_rf(ts, N, P, draws, seed, lam, w, sig, rho=0.0):
    import jax

    from scaling_verify.numerics.simulate import float64
    from scaling_verify.numerics.simulate.models import random_features as rf
    with float64():
        kA, kD = jax.random.split(jax.random.key(seed))
        A = rf.draw_projections(kA, draws, N, lam.shape[0])
        tt = np.asarray(ts, dtype=float)
        if P is None:
            if np.any(np.isinf(tt)):
                raise ValueError("t=inf at finite N, P=None: use a large finite t (the flow converges as e^{-g t})")
            return np.asarray(rf.flow_exact(A, lam, w, tt)) + sig ** 2
        Psi, nz = rf.draw_data(kD, draws, P, lam, sigma=sig)
        if rho:  # t = inf only (checked in simulate_modes)
            from scaling_verify.numerics.simulate.models import linear_rf_sim
            L = np.asarray(linear_rf_sim.ridge_losses(A, Psi, lam, w, rho, nz, sig))
            return np.repeat(L[:, None], len(ts), axis=1)
        return np.asarray(rf.flow_exact_data(A, Psi, lam, w, tt, nz, sig)[0])
