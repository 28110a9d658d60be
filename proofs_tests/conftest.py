"""Shared fixtures: mpmath precision cannot leak between tests; GPU tests skip with a reason; the
power items of the built-in checks that are known to have no power are strict xfails, with the
measured reason, so each one tells us the day its check is fixed. The test processes follow the
command's thread policy (scaling_verify.run.threads: one BLAS and one XLA thread) and share its JAX
compilation cache (scaling_verify.run.jax_cache: the two pytest-xdist workers and the commands the tests
start compile each program once), set before numpy and JAX load."""

import os

from scaling_verify.run.jax_cache import jax_cache_env
from scaling_verify.run.threads import serial_env

for _key, _value in {**serial_env(), **jax_cache_env()}.items():
    os.environ.setdefault(_key, _value)

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import mpmath  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _reset_mpmath_precision():
    prec = mpmath.mp.prec
    yield
    mpmath.mp.prec = prec


# Built-in checks whose power items fail today (measured with `pytest --sv`, seed 0, quick sizes).
NO_POWER: dict[str, str] = {}


def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = NO_POWER.get(item.name)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=f"no power yet: {reason}", strict=True))
    if not any(item.get_closest_marker("gpu") for item in items):
        return
    from scaling_verify.numerics.simulate import gpu_available

    if gpu_available():
        return
    skip = pytest.mark.skip(reason="no GPU visible to JAX (jax.devices('gpu') is empty)")
    for item in items:
        if item.get_closest_marker("gpu"):
            item.add_marker(skip)
