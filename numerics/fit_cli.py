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

FORMS = ("chinchilla", "kaplan", "data-constrained", "bnsl", "power")
ONE_PREDICTOR = ("power", "bnsl")


def add_parser(sub) -> None:
    """Add the ``fit`` subcommand to the ``scaling-verify`` subparsers ``sub``."""
    from pathlib import Path

    pf = sub.add_parser("fit", help="fit a scaling law (Chinchilla, Kaplan, data-constrained, BNSL, power, "
                                    "or your own expression) to a CSV")
    pf.add_argument("file", type=Path, help="CSV with a header row (UTF-8, BOM allowed; comma-separated, '.' "
                                            "decimal mark; at most 1,000,000 rows)")
    which = pf.add_mutually_exclusive_group(required=True)
    which.add_argument("--form", choices=FORMS, help="a built-in law")
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
    if args.plot is not None:
        from scaling_verify.numerics.fitting.io import writable_dir

        writable_dir(args.plot, "--plot")


def _target(table, mapping: dict[str, str], y: str | None) -> str:
    if y is not None:
        return y
    if "loss" in mapping:
        return mapping["loss"]
    for name in ("loss", "y"):
        if name in table.header:
            return name
    raise ValueError(f"{table.path}: no loss column (looked for loss, y); name it with --y; "
                     f"found {', '.join(table.header)}")


def _predictor(table, args, mapping: dict[str, str], target: str) -> str:
    """The single predictor of a power/BNSL fit: --x, --col x=..., or the only other numeric column."""
    chosen = args.x or mapping.get("x")
    if chosen is not None:
        return chosen
    numeric = [c for c in table.header if c and c != target and table.is_numeric(c)]
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
    if args.form in ONE_PREDICTOR:
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


def _param_init(args, form) -> dict[str, float]:
    from scaling_verify.numerics.fitting.io import parse_numbers

    init = parse_numbers(args.param_init, "--param-init")
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
    if "plot" in out:
        print(f"plot: {out['plot']}")
    boot = f"{b.used} bootstrap resamples" if b.used else f"no bootstrap interval ({b.no_interval_reason})"
    print(f"({boot}, seed {b.seed}; input sha256 {out['input']['sha256'][:12]})")


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


def run(args) -> int:
    """Run ``scaling-verify fit``; return the exit code (ValueError -> exit 2 in the caller)."""
    import numpy as np

    from scaling_verify.numerics.fitting import backtest as bt
    from scaling_verify.numerics.fitting.engine import fit_form, predict
    from scaling_verify.numerics.fitting.io import load_table, parse_assignments
    from scaling_verify.numerics.fitting.progress import stderr_progress

    _check_args(args)
    from scaling_verify.numerics.fitting.engine import MAX_ROWS

    table = load_table(args.file, max_rows=MAX_ROWS)
    mapping = parse_assignments(args.col, "--col")
    target = _target(table, mapping, args.y)
    form, colmap = _build_form(args, table, mapping, target)
    table.require(list(colmap.values()) + [target], mapped_from=colmap | {"loss": target})
    scales = _scales(args, colmap, target)
    init = _param_init(args, form)
    columns = {c: table.numbers(csv, positive=True, scale=scales.get(c, 1.0)) for c, csv in colmap.items()}
    y = table.numbers(target, positive=True, scale=scales.get("loss", 1.0))
    keep = np.ones(y.size, bool)
    rule = _backtest_rule(args, colmap)
    if rule is not None:
        key, thr = rule
        if key in columns:  # a law column, in its scaled units
            keep = bt.split(columns[key], thr, key)
        else:
            table.require([key])
            keep = bt.split(table.numbers(key), thr, key)
    n, P = int(keep.sum()), len(form.params)
    if n < P:
        raise ValueError(f"too few points to fit: {n} (form {form.name} has {P} parameters)")
    for c, v in columns.items():
        if np.unique(v[keep]).size < 2:
            raise ValueError(f"column {colmap[c]} takes a single value; its exponent cannot be fitted")
    n_starts = None if args.starts == "all" else int(args.starts)
    with stderr_progress(enabled=not args.quiet) as progress:
        res = fit_form(form, {c: v[keep] for c, v in columns.items()}, y[keep], bootstrap=args.bootstrap,
                       seed=args.seed, delta=args.huber_delta, n_starts=n_starts, init=init, progress=progress)
    out = res.as_dict()
    warnings = list(res.warnings)
    out["target"] = target
    out["columns"] = colmap
    out["scales"] = scales
    out["input"] = {"path": str(args.file), "sha256": table.sha256, "rows": int(y.size)}
    out["seed"] = args.seed
    out["versions"] = _versions()
    if args.compute:
        p = res.params()
        if p["alpha"] > 0 and p["beta"] > 0:
            out["allocation"], out["allocation_units"] = _allocation(p, args.compute, scales, colmap)
        else:
            warnings.append("no compute-optimal allocation: it needs alpha > 0 and beta > 0")
    if rule is not None:
        pred = predict(form, res.theta, {c: v[~keep] for c, v in columns.items()})
        out["backtest"] = bt.score(pred, y[~keep], rule[0], rule[1], n).as_dict()
    if args.plot is not None:
        from scaling_verify.numerics.fitting.plot import plot_fit

        pred = predict(form, res.theta, {c: v[keep] for c, v in columns.items()})
        out["plot"] = str(plot_fit(args.plot / "fit.png", y[keep], pred, f"{form.name} fit"))
    out = _strict(out, warnings)
    out["warnings"] = warnings
    for w in warnings:
        print(f"scaling-verify: warning: {w}", file=sys.stderr)
    if args.json:
        print(json.dumps(out, allow_nan=False))
    else:
        _print_text(res, out)
    return 0
