"""Claims about the world: published scaling-law fits checked on public training runs (level ``empirical``).

A published fit (its form, the printed parameters, the data set with provenance, the protocol:
:mod:`numerics.fitting.published`) is a claim like a theory's, built in :mod:`.published_fit`, with a
check that refits it on the stored data (:mod:`numerics.fitting.reproduce`). Its verdict is one of
``reproduced``, ``refuted`` or ``not reproducible``; the claim states which one the evidence supports.
One module per paper: :mod:`.data_constrained` (Muennighoff et al. 2023).
"""
