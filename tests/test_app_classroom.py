"""The teacher's Classroom page and the class board through AppTest, on a real SQLite file."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import numpy as np
import pytest
from conftest import needs_mnist
from streamlit.testing.v1 import AppTest
from test_app_draw import SEVEN, ZERO
from visible_text import english_left

from softmax.classroom import ClassInfo, Drawing
from softmax.drawn import render_strokes
from softmax.links import PUBLIC_URL_ENV
from softmax.model import SoftmaxClassifier, shipped_path
from softmax.preprocess import canvas_to_mnist
from softmax.recipes import get_recipe
from softmax.store import TRAINING_SLOT, LeaseBusy, Store
from softmax.ui.lesson import EXAMPLE_CODE
from softmax.ui.teacher import BEHIND_PROXY_ENV, PASSWORD_ENV, UNLOCKED_KEY


def classroom_page() -> None:
    from softmax.ui import classroom

    classroom.render()


def board_page() -> None:
    from softmax.ui import board

    board.render()


@pytest.fixture
def store(class_database) -> Iterator[Store]:
    with Store(f"sqlite:///{class_database}") as opened:
        yield opened


def open_page(page, teacher: bool = False, **query: str) -> AppTest:
    at = AppTest.from_function(page, default_timeout=60)
    if teacher:
        at.session_state[UNLOCKED_KEY] = True
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def start_class(at: AppTest, name: str) -> None:
    at.text_input(key="classroom_name").input(name)
    at.button[0].click().run()
    assert not at.exception


def markdown(at: AppTest) -> str:
    return " ".join(element.value for element in at.markdown)


def test_a_student_sees_no_teacher_action(store):
    store.create_class("7B maths")
    at = open_page(classroom_page)
    assert "is for the teacher" in at.caption[-1].value
    assert not [b for b in at.button if b.key and b.key.startswith("classroom_")]
    assert not at.get("image")
    assert "7B maths" not in markdown(at)


def test_the_teacher_starts_a_class_and_gets_its_code_and_qr(store):
    at = open_page(classroom_page, teacher=True)
    start_class(at, "7B maths")
    [room] = store.list_classes()
    assert room.name == "7B maths"
    assert "started" in at.success[0].value
    assert room.code in [metric.value for metric in at.metric]
    assert at.get("image")  # the QR code
    [join_url] = [c.value for c in at.code]
    assert join_url.endswith(f"/join?code={room.code}")
    assert "localhost" not in join_url and "127.0.0.1" not in join_url


def test_the_public_url_is_the_join_urls_base(store, monkeypatch):
    monkeypatch.setenv(PUBLIC_URL_ENV, "https://studio.school.example/")
    room = store.create_class("7B maths")
    at = open_page(classroom_page, teacher=True)
    assert [c.value for c in at.code] == [f"https://studio.school.example/join?code={room.code}"]


def test_a_public_url_that_is_not_one_is_said_and_the_servers_address_used(store, monkeypatch):
    monkeypatch.setenv(PUBLIC_URL_ENV, "studio.school.example")
    room = store.create_class("3학년 2반")
    at = open_ko(classroom_page, teacher=True)
    assert "studio.school.example" in at.warning[0].value and PUBLIC_URL_ENV in at.warning[0].value
    [join_url] = [c.value for c in at.code]
    assert join_url.startswith("http://") and join_url.endswith(f"/join?code={room.code}")
    assert english_left(at, [room.code]) == []


def test_an_empty_name_is_refused_with_a_sentence(store):
    at = open_page(classroom_page, teacher=True)
    start_class(at, "   ")
    assert "Could not start the class" in at.error[0].value
    assert store.list_classes() == []


def test_close_and_reopen(store):
    room = store.create_class("7B maths")
    at = open_page(classroom_page, teacher=True)
    at.button(key="classroom_close").click().run()
    assert not store.get_class(room.code).is_open
    at.button(key="classroom_reopen").click().run()
    assert store.get_class(room.code).is_open


def test_delete_needs_the_code_typed(store):
    room = store.create_class("7B maths")
    at = open_page(classroom_page, teacher=True)
    assert at.button(key="classroom_delete").disabled
    at.text_input(key="classroom_confirm_delete").input(room.code.lower()).run()
    at.button(key="classroom_delete").click().run()
    assert not at.exception
    assert store.list_classes() == []
    assert "deleted" in at.success[0].value


def test_export_is_offered_once_there_are_drawings(store):
    room = store.create_class("7B maths")
    at = open_page(classroom_page, teacher=True)
    assert not at.get("download_button")
    save(store, room.code, "Ada", [(SEVEN, 7)])
    at.run()
    assert len(at.get("download_button")) == 2


# The board ---------------------------------------------------------------------------------------


def save(store: Store, code: str, nickname: str | None, drawn) -> str:
    """Drawings as a student's page saves them: the model's reading of each, and its label.
    Returns the student's id."""
    student = store.join(code, nickname)
    model = SoftmaxClassifier.load(shipped_path("drawn"))
    for strokes, label in drawn:
        x = canvas_to_mnist(render_strokes(strokes, 20))
        prediction = model.predict(model.prepare(x[None])[0])
        store.save_drawing(
            Drawing(
                student.id, label, x, prediction.digit, prediction.probabilities, model.fingerprint
            )
        )
    return student.id


