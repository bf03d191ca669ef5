"""The drawing page: draw a digit, watch the softmax read it, and see why.

What a stroke changes (prediction, what the model sees, the explanation) sits with the canvas in
one `st.fragment`, so a stroke reruns only that: no model loading, no page chrome. Its figures
are small HTML (softmax.figures), a few KB a stroke. The ten weight maps never change with a
stroke: they are drawn once per model, outside the fragment, and the frame around the predicted
digit's map follows the answer by CSS alone. On a phone the canvas fills the width and the answer
sits right under it (softmax/ui/canvas.py, app.py's stylesheet). Its words are the `draw`
catalogue's, in the session's language; switching language keeps the drawing and the model.
"""

from __future__ import annotations

import logging

import numpy as np
import streamlit as st

from softmax import explain, figures, preprocess
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier, n_params
from softmax.preprocess import EmptyImageError, Stage
from softmax.ui import canvas, lab, lesson_snapshot, preprocessing, presenter, state, weight_edit
from softmax.ui.language import messages, restate
from softmax.ui.reading import Reading, answer, shielded, why

CANVAS = "draw"  # the canvas' name: keys canvas-draw, drawing-draw, clear-draw, pen-draw
NAIVE_KEY = preprocessing.NAIVE_KEY
LOG = logging.getLogger(__name__)


def render() -> None:
    """The page: title, the live studio fragment, then the model's weights."""
    t = messages()
    canvas.page_script()
    st.title(t("draw.title"))
    with st.container(key="intro"):  # hidden on a phone, where the canvas needs the room
        st.caption(t("draw.intro", weights=t.number(n_params())))
    lesson_snapshot.read_link()
    with st.container(horizontal=True, key="lesson-tools", vertical_alignment="center"):
        presenter.switch()  # the teacher's, outside the stroke fragment: hidden on a phone
        lesson_snapshot.button(CANVAS)
    classifier = state.current_classifier()
    studio(classifier)
    if classifier is None:
        return
    st.divider()
    if not presenter.is_on():
        with shielded(t("draw.section.weights")):
            _weights(classifier, t)
        return
    restate("maps-folded")  # open stays open across a language switch
    maps = st.expander(t("draw.weights.title"), key="maps-folded", on_change="rerun")
    if maps.open:  # folded away for a projector, and built only when opened
        with maps, shielded(t("draw.section.weights")):
            _weights(classifier, t)


@st.fragment
def studio(trained: SoftmaxClassifier | None) -> None:
    """Canvas and answer side by side (stacked on a phone), then what the model sees and why,
    then the lab's panels. The page reads with the session's edited copy of the model, if any."""
    t = messages()
    classifier = weight_edit.edited(trained)
    left, right = st.columns([3, 5], gap="large")
    with left:
        st.subheader(t("draw.your_drawing"))
        image = canvas.drawing_canvas(CANVAS)
    reading, steps = _read(image, classifier, t)
    quiz = presenter.is_on()
    with right, shielded(t("draw.section.prediction")):
        shown = presenter.revealed(reading) if quiz else True
        if shown:
            answer(reading, classifier is not None)
        if quiz:
            presenter.buttons(reading, CANVAS, shown)
        weight_edit.notice(trained, CANVAS)
    with left, st.container(horizontal=True, vertical_alignment="bottom"):
        # below the canvas, but sent after the answer: a stroke's prediction comes first
        canvas.pen_width(CANVAS)
        canvas.clear_button(CANVAS)
    st.divider()
    sees, reasons = st.columns([1, 2], gap="large")
    with sees, shielded(t("draw.section.sees")):
        _what_the_model_sees(reading, classifier, t)
    with reasons, shielded(t("draw.section.explanation")):
        if shown:
            why(reading, classifier)
        else:
            st.subheader(t("reading.why.title"))
            st.caption(t("draw.after_reveal"))
    if not quiz:  # the advanced panels: folded away for a projector
        lab.panel(reading, classifier, trained, steps, CANVAS)


