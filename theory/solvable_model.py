"""A solvable model of neural scaling laws (Maloney, Roberts, Sully 2022, arXiv 2210.16859): linear random
features on a power-law latent spectrum, with ``N`` features and ``T`` training samples both finite.

Setting (the paper's, in the package's notation): latent features with covariance eigenvalues
:math:`\\lambda_k \\propto k^{-(1+\\alpha)}`, a teacher with i.i.d. weights in the latent basis (target power
:math:`p_k \\propto \\lambda_k`), ``N`` Gaussian random features of the latent vector, ``T`` samples (``P`` in
:class:`scaling_verify.models.PowerLaw`), the ridgeless (min-norm, ``gamma -> 0``) least-squares student. In the
power-law model this is ``a = b = 1 + alpha`` (a definition: the map of conventions).

Each claim is derived from the deterministic equivalent of the model at finite ``N`` and ``T``
(:mod:`numerics.precise.models.linear_rf`: the fixed point :math:`T - T\\rho/\\nu_1 = \\mathrm{df}_1(\\nu_2)`,
:math:`N - N\\nu_1/\\nu_2 = \\mathrm{df}_1(\\nu_2)` with the loss
:math:`\\nu_2^2[\\sum p_k/(\\lambda_k+\\nu_2)^2 + \\chi\\sum p_k\\lambda_k/(\\lambda_k+\\nu_2)^2]/(1-\\Upsilon)`), restated
here in SymPy with the sums as symbols. What the public text retrieved for this module confirms (the abstract):
the loss is a power law in parameters or in data "until bottlenecked by the other resource", the model is a
joint generative data model and random-feature model solved in the limit of large ``N`` and ``T``. The exponent
values, the ``N <-> T`` duality and the interpolation peak are built from the model in the paper's notation
(status ``reconstructed``): the paper's equations could not be read from public text.

Parameters: ``alpha = 1`` (``a = b = 2``).
"""

from __future__ import annotations


import sympy as sp

from scaling_verify.theory.claims import Claim, Theory, register, register_theory
from scaling_verify.theory.model_claims import Scaling, declare
from scaling_verify.theory.asymptotics import derivation

SOURCE = "Maloney, Roberts, Sully 2022, arXiv 2210.16859"
THEORY = register_theory(Theory(
    id="solvable_model", title="A Solvable Model of Neural Scaling Laws",
    authors=("Alexander Maloney", "Daniel A. Roberts", "James Sully"), year=2022, arxiv="2210.16859",
    checks={"precise": ("scaling_verify.numerics.precise.solvable_model",),
            "simulate": ("scaling_verify.numerics.simulate.solvable_model",)},
    notes="Linear random features, N and T finite, ridgeless. The bottleneck laws are confirmed qualitatively by "
          "the abstract; exponents, duality and interpolation peak are derived from the model's deterministic "
          "equivalent (reconstructed: the paper's equations were not readable from public text).",
))

alpha = sp.Symbol("alpha", positive=True)
ALPHA = 1.0
MAP = {"a": 1 + alpha, "b": 1 + alpha}
RECON = ("Reconstructed: derived from the model in the paper's notation; the abstract confirms the bottleneck "
         "law qualitatively, the paper's own equation could not be read from public text.")

# the ridgeless fixed point in terms of n = min(N, T), m = max(N, T): nu = nu_2 with df1(nu) = n, d2 = df2(nu);
# sum_k lambda_k/(lambda_k + nu)^2 = (n - d2)/nu (nu d/dnu of df1); S1 = sum p/(lambda+nu)^2, S2 = sum p lambda/(...)^2
_n, _m, _nu, _d2, _c = sp.symbols("n m nu d_2 c", positive=True)
_S1, _S2 = sp.symbols("S_1 S_2", positive=True)


