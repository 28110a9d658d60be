"""The installed package takes no generic top-level name: ``theory/`` and ``numerics/`` install as
subpackages of ``scaling_verify`` through the package-dir mapping of pyproject.toml, whose package
list must name every folder that holds an ``__init__.py`` (the engine's rooms under ``scaling_verify/`` too)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_listed_and_mapped():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapping = cfg["package-dir"]
    assert mapping == {"scaling_verify.theory": "theory", "scaling_verify.numerics": "numerics"}
    on_disk = set()
    for top, folder in (("scaling_verify", "scaling_verify"), ("scaling_verify.theory", "theory"),
                        ("scaling_verify.numerics", "numerics")):
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            on_disk.add(".".join([top, *rel.parts]) if rel.parts else top)
    assert set(cfg["packages"]) == on_disk
    assert not any(p.split(".")[0] in ("theory", "numerics") for p in cfg["packages"])


def test_entry_points_and_script_name_the_installed_modules():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["scaling-verify"].startswith("scaling_verify.")
    for value in project["entry-points"]["scaling_verify.theories"].values():
        assert value.startswith("scaling_verify.theory.")
