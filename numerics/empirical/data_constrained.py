"""The ``empirical`` checks of :mod:`theory.data_constrained`: each claim refitted on the authors' public runs
(``datablations_runs``) under the protocol of its published record (:mod:`numerics.fitting.published`)."""

from __future__ import annotations

from scaling_verify.checks import check
from scaling_verify.numerics.empirical.published_fit import check_of

RECORDS = {  # claim id -> the published record it is checked against
    "data_constrained.decay_constants": "muennighoff2023_decay",
    "data_constrained.tied_fit_2p5_epochs": "datablations_tied_2p5_epochs",
    "data_constrained.fixed_e_fit_2_epochs": "datablations_fixed_e_2_epochs",
}

for _claim, _record in RECORDS.items():
    check(_claim, "empirical")(check_of(_record))
