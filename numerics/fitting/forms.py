"""Scaling-law forms, each defined once as a SymPy expression.

A :class:`Form` holds the law :math:`L = f(\\text{columns};\\ \\theta)` as SymPy; its LaTeX
(:meth:`Form.latex`), its symbolic gradient (:meth:`Form.gradient`) and the JAX function that the
optimiser differentiates (:meth:`Form.log_model`, via :mod:`numerics.fitting.translate`) all come
from that one expression. Positive parameters (amplitudes, floors, scales) are fitted on a log
scale; exponents are fitted as they are.

Built-in forms (:func:`builtin_form`):

* ``chinchilla`` -- :math:`E + A N^{-\\alpha} + B D^{-\\beta}` (Hoffmann et al., arXiv 2203.15556).
* ``kaplan`` -- :math:`[(N_c/N)^{\\alpha_N/\\alpha_D} + D_c/D]^{\\alpha_D}` (Kaplan et al.,
  arXiv 2001.08361, eq. 1.5).
* ``data-constrained`` -- Muennighoff et al. (arXiv 2305.16264, eqs. 5-6):
  :math:`E + A N'^{-\\alpha} + B D'^{-\\beta}` with effective data
  :math:`D' = U_D + U_D R_D^* (1 - e^{-R_D/R_D^*})`, :math:`R_D = D/U_D - 1` repetitions of the
  :math:`U_D = \\min\\{U, D\\}` unique tokens *seen* (column ``U`` is the unique tokens available: a
  run that stops before one epoch, :math:`D < U`, has seen only :math:`D` of them, so :math:`R_D = 0`
  and :math:`D' = D`, never a negative number of repetitions), and effective parameters
  :math:`N' = U_N + U_N R_N^* (1 - e^{-R_N/R_N^*})`, :math:`R_N = N/U_N - 1`, where
  :math:`U_N = \\min\\{N_{opt}(U_D), N\\}` is the Chinchilla compute-optimal size for :math:`U_D`
  tokens under the same fit, :math:`N_{opt}(D) = G (D G)^{\\beta/\\alpha}`,
  :math:`G = (\\alpha A/(\\beta B))^{1/(\\alpha+\\beta)}`. Here :math:`\\alpha, \\beta > 0` (log scale).
* ``bnsl`` -- broken neural scaling law with :math:`K` breaks (Caballero et al., arXiv 2210.14891, eq. 1):
  :math:`a + b x^{-c_0} \\prod_{i=1}^{K} (1 + (x/d_i)^{1/f_i})^{-c_i f_i}`.
* ``power`` -- :math:`c\\,x^{-p}`, or :math:`E + c\\,x^{-p}` with a floor.
"""

from __future__ import annotations

import functools
import inspect
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from scaling_verify.numerics.fitting.translate import compile_log_model, compile_model


def column(name: str) -> sp.Symbol:
    """A data column: positive (the fit works with its logarithm)."""
    return sp.Symbol(name, positive=True)


def positive(name: str) -> sp.Symbol:
    """A positive parameter, fitted as its logarithm."""
    return sp.Symbol(name, positive=True)


def free(name: str) -> sp.Symbol:
    """A real parameter (an exponent), fitted as it is."""
    return sp.Symbol(name, real=True)


@dataclass(frozen=True)
class Param:
    """A fitted parameter; ``grid`` holds start values in fit coordinates (the log when ``log_scale``)."""

    name: str
    log_scale: bool
    grid: tuple[float, ...]

    @property
    def symbol(self) -> sp.Symbol:
        return positive(self.name) if self.log_scale else free(self.name)

    def to_fit(self, value: float) -> float:
        """Natural value -> fit coordinate."""
        if self.log_scale:
            if not value > 0:
                raise ValueError(f"parameter {self.name} is positive; its start must be > 0, got {value:g}")
            return float(np.log(value))
        return float(value)


GridFn = Callable[[np.ndarray, np.ndarray], dict[str, tuple[float, ...]]]


