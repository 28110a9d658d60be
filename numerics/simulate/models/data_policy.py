"""The learning problems of Gu et al. 2024 (Learning Law) and the meta-optimisation of their data policy.

Inner loop (the paper's setting, Sec. 2-3): full-batch gradient descent
:math:`\\theta_{t+1} = \\theta_t - \\eta\\nabla_\\theta\\sum_n\\gamma_{n,t}l_n(\\theta_t)` in ``lax.scan`` with the
policy row :math:`\\gamma_t` as the scanned input, returning the desired loss :math:`L^{dsr}(\\theta_{1..T})`.
Outer loop: projected gradient on :math:`J(\\gamma) = \\sum_{t=1}^T L^{dsr}(\\theta_t)`, the meta-gradient
by ``jax.grad`` through the unrolled run, each row projected onto the simplex by sorting (Duchi et al.
2008), the whole outer loop a ``lax.scan`` under one ``jit`` and ``vmap``-ped over seeds.

Tasks:

* :func:`make_perceptron` -- the Perceptron of the paper (teacher :math:`T\\sim N(0,\\sqrt D I)`, training
  inputs :math:`N(0, 3I)`, desired/test inputs :math:`N(0.5\\cdot\\mathbf 1, I)`, labels
  :math:`\\mathbb 1[T\\cdot z > 0]`, :math:`o = \\sigma(\\theta\\cdot z)`, BCE, no bias), at CPU size.
* :func:`make_toy` -- the closed-form 2-D control toy (:mod:`theory.optimal_learning`).

No checks here (they are in :mod:`numerics.simulate.optimal_learning`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields, replace
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from scaling_verify.numerics.fit import fit_power_law
from scaling_verify.checks.measurement import measurement
from scaling_verify.numerics.simulate import with_float64

# ----------------------------------------------------------------------------- sizes
@dataclass(frozen=True)
class PerceptronConfig:
    """Sizes of the Perceptron experiment: ``D`` input dimension, ``N`` training and ``K`` held-out examples,
    ``T`` inner steps of size ``eta``, ``outer`` meta-gradient steps at rate ``lr``, ``seeds`` tasks."""

    D: int
    N: int
    K: int
    T: int
    eta: float
    outer: int
    lr: float
    seeds: int


QUICK = PerceptronConfig(D=8, N=32, K=128, T=100, eta=0.1, outer=1500, lr=3e-2, seeds=3)
FULL = PerceptronConfig(D=16, N=128, K=256, T=200, eta=0.1, outer=10000, lr=1e-2, seeds=3)
ACTIVE = 1e-9          # gamma above this counts as active (A_t)
KKT_THRESHOLD = 0.15   # the printed-law check's threshold on the median CV of CT (the costate check measures its floor)
STAGES = 4             # the outer loop runs in this many equal scans: the KKT spread's convergence study
AUC_RATIO_MAX = 0.85   # optimised test AUC <= 0.85 x uniform on average over the tasks: a 15 % gain, declared before the run


class Task(NamedTuple):
    """Arrays of one learning problem (a pytree: tasks of equal shapes stack for ``vmap``)."""

    Z: jax.Array        # (N, D) training inputs
    y: jax.Array        # (N,) training labels
    Zdev: jax.Array     # (K, D) desired ("dev") inputs
    ydev: jax.Array
    Ztest: jax.Array    # (K, D) held-out test inputs from the desired distribution
    ytest: jax.Array
    theta0: jax.Array   # (D,)


# ----------------------------------------------------------------------------- validation


@with_float64
def validate(task: Task, eta: float, gammas=None) -> None:
    """Bad input gets a clear ``ValueError``: negative/zero learning rate, empty data, bad policies."""
    if not np.isfinite(eta) or eta <= 0:
        raise ValueError(f"learning rate eta must be a positive finite number, got {eta}")
    for name in ("Z", "Zdev", "Ztest"):
        arr = getattr(task, name)
        if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
            raise ValueError(f"empty data: {name} has shape {tuple(arr.shape)}; need at least one example "
                             "and one feature")
    if gammas is not None:
        g = np.asarray(gammas)
        if g.ndim != 2 or g.shape[1] != task.Z.shape[0] or g.shape[0] == 0:
            raise ValueError(f"policy must have shape (T, N={task.Z.shape[0]}), got {g.shape}")
        if np.any(~np.isfinite(g)) or np.any(g < -1e-12):
            raise ValueError("policy entries must be finite and non-negative")
        bad = np.abs(g.sum(axis=1) - 1) > 1e-8
        if np.any(bad):
            raise ValueError(f"policy rows must sum to one (simplex); {int(bad.sum())} rows do not, e.g. row "
                             f"{int(np.argmax(bad))} sums to {g.sum(axis=1)[np.argmax(bad)]:.6g}")


# ----------------------------------------------------------------------------- the perceptron


@with_float64
def make_perceptron(key, D: int, N: int, K: int) -> Task:
    """The paper's Perceptron problem at size (D, N, K); theta_0 = 0."""
    if min(D, N, K) <= 0:
        raise ValueError(f"empty data: D={D}, N={N}, K={K} must all be positive")
    return _make_perceptron(key, D, N, K)


