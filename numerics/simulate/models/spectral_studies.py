"""The spectral model's shared measurements: the runs and sweeps that several spectral checks (and their
power items) read, each computed once per process (:mod:`scaling_verify.checks.measurement`).

* :func:`sgd_measurement` -- SGD under the generalized flow: the loss exponent ``alpha_t`` and the
  elasticity ``rho`` from the learning frontier, with bootstrap intervals and finite-size biases;
* :func:`gd_run` -- the population-GD run whose weights are quantized and pruned;
* :func:`kumar_sweeps` -- PTQ sweeps over bits x model size x time for three quantizers;
* :func:`frantar_study` -- the pruning sweep and its Frantar fits per phase;
* :func:`rtn_bit_study`, :func:`sgd_quantization_effect` -- studies behind two design choices (where RTN
  follows 4^{-B}; why PTQ is measured on GD rather than SGD weights).

A model of ``N`` modes is the first ``N`` coordinates of the population-GD weights (the modes decouple),
so sizes are vmapped as masks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from scaling_verify.numerics.fit import PowerFit, fit_power_law
from scaling_verify.checks.measurement import measurement
from scaling_verify.numerics.simulate.models.compression_fits import FrantarFit, fit_frantar, frantar_starts
from scaling_verify.numerics.simulate.models.prune import DENSITIES, PRUNE_NS, PruningPhases, PruningSweep, pruning_phases, pruning_sweep
from scaling_verify.numerics.simulate.models.quantize import expected_dither_damage, ptq_sweep
from scaling_verify.numerics.simulate.models.spectral_flow import (FlowRun, closed_form_bias, closed_form_weights, deterministic_loss,
                                                    frontier_modes, train, train_gd, window_bias)
from scaling_verify.numerics.stats import loglog_slope

# ----------------------------------------------------------------------------- sizes and windows (declared before the fits)

@dataclass(frozen=True)
class SGDSizes:
    """SGD runs: ``M`` modes, ``batch``, step ``eta``, ``steps``, ``seeds`` (:func:`~.spectral_flow.train`)."""

    M: int
    batch: int
    eta: float
    steps: int
    seeds: int


@dataclass(frozen=True)
class GDSizes:
    """Population-GD runs: ``M`` modes, step ``eta``, ``steps``, ``n_rec`` recorded times (:func:`~.spectral_flow.train_gd`)."""

    M: int
    eta: float
    steps: int
    n_rec: int


SGD_QUICK = SGDSizes(M=2048, batch=4, eta=0.25, steps=1200, seeds=32)
SGD_FULL = SGDSizes(M=4096, batch=4, eta=0.25, steps=4000, seeds=64)
T_WINDOW = (30.0, 1200.0)            # SGD loss-exponent window
T_WINDOW_FULL = (100.0, 4000.0)
GD_QUICK = GDSizes(M=4096, eta=0.5, steps=100000, n_rec=26)
GD_FULL = GDSizes(M=16384, eta=0.5, steps=1000000, n_rec=31)
P_WINDOW = (1000.0, 100000.0)        # pruning window
P_WINDOW_FULL = (10000.0, 1000000.0)
Q_WINDOW = (100.0, 10000.0)          # quantization window
Q_WINDOW_FULL = (1000.0, 100000.0)

# bit ranges: dither has E[damage] = 4^{1-B} scale^2 sum(lam)/12 exactly at every B >= 1; RTN in the
# Hadamard basis follows 4^{-B} only once Delta is small against the spread of theta: the study
# ``rtn_bit_study`` (geometric mean over N and t of RTN damage / that expectation) gives 7.3, 4.2, 2.4,
# 1.7, 1.3, 1.06 for B = 1..6 and 0.89-1.03 for B = 7..16, so B >= 8 is used, and the finite-B bias of
# RTN is the drift of its fit when the bit range moves 2 bits up.
KUMAR_BITS_DITHER = np.arange(2.0, 8.0)
KUMAR_BITS_RTN = np.arange(8.0, 14.0)
RTN_SHIFT = 2.0
KUMAR_NS = (512, 1024, 2048, 4096)
KUMAR_NS_FULL = (2048, 4096, 8192, 16384)
KUMAR_DRAWS = 16
PRUNE_NS_FULL = (2048, 4096, 8192, 16384)
BAND = 4.0     # pruning phases: power law 16 <= K <= k*/4, plateau K >= 4 k*
K_MIN = 16     # "1 << K": the discrete tail's local slope is (a-1) K/(K+1/2), 3 % low at K = 16


def decay_slope(x, y) -> float:
    """Decay exponent ``-d ln y/d ln x`` (least squares in log-log)."""
    return -loglog_slope(x, y)


# ----------------------------------------------------------------------------- SGD: alpha_t and rho


@dataclass(frozen=True, eq=False)
class SGDMeasurement:
    """SGD runs of one model with the fitted loss exponent ``alpha_t`` and elasticity ``rho`` (each
    ``(value, lo, hi)``: the slope of the seed-mean curve with a jackknife Student-t 95 % interval over
    seeds), their finite-size biases, and ``shift_rho``, the finite-window shift of the rho estimator
    computed on the closed-form weights (added to the prediction)."""

    run: FlowRun
    loss: np.ndarray          # (seeds, T)
    fit_t: PowerFit
    fit_k: PowerFit
    kstar: np.ndarray         # frontier mode per seed and time
    bias_t: float
    bias_rho: float
    alpha_t: tuple[float, float, float]
    rho: tuple[float, float, float]
    shift_rho: float = 0.0


def jackknife_slope(t, Y, window, level: float = 0.95) -> tuple[float, float, float]:
    """Decay exponent of the seed mean of ``Y`` ``(seeds, T)`` over ``window``, with a delete-one jackknife
    Student-t interval over seeds (t_{n-1} quantile: a 95 % interval at any number of seeds, where the
    percentile bootstrap of 8 seeds was about 25 % too narrow)."""
    from scipy import stats

    keep = (t >= window[0]) & (t <= window[1])
    t, Y = t[keep], np.asarray(Y, float)[:, keep]
    n = Y.shape[0]
    est = decay_slope(t, Y.mean(0))
    tot = Y.sum(0)
    jk = np.array([decay_slope(t, (tot - Y[i]) / (n - 1)) for i in range(n)])
    se = float(np.sqrt((n - 1) / n * np.sum((jk - jk.mean()) ** 2)))
    half = float(stats.t.ppf((1 + level) / 2, n - 1)) * se
    return est, est - half, est + half


@measurement
def sgd_measurement(a: float, b: float, rho: float, quick: bool = True, seed: int = 0,
                    bootstrap: int = 400) -> SGDMeasurement:
    """Simulate the model ``(a, b, rho)`` by SGD and measure ``alpha_t`` and ``rho`` (jackknife Student-t
    intervals over the seeds; ``bootstrap`` only for the reported :class:`PowerFit` objects).

    Biases: for ``alpha_t`` the drift of the noise-free loss slope a decade later plus its finite-M shift
    (M vs 64 M). For ``rho`` the frontier estimator on closed-form weights at the run's own times is
    1.4045 at (30, 1200), 1.4256 a decade later and 1.4282 two decades later (rho = 10/7 = 1.4286: the
    drifts shrink by 8x per decade), so its finite-window value is corrected: ``shift_rho`` = est(window)
    - est(window x 100) is added to the prediction, and ``bias_rho`` = the last drift |est(x 10) -
    est(x 100)| (a geometric tail with ratio <= 1/2 leaves at most that) + its finite-M shift (M -> 4 M)."""
    size = SGD_QUICK if quick else SGD_FULL
    window = T_WINDOW if quick else T_WINDOW_FULL
    run = train(a, b, rho, seed=seed, M=size.M, batch=size.batch, eta=size.eta, steps=size.steps, seeds=size.seeds)
    L = run.loss()
    fit_t = fit_power_law(run.t, L, window=window, bootstrap=bootstrap, seed=seed)
    ks = frontier_modes(run)
    fit_k = fit_power_law(run.t, 1.0 / ks, window=window, bootstrap=bootstrap, seed=seed)
    M, eta = size.M, size.eta
    bias_t = window_bias(lambda lo, hi: decay_slope(np.geomspace(lo, hi, 8),
                                                    deterministic_loss(np.geomspace(lo, hi, 8), a, b, rho, eta, M)), window)
    # bias from finite M: same window, M -> 64 M
    tt = np.geomspace(*window, 8)
    bias_M = abs(decay_slope(tt, deterministic_loss(tt, a, b, rho, eta, M))
                 - decay_slope(tt, deterministic_loss(tt, a, b, rho, eta, 64 * M)))

    tw = run.t[(run.t >= window[0]) & (run.t <= window[1])]

    def est_k(scale: float, MM: int) -> float:
        tq = tw * scale
        cw = closed_form_weights(tq, a, b, rho, eta, MM)
        return b * decay_slope(tq, 1.0 / frontier_modes(replace(cw, w=cw.w[None]))[0])

    e1, e10, e100 = est_k(1.0, M), est_k(10.0, 4 * M), est_k(100.0, 4 * M)
    shift_rho = e1 - e100
    bias_k = abs(e10 - e100) + abs(e1 - est_k(1.0, 4 * M))
    a_t = jackknife_slope(run.t, L, window)
    r_k = jackknife_slope(run.t, 1.0 / ks, window)
    return SGDMeasurement(run=run, loss=L, fit_t=fit_t, fit_k=fit_k, kstar=ks, bias_rho=bias_k, bias_t=bias_t + bias_M,
                          alpha_t=a_t, rho=(b * r_k[0], b * r_k[1], b * r_k[2]), shift_rho=float(shift_rho))


# ----------------------------------------------------------------------------- GD run and its finite-size biases


@measurement
def gd_run(a: float, b: float, rho: float, quick: bool = True) -> FlowRun:
    """Population GD of the model at the quick or full size (the weights every compression check uses)."""
    size = GD_QUICK if quick else GD_FULL
    return train_gd(a, b, rho, M=size.M, eta=size.eta, steps=size.steps, n_rec=size.n_rec)


def size_bias(run: FlowRun, Ns, step: str) -> float:
    """Bound on the finite-N departure of the expected damage's N-slope from the asymptotic law:
    d ln E[delta]/d ln N = -gamma_N + N lam_N/sum_{k<=N} lam_k (+ N w_N^2/||w_{<=N}||^2 for the rms step),
    the largest over the sweep (sizes and times)."""
    lam, W = run.lam, run.w
    out = 0.0
    for n in Ns:
        term = n * lam[n - 1] / lam[:n].sum()
        if step == "rms":
            term = term + float(np.max(n * W[..., n - 1] ** 2 / (W[..., :n] ** 2).sum(-1)))
        out = max(out, float(term))
    return out


def time_bias(a, b, rho, run: FlowRun, window, step: str) -> float:
    """Drift of the noise-free gamma_D estimator (slope of ||w||^2 or max w^2 on closed-form GD weights)
    when the window moves a decade later, plus its finite-M shift (M -> 4M)."""

    def est(tt, cw):
        return -decay_slope(tt, (cw.w ** 2).sum(-1) if step == "rms" else (cw.w ** 2).max(-1))

    return closed_form_bias(est, window, a, b, rho, run.eta, run.w.shape[-1]).total


# ----------------------------------------------------------------------------- PTQ sweeps


@dataclass(frozen=True, eq=False)
class KumarSweeps:
    """PTQ damages ``(draws, len(bits), len(Ns), T)`` on the windowed GD run: ``dither`` (eigenbasis, rms
    step, bits :data:`KUMAR_BITS_DITHER`), ``rtn`` (Hadamard basis, rms step, bits ``rtn_bits``, every
    other snapshot: times ``t_rtn``) and ``absmax`` (eigenbasis, dithered, absmax step)."""

    run: FlowRun
    Ns: tuple[int, ...]
    t: np.ndarray
    rtn_bits: np.ndarray
    t_rtn: np.ndarray
    dither: np.ndarray
    rtn: np.ndarray
    absmax: np.ndarray


@measurement
def kumar_sweeps(a: float, b: float, rho: float, quick: bool = True, seed: int = 0) -> KumarSweeps:
    """The PTQ sweeps over (B, N, t) on the GD run, for the three quantizers the checks use: ``dither``
    (eigenbasis, rms step), ``rtn`` (Hadamard basis, rms step; bits shifted by :data:`RTN_SHIFT` too, for
    the finite-B drift) and ``absmax`` (eigenbasis, dithered, absmax step)."""
    run = gd_run(a, b, rho, quick).window(Q_WINDOW if quick else Q_WINDOW_FULL)
    Ns = KUMAR_NS if quick else KUMAR_NS_FULL
    draws = KUMAR_DRAWS if quick else 4 * KUMAR_DRAWS
    rtn_bits = np.union1d(KUMAR_BITS_RTN, KUMAR_BITS_RTN + RTN_SHIFT)
    run2 = run.window((0.0, np.inf), every=2)      # RTN (FWHT, the costly sweep): every other snapshot
    return KumarSweeps(
        run=run, Ns=Ns, t=run.t, rtn_bits=rtn_bits, t_rtn=run2.t,
        dither=ptq_sweep(run, KUMAR_BITS_DITHER, Ns, draws=4 * draws, seed=seed, rounding="dither", basis="eigen"),
        rtn=ptq_sweep(run2, rtn_bits, Ns, draws=draws, seed=seed + 1, rounding="rtn", basis="hadamard"),
        absmax=ptq_sweep(run, KUMAR_BITS_DITHER, Ns, draws=4 * draws, seed=seed + 2, rounding="dither",
                         step="absmax", basis="eigen"))


@dataclass(frozen=True, eq=False)
class RtnBitStudy:
    """Ratio R(B) of RTN damage to the exact dithered expectation (geometric mean over N and t, and its
    range) and the log4 slope of the damage between consecutive bit widths (1 where 4^{-B} holds)."""

    bits: np.ndarray
    R_geomean: np.ndarray
    R_min: np.ndarray
    R_max: np.ndarray
    log4_slope: np.ndarray


def rtn_bit_study(a: float = 2.2, b: float = 3.0, rho: float = 10 / 7, bits=np.arange(1.0, 17.0), *,
                  quick: bool = True, seed: int = 0, basis: str = "hadamard", draws: int = 16) -> RtnBitStudy:
    """Where does RTN follow 4^{-B}? Ratio R(B) of the RTN damage to the exact dithered expectation
    (Delta^2/12) sum lam (geometric mean over N and t, and its range), and the log4 slope of the damage
    between consecutive bit widths (1 where the law holds)."""
    run = gd_run(a, b, rho, quick).window(Q_WINDOW if quick else Q_WINDOW_FULL)
    Ns = KUMAR_NS if quick else KUMAR_NS_FULL
    bits = np.asarray(bits, float)
    d = ptq_sweep(run, bits, Ns, draws=draws if basis == "hadamard" else 1, seed=seed, rounding="rtn", basis=basis).mean(0)
    R = d / expected_dither_damage(run.w, run.lam, bits, Ns)
    lg = np.log(d).mean(axis=(1, 2))
    return RtnBitStudy(bits=bits, R_geomean=np.exp(np.log(R).mean(axis=(1, 2))), R_min=R.min(axis=(1, 2)),
                       R_max=R.max(axis=(1, 2)), log4_slope=-(lg[1:] - lg[:-1]) / math.log(4))


@dataclass(frozen=True, eq=False)
class SGDQuantizationEffect:
    """PTQ of SGD weights vs the noise-free flow over the window: norm inflation, damages, and the
    apparent gamma_D from the PTQ damage and from ||w||^2 (``(value, lo, hi)``) against the flow's."""

    t: np.ndarray
    inflation: np.ndarray
    damage_sgd: np.ndarray
    damage_flow: np.ndarray
    gamma_D_sgd_ptq: tuple[float, float, float]
    gamma_D_sgd_norm: tuple[float, float, float]
    gamma_D_flow: float


