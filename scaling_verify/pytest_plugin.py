"""The pytest plugin: ``python -m pytest --sv`` runs the checks of every registered claim as tests.

Loaded automatically once scaling-verify is installed (entry point ``pytest11``); it does nothing
unless ``--sv`` is given. Items:

* ``<claim id>[<level>]`` with the marker of its level (``symbolic``, ``precise``, ``simulate``): passes
  when the check agrees with what the claim expects (a holding claim passes its check; a refuted
  printed formula is rejected by it);
* ``<claim id>[<level>-power]`` for every numeric check of a holding claim: feeds the check its power
  trials (:mod:`scaling_verify.checks.power`: x0.9, x1.1 or the declared perturbations, the declared
  wrong forms, and ± its target resolution) and fails if any is accepted. A check registered with ``power_exempt="why"`` gives a
  skipped power item with that reason;
* ``<claim id>[unchecked]`` fails for a selected claim with no check at all.

Options: ``--no-sv`` (undo an ``--sv`` in ``addopts``), ``--sv-theory T``, ``--sv-claim ID``, ``--sv-module M``
(repeatable; alone it selects only that module's claims, ``--sv-all`` adds the installed ones), ``--sv-level L``,
``--sv-full`` (full sizes), ``--sv-seed S`` (base seed, default 0).
"""

from __future__ import annotations

import pytest

from scaling_verify.levels import LEVELS, NUMERIC_LEVELS
from scaling_verify.selection import add_selection

