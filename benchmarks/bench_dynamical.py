"""Benchmark of the dynamical-model simulation (run on demand: ``python benchmarks/bench_dynamical.py``).

Measured in one run, on whatever device JAX sees (CPU, or GPU when present):

1. JAX ensemble gradient descent (``lax.scan`` over steps, ``vmap`` over E models) against a
   straightforward NumPy loop over models and steps, same sizes and same results: (a) the usual
   reference code, which computes the gradient through the features each step, O(N M); (b) a NumPy
   loop with the same precomputed N x N system as the JAX code, O(N^2) per step.
2. Throughput of the JAX stepping (2 N^2 flops per model-step) as a fraction of the float64
   matrix-multiply rate measured in the same run.
3. The exact eigendecomposition solver against stepping, at T = 1e5 steps.
4. The DMFT loss curve (mpmath, 30 digits): seconds per point at M modes.
"""

from __future__ import annotations

import argparse
import time

import numerics.simulate  # noqa: F401

import jax
import jax.numpy as jnp
import numpy as np

from numerics.simulate import random_features as rf


def _time(fn, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        jax.block_until_ready(out) if not isinstance(out, np.ndarray) else None
        best = min(best, time.perf_counter() - t0)
    return best, out


def numpy_reference(A, lam, w, eta, steps, through_features=True):
    """The usual reference loop: for each model, for each step, the gradient of the ½-loss."""
    A, lam, w = (np.asarray(v) for v in (A, lam, w))
    out = []
    for Am in A:
        N = Am.shape[0]
        wv = np.zeros(N)
        if through_features:
            for _ in range(steps):
                theta = Am.T @ wv / np.sqrt(N)
                wv = wv - eta * (Am @ (lam * (theta - w))) / np.sqrt(N)
        else:
            G = (Am * lam) @ Am.T / N
            c = (Am * lam) @ w / np.sqrt(N)
            for _ in range(steps):
                wv = wv - eta * (G @ wv - c)
        v = w - Am.T @ wv / np.sqrt(N)
        out.append(np.sum(lam * v * v))
    return np.array(out)


def matmul_rate(n=1024):
    x = jax.random.normal(jax.random.key(0), (n, n), dtype=jnp.float64)
    f = jax.jit(lambda u: u @ u)
    jax.block_until_ready(f(x))
    sec, _ = _time(lambda: f(x), 5)
    return 2 * n ** 3 / sec


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--E", type=int, default=8)
    ap.add_argument("--N", type=int, default=128)
    ap.add_argument("--M", type=int, default=1024)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--dmft", action="store_true", help="also time the 30-digit DMFT curve")
    args = ap.parse_args(argv)
    print(f"device: {jax.devices()[0].platform}, E={args.E} N={args.N} M={args.M} steps={args.steps}")
    lam, w = rf.spectrum(args.M, 2.0, 1.5)
    A = rf.draw_projections(jax.random.key(0), args.E, args.N, args.M)
    eta = 0.5 * rf.stability_bound(A, lam)
    jax.block_until_ready(rf.gd_scan(A, lam, w, eta, args.steps, every=args.steps, check=False))  # compile
    t_jax, L_jax = _time(lambda: rf.gd_scan(A, lam, w, eta, args.steps, every=args.steps, check=False))
    L_jax = np.asarray(L_jax)[:, -1]
    t_ref, L_ref = _time(lambda: numpy_reference(A, lam, w, eta, args.steps, True), 1)
    t_ref2, L_ref2 = _time(lambda: numpy_reference(A, lam, w, eta, args.steps, False), 1)
    print(f"1. JAX ensemble stepping: {t_jax:.4f} s; NumPy loop through features: {t_ref:.3f} s "
          f"(ratio {t_ref / t_jax:.1f}x); NumPy loop with the N x N system: {t_ref2:.3f} s (ratio {t_ref2 / t_jax:.1f}x); "
          f"max rel. difference {max(np.max(np.abs(L_ref / L_jax - 1)), np.max(np.abs(L_ref2 / L_jax - 1))):.1e}")
    rate = matmul_rate()
    flops = 2 * args.N ** 2 * args.steps * args.E
    print(f"2. float64 matmul rate {rate / 1e9:.2f} GFLOP/s; JAX stepping {flops / t_jax / 1e9:.2f} GFLOP/s "
          f"= {100 * flops / t_jax / rate:.1f} % of it (matrix-vector steps are memory-bound)")
    T = 100_000
    steps = np.array([T])
    jax.block_until_ready(rf.gd_exact(A, lam, w, eta, steps, check=False))
    t_ex, L_ex = _time(lambda: rf.gd_exact(A, lam, w, eta, steps, check=False))
    jax.block_until_ready(rf.gd_scan(A, lam, w, eta, T, every=T, check=False))
    t_st, L_st = _time(lambda: rf.gd_scan(A, lam, w, eta, T, every=T, check=False), 1)
    diff = np.max(np.abs(np.asarray(L_st)[:, -1] / np.asarray(L_ex)[:, 0] - 1))
    print(f"3. T=1e5 steps: exact solver {t_ex:.4f} s, stepping {t_st:.3f} s (ratio {t_st / t_ex:.0f}x), "
          f"max rel. difference {diff:.1e}")
    if args.dmft:
        from numerics.precise import dmft
        for M in (200, 2000):
            t0 = time.perf_counter()
            dmft.online_loss_curve([10.0], M, 2.0, 1.5, 50)
            print(f"4. DMFT (30 digits) M={M}: {time.perf_counter() - t0:.2f} s per curve point")


if __name__ == "__main__":
    main()
