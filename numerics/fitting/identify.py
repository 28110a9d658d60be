"""Is each parameter of a fit determined by the data? Profiles, curvature and degeneracy flags.

A fit always returns numbers; these checks say when some of them mean nothing. Each problem becomes a
typed :class:`Flag` (kind, parameter, one-line message) that the CLI prints as a warning and writes
under ``"flags"`` in the JSON.

**Unidentified parameter (flat profile).** Move parameter :math:`j` away from the optimum by a step
:math:`\\Delta_j` in each direction, re-optimise every other parameter (the vectorised L-BFGS and
Newton of :mod:`numerics.fitting.optimize`, all :math:`2P` moves in one batch, on the same Huber
objective), and record the rise :math:`\\Delta F_\\pm = F_{prof} - F^*`. The step is two decades
for a positive (log-scale) parameter (:math:`\\Delta = \\ln 100`) and half the value (at least 0.05)
for an exponent. The profile is *flat* in a direction when

.. math:: \\Delta F < \\tau = \\tfrac{1}{2}\\chi^2_{1,0.95}\\, F^*/n + n\\,\\tfrac12 r_0^2,

Why :math:`\\tau`: with the default Huber :math:`\\delta = 10^{-3}` the log residuals of real runs are
mostly beyond :math:`\\delta`, where the objective is :math:`\\delta\\sum|r_i|`, i.e. a Laplace
log-likelihood :math:`-\\sum|r_i|/b` with scale :math:`\\hat b = F^*/(\\delta n)`. Its likelihood-ratio
statistic for the move is :math:`2 n \\Delta F / F^*`, and the move is *not rejected at the 95 % level*
when that is below :math:`\\chi^2_{1,0.95} = 3.84`, i.e. :math:`\\Delta F < 1.92 F^*/n`. (In the
quadratic regime, residuals below :math:`\\delta`, the Gaussian statistic is :math:`n\\Delta F/F^*` and
the same :math:`\\tau` is stricter by a factor of 2; correlated residuals, e.g. checkpoints of one
run, make the effective :math:`n` smaller and :math:`\\tau` stricter still: the flag errs towards
silence, so a flat profile is a real one.) The second term is a floor for noise-free data
(:math:`F^* \\approx 0`): a move that keeps the RMS log residual below :math:`r_0 = 10^{-9}` (the
engine's "exact fit") is not seen by the data either. So "unidentified" means: the data cannot tell
the fitted value from one two decades (or 50 %) away, with everything else free to adapt. A profile
that *falls* (:math:`\\Delta F < -\\tau`) means the search missed a better optimum and is flagged too.

**Other flags.** ``bound``: a positive parameter ran to 0 or infinity (beyond :math:`e^{\\pm 60}`,
:data:`numerics.fitting.diagnostics.LOG_LIMIT`). ``grid_edge``: the optimum lies beyond the start grid by more than one grid step at
that edge (the grid did not bracket it, so other optima may be missed). ``wide_interval``: a positive
parameter's interval spans more than two decades (:math:`hi/lo > 100`), or an exponent's interval is
wider than twice its value (its sign or size is not determined).

**Curvature.** :func:`curvature` uses the Jacobian :math:`J_{ij} = \\partial\\log f(x_i)/\\partial\\theta_j`
at the optimum, columns scaled to unit norm: the condition number of :math:`J^\\top J` (above 1e8 half
the digits of float64 are gone; a near-singular design), and the correlations from
:math:`(J^\\top J)^{-1}`, which is the shape of the asymptotic covariance of any M-estimator (Huber
included) with i.i.d. residuals. The bootstrap correlation is given beside it when there are refits.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

#: two decades, in log coordinates: the move of a positive parameter
LOG_STEP = math.log(100.0)
#: an exponent moves by this fraction of its value (at least EXPONENT_MIN_STEP)
EXPONENT_REL_STEP = 0.5
EXPONENT_MIN_STEP = 0.05
#: half the 95 % point of chi^2 with one degree of freedom
HALF_CHI2_95 = 1.920729410347062
#: RMS log residual of an exact fit (as :data:`numerics.fitting.engine.EXACT_FIT`)
EXACT_RMS = 1e-9
#: a positive parameter's interval spanning more than this ratio is "wide"
WIDE_RATIO = 100.0
#: the condition number above which the design is called near-singular
CONDITION_LIMIT = 1e8


@dataclass(frozen=True)
class Flag:
    """A degeneracy of the fit: ``kind`` is one of bound, grid_edge, unidentified, better_optimum,
    wide_interval; ``param`` the parameter it concerns."""

    kind: str
    param: str
    message: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "param": self.param, "message": self.message}


@dataclass(frozen=True)
class Profile:
    """Rise of the objective when ``param`` moves by ``step`` (fit coordinates) down / up, the others
    re-optimised; ``threshold`` is :math:`\\tau` of the module docstring."""

    param: str
    step: float
    rise_down: float
    rise_up: float
    threshold: float

    @property
    def flat_down(self) -> bool:
        return abs(self.rise_down) < self.threshold

    @property
    def flat_up(self) -> bool:
        return abs(self.rise_up) < self.threshold

    @property
    def flat(self) -> bool:
        return self.flat_down or self.flat_up

    @property
    def falls(self) -> bool:
        return min(self.rise_down, self.rise_up) < -self.threshold

    def as_dict(self) -> dict:
        fin = lambda v: float(v) if math.isfinite(v) else None  # noqa: E731
        return {"param": self.param, "step": self.step, "rise_down": fin(self.rise_down),
                "rise_up": fin(self.rise_up), "threshold": self.threshold, "flat": self.flat}


@dataclass(frozen=True)
class Correlation:
    """Correlation of two parameters (fit coordinates): from the Jacobian and from the bootstrap."""

    a: str
    b: str
    jacobian: float | None
    bootstrap: float | None

    def as_dict(self) -> dict:
        return {"params": [self.a, self.b], "jacobian": self.jacobian, "bootstrap": self.bootstrap}


@dataclass(frozen=True)
class Curvature:
    """Condition number of the scaled :math:`J^\\top J` and pairwise correlations."""

    condition_number: float | None
    correlations: tuple[Correlation, ...]

    def correlation(self, a: str, b: str) -> Correlation | None:
        for c in self.correlations:
            if {c.a, c.b} == {a, b}:
                return c
        return None

    def as_dict(self) -> dict:
        return {"condition_number": self.condition_number,
                "correlations": [c.as_dict() for c in self.correlations]}


# ----------------------------------------------------------------------------- profiles


@functools.lru_cache(maxsize=32)
def _value_and_grad(log_model, delta: float):
    import jax

    from scaling_verify.numerics.fitting.optimize import make_objective

    return jax.jit(jax.value_and_grad(make_objective(log_model, delta)))


def _objective(log_model, delta, logX, logy):
    """numpy ``f(theta) -> (value, grad)`` in float64 (inf and a zero gradient where not finite)."""
    import jax.numpy as jnp

    from scaling_verify.numerics.fitting.optimize import float64

    vg = _value_and_grad(log_model, float(delta))
    with float64():
        args = (jnp.ones(logy.size, jnp.float64), jnp.asarray(logX, jnp.float64), jnp.asarray(logy, jnp.float64))

    def f(theta):
        with float64():
            v, g = vg(jnp.asarray(theta, jnp.float64), *args)
        v, g = float(v), np.asarray(g, float)
        if not (math.isfinite(v) and np.all(np.isfinite(g))):
            return math.inf, np.zeros_like(g)
        return v, g

    return f


def _pinned_min(f, theta0: np.ndarray, j: int, ftol: float) -> float:
    """min over every coordinate but ``j`` of ``f``, from ``theta0`` (scipy L-BFGS-B; ``ftol`` is
    scipy's relative decrease test, set by :func:`profiles` to resolve a hundredth of the threshold)."""
    from scipy.optimize import minimize

    free = np.array([k for k in range(theta0.size) if k != j], dtype=int)
    if free.size == 0:
        return f(theta0)[0]

    def sub(z):
        th = theta0.copy()
        th[free] = z
        v, g = f(th)
        return v, g[free]

    if not math.isfinite(sub(theta0[free])[0]):
        return math.inf
    res = minimize(sub, theta0[free], jac=True, method="L-BFGS-B",
                   options={"maxiter": 1000, "ftol": ftol, "gtol": 1e-10})
    return float(res.fun)


def step_for(log_scale: bool, value: float) -> float:
    """The profile move of a parameter (fit coordinates): two decades, or half an exponent (>= 0.05)."""
    return LOG_STEP if log_scale else max(EXPONENT_REL_STEP * abs(value), EXPONENT_MIN_STEP)


def threshold(f_star: float, n: int) -> float:
    """:math:`\\tau = 1.92 F^*/n + n r_0^2/2` (module docstring)."""
    return HALF_CHI2_95 * max(f_star, 0.0) / n + n * 0.5 * EXACT_RMS ** 2


def pinned_minima(log_model, starts: np.ndarray, free: np.ndarray, logX: np.ndarray, logy: np.ndarray,
                  delta: float, ftol: float, lbfgs_iters: int = 1000, block: int | None = None) -> np.ndarray:
    """The objective minimised from each row of ``starts`` over the coordinates where ``free`` is 1 (the
    others held): all rows in one batch, vectorised L-BFGS (:func:`numerics.fitting.optimize.minimise`,
    ``ftol``, ``gtol = 1e-10``, at most ``lbfgs_iters`` steps; 0 skips it) then Newton
    (:func:`numerics.fitting.optimize.newton`) to convergence, in blocks of ``block`` problems (None: the
    default). The machinery of :func:`profiles` and :func:`profile_intervals`."""
    from scaling_verify.numerics.fitting.optimize import minimise, newton

    theta = starts
    if lbfgs_iters:
        theta = minimise(log_model, starts, None, logX, logy, delta=delta, maxiter=lbfgs_iters, gtol=1e-10,
                         ftol=ftol, free=free).theta
    return newton(log_model, theta, None, logX, logy, delta=delta, maxiter=500, free=free, block=block).value


def profiles(form, theta: np.ndarray, logX: np.ndarray, logy: np.ndarray, delta: float) -> tuple[Profile, ...]:
    """The profile rise of every parameter at ``theta`` (the optimum).

    The :math:`2P` pinned minimisations (each parameter moved down and up, the others free) run as one
    batch, the moved coordinate frozen (``free``): the vectorised L-BFGS of
    :func:`numerics.fitting.optimize.minimise` at the tolerances of :func:`_pinned_min` (``ftol``
    resolving a hundredth of the threshold, ``gtol = 1e-10``, at most 1000 steps), then Newton
    (:func:`numerics.fitting.optimize.newton`) to convergence. A profile is a minimum over the free
    parameters, and the loose scipy runs of :func:`_pinned_min` (kept as the check of this one) could stop
    far above it on a slow valley (by 200 thresholds in one direction of a 36-point Chinchilla fit); the
    Newton finish reaches the tight minimum."""
    from scaling_verify.numerics.fitting.optimize import evaluate

    theta = np.asarray(theta, float)
    lm = form.log_model()
    f_star = float(evaluate(lm, theta[None, :], logX, logy, delta=delta)[0])
    tau = threshold(f_star, int(logy.size))
    ftol = max(0.01 * tau / max(abs(f_star), 1.0), 1e-15)
    P = len(form.params)
    steps = [step_for(p.log_scale, float(theta[j])) for j, p in enumerate(form.params)]
    starts, free = np.repeat(theta[None, :], 2 * P, axis=0), np.ones((2 * P, P))
    for j in range(P):
        for i, sign in enumerate((-1.0, 1.0)):
            starts[2 * j + i, j] += sign * steps[j]
            free[2 * j + i, j] = 0.0
    rises = pinned_minima(lm, starts, free, logX, logy, delta, ftol) - f_star
    return tuple(Profile(p.name, steps[j], float(rises[2 * j]), float(rises[2 * j + 1]), tau)
                 for j, p in enumerate(form.params))


# ----------------------------------------------------------------------------- curvature


@functools.lru_cache(maxsize=32)
def _jacfwd(log_model):
    import jax

    return jax.jit(jax.jacfwd(log_model))


def _jacobian(form, theta: np.ndarray, logX: np.ndarray) -> np.ndarray:
    import jax.numpy as jnp

    from scaling_verify.numerics.fitting.optimize import float64

    with float64():
        J = _jacfwd(form.log_model())(jnp.asarray(theta, jnp.float64), jnp.asarray(logX, jnp.float64))
        return np.asarray(J, float)


def _corr(cov: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        return cov / np.outer(d, d)


def curvature(form, theta: np.ndarray, logX: np.ndarray, boot_theta: np.ndarray | None = None) -> Curvature:
    """Condition number of the column-scaled :math:`J^\\top J` and the correlations (module docstring)."""
    J = _jacobian(form, theta, logX)
    if not np.all(np.isfinite(J)):
        return Curvature(None, ())
    norms = np.linalg.norm(J, axis=0)
    Js = J / np.where(norms > 0, norms, 1.0)
    sv = np.linalg.svd(Js, compute_uv=False)
    cond = float(sv[0] ** 2 / sv[-1] ** 2) if sv[-1] > 0 else math.inf
    cj = _corr(np.linalg.pinv(Js.T @ Js))
    cb = None
    if boot_theta is not None and boot_theta.shape[0] > 2:
        ok = np.all(np.isfinite(boot_theta), axis=1)
        if ok.sum() > 2:
            with np.errstate(divide="ignore", invalid="ignore"):
                cb = np.corrcoef(boot_theta[ok].T)
    names = form.param_names
    fin = lambda v: float(v) if v is not None and math.isfinite(v) else None  # noqa: E731
    pairs = tuple(Correlation(names[a], names[b], fin(cj[a, b]), fin(cb[a, b]) if cb is not None else None)
                  for a in range(len(names)) for b in range(a + 1, len(names)))
    return Curvature(cond if math.isfinite(cond) else None, pairs)


# ----------------------------------------------------------------------------- flags


def _fmt_dir(p: Profile) -> str:
    if p.flat_down and p.flat_up:
        return "in both directions"
    return "towards smaller values" if p.flat_down else "towards larger values"


def profile_flags(form, profs: tuple[Profile, ...], natural: np.ndarray,
                  beyond: dict[str, str] | None = None) -> list[Flag]:
    """``unidentified`` and ``better_optimum`` flags from the profiles. ``beyond`` (param -> "above" or "below":
    the optimum lies past that edge of the start grid, :func:`beyond_grid`): a profile that still falls in that
    direction is a parameter running to its limit (0 or infinity), flagged ``bound`` -- no finite value of it is
    identified -- rather than a missed optimum."""
    out = []
    for p, v, par in zip(profs, natural, form.params):
        move = "two decades" if par.log_scale else f"{p.step:.3g}"
        side = (beyond or {}).get(p.param)
        outward = (side == "above" and p.rise_up < -p.threshold) or (side == "below" and p.rise_down < -p.threshold)
        if outward:
            limit = "infinity" if side == "above" else ("0" if par.log_scale else "minus infinity")
            out.append(Flag("bound", p.param,
                            f"{p.param} = {v:.4g} runs towards {limit}: past the start grid, the objective still "
                            f"falls (by {-min(p.rise_down, p.rise_up):.3g}) when it moves {move} further, so the "
                            f"data favour the limit {p.param} -> {limit} and identify no finite value of it "
                            "(pin it with --fix, or drop the term it controls)"))
        elif p.falls:
            out.append(Flag("better_optimum", p.param,
                            f"moving {p.param} by {move} lowered the objective by {-min(p.rise_down, p.rise_up):.3g}: "
                            "the search missed a better optimum (try --starts all or --param-init)"))
        elif p.flat:
            out.append(Flag("unidentified", p.param,
                            f"{p.param} = {v:.4g} is not identified by the data: moving it by {move} "
                            f"{_fmt_dir(p)} (the others refitted) changes the objective by less than "
                            f"{p.threshold:.3g}, a 95% likelihood-ratio test cannot tell them apart; "
                            "its value and interval mean nothing (pin it with --fix, or add data that move it)"))
    return out


def beyond_grid(form, theta: np.ndarray, grid_lo: tuple[float, ...], grid_hi: tuple[float, ...],
                grid_step_lo: tuple[float, ...], grid_step_hi: tuple[float, ...]) -> dict[str, str]:
    """param -> "above" or "below" for every optimum past the start grid by more than the grid step there."""
    out = {}
    for j, p in enumerate(form.params):
        t = float(theta[j])
        if grid_step_lo[j] > 0 and t < grid_lo[j] - grid_step_lo[j]:
            out[p.name] = "below"
        elif grid_step_hi[j] > 0 and t > grid_hi[j] + grid_step_hi[j]:
            out[p.name] = "above"
    return out


def grid_flags(form, theta: np.ndarray, grid_lo: tuple[float, ...], grid_hi: tuple[float, ...],
               grid_step_lo: tuple[float, ...], grid_step_hi: tuple[float, ...]) -> list[Flag]:
    """``grid_edge`` flags: the optimum beyond the grid's edge by more than the grid step there."""
    out = []
    for j, p in enumerate(form.params):
        t, lo, hi = float(theta[j]), grid_lo[j], grid_hi[j]
        below = grid_step_lo[j] > 0 and t < lo - grid_step_lo[j]
        above = grid_step_hi[j] > 0 and t > hi + grid_step_hi[j]
        if below or above:
            nat = (lambda u: math.exp(u)) if p.log_scale else (lambda u: u)
            v = nat(t) if abs(t) < 700 else (math.inf if t > 0 else 0.0)
            out.append(Flag("grid_edge", p.name,
                            f"{p.name} = {v:.4g} lies beyond the start grid [{nat(lo):.4g}, {nat(hi):.4g}] by more "
                            f"than a grid step: the grid did not bracket the optimum, others may be missed "
                            f"(check with --param-init {p.name}=...)"))
    return out


def interval_flags(form, estimates) -> list[Flag]:
    """``wide_interval`` flags (module docstring)."""
    out = []
    for p, e in zip(form.params, estimates):
        if not e.has_interval:
            continue
        if p.log_scale:
            wide = not (e.lo > 0 and e.hi / e.lo <= WIDE_RATIO)
            why = f"spans more than {WIDE_RATIO:g}x"
        else:
            wide = e.hi - e.lo > 2 * abs(e.value)
            why = "is wider than twice the value"
        if wide:
            out.append(Flag("wide_interval", p.name,
                            f"the interval of {p.name}, [{e.lo:.4g}, {e.hi:.4g}], {why}: the data barely "
                            "constrain it"))
    return out


# ----------------------------------------------------------------------------- profile-likelihood intervals

#: offsets of the profile grid, in asymptotic standard errors of the parameter, on each side
PROFILE_MULTIPLES = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.5, 8.0)


@dataclass(frozen=True)
class ProfileInterval:
    """Profile-likelihood interval of ``param`` (natural units; ``lo``/``hi`` None: the profile did not
    reach the cut within :data:`PROFILE_MULTIPLES` standard errors on that side, an open interval)."""

    param: str
    lo: float | None
    hi: float | None
    level: float
    cut: float

    def as_dict(self) -> dict:
        fin = lambda v: float(v) if v is not None and math.isfinite(v) else None  # noqa: E731
        return {"param": self.param, "ci": [fin(self.lo), fin(self.hi)], "level": self.level,
                "objective_rise_cut": self.cut}


def exponent_indices(form) -> tuple[int, ...]:
    """The exponents of a form: parameters fitted as they are (not on a log scale), and ``alpha``/``beta``
    (positive, log-scale, in the data-constrained law)."""
    return tuple(j for j, p in enumerate(form.params)
                 if not p.log_scale or p.name.split("[", 1)[0] in ("alpha", "beta"))


def _crossing(offsets: np.ndarray, rises: np.ndarray, cut: float) -> float | None:
    """The first offset where the rise reaches ``cut``, walking outward from 0 (rise 0), interpolated
    linearly in :math:`\\sqrt{\\Delta F}` (linear in the offset for a quadratic profile); None if never."""
    prev_o, prev_r = 0.0, 0.0
    for o, r in zip(offsets, rises):
        r = float(r) if math.isfinite(r) else math.inf
        if r >= cut:
            a, b = math.sqrt(max(prev_r, 0.0)), math.sqrt(r) if math.isfinite(r) else math.inf
            if not math.isfinite(b):
                return float(o)
            t = (math.sqrt(cut) - a) / (b - a) if b > a else 1.0
            return float(prev_o + min(max(t, 0.0), 1.0) * (o - prev_o))
        prev_o, prev_r = float(o), max(r, prev_r)
    return None


def _profile_scales(form, theta: np.ndarray, logX: np.ndarray, kappa: float) -> np.ndarray:
    """Per parameter, the asymptotic standard error :math:`\\sqrt{\\kappa [(J^\\top J)^+]_{jj}}` (pseudo-inverse:
    a degenerate design still gives the others a scale), or a quarter of the identifiability move
    (:func:`step_for`) where that is not finite and positive."""
    from scaling_verify.numerics.fitting.asymptotic import jacobian

    J = jacobian(form, theta, logX)
    se = np.full(theta.size, np.nan)
    if np.all(np.isfinite(J)):
        with np.errstate(invalid="ignore"):
            se = np.sqrt(kappa * np.diag(np.linalg.pinv(J.T @ J)))
    fallback = np.array([step_for(p.log_scale, float(t)) / 4 for p, t in zip(form.params, theta)])
    return np.where(np.isfinite(se) & (se > 0), se, fallback)


def profile_intervals(form, theta: np.ndarray, logX: np.ndarray, logy: np.ndarray, delta: float,
                      residuals: np.ndarray, level: float = 0.95) -> tuple[ProfileInterval, ...]:
    """Profile-likelihood intervals of the exponents (:func:`exponent_indices`).

    The cut is :math:`\\Delta F \\le \\tfrac12\\chi^2_{1,\\ell}\\, s` (the drop-in-dispersion test of
    :mod:`numerics.fitting.asymptotic`). Each exponent is held at :data:`PROFILE_MULTIPLES` asymptotic
    standard errors (:func:`_profile_scales`) on each side, the others refitted (all in one batch,
    :func:`pinned_minima`, Newton from the optimum), and the interval ends are where the rise crosses the
    cut (:func:`_crossing`). Empty when the residuals give no dispersion (an exact fit)."""
    from scipy.stats import chi2

    from scaling_verify.numerics.fitting import asymptotic
    from scaling_verify.numerics.fitting.optimize import _padded_block, block_size, evaluate

    theta = np.asarray(theta, float)
    idx = exponent_indices(form)
    disp = asymptotic.dispersion(residuals, delta, len(form.params))
    if not idx or not disp.usable:
        return ()
    cut = 0.5 * float(chi2.ppf(level, 1)) * disp.scale
    lm = form.log_model()
    f_star = float(evaluate(lm, theta[None, :], logX, logy, delta=delta)[0])
    mult = np.asarray(PROFILE_MULTIPLES)
    K, P = mult.size, theta.size
    se = _profile_scales(form, theta, logX, disp.kappa)
    starts = np.repeat(theta[None, :], 2 * K * len(idx), axis=0)
    free = np.ones_like(starts)
    for a, j in enumerate(idx):
        for s, sign in enumerate((-1.0, 1.0)):
            rows = slice((2 * a + s) * K, (2 * a + s + 1) * K)
            starts[rows, j] += sign * mult * se[j]
            free[rows, j] = 0.0
    # blocks the size of :func:`profiles`' batch: the Newton loop compiled for it serves these too
    block = _padded_block(2 * P, block_size(logy.size))
    rises = pinned_minima(lm, starts, free, logX, logy, delta, 1e-15, lbfgs_iters=0, block=block) - f_star
    out = []
    for a, j in enumerate(idx):
        p = form.params[j]
        ends = []
        for s, sign in enumerate((-1.0, 1.0)):
            off = _crossing(mult * se[j], rises[(2 * a + s) * K:(2 * a + s + 1) * K], cut)
            ends.append(None if off is None else float(form.to_natural(np.where(np.arange(P) == j, theta[j] + sign * off,
                                                                                theta))[j]))
        out.append(ProfileInterval(p.name, ends[0], ends[1], float(level), cut))
    return tuple(out)


def open_interval_flags(intervals: tuple[ProfileInterval, ...]) -> list[Flag]:
    """``wide_interval`` flags for profile intervals left open on a side."""
    out = []
    for iv in intervals:
        sides = [side for side, v in (("below", iv.lo), ("above", iv.hi)) if v is None]
        if sides:
            out.append(Flag("wide_interval", iv.param,
                            f"the {iv.level:.0%} profile-likelihood interval of {iv.param} is open "
                            f"{' and '.join(sides)}: the profile stays below the cut {iv.cut:.3g} for "
                            f"{PROFILE_MULTIPLES[-1]:g} standard errors (the data barely bound it)"))
    return out
