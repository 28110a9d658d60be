# %% [markdown]
# # Towards optimal learning of language models (Gu et al. 2024): the Learning Law, verified
#
# We minimise the area under the desired-loss curve over per-step data policies on the simplex,
# check the Learning Law in its printed (equal instantaneous contributions) and exact (costate /
# discrete KKT) forms, recover the closed-form 2-D control problem, and redo the paper's
# scaling-law arithmetic. Figures are written to `$SV_FIGURES` when it is set.

# %%
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import mpmath as mp
import numpy as np

from scaling_verify.checks import run_check
from scaling_verify.numerics.precise import optimal_learning as P
from scaling_verify.numerics.simulate import optimal_learning as S
from scaling_verify.theory.claims import REGISTRY
from scaling_verify.theory import optimal_learning as O

FIG = os.environ.get("SV_FIGURES")


def save(fig, name):
    if FIG:
        os.makedirs(FIG, exist_ok=True)
        fig.savefig(os.path.join(FIG, f"optimal_learning_{name}.png"), dpi=110, bbox_inches="tight")
    plt.close(fig)


# %% [markdown]
# ## Claims and their symbolic derivations

# %%
for c in REGISTRY.all("optimal_learning"):
    res = run_check(c, "symbolic") if c.derive is not None else None
    verdict = "-" if res is None else ("derived" if res.passed else "does not match its derivation")
    print(f"{c.id:48s} {c.status:13s} holds={c.holds!s:5s} {verdict}")

# %% [markdown]
# ## The 2-D toy: Pontryagin, the continuum, and the discrete optimum

# %%
d = O.toy_pontryagin()
print("t_s =", d["t_s"], " gamma_1 on the arc =", d["gamma_1"], " area gap =", d["gap"])
with mp.workdps(30):
    ts, gap, _ = P.toy_family_optimum()
    print("30 digits: t_s =", mp.nstr(ts, 25), " gap =", mp.nstr(gap, 25))
toy = S.toy_experiment(True)
eta = toy.cfg.eta
tt = eta * np.arange(toy.cfg.T)
fig, ax = plt.subplots(1, 2, figsize=(10, 3.5))
ax[0].step(tt, toy.gamma[:, 0], where="post", label="JAX meta-optimised")
ax[0].plot([0, float(ts), float(ts), 5], [1, 1, 0.75, 0.75], "k--", label="Pontryagin")
ax[0].set(xlabel="t", ylabel=r"$\gamma_1$", title="2-D toy policy")
ax[0].legend()
etas = [float(e) for e in P.ETAS]
gaps = [float(P.toy_discrete_optimum(e)[1]) for e in P.ETAS]
ax[1].plot(etas, gaps, "o-", label="discrete optimum (mpmath)")
ax[1].axhline(float(gap), color="k", ls="--", label=r"$11/16-\ln 2/8$")
ax[1].set(xscale="log", xlabel=r"$\eta$", ylabel="AUC gap", title="Richardson to the continuum")
ax[1].legend()
save(fig, "toy")

# %% [markdown]
# ## The Perceptron: optimised vs uniform policy

# %%
ex = S.perceptron_experiment(True, 0)
T = ex.cfg.T
t = np.arange(1, T + 1)
cu, co = ex.unif.test, ex.opt.test
print("held-out AUC ratio opt/unif per seed:", np.round(co.sum(1) / cu.sum(1), 3))
fig, ax = plt.subplots(1, 2, figsize=(11, 3.8))
ax[0].loglog(t, cu.mean(0), label="uniform")
ax[0].loglog(t, co.mean(0), label="optimised")
Bu, bu, _, _ = S.fit_scaling(cu, T)
Bo, bo, _, _ = S.fit_scaling(co, T)
ax[0].loglog(t, (Bu / t) ** bu, "k:", label=f"fit B={Bu:.2f}, β={bu:.3f}")
ax[0].loglog(t, (Bo / t) ** bo, "k--", label=f"fit B={Bo:.2f}, β={bo:.3f}")
ax[0].set(xlabel="step t", ylabel="held-out loss", title="loss curves and fitted laws (L0 = 0)")
ax[0].legend(fontsize=8)
im = ax[1].imshow(ex.gamma_opt[0].T, aspect="auto", origin="lower", cmap="viridis")
ax[1].set(xlabel="step t", ylabel="training example n", title=r"optimised policy $\gamma_{n,t}$ (seed 0)")
fig.colorbar(im, ax=ax[1])
save(fig, "perceptron")

# %% [markdown]
# ## The Learning Law: exact (KKT) vs printed (instantaneous CT)

# %%
st = S.kkt_stats(ex)
print(f"median CV over active examples: KKT {st.median_cv_kkt:.3f}, printed CT {st.median_cv_ct:.3f}")
print(f"SIM (paper's metric) median: optimised {st.median_sim_opt:.2f}, uniform {st.median_sim_unif:.2f}")
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(t, st.cv_kkt_t, ".", label=r"exact: $\partial J/\partial\gamma_{n,t}$")
ax.semilogy(t, st.cv_ct_t, ".", label=r"printed: $CT_{n,t}$")
ax.axhline(S.KKT_THRESHOLD, color="k", ls="--", label="threshold 0.15")
ax.set(xlabel="step t", ylabel="CV over active examples", title="spread of contributions at the optimum")
ax.legend()
save(fig, "law")

# %% [markdown]
# ## The paper's numbers: B decrease and acceleration ratio

# %%
with mp.workdps(30):
    lo, hi = P.ar_rounding_box()
print("|dB/B| from Table 1:", float(O.b_decrease_at_table1()), "(text: 0.966)")
print("AR(4K) from rounded Table 1:", float(O.ar_at_table1()), "(Table 2: 2.41); rounding box:",
      mp.nstr(lo, 4), "-", mp.nstr(hi, 4))
b1 = np.linspace(0.115, 0.125, 41)
ars = [float(P.ar_on_curves(4000, 3.16e8, 1.99e7, mp.mpf(x), mp.mpf("0.14"))) for x in b1]
fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.plot(b1, ars)
ax.axhline(2.41, color="r", ls="--", label="printed 2.41")
ax.axvline(0.12, color="k", ls=":", label=r"printed $\beta_1$")
ax.set(xlabel=r"$\beta_1$ (printed 0.12)", ylabel="AR(4K)", yscale="log", title="AR sensitivity to rounding of β")
ax.legend()
save(fig, "ar")
