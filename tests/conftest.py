"""Fixtures shared by every test module: real MNIST when reachable, quiet TensorFlow."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from softmax.data import find_mnist, load_mnist


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
