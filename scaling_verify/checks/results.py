"""What a check returns and how it runs: :class:`CheckResult`, :class:`Context`, :class:`Measured`, and
the figure data (:class:`Figure`, :class:`Series`) of the report.

:func:`validate_result` says why a result cannot be trusted or reported: a verdict is a strict boolean over
finite numbers, or the check failed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from scaling_verify.levels import LEVELS, NUMERIC_LEVELS  # noqa: F401 -- re-exported by scaling_verify.checks

if TYPE_CHECKING:
    from scaling_verify.theory.claims import Claim

EVIDENCE: tuple[str, ...] = ("independent", "consistency")


MAX_SEED = 2 ** 32 - 1


@dataclass(frozen=True)
class Context:
    """How a check should run: quick (default test/CLI size) or full, and the base seed (0..2^32-1)."""

    quick: bool = True
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.quick, bool):
            raise ValueError(f"Context.quick must be True or False, got {self.quick!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"Context.seed must be an integer in 0..{MAX_SEED}, got {self.seed!r}")


@dataclass
class Series:
    label: str
    x: Sequence[float]
    y: Sequence[float]
    kind: str = "line"  # "line" (theory) or "points" (measured)
    yerr: Sequence[float] | None = None


@dataclass
class Figure:
    """Data for one PNG in the report: theory curves against measured points."""

    title: str
    xlabel: str
    ylabel: str
    series: list[Series]
    logx: bool = True
    logy: bool = True


@dataclass(frozen=True)
class Measured:
    """One comparison of a measured value with the claim's prediction (a verdict helper's record), as
    checks write it and as reports and LaTeX read it back (:mod:`scaling_verify.checks.result_io`).

    ``lo``/``hi`` is the confidence interval (None for a value with a relative tolerance); ``tolerance``
    is the stated bias or the relative tolerance, ``kind`` says which.
    """

    name: str
    value: float
    predicted: float | None
    consistent: bool
    lo: float | None = None
    hi: float | None = None
    tolerance: float = 0.0
    kind: str = "interval"  # "interval" (lo, hi widened by tolerance) or "relative" (rtol)

    @property
    def band(self) -> tuple[float, float] | None:
        """The confidence interval; for a relative comparison the band ``predicted (1 -+ tolerance)``."""
        if self.lo is not None and self.hi is not None:
            return self.lo, self.hi
        if self.kind == "relative" and self.predicted is not None:
            d = abs(self.predicted) * self.tolerance
            return self.predicted - d, self.predicted + d
        return None


#: the outcome of a check whose data are not on this machine (a public data set fetched on demand, not yet
#: fetched): no evidence either way. The claim's verdict says so, the result is not cached, and no power trial or
#: resolution is measured on it.
NEEDS_DATA = "needs data"


@dataclass
class CheckResult:
    """Outcome of one check. ``measured`` holds the numbers a reader wants (fits, intervals, errors);
    ``values`` the comparisons the verdict helpers made, filled in by :func:`run_check`."""

    passed: bool
    detail: str
    measured: dict[str, Any] = field(default_factory=dict)
    figure: Figure | None = None
    seconds: float = 0.0
    values: list[Measured] = field(default_factory=list)
    evidence: str = ""  # "derivation" (symbolic), "independent" or "consistency"; set by run_check
    power_exempt: str = ""  # why the check has no power items (set by run_check from its registration)
    resolution: Any = None  # scaling_verify.checks.resolution.Resolution, when measured (verify --resolution)
    outcome: str = ""  # an empirical check's verdict on a published fit: reproduced, refuted, not reproducible;
    # or NEEDS_DATA
    trials: tuple | None = None  # scaling_verify.checks.power.Trial outcomes, when run (verify --seeds); () for none

    def agrees_with(self, claim: Claim) -> bool:
        """Whether this outcome is what ``claim`` expects: a pass for a holding claim, a rejection for
        a refuted printed formula. Only a strict ``True`` passes."""
        return (self.passed is True or (isinstance(self.passed, np.bool_) and bool(self.passed))) == claim.holds

    @property
    def needs_data(self) -> bool:
        """Whether the check could not run for want of its data (:data:`NEEDS_DATA`)."""
        return self.outcome == NEEDS_DATA



def text_problem(text: object, what: str) -> str:
    if not isinstance(text, str):
        return f"{what} is {type(text).__name__}, not text"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"{what} is not valid text ({exc.reason} at position {exc.start})"
    return ""


def _finite(v: object) -> bool:
    try:
        return math.isfinite(float(v))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return False


def _figure_problem(fig: object) -> str:
    if not isinstance(fig, Figure):
        return f"figure is {type(fig).__name__}, not Figure"
    for what in (fig.title, fig.xlabel, fig.ylabel):
        if p := text_problem(what, "a figure label"):
            return p
    if not isinstance(fig.series, (list, tuple)) or not all(isinstance(s, Series) for s in fig.series):
        return "figure.series must be a list of Series"
    for s in fig.series:
        try:
            x, y = np.asarray(s.x, dtype=float).ravel(), np.asarray(s.y, dtype=float).ravel()
            e = None if s.yerr is None else np.asarray(s.yerr, dtype=float).ravel()
        except (TypeError, ValueError):
            return f"figure series {s.label!r}: x, y and yerr must be numbers"
        if len(x) != len(y) or (e is not None and len(e) != len(y)):
            return (f"figure series {s.label!r}: x has {len(x)} values, y {len(y)}"
                    + ("" if e is None else f", yerr {len(e)}"))
        if s.kind not in ("line", "points"):
            return f"figure series {s.label!r}: kind must be 'line' or 'points', not {s.kind!r}"
        if p := text_problem(s.label, "a series label"):
            return p
    return ""


def validate_result(res: CheckResult) -> str:
    """Why ``res`` cannot be trusted or reported, or "" when it can: ``passed`` a strict boolean (a
    string, None or NaN is not), text that encodes as UTF-8, a well-formed figure (equal lengths,
    numbers), recorded comparisons over finite numbers, and ``measured`` that a JSON report can hold."""
    if not isinstance(res.passed, (bool, np.bool_)):
        return f"passed is {res.passed!r} ({type(res.passed).__name__}), not True or False"
    if p := text_problem(res.detail, "detail"):
        return p
    if res.figure is not None and (p := _figure_problem(res.figure)):
        return p
    for m in res.values:
        if not isinstance(m, Measured):
            return f"values holds a {type(m).__name__}, not Measured"
        nums = [m.value, m.predicted, m.tolerance] + [v for v in (m.lo, m.hi) if v is not None]
        if bool(res.passed) and m.consistent and not all(_finite(v) for v in nums):
            return f"comparison {m.name!r} accepted with a non-finite number {nums}"
    if not isinstance(res.measured, dict):
        return f"measured is {type(res.measured).__name__}, not a dict"
    from scaling_verify.checks.result_io import jsonable

    try:
        json.dumps(jsonable(res.measured), allow_nan=False)
    except (TypeError, ValueError) as exc:
        return f"measured cannot be reported: {exc}"
    return ""
