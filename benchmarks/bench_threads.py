"""Thread-policy benchmark (:mod:`scaling_verify.run.threads`): a numpy-heavy and a JAX-heavy computation, each in
fresh processes, with the libraries' default threads against one thread per process, alone and as two
processes at once (what two Dask workers on a 2-core machine do). Ratios are against the default-thread
run of the same case, measured in the same run.

    python benchmarks/bench_threads.py [--repeat 3]

The numpy case is many small symmetric eigendecompositions and products (the shape of exact-flow
simulations and kernel-regression checks: 64..256-sized matrices); the JAX case is a jitted, vmapped
exact gradient flow over draws (``numerics.simulate.models.random_features.kernel_flow_data``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from scaling_verify.run.threads import thread_env

NUMPY_CASE = """
import numpy as np
rng = np.random.default_rng(0)
acc = 0.0
for i in range(300):
    n = 64 + (i % 4) * 64
    A = rng.standard_normal((n, n)); S = A @ A.T / n
    w, V = np.linalg.eigh(S)
    acc += float((V * np.exp(-w)) @ V.T @ np.ones(n) @ np.ones(n))
print(acc)
"""

JAX_CASE = """
import jax, numpy as np
jax.config.update("jax_enable_x64", True)
from scaling_verify.numerics.simulate.models import random_features as rf
lam, w = rf.spectrum(512, 2.0, 1.5)
Psi, _ = rf.draw_data(jax.random.key(0), 64, 256, lam)
out = rf.kernel_flow_data(Psi, lam, w, np.array([1.0, 10.0, 100.0]))
print(float(np.asarray(out[0]).mean()))
"""


def _time(code: str, env: dict[str, str], parallel: int) -> float:
    full = {**os.environ, **env}
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", code], env=full, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for _ in range(parallel)]
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            raise SystemExit(f"benchmark case failed: {err.decode()[-500:]}")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    print(f"{cores} cores; minimum of {args.repeat} runs per figure (whole processes, imports included)")
    print(f"{'case':<8} {'processes':>9} {'default threads':>16} {'1 thread':>10} {'ratio':>7}")
    for name, code in (("numpy", NUMPY_CASE), ("jax", JAX_CASE)):
        for parallel in (1, 2):
            default = min(_time(code, {}, parallel) for _ in range(args.repeat))
            single = min(_time(code, thread_env(1), parallel) for _ in range(args.repeat))
            print(f"{name:<8} {parallel:>9} {default:>15.2f}s {single:>9.2f}s {default / single:>6.2f}x")


if __name__ == "__main__":
    main()
