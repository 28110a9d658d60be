"""A small subset of our own mutation run (``benchmarks/mutants.py``), as a slow test.

* every mutant still applies (its ``old`` text occurs exactly once): a stale mutant means the code moved and the
  mutant must be rewritten from the current code;
* the two sentinels crash verify (the mutated copy, not the installed package, is what runs);
* two cheap science bugs are killed by the claims' own checks: the Zipf convention trap in the quanta derivation
  (symbolic) and the Hurwitz offset in the exact quanta tail (precise).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "mutants.py"


def _load():
    spec = importlib.util.spec_from_file_location("sv_benchmark_mutants", _PATH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(mod)
    return mod


def test_every_mutant_applies_exactly_once():
    mut = _load()
    stale = {m.name: why for m in mut.MUTANTS if (why := mut.applicability(m, mut.REPO))}
    assert not stale, f"stale mutants (rewrite 'old' from the current code): {stale}"
    assert len({m.name for m in mut.MUTANTS}) == len(mut.MUTANTS)
    assert sum(m.layer not in ("sentinel", "fitter") for m in mut.MUTANTS) >= 25


def test_small_mutation_run(tmp_path):
    mut = _load()
    names = ("sentinel_theory", "sentinel_numerics", "quanta_zipf_convention", "prec_quanta_hurwitz_offset")
    picked = [m for m in mut.MUTANTS if m.name in names]
    outs = mut.execute(picked, jobs=2, baseline=False, run_dir=tmp_path / "run", echo=lambda *_: None)
    got = {o.mutant.name: o.result for o in outs}
    assert got == {n: "verify" for n in names}, got
