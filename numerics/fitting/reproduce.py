"""Check a published scaling-law fit against public data: refit it, then reproduced, refuted or not reproducible.

:func:`reproduce` refits the record's form (:mod:`numerics.fitting.published`) on its data set with the
fitting lab (:func:`numerics.fitting.engine.fit_form`: the summed Huber loss of log residuals of
Hoffmann et al., arXiv:2203.15556, App. D.2, the parameters the publication held fixed held at its
values, the publication's rows), then decides, in this order:

1. **refuted, better optimum** -- the printed parameters :math:`\\theta_0` lie outside the refit's joint
   95 % confidence region. The test is the drop-in-dispersion (likelihood-ratio) test of the Huber
   M-estimator (Ronchetti 1982; Hampel et al. 1986, sec. 7.4), the statistic behind the lab's profile
   intervals (:mod:`numerics.fitting.asymptotic`):

   .. math:: T = 2\\,[F(\\theta_0) - F(\\hat\\theta)]/s \\;\\sim\\; \\chi^2_k, \\qquad
             s = \\frac{\\sum_i\\psi(r_i)^2/(n-P)}{\\overline{\\psi'}},

   with :math:`k` the number of parameters the test constrains (those the publication fitted, plus any
   held-fixed parameter whose tested value differs from the held value) and :math:`s` from the
   residuals at the optimum (:func:`numerics.fitting.asymptotic.dispersion`). Refuted when
   :math:`T > \\chi^2_{k,0.95}`, i.e. when the objective at :math:`\\theta_0` exceeds the optimum by
   more than :math:`\\tfrac12\\chi^2_{k,0.95}\\,s`. A tested value of a held-fixed parameter that differs
   from the held one is measured against the optimum with that parameter fitted too. (Where a
   parameter is not identified the region is unbounded in its direction, and :math:`T` is then
   stochastically smaller than :math:`\\chi^2_k`: a rejection still stands.)
2. **not reproducible** -- otherwise, when the data cannot identify a fitted parameter: the fitting lab
   flags it ``unidentified`` (its profile stays within :math:`\\tfrac12\\chi^2_{1,0.95} F^*/n` two decades
   or half its value away, :mod:`numerics.fitting.identify`) or ``bound`` (it ran to 0 or infinity), or
   its 95 % profile-likelihood interval is open on a side (unbounded). Being inside an unbounded region
   says nothing.
3. **refuted, implausibly narrow** -- a printed interval (or standard error) is far narrower than the
   refit's bootstrap interval of the same level (or standard deviation). Widths of an estimator fall as
   :math:`n^{-1/2}`, so a printed width :math:`w_0` beside a bootstrap width :math:`w_b` on :math:`n`
   rows implies :math:`n_{impl} = n\\,(w_b/w_0)^2` points (Besiroglu et al., arXiv:2404.10102, make
   this argument against Hoffmann et al.'s intervals). Refuted when :math:`n_{impl} > 4\\,n_{pub}`
   (:data:`NARROW_FACTOR`), four times the points the publication says it fitted (the rows at hand
   where it does not say), i.e. the printed interval is less than half as wide as its data support.
4. **refuted, disjoint interval** -- a printed interval does not overlap the refit's of the same level.
5. Otherwise **reproduced**.

Perturbed parameters: ``reproduce(fit, params={...})`` (or :func:`reproduce_with`) tests other values
in place of the printed ones; :func:`refit` once and :func:`judge` many times shares one refit.
:func:`scaled` builds e.g. ``alpha x 1.1``. The refit and the test are the same whatever is tested.

Data: a record's stored data set (:mod:`numerics.fitting.datasets`), or ``data=`` -- a
:class:`~numerics.fitting.datasets.Dataset` or a mapping of columns (the form's columns, the target
``loss``, and the columns its row filter needs) -- for a record whose data are not stored.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Mapping

import numpy as np

from scaling_verify.numerics.fitting.published import PublishedFit

__all__ = ["NARROW_FACTOR", "DEFAULT_BOOTSTRAP", "QUICK_BOOTSTRAP", "IntervalCheck", "JointTest", "Outcome",
           "RefitParameter", "Refit", "Reproduction", "form_for", "judge", "judge_predictions", "objective_of", "refit",
           "reproduce", "reproduce_with", "scaled", "with_parameters"]

#: a printed interval implying more than this many times the publication's points is implausibly narrow
NARROW_FACTOR = 4.0
#: bootstrap resamples of a full run / of a quick run
DEFAULT_BOOTSTRAP = 200
QUICK_BOOTSTRAP = 50
#: the level of the joint region and of the refit's intervals
LEVEL = 0.95
#: the Huber delta that makes the objective least squares (above every log residual of a loss curve)
LEAST_SQUARES_DELTA = 1e3


class Outcome(str, Enum):
    """The verdict on a published fit."""

    REPRODUCED = "reproduced"
    REFUTED = "refuted"
    NOT_REPRODUCIBLE = "not reproducible"


@dataclass(frozen=True)
class RefitParameter:
    """A parameter of the refit: value, 95 % bootstrap percentile interval and profile-likelihood
    interval (None where there is none), the value tested, and whether the protocol held it fixed."""

    name: str
    value: float
    tested: float
    boot_lo: float | None = None
    boot_hi: float | None = None
    profile_lo: float | None = None
    profile_hi: float | None = None
    fixed: bool = False


@dataclass(frozen=True)
class JointTest:
    """The drop-in-dispersion test of the tested parameters (module docstring, step 1):
    ``statistic`` :math:`T = 2\\Delta F/s` against ``threshold`` :math:`\\chi^2_{k,\\ell}`."""

    k: int
    level: float
    rise: float
    dispersion: float
    statistic: float
    threshold: float

    @property
    def rejects(self) -> bool:
        return self.statistic > self.threshold


@dataclass(frozen=True)
class IntervalCheck:
    """A printed interval against the refit's: ``kind`` "interval" (bounds at ``level``) or
    "standard error" (``printed`` and ``refit`` are then (-se, +se) about the estimates);
    ``implied_points`` :math:`n (w_b/w_0)^2` against ``narrow_limit`` (module docstring, step 3)."""

    name: str
    kind: str
    printed: tuple[float, float]
    refit: tuple[float, float]
    overlap: bool
    implied_points: float
    narrow_limit: float

    @property
    def narrow(self) -> bool:
        return self.implied_points > self.narrow_limit


@dataclass(frozen=True)
class Refit:
    """One refit of a record on its rows (shared by :func:`judge` calls)."""

    record: PublishedFit
    fit: object  # numerics.fitting.results.FormFit
    full_form: object  # the form with every parameter free
    logX: np.ndarray = field(repr=False)
    logy: np.ndarray = field(repr=False)
    delta: float
    n_rows: int
    unidentified: tuple[str, ...]
    columns: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    #: refits with some held-fixed parameters freed (by the frozenset of their names), made on demand
    freed: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Reproduction:
    """The verdict on ``record`` (tested at ``tested``): the outcome, the objective at the tested
    parameters and at the optimum, the joint test, the refit parameters, the interval checks, the
    parameters the data cannot identify, and a one-line ``detail``."""

    record: PublishedFit
    outcome: Outcome
    tested: Mapping[str, float]
    objective_tested: float
    objective_optimum: float
    test: JointTest | None
    parameters: tuple[RefitParameter, ...]
    intervals: tuple[IntervalCheck, ...]
    unidentified: tuple[str, ...]
    n_rows: int
    detail: str

    def parameter(self, name: str) -> RefitParameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)


# ----------------------------------------------------------------------------- forms and data


def form_for(record: PublishedFit):
    """The fitting-lab form of ``record.form``: a built-in law (:func:`numerics.fitting.forms.builtin_form`),
    or ``chinchilla-tied``, :math:`E + A N^{-\\alpha} + B D^{-\\alpha}` (Chinchilla with
    :math:`\\beta = \\alpha`, as Muennighoff et al. tie them, arXiv:2305.16264) on the Chinchilla start grid."""
    from scaling_verify.numerics.fitting import forms

    if record.form != "chinchilla-tied":
        return forms.builtin_form(record.form)
    base = forms.builtin_form("chinchilla")
    E, A, B, al = forms.positive("E"), forms.positive("A"), forms.positive("B"), forms.free("alpha")
    N, D = forms.column("N"), forms.column("D")
    params = tuple(p for p in base.params if p.name in ("E", "A", "B", "alpha"))
    return forms.Form("chinchilla-tied", E + A * N ** -al + B * D ** -al, ("N", "D"), params,
                      reference="Muennighoff et al. 2023, arXiv 2305.16264 (alpha = beta)")


def _columns(record: PublishedFit, data) -> dict[str, np.ndarray]:
    from scaling_verify.numerics.fitting import datasets

    if data is None:
        if record.dataset is None:
            raise ValueError(f"{record.name}: its data are not stored here ({record.protocol.rows.description}); "
                             "pass them as data=")
        data = datasets.load(record.dataset)
    cols = data.columns if hasattr(data, "columns") and not isinstance(data, Mapping) else data
    return {k: np.asarray(v) for k, v in cols.items()}


def _delta(record: PublishedFit) -> float:
    proto = record.protocol
    if proto.space != "log":
        raise ValueError(f"{record.name}: the fitting lab fits log residuals; protocol space {proto.space!r}")
    if proto.loss == "huber":
        return float(proto.delta)
    if proto.loss == "least squares":
        return LEAST_SQUARES_DELTA
    raise ValueError(f"{record.name}: unknown loss {proto.loss!r} (huber or least squares)")


def refit(record: PublishedFit, data=None, *, bootstrap: int | None = None, seed: int = 0,
          quick: bool = False) -> Refit:
    """Refit ``record``'s form on its rows under its protocol (module docstring); ``bootstrap`` resamples
    (default :data:`DEFAULT_BOOTSTRAP`, :data:`QUICK_BOOTSTRAP` with ``quick``)."""
    from scaling_verify.numerics.fitting.engine import fit_form

    if bootstrap is None:
        bootstrap = QUICK_BOOTSTRAP if quick else DEFAULT_BOOTSTRAP
    form = form_for(record)
    unknown = sorted(set(record.parameters) ^ set(form.param_names))
    if unknown:
        raise ValueError(f"{record.name}: parameters do not match form {form.name} ({', '.join(unknown)})")
    cols = _columns(record, data)
    if record.target not in cols:
        raise ValueError(f"{record.name}: the data have no column {record.target!r}")
    keep = record.protocol.rows.mask(cols, record.target)
    use = {c: np.asarray(cols[c], float)[keep] for c in form.columns}
    y = np.asarray(cols[record.target], float)[keep]
    delta = _delta(record)
    fixed = dict(record.protocol.fixed)
    fit = fit_form(form, use, y, bootstrap=bootstrap, seed=seed, level=LEVEL, delta=delta, fix=fixed or None)
    logX = np.log(np.stack([use[c] for c in form.columns]))
    open_sides = tuple(p.param for p in fit.profile_intervals if p.lo is None or p.hi is None)
    bad = tuple(dict.fromkeys(fit.flagged("unidentified") + fit.flagged("bound") + open_sides))
    return Refit(record, fit, form, logX, np.log(y), delta, int(y.size), bad, {**use, record.target: y})


def _freed_fit(rf: Refit, moved: tuple[str, ...]):
    """The refit with the held-fixed parameters ``moved`` fitted too (no bootstrap, no profiles): the
    optimum a test of moved held values is measured against."""
    from scaling_verify.numerics.fitting.engine import fit_form

    key = frozenset(moved)
    if key not in rf.freed:
        rec = rf.record
        fixed = {k: v for k, v in rec.protocol.fixed.items() if k not in key}
        y = rf.columns[rec.target]
        cols = {c: rf.columns[c] for c in rf.full_form.columns}
        rf.freed[key] = fit_form(rf.full_form, cols, y, bootstrap=0, delta=rf.delta, fix=fixed or None,
                                 identify=False)
    return rf.freed[key]


# ----------------------------------------------------------------------------- the verdict


def _objective(rf: Refit, values: Mapping[str, float]) -> float:
    from scaling_verify.numerics.fitting.optimize import evaluate

    theta = np.array([p.to_fit(float(values[p.name])) for p in rf.full_form.params])
    return float(evaluate(rf.full_form.log_model(), theta[None, :], rf.logX, rf.logy, delta=rf.delta)[0])


def _joint_test(rf: Refit, values: Mapping[str, float], f_tested: float) -> JointTest:
    from scipy.stats import chi2

    from scaling_verify.numerics.fitting import asymptotic, identify

    fit, held = rf.fit, rf.record.protocol.fixed
    moved = tuple(k for k, v in held.items() if not math.isclose(float(values[k]), float(v), rel_tol=1e-12))
    if moved:  # the tested point leaves the held values: measure it against the optimum with them free
        fit = _freed_fit(rf, moved)
    k = len(fit.form.params)
    f_star = float(fit.goodness.huber)
    rise = f_tested - f_star
    disp = asymptotic.dispersion(fit.residuals, rf.delta, len(fit.form.params))
    threshold = float(chi2.ppf(LEVEL, k))
    if disp.usable:
        s = disp.scale
        stat = 2.0 * rise / s
    else:  # an exact fit: no scatter to measure; the lab's exact-fit floor decides
        s = 0.0
        floor = identify.threshold(f_star, rf.n_rows)
        stat = math.inf if rise > floor else 0.0
    return JointTest(k=k, level=LEVEL, rise=rise, dispersion=s, statistic=stat, threshold=threshold)


def _interval_checks(rf: Refit, values: Mapping[str, float]) -> list[IntervalCheck]:
    from scaling_verify.numerics.stats import percentile_interval

    pr, fit = rf.record.intervals, rf.fit
    if pr is None or fit.boot_theta is None or fit.boot_theta.shape[0] < 2:
        return []
    boot = fit.form.to_natural(fit.boot_theta)
    boot = boot[np.all(np.isfinite(boot), axis=1)]
    if boot.shape[0] < 2:
        return []
    n_pub = rf.record.n_points or rf.n_rows
    limit = NARROW_FACTOR * n_pub
    names = fit.form.param_names
    out = []
    for name, (lo, hi) in pr.bounds.items():
        if name not in names:
            continue
        b = boot[:, names.index(name)]
        blo, bhi = percentile_interval(b, pr.level or LEVEL)
        w0 = hi - lo
        implied = rf.n_rows * ((bhi - blo) / w0) ** 2 if w0 > 0 else math.inf
        out.append(IntervalCheck(name, "interval", (lo, hi), (blo, bhi), bool(lo <= bhi and blo <= hi), implied, limit))
    for name, se in pr.errors.items():
        if name not in names:
            continue
        sd = float(np.std(boot[:, names.index(name)], ddof=1))
        v, r = float(values[name]), float(fit.estimate(name).value)
        implied = rf.n_rows * (sd / se) ** 2 if se > 0 else math.inf
        overlap = abs(v - r) <= 1.959963984540054 * math.hypot(se, sd)
        out.append(IntervalCheck(name, "standard error", (-se, se), (-sd, sd), overlap, implied, limit))
    return out


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def judge(rf: Refit, params: Mapping[str, float] | None = None) -> Reproduction:
    """The verdict on the record of ``rf`` at its printed parameters, or at ``params`` (name -> value,
    replacing printed values; the others stay printed). See the module docstring for the order of
    the tests."""
    record, fit = rf.record, rf.fit
    unknown = sorted(set(params or {}) - set(record.parameters))
    if unknown:
        raise ValueError(f"{record.name}: no parameter {unknown[0]} (has {', '.join(record.parameters)})")
    values = {**record.parameters, **{k: float(v) for k, v in (params or {}).items()}}
    f_tested = _objective(rf, values)
    test = _joint_test(rf, values, f_tested)
    f_star = f_tested - test.rise  # the optimum the test measured against
    checks = _interval_checks(rf, values)
    profile = {p.param: p for p in fit.profile_intervals}
    rows = []
    for e in fit.estimates:
        pi = profile.get(e.name)
        rows.append(RefitParameter(e.name, float(e.value), float(values[e.name]), e.lo, e.hi,
                                   pi.lo if pi else None, pi.hi if pi else None, bool(e.fixed)))
    head = (f"{record.name} on {rf.n_rows} rows: F(tested) = {_fmt(f_tested)}, F(optimum) = {_fmt(f_star)}, "
            f"T = 2 dF/s = {_fmt(test.statistic)} vs chi2_{test.k}(0.95) = {_fmt(test.threshold)}")
    narrow = [c for c in checks if c.narrow]
    disjoint = [c for c in checks if not c.overlap]
    if test.rejects:
        outcome = Outcome.REFUTED
        detail = f"a significantly better optimum exists: {head}"
    elif rf.unidentified:
        outcome = Outcome.NOT_REPRODUCIBLE
        detail = f"the data do not identify {', '.join(rf.unidentified)} ({head})"
    elif narrow:
        c = narrow[0]
        outcome = Outcome.REFUTED
        detail = (f"printed {c.kind} of {c.name} implausibly narrow: it implies {_fmt(c.implied_points)} points "
                  f"> {NARROW_FACTOR:g} x {_fmt(c.narrow_limit / NARROW_FACTOR)} ({head})")
    elif disjoint:
        c = disjoint[0]
        outcome = Outcome.REFUTED
        detail = f"printed {c.kind} of {c.name} {c.printed} disjoint from the refit's {c.refit} ({head})"
    else:
        outcome = Outcome.REPRODUCED
        detail = f"inside the joint 95% region: {head}" + (
            f"; {len(checks)} printed intervals overlap, none implausibly narrow" if checks else "")
    return Reproduction(record, outcome, dict(values), f_tested, f_star, test, tuple(rows), tuple(checks),
                        rf.unidentified, rf.n_rows, detail)


def reproduce(record: PublishedFit, data=None, *, params: Mapping[str, float] | None = None,
              bootstrap: int | None = None, seed: int = 0, quick: bool = False) -> Reproduction:
    """Refit ``record`` on its data (or ``data``) and decide: reproduced, refuted or not reproducible
    (module docstring). ``params`` tests other values in place of the printed ones."""
    return judge(refit(record, data, bootstrap=bootstrap, seed=seed, quick=quick), params)


def reproduce_with(record: PublishedFit, params: Mapping[str, float], data=None, **kwargs) -> Reproduction:
    """:func:`reproduce` at ``params`` (e.g. perturbed printed values, :func:`scaled`)."""
    return reproduce(record, data, params=params, **kwargs)


def scaled(record: PublishedFit, factors: Mapping[str, float]) -> dict[str, float]:
    """The printed parameters with each one in ``factors`` multiplied by its factor (e.g. ``{"alpha": 1.1}``)."""
    unknown = sorted(set(factors) - set(record.parameters))
    if unknown:
        raise ValueError(f"{record.name}: no parameter {unknown[0]}")
    return {k: float(v) * float(factors.get(k, 1.0)) for k, v in record.parameters.items()}


def with_parameters(record: PublishedFit, params: Mapping[str, float]) -> PublishedFit:
    """A copy of ``record`` whose printed values are replaced by ``params`` (held-fixed ones too)."""
    values = {**record.parameters, **params}
    fixed = {k: values[k] for k in record.protocol.fixed}
    proto = dataclasses.replace(record.protocol, fixed=fixed)
    return dataclasses.replace(record, parameters=values, protocol=proto)


def objective_of(rf: Refit, predicted: np.ndarray) -> float:
    """The refit's objective (the summed Huber loss of log residuals, :func:`numerics.fitting.optimize.huber`)
    of any law's predictions ``predicted`` at the refit's rows, in their order."""
    from scaling_verify.numerics.fitting.optimize import huber_np

    predicted = np.asarray(predicted, float)
    if predicted.shape != rf.logy.shape:
        raise ValueError(f"{rf.record.name}: {predicted.size} predictions for {rf.logy.size} rows")
    if not np.all(np.isfinite(predicted) & (predicted > 0)):
        return math.inf
    return float(np.sum(huber_np(np.log(predicted) - rf.logy, rf.delta)))


def judge_predictions(rf: Refit, predicted: np.ndarray, label: str) -> Reproduction:
    """The joint test of step 1 (module docstring) for a law given by its predictions at the refit's rows (a
    perturbed printed law: its exponents scaled, a wrong form): refuted when :math:`T > \\chi^2_{k,0.95}`,
    else not reproducible where the data cannot identify a parameter, else reproduced. The printed
    intervals say nothing about another law, so they are not compared."""
    values = dict(rf.record.parameters)
    f_tested = objective_of(rf, predicted)
    test = _joint_test(rf, values, f_tested)
    head = (f"{label} on {rf.n_rows} rows: F(tested) = {_fmt(f_tested)}, F(optimum) = {_fmt(f_tested - test.rise)}, "
            f"T = 2 dF/s = {_fmt(test.statistic)} vs chi2_{test.k}(0.95) = {_fmt(test.threshold)}")
    if test.rejects:
        outcome, detail = Outcome.REFUTED, f"a significantly better optimum exists: {head}"
    elif rf.unidentified:
        outcome, detail = Outcome.NOT_REPRODUCIBLE, f"the data do not identify {', '.join(rf.unidentified)} ({head})"
    else:
        outcome, detail = Outcome.REPRODUCED, f"inside the joint 95% region: {head}"
    return Reproduction(rf.record, outcome, values, f_tested, f_tested - test.rise, test, (), (), rf.unidentified,
                        rf.n_rows, detail)
