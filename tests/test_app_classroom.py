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

from softmax.classroom import Drawing
from softmax.drawn import render_strokes
from softmax.links import PUBLIC_URL_ENV
from softmax.model import SoftmaxClassifier, shipped_path
from softmax.preprocess import canvas_to_mnist
from softmax.recipes import get_recipe
from softmax.store import TRAINING_SLOT, LeaseBusy, Store
from softmax.ui.teacher import UNLOCKED_KEY


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


def save(store: Store, code: str, nickname: str, drawn) -> None:
    """Drawings as a student's page saves them: the model's reading of each, and its label."""
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


@needs_mnist
def test_teaching_trains_under_the_lease_scores_held_out_students_and_adopts(store, monkeypatch):
    """A real child-process fit (a one-epoch recipe, so the test is quick) on the class's digits."""
    from softmax.ui import teach

    monkeypatch.setattr(teach, "teaching_recipe", lambda: get_recipe("default", epochs=1))
    room = store.create_class("7B maths")
    for name in ("Ada", "Bo", "Cy", "Di"):
        save(store, room.code, name, [(SEVEN, 7), (ZERO, 0)] * 3)
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
