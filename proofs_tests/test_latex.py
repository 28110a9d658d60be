"""LaTeX: macro names, formulas (printed forms and SymPy's), typeset statements, mathtext rendering."""

import re

import pytest
import sympy as sp

from scaling_verify.report import latex
from scaling_verify.theory.claims import REGISTRY
from scaling_verify.report.latex.macros import CLAIM_SUFFIXES, REPORT_SUFFIXES


def test_macro_names_are_letters_only_and_unique():
    names = [latex.macro_name(c.id) for c in REGISTRY.all()]
    assert all(n.isalpha() for n in names)
    assert len(set(names)) == len(names)
    assert latex.macro_name("dynamical.time_exponent") == "svDynamicalTimeExponent"
    assert latex.macro_name("dynamical.phase2_exponent") == "svDynamicalPhaseTwoExponent"


def test_every_macro_of_the_registry_is_unique():
    """All macros of all claims (formula, Eq, Statement, Cite and the measured ones) differ."""
    claims = REGISTRY.all()
    names = latex.macro_set(claims, report=True)
    assert len(names) == len(claims) * (len(CLAIM_SUFFIXES) + len(REPORT_SUFFIXES))
    assert all(n.isalpha() for n in names)


def test_macro_clash_between_claims_is_refused():
    import dataclasses

    c = REGISTRY.get("dynamical.time_exponent")
    clash = dataclasses.replace(c, id="dynamical.time_exponent_eq")  # \svDynamicalTimeExponentEq twice
    with pytest.raises(ValueError, match="both define the LaTeX macro"):
        latex.macro_set([c, clash])


def test_time_exponent_equation_golden():
    c = REGISTRY.get("dynamical.time_exponent")
    assert latex.claim_latex(c) == r"\alpha_t = \frac{a - 1}{b}"
    text = latex.render([c], "macros")
    assert "\\newcommand{\\svDynamicalTimeExponent}{\\frac{a - 1}{b}}" in text
    assert "\\newcommand{\\svDynamicalTimeExponentCite}{\\cite{bordelon2024dynamical}}" in text
    assert "\\newcommand{\\svDynamicalTimeExponentStatement}{With $N, P \\to \\infty$" in text


def test_float_prints_in_scientific_form():
    assert latex.expr_latex(sp.Float(1.5e13)) == r"1.5 \cdot 10^{13}"


@pytest.mark.parametrize("claim_id", [c.id for c in REGISTRY.all()])
def test_every_formula_renders_with_mathtext(claim_id):
    from matplotlib.mathtext import MathTextParser

    c = REGISTRY.get(claim_id)
    MathTextParser("path").parse(f"${latex.claim_latex(c)}$")
    if c.printed_latex:  # SymPy's rendering too
        MathTextParser("path").parse(f"${latex.claim_latex(c, latex.LatexOptions(use_printed=False))}$")


def test_printed_forms_keep_the_papers_order():
    get = REGISTRY.get
    assert latex.formula_latex(get("dynamical.data_exponent")) == r"\min(a-1, 2b)"
    assert r"\frac{a N^{-a-1}}{12}" in latex.formula_latex(get("dynamical.size_tail_series"))
    assert latex.formula_latex(get("spectral.kumar_ptq_form")).startswith("4^{-B}")
    sympy_form = latex.formula_latex(get("dynamical.data_exponent"), latex.LatexOptions(use_printed=False))
    assert sympy_form == r"\min\left(2 b, a - 1\right)"


def test_latex_options_order_and_symbol_names():
    c = REGISTRY.get("equivariance.nngp_diagonal")
    opts = latex.LatexOptions(symbol_names={"sigma_b2": r"\sigma_b^2", "sigma_w2": r"\sigma_w^2"})
    out = latex.formula_latex(c, opts)
    assert r"\sigma_b^2" in out and "sigma_{b2}" not in out
    x, y = sp.symbols("x y")
    assert latex.expr_latex(x**3 + y**2 + x, latex.LatexOptions(order="lex")) == "x^{3} + x + y^{2}"
    assert latex.expr_latex(x**3 + y**2 + x, latex.LatexOptions(order="rev-lex")) == "y^{2} + x + x^{3}"
    with pytest.raises(ValueError, match="unknown term order"):
        latex.LatexOptions(order="alphabetical")


def test_every_builtin_claim_has_a_typeset_statement():
    for c in REGISTRY.all():
        s = c.latex_statement
        assert s, c.id
        assert s.count("$") % 2 == 0, c.id
        assert s.count("{") == s.count("}"), c.id
        assert "textasciicircum" not in s and "^" not in re.sub(r"\$[^$]*\$", "", s), c.id


def test_text_escaping():
    assert latex.tex_text("a_1 & 50% {x}") == r"a\_1 \& 50\% \{x\}"


@pytest.mark.parametrize("plain, expected", [
    ("decays as t^{-(a-1)/b} under flow.", r"decays as $t^{-(a-1)/b}$ under flow."),
    ("tail sum_{k>N} k^{-a} ~ N^{1-a}", r"tail $\sum _{k>N}$ $k^{-a}$ $\sim$ $N^{1-a}$"),
    ("as N^{-min(a-1, 2b)}.", r"as $N^{-\min (a-1, 2b)}$."),
    ("(lambda_k -> 0)", r"($\lambda _k$ $\to$ 0)"),
    ("N_nz^{1-a}", r"$N_{nz}^{1-a}$"),
])
def test_plain_statement_fallback_typesets_math(plain, expected):
    assert latex.plain_to_latex(plain) == expected


@pytest.mark.parametrize("plain", ["alpha_t_hat = 1", "x^2^3", "scaling_verify.theory.mod._f_x", "a_{b", "50% & $5 #1 \\x"])
def test_plain_statement_fallback_is_safe(plain):
    """What cannot be math is typewriter text with every special escaped: balanced, no raw $ or #."""
    out = latex.plain_to_latex(plain)
    assert "textasciicircum" not in out or r"\texttt{" in out
    assert out.count("{") - out.count(r"\{") == out.count("}") - out.count(r"\}")
    assert "#" not in out.replace(r"\#", "")


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown LaTeX format"):
        latex.render([], "html")


def test_equations_are_labelled():
    c = REGISTRY.get("dynamical.size_exponent_published")
    out = latex.render([c], "equations")
    assert r"\label{eq:dynamical.size_exponent_published}" in out and "refuted" in out
