"""Emergent equivariance at 30 digits: the exact NTK-regime output law of an augmented ReLU ensemble.

* :func:`relu_kernels` -- closed-form ReLU NNGP :math:`K^{(L+1)}` and NTK :math:`\\Theta^{(L+1)}`
  (NTK parameterisation, recursion in :mod:`theory.equivariance`), cosine clipped to [-1, 1].
* :func:`ntk_output_law` -- :math:`\\mu_t(x)=\\Theta_{xX}\\phi_t(\\Theta)Y` and :math:`\\Sigma_t(x,x')`
  (Lee et al. 2019) with :math:`\\phi_t(\\lambda)=(1-e^{-\\eta t\\lambda})/\\lambda` evaluated through the
  symmetric eigendecomposition (``mp.eigsy``) and ``expm1``: finite even for a singular Gram matrix.
* :func:`orbit_deviation` -- :math:`\\max_{g,t}|\\mu_t(\\rho_X(g)x)-\\rho_Y(g)\\mu_t(x)|` and
  :math:`\\max_{g,t}|\\Sigma_t(\\rho x,\\rho x')-\\Sigma_t(x,x')|` at random off-manifold points.
* Group utilities (numpy): :func:`cyclic_pixel_group`, :func:`rotation_group`,
  :func:`validate_representation` (orthogonal, closed, with identity, consistent shapes) and
  :func:`augment` (full orbit augmentation), used by the simulations too.

Error bound at 30 digits: every kernel entry is a composition of ``sqrt``/``acos``/``sin``/``cos`` and a
dot product of at most 9 terms evaluated at 30+10 digits, so each entry carries a relative error
:math:`\\lesssim 10^{-38}`; the eigen-solver and products add :math:`\\mathrm{cond}(\\Theta)\\,10^{-40}`.
With :math:`\\mathrm{cond}(\\Theta)\\lesssim 10^{6}` here, the orbit deviations are :math:`\\lesssim10^{-30}`,
and the asserted tolerance :math:`10^{-25}` leaves five orders of margin while any real violation
(a non-invariant kernel, a missing group element) produces deviations :math:`\\gtrsim10^{-3}`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import mpmath as mp
import numpy as np

from scaling_verify.checks import CheckResult, Context, Figure, Series, check
from scaling_verify.checks.measurement import measurement
from scaling_verify.numerics.precise import DPS
from scaling_verify.theory.claims import Claim
from scaling_verify.theory.equivariance import c4_pixel_permutation

TOL_30 = 1e-25
"""Asserted bound on orbit deviations at 30 digits (module docstring: expected <= 1e-30)."""

# ----------------------------------------------------------------------------- group utilities


def permutation_matrix(perm) -> np.ndarray:
    """Matrix :math:`P` with :math:`(Px)_p = x_{\\mathrm{perm}[p]}`."""
    perm = list(perm)
    n = len(perm)
    if sorted(perm) != list(range(n)):
        raise ValueError(f"not a permutation of 0..{n - 1}: {perm}")
    P = np.zeros((n, n))
    P[np.arange(n), perm] = 1.0
    return P


def cyclic_pixel_group(side: int = 3, k: int = 4) -> list[np.ndarray]:
    """:math:`C_4` (``k = 4``) or :math:`C_2` acting on ``side x side`` images by pixel permutation
    (90-degree rotations), as a list of permutation matrices ``[I, P, P^2, ...]``."""
    if k not in (1, 2, 4):
        raise ValueError(f"pixel rotations of a square image form C_4 and its subgroups; k={k} is not 1, 2 or 4")
    P = permutation_matrix(c4_pixel_permutation(side))
    step = 4 // k
    return [np.linalg.matrix_power(P, step * i) for i in range(k)]


def rotation_group(k: int) -> list[np.ndarray]:
    """:math:`C_k\\subset SO(2)`: rotations by :math:`2\\pi i/k`."""
    if int(k) != k or k < 1:
        raise ValueError(f"k must be a positive integer, got {k}")
    out = []
    for i in range(k):
        a = 2 * np.pi * i / k
        out.append(np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]))
    return out


def validate_representation(mats, tol: float = 1e-10) -> list[np.ndarray]:
    """Check that ``mats`` is a finite group of orthogonal matrices (square, equal shapes, orthogonal,
    contains the identity, closed under products). Raises ValueError naming the failure."""
    mats = [np.asarray(m, dtype=float) for m in mats]
    if not mats:
        raise ValueError("the group representation is empty")
    n = mats[0].shape[0]
    for i, m in enumerate(mats):
        if m.ndim != 2 or m.shape != (n, n):
            raise ValueError(f"representation matrix {i} has shape {m.shape}, expected ({n}, {n})")
        err = np.abs(m.T @ m - np.eye(n)).max()
        if err > tol:
            raise ValueError(f"representation matrix {i} is not orthogonal (|R^T R - I| = {err:.2e}): "
                             "the theorem needs an orthogonal representation")
    if not any(np.abs(m - np.eye(n)).max() <= tol for m in mats):
        raise ValueError("the group does not contain the identity")
    for i, a in enumerate(mats):
        for j, b in enumerate(mats):
            ab = a @ b
            if not any(np.abs(ab - m).max() <= tol for m in mats):
                raise ValueError(f"the group is not closed: element {i} times element {j} is not in it")
    return mats


def augment(X, Y, reps_x, reps_y=None):
    """Full orbit augmentation: rows :math:`(\\rho_X(g)x_i, \\rho_Y(g)y_i)` ordered (point i, element g).

    ``X`` is (N, d), ``Y`` is (N,) or (N, m); ``reps_y`` defaults to the trivial representation.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (points, features), got shape {X.shape}")
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} points but Y has {Y.shape[0]}")
    if reps_x[0].shape[0] != X.shape[1]:
        raise ValueError(f"representation acts on dimension {reps_x[0].shape[0]} but inputs have {X.shape[1]}")
    Y2 = Y.reshape(Y.shape[0], -1)
    if reps_y is None:
        reps_y = [np.eye(Y2.shape[1])] * len(reps_x)
    if len(reps_y) != len(reps_x):
        raise ValueError("rho_X and rho_Y must list the same number of group elements")
    if reps_y[0].shape[0] != Y2.shape[1]:
        raise ValueError(f"rho_Y acts on dimension {reps_y[0].shape[0]} but labels have {Y2.shape[1]}")
    Xa = np.concatenate([np.stack([R @ x for R in reps_x]) for x in X])
    Ya = np.concatenate([np.stack([S @ y for S in reps_y]) for y in Y2])
    return Xa, (Ya if Y.ndim == 2 else Ya[:, 0])


