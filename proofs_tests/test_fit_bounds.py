"""Bounded work for ``fit`` and ``compare``: memory linear in the rows (the peak RSS of a subprocess,
measured), row limits refused in one line before any work, absurd constants in ``--form-expr``
refused at once, and the input checks of the Python API (ValueError, one line).

Memory bounds (measured on the 2-core machine, Python 3.11, JAX on CPU, peak RSS = VmHWM of the
subprocess): a ``compare`` of 10^6 rows (1000 runs) peaks at 0.28 GB in 4 s (the previous bootstrap
asked for a 14.9 GiB array); a chinchilla ``fit`` of 10^4 rows peaks at 0.65 GB, 0.4 GB of it the
imports (JAX, SymPy) -- it used 3.1 GB (the 4500-start grid ranked in one ``(starts x rows)`` pass).
The bounds asserted are about twice the measurements, far below the old figures; ``compare`` runs
under an address-space limit (``RLIMIT_AS``, 3 GiB), so the old code fails there with a MemoryError
instead of exhausting the machine (``fit`` loads JAX, which reserves more virtual memory than it
uses, so it is measured by peak RSS, behind ``-m slow``; the default test checks instead that no
compiled call holds more than ``BLOCK_ELEMENTS`` problems x rows).
"""

import json
import math
import resource
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from scaling_verify.cli.main import main

RUNNER = textwrap.dedent("""
    import json, resource, sys
    limit = int(sys.argv[1])
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from scaling_verify.cli.main import main
    rc = main(sys.argv[2:])
    # VmHWM: the peak RSS of this process image (ru_maxrss would include the parent's peak when the
    # child was started by vfork, as subprocess does: Linux carries the old image's peak across exec)
    try:
        peak = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
    except (OSError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stderr.write("\\nPEAK " + json.dumps(peak / 1024) + "\\n")
    sys.exit(rc)
""")


def _run_measured(argv: list[str], as_limit: int = 0, timeout: float = 300) -> tuple[int, float, str, str]:
    """Run ``scaling-verify argv`` in a fresh interpreter; return (exit code, peak RSS in MB, stdout, stderr)."""
    p = subprocess.run([sys.executable, "-c", RUNNER, str(as_limit), *argv], capture_output=True, text=True,
                       timeout=timeout, env={"JAX_PLATFORMS": "cpu", "PYTHONHASHSEED": "0",
                                             "PATH": "/usr/bin:/bin"})
    peak = [line for line in p.stderr.splitlines() if line.startswith("PEAK ")]
    return p.returncode, float(peak[-1].split()[1]) if peak else math.nan, p.stdout, p.stderr


def _runs_csv(path, rows: int, runs: int = 1000, p: float = 2 / 3, c: float = 0.5686938986411976):
    """``rows`` points of ``runs`` runs of y = c t^-p with per-run and per-point log-normal noise (the
    law of dynamical.time_exponent at a = 2, b = 1.5)."""
    rng = np.random.default_rng(0)
    per = rows // runs
    t = np.tile(np.geomspace(10, 1000, per), runs)
    g = np.repeat(np.arange(runs), per)
    y = c * t ** -p * np.exp(rng.normal(0, 0.05, runs)[g] + rng.normal(0, 0.05, t.size))
    np.savetxt(path, np.column_stack([g, t, y]), fmt=["%d", "%.6g", "%.6g"], delimiter=",", header="seed,t,loss",
               comments="")
    return path


COMPARE = ["compare", "--claim", "dynamical.time_exponent", "--param", "a=2", "--param", "b=1.5", "--group", "seed",
           "--json"]


def _compare_peak(path, rows: int, bound_mb: float):
    t0 = time.perf_counter()
    rc, peak, out, err = _run_measured([COMPARE[0], str(path), *COMPARE[1:]], as_limit=3 << 30)
    wall = time.perf_counter() - t0
    print(f"compare of {rows} rows: exit {rc}, peak RSS {peak:.0f} MB, {wall:.1f} s")
    assert rc == 0, err
    res = json.loads(out)
    assert res["points"] == rows and res["runs"] == 1000 and res["consistent"]
    assert peak < bound_mb, peak


