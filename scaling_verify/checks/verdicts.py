"""The verdict helpers: compare a measured number with a claim's prediction, say how close in as many digits
as the comparison resolves, and record it as a :class:`Measured` value on the running check's result, so
reports and LaTeX macros get the headline numbers of every check, a user's included, without extra code.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Iterator
from typing import Any

from scaling_verify.checks.results import Measured

_RECORD: contextvars.ContextVar[list[Measured] | None] = contextvars.ContextVar("sv_measured", default=None)


@contextlib.contextmanager
def recording() -> Iterator[list[Measured]]:
    """The comparisons the verdict helpers make inside the block, in order (one list per running check)."""
    record: list[Measured] = []
    token = _RECORD.set(record)
    try:
        yield record
    finally:
        _RECORD.reset(token)


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
