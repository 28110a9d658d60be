"""Emergent equivariance in deep ensembles (Gerken, Kessel 2024, arXiv 2403.03103, ICML 2024).

Setting (paper, Sec. 3-5; conditions stated by the ICLR meta-review): a group :math:`G` acts on the
inputs by an **orthogonal** representation :math:`\\rho_X` and on the outputs by :math:`\\rho_Y`; the
training set is **fully augmented** (every orbit element :math:`(\\rho_X(g)x_i, \\rho_Y(g)y_i)`); the
network sees its input only through :math:`W^{(1)}x` with an orthogonally invariant law of
:math:`W^{(1)}`; training is gradient flow on the MSE loss in NTK parameterisation. In the NTK limit
the output at time :math:`t` is Gaussian (Lee et al. 2019) with

.. math:: \\mu_t(x) = \\Theta_{xX}\\,\\phi_t(\\Theta_{XX})\\,Y,\\qquad \\phi_t(\\lambda)=\\frac{1-e^{-\\eta t\\lambda}}{\\lambda},

.. math:: \\Sigma_t(x,x') = K_{xx'} + \\Theta_{xX}\\phi_t K_{XX}\\phi_t\\Theta_{Xx'}
          - \\Theta_{xX}\\phi_t K_{Xx'} - K_{xX}\\phi_t\\Theta_{Xx'} ,

and the theorem says :math:`\\mu_t(\\rho_X(g)x)=\\rho_Y(g)\\mu_t(x)`, :math:`\\Sigma_t` likewise, for all
:math:`t` and all :math:`x` (on and off the data manifold): the *ensemble* is equivariant although its
members are not. The proof: the kernels depend on the inputs only through :math:`x\\cdot x'`,
:math:`|x|`, :math:`|x'|` (orthogonal invariance), so the group acts on the augmented set by index
permutations :math:`\\Pi_g` that commute with :math:`\\Theta_{XX}` and hence with any matrix function.

Closed-form ReLU kernels (Jacot et al. 2018; Arora et al. 2019; Cho & Saul), NTK parameterisation,
:math:`L` hidden layers: :math:`K^{(1)} = \\sigma_w^2 x\\cdot x'/d + \\sigma_b^2 = \\Theta^{(1)}`,
:math:`\\theta_l=\\arccos\\big(K^{(l)}_{xx'}/\\sqrt{K^{(l)}_{xx}K^{(l)}_{x'x'}}\\big)`,
:math:`K^{(l+1)}=\\frac{\\sigma_w^2}{2\\pi}\\sqrt{K^{(l)}_{xx}K^{(l)}_{x'x'}}(\\sin\\theta_l+(\\pi-\\theta_l)\\cos\\theta_l)+\\sigma_b^2`,
:math:`\\dot K^{(l+1)}=\\frac{\\sigma_w^2}{2\\pi}(\\pi-\\theta_l)`,
:math:`\\Theta^{(l+1)}=K^{(l+1)}+\\dot K^{(l+1)}\\Theta^{(l)}`.

Claims whose derivation is ours (the paper's PDF body was not available to us) carry status
``reconstructed`` and say so; the theorem-level claims are ``published`` (paper's main theorem,
Lemma on continuous groups). Every ``derive`` works on the recursion or the matrix algebra itself.
"""

from __future__ import annotations

import sympy as sp

from scaling_verify.theory.claims import Claim, Law, PowerSpec, Theory, register, register_theory

SOURCE = "Gerken, Kessel 2024, arXiv 2403.03103 (ICML 2024)"

THEORY = register_theory(Theory(
    id="equivariance", title="Emergent Equivariance in Deep Ensembles",
    authors=('Jan E. Gerken', 'Pan Kessel'), year=2024, arxiv="2403.03103",
    checks={"precise": ("scaling_verify.numerics.precise",), "simulate": ("scaling_verify.numerics.simulate",)},
))

# symbols with assumptions
L = sp.Symbol("L", integer=True, positive=True)          # number of hidden ReLU layers
d = sp.Symbol("d", integer=True, positive=True)          # input dimension
r = sp.Symbol("r", positive=True)                         # |x|
sw2 = sp.Symbol("sigma_w2", positive=True)                # sigma_w^2
sb2 = sp.Symbol("sigma_b2", nonnegative=True)             # sigma_b^2
M = sp.Symbol("M", positive=True)                         # ensemble size
n = sp.Symbol("n", positive=True)                         # hidden width
k = sp.Symbol("k", integer=True, positive=True)           # order of the cyclic group C_k


