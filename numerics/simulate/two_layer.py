"""The two-layer linear network with feature learning of Bordelon, Atanasov, Pehlevan (arXiv 2409.17858),
simulated in JAX; its rich time exponent and a post-training-quantization (PTQ) sweep.

Model (tags: [S] read in a public source, [U] unconfirmed memory of the paper, [R] our reconstruction)
-----------------------------------------------------------------------------------------------------

* Features and task [S: the paper's abstract/Fig. 1 caption via https://arxiv.org/html/2409.17858v2 and
  the ICLR 2025 reviews; notation as in :mod:`theory.dynamical`]: ``M`` eigenfeatures
  :math:`\\psi_k(x)` with :math:`\\mathbb E\\,\\psi\\psi^\\top = \\Lambda`, capacity
  :math:`\\lambda_k = k^{-\\alpha}`, target :math:`y = w^\\star\\cdot\\psi` with source exponent ``beta``:
  :math:`\\sum_{\\ell>k}\\lambda_\\ell w^{\\star2}_\\ell \\sim k^{-\\alpha\\beta}`, here exactly
  :math:`\\lambda_k w^{\\star2}_k = k^{-(1+\\alpha\\beta)}` (package notation ``b = alpha``,
  ``a = 1 + alpha beta``; :func:`numerics.simulate.models.random_features.spectrum`). Hard tasks: ``beta < 1``.
* Network [S: "two-layer linear network", "A(t)" evolves, "gamma -> 0 recovers the random-feature model"
  (review quotes, Fig. 10 caption via liner.com)]: :math:`f(x) = w^\\top A\\,\\psi(x)/\\sqrt N`, readout
  :math:`w\\in\\mathbb R^N` (``w(0) = 0``), first layer :math:`A\\in\\mathbb R^{N\\times M}`,
  :math:`A_{ij}(0)\\sim\\mathcal N(0,1)`; predictor :math:`\\theta = A^\\top w/\\sqrt N`, test loss
  :math:`\\mathcal L = (w^\\star-\\theta)^\\top\\Lambda(w^\\star-\\theta)` computed exactly from the weights
  (population loss, as in :mod:`numerics.simulate.models.random_features`).
* Training [S: "projected gradient descent", "equivalent to" a net whose frozen random projection A(0)
  is followed by trainable weights (Fig. 10 caption); U: the paper projects the A-update with
  :math:`A(0)^\\top A(0)`; R: the exact projector and the normalisation below]. Gradient descent on
  :math:`\\tfrac12\\mathcal L` (infinite data, population gradient), with the first-layer update projected
  on the row space of :math:`A(0)` so that :math:`\\theta` stays in that N-dimensional space (the
  finite-N bottleneck):

  .. math:: w \\leftarrow w + \\eta\\,A\\Lambda v/\\sqrt N,\\qquad
            A \\leftarrow A + \\eta\\,g\\,(w/\\sqrt N)(\\Lambda v)^\\top\\Pi_0,\\qquad v = w^\\star-\\theta,

  :math:`\\Pi_0` the orthogonal projector on the row space of :math:`A(0)`, :math:`g = \\gamma^2M^2/N`.
  ``gamma = 0`` is exactly the lazy random-feature model (tested to 1e-10 against
  :func:`numerics.simulate.models.random_features.gd_scan`).
* Normalisation of gamma [R, derived]: in the flow, :math:`AA^\\top - g\\,ww^\\top` is conserved, so
  the kernel that drives :math:`\\theta` is :math:`A^\\top A/N + g|w|^2\\Pi_0/N` and in the rich limit
  :math:`g|w|^4 \\approx N\\|\\theta\\|^2`: the feature-learning part is :math:`\\gamma\\|\\theta\\|` times
  the lazy scale :math:`M/N`. The kernel grows with the norm of the learned function, which for hard
  tasks grows as :math:`t_{\\rm eff}^{(1-\\beta)/2}`; hence :math:`t_{\\rm eff}\\sim t^{2/(1+\\beta)}` and
  :math:`\\mathcal L\\sim t^{-2\\beta/(1+\\beta)}` (the mechanism of ``theory.dynamical.rich_time_exponent``).

Exact reduction used by the solver [R, exact algebra]: with :math:`A(0)^\\top = QR` (thin QR), every
:math:`A(t) = C(t)Q^\\top` with :math:`C\\in\\mathbb R^{N\\times N}`; with :math:`H = Q^\\top\\Lambda Q`,
:math:`c = Q^\\top\\Lambda w^\\star`, :math:`u = C^\\top w/\\sqrt N` (:math:`\\theta = Qu`) the update reads
:math:`r = c - Hu`, :math:`w \\leftarrow w + \\eta Cr/\\sqrt N`, :math:`C \\leftarrow C + \\eta g\\,w r^\\top/\\sqrt N`
and :math:`\\mathcal L = \\mathcal L_0 - 2u\\cdot c + u^\\top Hu`: O(N^2) per step for any M.

Step size [R]: the kernel grows during rich training, so a fixed step eventually diverges. The step is
capped, :math:`\\eta_s = \\min(\\eta, \\tfrac12/\\kappa_s)` with
:math:`\\kappa_s = \\|H\\|(\\sigma_0^2 + 2g|w|^2)/N` a bound on the curvature (``sigma_0^2`` the top
eigenvalue of :math:`A(0)A(0)^\\top`), and clipped so that it lands exactly on the recording times;
the time is :math:`t = \\sum_s\\eta_s` (a consistent discretisation of the gradient flow). At
``gamma = 0`` with ``eta`` below the lazy bound the step is constant: plain GD.

PTQ [R]: the trained weights ``(w, A)`` are quantized per tensor, round-to-nearest with step
:math:`\\Delta = 2^{1-B}\\,\\mathrm{rms}(\\cdot)` (``B`` bits), or with subtractive dither (control: an
error exactly uniform and independent of the weights); the damage is computed exactly over all
``M`` modes (the quantized first layer leaves the row space of ``A(0)``).

Measurements (:func:`measure`; simulated task ``alpha = 3``, ``beta = 0.4``, ``gamma = 4``)
------------------------------------------------------------------------------------------

* Time exponent, two ways. (i) The direct log-log slope of the rich loss over the declared window; it is
  biased low by the finite-N bottleneck, measured by the lazy control (exact gradient flow of the same
  draws, :func:`numerics.simulate.models.random_features.flow_exact`) fitted over the same range of loss.
  (ii) Lazy-matched: :math:`\\mathcal L_{\\rm rich}(t) = \\mathcal L_{\\rm lazy}(t_{\\rm eff}(t))` per draw
  defines :math:`t_{\\rm eff}`; :math:`\\hat\\rho = d\\ln t_{\\rm eff}/d\\ln t` (fit with a bootstrap over
  draws) removes the bottleneck shape both models share, and :math:`\\hat\\alpha_t = \\beta\\hat\\rho`
  (the lazy exponent is ``beta`` as N -> oo). Its bias (measured in the same call): drift of
  :math:`\\hat\\rho` between the window's halves plus its shift between widths N/2 and N.
* :math:`\\hat\\rho_1 = \\hat\\alpha_t/\\beta`; :math:`\\hat\\rho_2 = \\hat\\alpha_t + \\hat\\gamma_D`,
  :math:`\\hat\\gamma_D` the growth exponent in t of the PTQ damage x 4^B (B = 6, 8, 10; the 4^-B law is
  fitted too).
* Finding [measured]: the damage grows like :math:`|w|^2`, and in the balanced rich regime
  :math:`|w|^2\\propto\\|\\theta\\|` (not :math:`\\|\\theta\\|^2`), so :math:`\\gamma_D\\to\\rho(1-\\beta)/2` and
  :math:`\\hat\\rho_2 \\to 1`, not :math:`2/(1+\\beta)`: the reconstruction's PTQ invariant
  (``spectral.feature_learning_rho_ptq``) is refuted in this network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from scaling_verify.checks.measurement import measurement
from scaling_verify.checks import CheckResult, Context, Figure, Series, check, exponent_verdict
from scaling_verify.numerics.fit import PowerFit
from scaling_verify.numerics.simulate.models import random_features as rf
from scaling_verify.theory.claims import Claim
from scaling_verify.numerics.simulate import with_float64


@with_float64
def validate(alpha: float, beta: float, gamma: float = 0.0, N: int | None = None, M: int | None = None,
             seeds: int | None = None) -> None:
    """Raise ValueError naming the violated bound."""
    for name, v in (("alpha", alpha), ("beta", beta), ("gamma", gamma)):
        if not isinstance(v, (int, float, np.floating, np.integer)) or not math.isfinite(float(v)):
            raise ValueError(f"{name} must be a finite number, got {v!r}")
    if not alpha > 1:
        raise ValueError(f"alpha (capacity, lambda_k = k^-alpha) must be > 1, got alpha={alpha}")
    if not beta > 0:
        raise ValueError(f"beta (source exponent) must lie in (0, inf), got beta={beta}")
    if gamma < 0:
        raise ValueError(f"gamma (feature-learning strength) must be >= 0, got gamma={gamma}")
    for name, v in (("N", N), ("M", M), ("seeds", seeds)):
        if v is not None and (int(v) != v or v < 1):
            raise ValueError(f"{name} must be a positive integer, got {name}={v}")
    if N is not None and M is not None and M < N:
        raise ValueError(f"need M >= N (the first layer maps M features to N units), got N={N}, M={M}")


@with_float64
def spectrum(M: int, alpha: float, beta: float) -> tuple[jnp.ndarray, jnp.ndarray]:
    """``(lambda_k, w*_k)``: ``lambda_k = k^-alpha``, ``lambda_k w*_k^2 = k^-(1 + alpha beta)``."""
    validate(alpha, beta, M=M)
    return rf.spectrum(M, 1.0 + alpha * beta, alpha)


@jax.jit
def _reduce(A0, lam, ws):
    def one(A):
        Q, R = jnp.linalg.qr(A.T)          # A(0)^T = Q R, so A(0) = R^T Q^T
        H = (Q.T * lam) @ Q
        c = Q.T @ (lam * ws)
        C0 = R.T
        g0 = jnp.linalg.eigvalsh(C0 @ H @ C0.T / A.shape[0])[-1]   # top eigenvalue of the lazy G
        return C0, Q, H, c, g0, jnp.linalg.eigvalsh(H)[-1]
    return jax.vmap(one)(A0)


@dataclass(frozen=True, eq=False)
class Reduced:
    """Reduced coordinates per draw of ``A(0)`` (:func:`reduce`)."""

    C0: jnp.ndarray
    Q: jnp.ndarray
    H: jnp.ndarray
    c: jnp.ndarray
    g0: jnp.ndarray
    hnorm: jnp.ndarray
    L0: jnp.ndarray


@with_float64
def reduce(A0, lam, ws) -> Reduced:
    """Reduced coordinates per draw of ``A(0)``: ``C0, Q, H, c``, the lazy kernel's top eigenvalue
    ``g0 = lambda_max(A0 Lambda A0^T/N)``, ``||H||`` and ``L0``."""
    C0, Q, H, c, g0, hn = _reduce(A0, lam, ws)
    return Reduced(C0=C0, Q=Q, H=H, c=c, g0=g0, hnorm=hn, L0=jnp.sum(lam * ws * ws))


@partial(jax.jit, static_argnames=("max_steps", "unroll"))
def _train(C0, H, c, g0, hn, L0, n, eta, g, T, *, max_steps: int, unroll: int = 8):
    """Per draw: ``n`` the width (a narrower model is embedded in the arrays by zero padding, so two
    widths share one compilation), ``g`` the feature-learning rate ``gamma^2 M^2/n``."""

    def one(C0, H, c, g0, hn, L0, n, g):
        sN = jnp.sqrt(n)

        def step(st):
            w, C, t, k, tj = st
            u = C.T @ w / sN
            r = c - H @ u
            kap = g0 + 2.0 * hn * g * (w @ w) / n          # curvature bound of the u-flow
            h = jnp.clip(jnp.minimum(eta, 1.0 / kap), 0.0, tj - t)
            return (w + h * (C @ r) / sN, C + (h * g / sN) * jnp.outer(w, r), t + h, k + 1, tj)

        def body(st):
            for _ in range(unroll):   # a few steps per loop test; past tj the step is 0 (a no-op)
                st = step(st)
            return st

        def interval(st, tj):
            w, C, t, k = st
            w, C, t, k, _ = lax.while_loop(lambda s_: (s_[2] < s_[4] * (1 - 1e-12)) & (s_[3] < max_steps), body,
                                           (w, C, t, k, tj))
            u = C.T @ w / sN
            return (w, C, t, k), (w, C, L0 - 2.0 * (u @ c) + u @ (H @ u), t)

        N = C0.shape[-1]
        (_, _, _, k), (Ws, Cs, Ls, ts) = lax.scan(interval, (jnp.zeros(N), C0, jnp.float64(0.0), jnp.int32(0)), T)
        return Ws, Cs, Ls, ts, k

    return jax.vmap(one)(C0, H, c, g0, hn, L0, n, g)


@with_float64
def record_times(t_max: float, n: int = 24, t_min: float = 1.0) -> np.ndarray:
    """Log-spaced recording times in ``[t_min, t_max]``."""
    return np.geomspace(t_min, t_max, n)


def _pad(x: jnp.ndarray, shape: tuple[int, ...]) -> jnp.ndarray:
    return jnp.pad(x, [(0, s_ - d) for s_, d in zip(shape, x.shape)])


@dataclass(frozen=True, eq=False)
class TwoLayerRun:
    """A trained batch of ``seeds`` draws (:func:`train`): recording times ``t``, test loss ``(seeds, len(t))``,
    readout ``w`` ``(seeds, len(t), N)`` and reduced first layer ``C`` ``(seeds, len(t), N, N)`` (``A = C Q^T``),
    ``Q`` ``(seeds, M, N)``, the initial layer ``A0``, the spectrum ``lam`` and target ``ws``, the width ``N`` and
    mode count ``M``, ``steps`` (step calls per draw, including the zero steps that pad the unrolled loop at
    each recording time), the task ``(alpha, beta, gamma)``, and ``half``: the half-size run trained in the
    same call (``with_half=True``), else None."""

    t: np.ndarray
    loss: np.ndarray
    w: jnp.ndarray
    C: jnp.ndarray
    Q: jnp.ndarray
    A0: jnp.ndarray
    lam: jnp.ndarray
    ws: jnp.ndarray
    N: int
    M: int
    steps: np.ndarray
    gamma: float
    alpha: float
    beta: float
    half: TwoLayerRun | None = None


@with_float64
def train(alpha: float, beta: float, gamma: float, *, N: int, M: int, seeds: int, seed: int = 0,
          eta: float = 0.5, T: np.ndarray, max_steps: int = 10 ** 6, with_half: bool = False) -> TwoLayerRun:
    """Train ``seeds`` draws of ``A(0)`` (vmapped) and return the weights at the times ``T``
    (a :class:`TwoLayerRun`). ``with_half=True`` also trains, in the same compiled call, ``seeds``
    independent draws of the half-size model ``(N/2, M/2)`` (returned as ``half``), for the finite-size
    study. Raises ValueError if ``max_steps`` did not reach the last time.
    """
    validate(alpha, beta, gamma, N, M, seeds)
    if not eta > 0:
        raise ValueError(f"eta must be > 0, got {eta}")
    T = np.asarray(T, float)
    if T.ndim != 1 or T.size < 2 or np.any(np.diff(T) <= 0) or T[0] <= 0:
        raise ValueError("T must be increasing positive times")
    sizes = [(N, M)] + ([(N // 2, M // 2)] if with_half else [])
    if with_half and N < 2:
        raise ValueError("with_half needs N >= 2")
    keys = jax.random.split(jax.random.key(seed), len(sizes))
    parts, meta = [], []
    for (n_, m_), key in zip(sizes, keys):
        lam, ws = spectrum(m_, alpha, beta)
        A0 = rf.draw_projections(key, seeds, n_, m_)
        red = reduce(A0, lam, ws)
        # per draw, in _train's argument order: C0, H, c, g0, hn, L0, n, g (zero-padded to the full width)
        parts.append((_pad(red.C0, (seeds, N, N)), _pad(red.H, (seeds, N, N)), _pad(red.c, (seeds, N)), red.g0,
                      red.hnorm, jnp.full((seeds,), red.L0), jnp.full((seeds,), float(n_)),
                      jnp.full((seeds,), gamma ** 2 * m_ ** 2 / n_)))
        meta.append((A0, red.Q, lam, ws, n_, m_))
    C0, H, c, g0, hn, L0, n, g = (jnp.concatenate(arrs) for arrs in zip(*parts))
    Ws, Cs, Ls, ts, k = _train(C0, H, c, g0, hn, L0, n, float(eta), g, jnp.asarray(T), max_steps=int(max_steps))
    if not np.allclose(np.asarray(ts), T[None, :], rtol=1e-9):
        raise ValueError(f"max_steps={max_steps} did not reach the last recording time t={T[-1]:g}; raise it")
    out = []
    for i, (A0, Q, lam, ws, n_, m_) in enumerate(meta):
        sl = slice(i * seeds, (i + 1) * seeds)
        out.append(TwoLayerRun(t=T, loss=np.asarray(Ls[sl]), w=Ws[sl, :, :n_], C=Cs[sl, :, :n_, :n_], Q=Q, A0=A0,
                               lam=lam, ws=ws, N=n_, M=m_, steps=np.asarray(k[sl]), gamma=gamma, alpha=alpha,
                               beta=beta))
    return replace(out[0], half=out[1]) if with_half else out[0]


@with_float64
def effective_time(loss: np.ndarray, t_ref: np.ndarray, loss_ref: np.ndarray) -> np.ndarray:
    """``t_eff`` with ``loss_ref(t_eff) = loss`` per seed (log-log interpolation of the decreasing
    reference curve): the time the lazy model of the same draw needs to reach the same loss."""
    out = np.empty_like(loss)
    for i in range(loss.shape[0]):
        ref = np.minimum.accumulate(loss_ref[i])
        if np.any(loss[i] < ref[-1]) or np.any(loss[i] > ref[0]):
            raise ValueError("reference curve does not bracket the losses; widen t_ref")
        out[i] = np.exp(np.interp(-np.log(loss[i]), -np.log(ref), np.log(t_ref)))
    return out


@with_float64
def ptq_sweep(run: TwoLayerRun, bits=(6, 8, 10), *, seed: int = 0, idx=None, raw: bool = False) -> dict:
    """PTQ damage of the trained ``(w, A)`` for each bit width ``B`` and quantizer, ``{(B, dither): (seeds,
    len(idx))}``. Per tensor, step :math:`\\Delta = 2^{1-B}\\,\\mathrm{rms}`; ``dither=False``:
    round-to-nearest, ``True``: subtractive dither (one draw per seed and time). The damage is the
    function-space damage :math:`(\\theta_q-\\theta)^\\top\\Lambda(\\theta_q-\\theta)` (its mean over
    zero-mean quantization errors is the mean loss increase); ``raw=True`` returns the loss increase
    itself. Post-processing in NumPy."""
    bits = tuple(bits)
    if not bits or any(not B >= 1 for B in bits):
        raise ValueError(f"bit widths must be >= 1, got {bits}")
    idx = np.arange(run.t.size) if idx is None else np.asarray(idx)
    rng = np.random.default_rng(seed)
    lam, ws = np.asarray(run.lam), np.asarray(run.ws)
    Q = np.asarray(run.Q)
    W, Cs = np.asarray(run.w)[:, idx], np.asarray(run.C)[:, idx]
    N = W.shape[-1]
    out = {(B, d): np.empty(W.shape[:2]) for B in bits for d in (False, True)}

    def q(x, B, d):
        step = 2.0 ** (1 - B) * np.sqrt(np.mean(x * x))
        u = rng.uniform(-0.5, 0.5, x.shape) if d else 0.0
        return step * np.round(x / step + u) - step * u

    for s_ in range(W.shape[0]):
        As = np.einsum("tij,mj->tim", Cs[s_], Q[s_])
        for j in range(W.shape[1]):
            w, A = W[s_, j], As[j]
            th = A.T @ w / np.sqrt(N)
            for (B, d), arr in out.items():
                thq = q(A, B, d).T @ q(w, B, d) / np.sqrt(N)
                arr[s_, j] = (np.sum(lam * (ws - thq) ** 2) - np.sum(lam * (ws - th) ** 2)) if raw \
                    else np.sum(lam * (thq - th) ** 2)
    return out


# ----------------------------------------------------------------------------- measurements and checks

ALPHA_SIM, BETA_SIM = 3.0, 0.4      # the simulated hard task (capacity alpha, source beta < 1)
BITS = (6, 8, 10)
_T_REF = np.geomspace(1e-4, 1e9, 700)


@dataclass(frozen=True)
class Sizes:
    """Quick (tests, CLI) or full (``-m slow``) sizes of :func:`measure`: width ``N``, modes ``M``, ``seeds``
    draws, the feature-learning strength ``gamma``, ``n_rec`` recording times in ``[t_min, t_max]`` and the
    declared fit ``window``."""

    N: int
    M: int
    seeds: int
    gamma: float
    t_min: float
    t_max: float
    n_rec: int
    window: tuple[float, float]

    @classmethod
    def quick(cls) -> Sizes:
        return cls(N=64, M=256, seeds=16, gamma=4.0, t_min=0.5, t_max=30.0, n_rec=25, window=(3.0, 30.0))

    @classmethod
    def full(cls) -> Sizes:
        return cls(N=128, M=512, seeds=24, gamma=4.0, t_min=0.5, t_max=60.0, n_rec=31, window=(3.0, 60.0))

    @classmethod
    def of(cls, ctx: Context) -> Sizes:
        return cls.quick() if ctx.quick else cls.full()


def _fit_slope(x, y, window, seed, bootstrap=400):
    from scaling_verify.numerics.fit import fit_power_law

    f = fit_power_law(x, y, window=window, bootstrap=bootstrap, seed=seed)
    lo, hi = f.ci.get("p", (f.p, f.p))  # bootstrap 0: no interval, the point estimate only
    return f, f.p, lo, hi


@dataclass(frozen=True, eq=False)
class RhoFit:
    """Effective time ``t_eff`` ``(seeds, len(t))`` against the lazy reference flow ``ref`` (on ``_T_REF``), and
    the fit of ``1/t_eff ~ t^{-rho}``: ``fit`` and ``rho = (estimate, lo, hi)``."""

    t_eff: np.ndarray
    fit: PowerFit
    rho: tuple[float, float, float]
    ref: np.ndarray


def _rho_from_run(run: TwoLayerRun, window, seed: int, bootstrap: int = 400) -> RhoFit:
    """Effective time against the lazy (gamma = 0) flow of the same draws, and its exponent."""
    ref = np.asarray(rf.flow_exact(run.A0, run.lam, run.ws, _T_REF))
    te = effective_time(run.loss, _T_REF, ref)
    f, p, lo, hi = _fit_slope(run.t, 1.0 / te, window, seed, bootstrap)
    return RhoFit(t_eff=te, fit=f, rho=(p, lo, hi), ref=ref)


@dataclass(frozen=True)
class RhoParts:
    """rho_hat over the window's early and late halves, and over the whole window at width N/2."""

    early: float
    late: float
    half_N: float


