"""Small HTML figures for what every stroke redraws: built in microseconds, sent as a few KB.

Why not Altair here: Streamlit re-sends a chart's whole Vega-Lite spec and data on every rerun,
and building that spec was most of a stroke's server time; the drawing page's five charts came to
≈ 100 KB per drawn digit (bench/stroke_cost.py). These figures are plain HTML styled by one
stylesheet (`CSS`, sent once per page): bars are boxes sized in percent, and a 28×28 map is a PNG
of 28×28 pixels (a few hundred bytes, inlined) drawn with `image-rendering: pixelated`. They keep
the charts' look and colours (softmax.palette), reflow to a phone's width, and carry their numbers
in tooltips, `data-` attributes and an aria-label. Their words (axis, legend, tooltips) come from
the `figures` catalogue through `t`; labels and titles a caller passes are already translated.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from html import escape

import numpy as np
from PIL import Image

from softmax.explain import LogitDecomposition
from softmax.i18n import Messages
from softmax.palette import AGAINST, ANSWER, BIAS, FOR, INK, OTHER, REDBLUE, diverging

ENGLISH = Messages("en")  # words when a caller passes no `t` (the CLI, tests)

PARTS = ("for", "against", "bias")  # a score's three parts, stacked in this order (CSS classes)
PROBABILITY_TICKS = (0, 20, 40, 60, 80, 100)  # % on the probability axis
CHOSEN = ' class="sm-chosen"'  # the answer's bar or map: violet
LEVELS = 64  # colours of a signed map's PNG: ±1/126 of its scale, too fine for an eye to tell
_LEVEL_COLOURS = diverging(np.linspace(-1, 1, LEVELS), 1.0).reshape(-1).tolist()


def pixels(image: np.ndarray, label: str, size: int = 224) -> str:
    """An image in [0, 1] as the model takes it: one square per pixel, black 0 to white 1, with
    thin grid lines between pixels; `size` px wide at most."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {image.shape}")
    grey = np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8)
    return (
        f'<div class="sm-pixels" style="--cells:{image.shape[1]};--size:{size}px" role="img" '
        f'aria-label="{escape(label)}"><img src="{png(grey)}" alt=""></div>'
    )


def maps(
    maps: np.ndarray,
    titles: Sequence[str],
    limit: float,
    *,
    label: str,
    legend: str,
    digits: Sequence[int] | None = None,
    chosen: int | None = None,
    follow_prediction: bool = False,
    size: int = 140,
    columns: int = 5,
    t: Messages = ENGLISH,
) -> str:
    """Small multiples of signed maps on ONE red–blue scale [-limit, limit] (blue > 0 > red,
    clamped beyond), `columns` across (three on a phone), with a colour legend named `legend`.

    Map `chosen` gets the answer's violet frame and title. `digits` names each map's digit
    (`data-digit`); with `follow_prediction` the frame follows whichever digit the page's
    probability bars predict, by CSS alone, so a stroke need not resend the maps.
    """
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim != 3 or len(titles) != len(maps):
        raise ValueError(f"need (n, h, w) maps and n titles, got {maps.shape} and {len(titles)}")
    figures = []
    for k, (values, title) in enumerate(zip(maps, titles, strict=True)):
        attributes = CHOSEN if k == chosen else ""
        if digits is not None:
            attributes += f' data-digit="{digits[k]}"'
        low, high = _number(values.min(), "+.3f"), _number(values.max(), "+.3f")
        tip = t("figures.maps.tip", title=title, low=low, high=high)
        figures.append(
            f'<figure{attributes} title="{escape(tip)}"><figcaption>{escape(title)}</figcaption>'
            f'<img src="{signed_png(values, limit)}" alt=""></figure>'
        )
    follows = " data-follows" if follow_prediction else ""
    return (
        f'<div class="sm-maps"{follows} style="--size:{size}px;--columns:{columns}" role="img" '
        f'aria-label="{escape(label)}">{"".join(figures)}</div>'
        f'<div class="sm-legend"><em>{escape(legend)}</em><span>{_number(-limit, ".2f")}</span>'
        f"<i></i><span>{_number(limit, '.2f')}</span></div>"
    )


