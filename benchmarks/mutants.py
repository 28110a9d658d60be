"""Our own mutation run: realistic science bugs, one at a time, against the claims' checks and the unit tests.

Each mutant is a literal ``old -> new`` replacement in one source file. ``old`` must occur EXACTLY ONCE in the
current file; a mutant whose ``old`` no longer matches is reported as ``stale`` (never silently skipped).

Per mutant, in a private copy of the source (``theory/``, ``numerics/``, ``scaling_verify/``, ``proofs_tests/``,
``pyproject.toml``; run with ``cwd`` = the copy and ``PYTHONPATH`` = the copy, so its ``scaling_verify``
(with links to the copy's ``theory``/``numerics``) shadows the installed, editable one -- the two ``sentinel_*`` mutants raise at import time and must crash verify,
which proves that the mutated copy is what runs):

1. ``python -m scaling_verify.cli.main verify --theory T [--level L] [--claim C ...] --no-report --allow-unchecked``;
   exit code 1 = killed by verify (the claims' own checks);
2. if it survives: ``python -m pytest -q -p no:cacheprovider --no-sv <test files> -x``; exit != 0 = killed by the
   unit tests only; else survived.

Fitter mutants (``numerics/fitting/``): no claim checks the fitter, so only ``proofs_tests/test_fit*.py`` runs
and they are reported separately.

The whole source is snapshotted ONCE at start (other people may be editing the tree); every mutant and every
baseline run uses that snapshot. ``--baseline`` (default on) first runs each distinct verify command on the
unmutated snapshot: a mutant whose verify command already fails there is reported ``inconclusive`` instead of
``killed``; likewise a mutant killed by tests only is re-checked against the unmutated snapshot's same test run.

Usage::

    python benchmarks/mutants.py                 # full run, two mutants at a time
    python benchmarks/mutants.py --list          # the mutants and whether each still applies
    python benchmarks/mutants.py --only dyn_time_factor_2 --only fit_logsumexp_max
    python benchmarks/mutants.py --jobs 1 --no-baseline --keep

Exits 0 (a report, not a gate) unless a sentinel survives (then the harness itself is broken: exit 2).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import dataclasses
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COPY_ITEMS = ("theory", "numerics", "scaling_verify", "proofs_tests", "pyproject.toml")
VERIFY_TIMEOUT = 360
TEST_TIMEOUT = 420


@dataclasses.dataclass(frozen=True)
class Mutant:
    name: str
    file: str          # relative to the repository root
    old: str
    new: str
    what: str          # the science bug, in words
    layer: str         # symbolic | precise | simulate | fitter | sentinel
    theory: str | None  # verify --theory (None: no verify, fitter)
    level: str | None = None         # verify --level
    claims: tuple[str, ...] = ()     # verify --claim (keeps the slow simulation levels short)
    tests: tuple[str, ...] = ()      # test files run when verify does not kill it

    def verify_cmd(self) -> list[str] | None:
        if self.theory is None:
            return None
        cmd = [sys.executable, "-m", "scaling_verify.cli.main", "verify", "--theory", self.theory]
        if self.level:
            cmd += ["--level", self.level]
        for c in self.claims:
            cmd += ["--claim", c]
        return cmd + ["--no-report", "--allow-unchecked"]

    def test_cmd(self) -> list[str] | None:
        if not self.tests:
            return None
        return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-sv", *self.tests, "-x"]


T = "proofs_tests/"
M = Mutant
# the dynamical symbolic level is the slowest (budget solves, sympy.stats, Laplace inversions): each mutant runs
# the claims whose derivations go through the mutated step
DYN_TIME = ("dynamical.time_exponent", "dynamical.time_prefactor", "dynamical.size_tail_series")
DYN_SIZE = ("dynamical.size_exponent", "dynamical.size_exponent_published", "dynamical.ensemble_bias_exponent",
            "dynamical.data_exponent", "dynamical.size_head_coefficient")
DYN_RICH = ("dynamical.rich_time_exponent", "dynamical.rich_compute_loss_exponent")
DYN_EARLY = ("dynamical.early_time_correction_finite_trace", "dynamical.early_time_correction")
MUTANTS: list[Mutant] = [
    # ------------------------------------------------------------------ sentinels (must crash verify)
    M("sentinel_theory", "theory/asymptotics.py",
      "def _require_positive(expr: sp.Expr, what: str) -> None:",
      "raise RuntimeError('mutants.py sentinel: the mutated copy is the code under test')\n\n\n"
      "def _require_positive(expr: sp.Expr, what: str) -> None:",
      "raises at import of theory.asymptotics (proves the copy shadows the installed theory/)",
      "sentinel", "quanta", "symbolic"),
    M("sentinel_numerics", "numerics/precise/quanta.py",
      "def tail_exact(alpha, n):",
      "raise RuntimeError('mutants.py sentinel: the mutated copy is the code under test')\n\n\n"
      "def tail_exact(alpha, n):",
      "raises at import of numerics.precise.quanta (proves the copy shadows the installed numerics/)",
      "sentinel", "quanta", "precise"),

    # ------------------------------------------------------------------ theory/asymptotics.py (the engine)
    M("asym_em_half_sign", "theory/asymptotics.py",
      "terms = [sp.simplify(integral), -f(n) / 2]",
      "terms = [sp.simplify(integral), f(n) / 2]",
      "Euler-Maclaurin boundary term -f(n)/2 -> +f(n)/2 (sum_{k>n} counted from k = n)",
      "symbolic", "dynamical", "symbolic", DYN_TIME, tests=(T + "test_asymptotics_engine.py",)),
    M("asym_em_bernoulli_sign", "theory/asymptotics.py",
      "terms.append(sp.simplify(-sp.bernoulli(2 * j) / sp.factorial(2 * j) * deriv))",
      "terms.append(sp.simplify(sp.bernoulli(2 * j) / sp.factorial(2 * j) * deriv))",
      "Euler-Maclaurin Bernoulli correction sign flipped (+B_2j/(2j)! f^(2j-1))",
      "symbolic", "quanta", "all", tests=(T + "test_asymptotics_engine.py",)),
    M("asym_mellin_orientation", "theory/asymptotics.py",
      "jac = -sp.diff(k_of_u, u)",
      "jac = sp.diff(k_of_u, u)",
      "Mellin change of variables k -> u = c t k^-b: orientation flip of dk forgotten (prefactor sign)",
      "symbolic", "dynamical", "symbolic", DYN_TIME, tests=(T + "test_asymptotics_engine.py",)),
    M("asym_mellin_gamma_shift", "theory/asymptotics.py",
      "mel, strip = mellin_transform(phi, u_power + 1)",
      "mel, strip = mellin_transform(phi, u_power)",
      "Mellin transform evaluated at s-1 instead of s: Gamma((a-1)/b) -> Gamma((a-1)/b - 1)",
      "symbolic", "dynamical", "symbolic", DYN_TIME, tests=(T + "test_asymptotics_engine.py",)),
    M("asym_leading_power_max", "theory/asymptotics.py",
      "return PowerLaw(exponent=sp.Min(*exps), prefactor=sp.Piecewise(*cases), var=var)",
      "return PowerLaw(exponent=sp.Max(*exps), prefactor=sp.Piecewise(*cases), var=var)",
      "competing power laws: the FASTER decaying term taken as leading (Max instead of Min of exponents)",
      "symbolic", "dynamical", "symbolic", DYN_SIZE, tests=(T + "test_asymptotics_engine.py",)),

    # ------------------------------------------------------------------ theory/<paper>.py (derivation steps)
    M("dyn_time_factor_2", "theory/dynamical.py",
      "return A.mellin_sum(a, b, c=sp.Integer(2), t=t)",
      "return A.mellin_sum(a, b, c=sp.Integer(1), t=t)",
      "loss sum with e^{-k^-b t} instead of e^{-2 k^-b t} (the 2 of the squared weight decay dropped)",
      "symbolic", "dynamical", "symbolic", DYN_TIME, tests=(T + "test_dynamical_claims.py",)),
    M("dyn_head_zeta_shift", "theory/dynamical.py",
      "head_coef = sp.zeta(a - q_head * b)",
      "head_coef = sp.zeta(a - q_head * b + 1)",
      "head term of the bottleneck sums: zeta(a - qb) -> zeta(a - qb + 1)",
      "symbolic", "dynamical", "symbolic", DYN_SIZE,
      tests=(T + "test_dynamical_claims.py", T + "test_dynamical_foundation.py")),
    M("dyn_rich_sqrt_dropped", "theory/feature_learning.py",
      "speed = sp.sqrt(K ** (alpha * delta)).subs(K, t_eff ** (1 / alpha))",
      "speed = (K ** (alpha * delta)).subs(K, t_eff ** (1 / alpha))",
      "rich regime: kernel speed ~ squared norm instead of norm (wrong exponent in a derivation step)",
      "symbolic", "dynamical", "symbolic", DYN_RICH, tests=(T + "test_dynamical_claims.py",)),
    M("dyn_wishart_self_term", "theory/dynamical.py",
      "self_extra = diag - off ",
      "self_extra = diag ",
      "Wishart self-interaction: the j = k term counted fully (2/N) instead of its excess over 1/N",
      "symbolic", "dynamical", "symbolic", DYN_EARLY, tests=(T + "test_dynamical_claims.py",)),
    M("spec_norm_gamma_shift", "theory/spectral.py",
      "M = sp.gamma(s_) * (2 ** (-s_) - 2)",
      "M = sp.gamma(s_ + 1) * (2 ** (-s_) - 2)",
      "Mellin kernel continuation of (1-e^-u)^2: Gamma(s) -> Gamma(s+1)",
      "symbolic", "spectral", "symbolic", tests=(T + "test_spectral_claims.py",)),
    M("spec_norm_exponent", "theory/spectral.py",
      "integrand = sp.powsimp(sp.powdenest(k_of_u ** (b - a) * jac, force=True), force=True)",
      "integrand = sp.powsimp(sp.powdenest(k_of_u ** (b - a - 1) * jac, force=True), force=True)",
      "weight norm sum_k k^{b-a}(...) derived with k^{b-a-1} (wrong exponent: lambda w^2 vs w^2 mixed up)",
      "symbolic", "spectral", "symbolic", tests=(T + "test_spectral_claims.py",)),
    M("quanta_zipf_convention", "theory/quanta.py",
      "terms, _ = A.tail_sum(alpha + 1, n, order=1)",
      "terms, _ = A.tail_sum(alpha, n, order=1)",
      "Zipf convention trap: tail of p_k ~ k^-alpha summed instead of k^-(alpha+1)",
      "symbolic", "quanta", "symbolic", tests=(T + "test_quanta_symbolic.py",)),
    M("equiv_ntk_kdot_factor", "theory/equivariance.py",
      "kdot = sigma_w2 / (2 * sp.pi) * (sp.pi - th)",
      "kdot = sigma_w2 / sp.pi * (sp.pi - th)",
      "ReLU derivative kernel Kdot = sw2 (pi - theta)/(2 pi) -> sw2 (pi - theta)/pi",
      "symbolic", "equivariance", "symbolic", tests=(T + "test_equivariance_claims.py",)),
    M("ol_toy_area_half", "theory/optimal_learning.py",
      "area_x = lambda xe: (xe - b[0]) ** 2 / 2",
      "area_x = lambda xe: (xe - b[0]) ** 2",
      "2-D toy: loss (x - 1/2)^2/2 integrated without the 1/2",
      "symbolic", "optimal_learning", "symbolic", tests=(T + "test_optimal_learning_symbolic.py",)),

    # ------------------------------------------------------------------ numerics/precise (30-digit checks)
    M("prec_dyn_hurwitz_offset", "numerics/precise/dynamical.py",
      "exact = mp.zeta(a, n_ + 1)",
      "exact = mp.zeta(a, n_)",
      "exact tail sum_{k>N} k^-a as Hurwitz zeta(a, N) instead of zeta(a, N+1)",
      "precise", "dynamical", "precise", tests=(T + "test_dynamical_precise.py",)),
    M("prec_dyn_linear_model_time2", "numerics/precise/dynamical.py",
      "x = 2 * t * N ** (-b)",
      "x = t * N ** (-b)",
      "continuum linear model: x = 2 t N^-b -> t N^-b (time rescaled by 2)",
      "precise", "dynamical", "precise", tests=(T + "test_dynamical_precise.py",)),
    M("prec_dmft_R3_factor2", "numerics/precise/models/dmft_solver.py",
      "giN = gmpy2.mpfr(0) if N is None else 1 / gmpy_num(N)",
      "giN = gmpy2.mpfr(0) if N is None else 2 / gmpy_num(N)",
      "DMFT fixed point: R3 = 1 - D/N -> 1 - 2D/N in the 30-digit solver",
      "precise", "dynamical", "precise", tests=(T + "test_dynamical_precise.py",)),
    M("prec_quanta_hurwitz_offset", "numerics/precise/quanta.py",
      "return mp.zeta(s, mp.mpf(n) + 1) / mp.zeta(s)",
      "return mp.zeta(s, mp.mpf(n)) / mp.zeta(s)",
      "exact quanta tail sum_{k>n} p_k as zeta(s, n) instead of zeta(s, n+1)",
      "precise", "quanta", "precise", tests=(T + "test_quanta_precise.py",)),
    M("prec_arccos_2sin", "numerics/precise/equivariance.py",
      "kxy = sw2 / (2 * mp.pi) * norm * (mp.sin(ang) + (mp.pi - ang) * c) + sb2",
      "kxy = sw2 / (2 * mp.pi) * norm * (2 * mp.sin(ang) + (mp.pi - ang) * c) + sb2",
      "arc-cosine kernel: sin(theta) -> 2 sin(theta) in the 30-digit recursion",
      "precise", "equivariance", "precise", tests=(T + "test_equivariance_claims.py",)),
    M("prec_equiv_diag_recursion", "numerics/precise/equivariance.py",
      "kxx = sw2 / 2 * kxx + sb2",
      "kxx = sw2 * kxx + sb2",
      "ReLU NNGP diagonal recursion K_xx <- sw2 K_xx/2 + sb2 with the 1/2 dropped (x side only)",
      "precise", "equivariance", "precise", tests=(T + "test_equivariance_claims.py",)),
    M("prec_spec_series_coef", "numerics/precise/spectral.py",
      "lambda n: (-1) ** n * (mp.mpf(2) ** n - 2) / mp.factorial(n), 2, T, b, dps)",
      "lambda n: (-1) ** n * (mp.mpf(2) ** n - 1) / mp.factorial(n), 2, T, b, dps)",
      "Taylor coefficients of (1 - e^-x)^2 in the exact tail: (2^n - 2) -> (2^n - 1)",
      "precise", "spectral", "precise", tests=(T + "test_spectral_precise.py",)),
    M("prec_ol_toy_cost_half", "numerics/precise/optimal_learning.py",
      "cost += eta * (x - half) ** 2 / 2",
      "cost += eta * (x - half) ** 2",
      "discrete toy optimum: per-step loss (x - 1/2)^2/2 accumulated without the 1/2",
      "precise", "optimal_learning", "precise", tests=(T + "test_optimal_learning_precise.py",)),

    # ------------------------------------------------------------------ numerics/simulate (JAX)
    M("sim_rf_target_power", "numerics/simulate/models/random_features.py",
      "return lam, jnp.sqrt(k ** (-a) / lam)",
      "return lam, jnp.sqrt(k ** (-(a - 1)) / lam)",
      "random-feature target power lambda_k w_k^2 = k^-a -> k^-(a-1)",
      "simulate", "dynamical", "simulate", ("dynamical.time_exponent", "dynamical.size_exponent"),
      tests=(T + "test_dynamical_simulate.py",)),
    M("sim_rf_flow_time2", "numerics/simulate/models/random_features.py",
      "dec = jnp.exp(-2.0 * g[:, None, :] * t[None, :, None])",
      "dec = jnp.exp(-1.0 * g[:, None, :] * t[None, :, None])",
      "gradient-flow loss decay e^{-2 g t} -> e^{-g t} (time rescaled by 2)",
      "simulate", "dynamical", "simulate", ("dynamical.time_exponent",),
      tests=(T + "test_dynamical_simulate.py",)),
    M("sim_rf_missing_1_over_N", "numerics/simulate/models/random_features.py",
      "G = AL @ Am.T / n_active + jnp.diag(1.0 - mask)",
      "G = AL @ Am.T + jnp.diag(1.0 - mask)",
      "random-feature Gram G = A Lambda A^T / N: the 1/N normalisation missing (eigen solver)",
      "simulate", "dynamical", "simulate", ("dynamical.time_exponent",),
      tests=(T + "test_dynamical_simulate.py",)),
    M("sim_rf_seed_unused", "numerics/simulate/dynamical.py",
      "A = rf.draw_projections(jax.random.key(seed), draws, N, M)",
      "A = rf.draw_projections(jax.random.key(0), draws, N, M)",
      "time-curve simulation ignores its seed (always key 0)",
      "simulate", "dynamical", "simulate", ("dynamical.time_exponent",),
      tests=(T + "test_dynamical_simulate.py",)),
    M("sim_dmft64_R3_factor2", "numerics/simulate/models/rf_ensemble.py",
      "step = (R - 1 + D / N) / (1 + dD / N)",
      "step = (R - 1 + 2 * D / N) / (1 + 2 * dD / N)",
      "float64 DMFT fixed point R = 1 - D/N -> 1 - 2D/N (the deterministic equivalent behind the finite-size shifts)",
      "simulate", "dynamical", "simulate", ("dynamical.time_exponent", "dynamical.time_prefactor"),
      tests=(T + "test_rf_ensemble.py", T + "test_dynamical_simulate.py")),
    M("sim_data_shift_sign", "numerics/simulate/finite_data.py",
      "bias, target = de_slope_error_budget(M, Ps), pred + (p_de - p_oo)",
      "bias, target = de_slope_error_budget(M, Ps), pred - (p_de - p_oo)",
      "2b data branch: the E_g window shift applied with the wrong sign",
      "simulate", "dynamical", "simulate", ("dynamical.data_exponent",),
      tests=(T + "test_dynamical_data.py",)),
    M("sim_spec_feature_std", "numerics/simulate/models/spectral_flow.py",
      "x = jax.random.normal(sub, (batch, M)) * jnp.sqrt(lam)",
      "x = jax.random.normal(sub, (batch, M)) * lam",
      "SGD features drawn with standard deviation lambda instead of sqrt(lambda) (variance/std mix-up)",
      "simulate", "spectral", "simulate", ("spectral.time_exponent",),
      tests=(T + "test_spectral_simulate.py",)),
    M("sim_quanta_zipf_exponent", "numerics/simulate/models/sparse_parity.py",
      "w = np.arange(1, n_tasks + 1, dtype=float) ** (-(alpha + 1.0))",
      "w = np.arange(1, n_tasks + 1, dtype=float) ** (-alpha)",
      "sparse-parity subtask frequencies p_k ~ k^-alpha instead of k^-(alpha+1) (Zipf convention)",
      "simulate", "quanta", "simulate", tests=(T + "test_quanta_simulate.py",)),
    M("sim_equiv_lr_x2", "numerics/simulate/equivariance.py",
      "    eta = float(1.0 / np.linalg.eigvalsh(T).max())\n    keys = jax.random.split(jax.random.key(seed), members)",
      "    eta = float(2.0 / np.linalg.eigvalsh(T).max())\n    keys = jax.random.split(jax.random.key(seed), members)",
      "ensemble training step eta = 1/lambda_max(NTK) -> 2/lambda_max (learning rate x2, at the stability edge)",
      "simulate", "equivariance", "simulate", ("equivariance.ensemble_mc_exponent",),
      tests=(T + "test_equivariance_simulate.py",)),
    M("sim_ol_identity_eta2", "numerics/simulate/optimal_learning.py",
      "return jnp.sum(L[:-1] - L[1:]) / (eta * jnp.sum(gl * gL))",
      "return jnp.sum(L[:-1] - L[1:]) / (2 * eta * jnp.sum(gl * gL))",
      "loss-rate identity: GD time per step counted as 2 eta (learning rate rescaled by 2)",
      "simulate", "optimal_learning", "simulate", ("optimal_learning.loss_rate_identity",),
      tests=(T + "test_optimal_learning_simulate.py",)),

    # ------------------------------------------------------------------ the fitter (tests only)
    M("fit_huber_delta", "numerics/fitting/optimize.py",
      "HUBER_DELTA = 1e-3",
      "HUBER_DELTA = 1e-1",
      "Huber delta 1e-3 -> 1e-1 (Hoffmann et al.'s robust fit becomes plain least squares on log residuals)",
      "fitter", None, tests=(T + "test_fit.py", T + "test_fit_lab.py", T + "test_fit_cli.py", T + "test_fit_parser.py")),
    M("fit_huber_linear_branch", "numerics/fitting/optimize.py",
      "return jnp.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))",
      "return jnp.where(a <= delta, 0.5 * r * r, delta * (a - delta))",
      "Huber linear branch delta(|r| - delta/2) -> delta(|r| - delta): loss discontinuous at |r| = delta (JAX objective only)",
      "fitter", None, tests=(T + "test_fit.py", T + "test_fit_lab.py", T + "test_fit_cli.py", T + "test_fit_parser.py")),
    M("fit_logsumexp_max", "numerics/fitting/translate.py",
      "return jax.nn.logsumexp(jnp.stack(terms), axis=0)",
      "return jnp.max(jnp.stack(terms), axis=0)",
      "log of a sum of positive terms taken as the max of the logs (log-sum-exp dropped)",
      "fitter", None, tests=(T + "test_fit.py", T + "test_fit_lab.py", T + "test_fit_cli.py", T + "test_fit_parser.py")),
    M("fit_bootstrap_off_by_one", "numerics/fitting/bootstrap.py",
      "yield rng.integers(0, n, n)",
      "yield rng.integers(0, n - 1, n)",
      "bootstrap resampling never draws the last point (integers(0, n-1) is exclusive of n-1)",
      "fitter", None, tests=(T + "test_fit.py", T + "test_fit_lab.py", T + "test_fit_cli.py", T + "test_fit_parser.py")),
    M("fit_powerlaw_seed_boot", "numerics/fitting/power_law.py",
      "xb, yb = x, y[rows].mean(axis=0)",
      "xb, yb = x, y.mean(axis=0)",
      "power-law bootstrap over seeds does not resample the rows (zero-width interval)",
      "fitter", None, tests=(T + "test_fit.py", T + "test_fit_lab.py", T + "test_fit_cli.py", T + "test_fit_parser.py")),
]
del M, T, DYN_TIME, DYN_SIZE, DYN_RICH, DYN_EARLY


# ============================================================================================ machinery


def _ignore(_dir, names):
    return [n for n in names if n in ("__pycache__", ".pytest_cache", "sv-report") or n.endswith(".pyc")]


def snapshot(dest: Path) -> None:
    """Copy the source items into ``dest`` (once per run: everything later uses this snapshot)."""
    dest.mkdir(parents=True)
    for item in COPY_ITEMS:
        src = REPO / item
        if src.is_dir():
            shutil.copytree(src, dest / item, ignore=_ignore, symlinks=True)
        else:
            shutil.copy2(src, dest / item)
    # the repository's theory/ and numerics/ install as scaling_verify.theory and .numerics (a package-dir
    # mapping); in the copy, links inside its scaling_verify/ make the copy's folders those subpackages
    for pkg in ("theory", "numerics"):
        (dest / "scaling_verify" / pkg).symlink_to(Path("..") / pkg, target_is_directory=True)


def applicability(m: Mutant, base: Path) -> str | None:
    """None if ``old`` occurs exactly once in the (snapshot) file, else why the mutant is stale."""
    path = base / m.file
    if not path.exists():
        return f"file {m.file} is gone"
    n = path.read_text().count(m.old)
    return None if n == 1 else f"'old' occurs {n} times in {m.file}"


def _env(copy: Path) -> dict:
    env = dict(os.environ)
    env.pop("SCALING_VERIFY_CACHE", None)
    env["PYTHONPATH"] = str(copy) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["MPLBACKEND"] = "Agg"
    return env


def _run(cmd: list[str], copy: Path, timeout: int, log: Path) -> tuple[int | None, float]:
    """Run ``cmd`` in ``copy``; returns (exit code or None on timeout, seconds); output to ``log``."""
    t0 = time.perf_counter()
    with open(log, "ab") as fh:
        fh.write(("$ " + " ".join(cmd) + "\n").encode())
        fh.flush()
        try:
            rc = subprocess.run(cmd, cwd=copy, env=_env(copy), stdout=fh, stderr=subprocess.STDOUT,
                                timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            rc = None
        fh.write(f"\n[exit {rc}, {time.perf_counter() - t0:.1f} s]\n\n".encode())
    return rc, time.perf_counter() - t0


@dataclasses.dataclass
class Outcome:
    mutant: Mutant
    result: str = "?"   # verify | tests | survived | stale | timeout | inconclusive | error
    note: str = ""
    verify_s: float = 0.0
    tests_s: float = 0.0
    verify_rc: int | None = None
    tests_rc: int | None = None
    log: Path | None = None


class Baselines:
    """Exit codes of commands on the unmutated snapshot, computed once per distinct command (thread-safe)."""

    def __init__(self, base: Path, logdir: Path):
        self.base, self.logdir = base, logdir
        self._lock = threading.Lock()
        self._futs: dict[tuple, cf.Future] = {}

    def get(self, cmd: list[str], timeout: int) -> int | None:
        key = tuple(cmd)
        with self._lock:
            fut = self._futs.get(key)
            owner = fut is None
            if owner:
                fut = cf.Future()
                self._futs[key] = fut
        if owner:
            rc, _ = _run(cmd, self.base, timeout, self.logdir / "baseline.log")
            fut.set_result(rc)
        return fut.result()


def run_mutant(m: Mutant, base: Path, workroot: Path, logdir: Path, baselines: Baselines | None,
               keep: bool) -> Outcome:
    out = Outcome(m)
    why = applicability(m, base)
    if why:
        out.result, out.note = "stale", why
        return out
    copy = workroot / m.name
    shutil.copytree(base, copy, symlinks=True)
    log = out.log = logdir / f"{m.name}.log"
    try:
        path = copy / m.file
        path.write_text(path.read_text().replace(m.old, m.new, 1))
        vcmd = m.verify_cmd()
        if vcmd is not None:
            rc, out.verify_s = _run(vcmd, copy, VERIFY_TIMEOUT, log)
            out.verify_rc = rc
            if rc is None:
                out.result, out.note = "timeout", f"verify > {VERIFY_TIMEOUT} s"
                return out
            if rc != 0:
                out.result = "verify"
                if rc != 1:
                    out.note = f"verify exit {rc} (crash)"
                if baselines is not None and baselines.get(vcmd, VERIFY_TIMEOUT) != 0:
                    out.result, out.note = "inconclusive", "verify fails on the unmutated snapshot too"
                return out
        tcmd = m.test_cmd()
        if tcmd is None:
            out.result = "survived"
            return out
        rc, out.tests_s = _run(tcmd, copy, TEST_TIMEOUT, log)
        out.tests_rc = rc
        if rc is None:
            out.result, out.note = "timeout", f"tests > {TEST_TIMEOUT} s"
        elif rc != 0:
            out.result = "tests"
            if baselines is not None and baselines.get(tcmd, TEST_TIMEOUT) != 0:
                out.result, out.note = "inconclusive", "tests fail on the unmutated snapshot too"
        else:
            out.result = "survived"
        return out
    except Exception as exc:  # noqa: BLE001 -- a harness failure is reported, not raised
        out.result, out.note = "error", f"{type(exc).__name__}: {exc}"
        return out
    finally:
        if not keep:
            shutil.rmtree(copy, ignore_errors=True)


def check_shadowing(base: Path) -> str:
    """The copy's ``theory``/``numerics`` must be the ones imported (not the installed editable ones)."""
    code = "import theory.asymptotics as a, scaling_verify.cli.main as c; print(a.__file__); print(c.__file__)"
    r = subprocess.run([sys.executable, "-c", code], cwd=base, env=_env(base), capture_output=True, text=True,
                       timeout=300)
    files = r.stdout.split()
    if r.returncode != 0 or len(files) != 2 or not all(Path(f).resolve().is_relative_to(base.resolve()) for f in files):
        raise SystemExit(f"the copy does not shadow the installed package: {r.stdout} {r.stderr}")
    return ", ".join(files)


