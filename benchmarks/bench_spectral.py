"""Benchmark of the spectral compression sweeps (run on demand: ``python benchmarks/bench_spectral.py [--quick]``).

The JAX pipeline of numerics/simulate/spectral.py against a straightforward NumPy loop doing the same
computation, same sizes, same random draws, results asserted equal; speed ratios measured in the same
run and printed (no timing is asserted anywhere in the tests):

1. training: population GD under the generalized flow, ``lax.scan`` over steps (``_gd_run``), against a
   NumPy loop over steps;
2. PTQ sweep: bits x model size x training time x draws, ``jit`` + ``vmap`` over bits, sizes (masks) and
   snapshots, ``lax.map`` over draws (``ptq_sweep``): round-to-nearest in a random Hadamard basis (FWHT)
   and subtractive dither in the eigenbasis, against NumPy loops over draws, bits, sizes and snapshots;
3. pruning sweep: ``vmap`` over kept modes K and snapshots (``pruning_sweep``) against a NumPy loop.

Timings are best-of-``repeat`` after a warm-up call (compilation reported separately).
"""

from __future__ import annotations

import argparse
import math
import platform
import time


import jax
import jax.numpy as jnp
import numpy as np

from scaling_verify.numerics.simulate import float64

from scaling_verify.numerics.simulate.models import compression_fits as fits
from scaling_verify.numerics.simulate.models import prune, quantize
from scaling_verify.numerics.simulate.models import spectral_flow as flow
from scaling_verify.numerics.simulate.models import spectral_studies as studies
from timing import best_of

A, B, RHO = 2.2, 3.0, 10 / 7


def _timed_first(fn):
    t0 = time.perf_counter()
    out = fn()
    jax.block_until_ready(out)
    return time.perf_counter() - t0, out


# ----------------------------------------------------------------------------- NumPy references


def np_gd(M, steps, rec, eta=0.5):
    p, _ = flow.g_exponents(RHO)
    k = np.arange(1, M + 1, dtype=float)
    lam, ws = k ** (-B), k ** ((B - A) / 2)
    prec = lam ** (p - 1)
    w = np.zeros(M)
    snaps, j = np.zeros((len(rec), M)), 0
    for s in range(steps):
        w = w - eta * prec * lam * (w - ws)
        if j < len(rec) and s + 1 == rec[j]:
            snaps[j] = w
            j += 1
    return snaps


