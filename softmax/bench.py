"""How fast a drawing becomes a prediction, next to Keras, and how fast the recipes train.

    python -m softmax bench              # a readable report
    python -m softmax bench --json       # the same numbers for scripts

The app's path is canvas (280×280 RGBA) -> `canvas_to_mnist` -> numpy `predict`; the goal is a
p50 of at most 1 ms, and at least 20× faster than Keras' `model.predict` on the same weights.
`model(x)` (an eager call, no `predict` machinery) is timed too, to show where Keras' time goes.

Training: the default recipe, the notebook recipe (Keras, as `fit` runs it), and beside it the
same 100 epochs of SGD as a plain numpy loop (`numpy_sgd`), a reference for what the arithmetic
alone costs on this machine: the goal is Keras within 1.5× of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from softmax.model import SoftmaxClassifier

CANVAS_DIGIT = 7  # one realistic drawing, generated like the held-out drawn digits
CANVAS_SEED = 0
WARMUP = 5  # untimed calls first: Keras traces its function on the first `predict`


@dataclass(frozen=True)
class Latency:
    """Wall time of one call, over `runs` calls."""

    name: str
    runs: int
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True)
class BenchResult:
    preprocess: Latency  # canvas -> (28, 28)
    predict: Latency  # numpy classifier, one image
    end_to_end: Latency  # preprocess + predict: what the app does on every stroke
    keras_predict: Latency  # keras model.predict on the preprocessed image
    keras_call: Latency  # keras model(x)
    train_seconds: float | None  # default recipe's training loop on real MNIST; None: skipped
    train_test_accuracy: float | None
    train_note: str  # why training was skipped, or ""
    model: str  # the classifier timed, by recipe, with its preprocessing
    notebook_seconds: float | None = None  # the notebook recipe's training loop, Keras
    notebook_test_accuracy: float | None = None
    numpy_sgd_seconds: float | None = None  # the same SGD as a plain numpy loop
    numpy_sgd_test_accuracy: float | None = None

    @property
    def ratio(self) -> float:
        """How many times faster the app's whole path is than Keras' `model.predict` alone."""
        return self.keras_predict.p50_ms / self.end_to_end.p50_ms

    @property
    def call_ratio(self) -> float:
        return self.keras_call.p50_ms / self.end_to_end.p50_ms

    @property
    def keras_numpy_ratio(self) -> float | None:
        """The notebook's training time in Keras over the plain numpy loop's (goal: ≤ 1.5)."""
        if self.notebook_seconds is None or not self.numpy_sgd_seconds:
            return None
        return self.notebook_seconds / self.numpy_sgd_seconds

    def to_dict(self) -> dict:
        return {
            **asdict(self),
            "ratio": self.ratio,
            "call_ratio": self.call_ratio,
            "keras_numpy_ratio": self.keras_numpy_ratio,
        }

    def report(self) -> str:
        rows = [self.preprocess, self.predict, self.end_to_end, self.keras_predict, self.keras_call]
        lines = [f"model: {self.model}", f"{'':28}{'p50 ms':>10}{'p95 ms':>10}   runs"]
        lines += [f"{r.name:28}{r.p50_ms:>10.3f}{r.p95_ms:>10.3f}   {r.runs}" for r in rows]
        lines.append(f"preprocess + predict is {self.ratio:.0f}× faster than keras model.predict")
        lines.append(f"and {self.call_ratio:.1f}× faster than keras model(x)")
        if self.train_seconds is None:
            lines.append(f"train default recipe: {self.train_note}")
        else:
            lines.append(
                f"train default recipe: {self.train_seconds:.1f} s, "
                f"test accuracy {self.train_test_accuracy:.4f}"
            )
        if self.keras_numpy_ratio is not None:
            lines.append(
                f"train notebook recipe (Keras): {self.notebook_seconds:.1f} s, "
                f"test accuracy {self.notebook_test_accuracy:.4f}"
            )
            lines.append(
                f"the same SGD, plain numpy loop: {self.numpy_sgd_seconds:.1f} s, "
                f"test accuracy {self.numpy_sgd_test_accuracy:.4f} "
                f"-> Keras takes {self.keras_numpy_ratio:.2f}× the numpy loop's time"
            )
        return "\n".join(lines)


def time_calls(name: str, call: Callable[[], object], runs: int) -> Latency:
    """p50 and p95 wall time of `call()` over `runs` calls, after WARMUP untimed ones."""
    for _ in range(WARMUP):
        call()
    times = np.empty(runs)  # (runs,) seconds
    for i in range(runs):
        start = time.perf_counter()
        call()
        times[i] = time.perf_counter() - start
    p50, p95 = np.percentile(times, [50, 95]) * 1000
    return Latency(name, runs, float(p50), float(p95))


def run(
    runs: int = 200, train: bool = True, classifier: SoftmaxClassifier | None = None
) -> BenchResult:
    """Time the app's path against Keras (imports TensorFlow) and, if asked, the default recipe.

    `classifier` defaults to the default model, the app's. Training needs real MNIST reachable
    without a download; otherwise it is reported as skipped. ValueError for `runs` < 1.
    """
    from softmax.data import mnist_available
    from softmax.drawn import random_digit
    from softmax.preprocess import canvas_to_mnist

    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise ValueError(f"runs must be an integer >= 1; got {runs!r}")
    classifier = classifier or SoftmaxClassifier.load()
    rng = np.random.default_rng(CANVAS_SEED)
    canvas = random_digit(CANVAS_DIGIT, rng, split="test").canvas()  # (280, 280, 4) uint8
    image = canvas_to_mnist(canvas, deskew=classifier.deskew)  # (28, 28)
    x = image.reshape(1, -1)  # (1, 784)
    model = classifier.to_keras()

    preprocess = time_calls(
        "preprocess (canvas -> 28×28)",
        lambda: canvas_to_mnist(canvas, deskew=classifier.deskew),
        runs,
    )
    predict = time_calls("predict (numpy)", lambda: classifier.predict(image), runs)
    end_to_end = time_calls(
        "preprocess + predict",
        lambda: classifier.predict(canvas_to_mnist(canvas, deskew=classifier.deskew)),
        runs,
    )
    keras_predict = time_calls("keras model.predict", lambda: model.predict(x, verbose=0), runs)
    keras_call = time_calls("keras model(x)", lambda: model(x), runs)

    seconds = accuracy = None
    notebook: tuple[float | None, float | None] = (None, None)
    reference: tuple[float | None, float | None] = (None, None)
    note = "skipped: no MNIST"
    if train and mnist_available():
        from softmax.data import mnist_dataset
        from softmax.recipes import RECIPES
        from softmax.train import fit

        data = mnist_dataset()
        result = fit(RECIPES["default"], data)
        seconds, accuracy, note = result.seconds, result.test_accuracy, ""
        result = fit(RECIPES["notebook"], data)
        notebook = (result.seconds, result.test_accuracy)
        reference = numpy_sgd(data.train, data.test)
    elif not train:
        note = "skipped: not asked"
    model_name = f"{classifier.recipe}" + (" (inputs deskewed)" if classifier.deskew else "")
    return BenchResult(
        preprocess,
        predict,
        end_to_end,
        keras_predict,
        keras_call,
        seconds,
        accuracy,
        note,
        model_name,
        *notebook,
        *reference,
    )


def numpy_sgd(
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    epochs: int = 100,
    batch_size: int = 2048,
    learning_rate: float = 0.01,
    seed: int = 0,
) -> tuple[float, float]:
    """The notebook's training as a plain numpy loop: (seconds of the loop, test accuracy).

    The same model, loss and schedule as the notebook recipe: Glorot-uniform W, zero b, every
    epoch a fresh shuffle cut into batches of 2048, each a step of SGD at 0.01 on the mean
    cross-entropy, float32 throughout. Its own random numbers, so its weights are not Keras'
    bit for bit; its accuracy lands on the same ~0.89.
    """
    from softmax.data import one_hot, to_inputs
    from softmax.model import softmax

    x, targets = to_inputs(train[0]), one_hot(train[1])  # (n, 784), (n, 10)
    rng = np.random.default_rng(seed)
    limit = np.sqrt(6 / (x.shape[1] + 10))
    weights = rng.uniform(-limit, limit, (x.shape[1], 10)).astype(np.float32)  # (784, 10)
    bias = np.zeros(10, dtype=np.float32)
    rate = np.float32(learning_rate)
    start = time.perf_counter()
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for first in range(0, len(x), batch_size):
            batch = order[first : first + batch_size]
            xb = x[batch]  # (B, 784)
            gradient = (softmax(xb @ weights + bias) - targets[batch]) / len(batch)  # (B, 10)
            weights -= rate * (xb.T @ gradient)  # (784, B) @ (B, 10)
            bias -= rate * gradient.sum(axis=0)
    seconds = time.perf_counter() - start
    logits = to_inputs(test[0]) @ weights + bias  # (n_test, 10)
    return seconds, float((logits.argmax(axis=1) == test[1]).mean())
