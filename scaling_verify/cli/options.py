"""Command-line options shared by several ``scaling-verify`` subcommands."""

from __future__ import annotations

import argparse


def add_module_option(p: argparse.ArgumentParser) -> None:
    """``--module MOD`` (repeatable): a theory module to import from the current directory."""
    from scaling_verify.selection import MODULE_HELP

    p.add_argument("--module", action="append", default=[], metavar="MOD", help=MODULE_HELP)


def console(**kw):
    """A rich ``Console`` whose broken pipe (``scaling-verify ... | head``) raises ``BrokenPipeError``
    for the command to end quietly (rich's own default exits with status 1, which reads as a failed
    check)."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return _Console(**kw)
