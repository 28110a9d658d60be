"""The ``scaling-verify fit`` subcommand: its arguments, input checks, and what it prints.

Every input problem is a one-line :class:`ValueError` (exit 2) raised before fitting -- including an
output folder (``--plot``) that cannot be written, a file over the row limit
(:data:`numerics.fitting.engine.MAX_ROWS`), ``--bootstrap`` outside ``0..MAX_BOOTSTRAP``; warnings about
the fit go to stderr (and into ``"warnings"`` under ``--json``); JSON output is strict (no NaN).

Units: ``--scale`` multiplies a column before the fit, so every fitted parameter and the compute-optimal
allocation of ``--compute`` are in the scaled units (C = 6 N D with N and D after ``--scale``). The
allocation states this, and gives N_opt and D_opt also in the file's own units (divided back by the
scale), so that neither reading is implicit.

What is printed lives in :mod:`scaling_verify.cli.fit_output`; ``--select`` (which laws the columns allow,
and the choice among them) in :mod:`scaling_verify.cli.fit_select`. ``--backtest C=T`` with no C column
means the training compute C = 6 N D (N and D after ``--scale``), as ``--backtest-by C`` does.
"""

from __future__ import annotations

import json
import math
import sys

from scaling_verify.cli.fit_output import _allocation, _print_text, _strict, _versions, write_plots



class _Laws:
    """The ``--form`` choices: the registry of built-in laws (:data:`numerics.fitting.forms.LAWS`), read
    only when the option is given or help is printed (it imports SymPy)."""

    def _names(self) -> tuple[str, ...]:
        from scaling_verify.numerics.fitting.forms import BUILTIN

        return BUILTIN

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self):
        return iter(self._names())


