"""Public measurements of real training runs, with their provenance: stored in the package, or fetched.

Every data set is described by ``manifest.toml``: source repository and commit, the paths read there,
the licence, the SHA-256 of the file, the paper, the columns with units, and the transformation from the
source files. A *stored* set is a small CSV next to this module whose licence (an SPDX id) permits
redistribution. A *fetched* set (``fetch_url`` in the manifest, pinned to the source commit) may not be
redistributed: :func:`fetch` downloads it once into the cache (``SCALING_VERIFY_DATA``, else
``$XDG_CACHE_HOME/scaling-verify/data``; :mod:`.cache`), or copies a local copy, after checking its SHA-256.
Loading checks the SHA-256, the header and the row count first and never touches the network; a
fetched set not in the cache is a one-line :class:`DataNotFetched` that names the command to run
(``scaling-verify data fetch NAME``, or ``... --from FILE`` on an offline machine).

* ``revisiting_lang`` -- the NMT and language-modelling learning curves of the benchmark of
  Alabdulmohsin, Neyshabur, Zhai, "Revisiting Neural Scaling Laws in Language and Vision"
  (arXiv:2209.06640), with the paper's fixed extrapolation split (CC-BY-4.0).
* ``datablations_runs`` -- final validation loss, parameters, tokens and unique tokens per run of
  Muennighoff et al., "Scaling Data-Constrained Language Models" (arXiv:2305.16264), with a
  leave-largest-compute-out split defined here (Apache-2.0).
* ``pythia_lambada`` -- LAMBADA perplexity per checkpoint of seven Pythia sizes, Biderman et al.,
  "Pythia: A Suite for Analyzing Large Language Models Across Training and Scaling"
  (arXiv:2304.01373) (Apache-2.0).
* ``epoch_chinchilla`` (fetched) -- the 245 (model size, training FLOP, loss) points that Besiroglu, Erdil,
  Barnett, You, "Chinchilla Scaling: A replication attempt" (arXiv:2404.10102) extracted from Figure 4 of
  Hoffmann et al. (arXiv:2203.15556); columns aliased ``N`` and ``C``, and ``D = C / (6 N)`` derived.

A column may carry an alias (``as = "N"`` in the manifest): :attr:`Dataset.columns` holds it under both
names. ``tokens_from_compute = true`` adds the derived column ``D = C / (6 N)``, the training tokens of
the compute approximation :math:`C \\approx 6ND` (Kaplan et al., arXiv:2001.08361).

Usage::

    from scaling_verify.numerics.fitting import datasets
    ds = datasets.load("datablations_runs")
    N, D, loss = ds.column("N"), ds.column("D"), ds.column("loss")
    fit_rows = ds.split.fit          # boolean mask; ds.split.held_out is its complement
    if not datasets.is_available("epoch_chinchilla"):
        datasets.fetch("epoch_chinchilla")                      # once; or source="a/local/copy.csv"
    chin = datasets.load("epoch_chinchilla")                    # N, C and D = C/(6N)
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
from urllib.parse import urlsplit

import numpy as np

from .cache import DataFetchError, DataNotFetched, cache_dir, cached_file, fetch_into_cache, not_fetched

__all__ = ["Column", "DataFetchError", "DataNotFetched", "Dataset", "DatasetInfo", "Source", "Split", "available",
           "cache_dir", "cache_path", "fetch", "info", "is_available", "load", "names"]

_KINDS = ("float", "int", "str")
#: the text of ``DatasetInfo.derived`` for ``tokens_from_compute = true``
TOKENS_FROM_COMPUTE = "D = C/(6N) (training tokens from compute, Kaplan et al.'s C = 6ND, arXiv:2001.08361)"


@dataclass(frozen=True)
class Source:
    """Where a data set's file comes from: a public repository at a commit, and the paths read there."""

    repository: str
    commit: str
    paths: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class Column:
    """One column of a data set's CSV: its header, value kind (``float``, ``int`` or ``str``), unit, and
    an optional alias (``as`` in the manifest) under which :attr:`Dataset.columns` also holds it."""

    name: str
    kind: str
    unit: str
    description: str
    alias: str = ""


