"""Pictures as people upload them, made on the spot: a phone photo of paper, a drawing exported as
PNG or JPEG, and PNGs too big to make in memory (written row by row through zlib)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def photo_of_a_seven(path: Path) -> Path:
    """A phone-photo-like PNG: paper lit unevenly from the left, sensor noise, a soft felt-pen 7."""
    rng = np.random.default_rng(7)
    light = np.linspace(175, 240, 600)[None, :, None] * np.ones((800, 1, 3))  # (800, 600, 3)
    paper = np.clip(light + rng.normal(0, 6, light.shape), 0, 255).astype(np.uint8)
    image = Image.fromarray(paper)
    ImageDraw.Draw(image).line(
        [(170, 200), (440, 200), (300, 650)], fill=(40, 40, 55), width=38, joint="curve"
    )
    image.filter(ImageFilter.GaussianBlur(2)).save(path)
    return path


def encoded(pixels: np.ndarray, fmt: str = "PNG", **options) -> bytes:
    """`pixels` (uint8, (H, W) or (H, W, 3|4)) saved in `fmt`, as the file's bytes."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt, **options)
    return buffer.getvalue()


def striped_png(width: int, height: int, bit_depth: int = 16, colour_type: int = 0) -> bytes:
    """A PNG of a dark picture with one bright vertical bar (a "1"), written row by row: a few
    tens of kilobytes however many pixels it holds. `colour_type` 0 is grey, 2 RGB."""
    channels = {0: 1, 2: 3}[colour_type]
    pixel = channels * bit_depth // 8
    blank = bytes(1 + width * pixel)  # filter byte 0, then zeros
    bar = bytearray(blank)
    left, right = 1 + (width * 9 // 20) * pixel, 1 + (width * 11 // 20) * pixel
    bar[left:right] = b"\xff" * (right - left)
    compressor = zlib.compressobj(9)
    data = bytearray()
    for row in range(height):
        data += compressor.compress(bytes(bar) if height // 5 <= row < height * 4 // 5 else blank)
    data += compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", bytes(data))
        + chunk(b"IEND", b"")
    )
