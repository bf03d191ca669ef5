"""Fixtures shared by every test module: real MNIST when reachable, quiet TensorFlow, and real
databases (SQLite in a temporary file, a throwaway PostgreSQL cluster)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from services import POSTGRES_MISSING, PostgresCluster

from softmax.data import find_mnist, load_mnist
from softmax.model import quiet_tensorflow

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
