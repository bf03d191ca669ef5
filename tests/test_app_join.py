"""The student's page (`/join`) through AppTest, on a real SQLite file, with a stand-in canvas.

The database is real: a temporary SQLite file that the tests also read directly. "Unreachable"
is real too: another connection holds the file's write lock (what a stuck writer or a lost
network disk does to a save), so the page's save times out exactly as it would in a lesson.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_app_draw as draw_page
from streamlit.testing.v1 import AppTest
from test_app_draw import SEVEN, ZERO, CanvasStub
from visible_text import english_left

from softmax.store import Store
from softmax.ui.lesson import EXAMPLE_CODE

CLEAR_PENDING = "canvas-join-clear-pending"  # softmax.ui.canvas: set until the canvas confirms


def page() -> None:
    from softmax.ui import join

    join.render()


# the drawing page's stand-in canvas (AppTest cannot draw on a browser canvas)
canvas_module, canvas = draw_page.canvas_module, draw_page.canvas


@pytest.fixture
def store(class_database: Path) -> Iterator[Store]:
    with Store(f"sqlite:///{class_database}") as opened:
        yield opened


def open_join(code: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_function(page, default_timeout=60)
    if code is not None:
        at.query_params["code"] = code
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def joined(store: Store, canvas: CanvasStub, nickname: str = "Ada") -> tuple[AppTest, str]:
    room = store.create_class("7B maths")
    at = open_join(room.code)
    at.text_input(key="join_nickname").input(nickname)
    at.button[0].click().run()
    assert not at.exception
    return at, room.code


def draw_next(at: AppTest, canvas: CanvasStub, strokes) -> None:
    """A new drawing on the canvas, sent as the real canvas sends it after a clear."""
    canvas.draw(strokes)
    at.session_state[CLEAR_PENDING] = False  # the canvas' on_change: its new drawing arrived
    at.run()


def texts(at: AppTest) -> str:
    return " ".join(
        element.value
        for kind in ("success", "warning", "error", "info")
        for element in at.get(kind)
    )


def test_a_wrong_code_says_so(store, canvas):
    at = open_join("XXXXX")
    assert "There is no class with the code" in at.error[0].value
    assert "XXXXX" in at.error[0].value
    assert not at.get("metric")


def test_a_closed_class_says_so_and_offers_no_join(store, canvas):
    room = store.create_class("Closed class")
    store.close_class(room.code)
    at = open_join(room.code)
    assert "is closed" in at.error[0].value
    assert not at.button


def test_a_full_class_says_so(store, canvas):
    room = store.create_class("Tiny class", capacity=1)
    store.join(room.code, "First")
    at = open_join(room.code)
    at.button[0].click().run()
    assert not at.exception
    assert "is full" in at.error[0].value
    assert store.get_class(room.code).students == 1


def test_a_typed_code_joins_like_a_scanned_one(store, canvas):
    room = store.create_class("7B maths")
    at = open_join()
    at.text_input(key="join_code").input(room.code.lower()[:3] + "-" + room.code.lower()[3:])
    at.button[0].click().run()
    assert not at.exception
    assert store.get_class(room.code).students == 1
    assert at.query_params["code"] == room.code


def test_a_tap_saves_the_drawing_with_its_label_and_the_models_reading(store, canvas):
    at, code = joined(store, canvas)
    student_id = at.query_params["student"]
    assert store.get_student(student_id).nickname == "Ada"
    draw_next(at, canvas, SEVEN)
    [metric] = at.metric
    assert metric.label == "Prediction"
    assert [f"label-{d}" for d in range(10)] == [
        b.key for b in at.button if b.key.startswith("label-")
    ]
    at.button(key="label-7").click().run()
    assert "Saved" in at.success[0].value
    data = store.class_drawings(code)
    assert data.y.tolist() == [7]
    assert data.predicted.tolist() == [int(metric.value)]
    assert data.student_ids.tolist() == [student_id]
    assert data.x[0].max() == 255  # the 28×28 input as uint8, as MNIST stores it
    assert not at.metric  # the canvas is cleared for the next digit


def test_a_tap_without_a_drawing_asks_for_one(store, canvas):
    at, code = joined(store, canvas)
    at.button(key="label-3").click().run()
    assert "Draw a digit first" in texts(at)
    assert len(store.class_drawings(code)) == 0


def test_undo_removes_the_last_save(store, canvas):
    at, code = joined(store, canvas)
    draw_next(at, canvas, SEVEN)
    at.button(key="label-7").click().run()
    draw_next(at, canvas, ZERO)
    at.button(key="label-0").click().run()
    assert store.class_drawings(code).y.tolist() == [7, 0]
    at.button(key="join_undo").click().run()
    assert "Undone" in texts(at)
    assert store.class_drawings(code).y.tolist() == [7]


def test_a_reloaded_page_is_the_same_student(store, canvas):
    at, code = joined(store, canvas)
    student_id = at.query_params["student"]
    again = open_join(code, student=student_id)
    draw_next(again, canvas, SEVEN)
    again.button(key="label-7").click().run()
    assert store.get_class(code).students == 1
    assert store.class_drawings(code).student_ids.tolist() == [student_id]


def test_a_deleted_class_is_said_and_nothing_breaks(store, canvas):
    at, code = joined(store, canvas)
    draw_next(at, canvas, SEVEN)
    store.delete_class(code)
    at.button(key="label-7").click().run()
    assert not at.exception
    assert "deleted" in texts(at)


def test_an_unreachable_database_keeps_the_drawings_and_saves_them_once_when_it_answers(
    class_database, store, canvas
):
    at, code = joined(store, canvas)
    draw_next(at, canvas, SEVEN)
    blocker = sqlite3.connect(class_database, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # the file's write lock, held: no save can get through
    try:
        at.button(key="label-7").click().run()
        assert "not saved yet — retrying" in at.warning[0].value
        draw_next(at, canvas, ZERO)  # this run's retry fails too: still waiting
        at.button(key="label-0").click().run()
        assert "2 drawings are not saved yet — retrying" in at.warning[0].value
        assert len(store.class_drawings(code)) == 0  # readers still read: nothing got in
    finally:
        blocker.rollback()
        blocker.close()
    at.run()  # the database answers: the kept drawings are saved
    assert "Saved" in at.success[0].value
    assert store.class_drawings(code).y.tolist() == [7, 0]
    at.run()
    assert store.class_drawings(code).y.tolist() == [7, 0]  # and never twice


# In Korean ---------------------------------------------------------------------------------------
# A student on a phone meets no English sentence: the join form and its refusals, the drawing and
# its ten buttons, what a tap did, the retrying. Join codes are Latin letters in every language.


def open_join_ko(code: str | None = None, **query: str) -> AppTest:
    return open_join(code, lang="ko", **query)


def joined_ko(store: Store, nickname: str = "민수") -> tuple[AppTest, str]:
    room = store.create_class("3학년 2반")
    at = open_join_ko(room.code)
    at.text_input(key="join_nickname").input(nickname)
    at.button(key="join_submit").click().run()
    assert not at.exception
    return at, room.code


def test_the_join_form_in_korean(store, canvas):
    at = open_join_ko()
    assert at.title[0].value == "수업에 참여하기"
    assert english_left(at, [EXAMPLE_CODE]) == []
    at.button(key="join_submit").click().run()  # no code typed
    assert "수업 코드를 입력하세요" in at.error[0].value
    assert english_left(at, [EXAMPLE_CODE]) == []


def test_a_wrong_closed_or_full_class_is_said_in_korean(store, canvas):
    at = open_join_ko("XXXXX")
    assert "XXXXX" in at.error[0].value and "수업이 없습니다" in at.error[0].value
    assert english_left(at, ["XXXXX", EXAMPLE_CODE]) == []

    closed = store.create_class("닫힌 반")
    store.close_class(closed.code)
    at = open_join_ko(closed.code)
    assert "닫혔습니다" in at.error[0].value
    assert english_left(at, [closed.code]) == []

    tiny = store.create_class("작은 반", capacity=1)
    store.join(tiny.code, "첫째")
    at = open_join_ko(tiny.code)
    at.button(key="join_submit").click().run()
    assert "정원이 찼습니다" in at.error[0].value and "학생 1명" in at.error[0].value
    assert english_left(at, [tiny.code]) == []


def test_drawing_saving_and_undoing_in_korean(store, canvas):
    at, code = joined_ko(store)
    assert "민수" in at.caption[0].value
    assert english_left(at, [code]) == []  # the empty canvas and its prompt
    draw_next(at, canvas, SEVEN)
    [metric] = at.metric
    assert metric.label == "예측"
    assert english_left(at, [code]) == []
    at.button(key="label-7").click().run()
    assert "저장했습니다" in at.success[0].value
    assert english_left(at, [code]) == []
    at.button(key="label-3").click().run()  # nothing drawn
    assert "먼저 숫자를 그린" in texts(at)
    at.button(key="join_undo").click().run()
    assert "되돌렸습니다" in texts(at)
    assert store.class_drawings(code).y.tolist() == []
    assert english_left(at, [code]) == []


def test_a_deleted_class_is_said_in_korean(store, canvas):
    at, code = joined_ko(store)
    draw_next(at, canvas, SEVEN)
    store.delete_class(code)
    at.button(key="label-7").click().run()
    assert "삭제했습니다" in texts(at)
    assert english_left(at, [code, EXAMPLE_CODE]) == []


def test_waiting_drawings_are_said_in_korean(class_database, store, canvas):
    at, code = joined_ko(store)
    draw_next(at, canvas, SEVEN)
    blocker = sqlite3.connect(class_database, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        at.button(key="label-7").click().run()
        assert "아직 저장되지 않았습니다" in at.warning[0].value
        assert english_left(at, [code]) == []
    finally:
        blocker.rollback()
        blocker.close()
    at.run()
    assert "저장했습니다" in at.success[0].value
    assert english_left(at, [code]) == []


def test_switching_language_keeps_the_nickname_and_the_drawing(store, canvas):
    room = store.create_class("7B maths")
    at = open_join(room.code)
    form = [(field.key, field.id) for field in at.text_input] + [(b.key, b.id) for b in at.button]
    at.query_params["lang"] = "ko"
    at.run()
    assert at.title[0].value == "수업에 참여하기"
    # the same widgets: what a phone has typed in the form stays in it
    assert [(f.key, f.id) for f in at.text_input] + [(b.key, b.id) for b in at.button] == form
    at.text_input(key="join_nickname").input("Ada")
    at.button(key="join_submit").click().run()
    assert store.get_student(at.query_params["student"]).nickname == "Ada"
    draw_next(at, canvas, SEVEN)
    at.button(key="label-7").click().run()
    draw_next(at, canvas, ZERO)
    [before] = at.metric
    at.query_params["lang"] = "en"
    at.run()
    [after] = at.metric
    assert (after.label, after.value) == ("Prediction", before.value)  # the drawing is kept
    assert "Saved" in at.success[0].value  # the last tap's notice, now in English
    assert "Ada" in at.caption[0].value
    assert [f"label-{d}" for d in range(10)] == [
        b.key for b in at.button if b.key.startswith("label-")
    ]