# ----------------------------------------------------------------------------- kernel recursion


def relu_kernel_recursion(dot_xx: sp.Expr, dot_xy: sp.Expr, dot_yy: sp.Expr, depth: int,
                          sigma_w2: sp.Expr = sw2, sigma_b2: sp.Expr = sb2, dim: sp.Expr = d, sin_factor: int = 1):
    """Symbolic ReLU NNGP/NTK :math:`(K^{(L+1)}(x,y), \\Theta^{(L+1)}(x,y))` from the inner products.

    The recursion receives the inputs only through ``dot_xx, dot_xy, dot_yy`` (the first layer
    :math:`K^{(1)}=\\sigma_w^2 x\\cdot y/d+\\sigma_b^2`); everything after is a function of those.
    ``sin_factor`` exists only to build the classic wrong arc-cosine form (2 sin) for the power items.
    """
    kxx = sigma_w2 * dot_xx / dim + sigma_b2
    kyy = sigma_w2 * dot_yy / dim + sigma_b2
    kxy = sigma_w2 * dot_xy / dim + sigma_b2
    ntk = kxy
    for _ in range(depth):
        norm = sp.sqrt(kxx * kyy)
        th = sp.acos(kxy / norm)
        kxy_new = sigma_w2 / (2 * sp.pi) * norm * (sin_factor * sp.sin(th) + (sp.pi - th) * sp.cos(th)) + sigma_b2
        kdot = sigma_w2 / (2 * sp.pi) * (sp.pi - th)
        ntk = kxy_new + kdot * ntk
        kxx = sigma_w2 / 2 * kxx + sigma_b2
        kyy = sigma_w2 / 2 * kyy + sigma_b2
        kxy = kxy_new
    return kxy, ntk


def _dot(u, v) -> sp.Expr:
    return sp.cancel(sp.expand(sum(a * b for a, b in zip(u, v))))


def cayley_orthogonal(dim: int = 3, reflect: bool = False) -> sp.Matrix:
    """A symbolic orthogonal matrix :math:`R = (I-A)(I+A)^{-1}` with :math:`A` skew (Cayley), times a
    reflection ``diag(-1, 1, ...)`` when ``reflect``: covers O(d) up to a null set."""
    params = sp.symbols(f"a_1:{dim * (dim - 1) // 2 + 1}", real=True)
    A = sp.zeros(dim, dim)
    it = iter(params)
    for i in range(dim):
        for j in range(i + 1, dim):
            p = next(it)
            A[i, j], A[j, i] = p, -p
    eye = sp.eye(dim)
    R = (eye - A) * (eye + A).inv()
    R = R.applyfunc(sp.cancel)
    if reflect:
        R = sp.diag(-1, *([1] * (dim - 1))) * R
    return R


def kernel_invariance_defect(depth: int = 2, metric: sp.Matrix | None = None, reflect: bool = False) -> sp.Expr:
    """:math:`\\Theta(Rx, Rx') - \\Theta(x, x')` for a symbolic :math:`R\\in O(3)` and symbolic
    :math:`x, x'\\in\\mathbb R^3`, through the recursion; simplified.

    ``metric`` replaces the first layer's :math:`x\\cdot x'` by :math:`x^\\top D x'` (a first-layer
    law that is *not* orthogonally invariant): then the defect is non-zero, which is what the power
    tests use.
    """
    X = sp.Matrix(sp.symbols("x_1:4", real=True))
    Y = sp.Matrix(sp.symbols("y_1:4", real=True))
    R = cayley_orthogonal(3, reflect)
    D = sp.eye(3) if metric is None else metric

    def ip(u, v):
        return _dot(u, D * v)

    _, th_rot = relu_kernel_recursion(ip(R * X, R * X), ip(R * X, R * Y), ip(R * Y, R * Y), depth)
    _, th = relu_kernel_recursion(ip(X, X), ip(X, Y), ip(Y, Y), depth)
    diff = th_rot - th
    # with a non-invariant metric the difference is a large non-zero expression: return it unsimplified
    return sp.simplify(diff) if metric is None else diff


