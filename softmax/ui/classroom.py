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
from softmax.ui.markdown import plain
from softmax.ui.teacher import teacher_gate

CHOSEN_KEY = "classroom_chosen"  # the class the page shows
NAME_INPUT, CAPACITY_INPUT = "classroom_name", "classroom_capacity"
CONFIRM_INPUT = "classroom_confirm_delete"
MESSAGE_KEY = "classroom_message"  # (kind, text) of the last action
QR_WIDTH = 440  # px on screen: a 33-module code is ~13 px a module, scannable across a room


def render() -> None:
    st.title("Classroom")
    with st.container(key="intro"):
        st.caption(
            "Start a class: students scan the code with their phones, draw digits and say what "
            "they drew. The board shows what the class drew and how the model reads it."
        )
    if not teacher_gate("Running a class"):
        return
    try:
        store = lesson.store()
        classes = store.list_classes()
    except StoreUnavailable as error:
        st.warning(f"The class database is not answering ({error}). Try again in a moment.")
        st.button("Try again", key="classroom_retry", icon=":material/refresh:")
        return
    _message()
    if classes:
        chosen = _choose(classes)
        _class_panel(chosen)
        st.divider()
        teach.section(chosen)
    with st.expander("Start a class", expanded=not classes, icon=":material/add:"):
        _start_form()
    if classes:
        with st.expander(f"All classes ({len(classes)})", icon=":material/list:"):
            _class_list(classes)


def _message() -> None:
    kind, text = st.session_state.pop(MESSAGE_KEY, (None, None))
    if kind == "error":
        st.error(text)
    elif kind is not None:
        st.success(text)


def _start_form() -> None:
    with st.form("classroom_start", border=False, enter_to_submit=True):
        name, capacity = st.columns([3, 1])
        name.text_input("Class name", key=NAME_INPUT, max_chars=80, placeholder="e.g. 7B maths")
        capacity.number_input(
            "Students at most", 1, MAX_CAPACITY, DEFAULT_CAPACITY, key=CAPACITY_INPUT
        )
        st.form_submit_button(
            "Start the class", type="primary", icon=":material/play_arrow:", on_click=_start
        )


def _start() -> None:
    try:
        info = lesson.store().create_class(
            st.session_state.get(NAME_INPUT) or "", int(st.session_state[CAPACITY_INPUT])
        )
    except ClassroomError as error:
        st.session_state[MESSAGE_KEY] = ("error", f"Could not start the class: {error}.")
        return
    except StoreUnavailable as error:
        st.session_state[MESSAGE_KEY] = ("error", f"Could not start the class: {error}.")
        return
    st.session_state[CHOSEN_KEY] = info.code
    st.session_state[NAME_INPUT] = ""
    st.session_state[MESSAGE_KEY] = ("success", f"Class {info.name!r} started: code {info.code}.")


def _choose(classes: list[ClassInfo]) -> ClassInfo:
    by_code = {info.code: info for info in classes}
    if st.session_state.get(CHOSEN_KEY) not in by_code:
        st.session_state[CHOSEN_KEY] = classes[0].code
    code = st.selectbox(
        "Class",
        list(by_code),
        key=CHOSEN_KEY,
        format_func=lambda c: f"{by_code[c].name} ({c}){'' if by_code[c].is_open else ' · closed'}",
        label_visibility="collapsed",
    )
    return by_code[code]


def _class_panel(info: ClassInfo) -> None:
    base = lesson.public_base()
    join, board = links.join_url(base, info.code), links.board_url(base, info.code)
    qr, facts = st.columns([1, 1], gap="large")
    with qr, st.container(key="join-qr"):
        st.image(links.qr_png(join), width=QR_WIDTH, caption=f"Scan to join {plain(info.name)}")
    with facts:
        with st.container(key="join-code"):
            st.metric("Join code", info.code)
        st.markdown("Scan the QR code, or open this address:")
        st.code(join, language=None)
        students, drawings = st.columns(2)
        students.metric("Students", f"{info.students} of {info.capacity}")
        drawings.metric("Drawings", info.drawings)
        st.link_button("Open the class board", board, icon=":material/dashboard:")
        if info.is_open:
            st.button(
                "Close the class", key="classroom_close", on_click=_close, args=(info.code,),
                icon=":material/lock:", help="No one else can join; students already in can draw on.",
            )  # fmt: skip
        else:
            st.caption("Closed: no one else can join.")
            st.button(
                "Reopen the class", key="classroom_reopen", on_click=_reopen, args=(info.code,),
                icon=":material/lock_open:",
            )  # fmt: skip
        _downloads(info)
        _delete(info)


def _close(code: str) -> None:
    _act(lambda: lesson.store().close_class(code), f"Class {code} closed: no one else can join.")


def _reopen(code: str) -> None:
    _act(lambda: lesson.store().reopen_class(code), f"Class {code} is open again.")


def _act(action, done: str) -> None:
    try:
        action()
    except (ClassroomError, StoreUnavailable) as error:
        st.session_state[MESSAGE_KEY] = ("error", f"Could not do that: {error}.")
        return
    st.session_state[MESSAGE_KEY] = ("success", done)


def _downloads(info: ClassInfo) -> None:
    """The class's drawings as files, written as the CLI writes them."""
    if not info.drawings:
        st.caption("Nothing to export yet.")
        return
    try:
        npz, csv = _export(info.code)
    except (ClassroomError, StoreUnavailable, OSError) as error:
        st.error(f"Could not export the class: {error}.")
        return
    name = f"class-{info.code}"
    left, right = st.columns(2)
    left.download_button(
        "Drawings (.npz)", npz, f"{name}.npz", "application/octet-stream",
        key="classroom_npz", icon=":material/download:",
        help="x: uint8 (n, 28, 28), y: uint8 (n,), as MNIST: np.load reads it.",
    )  # fmt: skip
    right.download_button(
        "Who drew what (.csv)", csv, f"{name}.csv", "text/csv",
        key="classroom_csv", icon=":material/download:",
    )  # fmt: skip


def _export(code: str) -> tuple[bytes, bytes]:
    with tempfile.TemporaryDirectory(prefix="softmax-export-") as folder:
        written = export_class(lesson.store(), code, Path(folder) / f"class-{code}.npz")
        return written.npz.read_bytes(), written.csv.read_bytes()


def _delete(info: ClassInfo) -> None:
    with st.popover("Delete the class…", icon=":material/delete_forever:"):
        st.markdown(
            f"This deletes **{plain(info.name)}**, its {info.students} students, its "
            f"{info.drawings} drawings and its models, for good. Export first to keep them."
        )
        typed = st.text_input(f"Type the code {info.code} to confirm", key=CONFIRM_INPUT)
        st.button(
            "Delete for good", key="classroom_delete", type="primary", on_click=_remove,
            args=(info.code,), disabled=normalize_code(typed or "") != info.code,
        )  # fmt: skip


def _remove(code: str) -> None:
    st.session_state[CONFIRM_INPUT] = ""
    st.session_state.pop(CHOSEN_KEY, None)
    _act(lambda: lesson.store().delete_class(code), f"Class {code} deleted, with all it held.")


def _class_list(classes: list[ClassInfo]) -> None:
    st.subheader("All classes")
    st.dataframe(
        pd.DataFrame(
            {
                "code": [c.code for c in classes],
                "name": [c.name for c in classes],
                "students": [c.students for c in classes],
                "drawings": [c.drawings for c in classes],
                "open": [c.is_open for c in classes],
                "started": [c.created for c in classes],
                "class model": [c.model_id is not None for c in classes],
            }
        ),
        hide_index=True,
        width="stretch",
    )
