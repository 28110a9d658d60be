"""A restricted parser for user-written laws (``--form-expr "E + A*N**(-alpha)"``).

The text is parsed with :func:`ast.parse` in ``eval`` mode and walked against a whitelist: numbers,
names, ``+ - * / **``, unary minus/plus, and calls of ``exp, log, sqrt, min, max`` by name with
positional arguments. Anything else -- attributes, subscripts, lambdas, comprehensions, keywords,
strings, names starting with an underscore, unknown functions -- is refused with one line. The SymPy
expression is built node by node from the whitelist; the text is never passed to ``eval``, ``exec``,
``sympify`` or ``parse_expr``.

Numbers are bounded before SymPy sees them: every constant must be at most :data:`MAX_CONSTANT` in
magnitude, and every sub-expression made of numbers only (``9**9**9**9``, ``exp(exp(1000))``,
``1/0``) is folded in float64 by :func:`_fold`, which refuses an overflow, a division by zero or a
domain error, and a result beyond :data:`MAX_CONSTANT`, with one line. Each float64 operation takes
constant time, so the refusal comes before any work (SymPy or mpmath would otherwise evaluate such a
tower with ever more digits, for minutes and gigabytes, without answering Ctrl-C); the folded value
is what the law uses.

Names that are CSV columns are data (positive; the fit works in log space); every other name is a
parameter. A parameter that appears in an exponent or inside ``exp``/``log`` is fitted as it is (an
exponent); every other parameter multiplies or adds, is taken as positive and fitted on a log scale.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable

import sympy as sp

from scaling_verify.numerics.fitting.forms import Form, Param, column, free, positive

MAX_LENGTH = 500
MAX_NODES = 200
#: the largest magnitude of a constant or of a folded constant sub-expression
MAX_CONSTANT = 1e300
_FUNCS = {"exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "min": sp.Min, "max": sp.Max}
_ARITY = {"exp": (1, 1), "log": (1, 1), "sqrt": (1, 1), "min": (2, 8), "max": (2, 8)}
_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)


def _refuse(what: str) -> ValueError:
    return ValueError(f"--form-expr: {what} is not allowed (use numbers, column and parameter names, "
                      f"+ - * / **, and {', '.join(_FUNCS)})")


def _check(tree: ast.AST) -> list[str]:
    """Walk the tree against the whitelist; return the names in order of first appearance in the text."""
    names: list[tuple[int, str]] = []
    count = 0
    for node in ast.walk(tree):
        count += 1
        if count > MAX_NODES:
            raise ValueError(f"--form-expr: expression too long (more than {MAX_NODES} nodes)")
        if isinstance(node, (ast.Expression, ast.Load) + _BINOPS + (ast.USub, ast.UAdd)):
            continue
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, _BINOPS):
                raise _refuse(f"operator {type(node.op).__name__}")
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise _refuse(f"operator {type(node.op).__name__}")
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise _refuse(f"the constant {node.value!r}")
            if abs(node.value) > MAX_CONSTANT:
                text = str(node.value)
                shown = text if len(text) < 40 else f"{text[:20]}... ({len(text)} digits)"
                raise ValueError(f"--form-expr: the constant {shown} is too large (beyond {MAX_CONSTANT:g})")
        elif isinstance(node, ast.Call):
            fn = node.func
            if not isinstance(fn, ast.Name) or fn.id not in _FUNCS:
                shown = fn.id if isinstance(fn, ast.Name) else type(fn).__name__.lower()
                raise _refuse(f"calling {shown}")
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise _refuse("keyword or starred arguments")
            lo, hi = _ARITY[fn.id]
            if not lo <= len(node.args) <= hi:
                raise ValueError(f"--form-expr: {fn.id} takes {lo if lo == hi else f'{lo} to {hi}'} argument(s)")
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise _refuse(f"the name {node.id}")
            if node.id not in _FUNCS:
                names.append((node.col_offset, node.id))
        else:
            raise _refuse(type(node).__name__.lower() if not isinstance(node, ast.Attribute) else "attribute access")
    return list(dict.fromkeys(name for _, name in sorted(names)))


def _exponent_names(tree: ast.AST) -> set[str]:
    """Names that occur in an exponent or inside exp/log: they are fitted as exponents."""
    out: set[str] = set()

    def collect(node):
        out.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name))

    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            collect(node.right)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("exp", "log"):
            for a in node.args:
                collect(a)
    return out


_FOLD_FUNCS = {"exp": math.exp, "log": math.log, "sqrt": math.sqrt, "min": min, "max": max}
_FOLD_OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
             ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: math.pow(a, b)}


def _fold(node: ast.AST) -> float | None:
    """The float64 value of a sub-expression made of numbers only, else None (it has a name).

    Raises ValueError (one line) for an overflow, a division by zero, a domain error (log of a
    negative number, a negative number to a fractional power) or a value beyond MAX_CONSTANT.
    """
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return None
    if isinstance(node, ast.UnaryOp):
        v = _fold(node.operand)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp):
        a, b = _fold(node.left), _fold(node.right)
        if a is None or b is None:
            return None
        op, fn = type(node.op), _FOLD_OPS[type(node.op)]
    elif isinstance(node, ast.Call):
        args = [_fold(a) for a in node.args]
        if any(v is None for v in args):
            return None
        op, fn = node.func.id, lambda *v: _FOLD_FUNCS[node.func.id](*v)
        a, b = args[0], args[1:]
    else:  # unreachable after _check
        raise _refuse(type(node).__name__.lower())
    try:
        v = fn(a, b) if isinstance(node, ast.BinOp) else fn(a, *b)
    except OverflowError:
        raise ValueError(f"--form-expr: the constant {ast.unparse(node)[:60]} overflows float64") from None
    except ZeroDivisionError:
        raise ValueError(f"--form-expr: division by zero in {ast.unparse(node)[:60]}") from None
    except ValueError:
        raise ValueError(f"--form-expr: {ast.unparse(node)[:60]} is undefined (outside the domain of "
                         f"{op if isinstance(op, str) else 'the power'})") from None
    if isinstance(v, complex) or not math.isfinite(v) or abs(v) > MAX_CONSTANT:
        raise ValueError(f"--form-expr: the constant {ast.unparse(node)[:60]} is too large "
                         f"(beyond {MAX_CONSTANT:g} in magnitude)")
    return float(v)


def _check_constants(tree: ast.AST) -> None:
    """Fold every all-number sub-expression once (refusing overflows) before anything else runs."""
    def visit(node):
        if _fold(node) is None:  # has a name: fold its children separately
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    visit(child)

    visit(tree.body)


def _build(node: ast.AST, symbols: dict[str, sp.Symbol]) -> sp.Expr:
    if isinstance(node, ast.Expression):
        return _build(node.body, symbols)
    folded = _fold(node)
    if folded is not None:  # numbers only: its float64 value (checked by _check_constants)
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and abs(node.value) < 10 ** 6:
            return sp.Integer(node.value)
        return sp.Integer(int(folded)) if folded.is_integer() and abs(folded) < 10 ** 6 else sp.Float(folded)
    if isinstance(node, ast.Name):
        return symbols[node.id]
    if isinstance(node, ast.UnaryOp):
        inner = _build(node.operand, symbols)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        a, b = _build(node.left, symbols), _build(node.right, symbols)
        return {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                ast.Div: lambda: a / b, ast.Pow: lambda: a ** b}[type(node.op)]()
    if isinstance(node, ast.Call):
        return _FUNCS[node.func.id](*(_build(a, symbols) for a in node.args))
    raise _refuse(type(node).__name__.lower())  # unreachable after _check


def parse_form(text: str, columns: Iterable[str], *, target: str = "loss") -> Form:
    """Parse ``text`` into a :class:`Form` whose data columns are the names found in ``columns``.

    Raises ValueError (one line) for anything outside the whitelist, a law that uses no column, or
    uses the target column.
    """
    if len(text) > MAX_LENGTH:
        raise ValueError(f"--form-expr: expression longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"--form-expr: not a valid expression ({exc.msg})") from None
    names = _check(tree)
    _check_constants(tree)
    columns = set(columns)
    if target in names:
        raise ValueError(f"--form-expr uses the target column {target}; the law must predict it from other columns")
    data = [n for n in names if n in columns]
    params = [n for n in names if n not in columns]
    if not data:
        raise ValueError(f"--form-expr uses no column of the file (columns: {', '.join(sorted(columns))})")
    if not params:
        raise ValueError("--form-expr has no parameter to fit (every name is a column)")
    exps = _exponent_names(tree)
    symbols = {n: column(n) for n in data}
    plist = []
    for n in params:
        log_scale = n not in exps
        symbols[n] = positive(n) if log_scale else free(n)
        plist.append(Param(n, log_scale, (0.0, 3.0) if log_scale else (0.1, 0.5, 1.0)))
    expr = _build(tree, symbols)
    return Form("expr", expr, tuple(data), tuple(plist), reference="user expression: " + text.strip())
