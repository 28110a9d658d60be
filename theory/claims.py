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

import contextlib

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

STATUSES: tuple[str, ...] = ("published", "corrected", "reconstructed")
OUTCOMES: tuple[str, ...] = ("reproduced", "refuted", "not reproducible")
"""The verdicts of a claim about the world (a published fit checked on data)."""
_ID_RE = re.compile(r"^[a-z_]+\.[a-z0-9_]+$")
_THEORY_RE = re.compile(r"^[a-z_]+$")


@dataclass(frozen=True)
class Theory:
    """A paper (or a model of one) whose claims are registered under ``id``.

    Reports, the LaTeX document and the BibTeX entries name the theory by these fields. The built-in
    theories register exactly as a plug-in does (:func:`register_theory` in the module that its
    ``scaling_verify.theories`` entry point names).

    Attributes:
      id: lower case letters and ``_`` (``dynamical``); claim ids start with ``<id>.``.
      title: the paper's title.
      authors: author names, in the paper's order.
      year: year of the source.
      arxiv: arXiv identifier (``2402.01092``), or ``""``.
      url: a link when there is no arXiv id, or ``""``.
      checks: modules (or packages: every module directly inside) holding the numeric checks of each
        level (``{"precise": ("mypkg.precise",)}``), imported only when that level runs, so
        ``verify --level symbolic`` imports neither mpmath checks nor JAX. A plug-in whose module
        registers its checks at import leaves this empty.
      notes: what a reader needs (e.g. "reconstructed from the abstract").

    Example:
      >>> register_theory(Theory(id="bahri", title="Explaining neural scaling laws",
      ...     authors=("Yasaman Bahri", "Ethan Dyer"), year=2021, arxiv="2102.06701"))  # doctest: +SKIP
    """

    id: str
    title: str
    authors: tuple[str, ...]
    year: int
    arxiv: str = ""
    url: str = ""
    checks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notes: str = ""

    def __post_init__(self) -> None:
        if not _THEORY_RE.match(self.id):
            raise ValueError(f"theory id {self.id!r} must be lower case letters and '_'")
        if not self.title or not self.authors:
            raise ValueError(f"theory {self.id}: needs a title and at least one author")
        if isinstance(self.authors, str):
            raise ValueError(f"theory {self.id}: authors must be a tuple of names, not one string")
        if not 1900 <= int(self.year) <= 2200:
            raise ValueError(f"theory {self.id}: year {self.year!r} is not a year")
        from scaling_verify.levels import NUMERIC_LEVELS

        bad = set(self.checks) - set(NUMERIC_LEVELS)
        if bad:
            raise ValueError(f"theory {self.id}: check levels are {', '.join(NUMERIC_LEVELS)}, not {sorted(bad)}")

    @property
    def citation(self) -> str:
        """``Authors (year), arXiv id``: one line for tables."""
        names = ", ".join(a.split()[-1] for a in self.authors[:3]) + (" et al." if len(self.authors) > 3 else "")
        return f"{names} {self.year}" + (f", arXiv {self.arxiv}" if self.arxiv else "")


@dataclass(frozen=True)
class Law:
    r"""What a claim predicts about a measured curve, for ``scaling-verify compare``.

    The claim's ``expr`` is the exponent of :math:`y \propto x^{\,\mathrm{sign}\cdot\mathrm{expr}}`
    (``sign = -1``: a loss that decays as :math:`x^{-\mathrm{expr}}`); ``prefactor``, when the claim has
    one, is the amplitude :math:`c` in :math:`y \simeq c\,x^{\mathrm{sign}\cdot\mathrm{expr}}` (in the
    claim's symbols). ``x`` and ``y`` name the default CSV columns.
    """

    x: str
    y: str = "loss"
    sign: int = -1
    prefactor: sp.Basic | None = None

    def __post_init__(self) -> None:
        if self.sign not in (-1, 1):
            raise ValueError(f"law sign must be -1 or +1, not {self.sign!r}")


