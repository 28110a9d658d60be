"""A per-check time limit: the check is interrupted with :class:`CheckTimeout` after ``seconds``.

In the main thread of a POSIX process the limit is an interval timer (``SIGALRM``), which also
interrupts sleeps and blocking system calls; in any other thread (a Dask worker's) a watchdog thread
raises the exception asynchronously in the check's thread (``PyThreadState_SetAsyncExc``), which takes
effect at the next Python bytecode. Either way a computation inside one long C call (a single huge
matrix product) ends only when that call returns.

:class:`CheckTimeout` derives from ``BaseException`` so that a check's own ``except Exception`` cannot
swallow it.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class CheckTimeout(BaseException):
    """A check ran past its time limit."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"timed out after {seconds:g} s (--timeout)")
        self.seconds = seconds


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`CheckTimeout` in this thread if the body runs longer than ``seconds`` (None or
    0: no limit)."""
    if not seconds:
        yield
        return
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(seconds):
            yield
    else:
        with _watchdog(seconds):
            yield


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def fire(_signum, _frame):
        raise CheckTimeout(seconds)

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


class _Expired(CheckTimeout):
    """Raised asynchronously (the exception class is instantiated without arguments)."""

    def __init__(self) -> None:
        super().__init__(_Expired.seconds_for.get(threading.get_ident(), 0.0))

    seconds_for: dict[int, float] = {}


@contextmanager
def _watchdog(seconds: float) -> Iterator[None]:
    ident = threading.get_ident()
    done = threading.Event()
    _Expired.seconds_for[ident] = seconds

    def watch():
        if not done.wait(seconds):
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(_Expired))

    t = threading.Thread(target=watch, name="scaling-verify-time-limit", daemon=True)
    t.start()
    try:
        yield
    finally:
        done.set()
        t.join()
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)  # drop one still pending
        _Expired.seconds_for.pop(ident, None)
