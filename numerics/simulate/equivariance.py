"""Emergent equivariance, simulated (JAX): finite-width ReLU MLP ensembles in NTK parameterisation.

* :func:`ensemble_orbit_errors` -- members trained by full-batch GD on a fully C4-augmented set of
  4x4 images (rotations as pixel permutations), vmapped over members, ``lax.scan`` over steps; the
  orbit deviation (std of the prediction over the C4 orbit of an off-manifold test image) of single
  members and of M-member means. With full augmentation and an :math:`O(d)`-invariant first-layer law,
  :math:`W^{(1)}\\to W^{(1)}\\rho` is a symmetry of GD, so the *expected* ensemble output is exactly
  invariant at any width and the residual is pure Monte-Carlo error, :math:`\\propto M^{-1/2}`.
  :func:`gd_mean_deviation` ties the ensemble to its protocol: its width-extrapolated mean at the training
  inputs against the NTK gradient-descent mean :math:`\\mu_t`.
* :func:`ntk_width_sq_errors` -- squared relative Frobenius error of the empirical NTK (exact,
  layer-structured) against the analytic kernel, widths 16..1024, many networks where they are cheap;
  exponent from the fit :math:`n^{-2p}(A+B/n)` (:func:`corrected_exponent`).
* :func:`ck_invariance_errors` -- analytic NTK mean trained with :math:`C_k` augmentation on 2-D
  inputs; SO(2) invariance error on a fine angle grid, against :math:`\\kappa_k`.
* :func:`float64_orbit_deviation` -- the float64 orbit deviation of the analytic :math:`\\mu_t` and its
  bound :math:`N u\\,\\mathrm{cond}(\\Theta)\\|\\Theta_{xX}\\|\\|\\phi(\\Theta)\\|\\|Y\\|`.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from scaling_verify.checks.measurement import measurement
from scaling_verify.checks import CheckResult, Context, Figure, Series, check, exponent_verdict, relative_verdict
from scaling_verify.numerics.fit import fit_power_law
from scaling_verify.numerics.precise.equivariance import augment, c4_setup, cyclic_pixel_group, rotation_group
from scaling_verify.numerics.simulate.models import ntk_kernels as NK
from scaling_verify.theory.claims import Claim
from scaling_verify.numerics.simulate import with_float64
from scaling_verify.numerics.stats import bootstrap_means

U64 = float(np.finfo(np.float64).eps) / 2


@with_float64
def orbit_std(F):
    """Orbit deviation: F (..., n_test, |G|) -> mean over test points of the std over the orbit."""
    return np.asarray(F).std(axis=-1).mean(axis=-1)


def orbit_data(seed, side=4, n_base=8, n_test=8, powers=(0, 1, 2, 3)):
    """C4 setup: ``n_base`` random side x side images with random labels, augmented by the rotations in
    ``powers`` (``(Xa, Ya)``), and the full C4 orbits of ``n_test`` off-manifold test images (``Xte``,
    (4 n_test, d))."""
    rng = np.random.default_rng(seed)
    G = cyclic_pixel_group(side, 4)
    X0 = rng.standard_normal((n_base, side * side))
    Y0 = rng.standard_normal(n_base)
    Xa, Ya = augment(X0, Y0, [G[p] for p in powers])
    Xt = rng.standard_normal((n_test, side * side)) * 1.2 + 0.3          # off-manifold test images
    Xte = np.concatenate([np.stack([g @ x for g in G]) for x in Xt])    # (n_test*4, d)
    return Xa, Ya, Xte


@measurement
def ensemble_predictions(seed=0, members=128, width=64, depth=2, steps=100, side=4, n_base=8, n_test=8,
                         powers=(0, 1, 2, 3), sb2=0.1, dtype=jnp.float32):
    """Train ``members`` networks on :func:`orbit_data` (full-batch GD on 1/2 sum (f - y)^2, step
    eta = 1/lambda_max of the analytic NTK Gram matrix, ``steps`` steps, from independent standard-normal
    initialisations); predictions (members, 4 n_test + N) at the test orbits, then at the N training inputs."""
    Xa, Ya, Xte = orbit_data(seed, side, n_base, n_test, powers)
    _, T = NK.relu_kernels(Xa, Xa, depth, 2.0, sb2, xp=np)
    eta = float(1.0 / np.linalg.eigvalsh(T).max())
    keys = jax.random.split(jax.random.key(seed), members)
    return np.asarray(NK.train_ensemble(keys, Xa, Ya, np.concatenate([Xte, Xa]), width, depth, eta, steps, 2.0, sb2,
                                        dtype), dtype=float)


@measurement
def ensemble_orbit_errors(seed=0, members=128, pools=8, width=64, depth=2, steps=100, side=4, n_base=8,
                          n_test=8, powers=(0, 1, 2, 3), sb2=0.1, dtype=jnp.float32):
    """Train ``members`` networks (:func:`ensemble_predictions`); return ``(Ms, errs, member_err, preds)`` with
    ``errs`` of shape (pools, len(Ms)): for pool r and size M, the mean over the pool's disjoint M-groups of the
    orbit deviation of the group mean. ``powers`` lists the augmentation rotations (all four: full C4)."""
    if members % pools:
        raise ValueError("members must be a multiple of pools")
    preds = ensemble_predictions(seed, members, width, depth, steps, side, n_base, n_test, tuple(powers), sb2,
                                 dtype)[:, :4 * n_test].reshape(members, n_test, 4)
    per = members // pools
    Ms = [2 ** i for i in range(int(np.log2(per)) + 1)]
    errs = np.zeros((pools, len(Ms)))
    for r in range(pools):
        P = preds[r * per:(r + 1) * per]
        for j, M in enumerate(Ms):
            groups = P.reshape(per // M, M, n_test, 4).mean(axis=1)
            errs[r, j] = orbit_std(groups).mean()
    return np.array(Ms), errs, float(orbit_std(preds).mean()), preds


@with_float64
def gaussian_equivalent_m1(preds, n_samples=20000, seed=1):
    """E[orbit std] of a *Gaussian* member with the members' empirical orbit covariance (per test
    point): for Gaussian members E[orbit std of an M-mean] = M^{-1/2} x this, exactly."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(preds.shape[1]):
        C = np.cov(preds[:, i, :].T)
        Z = rng.multivariate_normal(np.zeros(C.shape[0]), C, size=n_samples)
        out.append(Z.std(axis=1).mean())
    return float(np.mean(out))