def ntk_diagonal_closed_form(sigma_w2: sp.Expr = sw2, sigma_b2: sp.Expr = sb2) -> tuple[sp.Expr, sp.Expr]:
    """:math:`K^{(L+1)}(x,x)` and :math:`\\Theta^{(L+1)}(x,x)` for symbolic depth ``L``.

    On the diagonal :math:`\\theta_l = \\arccos 1 = 0`; the one-step maps are read off the recursion
    (one layer of :func:`relu_kernel_recursion` at equal arguments): :math:`K_{l+1} = qK_l + \\sigma_b^2`
    (solved by ``rsolve``) and :math:`\\Theta_{l+1} = K_{l+1} + \\dot K\\,\\Theta_l`, unrolled as
    :math:`\\Theta_{L+1} = \\sum_{j=1}^{L+1}\\dot K^{L+1-j}K_j` and summed by SymPy.
    """
    l = sp.Symbol("l", integer=True, positive=True)
    j = sp.Symbol("j", integer=True, positive=True)
    Kf = sp.Function("K")
    qs, kq = sp.symbols("q_s k_q", positive=True)
    # one layer at x = x' from K^{(l)}(x,x) = kq (the first-layer map with d, sigma_w2 undone)
    kxx_next, ntk_next = relu_kernel_recursion(kq * d / sigma_w2, kq * d / sigma_w2, kq * d / sigma_w2, 1,
                                               sigma_w2, 0, d)
    q = sp.simplify(kxx_next / kq)                      # K^{(l+1)} = q K^{(l)} + sigma_b2
    kdot = sp.simplify((ntk_next - kxx_next) / kq)      # Theta^{(l+1)} = K^{(l+1)} + kdot Theta^{(l)}
    k1 = sigma_w2 * r ** 2 / d + sigma_b2
    if q == 1:
        ksol = sp.rsolve(Kf(l + 1) - Kf(l) - sigma_b2, Kf(l), {Kf(1): k1})
    else:
        ksol = sp.rsolve(Kf(l + 1) - qs * Kf(l) - sigma_b2, Kf(l), {Kf(1): k1}).subs(qs, q)
    tsol = sp.summation(kdot ** (L + 1 - j) * ksol.subs(l, j), (j, 1, L + 1))
    return sp.simplify(ksol.subs(l, L + 1)), sp.simplify(tsol)


# ----------------------------------------------------------------------------- group algebra


def c4_pixel_permutation(side: int = 3) -> list[int]:
    """Index map of a 90-degree rotation of a ``side x side`` image (row-major): ``new[p] = old[perm[p]]``."""
    perm = []
    for i in range(side):
        for j in range(side):
            # rotate counter-clockwise: new[i, j] = old[j, side-1-i]
            perm.append(j * side + (side - 1 - i))
    return perm


def _rot(vec, perm, times: int = 1):
    out = list(vec)
    for _ in range(times):
        out = [out[p] for p in perm]
    return out


def _sym_kernel(name: str):
    f = sp.Function(name)

    def kern(u, v):
        return f(sp.expand(sum(a * b for a, b in zip(u, v))), sp.expand(sum(a * a for a in u)),
                 sp.expand(sum(b * b for b in v)))
    return kern


def gram_commutator_defect(n_base: int = 2, side: int = 3) -> sp.Expr:
    """:math:`\\sum_g\\|\\Pi_g\\Theta_{XX}-\\Theta_{XX}\\Pi_g\\|_F^2` for :math:`C_4` acting on
    ``side x side`` images by pixel permutation, ``n_base`` symbolic base images, full augmentation,
    and an arbitrary kernel :math:`\\Theta(x,x') = \\vartheta(x\\cdot x', |x|^2, |x'|^2)`."""
    perm = c4_pixel_permutation(side)
    kern = _sym_kernel("vartheta")
    base = [list(sp.symbols(f"p{b}_0:{side * side}", real=True)) for b in range(n_base)]
    aug = [_rot(x0, perm, i) for x0 in base for i in range(4)]  # index b*4 + i
    N = len(aug)
    G = sp.Matrix(N, N, lambda a, b: kern(aug[a], aug[b]))
    total = sp.Integer(0)
    for gpow in range(1, 4):
        P = sp.zeros(N, N)
        for b in range(n_base):
            for i in range(4):
                P[b * 4 + (i + gpow) % 4, b * 4 + i] = 1   # g maps element (b, i) to (b, i + gpow)
        Cm = P * G - G * P
        total += sum(sp.expand(e) ** 2 for e in Cm)
    return sp.simplify(total)


def _circulant_spectral_function(G: sp.Matrix, phi) -> sp.Matrix:
    """:math:`\\phi(G)` for a 4x4 circulant ``G``: verifies that the DFT vectors are eigenvectors,
    then assembles :math:`\\sum_m \\phi(\\lambda_m) v_m v_m^H/4`."""
    w = sp.I
    out = sp.zeros(4, 4)
    for m in range(4):
        v = sp.Matrix([w ** (m * j) for j in range(4)])
        lam = sp.expand((G * v)[0] / v[0])
        if sp.expand(G * v - lam * v) != sp.zeros(4, 1):
            raise ValueError("Gram matrix is not circulant: the augmented set is not a C4 orbit")
        out += phi(lam) * v * v.H / 4
    return out


