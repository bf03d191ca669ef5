"""Scoring a classifier: accuracy, per-digit accuracy and the confusion matrix."""

from __future__ import annotations

import numpy as np

from softmax.evaluation import evaluate
from softmax.model import SoftmaxClassifier


def test_the_confusion_matrix_has_true_digits_in_rows():
    always_three = SoftmaxClassifier(np.zeros((64, 10)), np.eye(10)[3])
    labels = np.array([0, 3, 3, 7])
    result = evaluate(always_three, np.zeros((4, 8, 8), dtype=np.uint8), labels)
    assert result.confusion[0, 3] == 1 and result.confusion[3, 3] == 2
    assert result.confusion[7, 3] == 1 and result.n == 4
    assert result.accuracy == 0.5
    assert result.per_class_accuracy[3] == 1 and result.per_class_accuracy[0] == 0
