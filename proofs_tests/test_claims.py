"""The claim registry: validation, perturbation, evaluation, and the symbolic comparison's power."""

import pytest
import sympy as sp

from scaling_verify.theory.claims import REGISTRY, Claim, symbolic_check
from scaling_verify.theory.symbols import a, b


def _claim(**kw):
    base = dict(id="dynamical.test_claim", theory="dynamical", statement="s", quantity="q",
                expr=(a - 1) / b, symbols=(a, b), source="src", params={"a": 2.0, "b": 1.5},
                regime=sp.And(a > 1, b > 0), derive=lambda: (a - 1) / b)
    base.update(kw)
    return Claim(**base)


def test_registry_has_claims_of_each_known_theory_only():
    assert len(REGISTRY) >= 6
    assert {c.theory for c in REGISTRY.all()} <= {t.id for t in REGISTRY.theories()}
    assert len({c.id for c in REGISTRY.all()}) == len(REGISTRY.all())


def test_every_claim_is_well_formed():
    for c in REGISTRY.all():
        assert c.statement and c.source and c.quantity
        if c.status == "corrected":
            assert c.evidence
        if c.corrects:
            REGISTRY.get(c.corrects)  # the corrected claim exists (printed, or valid only in another regime)
        if c.status == "reconstructed":
            assert "reconstruct" in (c.notes + c.statement).lower()


@pytest.mark.parametrize("kw,msg", [
    ({"id": "Bad Id"}, "must look like"),
    ({"theory": "Alchemy"}, "lower case"),
    ({"status": "rumoured"}, "status"),
    ({"status": "corrected"}, "needs its evidence"),
    ({"status": "reconstructed"}, "must say so"),
    ({"expr": a * sp.Symbol("z")}, "undeclared symbols"),
    ({"holds": False}, "refuted claim needs"),
])
def test_invalid_claims_are_rejected(kw, msg):
    with pytest.raises(ValueError, match=msg):
        _claim(**kw)


def test_unknown_ids_and_theories_raise_value_error():
    with pytest.raises(ValueError, match="unknown claim id"):
        REGISTRY.get("dynamical.nope")
    with pytest.raises(ValueError, match="unknown theory"):
        REGISTRY.all("alchemy")


def test_symbolic_check_accepts_equal_forms_and_rejects_perturbed():
    c = _claim(expr=a / b - 1 / b)
    assert symbolic_check(c)[0]
    assert not symbolic_check(c.perturbed(a / b))[0]
    assert not symbolic_check(c.perturbed(factor=1.01))[0]


def test_evaluate_and_regime():
    c = _claim()
    assert abs(c.value() - 2 / 3) < 1e-15
    assert c.in_regime() and not c.in_regime(a=0.5)
    with pytest.raises(ValueError, match="no value"):
        _claim(params={}).value()