def test_compare_of_a_million_rows_stays_small(tmp_path):
    _compare_peak(_runs_csv(tmp_path / "runs.csv", 1_000_000), 1_000_000, 600)


def test_no_compiled_call_sees_more_than_a_block(monkeypatch):
    """Every call of the compiled solver and of the grid ranking holds at most BLOCK_ELEMENTS
    problems x rows (the previous code ranked all grid starts and refitted all resamples in single
    (starts x rows) and (resamples x rows) arrays): a power fit of 50,000 rows, 12 starts, 30 resamples."""
    from scaling_verify.numerics.fitting import engine, forms, optimize

    seen = []
    real = optimize._compiled_solver

    def spy(*args):
        solve, values = real(*args)

        def solve_spy(theta0, W, logX, logy, maxiter):
            seen.append(("solve", W.shape[0] * W.shape[1]))
            return solve(theta0, W, logX, logy, maxiter)

        def values_spy(thetas, w, logX, logy):
            seen.append(("rank", thetas.shape[0] * logy.shape[0]))
            return values(thetas, w, logX, logy)

        return solve_spy, values_spy

    monkeypatch.setattr(optimize, "_compiled_solver", spy)
    rng = np.random.default_rng(0)
    x = np.exp(rng.uniform(0, 7, 50_000))
    y = 2 * x ** -0.5 * np.exp(rng.normal(0, 0.05, x.size))
    res = engine.fit_form(forms.power(), {"x": x}, y, bootstrap=30, n_starts=12,
                          grid={"c": tuple(np.linspace(-1, 2, 40))})
    assert abs(res.params()["p"] - 0.5) < 0.01 and res.bootstrap.used == 30
    assert {k for k, _ in seen} == {"solve", "rank"}
    assert max(n for _, n in seen) <= optimize.BLOCK_ELEMENTS, max(seen)


@pytest.mark.slow
def test_fit_of_10k_rows_stays_small(tmp_path):
    rng = np.random.default_rng(0)
    n = 10_000
    N, D = np.exp(rng.uniform(np.log(1e7), np.log(1e10), n)), np.exp(rng.uniform(np.log(1e9), np.log(1e12), n))
    L = (1.69 + 406.4 * N ** -0.34 + 410.7 * D ** -0.28) * np.exp(rng.normal(0, 0.01, n))
    f = tmp_path / "c.csv"
    np.savetxt(f, np.column_stack([N, D, L]), fmt="%.6g", delimiter=",", header="N,D,loss", comments="")
    rc, peak, out, err = _run_measured(["fit", str(f), "--form", "chinchilla", "--starts", "8", "--bootstrap", "8",
                                        "--quiet", "--json"])
    print(f"fit of {n} rows: exit {rc}, peak RSS {peak:.0f} MB")
    assert rc == 0, err
    assert abs(json.loads(out)["params"]["alpha"]["value"] - 0.34) < 0.01
    assert peak < 1300, peak


def test_blocks_shrink_with_the_rows_and_bootstrap_rows_stream():
    from scaling_verify.numerics.fitting.bootstrap import resample_weights
    from scaling_verify.numerics.fitting.optimize import BLOCK, BLOCK_ELEMENTS, block_size

    assert block_size(36) == BLOCK and block_size(10**5) * 10**5 <= BLOCK_ELEMENTS and block_size(10**7) == 1
    X = np.column_stack([np.arange(1.0, 13), np.arange(12.0, 0, -1)])
    res = resample_weights(X, 50, seed=3, min_distinct=2)
    read = res.reader()
    blocks = [read(lo, min(lo + 7, res.used)) for lo in range(0, res.used, 7)]
    assert np.array_equal(np.vstack(blocks), res.weights) and res.weights.shape == (res.used, 12)
    with pytest.raises(RuntimeError, match="in order"):
        res.reader()(5, 9)


# ----------------------------------------------------------------------------- row limits, before work