def add_parser(sub) -> None:
    """Add the ``fit`` subcommand to the ``scaling-verify`` subparsers ``sub``."""
    from pathlib import Path

    pf = sub.add_parser("fit", help="fit a scaling law (Chinchilla, Kaplan, data-constrained, BNSL, power, "
                                    "or your own expression) to a CSV")
    pf.add_argument("file", type=Path, help="CSV with a header row (UTF-8, BOM allowed; ',' ';' or tab "
                                            "delimiter, sniffed; '.' decimal mark; '#' comment lines; column "
                                            "names match case-insensitively; at most 1,000,000 rows)")
    which = pf.add_mutually_exclusive_group(required=True)
    which.add_argument("--form", choices=_Laws(), help="a built-in law")
    which.add_argument("--select", action="store_true",
                       help="fit every built-in law the columns allow, rank them by AICc and by leave-one-budget-out "
                            "error (budgets: C = 6ND), and report the best with the full ranking")
    which.add_argument("--form-expr", metavar="EXPR",
                       help='your own law, e.g. "E + A*N**(-alpha)": names that are CSV columns are data, '
                            "the others parameters (+ - * / ** exp log sqrt min max)")
    pf.add_argument("--col", action="append", metavar="NAME=COLUMN",
                    help="read the law's column NAME (N, D, U, x, loss) from CSV column COLUMN (repeatable)")
    pf.add_argument("--scale", action="append", metavar="NAME=FACTOR",
                    help="multiply column NAME by FACTOR, e.g. N=1e6 for a column in millions (repeatable)")
    pf.add_argument("--x", default=None, help="power/bnsl: the predictor column (required when the file has several)")
    pf.add_argument("--y", default=None, help="the loss column (default: loss, else y)")
    pf.add_argument("--floor", action="store_true", help="power: fit y = E + c x^-p")
    pf.add_argument("--breaks", type=int, default=1, help="bnsl: number of breaks (1-4, default 1)")
    pf.add_argument("--param-init", action="append", metavar="NAME=VALUE",
                    help="start a parameter at VALUE instead of the start grid (repeatable)")
    pf.add_argument("--bootstrap", default="200",
                    help="bootstrap resamples, 0 to 10000 (default 200; 0: no interval)")
    pf.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    pf.add_argument("--level", type=float, default=0.95,
                    help="coverage of every interval: parameters, predictions, backtests (default 0.95)")
    pf.add_argument("--starts", default="250", help="optimise from the best STARTS grid points, or 'all' (default 250)")
    pf.add_argument("--huber-delta", type=float, default=1e-3, help="Huber loss delta on log residuals (default 1e-3)")
    pf.add_argument("--compute", type=float, action="append",
                    help="chinchilla: also print N_opt, D_opt at this compute C = 6ND, with N and D in the "
                         "units after --scale (repeatable)")
    pf.add_argument("--backtest", metavar="COLUMN=THRESHOLD",
                    help="fit on rows with COLUMN <= THRESHOLD and report the prediction error on the rest")
    pf.add_argument("--backtest-folds", type=int, metavar="K",
                    help="rolling leave-future-out backtest: K folds along --backtest-by, each held-out point "
                         "with its prediction interval, and the interval coverage")
    pf.add_argument("--backtest-by", default="C", metavar="COLUMN",
                    help="the ordering column of --backtest-folds (default C; C = 6 N D when there is no C column)")
    pf.add_argument("--fix", action="append", metavar="NAME=VALUE", help="pin a parameter to VALUE (repeatable)")
    pf.add_argument("--group", metavar="COLUMN", help="run labels: the bootstrap resamples whole runs")
    pf.add_argument("--family", metavar="COLUMN",
                    help="model-family labels: one joint fit, --share parameters common, the rest per family")
    pf.add_argument("--share", metavar="NAMES", help="with --family: comma-separated shared parameters, e.g. alpha,beta")
    pf.add_argument("--where", action="append", metavar="COLUMN=VALUE",
                    help="fit only the rows whose COLUMN equals VALUE (text, or the same number), e.g. one curve of "
                         "a file holding several (repeatable: all must hold)")
    pf.add_argument("--step", default="step", metavar="COLUMN", help="the checkpoint step column (default step)")
    pf.add_argument("--min-step", type=float, metavar="S", help="drop checkpoints with step < S before fitting")
    pf.add_argument("--drop-warmup", type=float, metavar="FRACTION",
                    help="drop checkpoints before FRACTION of each run's last step (runs: --group)")
    pf.add_argument("--predict", type=Path, metavar="FILE",
                    help="CSV of new rows (the law's columns): predictions with intervals, in the output")
    pf.add_argument("--plot", type=Path, metavar="DIR",
                    help="write DIR/fit.png (observed vs predicted, residuals); for N, D data with several compute "
                         "budgets DIR/isoflop.png; for chinchilla DIR/frontier.png (N_opt(C) with its band)")
    pf.add_argument("--json", action="store_true", help="print a JSON object")
    pf.add_argument("--quiet", action="store_true", help="no progress bar")


# ----------------------------------------------------------------------------- argument checks


def _count(text: str, option: str) -> int:
    """A whole number of resamples: ``200`` or ``1e3``; one line for ``2.5``, ``abc``, too many."""
    from scaling_verify.numerics.fitting.bootstrap import MAX_BOOTSTRAP

    try:
        v = float(text)
    except ValueError:
        raise ValueError(f"{option} must be a whole number, got {text!r}") from None
    if not (math.isfinite(v) and v == int(v)):
        raise ValueError(f"{option} must be a whole number, got {text!r}")
    if not 0 <= v <= MAX_BOOTSTRAP:
        raise ValueError(f"{option} must be >= 0 and at most {MAX_BOOTSTRAP}, got {text}")
    return int(v)