def ridgeless_loss(N, T, S1, S2) -> sp.Expr:
    """The deterministic-equivalent loss at ``rho -> 0`` (noiseless), from the fixed point:

    with ``rho = 0`` the first equation reads ``T(1 - 0) = df1`` unless ``nu_1 -> 0``; the second,
    ``q = nu_1/nu_2 = 1 - df1/N``, must lie in ``[0, 1]``. So for ``T <= N``: ``df1 = T``, ``q = 1 - T/N``; for
    ``N < T``: ``q = 0`` (``nu_1 -> 0``) and ``df1 = N``. Either way ``df1(nu_2) = n = min(N, T)``. Then
    ``Upsilon = (N/T)[(1-q)^2 + q^2 d2/(N - d2)]``, ``chi = (n - d2)/(nu (N - d2))`` and
    ``L = nu^2 [S1 + chi S2]/(1 - Upsilon)``."""
    n = sp.Min(N, T)
    q = 1 - n / N
    ups = (N / T) * ((1 - q) ** 2 + q ** 2 * _d2 / (N - _d2))
    chi = (n - _d2) / (_nu * (N - _d2))
    return _nu ** 2 * (S1 + chi * S2) / (1 - ups)


@derivation
def duality_ratio() -> sp.Expr:
    """``L(N, T)/L(T, N)`` for the teacher of the paper (``p_k = c lambda_k``: ``S1 = c (n - d2)/nu``,
    ``S2 = c d2``), simplified: 1 (and the general-target difference, kept in :func:`duality_defect`)."""
    S1, S2 = _c * (_n - _d2) / _nu, _c * _d2
    below = _rewrite_min(ridgeless_loss(_m, _n, S1, S2))  # N = m > T = n
    above = _rewrite_min(ridgeless_loss(_n, _m, S1, S2))  # N = n < T = m
    return sp.simplify(below / above)


def _rewrite_min(expr: sp.Expr) -> sp.Expr:
    """Replace ``Min(n, m)`` (``n < m`` by construction) by ``n``."""
    return expr.replace(lambda e: isinstance(e, sp.Min) and set(e.args) == {_n, _m}, lambda e: _n)


@derivation
def duality_defect() -> sp.Expr:
    """``L(N, T) - L(T, N)`` for a general target, factored: zero iff ``S2 (n - d2) = S1 nu d2``, which the
    paper's teacher ``p_k proportional to lambda_k`` satisfies at every ``nu`` (so the duality is a property of the
    teacher, not of the model)."""
    below = _rewrite_min(ridgeless_loss(_m, _n, _S1, _S2))
    above = _rewrite_min(ridgeless_loss(_n, _m, _S1, _S2))
    return sp.factor(sp.simplify(below - above))


@derivation
def peak_exponent() -> sp.Expr:
    """The exponent ``e`` of ``L ~ (1 - n/m)^-e`` at the interpolation threshold ``n -> m`` (fixed ``m``): from the
    closed form ``L = c nu n m/(m - n)`` (simplified from :func:`ridgeless_loss` with the paper's teacher), whose
    ``(1 - n/m) L`` tends to a finite non-zero limit (``nu`` is smooth in ``n``: ``df1(nu) = n`` has a positive
    derivative), the exponent is the order of the pole: ``-lim d log L/d log(1 - n/m)``."""
    S1, S2 = _c * (_n - _d2) / _nu, _c * _d2
    L = sp.simplify(_rewrite_min(ridgeless_loss(_n, _m, S1, S2)))
    u = sp.Symbol("u", positive=True)  # u = 1 - n/m
    Lu = sp.simplify(L.subs(_n, _m * (1 - u)))
    e = sp.limit(-sp.diff(sp.log(Lu), u) * u, u, 0)
    return sp.simplify(e)


