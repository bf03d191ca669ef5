"""A drawing or a photo -> the 28×28 picture a MNIST model expects.

MNIST's own recipe (LeCun et al.): crop the ink, scale its longer side to 20 px keeping the aspect
ratio with anti-aliasing, paste into 28×28 and shift by whole pixels so that the centre of mass
lands on the centre. A softmax has no notion of "where": the same digit drawn small or off-centre
lights pixels whose weights were learned for other shapes, so this step decides most of what a
drawn digit scores. `mode="naive"` skips it (a plain resize), to show why it matters.

The shift is by whole pixels, as LeCun's was: in MNIST the centre of mass of every digit lies in
[13.5, 14.5) on both axes (uniformly: std 0.289 = 1/√12), which is what rounding gives, and a
sub-pixel shift would blur strokes that MNIST keeps sharp.

`steps` returns every stage of that pipeline on its own, each switchable (crop, fit, centre,
deskew), so a class can see which step rescues a small, off-centre digit; `ink_level` measures
how much ink reaches the model, which is how a thin pen fails.

Deskewing (`deskew`) shears each digit so that its principal axis is vertical: the classic
second-moment recipe, vectorised so that all 70,000 MNIST digits take about 3 s.

A picture (`image_to_mnist`) is one of two things. A clean digital drawing (a canvas export, a
digital pen's black ink on white: a flat background and few grey levels besides the anti-aliased
edges) is read exactly as `canvas_to_mnist` reads the canvas, in either polarity. A photo or scan
of paper (uneven light, sensor noise, thin pens) is cleaned first; that cleaning would damage a
clean drawing, so it is kept for photos (`looks_drawn` tells them apart).

Uploads are decoded defensively (`read_image`): only the formats people upload, a byte, pixel and
memory budget checked from the header before anything is decoded, and large pictures decoded at
reduced size (JPEG) or shrunk right after decoding.

Errors: `ImageError` for input that is not a usable image (shape, dtype, NaN, bytes that are not an
image, too large); `EmptyImageError` for an image with nothing drawn on it.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

MODES = ("mnist", "naive")
SIDE = 28  # MNIST images are 28×28 ...
BOX = 20  # ... with the digit's longer side scaled to 20 px
CENTRE = SIDE / 2  # where the centre of mass goes, in pixel-index coordinates
INK_THRESHOLD = 0.1  # brightest pixel below this (of 1.0): nothing is drawn
BBOX_LEVEL = 0.05  # pixels fainter than this do not stretch the bounding box
WORKING_SIDE = 280  # photos are reduced to the canvas' size before cleaning
MNIST_INK = 100.0  # Σx of the median MNIST training digit (99.9), as the model reads it
MAX_BYTES = 10 * 2**20  # an upload's file size (Streamlit's server.maxUploadSize says the same)
MAX_PIXELS = 40_000_000
DECODE_SIDE = 1024  # px: larger pictures are decoded or shrunk to between this and half of it
DECODE_BUDGET = 100 * 2**20  # bytes of pixels Pillow may hold while decoding one upload
# Formats people upload, by Pillow's name, with their file extensions; nothing else is decoded.
UPLOAD_FORMATS = {
    "PNG": ("png",),
    "JPEG": ("jpg", "jpeg"),
    "WEBP": ("webp",),
    "GIF": ("gif",),  # the first frame
    "BMP": ("bmp",),
}
UPLOAD_EXTENSIONS = tuple(extension for names in UPLOAD_FORMATS.values() for extension in names)
# Bytes a pixel takes in Pillow's memory: 1 for these modes, 2 for 16-bit grey, else 4.
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
_UNREDUCIBLE = {"1": "L", "P": "RGBA", "PA": "RGBA"}  # converted before shrinking
# A clean digital drawing: its border lies within FLAT_LEVELS (of 255) of one background level
# for at least FLAT_BORDER of its pixels, at most GREY_SHARE of all pixels lie between the
# background and the ink (anti-aliased edges: 1–2% on the canvas, 7% in a JPEG of it; a photo's
# noise and shading put most of it there), and the ink stands MIN_CONTRAST levels out.
FLAT_LEVELS = 2
FLAT_BORDER = 0.9
GREY_SHARE = 0.15
MIN_CONTRAST = 64

ImageSource = str | os.PathLike | bytes | bytearray | memoryview | BinaryIO


class ImageError(ValueError):
    """The input is not an image this module can use; the message names what is wrong (in
    English, for the CLI and logs). `reason` and `values` say it for a page to word in its own
    language: not_image, damaged, empty, too_big, too_many_pixels, too_costly, or other."""

    def __init__(self, message: str, reason: str = "other", **values: object) -> None:
        super().__init__(message)
        self.reason, self.values = reason, values


class EmptyImageError(ValueError):
    """The image has no ink: nothing to recognise (not a failure, just nothing drawn yet)."""


STAGES = ("ink", "crop", "fit", "pad", "centre", "deskew")  # the steps, in order (see `steps`)


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline: its name (one of STAGES), whether it was on, and its result."""

    name: str
    on: bool
    image: np.ndarray  # float32 in [0, 1]: (H, W) at canvas size up to "crop", then ≤ 28×28

    def __repr__(self) -> str:
        return f"Stage({self.name!r}, {'on' if self.on else 'off'}, {self.image.shape})"