def _check_args(args) -> None:
    args.bootstrap = _count(str(args.bootstrap), "--bootstrap")
    if args.seed < 0:
        raise ValueError(f"--seed must be >= 0, got {args.seed}")
    if not (math.isfinite(args.level) and 0.5 <= args.level < 1):
        raise ValueError(f"--level must be in [0.5, 1), got {args.level}")
    for c in args.compute or ():
        if not math.isfinite(c) or c <= 0:
            raise ValueError(f"--compute must be a positive finite number of FLOPs, got {c}")
    if args.select:
        _check_select(args)
    if args.compute and args.form != "chinchilla" and not args.select:
        raise ValueError("--compute needs --form chinchilla (the allocation is Hoffmann et al.'s)")
    if not (math.isfinite(args.huber_delta) and args.huber_delta > 0):
        raise ValueError(f"--huber-delta must be a positive finite number, got {args.huber_delta}")
    if args.floor and args.form != "power":
        raise ValueError("--floor applies to --form power only")
    if args.starts != "all" and not (args.starts.isdigit() and int(args.starts) >= 1):
        raise ValueError(f"--starts must be a positive integer or 'all', got {args.starts!r}")
    if args.backtest_folds is not None and args.backtest_folds < 1:
        raise ValueError(f"--backtest-folds must be >= 1, got {args.backtest_folds}")
    if args.backtest_folds is not None and args.backtest:
        raise ValueError("--backtest and --backtest-folds are alternatives; give one")
    if args.min_step is not None and not math.isfinite(args.min_step):
        raise ValueError(f"--min-step must be finite, got {args.min_step}")
    if args.drop_warmup is not None and not (math.isfinite(args.drop_warmup) and 0 <= args.drop_warmup < 1):
        raise ValueError(f"--drop-warmup must be a fraction in [0, 1), got {args.drop_warmup}")
    if (args.family is None) != (args.share is None):
        raise ValueError("--family and --share go together: --family COLUMN --share alpha,beta")
    if args.family is not None and args.compute:
        raise ValueError("--compute needs one set of amplitudes; it does not combine with --family")
    if args.plot is not None:
        from scaling_verify.numerics.fitting.io import writable_dir

        writable_dir(args.plot, "--plot")


def _check_select(args) -> None:
    """--select fits the built-in laws as they are: options that shape one form are refused."""
    clash = [opt for opt, given in (("--fix", args.fix), ("--param-init", args.param_init), ("--family", args.family),
                                    ("--floor", args.floor), ("--breaks", args.breaks != 1),
                                    ("--backtest", args.backtest), ("--backtest-folds", args.backtest_folds))
             if given]
    if clash:
        raise ValueError(f"--select does not combine with {clash[0]}: choose a form with --form first "
                         "(the selection scores every candidate on every row)")


def _target(table, mapping: dict[str, str], y: str | None) -> str:
    if y is not None:
        return y
    if "loss" in mapping:
        return mapping["loss"]
    for name in ("loss", "y"):
        if table.has(name):
            return name
    raise ValueError(f"{table.path}: no loss column (looked for loss, y); name it with --y; "
                     f"found {', '.join(table.header)}")


def _predictor(table, args, mapping: dict[str, str], target: str) -> str:
    """The single predictor of a power/BNSL fit: --x, --col x=..., or the only other numeric column."""
    chosen = args.x or mapping.get("x")
    if chosen is not None:
        return chosen
    tj = table.column(target)
    numeric = [c for i, c in enumerate(table.header) if c and i != tj and table.is_numeric(c)]
    if len(numeric) == 1:
        return numeric[0]
    if not numeric:
        raise ValueError(f"{table.path}: no numeric predictor column besides {target}")
    raise ValueError(f"{table.path}: --form {args.form} fits one predictor but the file has {len(numeric)} "
                     f"numeric columns besides {target} ({', '.join(numeric)}); choose one with --x "
                     f"(or fit them together, e.g. --form chinchilla)")


