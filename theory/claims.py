"""Claims: the unit of verification, and the registry every theory module adds to.

A claim is one result of a paper: an id (``dynamical.time_exponent``), a one-line statement, the
SymPy expression of the claimed quantity (the right-hand side of ``quantity = expr``), the symbols
with their assumptions, the regime where it holds, the source, and a status:

* ``published``      the formula as printed in the paper;
* ``corrected``      the printed form is wrong; ours is right and ``evidence`` says why;
* ``reconstructed``  the paper's body is not available; the definition is ours and says so.

A claim also carries ``derive``, a zero-argument callable that *derives* the expression from the
model's assumptions (with :mod:`theory.asymptotics` or a theory's own SymPy code). The symbolic check
compares the derived expression with ``expr``; the numeric checks (``numerics``) read ``expr`` to make
their predictions, so a perturbed claim (:meth:`Claim.perturbed`) is rejected by the same checks.

A published formula that is wrong is kept in the registry with ``holds=False``: its checks are
expected to *refute* it, and the report shows the refutation as the evidence for the correction.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

THEORIES: tuple[str, ...] = ("dynamical", "spectral", "quanta", "equivariance", "optimal_learning")
STATUSES: tuple[str, ...] = ("published", "corrected", "reconstructed")
_ID_RE = re.compile(r"^[a-z_]+\.[a-z0-9_]+$")


@dataclass(frozen=True)
class Claim:
    """One verifiable result.

    Attributes:
      id: ``<theory>.<name>``, lower case with underscores.
      theory: one of :data:`THEORIES`.
      statement: one line in words.
      quantity: LaTeX of the left-hand side (e.g. ``\\alpha_t``); the claim reads ``quantity = expr``.
      expr: the claimed SymPy expression (right-hand side).
      symbols: the free symbols, with their assumptions.
      regime: SymPy boolean where the claim holds (``sp.true`` when unconditional).
      source: paper and equation/section.
      status: ``published``, ``corrected`` or ``reconstructed``.
      derive: zero-argument callable returning the derived expression, or None (no symbolic check).
      params: default numeric values of the symbols used by the numeric checks.
      holds: False for a published formula we refute; its checks are expected to fail.
      corrects: for a ``corrected`` claim, the id of the published claim it replaces.
      evidence: for ``corrected``/refuted claims, the evidence in words.
      notes: anything a reader needs (reconstruction caveats, notation maps).
    """

    id: str
    theory: str
    statement: str
    quantity: str
    expr: sp.Basic
    symbols: tuple[sp.Symbol, ...]
    source: str
    status: str = "published"
    regime: sp.Basic = sp.true
    derive: Callable[[], sp.Basic] | None = None
    params: Mapping[str, float] = field(default_factory=dict)
    holds: bool = True
    corrects: str | None = None
    evidence: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id):
            raise ValueError(f"claim id {self.id!r} must look like 'theory.name' (lower case, digits, '_')")
        if self.theory not in THEORIES:
            raise ValueError(f"claim {self.id}: unknown theory {self.theory!r}; known: {', '.join(THEORIES)}")
        if not self.id.startswith(self.theory + "."):
            raise ValueError(f"claim {self.id}: id must start with its theory '{self.theory}.'")
        if self.status not in STATUSES:
            raise ValueError(f"claim {self.id}: status {self.status!r} not in {STATUSES}")
        if self.status == "corrected" and not self.evidence:
            raise ValueError(f"claim {self.id}: a corrected claim needs its evidence")
        if not self.holds and not self.evidence:
            raise ValueError(f"claim {self.id}: a refuted claim needs its evidence")
        if self.status == "reconstructed" and "reconstruct" not in (self.notes + self.statement).lower():
            raise ValueError(f"claim {self.id}: a reconstructed claim must say so in its statement or notes")
        if not isinstance(self.expr, sp.Basic):
            raise ValueError(f"claim {self.id}: expr must be a SymPy expression")
        names = {s.name for s in self.symbols}
        missing = {s.name for s in self.expr.free_symbols} - names
        if missing:
            raise ValueError(f"claim {self.id}: expr uses undeclared symbols {sorted(missing)}")

    @property
    def name(self) -> str:
        return self.id.split(".", 1)[1]

    def symbol(self, name: str) -> sp.Symbol:
        for s in self.symbols:
            if s.name == name:
                return s
        raise KeyError(f"claim {self.id} has no symbol {name!r}")

    def perturbed(self, expr: sp.Basic | None = None, *, factor: float | None = None, label: str = "") -> "Claim":
        """A copy with a wrong expression, for the power tests: ``expr`` replaces the formula, or
        ``factor`` multiplies it (e.g. 1.15 for an exponent 15 % too large)."""
        if (expr is None) == (factor is None):
            raise ValueError("give exactly one of expr or factor")
        new = self.expr * sp.Float(factor) if factor is not None else sp.sympify(expr, strict=True)
        extra = set(new.free_symbols) - set(self.symbols)
        return dataclasses.replace(
            self, expr=new, symbols=self.symbols + tuple(sorted(extra, key=str)),
            notes=f"{self.notes} PERTURBED {label}".strip(),
        )

    def value(self, **overrides: float) -> float:
        """The claimed expression evaluated at ``params`` (updated by ``overrides``), as a float."""
        return float(self.evaluate(dps=30, **overrides))

    def evaluate(self, dps: int = 30, **overrides: float) -> Any:
        """The claimed expression at ``params`` (updated by ``overrides``), as an mpmath number."""
        vals = {**self.params, **overrides}
        subs = {}
        for s in self.expr.free_symbols:
            if s.name not in vals:
                raise ValueError(f"claim {self.id}: no value for symbol {s.name!r}")
            subs[s] = sp.Float(vals[s.name], dps + 5) if not isinstance(vals[s.name], int) else sp.Integer(vals[s.name])
        out = self.expr.subs(subs).evalf(dps)
        if not out.is_number or not out.is_finite:
            raise ValueError(f"claim {self.id}: expression is not finite at {vals}")
        import mpmath

        with mpmath.workdps(dps):
            return mpmath.mpf(str(out)) if out.is_real else mpmath.mpc(complex(out))

    def in_regime(self, **overrides: float) -> bool:
        """Whether ``params`` (updated by ``overrides``) satisfy the claim's regime."""
        vals = {**self.params, **overrides}
        subs = {s: sp.nsimplify(vals[s.name]) for s in self.regime.free_symbols if s.name in vals}
        res = self.regime.subs(subs)
        if res not in (sp.true, sp.false):
            raise ValueError(f"claim {self.id}: regime {self.regime} undecided at {vals}")
        return bool(res)


