"""The ``scaling-verify latex`` subcommand: its arguments and what it writes.

Formats: ``macros`` (``\\newcommand`` per claim), ``sty`` (the same as ``scalingverify.sty``; written
to ``./scalingverify.sty`` unless ``-o`` says otherwise), ``equations`` (labelled equations),
``document`` (a standalone paper-ready document) and ``bibtex`` (one entry per source). ``--report DIR``
adds the measured values and verdicts of ``DIR/report.json``. Bad input (an unknown theory, a missing
or foreign report, a printed formula that is not its claim's expression) raises ``ValueError`` with
one line, which the command reports with exit status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scaling_verify.theory.claims import REGISTRY

STY_NAME = "scalingverify.sty"


def add_parser(sub) -> None:
    """Add the ``latex`` subcommand to the ``scaling-verify`` subparsers ``sub``."""
    from scaling_verify.report.latex import FORMATS, ORDERS

    px = sub.add_parser("latex", help="claims as LaTeX: macros, a style file, equations, a document, BibTeX")
    px.add_argument("--theory", help="only this theory")
    px.add_argument("--format", choices=FORMATS, default="macros")
    px.add_argument("--report", type=Path, metavar="DIR",
                    help="add measured values and verdicts from DIR/report.json (scaling-verify verify --report DIR)")
    px.add_argument("--digits", type=int, default=3, help="significant digits of measured values (default 3)")
    px.add_argument("--order", choices=ORDERS, help="SymPy's term order for formulas without a printed form")
    px.add_argument("--symbol-name", action="append", default=[], metavar="NAME=LATEX",
                    help="typeset symbol NAME as LATEX (repeatable), e.g. sigma_b2='\\sigma_b^2'")
    px.add_argument("--sympy", action="store_true",
                    help="typeset SymPy's rendering of every formula, not the paper's printed form")
    px.add_argument("-o", "--output", type=Path,
                    help=f"write to FILE instead of standard output (--format sty: default ./{STY_NAME})")
    from scaling_verify.cli.options import add_module_option

    add_module_option(px)


def _symbol_names(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, tex = item.partition("=")
        if not sep or not name.strip() or not tex.strip():
            raise ValueError(f"--symbol-name wants NAME=LATEX, got {item!r}")
        out[name.strip()] = tex.strip()
    return out


def run(args) -> int:
    """Run ``scaling-verify latex``; return the exit code (ValueError -> exit 2 in the caller)."""
    from scaling_verify.report.latex import LatexOptions, load_report, render

    options = LatexOptions(order=args.order, symbol_names=_symbol_names(args.symbol_name),
                           use_printed=not args.sympy)
    report = load_report(args.report) if args.report is not None else None
    text = render(REGISTRY.all(args.theory), args.format, options, report=report, digits=args.digits)
    output = args.output
    if output is None and args.format == "sty":
        output = Path(STY_NAME)
    if output is not None and output.is_dir():
        output = output / (STY_NAME if args.format == "sty" else f"claims-{args.format}.tex")
    if output is None:
        sys.stdout.write(text)
        return 0
    try:
        output.write_text(text)
    except OSError as exc:
        raise ValueError(f"cannot write {output}: {exc.strerror}") from None
    if args.format == "sty" and args.output is None:
        print(f"wrote {output}", file=sys.stderr)
    return 0
