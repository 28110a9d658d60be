"""Multitask sparse parity (Michaud, Liu, Girit, Tegmark 2023, arXiv 2303.13506, Sec. 4) in JAX.

The problem as the paper and its reference code (``scripts/sparse-parity-v4.py``) build it:

* ``n_tasks`` distinct random ``k``-subsets :math:`S_i \\subset \\{0..n-1\\}` of the ``n`` task bits;
* an input is ``n_tasks`` one-hot *control* bits (which subtask) followed by ``n`` uniform task bits;
* the label is the parity :math:`\\bigoplus_{j\\in S_i} x_j` for the active control bit ``i``;
* subtask ``i`` (1-based rank) is drawn with probability :math:`p_i = i^{-(\\alpha+1)}/\\sum_j j^{-(\\alpha+1)}`
  in the **paper's** convention; the reference code's ``alpha`` is the Zipf exponent, i.e. paper
  :math:`\\alpha + 1` (``alpha=1.4`` in the code is the paper's ``alpha=0.4``). :func:`code_alpha_to_paper`
  converts.

The learner is the reference one: ``Linear(n_tasks + n, width)``, ReLU, ``Linear(width, 2)``, PyTorch
default (uniform :math:`\\pm 1/\\sqrt{\\text{fan-in}}`) initialisation, cross-entropy, Adam, fresh samples
every step (online / single-epoch). Training is one ``jit``: ``lax.scan`` over logging blocks, an inner
``lax.scan`` over steps, ``vmap`` over seeds. Per-subtask test losses (in bits) are logged on a fixed
test set with the same number of samples for every subtask.

Finite-width runs over several widths share one program: hidden units beyond a run's width are
masked to zero (their weights get zero gradient), so a ``vmap`` over widths is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field



import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax
from scaling_verify.numerics.simulate import with_float64

LN2 = math.log(2.0)


@with_float64
def code_alpha_to_paper(code_alpha: float) -> float:
    """The reference code's Zipf exponent ``alpha`` is the paper's :math:`\\alpha + 1`."""
    if not code_alpha > 1:
        raise ValueError(f"the code's alpha is the Zipf exponent and must be > 1, got {code_alpha}")
    return code_alpha - 1.0


@dataclass(frozen=True)
class ParityConfig:
    """Sizes of one multitask-sparse-parity experiment (paper convention for ``alpha``)."""

    n_tasks: int = 16
    n_bits: int = 12
    k: int = 3
    alpha: float = 0.4
    width: int = 128
    batch: int = 512
    lr: float = 3e-3
    steps: int = 4000
    log_every: int = 25
    test_per_task: int = 256
    seeds: int = 4
    dtype: str = "float32"
    widths: tuple[int, ...] | None = field(default=None)  # masked-width sweep (None: one width)
    data: int | None = None  # finite training set size (None: online, fresh samples each step)

    def __post_init__(self) -> None:
        validate(self.n_tasks, self.n_bits, self.k, self.alpha)
        for name in ("width", "batch", "steps", "log_every", "test_per_task", "seeds"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)}")
        if self.steps % self.log_every:
            raise ValueError(f"steps ({self.steps}) must be a multiple of log_every ({self.log_every})")
        if self.widths is not None and max(self.widths) > self.width:
            raise ValueError(f"widths {self.widths} exceed the allocated width {self.width}")
        if self.data is not None and self.data < 1:
            raise ValueError(f"data must be a positive sample count, got {self.data}")


@with_float64
def validate(n_tasks: int, n_bits: int, k: int, alpha: float) -> None:
    """Clear errors for impossible task definitions."""
    if not isinstance(n_tasks, (int, np.integer)) or n_tasks < 1:
        raise ValueError(f"n_tasks must be a positive integer (zero tasks define no task), got {n_tasks!r}")
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k (bits per parity) must be a positive integer, got {k!r}")
    if not isinstance(n_bits, (int, np.integer)) or n_bits < 1:
        raise ValueError(f"n (task bits) must be a positive integer, got {n_bits!r}")
    if k > n_bits:
        raise ValueError(f"k = {k} parity bits cannot be chosen from n = {n_bits} task bits (need k <= n)")
    if math.comb(n_bits, k) < n_tasks:
        raise ValueError(f"only C({n_bits},{k}) = {math.comb(n_bits, k)} distinct subsets exist for "
                         f"{n_tasks} tasks")
    if not (isinstance(alpha, (int, float)) and math.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha must be > 0 (paper convention: p_k ~ k^-(alpha+1)), got {alpha!r}")


@with_float64
def zipf_probs(n_tasks: int, alpha: float) -> np.ndarray:
    """:math:`p_i = i^{-(\\alpha+1)} / \\sum_{j\\le n_{tasks}} j^{-(\\alpha+1)}` (paper convention)."""
    validate(n_tasks, max(1, n_tasks), 1, alpha)
    w = np.arange(1, n_tasks + 1, dtype=float) ** (-(alpha + 1.0))
    return w / w.sum()


@with_float64
def make_subsets(n_tasks: int, n_bits: int, k: int, seed: int) -> np.ndarray:
    """``n_tasks`` distinct sorted ``k``-subsets of ``range(n_bits)`` by rejection sampling (as the code)."""
    validate(n_tasks, n_bits, k, 1.0)
    rng = np.random.default_rng(seed)
    seen: list[tuple[int, ...]] = []
    while len(seen) < n_tasks:
        s = tuple(sorted(rng.choice(n_bits, size=k, replace=False).tolist()))
        if s not in seen:
            seen.append(s)
    return np.array(seen, dtype=np.int32)


def _inputs(task, bits, subsets, n_tasks, dtype):
    label = jnp.sum(jnp.take_along_axis(bits, subsets[task], axis=1), axis=1) % 2
    x = jnp.concatenate([jax.nn.one_hot(task, n_tasks, dtype=dtype), bits.astype(dtype)], axis=1)
    return x, label


def _fmix32(h):
    """MurmurHash3's 32-bit finaliser (a bijection of uint32 with full avalanche)."""
    h = h ^ (h >> 16)
    h = h * jnp.uint32(0x85EBCA6B)
    h = h ^ (h >> 13)
    h = h * jnp.uint32(0xC2B2AE35)
    return h ^ (h >> 16)


