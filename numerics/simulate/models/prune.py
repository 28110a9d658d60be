"""Top-K pruning of trained spectral-model weights: the pruned loss, the critical K at which pruning
doubles the loss, the density x size x time sweep that Frantar et al.'s sparsity law is fitted to, and
the three phases of the pruned loss (plateau, power law, collapse).

A model of ``N`` modes is the first ``N`` coordinates of the population-GD weights (the modes decouple),
so model sizes are prefixes and pruning keeps the top-K modes of a prefix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from scipy import special

from scaling_verify.numerics.simulate import with_float64
from scaling_verify.numerics.simulate.models.spectral_flow import FlowRun


@dataclass(frozen=True, eq=False)
class PruningSweep:
    """Flat arrays over (density, size, time): sparsity ``S = 1 - K/N``, non-zero modes ``N_nz = K``,
    dense size ``N``, time ``t`` (data, D proportional to t) and the pruned loss ``L``."""

    S: np.ndarray
    N_nz: np.ndarray
    N: np.ndarray
    t: np.ndarray
    L: np.ndarray


@dataclass(frozen=True, eq=False)
class PruningPhases:
    """The three phases of the pruned loss L(K) at one time: local K-slopes deep in the plateau
    (K = M/4) and in the power-law range (K = k*/8), the collapse ratio L(K=1)/L(untrained), and the curve."""

    k_star: float
    plateau_slope: float
    powerlaw_slope: float
    collapse_ratio: float
    K: np.ndarray
    L: np.ndarray

def pruned_losses(run: FlowRun, Ks: np.ndarray) -> np.ndarray:
    """``(len(t), len(K))`` loss after keeping the top-``K`` modes (the rest set to 0)."""
    w, ws, lam = run.w, run.wstar, run.lam
    err_kept = np.cumsum(lam * (w - ws) ** 2, axis=-1)           # sum_{k<=K} lam e_k^2
    pruned = np.cumsum((lam * ws ** 2)[::-1])[::-1]               # sum_{k>=K} lam w*^2
    pruned = np.append(pruned, 0.0)
    idx = np.asarray(Ks, int)
    return err_kept[:, idx - 1] + pruned[idx][None, :]


def critical_K(run: FlowRun, factor: float = 2.0) -> np.ndarray:
    """``K_c(t)``: the ``K`` at which pruning multiplies the loss by ``factor`` (log-log interpolation)."""
    M = run.w.shape[-1]
    Ks = np.arange(1, M + 1)
    Lp = pruned_losses(run, Ks)
    L = Lp[:, -1]
    out = []
    for i in range(Lp.shape[0]):
        r = Lp[i] / L[i]
        j = int(np.nonzero(r <= factor)[0][0])
        if j == 0:
            out.append(1.0)
            continue
        f = (math.log(factor) - math.log(r[j - 1])) / (math.log(r[j]) - math.log(r[j - 1]))
        out.append(math.exp(math.log(Ks[j - 1]) + f * (math.log(Ks[j]) - math.log(Ks[j - 1]))))
    return np.array(out)


DENSITIES = 2.0 ** -np.arange(0, 6.25, 0.5)   # d = K/N from 1 to 1/64, half-octave steps


PRUNE_NS = (512, 1024, 2048, 4096)




@jax.jit
def _pruned_grid(W, wstar, lam, Ks):
    """(len(Ks), T) population loss after keeping the top-K modes of each snapshot: per snapshot the
    prefix sums of lam (w - w*)^2 (kept) and suffix sums of lam w*^2 (pruned), then vmap over K and t."""
    kept = jnp.cumsum(lam * (W - wstar) ** 2, axis=-1)                       # (T, M): sum_{k<=K}
    pruned = jnp.concatenate([jnp.cumsum((lam * wstar ** 2)[::-1])[::-1], jnp.zeros(1)])  # sum_{k>K} at [K]

    def one(kept_t, K):
        return kept_t[K - 1] + pruned[K]

    return jax.vmap(jax.vmap(one, in_axes=(0, None)), in_axes=(None, 0))(kept, Ks)


@with_float64
def pruning_sweep(run: FlowRun, densities=DENSITIES, Ns=PRUNE_NS) -> PruningSweep:
    """Top-K pruning of the N-mode models (first N coordinates of the GD weights, see ``ptq_sweep``) at
    densities d = K/N, over the snapshots of ``run``. The loss counts every mode of the world (k <= M):
    modes in (K, N] were pruned, modes beyond N were never representable (including those beyond M).
    Returns flat arrays ``S`` (sparsity 1 - d), ``N_nz`` (= K), ``N`` (dense size), ``t`` and ``L``."""
    d = np.atleast_1d(np.asarray(densities, dtype=float))
    if d.size == 0 or not np.all(np.isfinite(d)) or np.any(d <= 0) or np.any(d > 1):
        raise ValueError(f"densities must lie in (0, 1], got {d.tolist()}")
    M = run.w.shape[-1]
    Ns = np.atleast_1d(np.asarray(Ns, dtype=int))
    if np.any(Ns < 1) or np.any(Ns > M):
        raise ValueError(f"model sizes must lie in [1, {M}], got {Ns.tolist()}")
    dd, nn = np.meshgrid(d, Ns, indexing="ij")
    K = np.maximum(1, np.round(dd * nn)).astype(int).ravel()
    L = np.asarray(_pruned_grid(jnp.asarray(run.w), jnp.asarray(run.wstar), jnp.asarray(run.lam),
                                jnp.asarray(K)))                       # (len(K), T)
    # modes beyond the largest model are never learned by any of the N-mode models: their target power
    # sum_{k>M} k^{-a} (Hurwitz zeta) belongs to every pruned loss (an infinite world, so c = 0)
    L = L + float(special.zeta(run.a, M + 1))
    T = run.t.size
    return PruningSweep(S=np.repeat(1 - K / nn.ravel(), T), N_nz=np.repeat(K, T).astype(float),
                        N=np.repeat(nn.ravel(), T).astype(float), t=np.tile(run.t, K.size), L=L.ravel())


def pruning_phases(run: FlowRun) -> PruningPhases:
    """The three phases at the last snapshot: local K-slope of the pruned loss deep in the plateau
    (K = M/4 .. M/2), in the power-law range (K = k*/8 .. k*/4) and the collapse ratio L_pr(K=1)/L(untrained)."""
    L = pruned_losses(run, np.arange(1, run.w.shape[-1] + 1))[-1]
    untrained = float((run.lam * run.wstar ** 2).sum())
    kstar = float((run.eta * run.t[-1]) ** (1 / (run.b * run.p)))
    K = np.arange(1, L.size + 1)

    def slope(k0):
        i = int(round(k0))
        return float(-math.log(L[2 * i - 1] / L[i - 1]) / math.log(2))

    return PruningPhases(k_star=kstar, plateau_slope=slope(L.size // 4), powerlaw_slope=slope(max(2.0, kstar / 8)),
                         collapse_ratio=float(L[0] / untrained), K=K, L=L)

