"""The check registry: numeric checks register here, by claim id and level (what a check is: the
package's docstring, :mod:`scaling_verify.checks`).

Levels: ``symbolic`` (automatic, from ``claim.derive``), ``precise`` (mpmath), ``simulate`` (JAX).
A check declares the kind of evidence it is: ``independent`` (a different computation of the same
quantity) or ``consistency`` (it re-evaluates the formula or derivation it verifies), and a check with
no power items says why in ``power_exempt``. Registration is strict: a second check for one claim and
level is an error at once; a check for an unknown claim id is an error when the checks load.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import pkgutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from scaling_verify.checks.results import (EVIDENCE, LEVELS, NUMERIC_LEVELS, CheckResult, Context,
                                           validate_result)
from scaling_verify.checks.verdicts import recording
from scaling_verify.theory.claims import REGISTRY, Claim, symbolic_check

class CheckRegistrationError(ValueError):
    """A check registered for an unknown claim, or twice for one claim and level."""


TARGETS: dict[str, tuple[float, float]] = {"precise": (1e-8, 1e-8), "simulate": (0.05, 0.02), "empirical": (0.1, 0.1)}
"""Each level's default target resolution, at quick and at full sizes: the smallest perturbation of the
claim (relative; additive, in the claim's units, for a zero-valued claim; of the declared exponents for a
form with fitted constants) that its check must reject. A check declares a coarser one with the reason. An
``empirical`` check (a published fit on its data) sees what its data allow: its default is the power items'
10 % of the printed exponents; ``verify --resolution`` measures what it resolves."""


@dataclass(frozen=True)
class Target:
    """The target resolution of a check at one size: the perturbations ``±value`` (in the claim's own
    family, :mod:`scaling_verify.checks.resolution`) its power item feeds it. ``value`` None: the check has
    no power items (``reason`` says why). ``reason`` is set when the target is coarser than the level's
    default (what stops the method: its error bound, its sampling noise at these sizes)."""

    value: float | None
    default: float
    reason: str = ""


CheckFn = Callable[[Claim, Context], CheckResult]


@dataclass(frozen=True)
class CheckSpec:
    """A registered numeric check: what it checks, what kind of evidence it is, why it has no power."""

    claim_id: str
    level: str
    fn: CheckFn
    evidence: str = "independent"
    power_exempt: str = ""
    resolution: float | None = None  # declared target at quick sizes (None: the level's default)
    resolution_full: float | None = None  # declared target at full sizes (None: the level's default)
    resolution_reason: str = ""

    def target(self, quick: bool = True) -> Target:
        """The target resolution at quick or full sizes (:data:`TARGETS` unless declared)."""
        default = TARGETS[self.level][0 if quick else 1]
        if self.power_exempt:
            return Target(None, default, self.power_exempt)
        declared = self.resolution if quick else self.resolution_full
        value = default if declared is None else declared
        return Target(value, default, self.resolution_reason if value > default else "")

    @property
    def where(self) -> str:
        return f"{getattr(self.fn, '__module__', '?')}.{getattr(self.fn, '__qualname__', '?')}"


_CHECKS: dict[tuple[str, str], CheckSpec] = {}

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


def check(claim_id: str, level: str, *, evidence: str = "independent", power_exempt: str = "",
          resolution: float | None = None, resolution_full: float | None = None,
          resolution_reason: str = "") -> Callable[[CheckFn], CheckFn]:
    """Decorator registering ``fn`` as the ``level`` check of ``claim_id``.

    Args:
      claim_id: the claim it checks (validated when the checks load).
      level: ``precise`` or ``simulate``.
      evidence: ``independent`` or ``consistency`` (it re-evaluates the formula it verifies).
      power_exempt: why this check cannot get power items (empty: it gets them); shown in reports.
      resolution: the target resolution at quick sizes (default :data:`TARGETS`: 1e-8 for ``precise``, 0.05
        for ``simulate``): the power item also feeds the check the claim perturbed by ± this much (relative;
        additive for a zero-valued claim; of the declared exponents) and fails when it accepts either.
      resolution_full: the same at full sizes (default 1e-8 and 0.02).
      resolution_reason: why a declared target is coarser than the level's default: the method's error
        bound or the sampling noise at these sizes, with its figure. Required for a coarser target.
    """
    if level not in NUMERIC_LEVELS:
        raise CheckRegistrationError(f"numeric checks are one of {NUMERIC_LEVELS}, not {level!r}")
    if evidence not in EVIDENCE:
        raise CheckRegistrationError(f"check for {claim_id}: evidence is one of {EVIDENCE}, not {evidence!r}")
    for name, value in (("resolution", resolution), ("resolution_full", resolution_full)):
        if value is not None and not (isinstance(value, (int, float)) and not isinstance(value, bool)
                                      and 0 < value < 1):
            raise CheckRegistrationError(f"check for {claim_id}: {name} is a target in (0, 1), not {value!r}")
    coarser = [v for v, d in zip((resolution, resolution_full), TARGETS[level]) if v is not None and v > d]
    if coarser and not resolution_reason.strip():
        raise CheckRegistrationError(
            f"{level} check for {claim_id}: a target resolution coarser than the level's default "
            f"({TARGETS[level][0]:g} quick, {TARGETS[level][1]:g} full) needs resolution_reason= (what stops it)")

    def deco(fn: CheckFn) -> CheckFn:
        key = (claim_id, level)
        spec = CheckSpec(claim_id, level, fn, evidence, power_exempt, resolution, resolution_full,
                         resolution_reason.strip())
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
    result saying why. Exceptions propagate (tests want them); ``scaling_verify.run.verify`` records them as
    failed checks with their message."""
    t0 = time.perf_counter()
    with recording() as record:
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
    res.values = res.values or record
    problem = validate_result(res)
    if problem:
        res = CheckResult(False, f"error: invalid check output: {problem}", power_exempt=res.power_exempt)
    res.passed = bool(res.passed)  # numpy booleans would not serialise
    res.evidence = evidence
    res.seconds = time.perf_counter() - t0
    return res
