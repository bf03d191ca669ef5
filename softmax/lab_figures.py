"""Small HTML figures for the teaching lab: why A and not B, the smallest change, every step.

Like softmax.figures (whose PNG helpers and stylesheet conventions they share): plain HTML built
in microseconds, a few hundred bytes a map, styled by one stylesheet (`CSS`, sent once per page by
app.py), numbers in `data-` attributes, tooltips and an aria-label, so tests and screen readers
read what a class sees. Their words come from the caller's catalogue (`t`, the part
`lab_figures`), numbers in its language's format.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from softmax import explain
from softmax.counterfactual import Flip
from softmax.figures import png, signed_png
from softmax.preprocess import Stage

if TYPE_CHECKING:
    from softmax.i18n import Messages

ADDED, REMOVED = "#38bdf8", "#f43f5e"  # bright enough to tell apart on black ink and paper
STRIP_PX = 140  # the strip's canvas-sized stages are sent at most this many pixels a side


def contrast_map(contrast: explain.Contrast, *, t: Messages, size: int = 224) -> str:
    """The map (w_a − w_b) ⊙ x on a red–blue scale (blue: for a, red: for b), with the 3×3 grid
    of the parts the sentence names (boxes over the map: st.html drops SVG); each part's votes
    in its tooltip and `data-votes`."""
    votes = contrast.votes
    limit = explain.symmetric_limit(votes)
    rows, cols = contrast.row_edges, contrast.col_edges
    cells = "".join(
        f'<i style="{_box(rows[i], cols[j], rows[i + 1], cols[j + 1])}" '
        f'data-votes="{contrast.parts[i, j]:.6f}" '
        f'title="{escape(_part(contrast, i, j, t))}"></i>'
        for i in range(3)
        for j in range(3)
    )
    a, b = contrast.a, contrast.b
    label = t("lab_figures.contrast.label", a=a, b=b)
    return (
        f'<div class="sm-contrast" style="--size:{size}px" role="img" aria-label="{escape(label)}" '
        f'data-a="{a}" data-b="{b}" data-gap="{contrast.gap:.6f}" '
        f'data-votes="{contrast.pixel_votes:.6f}" data-bias="{contrast.bias:.6f}">'
        f'<img src="{signed_png(votes, limit)}" alt="">{cells}</div>'
        f'<div class="sm-legend"><em>{escape(t("lab_figures.contrast.legend"))}</em>'
        f"<span>{escape(t('lab_figures.contrast.for_digit', digit=b))}</span><i></i>"
        f"<span>{escape(t('lab_figures.contrast.for_digit', digit=a))}</span></div>"
    )


def _part(contrast: explain.Contrast, i: int, j: int, t: Messages) -> str:
    """A dashed box's tooltip: the part's name, whole, and its votes."""
    name = t(f"why_not.part.{explain.PARTS[3 * i + j]}")
    return t("lab_figures.contrast.part", part=name, votes=_signed(contrast.parts[i, j], t))


def change_overlay(flip: Flip, *, t: Messages, size: int = 224) -> str:
    """The input as it was, white ink on black, with the ink the change adds tinted blue and the
    ink it removes tinted red, the largest change in full colour (a least change spreads thin)."""
    base = np.clip(np.asarray(flip.x, dtype=np.float64), 0, 1)[..., None] * 255  # (28, 28, 1)
    delta = np.asarray(flip.delta, dtype=np.float64)[..., None]
    delta = delta / max(float(np.abs(delta).max()), 1e-12)  # -1 … 1
    added, removed = np.clip(delta, 0, 1), np.clip(-delta, 0, 1)
    rgb = base * (1 - added - removed) + added * _rgb(ADDED) + removed * _rgb(REMOVED)
    image = np.rint(np.clip(rgb, 0, 255)).astype(np.uint8)
    label = t("lab_figures.change.label", target=flip.target)
    return (
        f'<div class="sm-pixels" style="--cells:28;--size:{size}px" role="img" '
        f'aria-label="{escape(label)}" data-target="{flip.target}" data-status="{flip.status}" '
        f'data-added="{flip.ink_added:.4f}" data-removed="{flip.ink_removed:.4f}">'
        f'<img src="{png(image)}" alt=""></div>'
        f'<div class="sm-keys sm-change"><span class="sm-added">'
        f'{escape(t("lab_figures.change.added"))}</span><span class="sm-removed">'
        f"{escape(t('lab_figures.change.removed'))}</span></div>"
    )


def region_maps(
    maps: np.ndarray,
    titles: Sequence[str],
    region: tuple[int, int, int, int],
    limit: float,
    label: str,
    *,
    t: Messages,
    size: int = 168,
) -> str:
    """Weight maps side by side on one red–blue scale, each with `region` (top, left, bottom,
    right; bottom and right exclusive) outlined: a map before and after an edit."""
    top, left, bottom, right = region
    outline = f'<i class="sm-region" style="{_box(top, left, bottom, right)}"></i>'
    figures = "".join(
        f"<figure><figcaption>{escape(title)}</figcaption>"
        f'<div class="sm-contrast"><img src="{signed_png(values, limit)}" alt="">{outline}</div>'
        "</figure>"
        for values, title in zip(maps, titles, strict=True)
    )
    return (
        f'<div class="sm-pair" style="--size:{size}px" role="img" aria-label="{escape(label)}" '
        f'data-region="{top} {left} {bottom} {right}">{figures}</div>'
        f'<div class="sm-legend"><em>{escape(t("lab_figures.region.legend"))}</em>'
        f"<span>{_signed(-limit, t)}</span><i></i><span>{_signed(limit, t)}</span></div>"
    )


def stage_strip(stages: Sequence[Stage], *, t: Messages, size: int = 120) -> str:
    """preprocess.steps() as a strip of pictures, canvas to model input, each titled with its
    name and size; a stage switched off is dimmed and says so."""
    figures = []
    for stage in stages:
        height, width = stage.image.shape
        small = max(height, width) <= 28
        name = t(f"lab_figures.stage.{stage.name}")
        shown = name if stage.on else t("lab_figures.strip.off", name=name)
        figures.append(
            f'<figure data-stage="{stage.name}" data-on="{str(stage.on).lower()}"'
            f'{"" if stage.on else " class=sm-off"} title="{width}×{height} px">'
            f'<div class="sm-stage{" sm-small" if small else ""}">'
            f'<img src="{png(_shown(stage.image))}" alt=""></div>'
            f"<figcaption>{escape(shown)}<br><small>{width}×{height}"
            "</small></figcaption></figure>"
        )
    return (
        f'<div class="sm-strip" style="--size:{size}px" role="img" '
        f'aria-label="{escape(t("lab_figures.strip.label"))}">'
        f"{'<b>→</b>'.join(figures)}</div>"
    )


def _shown(image: np.ndarray) -> np.ndarray:
    """A stage's picture as grey uint8, canvas-sized ones shrunk to STRIP_PX a side at most."""
    grey = np.rint(np.clip(np.asarray(image, dtype=np.float64), 0, 1) * 255).astype(np.uint8)
    if max(grey.shape) <= STRIP_PX:
        return grey
    picture = Image.fromarray(grey)
    picture.thumbnail((STRIP_PX, STRIP_PX), Image.Resampling.BOX)
    return np.asarray(picture)