def np_fwht(x):
    x = x.copy()
    n, h = x.size, 1
    while h < n:
        y = x.reshape(n // (2 * h), 2, h)
        x = np.stack([y[:, 0] + y[:, 1], y[:, 0] - y[:, 1]], axis=1).reshape(n)
        h *= 2
    return x / math.sqrt(n)


def _draws(seed, draws, M):
    """The same signs and dither offsets as ptq_sweep (per draw key: split into signs and uniforms)."""
    keys = jax.random.split(jax.random.key(seed), draws)
    out = []
    for kk in keys:
        ks, ku = jax.random.split(kk)
        out.append((np.asarray(jax.random.rademacher(ks, (M,), dtype=jnp.float64)),
                    np.asarray(jax.random.uniform(ku, (M,), minval=-0.5, maxval=0.5))))
    return out


def np_ptq(W, lam, bits, Ns, draws, rounding, basis):
    out = np.zeros((len(draws), len(bits), len(Ns), W.shape[0]))
    for d, (s_full, u_full) in enumerate(draws):
        for i, Bq in enumerate(bits):
            for j, n in enumerate(Ns):
                s, u = s_full[:n], u_full[:n]
                for ti in range(W.shape[0]):
                    w = W[ti, :n]
                    theta = np_fwht(w * s) if basis == "hadamard" else w
                    delta = 2.0 ** (1 - Bq) * math.sqrt(np.sum(theta ** 2) / n)
                    if rounding == "dither":
                        err = delta * np.round(theta / delta + u) - delta * u - theta
                    else:
                        err = delta * np.round(theta / delta) - theta
                    e = np_fwht(err) * s if basis == "hadamard" else err
                    out[d, i, j, ti] = np.sum(lam[:n] * e ** 2)
    return out


def np_prune(W, ws, lam, Ks):
    out = np.zeros((len(Ks), W.shape[0]))
    for i, K in enumerate(Ks):
        for ti in range(W.shape[0]):
            w = W[ti].copy()
            w[K:] = 0.0
            out[i, ti] = np.sum(lam * (w - ws) ** 2)
    return out


# ----------------------------------------------------------------------------- main


def main(quick: bool) -> None:
    M = 4096
    steps = 20000 if quick else 100000
    repeat = 2 if quick else 3
    rec = flow.record_times(steps, 16, 10)
    p, _ = flow.g_exponents(RHO)
    print(f"spectral compression benchmark | {platform.processor() or platform.machine()} | "
          f"JAX {jax.__version__} on {jax.devices()[0].platform} | float64 | M = {M} modes")

    # 1. training
    jax_train = lambda: flow.gd_scan(A, B, p, 0.5, jnp.asarray(rec), M=M, steps=steps)  # noqa: E731
    c_train, _ = _timed_first(jax_train)
    t_jax, Wj = best_of(jax_train, repeat)
    t_np, Wn = best_of(lambda: np_gd(M, steps, rec), 1)
    np.testing.assert_allclose(np.asarray(Wj), Wn, rtol=1e-9, atol=1e-12)
    print(f"1. GD training, {steps} steps, lax.scan: JAX {t_jax:.3f} s (first call {c_train:.2f} s incl. compile), "
          f"NumPy loop {t_np:.3f} s -> ratio {t_np / t_jax:.1f}x; results agree (rtol 1e-9)")

    # 2. PTQ sweeps on the snapshots in the quantization window
    run = {"t": rec.astype(float), "w": np.asarray(Wj), "lam": np.arange(1, M + 1.0) ** (-B)}
    run = run.window((100.0, 1e4), every=2)
    Ns, draws = (512, 1024, 2048, 4096), (4 if quick else 8)
    for rounding, basis, bits in (("rtn", "hadamard", np.arange(8.0, 14.0)), ("dither", "eigen", np.arange(2.0, 8.0))):
        f = lambda: quantize.ptq_sweep(run, bits, Ns, draws=draws, seed=1, rounding=rounding, basis=basis)  # noqa: E731
        c_q, _ = _timed_first(f)
        t_q, Dj = best_of(f, repeat)
        dr = _draws(1, draws, M)
        t_qn, Dn = best_of(lambda: np_ptq(run.w, run.lam, bits, Ns, dr, rounding, basis), 1)
        np.testing.assert_allclose(Dj, Dn, rtol=1e-8)
        n_cases = Dj.size
        print(f"2. PTQ sweep {rounding}/{basis}: {n_cases} (draw, bits, N, t) cases: JAX {t_q:.3f} s "
              f"(first call {c_q:.2f} s), NumPy loop {t_qn:.3f} s -> ratio {t_qn / t_q:.1f}x; results agree (rtol 1e-8)")

    # 3. pruning sweep
    full = {"t": rec.astype(float), "w": np.asarray(Wj), "wstar": np.arange(1, M + 1.0) ** ((B - A) / 2),
            "lam": np.arange(1, M + 1.0) ** (-B), "a": A}
    dens = prune.DENSITIES
    f = lambda: prune.pruning_sweep(full, dens, prune.PRUNE_NS)["L"]  # noqa: E731
    c_p, _ = _timed_first(f)
    t_p, Lj = best_of(f, repeat)
    dd, nn = np.meshgrid(dens, prune.PRUNE_NS, indexing="ij")
    Ks = np.maximum(1, np.round(dd * nn)).astype(int).ravel()
    from scipy import special

    t_pn, Ln = best_of(lambda: np_prune(full.w, full.wstar, full.lam, Ks) + special.zeta(A, M + 1), 1)
    np.testing.assert_allclose(Lj, Ln.ravel(), rtol=1e-10)
    print(f"3. pruning sweep, {Ks.size} K x {len(rec)} t: JAX {t_p:.4f} s (first call {c_p:.2f} s), "
          f"NumPy loop {t_pn:.4f} s -> ratio {t_pn / t_p:.1f}x; results agree (rtol 1e-10)")
    print("ratios are measured in this run; on a shared machine they vary with the background load")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps and draws (< 1 min)")
    with float64():  # the benchmarks time the float64 programs the checks run
        main(ap.parse_args().quick)
