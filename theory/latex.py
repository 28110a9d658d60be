"""Claims as LaTeX: ``\\newcommand`` macros, display equations, and a standalone document.

* Macro names come from claim ids: ``dynamical.time_exponent`` -> ``\\svDynamicalTimeExponent``
  (the expression) and ``\\svDynamicalTimeExponentEq`` (``quantity = expression``). LaTeX macro names
  take letters only, so digits are spelled out (``phase2`` -> ``PhaseTwo``).
* Equations carry ``\\label{eq:<claim id>}`` and the statement as a comment.
* The document is a plain ``article`` (amsmath, longtable: both in Debian's texlive-latex-base) with
  one table of every claim: statement, formula, status, source.

Formulas are printed with ``sympy.latex`` (negative symbolic exponents as fractions where SymPy does,
floats in scientific form), and every one of them must also render in matplotlib's mathtext, which
the tests check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sympy as sp

from theory.claims import Claim

_DIGITS = ["Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"]
STATUS_TEXT = {"published": "published", "corrected": "corrected (erratum)",
               "reconstructed": "reconstructed (ours, not the paper's)"}


def macro_name(claim_id: str) -> str:
    """``dynamical.time_exponent`` -> ``svDynamicalTimeExponent`` (letters only)."""
    words = re.split(r"[._]", claim_id)
    out = []
    for w in words:
        w = re.sub(r"\d", lambda m: _DIGITS[int(m.group())], w)
        out.append(w[:1].upper() + w[1:])
    return "sv" + "".join(out)


def expr_latex(expr: sp.Basic) -> str:
    """SymPy LaTeX with the package's settings (fractions for negative powers, scientific floats)."""
    return sp.latex(expr, mul_symbol="dot" if expr.has(sp.Float) else None, min=-3, max=3)


def claim_latex(claim: Claim) -> str:
    """``quantity = expression`` for one claim."""
    return f"{claim.quantity} = {expr_latex(claim.expr)}"


def _tex_text(s: str) -> str:
    """Escape plain text for LaTeX text mode (statements and sources are plain text)."""
    repl = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
            "<": r"\textless{}", ">": r"\textgreater{}"}
    return "".join(repl.get(ch, ch) for ch in s.encode("ascii", "replace").decode("ascii"))


def macros(claims: Iterable[Claim]) -> str:
    lines = ["% scaling-verify: one macro per claim (expression) and one ...Eq (quantity = expression)"]
    for c in claims:
        name = macro_name(c.id)
        lines.append(f"% {c.id} [{c.status}{'' if c.holds else ', refuted'}]: {_comment(c.statement)}")
        lines.append(f"\\newcommand{{\\{name}}}{{{expr_latex(c.expr)}}}")
        lines.append(f"\\newcommand{{\\{name}Eq}}{{{claim_latex(c)}}}")
    return "\n".join(lines) + "\n"


def _comment(s: str) -> str:
    return s.replace("\n", " ")


def equations(claims: Iterable[Claim]) -> str:
    blocks = []
    for c in claims:
        tag = "" if c.holds else r" \quad \text{(as printed; refuted)}"
        blocks.append(f"% {c.id} [{c.status}]: {_comment(c.statement)}\n"
                      f"\\begin{{equation}}\\label{{eq:{c.id}}}\n  {claim_latex(c)}{tag}\n\\end{{equation}}")
    return "\n\n".join(blocks) + "\n"


def document(claims: Iterable[Claim], title: str = "Claims verified by scaling-verify") -> str:
    claims = list(claims)
    rows = []
    for c in claims:
        status = STATUS_TEXT[c.status] + ("" if c.holds else "; printed form, refuted")
        rows.append(f"\\texttt{{{_tex_text(c.id)}}} & {_tex_text(c.statement)} & "
                    f"${claim_latex(c)}$ & {_tex_text(status)} & {_tex_text(c.source)} \\\\")
    recon = any(c.status == "reconstructed" for c in claims)
    note = ("\n\\noindent Claims marked \\emph{reconstructed} are our own definitions standing in for a paper "
            "whose body is not available to us; they are not the paper's results.\n" if recon else "")
    return (
        "\\documentclass[10pt]{article}\n"
        "\\usepackage[margin=1.5cm,landscape]{geometry}\n"
        "\\usepackage{amsmath,amssymb}\n\\usepackage{longtable,array}\n"
        f"\\title{{{_tex_text(title)}}}\n\\date{{}}\n"
        "\\begin{document}\n\\maketitle\n" + note +
        "\\begin{longtable}{>{\\raggedright}p{3.2cm}>{\\raggedright}p{7cm}>{\\centering}p{6.5cm}"
        ">{\\raggedright}p{2.4cm}>{\\raggedright\\arraybackslash}p{4.6cm}}\n"
        "\\textbf{claim} & \\textbf{statement} & \\textbf{formula} & \\textbf{status} & \\textbf{source}\\\\\n"
        "\\hline\\endhead\n" + "\n".join(rows) + "\n\\end{longtable}\n"
        "\\section*{Equations}\n" + equations(claims) + "\\end{document}\n"
    )


def render(claims: Iterable[Claim], fmt: str) -> str:
    if fmt == "macros":
        return macros(claims)
    if fmt == "equations":
        return equations(claims)
    if fmt == "document":
        return document(claims)
    raise ValueError(f"unknown LaTeX format {fmt!r}; use macros, equations or document")