# ----------------------------------------------------------------------------- kernels (mpmath)


def _mpvec(v):
    return [mp.mpf(float(e)) for e in np.asarray(v, dtype=float).ravel()]


def relu_kernels(X1, X2, depth: int = 2, sw2=2, sb2=0, metric=None):
    """ReLU NNGP and NTK Gram blocks between rows of ``X1`` and ``X2`` (lists of mpf vectors or arrays).

    .. math:: K^{(1)} = \\sigma_w^2 x^\\top D x'/d + \\sigma_b^2,\\ \\ldots
              \\ \\Theta^{(l+1)}=K^{(l+1)}+\\dot K^{(l+1)}\\Theta^{(l)}

    ``metric`` (a diagonal ``D``, default identity) exists only to build a kernel that is *not*
    orthogonally invariant, for the power tests. The cosine is clipped to [-1, 1] before ``acos``.
    Returns ``(K, Theta)`` as ``mp.matrix``.
    """
    if depth < 0 or int(depth) != depth:
        raise ValueError(f"depth must be a non-negative integer, got {depth}")
    A = [v if isinstance(v, list) else _mpvec(v) for v in X1]
    B = [v if isinstance(v, list) else _mpvec(v) for v in X2]
    dim = len(A[0])
    if any(len(v) != dim for v in A + B):
        raise ValueError("all inputs must have the same dimension")
    sw2, sb2 = mp.mpf(sw2), mp.mpf(sb2)
    D = [mp.mpf(1)] * dim if metric is None else [mp.mpf(float(m)) for m in metric]
    if len(D) != dim:
        raise ValueError(f"metric has {len(D)} entries for inputs of dimension {dim}")

    def first(u, v):
        return sw2 * mp.fsum(D[i] * u[i] * v[i] for i in range(dim)) / dim + sb2

    da = [first(u, u) for u in A]
    db = [first(v, v) for v in B]
    K = mp.matrix(len(A), len(B))
    T = mp.matrix(len(A), len(B))
    for i, u in enumerate(A):
        for j, v in enumerate(B):
            kxx, kyy, kxy = da[i], db[j], first(u, v)
            same = u == v
            th = kxy
            for _ in range(depth):
                norm = mp.sqrt(kxx * kyy)
                # identical inputs: cosine exactly 1 (a rounding to 1 - eps would give acos ~ sqrt(2 eps))
                c = mp.mpf(1) if same else min(mp.mpf(1), max(mp.mpf(-1), kxy / norm))
                ang = mp.acos(c)
                kxy = sw2 / (2 * mp.pi) * norm * (mp.sin(ang) + (mp.pi - ang) * c) + sb2
                th = kxy + sw2 / (2 * mp.pi) * (mp.pi - ang) * th
                kxx = sw2 / 2 * kxx + sb2
                kyy = sw2 / 2 * kyy + sb2
            K[i, j], T[i, j] = kxy, th
    return K, T


