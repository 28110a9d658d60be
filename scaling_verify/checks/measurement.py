"""Shared measurements: an expensive run computed once per process and read by every check that needs it.

A simulation or a high-precision sum often feeds several checks (the time exponent and the elasticity
of one SGD run, the Kumar fits of one PTQ sweep), and the power items re-run each check with perturbed
claims. The data do not depend on the claim, only the verdict does, so the run is a *measurement*:
decorate the function that produces it, and every call with the same arguments returns the same object
from one process-wide store::

    from scaling_verify.checks.measurement import measurement

    @measurement
    def frontier_run(regime: str, quick: bool, seed: int) -> FrontierRun:
        ...  # expensive, deterministic given its arguments
        return FrontierRun(...)   # a frozen dataclass, not a dict

    run = frontier_run("hard", ctx.quick, ctx.seed)   # computed once, then shared

Rules:

* the arguments are the key, so they must say everything the run depends on (sizes, seeds) and be
  hashable after normalisation: floats (NumPy scalars included) become ``float``, integers ``int``,
  lists, tuples and arrays nested tuples; other hashable values (strings, mpmath numbers, frozen
  dataclasses) are used as they are; anything unhashable is a ``TypeError`` naming the argument;
* keyword and positional spellings of one call share an entry (arguments are bound to the signature,
  defaults applied);
* the function must be deterministic given its arguments, and return a typed result (a frozen dataclass)
  that callers do not mutate;
* :func:`clear_measurements` empties the store (tests that count runs); :func:`measurement_stats` gives
  the hits and misses per function.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])

_STORE: dict[tuple, Any] = {}
_STATS: dict[str, dict[str, int]] = {}
_LOCK = threading.RLock()


def _normalise(value: Any, where: str) -> Any:
    """A hashable, canonical form of one argument (see the module docstring)."""
    if value is None or isinstance(value, (bool, np.bool_, str, bytes)):
        return bool(value) if isinstance(value, np.bool_) else value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return _normalise(value.item(), where)
        return tuple(_normalise(v, where) for v in value.tolist())
    if isinstance(value, (list, tuple)):
        return tuple(_normalise(v, where) for v in value)
    if isinstance(value, (dict, set)) or not _hashable(value):
        raise TypeError(f"measurement argument {where} of type {type(value).__name__} is not hashable; "
                        "pass numbers, strings, tuples or 1-D arrays")
    return value


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def measurement(fn: F) -> F:
    """Memoise ``fn`` in the process-wide measurement store, keyed by its qualified name and its
    normalised arguments (see the module docstring)."""
    sig = inspect.signature(fn)
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        key = (name,) + tuple((k, _normalise(v, f"{k!r} of {name}")) for k, v in bound.arguments.items())
        with _LOCK:
            stats = _STATS.setdefault(name, {"hits": 0, "misses": 0})
            if key in _STORE:
                stats["hits"] += 1
                return _STORE[key]
            stats["misses"] += 1
        value = fn(*args, **kwargs)
        with _LOCK:
            return _STORE.setdefault(key, value)

    wrapper.measurement_name = name  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def clear_measurements() -> None:
    """Empty the store and reset the statistics."""
    with _LOCK:
        _STORE.clear()
        _STATS.clear()


def clear_caches() -> None:
    """Forget every cached result of this process: the shared measurements and the derivations
    (:func:`scaling_verify.theory.asymptotics.clear_derivations`); both are recomputed on next use."""
    from scaling_verify.theory.asymptotics import clear_derivations

    clear_measurements()
    clear_derivations()


def measurement_stats(fn: Callable | None = None) -> dict:
    """Hits and misses per measurement (``{qualified name: {"hits", "misses"}}``), or of one measurement."""
    with _LOCK:
        if fn is not None:
            return dict(_STATS.get(getattr(fn, "measurement_name", ""), {"hits": 0, "misses": 0}))
        return {k: dict(v) for k, v in _STATS.items()}
