"""The student's page (`/join?code=CODE`): draw a digit, see what the model reads, say what it is.

Phone first: the canvas fills the width, the answer (`reading.headline`, the `Prediction` metric)
sits under it, then "Which digit did you draw?" and ten large buttons (keys `label-0` …
`label-9`). A tap makes a `Drawing` here, with its own id, and saves it; the page says "Saved",
clears the canvas for the next digit and offers to undo that save.

Nothing labelled is lost: when the database does not answer, the drawing stays in this session
("not saved yet — retrying") and is saved again on every run, and every few seconds by a small
fragment, until the database answers. Its id makes a save that did get through a no-op.

The student's id is kept in the URL (`&student=…`) as well as the session, so a phone that
reloads the page (they do, after sleeping) carries on as the same student. A wrong code, a
closed or full class, a deleted class: a sentence saying so, never a traceback.
"""

from __future__ import annotations

import logging

import numpy as np
import streamlit as st

from softmax.classroom import (
    ClassClosed,
    ClassFull,
    ClassInfo,
    Drawing,
    InvalidName,
    Student,
    UnknownClass,
    UnknownStudent,
    normalize_code,
)
from softmax.model import SoftmaxClassifier
from softmax.preprocess import EmptyImageError, canvas_to_mnist
from softmax.store import StoreUnavailable
from softmax.ui import canvas, lesson
from softmax.ui.language import messages
from softmax.ui.markdown import literal, plain
from softmax.ui.reading import Reading, headline, shielded

CANVAS = "join"
STUDENT_KEY = "join_student"  # the Student this session joined as
INFO_KEY = "join_class"  # the class as last read (kept for when the database is away)
READING_KEY = "join_reading"  # (x as stored, Prediction, model fingerprint) of the canvas now
PENDING_KEY = "join_pending"  # Drawings tapped but not saved yet, oldest first
LAST_KEY = "join_last"  # the last Drawing tapped: what Undo removes
NOTICE_KEY = "join_notice"  # what the last tap or undo did: (kind, message key, its values)
SAVED_KEY = "join_saved"  # how many of this session's drawings are saved
RETRY_SECONDS = 3.0
CODE_INPUT, NICKNAME_INPUT = "join_code", "join_nickname"
REFUSED_KEY = "join_refused"  # why the last Join was refused
LOG = logging.getLogger(__name__)


def render() -> None:
    canvas.page_script()
    student = _student()
    if student is None:
        return
    info = _class_info(student.class_code)
    if info is None:
        return
    t = messages()
    with st.container(key="intro"):
        nickname = lesson.student_name(student.id, student.nickname, t)
        st.caption(t("join.you_are", name=plain(info.name), nickname=plain(nickname)))
    classifier = _classifier(info)
    _retry_pending(student)
    labelling(student, classifier)
    if st.session_state.get(PENDING_KEY):
        _retrying(student)


# Joining ----------------------------------------------------------------------------------------


def _student() -> Student | None:
    """This session's student: joined here, or named in the URL; else the join form (None)."""
    student = st.session_state.get(STUDENT_KEY)
    if isinstance(student, Student):
        return student
    student_id = st.query_params.get("student")
    if student_id:
        try:
            student = lesson.store().get_student(student_id)
        except UnknownStudent:
            del st.query_params["student"]
            st.warning(messages()("join.gone_student"))
        except StoreUnavailable:
            _unavailable()
            return None
        else:
            st.session_state[STUDENT_KEY] = student
            return student
    _join_form()
    return None


def _join_form() -> None:
    t = messages()
    st.title(t("join.title"))
    code = normalize_code(st.query_params.get("code", ""))
    info = None
    if code:
        try:
            info = lesson.store().get_class(code)
        except UnknownClass:
            st.error(t("join.wrong_code", code=literal(code)), icon=":material/search_off:")
        except StoreUnavailable:
            _unavailable()
            return
        if info is not None and not info.is_open:
            st.error(t("join.closed", name=plain(info.name)), icon=":material/lock:")
            return
    if info is not None:
        st.subheader(t("join.class_is", name=plain(info.name)))
    with st.form("join", border=False, enter_to_submit=True):
        if info is None:
            st.text_input(
                t("join.code"), value=code, key=CODE_INPUT, max_chars=12,
                placeholder=t("join.code_example", code=lesson.EXAMPLE_CODE), help=t("join.code_help"),
            )  # fmt: skip
        st.text_input(
            t("join.nickname"), key=NICKNAME_INPUT, max_chars=24,
            placeholder=t("join.nickname_placeholder"), help=t("join.nickname_help"),
        )  # fmt: skip
        st.form_submit_button(
            t("join.join"), key="join_submit", type="primary", icon=":material/login:",
            width="stretch", on_click=_join, args=(code,),
        )  # fmt: skip
    refused = st.session_state.pop(REFUSED_KEY, None)
    if refused:
        st.error(refused)


@st.cache_data(show_spinner=False, ttl=2)
def _stored_class(code: str) -> ClassInfo:
    """The class as stored, shared by every student for 2 s: a newly adopted model reaches every
    page within a stroke or two, without a query per stroke per student."""
    return lesson.store().get_class(code)


def _class_info(code: str) -> ClassInfo | None:
    """The class, as stored now or as last read when the database is away; None (with a
    message) when it has been deleted."""
    try:
        info = _stored_class(code)
    except StoreUnavailable:
        info = st.session_state.get(INFO_KEY)
        if info is None:
            _unavailable()
        return info
    except UnknownClass:
        _class_gone()
        return None
    st.session_state[INFO_KEY] = info
    return info


def _unavailable() -> None:
    t = messages()
    st.warning(t("join.unavailable"), icon=":material/cloud_off:")
    st.button(t("lesson.store.try_again"), key="join_try_again", icon=":material/refresh:")


def _class_gone() -> None:
    """The class was deleted: say so, and forget it here."""
    for key in (STUDENT_KEY, INFO_KEY, PENDING_KEY, LAST_KEY):
        st.session_state.pop(key, None)
    st.query_params.pop("student", None)
    st.error(messages()("join.deleted"))


def _join(code_in_url: str) -> None:
    """The Join button: a new student in the class the form names, or why not."""
    t = messages()
    code = normalize_code(st.session_state.get(CODE_INPUT) or code_in_url)
    if not code:
        st.session_state[REFUSED_KEY] = t("join.no_code")
        return
    try:
        student = lesson.store().join(code, st.session_state.get(NICKNAME_INPUT) or None)
    except UnknownClass:
        st.session_state[REFUSED_KEY] = t("join.wrong_code_typed", code=literal(code))
    except ClassClosed as closed:
        st.session_state[REFUSED_KEY] = t("join.closed", name=plain(closed.name))
    except ClassFull as full:
        st.session_state[REFUSED_KEY] = t.plural("join.full", full.capacity, name=plain(full.name))
    except InvalidName as bad:
        st.session_state[REFUSED_KEY] = t("join.bad_nickname", why=lesson.refusal(bad, t))
    except StoreUnavailable:
        st.session_state[REFUSED_KEY] = t("join.join_unavailable")
    else:
        st.session_state[STUDENT_KEY] = student
        st.query_params["code"] = student.class_code
        st.query_params["student"] = student.id


# Drawing and labelling -------------------------------------------------------------------------


def _classifier(info: ClassInfo) -> SoftmaxClassifier | None:
    with shielded(messages()("join.model")):
        return lesson.class_classifier(info)
    return None


@st.fragment
def labelling(student: Student, classifier: SoftmaxClassifier | None) -> None:
    """Canvas, answer, the ten digit buttons, what the last tap did and its undo. A stroke reruns
    only this; a class model adopted meanwhile is read from the next stroke."""
    info = _class_info(student.class_code)
    if info is None:
        return
    classifier = _classifier(info) or classifier
    left, right = st.columns([3, 4], gap="large")
    with left:
        image = canvas.drawing_canvas(CANVAS)
    reading = _read(image, classifier)
    with right:
        headline(reading, classifier is not None)
    with left:
        canvas.clear_button(CANVAS)
    with right, st.container(key="labels"):
        st.markdown(messages()("join.which"))
        for row in (range(0, 5), range(5, 10)):
            for column, digit in zip(st.columns(5, gap="small"), row, strict=True):
                column.button(
                    str(digit), key=f"label-{digit}", on_click=_label, args=(student, digit),
                    width="stretch", type="secondary",
                )  # fmt: skip
        _status(student)


def _read(image: np.ndarray | None, classifier: SoftmaxClassifier | None) -> Reading | None:
    """The drawing as stored (MNIST-style 28×28, not deskewed) and the model's answer; kept in
    the session for the label buttons' callback."""
    st.session_state[READING_KEY] = None
    if image is None:
        return None
    try:
        x = canvas_to_mnist(image)
    except EmptyImageError:
        return None
    except Exception as error:  # odd canvas data
        st.error(messages()("join.unreadable", detail=f"{type(error).__name__}: {error}"))
        return None
    if classifier is None:
        return Reading(x, None, None)
    prediction = classifier.predict(classifier.prepare(x[None])[0])
    st.session_state[READING_KEY] = (x, prediction, classifier.fingerprint)
    return Reading(x, prediction, None)


