"""JAX's persistent compilation cache for the command and its worker processes.

A quick ``verify`` compiles a few hundred small XLA programs; on 2 CPU cores that is about a third of the
simulate checks' time (measured: the dynamical theory's simulate checks take 47 s with an empty cache and
30 s with a filled one). JAX can keep compiled programs on disk, keyed by the program, the JAX and jaxlib
versions, the backend and the compile options, so a rerun, and every worker of a ``--workers`` run after
the first to compile a program, reads it instead of compiling it again. The numbers are the same: it is the
same compiled program.

The folder is :func:`scaling_verify.settings.jax_cache_folder` (``SCALING_VERIFY_JAX_CACHE``; ``0`` switches
it off). It is set through JAX's own environment variables, before JAX is imported, in the command's
process (:func:`scaling_verify.cli.main.main`) and in each embedded worker process
(:func:`scaling_verify.run.execution.dask_executor`); importing scaling-verify as a library changes nothing.
"""

from __future__ import annotations


def jax_cache_env() -> dict[str, str]:
    """JAX's variables for the persistent compilation cache (empty when it is switched off): every program
    is cached, however small or quick to compile."""
    from scaling_verify.settings import jax_cache_folder

    folder = jax_cache_folder()
    if folder is None:
        return {}
    return {"JAX_COMPILATION_CACHE_DIR": str(folder),
            "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
            "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0"}
