"""Teaching a class's handwriting: the split by student, the class's weight, the fit itself."""

from __future__ import annotations

import numpy as np
import pytest

from softmax.class_training import (
    CLASS_BUDGET,
    MAX_CLASS_WEIGHT,
    class_weight,
    split_by_student,
    teach,
    teaching_recipe,
)
from softmax.classroom import ClassDrawings
from softmax.data import digits_dataset
from softmax.recipes import get_recipe


def drawings(students: list[str]) -> ClassDrawings:
    """A class whose i-th drawing is by students[i] (the images do not matter to the split)."""
    n = len(students)
    return ClassDrawings(
        code="ABC123",
        ids=np.array([f"id-{i}" for i in range(n)]),
        x=np.zeros((n, 28, 28), dtype=np.uint8),
        y=np.arange(n, dtype=np.uint8) % 10,
        predicted=np.zeros(n, dtype=np.uint8),
        probabilities=np.full((n, 10), 0.1, dtype=np.float32),
        student_ids=np.array(students),
        created=np.zeros(n, dtype="datetime64[us]"),
        model_fingerprints=np.array(["f"] * n),
        nicknames={s: None for s in set(students)},
    )


def test_the_split_keeps_each_student_on_one_side():
    students = [f"s{i % 12}" for i in range(120)]  # 12 students, 10 digits each
    split = split_by_student(drawings(students))
    held_out = set(np.array(students)[split.held_out])
    trained = set(np.array(students)[split.train])
    assert not held_out & trained
    assert held_out == set(split.held_out_students)
    assert len(held_out) == 3  # a quarter of 12
    assert split.n_train + split.n_held_out == 120
    again = split_by_student(drawings(students))  # the same class splits the same way
    assert again.held_out_students == split.held_out_students
    assert np.array_equal(again.held_out, split.held_out)


def test_two_students_hold_one_out_and_one_student_holds_none():
    assert len(split_by_student(drawings(["a", "b"] * 5)).held_out_students) == 1
    alone = split_by_student(drawings(["a"] * 10))
    assert alone.n_held_out == 0 and alone.n_train == 10


def test_the_class_shares_a_fixed_budget_of_weight():
    for n in (200, 225, 300, 1000, 5000):
        assert class_weight(n) * n == pytest.approx(CLASS_BUDGET)
    assert class_weight(300) > class_weight(1000)  # a larger class: less weight per digit
    assert class_weight(20) == MAX_CLASS_WEIGHT  # a few digits are never weighed in hundreds
    with pytest.raises(ValueError, match="at least one digit"):
        class_weight(0)


def test_the_class_model_learns_the_drawn_recipe():
    assert teaching_recipe() == get_recipe("drawn")


def test_teaching_learns_a_handwriting_the_data_lacks():
    """A 'class' that writes every digit mirrored: the taught model reads the class's other
    mirrored digits far better than the same recipe without them, and says what it learned."""
    data = digits_dataset()
    (x_train, y_train), (x_test, y_test) = data.train, data.test
    recipe = get_recipe("default", "digits", epochs=5)
    mirrored = x_train[:100, :, ::-1], y_train[:100]
    taught = teach(mirrored, data, recipe=recipe).classifier
    plain = teach(mirrored, data, recipe=recipe, weight=1e-6).classifier  # the class weighs nothing
    unseen = x_test[:, :, ::-1]
    assert taught.accuracy(unseen, y_test) > plain.accuracy(unseen, y_test) + 0.1
    assert taught.metadata["extra_size"] == 100
    assert taught.metadata["extra_weight"] == class_weight(100)
