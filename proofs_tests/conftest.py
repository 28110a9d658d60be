"""Shared fixtures: mpmath precision cannot leak between tests; GPU tests skip with a reason."""



import matplotlib

matplotlib.use("Agg")

import mpmath
import pytest


@pytest.fixture(autouse=True)
def _reset_mpmath_precision():
    prec = mpmath.mp.prec
    yield
    mpmath.mp.prec = prec


def pytest_collection_modifyitems(config, items):
    if not any(item.get_closest_marker("gpu") for item in items):
        return
    from numerics.simulate import gpu_available

    if gpu_available():
        return
    skip = pytest.mark.skip(reason="no GPU visible to JAX (jax.devices('gpu') is empty)")
    for item in items:
        if item.get_closest_marker("gpu"):
            item.add_marker(skip)
