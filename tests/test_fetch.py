"""Getting MNIST on first use: real downloads from a local HTTP server, then `load_mnist()`.

No mocks: the download is a real HTTP request to 127.0.0.1 (the `mnist_server` fixture serves
the real mnist.npz), written into a real Keras cache folder (KERAS_HOME in a temporary folder).
"""

from __future__ import annotations

import hashlib
import inspect
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from softmax import fetch
from softmax.data import load_mnist, read_mnist_npz
from softmax.fetch import KERAS_ORIGIN, KERAS_SHA256, FetchError, fetch_mnist

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def served(mnist_server, mnist_to_fetch):
    """The local server the download now points at."""
    return mnist_server


def leftovers(cache: Path) -> list[Path]:
    """Whatever a download left in the cache folder."""
    return sorted(cache.parent.glob("*")) if cache.parent.exists() else []


def refused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: the port was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist.npz"


def fetch_cli(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "softmax", "fetch"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def cli_env(cache: Path, url: str, sha256: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "SOFTMAX_MNIST"}
    home = str(cache.parent.parent)
    return {**env, "KERAS_HOME": home, fetch.URL_ENV: url, fetch.SHA256_ENV: sha256}


def test_the_defaults_are_keras_own_origin_and_hash():
    import keras

    source = inspect.getsource(keras.datasets.mnist.load_data)
    folder, name = KERAS_ORIGIN.rsplit("/", 1)
    assert f'"{folder}/"' in source and name in source
    assert KERAS_SHA256 in source


def test_fetch_downloads_into_keras_cache_and_load_mnist_then_reads_it(served, no_local_mnist):
    seen: list[tuple[int, int | None]] = []
    path = fetch_mnist(on_progress=lambda done, total: seen.append((done, total)))
    assert path == no_local_mnist
    size = served.path.stat().st_size
    assert seen[0] == (0, size) and seen[-1] == (size, size)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    (_, y_train), (x_test, _) = load_mnist()  # no path, no SOFTMAX_MNIST
    (_, expected_train), (expected_test, _) = read_mnist_npz(served.path)
    np.testing.assert_array_equal(y_train, expected_train)
    np.testing.assert_array_equal(x_test, expected_test)
    assert leftovers(no_local_mnist) == [no_local_mnist]  # no temporary file left


def test_a_file_already_in_the_cache_is_not_downloaded_again(served):
    fetch_mnist()
    before = served.requests
    fetch_mnist()
    assert served.requests == before


def test_a_damaged_file_in_the_cache_is_replaced_as_keras_does(served, no_local_mnist):
    no_local_mnist.parent.mkdir(parents=True)
    no_local_mnist.write_bytes(b"half a download")
    fetch_mnist()
    assert hashlib.sha256(no_local_mnist.read_bytes()).hexdigest() == served.sha256


def test_an_md5_hash_is_accepted_by_keras_rule(served, monkeypatch):
    md5 = hashlib.md5(served.path.read_bytes()).hexdigest()
    monkeypatch.setenv(fetch.SHA256_ENV, md5)
    assert fetch_mnist().is_file()


def test_keras_own_hash_helper_agrees_with_the_check(served, no_local_mnist):
    from keras.src.utils.file_utils import validate_file

    fetch_mnist()
    assert validate_file(str(no_local_mnist), served.sha256)


def test_a_wrong_hash_is_an_error_with_the_manual_steps_and_leaves_nothing(
    served, no_local_mnist, monkeypatch
):
    monkeypatch.setenv(fetch.SHA256_ENV, "0" * 64)
    with pytest.raises(FetchError) as raised:
        fetch_mnist()
    message = str(raised.value)
    assert f"has hash {served.sha256}, not the expected {'0' * 64}" in message
    assert "To get it by hand" in message and str(no_local_mnist) in message
    assert leftovers(no_local_mnist) == []


def test_a_refused_connection_is_an_error_with_the_manual_steps(no_local_mnist, monkeypatch):
    url = refused_url()
    monkeypatch.setenv(fetch.URL_ENV, url)
    with pytest.raises(FetchError, match=rf"could not download MNIST from {url} .*refused"):
        fetch_mnist()
    assert leftovers(no_local_mnist) == []


def test_load_mnist_downloads_when_nothing_is_local(served, no_local_mnist):
    (x_train, _), _ = load_mnist()
    assert x_train.shape == (60000, 28, 28) and no_local_mnist.is_file()


def test_the_cli_fetches_with_a_progress_line_and_names_the_file(served, no_local_mnist):
    run = fetch_cli(cli_env(no_local_mnist, served.url, served.sha256))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"downloading {served.url}"
    assert "100%" in lines[1]
    assert lines[-1] == f"mnist={no_local_mnist}"
    assert load_mnist()[1][1].shape == (10000,)


@pytest.mark.parametrize("failure", ["wrong hash", "refused"])
def test_the_cli_fails_with_one_line_and_exit_2(mnist_server, no_local_mnist, failure):
    if failure == "wrong hash":
        env = cli_env(no_local_mnist, mnist_server.url, "0" * 64)
    else:
        env = cli_env(no_local_mnist, refused_url(), mnist_server.sha256)
    run = fetch_cli(env)
    assert run.returncode == 2
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "by hand" in lines[0]
    assert leftovers(no_local_mnist) == []
