"""Quantization model: multitask sparse parity in JAX (construction, quick checks, power tests, slow sweeps)."""

import numpy as np
import pytest
import sympy as sp

from scaling_verify.checks import Context, run_check
from scaling_verify.numerics.simulate import quanta as SQ
from scaling_verify.numerics.simulate.models import sparse_parity as SP
from scaling_verify.theory.claims import REGISTRY

# ------------------------------------------------------------------------------ construction


def test_zipf_uses_the_paper_convention_and_code_alpha_converts():
    p = SP.zipf_probs(4, 0.4)
    w = np.arange(1, 5) ** -1.4
    np.testing.assert_allclose(p, w / w.sum())
    assert SP.code_alpha_to_paper(1.4) == pytest.approx(0.4)
    with pytest.raises(ValueError, match="Zipf exponent"):
        SP.code_alpha_to_paper(0.4)


def test_batch_is_one_hot_control_plus_bits_with_parity_labels():
    import jax.numpy as jnp

    subsets = SP.make_subsets(5, 6, 3, seed=1)
    assert len({tuple(s) for s in subsets}) == 5 and all(list(s) == sorted(s) for s in subsets)
    cdf = jnp.asarray(np.cumsum(SP.zipf_probs(5, 0.4)), jnp.float32)
    x, y, task = SP.sample_batch(7, 3, jnp.asarray(subsets), cdf, 4000, 6)
    x, y, task = np.asarray(x), np.asarray(y), np.asarray(task)
    np.testing.assert_array_equal(x[:, :5], np.eye(5)[task])
    bits = x[:, 5:].astype(int)
    np.testing.assert_array_equal(y, bits[np.arange(len(y))[:, None], subsets[task]].sum(1) % 2)
    freq = np.bincount(task, minlength=5) / len(task)
    np.testing.assert_allclose(freq, SP.zipf_probs(5, 0.4), atol=4 * np.sqrt(0.25 / 4000))  # 4 sigma
    assert abs(bits.mean() - 0.5) < 4 * np.sqrt(0.25 / bits.size)


