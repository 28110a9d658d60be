"""LaTeX macros named after claim ids, and the ``scalingverify.sty`` package that holds them.

Per claim ``dynamical.time_exponent`` (prefix ``\\svDynamicalTimeExponent``, letters only: digits are
spelled out, ``phase2`` -> ``PhaseTwo``):

* ``\\svDynamicalTimeExponent`` the formula (math mode), ``...Eq`` ``quantity = formula``,
  ``...Statement`` the typeset statement (text), ``...Cite`` ``\\cite{<key of its paper>}``;
* with a report (:mod:`scaling_verify.report.latex.report_values`): ``...Verdict``, and for the headline value
  (simulate check first, then precise; the first value recorded) ``...Measured``
  (``0.480 [0.473, 0.487]``), ``...MeasuredValue``, ``...MeasuredLo``, ``...MeasuredHi``,
  ``...MeasuredWhat`` (what was measured), ``...Predicted``, ``...Level``; every recorded value
  also gets numbered macros ``...<Level><N>Measured``/``Value``/``Lo``/``Hi``/``Predicted``
  (``\\svDynamicalTrainTestGapSlopePreciseTwoValue``);
* report-wide: ``\\svReportSeed``, ``\\svReportSizes``, ``\\svReportDate``, ``\\svReportVersions``
  and ``\\svVerifiedAt`` (one line with all of them).

Every macro is defined with ``\\newcommand``, so a clash with a paper's own macro is an error, and
:func:`macro_set` refuses two claims whose macros would share a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scaling_verify.theory.claims import Claim, Theory
from scaling_verify.report.latex.bibtex import cite_keys
from scaling_verify.report.latex.formula import DEFAULT, LatexOptions, claim_latex, formula_latex
from scaling_verify.checks.results import Measured
from scaling_verify.report.latex.report_values import Report, format_interval, format_number
from scaling_verify.report.latex.text import plain_to_latex, tex_text

_DIGITS = ["Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"]
#: Suffixes of the macros defined for every claim (formula first).
CLAIM_SUFFIXES: tuple[str, ...] = ("", "Eq", "Statement", "Cite")
#: Suffixes of a claim's macros that need a report.
REPORT_SUFFIXES: tuple[str, ...] = ("Verdict", "Measured", "MeasuredValue", "MeasuredLo", "MeasuredHi",
                                    "MeasuredWhat", "Predicted", "Level")
REPORT_MACROS: tuple[str, ...] = ("svReportSeed", "svReportSizes", "svReportDate", "svReportVersions",
                                  "svVerifiedAt")
STATUS_TEXT = {"published": "published", "corrected": "corrected (erratum)",
               "reconstructed": "reconstructed (ours, not the paper's)"}


def spell_digits(s: str) -> str:
    """``phase2`` -> ``phaseTwo``: every digit as its English word, capitalised."""
    return re.sub(r"\d", lambda m: _DIGITS[int(m.group())], s)


def macro_name(claim_id: str) -> str:
    """``dynamical.time_exponent`` -> ``svDynamicalTimeExponent`` (letters only)."""
    out = []
    for w in re.split(r"[._]", claim_id):
        w = spell_digits(w)
        out.append(w[:1].upper() + w[1:])
    return "sv" + "".join(out)


def statement_latex(claim: Claim) -> str:
    """The statement as LaTeX text: ``latex_statement``, else the plain statement made safe."""
    return claim.latex_statement or plain_to_latex(claim.statement)


def claim_macro_names(claim: Claim, report: bool = False) -> list[str]:
    """The names of the macros defined for ``claim`` (without the numbered value macros)."""
    base = macro_name(claim.id)
    return [base + s for s in CLAIM_SUFFIXES + (REPORT_SUFFIXES if report else ())]


def macro_set(claims: Iterable[Claim], report: bool = False) -> dict[str, str]:
    """macro name -> claim id over ``claims``; raises ValueError when two claims share a name."""
    out: dict[str, str] = {}
    for c in claims:
        for name in claim_macro_names(c, report):
            other = out.get(name)
            if other is not None and other != c.id:
                raise ValueError(f"claims {other} and {c.id} both define the LaTeX macro \\{name}; rename one")
            if name in REPORT_MACROS:
                raise ValueError(f"claim {c.id} defines the reserved LaTeX macro \\{name}; rename it")
            out[name] = c.id
    return out


def define(name: str, body: str) -> str:
    """``\\newcommand{\\name}{body}``."""
    return f"\\newcommand{{\\{name}}}{{{body}}}"


def one_line(s: str) -> str:
    return " ".join(s.split())


@dataclass(frozen=True)
class ValueMacros:
    """The LaTeX texts of one measured value: ``measured`` is ``value [lo, hi]``."""

    measured: str
    value: str
    lo: str
    hi: str
    predicted: str

    @classmethod
    def of(cls, v: Measured, digits: int) -> "ValueMacros":
        value, lo, hi = format_interval(v, digits)
        if v.kind == "relative" and v.predicted not in (None, 0):
            # an exact computation against a tolerance: the relative error is the figure, not a band
            err = abs(v.value - v.predicted) / abs(v.predicted)
            measured = (f"{value} (rel.\\ error {format_number(err, 2)}, "
                        f"tol.\\ {format_number(v.tolerance, 2)})")
        else:
            measured = value if lo is None else f"{value} [{lo}, {hi}]"
        pred = "--" if v.predicted is None else format_number(v.predicted, digits)
        return cls(measured, value, lo or "--", hi or "--", pred)


def _level_name(level: str) -> str:
    return level[:1].upper() + level[1:]


def report_macros(report: Report, claims: Sequence[Claim], digits: int = 3) -> list[str]:
    """Definitions of the report-wide macros and, for each of ``claims`` in the report, its verdict
    and measured values (claims the report does not hold get none)."""
    lines = ["% measured values and verdicts from " + one_line(str(report.path)),
             define("svReportSeed", str(report.seed)), define("svReportSizes", report.sizes),
             define("svReportDate", tex_text(report.date)),
             define("svReportVersions", tex_text(versions_text(report))),
             define("svVerifiedAt", verified_at(report))]
    for c in claims:
        rec = report.claim(c.id)
        if rec is None:
            continue
        base = macro_name(c.id)
        lines.append(f"% {c.id}: verdict {rec.verdict}")
        lines.append(define(base + "Verdict", tex_text(rec.verdict)))
        head = rec.headline()
        if head is not None:
            level, v = head
            m = ValueMacros.of(v, digits)
            lines += [define(base + "Measured", m.measured), define(base + "MeasuredValue", m.value),
                      define(base + "MeasuredLo", m.lo), define(base + "MeasuredHi", m.hi),
                      define(base + "MeasuredWhat", plain_to_latex(v.name)), define(base + "Predicted", m.predicted),
                      define(base + "Level", level)]
        for chk in rec.checks:
            if chk.resolution is not None:
                stem = base + _level_name(chk.level)
                lines.append(f"% {chk.level} resolution: the smallest perturbation of the claim its check rejects")
                lines.append(define(stem + "Resolution", format_number(chk.resolution, 2)))
            if chk.target is not None and chk.level != "symbolic":
                lines.append(define(base + _level_name(chk.level) + "ResolutionTarget", format_number(chk.target, 2)))
        counts: dict[str, int] = {}
        for level, v in rec.all_values():
            counts[level] = counts.get(level, 0) + 1
            m = ValueMacros.of(v, digits)
            stem = base + _level_name(level) + spell_digits(str(counts[level]))
            lines.append(f"% {level} value {counts[level]}: {one_line(v.name)}")
            lines += [define(stem + "Measured", m.measured), define(stem + "Value", m.value),
                      define(stem + "Lo", m.lo), define(stem + "Hi", m.hi), define(stem + "Predicted", m.predicted)]
    return lines


def versions_text(report: Report) -> str:
    """``scaling-verify 0.1.0, sympy 1.14.0, ...`` (the report's versions, in its order)."""
    return ", ".join(f"{k} {v}" for k, v in report.versions)


def verified_at(report: Report) -> str:
    """One line of LaTeX text: seed, sizes, date and versions of the report (``seed 0, quick sizes, ...``)."""
    return (f"seed {report.seed}, {report.sizes} sizes, {tex_text(report.date)}; "
            f"{tex_text(versions_text(report))}")


def macros(claims: Iterable[Claim], theories: Sequence[Theory], options: LatexOptions = DEFAULT,
           report: Report | None = None, digits: int = 3) -> str:
    """The macro definitions of ``claims`` (and of their measured values with ``report``); citation
    keys over ``theories`` (see :func:`scaling_verify.report.latex.bibtex.cite_keys`)."""
    claims = list(claims)
    macro_set(claims, report is not None)
    keys = cite_keys(theories)
    lines = ["% scaling-verify: per claim \\sv<Id> (formula), \\sv<Id>Eq (quantity = formula), "
             "\\sv<Id>Statement, \\sv<Id>Cite"]
    for c in claims:
        name = macro_name(c.id)
        lines.append(f"% {c.id} [{c.status}{'' if c.holds else ', refuted'}]: {one_line(c.statement)}")
        lines.append(define(name, formula_latex(c, options)))
        lines.append(define(name + "Eq", claim_latex(c, options)))
        lines.append(define(name + "Statement", statement_latex(c)))
        lines.append(define(name + "Cite", f"\\cite{{{keys[c.theory]}}}" if c.theory in keys else ""))
    if report is not None:
        lines += report_macros(report, claims, digits)
    return "\n".join(lines) + "\n"


def sty(claims: Iterable[Claim], theories: Sequence[Theory], options: LatexOptions = DEFAULT,
        report: Report | None = None, digits: int = 3) -> str:
    """``scalingverify.sty``: the :func:`macros` as a package (``\\usepackage{scalingverify}``)."""
    date = report.date.replace("-", "/") + " " if report is not None and report.date else ""
    return ("\\NeedsTeXFormat{LaTeX2e}\n"
            f"\\ProvidesPackage{{scalingverify}}[{date}scaling-verify claims as macros]\n"
            "\\RequirePackage{amsmath}\n\\RequirePackage{amssymb}\n"
            + macros(claims, theories, options, report, digits) + "\\endinput\n")
