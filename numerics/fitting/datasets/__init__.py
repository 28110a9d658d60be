"""Public measurements of real training runs, stored in the package with their provenance.

Every data set is a small CSV next to this module described by ``manifest.toml``: source repository and
commit, the paths read there, the SPDX id of the licence that permits redistribution, the SHA-256 of
the stored file, the paper, the columns with units, and the transformation from the source files.
Loading checks the SHA-256 first; nothing here touches the network.

* ``revisiting_lang`` -- the NMT and language-modelling learning curves of the benchmark of
  Alabdulmohsin, Neyshabur, Zhai, "Revisiting Neural Scaling Laws in Language and Vision"
  (arXiv:2209.06640), with the paper's fixed extrapolation split (CC-BY-4.0).
* ``datablations_runs`` -- final validation loss, parameters, tokens and unique tokens per run of
  Muennighoff et al., "Scaling Data-Constrained Language Models" (arXiv:2305.16264), with a
  leave-largest-compute-out split defined here (Apache-2.0).
* ``pythia_lambada`` -- LAMBADA perplexity per checkpoint of seven Pythia sizes, Biderman et al.,
  "Pythia: A Suite for Analyzing Large Language Models Across Training and Scaling"
  (arXiv:2304.01373) (Apache-2.0).

Usage::

    from scaling_verify.numerics.fitting import datasets
    ds = datasets.load("datablations_runs")
    N, D, loss = ds.column("N"), ds.column("D"), ds.column("loss")
    fit_rows = ds.split.fit          # boolean mask; ds.split.held_out is its complement
"""

from __future__ import annotations

import csv
import hashlib
import io
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import numpy as np

__all__ = ["Column", "Dataset", "DatasetInfo", "Source", "Split", "available", "info", "load", "names"]

_KINDS = ("float", "int", "str")


@dataclass(frozen=True)
class Source:
    """Where a stored file comes from: a public repository at a commit, and the paths read there."""

    repository: str
    commit: str
    paths: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class Column:
    """One column of a stored CSV: its header, value kind (``float``, ``int`` or ``str``) and unit."""

    name: str
    kind: str
    unit: str
    description: str


@dataclass(frozen=True)
class DatasetInfo:
    """Provenance of one stored data set (one ``[[dataset]]`` table of ``manifest.toml``)."""

    name: str
    title: str
    file: str
    sha256: str
    rows: int
    source: Source
    licence: str
    licence_evidence: str
    citation: str
    arxiv: str
    transformation: str
    columns: tuple[Column, ...]
    #: how the rows split into fit and held-out rows ("" where the data set has no split)
    split: str
    #: the published extrapolation numbers, or why none are stored
    published: str

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def has_split(self) -> bool:
        return bool(self.split)


@dataclass(frozen=True)
class Split:
    """A fixed split of the rows: ``fit`` is True on the rows a law is fitted on."""

    fit: np.ndarray
    rule: str

    @property
    def held_out(self) -> np.ndarray:
        return ~self.fit


@dataclass(frozen=True)
class Dataset:
    """A loaded data set: its provenance, its columns as numpy arrays, and its split (or None)."""

    info: DatasetInfo
    columns: Mapping[str, np.ndarray]
    split: Split | None

    def column(self, name: str) -> np.ndarray:
        """The column ``name`` (a read-only array); ValueError naming the columns if there is none."""
        try:
            return self.columns[name]
        except KeyError:
            raise ValueError(f"data set {self.info.name!r} has no column {name!r}; "
                             f"columns: {', '.join(self.info.column_names)}") from None

    @property
    def rows(self) -> int:
        return self.info.rows


@dataclass(frozen=True)
class _Entry:
    info: DatasetInfo
    split_column: str | None
    split_threshold: float | None


def _package_files():
    return resources.files(__name__)