LABEL = {"verify": "killed by verify", "tests": "killed by tests only", "survived": "SURVIVED",
         "stale": "stale", "timeout": "timeout", "inconclusive": "inconclusive", "error": "harness error"}


def _short(s: str, n: int) -> str:
    s = s.replace("\n", " ")
    return s if len(s) <= n else s[: n - 1] + "…"


def print_table(outs: list[Outcome]) -> None:
    rows = [("mutant", "layer", "file", "what it changes", "result", "verify s", "tests s")]
    for o in outs:
        m = o.mutant
        res = LABEL[o.result] + (f" ({o.note})" if o.note else "")
        rows.append((m.name, m.layer, m.file.replace("numerics/", "n/").replace("theory/", "t/"), _short(m.what, 70),
                     res, f"{o.verify_s:.0f}" if m.theory else "-", f"{o.tests_s:.0f}" if o.tests_s else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for j, r in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))


def print_rates(outs: list[Outcome]) -> None:
    def rates(group: list[Outcome], title: str, has_verify: bool) -> None:
        counted = [o for o in group if o.result in ("verify", "tests", "survived")]
        other = [o for o in group if o not in counted]
        n = len(counted)
        if not group:
            return
        pct = lambda k: f"{k}/{n} ({100 * k / n:.0f} %)" if n else "0/0"  # noqa: E731
        kv = sum(o.result == "verify" for o in counted)
        kt = sum(o.result == "tests" for o in counted)
        sv = [o.mutant.name for o in counted if o.result == "survived"]
        print(f"\n{title}: {n} mutants counted"
              + (f" ({len(other)} not counted: " + ", ".join(f"{o.mutant.name}={o.result}" for o in other) + ")"
                 if other else ""))
        if has_verify:
            print(f"  killed by verify (the claims' checks): {pct(kv)}")
        print(f"  killed by {'tests only' if has_verify else 'the fitter tests'}: {pct(kt)}")
        print(f"  killed in total: {pct(kv + kt)}")
        print(f"  survived: {pct(len(sv))}" + (": " + ", ".join(sv) if sv else ""))
        if has_verify:
            for layer in ("symbolic", "precise", "simulate"):
                g = [o for o in counted if o.mutant.layer == layer]
                if g:
                    print(f"    {layer:9s} {len(g):2d}: verify {sum(o.result == 'verify' for o in g)}, tests only "
                          f"{sum(o.result == 'tests' for o in g)}, survived {sum(o.result == 'survived' for o in g)}")

    science = [o for o in outs if o.mutant.layer not in ("fitter", "sentinel")]
    rates(science, "Science mutants (theory/, numerics/precise/, numerics/simulate/)", True)
    rates([o for o in outs if o.mutant.layer == "fitter"], "Fitter mutants (numerics/fitting/, tests only)", False)