def phi_matrix(T, t, eta):
    """:math:`\\phi_t(\\Theta)=\\Theta^{-1}(I-e^{-\\eta t\\Theta})` via ``eigsy``; ``t = mp.inf`` gives
    :math:`\\Theta^{-1}` (needs a non-singular Gram)."""
    E, Q = mp.eigsy(T)
    n = T.rows
    vals = []
    for lam in E:
        if t == mp.inf:
            vals.append(1 / lam)
        else:
            z = eta * t * lam
            vals.append(-mp.expm1(-z) / lam if lam != 0 else eta * t)
    return Q * mp.diag(vals) * Q.T if n else Q


def ntk_output_law(Xtr, Ytr, Xte, times, depth=2, sw2=2, sb2=0, eta=None, metric=None):
    """Exact NTK-regime output law on test points for each time in ``times``.

    Returns ``(mus, sigmas, eta, cond)`` with ``mus[t]`` an (N_test x m) ``mp.matrix`` and
    ``sigmas[t]`` (N_test x N_test). Default :math:`\\eta = 1/\\lambda_{max}(\\Theta)`.
    """
    Ytr = np.asarray(Ytr, dtype=float).reshape(len(Xtr), -1)
    Kxx, Txx = relu_kernels(Xtr, Xtr, depth, sw2, sb2, metric)
    Kte, Tte = relu_kernels(Xte, Xtr, depth, sw2, sb2, metric)
    Ktt, _ = relu_kernels(Xte, Xte, depth, sw2, sb2, metric)
    E, _ = mp.eigsy(Txx)
    lmax, lmin = max(E), min(E)
    if eta is None:
        eta = 1 / lmax
    Y = mp.matrix(Ytr.tolist())
    mus, sigmas = {}, {}
    for t in times:
        A = phi_matrix(Txx, t, eta)
        TA = Tte * A
        mus[t] = TA * Y
        KA = Kte * A
        sigmas[t] = Ktt + TA * Kxx * TA.T - TA * Kte.T - KA * Tte.T
    return mus, sigmas, eta, lmax / lmin


def c4_setup(seed: int = 0, n_base: int = 4, side: int = 3, equivariant_labels: bool = True,
             powers=(0, 1, 2, 3)):
    """The B-3 setup: ``n_base`` random ``side x side`` images, C4 as pixel permutations, augmented with
    the rotations in ``powers`` (all four for full augmentation), scalar invariant labels and 2-D
    labels rotating by :math:`R_{90}` (or invariant when ``equivariant_labels=False``)."""
    rng = np.random.default_rng(seed)
    G = cyclic_pixel_group(side, 4)
    RY = [np.linalg.matrix_power(np.array([[0.0, -1.0], [1.0, 0.0]]), i) for i in range(4)]
    X0 = rng.standard_normal((n_base, side * side))
    Y0 = np.column_stack([rng.standard_normal(n_base), rng.standard_normal((n_base, 2))])
    Gs = [G[p] for p in powers]
    RYs = [np.eye(3) if not equivariant_labels else
           np.block([[np.eye(1), np.zeros((1, 2))], [np.zeros((2, 1)), RY[p]]]) for p in powers]
    Xa, Ya = augment(X0, Y0, Gs, RYs)
    tests = rng.standard_normal((2, side * side)) * 1.3 + 0.2   # off the data manifold
    return Xa, Ya, tests, G, RY


