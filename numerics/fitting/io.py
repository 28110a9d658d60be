"""CSV input for the fitting lab: read once, map columns, apply scales, refuse bad data in one line.

* UTF-8 with or without a byte-order mark (Excel writes one), header row required, ``.`` as the
  decimal mark. Strict mode (:func:`read_csv`, the comparison reader) takes commas only and refuses a
  file that looks ``;``- or tab-separated with a hint. Lenient mode (``scaling-verify fit``) *sniffs*
  the delimiter (:func:`sniff_delimiter`): of ``,`` ``;`` and tab, the one that splits the header into
  two or more fields and every one of the first :data:`SNIFF_ROWS` data rows into as many; a file where
  two of them qualify, or where none splits the header but the rows disagree, is refused in one line
  (name it by saving the file comma-separated). A decimal comma in a ``;`` file is then a non-numeric
  cell, refused with a hint. A row with more or fewer fields than the header is refused with its line
  number.
* ``--col N=params`` maps a law's column ``N`` to the CSV column ``params``; ``--scale N=1e6`` says the
  column is in millions (values are multiplied by the scale).
* With ``lenient=True`` (what ``scaling-verify fit`` uses) lines whose first field starts with ``#``
  are comments, before or after the header, and a column asked for as ``loss`` matches a header
  ``Loss`` when exactly one header name matches it case-insensitively (an exact match always wins;
  two case-insensitive matches are refused in one line as ambiguous).
* Every problem -- missing file or column, a non-numeric, NaN/inf, non-positive or subnormal cell --
  is a :class:`ValueError` with one line naming the file, line and column, raised before any fitting.

Memory is linear in the rows and small: the :class:`Table` keeps the decoded text (about one byte
per character) and parses a column into a float64 array when it is asked for, streaming the rows
(no per-cell Python objects are kept). ``max_rows`` refuses a larger file before it is read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: the largest file read at all (bytes); a bigger one is refused before it is read
MAX_BYTES = 2 << 30
#: the smallest positive normal float64: smaller positive values are subnormal and have lost precision
TINY = sys.float_info.min


@dataclass(frozen=True)
class Table:
    """A CSV file's header and rows, with the SHA-256 of its bytes (for provenance).

    ``n_rows`` counts the data rows (blank lines skipped); cells are parsed when a column is asked for.
    """

    path: Path
    sha256: str
    header: tuple[str, ...]
    n_rows: int
    text: str = field(repr=False)
    lenient: bool = False
    delimiter: str = ","

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """``(line number, cells)`` of every data row, streamed from the text."""
        reader = csv.reader(io.StringIO(self.text), delimiter=self.delimiter)
        for row in reader:
            if not _skip(row, self.lenient):
                break
        for row in reader:
            if not _skip(row, self.lenient):
                yield reader.line_num, row

    def column(self, name: str) -> int:
        """Index of column ``name`` (case-insensitively when lenient and unambiguous); -1 if absent."""
        if name in self.header:
            return self.header.index(name)
        if not self.lenient:
            return -1
        hits = [i for i, h in enumerate(self.header) if h.casefold() == name.casefold()]
        if len(hits) > 1:
            raise ValueError(f"{self.path}: column {name} matches {', '.join(self.header[i] for i in hits)} "
                             "(names that differ only in case); rename one")
        return hits[0] if hits else -1

    def has(self, name: str) -> bool:
        return self.column(name) >= 0

    def cells(self, name: str) -> Iterator[str]:
        """Column ``name`` as stripped strings (e.g. run labels), streamed."""
        j = self.column(name)
        return (cells[j].strip() for _, cells in self.records())

    def require(self, names: Iterable[str], mapped_from: Mapping[str, str] | None = None) -> None:
        """Raise one line naming every missing column (and the law column it was mapped from)."""
        missing = [n for n in names if not self.has(n)]
        if missing:
            back = {v: k for k, v in (mapped_from or {}).items()}
            desc = ", ".join(f"{m} (for {back[m]})" if back.get(m, m) != m else m for m in missing)
            raise ValueError(f"{self.path}: missing column(s) {desc}; found {', '.join(self.header)}")

    def is_numeric(self, name: str) -> bool:
        """Whether every cell of column ``name`` parses as a number."""
        j = self.column(name)
        try:
            for _, cells in self.records():
                float(cells[j])
        except ValueError:
            return False
        return True

    def numbers(self, name: str, *, positive: bool = False, scale: float = 1.0,
                rows: np.ndarray | None = None) -> np.ndarray:
        """Column ``name`` as floats times ``scale``; one-line errors for bad cells.

        With ``positive`` (a column the fit takes the log of) a value must be > 0 and, after the
        scale, a normal float64 (>= 2.2e-308): a subnormal value has lost bits of precision and its
        logarithm is no longer what the file says, so it is refused with a hint to rescale.
        ``rows`` (a boolean mask): only those rows are checked; the others are NaN where they do not parse.
        """
        j = self.column(name)
        use = np.ones(self.n_rows, bool) if rows is None else np.asarray(rows, bool)
        try:
            out = np.fromiter((float(cells[j]) if use[k] or _is_float(cells[j]) else math.nan
                               for k, (_, cells) in enumerate(self.records())), dtype=float, count=self.n_rows)
        except ValueError:
            lineno, cell = next((ln, c[j]) for k, (ln, c) in enumerate(self.records())
                                if use[k] and not _is_float(c[j]))
            raise ValueError(f"{self.path}: line {lineno}: column {name} is not a number: {cell.strip()!r}"
                             + _decimal_hint(cell)) from None
        if rows is not None:
            return self._checked(np.where(use, out, 1.0), name, j, positive, scale, use)
        return self._checked(out, name, j, positive, scale, use)

    def _checked(self, out: np.ndarray, name: str, j: int, positive: bool, scale: float,
                 use: np.ndarray) -> np.ndarray:
        """:meth:`numbers`'s checks of the rows in ``use``; rows outside it come back NaN."""
        bad = ~np.isfinite(out)
        if bad.any():
            lineno, cell = self._cell(int(np.argmax(bad)), j)
            raise ValueError(f"{self.path}: line {lineno}: column {name} is not finite: {cell.strip()!r}")
        if positive:
            bad = out <= 0
            if bad.any():
                lineno, cell = self._cell(int(np.argmax(bad)), j)
                raise ValueError(f"{self.path}: line {lineno}: column {name} must be positive "
                                 f"(the fit works in log space), got {cell.strip()!r}")
        if scale != 1.0:
            out *= scale
        if positive:
            bad = ~((out >= TINY) & (out < math.inf))
            if bad.any():
                lineno, cell = self._cell(int(np.argmax(bad)), j)
                raise ValueError(f"{self.path}: line {lineno}: column {name} is {cell.strip()!r}"
                                 f"{f' x {scale:g}' if scale != 1 else ''}, outside the normal float64 range "
                                 f"[{TINY:.3g}, {sys.float_info.max:.3g}]; rescale the column (--scale)")
        if not use.all():
            out = np.where(use, out, math.nan)
        return out

    def _cell(self, i: int, j: int) -> tuple[int, str]:
        """Line number and text of data row ``i``, column ``j`` (for an error message)."""
        for k, (lineno, cells) in enumerate(self.records()):
            if k == i:
                return lineno, cells[j]
        raise IndexError(i)


