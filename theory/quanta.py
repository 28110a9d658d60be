"""The quantization model of neural scaling (Michaud, Liu, Girit, Tegmark 2023, arXiv 2303.13506).

Model (Sec. 3): prediction is made of discrete *quanta*; quantum ``k`` is used with probability

.. math:: p_k = \\frac{k^{-(\\alpha+1)}}{\\zeta(\\alpha+1)}, \\qquad \\alpha > 0,

(**convention trap:** the reference code's ``alpha`` is the Zipf exponent, i.e. the paper's
:math:`\\alpha + 1`). Samples are monogenic; on a sample using quantum ``k`` the loss is :math:`b_k`
before the quantum is learned and :math:`a_k` after. With :math:`a_k = a`, :math:`b_k = b` and the first
``n`` quanta learned,

.. math:: L_n = a + (b-a)\\sum_{k>n} p_k \\sim a + \\frac{b-a}{\\alpha\\,\\zeta(\\alpha+1)}\\,n^{-\\alpha}
          \\Bigl(1 - \\frac{\\alpha}{2n} + O(n^{-2})\\Bigr)

(Euler--Maclaurin, :func:`theory.asymptotics.tail_sum`). Exponents: parameters :math:`n = N/C`
gives :math:`\\alpha_N = \\alpha`; multi-epoch data (a quantum is learned once :math:`\\tau` samples use
it, :math:`D p_n = \\tau`) gives :math:`\\alpha_D = \\alpha/(\\alpha+1) = \\alpha_N/(\\alpha_N+1)`; single-epoch
steps with learning time :math:`S_k \\propto p_k^{-\\gamma}` give :math:`\\alpha_S = \\alpha/(\\gamma(\\alpha+1))`
(the paper's case is :math:`\\gamma = 1`).

Appendix: Case 1 (:math:`b_k = -\\log p_k`, :math:`a_k = 0`) has a closed form; Case 2
(:math:`a_k = -\\log(C p_k)`) has the constant :math:`H - \\log C` where :math:`H` is the entropy of
:math:`p`, :math:`H = \\log\\zeta(s) - s\\,\\zeta'(s)/\\zeta(s)`, :math:`s = \\alpha+1`; the paper prints the
integral approximation :math:`(1+\\alpha+\\alpha\\log\\zeta)/(\\alpha^2\\zeta)` instead (erratum,
``quanta.case2_constant`` refuted, ``quanta.case2_constant_exact`` corrected).

Erratum in the numbers of Sec. 4: with :math:`S_k \\propto p_k^{-0.81}` at :math:`\\alpha = 0.4` the model's
*asymptotic* steps exponent is :math:`\\alpha_S = 0.4/(0.81\\cdot 1.4) = 0.3527`. The 0.45 printed alongside
it (from the authors' public notebook) is a slope fitted over roughly 400-9000 steps, not a value derived
from gamma = 0.81: a pre-asymptotic window slope. A 500-subtask quantization model fitted over that window
has been reported at 0.39-0.44; our exact 500-subtask loss gives 0.42-0.58 depending on the time of
the first quantum (:func:`numerics.precise.quanta.window_slope`), always above 0.353.
"""

from __future__ import annotations


import mpmath
import sympy as sp

from scaling_verify.theory import asymptotics as A
from scaling_verify.theory.claims import Claim, Law, Theory, register, register_theory
from scaling_verify.theory.asymptotics import derivation

SOURCE = "Michaud, Liu, Girit, Tegmark 2023, arXiv 2303.13506"

THEORY = register_theory(Theory(
    id="quanta", title="The Quantization Model of Neural Scaling",
    authors=('Eric J. Michaud', 'Ziming Liu', 'Uzay Girit', 'Max Tegmark'), year=2023, arxiv="2303.13506",
    checks={"precise": ("scaling_verify.numerics.precise",), "simulate": ("scaling_verify.numerics.simulate",)},
))

alpha = sp.Symbol("alpha", positive=True)
gamma = sp.Symbol("gamma", positive=True)
alpha_N = sp.Symbol("alpha_N", positive=True)
n = sp.Symbol("n", positive=True)
N = sp.Symbol("N", positive=True)
D = sp.Symbol("D", positive=True)
S = sp.Symbol("S", positive=True)
C = sp.Symbol("C", positive=True)  # Case 2: a_k = -log(C p_k); also parameters per quantum
tau = sp.Symbol("tau", positive=True)
T = sp.Symbol("T", positive=True)
k = sp.Symbol("k", positive=True)