@dataclass(frozen=True, eq=False)
class TaskMeasurement:
    """What :func:`measure` returns. Triples are ``(estimate, lo, hi)`` (95 % bootstrap over draws).

    The run and its task: ``run`` (with its half-width run), ``window``, ``gamma``, ``alpha``, ``beta``.
    (1) ``alpha_direct``: the direct slope of the rich loss; ``lazy``: the lazy control's slope over
    ``lazy_window`` (the same range of loss; fit ``lazy_fit``); ``bias_direct`` = |beta - lazy| rho_hat.
    (2) ``rho_hat_1`` = d ln t_eff/d ln t, ``alpha_t`` = beta rho_hat_1; ``rho_drift`` (halves of the window)
    + ``rho_size`` (N/2 vs N) = ``bias_rho``, ``bias_alpha`` = beta bias_rho; ``rho_parts``.
    (3) PTQ: ``ptq`` the damage per ``(bits, dither)`` at times ``ptq_t``, ``bit_exponent`` (1 = 4^-B),
    ``gamma_D`` (round-to-nearest) and ``gamma_D_dither``, ``rho_hat_2`` = alpha_t + gamma_D, the
    ``w2_exponent`` of |w|^2, ``gamma_D_spread`` between the quantizers, ``bias_rho_2`` = bias_alpha + spread.
    """

    run: TwoLayerRun
    window: tuple[float, float]
    gamma: float
    alpha: float
    beta: float
    alpha_direct: tuple[float, float, float]
    lazy: tuple[float, float, float]
    lazy_window: tuple[float, float]
    lazy_fit: PowerFit
    bias_direct: float
    rho_hat_1: tuple[float, float, float]
    alpha_t: tuple[float, float, float]
    rho_drift: float
    rho_size: float
    bias_rho: float
    bias_alpha: float
    rho_parts: RhoParts
    ptq: dict
    ptq_t: np.ndarray
    bit_exponent: list[float]
    gamma_D: tuple[float, float, float]
    gamma_D_dither: tuple[float, float, float]
    rho_hat_2: tuple[float, float, float]
    w2_exponent: float
    gamma_D_spread: float
    bias_rho_2: float