def canvas_to_mnist(image: np.ndarray, mode: str = "mnist", deskew: bool = False) -> np.ndarray:
    """(28, 28) float32 in [0, 1] from a white-on-black drawing, MNIST-style.

    `image` is what streamlit-drawable-canvas returns, RGBA uint8 (280, 280, 4) with white strokes
    on black (ink = brightest of R, G, B, times alpha, so transparent pixels are background), or a
    (H, W) grayscale array of any size: uint8 0–255, bool, or float in [0, 1].
    `mode`: "mnist" (crop, fit 20×20, centre of mass to the centre; default) or "naive" (resize the
    whole image to 28×28). `deskew=True` then shears the result upright (see `deskew`).
    Raises EmptyImageError when nothing is drawn, ImageError for any other input.
    """
    _check_mode(mode)
    return _to_mnist(_canvas_ink(image), mode, deskew)


def steps(
    image: np.ndarray,
    crop: bool = True,
    fit: bool = True,
    centre: bool = True,
    deskew: bool = False,
) -> list[Stage]:
    """Every step from a canvas to the model input, one Stage each, any of them switched off.

    The stages, in order (STAGES): "ink" (the canvas as ink in [0, 1], at its own size), "crop"
    (the ink's bounding box; off: the whole canvas), "fit" (that box scaled so its longer side
    is 20 px, brightest pixel to 1; off: scaled like the whole canvas to 28×28, so the digit
    keeps the size it was drawn at, brightness unchanged), "pad" (pasted into the middle of a
    blank 28×28, box centred), "centre" (shifted by whole pixels so the centre of mass lands on
    (14, 14), never cutting ink; off: left box-centred) and "deskew" (sheared upright, for models
    trained on deskewed digits; off by default). A stage that is off passes its input on.
    The last stage's image is the model input: with everything on it is exactly
    `canvas_to_mnist(image, deskew=deskew)`; with crop, fit and centre off it is
    `canvas_to_mnist(image, mode="naive", deskew=deskew)`. `image` as in `canvas_to_mnist`;
    raises EmptyImageError when nothing is drawn, ImageError for any other input.
    """
    return _stages(_canvas_ink(image), crop, fit, centre, deskew)


