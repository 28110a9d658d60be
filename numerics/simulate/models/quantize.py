"""Post-training quantization of trained spectral-model weights: dithered and round-to-nearest (RTN)
quantizers, rms or absmax step, in the eigenbasis or a random Hadamard basis, and the exact mean of
the dithered damage.

All quantizers act on trained weights with step :math:`\\Delta = 2^{1-B}\\times` scale, the scale being
the rms or the absmax of the quantized coordinates:

* rounding ``"dither"``: subtractive dither; the error is exactly uniform and independent of w, i.e.
  isotropic weight noise of variance :math:`\\Delta^2/12 \\propto 4^{-B} S/M` (the hypothesis of the
  spectral reconstruction);
* rounding ``"rtn"``: round-to-nearest, an error that is a deterministic function of w;
* basis ``"eigen"``: quantize the eigen-coordinates ``w_k`` themselves;
* basis ``"hadamard"``: quantize :math:`\\theta = H\\,\\mathrm{diag}(s)\\,w` (random signs s, orthonormal
  Walsh-Hadamard H), i.e. parameters in a basis unrelated to the data spectrum ("incoherence processing").

With a steep spectrum (b = 3) the damage :math:`\\sum_k\\lambda_k e_k^2` is carried by
:math:`n_{eff} = \\zeta(b)^2/\\zeta(2b) = 1.4` modes, so eigenbasis RTN damage is the rounding error of one
or two weights: it scatters over a factor ~30 around :math:`(\\Delta^2/12)\\sum\\lambda` at every B and never
follows :math:`4^{-B}` point by point. In the Hadamard basis each parameter mixes all modes and RTN becomes
isotropic noise once :math:`\\Delta` is small against the spread of theta (B >= ~7 here; see
:func:`numerics.simulate.models.spectral_studies.rtn_bit_study`).
"""

from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from scaling_verify.numerics.simulate import with_float64
from scaling_verify.numerics.simulate.models.spectral_flow import FlowRun

@jax.jit
def _dither_damage(key, w, wstar, lam, bits):
    """Damage of B-bit dithered uniform quantization (step 2^{1-B} rms(w)), one draw per key."""
    delta = 2.0 ** (1 - bits) * jnp.sqrt(jnp.mean(w ** 2))
    u = jax.random.uniform(key, w.shape, minval=-0.5, maxval=0.5)
    wq = delta * jnp.round(w / delta + u) - delta * u
    # function-space damage sum_k lam_k (wq - w)_k^2: its mean equals the mean loss increase, because the
    # dithered error is zero-mean and independent of w (the cross term 2 sum lam e xi averages to 0)
    return jnp.sum(lam * (wq - w) ** 2)


@with_float64
def quantization_damage(run: FlowRun, bits: float, draws: int = 64, seed: int = 0) -> np.ndarray:
    """``(draws, len(t))`` loss increase under B-bit dithered quantization of each snapshot."""
    if bits < 1:
        raise ValueError(f"bits must be >= 1, got {bits}")
    keys = jax.random.split(jax.random.key(seed), draws)
    f = jax.vmap(jax.vmap(_dither_damage, in_axes=(None, 0, None, None, None)), in_axes=(0, None, None, None, None))
    return np.asarray(f(keys, jnp.asarray(run.w), jnp.asarray(run.wstar), jnp.asarray(run.lam), float(bits)))


@with_float64
def fwht(x):
    """Orthonormal Walsh-Hadamard transform along the last axis (length a power of 2); H = H^T = H^{-1}."""
    n = x.shape[-1]
    if n < 1 or n & (n - 1):
        raise ValueError(f"the Hadamard basis needs a power-of-two size, got {n}")
    return jnp.apply_along_axis(lambda v: _fwht_blocks(v, n), -1, jnp.asarray(x)) if x.ndim > 1 else _fwht_blocks(jnp.asarray(x), n)


ROUNDINGS, STEPS, BASES = ("dither", "rtn"), ("rms", "absmax"), ("eigen", "hadamard")


ROUNDINGS, STEPS, BASES = ("dither", "rtn"), ("rms", "absmax"), ("eigen", "hadamard")


ROUNDINGS, STEPS, BASES = ("dither", "rtn"), ("rms", "absmax"), ("eigen", "hadamard")


def _fwht_blocks(x, n):
    """Orthonormal Walsh-Hadamard transform of size ``n`` (traced power of two) applied blockwise along
    the last axis: butterfly stages ``h = 1, 2, 4, ...`` pair index ``i`` with ``i XOR h``; only the
    stages with ``h < n`` act, so a vector that vanishes beyond ``n`` gets exactly H_n on its first ``n``
    entries. A ``fori_loop`` over stages keeps the compiled program small (one body for all stages)."""
    M = x.shape[-1]
    idx = jnp.arange(M)

    def stage(j, x):
        h = 2 ** j
        xp = x[idx ^ h]
        z = jnp.where((idx & h) == 0, x + xp, xp - x) / math.sqrt(2.0)
        return jnp.where(h < n, z, x)

    return lax.fori_loop(0, int(math.log2(M)), stage, x)


