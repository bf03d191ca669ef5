"""The "Get MNIST (11 MB)" button, for every page that needs MNIST and finds none.

It downloads Keras' mnist.npz into Keras' cache (`softmax.fetch`: Keras' origin and sha256,
`KERAS_HOME`), drawing a progress bar, then reruns the page: `state.mnist()` finds the new file
at once, in every session, with no restart. A failure (offline, a proxy, a wrong hash) is an
`st.error` with the manual steps, and the cache is left as it was. Not offered when
`SOFTMAX_MNIST` names a file: that is the server's choice, and a download would not change it.
"""

from __future__ import annotations

import os

import streamlit as st

from softmax.data import ENV_VAR
from softmax.fetch import SIZE_MB, FetchError, expected_hash, fetch_mnist, origin
from softmax.i18n import Messages
from softmax.ui.language import messages
from softmax.ui.markdown import literal

FETCHED = ":fetched"  # + the button's key: set for the run right after a successful download


def offer_mnist(key: str) -> None:
    """Draw the download button (keyed `key`); on a press, download with a progress bar."""
    if os.environ.get(ENV_VAR):
        return
    t = messages()
    label = t("mnist_download.button", size=t.number(SIZE_MB))
    if not st.button(label, key=key, icon=":material/download:", type="primary"):
        return
    bar = st.progress(0.0, text=t("mnist_download.starting"))
    shown = [-1]  # the last whole percent drawn: 11 MB come in ~180 chunks

    def on_progress(done: int, total: int | None) -> None:
        percent = min(100, int(100 * done / total)) if total else 0
        if percent != shown[0] or not total:
            shown[0] = percent
            got = t.number(done / 1e6, 1)
            if total:
                text = t("mnist_download.progress", done=got, total=t.number(total / 1e6, 1))
            else:
                text = t("mnist_download.progress_unknown", done=got)
            bar.progress(percent, text=text)

    try:
        fetch_mnist(on_progress=on_progress)
    except FetchError as error:
        bar.empty()
        st.error(failure(error, t), icon=":material/cloud_off:")
        return
    st.session_state[key + FETCHED] = True
    st.rerun()


def just_fetched(key: str) -> bool:
    """True once, in the run after the button keyed `key` downloaded MNIST (to switch to it)."""
    return bool(st.session_state.pop(key + FETCHED, False))


def failure(error: FetchError, t: Messages) -> str:
    """Why the download failed and how to get MNIST by hand, in `t`'s language; what the
    server or the network said stays as code."""
    details = {name: literal(value) for name, value in error.details.items()}
    manual = t(
        "mnist_download.manual",
        url=literal(origin()),
        sha256=literal(expected_hash()),
        target=literal(error.target),
    )
    return t(
        "mnist_download.failed",
        reason=t(f"mnist_download.why.{error.kind}", **details),
        manual=manual,
    )
