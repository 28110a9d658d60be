"""The public solvable-model library (re-exported as :mod:`scaling_verify.models`).

* :class:`.power_law.PowerLaw` -- the linear power-law model of Bordelon, Atanasov, Pehlevan (2024):
  ``lambda_k = k^-b``, ``lambda_k w*_k^2 = k^-a``; its test loss as a 30-digit deterministic equivalent
  (:meth:`~.power_law.PowerLaw.loss`), the real system simulated in JAX (:meth:`~.power_law.PowerLaw.simulate`)
  and its scaling exponents derived in SymPy (:meth:`~.power_law.PowerLaw.exponent`);
* :class:`.linear.Linear` -- the same system on any spectrum and target (arrays or callables), with one-pass SGD
  (:meth:`~.linear.Linear.sgd_loss`, exact; :meth:`~.linear.Linear.sgd_simulate`, the real system);
* :func:`.claims.claims` -- exponent claims of such a model, each with its symbolic, precise and simulate checks
  (and so its power items) already wired; :class:`.claims.Scaling` declares one, :class:`.claims.Sizes` the sizes;
* :mod:`.mode_sums` -- the model's infinite-mode sums at 30 digits (population loss, the fixed point
  ``sum_k lambda_k/(lambda_k + kappa) = n``, projection residual, ensemble bias, ridgeless kernel regression), at
  real sizes (the checks difference them in ``log n``).

Importing this package imports mpmath and numpy only; JAX and SymPy load on first use (``claims`` registers
claims, so it imports SymPy when called).
"""

from __future__ import annotations

from scaling_verify.numerics.models.claims import Scaling, Sizes, claims
from scaling_verify.numerics.models.linear import Linear
from scaling_verify.numerics.models.power_law import Exponent, PowerLaw

__all__ = ["Exponent", "Linear", "PowerLaw", "Scaling", "Sizes", "claims"]