def _build_form(args, table, mapping: dict[str, str], target: str):
    """The form, ``{law column: CSV column}``, and the column derived from C = 6ND (:func:`derived_tokens`;
    None when there is none)."""
    from scaling_verify.numerics.fitting.expr_parser import parse_form
    from scaling_verify.numerics.fitting.forms import builtin_form

    if args.form_expr is not None:
        form = parse_form(args.form_expr, [c for c in table.header if c], target=target)
        return form, {c: c for c in form.columns}, None
    form = builtin_form(args.form, breaks=args.breaks, floor=args.floor)
    if form.columns == ("x",):  # a law of one predictor: which column is x
        return form, {"x": _predictor(table, args, mapping, target)}, None
    derived = derived_tokens(form, table, mapping)
    unknown = sorted(set(mapping) - set(form.columns) - {"loss"} - ({"C"} if derived else set()))
    if unknown:
        raise ValueError(f"--col {unknown[0]}=...: form {form.name} has no column {unknown[0]} "
                         f"(its columns: {', '.join(form.columns)}, loss" + (", or C = 6ND in place of N or D"
                                                                              if {"N", "D"} <= set(form.columns)
                                                                              else "") + ")")
    return form, {c: mapping.get(c, c) for c in form.columns if derived is None or c != derived[0]}, derived


def derived_tokens(form, table, mapping: dict[str, str]) -> tuple[str, str] | None:
    """For a law of N and D read from a file that has the training compute instead of one of them (``--col
    C=...``, or a column C): ``(the column derived from C = 6ND, the CSV column of C)``; None otherwise.
    C = 6ND is Kaplan et al.'s count of training FLOPs (arXiv:2001.08361), as Hoffmann et al. use it."""
    if not {"N", "D"} <= set(form.columns):
        return None
    c_col = mapping.get("C") or ("C" if table.has("C") else None)
    if c_col is None:
        return None
    missing = [k for k in ("N", "D") if k not in mapping and not table.has(k)]
    if len(missing) == 1:
        return missing[0], c_col
    if "C" in mapping:
        why = "has both N and D" if not missing else "has neither N nor D"
        raise ValueError(f"--col C={c_col}: the file {why}; C = 6ND stands in for exactly one of them")
    return None


def _scales(args, colmap: dict[str, str], target: str) -> dict[str, float]:
    """``--scale`` keyed by law column (a CSV column name is accepted too)."""
    from scaling_verify.numerics.fitting.io import parse_numbers

    raw = parse_numbers(args.scale, "--scale", positive=True)
    back = {v: k for k, v in colmap.items()} | {target: "loss"}
    out = {}
    for key, v in raw.items():
        name = key if key in colmap or key == "loss" else back.get(key)
        if name is None:
            raise ValueError(f"--scale {key}=...: not a column of this fit ({', '.join(list(colmap) + ['loss'])})")
        out[name] = v
    return out


def _fix(args, form) -> dict[str, float]:
    """``--fix NAME=VALUE`` checked against the form (one line for an unknown name or a bad value)."""
    from scaling_verify.numerics.fitting.forms import with_fixed
    from scaling_verify.numerics.fitting.io import parse_numbers

    fix = parse_numbers(args.fix, "--fix")
    with_fixed(form, fix)
    return fix


def _param_init(args, form, fix: dict[str, float] | None = None) -> dict[str, float]:
    from scaling_verify.numerics.fitting.io import parse_numbers

    init = parse_numbers(args.param_init, "--param-init")
    both = sorted(set(init) & set(fix or {}))
    if both:
        raise ValueError(f"--param-init {both[0]}: the parameter is pinned by --fix; give one of the two")
    unknown = sorted(set(init) - set(form.param_names))
    if unknown:
        raise ValueError(f"--param-init {unknown[0]}: form {form.name} has no parameter {unknown[0]} "
                         f"(its parameters: {', '.join(form.param_names)})")
    for p in form.params:
        if p.name in init:
            p.to_fit(init[p.name])
    return init


def _backtest_rule(args, colmap: dict[str, str]):
    if not args.backtest:
        return None
    from scaling_verify.numerics.fitting.io import parse_numbers

    (key, thr), = parse_numbers([args.backtest], "--backtest").items()
    return key, thr


def _order_values(key: str, table, columns: dict, option: str, keep):
    """Values of ``key`` at the kept rows: a law column (scaled units), a CSV column, or -- for ``C``
    with no C column -- the training compute 6 N D (N and D after --scale)."""
    if key in columns:
        return columns[key]
    if table.has(key):
        return table.numbers(key, rows=keep)[keep]
    if key == "C" and "N" in columns and "D" in columns:
        return 6.0 * columns["N"] * columns["D"]
    raise ValueError(f"{option}: no column {key} (and C = 6 N D needs columns N and D)")


