"""Emergent equivariance (Gerken & Kessel 2024): symbolic derivations, 30-digit checks, power tests, bad input."""

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

import scaling_verify.numerics.precise.equivariance as P
import scaling_verify.theory.equivariance as E
from scaling_verify.checks import Context, run_check
from scaling_verify.theory.claims import REGISTRY

ALL = [c.id for c in REGISTRY.all("equivariance")]
DERIVED = [c.id for c in REGISTRY.all("equivariance") if c.derive is not None]
ZERO_CLAIMS = ["equivariance.kernel_orthogonal_invariance", "equivariance.gram_commutation",
               "equivariance.mean_predictor_equivariance", "equivariance.covariance_invariance"]
PRECISE = ZERO_CLAIMS + ["equivariance.ntk_diagonal", "equivariance.nngp_diagonal", "equivariance.ck_discrepancy",
                         "equivariance.relu_kernel_offdiagonal"]


def test_at_least_six_claims_registered():
    assert len(ALL) >= 6


# ----------------------------------------------------------------------------- symbolic


@pytest.mark.symbolic
@pytest.mark.parametrize("claim_id", DERIVED)
def test_claim_is_derived(claim_id):
    res = run_check(REGISTRY.get(claim_id), "symbolic")
    assert res.passed, res.detail


@pytest.mark.symbolic
@pytest.mark.parametrize("claim_id,wrong", [
    ("equivariance.kernel_orthogonal_invariance", sp.Rational(1, 10**6)),
    ("equivariance.ntk_diagonal", (E.L + 2) * E.r ** 2 / E.d),
    ("equivariance.ck_discrepancy", 2 * sp.sin(sp.pi / E.k)),
    ("equivariance.ensemble_mc_exponent", sp.Integer(1)),
])
def test_symbolic_check_rejects_wrong_formula(claim_id, wrong):
    assert not run_check(REGISTRY.get(claim_id).perturbed(wrong), "symbolic").passed


@pytest.mark.symbolic
def test_kernel_invariance_derivation_detects_anisotropic_first_layer():
    """A first layer x^T D x' with D != I breaks orthogonal invariance: the same derivation is non-zero."""
    defect = E.kernel_invariance_defect(1, metric=sp.diag(1, 2, 1))
    pt = {s: sp.Rational(i + 1, 7) for i, s in enumerate(sorted(defect.free_symbols, key=str))}
    assert abs(defect.subs(pt).evalf(20)) > 1e-3


@pytest.mark.symbolic
def test_mean_equivariance_derivation_detects_non_equivariant_labels():
    assert E.mean_equivariance_defect(3, labels_equivariant=False) != 0


@pytest.mark.symbolic
def test_circulant_spectral_function_rejects_non_orbit_gram():
    G = sp.Matrix(4, 4, lambda i, j: sp.Symbol(f"g{i}{j}"))
    with pytest.raises(ValueError, match="not circulant"):
        E._circulant_spectral_function(G, sp.Function("phi"))


# ----------------------------------------------------------------------------- precise


@pytest.mark.precise
@pytest.mark.parametrize("claim_id", PRECISE)
def test_precise_check_passes(claim_id):
    res = run_check(REGISTRY.get(claim_id), "precise")
    assert res.passed, res.detail


@pytest.mark.precise
@pytest.mark.parametrize("claim_id", ZERO_CLAIMS)
def test_precise_rejects_claimed_nonzero_deviation(claim_id):
    """A claim of an invariance error of 1e-20 (instead of exactly 0) is rejected at 30 digits."""
    res = run_check(REGISTRY.get(claim_id).perturbed(sp.Float(1e-20), label="1e-20"), "precise")
    assert not res.passed, res.detail


@pytest.mark.precise
def test_ck_precise_rejects_full_spacing_kappa():
    claim = REGISTRY.get("equivariance.ck_discrepancy")
    assert not run_check(claim.perturbed(2 * sp.sin(sp.pi / claim.symbol("k"))), "precise").passed


@pytest.mark.precise
@pytest.mark.parametrize("claim_id,check", [
    ("equivariance.kernel_orthogonal_invariance", P._kernel_invariance),
    ("equivariance.mean_predictor_equivariance", P._mean_equivariance),
    ("equivariance.covariance_invariance", P._cov_invariance),
])
def test_precise_catches_kernel_that_breaks_orthogonal_invariance(claim_id, check):
    """First layer x^T D x' with D = diag(1.2, 1, ..., 1): not O(d)-invariant, so invariance must fail."""
    res = check(REGISTRY.get(claim_id), Context(), metric=[1.2] + [1.0] * 8)
    assert not res.passed, res.detail


@pytest.mark.precise
@pytest.mark.parametrize("claim_id,check", [
    ("equivariance.gram_commutation", P._gram_commutation),
    ("equivariance.mean_predictor_equivariance", P._mean_equivariance),
    ("equivariance.covariance_invariance", P._cov_invariance),
])
def test_precise_catches_augmentation_missing_a_group_element(claim_id, check):
    res = check(REGISTRY.get(claim_id), Context(), powers=(0, 1, 2))
    assert not res.passed, res.detail