def _lazy_control(run: TwoLayerRun, te: np.ndarray, window, seed: int) -> tuple[tuple[float, float], PowerFit, tuple]:
    """The lazy flow of the same draws over the range of loss the rich run covers in ``window``:
    ``(lazy_window, fit, (slope, lo, hi))``."""
    T = run.t
    lazy_window = (float(np.median(te[:, T >= window[0]][:, 0])), float(np.median(te[:, T <= window[1]][:, -1])))
    L_lazy = np.asarray(rf.flow_exact(run.A0, run.lam, run.ws, np.geomspace(*lazy_window, 12)))
    f_lz, pl, ll, hl = _fit_slope(np.geomspace(*lazy_window, 12), L_lazy, None, seed)
    return lazy_window, f_lz, (pl, ll, hl)


def _rho_parts(run: TwoLayerRun, te: np.ndarray, window, seed: int) -> RhoParts:
    """rho_hat over the window's halves (no bootstrap) and at width N/2 (``run.half``)."""
    T = run.t
    lo_w, hi_w = window
    mid = math.sqrt(lo_w * hi_w)
    r_early = _fit_slope(T, 1.0 / te, (lo_w, mid), seed, 0)[1]
    r_late = _fit_slope(T, 1.0 / te, (mid, hi_w), seed, 0)[1]
    r_half = _rho_from_run(run.half, window, seed, 0).rho[0]
    return RhoParts(early=r_early, late=r_late, half_N=r_half)


