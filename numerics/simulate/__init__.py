"""JAX simulations of the real learning systems.

float64 is enabled here, once, before any array exists; every simulation module imports this
package first. Simulations are jitted, vmapped over seeds/members and scanned over time; the same
code runs on CPU and GPU (public JAX APIs only).
"""

import jax

jax.config.update("jax_enable_x64", True)


def gpu_available() -> bool:
    """Whether JAX sees a GPU (the ``gpu`` test marker and benchmarks use this)."""
    try:
        return len(jax.devices("gpu")) > 0
    except RuntimeError:
        return False
