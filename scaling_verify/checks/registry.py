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
      resolution: the target resolution (:mod:`scaling_verify.checks.resolution`): the power item also fails when
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