def _read_manifest(text: str) -> tuple[_Entry, ...]:
    raw = tomllib.loads(text)
    out = []
    for d in raw.get("dataset", []):
        cols = tuple(Column(c["name"], c["kind"], c.get("unit", ""), c.get("description", "")) for c in d["columns"])
        bad = [c.name for c in cols if c.kind not in _KINDS]
        if bad:
            raise ValueError(f"manifest.toml: data set {d['name']!r}: unknown column kind for {', '.join(bad)}")
        src = Source(d["repository"], d["commit"], tuple(d["paths"]), d.get("url", ""))
        info = DatasetInfo(name=d["name"], title=d["title"], file=d["file"], sha256=d["sha256"].lower(),
                           rows=int(d["rows"]), source=src, licence=d["licence"],
                           licence_evidence=d.get("licence_evidence", ""), citation=d["citation"],
                           arxiv=d["arxiv"], transformation=d.get("transformation", ""), columns=cols,
                           split=d.get("split", ""), published=d.get("published", ""))
        threshold = d.get("split_threshold")
        out.append(_Entry(info, d.get("split_column"), None if threshold is None else float(threshold)))
    return tuple(out)


def _entries() -> tuple[_Entry, ...]:
    return _read_manifest((_package_files() / "manifest.toml").read_text(encoding="utf-8"))


def _entry(name: str) -> _Entry:
    entries = _entries()
    for e in entries:
        if e.info.name == name:
            return e
    raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(e.info.name for e in entries)}")


def available() -> list[DatasetInfo]:
    """The provenance of every stored data set, in manifest order."""
    return [e.info for e in _entries()]


def names() -> tuple[str, ...]:
    """The names accepted by :func:`load`."""
    return tuple(e.info.name for e in _entries())


def info(name: str) -> DatasetInfo:
    """The provenance of the data set ``name`` (ValueError if there is none)."""
    return _entry(name).info


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify(data: bytes, info: DatasetInfo, where: str | None = None) -> None:
    """Raise a one-line ValueError unless ``data`` has the SHA-256 recorded for ``info``."""
    actual = sha256_of(data)
    if actual != info.sha256:
        raise ValueError(f"{where or info.file}: SHA-256 mismatch: expected {info.sha256}, got {actual}")


def _parse(text: str, info: DatasetInfo, where: str) -> dict[str, np.ndarray]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(header) != info.column_names:
        raise ValueError(f"{where}: header {header!r} is not {list(info.column_names)!r}")
    rows = [r for r in reader if r]
    if len(rows) != info.rows:
        raise ValueError(f"{where}: {len(rows)} rows, the manifest records {info.rows}")
    out: dict[str, np.ndarray] = {}
    for j, col in enumerate(info.columns):
        values = [r[j] for r in rows]
        if col.kind == "str":
            arr = np.array(values, dtype=str)
        else:
            arr = np.array([float(v) for v in values], dtype=float)
            if col.kind == "int":
                if not np.all(arr == np.round(arr)):
                    raise ValueError(f"{where}: column {col.name!r} holds a non-integer value")
                arr = arr.astype(np.int64)
        arr.setflags(write=False)
        out[col.name] = arr
    return out


def _split(entry: _Entry, cols: dict[str, np.ndarray]) -> Split | None:
    info = entry.info
    if not info.split:
        return None
    if entry.split_column is not None:
        flag = cols[entry.split_column]
        if not np.all(np.isin(flag, (0, 1))):
            raise ValueError(f"{info.file}: column {entry.split_column!r} must hold 0 or 1")
        fit = flag == 1
    elif entry.split_threshold is not None:
        fit = 6.0 * cols["N"] * cols["D"] < entry.split_threshold
    else:
        raise ValueError(f"manifest.toml: data set {info.name!r} describes a split but names no rule")
    fit = np.asarray(fit, dtype=bool)
    fit.setflags(write=False)
    return Split(fit=fit, rule=info.split)


def load(name: str, *, directory: str | Path | None = None) -> Dataset:
    """Load the stored data set ``name`` after checking its SHA-256 against ``manifest.toml``.

    Args:
      name: one of :func:`names`.
      directory: read ``info.file`` under this folder instead of the package (a copy to check).

    Raises:
      ValueError: unknown name, or the file's SHA-256, header or row count differs from the manifest
        (one line naming the file; for the hash, the expected and the actual digest).
    """
    entry = _entry(name)
    info = entry.info
    if directory is None:
        where = info.file
        data = (_package_files() / info.file).read_bytes()
    else:
        path = Path(directory) / info.file
        where = str(path)
        data = path.read_bytes()
    verify(data, info, where)
    cols = _parse(data.decode("utf-8"), info, where)
    return Dataset(info=info, columns=MappingProxyType(cols), split=_split(entry, cols))
