"""Finite data in the dynamical model (Bordelon, Atanasov, Pehlevan 2024, arXiv 2402.01092): the
train/test gap under data reuse, registered under the dynamical model's theory.
"""

from __future__ import annotations

import sympy as sp

from scaling_verify.theory.claims import Claim, register
from scaling_verify.theory.dynamical import SOURCE, THEORY, T  # noqa: F401 (THEORY: the theory registers first)
from scaling_verify.theory.symbols import P
from scaling_verify.theory.asymptotics import derivation

# --- finite data: P samples, data reuse ---
#
# Train/test gap under data reuse (full-batch GD on P Gaussian samples, any width N, label noise sigma).
# With v = w* - theta, F = A^T A/N (E F = I), G = Psi^T Psi/P (E G = Lambda) and y = Psi w* + sigma eps,
# gradient flow on the 1/2-MSE gives v' = -F G v - F Psi^T sigma eps/P, and
#     test  = v^T Lambda v + sigma^2,      train = |Psi v + sigma eps|^2 / P,
# both equal to L_0 + sigma^2 at t = 0 in expectation (gap(0) = 0). Their slopes at t = 0 are
#     test'  = -2 w^T Lambda F G w + (zero-mean noise term),
#     train' = -2 w^T G F G w - 2 sigma^2 eps^T Psi F Psi^T eps/P^2 + (zero-mean terms),
# linear in F, so E over A replaces F by I at every N. The Gaussian fourth moment (Isserlis) gives
# E[G^2] = Lambda^2 + (Lambda^2 + tr(Lambda) Lambda)/P: the gap grows from zero with the exact slope
#     d/dt E[test - train](0) = 2 [S_2 + T (L_0 + sigma^2)] / P,
# S_2 = sum_k lambda_k^2 w_k^2, L_0 = sum_k lambda_k w_k^2, T = tr Lambda. The DMFT (proportional limit)
# keeps only 2 T (L_0 + sigma^2)/P: it drops the self-interaction term S_2 (relative size ~ lambda_1/T),
# which for power-law spectra is not small (18 % at a = 2, b = 1.5, sigma = 0.5).

S2 = sp.Symbol("S_2", positive=True)     # sum_k lambda_k^2 w_k^2
L0 = sp.Symbol("L_0", positive=True)     # sum_k lambda_k w_k^2
sigma = sp.Symbol("sigma", nonnegative=True)
GAP_PARAMS = {"S_2": float(sp.zeta(3.5)), "T": float(sp.zeta(1.5)), "L_0": float(sp.zeta(2)),
              "sigma": 0.5, "P": 64}  # power law a = 2, b = 1.5, M = oo: zeta(a+b), zeta(b), zeta(a)


@derivation
def train_test_gap_slope() -> sp.Expr:
    """``d/dt E[test - train]`` at t = 0 from the Gaussian moments (sympy.stats) of the features.

    Per mode k: ``E[(G^2)_kk] = [P(P-1) E[psi_k^2]^2 + P (E[psi_k^4] + sum_{j != k} E[psi_k^2 psi_j^2])]/P^2``
    (pairs mu != nu and mu = nu of ``G = P^{-1} sum_mu psi_mu psi_mu^T``), ``E[(Lambda G)_kk] = lambda_k E[psi_k^2]``;
    the noise term is ``E[eps^T Psi Psi^T eps]/P^2 = P E|psi|^2/P^2``. Summing ``w_k^2 x (...)`` over k turns
    the coefficients of lambda_k^2 and lambda_k into S_2 and L_0.
    """
    from sympy.stats import E as Ex, Normal

    lk, ll = sp.symbols("lambda_k lambda_l", positive=True)
    xk, xl = Normal("psi_k", 0, sp.sqrt(lk)), Normal("psi_l", 0, sp.sqrt(ll))
    m2, m4, m22 = Ex(xk ** 2), Ex(xk ** 4), Ex(xk ** 2 * xl ** 2)
    if sp.diff(m22, ll, 2) != 0:
        raise ValueError("E[psi_k^2 psi_l^2] is not linear in lambda_l")
    cross = m22.subs(ll, T - lk)  # sum_{l != k} lambda_k lambda_l = lambda_k (T - lambda_k)
    G2 = (P * (P - 1) * m2 ** 2 + P * (m4 + cross)) / P ** 2
    per_mode = sp.expand(2 * (G2 - lk * m2))  # train' - test' per unit w_k^2 (E F = I)
    poly = sp.Poly(per_mode, lk)
    if poly.degree() > 2 or poly.coeff_monomial(1) != 0:
        raise ValueError(f"unexpected per-mode structure {per_mode}")
    noise = 2 * sigma ** 2 * P * Ex(xk ** 2).subs(lk, T) / P ** 2  # E|psi|^2 = sum_l lambda_l = T
    return sp.simplify(poly.coeff_monomial(lk ** 2) * S2 + poly.coeff_monomial(lk) * L0 + noise)


