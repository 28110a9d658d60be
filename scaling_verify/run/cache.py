"""A result cache for CI: an unchanged check is read back instead of recomputed.

Each check's result is stored under a key made of

* the claim: id, expression, parameters, regime, whether it holds (``sympy.srepr``, so any change to
  the formula or its parameters changes the key);
* the level and the context (quick/full sizes, seed);
* the code it runs: the content of every module that the module registering the claim and the module
  defining the check import, transitively (plug-ins and a user's helper modules included; installed
  libraries by version; :mod:`scaling_verify.run.code_identity`), and the Python version.

Entries are JSON (:mod:`scaling_verify.checks.result_io`: reading one never runs code), written atomically (a
temporary file, then ``os.replace``) and bound to their key: each holds its key and an HMAC-SHA256 of
key and result under a secret, so an entry copied to another key's place, edited, or written by
someone without the secret is refused and recomputed, as is anything truncated, corrupt or of another
format. The secret is ``$SCALING_VERIFY_CACHE_SECRET`` when set (give CI the same secret on every
runner to share a cache between them), else a random one created once per user
(``~/.config/scaling-verify/cache-secret``, mode 0600). A check that raised, timed out or returned an
invalid result is not stored.

Use in CI: keep the folder between runs (e.g. GitHub Actions' ``actions/cache`` on ``.sv-cache`` with
a key on the commit and a restore key on the branch) and run ``scaling-verify verify --cache .sv-cache``
or set ``SCALING_VERIFY_CACHE=.sv-cache``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

from scaling_verify.checks import CheckResult, Context, Figure, check_spec
from scaling_verify.run.code_identity import closure, identity_digest
from scaling_verify.theory.claims import REGISTRY, Claim

FORMAT = "scaling-verify-cache-2"
SECRET_ENV = "SCALING_VERIFY_CACHE_SECRET"
LIBRARIES = ("sympy", "mpmath", "numpy", "scipy", "jax", "jaxlib", "optax")


def check_roots(claim: Claim, level: str) -> list[str]:
    """The modules a check of ``claim`` starts from: the one that registered the claim, the one
    defining its derivation (symbolic) or its check function (numeric levels)."""
    roots = [REGISTRY.module_of(claim.id) or "", "scaling_verify.checks"]
    if level == "symbolic":
        roots.append(getattr(claim.derive, "__module__", "") or "")
    else:
        roots.append(getattr(check_spec(claim.id, level).fn, "__module__", "") or "")
    return [r for r in roots if r]


def check_identity(claim: Claim, level: str) -> str:
    """SHA-256 of the code a check of ``claim`` at ``level`` runs (:mod:`scaling_verify.run.code_identity`)."""
    from importlib import metadata

    ident = closure(check_roots(claim, level))
    for lib in LIBRARIES:
        try:
            ident.setdefault(f"dist:{lib}", metadata.version(lib))
        except metadata.PackageNotFoundError:
            pass
    return identity_digest(ident)


def claim_fingerprint(claim: Claim) -> list[str]:
    import sympy as sp

    return [claim.id, sp.srepr(claim.expr), repr(sorted((k, float(v)) for k, v in claim.params.items())),
            sp.srepr(claim.regime), str(claim.holds)]


def check_key(claim: Claim, level: str, ctx: Context, identity: str | None = None) -> str:
    """The cache key of one check of ``claim`` (see the module docstring)."""
    parts = claim_fingerprint(claim) + [level, f"quick={ctx.quick}", f"seed={ctx.seed}",
                                        identity or check_identity(claim, level)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def cache_secret() -> bytes:
    """The HMAC secret (see the module docstring)."""
    from scaling_verify.settings import cache_secret as from_env
    from scaling_verify.settings import config_home

    env = from_env()
    if env:
        return env.encode()
    home = config_home()
    path = home / "cache-secret"
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        pass
    value = secrets.token_hex(32)
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(value)
    except FileExistsError:  # another process made it first
        return bytes.fromhex(path.read_text().strip())
    except OSError:  # no writable home: a secret for this process only (entries of other runs refused)
        pass
    return bytes.fromhex(value)


def _mac(secret: bytes, key: str, body: str) -> str:
    return hmac.new(secret, f"{FORMAT}\x1f{key}\x1f{body}".encode(), hashlib.sha256).hexdigest()


class ResultCache:
    """Check results on disk under ``folder`` (created if needed)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.hits = self.misses = self.rejected = 0
        self._secret = cache_secret()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def load(self, claim: Claim, level: str, ctx: Context, identity: str | None = None) -> CheckResult | None:
        """The stored result, or None (absent; or unreadable, corrupt, forged or moved: counted in
        ``rejected``)."""
        key = check_key(claim, level, ctx, identity)
        try:
            blob = self._path(key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        res = self._decode(blob, key)
        if res is None:
            self.rejected += 1
            self.misses += 1
            return None
        self.hits += 1
        return res

    def _decode(self, blob: bytes, key: str) -> CheckResult | None:
        from scaling_verify.checks.result_io import result_from_json

        try:
            entry = json.loads(blob.decode("utf-8"))
            if entry.get("format") != FORMAT or entry.get("key") != key:
                return None
            body = entry["result"]
            if not isinstance(body, str) or not hmac.compare_digest(str(entry["mac"]), _mac(self._secret, key, body)):
                return None
            return result_from_json(json.loads(body))
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError, RecursionError):
            return None

    def store(self, claim: Claim, level: str, ctx: Context, res: CheckResult, identity: str | None = None) -> None:
        """Write ``res`` atomically (skipped for a check that raised, timed out or returned an invalid
        result, or that needed data not yet on this machine: it may be transient)."""
        from scaling_verify.checks.result_io import result_to_json

        if res.detail.startswith("error:") or res.needs_data:
            return
        key = check_key(claim, level, ctx, identity)
        body = json.dumps(result_to_json(res), allow_nan=False, sort_keys=True)
        blob = json.dumps({"format": FORMAT, "key": key, "claim": claim.id, "level": level,
                           "result": body, "mac": _mac(self._secret, key, body)}).encode()
        _write(self._path(key), blob)

    def figure_png(self, fig: Figure, draw: Callable[[Figure], bytes]) -> bytes:
        """The PNG of ``fig``: read back when the same figure data was drawn before by the same drawing code
        and matplotlib (:func:`figure_key`), else ``draw(fig)``, stored. Entries are bound to their key by the
        HMAC like the results; one that does not verify is drawn again."""
        key = figure_key(fig, draw)
        path = self.folder / "figures" / key[:2] / f"{key}.json"
        try:
            entry = json.loads(path.read_bytes().decode("utf-8"))
            body = entry["png"]
            if (entry.get("format") == FORMAT and entry.get("key") == key and isinstance(body, str)
                    and hmac.compare_digest(str(entry["mac"]), _mac(self._secret, key, body))):
                return base64.b64decode(body, validate=True)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError, binascii.Error):
            pass
        png = draw(fig)
        body = base64.b64encode(png).decode("ascii")
        _write(path, json.dumps({"format": FORMAT, "key": key, "png": body,
                                 "mac": _mac(self._secret, key, body)}).encode())
        return png


def figure_key(fig: Figure, draw: Callable[[Figure], bytes]) -> str:
    """The figure data, the source file of the drawing function and matplotlib's version, hashed: a figure
    is drawn again whenever any of them changes."""
    import matplotlib

    from scaling_verify.checks.result_io import figure_to_json

    parts = [FORMAT, json.dumps(figure_to_json(fig), sort_keys=True, allow_nan=False), matplotlib.__version__,
             _code_digest(draw)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@functools.lru_cache(maxsize=8)
def _code_digest(draw: Callable[[Figure], bytes]) -> str:
    """SHA-256 of the source file of ``draw`` (read once per drawing function, not once per figure)."""
    import inspect

    try:
        code = Path(inspect.getsourcefile(draw) or "").read_bytes()
    except (OSError, TypeError):
        code = repr(draw).encode()
    return hashlib.sha256(code).hexdigest()


def _write(path: Path, blob: bytes) -> None:
    """Write ``blob`` at ``path`` atomically (a temporary file, then ``os.replace``); a cache that cannot be
    written only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass
