"""Scale-out benchmark: ``verify`` serially, on an embedded Dask cluster, from the cache, and a seed
sweep, for one theory; every figure from the same run, ratios against the serial run.

    python benchmarks/bench_scale.py [--theory quanta] [--level all] [--full] [--workers 2] [--seeds 0-3]

Each measurement is a whole ``scaling-verify verify`` process (start-up and JAX compilation
included), as CI sees it. The reports of the serial, Dask and cached runs are compared for identity
(timings aside).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scaling_verify.run.seeds import parse_seeds  # noqa: E402

SV = str(Path(sys.executable).parent / "scaling-verify")


def _run(args: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([SV, *args], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return seconds


def _claims(folder: Path) -> list:
    rep = json.loads((folder / "report.json").read_text())
    for c in rep["claims"]:
        for chk in c["checks"].values():
            chk.pop("seconds")
    return rep["claims"]


def _same(a: list, b: list, rtol: float = 1e-12) -> tuple[bool, bool]:
    """(verdicts and details identical, every number equal to ``rtol``): a looser test than bit identity,
    for a run whose thread settings differ (``XLA_FLAGS`` or ``SCALING_VERIFY_THREADS`` set by hand)."""
    def numbers(x):
        if isinstance(x, dict):
            return [v for k in sorted(x) for v in numbers(x[k])]
        if isinstance(x, list):
            return [v for y in x for v in numbers(y)]
        return [x] if isinstance(x, float) else []
    text = all(ca["verdict"] == cb["verdict"] and all(ca["checks"][lv]["detail"] == cb["checks"][lv]["detail"]
                                                      for lv in ca["checks"]) for ca, cb in zip(a, b))
    na, nb = numbers(a), numbers(b)
    close = len(na) == len(nb) and all(abs(x - y) <= rtol * max(abs(x), abs(y), 1e-300) for x, y in zip(na, nb))
    return text and len(a) == len(b), close


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--theory", default="quanta")
    p.add_argument("--level", default="all")
    p.add_argument("--full", action="store_true", help="full sizes (default quick)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seeds", default="0-3")
    a = p.parse_args()
    base = ["verify", "--theory", a.theory, "--level", a.level, "--allow-unchecked"] + (["--full"] if a.full else [])
    with tempfile.TemporaryDirectory() as tmp:
        w = Path(tmp)
        serial = _run(base + ["--report", "serial"], w)
        dask = _run(base + ["--report", "dask", "--workers", str(a.workers)], w)
        fill = _run(base + ["--report", "fill", "--cache", "cache"], w)
        cached = _run(base + ["--report", "cached", "--cache", "cache"], w)
        n = len(parse_seeds(a.seeds))
        sweep_1 = _run(base + ["--seeds", a.seeds, "--no-report"], w)
        sweep_w = _run(base + ["--seeds", a.seeds, "--no-report", "--workers", str(a.workers)], w)
        serial_claims = _claims(w / "serial")
        bits = {name: serial_claims == _claims(w / name) for name in ("fill", "cached", "dask")}
        text, close = _same(serial_claims, _claims(w / "dask"))
    size = "full" if a.full else "quick"
    print(f"verify --theory {a.theory} --level {a.level} ({size} sizes), whole processes:")
    print(f"  serial                     {serial:7.1f} s   1.00x")
    print(f"  --workers {a.workers} (Dask)          {dask:7.1f} s   {serial / dask:.2f}x")
    print(f"  --cache, first run          {fill:7.1f} s   {serial / fill:.2f}x")
    print(f"  --cache, unchanged rerun    {cached:7.1f} s   {serial / cached:.2f}x")
    print(f"  --seeds {a.seeds} ({n} seeds), serial     {sweep_1:7.1f} s")
    print(f"  --seeds {a.seeds}, --workers {a.workers}       {sweep_w:7.1f} s   {sweep_1 / sweep_w:.2f}x")
    print(f"  reports bit-identical to the serial run: {bits}")
    print(f"  Dask run: verdicts and details identical {text}; every number within 1e-12 relative {close}")


if __name__ == "__main__":
    main()
