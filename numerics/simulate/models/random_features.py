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


from functools import partial

import jax
import jax.numpy as jnp
import jax.scipy.linalg  # noqa: F401
import numpy as np
from scaling_verify.numerics.simulate import with_float64
from scaling_verify.numerics.stats import validate_power_spectrum


@with_float64
def validate(a: float, b: float, N: int | None = None, M: int | None = None, P: int | None = None) -> None:
    """Raise ValueError naming the violated bound."""
    validate_power_spectrum(a, b, why_a="finite target variance sum_k k^-a", why_b="lambda_k = k^-b must decay")
    for name, v in (("N", N), ("M", M), ("P", P)):
        if v is not None and (int(v) != v or v < 1):
            raise ValueError(f"{name} must be an integer >= 1, got {name}={v}")


@with_float64
def spectrum(M: int, a: float, b: float) -> tuple[jnp.ndarray, jnp.ndarray]:
    """``(lambda_k, w*_k)`` for k = 1..M: ``lambda = k^-b``, ``lambda w*^2 = k^-a``."""
    validate(a, b, M=M)
    k = jnp.arange(1, M + 1, dtype=jnp.float64)
    lam = k ** (-b)
    return lam, jnp.sqrt(k ** (-a) / lam)


@with_float64
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


@with_float64
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


@with_float64
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


@with_float64
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


@with_float64
def gd_exact(A, lam, w, eta: float, steps, check: bool = True) -> jnp.ndarray:
    """Exact discrete-time loss at the given step counts by eigendecomposition, ``(draws, len(steps))``."""
    if check:
        _check_eta(A, lam, eta)
    g, q, L0 = modes(A, lam, w)
    return _curve_discrete(g, q, L0, eta, jnp.asarray(steps, dtype=jnp.float64))


@with_float64
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


@with_float64
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


@with_float64
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


@with_float64
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


@with_float64
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


@with_float64
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


# =============================================================================================
# Finite data: P samples, full-batch GD with data reuse, exact test and train losses
# =============================================================================================
#
# Data Psi in R^{P x M}, Psi_{mu k} ~ N(0, lambda_k); labels y = Psi w* + sigma eps; features
# X = Psi A^T / sqrt(N) (P x N); prediction f = X w. Full-batch GD on the empirical 1/2-MSE
# (1/2P)||X w - y||^2 with step eta: w <- w - eta (G_hat w - c_hat), G_hat = X^T X / P,
# c_hat = X^T y / P. Reported losses (no 1/2, as for P = oo):
#   test  = (w* - theta)^T Lambda (w* - theta) + sigma^2   (expected loss on a fresh noisy sample),
#   train = ||X w - y||^2 / P.
# In terms of v = w* - theta the dynamics is v' = -F G v + noise drive, F = A^T A/N, G = Psi^T Psi/P.


@with_float64
def validate_data(P, sigma: float = 0.0) -> None:
    """Raise ValueError for a bad sample count or noise level."""
    if isinstance(P, bool) or int(P) != P or P < 1:
        raise ValueError(f"P must be an integer >= 1 (number of samples), got P={P}")
    if not sigma >= 0:
        raise ValueError(f"label noise sigma must be >= 0, got sigma={sigma}")


@with_float64
def draw_data(key, draws: int, P: int, lam, sigma: float = 0.0) -> tuple[jnp.ndarray, jnp.ndarray]:
    """``draws`` data sets: ``Psi`` of shape ``(draws, P, M)`` with ``Psi_{mu k} ~ N(0, lambda_k)`` and the
    label noise ``sigma * eps`` of shape ``(draws, P)``."""
    validate_data(P, sigma)
    k1, k2 = jax.random.split(key)
    lam = jnp.asarray(lam)
    Psi = jax.random.normal(k1, (draws, int(P), lam.shape[0]), dtype=jnp.float64) * jnp.sqrt(lam)
    noise = sigma * jax.random.normal(k2, (draws, int(P)), dtype=jnp.float64)
    return Psi, noise


