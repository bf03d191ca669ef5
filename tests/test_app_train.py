"""The Train page through AppTest: start, watch, stop, start again, refuse a second run, let
the teacher stop anyone's run, get MNIST, use and save.

Runs train on scikit-learn's 8×8 digits (no download, a few seconds). Training runs in a real
child process (`training_jobs`), watched by a thread of this process, so the tests wait on the
job itself rather than on the clock.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from visible_text import english_left

from softmax.data import load_digits_8x8, to_inputs
from softmax.model import SoftmaxClassifier, shipped_path
from softmax.recipes import get_recipe
from softmax.store import DATABASE_URL_ENV, TRAINING_SLOT, Store
from softmax.training_jobs import BY_TEACHER, TrainingJob
from softmax.ui import state
from softmax.ui.language import LANG_KEY as LANGUAGE
from softmax.ui.teacher import BEHIND_PROXY_ENV, PASSWORD_ENV, UNLOCKED_KEY
from softmax.ui.train_view import OFFERED, PENALTIES, training_slot

JOB_TIMEOUT = 180  # s: a busy 2-core machine with TensorFlow's first import


def page() -> None:
    from softmax.ui import train_view

    train_view.render()


def choice_page() -> None:
    import streamlit as st

    from softmax.ui import state

    st.write(f"choice={state.current_choice().key}")


@pytest.fixture(autouse=True)
def saved_model(monkeypatch, tmp_path):
    """Where "Save as default" writes, per test, and the database whose lease training takes:
    never the user's home."""
    path = tmp_path / "saved.npz"
    monkeypatch.setenv(state.SAVED_ENV, str(path))
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{tmp_path / 'studio.db'}")
    yield path
    busy = training_slot().busy  # leave the server's slot free for the next test
    if busy is not None:
        busy.stop()
        busy.wait(JOB_TIMEOUT)


def open_page(epochs: int, batch_size: int = 128) -> AppTest:
    """A session on the Train page set to the default recipe on the 8×8 digits."""
    at = AppTest.from_function(page, default_timeout=60).run()
    at.radio(key="train_dataset").set_value("digits").run()
    at.selectbox(key="train_recipe").set_value("default").run()
    at.number_input(key="train_epochs").set_value(epochs)
    at.number_input(key="train_batch_size").set_value(batch_size).run()
    assert not at.exception
    return at


def a_long_run_under_way() -> tuple[AppTest, TrainingJob]:
    """A session whose 500-epoch run (hours, at batch 16) has reported its first epoch."""
    at = open_page(epochs=500, batch_size=16)
    job = start(at)
    deadline = time.monotonic() + JOB_TIMEOUT
    while not job.progress().epochs and time.monotonic() < deadline:
        job.wait(0.2)
    return at, job


def start(at: AppTest):
    at.button(key="train_start").click().run()
    return at.session_state["training_job"]


def finish(at: AppTest):
    job = at.session_state["training_job"]
    assert job.wait(JOB_TIMEOUT), "training did not finish"
    at.run()
    assert not at.exception
    return job.progress().result


@pytest.fixture(scope="module")
def trained() -> AppTest:
    """A session whose 3-epoch training has finished (shared: training is the slow part)."""
    at = open_page(epochs=3)
    start(at)
    finish(at)
    return at


def test_a_run_on_another_server_refuses_start_saying_whose_and_once_it_ends_start_works():
    """Another replica's run holds the store's training lease (taken here as that replica
    would): Start is refused with what runs, whose and since when, and the page stays usable."""
    at = open_page(epochs=2)
    with Store(os.environ[DATABASE_URL_ENV]) as other_replica:
        lease = other_replica.acquire_lease(
            TRAINING_SLOT, "Teaching the model class K7MXR", "the teacher on server b:8502"
        )
        at.button(key="train_start").click().run()
        assert not at.exception
        assert "training_job" not in at.session_state
        [refused] = at.warning
        assert re.fullmatch(
            r"Teaching the model class K7MXR is running \(started by the teacher on server "
            r"b:8502 \d+ s ago\) — try again when it finishes\.",
            refused.value,
        )
        assert training_slot().busy is None  # no child started
        at.number_input(key="train_epochs").set_value(3).run()  # still usable
        assert not at.button(key="train_start").disabled and not at.warning
        lease.release()
        job = start(at)
        assert job.running and not at.warning
        held = other_replica.lease(TRAINING_SLOT)  # now this server's run holds it
        assert held.holder == "Training “default (edited)” on the 8×8 digits"
        assert held.owner.startswith("a visitor on server ")
        finish(at)
        deadline = time.monotonic() + 10
        while other_replica.lease(TRAINING_SLOT) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert other_replica.lease(TRAINING_SLOT) is None  # released when the run ended


