"""Every preprocessing step, one at a time: the strip from the canvas to the model input.

softmax.preprocess.steps gives each stage on its own (your ink at 280×280 → crop → fit 20×20 →
pad to 28×28 → centre of mass → deskew), and any of crop, fit, centre and deskew can be switched
off. The page reads the drawing through the session's choice (`stages`), so the prediction and
the probabilities above follow the switches: a class sees which step rescues a small, off-centre
digit. The naive-downsampling toggle is the one-switch version (crop, fit and centre all off):
the two stay in step (`naive_changed`). The ink meter shows why a thin pen fails: shrinking 280
px to 28 averages a thin line into faint grey, and every score gets a fraction of its votes.

A tab of the teaching lab (softmax/ui/lab.py), built only while open; the choice lives in plain
session state, so it holds while the tab is closed.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from softmax import lab_figures, preprocess
from softmax.model import SoftmaxClassifier
from softmax.preprocess import Stage
from softmax.ui import canvas

CHOICE_KEY = "steps-choice"  # {step: on} for the switched steps; deskew absent: the model's own
NAIVE_KEY = "naive_preprocessing"  # the drawing page's one-switch toggle
SWITCHED = ("crop", "fit", "centre")  # what naive downsampling switches off
LABELS = {
    "crop": ("Crop to the ink", "Off: the whole canvas is shrunk, margins and all."),
    "fit": ("Fit into 20×20", "Off: the digit keeps the size it was drawn at."),
    "centre": ("Centre of mass", "Off: the digit stays where its box lands."),
    "deskew": ("Deskew", "Straighten a slanted digit (models trained on deskewed digits)."),
}
FAINT = 0.5  # an input with less than half a typical MNIST digit's ink: the pen is too thin


def choice(classifier: SoftmaxClassifier | None) -> dict[str, bool]:
    """The session's steps: crop, fit, centre (on unless switched off), deskew (the model's
    own unless switched)."""
    saved = st.session_state.get(CHOICE_KEY, {})
    steps = {step: saved.get(step, True) for step in SWITCHED}
    model_deskews = classifier is not None and classifier.deskew
    return {**steps, "deskew": saved.get("deskew", model_deskews)}


def stages(image: np.ndarray, classifier: SoftmaxClassifier | None) -> list[Stage]:
    """preprocess.steps under the session's choice; the last stage is the model input.
    EmptyImageError when nothing is drawn, ImageError for unusable canvas data."""
    return preprocess.steps(image, **choice(classifier))


def naive_changed() -> None:
    """The naive toggle moved: crop, fit and centre follow it (off when naive)."""
    naive = bool(st.session_state.get(NAIVE_KEY))
    _save({step: not naive for step in SWITCHED})
    for key in [key for key in st.session_state if str(key).startswith("step-")]:
        del st.session_state[key]  # the open panel's switches: redrawn from the choice


def contents(
    steps: list[Stage] | None, classifier: SoftmaxClassifier | None, x: np.ndarray | None, page: str
) -> None:
    st.caption(
        "From the canvas to the 784 numbers the model reads, one step at a time. Switch a step "
        "off and the prediction above follows: which step rescues a small, off-centre digit?"
    )
    chosen = choice(classifier)
    with st.container(horizontal=True):
        for step, (label, help_text) in LABELS.items():
            st.toggle(
                label, value=chosen[step], key=f"step-{step}-{page}", help=help_text,
                on_change=_switched, args=(step, f"step-{step}-{page}"),
            )  # fmt: skip
    if steps is None or x is None:
        st.caption("Draw a digit to see each step.")
        return
    st.html(lab_figures.stage_strip(steps))
    if classifier is not None and chosen["deskew"] != classifier.deskew:
        trained = "on deskewed digits" if classifier.deskew else "on digits as they are"
        st.caption(f"This model was trained {trained}: its reading suffers with deskew switched.")
    _ink_meter(x, page)


def _ink_meter(x: np.ndarray, page: str) -> None:
    """How much ink reaches the model, and what the pen width has to do with it."""
    level = preprocess.ink_level(x)
    pen = st.session_state.get(f"pen-{page}", canvas.PEN_WIDTH)
    st.progress(
        min(level, 1.0),
        text=f"Ink the model gets: **{level:.0%}** of a typical MNIST digit's (Σx ≈ 100)",
    )
    if level < FAINT:
        st.warning(
            f"Thin strokes fade: at pen width {pen}, shrinking the canvas' 280 pixels to 28 "
            "averages each line into faint grey, so every digit gets only a fraction of its votes "
            f"and the biases decide. Widen the pen ({canvas.PEN_WIDTH} ≈ MNIST's strokes).",
            icon=":material/opacity:",
        )
    else:
        st.caption(
            f"Pen width {pen}: try the thinnest pen ({canvas.PEN_RANGE[0]}) and watch the strokes "
            "fade at 28×28."
        )


def _switched(step: str, key: str) -> None:
    """A step's switch moved: keep it, and the naive toggle on exactly when all three are off."""
    _save({step: bool(st.session_state[key])})
    steps = st.session_state[CHOICE_KEY]
    st.session_state[NAIVE_KEY] = not any(steps.get(s, True) for s in SWITCHED)


def _save(steps: dict[str, bool]) -> None:
    st.session_state[CHOICE_KEY] = {**st.session_state.get(CHOICE_KEY, {}), **steps}
