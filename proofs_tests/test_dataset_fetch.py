"""Fetched data sets (numerics/fitting/datasets/cache.py, ``scaling-verify data``): a set whose licence does not
permit redistribution is fetched once into the cache after its SHA-256 is checked, written atomically, and an
offline machine gets one line naming the ``--from FILE`` remedy. The network is a local ``http.server``; the
real ``epoch_chinchilla`` entry (Besiroglu et al., arXiv:2404.10102) is loaded from this machine's fetched copy
when there is one (skipped otherwise)."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import socket
import threading
from pathlib import Path

import numpy as np
import pytest

from scaling_verify.cli import bench, main as main_cli
from scaling_verify.numerics.fitting import datasets

COMMIT = "0123456789abcdef0123456789abcdef01234567"
TOY = b"params,flop,loss\n1e6,6e12,3.5\n2e6,2.4e13,3.1\n4e6,9.6e13,2.8\n"
TOY_SHA = hashlib.sha256(TOY).hexdigest()
EPOCH_PATH = "data/svg_extracted_data.csv"
#: this machine's fetched copy of the real data set, if any (read before any test points the cache elsewhere)
FETCHED = datasets.cache_dir() / "epoch_chinchilla.csv"


def _manifest(fetch_url: str, sha: str = TOY_SHA, extra: str = "tokens_from_compute = true") -> str:
    return f'''
[[dataset]]
name = "toy_fetched"
title = "a synthetic fetched data set"
file = "toy_fetched.csv"
sha256 = "{sha}"
rows = 3
repository = "example/toy"
commit = "{COMMIT}"
paths = ["data/toy.csv"]
url = "https://github.com/example/toy"
fetch_url = "{fetch_url}"
licence = "none stated (not redistributed; fetched from the source)"
citation = "none, arXiv:0000.00000"
arxiv = "0000.00000"
{extra}

[[dataset.columns]]
name = "params"
kind = "float"
as = "N"

[[dataset.columns]]
name = "flop"
kind = "float"
as = "C"

[[dataset.columns]]
name = "loss"
kind = "float"
'''


class _Files(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 -- the http.server interface
        self.hits.append(self.path)
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder under tmp_path (never ~/.cache), and no proxy between us and 127.0.0.1."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SCALING_VERIFY_DATA", str(folder))
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    return folder


@pytest.fixture
def server():
    """A local HTTP server in a thread; yields (base URL, files served by path, paths requested)."""
    files: dict[str, bytes] = {}
    hits: list[str] = []
    handler = type("Handler", (_Files,), {"files": files, "hits": hits})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", files, hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def _with_toy(monkeypatch, fetch_url: str, sha: str = TOY_SHA) -> None:
    real = datasets._entries()
    toy = datasets._read_manifest(_manifest(fetch_url, sha))
    monkeypatch.setattr(datasets, "_entries", lambda: real + toy)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _one_line_error(exc_info) -> str:
    msg = str(exc_info.value)
    assert msg and "\n" not in msg
    return msg


def test_fetch_once_then_load(cache, server, monkeypatch):
    base, files, hits = server
    files[f"/{COMMIT}/toy.csv"] = TOY
    _with_toy(monkeypatch, f"{base}/{COMMIT}/toy.csv")
    assert not datasets.is_available("toy_fetched")
    path = datasets.fetch("toy_fetched")
    assert path == cache / "toy_fetched.csv" == datasets.cache_path("toy_fetched")
    assert path.read_bytes() == TOY and sorted(os.listdir(cache)) == ["toy_fetched.csv"]
    assert datasets.is_available("toy_fetched")
    ds = datasets.load("toy_fetched")
    assert tuple(ds.columns) == ("params", "flop", "loss", "N", "C", "D") == ds.info.column_keys
    assert ds.column("N") is ds.column("params") and not ds.column("D").flags.writeable
    np.testing.assert_allclose(ds.column("D"), ds.column("C") / (6 * ds.column("N")))
    assert not ds.info.stored and ds.info.derived.startswith("D = C/(6N)")
    assert datasets.fetch("toy_fetched") == path and len(hits) == 1  # an intact cached copy: no network


def test_not_fetched_is_one_line_naming_the_remedy(cache, monkeypatch):
    with pytest.raises(datasets.DataNotFetched) as exc:
        datasets.load("epoch_chinchilla")
    msg = _one_line_error(exc)
    assert isinstance(exc.value, ValueError)
    assert msg == (f"data set 'epoch_chinchilla' is not fetched yet (no {cache / 'epoch_chinchilla.csv'}): run "
                   "`scaling-verify data fetch epoch_chinchilla` (needs https to raw.githubusercontent.com) or "
                   "`scaling-verify data fetch epoch_chinchilla --from FILE` with a copy you have")


def test_hash_mismatch_writes_nothing(cache, server, monkeypatch):
    base, files, _ = server
    url = f"{base}/{COMMIT}/toy.csv"
    files[f"/{COMMIT}/toy.csv"] = TOY.replace(b"3.5", b"3.6")
    _with_toy(monkeypatch, url)
    with pytest.raises(datasets.DataFetchError) as exc:
        datasets.fetch("toy_fetched")
    msg = _one_line_error(exc)
    actual = hashlib.sha256(files[f"/{COMMIT}/toy.csv"]).hexdigest()
    assert msg.startswith(f"{url}: SHA-256 mismatch: expected {TOY_SHA}, got {actual}")
    assert not cache.exists() or not any(cache.iterdir())
    assert not datasets.is_available("toy_fetched")


def test_unreachable_url_is_one_line(cache, monkeypatch):
    url = f"http://127.0.0.1:{_closed_port()}/{COMMIT}/toy.csv"
    _with_toy(monkeypatch, url)
    with pytest.raises(datasets.DataFetchError) as exc:
        datasets.fetch("toy_fetched", timeout=2.0)
    msg = _one_line_error(exc)
    assert msg.startswith(f"could not fetch {url}: ")
    assert msg.endswith(f"; this machine may be offline -- copy the file from example/toy@{COMMIT} data/toy.csv "
                        "and run `scaling-verify data fetch toy_fetched --from FILE`")
    assert not cache.exists()


def test_http_error_is_one_line(cache, server, monkeypatch):
    base, _, _ = server
    _with_toy(monkeypatch, f"{base}/{COMMIT}/missing.csv")
    with pytest.raises(datasets.DataFetchError, match=r"could not fetch .*: HTTP 404 ") as exc:
        datasets.fetch("toy_fetched")
    _one_line_error(exc)


def test_from_a_local_copy(cache, tmp_path, monkeypatch):
    _with_toy(monkeypatch, f"http://127.0.0.1:{_closed_port()}/{COMMIT}/toy.csv")  # never contacted
    copy = tmp_path / "copy.csv"
    copy.write_bytes(TOY)
    assert datasets.fetch("toy_fetched", source=copy) == cache / "toy_fetched.csv"
    assert datasets.load("toy_fetched").rows == 3
    with pytest.raises(datasets.DataFetchError, match="cannot read .*nope.csv for data set 'toy_fetched'") as exc:
        datasets.fetch("toy_fetched", source=tmp_path / "nope.csv")
    _one_line_error(exc)


def test_an_interrupted_write_leaves_no_partial_file(cache, tmp_path, monkeypatch):
    from scaling_verify.numerics.fitting.datasets import cache as cache_mod

    _with_toy(monkeypatch, f"http://127.0.0.1:{_closed_port()}/{COMMIT}/toy.csv")
    copy = tmp_path / "copy.csv"
    copy.write_bytes(TOY)

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache_mod.os, "replace", fail)
    with pytest.raises(OSError):
        datasets.fetch("toy_fetched", source=copy)
    assert list(cache.iterdir()) == []


def test_a_corrupted_cache_file_is_refused_on_load(cache, monkeypatch):
    _with_toy(monkeypatch, f"http://127.0.0.1:{_closed_port()}/{COMMIT}/toy.csv")
    cache.mkdir()
    (cache / "toy_fetched.csv").write_bytes(TOY + b"5e6,1e14,2.7\n")
    assert datasets.is_available("toy_fetched")  # present; the hash is checked on load
    with pytest.raises(ValueError, match=f"SHA-256 mismatch: expected {TOY_SHA}") as exc:
        datasets.load("toy_fetched")
    _one_line_error(exc)


def test_a_stored_set_needs_no_fetch(cache):
    path = datasets.fetch("datablations_runs")
    assert path.is_file() and path.name == "datablations_runs.csv" and not cache.exists()
    assert datasets.is_available("datablations_runs")


def test_manifest_reader_reads_a_fetched_entry():
    [entry] = datasets._read_manifest(_manifest(f"https://example.org/{COMMIT}/toy.csv", extra=""))
    assert entry.info.fetch_url.startswith("https://") and not entry.info.stored and not entry.info.derived
    assert entry.info.column_keys == ("params", "flop", "loss", "N", "C")


def test_manifest_rejects_an_unpinned_url_and_a_derived_column_without_inputs():
    with pytest.raises(ValueError, match="fetch_url must be an http.s. URL holding the commit"):
        datasets._read_manifest(_manifest("https://example.org/main/toy.csv"))
    text = _manifest(f"https://example.org/{COMMIT}/toy.csv").replace('as = "C"\n', "")
    with pytest.raises(ValueError, match="tokens_from_compute needs columns aliased N and C"):
        datasets._read_manifest(text)
    text = _manifest(f"https://example.org/{COMMIT}/toy.csv").replace('as = "C"', 'as = "N"')
    with pytest.raises(ValueError, match="a column name or alias is used twice"):
        datasets._read_manifest(text)


def test_cli_list_and_fetch(cache, server, monkeypatch, capsys):
    base, files, _ = server
    files[f"/{COMMIT}/toy.csv"] = TOY
    _with_toy(monkeypatch, f"{base}/{COMMIT}/toy.csv")
    assert main_cli.main(["data", "list", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["cache"] == str(cache)
    by_name = {d["name"]: d for d in doc["datasets"]}
    assert by_name["revisiting_lang"]["stored"] and by_name["revisiting_lang"]["available"]
    assert not by_name["toy_fetched"]["stored"] and not by_name["toy_fetched"]["available"]
    assert main_cli.main(["data", "fetch", "toy_fetched"]) == 0
    assert str(cache / "toy_fetched.csv") in capsys.readouterr().out
    assert main_cli.main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "toy_fetched" in out and "fetched  yes" in out and f"cache: {cache}" in out
    assert main_cli.main(["data", "fetch", "pythia_lambada"]) == 0
    assert "stored in the package" in capsys.readouterr().out


@pytest.mark.parametrize("argv, start", [
    (["data", "fetch", "nope"], "unknown data set 'nope'"),
    (["data", "fetch", "toy_fetched", "--from", "/no/such/file.csv"], "cannot read /no/such/file.csv"),
    (["data", "fetch", "toy_fetched", "--timeout", "0"], "--timeout must be > 0"),
    (["data", "fetch", "toy_fetched"], "could not fetch http://127.0.0.1:"),
    (["data"], "the following arguments are required"),
])
def test_cli_errors_exit_2_with_one_line(cache, monkeypatch, capsys, argv, start):
    _with_toy(monkeypatch, f"http://127.0.0.1:{_closed_port()}/{COMMIT}/toy.csv")
    assert main_cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.err.startswith(f"scaling-verify: error: {start}")
    assert not cache.exists()


def test_cli_hash_mismatch_exits_2(cache, tmp_path, monkeypatch, capsys):
    _with_toy(monkeypatch, f"http://127.0.0.1:{_closed_port()}/{COMMIT}/toy.csv")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"params,flop,loss\n")
    assert main_cli.main(["data", "fetch", "toy_fetched", "--from", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"SHA-256 mismatch: expected {TOY_SHA}, got " in err
    assert not cache.exists()


def test_bench_uses_only_stored_sets_with_an_empty_cache(cache):
    import argparse

    p = argparse.ArgumentParser()
    bench.add_parser(p.add_subparsers(dest="cmd"))
    chosen, _ = bench._selection(p.parse_args(["bench"]))
    assert chosen == list(bench.FORMS) and all(datasets.info(n).stored for n in chosen)
    assert all(datasets.is_available(n) for n in chosen)


def _fetched_bytes() -> bytes | None:
    return FETCHED.read_bytes() if FETCHED.is_file() else None


def test_epoch_chinchilla_loads_from_a_local_copy(cache, tmp_path, capsys):
    data = _fetched_bytes()
    if data is None:
        pytest.skip(f"epoch_chinchilla is not fetched on this machine ({FETCHED}): scaling-verify data fetch "
                    "epoch_chinchilla")
    info = datasets.info("epoch_chinchilla")
    assert not info.stored and info.fetch_url.startswith("https://raw.githubusercontent.com/")
    assert info.source.commit in info.fetch_url and info.fetch_url.endswith(EPOCH_PATH)
    assert not datasets.is_available("epoch_chinchilla")
    copy = tmp_path / "svg_extracted_data.csv"
    copy.write_bytes(data)
    assert main_cli.main(["data", "fetch", "epoch_chinchilla", "--from", str(copy)]) == 0
    capsys.readouterr()
    ds = datasets.load("epoch_chinchilla")
    assert ds.rows == 245 and ds.split is None
    N, C, D, loss = (ds.column(c) for c in ("N", "C", "D", "loss"))
    np.testing.assert_array_equal(N, ds.column("Model Size"))
    np.testing.assert_array_equal(C, ds.column("Training FLOP"))
    np.testing.assert_allclose(D, C / (6 * N), rtol=1e-15)
    assert np.all(N > 1e7) and np.all(C > 1e17) and np.all((loss > 1.5) & (loss < 6))