def test_a_run_on_another_server_is_shown_and_only_the_teacher_can_ask_it_to_stop(monkeypatch):
    """Another replica's run (its lease in the store): the page says what runs, whose and since
    when before anyone presses Start; a student gets no button; the teacher's "Stop that
    training" reaches that run through the store, which is how its own server learns it."""
    monkeypatch.setenv(BEHIND_PROXY_ENV, "1")  # not the server's own machine: a student
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    at = open_page(epochs=2)
    with Store(os.environ[DATABASE_URL_ENV]) as other_replica:
        lease = other_replica.acquire_lease(
            TRAINING_SLOT, "Teaching the model class K7MXR", "the teacher on server b:8502"
        )
        try:
            at.run()
            assert not at.exception
            assert any(
                re.fullmatch(
                    r"Teaching the model class K7MXR is running on another of the studio's "
                    r"servers \(started by the teacher on server b:8502 \d+ s ago\)\.",
                    caption.value,
                )
                for caption in at.caption
            )
            assert "train_stop_elsewhere" not in [button.key for button in at.button]
            at.session_state[UNLOCKED_KEY] = True  # the teacher, password entered
            at.run()
            at.button(key="train_stop_elsewhere").click().run()
            assert not at.exception
            assert other_replica.lease(TRAINING_SLOT).stop_requested
            assert at.info[0].value.startswith("Asked that training to stop")
            assert "train_stop_elsewhere" not in [button.key for button in at.button]  # asked
            at.query_params["lang"] = "ko"
            at.run()
            assert any("스튜디오의 다른 서버에서 학습이" in c.value for c in at.caption)
        finally:
            lease.release()
    at.run()
    assert not any("스튜디오의 다른 서버" in c.value for c in at.caption)  # ended: nothing said


def test_a_database_that_does_not_answer_refuses_start_with_a_sentence(monkeypatch):
    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql+psycopg://studio@127.0.0.1:9/studio")
    at = open_page(epochs=2)
    at.button(key="train_start").click().run()
    assert not at.exception
    assert at.warning[0].value.startswith("Training cannot start now: the database that keeps")
    assert training_slot().busy is None and "training_job" not in at.session_state


def test_the_page_does_not_import_tensorflow():
    code = "import sys, softmax.ui.train_view; sys.exit('tensorflow' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.slow
def test_a_running_training_shows_its_progress_epoch_by_epoch():
    at = open_page(epochs=40)
    job = start(at)
    seen = set()
    while job.running:
        at.run()
        seen.update(bar.proto.value for bar in at.get("progress"))
    assert any(0 < value < 100 for value in seen)


@pytest.mark.slow
def test_a_finished_training_is_reported_with_its_test_accuracy(trained):
    result = trained.session_state["training_job"].progress().result
    (_, _), (x_test, y_test) = load_digits_8x8()
    shown = {metric.label: metric.value for metric in trained.metric}
    assert "Trained default (edited)" in trained.success[0].value
    assert shown["Your model: test accuracy"] == f"{result.test_accuracy:.1%}"
    assert result.classifier.accuracy(to_inputs(x_test), y_test) == pytest.approx(
        result.test_accuracy
    )


@pytest.mark.slow
def test_use_in_this_session_makes_the_new_weights_the_sessions_model(trained):
    result = trained.session_state["training_job"].progress().result
    trained.button(key="train_use").click().run()
    used = trained.session_state[state.TRAINED_KEY]
    assert trained.session_state[state.CHOICE_KEY] == state.SESSION
    x = to_inputs(load_digits_8x8()[1][0][:50])  # (50, 64)
    expected = x @ result.classifier.weights + result.classifier.bias  # (50, 64) @ (64, 10)
    np.testing.assert_allclose(used.logits(x), expected, rtol=1e-6)


@pytest.mark.slow
def test_another_session_does_not_see_a_model_used_in_this_one(trained):
    trained.button(key="train_use").click().run()
    other = AppTest.from_function(choice_page, default_timeout=30).run()
    assert state.TRAINED_KEY not in other.session_state
    assert other.markdown[0].value != f"choice={state.SESSION}"


