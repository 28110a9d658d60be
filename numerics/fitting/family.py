"""One law across model families: shared exponents, per-family amplitudes and floors.

``--family arch --share alpha,beta`` fits :math:`L_f(N, D) = E_f + A_f N^{-\\alpha} + B_f D^{-\\beta}`:
the parameters named in ``share`` are common to every family, every other parameter gets one copy per
family, named ``E[label]``. The joint fit is one optimisation (the families inform the shared
exponents together), on the same vectorised optimiser.

How it runs: the family of each row travels as one more data column, holding the family's index
:math:`k = 1..K` (the engine takes the log of every column; the model recovers :math:`k` as
:math:`\\mathrm{rint}(e^{\\log k})`, exact for any realistic :math:`K`). The model gathers each
row's parameter vector (shared + its family's own) and evaluates the base law's log model on it, row by
row (``vmap``), so no family's parameters touch another family's rows. The start grid is the base
form's grid with each family's own parameters starting at the same values (so its size does not
grow with :math:`K`).

A family needs at least two runs (rows, or ``--group`` runs): with one, its own amplitudes and floor
are fitted to a single curve and say nothing. The bootstrap resamples within each family
(:mod:`numerics.fitting.bootstrap`, ``strata``), so every refit sees every family.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from scaling_verify.numerics.fitting.forms import Form, Param, with_fixed

#: the name of the family-index column
COLUMN = "family"


@dataclass(frozen=True)
class FamilyForm:
    """``base`` with ``shared`` parameters common to the families ``labels`` and the rest per family."""

    base: Form
    labels: tuple[str, ...]
    shared: tuple[str, ...]

    def __post_init__(self):
        unknown = sorted(set(self.shared) - set(self.base.param_names))
        if unknown:
            raise ValueError(f"--share {unknown[0]}: form {self.base.name} has no parameter {unknown[0]} to share "
                             f"(its parameters: {', '.join(self.base.param_names)})")
        if len(self.labels) < 2:
            raise ValueError(f"--family: only one family ({', '.join(self.labels)}); a joint fit needs two or more")

    @property
    def name(self) -> str:
        return self.base.name

    @property
    def reference(self) -> str:
        return self.base.reference

    @property
    def columns(self) -> tuple[str, ...]:
        return self.base.columns + (COLUMN,)

    def _split(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        names = self.base.param_names
        return (tuple(i for i, n in enumerate(names) if n in self.shared),
                tuple(i for i, n in enumerate(names) if n not in self.shared))

    @property
    def params(self) -> tuple[Param, ...]:
        sh, own = self._split()
        bp = self.base.params
        out = [bp[i] for i in sh]
        for lab in self.labels:
            out += [Param(f"{bp[i].name}[{lab}]", bp[i].log_scale, bp[i].grid) for i in own]
        return tuple(out)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def latex(self) -> str:
        sh, own = self._split()
        names = self.base.param_names
        return (f"{self.base.latex()} \\quad (shared: {', '.join(names[i] for i in sh)}; "
                f"per family of {len(self.labels)}: {', '.join(names[i] for i in own)})")

    def log_model(self):
        sh, own = self._split()
        return _family_log_model(self.base, len(self.labels), sh, own)

    def to_natural(self, theta) -> np.ndarray:
        theta = np.asarray(theta, dtype=float)
        mask = np.array([p.log_scale for p in self.params])
        with np.errstate(over="ignore"):
            return np.where(mask, np.exp(theta), theta)

    def grid(self, logX, logy, values=None, init=None) -> np.ndarray:
        """The base grid (``values``/``init`` by base names), each family's own parameters starting alike."""
        rows = self.base.grid(np.asarray(logX)[:-1], logy, values, init)
        sh, own = self._split()
        return np.hstack([rows[:, list(sh)]] + [rows[:, list(own)]] * len(self.labels))

    def with_fixed(self, values: dict[str, float]) -> FamilyForm:
        """Pin base parameters (for every family)."""
        return FamilyForm(with_fixed(self.base, values), self.labels, tuple(s for s in self.shared if s not in values))

    def codes(self, labels) -> np.ndarray:
        """Family labels -> the family column (index + 1); one line for an unknown label."""
        index = {lab: k for k, lab in enumerate(self.labels)}
        out = np.empty(len(labels))
        for i, lab in enumerate(labels):
            if lab not in index:
                raise ValueError(f"--family: row {i + 1}: family {lab!r} is not one of the fitted families "
                                 f"({', '.join(self.labels)})")
            out[i] = index[lab] + 1
        return out


@functools.lru_cache(maxsize=32)
def _family_log_model(base: Form, K: int, shared: tuple[int, ...], own: tuple[int, ...]):
    import jax
    import jax.numpy as jnp

    inner = base.log_model()
    S, Q, P = len(shared), len(own), len(shared) + len(own)

    def one(th, lx):
        return inner(th, lx[:, None])[0]

    def f(theta, logX):
        k = jnp.clip(jnp.rint(jnp.exp(logX[-1])).astype(jnp.int32) - 1, 0, K - 1)
        per = theta[S:].reshape(K, Q)
        full = jnp.zeros((K, P), theta.dtype)
        full = full.at[:, jnp.array(shared, dtype=jnp.int32)].set(jnp.broadcast_to(theta[:S], (K, S)))
        full = full.at[:, jnp.array(own, dtype=jnp.int32)].set(per)
        return jax.vmap(one, in_axes=(0, 1))(full[k], logX[:-1])

    return f


def check_runs(form: FamilyForm, families: np.ndarray, runs: np.ndarray | None) -> None:
    """Every family needs at least two runs (``families``: the family column; ``runs``: a run label
    per row, None: each row a run)."""
    for k, lab in enumerate(form.labels, start=1):
        rows = families == k
        n = len(set(runs[rows])) if runs is not None else int(rows.sum())
        if n < 2:
            raise ValueError(f"--family: family {lab!r} has {n} run{'s' if n != 1 else ''}; each family needs at "
                             "least two to fit its own amplitudes and floor")
