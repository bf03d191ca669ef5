"""Upload a photo of a handwritten digit and see it read exactly like a drawing.

The file is decoded defensively (`preprocess.read_image`: only the formats people upload, a size,
pixel and memory cap, EXIF rotation), brought into MNIST's form (`preprocess.image_to_mnist`: a
clean digital drawing read exactly as the canvas; a photo inverted if dark on light, uneven light
removed; then cropped, fitted into 20×20, centred) and explained with the drawing page's own
displays. The file's name is the visitor's text: it is shown verbatim, never as Markdown.
"""

from __future__ import annotations

import streamlit as st

from softmax import charts
from softmax.preprocess import (
    MAX_BYTES,
    UPLOAD_EXTENSIONS,
    EmptyImageError,
    ImageError,
    image_to_mnist,
    looks_drawn,
    read_image,
)
from softmax.ui import state, why_not
from softmax.ui.markdown import literal
from softmax.ui.reading import explain_input

UPLOAD_KEY = "upload_file"
NAIVE_KEY = "upload_naive"


def render() -> None:
    """The page."""
    st.title("Upload a photo of a digit")
    st.caption(
        "Write one digit on paper with a thick felt pen, photograph it, and upload the photo, "
        "or upload a drawing from a drawing app. A photo is cleaned the way MNIST's scans were, "
        "a drawing read exactly like the canvas; then the model chosen in the sidebar reads it."
    )
    uploaded = st.file_uploader(
        "A photo or drawing of one handwritten digit (PNG, JPEG, WebP, GIF or BMP)",
        type=list(UPLOAD_EXTENSIONS),
        key=UPLOAD_KEY,
        max_upload_size=MAX_BYTES // 2**20,
    )
    if uploaded is None:
        st.info("No picture yet: drop one above, or press Browse files.", icon=":material/upload:")
        return
    show_upload(uploaded.getvalue(), uploaded.name)


def show_upload(data: bytes, name: str) -> None:
    """Decode, clean and explain one uploaded file; a bad file gets an st.error, not a traceback."""
    classifier = state.current_classifier()
    naive = st.session_state.get(NAIVE_KEY, False)  # the toggle itself sits under the result
    try:
        image = read_image(data)
        x = image_to_mnist(
            image,
            mode="naive" if naive else "mnist",
            deskew=classifier is not None and classifier.deskew,
        )
    except EmptyImageError:
        st.warning(
            f"No digit found in {literal(name)}: nothing stands out from the background. Try a "
            "darker pen, more light, or a closer crop."
        )
        return
    except ImageError as error:
        st.error(f"Could not use {literal(name)}: {error}. Upload a photo or drawing of a digit.")
        return
    photo, sees = st.columns(2, gap="large")
    with photo:
        st.subheader("Your picture")
        st.image(image.convert("RGB"), caption=literal(name), width=280)
    with sees:
        st.subheader("What the model sees")
        st.altair_chart(charts.pixel_grid(x, size=252), width="content", key="upload_input")
        st.toggle(
            "Naive downsampling", key=NAIVE_KEY, help="Off: MNIST-style. On: just shrink the photo."
        )
        if naive:
            st.caption("Naive: the whole photo shrunk to 28×28, ink wherever it was.")
        elif looks_drawn(image):
            st.caption(
                "A clean digital drawing, read exactly like the canvas: white ink on black, "
                "cropped, fitted into 20×20 and centred in 28×28, like every MNIST digit."
            )
        else:
            st.caption(
                "A photo: inverted to white ink on black, uneven light and noise removed, "
                "cropped, fitted into 20×20 and centred in 28×28, like every MNIST digit."
            )
    if classifier is None:
        return
    if classifier.n_inputs != x.size:
        st.error("The model chosen in the sidebar reads 8×8 images: pick a 28×28 one.")
        return
    st.divider()
    reading = explain_input(x, classifier)
    why_not.panel(reading, classifier, "upload", expanded=True)