# ----------------------------------------------------------------------------- run


def _rows_to_fit(args, table):
    """Row filters (--where, then the checkpoint filters --min-step, --drop-warmup) and run labels (--group), as
    a row mask and the labels of every row (None without --group). Rows left out are never parsed as numbers,
    so a file's other curves or its step-0 checkpoints need no cleaning."""
    import numpy as np

    from scaling_verify.numerics.fitting.bootstrap import group_codes
    from scaling_verify.numerics.fitting.io import parse_assignments
    from scaling_verify.numerics.fitting.practice import checkpoint_mask

    labels = None
    if args.group is not None:
        table.require([args.group])
        labels = np.array(list(table.cells(args.group)), dtype=object)
    keep = np.ones(table.n_rows, bool)
    for col, value in parse_assignments(args.where, "--where").items():
        table.require([col])
        keep &= np.array([_same(cell, value) for cell in table.cells(col)], bool)
        if not keep.any():
            raise ValueError(f"--where {col}={value}: no row is left (with the filters before it)")
    if args.min_step is not None or args.drop_warmup is not None:
        table.require([args.step])
        runs = group_codes(labels)[0] if labels is not None else None
        steps = table.numbers(args.step, rows=keep)
        keep &= checkpoint_mask(np.where(keep, steps, -np.inf), min_step=args.min_step,
                                drop_warmup=args.drop_warmup, runs=runs)
    return keep, labels


def _same(cell: str, value: str) -> bool:
    """A --where match: equal text, or equal numbers (``1`` matches ``1.0``)."""
    if cell == value:
        return True
    try:
        return float(cell) == float(value)
    except ValueError:
        return False


def _family_form(args, table, form, fix: dict[str, float]):
    """``form``, or with --family/--share the joint form over the file's families."""
    if args.family is None:
        return form
    from scaling_verify.numerics.fitting.family import FamilyForm

    table.require([args.family])
    shared = tuple(s.strip() for s in args.share.split(",") if s.strip())
    pinned = sorted(set(shared) & set(fix))
    if pinned:
        raise ValueError(f"--share {pinned[0]}: the parameter is pinned by --fix")
    return FamilyForm(form, tuple(dict.fromkeys(table.cells(args.family))), shared)


def _fit_kwargs(args, init, fix) -> dict:
    return dict(bootstrap=args.bootstrap, seed=args.seed, level=args.level, delta=args.huber_delta,
                n_starts=None if args.starts == "all" else int(args.starts), init=init, fix=fix or None)


def _n_fitted(form, fix) -> int:
    from scaling_verify.numerics.fitting.forms import with_fixed

    if not fix:
        return len(form.params)
    return len((form.with_fixed(fix) if hasattr(form, "with_fixed") else with_fixed(form, fix)).params)


def _check_fit_rows(form, fix, columns: dict, colmap: dict, keep) -> None:
    import numpy as np

    n, P = int(keep.sum()), _n_fitted(form, fix)
    if n < P:
        raise ValueError(f"too few points to fit: {n} (form {form.name} has {P} parameters)")
    for c, v in columns.items():
        if c != "family" and np.unique(v[keep]).size < 2:
            raise ValueError(f"column {colmap[c]} takes a single value; its exponent cannot be fitted")


def _prediction_rows(args, table_cols_fn, columns: dict, keep):
    """--predict: read the new rows (same --col/--scale) and check their domain before any fitting
    (one line for a non-positive value or a row beyond the extrapolation limit)."""
    from scaling_verify.numerics.fitting import practice
    from scaling_verify.numerics.fitting.engine import MAX_ROWS
    from scaling_verify.numerics.fitting.io import load_table

    if args.predict is None:
        return None
    new = load_table(args.predict, max_rows=MAX_ROWS, lenient=True)
    cols = table_cols_fn(new)
    ranges = practice.fitted_range({c: v[keep] for c, v in columns.items()})
    practice.extrapolation(ranges, cols)
    return new, cols, ranges


