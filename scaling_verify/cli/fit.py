"""The ``scaling-verify fit`` subcommand: its arguments, input checks, and what it prints.

Every input problem is a one-line :class:`ValueError` (exit 2) raised before fitting -- including an
output folder (``--plot``) that cannot be written, a file over the row limit
(:data:`numerics.fitting.engine.MAX_ROWS`), ``--bootstrap`` outside ``0..MAX_BOOTSTRAP``; warnings about
the fit go to stderr (and into ``"warnings"`` under ``--json``); JSON output is strict (no NaN).

Units: ``--scale`` multiplies a column before the fit, so every fitted parameter and the compute-optimal
allocation of ``--compute`` are in the scaled units (C = 6 N D with N and D after ``--scale``). The
allocation states this, and gives N_opt and D_opt also in the file's own units (divided back by the
scale), so that neither reading is implicit.
"""

from __future__ import annotations

import json
import math
import sys



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
    pf.add_argument("file", type=Path, help="CSV with a header row (UTF-8, BOM allowed; comma-separated, '.' "
                                            "decimal mark; '#' comment lines; column names match "
                                            "case-insensitively; at most 1,000,000 rows)")
    which = pf.add_mutually_exclusive_group(required=True)
    which.add_argument("--form", choices=_Laws(), help="a built-in law")
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
    pf.add_argument("--step", default="step", metavar="COLUMN", help="the checkpoint step column (default step)")
    pf.add_argument("--min-step", type=float, metavar="S", help="drop checkpoints with step < S before fitting")
    pf.add_argument("--drop-warmup", type=float, metavar="FRACTION",
                    help="drop checkpoints before FRACTION of each run's last step (runs: --group)")
    pf.add_argument("--predict", type=Path, metavar="FILE",
                    help="CSV of new rows (the law's columns): predictions with intervals, in the output")
    pf.add_argument("--plot", type=Path, metavar="DIR", help="write DIR/fit.png (observed vs predicted)")
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
    for c in args.compute or ():
        if not math.isfinite(c) or c <= 0:
            raise ValueError(f"--compute must be a positive finite number of FLOPs, got {c}")
    if args.compute and args.form != "chinchilla":
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
    """The form and ``{law column: CSV column}``."""
    from scaling_verify.numerics.fitting.expr_parser import parse_form
    from scaling_verify.numerics.fitting.forms import builtin_form

    if args.form_expr is not None:
        form = parse_form(args.form_expr, [c for c in table.header if c], target=target)
        return form, {c: c for c in form.columns}
    form = builtin_form(args.form, breaks=args.breaks, floor=args.floor)
    if form.columns == ("x",):  # a law of one predictor: which column is x
        return form, {"x": _predictor(table, args, mapping, target)}
    unknown = sorted(set(mapping) - set(form.columns) - {"loss"})
    if unknown:
        raise ValueError(f"--col {unknown[0]}=...: form {form.name} has no column {unknown[0]} "
                         f"(its columns: {', '.join(form.columns)}, loss)")
    return form, {c: mapping.get(c, c) for c in form.columns}


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
        return table.numbers(key)[keep]
    if key == "C" and "N" in columns and "D" in columns:
        return 6.0 * columns["N"] * columns["D"]
    raise ValueError(f"{option}: no column {key} (and C = 6 N D needs columns N and D)")


