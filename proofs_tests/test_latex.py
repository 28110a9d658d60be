"""LaTeX: macros named after claim ids, equations, a document that compiles, mathtext rendering."""

import shutil
import subprocess

import pytest
import sympy as sp

from theory import latex
from theory.claims import REGISTRY


def test_macro_names_are_letters_only_and_unique():
    names = [latex.macro_name(c.id) for c in REGISTRY.all()]
    assert all(n.isalpha() for n in names)
    assert len(set(names)) == len(names)
    assert latex.macro_name("dynamical.time_exponent") == "svDynamicalTimeExponent"
    assert latex.macro_name("dynamical.phase2_exponent") == "svDynamicalPhaseTwoExponent"


def test_time_exponent_equation_golden():
    c = REGISTRY.get("dynamical.time_exponent")
    assert latex.claim_latex(c) == r"\alpha_t = \frac{a - 1}{b}"
    assert "\\newcommand{\\svDynamicalTimeExponent}{\\frac{a - 1}{b}}" in latex.macros([c])


def test_float_prints_in_scientific_form():
    assert latex.expr_latex(sp.Float(1.5e13)) == r"1.5 \cdot 10^{13}"


@pytest.mark.parametrize("claim_id", [c.id for c in REGISTRY.all()])
def test_every_formula_renders_with_mathtext(claim_id):
    from matplotlib.mathtext import MathTextParser

    c = REGISTRY.get(claim_id)
    MathTextParser("path").parse(f"${latex.claim_latex(c)}$")


def test_document_escapes_text():
    assert latex._tex_text("a_1 & 50% {x}") == r"a\_1 \& 50\% \{x\}"


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not on PATH (CI installs texlive-latex-base)")
def test_document_compiles_with_pdflatex(tmp_path):
    (tmp_path / "claims.tex").write_text(latex.document(REGISTRY.all()))
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "claims.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert (tmp_path / "claims.pdf").stat().st_size > 1000


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown LaTeX format"):
        latex.render([], "html")