@dataclass(frozen=True)
class Form:
    """A law :math:`L = f(\\text{columns}; \\theta)` written once in SymPy."""

    name: str
    expr: sp.Expr
    columns: tuple[str, ...]
    params: tuple[Param, ...]
    aux: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
    reference: str = ""
    grid_fn: GridFn | None = field(default=None, compare=False, repr=False)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @property
    def column_symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(column(c) for c in self.columns)

    @property
    def param_symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(p.symbol for p in self.params)

    def latex(self) -> str:
        """The law and its auxiliary definitions in LaTeX (from the SymPy expression)."""
        parts = [f"L = {sp.latex(self.expr)}"]
        parts += [f"{sp.latex(s)} = {sp.latex(d)}" for s, d in self.aux]
        return ",\\quad ".join(parts)

    def substituted(self) -> sp.Expr:
        """The law with every auxiliary symbol replaced by its definition."""
        out = self.expr
        for s, d in reversed(self.aux):
            out = out.subs(s, d)
        for s, d in reversed(self.aux):
            out = out.subs(s, d)
        return out

    def gradient(self) -> tuple[sp.Expr, ...]:
        """Symbolic :math:`\\partial L/\\partial\\theta_i` in the natural parameters."""
        full = self.substituted()
        return tuple(sp.diff(full, s) for s in self.param_symbols)

    def log_model(self):
        """JAX ``f(theta, logX) -> log L`` at each point (theta in fit coordinates).

        The same function object for equal forms, so that the jitted solvers compile once per form.
        """
        return _log_model(self)

    def model(self):
        """JAX ``f(values, X) -> L`` with natural parameter values and natural columns."""
        return compile_model(self.expr, self.param_symbols, self.column_symbols, dict(self.aux))

    def to_natural(self, theta) -> np.ndarray:
        """Fit coordinates -> natural values (last axis indexes the parameters)."""
        theta = np.asarray(theta, dtype=float)
        mask = np.array([p.log_scale for p in self.params])
        with np.errstate(over="ignore"):
            return np.where(mask, np.exp(theta), theta)

    def grid(self, logX: np.ndarray, logy: np.ndarray, values: dict[str, tuple[float, ...]] | None = None,
             init: dict[str, float] | None = None) -> np.ndarray:
        """The start grid (rows of theta): product of each parameter's start values.

        ``values`` replaces a parameter's start values (fit coordinates); ``init`` pins a parameter to
        one natural start value.
        """
        unknown = sorted((set(values or {}) | set(init or {})) - set(self.param_names))
        if unknown:
            raise ValueError(f"unknown parameter(s) {', '.join(unknown)}; the form has {', '.join(self.param_names)}")
        grid = {p.name: p.grid for p in self.params}
        if self.grid_fn is not None:
            grid |= self.grid_fn(logX, logy)
        grid |= values or {}
        values = grid
        for name, v in (init or {}).items():
            values[name] = (self.params[self.param_names.index(name)].to_fit(v),)
        return np.array(list(itertools.product(*(values[p.name] for p in self.params))), dtype=float)


def with_fixed(form: Form, values: dict[str, float]) -> Form:
    """``form`` with the parameters in ``values`` pinned to those natural values (substituted into the
    SymPy expression and its auxiliary definitions; they leave :attr:`Form.params`). One-line
    ValueError for an unknown name, a non-finite value, or a non-positive value of a positive parameter."""
    if not values:
        return form
    unknown = sorted(set(values) - set(form.param_names))
    if unknown:
        raise ValueError(f"--fix {unknown[0]}=...: form {form.name} has no parameter {unknown[0]} "
                         f"(its parameters: {', '.join(form.param_names)})")
    subs = {}
    for p in form.params:
        if p.name in values:
            v = float(values[p.name])
            if not np.isfinite(v) or (p.log_scale and v <= 0):
                raise ValueError(f"--fix {p.name}={values[p.name]}: must be a {'positive ' if p.log_scale else ''}"
                                 "finite number")
            subs[p.symbol] = sp.Float(v)
    if len(subs) == len(form.params):
        raise ValueError(f"--fix pins every parameter of {form.name}: nothing left to fit")
    keep = tuple(p for p in form.params if p.name not in values)
    inner = form.grid_fn

    def grid_fn(logX, logy):
        return {k: v for k, v in inner(logX, logy).items() if k not in values}

    return Form(form.name, form.expr.subs(subs), form.columns, keep,
                tuple((s, d.subs(subs)) for s, d in form.aux), form.reference,
                grid_fn if inner is not None else None)