MC_BIAS_BUDGET = 0.02
"""Budget for the finite-size shift of the M-exponent (the check fails if the measured shift exceeds it).

Convergence study (:func:`mc_shift`): for Gaussian members the slope is exactly 1/2 (scaling of a
Gaussian mean); finite-width members are slightly non-Gaussian, which changes E[orbit std] at M = 1 by
a factor rho_1 = E[orbit std of a member] / E[orbit std of a Gaussian with the members' orbit
covariance] (:func:`gaussian_equivalent_m1`) and nothing at large M (CLT). The induced slope shift over
M = 1..M_max is |log rho_1| / log M_max; the shift used is the upper end of its 95 % bootstrap interval
over the pools (measured at the quick size: rho_1 ~ 0.997, shift ~ 0.003)."""


def mc_shift(errs_m1: np.ndarray, gauss_m1: float, m_max: int, n_boot: int = 2000, seed: int = 0) -> tuple[float, float]:
    """(rho_1, shift): rho_1 from the pools' mean M = 1 deviation; shift = 97.5 % bootstrap quantile (over
    pools) of |log rho_1| / log m_max."""
    rng = np.random.default_rng(seed)
    rho1 = float(errs_m1.mean()) / gauss_m1
    boot = [abs(np.log(errs_m1[rng.integers(0, errs_m1.size, errs_m1.size)].mean() / gauss_m1))
            for _ in range(n_boot)]
    return rho1, float(np.quantile(boot, 0.975)) / float(np.log(m_max))


GD_MEAN_BUDGET = 0.04
"""Budget for what the width extrapolation 2 f_2n - f_n leaves of the finite-width deviation of the ensemble mean
from mu_t in :func:`gd_mean_deviation` (relative rms at the training inputs): the allowance is the smaller of
this and :data:`GD_MEAN_FRACTION` x the deviation measured at 2n (both bound every remainder measured below).

For a deviation d(n) ~ n^-q the extrapolation leaves |2 - 2^q| d(2n): 0 for the leading O(1/n), 0.6 for
q = 0.49. Convergence study (1024 members, Monte-Carlo part removed): at 50 GD steps (quick; seeds 0..7)
d = 0.09..0.24 at n = 32, 0.05..0.14 at 64, 0.028..0.088 at 128, 0.016..0.053 at 256 (seeds 0..3), ratio
1.5..1.9 per doubling (q ~ 0.8); the extrapolation from (64, 128) leaves 0.005..0.036, i.e. 0.40, 0.09, 0.41,
0.30, 0.32, 0.23, 0.19, 0.49 of d(128); at 100 steps (full; 512 members, seeds 0..3) from (128, 256):
0.002..0.007, i.e. 0.37, 0.29, 0.32, 0.42 of d(256). A doubled step (eta = 2/lambda_max) gives a deviation
that grows with n (0.08 -> 0.11 at seed 0) and an extrapolated one of 1.1..1.7 x d(2n)."""

GD_MEAN_FRACTION = 0.6
"""Relative form of :data:`GD_MEAN_BUDGET`: at most this fraction of the deviation at 2n (measured <= 0.49)."""


def gd_mean_at_inputs(Xa, Ya, steps, depth=2, sb2=0.1):
    """NTK gradient-descent mean predictor at the training inputs, with its own step size:
    f_t(X) = Theta(X, X) Theta^{-1} (I - (I - eta Theta)^t) y = (I - (I - eta Theta)^t) y, zero-mean initial
    function, eta = 1/lambda_max(Theta) (Jacot et al. 2018; Lee et al. 2019, discrete-time GD)."""
    _, T = NK.relu_kernels(Xa, Xa, depth, 2.0, sb2, xp=np)
    lam, Q = np.linalg.eigh(T)
    return Q @ ((1.0 - (1.0 - lam / lam.max()) ** steps) * (Q.T @ np.asarray(Ya)))


