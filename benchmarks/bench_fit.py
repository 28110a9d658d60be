"""Benchmark of the Chinchilla fit: vectorised JAX optimiser vs the scipy reference, in the same run.

Hoffmann et al.'s procedure (arXiv 2203.15556, App. D.2) on 240 synthetic points (16 model sizes x
15 data sizes, 2% log-normal noise around their Eq. 10): rank the 4500-point start grid, L-BFGS from
the best 250 (the reference's default) or from all 4500, then 200 bootstrap resamples. Prints wall
times (cold = first call in the process, compile included; warm = best of 3; the reference: best of
2), speed-ups against the reference measured here, the relative difference of the optima (objective
and parameters), the load average at the start (the reference's time grows sharply on a busy machine:
time it idle), and a summary line for the same fit as the reference (best 250 starts, no bootstrap).

    python benchmarks/bench_fit.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import best_of  # noqa: E402

from scaling_verify.numerics.fitting.chinchilla import fit_chinchilla  # noqa: E402
from scaling_verify.numerics.fitting.reference import fit_chinchilla_reference  # noqa: E402

HOFFMANN = {"E": 1.69337368, "A": 406.401018, "B": 410.722827, "alpha": 0.33917084, "beta": 0.2849083}


def data(noise: float = 0.02, seed: int = 0):
    rng = np.random.default_rng(seed)
    N, D = np.geomspace(4e7, 1.6e10, 16), np.geomspace(5e9, 1e12, 15)
    NN, DD = (v.ravel() for v in np.meshgrid(N, D))
    h = HOFFMANN
    L = (h["E"] + h["A"] * NN ** -h["alpha"] + h["B"] * DD ** -h["beta"]) * np.exp(rng.normal(0, noise, NN.size))
    return NN, DD, L


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _param_diff(a, b) -> float:
    """Largest relative difference of the five parameters of two fits."""
    pa, pb = a.params(), b.params()
    return max(abs(pa[k] - pb[k]) / abs(pb[k]) for k in pb)


def main() -> None:
    import os

    N, D, L = data()
    print(f"Chinchilla fit, {N.size} points, 4500-point start grid; load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs")
    t_ref, ref = best_of(lambda: fit_chinchilla_reference(N, D, L, bootstrap=0, n_starts=250), repeat=2)
    print(f"reference (scipy L-BFGS-B loop), best 250 starts, no bootstrap: {t_ref:8.2f} s (best of 2)  "
          f"objective {ref.objective:.17g}")

    cases = [("JAX, best 250 starts, no bootstrap", dict(bootstrap=0, n_starts=250)),
             ("JAX, all 4500 starts + 200 bootstrap", dict(bootstrap=200, n_starts=None)),
             ("JAX, best 250 starts + 200 bootstrap", dict(bootstrap=200, n_starts=250))]
    same = None
    for label, kw in cases:
        cold, res = timed(lambda: fit_chinchilla(N, D, L, **kw))
        warm, res = best_of(lambda: fit_chinchilla(N, D, L, **kw), repeat=3)
        rel = abs(res.objective - ref.objective) / ref.objective
        print(f"{label:<40} cold {cold:6.2f} s  warm {warm:6.3f} s  "
              f"speed-up vs reference x{t_ref / cold:6.1f} cold, x{t_ref / warm:7.1f} warm  "
              f"objective rel. diff {rel:.1e}  max param rel. diff {_param_diff(res, ref):.1e}")
        if same is None:
            same = (warm, rel, _param_diff(res, ref))
    warm, rel, dp = same
    print(f"\nSAME FIT (best 250 starts, no bootstrap): JAX warm {warm:.3f} s, reference {t_ref:.2f} s (same run), "
          f"speed-up x{t_ref / warm:.1f}; objective rel. diff {rel:.1e}, max parameter rel. diff {dp:.1e}")
    print("(the reference bootstrap refits 9 starts per resample one at a time; at this size 200 resamples "
          "take minutes, so it is not timed here)")


if __name__ == "__main__":
    main()
