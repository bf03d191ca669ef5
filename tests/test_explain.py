"""softmax.explain: weight maps, per-pixel votes and the logit split, checked on the shipped model."""

from __future__ import annotations

import numpy as np
import pytest

from softmax import explain
from softmax.drawn import render_strokes
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier, shipped_path
from softmax.preprocess import canvas_to_mnist

EN, KO = Messages("en"), Messages("ko")


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


# --- why A and not B -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def drawn() -> np.ndarray:
    """50 held-out drawings of every digit, preprocessed like the app: (50, 28, 28)."""
    from softmax.drawn import drawn_digits

    return drawn_digits(50, seed=3, split="test")[0]


def block_classifier(block: tuple[slice, slice], a: int = 9, b: int = 4) -> SoftmaxClassifier:
    """A classifier whose a and b differ only inside `block`, where a's weights are higher."""
    weights = np.zeros((784, 10), np.float32)
    weights[:, a].reshape(28, 28)[block] = 1.0
    return SoftmaxClassifier(weights, np.zeros(10, np.float32))


def test_the_gap_between_any_two_digits_is_the_votes_plus_the_bias_difference(classifier, drawn):
    for x in drawn[:20]:
        logits = classifier.logits(x)[0]
        for a in range(10):
            for b in range(10):
                if a != b:
                    split = explain.contrast(classifier, x, a, b)
                    assert abs(split.gap - (logits[a] - logits[b])) < 1e-5


def test_the_gap_matches_the_classifiers_logits_on_real_mnist_digits(classifier, mnist):
    (_, _), (x_test, _) = mnist
    x = classifier.prepare(x_test[:200])
    logits = classifier.logits(x).astype(np.float64)
    for image, scores in zip(x, logits, strict=True):
        split = explain.contrast(classifier, image)
        assert abs(split.gap - (scores[split.a] - scores[split.b])) < 1e-5


def test_the_gap_is_exact_to_float64_for_every_pair(classifier, mnist):
    """The float32 logits themselves round by up to ~1e-5 at |logit| ≈ 20: the split does not."""
    (_, _), (x_test, _) = mnist
    x = classifier.prepare(x_test[:50]).astype(np.float64)
    logits = x.reshape(len(x), -1) @ classifier.weights.astype(np.float64) + classifier.bias
    for image, scores in zip(x, logits, strict=True):
        for a in range(10):
            for b in range(10):
                if a != b:
                    gap = explain.contrast(classifier, image, a, b).gap
                    assert abs(gap - (scores[a] - scores[b])) < 1e-10


def test_the_contrast_map_is_the_input_times_the_difference_of_two_weight_maps(classifier, seven):
    split = explain.contrast(classifier, seven, 7, 1)
    maps = explain.weight_maps(classifier).astype(np.float64)
    np.testing.assert_allclose(split.votes, seven * (maps[7] - maps[1]), rtol=1e-12)
    assert split.bias == pytest.approx(float(classifier.bias[7]) - float(classifier.bias[1]))


def test_the_nine_parts_add_up_to_all_the_votes(classifier, drawn):
    for x in drawn[:10]:
        split = explain.contrast(classifier, x)
        assert split.parts.shape == (3, 3)
        assert split.parts.sum() == pytest.approx(split.pixel_votes, abs=1e-9)


def test_the_parts_split_the_ink_box_into_thirds(classifier):
    x = np.zeros((28, 28), np.float32)
    x[4:25, 7:19] = 0.5  # rows 4–24, columns 7–18
    split = explain.contrast(classifier, x)
    assert split.row_edges == (4, 11, 18, 25)
    assert split.col_edges == (7, 11, 15, 19)


def test_by_default_the_top_two_digits_are_compared(classifier, drawn):
    for x in drawn[:10]:
        split = explain.contrast(classifier, x)
        assert [split.a, split.b] == explain.decompose_logits(classifier, x).top(2)
        assert split.winner == split.a


