"""softmax.counterfactual: the least ink that flips the answer (exact), and edited weights."""

from __future__ import annotations

import numpy as np
import pytest

from softmax.counterfactual import MARGIN, Flip, edit_weights, smallest_flip
from softmax.drawn import drawn_digits
from softmax.model import SoftmaxClassifier, shipped_path


@pytest.fixture(scope="session")
def classifier() -> SoftmaxClassifier:
    """The app's model: it deskews, so its inputs are deskewed drawings."""
    return SoftmaxClassifier.load(shipped_path("drawn"))


@pytest.fixture(scope="session")
def drawn(classifier) -> tuple[np.ndarray, np.ndarray]:
    """30 held-out drawings (three of each digit) as the app's model sees them."""
    images, labels = drawn_digits(30, seed=5, split="test", deskew=classifier.deskew)
    return images, labels


def random_classifier(side: int, seed: int) -> SoftmaxClassifier:
    """A small softmax with random weights: a different QP than MNIST's, just as exact."""
    rng = np.random.default_rng(seed)
    return SoftmaxClassifier(rng.normal(0, 1, (side * side, 10)), rng.normal(0, 1, 10))


def reference_flip(classifier: SoftmaxClassifier, x: np.ndarray, target: int) -> np.ndarray:
    """The same QP solved by a general-purpose solver (SciPy's SLSQP): δ (n,)."""
    optimize = pytest.importorskip("scipy.optimize")
    x = x.reshape(-1).astype(np.float64)
    weights, bias = classifier.weights.astype(np.float64), classifier.bias.astype(np.float64)
    d = np.delete(weights[:, [target]] - weights, target, axis=1)  # (n, 9)
    c = np.delete(bias[target] - bias, target) - MARGIN
    result = optimize.minimize(
        lambda delta: 0.5 * delta @ delta,
        np.zeros_like(x),
        jac=lambda delta: delta,
        bounds=list(zip(-x, 1 - x, strict=True)),
        constraints=[
            {"type": "ineq", "fun": lambda delta: (x + delta) @ d + c, "jac": lambda _: d.T}
        ],
        method="SLSQP",
        options={"maxiter": 1000, "ftol": 1e-14},
    )
    assert result.success, result.message
    return result.x


def lead(classifier: SoftmaxClassifier, x: np.ndarray, target: int) -> float:
    """logit_target − the best other logit, in float64: by how much the target wins."""
    logits = x.reshape(-1).astype(np.float64) @ classifier.weights + classifier.bias
    return float(logits[target] - np.delete(logits, target).max())


def check_flip(flip: Flip, classifier: SoftmaxClassifier, target: int) -> None:
    """What every successful flip must be: the target wins, inside [0, 1], consistent numbers."""
    assert flip.status in ("flipped", "already")
    assert classifier.predict(flip.new_x).digit == target == flip.digit
    assert flip.new_x.min() >= 0 and flip.new_x.max() <= 1
    np.testing.assert_allclose(flip.x + flip.delta, flip.new_x, atol=1e-7)
    np.testing.assert_allclose(flip.probabilities, classifier.predict_proba(flip.new_x)[0])


def test_every_drawn_digit_can_be_flipped_to_every_other_digit(classifier, drawn):
    images, _ = drawn
    for x in images:
        for target in range(10):
            check_flip(smallest_flip(classifier, x, target), classifier, target)


def test_real_mnist_test_digits_flip_to_every_target(classifier, mnist):
    (_, _), (x_test, _) = mnist
    for x in classifier.prepare(x_test[:40]):
        for target in range(10):
            check_flip(smallest_flip(classifier, x, target), classifier, target)


def test_the_target_wins_by_the_margin_and_no_more_against_its_closest_rival(classifier, drawn):
    images, labels = drawn
    flip = smallest_flip(classifier, images[0], (int(labels[0]) + 5) % 10)
    assert lead(classifier, flip.new_x, flip.target) == pytest.approx(MARGIN, abs=1e-6)


def test_any_smaller_change_in_the_same_direction_falls_short(classifier, drawn):
    images, _ = drawn
    for x in images[:10]:
        for target in range(10):
            flip = smallest_flip(classifier, x, target)
            if flip.status == "flipped":
                assert lead(classifier, flip.x + 0.99 * flip.delta, target) < MARGIN


