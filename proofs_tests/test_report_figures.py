"""The report's figures: drawn once per figure (the result cache keeps their PNGs, bound to their key like the
results), a figure that cannot be drawn costs only its PNG, and broken plug-ins reach report.json."""

import json

from scaling_verify.checks import CheckResult, Figure, Series
from scaling_verify.report.folder import figure_png, report_files
from scaling_verify.run.cache import ResultCache
from scaling_verify.run.verify import ClaimRecord
from scaling_verify.theory.claims import REGISTRY

FIG = Figure("t", "x", "y", [Series("theory", [1.0, 10.0], [1.0, 0.1]), Series("sim", [1.0, 10.0], [1.1, 0.09], "points")])


def test_the_cache_draws_each_figure_once_and_redraws_a_forged_entry(tmp_path):
    cache, calls = ResultCache(tmp_path), []

    def draw(fig):
        calls.append(fig)
        return figure_png(fig)

    first = cache.figure_png(FIG, draw)
    assert first.startswith(b"\x89PNG") and len(calls) == 1
    assert cache.figure_png(FIG, draw) == first and len(calls) == 1  # read back, not drawn
    other = Figure("t", "x", "y", [Series("theory", [1.0, 10.0], [1.0, 0.2])])
    cache.figure_png(other, draw)
    assert len(calls) == 2  # other data: drawn
    for p in (tmp_path / "figures").rglob("*.json"):  # forge every entry: a different picture, the old MAC
        d = json.loads(p.read_text())
        d["png"] = d["png"][:-8] + "AAAAAAA="
        p.write_text(json.dumps(d))
    assert cache.figure_png(FIG, draw) == first and len(calls) == 3  # not trusted: drawn again


def test_a_broken_figure_and_a_broken_plugin_reach_the_report():
    claim = REGISTRY.get("dynamical.time_exponent")
    bad = Figure("t", "x", "y", [Series("s", ["one", "two"], [1.0, 2.0])])  # not numbers: cannot be drawn
    rec = ClaimRecord(claim, {"precise": CheckResult(True, "ok", figure=bad), "simulate": CheckResult(True, "ok", figure=FIG)})
    files = report_files([rec], 0, True, 1.0, "run", broken={"plug-in x (dist)": "failed to import"})
    data = json.loads(files["report.json"])
    assert data["broken_plugins"] == {"plug-in x (dist)": "failed to import"} and data["ok"] is False
    assert data["figures"] == ["dynamical__time_exponent__simulate.png"]
    md = files["report.md"].decode()
    assert "Figures that could not be drawn:\n- dynamical.time_exponent [precise]" in md
    assert "plug-in x (dist): failed to import" in md
