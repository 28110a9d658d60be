"""Your own generalized spectral model: ``SpectralModel(a, b, g)`` gives its exponents and their LaTeX
(the reconstruction of Zhang 2025, arXiv 2511.07892, in :mod:`theory.spectral`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp

from scaling_verify.theory.spectral import elasticity, frontier, lam, t


def _num(x, name: str) -> float:
    if isinstance(x, (str, bytes)):
        raise ValueError(f"{name} must be a number, not text ({x!r}); text is never evaluated")
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {x!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    return v


@dataclass(frozen=True)
class SpectralModel:
    """One's own generalized spectral model (reconstruction of Zhang 2025, arXiv 2511.07892).

    Args:
      a: target-power exponent, :math:`\\lambda_k (w^\\star_k)^2 = k^{-a}`, ``a > 1``.
      b: spectral decay :math:`\\lambda_k = k^{-b}`, ``b > 1``.
      g: the evolution function: ``"lazy"`` (:math:`g = \\lambda t`, ``rho = 1``), ``"feature"``
        (``rho = 2/(1+beta)`` for ``beta < 1``, else 1), a positive number (the elasticity ``rho``
        itself), or a SymPy expression in ``theory.symbols.lam`` and ``theory.symbols.t`` whose
        frontier elasticity is computed. Strings other than the two names are refused (never evaluated).

    Exponents: :math:`\\alpha_t = \\rho\\beta`, :math:`\\alpha_N = a-1`, :math:`\\alpha_C = \\rho(a-1)/(b+\\rho)`,
    :math:`\\gamma_D = \\rho(1-\\beta)` (``beta < 1``), pruning density exponent :math:`\\rho/b`.
    """

    a: float
    b: float
    g: object = "lazy"

    def __post_init__(self) -> None:
        a_, b_ = _num(self.a, "a"), _num(self.b, "b")
        if not a_ > 1:
            raise ValueError(f"a must be > 1 (the target power sum_k k^-a diverges otherwise), got a={a_}")
        if not b_ > 1:
            raise ValueError(f"b must be > 1 (trace-class spectrum lambda_k = k^-b), got b={b_}")
        object.__setattr__(self, "a", a_)
        object.__setattr__(self, "b", b_)
        object.__setattr__(self, "_rho", self._resolve_rho())

    @property
    def beta(self) -> float:
        """:math:`\\beta = (a-1)/b`."""
        return (self.a - 1) / self.b

    def _resolve_rho(self) -> float:
        g = self.g
        if isinstance(g, str):
            if g == "lazy":
                return 1.0
            if g == "feature":
                return 2 / (1 + self.beta) if self.beta < 1 else 1.0
            raise ValueError(f"g must be 'lazy', 'feature', a number rho > 0 or a SymPy expression; "
                             f"got the text {g!r} (text is never evaluated)")
        if isinstance(g, sp.Basic):
            extra = g.free_symbols - {lam, t}
            if extra:
                raise ValueError(f"g may only use the symbols lambda and t (theory.symbols.lam, .t); found {sorted(map(str, extra))}")
            for lv, tv in ((sp.Rational(1, 100), 1), (sp.Rational(1, 2), 100), (1, 10 ** 4)):
                pt = {lam: lv, t: tv}
                vals = [sp.N(e.subs(pt)) for e in (g, sp.diff(g, t), sp.diff(g, lam))]
                if not all(v.is_real and v > 0 for v in vals):
                    raise ValueError(f"g must be positive and increasing in lambda and t (rho must be > 0); "
                                     f"g = {g} fails at lambda={lv}, t={tv}")
            try:
                r = sp.limit(elasticity(g), t, sp.oo)
                r = sp.simplify(r.subs(lam, frontier(g))) if r.has(lam) else r
            except (NotImplementedError, ValueError, TypeError) as exc:
                raise ValueError(f"could not compute the elasticity of g = {g}: {exc}; pass rho as a number") from None
            if not r.is_number or not r.is_finite:
                raise ValueError(f"the elasticity of g = {g} is not a finite constant ({r}); pass rho as a number")
            val = float(r)
        else:
            val = _num(g, "rho")
        if not val > 0:
            raise ValueError(f"the elasticity rho must be > 0 (g must increase with t), got rho={val}")
        return val

    @property
    def rho(self) -> float:
        return self._rho  # type: ignore[attr-defined]

    def exponents(self) -> dict[str, float]:
        """Numeric exponents from the registered claims' expressions (not retyped)."""
        from scaling_verify.theory.claims import REGISTRY

        vals = {"a": self.a, "b": self.b, "rho": self.rho}
        out = {"rho": self.rho, "beta": self.beta}
        for key, cid in (("alpha_t", "spectral.time_exponent"), ("alpha_N", "spectral.size_exponent"),
                         ("alpha_C", "spectral.compute_exponent"),
                         ("pruning_density", "spectral.pruning_density_exponent")):
            out[key] = REGISTRY.get(cid).value(**vals)
        if self.beta < 1:
            out["gamma_D"] = REGISTRY.get("spectral.quantization_damage_exponent").value(**vals)
        return out

    def ptq_damage_scale(self, bits: float, t_: float, N_: float) -> float:
        """Relative PTQ damage scale :math:`4^{-B} t^{\\gamma_D}/N` (``bits >= 1``, hard tasks)."""
        bits = _num(bits, "bits")
        if bits < 1:
            raise ValueError(f"bits must be >= 1, got {bits}")
        if self.beta >= 1:
            raise ValueError(f"the PTQ damage law needs a hard task beta = (a-1)/b < 1, got beta={self.beta:.4g}")
        if t_ <= 0 or N_ <= 0:
            raise ValueError("t and N must be positive")
        return 4.0 ** (-bits) * t_ ** self.exponents()["gamma_D"] / N_

    def latex(self) -> dict[str, str]:
        """LaTeX equations of the exponents, with the symbolic formula and this model's value."""
        from scaling_verify.theory.claims import REGISTRY

        ex = self.exponents()
        out = {}
        for key, cid in (("alpha_t", "spectral.time_exponent"), ("alpha_N", "spectral.size_exponent"),
                         ("alpha_C", "spectral.compute_exponent"), ("gamma_D", "spectral.quantization_damage_exponent"),
                         ("pruning_density", "spectral.pruning_density_exponent")):
            if key not in ex:
                continue
            cl = REGISTRY.get(cid)
            out[key] = (f"{cl.quantity} = {sp.latex(cl.expr)} = {ex[key]:.4g}"
                        r"\quad\text{(reconstructed, Zhang 2025)}")
        return out