LEVEL_MARKS = {
    "symbolic": "symbolic: SymPy derivation checks",
    "precise": "precise: mpmath high-precision checks",
    "simulate": "simulate: JAX simulation checks",
    "empirical": "empirical: published fits refitted on public training runs",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("scaling-verify", "scaling-verify: claims as tests")
    g.addoption("--sv", action="store_true", help="collect the checks of every registered claim as test items")
    g.addoption("--no-sv", action="store_false", dest="sv", help="do not collect them (overrides --sv in addopts)")
    add_selection(g.addoption, "sv-", dest=lambda name: f"sv_{name}", theory=[], claim=[])
    g.addoption("--sv-full", action="store_true", help="full sizes instead of quick ones")
    g.addoption("--sv-seed", type=int, default=0, help="base seed of the simulations (default 0)")
    g.addoption("--sv-no-power", action="store_true", help="do not collect the power items")
    g.addoption("--sv-no-plugins", action="store_true",
                help="load no third-party plug-in, only the built-in theories (or SCALING_VERIFY_PLUGINS=0)")


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    if not config.getoption("sv"):
        return None
    from importlib import metadata

    opt = config.getoption
    libs = []
    for lib in ("scaling-verify", "sympy", "mpmath", "numpy", "jax"):
        try:
            libs.append(f"{lib} {metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            pass
    return [f"scaling-verify: base seed {opt('sv_seed')}, {'full' if opt('sv_full') else 'quick'} sizes, "
            f"level {opt('sv_level')}; " + ", ".join(libs)]


_PATH = pytest.StashKey()


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("sv_no_plugins", False):
        from scaling_verify.settings import switch_plugins_off

        switch_plugins_off()
    for line in LEVEL_MARKS.values():
        config.addinivalue_line("markers", line)
    config.addinivalue_line("markers", "sv_power: a power item (the check must reject perturbed claims)")
    config.addinivalue_line("markers", "independent: a check that is independent evidence for its claim")
    config.addinivalue_line("markers", "consistency: a check that re-evaluates the formula it verifies")
    if config.getoption("sv", False):
        from scaling_verify.plugins import restoring_path

        # the --sv-module folders stay on sys.path for the session (the items import lazily), not after it
        config.stash[_PATH] = restoring_path()
        config.stash[_PATH].__enter__()


def pytest_unconfigure(config: pytest.Config) -> None:
    path = config.stash.get(_PATH, None)
    if path is not None:
        path.__exit__(None, None, None)
        del config.stash[_PATH]


class SVCheckFailure(Exception):
    """A check disagreed with what its claim expects."""


class ClaimItem(pytest.Item):
    """One check of one claim (or, with ``power``, the check against the claim's perturbations)."""

    def __init__(self, *, claim_id: str, level: str, power: bool = False, **kw) -> None:
        super().__init__(**kw)
        self.claim_id, self.level, self.power = claim_id, level, power

    def _ctx(self):
        from scaling_verify.checks import Context

        opt = self.config.getoption
        return Context(quick=not opt("sv_full"), seed=opt("sv_seed"))

    def runtest(self) -> None:
        from scaling_verify.checks import check_spec, run_check
        from scaling_verify.theory.claims import REGISTRY

        claim = REGISTRY.get(self.claim_id)
        if self.level == "unchecked":
            raise SVCheckFailure(f"{claim.id} has no check (no derivation and no numeric check)")
        if not self.power:
            res = run_check(claim, self.level, self._ctx())
            self.add_report_section("call", "detail", res.detail)
            if res.needs_data:
                pytest.skip(res.detail)
            if not res.agrees_with(claim):
                what = "rejected the claim" if claim.holds else "ACCEPTED the refuted printed formula"
                raise SVCheckFailure(f"{self.level} check {what}: {res.detail}")
            return
        from scaling_verify.checks.power import run_trials

        spec = check_spec(claim.id, self.level)
        if spec.power_exempt:
            pytest.skip(f"power exempt: {spec.power_exempt}")
        target = spec.target(not self.config.getoption("sv_full"))
        trials = run_trials(claim, self.level, self._ctx())
        if not trials and run_check(claim, self.level, self._ctx()).needs_data:
            pytest.skip("its data are not on this machine: no power trial can be judged")
        lines = [f"{t.label} [{t.kind}]: {'rejected' if t.rejected else 'ACCEPTED'} -- {t.detail}" for t in trials]
        lines.append(f"target resolution {target.value:g}" + (f" ({target.reason})" if target.reason else ""))
        self.add_report_section("call", "perturbations", "\n".join(lines))
        accepted = [t for t in trials if not t.rejected]
        if accepted:
            hint = ""
            if any(t.kind == "target" for t in accepted):
                hint = (f"\nIts target resolution is {target.value:g}" + (" (the level's default)" if not target.reason
                        else "") + "; a check whose method cannot resolve it declares the target it meets with "
                        "the reason: @check(..., resolution=..., resolution_reason=...).")
            raise SVCheckFailure(f"{self.level} check of {claim.id} accepted perturbed claims "
                                 f"{', '.join(t.label for t in accepted)}:\n" + "\n".join(lines) + hint)
        if self.config.getoption("sv_resolution"):
            from scaling_verify.checks.resolution import measure

            res = measure(claim, self.level, self._ctx(), target=target.value)
            self.add_report_section("call", "resolution", f"{res.text()}; target {target.value:g}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, SVCheckFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        """The file and line of the check (of the derivation for a symbolic item)."""
        return (*_where(self.claim_id, self.level), f"{self.claim_id}[{self.level}{'-power' if self.power else ''}]")


def _where(claim_id: str, level: str):
    import inspect

    from scaling_verify.checks import check_spec
    from scaling_verify.theory.claims import REGISTRY

    try:
        if level in NUMERIC_LEVELS:
            fn = check_spec(claim_id, level).fn
        else:
            fn = REGISTRY.get(claim_id).derive
        fn = inspect.unwrap(fn)
        return inspect.getsourcefile(fn) or "?", fn.__code__.co_firstlineno - 1
    except Exception:  # noqa: BLE001 -- a location is a courtesy: the registering file, line 0
        return REGISTRY.source_of(claim_id) or "?", 0


class BrokenPluginItem(pytest.Item):
    """A third-party plug-in that failed to import: its own item fails with the reason."""

    def __init__(self, *, reason: str, **kw) -> None:
        super().__init__(**kw)
        self.reason = reason

    def runtest(self) -> None:
        raise SVCheckFailure(self.reason)

    def repr_failure(self, excinfo, style=None):
        return str(excinfo.value)

    def reportinfo(self):
        return self.path, 0, self.name


class ClaimCollector(pytest.Collector):
    """Collects a :class:`ClaimItem` per selected claim and level, plus the power items."""

    def collect(self):
        from scaling_verify.checks import check_spec, levels_for
        from scaling_verify.run.verify import select_levels
        from scaling_verify.theory.claims import REGISTRY
        from scaling_verify.plugins import load_module

        from scaling_verify.plugins import BROKEN

        opt = self.config.getoption
        for mod in opt("sv_module"):
            load_module(mod, self.config.invocation_params.dir)
        if opt("sv_module") and not (opt("sv_theory") or opt("sv_claim") or opt("sv_all")):
            from scaling_verify.cli.verify import module_claims

            claims = module_claims(opt("sv_module"))
            if not claims:
                raise ValueError(f"--sv-module {', '.join(opt('sv_module'))} registered no claims; select with "
                                 "--sv-theory, --sv-claim or --sv-all")
        else:
            claims = REGISTRY.select(opt("sv_theory") or None, opt("sv_claim") or None)
        if not (opt("sv_module") or opt("sv_theory") or opt("sv_claim")):
            for label, reason in BROKEN.items():
                yield BrokenPluginItem.from_parent(self, name=f"{label}[import]", reason=reason)
        levels = select_levels(opt("sv_level"))
        for claim in claims:
            found = levels_for(claim, levels)
            if not found and set(levels) == set(LEVELS):
                yield ClaimItem.from_parent(self, name=f"{claim.id}[unchecked]", claim_id=claim.id, level="unchecked")
            for lv in found:
                item = ClaimItem.from_parent(self, name=f"{claim.id}[{lv}]", claim_id=claim.id, level=lv)
                item.add_marker(lv)
                if lv != "symbolic":  # the kind of evidence: select with -m consistency
                    item.add_marker(check_spec(claim.id, lv).evidence)
                yield item
            if claim.holds and not opt("sv_no_power"):
                for lv in (x for x in found if x != "symbolic"):
                    item = ClaimItem.from_parent(self, name=f"{claim.id}[{lv}-power]", claim_id=claim.id,
                                                 level=lv, power=True)
                    item.add_marker(lv)
                    item.add_marker("sv_power")  # an exempt check's item skips itself, with the reason
                    yield item


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    if not config.getoption("sv"):
        return
    from _pytest.reports import CollectReport

    try:
        collector = ClaimCollector.from_parent(session, name="scaling-verify")
        new = list(collector.collect())
    except ValueError as exc:  # a --sv-module that fails to import, an unknown id: one line
        raise pytest.UsageError(f"scaling-verify: {str(exc).splitlines()[0]}") from None
    items.extend(new)
    # tell the terminal reporter: "collected N items" counts the claims' items too
    session.ihook.pytest_collectreport(report=CollectReport(collector.nodeid, "passed", None, new))
