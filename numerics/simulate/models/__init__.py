"""The models the simulation checks run: one idea per module.

* :mod:`.random_features` -- the random-feature linear model (spectrum, projections, exact gradient flow
  and GD, residuals, deterministic equivalents, finite-data solvers);
* :mod:`.rf_ensemble` -- ensembles and teachers of the random-feature model, its DMFT loss curve, exact
  expected one-pass SGD loss;
* :mod:`.compute_frontier` -- nested-width loss surfaces and the compute-optimal frontier;
* :mod:`.dmft_frontier` -- the float64 DMFT deterministic equivalent and its compute-optimal frontier;
* :mod:`.finite_p_de` -- the float64 two-time deterministic equivalent of the finite-P gradient-flow loss;
* :mod:`.sgd_phases` -- exact expected one-pass SGD loss per width (4+3 phases);
* :mod:`.spectral_flow`, :mod:`.quantize`, :mod:`.prune`, :mod:`.compression_fits`,
  :mod:`.spectral_studies` -- the generalized spectral model, its compression and the shared sweeps;
* :mod:`.sparse_parity` -- multitask sparse parity (the quantization model of scaling);
* :mod:`.ntk_kernels` -- NTK/NNGP kernels and finite-width network ensembles.

Modules here hold no checks; every public entry point runs in JAX float64
(:func:`numerics.simulate.with_float64`).
"""
