"""mpmath high-precision checks: the exact finite objects behind the asymptotic claims.

Rules: 30 digits by default (``DPS``), always inside ``mpmath.workdps`` (never a global precision),
``nsum`` with an explicit ``method=`` for power-law tails, infinite ranges split at scale points.
"""

DPS = 30