@dataclass(frozen=True)
class PowerSpec:
    r"""How :meth:`Claim.perturbations` perturbs a claim for the power items.

    By default the claimed expression is multiplied by each of ``factors`` (0.9 and 1.1). A claim whose
    value is zero declares ``additive`` (the claims ``expr - additive`` and ``expr + additive``). A claim
    about a functional form whose overall constant is fitted (a check cannot see a constant factor)
    declares the variables whose exponents are perturbed instead: ``exponents`` substitutes
    :math:`x \to x^{f}` (a power law :math:`x^{-g}` becomes :math:`x^{-fg}`) and ``rates`` substitutes
    :math:`x \to f x` (a rate :math:`e^{-x/\gamma}` becomes :math:`e^{-fx/\gamma}`), for each f in
    ``factors``.
    """

    factors: tuple[float, ...] = (0.9, 1.1)
    additive: float | None = None
    exponents: tuple[str, ...] = ()
    rates: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if any(f == 1 or f <= 0 for f in self.factors):
            raise ValueError("power factors must be positive and differ from 1")
        if self.additive is not None and not self.additive > 0:
            raise ValueError("an additive perturbation must be > 0")


@dataclass(frozen=True)
class Claim:
    """One verifiable result.

    Attributes:
      id: ``<theory>.<name>``, lower case with underscores.
      theory: the id of a registered :class:`Theory`.
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
      wrong_forms: label -> a wrong expression the checks must reject (the classic misprint, e.g.
        ``{"a/b": a / b}``); :meth:`perturbations` adds them to the power items.
      power: how :meth:`perturbations` perturbs the claim (:class:`PowerSpec`).
      latex_statement: the statement with its math in LaTeX (for the typeset document); ``""`` means
        the plain ``statement`` is escaped.
      printed_latex: the formula as the paper prints it (term order, symbol names), in LaTeX; ``""``
        means SymPy's rendering of ``expr``.
      law: for a claim that is the exponent of a measured curve, the curve (:class:`Law`); lets
        ``scaling-verify compare`` check a user's runs against the claim.
      perturbation: the label of the perturbation this claim is (``""`` for a registered claim).
      outcome: for a claim about the world (a published fit checked on data), the verdict its evidence
        supports: ``reproduced`` (then ``holds``), ``refuted`` or ``not reproducible`` (:data:`OUTCOMES`);
        ``""`` for a theory's claim.
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
    wrong_forms: Mapping[str, sp.Basic] = field(default_factory=dict)
    power: PowerSpec = PowerSpec()
    latex_statement: str = ""
    printed_latex: str = ""
    law: Law | None = None
    perturbation: str = ""
    outcome: str = ""

    def __post_init__(self) -> None:
        if self.outcome and (self.outcome not in OUTCOMES or self.holds != (self.outcome == "reproduced")):
            raise ValueError(f"claim {self.id}: outcome {self.outcome!r} must be one of {OUTCOMES}, and the claim "
                             "holds exactly when it is 'reproduced'")
        if not _ID_RE.match(self.id):
            raise ValueError(f"claim id {self.id!r} must look like 'theory.name' (lower case, digits, '_')")
        if not _THEORY_RE.match(self.theory):
            raise ValueError(f"claim {self.id}: theory id {self.theory!r} must be lower case letters and '_'")
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
        for label, wrong in self.wrong_forms.items():
            if not isinstance(wrong, sp.Basic):
                raise ValueError(f"claim {self.id}: wrong form {label!r} must be a SymPy expression")
        if self.law is not None and self.law.prefactor is not None:
            extra = {s.name for s in self.law.prefactor.free_symbols} - names
            if extra:
                raise ValueError(f"claim {self.id}: law prefactor uses undeclared symbols {sorted(extra)}")
        for v in self.power.exponents + self.power.rates:
            if v not in names:
                raise ValueError(f"claim {self.id}: power perturbs {v!r}, which is not one of its symbols")

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
        label = label or (f"x{factor:g}" if factor is not None else sp.sstr(new))
        return dataclasses.replace(
            self, expr=new, symbols=self.symbols + tuple(sorted(extra, key=str)),
            notes=f"{self.notes} PERTURBED {label}".strip(), perturbation=label,
        )

    def perturbations(self) -> tuple["Claim", ...]:
        """The perturbed claims every numeric check of this claim must reject (its power items).

        By default the expression times 0.9 and 1.1; a claim whose value is zero is shifted by
        ``power.additive``; a fitted-constant form has its declared exponents or rates scaled instead
        (:class:`PowerSpec`). The claim's ``wrong_forms`` come last. Each returned claim carries its
        label in ``perturbation``.
        """
        spec, out = self.power, []
        if spec.exponents or spec.rates:
            for f in spec.factors:
                subs = {self.symbol(v): self.symbol(v) ** sp.Float(f) for v in spec.exponents}
                subs.update({self.symbol(v): sp.Float(f) * self.symbol(v) for v in spec.rates})
                out.append(self.perturbed(self.expr.xreplace(subs), label=f"exponents x{f:g}"))
        elif spec.additive is not None:
            for s in (-1, 1):
                out.append(self.perturbed(self.expr + s * sp.Float(spec.additive), label=f"{s * spec.additive:+g}"))
        else:
            out += [self.perturbed(factor=f, label=f"x{f:g}") for f in spec.factors]
        out += [self.perturbed(w, label=label) for label, w in self.wrong_forms.items()]
        return tuple(out)

    def value(self, **overrides: float) -> float:
        """The claimed expression evaluated at ``params`` (updated by ``overrides``), as a float."""
        return float(self.evaluate(dps=30, **overrides))

    def evaluate(self, dps: int = 30, **overrides: float) -> Any:
        """The claimed expression at ``params`` (updated by ``overrides``), as an mpmath number."""
        return self.evaluate_expr(self.expr, dps, **overrides)

    def evaluate_expr(self, expr: sp.Basic, dps: int = 30, **overrides: float) -> Any:
        """Any expression in the claim's symbols (e.g. its law's prefactor) at ``params`` updated by
        ``overrides``, as an mpmath number; ValueError naming a symbol without a value."""
        vals = {**self.params, **overrides}
        subs = {}
        for s in sorted(expr.free_symbols, key=str):
            if s.name not in vals:
                raise ValueError(f"claim {self.id}: no value for symbol {s.name!r}")
            subs[s] = sp.Float(vals[s.name], dps + 5) if not isinstance(vals[s.name], int) else sp.Integer(vals[s.name])
        out = expr.subs(subs).evalf(dps)
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
    """Theories and their claims, in registration order.

    Reading the registry (:meth:`get`, :meth:`all`, :meth:`theories`, ``len``) first loads every
    installed theory (:func:`load_all`): the entry points of the group ``scaling_verify.theories``,
    the built-in five among them.
    """

    def __init__(self) -> None:
        self._claims: dict[str, Claim] = {}
        self._theories: dict[str, Theory] = {}
        self._sources: dict[str, str] = {}
        self._modules: dict[str, str] = {}

    def register_theory(self, theory: Theory) -> Theory:
        old = self._theories.get(theory.id)
        if old is not None and old != theory:
            raise ValueError(f"theory {theory.id} registered twice, with different metadata")
        self._theories[theory.id] = theory
        return theory

    def register(self, claim: Claim, *, registered_by: tuple[str, str] | None = None) -> Claim:
        """Add ``claim``. The registry records the module that registers it (``--module`` selects by it,
        the result cache keys on its imports): the caller, or ``registered_by`` = (module name, file) for
        a library registering claims on its user's behalf (:func:`numerics.models.claims`)."""
        if claim.theory not in self._theories:
            raise ValueError(f"claim {claim.id}: theory {claim.theory!r} is not registered; call "
                             f"register_theory(Theory(id={claim.theory!r}, ...)) before its claims")
        old = self._claims.get(claim.id)
        if old is not None and old is not claim:
            raise ValueError(f"claim {claim.id} registered twice")
        self._claims[claim.id] = claim
        self._modules[claim.id], self._sources[claim.id] = registered_by or _caller()
        return claim

    @contextlib.contextmanager
    def isolated(self) -> Iterator["Registry"]:
        """Everything registered inside the block is forgotten after it (claims, theories, their
        sources): for tests and notebooks that register claims of their own. The installed theories
        are loaded first, so they stay."""
        load_all()
        saved = (dict(self._claims), dict(self._theories), dict(self._sources), dict(self._modules))
        try:
            yield self
        finally:
            for mine, old in zip((self._claims, self._theories, self._sources, self._modules), saved):
                mine.clear()
                mine.update(old)

    def replace(self, claim: Claim) -> Claim:
        """Put ``claim`` in place of the registered claim with its id (inside :meth:`isolated`: a test
        that feeds the checks a changed claim)."""
        self.get(claim.id)
        self._claims[claim.id] = claim
        return claim

    def source_of(self, claim_id: str) -> str | None:
        """The file that registered ``claim_id``."""
        return self._sources.get(claim_id)

    def module_of(self, claim_id: str) -> str | None:
        """The module that registered ``claim_id`` (its import closure keys the result cache)."""
        return self._modules.get(claim_id)

    def get(self, claim_id: str) -> Claim:
        load_all()
        try:
            return self._claims[claim_id]
        except KeyError:
            raise ValueError(f"unknown claim id {claim_id!r}{_closest(claim_id, self._claims)}; "
                             "run 'scaling-verify list' for the ids") from None

    def theory(self, theory_id: str) -> Theory:
        load_all()
        try:
            return self._theories[theory_id]
        except KeyError:
            raise ValueError(f"unknown theory {theory_id!r}{_closest(theory_id, self._theories)}; "
                             f"known: {', '.join(self._theories)}") from None

    def theories(self) -> list[Theory]:
        load_all()
        return list(self._theories.values())

    def all(self, theory: str | None = None) -> list[Claim]:
        load_all()
        if theory is not None:
            self.theory(theory)
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

    def known_ids(self) -> set[str]:
        """The ids registered so far (without loading plug-ins)."""
        return set(self._claims)

    def __len__(self) -> int:
        load_all()
        return len(self._claims)


