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


@functools.lru_cache(maxsize=32)
def _compiled_solver(log_model, delta: float, gtol: float, ftol: float, memory: int):
    """One jitted solver per (form, tolerances); cached so a form compiles once per problem shape.

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

    def init_one(theta, w, logX, logy):
        value, grad = jax.value_and_grad(objective)(theta, w, logX, logy)
        d, state = direction(theta, grad, lbfgs.init(theta))
        bad = ~jnp.isfinite(value) | ~jnp.all(jnp.isfinite(grad))
        return dict(theta=theta, value=value, grad=grad, d=d, t=jnp.float64(1.0), state=state,
                    k=jnp.int32(0), stall=jnp.int32(0), done=bad | (jnp.max(jnp.abs(grad)) <= gtol))

    def step_one(c, w, logX, logy):
        slope = -jnp.vdot(c["grad"], c["d"])
        trial = c["theta"] - c["t"] * c["d"]
        ft, gt = jax.value_and_grad(objective)(trial, w, logX, logy)
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
                   stall=jnp.where(accept, jnp.where(tiny, c["stall"] + 1, 0), c["stall"] + failed))
        gsmall = jnp.max(jnp.abs(new["grad"])) <= gtol
        new["done"] = gsmall | (new["stall"] >= 3)
        return jax.tree_util.tree_map(lambda old, nw: jnp.where(c["done"], old, nw), c, new)

    def solve(theta0, W, logX, logy, maxiter):
        carry = jax.vmap(init_one, in_axes=(0, 0, None, None))(theta0, W, logX, logy)
        step = jax.vmap(step_one, in_axes=(0, 0, None, None))

        def cond(c):
            return jnp.any(~c["done"] & (c["k"] < maxiter))

        c = jax.lax.while_loop(cond, lambda c: step(c, W, logX, logy), carry)
        return c["theta"], jnp.where(jnp.isfinite(c["value"]), c["value"], jnp.inf), c["k"], c["done"]

    return jax.jit(solve), jax.jit(jax.vmap(objective, in_axes=(0, None, None, None)))


BLOCK = 64
#: the most (problems x points) one compiled block holds. A block's working set is a few dozen arrays of
#: this size (residuals, Huber terms and their gradients for every problem), so 2**20 float64 elements
#: bound it to a few hundred MB whatever the number of rows; below 16384 points a block is BLOCK problems.
BLOCK_ELEMENTS = 1 << 20


def block_size(n: int, block: int = BLOCK) -> int:
    """Problems per compiled block for ``n`` points: ``block``, fewer when ``n`` is large (>= 1)."""
    return max(1, min(block, BLOCK_ELEMENTS // max(int(n), 1)))


def _weight_block(weights, lo: int, hi: int, n: int) -> np.ndarray:
    if weights is None:
        return np.ones((hi - lo, n))
    if callable(weights):
        return np.asarray(weights(lo, hi), float)
    return np.asarray(weights[lo:hi], float)


def minimise(log_model, theta0: np.ndarray, weights, logX: np.ndarray, logy: np.ndarray, *,
             delta: float = HUBER_DELTA, maxiter: int = 2000, gtol: float = 1e-12, ftol: float = 1e-15,
             memory: int = 10, block: int | None = None, on_block=None) -> Solved:
    """Minimise the weighted Huber objective from each row of ``theta0`` with weights ``weights[m]``.

    Problems run in blocks of ``block`` (default :func:`block_size`; the last one padded), so one
    compiled loop serves every call with the same data size -- the start search, the polish and the
    bootstrap alike -- and memory stays linear in the points.

    Args:
      log_model: JAX ``(theta, logX) -> log prediction`` (e.g. :meth:`Form.log_model`); hashable.
      theta0: ``(M, P)`` starts; logX: ``(k, n)``; logy: ``(n,)``.
      weights: ``(M, n)`` point weights, ``None`` (all ones), or ``read(lo, hi)`` returning the rows
        ``lo..hi-1`` (read block by block, in order: the bootstrap's rows are made on demand).
      on_block: called with the number of problems finished after each block.
    """
    solve, _ = _compiled_solver(log_model, float(delta), float(gtol), float(ftol), int(memory))
    theta0 = np.asarray(theta0, float)
    M, n = theta0.shape[0], int(np.shape(logy)[0])
    block = block or block_size(n)
    parts = []
    with float64():
        args = (jnp.asarray(logX, jnp.float64), jnp.asarray(logy, jnp.float64), jnp.int32(maxiter))
        for lo in range(0, M, block):
            th = theta0[lo: lo + block]
            w = _weight_block(weights, lo, lo + th.shape[0], n)
            pad = block - th.shape[0]
            if pad:
                th = np.vstack([th, np.repeat(th[:1], pad, axis=0)])
                w = np.vstack([w, np.repeat(w[:1], pad, axis=0)])
            out = solve(jnp.asarray(th, jnp.float64), jnp.asarray(w, jnp.float64), *args)
            parts.append([np.asarray(o)[: block - pad] for o in out])
            del w
            if on_block is not None:
                on_block(min(lo + block, M))
    if not parts:
        P = theta0.shape[1] if theta0.ndim == 2 else 0
        return Solved(np.empty((0, P)), np.empty(0), np.empty(0, int), np.empty(0, bool))
    theta, value, k, done = (np.concatenate(col) for col in zip(*parts))
    return Solved(theta, value, k, done)


def evaluate(log_model, thetas: np.ndarray, logX: np.ndarray, logy: np.ndarray, *,
             delta: float = HUBER_DELTA, weights: np.ndarray | None = None) -> np.ndarray:
    """The objective at each row of ``thetas`` (vectorised, in chunks of at most
    :data:`BLOCK_ELEMENTS` thetas x points, so ranking a 4500-point grid stays small for many rows)."""
    _, values = _compiled_solver(log_model, float(delta), 1e-12, 1e-15, 10)
    thetas = np.asarray(thetas, float)
    n = int(np.shape(logy)[0])
    w = np.ones(n) if weights is None else weights
    M = thetas.shape[0]
    chunk = min(M, max(1, BLOCK_ELEMENTS // max(n, 1)))
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