DEFAULTS = {"alpha": 0.4}


class zeta_prime(sp.Function):
    """:math:`\\zeta'(s) = -\\sum_{k\\ge1} k^{-s}\\log k`, evaluated numerically by ``mpmath.zeta(s, 1, 1)``
    (SymPy cannot evalf ``Derivative(zeta(s), s)``: it recurses)."""

    @classmethod
    def eval(cls, s_):
        return None

    def _eval_evalf(self, prec):
        arg = self.args[0].evalf(prec)
        if not arg.is_number:
            return None
        with mpmath.workprec(prec + 10):
            return sp.Float(mpmath.zeta(mpmath.mpf(str(arg)), 1, 1), precision=prec)

    def _latex(self, printer):
        return r"\zeta'\left(%s\right)" % printer._print(self.args[0])


def validate_alpha(a_: float) -> None:
    """The Zipf model needs :math:`\\alpha > 0` (paper convention); the code's ``alpha`` is :math:`\\alpha+1`."""
    try:
        ok = float(a_) > 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"alpha must be > 0 (paper convention p_k ~ k^-(alpha+1); the reference code's "
                         f"alpha is the paper's alpha+1), got {a_!r}")


def usage_prob(kk: sp.Expr = k) -> sp.Expr:
    """:math:`p_k = k^{-(\\alpha+1)}/\\zeta(\\alpha+1)` (normalisation derived: ``Sum(k^-(alpha+1))``)."""
    j = sp.Symbol("j", positive=True, integer=True)
    Z = sp.Sum(j ** (-(alpha + 1)), (j, 1, sp.oo)).doit()
    return kk ** (-(alpha + 1)) / Z


@derivation
def tail_terms() -> tuple[sp.Expr, ...]:
    """Euler--Maclaurin terms of :math:`\\sum_{k>n} p_k` (from :func:`theory.asymptotics.tail_sum`)."""
    terms, _ = A.tail_sum(alpha + 1, n, order=1)
    Z = usage_prob(sp.Integer(1)) ** -1
    return tuple(sp.simplify(t_ / Z) for t_ in terms)


def learned_count(budget: sp.Symbol, gam: sp.Expr) -> sp.Expr:
    """Quanta learned at budget ``budget`` when quantum ``k`` needs ``T p_k^{-gam}`` of it: the positive
    root ``n`` of :math:`T p_n^{-\\gamma} = budget` (data: ``T = tau``, ``gam = 1``)."""
    sol = sp.solve(sp.Eq(T * usage_prob(n) ** (-gam), budget), n)
    sol = [r for r in sol if r.is_positive is not False]
    if len(sol) != 1:
        raise ValueError(f"expected one positive solution for n, got {sol}")
    return sol[0]


def exponent_in(var: sp.Symbol, n_of_var: sp.Expr) -> sp.Expr:
    """Exponent of the leading tail term :math:`\\propto n^{-\\alpha}` once ``n = n_of_var(var)``."""
    lead = tail_terms()[0].subs(n, n_of_var)
    return sp.simplify(A.power_of(sp.powdenest(lead, force=True), var).exponent)


@derivation
def _alpha_N() -> sp.Expr:
    return exponent_in(N, N / C)


@derivation
def _alpha_D() -> sp.Expr:
    return exponent_in(D, learned_count(D, sp.Integer(1)).subs(T, tau))


@derivation
def _alpha_S_general() -> sp.Expr:
    return exponent_in(S, learned_count(S, gamma))


@derivation
def _identity() -> sp.Expr:
    a_of_aN = sp.solve(sp.Eq(alpha_N, _alpha_N()), alpha)
    if len(a_of_aN) != 1:
        raise ValueError(f"could not invert alpha_N(alpha): {a_of_aN}")
    return sp.simplify(_alpha_D().subs(alpha, a_of_aN[0]))


