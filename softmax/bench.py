"""How fast a drawing becomes a prediction, next to Keras, and how fast the default recipe trains.

    python -m softmax bench              # a readable report
    python -m softmax bench --json       # the same numbers for scripts

The app's path is canvas (280×280 RGBA) -> `canvas_to_mnist` -> numpy `predict`; the goal is a
p50 of at most 1 ms, and at least 20× faster than Keras' `model.predict` on the same weights.
`model(x)` (an eager call, no `predict` machinery) is timed too, to show where Keras' time goes.
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

    @property
    def ratio(self) -> float:
        """How many times faster the app's whole path is than Keras' `model.predict` alone."""
        return self.keras_predict.p50_ms / self.end_to_end.p50_ms

    @property
    def call_ratio(self) -> float:
        return self.keras_call.p50_ms / self.end_to_end.p50_ms

    def to_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "call_ratio": self.call_ratio}

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
    note = "skipped: no MNIST"
    if train and mnist_available():
        from softmax.recipes import RECIPES
        from softmax.train import fit

        result = fit(RECIPES["default"])
        seconds, accuracy, note = result.seconds, result.test_accuracy, ""
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
    )
