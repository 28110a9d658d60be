"""Feature learning: the two-layer linear network with feature learning (BAP arXiv 2409.17858).

The rich time exponent 2 beta/(1+beta) measured in the real network (dynamical.rich_time_exponent,
spectral.feature_time_exponent), and the reconstruction's PTQ invariant alpha_t + gamma_D = 2/(1+beta)
(spectral.feature_learning_rho_ptq), which the network refutes. Every numeric check has its power tests.
"""

import dataclasses

import jax
import numpy as np
import pytest
import sympy as sp

from scaling_verify.checks import Context, run_check
from scaling_verify.numerics.simulate.models import random_features as rf
from scaling_verify.numerics.simulate import two_layer as tl
from scaling_verify.theory.claims import REGISTRY, load_all

load_all()

TIME_CLAIMS = ["dynamical.rich_time_exponent", "spectral.feature_time_exponent"]
PTQ_CLAIM = "spectral.feature_learning_rho_ptq"


def _claim(cid):
    return REGISTRY.get(cid)


def _wrong(cid, expr=None, factor=None):
    c = _claim(cid)
    new = c.expr * sp.Float(factor) if factor is not None else expr
    # replace the expression directly (Claim.perturbed rewrites the notes; the ids stay)
    return dataclasses.replace(c, expr=new, holds=True)


# ----------------------------------------------------------------------------- the model


def test_gamma_zero_is_the_random_feature_model():
    """gamma = 0 reduces exactly to numerics.simulate.models.random_features (same draws, same steps)."""
    N, M, alpha, beta = 8, 32, 1.5, 0.4
    T = np.arange(1, 31) * 4 * 0.5       # every 4 GD steps of eta = 0.5
    run = tl.train(alpha, beta, 0.0, N=N, M=M, seeds=2, seed=3, eta=0.5, T=T)
    L = np.asarray(rf.gd_scan(run.A0, run.lam, run.ws, 0.5, 120, every=4))[:, 1:]
    assert np.max(np.abs(L - run.loss)) < 1e-10


def test_reduced_coordinates_give_the_full_predictor():
    """The solver's reduced coordinates (A = C Q^T) reproduce the loss computed from the full weights."""
    T = np.arange(1, 31) * 0.25
    run = tl.train(3.0, 0.4, 2.0, N=8, M=32, seeds=2, seed=1, T=T)
    A = np.einsum("stij,smj->stim", np.asarray(run.C), np.asarray(run.Q))
    th = np.einsum("stim,sti->stm", A, np.asarray(run.w)) / np.sqrt(8)
    L = (np.asarray(run.lam) * (np.asarray(run.ws) - th) ** 2).sum(-1)
    assert np.max(np.abs(L - run.loss)) < 1e-12


def test_half_width_model_shares_the_compiled_call():
    """The zero-padded half-width draws equal a separate half-width run with the same key."""
    T = np.arange(1, 31) * 0.25
    both = tl.train(3.0, 0.4, 2.0, N=8, M=32, seeds=2, seed=5, T=T, with_half=True)
    half = both.half
    key = jax.random.split(jax.random.key(5), 2)[1]
    assert np.array_equal(np.asarray(rf.draw_projections(key, 2, 4, 16)), np.asarray(half.A0))
    assert half.w.shape[-1] == 4 and half.C.shape[-2:] == (4, 4)
    # the padded half-width model is the width-4 model: its loss from its own weights matches
    A = np.einsum("stij,smj->stim", np.asarray(half.C), np.asarray(half.Q))
    th = np.einsum("stim,sti->stm", A, np.asarray(half.w)) / 2.0
    L = (np.asarray(half.lam) * (np.asarray(half.ws) - th) ** 2).sum(-1)
    assert np.max(np.abs(L - half.loss)) < 1e-12
    assert np.all(np.diff(half.loss, axis=1) < 0)


def test_ptq_damage_scales_as_four_to_minus_bits():
    T = np.arange(1, 31) * 0.25
    run = tl.train(3.0, 0.4, 2.0, N=8, M=32, seeds=2, seed=2, T=T)
    d = tl.ptq_sweep(run, (8, 10), seed=0)
    for dith in (False, True):
        ratio = d[(8, dith)].mean() / d[(10, dith)].mean()
        assert 8 < ratio < 32          # 16 expected; 2 draws x 30 times, single quantization draws


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("kwargs, match", [
    (dict(gamma=-0.1), "gamma"),
    (dict(beta=0.0), "beta"),
    (dict(beta=-0.5), "beta"),
    (dict(beta=float("inf")), "beta"),
    (dict(alpha=1.0), "alpha"),
    (dict(N=0), "N"),
    (dict(N=4.5), "N"),
    (dict(M=-3), "M"),
    (dict(seeds=0), "seeds"),
    (dict(N=8, M=4), "M >= N"),
])
def test_bad_input_is_a_clear_error(kwargs, match):
    args = dict(alpha=3.0, beta=0.4, gamma=1.0, N=8, M=32, seeds=2) | kwargs
    with pytest.raises(ValueError, match=match):
        tl.train(args.pop("alpha"), args.pop("beta"), args.pop("gamma"), T=np.array([1.0, 2.0]), **args)


