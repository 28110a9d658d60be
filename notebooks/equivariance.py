# %% [markdown]
# # Emergent equivariance in deep ensembles (Gerken & Kessel 2024)
#
# Deep ensembles trained with full data augmentation are equivariant *as an ensemble*, on and off the
# data manifold, for every training time, although their members are not. This notebook shows the
# evidence built by `scaling-verify`: the exact NTK-regime output law at 30 digits and in float64,
# finite-width ensembles (orbit deviation vs ensemble size M), the empirical NTK vs the analytic
# kernel, and C_k augmentation against SO(2).

# %%
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import scaling_verify.numerics.precise.equivariance as P
import scaling_verify.numerics.simulate.equivariance as S
from scaling_verify.numerics.fit import fit_power_law
from scaling_verify.theory.claims import REGISTRY

FIG_DIR = os.environ.get("SV_FIGURES")


def show(fig, name):
    if FIG_DIR:
        os.makedirs(FIG_DIR, exist_ok=True)
        fig.savefig(os.path.join(FIG_DIR, f"equivariance_{name}.png"), dpi=120, bbox_inches="tight")
    plt.close(fig)


for c in REGISTRY.all("equivariance"):
    print(f"{c.id:45s} {c.status:13s} {c.quantity} = {c.expr}")

# %% [markdown]
# ## 1. Exact invariance at 30 digits, and what float64 can reach
# Random off-manifold 3x3 images, C4 acting by pixel permutations, 4 base images (16 augmented),
# depth-2 ReLU NTK. At 30 digits the orbit deviation of $\mu_t$ and $\Sigma_t$ sits at the working
# precision for all $t$; in float64 it is limited by round-off amplified by $\mathrm{cond}(\Theta)$.

# %%
res = P.orbit_deviation(0)
ts = [1e4 if np.isinf(float(t)) else float(t) for t in res.times]
rows = [S.float64_orbit_deviation(0, s) for s in (1.0, 1e-1, 1e-2, 1e-3)]
fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
ax[0].semilogy(ts, [max(float(v), 1e-40) for v in res.mu_by_t], "o-", label=r"$\mu_t$ (30 digits)")
ax[0].semilogy(ts, [max(float(v), 1e-40) for v in res.sigma_by_t], "s-", label=r"$\Sigma_t$ (30 digits)")
ax[0].axhline(P.TOL_30, color="k", ls="--", label="asserted 1e-25")
ax[0].set_xscale("log"); ax[0].set_xlabel(r"$t$ ($t=\infty$ at 1e4)"); ax[0].set_ylabel("max orbit deviation")
ax[0].legend()
conds = [r[2] for r in rows]
ax[1].loglog(conds, [r[0] for r in rows], "o", label="float64 deviation")
ax[1].loglog(conds, [r[1] for r in rows], "-", label=r"bound $N u\,\mathrm{cond}\,s\,\|\Theta_{xX}\|\|\phi\|\|Y\|$")
ax[1].loglog(conds, [1.1e-16 * c for c in conds], ":", label=r"$u\,\mathrm{cond}(\Theta)$")
ax[1].set_xlabel(r"cond$(\Theta)$"); ax[1].legend(fontsize=8)
show(fig, "exact_and_float64")
print("30 digits:", float(res.mu), float(res.sigma), "float64:", [f"{r[0]:.1e}@{r[2]:.0e}" for r in rows])

# %% [markdown]
# ## 2. Finite-width ensembles: members vs the ensemble mean
# 256 MLPs (2 x 64, NTK parameterisation, $\sigma_w^2=2$, $\sigma_b^2=0.1$) trained by full-batch GD
# on 8 random 4x4 images with full C4 augmentation. Orbit deviation = std of the prediction over the
# four rotations of an off-manifold test image.

