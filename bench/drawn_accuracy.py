"""How well does a softmax read digits drawn like the app's canvas? Train, preprocess, score.

    .venv/bin/python bench/drawn_accuracy.py                         # MNIST vs MNIST + 20,000 drawn
    .venv/bin/python bench/drawn_accuracy.py --drawn 5000 10000 20000 40000
    .venv/bin/python bench/drawn_accuracy.py --pendigits penbased.dat  # + real pen trajectories
    .venv/bin/python bench/drawn_accuracy.py --unipen pendigits-orig.tes

One row per training set (MNIST alone, MNIST + N generated drawn digits) and preprocessing
(naive resize, MNIST-style centring, centring + deskew with a deskew-trained model). Columns:
MNIST test accuracy, accuracy on held-out generated drawings (`drawn_digits(split="test")`:
other seeds, wider ranges, unseen styles), and, when given, accuracy on real people's pen
trajectories rendered like the canvas renders strokes:

- `--pendigits`: UCI "Pen-Based Recognition of Handwritten Digits" in its 17-column form
  (pendigits.tra/.tes, or KEEL's penbased.dat): 8 points per digit, resampled along the whole
  trajectory (pen lifts joined by straight lines, so a 7 with a crossbar looks like a Z), each
  axis stretched to 0–100. The points are smoothed like the canvas smooths mouse points and the
  lost aspect ratio is put back as width = 0.7 × height for every digit: a rough, pessimistic
  proxy.
- `--unipen`: the original trajectories (pendigits-orig.tra/.tes, UNIPEN text): every point and
  pen lift, true aspect ratio; the best available stand-in for people drawing in the app.

Human drawings get a random size (80–250 px high), position and pen width (10–30 px) on the
280 px canvas, seeded. Training uses `softmax.train.fit` (Adam 0.01, batch 2048, 10 epochs).
Before the table, a speed section times the preprocessing, deskewing and the generator.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from softmax.data import load_mnist
from softmax.drawn import (
    drawings,
    drawn_digits,
    place_on_canvas,
    random_digit,
    render_strokes,
    smooth_stroke,
)
from softmax.evaluation import evaluate
from softmax.model import quiet_tensorflow
from softmax.preprocess import canvas_to_mnist, deskew
from softmax.recipes import get_recipe
from softmax.train import fit

quiet_tensorflow()

PREPROCESSING = ("naive", "mnist", "mnist+deskew")
HUMAN_ASPECT = 0.7  # width / height given back to pendigits' per-axis-stretched digits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--drawn", type=int, nargs="+", default=[20_000], help="N drawn digits added"
    )
    parser.add_argument("--held-out", type=int, default=2000, help="generated test drawings")
    parser.add_argument("--pendigits", type=Path, help="pendigits .tra/.tes or KEEL penbased.dat")
    parser.add_argument("--unipen", type=Path, help="pendigits-orig .tra/.tes (UNIPEN text)")
    parser.add_argument("--human", type=int, default=3000, help="human digits used at most")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--no-speed", action="store_true", help="skip the speed section")
    args = parser.parse_args()

    (x_train, y_train), (x_test, y_test) = load_mnist()
    if not args.no_speed:
        print_speed(x_train, x_test)

    canvases = {"drawn held-out": generated_test_set(args.held_out)}
    if args.pendigits:
        canvases["pendigits*"] = human_set(read_pendigits(args.pendigits), args.human)
    if args.unipen:
        canvases["unipen"] = human_set(read_unipen(args.unipen), args.human)
    sets = {name: preprocess_all(drawings) for name, drawings in canvases.items()}

    header = f"{'training set':<22}{'preprocessing':<15}{'MNIST test':>11}" + "".join(
        f"{name:>16}" for name in sets
    )
    print(header)
    print("-" * len(header))
    for n_drawn in [0, *args.drawn]:
        for preprocessing in PREPROCESSING:
            started = time.perf_counter()
            classifier = train(
                x_train, y_train, x_test, y_test, n_drawn, preprocessing, args.epochs
            )
            scores = [evaluate(classifier, x_test, y_test).accuracy]
            base = "naive" if preprocessing == "naive" else "mnist"
            scores += [evaluate(classifier, *images[base]).accuracy for images in sets.values()]
            name = "MNIST" if n_drawn == 0 else f"MNIST + {n_drawn:,} drawn"
            cells = "".join(f"{s:>16.4f}" for s in scores[1:])
            seconds = time.perf_counter() - started
            print(f"{name:<22}{preprocessing:<15}{scores[0]:>11.4f}{cells}   ({seconds:.0f} s)")
            sys.stdout.flush()


def train(x_train, y_train, x_test, y_test, n_drawn: int, preprocessing: str, epochs: int):
    """A softmax trained on MNIST (+ drawn digits preprocessed the same way); deskew if asked."""
    if n_drawn:
        mode = "naive" if preprocessing == "naive" else "mnist"
        drawn_images, drawn_labels = drawn_digits(n_drawn, seed=0, split="train", mode=mode)
        x_train = np.concatenate([x_train / np.float32(255), drawn_images])  # (n + N, 28, 28)
        y_train = np.concatenate([y_train, drawn_labels])
    recipe = get_recipe("deskew" if preprocessing == "mnist+deskew" else "default", epochs=epochs)
    return fit(recipe, ((x_train, y_train), (x_test, y_test))).classifier


def preprocess_all(
    drawings: tuple[np.ndarray, np.ndarray],
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Canvases -> {"naive": (images, labels), "mnist": (images, labels)}; deskew is the model's."""
    canvases, labels = drawings
    return {
        mode: (np.stack([canvas_to_mnist(c, mode=mode) for c in canvases]), labels)
        for mode in ("naive", "mnist")
    }


