"""Spectral model (RECONSTRUCTION of Zhang 2025), compression: PTQ sweeps (dither and round-to-nearest) with
Kumar et al.'s fit, pruning sweeps with Frantar et al.'s fit, their power tests and bad input."""

import numpy as np
import pytest
import sympy as sp

from scaling_verify.checks import run_check
from scaling_verify.numerics.simulate.models import compression_fits as fits
from scaling_verify.numerics.simulate.models import prune, quantize
from scaling_verify.numerics.simulate.models import spectral_flow as flow
from scaling_verify.numerics.simulate.models import spectral_studies as studies
from scaling_verify.theory.claims import REGISTRY
from scaling_verify.theory.spectral import BETA, N_nz, bits, D_data, kappa, sparsity
from scaling_verify.theory.symbols import N, a, b, rho

KUMAR = "spectral.kumar_ptq_form"
ABSMAX = "spectral.kumar_ptq_form_absmax"
FRANTAR = "spectral.frantar_sparsity_form"


def _kumar_expr(gp, gD, gN):
    return sp.exp(-bits / gp) * D_data ** gD / N ** gN


def _frantar_expr(bN, bD, mult=sp.Integer(1)):
    return mult * N_nz ** (-bN) / (a - 1) + sp.gamma(BETA) / (b * (2 * kappa ** (rho - 1)) ** BETA) * D_data ** (-bD)


_GP, _GD, _GN = 1 / sp.log(4), rho * (1 - BETA), sp.Integer(1)
_GDA = rho * (1 - BETA - 1 / b)


def _rejects(claim_id, expr, label):
    res = run_check(REGISTRY.get(claim_id).perturbed(expr, label=label), "simulate")
    return not res.passed, res.detail


# ----------------------------------------------------------------------------- claims and read-back


@pytest.mark.symbolic
@pytest.mark.parametrize("claim_id, wrong", [
    (KUMAR, _kumar_expr(sp.Float(0.59), sp.Float(0.51), sp.Float(0.34))),     # Kumar's published constants
    (KUMAR, _kumar_expr(_GP, _GD, sp.Integer(0))),                             # the absmax gamma_N
    (ABSMAX, _kumar_expr(_GP, _GD, sp.Integer(0))),                            # rms gamma_D for absmax
    (FRANTAR, _frantar_expr(sp.Float(0.392), rho * BETA)),
])
def test_compression_forms_symbolic_rejects(claim_id, wrong):
    assert not run_check(REGISTRY.get(claim_id).perturbed(wrong), "symbolic").passed


def test_kumar_exponents_read_from_claim():
    ex = fits.kumar_exponents(REGISTRY.get(KUMAR))
    assert ex.gamma_post == pytest.approx(1 / np.log(4), rel=1e-12)
    assert ex.gamma_D == pytest.approx((10 / 7) * 0.6, rel=1e-12)
    assert ex.gamma_N == pytest.approx(1.0, rel=1e-12)
    exa = fits.kumar_exponents(REGISTRY.get(ABSMAX))
    assert exa.gamma_D == pytest.approx((10 / 7) * (0.6 - 1 / 3), rel=1e-12)
    assert exa.gamma_N == 0.0


def test_frantar_parameters_read_from_claim():
    fr = fits.frantar_from_claim(REGISTRY.get(FRANTAR), 0.9)
    assert fr.as_dict() == pytest.approx({"b_N": 1.2, "b_D": (10 / 7) * 0.4, "multiplier": 1.0}, rel=1e-12)
    vit = fits.frantar_from_claim(REGISTRY.get(FRANTAR).perturbed(
        _frantar_expr(a - 1, rho * BETA, (sp.Float(1.305) * (1 - sparsity) ** sp.Float(0.821) + sp.Float(2.075)) / sp.Float(3.38))), 0.875)
    assert vit.multiplier == pytest.approx((1.305 * 0.125 ** 0.821 + 2.075) / 3.38, rel=1e-12)


# ----------------------------------------------------------------------------- simulate checks and power tests


# Each check's verdict on its own claim is the [simulate] item of `pytest --sv` (in the default run); the tests
# here add what those items do not: rejections of wrong forms and looks inside the measurements.


@pytest.mark.simulate
@pytest.mark.parametrize("which", ["gp", "gD", "gN"])
@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_kumar_check_rejects_scaled_exponent(which, factor):
    ex = {"gp": _GP, "gD": _GD, "gN": _GN}
    ex[which] = ex[which] * sp.Float(factor)
    rejected, detail = _rejects(KUMAR, _kumar_expr(ex["gp"], ex["gD"], ex["gN"]), f"{which} x{factor}")
    assert rejected, detail


@pytest.mark.simulate
@pytest.mark.parametrize("name, expr", [
    ("Kumar gamma_N 0.34", _kumar_expr(_GP, _GD, sp.Float(0.34))),
    ("Kumar gamma_D 0.51", _kumar_expr(_GP, sp.Float(0.51), _GN)),
    ("Kumar gamma_post 0.59", _kumar_expr(sp.Float(0.59), _GD, _GN)),
    ("lazy gamma_D (rho dropped)", _kumar_expr(_GP, 1 - BETA, _GN)),
])
def test_kumar_check_rejects_classic_wrong_values(name, expr):
    rejected, detail = _rejects(KUMAR, expr, name)
    assert rejected, detail