def gallery(at: AppTest, label: str) -> str:
    return next(e.proto.body for e in at.get("html") if f'aria-label="{label}' in e.proto.body)


def test_the_board_shows_counts_newest_drawings_and_misreads(store):
    room = store.create_class("7B maths")
    save(store, room.code, "Ada", [(SEVEN, 7), (ZERO, 0)])
    save(store, room.code, "Bo", [(SEVEN, 1)])  # a 7 labelled 1: a misread on the board
    at = open_page(board_page, code=room.code)
    assert at.title[0].value == "7B maths"
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Students"], metrics["Drawings"]) == ("2", "3")
    assert re.fullmatch(r"\d+%", metrics["Model on our digits"])
    html = gallery(at, "The newest drawings")
    assert html.count("<figure") == 3
    assert re.findall(r'data-label="(\d)"', html) == ["1", "0", "7"]  # newest first
    assert html.count("sm-misread") == 1
    assert "Bo" in html and "Ada" in html
    assert at.get("vega_lite_chart")  # the class confusion matrix


def test_the_board_names_the_digit_read_worst(store):
    room = store.create_class("7B maths")
    save(store, room.code, "Ada", [(ZERO, 0)] * 3 + [(SEVEN, 4)] * 3)  # 4s the model reads as 7
    at = open_page(board_page, code=room.code)
    assert "**4s** worst: 0 of 3 right" in at.warning[0].value
    assert "for **7**" in at.warning[0].value


def test_the_board_of_an_unknown_class_says_so(store):
    at = open_page(board_page, code="XXXXX")
    assert "There is no class" in at.error[0].value


def test_an_empty_board_says_what_to_do(store):
    room = store.create_class("7B maths")
    at = open_page(board_page, code=room.code)
    assert "No drawings yet" in at.info[0].value
    assert {m.label: m.value for m in at.metric}["Drawings"] == "0"


def test_the_board_reads_with_the_adopted_class_model(store):
    room = store.create_class("7B maths")
    save(store, room.code, "Ada", [(SEVEN, 7)])
    always_three = SoftmaxClassifier(
        np.zeros((784, 10), np.float32), np.eye(10, dtype=np.float32)[3] * 5
    )
    store.adopt_model(room.code, store.save_model(room.code, always_three).id)
    at = open_page(board_page, code=room.code)
    assert {m.label: m.value for m in at.metric}["Model on our digits"] == "0%"


# Teach the model ---------------------------------------------------------------------------------


def class_to_teach(store: Store, name: str, students: tuple[str, ...], monkeypatch) -> ClassInfo:
    """A class with enough digits to teach (six from each student), and a one-epoch recipe, so
    a real child-process fit is quick."""
    from softmax.ui import teach

    monkeypatch.setattr(teach, "teaching_recipe", lambda: get_recipe("default", epochs=1))
    room = store.create_class(name)
    for student in students:
        save(store, room.code, student, [(SEVEN, 7), (ZERO, 0)] * 3)
    return room


