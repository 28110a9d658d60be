"""What ``scaling-verify fit`` prints: the text report, strict JSON helpers, the allocation rows.

Split from :mod:`scaling_verify.cli.fit` (the arguments and the run). Text lines for the uncertainty
additions: profile-likelihood intervals beside the bootstrap ones, delta-method and bootstrap intervals of
the compute-optimal allocation, the prediction-interval coverage of a backtest, and the ranking of
``--select``.
"""

from __future__ import annotations

import math


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
    if "selected" in out:
        print_selection(out["select"] | {"selected": out["selected"], "ranking": out["ranking"]})
    print(f"form {res.form.name}: {res.form.latex()}")
    for e in res.estimates:
        line = f"{e.name:>9} = {e.value:.6g}   {_interval_text(e, b.no_interval_reason)}".replace("95%", f"{b.level:.0%}")
        print(line + _profile_text(res.profile_interval(e.name)))
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
        for q in ("N_opt", "D_opt", "tokens_per_param"):
            iv = row.get("intervals", {}).get(q)
            if iv is not None:
                print(f"    {q:>16} = {iv['value']:.4g}   delta method {_pair(iv['delta_method'])}, "
                      f"bootstrap {_pair(iv['bootstrap'])} ({iv['level']:.0%})")
    if "allocation_units" in out:
        print(f"allocation units: {out['allocation_units']}")
    if "backtest" in out:
        bt = out["backtest"]
        print(f"backtest: fit on {bt['n_fit']} rows with {bt['column']} <= {bt['threshold']:g}; on the other "
              f"{bt['n_test']}: RMS log error {bt['rms_log_error']:.4g}, max relative error {bt['max_rel_error']:.3g}")
        cv = bt.get("coverage")
        if cv and cv["rate"] is not None:
            print(f"backtest coverage: {cv['covered']}/{cv['total']} = {cv['rate']:.3f} +- {cv['binomial_stderr']:.3f} "
                  f"of held-out points inside their prediction interval (nominal {cv['nominal']:.2f})")
    _print_practice(res, out)
    if "plots" in out:
        print(f"plots: {', '.join(out['plots'])}")
    boot = f"{b.used} bootstrap resamples" if b.used else f"no bootstrap interval ({b.no_interval_reason})"
    print(f"({boot}, seed {b.seed}; input sha256 {out['input']['sha256'][:12]})")


def _pair(v) -> str:
    return f"[{v[0]:.4g}, {v[1]:.4g}]" if v and v[0] is not None and v[1] is not None else "none"


def _profile_text(iv) -> str:
    """``; profile [lo, hi]`` beside the bootstrap interval of an exponent (open ends as -inf/inf)."""
    if iv is None:
        return ""
    lo = f"{iv.lo:.6g}" if iv.lo is not None else "open"
    hi = f"{iv.hi:.6g}" if iv.hi is not None else "open"
    return f"; profile likelihood [{lo}, {hi}]"


def print_selection(sel: dict) -> None:
    """The ``--select`` ranking, one line per candidate."""
    print(f"select: {sel['selected']} (by {sel['by']}, {sel['budgets']} compute budgets; lowest AICc: "
          f"{sel['aicc_best']})")
    for i, r in enumerate(sel["ranking"], start=1):
        aicc = f"{r['aicc']:.2f}" if r["aicc"] is not None else "n/a"
        logo = f"{r['leave_one_budget_out_rms_log']:.4g}" if r["leave_one_budget_out_rms_log"] is not None else "n/a"
        note = f"  ({r['note']})" if r["note"] else ""
        print(f"  {i}. {r['form']:<18} AICc {aicc:>10}   leave-one-budget-out RMS log error {logo}{note}")


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


def _allocation(p: dict, compute: list[float], scales: dict[str, float], colmap: dict[str, str], intervals=()):
    """Rows of N_opt, D_opt at each compute, in the fit's units and (with --scale) the file's; and a
    sentence saying which units those are. ``intervals``: the
    :class:`~numerics.fitting.asymptotic.AllocationInterval` of each (compute, quantity), in the fit's units."""
    from scaling_verify.numerics.fitting.chinchilla import chinchilla_allocation

    n_opt, d_opt = chinchilla_allocation(p, compute)
    sN, sD = scales.get("N", 1.0), scales.get("D", 1.0)
    rows = []
    for c, a, b in zip(compute, n_opt, d_opt):
        row = {"C": c, "N_opt": float(a), "D_opt": float(b)}
        mine = {iv.quantity: iv.as_dict() for iv in intervals if iv.C == c}
        if mine:
            row["intervals"] = mine
        if sN != 1 or sD != 1:
            row["N_opt_file_units"], row["D_opt_file_units"] = float(a) / sN, float(b) / sD
        rows.append(row)
    if sN == 1 and sD == 1:
        units = f"C = 6 N D with N and D as in columns {colmap['N']} and {colmap['D']}"
    else:
        units = (f"C = 6 N D with N = {colmap['N']} x {sN:g} and D = {colmap['D']} x {sD:g} (after --scale); "
                 f"N_opt_file_units and D_opt_file_units are divided back by the scale")
    return rows, units




def write_plots(folder, res, columns: dict, y) -> tuple[str, list[str]]:
    """``--plot DIR``: fit.png always; isoflop.png for a law of N and D with two or more compute budgets;
    frontier.png for a Chinchilla fit with positive exponents (:mod:`numerics.fitting.plot`). Returns the
    path of fit.png and the list of every file written."""
    from scaling_verify.numerics.fitting.plot import plot_fit, plot_frontier, plot_isoflop

    name = res.form.name
    written = [str(plot_fit(folder / "fit.png", y, res.predict(columns), f"{name} fit"))]
    if tuple(res.form.columns) == ("N", "D"):
        iso = plot_isoflop(folder / "isoflop.png", columns["N"], columns["D"], y, res, name)
        if iso is not None:
            written.append(str(iso))
        p = res.params()
        if name == "chinchilla" and p["alpha"] > 0 and p["beta"] > 0:
            written.append(str(plot_frontier(folder / "frontier.png", columns["N"], columns["D"], y, res, name)))
    return written[0], written