def gd_mean_deviation(seed, members, width, steps, n_test, powers, mu_steps=None):
    """Protocol comparison: the ensemble means at widths n and 2n (:func:`ensemble_predictions`, the same member
    keys) at the N training inputs, Richardson-extrapolated, 2 f_2n - f_n (removes the O(1/n) finite-width
    bias of the mean), against :func:`gd_mean_at_inputs` at ``mu_steps`` steps (default ``steps``). Returns
    ``(dev, se, d_n, d_2n)``, all relative to rms mu_t: the rms deviation of the extrapolation, its rms
    standard error (paired over members, so the correlation of the two widths is included), and the
    Monte-Carlo-corrected deviations at n and 2n."""
    Xa, Ya, _ = orbit_data(seed, n_test=n_test, powers=powers)
    mu = gd_mean_at_inputs(Xa, Ya, steps if mu_steps is None else mu_steps)
    F1, F2 = (ensemble_predictions(seed, members, n, 2, steps, 4, 8, n_test, tuple(powers))[:, -len(Xa):]
              for n in (width, 2 * width))
    scale = float(np.sqrt(np.mean(mu ** 2)))
    g = 2.0 * F2 - F1
    dev = float(np.sqrt(np.mean((g.mean(axis=0) - mu) ** 2))) / scale
    se = float(np.sqrt(np.mean(g.var(axis=0, ddof=1)) / members)) / scale
    d = [float(np.sqrt(max(np.mean((F.mean(axis=0) - mu) ** 2) - np.mean(F.var(axis=0, ddof=1)) / members, 0.0)))
         / scale for F in (F1, F2)]
    return dev, se, d[0], d[1]


@check("equivariance.ensemble_mc_exponent", "simulate", resolution=0.1, resolution_full=0.1,
       resolution_reason="the M-slope of the orbit deviation over M = 1..16 has a 95 % bootstrap interval of "
                         "+-0.016 over 16 pools (3.1 % of 1/2; seed 0: 0.5009 [0.4861, 0.5166]) and the finite-size "
                         "shift budget adds 0.0096 (1.9 %: the 97.5 % bootstrap bound over pools of |log rho_1|/log 16, "
                         "rho_1 = 0.9968); with the slope's scatter over seeds the check accepts up to 5-9 % away: "
                         "over seeds 0-19 the +-7 % perturbations were rejected on only 14 and 16 seeds and x0.9, "
                         "x1.1 on 19 (1 false alarm, seed 9), so the target is the floor itself; full sizes keep "
                         "16 pools (not measured there)")
@with_float64
def _ensemble_mc(claim: Claim, ctx: Context, powers=(0, 1, 2, 3)) -> CheckResult:
    """Slope of the ensemble orbit deviation vs M (bootstrap over 8 independent pools) against the
    claimed p, widened by the measured finite-size shift (:func:`mc_shift`, budget :data:`MC_BIAS_BUDGET`);
    also members vs the largest ensemble. Required as well: the ensemble is the documented one
    (:func:`gd_mean_deviation`): its width-extrapolated mean at the training inputs equals the NTK GD mean
    mu_t within 2 standard errors + the finite-width allowance of :data:`GD_MEAN_BUDGET` (the M-exponent alone
    cannot see the step size)."""
    sz = Sizes.of(ctx)
    Ms, errs, member, preds = ensemble_orbit_errors(ctx.seed, members=sz.members, pools=sz.pools, width=sz.width,
                                                    steps=sz.steps, n_test=sz.n_test, powers=tuple(powers))
    fit = fit_power_law(Ms, errs, bootstrap=1000, seed=ctx.seed)
    lo, hi = fit.ci["p"]
    pred = claim.value()
    rho1, bias = mc_shift(errs[:, 0], gaussian_equivalent_m1(preds), int(Ms[-1]), seed=ctx.seed)
    ok, detail = exponent_verdict("ensemble orbit deviation vs M", fit.p, lo, hi, pred, bias=bias)
    if bias > MC_BIAS_BUDGET:
        ok, detail = False, detail + f"; REJECTED: finite-size shift {bias:.3g} exceeds its budget {MC_BIAS_BUDGET}"
    detail += f"; rho_1 = {rho1:.4f} (shift {bias:.4f}, budget {MC_BIAS_BUDGET})"
    ratio = float(errs[:, -1].mean() / member)
    detail += f"; member deviation {member:.3f}, M={Ms[-1]} ensemble {errs[:, -1].mean():.4f} (ratio {ratio:.3f})"
    n = sz.width
    dev, se, d1, d2 = gd_mean_deviation(ctx.seed, sz.members, n, sz.steps, sz.n_test, tuple(powers))
    tol = 2 * se + min(GD_MEAN_BUDGET, GD_MEAN_FRACTION * d2)
    ok = ok and dev <= tol
    detail += (f"; ensemble mean vs NTK GD mean (eta = 1/lambda_max, t = {sz.steps}) at the training inputs, "
               f"extrapolated 2 f_{2 * n} - f_{n}: rel. rms deviation {dev:.4f} vs tolerance 2 SE {2 * se:.4f} + "
               f"min({GD_MEAN_BUDGET}, {GD_MEAN_FRACTION} x deviation at n={2 * n} {d2:.4f}) (at n={n}: {d1:.4f}) -> "
               f"{'consistent' if dev <= tol else 'REJECTED'}")
    mean = errs.mean(axis=0)
    fig = Figure(title="equivariance: orbit deviation of the ensemble mean vs M", xlabel="ensemble size M",
                 ylabel="orbit std",
                 series=[Series("finite-width ensembles (C4-augmented GD)", Ms.tolist(), mean.tolist(), "points",
                                yerr=(errs.std(axis=0) / np.sqrt(errs.shape[0])).tolist()),
                         Series(f"claim M^-{pred:g}", Ms.tolist(), (mean[0] * Ms ** -pred).tolist())])
    return CheckResult(ok, detail, {"p": fit.p, "ci": [lo, hi], "bias": bias, "rho1": rho1, "member": member,
                                    "ensemble": mean.tolist(), "Ms": Ms.tolist(), "gd_deviation": dev,
                                    "gd_tolerance": tol, "gd_width_deviation": [d1, d2]}, fig)


