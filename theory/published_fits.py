r"""Claims about the world: a published scaling-law fit as a claim (pure SymPy; the checks refit it on public
data, :mod:`numerics.empirical`).

A published fit claims :math:`L = f(\text{columns};\ \theta_0)` with the printed parameters :math:`\theta_0`:
the law here is written in the same symbols as the fitting lab's form of the same name
(:mod:`numerics.fitting.forms`; a test holds the two equal), and :math:`\theta_0` are the claim's ``params``.
The claim states the outcome the evidence supports (:data:`OUTCOMES`): a ``reproduced`` fit is a holding
claim; a ``refuted`` or ``not reproducible`` one is a printed claim the checks reject, with the evidence in
words. Its power items scale the printed exponents the publication fitted (``PowerSpec(rates=...)``).

Laws:

* :func:`chinchilla_law` -- :math:`E + A N^{-\alpha} + B D^{-\beta}` (Hoffmann et al., arXiv:2203.15556),
  or with :math:`\beta = \alpha` tied (Muennighoff et al., arXiv:2305.16264);
* :func:`data_constrained_law` -- Muennighoff et al.'s eqs. 5-6: :math:`E + A N'^{-\alpha} + B D'^{-\beta}`,
  :math:`D' = U_D + U_D R_D^*(1 - e^{-R_D/R_D^*})`, :math:`R_D = D/U_D - 1`, :math:`U_D = \min(U, D)`, and
  :math:`N'` likewise with :math:`U_N = \min(N, N_{opt}(U_D))`, :math:`N_{opt}(D) = G (D G)^{\beta/\alpha}`,
  :math:`G = (\alpha A / (\beta B))^{1/(\alpha+\beta)}`.
"""

from __future__ import annotations

import sympy as sp

from scaling_verify.theory.claims import Claim, PowerSpec

OUTCOMES: tuple[str, ...] = ("reproduced", "refuted", "not reproducible")


def _pos(name: str) -> sp.Symbol:
    return sp.Symbol(name, positive=True)


def chinchilla_law(tied: bool = False) -> tuple[sp.Expr, tuple[sp.Symbol, ...], tuple[sp.Symbol, ...]]:
    """(law, column symbols N, D, parameter symbols E, A, B, alpha[, beta])."""
    N, D, E, A, B, al = (_pos(n) for n in ("N", "D", "E", "A", "B", "alpha"))
    be = al if tied else _pos("beta")
    params = (E, A, B, al) if tied else (E, A, B, al, be)
    return E + A * N ** -al + B * D ** -be, (N, D), params


def data_constrained_law() -> tuple[sp.Expr, tuple[sp.Symbol, ...], tuple[sp.Symbol, ...]]:
    """(law, column symbols N, D, U, parameter symbols E, A, B, alpha, beta, R_D_star, R_N_star)."""
    N, D, U, E, A, B, al, be, Rd, Rn = (_pos(n) for n in ("N", "D", "U", "E", "A", "B", "alpha", "beta",
                                                            "R_D_star", "R_N_star"))
    G = (al * A / (be * B)) ** (1 / (al + be))
    UD = sp.Min(U, D)
    UN = sp.Min(N, G * (UD * G) ** (be / al))
    Dp = UD + UD * Rd * (1 - sp.exp(-(D / UD - 1) / Rd))
    Np = UN + UN * Rn * (1 - sp.exp(-(N / UN - 1) / Rn))
    return E + A * Np ** -al + B * Dp ** -be, (N, D, U), (E, A, B, al, be, Rd, Rn)


def published_claim(claim_id: str, law, printed: dict[str, float], *, held: tuple[str, ...] = (), statement: str,
                    source: str, outcome: str, evidence: str = "", notes: str = "",
                    latex_statement: str = "") -> Claim:
    """The claim that the fit printed as ``printed`` (name -> value) holds on its data; ``law`` is one of the
    law functions' results; ``held`` names the parameters the publication did not fit (they get no power
    items). ``outcome``: what the evidence supports (:data:`OUTCOMES`)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"{claim_id}: outcome is one of {OUTCOMES}, not {outcome!r}")
    expr, cols, params = law
    names = {p.name for p in params}
    if set(printed) != names:
        raise ValueError(f"{claim_id}: printed values {sorted(printed)} do not match the law's {sorted(names)}")
    free = tuple(p for p in ("alpha", "beta") if p in names and p not in held)
    return Claim(id=claim_id, theory=claim_id.split(".")[0], quantity="L", expr=expr, symbols=cols + params,
                 statement=statement, source=source, params=dict(printed), holds=outcome == "reproduced",
                 evidence=evidence, notes=notes, power=PowerSpec(rates=free), outcome=outcome,
                 latex_statement=latex_statement)