def _skip(row: list[str], lenient: bool) -> bool:
    """A blank row, or (lenient) a comment: first field starting with ``#``."""
    if not row or not "".join(row).strip():
        return True
    return lenient and row[0].lstrip().startswith("#")


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _decimal_hint(cell: str) -> str:
    return " (a decimal comma? write numbers with '.')" if "," in cell else ""


def count_lines(path: Path) -> int:
    """Newlines in ``path``, counted in 1 MiB chunks (no copy of the file is kept)."""
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
    return n


def _separator_hint(path: Path, first_line: str) -> None:
    if "," in first_line:
        return
    for sep, name in ((";", "';'"), ("\t", "tab")):
        if sep in first_line:
            raise ValueError(f"{path}: the file looks {name}-separated; save it comma-separated "
                             f"(with '.' as the decimal mark)")


def load_table(path: str | Path, *, max_rows: int | None = None, lenient: bool = False) -> Table:
    """Read a CSV with a header row (UTF-8, BOM allowed); blank lines are skipped.

    ``max_rows``: refuse a file with more data rows, before reading it (one line). ``lenient``: ``#``
    comment lines and case-insensitive column names (module docstring).
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ValueError(f"{path}: {size / 2**30:.1f} GiB is larger than the {MAX_BYTES / 2**30:.0f} GiB a CSV may be")
    if max_rows is not None:
        lines = count_lines(path) - 1
        if lines > max_rows:
            raise ValueError(f"{path}: {lines:,} lines, more than the limit of {max_rows:,} data rows; "
                             "use a subsample or bin the rows")
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text CSV file") from None
    del raw
    try:
        delimiter = sniff_delimiter(path, text) if lenient else ","
        header, n_rows = _scan(path, text, max_rows, lenient, delimiter)
    except csv.Error as exc:
        raise ValueError(f"{path}: malformed CSV: {exc}") from None
    return Table(path, sha, header, n_rows, text, lenient, delimiter)


#: data rows read to decide the delimiter
SNIFF_ROWS = 50
DELIMITERS = ((",", "','"), (";", "';'"), ("\t", "tab"))


def sniff_delimiter(path: Path, text: str) -> str:
    """The delimiter of a lenient CSV (module docstring): ``,``, ``;`` or tab; one-line ValueError when it
    cannot be determined."""
    fits = []
    header_splits = []
    for sep, name in DELIMITERS:
        reader = csv.reader(io.StringIO(text[:1 << 20]), delimiter=sep)
        rows = []
        try:
            for row in reader:
                if _skip(row, True):
                    continue
                rows.append(len(row))
                if len(rows) > SNIFF_ROWS:
                    break
        except csv.Error:
            continue
        if rows and rows[0] >= 2:
            header_splits.append(name)
            if all(k == rows[0] for k in rows[1:]):
                fits.append((sep, name))
    if len(fits) == 1:
        return fits[0][0]
    if len(fits) > 1:
        raise ValueError(f"{path}: cannot determine the delimiter: {' and '.join(n for _, n in fits)} both split every "
                         "row into the same number of fields; save the file with one of them only")
    if len(header_splits) == 1:  # the rows disagree with the header: the row check names the line
        return dict((n, s) for s, n in DELIMITERS)[header_splits[0]]
    if header_splits:
        raise ValueError(f"{path}: cannot determine the delimiter: {' and '.join(header_splits)} both split the "
                         "header but neither splits the rows consistently")
    return ","


def _scan(path: Path, text: str, max_rows: int | None, lenient: bool = False,
          delimiter: str = ",") -> tuple[tuple[str, ...], int]:
    """Check the header and every row's field count; return the header and the number of data rows."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    while lenient and header is not None and _skip(header, True) and any(h.strip() for h in header):
        header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        raise ValueError(f"{path}: empty CSV (no header row)")
    if len(header) == 1 and not lenient:
        _separator_hint(path, text[: text.find("\n")] if "\n" in text[:100_000] else text[:100_000])
    names = tuple(h.strip() for h in header)
    dup = sorted({n for n in names if names.count(n) > 1 and n})
    if dup:
        raise ValueError(f"{path}: duplicate column name(s) {', '.join(dup)}")
    n_rows = 0
    for row in reader:
        if _skip(row, lenient):
            continue
        if len(row) != len(names):
            more = len(row) > len(names)
            hint = " (a decimal comma, or an unquoted comma inside a field?)" if more else ""
            raise ValueError(f"{path}: line {reader.line_num} has {len(row)} fields, header has {len(names)}{hint}")
        n_rows += 1
        if max_rows is not None and n_rows > max_rows:
            raise ValueError(f"{path}: more than the limit of {max_rows:,} data rows; use a subsample or bin the rows")
    if not n_rows:
        raise ValueError(f"{path}: no data rows")
    return names, n_rows


def writable_file(path: Path, option: str) -> None:
    """Refuse (one line, before any work) an output file that cannot be written: missing or
    unwritable folder, a folder in its place, or an existing read-only file."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ValueError(f"{option}: folder {folder} does not exist")
    if path.is_dir():
        raise ValueError(f"{option}: {path} is a folder, not a file")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValueError(f"{option}: {path} is not writable")


def writable_dir(path: Path, option: str) -> None:
    """Refuse (one line, before any work) an output folder that is not a writable folder or cannot
    be created (its nearest existing parent is a file or not writable)."""
    path = Path(path)
    if path.exists():
        if not path.is_dir():
            raise ValueError(f"{option}: {path} exists and is not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise ValueError(f"{option}: folder {path} is not writable")
        return
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ValueError(f"{option}: cannot create folder {path}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"{option}: cannot create folder {path}: {parent} is not writable")


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