@functools.lru_cache(maxsize=64)
def _log_model(form: Form):
    return compile_log_model(form.expr, form.param_symbols, tuple(p.log_scale for p in form.params),
                             form.column_symbols, dict(form.aux))


# ----------------------------------------------------------------------------- built-in forms

_HOFFMANN_GRID = {"E": tuple(np.arange(-1.0, 1.01, 0.5)), "A": tuple(np.arange(0.0, 25.1, 5.0)),
                  "B": tuple(np.arange(0.0, 25.1, 5.0)), "alpha": tuple(np.arange(0.0, 2.01, 0.5)),
                  "beta": tuple(np.arange(0.0, 2.01, 0.5))}



#: The built-in laws by name, in the order the command lists them: adding a law is one function with
#: ``@law("name")`` (it returns a :class:`Form`; keyword options ``breaks``/``floor`` if it takes them).
LAWS: dict[str, Callable[..., Form]] = {}


def law(name: str) -> Callable[[Callable[..., Form]], Callable[..., Form]]:
    """Register a built-in law under ``name`` (the ``--form`` value)."""
    def deco(fn: Callable[..., Form]) -> Callable[..., Form]:
        if name in LAWS:
            raise ValueError(f"two built-in laws named {name!r}")
        LAWS[name] = fn
        return fn
    return deco


@law("chinchilla")
def chinchilla() -> Form:
    """:math:`L = E + A N^{-\\alpha} + B D^{-\\beta}` with Hoffmann et al.'s 4500-point start grid
    (:math:`e \\in [-1, 1]`, :math:`a, b \\in [0, 25]`, :math:`\\alpha, \\beta \\in [0, 2]`; arXiv 2203.15556)."""
    E, A, B = positive("E"), positive("A"), positive("B")
    al, be = free("alpha"), free("beta")
    N, D = column("N"), column("D")
    g = _HOFFMANN_GRID
    return Form("chinchilla", E + A * N ** -al + B * D ** -be, ("N", "D"),
                (Param("E", True, g["E"]), Param("A", True, g["A"]), Param("B", True, g["B"]),
                 Param("alpha", False, g["alpha"]), Param("beta", False, g["beta"])),
                reference="Hoffmann et al. 2022, arXiv 2203.15556")


@law("kaplan")
def kaplan() -> Form:
    """:math:`L = [(N_c/N)^{\\alpha_N/\\alpha_D} + D_c/D]^{\\alpha_D}` (Kaplan et al., arXiv 2001.08361, eq. 1.5)."""
    aN, aD = free("alpha_N"), free("alpha_D")
    Nc, Dc = positive("N_c"), positive("D_c")
    N, D = column("N"), column("D")
    expr = ((Nc / N) ** (aN / aD) + Dc / D) ** aD
    logs = tuple(float(v) for v in np.arange(15.0, 40.1, 5.0))
    return Form("kaplan", expr, ("N", "D"),
                (Param("alpha_N", False, (0.05, 0.1, 0.2, 0.4)), Param("alpha_D", False, (0.05, 0.1, 0.2, 0.4)),
                 Param("N_c", True, logs), Param("D_c", True, logs)),
                reference="Kaplan et al. 2020, arXiv 2001.08361")


