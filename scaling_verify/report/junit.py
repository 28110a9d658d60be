"""JUnit XML for CI dashboards: one test case per claim and level (and one per unchecked claim)."""

from __future__ import annotations

import os
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from scaling_verify.run.verify import ClaimRecord

# characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF)
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML cannot hold written as ``\\xNN``/``\\uNNNN``."""
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def junit_tree(records: list[ClaimRecord], *, seed: int, quick: bool,
               broken: dict[str, str] | None = None) -> ET.ElementTree:
    """A ``<testsuites>`` tree: suites per theory, ``<testcase classname=theory name="id[level]">``.

    A case fails when the check's outcome differs from what the claim expects (a holding claim's check
    rejected it, or a refuted printed formula's check accepted it); an unchecked claim is a failure
    unless it was allowed, then it is skipped; a check whose data are not on this machine is skipped with
    the line that says how to fetch them.
    """
    root = ET.Element("testsuites", name="scaling-verify")
    suites: dict[str, ET.Element] = {}
    props = {"seed": str(seed), "sizes": "quick" if quick else "full"}
    for rec in records:
        th = rec.claim.theory
        suite = _suite(root, suites, th, props)
        if not rec.results:
            case = ET.SubElement(suite, "testcase", classname=th, name=f"{rec.claim.id}[unchecked]", time="0")
            tag = "skipped" if rec.allow_unchecked else "failure"
            ET.SubElement(case, tag, message="no check at the selected levels")
            continue
        for lv, res in rec.results.items():
            case = ET.SubElement(suite, "testcase", classname=th, name=f"{rec.claim.id}[{lv}]",
                                 time=f"{res.seconds:.3f}")
            if res.needs_data:
                ET.SubElement(case, "skipped", message=res.detail.splitlines()[0] if res.detail else "needs data")
                continue
            if not res.agrees_with(rec.claim):
                what = "check rejected the claim" if rec.claim.holds else "check accepted a refuted printed formula"
                ET.SubElement(case, "failure", message=what).text = xml_text(res.detail)
            else:
                ET.SubElement(case, "system-out").text = xml_text(res.detail)
    if broken:
        suite = ET.SubElement(root, "testsuite", name="plug-ins")
        for label, reason in broken.items():
            case = ET.SubElement(suite, "testcase", classname="plug-ins", name=f"{label}[import]", time="0")
            ET.SubElement(case, "failure", message="the plug-in failed to import").text = xml_text(reason)
    _totals(root)
    return ET.ElementTree(root)


def _suite(root: ET.Element, suites: dict[str, ET.Element], theory: str, props: dict[str, str]) -> ET.Element:
    """The ``<testsuite>`` of ``theory`` (made, with its ``properties``, on first use)."""
    if theory not in suites:
        suites[theory] = ET.SubElement(root, "testsuite", name=theory)
        holder = ET.SubElement(suites[theory], "properties")
        for name, value in props.items():
            ET.SubElement(holder, "property", name=name, value=value)
    return suites[theory]


def _totals(root: ET.Element) -> None:
    for suite in root:
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
        suite.set("skipped", str(sum(c.find("skipped") is not None for c in cases)))
        suite.set("time", f"{sum(float(c.get('time')) for c in cases):.3f}")


def sweep_tree(tallies, seeds: list[int], *, quick: bool) -> ET.ElementTree:
    """A seed sweep as JUnit: one case per check, failing when it went against its claim, or a power
    trial was accepted, on more seeds than the sweep's rule allows (:class:`scaling_verify.run.seeds.SeedTally`)."""
    root = ET.Element("testsuites", name="scaling-verify seed sweep")
    suites: dict[str, ET.Element] = {}
    props = {"seeds": f"{seeds[0]}..{seeds[-1]} ({len(seeds)})", "sizes": "quick" if quick else "full"}
    for t in tallies:
        th = t.claim.theory
        case = ET.SubElement(_suite(root, suites, th, props), "testcase", classname=th, name=f"{t.claim.id}[{t.level}]", time="0")
        text = (f"against its claim ({t.what}) on {len(t.bad)} of {len(t.seeds)} seeds"
                f"{': ' + ','.join(map(str, t.bad)) if t.bad else ''}; allowed {t.allowed}")
        text += "".join(f"\npower trial {label} ({kind}): rejected on {t.rejections((label, kind))} of {len(t.seeds)}"
                        for label, kind in t.trials)
        if t.over_budget:
            ET.SubElement(case, "failure", message="over budget").text = xml_text(text)
        else:
            ET.SubElement(case, "system-out").text = xml_text(text)
    _totals(root)
    return ET.ElementTree(root)


def write_tree(tree: ET.ElementTree, path: Path) -> None:
    """Write ``tree`` to ``path`` atomically (a temporary file beside it, then a rename)."""
    ET.indent(tree)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            tree.write(fh, encoding="utf-8", xml_declaration=True)
        os.replace(tmp, path)
    except BaseException:
        with __import__("contextlib").suppress(OSError):
            os.unlink(tmp)
        raise


def write_junit(records: list[ClaimRecord], path: Path, *, seed: int, quick: bool,
                broken: dict[str, str] | None = None) -> None:
    write_tree(junit_tree(records, seed=seed, quick=quick, broken=broken), path)
