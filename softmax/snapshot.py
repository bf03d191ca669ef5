"""A lesson snapshot: the 28×28 input in a link, and the whole moment as one PNG for a slide.

The link. `encode_input` packs a (28, 28) input into a short URL-safe token: a version byte, the
bit depth, the pixels quantised to 8 bits (default: MNIST's own depth, so a test digit comes back
exactly; ≈ 260 characters for a drawing) or 4 bits (≈ 175, but 1 drawing in 200 then reads as
another digit), deflated, then a 4-byte BLAKE2b checksum, in base64url. `decode_input` checks
everything before trusting it and raises `LinkError`, whose message a page can show as it is, for
a link that was cut, edited, mistyped or made by a newer version (`in_words(t)` says it in another
language). The checksum catches damage,
not forgery: it is not a signature, and needs none, since the worst a forged link can hold is
some 28×28 picture.

The picture. `render` draws a `Moment` (title, date, the drawing, what the model sees, the
probabilities, an explanation map and its sentence) on a 1600×900 slide with Pillow. The font must
cover Hangul for the Korean lesson: the first of `SOFTMAX_FONT`, Debian's fonts-nanum, Debian's
fonts-noto-cjk, DejaVu Sans, else Pillow's own. Every word on it comes from the `snapshot`
catalogue through the `t` a caller passes (English by default).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from softmax import explain
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier

ENGLISH = Messages("en")  # words when a caller passes no `t` (the CLI, tests)

# --- the link ----------------------------------------------------------------------------------

QUERY_KEY = "input"  # ?input=<token>
VERSION = 1
BITS = (8, 4)  # depths a link may use; 8 is the default
SIDE = 28
CHECKSUM_BYTES = 4
# The longest a valid token can be: 784 incompressible bytes in one stored deflate block (+5),
# the 2-byte header and the checksum, in base64 without padding.
MAX_TOKEN = -(-(2 + SIDE * SIDE + 5 + CHECKSUM_BYTES) * 4 // 3)


class LinkError(ValueError):
    """A snapshot link that cannot be read; the message says why, in words a page can show.

    `reason` names the message (`snapshot.link_errors.<reason>`), `values` fill it; `str()` is
    the English, `in_words(t)` the message in `t`'s language.
    """

    def __init__(self, reason: str, **values: object) -> None:
        self.reason, self.values = reason, values
        super().__init__(self.in_words(Messages()))

    def in_words(self, t: Messages) -> str:
        numbers = {k: t.number(v) if isinstance(v, int) else v for k, v in self.values.items()}
        return t(f"snapshot.link_errors.{self.reason}", **numbers)


def encode_input(x: np.ndarray, bits: int = 8) -> str:
    """A URL-safe token (base64url, no padding) holding the (28, 28) input `x` in [0, 1].

    `bits` 8 (default; error ≤ 1/510, exact for MNIST digits) or 4 (error ≤ 1/30, ~1/3 shorter).
    ValueError for another shape, values outside [0, 1] or NaN, or another `bits`.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (SIDE, SIDE):
        raise ValueError(f"a snapshot holds one (28, 28) input, got shape {x.shape}")
    if not np.isfinite(x).all() or x.min() < 0 or x.max() > 1:
        raise ValueError("a snapshot input must lie in [0, 1]")
    if bits not in BITS:
        raise ValueError(f"bits must be one of {', '.join(map(str, BITS))}; got {bits!r}")
    levels = np.round(x.reshape(-1) * (2**bits - 1)).astype(np.uint8)  # (784,)
    if bits == 4:
        levels = (levels[0::2] << 4) | levels[1::2]  # two pixels a byte: (392,)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: the checksum is ours
    payload = bytes([VERSION, bits]) + deflate.compress(levels.tobytes()) + deflate.flush()
    token = base64.urlsafe_b64encode(payload + _checksum(payload))
    return token.rstrip(b"=").decode("ascii")