# %%
Ms, errs, member, preds = S.ensemble_orbit_errors(0, members=256, pools=16, width=64, steps=50, n_test=64)
fit = fit_power_law(Ms, errs, bootstrap=1000)
fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
m = errs.mean(0)
ax[0].errorbar(Ms, m, yerr=errs.std(0) / np.sqrt(len(errs)), fmt="o", label="ensemble mean")
ax[0].loglog(Ms, m[0] * Ms ** -0.5, "-", label=r"$M^{-1/2}$")
ax[0].set_xscale("log"); ax[0].set_yscale("log")
ax[0].set_xlabel("ensemble size M"); ax[0].set_ylabel("orbit deviation")
ax[0].set_title(f"slope {fit.p:.3f} [{fit.ci['p'][0]:.3f}, {fit.ci['p'][1]:.3f}]")
ax[0].legend()
g = np.arange(4)
for i in range(6):
    ax[1].plot(g * 90, preds[i, 0], "-", color="0.7", lw=1)
ax[1].plot(g * 90, preds[:, 0].mean(0), "o-", color="C3", lw=2, label="ensemble mean (256)")
ax[1].set_xlabel("rotation of the test image (degrees)"); ax[1].set_ylabel("prediction")
ax[1].set_title("members (grey) vs ensemble on one orbit"); ax[1].legend()
show(fig, "ensemble")
print(f"member deviation {member:.3f}; slope {fit.p:.3f} CI {fit.ci['p']}")

# %% [markdown]
# ## 3. Empirical NTK approaches the analytic kernel (~ width^{-1/2})

# %%
ns, werr, _ = S.ntk_width_errors(0, (64, 256, 1024), seeds=64)
wfit = fit_power_law(ns, werr, bootstrap=1000)
fig, ax = plt.subplots(figsize=(5, 3.6))
ax.loglog(ns, werr.mean(0), "o", label="empirical vs analytic")
ax.loglog(ns, werr.mean(0)[0] * (ns / ns[0]) ** -0.5, "-", label=r"$n^{-1/2}$")
ax.set_xlabel("width n"); ax.set_ylabel(r"$\|\hat\Theta-\Theta\|_F/\|\Theta\|_F$")
ax.set_title(f"slope {wfit.p:.3f} [{wfit.ci['p'][0]:.3f}, {wfit.ci['p'][1]:.3f}]"); ax.legend()
show(fig, "width")

# %% [markdown]
# ## 4. C_k augmentation against SO(2)
# The lemma bounds the invariance error by $\kappa\,C(x)$ with $\kappa=2\sin(\pi/2k)$; the analytic
# NTK mean trained with $C_k$ augmentation on 2-D inputs shrinks much faster than $\kappa$.

# %%
ks, cerr = S.ck_invariance_errors((4, 8, 16))
kap = np.array([REGISTRY.get("equivariance.ck_discrepancy").value(k=int(k)) for k in ks])
fig, ax = plt.subplots(figsize=(5, 3.6))
ax.loglog(kap, cerr, "o", label=r"$\max_\theta|\mu(R_\theta x)-\mu(x)|$")
ax.loglog(kap, cerr[0] * kap / kap[0], "-", label=r"linear in $\kappa$ (bound shape)")
for k_, x_, y_ in zip(ks, kap, cerr):
    ax.annotate(f"C{k_}", (x_, y_))
ax.set_xlabel(r"$\kappa(C_k)$"); ax.set_ylabel("SO(2) invariance error"); ax.legend()
show(fig, "ck")

# %% [markdown]
# ## 5. The finite-width ensemble mean approaches the analytic $\mu_T$
# 128 members per width, 50 GD steps; the Monte-Carlo part is removed from the squared distance
# (unbiased estimate), so what is left is the finite-width bias.

# %%
wn, gap, raw, mc = S.ensemble_mean_width_gap(widths=(8, 32, 64))
fig, ax = plt.subplots(figsize=(5, 3.6))
ax.semilogx(wn, raw, "o-", label=r"rms $|\hat f_M-\mu_T|$")
ax.semilogx(wn, mc, ":", label="Monte-Carlo part $s/\\sqrt{M}$")
ax.semilogx(wn, gap, "s-", label="finite-width gap (MC removed)")
ax.set_xlabel("width n"); ax.set_ylabel("distance to analytic mean"); ax.legend()
show(fig, "mean_width")
print("width gap:", dict(zip(wn.tolist(), np.round(gap, 3).tolist())), "MC:", np.round(mc, 3).tolist())