def generated_test_set(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, 280, 280) uint8 ink of held-out drawings: the same digits as `drawn_digits(n, split="test")`."""
    held_out = list(drawings(n, split="test"))
    canvases = np.stack([drawing.canvas()[..., 0] for drawing in held_out])  # (n, 280, 280)
    return canvases, np.array([drawing.digit for drawing in held_out], dtype=np.uint8)


def human_set(samples: list[tuple[int, list[np.ndarray]]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` of the real trajectories, chosen at random and rendered on the canvas, seeded."""
    rng = np.random.default_rng(2024)
    chosen = rng.permutation(len(samples))[:n]
    return render_human([samples[index] for index in chosen], rng)


def render_human(
    samples: list[tuple[int, list[np.ndarray]]], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Trajectories (y down, any units) placed on the canvas at a random size (80–250 px high)
    and place, drawn with a random pen width (10–30 px): (n, 280, 280) uint8 ink, (n,) labels."""
    canvases = np.empty((len(samples), 280, 280), dtype=np.uint8)
    labels = np.empty(len(samples), dtype=np.uint8)
    for row, (digit, strokes) in enumerate(samples):
        placed = place_on_canvas(strokes, rng.uniform(80, 250), rng)
        width = float(np.clip(rng.normal(18, 4), 10, 30))
        canvases[row] = render_strokes(placed, width)[..., 0]
        labels[row] = digit
    return canvases, labels


def read_pendigits(path: Path) -> list[tuple[int, list[np.ndarray]]]:
    """17 comma-separated numbers a line (x1, y1, ..., x8, y8 in 0–100, y up; label) -> samples."""
    samples = []
    for line in path.read_text().splitlines():
        values = [v for v in re.split(r"[,\s]+", line.strip()) if v]
        if len(values) != 17 or not all(re.fullmatch(r"-?\d+(\.\d*)?", v) for v in values):
            continue  # headers (KEEL's @attribute lines, CSV column names)
        numbers = np.array(values, dtype=np.float64)
        points = numbers[:16].reshape(8, 2) * [HUMAN_ASPECT, -1.0]  # y up -> y down
        samples.append((int(numbers[16]), [smooth_stroke(points)]))  # as the canvas smooths
    return samples


def read_unipen(path: Path) -> list[tuple[int, list[np.ndarray]]]:
    """pendigits-orig (UNIPEN): `.SEGMENT DIGIT ... "d"`, `.PEN_DOWN`, `x y` lines, `.PEN_UP`."""
    samples, strokes, stroke, label = [], [], None, None
    for line in path.read_text(errors="replace").splitlines():
        segment = re.match(r'\.SEGMENT\s+DIGIT\b.*"(\d)"', line)
        if segment:
            if label is not None and strokes:
                samples.append((label, strokes))
            label, strokes, stroke = int(segment.group(1)), [], None
        elif line.startswith(".PEN_DOWN"):
            stroke = []
        elif line.startswith(".PEN_UP"):
            if stroke:
                strokes.append(np.array(stroke, dtype=np.float64) * [1.0, -1.0])  # y up -> down
            stroke = None
        elif stroke is not None and re.fullmatch(r"\s*-?\d+\s+-?\d+\s*", line):
            stroke.append([float(v) for v in line.split()])
    if label is not None and strokes:
        samples.append((label, strokes))
    return samples


def print_speed(x_train: np.ndarray, x_test: np.ndarray) -> None:
    """Preprocessing latency on a typical canvas, deskewing all of MNIST, generator throughput."""
    canvas = random_digit(3, np.random.default_rng(0)).canvas()  # (280, 280, 4) RGBA
    for mode, straighten in (("mnist", False), ("naive", False), ("mnist", True)):
        times = []
        for _ in range(500):
            start = time.perf_counter()
            canvas_to_mnist(canvas, mode=mode, deskew=straighten)
            times.append(time.perf_counter() - start)
        label = mode + (" + deskew" if straighten else "")
        p50, p95 = np.percentile(times, [50, 95]) * 1e6
        print(f"canvas_to_mnist {label:<15} p50 {p50:6.0f} µs   p95 {p95:6.0f} µs")
    every = np.concatenate([x_train, x_test]) / np.float32(255)  # (70000, 28, 28)
    start = time.perf_counter()
    deskew(every)
    print(f"deskew all 70,000 MNIST digits   {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    drawn_digits(2000, seed=99)
    rate = 2000 / (time.perf_counter() - start)
    print(
        f"drawn_digits                     {rate:,.0f} digits/s ({10_000 / rate:.1f} s for 10,000)\n"
    )


if __name__ == "__main__":
    main()
