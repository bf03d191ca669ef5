"""Digits drawn the way people draw them on the app's canvas: pen strokes, thick, anywhere.

Why: MNIST's test accuracy says little about a mouse- or finger-drawn digit on a 280×280 canvas
(thick strokes, any position and size, slanted). A softmax trained on MNIST alone reads such
drawings poorly; adding a few tens of thousands of these synthetic drawings to the training set
lifts drawn-digit accuracy a lot while MNIST's own test accuracy stays put (bench/drawn_accuracy.py).

How: each digit has several stroke templates, written as people write them (a 1 with or without
flag and base, a 7 with or without crossbar, an open or closed 4, ...), in stroke order, as
control points in a box of height 1. A drawing jitters the control points, passes a smooth curve
through them (Catmull–Rom, like the canvas' smoothing of mouse points), adds a slow wobble, then
slants, rotates, stretches, sizes and places it on the canvas, and renders it like fabric.js'
free-drawing brush: white round-capped, round-joined anti-aliased strokes on black.

Held-out split: `split="test"` draws from seeds disjoint from `split="train"`, with wider ranges
(slant, rotation, aspect, jitter, stroke width, size) and with template styles that training never
sees (`Template.held_out`). Its accuracy measures how a model copes with drawings a little unlike
its training drawings; it is a proxy, not a measurement on real people's strokes.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from softmax.preprocess import MODES, canvas_to_mnist
from softmax.preprocess import deskew as deskew_images

CANVAS = 280  # the app's canvas side, px
SPLITS = ("train", "test")
SUPERSAMPLE = 2  # render at 2× and average down: anti-aliased edges like a browser's
MARGIN = 22  # px kept free around a drawing on the canvas: room for half the widest pen


@dataclass(frozen=True)
class Template:
    """One way of writing a digit: strokes as strings of control points in a box of height 1.

    In a stroke, `x y` points separated by `,` lie on one smooth curve and `>` is a sharp corner
    (e.g. the 7's top right); x grows rightwards and y downwards, as on a screen.
    """

    digit: int
    name: str
    strokes: tuple[str, ...]
    held_out: bool = False  # only in split="test"


@dataclass(frozen=True)
class Ranges:
    """How much drawings vary; `test` is wider than `train` (see the module docstring)."""

    jitter: float  # std of control-point noise, in digit heights
    wobble: float  # amplitude of slow hand wobble, in digit heights
    aspect: float  # std of log width stretch
    slant: tuple[float, float]  # mean and std of the shear (x += slant · height above centre)
    rotation: float  # std, degrees
    height: tuple[float, float]  # px on the 280 canvas, uniform
    width: tuple[float, float, float, float]  # stroke width px: mean, std, min, max


RANGES = {
    "train": Ranges(0.04, 0.015, 0.18, (0.12, 0.2), 6.0, (60, 260), (18, 5, 8, 32)),
    "test": Ranges(0.04, 0.018, 0.2, (0.12, 0.22), 7.0, (50, 265), (19, 6.0, 8, 34)),
}

T = Template
# fmt: off
TEMPLATES: tuple[Template, ...] = (
    T(0, "oval anticlockwise", (".34 .02, .12 .12, .01 .45, .08 .85, .3 1, .52 .87, .6 .5, .52 .13, .34 0, .2 .06",)),
    T(0, "oval clockwise", (".28 0, .5 .12, .6 .48, .52 .86, .3 1, .08 .86, 0 .5, .1 .12, .3 0, .42 .05",)),
    T(0, "round", (".35 0, .08 .12, 0 .5, .12 .88, .4 1, .68 .86, .75 .48, .64 .12, .38 0",)),
    T(0, "tilted with tail", (".5 .06, .28 0, .06 .2, 0 .55, .12 .92, .34 1, .55 .8, .62 .4, .56 .08, .38 .02, .28 .12",), True),
    T(1, "stick", (".3 0 > .3 1",)),
    T(1, "flag", (".05 .25 > .32 0 > .32 1",)),
    T(1, "flag and base", (".1 .2 > .32 0 > .32 1", "0 1 > .64 1")),
    T(1, "long flag", ("0 .42 > .4 0 > .4 1",)),
    T(1, "long curved flag", ("0 .5, .16 .28, .38 0 > .36 1",)),
    T(1, "curved flag", ("0 .3, .16 .16, .3 0 > .3 1",), True),
    T(2, "flat base", (".02 .24, .12 .06, .32 0, .52 .08, .58 .26, .48 .48, .25 .72, 0 1 > .62 1",)),
    T(2, "loop", (".02 .24, .15 .04, .36 0, .55 .12, .55 .32, .4 .55, .16 .8, .04 .95, .12 1, .22 .92, .16 .85, .1 .93, .32 1, .64 .97",)),
    T(2, "straight diagonal", (".02 .18, .22 .01, .45 .02, .58 .2 > 0 1 > .62 1",)),
    T(2, "swan", (".04 .3, .1 .08, .32 0, .55 .1, .56 .35, .35 .62, .06 .95, .3 .9, .62 1",), True),
    T(3, "two bumps", (".03 .1, .25 0, .5 .05, .55 .22, .42 .4, .2 .47 > .42 .52, .58 .68, .55 .88, .3 1, 0 .9",)),
    T(3, "two strokes", (".03 .1, .25 0, .5 .05, .55 .22, .42 .42, .22 .47", ".22 .47, .46 .54, .58 .72, .5 .92, .28 1, 0 .88")),
    T(3, "round", (".02 .15, .3 0, .55 .1, .5 .35, .25 .48, .52 .58, .6 .8, .38 1, .05 .92",)),
    T(3, "flat top", (".04 0 > .56 0 > .24 .4, .48 .48, .6 .68, .5 .9, .28 1, 0 .9",), True),
    T(4, "open", (".32 0 > 0 .64 > .64 .64", ".5 .3 > .5 1")),
    T(4, "open upright", (".04 0 > .04 .6 > .64 .6", ".46 .12 > .46 1")),
    T(4, "closed", (".44 1 > .44 0 > 0 .66 > .64 .66",)),
    T(4, "tall stem", (".52 .0 > .52 1", ".3 .02 > 0 .7 > .68 .7"), True),
    T(5, "flag last", (".1 0 > .05 .42, .3 .36, .55 .5, .58 .75, .4 .97, .15 1, 0 .9", ".1 0 > .58 0")),
    T(5, "one stroke", (".58 0 > .1 0 > .05 .42, .3 .36, .55 .5, .58 .75, .4 .97, .15 1, 0 .9",)),
    T(5, "flat belly", (".56 0 > .08 0 > .06 .46 > .4 .4, .58 .6, .52 .88, .25 1, .02 .9",)),
    T(5, "round belly", (".55 .02 > .15 0 > .08 .45, .35 .35, .6 .55, .55 .85, .3 1, .02 .88",), True),
    T(6, "curled", (".5 0, .25 .12, .08 .4, .02 .7, .15 .95, .35 1, .55 .88, .58 .65, .4 .52, .2 .56, .05 .72",)),
    T(6, "straight stem", (".45 0, .1 .5, .05 .8, .25 1, .5 .92, .55 .7, .35 .55, .1 .65",)),
    T(6, "big loop", (".55 .02, .22 .2, .04 .55, .1 .9, .35 1, .6 .85, .6 .6, .35 .45, .1 .55",)),
    T(6, "small loop", (".55 .05, .3 .2, .15 .5, .12 .8, .3 1, .5 .9, .5 .72, .3 .65, .14 .75",), True),
    T(7, "plain", ("0 0 > .6 0 > .22 1",)),
    T(7, "curved stem", ("0 .05 > .6 0 > .45 .3, .3 .65, .24 1",)),
    T(7, "crossbar", ("0 0 > .6 0 > .22 1", ".18 .5 > .58 .5")),
    T(7, "serif", ("0 .16 > 0 0 > .6 0 > .26 1",), True),
    T(8, "s and back", (".55 .08, .3 0, .07 .1, .1 .3, .35 .47, .57 .68, .5 .93, .3 1, .08 .92, .05 .7, .28 .48, .52 .28, .55 .1, .45 0",)),
    T(8, "from the middle", (".3 .45, .1 .25, .15 .05, .35 0, .52 .12, .45 .35, .25 .52, .05 .72, .12 .95, .35 1, .55 .85, .5 .62, .3 .46",)),
    T(8, "x crossing", (".5 .05, .28 0, .06 .12, .12 .32, .5 .62, .56 .88, .32 1, .06 .88, .12 .62, .5 .32, .56 .12, .45 .02",)),
    T(8, "two circles", (".28 0, .06 .1, .06 .35, .3 .45, .52 .35, .52 .1, .28 0", ".3 .45, .04 .6, .04 .9, .3 1, .58 .9, .58 .6, .3 .45"), True),
    T(9, "straight stem", (".55 .12, .3 0, .05 .12, .05 .32, .3 .42, .55 .3, .57 .05 > .55 1",)),
    T(9, "curved tail", (".55 .12, .3 0, .05 .12, .05 .32, .3 .42, .55 .3, .57 .05, .58 .5, .5 .85, .3 1, .1 .95",)),
    T(9, "small loop, curled tail", (".55 .1, .35 0, .12 .08, .1 .25, .3 .34, .55 .22, .56 .05, .6 .45, .55 .8, .35 1, .12 .92",)),
    T(9, "two strokes", (".5 .08, .25 0, .03 .15, .08 .38, .32 .44, .55 .3, .55 .08", ".57 .02 > .52 1")),
    T(9, "slanted stem", (".58 .1, .34 0, .08 .1, .06 .34, .3 .44, .56 .3, .6 .04 > .36 1",), True),
)
# fmt: on
del T


@dataclass(frozen=True)
class Drawing:
    """One drawn digit: strokes as (k, 2) arrays of (x, y) canvas pixels, and the pen width."""

    digit: int
    style: str
    strokes: tuple[np.ndarray, ...]
    width: float

    def __repr__(self) -> str:
        return f"Drawing({self.digit}, {self.style!r}, strokes={len(self.strokes)}, width={self.width:.1f})"

    def canvas(self, size: int = CANVAS) -> np.ndarray:
        """(size, size, 4) uint8 RGBA: what streamlit-drawable-canvas returns for this drawing."""
        return render_strokes(self.strokes, self.width, size)


def render_strokes(strokes, width: float, size: int = CANVAS) -> np.ndarray:
    """Render polylines like the canvas: (size, size, 4) uint8, white (255) on black, alpha 255.

    `strokes` is a sequence of (k, 2) arrays or lists of (x, y) pixel points, one per pen-down;
    a stroke of one point is a dot. Lines are `width` px wide with round caps and joins, drawn
    at 2× and averaged down for anti-aliased edges.
    """
    ink = _render_ink(strokes, width, size)  # (size, size) uint8
    return np.dstack([ink, ink, ink, np.full_like(ink, 255)])


def smooth_stroke(points: np.ndarray, per_segment: int = 10) -> np.ndarray:
    """A smooth curve (k, 2) through `points` (m, 2), like the canvas' smoothing of mouse points.

    Uniform Catmull–Rom with `per_segment` samples between neighbours; the ends are extended by
    reflection. Two points give a straight line, one point a dot.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(points) == 1:
        return points
    if len(points) == 2:
        return np.linspace(points[0], points[1], per_segment + 1)
    padded = np.concatenate([2 * points[:1] - points[1:2], points, 2 * points[-1:] - points[-2:-1]])
    p0, p1, p2, p3 = padded[:-3], padded[1:-2], padded[2:-1], padded[3:]  # (m-1, 2) each
    t = np.linspace(0, 1, per_segment, endpoint=False)[:, None, None]  # (s, 1, 1)
    curve = 0.5 * (
        2 * p1
        + (p2 - p0) * t
        + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
        + (3 * p1 - p0 - 3 * p2 + p3) * t**3
    )  # (s, m-1, 2)
    return np.concatenate([curve.transpose(1, 0, 2).reshape(-1, 2), points[-1:]])


def random_digit(digit: int, rng: np.random.Generator, split: str = "train") -> Drawing:
    """One random drawing of `digit` (0–9) on the 280 canvas; `split` picks templates and ranges."""
    if digit not in range(10):
        raise ValueError(f"digit must be 0–9; got {digit!r}")
    _check_split(split)
    ranges = RANGES[split]
    templates = [t for t in TEMPLATES if t.digit == digit and (split == "test" or not t.held_out)]
    template = templates[rng.integers(len(templates))]
    strokes = [_stroke_curve(stroke, rng, ranges) for stroke in _parsed(template)]
    strokes = _place(strokes, rng, ranges)
    mean, std, low, high = ranges.width
    width = float(np.clip(rng.normal(mean, std), low, high))
    return Drawing(digit, template.name, tuple(strokes), width)


def drawn_digits(
    n: int, seed: int = 0, split: str = "train", mode: str = "mnist", deskew: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """`n` drawn digits, preprocessed like the app's canvas: ((n, 28, 28) float32, (n,) uint8).

    Labels cycle 0, 1, ..., 9 (balanced; shuffle before training). Drawing i depends only on
    (seed, split, i), so the same arguments always give the same digits and a longer set
    extends a shorter one. `split` "train" or "test" (disjoint seeds, wider ranges, held-out
    styles); `mode` and `deskew` as in `canvas_to_mnist`. About 2 ms a digit on one core.
    """
    _check_split(split)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    images = np.empty((n, 28, 28), dtype=np.float32)
    labels = np.empty(n, dtype=np.uint8)
    for i, drawing in enumerate(drawings(n, seed, split)):
        ink = _render_ink(drawing.strokes, drawing.width, CANVAS)
        images[i], labels[i] = canvas_to_mnist(ink, mode=mode), drawing.digit
    return (deskew_images(images) if deskew else images), labels


def drawings(n: int, seed: int = 0, split: str = "train") -> Iterator[Drawing]:
    """The `n` drawings behind `drawn_digits(n, seed, split)`, labels cycling 0–9, unrendered."""
    _check_split(split)
    for i in range(n):
        rng = np.random.default_rng((seed, SPLITS.index(split), i))
        yield random_digit(i % 10, rng, split)


def place_on_canvas(
    strokes: Sequence[np.ndarray], height: float, rng: np.random.Generator
) -> list[np.ndarray]:
    """Scale strokes (any units, y down) to `height` px (less if too wide for the canvas) and put
    them at a random place on the canvas, MARGIN px clear of its edges."""
    every = np.concatenate(strokes)
    low, high = every.min(axis=0), every.max(axis=0)
    size = np.maximum(high - low, 1e-9)
    scale = min(height / size[1], (CANVAS - 2 * MARGIN) / size.max())
    extent = (high - low) * scale
    corner = rng.uniform(MARGIN, np.maximum(CANVAS - MARGIN - extent, MARGIN))  # (2,) top-left
    return [(s - low) * scale + corner for s in strokes]


# --- internals ---------------------------------------------------------------------------------


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}; got {split!r}")


@functools.cache
def _parsed(template: Template) -> list[tuple[np.ndarray, list[int]]]:
    """Each stroke as (points (m, 2), corners): piece k is points[corners[k] : corners[k+1] + 1]."""
    strokes = []
    for text in template.strokes:
        points, corners = [], [0]
        for piece in text.split(">"):  # a piece after a corner starts at that corner
            points += [[float(v) for v in point.split()] for point in piece.split(",")]
            corners.append(len(points) - 1)
        strokes.append((np.array(points), corners))
    return strokes


def _stroke_curve(
    stroke: tuple[np.ndarray, list[int]], rng: np.random.Generator, ranges: Ranges
) -> np.ndarray:
    """Jittered control points -> dense smooth curve (k, 2) in digit-height units, with wobble."""
    points, corners = stroke
    points = points + rng.normal(0, ranges.jitter, points.shape)  # (m, 2)
    pieces = [smooth_stroke(points[a : b + 1]) for a, b in itertools.pairwise(corners)]
    curve = np.concatenate(pieces)  # (k, 2); a corner point ends one piece and starts the next
    return curve + _wobble(curve, rng, ranges.wobble)


def _wobble(curve: np.ndarray, rng: np.random.Generator, amplitude: float) -> np.ndarray:
    """A slow, smooth displacement along the curve: two sinusoids of arc length per axis."""
    step = np.linalg.norm(np.diff(curve, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(step)])[:, None]  # (k, 1) arc length
    wavelength = rng.uniform(0.4, 1.2, (2, 2))  # (sinusoid, axis)
    phase = rng.uniform(0, 2 * np.pi, (2, 2))
    weight = rng.normal(0, amplitude, (2, 2))
    return sum(weight[j] * np.sin(2 * np.pi * s / wavelength[j] + phase[j]) for j in range(2))


def _place(strokes: list[np.ndarray], rng: np.random.Generator, ranges: Ranges) -> list[np.ndarray]:
    """Stretch, slant, rotate, size and position the digit on the canvas (pixels)."""
    every = np.concatenate(strokes)
    centre = (every.min(axis=0) + every.max(axis=0)) / 2
    slant = rng.normal(*ranges.slant)
    angle = np.deg2rad(rng.normal(0, ranges.rotation))
    stretch = np.exp(rng.normal(0, ranges.aspect))
    cos, sin = np.cos(angle), np.sin(angle)
    # x' = stretch·x - slant·y (y down, so the top leans right), then rotate
    shape = np.array([[stretch, 0.0], [-slant, 1.0]])  # row vectors: p @ shape
    rotate = np.array([[cos, sin], [-sin, cos]])
    strokes = [(s - centre) @ shape @ rotate for s in strokes]
    return place_on_canvas(strokes, rng.uniform(*ranges.height), rng)


def _render_ink(strokes, width: float, size: int) -> np.ndarray:
    """(size, size) uint8 ink: round-capped, round-joined lines at 2×, box-averaged down."""
    k = SUPERSAMPLE
    image = Image.new("L", (size * k, size * k), 0)
    draw = ImageDraw.Draw(image)
    radius = width * k / 2
    for stroke in strokes:
        points = np.asarray(stroke, dtype=np.float64).reshape(-1, 2) * k
        flat = [tuple(p) for p in points]
        if len(flat) > 1:
            draw.line(flat, fill=255, width=max(1, round(width * k)), joint="curve")
        for x, y in (flat[0], flat[-1]):  # round caps
            box = (x - radius + 0.5, y - radius + 0.5, x + radius - 0.5, y + radius - 0.5)
            draw.ellipse(box, fill=255)  # Pillow's box includes both edges: 1 px less
    return np.asarray(image.reduce(k) if k > 1 else image)