def _gamma_D(dmg: dict, t: np.ndarray, seed: int, dither: bool) -> tuple[float, float, float]:
    """Growth exponent in t of the PTQ damage x 4^B (bit widths averaged), ``(estimate, lo, hi)``."""
    y = np.mean([dmg[(B, dither)] * 4.0 ** B for B in BITS], axis=0)   # 4^-B divided out, bit widths averaged
    f, p_, lo_, hi_ = _fit_slope(t, y, None, seed)
    return (-p_, -hi_, -lo_)


@with_float64
def measure(alpha: float = ALPHA_SIM, beta: float = BETA_SIM, *, quick: bool = True, seed: int = 0,
            gamma: float | None = None) -> TaskMeasurement:
    """Rich run (and its lazy control on the same draws); time exponent two ways, rho_hat_1, the PTQ
    sweep and rho_hat_2, with the finite-size/finite-time biases. See the check docstrings."""
    validate(alpha, beta, 0.0 if gamma is None else gamma)
    if not beta < 1:
        raise ValueError(f"the rich exponent needs a hard task, beta < 1; got beta={beta}")
    size = Sizes.quick() if quick else Sizes.full()
    gam = size.gamma
    if gamma is not None:
        if not gamma > 0:
            raise ValueError(f"the rich measurement needs gamma > 0, got gamma={gamma}")
        gam = float(gamma)
    window = size.window
    T = record_times(size.t_max, size.n_rec, size.t_min)
    run = train(alpha, beta, gam, N=size.N, M=size.M, seeds=size.seeds, seed=seed, T=T, with_half=True)
    # (1) direct fit of the rich loss; lazy control (exact gradient flow of the same draws)
    f_dir, p, lo, hi = _fit_slope(T, run.loss, window, seed)
    rh = _rho_from_run(run, window, seed)
    lazy_window, f_lz, lazy = _lazy_control(run, rh.t_eff, window, seed)
    # (2) lazy-matched: rho_hat from t_eff(t); alpha_t = beta rho_hat
    r, rlo, rhi = rh.rho
    parts = _rho_parts(run, rh.t_eff, window, seed)
    rho_drift, rho_size = abs(parts.late - parts.early), abs(r - parts.half_N)
    bias_alpha = beta * (rho_drift + rho_size)
    # (3) PTQ sweep over the window
    idx = np.nonzero((T >= window[0]) & (T <= window[1]))[0]
    dmg = ptq_sweep(run, BITS, seed=seed, idx=idx)
    ratios = [float(np.log(dmg[(b1, False)].mean() / dmg[(b2, False)].mean()) / np.log(4.0) / (b2 - b1))
              for b1, b2 in zip(BITS[:-1], BITS[1:])]
    gD, gDd = _gamma_D(dmg, T[idx], seed, False), _gamma_D(dmg, T[idx], seed, True)
    alpha_t = (beta * r, beta * rlo, beta * rhi)
    w2 = (np.asarray(run.w) ** 2).sum(-1)
    spread = abs(gD[0] - gDd[0])
    return TaskMeasurement(
        run=run, window=window, gamma=gam, alpha=alpha, beta=beta, alpha_direct=(p, lo, hi), lazy=lazy,
        lazy_window=lazy_window, lazy_fit=f_lz, bias_direct=abs(beta - lazy[0]) * rh.rho[0], rho_hat_1=(r, rlo, rhi),
        alpha_t=alpha_t, rho_drift=rho_drift, rho_size=rho_size, bias_rho=rho_drift + rho_size,
        bias_alpha=bias_alpha, rho_parts=parts, ptq=dmg, ptq_t=T[idx],
        bit_exponent=ratios,           # 1 means damage ~ 4^-B
        gamma_D=gD, gamma_D_dither=gDd, rho_hat_2=(alpha_t[0] + gD[0], alpha_t[1] + gD[1], alpha_t[2] + gD[2]),
        w2_exponent=_fit_slope(T, 1.0 / w2, window, seed, 0)[1], gamma_D_spread=spread,
        bias_rho_2=bias_alpha + spread)