def _predictions(args, res, new_rows) -> dict:
    """Predictions with intervals for the rows read by :func:`_prediction_rows`."""
    from scaling_verify.numerics.fitting import practice

    new, cols, ranges = new_rows
    pred = practice.predict_rows(res, cols, ranges, seed=args.seed)
    rows = pred.rows(cols)
    if "family" in cols:
        for r in rows:
            r["family"] = res.form.labels[int(round(r["family"])) - 1]
    return {"file": str(args.predict), "sha256": new.sha256, "level": pred.level,
            "interval": "ci: the law (parameter uncertainty); pi: a new observation (plus residual scatter)",
            "rows": rows, "n_extrapolated": int((pred.extrapolation > 1).sum())}


def _folds(args, form, columns: dict, y, order, init, fix, labels, progress) -> dict:
    from scaling_verify.numerics.fitting import practice
    from scaling_verify.numerics.fitting.engine import fit_form

    def fit_fn(mask):
        groups = list(labels[mask]) if labels is not None else None
        return fit_form(form, {c: v[mask] for c, v in columns.items()}, y[mask], progress=progress, identify=False,
                        groups=groups, **_fit_kwargs(args, init, fix))

    folds, cov = practice.backtest_folds(fit_fn, columns, y, order, args.backtest_folds, seed=args.seed,
                                         min_rows=_n_fitted(form, fix) + 1)
    return {"by": args.backtest_by, "folds": [f.as_dict() for f in folds], "coverage": cov.as_dict()}