def mean_equivariance_defect(side: int = 3, labels_equivariant: bool = True) -> sp.Expr:
    """:math:`\\mu_t(\\rho_X(g)x) - \\rho_Y(g)\\mu_t(x)` (both output components) for :math:`C_4`
    on images, one symbolic base image with symbolic 2-D label rotating with :math:`\\rho_Y(g)=R_{90}`,
    a symbolic test point ``x`` (off the data manifold), an arbitrary kernel
    :math:`\\vartheta(x\\cdot x',|x|^2,|x'|^2)` and an arbitrary matrix function
    :math:`\\phi` (every training time ``t``, gradient flow or discrete GD). ``labels_equivariant=False``
    trains on invariant labels while testing :math:`\\rho_Y=R_{90}` (a broken assumption: non-zero)."""
    perm = c4_pixel_permutation(side)
    kern = _sym_kernel("vartheta")
    phi = sp.Function("phi")
    x0 = list(sp.symbols(f"p_0:{side * side}", real=True))
    xt = list(sp.symbols(f"z_0:{side * side}", real=True))
    u = sp.Matrix(sp.symbols("u_1:3", real=True))
    RY = sp.Matrix([[0, -1], [1, 0]])
    aug = [_rot(x0, perm, i) for i in range(4)]
    Y = sp.Matrix.vstack(*[((RY ** i if labels_equivariant else sp.eye(2)) * u).T for i in range(4)])  # 4 x 2
    G = sp.Matrix(4, 4, lambda a, b: kern(aug[a], aug[b]))
    A = _circulant_spectral_function(G, phi)

    def mu(x):
        return (sp.Matrix([[kern(x, xa) for xa in aug]]) * A * Y).T   # 2 x 1

    diff = mu(_rot(xt, perm, 1)) - RY * mu(xt)
    return sp.simplify(sum(sp.expand(e) ** 2 for e in diff))


def covariance_invariance_defect(side: int = 2) -> sp.Expr:
    """:math:`\\Sigma_t(\\rho x,\\rho x') - \\Sigma_t(x,x')` with arbitrary NNGP and NTK kernels
    (``kappa``, ``vartheta``) and an arbitrary matrix function, :math:`C_4` on ``side x side`` images."""
    perm = c4_pixel_permutation(side)
    tk, kk = _sym_kernel("vartheta"), _sym_kernel("kappa")
    phi = sp.Function("phi")
    x0 = list(sp.symbols(f"p_0:{side * side}", real=True))
    xa_ = list(sp.symbols(f"z_0:{side * side}", real=True))
    xb_ = list(sp.symbols(f"w_0:{side * side}", real=True))
    aug = [_rot(x0, perm, i) for i in range(4)]
    T = sp.Matrix(4, 4, lambda a, b: tk(aug[a], aug[b]))
    K = sp.Matrix(4, 4, lambda a, b: kk(aug[a], aug[b]))
    A = _circulant_spectral_function(T, phi)

    def sigma(x, y):
        tx = sp.Matrix([[tk(x, xa) for xa in aug]])
        kx = sp.Matrix([[kk(x, xa) for xa in aug]])
        ty = sp.Matrix([tk(y, xa) for xa in aug])
        ky = sp.Matrix([kk(y, xa) for xa in aug])
        val = kk(x, y) + (tx * A * K * A * ty)[0] - (tx * A * ky)[0] - (kx * A * ty)[0]
        return val

    diff = sigma(_rot(xa_, perm, 1), _rot(xb_, perm, 1)) - sigma(xa_, xb_)
    return sp.simplify(sp.expand(diff))


