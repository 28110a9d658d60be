"""Benchmark for the equivariance theory (run on demand: ``python benchmarks/bench_equivariance.py``).

1. The analytic ReLU NTK (depth 2) on a 1024 x 1024 pair grid against a 1024 x 1024 x 1024 matrix
   multiply, both jitted, in the same run (ratio; the kernel's first layer *is* such a product for
   d = 1024, the rest is elementwise arccos/sqrt work on 1024^2 entries).
2. Ensemble training throughput: members trained by one vmapped, scanned, jitted GD program against a
   Python loop over members calling the jitted single-member program (ratio of members per second).
"""

from __future__ import annotations

import time


import jax
import jax.numpy as jnp
import numpy as np

from scaling_verify.numerics.simulate import float64

from scaling_verify.numerics.precise.equivariance import augment, cyclic_pixel_group
from scaling_verify.numerics.simulate.models import ntk_kernels as NK


def best_of(fn, *args, repeat=5):
    jax.block_until_ready(fn(*args))  # compile + warm up
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        jax.block_until_ready(fn(*args))
        ts.append(time.perf_counter() - t0)
    return min(ts)


def kernel_vs_matmul(n=1024, depth=2):
    rng = np.random.default_rng(0)
    out = {}
    for d in (n, 16):
        X = jnp.asarray(rng.standard_normal((n, d)))
        kern = jax.jit(lambda A, B: NK.relu_kernels(A, B, depth, 2.0, 0.1)[1])
        out[d] = best_of(kern, X, X)
    A = jnp.asarray(rng.standard_normal((n, n)))
    mm = jax.jit(lambda A, B: A @ B)
    t_mm = best_of(mm, A, A)
    return out, t_mm


def ensemble_throughput(members=64, width=64, steps=50, loop_members=16):
    rng = np.random.default_rng(0)
    G = cyclic_pixel_group(4, 4)
    Xa, Ya = augment(rng.standard_normal((8, 16)), rng.standard_normal(8), G)
    Xte = rng.standard_normal((16, 16))
    keys = jax.random.split(jax.random.key(0), members)
    eta = 0.05
    t0 = time.perf_counter()
    jax.block_until_ready(NK.train_ensemble(keys, Xa, Ya, Xte, width, 2, eta, steps))
    t_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    jax.block_until_ready(NK.train_ensemble(keys, Xa, Ya, Xte, width, 2, eta, steps))
    t_vmap = time.perf_counter() - t0
    # per-member loop: the same program for one member at a time (compiled once, reused)
    jax.block_until_ready(NK.train_ensemble(keys[:1], Xa, Ya, Xte, width, 2, eta, steps))
    t0 = time.perf_counter()
    for i in range(loop_members):
        jax.block_until_ready(NK.train_ensemble(keys[i:i + 1], Xa, Ya, Xte, width, 2, eta, steps))
    t_loop = (time.perf_counter() - t0) * members / loop_members   # extrapolated to `members`
    return t_vmap, t_loop, t_first


def main():
    print(f"devices: {jax.devices()}")
    kt, t_mm = kernel_vs_matmul()
    print(f"1024x1024 matmul (1024 inner):          {t_mm * 1e3:8.2f} ms")
    for d, t in kt.items():
        print(f"analytic NTK depth 2, 1024^2 pairs, d={d:4d}: {t * 1e3:8.2f} ms   ratio to matmul {t / t_mm:6.2f}")
    members = 64
    t_vmap, t_loop, t_first = ensemble_throughput(members)
    print(f"ensemble of {members} (width 64, 50 GD steps, 32 points): vmapped {t_vmap:.3f} s "
          f"({members / t_vmap:.0f} members/s, first call with compile {t_first:.2f} s); "
          f"per-member loop (16 timed, scaled) {t_loop:.3f} s ({members / t_loop:.0f} members/s); speed-up {t_loop / t_vmap:.1f}x")


if __name__ == "__main__":
    with float64():  # the benchmarks time the float64 programs the checks run
        main()
