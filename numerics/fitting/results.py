"""Typed results of a form fit: estimates, goodness of fit, the start search, provenance."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from scaling_verify.numerics.fitting.forms import Form


def finite_or_none(v: float | None) -> float | None:
    """``v`` as a float, or None when missing or not finite (JSON has no NaN/inf)."""
    return float(v) if v is not None and math.isfinite(v) else None


@dataclass(frozen=True)
class Estimate:
    """A parameter value with its bootstrap percentile interval (``lo``/``hi`` None: no interval)."""

    name: str
    value: float
    lo: float | None = None
    hi: float | None = None
    fixed: bool = False

    @property
    def has_interval(self) -> bool:
        return self.lo is not None and self.hi is not None

    def as_dict(self) -> dict:
        ci = [finite_or_none(self.lo), finite_or_none(self.hi)] if self.has_interval else None
        out = {"value": finite_or_none(self.value), "ci": ci}
        if self.fixed:
            out["fixed"] = True
        return out


@dataclass(frozen=True)
class Goodness:
    """Goodness of fit at the optimum, in log space (the space the objective lives in).

    ``rms_log`` :math:`= \\sqrt{\\overline{r^2}}` with :math:`r_i = \\log\\hat L_i - \\log L_i`;
    ``huber`` the summed Huber objective; ``r2_log`` :math:`= 1 - \\sum r_i^2/\\sum(\\log L_i - \\overline{\\log L})^2`.
    """

    rms_log: float
    huber: float
    r2_log: float
    n_points: int
    n_params: int

    def as_dict(self) -> dict:
        return {"rms_log_residual": finite_or_none(self.rms_log), "huber_objective": finite_or_none(self.huber),
                "r2_log": finite_or_none(self.r2_log), "n_points": self.n_points, "n_params": self.n_params}


@dataclass(frozen=True)
class Search:
    """How the optimum was found: grid size, starts optimised, the winning start, convergence."""

    n_grid: int
    n_starts: int
    best_start: int
    start_values: tuple[float, ...]
    iterations: int
    converged: bool
    #: per parameter (fit coordinates): the grid's smallest and largest start value, and the step
    #: between the two outermost values at each edge (0: a single value)
    grid_lo: tuple[float, ...] = ()
    grid_hi: tuple[float, ...] = ()
    grid_step_lo: tuple[float, ...] = ()
    grid_step_hi: tuple[float, ...] = ()

    def as_dict(self, names: tuple[str, ...]) -> dict:
        return {"grid_points": self.n_grid, "starts": self.n_starts, "best_start_index": self.best_start,
                "best_start": {k: finite_or_none(v) for k, v in zip(names, self.start_values)},
                "iterations": self.iterations, "converged": self.converged}


@dataclass(frozen=True)
class BootstrapSummary:
    """Bootstrap bookkeeping: resamples requested, refits used, and why there may be no interval."""

    requested: int
    used: int
    skipped: int
    not_converged: int
    level: float
    seed: int
    no_interval_reason: str | None = None

    def as_dict(self) -> dict:
        return {"requested": self.requested, "used": self.used, "skipped": self.skipped,
                "not_converged": self.not_converged, "level": self.level, "seed": self.seed,
                "no_interval_reason": self.no_interval_reason}


@dataclass(frozen=True)
class FormFit:
    """A fitted :class:`~numerics.fitting.forms.Form` with intervals, diagnostics and warnings."""

    form: Form
    estimates: tuple[Estimate, ...]
    goodness: Goodness
    search: Search
    bootstrap: BootstrapSummary
    delta: float
    warnings: tuple[str, ...] = ()
    theta: np.ndarray = field(default=None, repr=False, compare=False)
    boot_theta: np.ndarray = field(default=None, repr=False, compare=False)
    #: degeneracy flags, profiles and curvature (:mod:`numerics.fitting.identify`)
    flags: tuple = ()
    profiles: tuple = ()
    curvature: object = None
    #: parameters pinned by ``fix`` (natural values), listed in :attr:`estimates` with ``fixed=True``
    fixed: dict = field(default_factory=dict)
    #: the log residuals at the optimum (for prediction intervals)
    residuals: np.ndarray = field(default=None, repr=False, compare=False)
    #: profile-likelihood intervals of the exponents (:func:`numerics.fitting.identify.profile_intervals`)
    profile_intervals: tuple = ()

    def profile_interval(self, name: str):
        """The profile-likelihood interval of ``name``, or None (not an exponent, or none computed)."""
        return next((p for p in self.profile_intervals if p.param == name), None)

    def params(self) -> dict[str, float]:
        return {e.name: e.value for e in self.estimates}

    def flagged(self, kind: str) -> tuple[str, ...]:
        """Names of the parameters with a flag of ``kind`` (e.g. ``"unidentified"``)."""
        return tuple(f.param for f in self.flags if f.kind == kind)

    def estimate(self, name: str) -> Estimate:
        for e in self.estimates:
            if e.name == name:
                return e
        raise KeyError(name)

    @property
    def has_interval(self) -> bool:
        return any(e.has_interval for e in self.estimates)

    def predict(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        """The fitted law at natural column values (``{"N": ..., "D": ...}``)."""
        from scaling_verify.numerics.fitting.optimize import predict

        return predict(self.form, self.theta, columns)

    def as_dict(self) -> dict:
        return {"form": self.form.name, "latex": self.form.latex(), "reference": self.form.reference or None,
                "params": {e.name: e.as_dict() for e in self.estimates},
                "goodness": self.goodness.as_dict(), "search": self.search.as_dict(self.form.param_names),
                "bootstrap": self.bootstrap.as_dict(), "huber_delta": self.delta, "warnings": list(self.warnings),
                "flags": [f.as_dict() for f in self.flags], "profiles": [p.as_dict() for p in self.profiles],
                "curvature": self.curvature.as_dict() if self.curvature is not None else None,
                "profile_intervals": {p.param: p.as_dict() for p in self.profile_intervals}}
