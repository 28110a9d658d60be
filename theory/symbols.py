"""Shared SymPy symbols, with the assumptions every derivation relies on.

Exponents that must exceed one are written as ``1 + (positive)`` where a derivation needs the
strict inequality (e.g. ``a = 1 + a1`` with ``a1 > 0``); the symbols themselves are positive.
"""

import sympy as sp

# spectral exponents: lambda_k ~ k^{-b}, lambda_k (w*_k)^2 ~ k^{-a}
a = sp.Symbol("a", positive=True)
b = sp.Symbol("b", positive=True)
# scales
t = sp.Symbol("t", positive=True)
N = sp.Symbol("N", positive=True)
P = sp.Symbol("P", positive=True)
D = sp.Symbol("D", positive=True)
C = sp.Symbol("C", positive=True)
E = sp.Symbol("E", positive=True)
k = sp.Symbol("k", positive=True)
n = sp.Symbol("n", positive=True)
u = sp.Symbol("u", positive=True)
x = sp.Symbol("x", positive=True)
s = sp.Symbol("s", positive=True)
lam = sp.Symbol("lambda", positive=True)
# generic positive coefficients
c = sp.Symbol("c", positive=True)
c1, c2 = sp.symbols("c_1 c_2", positive=True)
p1, p2 = sp.symbols("p_1 p_2", positive=True)
alpha = sp.Symbol("alpha", positive=True)
beta = sp.Symbol("beta", positive=True)
rho = sp.Symbol("rho", positive=True)