def decode_input(token: str) -> np.ndarray:
    """The (28, 28) float32 input in [0, 1] that `encode_input` packed into `token`.

    Raises LinkError, with a message fit for a page, for anything else: not text, too long,
    characters outside base64url, cut short, a changed character (checksum), an unknown version
    or depth, or data that does not unpack to exactly 784 pixels.
    """
    if not isinstance(token, str):
        raise LinkError("not_text", kind=type(token).__name__)
    if not token:
        raise LinkError("empty")
    if len(token) > MAX_TOKEN:
        raise LinkError("too_long", length=len(token))
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != token:
            raise ValueError("not canonical")  # stray characters that the decoder skipped
    except (ValueError, binascii.Error, UnicodeEncodeError):
        raise LinkError("characters") from None
    payload, checksum = raw[:-CHECKSUM_BYTES], raw[-CHECKSUM_BYTES:]
    if len(payload) < 3 or _checksum(payload) != checksum:
        raise LinkError("cut")
    version, bits = payload[0], payload[1]
    if version != VERSION:
        raise LinkError("other_version", version=version)
    if bits not in BITS:
        raise LinkError("depth", bits=bits)
    return _unpack(payload[2:], bits)


def to_query(x: np.ndarray, bits: int = 8) -> dict[str, str]:
    """Query parameters that restore `x`: {QUERY_KEY: token}, for `st.query_params.update`."""
    return {QUERY_KEY: encode_input(x, bits)}


def from_query(params: Mapping[str, object]) -> np.ndarray | None:
    """The input in query parameters (e.g. `st.query_params`), or None when there is none.

    Raises LinkError when the parameter is there but cannot be read.
    """
    if QUERY_KEY not in params:
        return None
    value = params[QUERY_KEY]
    if isinstance(value, list | tuple):  # parse_qs style: the last value counts, as Streamlit's
        value = value[-1] if value else ""
    return decode_input(value)


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=CHECKSUM_BYTES, person=b"softmax-link").digest()


def _unpack(deflated: bytes, bits: int) -> np.ndarray:
    size = SIDE * SIDE * bits // 8
    inflate = zlib.decompressobj(-15)
    try:
        data = inflate.decompress(deflated, size + 1)  # never inflate more than one image
    except zlib.error:
        raise LinkError("unpack") from None
    if len(data) != size or not inflate.eof or inflate.unused_data or inflate.unconsumed_tail:
        raise LinkError("not_one_image")
    levels = np.frombuffer(data, dtype=np.uint8)
    if bits == 4:
        levels = np.stack([levels >> 4, levels & 0x0F], axis=1).reshape(-1)  # (784,)
    return (levels.astype(np.float32) / (2**bits - 1)).reshape(SIDE, SIDE)


# --- the picture -------------------------------------------------------------------------------

