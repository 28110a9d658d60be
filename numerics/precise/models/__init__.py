"""Solvers behind the precise checks (not check modules: the check loader imports only the modules directly
in :mod:`numerics.precise`, so these stay light to import, e.g. by spawned worker processes).

* :mod:`.dmft_solver` -- the 30-digit DMFT loss curve (gmpy2);
* :mod:`.two_time` -- the 30-digit two-time deterministic equivalent of the finite-P loss (derivation there).
"""
