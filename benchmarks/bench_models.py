"""Timings of the model library against its targets, in one run (``python benchmarks/bench_models.py``).

Each case runs in a fresh process (so the "cold" exponent derivation is cold, and a case that wedges cannot stall
the others), under a time limit of 3x its target:

* ``loss``, 30 digits, M = 2000, N and P finite (one point, t = inf, N = 200, P = 100, ridge 1e-3, noise 0.1):
  target 2 s; the same at finite t with P finite and N = oo (t = 10, P = 100), the two-time equivalent: 2 s;
* a 20-point finite-P curve at M = 256 (P = 32, t = 0.1..1e3): target 60 s;
* ``simulate``, exact-flow regression at M = 2048, P = 64..512, 64 draws (the four P in one call each, the
  library's vmapped path; and the nested Cholesky path of :func:`numerics.models.flow.nested_ridge_losses`): 5 s;
* ``exponent``, one regime per fresh process (t; N; P noiseless; P noisy optimal ridge; P with ridge P^-l): 5 s.
"""

from __future__ import annotations

import subprocess
import sys
import time

CASES = {
    "loss 30 digits, M=2000, N=200, P=100, t=inf, one point": (2.0, """
from scaling_verify import models
m = models.PowerLaw(2.0, 1.5, 2000)
T0 = time.perf_counter(); m.loss(float('inf'), N=200, P=100, ridge=1e-3, noise=0.1); T = time.perf_counter() - T0"""),
    "loss 30 digits, M=2000, P=100, t=10, one point": (2.0, """
from scaling_verify import models
m = models.PowerLaw(2.0, 1.5, 2000)
T0 = time.perf_counter(); m.loss(10.0, P=100); T = time.perf_counter() - T0"""),
    "finite-P curve, 20 points, M=256, 30 digits": (60.0, """
import numpy as np
from scaling_verify.numerics.precise.models import two_time as tt
lam, pw = tt.power_law_modes(256, 2.0, 1.5)
T0 = time.perf_counter(); tt.loss_points(list(np.geomspace(0.1, 1e3, 20)), lam, pw, 32); T = time.perf_counter() - T0"""),
    "simulate (vmapped), M=2048, P=64..512, 64 draws": (5.0, """
from scaling_verify import models
m = models.PowerLaw(2.0, 1.5, 2048)
m.simulate(float('inf'), P=8, draws=2)  # import and first trace outside the clock
T0 = time.perf_counter()
for P in (64, 128, 256, 512):
    m.simulate(float('inf'), P=P, draws=64)
T = time.perf_counter() - T0"""),
    "simulate (nested, lax.map), M=2048, P=64..512, 64 draws": (5.0, """
import numpy as np
from scaling_verify.numerics.models.flow import nested_ridge_losses
k = np.arange(1, 2049.0); lam = k ** -1.5; w = np.sqrt(k ** -2.0 / lam)
T0 = time.perf_counter(); nested_ridge_losses(0, lam, w, (64, 128, 256, 512), (0.0,) * 4, 64)
T = time.perf_counter() - T0"""),
    **{f"exponent {label}, cold": (5.0, f"""
from scaling_verify import models
T0 = time.perf_counter(); models.PowerLaw(2.0, 1.5, None).exponent({args}); T = time.perf_counter() - T0""")
       for label, args in (("t", "'t'"), ("N", "'N'"), ("P noiseless", "'P'"),
                           ("P noisy optimal ridge", "'P', noise=0.5"),
                           ("P ridge P^-l", "'P', noise=0.5, ridge_decay=1.0"))},
}


def run(code: str, limit: float) -> tuple[float | None, str]:
    prog = "import time\n" + code + "\nprint(f'{T:.3f}')\n"
    env_pre = "import os; os.environ.setdefault('JAX_PLATFORMS', 'cpu')\n"
    try:
        out = subprocess.run([sys.executable, "-c", env_pre + prog], capture_output=True, text=True, timeout=3 * limit)
    except subprocess.TimeoutExpired:
        return None, f"over {3 * limit:.0f} s (stopped)"
    if out.returncode != 0:
        return None, (out.stderr.strip().splitlines() or ["failed"])[-1]
    return float(out.stdout.strip().splitlines()[-1]), ""


def main() -> int:
    print(f"{'case':58s} {'seconds':>9s} {'target':>7s}  verdict")
    bad = 0
    t0 = time.perf_counter()
    for name, (target, code) in CASES.items():
        secs, why = run(code, target)
        ok = secs is not None and secs <= target
        bad += not ok
        shown = f"{secs:9.2f}" if secs is not None else f"{'-':>9s}"
        print(f"{name:58s} {shown} {target:7.1f}  {'ok' if ok else 'OVER ' + why}", flush=True)
    print(f"{len(CASES) - bad}/{len(CASES)} within target; {time.perf_counter() - t0:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