@derivation
def case1_tail() -> sp.Expr:
    """:math:`\\int_n^\\infty p_x(-\\log p_x)\\,dx` (Case 1: :math:`b_k = -\\log p_k`, :math:`a_k = 0`), by an
    antiderivative whose limit at infinity is checked to vanish."""
    x = sp.Symbol("x", positive=True)
    Zs = sp.Symbol("Z", positive=True)
    p = x ** (-(alpha + 1)) / Zs
    f = sp.expand(sp.expand_log(-sp.log(p), force=True) * p)
    F = sp.integrate(f, x)
    if sp.limit(F, x, sp.oo) != 0:
        raise ValueError("antiderivative does not vanish at infinity")
    return sp.simplify((-F.subs(x, n)).subs(Zs, sp.zeta(alpha + 1)))


@derivation
def entropy() -> sp.Expr:
    """:math:`H = \\sum_k p_k(-\\log p_k) = \\log Z + \\frac{s}{Z}\\sum_k k^{-s}\\log k`, with
    :math:`\\sum_k k^{-s}\\log k = -\\partial_s \\sum_k k^{-s}` (term-wise, absolutely convergent for s > 1)."""
    s_ = sp.Symbol("s_h", positive=True)
    j = sp.Symbol("j", positive=True, integer=True)
    Z = sp.Sum(j ** (-s_), (j, 1, sp.oo)).doit()
    sum_log = -sp.diff(Z, s_)
    H = sp.log(Z) + s_ * sum_log / Z
    H = H.replace(lambda e: isinstance(e, sp.Derivative), lambda e: zeta_prime(e.variables[0]))
    return H.subs(s_, alpha + 1)


def case2_constant() -> sp.Expr:
    """:math:`\\lim_n L_n` for Case 2: :math:`\\sum_k p_k a_k = \\sum_k p_k(-\\log C - \\log p_k) = H - \\log C`."""
    return entropy() - sp.log(C)


REG = alpha > 0

tail_leading = register(Claim(
    id="quanta.tail_leading", theory="quanta",
    latex_statement=r"Unlearned usage mass after $n$ quanta: $\sum_{k>n} p_k \sim n^{-\alpha} / (\alpha\, "
                    r"\zeta(\alpha+1))$.",
    statement="Unlearned usage mass after n quanta: sum_{k>n} p_k ~ n^{-alpha} / (alpha zeta(alpha+1)).",
    quantity=r"\sum_{k>n} p_k", expr=n ** (-alpha) / (alpha * sp.zeta(alpha + 1)), symbols=(alpha, n),
    regime=sp.And(REG, n >= 1), source=SOURCE + ", Sec. 3, Eq. for L_n", status="published",
    derive=lambda: tail_terms()[0], params={"alpha": 0.4, "n": 1000},
    notes="L_n = a + (b-a) sum_{k>n} p_k; p_k = k^-(alpha+1)/zeta(alpha+1) in the paper's convention.",
))

tail_series = register(Claim(
    id="quanta.tail_series", theory="quanta",
    latex_statement=r"With its next correction: $\sum_{k>n} p_k = \bigl(n^{-\alpha}/\alpha - "
                    r"n^{-\alpha-1}/2\bigr)/\zeta(\alpha+1) + O(n^{-\alpha-2})$.",
    printed_latex=r"\frac{1}{\zeta(\alpha+1)}\left(\frac{n^{-\alpha}}{\alpha} - \frac{n^{-\alpha-1}}{2}\right)",
    statement="With its next correction: sum_{k>n} p_k = (n^{-alpha}/alpha - n^{-alpha-1}/2)/zeta(alpha+1) + O(n^{-alpha-2}).",
    quantity=r"\sum_{k>n} p_k",
    expr=(n ** (-alpha) / alpha - n ** (-alpha - 1) / 2) / sp.zeta(alpha + 1), symbols=(alpha, n),
    regime=sp.And(REG, n >= 1), source=SOURCE + ", Sec. 3 (correction derived here by Euler-Maclaurin)",
    status="published", derive=lambda: sp.Add(*tail_terms()[:2]), params={"alpha": 0.4, "n": 1000},
))