def test_against_one_rival_the_change_is_the_clipped_ray_along_w_target_minus_w_rival(
    classifier, drawn
):
    images, _ = drawn
    flips = [smallest_flip(classifier, x, t) for x in images[:10] for t in range(10)]
    single = [f for f in flips if len(f.competitors) == 1]
    assert len(single) > 10
    weights = classifier.weights.astype(np.float64)
    for flip in single:
        (rival,) = flip.competitors
        lam = flip.multipliers[rival]

        def ray(lam, flip=flip, rival=rival):
            direction = (weights[:, flip.target] - weights[:, rival]).reshape(28, 28)
            return np.clip(flip.x + lam * direction, 0, 1)

        np.testing.assert_allclose(ray(lam), flip.new_x, atol=1e-6)
        assert lead(classifier, ray(lam * (1 - 1e-6)), flip.target) < MARGIN


def test_the_flip_matches_a_general_purpose_solver_on_small_random_models():
    for seed in range(12):
        classifier = random_classifier(8, seed)
        rng = np.random.default_rng(100 + seed)
        x = rng.uniform(0, 1, (8, 8)) * (rng.uniform(0, 1, (8, 8)) < 0.4)
        for target in range(10):
            flip = smallest_flip(classifier, x, target)
            if flip.status != "flipped":
                continue
            reference = reference_flip(classifier, x, target)
            assert flip.norm <= np.linalg.norm(reference) + 1e-5  # never larger than the optimum
            np.testing.assert_allclose(flip.delta.reshape(-1), reference, atol=1e-3)


@pytest.mark.slow
def test_the_flip_matches_a_general_purpose_solver_on_the_apps_model(classifier, drawn):
    images, _ = drawn
    for x, target in ((images[0], 8), (images[7], 1)):
        reference = reference_flip(classifier, x, target)
        flip = smallest_flip(classifier, x, target)
        assert flip.norm == pytest.approx(np.linalg.norm(reference), abs=1e-5)


def test_the_change_reports_ink_added_and_removed(classifier, drawn):
    images, _ = drawn
    flip = smallest_flip(classifier, images[1], (classifier.predict(images[1]).digit + 3) % 10)
    assert flip.status == "flipped"
    delta = flip.delta.astype(np.float64)
    assert flip.ink_added == pytest.approx(delta[delta > 0].sum())
    assert flip.ink_removed == pytest.approx(-delta[delta < 0].sum())
    assert flip.norm == pytest.approx(np.sqrt((delta**2).sum()))
    assert flip.ink_added > 0 and flip.ink_removed >= 0


def test_the_predicted_digit_needs_no_change(classifier, drawn):
    images, _ = drawn
    digit = classifier.predict(images[2]).digit
    flip = smallest_flip(classifier, images[2], digit)
    assert flip.status == "already"
    assert flip.norm == 0 and not flip.competitors


def impossible_classifier() -> SoftmaxClassifier:
    """Digit 3 has no weights and a bias far below every other digit's: it can never win."""
    rng = np.random.default_rng(0)
    weights = rng.normal(0, 0.1, (784, 10)).astype(np.float32)
    weights[:, 3] = 0
    bias = np.zeros(10, np.float32)
    bias[3] = -1000
    return SoftmaxClassifier(weights, bias)


def test_a_target_that_cannot_win_anywhere_in_0_1_is_reported_not_raised(drawn):
    images, _ = drawn
    flip = smallest_flip(impossible_classifier(), images[0], 3)
    assert flip.status == "impossible"
    np.testing.assert_array_equal(flip.new_x, flip.x)
    assert flip.digit != 3


def test_rivals_that_can_each_be_beaten_but_not_together_make_the_flip_impossible():
    """t = 0 beats 1 only where pixel 0 < 0.5 and beats 2 only where pixel 0 > 0.5."""
    weights = np.zeros((784, 10), np.float32)
    bias = np.full(10, -50.0, np.float32)
    bias[0] = 0.0
    weights[0, 1], bias[1] = 1.0, -0.5  # logit_1 = x_0 − 0.5
    weights[0, 2], bias[2] = -1.0, 0.5  # logit_2 = 0.5 − x_0
    classifier = SoftmaxClassifier(weights, bias)
    x = np.zeros((28, 28), np.float32)  # logit_2 = 0.5 > logit_0 = 0
    assert smallest_flip(classifier, x, 0).status == "impossible"
    assert smallest_flip(classifier, x, 1).status == "flipped"  # the others still work


