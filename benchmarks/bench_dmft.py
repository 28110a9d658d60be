"""Benchmark: the 30-digit DMFT loss curve (numerics/precise/dmft.py), before and after.

1. one point (t = 10) at M = 2000 modes, N = 50, a = 2, b = 1.5: the mpmath reference
   (``online_loss_curve_reference``) and the fast solver on one core (``online_loss_curve``, workers=1),
   their ratio and relative difference (target < 1e-25), and the float64 Talbot curve against it;
2. the 50-point curve t in [0.1, 1e4] at M = 2000: the fast solver over ``default_workers`` processes,
   against 50 x the reference's measured point time.

``--quick``: M = 400 (reference ~4 s per point). Run as ``python benchmarks/bench_dmft.py``.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from timing import best_of  # noqa: E402


def main(argv=None):
    import mpmath as mp

    from scaling_verify.numerics.precise import dmft
    from scaling_verify.numerics.precise.models import dmft_solver as ds
    from scaling_verify.numerics.simulate.models import rf_ensemble as rfe

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--M", type=int, default=2000)
    ap.add_argument("--N", type=int, default=50)
    ap.add_argument("--points", type=int, default=50)
    ap.add_argument("--quick", action="store_true", help="M = 400")
    args = ap.parse_args(argv)
    M = 400 if args.quick else args.M
    a, b, N = 2.0, 1.5, args.N
    print(f"mpmath backend {mp.libmp.BACKEND}, {os.cpu_count()} CPUs; M={M}, N={N}, a={a}, b={b}, 30 digits")
    t_ref, ref = best_of(lambda: dmft.online_loss_curve_reference([10.0], M, a, b, N), repeat=1)
    t_new, new = best_of(lambda: dmft.online_loss_curve([10.0], M, a, b, N, workers=1), repeat=1)
    with mp.workdps(30):
        diff = abs(new[0] / ref[0] - 1)
    f64 = float(rfe.dmft_loss_curve([10.0], M, a, b, N)[0])
    print(f"1. one point t=10: reference (mpmath) {t_ref:.2f} s, fast (gmpy2, 1 core) {t_new:.2f} s -> "
          f"{t_ref / t_new:.1f}x; rel. difference {mp.nstr(diff, 3)} (target < 1e-25); "
          f"float64 curve vs 30 digits {abs(f64 / float(new[0]) - 1):.1e}")
    ts = list(np.logspace(-1, 4, args.points))
    w = ds.default_workers(len(ts), M)
    t_curve, curve = best_of(lambda: dmft.online_loss_curve(ts, M, a, b, N), repeat=1)
    est_ref = len(ts) * t_ref
    f64c = rfe.dmft_loss_curve(ts[:-5], M, a, b, N)  # the float64 curve takes R = 1 starts: wrong at late t
    dev = np.max(np.abs(f64c / np.array([float(x) for x in curve[:-5]]) - 1))
    print(f"2. {len(ts)}-point curve t in [0.1, 1e4]: fast {t_curve:.1f} s ({w} worker processes, "
          f"{t_curve / len(ts):.2f} s per point) vs reference ~{est_ref:.0f} s (50 x point) -> {est_ref / t_curve:.1f}x; "
          f"float64 curve (t <= {ts[-6]:.0f}) max rel. difference {dev:.1e}")
    return t_ref, t_new, t_curve


if __name__ == "__main__":
    main()
