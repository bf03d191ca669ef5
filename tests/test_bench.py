"""The bench's numpy SGD loop: the notebook's training without Keras, as a speed reference."""

from __future__ import annotations

import pytest

from softmax.bench import numpy_sgd
from softmax.data import digits_dataset
from softmax.recipes import MEASURED_ACCURACY


def test_the_numpy_loop_learns_what_keras_sgd_learns_on_the_8x8_digits():
    digits = digits_dataset()
    seconds, accuracy = numpy_sgd(digits.train, digits.test, epochs=100, batch_size=32)
    assert seconds > 0
    assert accuracy == pytest.approx(MEASURED_ACCURACY["notebook", "digits"], abs=0.02)


@pytest.mark.slow
def test_the_numpy_loop_reaches_the_notebooks_accuracy_on_mnist(mnist):
    _, accuracy = numpy_sgd(*mnist)
    assert accuracy == pytest.approx(MEASURED_ACCURACY["notebook", "mnist"], abs=0.005)