def _label(student: Student, digit: int) -> None:
    """A digit button: the drawing on the canvas, labelled `digit`, saved (or kept to retry)."""
    reading = st.session_state.get(READING_KEY)
    if reading is None:
        st.session_state[NOTICE_KEY] = ("info", "join.draw_first", {})
        return
    x, prediction, fingerprint = reading
    drawing = Drawing(
        student.id, digit, x, prediction.digit, prediction.probabilities, fingerprint
    )  # made here, with its own id: saving it again never duplicates it
    st.session_state.setdefault(PENDING_KEY, []).append(drawing)
    st.session_state[LAST_KEY] = drawing
    st.session_state[READING_KEY] = None
    canvas.clear(CANVAS)
    _save_pending(student)
    if drawing in st.session_state.get(PENDING_KEY, []):
        st.session_state[NOTICE_KEY] = ("pending", "join.pending", {})
    elif st.session_state.get(STUDENT_KEY) is not None:
        saved = "join.saved_right" if prediction.digit == digit else "join.saved_misread"
        values = {"digit": digit, "predicted": prediction.digit}
        st.session_state[NOTICE_KEY] = ("saved", saved, values)


def _save_pending(student: Student) -> bool:
    """Save every kept drawing, oldest first, until the database stops answering; True when all
    are saved. A deleted class drops them (there is nowhere to save them)."""
    pending: list[Drawing] = st.session_state.get(PENDING_KEY, [])
    while pending:
        try:
            lesson.store().save_drawing(pending[0])
        except StoreUnavailable as error:
            LOG.warning("a drawing is kept to retry: %s", error)
            return False
        except UnknownStudent:
            _class_gone()
            return True
        pending.pop(0)
        st.session_state[SAVED_KEY] = st.session_state.get(SAVED_KEY, 0) + 1
    return True


def _retry_pending(student: Student) -> None:
    """On every run: save what is waiting; say so when the wait is over."""
    if not st.session_state.get(PENDING_KEY):
        return
    if _save_pending(student) and st.session_state.get(NOTICE_KEY, ("",))[0] == "pending":
        st.session_state[NOTICE_KEY] = ("saved", "join.saved_waiting", {})


@st.fragment(run_every=RETRY_SECONDS)
def _retrying(student: Student) -> None:
    """While drawings wait, try every few seconds; once they are in, the page shows it."""
    if not st.session_state.get(PENDING_KEY):
        return
    _retry_pending(student)
    if not st.session_state.get(PENDING_KEY):
        st.rerun()


def _status(student: Student) -> None:
    """What the last tap did, with Undo for the last drawing, and how many are saved; in the
    language of now (a notice is kept as its message key, so switching language translates it)."""
    t = messages()
    kind, key, values = st.session_state.get(NOTICE_KEY, (None, None, {}))
    if kind == "pending":
        waiting = len(st.session_state.get(PENDING_KEY, []))
        st.warning(t.plural(key, waiting), icon=":material/cloud_off:")
    elif kind == "saved":
        st.success(t(key, **values), icon=":material/check_circle:")
    elif kind == "error":
        st.error(t(key, **values))
    elif kind is not None:
        st.info(t(key, **values))
    last = st.session_state.get(LAST_KEY)
    saved = st.session_state.get(SAVED_KEY, 0)
    with st.container(horizontal=True, vertical_alignment="center"):
        if last is not None:
            st.button(
                t("join.undo", digit=last.label), key="join_undo", on_click=_undo,
                args=(student,), icon=":material/undo:",
            )  # fmt: skip
        if saved:
            st.caption(t.plural("join.saved_here", saved))


def _undo(student: Student) -> None:
    """Remove the last drawing: from the waiting list, or from the store."""
    last: Drawing | None = st.session_state.get(LAST_KEY)
    if last is None:
        return
    pending = st.session_state.get(PENDING_KEY, [])
    if last in pending:
        pending.remove(last)
    else:
        try:
            removed = lesson.store().undo(student.id, last.id)
        except StoreUnavailable:
            st.session_state[NOTICE_KEY] = ("error", "join.undo_unavailable", {})
            return
        if removed:
            st.session_state[SAVED_KEY] = max(0, st.session_state.get(SAVED_KEY, 0) - 1)
    st.session_state[LAST_KEY] = None
    st.session_state[NOTICE_KEY] = ("info", "join.undone", {"digit": last.label})
