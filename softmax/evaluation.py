"""How well a classifier reads labelled digits: accuracy, per-digit accuracy, confusion matrix.

Used by the CLI's `evaluate`, the test-set explorer and `train.fit` (which scores every model it
trains on MNIST's test set and on held-out drawn digits). Pure numpy: no TensorFlow.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np

from softmax.model import SoftmaxClassifier

DRAWN_HELD_OUT = 1000  # drawn digits (split="test") every 28×28 model is scored on: ±1.5% at 95%


@dataclass(frozen=True)
class Evaluation:
    """How a classifier does on a labelled set."""

    accuracy: float
    per_class_accuracy: np.ndarray  # (10,) recall of each digit
    confusion: np.ndarray  # (10, 10) int counts, rows = true digit, columns = predicted

    @property
    def n(self) -> int:
        return int(self.confusion.sum())

    @classmethod
    def of(cls, labels: np.ndarray, predicted: np.ndarray, n_classes: int = 10) -> Evaluation:
        """Score predicted digits against the true ones, both (n,) ints."""
        k = n_classes
        cells = np.asarray(labels, dtype=np.int64) * k + np.asarray(predicted)  # (n,) in 0..k²-1
        confusion = np.bincount(cells, minlength=k * k).reshape(k, k)  # (10, 10)
        per_class = confusion.diagonal() / np.maximum(confusion.sum(axis=1), 1)
        return cls(float(np.trace(confusion) / confusion.sum()), per_class, confusion)


def evaluate(classifier: SoftmaxClassifier, images: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Score `classifier` on images (uint8 0–255 or float 0–1), deskewing them if it expects so."""
    predicted = classifier.logits(classifier.prepare(images)).argmax(axis=1)  # (n,)
    return Evaluation.of(labels, predicted, classifier.n_classes)


def drawn_accuracy(classifier: SoftmaxClassifier) -> float:
    """Accuracy on held-out generated drawn digits: closer to the app's inputs than MNIST's test set.

    The held-out split uses seeds and styles that `drawn_digits(split="train")` never produces.
    """
    images, labels = _drawn_held_out()
    return evaluate(classifier, images, labels).accuracy


def prefetch_drawn_held_out() -> None:
    """Start generating the held-out drawn digits in a background thread, so that scoring a
    model on them later (`drawn_accuracy`) need not wait: `train.fit` calls it before training."""
    threading.Thread(target=_drawn_held_out, name="drawn-held-out", daemon=True).start()


_GENERATING = threading.Lock()  # one generation per process, prefetched or asked for


def _drawn_held_out() -> tuple[np.ndarray, np.ndarray]:
    """Generated once per process (~2–4 s): every training run in the app is scored on it."""
    with _GENERATING:
        return _generate_drawn_held_out()


@functools.cache
def _generate_drawn_held_out() -> tuple[np.ndarray, np.ndarray]:
    from softmax.drawn import drawn_digits

    images, labels = drawn_digits(DRAWN_HELD_OUT, split="test")  # (1000, 28, 28), (1000,)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels
