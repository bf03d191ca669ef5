"""The server's one training slot, shared by every page that trains (Train, the Classroom's
"Teach the model"), who asked for a run, and `start`, the one way those pages start one: under
the slot and the store's training lease, so one run goes at a time across every replica
(softmax/training_lease.py). Two fits at once would halve each other's speed on a small machine
(softmax/training_jobs.py).

What runs and who started it are kept in the store in English (`training.holder.*`,
`training.owner.*`, filled by `Messages("en")`), for every replica and the logs; `refusal` words
a refused start in the session's language, reading those records back through the same
templates (a record no template matches is shown as it is).
"""

from __future__ import annotations

import re
import socket
import string
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from softmax import training_lease
from softmax.classroom import utc_now
from softmax.i18n import Messages
from softmax.recipes import DATASETS, Recipe
from softmax.store import TRAINING_SLOT, LeaseInfo, StoreUnavailable
from softmax.training_jobs import TrainingJob, TrainingSlot
from softmax.training_lease import TrainingRefused
from softmax.ui import lesson, state
from softmax.ui.language import messages
from softmax.ui.markdown import literal
from softmax.ui.teacher import is_teacher

STOP_ASKED_KEY = "training_stop_asked"  # what "Stop that training" on another server did
RECORDS = Messages("en")  # the store's records of what runs and whose, read by every replica


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
    dataset_name = RECORDS(f"training.holder_dataset.{dataset}")
    holder = holder or RECORDS("training.holder.train", recipe=recipe.name, dataset=dataset_name)
    try:
        slot, store = training_slot(), lesson.store()
    except (StoreUnavailable, ValueError) as error:  # the database down; a bad setting
        if on_end is not None:
            on_end()
        if isinstance(error, StoreUnavailable):
            raise training_lease.unavailable(error) from error
        raise TrainingRefused(
            f"Training cannot start: {error}.", reason=str(error), setting=True
        ) from error
    return training_lease.start(
        slot, store, recipe, dataset, owner, holder=holder, started_by=started_by(),
        owner_alive=connected(owner), on_end=on_end, **options,
    )  # fmt: skip


def started_by() -> str:
    """Who starts a run, and on which server: what another replica's refusal names."""
    who = "teacher" if is_teacher() else "visitor"
    server = f"{socket.gethostname()}:{st.get_option('server.port') or 8501}"
    return RECORDS(f"training.owner.{who}", server=server)


def how_far(job: TrainingJob, t: Messages) -> str:
    """Where a running job is, in words: "epoch 12/100"."""
    progress = job.progress()
    return t("training.epoch_of", done=len(progress.epochs), total=progress.total)


def refusal(refused: TrainingRefused, t: Messages) -> str:
    """Why a start was refused, in `t`'s language: whose run holds this server's slot and how
    far it got, what runs on another server, whose and since when, or what the database said."""
    if refused.job is not None:
        key = "training.refused.yours" if refused.mine else "training.refused.another_session"
        return t(key, progress=how_far(refused.job, t))
    if refused.lease is not None:
        return t("training.refused.elsewhere", **_lease_words(refused.lease, t))
    if refused.reason is not None:
        key = "training.refused.setting" if refused.setting else "training.refused.unavailable"
        return t(key, reason=literal(refused.reason))
    return str(refused)


def lease_elsewhere(slot: TrainingSlot) -> LeaseInfo | None:
    """The store's training lease while this server's `slot` is free, i.e. another server's run;
    None when nothing runs elsewhere or the database does not answer (Start then says why)."""
    if slot.busy is not None:
        return None
    try:
        return lesson.store().lease(TRAINING_SLOT)
    except StoreUnavailable:
        return None


def running_elsewhere(lease: LeaseInfo, t: Messages) -> str:
    """What runs on another server, whose and since when, in `t`'s language."""
    return t("training.running_elsewhere", **_lease_words(lease, t))


def stop_elsewhere() -> None:
    """The teacher's "Stop that training" for a run on another server: its server learns it at
    the lease's next renewal and stops after the current epoch. Leaves a sentence to show."""
    t = messages()
    try:
        asked = lesson.store().request_stop(TRAINING_SLOT)
    except StoreUnavailable as error:
        said = lesson.refusal(error, t)
    else:
        said = t("training.stop_asked" if asked else "training.already_ended")
    st.session_state[STOP_ASKED_KEY] = said


def _lease_words(lease: LeaseInfo, t: Messages) -> dict[str, str]:
    return {
        "what": _holder_words(lease.holder, t),
        "who": _owner_words(lease.owner, t),
        "ago": _ago((utc_now() - lease.since).total_seconds(), t),
    }


def _holder_words(holder: str, t: Messages) -> str:
    """What runs, as recorded by `start` or the Classroom (`training.holder.*`), in `t`'s words."""
    found = _read(RECORDS("training.holder.train"), holder)
    names = {RECORDS(f"training.holder_dataset.{name}"): name for name in DATASETS}
    if found is not None and found["dataset"] in names:
        return t(
            "training.holder.train",
            recipe=state.recipe_title(found["recipe"], t),
            dataset=t(f"training.holder_dataset.{names[found['dataset']]}"),
        )
    found = _read(RECORDS("training.holder.teach"), holder)
    return holder if found is None else t("training.holder.teach", **found)


def _owner_words(owner: str, t: Messages) -> str:
    """Who started a run, as `started_by` recorded it, in `t`'s words."""
    for who in ("teacher", "visitor"):
        found = _read(RECORDS(f"training.owner.{who}"), owner)
        if found is not None:
            return t(f"training.owner.{who}", **found)
    return owner


def _read(template: str, text: str) -> dict[str, str] | None:
    """The values that filled `template`'s placeholders to make `text`; None if it did not."""
    pattern = "".join(
        re.escape(literal_text) + (f"(?P<{name}>.+)" if name else "")
        for literal_text, name, _, _ in string.Formatter().parse(template)
    )
    found = re.fullmatch(pattern, text)
    return None if found is None else found.groupdict()


def _ago(seconds: float, t: Messages) -> str:
    """How long ago, as the store says it: seconds up to 90, minutes up to 90, then hours."""
    if seconds < 90:
        return t("training.ago.seconds", n=t.number(max(seconds, 0), 0))
    if seconds < 90 * 60:
        return t("training.ago.minutes", n=t.number(seconds / 60, 0))
    return t("training.ago.hours", n=t.number(seconds / 3600, 1))


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
