"""Compute-optimal frontier of the random-feature model: simulation, deterministic equivalent,
its convergence to the claimed exponents, and power tests (perturbed and classic wrong forms rejected)."""

import numpy as np
import pytest
import sympy as sp

from scaling_verify.checks import Context, run_check
from scaling_verify.numerics.simulate import dynamical_frontier as F
from scaling_verify.numerics.simulate.models import compute_frontier as CF
from scaling_verify.numerics.simulate.models import dmft_frontier as DE
from scaling_verify.theory.claims import REGISTRY
from scaling_verify.theory.symbols import a, b

HARD = ["dynamical.compute_loss_exponent", "dynamical.compute_width_exponent"]
EASY = ["dynamical.easy_compute_loss_exponent", "dynamical.easy_compute_width_exponent"]
PRINTED = ["dynamical.easy_compute_loss_exponent_printed", "dynamical.easy_compute_width_exponent_printed"]


# ----------------------------------------------------------------------------- building blocks


@pytest.mark.precise
def test_float64_dmft_loss_matches_the_30_digit_solver():
    """The float64 Talbot/Newton DE equals numerics.precise.dmft.online_loss (30 digits) to 1e-9
    (M = 64, N = 16: early time and the plateau)."""
    from scaling_verify.numerics.precise import dmft
    ts = [0.5, 500.0]
    exact = np.array([float(x) for x in dmft.online_loss_curve(ts, 64, 2.0, 1.5, 16)])
    assert np.max(np.abs(DE.de_loss(16, ts, 2.0, 1.5, M=64) / exact - 1)) < 1e-9


@pytest.mark.precise
def test_infinite_spectrum_quadrature_is_converged():
    """Head sum + log-Gauss-Legendre tail: a 8x longer head and a finer rule change the loss by < 1e-7."""
    ts = [1e2, 1e5, 1e9]
    for N in (30.0, 3e4):
        base = DE.de_loss(N, ts, 2.0, 1.5)
        fine = DE.de_loss(N, ts, 2.0, 1.5, K0=4096, per=6, q=12)
        assert np.max(np.abs(fine / base - 1)) < 1e-7


@pytest.mark.simulate
def test_frontier_vertex_is_exact_for_a_parabola_in_log_n():
    W = CF.widths_grid(2, 14)
    x = np.log(W.astype(float))
    x0 = np.array([2.1, 3.3, 4.0])  # optimum between grid points
    L = np.exp(1.0 + 0.7 * (x[:, None] - x0[None, :]) ** 2)
    Ns, Ls = CF.frontier(L, W)
    assert np.allclose(np.log(Ns), x0, atol=1e-12) and np.allclose(Ls, np.e, rtol=1e-12)


@pytest.mark.simulate
def test_bad_input_raises_with_a_clear_message():
    W = CF.widths_grid(2, 8)
    with pytest.raises(ValueError, match="not bracketed"):
        CF.frontier(np.exp(-np.outer(np.log(W), [1.0, 2.0])), W)  # monotone: the best width is the largest
    with pytest.raises(ValueError, match="finite and positive"):
        CF.frontier(np.zeros((len(W), 2)), W)
    with pytest.raises(ValueError, match="exceeds M"):
        CF.loss_surface(2.0, 2.0, 16, [4, 8, 32], [10.0], 2)
    with pytest.raises(ValueError, match="b > 1"):
        DE.de_loss(10, [1.0], 2.0, 1.0)
    with pytest.raises(ValueError, match="0 < N <= M"):
        DE.de_loss(100, [1.0], 2.0, 1.5, M=64)
    with pytest.raises(ValueError, match="regime must be"):
        F.Sizes.of(Context(), "medium")
    with pytest.raises(ValueError, match="k_lo"):
        CF.widths_grid(5, 5)


@pytest.mark.precise
def test_theory_frontier_converges_to_the_claim_at_rate_omega():
    """The M = oo DE frontier at a = 2, b = 1.5 (the notebook's point): local slopes per decade of C
    approach the claimed (a-1)/(b+1) = 0.4 from below, the deficit shrinking by 10^-omega per decade,
    omega = min(b-a+1, 1)/(b+1) = 0.2 (head term zeta(a-b) kappa and the 1/N cross term, N^{-(b-a+1)}
    relative). The deficit is 0.035 over C = 1e2..1e3 (the notebook's old 0.347 included finite M,
    the factor-2 width grid and 2 draws) and below 1e-3 only beyond C ~ 1e10."""
    A, B = 2.0, 1.5
    claim = REGISTRY.get("dynamical.compute_loss_exponent").value(a=A, b=B)
    _, sl, _ = DE.de_local_slopes(A, B, [1e2, 1e3, 1e6, 1e7, 1e10, 1e11])
    deficits = claim - sl[[0, 2, 4]]
    assert np.all(deficits > 0) and 0.03 < deficits[0] < 0.04
    omega = -np.log10(deficits[2] / deficits[1]) / 4  # per decade, C = 1e6.5 -> 1e10.5
    assert abs(omega - min(B - A + 1, 1) / (B + 1)) < 0.02, omega
    assert deficits[2] < 1e-3


