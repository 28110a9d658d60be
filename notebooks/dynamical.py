# %% [markdown]
# # The dynamical model of neural scaling laws, verified
#
# Bordelon, Atanasov, Pehlevan 2024 (arXiv 2402.01092), with the feature-learning follow-up
# (arXiv 2409.17858) and the 4+3 phases (arXiv 2405.15074). Random features: $\lambda_k = k^{-b}$,
# target power $\lambda_k w_k^{\star2} = k^{-a}$, projection $A \in \mathbb R^{N\times M}$, gradient
# descent on the ½-MSE. This notebook runs at quick size (< 30 s) and builds the figures:
# loss curves (simulation on DMFT), the exponent table, the compute-optimal frontier, ensembles vs
# width, and the N-bottleneck erratum. PNGs are written only if `SV_FIGURES` is set.

# %%
import os

import matplotlib

matplotlib.use("Agg")
import jax
import matplotlib.pyplot as plt
import numpy as np
import sympy as sp

from numerics.precise import dmft
from numerics.simulate import random_features as rf
from theory.claims import REGISTRY

OUT = os.environ.get("SV_FIGURES")


def save(fig, name):
    if OUT:
        os.makedirs(OUT, exist_ok=True)
        fig.savefig(os.path.join(OUT, f"dynamical_{name}.png"), dpi=120, bbox_inches="tight")
    plt.close(fig)


# %% [markdown]
# ## Claims and exponent table (LaTeX of every claim)

# %%
rows = []
for c in REGISTRY.all("dynamical"):
    rows.append((c.id.split(".", 1)[1], c.status + ("" if c.holds else ", refuted"), f"{c.quantity} = {sp.latex(c.expr)}"))
for r in rows:
    print(f"{r[0]:36s} {r[1]:22s} {r[2]}")

# %% [markdown]
# ## Loss curves: simulation points on the 30-digit DMFT curves (P = oo)

# %%
a, b, M = 2.0, 1.5, 64
ts = np.geomspace(0.3, 300, 5)
lam, w = rf.spectrum(M, a, b)
fig, ax = plt.subplots(figsize=(5, 3.6))
for i, N in enumerate((8, 32)):
    curve = np.array([float(x) for x in dmft.online_loss_curve(ts, M, a, b, N)])
    Y = np.asarray(rf.flow_exact(rf.draw_projections(jax.random.key(i), 128, N, M), lam, w, ts))
    ax.plot(ts, curve, "-", color=f"C{i}", label=f"DMFT N={N}")
    ax.errorbar(ts, Y.mean(0), yerr=2 * Y.std(0) / np.sqrt(len(Y)), fmt="o", color=f"C{i}", ms=3)
k = np.arange(1, M + 1.0)
ax.plot(ts, [np.sum(k ** -a * np.exp(-2 * k ** -b * t)) for t in ts], "k--", label="N = oo")
ax.set(xscale="log", yscale="log", xlabel="t", ylabel="test loss", title=f"a={a}, b={b}, M={M}")
ax.legend(fontsize=8)
save(fig, "loss_curves")

# %% [markdown]
# ## The N-bottleneck erratum: slope b, not 2b, when a-1 > b (a = 5, b = 1.5)

# %%
a, b, M = 5.0, 1.5, 2048
Ns = [8, 16, 32, 64, 128]
lam, w = rf.spectrum(M, a, b)
Y = np.asarray(rf.nested_residuals(rf.draw_projections(jax.random.key(7), 8, max(Ns), M), lam, w, Ns))
single = [rf.residual_de(n, a, b, M, 1) for n in Ns]
bias = [rf.residual_de(n, a, b, M, 2) for n in Ns]
fig, ax = plt.subplots(figsize=(5, 3.6))
ax.plot(Ns, Y.mean(0), "o", label="simulation (single model)")
ax.plot(Ns, single, "-", label="projection residual, slope -> b")
ax.plot(Ns, bias, "-", label="ensemble bias, slope -> 2b")
ax.plot(Ns, single[0] * (np.array(Ns) / Ns[0]) ** -3.0, ":", label="printed N^-min(a-1,2b)")
ax.set(xscale="log", yscale="log", xlabel="N", ylabel="converged loss")
ax.legend(fontsize=8)
save(fig, "n_bottleneck")
print("fitted single-model slope:", -np.polyfit(np.log(Ns), np.log(Y.mean(0)), 1)[0])

# %% [markdown]
# ## Compute-optimal frontier (C = N t, gradient flow, P = oo, a = 2, b = 1.5)

# %%
a, b, M = 2.0, 1.5, 1024
lam, w = rf.spectrum(M, a, b)
Ngrid = [8, 16, 32, 64, 128, 256]
Cs = np.geomspace(1e2, 1e4, 5)
curves = {}
for N in Ngrid:
    Y = np.asarray(rf.flow_exact(rf.draw_projections(jax.random.key(N), 2, N, M), lam, w, Cs / N))
    curves[N] = Y.mean(0)
Lmat = np.array([curves[N] for N in Ngrid])
best = Lmat.min(0)
Nbest = np.array(Ngrid)[Lmat.argmin(0)]
pred = REGISTRY.get("dynamical.compute_loss_exponent").value(a=a, b=b)
fig, ax = plt.subplots(figsize=(5, 3.6))
for N in Ngrid:
    ax.plot(Cs, curves[N], "-", lw=0.8, label=f"N={N}")
ax.plot(Cs, best, "ko", label="frontier")
ax.plot(Cs, best[0] * (Cs / Cs[0]) ** -pred, "k--", label=f"C^-{pred:.2f} (claim)")
ax.set(xscale="log", yscale="log", xlabel="C = N t", ylabel="test loss")
ax.legend(fontsize=7)
save(fig, "compute_frontier")
print("frontier slope:", -np.polyfit(np.log(Cs), np.log(best), 1)[0], "claim", pred, "N*:", Nbest)

# %% [markdown]
# ## Ensembles vs width at equal compute (E = 4 of width N vs one of width 4N, same t)

# %%
a, b, M, E = 1.5, 2.0, 1024, 4
lam, w = rf.spectrum(M, a, b)
ts = np.geomspace(1, 1e4, 8)
fig, ax = plt.subplots(figsize=(5, 3.6))
for i, N in enumerate((8, 32)):
    A = rf.draw_projections(jax.random.key(100 + N), 16 * E, N, M)
    LE = np.asarray(rf.ensemble_residual(A, lam, w, E)).mean()
    L1 = np.asarray(rf.projection_residual(rf.draw_projections(jax.random.key(200 + N), 16, E * N, M), lam, w)).mean()
    ax.bar([2 * i, 2 * i + 0.8], [LE, L1], width=0.7, color=["C1", "C0"])
    ax.text(2 * i, LE, f"E=4, N={N}", fontsize=7, ha="center", va="bottom")
    ax.text(2 * i + 0.8, L1, f"E=1, N={E * N}", fontsize=7, ha="center", va="bottom")
ax.set(yscale="log", ylabel="converged loss", xticks=[], title="E = 1 wins at equal compute")
save(fig, "ensembles")
print("claimed large-N ratio:", REGISTRY.get("dynamical.ensemble_vs_width").value(a=a, b=b, E=E))
