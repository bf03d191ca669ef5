"""The bench's numpy SGD loop (the notebook's training without Keras, as a speed reference),
and the bench scripts themselves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from softmax.bench import numpy_sgd
from softmax.data import digits_dataset
from softmax.recipes import MEASURED_ACCURACY

BENCHES = sorted(Path(__file__).resolve().parents[1].glob("bench/*.py"))
PAGES = {"minimal_app.py"}  # a Streamlit script (`streamlit run`), not a command


def test_the_numpy_loop_learns_what_keras_sgd_learns_on_the_8x8_digits():
    digits = digits_dataset()
    seconds, accuracy = numpy_sgd(digits.train, digits.test, epochs=100, batch_size=32)
    assert seconds > 0
    assert accuracy == pytest.approx(MEASURED_ACCURACY["notebook", "digits"], abs=0.02)


@pytest.mark.slow
def test_the_numpy_loop_reaches_the_notebooks_accuracy_on_mnist(mnist):
    _, accuracy = numpy_sgd(*mnist)
    assert accuracy == pytest.approx(MEASURED_ACCURACY["notebook", "mnist"], abs=0.005)


@pytest.mark.parametrize(
    "script", [b for b in BENCHES if b.name not in PAGES], ids=lambda b: b.name
)
def test_every_bench_starts_from_anywhere(script, tmp_path):
    """Each bench imports what it needs by itself: run from another folder, without PYTHONPATH,
    `--help` prints its usage (a bench that broke when the tests' helpers moved went unseen)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, str(script), "--help"], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:")