class Registry:
    """Claims by id, in registration order."""

    def __init__(self) -> None:
        self._claims: dict[str, Claim] = {}

    def register(self, claim: Claim) -> Claim:
        old = self._claims.get(claim.id)
        if old is not None and old is not claim:
            raise ValueError(f"claim {claim.id} registered twice")
        self._claims[claim.id] = claim
        return claim

    def get(self, claim_id: str) -> Claim:
        load_all()
        try:
            return self._claims[claim_id]
        except KeyError:
            raise ValueError(f"unknown claim id {claim_id!r}; run 'scaling-verify list' for the ids") from None

    def all(self, theory: str | None = None) -> list[Claim]:
        load_all()
        if theory is not None and theory not in THEORIES:
            raise ValueError(f"unknown theory {theory!r}; known: {', '.join(THEORIES)}")
        return [c for c in self._claims.values() if theory is None or c.theory == theory]

    def select(self, theories: Iterable[str] | None = None, ids: Iterable[str] | None = None) -> list[Claim]:
        claims = []
        for t in theories or [None]:
            claims.extend(self.all(t))
        if ids:
            wanted = list(ids)
            for i in wanted:
                self.get(i)
            claims = [c for c in claims if c.id in wanted]
        return claims

    def __len__(self) -> int:
        load_all()
        return len(self._claims)


REGISTRY = Registry()
register = REGISTRY.register

# Theory modules that register claims when imported. A theory not yet written is simply absent.
THEORY_MODULES: dict[str, str] = {t: f"theory.{t}" for t in THEORIES}
_loaded = False


def load_all() -> None:
    """Import every theory module so that its claims are registered (idempotent)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib
    import importlib.util

    for mod in THEORY_MODULES.values():
        if importlib.util.find_spec(mod) is not None:
            importlib.import_module(mod)


def symbolic_check(claim: Claim) -> tuple[bool, str]:
    """Compare the derived expression with the claimed one.

    Equality is decided symbolically (``simplify(derived - claimed) == 0`` under the symbols'
    assumptions, with ``Min``/``Max``/``Piecewise`` compared case by case through the regime) and
    cross-checked at random points of the regime, so a simplification failure cannot pass silently.
    Returns (equal, detail).
    """
    if claim.derive is None:
        raise ValueError(f"claim {claim.id} has no derivation")
    derived = sp.sympify(claim.derive(), strict=True)
    diff = sp.simplify(derived - claim.expr)
    symbolic_equal = diff == 0
    numeric_equal, where = _numerically_equal(derived, claim.expr, claim)
    equal = numeric_equal  # a symbolic "equal" that fails numerically would be a SymPy bug: reject
    how = "simplify(derived - claimed) = 0" if symbolic_equal else "equal at 40 random regime points"
    if equal:
        return True, f"derived {sp.sstr(derived)}; {how}"
    return False, f"derived {sp.sstr(derived)} != claimed {sp.sstr(claim.expr)}{where}"


def _numerically_equal(e1: sp.Basic, e2: sp.Basic, claim: Claim, n: int = 40) -> tuple[bool, str]:
    import random

    rng = random.Random(1234)
    syms = sorted((e1.free_symbols | e2.free_symbols | set(claim.symbols) | claim.regime.free_symbols), key=str)
    if not syms:
        v1, v2 = complex(e1.evalf(30)), complex(e2.evalf(30))
        ok = abs(v1 - v2) <= 1e-25 * max(1.0, abs(v1))
        return ok, "" if ok else f" ({v1} vs {v2})"
    tried = 0
    for _ in range(50 * n):
        if tried >= n:
            break
        point = {}
        for s in syms:
            base = claim.params.get(s.name, 1.5)
            if s.is_integer:
                point[s] = sp.Integer(max(1, int(round(abs(float(base)) * rng.uniform(0.5, 3)))))
            else:
                v = float(base) * rng.uniform(0.3, 3.0) if float(base) != 0 else rng.uniform(-2, 2)
                # 40-digit floats: exact rationals make powers like kappa**(rho*(a-1)/b) very slow to evaluate
                point[s] = sp.Float(v, 40)
        if not all(_satisfies(s, point[s]) for s in syms):
            continue
        reg = claim.regime.subs(point)
        if reg is not sp.true:
            continue
        tried += 1
        v1, v2 = e1.subs(point).evalf(30), e2.subs(point).evalf(30)
        if not (v1.is_number and v2.is_number):
            return False, f" (not numeric at {point})"
        if abs(complex(v1) - complex(v2)) > 1e-20 * max(1.0, abs(complex(v1))):
            return False, f" (at {dict((k.name, v) for k, v in point.items())}: {v1} vs {v2})"
    if tried == 0:
        return False, " (no sample point satisfied the regime)"
    return True, ""


def _satisfies(s: sp.Symbol, v: sp.Basic) -> bool:
    if s.is_positive and not v > 0:
        return False
    if s.is_nonnegative and not v >= 0:
        return False
    if s.is_negative and not v < 0:
        return False
    return True