@measurement
def task_measurement(quick: bool, seed: int) -> TaskMeasurement:
    """:func:`measure` at the simulated task ``(ALPHA_SIM, BETA_SIM)``: a shared measurement, computed
    once per size and seed for the three checks and their power items."""
    return measure(ALPHA_SIM, BETA_SIM, quick=quick, seed=seed)


def _task_value(claim: Claim) -> float:
    """The claim's prediction at the simulated task: its own symbols alpha (capacity) and beta (source)
    set to the simulated ``(ALPHA_SIM, BETA_SIM)`` (its ``expr`` does not depend on alpha; the simulated
    alpha = 3 keeps the finite-N bottleneck far from the fit window)."""
    names = {s_.name for s_ in claim.symbols}
    vals = {k: v for k, v in (("alpha", ALPHA_SIM), ("beta", BETA_SIM)) if k in names}
    return float(claim.value(**vals))


def _time_check(claim: Claim, ctx: Context, label: str) -> CheckResult:
    m = task_measurement(ctx.quick, ctx.seed)
    p, lo, hi = m.alpha_t
    pred = _task_value(claim)
    ok, detail = exponent_verdict(f"alpha_t ({label}, beta rho_hat, lazy-matched)", p, lo, hi, pred,
                                  bias=m.bias_alpha)
    pd, pdlo, pdhi = m.alpha_direct
    pl = m.lazy
    detail += (f"; bias = beta x (window drift {m.rho_drift:.3g} + size shift N->N/2 {m.rho_size:.3g}); "
               f"direct loss slope {pd:.4f} [{pdlo:.4f}, {pdhi:.4f}] (finite-N bias ~{m.bias_direct:.3g}); "
               f"lazy control (gamma = 0, same draws) {pl[0]:.4f} [{pl[1]:.4f}, {pl[2]:.4f}] vs beta = {m.beta}")
    t, L = m.run.t, m.run.loss.mean(0)
    c0 = L[np.searchsorted(t, m.window[0])] * m.window[0] ** pred
    fig = Figure(title=f"two-layer linear net (2409.17858), alpha={m.alpha}, beta={m.beta}, gamma={m.gamma}",
                 xlabel="t", ylabel="test loss",
                 series=[Series("rich (gamma > 0), mean over draws", [float(v) for v in t], [float(v) for v in L], "points"),
                         Series("lazy control (gamma = 0)", [float(v) for v in t],
                                [float(v) for v in np.asarray(rf.flow_exact(m.run.A0, m.run.lam,
                                                                               m.run.ws, t)).mean(0)], "points"),
                         Series("claimed slope", [float(v) for v in t], [float(c0 * v ** (-pred)) for v in t])])
    meas = {"alpha_t": [float(p), float(lo), float(hi)], "bias": float(m.bias_alpha), "claimed": pred,
            "rho_hat_1": [float(x) for x in m.rho_hat_1], "alpha_direct": [float(x) for x in m.alpha_direct],
            "bias_direct": float(m.bias_direct), "lazy": [float(x) for x in pl], "window": list(m.window)}
    return CheckResult(bool(ok), detail, meas, fig)


