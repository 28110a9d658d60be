"""Reporting: the terminal table, the report folder (report.md, report.json, figures), JUnit, LaTeX for papers."""
