"""Reports: the terminal table (rich), report.json, report.md and PNG figures."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np

from scaling_verify.checks import LEVELS, Figure
from scaling_verify.checks.result_io import jsonable, measured_to_json, resolution_to_json
from scaling_verify.run.verify import ClaimRecord
from scaling_verify.report.latex import claim_latex

MARK = {True: "pass", False: "FAIL"}


def versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("scaling-verify", "sympy", "mpmath", "numpy", "scipy", "jax", "jaxlib", "optax", "matplotlib"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out


def _cell(rec: ClaimRecord, level: str) -> str:
    r = rec.results.get(level)
    if r is None:
        return "-"
    if r.needs_data:
        return r.outcome
    if r.outcome:  # an empirical check: the verdict it found on the published fit
        return r.outcome if r.outcome == rec.claim.outcome else f"{r.outcome.upper()} (claimed {rec.claim.outcome})"
    if not rec.claim.holds:
        return "rejects" if not r.passed else "ACCEPTS"
    return MARK[r.passed] + (" (consistency)" if r.evidence == "consistency" else "")


def target_of(claim_id: str, level: str, quick: bool):
    """The :class:`scaling_verify.checks.Target` of a numeric check (None for a symbolic one)."""
    from scaling_verify.checks import check_spec

    return None if level == "symbolic" else check_spec(claim_id, level).target(quick)


def target_to_json(t) -> dict | None:
    return None if t is None else {"value": t.value, "default": t.default, "reason": t.reason or None}


def resolution_cell(rec: ClaimRecord, quick: bool = True) -> str:
    """The measured resolutions of a claim's numeric checks, "p 2.1e-09, s 0.031" (a "!" marks one
    coarser than its target), or "-" when none was measured."""
    out = []
    for lv, r in rec.results.items():
        if r.resolution is not None:
            v, t = r.resolution.value, target_of(rec.claim.id, lv, quick)
            mark = "" if t is None or t.value is None or r.resolution.meets(t.value) else "!"
            out.append(f"{lv[0]} {'> ' + format(r.resolution.ceiling, '.2g') if v is None else format(v, '.2g')}{mark}")
    return ", ".join(out) or "-"


def figure_name(claim_id: str, level: str) -> str:
    return f"{claim_id.replace('.', '__')}__{level}.png"


def figure_png(fig: Figure) -> bytes:
    """The PNG of ``fig`` (drawn on its own ``matplotlib.figure.Figure``: no global backend change)."""
    import io

    from matplotlib.figure import Figure as MplFigure

    f = MplFigure(figsize=(5.2, 3.8), dpi=110)
    ax = f.add_subplot()
    for s in fig.series:
        x, y = np.asarray(s.x, float), np.asarray(s.y, float)
        if s.kind == "points":
            ax.errorbar(x, y, yerr=None if s.yerr is None else np.asarray(s.yerr, float), fmt="o", ms=4,
                        label=s.label, capsize=2)
        else:
            ax.plot(x, y, "-", label=s.label)
    if fig.logx:
        ax.set_xscale("log")
    if fig.logy:
        ax.set_yscale("log")
    ax.set_xlabel(fig.xlabel)
    ax.set_ylabel(fig.ylabel)
    ax.set_title(fig.title, fontsize=9)
    ax.legend(fontsize=7)
    f.tight_layout()
    buf = io.BytesIO()
    f.savefig(buf, format="png")
    return buf.getvalue()


def _theory_json(t) -> dict:
    return {"id": t.id, "title": t.title, "authors": list(t.authors), "year": t.year, "arxiv": t.arxiv,
            "url": t.url, "notes": t.notes}


def to_json(records: list[ClaimRecord], seed: int, quick: bool, seconds: float) -> dict:
    """The report as JSON-ready data: seed, sizes, versions, date, the theories and, per claim, its
    checks with their evidence kind and the measured values of the verdict helpers."""
    import datetime

    from scaling_verify.theory.claims import REGISTRY

    claims = []
    for rec in records:
        c = rec.claim
        claims.append({
            "id": c.id, "theory": c.theory, "status": c.status, "holds": c.holds, "verdict": rec.verdict,
            "statement": c.statement, "latex": claim_latex(c), "source": c.source,
            "corrects": c.corrects, "evidence": c.evidence, "notes": c.notes,
            "checks": {lv: _check_json(c, lv, r, quick) for lv, r in rec.results.items()},
        })
    theories = sorted({rec.claim.theory for rec in records}, key=[t.id for t in REGISTRY.theories()].index)
    return {"seed": seed, "quick": quick, "seconds": round(seconds, 2), "versions": versions(),
            "date": datetime.date.today().isoformat(), "ok": all(r.ok for r in records),
            "theories": [_theory_json(REGISTRY.theory(t)) for t in theories], "claims": claims}


def _check_json(c, lv: str, r, quick: bool) -> dict:
    """One check of a claim in report.json: verdict, evidence, measured values, target and resolution."""
    target = target_of(c.id, lv, quick)
    return {"passed": r.passed, "detail": r.detail, "seconds": round(r.seconds, 4),
            "evidence": r.evidence, "power_exempt": r.power_exempt or None,
            "values": [measured_to_json(m) for m in r.values],
            "measured": jsonable(r.measured),
            "figure": figure_name(c.id, lv) if r.figure is not None else None,
            "target": target_to_json(target), "resolution": _resolution_json(r.resolution, target)}


def _resolution_json(res, target) -> dict | None:
    out = resolution_to_json(res)
    if out is not None:
        out["meets_target"] = None if target is None or target.value is None else res.meets(target.value)
    return out


def to_markdown(records: list[ClaimRecord], seed: int, quick: bool, seconds: float,
                present: set[str] | None = None) -> str:
    lines = ["# scaling-verify report", "",
             f"seed {seed}, {'quick' if quick else 'full'} sizes, {seconds:.1f} s; "
             + ", ".join(f"{k} {v}" for k, v in versions().items()), "",
             "| claim | status | verdict | " + " | ".join(LEVELS) + " | resolution |",
             "|---|---|---|" + "---|" * (len(LEVELS) + 1)]
    for rec in records:
        lines.append(f"| `{rec.claim.id}` | {rec.claim.status} | {rec.verdict} | "
                     + " | ".join(_cell(rec, lv) for lv in LEVELS) + f" | {resolution_cell(rec, quick)} |")
    lines.append("")
    for rec in records:
        c = rec.claim
        lines += [f"## `{c.id}` — {rec.verdict}", "", c.statement, "", f"$$ {claim_latex(c)} $$", "",
                  f"- status: {c.status}{'' if c.holds else ' (printed form, refuted)'}", f"- source: {c.source}"]
        if c.corrects:
            lines.append(f"- corrects: `{c.corrects}`")
        if c.evidence:
            lines.append(f"- evidence: {c.evidence}")
        if c.notes:
            lines.append(f"- notes: {c.notes}")
        for lv, r in rec.results.items():
            kind = {"derivation": "derivation", "independent": "independent evidence",
                    "consistency": "consistency check"}.get(r.evidence, r.evidence)
            lines.append(f"- **{lv}** ({kind}, {r.seconds:.2f} s): {'passed' if r.passed else 'rejected'} — {r.detail}")
            if r.power_exempt:
                lines.append(f"  - no power items (exempt): {r.power_exempt}")
            t = target_of(c.id, lv, quick)
            if t is not None and t.value is not None:
                lines.append(f"  - target resolution {t.value:g}" + (f" (coarser than {t.default:g}: {t.reason})"
                                                                      if t.reason else ""))
            if r.resolution is not None:
                verdict = "" if t is None or t.value is None else (
                    "; meets its target" if r.resolution.meets(t.value) else "; COARSER than its target")
                lines.append(f"  - {r.resolution.text()}{verdict}")
            if r.figure is not None and (present is None or figure_name(c.id, lv) in present):
                lines.append(f"  ![{c.id} {lv}]({figure_name(c.id, lv)})")
        lines.append("")
    return "\n".join(lines)


def report_files(records: list[ClaimRecord], seed: int, quick: bool, seconds: float,
                 run_id: str, broken: dict[str, str] | None = None, cache=None) -> dict[str, bytes]:
    """Every file of the report, in memory: report.json, report.md and the PNG figures (read from
    ``cache``, a :class:`scaling_verify.run.cache.ResultCache`, when it drew the same figure before). A
    figure that cannot be drawn is left out and said so in the markdown, not fatal. ``broken``: the
    plug-ins that failed to import (label -> reason)."""
    files: dict[str, bytes] = {}
    bad_figures: list[str] = []
    for rec in records:
        for lv, r in rec.results.items():
            if r.figure is not None:
                try:
                    png = figure_png(r.figure) if cache is None else cache.figure_png(r.figure, figure_png)
                    files[figure_name(rec.claim.id, lv)] = png
                except Exception as exc:  # noqa: BLE001 -- a bad figure costs its PNG, not the report
                    bad_figures.append(f"{rec.claim.id} [{lv}]: {type(exc).__name__}: {exc}")
    data = to_json(records, seed, quick, seconds)
    data["run"] = run_id
    data["figures"] = sorted(files)
    data["broken_plugins"] = dict(broken or {})
    if broken:
        data["ok"] = False
    md = to_markdown(records, seed, quick, seconds, present=set(files)) + f"\n\nrun {run_id}\n"
    if broken:
        md += "\nPlug-ins that failed to import (their theories did not run):\n" + "".join(
            f"- {label}: {reason}\n" for label, reason in broken.items())
    if bad_figures:
        md += "\nFigures that could not be drawn:\n" + "".join(f"- {b}\n" for b in bad_figures)
    files["report.json"] = json.dumps(data, indent=2, allow_nan=False).encode()
    files["report.md"] = md.encode("utf-8")
    return files


def write_report(records: list[ClaimRecord], out: Path, seed: int, quick: bool, seconds: float,
                 run_id: str | None = None, broken: dict[str, str] | None = None, cache=None) -> None:
    """Write the report folder as one set (:func:`scaling_verify.report.atomic_files.publish`): either the previous
    complete report or this one, never a mix; figures of earlier runs that this one lacks are removed."""
    import uuid

    from scaling_verify.report.atomic_files import publish

    run_id = run_id or uuid.uuid4().hex
    publish(out, report_files(records, seed, quick, seconds, run_id, broken, cache), run_id=run_id,
            stale_pattern="*__*.png")


def table(records: list[ClaimRecord], quick: bool = True):
    """The terminal table: a row per claim, a column per level, the measured resolutions when any."""
    from rich.table import Table

    t = Table(title="scaling-verify", show_lines=False)
    resolved = any(r.resolution is not None for rec in records for r in rec.results.values())
    for col in ("claim", "status", "verdict", *LEVELS, *(["resolution"] if resolved else []), "figure"):
        t.add_column(col, no_wrap=(col == "claim"))
    for rec in records:
        colour = {"verified": "green", "consistent": "yellow", "derived": "blue", "refuted": "cyan",
                  "reproduced": "green", "not reproducible": "cyan", "needs data": "yellow",
                  "FAILED": "red", "unchecked": "magenta"}.get(rec.verdict, "white")
        figs = [lv for lv, r in rec.results.items() if r.figure is not None]
        t.add_row(rec.claim.id, rec.claim.status, f"[{colour}]{rec.verdict}[/{colour}]",
                  *[_cell(rec, lv) for lv in LEVELS], *([resolution_cell(rec, quick)] if resolved else []),
                  ",".join(figs) or "-")
    return t