@with_float64
def hash_bits(seed, stream, counter, shape):
    """Counter-based uint32 random numbers: ``fmix(fmix(fmix(seed) + stream * phi) ^ h(i))`` for
    ``i = 0..prod(shape)-1`` (``stream`` = step index or a reserved id; ``fmix`` = MurmurHash3 finaliser).

    Why not ``jax.random`` inside the step: on XLA:CPU every threefry call inside the scanned step
    costs about a second of compile time, which would eat the quick-check budget; the data stream only
    needs independent uniform bits and task draws, which a full-avalanche hash of a unique counter
    gives. Initialisation and test sets use the same hash on reserved stream ids.
    """
    base = _fmix32(_fmix32(jnp.asarray(seed, jnp.uint32)) + jnp.asarray(stream, jnp.uint32) * jnp.uint32(0x9E3779B9))
    idx = jnp.arange(math.prod(shape), dtype=jnp.uint32).reshape(shape)
    return _fmix32(base ^ (idx * jnp.uint32(0x27D4EB2F) + jnp.uint32(0x165667B1)))


@with_float64
def sample_batch(seed, stream, subsets, cdf, batch, n_bits, dtype=jnp.float32):
    """A fresh batch: Zipfian task ids (inverse CDF), uniform task bits, parity labels, one-hot prefix."""
    r = hash_bits(seed, stream, None, (batch, n_bits + 1))
    u = (r[:, 0] >> 8).astype(jnp.float32) * jnp.float32(2.0 ** -24)
    task = jnp.minimum(jnp.searchsorted(cdf, u, side="right"), cdf.shape[0] - 1).astype(jnp.int32)
    bits = (r[:, 1:] & jnp.uint32(1)).astype(jnp.int32)
    x, y = _inputs(task, bits, subsets, cdf.shape[0], dtype)
    return x, y, task


