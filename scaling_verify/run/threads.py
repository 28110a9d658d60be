"""The thread policy: how many threads the linear algebra (BLAS, LAPACK) and XLA may use.

* A **serial run** (the command) and each **Dask worker process** of the embedded cluster run one check at a
  time on **one** thread: the checks' linear algebra is many small matrices (64..512), where BLAS threads
  cost more than they give — measured in ``benchmarks/bench_threads.py`` (numbers in the README). XLA is
  single-threaded too, in the serial run as in the workers, so that a reduction adds in the same order
  everywhere and a result is the same to the last bit whatever the number of workers (with XLA's default
  threads in the serial run, 9 of 206 checks of a quick ``verify`` differed from a two-worker run in their
  measured numbers, by up to 2.4e-7 relative in a float32 simulation; verdicts and details were equal). The
  cost is nil at these sizes: a quick ``verify`` took 84.5 s of checks with XLA's threads and 84.2 s without.
  In detail:
  ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` and ``VECLIB_MAXIMUM_THREADS`` are 1
  and XLA's CPU backend runs single-threaded (``--xla_cpu_multi_thread_eigen=false
  intra_op_parallelism_threads=1``), so N workers on N cores do not oversubscribe them (N workers x N
  BLAS threads each spin against each other).
* ``SCALING_VERIFY_THREADS=K`` (read by :mod:`scaling_verify.settings`) sets K threads instead, for the
  serial run's BLAS and for each worker process; ``OMP_NUM_THREADS`` and the other variables, when you
  set them, win over the policy in a serial run (BLAS reads them once, when numpy loads).

A long-lived cluster (``--scheduler``) is started by you: start its workers the same way
(``OMP_NUM_THREADS=1 dask worker ADDRESS --nthreads 1``). ``benchmarks/bench_threads.py`` measures the
policy's effect on a numpy-heavy and a JAX-heavy computation.
"""

from __future__ import annotations

BLAS_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


def thread_env(threads: int) -> dict[str, str]:
    """Environment variables that limit BLAS and XLA to ``threads`` threads (set before numpy/JAX load)."""
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    env = {v: str(threads) for v in BLAS_VARIABLES}
    if threads == 1:
        env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    else:
        env["XLA_FLAGS"] = f"intra_op_parallelism_threads={threads}"
    return env


def serial_env() -> dict[str, str]:
    """The environment of a serial run: the same as each worker's (see the module docstring)."""
    return worker_env()


def worker_env() -> dict[str, str]:
    """The environment of each embedded Dask worker process (see the module docstring)."""
    from scaling_verify.settings import worker_threads

    return thread_env(worker_threads())