alpha_N_claim = register(Claim(
    id="quanta.alpha_n", theory="quanta",
    law=Law(x="N"),
    latex_statement=r"Each quantum costs $C$ parameters ($n = N/C$): $\mathcal{L}(N) - a \sim N^{-\alpha_N}$ with "
                    r"$\alpha_N = \alpha$.",
    statement="Each quantum costs C parameters (n = N/C): L(N) - a ~ N^{-alpha_N} with alpha_N = alpha.",
    quantity=r"\alpha_N", expr=alpha, symbols=(alpha,), regime=REG,
    source=SOURCE + ", Sec. 3 (parameter scaling)", status="published", derive=_alpha_N, params=DEFAULTS,
    notes="Undecided in multitask sparse parity (numerics.simulate.quanta.width_scaling, -m slow): 32 subtasks, "
          "widths 8..128, 8000 steps, 3 seeds give 1.16 [1.09, 1.22] against alpha + truncation shift "
          "0.4 + 0.46, and both premises of the derivation fail at this size: the learned count grows as "
          "N^1.28 (local exponents 0.8..2.4; model N^1), and the subtasks not yet learned are partly learned "
          "(their loss is 70 % of their chance loss at width 8, 23 % at width 128; model: all or nothing). "
          "Deciding it needs a Zipf tail spanning decades of learned subtasks (hundreds of subtasks).",
))

alpha_D_claim = register(Claim(
    id="quanta.alpha_d", theory="quanta",
    law=Law(x="D"),
    latex_statement=r"Multi-epoch data: quantum $n$ is learned once $D p_n = \tau$, so $\mathcal{L}(D) - a \sim "
                    r"D^{-\alpha/(\alpha+1)}$.",
    statement="Multi-epoch data: quantum n is learned once D p_n = tau, so L(D) - a ~ D^{-alpha/(alpha+1)}.",
    quantity=r"\alpha_D", expr=alpha / (alpha + 1), symbols=(alpha,), regime=REG,
    source=SOURCE + ", Sec. 3 (data scaling)", status="published", derive=_alpha_D, params=DEFAULTS,
    notes="Undecided in multitask sparse parity (numerics.simulate.quanta.data_scaling, -m slow): 32 subtasks, "
          "D = 2e3..3.2e4, 3 seeds give 0.575 [0.542, 0.603] against 0.286 + truncation shift 0.21; the "
          "learned count grows as D^1.1 where the model's D p_n = tau gives D^0.71, so the premise fails at "
          "this size (as for alpha_N).",
))

alpha_S_claim = register(Claim(
    id="quanta.alpha_s", theory="quanta",
    law=Law(x="S"),
    latex_statement=r"Single-epoch steps, learning time $S_k \sim 1/p_k$: $\mathcal{L}(S) - a \sim "
                    r"S^{-\alpha/(\alpha+1)}$.",
    statement="Single-epoch steps, learning time S_k ~ 1/p_k: L(S) - a ~ S^{-alpha/(alpha+1)}.",
    quantity=r"\alpha_S", expr=alpha / (alpha + 1), symbols=(alpha,), regime=REG,
    source=SOURCE + ", Sec. 3 (steps scaling)", status="published",
    derive=lambda: _alpha_S_general().subs(gamma, 1), params=DEFAULTS,
))

alpha_S_general = register(Claim(
    id="quanta.alpha_s_general", theory="quanta",
    latex_statement=r"If quantum $k$ needs $S_k \sim p_k^{-\gamma}$ steps, $\mathcal{L}(S) - a \sim "
                    r"S^{-\alpha/(\gamma(\alpha+1))}$.",
    statement="If quantum k needs S_k ~ p_k^{-gamma} steps, L(S) - a ~ S^{-alpha/(gamma(alpha+1))}.",
    quantity=r"\alpha_S(\gamma)", expr=alpha / (gamma * (alpha + 1)), symbols=(alpha, gamma),
    regime=sp.And(REG, gamma > 0), source=SOURCE + ", Sec. 3/4 (generalises the 1/p_k argument; derived here)",
    status="published", derive=_alpha_S_general, params={"alpha": 0.4, "gamma": 0.81},
))

identity = register(Claim(
    id="quanta.alpha_d_identity", theory="quanta",
    latex_statement=r"The data exponent follows from the parameter exponent: $\alpha_D = \alpha_N/(\alpha_N + 1)$.",
    statement="The data exponent follows from the parameter exponent: alpha_D = alpha_N/(alpha_N + 1).",
    quantity=r"\alpha_D", expr=alpha_N / (alpha_N + 1), symbols=(alpha_N,), regime=alpha_N > 0,
    source=SOURCE + ", Sec. 3 and Sec. 5 (Pythia: alpha_N = 0.083)", status="published",
    derive=_identity, params={"alpha_N": 0.083},
    notes="Pythia: alpha_N = 0.083 -> Zipf exponent 1.083 and alpha_D = 0.0766.",
))