@law("data-constrained")
def data_constrained() -> Form:
    """Muennighoff et al.'s data-constrained law (arXiv 2305.16264); see the module docstring."""
    E, A, B = positive("E"), positive("A"), positive("B")
    al, be = positive("alpha"), positive("beta")
    Rd, Rn = positive("R_D_star"), positive("R_N_star")
    N, D, U = column("N"), column("D"), column("U")
    UD, UN, Np, Dp = positive("U_D"), positive("U_N"), positive("N'"), positive("D'")
    G = (al * A / (be * B)) ** (1 / (al + be))
    aux = ((UD, sp.Min(U, D)),
           (UN, sp.Min(N, G * (UD * G) ** (be / al))),
           (Dp, UD + UD * Rd * (1 - sp.exp(-(D / UD - 1) / Rd))),
           (Np, UN + UN * Rn * (1 - sp.exp(-(N / UN - 1) / Rn))))
    lg = lambda *v: tuple(float(np.log(x)) for x in v)  # noqa: E731
    return Form("data-constrained", E + A * Np ** -al + B * Dp ** -be, ("N", "D", "U"),
                (Param("E", True, (-0.5, 0.5)), Param("A", True, (2.0, 6.0, 10.0)), Param("B", True, (2.0, 6.0, 10.0)),
                 Param("alpha", True, lg(0.2, 0.5)), Param("beta", True, lg(0.2, 0.5)),
                 Param("R_D_star", True, lg(2.0, 15.0)), Param("R_N_star", True, lg(2.0, 15.0))),
                aux=aux, reference="Muennighoff et al. 2023, arXiv 2305.16264")


@law("bnsl")
def bnsl(breaks: int = 1) -> Form:
    """Broken neural scaling law with ``breaks`` breaks (Caballero et al., arXiv 2210.14891, eq. 1):
    :math:`y = a + b x^{-c_0} \\prod_{i=1}^{K}(1 + (x/d_i)^{1/f_i})^{-c_i f_i}`."""
    if not 1 <= breaks <= 4:
        raise ValueError(f"--breaks must be between 1 and 4, got {breaks}")
    a, b, c0 = positive("a"), positive("b"), free("c_0")
    x = column("x")
    expr = b * x ** -c0
    params = [Param("a", True, (-3.0, 0.0)), Param("b", True, (0.0, 3.0)), Param("c_0", False, (0.05, 0.5))]
    for i in range(1, breaks + 1):
        ci, di, fi = free(f"c_{i}"), positive(f"d_{i}"), positive(f"f_{i}")
        expr = expr * (1 + (x / di) ** (1 / fi)) ** (-ci * fi)
        params += [Param(f"c_{i}", False, (0.1, 0.5)), Param(f"d_{i}", True, (0.0,)), Param(f"f_{i}", True, (-1.0, 0.5))]

    def grid_fn(logX, logy):
        lx = np.sort(logX[0])
        qs = np.quantile(lx, np.linspace(0, 1, breaks + 2)[1:-1])
        out = {f"d_{i}": (float(qs[i - 1]),) for i in range(1, breaks + 1)}
        out["a"] = (float(logy.min()) - 2.0, float(logy.min()) - 0.2)
        return out

    return Form("bnsl", a + expr, ("x",), tuple(params), reference="Caballero et al. 2022, arXiv 2210.14891",
                grid_fn=grid_fn)


@law("power")
def power(floor: bool = False) -> Form:
    """:math:`y = c\\,x^{-p}` or, with ``floor``, :math:`y = E + c\\,x^{-p}`."""
    c, p, x = positive("c"), free("p"), column("x")
    expr = c * x ** -p
    params = [Param("c", True, (0.0,)), Param("p", False, (0.5,))]
    if floor:
        expr = positive("E") + expr
        params.insert(0, Param("E", True, (0.0,)))

    def grid_fn(logX, logy):
        slope, icpt = np.polyfit(logX[0], logy, 1)
        out = {"c": (float(icpt), float(icpt) + 2.0), "p": (float(-slope), 0.1, 1.0)}
        if floor:
            out["E"] = (float(logy.min()) - 3.0, float(logy.min()) - 0.7, float(logy.min()) - 0.05)
        return out

    return Form("power", expr, ("x",), tuple(params), grid_fn=grid_fn)


def builtin_form(name: str, *, breaks: int = 1, floor: bool = False) -> Form:
    """The built-in form called ``name`` (one of :data:`BUILTIN`), with the options it takes (``breaks``:
    bnsl; ``floor``: power)."""
    if name not in LAWS:
        raise ValueError(f"unknown form {name!r}; choose one of {', '.join(BUILTIN)}")
    law = LAWS[name]
    takes = inspect.signature(law).parameters
    return law(**{k: v for k, v in {"breaks": breaks, "floor": floor}.items() if k in takes})


BUILTIN: tuple[str, ...] = tuple(LAWS)
