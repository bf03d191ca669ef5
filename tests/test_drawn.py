"""softmax.drawn: synthetic canvas drawings, rendered like the browser and preprocessed like the app."""

from __future__ import annotations

import numpy as np
import pytest

from softmax.drawn import (
    CANVAS,
    SPLITS,
    TEMPLATES,
    Drawing,
    drawn_digits,
    random_digit,
    render_strokes,
    smooth_stroke,
)
from softmax.preprocess import canvas_to_mnist, deskew


@pytest.fixture(scope="module")
def some_digits() -> tuple[np.ndarray, np.ndarray]:
    return drawn_digits(40, seed=3)


def test_the_same_seed_gives_the_same_digits(some_digits):
    images, labels = drawn_digits(40, seed=3)
    assert np.array_equal(images, some_digits[0])
    assert np.array_equal(labels, some_digits[1])


def test_another_seed_or_split_gives_other_digits(some_digits):
    for other, _ in (drawn_digits(40, seed=4), drawn_digits(40, seed=3, split="test")):
        assert not np.array_equal(other, some_digits[0])


def test_a_longer_set_extends_a_shorter_one(some_digits):
    images, labels = drawn_digits(15, seed=3)
    assert np.array_equal(images, some_digits[0][:15])
    assert np.array_equal(labels, some_digits[1][:15])


def test_labels_are_balanced_uint8_digits(some_digits):
    _, labels = some_digits
    assert labels.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == [4] * 10


def test_images_are_28x28_float32_in_0_1(some_digits):
    images, _ = some_digits
    assert images.shape == (40, 28, 28)
    assert images.dtype == np.float32
    assert images.min() == 0.0
    assert np.allclose(images.max(axis=(1, 2)), 1.0)


def test_drawn_digits_are_canvases_preprocessed_like_the_app(some_digits):
    images, labels = some_digits
    for i in (0, 7, 39):
        drawing = random_digit(int(labels[i]), np.random.default_rng((3, 0, i)))
        np.testing.assert_array_equal(canvas_to_mnist(drawing.canvas()), images[i])


def test_mode_and_deskew_are_passed_on_to_the_preprocessing():
    naive, _ = drawn_digits(10, seed=5, mode="naive")
    straight, _ = drawn_digits(10, seed=5, deskew=True)
    centred, _ = drawn_digits(10, seed=5)
    assert not np.array_equal(naive, centred)
    np.testing.assert_allclose(straight, deskew(centred), atol=1e-6)


def test_render_strokes_follows_the_canvas_conventions():
    canvas = render_strokes([[(40, 140), (240, 140)]], 20)
    assert canvas.shape == (CANVAS, CANVAS, 4)
    assert canvas.dtype == np.uint8
    assert (canvas[..., 3] == 255).all()  # opaque, like a canvas with a black background
    assert np.array_equal(canvas[..., 0], canvas[..., 1])  # white: R = G = B
    assert np.array_equal(canvas[..., 0], canvas[..., 2])
    assert canvas[0, 0, 0] == 0 and canvas[140, 140, 0] == 255
    assert ((canvas[..., 0] > 0) & (canvas[..., 0] < 255)).any()  # anti-aliased edges


def test_a_line_is_as_wide_as_the_pen_with_round_caps():
    ink = render_strokes([[(40, 140), (240, 140)]], 20)[..., 0] / 255
    assert ink[:, 140].sum() == pytest.approx(20, abs=0.5)  # across the line
    assert ink[140].sum() == pytest.approx(200 + 20, abs=1)  # along it: half a pen at each end


def test_a_one_point_stroke_is_a_dot_as_wide_as_the_pen():
    ink = render_strokes([[(140, 140)]], 16)[..., 0] / 255
    assert ink.sum() == pytest.approx(np.pi * 8**2, rel=0.05)


def test_smooth_stroke_passes_through_its_points():
    points = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 1.0], [4.0, 4.0]])
    curve = smooth_stroke(points, per_segment=10)
    assert np.allclose(curve[::10], points)


def test_random_digit_is_a_drawing_that_stays_on_the_canvas():
    rng = np.random.default_rng(0)
    for split in SPLITS:
        for digit in range(10):
            drawing = random_digit(digit, rng, split)
            assert isinstance(drawing, Drawing) and drawing.digit == digit
            every = np.concatenate(drawing.strokes)
            assert every.min() >= drawing.width / 2 and every.max() <= CANVAS - drawing.width / 2
            assert 8 <= drawing.width <= 34


def test_every_digit_has_several_training_styles_and_a_held_out_one():
    for digit in range(10):
        styles = [t for t in TEMPLATES if t.digit == digit]
        assert sum(not t.held_out for t in styles) >= 3
        assert sum(t.held_out for t in styles) >= 1


def test_held_out_styles_are_drawn_only_in_the_test_split():
    held_out = {t.name for t in TEMPLATES if t.digit == 8 and t.held_out}
    seen = {
        split: {random_digit(8, np.random.default_rng(i), split).style for i in range(60)}
        for split in SPLITS
    }
    assert not seen["train"] & held_out
    assert seen["test"] & held_out


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda: random_digit(10, np.random.default_rng(0)), "digit must be 0–9; got 10"),
        (
            lambda: drawn_digits(5, split="validation"),
            "split must be one of train, test; got 'validation'",
        ),
        (lambda: drawn_digits(5, mode="pretty"), "mode must be one of mnist, naive; got 'pretty'"),
    ],
    ids=["digit", "split", "mode"],
)
def test_bad_arguments_are_refused_naming_the_allowed_values(call, named):
    with pytest.raises(ValueError, match=named):
        call()
