"""The teacher's Classroom page: start a class, show its join code and QR, keep or clear it.

Everything here changes what others get, so all of it is behind `teacher_gate`. Start a class
(a name → a five-letter code and a QR code of the join URL, large enough to scan from the back
of the room: softmax/links.py says which URL a phone can open); list the classes; open the
board; close a class so no one else joins, or reopen it; export its drawings (.npz in MNIST's
layout and a CSV, as `python -m softmax classroom export` writes them); delete it and
everything in it, after typing its code to confirm.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from softmax import links
from softmax.classroom import (
    DEFAULT_CAPACITY,
    MAX_CAPACITY,
    ClassInfo,
    ClassroomError,
    normalize_code,
)
from softmax.export import export_class
from softmax.store import StoreUnavailable
from softmax.ui import lesson, teach
from softmax.ui.language import messages
from softmax.ui.markdown import literal, plain
from softmax.ui.teacher import teacher_gate

CHOSEN_KEY = "classroom_chosen"  # the class the page shows
NAME_INPUT, CAPACITY_INPUT = "classroom_name", "classroom_capacity"
CONFIRM_INPUT = "classroom_confirm_delete"
MESSAGE_KEY = "classroom_message"  # (kind, text) of the last action
QR_WIDTH = 440  # px on screen: a 33-module code is ~13 px a module, scannable across a room


def render() -> None:
    t = messages()
    st.title(t("app.pages.classroom"))
    with st.container(key="intro"):
        st.caption(t("classroom.intro"))
    if not teacher_gate(t("classroom.gated"), key="classroom"):
        return
    try:
        store = lesson.store()
        classes = store.list_classes()
    except StoreUnavailable as error:
        st.warning(lesson.refusal(error, t))
        st.caption(t("classroom.detail", detail=literal(str(error))))
        st.button(t("lesson.store.try_again"), key="classroom_retry", icon=":material/refresh:")
        return
    _message()
    if classes:
        chosen = _choose(classes)
        _class_panel(chosen)
        st.divider()
        teach.section(chosen)
    with st.expander(t("classroom.start"), expanded=not classes, icon=":material/add:"):
        _start_form()
    if classes:
        all_classes = t("classroom.all_classes", n=t.number(len(classes)))
        with st.expander(all_classes, icon=":material/list:"):
            _class_list(classes)


def _message() -> None:
    kind, text = st.session_state.pop(MESSAGE_KEY, (None, None))
    if kind == "error":
        st.error(text)
    elif kind is not None:
        st.success(text)


def _start_form() -> None:
    t = messages()
    with st.form("classroom_start", border=False, enter_to_submit=True):
        name, capacity = st.columns([3, 1])
        name.text_input(
            t("classroom.name"),
            key=NAME_INPUT,
            max_chars=80,
            placeholder=t("classroom.name_example"),
        )
        capacity.number_input(
            t("classroom.capacity"), 1, MAX_CAPACITY, DEFAULT_CAPACITY, key=CAPACITY_INPUT
        )
        st.form_submit_button(
            t("classroom.start_button"), key="classroom_start_button", type="primary",
            icon=":material/play_arrow:", on_click=_start,
        )  # fmt: skip


def _start() -> None:
    t = messages()
    try:
        info = lesson.store().create_class(
            st.session_state.get(NAME_INPUT) or "", int(st.session_state[CAPACITY_INPUT])
        )
    except (ClassroomError, StoreUnavailable) as error:
        why = lesson.refusal(error, t)
        st.session_state[MESSAGE_KEY] = ("error", t("classroom.start_failed", why=why))
        return
    st.session_state[CHOSEN_KEY] = info.code
    st.session_state[NAME_INPUT] = ""
    started = t("classroom.started", name=plain(info.name), code=info.code)
    st.session_state[MESSAGE_KEY] = ("success", started)


def _choose(classes: list[ClassInfo]) -> ClassInfo:
    t = messages()
    by_code = {info.code: info for info in classes}
    if st.session_state.get(CHOSEN_KEY) not in by_code:
        st.session_state[CHOSEN_KEY] = classes[0].code

    def shown(code: str) -> str:
        choice = "classroom.choice" if by_code[code].is_open else "classroom.choice_closed"
        return t(choice, name=by_code[code].name, code=code)

    code = st.selectbox(
        t("classroom.pick"), list(by_code), key=CHOSEN_KEY, format_func=shown,
        label_visibility="collapsed",
    )  # fmt: skip
    return by_code[code]


def _class_panel(info: ClassInfo) -> None:
    t = messages()
    base = lesson.public_base()
    join, board = links.join_url(base, info.code), links.board_url(base, info.code)
    qr, facts = st.columns([1, 1], gap="large")
    with qr, st.container(key="join-qr"):
        caption = t("classroom.scan_to_join", name=plain(info.name))
        st.image(links.qr_png(join), width=QR_WIDTH, caption=caption)
    with facts:
        with st.container(key="join-code"):
            st.metric(t("classroom.join_code"), info.code)
        st.markdown(t("classroom.or_open"))
        st.code(join, language=None)
        students, drawings = st.columns(2)
        students.metric(
            t("classroom.students"),
            t("classroom.students_of", students=t.number(info.students),
              capacity=t.number(info.capacity)),
        )  # fmt: skip
        drawings.metric(t("classroom.drawings"), t.number(info.drawings))
        st.link_button(t("classroom.open_board"), board, icon=":material/dashboard:")
        if info.is_open:
            st.button(
                t("classroom.close"), key="classroom_close", on_click=_close, args=(info.code,),
                icon=":material/lock:", help=t("classroom.close_help"),
            )  # fmt: skip
        else:
            st.caption(t("classroom.closed_note"))
            st.button(
                t("classroom.reopen"), key="classroom_reopen", on_click=_reopen,
                args=(info.code,), icon=":material/lock_open:",
            )  # fmt: skip
        _downloads(info)
        _delete(info)


def _close(code: str) -> None:
    _act(lambda: lesson.store().close_class(code), "classroom.closed_done", code)


def _reopen(code: str) -> None:
    _act(lambda: lesson.store().reopen_class(code), "classroom.reopened_done", code)


def _act(action, done: str, code: str) -> None:
    """Do `action`; keep the sentence `done` (a message key, about class `code`) or why not."""
    t = messages()
    try:
        action()
    except (ClassroomError, StoreUnavailable) as error:
        st.session_state[MESSAGE_KEY] = (
            "error",
            t("classroom.failed", why=lesson.refusal(error, t)),
        )
        return
    st.session_state[MESSAGE_KEY] = ("success", t(done, code=code))


def _downloads(info: ClassInfo) -> None:
    """The class's drawings as files, written as the CLI writes them."""
    t = messages()
    if not info.drawings:
        st.caption(t("classroom.nothing_to_export"))
        return
    try:
        npz, csv = _export(info.code)
    except (ClassroomError, StoreUnavailable, OSError) as error:
        st.error(t("classroom.export_failed", why=lesson.refusal(error, t)))
        return
    name = f"class-{info.code}"
    left, right = st.columns(2)
    left.download_button(
        t("classroom.npz"), npz, f"{name}.npz", "application/octet-stream",
        key="classroom_npz", icon=":material/download:", help=t("classroom.npz_help"),
    )  # fmt: skip
    right.download_button(
        t("classroom.csv"), csv, f"{name}.csv", "text/csv",
        key="classroom_csv", icon=":material/download:",
    )  # fmt: skip


