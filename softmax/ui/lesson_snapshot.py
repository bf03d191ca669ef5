"""A lesson snapshot: the moment as one PNG for a slide, and a link that brings the drawing back.

The drawing page remembers its latest input (`remember`: references only, nothing sent). The
"Lesson snapshot" button sits outside the page's stroke fragment, so it adds nothing to a stroke;
pressed, it opens a dialog that builds, then and only then, the 1600×900 picture
(softmax.snapshot: the drawing, what the model sees, the probabilities, why A and not B, titled
and dated) to preview and download, and the link: the page's address with the 28×28 input in its
query (`?input=…`, softmax.snapshot.to_query). Opening that link shows the drawing it holds until
a new one is drawn (`linked_input`); a link that was cut or changed gets the reason in words,
never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import numpy as np
import streamlit as st

from softmax import snapshot
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier
from softmax.ui.language import messages
from softmax.ui.reading import shielded

LATEST_KEY = "lab-latest"  # the page's latest input, for the snapshot
LINKED_KEY = "lab-linked-input"  # the input a lesson link in the address holds, until drawn over
TITLE_KEY = "snapshot-title"


@dataclass(frozen=True)
class Latest:
    """What a snapshot of the page right now shows."""

    source: np.ndarray  # (28, 28) the input before the model's own deskew: what a link holds
    x: np.ndarray  # (28, 28) what the model sees
    drawing: np.ndarray | None  # the canvas, or None for an input that came from a link
    classifier: SoftmaxClassifier
    pair: tuple[int | None, int | None]  # why A and not B: None is the top two's


def remember(latest: Latest | None) -> None:
    """Keep the page's latest input (None: nothing drawn) for a snapshot; costs no bytes."""
    st.session_state[LATEST_KEY] = latest


def read_link() -> None:
    """Read the lesson link in the address, if any, for `linked_input`; a link that cannot be
    read shows why (st.error) and holds nothing. Once per full run, outside fragments."""
    try:
        st.session_state[LINKED_KEY] = snapshot.from_query(st.query_params)
    except snapshot.LinkError as error:
        st.session_state[LINKED_KEY] = None
        t = messages()
        reason = t("snapshot.link_unreadable", reason=error.in_words(t))
        st.error(reason, icon=":material/link_off:")


def linked_input() -> np.ndarray | None:
    """The (28, 28) input the address' lesson link holds; None when there is none."""
    return st.session_state.get(LINKED_KEY)


def drop_link() -> None:
    """Forget the link's input and take it out of the address: a new drawing replaced it."""
    st.session_state[LINKED_KEY] = None
    if snapshot.QUERY_KEY in st.query_params:
        del st.query_params[snapshot.QUERY_KEY]


def button(page: str) -> None:
    """The "Lesson snapshot" button; pressed, the dialog (keys `snapshot-<page>`), titled in the
    session's language (so the dialog is made per call, not once per module)."""
    t = messages()
    if st.button(t("snapshot.button"), key=f"snapshot-{page}", icon=":material/photo_camera:"):
        st.dialog(t("snapshot.dialog"), width="large")(_dialog)(t)


def _dialog(t: Messages) -> None:
    latest = st.session_state.get(LATEST_KEY)
    if latest is None or latest.classifier is None:
        st.info(t("snapshot.draw_first"))
        return
    with shielded(t("snapshot.section")):
        digit = int(latest.classifier.predict(latest.x).digit)
        default = t("snapshot.default_title", digit=digit)
        title = st.text_input(t("snapshot.title_label"), default, key=TITLE_KEY, max_chars=80)
        picture = png(latest, title, t=t)
        st.image(picture, caption=t("snapshot.preview"), width="stretch")
        st.download_button(
            t("snapshot.download"),
            picture,
            file_name=file_name(title),
            mime="image/png",
            icon=":material/download:",
            on_click="ignore",
            type="primary",
        )
        st.markdown(t("snapshot.link"))
        st.code(link(latest.source), language=None, wrap_lines=True)


def png(latest: Latest, title: str, *, t: Messages = snapshot.ENGLISH) -> bytes:
    """The snapshot as PNG bytes: the page's drawing, why A and not B, titled and dated, its
    words in `t`'s language."""
    a, b = latest.pair
    if a is not None and a == b:
        a = b = None
    moment = snapshot.Moment.of(
        latest.classifier,
        latest.x,
        title or t("snapshot.dialog"),
        a,
        b,
        drawing=latest.drawing,
        t=t,
    )
    return snapshot.render_png(moment, t)


def link(source: np.ndarray) -> str:
    """The address of this page with `source` in its query: opening it restores the input."""
    here = st.context.url
    base = here if isinstance(here, str) and here.startswith("http") else "/draw"
    return f"{base}?{urlencode(snapshot.to_query(source))}"


def file_name(title: str) -> str:
    """e.g. "a-drawn-7-2026-11-26-0142.png": the title in safe characters, and when."""
    slug = re.sub(r"[^\w]+", "-", title.lower(), flags=re.ASCII).strip("-")[:40] or "snapshot"
    return f"{slug}-{datetime.now():%Y-%m-%d-%H%M}.png"