def ck_discrepancy_derivation() -> sp.Expr:
    """:math:`\\kappa(C_k) = \\max_{\\theta}\\min_{b\\in C_k}\\|R_\\theta - R_b\\|_{op}`.

    :math:`\\|R_\\theta-R_\\phi\\|_{op}=\\|R_{\\theta-\\phi}-I\\|_{op}`, the square root of the largest
    eigenvalue of :math:`(R_\\delta-I)^\\top(R_\\delta-I)`, computed symbolically; it increases with
    :math:`|\\delta|\\in[0,\\pi]`, so the min over :math:`C_k` is attained at the nearest group element
    and the max over :math:`\\theta` at the midpoint :math:`|\\delta|=\\pi/k` between two elements.
    """
    delta = sp.Symbol("delta", positive=True)
    Rm = sp.Matrix([[sp.cos(delta), -sp.sin(delta)], [sp.sin(delta), sp.cos(delta)]]) - sp.eye(2)
    eig = [sp.simplify(e) for e in (Rm.T * Rm).eigenvals()]
    op2 = sp.simplify(sp.Max(*eig)) if len(eig) > 1 else eig[0]
    op = sp.sqrt(sp.trigsimp(op2))
    # monotone in delta on (0, pi): derivative of the squared norm is 2 sin(delta) >= 0
    if sp.simplify(sp.diff(op2, delta) - 2 * sp.sin(delta)) != 0:
        raise ArithmeticError("unexpected operator norm of R_delta - I")
    val = op.subs(delta, sp.pi / k)
    return sp.simplify(sp.trigsimp(sp.sqrt(sp.expand_trig(sp.simplify(val ** 2).rewrite(sp.sin)))))


def mc_std_exponent(var: sp.Symbol) -> sp.Expr:
    """Decay exponent ``p`` of the standard deviation of a mean of ``var`` i.i.d. terms with an
    O(1/var) bias: :math:`\\sqrt{v/\\mathrm{var} + \\beta^2/\\mathrm{var}^2}\\sim \\mathrm{var}^{-p}`;
    ``p = -lim d log(std)/d log(var)``."""
    v, beta = sp.symbols("v beta_bias", positive=True)
    std = sp.sqrt(v / var + beta ** 2 / var ** 2)
    slope = sp.simplify(sp.diff(sp.log(std), var) * var)
    return sp.limit(-slope, var, sp.oo)


def ensemble_mc_derivation() -> sp.Expr:
    """Decay exponent of the orbit deviation of an M-member ensemble mean, from the members' covariance.

    With full augmentation and an O(d)-invariant first-layer law, :math:`W^{(1)}\\to W^{(1)}\\rho` is a symmetry
    of GD, so the expected output is exactly invariant (the theorem) and the orbit deviation of the mean is
    its fluctuation. Members are independent (independent initialisations, deterministic GD), so
    :math:`\\mathrm{Cov}(f_i, f_j) = C\\,\\delta_{ij}` and the variance of the mean is the double sum
    :math:`M^{-2}\\sum_{i,j\\le M} C\\delta_{ij}`, evaluated by SymPy for symbolic M; the exponent is
    :math:`p = -\\lim_M d\\log\\sqrt{\\mathrm{Var}}/d\\log M`.
    """
    i, j = sp.symbols("i j", integer=True, positive=True)
    Mi = sp.Symbol("M", integer=True, positive=True)
    C = sp.Symbol("C_f", positive=True)
    inner = sp.Sum(C * sp.KroneckerDelta(i, j), (j, 1, Mi)).doit()   # C if 1 <= i <= M (a Piecewise)
    # the outer index runs over 1..M, where the inner condition holds
    inner = inner.args[0][0] if isinstance(inner, sp.Piecewise) and inner.args[0][1].subs(Mi, i + Mi) else inner
    var = sp.simplify(sp.Sum(inner, (i, 1, Mi)).doit() / Mi ** 2)
    if var.has(i, j) or var.has(sp.Sum) or var.has(sp.Piecewise):
        raise ArithmeticError(f"double sum not evaluated: {var}")
    slope = sp.simplify(sp.diff(sp.log(sp.sqrt(var)), Mi) * Mi)
    return sp.limit(-slope, Mi, sp.oo)


# ----------------------------------------------------------------------------- claims

kernel_invariance = register(Claim(
    id="equivariance.kernel_orthogonal_invariance", theory="equivariance",
    power=PowerSpec(additive=1e-20),
    latex_statement=r"The ReLU NNGP/NTK of a dense-first-layer network depend on $x$ only through $x \cdot x'$, "
                    r"$|x|$, $|x'|$, so $\Theta(Rx, Rx') - \Theta(x, x') = 0$ for every orthogonal $R$.",
    statement="The ReLU NNGP/NTK of a dense-first-layer network depend on x only through x.x', |x|, |x'|, "
              "so Theta(Rx, Rx') - Theta(x, x') = 0 for every orthogonal R.",
    quantity=r"\Theta^{(L+1)}(Rx,Rx')-\Theta^{(L+1)}(x,x')", expr=sp.Integer(0), symbols=(),
    source=SOURCE + ", Sec. 4 (kernel invariance; closed-form recursion of Jacot et al. 2018)",
    status="published", derive=lambda: kernel_invariance_defect(depth=2) + kernel_invariance_defect(2, reflect=True),
    params={"L": 2, "sigma_w2": 2.0, "sigma_b2": 0.1},
    notes="Derived for a symbolic R in O(3) (Cayley parameterisation, with and without a reflection) "
          "through the depth-2 ReLU recursion with symbolic sigma_w, sigma_b.",
))

