"""What code a check runs: the import closure of its claim's module and of its check's module, and the
content hash of every module in it.

The closure is found statically, module by module: the ``import`` statements of each source file
(function-local ones included, relative ones resolved) and the string constants that name a module of
a package already in the closure (lazy import tables, ``Theory.checks``), plus the ``__init__`` of every
enclosing package (it runs on import). A module is

* **source**: its file's SHA-256 enters the identity and its own imports are followed. That is every
  module of ``scaling_verify``, of an installed plug-in (a distribution with an entry point in
  ``scaling_verify.theories``) and any module outside ``site-packages`` (a user's ``--module`` and
  the helpers it imports, editable installs);
* **library**: an installed third-party distribution, entered as ``name==version`` and not followed;
* the standard library: left out (the Python version is part of every identity).

Resolution never imports a module that is not imported yet, except the packages above it when a
name cannot be found otherwise. File facts are cached by (path, mtime, size), so an edit is seen by
the next call in the same process.

Used by the result cache (the identity is part of every key) and by the executors (a worker compares
the identity the submitting run computed with the code it has loaded: see :mod:`scaling_verify.run.worker`).
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import re
import sys
from functools import lru_cache
from pathlib import Path

PLUGIN_GROUP = "scaling_verify.theories"
_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
_SITE = ("site-packages", "dist-packages")


@lru_cache(maxsize=4096)
def _file_facts(path: str, mtime_ns: int, size: int) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(sha256, absolute import candidates, dotted string constants) of one source file; relative
    imports come back as ``.name`` / ``..name`` for the caller to resolve."""
    data = Path(path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    try:
        tree = ast.parse(data, filename=path)
    except (SyntaxError, ValueError):
        return digest, (), ()
    imports: list[str] = []
    strings: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            imports.append(base)
            imports += [f"{base}.{alias.name}" if node.module else f"{base}{alias.name}"
                        for alias in node.names if alias.name != "*"]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _DOTTED.match(node.value):
            strings.append(node.value)
    return digest, tuple(dict.fromkeys(imports)), tuple(dict.fromkeys(strings))


def file_digest(path: str) -> str | None:
    """SHA-256 of ``path`` (None when it cannot be read)."""
    try:
        st = os.stat(path)
        return _file_facts(path, st.st_mtime_ns, st.st_size)[0]
    except OSError:
        return None


def _facts(path: str):
    st = os.stat(path)
    return _file_facts(path, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=1)
def _plugin_tops() -> frozenset[str]:
    from importlib import metadata

    return frozenset(e.value.split(":")[0].split(".")[0] for e in metadata.entry_points(group=PLUGIN_GROUP))


@lru_cache(maxsize=1)
def _distributions() -> dict[str, list[str]]:
    from importlib import metadata

    return metadata.packages_distributions()


@lru_cache(maxsize=None)
def _dist_version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def _package_dirs(name: str) -> list[str]:
    mod = sys.modules.get(name)
    if mod is not None:
        return list(getattr(mod, "__path__", []) or [])
    origin = locate(name)
    return [os.path.dirname(origin)] if origin and origin.endswith("__init__.py") else []


def locate(name: str) -> str | None:
    """The source file of module ``name`` (a package's ``__init__.py``), or None (no such module,
    a namespace package, a compiled or built-in module)."""
    mod = sys.modules.get(name)
    if mod is not None:
        f = getattr(mod, "__file__", None)
        return f if f and f.endswith(".py") else None
    parent, _, last = name.rpartition(".")
    if not parent:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return None
        return spec.origin if spec is not None and spec.has_location and str(spec.origin).endswith(".py") else None
    for d in _package_dirs(parent):
        for cand in (os.path.join(d, last, "__init__.py"), os.path.join(d, last + ".py")):
            if os.path.isfile(cand):
                return cand
    if parent in sys.modules:
        return None
    try:  # a package not imported yet and not on a plain path (an editable mapping): import it
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None and spec.has_location and str(spec.origin).endswith(".py") else None


def module_kind(name: str, path: str) -> str:
    top = name.split(".")[0]
    if top in sys.stdlib_module_names:
        return "stdlib"
    if top == "scaling_verify" or top in _plugin_tops():
        return "source"
    return "library" if any(part in _SITE for part in Path(path).parts) else "source"


def _resolve(ref: str, module: str, is_package: bool) -> str | None:
    if not ref.startswith("."):
        return ref
    package = module if is_package else module.rpartition(".")[0]
    try:
        return importlib.util.resolve_name(ref, package)
    except (ImportError, ValueError):
        return None


def closure(roots: list[str]) -> dict[str, str]:
    """The identity of the code reached from the modules ``roots``: module -> SHA-256 for source
    modules, ``dist:NAME`` -> version for libraries (see the module docstring)."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    stack = [r for r in roots if r]
    source_tops: set[str] = {"scaling_verify"}
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        stack += [".".join(parts[:i]) for i in range(1, len(parts))]  # enclosing packages run on import
        path = locate(name)
        if path is None:
            continue
        kind = module_kind(name, path)
        if kind == "stdlib":
            continue
        if kind == "library":
            for dist in _distributions().get(parts[0], [parts[0]]):
                out[f"dist:{dist}"] = _dist_version(dist)
            continue
        source_tops.add(parts[0])
        try:
            digest, imports, strings = _facts(path)
        except OSError:
            out[name] = "unreadable"
            continue
        out[name] = digest
        is_package = path.endswith("__init__.py")
        for ref in imports:
            target = _resolve(ref, name, is_package)
            if target and target not in seen:
                stack.append(target)
        stack += [s for s in strings if s.split(".")[0] in source_tops and s not in seen]
    return out


def identity_digest(identity: dict[str, str]) -> str:
    """One SHA-256 over an identity (sorted), with the Python version."""
    h = hashlib.sha256(f"python={sys.version}\n".encode())
    for k in sorted(identity):
        h.update(f"{k}={identity[k]}\n".encode())
    return h.hexdigest()
