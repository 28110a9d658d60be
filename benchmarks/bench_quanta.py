"""Training throughput of the multitask-sparse-parity trainer: jit + vmap + lax.scan vs the same JAX step
called op by op from a Python loop (no jit, no vmap, no scan), measured in the same run.

    python benchmarks/bench_quanta.py [--steps 400] [--seeds 8] [--loop-steps 20]

Throughput = training samples processed per second (seeds x steps x batch / wall time). The jitted
figure excludes compilation (reported separately); the loop reference runs one seed for a few steps
(each op dispatches separately, so its rate does not depend on the step count).
"""

from __future__ import annotations

import argparse
import time


import jax
import jax.numpy as jnp
import numpy as np

from scaling_verify.numerics.simulate import float64

from scaling_verify.numerics.simulate.quanta import QUICK
from scaling_verify.numerics.simulate.models.sparse_parity import ParityConfig, build_trainer, make_subsets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--loop-steps", type=int, default=20)
    ap.add_argument("--width", type=int, default=QUICK.width)
    ap.add_argument("--batch", type=int, default=QUICK.batch)
    args = ap.parse_args()
    base = {**QUICK.__dict__, "width": args.width, "batch": args.batch}
    cfg = ParityConfig(**{**base, "steps": args.steps, "log_every": 25 if args.steps % 25 == 0 else args.steps,
                          "seeds": args.seeds})
    subs = jnp.asarray(np.stack([make_subsets(cfg.n_tasks, cfg.n_bits, cfg.k, i) for i in range(cfg.seeds)]))
    seeds = jnp.arange(cfg.seeds, dtype=jnp.uint32)
    mask = jnp.ones((1, cfg.width), jnp.dtype(cfg.dtype))

    fast = build_trainer(cfg)
    t0 = time.perf_counter()
    compiled = fast.lower(seeds, mask, subs).compile()
    t_compile = time.perf_counter() - t0
    jax.block_until_ready(compiled(seeds, mask, subs))  # warm
    t0 = time.perf_counter()
    jax.block_until_ready(compiled(seeds, mask, subs))
    t_fast = time.perf_counter() - t0
    rate_fast = cfg.seeds * cfg.steps * cfg.batch / t_fast

    lcfg = ParityConfig(**{**base, "steps": args.loop_steps, "log_every": args.loop_steps, "seeds": 1})
    slow = build_trainer(lcfg, jit=False, batched=False)
    with jax.disable_jit():
        jax.block_until_ready(slow(seeds[0], mask[0], subs[0]))  # warm op caches
        t0 = time.perf_counter()
        jax.block_until_ready(slow(seeds[0], mask[0], subs[0]))
        t_slow = time.perf_counter() - t0
    rate_slow = lcfg.steps * lcfg.batch / t_slow

    dev = jax.devices()[0]
    print(f"device: {dev.platform} ({dev.device_kind}); width {cfg.width}, batch {cfg.batch}, "
          f"{cfg.n_tasks} subtasks, n = {cfg.n_bits}, k = {cfg.k}")
    print(f"jit+vmap+scan : {cfg.seeds} seeds x {cfg.steps} steps in {t_fast:.3f} s -> {rate_fast:,.0f} samples/s "
          f"(compile {t_compile:.1f} s)")
    print(f"python loop   : 1 seed x {lcfg.steps} steps in {t_slow:.3f} s -> {rate_slow:,.0f} samples/s")
    print(f"speed-up      : {rate_fast / rate_slow:.1f}x")


if __name__ == "__main__":
    with float64():  # the benchmarks time the float64 programs the checks run
        main()
