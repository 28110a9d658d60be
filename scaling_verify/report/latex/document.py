"""The standalone LaTeX document of a set of claims, and their labelled equations.

The document (``article``, packages of Debian's texlive-latex-base only, ``microtype`` when present)
has one section per theory: title, authors, year, arXiv id and a citation into its own bibliography.
Each claim is an entry: its id with status and verdict badges, the typeset statement, the formula as
a numbered equation (shrunk to the line when it is wider), for a corrected claim the printed form
beside ours with the evidence, the source and notes, and with a report the headline measured value
with its interval and prediction. With a report the title page carries the "verified with" line
(seed, sizes, date, versions).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scaling_verify.theory.claims import Claim, Theory
from scaling_verify.report.latex.bibtex import cite_keys, theories_of
from scaling_verify.report.latex.formula import DEFAULT, LatexOptions, claim_latex
from scaling_verify.report.latex.macros import ValueMacros, one_line, statement_latex, verified_at
from scaling_verify.report.latex.report_values import ClaimReport, Report
from scaling_verify.report.latex.text import plain_to_latex, tex_id, tex_text

VERDICT_COLOUR = {"verified": "svgreen", "consistent": "svgreen", "derived": "svgreen", "refuted": "svblue",
                  "reproduced": "svgreen", "not reproducible": "svblue", "needs data": "svgrey",
                  "FAILED": "svred", "unchecked": "svgrey"}

PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{graphicx,color}
\IfFileExists{microtype.sty}{\usepackage{microtype}}{}
\definecolor{svgreen}{rgb}{0,0.45,0}
\definecolor{svblue}{rgb}{0,0.2,0.7}
\definecolor{svred}{rgb}{0.75,0,0}
\definecolor{svgrey}{rgb}{0.4,0.4,0.4}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.4ex}
\setlength{\emergencystretch}{3em}
% \svbadge{colour}{text}: a framed label; \svfit{width}{math}: display math shrunk to width if wider
\newcommand{\svbadge}[2]{\fcolorbox{#1}{white}{\scriptsize\sffamily\color{#1}#2}}
\newsavebox{\svbox}
\newlength{\svmaxw}
\newcommand{\svfit}[2]{\setlength{\svmaxw}{#1}\sbox{\svbox}{$\displaystyle #2$}%
  \ifdim\wd\svbox>\svmaxw\resizebox{\svmaxw}{!}{\usebox{\svbox}}\else\usebox{\svbox}\fi}
\newcommand{\svfield}[1]{\textsc{#1}:\ }
"""


def equations(claims: Iterable[Claim], options: LatexOptions = DEFAULT) -> str:
    """One ``equation`` per claim, labelled ``eq:<claim id>``, with the statement as a comment."""
    blocks = []
    for c in claims:
        tag = "" if c.holds else r" \quad \text{(as printed; refuted)}"
        blocks.append(f"% {c.id} [{c.status}]: {one_line(c.statement)}\n"
                      f"\\begin{{equation}}\\label{{eq:{c.id}}}\n  {claim_latex(c, options)}{tag}\n\\end{{equation}}")
    return "\n\n".join(blocks) + "\n"


def _badges(c: Claim, rec: ClaimReport | None, report: Report | None) -> str:
    out = [r"\svbadge{svgrey}{" + c.status + "}"]
    if not c.holds:
        out.append(r"\svbadge{svblue}{printed form, refuted}")
    if report is not None:
        verdict = rec.verdict if rec is not None else "not in report"
        out.append(r"\svbadge{" + VERDICT_COLOUR.get(verdict, "svgrey") + "}{" + tex_text(verdict) + "}")
    return r"\ " .join(out)


def _measured(rec: ClaimReport | None, digits: int) -> str:
    if rec is None:
        return r"\svfield{measured} not in the report."
    head = rec.headline()
    if head is None:
        levels = ", ".join(ch.level for ch in rec.checks) or "none"
        return rf"\svfield{{measured}} no value recorded (checks run: {tex_text(levels)})."
    level, v = head
    m = ValueMacros.of(v, digits)
    return (rf"\svfield{{measured}} {plain_to_latex(v.name)} ({level}): {m.measured}; predicted {m.predicted}"
            + ("." if v.consistent else r"; \textcolor{svred}{inconsistent}."))


