"""Fixtures shared by every test module: real MNIST when reachable, quiet TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest

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
