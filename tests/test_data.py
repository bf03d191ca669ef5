"""MNIST's source order and validation (on small generated files), and the real file's facts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from softmax import data
from softmax.data import (
    DataError,
    find_mnist,
    load_mnist,
    one_hot,
    sha256_of,
    to_inputs,
    to_unit,
)

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture
def sources(tmp_path, monkeypatch) -> dict[str, Path]:
    """Three existing files standing for an explicit path, $SOFTMAX_MNIST and Keras' cache."""
    files = {name: tmp_path / f"{name}.npz" for name in ("explicit", "env")}
    files["cache"] = tmp_path / "keras" / "datasets" / "mnist.npz"
    files["cache"].parent.mkdir(parents=True)
    for file in files.values():
        file.write_bytes(b"")  # find_mnist only looks for the file; reading is tested below
    monkeypatch.setenv(data.ENV_VAR, str(files["env"]))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    return files


@pytest.fixture(scope="module")
def fake_arrays() -> dict[str, np.ndarray]:
    """Blank arrays of MNIST's shapes and dtypes: they test validation, not MNIST."""
    arrays = {key: np.zeros(shape, dtype=np.uint8) for key, shape in data.SHAPES.items()}
    arrays["y_train"] = (np.arange(60000) % 10).astype(np.uint8)
    arrays["y_test"] = (np.arange(10000) % 10).astype(np.uint8)
    return arrays


def write_npz(path: Path, arrays: dict[str, np.ndarray], **changes: np.ndarray | None) -> Path:
    """Save `arrays` with some replaced (or, for None, left out) to `path`."""
    chosen = {**arrays, **changes}
    np.savez_compressed(path, **{key: value for key, value in chosen.items() if value is not None})
    return path


def test_an_explicit_path_beats_the_environment_and_the_cache(sources):
    assert find_mnist(sources["explicit"]) == sources["explicit"]


def test_the_environment_beats_the_cache(sources):
    assert find_mnist() == sources["env"]


def test_the_keras_cache_is_used_when_nothing_else_is_given(sources, monkeypatch):
    monkeypatch.delenv(data.ENV_VAR)
    assert find_mnist() == sources["cache"]


def test_keras_home_decides_where_the_keras_cache_is_as_in_keras(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert data.keras_cache() == tmp_path / "datasets" / "mnist.npz"
    monkeypatch.delenv("KERAS_HOME")
    assert data.keras_cache() == Path.home() / ".keras" / "datasets" / "mnist.npz"


def test_nothing_found_and_no_download_is_a_data_error(tmp_path, monkeypatch):
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty"))
    assert find_mnist() is None
    with pytest.raises(DataError, match="not found locally"):
        load_mnist(download=False)


def test_a_missing_explicit_path_is_an_error_naming_it(sources, tmp_path):
    missing = tmp_path / "nowhere" / "mnist.npz"
    with pytest.raises(DataError, match="nowhere"):
        find_mnist(missing)


def test_a_missing_environment_path_is_an_error_not_a_fall_through(sources, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, "/no/such/mnist.npz")
    with pytest.raises(DataError, match=r"/no/such/mnist\.npz"):
        find_mnist()


def test_a_well_formed_file_reads_back_as_the_four_keras_arrays(tmp_path, fake_arrays):
    path = write_npz(tmp_path / "mnist.npz", fake_arrays)
    (x_train, _), (x_test, y_test) = load_mnist(path)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    np.testing.assert_array_equal(y_test, fake_arrays["y_test"])


def test_a_file_lacking_a_key_is_an_error_naming_the_key(tmp_path, fake_arrays):
    path = write_npz(tmp_path / "mnist.npz", fake_arrays, y_test=None)
    with pytest.raises(DataError, match="lacks y_test"):
        load_mnist(path)


def test_an_array_of_the_wrong_shape_is_an_error_naming_it(tmp_path, fake_arrays):
    path = write_npz(tmp_path / "mnist.npz", fake_arrays, x_test=np.zeros((10, 28, 28), np.uint8))
    with pytest.raises(DataError, match=r"x_test is uint8\(10, 28, 28\)"):
        load_mnist(path)


def test_an_array_of_the_wrong_dtype_is_an_error_naming_it(tmp_path, fake_arrays):
    labels = fake_arrays["y_train"].astype(np.int64)
    path = write_npz(tmp_path / "mnist.npz", fake_arrays, y_train=labels)
    with pytest.raises(DataError, match=r"y_train is int64\(60000,\)"):
        load_mnist(path)


def test_a_label_above_nine_is_an_error_naming_it(tmp_path, fake_arrays):
    labels = fake_arrays["y_test"].copy()
    labels[3] = 10
    path = write_npz(tmp_path / "mnist.npz", fake_arrays, y_test=labels)
    with pytest.raises(DataError, match="y_test has label 10"):
        load_mnist(path)


def test_a_truncated_file_is_an_error_saying_it_is_unreadable(tmp_path, fake_arrays):
    whole = write_npz(tmp_path / "whole.npz", fake_arrays).read_bytes()
    truncated = tmp_path / "mnist.npz"
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataError, match=r"not a readable \.npz"):
        load_mnist(truncated)


def test_a_file_that_is_not_a_zip_is_an_error_saying_it_is_unreadable(tmp_path):
    text = tmp_path / "mnist.npz"
    text.write_text("x_train,y_train\n")
    with pytest.raises(DataError, match=r"not a readable \.npz"):
        load_mnist(text)


def test_inputs_are_the_notebooks_divide_by_255_and_flatten():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)  # (1, 2, 2)
    x = to_inputs(images)
    assert x.dtype == np.float32
    np.testing.assert_allclose(x, [[0.0, 1.0, 0.2, 0.4]])


def test_one_hot_puts_a_single_one_at_each_label():
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])


def test_sha256_of_a_file_is_the_hash_of_its_bytes(tmp_path):
    path = tmp_path / "blob"
    path.write_bytes(b"softmax")
    assert sha256_of(path) == hashlib.sha256(b"softmax").hexdigest()


def test_the_8x8_digits_are_split_like_mnist_as_uint8_images():
    (x_train, y_train), (x_test, y_test) = data.load_digits_8x8()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert x_train.dtype == np.uint8 and x_train.max() == 255
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert set(np.unique(y_test)) == set(range(10))  # stratified: every digit is tested


@pytest.mark.slow
def test_real_mnist_starts_with_a_five_and_a_seven(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert (y_train[0], y_test[0]) == (5, 7)
    assert x_train.shape == (60000, 28, 28) and x_test.dtype == np.uint8


@pytest.mark.slow
def test_real_mnist_has_the_canonical_class_counts(mnist):
    (_, y_train), (_, y_test) = mnist
    assert np.bincount(y_train).tolist() == TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == TEST_COUNTS


def test_to_unit_scales_uint8_and_keeps_floats_already_in_0_1():
    np.testing.assert_allclose(to_unit(np.array([[0, 51, 255]], np.uint8)), [[0, 0.2, 1]])
    floats = np.array([[0.0, 0.5, 1.0]], np.float32)
    np.testing.assert_array_equal(to_unit(floats), floats)


def test_to_inputs_flattens_and_reads_float_images_as_0_1_like_training_does():
    images = np.random.default_rng(0).random((3, 8, 8)).astype(np.float32)
    np.testing.assert_array_equal(to_inputs(images), images.reshape(3, 64))
    np.testing.assert_array_equal(to_inputs((images * 255).round().astype(np.uint8)).shape, (3, 64))
