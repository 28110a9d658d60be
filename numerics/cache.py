"""A result cache for CI: an unchanged check is read back instead of recomputed.

Each check's result is stored under a key made of

* the claim: id, expression, parameters, regime, whether it holds (``sympy.srepr``, so any change to
  the formula or its parameters changes the key);
* the level and the context (quick/full sizes, seed);
* the code it depends on: the content hash of this package's sources (``theory/``, ``numerics/``,
  ``scaling_verify/``), of the file that defines the check and of the file that registered the claim
  (so a plug-in's edit recomputes its checks), and the versions of the numerical libraries.

Entries are written atomically (a temporary file, then ``os.replace``) with a SHA-256 of their
payload; an entry that is truncated, corrupt, of another format or unreadable is ignored and
recomputed, never trusted. A failed check that raised an exception is not stored.

Use in CI: keep the folder between runs (e.g. GitHub Actions' ``actions/cache`` on ``.sv-cache`` with
a key on the commit and a restore key on the branch) and run ``scaling-verify verify --cache .sv-cache``
or set ``SCALING_VERIFY_CACHE=.sv-cache``.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path

from numerics.checks import CheckResult, Context, check_spec
from theory.claims import REGISTRY, Claim

MAGIC = b"scaling-verify-cache-1\n"
PACKAGES = ("theory", "numerics", "scaling_verify")
LIBRARIES = ("sympy", "mpmath", "numpy", "scipy", "jax", "jaxlib", "optax")


@lru_cache(maxsize=1)
def package_hash() -> str:
    """SHA-256 over this package's Python sources (path and content of each, sorted) and the versions
    of the numerical libraries."""
    from importlib import metadata

    h = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for pkg in PACKAGES:
        for f in sorted((root / pkg).rglob("*.py")):
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    for lib in LIBRARIES:
        try:
            h.update(f"{lib}={metadata.version(lib)}\n".encode())
        except metadata.PackageNotFoundError:
            pass
    return h.hexdigest()


@lru_cache(maxsize=None)
def _file_hash(path: str | None) -> str:
    if not path or not os.path.isfile(path):
        return "-"
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def check_key(claim: Claim, level: str, ctx: Context) -> str:
    """The cache key of one check of ``claim`` (see the module docstring)."""
    import sympy as sp

    parts = [claim.id, sp.srepr(claim.expr), repr(sorted((k, float(v)) for k, v in claim.params.items())),
             sp.srepr(claim.regime), str(claim.holds), level, f"quick={ctx.quick}", f"seed={ctx.seed}",
             package_hash(), _file_hash(REGISTRY.source_of(claim.id))]
    if level != "symbolic":
        parts.append(_file_hash(inspect.getsourcefile(check_spec(claim.id, level).fn)))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class ResultCache:
    """Check results on disk under ``folder`` (created if needed)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.hits = self.misses = self.rejected = 0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pkl"

    def load(self, claim: Claim, level: str, ctx: Context) -> CheckResult | None:
        """The stored result, or None (absent, unreadable or corrupt: counted in ``rejected``)."""
        path = self._path(check_key(claim, level, ctx))
        try:
            blob = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        res = _decode(blob)
        if res is None:
            self.rejected += 1
            self.misses += 1
            return None
        self.hits += 1
        return res

    def store(self, claim: Claim, level: str, ctx: Context, res: CheckResult) -> None:
        """Write ``res`` atomically (skipped for a check that raised: it may be transient)."""
        if res.detail.startswith("error:"):
            return
        path = self._path(check_key(claim, level, ctx))
        payload = pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL)
        blob = MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, path)
        except OSError:  # a cache that cannot be written only costs time
            pass


def _decode(blob: bytes) -> CheckResult | None:
    if not blob.startswith(MAGIC):
        return None
    head, _, payload = blob[len(MAGIC):].partition(b"\n")
    if hashlib.sha256(payload).hexdigest().encode() != head:
        return None
    try:
        res = pickle.loads(payload)
    except Exception:
        return None
    return res if isinstance(res, CheckResult) else None