def sgd_quantization_effect(a: float = 2.2, b: float = 3.0, rho: float = 10 / 7, *, quick: bool = True,
                            seed: int = 0, bits: float = 8, window: tuple[float, float] = T_WINDOW) -> SGDQuantizationEffect:
    """PTQ of SGD-trained weights (the batch-4 online runs of the time-exponent check) against the
    noise-free flow with the same eta: the SGD noise inflates ||w||^2 (it adds variance to the modes the
    flow has not reached), and the inflation decays with t, which lowers the apparent gamma_D."""
    run = sgd_measurement(a, b, rho, quick, seed).run
    M, eta = run.w.shape[-1], run.eta
    cw = closed_form_weights(run.t, a, b, rho, eta, M)
    infl = (run.w ** 2).sum(-1) / (cw.w ** 2).sum(-1)          # (seeds, T)
    # dithered rms-step PTQ of every seed's weights (8 draws each): damage per seed and time
    dmg = ptq_sweep(run, [bits], [M], draws=8, seed=seed, rounding="dither", basis="eigen")[:, 0, 0]
    dmg = dmg.reshape(run.w.shape[0], -1, dmg.shape[-1]).mean(1)    # (seeds, T)
    flow = expected_dither_damage(cw.w, cw.lam, [bits], [M])[0, 0]
    fit_sgd = fit_power_law(run.t, dmg, window=window, bootstrap=400, seed=seed)
    fit_norm = fit_power_law(run.t, (run.w ** 2).sum(-1), window=window, bootstrap=400, seed=seed)
    fit_gd = fit_power_law(run.t, flow, window=window, bootstrap=0)
    keep = (run.t >= window[0]) & (run.t <= window[1])

    def neg(f):
        return (-f.p, -f.ci["p"][1], -f.ci["p"][0])

    return SGDQuantizationEffect(t=run.t[keep], inflation=infl.mean(0)[keep], damage_sgd=dmg.mean(0)[keep],
                                 damage_flow=flow[keep], gamma_D_sgd_ptq=neg(fit_sgd), gamma_D_sgd_norm=neg(fit_norm),
                                 gamma_D_flow=-fit_gd.p)


