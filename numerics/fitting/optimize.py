"""Vectorised multi-start L-BFGS in JAX (float64) for robust scaling-law fits.

The objective is Hoffmann et al.'s (arXiv 2203.15556, App. D.2) summed Huber loss of log residuals,

.. math:: F(\\theta) = \\sum_i w_i\\, \\mathrm{Huber}_\\delta\\big(\\log f(x_i; \\theta) - \\log L_i\\big),

with point weights :math:`w_i` (1 for the fit itself; bootstrap counts for a resample, which is the
same sum as over the resampled points). L-BFGS (optax's ``scale_by_lbfgs`` two-loop direction, with an Armijo backtracking line
search kept inside the loop state) runs inside one ``jax.lax.while_loop`` with the step ``vmap``-ped
over (start, weights) pairs, so every start and every bootstrap resample advances in the same
compiled loop, one objective-and-gradient evaluation per problem per iteration. A problem stops when its gradient is
below ``gtol`` or its objective has fallen by no more than ``ftol`` (relative) on three accepted steps --
the analogue of scipy L-BFGS-B's ``ftol``/``gtol`` test.

A damped Newton solver (:func:`newton`: exact Hessian, eigenvalue-modified, Levenberg-Marquardt damping;
same batching, same stopping test) finishes what L-BFGS has brought near an optimum: on this C1 objective
L-BFGS needs hundreds of steps for the last digits, Newton a few dozen. The engine uses it for the end of
the start search, for the bootstrap refits (they start at the optimum) and for the profiles.
Both solvers take ``free`` (a 0/1 mask per problem) to hold coordinates at their starts.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp
import numpy as np
import optax

if TYPE_CHECKING:
    from scaling_verify.numerics.fitting.forms import Form

HUBER_DELTA = 1e-3


def float64():
    """Context in which JAX computes in float64, without switching it on globally."""
    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(True)
    from jax.experimental import enable_x64  # older JAX

    return enable_x64()


def huber(r, delta: float):
    """:math:`\\tfrac12 r^2` for :math:`|r| \\le \\delta`, else :math:`\\delta(|r| - \\delta/2)`."""
    a = jnp.abs(r)
    return jnp.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))


@dataclass(frozen=True)
class Solved:
    """Result of :func:`minimise` for each of ``M`` problems (numpy arrays, float64)."""

    theta: np.ndarray      # (M, P) fit coordinates at the end
    value: np.ndarray      # (M,) objective there (inf where non-finite)
    iterations: np.ndarray  # (M,) L-BFGS steps taken
    converged: np.ndarray  # (M,) stopped by the gtol/ftol test, not by maxiter


def make_objective(log_model, delta: float):
    """``F(theta, w, logX, logy)``: weighted summed Huber loss of the log residuals."""

    def objective(theta, w, logX, logy):
        r = log_model(theta, logX) - logy
        return jnp.sum(w * huber(r, delta))

    return objective


def _armijo_step(t, t_slope, fx, ft):
    """Next trial step after a rejected one: safeguarded quadratic interpolation in [0.1t, 0.5t]."""
    denom = 2.0 * (ft - fx - t_slope)
    tq = jnp.where(jnp.isfinite(ft) & (denom > 0), -t_slope * t / denom, 0.1 * t)
    return jnp.clip(tq, 0.1 * t, 0.5 * t)


def _compiled_solver(log_model, delta: float, gtol: float, ftol: float, memory: int):
    """``(solve(theta0, W, logX, logy, maxiter), values(thetas, w, logX, logy))``: the L-BFGS solver
    with every coordinate free, and the batched objective (both from :func:`_solvers`)."""
    _, solve, values = _solvers(log_model, delta, gtol, ftol, memory)
    return solve, values


@functools.lru_cache(maxsize=32)
def _solvers(log_model, delta: float, gtol: float, ftol: float, memory: int):
    """One jitted solver per (form, tolerances); cached so a form compiles once per problem shape.
    Returns ``(solve(theta0, W, free, logX, logy, maxiter), the same with free = 1, values)``.

    Each loop iteration makes exactly one objective-and-gradient evaluation per problem: a trial step
    along the L-BFGS direction (``optax.scale_by_lbfgs``) that is accepted under the Armijo condition
    (sufficient decrease, :math:`c_1 = 10^{-4}`) or shortened for the next iteration. Keeping the line
    search inside the batched state machine means no problem waits on another's line search.
    """
    objective = make_objective(log_model, delta)
    lbfgs = optax.scale_by_lbfgs(memory_size=memory)

    def direction(theta, grad, state):
        d, new_state = lbfgs.update(grad, state, theta)
        ok = (jnp.vdot(grad, d) > 0) & jnp.all(jnp.isfinite(d))
        d0, fresh = lbfgs.update(grad, lbfgs.init(theta), theta)  # scaled steepest descent, memory reset
        state = jax.tree_util.tree_map(lambda a, b: jnp.where(ok, a, b), new_state, fresh)
        return jnp.where(ok, d, d0), state

    def init_one(theta, w, logX, logy, free):
        value, grad = jax.value_and_grad(objective)(theta, w, logX, logy)
        grad = grad * free
        d, state = direction(theta, grad, lbfgs.init(theta))
        bad = ~jnp.isfinite(value) | ~jnp.all(jnp.isfinite(grad))
        return dict(theta=theta, value=value, grad=grad, d=d, t=jnp.float64(1.0), state=state,
                    k=jnp.int32(0), stall=jnp.int32(0), done=bad | (jnp.max(jnp.abs(grad)) <= gtol), free=free)

    def step_one(c, w, logX, logy):
        slope = -jnp.vdot(c["grad"], c["d"])
        trial = c["theta"] - c["t"] * c["d"]
        ft, gt = jax.value_and_grad(objective)(trial, w, logX, logy)
        gt = gt * c["free"]
        finite = jnp.isfinite(ft) & jnp.all(jnp.isfinite(gt))
        accept = finite & (ft <= c["value"] + 1e-4 * c["t"] * slope) & ~c["done"]
        # accepted: move, refresh the L-BFGS memory and direction; convergence tests
        d_new, state_new = direction(trial, gt, c["state"])
        scale = jnp.maximum(jnp.maximum(jnp.abs(c["value"]), jnp.abs(ft)), 1.0)
        tiny = (c["value"] - ft) <= ftol * scale
        # rejected: shorten the step; a step below 1e-14 is a line-search failure -> restart from -grad
        t_next = _armijo_step(c["t"], c["t"] * slope, c["value"], ft)
        failed = ~accept & (t_next < 1e-14)
        d_fail, state_fail = direction(c["theta"], c["grad"], lbfgs.init(c["theta"]))
        pick = lambda a, r: jax.tree_util.tree_map(lambda x, y: jnp.where(accept, x, y), a, r)  # noqa: E731
        new = dict(theta=pick(trial, c["theta"]), value=pick(ft, c["value"]), grad=pick(gt, c["grad"]),
                   d=pick(d_new, jnp.where(failed, d_fail, c["d"])),
                   t=jnp.where(accept | failed, 1.0, t_next),
                   state=pick(state_new, jax.tree_util.tree_map(lambda x, y: jnp.where(failed, x, y),
                                                                  state_fail, c["state"])),
                   k=c["k"] + 1,
                   stall=jnp.where(accept, jnp.where(tiny, c["stall"] + 1, 0), c["stall"] + failed),
                   free=c["free"])
        gsmall = jnp.max(jnp.abs(new["grad"])) <= gtol
        new["done"] = gsmall | (new["stall"] >= 3)
        return jax.tree_util.tree_map(lambda old, nw: jnp.where(c["done"], old, nw), c, new)

    solve = _batched(init_one, step_one)

    def solve_all_free(theta0, W, logX, logy, maxiter):
        return solve(theta0, W, jnp.ones_like(theta0), logX, logy, maxiter)

    return jax.jit(solve), jax.jit(solve_all_free), jax.jit(jax.vmap(objective, in_axes=(0, None, None, None)))


@functools.lru_cache(maxsize=32)
def _compiled_newton(log_model, delta: float, gtol: float, ftol: float):
    """One jitted damped-Newton solver per (form, tolerances), batched like :func:`_compiled_solver`.

    Each iteration makes one value, gradient and Hessian evaluation per problem (the exact
    :math:`P \\times P` Hessian of the objective, ``jax.hessian``; a law has a handful of parameters).
    The step is :math:`d = -\\sum_k q_k q_k^\\top g / (|\\lambda_k| + \\nu\\,\\max|\\lambda|)` from the
    eigen-decomposition of the Hessian (absolute eigenvalues: a descent direction where it is
    indefinite), with a Levenberg-Marquardt damping :math:`\\nu` that shrinks after an accepted step
    (one that does not raise the objective) and grows after a rejected one. Near the optimum the step
    is Newton's, so the polish that takes L-BFGS hundreds of iterations takes a handful here.
    ``free`` (per problem, 1 free / 0 pinned) freezes coordinates: their gradient, Hessian rows and
    steps are zero (the profiles of :mod:`numerics.fitting.identify`).

    A problem stops when its gradient is below ``gtol`` or on three steps (accepted or rejected) that
    changed the objective by no more than ``ftol`` (relative) -- the L-BFGS loop's test.
    """
    objective = make_objective(log_model, delta)
    value_and_grad = jax.value_and_grad(objective)
    hessian = jax.hessian(objective)

    def at(theta, w, logX, logy, free):
        v, g = value_and_grad(theta, w, logX, logy)
        H = hessian(theta, w, logX, logy)
        g = g * free
        H = 0.5 * (H + H.T) * free[:, None] * free[None, :]
        ok = jnp.isfinite(v) & jnp.all(jnp.isfinite(g)) & jnp.all(jnp.isfinite(H))
        return v, g, H, ok

    def step_of(g, H, nu, free):
        lam, Q = jnp.linalg.eigh(H)
        top = jnp.max(jnp.abs(lam))
        top = jnp.where(top > 0, top, 1.0)
        return -(Q @ ((Q.T @ g) / (jnp.abs(lam) + nu * top))) * free

    def init_one(theta, w, logX, logy, free):
        v, g, H, ok = at(theta, w, logX, logy, free)
        return dict(theta=theta, value=jnp.where(ok, v, jnp.inf), grad=jnp.where(ok, g, 0.0),
                    H=jnp.where(ok, H, 0.0), nu=jnp.float64(1e-3), k=jnp.int32(0), stall=jnp.int32(0),
                    done=~ok | (jnp.max(jnp.abs(g)) <= gtol), free=free)

    def step_one(c, w, logX, logy):
        trial = c["theta"] + step_of(c["grad"], c["H"], c["nu"], c["free"])
        v, g, H, ok = at(trial, w, logX, logy, c["free"])
        accept = ok & (v <= c["value"])
        scale = jnp.maximum(jnp.maximum(jnp.abs(c["value"]), jnp.abs(v)), 1.0)
        tiny = ok & (jnp.abs(c["value"] - v) <= ftol * scale)
        pick = lambda a, b: jnp.where(accept, a, b)  # noqa: E731
        new = dict(theta=pick(trial, c["theta"]), value=pick(v, c["value"]), grad=pick(g, c["grad"]),
                   H=pick(H, c["H"]), nu=jnp.where(accept, jnp.maximum(0.2 * c["nu"], 1e-15), 5.0 * c["nu"]),
                   k=c["k"] + 1, stall=jnp.where(tiny, c["stall"] + 1, jnp.where(accept, 0, c["stall"])),
                   free=c["free"])
        new["done"] = (jnp.max(jnp.abs(new["grad"])) <= gtol) | (new["stall"] >= 3) | (new["nu"] > 1e20)
        return jax.tree_util.tree_map(lambda old, nw: jnp.where(c["done"], old, nw), c, new)

    return jax.jit(_batched(init_one, step_one))


def _batched(init_one, step_one):
    """``solve(theta0, W, free, logX, logy, maxiter) -> (theta, value, iterations, done)`` for M problems:
    ``init_one`` and ``step_one`` vmapped over (start, weights), all in one ``lax.while_loop`` that runs until
    every problem is done or at ``maxiter`` (a non-finite objective is reported as inf). The loop of both
    L-BFGS and Newton."""
    def solve(theta0, W, free, logX, logy, maxiter):
        carry = jax.vmap(init_one, in_axes=(0, 0, None, None, 0))(theta0, W, logX, logy, free)
        step = jax.vmap(step_one, in_axes=(0, 0, None, None))

        def cond(c):
            return jnp.any(~c["done"] & (c["k"] < maxiter))

        c = jax.lax.while_loop(cond, lambda c: step(c, W, logX, logy), carry)
        return c["theta"], jnp.where(jnp.isfinite(c["value"]), c["value"], jnp.inf), c["k"], c["done"]

    return solve


BLOCK = 64
#: the most (problems x points) one compiled block holds. A block's working set is a few dozen arrays of
#: this size (residuals, Huber terms and their gradients for every problem), so 2**20 float64 elements
#: bound it to a few hundred MB whatever the number of rows; below 16384 points a block is BLOCK problems.
BLOCK_ELEMENTS = 1 << 20


#: thetas x points per chunk of :func:`evaluate`: small enough to stay in cache (4x faster than 2**20
#: when ranking the 4500-point grid on 240 points)
EVAL_ELEMENTS = 1 << 16


def block_size(n: int, block: int = BLOCK) -> int:
    """Problems per compiled block for ``n`` points: ``block``, fewer when ``n`` is large (>= 1)."""
    return max(1, min(block, BLOCK_ELEMENTS // max(int(n), 1)))


def _weight_block(weights, lo: int, hi: int, n: int) -> np.ndarray:
    if weights is None:
        return np.ones((hi - lo, n))
    if callable(weights):
        return np.asarray(weights(lo, hi), float)
    return np.asarray(weights[lo:hi], float)


def _padded_block(M: int, block: int) -> int:
    """The block for ``M`` problems: ``block``, or the next power of two at or above ``M`` when that is
    smaller (so a handful of problems does not pay for a whole block, and the shapes stay few)."""
    return max(1, min(block, 1 << max(int(M) - 1, 0).bit_length()))


def _in_blocks(run, theta0, weights, logX, logy, block, on_block, free=None) -> Solved:
    """Run ``run(theta, W, free, logX, logy)`` block by block (the last one padded) and join the results."""
    theta0 = np.asarray(theta0, float)
    M, n = theta0.shape[0], int(np.shape(logy)[0])
    if M == 0:
        P = theta0.shape[1] if theta0.ndim == 2 else 0
        return Solved(np.empty((0, P)), np.empty(0), np.empty(0, int), np.empty(0, bool))
    block = _padded_block(M, block or block_size(n))
    parts = []
    with float64():
        X, y = jnp.asarray(logX, jnp.float64), jnp.asarray(logy, jnp.float64)
        for lo in range(0, M, block):
            th = theta0[lo: lo + block]
            w = _weight_block(weights, lo, lo + th.shape[0], n)
            fr = np.ones_like(th) if free is None else np.asarray(free[lo: lo + block], float)
            pad = block - th.shape[0]
            if pad:
                th, w, fr = (np.vstack([a, np.repeat(a[:1], pad, axis=0)]) for a in (th, w, fr))
            out = run(jnp.asarray(th, jnp.float64), jnp.asarray(w, jnp.float64), jnp.asarray(fr, jnp.float64), X, y)
            parts.append([np.asarray(o)[: block - pad] for o in out])
            del w
            if on_block is not None:
                on_block(min(lo + block, M))
    theta, value, k, done = (np.concatenate(col) for col in zip(*parts))
    return Solved(theta, np.where(np.isfinite(value), value, np.inf), k, done)


def minimise(log_model, theta0: np.ndarray, weights, logX: np.ndarray, logy: np.ndarray, *,
             delta: float = HUBER_DELTA, maxiter: int = 2000, gtol: float = 1e-12, ftol: float = 1e-15,
             memory: int = 10, free: np.ndarray | None = None, block: int | None = None,
             on_block=None) -> Solved:
    """Minimise the weighted Huber objective from each row of ``theta0`` with weights ``weights[m]`` (L-BFGS).

    Problems run in blocks of ``block`` (default :func:`block_size`; the last one padded), so one
    compiled loop serves every call with the same data size and memory stays linear in the points.

    Args:
      log_model: JAX ``(theta, logX) -> log prediction`` (e.g. :meth:`Form.log_model`); hashable.
      theta0: ``(M, P)`` starts; logX: ``(k, n)``; logy: ``(n,)``.
      weights: ``(M, n)`` point weights, ``None`` (all ones), or ``read(lo, hi)`` returning the rows
        ``lo..hi-1`` (read block by block, in order: the bootstrap's rows are made on demand).
      free: ``(M, P)``, 1 where a coordinate is optimised and 0 where it stays at its start (``None``: all free).
      on_block: called with the number of problems finished after each block.
    """
    mi = jnp.int32(maxiter)
    if free is None:
        solve, _ = _compiled_solver(log_model, float(delta), float(gtol), float(ftol), int(memory))
        return _in_blocks(lambda th, w, fr, X, y: solve(th, w, X, y, mi), theta0, weights, logX, logy, block,
                          on_block)
    solve_free = _solvers(log_model, float(delta), float(gtol), float(ftol), int(memory))[0]
    return _in_blocks(lambda th, w, fr, X, y: solve_free(th, w, fr, X, y, mi), theta0, weights, logX, logy, block,
                      on_block, free)


def newton(log_model, theta0: np.ndarray, weights, logX: np.ndarray, logy: np.ndarray, *,
           delta: float = HUBER_DELTA, maxiter: int = 500, gtol: float = 1e-12, ftol: float = 1e-15,
           free: np.ndarray | None = None, block: int | None = None, on_block=None) -> Solved:
    """As :func:`minimise`, with the damped Newton solver of :func:`_compiled_newton` (fast to converge
    from a start near an optimum: the polish of the search, the bootstrap refits, the profiles).
    ``free``: ``(M, P)``, 1 where a coordinate is optimised and 0 where it stays at its start."""
    solve = _compiled_newton(log_model, float(delta), float(gtol), float(ftol))
    mi = jnp.int32(maxiter)
    return _in_blocks(lambda th, w, fr, X, y: solve(th, w, fr, X, y, mi), theta0, weights, logX, logy, block,
                      on_block, free)


def evaluate(log_model, thetas: np.ndarray, logX: np.ndarray, logy: np.ndarray, *,
             delta: float = HUBER_DELTA, weights: np.ndarray | None = None) -> np.ndarray:
    """The objective at each row of ``thetas`` (vectorised, in chunks of about :data:`EVAL_ELEMENTS`
    thetas x points -- cache-sized, and small for many rows -- the last one padded)."""
    _, values = _compiled_solver(log_model, float(delta), 1e-12, 1e-15, 10)
    thetas = np.asarray(thetas, float)
    n = int(np.shape(logy)[0])
    w = np.ones(n) if weights is None else weights
    M = thetas.shape[0]
    chunk = min(M, max(1, EVAL_ELEMENTS // max(n, 1)))
    out = np.empty(M)
    with float64():
        args = (jnp.asarray(w, jnp.float64), jnp.asarray(logX, jnp.float64), jnp.asarray(logy, jnp.float64))
        for lo in range(0, M, chunk):
            th = thetas[lo: lo + chunk]
            pad = chunk - th.shape[0]
            if pad:
                th = np.vstack([th, np.repeat(th[:1], pad, axis=0)])
            out[lo: lo + chunk] = np.asarray(values(jnp.asarray(th, jnp.float64), *args))[: chunk - pad]
    return np.where(np.isfinite(out), out, np.inf)


@functools.lru_cache(maxsize=32)
def _jitted(log_model):
    return jax.jit(log_model)


def log_predict(log_model, theta: np.ndarray, logX: np.ndarray) -> np.ndarray:
    """``log_model(theta, logX)`` compiled, in float64, as numpy."""
    with float64():
        return np.asarray(_jitted(log_model)(jnp.asarray(theta, jnp.float64), jnp.asarray(logX, jnp.float64)))


def huber_np(r: np.ndarray, delta: float) -> np.ndarray:
    """:func:`huber` in numpy."""
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))


def predict(form: Form, theta: np.ndarray, columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """The law at natural ``columns`` for fit coordinates ``theta`` (evaluated in log space)."""
    logX = np.log(np.stack([np.asarray(columns[c], dtype=float) for c in form.columns]))
    return np.exp(log_predict(form.log_model(), theta, logX))
