"""A claim's formula as LaTeX: the printed form when the claim has one, else SymPy's rendering.

:class:`LatexOptions` collects the settings that change what a formula looks like: SymPy's ``order``
and ``symbol_names`` (and ``ln_notation``), and whether a claim's ``printed_latex`` (the paper's own
form, checked against ``expr`` by :mod:`scaling_verify.report.latex.printed`) takes precedence over SymPy's rendering.
Negative symbolic exponents print as fractions where SymPy does; floats in scientific form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy as sp

from scaling_verify.theory.claims import Claim

ORDERS: tuple[str, ...] = ("lex", "grlex", "grevlex", "rev-lex", "old", "none")


@dataclass(frozen=True)
class LatexOptions:
    """How formulas are typeset.

    Attributes:
      order: SymPy's term order (``lex``, ``grlex``, ``grevlex``, ``rev-lex``, ``old``, ``none``);
        None keeps SymPy's default.
      symbol_names: symbol name -> LaTeX (``{"sigma_b2": r"\\sigma_b^2"}``), for SymPy's rendering; the
        printed-form parser reads these spellings as the symbols too.
      ln_notation: ``\\ln`` instead of ``\\log``.
      use_printed: typeset a claim's ``printed_latex`` when it has one (default); False always uses
        SymPy's rendering of ``expr``.
      check_printed: refuse to render a printed form that is not the claim's ``expr``.
    """

    order: str | None = None
    symbol_names: Mapping[str, str] = field(default_factory=dict)
    ln_notation: bool = False
    use_printed: bool = True
    check_printed: bool = True

    def __post_init__(self) -> None:
        if self.order is not None and self.order not in ORDERS:
            raise ValueError(f"unknown term order {self.order!r}; use one of {', '.join(ORDERS)}")


DEFAULT = LatexOptions()


def expr_latex(expr: sp.Basic, options: LatexOptions = DEFAULT) -> str:
    """SymPy LaTeX with the package's settings (fractions for negative powers, scientific floats)."""
    kw = {}
    if options.order is not None:
        kw["order"] = options.order
    if options.symbol_names:
        kw["symbol_names"] = {s: options.symbol_names[s.name] for s in expr.free_symbols
                              if isinstance(s, sp.Symbol) and s.name in options.symbol_names}
    if options.ln_notation:
        kw["ln_notation"] = True
    return sp.latex(expr, mul_symbol="dot" if expr.has(sp.Float) else None, min=-3, max=3, **kw)


def formula_latex(claim: Claim, options: LatexOptions = DEFAULT) -> str:
    """The right-hand side: ``claim.printed_latex`` when present (and ``options.use_printed``), else
    SymPy's rendering of ``claim.expr``."""
    if options.use_printed and claim.printed_latex:
        return claim.printed_latex
    return expr_latex(claim.expr, options)


def claim_latex(claim: Claim, options: LatexOptions = DEFAULT) -> str:
    """``quantity = formula`` for one claim."""
    return f"{claim.quantity} = {formula_latex(claim, options)}"