_STREAM_INIT = 0xFFFFFF00  # reserved stream ids (training steps use 0 .. steps-1)
_STREAM_TEST = 0xFFFFFF10
_STREAM_DATA = 0xFFFFFF20


@with_float64
def init_mlp(seed, d_in, width, dtype=jnp.float32):
    """PyTorch ``nn.Linear`` default init: weights and biases uniform in :math:`\\pm 1/\\sqrt{\\text{fan-in}}`."""
    def u(j, shape, fan):
        r = hash_bits(seed, _STREAM_INIT + j, None, shape)
        v = (r >> 8).astype(dtype) * dtype.type(2.0 ** -24) * 2 - 1
        return v / math.sqrt(fan)

    return {"W1": u(0, (d_in, width), d_in), "b1": u(1, (width,), d_in),
            "W2": u(2, (width, 2), width), "b2": u(3, (2,), width)}


@with_float64
def apply_mlp(params, x, mask):
    h = jax.nn.relu(x @ params["W1"] + params["b1"]) * mask
    return h @ params["W2"] + params["b2"]


def _xent(params, x, y, mask):
    logits = apply_mlp(params, x, mask)
    return -jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1)[:, 0]


def build_trainer(cfg: ParityConfig, jit: bool = True, batched: bool = True):
    """The trainer ``run(seeds, masks, subsets) -> per-task test loss [widths, seeds, logs, n_tasks]`` (bits);
    ``subsets[seed]`` holds that run's parity subsets (each seed is an independent draw, as separate runs
    of the reference code are).

    ``jit=False, batched=False`` gives the reference for the benchmark: the same step function,
    called from a Python loop for one seed and one width, without ``jit``/``vmap``/``scan``.
    """
    dtype = jnp.dtype(cfg.dtype)
    p = zipf_probs(cfg.n_tasks, cfg.alpha)
    cdf = jnp.asarray(np.cumsum(p), dtype=jnp.float32)
    d_in = cfg.n_tasks + cfg.n_bits
    opt = optax.adam(cfg.lr)
    n_logs = cfg.steps // cfg.log_every
    T = cfg.test_per_task

    def test_set(seed, sub):
        task = jnp.repeat(jnp.arange(cfg.n_tasks, dtype=jnp.int32), T)
        r = hash_bits(seed, _STREAM_TEST, None, (cfg.n_tasks * T, cfg.n_bits))
        return _inputs(task, (r & jnp.uint32(1)).astype(jnp.int32), sub, cfg.n_tasks, dtype)

    def train_data(seed, sub):
        if cfg.data is None:
            return None
        x, y, _ = sample_batch(seed, _STREAM_DATA, sub, cdf, cfg.data, cfg.n_bits, dtype)
        return x, y

    def loss_fn(pr, x, y, mask):
        return jnp.mean(_xent(pr, x, y, mask))

    def make_step(seed, mask, data, sub):
        def step(carry, t):
            pr, st = carry
            if data is None:
                x, y, _ = sample_batch(seed, t, sub, cdf, cfg.batch, cfg.n_bits, dtype)
            else:  # finite training set: minibatches drawn with replacement
                idx = (hash_bits(seed, t, None, (cfg.batch,)) % jnp.uint32(cfg.data)).astype(jnp.int32)
                x, y = data[0][idx], data[1][idx]
            g = jax.grad(loss_fn)(pr, x, y, mask)
            upd, st = opt.update(g, st, pr)
            return (optax.apply_updates(pr, upd), st), None
        return step

    def evaluate(pr, xt, yt, mask):
        logits = apply_mlp(pr, xt, mask)
        xent = -jnp.take_along_axis(jax.nn.log_softmax(logits), yt[:, None], axis=1)[:, 0]
        acc = (jnp.argmax(logits, axis=1) == yt).astype(logits.dtype)
        return jnp.stack([xent.reshape(cfg.n_tasks, T).mean(axis=1) / LN2, acc.reshape(cfg.n_tasks, T).mean(axis=1)])

    def one_run(seed, mask, sub):
        params = init_mlp(seed, d_in, cfg.width, dtype)
        state = opt.init(params)
        xt, yt = test_set(seed, sub)
        step = make_step(seed, mask, train_data(seed, sub), sub)

        def block(carry, b):
            ts = b * cfg.log_every + jnp.arange(cfg.log_every, dtype=jnp.uint32)
            carry, _ = lax.scan(step, carry, ts)
            return carry, evaluate(carry[0], xt, yt, mask)

        _, per_task = lax.scan(block, (params, state), jnp.arange(n_logs, dtype=jnp.uint32))
        return per_task

    if batched:
        fn = jax.vmap(jax.vmap(one_run, in_axes=(0, None, 0)), in_axes=(None, 0, None))
        return jax.jit(fn) if jit else fn

    def loop_run(seed, mask, sub):  # reference: plain Python loop over steps, one seed, one width
        params = init_mlp(seed, d_in, cfg.width, dtype)
        carry = (params, opt.init(params))
        xt, yt = test_set(seed, sub)
        step = make_step(seed, mask, train_data(seed, sub), sub)
        out = []
        for t in range(cfg.steps):
            carry, _ = step(carry, jnp.uint32(t))
            if (t + 1) % cfg.log_every == 0:
                out.append(evaluate(carry[0], xt, yt, mask))
        return jnp.stack(out)

    return loop_run


