"""JUnit XML for CI dashboards: one test case per claim and level (and one per unchecked claim)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from numerics.verify import ClaimRecord


def junit_tree(records: list[ClaimRecord], *, seed: int, quick: bool) -> ET.ElementTree:
    """A ``<testsuites>`` tree: suites per theory, ``<testcase classname=theory name="id[level]">``.

    A case fails when the check's outcome differs from what the claim expects (a holding claim's check
    rejected it, or a refuted printed formula's check accepted it); an unchecked claim is a failure
    unless it was allowed, then it is skipped.
    """
    root = ET.Element("testsuites", name="scaling-verify")
    suites: dict[str, ET.Element] = {}
    for rec in records:
        th = rec.claim.theory
        if th not in suites:
            suites[th] = ET.SubElement(root, "testsuite", name=th)
            props = ET.SubElement(suites[th], "properties")
            ET.SubElement(props, "property", name="seed", value=str(seed))
            ET.SubElement(props, "property", name="sizes", value="quick" if quick else "full")
        suite = suites[th]
        if not rec.results:
            case = ET.SubElement(suite, "testcase", classname=th, name=f"{rec.claim.id}[unchecked]", time="0")
            tag = "skipped" if rec.allow_unchecked else "failure"
            ET.SubElement(case, tag, message="no check at the selected levels")
            continue
        for lv, res in rec.results.items():
            case = ET.SubElement(suite, "testcase", classname=th, name=f"{rec.claim.id}[{lv}]",
                                 time=f"{res.seconds:.3f}")
            if res.passed != rec.claim.holds:
                what = "check rejected the claim" if rec.claim.holds else "check accepted a refuted printed formula"
                ET.SubElement(case, "failure", message=what).text = res.detail
            else:
                ET.SubElement(case, "system-out").text = res.detail
    for suite in root:
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
        suite.set("skipped", str(sum(c.find("skipped") is not None for c in cases)))
        suite.set("time", f"{sum(float(c.get('time')) for c in cases):.3f}")
    return ET.ElementTree(root)


def write_junit(records: list[ClaimRecord], path: Path, *, seed: int, quick: bool) -> None:
    tree = junit_tree(records, seed=seed, quick=quick)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
