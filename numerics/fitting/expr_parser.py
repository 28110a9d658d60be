"""A restricted parser for user-written laws (``--form-expr "E + A*N**(-alpha)"``).

The text is parsed with :func:`ast.parse` in ``eval`` mode and walked against a whitelist: numbers,
names, ``+ - * / **``, unary minus/plus, and calls of ``exp, log, sqrt, min, max`` by name with
positional arguments. Anything else -- attributes, subscripts, lambdas, comprehensions, keywords,
strings, names starting with an underscore, unknown functions -- is refused with one line. The SymPy
expression is built node by node from the whitelist; the text is never passed to ``eval``, ``exec``,
``sympify`` or ``parse_expr``.

Names that are CSV columns are data (positive; the fit works in log space); every other name is a
parameter. A parameter that appears in an exponent or inside ``exp``/``log`` is fitted as it is (an
exponent); every other parameter multiplies or adds, is taken as positive and fitted on a log scale.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

import sympy as sp

from numerics.fitting.forms import Form, Param, column, free, positive

MAX_LENGTH = 500
MAX_NODES = 200
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
            if abs(node.value) > 1e300:
                raise ValueError(f"--form-expr: the constant {node.value} is too large")
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


def _build(node: ast.AST, symbols: dict[str, sp.Symbol]) -> sp.Expr:
    if isinstance(node, ast.Expression):
        return _build(node.body, symbols)
    if isinstance(node, ast.Constant):
        return sp.Integer(node.value) if isinstance(node.value, int) and abs(node.value) < 10 ** 6 else sp.Float(node.value)
    if isinstance(node, ast.Name):
        return symbols[node.id]
    if isinstance(node, ast.UnaryOp):
        inner = _build(node.operand, symbols)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        a, b = _build(node.left, symbols), _build(node.right, symbols)
        op = type(node.op)
        if op is ast.Pow and a.is_Number and b.is_Number:
            return sp.Float(a) ** sp.Float(b)  # numeric powers in floating point, never big integers
        return {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                ast.Div: lambda: a / b, ast.Pow: lambda: a ** b}[op]()
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
