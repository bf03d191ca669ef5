"""The drawing canvas, its pen and its Clear: what every page that takes a drawn digit shows.

The canvas (streamlit-drawable-canvas) always has 280×280 canvas pixels, 10 per MNIST pixel. On
a phone the page's script zooms it to fill the column, so a stroke covers the same share of it
and the model gets the same 28×28 whatever the screen; the pen width is in canvas pixels for the
same reason (20 ≈ MNIST's strokes).

Clear empties the canvas in the browser at once, with the canvas' own reset, and the canvas then
sends its empty drawing as it sends a stroke. It never remounts, so a stroke begun right after
Clear is never lost (a canvas remounted under a new key ignores strokes until it listens). If the
script cannot find that reset, the click reaches the server, which empties the canvas in place
by handing it a new, empty `initial_drawing`: what `clear()` does for a page that empties the
canvas itself, e.g. after saving a labelled drawing.

On a phone (app.py's stylesheet, softmax/ui/studio.css) a row of columns that holds a canvas is
flattened and reordered: the canvas, then the answer (`reading.headline`, keyed `prediction`),
then the rest, so the answer shows with the canvas and Clear sits under the thumb.

Use: `page_script()` once per page, outside any fragment; then, in the fragment that reads the
drawing, `drawing_canvas(name)`, `clear_button(name)` and `pen_width(name)`. Keys derive from
`name` (`canvas-<name>`, `drawing-<name>`, `clear-<name>`, `pen-<name>`), which is how the script
pairs a Clear with its canvas. The canvas is looked up on its module at call time
(`drawable.st_canvas`), which lets tests replace it.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import numpy as np
import streamlit as st
import streamlit_drawable_canvas as drawable

from softmax.ui.language import messages

CANVAS_PX = 280  # canvas pixels a side: 10 per MNIST pixel
PEN_WIDTH = 20  # canvas pixels: MNIST strokes are ~2 px wide at 28
PEN_RANGE = (8, 40)
SCRIPT = Path(__file__).with_name("canvas.js")
LOG = logging.getLogger(__name__)


def page_script() -> None:
    """The canvas' script: zoom to a phone's width, Clear in the browser. Once per page, outside
    fragments (it is ≈2 KB, and a fragment would resend it with every stroke)."""
    st.html(f"<script>{SCRIPT.read_text()}</script>", unsafe_allow_javascript=True)


def drawing_canvas(name: str) -> np.ndarray | None:
    """The canvas, white ink on black; its (280, 280, 4) RGBA image, or None before the first
    stroke, after `clear()` until the canvas confirms, or when its message is unreadable (then
    with an st.error)."""
    cleared = st.session_state.get(_cleared(name), 0)
    with st.container(key=f"canvas-{name}"):
        result = drawable.st_canvas(
            stroke_width=st.session_state.get(f"pen-{name}", PEN_WIDTH),
            stroke_color="#ffffff",
            background_color="#000000",
            update_streamlit=True,
            height=CANVAS_PX,
            width=CANVAS_PX,
            drawing_mode="freedraw",
            initial_drawing={"objects": [], "cleared": cleared},
            return_image_data=True,
            key=f"drawing-{name}",
            on_change=functools.partial(_confirmed, name),
        )
    if st.session_state.get(_pending(name)):
        return None  # the drawing from before clear(): the canvas has not sent its empty one yet
    try:
        return result.image_data
    except Exception:  # a canvas message that is not a readable PNG
        LOG.warning("unreadable canvas message", exc_info=True)
        st.error(messages()("canvas.unreadable"))
        return None


def clear_button(name: str) -> None:
    """The Clear button: empties the canvas in the browser (see the module docstring)."""
    st.button(
        messages()("canvas.clear"), key=f"clear-{name}", on_click=clear, args=(name,), icon=":material/delete:",
        width="stretch",
    )  # fmt: skip


def pen_width(name: str) -> None:
    """The pen width slider, in canvas pixels (the canvas reads it on the next run)."""
    t = messages()
    st.slider(
        t("canvas.pen_width"), *PEN_RANGE, PEN_WIDTH, step=2, key=f"pen-{name}",
        help=t("canvas.pen_help", side=CANVAS_PX, mnist=PEN_WIDTH),
    )  # fmt: skip


def clear(name: str) -> None:
    """Empty the canvas `name` from the server, in place: a new empty initial drawing (no
    remount). Until the canvas sends its empty drawing, `drawing_canvas` returns None."""
    st.session_state[_cleared(name)] = st.session_state.get(_cleared(name), 0) + 1
    st.session_state[_pending(name)] = True


def _confirmed(name: str) -> None:
    """The canvas sent a drawing: anything from before a clear() has been replaced."""
    st.session_state[_pending(name)] = False


def _cleared(name: str) -> str:
    return f"canvas-{name}-cleared"


def _pending(name: str) -> str:
    return f"canvas-{name}-clear-pending"
