"""The check levels, in one place (standard library only: the command line and the pytest plugin read them
before anything else of ours is imported)."""

LEVELS: tuple[str, ...] = ("symbolic", "precise", "simulate", "empirical")
"""``symbolic`` (a SymPy derivation), ``precise`` (mpmath, 30+ digits), ``simulate`` (JAX), ``empirical`` (a
published fit refitted on public training runs), in run order."""

NUMERIC_LEVELS: tuple[str, ...] = LEVELS[1:]
"""The levels of registered numeric checks."""

LEVEL_CHOICES: tuple[str, ...] = (*LEVELS, "all")
"""What ``--level`` and ``--sv-level`` accept."""