gram_commutation = register(Claim(
    id="equivariance.gram_commutation", theory="equivariance",
    power=PowerSpec(additive=1e-20),
    latex_statement=r"For $C_4$ acting by pixel permutations on a fully augmented training set, the index "
                    r"permutation $\Pi_g$ commutes with the kernel Gram matrix: $[\Pi_g, \Theta_{XX}] = 0$.",
    statement="For C4 acting by pixel permutations on a fully augmented training set, the index "
              "permutation Pi_g commutes with the kernel Gram matrix: [Pi_g, Theta_XX] = 0.",
    quantity=r"\sum_g\|[\Pi_g,\Theta_{XX}]\|_F^2", expr=sp.Integer(0), symbols=(),
    source=SOURCE + ", proof of the main theorem ('Eq. 13')", status="published",
    derive=lambda: gram_commutator_defect(n_base=2, side=3),
    notes="Arbitrary kernel vartheta(x.x', |x|^2, |x'|^2), two symbolic 3x3 base images.",
))

mean_equivariance = register(Claim(
    id="equivariance.mean_predictor_equivariance", theory="equivariance",
    power=PowerSpec(additive=1e-6),
    latex_statement=r"The NTK-regime ensemble mean $\mu_t(x) = \Theta(x, X)\, \phi_t(\Theta)\, Y$ is equivariant, "
                    r"$\mu_t(\rho_X(g)\, x) = \rho_Y(g)\, \mu_t(x)$, for every $t$ and every $x$, on or off the data"
                    r" manifold.",
    statement="The NTK-regime ensemble mean mu_t(x) = Theta(x,X) phi_t(Theta) Y is equivariant, "
              "mu_t(rho_X(g) x) = rho_Y(g) mu_t(x), for every t and every x, on or off the data manifold.",
    quantity=r"\|\mu_t(\rho_X(g)x)-\rho_Y(g)\mu_t(x)\|", expr=sp.Integer(0), symbols=(),
    source=SOURCE + ", main theorem (Sec. 5); output law of Lee et al. 2019", status="published",
    derive=lambda: mean_equivariance_defect(side=3),
    params={"L": 2, "sigma_w2": 2.0, "sigma_b2": 0.1},
    notes="Symbolic kernel and symbolic matrix function phi (covers all t, gradient flow and GD); "
          "2-D labels rotating by rho_Y(g) = R_90.",
))

cov_equivariance = register(Claim(
    id="equivariance.covariance_invariance", theory="equivariance",
    power=PowerSpec(additive=1e-20),
    latex_statement=r"The NTK-regime output covariance is invariant: $\Sigma_t(\rho x, \rho x') = \Sigma_t(x, x')$ "
                    r"for every $t$ and all inputs.",
    statement="The NTK-regime output covariance is invariant: Sigma_t(rho x, rho x') = Sigma_t(x, x') "
              "for every t and all inputs.",
    quantity=r"\Sigma_t(\rho_X(g)x,\rho_X(g)x')-\Sigma_t(x,x')", expr=sp.Integer(0), symbols=(),
    source=SOURCE + ", main theorem (Sec. 5)", status="published",
    derive=lambda: covariance_invariance_defect(side=2),
    params={"L": 2, "sigma_w2": 2.0, "sigma_b2": 0.1},
    notes="Symbolic NNGP and NTK kernels and matrix function; C4 on 2x2 images (the algebra is the "
          "same for any image size).",
))

_diag_cache: dict[str, tuple[sp.Expr, sp.Expr]] = {}


def _diag() -> tuple[sp.Expr, sp.Expr]:
    if "d" not in _diag_cache:
        _diag_cache["d"] = ntk_diagonal_closed_form(2, 0)
    return _diag_cache["d"]


