"""JAX simulation checks for Gu et al. 2024 (Learning Law): meta-optimised data policies.

The models (the Perceptron of the paper, the 2-D toy, the projected meta-gradient optimiser, the fit
protocol) are in :mod:`numerics.simulate.models.data_policy`; this module holds the checks.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from scaling_verify.checks import CheckResult, Context, Figure, Series, check, exponent_verdict
from scaling_verify.numerics.simulate import with_float64
from scaling_verify.numerics.simulate.models.data_policy import (  # noqa: F401  (re-exported: notebooks, benchmarks, tests)
    ACTIVE, AUC_RATIO_MAX, FULL, KKT_THRESHOLD, MODELS, QUICK, TOY_A, TOY_B, TOY_QUICK, Curves, KKTStats,
    PerceptronConfig, PerceptronExperiment, Task, ToyConfig, ToyExperiment, bce, dev_loss,
    diagnostics, fit_scaling, kkt_stats, make_perceptron, make_toy, measured_ar, meta_optimise, objective,
    optimise_many, optimise_policy, per_example_losses, perceptron_experiment, project_rows, project_simplex,
    run, run_policy, sim_metric, spread, test_loss, toy_dev, toy_experiment, toy_losses, toy_switch_time,
    validate,
)
from scaling_verify.theory.claims import Claim


# ----------------------------------------------------------------------------- checks: perceptron


@functools.partial(jax.jit, static_argnames=("M",))
def _mc_code_length(task: Task, thetas, key, M: int):
    """Arithmetic-coding cost of one held-out label per step, coded with the model at that step:
    ``M`` sequences; returns the per-sequence total code length in nats."""
    T = thetas.shape[0]
    idx = jax.random.randint(key, (M, T), 0, task.Ztest.shape[0])
    s = jnp.einsum("mtd,td->mt", task.Ztest[idx], thetas)
    y = task.ytest[idx]
    return jnp.sum(jax.nn.softplus(s) - y * s, axis=1)


@check("optimal_learning.compression_ratio", "simulate", evidence="consistency")
@with_float64
def _cr(claim: Claim, ctx: Context) -> CheckResult:
    """CR from the claim (T, |V| = 2, A = held-out AUC) vs the Monte-Carlo arithmetic-code length of
    M = 4000 label sequences (one test label per step); tolerance 4 standard errors of the MC mean.
    Also required: the optimised policy's held-out AUC <= 0.85 x uniform on average over the tasks, and below
    uniform on each (so CR rises).

    Evidence: *consistency*. The Monte-Carlo code length of a label coded with the model at step t has
    expectation L_t by definition of the cross-entropy, so the MC mean estimates the same area A the claim
    divides by; the check confirms that T log|V| / A is the ratio computed in nats, not an independent
    measurement of a compression."""
    exp = perceptron_experiment(ctx.quick, ctx.seed)
    T, eta = exp.cfg.T, exp.cfg.eta
    M = 4000
    lines, ok_all, meas = [], True, {}
    for name in ("unif", "opt"):
        tk = exp.tasks[0]
        g = jnp.full((T, tk.Z.shape[0]), 1.0 / tk.Z.shape[0]) if name == "unif" else jnp.asarray(exp.gamma_opt[0])
        _, lt, _, th_next = run(tk, g, eta)     # code the label of step t with theta_t, t = 1..T
        code = np.asarray(_mc_code_length(tk, th_next, jax.random.key(ctx.seed + 7), M))
        cr_mc = T * np.log(2) / code.mean()
        se = cr_mc * code.std(ddof=1) / np.sqrt(M) / code.mean()
        cr_claim = claim.value(T=T, V=2, A=float(np.sum(lt)))
        ok = abs(cr_mc - cr_claim) <= 4 * se
        ok_all &= ok
        lines.append(f"{name}: CR(MC code) {cr_mc:.5f} +- {se:.5f} vs claim {cr_claim:.5f}")
        meas[f"cr_{name}"] = cr_claim
        meas[f"cr_mc_{name}"] = cr_mc
    auc_u = exp.unif.test.sum(axis=1)
    auc_o = exp.opt.test.sum(axis=1)
    ratio = float(np.mean(auc_o / auc_u))
    meas["auc_ratio_test"] = ratio
    meas["auc_ratio_per_seed"] = (auc_o / auc_u).tolist()
    # the declared 15 % gain applies to the mean over the tasks; each task must improve. Per task the gain
    # varies (0.70..0.87 over seeds 0-19), so requiring it of every task failed 6 of 20 seeds on the
    # optimiser's luck with one task, not on the formula
    ok_auc = bool(ratio <= AUC_RATIO_MAX and np.all(auc_o / auc_u < 1))
    fig = Figure("Perceptron: held-out loss, uniform vs optimised policy", "step t", "test loss", logx=True,
                 logy=True, series=[Series("uniform", np.arange(1, T + 1), exp.unif.test.mean(0), "points"),
                                    Series("optimised", np.arange(1, T + 1), exp.opt.test.mean(0), "points")])
    detail = ("; ".join(lines) + f" (tol 4 SE) -> {'consistent' if ok_all else 'REJECTED'}; held-out AUC "
              f"opt/unif = {ratio:.3f} (need <= {AUC_RATIO_MAX}), per task {np.round(auc_o / auc_u, 3).tolist()} (need < 1)")
    return CheckResult(bool(ok_all and ok_auc), detail, meas, fig)


@functools.partial(jax.jit, static_argnames=("T",))
def _identity_ratio(task: Task, eta, T: int):
    """Uniform policy, T steps of size eta: sum_t (L_t - L_{t+1}) / sum_t eta sum_n gamma_n CT_n(theta_t)."""
    N = task.Z.shape[0]
    g = jnp.full((T, N), 1.0 / N)
    ld, _, th, _ = run(task, g, eta)
    L = jnp.concatenate([dev_loss(task, task.theta0)[None], ld])
    gl = jax.vmap(jax.grad(lambda x: jnp.mean(per_example_losses(task, x))))(th)
    gL = jax.vmap(jax.grad(lambda x: dev_loss(task, x)))(th)
    return jnp.sum(L[:-1] - L[1:]) / (eta * jnp.sum(gl * gL))


@check("optimal_learning.loss_rate_identity", "simulate")
@with_float64
def _identity(claim: Claim, ctx: Context) -> CheckResult:
    """Discrete GD: the measured ratio is 1 + O(eta). At eta, eta/2, eta/4 (same total time 10) the first-order
    Richardson extrapolant must match the claim within |R(eta/4) - R(eta/2)| (the size of the O(eta) term at
    the finest step bounds the remaining O(eta^2) error of the extrapolant for eta small)."""
    exp = perceptron_experiment(ctx.quick, ctx.seed)
    tk = exp.tasks[0]
    etas = [0.1, 0.05, 0.025]
    R = [float(_identity_ratio(tk, e, int(round(10 / e)))) for e in etas]
    ext = 2 * R[2] - R[1]
    tol = abs(R[2] - R[1])
    pred = claim.value()
    ok = abs(ext - pred) <= tol
    order = np.log(abs(R[0] - R[1]) / abs(R[1] - R[2])) / np.log(2)
    return CheckResult(bool(ok), f"ratio at eta=0.1,0.05,0.025: {[round(r, 6) for r in R]}; extrapolated "
                       f"{ext:.7f} vs claim {pred:.4f} (tol {tol:.1e}); observed order {order:.2f} (1 expected)"
                       f" -> {'consistent' if ok else 'REJECTED'}", {"ratios": R, "extrapolated": ext, "order": order})


FLUCT_BUDGET = 0.02   # stage-to-stage fluctuation of a spread over the last half of the outer loop (measured 0.006)
FLOOR_BUDGET = 0.08   # the KKT floor (non-convergence spread) must stay below the 0.1 shift the power items use
BOOT = 400            # bootstrap resamples of the time steps (within each seed)


def _pooled_median_spread(values, gammas, rng=None):
    """Median over (seed, t) of the per-step spread; with ``rng``, the time steps of each seed resampled."""
    per = [spread(v, g) for v, g in zip(values, gammas)]
    if rng is not None:
        per = [p[rng.integers(0, len(p), len(p))] for p in per]
    return float(np.nanmedian(np.concatenate(per)))


@dataclass(frozen=True)
class SpreadStudy:
    """A spread statistic ``S`` at the final policy with its 95 % bootstrap interval ``[lo, hi]``, its values
    over the outer-loop ``stages`` and their largest late fluctuation ``fluct`` about the last one."""

    S: float
    lo: float
    hi: float
    stages: list[float]
    fluct: float


def spread_study(exp: PerceptronExperiment, which: str) -> SpreadStudy:
    """The spread statistic (``kkt``: dJ/dgamma, ``ct``: instantaneous CT) at the final policy with a 95 %
    bootstrap interval over time steps, and its convergence study over the outer-loop stages."""
    if which == "kkt":
        vals, stages = exp.G, [float(_pooled_median_spread(Gs, gs)) for _, gs, Gs in exp.stages]
    else:
        vals = exp.CT
        stages = [float(_pooled_median_spread([np.asarray(diagnostics(tk, g_, exp.cfg.eta))
                                               for tk, g_ in zip(exp.tasks, gs)], gs))
                  for _, gs, _ in exp.stages[len(exp.stages) // 2:]]
    g = exp.gamma_opt
    S = _pooled_median_spread(vals, g)
    rng = np.random.default_rng(12345)
    boots = np.array([_pooled_median_spread(vals, g, rng) for _ in range(BOOT)])
    lo, hi = np.percentile(boots, [2.5, 97.5])
    late = stages[len(stages) // 2:-1] if which == "kkt" else stages[:-1]
    return SpreadStudy(S=S, lo=float(lo), hi=float(hi), stages=stages,
                       fluct=float(max(abs(x - stages[-1]) for x in late)))


@functools.lru_cache(maxsize=4)
def _studies(quick: bool, seed: int) -> tuple[SpreadStudy, SpreadStudy]:
    exp = perceptron_experiment(quick, seed)
    return spread_study(exp, "kkt"), spread_study(exp, "ct")


def _law_check(claim: Claim, ctx: Context, which: str) -> CheckResult:
    """Shared by the costate (``kkt``) and printed (``ct``) laws: see :func:`_law_costate`."""
    exp = perceptron_experiment(ctx.quick, ctx.seed)
    st = kkt_stats(exp)
    kkt, ct = _studies(ctx.quick, ctx.seed)
    me = kkt if which == "kkt" else ct
    floor = kkt.hi                      # the spread the finite outer loop leaves (upper end of its interval)
    falling = kkt.stages[0] > kkt.stages[-1]
    pred = claim.value()
    ok, d = exponent_verdict(f"median CV of {'dJ/dgamma' if which == 'kkt' else 'CT'} over active examples",
                             me.S, me.lo - floor, me.hi, pred, bias=me.fluct)
    budgets = falling and floor <= FLOOR_BUDGET and me.fluct <= FLUCT_BUDGET
    ok = ok and budgets
    if which == "kkt":
        ok = ok and st.inactive_violation_frac <= 0.01
    T = exp.cfg.T
    fig = Figure("Perceptron: contribution spread at the optimised policy", "step t",
                 "CV over active examples", logx=False, logy=True,
                 series=[Series("exact KKT dJ/dgamma", np.arange(1, T + 1), st.cv_kkt_t, "points"),
                         Series("printed CT", np.arange(1, T + 1), st.cv_ct_t, "points"),
                         Series("non-convergence floor", [1, T], [floor] * 2)])
    n_st = [n for n, _, _ in exp.stages]
    detail = (d + f"; interval lowered by the measured non-convergence floor {floor:.4f} (KKT spread upper end, "
              f"budget {FLOOR_BUDGET}), widened by the stage fluctuation {me.fluct:.4f} (budget {FLUCT_BUDGET}); "
              f"KKT spread at outer steps {n_st}: {[round(x, 4) for x in kkt.stages]} "
              f"({'falling' if falling else 'NOT falling: no floor'}); CT spread at the last stages "
              f"{[round(x, 4) for x in ct.stages]}; inactive examples violating dJ/dgamma >= lambda: "
              f"{100 * st.inactive_violation_frac:.2f} % of {st.n_inactive}; SIM median opt "
              f"{st.median_sim_opt:.3f} vs unif {st.median_sim_unif:.3f}; Prop. 4.1: "
              f"{100 * st.prop41_zero_weight_frac:.0f} % of (n, t) with CT <= 0 have gamma = 0"
              + ("" if budgets else " -> budget EXCEEDED"))
    meas = st.scalars()
    meas.update({"spread": me.S, "interval": [me.lo, me.hi], "floor": floor, "fluctuation": me.fluct,
                 "kkt_stages": kkt.stages, "ct_stages": ct.stages, "stage_outer_steps": n_st})
    return CheckResult(bool(ok), detail, meas, fig)


@check("optimal_learning.learning_law_costate", "simulate", evidence="consistency", resolution=0.07,
       resolution_full=0.07,
       resolution_reason="the claim is a spread of 0, but the finite outer loop leaves a measured KKT spread: at "
                         "seed 0 the median CV is 0.0421 with 95 % upper end 0.0485 after 1500 outer steps (stages "
                         "375..1500: 0.061, 0.040, 0.036, 0.042) and the stage fluctuation adds 0.006, so any claimed "
                         "spread below 0.0545 is indistinguishable from non-convergence (measured resolution 0.056 "
                         "additive, the + side; the - side is 0.02); the full outer loop was not measured")
@with_float64
def _law_costate(claim: Claim, ctx: Context) -> CheckResult:
    """The spread of dJ/dgamma over active examples at the meta-optimised policy against the claimed value.

    Evidence: *consistency*. dJ/dgamma is the outer loop's own gradient and its equality over active
    examples is the stationarity condition that projected gradient descent drives to zero; the check
    verifies that the optimiser converges to a KKT point, not an independent quantity.

    Statistic: median over (seed, t) of CV_t = std/|gamma-weighted mean| over active examples, with a 95 %
    bootstrap interval [lo, hi] over time steps (resampled within each seed, 400 resamples).
    Floor: at a finite outer loop the KKT spread is the stationarity residual the optimiser has not removed
    yet; it is *measured* as the upper end hi of the KKT interval, and a convergence study over the outer
    loop (run in :data:`~numerics.simulate.models.data_policy.STAGES` equal scans: spread at 375, 750, 1125,
    1500 steps quick) must show it falling (else it is not a floor and the check fails). Budget: floor
    <= 0.08 (:data:`FLOOR_BUDGET`). Widening: the stage-to-stage fluctuation of the statistic over the last
    half of the outer loop (max |S(k) - S(n)|, measured 0.006; budget 0.02, :data:`FLUCT_BUDGET`).
    Accept iff lo - floor - fluct <= claim <= hi + fluct; and <= 1 % of inactive examples below
    lambda_t - 1e-3 |lambda_t| (the KKT sign condition). A claimed spread of +-0.1 lies outside.
    """
    return _law_check(claim, ctx, "kkt")


@check("optimal_learning.learning_law_printed", "simulate")
@with_float64
def _law_printed(claim: Claim, ctx: Context) -> CheckResult:
    """The same statistic and the same measured floor for the instantaneous CT_n (the printed law); its
    fluctuation from the CT spread at the last two stages (CT recomputed at each stage's policy)."""
    return _law_check(claim, ctx, "ct")


AR_HALF_WIDTHS = (0.4, 0.2, 0.1)   # local fit windows (half-width in ln t): the window convergence study
AR_BIAS_BUDGET = 0.02              # |ln AR| bias of the local fitted laws at the finest window (measured 1.4e-4)


def _loglog_fit(t, y, lo, hi):
    """Least-squares ``ln y = ln c - p ln t`` over ``lo <= t <= hi``: returns (B, beta, residual function)."""
    m = (t >= lo) & (t <= hi)
    slope, icpt = np.polyfit(np.log(t[m]), np.log(y[m]), 1)
    beta = -slope
    B = np.exp(icpt / beta)
    return B, beta, lambda tt: float(np.interp(np.log(tt), np.log(t), np.log(y)) - beta * np.log(B / tt))


def _local_ar(Lu, Lo, h):
    """Measured AR on the curves, and the laws L0 + (B/t)^beta (L0 = 0) fitted locally where the AR formula
    evaluates them: unif on [T e^{-2h}, T], opt on [t* e^{-h}, t* e^{h}] (t* = T/AR measured on the curves, no
    claim). Returns (AR measured, (B_u, B_o, beta_u, beta_o), the laws' ln-AR bias (e_u(T) - e_o(t*))/beta_o)."""
    T = len(Lu)
    t = np.arange(1, T + 1, dtype=float)
    ar = measured_ar(Lu, Lo)
    ts = T / ar
    Bu, bu, ru = _loglog_fit(t, Lu, T * np.exp(-2 * h), T)
    Bo, bo, ro = _loglog_fit(t, Lo, ts * np.exp(-h), ts * np.exp(h))
    return ar, (Bu, Bo, bu, bo), (ru(T) - ro(ts)) / bo


@check("optimal_learning.acceleration_ratio", "simulate")
@with_float64
def _ar_sim(claim: Claim, ctx: Context) -> CheckResult:
    """The claimed AR at locally fitted laws against the AR measured on the simulated held-out curves.

    The claim is T/t with (B_2/t)^beta_2 = (B_1/T)^beta_1 on the fitted laws; it predicts the curves' AR when
    each law is accurate where it is evaluated: the uniform law at T, the optimised law at t* = T/AR. The
    fixed-protocol fit (window [T/5, T], :func:`fit_scaling`) misses the curves there (fit residuals e_u(T),
    e_o(t*)), which biases ln AR by (e_u - e_o)/beta_o (exact: solve e^{e_o}(B_2/t)^beta_2 = e^{e_u}(B_1/T)^beta_1):
    5 % at the protocol fit (the old 10 % tolerance hid it). Convergence study of the window: local fits of
    half-width h = 0.4, 0.2, 0.1 in ln t (unif on [T e^{-2h}, T], opt on [t* e^{-h}, t* e^{h}], t* measured on
    the curves, never from the claim); the bias shrinks with h (measured quick: 2.4e-2, 1.1e-2, 3.7e-4 in
    |ln AR|: 1.5e-2, 2.4e-3, 1.4e-4). The check uses h = 0.1: ratio claim(fits)/AR_measured with a 95 % bootstrap
    interval over seeds (curves resampled, everything refitted; 400 resamples), widened by the measured bias
    at h = 0.1, which must lie within its budget 0.02 (:data:`AR_BIAS_BUDGET`) and below the bias at 2h plus
    its own sampling noise (twice its bootstrap standard deviation).
    Also required (the paper's finding, protocol fixed in advance): r^2 >= 0.99 of the protocol fits and
    B_opt < B_unif.
    """
    import sympy as sp

    exp = perceptron_experiment(ctx.quick, ctx.seed)
    T = exp.cfg.T
    Cu, Co = exp.unif.test, exp.opt.test
    Bu, bu, r2u, fu = fit_scaling(Cu, T)
    Bo, bo, r2o, fo = fit_scaling(Co, T)
    f = sp.lambdify([claim.symbol(n) for n in ("T", "B_1", "B_2", "beta_1", "beta_2")], claim.expr, "math")
    f_ar = lambda fits: float(f(T, *fits))  # noqa: E731
    ar_protocol = claim.value(T=T, B_1=Bu, B_2=Bo, beta_1=bu, beta_2=bo)
    study = []
    for h in AR_HALF_WIDTHS:
        ar_m, fits, bias = _local_ar(Cu.mean(0), Co.mean(0), h)
        study.append((h, ar_m, fits, bias, f_ar(fits) / ar_m))
    h, ar_meas, fits, bias, ratio = study[-1]
    rng = np.random.default_rng(ctx.seed + 11)
    S = Cu.shape[0]
    boots, boot_bias = [], []
    for _ in range(400):
        i = rng.integers(0, S, S)
        ar_b, fits_b, bias_b = _local_ar(Cu[i].mean(0), Co[i].mean(0), h)
        boots.append(f_ar(fits_b) / ar_b)
        boot_bias.append(bias_b)
    lo, hi = np.percentile(boots, [2.5, 97.5])
    ok_r, d = exponent_verdict(f"AR from the claim at the local fits (h={h}) / AR measured", ratio, lo, hi, 1.0,
                               bias=abs(bias))
    # converging: the bias at h no larger than at 2h, up to its own sampling noise (2 bootstrap sd); without
    # the noise term, biases of 1e-4..1e-2 (noise level) failed 3 of seeds 0-19 on their ordering alone
    bias_noise = 2 * float(np.std(boot_bias))
    within = abs(bias) <= AR_BIAS_BUDGET and abs(bias) <= abs(study[-2][3]) + bias_noise
    ok = ok_r and within and r2u >= 0.99 and r2o >= 0.99 and Bo < Bu
    t = np.arange(1, T + 1)
    fig = Figure("Perceptron: fitted scaling laws L0 + (B/t)^beta (L0 = 0)", "step t", "test loss",
                 series=[Series("uniform", t, Cu.mean(0), "points"), Series("optimised", t, Co.mean(0), "points"),
                         Series(f"fit unif B={Bu:.3g} beta={bu:.3f}", t, (Bu / t) ** bu),
                         Series(f"fit opt B={Bo:.3g} beta={bo:.3f}", t, (Bo / t) ** bo)])
    detail = (f"protocol fit: uniform B {Bu:.4g}, beta {bu:.4f} [{fu.ci['p'][0]:.4f}, {fu.ci['p'][1]:.4f}], r2 {r2u:.4f}; "
              f"optimised: B {Bo:.4g}, beta {bo:.4f} [{fo.ci['p'][0]:.4f}, {fo.ci['p'][1]:.4f}], r2 {r2o:.4f}; "
              f"dB/B {100 * (Bo / Bu - 1):.1f} %; claim at the protocol fit {ar_protocol:.4f} vs measured "
              f"{ar_meas:.4f}; window study (h: claim/measured, law bias in ln AR): "
              + ", ".join(f"{hh}: {rr:.4f}, {bb:+.2e}" for hh, _, _, bb, rr in study)
              + f" (noise 2 sd {bias_noise:.1e}); bias budget {AR_BIAS_BUDGET}"
              + f"{'' if within else ' EXCEEDED or not converging'}; " + d)
    return CheckResult(bool(ok), detail, {"B_unif": Bu, "beta_unif": bu, "B_opt": Bo, "beta_opt": bo, "r2": [r2u, r2o],
                                          "ar_protocol": ar_protocol, "ar_measured": ar_meas, "ratio": ratio,
                                          "interval": [float(lo), float(hi)], "bias": bias,
                                          "window_study": [(hh, rr, bb) for hh, _, _, bb, rr in study]}, fig)


# ----------------------------------------------------------------------------- checks: the 2-D toy

@check("optimal_learning.toy_switch_time", "simulate")
@with_float64
def _toy_switch_sim(claim: Claim, ctx: Context) -> CheckResult:
    """The switch time of the discrete JAX optimum (eta = 0.05) against the claim mapped to discrete time.

    Measured: eta x (full bang steps k_b + the landing step's fraction f), f read from the simulated state
    in bang-step units, f = ln((1 - x_{k_b})/(1 - x_{k_b+1}))/(-ln(1 - eta)) (a bang step multiplies 1 - x
    by 1 - eta, so f is the number of bang steps that would carry x_{k_b} to the landed x_{k_b+1}).
    Predicted: the continuum bang x(t) = 1 - e^{-t} reaches a level at t; the discrete bang
    x_k = 1 - (1 - eta)^k reaches it after t/(-ln(1 - eta)) steps, so the claim t_s maps to
    t_s eta/(-ln(1 - eta)) = t_s (1 - eta/2 + ...) (0.0180 below ln 2 at eta = 0.05; the precise layer
    Richardson-extrapolates the same discrete optimum to the claim). Tolerance: the outer loop's control
    residual r = max |gamma_1 - median| on the arc (measured 1.8e-4 quick), taken twice for the landing
    step's own residual, through d t_s/d gamma_1 = 2 eta^2/((1 - x_{k_b+1})(-ln(1 - eta))) (the landing
    control moves x_{k_b+1} by 2 eta per unit gamma_1), plus 1e-9 for rounding."""
    ex = toy_experiment(ctx.quick)
    eta = ex.cfg.eta
    g1 = ex.gamma[:, 0]
    _, kb = toy_switch_time(g1, eta)
    x0, x1 = float(ex.theta[kb, 0]), float(ex.theta[kb + 1, 0])
    step = -np.log1p(-eta)
    ts = eta * (kb + np.log((1 - x0) / (1 - x1)) / step)
    pred = claim.value() * eta / step
    arc = g1[kb + 2: len(g1) - 5]
    resid = float(np.max(np.abs(arc - np.median(arc))))
    sens = 2 * eta ** 2 / ((1 - x1) * step)
    tol = 2 * sens * resid + 1e-9
    ok = abs(ts - pred) <= tol
    fig = Figure("2-D toy: optimised policy", "t", "gamma_1", logx=False, logy=False,
                 series=[Series("JAX optimum", eta * np.arange(ex.cfg.T), ex.gamma[:, 0], "points"),
                         Series("theory: 1 then 3/4", [0, claim.value(), claim.value(), 5], [1, 1, 0.75, 0.75])])
    return CheckResult(bool(ok), f"full bang steps {kb}, gamma_1 at the landing step {ex.gamma[kb, 0]:.4f}; "
                       f"discrete switch time {ts:.6f} vs claim {claim.value():.6f} x eta/(-ln(1-eta)) = {pred:.6f}, "
                       f"|dev| {abs(ts - pred):.1e} (tol 2 x {sens:.3f} x control residual {resid:.1e} = {tol:.1e}) -> "
                       f"{'consistent' if ok else 'REJECTED'}",
                       {"t_s": float(ts), "predicted_discrete": float(pred), "bang_steps": kb, "tol": tol}, fig)


@check("optimal_learning.toy_singular_control", "simulate")
@with_float64
def _toy_arc_sim(claim: Claim, ctx: Context) -> CheckResult:
    """Median gamma_1 on the arc (from the landing step + 2 to T - 5: the last steps feel the horizon)
    within 1e-3 of the claim (the outer loop's residual, measured ~1e-5)."""
    ex = toy_experiment(ctx.quick)
    g1 = ex.gamma[:, 0]
    _, kb = toy_switch_time(g1, ex.cfg.eta)
    arc = g1[kb + 2: len(g1) - 5]
    med, dev = float(np.median(arc)), float(np.max(np.abs(arc - claim.value())))
    ok = abs(med - claim.value()) <= 1e-3
    return CheckResult(bool(ok), f"median gamma_1 on the arc {med:.6f} (max dev {dev:.1e}) vs claim "
                       f"{claim.value():.4f} (tol 1e-3) -> {'consistent' if ok else 'REJECTED'}",
                       {"gamma_arc_median": med, "gamma_arc_maxdev": dev})


@check("optimal_learning.toy_area_gap", "simulate")
@with_float64
def _toy_gap_sim(claim: Claim, ctx: Context) -> CheckResult:
    """Discrete JAX gap eta sum (L_unif - L_opt) at eta = 0.05 vs the continuum claim shifted by the
    discrete-continuum difference, *measured* without the claim: the exact discrete optimum at the same eta
    (mpmath greedy solution, :func:`numerics.precise.optimal_learning.toy_discrete_optimum`) minus the
    continuum family optimum (``mp.quad``, :func:`~numerics.precise.optimal_learning.toy_family_optimum`),
    0.0036 at eta = 0.05 (replaces the fixed first-order constant 0.0744 eta).

    Tolerance: the outer loop's remaining error, from its convergence study: eta (J(n/2) - J(n)) (J falls
    geometrically, measured (J(3n/4) - J(n))/(J(n/2) - J(n)) = 0.07, so the second half's decrease bounds
    what is left), 2e-9 quick; budget 1e-6 (a larger residual fails the check). Measured deviation 1.6e-11.
    """
    from scaling_verify.numerics.precise import optimal_learning as po

    ex = toy_experiment(ctx.quick)
    eta = ex.cfg.eta
    gap = float(eta * np.sum(ex.L_unif - ex.L_opt))
    shift = float(po.toy_discrete_optimum(eta)[1] - po.toy_family_optimum()[1])
    J = ex.J
    n = len(J)
    tol = float(eta * abs(J[n // 2 - 1] - J[-1]))
    within = tol <= 1e-6 and abs(J[3 * n // 4 - 1] - J[-1]) <= abs(J[n // 2 - 1] - J[-1])
    pred = claim.value() + shift
    ok = abs(gap - pred) <= tol and within
    return CheckResult(bool(ok), f"discrete AUC gap {gap:.10f} vs claim {claim.value():.10f} + discrete shift "
                       f"{shift:+.10f} = {pred:.10f}, |dev| {abs(gap - pred):.1e} (tol eta (J(n/2) - J(n)) = {tol:.1e}, "
                       f"budget 1e-6{'' if within else ' EXCEEDED'}) -> {'consistent' if ok else 'REJECTED'}",
                       {"gap": gap, "shift": shift, "tol": tol})


@check("optimal_learning.toy_arc_equal_contribution", "simulate")
@with_float64
def _toy_ct_sim(claim: Claim, ctx: Context) -> CheckResult:
    """On the arc, CT_1 and CT_2 of the JAX optimum against the claim y(y - 1) at the simulated y_t.

    Tolerance, from the toy's losses (l_n = |theta - a_n|^2/2, a = (1, 1), (-1, 1); L = |theta - b|^2/2,
    b = (1/2, 0)): CT_n = (theta - b).(theta - a_n) = y(y - 1) + (x - 1/2)(x -+ 1) exactly, so off the arc
    x = 1/2 (the theory's singular arc) CT_n departs from y(y - 1) by |x - 1/2|(|x| + 1) at most. The
    tolerance is twice the largest such departure over the simulated arc steps, relative to |y(y - 1)|
    (measured 1.1e-5 quick: the discrete optimum holds x within 1.1e-5 of 1/2), plus 1e-9 for rounding."""
    ex = toy_experiment(ctx.quick)
    g1 = ex.gamma[:, 0]
    _, kb = toy_switch_time(g1, ex.cfg.eta)
    sl = slice(kb + 2, len(g1) - 5)
    xv, yv = ex.theta[sl, 0], ex.theta[sl, 1]
    pred = np.array([claim.value(y=float(v)) for v in yv])
    devs = np.abs(ex.CT[sl] - pred[:, None]) / np.abs(pred[:, None])
    tol = float(2 * np.max(np.abs(xv - 0.5) * (np.abs(xv) + 1) / np.abs(yv * (yv - 1)))) + 1e-9
    ok = float(devs.max()) <= tol
    return CheckResult(bool(ok), f"CT_1, CT_2 on the arc vs y(y-1): max rel. dev {devs.max():.2e} (tol 2 x the "
                       f"largest off-arc term |x - 1/2|(|x| + 1)/|y(y - 1)| = {tol:.2e}) -> "
                       f"{'consistent' if ok else 'REJECTED'}", {"max_rel_dev": float(devs.max()), "tol": tol})
