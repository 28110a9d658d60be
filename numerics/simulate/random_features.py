"""The linear random-feature model of Bordelon, Atanasov, Pehlevan (2024), simulated in JAX.

Model (the paper's convention, ½-MSE loss): ``M`` modes with :math:`\\lambda_k = k^{-b}` and target
:math:`w^\\star_k = k^{(b-a)/2}` (so :math:`\\lambda_k w_k^{\\star 2} = k^{-a}`); a random projection
:math:`A \\in \\mathbb R^{N\\times M}`, :math:`A_{ij}\\sim\\mathcal N(0,1)`; student
:math:`\\theta = A^\\top w/\\sqrt N`; test loss :math:`\\mathcal L = (w^\\star-\\theta)^\\top\\Lambda(w^\\star-\\theta)`
computed exactly from the weights. With infinite data (``P = oo``) gradient descent with step ``eta``
on :math:`\\tfrac12\\mathcal L` reads :math:`w \\leftarrow w - \\eta (G w - c)`, :math:`G = A\\Lambda A^\\top/N`,
:math:`c = A\\Lambda w^\\star/\\sqrt N`; with ``P`` samples :math:`\\Lambda` inside G and c is replaced by
the empirical :math:`\\hat G = \\Psi^\\top\\Psi/P` (:math:`\\Psi_{\\mu k}\\sim\\mathcal N(0,\\lambda_k)`).

Two solvers that agree to 1e-10 (tested):

* :func:`gd_scan` -- ``lax.scan`` over steps, ``vmap`` over draws of A (and data);
* :func:`gd_exact` -- eigendecomposition :math:`G = U\\,\\mathrm{diag}(g)\\,U^\\top`, which gives every
  step count at once: :math:`\\mathcal L_n = \\mathcal L_0 - \\sum_i \\frac{z_i^2}{g_i}\\big(1-(1-\\eta g_i)^{2n}\\big)`,
  :math:`z = U^\\top c` (``P = oo``); :func:`flow_exact` is the gradient-flow limit
  :math:`(1-\\eta g)^{2n} \\to e^{-2 g t}`.

:func:`projection_residual` gives the converged (``t -> oo``) loss of each draw by a Cholesky projection,
and :func:`ensemble_residual` the loss of the mean predictor of E independent draws.
"""

from __future__ import annotations

import numerics.simulate  # noqa: F401  (x64 before any array)

from functools import partial

import jax
import jax.numpy as jnp
import jax.scipy.linalg  # noqa: F401
import numpy as np


def validate(a: float, b: float, N: int | None = None, M: int | None = None, P: int | None = None) -> None:
    """Raise ValueError naming the violated bound."""
    if not b > 0:
        raise ValueError(f"b must be > 0 (lambda_k = k^-b must decay), got b={b}")
    if not a > 1:
        raise ValueError(f"a must be > 1 (finite target variance sum_k k^-a), got a={a}")
    for name, v in (("N", N), ("M", M), ("P", P)):
        if v is not None and (int(v) != v or v < 1):
            raise ValueError(f"{name} must be an integer >= 1, got {name}={v}")


def spectrum(M: int, a: float, b: float) -> tuple[jnp.ndarray, jnp.ndarray]:
    """``(lambda_k, w*_k)`` for k = 1..M: ``lambda = k^-b``, ``lambda w*^2 = k^-a``."""
    validate(a, b, M=M)
    k = jnp.arange(1, M + 1, dtype=jnp.float64)
    lam = k ** (-b)
    return lam, jnp.sqrt(k ** (-a) / lam)


def draw_projections(key, draws: int, N: int, M: int) -> jnp.ndarray:
    """``draws`` independent Gaussian projections, shape ``(draws, N, M)``."""
    validate(2.0, 1.0, N=N, M=M)
    return jax.random.normal(key, (draws, N, M), dtype=jnp.float64)


def _system(A, lam, w):
    N = A.shape[0]
    AL = A * lam
    G = AL @ A.T / N
    c = AL @ w / jnp.sqrt(N)
    return G, c


def stability_bound(A, lam) -> float:
    """Largest stable step, ``2 / lambda_max(G)`` over the draws (GD diverges above it)."""
    g = jax.vmap(lambda A_: jnp.linalg.eigvalsh(_system(A_, lam, lam)[0])[-1])(A)
    return float(2.0 / jnp.max(g))


def _check_eta(A, lam, eta):
    bound = stability_bound(A, lam)
    if not 0 < eta < bound:
        raise ValueError(f"learning rate eta={eta} outside the stability bound 0 < eta < 2/lambda_max(G) = {bound:.4g}")


