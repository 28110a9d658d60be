"""Measured values from report.json as LaTeX macros, the style file, BibTeX, and a paper that uses them.

The report comes from a real ``scaling-verify verify`` run of two fast precise checks.
"""

import json
import re
import shutil
import subprocess

import pytest

from scaling_verify.cli.main import main
from scaling_verify.report import latex
from scaling_verify.theory.claims import REGISTRY, Theory
from scaling_verify.report.latex.bibtex import base_key, bib_entry, cite_keys
from scaling_verify.checks.results import Measured
from scaling_verify.report.latex.report_values import format_interval, format_number

CLAIMS = ("dynamical.time_exponent", "dynamical.time_prefactor")
HAVE_TEX = shutil.which("pdflatex") is not None and shutil.which("bibtex") is not None
NEED_TEX = pytest.mark.skipif(not HAVE_TEX, reason="pdflatex/bibtex not on PATH (CI installs texlive-latex-base)")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("sv-report")
    argv = ["verify", "--level", "precise", "--report", str(out)]
    for c in CLAIMS:
        argv += ["--claim", c]
    assert main(argv) == 0
    return out


def _latex(capsys, *argv) -> tuple[int, str, str]:
    code = main(["latex", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_typed_loader_and_headline_rule(report_dir):
    rep = latex.load_report(report_dir)
    assert rep.seed == 0 and rep.sizes == "quick" and re.fullmatch(r"\d{4}-\d\d-\d\d", rep.date)
    assert rep.version("sympy") and rep.theories[0].id == "dynamical"
    rec = rep.claim("dynamical.time_exponent")
    assert rec.verdict == "verified"
    level, value = rec.headline()
    assert level == "precise" and isinstance(value, Measured)
    assert value.value == pytest.approx(2 / 3, rel=1e-6) and value.kind == "relative"


def test_measured_macros_from_a_real_report(report_dir, capsys):
    code, out, _ = _latex(capsys, "--theory", "dynamical", "--report", str(report_dir), "--digits", "4")
    assert code == 0
    assert r"\newcommand{\svDynamicalTimeExponentVerdict}{verified}" in out
    # an exact computation against a tolerance: the relative error is shown, not a zero-width band
    assert (r"\newcommand{\svDynamicalTimePrefactorMeasured}{0.5687 (rel.\ error \ensuremath{3.9\times10^{-16}}, "
            r"tol.\ \ensuremath{1.0\times10^{-10}})}") in out
    assert r"\newcommand{\svDynamicalTimeExponentMeasuredValue}{0.6667}" in out
    assert r"\newcommand{\svDynamicalTimeExponentPredicted}{0.6667}" in out
    assert r"\newcommand{\svDynamicalTimePrefactorPreciseOneValue}{0.5687}" in out
    assert r"\newcommand{\svReportSeed}{0}" in out and r"\svVerifiedAt" in out
    names = re.findall(r"\\newcommand\{\\([^}]*)\}", out)
    assert len(names) == len(set(names)) and all(n.isalpha() for n in names)
    # a claim the report does not hold gets its formula macros but no measured ones
    assert r"\svDynamicalComputeLossExponentEq}" in out and "ComputeLossExponentVerdict" not in out


def test_number_format_is_consistent():
    v = Measured("slope", 0.48, 0.5, True, lo=0.4731, hi=0.4869, tolerance=0.01)
    assert format_interval(v, 3) == ("0.480", "0.473", "0.487")
    assert format_number(1.5e13, 3) == r"\ensuremath{1.50\times10^{13}}"
    assert format_number(-0.02, 2) == r"\ensuremath{-}0.020"
    rel = Measured("x", 6.4216, 6.4216, True, tolerance=1e-7, kind="relative")
    assert format_interval(rel, 3) == ("6.42", "6.42", "6.42")


@pytest.mark.parametrize("content, message", [
    (None, "no report at"),
    ("{not json", "not valid JSON"),
    ('{"rows": []}', "not a scaling-verify report"),
    ('{"claims": [{"id": 3}], "seed": 0, "versions": {}}', "not a valid scaling-verify report"),
])
def test_bad_report_is_one_line_exit_2(tmp_path, capsys, content, message):
    if content is not None:
        (tmp_path / "report.json").write_text(content)
    code, out, err = _latex(capsys, "--report", str(tmp_path))
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_bibtex_entries_and_stable_keys(capsys):
    code, out, _ = _latex(capsys, "--format", "bibtex")
    assert code == 0
    keys = re.findall(r"@misc\{([^,]+),", out)
    assert len(keys) == len(REGISTRY.theories()) == len(set(keys))
    assert "bordelon2024dynamical" in keys
    assert all(re.fullmatch(r"[a-z]+\d{4}[a-z0-9]+", k) for k in keys)
    assert "author        = {Blake Bordelon and Alexander Atanasov and Cengiz Pehlevan}" in out
    assert "eprint        = {2402.01092}" in out and "archivePrefix = {arXiv}" in out
    assert "title         = {{A Dynamical Model of Neural Scaling Laws}}" in out


def test_bibtex_escapes_and_disambiguates():
    t1 = Theory(id="zz_one", title="The Ünusual & 100% {Scaling} of_x", authors=("José Ñúñez", "B. C"), year=2023)
    t2 = Theory(id="zz_two", title="Unusual things", authors=("Jose Nunez",), year=2023, url="https://x.org/a_b")
    assert base_key(t1) == "nunez2023unusual"
    assert cite_keys([t1, t2]) == {"zz_one": "nunez2023unusual", "zz_two": "nunez2023unusualb"}
    entry = bib_entry(t1, "k")
    assert r"\& 100\% \{Scaling\} of\_x" in entry and "Ünusual" not in entry


def test_sty_file(tmp_path, report_dir, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = _latex(capsys, "--format", "sty", "--report", str(report_dir))
    assert code == 0 and "scalingverify.sty" in err
    sty = (tmp_path / "scalingverify.sty").read_text()
    assert sty.startswith("\\NeedsTeXFormat{LaTeX2e}\n\\ProvidesPackage{scalingverify}")
    assert "\\providecommand" not in sty and sty.rstrip().endswith("\\endinput")
    assert r"\newcommand{\svDynamicalTimeExponentEq}" in sty


@NEED_TEX
def test_a_paper_using_the_package_the_measured_macros_and_bibtex(tmp_path, report_dir, capsys):
    assert _latex(capsys, "--format", "sty", "--report", str(report_dir), "-o", str(tmp_path))[0] == 0
    assert _latex(capsys, "--format", "bibtex", "--theory", "dynamical", "-o", str(tmp_path / "refs.bib"))[0] == 0
    (tmp_path / "paper.tex").write_text(r"""\documentclass{article}
\usepackage{scalingverify}
\begin{document}
\svDynamicalTimeExponentStatement{} \svDynamicalTimeExponentCite
\begin{equation}\svDynamicalTimeExponentEq\end{equation}
We measured \svDynamicalTimeExponentMeasured{} (\svDynamicalTimeExponentMeasuredWhat) against the
predicted \svDynamicalTimeExponentPredicted: \svDynamicalTimeExponentVerdict. The prefactor is
\svDynamicalTimePrefactorMeasuredValue. Runs: \svVerifiedAt.
\bibliographystyle{plain}
\bibliography{refs}
\end{document}
""")
    run = lambda *cmd: subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120)  # noqa: E731
    for cmd in (["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"], ["bibtex", "paper"],
                ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"],
                ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"]):
        proc = run(*cmd)
        assert proc.returncode == 0, (cmd, proc.stdout[-3000:])
    log = (tmp_path / "paper.log").read_text(errors="replace")
    assert "Citation" not in log and "undefined" not in log
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "paper.pdf", "-"], cwd=tmp_path, capture_output=True,
                              text=True).stdout
        text = " ".join(text.split())
        assert "0.667 (rel. error" in text and "verified" in text and "[1]" in text
        assert "A Dynamical Model of Neural Scaling Laws" in text and "Bordelon" in text
        assert "test loss decays as" in text and "textasciicircum" not in text


def test_report_claims_document_variant(report_dir, capsys):
    code, out, _ = _latex(capsys, "--format", "document", "--theory", "dynamical", "--report", str(report_dir))
    assert code == 0
    assert r"\textbf{Verified at:} seed 0, quick sizes," in out
    assert r"\svbadge{svgreen}{verified}" in out and "not in the report" in out


def test_report_json_is_written_by_verify(report_dir):
    data = json.loads((report_dir / "report.json").read_text())
    assert {c["id"] for c in data["claims"]} == set(CLAIMS)
