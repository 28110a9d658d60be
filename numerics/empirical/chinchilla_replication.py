"""The ``empirical`` checks of :mod:`theory.chinchilla_replication`: each claim refitted on the points extracted
from Hoffmann et al.'s Figure 4 (data set ``epoch_chinchilla``, fetched once on demand) under the protocol of its
published record (:mod:`numerics.fitting.published`). Without the data on this machine the checks say
``needs data`` and how to fetch them."""

from __future__ import annotations

from scaling_verify.checks import check
from scaling_verify.numerics.empirical.published_fit import check_of
from scaling_verify.theory.chinchilla_replication import RECORDS, THEORY

for _claim, _record in RECORDS.items():
    check(f"{THEORY}.{_claim}", "empirical")(check_of(_record))
