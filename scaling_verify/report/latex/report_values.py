"""Reading ``report.json`` (written by ``scaling-verify verify --report DIR``) into typed records.

:func:`load_report` returns a :class:`Report`: the run's seed, sizes, versions and date, its theories,
and per claim its verdict and the measured values of each check level (the checks' own
:class:`scaling_verify.checks.Measured`, read back). A
missing, unreadable or foreign file raises :class:`ReportError` (a ``ValueError`` with one line).

The *headline* value of a claim (:meth:`ClaimReport.headline`) is chosen by a fixed rule: the first
value recorded by the ``simulate`` check, else the first recorded by the ``precise`` check, else none.
:func:`format_number` writes numbers with a fixed count of significant digits; an interval is written
with the same decimal places as its value (``0.480 [0.473, 0.487]``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaling_verify.checks.results import LEVELS, Measured
from scaling_verify.theory.claims import Theory

#: Levels searched for a claim's headline value, in order.
HEADLINELEVELS: tuple[str, ...] = ("simulate", "precise", "empirical")


class ReportError(ValueError):
    """A report folder or file that is missing, unreadable, or not a scaling-verify report."""


@dataclass(frozen=True)
class CheckReport:
    """One check level of one claim."""

    level: str
    passed: bool
    detail: str
    evidence: str
    seconds: float
    values: tuple[Measured, ...]
    resolution: float | None = None  # the measured resolution (verify --resolution), the worse side
    target: float | None = None  # the check's target resolution


@dataclass(frozen=True)
class ClaimReport:
    """One claim of the report: verdict and checks (in the order symbolic, precise, simulate)."""

    id: str
    theory: str
    status: str
    holds: bool
    verdict: str
    statement: str
    checks: tuple[CheckReport, ...]

    def check(self, level: str) -> CheckReport | None:
        return next((c for c in self.checks if c.level == level), None)

    def headline(self) -> tuple[str, Measured] | None:
        """(level, value): the first value of the simulate check, else of the precise check."""
        for lv in HEADLINELEVELS:
            c = self.check(lv)
            if c is not None and c.values:
                return lv, c.values[0]
        return None

    def all_values(self) -> list[tuple[str, Measured]]:
        """Every recorded value as (level, value), headline levels first."""
        order = HEADLINELEVELS + tuple(lv for lv in LEVELS if lv not in HEADLINELEVELS)
        return [(c.level, v) for lv in order for c in self.checks if c.level == lv for v in c.values]


@dataclass(frozen=True)
class Report:
    """A whole ``report.json``."""

    path: Path
    seed: int
    quick: bool
    seconds: float
    date: str
    ok: bool
    versions: tuple[tuple[str, str], ...]
    theories: tuple[Theory, ...]
    claims: tuple[ClaimReport, ...]

    def claim(self, claim_id: str) -> ClaimReport | None:
        return next((c for c in self.claims if c.id == claim_id), None)

    @property
    def sizes(self) -> str:
        return "quick" if self.quick else "full"

    def version(self, pkg: str) -> str | None:
        return dict(self.versions).get(pkg)


def _num(v: Any, where: str) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool):
        raise ReportError(f"{where}: expected a number, got {v!r}")
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str) and v.lower() in ("inf", "-inf", "nan", "infinity", "-infinity"):
        return float(v)
    raise ReportError(f"{where}: expected a number, got {v!r}")


def _field_num(c: Any, key: str, where: str) -> float | None:
    """``c[key]["value"]`` as a number, None when absent (a report without resolutions)."""
    sub = c.get(key) if isinstance(c, dict) else None
    if sub is None:
        return None
    if not isinstance(sub, dict):
        raise ReportError(f"{where}: {key!r} has the wrong type ({type(sub).__name__})")
    return _num(sub.get("value"), f"{where} {key}")


def _req(d: Any, key: str, typ: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(d, dict) or key not in d:
        raise ReportError(f"{where}: missing {key!r}")
    v = d[key]
    if not isinstance(v, typ) or (typ is int and isinstance(v, bool)):
        raise ReportError(f"{where}: {key!r} has the wrong type ({type(v).__name__})")
    return v


def _value(d: Any, where: str) -> Measured:
    value = _num(_req(d, "value", (int, float, str), where), where)
    return Measured(name=str(_req(d, "name", str, where)), value=value,
                         predicted=_num(d.get("predicted"), where), consistent=bool(d.get("consistent", False)),
                         lo=_num(d.get("lo"), where), hi=_num(d.get("hi"), where),
                         tolerance=_num(d.get("tolerance", 0.0), where) or 0.0,
                         kind=str(d.get("kind", "interval")))


def _claim(d: Any, i: int) -> ClaimReport:
    where = f"claims[{i}]"
    cid = _req(d, "id", str, where)
    where = f"claim {cid}"
    checks = []
    raw = _req(d, "checks", dict, where)
    for lv in LEVELS:
        if lv not in raw:
            continue
        c = raw[lv]
        w = f"{where} [{lv}]"
        vals = c.get("values", []) if isinstance(c, dict) else None
        if not isinstance(vals, list):
            raise ReportError(f"{w}: 'values' must be a list")
        checks.append(CheckReport(level=lv, passed=bool(_req(c, "passed", bool, w)), detail=str(c.get("detail", "")),
                                  evidence=str(c.get("evidence", "")), seconds=_num(c.get("seconds", 0), w) or 0.0,
                                  values=tuple(_value(v, f"{w} value {j}") for j, v in enumerate(vals)),
                                  resolution=_field_num(c, "resolution", w), target=_field_num(c, "target", w)))
    return ClaimReport(id=cid, theory=str(_req(d, "theory", str, where)), status=str(d.get("status", "")),
                       holds=bool(d.get("holds", True)), verdict=str(_req(d, "verdict", str, where)),
                       statement=str(d.get("statement", "")), checks=tuple(checks))


def _theory(d: Any, i: int) -> Theory:
    where = f"theories[{i}]"
    authors = _req(d, "authors", list, where)
    return Theory(id=str(_req(d, "id", str, where)), title=str(_req(d, "title", str, where)),
                        authors=tuple(str(a) for a in authors), year=int(_req(d, "year", int, where)),
                        arxiv=str(d.get("arxiv") or ""), url=str(d.get("url") or ""))


def load_report(path: Path | str) -> Report:
    """Read ``path`` (a report folder, or its ``report.json``) into a :class:`Report`."""
    path = Path(path)
    file = path / "report.json" if path.is_dir() else path
    if not file.is_file():
        raise ReportError(f"no report at {path}: {file} not found (make one with "
                          "'scaling-verify verify --report DIR')")
    try:
        data = json.loads(file.read_text())
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"cannot read report {file}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ReportError(f"report {file} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict) or not {"claims", "seed", "versions"} <= set(data):
        raise ReportError(f"{file} is not a scaling-verify report (no 'claims', 'seed' and 'versions')")
    try:
        claims = _req(data, "claims", list, "report")
        theories = data.get("theories", [])
        if not isinstance(theories, list):
            raise ReportError("report: 'theories' must be a list")
        versions = _req(data, "versions", dict, "report")
        return Report(path=file, seed=int(_req(data, "seed", int, "report")), quick=bool(data.get("quick", True)),
                      seconds=_num(data.get("seconds", 0), "report") or 0.0, date=str(data.get("date", "")),
                      ok=bool(data.get("ok", False)),
                      versions=tuple((str(k), str(v)) for k, v in versions.items()),
                      theories=tuple(_theory(t, i) for i, t in enumerate(theories)),
                      claims=tuple(_claim(c, i) for i, c in enumerate(claims)))
    except ReportError as exc:
        raise ReportError(f"{file} is not a valid scaling-verify report: {exc}") from None


def format_number(x: float, digits: int = 3, decimals: int | None = None) -> str:
    """``x`` as LaTeX text with ``digits`` significant digits (trailing zeros kept): ``0.480``,
    ``6.42``, ``\\ensuremath{1.50\\times10^{13}}`` outside [1e-3, 1e5). ``decimals`` fixes the decimal
    places instead (for interval ends written like their value)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return r"\ensuremath{\infty}" if x > 0 else r"\ensuremath{-\infty}"
    if decimals is not None:
        return _minus(f"{x:.{decimals}f}")
    if x != 0 and not 1e-3 <= abs(x) < 1e5:
        m, e = f"{x:.{digits - 1}e}".split("e")
        return rf"\ensuremath{{{_minus(m)}\times10^{{{int(e)}}}}}"
    return _minus(f"{x:.{_decimals(x, digits)}f}")


def _minus(s: str) -> str:
    return s.replace("-", r"\ensuremath{-}") if s.startswith("-") else s


def _decimals(x: float, digits: int) -> int:
    if x == 0:
        return digits - 1
    return max(0, digits - 1 - math.floor(math.log10(abs(float(f"{x:.{digits - 1}e}")))))


def format_interval(v: Measured, digits: int = 3) -> tuple[str, str | None, str | None]:
    """(value, lo, hi) as text: lo and hi with the decimal places of the value (scientific values:
    each in scientific form)."""
    band = v.band
    text = format_number(v.value, digits)
    if band is None:
        return text, None, None
    if math.isfinite(v.value) and (v.value == 0 or 1e-3 <= abs(v.value) < 1e5):
        d = _decimals(v.value, digits)
        return text, format_number(band[0], decimals=d), format_number(band[1], decimals=d)
    return text, format_number(band[0], digits), format_number(band[1], digits)
