"""The server's one training slot, shared by every page that trains (Train, the Classroom's
"Teach the model"), who asked for a run, and `start`, the one way those pages start one: under
the slot and the store's training lease, so one run goes at a time across every replica
(softmax/training_lease.py). Two fits at once would halve each other's speed on a small machine
(softmax/training_jobs.py).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from softmax import training_lease
from softmax.recipes import Recipe
from softmax.store import StoreUnavailable
from softmax.training_jobs import TrainingJob, TrainingSlot
from softmax.training_lease import TrainingRefused
from softmax.ui import lesson
from softmax.ui.teacher import is_teacher

DATASET_NAMES = {"mnist": "MNIST", "digits": "the 8×8 digits"}  # in another replica's refusal


@st.cache_resource
def training_slot() -> TrainingSlot:
    """The server's one training slot: `st.cache_resource` hands every session the same object."""
    return TrainingSlot()


def start(
    recipe: Recipe,
    dataset: str,
    holder: str | None = None,
    on_end: Callable[[], None] | None = None,
    **options: Any,
) -> TrainingJob:
    """Start a run for this browser session; TrainingRefused with the sentence to show when
    this server's slot is busy, another replica holds the lease, or the database is down.

    `holder` says what runs (by default "Training “default” on MNIST"); `on_end` and `options` as
    `training_lease.start`. A bad SOFTMAX_TRAINING_MAX_SECONDS or SOFTMAX_DATABASE_URL is
    refused too, naming it.
    """
    owner = session_id()
    holder = holder or f"Training “{recipe.name}” on {DATASET_NAMES.get(dataset, dataset)}"
    try:
        slot, store = training_slot(), lesson.store()
    except (StoreUnavailable, ValueError) as error:  # the database down; a bad setting
        if on_end is not None:
            on_end()
        if isinstance(error, StoreUnavailable):
            raise TrainingRefused(training_lease.unavailable(error)) from error
        raise TrainingRefused(f"Training cannot start: {error}.") from error
    return training_lease.start(
        slot, store, recipe, dataset, owner, holder=holder, started_by=started_by(),
        owner_alive=connected(owner), on_end=on_end, **options,
    )  # fmt: skip


def started_by() -> str:
    """Who starts a run, and on which server: what another replica's refusal names."""
    who = "the teacher" if is_teacher() else "a visitor"
    return f"{who} on server {socket.gethostname()}:{st.get_option('server.port') or 8501}"


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