@pytest.mark.simulate
@pytest.mark.parametrize("name, expr", [
    ("gamma_post x0.9", _kumar_expr(_GP * sp.Float(0.9), _GDA, 0)),
    ("gamma_post x1.1", _kumar_expr(_GP * sp.Float(1.1), _GDA, 0)),
    ("gamma_D x0.9", _kumar_expr(_GP, _GDA * sp.Float(0.9), 0)),
    ("gamma_D x1.1", _kumar_expr(_GP, _GDA * sp.Float(1.1), 0)),
    ("Kumar gamma_N 0.34", _kumar_expr(_GP, _GDA, sp.Float(0.34))),
    ("rms gamma_N 1", _kumar_expr(_GP, _GDA, 1)),
    ("rms gamma_D", _kumar_expr(_GP, _GD, 0)),
])
def test_absmax_check_rejects(name, expr):
    rejected, detail = _rejects(ABSMAX, expr, name)
    assert rejected, detail


_VIT_MULT = (sp.Float(1.305) * (1 - sparsity) ** sp.Float(0.821) + sp.Float(2.075)) / sp.Float(3.38)


@pytest.mark.simulate
@pytest.mark.parametrize("name, expr", [
    ("b_N x0.9", _frantar_expr((a - 1) * sp.Float(0.9), rho * BETA)),
    ("b_N x1.1", _frantar_expr((a - 1) * sp.Float(1.1), rho * BETA)),
    ("b_D x0.9", _frantar_expr(a - 1, rho * BETA * sp.Float(0.9))),
    ("b_D x1.1", _frantar_expr(a - 1, rho * BETA * sp.Float(1.1))),
    ("Frantar ViT b_N 0.392", _frantar_expr(sp.Float(0.392), rho * BETA)),
    ("Frantar ViT sparsity factor", _frantar_expr(a - 1, rho * BETA, _VIT_MULT)),
    ("lazy b_D (rho dropped)", _frantar_expr(a - 1, BETA)),
])
def test_frantar_check_rejects(name, expr):
    rejected, detail = _rejects(FRANTAR, expr, name)
    assert rejected, detail


# ----------------------------------------------------------------------------- findings


@pytest.mark.simulate
def test_rtn_follows_four_to_the_minus_b_only_at_high_bits():
    st = studies.rtn_bit_study(bits=np.arange(1.0, 13.0))
    R = st.R_geomean
    assert R[0] > 4 and R[2] > 2           # B = 1, 3: RTN error correlated with w, far above Delta^2/12
    assert np.all(np.abs(np.log(R[7:])) < np.log(1.25))   # B >= 8: isotropic-noise law
    eig = studies.rtn_bit_study(bits=np.arange(8.0, 13.0), basis="eigen")
    assert np.all(eig.R_max / eig.R_min > 10)        # eigenbasis RTN: scatter at every B


@pytest.mark.simulate
def test_full_frantar_fit_misfits_truncation():
    st = studies.frantar_study(2.2, 3.0, 10 / 7)
    full = st.full
    assert full.params["b_N"] > 1.3 and full.rms_resid > 0.05   # additive form across the crossover
    ph = st.phases
    assert abs(ph.plateau_slope) < 0.02 and abs(ph.powerlaw_slope - 1.2) < 0.05 and ph.collapse_ratio < 0.5


@pytest.mark.simulate
def test_sgd_noise_inflates_norm_and_lowers_gamma_d():
    e = studies.sgd_quantization_effect()
    assert np.all(e.inflation > 1.0) and e.inflation[0] > e.inflation[-1]
    lo, hi = e.gamma_D_sgd_norm[1:]
    assert hi < e.gamma_D_flow          # the decaying inflation lowers the apparent gamma_D (fixed seeds)


# ----------------------------------------------------------------------------- bad input


def _tiny_run():
    k = np.arange(1, 9, dtype=float)
    return flow.FlowRun(t=np.array([1.0, 2.0]), w=np.ones((2, 8)), wstar=np.ones(8), lam=k ** -2.0, p=1.0, q=1.0,
                        eta=0.5, a=2.0, b=2.0)


@pytest.mark.parametrize("kwargs, msg", [
    (dict(bits=[0.5]), "bits must be finite and >= 1"),
    (dict(bits=[np.nan]), "bits must be finite and >= 1"),
    (dict(bits=[4], rounding="floor"), "rounding must be one of"),
    (dict(bits=[4], step="l2"), "step must be one of"),
    (dict(bits=[4], Ns=[16]), "model sizes must lie in"),
    (dict(bits=[4], Ns=[6]), "power-of-two"),
])
def test_ptq_sweep_bad_input(kwargs, msg):
    kw = dict(Ns=[8]) | kwargs
    with pytest.raises(ValueError, match=msg):
        quantize.ptq_sweep(_tiny_run(), **kw)


@pytest.mark.parametrize("dens", [[0.0], [1.5], [-0.1], [np.nan]])
def test_pruning_sweep_bad_density(dens):
    with pytest.raises(ValueError, match=r"densities must lie in \(0, 1\]"):
        prune.pruning_sweep(_tiny_run(), dens, [8])


def test_fit_bad_input():
    with pytest.raises(ValueError, match="positive and finite"):
        fits.fit_kumar([4, 5], [1, 2], [8, 16], np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="does not match"):
        fits.fit_kumar([4, 5], [1, 2], [8, 16], np.ones((3, 2, 2)))
    with pytest.raises(ValueError, match="sparsities must lie"):
        fits.fit_frantar(np.full(10, 1.0), np.ones(10), np.ones(10), np.ones(10))
    with pytest.raises(ValueError, match="terms must be one of"):
        fits.fit_frantar(np.zeros(10), np.ones(10), np.ones(10), np.ones(10), terms="S")


def test_rho_must_be_positive():
    with pytest.raises(ValueError, match="rho must be > 0"):
        studies.kumar_sweeps(2.2, 3.0, 0.0)
    with pytest.raises(ValueError, match="rho must be > 0"):
        studies.frantar_study(2.2, 3.0, -1.0)