@dataclass(frozen=True)
class DatasetInfo:
    """Provenance of one data set (one ``[[dataset]]`` table of ``manifest.toml``).

    ``stored``: the CSV ships in the package; otherwise ``fetch_url`` (pinned to ``source.commit``) is
    where :func:`fetch` downloads it and ``file`` is its name in the cache. ``derived`` describes the
    columns computed on load (``""`` where none).
    """

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
    #: False for a set fetched into the cache (not redistributable), True for a CSV in the package
    stored: bool = True
    #: where a fetched set is downloaded from ("" for a stored set)
    fetch_url: str = ""
    #: the columns computed on load, as text ("" where none)
    derived: str = ""

    @property
    def column_names(self) -> tuple[str, ...]:
        """The header of the CSV, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def column_keys(self) -> tuple[str, ...]:
        """Every key of :attr:`Dataset.columns`: the header, then the aliases, then the derived columns."""
        derived = ("D",) if self.derived else ()
        return self.column_names + tuple(c.alias for c in self.columns if c.alias) + derived

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
                             f"columns: {', '.join(self.info.column_keys)}") from None

    @property
    def rows(self) -> int:
        return self.info.rows


@dataclass(frozen=True)
class _Entry:
    info: DatasetInfo
    split_column: str | None
    split_threshold: float | None
    tokens_from_compute: bool = False


def _package_files():
    return resources.files(__name__)


def _columns(d: dict) -> tuple[Column, ...]:
    cols = tuple(Column(c["name"], c["kind"], c.get("unit", ""), c.get("description", ""), c.get("as", ""))
                 for c in d["columns"])
    bad = [c.name for c in cols if c.kind not in _KINDS]
    if bad:
        raise ValueError(f"manifest.toml: data set {d['name']!r}: unknown column kind for {', '.join(bad)}")
    keys = [c.name for c in cols] + [c.alias for c in cols if c.alias]
    if len(set(keys)) != len(keys):
        raise ValueError(f"manifest.toml: data set {d['name']!r}: a column name or alias is used twice")
    return cols


def _check_entry(info: DatasetInfo, tokens_from_compute: bool) -> None:
    """One-line ValueError for a fetch URL that is not pinned, or a derived column without its inputs."""
    where = f"manifest.toml: data set {info.name!r}"
    if not info.stored and (urlsplit(info.fetch_url).scheme not in ("https", "http")
                            or info.source.commit not in info.fetch_url):
        raise ValueError(f"{where}: fetch_url must be an http(s) URL holding the commit {info.source.commit}")
    if tokens_from_compute:
        aliases = {c.alias for c in info.columns}
        if not {"N", "C"} <= aliases or "D" in info.column_names + tuple(aliases):
            raise ValueError(f"{where}: tokens_from_compute needs columns aliased N and C and none named D")


def _read_entry(d: dict) -> _Entry:
    src = Source(d["repository"], d["commit"], tuple(d["paths"]), d.get("url", ""))
    tokens_from_compute = bool(d.get("tokens_from_compute", False))
    info = DatasetInfo(name=d["name"], title=d["title"], file=d["file"], sha256=d["sha256"].lower(),
                       rows=int(d["rows"]), source=src, licence=d["licence"],
                       licence_evidence=d.get("licence_evidence", ""), citation=d["citation"],
                       arxiv=d["arxiv"], transformation=d.get("transformation", ""), columns=_columns(d),
                       split=d.get("split", ""), published=d.get("published", ""),
                       stored="fetch_url" not in d, fetch_url=d.get("fetch_url", ""),
                       derived=TOKENS_FROM_COMPUTE if tokens_from_compute else "")
    _check_entry(info, tokens_from_compute)
    threshold = d.get("split_threshold")
    return _Entry(info, d.get("split_column"), None if threshold is None else float(threshold), tokens_from_compute)


def _read_manifest(text: str) -> tuple[_Entry, ...]:
    return tuple(_read_entry(d) for d in tomllib.loads(text).get("dataset", []))


def _entries() -> tuple[_Entry, ...]:
    return _read_manifest((_package_files() / "manifest.toml").read_text(encoding="utf-8"))


def _entry(name: str) -> _Entry:
    entries = _entries()
    for e in entries:
        if e.info.name == name:
            return e
    raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(e.info.name for e in entries)}")


def available() -> list[DatasetInfo]:
    """The provenance of every data set in the manifest (stored and fetched), in manifest order; see
    :func:`is_available` for whether a fetched one is in the cache."""
    return [e.info for e in _entries()]


def names() -> tuple[str, ...]:
    """The names accepted by :func:`load`."""
    return tuple(e.info.name for e in _entries())


def info(name: str) -> DatasetInfo:
    """The provenance of the data set ``name`` (ValueError if there is none)."""
    return _entry(name).info


def cache_path(name: str) -> Path:
    """Where the fetched data set ``name`` lives in the cache (present or not; ValueError for a stored set)."""
    entry_info = info(name)
    if entry_info.stored:
        raise ValueError(f"data set {name!r} is stored in the package, not in the cache")
    return cached_file(entry_info)


def is_available(name: str) -> bool:
    """True for a stored set; for a fetched set, whether its file is in the cache (its hash is checked on load)."""
    entry_info = info(name)
    return entry_info.stored or cached_file(entry_info).is_file()


def fetch(name: str, *, source: str | Path | None = None, timeout: float = 30.0) -> Path:
    """Fetch the data set ``name`` into the cache once and return the cached file.

    Downloads ``info.fetch_url`` with :mod:`urllib` (or copies ``source``, a local copy), checks the
    SHA-256 before anything lands in the cache and writes atomically; an intact cached copy is kept
    without touching the network. A stored set needs no fetch: its packaged file is returned as is.

    Raises:
      ValueError: unknown name.
      DataFetchError: no network or an HTTP error ("could not fetch URL: reason; this machine may be
        offline -- copy the file from REPOSITORY@COMMIT PATH and run `scaling-verify data fetch NAME
        --from FILE`"), an unreadable ``source``, or a SHA-256 mismatch (expected, then actual digest;
        nothing written). Each is one line.
    """
    entry_info = info(name)
    if entry_info.stored:
        return Path(str(_package_files() / entry_info.file))
    return fetch_into_cache(entry_info, source=source, timeout=timeout)


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
    if any(len(r) != len(info.columns) for r in rows):
        raise ValueError(f"{where}: a row does not have {len(info.columns)} fields")
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


def _expose(entry: _Entry, cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The header's columns, then each alias (the same array), then ``D = C / (6 N)`` if the manifest asks."""
    out = dict(cols)
    out.update({c.alias: cols[c.name] for c in entry.info.columns if c.alias})
    if entry.tokens_from_compute:
        tokens = out["C"] / (6.0 * out["N"])
        tokens.setflags(write=False)
        out["D"] = tokens
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


