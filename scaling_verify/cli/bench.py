"""The ``scaling-verify bench`` subcommand: the fitting lab on fixed public splits, offline.

For every stored data set with a split (:mod:`numerics.fitting.datasets`) it fits the benchmark's laws
with :func:`numerics.fit.fit_form` on the fit rows only and reports the extrapolation error on the
held-out rows: the root mean square of ``log(predicted) - log(observed)``, the metric of
Alabdulmohsin, Neyshabur, Zhai, "Revisiting Neural Scaling Laws in Language and Vision"
(arXiv:2209.06640, its ``get_error``), next to the published number where one is stored.

* ``revisiting_lang`` -- per learning curve (Domain, Model) of that benchmark, the paper's split:
  ``power`` with a floor, :math:`y = E + c\\,x^{-p}` (the paper's M2), with :math:`x` the examples
  seen; ``--form bnsl`` adds the broken neural scaling law with one break (Caballero et al.,
  arXiv:2210.14891).
* ``datablations_runs`` -- all runs of Muennighoff et al. (arXiv:2305.16264), the largest compute budget
  held out: ``chinchilla`` (Hoffmann et al., arXiv:2203.15556) on (N, D) and ``data-constrained`` on
  (N, D, U).

Fits use no bootstrap and a fixed seed, so a rerun prints the same table (timings go to stderr only).
Bad options are one line on stderr, exit 2, before any fit.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: the laws fitted per data set by default, in table order
FORMS: dict[str, tuple[str, ...]] = {
    "revisiting_lang": ("power",),
    "datablations_runs": ("chinchilla", "data-constrained"),
}
#: laws fitted only when ``--form`` names them (each new data size compiles anew: the default stays short)
OPTIONAL: dict[str, tuple[str, ...]] = {"revisiting_lang": ("bnsl",)}
SEED = 0
METRIC = "rmse_log: sqrt(mean((log predicted - log observed)^2)) over the held-out rows (arXiv:2209.06640)"


@dataclass(frozen=True)
class Curve:
    """One fit-and-extrapolate problem: the rows of one curve (or of a whole data set) and its split."""

    dataset: str
    curve: str
    columns: dict[str, np.ndarray]
    y: np.ndarray
    fit: np.ndarray


@dataclass(frozen=True)
class Case:
    """One benchmark result: a law fitted on a curve's fit rows, scored on its held-out rows."""

    dataset: str
    curve: str
    form: str
    fit_rows: int
    held_out_rows: int
    rmse_log: float | None
    published: float | None
    params: tuple[tuple[str, float], ...]
    warnings: tuple[str, ...]
    error: str | None

    def as_dict(self) -> dict:
        return {"dataset": self.dataset, "curve": self.curve, "form": self.form, "fit_rows": self.fit_rows,
                "held_out_rows": self.held_out_rows, "rmse_log": self.rmse_log, "published": self.published,
                "params": {k: v for k, v in self.params}, "warnings": list(self.warnings), "error": self.error}


@dataclass(frozen=True)
class Summary:
    """Per data set and law: how many curves, and the mean and median extrapolation error over them."""

    dataset: str
    form: str
    curves: int
    failed: int
    mean_rmse_log: float | None
    median_rmse_log: float | None

    def as_dict(self) -> dict:
        return {"dataset": self.dataset, "form": self.form, "curves": self.curves, "failed": self.failed,
                "mean_rmse_log": self.mean_rmse_log, "median_rmse_log": self.median_rmse_log}


def add_parser(sub) -> None:
    """Add ``bench`` to the ``scaling-verify`` subparsers ``sub``."""
    pb = sub.add_parser("bench", help="fit the built-in laws on fixed public splits of real training runs "
                                      "and report their extrapolation error (offline)")
    pb.add_argument("--dataset", action="append", metavar="NAME",
                    help=f"only this data set (repeatable; default: all with a split: {', '.join(FORMS)})")
    pb.add_argument("--form", action="append", metavar="LAW",
                    help="only this law (repeatable; default: each data set's laws: "
                         + "; ".join(f"{k}: {', '.join(v)}" for k, v in FORMS.items())
                         + "; also available: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in OPTIONAL.items())
                         + ")")
    pb.add_argument("--curves", type=int, default=None, metavar="K",
                    help="only the first K curves of each data set (a quick subset; default: all)")
    pb.add_argument("--coverage", action="store_true",
                    help="also run rolling leave-future-out backtests on every stored data set and report how many "
                         "held-out points fall inside their prediction intervals (a few minutes)")
    pb.add_argument("--level", type=float, default=0.9,
                    help="with --coverage: the prediction intervals' level (default 0.9)")
    pb.add_argument("--json", action="store_true", help="print a JSON object (seed and library versions included)")


