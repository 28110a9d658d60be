"""The restricted parser for ``--form-expr``: what it builds, and everything it refuses."""

import pytest
import sympy as sp

from scaling_verify.numerics.fitting.expr_parser import parse_form

COLS = ["N", "D", "loss"]


def test_parses_a_chinchilla_like_law():
    f = parse_form("E + A*N**(-alpha) + B*D**(-beta)", COLS)
    assert f.columns == ("N", "D")
    assert {p.name: p.log_scale for p in f.params} == {"E": True, "A": True, "alpha": False, "B": True, "beta": False}
    N, D = sp.Symbol("N", positive=True), sp.Symbol("D", positive=True)
    E, A, B = (sp.Symbol(n, positive=True) for n in "EAB")
    al, be = sp.Symbol("alpha", real=True), sp.Symbol("beta", real=True)
    assert sp.simplify(f.expr - (E + A * N ** -al + B * D ** -be)) == 0


def test_functions_and_unary_minus():
    f = parse_form("E + exp(-k*N) * sqrt(D) / max(N, D) - -1", COLS)
    assert "k" in f.param_names and not f.params[f.param_names.index("k")].log_scale
    assert f.expr.has(sp.exp) and f.expr.has(sp.Max)


@pytest.mark.parametrize("text,msg", [
    ("__import__('os')", "not allowed"),
    ("__import__('os').system('rm -rf /')", "not allowed"),
    ("N.real * A", "attribute access"),
    ("(lambda q: q)(N) * A", "not allowed"),
    ("[a for a in N]", "not allowed"),
    ("sum(a for a in N)", "not allowed"),
    ("{a: 1 for a in N}", "not allowed"),
    ("foo(N) * A", "calling foo"),
    ("eval('1') * N", "calling eval"),
    ("N[0] * A", "subscript"),
    ("A * N if N else 1", "not allowed"),
    ("A * N % 2", "operator Mod"),
    ("A * N // 2", "operator FloorDiv"),
    ("A * (N > 1)", "not allowed"),
    ("'s' * N", "constant"),
    ("True * N * A", "constant"),
    ("exp(N, A)", "takes 1 argument"),
    ("exp(x=N) * A", "keyword"),
    ("_A * N", "the name _A"),
    ("A * N; import os", "not a valid expression"),
    ("A * N = 1", "not a valid expression"),
    ("A * loss", "target column"),
    ("A * B", "uses no column"),
    ("N * D", "no parameter"),
    ("A*N" + "+A*N" * 120, "too long"),
])
def test_refuses(text, msg):
    with pytest.raises(ValueError, match=None) as exc:
        parse_form(text, COLS)
    assert msg in str(exc.value)
    assert len(str(exc.value).splitlines()) == 1