def _caller() -> tuple[str, str]:
    """(module name, file) of the first frame outside this module on the stack: the module
    registering a claim."""
    import sys

    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    if frame is None:
        return "", ""
    return frame.f_globals.get("__name__", ""), frame.f_globals.get("__file__", "") or ""


def _closest(name: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    return f" (closest: {', '.join(close)})" if close else ""


REGISTRY = Registry()
register = REGISTRY.register
register_theory = REGISTRY.register_theory

_loaded = False


def load_all() -> None:
    """Import every installed theory module so that its claims are registered (idempotent).

    Raises :class:`scaling_verify.plugins.PluginError` (a ``ValueError``) naming a plug-in that fails to import.
    """
    global _loaded
    if _loaded:
        return
    _loaded = True
    from scaling_verify import plugins  # the loader: standard library only, imports no theory at its top

    try:
        plugins.load_entry_points()
    except Exception:
        _loaded = False
        raise


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
    numeric_equal, where = numerically_equal(derived, claim.expr, claim)
    equal = numeric_equal  # a symbolic "equal" that fails numerically would be a SymPy bug: reject
    how = "simplify(derived - claimed) = 0" if symbolic_equal else "equal at 40 random regime points"
    if equal:
        return True, f"derived {sp.sstr(derived)}; {how}"
    return False, f"derived {sp.sstr(derived)} != claimed {sp.sstr(claim.expr)}{where}"


def numerically_equal(e1: sp.Basic, e2: sp.Basic, claim: Claim, n: int = 40) -> tuple[bool, str]:
    """Whether ``e1`` and ``e2`` agree to 1e-20 (relative) at ``n`` random points of the claim's regime.

    The points are drawn around ``claim.params`` (a fixed stream, so the verdict is reproducible). Both
    expressions and the regime are compiled once to mpmath functions and evaluated at 40 digits; an
    expression the compiler does not take (a function mpmath lacks) is evaluated by SymPy (``subs`` and
    ``evalf(30)``, two orders of magnitude slower), with the same tolerance.
    """
    import random

    rng = random.Random(1234)
    syms = sorted((e1.free_symbols | e2.free_symbols | set(claim.symbols) | claim.regime.free_symbols), key=str)
    if not syms:
        v1, v2 = complex(e1.evalf(30)), complex(e2.evalf(30))
        ok = abs(v1 - v2) <= 1e-25 * max(1.0, abs(v1))
        return ok, "" if ok else f" ({v1} vs {v2})"
    f1, f2, in_regime = _evaluator(e1, syms), _evaluator(e2, syms), _regime_test(claim.regime, syms)
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
        if not all(_satisfies(s, point[s]) for s in syms) or not in_regime(point):
            continue
        tried += 1
        v1, v2 = f1(point), f2(point)
        if v1 is None or v2 is None:
            return False, f" (not numeric at {point})"
        if abs(complex(v1) - complex(v2)) > 1e-20 * max(1.0, abs(complex(v1))):
            return False, f" (at {dict((k.name, v) for k, v in point.items())}: {v1} vs {v2})"
    if tried == 0:
        return False, " (no sample point satisfied the regime)"
    return True, ""


def _mp_args(point: dict, syms) -> list:
    import mpmath as mp

    return [int(point[s]) if s.is_integer else mp.mpf(sp.Float(point[s], 40)._mpf_) for s in syms]


def _evaluator(expr: sp.Basic, syms):
    """``point -> value of expr`` as a 30-digit SymPy number (None where it is not a number), through an mpmath
    function compiled once and evaluated at 40 digits, or SymPy's ``evalf(30)`` where the expression does not
    compile."""
    import mpmath as mp

    def by_sympy(point):
        v = expr.subs(point).evalf(30)
        return v if v.is_number else None

    try:
        fn = sp.lambdify(syms, expr, modules="mpmath")
    except Exception:  # a function the mpmath printer does not know
        return by_sympy

    def compiled(point):
        try:
            with mp.workdps(40):
                v = mp.mpmathify(fn(*_mp_args(point, syms)))
                if not mp.isfinite(v):
                    return by_sympy(point)
                value = sp.Float(v.real, 40) + (sp.I * sp.Float(v.imag, 40) if isinstance(v, mp.mpc) else 0)
        except Exception:  # evaluation outside what the compiled form handles: let SymPy decide
            return by_sympy(point)
        return value.evalf(30)

    return compiled


def _regime_test(regime: sp.Basic, syms):
    """``point -> bool``: the regime holds there (compiled once; SymPy's ``subs`` where it does not compile)."""
    import mpmath as mp

    def by_sympy(point):
        return regime.subs(point) is sp.true

    if regime is sp.true:
        return lambda point: True
    try:
        fn = sp.lambdify(syms, regime, modules="mpmath")
    except Exception:
        return by_sympy

    def compiled(point):
        try:
            with mp.workdps(40):
                out = fn(*_mp_args(point, syms))
        except Exception:
            return by_sympy(point)
        return out is True or out is sp.true or (isinstance(out, bool) and out)

    return compiled


def _satisfies(s: sp.Symbol, v: sp.Basic) -> bool:
    if s.is_positive and not v > 0:
        return False
    if s.is_nonnegative and not v >= 0:
        return False
    if s.is_negative and not v < 0:
        return False
    return True