@functools.partial(jax.jit, static_argnames=("D", "N", "K"))
def _make_perceptron(key, D: int, N: int, K: int) -> Task:
    kt, kz, kd, ke = jax.random.split(key, 4)
    teacher = jax.random.normal(kt, (D,)) * D ** 0.25          # N(0, sqrt(D) I) as printed (variance)
    Z = jax.random.normal(kz, (N, D)) * jnp.sqrt(3.0)
    Zdev = 0.5 + jax.random.normal(kd, (K, D))
    Zte = 0.5 + jax.random.normal(ke, (K, D))
    lab = lambda z: (z @ teacher > 0).astype(jnp.float64)  # noqa: E731
    return Task(Z, lab(Z), Zdev, lab(Zdev), Zte, lab(Zte), jnp.zeros(D))


@with_float64
def bce(theta, Z, y):
    """Per-example binary cross-entropy of :math:`\\sigma(\\theta\\cdot z)` (nats)."""
    s = Z @ theta
    return jax.nn.softplus(s) - y * s


@with_float64
def per_example_losses(task: Task, theta):
    return bce(theta, task.Z, task.y)


@with_float64
def dev_loss(task: Task, theta):
    return jnp.mean(bce(theta, task.Zdev, task.ydev))


@with_float64
def test_loss(task: Task, theta):
    return jnp.mean(bce(theta, task.Ztest, task.ytest))


# ----------------------------------------------------------------------------- the 2-D toy

TOY_A = np.array([[1.0, 1.0], [-1.0, 1.0]])
TOY_B = np.array([0.5, 0.0])


@with_float64
def make_toy() -> Task:
    """2-D toy: l_n = |theta - a_n|^2/2 (encoded as Z = a_n), L = |theta - b|^2/2, theta_0 = (0, 3)."""
    A, B = jnp.asarray(TOY_A), jnp.asarray(TOY_B)
    return Task(A, jnp.zeros(2), B[None, :], jnp.zeros(1), B[None, :], jnp.zeros(1),
                jnp.array([0.0, 3.0]))


@with_float64
def toy_losses(task: Task, theta):
    return 0.5 * jnp.sum((theta[None, :] - task.Z) ** 2, axis=1)


@with_float64
def toy_dev(task: Task, theta):
    return 0.5 * jnp.sum((theta - task.Zdev[0]) ** 2)


MODELS = {"perceptron": (per_example_losses, dev_loss, test_loss), "toy": (toy_losses, toy_dev, toy_dev)}


# ----------------------------------------------------------------------------- core


@with_float64
@functools.partial(jax.jit, static_argnames=("model",))
def run(task: Task, gammas, eta, model: str = "perceptron"):
    """Unrolled GD with the policy as scanned input: returns (L_dev(theta_1..T), L_test(theta_1..T),
    theta_0..T-1 (where gamma_t acts), theta_1..T)."""
    losses, dev, test = MODELS[model]

    def step(theta, g):
        grad = jax.grad(lambda th: jnp.dot(g, losses(task, th)))(theta)
        new = theta - eta * grad
        return new, (dev(task, new), test(task, new), theta, new)

    _, (ld, lt, th, th_post) = lax.scan(step, task.theta0, gammas)
    return ld, lt, th, th_post


