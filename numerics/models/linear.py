"""A linear model on given modes: any spectrum and target, as arrays or callables (``scaling_verify.models.Linear``).

``M`` modes with eigenvalues :math:`\\lambda_k > 0` and target powers :math:`p_k = \\lambda_k w_k^{\\star2} \\ge 0`
(``k = 1..M``), data :math:`\\psi \\sim \\mathcal N(0, \\Lambda)`, labels :math:`y = \\psi^\\top w^\\star + \\sigma\\epsilon`;
the student, the training (gradient flow to time ``t`` with ridge :math:`\\rho`, or one-pass SGD) and the test loss
are those of :class:`~numerics.models.power_law.PowerLaw`, whose finite-``M`` formulas this class evaluates for
arbitrary modes:

* ``N = P = None``: exact, :math:`\\sum_k p_k\\big(\\frac{\\rho + \\lambda_ke^{-t(\\lambda_k+\\rho)}}{\\lambda_k+\\rho}\\big)^2
  + \\sigma^2`;
* ``P`` finite: the two-time deterministic equivalent (:mod:`numerics.precise.models.two_time`, O(1/P));
* ``N`` finite, ``P = None``, no ridge: the DMFT curve (:func:`numerics.precise.models.dmft_solver.mode_loss_points`);
  ``t = inf``: the projection residual :math:`\\sum_k p_k\\kappa/(\\lambda_k+\\kappa)`, :math:`\\sum_k\\lambda_k/(\\lambda_k+\\kappa) = N`;
* ``N`` and ``P`` finite, ``t = inf``: linear random-feature ridge regression (:mod:`numerics.precise.models.linear_rf`);
* one-pass SGD (:meth:`Linear.sgd_loss`): exact at ``N = None`` (:mod:`numerics.models.sgd`).

Arrays given in float64 are taken at their exact binary values in the 30-digit paths; callables ``f(k)`` are
evaluated at ``mpmath.mpf(k)`` (so ``lambda k: k**-1.5`` is exact to the working precision) and at float ``k`` for the
float64 paths.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import mpmath as mp
import numpy as np

from scaling_verify.numerics.models.power_law import count_arg, real_arg


def _values(name: str, spec, M: int | None, dps: int):
    """``spec`` (array-like or callable) as ``(mpf list, float64 array)``; one ValueError line when it is bad."""
    if callable(spec):
        if M is None:
            raise ValueError(f"{name} is a callable: give the number of modes M")
        with mp.workdps(dps + 10):
            try:
                mpv = [mp.mpf(spec(mp.mpf(k))) for k in range(1, M + 1)]
            except (TypeError, ValueError, ArithmeticError) as e:
                raise ValueError(f"{name}(k) could not be evaluated at k = 1..{M}: {e}") from None
    else:
        if isinstance(spec, (str, bytes)):
            raise ValueError(f"{name} must be an array of numbers or a callable, got {spec!r}")
        try:
            arr = np.asarray(spec, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be an array of numbers or a callable") from None
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"{name} must be a non-empty one-dimensional array, got shape {arr.shape}")
        if M is not None and arr.size != M:
            raise ValueError(f"{name} has {arr.size} entries, M={M}")
        mpv = [mp.mpf(float(v)) for v in arr]
    f64 = np.array([float(v) for v in mpv])
    if not np.all(np.isfinite(f64)):
        raise ValueError(f"{name} must be finite")
    return mpv, f64


class Linear:
    """The linear model on given modes (module doc).

    Args:
      spectrum: eigenvalues ``lambda_k > 0`` (array, or callable of ``k`` with ``M``).
      target: target powers ``p_k = lambda_k w*_k^2 >= 0`` (array, or callable of ``k``).
      M: number of modes (needed when both are callables; checked against arrays).
    """

    def __init__(self, spectrum: Callable | np.ndarray, target: Callable | np.ndarray, M: int | None = None):
        M = count_arg("M", M)
        self._lam, self.lam = _values("spectrum", spectrum, M, 30)
        M = len(self._lam)
        self._pw, self.power = _values("target", target, M, 30)
        self.M = M
        if not np.all(self.lam > 0):
            raise ValueError("spectrum must be > 0 for every mode")
        if not np.all(self.power >= 0):
            raise ValueError("target powers must be >= 0 for every mode")

    def __repr__(self) -> str:
        return f"Linear(M={self.M})"

    @property
    def w(self) -> np.ndarray:
        """Target weights ``w*_k = sqrt(p_k/lambda_k)`` (float64)."""
        return np.sqrt(self.power / self.lam)

    def modes(self, dps: int = 30):
        """``(lambda_k, p_k)`` as mpf lists."""
        with mp.workdps(dps + 10):
            return [+v for v in self._lam], [+v for v in self._pw]

    # ------------------------------------------------------------------ the loss

    def loss(self, t, N: int | None = None, P: int | None = None, ridge: float = 0.0, noise: float = 0.0,
             dps: int = 30):
        """The expected test loss after gradient flow to time ``t`` (``inf``: converged), mpf at ``dps`` digits."""
        t = real_arg("t", t, lo=0.0, allow_inf=True)
        N, P = count_arg("N", N), count_arg("P", P)
        rho, sig = real_arg("ridge", ridge, lo=0.0), real_arg("noise", noise, lo=0.0)
        dps = count_arg("dps", dps, allow_none=False)
        lam, pw = self.modes(dps)
        with mp.workdps(dps + 10):
            s2 = mp.mpf(sig) ** 2
            if N is None and P is None:
                val = _population(lam, pw, t, rho) + s2
            elif N is None:
                from scaling_verify.numerics.precise.models import two_time
                val = (mp.fsum(pw) + s2 if t == 0 else
                       two_time.loss_points([mp.inf if math.isinf(t) else t], lam, pw, P, ridge=rho, noise=sig,
                                            dps=dps)[0])
            elif P is None:
                if rho:
                    raise ValueError("a ridge at finite N with P=None is not derived here (use ridge=0)")
                val = _finite_n(lam, pw, t, N, dps) + s2
            else:
                if not math.isinf(t):
                    raise ValueError("finite N and finite P together: only t=inf is derived (linear random-feature "
                                     "ridge regression); the finite-t loss is not")
                from scaling_verify.numerics.precise.models import linear_rf
                val = linear_rf.loss_limit(lam, pw, N, P, ridge=rho, noise=sig, dps=dps)
        with mp.workdps(dps):
            return +val

    def loss_curve(self, ts, N: int | None = None, P: int | None = None, ridge: float = 0.0,
                   noise: float = 0.0) -> np.ndarray:
        """:meth:`loss` in float64 at each ``t`` of ``ts`` (numpy), for curves: the population loss in closed form;
        finite ``P``: the two-time equivalent on a 32-node Talbot contour
        (:func:`numerics.simulate.models.finite_p_de.loss_de`, agrees with the 30-digit path to ~1e-10); finite
        ``N``, ``t = inf``: the projection residual; ``N`` and ``P`` finite, ``t = inf``:
        :func:`numerics.simulate.models.linear_rf_de.loss_limit`. Finite ``N`` at finite ``t``: use :meth:`loss`."""
        ts_ = np.array([real_arg("t", v, lo=0.0, allow_inf=True) for v in np.atleast_1d(np.asarray(ts, dtype=object))])
        N, P = count_arg("N", N), count_arg("P", P)
        rho, sig = real_arg("ridge", ridge, lo=0.0), real_arg("noise", noise, lo=0.0)
        lam, pw = self.lam, self.power
        if N is None and P is None:
            with np.errstate(over="ignore"):
                decay = np.where(np.isinf(ts_)[:, None], 0.0, np.exp(-np.minimum(ts_, 1e300)[:, None] * (lam + rho)))
            return np.sum(pw * ((rho + lam * decay) / (lam + rho)) ** 2, axis=1) + sig ** 2
        if N is None:
            from scaling_verify.numerics.simulate.models import finite_p_de as fp
            out = np.empty(ts_.shape)
            zero = ts_ == 0
            out[zero] = pw.sum() + sig ** 2
            if np.any(~zero):
                out[~zero] = fp.loss_de(ts_[~zero], lam, pw, P, rho, sig)
            return out
        if not np.all(np.isinf(ts_)):
            raise ValueError("loss_curve at finite N needs t=inf; use loss() (30 digits) at finite t")
        if P is None:
            if rho:
                raise ValueError("a ridge at finite N with P=None is not derived here (use ridge=0)")
            from scaling_verify.numerics.simulate.models import finite_p_de as fp
            kap = fp.solve_kappa(lam, N)
            return np.full(ts_.shape, float(np.sum(pw * kap / (lam + kap))) + sig ** 2)
        from scaling_verify.numerics.simulate.models import linear_rf_de
        return np.full(ts_.shape, linear_rf_de.loss_limit(lam, pw, N, P, rho, sig))

    def sgd_loss(self, steps, batch: int, lr: float, noise: float = 0.0, N: int | None = None, dps: int = 30):
        """The exact expected test loss of one-pass SGD (batch ``B``, step ``lr``) after ``steps`` (an int: one
        mpf; a sequence: a list), ``N = None`` (:mod:`numerics.models.sgd`)."""
        if N is not None:
            raise ValueError("the expected SGD loss at finite N (averaged over the features) is not derived here; "
                             "sgd_simulate(..., N=N) gives per-draw losses of the real system")
        from scaling_verify.numerics.models import sgd
        scalar = np.ndim(steps) == 0
        out = sgd.loss_points(steps, self._lam, self._pw, batch, lr, noise, count_arg("dps", dps, allow_none=False))
        return out[0] if scalar else out

    # ------------------------------------------------------------------ the real system

    def simulate(self, t, P: int | None = None, N: int | None = None, draws: int = 1000, seed: int = 0,
                 ridge: float = 0.0, noise: float = 0.0) -> np.ndarray:
        """Per-draw test losses of the real system after gradient flow to ``t`` (JAX, float64; shapes as
        :meth:`PowerLaw.simulate <numerics.models.power_law.PowerLaw.simulate>`, which documents each case)."""
        from scaling_verify.numerics.models.power_law import simulate_modes
        return simulate_modes(self.lam, self.w, t, P, N, draws, seed, ridge, noise)

    def sgd_simulate(self, steps, batch: int, lr: float, draws: int = 1000, seed: int = 0, N: int | None = None,
                     noise: float = 0.0) -> np.ndarray:
        """Per-draw test losses ``(draws, len(steps))`` (``(draws,)`` for one step) of the real one-pass SGD,
        ``lax.scan`` over steps, ``vmap`` over draws (:func:`numerics.models.sgd.simulate`)."""
        from scaling_verify.numerics.models import sgd
        draws, seed = count_arg("draws", draws, allow_none=False), int(real_arg("seed", seed, lo=0.0))
        out = sgd.simulate(seed, self.lam, self.w, np.atleast_1d(steps), batch, lr, draws, count_arg("N", N), noise)
        return out[:, 0] if np.ndim(steps) == 0 else out


def _population(lam, pw, t: float, rho: float):
    r = mp.mpf(rho)
    if math.isinf(t):
        return mp.fsum(p * (r / (lv + r)) ** 2 for lv, p in zip(lam, pw))
    tt = mp.mpf(t)
    return mp.fsum(p * ((r + lv * mp.exp(-tt * (lv + r))) / (lv + r)) ** 2 for lv, p in zip(lam, pw))


def _finite_n(lam, pw, t: float, N: int, dps: int):
    if t == 0:
        return mp.fsum(pw)
    if math.isinf(t):
        from scaling_verify.numerics.precise.models import two_time
        kap = two_time.solve_kappa(lam, N, 0, dps)  # kappa = (kappa/N) sum lambda/(lambda+kappa)
        return mp.fsum(p * kap / (lv + kap) for lv, p in zip(lam, pw))
    from scaling_verify.numerics.precise.models import dmft_solver
    return dmft_solver.mode_loss_points([t], lam, pw, N=N, dps=dps)[0]
