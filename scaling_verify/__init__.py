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
  :func:`register_theory`, :data:`REGISTRY`, :func:`symbolic_check`, :func:`load_module`,
  :func:`isolated` (a block whose registrations are forgotten after it: tests, notebooks);
* checks: :func:`check`, :class:`CheckResult`, :class:`Context`, :class:`Measured`, :class:`Figure`,
  :class:`Series`, :func:`exponent_verdict`, :func:`relative_verdict`, :func:`run_check`;
  power and resolution: :class:`Target` (a check's target resolution), :func:`run_trials` (its power
  trials), :func:`measure_resolution` (the smallest perturbation it rejects), :func:`plan_draws` (the draws
  it needs for a target, from one pilot run);
  :func:`measurement` (a measurement shared by a claim's checks and power items, cached by the result cache),
  :func:`clear_caches` (forget the measurements and derivations of this process),
  :func:`float64` / :func:`with_float64` (JAX in double precision for a block or a function);
* running: :func:`verify`, :class:`ClaimRecord`;
* your runs against a claim: :func:`compare`, :class:`Runs` (``Runs.of(x, y, group)`` or
  :func:`read_runs` from a CSV), :class:`CompareResult`, and :class:`Law` (the curve a claim's
  exponent describes, which ``compare`` needs);
* the asymptotics engine: :mod:`asymptotics` (``mellin_sum``, ``tail_sum``, ``budget_optimum``, ...);
* fits: :func:`fit_power_law`, :func:`fit_chinchilla`, :func:`chinchilla_allocation`;
* LaTeX: :func:`render_latex`, :func:`claim_latex`;
* models: :mod:`models` (the solvable-model library: ``PowerLaw``, ``Linear``, ``claims``, ``Scaling``) and
  :class:`SpectralModel` (your own generalized spectral model's exponents and their LaTeX).

Importing this module imports nothing: every name loads on first use (the claims and the asymptotics
engine import SymPy; the simulation, fitting and verification parts import mpmath, JAX or matplotlib).
"""

from __future__ import annotations

import importlib

# Every public name loads on first use, so importing this package (the pytest plugin does, in every
# project where scaling-verify is installed) imports nothing else of ours: name -> (module, attribute).
_LAZY: dict[str, tuple[str, str]] = {
    "asymptotics": ("scaling_verify.theory.asymptotics", ""),
    "models": ("scaling_verify.models", ""),
    "REGISTRY": ("scaling_verify.theory.claims", "REGISTRY"),
    "Claim": ("scaling_verify.theory.claims", "Claim"),
    "PowerSpec": ("scaling_verify.theory.claims", "PowerSpec"),
    "Theory": ("scaling_verify.theory.claims", "Theory"),
    "register": ("scaling_verify.theory.claims", "register"),
    "register_theory": ("scaling_verify.theory.claims", "register_theory"),
    "symbolic_check": ("scaling_verify.theory.claims", "symbolic_check"),
    "load_module": ("scaling_verify.plugins", "load_module"),
    "PluginError": ("scaling_verify.plugins", "PluginError"),
    "check": ("scaling_verify.checks", "check"),
    "CheckResult": ("scaling_verify.checks", "CheckResult"),
    "Context": ("scaling_verify.checks", "Context"),
    "Measured": ("scaling_verify.checks", "Measured"),
    "Figure": ("scaling_verify.checks", "Figure"),
    "Series": ("scaling_verify.checks", "Series"),
    "exponent_verdict": ("scaling_verify.checks", "exponent_verdict"),
    "relative_verdict": ("scaling_verify.checks", "relative_verdict"),
    "run_check": ("scaling_verify.checks", "run_check"),
    "Target": ("scaling_verify.checks", "Target"),
    "run_trials": ("scaling_verify.checks.power", "run_trials"),
    "measure_resolution": ("scaling_verify.checks.resolution", "measure"),
    "plan_draws": ("scaling_verify.checks.planning", "plan"),
    "measurement": ("scaling_verify.checks.measurement", "measurement"),
    "clear_caches": ("scaling_verify.checks.measurement", "clear_caches"),
    "float64": ("scaling_verify.numerics.simulate", "float64"),
    "with_float64": ("scaling_verify.numerics.simulate", "with_float64"),
    "isolated": ("scaling_verify.checks", "isolated"),
    "verify": ("scaling_verify.run.verify", "verify"),
    "ClaimRecord": ("scaling_verify.run.verify", "ClaimRecord"),
    "compare": ("scaling_verify.numerics.compare", "compare"),
    "CompareResult": ("scaling_verify.numerics.compare", "CompareResult"),
    "Runs": ("scaling_verify.numerics.compare", "Runs"),
    "read_runs": ("scaling_verify.numerics.compare", "read_runs"),
    "Law": ("scaling_verify.theory.claims", "Law"),
    "fit_power_law": ("scaling_verify.numerics.fit", "fit_power_law"),
    "fit_chinchilla": ("scaling_verify.numerics.fit", "fit_chinchilla"),
    "chinchilla_allocation": ("scaling_verify.numerics.fit", "chinchilla_allocation"),
    "render_latex": ("scaling_verify.report.latex", "render"),
    "SpectralModel": ("scaling_verify.theory.spectral_model", "SpectralModel"),
    "claim_latex": ("scaling_verify.report.latex", "claim_latex"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = importlib.import_module(module)
        value = getattr(value, attr) if attr else value
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