# ----------------------------------------------------------------------------- simulate checks


# Each frontier check passing on its claim is the [simulate] item of `pytest --sv` (in the default run).


@pytest.mark.simulate
@pytest.mark.parametrize("claim_id", PRINTED)
def test_frontier_refutes_the_printed_m_form_at_an_easy_task(claim_id):
    res = run_check(REGISTRY.get(claim_id), "simulate")
    assert not res.passed, res.detail


@pytest.mark.simulate
@pytest.mark.parametrize("claim_id", EASY)
@pytest.mark.parametrize("factor", [0.8, 1.2])
def test_easy_frontier_rejects_twenty_percent(claim_id, factor):
    """Easy point at quick size: the window starts at N* = 15, where the DE's finite-N error is up to
    +15 % in the loss depending on the seed (a = 5: a few top modes carry the loss), so the widening
    reaches 0.05 on some seeds and +-10 % is resolved only at full size (test below); +-20 % always is."""
    res = run_check(REGISTRY.get(claim_id).perturbed(factor=factor), "simulate")
    assert not res.passed, res.detail


WRONG = {
    "dynamical.compute_loss_exponent": [("(a-1)/b, the time exponent", (a - 1) / b), ("a/(b+1)", a / (b + 1)),
                                        ("m = 2b bottleneck", 2 * b * (a - 1) / (2 * b ** 2 + a - 1))],
    "dynamical.compute_width_exponent": [("b/(b+1), the time share", b / (b + 1)), ("1/b", 1 / b),
                                         ("m = 2b bottleneck", (a - 1) / (a - 1 + 2 * b ** 2))],
    "dynamical.easy_compute_loss_exponent": [("hard-task (a-1)/(b+1)", (a - 1) / (b + 1)),
                                             ("general form with m = b", b * (a - 1) / (b ** 2 + a - 1))],
    "dynamical.easy_compute_width_exponent": [("hard-task 1/(b+1)", 1 / (b + 1)),
                                              ("general form with m = b", (a - 1) / (a - 1 + b ** 2))],
}


@pytest.mark.simulate
@pytest.mark.parametrize("claim_id,label,wrong", [(c, lab, e) for c, v in WRONG.items() for lab, e in v],
                         ids=[f"{c.split('.')[1]}-{lab}" for c, v in WRONG.items() for lab, _ in v])
def test_frontier_rejects_classic_wrong_forms(claim_id, label, wrong):
    res = run_check(REGISTRY.get(claim_id).perturbed(sp.sympify(wrong), label=label), "simulate")
    assert not res.passed, res.detail


@pytest.mark.simulate
def test_printed_and_corrected_easy_claims_differ_at_the_measured_point():
    """At a = 5, b = 1.5 the printed m-form predicts 1.41 (loss) and 0.47 (width), the corrected 0.8 and 0.7;
    the general-form claim with m = min(a-1, 2b) = 3 is the printed value, with m = b it gives 0.96."""
    A, B = F.EASY_AB
    gen = REGISTRY.get("dynamical.compute_loss_exponent_general")
    printed = REGISTRY.get("dynamical.easy_compute_loss_exponent_printed").value(a=A, b=B)
    assert abs(printed - gen.value(a=A, b=B, m=min(A - 1, 2 * B))) < 1e-12
    assert abs(gen.value(a=A, b=B, m=B) - 0.96) < 1e-12
    assert abs(REGISTRY.get("dynamical.easy_compute_loss_exponent").value(a=A, b=B) - 0.8) < 1e-12
    assert abs(printed - 0.8) > 0.5


@pytest.mark.simulate
@pytest.mark.slow
@pytest.mark.parametrize("claim_id", HARD + EASY)
def test_frontier_full_size(claim_id):
    res = run_check(REGISTRY.get(claim_id), "simulate", Context(quick=False))
    assert res.passed, res.detail


@pytest.mark.simulate
@pytest.mark.slow
@pytest.mark.parametrize("claim_id", HARD + EASY)
@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_frontier_full_size_rejects_ten_percent(claim_id, factor):
    res = run_check(REGISTRY.get(claim_id).perturbed(factor=factor), "simulate", Context(quick=False))
    assert not res.passed, res.detail
