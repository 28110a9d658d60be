"""Printed formulas: parse a claim's ``printed_latex`` and check that it is the claim's ``expr``.

A claim may carry the formula as its paper prints it (term order, grouping, ``4^{-B}`` rather than
SymPy's ``e^{-B \\log 4}``). The renderer typesets that form, so this module makes sure it cannot drift
from the verified expression: :func:`parse_printed` reads the LaTeX with a small recursive-descent
parser (no ``eval``/``sympify`` of text) and :func:`check_printed` compares the result with
``claim.expr`` at random points of the claim's regime.

The accepted subset (enough for formulas as papers print them):

* numbers (``2``, ``3.16``: decimals become exact rationals), ``\\pi``, ``e`` (Euler's number unless
  the claim has a symbol ``e``), ``\\infty``;
* symbols: a letter or a Greek letter (``\\lambda``) with an optional subscript (``N_{nz}``,
  ``\\beta_1``, ``\\alpha_{\\rm I}``): ``\\beta_1`` names the claim's symbol ``beta_1``; a name the claim
  does not declare is an error;
* ``+``, ``-``, juxtaposition products, ``\\cdot``, ``\\times``, ``/``, ``^``, ``\\frac{}{}``,
  ``\\sqrt{}``, ``\\sqrt[n]{}``;
* functions ``\\exp``, ``\\log``/``\\ln``, ``\\sin``, ``\\cos``, ``\\tan``, ``\\Gamma``, ``\\zeta``,
  ``\\min(.,.)``, ``\\max(.,.)``, with a parenthesised argument or (``\\log 4``) a single factor;
* brackets ``( )``, ``[ ]``, ``{ }``, ``\\left( \\right)``; spacing (``\\,``, ``\\;``, ``\\!``,
  ``\\quad``) is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from scaling_verify.theory.claims import Claim, numerically_equal

GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
    "omicron pi rho varrho sigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split())
_FUNCS = {"exp": sp.exp, "log": sp.log, "ln": sp.log, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
          "Gamma": sp.gamma, "zeta": sp.zeta}
_MINMAX = {"min": sp.Min, "max": sp.Max}
_SPACES = frozenset({r"\,", r"\;", r"\!", r"\:", r"\ ", r"\quad", r"\qquad", r"\displaystyle"})
_TEXT_CMDS = frozenset({r"\mathrm", r"\text", r"\rm", r"\mathit", r"\operatorname"})
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\d+(?:\.\d+)?|[A-Za-z]|\S")
_OPEN = {"(": ")", "[": "]", "{": "}"}


class PrintedFormError(ValueError):
    """A printed formula outside the accepted subset, or one naming a symbol the claim lacks."""


@dataclass(frozen=True)
class PrintedCheck:
    """The comparison of a claim's printed formula with its expression.

    ``ok`` is True when the claim has no printed form or the form equals ``expr``; ``parsed`` is the
    SymPy reading of the printed form (None without one); ``detail`` says what was compared.
    """

    claim_id: str
    ok: bool
    detail: str
    parsed: sp.Basic | None = None


class _Parser:
    """Recursive descent over the token list; ``symbols`` maps names to the claim's SymPy symbols."""

    def __init__(self, text: str, symbols: Mapping[str, sp.Symbol]) -> None:
        self.text = text
        self.toks = [t for t in _TOKEN.findall(text) if t not in _SPACES]
        self.i = 0
        self.symbols = symbols

    # -- token helpers ---------------------------------------------------------------------------
    def peek(self, k: int = 0) -> str | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self, want: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (want is not None and tok != want):
            raise PrintedFormError(f"printed formula {self.text!r}: expected {want or 'more'} "
                                   f"at token {self.i}, found {tok!r}")
        self.i += 1
        return tok

    def error(self, what: str) -> PrintedFormError:
        return PrintedFormError(f"printed formula {self.text!r}: {what} at token {self.i} ({self.peek()!r})")

    # -- grammar ---------------------------------------------------------------------------------
    def parse(self) -> sp.Basic:
        out = self.expr()
        if self.peek() is not None:
            raise self.error("unexpected token")
        return out

    def expr(self) -> sp.Basic:
        """term (('+' | '-') term)*, with an optional leading sign."""
        sign = 1
        if self.peek() in ("+", "-"):
            sign = -1 if self.take() == "-" else 1
        out = sign * self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            t = self.term()
            out = out + t if op == "+" else out - t
        return out

    def term(self) -> sp.Basic:
        """Factors joined by juxtaposition, ``\\cdot``, ``\\times`` or ``/``."""
        out = self.factor()
        while True:
            tok = self.peek()
            if tok in (r"\cdot", r"\times"):
                self.take()
                out = out * self.factor()
            elif tok == "/":
                self.take()
                out = out / self.factor()
            elif tok is not None and self._starts_factor(tok):
                out = out * self.factor()
            else:
                return out

    def _starts_factor(self, tok: str) -> bool:
        if tok in ("+", "-", ")", "]", "}", ",", "^", "_", "/", r"\right", "="):
            return False
        return True

    def factor(self) -> sp.Basic:
        """A signed power: ``-x`` inside a product, or ``base^{exponent}``."""
        if self.peek() == "-":
            self.take()
            return -self.factor()
        base = self.atom()
        if self.peek() == "^":
            self.take()
            base = self._power(base, self.exponent())
        return base

    @staticmethod
    def _power(base: sp.Basic, exp: sp.Basic) -> sp.Basic:
        return sp.exp(exp) if base == sp.E else sp.Pow(base, exp)

    def exponent(self) -> sp.Basic:
        """The argument of ``^``: a braced group or a single token (``x^2``, ``x^a``)."""
        tok = self.peek()
        if tok == "{":
            return self.group()
        if tok is not None and re.fullmatch(r"\d", tok):
            self.take()
            return sp.Integer(tok)
        if tok == "-":
            raise self.error("a negative exponent needs braces")
        return self.atom()

    def group(self) -> sp.Basic:
        """``{ expr }``."""
        self.take("{")
        out = self.expr()
        self.take("}")
        return out

    def atom(self) -> sp.Basic:
        tok = self.peek()
        if tok is None:
            raise self.error("formula ends early")
        if re.fullmatch(r"\d+(?:\.\d+)?", tok):
            self.take()
            return sp.Rational(tok)
        if tok in _OPEN:
            self.take()
            out = self.expr()
            self.take(_OPEN[tok])
            return out
        if tok == r"\left":
            return self.delimited()
        if tok == r"\frac":
            self.take()
            num = self.group()
            return num / self.group()
        if tok == r"\sqrt":
            self.take()
            if self.peek() == "[":
                self.take()
                idx = self.expr()
                self.take("]")
                return sp.root(self.group(), idx)
            return sp.sqrt(self.group())
        if tok in (r"\pi",):
            self.take()
            return sp.pi
        if tok == r"\infty":
            self.take()
            return sp.oo
        if tok.startswith("\\") and tok[1:] in _MINMAX:
            self.take()
            args = self.arguments()
            if len(args) < 2:
                raise self.error(f"{tok} needs at least two arguments")
            return _MINMAX[tok[1:]](*args)
        if tok.startswith("\\") and tok[1:] in _FUNCS:
            return self.function()
        if tok in _TEXT_CMDS or tok.startswith("\\") and tok[1:] in GREEK or re.fullmatch(r"[A-Za-z]", tok):
            return self.symbol()
        raise self.error("unsupported token")

    def delimited(self) -> sp.Basic:
        """``\\left( expr \\right)`` (or brackets)."""
        self.take(r"\left")
        opener = self.take()
        if opener not in ("(", "["):
            raise self.error(f"unsupported delimiter \\left{opener}")
        out = self.expr()
        self.take(r"\right")
        self.take(_OPEN[opener])
        return out

    def arguments(self) -> list[sp.Basic]:
        """A parenthesised, comma-separated argument list (``(a, b)`` or ``\\left(a, b\\right)``)."""
        left = self.peek() == r"\left"
        if left:
            self.take()
        opener = self.take()
        if opener not in ("(", "["):
            raise self.error("expected an argument list")
        args = [self.expr()]
        while self.peek() == ",":
            self.take()
            args.append(self.expr())
        if left:
            self.take(r"\right")
        self.take(_OPEN[opener])
        return args

    def function(self) -> sp.Basic:
        """``\\log 4``, ``\\log(x)``, ``\\Gamma\\left(x\\right)``, ``\\exp{x}``, ``\\sin^2 x``."""
        name = self.take()[1:]
        power = None
        if self.peek() == "^":
            self.take()
            power = self.exponent()
        nxt = self.peek()
        if nxt in ("(", "[", r"\left"):
            args = self.arguments()
            if len(args) != 1:
                raise self.error(f"\\{name} takes one argument")
            arg = args[0]
        elif nxt == "{":
            arg = self.group()
        else:
            arg = self.factor()
        out = _FUNCS[name](arg)
        return out ** power if power is not None else out

    def symbol(self) -> sp.Basic:
        """A letter or Greek letter with an optional subscript, mapped to the claim's symbol."""
        tok = self.take()
        if tok in _TEXT_CMDS:
            base = self._flat_group() if self.peek() == "{" else self._flat_token()
        else:
            base = tok.lstrip("\\")
        name = base
        if self.peek() == "_":
            self.take()
            sub = self._flat_group() if self.peek() == "{" else self._flat_token()
            name = f"{base}_{sub}"
        if name in self.symbols:
            return self.symbols[name]
        if name == "e":
            return sp.E
        known = ", ".join(sorted(self.symbols)) or "none"
        raise PrintedFormError(f"printed formula {self.text!r}: symbol {name!r} is not one of the "
                               f"claim's symbols ({known})")

    def _flat_token(self) -> str:
        tok = self.take()
        if tok in _TEXT_CMDS:
            return self._flat_group() if self.peek() == "{" else self._flat_token()
        return tok.lstrip("\\")

    def _flat_group(self) -> str:
        """The letters of ``{...}`` as a name (``{\\rm Ia}`` -> ``Ia``, ``{nz}`` -> ``nz``)."""
        self.take("{")
        parts = []
        depth = 1
        while True:
            tok = self.take()
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
                if depth == 0:
                    return "".join(parts)
            elif tok not in _TEXT_CMDS:
                if not re.fullmatch(r"\\?[A-Za-z0-9]+", tok):
                    raise self.error(f"unsupported subscript token {tok!r}")
                parts.append(tok.lstrip("\\"))