def _read(
    image: np.ndarray | None, classifier: SoftmaxClassifier | None, t: Messages
) -> tuple[Reading | None, list[Stage] | None]:
    """Preprocess (every step, under the session's choice) and classify: the reading, None when
    there is no ink (or the image was unusable), and the steps. Until the first ink, an input
    from a lesson link stands in for the drawing (and has no steps)."""
    steps, drawing = _steps(image, classifier, t)
    if steps is None:
        source = lesson_snapshot.linked_input()
        if source is None:
            lesson_snapshot.remember(None)
            return None, None
        st.info(t("draw.from_link"), icon=":material/link:")
        deskew = preprocessing.choice(classifier)["deskew"]
        x = preprocess.deskew(source) if deskew else source
    else:
        source, x = steps[-2].image, steps[-1].image  # before and after the deskew step
    lesson_snapshot.remember(None)
    if classifier is None:
        return Reading(x, None, None), steps
    try:
        reading = Reading.of(x, classifier)
    except Exception:  # e.g. ValueError: a model made for 8×8 digits
        LOG.warning("the model cannot read the drawing", exc_info=True)
        side = classifier.image_shape[0]
        st.error(t("draw.model_cannot_read", side=side))
        return Reading(x, None, None), steps
    pair = (st.session_state.get(f"why-a-{CANVAS}"), st.session_state.get(f"why-b-{CANVAS}"))
    lesson_snapshot.remember(lesson_snapshot.Latest(source, x, drawing, classifier, pair))
    return reading, steps


def _steps(
    image: np.ndarray | None, classifier: SoftmaxClassifier | None, t: Messages
) -> tuple[list[Stage] | None, np.ndarray | None]:
    """(every preprocessing step, the drawing) for a canvas with ink; (None, None) without.
    The first ink replaces a lesson link's drawing."""
    if image is None:
        return None, None
    try:
        steps = preprocessing.stages(image, classifier)
    except EmptyImageError:
        return None, None
    except Exception:  # ImageError for odd canvas data, or anything unforeseen
        LOG.warning("could not read the drawing", exc_info=True)
        st.error(t("draw.drawing_unreadable"))
        return None, None
    if lesson_snapshot.linked_input() is not None:
        lesson_snapshot.drop_link()
    return steps, image


def _what_the_model_sees(
    reading: Reading | None, classifier: SoftmaxClassifier | None, t: Messages
) -> None:
    st.subheader(t("reading.sees"))
    x = np.zeros((28, 28), np.float32) if reading is None else reading.x
    st.html(figures.pixels(x, t("draw.sees.figure")))
    st.toggle(
        t("reading.naive"),
        key=NAIVE_KEY,
        help=t("draw.sees.naive_help"),
        on_change=preprocessing.naive_changed,
    )
    steps = preprocessing.choice(classifier)
    if st.session_state.get(NAIVE_KEY):
        notes = [t("draw.sees.naive")]
    elif all(steps[step] for step in preprocessing.SWITCHED):
        notes = [t("draw.sees.mnist")]
    else:
        off = [t(f"draw.sees.steps.{s}") for s in preprocessing.SWITCHED if not steps[s]]
        notes = [t("draw.sees.switched_off", steps=", ".join(off))]
    if steps["deskew"]:
        trained = classifier is not None and classifier.deskew
        notes.append(t("draw.sees.deskew_trained" if trained else "draw.sees.deskew"))
    st.caption("\n\n".join(notes))  # one element: each costs a stroke its own bytes


@st.cache_data(show_spinner=False, max_entries=8)
def _weight_maps(key: str, lang: str, _classifier: SoftmaxClassifier) -> str:
    """The ten weight maps as HTML, once per model (`key` = its fingerprint) and language; their
    frame follows the page's prediction."""
    t = Messages(lang)
    maps = explain.weight_maps(_classifier)
    return figures.maps(
        maps,
        [str(k) for k in range(10)],
        explain.weight_scale(maps),
        label=t("draw.weights.figure"),
        legend=t("draw.weights.legend"),
        digits=range(10),
        follow_prediction=True,
        t=t,
    )


def _weights(classifier: SoftmaxClassifier, t: Messages) -> None:
    st.subheader(t("draw.weights.title"))
    st.caption(t("draw.weights.caption"))
    st.html(_weight_maps(classifier.fingerprint, t.lang, classifier))
