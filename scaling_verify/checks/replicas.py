"""Independent replicas of one stochastic measurement, and the guard that they really are independent.

A simulation's interval says how much the result would move with fresh random draws. That is only true
if the draws depend on the seed: a measurement that ignores its seed argument (a constant key left in
after debugging, a seed shadowed by a default) gives the same numbers at every seed, and a single run
cannot notice. Running the measurement as ``k`` replicas at different seeds and pooling them costs
nothing extra (the same number of draws, split), and lets the check refuse identical replicas::

    from scaling_verify.checks.replicas import replicated

    rep = replicated(lambda s: time_curves(s, a, b, N, M, draws // 2, ts), ctx.seed)
    Y = rep.pooled                         # (2 * draws // 2, ...): the replicas stacked on axis 0
    ok = ok and rep.independent            # False when two replicas are identical
    detail += rep.note

The replica seeds are derived from the base seed by :class:`numpy.random.SeedSequence`, so replica 2 of
seed ``s`` is not replica 1 of seed ``s + 1`` (seed sweeps stay independent across seeds).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

REPLICA_TAG = 0x5EED


def replica_seeds(seed: int, k: int = 2) -> tuple[int, ...]:
    """``k`` distinct 32-bit seeds for independent replicas, derived from ``(seed, REPLICA_TAG)``."""
    if k < 2:
        raise ValueError("replicas need k >= 2")
    state = np.random.SeedSequence([int(seed), REPLICA_TAG]).generate_state(k, np.uint32)
    if len(set(state.tolist())) < k:
        raise RuntimeError(f"replica seeds collide for seed {seed}")
    return tuple(int(s) for s in state)


@dataclass(frozen=True)
class Replicas:
    """The replicas of one measurement (each an array with draws on axis 0) and their pooled stack."""

    seeds: tuple[int, ...]
    parts: tuple[np.ndarray, ...]

    @property
    def pooled(self) -> np.ndarray:
        return np.concatenate(self.parts, axis=0)

    @property
    def independent(self) -> bool:
        """False when two replicas drawn at different seeds are identical (the seed does not reach the draws)."""
        return not any(np.array_equal(self.parts[i], self.parts[j])
                       for i in range(len(self.parts)) for j in range(i + 1, len(self.parts)))

    @property
    def note(self) -> str:
        """One clause for a check's detail: empty when the replicas are independent."""
        if self.independent:
            return ""
        return (f"; REJECTED: the replicas at seeds {', '.join(map(str, self.seeds))} are identical, so the "
                "simulation does not use its seed and its interval is not a sampling interval")


def replicated(measure: Callable[[int], np.ndarray], seed: int, k: int = 2) -> Replicas:
    """Run ``measure(s)`` at the ``k`` replica seeds of ``seed`` (:func:`replica_seeds`)."""
    seeds = replica_seeds(seed, k)
    return Replicas(seeds, tuple(np.asarray(measure(s)) for s in seeds))