def _register_claims() -> None:
    declare(  # the check modules wire the model library's precise and simulate checks to these
        1 + ALPHA, 1 + ALPHA, "solvable_model", source=SOURCE, symbols=MAP,
        params={"alpha": ALPHA},
        parameter_exponent=Scaling(
            "N", alpha, status="reconstructed", quantity=r"\alpha_N",
            targets={"simulate": (0.1, "the simulated N-exponent's finite-N bias and sampling at quick sizes: over "
                                       "seeds 0-19 a change of -5 % was rejected on 7 seeds and +5 % on 1, x1.1 on 19; "
                                       "it sees the power items' 10 % only"),
                     "precise": (6e-8, "local N-exponents 0.9999, 0.999999, 0.99999999 at N = 1e4, 1e6, 1e8 (1/N "
                                       "corrections, drift ratio 0.01): the model library's convergence budget, "
                                       "2|d2| r/(1-r) + the floor 1e-8 of its 40-digit central difference, is 3e-8, "
                                       "and the last exponent sits 1e-8 below the limit (measured resolution 4.5e-8)")},
            statement="Parameter-limited (T = oo): the test loss decays as N^-alpha for latent eigenvalues "
                      "lambda_k ~ k^-(1+alpha) and i.i.d. teacher weights.",
            latex_statement=r"$\mathcal L(N) \propto N^{-\alpha}$ at $T = \infty$, $\lambda_k \propto k^{-(1+\alpha)}$.",
            wrong_forms={"1+alpha (the spectral exponent)": 1 + alpha},
            notes=RECON + " The projection residual of the teacher on N random features (bottleneck law p = 1)."),
        data_exponent=Scaling(
            "P", alpha, status="reconstructed", quantity=r"\alpha_T",
            targets={"simulate": (0.07, "the deterministic equivalent's finite-P budget (0.025 of the exponent) "
                                        "plus 1.84 half-widths of the 128-draw interval (0.02) for 19 seeds of 20: "
                                        "0.062 (scaling-verify plan, seed 0); +5 % was accepted at seed 0"),
                     "precise": (1.5e-7, "the exponent has converged (1/P corrections: 1e-12 at P = 1e12) and the "
                                         "model library's convergence budget is the floor 1e-7 of its closed-form P "
                                         "derivative: 1e-7 relative to the claimed 1 (measured resolution 1e-7)")},
            statement="Data-limited (N = oo): the ridgeless test loss decays as T^-alpha.",
            latex_statement=r"$\mathcal L(T) \propto T^{-\alpha}$ at $N = \infty$ (ridgeless).",
            wrong_forms={"1+alpha (the spectral exponent)": 1 + alpha},
            notes=RECON + " Ridgeless kernel regression on T samples (bottleneck law p = 2, not saturated: "
                          "alpha < 2(1 + alpha))."),
    )


_register_claims()

DUALITY = register(Claim(
    id="solvable_model.duality", theory="solvable_model",
    statement="Duality: with i.i.d. teacher weights and no label noise, the ridgeless test loss is symmetric under "
              "N <-> T: L(N, T)/L(T, N) = 1 at every N and T (in the deterministic equivalent).",
    latex_statement=r"$\mathcal L(N, T) = \mathcal L(T, N)$ (ridgeless, $p_k \propto \lambda_k$).",
    quantity=r"L(N,T)/L(T,N)", expr=sp.Integer(1), symbols=(), regime=sp.true,
    source=SOURCE, status="reconstructed", derive=duality_ratio, params={},
    notes=RECON + " Derived from the fixed point of the deterministic equivalent with the sums as symbols: the "
                  "difference for a general target factors as nu (S2 (n - d2) - S1 nu d2)/(n - d2), zero for "
                  "p_k proportional to lambda_k (duality_defect). Finite-size Monte Carlo tests the real system.",
))

PEAK = register(Claim(
    id="solvable_model.interpolation_peak", theory="solvable_model",
    statement="Interpolation peak: the ridgeless loss diverges at N = T as (1 - min(N,T)/max(N,T))^-1, from either "
              "side (the part of the teacher outside the features acts as label noise).",
    latex_statement=r"$\mathcal L \propto (1 - \min(N,T)/\max(N,T))^{-e}$, $e = 1$, at $N \to T$.",
    quantity=r"e_{\mathrm{peak}}", expr=sp.Integer(1), symbols=(), regime=sp.true,
    source=SOURCE, status="reconstructed", derive=peak_exponent, params={},
    wrong_forms={"1/2 (square-root divergence)": sp.Rational(1, 2), "2 (double pole)": sp.Integer(2)},
    notes=RECON + " Closed form of the deterministic equivalent with the paper's teacher: L = c nu n m/(m - n), "
                  "df1(nu) = n, n = min(N, T), m = max(N, T).",
))