@partial(jax.jit, static_argnames=("steps", "every"))
def _scan(A, lam, w, eta, steps: int, every: int):
    def one(A_):
        G, c = _system(A_, lam, w)
        L0 = jnp.sum(lam * w * w)

        def loss(wv):
            theta = A_.T @ wv / jnp.sqrt(A_.shape[0])
            v = w - theta
            return jnp.sum(lam * v * v)

        def inner(wv, _):
            return wv - eta * (G @ wv - c), None

        def outer(wv, _):
            wv, _ = jax.lax.scan(inner, wv, None, length=every, unroll=min(every, 8))
            return wv, loss(wv)

        _, Ls = jax.lax.scan(outer, jnp.zeros(A_.shape[0]), None, length=steps // every)
        return jnp.concatenate([L0[None], Ls])

    return jax.vmap(one)(A)


def gd_scan(A, lam, w, eta: float, steps: int, every: int = 1, check: bool = True) -> jnp.ndarray:
    """Loss after ``0, every, 2 every, ..., steps`` GD steps, shape ``(draws, steps//every + 1)``.

    ``lax.scan`` over steps (nested: the outer scan records every ``every`` steps), ``vmap`` over draws.
    """
    if steps % every:
        raise ValueError("steps must be a multiple of every")
    if check:
        _check_eta(A, lam, eta)
    return _scan(A, lam, w, eta, steps, every)


@jax.jit
def _eig(A, lam, w, n_active):
    def one(A_):
        # width n_active: rows beyond it are masked out and their block of G set to the identity
        # (with c = 0 there they carry no weight), so every width reuses one compiled shape
        mask = (jnp.arange(A_.shape[0]) < n_active).astype(A_.dtype)
        Am = A_ * mask[:, None]
        AL = Am * lam
        G = AL @ Am.T / n_active + jnp.diag(1.0 - mask)
        c = AL @ w / jnp.sqrt(n_active)
        g, U = jnp.linalg.eigh(G)
        z = U.T @ c
        return g, z
    return jax.vmap(one)(A)


def modes(A, lam, w, n_active: int | None = None):
    """Eigenvalues ``g`` of G and weights ``z^2/g`` per draw: ``L(t) = L0 - sum (z^2/g)(1 - decay)``.

    ``n_active``: use only the first ``n_active`` rows of A (a width-``n_active`` model; same compiled shape).
    """
    n = A.shape[1] if n_active is None else int(n_active)
    if not 1 <= n <= A.shape[1]:
        raise ValueError(f"n_active must be in [1, {A.shape[1]}], got {n}")
    g, z = _eig(A, lam, w, jnp.float64(n))
    g = jnp.maximum(g, 1e-300)
    return g, z * z / g, jnp.sum(lam * w * w)


@jax.jit
def _curve_discrete(g, q, L0, eta, n):
    r = 1.0 - eta * g
    dec = jnp.exp(2.0 * n[None, :, None] * jnp.log(jnp.abs(r))[:, None, :])
    return L0 - jnp.sum(q[:, None, :] * (1.0 - dec), axis=-1)


@jax.jit
def _curve_flow(g, q, L0, t):
    dec = jnp.exp(-2.0 * g[:, None, :] * t[None, :, None])
    return L0 - jnp.sum(q[:, None, :] * (1.0 - dec), axis=-1)


def gd_exact(A, lam, w, eta: float, steps, check: bool = True) -> jnp.ndarray:
    """Exact discrete-time loss at the given step counts by eigendecomposition, ``(draws, len(steps))``."""
    if check:
        _check_eta(A, lam, eta)
    g, q, L0 = modes(A, lam, w)
    return _curve_discrete(g, q, L0, eta, jnp.asarray(steps, dtype=jnp.float64))


def flow_exact(A, lam, w, t, n_active: int | None = None) -> jnp.ndarray:
    """Gradient-flow loss at times ``t`` (exact), ``(draws, len(t))``; ``n_active`` as in :func:`modes`."""
    g, q, L0 = modes(A, lam, w, n_active)
    return _curve_flow(g, q, L0, jnp.asarray(t, dtype=jnp.float64))


@jax.jit
def _proj_theta(A, lam, w):
    def one(A_):
        sl = jnp.sqrt(lam)
        B = (A_ * sl).T  # M x N, columns span Lambda^{1/2} A^T
        tw = sl * w
        L = jnp.linalg.cholesky(B.T @ B)  # Gram matrix N A Lambda A^T/N = N G (Cholesky compiles faster than QR)
        coef = jax.scipy.linalg.cho_solve((L, True), B.T @ tw)
        return (B @ coef) / sl  # theta at t = oo (the Lambda-projection of w* on span A^T)
    return jax.vmap(one)(A)


def projection_residual(A, lam, w) -> jnp.ndarray:
    """Converged single-model loss per draw: the Lambda-weighted residual of w* off span(A^T)."""
    th = _proj_theta(A, lam, w)
    v = w[None, :] - th
    return jnp.sum(lam * v * v, axis=-1)


@jax.jit
def _prefix_residuals(A, lam, w):
    def one(A_):
        sl = jnp.sqrt(lam)
        B = (A_ * sl).T
        tw = sl * w
        # Cholesky of the Gram matrix is prefix-consistent: the squared norm of the projection on the
        # first n features is the sum of the first n squares of L^{-1} B^T tw (forward substitution)
        L = jnp.linalg.cholesky(B.T @ B)
        z = jax.scipy.linalg.solve_triangular(L, B.T @ tw, lower=True)
        return jnp.sum(tw * tw) - jnp.cumsum(z * z)
    return jax.vmap(one)(A)


def nested_residuals(A, lam, w, Ns) -> jnp.ndarray:
    """Converged loss for every width in ``Ns`` from one QR per draw, ``(draws, len(Ns))``.

    The first ``n`` rows of a Gaussian ``A`` are a Gaussian ``N = n`` projection, and the leading
    ``n x n`` block of the Gram matrix's Cholesky factor is that model's factor, so one factorisation
    gives all widths (nested draws).
    """
    if max(Ns) > A.shape[1]:
        raise ValueError(f"largest N={max(Ns)} exceeds the rows of A ({A.shape[1]})")
    res = _prefix_residuals(A, lam, w)
    return res[:, np.asarray(Ns) - 1]


def ensemble_residual(A, lam, w, E: int) -> jnp.ndarray:
    """Converged loss of the mean predictor of ``E`` consecutive draws, one value per group."""
    if A.shape[0] % E:
        raise ValueError(f"number of draws {A.shape[0]} is not a multiple of E={E}")
    th = _proj_theta(A, lam, w).reshape(A.shape[0] // E, E, -1).mean(axis=1)
    v = w[None, :] - th
    return jnp.sum(lam * v * v, axis=-1)


# ----------------------------------------------------------------------------- deterministic equivalents


def _count_tail(kap: float, X: float, b: float) -> float:
    """``int_X^oo dk/(1 + kappa k^b) = X^{1-b}/(kappa(b-1)) 2F1(1, 1-1/b; 2-1/b; -1/(kappa X^b))`` (b > 1)."""
    from scipy.special import hyp2f1
    return X ** (1 - b) / (kap * (b - 1)) * hyp2f1(1.0, 1 - 1 / b, 2 - 1 / b, -1.0 / (kap * X ** b))


def solve_kappa(n_eff: float, lam: np.ndarray, b: float | None = None) -> float:
    """``kappa`` with ``sum_k lambda_k/(lambda_k + kappa) = n_eff`` (float64 bisection in log kappa).

    With ``b`` given, the modes beyond ``M`` are added by the midpoint integral :func:`_count_tail`
    (the infinite-M equation); otherwise the sum stops at ``M``.
    """
    lam = np.asarray(lam, float)
    if not 0 < n_eff < (lam.size if b is None else np.inf):
        raise ValueError(f"need 0 < N < M, got N={n_eff}, M={lam.size}")
    lo, hi = -80.0, 10.0
    for _ in range(120):
        mid = 0.5 * (lo + hi)
        cnt = np.sum(lam / (lam + np.exp(mid)))
        if b is not None:
            cnt += _count_tail(np.exp(mid), lam.size + 0.5, b)
        if cnt > n_eff:
            lo = mid
        else:
            hi = mid
    return float(np.exp(0.5 * (lo + hi)))


def residual_de(n_eff: float, a: float, b: float, M: int, p: int = 1, infinite: bool = False) -> float:
    """Deterministic equivalent ``sum_k k^{-a} (kappa/(lambda_k + kappa))^p`` (p = 1 single model, 2 bias).

    ``infinite=True`` solves the infinite-M kappa equation (count tail by :func:`_count_tail`) and adds
    the residual tail ``sum_{k>M} k^{-a} ~ (M+1/2)^{1-a}/(a-1)`` (the modes there are unlearned).
    """
    k = np.arange(1, M + 1, dtype=float)
    lam = k ** (-b)
    kap = solve_kappa(n_eff, lam, b if infinite else None)
    if infinite:
        return float(np.sum(k ** (-a) * (kap / (lam + kap)) ** p) + (M + 0.5) ** (1 - a) / (a - 1))
    return float(np.sum(k ** (-a) * (kap / (lam + kap)) ** p))