def _ntk_batches(rng, X, n, seeds, depth, sb2, f):
    """Empirical NTKs (float64 arrays, ``(batch, N, N)``) of ``seeds`` width-``n`` networks, in batches of at
    most 2^24 / n^2 (and 4096) networks, parameters from :func:`_np_params`."""
    batch = min(seeds, max(1, 2 ** 24 // (n * n)), 4096)
    for i in range(0, seeds, batch):
        yield np.asarray(f(_np_params(rng, min(batch, seeds - i), X.shape[1], n, depth)), dtype=float)


def _ntk_setup(seed, depth, d, n_points, sb2):
    """(rng, X, Theta, vmapped jitted empirical NTK) for the width measurements."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_points, d))
    _, T = NK.relu_kernels(X, X, depth, 2.0, sb2, xp=np)
    f = jax.jit(jax.vmap(lambda p: NK.empirical_ntk(p, X.astype(np.float32), X.astype(np.float32), 2.0, sb2)))
    return rng, X, T, f


@measurement
def ntk_width_errors(seed=0, widths=(64, 256, 1024), seeds=16, depth=2, d=9, n_points=8, sb2=0.1):
    """Relative Frobenius errors |Theta_emp - Theta|_F / |Theta|_F, shape (seeds, len(widths)) (empirical NTK
    vmapped over seeds, one compilation per width; parameters drawn in float32, whose rounding, ~1e-7
    relative, is five orders below the smallest measured error), and ``bias`` (len(widths)): the seed-mean
    deviation |mean_s Theta_emp - Theta|_F / |Theta|_F with its Monte-Carlo part removed,
    sqrt(max(|mean - Theta|^2 - tr Var / S, 0)) (unbiased for the squared O(1/n) mean shift)."""
    rng, X, T, f = _ntk_setup(seed, depth, d, n_points, sb2)
    nT = float(np.linalg.norm(T))
    out = np.zeros((seeds, len(widths)))
    bias = np.zeros(len(widths))
    for j, n in enumerate(widths):
        E = np.concatenate(list(_ntk_batches(rng, X, n, seeds, depth, sb2, f)))
        out[:, j] = np.linalg.norm(E - T, axis=(1, 2)) / nT
        var_mean = float(np.sum(E.var(axis=0, ddof=1))) / seeds
        bias[j] = np.sqrt(max(float(np.sum((E.mean(axis=0) - T) ** 2)) - var_mean, 0.0)) / nT
    return np.array(widths), out, bias


@measurement
def ntk_width_sq_errors(seed=0, widths=(16, 64, 256, 1024), seeds=(4096, 1024, 256, 64), depth=2, d=16,
                        n_points=32, sb2=0.1):
    """Per-width samples of the squared relative error e^2 = |Theta_emp - Theta|_F^2 / |Theta|_F^2 (``seeds[j]``
    independent networks at ``widths[j]``, streamed in batches; float32 parameters as in
    :func:`ntk_width_errors`). Returns ``(widths, samples, shift)``: ``samples`` a tuple of 1-D arrays,
    ``shift[j]`` the Monte-Carlo-corrected mean shift |mean_s Theta_emp - Theta|_F / |Theta|_F."""
    rng, X, T, f = _ntk_setup(seed, depth, d, n_points, sb2)
    nT2 = float(np.sum(T ** 2))
    samples, shift = [], []
    for n, S_ in zip(widths, seeds):
        e2, tot, tot2 = [], np.zeros_like(T), np.zeros_like(T)
        for E in _ntk_batches(rng, X, n, S_, depth, sb2, f):
            D = E - T
            e2.append(np.sum(D ** 2, axis=(1, 2)) / nT2)
            tot, tot2 = tot + D.sum(axis=0), tot2 + (D ** 2).sum(axis=0)
        mean = tot / S_
        var_mean = float(np.sum(tot2 / S_ - mean ** 2)) / (S_ - 1)
        samples.append(np.concatenate(e2))
        shift.append(np.sqrt(max(float(np.sum(mean ** 2)) - var_mean, 0.0) / nT2))
    return np.array(widths), tuple(samples), np.array(shift)


@dataclass(frozen=True)
class Sizes:
    """Quick (tests, CLI) or full (``-m slow``) sizes of this module's checks.

    Ensemble check: ``members`` networks in ``pools`` pools, ``width``, GD ``steps``, ``n_test`` test points.
    Width check: ``ntk_widths`` and ``ntk_networks`` (networks per width). Many networks where they are cheap (the
    cost of one network grows as n^2): the small widths pin the O(1/n) correction, the large ones the exponent.
    C_k check: ``ck_ks`` and ``ck_angles`` of the invariance bound, ``ck_gap_ks`` of the gap errors. Float64
    check: the input ``spreads`` (Gram condition numbers from ~30 to ~1e8)."""

    members: int
    pools: int
    width: int
    steps: int
    n_test: int
    ntk_widths: tuple[int, ...]
    ntk_networks: tuple[int, ...]
    ck_ks: tuple[int, ...]
    ck_angles: int
    ck_gap_ks: tuple[int, ...]
    spreads: tuple[float, ...]

    @classmethod
    def quick(cls) -> Sizes:
        return cls(members=256, pools=16, width=64, steps=50, n_test=64,
                   ntk_widths=(16, 32, 64, 128, 256, 512, 1024), ntk_networks=(16384, 16384, 8192, 2048, 512, 256, 256),
                   ck_ks=(4, 8, 16), ck_angles=361, ck_gap_ks=(64, 128, 256), spreads=(1.0, 1e-1, 1e-2, 1e-3))

    @classmethod
    def full(cls) -> Sizes:
        return cls(members=512, pools=16, width=128, steps=100, n_test=64,
                   ntk_widths=(16, 32, 64, 128, 256, 512, 1024), ntk_networks=(65536, 32768, 16384, 8192, 4096, 2048, 1024),
                   ck_ks=(4, 8, 16, 32, 64), ck_angles=1441, ck_gap_ks=(32, 64, 128, 256, 512),
                   spreads=(1.0, 3e-1, 1e-1, 3e-2, 1e-2, 3e-3, 1e-3))

    @classmethod
    def of(cls, ctx: Context) -> Sizes:
        return cls.quick() if ctx.quick else cls.full()


WIDTH_BIAS_BUDGET = 0.02
"""Budget for the finite-width shift of the corrected width exponent (the check fails if the measured shift
exceeds it).

Fit model: E|Theta_emp - Theta|^2 = V_1/n + (V_2 + beta^2)/n^2 + O(n^-3) (fluctuation of means over n neurons,
its second-order terms, and the squared O(1/n) mean shift), i.e. n^{-2p}(A + B/n) with p, A, B free
(:func:`corrected_exponent`), leaving an O(n^-2) relative remainder. Convergence study (in the check, same runs):
the shift is |p(all widths) - p(n = 16 dropped)|; dropping the smallest width cuts an O(n^-2) remainder's
effect about four-fold, so the change estimates it. Measured offline (seeds 0..2, 40000 networks at n = 16 and
32 down to 800 at n = 1024): n E e^2 = 8.7..9.0 at n = 16, 7.7..7.8 at n = 1024; the fit gives p = 0.504,
0.497, 0.500 (+- 0.0025), B/A = 1.7..2.7; a pure power law over 64..1024 gives 0.509, 0.504, 0.508 (the O(1/n)
term's shift, ~0.006); an extra C/n^2 term moves p by <= 0.004. At the quick size (seeds 0..7) the shift is
0.003..0.006, p = 0.489..0.508 with 95 % intervals +- 0.010."""


def _np_params(rng, seeds, d, width, depth):
    """Standard-normal MLP parameters (float32) for ``seeds`` networks, stacked on axis 0 (NumPy's generator
    is much faster than JAX's threefry on CPU for the 1e7 numbers needed at width 1024)."""
    params, fan_in = [], d
    for _ in range(depth):
        params.append((rng.standard_normal((seeds, width, fan_in), dtype=np.float32),
                       rng.standard_normal((seeds, width), dtype=np.float32)))
        fan_in = width
    params.append((rng.standard_normal((seeds, fan_in), dtype=np.float32), rng.standard_normal(seeds, dtype=np.float32)))
    return params


_P_GRID = np.linspace(0.05, 1.5, 1451)


def corrected_exponent(ns, msq, se) -> tuple[np.ndarray, np.ndarray]:
    """(p, c) of msq ~ n^{-2p}(A + B/n), c = B/A, by weighted least squares (weights 1/se^2); ``msq`` of shape
    (len(ns),) or (rows, len(ns)), one fit per row. For fixed p the model is linear in (A, B): the residual
    is profiled on a grid of p (step 1e-3) and its minimum refined by a parabola through the three nearest
    grid points. The B/n term is a correction: fits with A <= 0 or |c| > n_min/2 are excluded (without
    this, p - 1/2 with A ~ 0 fits as well: the two terms swap roles)."""
    ns, se = np.asarray(ns, float), np.asarray(se, float)
    y = np.atleast_2d(np.asarray(msq, float))
    w, x = 1.0 / se ** 2, ns / ns[0]
    chi, coef = np.empty((y.shape[0], _P_GRID.size)), np.empty((y.shape[0], _P_GRID.size, 2))
    for i, p in enumerate(_P_GRID):
        Xm = np.stack([x ** (-2 * p), x ** (-2 * p) / ns], axis=1)
        cf = np.linalg.solve(Xm.T @ (Xm * w[:, None]), (Xm * w[:, None]).T @ y.T).T
        bad = (cf[:, 0] <= 0) | (np.abs(cf[:, 1]) > 0.5 * ns[0] * cf[:, 0])
        chi[:, i], coef[:, i] = np.where(bad, np.inf, ((y - cf @ Xm.T) ** 2 * w).sum(axis=1)), cf
    k = np.clip(chi.argmin(axis=1), 1, _P_GRID.size - 2)
    r = np.arange(y.shape[0])
    c0, c1, c2 = chi[r, k - 1], chi[r, k], chi[r, k + 1]
    h = _P_GRID[1] - _P_GRID[0]
    curv = c0 - 2 * c1 + c2
    p = _P_GRID[k] + 0.5 * h * (c0 - c2) / np.where(np.isfinite(curv) & (curv > 0), curv, np.inf)
    return p, coef[r, k, 1] / coef[r, k, 0]


def _bootstrap_means(samples, n_boot, seed):
    """(n_boot, len(samples)) means of the per-width samples resampled with replacement (stratified)."""
    rng = np.random.default_rng(seed)
    return np.stack([bootstrap_means(s, n_boot, rng) for s in samples], axis=1)


@check("equivariance.ntk_width_exponent", "simulate")
@with_float64
def _ntk_width(claim: Claim, ctx: Context) -> CheckResult:
    """Decay exponent p of the mean squared empirical-vs-analytic NTK error, fitted as n^{-2p}(A + B/n)
    (:func:`corrected_exponent`; 95 % stratified bootstrap over networks), vs the claim, widened by the
    measured shift from the O(n^-2) remainder (:data:`WIDTH_BIAS_BUDGET`)."""
    sz = Sizes.of(ctx)
    widths, seeds = sz.ntk_widths, sz.ntk_networks
    ns, samples, bias = ntk_width_sq_errors(ctx.seed, widths, seeds, d=16, n_points=32)
    msq = np.array([s.mean() for s in samples])
    se = np.array([s.std(ddof=1) / np.sqrt(s.size) for s in samples])
    (p,), (c,) = corrected_exponent(ns, msq, se)
    boot, _ = corrected_exponent(ns, _bootstrap_means(samples, 1000, ctx.seed), se)
    lo, hi = (float(v) for v in np.quantile(boot, [0.025, 0.975]))
    p, c = float(p), float(c)
    shift = abs(p - float(corrected_exponent(ns[1:], msq[1:], se[1:])[0][0]))
    pred = claim.value()
    ok, detail = exponent_verdict("rms empirical NTK error vs width, fit n^-2p (A + B/n)", p, lo, hi, pred,
                                  bias=shift)
    if shift > WIDTH_BIAS_BUDGET:
        ok, detail = False, detail + f"; REJECTED: finite-width shift {shift:.3g} exceeds its budget {WIDTH_BIAS_BUDGET}"
    loc = -np.diff(0.5 * np.log(msq)) / np.diff(np.log(ns))
    rms = np.sqrt(msq)
    detail += (f"; O(1/n) correction B/A = {c:.2f}; rms errors " + ", ".join(f"n={n}: {e:.3f}" for n, e in zip(ns, rms))
               + f" ({', '.join(str(s.size) for s in samples)} networks); mean shift b "
               + ", ".join(f"{b_:.4f}" for b_ in bias)
               + f"; shift {shift:.4f} (budget {WIDTH_BIAS_BUDGET}); window slopes " + ", ".join(f"{v:.3f}" for v in loc))
    fig = Figure(title="equivariance: empirical NTK -> analytic kernel", xlabel="width n",
                 ylabel="rms |Theta_emp - Theta|_F / |Theta|_F",
                 series=[Series("empirical NTK (rms over networks)", ns.tolist(), rms.tolist(), "points",
                                yerr=(0.5 * se / rms).tolist()),
                         Series(f"claim n^-{pred:g}", ns.tolist(), (rms[-1] * (ns / ns[-1]) ** -pred).tolist())])
    return CheckResult(ok, detail, {"p": p, "ci": [lo, hi], "shift": shift, "correction": c, "errors": rms.tolist(),
                                    "bias": bias.tolist(), "window_slopes": loc.tolist(), "widths": ns.tolist(),
                                    "networks": [int(s.size) for s in samples]}, fig)


@measurement
def ck_invariance_errors(ks=(4, 8, 16), seed=0, n_base=6, n_test=6, n_angles=361, depth=2, sb2=0.1, t=50.0):
    """SO(2) invariance error of the analytic NTK mean trained with C_k augmentation on 2-D inputs:
    mean over test points of :math:`\\max_\\theta|\\mu_t(R_\\theta x)-\\mu_t(x)|`."""
    rng = np.random.default_rng(seed)
    X0 = rng.standard_normal((n_base, 2))
    Y0 = rng.standard_normal(n_base)
    Xt = rng.standard_normal((n_test, 2)) * 1.5
    ang = np.linspace(0, 2 * np.pi, n_angles)
    rots = np.stack([np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) for a in ang])
    Xte = np.einsum("aij,tj->tai", rots, Xt).reshape(-1, 2)
    out = []
    for k in ks:
        Xa, Ya = augment(X0, Y0, rotation_group(k))
        _, T = NK.relu_kernels(Xa, Xa, depth, 2.0, sb2, xp=np)
        eta = float(1.0 / np.linalg.eigvalsh(T).max())
        mu, _, _ = NK.ntk_mean(Xa, Ya, Xte, t, eta, depth, 2.0, sb2)
        mu = np.asarray(mu).reshape(n_test, n_angles)
        out.append(float(np.abs(mu - mu[:, :1]).max(axis=1).mean()))
    return np.array(ks), np.array(out)


@measurement
def ck_gap_errors(ks=(32, 64, 128), seed=0, n_base=6, n_test=6, n_delta=33, n_grid=20001, depth=2, sb2=0.1):
    r"""Worst-case rotation error over the C_k orbit gaps, for a smooth predictor that is *not* invariant.

    The predictor is the analytic NTK mean (t = inf) trained on ``n_base`` un-augmented 2-D points;
    :math:`g_i(\theta)=\mu(R_\theta x_i)` at ``n_test`` test points. For each k:
    :math:`E_k = \max_{b\in C_k}\max_{|\delta|\le\pi/k}|g(b+\delta)-g(b)|` (replacing a rotation by its
    nearest group element: the max-min that defines kappa), and :math:`G=\max_\theta|g'(\theta)|`
    (central differences on ``n_grid`` angles, error O(h^2) ~ 1e-7 relative). Returns ``(ks, gaps)`` with
    ``gaps[j]`` the test-point mean of :math:`E_k/G` (an angle: the measured maximal gap)."""
    rng = np.random.default_rng(seed)
    X0 = rng.standard_normal((n_base, 2))
    Y0 = rng.standard_normal(n_base)
    Xt = rng.standard_normal((n_test, 2)) * 1.5
    _, T = NK.relu_kernels(X0, X0, depth, 2.0, sb2, xp=np)
    v = np.linalg.solve(T, Y0)

    def g(th):
        R = np.stack([np.cos(th), -np.sin(th), np.sin(th), np.cos(th)], -1).reshape(-1, 2, 2)
        P = np.einsum("aij,tj->tai", R, Xt).reshape(-1, 2)
        return (NK.relu_kernels(P, X0, depth, 2.0, sb2, xp=np)[1] @ v).reshape(n_test, -1)

    th = np.linspace(0, 2 * np.pi, n_grid)
    G = np.abs(np.gradient(g(th), th, axis=1)).max(axis=1)
    gaps = []
    for k in ks:
        b = 2 * np.pi * np.arange(k) / k
        dl = np.linspace(-np.pi / k, np.pi / k, n_delta)   # endpoints exact; centre index = the element b
        vals = g((b[:, None] + dl[None]).ravel()).reshape(n_test, k, n_delta)
        E = np.abs(vals - vals[:, :, n_delta // 2:n_delta // 2 + 1]).max(axis=(1, 2))
        gaps.append(float(np.mean(E / G)))
    return np.array(ks), np.array(gaps)


CK_GAP_BUDGET = 0.01
"""Budget for the finite-k deviation of E_k/G from the maximal gap at k = 128. Convergence study
(:func:`ck_gap_errors`, seed 0): the normalised gap k E_k/G converges as O(k^-2) (curvature of g over a
gap; the chord/arc difference of kappa is pi^2/(24 k^2) = 1e-4 at k = 128): relative deviation from the
k -> inf value 1.0e-2, 3.7e-3, 1.1e-3 at k = 32, 64, 128 (ratios 2.8, 3.4 -> 4). The error estimate at k = 128
is the drift |128 E_128/G / (64 E_64/G) - 1| (>= the remaining error for any convergence at least 2x per
doubling), ~2.6e-3; an estimate above the budget fails the check. Over seeds 0-19 the drift at k = 128 exceeded
the budget on 4 (1.5e-2, 1.7e-2: predictors that curve more over a gap), so the quick check goes to k = 256
(drift 7.7e-4 at seed 0; 1 of 20 seeds over), the full one to k = 512."""


@check("equivariance.ck_discrepancy", "simulate")
@with_float64
def _ck_sim(claim: Claim, ctx: Context) -> CheckResult:
    r"""Two measurements.

    1. Sharp (the verdict): the maximal angular gap of C_k measured through a smooth non-invariant predictor
       (:func:`ck_gap_errors`): :math:`E_k/G\to\max_\theta\min_b|\theta-b|` as k grows, which kappa's
       max-min operator norm equals up to O(k^-2) (:math:`\|R_\theta-R_b\|=2\sin(|\theta-b|/2)`). The
       measured gap at k = 256 must equal the claimed kappa(256) within the measured convergence error
       (:data:`CK_GAP_BUDGET`). Rejects kappa x0.9 / x1.1 (10 % off) and 2 sin(pi/k) (2x).
    2. One-sided (reported, and required): the lemma's bound err_k <= C kappa_k for the C_k-augmented NTK
       mean (:func:`ck_invariance_errors`): err_k / kappa_k must not grow with k (1 + 1e-9: float64
       round-off). The measured error decays as ~k^-3.3, far below the bound, so this part alone cannot
       see kappa's value.
    """
    sz = Sizes.of(ctx)
    ks, errs = ck_invariance_errors(sz.ck_ks, seed=ctx.seed, n_angles=sz.ck_angles)
    kap = np.array([claim.value(k=int(kk)) for kk in ks])
    ratio = errs / kap
    bound_ok = bool(np.all(ratio <= ratio[0] * (1 + 1e-9)))
    gk, gaps = ck_gap_errors(sz.ck_gap_ks, seed=ctx.seed)
    drift = abs(gk[-1] * gaps[-1] / (gk[-2] * gaps[-2]) - 1)
    kap_g = np.array([claim.value(k=int(kk)) for kk in gk])
    ok, detail = relative_verdict(f"max gap to C_k at k={gk[-1]} (SO(2) error / max rate)", gaps[-1], kap_g[-1],
                                  drift)
    if drift > CK_GAP_BUDGET:
        ok, detail = False, detail + f"; REJECTED: convergence error {drift:.2e} exceeds its budget {CK_GAP_BUDGET}"
    detail += ("; measured gap / claimed kappa at k=" + ",".join(map(str, gk)) + ": "
               + ", ".join(f"{r:.4f}" for r in gaps / kap_g) + f" (error estimate {drift:.2e}, budget {CK_GAP_BUDGET})")
    detail += ("; bound err_k <= C kappa_k for the C_k-augmented NTK mean: " +
               ", ".join(f"k={kk}: {e:.3e} (err/kappa {r:.3f})" for kk, e, r in zip(ks, errs, ratio)) +
               (" holds" if bound_ok else " VIOLATED (err/kappa grows with k)"))
    ok = ok and bound_ok
    fig = Figure(title="equivariance: maximal C_k gap measured through a smooth predictor", xlabel="k",
                 ylabel="max_theta |mu(R_theta x) - mu(R_b x)| / max|dmu/dtheta|",
                 series=[Series("analytic NTK mean (float64)", gk.tolist(), gaps.tolist(), "points"),
                         Series("claimed kappa(C_k)", gk.tolist(), kap_g.tolist())])
    return CheckResult(ok, detail, {"ks": ks.tolist(), "errors": errs.tolist(), "err_over_kappa": ratio.tolist(),
                                    "gap_ks": gk.tolist(), "gaps": gaps.tolist(), "gap_error": drift}, fig)


@with_float64
def float64_orbit_deviation(seed=0, spread=1.0, times=(0.5, 5.0, 50.0, np.inf)):
    """Float64 orbit deviation of the analytic :math:`\\mu_t` on the B-3 setup (3x3 images, C4,
    4 base images) whose base images are ``x_0 + spread * xi_j`` (small ``spread``: ill-conditioned
    Gram matrix). Returns ``(dev, bound, cond)`` with the bound
    :math:`N u\\,\\mathrm{cond}(\\Theta)\\,\\|\\Theta_{xX}\\|_2\\|\\phi_t(\\Theta)\\|_2\\|Y\\|_F` maximised over t."""
    Xa, Ya, tests, G, RY = c4_setup(seed)
    if spread != 1.0:
        rng = np.random.default_rng(seed + 7)
        x0 = rng.standard_normal(9)
        X0 = x0 + spread * rng.standard_normal((4, 9))
        Xa, Ya = augment(X0, rng.standard_normal((4, 3)), G,
                         [np.block([[np.eye(1), np.zeros((1, 2))], [np.zeros((2, 1)), R]]) for R in RY])
    pts = np.stack([g @ x for x in tests for g in G])
    eta = float(1.0 / np.linalg.eigvalsh(NK.relu_kernels(Xa, Xa, 2, 2.0, 0.1, xp=np)[1]).max())
    dev, bound, cond = 0.0, 0.0, 0.0
    for t in times:
        mu, c, nrm = NK.ntk_mean(Xa, Ya, pts, t, eta, 2, 2.0, 0.1)
        mu = np.asarray(mu)
        for i in range(len(tests)):
            base = mu[4 * i]
            for g in range(1, 4):
                Ry = np.block([[np.eye(1), np.zeros((1, 2))], [np.zeros((2, 1)), RY[g]]])
                dev = max(dev, float(np.abs(mu[4 * i + g] - Ry @ base).max()))
        cond = float(c)
        bound = max(bound, len(Xa) * U64 * float(c) * float(nrm))
    return dev, bound, cond


@check("equivariance.mean_predictor_equivariance", "simulate", evidence="consistency")
@with_float64
def _float64_mean(claim: Claim, ctx: Context) -> CheckResult:
    """In float64 exact invariance is limited by round-off amplified by the Gram matrix's condition
    number: |dev - claimed| <= N u cond(Theta) |Theta_xX| |phi| |Y| (first-order perturbation bound of
    the eigendecomposition-based matrix function), for Gram matrices with cond from ~30 to ~1e8."""
    spreads = Sizes.of(ctx).spreads
    claimed = claim.value()
    rows = [float64_orbit_deviation(ctx.seed, s) for s in spreads]
    ok = all(abs(dev - claimed) <= b for dev, b, _ in rows)
    detail = ("float64 orbit deviation of mu_t vs bound N u cond |.|: " +
              ", ".join(f"cond {c:.1e}: {dev:.1e} <= {b:.1e}" for dev, b, c in rows) +
              (" -> consistent" if ok else " -> REJECTED"))
    conds = [c for _, _, c in rows]
    fig = Figure(title="equivariance: float64 orbit deviation vs cond(Theta)", xlabel="cond(Theta)",
                 ylabel="max orbit deviation of mu_t",
                 series=[Series("float64 (JAX)", conds, [max(d_, 1e-18) for d_, _, _ in rows], "points"),
                         Series("bound N u cond |Theta_xX||phi||Y|", conds, [b for _, b, _ in rows])])
    return CheckResult(ok, detail, {"deviation": [r[0] for r in rows], "bound": [r[1] for r in rows],
                                    "cond": conds}, fig)


@with_float64
def ensemble_mean_width_gap(seed=0, widths=(8, 32, 128), members=128, depth=2, steps=50, side=4, n_base=8,
                            n_test=16, sb2=0.1):
    """Distance of the finite-width ensemble mean from the analytic NTK-regime mean (discrete GD,
    :math:`\\phi(\\lambda)=(1-(1-\\eta\\lambda)^T)/\\lambda`), with the Monte-Carlo part removed:
    :math:`\\mathrm{gap}^2 = \\overline{(\\hat f_M-\\mu_T)^2} - \\overline{s^2}/M` (unbiased for the squared
    finite-width bias; ``s^2`` is the members' sample variance). Returns ``(widths, gap, raw, mc)``."""
    rng = np.random.default_rng(seed)
    G = cyclic_pixel_group(side, 4)
    Xa, Ya = augment(rng.standard_normal((n_base, side * side)), rng.standard_normal(n_base), G)
    Xte = rng.standard_normal((n_test, side * side)) * 1.2 + 0.3
    _, T = NK.relu_kernels(Xa, Xa, depth, 2.0, sb2, xp=np)
    eta = float(1.0 / np.linalg.eigvalsh(T).max())
    mu, _, _ = NK.ntk_mean(Xa, Ya, Xte, steps, eta, depth, 2.0, sb2, gd_steps=True)
    gap, raw, mc = [], [], []
    for n in widths:
        keys = jax.random.split(jax.random.key(seed + n), members)
        F = np.asarray(NK.train_ensemble(keys, Xa, Ya, Xte, n, depth, eta, steps, 2.0, sb2, jnp.float64))
        msq = float(np.mean((F.mean(0) - mu) ** 2))
        var_m = float(np.mean(F.var(0, ddof=1)) / members)
        raw.append(np.sqrt(msq))
        mc.append(np.sqrt(var_m))
        gap.append(np.sqrt(max(msq - var_m, 0.0)))
    return np.array(widths), np.array(gap), np.array(raw), np.array(mc)