def probability_bars(
    probabilities: np.ndarray | None,
    predicted: int | None = None,
    *,
    label: str | None = None,
    answer: bool = True,
    t: Messages = ENGLISH,
) -> str:
    """Ten bars, digits 0–9 in order on a fixed 0–100 % axis, the predicted digit in violet.

    `probabilities` None (nothing drawn yet) draws the empty axes, so the layout does not jump.
    `answer` False: a what-if's bars (the lab's), which the page's weight maps do not follow.
    `label` (the aria-label) defaults to the catalogue's.
    """
    values = np.zeros(10) if probabilities is None else np.asarray(probabilities, dtype=float)
    if values.shape != (10,):
        raise ValueError(f"probabilities must have shape (10,), got {values.shape}")
    bars = "".join(  # digits 0–9 in order; --p is the bar's height (and its label's height)
        f"<div{CHOSEN if k == predicted else ''} "
        f'title="{escape(t("figures.bars.tip", digit=k, share=t.percent(p, 1)))}" '
        f'data-value="{p:.6f}" style="--p:{100 * p:.2f}%"><i></i>'
        f"<b>{t.percent(p) if p >= 0.01 else ''}</b></div>"
        for k, p in enumerate(values)
    )
    ticks = "".join(
        f'<span style="bottom:{tick}%">{t.percent(tick / 100)}</span>' for tick in PROBABILITY_TICKS
    )
    digits = "".join(f"<span>{k}</span>" for k in range(10))
    follow = "" if predicted is None or not answer else f' data-predicted="{predicted}"'
    return (
        f'<div class="sm-bars"{follow} lang="{t.lang}" role="img" '
        f'aria-label="{escape(label or t("figures.bars.label"))}"><div class="sm-axis">{ticks}'
        f'<em>{escape(t("figures.bars.axis"))}</em></div><div class="sm-plot">{bars}</div>'
        f'<div class="sm-digits">{digits}</div></div>'
    )


def logit_bars(
    decomposition: LogitDecomposition, classes: Sequence[int], *, t: Messages = ENGLISH
) -> str:
    """For each class in `classes` (top to bottom), its score split in three, stacked from 0 as
    Vega-Lite stacks them: votes for (blue), votes against (red), bias (grey), positives to the
    right and negatives to the left; a black tick and its number mark the sum, the logit."""
    parts = np.stack([decomposition.positive, decomposition.negative, decomposition.bias])
    rows = [(k, _stacked(parts[:, k]), float(decomposition.logits[k])) for k in classes]
    ends = [end for _, segments, _ in rows for segment in segments for end in segment[1:]]
    low, high, step = _nice_range(min(0.0, *ends), max(0.0, *ends))

    def left(value: float) -> float:
        return 100 * (value - low) / (high - low)

    names = {part: t(f"figures.logits.{part}") for part in PARTS}
    lines = []
    for k, segments, logit in rows:
        boxes = "".join(
            f'<i class="sm-{part}" style="left:{left(start):.1f}%;'
            f'width:{left(end) - left(start):.1f}%" title="'
            f"{escape(t('figures.logits.part_tip', digit=k, part=names[part], value=_number(value, '+.2f')))}"
            '"></i>'
            for part, (value, start, end) in zip(PARTS, segments, strict=True)
        )
        tip = t("figures.logits.score_tip", digit=k, score=_number(logit, ".2f"))
        lines.append(
            f'<div class="sm-logit" data-digit="{k}" data-logit="{logit:.6f}"><span>{k}</span>'
            f'<div>{boxes}<s style="left:{left(logit):.1f}%" title="{escape(tip)}"></s>'
            f'<b style="left:{left(logit):.1f}%">{_number(logit, ".1f")}</b></div></div>'
        )
    ticks = "".join(
        f'<span style="left:{left(value):.1f}%">{_number(value, _tick_format(step))}</span>'
        for value in np.arange(low, high + step / 2, step)
    )
    keys = "".join(f'<span class="sm-{part}">{escape(names[part])}</span>' for part in PARTS)
    return (
        f'<div class="sm-logits" role="img" aria-label="{escape(t("figures.logits.label"))}">'
        f'<div class="sm-keys">{keys}</div>{"".join(lines)}<div class="sm-ticks">{ticks}</div>'
        f"<em>{escape(t('figures.logits.axis'))}</em></div>"
    )


