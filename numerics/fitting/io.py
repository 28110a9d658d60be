"""CSV input for the fitting lab: read once, map columns, apply scales, refuse bad data in one line.

* UTF-8 with or without a byte-order mark (Excel writes one), header row required.
* ``--col N=params`` maps a law's column ``N`` to the CSV column ``params``; ``--scale N=1e6`` says the
  column is in millions (values are multiplied by the scale).
* Every problem -- missing file or column, a non-numeric, NaN/inf or non-positive cell -- is a
  :class:`ValueError` with one line naming the file, line and column, raised before any fitting.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Table:
    """A CSV file's header and cells, with the SHA-256 of its bytes (for provenance)."""

    path: Path
    sha256: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (line number, cells)

    def require(self, names: Iterable[str], mapped_from: Mapping[str, str] | None = None) -> None:
        """Raise one line naming every missing column (and the law column it was mapped from)."""
        missing = [n for n in names if n not in self.header]
        if missing:
            back = {v: k for k, v in (mapped_from or {}).items()}
            desc = ", ".join(f"{m} (for {back[m]})" if back.get(m, m) != m else m for m in missing)
            raise ValueError(f"{self.path}: missing column(s) {desc}; found {', '.join(self.header)}")

    def is_numeric(self, name: str) -> bool:
        """Whether every cell of column ``name`` parses as a number."""
        j = self.header.index(name)
        try:
            for _, cells in self.rows:
                float(cells[j])
        except ValueError:
            return False
        return True

    def numbers(self, name: str, *, positive: bool = False, scale: float = 1.0) -> np.ndarray:
        """Column ``name`` as floats times ``scale``; one-line errors for bad cells."""
        j = self.header.index(name)
        out = np.empty(len(self.rows))
        for i, (lineno, cells) in enumerate(self.rows):
            try:
                v = float(cells[j])
            except ValueError:
                raise ValueError(f"{self.path}: line {lineno}: column {name} is not a number: {cells[j]!r}") from None
            if not math.isfinite(v):
                raise ValueError(f"{self.path}: line {lineno}: column {name} is not finite: {cells[j]!r}")
            if positive and v <= 0:
                raise ValueError(f"{self.path}: line {lineno}: column {name} must be positive "
                                 f"(the fit works in log space), got {cells[j]!r}")
            out[i] = v * scale
        return out


def load_table(path: str | Path) -> Table:
    """Read a CSV with a header row (UTF-8, BOM allowed); blank lines are skipped."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text CSV file") from None
    try:
        reader = csv.reader(text.splitlines())
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise ValueError(f"{path}: empty CSV (no header row)")
        names = tuple(h.strip() for h in header)
        dup = sorted({n for n in names if names.count(n) > 1 and n})
        if dup:
            raise ValueError(f"{path}: duplicate column name(s) {', '.join(dup)}")
        rows = []
        for lineno, row in enumerate(reader, start=2):
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) < len(names):
                raise ValueError(f"{path}: line {lineno} has {len(row)} fields, header has {len(names)}")
            rows.append((lineno, tuple(cell.strip() for cell in row)))
    except csv.Error as exc:
        raise ValueError(f"{path}: malformed CSV: {exc}") from None
    if not rows:
        raise ValueError(f"{path}: no data rows")
    return Table(path, hashlib.sha256(raw).hexdigest(), names, tuple(rows))


def parse_assignments(items: Iterable[str] | None, option: str) -> dict[str, str]:
    """``["N=params", "D=tokens"]`` -> ``{"N": "params", "D": "tokens"}``; one-line error otherwise."""
    out: dict[str, str] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise ValueError(f"{option} expects NAME=VALUE, got {item!r}")
        if key in out:
            raise ValueError(f"{option} gives {key} twice")
        out[key] = value
    return out


def parse_numbers(items: Iterable[str] | None, option: str, *, positive: bool = False) -> dict[str, float]:
    """``["N=1e6"]`` -> ``{"N": 1e6}`` with finite (and, if asked, positive) values."""
    out = {}
    for key, text in parse_assignments(items, option).items():
        try:
            v = float(text)
        except ValueError:
            raise ValueError(f"{option} {key}={text}: not a number") from None
        if not math.isfinite(v) or (positive and v <= 0):
            raise ValueError(f"{option} {key}={text}: must be a {'positive ' if positive else ''}finite number")
        out[key] = v
    return out


def read_csv(path: str | Path, columns: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Read the named numeric columns of a CSV with a header row (extra columns are ignored).

    Raises ValueError with one line for a missing file, an empty file, missing columns, a
    non-numeric or non-finite cell (with its row number), or no data rows.
    """
    table = load_table(path)
    table.require(columns)
    return {c: table.numbers(c) for c in columns}
