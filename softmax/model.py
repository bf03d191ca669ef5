"""The model: Keras for training, a numpy twin for everything else.

`build_model()` is the reference notebook's network, Dense(10, softmax) on 784 inputs: 7,850
parameters. `SoftmaxClassifier` holds the same W (784, 10) and b (10,) as numpy arrays and computes
softmax(x·W + b) in about 10 µs, so the app can show a prediction without importing TensorFlow
(≈ 4 s and ≈ 650 MB). Keras is imported only inside `build_model`, `from_keras` and `to_keras`.

A model file is one .npz holding W, b and the metadata: the one place a model's facts live, replaced
in one rename, so a reader never sees the weights of one save with the metadata of another.
`load` checks that a file holds a model every view can use (`check_usable`); the default model,
what the app, the CLI and `load()` start with, is the shipped model that reads drawings best
(`default_shipped`), chosen by the metadata at run time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from softmax.files import write_atomically

ASSETS = Path(__file__).parent / "assets"
SHIPPED = ("default", "deskew", "drawn")
FALLBACK = "default"  # the default when no shipped model says how well it reads drawings
READABLE_INPUTS = (784, 64)  # 28×28 (MNIST, the canvas) and 8×8 (scikit-learn's digits)
CANVAS_INPUTS = 784  # what a model needs to read the drawing canvas, so to be the default
N_CLASSES = 10
# |x·W + b| for any input in [0, 1] is at most Σ|W| + |b|: keeping that far below float32's
# 3.4e38 means no drawing can overflow the logits (weights of 3e38 would: NaN probabilities).
LOGIT_LIMIT = 1e30
# TensorFlow's C++ start-up chatter off, and oneDNN off so every run computes the same floats as
# the tests and the shipped models; set before TensorFlow is imported (`quiet_tensorflow`).
QUIET_TENSORFLOW = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}


class ModelFileError(ValueError):
    """A model file is missing, truncated, not a model or one no view can use; the message says
    which."""


def quiet_tensorflow() -> None:
    """Apply QUIET_TENSORFLOW to this process' environment, keeping any value already set."""
    for name, value in QUIET_TENSORFLOW.items():
        os.environ.setdefault(name, value)


def n_params(n_inputs: int = 784, n_classes: int = 10) -> int:
    """Weights and biases of a softmax on `n_inputs` pixels: n_inputs × n_classes + n_classes."""
    return n_inputs * n_classes + n_classes


def build_model(n_inputs: int = 784, n_classes: int = 10, weight_penalty: float = 0.0):
    """The notebook's Keras model: `Sequential([Input((784,)), Dense(10, softmax)])`, uncompiled.

    `weight_penalty` λ > 0 adds λ·‖W‖²/2 to the loss (Keras' L2(l2) adds l2·Σw², hence λ/2).
    """
    import keras

    regularizer = keras.regularizers.L2(weight_penalty / 2) if weight_penalty else None
    dense = keras.layers.Dense(n_classes, activation="softmax", kernel_regularizer=regularizer)
    return keras.Sequential([keras.Input(shape=(n_inputs,)), dense], name="softmax_regression")


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum so large logits cannot overflow."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Prediction:
    """What the model says about one image."""

    digit: int
    probabilities: np.ndarray  # (10,) float32, sums to 1
    logits: np.ndarray  # (10,) float32, x·W + b

    @property
    def confidence(self) -> float:
        return float(self.probabilities[self.digit])