@dataclass(frozen=True)
class OrbitDeviation:
    """:func:`orbit_deviation`: the largest orbit deviations of the mean (``mu``) and of the covariance
    (``sigma``) over g and t, the same per time (``*_by_t``, at ``times``), ``scale`` = max |mu|, ``cond`` =
    cond(Theta) and the step ``eta``."""

    mu: object
    sigma: object
    mu_by_t: list
    sigma_by_t: list
    scale: object
    cond: object
    eta: object
    times: list

def orbit_deviation(seed=0, times=(mp.mpf("0.5"), 5, 50, mp.inf), depth=2, sw2=2, sb2=mp.mpf("0.1"),
                    metric=None, powers=(0, 1, 2, 3), dps=DPS):
    """Maximal orbit deviations of :math:`\\mu_t` (outputs: one invariant, two rotating with
    :math:`R_{90}`) and of :math:`\\Sigma_t` over g in C4 and the given times, at ``dps`` digits.

    ``t`` is in units of :math:`1/(\\eta\\lambda_{max})` steps of gradient flow; :math:`\\eta=1/\\lambda_{max}`.
    Returns an :class:`OrbitDeviation`: ``mu``, ``sigma`` (max deviations), per-time lists, ``scale`` (max |mu|)
    and ``cond``.
    """
    Xa, Ya, tests, G, RY = c4_setup(seed, powers=powers)
    with mp.workdps(dps):
        pts = [g @ x for x in tests for g in G]        # index: test i, element g -> i*4 + g
        mus, sig, eta, cond = ntk_output_law(Xa, Ya, pts, times, depth, sw2, sb2, metric=metric)
        dev_mu, dev_sig, scale = [], [], mp.mpf(0)
        for t in times:
            mu, S = mus[t], sig[t]
            dm = mp.mpf(0)
            for i in range(len(tests)):
                base = [mu[i * 4, c] for c in range(3)]
                scale = max(scale, max(abs(b) for b in base))
                for g in range(1, 4):
                    rot = RY[g]
                    pred = [base[0]] + [sum(mp.mpf(rot[a, b]) * base[1 + b] for b in range(2)) for a in range(2)]
                    dm = max(dm, max(abs(mu[i * 4 + g, c] - pred[c]) for c in range(3)))
            ds = mp.mpf(0)
            for g in range(1, 4):
                for i, j in itertools.product(range(len(tests)), repeat=2):
                    ds = max(ds, abs(S[i * 4 + g, j * 4 + g] - S[i * 4, j * 4]))
            dev_mu.append(dm)
            dev_sig.append(ds)
        return OrbitDeviation(mu=max(dev_mu), sigma=max(dev_sig), mu_by_t=dev_mu, sigma_by_t=dev_sig,
                              scale=scale, cond=cond, eta=eta, times=list(times))


def _zero_verdict(name: str, measured, claimed, tol: float) -> tuple[bool, str]:
    err = abs(mp.mpf(measured) - claimed)
    ok = err <= tol
    return ok, (f"{name}: measured {mp.nstr(measured, 3)} vs claimed {mp.nstr(claimed, 3)}, |diff| "
                f"{mp.nstr(err, 3)} (tol {tol:.0e}) -> {'consistent' if ok else 'REJECTED'}")


# ----------------------------------------------------------------------------- checks


def _mp_orthogonal(dim, rng):
    """An orthogonal matrix *exact at working precision*: a product of Householder reflections with
    random float vectors, formed in mpmath."""
    Q = mp.eye(dim)
    for _ in range(dim):
        v = mp.matrix(_mpvec(rng.standard_normal(dim)))
        H = mp.eye(dim) - 2 * (v * v.T) / (v.T * v)[0]
        Q = H * Q
    return Q


def kernel_invariance_deviation(seed: int = 0, depth: int = 3, metric=None, dim: int = 9, n_pairs: int = 4,
                                dps: int = DPS):
    """:math:`\\max|\\Theta(Qx,Qx')-\\Theta(x,x')|` and same for K over random pairs and random
    orthogonal Q (Householder products, orthogonal to working precision)."""
    rng = np.random.default_rng(seed)
    with mp.workdps(dps):
        dev = mp.mpf(0)
        for _ in range(n_pairs):
            Q = _mp_orthogonal(dim, rng)
            x, y = mp.matrix(_mpvec(rng.standard_normal(dim))), mp.matrix(_mpvec(rng.standard_normal(dim)))
            qx, qy = Q * x, Q * y
            K1, T1 = relu_kernels([list(x), list(y)], [list(x), list(y)], depth, 2, mp.mpf("0.1"), metric)
            K2, T2 = relu_kernels([list(qx), list(qy)], [list(qx), list(qy)], depth, 2, mp.mpf("0.1"), metric)
            dev = max(dev, mp.mnorm(T1 - T2, 1), mp.mnorm(K1 - K2, 1))
        return dev