WIDTH, HEIGHT = 1600, 900  # a 16:9 slide
SENTENCE_LINES = 4  # at 34 px: what fits between the panels and the footer
FONT_ENV = "SOFTMAX_FONT"  # path of a TrueType/OpenType font to use instead
FONTS = {  # (regular, bold), best first: Hangul-capable first
    "nanum": (
        "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",  # Debian fonts-nanum
        "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf",
    ),
    "noto-cjk": (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian fonts-noto-cjk
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    ),
    "dejavu": (  # Latin, Greek, Cyrillic only
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
}
INK, MUTED, RULE, PAPER = (32, 33, 36), (110, 113, 120), (220, 222, 226), (255, 255, 255)
ANSWER, BAR = (255, 75, 75), (160, 165, 175)  # the predicted digit's bar; the others
NEGATIVE, ZERO, POSITIVE = (178, 24, 43), (247, 247, 247), (33, 102, 172)  # red, white, blue


@dataclass(frozen=True)
class Moment:
    """Everything one snapshot shows. `explanation` is a signed (28, 28) map drawn red (< 0) to
    blue (> 0) around white; `grid`, when given, is (row edges, column edges) drawn over it."""

    x: np.ndarray  # (28, 28) in [0, 1]: what the model sees
    probabilities: np.ndarray  # (10,)
    explanation: np.ndarray  # (28, 28) signed
    explanation_title: str
    sentence: str
    title: str
    drawing: np.ndarray | None = None  # the canvas: (H, W, 4) RGBA or (H, W) grey, white ink
    when: datetime = field(default_factory=datetime.now)
    model: str = ""
    grid: tuple[tuple[int, ...], tuple[int, ...]] | None = None
    legend: tuple[str, str] = ("−", "+")  # what red and blue mean

    @classmethod
    def of(
        cls,
        classifier: SoftmaxClassifier,
        x: np.ndarray,
        title: str,
        a: int | None = None,
        b: int | None = None,
        drawing: np.ndarray | None = None,
        *,
        t: Messages = ENGLISH,
    ) -> Moment:
        """The moment for input `x`: its probabilities and why a and not b (default: the top
        two), with the 3×3 parts grid, in the language of `t`."""
        contrast = explain.contrast(classifier, x, a, b)
        pair = {"a": contrast.a, "b": contrast.b}
        return cls(
            x=np.asarray(x, dtype=np.float32).reshape(SIDE, SIDE),
            probabilities=classifier.predict_proba(x)[0],
            explanation=contrast.votes,
            explanation_title=t("snapshot.picture.contrast", **pair),
            sentence=explain.contrast_in_words(contrast, t=t),
            title=title,
            drawing=drawing,
            model=f"{classifier.recipe} {classifier.fingerprint[:8]}",
            grid=(contrast.row_edges, contrast.col_edges),
            legend=(t("snapshot.picture.for_b", **pair), t("snapshot.picture.for_a", **pair)),
        )


def render(
    moment: Moment, t: Messages = ENGLISH, font: str | os.PathLike | None = None
) -> Image.Image:
    """The moment as a 1600×900 RGB slide: title and date; drawing, model input, explanation
    map and probability bars side by side; the sentence underneath. `font` overrides the font
    search (see `find_font`); `t` gives the panels' titles and the footer."""
    slide = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(slide)
    fonts = _Fonts(find_font(font))
    fonts.write(draw, (60, 40), moment.title, 52, bold=True, fill=INK)
    date = moment.when.strftime("%Y-%m-%d %H:%M")
    fonts.write(draw, (WIDTH - 60, 58), date, 28, fill=MUTED, anchor="ra")
    draw.line([(60, 122), (WIDTH - 60, 122)], fill=RULE, width=2)
    panel = 364  # 13 px per model pixel
    top = 200
    _panel_title(draw, (60, 150), t("snapshot.picture.drawing"), fonts)
    _drawing(slide, draw, moment.drawing, (60, top), panel, t("snapshot.picture.no_drawing"), fonts)
    _panel_title(draw, (464, 150), t("snapshot.picture.sees"), fonts)
    slide.paste(_pixels(moment.x, panel), (464, top))
    _panel_title(draw, (868, 150), moment.explanation_title, fonts)
    _explanation(slide, draw, moment, (868, top), panel, fonts)
    digit = int(np.argmax(moment.probabilities))
    share = t.percent(float(moment.probabilities[digit]))
    heading = t("snapshot.picture.prediction", digit=digit, share=share)
    _panel_title(draw, (1272, 150), heading, fonts)
    _bars(draw, moment.probabilities, (1272, top), (268, panel), fonts, t)
    lines = _wrap(fonts.printable(moment.sentence), fonts.get(34), WIDTH - 120, draw)
    for i, line in enumerate(lines[:SENTENCE_LINES]):
        fonts.write(draw, (60, 630 + 50 * i), line, 34, fill=INK)
    if moment.model:
        footer = t("snapshot.picture.footer", model=moment.model)
        fonts.write(draw, (60, HEIGHT - 44), footer, 20, fill=MUTED)
    return slide


def render_png(
    moment: Moment, t: Messages = ENGLISH, font: str | os.PathLike | None = None
) -> bytes:
    """`render` as PNG bytes, for a download button."""
    buffer = io.BytesIO()
    render(moment, t, font).save(buffer, format="PNG")
    return buffer.getvalue()


def find_font(path: str | os.PathLike | None = None) -> Path | None:
    """The font to draw with: `path`, else $SOFTMAX_FONT, else the first of FONTS installed;
    None means Pillow's built-in font (Latin only). ValueError when a named font is missing."""
    chosen = path if path is not None else os.environ.get(FONT_ENV) or None
    if chosen is not None:
        if not Path(chosen).is_file():
            raise ValueError(f"no font file at {chosen}")
        return Path(chosen)
    for regular, _ in FONTS.values():
        if Path(regular).is_file():
            return Path(regular)
    return None


# Look-alikes for characters a font may lack (NanumGothic has no U+2212 minus sign).
STAND_INS = {
    "−": "-",
    "–": "-",
    "—": "-",
    "⊙": "*",
    "×": "x",
    **{chr(0x2080 + d): str(d) for d in range(10)},
}
NO_GLYPH = "\U000f0000"  # a private-use character no font draws: its box is the missing glyph


class _Fonts:
    """Sizes of one font family, loaded once each; bold from the family's sibling file."""

    def __init__(self, regular: Path | None) -> None:
        self.regular = regular
        bolds = {Path(r): Path(b) for r, b in FONTS.values()}
        bold = bolds.get(regular) if regular else None
        self.bold = bold if bold is not None and bold.is_file() else regular
        self.loaded: dict[tuple[int, bool], ImageFont.ImageFont | ImageFont.FreeTypeFont] = {}
        self.missing: dict[str, bool] = {}

    def write(
        self, draw: ImageDraw.ImageDraw, xy, text: str, size: int, bold: bool = False, **kwargs
    ) -> None:
        """draw.text in this family at `size`, missing characters replaced (see `printable`)."""
        draw.text(xy, self.printable(text), font=self.get(size, bold), **kwargs)

    def printable(self, text: str) -> str:
        """`text` with each character this font cannot draw replaced by its STAND_INS look-alike."""
        return "".join(STAND_INS[c] if c in STAND_INS and self._lacks(c) else c for c in text)

    def _lacks(self, character: str) -> bool:
        if character not in self.missing:
            font = self.get(24)
            drawn = font.getmask(character)
            blank = font.getmask(NO_GLYPH)
            self.missing[character] = (drawn.size, bytes(drawn)) == (blank.size, bytes(blank))
        return self.missing[character]

    def get(self, size: int, bold: bool = False):
        key = (size, bold)
        if key not in self.loaded:
            path = self.bold if bold else self.regular
            self.loaded[key] = (
                ImageFont.truetype(str(path), size) if path else ImageFont.load_default(size)
            )
        return self.loaded[key]


def _panel_title(draw: ImageDraw.ImageDraw, at: tuple[int, int], text: str, fonts: _Fonts) -> None:
    fonts.write(draw, at, text, 24, bold=True, fill=INK)


def _pixels(x: np.ndarray, size: int) -> Image.Image:
    """A (28, 28) image in [0, 1] as white ink on black, each pixel a sharp square."""
    grey = np.round(np.clip(np.asarray(x, dtype=np.float64), 0, 1) * 255).astype(np.uint8)
    return Image.fromarray(grey).resize((size, size), Image.Resampling.NEAREST).convert("RGB")


def _drawing(slide, draw, drawing, at, size, missing: str, fonts: _Fonts) -> None:
    """The canvas as it was drawn (white on black), or a grey box saying there is none."""
    left, top = at
    if drawing is None:
        draw.rectangle([left, top, left + size, top + size], fill=(236, 237, 240))
        centre = (left + size // 2, top + size // 2)
        fonts.write(draw, centre, missing, 24, fill=MUTED, anchor="mm")
        return
    pixels = np.asarray(drawing)
    if pixels.ndim == 3:  # RGBA or RGB: ink is the brightest channel, as in preprocess
        pixels = pixels[..., : min(3, pixels.shape[2])].max(axis=2)
    if pixels.dtype != np.uint8:
        pixels = np.round(np.clip(pixels, 0, 1) * 255).astype(np.uint8)
    image = Image.fromarray(pixels).convert("RGB")
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    box = Image.new("RGB", (size, size), (0, 0, 0))
    box.paste(image, ((size - image.width) // 2, (size - image.height) // 2))
    slide.paste(box, at)


def _explanation(slide, draw, moment: Moment, at, size, fonts: _Fonts) -> None:
    """The signed map on one red–white–blue scale, the parts grid, and a legend below."""
    values = np.asarray(moment.explanation, dtype=np.float64)
    scaled = np.clip(values / explain.symmetric_limit(values), -1, 1)[..., None]  # (28, 28, 1)
    zero, negative, positive = (np.array(c, dtype=np.float64) for c in (ZERO, NEGATIVE, POSITIVE))
    rgb = np.where(
        scaled >= 0, zero + scaled * (positive - zero), zero - scaled * (negative - zero)
    )
    image = Image.fromarray(np.round(rgb).astype(np.uint8))
    slide.paste(image.resize((size, size), Image.Resampling.NEAREST), at)
    left, top = at
    cell = size / SIDE
    if moment.grid is not None:
        rows, cols = moment.grid
        for r in rows:
            y = top + round(r * cell)
            draw.line(
                [(left + round(cols[0] * cell), y), (left + round(cols[-1] * cell), y)],
                fill=INK,
                width=2,
            )
        for c in cols:
            x = left + round(c * cell)
            draw.line(
                [(x, top + round(rows[0] * cell)), (x, top + round(rows[-1] * cell))],
                fill=INK,
                width=2,
            )
    draw.rectangle([left, top, left + size - 1, top + size - 1], outline=RULE, width=1)
    # legend: a strip from red through white to blue, with what each end means
    strip = np.linspace(-1, 1, size)[None, :, None]  # (1, size, 1)
    legend = np.where(
        strip >= 0, zero + strip * (positive - zero), zero - strip * (negative - zero)
    )
    legend_image = Image.fromarray(np.round(np.repeat(legend, 14, axis=0)).astype(np.uint8))
    slide.paste(legend_image, (left, top + size + 14))
    fonts.write(draw, (left, top + size + 34), moment.legend[0], 20, fill=NEGATIVE)
    fonts.write(
        draw, (left + size, top + size + 34), moment.legend[1], 20, fill=POSITIVE, anchor="ra"
    )


def _bars(draw, probabilities: np.ndarray, at, size, fonts: _Fonts, t: Messages) -> None:
    """Ten horizontal bars, digits 0–9 top to bottom, the most probable one in the answer colour."""
    left, top = at
    width, height = size
    row = height / len(probabilities)
    predicted = int(np.argmax(probabilities))
    bar_left, bar_right = left + 34, left + width - 70
    for k, p in enumerate(np.asarray(probabilities, dtype=np.float64)):
        y = top + row * k
        middle = y + row / 2
        colour = ANSWER if k == predicted else BAR
        fonts.write(draw, (left + 8, middle), str(k), 22, fill=INK, anchor="lm")
        draw.rectangle([bar_left, y + 6, bar_right, y + row - 6], fill=(243, 244, 246))
        end = bar_left + max(0.0, min(1.0, p)) * (bar_right - bar_left)
        if end > bar_left:
            draw.rectangle([bar_left, y + 6, end, y + row - 6], fill=colour)
        fonts.write(draw, (left + width, middle), t.percent(p), 22, fill=INK, anchor="rm")


def _wrap(text: str, font, width: int, draw: ImageDraw.ImageDraw) -> list[str]:
    """Lines of `text` no wider than `width` px, broken between words (inside a word only when
    the word alone is too wide)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if draw.textlength(candidate, font=font) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while draw.textlength(line, font=font) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and draw.textlength(line[:cut], font=font) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    return lines