def save_action(teacher: bool) -> AppTest:
    """The Train page's "Save as default" action for a real 28×28 model (the shipped "default";
    what a finished MNIST training offers), for the teacher or a student."""

    def action() -> None:
        from softmax.model import SoftmaxClassifier, shipped_path
        from softmax.ui import train_view

        train_view._save_as_default(SoftmaxClassifier.load(shipped_path("default")))

    at = AppTest.from_function(action, default_timeout=30)
    at.session_state[UNLOCKED_KEY] = teacher
    return at.run()


def test_the_teacher_saves_the_default_that_new_sessions_start_with(saved_model):
    at = save_action(teacher=True)
    at.button(key="train_save").click().run()
    assert not at.exception and not at.error
    model = SoftmaxClassifier.load(shipped_path("default"))
    assert SoftmaxClassifier.load(saved_model).fingerprint == model.fingerprint
    assert "New sessions start with it" in at.caption[-1].value
    assert sorted(p.name for p in saved_model.parent.iterdir()) == ["saved.npz"]
    fresh = AppTest.from_function(choice_page, default_timeout=30).run()
    assert fresh.markdown[0].value == f"choice={state.SAVED}"


def test_a_student_is_not_offered_save_as_default_and_is_told_why(saved_model, monkeypatch):
    monkeypatch.setenv(BEHIND_PROXY_ENV, "1")
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    at = save_action(teacher=False)
    assert not at.exception
    assert "train_save" not in [button.key for button in at.button]
    assert "Saving the default model is for the teacher" in at.caption[0].value
    assert not saved_model.exists()


