"""The solvable model of Maloney, Roberts, Sully 2022 (``solvable_model``): the duality is a property of the teacher
(the checks would fail without it), and the closed form behind the interpolation peak is the equivalent's."""

from __future__ import annotations

import mpmath as mp
import sympy as sp

from scaling_verify.numerics.precise.models import linear_rf, two_time
from scaling_verify.theory import solvable_model as sm


def test_duality_is_derived_not_assumed():
    assert sm.duality_ratio() == 1
    defect = sm.duality_defect()
    assert defect != 0  # a general target breaks it ...
    S1, S2 = sp.Symbol("S_1", positive=True), sp.Symbol("S_2", positive=True)
    n, nu, d2, c = (sp.Symbol(s, positive=True) for s in ("n", "nu", "d_2", "c"))
    assert sp.simplify(defect.subs({S1: c * (n - d2) / nu, S2: c * d2})) == 0  # ... the paper's teacher does not


def test_the_equivalent_breaks_the_duality_for_another_teacher():
    """At a = 2.5, b = 2 (teacher not proportional to the spectrum) the 30-digit ratio is far from 1: the precise
    check's comparison can fail."""
    lam, pw = two_time.power_law_modes(400, 2.5, 2.0)
    r = linear_rf.loss_limit(lam, pw, 50, 200) / linear_rf.loss_limit(lam, pw, 200, 50)
    assert abs(r - 1) > 0.05


def test_closed_form_of_the_peak_matches_the_solver():
    """L = c nu n m/(m - n) with df1(nu) = n (the closed form the peak exponent is read from) against the solver, at
    30 digits, on both sides of N = T."""
    lam, pw = two_time.power_law_modes(600, 2.0, 2.0)  # p_k = lambda_k: c = 1
    for N, T in ((80, 100), (100, 80), (150, 151)):
        n, m = min(N, T), max(N, T)
        nu = two_time.solve_kappa(lam, n)  # sum lambda/(lambda + nu) = n, i.e. df1(nu) = n
        with mp.workdps(30):
            closed = nu * n * m / (m - n)
            assert abs(linear_rf.loss_limit(lam, pw, N, T) / closed - 1) < mp.mpf(10) ** -25


def test_peak_exponent_and_wrong_forms():
    assert sm.peak_exponent() == 1
    assert set(sm.PEAK.wrong_forms.values()) == {sp.Rational(1, 2), sp.Integer(2)}