def _data_system(A_, Psi_, n_, w):
    N, P = A_.shape[0], Psi_.shape[0]
    X = Psi_ @ A_.T / jnp.sqrt(N)
    y = Psi_ @ w + n_
    return X, y, X.T @ X / P, X.T @ y / P


@with_float64
def data_stability_bound(A, Psi, lam, w) -> float:
    """Largest stable step ``2 / lambda_max(G_hat)`` over the draws."""
    noise = jnp.zeros(Psi.shape[:2])
    g = jax.vmap(lambda A_, P_, n_: jnp.linalg.eigvalsh(_data_system(A_, P_, n_, w)[2])[-1])(A, Psi, noise)
    return float(2.0 / jnp.max(g))


def _check_shapes(A, Psi, noise):
    if A.ndim != 3 or Psi.ndim != 3 or A.shape[0] != Psi.shape[0] or A.shape[2] != Psi.shape[2]:
        raise ValueError(f"A (draws, N, M) and Psi (draws, P, M) must match, got {A.shape} and {Psi.shape}")
    if noise is not None and noise.shape != Psi.shape[:2]:
        raise ValueError(f"noise must have shape (draws, P) = {Psi.shape[:2]}, got {noise.shape}")


@partial(jax.jit, static_argnames=("steps", "every"))
def _scan_data(A, Psi, noise, lam, w, sig2, eta, steps: int, every: int):
    def one(A_, Psi_, n_):
        X, y, Gh, ch = _data_system(A_, Psi_, n_, w)

        def losses(wv):
            v = w - A_.T @ wv / jnp.sqrt(A_.shape[0])
            r = X @ wv - y
            return jnp.stack([jnp.sum(lam * v * v) + sig2, jnp.mean(r * r)])

        def inner(wv, _):
            return wv - eta * (Gh @ wv - ch), None

        def outer(wv, _):
            wv, _ = jax.lax.scan(inner, wv, None, length=every, unroll=min(every, 8))
            return wv, losses(wv)

        w0 = jnp.zeros(A_.shape[0])
        _, Ls = jax.lax.scan(outer, w0, None, length=steps // every)
        return jnp.concatenate([losses(w0)[None], Ls])

    out = jax.vmap(one)(A, Psi, noise)
    return out[..., 0], out[..., 1]


@with_float64
def gd_scan_data(A, Psi, lam, w, eta: float, steps: int, every: int = 1, noise=None, sigma: float = 0.0,
                 check: bool = True) -> tuple[jnp.ndarray, jnp.ndarray]:
    """Full-batch GD on P samples (data reused every step): ``(test, train)`` after ``0, every, ..., steps``
    steps, each ``(draws, steps//every + 1)``. ``lax.scan`` over steps, ``vmap`` over draws of (A, data).

    ``noise``: the label noise ``sigma * eps`` from :func:`draw_data` (``sigma`` is its scale, added to the
    test loss as the irreducible ``sigma^2``).
    """
    validate_data(Psi.shape[1], sigma)
    _check_shapes(A, Psi, noise)
    if steps % every:
        raise ValueError("steps must be a multiple of every")
    if check:
        bound = data_stability_bound(A, Psi, lam, w)
        if not 0 < eta < bound:
            raise ValueError(f"learning rate eta={eta} outside the stability bound 0 < eta < 2/lambda_max(G_hat) = {bound:.4g}")
    noise = jnp.zeros(Psi.shape[:2]) if noise is None else noise
    return _scan_data(A, Psi, noise, lam, w, sigma ** 2, eta, steps, every)


@jax.jit
def _eig_data(A, Psi, noise, lam, w):
    def one(A_, Psi_, n_):
        X, y, Gh, ch = _data_system(A_, Psi_, n_, w)
        g, U = jnp.linalg.eigh(Gh)
        G, c = _system(A_, lam, w)
        return g, U.T @ ch, U.T @ G @ U, U.T @ c, jnp.mean(y * y)
    return jax.vmap(one)(A, Psi, noise)


@jax.jit
def _curves_data(g, z, Q, r, yy, L0, sig2, phi):
    # phi: (draws, T, N) spectral filter phi(g) with w(t) = U (phi * z)
    u = phi * z[:, None, :]
    test = L0 - 2 * jnp.einsum("dtn,dn->dt", u, r) + jnp.einsum("dtn,dnm,dtm->dt", u, Q, u) + sig2
    train = jnp.einsum("dtn,dn->dt", u * u, g) - 2 * jnp.einsum("dtn,dn->dt", u, z) + yy[:, None]
    return test, train


def _data_modes(A, Psi, lam, w, noise, sigma):
    validate_data(Psi.shape[1], sigma)
    _check_shapes(A, Psi, noise)
    noise = jnp.zeros(Psi.shape[:2]) if noise is None else noise
    g, z, Q, r, yy = _eig_data(A, Psi, noise, lam, w)
    return g, z, Q, r, yy, jnp.sum(lam * w * w)


@with_float64
def gd_exact_data(A, Psi, lam, w, eta: float, steps, noise=None, sigma: float = 0.0,
                  check: bool = True) -> tuple[jnp.ndarray, jnp.ndarray]:
    """``(test, train)`` after the given GD step counts, exactly, from one eigendecomposition of the
    empirical N x N Gram ``G_hat = U diag(g) U^T`` per draw: ``w_n = U[(1 - (1 - eta g)^n)/g * U^T c_hat]``
    (the filter is ``n eta`` on the null space of ``G_hat``, where ``U^T c_hat = 0``)."""
    g, z, Q, r, yy, L0 = _data_modes(A, Psi, lam, w, noise, sigma)
    if check:
        bound = 2.0 / float(jnp.max(g))
        if not 0 < eta < bound:
            raise ValueError(f"learning rate eta={eta} outside the stability bound 0 < eta < 2/lambda_max(G_hat) = {bound:.4g}")
    n = jnp.asarray(np.asarray(steps, dtype=np.int64))
    rr = 1.0 - eta * g[:, None, :]
    nn = n[None, :, None].astype(jnp.float64)
    odd = (n[None, :, None] % 2) == 1
    dec = jnp.exp(nn * jnp.log(jnp.abs(rr))) * jnp.where(odd & (rr < 0), -1.0, 1.0)
    gpos = g[:, None, :] > 1e-13
    phi = jnp.where(gpos, (1.0 - dec) / jnp.where(gpos, g[:, None, :], 1.0), nn * eta)
    return _curves_data(g, z, Q, r, yy, L0, sigma ** 2, phi)


@with_float64
def flow_exact_data(A, Psi, lam, w, t, noise=None, sigma: float = 0.0) -> tuple[jnp.ndarray, jnp.ndarray]:
    """Gradient-flow ``(test, train)`` at times ``t`` (filter ``(1 - e^{-g t})/g``), ``(draws, len(t))`` each.
    ``t = inf`` gives the min-norm (ridgeless) limit ``w = G_hat^+ c_hat``."""
    g, z, Q, r, yy, L0 = _data_modes(A, Psi, lam, w, noise, sigma)
    tt = jnp.asarray(t, dtype=jnp.float64)[None, :, None]
    gg = g[:, None, :]
    gpos = gg > 1e-13 * jnp.max(g)
    gs = jnp.where(gpos, gg, 1.0)
    phi = jnp.where(gpos, -jnp.expm1(-gs * jnp.minimum(tt, 1e300)) / gs, jnp.where(jnp.isinf(tt), 0.0, tt))
    return _curves_data(g, z, Q, r, yy, L0, sigma ** 2, phi)


@with_float64
def ridgeless_losses(A, Psi, lam, w, Ps, noise=None, widths=None) -> jnp.ndarray:
    """Test loss (noise-free part ``v^T Lambda v``) of the min-norm interpolant, i.e. GD from w = 0 at
    ``t -> oo``, for each nested sample count in ``Ps`` (the first ``p`` rows of each data set) and each
    nested width in ``widths`` (the first ``n`` rows of A; default: all N): shape ``(draws, len(widths), len(Ps))``.

    Needs ``p <= n`` (interpolation); ``w_p = X_p^T (X_p X_p^T)^{-1} y_p`` through a P x P Cholesky solve.
    ``A = None`` is the N = oo limit (``F = A^T A/N -> I``: ridgeless kernel regression with kernel
    ``Psi Psi^T``).
    """
    Ps = [int(p) for p in Ps]
    for p in Ps:
        validate_data(p)
    if max(Ps) > Psi.shape[1]:
        raise ValueError(f"largest P={max(Ps)} exceeds the samples drawn ({Psi.shape[1]})")
    noise = jnp.zeros(Psi.shape[:2]) if noise is None else noise
    if A is None:
        return _ridgeless_kernel(Psi, noise, jnp.asarray(lam), w, jnp.asarray(Ps))[:, None, :]
    _check_shapes(A, Psi, noise)
    widths = (A.shape[1],) if widths is None else tuple(int(n) for n in widths)
    if max(Ps) > min(widths) or max(widths) > A.shape[1]:
        raise ValueError(f"need P <= N for interpolation and N <= rows of A; got Ps={Ps}, widths={widths}")
    return _ridgeless_rf(A, Psi, noise, lam, w, tuple(Ps), widths)


@jax.jit
def _ridgeless_kernel(Psi, noise, lam, w, ps):
    def one(Psi_, n_):
        y = Psi_ @ w + n_
        K = Psi_ @ Psi_.T
        idx = jnp.arange(K.shape[0])

        def at(p):
            # the first p samples: mask the rest out of the system (identity block, zero right-hand side),
            # so every sample count reuses one compiled shape; LU solve (batched Cholesky solves are
            # ~100x slower on XLA:CPU, measured)
            m = (idx < p).astype(K.dtype)
            alpha = jnp.linalg.solve(K * m[:, None] * m[None, :] + jnp.diag(1.0 - m), y * m)
            v = w - Psi_.T @ alpha
            return jnp.sum(lam * v * v)
        return jax.vmap(at)(ps)
    return jax.vmap(one)(Psi, noise)


@partial(jax.jit, static_argnames=("Ps", "widths"))
def _ridgeless_rf(A, Psi, noise, lam, w, Ps, widths):
    def one(A_, Psi_, n_):
        Z = Psi_ @ A_.T  # P x N: one product serves every nested width and sample count
        y = Psi_ @ w + n_
        res = []
        for nw in widths:
            X = Z[:, :nw] / jnp.sqrt(nw)
            K = X @ X.T
            row = []
            for p in Ps:
                alpha = jnp.linalg.solve(K[:p, :p], y[:p])
                theta = A_[:nw].T @ (X[:p].T @ alpha) / jnp.sqrt(nw)
                v = w - theta
                row.append(jnp.sum(lam * v * v))
            res.append(jnp.stack(row))
        return jnp.stack(res)
    return jax.lax.map(lambda args: one(*args), (A, Psi, noise))


@with_float64
def kernel_regression_de(P: float, a: float, b: float, M: int) -> float:
    """Ridgeless kernel regression at finite M (Bordelon-Canatar-Pehlevan 2020 deterministic equivalent):
    ``E_g = sum_k k^{-a} (kappa/(lambda_k+kappa))^2 / (1 - gamma)``, ``gamma = P^{-1} sum_k lambda^2/(lambda+kappa)^2``,
    ``sum_k lambda_k/(lambda_k + kappa) = P`` (sums over the M modes)."""
    validate(a, b, M=M)
    k = np.arange(1, M + 1, dtype=float)
    lam = k ** (-b)
    kap = solve_kappa(P, lam)
    gam = np.sum((lam / (lam + kap)) ** 2) / P
    return float(np.sum(k ** (-a) * (kap / (lam + kap)) ** 2) / (1 - gam))


# ----------------------------------------------------------------------------- transfer function H_k(t)


@jax.jit
def _transfer_diag(A, lam, t):
    def one(A_):
        N = A_.shape[0]
        G = (A_ * lam) @ A_.T / N
        g, U = jnp.linalg.eigh(G)
        B2 = (U.T @ A_) ** 2  # (N, M): (U^T a_k)_j^2
        phi = -jnp.expm1(-g[None, :] * t[:, None]) / jnp.where(g > 0, g, 1.0)[None, :]  # (T, N)
        diag = 1.0 - lam[None, :] * (phi @ B2) / N  # e^{-t F Lambda}_kk, (T, M)
        Fkk = jnp.sum(A_ * A_, axis=0) / N
        # control variate: the first-order (Duhamel) term -t e^{-lambda t} (F Lambda - Lambda)_kk, mean exactly 0
        cv = -t[:, None] * jnp.exp(-lam[None, :] * t[:, None]) * lam[None, :] * (Fkk[None, :] - 1.0)
        return diag - cv
    return jax.vmap(one)(A)


@with_float64
def transfer_diagonal(A, lam, t) -> jnp.ndarray:
    """Per-draw estimates of :math:`H_k(t) = \\mathbb E_A[e^{-tF\\Lambda}]_{kk}` (P = oo, gradient flow),
    shape ``(draws, len(t), M)``: ``E[v_k(t)] = H_k(t) w*_k`` because ``E_A e^{-tF Lambda}`` is diagonal.

    From one eigendecomposition of the N x N matrix ``G = A Lambda A^T/N`` per draw:
    ``e^{-tF Lambda} = I - A^T U diag((1-e^{-tg})/g) U^T A Lambda / N``. The zero-mean first-order term
    ``-t e^{-lambda_k t} lambda_k (F_kk - 1)`` is subtracted as a control variate (it removes the O(N^{-1/2})
    fluctuations and leaves the mean unchanged, exactly).
    """
    if np.any(np.asarray(t) < 0):
        raise ValueError("times must be >= 0")
    return _transfer_diag(A, jnp.asarray(lam), jnp.asarray(t, dtype=jnp.float64))


@jax.jit
def _kernel_flow(Psi, noise, lam, w, sig2, t):
    def one(Psi_, n_):
        P = Psi_.shape[0]
        y = Psi_ @ w + n_
        K = Psi_ @ Psi_.T / P
        kap, V = jnp.linalg.eigh(K)
        pos = kap > 1e-13 * jnp.max(kap)
        ks = jnp.where(pos, kap, 1.0)
        tt = t[:, None]
        phi = jnp.where(pos[None, :], -jnp.expm1(-ks[None, :] * jnp.minimum(tt, 1e300)) / ks[None, :],
                        jnp.where(jnp.isinf(tt), 0.0, tt))  # (T, P)
        Vy = V.T @ y
        beta = (phi * Vy[None, :]) @ V.T / P  # theta(t) = Psi^T beta(t), shape (T, P)
        PL = (Psi_ * lam) @ Psi_.T  # Psi Lambda Psi^T
        test = jnp.sum(lam * w * w) - 2 * beta @ (Psi_ @ (lam * w)) + jnp.einsum("tp,pq,tq->t", beta, PL, beta) + sig2
        r = beta @ (P * K) - y[None, :]
        return test, jnp.mean(r * r, axis=1)
    return jax.vmap(one)(Psi, noise)


@with_float64
def kernel_flow_data(Psi, lam, w, t, noise=None, sigma: float = 0.0) -> tuple[jnp.ndarray, jnp.ndarray]:
    """N = oo limit (``F = A^T A/N -> I``: kernel gradient flow with kernel ``Psi Psi^T``), ``(test, train)`` at
    times ``t`` (``inf`` allowed), ``(draws, len(t))`` each, from one P x P eigendecomposition per draw:
    ``theta(t) = Psi^T V diag((1 - e^{-t kappa})/(P kappa)) V^T y`` with ``Psi Psi^T/P = V diag(kappa) V^T``."""
    validate_data(Psi.shape[1], sigma)
    noise = jnp.zeros(Psi.shape[:2]) if noise is None else noise
    if np.any(np.asarray(t) < 0):
        raise ValueError("times must be >= 0")
    return _kernel_flow(Psi, noise, jnp.asarray(lam), w, sigma ** 2, jnp.asarray(t, dtype=jnp.float64))