def test_bad_times_bits_and_easy_task():
    with pytest.raises(ValueError, match="increasing"):
        tl.train(3.0, 0.4, 1.0, N=4, M=8, seeds=1, T=np.array([2.0, 1.0]))
    with pytest.raises(ValueError, match="eta"):
        tl.train(3.0, 0.4, 1.0, N=4, M=8, seeds=1, T=np.array([1.0, 2.0]), eta=0.0)
    with pytest.raises(ValueError, match="hard task"):
        tl.measure(3.0, 1.2)
    with pytest.raises(ValueError, match="gamma > 0"):
        tl.measure(gamma=0.0)
    run = tl.train(3.0, 0.4, 1.0, N=8, M=32, seeds=2, T=np.arange(1, 31) * 0.25)
    with pytest.raises(ValueError, match="bit"):
        tl.ptq_sweep(run, (0,))


# ----------------------------------------------------------------------------- symbolic


@pytest.mark.symbolic
def test_feature_learning_rho_ptq_is_refuted_symbolically_too():
    """The expression is the reconstruction's 2/(1+beta) (derived by the engine); the claim's derive()
    is the two-layer network's balanced-layer value 1, so the symbolic check refutes the claim as well."""
    from scaling_verify.theory import spectral

    c = _claim(PTQ_CLAIM)
    assert c.status == "reconstructed" and c.holds is False and c.evidence
    b = c.symbol("beta")
    assert sp.simplify(spectral.fl_rho_ptq_reconstruction() - c.expr) == 0
    assert sp.simplify(c.derive() - 1) == 0
    assert not run_check(c, "symbolic").passed
    # the corrected value passes the same symbolic check
    assert run_check(dataclasses.replace(c, expr=sp.Integer(1) + 0 * b, holds=True), "symbolic").passed


# ----------------------------------------------------------------------------- simulate (quick size)


@pytest.mark.simulate
@pytest.mark.parametrize("cid", TIME_CLAIMS)
def test_rich_time_exponent_measured_in_the_two_layer_network(cid):
    res = run_check(_claim(cid), "simulate", Context())
    assert res.passed, res.detail
    lazy = res.measured["lazy"]
    assert lazy[0] < res.measured["alpha_t"][1]      # the rich exponent beats the lazy control


@pytest.mark.simulate
@pytest.mark.parametrize("cid", TIME_CLAIMS)
@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_time_exponent_check_rejects_ten_percent(cid, factor):
    assert not run_check(_wrong(cid, factor=factor), "simulate", Context()).passed


@pytest.mark.simulate
@pytest.mark.parametrize("cid", TIME_CLAIMS)
def test_time_exponent_check_rejects_the_lazy_exponent(cid):
    beta = _claim(cid).symbol("beta")
    assert not run_check(_wrong(cid, expr=beta), "simulate", Context()).passed


@pytest.mark.simulate
def test_ptq_check_refutes_the_reconstructed_invariant():
    """The refuted claim's check fails (verify reports it as refuted as expected); rho_hat_2 sits well
    below 2/(1+beta), and the 4^-B law holds."""
    res = run_check(_claim(PTQ_CLAIM), "simulate", Context())
    assert not res.passed, res.detail
    r2, lo, hi = res.measured["rho_hat_2"]
    assert hi + res.measured["bias"] < res.measured["claimed"]
    assert all(abs(x - 1) < 0.15 for x in res.measured["bit_exponent"])


@pytest.mark.simulate
@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_ptq_check_rejects_ten_percent(factor):
    assert not run_check(_wrong(PTQ_CLAIM, factor=factor), "simulate", Context()).passed


# ----------------------------------------------------------------------------- full size


@pytest.mark.slow
@pytest.mark.simulate
def test_full_size_two_layer_checks():
    ctx = Context(quick=False)
    for cid in TIME_CLAIMS:
        res = run_check(_claim(cid), "simulate", ctx)
        assert res.passed, res.detail
        for factor in (0.9, 1.1):
            assert not run_check(_wrong(cid, factor=factor), "simulate", ctx).passed
    assert not run_check(_claim(PTQ_CLAIM), "simulate", ctx).passed
