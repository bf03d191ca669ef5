"""The teaching lab's numbers: exactness, flip sizes, link lengths, speed, on real MNIST digits.

    .venv/bin/python bench/lab.py                 # 500 MNIST test digits, the app's model
    .venv/bin/python bench/lab.py --digits 2000 --model default

- why A and not B: the largest |gap − (logit_A − logit_B)| over 100 digits and all 90 pairs,
  against the classifier's float32 logits (their own rounding) and against float64 logits.
- the smallest flip, to the runner-up and to the far digit (the least probable one): median and
  90th percentile of ‖δ‖₂, ink added and removed (in whole pixels), how many digits had to be
  overtaken, and milliseconds per flip (median, 95th percentile, max).
- the snapshot link: characters for each digit at 8 and 4 bits, and predictions that change.
- steps(): milliseconds for the whole staged pipeline on a drawn canvas vs canvas_to_mnist.
Needs real MNIST (SOFTMAX_MNIST or the Keras cache).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from softmax import explain, snapshot
from softmax.counterfactual import smallest_flip
from softmax.data import load_mnist
from softmax.drawn import drawings
from softmax.model import SHIPPED, SoftmaxClassifier, shipped_path
from softmax.preprocess import canvas_to_mnist, steps


def percentiles(values, *qs) -> str:
    return " ".join(f"p{q}={np.percentile(values, q):.3g}" for q in qs)


def contrast_exactness(classifier: SoftmaxClassifier, x: np.ndarray) -> tuple[float, float]:
    """Largest |gap − logit gap| over all pairs: against the float32 logits, and float64 ones."""
    logits32 = classifier.logits(x).astype(np.float64)  # (n, 10)
    logits64 = x.reshape(len(x), -1).astype(np.float64) @ classifier.weights.astype(np.float64)
    logits64 += classifier.bias
    worst = np.zeros(2)
    for image, scores32, scores64 in zip(x, logits32, logits64, strict=True):
        for a in range(10):
            for b in range(10):
                if a != b:
                    gap = explain.contrast(classifier, image, a, b).gap
                    errors = [abs(gap - (s[a] - s[b])) for s in (scores32, scores64)]
                    worst = np.maximum(worst, errors)
    return float(worst[0]), float(worst[1])


def flips(classifier: SoftmaxClassifier, x: np.ndarray, which: str) -> None:
    norms, added, removed, rivals, millis, failed = [], [], [], [], [], 0
    for image in x:
        order = np.argsort(-classifier.logits(image)[0])
        target = int(order[1] if which == "runner-up" else order[-1])
        start = time.perf_counter()
        flip = smallest_flip(classifier, image, target)
        millis.append((time.perf_counter() - start) * 1000)
        if flip.status != "flipped" or flip.digit != target:
            failed += 1
            continue
        norms.append(flip.norm)
        added.append(flip.ink_added)
        removed.append(flip.ink_removed)
        rivals.append(len(flip.competitors))
    print(f"  to the {which}: {len(norms)} flipped, {failed} not")
    print(f"    ‖δ‖₂        {percentiles(norms, 50, 90)}")
    print(f"    ink added   {percentiles(added, 50, 90)}   removed {percentiles(removed, 50, 90)}")
    print(f"    overtaken   {percentiles(rivals, 50, 90)} max={max(rivals)}")
    print(f"    ms          {percentiles(millis, 50, 95)} max={max(millis):.1f}")


def links(classifier: SoftmaxClassifier, x: np.ndarray) -> None:
    for bits in snapshot.BITS:
        tokens = [snapshot.encode_input(image, bits) for image in x]
        back = np.stack([snapshot.decode_input(token) for token in tokens])
        before = classifier.predict_proba(classifier.prepare(x)).argmax(axis=1)
        after = classifier.predict_proba(classifier.prepare(back)).argmax(axis=1)
        lengths = [len(token) for token in tokens]
        print(
            f"  {bits} bits: {percentiles(lengths, 50, 90)} max={max(lengths)} characters; "
            f"{int((before != after).sum())} of {len(x)} answers change"
        )


def stage_speed(n: int = 50) -> None:
    canvases = [drawing.canvas() for drawing in drawings(n, seed=0, split="test")]
    for name, call in (("canvas_to_mnist", canvas_to_mnist), ("steps", steps)):
        start = time.perf_counter()
        for canvas in canvases:
            call(canvas)
        print(f"  {name}: {(time.perf_counter() - start) / n * 1000:.2f} ms a canvas")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, default=500, help="MNIST test digits (default 500)")
    parser.add_argument("--model", choices=SHIPPED, default="drawn", help="shipped model")
    args = parser.parse_args()
    classifier = SoftmaxClassifier.load(shipped_path(args.model))
    (_, _), (x_test, _) = load_mnist()
    pixels = x_test[: args.digits]
    x = classifier.prepare(pixels)  # what the model sees (deskewed for drawn/deskew)
    print(f"model {args.model}, {len(x)} MNIST test digits")
    vs32, vs64 = contrast_exactness(classifier, x[:100])
    print(
        f"why A and not B, max |gap − logit gap|: {vs32:.2e} (float32 logits), {vs64:.2e} (float64)"
    )
    print("smallest flip:")
    for which in ("runner-up", "far digit"):
        flips(classifier, x, which)
    print("snapshot link (of the MNIST-style input, before the model's deskew):")
    links(classifier, pixels.astype(np.float32) / 255)
    print("preprocessing stages:")
    stage_speed()


if __name__ == "__main__":
    main()