def _entry(c: Claim, by_id: dict[str, Claim], options: LatexOptions, report: Report | None, digits: int) -> str:
    rec = report.claim(c.id) if report is not None else None
    parts = [r"\medskip\par\noindent\textbf{" + tex_id(c.id) + r"}\quad " + _badges(c, rec, report)
             + r"\par\nopagebreak", statement_latex(c) + r"\par\nopagebreak"]
    parts.append(f"\\begin{{equation}}\\label{{eq:{c.id}}}\n"
                 f"  \\svfit{{\\dimexpr\\linewidth-5em\\relax}}{{{claim_latex(c, options)}}}\n\\end{{equation}}")
    printed = by_id.get(c.corrects) if c.corrects else None
    if printed is not None:
        half = r"\dimexpr0.47\linewidth\relax"
        parts.append(
            "\\begin{center}\\begin{tabular}{@{}p{0.47\\linewidth}p{0.47\\linewidth}@{}}\n"
            f"\\raggedright as printed ({tex_id(printed.id)}) & ours \\tabularnewline\n"
            f"\\svfit{{{half}}}{{{claim_latex(printed, options)}}} & "
            f"\\svfit{{{half}}}{{{claim_latex(c, options)}}}\n\\end{{tabular}}\\end{{center}}")
    if c.evidence:
        parts.append(r"\svfield{evidence} " + plain_to_latex(c.evidence) + r"\par")
    if c.corrects and printed is None:
        parts.append(r"\svfield{corrects} " + tex_id(c.corrects) + r"\par")
    parts.append(r"\svfield{source} " + plain_to_latex(c.source) + r"\par")
    if c.notes:
        parts.append(r"{\small\svfield{notes} " + plain_to_latex(c.notes) + r"\par}")
    if report is not None:
        parts.append(_measured(rec, digits) + r"\par")
    return "\n".join(parts)


def _theory_head(th: Theory, key: str) -> str:
    authors = ", ".join(tex_text(a) for a in th.authors)
    where = f", arXiv:{tex_text(th.arxiv)}" if th.arxiv else (f", {tex_id(th.url)}" if th.url else "")
    notes = f" {plain_to_latex(th.notes)}" if th.notes else ""
    return (f"\\section{{{tex_text(th.title)}}}\n{authors} ({th.year}){where} \\cite{{{key}}}.{notes}\\par\n")


def _bibliography(theories: Sequence[Theory], keys: dict[str, str]) -> str:
    items = []
    for th in theories:
        where = f" arXiv:{tex_text(th.arxiv)}." if th.arxiv else (f" {tex_id(th.url)}." if th.url else "")
        items.append(f"\\bibitem{{{keys[th.id]}}} {', '.join(tex_text(a) for a in th.authors)}. "
                     f"\\emph{{{tex_text(th.title)}}}. {th.year}.{where}")
    return "\\begin{thebibliography}{9}\n" + "\n".join(items) + "\n\\end{thebibliography}\n"


def document(claims: Iterable[Claim], theories: Sequence[Theory], options: LatexOptions = DEFAULT,
             report: Report | None = None, digits: int = 3,
             title: str = "Claims verified by scaling-verify") -> str:
    """The standalone document of ``claims`` (grouped by theory, in the order of ``theories``)."""
    claims = list(claims)
    by_id = {c.id: c for c in claims}
    keys = cite_keys(theories)
    used = theories_of(claims, theories)
    body = []
    if report is not None:
        body.append(r"\noindent\textbf{Verified at:} " + verified_at(report) + r".\par")
    if any(c.status == "reconstructed" for c in claims):
        body.append(r"\noindent Claims marked \emph{reconstructed} are our own definitions standing in for "
                    r"a paper whose body is not available to us; they are not the paper's results.\par")
    for th in used:
        body.append(_theory_head(th, keys[th.id]))
        body += [_entry(c, by_id, options, report, digits) for c in claims if c.theory == th.id]
    orphans = [c for c in claims if c.theory not in {t.id for t in used}]
    if orphans:
        body.append("\\section{Other claims}\n")
        body += [_entry(c, by_id, options, report, digits) for c in orphans]
    return (PREAMBLE + f"\\title{{{tex_text(title)}}}\n\\date{{{tex_text(report.date) if report else ''}}}\n"
            "\\begin{document}\n\\maketitle\n" + "\n\n".join(body) + "\n\n"
            + (_bibliography(used, keys) if used else "") + "\\end{document}\n")
