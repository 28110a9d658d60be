"""Writing a set of report files so that a reader finds either the old complete set or the new one.

:func:`publish` gets every file's bytes at once (nothing is written before all of them exist), writes
each beside its destination under a temporary name, then, with ``SIGINT`` held back, moves them into
place, removes the files of the previous set that the new one does not have (listed in its run
marker ``.sv-run.json``), and writes the new marker: the run id, the date and each file's SHA-256. A
Ctrl-C during the move waits until the set is complete, then interrupts. Files in the folder that no
set of ours wrote are left alone.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

MARKER = ".sv-run.json"


@contextlib.contextmanager
def sigint_held() -> Iterator[None]:
    """Hold ``SIGINT`` back for the body (main thread only), then deliver it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    old = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
    if caught:
        raise KeyboardInterrupt


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _previous(folder: Path) -> list[str]:
    try:
        files = json.loads((folder / MARKER).read_text())["files"]
        return [f for f in files if isinstance(f, str) and "/" not in f and f not in (MARKER, "", ".", "..")]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def publish(folder: Path, files: dict[str, bytes], *, run_id: str, stale_pattern: str | None = None) -> None:
    """Write ``files`` (name -> bytes) into ``folder`` as one set (see the module docstring).

    ``stale_pattern``: a glob of files of ours to remove when the folder has no marker yet (reports
    written before markers existed).
    """
    folder.mkdir(parents=True, exist_ok=True)
    old = _previous(folder)
    if not old and stale_pattern and not (folder / MARKER).exists():
        old = [p.name for p in folder.glob(stale_pattern)]
    temps: dict[str, str] = {}
    mode = 0o666 & ~_umask()
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, mode)
            temps[name] = tmp
        marker = json.dumps({"run": run_id, "written": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                             "files": {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}}, indent=1)
        fd, mtmp = tempfile.mkstemp(dir=folder, prefix=".sv-run.", suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            fh.write(marker)
        os.chmod(mtmp, mode)
        temps[MARKER] = mtmp
        with sigint_held():
            for name, tmp in temps.items():
                if name != MARKER:
                    os.replace(tmp, folder / name)
            for name in old:
                if name not in files:
                    with contextlib.suppress(OSError):
                        (folder / name).unlink()
            os.replace(temps[MARKER], folder / MARKER)
            temps.clear()
    finally:
        for tmp in temps.values():
            with contextlib.suppress(OSError):
                os.unlink(tmp)
