"""The ``scaling-verify latex`` subcommand: its arguments and what it writes."""

from __future__ import annotations

import sys
from pathlib import Path

from theory.claims import REGISTRY, THEORIES


def add_parser(sub) -> None:
    """Add the ``latex`` subcommand to the ``scaling-verify`` subparsers ``sub``."""
    px = sub.add_parser("latex", help="claims as LaTeX macros, equations or a standalone document")
    px.add_argument("--theory", choices=THEORIES)
    px.add_argument("--format", choices=("macros", "equations", "document"), default="macros")
    px.add_argument("-o", "--output", type=Path, help="write to FILE instead of standard output")


def run(args) -> int:
    """Run ``scaling-verify latex``; return the exit code (ValueError -> exit 2 in the caller)."""
    from theory.latex import render

    text = render(REGISTRY.all(args.theory), args.format)
    if args.output:
        try:
            args.output.write_text(text)
        except OSError as exc:
            raise ValueError(f"cannot write {args.output}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    return 0