def _quant_damage(key, w, lam, n, bits, dither, absmax, basis: str):
    """Function-space damage sum_{k<=n} lam_k (w_q - w)_k^2 of one B-bit quantization of the first ``n``
    coordinates of ``w`` (the n-mode model). ``dither``/``absmax`` are traced flags (one compiled
    program for both roundings and both steps); ``basis`` is static."""
    ks, ku = jax.random.split(key)
    mask = jnp.arange(w.shape[-1]) < n
    w = jnp.where(mask, w, 0.0)
    if basis == "hadamard":
        s = jax.random.rademacher(ks, w.shape, dtype=w.dtype)
        theta = _fwht_blocks(w * s, n)
    else:
        theta = w
    scale = jnp.where(absmax, jnp.max(jnp.abs(theta)), jnp.sqrt(jnp.sum(theta ** 2) / n))
    delta = 2.0 ** (1 - bits) * scale
    u = jnp.where(dither, jax.random.uniform(ku, theta.shape, minval=-0.5, maxval=0.5), 0.0)
    err = delta * jnp.round(theta / delta + u) - delta * u - theta
    err = jnp.where(mask, err, 0.0)
    e = _fwht_blocks(err, n) * s if basis == "hadamard" else err
    return jnp.sum(lam * e ** 2)


@partial(jax.jit, static_argnames=("basis",))
def _damage_grid(keys, W, lam, ns, bits, dither, absmax, *, basis):
    """(draws, len(bits), len(ns), len(W)) damages: vmap over bits, model sizes and snapshots, map over draws."""
    f = partial(_quant_damage, dither=dither, absmax=absmax, basis=basis)
    f = jax.vmap(f, in_axes=(None, 0, None, None, None))          # snapshots
    f = jax.vmap(f, in_axes=(None, None, None, 0, None))          # model sizes
    f = jax.vmap(f, in_axes=(None, None, None, None, 0))          # bits
    # draws one after another (lax.map): the vmapped intermediates stay small (cache-friendly FWHT)
    return lax.map(lambda kk: f(kk, W, lam, ns, bits), keys)


def check_quantizer(bits, rounding, step, basis) -> np.ndarray:
    bits = np.atleast_1d(np.asarray(bits, dtype=float))
    if bits.size == 0 or not np.all(np.isfinite(bits)) or np.any(bits < 1):
        raise ValueError(f"bits must be finite and >= 1, got {bits.tolist()}")
    for name, v, ok in (("rounding", rounding, ROUNDINGS), ("step", step, STEPS), ("basis", basis, BASES)):
        if v not in ok:
            raise ValueError(f"{name} must be one of {ok}, got {v!r}")
    return bits


@with_float64
def ptq_sweep(run: FlowRun, bits, Ns, *, draws: int = 16, seed: int = 0, rounding: str = "rtn",
              step: str = "rms", basis: str = "hadamard") -> np.ndarray:
    """Quantization sweep over bits x model size x training time on the snapshots of ``run``.

    A model of ``N`` modes is the first ``N`` coordinates of the trained weights: under population GD
    the modes decouple, so this IS the N-mode model trained for the same time. ``run.w`` may carry a
    seeds axis ``(seeds, T, M)``: the seeds are then folded into the draws axis (``draws`` per seed).
    One jitted function, vmapped over draws, bits, sizes (masks) and snapshots.
    Returns ``(draws', len(bits), len(Ns), T)``."""
    bits = check_quantizer(bits, rounding, step, basis)
    W = np.asarray(run.w, dtype=float)
    lam = jnp.asarray(run.lam, dtype=float)
    M = W.shape[-1]
    Ns = np.atleast_1d(np.asarray(Ns, dtype=int))
    if np.any(Ns < 2) or np.any(Ns > M):
        raise ValueError(f"model sizes must lie in [2, {M}], got {Ns.tolist()}")
    if basis == "hadamard" and (np.any(Ns & (Ns - 1)) or M & (M - 1)):
        raise ValueError(f"the Hadamard basis needs power-of-two sizes, got N = {Ns.tolist()}, M = {M}")
    if draws < 1:
        raise ValueError("draws must be >= 1")
    keys = jax.random.split(jax.random.key(seed), draws)
    dith, amax = jnp.asarray(rounding == "dither"), jnp.asarray(step == "absmax")

    def f(keys_, W_, lam_, ns_, bits_):
        return _damage_grid(keys_, W_, lam_, ns_, bits_, dith, amax, basis=basis)

    if W.ndim == 3:   # (seeds, T, M)
        out = jax.vmap(lambda w_: f(keys, w_, lam, jnp.asarray(Ns), jnp.asarray(bits)))(jnp.asarray(W))
        return np.asarray(out).reshape(-1, bits.size, Ns.size, W.shape[1])
    return np.asarray(f(keys, jnp.asarray(W), lam, jnp.asarray(Ns), jnp.asarray(bits)))


def expected_dither_damage(W: np.ndarray, lam: np.ndarray, bits, Ns, step: str = "rms") -> np.ndarray:
    """Exact mean of the dithered damage, (Delta^2/12) sum_{k<=N} lam_k, ``(len(bits), len(Ns), T)`` (eigenbasis)."""
    bits = check_quantizer(bits, "dither", step, "eigen")
    out = []
    for n in Ns:
        w = W[..., :n]
        sc2 = (w ** 2).mean(-1) if step == "rms" else np.abs(w).max(-1) ** 2
        out.append(4.0 ** (1 - bits)[:, None] * sc2[None, :] / 12 * lam[:n].sum())
    return np.stack(out, axis=1)