@pytest.mark.precise
@pytest.mark.parametrize("dps", [20, 40])
def test_kernel_invariance_error_tracks_working_precision(dps):
    """mpmath style: the deviation is set by the working precision, 10^{-dps} up to a few digits."""
    dev = P.kernel_invariance_deviation(0, depth=2, n_pairs=2, dps=dps)
    assert dev < mp.mpf(10) ** (-dps + 4)


@pytest.mark.precise
def test_identical_inputs_have_exact_diagonal():
    """Cosine forced to 1 for identical inputs: Theta(x,x) = 2(L+1)|x|^2/d to 30 digits at depth 6."""
    claim = REGISTRY.get("equivariance.ntk_diagonal")
    with mp.workdps(30):
        x = [mp.mpf(v) for v in (0.3, -1.1, 0.7, 0.2, 0.0, -0.4, 1.3, 0.9, -2.1)]  # d = 9 (claim params)
        th = P.relu_kernels([x], [x], 6, 2, 0)[1][0, 0]
        r = mp.sqrt(mp.fsum(v * v for v in x))
        assert abs(th / P._eval_at(claim, 6, r) - 1) < 1e-28


# ----------------------------------------------------------------------------- bad input


def test_non_orthogonal_representation_is_rejected():
    with pytest.raises(ValueError, match="not orthogonal"):
        P.validate_representation([np.eye(2), np.array([[1.0, 0.5], [0.0, 1.0]])])


def test_group_not_closed_is_rejected():
    G = P.rotation_group(8)
    with pytest.raises(ValueError, match="not closed"):
        P.validate_representation(G[:3])


def test_group_without_identity_is_rejected():
    with pytest.raises(ValueError, match="identity"):
        P.validate_representation(P.rotation_group(4)[1:])


def test_representation_with_mismatched_shapes_is_rejected():
    with pytest.raises(ValueError, match="shape"):
        P.validate_representation([np.eye(2), np.eye(3)])


def test_valid_groups_pass_validation():
    assert len(P.validate_representation(P.rotation_group(8))) == 8
    assert len(P.validate_representation(P.cyclic_pixel_group(3, 4))) == 4


@pytest.mark.parametrize("X,Y,match", [
    (np.ones((3, 4)), np.ones(3), "dimension"),   # C4 on 3x3 images acts on R^9, not R^4
    (np.ones((3, 9)), np.ones(2), "points"),
    (np.ones(9), np.ones(1), "2-D"),
])
def test_augment_rejects_mismatched_shapes(X, Y, match):
    with pytest.raises(ValueError, match=match):
        P.augment(X, Y, P.cyclic_pixel_group(3, 4))


def test_augment_rejects_label_representation_of_wrong_size():
    with pytest.raises(ValueError, match="rho_Y"):
        P.augment(np.ones((2, 9)), np.ones((2, 3)), P.cyclic_pixel_group(3, 4), [np.eye(2)] * 4)


def test_pixel_group_of_wrong_order_is_rejected():
    with pytest.raises(ValueError, match="C_4"):
        P.cyclic_pixel_group(3, 3)


def test_kernels_reject_mismatched_dimensions():
    with pytest.raises(ValueError, match="same dimension"):
        P.relu_kernels([np.ones(3)], [np.ones(4)])


def test_definitions_are_not_counted_as_derivations():
    """The width exponent's 1/2 is the CLT rate by definition: no symbolic check, verified by simulation only."""
    assert REGISTRY.get("equivariance.ntk_width_exponent").derive is None
    assert "definition" in REGISTRY.get("equivariance.ntk_width_exponent").notes


@pytest.mark.precise
def test_offdiagonal_check_catches_a_wrong_arc_cosine_term():
    """The 2 sin misprint in the claimed recursion is rejected; the quadrature agrees with the arc-cosine
    formula at 30 digits for a single pair (cos theta = 0.3)."""
    claim = REGISTRY.get("equivariance.relu_kernel_offdiagonal")
    wrong = claim.perturbations()[-1]
    assert wrong.perturbation.startswith("2 sin")
    assert not run_check(wrong, "precise").passed
    with mp.workdps(30):
        rho = mp.mpf("0.3")
        e_rr, p_pp = P.gaussian_relu_moments(mp.mpf(1), mp.mpf(1), rho)
        th = mp.acos(rho)
        assert abs(e_rr - (mp.sin(th) + (mp.pi - th) * rho) / (2 * mp.pi)) < mp.mpf(10) ** -28
        assert abs(p_pp - (mp.pi - th) / (2 * mp.pi)) < mp.mpf(10) ** -28


@pytest.mark.precise
def test_consistency_checks_are_marked():
    from scaling_verify.checks import check_spec

    for cid in ZERO_CLAIMS:
        assert check_spec(cid, "precise").evidence == "consistency"
    assert check_spec("equivariance.relu_kernel_offdiagonal", "precise").evidence == "independent"