@pytest.mark.parametrize("kwargs,msg", [
    (dict(alpha=0.0), "alpha must be > 0"), (dict(alpha=-1.0), "alpha must be > 0"),
    (dict(k=9, n_bits=8), "need k <= n"), (dict(n_tasks=0), "zero tasks"),
    (dict(n_tasks=100, n_bits=5, k=2), "distinct subsets"),
])
def test_bad_task_definitions_are_clear_errors(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        SP.ParityConfig(**kwargs)


def test_vectorised_spearman_matches_scipy_and_noise_shortfall_vanishes_without_noise():
    from scipy import stats

    x = np.random.default_rng(3).standard_normal((50, 11))
    ref = [stats.spearmanr(np.arange(11), row)[0] for row in x]
    np.testing.assert_allclose(SQ._spearman_rows(x), ref, atol=1e-12)
    p = SP.zipf_probs(12, 0.4)
    assert SQ.noise_bias(0.8, p, 0.0, n_draw=10) == pytest.approx(0.0, abs=1e-12)
    assert 0 < SQ.noise_bias(0.8, p, 0.1, n_draw=2000) < SQ.noise_bias(0.8, p, 0.3, n_draw=2000)


# ------------------------------------------------------------------------------ quick checks


@pytest.mark.simulate
def test_quanta_learned_in_frequency_order():
    res = run_check(REGISTRY.get("quanta.learning_order"), "simulate", Context(quick=True, seed=0))
    assert res.passed, res.detail
    lo, hi = res.measured["gamma_ci"]
    assert 0.5 < lo <= res.measured["gamma"] <= hi < 1.3  # S_k ~ p_k^-gamma with a finite interval


@pytest.mark.simulate
@pytest.mark.parametrize("wrong", [0, 0.5, -1])  # no order (uniform frequencies), half order, reverse order
def test_order_check_rejects_no_or_reverse_order(wrong):
    res = run_check(REGISTRY.get("quanta.learning_order").perturbed(sp.Float(wrong)), "simulate", Context())
    assert not res.passed, res.detail


@pytest.mark.simulate
@pytest.mark.xfail(strict=True, reason="at the quick size (lr 1e-2, batch 256) subtask transitions are 0.5 "
                   "decades wide, 0.65 of the mean's width: not sharp by the stated rule (see note)")
def test_sharp_subtasks_smooth_mean():
    res = SQ.emergence_check(REGISTRY.get("quanta.emergence"), Context())
    assert res.passed, res.detail


@pytest.mark.simulate
def test_emergence_measure_has_power_and_subtasks_are_sharper_than_the_mean():
    claim = REGISTRY.get("quanta.emergence")
    res = SQ.emergence_check(claim, Context())
    lo, hi = res.measured["ratio_ci"]
    assert 0 < lo <= hi < 1, res.detail  # sharper than the mean, not a step
    assert res.measured["mean_monotone"]
    # the rule rejects an impossible negative width; it does NOT reject r = 1 (as gradual as the mean) at
    # the quick size: the measured ratio sits nearer 1 than 0 (reported in the note)
    assert not SQ.emergence_check(claim.perturbed(sp.Float(-1.0)), Context()).passed


# ------------------------------------------------------------------------------ full size


@pytest.mark.slow
@pytest.mark.simulate
@pytest.mark.xfail(strict=True, reason="32 subtasks, widths 8..128: fitted 1.16 [1.09, 1.22] vs 0.4 + truncation "
                   "shift 0.46; the learned count grows as N^1.2 (model: N^1)")
def test_loss_vs_width_exponent_full():
    res = SQ.width_scaling(REGISTRY.get("quanta.alpha_n"))
    assert res.passed, res.detail


@pytest.mark.slow
@pytest.mark.simulate
@pytest.mark.xfail(strict=True, reason="32 subtasks, D = 2e3..3.2e4: fitted 0.57 [0.54, 0.60] vs 0.286 + "
                   "truncation shift 0.21; the learned count grows as D^1.1 (model: D^0.71)")
def test_loss_vs_data_exponent_full():
    res = SQ.data_scaling(REGISTRY.get("quanta.alpha_d"))
    assert res.passed, res.detail


@pytest.mark.slow
@pytest.mark.simulate
def test_learning_order_full_size():
    res = run_check(REGISTRY.get("quanta.learning_order"), "simulate", Context(quick=False))
    assert res.passed, res.detail


@pytest.mark.slow
@pytest.mark.simulate
def test_emergence_decided_against_the_step_at_8_to_32_subtasks():
    """Decision experiment for ``quanta.emergence`` (ratio of a subtask's accuracy transition 0.6 -> 0.9 to the
    mean's, decades of steps; 4 seeds, lr 1e-2, batch 256; Student-t intervals over seeds): 0.48 [0.38, 0.57]
    at 8 subtasks, 0.65 [0.49, 0.81] at 16, 0.75 [0.67, 0.83] at 32 (8000 steps). Sharper than the mean
    (ratio < 1) but not steps (at 32 the whole interval is beyond the stated 1/2), and the ratio grows with
    the number of subtasks, away from the model's 0."""
    from scaling_verify.numerics.simulate.models.sparse_parity import ParityConfig, train

    ci = {}
    for tasks, steps in ((8, 3000), (16, 3000), (32, 8000)):
        cfg = ParityConfig(**{**SQ.QUICK.__dict__, "n_tasks": tasks, "steps": steps})
        ci[tasks] = SQ.emergence_stats(train(cfg, seed=0)).ratio_ci
    assert all(hi < 1 for _, hi in ci.values()), ci
    assert ci[32][0] > SQ.SHARP_TOL, ci
    assert ci[32][0] > ci[8][1], ci