def _box(top: int, left: int, bottom: int, right: int) -> str:
    """CSS placing a box over pixels top…bottom−1, left…right−1 of a 28×28 map."""
    return (
        f"top:{100 * top / 28:.3f}%;left:{100 * left / 28:.3f}%;"
        f"height:{100 * (bottom - top) / 28:.3f}%;width:{100 * (right - left) / 28:.3f}%"
    )


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def _signed(value: float, t: Messages) -> str:
    return explain.signed(float(value), t).replace("-", "−")


CSS = """
.sm-contrast { position: relative; width: min(var(--size), 100%); aspect-ratio: 1; }
.sm-contrast img { display: block; width: 100%; aspect-ratio: 1; image-rendering: pixelated;
  outline: 1px solid #e2e8f0; }
.sm-contrast i { position: absolute; box-sizing: border-box; border: 1.5px dashed var(--sm-ink);
  margin: -0.75px 0 0 -0.75px; }
.sm-contrast i:hover { background: #0f172a14; }
.sm-change { margin: 10px 0 0; }
.sm-change .sm-added::before { background: #38bdf8; }
.sm-change .sm-removed::before { background: #f43f5e; }
.sm-pair { display: flex; flex-wrap: wrap; gap: 14px; }
.sm-pair figure { margin: 0; width: min(var(--size), 44vw); }
.sm-pair .sm-contrast { width: 100%; }
.sm-pair figcaption { text-align: center; font-size: 16px; color: var(--sm-ink); }
.sm-contrast i.sm-region { border: 3px solid var(--sm-answer); }
.sm-strip { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 4px;
  color: var(--sm-ink); }
.sm-strip > b { font-size: 22px; color: #64748b; }
.sm-strip figure { margin: 0; width: var(--size); text-align: center; }
.sm-stage { width: var(--size); aspect-ratio: 1; background: #000; display: flex;
  align-items: center; justify-content: center; outline: 1px solid #cbd5e1; }
.sm-stage img { max-width: 100%; max-height: 100%; }
.sm-stage.sm-small img { width: 100%; height: 100%; object-fit: contain;
  image-rendering: pixelated; }
.sm-strip figcaption { font-size: 15px; line-height: 1.2; margin-top: 4px; }
.sm-strip small { color: #64748b; }
.sm-strip .sm-off .sm-stage { opacity: 0.35; }
.sm-strip .sm-off figcaption { color: #64748b; text-decoration: line-through; }
@media (max-width: 640px) {
  .sm-strip { --size: 92px !important; }
  .sm-strip > b { display: none; }
}
"""
