"""Muennighoff, Rush, Barak, Le Scao, Piktus, Tazi, Pyysalo, Wolf, Raffel 2023, "Scaling Data-Constrained
Language Models" (arXiv:2305.16264): its published fits as claims about the world, checked on its own
public runs (``datablations_runs``) by :mod:`numerics.empirical.data_constrained`.

The printed values were read in the authors' repository huggingface/datablations at commit
13701315b163f1c54642b94ad237b2699187c3ee, notebook ``utils/parametric_fit.ipynb`` (the cells named
below); its logarithms ``a = log A``, ``b = log B``, ``e = log E`` are exponentiated here.

* ``decay_constants`` -- :math:`R_D^* = 15.387756`, :math:`R_N^* = 5.309743` (eqs. 5-6; cell 29 and the
  README's "Parametric Fit"), fitted on 182 runs with :math:`E, A, B, \\alpha = \\beta` held at the C4 fit
  (cell 7): **not reproducible** -- the runs do not identify :math:`R_D^*`.
* ``tied_fit_2p5_epochs`` -- Chinchilla with :math:`\\alpha = \\beta`, runs of at most 2.5 epochs (cell 16):
  **reproduced**.
* ``fixed_e_fit_2_epochs`` -- Chinchilla with :math:`E = 1.69` held, runs of at most 2 epochs (cell 17):
  **reproduced**.
"""

from __future__ import annotations

import math

from scaling_verify.theory.claims import Theory, register, register_theory
from scaling_verify.theory.published_fits import chinchilla_law, data_constrained_law, published_claim

THEORY = "data_constrained"
NOTEBOOK = ("huggingface/datablations@13701315b163f1c54642b94ad237b2699187c3ee, utils/parametric_fit.ipynb")
SOURCE = "Muennighoff et al. 2023, arXiv 2305.16264"
C4_ALPHA = 0.3526596  # cell 7: a, b, e, alpha (= beta) = 6.255414, 7.3049974, 0.6254804, 0.3526596
C4 = {"E": math.exp(0.6254804), "A": math.exp(6.255414), "B": math.exp(7.3049974), "alpha": C4_ALPHA,
      "beta": C4_ALPHA}


def _register() -> None:
    register_theory(Theory(
        id=THEORY, title="Scaling Data-Constrained Language Models",
        authors=("Niklas Muennighoff", "Alexander M. Rush", "Boaz Barak", "Teven Le Scao", "Aleksandra Piktus",
                 "Nouamane Tazi", "Sampo Pyysalo", "Thomas Wolf", "Colin Raffel"), year=2023, arxiv="2305.16264",
        checks={"empirical": ("scaling_verify.numerics.empirical.data_constrained",)},
        notes="Claims about the world: the paper's published fits checked on its public runs."))
    register(published_claim(
        f"{THEORY}.decay_constants", data_constrained_law(),
        {**C4, "R_D_star": 15.387756, "R_N_star": 5.309743}, held=("alpha", "beta"),
        statement="The data-constrained law with R_D* = 15.39 and R_N* = 5.31 (E, A, B and alpha = beta held at "
                  "the C4 fit) is what the authors' 182 runs support.",
        latex_statement=r"The data-constrained law with $R_D^* = 15.39$ and $R_N^* = 5.31$ ($E$, $A$, $B$ and "
                        r"$\alpha = \beta$ held at the C4 fit) is what the authors' 182 runs support.",
        source=f"{SOURCE}, eqs. 5-6; {NOTEBOOK}, cell 29", outcome="not reproducible",
        evidence="The refit on the same 182 runs reaches the printed objective (0.0158) and the printed point lies "
                 "inside the joint 95 % region, but the runs do not identify R_D*: its profile stays within the "
                 "identifiability threshold over two decades, so these data support no value of it."))
    register(published_claim(
        f"{THEORY}.tied_fit_2p5_epochs", chinchilla_law(tied=True),
        {"E": math.exp(0.63987476), "A": math.exp(6.4526014), "B": math.exp(8.022968), "alpha": 0.3595363},
        statement="The Chinchilla law with alpha = beta printed for the authors' runs of at most 2.5 epochs "
                  "(62 runs) is the optimum of those runs.",
        latex_statement=r"The Chinchilla law with $\alpha = \beta$ printed for the authors' runs of at most 2.5 "
                        r"epochs (62 runs) is the optimum of those runs.",
        source=f"{SOURCE}; {NOTEBOOK}, cell 16", outcome="reproduced"))
    register(published_claim(
        f"{THEORY}.fixed_e_fit_2_epochs", chinchilla_law(),
        {"E": math.exp(0.52472854), "A": math.exp(4.2209926), "B": math.exp(8.796665), "alpha": 0.22246543,
         "beta": 0.39888707}, held=("E",),
        statement="The Chinchilla law with E = 1.69 held, printed for the authors' runs of at most 2 epochs "
                  "(59 runs), is the optimum of those runs.",
        latex_statement=r"The Chinchilla law with $E = 1.69$ held, printed for the authors' runs of at most 2 "
                        r"epochs (59 runs), is the optimum of those runs.",
        source=f"{SOURCE}; {NOTEBOOK}, cell 17", outcome="reproduced"))


_register()
