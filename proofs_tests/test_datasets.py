"""The public data sets (numerics/fitting/datasets): the manifest's SHA-256 matches each stored file, a
changed copy is refused with a one-line error, the loaders return the documented columns and splits,
and every data set carries its source, licence and paper (arXiv:2209.06640, 2305.16264, 2304.01373);
the fetched one (arXiv:2404.10102) ships no file and is pinned to its source commit
(proofs_tests/test_dataset_fetch.py fetches and loads it)."""

import hashlib
import re
import shutil
from importlib import resources

import numpy as np
import pytest

from scaling_verify.numerics.fitting import datasets

STORED = ("revisiting_lang", "datablations_runs", "pythia_lambada")
#: fetched into the cache: their licence does not permit redistribution
FETCHED = ("epoch_chinchilla",)
NAMES = STORED + FETCHED
#: SPDX ids that permit redistribution of the stored files
REDISTRIBUTABLE = {"Apache-2.0", "CC-BY-4.0", "MIT", "BSD-3-Clause", "CC0-1.0"}


def _bytes(info):
    return (resources.files(datasets.__name__) / info.file).read_bytes()


def test_the_data_sets_are_listed():
    assert datasets.names() == NAMES
    assert [i.name for i in datasets.available()] == list(NAMES)
    assert [i.name for i in datasets.available() if i.stored] == list(STORED)
    assert all(datasets.is_available(n) for n in STORED)


@pytest.mark.parametrize("name", STORED)
def test_manifest_hash_matches_the_stored_file(name):
    info = datasets.info(name)
    data = _bytes(info)
    assert hashlib.sha256(data).hexdigest() == info.sha256
    assert len(data) < 200_000  # small: far under 1 MB
    assert datasets.load(name).rows == info.rows


@pytest.mark.parametrize("name", STORED)
def test_a_changed_copy_is_refused_in_one_line(tmp_path, name):
    info = datasets.info(name)
    shutil.copy(resources.files(datasets.__name__) / info.file, tmp_path / info.file)
    assert datasets.load(name, directory=tmp_path).rows == info.rows  # the untouched copy loads
    data = bytearray(_bytes(info))
    i = data.rindex(b"9")  # one digit of one value
    data[i:i + 1] = b"8"
    (tmp_path / info.file).write_bytes(bytes(data))
    actual = hashlib.sha256(bytes(data)).hexdigest()
    with pytest.raises(ValueError) as exc:
        datasets.load(name, directory=tmp_path)
    msg = str(exc.value)
    assert "\n" not in msg
    assert str(tmp_path / info.file) in msg and info.sha256 in msg and actual in msg
    assert msg.index(info.sha256) < msg.index(actual)  # expected, then actual


@pytest.mark.parametrize("name", STORED)
def test_columns_are_the_documented_ones(name):
    ds = datasets.load(name)
    assert tuple(ds.columns) == ds.info.column_names == ds.info.column_keys
    for col in ds.info.columns:
        arr = ds.column(col.name)
        assert arr.shape == (ds.rows,)
        assert not arr.flags.writeable
        if col.kind == "str":
            assert arr.dtype.kind == "U" and all(arr)
        elif col.kind == "int":
            assert arr.dtype == np.int64
        else:
            assert arr.dtype == np.float64 and np.all(np.isfinite(arr))
    with pytest.raises(ValueError, match="has no column"):
        ds.column("no such column")


def test_revisiting_split_is_the_papers_training_column():
    ds = datasets.load("revisiting_lang")
    assert ds.split is not None
    np.testing.assert_array_equal(ds.split.fit, ds.column("Training") == 1)
    assert set(ds.column("Domain")) == {"NMT", "LM"}
    curves = set(zip(ds.column("Domain").tolist(), ds.column("Model").tolist()))
    assert len(curves) == 10
    for dom, model in curves:
        rows = (ds.column("Domain") == dom) & (ds.column("Model") == model)
        x, fit = ds.column("Seen Examples")[rows], ds.split.fit[rows]
        assert np.all(np.diff(x) > 0)  # one row per size, in order, no duplicates left
        assert fit.any() and (~fit).any()
        assert x[fit].max() < x[~fit].min()  # held-out rows extrapolate
    assert np.all(ds.column("Loss") > 0)


def test_datablations_split_holds_out_the_largest_compute():
    ds = datasets.load("datablations_runs")
    N, D, U, loss = (ds.column(c) for c in ("N", "D", "U", "loss"))
    assert np.all(U <= D) and np.all(loss > 0) and np.all(N > 1e6)
    held = ds.split.held_out
    assert held.sum() == 8
    assert (6 * N * D)[held].min() > (6 * N * D)[ds.split.fit].max()
    assert set(N[held]) == {8.67e9}


def test_pythia_trajectories_have_every_checkpoint_of_seven_sizes():
    ds = datasets.load("pythia_lambada")
    assert ds.split is None
    models = ds.column("model")
    assert len(set(models)) == 7
    for m in set(models):
        steps = ds.column("step")[models == m]
        assert steps[0] == 0 and steps[-1] == 143000 and steps.size == 27 and np.all(np.diff(steps) > 0)
    np.testing.assert_array_equal(ds.column("tokens"), ds.column("step") * 2097152.0)
    assert np.all(ds.column("lambada_ppl") > 1)


@pytest.mark.parametrize("name", NAMES)
def test_provenance_fields_are_filled(name):
    info = datasets.info(name)
    assert re.fullmatch(r"[0-9a-f]{64}", info.sha256)
    assert re.fullmatch(r"[0-9a-f]{40}", info.source.commit)
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", info.source.repository)
    assert info.source.paths and all(info.source.paths) and info.source.url.startswith("https://github.com/")
    assert (info.licence in REDISTRIBUTABLE) == info.stored and info.licence_evidence
    assert re.fullmatch(r"\d{4}\.\d{4,5}", info.arxiv) and f"arXiv:{info.arxiv}" in info.citation
    assert info.title and info.transformation and info.rows > 0
    assert all(c.name and c.description for c in info.columns)
    assert all(c.unit for c in info.columns if c.kind == "float")
    assert info.has_split == (name in ("revisiting_lang", "datablations_runs"))


@pytest.mark.parametrize("name", FETCHED)
def test_a_fetched_set_ships_no_file_and_is_pinned(name):
    info = datasets.info(name)
    assert not info.stored and "not redistributed" in info.licence
    assert not (resources.files(datasets.__name__) / info.file).is_file()
    assert info.fetch_url.startswith("https://raw.githubusercontent.com/")
    assert info.fetch_url.endswith(f"/{info.source.repository}/{info.source.commit}/{info.source.paths[0]}")
    assert info.derived.startswith("D = C/(6N)") and info.column_keys[-3:] == ("N", "C", "D")


def test_unknown_name_is_one_line():
    with pytest.raises(ValueError, match="unknown data set 'nope'; choose one of revisiting_lang"):
        datasets.load("nope")
