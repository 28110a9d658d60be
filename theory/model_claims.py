"""Exponent claims of the linear power-law model, declared in SymPy: :class:`Scaling` and :func:`declare`.

A theory that is "this model, in these regimes" names the model's ``a``, ``b`` (in its own symbols) and one
:class:`Scaling` per claimed exponent; :func:`declare` registers one :class:`~theory.claims.Claim` per scaling whose
derivation is the exponent *derived* from the model's equations (:func:`theory.power_law_model.exponent`), and
records the declaration (:func:`declared`) so that the numeric checks can be wired to it: plug-ins do both at once
with :func:`scaling_verify.models.claims`; a built-in theory declares here (theory imports nothing from numerics)
and names the check modules that wire them in its :class:`~theory.claims.Theory` ``checks``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy as sp

from scaling_verify.theory import power_law_model as PLM
from scaling_verify.theory import symbols as S
from scaling_verify.theory.claims import Claim, register
from scaling_verify.theory.asymptotics import derivation


@dataclass(frozen=True)
class Scaling:
    """One claimed exponent of the model: ``loss ~ variable^-expr`` (the excess loss ``L - sigma^2`` for ``P``).

    Attributes:
      variable: ``"t"`` (N = P = oo), ``"N"`` (t = P = oo) or ``"P"`` (t = N = oo).
      expr: the printed exponent (SymPy, in the claim's symbols).
      ridge: for ``P``: a fixed ridge ``>= 0`` or ``"optimal"``.
      noise: label-noise standard deviation ``sigma`` (``P`` only).
      ridge_decay: for ``P``: the ridge ``P^-ridge_decay`` instead of ``ridge``.
      targets: the target resolutions of its checks where the method cannot reach the level's default, level ->
        ``(resolution, reason)`` (``scaling_verify.checks.check``'s ``resolution`` and ``resolution_reason``, at
        quick and full sizes alike), e.g. ``{"precise": (6e-8, "the floor of the finite difference ...")}``.
      statement, source, status, notes, regime, wrong_forms, printed_latex, latex_statement, quantity: as in
        :class:`theory.claims.Claim`
        (``regime`` defaults to the derivation's conditions, ``quantity`` to ``\\alpha_{variable}``: give the
        paper's own name when it calls the resource differently, e.g. ``\\alpha_D`` for ``P`` samples).
    """

    variable: str
    expr: object
    ridge: float | str = "optimal"
    noise: float = 0.0
    ridge_decay: float | None = None
    statement: str = ""
    source: str = ""
    status: str = "published"
    notes: str = ""
    regime: object = None
    wrong_forms: Mapping[str, object] = field(default_factory=dict)
    printed_latex: str = ""
    latex_statement: str = ""
    quantity: str = ""
    targets: Mapping[str, tuple[float, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if set(self.targets) - {"precise", "simulate"}:
            raise ValueError(f"Scaling.targets: levels are 'precise' and 'simulate', got {sorted(self.targets)}")
        if self.variable not in ("t", "N", "P"):
            raise ValueError(f"Scaling.variable must be 't', 'N' or 'P', got {self.variable!r}")
        if self.variable != "P" and (self.noise or self.ridge != "optimal" or self.ridge_decay is not None):
            raise ValueError(f"ridge, noise and ridge_decay apply to variable 'P' only (got {self.variable!r})")
        if self.ridge == "optimal" and self.ridge_decay is None and self.variable == "P" and self.noise == 0:
            object.__setattr__(self, "ridge", 0.0)  # noiseless: the optimum over rho >= 0 is the ridgeless limit
        if self.variable == "P" and self.ridge not in ("optimal",) and self.ridge_decay is None and float(self.ridge) > 0:
            raise ValueError("a fixed ridge > 0 gives exponent 0 (the loss tends to a constant): claim it with "
                             "a PowerSpec(additive=...) claim of your own, not through Scaling")

    @property
    def key(self) -> tuple:
        return (self.variable, str(self.ridge), float(self.noise),
                None if self.ridge_decay is None else float(self.ridge_decay))


@dataclass(frozen=True)
class Declared:
    """A declared model claim: the model's ``a``, ``b`` and the :class:`Scaling` it claims."""

    claim_id: str
    theory: str
    a: float
    b: float
    scaling: Scaling
    levels: tuple[str, ...] = ("precise", "simulate")


_DECLARED: dict[str, Declared] = {}
_OWN = ("scaling_verify.theory.model_claims", "scaling_verify.numerics.models", "scaling_verify.models")


def declared(theory: str | None = None) -> tuple[Declared, ...]:
    """The declarations made so far (of one ``theory``, or all), in declaration order."""
    return tuple(d for d in _DECLARED.values() if theory is None or d.theory == theory)


@derivation
def derived(key: tuple) -> PLM.Derived:
    """The derived exponent for a :attr:`Scaling.key`."""
    variable, ridge, noise, decay = key
    return PLM.exponent(variable, ridge=ridge if ridge == "optimal" else float(ridge), noise=noise,
                        ridge_decay=decay is not None)


def _register_for_caller(claim) -> None:
    """``register(claim)`` on behalf of the module that declared it (the first frame outside this library): the
    registry records the registering module (``--module`` selects by it, the result cache keys on its imports)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(_OWN):
        frame = frame.f_back
    if frame is None:
        register(claim)
        return
    register(claim, registered_by=(frame.f_globals.get("__name__", ""), frame.f_globals.get("__file__", "") or ""))


def declare(a: float, b: float, theory: str, *, source: str = "", symbols: Mapping[str, object] | None = None,
            params: Mapping[str, float] | None = None, levels: tuple[str, ...] = ("precise", "simulate"),
            **scalings: Scaling) -> tuple[Claim, ...]:
    """Register one claim per ``scalings`` entry (``<theory>.<name>``) for the power-law model ``a``, ``b``, with
    the derived exponent as its derivation, and record the declarations; returns the claims.

    Args:
      a, b: the model's exponents (``lambda_k = k^-b``, ``lambda_k w*_k^2 = k^-a``).
      theory: a registered theory id.
      source: default source of the claims.
      symbols: the model's symbols in the claims' symbols, ``{"a": expr, "b": expr, "ell": expr}`` (default: the
        claims' own symbols named ``a``, ``b``, ``ell``); ``params`` must give the claims' symbols values at which
        ``a`` and ``b`` equal the model's (checked).
      params: the claims' parameter values (default ``{"a": a, "b": b}`` plus ``ell``).
      levels: the numeric levels whose checks the claims get (``precise``, ``simulate``).
      scalings: claim name -> :class:`Scaling`.
    """
    bad = set(levels) - {"precise", "simulate"}
    if bad:
        raise ValueError(f"claims(): levels are 'precise' and 'simulate', got {sorted(bad)}")
    out = []
    for name, sc in scalings.items():
        if not isinstance(sc, Scaling):
            raise ValueError(f"claims(): {name} must be a Scaling, got {type(sc).__name__}")
        claim = _claim(float(a), float(b), theory, name, sc, source, symbols, params)
        _register_for_caller(claim)
        _DECLARED[claim.id] = Declared(claim.id, theory, float(a), float(b), sc, tuple(levels))
        out.append(claim)
    return tuple(out)


def _claim(a, b, theory, name, sc: Scaling, source, symbols, params) -> Claim:
    expr = sp.sympify(sc.expr, strict=True)
    syms = set(expr.free_symbols)
    for w in sc.wrong_forms.values():
        syms |= set(sp.sympify(w, strict=True).free_symbols)
    byname = {s.name: s for s in syms}
    mapping = dict(symbols or {})
    for n_ in ("a", "b", "ell"):
        mapping.setdefault(n_, byname.get(n_, {"a": S.a, "b": S.b, "ell": PLM.ell_symbol()}[n_]))
    mapping = {n_: sp.sympify(v, strict=True) for n_, v in mapping.items()}
    vals = dict(params or {})
    if not params:
        vals = {"a": a, "b": b}
        if sc.ridge_decay is not None:
            vals["ell"] = float(sc.ridge_decay)
    for n_, v in mapping.items():
        syms |= set(v.free_symbols) if n_ in ("a", "b") or sc.ridge_decay is not None else set()
    # the derivation runs at declaration only when the claim needs it (no regime or statement given): a
    # derivation can take seconds (budget_optimum), and every command imports every theory
    ex = derived(sc.key) if sc.regime is None or not sc.statement else None
    for n_, want in (("a", a), ("b", b)) + ((("ell", sc.ridge_decay),) if sc.ridge_decay else ()):
        got = float(mapping[n_].subs({s: vals[s.name] for s in mapping[n_].free_symbols if s.name in vals}))
        if abs(got - float(want)) > 1e-12 * max(1.0, abs(float(want))):
            raise ValueError(f"claims(): {name}: params give {n_} = {got}, the model has {want}")
    repl = {S.a: mapping["a"], S.b: mapping["b"], PLM.ell_symbol(): mapping["ell"]}
    regime = sc.regime if sc.regime is not None else ex.conditions.xreplace(repl)  # type: ignore[union-attr]
    key = sc.key
    stmt = sc.statement or (f"The {'excess ' if sc.variable == 'P' else ''}loss of the power-law model decays as "
                            f"{sc.variable}^-({sp.sstr(expr)}) ({ex.derivation}).")  # type: ignore[union-attr]
    return Claim(id=f"{theory}.{name}", theory=theory, statement=stmt,
                 quantity=sc.quantity or rf"\alpha_{{{sc.variable}}}", expr=expr,
                 symbols=tuple(sorted(syms | set(regime.free_symbols), key=str)),
                 source=sc.source or source or "scaling_verify.models.PowerLaw", status=sc.status,
                 regime=regime, params=vals, notes=sc.notes, wrong_forms=dict(sc.wrong_forms),
                 printed_latex=sc.printed_latex, latex_statement=sc.latex_statement,
                 derive=lambda key=key, repl=repl: derived(key).expr.xreplace(repl))
