"""The check interface: what a numeric check is, where it registers, what it returns.

A numeric check is a function ``fn(claim, ctx) -> CheckResult``. It must make its prediction from
``claim.expr`` (through ``claim.value(...)`` or ``claim.evaluate(...)``), never from a formula typed
into the check: that is what lets the power items feed it every claim of ``claim.perturbations()``
and require a rejection. Register with::

    @check("dynamical.time_exponent", "precise")
    def _(claim, ctx): ...

Rooms: :mod:`.registry` (registration, loading, :func:`run_check`), :mod:`.results` (the result types and
their validation), :mod:`.verdicts` (the comparison helpers), :mod:`.measurement` (measurements shared by a
claim's checks), :mod:`.replicas` (independent replicas), :mod:`.resolution` (the smallest perturbation a
check rejects), :mod:`.power` (the perturbed claims a check must reject: the floor, wrong forms, its target
resolution), :mod:`.result_io` (results as JSON data: the cache and the report format).
"""

from scaling_verify.checks.registry import (CheckFn, CheckRegistrationError, CheckSpec, TARGETS, Target, check, check_modules,
                                            check_spec, get_check, isolated, levels_for, load_checks,
                                            registered_checks, run_check, validate_checks)
from scaling_verify.checks.results import (EVIDENCE, LEVELS, MAX_SEED, NEEDS_DATA, NUMERIC_LEVELS, CheckResult, Context,
                                           Figure, Measured, Series, validate_result)
from scaling_verify.checks.verdicts import exponent_verdict, relative_verdict

__all__ = ["CheckFn", "CheckRegistrationError", "CheckResult", "CheckSpec", "Context", "EVIDENCE", "Figure",
           "LEVELS", "MAX_SEED", "Measured", "NEEDS_DATA", "NUMERIC_LEVELS", "Series", "TARGETS", "Target", "check", "check_modules", "check_spec",
           "exponent_verdict", "get_check", "isolated", "levels_for", "load_checks", "registered_checks",
           "relative_verdict", "run_check", "validate_checks", "validate_result"]