def parse_printed(text: str, symbols: Mapping[str, sp.Symbol],
                  aliases: Mapping[str, str] | None = None) -> sp.Basic:
    """Parse ``text`` (LaTeX of the accepted subset) into SymPy, naming ``symbols`` (name -> Symbol).

    ``aliases`` maps a symbol name to the LaTeX a formula writes for it (``{"sigma_b2": r"\\sigma_b^2"}``);
    those spellings are read as that symbol before parsing. Raises :class:`PrintedFormError`.
    """
    syms = dict(symbols)
    for name, spelling in sorted((aliases or {}).items(), key=lambda kv: -len(kv[1])):
        if name in syms and spelling:
            token = f"\\mathrm{{svalias{len(syms)}x}}"
            syms[f"svalias{len(syms)}x"] = syms[name]
            text = text.replace(spelling, f"{{{token}}}")
    return _Parser(text, syms).parse()


def printed_expr(claim: Claim, aliases: Mapping[str, str] | None = None) -> sp.Basic | None:
    """The SymPy reading of ``claim.printed_latex`` (None when the claim has none)."""
    if not claim.printed_latex:
        return None
    return parse_printed(claim.printed_latex, {s.name: s for s in claim.symbols}, aliases)


def check_printed(claim: Claim, points: int = 12, aliases: Mapping[str, str] | None = None) -> PrintedCheck:
    """Whether ``claim.printed_latex`` is the same expression as ``claim.expr``.

    Equal when ``simplify`` of the difference is 0 or, failing that, when both agree at ``points``
    random points of the claim's regime (the symbolic check's sampler,
    :func:`theory.claims._numerically_equal`). A formula outside the parser's subset is not equal.
    """
    if not claim.printed_latex:
        return PrintedCheck(claim.id, True, "no printed form")
    try:
        parsed = printed_expr(claim, aliases)
    except PrintedFormError as exc:
        return PrintedCheck(claim.id, False, str(exc))
    if parsed == claim.expr or sp.expand(parsed - claim.expr) == 0:
        return PrintedCheck(claim.id, True, "identical after expansion", parsed)
    ok, where = numerically_equal(parsed, claim.expr, claim, n=points)
    if ok:
        return PrintedCheck(claim.id, True, f"equal at {points} random regime points", parsed)
    return PrintedCheck(claim.id, False, f"printed {sp.sstr(parsed)} != claimed {sp.sstr(claim.expr)}{where}",
                        parsed)


def require_printed(claims, aliases: Mapping[str, str] | None = None, points: int = 6) -> None:
    """Raise ``PrintedFormError`` (one line) for the first claim whose printed form is not its ``expr``."""
    for c in claims:
        res = check_printed(c, points, aliases)
        if not res.ok:
            raise PrintedFormError(f"claim {c.id}: printed_latex differs from expr: {res.detail}")
