"""The session's language: `?lang=ko` / `?lang=en` in the URL, else the browser's, kept for the
session; a switch in the sidebar changes it (and the URL, so a shared link keeps it).

Views call `messages()` for the session's `softmax.i18n.Messages` and never read the choice
themselves, so switching language reruns the page with every widget's state (the drawing, the
model choice) intact: widget keys never depend on the language.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from softmax.i18n import LANGUAGES, Messages, negotiate

LANG_KEY = "language"
QUERY = "lang"


def messages() -> Messages:
    """The session's messages: a valid `?lang=` wins, else the session's choice, else the
    browser's language on the session's first run."""
    asked = st.query_params.get(QUERY)
    if asked in LANGUAGES and st.session_state.get(LANG_KEY) != asked:
        st.session_state[LANG_KEY] = asked
    elif st.session_state.get(LANG_KEY) not in LANGUAGES:
        st.session_state[LANG_KEY] = negotiate(st.context.locale)
    return Messages(st.session_state[LANG_KEY])


def language_switch() -> None:
    """The sidebar's language picker, each language named in itself."""
    t = messages()
    st.sidebar.segmented_control(
        t("app.language"),
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=LANG_KEY,
        on_change=_follow_in_url,
    )


def _follow_in_url() -> None:
    chosen = st.session_state.get(LANG_KEY)
    if chosen is None:  # a segmented control can be emptied by clicking the chosen option
        st.session_state[LANG_KEY] = negotiate(st.query_params.get(QUERY))
        chosen = st.session_state[LANG_KEY]
    st.query_params[QUERY] = chosen


def restate(key: str, relabel: Mapping[str, str] | None = None) -> None:
    """Call just before drawing the keyed widget `key`: hand its value back, so that what was
    chosen stays chosen, and shown in this run's words, across a language switch.

    Streamlit tells expanders and tabs apart by their label as well as their key, so a switch
    makes them new widgets, closed, on their first tab; and a selectbox whose option's words
    change (a suggestion in another language) keeps showing the old words until it is told its
    value again. Setting the key's value (through `relabel`, which maps a tab's label in any
    language to its label now) does both; in a run without a switch nothing changes.
    """
    if key in st.session_state:
        value = st.session_state[key]
        st.session_state[key] = relabel.get(value, value) if relabel else value
