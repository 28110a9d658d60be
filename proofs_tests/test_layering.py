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


# The floors of the installed package, lowest first: a module imports (at its top or inside a function) only
# modules of its own floor or below. Settings, the levels and the plug-in loader (standard library only) are the ground;
# theory/ is pure SymPy; the check interface sits on theory; the numerics on the check interface; running,
# then reporting, then the command line and the pytest plug-in; the public face last.
FLOORS: tuple[tuple[str, int], ...] = (
    ("scaling_verify.settings", 0), ("scaling_verify.plugins", 0), ("scaling_verify.levels", 0), ("scaling_verify.selection", 0),
    ("scaling_verify.theory", 1),
    ("scaling_verify.checks", 2),
    ("scaling_verify.numerics", 3), ("scaling_verify.models", 3),
    ("scaling_verify.run", 4),
    ("scaling_verify.report", 5),
    ("scaling_verify.cli", 6), ("scaling_verify.pytest_plugin", 6),
    ("scaling_verify", 7),
)
ROOT = THEORY.parent
FOLDERS = {"scaling_verify.theory": ROOT / "theory", "scaling_verify.numerics": ROOT / "numerics"}


def floor_of(module: str) -> int | None:
    for prefix, floor in FLOORS:
        if module == prefix or module.startswith(prefix + "."):
            return floor
    return None


def _modules():
    for p in sorted((ROOT / "scaling_verify").rglob("*.py")):
        yield ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"), p
    for top, folder in FOLDERS.items():
        for p in sorted(folder.rglob("*.py")):
            rel = p.relative_to(folder).with_suffix("").parts
            yield ".".join((top, *rel)).removesuffix(".__init__"), p


def test_no_import_runs_up_a_floor():
    bad = []
    for module, path in _modules():
        here = floor_of(module)
        for name, line in _imports(path):
            if name == "scaling_verify":  # the package itself: lazy, importing it imports nothing of ours
                continue
            there = floor_of(name)
            if there is not None and there > here:
                bad.append(f"{path.relative_to(ROOT)}:{line} (floor {here}) imports {name} (floor {there})")
    assert not bad, "\n".join(bad)


def test_floor_table_covers_every_module():
    assert all(floor_of(m) is not None for m, _ in _modules())
