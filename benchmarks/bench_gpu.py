"""GPU against CPU, in one run: the random-feature teacher ensemble, its exact solver and the
vectorised Chinchilla fit, at sizes where a GPU matters (N = 4096 features, M = 16384 modes).

    python benchmarks/bench_gpu.py [--N 4096] [--M 16384] [--teachers 128] [--steps 200]

Every figure is float64 on both devices; each line prints both times and their ratio, and the largest
relative difference between the two results. Without a GPU it says so and times the CPU only.
"""

from __future__ import annotations

import argparse

import jax
import numpy as np

from timing import best_of
from scaling_verify.numerics.simulate import float64, gpu_available
from scaling_verify.numerics.simulate.models import random_features as rf
from scaling_verify.numerics.simulate.models import rf_ensemble as rfe


def _cases(a: argparse.Namespace):
    lam, W = rfe.sign_teachers(jax.random.key(1), a.M, 2.0, 1.5, a.teachers)
    A = rf.draw_projections(jax.random.key(0), 1, a.N, a.M)
    eta = 0.5 * rf.stability_bound(A, lam)
    steps = np.arange(0, a.steps + 1, max(a.steps // 10, 1))
    yield "teacher ensemble, GD scan", lambda: rfe.gd_scan_teachers(A, lam, W, eta, a.steps, every=a.steps // 10)
    yield "teacher ensemble, exact (eigendecomposition)", lambda: rfe.gd_exact_teachers(A, lam, W, eta, steps)

    from scaling_verify.numerics.fit import fit_chinchilla

    rng = np.random.default_rng(0)
    N, D = (v.ravel() for v in np.meshgrid(np.geomspace(1e7, 1e10, 16), np.geomspace(1e9, 1e12, 15)))
    L = (1.69 + 406.4 * N ** -0.34 + 410.7 * D ** -0.28) * np.exp(rng.normal(0, 0.005, N.size))
    yield "Chinchilla fit, 240 points, 200 resamples", lambda: np.array(
        [fit_chinchilla(N, D, L, bootstrap=200, seed=0).alpha])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--N", type=int, default=4096)
    p.add_argument("--M", type=int, default=16384)
    p.add_argument("--teachers", type=int, default=128)
    p.add_argument("--steps", type=int, default=200)
    a = p.parse_args()
    devices = {"cpu": jax.devices("cpu")[0]}
    if gpu_available():
        devices["gpu"] = jax.devices("gpu")[0]
    else:
        print("no GPU visible to JAX: CPU times only")
    with float64():
        results = {}
        for name, dev in devices.items():
            with jax.default_device(dev):
                for case, fn in _cases(a):
                    fn()  # compile
                    results[(case, name)] = best_of(fn, repeat=2)
    for case in dict.fromkeys(c for c, _ in results):
        t_cpu, out_cpu = results[(case, "cpu")]
        line = f"{case:48s} CPU {t_cpu:8.3f} s"
        if "gpu" in devices:
            t_gpu, out_gpu = results[(case, "gpu")]
            diff = float(np.max(np.abs(np.asarray(out_gpu) / np.asarray(out_cpu) - 1)))
            line += f"   GPU {t_gpu:8.3f} s   GPU/CPU speed-up {t_cpu / t_gpu:6.1f}x   max rel. diff {diff:.1e}"
        print(line)


if __name__ == "__main__":
    main()