@check("equivariance.kernel_orthogonal_invariance", "precise", evidence="consistency")
def _kernel_invariance(claim: Claim, ctx: Context, metric=None) -> CheckResult:
    """Theta and K at 4 random pairs in R^9 under 4 random orthogonal Q (depth 3): deviation <= 1e-25
    (module error bound: ~1e-30 expected). ``metric`` builds a broken (anisotropic) kernel for the power test."""
    dev = kernel_invariance_deviation(ctx.seed, metric=metric)
    ok, detail = _zero_verdict("max |Theta(Qx,Qx') - Theta(x,x')|", dev, claim.evaluate(), TOL_30)
    return CheckResult(ok, detail, {"deviation": float(dev), "tol": TOL_30})


@check("equivariance.gram_commutation", "precise", evidence="consistency")
def _gram_commutation(claim: Claim, ctx: Context, powers=(0, 1, 2, 3)) -> CheckResult:
    """:math:`\\max_g\\|\\Pi_g\\Theta\\Pi_g^\\top-\\Theta\\|_{max}` for the 16-point C4-augmented Gram at 30 digits.

    With ``powers`` missing an element the augmented set is not closed and ``Pi_g`` does not exist:
    the check reports the largest kernel mismatch under the cyclic index shift, which is O(1)."""
    Xa, _, _, G, _ = c4_setup(ctx.seed, powers=powers)
    m = len(powers)
    with mp.workdps(DPS):
        _, T = relu_kernels(Xa, Xa, 2, 2, mp.mpf("0.1"))
        n = T.rows
        dev = mp.mpf(0)
        for s in range(1, m):
            idx = [(a // m) * m + (a % m + s) % m for a in range(n)]
            dev = max(dev, max(abs(T[idx[a], idx[b]] - T[a, b]) for a in range(n) for b in range(n)))
    ok, detail = _zero_verdict("max_g |Pi_g Theta Pi_g^T - Theta|", dev, claim.evaluate(), TOL_30)
    return CheckResult(ok, detail, {"deviation": float(dev), "tol": TOL_30})


@measurement
def orbit_measurement(seed: int, metric=None, powers=(0, 1, 2, 3)) -> OrbitDeviation:
    """:func:`orbit_deviation` at ``seed`` (a shared measurement: the mean and covariance checks and their
    power items read one run)."""
    return orbit_deviation(seed, metric=metric, powers=powers)


def _orbit_figure(times, by_t, which: str):
    ts = [1e4 if t == mp.inf else float(t) for t in times]
    ys = [max(float(v), 1e-40) for v in by_t]
    return Figure(title=f"equivariance: orbit deviation of {which} at 30 digits (t=inf plotted at 1e4)",
                  xlabel="t (units of 1/(eta lambda_max))", ylabel="max orbit deviation",
                  series=[Series("30-digit NTK output law", ts, ys, "points"),
                          Series("asserted tolerance", ts, [TOL_30] * len(ts))])


@check("equivariance.mean_predictor_equivariance", "precise", evidence="consistency")
def _mean_equivariance(claim: Claim, ctx: Context, metric=None, powers=(0, 1, 2, 3)) -> CheckResult:
    """:math:`\\mu_t` at two random off-manifold 3x3 images, C4 orbit, t in {0.5, 5, 50, inf}, 30 digits:
    max deviation from :math:`\\rho_Y(g)\\mu_t(x)` <= 1e-25 (bound in the module docstring)."""
    res = orbit_measurement(ctx.seed, metric, powers)
    ok, detail = _zero_verdict("max_{g,t} |mu_t(gx) - rho_Y(g) mu_t(x)|", res.mu, claim.evaluate(), TOL_30)
    detail += f"; |mu| up to {mp.nstr(res.scale, 3)}, cond(Theta) = {mp.nstr(res.cond, 3)}"
    return CheckResult(ok, detail, {"deviation": float(res.mu), "by_t": [float(v) for v in res.mu_by_t],
                                    "cond": float(res.cond), "tol": TOL_30}, _orbit_figure(res.times, res.mu_by_t, "mu"))


@check("equivariance.covariance_invariance", "precise", evidence="consistency")
def _cov_invariance(claim: Claim, ctx: Context, metric=None, powers=(0, 1, 2, 3)) -> CheckResult:
    """:math:`\\Sigma_t(gx,gx')` vs :math:`\\Sigma_t(x,x')` for both test points, same setup: <= 1e-25."""
    res = orbit_measurement(ctx.seed, metric, powers)
    ok, detail = _zero_verdict("max_{g,t} |Sigma_t(gx,gx') - Sigma_t(x,x')|", res.sigma, claim.evaluate(), TOL_30)
    return CheckResult(ok, detail, {"deviation": float(res.sigma),
                                    "by_t": [float(v) for v in res.sigma_by_t], "tol": TOL_30},
                       _orbit_figure(res.times, res.sigma_by_t, "sigma"))


def _diag_check(claim: Claim, ctx: Context, which: int) -> CheckResult:
    rng = np.random.default_rng(ctx.seed)
    d = int(claim.params["d"])
    sw2 = str(claim.params.get("sigma_w2", 2))
    sb2 = str(claim.params.get("sigma_b2", 0))
    errs = []
    with mp.workdps(DPS):
        for depth in (1, 2, 3, 5):
            x = _mpvec(rng.standard_normal(d) * 1.2)
            r = mp.sqrt(mp.fsum(v * v for v in x))
            val = relu_kernels([x], [x], depth, mp.mpf(sw2), mp.mpf(sb2))[which][0, 0]
            pred = _eval_at(claim, depth, r)
            errs.append(abs(val / pred - 1))
    worst = max(errs)
    ok = worst <= TOL_30
    detail = (f"relative error of the claimed closed form vs the 30-digit recursion at L=1,2,3,5: "
              + ", ".join(mp.nstr(e, 2) for e in errs) + f" (tol {TOL_30:.0e}) -> {'consistent' if ok else 'REJECTED'}")
    return CheckResult(ok, detail, {"rel_errors": [float(e) for e in errs], "tol": TOL_30})


def _eval_at(claim: Claim, depth: int, r):
    """Claimed expression at (L = depth, |x| = r) with full-precision r (``claim.evaluate`` takes floats)."""
    import sympy as sp

    vals = {**claim.params, "L": depth}
    subs = {s: (sp.Integer(vals[s.name]) if s.name in ("L", "d") else sp.Float(str(vals[s.name]), DPS + 10))
            for s in claim.expr.free_symbols if s.name != "r"}
    subs.update({s: sp.Float(mp.nstr(r, DPS + 8), DPS + 8) for s in claim.expr.free_symbols if s.name == "r"})
    return mp.mpf(str(claim.expr.subs(subs).evalf(DPS + 5)))


@check("equivariance.ntk_diagonal", "precise")
def _ntk_diag(claim: Claim, ctx: Context) -> CheckResult:
    """The 30-digit recursion on the diagonal (acos(1) = 0 after clipping) vs the claim: rel. err <= 1e-25."""
    return _diag_check(claim, ctx, 1)


@check("equivariance.nngp_diagonal", "precise")
def _nngp_diag(claim: Claim, ctx: Context) -> CheckResult:
    """Same for the NNGP diagonal at sigma_w^2 = 1.7, sigma_b^2 = 0.1: rel. err <= 1e-25."""
    return _diag_check(claim, ctx, 0)


def ck_discrepancy_numeric(k: int, dps: int = DPS, iters: int = 200):
    """:math:`\\max_\\theta\\min_{b\\in C_k}\\|R_\\theta-R_b\\|_{op}` by golden-section search on
    :math:`[0, 2\\pi/k]` (one period) with operator norms from ``mp.svd_r``.

    The objective is unimodal on one period (it rises to the midpoint, then falls); after ``iters``
    golden-section steps the bracket is :math:`2\\pi/k\\cdot0.618^{iters}` (< 1e-40 for 200 steps) and the
    value error is at most that times the Lipschitz constant 1.
    """
    with mp.workdps(dps + 10):
        def R(a):
            return mp.matrix([[mp.cos(a), -mp.sin(a)], [mp.sin(a), mp.cos(a)]])

        group = [R(2 * mp.pi * i / k) for i in range(k)]

        def f(a):
            Ra = R(a)
            out = []
            for B in group:
                Dm = Ra - B
                ev, _ = mp.eigsy(Dm.T * Dm)
                out.append(mp.sqrt(max(max(ev), 0)))
            return min(out)

        lo, hi = mp.mpf(0), 2 * mp.pi / k
        gr = (mp.sqrt(5) - 1) / 2
        c, e = hi - gr * (hi - lo), lo + gr * (hi - lo)
        fc, fe = f(c), f(e)
        for _ in range(iters):
            if fc > fe:
                hi, e, fe = e, c, fc
                c = hi - gr * (hi - lo)
                fc = f(c)
            else:
                lo, c, fc = c, e, fe
                e = lo + gr * (hi - lo)
                fe = f(e)
        return +max(fc, fe)


@check("equivariance.ck_discrepancy", "precise")
def _ck(claim: Claim, ctx: Context) -> CheckResult:
    """kappa(C_k) for k = 2, 3, 4, 8, 16 by golden-section over SO(2) with 30-digit SVDs vs the claim:
    relative error <= 1e-25 (search error < 1e-40, see :func:`ck_discrepancy_numeric`)."""
    ks = [2, 3, 4, 8, 16]
    with mp.workdps(DPS):
        num = [ck_discrepancy_numeric(kk, iters=160) for kk in ks]
        pred = [claim.evaluate(k=kk) for kk in ks]
        errs = [abs(a / b - 1) for a, b in zip(num, pred)]
    ok = max(errs) <= TOL_30
    detail = ("kappa(C_k) numeric vs claimed, k=" + ",".join(map(str, ks)) + ": rel. errors "
              + ", ".join(mp.nstr(e, 2) for e in errs) + f" (tol {TOL_30:.0e}) -> {'consistent' if ok else 'REJECTED'}")
    fig = Figure(title="equivariance: C_k discrepancy in SO(2)", xlabel="k", ylabel="kappa",
                 series=[Series("max-min operator norm (30 digits)", ks, [float(v) for v in num], "points"),
                         Series("claim", ks, [float(v) for v in pred])])
    return CheckResult(ok, detail, {"kappa_numeric": [float(v) for v in num], "rel_errors": [float(e) for e in errs]}, fig)


# ----------------------------------------------------------------------------- off-diagonal kernels


def _Phi(z):
    return mp.erfc(-z / mp.sqrt(2)) / 2


def _phi(z):
    return mp.exp(-z * z / 2) / mp.sqrt(2 * mp.pi)


def gaussian_relu_moments(a, b, c):
    """:math:`E[\\mathrm{relu}(u)\\mathrm{relu}(v)]` and :math:`P(u>0, v>0)` for a centred Gaussian (u, v) with
    Var u = a, Var v = b, Cov = c, by quadrature, *not* by the arc-cosine formula.

    Write u = sqrt(a) z, v = sqrt(b)(rho z + s w) with rho = c/sqrt(ab), s = sqrt(1 - rho^2), z, w
    independent N(0,1). The inner (w) expectation is the closed-form conditional moment of a Gaussian,
    E[relu(m + s w)] = m Phi(m/s) + s phi(m/s) and P(m + s w > 0) = Phi(m/s) with m = rho z; the outer one
    is a 1-D integral over z > 0 (tanh-sinh, ``mp.quad``): a smooth, doubly-exponentially decaying integrand,
    so the quadrature error is below 10^-(dps) (mpmath's own error estimate is reported by the check)."""
    rho = c / mp.sqrt(a * b)
    s = mp.sqrt(1 - rho * rho)

    def inner_relu(z):
        m = rho * z
        return z * _phi(z) * (m * _Phi(m / s) + s * _phi(m / s))

    e_rr = mp.sqrt(a * b) * mp.quad(inner_relu, [0, mp.inf])
    p_pp = mp.quad(lambda z: _phi(z) * _Phi(rho * z / s), [0, mp.inf])
    return e_rr, p_pp


def quadrature_kernels(u, v, depth: int, sw2, sb2):
    """Off-diagonal ReLU NNGP and NTK of ``depth`` hidden layers from the Gaussian expectations by quadrature:
    :math:`K^{(l+1)} = \\sigma_w^2E[\\mathrm{relu}\\,\\mathrm{relu}] + \\sigma_b^2`,
    :math:`\\dot K^{(l+1)} = \\sigma_w^2P(u>0,v>0)`, :math:`\\Theta^{(l+1)}=K^{(l+1)}+\\dot K^{(l+1)}\\Theta^{(l)}`
    (the diagonal variances use :math:`E[\\mathrm{relu}(u)^2] = a/2`, exact by symmetry). Returns the lists
    of (K, Theta) after each of the ``depth`` layers."""
    dim = len(u)
    kxx = sw2 * mp.fsum(x * x for x in u) / dim + sb2
    kyy = sw2 * mp.fsum(y * y for y in v) / dim + sb2
    kxy = sw2 * mp.fsum(x * y for x, y in zip(u, v)) / dim + sb2
    th, out = kxy, []
    for _ in range(depth):
        e_rr, p_pp = gaussian_relu_moments(kxx, kyy, kxy)
        kxy = sw2 * e_rr + sb2
        th = kxy + sw2 * p_pp * th
        kxx, kyy = sw2 * kxx / 2 + sb2, sw2 * kyy / 2 + sb2
        out.append((kxy, th))
    return out


OFFDIAG_TOL = 1e-25
"""Relative tolerance of the off-diagonal comparison: quadrature and recursion are both good to ~1e-30 at
30 digits (mpmath's quadrature error estimates are reported, ~1e-35); a wrong arc-cosine term is O(1) off."""


@check("equivariance.relu_kernel_offdiagonal", "precise")
def _offdiagonal(claim: Claim, ctx: Context) -> CheckResult:
    """Off-diagonal NNGP/NTK entries at 4 random pairs in R^9 (cosines from -0.6 to 0.9), depths 1-3, at 30 digits:
    (i) the kernel code :func:`relu_kernels` against :func:`quadrature_kernels` (independent Gaussian integrals),
    (ii) the claimed L = 2 expression at the pairs' inner products against the same quadrature. Relative
    errors <= :data:`OFFDIAG_TOL`. Replacing sin by 2 sin in the code (or the claim) gives errors ~1e-1."""
    rng = np.random.default_rng(ctx.seed)
    sw2, sb2 = claim.params["sigma_w2"], claim.params["sigma_b2"]
    code_err, claim_err, rows = mp.mpf(0), mp.mpf(0), []
    with mp.workdps(DPS):
        sw2m, sb2m = mp.mpf(sw2), mp.mpf(sb2)  # the binary floats the claim evaluates at
        base = rng.standard_normal(9)
        for mix in (-0.8, 0.2, 0.6, 0.95):
            x = base * 1.1
            y = mix * base + np.sqrt(1 - mix ** 2) * rng.standard_normal(9)
            u, v = _mpvec(x), _mpvec(y)
            layers = quadrature_kernels(u, v, 3, sw2m, sb2m)
            for depth in (1, 2, 3):
                Kq, Tq = layers[depth - 1]
                Kc, Tc = relu_kernels([u], [v], depth, sw2m, sb2m)
                code_err = max(code_err, abs(Kc[0, 0] / Kq - 1), abs(Tc[0, 0] / Tq - 1))
                if depth == 2:
                    sxx, syy, sxy = (mp.fsum(a * b for a, b in zip(p, q)) for p, q in ((u, u), (v, v), (u, v)))
                    pred = claim.evaluate(s_xx=mp.nstr(sxx, DPS + 5), s_yy=mp.nstr(syy, DPS + 5),
                                          s_xy=mp.nstr(sxy, DPS + 5))
                    # a wrong form can push a cosine past 1 (complex acos): that is a mismatch too
                    claim_err = max(claim_err, abs(pred / Tq - 1))
                    rows.append((float(sxy / mp.sqrt(sxx * syy)), float(Tq), float(abs(pred))))
    ok = code_err <= OFFDIAG_TOL and claim_err <= OFFDIAG_TOL
    detail = (f"off-diagonal NNGP/NTK vs Gaussian quadrature at 30 digits (4 pairs, depths 1-3): code rel. err "
              f"{mp.nstr(code_err, 3)}, claimed Theta^(3) rel. err {mp.nstr(claim_err, 3)} (tol {OFFDIAG_TOL:.0e}); "
              + ", ".join(f"cos {c:+.2f}: Theta {t:.6f} vs claim {p_:.6f}" for c, t, p_ in rows)
              + (" -> consistent" if ok else " -> REJECTED"))
    return CheckResult(ok, detail, {"code_rel_error": float(code_err), "claim_rel_error": float(claim_err),
                                    "cosines": [r[0] for r in rows], "theta_quadrature": [r[1] for r in rows]})