def test_given_only_a_the_best_other_digit_is_compared(classifier, seven):
    top = explain.decompose_logits(classifier, seven).top(2)
    assert explain.contrast(classifier, seven, a=top[1]).b == top[0]


def test_the_sentence_names_the_part_whose_ink_decides():
    classifier = block_classifier((slice(0, 9), slice(0, 9)))  # 9 beats 4 only at the top left
    x = np.zeros((28, 28), np.float32)
    x[2:26, 2:26] = 0.3  # ink all over, so the ink box is rows and columns 2–25
    text = explain.contrast_in_words(explain.contrast(classifier, x, 4, 9), t=EN)
    assert text.startswith(
        "Your ink in the top left of the drawing does the most to separate 9 from 4"
    )
    assert "100% of the votes" in text
    assert "No part of the drawing looks more like 4 than 9." in text


def test_the_sentence_says_where_the_losing_digit_wins_back():
    classifier = block_classifier((slice(0, 14), slice(None)))  # 9 likes the top half ...
    weights = np.array(classifier.weights)
    weights[:, 4].reshape(28, 28)[20:, 18:] = 0.5  # ... 4 the bottom right corner
    classifier = SoftmaxClassifier(weights, classifier.bias)
    x = np.zeros((28, 28), np.float32)
    x[4:25, 4:25] = 1.0
    split = explain.contrast(classifier, x, 9, 4)
    assert split.winner == 9
    assert explain.PARTS[split.counter_part] == "bottom_right"
    assert "Your ink in the bottom right looks more like 4" in explain.contrast_in_words(
        split, t=EN
    )


def test_when_the_bias_outweighs_the_ink_the_sentence_says_so():
    weights = np.zeros((784, 10), np.float32)
    weights[:, 4] = 0.01  # 4 likes every pixel a little ...
    bias = np.zeros(10, np.float32)
    bias[9] = 5.0  # ... but 9 starts far ahead
    x = np.full((28, 28), 0.5, np.float32)
    split = explain.contrast(SoftmaxClassifier(weights, bias), x, 4, 9)
    assert split.winner == 9
    text = explain.contrast_in_words(split, t=EN)
    assert text.startswith("Your ink favours 4 a little (by 3.9), but 9 starts with a bias 5.0")


def test_a_blank_input_is_explained_by_the_biases_alone(classifier):
    split = explain.contrast(classifier, np.zeros((28, 28)), 1, 0)
    assert split.pixel_votes == 0
    assert explain.contrast_in_words(split, t=EN).startswith("There is no ink")


def test_the_last_sentence_states_the_exact_split(classifier, seven):
    split = explain.contrast(classifier, seven)
    assert explain.contrast_in_words(split, t=EN).endswith(
        f"Score gap {split.a} − {split.b} = {split.gap:.2f}: the pixels' votes "
        f"{split.pixel_votes:+.2f} plus the bias difference {split.bias:+.2f}."
    )


def test_in_korean_the_sentence_is_whole_and_names_the_part_whole():
    classifier = block_classifier((slice(0, 9), slice(0, 9)))  # 9 beats 4 only at the top left
    x = np.zeros((28, 28), np.float32)
    x[2:26, 2:26] = 0.3
    split = explain.contrast(classifier, x, 4, 9)
    assert explain.contrast_in_words(split, t=KO) == (
        "그림의 왼쪽 위에 있는 잉크가 9의 점수를 4보다 높이는 데 가장 크게 기여합니다. "
        "4보다 9 쪽으로 던져진 표의 100%가 이 부분에서 나옵니다. "
        "그림의 어느 부분도 9보다 4에 더 가까워 보이지 않습니다. "
        f"점수 차이 9 − 4 = {KO.number(-split.gap, 2)}: 픽셀들의 표"
        f"(+{KO.number(-split.pixel_votes, 2)})에 편향 차이(+0.00)를 더한 값입니다."
    )


