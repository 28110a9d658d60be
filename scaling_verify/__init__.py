"""scaling-verify: verify theories of neural scaling laws three ways, in CI.

This module is the public face; everything under ``theory/`` and ``numerics/`` is implementation
and may change. A theory is a set of :class:`Claim` objects (a SymPy expression with its assumptions,
regime, source and a derivation) registered under a :class:`Theory`; numeric checks (mpmath or JAX)
register with :func:`check`; :func:`verify` runs them and returns one record per claim.

Verify your own theory (a plug-in module, named by an entry point in the group
``scaling_verify.theories`` or loaded with ``--module``)::

    import sympy as sp
    import scaling_verify as sv

    a, b = sp.symbols("a b", positive=True)
    sv.register_theory(sv.Theory(id="mytheory", title="My scaling law", authors=("A. Author",), year=2026))
    sv.register(sv.Claim(
        id="mytheory.time_exponent", theory="mytheory", quantity=r"\\alpha_t",
        statement="L(t) decays as t^{-(a-1)/b}.", expr=(a - 1) / b, symbols=(a, b),
        regime=(a > 1) & (b > 0), source="Author 2026, eq. 7", params={"a": 2.0, "b": 1.5},
        derive=lambda: sv.asymptotics.mellin_sum(a, b, c=sp.Integer(2)).exponent))

    @sv.check("mytheory.time_exponent", "precise")
    def _(claim, ctx):
        measured = ...  # the exact finite object, at 30 digits
        ok, detail = sv.relative_verdict("slope", measured, claim.value(), rtol=1e-8)
        return sv.CheckResult(ok, detail)

Then ``scaling-verify verify --theory mytheory`` and ``python -m pytest --sv --sv-theory mytheory``
(with automatic power items: the check must reject ``claim.perturbations()``).

The API, grouped:

* claims and theories: :class:`Claim`, :class:`Theory`, :class:`PowerSpec`, :func:`register`,
  :func:`register_theory`, :data:`REGISTRY`, :func:`symbolic_check`, :func:`load_module`;
* checks: :func:`check`, :class:`CheckResult`, :class:`Context`, :class:`Measured`, :class:`Figure`,
  :class:`Series`, :func:`exponent_verdict`, :func:`relative_verdict`, :func:`run_check`;
* running: :func:`verify`, :class:`ClaimRecord`, :func:`compare`, :class:`CompareResult`;
* the asymptotics engine: :mod:`asymptotics` (``mellin_sum``, ``tail_sum``, ``budget_optimum``, ...);
* fits: :func:`fit_power_law`, :func:`fit_chinchilla`, :func:`chinchilla_allocation`;
* LaTeX: :func:`render_latex`, :func:`claim_latex`;
* models: :class:`SpectralModel` (your own generalized spectral model's exponents and their LaTeX).

Importing this module imports SymPy but not JAX; the simulation, fitting and verification parts load
on first use.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path


def _check_not_shadowed() -> None:
    """A user's own folder named ``theory`` or ``numerics`` on ``sys.path`` before ours would hide
    this package's implementation: say so in one line instead of failing deep inside."""
    home = Path(__file__).resolve().parent.parent
    for name in ("theory", "numerics"):
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        where = Path(origin).resolve().parent.parent if origin else None
        if where != home:
            found = origin or (list(spec.submodule_search_locations)[0] if spec and spec.submodule_search_locations else "nowhere")
            raise ImportError(f"scaling_verify: the folder '{name}' at {found} shadows scaling-verify's own "
                              f"'{name}' package; rename your folder or run from another directory")


_check_not_shadowed()

from theory import asymptotics  # noqa: E402
from theory.claims import (  # noqa: E402
    REGISTRY,
    Claim,
    PowerSpec,
    Theory,
    register,
    register_theory,
    symbolic_check,
)
from theory.plugins import PluginError, load_module  # noqa: E402

# Loaded on first use (they import mpmath, matplotlib or JAX): name -> (module, attribute).
_LAZY: dict[str, tuple[str, str]] = {
    "check": ("numerics.checks", "check"),
    "CheckResult": ("numerics.checks", "CheckResult"),
    "Context": ("numerics.checks", "Context"),
    "Measured": ("numerics.checks", "Measured"),
    "Figure": ("numerics.checks", "Figure"),
    "Series": ("numerics.checks", "Series"),
    "exponent_verdict": ("numerics.checks", "exponent_verdict"),
    "relative_verdict": ("numerics.checks", "relative_verdict"),
    "run_check": ("numerics.checks", "run_check"),
    "verify": ("numerics.verify", "verify"),
    "ClaimRecord": ("numerics.verify", "ClaimRecord"),
    "compare": ("numerics.compare", "compare"),
    "CompareResult": ("numerics.compare", "CompareResult"),
    "fit_power_law": ("numerics.fit", "fit_power_law"),
    "fit_chinchilla": ("numerics.fit", "fit_chinchilla"),
    "chinchilla_allocation": ("numerics.fit", "chinchilla_allocation"),
    "render_latex": ("theory.latex", "render"),
    "SpectralModel": ("theory.spectral_model", "SpectralModel"),
    "claim_latex": ("theory.latex", "claim_latex"),
}

__all__ = [
    "REGISTRY", "Claim", "PowerSpec", "Theory", "register", "register_theory", "symbolic_check",
    "load_module", "PluginError", "asymptotics", "__version__", *_LAZY,
]


def __getattr__(name: str):
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    if name == "__version__":
        from importlib import metadata

        try:
            return metadata.version("scaling-verify")
        except metadata.PackageNotFoundError:
            return "0+unknown"
    raise AttributeError(f"module 'scaling_verify' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