@dataclass
class ParityRun:
    """Per-subtask test losses in bits and accuracies, ``loss[width_index, seed, log_index, task]``."""

    cfg: ParityConfig
    steps: np.ndarray
    loss: np.ndarray
    acc: np.ndarray
    probs: np.ndarray
    subsets: np.ndarray
    seconds: float

    def mean_loss(self) -> np.ndarray:
        """Frequency-weighted mean test loss :math:`\\sum_i p_i \\ell_i` (bits), ``[width, seed, log]``."""
        return np.einsum("wslt,t->wsl", self.loss, self.probs)

    def mean_acc(self) -> np.ndarray:
        """Frequency-weighted mean test accuracy, ``[width, seed, log]``."""
        return np.einsum("wslt,t->wsl", self.acc, self.probs)


@with_float64
def train(cfg: ParityConfig, seed: int = 0) -> ParityRun:
    """Train ``cfg.seeds`` independent runs (own subsets, init and data stream each; every width in
    ``cfg.widths``) in one jitted program."""
    import time

    run_seeds = [1000 * seed + i for i in range(cfg.seeds)]
    subsets = np.stack([make_subsets(cfg.n_tasks, cfg.n_bits, cfg.k, s_) for s_ in run_seeds])
    run = build_trainer(cfg)
    widths = cfg.widths or (cfg.width,)
    masks = jnp.asarray(np.array([[1.0 if j < w else 0.0 for j in range(cfg.width)] for w in widths]),
                        dtype=jnp.dtype(cfg.dtype))
    seeds = jnp.asarray(run_seeds, dtype=jnp.uint32)
    t0 = time.perf_counter()
    out = np.asarray(jax.block_until_ready(run(seeds, masks, jnp.asarray(subsets))), dtype=float)
    out, acc = out[:, :, :, 0, :], out[:, :, :, 1, :]
    secs = time.perf_counter() - t0
    steps = cfg.log_every * np.arange(1, cfg.steps // cfg.log_every + 1)
    return ParityRun(cfg=cfg, steps=steps, loss=out, acc=acc, probs=zipf_probs(cfg.n_tasks, cfg.alpha),
                     subsets=subsets, seconds=secs)


@with_float64
def learning_times(run: ParityRun, threshold: float = 0.1) -> np.ndarray:
    """First logged step at which each subtask's test loss falls below ``threshold`` bits (NaN if never),
    ``[width, seed, task]``."""
    below = run.loss < threshold
    first = np.argmax(below, axis=2)
    t = run.steps[first].astype(float)
    t[~below.any(axis=2)] = np.nan
    return t
