"""The ``scaling-verify data`` subcommand: the public data sets, and fetching those that are not stored.

* ``data list [--json]`` -- every data set of :mod:`numerics.fitting.datasets`: stored in the package or
  fetched, whether it can be loaded now, rows, licence and source (repository@commit), and the cache folder;
* ``data fetch NAME [--from FILE] [--timeout S]`` -- download a fetched set once into the cache
  (``SCALING_VERIFY_DATA``, else ``$XDG_CACHE_HOME/scaling-verify/data``), or copy ``FILE``, a copy you
  have (on a machine without network); the SHA-256 is checked before anything is written.

Exit 0 on success; 2 with one line on stderr for an unknown name, no network, a SHA-256 mismatch or an
unreadable ``--from`` file. A stored set needs no fetch: ``data fetch`` says so and exits 0.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    """One line of ``data list``."""

    name: str
    stored: bool
    available: bool
    rows: int
    licence: str
    repository: str
    commit: str
    paths: tuple[str, ...]
    url: str
    fetch_url: str | None
    path: str | None

    @property
    def source(self) -> str:
        return f"{self.repository}@{self.commit[:12]}"

    def as_dict(self) -> dict:
        return {**asdict(self), "paths": list(self.paths)}


def add_parser(sub) -> None:
    """Add ``data`` (with ``list`` and ``fetch``) to the ``scaling-verify`` subparsers ``sub``."""
    pd = sub.add_parser("data", help="list the public data sets; fetch those whose licence does not permit "
                                     "redistribution into the cache")
    actions = pd.add_subparsers(dest="data_cmd", metavar="{list,fetch}")
    actions.required = True
    pl = actions.add_parser("list", help="every data set: stored or fetched, available, rows, licence, source")
    pl.add_argument("--json", action="store_true", help="print a JSON object (cache folder and data sets)")
    pf = actions.add_parser("fetch", help="download a data set once into the cache (SHA-256 checked)")
    pf.add_argument("name", metavar="NAME", help="the data set (see `scaling-verify data list`)")
    pf.add_argument("--from", dest="source", type=Path, metavar="FILE",
                    help="copy this local file instead of downloading (checked against the SHA-256)")
    pf.add_argument("--timeout", type=float, default=30.0, metavar="S",
                    help="network timeout in seconds (default 30)")


def entries() -> list[Entry]:
    """The data sets in manifest order, with whether each can be loaded now."""
    from scaling_verify.numerics.fitting import datasets

    out = []
    for info in datasets.available():
        available = datasets.is_available(info.name)
        path = None if info.stored or not available else str(datasets.cache_path(info.name))
        out.append(Entry(info.name, info.stored, available, info.rows, info.licence, info.source.repository,
                         info.source.commit, info.source.paths, info.source.url, info.fetch_url or None, path))
    return out


def _table(rows: list[Entry], cache: Path) -> str:
    head = ("data set", "kind", "available", "rows", "licence", "source")
    cells = [(e.name, "stored" if e.stored else "fetched", "yes" if e.available else "no", str(e.rows),
              e.licence, e.source) for e in rows]
    widths = [max(len(r[i]) for r in [head, *cells]) for i in range(len(head))]

    def line(r: tuple[str, ...]) -> str:
        return "  ".join(v.rjust(w) if i == 3 else v.ljust(w) for i, (v, w) in enumerate(zip(r, widths))).rstrip()

    out = [line(head), "  ".join("-" * w for w in widths), *(line(r) for r in cells), "", f"cache: {cache}"]
    missing = [e.name for e in rows if not e.available]
    if missing:
        out.append(f"not fetched: {', '.join(missing)} (scaling-verify data fetch NAME [--from FILE])")
    return "\n".join(out)


def _list(args) -> int:
    from scaling_verify.numerics.fitting import datasets

    rows, cache = entries(), datasets.cache_dir()
    if args.json:
        print(json.dumps({"cache": str(cache), "datasets": [e.as_dict() for e in rows]}, indent=2))
    else:
        print(_table(rows, cache))
    return 0


def _fetch(args) -> int:
    from scaling_verify.numerics.fitting import datasets

    if not args.timeout > 0:
        raise ValueError(f"--timeout must be > 0 seconds, got {args.timeout}")
    info = datasets.info(args.name)
    if info.stored:
        print(f"{info.name}: stored in the package; nothing to fetch")
        return 0
    path = datasets.fetch(args.name, source=args.source, timeout=args.timeout)
    print(f"{info.name}: {path} (SHA-256 {info.sha256[:12]}... checked)")
    return 0


def run(args) -> int:
    """Run ``data list`` or ``data fetch``; ValueError (one line, exit 2) on bad input or a failed fetch."""
    return {"list": _list, "fetch": _fetch}[args.data_cmd](args)
