"""Published scaling-law fits, as printed: the values, their intervals, the data and the protocol.

Facts only. Every number below was read in the place its :attr:`PublishedFit.source` names (a paper,
or a public repository at a commit: a notebook's printed cell output, a README); nothing is rounded,
recomputed or filled in. Where a publication prints no interval the record has none. A parameter that
a publication printed as a logarithm (``a = log A``) is stored as the natural value ``exp(a)`` in
:attr:`PublishedFit.parameters` and as printed in :attr:`PublishedFit.printed_logs`.

Records (:data:`RECORDS`, by name :func:`record`):

* ``hoffmann2022_approach3`` -- Hoffmann et al., arXiv:2203.15556, approach 3: the Chinchilla law
  :math:`L = E + A N^{-\\alpha} + B D^{-\\beta}` fitted with the Huber loss (:math:`\\delta = 10^{-3}`)
  of log residuals, L-BFGS from a grid of starts (App. D.2); printed :math:`E = 1.69, A = 406.4,
  B = 410.7, \\alpha = 0.34, \\beta = 0.28`. Their data are not public; checked, as Besiroglu et al.
  do, on the points extracted from their Figure 4 (``epoch_chinchilla``, fetched on demand).
* ``hoffmann2022_approach3_tex`` -- the same fit with the unrounded values of the paper's TeX source,
  as Besiroglu et al. quote them (arXiv:2404.10102; their notebook).
* ``besiroglu2024_refit`` -- Besiroglu, Erdil, Barnett, You, arXiv:2404.10102: the same law refitted on
  245 points they extracted from Hoffmann et al.'s Figure 4 (five highest losses left out), with
  bootstrap standard errors and 95 % percentile intervals (4000 resamples). The extracted data carry
  no licence and are not stored in the package: data set ``epoch_chinchilla`` is fetched once into the
  cache and checked against its SHA-256 (:mod:`numerics.fitting.datasets`).
* ``muennighoff2023_decay`` -- Muennighoff et al., arXiv:2305.16264: the decay constants
  :math:`R_D^* = 15.387756, R_N^* = 5.309743` of the data-constrained law (effective data
  :math:`D' = U_D + U_D R_D^*(1 - e^{-R_D/R_D^*})`, effective parameters :math:`N'` likewise; the fitting
  lab's ``data-constrained`` form, :mod:`numerics.fitting.forms`, cites it as eqs. 5-6), fitted on
  182 of their runs with the Chinchilla constants held at their C4 fit. Checkable on ``datablations_runs``.
* ``muennighoff2023_c4_base`` -- those C4 constants (:math:`\\alpha = \\beta` tied), fitted on points read
  from Hoffmann et al.'s C4 isoFLOP figure (54 points; not stored here).
* ``datablations_tied_2p5_epochs`` and ``datablations_fixed_e_2_epochs`` -- two Chinchilla fits the
  public notebook of Muennighoff et al. prints for its own runs at or below 2.5 and 2 epochs (62 and 59
  runs of ``datablations_runs``): one with :math:`\\alpha = \\beta` tied, one with :math:`E = 1.69` held.

Looked for and not found (so not recorded): a printed parametric fit of a ``revisiting_lang`` learning
curve (the google-research repository holds the data and an output-free notebook; the paper's tables
were not readable offline), and a published power-law fit of Pythia's LAMBADA perplexity
(``pythia_lambada``; the EleutherAI/pythia repository holds evaluations only). Hoffmann et al.'s printed
intervals (their Table 2 is of the allocation exponents a, b, not of these parameters) could not be read
offline and are not recorded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np

__all__ = ["PrintedIntervals", "Protocol", "PublishedFit", "RECORDS", "RowFilter", "names", "record"]


def _frozen(d: Mapping) -> Mapping:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class PrintedIntervals:
    """Intervals as a publication prints them: ``bounds`` (name -> (lo, hi)) or ``errors`` (name ->
    standard error); ``kind`` in words (e.g. "95% bootstrap percentile"), ``level`` the coverage
    (None for standard errors) and ``resamples`` the bootstrap size when printed."""

    kind: str
    level: float | None = None
    bounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    errors: Mapping[str, float] = field(default_factory=dict)
    resamples: int | None = None


@dataclass(frozen=True)
class RowFilter:
    """Which rows of the data set the publication fitted: every row (no field set), rows with at most
    ``max_epochs`` = D/U, the runs named in ``runs`` (column ``run``), or all but the
    ``drop_highest_loss`` rows of highest loss. ``description`` says it in words, with its source."""

    description: str = "every row"
    max_epochs: float | None = None
    runs: tuple[str, ...] | None = None
    drop_highest_loss: int = 0

    def mask(self, columns: Mapping[str, np.ndarray], target: str) -> np.ndarray:
        """Boolean mask of the kept rows of ``columns`` (ValueError naming a missing column or run)."""
        y = np.asarray(columns[target], float)
        keep = np.ones(y.size, dtype=bool)
        if self.max_epochs is not None:
            for c in ("D", "U"):
                if c not in columns:
                    raise ValueError(f"row filter D/U <= {self.max_epochs:g} needs column {c}")
            keep &= np.asarray(columns["D"], float) / np.asarray(columns["U"], float) <= self.max_epochs
        if self.runs is not None:
            if "run" not in columns:
                raise ValueError("row filter by run name needs column 'run'")
            run = np.asarray(columns["run"]).astype(str)
            missing = sorted(set(self.runs) - set(run.tolist()))
            if missing:
                raise ValueError(f"row filter: {len(missing)} named runs are not in the data (e.g. {missing[0]})")
            keep &= np.isin(run, np.asarray(self.runs))
        if self.drop_highest_loss:
            order = np.argsort(y, kind="stable")
            keep[order[-self.drop_highest_loss:]] = False
        return keep


@dataclass(frozen=True)
class Protocol:
    """How the publication fitted: ``loss`` ("huber" with ``delta``, or "least squares") on the
    residuals of ``space`` ("log": log prediction - log loss), the parameters it held ``fixed``
    (name -> value), the rows (``rows``), and ``note`` for anything the fitting lab does differently."""

    loss: str = "huber"
    delta: float | None = 1e-3
    space: str = "log"
    fixed: Mapping[str, float] = field(default_factory=dict)
    rows: RowFilter = field(default_factory=RowFilter)
    note: str = ""


@dataclass(frozen=True)
class PublishedFit:
    """One published fit: the form (a fitting-lab form name: ``chinchilla``, ``data-constrained``, or
    ``chinchilla-tied``, the Chinchilla law with :math:`\\alpha = \\beta`), every parameter's printed
    value (natural units; held-fixed ones included), printed intervals, the stored data set it can be
    checked on (None: not redistributable or not public), the protocol, the citation and the exact
    place each number was read (``source``)."""

    name: str
    form: str
    parameters: Mapping[str, float]
    dataset: str | None
    protocol: Protocol
    citation: str
    arxiv: str
    source: str
    intervals: PrintedIntervals | None = None
    #: parameters printed as logarithms (name -> printed log), e.g. ``a`` of ``A = exp(a)``
    printed_logs: Mapping[str, float] = field(default_factory=dict)
    #: how many points the publication fitted, where it says (sizes the narrow-interval test)
    n_points: int | None = None
    target: str = "loss"

    @property
    def fitted(self) -> tuple[str, ...]:
        """The parameters the publication fitted (those it did not hold fixed)."""
        return tuple(k for k in self.parameters if k not in self.protocol.fixed)


_HOFFMANN = ("J. Hoffmann, S. Borgeaud, A. Mensch et al., Training Compute-Optimal Large Language Models, "
             "NeurIPS 2022, arXiv:2203.15556")
_BESIROGLU = "T. Besiroglu, E. Erdil, M. Barnett, J. You, Chinchilla Scaling: A replication attempt, arXiv:2404.10102"
_MUENNIGHOFF = ("N. Muennighoff, A. M. Rush, B. Barak, T. Le Scao, A. Piktus, N. Tazi, S. Pyysalo, T. Wolf, "
                "C. Raffel, Scaling Data-Constrained Language Models, NeurIPS 2023, arXiv:2305.16264")
_EPOCH_NB = ("github.com/epoch-research/analyzing-chinchilla at commit 92258837425e1b5f2851d624287f0120583a3d0e, "
             "data_analysis.ipynb")
_DATABLATIONS_NB = ("github.com/huggingface/datablations at commit 13701315b163f1c54642b94ad237b2699187c3ee, "
                    "utils/parametric_fit.ipynb")

#: Muennighoff et al.'s C4 Chinchilla constants as printed (logs a, b, e; alpha = beta), notebook cell 7
#: output and README "Parametric Fit": [6.255414, 7.3049974, 0.6254804, 0.3526596]
_C4_LOGS = {"A": 6.255414, "B": 7.3049974, "E": 0.6254804}
_C4_ALPHA = 0.3526596

#: the 182 runs of the data-constrained fit: the rows printed by cell 26 of the datablations notebook
#: ("Custom data loading with outliers removed", cell 25), matched to ``datablations_runs`` by
#: (N, D, U, loss) -- every one matches exactly one stored row; listed by the stored ``run`` name.
_DECAY_RUNS = (
    '2b832b4b', '2b840b4b', '2b855b4b', '2b855b9b', '2b855b11b', '2b855b14b', '2b855b18b', '2b855b28b',
    '2b855b55b', '4b236b12b', '4b248b12b', '4b260b12b', '4b272b12b', '4b284b12b', '4b284b17b', '4b284b21b',
    '4b284b28b', '4b284b42b', '4b284b84b', '8b7178b13b', '8b7178b25b', '8b7178b35b', '8b7178b44b',
    '8b7178b58b', '8b7178b88b', '8b7178b178b', '7m100m100m', '7m200m100m', '1b1100m100m', '14m100m100m',
    '20m400m400m', '25m400m400m', '25m200m100m', '25m400m100m', '25m800m100m', '14m200m100m', '14m400m100m',
    '14m800m100m', '14m1b5100m', '14m2b7100m', '14m3b9100m', '14m5b9100m', '14m14b100m', '14m20b100m',
    '14m91b100m', '14m174b100m', '14m600b100m', '14m900b100m', '44m200m100m', '44m400m100m', '44m1b5100m',
    '44m2b7100m', '44m3b9100m', '44m5b9100m', '44m7b5100m', '44m14b100m', '44m20b100m', '44m32b100m',
    '44m91b100m', '44m174b100m', '83m1b51b5', '196m1b51b5', '1b11b51b5', '1b11b5400m', '1b11b5100m',
    '619m2b72b7', '619m2b71b5', '619m2b7400m', '619m2b7100m', '619m1b5100m', '421m3b93b9', '421m3b91b5',
    '421m3b9400m', '421m3b9100m', '421m1b5100m', '421m2b7100m', '421m5b9100m', '421m7b5100m', '280m5b95b9',
    '280m5b91b5', '280m5b9400m', '280m5b9100m', '280m1b5100m', '280m2b7100m', '280m3b9100m', '280m7b5100m',
    '280m91b400m', '220m7b57b5', '220m7b51b5', '220m7b5400m', '220m7b5100m', '220m1b5100m', '220m2b7100m',
    '220m3b9100m', '220m5b9100m', '146m14b14b', '146m14b1b5', '146m14b400m', '146m14b100m', '146m60b400m',
    '146m91b400m', '146m174b400m', '146m1b5100m', '146m2b7100m', '146m3b9100m', '146m5b9100m', '146m7b5100m',
    '146m20b100m', '146m32b100m', '146m60b100m', '146m91b100m', '146m174b100m', '83m20b20b', '83m20b1b5',
    '83m20b400m', '83m20b100m', '83m400m100m', '83m1b5100m', '83m2b7100m', '83m3b9100m', '83m5b9100m',
    '83m7b5100m', '83m14b100m', '83m32b100m', '83m60b100m', '83m91b100m', '83m174b100m', '83m300b100m',
    '2b84b84b8', '2b84b81b5', '2b84b8400m', '1b58b88b8', '1b58b84b8', '1b58b81b5', '1b58b8400m', '1b112b12b',
    '1b112b4b8', '1b112b1b5', '1b112b400m', '619m22b22b', '619m22b4b8', '619m22b1b5', '619m22b400m',
    '619m60b400m', '619m91b400m', '421m32b32b', '421m32b4b8', '421m32b1b5', '421m32b400m', '421m32b100m',
    '421m60b400m', '421m91b400m', '421m91b1b5', '421m250b1b5', '221m60b60b', '221m60b4b8', '221m60b1b5',
    '221m60b400m', '221m3b9400m', '221m32b400m', '221m300b400m', '3b926b26b', '3b926b12b', '2b836b36b',
    '2b836b12b', '2b246b46b', '2b246b12b', '2b246b1b5', '1b566b66b', '1b566b12b', '1b191b91b', '1b191b12b',
    '574m174b174b', '574m174b12b', '574m174b1b5', '574m174b400m', '220m300b1b5', '220m600b1b5', '574m300b1b5',
    '574m600b1b5', '1b1174b1b5', '1b591b1b5',
)


#: the replication's rows: every extracted point but the 5 of highest loss (its nr_of_models_excluded = 5)
_EPOCH_ROWS = RowFilter("the 245 points of data/svg_extracted_data.csv (extracted from Hoffmann et al.'s Figure 4) "
                        "less the 5 of highest loss (nr_of_models_excluded = 5)", drop_highest_loss=5)


def _hoffmann(name: str, params: dict, logs: dict, source: str) -> PublishedFit:
    return PublishedFit(
        name=name, form="chinchilla", parameters=_frozen(params), dataset="epoch_chinchilla",
        protocol=Protocol(rows=_EPOCH_ROWS,
                          note="Hoffmann et al. fitted their own runs (not public) by L-BFGS from a grid of starts on "
                               "the Huber loss (delta = 1e-3) of log residuals (App. D.2); checked here, as Besiroglu "
                               "et al. do, on the points extracted from their Figure 4 with the same loss"),
        citation=_HOFFMANN, arxiv="2203.15556", source=source, printed_logs=_frozen(logs), n_points=240)


RECORDS: tuple[PublishedFit, ...] = (
    _hoffmann("hoffmann2022_approach3", {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}, {},
              "arXiv:2203.15556, approach 3 (Section 3.3; fit in App. D.2): L(N, D) = E + A/N^alpha + B/D^beta "
              "with E = 1.69, A = 406.4, B = 410.7, alpha = 0.34, beta = 0.28. The paper itself was not readable "
              "offline; the values were checked against true_params_rounded = [log(406.4), log(410.7), "
              f"log(1.69), 0.34, 0.28] in {_EPOCH_NB}, cell 16"),
    _hoffmann("hoffmann2022_approach3_tex",
              {"E": math.exp(0.5267228), "A": math.exp(6.0073404), "B": math.exp(6.0179186),
               "alpha": 0.33917084, "beta": 0.2849083},
              {"E": 0.5267228, "A": 6.0073404, "B": 6.0179186},
              f"the unrounded values of arXiv:2203.15556's TeX source as quoted by Besiroglu et al.: true_params = "
              f"[6.0073404, 6.0179186, 0.5267228, 0.33917084, 0.2849083] (log A, log B, log E, alpha, beta) in "
              f"{_EPOCH_NB}, cell 16"),
    PublishedFit(
        name="besiroglu2024_refit", form="chinchilla",
        parameters=_frozen({"E": 1.81686, "A": 482.00572, "B": 2085.43420, "alpha": 0.34781, "beta": 0.36585}),
        dataset="epoch_chinchilla",
        protocol=Protocol(
            rows=_EPOCH_ROWS,
            note="maximum likelihood with a Huber density of delta = 1e-3 and a fitted scale sigma (BFGS from "
                 "Hoffmann et al.'s TeX values), not the plain Huber loss; their plain-Huber grid fit of cell 18 "
                 "ends at log A, log B, log E, alpha, beta = 6.16901447, 7.66984732, 0.59728462, 0.34729653, "
                 "0.36715695"),
        citation=_BESIROGLU, arxiv="2404.10102",
        source=f"{_EPOCH_NB}: estimates and bootstrap standard errors printed by cell 25 ('A: 482.00572 (124.52232)' "
               "...), 95% intervals by cell 26; the data file data/svg_extracted_data.csv of the same commit "
               "(no licence in the repository, so not stored here: data set epoch_chinchilla is fetched on demand)",
        intervals=PrintedIntervals(
            kind="95% bootstrap percentile (4000 resamples of the points; standard errors from the same refits)",
            level=0.95, resamples=4000,
            bounds=_frozen({"A": (285.214, 743.626), "B": (1042.357, 5810.344), "E": (1.769, 1.871),
                            "alpha": (0.317, 0.373), "beta": (0.331, 0.415)}),
            errors=_frozen({"A": 124.52232, "B": 1293.28410, "E": 0.02566, "alpha": 0.01540, "beta": 0.02060})),
        n_points=240),
    PublishedFit(
        name="muennighoff2023_decay", form="data-constrained",
        parameters=_frozen({"E": math.exp(_C4_LOGS["E"]), "A": math.exp(_C4_LOGS["A"]), "B": math.exp(_C4_LOGS["B"]),
                            "alpha": _C4_ALPHA, "beta": _C4_ALPHA, "R_D_star": 15.387756, "R_N_star": 5.309743}),
        dataset="datablations_runs",
        protocol=Protocol(
            fixed=_frozen({"E": math.exp(_C4_LOGS["E"]), "A": math.exp(_C4_LOGS["A"]), "B": math.exp(_C4_LOGS["B"]),
                           "alpha": _C4_ALPHA, "beta": _C4_ALPHA}),
            rows=RowFilter(f"the 182 runs printed by cell 26 of {_DATABLATIONS_NB} (outliers removed, cell 25)",
                           runs=_DECAY_RUNS),
            note="R_D^*, R_N^* fitted with the C4 constants held (cell 29, grid R* in linspace(0, 20, 4), torch "
                 "L-BFGS in float32); printed minimum objective 0.015825936570763588"),
        citation=_MUENNIGHOFF, arxiv="2305.16264",
        source=f"{_DATABLATIONS_NB}, cell 29 output 'a, b, e, alpha, beta, ep_star, n_star: [6.255414, 7.3049974, "
               "0.6254804, 0.3526596, 0.3526596, 15.387756, 5.309743]'; the same list in the repository README, "
               "section 'Parametric Fit'",
        printed_logs=_frozen(_C4_LOGS), n_points=182),
    PublishedFit(
        name="muennighoff2023_c4_base", form="chinchilla-tied",
        parameters=_frozen({"E": math.exp(_C4_LOGS["E"]), "A": math.exp(_C4_LOGS["A"]), "B": math.exp(_C4_LOGS["B"]),
                            "alpha": _C4_ALPHA}),
        dataset=None,
        protocol=Protocol(rows=RowFilter("54 points read from Hoffmann et al.'s C4 isoFLOP figure "
                                         "(chinchilla_{1e19,1e20,6e20,1e21}_c4.csv of the Hugging Face data set "
                                         "datablations/scripts; not stored here)"),
                          note="alpha = beta tied; torch L-BFGS in float32 from a 5x5x4x4 grid"),
        citation=_MUENNIGHOFF, arxiv="2305.16264",
        source=f"{_DATABLATIONS_NB}, cell 7 output 'a, b, e, alpha (=beta):  [6.255414, 7.3049974, 0.6254804, "
               "0.3526596]' (Samples: 54)",
        printed_logs=_frozen(_C4_LOGS), n_points=54),
    PublishedFit(
        name="datablations_tied_2p5_epochs", form="chinchilla-tied",
        parameters=_frozen({"E": math.exp(0.63987476), "A": math.exp(6.4526014), "B": math.exp(8.022968),
                            "alpha": 0.3595363}),
        dataset="datablations_runs",
        protocol=Protocol(rows=RowFilter(f"runs with D/U <= 2.5 epochs (cell 16 of {_DATABLATIONS_NB}; 62 runs)",
                                         max_epochs=2.5),
                          note="alpha = beta tied; torch L-BFGS in float32 from a 5x5x4x4 grid; printed minimum "
                               "objective 0.0012"),
        citation=_MUENNIGHOFF, arxiv="2305.16264",
        source=f"{_DATABLATIONS_NB}, cell 16 output 'Samples: 62 ... a, b, e, alpha, beta:  [6.4526014, 8.022968, "
               "0.63987476, 0.3595363]' (epoch bounds 0, 2.5)",
        printed_logs=_frozen({"A": 6.4526014, "B": 8.022968, "E": 0.63987476}), n_points=62),
    PublishedFit(
        name="datablations_fixed_e_2_epochs", form="chinchilla",
        parameters=_frozen({"E": math.exp(0.52472854), "A": math.exp(4.2209926), "B": math.exp(8.796665),
                            "alpha": 0.22246543, "beta": 0.39888707}),
        dataset="datablations_runs",
        protocol=Protocol(fixed=_frozen({"E": math.exp(0.52472854)}),
                          rows=RowFilter(f"runs with D/U <= 2 epochs (cell 17 of {_DATABLATIONS_NB}; 59 runs)",
                                         max_epochs=2.0),
                          note="E held at 1.69 (e = log 1.69); torch L-BFGS in float32 from a 4x4x4x4 grid; "
                               "printed minimum objective 0.0012"),
        citation=_MUENNIGHOFF, arxiv="2305.16264",
        source=f"{_DATABLATIONS_NB}, cell 17 output 'Samples: 59 ... a, b, e, alpha, beta:  [4.2209926  8.796665   "
               "0.52472854 0.22246543 0.39888707]' (epoch bounds 0, 2)",
        printed_logs=_frozen({"A": 4.2209926, "B": 8.796665, "E": 0.52472854}), n_points=59),
)


def names() -> tuple[str, ...]:
    """The names of :data:`RECORDS`."""
    return tuple(r.name for r in RECORDS)


def record(name: str) -> PublishedFit:
    """The record called ``name`` (ValueError listing the names otherwise)."""
    for r in RECORDS:
        if r.name == name:
            return r
    raise ValueError(f"unknown published fit {name!r}; choose one of {', '.join(names())}")