def execute(selected: list[Mutant], jobs: int = 2, baseline: bool = True, keep: bool = False,
            run_dir: Path | None = None, echo=functools.partial(print, flush=True)) -> list[Outcome]:
    """Snapshot the source, run ``selected`` (sentinels first) ``jobs`` at a time; outcomes in MUTANTS order."""
    run_dir = run_dir or Path(tempfile.mkdtemp(prefix="sv-mutants-"))
    run_dir.mkdir(parents=True, exist_ok=True)
    base, work, logs = run_dir / "base", run_dir / "work", run_dir / "logs"
    if base.exists():
        raise SystemExit(f"{base} exists; pick a fresh --workdir")
    work.mkdir(exist_ok=True)
    logs.mkdir(exist_ok=True)
    t_start = time.perf_counter()
    snapshot(base)
    echo(f"snapshot of {REPO} in {base}; logs in {logs}")
    echo(f"imports resolve to the copy: {check_shadowing(base)}")
    baselines = Baselines(base, logs) if baseline else None
    outs: list[Outcome] = []
    order = sorted(selected, key=lambda m: (m.layer != "sentinel",))  # sentinels first
    try:
        with cf.ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
            futs = [ex.submit(run_mutant, m, base, work, logs, baselines, keep) for m in order]
            for fut in cf.as_completed(futs):
                o = fut.result()
                outs.append(o)
                echo(f"[{time.perf_counter() - t_start:6.0f} s] {o.mutant.name}: {LABEL[o.result]}"
                     + (f" ({o.note})" if o.note else "")
                     + f"  verify {o.verify_s:.0f} s, tests {o.tests_s:.0f} s")
    finally:
        if not keep:
            shutil.rmtree(base, ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)
    rank = {m.name: i for i, m in enumerate(MUTANTS)}
    outs.sort(key=lambda o: rank.get(o.mutant.name, len(rank)))
    return outs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only this mutant (repeatable; comma-separated lists allowed)")
    ap.add_argument("--list", action="store_true", help="list the mutants and whether each still applies")
    ap.add_argument("--jobs", type=int, default=2, help="mutants run at a time (default 2)")
    ap.add_argument("--no-baseline", dest="baseline", action="store_false",
                    help="do not check kills against the unmutated snapshot")
    ap.add_argument("--no-sentinels", dest="sentinels", action="store_false",
                    help="skip the two import-time sentinels")
    ap.add_argument("--keep", action="store_true", help="keep the mutated copies (under the run folder)")
    ap.add_argument("--workdir", type=Path, default=None, help="run folder (default: a new temporary folder)")
    args = ap.parse_args(argv)

    names = [m.name for m in MUTANTS]
    if len(set(names)) != len(names):
        raise SystemExit("duplicate mutant names")
    selected = MUTANTS
    if args.only:
        want = [w.strip() for o in args.only for w in o.split(",") if w.strip()]
        unknown = [w for w in want if w not in names]
        if unknown:
            raise SystemExit(f"unknown mutant(s): {', '.join(unknown)}; see --list")
        selected = [m for m in MUTANTS if m.name in want]
    elif not args.sentinels:
        selected = [m for m in MUTANTS if m.layer != "sentinel"]

    if args.list:
        for m in selected:
            why = applicability(m, REPO)
            print(f"{m.name:28s} {m.layer:9s} {m.file:45s} {'STALE: ' + why if why else 'applies'}\n"
                  f"{'':28s} {m.what}\n{'':28s} verify: "
                  + (" ".join(m.verify_cmd()[3:]) if m.theory else "-")
                  + f"; tests: {' '.join(m.tests) or '-'}")
        return 0

    t_start = time.perf_counter()
    outs = execute(selected, jobs=args.jobs, baseline=args.baseline, keep=args.keep, run_dir=args.workdir)
    logs = next((o.log.parent for o in outs if o.log), None)
    print()
    print_table(outs)
    print_rates(outs)
    sentinels = [o for o in outs if o.mutant.layer == "sentinel"]
    bad = [o.mutant.name for o in sentinels if o.result != "verify"]
    if sentinels:
        print("\nsentinels: " + ("all crashed verify (the copy is the code under test)" if not bad
                                 else f"NOT KILLED: {', '.join(bad)} -- the harness does not run the mutated code"))
    print(f"\nwall time {time.perf_counter() - t_start:.0f} s with --jobs {args.jobs}; logs in {logs}")
    return 2 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
