"""softmax.history: every epoch's weights, compact, replayable, saved and sent between processes."""

from __future__ import annotations

import numpy as np
import pytest

from softmax.drawn import drawn_digits
from softmax.history import HistoryFileError, WeightHistory, decode_epoch, encode_epoch
from softmax.model import SoftmaxClassifier


@pytest.fixture(scope="module")
def final() -> SoftmaxClassifier:
    return SoftmaxClassifier.load()


@pytest.fixture(scope="module")
def history(final) -> WeightHistory:
    """A 100-epoch run that moves linearly from zeros to the shipped model's weights."""
    steps = np.linspace(0, 1, 101)
    return WeightHistory.of((t * final.weights, t * final.bias) for t in steps)


def test_a_hundred_epochs_fit_in_a_few_megabytes(history):
    assert history.epochs == 100
    assert history.weights.dtype == np.float16
    assert history.nbytes == 101 * (784 * 10 * 2 + 10 * 4)  # 1.59 MB
    assert history.nbytes < 2e6


def test_the_model_after_an_epoch_is_the_weights_of_that_epoch_to_float16_precision(history, final):
    np.testing.assert_allclose(
        history.classifier_at(100).weights, final.weights, rtol=1e-3, atol=1e-6
    )
    np.testing.assert_allclose(
        history.classifier_at(50).weights, 0.5 * final.weights, rtol=1e-3, atol=1e-6
    )
    assert not history.classifier_at(0).weights.any()


def test_float16_weights_give_the_same_answers(history, final):
    images, _ = drawn_digits(200, seed=1, split="test")
    replayed = history.classifier_at(100).predict_proba(images)
    original = final.predict_proba(images)
    assert (replayed.argmax(axis=1) == original.argmax(axis=1)).mean() >= 0.99
    assert np.abs(replayed - original).max() < 0.02


def test_maps_replay_on_one_scale_set_by_the_final_epoch(history):
    assert history.maps_at(7).shape == (10, 28, 28)
    assert history.scale() == pytest.approx(
        np.quantile(np.abs(history.maps_at(100)), 0.99), rel=1e-6
    )
    assert np.abs(history.maps_at(10)).max() < history.scale()  # early maps are faint on it


def test_a_saved_history_loads_back_unchanged(history, tmp_path):
    path = history.save(tmp_path / "runs" / "history.npz")
    loaded = WeightHistory.load(path)
    np.testing.assert_array_equal(loaded.weights, history.weights)
    np.testing.assert_array_equal(loaded.biases, history.biases)
    assert [p.name for p in path.parent.iterdir()] == ["history.npz"]  # no temporary left


def test_a_history_is_read_only_and_owns_its_arrays(final):
    weights = np.stack([final.weights, final.weights]).astype(np.float16)
    history = WeightHistory(weights, np.zeros((2, 10)))
    weights[:] = 0
    assert history.weights.any()
    with pytest.raises(ValueError):
        history.weights[0, 0, 0] = 1


def test_an_epoch_travels_as_text_and_comes_back_exactly_in_float16(final):
    text = encode_epoch(final.weights, final.bias)
    assert text.isascii() and len(text) < 22_000
    weights, bias = decode_epoch(text)
    np.testing.assert_array_equal(weights, final.weights.astype(np.float16))
    np.testing.assert_array_equal(bias, final.bias)


@pytest.mark.parametrize(
    ("text", "named"),
    [("not base64!", "base64"), ("AAAA", "bytes"), ("", "bytes")],
    ids=["alphabet", "short", "empty"],
)
def test_a_damaged_epoch_message_is_refused(text, named):
    with pytest.raises(HistoryFileError, match=named):
        decode_epoch(text)


def test_a_file_that_is_not_a_history_is_refused(tmp_path):
    (tmp_path / "bad.npz").write_bytes(b"PK not really a zip")
    np.save(tmp_path / "array.npy", np.zeros(3))
    np.savez(tmp_path / "model.npz", weights=np.zeros((784, 10)))
    for name, named in (
        ("bad.npz", "not a readable"),
        ("array.npy", "not an .npz"),
        ("model.npz", "no weights/biases"),
        ("none.npz", "no weight history"),
    ):
        with pytest.raises(HistoryFileError, match=named):
            WeightHistory.load(tmp_path / name)


@pytest.mark.parametrize(
    ("weights", "biases", "named"),
    [
        (np.zeros((2, 784, 10)), np.zeros((3, 10)), "expected"),
        (np.zeros((0, 784, 10)), np.zeros((0, 10)), "starting weights"),
        (np.full((1, 784, 10), 1e6), np.zeros((1, 10)), "finite"),
    ],
    ids=["epochs-mismatch", "empty", "float16-overflow"],
)
def test_a_malformed_history_is_refused(weights, biases, named):
    with pytest.raises(ValueError, match=named):
        WeightHistory(weights, biases)


@pytest.mark.parametrize("epoch", [-1, 101, 2.0, True])
def test_an_epoch_outside_the_run_is_refused(history, epoch):
    with pytest.raises(ValueError, match="epoch"):
        history.classifier_at(epoch)