@needs_mnist
def test_teaching_trains_under_the_lease_scores_held_out_students_and_adopts(store, monkeypatch):
    """A real child-process fit (a one-epoch recipe, so the test is quick) on the class's digits."""
    from softmax.ui import teach

    room = class_to_teach(store, "7B maths", ("Ada", "Bo", "Cy", "Di"), monkeypatch)
    at = open_page(classroom_page, teacher=True)
    at.button(key="teach_start").click().run()
    assert not at.exception
    teaching = at.session_state[teach.TEACHING_KEY]
    assert teaching.split.n_held_out == 6  # one student of four: split by student
    with pytest.raises(LeaseBusy, match="Teaching the model class"):
        store.acquire_lease(TRAINING_SLOT, "another replica's run", "someone")
    assert teaching.job.wait(180), teaching.job.describe()
    at.run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Held-out students' digits" in labels and "MNIST test" in labels
    assert any("weight maps after" in e.proto.body for e in at.get("html"))
    at.button(key="teach_adopt").click().run()
    assert "Adopted" in at.success[0].value
    adopted = store.get_class(room.code)
    assert adopted.model_fingerprint == teaching.job.progress().result.classifier.fingerprint
    deadline = time.monotonic() + 10
    while store.lease(TRAINING_SLOT) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert store.lease(TRAINING_SLOT) is None  # released when the run ended


def test_teaching_waits_for_enough_digits(store):
    room = store.create_class("7B maths")
    save(store, room.code, "Ada", [(SEVEN, 7)] * 3)
    at = open_page(classroom_page, teacher=True)
    assert "at least 20 labelled digits" in at.info[0].value
    assert not [b for b in at.button if b.key == "teach_start"]


# In Korean ---------------------------------------------------------------------------------------
# A teacher at a projector meets no English sentence: the gate, starting a class, its code and QR,
# closing, exporting and deleting it, teaching the model, the board. Join codes are Latin letters
# in every language (english_left's `data`); the classes have Korean names, as a Korean class does.


KOREAN_NAMES = ("민수", "지아", "서준", "하은")


def open_ko(page, teacher: bool = False, **query: str) -> AppTest:
    return open_page(page, teacher, lang="ko", **query)


def test_the_teachers_gate_in_korean(store, monkeypatch):
    monkeypatch.setenv(BEHIND_PROXY_ENV, "1")
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    at = open_ko(classroom_page)
    assert "교사만" in at.caption[-1].value
    assert english_left(at) == []
    monkeypatch.setenv(PASSWORD_ENV, "분필")
    at = open_ko(classroom_page)
    at.text_input[0].input("칠판")
    at.button[0].click().run()
    assert "교사 비밀번호가 아닙니다" in at.error[0].value
    assert english_left(at) == []
    at.text_input[0].input("분필")
    at.button[0].click().run()
    assert at.expander[0].label == "수업 시작하기"  # unlocked: the page itself
    assert english_left(at) == []


def test_running_a_class_in_korean(store):
    at = open_ko(classroom_page, teacher=True)
    assert english_left(at) == []  # no class yet
    start_class(at, "   ")
    assert "이름이 필요합니다" in at.error[0].value
    assert english_left(at) == []
    start_class(at, "3학년 2반")
    [room] = store.list_classes()
    assert "시작했습니다" in at.success[0].value
    assert english_left(at, [room.code]) == []
    save(store, room.code, "민수", [(SEVEN, 7)])
    at.run()
    assert len(at.get("download_button")) == 2
    assert "학생 1명" in markdown(at)  # the delete popover counts what goes
    assert english_left(at, [room.code]) == []
    at.button(key="classroom_close").click().run()
    assert "닫았습니다" in at.success[0].value
    assert english_left(at, [room.code]) == []
    at.text_input(key="classroom_confirm_delete").input(room.code).run()
    at.button(key="classroom_delete").click().run()
    assert "삭제했습니다" in at.success[0].value
    assert english_left(at, [room.code]) == []


def test_teaching_waits_for_enough_digits_in_korean(store):
    room = store.create_class("3학년 2반")
    save(store, room.code, "민수", [(SEVEN, 7)] * 3)
    at = open_ko(classroom_page, teacher=True)
    assert "20개 이상" in at.info[0].value
    assert english_left(at, [room.code]) == []


