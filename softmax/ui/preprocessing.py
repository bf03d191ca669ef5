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
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier
from softmax.preprocess import Stage
from softmax.ui import canvas
from softmax.ui.language import messages

CHOICE_KEY = "steps-choice"  # {step: on} for the switched steps; deskew absent: the model's own
NAIVE_KEY = "naive_preprocessing"  # the drawing page's one-switch toggle
SWITCHED = ("crop", "fit", "centre")  # what naive downsampling switches off
STEPS = (*SWITCHED, "deskew")  # a switch each: label `preprocessing.step.<step>.label`, help
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
    t = messages()
    st.caption(t("preprocessing.intro"))
    chosen = choice(classifier)
    with st.container(horizontal=True):
        for step in STEPS:
            st.toggle(
                t(f"preprocessing.step.{step}.label"), value=chosen[step],
                key=f"step-{step}-{page}", help=t(f"preprocessing.step.{step}.help"),
                on_change=_switched, args=(step, f"step-{step}-{page}"),
            )  # fmt: skip
    if steps is None or x is None:
        st.caption(t("preprocessing.draw_first"))
        return
    st.html(lab_figures.stage_strip(steps, t=t))
    if classifier is not None and chosen["deskew"] != classifier.deskew:
        trained = "trained_deskewed" if classifier.deskew else "trained_as_drawn"
        st.caption(t(f"preprocessing.{trained}"))
    _ink_meter(x, page, t)


def _ink_meter(x: np.ndarray, page: str, t: Messages) -> None:
    """How much ink reaches the model, and what the pen width has to do with it."""
    level = preprocess.ink_level(x)
    pen = st.session_state.get(f"pen-{page}", canvas.PEN_WIDTH)
    st.progress(min(level, 1.0), text=t("preprocessing.ink.meter", level=t.percent(level)))
    if level < FAINT:
        st.warning(
            t("preprocessing.ink.faint", pen=pen, usual=canvas.PEN_WIDTH),
            icon=":material/opacity:",
        )
    else:
        st.caption(t("preprocessing.ink.enough", pen=pen, thinnest=canvas.PEN_RANGE[0]))


def _switched(step: str, key: str) -> None:
    """A step's switch moved: keep it, and the naive toggle on exactly when all three are off."""
    _save({step: bool(st.session_state[key])})
    steps = st.session_state[CHOICE_KEY]
    st.session_state[NAIVE_KEY] = not any(steps.get(s, True) for s in SWITCHED)


def _save(steps: dict[str, bool]) -> None:
    st.session_state[CHOICE_KEY] = {**st.session_state.get(CHOICE_KEY, {}), **steps}
