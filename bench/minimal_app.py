"""The floor bench/stroke_cost.py measures the drawing page against: the least a page can do.

The same canvas, the same MNIST-style numpy centring and the same model as the drawing page,
then an `st.metric` and an `st.bar_chart`: what any Streamlit page that reads a drawn digit
pays per stroke. Clear hands the canvas a new, empty `initial_drawing`, which empties it in place:
a remount under a new key would ignore strokes until the new canvas listens.

    streamlit run bench/minimal_app.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st
import streamlit_drawable_canvas as canvas

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from softmax.model import SoftmaxClassifier, shipped_path
from softmax.preprocess import EmptyImageError, canvas_to_mnist


@st.cache_resource
def classifier() -> SoftmaxClassifier:
    return SoftmaxClassifier.load(shipped_path("drawn"))  # the drawing page's default model


def clear() -> None:
    st.session_state.cleared = st.session_state.get("cleared", 0) + 1


model = classifier()
drawing = canvas.st_canvas(
    stroke_width=20,
    stroke_color="#ffffff",
    background_color="#000000",
    height=280,
    width=280,
    return_image_data=True,
    initial_drawing={"objects": [], "cleared": st.session_state.get("cleared", 0)},
    key="canvas",
)
st.button("Clear", on_click=clear)
try:
    x = (
        None
        if drawing.image_data is None
        else canvas_to_mnist(drawing.image_data, deskew=model.deskew)
    )
except EmptyImageError:
    x = None
if x is not None:
    prediction = model.predict(x)
    st.metric("Prediction", str(prediction.digit), delta=f"{prediction.confidence:.0%} sure")
    st.bar_chart(prediction.probabilities)
