"""Solvers behind the precise checks (not check modules: the check loader imports only the modules directly
in :mod:`numerics.precise`, so these stay light to import, e.g. by spawned worker processes)."""
