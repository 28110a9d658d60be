"""Claims as LaTeX for a paper: macros, a style file, labelled equations, a standalone document, BibTeX.

Modules, one idea each:

* :mod:`~scaling_verify.report.latex.formula`: a claim's formula (``printed_latex`` or SymPy's rendering) and
  :class:`LatexOptions` (SymPy's ``order``, ``symbol_names``, ...);
* :mod:`~scaling_verify.report.latex.printed`: the restricted LaTeX parser and the check that a printed formula is
  the claim's ``expr``;
* :mod:`~scaling_verify.report.latex.text`: escaping, and plain statements with ASCII math made typeset;
* :mod:`~scaling_verify.report.latex.macros`: ``\\sv<Id>`` macros (formula, equation, statement, citation, measured
  values) and ``scalingverify.sty``;
* :mod:`~scaling_verify.report.latex.document`: labelled equations and the standalone document;
* :mod:`~scaling_verify.report.latex.bibtex`: one BibTeX entry per theory, with stable keys;
* :mod:`~scaling_verify.report.latex.report_values`: ``report.json`` as typed records, headline values, number format.

Everything reads claims and theories from :data:`theory.claims.REGISTRY` (plug-ins included) or
from the arguments; nothing lists the built-in theories.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scaling_verify.theory.claims import REGISTRY, Claim, Theory
from scaling_verify.report.latex.bibtex import bibtex, cite_keys
from scaling_verify.report.latex.document import document, equations
from scaling_verify.report.latex.formula import DEFAULT, ORDERS, LatexOptions, claim_latex, expr_latex, formula_latex
from scaling_verify.report.latex.macros import STATUS_TEXT, macro_name, macro_set, macros, statement_latex, sty
from scaling_verify.report.latex.printed import PrintedFormError, check_printed, parse_printed, printed_expr, require_printed
from scaling_verify.report.latex.report_values import Report, ReportError, load_report
from scaling_verify.report.latex.text import plain_to_latex, tex_text

FORMATS: tuple[str, ...] = ("macros", "equations", "document", "bibtex", "sty")

__all__ = ["DEFAULT", "FORMATS", "ORDERS", "STATUS_TEXT", "LatexOptions", "PrintedFormError", "Report",
           "ReportError", "bibtex", "check_printed", "cite_keys", "claim_latex", "document", "equations",
           "expr_latex", "formula_latex", "load_report", "macro_name", "macro_set", "macros", "parse_printed",
           "plain_to_latex", "printed_expr", "render", "require_printed", "statement_latex", "sty", "tex_text"]


def render(claims: Iterable[Claim], fmt: str, options: LatexOptions = DEFAULT, report: Report | None = None,
           digits: int = 3, theories: Sequence[Theory] | None = None) -> str:
    """``claims`` in the LaTeX format ``fmt`` (one of :data:`FORMATS`).

    ``report`` adds measured values and verdicts (macros, sty, document); ``digits`` is their count of
    significant digits; ``theories`` (default: the registry's) name the sources and citation keys.
    With ``options.check_printed`` every printed formula is first checked against its ``expr``
    (:func:`require_printed`), so a drifted one is refused with a ``ValueError``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown LaTeX format {fmt!r}; use {', '.join(FORMATS)}")
    if not 1 <= digits <= 12:
        raise ValueError(f"digits must be between 1 and 12, got {digits}")
    claims = list(claims)
    theories = REGISTRY.theories() if theories is None else list(theories)
    if options.check_printed and options.use_printed and fmt != "bibtex":
        require_printed(claims, options.symbol_names)
    if fmt == "macros":
        return macros(claims, theories, options, report, digits)
    if fmt == "sty":
        return sty(claims, theories, options, report, digits)
    if fmt == "equations":
        return equations(claims, options)
    if fmt == "document":
        return document(claims, theories, options, report, digits)
    return bibtex(claims, theories)
