"""The check interface: numeric checks register here, by claim id and level.

A numeric check is a function ``fn(claim, ctx) -> CheckResult``. It must make its prediction from
``claim.expr`` (through ``claim.value(...)`` or ``claim.evaluate(...)``), never from a formula typed
into the check: that is what lets the power items feed it every claim of ``claim.perturbations()``
and require a rejection. Register with::

    @check("dynamical.time_exponent", "precise")
    def _(claim, ctx): ...

Levels: ``symbolic`` (automatic, from ``claim.derive``), ``precise`` (mpmath), ``simulate`` (JAX).
A check declares the kind of evidence it is: ``independent`` (a different computation of the same
quantity) or ``consistency`` (it re-evaluates the formula or derivation it verifies), and a check with
no power items says why in ``power_exempt``. Registration is strict: a second check for one claim and
level is an error at once; a check for an unknown claim id is an error when the checks load.

The verdict helpers (:func:`exponent_verdict`, :func:`relative_verdict`) record each comparison as a
:class:`Measured` value on the running check's result, so reports and LaTeX macros get the headline
numbers of every check, a user's included, without extra code.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import json
import math
import importlib.util
import pkgutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scaling_verify.theory.claims import REGISTRY, Claim, symbolic_check

LEVELS: tuple[str, ...] = ("symbolic", "precise", "simulate")
NUMERIC_LEVELS: tuple[str, ...] = ("precise", "simulate")
EVIDENCE: tuple[str, ...] = ("independent", "consistency")


class CheckRegistrationError(ValueError):
    """A check registered for an unknown claim, or twice for one claim and level."""


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
    """One comparison of a measured value with the claim's prediction (a verdict helper's record).

    ``lo``/``hi`` is the confidence interval (None for a value with a relative tolerance); ``tolerance``
    is the stated bias or the relative tolerance, ``kind`` says which.
    """

    name: str
    value: float
    predicted: float
    consistent: bool
    lo: float | None = None
    hi: float | None = None
    tolerance: float = 0.0
    kind: str = "interval"  # "interval" (lo, hi widened by tolerance) or "relative" (rtol)


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
    resolution: Any = None  # numerics.resolution.Resolution, when measured (verify --resolution)

    def agrees_with(self, claim: Claim) -> bool:
        """Whether this outcome is what ``claim`` expects: a pass for a holding claim, a rejection for
        a refuted printed formula. Only a strict ``True`` passes."""
        return (self.passed is True or (isinstance(self.passed, np.bool_) and bool(self.passed))) == claim.holds


CheckFn = Callable[[Claim, Context], CheckResult]


@dataclass(frozen=True)
class CheckSpec:
    """A registered numeric check: what it checks, what kind of evidence it is, why it has no power."""

    claim_id: str
    level: str
    fn: CheckFn
    evidence: str = "independent"
    power_exempt: str = ""
    target_resolution: float | None = None

    @property
    def where(self) -> str:
        return f"{getattr(self.fn, '__module__', '?')}.{getattr(self.fn, '__qualname__', '?')}"


_CHECKS: dict[tuple[str, str], CheckSpec] = {}
_RECORD: contextvars.ContextVar[list[Measured] | None] = contextvars.ContextVar("sv_measured", default=None)

_loaded_levels: set[tuple[str, str | None]] = set()  # (level, theory id or None for all)
_imported: set[str] = set()


@contextlib.contextmanager
def isolated() -> Iterator[None]:
    """Everything registered inside the block -- theories, claims, checks -- is forgotten after it
    (:meth:`theory.claims.Registry.isolated` plus the check registry): for tests and notebooks that
    register a theory of their own. The installed theories and all their checks are loaded first."""
    load_checks()
    saved = (dict(_CHECKS), set(_loaded_levels), set(_imported))
    with REGISTRY.isolated():
        try:
            yield
        finally:
            _CHECKS.clear()
            _CHECKS.update(saved[0])
            _loaded_levels.clear()
            _loaded_levels.update(saved[1])
            _imported.clear()
            _imported.update(saved[2])


def check_modules(levels: Iterable[str] = NUMERIC_LEVELS, theories: Iterable[str] | None = None) -> list[str]:
    """The modules holding the checks of ``levels``, from the ``checks`` of ``theories`` (default all).

    An entry that is a package stands for every module directly inside it (not its subpackages), so a
    new check module registers its checks by being there.
    """
    out: list[str] = []
    wanted = None if theories is None else set(theories)
    for th in REGISTRY.theories():
        if wanted is not None and th.id not in wanted:
            continue
        for lv in levels:
            for name in th.checks.get(lv, ()):
                out += [m for m in _expand(name) if m not in out]
    return out


def _expand(name: str) -> list[str]:
    spec = importlib.util.find_spec(name)
    if spec is None:
        raise CheckRegistrationError(f"check module {name!r} not found")
    if spec.submodule_search_locations is None:
        return [name]
    return [f"{name}.{m.name}" for m in sorted(pkgutil.iter_modules(spec.submodule_search_locations),
                                              key=lambda m: m.name) if not m.ispkg]


def check(claim_id: str, level: str, *, evidence: str = "independent",
          power_exempt: str = "", resolution: float | None = None) -> Callable[[CheckFn], CheckFn]:
    """Decorator registering ``fn`` as the ``level`` check of ``claim_id``.

    Args:
      claim_id: the claim it checks (validated when the checks load).
      level: ``precise`` or ``simulate``.
      evidence: ``independent`` or ``consistency`` (it re-evaluates the formula it verifies).
      power_exempt: why this check cannot get power items (empty: it gets them); shown in reports.
      resolution: the target resolution (:mod:`numerics.resolution`): the power item also fails when
        the check does not reject perturbations of this relative size (additive for a zero-valued claim).
    """
    if level not in NUMERIC_LEVELS:
        raise CheckRegistrationError(f"numeric checks are 'precise' or 'simulate', not {level!r}")
    if evidence not in EVIDENCE:
        raise CheckRegistrationError(f"check for {claim_id}: evidence is one of {EVIDENCE}, not {evidence!r}")
    if resolution is not None and not (isinstance(resolution, (int, float)) and 0 < resolution < 1):
        raise CheckRegistrationError(f"check for {claim_id}: a target resolution is in (0, 1), not {resolution!r}")

    def deco(fn: CheckFn) -> CheckFn:
        key = (claim_id, level)
        spec = CheckSpec(claim_id, level, fn, evidence, power_exempt, resolution)
        old = _CHECKS.get(key)
        if old is not None and old.where != spec.where:
            raise CheckRegistrationError(f"two {level} checks for {claim_id}: {old.where} and {spec.where}")
        _CHECKS[key] = spec
        return fn

    return deco


def load_checks(levels: Iterable[str] = NUMERIC_LEVELS, theories: Iterable[str] | None = None) -> None:
    """Import the check modules of ``levels`` for ``theories`` (default: all; idempotent), then
    validate every registered check.

    Raises:
      CheckRegistrationError: a check module that fails to import (named, in one line), or a check
        that names a claim id no theory registered (with the closest known ids).
    """
    REGISTRY.theories()  # plug-ins first: their modules may register checks at import
    theories = None if theories is None else sorted(set(theories))
    levels = [lv for lv in levels if lv in NUMERIC_LEVELS and (lv, None) not in _loaded_levels
              and (theories is None or any((lv, t) not in _loaded_levels for t in theories))]
    if not levels:
        return
    for mod in check_modules(levels, theories):
        if mod not in _imported:
            _imported.add(mod)
            try:
                importlib.import_module(mod)
            except Exception as exc:
                _imported.discard(mod)
                msg = str(exc).splitlines()[0] if str(exc) else ""
                raise CheckRegistrationError(f"check module {mod!r} failed to import: {type(exc).__name__}: {msg}") from exc
    _loaded_levels.update((lv, t) for lv in levels for t in (theories or [None]))
    validate_checks()


def validate_checks() -> None:
    """Every registered check names a registered claim."""
    import difflib

    known = {c.id for c in REGISTRY.all()}
    for (cid, lv), spec in _CHECKS.items():
        if cid not in known:
            close = difflib.get_close_matches(cid, sorted(known), n=3, cutoff=0.6)
            hint = f"; closest known: {', '.join(close)}" if close else ""
            raise CheckRegistrationError(f"{lv} check {spec.where} is registered for unknown claim id {cid!r}{hint}")


def levels_for(claim: Claim, levels: Iterable[str] = LEVELS) -> list[str]:
    """The levels among ``levels`` that have a check for ``claim``, in order (loads only those)."""
    levels = [lv for lv in LEVELS if lv in set(levels)]
    load_checks([lv for lv in levels if lv != "symbolic"], [claim.theory])
    out = ["symbolic"] if "symbolic" in levels and claim.derive is not None else []
    return out + [lv for lv in levels if lv != "symbolic" and (claim.id, lv) in _CHECKS]


def check_spec(claim_id: str, level: str) -> CheckSpec:
    """The registered numeric check of ``claim_id`` at ``level``."""
    load_checks([level], [claim_id.split(".", 1)[0]])
    try:
        return _CHECKS[(claim_id, level)]
    except KeyError:
        raise ValueError(f"claim {claim_id} has no {level} check") from None


def get_check(claim_id: str, level: str) -> CheckFn:
    return check_spec(claim_id, level).fn


def registered_checks() -> list[CheckSpec]:
    """Every numeric check registered so far, in registration order."""
    load_checks()
    return list(_CHECKS.values())


def run_check(claim: Claim, level: str, ctx: Context = Context()) -> CheckResult:
    """Run one check and time it, and validate what it returned (:func:`validate_result`): a result
    that is not a strict boolean over finite numbers, or that a report could not hold, becomes a failed
    result saying why. Exceptions propagate (tests want them); ``numerics.verify`` records them as
    failed checks with their message."""
    t0 = time.perf_counter()
    record: list[Measured] = []
    token = _RECORD.set(record)
    try:
        if level == "symbolic":
            ok, detail = symbolic_check(claim)
            res = CheckResult(passed=ok, detail=detail)
            evidence = "derivation"
        else:
            spec = check_spec(claim.id, level)
            res = spec.fn(claim, ctx)
            if not isinstance(res, CheckResult):
                raise TypeError(f"check {claim.id}/{level} returned {type(res).__name__}, not CheckResult")
            evidence = spec.evidence
            res.power_exempt = spec.power_exempt
    finally:
        _RECORD.reset(token)
    res.values = res.values or record
    problem = validate_result(res)
    if problem:
        res = CheckResult(False, f"error: invalid check output: {problem}", power_exempt=res.power_exempt)
    res.passed = bool(res.passed)  # numpy booleans would not serialise
    res.evidence = evidence
    res.seconds = time.perf_counter() - t0
    return res


def _text_problem(text: object, what: str) -> str:
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
        if p := _text_problem(what, "a figure label"):
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
        if p := _text_problem(s.label, "a series label"):
            return p
    return ""


def validate_result(res: CheckResult) -> str:
    """Why ``res`` cannot be trusted or reported, or "" when it can: ``passed`` a strict boolean (a
    string, None or NaN is not), text that encodes as UTF-8, a well-formed figure (equal lengths,
    numbers), recorded comparisons over finite numbers, and ``measured`` that a JSON report can hold."""
    if not isinstance(res.passed, (bool, np.bool_)):
        return f"passed is {res.passed!r} ({type(res.passed).__name__}), not True or False"
    if p := _text_problem(res.detail, "detail"):
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
    from scaling_verify.numerics.result_io import jsonable

    try:
        json.dumps(jsonable(res.measured), allow_nan=False)
    except (TypeError, ValueError) as exc:
        return f"measured cannot be reported: {exc}"
    return ""


def _record(m: Measured) -> None:
    rec = _RECORD.get()
    if rec is not None:
        rec.append(m)


def _digits_text(x: Any, sig: int) -> str:
    """``x`` with ``sig`` significant digits: up to the working precision for mpmath numbers, up to 17
    (all a double holds) otherwise."""
    import mpmath as mp

    if isinstance(x, (mp.mpf, mp.mpc)):
        return mp.nstr(x, max(1, min(sig, mp.mp.dps)))
    return f"{float(x):.{max(1, min(sig, 17))}g}"


def _decimals_for(width: float) -> int:
    """Decimal places that resolve an interval of ``width``: 4, or more for a narrower interval (two
    digits beyond its first significant one), at most 16."""
    if not (math.isfinite(width) and width > 0):
        return 4
    return int(min(16, max(4, math.ceil(-math.log10(width)) + 1)))


def exponent_verdict(name: str, measured: float, lo: float, hi: float, predicted: float,
                     bias: float = 0.0) -> tuple[bool, str]:
    """Accept when ``predicted`` lies in the confidence interval widened by a stated finite-size bias.

    ``bias`` must come from a convergence study or error bound and be documented at the call site. The
    detail prints as many decimals as the interval resolves (at least 4).
    """
    measured, lo, hi, predicted, bias = (float(v) for v in (measured, lo, hi, predicted, bias))
    finite = all(math.isfinite(v) for v in (measured, lo, hi, predicted, bias)) and bias >= 0 and lo <= hi
    ok = bool(finite and (lo - bias) <= predicted <= (hi + bias))
    _record(Measured(name, float(measured), float(predicted), ok, float(lo), float(hi), float(bias), "interval"))
    d = _decimals_for(max(hi - lo, bias) if finite else float("nan"))
    return ok, (f"{name}: measured {measured:.{d}f} [{lo:.{d}f}, {hi:.{d}f}]"
                f"{f' +- bias {bias:.3g}' if bias else ''} vs claimed {predicted:.{d}f}"
                f" -> {'consistent' if ok else 'REJECTED'}")


def relative_verdict(name: str, measured: float, predicted: float, rtol: float) -> tuple[bool, str]:
    """Accept when ``|measured - predicted| <= rtol |predicted|``; rtol must come from an error bound.

    The detail prints as many significant digits as ``rtol`` resolves (at least 6; up to the working
    precision for mpmath numbers, so a 30-digit agreement shows as one)."""
    # the error in the inputs' own precision (mpmath numbers keep their digits), the display in floats
    err = float(abs(measured - predicted) / max(abs(predicted), 1e-300))
    m_in, p_in = measured, predicted
    measured, predicted, rtol = float(measured), float(predicted), float(rtol)
    ok = bool(all(math.isfinite(v) for v in (err, measured, predicted, rtol)) and 0 <= rtol and err <= rtol)
    _record(Measured(name, float(measured), float(predicted), ok, tolerance=float(rtol), kind="relative"))
    sig = 6 if not (math.isfinite(rtol) and rtol > 0) else int(max(6, math.ceil(-math.log10(rtol)) + 2))
    return ok, (f"{name}: measured {_digits_text(m_in, sig)} vs claimed {_digits_text(p_in, sig)}, rel. err {err:.2e}"
                f" (tol {rtol:.1e}) -> {'consistent' if ok else 'REJECTED'}")
