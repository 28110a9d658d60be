"""Printed formulas: every claim's ``printed_latex`` is its ``expr``; a drifted one is caught."""

import dataclasses

import pytest
import sympy as sp

from scaling_verify.report import latex
from scaling_verify.theory.claims import REGISTRY
from scaling_verify.report.latex.printed import PrintedFormError, check_printed, parse_printed

PRINTED = [c.id for c in REGISTRY.all() if c.printed_latex]


def test_the_reordered_claims_carry_printed_forms():
    must = {"dynamical.data_exponent", "dynamical.size_exponent", "dynamical.size_exponent_published",
            "dynamical.ensemble_bias_exponent", "dynamical.size_tail_series", "spectral.kumar_ptq_form",
            "spectral.kumar_ptq_form_absmax", "dynamical.time_prefactor"}
    assert must <= set(PRINTED)


@pytest.mark.parametrize("claim_id", PRINTED)
def test_printed_form_is_the_claimed_expression(claim_id):
    res = check_printed(REGISTRY.get(claim_id), points=10)
    assert res.ok, res.detail


@pytest.mark.parametrize("claim_id, drifted", [
    ("dynamical.data_exponent", r"\min(a-1, b)"),                  # 2b -> b
    ("dynamical.size_tail_series", r"\frac{N^{1-a}}{a-1} - \frac{N^{-a}}{2} + \frac{a N^{-a-1}}{24}"),
    ("spectral.kumar_ptq_form", r"2^{-B}\, \frac{D^{\rho(1 - (a-1)/b)}}{N}"),
    ("dynamical.time_prefactor", r"\frac{\Gamma\left(\frac{a}{b}\right)}{b\, 2^{(a-1)/b}}"),
    ("optimal_learning.b_decrease_table", r"1 - \frac{1.99\cdot 10^{7}}{3.61\cdot 10^{8}}"),
])
def test_a_drifted_printed_form_is_caught(claim_id, drifted):
    c = dataclasses.replace(REGISTRY.get(claim_id), printed_latex=drifted)
    res = check_printed(c)
    assert not res.ok and "!=" in res.detail
    with pytest.raises(ValueError, match="printed_latex differs from expr"):
        latex.render([c], "macros")
    latex.render([c], "macros", latex.LatexOptions(use_printed=False))  # SymPy's form needs no check


def test_unknown_symbol_and_unsupported_syntax_are_errors():
    c = REGISTRY.get("dynamical.data_exponent")
    bad = dataclasses.replace(c, printed_latex=r"\min(a-1, 2q)")
    res = check_printed(bad)
    assert not res.ok and "'q' is not one of the claim's symbols" in res.detail
    for text in [r"\int_0^1 x", "a +", r"\frac{a}", "__import__('os')", r"\min(a)", "x^-1"]:
        with pytest.raises(PrintedFormError):
            parse_printed(text, {"a": sp.Symbol("a"), "x": sp.Symbol("x")})


def test_parser_subset():
    a, b, lam, t, beta1, nnz = sp.symbols("a b lambda t beta_1 N_nz", positive=True)
    syms = {s.name: s for s in (a, b, lam, t, beta1, nnz)}
    p = lambda s: parse_printed(s, syms)  # noqa: E731
    assert p(r"\frac{a-1}{b}") == (a - 1) / b
    assert p(r"e^{-\lambda t}") == sp.exp(-lam * t)
    assert p(r"4^{-b}\,a") == 4 ** (-b) * a
    assert p(r"\min\left(a-1, 2b\right)") == sp.Min(a - 1, 2 * b)
    assert p(r"\Gamma\left(\frac{a}{b}\right) \zeta(a)") == sp.gamma(a / b) * sp.zeta(a)
    assert p(r"\log 4 + \ln(a) + \exp{b} + \sqrt{a} + \sin(\pi/a)") == \
        sp.log(4) + sp.log(a) + sp.exp(b) + sp.sqrt(a) + sp.sin(sp.pi / a)
    assert p(r"a^{\beta_1} N_{nz}^2 + 3.16\cdot 10^{8}") == a ** beta1 * nnz ** 2 + sp.Rational(316000000)
    assert p(r"-a\left[b - 1\right]") == -a * (b - 1)
    sig = sp.Symbol("sigma_b2")
    assert parse_printed(r"\sigma_b^2 + a", {"sigma_b2": sig, "a": a}, aliases={"sigma_b2": r"\sigma_b^2"}) \
        == sig + a


def test_printed_form_of_a_refuted_claim_is_the_misprint():
    """A refuted claim's printed form is the paper's (wrong) formula: equal to its expr, not to the fix."""
    printed = REGISTRY.get("dynamical.size_exponent_published")
    fixed = REGISTRY.get("dynamical.size_exponent")
    assert check_printed(printed).ok
    assert not check_printed(dataclasses.replace(fixed, printed_latex=printed.printed_latex)).ok
