"""softmax.explain: weight maps, per-pixel votes and the logit split, checked on the shipped model."""

from __future__ import annotations

import numpy as np
import pytest

from softmax import explain
from softmax.drawn import render_strokes
from softmax.model import SoftmaxClassifier
from softmax.preprocess import canvas_to_mnist


@pytest.fixture(scope="session")
def classifier() -> SoftmaxClassifier:
    return SoftmaxClassifier.load()


@pytest.fixture(scope="session")
def seven() -> np.ndarray:
    """A 7 drawn like on the canvas, preprocessed like the app does: (28, 28) in [0, 1]."""
    return canvas_to_mnist(render_strokes([[(70, 60), (210, 60), (120, 240)]], width=20))


def test_weight_maps_are_the_columns_of_w_as_28_by_28_images(classifier):
    maps = explain.weight_maps(classifier)
    assert maps.shape == (10, 28, 28)
    row, col = 13, 21
    np.testing.assert_array_equal(maps[:, row, col], classifier.weights[row * 28 + col])


def test_evidence_maps_are_the_input_times_each_digits_weights(classifier, seven):
    votes = explain.evidence(classifier, seven)
    assert votes.shape == (10, 28, 28)
    for k in (0, 7):
        np.testing.assert_allclose(votes[k], seven * classifier.weights[:, k].reshape(28, 28))


def test_evidence_accepts_a_flat_input(classifier, seven):
    np.testing.assert_array_equal(
        explain.evidence(classifier, seven.reshape(784)), explain.evidence(classifier, seven)
    )


def test_evidence_rejects_a_batch(classifier, seven):
    with pytest.raises(ValueError, match=r"one input.*\(2, 28, 28\)"):
        explain.evidence(classifier, np.stack([seven, seven]))


def test_the_logit_decomposition_sums_to_the_classifiers_logits(classifier, seven):
    decomposition = explain.decompose_logits(classifier, seven)
    np.testing.assert_allclose(decomposition.logits, classifier.logits(seven)[0], atol=1e-5)


def test_votes_for_are_positive_and_votes_against_negative(classifier, seven):
    decomposition = explain.decompose_logits(classifier, seven)
    assert (decomposition.positive > 0).all()
    assert (decomposition.negative < 0).all()


def test_a_blank_input_scores_only_the_bias(classifier):
    decomposition = explain.decompose_logits(classifier, np.zeros((28, 28), np.float32))
    np.testing.assert_array_equal(decomposition.logits, classifier.bias.astype(np.float64))


def test_top_lists_the_classes_with_the_largest_logits_best_first(classifier, seven):
    decomposition = explain.decompose_logits(classifier, seven)
    top = decomposition.top(3)
    assert top[0] == classifier.predict(seven).digit
    assert list(decomposition.logits[top]) == sorted(decomposition.logits, reverse=True)[:3]


def test_the_symmetric_limit_is_the_largest_magnitude():
    assert explain.symmetric_limit(np.array([[-3.0, 1.0], [2.0, 0.5]])) == 3.0


def test_a_quantile_limit_lets_the_rarest_values_saturate():
    values = np.concatenate([np.linspace(-1, 1, 999), [50.0]])
    assert explain.symmetric_limit(values, quantile=0.99) < 1.0


def test_all_zero_maps_still_get_a_usable_scale():
    assert explain.symmetric_limit(np.zeros((10, 28, 28))) == 1.0


def test_the_explanation_names_the_winner_its_votes_and_the_runner_up(classifier, seven):
    decomposition = explain.decompose_logits(classifier, seven)
    first, second = decomposition.top(2)
    text = explain.explain_in_words(decomposition)
    assert text.startswith(f"**{first}**")
    assert f"{decomposition.positive[first]:+.1f}" in text
    assert f"runner-up, {second}" in text