def png(image: np.ndarray | Image.Image) -> str:
    """An image (a (h, w) grey or (h, w, 3) RGB uint8 array, or a PIL image) as a PNG data URI."""
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def signed_png(values: np.ndarray, limit: float) -> str:
    """A signed map as a palette PNG of `LEVELS` red–blue colours: a third smaller than RGB."""
    t = np.clip((np.asarray(values) / max(float(limit), 1e-12) + 1) / 2, 0, 1)  # 0 … 1
    image = Image.fromarray(np.rint(t * (LEVELS - 1)).astype(np.uint8), "P")
    image.putpalette(_LEVEL_COLOURS)
    return png(image)


def _stacked(values: np.ndarray) -> list[tuple[float, float, float]]:
    """(value, start, end) of each part: positives stack rightwards from 0, negatives leftwards."""
    above = below = 0.0
    segments = []
    for value in map(float, values):
        if value >= 0:
            segments.append((value, above, above + value))
            above += value
        else:
            segments.append((value, below + value, below))
            below += value
    return segments


def _nice_range(low: float, high: float, count: int = 8) -> tuple[float, float, float]:
    """An axis from `low` to `high` widened to whole ticks of 1, 2 or 5 × 10^k, about `count`."""
    span = max(high - low, 1e-9)
    magnitude = 10 ** math.floor(math.log10(span / count))
    step = next(m * magnitude for m in (1, 2, 5, 10) if span / (m * magnitude) <= count)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _tick_format(step: float) -> str:
    return ".0f" if step >= 1 else f".{-math.floor(math.log10(step))}f"


def _number(value: float, spec: str) -> str:
    """`value` formatted like Vega labels, with a true minus sign."""
    return format(float(value), spec).replace("-", "−")


def _followed(part: str) -> str:
    """Selectors for `part` of the weight map whose digit the page's probability bars predict."""
    return ", ".join(
        f'body:has(.sm-bars[data-predicted="{k}"]) .sm-maps[data-follows] '
        f'figure[data-digit="{k}"] {part}'
        for k in range(10)
    )


