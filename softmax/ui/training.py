"""The server's one training slot, shared by every page that trains (Train, the Classroom's
"Teach the model"), and who asked for a run: two fits at once would halve each other's speed on
a small machine (softmax/training_jobs.py).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from softmax.training_jobs import TrainingSlot


@st.cache_resource
def training_slot() -> TrainingSlot:
    """The server's one training slot: `st.cache_resource` hands every session the same object."""
    return TrainingSlot()


def session_id() -> str:
    context = get_script_run_ctx()
    return context.session_id if context is not None else "no-session"


def connected(session: str) -> Callable[[], bool]:
    """Whether a browser session is still connected, for the slot's guard thread.

    Asked of Streamlit's runtime (`is_active_session`, safe from any thread), not of a heartbeat
    the page would send while it polls: a browser throttles the timers of a hidden tab, so a
    teacher who switches to the slides would look gone, while the session's websocket stays
    open. A closed tab ends the websocket; the guard then waits ORPHAN_SECONDS for a reconnect
    before it stops the run. Without a runtime (AppTest, scripts) nobody can tell: connected.
    """

    def alive() -> bool:
        return not Runtime.exists() or Runtime.instance().is_active_session(session)

    return alive
