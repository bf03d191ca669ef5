"""Presenter mode: the drawing page as a quiz for a projector. Predict, then reveal.

With the switch on, the answer, the probabilities and the explanation stay hidden behind a big
"?" until "Reveal" (Enter), so the class guesses first; "Next drawing" (N) empties the canvas and
hides the answer again, as does emptying the canvas with Clear. The type grows for the back of the
room (studio.css, keyed on the `presenter-on` marker) and the advanced panels fold away.

Off, it adds nothing to the page's stroke fragment: the switch and its marker live outside it.
"""

from __future__ import annotations

from html import escape

import streamlit as st

from softmax.ui import canvas, lesson_snapshot
from softmax.ui.language import messages
from softmax.ui.reading import Reading

KEY = "presenter"
REVEALED_KEY = "presenter-revealed"
REVEAL_KEY, NEXT_KEY = "presenter-reveal", "presenter-next"


def switch() -> None:
    """The switch (outside the stroke fragment) and, when on, the marker the stylesheet reads."""
    t = messages()
    st.toggle(t("presenter.switch"), key=KEY, help=t("presenter.switch_help"))
    if is_on():
        st.container(key="presenter-on")


def is_on() -> bool:
    return bool(st.session_state.get(KEY))


def revealed(reading: Reading | None) -> bool:
    """In presenter mode, whether the answer may show; before Reveal it draws a "?" in the
    answer's place. An empty canvas hides the answer again."""
    if reading is None or reading.prediction is None:
        st.session_state[REVEALED_KEY] = False
    shown = bool(st.session_state.get(REVEALED_KEY))
    if not shown:
        t = messages()
        hidden = escape(t("presenter.hidden"))
        st.html(f'<div class="sm-guess" role="img" aria-label="{hidden}">?</div>')
        st.markdown(t("presenter.guess"))
    return shown


def buttons(reading: Reading | None, page: str, shown: bool) -> None:
    """Reveal (until it is pressed) and Next drawing, with their keys, Enter and N."""
    t = messages()
    with st.container(horizontal=True):
        if not shown:
            st.button(
                t("presenter.reveal"), key=REVEAL_KEY, on_click=_reveal, type="primary", shortcut="Enter",
                icon=":material/visibility:", disabled=reading is None or reading.prediction is None,
            )  # fmt: skip
        st.button(
            t("presenter.next"), key=NEXT_KEY, on_click=_next, args=(page,), shortcut="N",
            icon=":material/skip_next:",
        )  # fmt: skip
    return shown


def _reveal() -> None:
    st.session_state[REVEALED_KEY] = True


def _next(page: str) -> None:
    """Empty the canvas (and any lesson link's drawing) and hide the answer."""
    canvas.clear(page)
    lesson_snapshot.drop_link()
    st.session_state[REVEALED_KEY] = False
