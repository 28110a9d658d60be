"""Loading theories: the entry-point group ``scaling_verify.theories`` and modules named by the user.

An entry point names a module; importing it registers a :class:`scaling_verify.theory.claims.Theory`, its claims
and (directly, or lazily through ``Theory.checks``) its checks. A plug-in distribution declares, in
its ``pyproject.toml``::

    [project.entry-points."scaling_verify.theories"]
    bahri = "bahri_scaling.claims"

The built-in theories are entry points of this distribution in the same group. A module that fails
to import is reported in one line (:class:`PluginError`), never as a traceback deep inside.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

GROUP = "scaling_verify.theories"
DISTRIBUTION = "scaling-verify"


class PluginError(ValueError):
    """A theory module that cannot be imported (a ``ValueError``: the command exits 2)."""


#: Installed third-party plug-ins that failed to import: entry-point label -> one-line reason. They do
#: not stop the others: their own theory fails (the command's table, its exit code, a pytest item).
BROKEN: dict[str, str] = {}


def _import(module: str, what: str) -> None:
    try:
        importlib.import_module(module)
    except PluginError:
        raise
    except Exception as exc:  # any failure of a user's module is bad input, reported in one line
        msg = str(exc).splitlines()[0] if str(exc) else ""
        raise PluginError(f"{what} {module!r} failed to import: {type(exc).__name__}: {msg}") from exc


def entry_points() -> list[metadata.EntryPoint]:
    """The installed entry points of :data:`GROUP`, this distribution's first, then by name."""
    eps = list(metadata.entry_points(group=GROUP))
    own = sorted((e for e in eps if _ours(e)), key=lambda e: (e.name, e.value))
    rest = sorted((e for e in eps if e not in own), key=lambda e: (e.name, e.value))
    return own + rest


def _canon(name: str) -> str:
    return name.lower().replace("_", "-")


def _ours(ep: metadata.EntryPoint) -> bool:
    return ep.dist is not None and _canon(ep.dist.name) == _canon(DISTRIBUTION)


def load_entry_points() -> list[str]:
    """Import every theory module named by an entry point: the built-in ones (this distribution's own
    entry points: the one list of them is ``pyproject.toml``), then the plug-ins.

    Returns the modules tried, in order. A third-party plug-in that fails to import is recorded in
    :data:`BROKEN` and the others load; with plug-ins switched off (:mod:`scaling_verify.settings`)
    only this distribution's theories load.
    """
    from scaling_verify.settings import plugins_enabled

    eps = entry_points()
    ours = [e for e in eps if _ours(e)]
    if not ours:
        raise PluginError(f"the {DISTRIBUTION} distribution declares no theories: install it (pip install -e .)")
    if not plugins_enabled():
        eps = ours
    modules = [e.value.split(":")[0] for e in eps]
    seen: list[str] = []
    for mod in modules:
        if mod in seen:
            continue
        seen.append(mod)
        ep = next((e for e in eps if e.value.split(":")[0] == mod), None)
        if ep is None or ep in ours:
            _import(mod, "theory module")  # a built-in theory that fails is our bug: stop
            continue
        label = f"plug-in {ep.name} ({ep.dist.name if ep.dist else '?'})"
        try:
            _import(mod, label)
        except PluginError as exc:
            BROKEN[label] = str(exc)
    return seen


_ADDED: list[str] = []  # folders load_module put on sys.path, newest last


@contextlib.contextmanager
def restoring_path() -> Iterator[None]:
    """The folders :func:`load_module` adds to ``sys.path`` inside the block are removed after it (the
    command, each worker task and a pytest session run in one; a module imported inside stays imported)."""
    start = len(_ADDED)
    try:
        yield
    finally:
        while len(_ADDED) > start:
            folder = _ADDED.pop()
            if folder in sys.path:
                sys.path.remove(folder)


def load_module(module: str, directory: Path | None = None) -> None:
    """Import ``module`` (a dotted name or a ``.py`` path), looking in ``directory`` (default: the
    current directory) first; this is ``--module`` and ``--sv-module``. The folder stays on ``sys.path``
    (the module's checks may import its neighbours later) until the enclosing :func:`restoring_path`
    block ends; outside one, for the rest of the process."""
    directory = Path.cwd() if directory is None else directory
    if module.endswith(".py"):
        path = (directory / module).resolve()
        if not path.is_file():
            raise PluginError(f"module file {module!r} not found")
        directory, module = path.parent, path.stem
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
        _ADDED.append(str(directory))
    _import(module, "module")
