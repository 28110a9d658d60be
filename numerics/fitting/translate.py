"""SymPy -> ``jax.numpy`` translation, in natural and in log space.

A law is written once as a SymPy expression; :func:`compile_log_model` turns it into a JAX function
that returns :math:`\\log f` at every data point. Wherever SymPy can prove a sub-expression positive,
the log is taken *structurally* -- :math:`\\log(xy) = \\log x + \\log y`,
:math:`\\log x^{p} = p\\log x`, :math:`\\log(a + b) = \\mathrm{LSE}(\\log a, \\log b)` -- so that
:math:`E + A N^{-\\alpha} + B D^{-\\beta}` becomes Hoffmann et al.'s
:math:`\\mathrm{LSE}(e,\\ a - \\alpha\\log N,\\ b - \\beta\\log D)` (arXiv 2203.15556, App. D.2)
without overflow at extreme starts. Elsewhere the expression is evaluated directly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import jax
import jax.numpy as jnp
import sympy as sp

_FUNCS: dict[type, Callable] = {sp.exp: jnp.exp, sp.log: jnp.log, sp.sin: jnp.sin, sp.cos: jnp.cos,
                                sp.tanh: jnp.tanh, sp.Abs: jnp.abs}


def _real_symbols(expr: sp.Expr) -> bool:
    return all(s.is_real for s in expr.free_symbols) and expr.is_real is not False


def is_positive(expr: sp.Expr) -> bool:
    """True when ``expr > 0`` wherever it is defined: SymPy's assumptions prove it, or it is a power of
    a positive base with an exponent built from real symbols (SymPy leaves ``x**(a/b)`` undecided
    because ``b`` may be 0, where the law is undefined anyway), or a sum/product of such terms.
    Kaplan's :math:`(N_c/N)^{\alpha_N/\alpha_D}` is one: evaluated directly it overflows float64 at
    modest parameters, in log space it does not."""
    if expr.is_positive:
        return True
    if expr.is_Pow:
        return is_positive(expr.args[0]) and _real_symbols(expr.args[1])
    if isinstance(expr, sp.exp):
        return _real_symbols(expr.args[0])
    if expr.is_Add or expr.is_Mul:
        return all(is_positive(a) for a in expr.args)
    return False


class _Translator:
    """Walks a SymPy tree once, at trace time, emitting ``jax.numpy`` operations.

    ``natural`` maps symbols to values, ``logs`` maps positive symbols to their logarithms (log-scale
    parameters and log columns); ``aux`` holds auxiliary definitions (e.g. effective data ``D'``).
    """

    def __init__(self, natural: Mapping[sp.Symbol, object], logs: Mapping[sp.Symbol, object],
                 aux: Mapping[sp.Symbol, sp.Expr]):
        self.natural, self.logs, self.aux = dict(natural), dict(logs), dict(aux)

    def direct(self, e: sp.Expr):
        if e.is_Symbol:
            if e in self.aux and e not in self.natural:
                self.natural[e] = self.direct(self.aux[e])
            if e in self.natural:
                return self.natural[e]
            if e in self.logs:
                return jnp.exp(self.logs[e])
            raise ValueError(f"unbound symbol {e}")
        if e.is_Number or e.is_NumberSymbol:
            return float(e)
        if e.is_Add:
            return _sum(self.direct(a) for a in e.args)
        if e.is_Mul:
            return _prod(self.direct(a) for a in e.args)
        if e.is_Pow:
            base, ex = e.args
            if ex.is_Integer and abs(int(ex)) <= 4:
                return self.direct(base) ** int(ex)
            if is_positive(base):
                return jnp.exp(self.direct(ex) * self.log(base))
            return jnp.power(self.direct(base), self.direct(ex))
        if isinstance(e, sp.log):
            return self.log(e.args[0])
        if isinstance(e, (sp.Min, sp.Max)):
            op = jnp.minimum if isinstance(e, sp.Min) else jnp.maximum
            vals = [self.direct(a) for a in e.args]
            out = vals[0]
            for v in vals[1:]:
                out = op(out, v)
            return out
        fn = _FUNCS.get(type(e))
        if fn is not None:
            return fn(self.direct(e.args[0]))
        raise ValueError(f"cannot translate {type(e).__name__} to JAX")

    def log(self, e: sp.Expr):
        """:math:`\\log e`, structurally where ``e`` is provably positive."""
        if not is_positive(e):
            return jnp.log(self.direct(e))
        if e.is_Symbol:
            if e in self.logs:
                return self.logs[e]
            if e in self.aux:
                self.logs[e] = self.log(self.aux[e])
                return self.logs[e]
            return jnp.log(self.direct(e))
        if e.is_Number or e.is_NumberSymbol:
            return math.log(float(e))
        if e.is_Mul:
            return _sum(self.log(a) for a in e.args)
        if e.is_Pow and is_positive(e.args[0]):
            return self.direct(e.args[1]) * self.log(e.args[0])
        if isinstance(e, sp.exp):
            return self.direct(e.args[0])
        if e.is_Add and all(is_positive(a) for a in e.args):
            terms = jnp.broadcast_arrays(*[jnp.asarray(self.log(a)) for a in e.args])
            return jax.nn.logsumexp(jnp.stack(terms), axis=0)
        if isinstance(e, (sp.Min, sp.Max)) and all(is_positive(a) for a in e.args):
            op = jnp.minimum if isinstance(e, sp.Min) else jnp.maximum
            vals = [self.log(a) for a in e.args]
            out = vals[0]
            for v in vals[1:]:
                out = op(out, v)
            return out
        return jnp.log(self.direct(e))


def _sum(items):
    out = 0.0
    for v in items:
        out = out + v
    return out


def _prod(items):
    out = 1.0
    for v in items:
        out = out * v
    return out


def compile_log_model(expr: sp.Expr, params: tuple[sp.Symbol, ...], log_params: tuple[bool, ...],
                      columns: tuple[sp.Symbol, ...], aux: Mapping[sp.Symbol, sp.Expr] | None = None):
    """Return ``f(theta, logX) -> log expr`` for JAX.

    ``theta[i]`` is :math:`\\log p_i` when ``log_params[i]`` (a positive parameter fitted on a log
    scale), else :math:`p_i`; ``logX[j]`` holds :math:`\\log` of column ``columns[j]`` at every point.
    """

    def f(theta, logX):
        natural, logs = {}, {}
        for i, (s, is_log) in enumerate(zip(params, log_params)):
            (logs if is_log else natural)[s] = theta[i]
        for j, c in enumerate(columns):
            logs[c] = logX[j]
        out = _Translator(natural, logs, aux or {}).log(expr)
        return jnp.broadcast_to(out, jnp.shape(logX[0]))

    return f


def compile_model(expr: sp.Expr, params: tuple[sp.Symbol, ...], columns: tuple[sp.Symbol, ...],
                  aux: Mapping[sp.Symbol, sp.Expr] | None = None):
    """Return ``f(values, X) -> expr`` for JAX, with natural parameter values and natural columns."""

    def f(values, X):
        natural = {s: values[i] for i, s in enumerate(params)} | {c: X[j] for j, c in enumerate(columns)}
        out = _Translator(natural, {}, aux or {}).direct(expr)
        return jnp.broadcast_to(out, jnp.shape(X[0]))

    return f
