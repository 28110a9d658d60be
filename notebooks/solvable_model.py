# %% [markdown]
# # A solvable model of neural scaling laws (Maloney, Roberts, Sully 2022)
#
# Linear random features on a power-law latent spectrum $\lambda_k \propto k^{-(1+\alpha)}$ with an i.i.d. teacher
# ($p_k = \lambda_k w_k^{\star2} \propto \lambda_k$), $N$ features, $T$ samples, the ridgeless student. In the model
# library this is `models.PowerLaw(a=1+alpha, b=1+alpha, M)` with `N` and `P = T` both finite. The deterministic
# equivalent (`numerics/precise/models/linear_rf.py`) solves two renormalised ridges $\nu_1, \nu_2$; ridgeless it
# reduces to $\mathrm{df}_1(\nu_2) = n = \min(N, T)$ and, for this teacher, to the closed form
# $\mathcal L = \nu_2\, n\, m/(m - n)$, $m = \max(N, T)$: symmetric in $N \leftrightarrow T$ (the duality), a
# bottleneck law $n^{-\alpha}$, and a pole at $N = T$. This notebook shows the surface, the duality against
# Monte Carlo, and the peak.

# %%
import os

import mpmath as mp
import numpy as np
from matplotlib.figure import Figure

from scaling_verify import models
from scaling_verify.numerics.precise.models import linear_rf
from scaling_verify.theory.claims import REGISTRY, load_all

FIG_DIR = os.environ.get("SV_FIGURES")


def save(fig, name):
    if FIG_DIR:
        os.makedirs(FIG_DIR, exist_ok=True)
        fig.savefig(os.path.join(FIG_DIR, f"solvable_model_{name}.png"), dpi=110, bbox_inches="tight")


load_all()

# %% [markdown]
# ## Claims (declared in `theory/solvable_model.py`; `scaling-verify verify --theory solvable_model` runs the checks)

# %%
for c in REGISTRY.all("solvable_model"):
    print(f"{c.id:36s} {c.status:13s} {c.statement[:70]}")
print("derived duality ratio:", REGISTRY.get("solvable_model.duality").derive())
print("derived peak exponent:", REGISTRY.get("solvable_model.interpolation_peak").derive())

# %% [markdown]
# ## The loss surface L(N, T): bottlenecked by the smaller resource, a ridge at N = T

# %%
alpha, M = 1.0, 1024
m = models.PowerLaw(a=1 + alpha, b=1 + alpha, M=M)
Ts = (32, 128)
Ns = np.unique(np.geomspace(4, 600, 24).astype(int))
fig = Figure(figsize=(10, 4))
ax = fig.subplots(1, 2)
for T in Ts:
    L = [m.loss_curve([np.inf], N=int(N), P=T)[0] if N != T else np.nan for N in Ns]
    ax[0].loglog(Ns, L, label=f"T = {T}")
ax[0].loglog(Ns, 2.0 * Ns ** -alpha, "k:", label=r"$N^{-\alpha}$")
ax[0].set(xlabel="features N", ylabel="test loss (ridgeless)", title="deterministic equivalent, M = 1024")
ax[0].legend()
# ridges smooth the peak
for rho in (1e-4, 1e-3, 1e-2):
    L = [m.loss_curve([np.inf], N=int(N), P=128, ridge=rho)[0] for N in Ns]
    ax[1].loglog(Ns, L, label=rf"ridge $10^{{{int(np.log10(rho))}}}$")
ax[1].set(xlabel="features N", ylabel="test loss", title="T = 128 with a ridge")
ax[1].legend()
save(fig, "surface")

# %% [markdown]
# ## Duality at 30 digits and in the real system

# %%
with mp.workdps(30):
    a30, b30 = m.loss(float("inf"), N=32, P=128), m.loss(float("inf"), N=128, P=32)
    print("30 digits: L(32,128) =", mp.nstr(a30, 25), " L(128,32)/L(32,128) - 1 =", mp.nstr(b30 / a30 - 1, 3))
Y1 = m.simulate(float("inf"), N=32, P=128, draws=64, seed=0)
Y2 = m.simulate(float("inf"), N=128, P=32, draws=64, seed=1)
se1, se2 = Y1.std() / np.sqrt(len(Y1)), Y2.std() / np.sqrt(len(Y2))
print(f"Monte Carlo, 64 draws each: {Y1.mean():.4f} +- {se1:.4f} and {Y2.mean():.4f} +- {se2:.4f} (the equivalent: {float(a30):.4f}; the real system sits above it by c(1/N + 1/T))")

# %% [markdown]
# ## The interpolation peak: L (1 - n/m) tends to a constant

# %%
T = 128
us = np.geomspace(1e-4, 0.5, 10)
fig = Figure(figsize=(5, 4))
ax = fig.subplots()
lam, pw = m.modes()
for side, Nf in (("N < T", lambda u: T * (1 - u)), ("N > T", lambda u: T / (1 - u))):
    L = [float(linear_rf.loss_limit(lam, pw, Nf(u), T)) for u in us]
    ax.loglog(us, L, label=side)
ax.loglog(us, 0.02 / us, "k:", label=r"$u^{-1}$")
ax.set(xlabel=r"$u = 1 - \min(N,T)/\max(N,T)$", ylabel="test loss", title="pole of order 1 at N = T")
ax.legend()
save(fig, "peak")