def run(args) -> int:
    """Run ``scaling-verify fit``; return the exit code (ValueError -> exit 2 in the caller)."""
    import numpy as np

    from scaling_verify.numerics.fitting import backtest as bt
    from scaling_verify.numerics.fitting.engine import MAX_ROWS, fit_form, predict
    from scaling_verify.numerics.fitting.io import load_table, parse_assignments
    from scaling_verify.numerics.fitting.progress import stderr_progress

    _check_args(args)
    table = load_table(args.file, max_rows=MAX_ROWS, lenient=True)
    mapping = parse_assignments(args.col, "--col")
    target = _target(table, mapping, args.y)
    selection, sel_warnings = None, []
    if args.select:
        from scaling_verify.cli.fit_select import choose

        with stderr_progress(enabled=not args.quiet) as progress:
            selection, sel_warnings = choose(args, table, mapping, target, progress)
    form, colmap, derived = _build_form(args, table, mapping, target)
    table.require(list(colmap.values()) + [target], mapped_from=colmap | {"loss": target})
    scales = _scales(args, colmap | ({"C": derived[1]} if derived else {}), target)
    fix = _fix(args, form)
    init = _param_init(args, form, fix)
    form = _family_form(args, table, form, fix)

    def law_columns(tab, rows=None):
        tab.require(list(colmap.values()) + ([derived[1]] if derived else []), mapped_from=colmap)
        cols = {c: tab.numbers(csv, positive=True, scale=scales.get(c, 1.0), rows=rows) for c, csv in colmap.items()}
        if derived is not None:  # C = 6ND: the missing one of N, D from the compute
            other = "N" if derived[0] == "D" else "D"
            compute = tab.numbers(derived[1], positive=True, scale=scales.get("C", 1.0), rows=rows)
            cols[derived[0]] = compute / (6.0 * cols[other])
        if args.family is not None:
            tab.require([args.family])
            cols["family"] = form.codes(list(tab.cells(args.family)))
        return cols

    def fold_order():
        if args.backtest_folds is None:
            return None
        from scaling_verify.numerics.fitting.practice import rolling_folds

        order = _order_values(args.backtest_by, table, columns, "--backtest-by", keep)
        need = _n_fitted(form, fix) + 1
        for i, (_, fold_train, _) in enumerate(rolling_folds(order, args.backtest_folds), start=1):
            if fold_train.sum() < need:  # refused before any fitting
                raise ValueError(f"--backtest-folds: fold {i} fits on {int(fold_train.sum())} rows, fewer than the "
                                 f"{need} the form needs; use fewer folds")
        return order

    keep, labels = _rows_to_fit(args, table)
    columns = law_columns(table, keep)
    y = table.numbers(target, positive=True, scale=scales.get("loss", 1.0), rows=keep)
    if args.family is not None:
        from scaling_verify.numerics.fitting.family import check_runs

        check_runs(form, columns["family"][keep], labels[keep] if labels is not None else None)
    columns, y = {c: v[keep] for c, v in columns.items()}, y[keep]
    labels = labels[keep] if labels is not None else None
    train = np.ones(y.size, bool)
    rule = _backtest_rule(args, colmap)
    if rule is not None:
        train = bt.split(_order_values(rule[0], table, columns, "--backtest", keep), rule[1], rule[0])
    _check_fit_rows(form, fix, columns, colmap, train)
    order = fold_order()
    new_rows = _prediction_rows(args, law_columns, columns, train)
    with stderr_progress(enabled=not args.quiet) as progress:
        res = fit_form(form, {c: v[train] for c, v in columns.items()}, y[train], progress=progress,
                       groups=list(labels[train]) if labels is not None else None, **_fit_kwargs(args, init, fix))
        folds = None
        if order is not None:
            folds = _folds(args, form, columns, y, order, init, fix, labels, progress)
    out = (selection or {}) | res.as_dict()
    warnings = sel_warnings + list(res.warnings)
    out["target"] = target
    out["columns"] = colmap | ({derived[0]: f"C/(6{'N' if derived[0] == 'D' else 'D'}), C = {derived[1]}"}
                               if derived else {})
    out["scales"] = scales
    out["input"] = {"path": str(args.file), "sha256": table.sha256, "rows": int(keep.size),
                    "rows_fitted": int(train.sum())}
    out["seed"] = args.seed
    out["versions"] = _versions()
    if args.group is not None:
        out["bootstrap"]["over"] = f"runs ({args.group})"
    if args.compute:
        p = res.params()
        if p["alpha"] > 0 and p["beta"] > 0:
            from scaling_verify.numerics.fitting.asymptotic import allocation_intervals

            logX = np.log(np.stack([columns[c][train] for c in res.form.columns]))
            ivs = allocation_intervals(res, args.compute, logX)
            out["allocation"], out["allocation_units"] = _allocation(p, args.compute, scales, colmap, ivs)
        else:
            warnings.append("no compute-optimal allocation: it needs alpha > 0 and beta > 0")
    if rule is not None:
        pred = predict(res.form, res.theta, {c: v[~train] for c, v in columns.items()})
        out["backtest"] = bt.score(pred, y[~train], rule[0], rule[1], int(train.sum())).as_dict()
        from scaling_verify.numerics.fitting.practice import fitted_range, holdout_coverage

        cov = holdout_coverage(res, {c: v[~train] for c, v in columns.items()}, y[~train],
                               fitted_range({c: v[train] for c, v in columns.items()}), seed=args.seed)
        out["backtest"]["coverage"] = cov.as_dict()
    if folds is not None:
        out["backtest_folds"] = folds
    if new_rows is not None:
        out["predictions"] = _predictions(args, res, new_rows)
        if out["predictions"]["n_extrapolated"]:
            warnings.append(f"{out['predictions']['n_extrapolated']} prediction row(s) lie outside the fitted range "
                            "(see 'extrapolation'); their intervals assume the law holds there")
    if args.plot is not None:
        out["plot"], out["plots"] = write_plots(args.plot, res, {c: v[train] for c, v in columns.items()}, y[train])
    out = _strict(out, warnings)
    out["warnings"] = warnings
    for w in warnings:
        print(f"scaling-verify: warning: {w}", file=sys.stderr)
    if args.json:
        print(json.dumps(out, allow_nan=False))
    else:
        _print_text(res, out)
    return 0
