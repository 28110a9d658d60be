"""Check results as JSON data: what the report writes and the result cache stores (data that cannot
run code when it is read back, unlike a pickle).

``measured`` values are converted by :func:`jsonable` (numpy arrays to lists, numpy scalars to Python
numbers, non-finite floats and anything else to their text): a result read back from JSON therefore
reports exactly what a fresh result reports.
"""

from __future__ import annotations

import math
from typing import Any

from scaling_verify.checks import CheckResult, Figure, Measured, Series

FORMAT = 1


def jsonable(v: Any) -> Any:
    """``v`` as JSON-ready data (see the module docstring)."""
    import numpy as np

    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        return jsonable(v.tolist())
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return f if math.isfinite(f) else str(f)
    if isinstance(v, (np.integer, int)):
        return int(v)
    if v is None or isinstance(v, str):
        return v
    return str(v)


def _series(s: Series) -> dict:
    return {"label": s.label, "x": jsonable(list(s.x)), "y": jsonable(list(s.y)), "kind": s.kind,
            "yerr": None if s.yerr is None else jsonable(list(s.yerr))}


def _num(v: Any) -> float:
    return float(v)  # "inf"/"nan" strings come back as floats


def figure_to_json(fig: Figure) -> dict:
    return {"title": fig.title, "xlabel": fig.xlabel, "ylabel": fig.ylabel, "logx": fig.logx,
            "logy": fig.logy, "series": [_series(s) for s in fig.series]}


def figure_from_json(d: dict) -> Figure:
    return Figure(title=str(d["title"]), xlabel=str(d["xlabel"]), ylabel=str(d["ylabel"]),
                  logx=bool(d["logx"]), logy=bool(d["logy"]),
                  series=[Series(label=str(s["label"]), x=[_num(v) for v in s["x"]], y=[_num(v) for v in s["y"]],
                                 kind=str(s["kind"]),
                                 yerr=None if s["yerr"] is None else [_num(v) for v in s["yerr"]])
                          for s in d["series"]])


def measured_to_json(m: Measured) -> dict:
    return {"name": m.name, "value": jsonable(m.value), "predicted": jsonable(m.predicted), "lo": jsonable(m.lo),
            "hi": jsonable(m.hi), "tolerance": jsonable(m.tolerance), "kind": m.kind, "consistent": m.consistent}


def measured_from_json(d: dict) -> Measured:
    opt = (lambda v: None if v is None else _num(v))
    return Measured(name=str(d["name"]), value=_num(d["value"]), predicted=_num(d["predicted"]),
                    consistent=bool(d["consistent"]), lo=opt(d["lo"]), hi=opt(d["hi"]),
                    tolerance=_num(d["tolerance"]), kind=str(d["kind"]))


def resolution_to_json(r) -> dict | None:
    if r is None:
        return None
    return {"kind": r.kind, "value": r.value, "text": r.text(), "floor": r.floor, "ceiling": r.ceiling, "runs": r.runs,
            "minus": [r.minus.rejected_at, r.minus.accepted_below], "plus": [r.plus.rejected_at, r.plus.accepted_below]}


def resolution_from_json(d: dict | None):
    from scaling_verify.checks.resolution import Resolution, Side

    if d is None:
        return None
    side = (lambda v: Side(None if v[0] is None else float(v[0]), float(v[1])))
    return Resolution(str(d["kind"]), side(d["minus"]), side(d["plus"]), float(d["floor"]), float(d["ceiling"]),
                      int(d["runs"]))


def trials_to_json(trials) -> list | None:
    if trials is None:
        return None
    return [{"label": t.label, "kind": t.kind, "rejected": bool(t.rejected), "detail": t.detail} for t in trials]


def trials_from_json(d: list | None):
    from scaling_verify.checks.power import KINDS, Trial

    if d is None:
        return None
    out = tuple(Trial(str(t["label"]), str(t["kind"]), t["rejected"], str(t["detail"])) for t in d)
    if any(t.kind not in KINDS or not isinstance(t.rejected, bool) for t in out):
        raise ValueError("not a power trial")
    return out


def result_to_json(res: CheckResult) -> dict:
    """``res`` as JSON-ready data (every field)."""
    return {"resolution": resolution_to_json(res.resolution), "trials": trials_to_json(res.trials), "format": FORMAT, "passed": bool(res.passed), "detail": res.detail, "measured": jsonable(res.measured),
            "figure": None if res.figure is None else figure_to_json(res.figure), "seconds": float(res.seconds),
            "values": [measured_to_json(m) for m in res.values], "evidence": res.evidence,
            "power_exempt": res.power_exempt, "outcome": res.outcome}


def result_from_json(d: dict) -> CheckResult:
    """The :class:`CheckResult` of :func:`result_to_json` (KeyError, TypeError or ValueError when
    ``d`` is not one)."""
    if d.get("format") != FORMAT or not isinstance(d.get("passed"), bool) or not isinstance(d.get("detail"), str):
        raise ValueError("not a check result")
    if not isinstance(d["measured"], dict) or not isinstance(d["values"], list):
        raise ValueError("not a check result")
    return CheckResult(passed=d["passed"], detail=d["detail"], measured=d["measured"],
                       figure=None if d["figure"] is None else figure_from_json(d["figure"]),
                       seconds=float(d["seconds"]), values=[measured_from_json(m) for m in d["values"]],
                       evidence=str(d["evidence"]), power_exempt=str(d["power_exempt"]),
                       resolution=resolution_from_json(d.get("resolution")),
                       trials=trials_from_json(d.get("trials")), outcome=str(d.get("outcome", "")))
