"""The small shared statistics: bootstrap of a mean over rows, and the Student-t interval over units."""

import numpy as np
import pytest
from scipy import stats

from scaling_verify.numerics.stats import bootstrap_means, t_interval


def test_bootstrap_means_draws_the_same_stream_as_one_resample_at_a_time():
    x = np.arange(30.0).reshape(10, 3) ** 1.5
    loop = np.stack([x[np.random.default_rng(4).integers(0, 10, (7, 10))][i].mean(axis=0) for i in range(7)])
    rng = np.random.default_rng(4)
    seq = np.stack([x[rng.integers(0, 10, 10)].mean(axis=0) for _ in range(7)])
    assert np.array_equal(bootstrap_means(x, 7, np.random.default_rng(4), chunk=3), seq)
    assert np.allclose(loop, seq)


def test_bootstrap_means_covers_the_mean_at_its_standard_error():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(400)
    m = bootstrap_means(x, 4000, np.random.default_rng(1))
    assert m.shape == (4000,) and abs(m.mean() - x.mean()) < 0.01
    assert m.std() == pytest.approx(x.std() / np.sqrt(400), rel=0.05)


def test_t_interval_is_the_student_interval_and_drops_nan():
    v = np.array([0.91, 0.95, 0.97, 0.94, np.nan])
    lo, hi = t_interval(v)
    half = stats.t.ppf(0.975, 3) * np.nanstd(v, ddof=1) / 2
    assert lo == pytest.approx(np.nanmean(v) - half) and hi == pytest.approx(np.nanmean(v) + half)
    assert t_interval([1.0]) == (-np.inf, np.inf)
