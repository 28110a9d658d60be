"""The settings read from the environment, in one place (no other module reads environment variables).

* ``SCALING_VERIFY_CACHE``: the result-cache folder of ``verify`` when ``--cache`` is not given;
* ``SCALING_VERIFY_CACHE_SECRET``: the HMAC secret of the result cache (share it between CI runners);
* ``SCALING_VERIFY_THREADS``: BLAS threads of a serial run and BLAS/XLA threads of each Dask worker
  process (default 1; :mod:`scaling_verify.run.threads`);
* ``SCALING_VERIFY_PLUGINS``: ``0``, ``off``, ``false`` or ``no`` loads no third-party plug-in (the
  built-in theories only), like ``--no-plugins`` on the command and ``--sv-no-plugins`` in pytest;
* ``SCALING_VERIFY_JAX_CACHE``: the folder of JAX's persistent compilation cache used by the command and its
  workers (default ``$XDG_CACHE_HOME/scaling-verify/jax``, i.e. ``~/.cache/scaling-verify/jax``); ``0``,
  ``off``, ``false`` or ``no`` switches it off (:mod:`scaling_verify.run.jax_cache`);
* ``SCALING_VERIFY_DATA``: the folder where public data sets that may not be redistributed are fetched to
  (default ``$XDG_CACHE_HOME/scaling-verify/data``, i.e. ``~/.cache/scaling-verify/data``;
  :mod:`scaling_verify.numerics.fitting.datasets`);
* ``XDG_CONFIG_HOME`` and ``XDG_CACHE_HOME``: where the cache secret, the compilation cache and the fetched
  data sets live.
"""

from __future__ import annotations

import os
from pathlib import Path

_OFF = ("0", "off", "false", "no")
_plugins_switched_off = False


def cache_folder() -> str | None:
    return os.environ.get("SCALING_VERIFY_CACHE") or None


def cache_secret() -> str | None:
    return os.environ.get("SCALING_VERIFY_CACHE_SECRET") or None


def config_home() -> Path:
    """``$XDG_CONFIG_HOME/scaling-verify`` (default ``~/.config/scaling-verify``)."""
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "scaling-verify"


def jax_cache_folder() -> Path | None:
    """The persistent compilation cache's folder, or None when ``SCALING_VERIFY_JAX_CACHE`` switches it off."""
    raw = os.environ.get("SCALING_VERIFY_JAX_CACHE", "").strip()
    if raw.lower() in _OFF:
        return None
    if raw:
        return Path(raw)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "scaling-verify" / "jax"


def data_cache_folder() -> Path:
    """Where fetched data sets are kept: ``SCALING_VERIFY_DATA``, else ``$XDG_CACHE_HOME/scaling-verify/data``
    (default ``~/.cache/scaling-verify/data``)."""
    raw = os.environ.get("SCALING_VERIFY_DATA", "").strip()
    if raw:
        return Path(raw).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "scaling-verify" / "data"


def switch_plugins_off() -> None:
    """``--no-plugins``: load no third-party plug-in in this process."""
    global _plugins_switched_off
    _plugins_switched_off = True


def plugins_enabled() -> bool:
    return not _plugins_switched_off and os.environ.get("SCALING_VERIFY_PLUGINS", "").strip().lower() not in _OFF


def worker_threads() -> int:
    """``SCALING_VERIFY_THREADS`` (default 1); ValueError for anything but a positive integer."""
    raw = os.environ.get("SCALING_VERIFY_THREADS", "").strip()
    if not raw:
        return 1
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"SCALING_VERIFY_THREADS must be a positive integer, got {raw!r}")
    return value
