"""What the classroom's pages share: the store, a class's model, its links.

One `Store` per server process (`st.cache_resource`): its engine's pool serves every session.
When the database does not answer, `store()` raises StoreUnavailable and nothing is cached, so
the next rerun tries again. A class's model is the one its teacher adopted (read from the store
once per process: a stored model never changes) or else the app's default model, so every
student of a class, on every server process, reads with the same model.
"""

from __future__ import annotations

import os
from datetime import datetime

import streamlit as st

from softmax import links
from softmax.classroom import (
    ClassClosed,
    ClassFull,
    ClassInfo,
    InvalidName,
    UnknownClass,
    UnknownStudent,
    utc_now,
)
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier
from softmax.store import LeaseBusy, Store, StoreUnavailable, database_url
from softmax.ui import state
from softmax.ui.language import messages
from softmax.ui.markdown import literal, plain

STORE_TIMEOUT = 5.0  # s a page waits for the database: a tap must not hang for long
EXAMPLE_CODE = "K7MXR"  # what a join code looks like, in a code field's placeholder


def store() -> Store:
    """The process' store (SOFTMAX_DATABASE_URL, else ~/.softmax/studio.db). StoreUnavailable
    when the database does not answer (not cached: the next call tries again), ValueError for a
    bad URL."""
    return _store(database_url())


@st.cache_resource(show_spinner=False, max_entries=4)
def _store(url: str) -> Store:
    return Store(url, timeout=STORE_TIMEOUT)


@st.cache_resource(show_spinner=False, max_entries=32)
def _stored_model(url: str, model_id: int) -> SoftmaxClassifier:
    return _store(url).load_model(model_id)


def class_classifier(info: ClassInfo) -> SoftmaxClassifier | None:
    """The model a class reads with: its adopted model, else the app's default (None, after an
    st.error, when that cannot be loaded)."""
    if info.model_id is not None:
        return _stored_model(database_url(), info.model_id)
    return state.current_classifier()


def public_base() -> str:
    """The studio's root URL as the class's phones can open it (softmax/links.py)."""
    try:
        override = st.secrets.get(links.PUBLIC_URL_SECRET)
    except (FileNotFoundError, OSError, ValueError):  # no secrets.toml, or an unreadable one
        override = None
    override = override or os.environ.get(links.PUBLIC_URL_ENV)
    headers = st.context.headers
    scheme = headers.get("X-Forwarded-Proto") or "http"
    request = {
        "host": headers.get("Host"),
        "scheme": scheme.split(",")[0].strip(),
        "port": int(st.get_option("server.port") or 8501),
        "base_path": st.get_option("server.baseUrlPath") or "",
    }
    try:
        return links.base_url(override, **request)
    except ValueError:  # not an http(s) URL: say so, and use what the request says
        t = messages()
        st.warning(
            t("lesson.bad_public_url", url=literal(str(override)), env=links.PUBLIC_URL_ENV,
              secret=links.PUBLIC_URL_SECRET),
            icon=":material/link_off:",
        )  # fmt: skip
        return links.base_url(None, **request)


def refusal(error: Exception, t: Messages) -> str:
    """What the store refused, as one sentence in `t`'s language, made from the error's data (the
    exceptions' own English text is for the CLI and the log)."""
    if isinstance(error, StoreUnavailable):
        return t("lesson.refused.unavailable")
    if isinstance(error, UnknownClass):
        return t("lesson.refused.unknown_class", code=f"**{plain(error.code)}**")
    if isinstance(error, ClassClosed):
        return t("lesson.refused.closed", name=plain(error.name))
    if isinstance(error, ClassFull):
        return t.plural("lesson.refused.full", error.capacity, name=plain(error.name))
    if isinstance(error, UnknownStudent):
        return t("lesson.refused.unknown_student")
    if isinstance(error, InvalidName):
        if error.longest is None:
            return t("lesson.refused.empty_name")
        return t("lesson.refused.long_name", longest=t.number(error.longest))
    if isinstance(error, LeaseBusy):
        lease = error.lease  # what runs and who started it are as the other server wrote them
        return t("lesson.refused.busy", what=lease.holder, who=lease.owner, ago=ago(lease.since, t))
    return t("lesson.refused.other", kind=type(error).__name__)


def ago(since: datetime, t: Messages) -> str:
    """How long ago `since` (an aware datetime) was, roughly, in `t`'s language."""
    seconds = max((utc_now() - since).total_seconds(), 0)
    if seconds < 90:
        return t("lesson.ago.seconds", n=t.number(seconds, 0))
    if seconds < 90 * 60:
        return t("lesson.ago.minutes", n=t.number(seconds / 60, 0))
    return t("lesson.ago.hours", n=t.number(seconds / 3600, 1))


def student_name(student_id: str, nickname: str | None, t: Messages) -> str:
    """What a page calls a student: the nickname, else an anonymous tag in `t`'s language (the
    exports' and the CLI's tag is `softmax.classroom.display_name`'s)."""
    return nickname or t("lesson.anonymous", tag=student_id[:6])
