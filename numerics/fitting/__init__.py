"""The fitting lab: scaling-law forms defined once in SymPy, fitted by a vectorised JAX optimiser.

Modules: :mod:`~numerics.fitting.forms` (the laws), :mod:`~numerics.fitting.translate` (SymPy -> JAX),
:mod:`~numerics.fitting.expr_parser` (user laws, restricted parser), :mod:`~numerics.fitting.optimize`
(multi-start L-BFGS), :mod:`~numerics.fitting.bootstrap`, :mod:`~numerics.fitting.engine` (a fit, end
to end), :mod:`~numerics.fitting.diagnostics`, :mod:`~numerics.fitting.results`,
:mod:`~numerics.fitting.io` (CSV), :mod:`~numerics.fitting.chinchilla`,
:mod:`~numerics.fitting.reference` (the scipy reference), :mod:`~numerics.fitting.power_law`,
:mod:`~numerics.fitting.identify` (profiles, curvature, degeneracy flags),
:mod:`~numerics.fitting.family` (shared exponents across model families),
:mod:`~numerics.fitting.practice` (predictions with intervals, rolling backtests, coverage, checkpoint filters),
:mod:`~numerics.fitting.asymptotic` (sandwich covariance, delta method, likelihood-ratio cut),
:mod:`~numerics.fitting.select` (ranking the built-in laws), :mod:`~numerics.fitting.budgets` (compute
budgets), :mod:`~numerics.fitting.plot` (figures).
Import the submodules; this package imports nothing heavy itself.
"""
