"""The drawing page: draw a digit, watch the softmax read it, and see why.

Everything a stroke changes (canvas, prediction, what the model sees, the explanation, the
highlighted weight map) sits in one `st.fragment`, so a stroke reruns only that: no model loading,
no page chrome. The canvas is looked up on the module at call time (`canvas.st_canvas`), which is
what lets tests replace it. `softmax.charts` (altair and pandas, ≈0.5 s to import) is imported
inside the functions that draw charts, so on a cold start the canvas reaches the browser, and
loads its JavaScript, while they import.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
import streamlit_drawable_canvas as canvas

from softmax import explain
from softmax.model import SoftmaxClassifier
from softmax.preprocess import EmptyImageError, canvas_to_mnist
from softmax.ui import state
from softmax.ui.reading import Reading, answer, shielded, why

CANVAS_SIZE = 280  # px: 10 canvas pixels per MNIST pixel
PEN_WIDTH = 20  # px at 280: MNIST strokes are ~2 px wide at 28
GENERATION_KEY = "canvas_generation"  # bumped by Clear: a new canvas key remounts it empty
NAIVE_KEY = "naive_preprocessing"
PEN_KEY = "pen_width"

# The answer, readable from the back of the room: larger than the theme's other metrics.
STYLE = """<style>
.st-key-prediction [data-testid=stMetricValue] { font-size: 5rem; }
.st-key-prediction [data-testid=stMetricLabel] p { font-size: 1.3rem; font-weight: 600; }
.st-key-prediction [data-testid=stMetricDelta] { font-size: 1.3rem; }
</style>"""


def render() -> None:
    """The page: title, then the live studio fragment."""
    st.html(STYLE)
    st.title("Draw a digit")
    st.caption(
        "A softmax classifier has one weight per pixel per digit (7,850 numbers in all). "
        "Draw, and watch how those weights turn your ink into a guess."
    )
    studio(state.current_classifier())


@st.fragment
def studio(classifier: SoftmaxClassifier | None) -> None:
    """Canvas and answer side by side, then what the model sees, why, and its weights."""
    left, right = st.columns([3, 5], gap="large")
    with left:
        image = _canvas()
    reading = _read(image, classifier)
    with right, st.container(key="prediction"), shielded("the prediction"):
        answer(reading, classifier is not None)
    with left:  # below the canvas, but sent after the answer: a stroke's prediction comes first
        _pen_and_clear()
    st.divider()
    sees, reasons = st.columns([1, 2], gap="large")
    with sees, shielded("what the model sees"):
        _what_the_model_sees(reading, classifier)
    with reasons, shielded("the explanation"):
        why(reading, classifier)
    if classifier is not None:
        st.divider()
        prediction = None if reading is None else reading.prediction
        with shielded("the weight maps"):
            _weights(classifier, None if prediction is None else prediction.digit)


def _canvas() -> np.ndarray | None:
    """The drawing canvas; returns its RGBA image, or None before the first stroke."""
    st.subheader("Your drawing")
    st.space(28)  # room for the canvas toolbar (undo, redo, reset), which floats above it
    generation = st.session_state.setdefault(GENERATION_KEY, 0)
    result = canvas.st_canvas(
        stroke_width=st.session_state.get(PEN_KEY, PEN_WIDTH),
        stroke_color="#ffffff",
        background_color="#000000",
        update_streamlit=True,
        height=CANVAS_SIZE,
        width=CANVAS_SIZE,
        drawing_mode="freedraw",
        return_image_data=True,
        key=f"canvas-{generation}",
    )
    try:
        return result.image_data
    except Exception as error:  # a canvas message that is not a readable PNG
        st.error(f"Could not read the canvas ({error}). Press Clear and draw again.")
        return None


def _pen_and_clear() -> None:
    pen, clear = st.columns([3, 2], vertical_alignment="bottom")
    pen.slider(
        "Pen width",
        8,
        40,
        PEN_WIDTH,
        step=2,
        key=PEN_KEY,
        help="In canvas pixels; 20 ≈ MNIST's stroke.",
    )
    clear.button("Clear", key="clear", on_click=_clear, icon=":material/delete:", width="stretch")


def _clear() -> None:
    st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1


def _read(image: np.ndarray | None, classifier: SoftmaxClassifier | None) -> Reading | None:
    """Preprocess and classify; None when there is no ink (or the image was unusable)."""
    if image is None:
        return None
    naive = st.session_state.get(NAIVE_KEY, False)
    deskew = classifier is not None and classifier.deskew
    try:
        x = canvas_to_mnist(image, mode="naive" if naive else "mnist", deskew=deskew)
    except EmptyImageError:
        return None
    except Exception as error:  # ImageError for odd canvas data, or anything unforeseen
        st.error(f"Could not read the drawing: {error}. Press Clear and draw again.")
        return None
    if classifier is None:
        return Reading(x, None, None)
    try:
        return Reading.of(x, classifier)
    except Exception as error:  # e.g. ValueError: a model made for 8×8 digits
        st.error(f"This model cannot read the drawing: {error}. Pick another in the sidebar.")
        return Reading(x, None, None)


def _what_the_model_sees(reading: Reading | None, classifier: SoftmaxClassifier | None) -> None:
    from softmax import charts  # after the canvas is sent: see the module docstring

    st.subheader("What the model sees")
    x = np.zeros((28, 28), np.float32) if reading is None else reading.x
    st.altair_chart(
        charts.pixel_grid(x, size=224),
        width="content",
        key="model_input",
        alt="What the model sees: the 28×28 input",
    )
    st.toggle(
        "Naive downsampling",
        key=NAIVE_KEY,
        help="Off: MNIST-style. On: just shrink the canvas.",
    )
    if st.session_state.get(NAIVE_KEY):
        st.caption("Naive: the whole canvas shrunk to 28×28, ink wherever you put it.")
    else:
        st.caption(
            "MNIST-style: the ink is cropped, fitted into 20×20 and centred by its centre of mass "
            "in 28×28, the way the training digits were made."
        )
    if classifier is not None and classifier.deskew:
        st.caption("This model also straightens slanted digits first (deskew), as in its training.")


@st.cache_data(show_spinner=False, max_entries=8)
def _weight_maps(key: str, _classifier: SoftmaxClassifier) -> tuple[np.ndarray, float]:
    """(10, 28, 28) maps and their shared colour limit, once per model (`key` = its fingerprint)."""
    maps = explain.weight_maps(_classifier)
    return maps, explain.weight_scale(maps)


def _weights(classifier: SoftmaxClassifier, predicted: int | None) -> None:
    from softmax import charts  # after the canvas is sent: see the module docstring

    st.subheader("Inside the model: ten weight maps")
    st.caption(
        "Each map is one digit's 784 weights: blue pixels vote for that digit, red against. "
        "A digit's score is the sum of the weights under your ink, plus a bias."
    )
    maps, limit = _weight_maps(classifier.fingerprint, classifier)
    st.altair_chart(
        charts.diverging_maps(
            maps,
            [str(k) for k in range(10)],
            limit,
            highlight=predicted,
            size=140,
            legend_orient="bottom",
        ),
        width="content",
        key="weights",
        alt="The ten weight maps, digits 0 to 9",
    )