# One stylesheet for every figure above; the page sends it once (app.py).
CSS = f"""
:root {{ --sm-answer: {ANSWER}; --sm-other: {OTHER}; --sm-for: {FOR}; --sm-against: {AGAINST};
  --sm-bias: {BIAS}; --sm-ink: {INK}; --sm-font: 16px; }}
.sm-pixels {{ position: relative; width: min(var(--size), 100%); aspect-ratio: 1; }}
.sm-pixels img, .sm-maps img {{ display: block; width: 100%; aspect-ratio: 1;
  image-rendering: crisp-edges; image-rendering: pixelated; }}
.sm-pixels::after {{ content: ""; position: absolute; inset: 0; pointer-events: none;
  background-image: linear-gradient(to right, #47556999 1px, transparent 1px),
    linear-gradient(to bottom, #47556999 1px, transparent 1px);
  background-size: calc(100% / var(--cells)) calc(100% / var(--cells)); }}
.sm-maps {{ display: grid; gap: 14px; max-width: 100%;
  grid-template-columns: repeat(var(--columns), minmax(0, var(--size))); }}
.sm-maps figure {{ margin: 0; min-width: 0; }}
.sm-maps figcaption {{ text-align: center; font-size: 18px; color: var(--sm-ink);
  line-height: 1.2; margin-bottom: 4px; white-space: nowrap; }}
.sm-maps img {{ outline: 1px solid #e2e8f0; }}
.sm-maps figure.sm-chosen img, {_followed("img")} {{
  outline: 5px solid var(--sm-answer); outline-offset: -1px; }}
.sm-maps figure.sm-chosen figcaption, {_followed("figcaption")} {{
  color: var(--sm-answer); font-weight: 700; font-size: 22px; line-height: 1; }}
.sm-legend {{ display: flex; align-items: center; gap: 8px; margin-top: 10px;
  font-size: calc(var(--sm-font) - 2px); color: var(--sm-ink); }}
.sm-legend em {{ font-style: normal; font-size: var(--sm-font); margin-right: 4px; }}
.sm-legend i {{ width: 240px; max-width: 45%; height: 14px;
  background: linear-gradient(to right, {", ".join(REDBLUE)}); }}
.sm-bars {{ display: grid; grid-template-columns: auto 1fr; grid-template-rows: var(--sm-h, 260px)
  auto; font-size: var(--sm-font); color: var(--sm-ink); padding-top: 20px; }}
.sm-axis {{ position: relative; width: 78px; border-right: 1px solid #888; }}
.sm-axis span {{ position: absolute; right: 6px; transform: translateY(50%); }}
.sm-axis span::after {{ content: ""; position: absolute; right: -7px; top: 50%; width: 5px;
  border-top: 1px solid #888; }}
.sm-axis em {{ position: absolute; left: 0; top: 50%; font-style: normal;
  transform: translate(-30%, -50%) rotate(-90deg); }}
.sm-axis em:lang(ko) {{ writing-mode: vertical-rl; text-orientation: upright; left: 8px;
  transform: translateY(-50%); }}  /* Hangul reads upright, one syllable under another */
.sm-plot {{ display: grid; grid-template-columns: repeat(10, 1fr); padding: 0 2%;
  border-bottom: 1px solid #888; }}
.sm-plot div {{ position: relative; }}
.sm-plot i {{ position: absolute; bottom: 0; left: 8%; right: 8%; height: var(--p);
  background: var(--sm-other);
  border-radius: 4px 4px 0 0; }}
.sm-plot .sm-chosen i {{ background: var(--sm-answer); }}
.sm-plot b {{ position: absolute; bottom: var(--p); left: -20%; right: -20%; text-align: center;
  margin-bottom: 2px;
  font-size: var(--sm-font); }}
.sm-digits {{ grid-column: 2; display: grid; grid-template-columns: repeat(10, 1fr);
  padding: 4px 2% 0; text-align: center; font-size: 22px; }}
.sm-logits {{ font-size: var(--sm-font); color: var(--sm-ink); }}
.sm-keys {{ display: flex; gap: 18px; flex-wrap: wrap; margin-bottom: 22px; }}
.sm-keys span::before {{ content: ""; display: inline-block; width: 14px; height: 14px;
  border-radius: 50%; margin-right: 6px; vertical-align: -1px; }}
.sm-keys .sm-for::before, .sm-logit .sm-for {{ background: var(--sm-for); }}
.sm-keys .sm-against::before, .sm-logit .sm-against {{ background: var(--sm-against); }}
.sm-keys .sm-bias::before, .sm-logit .sm-bias {{ background: var(--sm-bias); }}
.sm-logit {{ display: grid; grid-template-columns: 36px 1fr; align-items: center;
  height: 76px; }}
.sm-logit > span {{ font-size: 22px; font-weight: 700; }}
.sm-logit > div {{ position: relative; height: 28px; }}
.sm-logit i {{ position: absolute; top: 0; bottom: 0; }}
.sm-logit s {{ position: absolute; top: -8px; bottom: -8px; width: 4px; margin-left: -2px;
  background: #000; }}
.sm-logit b {{ position: absolute; bottom: 34px; transform: translateX(-50%); color: #000; }}
.sm-ticks {{ position: relative; height: 24px; margin-left: 36px; border-top: 1px solid #888; }}
.sm-ticks span {{ position: absolute; top: 2px; transform: translateX(-50%); }}
.sm-logits em {{ display: block; margin-left: 36px; text-align: center; font-style: normal;
  padding-top: 4px; }}
@media (max-width: 640px) {{
  .sm-maps {{ grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 10px; }}
  .sm-maps figcaption {{ font-size: 16px; }}
  .sm-bars {{ --sm-h: 170px; }}
  .sm-axis {{ width: 60px; }}
  .sm-legend i {{ width: auto; flex: 1; }}
}}
"""
