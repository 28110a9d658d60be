"""Feature learning in the dynamical model (Bordelon, Atanasov, Pehlevan 2024/25, arXiv 2409.17858),
registered under the dynamical model's theory.

For hard tasks (``beta < 1``) a learned kernel speeds training up: the loss decays as
:math:`t^{-2\\beta/(1+\\beta)}` instead of :math:`t^{-\\beta}`, and the compute-optimal exponent follows
from the bottleneck :math:`\\mathcal L = t^{-\\chi} + N^{-\\alpha\\beta}`. Notation ``b = alpha``,
``a = 1 + alpha beta``. The derivation (the kernel's scale follows the norm of the learned function) is
our reconstruction of the mechanism, not the paper's DMFT.
"""

from __future__ import annotations

import sympy as sp

from scaling_verify.theory import asymptotics as A
from scaling_verify.theory import symbols as S
from scaling_verify.theory.claims import Claim, Law, register
from scaling_verify.theory.dynamical import THEORY, alpha, b, beta, budget  # noqa: F401 (THEORY: the theory registers first)
from scaling_verify.theory.dynamical import single_model_size_exponent
from scaling_verify.theory.symbols import a
from scaling_verify.theory.asymptotics import derivation

@derivation
def rich_time_exponent_derivation() -> sp.Expr:
    """Feature-learning follow-up (2409.17858), hard tasks: ``t^{-beta} -> t^{-2 beta/(1+beta)}``.

    Our reconstruction of the mechanism (notation b = alpha, a = 1 + alpha beta): in the rich regime
    the effective kernel scale grows with the norm of the learned function, so the effective time
    obeys ``dt_eff/dt ~ ||w_learned|| = (sum_{k<k*} w_k^2)^{1/2}`` with ``k* = t_eff^{1/alpha}`` and
    ``w_k^2 = k^{-a}/lambda_k = k^{alpha - 1 - alpha beta}``. For beta < 1 (outside the RKHS) the sum
    diverges as ``k*^{alpha(1-beta)}``; a power ansatz ``t_eff = t^q`` solves the ODE, and the lazy
    law ``L = t_eff^{-beta}`` gives the rich exponent ``q beta``.
    """
    kk, K = sp.Symbol("k_r", positive=True), sp.Symbol("K_r", positive=True)
    delta = sp.Symbol("delta_r", positive=True)  # beta = 1 - delta, hard task
    w2 = kk ** (alpha - 1 - alpha * (1 - delta))
    norm2 = sp.integrate(w2, (kk, 1, K), conds="none")
    lead = sp.limit(norm2 / K ** (alpha * delta), K, sp.oo)  # finite, nonzero: K^{alpha delta} leads
    if not (lead.is_positive and lead.is_finite):
        raise ValueError("the learned norm does not grow as K^{alpha delta}")
    t_eff = sp.Symbol("t_eff", positive=True)
    speed = sp.sqrt(K ** (alpha * delta)).subs(K, t_eff ** (1 / alpha))  # dt_eff/dt ~ t_eff^{delta/2}
    r = A.power_of(sp.powdenest(speed, force=True), t_eff).exponent * -1
    qq = sp.Symbol("q_r", positive=True)
    # t_eff = t^q: q t^{q-1} = t^{q r}  ->  q - 1 = q r
    q_sol = sp.solve(sp.Eq(qq - 1, qq * r), qq)[0]
    return sp.simplify((q_sol * (1 - delta)).subs(delta, 1 - beta))


@derivation
def rich_budget() -> A.BudgetOptimum:
    """Rich hard-task optimum: ``N^{-alpha beta} + t^{-2beta/(1+beta)}`` at ``N t = C``."""
    chi = rich_time_exponent_derivation()
    p_N = single_model_size_exponent().subs({a: 1 + alpha * beta, b: alpha})  # Min(alpha beta, alpha)
    # hard task: beta < 1, so write beta = 1/(1 + h) with h > 0; then alpha beta < alpha and the Min resolves
    h = sp.Symbol("h_r", positive=True)
    p_N = sp.simplify(p_N.subs(beta, 1 / (1 + h))).subs(h, 1 / beta - 1)
    if isinstance(p_N, sp.Min):
        raise ValueError(f"could not resolve the size bottleneck for hard tasks: {p_N}")
    return budget(c1=S.c1, p1=sp.simplify(p_N), c2=S.c2, p2=chi)


rich_time = register(Claim(
    id="dynamical.rich_time_exponent", theory="dynamical",
    law=Law(x="t"),
    latex_statement=r"Feature learning, hard tasks ($\beta < 1$): the loss decays as $t^{-2\beta/(1+\beta)}$ instead"
                    r" of $t^{-\beta}$.",
    statement="Feature learning, hard tasks (beta < 1): the loss decays as t^{-2 beta/(1+beta)} instead of t^{-beta}.",
    quantity=r"\chi(\beta)", expr=2 * beta / (1 + beta), symbols=(alpha, beta), regime=sp.And(beta < 1, alpha > 1),
    source="Bordelon, Atanasov, Pehlevan 2024/25, arXiv 2409.17858 (figure caption)", status="published",
    derive=lambda: rich_time_exponent_derivation(), params={"alpha": 1.5, "beta": 0.5},
    notes="Notation b = alpha, a = 1 + alpha beta. The derivation (kernel scale ~ norm of the learned function) "
          "is our reconstruction of the mechanism, not the paper's DMFT.",
))

rich_compute = register(Claim(
    id="dynamical.rich_compute_loss_exponent", theory="dynamical",
    latex_statement=r"Feature learning, hard tasks: the compute-optimal loss scales as "
                    r"$C^{-2\alpha\beta/(\alpha(1+\beta)+2)}$.",
    statement="Feature learning, hard tasks: the compute-optimal loss scales as C^{-2 alpha beta/(alpha(1+beta)+2)}.",
    quantity=r"\alpha_C^{\rm rich}", expr=2 * alpha * beta / (alpha * (1 + beta) + 2), symbols=(alpha, beta),
    regime=sp.And(beta < 1, alpha > 1),
    source="arXiv 2409.17858; derived from L = t^{-chi} + N^{-alpha beta}", status="published",
    derive=lambda: rich_budget().loss.exponent, params={"alpha": 1.5, "beta": 0.5},
))
