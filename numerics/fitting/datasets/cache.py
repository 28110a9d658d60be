"""The cache of fetched data sets: public files whose licence does not permit redistribution.

Such a data set is described in ``manifest.toml`` like a stored one, with a ``fetch_url`` (pinned to the
source commit) instead of a CSV in the package. :func:`fetch_into_cache` downloads it once (or copies a
local copy), checks its SHA-256 *before* anything lands in the cache, and writes it atomically (a
temporary file in the cache folder, then :func:`os.replace`), so the cache never holds a partial or
unchecked file. The folder is :func:`scaling_verify.settings.data_cache_folder` (``SCALING_VERIFY_DATA``,
else ``$XDG_CACHE_HOME/scaling-verify/data``). Every failure is a one-line :class:`ValueError`.

Use it through :mod:`scaling_verify.numerics.fitting.datasets` (``fetch``, ``is_available``, ``load``).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scaling_verify.numerics.fitting.datasets import DatasetInfo

__all__ = ["DataFetchError", "DataNotFetched", "cache_dir", "cached_file", "fetch_command", "fetch_into_cache",
           "not_fetched"]

#: the largest download accepted (the fetched sets are kilobytes; this only bounds a wrong URL)
MAX_BYTES = 64 * 2**20
_USER_AGENT = "scaling-verify (data set fetch)"


class DataNotFetched(ValueError):
    """A fetched data set is not in the cache yet; the one-line message names the command that fetches it."""


class DataFetchError(ValueError):
    """A fetch failed (network, unreadable ``--from`` file, SHA-256 mismatch); nothing was written."""


def cache_dir() -> Path:
    """The folder of fetched data sets (``SCALING_VERIFY_DATA``, else ``$XDG_CACHE_HOME/scaling-verify/data``)."""
    from scaling_verify.settings import data_cache_folder

    return data_cache_folder()


def cached_file(info: DatasetInfo) -> Path:
    """Where the fetched data set ``info`` lives in the cache (present or not)."""
    return cache_dir() / info.file


def fetch_command(name: str) -> str:
    """The command that fetches the data set ``name`` from its source."""
    return f"scaling-verify data fetch {name}"


def _needs(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme} to {parts.hostname}"


def not_fetched(info: DatasetInfo) -> DataNotFetched:
    """The one-line error of :func:`~scaling_verify.numerics.fitting.datasets.load` for a set not in the cache."""
    cmd = fetch_command(info.name)
    return DataNotFetched(f"data set {info.name!r} is not fetched yet (no {cached_file(info)}): run `{cmd}` "
                          f"(needs {_needs(info.fetch_url)}) or `{cmd} --from FILE` with a copy you have")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _one_line(reason: object) -> str:
    text = " ".join(str(reason).split())
    return text or type(reason).__name__


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {_one_line(exc.reason)}"
    if isinstance(exc, urllib.error.URLError):
        return _one_line(exc.reason)
    if isinstance(exc, TimeoutError):
        return "timed out"
    return _one_line(exc)


def _offline_hint(info: DatasetInfo) -> str:
    src = info.source
    return (f"this machine may be offline -- copy the file from {src.repository}@{src.commit} "
            f"{', '.join(src.paths)} and run `{fetch_command(info.name)} --from FILE`")


def _download(info: DatasetInfo, timeout: float) -> bytes:
    """The bytes at ``info.fetch_url`` (DataFetchError, one line, on any network or HTTP failure)."""
    request = urllib.request.Request(info.fetch_url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_BYTES + 1)
    except (OSError, http.client.HTTPException) as exc:  # URLError, HTTPError, timeouts, resets
        if isinstance(exc, urllib.error.HTTPError):
            exc.close()  # an HTTP error holds the open response
        raise DataFetchError(f"could not fetch {info.fetch_url}: {_reason(exc)}; {_offline_hint(info)}") from None
    if len(data) > MAX_BYTES:
        raise DataFetchError(f"could not fetch {info.fetch_url}: more than {MAX_BYTES} bytes; "
                             f"{_offline_hint(info)}")
    return data


def _read_source(info: DatasetInfo, source: str | os.PathLike[str]) -> bytes:
    path = Path(source).expanduser()
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataFetchError(f"cannot read {path} for data set {info.name!r}: {exc.strerror or _reason(exc)}") from None


def _check(data: bytes, info: DatasetInfo, where: str) -> None:
    actual = _digest(data)
    if actual != info.sha256:
        raise DataFetchError(f"{where}: SHA-256 mismatch: expected {info.sha256}, got {actual}; "
                             f"nothing was written to {cache_dir()}")


def _write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file in the same folder and :func:`os.replace`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a cached public file is readable like any download
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _cached_and_intact(path: Path, info: DatasetInfo) -> bool:
    try:
        return _digest(path.read_bytes()) == info.sha256
    except OSError:
        return False


def fetch_into_cache(info: DatasetInfo, *, source: str | os.PathLike[str] | None = None,
                     timeout: float = 30.0) -> Path:
    """Put the fetched data set ``info`` into the cache and return its path.

    Without ``source``, an intact cached copy is kept (no network); otherwise the file is downloaded from
    ``info.fetch_url``. With ``source`` (a local copy), that file is checked and copied. Either way the
    SHA-256 is checked before the cache is written, and the write is atomic.

    Raises:
      DataFetchError: the download failed (one line naming the URL, the reason and how to copy the file
        from the source commit instead), ``source`` cannot be read, or the SHA-256 differs (expected,
        then actual digest; nothing written).
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
    target = cached_file(info)
    if source is None:
        if _cached_and_intact(target, info):
            return target
        data, where = _download(info, timeout), info.fetch_url
    else:
        data, where = _read_source(info, source), str(source)
    _check(data, info, where)
    _write_atomically(target, data)
    return target
