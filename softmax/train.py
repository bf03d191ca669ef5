"""`fit`: train a recipe (softmax/recipes.py) with Keras, the one place TensorFlow runs.

    python -m softmax train                              # default: Adam 0.01, 10 epochs -> ~0.926
    python -m softmax train --recipe notebook            # the reference notebook -> ~0.89
    python -m softmax train --weight-penalty 0           # default without its weight penalty
    python -m softmax train --epochs 3 --learning-rate 0.02 --seed 1 --out model.npz

The shipped models (softmax/assets/) are made by:

    python -m softmax train --recipe default --out softmax/assets/default.npz
    python -m softmax train --recipe deskew --out softmax/assets/deskew.npz   # ~0.955
    python -m softmax train --recipe drawn --out softmax/assets/drawn.npz     # + 20k drawn digits

From Python:

    result = fit(get_recipe("default", epochs=3))            # real MNIST from the data source order
    result = fit(get_recipe("default", "digits"), digits_dataset())  # the 8×8 digits, anywhere
    # get_recipe from softmax.recipes, digits_dataset from softmax.data
    result.classifier.save("model.npz")

The epoch count is part of the recipe and never chosen by looking at the test set. The test
loss and accuracy are computed after every epoch only to be *reported* (the app plots live
train/test curves); nothing in training reads them.

Speed: with a seed, Keras' `fit(x, y, shuffle=True)` (TensorFlow backend) draws the same
permutation of the training set every epoch, and its input pipeline re-gathers every batch from
the arrays each epoch, which cost as much as the training arithmetic. `fit` here draws that same
permutation once (`keras_order`), cuts the shuffled data into its batches once, and hands Keras
a dataset that repeats them (`_epoch_batches`); every compiled training call runs several
batches (`steps_per_execution`). Both change how fast, not what: the weights are bit for bit
those of Keras' plain `model.fit` (tests/test_train.py compares them). XLA (`jit_compile`) is
not used: measured here, it made each MNIST epoch slower and cost ~3 s to compile.
The held-out drawn digits every 28×28 model is scored on are generated in a thread while
TensorFlow loads and trains, so the result is ready as soon as the last epoch ends.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import platform
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from softmax.data import Dataset, Split, mnist_dataset, one_hot, to_unit
from softmax.evaluation import DRAWN_HELD_OUT, drawn_accuracy, prefetch_drawn_held_out
from softmax.explain import rim_share
from softmax.model import SoftmaxClassifier, build_model
from softmax.recipes import Recipe


@dataclass(frozen=True)
class EpochLog:
    """One finished epoch, as reported to a ProgressCallback."""

    epoch: int  # 1-based
    epochs: int  # how many the recipe runs
    loss: float  # training cross-entropy, averaged over the epoch's batches
    accuracy: float
    val_loss: float  # on the test set, after the epoch: reported, never used by training
    val_accuracy: float
    seconds: float  # since training started


class ProgressCallback:
    """Reports each epoch to `on_epoch` and stops training when `should_stop` says so.

    `on_weights(epoch, W, b)`, if given, gets the weights before training (epoch 0) and after
    every epoch: what the Train page replays (softmax.history).

    `should_stop` is a function or a `threading.Event` (the app's Stop button sets one); it is
    checked after every compiled training call (at most EXECUTION_SAMPLES images, a fraction
    of a second), and training then ends after that epoch's report. Both are called in the
    thread that called `fit` (so Streamlit calls work inside `on_epoch`).
    """

    def __init__(
        self,
        on_epoch: Callable[[EpochLog], None] | None = None,
        should_stop: Callable[[], bool] | threading.Event | None = None,
        on_weights: Callable[[int, np.ndarray, np.ndarray], None] | None = None,
    ) -> None:
        for name, function in (("on_epoch", on_epoch), ("on_weights", on_weights)):
            if function is not None and not callable(function):
                raise TypeError(f"{name} must be a function or None; got {function!r}")
        if not (should_stop is None or callable(should_stop) or hasattr(should_stop, "is_set")):
            raise TypeError(
                f"should_stop must be a function, a threading.Event or None; got {should_stop!r}"
            )
        self.on_epoch = on_epoch
        self.should_stop = should_stop
        self.on_weights = on_weights

    def __repr__(self) -> str:
        return f"ProgressCallback(on_epoch={self.on_epoch!r}, should_stop={self.should_stop!r})"

    def stop_requested(self) -> bool:
        if hasattr(self.should_stop, "is_set"):  # threading.Event, or a multiprocessing one
            return self.should_stop.is_set()
        return bool(self.should_stop and self.should_stop())


@dataclass(frozen=True)
class TrainResult:
    """A finished (or stopped) training run."""

    classifier: SoftmaxClassifier  # its metadata records the recipe, data, scores and versions
    history: dict[str, list[float]]  # per epoch: loss, accuracy, val_loss, val_accuracy
    test_accuracy: float
    seconds: float  # wall time of the training loop
    stopped_early: bool  # a ProgressCallback asked to stop before the recipe's last epoch

    def __repr__(self) -> str:
        epochs = len(self.history.get("loss", ()))
        return (
            f"TrainResult({self.classifier.recipe!r}, epochs={epochs}, "
            f"test_accuracy={self.test_accuracy:.4f}, seconds={self.seconds:.1f})"
        )


def fit(
    recipe: Recipe,
    data: Dataset | tuple[Split, Split] | None = None,
    callbacks: Sequence[Any] = (),
    verbose: int = 0,
    extra: Split | None = None,
    extra_weight: float = 1.0,
) -> TrainResult:
    """Train `build_model()` with `recipe` on `data` (None: real MNIST) and return the result.

    `callbacks` holds `keras.callbacks.Callback`s and/or `ProgressCallback`s; `verbose` is
    Keras' (0 silent, 1 progress bar, 2 a line per epoch). Works for any square image size:
    MNIST's 28×28 or the 8×8 digits (`deskew` and `drawn` need 28×28).

    `extra` adds labelled images (a class's own drawings: images (m, side, side) like the data's,
    labels (m,)) to the training set, prepared as the recipe prepares its own; each counts
    `extra_weight` times an ordinary image in the loss (Keras' `sample_weight`), so that a few
    hundred of them weigh something among tens of thousands.

    Deterministic: `keras.utils.set_random_seed(recipe.seed)` seeds the initial weights and the
    shuffling (it also reseeds Python's and numpy's global generators). On CPU the same recipe,
    data, machine and TensorFlow build give bit-identical weights; other CPUs or thread counts
    may differ in the last float bits.

    Raises ValueError for data of the wrong shape or a recipe the data cannot use.
    """
    dataset = _as_dataset(data)
    side = dataset.train[0].shape[1]
    if side == 28:  # every MNIST-sized model is also scored on digits drawn like the app's
        prefetch_drawn_held_out()
    if extra is not None:
        extra = _checked("extra", *extra, side=side)
    if not (
        isinstance(extra_weight, int | float) and math.isfinite(extra_weight) and extra_weight > 0
    ):
        raise ValueError(f"extra_weight must be a positive number; got {extra_weight!r}")
    (x, y_train), (x_val, y_test) = _inputs(recipe, dataset, extra)
    weights = np.ones(len(x), dtype=np.float32)  # (n,) each image's weight in the loss
    if extra is not None:
        weights[len(x) - len(extra[1]) :] = extra_weight  # the extra images come last

    import keras

    keras.utils.set_random_seed(recipe.seed)
    model = build_model(n_inputs=x.shape[1], weight_penalty=recipe.weight_penalty)
    optimizer: Any = recipe.optimizer  # by name, exactly as the notebook, when no rate is given
    if recipe.learning_rate is not None:
        config = {"learning_rate": recipe.learning_rate}
        optimizer = keras.optimizers.get({"class_name": recipe.optimizer, "config": config})
    model.compile(
        optimizer=optimizer,
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution(len(x), recipe.batch_size),
    )

    progress = [c for c in callbacks if isinstance(c, ProgressCallback)]
    others = [c for c in callbacks if not isinstance(c, ProgressCallback)]
    reporter = _reporter(keras, progress, x_val, y_test, recipe.epochs)
    arrays = (x, one_hot(y_train), weights if extra is not None else None)  # to_categorical
    start = time.perf_counter()
    history = model.fit(
        _epoch_batches(arrays, keras_order(len(x)), recipe.batch_size),
        steps_per_epoch=batches_per_epoch(len(x), recipe.batch_size),
        epochs=recipe.epochs,
        shuffle=False,  # the dataset is already in the order Keras' shuffle gives
        callbacks=[reporter, *others],
        verbose=verbose,
    ).history
    seconds = time.perf_counter() - start

    trained = SoftmaxClassifier.from_keras(model, {"deskew": recipe.deskew})
    test_accuracy = trained.accuracy(x_val, y_test)
    drawn = {}
    if side == 28:
        drawn = {"drawn_accuracy": drawn_accuracy(trained), "drawn_held_out": DRAWN_HELD_OUT}
    epochs_run = len(history["loss"])
    metadata = {
        "recipe": recipe.name,
        **{key: value for key, value in dataclasses.asdict(recipe).items() if key != "name"},
        "learning_rate": _learning_rate(model),  # the rate used, Keras' default when None
        "loss": "categorical_crossentropy",
        "epochs_run": epochs_run,
        "dataset": dataset.name,
        "data_sha256": dataset.sha256,
        "train_size": len(x),
        **(
            {"extra_size": len(extra[1]), "extra_weight": extra_weight} if extra is not None else {}
        ),
        "test_size": len(x_val),
        "test_accuracy": test_accuracy,
        "train_accuracy": trained.accuracy(x, y_train),
        "rim_share": round(rim_share(trained.weights, dataset.train[0]), 4),
        "seconds": round(seconds, 2),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": _versions(),
        **drawn,
        "history": {key: [round(v, 6) for v in values] for key, values in history.items()},
    }
    return TrainResult(
        classifier=dataclasses.replace(trained, metadata=metadata),
        history={key: [float(v) for v in values] for key, values in history.items()},
        test_accuracy=test_accuracy,
        seconds=seconds,
        stopped_early=epochs_run < recipe.epochs,
    )


EXECUTION_SAMPLES = 16_384  # about this many images per compiled training call: quick to stop


def batches_per_epoch(n_train: int, batch_size: int) -> int:
    """How many batches one pass over `n_train` images takes, the last one maybe smaller."""
    return -(-n_train // batch_size)


def steps_per_execution(n_train: int, batch_size: int) -> int:
    """Batches per compiled training call: the most that divide an epoch's batches evenly and
    hold at most EXECUTION_SAMPLES images (at least one batch).

    Each call costs Python and TensorFlow overhead, so fewer calls train faster; a stop is
    seen between calls, so calls stay short. They must divide the epoch, since the training
    data repeats (`_epoch_batches`) and a call would otherwise run on into the next epoch.
    Batch 2048 on MNIST: 30 batches an epoch, 6 a call.
    """
    steps_per_epoch = batches_per_epoch(n_train, batch_size)
    most = max(1, EXECUTION_SAMPLES // batch_size)
    return max(d for d in range(1, min(most, steps_per_epoch) + 1) if steps_per_epoch % d == 0)


def keras_order(n: int):
    """The order in which Keras' seeded `fit(..., shuffle=True)` visits `n` training samples:
    (n,) int64 indices, the same every epoch.

    Keras' array adapter (TensorFlow backend) shuffles `tf.range(n)` with `tf.random.shuffle`
    inside a `tf.data` function; with the global seed set (`keras.utils.set_random_seed`), the
    op's seeds are fixed and every epoch's new iterator redraws the same permutation. This is
    that function, run once: call it right after seeding, as `fit` does.
    """
    import tensorflow as tf

    def permutation(_):
        return tf.random.shuffle(tf.range(n, dtype=tf.int64))

    return tf.data.Dataset.range(1).map(permutation).get_single_element().numpy()


def _epoch_batches(arrays: tuple, order: np.ndarray, batch_size: int):
    """A `tf.data.Dataset` of an epoch's batches, in `order`, repeated forever: (x, y) or
    (x, y, sample_weight) per batch, the last batch of an epoch maybe smaller.

    Shuffled and cut once, so an epoch costs no gathering; fit with `steps_per_epoch`.
    """
    import tensorflow as tf

    arrays = tuple(a[order] for a in arrays if a is not None)  # (n, ...) each, epoch order
    full = len(order) // batch_size * batch_size
    batched = tuple(a[:full].reshape(-1, batch_size, *a.shape[1:]) for a in arrays)
    dataset = tf.data.Dataset.from_tensor_slices(batched)  # (steps, batch, ...) -> batches
    if full < len(order):
        dataset = dataset.concatenate(tf.data.Dataset.from_tensors(tuple(a[full:] for a in arrays)))
    return dataset.repeat()


def _inputs(recipe: Recipe, dataset: Dataset, extra: Split | None = None) -> tuple[Split, Split]:
    """The recipe's training and test inputs: drawn digits and `extra` added (last), deskewed,
    /255, flattened."""
    (x_train, y_train), (x_test, y_test) = dataset.train, dataset.test
    side = x_train.shape[1]
    if (recipe.deskew or recipe.drawn) and side != 28:
        raise ValueError(f"deskew and drawn need 28×28 images; {dataset.name} is {side}×{side}")
    if recipe.drawn:
        from softmax.drawn import drawn_digits

        drawn_images, drawn_labels = drawn_digits(recipe.drawn, seed=recipe.seed, split="train")
        x_train = np.concatenate([to_unit(x_train), drawn_images])  # (n + drawn, 28, 28)
        y_train = np.concatenate([y_train, drawn_labels])
    if extra is not None:
        x_train = np.concatenate([to_unit(x_train), to_unit(extra[0])])  # (n + m, side, side)
        y_train = np.concatenate([y_train, extra[1]])
    if recipe.deskew:
        from softmax.preprocess import deskew

        x_train, x_test = deskew(to_unit(x_train)), deskew(to_unit(x_test))  # (n, 28, 28)
    x = to_unit(x_train).reshape(len(x_train), -1)  # (n, 784) float32 in [0, 1]
    x_val = to_unit(x_test).reshape(len(x_test), -1)
    return (x, np.asarray(y_train)), (x_val, np.asarray(y_test))


def _as_dataset(data: Dataset | tuple[Split, Split] | None) -> Dataset:
    """None -> real MNIST; arrays -> a Dataset named "arrays" with a hash of their bytes; checked."""
    if data is None:
        return mnist_dataset()
    if not isinstance(data, Dataset):
        try:
            (x_train, y_train), (x_test, y_test) = data
        except (TypeError, ValueError) as error:
            raise ValueError("data must be ((x_train, y_train), (x_test, y_test))") from error
        arrays = [np.asarray(a) for a in (x_train, y_train, x_test, y_test)]
        digest = hashlib.sha256(b"".join(a.tobytes() for a in arrays)).hexdigest()
        data = Dataset("arrays", (arrays[0], arrays[1]), (arrays[2], arrays[3]), digest)
    for part, (images, labels) in (("train", data.train), ("test", data.test)):
        _checked(part, images, labels)
    if data.train[0].shape[1:] != data.test[0].shape[1:]:
        raise ValueError(
            f"train and test images differ in size: {data.train[0].shape} vs {data.test[0].shape}"
        )
    return data


def _checked(part: str, images, labels, side: int | None = None) -> Split:
    """(images, labels) as arrays, or ValueError naming `part` and what is wrong with it."""
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3 or images.shape[1] != images.shape[2] or len(images) == 0:
        raise ValueError(f"{part} images must be (n, side, side), got {images.shape}")
    if side is not None and images.shape[1] != side:
        raise ValueError(f"{part} images must be {side}×{side} like the data's, got {images.shape}")
    if images.dtype != np.uint8 and not (
        images.dtype.kind == "f" and images.min() >= 0 and images.max() <= 1
    ):
        raise ValueError(
            f"{part} images must be uint8 0–255 or float 0–1, got {images.dtype} "
            f"from {images.min()} to {images.max()}"
        )
    if (
        labels.shape != (len(images),)
        or labels.dtype.kind not in "iu"
        or labels.min() < 0
        or labels.max() > 9
    ):
        raise ValueError(
            f"{part} labels must be (n,) digits 0–9 for {len(images)} images, "
            f"got {labels.dtype}{labels.shape}"
        )
    return images, labels


def _reporter(keras, progress: list[ProgressCallback], x_test, y_test, epochs: int):
    """The Keras callback that adds test loss/accuracy to each epoch's logs and runs `progress`.

    Test scores come from the numpy twin of the current weights (~5 ms, where Keras'
    `validation_data` costs ~150 ms an epoch), are written into the logs Keras' History and
    progress bar show, and are never read by the training loop.
    """

    class Reporter(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()
            weights, bias = self.model.layers[-1].get_weights()
            for p in progress:
                if p.on_weights is not None:
                    p.on_weights(0, weights, bias)

        def on_train_batch_end(self, batch, logs=None):
            if any(p.stop_requested() for p in progress):
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            weights, bias = self.model.layers[-1].get_weights()
            logits = x_test @ weights + bias  # (n, 784) @ (784, 10) -> (n, 10)
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            logs["val_loss"] = float(-log_probs[np.arange(len(y_test)), y_test].mean())
            logs["val_accuracy"] = float((logits.argmax(axis=1) == y_test).mean())
            log = EpochLog(
                epoch=epoch + 1,
                epochs=epochs,
                loss=float(logs["loss"]),
                accuracy=float(logs["accuracy"]),
                val_loss=logs["val_loss"],
                val_accuracy=logs["val_accuracy"],
                seconds=time.perf_counter() - self.start,
            )
            for p in progress:
                if p.on_weights is not None:
                    p.on_weights(epoch + 1, weights, bias)
                if p.on_epoch is not None:
                    p.on_epoch(log)
            if any(p.stop_requested() for p in progress):
                self.model.stop_training = True

    return Reporter()


def _learning_rate(model) -> float:
    return float(f"{float(model.optimizer.learning_rate):.6g}")  # float32 0.01 -> 0.01


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("numpy", "keras", "tensorflow"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return versions