@with_float64
def objective(gammas, task: Task, eta, model: str = "perceptron"):
    """J(gamma) = sum_{t=1}^T L_dev(theta_t)."""
    return jnp.sum(run(task, gammas, eta, model)[0])


@with_float64
def project_simplex(v):
    """Euclidean projection of a vector onto the probability simplex by sorting (Duchi et al. 2008)."""
    n = v.shape[-1]
    u = jnp.sort(v)[::-1]
    css = jnp.cumsum(u) - 1.0
    idx = jnp.arange(1, n + 1)
    cond = u - css / idx > 0
    rho = jnp.max(jnp.where(cond, idx, 0))
    tau = css[rho - 1] / rho
    return jnp.maximum(v - tau, 0.0)


project_rows = jax.vmap(project_simplex)


@with_float64
@functools.partial(jax.jit, static_argnames=("n_outer", "model"))
def optimise_policy(task: Task, gamma0, eta, lr, n_outer: int, model: str = "perceptron"):
    """Projected gradient descent on J, ``n_outer`` steps in one ``lax.scan``.

    Returns (gamma, dJ/dgamma at that gamma, J trace): gamma is the last iterate whose gradient was
    evaluated (the policy after ``n_outer - 1`` updates), so the KKT diagnostics need no second compile."""
    vg = jax.value_and_grad(objective)

    def outer(carry, _):
        g, _, _ = carry
        J, G = vg(g, task, eta, model)
        return (project_rows(g - lr * G), g, G), J

    (_, g_last, G_last), Jtr = lax.scan(outer, (gamma0, gamma0, jnp.zeros_like(gamma0)), None, length=n_outer)
    return g_last, G_last, Jtr


@with_float64
def meta_optimise(task: Task, eta: float, lr: float, n_outer: int, T: int | None = None, gamma0=None,
                  model: str = "perceptron"):
    """Validated entry point: optimise a (T, N) policy from ``gamma0`` (default uniform) by projected
    meta-gradient descent. Returns (gamma, dJ/dgamma, J trace) as numpy arrays.

    Raises ValueError for a non-positive learning rate, empty data, or a policy whose rows are not on
    the simplex."""
    if gamma0 is None:
        if T is None or T <= 0:
            raise ValueError("give the number of steps T > 0 or an initial policy gamma0")
        n = task.Z.shape[0]
        if n == 0:
            raise ValueError("empty data: the task has no training examples")
        gamma0 = jnp.full((T, n), 1.0 / n)
    validate(task, eta, gamma0)
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"outer learning rate must be positive, got {lr}")
    if n_outer < 1:
        raise ValueError(f"n_outer must be >= 1, got {n_outer}")
    g, G, J = optimise_policy(task, jnp.asarray(gamma0, dtype=jnp.float64), eta, lr, int(n_outer), model)
    return np.asarray(g), np.asarray(G), np.asarray(J)


@with_float64
def run_policy(task: Task, gammas, eta: float, model: str = "perceptron"):
    """Validated :func:`run`: returns (L_dev(theta_1..T), L_test(theta_1..T)) as numpy arrays."""
    validate(task, eta, gammas)
    ld, lt, _, _ = run(task, jnp.asarray(gammas, dtype=jnp.float64), eta, model)
    return np.asarray(ld), np.asarray(lt)


optimise_many = jax.jit(jax.vmap(optimise_policy, in_axes=(0, 0, None, None, None, None)),
                        static_argnames=("n_outer", "model"))


@with_float64
@functools.partial(jax.jit, static_argnames=("model",))
def diagnostics(task: Task, gammas, eta, model: str = "perceptron"):
    """Instantaneous contributions CT_{n,t} = grad L_dev(theta_t) . grad l_n(theta_t) (T, N)."""
    losses, dev, _ = MODELS[model]
    thetas = run(task, gammas, eta, model)[2]
    gl = jax.vmap(lambda th: jax.jacobian(lambda x: losses(task, x))(th))(thetas)     # (T, N, D)
    gL = jax.vmap(jax.grad(lambda th: dev(task, th)))(thetas)                         # (T, D)
    CT = jnp.einsum("tnd,td->tn", gl, gL)
    return CT


