"""``theory/`` is pure SymPy: no module in it imports the numerics (``scaling_verify.numerics``, the model library
``scaling_verify.models``) or the numeric libraries, at the top or inside a function. Built-in theories built on the
model library declare their claims with :func:`theory.model_claims.declare` and name the check modules that wire
the numeric checks."""

from __future__ import annotations

import ast
from pathlib import Path

THEORY = Path(__file__).resolve().parent.parent / "theory"
FORBIDDEN = ("scaling_verify.numerics", "scaling_verify.models", "numerics", "jax", "numpy", "scipy")  # mpmath: SymPy's own


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from ((a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno
            if node.module == "scaling_verify":
                yield from ((f"scaling_verify.{a.name}", node.lineno) for a in node.names)


def test_theory_imports_nothing_numeric():
    bad = [f"{p.relative_to(THEORY.parent)}:{line} imports {name}"
           for p in sorted(THEORY.rglob("*.py")) for name, line in _imports(p)
           if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)]
    assert not bad, "\n".join(bad)