def test_teaching_is_offered_in_korean(store, monkeypatch):
    room = class_to_teach(store, "3학년 2반", KOREAN_NAMES, monkeypatch)
    at = open_ko(classroom_page, teacher=True)
    assert at.button(key="teach_start").label == "모델 가르치기"
    assert "학생 4명 중 1명" in markdown(at)
    assert english_left(at, [room.code]) == []


def test_switching_language_keeps_the_chosen_class_and_the_typed_name(store):
    store.create_class("3학년 1반")
    second = store.create_class("3학년 2반")
    at = open_page(classroom_page, teacher=True)
    at.selectbox(key="classroom_chosen").select(second.code).run()
    at.query_params["lang"] = "ko"
    at.run()
    assert at.selectbox(key="classroom_chosen").value == second.code
    assert at.metric[0].label == "참여 코드" and at.metric[0].value == second.code
    assert english_left(at, [c.code for c in store.list_classes()]) == []


def test_the_board_in_korean(store):
    at = open_ko(board_page)
    assert at.title[0].value == "수업 게시판"
    assert english_left(at, [EXAMPLE_CODE]) == []
    at = open_ko(board_page, code="XXXXX")
    assert "수업이 없습니다" in at.error[0].value
    assert english_left(at, ["XXXXX"]) == []
    room = store.create_class("3학년 2반")
    at = open_ko(board_page, code=room.code)
    assert "아직 그림이 없습니다" in at.info[0].value
    assert english_left(at, [room.code]) == []


def test_a_boards_drawings_in_korean(store):
    room = store.create_class("3학년 2반")
    save(store, room.code, "민수", [(ZERO, 0)] * 3 + [(SEVEN, 4)] * 3)  # 4s read as 7
    anonymous = save(store, room.code, None, [(SEVEN, 7)])  # no nickname: a tag, in Korean
    at = open_ko(board_page, code=room.code)
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["학생"], metrics["그림"]) == ("2", "7")
    assert "**4**" in at.warning[0].value and "3개 중 0개" in at.warning[0].value
    html = gallery(at, "최근 그림")
    assert "익명-" in html and "읽은 답 7 ✗" in html
    assert english_left(at, [room.code, anonymous[:6]]) == []  # the tag is the id's start


@needs_mnist
def test_teaching_the_model_in_korean(store, monkeypatch):
    """A real one-epoch run, watched and adopted in Korean: progress, before → after, adopt."""
    from softmax.ui import teach

    room = class_to_teach(store, "3학년 2반", KOREAN_NAMES, monkeypatch)
    at = open_ko(classroom_page, teacher=True)
    at.button(key="teach_start").click().run()
    assert not at.exception
    assert english_left(at, [room.code]) == []  # running: its progress bar and Stop
    teaching = at.session_state[teach.TEACHING_KEY]
    assert teaching.job.wait(180), teaching.job.describe()
    at.run()
    labels = [m.label for m in at.metric]
    assert "학습에서 뺀 학생들의 숫자" in labels and "MNIST 테스트" in labels
    assert english_left(at, [room.code]) == []
    at.button(key="teach_adopt").click().run()
    assert "적용했습니다" in at.success[0].value
    assert english_left(at, [room.code]) == []


def test_a_run_on_another_server_refuses_teaching_saying_what_and_since_when(store, monkeypatch):
    room = class_to_teach(store, "3학년 2반", KOREAN_NAMES, monkeypatch)
    store.acquire_lease(
        TRAINING_SLOT, "Training “default” on MNIST", "the teacher on server b:8501"
    )
    at = open_ko(classroom_page, teacher=True)
    at.button(key="teach_start").click().run()
    assert not at.exception
    refusal = at.warning[0].value
    assert "다른 곳에서 학습이 진행 중입니다" in refusal and "초 전 시작" in refusal
    assert "“기본” 레시피로 MNIST 숫자 학습" in refusal  # what runs, in the session's words
    assert english_left(at, [room.code]) == []
    at.query_params["lang"] = "en"
    at.button(key="teach_start").click().run()
    assert re.search(
        r"Training “default” on MNIST is running \(started by the teacher on server b:8501 "
        r"\d+ s ago\)",
        at.warning[0].value,
    )
