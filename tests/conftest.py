"""Fixtures shared by every test module: real MNIST when reachable (also served over HTTP on
127.0.0.1 for download tests), quiet TensorFlow, and real databases (SQLite in a temporary
file, a throwaway PostgreSQL cluster)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from services import POSTGRES_MISSING, PostgresCluster

from softmax.data import find_mnist, load_mnist, sha256_of
from softmax.links import PUBLIC_URL_ENV
from softmax.model import quiet_tensorflow
from softmax.store import DATABASE_URL_ENV

quiet_tensorflow()


def _mnist_path():
    try:
        return find_mnist()
    except ValueError:
        return None


MNIST_PATH = _mnist_path()
needs_mnist = pytest.mark.skipif(
    MNIST_PATH is None,
    reason="real MNIST not reachable: set SOFTMAX_MNIST to an mnist.npz (CI uses ../shared/mnist)",
)


@pytest.fixture(scope="session")
def mnist() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """`(x_train, y_train), (x_test, y_test)` from the real MNIST; skips when it is not reachable."""
    if MNIST_PATH is None:
        pytest.skip("real MNIST not reachable: set SOFTMAX_MNIST to an mnist.npz")
    return load_mnist(MNIST_PATH)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 for the whole run (tests/services.py);
    skips with the reason when Debian's PostgreSQL is not installed (CI installs it)."""
    if POSTGRES_MISSING:
        pytest.skip(POSTGRES_MISSING)
    cluster = PostgresCluster()
    yield cluster
    cluster.destroy()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind, one per test: SQLite in a temporary file, and a new
    database on the session's PostgreSQL cluster."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'studio.db'}"
    return request.getfixturevalue("postgres").create_database()


@dataclass
class MnistServer:
    """A local HTTP server with the real mnist.npz at `url`; `requests` counts its downloads."""

    url: str
    sha256: str
    path: Path
    requests: int = 0


@pytest.fixture(scope="session")
def mnist_server():
    """Serves the real MNIST file on 127.0.0.1 (a free port) for the whole session."""
    if MNIST_PATH is None:
        pytest.skip("real MNIST not reachable: set SOFTMAX_MNIST to an mnist.npz")
    body = MNIST_PATH.read_bytes()
    served = MnistServer("", sha256_of(MNIST_PATH), MNIST_PATH)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/mnist.npz":
                self.send_error(404)
                return
            served.requests += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep pytest's output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.url = f"http://127.0.0.1:{server.server_address[1]}/mnist.npz"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_local_mnist(tmp_path, monkeypatch) -> Path:
    """No SOFTMAX_MNIST and an empty Keras cache (KERAS_HOME in tmp_path): MNIST must be
    fetched. Returns where Keras' cache keeps it."""
    monkeypatch.delenv("SOFTMAX_MNIST", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    return tmp_path / "keras-home" / "datasets" / "mnist.npz"


@pytest.fixture
def mnist_to_fetch(mnist_server, no_local_mnist, monkeypatch) -> Path:
    """No local MNIST, and its download pointed at the local server with that file's sha256.
    Returns where the download lands, in Keras' cache."""
    monkeypatch.setenv("SOFTMAX_MNIST_URL", mnist_server.url)
    monkeypatch.setenv("SOFTMAX_MNIST_SHA256", mnist_server.sha256)
    return no_local_mnist


@pytest.fixture
def class_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary SQLite file that the class pages' store opens (SOFTMAX_DATABASE_URL), with
    the shipped default model and no public URL: the pages as a fresh server has them."""
    path = tmp_path / "studio.db"
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{path}")
    monkeypatch.delenv("SOFTMAX_MODEL", raising=False)
    monkeypatch.delenv(PUBLIC_URL_ENV, raising=False)
    monkeypatch.setenv("SOFTMAX_SAVED_MODEL", str(tmp_path / "none-saved.npz"))
    return path