def test_row_limits_are_refused_before_reading(tmp_path, capsys, monkeypatch):
    from scaling_verify.numerics import compare as cmp
    from scaling_verify.numerics.fitting import engine, io

    f = _runs_csv(tmp_path / "runs.csv", 2000, runs=10)
    monkeypatch.setattr(cmp, "MAX_ROWS", 1000)
    monkeypatch.setattr(engine, "MAX_ROWS", 1000)
    calls = []
    monkeypatch.setattr(io, "_scan", lambda *a: calls.append(a))  # reading the rows: must not be reached
    assert main([COMPARE[0], str(f), *COMPARE[1:]]) == 2
    err = capsys.readouterr().err
    assert "more than the limit of 1,000 data rows" in err and len(err.strip().splitlines()) == 1
    assert main(["fit", str(f), "--form", "power", "--x", "t", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "more than the limit of 1,000 data rows" in err and len(err.strip().splitlines()) == 1
    assert calls == []


def test_fit_form_refuses_more_rows_than_the_limit(monkeypatch):
    from scaling_verify.numerics.fitting import engine, forms

    monkeypatch.setattr(engine, "MAX_ROWS", 100)
    x = np.geomspace(1, 100, 101)
    with pytest.raises(ValueError, match="more than the limit of 100"):
        engine.fit_form(forms.power(), {"x": x}, x ** -0.5, bootstrap=0)


# ----------------------------------------------------------------------------- --form-expr constants


@pytest.mark.parametrize("text,msg", [
    ("9**9**9**9 * A * N", "overflows float64"),
    ("A * N**9**9**9**9", "overflows float64"),
    ("A * N ** (10.0**400)", "overflows float64"),
    ("A * exp(exp(exp(1000))) * N", "overflows float64"),
    ("A * N * " + "9" * 400, "too large"),
    ("A * N ** 1e309", "too large"),
    ("A * N ** (1/0)", "division by zero"),
    ("A * N ** log(-1)", "undefined"),
    ("A * N ** (-2)**0.5", "undefined"),
])
def test_absurd_constants_are_refused_at_once(text, msg, tmp_path, capsys):
    from scaling_verify.numerics.fitting.expr_parser import parse_form

    t0 = time.perf_counter()
    with pytest.raises(ValueError) as exc:
        parse_form(text, ["N", "D", "loss"])
    assert msg in str(exc.value) and len(str(exc.value).splitlines()) == 1
    assert time.perf_counter() - t0 < 1.0
    f = tmp_path / "p.csv"
    f.write_text("N,loss\n" + "".join(f"{x},{2 * x ** -0.5}\n" for x in (1, 2, 4, 8, 16)))
    assert main(["fit", str(f), "--form-expr", text, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert msg in err and len(err.strip().splitlines()) == 1


def test_constant_subexpressions_are_folded_in_float64():
    from scaling_verify.numerics.fitting.expr_parser import parse_form

    f = parse_form("A * N ** -(2**3) + 2**-1 * exp(0) * D", ["N", "D", "loss"])
    assert str(f.expr) in ("A/N**8 + 0.5*D", "0.5*D + A/N**8")


# ----------------------------------------------------------------------------- the Python API: ValueError, one line


def _chin(n=6, loss=None):
    N, D = np.geomspace(1e7, 1e10, n), np.geomspace(1e9, 1e12, n)
    NN, DD = (v.ravel() for v in np.meshgrid(N, D))
    L = 1.69 + 406.4 * NN ** -0.34 + 410.7 * DD ** -0.28 if loss is None else np.full(NN.size, loss)
    return NN, DD, L


def _one_line(exc_info, msg):
    text = str(exc_info.value)
    assert msg in text and len(text.splitlines()) == 1, text


@pytest.mark.parametrize("kw,msg", [
    ({"delta": 0}, "Huber delta must be a positive finite number"),
    ({"delta": -1.0}, "Huber delta must be a positive finite number"),
    ({"delta": float("nan")}, "Huber delta must be a positive finite number"),
    ({"bootstrap": 2.5}, "whole number of resamples"),
    ({"bootstrap": True}, "whole number of resamples"),
    ({"bootstrap": 10**8}, "between 0 and 10000"),
    ({"bootstrap": -1}, "between 0 and 10000"),
])
def test_fit_options_are_checked_before_work(kw, msg):
    from scaling_verify.numerics.fitting import engine, forms
    from scaling_verify.numerics.fitting.chinchilla import fit_chinchilla
    from scaling_verify.numerics.fitting.reference import fit_chinchilla_reference

    N, D, L = _chin()
    t0 = time.perf_counter()
    for fit in (lambda: fit_chinchilla(N, D, L, **kw), lambda: fit_chinchilla_reference(N, D, L, **kw),
                lambda: engine.fit_form(forms.power(), {"x": N}, L, **kw)):
        with pytest.raises(ValueError) as exc:
            fit()
        _one_line(exc, msg)
    assert time.perf_counter() - t0 < 2.0  # refused up front (delta=-1 used to fail after 10 s)


def test_power_law_bootstrap_is_checked():
    from scaling_verify.numerics.fit import fit_power_law

    x = np.geomspace(1, 100, 8)
    for bad in (2.5, 10**8):
        with pytest.raises(ValueError) as exc:
            fit_power_law(x, x ** -0.5, bootstrap=bad)
        _one_line(exc, "resamples")


@pytest.mark.parametrize("loss,msg", [(2.5, "no variation in the loss"), (3e-310, "subnormal")])
def test_degenerate_targets_are_refused(loss, msg):
    from scaling_verify.numerics.fitting.chinchilla import fit_chinchilla

    N, D, L = _chin(loss=loss)
    with pytest.raises(ValueError) as exc:
        fit_chinchilla(N, D, L, bootstrap=10)
    _one_line(exc, msg)


@pytest.mark.parametrize("params,msg", [
    ({"A": -1.0, "B": 410.0, "alpha": 0.34, "beta": 0.28}, "got A = -1.0"),
    ({"A": 406.0, "B": 0.0, "alpha": 0.34, "beta": 0.28}, "got B = 0.0"),
    ({"A": 406.0, "B": 410.0, "alpha": float("inf"), "beta": 0.28}, "got alpha = inf"),
    ({"A": 406.0, "B": 410.0, "alpha": 0.34, "beta": -0.28}, "got beta = -0.28"),
    ({"A": 406.0, "alpha": 0.34, "beta": 0.28}, "missing B"),
])
def test_allocation_needs_positive_parameters(params, msg):
    """A negative A made G = (alpha A / (beta B))^(1/(alpha+beta)) complex: N_opt came back complex."""
    from scaling_verify.numerics.fit import chinchilla_allocation

    with pytest.raises(ValueError) as exc:
        chinchilla_allocation(params, [1e21])
    _one_line(exc, msg)


@pytest.mark.parametrize("content,msg", [
    ("N;D;loss\n1;2;3\n", "looks ';'-separated"),
    ("N\tD\tloss\n1\t2\t3\n", "looks tab-separated"),
    ("N,D,loss\n1,2,3\n1,2,3,5\n", "line 3 has 4 fields, header has 3 (a decimal comma"),
    ("N,D,loss\n1,2,3,5\n", "line 2 has 4 fields"),
    ("N,D,loss\n1,2,3\n1,2,\"3,5\"\n", "column loss is not a number: '3,5' (a decimal comma"),
])
def test_csv_shape_problems_are_named(tmp_path, content, msg):
    from scaling_verify.numerics.fit import read_csv

    p = tmp_path / "x.csv"
    p.write_text(content)
    with pytest.raises(ValueError) as exc:
        read_csv(p, ("N", "D", "loss"))
    _one_line(exc, msg)


def test_compare_api_refuses_subnormal_and_one_run():
    from scaling_verify.numerics.compare import Runs, compare

    t = np.geomspace(10, 1000, 8)
    y = 0.5687 * t ** (-2 / 3) * np.exp(np.random.default_rng(0).normal(0, 0.05, t.size))
    with pytest.raises(ValueError) as exc:
        compare(Runs(t, y * 1e-310, np.full(t.size, -1), "t", "loss"), "dynamical.time_exponent", {"a": 2, "b": 1.5})
    _one_line(exc, "subnormal")
    with pytest.raises(ValueError) as exc:
        compare(Runs(t, y, np.zeros(t.size, int), "t", "loss", "seed", ("s0",)), "dynamical.time_exponent",
                {"a": 2, "b": 1.5})
    _one_line(exc, "1 run(s) in the group column")