train_test_gap = register(Claim(
    id="dynamical.train_test_gap_slope", theory="dynamical",
    latex_statement=r"Full-batch GD on $P$ Gaussian samples (any width $N$): the expected test-train gap starts at 0"
                    r" and grows as $2t\,[S_2 + \operatorname{tr}(\Lambda)(L_0 + \sigma^2)]/P$, with $S_2 = \sum_k "
                    r"\lambda_k^2 w_k^2$ and $L_0 = \sum_k \lambda_k w_k^2$.",
    printed_latex=r"\frac{2}{P}\left[S_2 + T\left(L_0 + \sigma^2\right)\right]",
    statement="Full-batch GD on P Gaussian samples (any width N): the expected test-train gap starts at 0 and grows "
              "as 2t[S_2 + tr(Lambda)(L_0 + sigma^2)]/P, S_2 = sum lambda^2 w^2, L_0 = sum lambda w^2.",
    quantity=r"\partial_t\,\mathbb{E}[L_{\rm test} - L_{\rm train}]_{t=0}",
    expr=2 * (S2 + T * (L0 + sigma ** 2)) / P, symbols=(S2, T, L0, sigma, P), regime=sp.true,
    source=SOURCE + ", train/test gap under data reuse (O(1/P) early; eq. 18 third-party); exact slope derived here",
    status="reconstructed", derive=lambda: train_test_gap_slope(), params=GAP_PARAMS,
    notes="Reconstructed: the paper's statement (gap O(1/P) early, growing with reuse) made exact for Gaussian "
          "features; the DMFT keeps only 2 T (L_0 + sigma^2)/P (it drops the self term S_2).",
))


# --- the finite-data loss curve: a two-time deterministic equivalent ---
#
# Gradient flow on P reused samples (N = oo, no ridge, no noise) from theta = 0: the test loss
# w*^T e^{-tG} Lambda e^{-tG} w* (G = Psi^T Psi/P) involves two resolvents; its deterministic equivalent is the
# inverse double Laplace transform at t1 = t2 = t of sum_k p_k H_k(s1) H_k(s2)/(1 - gamma(s1, s2)),
# H_k = 1/(s + lambda_k R), R = 1 - (1/P) sum lambda R/(s + lambda R), gamma = (1/P) sum lambda^2 R1 R2 H1 H2
# (derived, with ridge and noise, in numerics/precise/models/two_time.py). Its t -> oo limit is the
# Bordelon-Canatar-Pehlevan ridgeless E_g at the same M.

finite_data_curve = register(Claim(
    id="dynamical.finite_data_loss_curve", theory="dynamical",
    latex_statement=r"With $P$ reused samples ($N = \infty$) the expected gradient-flow test loss follows the two-time "
                    r"deterministic equivalent at every time, $t = \infty$ included: $\mathcal{L}_P(t) / "
                    r"\mathcal{L}^{\rm DE}_P(t) = 1$, up to $O(1/P)$.",
    statement="With P reused samples (N = oo) the expected gradient-flow test loss follows the two-time deterministic "
              "equivalent at every time, t = oo included: L_P(t) / L_DE_P(t) = 1, up to O(1/P).",
    quantity=r"\mathcal{L}_P/\mathcal{L}^{\rm DE}_P", expr=sp.Integer(1), symbols=(),
    source=SOURCE + " (finite-data DMFT, App.); two-time form reconstructed with the resolvent equivalents of "
                    "Atanasov, Zavatone-Veth, Pehlevan 2024 (arXiv 2405.00592)",
    status="reconstructed", derive=None, params={},
    notes="Reconstructed: the loss needs the two-point (two-time) deterministic equivalent of w*^T e^{-tG} Lambda "
          "e^{-tG} w*, derived in numerics.precise.models.two_time (a one-resolvent form at 2t is 16-30 % off at "
          "M = 64, P = 16). No symbolic check: the claim is the curve itself (float64 double Talbot inversion, 1e-12 "
          "from the 30-digit solver), verified against the simulation point by point in time; the DE's own error is "
          "O(1/P) (about 0.6/P at a = 2, b = 1.5) and is measured at P/2 in the same run.",
))