def _read(info: DatasetInfo, directory: str | Path | None) -> tuple[bytes, str]:
    """The file's bytes and the name used in errors: the package, ``directory``, or the cache."""
    if directory is not None:
        path = Path(directory) / info.file
        return path.read_bytes(), str(path)
    if info.stored:
        return (_package_files() / info.file).read_bytes(), info.file
    path = cached_file(info)
    if not path.is_file():
        raise not_fetched(info)
    return path.read_bytes(), str(path)


def load(name: str, *, directory: str | Path | None = None) -> Dataset:
    """Load the data set ``name`` after checking its SHA-256, header and row count against ``manifest.toml``.

    A stored set is read from the package, a fetched set from the cache (:func:`fetch` puts it there);
    nothing here touches the network.

    Args:
      name: one of :func:`names`.
      directory: read ``info.file`` under this folder instead of the package or the cache (a copy to check).

    Raises:
      DataNotFetched: a fetched set that is not in the cache (one line naming the set, the cache path and
        ``scaling-verify data fetch NAME [--from FILE]``).
      ValueError: unknown name, or the file's SHA-256, header or row count differs from the manifest
        (one line naming the file; for the hash, the expected and the actual digest).
    """
    entry = _entry(name)
    info = entry.info
    data, where = _read(info, directory)
    verify(data, info, where)
    cols = _parse(data.decode("utf-8"), info, where)
    return Dataset(info=info, columns=MappingProxyType(_expose(entry, cols)), split=_split(entry, cols))
