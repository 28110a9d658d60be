"""Command-line options shared by several ``scaling-verify`` subcommands."""

from __future__ import annotations

import argparse


def add_module_option(p: argparse.ArgumentParser) -> None:
    """``--module MOD`` (repeatable): a theory module to import from the current directory."""
    p.add_argument("--module", action="append", default=[], metavar="MOD",
                   help="import this module (or .py file) from the current directory first: "
                        "a theory of your own (repeatable)")