ntk_diagonal = register(Claim(
    id="equivariance.ntk_diagonal", theory="equivariance",
    latex_statement=r"Normalised ReLU network ($\sigma_w^2 = 2$, $\sigma_b = 0$): $\Theta^{(L+1)}(x, x) = "
                    r"2(L+1)\,|x|^2/d$.",
    printed_latex=r"\frac{2(L+1)\, r^2}{d}",
    statement="Normalised ReLU network (sigma_w^2 = 2, sigma_b = 0): Theta^{(L+1)}(x, x) = 2 (L+1) |x|^2 / d.",
    quantity=r"\Theta^{(L+1)}(x,x)", expr=2 * (L + 1) * r ** 2 / d, symbols=(L, r, d),
    source="Arora et al. 2019 (normalised NTK), as used by " + SOURCE, status="published",
    derive=lambda: _diag()[1], params={"L": 2, "r": 1.3, "d": 9},
    notes="Convention: weight variance sigma_w^2 = 2 on every layer, the first included (K^(1) = 2 x.x'/d), "
          "so Theta(x,x) = 2(L+1)|x|^2/d. Arora et al. 2019 put variance 1 on the first layer, giving "
          "(L+1)|x|^2/d; at sigma_b = 0 the ReLU recursion is positively homogeneous in K^(1), so the map is "
          "Theta_Arora = Theta_here / 2 (every layer, on and off the diagonal).",
))

_gdiag_cache: dict[str, tuple[sp.Expr, sp.Expr]] = {}


def _gdiag() -> tuple[sp.Expr, sp.Expr]:
    if "d" not in _gdiag_cache:
        _gdiag_cache["d"] = ntk_diagonal_closed_form(sw2, sb2)
    return _gdiag_cache["d"]


_q = sw2 / 2
nngp_diagonal = register(Claim(
    id="equivariance.nngp_diagonal", theory="equivariance",
    latex_statement=r"ReLU NNGP diagonal: $K^{(L+1)}(x,x) = q^L(\sigma_w^2 |x|^2/d + \sigma_b^2) + \sigma_b^2 (1 - "
                    r"q^L)/(1 - q)$, $q = \sigma_w^2/2$.",
    statement="ReLU NNGP diagonal: K^{(L+1)}(x,x) = q^L (sigma_w^2 |x|^2/d + sigma_b^2) + sigma_b^2 (1 - q^L)/(1 - q), "
              "q = sigma_w^2/2.",
    quantity=r"K^{(L+1)}(x,x)",
    expr=_q ** L * (sw2 * r ** 2 / d + sb2) + sb2 * (1 - _q ** L) / (1 - _q), symbols=(L, r, d, sw2, sb2),
    regime=sp.Ne(sw2, 2), source="Recursion of Jacot et al. 2018 / Lee et al. 2019 (closed form derived here)",
    status="reconstructed", derive=lambda: _gdiag()[0],
    params={"L": 2, "r": 1.3, "d": 9, "sigma_w2": 1.7, "sigma_b2": 0.1},
    notes="Closed form reconstructed here by solving the diagonal recursion with rsolve.",
))

ensemble_mc = register(Claim(
    id="equivariance.ensemble_mc_exponent", theory="equivariance",
    law=Law(x="M", y="error"),
    latex_statement=r"Members are not equivariant; the $M$-member ensemble mean is, up to a Monte-Carlo error that "
                    r"decays as $M^{-p}$ with $p = 1/2$.",
    statement="Members are not equivariant; the M-member ensemble mean is, up to a Monte-Carlo error "
              "that decays as M^{-p} with p = 1/2.",
    quantity=r"p_M", expr=sp.Rational(1, 2), symbols=(),
    source=SOURCE + ", Sec. 6 (finite ensembles; probabilistic bound)", status="published",
    derive=ensemble_mc_derivation, params={},
    notes="Derivation (ensemble_mc_derivation): the expected output is exactly invariant (with full augmentation "
          "and an O(d)-invariant first-layer law W1 -> W1 rho is a symmetry of GD), so the orbit deviation of the "
          "mean is its fluctuation; independent members have Cov(f_i, f_j) = C delta_ij and the double sum gives "
          "Var = C/M, exact at any width. The independent evidence is the finite-width simulation.",
))