def _per_active_step(values, gammas, active, stat):
    """``stat(v, g)`` over the active examples (gamma > ``active``) of each step; NaN where fewer than 2."""
    v, g = np.asarray(values), np.asarray(gammas)
    out = np.full(v.shape[0], np.nan)
    for t in range(v.shape[0]):
        m = g[t] > active
        if m.sum() >= 2:
            out[t] = stat(v[t, m], g[t, m])
    return out


def _cv(v, g):
    lam = np.sum(g * v) / np.sum(g)
    return np.std(v) / abs(lam)


def _sim(v, g):
    w = g / g.sum()
    mean = np.sum(w * v)
    return mean / np.sqrt(np.sum(w * (v - mean) ** 2))


@with_float64
def spread(values, gammas, active=ACTIVE):
    """Per step: std over active examples / |gamma-weighted mean|; NaN where fewer than 2 are active."""
    return _per_active_step(values, gammas, active, _cv)


@with_float64
def sim_metric(CT, gammas, active=ACTIVE):
    """The paper's SIM_t = gamma-weighted mean / std of CT over active examples (Eq. 7)."""
    return _per_active_step(CT, gammas, active, _sim)


# ----------------------------------------------------------------------------- experiments


@dataclass(frozen=True, eq=False)
class Curves:
    """Per-step losses ``(seeds, T)`` of a policy: on the development set (``dev``) and held out (``test``)."""

    dev: np.ndarray
    test: np.ndarray


@dataclass(frozen=True, eq=False)
class PerceptronExperiment:
    """What :func:`perceptron_experiment` returns: the config, the meta-objective trace ``J_trace`` ``(seeds,
    outer)``, the optimised policies ``gamma_opt`` ``(seeds, T, N)``, the loss curves of the uniform and the
    optimised policy, and at the optimum, per task: ``G`` (dJ/dgamma), ``CT`` and ``CT_unif`` (the printed
    contributions at the optimised and the uniform policy), ``stages``: ``(outer steps, policies,
    gradients)`` after each of the :data:`STAGES` scans, and the ``tasks``."""

    cfg: PerceptronConfig
    J_trace: np.ndarray
    gamma_opt: np.ndarray
    unif: Curves
    opt: Curves
    G: list
    CT: list
    CT_unif: list
    stages: list
    tasks: list


def _curves(tasks, policies, eta) -> Curves:
    ld, lt = [], []
    for tk, g in zip(tasks, policies):
        a, b, _, _ = run(tk, jnp.asarray(g), eta)
        ld.append(np.asarray(a))
        lt.append(np.asarray(b))
    return Curves(dev=np.array(ld), test=np.array(lt))


@measurement
@with_float64
def perceptron_experiment(quick: bool = True, seed: int = 0) -> PerceptronExperiment:
    """Meta-optimise the policy on ``seeds`` Perceptron tasks (vmapped) and collect everything the checks use."""
    cfg = QUICK if quick else FULL
    keys = jax.random.split(jax.random.key(seed), cfg.seeds)
    tasks = [make_perceptron(k, cfg.D, cfg.N, cfg.K) for k in keys]
    stacked = jax.tree.map(lambda *xs: jnp.stack(xs), *tasks)
    T, N, eta = cfg.T, cfg.N, cfg.eta
    unif = jnp.full((T, N), 1.0 / N)
    for tk in tasks:
        validate(tk, eta, unif)
    g = jnp.broadcast_to(unif, (cfg.seeds, T, N))
    # the outer loop in STAGES equal scans: each stage starts from the projected update of the previous
    # stage's last iterate, so the final policy is the one a single scan of ``outer`` steps returns, and
    # the (gamma, dJ/dgamma) pairs at outer/STAGES, 2 outer/STAGES, ... are the convergence study of the
    # KKT spread (one compile, no extra outer steps)
    n_stage = cfg.outer // STAGES
    stage_pairs, Jtrs = [], []
    for s in range(STAGES):
        gl, Gl, Jtr = optimise_many(stacked, g, eta, cfg.lr, n_stage, "perceptron")
        stage_pairs.append((n_stage * (s + 1), np.asarray(gl), np.asarray(Gl)))
        Jtrs.append(np.asarray(Jtr))
        g = jax.vmap(project_rows)(gl - cfg.lr * Gl)
    gopt, Gopt = stage_pairs[-1][1], stage_pairs[-1][2]
    curves_u, curves_o = _curves(tasks, [unif] * len(tasks), eta), _curves(tasks, list(gopt), eta)
    G, CT, CT_unif = [], [], []
    for tk, g, Gk in zip(tasks, gopt, np.asarray(Gopt)):
        G.append(Gk)
        CT.append(np.asarray(diagnostics(tk, jnp.asarray(g), eta)))
        CT_unif.append(np.asarray(diagnostics(tk, unif, eta)))
    return PerceptronExperiment(cfg=cfg, J_trace=np.concatenate(Jtrs, axis=1), gamma_opt=gopt, unif=curves_u,
                                opt=curves_o, G=G, CT=CT, CT_unif=CT_unif,
                                stages=[(n, gs, Gs) for n, gs, Gs in stage_pairs], tasks=tasks)


