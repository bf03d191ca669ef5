"""MNIST, found and checked: the same four uint8 arrays `keras.datasets.mnist.load_data()` gives.

Where it comes from, first match wins:
  1. the `path` argument (the CLI's `--data`),
  2. the environment variable `SOFTMAX_MNIST`,
  3. Keras' cache, `$KERAS_HOME/datasets/mnist.npz` (`~/.keras/datasets/mnist.npz` by default),
  4. a download of Keras' file into that cache (`softmax.fetch`, `python -m softmax fetch`).

Also the notebook's second data set, scikit-learn's 8×8 digits, which ships inside scikit-learn.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENV_VAR = "SOFTMAX_MNIST"
DIGITS_8X8 = "sklearn-digits"  # the 8×8 digits' data set name in model metadata
SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}
HOW_TO_PROVIDE = (
    "run `python -m softmax fetch` to download it once (11 MB) into Keras' cache, "
    f"or point {ENV_VAR} (or --data) at an mnist.npz with x_train, y_train, x_test, y_test"
)

Split = tuple[np.ndarray, np.ndarray]


class DataError(ValueError):
    """MNIST is missing or is not what it should be; the message says how to fix it."""


def keras_cache() -> Path:
    """Where Keras keeps mnist.npz: `$KERAS_HOME/datasets/`, else `~/.keras/datasets/` (or
    `/tmp/.keras/datasets/` when the home folder is not writable), exactly as Keras decides."""
    home = os.environ.get("KERAS_HOME")
    if home is None:
        base = Path.home() if os.access(Path.home(), os.W_OK) else Path("/tmp")
        home = str(base / ".keras")
    base = Path(home).expanduser()
    if not os.access(base, os.W_OK) and base.exists():  # Keras' get_file falls back the same way
        base = Path("/tmp") / ".keras"
    return base / "datasets" / "mnist.npz"


def find_mnist(path: str | os.PathLike | None = None) -> Path | None:
    """The first local MNIST file in the source order, or None (nothing is downloaded).

    An explicit `path` or `SOFTMAX_MNIST` that does not exist is an error, not a fall-through:
    someone asked for that file.
    """
    for asked in (path, os.environ.get(ENV_VAR) or None):
        if asked is not None:
            asked = Path(asked).expanduser()
            if not asked.is_file():
                raise DataError(f"no MNIST file at {asked}: {HOW_TO_PROVIDE}")
            return asked
    cached = keras_cache()
    return cached if cached.is_file() else None


def mnist_available(path: str | os.PathLike | None = None) -> bool:
    """True when MNIST can be read without a download."""
    try:
        return find_mnist(path) is not None
    except DataError:
        return False


def load_mnist(path: str | os.PathLike | None = None, download: bool = True) -> tuple[Split, Split]:
    """Return `(x_train, y_train), (x_test, y_test)` exactly like Keras' `mnist.load_data()`.

    Raises DataError with what was wrong and how to provide the data when the file is missing
    or malformed, or when no local copy exists and `download` is False (or the download fails).
    """
    found = find_mnist(path)
    if found is not None:
        return read_mnist_npz(found)
    if not download:
        raise DataError(f"MNIST not found locally: {HOW_TO_PROVIDE}")
    from softmax.fetch import fetch_mnist

    return read_mnist_npz(fetch_mnist())  # FetchError (a DataError) says what failed


def read_mnist_npz(path: str | os.PathLike) -> tuple[Split, Split]:
    """Read and validate one mnist.npz (numpy, no pickles)."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in SHAPES if key in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(
            f"{path} is not a readable .npz file ({error}): {HOW_TO_PROVIDE}"
        ) from error
    validate(arrays, str(path))
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def validate(arrays: dict[str, np.ndarray], source: str) -> None:
    """Check keys, shapes, dtypes and label range; raise DataError naming the first problem."""
    missing = [key for key in SHAPES if key not in arrays]
    if missing:
        raise DataError(f"{source} lacks {', '.join(missing)}: {HOW_TO_PROVIDE}")
    for key, shape in SHAPES.items():
        array = arrays[key]
        if array.shape != shape or array.dtype != np.uint8:
            raise DataError(
                f"{source}: {key} is {array.dtype}{array.shape}, expected uint8{shape}: "
                f"{HOW_TO_PROVIDE}"
            )
    for key in ("y_train", "y_test"):
        if arrays[key].max() > 9:
            raise DataError(f"{source}: {key} has label {arrays[key].max()}, expected 0–9")


def sha256_of(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, recorded in model metadata so a result names its data."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def to_unit(images: np.ndarray) -> np.ndarray:
    """uint8 0–255 -> float32 0–1 (the notebook's `/255`); floats are taken as already 0–1."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images / np.float32(255)
    return images.astype(np.float32, copy=False)


def to_inputs(images: np.ndarray) -> np.ndarray:
    """Images (n, h, w) -> float32 (n, h*w) in [0, 1]: `to_unit`, then the notebook's reshape."""
    x = to_unit(images)
    return x.reshape(len(x), -1)


def one_hot(labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """(n,) ints -> (n, n_classes) float32, the same as `keras.utils.to_categorical`."""
    return np.eye(n_classes, dtype=np.float32)[np.asarray(labels, dtype=np.int64)]


def load_digits_8x8(test_fraction: float = 0.2, seed: int = 0) -> tuple[Split, Split]:
    """scikit-learn's 1,797 8×8 digits as uint8 0–255 images, split like MNIST.

    The originals are counts 0–16; scaling by 255/16 lets the same `/255` recipe apply.
    The split is stratified and seeded, so every machine gets the same test set.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = np.round(digits.images * (255 / 16)).astype(np.uint8)  # (1797, 8, 8)
    labels = digits.target.astype(np.uint8)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_fraction, random_state=seed, stratify=labels
    )
    return (x_train, y_train), (x_test, y_test)


@dataclass(frozen=True)
class Dataset:
    """Labelled train and test images, and where they came from (recorded in model metadata)."""

    name: str  # "mnist", "sklearn-digits", or "arrays" for data handed in directly
    train: Split  # images (n, h, w) uint8 0–255 or float 0–1, labels (n,) 0–9
    test: Split
    sha256: str  # of the file read, or a name for data that has no file

    def __repr__(self) -> str:
        return f"Dataset({self.name!r}, train={len(self.train[1])}, test={len(self.test[1])})"


def mnist_dataset(path: str | None = None) -> Dataset:
    """Real MNIST from `data.load_mnist`'s source order (DataError when it cannot be had)."""
    train, test = load_mnist(path)
    found = find_mnist(path)  # after a download, Keras' cache
    return Dataset("mnist", train, test, sha256_of(found) if found else "keras-download")


def digits_dataset() -> Dataset:
    """scikit-learn's 8×8 digits (64 inputs): ships with scikit-learn, so it works offline."""
    train, test = load_digits_8x8()
    return Dataset(DIGITS_8X8, train, test, DIGITS_8X8)