sxx, syy = sp.symbols("s_xx s_yy", positive=True)     # |x|^2, |x'|^2
sxy = sp.Symbol("s_xy", real=True)                     # x.x'
relu_offdiag = register(Claim(
    id="equivariance.relu_kernel_offdiagonal", theory="equivariance",
    wrong_forms={"2 sin (arc-cosine misprint)": relu_kernel_recursion(sxx, sxy, syy, 2, sin_factor=2)[1]},
    latex_statement=r"Off-diagonal ReLU NTK, $L = 2$: the arc-cosine recursion $K^{(l+1)} = \frac{\sigma_w^2}{2\pi}"
                    r"\sqrt{K_{xx}K_{x'x'}}(\sin\theta_l + (\pi-\theta_l)\cos\theta_l) + \sigma_b^2$, "
                    r"$\dot K^{(l+1)} = \frac{\sigma_w^2}{2\pi}(\pi - \theta_l)$, "
                    r"$\Theta^{(l+1)} = K^{(l+1)} + \dot K^{(l+1)}\Theta^{(l)}$ at $x \ne x'$.",
    statement="Off-diagonal ReLU NTK, L = 2: the arc-cosine recursion K^{(l+1)} = sigma_w^2/(2 pi) sqrt(K_xx K_x'x') "
              "(sin theta + (pi - theta) cos theta) + sigma_b^2, Kdot = sigma_w^2/(2 pi) (pi - theta), "
              "Theta^{(l+1)} = K^{(l+1)} + Kdot Theta^{(l)}, at x != x'.",
    quantity=r"\Theta^{(3)}(x,x')", expr=relu_kernel_recursion(sxx, sxy, syy, 2)[1],
    symbols=(sxx, sxy, syy, sw2, sb2, d),
    source="Cho & Saul 2009; Jacot et al. 2018; Arora et al. 2019 (closed form), as used by " + SOURCE,
    status="published", derive=None,
    params={"s_xx": 1.7, "s_xy": 0.6, "s_yy": 2.3, "sigma_w2": 2.0, "sigma_b2": 0.1, "d": 9},
    notes="No symbolic derivation (the Gaussian integral is not done by SymPy): verified at 30 digits against "
          "the Gaussian expectations E[relu(u) relu(v)] and P(u > 0, v > 0) by quadrature, layer by layer; the "
          "same check compares the kernel code's off-diagonal entries. Convention: sigma_w^2 = 2 on every layer "
          "including the first; Arora et al. 2019 (variance 1 on the first layer) have Theta_Arora = Theta_here/2 "
          "at sigma_b = 0.",
))

ck_discrepancy = register(Claim(
    id="equivariance.ck_discrepancy", theory="equivariance",
    wrong_forms={"2 sin(pi/k)": 2 * sp.sin(sp.pi / k)},
    latex_statement=r"$C_k$ inside $SO(2)$: $\kappa = \max_\theta \min_{b \in C_k} \|R_\theta - R_b\|_{\mathrm{op}} "
                    r"= 2\sin(\pi/(2k))$, which bounds the invariance error of an ensemble trained with $C_k$ "
                    r"augmentation.",
    statement="C_k inside SO(2): kappa = max_theta min_{b in C_k} ||R_theta - R_b||_op = 2 sin(pi/(2k)), "
              "which bounds the invariance error of an ensemble trained with C_k augmentation.",
    quantity=r"\kappa(C_k)", expr=2 * sp.sin(sp.pi / (2 * k)), symbols=(k,), regime=k >= 2,
    source=SOURCE + ", Lemma on continuous groups (Lemma 6 ICLR version / Lemma 6.2)", status="published",
    derive=ck_discrepancy_derivation, params={"k": 4},
    notes="kappa as operator-norm discrepancy is our reading of the lemma (inferred).",
))

ntk_width = register(Claim(
    id="equivariance.ntk_width_exponent", theory="equivariance",
    law=Law(x="n", y="error"),
    latex_statement=r"The empirical NTK at width $n$ approaches the analytic kernel as $n^{-p}$, $p = 1/2$ "
                    r"(sample-mean fluctuation, with an $O(1/n)$ bias subleading).",
    statement="The empirical NTK at width n approaches the analytic kernel as n^{-p}, p = 1/2 "
              "(sample-mean fluctuation, with an O(1/n) bias subleading).",
    quantity=r"p_n", expr=sp.Rational(1, 2), symbols=(),
    source="Jacot et al. 2018; finite-width corrections (Dyer & Gur-Ari 2019); used in " + SOURCE,
    status="reconstructed", derive=None, params={},
    notes="Reconstructed. The 1/2 is the CLT rate by definition (each layer's kernel is a mean over n neurons, "
          "bias O(1/n)); it is not derived here, so the claim is verified only through its simulation "
          "(empirical NTK vs the analytic kernel, widths 16..1024). Kernel convention: sigma_w^2 = 2 on every "
          "layer including the first (Arora et al. 2019 use 1 on the first layer: Theta_Arora = Theta_here / 2 "
          "at sigma_b = 0).",
))