def _versions() -> dict[str, str | None]:
    import platform
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in ("scaling-verify", "numpy", "scipy", "jax", "jaxlib", "sympy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _selection(args) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    """The data sets and laws to run; ValueError (one line) on a bad option."""
    from scaling_verify.numerics.fitting import datasets

    from scaling_verify.numerics.fitting.calibration import STUDIES

    if not (math.isfinite(args.level) and 0.5 <= args.level < 1):
        raise ValueError(f"--level must be in [0.5, 1), got {args.level}")
    if args.dataset and args.coverage:  # a set without a split still has a backtest study
        bad = [n for n in args.dataset if n not in FORMS and n not in STUDIES]
        if bad:
            raise ValueError(f"--dataset {bad[0]!r} is not a stored data set with a benchmark; choose from "
                             f"{', '.join(dict.fromkeys([*FORMS, *STUDIES]))}")
    chosen = list(dict.fromkeys(n for n in (args.dataset or FORMS) if n in FORMS or not args.coverage))
    for name in chosen:
        if name not in FORMS:
            known = datasets.names()
            why = "has no split" if name in known else "is not a stored data set"
            raise ValueError(f"--dataset {name!r} {why}; choose from {', '.join(FORMS)}")
    laws = {name: FORMS[name] for name in chosen}
    if args.form:
        laws = {name: FORMS[name] + OPTIONAL.get(name, ()) for name in chosen}
        every = {f for v in laws.values() for f in v}
        bad = [f for f in args.form if f not in every]
        if bad:
            raise ValueError(f"--form {bad[0]!r} is not benchmarked on {', '.join(chosen)}; "
                             f"choose from {', '.join(sorted(every))}")
        laws = {k: tuple(f for f in v if f in args.form) for k, v in laws.items()}
        laws = {k: v for k, v in laws.items() if v}
        chosen = [k for k in chosen if k in laws]
    if args.curves is not None and args.curves < 1:
        raise ValueError(f"--curves must be >= 1, got {args.curves}")
    return chosen, laws


def curves(name: str) -> list[Curve]:
    """The fit-and-extrapolate problems of the data set ``name``, in a fixed order."""
    import numpy as np

    from scaling_verify.numerics.fitting import datasets

    ds = datasets.load(name)
    if ds.split is None:
        raise ValueError(f"data set {name!r} has no split")
    if name == "revisiting_lang":
        domain, model = ds.column("Domain"), ds.column("Model")
        out = []
        for key in dict.fromkeys(zip(domain.tolist(), model.tolist())):
            rows = (domain == key[0]) & (model == key[1])
            out.append(Curve(name, f"{key[0]} {key[1]}", {"x": ds.column("Seen Examples")[rows]},
                             ds.column("Loss")[rows], ds.split.fit[rows]))
        return out
    if name == "datablations_runs":
        return [Curve(name, "all runs", {c: ds.column(c) for c in ("N", "D", "U")}, ds.column("loss"),
                      np.asarray(ds.split.fit))]
    raise ValueError(f"no benchmark is defined for data set {name!r}")


def _form(law: str):
    from scaling_verify.numerics.fit import builtin_form

    return builtin_form(law, floor=True) if law == "power" else builtin_form(law)


def run_case(curve: Curve, law: str, published: float | None = None) -> Case:
    """Fit ``law`` on the fit rows of ``curve`` and score it on the held-out rows."""
    import warnings

    import numpy as np

    from scaling_verify.numerics.fit import fit_form

    form = _form(law)
    fit, held = np.asarray(curve.fit, bool), ~np.asarray(curve.fit, bool)
    cols = {c: np.asarray(curve.columns[c], float) for c in form.columns}
    y = np.asarray(curve.y, float)
    base = dict(dataset=curve.dataset, curve=curve.curve, form=law, fit_rows=int(fit.sum()),
                held_out_rows=int(held.sum()), published=published)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = fit_form(form, {c: v[fit] for c, v in cols.items()}, y[fit], bootstrap=0, seed=SEED,
                           identify=False)
            pred = np.asarray(res.predict({c: v[held] for c, v in cols.items()}), float)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            return Case(**base, rmse_log=None, params=(), warnings=(),
                        error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    notes = tuple(dict.fromkeys([*res.warnings, *(str(w.message).splitlines()[0] for w in caught)]))
    err = np.log(pred) - np.log(y[held])
    rmse = float(np.sqrt(np.mean(err ** 2))) if err.size and np.all(np.isfinite(err)) else None
    params = tuple((k, float(v)) for k, v in res.params().items())
    return Case(**base, rmse_log=rmse, params=params, warnings=notes,
                error=None if rmse is not None else "non-finite prediction on the held-out rows")


def summarise(cases: list[Case]) -> list[Summary]:
    import numpy as np

    out = []
    for key in dict.fromkeys((c.dataset, c.form) for c in cases):
        group = [c for c in cases if (c.dataset, c.form) == key]
        vals = np.array([c.rmse_log for c in group if c.rmse_log is not None], float)
        out.append(Summary(key[0], key[1], len(group), len(group) - vals.size,
                           float(vals.mean()) if vals.size else None,
                           float(np.median(vals)) if vals.size else None))
    return out


def bench(chosen: list[str], laws: dict[str, tuple[str, ...]], limit: int | None = None,
          progress=None) -> list[Case]:
    """Every case of the selection, in table order."""
    cases = []
    for name in chosen:
        for curve in curves(name)[:limit]:
            for law in laws[name]:
                cases.append(run_case(curve, law))
                if progress is not None:
                    progress(cases[-1])
    return cases


def _num(v: float | None, fmt: str = ".5f") -> str:
    return "n/a" if v is None or not math.isfinite(v) else format(v, fmt)


def _table(cases: list[Case], summary: list[Summary], chosen: list[str]) -> str:
    from scaling_verify.numerics.fitting import datasets

    head = ("data set", "curve", "law", "fit", "held", "rmse_log", "published")
    rows = [(c.dataset, c.curve, c.form, str(c.fit_rows), str(c.held_out_rows),
             _num(c.rmse_log) if c.error is None else "failed", _num(c.published)) for c in cases]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(r: tuple[str, ...]) -> str:  # text columns left-aligned, numbers right-aligned
        return "  ".join(v.ljust(w) if i < 3 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths)))

    out = [f"extrapolation error on fixed public splits; {METRIC}", "", line(head),
           "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out += ["", "summary (over curves):"]
    for s in summary:
        plural = "" if s.curves == 1 else "s"
        out.append(f"  {s.dataset} {s.form}: {s.curves} curve{plural}, mean rmse_log {_num(s.mean_rmse_log)}, "
                   f"median {_num(s.median_rmse_log)}" + (f", {s.failed} failed" if s.failed else ""))
    out.append("")
    for name in chosen:
        info = datasets.info(name)
        out.append(f"{name}: {info.citation}; {info.source.repository}@{info.source.commit[:12]} ({info.licence})")
        out.append(f"  split: {info.split}")
        if info.published:
            out.append(f"  published: {info.published}")
    for c in cases:
        if c.error is not None:
            out.append(f"failed: {c.dataset} {c.curve} {c.form}: {c.error}")
    return "\n".join(out)


def _json(cases: list[Case], summary: list[Summary], chosen: list[str], laws: dict[str, tuple[str, ...]],
          limit: int | None, coverage: dict | None = None) -> str:
    from scaling_verify.numerics.fitting import datasets

    sets = []
    for name in chosen:
        info = datasets.info(name)
        sets.append({"name": name, "file": info.file, "sha256": info.sha256, "rows": info.rows,
                     "licence": info.licence, "repository": info.source.repository, "commit": info.source.commit,
                     "paths": list(info.source.paths), "citation": info.citation, "arxiv": info.arxiv,
                     "split": info.split, "published": info.published or None})
    return json.dumps({"metric": METRIC, "seed": SEED,
                       "settings": {"bootstrap": 0, "identify": False, "curves_per_dataset": limit,
                                    "forms": {k: list(laws[k]) for k in chosen}},
                       "versions": _versions(), "datasets": sets,
                       "cases": [c.as_dict() for c in cases], "summary": [s.as_dict() for s in summary]}
                      | ({"coverage": coverage} if coverage is not None else {}),
                      indent=2, allow_nan=False)


def coverage_sets(args) -> list[str]:
    """The data sets of the backtest coverage study (none without ``--coverage``)."""
    from scaling_verify.numerics.fitting.calibration import STUDIES

    if not args.coverage:
        return []
    return [n for n in dict.fromkeys(args.dataset or STUDIES) if n in STUDIES]


def _coverage_table(results) -> str:
    from scaling_verify.numerics.fitting.calibration import STUDIES

    out = ["", f"rolling leave-future-out backtests: held-out points inside their {results[0].level:.0%} prediction "
               "interval (Wilson 95 % interval of the rate)"]
    for r in results:
        iv = r.interval
        rate = "n/a" if iv is None else f"{r.rate:.1%} [{iv[0]:.1%}, {iv[1]:.1%}]"
        out.append(f"  {r.dataset} {r.law}: {r.pooled.covered}/{r.pooled.total} = {rate}, {r.verdict}; "
                   f"rms log error {_num(r.rms_log_error, '.4f')}, mean {_num(r.mean_log_error, '+.4f')}"
                   + (f"; {r.without_interval} points without an interval" if r.without_interval else ""))
    for name in dict.fromkeys(r.dataset for r in results):
        st = STUDIES[name]
        out.append(f"  {name}: {st.rows}; {st.folds} folds")
    return "\n".join(out)


def run(args) -> int:
    import time

    from scaling_verify.numerics.fitting.calibration import STUDIES, coverage

    chosen, laws = _selection(args)
    start = time.perf_counter()
    cases = bench(chosen, laws, args.curves) if chosen else []
    summary = summarise(cases)
    cov = [coverage(n, law, level=args.level, seed=SEED) for n in coverage_sets(args) for law in STUDIES[n].laws]
    if args.json:
        extra = ({"level": args.level, "bootstrap": 100, "seed": SEED, "results": [r.as_dict() for r in cov]}
                 if args.coverage else None)
        print(_json(cases, summary, chosen, laws, args.curves, extra))
    else:
        print((_table(cases, summary, chosen) if chosen else "") + (_coverage_table(cov) if cov else ""))
    print(f"bench: {len(cases)} fits, {len(cov)} backtest studies in {time.perf_counter() - start:.1f} s",
          file=sys.stderr)
    return 0