# ----------------------------------------------------------------------------- pruning sweep and Frantar fits


def _phase_fits(sw: PruningSweep, kstar_of_t, bootstrap: int, seed: int, band: float = BAND,
                k_min: float = K_MIN) -> tuple[FrantarFit, FrantarFit]:
    """Frantar fits on the power-law phase (size term, ``k_min <= K <= k*/band``) and on the plateau
    (data term, ``K >= band k*``)."""
    x = sw.N_nz / kstar_of_t(sw.t)
    kN, kD = (x <= 1 / band) & (sw.N_nz >= k_min), x >= band
    fN = fit_frantar(sw.S[kN], sw.N_nz[kN], sw.t[kN], sw.L[kN], bootstrap=bootstrap, seed=seed, terms="N")
    fD = fit_frantar(sw.S[kD], sw.N_nz[kD], sw.t[kD], sw.L[kD], bootstrap=bootstrap, seed=seed, terms="D")
    return fN, fD


@dataclass(frozen=True, eq=False)
class FrantarStudy:
    """The pruning sweep on the windowed GD run and its Frantar fits: per phase (``N``: size term on the
    power-law phase, ``D``: data term on the plateau), the same with the narrower band 2 (``*_band2``),
    on closed-form weights with sizes x4 and times x4^{b/rho} (``*_scaled``), all seven parameters on
    every point (``full``), and the three phases of the un-windowed run (``phases``)."""

    run: FlowRun
    sw: PruningSweep
    N: FrantarFit
    D: FrantarFit
    N_band2: FrantarFit
    D_band2: FrantarFit
    N_scaled: FrantarFit
    D_scaled: FrantarFit
    full: FrantarFit
    phases: PruningPhases


