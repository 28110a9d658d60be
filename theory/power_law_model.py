"""Scaling exponents of the linear power-law model, derived in SymPy from its equations (no numerics).

The model (Bordelon, Atanasov, Pehlevan 2024, arXiv 2402.01092; its numerics are
:class:`scaling_verify.models.PowerLaw`): eigenvalues :math:`\\lambda_k = k^{-b}`, target powers
:math:`\\lambda_k w_k^{\\star2} = k^{-a}`, infinitely many modes; gradient flow to time ``t``, ``N`` random features,
``P`` samples, ridge, label noise. :func:`exponent` gives the exponent of ``loss ~ variable^-e`` with the other
resources infinite, with its regime conditions and how it was derived:

* ``t``: :func:`theory.asymptotics.mellin_sum` of :math:`\\sum_k k^{-a}e^{-2k^{-b}t}`: ``(a-1)/b``;
* ``N``: the projection residual's bottleneck law (:func:`theory.dynamical.single_model_size_exponent`, Mellin/head
  case split): ``min(a-1, b)``;
* ``P``, noiseless (ridgeless = the optimal ridge >= 0): :func:`theory.dynamical.data_exponent`: ``min(a-1, 2b)``;
  noisy and ridgeless: 0 (the variance term ``sigma^2 gamma/(1-gamma)`` tends to a constant); noisy with the optimal
  ridge: bias ``tau^-q`` (``q = (a-1)/b`` or 2, the two terms of :func:`theory.dynamical.residual_terms`) against the
  variance ``sigma^2 tau^(1/b)/P`` (the count exponent of :func:`theory.dynamical.count_sum_exponent`), minimised
  over ``tau = 1/kappa`` by :func:`theory.asymptotics.budget_optimum`, then the Min over the two terms:
  ``min(a-1, 2b)/(min(a-1, 2b) + 1)``; a fixed ridge > 0: 0 (the loss tends to the bias at kappa = ridge);
* ``P`` with the ridge ``rho = P^-l`` (``0 < l < b``; Cui, Loureiro, Krzakala, Zdeborova 2021, arXiv 2105.15004): the
  renormalised ridge is ``kappa ~ rho``, so ``tau = P^l``; the bias terms give ``P^{-l q}`` and the variance
  ``P^{-(1 - l/b)}``; :func:`theory.asymptotics.leading_power` takes the Min: ``min(l (a-1)/b, 2 l)`` noiseless,
  ``min(l (a-1)/b, 2 l, 1 - l/b)`` noisy. The expression keeps the symbol ``ell`` (:func:`ell_symbol`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from scaling_verify.theory import asymptotics as A
from scaling_verify.theory import dynamical as D
from scaling_verify.theory import symbols as S

VARIABLES = ("t", "N", "P")


def ell_symbol() -> sp.Symbol:
    """The ridge-decay exponent ``l`` (``rho = P^-l``) as a positive SymPy symbol named ``ell``."""
    return sp.Symbol("ell", positive=True)


@dataclass(frozen=True)
class Derived:
    """A derived exponent: ``loss ~ variable^(-expr)`` under ``conditions`` (in ``a``, ``b`` of
    :mod:`theory.symbols`, and ``ell``), and how it was derived."""

    expr: sp.Expr
    conditions: object
    derivation: str


def exponent(variable: str, ridge: float | str = "optimal", noise: float = 0.0,
             ridge_decay: bool = False) -> Derived:
    """The exponent of the module doc. ``ridge``: a number >= 0 or ``"optimal"``; ``noise``: label-noise standard
    deviation (only ``> 0`` matters); ``ridge_decay``: the ridge is ``P^-ell`` (variable ``P`` only)."""
    if variable not in VARIABLES:
        raise ValueError(f"variable must be one of {VARIABLES}, got {variable!r}")
    a, b = S.a, S.b
    cond = sp.And(a > 1, b > 1)
    opt = ridge == "optimal"
    if ridge_decay:
        if variable != "P":
            raise ValueError(f"ridge_decay applies to variable 'P' only, got variable={variable!r}")
        return _decaying_ridge_P(noise > 0)
    if not opt and float(ridge) > 0:
        return Derived(sp.Integer(0), cond, f"a fixed ridge {float(ridge):g} > 0: the loss tends to a positive "
                                            "constant")
    if variable == "t":
        law = A.mellin_sum(a, b, c=sp.Integer(2))
        return Derived(law.exponent, law.conditions, "mellin_sum of sum_k k^-a exp(-2 k^-b t)")
    if variable == "N":
        return Derived(D.single_model_size_exponent(), cond,
                       "projection residual, bottleneck law p = 1")
    if noise == 0:
        return Derived(D.data_exponent(), cond, "ridgeless kernel regression, bottleneck law p = 2")
    if not opt:
        return Derived(sp.Integer(0), cond, "ridgeless with noise: the variance term sigma^2 gamma/(1-gamma) -> "
                                            "constant")
    return Derived(_optimal_ridge_noisy_P(), cond, "optimal ridge with noise: bias-variance budget over kappa")


def _decaying_ridge_P(noisy: bool) -> Derived:
    """``min(l q_i)`` over the bias terms (and ``1 - l/b``, the variance, with noise)."""
    ell = ell_symbol()
    e_count, _ = D.count_sum_exponent()  # effective modes ~ tau^{e_count}
    terms = [(cf, ell * q) for cf, q, _ in D.residual_terms(2)]  # bias: tau^-q, tau = 1/kappa = P^l
    if noisy:
        terms.append((sp.Symbol("c_var", positive=True), 1 - ell * e_count))  # sigma^2 tau^{e_count}/P
    law = A.leading_power(terms, S.P)
    why = "ridge P^-l: bias tau^-q at tau = P^l" + (" against the variance tau^{1/b}/P" if noisy else "")
    return Derived(sp.simplify(law.exponent), sp.And(S.a > 1, S.b > 1, ell < S.b), why)


def _optimal_ridge_noisy_P() -> sp.Expr:
    e_count, _ = D.count_sum_exponent()  # effective modes ~ tau^{e_count}: variance ~ sigma^2 tau^{1/b}/P
    c1, c2 = sp.symbols("c_bias c_var", positive=True)  # the constants do not enter the exponent
    laws = []
    for _, q, _ in D.residual_terms(2):
        # L = c1 tau^{-q} + c2 x2^{-1}, x2 = P tau^{-e_count}: the constraint tau^{e_count} x2 = P
        opt = A.budget_optimum(c1, q, c2, sp.Integer(1), e1=e_count, e2=sp.Integer(1), C=S.P)
        laws.append(sp.simplify(opt.loss.exponent))
    return sp.Min(*laws)