case1 = register(Claim(
    id="quanta.case1_loss", theory="quanta",
    latex_statement=r"Case 1 ($b_k = -\log p_k$, $a_k = 0$): $\mathcal{L}_n \sim "
                    r"\frac{1+\alpha+\alpha\log\zeta}{\alpha^2\zeta}\, n^{-\alpha} + \frac{\alpha+1}{\alpha\zeta}\, "
                    r"n^{-\alpha}\log n$.",
    printed_latex=r"\frac{1 + \alpha + \alpha\log\zeta(\alpha+1)}{\alpha^2\zeta(\alpha+1)}\, n^{-\alpha} + "
                  r"\frac{\alpha+1}{\alpha\,\zeta(\alpha+1)}\, n^{-\alpha}\log n",
    statement="Case 1 (b_k = -log p_k, a_k = 0): L_n ~ (1+alpha+alpha log zeta)/(alpha^2 zeta) n^{-alpha} "
              "+ (alpha+1)/(alpha zeta) n^{-alpha} log n.",
    quantity=r"L_n^{(1)}",
    expr=((1 + alpha + alpha * sp.log(sp.zeta(alpha + 1))) / (alpha ** 2 * sp.zeta(alpha + 1)) * n ** (-alpha)
          + (alpha + 1) / (alpha * sp.zeta(alpha + 1)) * n ** (-alpha) * sp.log(n)),
    symbols=(alpha, n), regime=sp.And(REG, n >= 1), source=SOURCE + ", Appendix (Case 1)",
    status="published", derive=case1_tail, params={"alpha": 0.4, "n": 1000},
))

_paper_H = (1 + alpha + alpha * sp.log(sp.zeta(alpha + 1))) / (alpha ** 2 * sp.zeta(alpha + 1))

case2_printed = register(Claim(
    id="quanta.case2_constant", theory="quanta",
    latex_statement=r"Case 2 ($a_k = -\log(C p_k)$) as printed: $\mathcal{L}_n \to -\log C + "
                    r"\frac{1+\alpha+\alpha\log\zeta}{\alpha^2\zeta}$.",
    printed_latex=r"-\log C + \frac{1 + \alpha + \alpha\log\zeta(\alpha+1)}{\alpha^2\zeta(\alpha+1)}",
    statement="Case 2 (a_k = -log(C p_k)) as printed: L_n -> -log C + (1+alpha+alpha log zeta)/(alpha^2 zeta).",
    quantity=r"L_\infty^{(2)}", expr=-sp.log(C) + _paper_H, symbols=(alpha, C),
    regime=sp.And(REG, C > 1), source=SOURCE + ", Appendix (Case 2)", status="published",
    derive=case2_constant, params={"alpha": 0.4, "C": 2.0}, holds=False,
    evidence="The constant is sum_k p_k a_k = H - log C with H the entropy log zeta(s) - s zeta'(s)/zeta(s); "
             "the printed term is its integral approximation int_1^oo p(-log p) dk. At alpha = 0.4: "
             "H = 3.91971 vs 3.72977 (4.8 % low). The n^{-alpha} exponent is unaffected.",
))

case2_exact = register(Claim(
    id="quanta.case2_constant_exact", theory="quanta",
    latex_statement=r"Case 2 corrected: $\mathcal{L}_n \to H - \log C$ with $H = \log\zeta(\alpha+1) - "
                    r"(\alpha+1)\,\zeta'(\alpha+1)/\zeta(\alpha+1)$.",
    statement="Case 2 corrected: L_n -> H - log C with H = log zeta(alpha+1) - (alpha+1) zeta'(alpha+1)/zeta(alpha+1).",
    quantity=r"L_\infty^{(2)}",
    expr=sp.log(sp.zeta(alpha + 1)) - (alpha + 1) * zeta_prime(alpha + 1) / sp.zeta(alpha + 1) - sp.log(C),
    symbols=(alpha, C), regime=sp.And(REG, C > 1), source=SOURCE + ", Appendix (Case 2), corrected here",
    status="corrected", corrects="quanta.case2_constant", derive=case2_constant, params={"alpha": 0.4, "C": 2.0},
    evidence="Exact: sum_k p_k(-log C - log p_k) = H - log C; mpmath at 30 digits agrees with the entropy sum.",
))

