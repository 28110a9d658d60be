"""Scale-out: the result cache, Dask executors (embedded and an existing cluster), a worker that
dies, and seed sweeps. Each runs the command as a user would, in a temporary folder."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
SV = str(BIN / "scaling-verify")

PLUGIN = '''
import os
import mpmath
import sympy as sp
import scaling_verify as sv

a = sp.Symbol("a", positive=True)
sv.register_theory(sv.Theory(id="scaleout", title="Scale-out test", authors=("T. Est",), year=2026))
for name in ("one", "two", "crash"):
    sv.register(sv.Claim(id=f"scaleout.{name}", theory="scaleout", quantity="q", expr=a - 1, symbols=(a,),
                         statement="zeta tail exponent", source="test", params={"a": 2.5}))

def _slope(claim, ctx):
    a_, n = claim.params["a"], 10 ** 4
    with mpmath.workdps(30):
        s = -n * mpmath.diff(lambda x: mpmath.log(mpmath.zeta(a_, x + 1)), n)
    # a seeded "measurement" noise: shows that results depend on the seed and nothing else
    noise = ctx.seed * 1e-9
    ok, detail = sv.relative_verdict("slope", s + noise, claim.value(), rtol=a_ / (2 * n * (a_ - 1)))
    return sv.CheckResult(ok, detail)

# the tolerance a/(2n(a-1)) = 8.3e-5 at n = 1e4 plus the slope's own offset there: what the check can see
TARGET = dict(resolution=2e-4, resolution_reason="the Euler-Maclaurin tolerance 8.3e-5 plus the slope's offset")
sv.check("scaleout.one", "precise", **TARGET)(_slope)
sv.check("scaleout.two", "precise", **TARGET)(lambda c, x: _slope(c, x))

@sv.check("scaleout.crash", "precise", **TARGET)
def _crash(claim, ctx):
    if os.environ.get("SV_TEST_CRASH"):
        os._exit(1)  # the worker process dies
    return _slope(claim, ctx)
'''


def _cli(args, cwd, env=None, timeout=300):
    return subprocess.run([SV, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def work(tmp_path):
    (tmp_path / "scaleout_mod.py").write_text(PLUGIN)
    return tmp_path


def _report(folder: Path) -> list:
    rep = json.loads((folder / "report.json").read_text())
    for c in rep["claims"]:
        for chk in c["checks"].values():
            chk.pop("seconds")
    return rep["claims"]


# slow (20 s): the default run keeps the cache's trust tests (test_trust.py: an edited helper module, entries bound to their key)
@pytest.mark.slow
def test_cache_reads_unchanged_checks_and_recomputes_edited_ones(work):
    args = ["verify", "--module", "scaleout_mod", "--theory", "scaleout", "--cache", "cache"]
    first = _cli(args + ["--report", "r1"], work)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "cache: 0 read, 3 computed" in first.stdout
    second = _cli(args + ["--report", "r2"], work)
    assert "cache: 3 read, 0 computed" in second.stdout and second.returncode == 0
    assert _report(work / "r1") == _report(work / "r2")
    # a corrupt entry is ignored and recomputed, never trusted
    entry = sorted((work / "cache").rglob("*.json"))[0]
    entry.write_bytes(entry.read_bytes()[:-10] + b"0123456789")
    third = _cli(args + ["--no-report"], work)
    assert "cache: 2 read, 1 computed (1 unreadable entries ignored)" in third.stdout
    # editing the module that holds the checks recomputes them; the seed is part of the key
    (work / "scaleout_mod.py").write_text(PLUGIN + "\n# edited\n")
    assert "cache: 0 read, 3 computed" in _cli(args + ["--no-report"], work).stdout
    assert "0 read, 3 computed" in _cli(args + ["--no-report", "--seed", "1"], work).stdout
    env = {"SCALING_VERIFY_CACHE": str(work / "cache")}
    assert "cache: 3 read" in _cli(args[:-2] + ["--no-report"], work, env).stdout


def test_embedded_dask_cluster_matches_the_serial_run(work):
    serial = _cli(["verify", "--module", "scaleout_mod", "--theory", "scaleout", "--report", "s"], work)
    pooled = _cli(["verify", "--module", "scaleout_mod", "--theory", "scaleout", "--report", "p", "--workers", "2"], work)
    assert serial.returncode == pooled.returncode == 0, pooled.stdout + pooled.stderr
    assert _report(work / "s") == _report(work / "p")


def test_a_worker_that_dies_fails_its_check_only(work):
    out = _cli(["verify", "--module", "scaleout_mod", "--theory", "scaleout", "--no-report", "--workers", "1",
                "--level", "precise"], work, env={"SV_TEST_CRASH": "1"}, timeout=600)
    assert out.returncode == 1
    assert re.search(r"FAILED scaleout.crash \[precise\]: error: the check could not run on a worker: KilledWorker",
                     out.stdout), out.stdout
    assert "2 verified" in out.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# slow (22 s): the default run keeps test_embedded_dask_cluster_matches_the_serial_run and the trust tests of persistent clusters
@pytest.mark.slow
def test_an_existing_scheduler_with_two_workers(work):
    dask = shutil.which("dask", path=str(BIN))
    if dask is None:
        pytest.skip("the dask command is not installed")
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(work)}
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        time.sleep(2)
        for _ in range(2):
            procs.append(subprocess.Popen([dask, "worker", addr, "--nthreads", "1", "--no-dashboard"], cwd=work,
                                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(3)
        _cli(["verify", "--module", "scaleout_mod", "--theory", "scaleout", "--report", "s"], work)
        remote = _cli(["verify", "--module", "scaleout_mod", "--theory", "scaleout", "--report", "d",
                       "--scheduler", addr], work)
        assert remote.returncode == 0, remote.stdout + remote.stderr
        assert _report(work / "s") == _report(work / "d")
    finally:
        for p in procs[::-1]:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


# slow (13 s: the connection attempt waits out its timeout); the default run keeps the same error through the API
# (test_trust.py, a 1.5 s timeout) and the bad --workers value below
@pytest.mark.slow
def test_unreachable_scheduler_exits_2(work):
    out = _cli(["verify", "--module", "scaleout_mod", "--scheduler", f"tcp://127.0.0.1:{_free_port()}"], work)
    assert out.returncode == 2 and "no Dask scheduler answered at" in out.stderr


def test_bad_workers_exit_2(work):
    out = _cli(["verify", "--workers", "0"], work)
    assert out.returncode == 2 and "--workers must be >= 1" in out.stderr


def test_seed_sweep_counts_checks_against_their_claims(work):
    out = _cli(["verify", "--module", "scaleout_mod", "--theory", "scaleout", "--seeds", "0-2", "--json",
                "--level", "precise"], work)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["seeds"] == [0, 1, 2] and len(res["checks"]) == 3
    assert all(c["runs"] == 3 and c["against"] == [] for c in res["checks"])
    bad = _cli(["verify", "--seeds", "5-1"], work)
    assert bad.returncode == 2 and "--seeds" in bad.stderr


def test_jobs_go_to_workers_in_groups_by_check_module_costliest_first():
    """Checks of one module (which share measurements and compiled functions) form one worker task; the
    groups go out costliest first; every job is in exactly one group."""
    from scaling_verify.checks import Context, check_spec
    from scaling_verify.run.verify import LEVEL_COST, job_groups, plan
    from scaling_verify.theory.claims import REGISTRY

    claims = REGISTRY.select(["dynamical", "quanta"], None)
    jobs = [(c, lv, Context(seed=s)) for s in (0, 1) for c, lv in plan(claims, ("symbolic", "precise", "simulate"))]
    groups = job_groups(jobs)
    assert sorted((c.id, lv, ctx.seed) for g in groups for c, lv, ctx in g) == sorted((c.id, lv, x.seed) for c, lv, x in jobs)

    def where(c, lv):
        return c.theory if lv == "symbolic" else check_spec(c.id, lv).fn.__module__

    for g in groups:
        assert len({(where(c, lv), lv, ctx.seed) for c, lv, ctx in g}) == 1
    costs = [sum(LEVEL_COST[lv] for _, lv, _ in g) for g in groups]
    assert costs == sorted(costs, reverse=True) and max(costs) <= sum(costs) / 2
    assert len(groups) < len(jobs) / 3
    # one module's checks that would cost more than half of the run go out one by one
    sim = [(c, lv, x) for c, lv, x in jobs if lv == "simulate" and x.seed == 0
           and where(c, lv) == "scaling_verify.numerics.simulate.dynamical"]
    assert len(sim) > 1 and job_groups(sim) == [[j] for j in sim]
