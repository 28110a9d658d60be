"""JAX ReLU kernels and MLPs in NTK parameterisation, written in-package (no neural-tangents).

Convention (same as neural-tangents ``stax.Dense(W_std=sigma_w, b_std=sigma_b)`` + ``Relu``):
:math:`z^{(1)}=\\frac{\\sigma_w}{\\sqrt d}W^{(1)}x+\\sigma_b b^{(1)}`,
:math:`z^{(l+1)}=\\frac{\\sigma_w}{\\sqrt{n}}W^{(l+1)}\\phi(z^{(l)})+\\sigma_b b^{(l+1)}`, all entries
:math:`\\mathcal N(0,1)`, output :math:`f=z^{(L+1)}` (one output). Analytic kernels: the recursion of
:mod:`theory.equivariance` with the cosine clipped to [-1, 1] (never differentiated).
"""

from __future__ import annotations


import jax
import jax.numpy as jnp
import numpy as np
from scaling_verify.numerics.simulate import with_float64


@with_float64
def relu_kernels(X1, X2, depth: int = 2, sw2: float = 2.0, sb2: float = 0.0, return_sensitivity: bool = False,
                 xp=jnp):
    """Analytic ReLU NNGP :math:`K^{(L+1)}` and NTK :math:`\\Theta^{(L+1)}` between the rows of
    ``X1`` (n1, d) and ``X2`` (n2, d); returns two (n1, n2) arrays.

    A cosine within :math:`8\\epsilon` of 1 (identical inputs, up to rounding) is set to exactly 1 at
    every layer: otherwise a rounding of the cosine to :math:`1-\\epsilon` gives
    :math:`\\arccos = \\sqrt{2\\epsilon}\\approx2\\times10^{-8}` and a relative error :math:`\\sim7\\times10^{-9}`
    in the NTK diagonal (:math:`\\dot K` is not Lipschitz at :math:`c=1`); for distinct inputs that close
    the true angle is below :math:`4\\sqrt\\epsilon` and equally unresolved. ``return_sensitivity`` also returns :math:`s=\\max 1/\\sqrt{1-c^2}` over the other
    pairs and layers: the float64 amplification of a rounding in the cosine. ``xp=numpy`` evaluates
    the same code eagerly in NumPy (no compilation: used for small float64 reference computations).
    """
    jnp = xp  # noqa: F811  (the same code for jax.numpy and numpy)
    X1, X2 = jnp.asarray(X1), jnp.asarray(X2)
    if X1.ndim != 2 or X2.ndim != 2 or X1.shape[1] != X2.shape[1]:
        raise ValueError(f"inputs must be 2-D with equal feature dimension, got {X1.shape} and {X2.shape}")
    d = X1.shape[1]
    one = 1.0 - 8 * float(np.finfo(np.dtype(k_dtype(X1, X2))).eps)
    k12 = sw2 * (X1 @ X2.T) / d + sb2
    k11 = sw2 * jnp.sum(X1 * X1, axis=1) / d + sb2
    k22 = sw2 * jnp.sum(X2 * X2, axis=1) / d + sb2
    th = k12
    sens = jnp.asarray(1.0)
    for _ in range(depth):
        norm = jnp.sqrt(k11[:, None] * k22[None, :])
        c = jnp.clip(k12 / norm, -1.0, 1.0)
        c = jnp.where(c >= one, 1.0, c)
        sens = jnp.maximum(sens, jnp.max(jnp.where(c == 1.0, 1.0, 1.0 / jnp.sqrt(jnp.maximum(1.0 - c * c, 1e-300)))))
        ang = jnp.arccos(c)
        k12 = sw2 / (2 * jnp.pi) * norm * (jnp.sqrt(1.0 - c * c) + (jnp.pi - ang) * c) + sb2
        th = k12 + sw2 / (2 * jnp.pi) * (jnp.pi - ang) * th
        k11 = sw2 / 2 * k11 + sb2
        k22 = sw2 / 2 * k22 + sb2
    return (k12, th, sens) if return_sensitivity else (k12, th)


@with_float64
def k_dtype(X1, X2):
    """Floating dtype of the kernel computation (float64 under x64 unless the inputs are float32)."""
    return np.result_type(X1.dtype, X2.dtype, np.float32)


@with_float64
def init_mlp(key, d: int, width: int, depth: int = 2):
    """Standard-normal parameters: ``[(W1, b1), ..., (WL, bL), (v, b_out)]``."""
    keys = jax.random.split(key, depth + 1)
    params, fan_in = [], d
    for l in range(depth):
        kw, kb = jax.random.split(keys[l])
        params.append((jax.random.normal(kw, (width, fan_in)), jax.random.normal(kb, (width,))))
        fan_in = width
    kw, kb = jax.random.split(keys[depth])
    params.append((jax.random.normal(kw, (fan_in,)), jax.random.normal(kb, ())))
    return params


@with_float64
def mlp_apply(params, X, sw2: float = 2.0, sb2: float = 0.0):
    """Scalar output :math:`f(x)` for the rows of ``X`` in NTK parameterisation."""
    sw, sb = jnp.sqrt(sw2), jnp.sqrt(sb2)
    h = X
    for W, b in params[:-1]:
        h = jax.nn.relu(sw / jnp.sqrt(h.shape[-1]) * h @ W.T + sb * b)
    v, bo = params[-1]
    return sw / jnp.sqrt(h.shape[-1]) * h @ v + sb * bo