@dataclass(frozen=True, eq=False)
class KKTStats:
    """:func:`kkt_stats`: median spreads (CV over active examples) of dJ/dgamma (``median_cv_kkt``) and of the
    printed CT (``median_cv_ct``), pooled over seeds and steps; the fraction of inactive examples violating
    dJ/dgamma >= lambda (of ``n_inactive``); the fraction of (n, t) with CT <= 0 that have gamma = 0 (Prop.
    4.1); the paper's SIM median at the optimised and the uniform policy; the spreads per step (``*_t``)."""

    median_cv_kkt: float
    median_cv_ct: float
    inactive_violation_frac: float
    n_inactive: int
    prop41_zero_weight_frac: float
    median_sim_opt: float
    median_sim_unif: float
    cv_kkt_t: np.ndarray
    cv_ct_t: np.ndarray

    def scalars(self) -> dict:
        """The scalar fields by name (for a check's ``measured``)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if not isinstance(getattr(self, f.name), np.ndarray)}


@with_float64
def kkt_stats(exp: PerceptronExperiment) -> KKTStats:
    """Exact (KKT) and printed (instantaneous CT) spreads at the optimised policy, pooled over seeds."""
    cv_kkt, cv_ct, viol, sim_o, sim_u, n_inact = [], [], 0, [], [], 0
    neg_ct, neg_ct_zero = 0, 0   # Prop. 4.1: CT <= 0 => gamma = 0 (before convergence)
    T, N = exp.cfg.T, exp.cfg.N
    unif = np.full((T, N), 1.0 / N)
    for g, G, CT, CTu in zip(exp.gamma_opt, exp.G, exp.CT, exp.CT_unif):
        cv_kkt.append(spread(G, g))
        cv_ct.append(spread(CT, g))
        sim_o.append(sim_metric(CT, g))
        sim_u.append(sim_metric(CTu, unif))
        neg = CT <= 0
        neg_ct += int(neg.sum())
        neg_ct_zero += int((neg & (g <= ACTIVE)).sum())
        for t in range(T):
            m = g[t] > ACTIVE
            if m.sum() < 1:
                continue
            lam = np.sum(g[t, m] * G[t, m]) / np.sum(g[t, m])
            inact = ~m
            n_inact += int(inact.sum())
            viol += int(np.sum(G[t, inact] < lam - 1e-3 * abs(lam)))
    cat = lambda xs: np.concatenate(xs)  # noqa: E731

    def per_t(xs):
        a = np.array(xs)
        ok = np.isfinite(a).any(axis=0)
        out = np.full(a.shape[1], np.nan)
        out[ok] = np.nanmedian(a[:, ok], axis=0)
        return out

    return KKTStats(median_cv_kkt=float(np.nanmedian(cat(cv_kkt))), median_cv_ct=float(np.nanmedian(cat(cv_ct))),
                    inactive_violation_frac=viol / max(n_inact, 1), n_inactive=n_inact,
                    prop41_zero_weight_frac=neg_ct_zero / max(neg_ct, 1),
                    median_sim_opt=float(np.nanmedian(cat(sim_o))), median_sim_unif=float(np.nanmedian(cat(sim_u))),
                    cv_kkt_t=per_t(cv_kkt), cv_ct_t=per_t(cv_ct))


@with_float64
def fit_scaling(curves, T, L0=0.0, window_frac=0.2):
    """Protocol fixed in advance: shared L0 = 0, window t in [T/5, T], log-log fit over the seed mean with
    bootstrap over seeds. Returns (B, beta, r2, fit)."""
    t = np.arange(1, T + 1, dtype=float)
    y = curves - L0
    fit = fit_power_law(t, y, window=(window_frac * T, T), bootstrap=200, seed=0)
    beta = fit.p
    B = fit.c ** (1 / beta)
    m = (t >= window_frac * T)
    ly, lp = np.log(y.mean(0)[m]), np.log(fit.c * t[m] ** -beta)
    r2 = 1 - np.sum((ly - lp) ** 2) / np.sum((ly - ly.mean()) ** 2)
    return B, beta, float(r2), fit


@with_float64
def measured_ar(Lu, Lo):
    """T / t*, t* the (log-interpolated) first step where the optimised curve reaches L_unif(T)."""
    T = len(Lu)
    target = Lu[-1]
    idx = int(np.argmax(Lo <= target))
    if Lo[idx] > target:
        return float("nan")
    if idx == 0:
        return float(T)
    t1, t2 = idx, idx + 1     # steps are 1-based
    l1, l2 = np.log(Lo[idx - 1]), np.log(Lo[idx])
    ts = np.exp(np.log(t1) + (np.log(target) - l1) / (l2 - l1) * (np.log(t2) - np.log(t1)))
    return T / ts


@dataclass(frozen=True)
class ToyConfig:
    """The 2-D toy's meta-optimisation: ``T`` steps of size ``eta``, ``outer`` meta-gradient steps at rate ``lr``."""

    eta: float
    T: int
    outer: int
    lr: float