def test_each_part_is_named_by_its_whole_phrase_in_every_language():
    for t in (EN, KO):
        names = [t(f"why_not.part.{part}") for part in explain.PARTS]
        assert len(set(names)) == 9  # nine different names, none glued from "top" + "left"
    assert [KO(f"why_not.part.{part}") for part in explain.PARTS[:3]] == [
        "왼쪽 위",
        "위쪽",
        "오른쪽 위",
    ]


@pytest.mark.parametrize("t", [EN, KO], ids=["en", "ko"])
def test_the_sentences_numbers_are_written_in_the_languages_format(t):
    bias = np.zeros(10, np.float32)
    bias[9] = 1234.5  # a gap big enough for the language's digit grouping
    weights = np.zeros((784, 10), np.float32)
    weights[10 * 28 + 10, 4] = 0.5  # one inked pixel votes 0.5 for 4: the bias outweighs it
    x = np.zeros((28, 28), np.float32)
    x[10, 10] = 1.0
    split = explain.contrast(SoftmaxClassifier(weights, bias), x, 9, 4)
    text = explain.contrast_in_words(split, t=t)
    assert "1,234.5" in text and "1234" not in text  # grouped, as the language groups
    assert all(number in text for number in ("0.5", "= 1,234.00", "-0.50", "+1,234.50"))
    assert t.number(1234, 2) == "1,234.00"


def test_every_reason_is_one_message_of_the_catalogue(classifier, drawn):
    for x in drawn[:10]:
        split = explain.contrast(classifier, x)
        for t in (EN, KO):
            sentences = explain.contrast_in_words(split, t=t)
            assert "{" not in sentences
            firsts = [t(f"why_not.sentence.{key}").split("{")[0] for key, _ in split.reasons()]
            assert all(first in sentences for first in firsts)
    assert len(explain.PARTS) == 9


@pytest.mark.parametrize(("a", "b"), [(10, 1), (-1, 2), (3, 3), (True, 2), (2.0, 1)])
def test_a_contrast_of_anything_but_two_different_digits_is_refused(classifier, seven, a, b):
    with pytest.raises(ValueError, match=r"digit|different"):
        explain.contrast(classifier, seven, a, b)


def test_the_rim_is_the_pixels_almost_no_training_digit_inks():
    images = np.zeros((200, 8, 8), dtype=np.uint8)  # (n, side, side)
    images[:, 2:6, 2:6] = 255  # every digit inks the centre
    images[:1, 0, 0] = 1  # one digit in 200 (0.5%) touches a corner: still the rim
    images[:2, 7, 7] = 3  # two in 200 (1%): not the rim any more
    rim = explain.rim_pixels(images)
    assert rim.shape == (8, 8)
    assert rim[0, 0] and not rim[7, 7] and not rim[3, 3]
    assert rim.sum() == 64 - 16 - 1


def test_the_rim_share_is_the_share_of_squared_weights_on_the_rim():
    images = np.zeros((10, 2, 2), dtype=np.uint8)
    images[:, 0, 0] = 255  # only the first pixel is ever inked: the other three are the rim
    weights = np.array([[3.0] * 10, [1.0] * 10, [0.0] * 10, [0.0] * 10], dtype=np.float32)
    assert explain.rim_share(weights, images) == pytest.approx(1 / 10)  # 1² / (3² + 1²)
    assert explain.rim_share(np.zeros((4, 10)), images) == 0.0
    with pytest.raises(ValueError, match="weights for 4 pixels, images of 64 pixels"):
        explain.rim_share(weights, np.zeros((3, 8, 8)))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["default", "deskew", "drawn"])
def test_every_shipped_model_keeps_at_most_10_percent_of_its_weight_on_the_rim(name, mnist):
    (x_train, _), _ = mnist
    shipped = SoftmaxClassifier.load(shipped_path(name))
    rim = explain.rim_share(shipped.weights, x_train)
    assert rim <= 0.10
    assert shipped.metadata["rim_share"] == pytest.approx(rim, abs=1e-4)


@pytest.mark.slow
def test_mnist_has_291_rim_pixels(mnist):
    (x_train, _), _ = mnist
    assert explain.rim_pixels(x_train).sum() == 291
