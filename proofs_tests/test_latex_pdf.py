"""The standalone document: plug-in theories come out like the built-ins; it compiles cleanly with pdflatex."""

import re
import shutil
import subprocess

import pytest
import sympy as sp

from scaling_verify.cli.main import main
from scaling_verify.report import latex
from scaling_verify.theory.claims import REGISTRY, Claim, Theory

PLUGIN = Theory(id="zz_plugin", title="Scaling of the Toy & Co: 100% {Braces}", authors=("Ada Łovelace", "B. Ć"),
                year=2021, arxiv="2101.00001")
X, Y = sp.symbols("x y", positive=True)
PLAIN = ("Toy law (no LaTeX given): L(x) ~ x^{-y/2} as x -> infinity, sum_{k>x} k^{-y} and alpha_t_hat "
         "= theory.zz._f_x; 50% & #1 $5 ~ a_{b")


@pytest.fixture
def plugin(monkeypatch):
    """A theory and two claims registered as a plug-in would be (removed after the test)."""
    plain = Claim(id="zz_plugin.toy_law", theory=PLUGIN.id, statement=PLAIN, quantity=r"\alpha_{\rm toy}",
                  expr=Y / 2, symbols=(X, Y), source="Toy 2021, Eq. 1_a", params={"y": 1.0})
    printed = Claim(id="zz_plugin.toy_tail", theory=PLUGIN.id, statement="The toy tail is x^{1-y}/(y-1).",
                    latex_statement=r"The toy tail is $x^{1-y}/(y-1)$.", quantity=r"T(x)",
                    expr=X ** (1 - Y) / (Y - 1), printed_latex=r"\frac{x^{1-y}}{y-1}", symbols=(X, Y),
                    source="Toy 2021, Eq. 2", params={"x": 10.0, "y": 2.0})
    with REGISTRY.isolated():
        REGISTRY.register_theory(PLUGIN)
        for c in (plain, printed):
            REGISTRY.register(c)
        yield plain, printed


def test_plugin_theory_comes_out_like_the_builtins(plugin, capsys):
    assert main(["latex", "--theory", "zz_plugin"]) == 0
    macros = capsys.readouterr().out
    assert r"\newcommand{\svZzPluginToyTail}{\frac{x^{1-y}}{y-1}}" in macros
    assert r"\newcommand{\svZzPluginToyLawCite}{\cite{lovelace2021scaling}}" in macros
    statement = re.search(r"\\newcommand\{\\svZzPluginToyLawStatement\}\{(.*)\}\n", macros).group(1)
    assert r"$x^{-y/2}$" in statement and r"$\to$" in statement and r"$\sum _{k>x}$" in statement
    assert r"\texttt{alpha\char95{}\allowbreak{}t\char95{}\allowbreak{}hat}" in statement
    assert r"50\% \& \#1 \$5" in statement
    assert main(["latex", "--format", "bibtex", "--theory", "zz_plugin"]) == 0
    bib = capsys.readouterr().out
    assert "@misc{lovelace2021scaling," in bib and r"{{Scaling of the Toy \& Co: 100\% \{Braces\}}}" in bib
    assert main(["latex", "--format", "document", "--theory", "zz_plugin"]) == 0
    doc = capsys.readouterr().out
    assert r"\section{Scaling of the Toy \& Co: 100\% \{Braces\}}" in doc and r"\bibitem{lovelace2021scaling}" in doc
    assert latex.render(REGISTRY.all(), "macros").count(r"\svZzPluginToyTailEq}") == 1


def test_plugin_printed_form_is_checked(plugin, capsys, monkeypatch):
    import dataclasses

    _, printed = plugin
    REGISTRY.replace(dataclasses.replace(printed, printed_latex=r"\frac{x^{1-y}}{y}"))
    assert main(["latex", "--theory", "zz_plugin"]) == 2
    err = capsys.readouterr().err
    assert "zz_plugin.toy_tail: printed_latex differs from expr" in err and err.count("\n") == 1


def _pdflatex(tmp_path, name: str) -> str:
    for _ in range(2):  # twice: citations and equation numbers
        proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stdout[-3000:]
    return (tmp_path / f"{name}.log").read_text(errors="replace")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not on PATH (CI installs texlive-latex-base)")
def test_document_compiles_and_is_typeset(tmp_path, plugin):
    (tmp_path / "claims.tex").write_text(latex.render(REGISTRY.all(), "document"))
    log = _pdflatex(tmp_path, "claims")
    overfull = log.count("Overfull \\hbox") + log.count("Overfull \\vbox")
    assert overfull <= 5, re.findall(r"Overfull.*", log)
    assert "Citation" not in log and "Reference" not in log.replace("References", "")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not on PATH (poppler-utils)")
    text = subprocess.run(["pdftotext", "claims.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    assert "textasciicircum" not in text and "\\" not in text
    assert "A Dynamical Model of Neural Scaling Laws" in flat and "Blake Bordelon" in flat
    assert "the test loss decays as" in flat and "under gradient flow" in flat
    assert "as printed" in flat and "evidence:" in flat.lower()
    assert "Toy law (no LaTeX given)" in flat and "alpha_t_hat" in flat
    for theory in REGISTRY.theories():
        assert " ".join(theory.title.split()[:3]) in flat