def _export(code: str) -> tuple[bytes, bytes]:
    with tempfile.TemporaryDirectory(prefix="softmax-export-") as folder:
        written = export_class(lesson.store(), code, Path(folder) / f"class-{code}.npz")
        return written.npz.read_bytes(), written.csv.read_bytes()


def _delete(info: ClassInfo) -> None:
    t = messages()
    with st.popover(t("classroom.delete"), icon=":material/delete_forever:"):
        st.markdown(
            t(
                "classroom.delete_what",
                name=plain(info.name),
                students=t.plural("classroom.student_count", info.students),
                drawings=t.plural("classroom.drawing_count", info.drawings),
            )
        )
        typed = st.text_input(t("classroom.type_code", code=info.code), key=CONFIRM_INPUT)
        st.button(
            t("classroom.delete_button"), key="classroom_delete", type="primary", on_click=_remove,
            args=(info.code,), disabled=normalize_code(typed or "") != info.code,
        )  # fmt: skip


def _remove(code: str) -> None:
    st.session_state[CONFIRM_INPUT] = ""
    st.session_state.pop(CHOSEN_KEY, None)
    _act(lambda: lesson.store().delete_class(code), "classroom.deleted", code)


def _class_list(classes: list[ClassInfo]) -> None:
    t = messages()
    st.subheader(t("classroom.all_classes_title"))
    st.dataframe(
        pd.DataFrame(
            {
                t("classroom.column.code"): [c.code for c in classes],
                t("classroom.column.name"): [c.name for c in classes],
                t("classroom.column.students"): [c.students for c in classes],
                t("classroom.column.drawings"): [c.drawings for c in classes],
                t("classroom.column.open"): [c.is_open for c in classes],
                t("classroom.column.started"): [c.created for c in classes],
                t("classroom.column.class_model"): [c.model_id is not None for c in classes],
            }
        ),
        hide_index=True,
        width="stretch",
    )