# ----------------------------------------------------------------------------- output


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for name in ("scaling-verify", "numpy", "scipy", "jax", "optax", "sympy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _strict(obj, warnings: list[str], path: str = ""):
    """Replace non-finite floats by None, noting each in ``warnings`` (JSON has no NaN/inf)."""
    if isinstance(obj, dict):
        return {k: _strict(v, warnings, f"{path}.{k}" if path else str(k)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_strict(v, warnings, f"{path}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, float) and not math.isfinite(obj):
        warnings.append(f"{path} is not finite ({obj}); written as null")
        return None
    return obj


def _interval_text(est, reason: str | None) -> str:
    if est.fixed:
        return "(fixed by --fix)"
    if est.has_interval:
        return f"95% CI [{est.lo:.6g}, {est.hi:.6g}]"
    return f"no interval ({reason or 'every bootstrap refit gave the same value: see the warnings'})"


def _print_text(res, out: dict) -> None:
    g, s, b = res.goodness, res.search, res.bootstrap
    print(f"form {res.form.name}: {res.form.latex()}")
    for e in res.estimates:
        print(f"{e.name:>9} = {e.value:.6g}   {_interval_text(e, b.no_interval_reason)}".replace("95%", f"{b.level:.0%}"))
    print(f"fit: {g.n_points} points, {g.n_params} parameters; RMS log residual {g.rms_log:.4g}, "
          f"Huber objective {g.huber:.6g}, R^2 of log loss {g.r2_log:.4f}")
    print(f"search: {s.n_starts} of {s.n_grid} grid starts, best start #{s.best_start}, "
          f"{'converged' if s.converged else 'NOT converged'} after {s.iterations} iterations")
    for row in out.get("allocation", ()):
        file_units = ""
        if "N_opt_file_units" in row:
            file_units = (f" (in the file's units: N_opt = {row['N_opt_file_units']:.4g}, "
                          f"D_opt = {row['D_opt_file_units']:.4g})")
        print(f"C = {row['C']:.3g}: N_opt = {row['N_opt']:.4g}, D_opt = {row['D_opt']:.4g}{file_units}")
    if "allocation_units" in out:
        print(f"allocation units: {out['allocation_units']}")
    if "backtest" in out:
        bt = out["backtest"]
        print(f"backtest: fit on {bt['n_fit']} rows with {bt['column']} <= {bt['threshold']:g}; on the other "
              f"{bt['n_test']}: RMS log error {bt['rms_log_error']:.4g}, max relative error {bt['max_rel_error']:.3g}")
    _print_practice(res, out)
    if "plot" in out:
        print(f"plot: {out['plot']}")
    boot = f"{b.used} bootstrap resamples" if b.used else f"no bootstrap interval ({b.no_interval_reason})"
    print(f"({boot}, seed {b.seed}; input sha256 {out['input']['sha256'][:12]})")


def _print_practice(res, out: dict) -> None:
    """Text lines for the curvature, predictions and rolling backtest."""
    c = res.curvature
    if c is not None:
        cond = f"{c.condition_number:.3g}" if c.condition_number is not None else "infinite (singular)"
        ab = c.correlation("alpha", "beta")
        corr = f"; corr(alpha, beta) = {ab.jacobian:.3f}" if ab is not None and ab.jacobian is not None else ""
        print(f"curvature: condition number of the scaled J^T J {cond}{corr}")
    for r in out.get("predictions", {}).get("rows", ()):
        where = ", ".join(f"{k} = {r[k]:.4g}" if isinstance(r[k], float) else f"{k} = {r[k]}" for k in res.form.columns)
        pi = f"  {r['pi'] and 'PI [%.6g, %.6g]' % tuple(r['pi']) or 'no interval'}"
        ext = f"  ({r['extrapolation']:.3g}x beyond the data)" if r["extrapolation"] and r["extrapolation"] > 1 else ""
        print(f"predict {where}: {r['predicted']:.6g}{pi}{ext}")
    folds = out.get("backtest_folds")
    if folds:
        cv = folds["coverage"]
        for f in folds["folds"]:
            inside = f"{f['covered']}/{f['n_test']} held-out points inside their interval" if cv["total"] else \
                f"{f['n_test']} held-out points, no intervals (--bootstrap 0)"
            rms = f", RMS log error {f['rms_log_error']:.4g}" if f["rms_log_error"] is not None else ""
            print(f"fold {f['fold']}: fit {f['n_fit']} rows ({folds['by']} <= {f['fit_upto']:.4g}), {inside}{rms}")
        if cv["rate"] is not None:
            print(f"backtest coverage: {cv['covered']}/{cv['total']} = {cv['rate']:.3f} +- {cv['binomial_stderr']:.3f} "
                  f"(nominal {cv['nominal']:.2f})")


def _allocation(p: dict, compute: list[float], scales: dict[str, float], colmap: dict[str, str]):
    """Rows of N_opt, D_opt at each compute, in the fit's units and (with --scale) the file's; and a
    sentence saying which units those are."""
    from scaling_verify.numerics.fitting.chinchilla import chinchilla_allocation

    n_opt, d_opt = chinchilla_allocation(p, compute)
    sN, sD = scales.get("N", 1.0), scales.get("D", 1.0)
    rows = []
    for c, a, b in zip(compute, n_opt, d_opt):
        row = {"C": c, "N_opt": float(a), "D_opt": float(b)}
        if sN != 1 or sD != 1:
            row["N_opt_file_units"], row["D_opt_file_units"] = float(a) / sN, float(b) / sD
        rows.append(row)
    if sN == 1 and sD == 1:
        units = f"C = 6 N D with N and D as in columns {colmap['N']} and {colmap['D']}"
    else:
        units = (f"C = 6 N D with N = {colmap['N']} x {sN:g} and D = {colmap['D']} x {sD:g} (after --scale); "
                 f"N_opt_file_units and D_opt_file_units are divided back by the scale")
    return rows, units


# ----------------------------------------------------------------------------- run


def _rows_to_fit(args, table, columns: dict, y):
    """Checkpoint filters (--min-step, --drop-warmup) and run labels (--group), as a row mask and the
    labels of the kept rows (None without --group)."""
    import numpy as np

    from scaling_verify.numerics.fitting.bootstrap import group_codes
    from scaling_verify.numerics.fitting.practice import checkpoint_mask

    labels = None
    if args.group is not None:
        table.require([args.group])
        labels = np.array(list(table.cells(args.group)), dtype=object)
    keep = np.ones(y.size, bool)
    if args.min_step is not None or args.drop_warmup is not None:
        table.require([args.step])
        runs = group_codes(labels)[0] if labels is not None else None
        keep = checkpoint_mask(table.numbers(args.step), min_step=args.min_step, drop_warmup=args.drop_warmup,
                               runs=runs)
    return keep, labels


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
    return dict(bootstrap=args.bootstrap, seed=args.seed, delta=args.huber_delta,
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
    form, colmap = _build_form(args, table, mapping, target)
    table.require(list(colmap.values()) + [target], mapped_from=colmap | {"loss": target})
    scales = _scales(args, colmap, target)
    fix = _fix(args, form)
    init = _param_init(args, form, fix)
    form = _family_form(args, table, form, fix)

    def law_columns(tab):
        tab.require(list(colmap.values()), mapped_from=colmap)
        cols = {c: tab.numbers(csv, positive=True, scale=scales.get(c, 1.0)) for c, csv in colmap.items()}
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

    columns = law_columns(table)
    y = table.numbers(target, positive=True, scale=scales.get("loss", 1.0))
    keep, labels = _rows_to_fit(args, table, columns, y)
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
    out = res.as_dict()
    warnings = list(res.warnings)
    out["target"] = target
    out["columns"] = colmap
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
            out["allocation"], out["allocation_units"] = _allocation(p, args.compute, scales, colmap)
        else:
            warnings.append("no compute-optimal allocation: it needs alpha > 0 and beta > 0")
    if rule is not None:
        pred = predict(res.form, res.theta, {c: v[~train] for c, v in columns.items()})
        out["backtest"] = bt.score(pred, y[~train], rule[0], rule[1], int(train.sum())).as_dict()
    if folds is not None:
        out["backtest_folds"] = folds
    if new_rows is not None:
        out["predictions"] = _predictions(args, res, new_rows)
        if out["predictions"]["n_extrapolated"]:
            warnings.append(f"{out['predictions']['n_extrapolated']} prediction row(s) lie outside the fitted range "
                            "(see 'extrapolation'); their intervals assume the law holds there")
    if args.plot is not None:
        from scaling_verify.numerics.fitting.plot import plot_fit

        pred = predict(res.form, res.theta, {c: v[train] for c, v in columns.items()})
        out["plot"] = str(plot_fit(args.plot / "fit.png", y[train], pred, f"{form.name} fit"))
    out = _strict(out, warnings)
    out["warnings"] = warnings
    for w in warnings:
        print(f"scaling-verify: warning: {w}", file=sys.stderr)
    if args.json:
        print(json.dumps(out, allow_nan=False))
    else:
        _print_text(res, out)
    return 0
