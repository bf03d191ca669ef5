"""`fit` on scikit-learn's 8×8 digits (everywhere) and on real MNIST (slow)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from softmax.data import Dataset, digits_dataset, one_hot, to_inputs
from softmax.model import SoftmaxClassifier, build_model
from softmax.recipes import MEASURED_ACCURACY, RECIPES, Recipe, get_recipe
from softmax.train import EpochLog, ProgressCallback, fit, keras_order, steps_per_execution

ROOT = Path(__file__).resolve().parents[1]
QUICK = get_recipe("default", epochs=3, batch_size=64)  # ~0.3 s on the 8×8 digits


def plain_keras(recipe: Recipe, dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """W and b from the recipe run as the notebook runs it: Keras' `model.fit` on the arrays,
    shuffle=True, compiled with its defaults (one batch per call): the reference `fit`'s
    speed-ups must match."""
    import keras

    x, labels = to_inputs(dataset.train[0]), dataset.train[1]
    keras.utils.set_random_seed(recipe.seed)
    model = build_model(x.shape[1], weight_penalty=recipe.weight_penalty)
    optimizer = recipe.optimizer
    if recipe.learning_rate is not None:
        config = {"learning_rate": recipe.learning_rate}
        optimizer = keras.optimizers.get({"class_name": recipe.optimizer, "config": config})
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, one_hot(labels), batch_size=recipe.batch_size, epochs=recipe.epochs, verbose=0)
    weights, bias = model.layers[-1].get_weights()
    return weights, bias


@pytest.fixture(scope="module")
def digits():
    return digits_dataset()


@pytest.fixture(scope="module")
def run(digits):
    """One quick fit, with every epoch it reported."""
    logs: list[EpochLog] = []
    result = fit(QUICK, digits, callbacks=[ProgressCallback(on_epoch=logs.append)])
    return result, logs


def test_importing_train_loads_no_tensorflow_until_fit_runs():
    code = "import sys, softmax.train; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "False False"


def test_a_short_fit_learns_far_above_chance(run):
    result, _ = run
    assert result.test_accuracy > 0.85  # chance is 0.1
    assert isinstance(result.classifier, SoftmaxClassifier)
    assert result.classifier.n_inputs == 64


def test_the_same_seed_gives_the_same_weights(run, digits):
    again = fit(QUICK, digits)
    np.testing.assert_array_equal(again.classifier.weights, run[0].classifier.weights)
    np.testing.assert_array_equal(again.classifier.bias, run[0].classifier.bias)


def test_another_seed_gives_other_weights(run, digits):
    other = fit(QUICK.replace(seed=1), digits)
    assert not np.array_equal(other.classifier.weights, run[0].classifier.weights)


def test_every_epoch_is_reported_in_order(run):
    result, logs = run
    assert [log.epoch for log in logs] == [1, 2, 3]
    assert all(log.epochs == 3 for log in logs)
    assert [log.val_accuracy for log in logs] == result.history["val_accuracy"]


def test_the_history_has_train_and_test_curves_per_epoch(run):
    result, _ = run
    assert set(result.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 3 for values in result.history.values())
    assert result.history["loss"][-1] < result.history["loss"][0]


def test_the_last_reported_test_accuracy_is_the_models(run):
    result, _ = run
    assert result.history["val_accuracy"][-1] == result.test_accuracy


def test_training_stops_after_the_epoch_a_stop_is_asked_in(digits):
    stop = threading.Event()

    def on_epoch(log: EpochLog) -> None:
        if log.epoch == 2:
            stop.set()  # what the app's Stop button does

    result = fit(QUICK.replace(epochs=10), digits, [ProgressCallback(on_epoch, stop)])
    assert result.stopped_early
    assert len(result.history["loss"]) == 2
    assert result.classifier.metadata["epochs_run"] == 2


def test_a_function_can_ask_to_stop_too(digits):
    result = fit(QUICK, digits, [ProgressCallback(should_stop=lambda: True)])
    assert result.stopped_early and len(result.history["loss"]) == 1


def test_a_stop_flag_that_is_neither_function_nor_event_is_refused():
    with pytest.raises(TypeError, match="should_stop must be a function"):
        ProgressCallback(should_stop=True)


def test_a_run_that_is_not_stopped_is_not_stopped_early(run):
    assert not run[0].stopped_early


def test_keras_callbacks_are_called_too(digits):
    import keras

    epochs = []
    callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: epochs.append(epoch))
    fit(QUICK, digits, [callback])
    assert epochs == [0, 1, 2]


def test_the_metadata_tells_how_the_model_was_made(run):
    metadata = run[0].classifier.metadata
    assert metadata["recipe"] == "default" and metadata["optimizer"] == "adam"
    assert (metadata["learning_rate"], metadata["batch_size"], metadata["epochs"]) == (0.01, 64, 3)
    assert (metadata["seed"], metadata["deskew"], metadata["drawn"]) == (0, False, 0)
    assert metadata["dataset"] == metadata["data_sha256"] == "sklearn-digits"
    assert metadata["test_accuracy"] == run[0].test_accuracy
    assert 0.85 < metadata["train_accuracy"] <= 1
    assert set(metadata["versions"]) >= {"numpy", "keras", "tensorflow"}
    assert metadata["epochs_run"] == 3 and metadata["seconds"] >= 0 and metadata["trained_at"]
    assert metadata["weight_penalty"] == QUICK.weight_penalty > 0
    assert 0 <= metadata["rim_share"] <= 1


def test_no_learning_rate_means_the_keras_default(digits):
    result = fit(get_recipe("notebook", epochs=1), digits)
    assert result.classifier.metadata["learning_rate"] == 0.01  # SGD's default


def test_arrays_are_accepted_and_named_by_their_hash(digits):
    result = fit(QUICK.replace(epochs=1), (digits.train, digits.test))
    assert result.classifier.metadata["dataset"] == "arrays"
    assert len(result.classifier.metadata["data_sha256"]) == 64


def test_wrongly_shaped_data_is_an_error_naming_the_shape():
    images = np.zeros((10, 8, 9), dtype=np.uint8)
    labels = np.zeros(10, dtype=np.uint8)
    with pytest.raises(ValueError, match=r"\(n, side, side\), got \(10, 8, 9\)"):
        fit(QUICK, ((images, labels), (images, labels)))


def test_labels_out_of_range_are_an_error():
    images = np.zeros((10, 8, 8), dtype=np.uint8)
    labels = np.full(10, 10, dtype=np.uint8)
    with pytest.raises(ValueError, match="digits 0–9"):
        fit(QUICK, ((images, labels), (images, labels)))


def test_deskew_needs_28x28_images(digits):
    with pytest.raises(ValueError, match="need 28×28 images"):
        fit(QUICK.replace(deskew=True), digits)


def a_class_that_calls_zeros_seven(digits) -> tuple[np.ndarray, np.ndarray]:
    """Extra labelled images that disagree with the data: 30 test zeros, labelled 7."""
    images, labels = digits.test
    zeros = images[labels == 0][:30]
    return zeros, np.full(len(zeros), 7, dtype=np.uint8)


@pytest.mark.parametrize(("weight", "read_as"), [(1.0, 0), (300.0, 7)])
def test_extra_images_count_by_their_weight(digits, weight, read_as):
    zeros, sevens = a_class_that_calls_zeros_seven(digits)
    result = fit(QUICK, digits, extra=(zeros, sevens), extra_weight=weight)
    read = result.classifier.logits(zeros / np.float32(255)).argmax(axis=1)
    assert (read == read_as).mean() > 0.8
    metadata = result.classifier.metadata
    assert (metadata["extra_size"], metadata["extra_weight"]) == (30, weight)
    assert metadata["train_size"] == len(digits.train[1]) + 30


@pytest.mark.parametrize(
    ("extra", "weight", "words"),
    [((np.zeros((3, 28, 28), np.uint8), np.zeros(3, np.uint8)), 2.0, "8×8"),
     ((np.zeros((3, 8, 8), np.uint8), np.full(3, 11)), 2.0, "digits 0–9"),
     ((np.zeros((3, 8, 8), np.uint8), np.zeros(3, np.uint8)), 0.0, "extra_weight")],
)  # fmt: skip
def test_bad_extra_images_or_weight_are_refused_before_training(digits, extra, weight, words):
    with pytest.raises(ValueError, match=words):
        fit(QUICK, digits, extra=extra, extra_weight=weight)


@pytest.mark.slow
def test_the_default_recipe_stays_within_0_003_of_its_unpenalised_0_926_on_real_mnist(mnist):
    result = fit(RECIPES["default"], mnist)
    assert result.test_accuracy >= 0.926 - 0.003  # the price of clean maps allowed (issue 8)
    assert 0 < result.classifier.metadata["drawn_accuracy"] <= 1


def test_the_weight_penalty_adds_lambda_times_half_the_squared_weights_to_the_loss():
    model = build_model(n_inputs=64, weight_penalty=0.2)
    weights = model.layers[-1].get_weights()[0]  # (64, 10)
    penalty = float(sum(np.asarray(loss) for loss in model.losses))
    assert penalty == pytest.approx(0.2 * (weights.astype(np.float64) ** 2).sum() / 2, rel=1e-5)
    assert not build_model(n_inputs=64).losses  # no penalty, no extra loss: the notebook's


@pytest.mark.parametrize(
    ("n_train", "batch_size", "steps"),
    [(60_000, 2048, 6), (1437, 32, 45), (100, 2048, 1), (60_300, 64, 41)],
)
def test_a_compiled_call_runs_at_most_about_16k_images_and_divides_the_epoch(
    n_train, batch_size, steps
):
    assert steps_per_execution(n_train, batch_size) == steps
    assert -(-n_train // batch_size) % steps == 0


def test_fit_trains_bit_for_bit_the_weights_of_keras_own_fit(digits):
    """Shuffling once in Keras' order and repeating the batches is Keras' `fit` exactly."""
    recipe = QUICK.replace(epochs=4)
    result = fit(recipe, digits)
    weights, bias = plain_keras(recipe, digits)
    np.testing.assert_array_equal(result.classifier.weights, weights)
    np.testing.assert_array_equal(result.classifier.bias, bias)


def test_keras_order_is_a_seeded_permutation():
    import keras

    keras.utils.set_random_seed(0)
    first = keras_order(1000)
    keras.utils.set_random_seed(0)
    assert np.array_equal(keras_order(1000), first)
    assert sorted(first) == list(range(1000)) and not np.array_equal(first, np.arange(1000))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["notebook", "default"])
def test_fit_trains_the_same_weights_as_plain_keras_on_the_8x8_digits(name, digits):
    recipe = get_recipe(name, "digits")
    result = fit(recipe, digits)
    weights, bias = plain_keras(recipe, digits)
    np.testing.assert_allclose(result.classifier.weights, weights, atol=1e-5)
    np.testing.assert_allclose(result.classifier.bias, bias, atol=1e-5)
    assert round(result.test_accuracy, 4) == MEASURED_ACCURACY[name, "digits"]


@pytest.mark.slow
def test_the_notebook_recipe_trains_the_notebooks_own_weights_on_mnist(mnist):
    dataset = Dataset("mnist", *mnist, "mnist")
    result = fit(RECIPES["notebook"], dataset)
    weights, bias = plain_keras(RECIPES["notebook"], dataset)
    np.testing.assert_allclose(result.classifier.weights, weights, atol=1e-5)
    np.testing.assert_allclose(result.classifier.bias, bias, atol=1e-5)
    (_, _), (x_test, y_test) = mnist
    plain = float(((to_inputs(x_test) @ weights + bias).argmax(axis=1) == y_test).mean())
    assert (
        round(result.test_accuracy, 4) == round(plain, 4) == MEASURED_ACCURACY["notebook", "mnist"]
    )