FINITE_WIDTH_REASON = (
    "the finite-width bias of the rich-regime time exponent: over seeds 0-19 the measured alpha_t averages 0.558 "
    "(s.d. 0.007) against the claimed 0.571 (2.3 % low) and moves away from the claim with N (rho(N) = 1.395 "
    "against rho(N/2) = 1.420), so at quick sizes the check sees only the power items' 10 % (x0.9 was rejected "
    "on 13 of 20 seeds: below the 19-of-20 floor; it needs larger N or an extrapolation in N)")


@check("dynamical.rich_time_exponent", "simulate", resolution=0.1,
       resolution_reason=FINITE_WIDTH_REASON)
@with_float64
def _rich_time(claim: Claim, ctx: Context) -> CheckResult:
    """The two-layer linear network of 2409.17858 (projected GD, gamma > 0) on a hard task: the rich loss
    is matched to the lazy (gamma = 0) gradient flow of the same draws, L_rich(t) = L_lazy(t_eff(t)),
    which removes the finite-N bottleneck shape both share; rho_hat = d ln t_eff/d ln t is fitted over
    the declared window with a bootstrap over draws and alpha_t = beta rho_hat (the lazy exponent is
    beta for N -> oo). Bias = beta x (drift of rho_hat between the window's two halves + its shift from
    N/2 to N), both measured in the same run. The direct loss slope and the lazy control are reported."""
    return _time_check(claim, ctx, "dynamical")