def ink_level(x: np.ndarray) -> float:
    """How much ink the model gets from a 28×28 input, as a share of a typical MNIST digit's.

    1.0 is MNIST's median (Σx ≈ 100 over the training digits). Every score is a sum of votes
    x_i·w_ik, so an input with a fifth of the ink gets a fifth of the evidence and the biases
    decide: why a thin pen works poorly. Shrinking a stroke 10× averages a 4 px line into a faint
    0.4 px one, and the fit step's brightening cannot make up for it.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (SIDE, SIDE):
        raise ImageError(f"ink_level takes one (28, 28) input, got shape {x.shape}")
    return float(x.sum() / MNIST_INK)


def image_to_mnist(
    image: Image.Image | np.ndarray, mode: str = "mnist", deskew: bool = False
) -> np.ndarray:
    """(28, 28) float32 in [0, 1] from a picture: a digital drawing, or a photo or scan of paper.

    Accepts a PIL image of any mode (RGB, RGBA, L, LA, P, I;16, ...) or an array like
    `canvas_to_mnist`'s, any size (over DECODE_SIDE px it is shrunk first). Transparent areas
    become background; dark ink on a light background is inverted (the border's median
    brightness decides). A clean digital drawing (`looks_drawn`) is then read exactly like
    `canvas_to_mnist` reads the canvas: an opaque white-on-black canvas image, its PNG and its
    black-on-white inverse all give the same 28×28. A photo is cleaned first: uneven lighting
    removed (a local background estimate is subtracted), faint noise clipped to 0, pen strokes
    thinner than MNIST's thickened. Then the same crop/fit/centre as `canvas_to_mnist`.
    Raises EmptyImageError when no ink stands out from the background, ImageError otherwise.
    """
    _check_mode(mode)
    levels = _levels(_bounded(_as_pil(image)))
    ink = _drawing_ink(levels)
    return _to_mnist(_photo_ink(levels) if ink is None else ink, mode, deskew)


def looks_drawn(image: Image.Image | np.ndarray) -> bool:
    """True for a clean digital drawing (flat background, few grey levels), which
    `image_to_mnist` reads as is; False for a photo or scan, which it cleans first."""
    return _drawing_ink(_levels(_bounded(_as_pil(image)))) is not None


def has_ink(image: np.ndarray) -> bool:
    """True when a canvas-style image (see `canvas_to_mnist`) has anything drawn on it."""
    return float(_canvas_ink(image).max()) >= INK_THRESHOLD


def deskew(images: np.ndarray) -> np.ndarray:
    """Shear digits upright and move their centre of mass to (14, 14): (28, 28) or (n, 28, 28).

    The classic recipe: with the image's moments (centre (c_r, c_c), var_r, cov_rc) the shear
    alpha = cov_rc / var_r makes the ink's principal axis vertical; output pixel (r, c) reads the
    input at (r + c_r - 14, c + alpha·(r - 14) + c_c - 14), interpolated bilinearly. Blank images
    pass through unchanged. Vectorised: all 70,000 MNIST digits take about 3 s on one core.
    """
    x = np.asarray(images, dtype=np.float32)
    if x.ndim not in (2, 3) or x.shape[-2:] != (SIDE, SIDE):
        raise ImageError(f"deskew takes (28, 28) or (n, 28, 28) images, got shape {x.shape}")
    if x.ndim == 2:
        return _deskew_batch(x[None])[0]
    chunks = [_deskew_batch(x[i : i + 8192]) for i in range(0, len(x), 8192)]  # bounds memory
    return np.concatenate(chunks) if chunks else x.copy()


def read_image(
    source: ImageSource,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    max_decode: int = DECODE_BUDGET,
) -> Image.Image:
    """Decode an uploaded file safely: a path, bytes or a binary file object -> a loaded PIL image.

    Only UPLOAD_FORMATS are decoded (PNG, JPEG, WebP, GIF's first frame, BMP). Refuses, with
    ImageError, files over `max_bytes` (10 MB), images over `max_pixels` (40 MP) and images whose
    pixels would take over `max_decode` bytes (100 MB) in memory, all worked out from the header
    before anything is decoded (a decompression bomb never gets decoded), and bytes that are not
    an image ("not an image: ..."). A JPEG over DECODE_SIDE px is decoded at 1/2, 1/4 or 1/8 of
    its size, any other picture shrunk right after decoding, so what follows is cheap. Applies
    the EXIF orientation, so phone photos stand up.
    """
    data, name = _read_bytes(source, max_bytes)
    try:
        image = Image.open(io.BytesIO(data), formats=tuple(UPLOAD_FORMATS))  # the header only
        width, height = image.size
        if width * height > max_pixels:  # stricter than Pillow's own bomb check, and thread-safe
            raise ImageError(
                f"{name} is {width}×{height} = {width * height / 1e6:.1f} MP; "
                f"the limit is {max_pixels / 1e6:.0f} MP",
                "too_many_pixels",
                width=width,
                height=height,
                limit=max_pixels / 1e6,
            )
        if image.format in ("JPEG", "MPO"):  # MPO: a phone's JPEG with a second picture
            image.draft(None, (DECODE_SIDE, DECODE_SIDE))  # decode at 1/2, 1/4 or 1/8 scale
        cost = _decode_cost(image)
        if cost > max_decode:
            raise ImageError(
                f"{name} is {width}×{height} {image.mode}: decoding it would take "
                f"{cost / 2**20:.0f} MB, over the {max_decode / 2**20:.0f} MB a picture may use; "
                "send a smaller picture, or a JPEG",
                "too_costly",
            )
        image.load()
        return ImageOps.exif_transpose(_bounded(image))
    except Image.DecompressionBombError as error:  # Pillow refuses > 2 × MAX_IMAGE_PIXELS itself
        raise ImageError(f"{name} is too large to decode safely: {error}", "too_costly") from error
    except UnidentifiedImageError as error:
        kinds = ", ".join(UPLOAD_FORMATS)
        raise ImageError(
            f"not an image: {name} is not a picture in {kinds} format", "not_image"
        ) from error
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        if isinstance(error, ImageError):
            raise
        raise ImageError(
            f"not an image: {name} is damaged or truncated ({error})", "damaged"
        ) from error


def _decode_cost(image: Image.Image) -> int:
    """Bytes Pillow holds for `image`'s pixels once decoded, and for the copy shrinking a mode
    that cannot be averaged (palette, bilevel) needs."""
    pixels = image.width * image.height
    cost = pixels * _PIXEL_BYTES.get(image.mode, 4)
    if image.mode in _UNREDUCIBLE and max(image.size) > DECODE_SIDE:
        cost += pixels * _PIXEL_BYTES.get(_UNREDUCIBLE[image.mode], 4)
    return cost


def _bounded(image: Image.Image) -> Image.Image:
    """`image` at most DECODE_SIDE px long: reduced by a whole factor (a box average, which keeps
    a drawing's anti-aliased edges), so a huge picture costs little once decoded."""
    factor = -(-max(image.size) // DECODE_SIDE)
    if factor <= 1:
        return image
    if image.mode.startswith("I;16"):  # no reduce() for 16-bit grey; a box resize is the same
        size = (-(-image.width // factor), -(-image.height // factor))
        return image.resize(size, Image.Resampling.BOX)
    if image.mode in _UNREDUCIBLE:
        image = image.convert(_UNREDUCIBLE[image.mode])
    return image.reduce(factor)


# --- the shared core -------------------------------------------------------------------------


def _to_mnist(ink: np.ndarray, mode: str, deskew_it: bool) -> np.ndarray:
    """(H, W) float32 ink in [0, 1] -> (28, 28): the one pipeline behind both public entries."""
    mnist = mode == "mnist"  # naive: every step off but the resize to 28×28
    return _stages(ink, crop=mnist, fit=mnist, centre=mnist, deskew_it=deskew_it)[-1].image


def _stages(ink: np.ndarray, crop: bool, fit: bool, centre: bool, deskew_it: bool) -> list[Stage]:
    """Every step from ink to model input, each switchable; see `steps` for what "off" means."""
    if float(ink.max()) < INK_THRESHOLD:
        raise EmptyImageError(
            f"no ink: the brightest stroke is below {INK_THRESHOLD:.0%} of white; draw a digit"
        )
    left, top, right, bottom = _ink_box(ink) if crop else (0, 0, ink.shape[1], ink.shape[0])
    small = (
        _fit(ink, (left, top, right, bottom)) if fit else _shrink(ink, (left, top, right, bottom))
    )
    padded = _pad(small)
    placed = _centre(padded) if centre else padded
    final = _deskew_batch(placed[None])[0] if deskew_it else placed
    return [
        Stage("ink", True, ink),
        Stage("crop", crop, ink[top:bottom, left:right]),
        Stage("fit", fit, small),
        Stage("pad", True, padded),
        Stage("centre", centre, placed),
        Stage("deskew", deskew_it, final),
    ]


def _ink_box(ink: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the pixels brighter than BBOX_LEVEL; right/bottom exclusive."""
    rows = np.flatnonzero(ink.max(axis=1) > BBOX_LEVEL)
    cols = np.flatnonzero(ink.max(axis=0) > BBOX_LEVEL)
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _fit(ink: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """`box` of the ink scaled so that its longer side is 20 px, keeping the aspect ratio; the
    brightest pixel scaled to 1."""
    left, top, right, bottom = box
    height, width = bottom - top, right - left
    scale = BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = _resize(ink, size, box=box)  # (h, w), max(h, w) = 20
    return small / small.max()


def _shrink(ink: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """`box` of the ink at the scale that takes the whole image to 28×28 (fit switched off: the
    digit keeps the size it was drawn at); brightness unchanged."""
    left, top, right, bottom = box
    scale_x, scale_y = SIDE / ink.shape[1], SIDE / ink.shape[0]
    size = (max(1, round((right - left) * scale_x)), max(1, round((bottom - top) * scale_y)))
    return _resize(ink, size, box=box)


def _pad(small: np.ndarray) -> np.ndarray:
    """Paste into the middle of a blank 28×28, its box centred (to the pixel, rounding up-left)."""
    height, width = small.shape
    image = np.zeros((SIDE, SIDE), dtype=np.float32)
    top, left = (SIDE - height) // 2, (SIDE - width) // 2
    image[top : top + height, left : left + width] = small
    return image


def _centre(image: np.ndarray) -> np.ndarray:
    """Shift a 28×28 image by whole pixels so that its centre of mass lands on (14, 14), as far
    as its ink (every pixel above 0) can move without leaving the image: never cut the digit."""
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    ink = np.ascontiguousarray(image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
    height, width = ink.shape
    mass = ink.sum()
    row = ink.sum(axis=1) @ np.arange(height) / mass
    col = ink.sum(axis=0) @ np.arange(width) / mass
    top = int(np.clip(np.floor(CENTRE - row + 0.5), 0, SIDE - height))
    left = int(np.clip(np.floor(CENTRE - col + 0.5), 0, SIDE - width))
    centred = np.zeros((SIDE, SIDE), dtype=np.float32)
    centred[top : top + height, left : left + width] = ink
    return centred


def _resize(
    ink: np.ndarray, size: tuple[int, int], box: tuple[int, int, int, int] | None = None
) -> np.ndarray:
    """Area-average (anti-aliased) resize of float ink to `size` = (width, height)."""
    image = Image.fromarray(np.ascontiguousarray(ink, dtype=np.float32))
    source = box or (0, 0, image.width, image.height)
    upscale = size[0] > source[2] - source[0] or size[1] > source[3] - source[1]
    resample = Image.Resampling.BILINEAR if upscale else Image.Resampling.BOX
    resized = np.asarray(image.resize(size, resample, box=box), dtype=np.float32)
    return np.clip(resized, 0.0, 1.0)


def _deskew_batch(x: np.ndarray) -> np.ndarray:
    """(n, h, w) float32 -> deskewed and centred, bilinear; see `deskew`."""
    _, height, width = x.shape
    r = np.arange(height, dtype=np.float32)
    c = np.arange(width, dtype=np.float32)
    mass = x.sum(axis=(1, 2))  # (n,)
    blank = mass <= 0
    mass = np.where(blank, 1.0, mass)
    row_mass, col_mass = x.sum(axis=2), x.sum(axis=1)  # (n, h), (n, w)
    c_r = row_mass @ r / mass
    c_c = col_mass @ c / mass
    var_r = row_mass @ (r * r) / mass - c_r**2
    cov_rc = np.einsum("nij,i,j->n", x, r, c) / mass - c_r * c_c
    alpha = np.where(var_r > 1e-6, cov_rc / np.maximum(var_r, 1e-6), 0.0)
    shift_r = np.where(blank, 0.0, c_r - height / 2)
    shift_c = np.where(blank, 0.0, c_c - width / 2)
    alpha = np.where(blank, 0.0, alpha)
    # rows: every output row r reads input row r + shift_r (one shift per image)
    rows = _interpolate(x, r[None, :] + shift_r[:, None], axis=1)  # (n, h, w)
    # columns: output (r, c) reads column c + alpha·(r - h/2) + shift_c
    offset = alpha[:, None] * (r[None, :] - height / 2) + shift_c[:, None]  # (n, h)
    columns = c[None, None, :] + offset[:, :, None]  # (n, h, w)
    return np.clip(_interpolate(rows, columns, axis=2), 0.0, 1.0).astype(np.float32)


def _interpolate(x: np.ndarray, where: np.ndarray, axis: int) -> np.ndarray:
    """Linear interpolation of x along `axis` at fractional positions `where`; 0 outside."""
    length = x.shape[axis]
    if axis == 1:
        where = where[:, :, None]  # (n, h) -> (n, h, 1): one position per row
    lower = np.floor(where)
    weight = (where - lower).astype(np.float32)
    lower = lower.astype(np.int64)
    total = np.zeros(np.broadcast_shapes(x.shape, where.shape), dtype=np.float32)
    for index, w in ((lower, 1 - weight), (lower + 1, weight)):
        inside = (index >= 0) & (index < length)
        values = np.take_along_axis(x, np.clip(index, 0, length - 1), axis=axis)
        total += values * (w * inside)
    return total


# --- inputs -> ink -----------------------------------------------------------------------------


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")


def _checked_array(image: object) -> np.ndarray:
    """Validate an image array: (H, W) or (H, W, 1–4); uint8, bool or finite float in [0, 1]."""
    if not isinstance(image, np.ndarray):
        raise ImageError(
            f"image must be a numpy array (use image_to_mnist for PIL images), got {type(image).__name__}"
        )
    if image.dtype != np.uint8 and image.dtype.kind not in "bf":
        raise ImageError(f"image dtype must be uint8, bool or float in [0, 1]; got {image.dtype}")
    if not (image.ndim == 2 or (image.ndim == 3 and 1 <= image.shape[2] <= 4)):
        raise ImageError(f"image must be (H, W) or (H, W, 1|2|3|4); got shape {image.shape}")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ImageError(f"image is empty: shape {image.shape}")
    if image.dtype.kind == "f":
        if not np.isfinite(image).all():
            raise ImageError("image contains NaN or infinite values")
        low, high = float(image.min()), float(image.max())
        if low < 0 or high > 1:
            raise ImageError(f"float images must lie in [0, 1]; got values in [{low:g}, {high:g}]")
    return image


def _canvas_ink(image: object) -> np.ndarray:
    """(H, W) float32 ink in [0, 1] from a white-on-black canvas array: max(R, G, B) · alpha."""
    pixels = _checked_array(image)
    if pixels.ndim == 3:
        channels = pixels.shape[2]
        colour = pixels[..., : 3 if channels >= 3 else 1]
        ink = colour[..., 0]
        for k in range(1, colour.shape[2]):
            ink = np.maximum(ink, colour[..., k])
        if channels in (2, 4):
            alpha = pixels[..., -1]
            opaque = np.iinfo(np.uint8).max if pixels.dtype == np.uint8 else 1
            if alpha.min() < opaque:
                ink = ink * (alpha.astype(np.float32) / opaque)
        pixels = ink
    scale = np.float32(1 / 255) if pixels.dtype == np.uint8 else np.float32(1)
    return pixels.astype(np.float32) * scale


def _as_pil(image: Image.Image | np.ndarray) -> Image.Image:
    if isinstance(image, Image.Image):
        return image
    pixels = _checked_array(image)
    if pixels.dtype != np.uint8:
        pixels = np.round(pixels.astype(np.float32) * 255).astype(np.uint8)
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    return Image.fromarray(pixels)


def _levels(image: Image.Image) -> Image.Image:
    """`image` as 8-bit grey levels: mode "L", or "LA" when it has transparency."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        values = np.asarray(image, dtype=np.float32)
        top = float(values.max()) if values.size else 1.0
        scale = 1.0 if top <= 1 else 255.0 if top <= 255 else 65535.0
        image = Image.fromarray(np.clip(values / scale * 255, 0, 255).astype(np.uint8))
    if image.width == 0 or image.height == 0:
        raise ImageError(f"image is empty: size {image.size}")
    try:
        return image.convert("LA" if image.has_transparency_data else "L")
    except (ValueError, OSError) as error:
        raise ImageError(f"cannot read a {image.mode} image as grey levels: {error}") from error


def _drawing_ink(levels: Image.Image) -> np.ndarray | None:
    """(H, W) float32 ink of a clean digital drawing, as `canvas_to_mnist` reads the canvas; None
    for a photo or scan (see FLAT_LEVELS). Light ink on dark is taken as is; dark on light is
    inverted in whole grey levels, so a drawing and its inverse give the same ink."""
    gray = np.asarray(levels.getchannel(0))  # (H, W) uint8
    if levels.mode == "LA":
        alpha = np.asarray(levels.getchannel(1))
        if alpha.min() < 255:  # over a backdrop that contrasts with what is opaque
            opaque = gray[alpha > 127]
            backdrop = 255 if opaque.size and np.median(opaque) < 128 else 0
            blend = gray.astype(np.float32) * alpha + backdrop * (255 - alpha.astype(np.float32))
            gray = np.round(blend / 255).astype(np.uint8)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    background = int(np.median(border))
    if background > 127:  # dark ink on light
        gray, border, background = 255 - gray, 255 - border, 255 - background
    if np.mean(np.abs(border.astype(np.int16) - background) <= FLAT_LEVELS) < FLAT_BORDER:
        return None
    contrast = gray.astype(np.int16) - background  # (H, W)
    ink_level = int(contrast.max())
    if ink_level < MIN_CONTRAST:
        return None
    between = (np.abs(contrast) > FLAT_LEVELS) & (contrast < ink_level - FLAT_LEVELS)
    if np.mean(between) > GREY_SHARE:
        return None
    ink = gray.astype(np.float32) - np.float32(background)  # as canvas_to_mnist when it is 0
    return np.clip(ink, 0, None) * np.float32(1 / (255 - background))


def _gray_and_alpha(levels: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """(H, W) brightness in [0, 1] and alpha in [0, 1] (None when opaque), at most 280 px."""
    longest = max(levels.size)
    if longest > WORKING_SIDE:
        size = tuple(max(1, round(side * WORKING_SIDE / longest)) for side in levels.size)
        levels = levels.resize(size, Image.Resampling.BOX)
    pixels = np.asarray(levels, dtype=np.float32) / 255
    if levels.mode == "LA":
        return pixels[..., 0], pixels[..., 1]
    return pixels, None


def _photo_ink(levels: Image.Image) -> np.ndarray:
    """(H, W) float32 ink in [0, 1] from a photo: polarity, background, noise and thin pens handled."""
    gray, alpha = _gray_and_alpha(levels)
    if alpha is not None:  # transparent parts: a backdrop that contrasts with what is opaque
        opaque = gray[alpha > 0.5]
        backdrop = 1.0 if opaque.size and np.median(opaque) < 0.5 else 0.0
        gray = gray * alpha + backdrop * (1 - alpha)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    ink = 1 - gray if np.median(border) > 0.5 else gray  # dark on light: invert
    ink_image = Image.fromarray(np.round(ink * 255).astype(np.uint8)).filter(
        ImageFilter.MedianFilter(3)  # salt-and-pepper noise
    )
    residual = np.asarray(ink_image, dtype=np.float32) / 255 - _background(ink_image)
    peak = float(residual.max())
    spread = 1.4826 * float(np.median(np.abs(residual - np.median(residual))))
    floor = max(float(np.median(residual)) + 5 * spread, 0.2 * peak)
    if peak - floor < INK_THRESHOLD:
        return np.zeros_like(residual)  # no contrast: the core reports it as empty
    return _thicken(np.clip((residual - floor) / (peak - floor), 0.0, 1.0))


def _background(ink_image: Image.Image) -> np.ndarray:
    """Smooth estimate of the unlit paper: a low rank (30%) of 5×5 windows on an 8× thumbnail.

    Strokes rarely fill 70% of a window, so the 30th percentile sees paper even beside a digit.
    """
    width, height = ink_image.size
    thumbnail = ink_image.resize((max(1, width // 8), max(1, height // 8)), Image.Resampling.BOX)
    paper = thumbnail.filter(ImageFilter.RankFilter(5, 7)).filter(ImageFilter.BoxBlur(1))
    return np.asarray(paper.resize((width, height), Image.Resampling.BILINEAR), np.float32) / 255


def _thicken(ink: np.ndarray) -> np.ndarray:
    """Widen pen-thin strokes towards a canvas pen's (≈ 8% of the digit's height): a max filter.

    Stroke width ≈ 2·area / perimeter for a long thin shape; the perimeter is counted as the
    number of ink/background changes along rows and columns.
    """
    mask = ink > 0.5
    area = int(mask.sum())
    if area == 0:
        return ink
    changes = int(np.count_nonzero(np.diff(mask, axis=0)) + np.count_nonzero(np.diff(mask, axis=1)))
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    extent = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    missing = 0.08 * extent - 2 * area / max(changes, 1)  # px
    if missing < 3:
        return ink
    size = int(missing) // 2 * 2 + 1  # odd
    image = Image.fromarray(np.round(ink * 255).astype(np.uint8)).filter(
        ImageFilter.MaxFilter(size)
    )
    return np.asarray(image, dtype=np.float32) / 255


def _read_bytes(source: ImageSource, max_bytes: int) -> tuple[bytes, str]:
    """The bytes of `source` and a name for messages; ImageError when over `max_bytes`."""
    if isinstance(source, bytes | bytearray | memoryview):
        data, name = bytes(source), f"the uploaded data ({len(source):,} bytes)"
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise ImageError(f"no image file at {path}")
        if path.stat().st_size > max_bytes:
            raise ImageError(
                f"{path.name} is {path.stat().st_size / 2**20:.1f} MB; the limit is "
                f"{max_bytes / 2**20:.0f} MB"
            )
        data, name = path.read_bytes(), path.name
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
        name = str(getattr(source, "name", "the uploaded file"))
        if not isinstance(data, bytes):
            raise ImageError(f"{name} must be opened in binary mode")
    else:
        raise ImageError(
            f"read_image takes a path, bytes or a binary file; got {type(source).__name__}"
        )
    if len(data) > max_bytes:
        limit = max_bytes / 2**20
        raise ImageError(f"{name} is over the {limit:.0f} MB limit", "too_big", limit=limit)
    if not data:
        raise ImageError(f"not an image: {name} is empty", "empty")
    return data, name
