"""The asymptotics engine the theories share: power-law spectral sums, tails, bottlenecks, budgets.

Everything here *derives* with SymPy; nothing is typed in. Conditions are explicit: a result that
needs ``a > 1`` is derived with ``a = 1 + a_1``, ``a_1 > 0``, and returned with the condition; sums
of competing power laws are case-split explicitly rather than handed to ``sympy.limit`` (which
returns ``-b`` instead of ``-min(a, b)`` for ``log(x**-a + 2*x**-b)/log(x)``; see the guard test).

Main entry points

* :func:`mellin_sum` -- :math:`\\sum_k k^{-a}\\,\\phi(c\\,t\\,k^{-b}) \\sim \\frac{\\mathcal M[\\phi](s)}{b}(c t)^{-s}`,
  :math:`s = (a-1)/b`; with :math:`\\phi(u) = e^{-u}` the prefactor is :math:`\\Gamma(s)/(b\\,c^{s})`.
* :func:`tail_sum` -- :math:`\\sum_{k>n} k^{-s} = \\frac{n^{1-s}}{s-1} - \\frac{n^{-s}}{2} + \\frac{s\\,n^{-s-1}}{12} + O(n^{-s-3})`
  from Euler--Maclaurin.
* :func:`leading_power` -- the exponent and coefficient of :math:`\\sum_i c_i x^{-p_i}` as
  :math:`x\\to\\infty`, as ``Min`` and an explicit ``Piecewise``.
* :func:`budget_optimum` -- minimise :math:`c_1 x_1^{-p_1} + c_2 x_2^{-p_2}` subject to
  :math:`x_1^{e_1} x_2^{e_2} = C`: allocations, optimal loss, their exponents and prefactors.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from scaling_verify.theory import symbols as S


@dataclass(frozen=True)
class PowerLaw:
    """``value ~ prefactor * var**(-exponent)`` under ``conditions``."""

    exponent: sp.Expr
    prefactor: sp.Expr
    var: sp.Symbol
    conditions: sp.Basic = sp.true

    @property
    def expr(self) -> sp.Expr:
        return self.prefactor * self.var ** (-self.exponent)


def _require_positive(expr: sp.Expr, what: str) -> None:
    if expr.is_positive is False or (expr.is_number and not expr > 0):
        raise ValueError(f"{what} must be positive, got {expr}")


def mellin_transform(phi: sp.Lambda, s: sp.Expr) -> tuple[sp.Expr, sp.Basic]:
    """:math:`\\mathcal M[\\phi](s) = \\int_0^\\infty u^{s-1}\\phi(u)\\,du` and its convergence condition.

    Uses ``sympy.mellin_transform``, which returns the fundamental strip ``lo < Re s < hi``; the
    condition that ``s`` lies in the strip is returned, not dropped.
    """
    u = sp.Symbol("u_m", positive=True)
    sig = sp.Symbol("sigma_m")
    try:
        F, (lo, hi), _ = sp.mellin_transform(phi(u), u, sig)
    except sp.integrals.transforms.IntegralTransformError as exc:
        raise ValueError(f"SymPy could not evaluate the Mellin transform of {phi}: {exc}") from None
    cond = sp.And(s > lo, s < hi) if hi is not sp.oo else (s > lo)
    return sp.simplify(sp.gammasimp(F.subs(sig, s))), cond


def mellin_sum(a: sp.Expr = S.a, b: sp.Expr = S.b, phi: sp.Lambda | None = None,
               c: sp.Expr = sp.Integer(1), t: sp.Symbol = S.t) -> PowerLaw:
    """Large-``t`` asymptotics of :math:`F(t) = \\sum_{k\\ge1} k^{-a}\\,\\phi(c\\,t\\,k^{-b})`.

    Derivation: replace the sum by :math:`\\int_0^\\infty dk` (the summand is flat at ``k = 0`` and
    varies on the scale :math:`k \\sim t^{1/b}`, so Euler--Maclaurin corrections vanish faster than
    any power when ``phi`` decays fast), substitute :math:`u = c\\,t\\,k^{-b}` and integrate:

    .. math:: F(t) \\sim \\frac{(c\\,t)^{-(a-1)/b}}{b}\\int_0^\\infty u^{\\frac{a-1}{b}-1}\\phi(u)\\,du .

    Conditions: ``a > 1`` (finite total power), ``b > 0``, and ``phi(u) -> 1`` at ``u -> 0``,
    ``phi`` decaying faster than :math:`u^{-(a-1)/b}` at infinity. Default ``phi(u) = exp(-u)``.
    """
    if phi is None:
        uu = sp.Symbol("u", positive=True)
        phi = sp.Lambda(uu, sp.exp(-uu))
    _require_positive(b, "b")
    a1 = sp.Symbol("a_1", positive=True)  # a = 1 + a_1 makes a > 1 an assumption, not a hope
    k, u = sp.Symbol("k", positive=True), sp.Symbol("u", positive=True)
    # change of variables k -> u = c t k^{-b}; dk = (ct)^{1/b} (1/b) u^{-1/b - 1} du (orientation flips)
    k_of_u = (c * t / u) ** (1 / b)
    jac = -sp.diff(k_of_u, u)
    integrand = sp.powsimp(sp.powdenest(k_of_u ** (-(1 + a1)) * jac, force=True), force=True)
    # separate the t-dependence: integrand = t^{-e} * g(u)
    t_power = sp.simplify(sp.diff(sp.log(integrand), t) * t)
    g = sp.simplify(integrand * t ** (-t_power))
    if g.has(t):
        raise ValueError("the substitution did not separate t (is phi independent of t?)")
    inner = sp.simplify(g / u ** sp.simplify(sp.diff(sp.log(g), u) * u))
    u_power = sp.simplify(sp.diff(sp.log(g), u) * u)  # g = inner * u^{u_power}
    mel, strip = mellin_transform(phi, u_power + 1)
    exponent = sp.simplify((-t_power).subs(a1, a - 1))
    prefactor = sp.simplify((inner * mel).subs(a1, a - 1))
    cond = sp.simplify(sp.And(a > 1, b > 0, strip.subs(a1, a - 1)))
    return PowerLaw(exponent=exponent, prefactor=prefactor, var=t, conditions=cond)


def euler_maclaurin_tail(f: sp.Lambda, n: sp.Symbol, order: int = 2) -> list[sp.Expr]:
    """Terms of :math:`\\sum_{k>n} f(k) = \\int_n^\\infty f - \\tfrac12 f(n) - \\sum_{j\\ge1} \\frac{B_{2j}}{(2j)!} f^{(2j-1)}(n)`.

    Returns ``[integral, -f(n)/2, first Bernoulli term, ...]`` with ``order`` Bernoulli terms, each
    simplified; valid when ``f`` and its derivatives vanish at infinity.
    """
    x = sp.Symbol("x_em", positive=True)
    integral = sp.integrate(f(x), (x, n, sp.oo), conds="none")
    terms = [sp.simplify(integral), -f(n) / 2]
    for j in range(1, order + 1):
        deriv = sp.diff(f(x), x, 2 * j - 1).subs(x, n)
        terms.append(sp.simplify(-sp.bernoulli(2 * j) / sp.factorial(2 * j) * deriv))
    return terms


def tail_sum(s: sp.Expr = S.s, n: sp.Symbol = S.n, order: int = 1) -> tuple[list[sp.Expr], sp.Basic]:
    """Asymptotic series of :math:`\\sum_{k>n} k^{-s}` (``s > 1``): returns (terms, condition).

    ``terms[0] = n^{1-s}/(s-1)``, ``terms[1] = -n^{-s}/2``, ``terms[2] = s\\,n^{-s-1}/12``; the
    remainder after ``2 + order`` terms is :math:`O(n^{-s-2\\,\\mathrm{order}-1})`.
    The derivation runs with ``s = 1 + sigma``, ``sigma > 0``, so the integral converges by assumption.
    """
    sigma = sp.Symbol("sigma_t", positive=True)
    x = sp.Symbol("x_t", positive=True)
    f = sp.Lambda(x, x ** (-(1 + sigma)))
    terms = euler_maclaurin_tail(f, n, order)
    terms = [sp.simplify(sp.powsimp(tm.subs(sigma, s - 1), force=True)) for tm in terms]
    return terms, s > 1


def leading_power(terms: list[tuple[sp.Expr, sp.Expr]], var: sp.Symbol) -> PowerLaw:
    """Leading behaviour of :math:`\\sum_i c_i\\,x^{-p_i}` as ``x -> oo``, case-split explicitly.

    The exponent is ``Min(p_i)``; the prefactor is a ``Piecewise`` over which exponent is smallest
    (ties add their coefficients). This replaces ``sympy.limit(log(sum)/log(x))``, which silently
    returns a wrong branch for symbolic exponents.
    """
    if not terms:
        raise ValueError("leading_power needs at least one term")
    exps = [sp.sympify(p, strict=True) for _, p in terms]
    coefs = [sp.sympify(cf, strict=True) for cf, _ in terms]
    cases = []
    for i, pi in enumerate(exps):
        strictly = [pi < pj for j, pj in enumerate(exps) if j != i]
        cases.append((coefs[i], sp.And(*strictly) if strictly else sp.true))
    cases.append((sp.Add(*[cf for cf, p in zip(coefs, exps) if sp.simplify(p - sp.Min(*exps)) == 0])
                  if all(e.is_number for e in exps) else sp.nan, True))
    return PowerLaw(exponent=sp.Min(*exps), prefactor=sp.Piecewise(*cases), var=var)


_DERIVATIONS: list = []


def derivation(fn):
    """Cache a pure derivation: derived once per process (SymPy takes seconds), forgotten by
    :func:`clear_derivations`. The one caching idiom of ``theory/``."""
    cached = functools.cache(fn)
    _DERIVATIONS.append(cached)
    return cached


def clear_derivations() -> None:
    """Forget every cached derivation (they are derived again on next use)."""
    for fn in _DERIVATIONS:
        fn.cache_clear()


_GENERIC_BUDGET = sp.symbols("gc_1 gp_1 gc_2 gp_2 ge_1 ge_2", positive=True)


@derivation
def _generic_budget_solution():
    """The budget problem solved once with generic positive symbols (cached: the solve takes seconds).

    SymPy's ``solve`` is fast on the generic problem and can stall on concrete exponent expressions,
    so callers substitute their coefficients and exponents into this solution.
    """
    gc1, gp1, gc2, gp2, ge1, ge2 = _GENERIC_BUDGET
    C = S.C
    x1 = sp.Symbol("x_1", positive=True)
    x2_of_x1 = (C / x1 ** ge1) ** (1 / ge2)
    L = gc1 * x1 ** (-gp1) + gc2 * x2_of_x1 ** (-gp2)
    stationary = sp.solve(sp.Eq(sp.diff(L, x1), 0), x1, dict=False)
    stationary = [r for r in stationary if r.is_positive is not False]
    if len(stationary) != 1:
        raise ValueError(f"expected one positive stationary point, found {stationary}")
    # it is the minimum: in log x1 both terms are convex exponentials, so L is strictly convex
    x1s = sp.powdenest(stationary[0], force=True)
    x2s = sp.powdenest(x2_of_x1.subs(x1, x1s), force=True)
    Ls = sp.powsimp(sp.powdenest(L.subs(x1, x1s), force=True), force=True)
    laws = tuple(power_of(sp.simplify(e), C) for e in (x1s, x2s, Ls))
    return x1s, x2s, Ls, laws


@dataclass(frozen=True)
class BudgetOptimum:
    """Solution of ``min c1 x1^{-p1} + c2 x2^{-p2}`` s.t. ``x1^{e1} x2^{e2} = C``."""

    x1: PowerLaw  # x1* ~ prefactor * C^{-exponent}  (exponent negative: x1 grows)
    x2: PowerLaw
    loss: PowerLaw
    x1_opt: sp.Expr
    x2_opt: sp.Expr
    loss_opt: sp.Expr


def power_of(expr: sp.Expr, var: sp.Symbol) -> PowerLaw:
    """Write ``expr`` exactly as :math:`c\\,\\mathrm{var}^{-e}` (fails loudly if it is not a pure power of var;
    a sum of terms with one common power is accepted).

    Example:
      >>> terms, _ = tail_sum(S.a, S.N)
      >>> power_of(terms[0], S.N).exponent
      a - 1

    The log-derivative ``var d(log expr)/d var`` must simplify to a constant ``-e``; then
    ``expr(var) = expr(1) var**(-e)`` exactly, so the prefactor is ``expr`` at ``var = 1``.
    """
    expr = sp.sympify(expr, strict=True)
    if isinstance(expr, sp.Add):
        parts = [power_of(term, var) for term in expr.args]
        for q in parts[1:]:
            if sp.simplify(q.exponent - parts[0].exponent) != 0:
                raise ValueError(f"{expr} mixes powers of {var}: {parts[0].exponent} and {q.exponent}")
        return PowerLaw(exponent=parts[0].exponent, var=var,
                        prefactor=sp.simplify(sp.Add(*[q.prefactor for q in parts])))
    slope = sp.simplify(sp.powsimp(sp.expand_power_base(sp.diff(expr, var) * var / expr, force=True), force=True))
    if slope.has(var):
        logexpr = sp.expand(sp.expand_log(sp.log(expr), force=True))
        slope = sp.simplify(logexpr.coeff(sp.log(var)))
        if slope.has(var) or sp.simplify(logexpr - slope * sp.log(var)).has(var):
            raise ValueError(f"{expr} is not a power of {var}")
    pref = sp.simplify(expr.subs(var, 1))
    return PowerLaw(exponent=sp.simplify(-slope), prefactor=pref, var=var)


def budget_optimum(c1: sp.Expr, p1: sp.Expr, c2: sp.Expr, p2: sp.Expr,
                   e1: sp.Expr = sp.Integer(1), e2: sp.Expr = sp.Integer(1),
                   C: sp.Symbol = S.C) -> BudgetOptimum:
    """Compute-optimal allocation for a bottleneck loss, solved by SymPy.

    Minimise :math:`L = c_1 x_1^{-p_1} + c_2 x_2^{-p_2}` subject to :math:`x_1^{e_1}x_2^{e_2} = C`
    (e.g. :math:`C = N t`: ``e1 = e2 = 1``). Eliminating :math:`x_2` and solving
    :math:`\\partial L/\\partial x_1 = 0` gives

    .. math:: x_1^\\star \\propto C^{\\frac{p_2}{e_1 p_2 + e_2 p_1}},\\quad
              L^\\star \\propto C^{-\\frac{p_1 p_2}{e_1 p_2 + e_2 p_1}} .

    All inputs must be positive (checked where they are numbers).
    """
    for v, name in ((c1, "c1"), (p1, "p1"), (c2, "c2"), (p2, "p2"), (e1, "e1"), (e2, "e2")):
        _require_positive(sp.sympify(v, strict=True), name)
    g = _GENERIC_BUDGET
    sub = dict(zip(g, (sp.sympify(v, strict=True) for v in (c1, p1, c2, p2, e1, e2))))
    sub[S.C] = C
    x1s, x2s, Ls, laws = _generic_budget_solution()
    laws = [PowerLaw(exponent=sp.simplify(q.exponent.subs(sub)), prefactor=sp.simplify(q.prefactor.subs(sub)), var=C)
            for q in laws]
    return BudgetOptimum(x1=laws[0], x2=laws[1], loss=laws[2],
                         x1_opt=x1s.subs(sub), x2_opt=x2s.subs(sub), loss_opt=Ls.subs(sub))


def local_slope(f, x: float, h: float = 1e-3) -> float:
    """``-d log f / d log x`` at ``x`` by a central difference (a numeric cross-check helper)."""
    import math

    return -(math.log(f(x * math.exp(h))) - math.log(f(x * math.exp(-h)))) / (2 * h)