_S_PAPER = {alpha: sp.Rational(2, 5), gamma: sp.Rational(81, 100)}

alpha_S_reported = register(Claim(
    id="quanta.alpha_s_reported", theory="quanta",
    latex_statement=r"Sec.~4 as reported: learning times $S_k \sim p_k^{-0.81}$ at $\alpha = 0.4$ go with $\alpha_S "
                    r"= 0.45$.",
    statement="Sec. 4 as reported: learning times S_k ~ p_k^{-0.81} at alpha = 0.4 go with alpha_S = 0.45.",
    quantity=r"\alpha_S(\alpha=0.4,\gamma=0.81)", expr=sp.Rational(45, 100), symbols=(),
    source=SOURCE + ", Sec. 4 (Fig. 2 and text)", status="published",
    derive=lambda: _alpha_S_general().subs(_S_PAPER), holds=False,
    evidence="The asymptotic exponent implied by gamma = 0.81 is alpha/(gamma(alpha+1)) = 0.4/(0.81*1.4) = 200/567 = "
             "0.3527. The printed 0.45 is not derived from gamma = 0.81: in the authors' public notebook it is a slope "
             "fitted over roughly 400-9000 steps, i.e. a pre-asymptotic window slope (a 500-subtask quantization "
             "model fitted over that window gives 0.39-0.44; our exact 500-subtask loss, no training, gives "
             "0.42-0.58 over that window depending on the first quantum's learning time). As an asymptotic "
             "exponent, 0.45 is refuted.",
))

alpha_S_implied = register(Claim(
    id="quanta.alpha_s_implied", theory="quanta",
    latex_statement=r"Corrected: $S_k \sim p_k^{-0.81}$ at $\alpha = 0.4$ implies $\alpha_S = 200/567 = 0.3527$.",
    statement="Corrected: S_k ~ p_k^{-0.81} at alpha = 0.4 implies alpha_S = 200/567 = 0.3527.",
    quantity=r"\alpha_S(\alpha=0.4,\gamma=0.81)", expr=sp.Rational(200, 567), symbols=(),
    source=SOURCE + ", Sec. 4; arithmetic of the Sec. 3 argument", status="corrected",
    corrects="quanta.alpha_s_reported", derive=lambda: _alpha_S_general().subs(_S_PAPER),
    evidence="alpha_S = alpha/(gamma(alpha+1)) (quanta.alpha_s_general) = 0.4/(0.81*1.4) = 0.35273 is the asymptotic "
             "exponent; the printed 0.45 is a window slope over ~400-9000 steps (see quanta.alpha_s_reported).",
))


def _order_derivation() -> sp.Expr:
    """Spearman correlation of (frequency rank k, learning time S_k = T p_k^{-gamma}): S_k is strictly
    increasing in k (its k-derivative is positive for gamma, alpha > 0), so the ranks coincide: rho = 1."""
    Zs = sp.Symbol("Z", positive=True)  # the normalisation zeta(alpha+1) > 0
    Sk = T * (usage_prob(k) * usage_prob(sp.Integer(1)) ** -1 / Zs) ** (-gamma)
    slope = sp.simplify(sp.powsimp(sp.diff(Sk, k), force=True))
    if slope.is_positive:
        return sp.Integer(1)
    if slope.is_negative:
        return sp.Integer(-1)
    raise ValueError(f"cannot decide the sign of dS_k/dk = {slope}")


