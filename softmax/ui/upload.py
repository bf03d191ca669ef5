"""Upload a photo of a handwritten digit and see it read exactly like a drawing.

The file is decoded defensively (`preprocess.read_image`: only the formats people upload, a size,
pixel and memory cap, EXIF rotation), brought into MNIST's form (`preprocess.image_to_mnist`: a
clean digital drawing read exactly as the canvas; a photo inverted if dark on light, uneven light
removed; then cropped, fitted into 20×20, centred) and explained with the drawing page's own
displays. The file's name is the visitor's text: it is shown verbatim, never as Markdown. Words
come from the `upload` catalogue; why a file cannot be used, from its ImageError's reason.
"""

from __future__ import annotations

import streamlit as st

from softmax import charts
from softmax.i18n import Messages
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
from softmax.ui.language import messages
from softmax.ui.markdown import literal
from softmax.ui.reading import explain_input

UPLOAD_KEY = "upload_file"
NAIVE_KEY = "upload_naive"


def render() -> None:
    """The page."""
    t = messages()
    st.title(t("upload.title"))
    st.caption(t("upload.intro"))
    uploaded = st.file_uploader(
        t("upload.uploader"),
        type=list(UPLOAD_EXTENSIONS),
        key=UPLOAD_KEY,
        max_upload_size=MAX_BYTES // 2**20,
    )
    if uploaded is None:
        st.info(t("upload.waiting"), icon=":material/upload:")
        return
    show_upload(uploaded.getvalue(), uploaded.name)


def show_upload(data: bytes, name: str) -> None:
    """Decode, clean and explain one uploaded file; a bad file gets an st.error, not a traceback."""
    t = messages()
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
        st.warning(t("upload.no_digit", name=literal(name)))
        return
    except ImageError as error:
        st.error(t("upload.unusable", name=literal(name), reason=_reason(error, t)))
        return
    photo, sees = st.columns(2, gap="large")
    with photo:
        st.subheader(t("upload.your_picture"))
        st.image(image.convert("RGB"), caption=literal(name), width=280)
    with sees:
        st.subheader(t("reading.sees"))
        st.altair_chart(charts.pixel_grid(x, size=252, t=t), width="content", key="upload_input")
        st.toggle(t("reading.naive"), key=NAIVE_KEY, help=t("upload.naive_help"))
        if naive:
            st.caption(t("upload.naive"))
        elif looks_drawn(image):
            st.caption(t("upload.drawn"))
        else:
            st.caption(t("upload.photo"))
    if classifier is None:
        return
    if classifier.n_inputs != x.size:
        st.error(t("upload.wrong_size", side=classifier.image_shape[0]))
        return
    st.divider()
    reading = explain_input(x, classifier)
    why_not.panel(reading, classifier, "upload", expanded=True)


def _reason(error: ImageError, t: Messages) -> str:
    """Why the file cannot be used, in the session's language (`upload.reasons.<reason>`)."""
    values = {k: t.number(v, 0) if isinstance(v, float) else v for k, v in error.values.items()}
    return t(f"upload.reasons.{error.reason}", **values)