def test_a_save_that_fails_is_an_error_with_the_reason_not_a_traceback(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(state.SAVED_ENV, str(blocker / "saved.npz"))
    at = save_action(teacher=True)
    at.button(key="train_save").click().run()
    assert not at.exception
    [error] = at.error
    assert "Could not save the default model" in error.value
    assert "File exists" in error.value and "a-file" in error.value  # where it went wrong


@pytest.mark.slow
def test_an_8x8_model_cannot_become_the_default_and_the_page_says_why(trained, saved_model):
    trained.session_state[UNLOCKED_KEY] = True
    trained.run()
    assert trained.button(key="train_save").disabled
    assert any("needs a 28×28 model" in caption.value for caption in trained.caption)
    assert not saved_model.exists()


@pytest.mark.slow
def test_a_second_training_request_is_refused_saying_why():
    first = open_page(epochs=500, batch_size=16)
    start(first)
    second = open_page(epochs=2)
    second.button(key="train_start").click().run()
    assert "training_job" not in second.session_state
    assert second.warning[0].value.startswith("Another training is running")
    assert "epoch" in second.warning[0].value


@pytest.mark.slow
def test_stop_ends_a_running_training_after_the_current_epoch():
    at, _ = a_long_run_under_way()
    at.run()
    at.button(key="train_stop").click().run()
    result = finish(at)
    assert result.stopped_early
    assert "stopped after epoch" in at.success[0].value


def test_without_mnist_the_page_offers_the_8x8_digits_and_says_how_to_get_mnist(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("SOFTMAX_MNIST", str(tmp_path / "missing.npz"))
    at = AppTest.from_function(page, default_timeout=30).run()
    assert at.radio(key="train_dataset").value == "digits"
    at.radio(key="train_dataset").set_value("mnist").run()
    assert not at.exception
    assert "SOFTMAX_MNIST" in at.info[0].value
    assert at.button(key="train_start").disabled


@pytest.mark.slow
def test_a_training_that_fails_is_shown_as_an_error_not_raised():
    job = TrainingJob(get_recipe("deskew"), "digits", owner="test")  # deskew needs 28×28
    job.start()
    assert job.wait(JOB_TIMEOUT)
    at = AppTest.from_function(page, default_timeout=30)
    at.session_state["training_job"] = job
    at.run()
    assert not at.exception
    assert at.error[0].value.startswith("Training failed: ValueError: deskew and drawn need 28×28")


@pytest.mark.slow
def test_a_finished_run_leaves_the_page_ready_to_start_again():
    at = open_page(epochs=2)
    first = start(at)
    assert first.wait(JOB_TIMEOUT)
    at.run()  # the first run after the result arrived: ready, whatever the child is doing
    assert not at.exception
    assert at.success[0].value.startswith("Trained default (edited)")
    assert not at.button(key="train_start").disabled
    assert not at.selectbox(key="train_recipe").disabled
    assert not at.radio(key="train_dataset").disabled
    second = start(at)
    assert second is not first and second.running
    finish(at)
    assert at.success[0].value.startswith("Trained default (edited)")


def test_the_page_opens_on_the_default_recipe_sized_for_the_data_set(monkeypatch, tmp_path):
    monkeypatch.setenv("SOFTMAX_MNIST", str(tmp_path / "missing.npz"))
    at = AppTest.from_function(page, default_timeout=30).run()
    assert at.selectbox(key="train_recipe").value == "default"
    digits = get_recipe("default", "digits")
    assert at.number_input(key="train_batch_size").value == digits.batch_size == 32
    assert at.select_slider(key="train_weight_penalty").value == digits.weight_penalty
    assert "default" in at.markdown[0].value and "Measured here" in at.markdown[0].value
    assert "360 held-out 8×8 digits" in at.markdown[0].value


@pytest.mark.slow
def test_with_mnist_the_page_opens_on_the_default_recipe_for_mnist(mnist):
    at = AppTest.from_function(page, default_timeout=60).run()
    assert at.radio(key="train_dataset").value == "mnist"
    assert at.selectbox(key="train_recipe").value == "default"
    assert at.number_input(key="train_batch_size").value == 2048
    assert "MNIST's 10,000 test digits" in at.markdown[0].value


def test_switching_the_data_set_resizes_the_recipe():
    at = AppTest.from_function(page, default_timeout=30).run()
    at.radio(key="train_dataset").set_value("digits").run()
    at.selectbox(key="train_recipe").set_value("notebook").run()
    assert at.number_input(key="train_batch_size").value == 32
    assert at.selectbox(key="train_recipe").options == ["notebook", "default"]


def test_the_page_states_the_time_limit():
    at = AppTest.from_function(page, default_timeout=30).run()
    assert any("stopped after 10 min at most" in caption.value for caption in at.caption)


def test_the_weight_penalty_control_goes_into_the_recipe():
    at = open_page(epochs=2)
    at.select_slider(key="train_weight_penalty").set_value(1e-3).run()
    assert "λ = 0.001" in at.markdown[1].value


@pytest.mark.slow
def test_the_teacher_can_stop_another_sessions_run_and_a_student_cannot():
    owner, job = a_long_run_under_way()
    student = AppTest.from_function(page, default_timeout=30).run()
    assert not [b for b in student.button if b.key == "train_stop_other"]
    teacher = AppTest.from_function(page, default_timeout=30)
    teacher.session_state[UNLOCKED_KEY] = True
    teacher.run()
    teacher.button(key="train_stop_other").click().run()
    result = finish(owner)
    assert result.stopped_early and job.progress().stopped_by == BY_TEACHER
    assert "stopped by the teacher after epoch" in owner.success[0].value


@pytest.mark.slow
def test_get_mnist_downloads_it_and_the_page_trains_on_it_at_once(mnist_to_fetch):
    at = AppTest.from_function(page, default_timeout=120).run()
    assert at.radio(key="train_dataset").value == "digits"
    at.button(key="train_get_mnist").click().run()
    assert not at.exception and not at.error
    assert mnist_to_fetch.is_file()
    assert at.radio(key="train_dataset").value == "mnist"
    assert not at.button(key="train_start").disabled
    assert not [b for b in at.button if b.key == "train_get_mnist"]


def test_a_failed_download_says_how_to_get_mnist_by_hand(no_local_mnist, monkeypatch):
    monkeypatch.setenv("SOFTMAX_MNIST_URL", "http://127.0.0.1:9/mnist.npz")  # discard port
    at = AppTest.from_function(page, default_timeout=60).run()
    at.button(key="train_get_mnist").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("Could not get MNIST: could not download MNIST")
    assert "To get it by hand" in at.error[0].value
    assert not no_local_mnist.exists()


def test_every_offered_recipes_penalty_is_on_the_penalty_control():
    for dataset, names in OFFERED.items():
        assert all(get_recipe(name, dataset).weight_penalty in PENALTIES for name in names)


def replayed_maps(at: AppTest) -> str:
    """The aria-label of the replay's weight maps ("The ten weight maps after epoch N")."""
    bodies = " ".join(element.proto.body for element in at.get("html"))
    return re.search(r'aria-label="(The ten weight maps after epoch \d+)"', bodies).group(1)


def loss_chart_runs(at: AppTest) -> list[str]:
    [chart] = [c for c in at.get("vega_lite_chart") if c.proto.alt.startswith("Test loss per")]
    return json.loads(chart.proto.spec)["layer"][0]["encoding"]["color"]["scale"]["domain"]


def test_a_finished_run_replays_its_weights_forming_epoch_by_epoch(trained):
    job = trained.session_state["training_job"]
    assert len(job.progress().weights) == 4  # before training, then after each of 3 epochs
    slider = trained.slider(key="train_replay")
    assert (slider.min, slider.max, slider.value) == (0, 3, 3)
    assert replayed_maps(trained) == "The ten weight maps after epoch 3"
    slider.set_value(0).run()
    assert replayed_maps(trained) == "The ten weight maps after epoch 0"
    assert any("starting weights" in caption.value for caption in trained.caption)
    [run] = loss_chart_runs(trained)
    assert run.startswith("1. default (edited): adam rate 0.01, batch 128, 3 epochs")
    assert run.endswith("8×8 digits")


@pytest.mark.slow
def test_each_run_of_the_session_keeps_its_curve_labelled_by_its_settings():
    at = open_page(epochs=2)
    start(at)
    finish(at)
    at.number_input(key="train_epochs").set_value(3).run()
    start(at)
    finish(at)
    first, second = loss_chart_runs(at)
    assert first.startswith("1. ") and ", 2 epochs" in first
    assert second.startswith("2. ") and ", 3 epochs" in second


# --- in Korean (issue 12) ------------------------------------------------------------------------


def in_korean(at: AppTest) -> AppTest:
    """`at` with the session's language set to Korean, before its next run."""
    at.session_state[LANGUAGE] = "ko"
    return at


def korean_page(**state_values) -> AppTest:
    at = in_korean(AppTest.from_function(page, default_timeout=60))
    for key, value in state_values.items():
        at.session_state[key] = value
    return at.run()


def test_the_page_in_korean_without_mnist_has_no_english_sentence(no_local_mnist):
    at = korean_page()
    assert not at.exception
    assert at.title[0].value == "모델 학습하기"
    assert english_left(at) == []
    assert at.button(key="train_get_mnist").label == "MNIST 받기 (11 MB)"
    at.radio(key="train_dataset").set_value("mnist").run()
    assert at.info[0].value.startswith("이곳에서는 MNIST를 쓸 수 없습니다.")
    assert english_left(at) == []


def test_a_missing_mnist_file_is_told_in_korean(monkeypatch, tmp_path):
    monkeypatch.setenv("SOFTMAX_MNIST", str(tmp_path / "missing.npz"))
    at = korean_page()
    at.radio(key="train_dataset").set_value("mnist").run()
    assert "missing.npz" in at.info[0].value and "파일이 없습니다" in at.info[0].value
    assert english_left(at) == []


def test_every_recipe_and_data_set_reads_in_korean(no_local_mnist):
    at = korean_page()
    for dataset, names in OFFERED.items():
        at.radio(key="train_dataset").set_value(dataset).run()
        for name in names:
            at.selectbox(key="train_recipe").set_value(name).run()
            at.number_input(key="train_batch_size").set_value(4096).run()  # one step an epoch
            assert not at.exception
            assert english_left(at) == [], (dataset, name)


def test_a_failed_download_is_told_in_korean_with_the_manual_steps(no_local_mnist, monkeypatch):
    monkeypatch.setenv("SOFTMAX_MNIST_URL", "http://127.0.0.1:9/mnist.npz")  # discard port
    at = korean_page()
    at.button(key="train_get_mnist").click().run()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith("MNIST를 받지 못했습니다.")
    assert "`http://127.0.0.1:9/mnist.npz`" in error.value and "직접 받으려면" in error.value
    assert english_left(at) == []


def test_switching_the_language_keeps_the_recipe_and_every_setting():
    at = open_page(epochs=7)
    at.selectbox(key="train_recipe").set_value("notebook").run()
    at.number_input(key="train_epochs").set_value(7).run()
    at.select_slider(key="train_weight_penalty").set_value(1e-3).run()
    chosen = {
        "recipe": at.selectbox(key="train_recipe").value,
        "dataset": at.radio(key="train_dataset").value,
        "optimizer": at.selectbox(key="train_optimizer").value,
        "epochs": at.number_input(key="train_epochs").value,
        "batch": at.number_input(key="train_batch_size").value,
        "penalty": at.select_slider(key="train_weight_penalty").value,
    }
    assert chosen == {
        "recipe": "notebook",
        "dataset": "digits",
        "optimizer": "sgd",
        "epochs": 7,
        "batch": 32,
        "penalty": 1e-3,
    }
    in_korean(at).run()
    assert not at.exception
    assert at.selectbox(key="train_recipe").value == "notebook"
    assert at.selectbox(key="train_recipe").label == "레시피"
    assert at.number_input(key="train_epochs").value == 7
    assert at.select_slider(key="train_weight_penalty").value == 1e-3
    assert "λ = 0.001" in at.markdown[1].value and "7번 돌며" in at.markdown[1].value
    assert english_left(at) == []
    at.session_state[LANGUAGE] = "en"
    at.run()
    assert at.selectbox(key="train_recipe").value == "notebook"
    assert at.number_input(key="train_epochs").value == 7
    assert "7 passes over the training images" in at.markdown[1].value


@pytest.mark.slow
def test_a_run_in_korean_has_no_english_sentence_while_it_trains_and_after():
    at = in_korean(open_page(epochs=500, batch_size=16))
    at.session_state[UNLOCKED_KEY] = True  # the teacher: the save button, not the gate
    job = start(at)
    deadline = time.monotonic() + JOB_TIMEOUT
    while not job.progress().epochs and time.monotonic() < deadline:
        job.wait(0.2)
    at.run()
    [bar] = at.get("progress")
    assert bar.proto.text.startswith("에포크 ") and "테스트 정확도" in bar.proto.text
    assert at.button(key="train_stop").label == "멈춤"
    assert english_left(at) == []
    at.button(key="train_stop").click().run()
    assert finish(at).stopped_early
    assert "번째에서 멈췄습니다" in at.success[0].value
    assert english_left(at) == []
    at.button(key="train_use").click().run()
    assert any("28×28 모델이 필요합니다" in caption.value for caption in at.caption)
    assert at.button(key="train_save").disabled
    assert english_left(at) == []


@pytest.mark.slow
def test_switching_a_finished_run_to_korean_keeps_its_result(trained):
    job = trained.session_state["training_job"]
    trained.session_state[UNLOCKED_KEY] = True  # the gate's words are teacher.py's
    try:
        in_korean(trained).run()
        assert not trained.exception
        assert trained.session_state["training_job"] is job
        assert trained.success[0].value.startswith("기본 (수정함) 레시피를")
        mine = f"{job.progress().result.test_accuracy:.1%}"
        assert {m.label: m.value for m in trained.metric}["내 모델: 테스트 정확도"] == mine
        epoch = trained.slider(key="train_replay").value  # kept across the switch
        assert replayed_maps_ko(trained) == f"에포크 {epoch} 뒤의 가중치 지도 10장"
        assert english_left(trained) == []
    finally:
        trained.session_state[LANGUAGE] = "en"
        trained.run()
    assert trained.success[0].value.startswith("Trained default (edited)")


def replayed_maps_ko(at: AppTest) -> str:
    bodies = " ".join(element.proto.body for element in at.get("html"))
    return re.search(r'aria-label="(에포크 \d+ 뒤의 가중치 지도 10장)"', bodies).group(1)


@pytest.mark.slow
def test_a_training_that_fails_is_told_in_korean():
    job = TrainingJob(get_recipe("deskew"), "digits", owner="test")  # deskew needs 28×28
    job.start()
    assert job.wait(JOB_TIMEOUT)
    at = korean_page(training_job=job)
    assert not at.exception
    assert at.error[0].value.startswith("학습에 실패했습니다. 오류 내용: `ValueError: deskew")
    assert english_left(at) == []


def test_the_teacher_saves_the_default_in_korean_and_a_failure_is_told_in_korean(
    saved_model, monkeypatch, tmp_path
):
    def action() -> None:
        from softmax.model import SoftmaxClassifier, shipped_path
        from softmax.ui import train_view

        train_view._save_as_default(SoftmaxClassifier.load(shipped_path("default")))

    at = korean_page_of(action, **{UNLOCKED_KEY: True})
    assert at.button(key="train_save").label == "기본 모델로 저장"
    at.button(key="train_save").click().run()
    assert not at.exception and saved_model.is_file()
    assert "새 세션은 이 모델로 시작합니다" in at.caption[-1].value
    assert english_left(at) == []
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(state.SAVED_ENV, str(blocker / "saved.npz"))
    at.button(key="train_save").click().run()
    [error] = at.error
    assert error.value.startswith("기본 모델을 ") and "a-file" in error.value
    assert english_left(at) == []


def korean_page_of(function, **state_values) -> AppTest:
    at = in_korean(AppTest.from_function(function, default_timeout=30))
    for key, value in state_values.items():
        at.session_state[key] = value
    return at.run()


def test_a_run_on_another_server_is_told_in_korean_what_whose_and_since_when():
    at = in_korean(open_page(epochs=2))
    with Store(os.environ[DATABASE_URL_ENV]) as other_replica:
        lease = other_replica.acquire_lease(
            TRAINING_SLOT,
            "Training “default (edited)” on the 8×8 digits",
            "the teacher on server b:8502",
        )
        at.button(key="train_start").click().run()
        lease.release()
    [refused] = at.warning
    assert re.fullmatch(
        r"지금 다른 곳에서 학습이 진행 중입니다: “기본 \(수정함\)” 레시피로 8×8 숫자 학습"
        r"\(서버 b:8502의 교사, \d+초 전 시작\)\. 끝난 뒤에 다시 시도하세요\.",
        refused.value,
    )
    assert english_left(at) == []


def test_a_database_that_does_not_answer_is_told_in_korean(monkeypatch):
    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql+psycopg://studio@127.0.0.1:9/studio")
    at = in_korean(open_page(epochs=2))
    at.button(key="train_start").click().run()
    assert at.warning[0].value.startswith("지금은 학습을 시작할 수 없습니다.")
    assert english_left(at) == []


@pytest.mark.slow
def test_a_second_training_request_is_refused_in_korean():
    first = open_page(epochs=500, batch_size=16)
    start(first)
    second = in_korean(open_page(epochs=2))
    second.button(key="train_start").click().run()
    refused = second.warning[0].value  # AppTest sessions share one id: "this session"
    assert refused.startswith("다른 학습이 진행 중입니다(") and "에포크 " in refused
    assert english_left(second) == []


@pytest.mark.parametrize(
    ("holder", "owner"),
    [
        ("Training “default (edited)” on the 8×8 digits", "a visitor on server a:8501"),
        ("Training “notebook” on MNIST", "the teacher on server b:8502"),
        ("Teaching the model class K7MXR", "the teacher on server b:8502"),
        ("a run written by something else", "someone"),
    ],
)
def test_another_servers_refusal_reads_its_record_back_in_each_language(holder, owner):
    from datetime import timedelta

    from softmax.classroom import utc_now
    from softmax.i18n import Messages
    from softmax.store import LeaseBusy, LeaseInfo
    from softmax.training_lease import TrainingRefused
    from softmax.ui.training import refusal

    since = utc_now() - timedelta(minutes=5)
    lease = LeaseInfo(TRAINING_SLOT, holder, owner, since, since + timedelta(minutes=1), False)
    refused = TrainingRefused(f"{LeaseBusy(lease)}.", lease=lease)
    assert refusal(refused, Messages("en")) == str(refused)  # the English is the record's
    korean = refusal(refused, Messages("ko"))
    assert "5분 전 시작" in korean
    assert (holder in korean) == holder.startswith("a run written")  # unknown: shown as is


def test_a_student_is_told_in_korean_why_save_as_default_is_not_offered(monkeypatch):
    monkeypatch.setenv(BEHIND_PROXY_ENV, "1")
    monkeypatch.delenv(PASSWORD_ENV, raising=False)

    def action() -> None:
        from softmax.model import SoftmaxClassifier, shipped_path
        from softmax.ui import train_view

        train_view._save_as_default(SoftmaxClassifier.load(shipped_path("default")))

    at = korean_page_of(action, **{UNLOCKED_KEY: False})
    assert "train_save" not in [button.key for button in at.button]
    assert at.caption[0].value.startswith("기본 모델 저장")
    assert english_left(at) == []