@dataclass(frozen=True, eq=False)
class SoftmaxClassifier:
    """Multinomial logistic regression in numpy: `predict_proba(x) = softmax(x·W + b)`.

    `weights` is (n_inputs, 10) and `bias` (10,), float32; `n_inputs` is a square (784 = 28×28
    for MNIST, 64 = 8×8 for scikit-learn's digits). `metadata` records how it was trained.
    """

    weights: np.ndarray
    bias: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        weights = np.ascontiguousarray(self.weights, dtype=np.float32)
        bias = np.ascontiguousarray(self.bias, dtype=np.float32)
        if weights.ndim != 2 or bias.shape != (weights.shape[1],):
            raise ValueError(
                f"weights (n, k) and bias (k,) expected, got {weights.shape} and {bias.shape}"
            )
        side = round(weights.shape[0] ** 0.5)
        if side * side != weights.shape[0]:
            raise ValueError(f"weights must have a square number of rows, got {weights.shape[0]}")
        if not (np.isfinite(weights).all() and np.isfinite(bias).all()):
            raise ValueError("weights and bias must be finite")
        weights.setflags(write=False)  # shared by every session of the app: never mutate
        bias.setflags(write=False)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "bias", bias)

    def __repr__(self) -> str:
        accuracy = self.metadata.get("test_accuracy")
        shown = f", test_accuracy={accuracy:.4f}" if isinstance(accuracy, float) else ""
        return f"SoftmaxClassifier({self.n_inputs}→{self.n_classes}, recipe={self.recipe!r}{shown})"

    @property
    def n_inputs(self) -> int:
        return self.weights.shape[0]

    @property
    def n_classes(self) -> int:
        return self.weights.shape[1]

    @property
    def image_shape(self) -> tuple[int, int]:
        side = round(self.n_inputs**0.5)
        return side, side

    @property
    def n_params(self) -> int:
        return n_params(self.n_inputs, self.n_classes)

    @functools.cached_property  # hashed once per model: views key their caches on it
    def fingerprint(self) -> str:
        """A short hash of W and b: tells models apart whatever their origin (a cache key, and
        what a stored drawing records as the model that read it)."""
        digest = hashlib.blake2b(digest_size=12)
        digest.update(self.weights.tobytes())
        digest.update(self.bias.tobytes())
        return digest.hexdigest()

    @property
    def recipe(self) -> str:
        return str(self.metadata.get("recipe", "unknown"))

    @property
    def deskew(self) -> bool:
        """Whether inputs must be deskewed first (the model was trained on deskewed digits)."""
        return bool(self.metadata.get("deskew", False))

    def prepare(self, images: np.ndarray) -> np.ndarray:
        """(n, side, side) float32 in [0, 1] as this model reads them: /255 (uint8 0–255 or float
        0–1 in), then deskewed if it was trained on deskewed digits."""
        from softmax.data import to_unit

        x = to_unit(images)
        if self.deskew:
            from softmax.preprocess import deskew

            x = deskew(x)  # (n, 28, 28) float32
        return x

    def _flatten(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        if x.shape in ((self.n_inputs,), self.image_shape):
            return x.reshape(1, self.n_inputs)
        if (
            x.ndim in (2, 3)
            and x[0].size == self.n_inputs
            and x.shape[1:]
            in (
                (self.n_inputs,),
                self.image_shape,
            )
        ):
            return x.reshape(len(x), self.n_inputs)
        height, width = self.image_shape
        raise ValueError(
            f"expected ({self.n_inputs},), (n, {self.n_inputs}), ({height}, {width}) or "
            f"(n, {height}, {width}) inputs, got shape {x.shape}"
        )

    def logits(self, x: np.ndarray) -> np.ndarray:
        """(n, 10) float32 scores x·W + b, before the softmax."""
        return self._flatten(x) @ self.weights + self.bias  # (n, 784) @ (784, 10) -> (n, 10)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """(n, 10) float32 probabilities for (784,), (n, 784), (28, 28) or (n, 28, 28) inputs."""
        return softmax(self.logits(x))

    def predict(self, image: np.ndarray) -> Prediction:
        """The prediction for one image, (28, 28) or (784,)."""
        x = self._flatten(image)
        if len(x) != 1:
            raise ValueError(
                f"predict takes one image, got {len(x)}; use predict_proba for a batch"
            )
        logits = self.logits(x)[0]
        probabilities = softmax(logits)
        return Prediction(int(probabilities.argmax()), probabilities, logits)

    def accuracy(self, images: np.ndarray, labels: np.ndarray) -> float:
        """Share of `images` whose most probable class equals `labels`."""
        return float((self.logits(images).argmax(axis=1) == np.asarray(labels)).mean())

    @classmethod
    def from_keras(cls, model, metadata: dict[str, Any] | None = None) -> SoftmaxClassifier:
        """Copy W and b out of a trained `build_model()` network."""
        weights, bias = model.layers[-1].get_weights()
        return cls(weights, bias, dict(metadata or {}))

    def to_keras(self):
        """A Keras model with these weights (imports TensorFlow), for checks and `summary()`."""
        model = build_model(self.n_inputs, self.n_classes)
        model.layers[-1].set_weights([np.array(self.weights), np.array(self.bias)])
        return model

    def save(self, path: str | os.PathLike, sidecar: bool = True) -> Path:
        """Write `path` (.npz: weights, bias and the metadata JSON) in one atomic rename.

        The file is written beside `path` and renamed into place, so a crash never leaves a
        half-written model and a reader gets either the old model or the new one, whole. With
        `sidecar`, a readable copy of the metadata goes to `path`.json afterwards: for people,
        derived from the .npz, never read back. A file that several writers replace (the app's
        saved default) is written without one, so no metadata file can describe another save.
        """
        path = Path(path)
        if path.suffix != ".npz":
            raise ValueError(f"model files end in .npz, got {path.name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        metadata_json = json.dumps(self.metadata, indent=2, sort_keys=True)

        def write_npz(file) -> None:
            np.savez(file, weights=self.weights, bias=self.bias, metadata=np.array(metadata_json))

        write_atomically(path, write_npz, binary=True)
        if sidecar:
            write_atomically(path.with_suffix(".json"), lambda f: f.write(metadata_json + "\n"))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> SoftmaxClassifier:
        """Read a model saved by `save`; no path: the default model (`default_path()`). Never
        imports TensorFlow.

        Raises ModelFileError for a missing, truncated or foreign file, and for a model no view
        can use (`check_usable`: 784 or 64 inputs, 10 classes, finite probabilities).
        """
        path = default_path() if path is None else Path(path)
        try:
            loaded = np.load(path, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):  # a bare .npy array
                raise ModelFileError(f"{path} is not a softmax model: not an .npz archive")
            with loaded as npz:
                missing = [key for key in ("weights", "bias") if key not in npz.files]
                if missing:
                    raise ModelFileError(
                        f"{path} is not a softmax model: it has no {' or '.join(missing)}"
                    )
                weights, bias = npz["weights"], npz["bias"]
                metadata = _metadata(npz, path)
            classifier = cls(weights, bias, metadata)
            check_usable(classifier)
            return classifier
        except ModelFileError:
            raise
        except FileNotFoundError as error:
            raise ModelFileError(f"no model file at {path}") from error
        except UnusableModel as error:
            raise ModelFileError(f"{path} cannot be used: {error}") from error
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
            raise ModelFileError(f"{path} is not a readable model file ({error})") from error


class UnusableModel(ValueError):
    """A well-formed model that the views cannot use (wrong size, or overflowing weights)."""


def check_usable(classifier: SoftmaxClassifier) -> None:
    """Raise UnusableModel unless every view can use `classifier`: 784 inputs (28×28) or 64
    (8×8), 10 classes, and finite probabilities for every input in [0, 1]."""
    if classifier.n_inputs not in READABLE_INPUTS:
        side = classifier.image_shape[0]
        raise UnusableModel(f"it reads {side}×{side} images; the studio's images are 28×28 or 8×8")
    if classifier.n_classes != N_CLASSES:
        raise UnusableModel(f"it has {classifier.n_classes} classes; a digit model has {N_CLASSES}")
    bound = np.abs(classifier.weights.astype(np.float64)).sum(axis=0) + np.abs(classifier.bias)
    if not bound.max() < LOGIT_LIMIT:
        raise UnusableModel(
            f"its weights are so large (Σ|w| up to {bound.max():.3g}) that scores overflow"
        )
    probe = np.full(classifier.n_inputs, 0.5, dtype=np.float32)  # a grey image
    with np.errstate(all="ignore"):
        probabilities = classifier.predict_proba(probe)
    if not np.isfinite(probabilities).all():
        raise UnusableModel("its probabilities are not finite numbers")


def check_reads_canvas(classifier: SoftmaxClassifier) -> None:
    """Raise UnusableModel unless `classifier` can be everyone's default: usable, and reading
    the 28×28 drawing canvas (an 8×8 model cannot read a drawing)."""
    check_usable(classifier)
    if classifier.n_inputs != CANVAS_INPUTS:
        side = classifier.image_shape[0]
        raise UnusableModel(
            f"it reads {side}×{side} images, and the drawing page needs a 28×28 model"
        )


def read_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """The metadata saved in a model file, without reading its weights. ModelFileError if
    unreadable."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            return _metadata(npz, path)
    except ModelFileError:
        raise
    except FileNotFoundError as error:
        raise ModelFileError(f"no model file at {path}") from error
    except (OSError, ValueError, AttributeError, zipfile.BadZipFile, EOFError) as error:
        raise ModelFileError(f"{path} is not a readable model file ({error})") from error


def _metadata(npz: np.lib.npyio.NpzFile, path: Path) -> dict[str, Any]:
    metadata = json.loads(str(npz["metadata"])) if "metadata" in npz.files else {}
    if not isinstance(metadata, dict):
        raise ModelFileError(f"{path} is not a softmax model: its metadata is not a dict")
    return metadata


def shipped_metadata() -> dict[str, dict[str, Any]]:
    """The metadata of each shipped model on disk (a missing or unreadable one is left out)."""
    found = {}
    for name in SHIPPED:
        try:
            found[name] = read_metadata(shipped_path(name))
        except ModelFileError:
            continue
    return found


def best_for_drawings(metadata: dict[str, dict[str, Any]]) -> str:
    """Of these models' metadata, the one with the highest `drawn_accuracy` (how well it reads
    held-out drawn digits: what the studio is for); FALLBACK when none records it."""
    scored = {
        name: meta["drawn_accuracy"]
        for name, meta in metadata.items()
        if isinstance(meta.get("drawn_accuracy"), int | float)
        and not isinstance(meta.get("drawn_accuracy"), bool)
        and np.isfinite(meta["drawn_accuracy"])
    }
    if scored:
        return max(scored, key=scored.__getitem__)
    return FALLBACK if FALLBACK in metadata else next(iter(metadata), FALLBACK)


def default_shipped() -> str:
    """The name of the default model: the shipped model that reads drawings best."""
    return best_for_drawings(shipped_metadata())


def default_path() -> Path:
    """The default model's file: what the app, the CLI without --model and `load()` use."""
    return shipped_path(default_shipped())


def shipped_path(name: str) -> Path:
    """Path of a model shipped in `softmax/assets/` (`default`, `deskew` or `drawn`)."""
    if name not in SHIPPED:
        raise ValueError(f"shipped models are {', '.join(SHIPPED)}; got {name!r}")
    return ASSETS / f"{name}.npz"