learning_order = register(Claim(
    id="quanta.learning_order", theory="quanta",
    latex_statement=r"Quanta are learned in order of use frequency (the Q sequence): with $S_k = T p_k^{-\gamma}$ the "
                    r"rank correlation of (frequency rank $k$, learning time $S_k$) is $\rho_s = 1$; measured over "
                    r"training seeds it falls short of 1 only by the learning-time noise.",
    statement="Quanta are learned in order of use frequency (the Q sequence): with S_k = T p_k^-gamma the rank correlation "
              "of (frequency rank k, learning time S_k) is 1; measured over training seeds it falls short of 1 only by "
              "the learning-time noise.",
    quantity=r"\rho_s(k, S_k)", expr=sp.Integer(1), symbols=(alpha, gamma), regime=sp.And(REG, gamma > 0),
    source=SOURCE + ", QH2 and Sec. 4 (multitask sparse parity)", status="published",
    derive=_order_derivation, params={"alpha": 0.4, "gamma": 1.0},
    wrong_forms={"no order (frequency-blind)": sp.Integer(0), "reverse order": sp.Integer(-1)},
    notes="The numeric content: S_k strictly increasing in k (derived) makes the noise-free rank correlation 1, so "
          "the Spearman correlation measured in a seed is 1 minus the shortfall that independent learning-time noise "
          "alone produces (computed from the measured per-subtask scatter of log S_k across seeds, "
          "numerics.simulate.quanta.noise_bias). A claim c predicts c minus that shortfall; the check rejects 0.95 "
          "and 1.05 (a process out of frequency order by a rank correlation 0.05), 0.9, 1.1, 0 (frequency-blind "
          "order) and -1.",
))


def _emergence_ratio() -> sp.Expr:
    """Per-quantum transition width over the mean loss's width, in log-steps, from the model.

    Numerator: in the model a quantum's loss is :math:`b` before :math:`S_k` and :math:`a` after, a step, so it
    falls by any factor in zero log-steps -- this is the model's *definition* of a quantum, not derived.
    Denominator (derived): the mean loss's excess is :math:`(b-a)\\sum_{k:S_k>S}p_k \\propto S^{-\\alpha_S}`
    (:func:`_alpha_S_general`); the log-steps over which it falls by a factor 9 (the 0.9 -> 0.1 of a transition)
    is solved for and must be finite and positive (a smooth mean). The ratio is then 0."""
    u = sp.Symbol("u", real=True)          # log(S / S_ref)
    excess = sp.exp(-_alpha_S_general() * u)
    u9 = sp.solve(sp.Eq(excess, sp.Rational(9, 10)), u)[0]
    u1 = sp.solve(sp.Eq(excess, sp.Rational(1, 10)), u)[0]
    mean_width = sp.simplify(u1 - u9)       # log(9) gamma (alpha+1)/alpha
    if not mean_width.is_positive:
        raise ArithmeticError(f"mean-loss width {mean_width} is not positive")
    step_width = sp.Integer(0)              # the model's quantum: a step (definition)
    return step_width / mean_width


emergence = register(Claim(
    id="quanta.emergence", theory="quanta",
    latex_statement=r"Each quantum is learned as a step (width 0 in log-steps) while the mean loss, their "
                    r"$p_k$-weighted sum, falls smoothly: per-quantum width / mean-loss width $= 0$.",
    statement="Each quantum is learned as a step (width 0 in log-steps) while the mean loss, their p_k-weighted "
              "sum, falls smoothly: per-quantum width / mean-loss width = 0.",
    quantity=r"\Delta_k/\Delta_{\bar L}", expr=sp.Integer(0), symbols=(), source=SOURCE + ", Sec. 5 (emergence)",
    status="published", derive=_emergence_ratio,
    notes="The derivation's content is the denominator: the model's mean loss falls by a factor 9 over "
          "log(9) gamma (alpha+1)/alpha log-steps, finite and positive (a smooth mean). The numerator 0 is the "
          "model's definition of a quantum (a step), not derived, so 'derived' here means: the model is "
          "self-consistent, not that real subtasks are steps. The sparse-parity measurement "
          "(numerics.simulate.quanta.emergence_stats: accuracy 0.6 -> 0.9 width of each subtask / that of the "
          "mean, in decades of steps; 4 seeds, lr 1e-2, batch 256, Student-t intervals) decides against the step "
          "in this network: 0.48 [0.38, 0.57] at 8 subtasks, 0.65 [0.49, 0.81] at 16, 0.75 [0.67, 0.83] at 32 "
          "(0.71 at 8 subtasks with the paper's lr 1e-3, batch 2048). The transitions are sharper than the "
          "mean's (ratio < 1) but not steps (at 32 subtasks the whole interval lies beyond the stated decision "
          "line 1/2), and the ratio grows with the number of subtasks, away from 0. It is not "
          "attached as a check of this claim because the claim is the model's, where it holds by definition.",
))