@measurement
def frantar_study(a: float, b: float, rho: float, quick: bool = True, seed: int = 0) -> FrantarStudy:
    """Pruning sweep over density x N x t of the GD-trained models and the Frantar fits:
    ``N`` (size term on the power-law phase), ``D`` (data term on the plateau), ``full`` (all seven
    parameters on every point: shows the misfit of the additive form), and the same phase fits on the
    closed-form weights with sizes x4 and times x4^{b/rho} (K/k* unchanged) for the finite-size drift."""
    gd = gd_run(a, b, rho, quick)
    run = gd.window(P_WINDOW if quick else P_WINDOW_FULL)
    Ns = PRUNE_NS if quick else PRUNE_NS_FULL
    eta, p = run.eta, run.p

    def kstar(t_):
        return (eta * t_) ** (1 / (b * p))

    sw = pruning_sweep(run, DENSITIES, Ns)
    boot = 20 if quick else 200
    fN, fD = _phase_fits(sw, kstar, boot, seed)
    fN2, fD2 = _phase_fits(sw, kstar, 0, seed, band=BAND / 2)
    t2 = run.t * 4.0 ** (b / rho)
    cw = closed_form_weights(t2, a, b, rho, eta, 4 * run.w.shape[-1])
    sN, sD = _phase_fits(pruning_sweep(cw, DENSITIES, [4 * n for n in Ns]), kstar, 0, seed, k_min=4 * K_MIN)
    full = fit_frantar(sw.S, sw.N_nz, sw.t, sw.L, bootstrap=0, starts=frantar_starts()[::2])
    return FrantarStudy(run=run, sw=sw, N=fN, D=fD, N_band2=fN2, D_band2=fD2, N_scaled=sN, D_scaled=sD, full=full,
                        phases=pruning_phases(gd))
