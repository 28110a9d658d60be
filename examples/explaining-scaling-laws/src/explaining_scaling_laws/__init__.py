"""scaling-verify plug-in for Bahri, Dyer, Kaplan, Lee, Sharma 2021, "Explaining neural scaling laws".

Importing :mod:`explaining_scaling_laws.claims` (the ``scaling_verify.theories`` entry point ``bahri``)
registers the theory and its claims. The resolution-limited claims are the library's power-law model
(``sv.models.claims``: their checks come with them); the other numeric checks live in :mod:`.precise` (mpmath)
and :mod:`.simulate` (JAX) and load only when their level runs.
"""

__version__ = "0.1.0"
