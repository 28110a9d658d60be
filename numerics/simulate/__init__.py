"""JAX simulations of the real learning systems: the per-theory check modules (directly here) and the
models they run (:mod:`numerics.simulate.models`).

Every simulation runs in float64, scoped: :func:`float64` is a context manager (and, as ``@float64()``,
a decorator) that enables JAX's 64-bit mode for what runs inside it, and :func:`with_float64` the
decorator every public model entry point and every check carries. Importing this package changes no
global JAX setting. A jitted function is traced inside the scope of the entry point that calls it, so
its compiled program is the float64 one wherever the entry point is called from (checks, tests,
benchmarks, notebooks). Simulations are jitted, vmapped over seeds/members and scanned over time; the
same code runs on CPU and GPU (public JAX APIs only).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import TypeVar

import jax

F = TypeVar("F", bound=Callable)


@contextlib.contextmanager
def float64() -> Iterator[None]:
    """Enable JAX float64 inside the ``with`` block (``jax.enable_x64`` on JAX >= 0.7, else
    ``jax.experimental.enable_x64``); usable as a decorator: ``@float64()``."""
    enable = getattr(jax, "enable_x64", None)
    if enable is not None:
        cm = enable(True)
    else:  # older JAX (the project allows jax >= 0.4.35)
        from jax.experimental import enable_x64

        cm = enable_x64()
    with cm:
        yield


def with_float64(fn: F) -> F:
    """Decorator: run ``fn`` (and trace whatever it jits) with JAX float64 enabled."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with float64():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def gpu_available() -> bool:
    """Whether JAX sees a GPU (the ``gpu`` test marker and benchmarks use this)."""
    try:
        return len(jax.devices("gpu")) > 0
    except RuntimeError:
        return False
