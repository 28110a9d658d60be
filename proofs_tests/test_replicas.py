"""Independent replicas: seeds derived per base seed, and identical replicas refused by the checks."""

import numpy as np
import pytest

from scaling_verify.checks import Context, run_check
from scaling_verify.checks.replicas import Replicas, replica_seeds, replicated
from scaling_verify.theory.claims import REGISTRY


def test_replica_seeds_are_distinct_and_do_not_overlap_neighbouring_base_seeds():
    seeds = [replica_seeds(s, 3) for s in range(200)]
    flat = [x for t in seeds for x in t]
    assert len(set(flat)) == len(flat)
    assert replica_seeds(7, 3) == replica_seeds(7, 3)
    with pytest.raises(ValueError):
        replica_seeds(0, 1)


def test_identical_replicas_are_flagged():
    a = np.arange(6.0).reshape(3, 2)
    assert Replicas((1, 2), (a, a + 1)).independent
    same = Replicas((1, 2), (a, a.copy()))
    assert not same.independent and "does not use its seed" in same.note
    rep = replicated(lambda s: np.full((2, 2), float(s)), 5)
    assert rep.pooled.shape == (4, 2) and rep.independent


@pytest.mark.simulate
def test_time_checks_fail_when_the_simulation_ignores_its_seed(monkeypatch):
    from scaling_verify.numerics.simulate import dynamical as D

    orig = D.time_curves
    monkeypatch.setattr(D, "time_curves", lambda seed, *args, **kw: orig(0, *args, **kw))
    for cid in ("dynamical.time_exponent", "dynamical.time_prefactor"):
        res = run_check(REGISTRY.get(cid), "simulate", Context())
        assert not res.passed and "does not use its seed" in res.detail


def test_seed_sweep_tally_flags_identical_results():
    from scaling_verify.run.seeds import SeedTally

    claim = REGISTRY.get("dynamical.time_exponent")
    same = SeedTally(claim, "simulate", seeds=[0, 1, 2], details={"measured 0.49"})
    varied = SeedTally(claim, "simulate", seeds=[0, 1], details={"measured 0.49", "measured 0.48"})
    assert same.seed_insensitive and not varied.seed_insensitive
    assert not SeedTally(claim, "simulate", seeds=[0], details={"x"}).seed_insensitive
