# %% [markdown]
# # Generalized spectral model of scaling and compression (RECONSTRUCTION of Zhang 2025)
#
# Only the abstract of arXiv 2511.07892 is public: the evolution function $g(\lambda, t)$, the
# elasticity $\rho$, the loss, the compression model and the invariants below are **our
# reconstruction** (claim status `reconstructed`), not the paper's content.
#
# Model: $\lambda_k = k^{-b}$, $\lambda_k (w^\star_k)^2 = k^{-a}$, $\mathcal L(t) = \sum_k k^{-a} e^{-2 g(\lambda_k, t)}$,
# frontier $g(\lambda^\star, t) = 1$, $\rho = -d\ln\lambda^\star/d\ln t$, $\beta = (a-1)/b$.
# Exponents: $\alpha_t = \rho\beta$, $\alpha_N = a-1$, $\alpha_C = \rho(a-1)/(b+\rho)$, $\gamma_D = \rho(1-\beta)$,
# invariant $\alpha_t + \gamma_D = \rho$.

# %%
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from numerics.simulate import spectral as sim
from theory.spectral import SpectralModel

FIG_DIR = os.environ.get("SV_FIGURES")


def show(fig, name):
    if FIG_DIR:
        os.makedirs(FIG_DIR, exist_ok=True)
        fig.savefig(os.path.join(FIG_DIR, f"spectral_{name}.png"), dpi=120, bbox_inches="tight")
    plt.close(fig)


a, b = 2.2, 3.0
for g in ("lazy", "feature", 2.0):
    m = SpectralModel(a, b, g=g)
    print(g, {k: round(v, 4) for k, v in m.exponents().items()})
print(SpectralModel(a, b, g="feature").latex()["alpha_t"])

# %% [markdown]
# ## Learning curves for several $\rho$ (population GD under $g = \eta\lambda^{1/\rho}t$)

# %%
rhos = [1.0, 10 / 7, 2.0]
runs = {r: sim.train_gd(a, b, r, M=4096, eta=0.5, steps=20000, n_rec=24) for r in rhos}
fig, ax = plt.subplots(figsize=(5, 4))
for r, run in runs.items():
    L = ((run["w"] - run["wstar"]) ** 2 * run["lam"]).sum(-1)
    t = run["t"]
    ax.loglog(t, L, "o", ms=3, label=fr"$\rho={r:.3g}$")
    alpha_t = SpectralModel(a, b, g=r).exponents()["alpha_t"]
    ax.loglog(t, L[-1] * (t / t[-1]) ** (-alpha_t), "-", lw=1)
ax.set(xlabel="t", ylabel="loss", title=r"lines: $t^{-\rho(a-1)/b}$")
ax.legend()
show(fig, "learning_curves")

# %% [markdown]
# ## Pruning phases: plateau, power law $K^{-(a-1)}$, collapse; and the scaling collapse in $K/k^\star$

# %%
run = runs[10 / 7]
Ks = np.unique(np.round(np.geomspace(1, 4096, 60)).astype(int))
Lp = sim.pruned_losses(run, Ks)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 4))
for i in range(4, len(run["t"]), 5):
    tt = run["t"][i]
    kstar = (0.5 * tt) ** (1 / (b * run["p"]))
    ax1.loglog(Ks, Lp[i], label=f"t={tt:.0f}")
    ax2.loglog(Ks / kstar, Lp[i] * kstar ** (a - 1), label=f"t={tt:.0f}")
ax1.loglog(Ks, 0.8 * Ks ** (1.0 - a), "k--", lw=1, label=r"$K^{-(a-1)}$")
ax1.set(xlabel="kept modes K", ylabel="pruned loss", title="three phases")
ax2.set(xlabel=r"$K/k^\star(t)$", ylabel=r"$L\,k^{\star\,a-1}$", title=r"collapse $\Psi(K/k^\star)$")
ax1.legend(fontsize=7)
show(fig, "pruning")

# %% [markdown]
# ## Quantization damage vs training time; more training hurts the quantized model beyond $t_{crit}$

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 4))
L = ((run["w"] - run["wstar"]) ** 2 * run["lam"]).sum(-1)
for bits in (2, 3, 5):
    dmg = sim.quantization_damage(run, bits=bits, draws=16).mean(0)
    ax1.loglog(run["t"], dmg, "o-", ms=3, label=f"{bits} bits")
    ax2.loglog(run["t"], L + dmg, "o-", ms=3, label=f"{bits} bits")
ax1.set(xlabel="t", ylabel="PTQ damage", title=r"slope $\gamma_D=\rho(1-\beta)$")
ax2.loglog(run["t"], L, "k-", lw=1, label="unquantized")
ax2.set(xlabel="t", ylabel="loss after PTQ", title="critical training time")
ax1.legend()
ax2.legend()
show(fig, "quantization")

# %% [markdown]
# ## The invariant $\alpha_t + \gamma_D = \rho$: inverse identification of $\rho$ from a loss curve and a PTQ sweep

# %%
meas = []
for r, rr in runs.items():
    keep = (rr["t"] >= 100) & (rr["t"] <= 20000)
    t = rr["t"][keep]
    L = ((rr["w"] - rr["wstar"]) ** 2 * rr["lam"]).sum(-1)[keep]
    D = sim.quantization_damage(rr, bits=8, draws=16).mean(0)[keep]
    at = -np.polyfit(np.log(t), np.log(L), 1)[0]
    gd = np.polyfit(np.log(t), np.log(D), 1)[0]
    meas.append((r, at, gd))
    print(f"rho={r:.4f}: alpha_t={at:.4f}, gamma_D={gd:.4f}, sum={at + gd:.4f}")
fig, ax = plt.subplots(figsize=(5, 4))
rs = np.linspace(0.9, 2.1, 10)
ax.plot(rs, rs, "k-", label=r"$\alpha_t+\gamma_D=\rho$")
ax.plot([m_[0] for m_ in meas], [m_[1] + m_[2] for m_ in meas], "o", label="GD + PTQ sweep")
ax.set(xlabel=r"$\rho$", ylabel=r"$\hat\alpha_t+\hat\gamma_D$")
ax.legend()
show(fig, "invariant")
