"""What to check: the options ``scaling-verify verify`` and ``pytest --sv`` share, in one table
(``--theory`` on the command is ``--sv-theory`` in pytest). Standard library only: pytest reads it before
anything else of ours is imported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scaling_verify.levels import LEVEL_CHOICES

MODULE_HELP = "import this module (or .py file) from the current directory first: a theory of your own (repeatable)"

#: (name, argparse keywords): the selection options, without their prefix.
SHARED: tuple[tuple[str, dict[str, Any]], ...] = (
    ("theory", dict(action="append", metavar="T", help="only this theory (repeatable)")),
    ("claim", dict(action="append", metavar="ID", help="only this claim id (repeatable)")),
    ("module", dict(action="append", default=[], metavar="MOD", help=MODULE_HELP)),
    ("all", dict(action="store_true",
                 help="with the module option: also the installed theories' claims (default: only the module's)")),
    ("level", dict(choices=LEVEL_CHOICES, default="all", help="only checks of this level (default all)")),
    ("resolution", dict(action="store_true",
                        help="also measure each passing numeric check's resolution: the smallest perturbation of "
                             "its claim it rejects, by bisection (reported)")),
)


def add_selection(add: Callable[..., Any], prefix: str = "", dest: Callable[[str], str] | None = None,
                  **defaults: Any) -> None:
    """Add the :data:`SHARED` options through ``add`` (``ArgumentParser.add_argument`` or pytest's
    ``addoption``) as ``--{prefix}{name}``; ``dest(name)`` names where each lands, ``defaults`` override a
    name's default."""
    for name, kw in SHARED:
        kw = dict(kw)
        if name in defaults:
            kw["default"] = defaults[name]
        if dest is not None:
            kw["dest"] = dest(name)
        add(f"--{prefix}{name}", **kw)
