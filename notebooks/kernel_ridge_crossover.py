# %% [markdown]
# # Kernel ridge regression: the crossover from the noiseless to the noisy regime (Cui, Loureiro, Krzakala, Zdeborová 2021)
#
# Capacity $\lambda_k \sim k^{-\alpha}$, source $r$ ($\lambda_k\theta_k^{\star2} \sim k^{-1-2\alpha r}$), $n$ samples,
# label noise $\sigma$, ridge $n^{-\ell}$ or optimal. In the model library this is `models.PowerLaw(a=1+2*alpha*r,
# b=alpha)` with `P = n`: the claims are the decay rates of the excess error, derived from the model's equations
# (`theory/power_law_model.py`), checked against the 30-digit deterministic equivalent's exact local exponent
# (`numerics/models/ridge_limit.py`) and against simulation. This notebook shows the rates and the crossover line
# $\ell^\star = \alpha/(1 + 2\alpha\min(r, 1))$, where the noisy rate $1 - \ell/\alpha$ takes over from the noiseless
# rate $2\ell\min(r, 1)$.

# %%
import os

import numpy as np
from matplotlib.figure import Figure

from scaling_verify.numerics.models.ridge_limit import ridge_limit
from scaling_verify.theory.claims import REGISTRY, load_all

FIG_DIR = os.environ.get("SV_FIGURES")


def save(fig, name):
    if FIG_DIR:
        os.makedirs(FIG_DIR, exist_ok=True)
        fig.savefig(os.path.join(FIG_DIR, f"kernel_ridge_crossover_{name}.png"), dpi=110, bbox_inches="tight")


load_all()

# %% [markdown]
# ## Claims (declared in `theory/kernel_ridge_crossover.py`)

# %%
for c in REGISTRY.all("krr_crossover"):
    print(f"{c.id:42s} {c.status:13s} {c.statement[:60]}")
print("derived crossover line:", REGISTRY.get("krr_crossover.crossover_line").derive())

# %% [markdown]
# ## The exact local rate against the ridge decay: the crossover at l* = 5/7 (alpha = 2.5, r = 0.5, sigma = 0.5)

# %%
alpha, r, sigma = 2.5, 0.5, 0.5
a, b = 1 + 2 * alpha * r, alpha
ells = np.linspace(0.2, 1.6, 8)
P = 1e10
rates = [float(ridge_limit(P, a, b, noise=sigma, ridge_decay=float(l_)).slope) for l_ in ells]
line = alpha / (1 + 2 * alpha * min(r, 1))
fig = Figure(figsize=(5, 4))
ax = fig.subplots()
ax.plot(ells, rates, "o", label=r"30-digit local rate at $n = 10^{10}$")
ax.plot(ells, np.minimum(2 * ells * min(r, 1), 1 - ells / alpha), "-", label=r"$\min(2\ell\min(r,1),\ 1-\ell/\alpha)$")
ax.axvline(line, color="k", ls=":", label=rf"$\ell^\star = {line:.4f}$")
ax.set(xlabel=r"ridge decay $\ell$", ylabel="rate of the excess error", title="noiseless-to-noisy crossover")
ax.legend()
save(fig, "crossover")
opt = ridge_limit(P, a, b, noise=sigma, ridge="optimal")
print(f"optimal ridge: local rate {float(opt.slope):.6f}, claimed 2 alpha m/(1 + 2 alpha m) = "
      f"{2 * alpha * r / (1 + 2 * alpha * r):.6f}")