@check("spectral.feature_time_exponent", "simulate", resolution=0.1,
       resolution_reason=FINITE_WIDTH_REASON)
@with_float64
def _feature_time(claim: Claim, ctx: Context) -> CheckResult:
    """Same measurement as ``dynamical.rich_time_exponent`` (the reconstruction's rho = 2/(1+beta) point):
    the real two-layer network, not a flow with rho built in."""
    return _time_check(claim, ctx, "spectral")


@check("spectral.feature_learning_rho_ptq", "simulate")
@with_float64
def _rho_ptq(claim: Claim, ctx: Context) -> CheckResult:
    """rho_hat_2 = alpha_t_hat + gamma_D_hat from the same run: alpha_t_hat as in the time-exponent checks,
    gamma_D_hat the growth exponent in t of the round-to-nearest PTQ damage x 4^B (averaged over B = 6, 8,
    10 bits; the 4^-B law is checked: fitted bit exponent ~ 1), bootstrap over draws. Bias = the
    alpha_t bias + the spread between the two quantizer conventions (round-to-nearest vs subtractive
    dither), both measured. Also reports rho_hat_1 = alpha_t_hat/beta and the |w|^2 growth exponent."""
    m = task_measurement(ctx.quick, ctx.seed)
    r2, lo, hi = m.rho_hat_2
    pred = _task_value(claim)
    ok, detail = exponent_verdict("rho_hat_2 = alpha_t + gamma_D (two-layer net, PTQ)", r2, lo, hi, pred,
                                  bias=m.bias_rho_2)
    g, gd = m.gamma_D, m.gamma_D_dither
    detail += (f"; gamma_D: round-to-nearest {g[0]:.3f} [{g[1]:.3f}, {g[2]:.3f}], dithered {gd[0]:.3f} "
               f"[{gd[1]:.3f}, {gd[2]:.3f}]; |w|^2 exponent {m.w2_exponent:.3f}; bit exponents "
               f"{', '.join(f'{x:.3f}' for x in m.bit_exponent)} (1 = 4^-B); rho_hat_1 = {m.rho_hat_1[0]:.3f}")
    t = m.ptq_t
    y = np.mean([m.ptq[(B, False)] * 4.0 ** B for B in BITS], axis=0).mean(0)
    yd = np.mean([m.ptq[(B, True)] * 4.0 ** B for B in BITS], axis=0).mean(0)
    fig = Figure(title="two-layer net: PTQ damage x 4^B vs training time", xlabel="t", ylabel="damage x 4^B",
                 series=[Series("round-to-nearest", [float(v) for v in t], [float(v) for v in y], "points"),
                         Series("dithered", [float(v) for v in t], [float(v) for v in yd], "points"),
                         Series("slope if alpha_t + gamma_D were claimed", [float(v) for v in t],
                                [float(y[0] * (v / t[0]) ** (pred - m.alpha_t[0])) for v in t])])
    meas = {"rho_hat_2": [float(r2), float(lo), float(hi)], "bias": float(m.bias_rho_2), "claimed": pred,
            "gamma_D": [float(x) for x in g], "gamma_D_dither": [float(x) for x in gd],
            "alpha_t": [float(x) for x in m.alpha_t], "rho_hat_1": [float(x) for x in m.rho_hat_1],
            "bit_exponent": [float(x) for x in m.bit_exponent], "w2_exponent": float(m.w2_exponent)}
    return CheckResult(bool(ok), detail, meas, fig)