@with_float64
def empirical_ntk(params, X1, X2, sw2: float = 2.0, sb2: float = 0.0):
    """Exact finite-width NTK :math:`\\sum_p\\partial_pf(x)\\partial_pf(x')` from the layer structure:
    weights of layer l contribute :math:`\\frac{\\sigma_w^2}{n_{l-1}}(a_{l-1}\\cdot a'_{l-1})(\\delta_l\\cdot\\delta'_l)`,
    biases :math:`\\sigma_b^2\\,\\delta_l\\cdot\\delta'_l`, with :math:`a_l=\\phi(z_l)` and
    :math:`\\delta_l=\\partial f/\\partial z_l` (manual back-propagation; no Jacobian is formed)."""
    sw, sb = jnp.sqrt(sw2), jnp.sqrt(sb2)

    def forward(X):
        acts, pre = [X], []
        h = X
        for W, b in params[:-1]:
            z = sw / jnp.sqrt(h.shape[-1]) * h @ W.T + sb * b
            pre.append(z)
            h = jax.nn.relu(z)
            acts.append(h)
        deltas = [None] * len(pre)
        v, _ = params[-1]
        g = sw / jnp.sqrt(acts[-1].shape[-1]) * jnp.broadcast_to(v, acts[-1].shape)
        for l in range(len(pre) - 1, -1, -1):
            g = g * (pre[l] > 0)
            deltas[l] = g
            if l > 0:
                W = params[l][0]
                g = sw / jnp.sqrt(acts[l].shape[-1]) * g @ W
        return acts, deltas

    a1, d1 = forward(X1)
    a2, d2 = forward(X2)
    out = sw2 / a1[-1].shape[-1] * a1[-1] @ a2[-1].T + sb2
    for l in range(len(d1)):
        dd = d1[l] @ d2[l].T
        out = out + sw2 / a1[l].shape[-1] * (a1[l] @ a2[l].T) * dd + sb2 * dd
    return out


@with_float64
def jacobian_ntk(params, X1, X2, sw2: float = 2.0, sb2: float = 0.0):
    """Reference empirical NTK from full Jacobians (``jax.jacrev``): small widths only (tests)."""
    from jax.flatten_util import ravel_pytree

    flat, unravel = ravel_pytree(params)

    def f(p, X):
        return mlp_apply(unravel(p), X, sw2, sb2)

    J1 = jax.jacrev(f)(flat, X1)
    J2 = jax.jacrev(f)(flat, X2)
    return J1 @ J2.T


@with_float64
def train_ensemble(keys, X, Y, Xtest, width: int, depth: int, eta: float, steps: int,
                   sw2: float = 2.0, sb2: float = 0.0, dtype=jnp.float32):
    """Full-batch gradient descent on :math:`\\frac12\\sum_i(f(x_i)-y_i)^2`, vmapped over members
    (one key each), ``lax.scan`` over steps; returns test predictions (members, n_test) at the end."""
    X, Y, Xtest = (jnp.asarray(a, dtype) for a in (X, Y, Xtest))

    def loss(p):
        return 0.5 * jnp.sum((mlp_apply(p, X, sw2, sb2) - Y) ** 2)

    def one(key):
        p0 = jax.tree.map(lambda a: a.astype(dtype), init_mlp(key, X.shape[1], width, depth))

        def step(p, _):
            g = jax.grad(loss)(p)
            return jax.tree.map(lambda a, b: a - eta * b, p, g), None

        p, _ = jax.lax.scan(step, p0, None, length=steps)
        return mlp_apply(p, Xtest, sw2, sb2)

    return jax.jit(jax.vmap(one))(keys)


@with_float64
def ntk_mean(Xtr, Ytr, Xte, t, eta, depth: int = 2, sw2: float = 2.0, sb2: float = 0.0, gd_steps: bool = False):
    """Analytic NTK-regime mean :math:`\\mu_t=\\Theta_{xX}\\phi_t(\\Theta)Y` in float64 (NumPy ``eigh``);
    ``gd_steps=True`` uses discrete GD, :math:`\\phi(\\lambda)=(1-(1-\\eta\\lambda)^t)/\\lambda`.
    Returns ``(mu, cond, norms)`` with ``norms = s |Theta_xX|_2 |phi(Theta)|_2 |Y|`` (``s``: the
    arccos sensitivity of :func:`relu_kernels`)."""
    _, T, s1 = relu_kernels(Xtr, Xtr, depth, sw2, sb2, return_sensitivity=True, xp=np)
    _, Tx, s2 = relu_kernels(Xte, Xtr, depth, sw2, sb2, return_sensitivity=True, xp=np)
    lam, Q = np.linalg.eigh(T)
    if gd_steps:
        ph = (1.0 - (1.0 - eta * lam) ** t) / lam
    elif np.isinf(t):
        ph = 1.0 / lam
    else:
        ph = -np.expm1(-eta * t * lam) / lam
    A = (Q * ph) @ Q.T
    mu = Tx @ (A @ np.asarray(Ytr))
    cond = lam.max() / lam.min()
    norms = max(s1, s2) * np.linalg.norm(Tx, 2) * np.abs(ph).max() * np.linalg.norm(np.asarray(Ytr))
    return mu, float(cond), float(norms)
