"""The drawing page: draw a digit, watch the softmax read it, and see why.

What a stroke changes (prediction, what the model sees, the explanation) sits with the canvas in
one `st.fragment`, so a stroke reruns only that: no model loading, no page chrome. Its figures
are small HTML (softmax.figures), a few KB a stroke. The ten weight maps never change with a
stroke: they are drawn once per model, outside the fragment, and the frame around the predicted
digit's map follows the answer by CSS alone. On a phone the canvas fills the width and the answer
sits right under it (softmax/ui/canvas.py, app.py's stylesheet).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from softmax import explain, figures, preprocess
from softmax.model import SoftmaxClassifier
from softmax.preprocess import EmptyImageError, Stage
from softmax.ui import canvas, lab, lesson_snapshot, preprocessing, presenter, state, weight_edit
from softmax.ui.reading import Reading, answer, shielded, why

CANVAS = "draw"  # the canvas' name: keys canvas-draw, drawing-draw, clear-draw, pen-draw
NAIVE_KEY = preprocessing.NAIVE_KEY


def render() -> None:
    """The page: title, the live studio fragment, then the model's weights."""
    canvas.page_script()
    st.title("Draw a digit")
    with st.container(key="intro"):  # hidden on a phone, where the canvas needs the room
        st.caption(
            "A softmax classifier has one weight per pixel per digit (7,850 numbers in all). "
            "Draw, and watch how those weights turn your ink into a guess."
        )
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
        with shielded("the weight maps"):
            _weights(classifier)
        return
    maps = st.expander("Inside the model: ten weight maps", key="maps-folded", on_change="rerun")
    if maps.open:  # folded away for a projector, and built only when opened
        with maps, shielded("the weight maps"):
            _weights(classifier)


@st.fragment
def studio(trained: SoftmaxClassifier | None) -> None:
    """Canvas and answer side by side (stacked on a phone), then what the model sees and why,
    then the lab's panels. The page reads with the session's edited copy of the model, if any."""
    classifier = weight_edit.edited(trained)
    left, right = st.columns([3, 5], gap="large")
    with left:
        st.subheader("Your drawing")
        image = canvas.drawing_canvas(CANVAS)
    reading, steps = _read(image, classifier)
    quiz = presenter.is_on()
    with right, shielded("the prediction"):
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
    with sees, shielded("what the model sees"):
        _what_the_model_sees(reading, classifier)
    with reasons, shielded("the explanation"):
        if shown:
            why(reading, classifier)
        else:
            st.subheader("Why this prediction")
            st.caption("The reasons show with the answer, after Reveal.")
    if not quiz:  # the advanced panels: folded away for a projector
        lab.panel(reading, classifier, trained, steps, CANVAS)


def _read(
    image: np.ndarray | None, classifier: SoftmaxClassifier | None
) -> tuple[Reading | None, list[Stage] | None]:
    """Preprocess (every step, under the session's choice) and classify: the reading, None when
    there is no ink (or the image was unusable), and the steps. Until the first ink, an input
    from a lesson link stands in for the drawing (and has no steps)."""
    steps, drawing = _steps(image, classifier)
    if steps is None:
        source = lesson_snapshot.linked_input()
        if source is None:
            lesson_snapshot.remember(None)
            return None, None
        st.info(
            "From a lesson link: the model reads the drawing the link holds (see what the model "
            "sees, below). Draw on the canvas to start a new one.",
            icon=":material/link:",
        )
        deskew = preprocessing.choice(classifier)["deskew"]
        x = preprocess.deskew(source) if deskew else source
    else:
        source, x = steps[-2].image, steps[-1].image  # before and after the deskew step
    lesson_snapshot.remember(None)
    if classifier is None:
        return Reading(x, None, None), steps
    try:
        reading = Reading.of(x, classifier)
    except Exception as error:  # e.g. ValueError: a model made for 8×8 digits
        st.error(f"This model cannot read the drawing: {error}. Pick another in the sidebar.")
        return Reading(x, None, None), steps
    pair = (st.session_state.get(f"why-a-{CANVAS}"), st.session_state.get(f"why-b-{CANVAS}"))
    lesson_snapshot.remember(lesson_snapshot.Latest(source, x, drawing, classifier, pair))
    return reading, steps


def _steps(
    image: np.ndarray | None, classifier: SoftmaxClassifier | None
) -> tuple[list[Stage] | None, np.ndarray | None]:
    """(every preprocessing step, the drawing) for a canvas with ink; (None, None) without.
    The first ink replaces a lesson link's drawing."""
    if image is None:
        return None, None
    try:
        steps = preprocessing.stages(image, classifier)
    except EmptyImageError:
        return None, None
    except Exception as error:  # ImageError for odd canvas data, or anything unforeseen
        st.error(f"Could not read the drawing: {error}. Press Clear and draw again.")
        return None, None
    if lesson_snapshot.linked_input() is not None:
        lesson_snapshot.drop_link()
    return steps, image


def _what_the_model_sees(reading: Reading | None, classifier: SoftmaxClassifier | None) -> None:
    st.subheader("What the model sees")
    x = np.zeros((28, 28), np.float32) if reading is None else reading.x
    st.html(figures.pixels(x, "What the model sees: the 28×28 input"))
    st.toggle(
        "Naive downsampling",
        key=NAIVE_KEY,
        help="Off: MNIST-style. On: just shrink the canvas. Every preprocessing step, below, "
        "switches one step at a time.",
        on_change=preprocessing.naive_changed,
    )
    steps = preprocessing.choice(classifier)
    if st.session_state.get(NAIVE_KEY):
        notes = ["Naive: the whole canvas shrunk to 28×28, ink wherever you put it."]
    elif all(steps[step] for step in preprocessing.SWITCHED):
        notes = [
            "MNIST-style: the ink is cropped, fitted into 20×20 and centred by its centre of mass "
            "in 28×28, the way the training digits were made."
        ]
    else:
        off = [preprocessing.LABELS[s][0].lower() for s in preprocessing.SWITCHED if not steps[s]]
        notes = [f"Switched off below: {', '.join(off)}."]
    if steps["deskew"]:
        trained = classifier is not None and classifier.deskew
        notes.append(
            "Slanted digits are straightened first (deskew)"
            + (", as in this model's training." if trained else ".")
        )
    st.caption("\n\n".join(notes))  # one element: each costs a stroke its own bytes


@st.cache_data(show_spinner=False, max_entries=8)
def _weight_maps(key: str, _classifier: SoftmaxClassifier) -> str:
    """The ten weight maps as HTML, once per model (`key` = its fingerprint); their frame
    follows the page's prediction."""
    maps = explain.weight_maps(_classifier)
    return figures.maps(
        maps,
        [str(k) for k in range(10)],
        explain.weight_scale(maps),
        label="The ten weight maps, digits 0 to 9",
        legend="weight",
        digits=range(10),
        follow_prediction=True,
    )


def _weights(classifier: SoftmaxClassifier) -> None:
    st.subheader("Inside the model: ten weight maps")
    st.caption(
        "Each map is one digit's 784 weights: blue pixels vote for that digit, red against. "
        "A digit's score is the sum of the weights under your ink, plus a bias. The framed map "
        "is the predicted digit's."
    )
    st.html(_weight_maps(classifier.fingerprint, classifier))
