"""Teaching the model a class's handwriting: which digits it learns from, and the honest score.

The class's labelled drawings are split **by student**: the digits of about a quarter of the
students (at least one) are held out of training, so "after" is measured on handwriting the new
model never saw, as the class's next students will be. The model trains on the `drawn` recipe
(MNIST plus generated drawings, deskewed) plus the other students' digits, each weighing
`recipes.CLASS_WEIGHT` in the loss (bench/class_model.py measured the weight); the Classroom
page runs that fit in the training child process (softmax/training_jobs.py). `compare` scores
the class's current model and the new one on the held-out digits and on MNIST's test set.
No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from softmax.classroom import ClassDrawings
from softmax.evaluation import evaluate
from softmax.model import SoftmaxClassifier

HELD_OUT_SHARE = 0.25  # of the students: their digits are kept out of training, to score on
LEAST_TO_TRAIN = 20  # labelled digits before teaching is offered
SEED = 0


@dataclass(frozen=True)
class Split:
    """Which of a class's drawings train the model and which score it (boolean masks)."""

    train: np.ndarray  # (n,) bool
    held_out: np.ndarray  # (n,) bool
    held_out_students: tuple[str, ...]

    @property
    def n_train(self) -> int:
        return int(self.train.sum())

    @property
    def n_held_out(self) -> int:
        return int(self.held_out.sum())


def split_by_student(data: ClassDrawings, share: float = HELD_OUT_SHARE, seed: int = SEED) -> Split:
    """Hold out the digits of `share` of the students (at least one, when there are two or more;
    none with one student: then nothing honest can be measured, and the split says so)."""
    students = sorted(set(data.student_ids.tolist()))
    rng = np.random.default_rng(seed)
    rng.shuffle(students)
    n_out = min(max(1, round(share * len(students))), len(students) - 1) if students else 0
    out = tuple(sorted(students[:n_out]))
    held_out = np.isin(data.student_ids, out)
    return Split(~held_out, held_out, out)


@dataclass(frozen=True)
class Score:
    """One model's accuracy on the held-out students' digits and on MNIST's test set."""

    held_out: float | None  # None: no held-out digits
    mnist: float | None  # None: MNIST not available


@dataclass(frozen=True)
class Comparison:
    before: Score
    after: Score
    n_held_out: int
    n_trained: int


def score(
    classifier: SoftmaxClassifier,
    data: ClassDrawings,
    split: Split,
    mnist_test: tuple[np.ndarray, np.ndarray] | None,
) -> Score:
    held_out = None
    if split.n_held_out:
        held_out = evaluate(classifier, data.x[split.held_out], data.y[split.held_out]).accuracy
    on_mnist = None if mnist_test is None else evaluate(classifier, *mnist_test).accuracy
    return Score(held_out, on_mnist)


def compare(
    before: SoftmaxClassifier,
    after: SoftmaxClassifier,
    data: ClassDrawings,
    split: Split,
    mnist_test: tuple[np.ndarray, np.ndarray] | None,
) -> Comparison:
    """The class's model before and the taught one after, on the same held-out digits."""
    return Comparison(
        score(before, data, split, mnist_test),
        score(after, data, split, mnist_test),
        split.n_held_out,
        split.n_train,
    )