TOY_QUICK = ToyConfig(eta=0.05, T=100, outer=3000, lr=1.0)


@dataclass(frozen=True, eq=False)
class ToyExperiment:
    """:func:`toy_experiment`: the config, the optimised policy ``gamma`` ``(T, 2)``, the meta-objective trace
    ``J``, the development losses of the optimised and the uniform policy, the parameters ``theta`` along the
    optimised run, dJ/dgamma ``G`` and the printed contributions ``CT``."""

    cfg: ToyConfig
    gamma: np.ndarray
    J: np.ndarray
    L_opt: np.ndarray
    L_unif: np.ndarray
    theta: np.ndarray
    G: np.ndarray
    CT: np.ndarray


@measurement
@with_float64
def toy_experiment(quick: bool = True) -> ToyExperiment:
    """Meta-optimise the toy's policy from uniform; the horizon is T eta = 5 as in the theory."""
    cfg = TOY_QUICK if quick else replace(TOY_QUICK, outer=20000)
    task = make_toy()
    g0 = jnp.full((cfg.T, 2), 0.5)
    validate(task, cfg.eta, g0)
    g, G, Jtr = optimise_policy(task, g0, cfg.eta, cfg.lr, cfg.outer, "toy")
    eta = cfg.eta
    ld, _, th, _ = run(task, g, eta, "toy")
    lu = run(task, g0, eta, "toy")[0]
    CT = diagnostics(task, g, eta, "toy")
    return ToyExperiment(cfg=cfg, gamma=np.asarray(g), J=np.asarray(Jtr), L_opt=np.asarray(ld), L_unif=np.asarray(lu),
                         theta=np.asarray(th), G=np.asarray(G), CT=np.asarray(CT))


@with_float64
def toy_switch_time(g1, eta):
    """eta x (number of full bang steps + the fraction of the landing step, measured as (2 gamma_1 - 1)
    converted to the fraction of a full bang increment it delivers)."""
    kb = int(np.argmax(g1 < 1 - 1e-6))
    frac = (g1[kb] - 0.75) / 0.25 if g1[kb] > 0.75 else 0.0
    return eta * (kb + frac), kb
