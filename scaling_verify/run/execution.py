"""Executors for ``verify``: an embedded local Dask cluster, or an existing one.

``dask.distributed`` is an optional extra (``pip install 'scaling-verify[distributed]'``); it is
imported only when ``--workers`` or ``--scheduler`` is given. Workers are separate processes started
with ``spawn`` (never forked after JAX is imported), one thread each. A task whose worker dies is
resubmitted once (the scheduler's ``allowed-failures`` is 1 on the embedded cluster); a second death
reaches :func:`scaling_verify.run.verify.verify` as ``KilledWorker`` and is recorded as a failed check with
the reason. On an existing cluster the scheduler's own setting applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

EXTRA = "pip install 'scaling-verify[distributed]'"


def _distributed():
    try:
        import dask
        import distributed
    except ImportError:
        raise ValueError(f"--workers and --scheduler need dask.distributed: {EXTRA}") from None
    return dask, distributed


def probe_scheduler(address: str, timeout: float) -> None:
    """Ask ``address`` who it is, within ``timeout`` seconds overall (a port that accepts connections but
    does not speak Dask's protocol would otherwise hold ``Client`` forever).

    Raises:
      ValueError: no answer in time, or the answer is not a Dask scheduler's.
    """
    import asyncio

    from distributed.comm import connect

    async def ask():
        comm = await connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity"})
            return await comm.read()
        finally:
            comm.abort()

    try:
        reply = asyncio.run(asyncio.wait_for(ask(), timeout))
    except (OSError, TimeoutError, asyncio.TimeoutError) as exc:
        why = str(exc).splitlines()[0] if str(exc) else "no answer"
        raise ValueError(f"no Dask scheduler answered at {address} within {timeout:g} s ({why})") from None
    except Exception as exc:  # noqa: BLE001 -- a malformed address or reply: bad input, one line
        raise ValueError(f"cannot talk to a Dask scheduler at {address}: {type(exc).__name__}: {exc}") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise ValueError(f"{address} answered, but not as a Dask scheduler")


@contextmanager
def dask_executor(workers: int | None = None, scheduler: str | None = None,
                  timeout: float = 10.0) -> Iterator[Executor]:
    """A ``concurrent.futures.Executor`` on Dask: ``workers`` local worker processes (an embedded
    cluster, shut down on exit) or the cluster whose scheduler listens at ``scheduler``
    (e.g. ``tcp://127.0.0.1:8786``, started with ``dask scheduler`` and ``dask worker``).

    Raises:
      ValueError: dask.distributed is not installed, ``workers < 1``, or the scheduler cannot be reached.
    """
    dask, distributed = _distributed()
    if (workers is None) == (scheduler is None):
        raise ValueError("give exactly one of --workers and --scheduler")
    # worker-saturation 1.0: a worker holds only the check it runs, so a worker that dies takes no
    # queued check with it
    config = {"distributed.worker.multiprocessing-method": "spawn", "distributed.scheduler.allowed-failures": 1,
              "distributed.scheduler.worker-saturation": 1.0,
              "distributed.worker.daemon": False, "logging.distributed": "error"}
    from scaling_verify.run.jax_cache import jax_cache_env
    from scaling_verify.run.threads import worker_env

    # the thread policy (scaling_verify.run.threads) and the compilation cache (scaling_verify.run.jax_cache):
    # set in each worker process before it imports numpy or JAX
    config["distributed.nanny.pre-spawn-environ"] = {**dask.config.get("distributed.nanny.pre-spawn-environ", {}),
                                                     **worker_env(), **jax_cache_env()}
    with dask.config.set(config):
        if scheduler is not None:
            probe_scheduler(scheduler, timeout)
            try:
                client = distributed.Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                raise ValueError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
            cluster = None
        else:
            if workers < 1:
                raise ValueError(f"--workers must be >= 1, got {workers}")
            cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                               dashboard_address=None, silence_logs=50)
            client = distributed.Client(cluster)
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
