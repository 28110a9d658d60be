"""``scaling-verify fit --select``: which built-in laws the file's columns allow, and the choice among them.

Candidates: ``chinchilla`` and ``kaplan`` when the law columns N and D are present (``--col`` maps them; a
compute column C stands in for one of them, as in ``fit``),
``data-constrained`` when U is present too; ``power``, ``power+floor`` and ``bnsl`` (one break) when there is
one predictor (``--x``, ``--col x=...``, or the only numeric column besides the loss when N and D are not
both present). Budgets for the leave-one-budget-out error: a C column if the file has one, else C = 6ND
(after ``--scale``), else the predictor's values. The ranking is :func:`numerics.fitting.select.select_form`;
the chosen law is then fitted as if given with ``--form`` (bootstrap, profiles, allocation, plots).
"""

from __future__ import annotations


def _candidates(args, table, mapping: dict[str, str], target: str):
    """``[(Candidate, {law column: CSV column})]`` the columns allow (module docstring)."""
    from scaling_verify.numerics.fitting.forms import builtin_form
    from scaling_verify.numerics.fitting.select import Candidate

    def present(col: str) -> bool:
        return table.has(mapping.get(col, col))

    out = []
    derived = _derived(table, mapping)
    nd = (present("N") and present("D")) or derived is not None
    if nd:
        cols = {c: mapping.get(c, c) for c in ("N", "D") if derived is None or c != derived[0]}
        out += [(Candidate(n, builtin_form(n)), cols) for n in ("chinchilla", "kaplan")]
        if present("U"):
            out.append((Candidate("data-constrained", builtin_form("data-constrained")),
                        cols | {"U": mapping.get("U", "U")}))
    x = args.x or mapping.get("x")
    if x is None and not nd:
        tj = table.column(target)
        numeric = [c for i, c in enumerate(table.header) if c and i != tj and table.is_numeric(c)]
        x = numeric[0] if len(numeric) == 1 else None
    if x is not None:
        table.require([x])
        out += [(Candidate("power", builtin_form("power")), {"x": x}),
                (Candidate("power", builtin_form("power", floor=True), floor=True), {"x": x}),
                (Candidate("bnsl", builtin_form("bnsl", breaks=1)), {"x": x})]
    if not out:
        raise ValueError(f"{table.path}: --select found no built-in law for these columns (N and D for chinchilla/"
                         f"kaplan, plus U for data-constrained, or one predictor --x for power/bnsl); "
                         f"found {', '.join(table.header)}")
    return out


def _derived(table, mapping: dict[str, str]) -> tuple[str, str] | None:
    """(N or D, the C column) when the file records compute in place of one of them (``fit``'s rule)."""
    from scaling_verify.cli.fit import derived_tokens
    from scaling_verify.numerics.fitting.forms import builtin_form

    return derived_tokens(builtin_form("chinchilla"), table, mapping)


def choose(args, table, mapping: dict[str, str], target: str, progress) -> tuple[dict, list[str]]:
    """Rank the candidates, set ``args.form``/``args.floor`` to the chosen one; return the JSON part
    (``selected``, ``ranking``, ``select``) and warnings."""
    import numpy as np

    from scaling_verify.cli.fit import _fit_kwargs, _rows_to_fit, _scales
    from scaling_verify.numerics.fitting.budgets import budget_labels, training_compute
    from scaling_verify.numerics.fitting.select import select_form

    cands = _candidates(args, table, mapping, target)
    union = {}
    for _, cols in cands:
        union |= cols
    table.require(list(union.values()) + [target], mapped_from=union | {"loss": target})
    derived = _derived(table, mapping)
    scales = _scales(args, union | ({"C": derived[1]} if derived else {}), target)
    keep, _ = _rows_to_fit(args, table)
    columns = {c: table.numbers(csv, positive=True, scale=scales.get(c, 1.0), rows=keep) for c, csv in union.items()}
    compute = None
    if derived is not None:  # C = 6ND: the missing one of N, D from the compute
        compute = table.numbers(derived[1], positive=True, scale=scales.get("C", 1.0), rows=keep)
        columns[derived[0]] = compute / (6.0 * columns["N" if derived[0] == "D" else "D"])
    elif table.has("C") and "N" in columns:
        compute = table.numbers("C", positive=True, rows=keep)
    y = table.numbers(target, positive=True, scale=scales.get("loss", 1.0), rows=keep)
    columns, y = {c: v[keep] for c, v in columns.items()}, y[keep]
    if compute is not None:
        budget = compute[keep]
    elif "N" in columns and "D" in columns:
        budget = training_compute(columns["N"], columns["D"])
    else:
        budget = columns["x"]
    kw = {k: v for k, v in _fit_kwargs(args, None, None).items() if k not in ("bootstrap", "init", "fix")}
    sel = select_form([c for c, _ in cands], columns, y, budget_labels(budget), fit_kwargs=kw, progress=progress)
    args.form, args.floor = sel.selected.name, sel.selected.floor
    warnings = []
    if sel.aicc_best is not None and sel.aicc_best != sel.selected.label:
        warnings.append(f"--select: {sel.selected.label} predicts held-out budgets best but {sel.aicc_best} has the "
                        "lowest AICc; see 'ranking'")
    if sel.by == "AICc":
        warnings.append(f"--select: only {sel.n_groups} compute budget(s); chosen by AICc alone "
                        "(leave-one-budget-out needs 3)")
    if args.compute and args.form != "chinchilla":
        warnings.append(f"--compute ignored: the selected law is {sel.selected.label}, and the allocation is "
                        "Chinchilla's")
        args.compute = None
    d = sel.as_dict()
    return {"selected": d.pop("selected"), "ranking": d.pop("ranking"), "select": d}, warnings