@pytest.mark.parametrize(
    ("x", "target", "margin", "named"),
    [
        (np.zeros((28, 28)), 10, MARGIN, "digit"),
        (np.zeros((28, 28)), True, MARGIN, "digit"),
        (np.zeros((28, 28)), 3, 0.0, "margin"),
        (np.zeros((8, 8)), 3, MARGIN, r"\(8, 8\)"),
        (np.full((28, 28), 2.0), 3, MARGIN, r"\[0, 1\]"),
        (np.full((28, 28), np.nan), 3, MARGIN, r"\[0, 1\]"),
    ],
    ids=["target-10", "target-bool", "margin-0", "shape", "above-1", "nan"],
)
def test_bad_arguments_are_refused_naming_what_is_wrong(classifier, x, target, margin, named):
    with pytest.raises(ValueError, match=named):
        smallest_flip(classifier, x, target, margin)


# --- edited weights ----------------------------------------------------------------------------


def test_an_edit_scales_one_digits_weights_inside_a_rectangle_only(classifier):
    edited = edit_weights(classifier, 7, (0, 0, 14, 28), 0.0)  # the top half of 7's map
    before = classifier.weights.reshape(28, 28, 10)
    after = edited.weights.reshape(28, 28, 10)
    assert not after[:14, :, 7].any()
    np.testing.assert_array_equal(after[14:, :, 7], before[14:, :, 7])
    np.testing.assert_array_equal(np.delete(after, 7, axis=2), np.delete(before, 7, axis=2))
    np.testing.assert_array_equal(edited.bias, classifier.bias)


def test_a_mask_and_the_same_rectangle_give_the_same_edit(classifier):
    mask = np.zeros((28, 28), bool)
    mask[5:12, 3:20] = True
    by_mask = edit_weights(classifier, 2, mask, 1.5)
    by_rectangle = edit_weights(classifier, 2, (5, 3, 12, 20), 1.5)
    np.testing.assert_array_equal(by_mask.weights, by_rectangle.weights)
    np.testing.assert_allclose(
        by_mask.weights.reshape(28, 28, 10)[mask, 2],
        1.5 * classifier.weights.reshape(28, 28, 10)[mask, 2],
    )


def test_the_original_model_is_untouched_and_stays_read_only(classifier):
    weights, fingerprint = np.array(classifier.weights), classifier.fingerprint
    edited = edit_weights(classifier, 4, (0, 0, 28, 28), 0.0)
    np.testing.assert_array_equal(classifier.weights, weights)
    assert classifier.fingerprint == fingerprint != edited.fingerprint
    assert not classifier.weights.flags.writeable and not edited.weights.flags.writeable
    assert "edits" not in classifier.metadata


def test_zeroing_a_digits_whole_map_leaves_only_its_bias(classifier, drawn):
    images, _ = drawn
    edited = edit_weights(classifier, 5, np.ones((28, 28), bool), 0.0)
    np.testing.assert_allclose(edited.logits(images)[:, 5], classifier.bias[5])


def test_edits_add_up_in_the_metadata(classifier):
    once = edit_weights(classifier, 1, (0, 0, 5, 5), 2.0)
    twice = edit_weights(once, 8, (10, 10, 12, 12), 0.0)
    assert twice.metadata["edits"] == [
        {"digit": 1, "pixels": 25, "scale": 2.0},
        {"digit": 8, "pixels": 4, "scale": 0.0},
    ]
    assert twice.recipe == classifier.recipe


@pytest.mark.parametrize(
    ("digit", "region", "scale", "named"),
    [
        (10, (0, 0, 5, 5), 0.0, "digit"),
        (1, (0, 0, 29, 5), 0.0, "inside"),
        (1, (5, 5, 5, 9), 0.0, "empty"),
        (1, np.ones((8, 8), bool), 0.0, r"\(28, 28\)"),
        (1, np.ones((28, 28)), 0.0, "boolean"),
        (1, (0, 0, 5, 5), float("inf"), "finite"),
    ],
    ids=["digit", "outside", "empty", "mask-shape", "mask-dtype", "scale"],
)
def test_bad_edits_are_refused_naming_what_is_wrong(classifier, digit, region, scale, named):
    with pytest.raises(ValueError, match=named):
        edit_weights(classifier, digit, region, scale)
