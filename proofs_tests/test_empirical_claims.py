"""Claims about the world: a published fit as a claim whose verdict is reproduced, refuted or not reproducible.

The claims' laws are written in SymPy on the theory side and must equal the fitting lab's forms that the checks
refit; their printed values must equal the published records the checks judge."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import scaling_verify as sv
from scaling_verify.numerics.empirical.data_constrained import RECORDS as DATABLATIONS
from scaling_verify.numerics.fitting import published
from scaling_verify.numerics.fitting.reproduce import form_for
from scaling_verify.theory import chinchilla_replication as replication
from scaling_verify.theory.claims import REGISTRY

RECORDS = {**DATABLATIONS, **{f"{replication.THEORY}.{k}": v for k, v in replication.RECORDS.items()}}


@pytest.mark.parametrize("claim_id", sorted(RECORDS))
def test_each_claim_is_its_published_record(claim_id):
    claim, rec = REGISTRY.get(claim_id), published.record(RECORDS[claim_id])
    assert dict(claim.params) == pytest.approx(dict(rec.parameters), rel=1e-15)
    form = form_for(rec)
    lab = sp.lambdify(form.column_symbols + form.param_symbols, form.substituted(), "numpy")
    cols = [s for s in claim.symbols if s.name in form.columns]
    ours = sp.lambdify(cols + [s for s in claim.symbols if s not in cols], claim.expr, "numpy")
    rng = np.random.default_rng(0)
    x = {"N": 10 ** rng.uniform(7, 10, 50), "D": 10 ** rng.uniform(8, 11, 50)}
    x["U"] = x["D"] * 10 ** rng.uniform(-1.5, 0.5, 50)  # below and above one epoch
    p = dict(rec.parameters)
    a = lab(*(x[c] for c in form.columns), *(p[s.name] for s in form.param_symbols))
    b = ours(*(x[s.name] for s in cols), *(p[s.name] for s in claim.symbols if s not in cols))
    assert np.allclose(a, b, rtol=1e-12)


def test_the_outcome_states_whether_the_claim_holds():
    from scaling_verify.theory.published_fits import chinchilla_law, published_claim

    printed = {"E": 1.7, "A": 400.0, "B": 400.0, "alpha": 0.34, "beta": 0.28}
    ok = published_claim("world.fit", chinchilla_law(), printed, statement="s", source="x", outcome="reproduced")
    assert ok.holds and ok.power.rates == ("alpha", "beta")
    with pytest.raises(ValueError, match="evidence"):
        published_claim("world.fit", chinchilla_law(), printed, statement="s", source="x", outcome="refuted")
    with pytest.raises(ValueError, match="outcome"):
        published_claim("world.fit", chinchilla_law(), printed, statement="s", source="x", outcome="maybe")
    with pytest.raises(ValueError, match="holds exactly"):
        sv.Claim(id="world.x", theory="world", quantity="q", expr=sp.Integer(1), symbols=(), statement="s",
                 source="x", outcome="reproduced", holds=False, evidence="e")


def test_a_check_that_finds_another_outcome_fails_the_claim():
    """A claim stating 'not reproducible' whose check finds 'refuted' is FAILED, though both reject."""
    from scaling_verify.theory.published_fits import chinchilla_law, published_claim

    with sv.isolated():
        sv.register_theory(sv.Theory(id="world", title="World", authors=("W.",), year=2026))
        printed = {"E": 1.7, "A": 400.0, "B": 400.0, "alpha": 0.34, "beta": 0.28}
        claim = sv.register(published_claim("world.fit", chinchilla_law(), printed, statement="s", source="x",
                                            outcome="not reproducible", evidence="e"))
        found = {"outcome": "refuted"}
        sv.check("world.fit", "empirical")(
            lambda c, x: sv.CheckResult(False, found["outcome"], outcome=found["outcome"]))
        assert [r.verdict for r in sv.verify([claim], "empirical")] == ["FAILED"]
        found["outcome"] = "not reproducible"
        assert [r.verdict for r in sv.verify([claim], "empirical")] == ["not reproducible"]
