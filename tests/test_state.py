"""The session's model: which one a new session starts with, that an open session keeps its own,
that a configured model no view can use falls back to a shipped one with a warning, and that the
saved default is written whole even while two saves race.

Pages run as the app runs them: the sidebar picker (`state.model_picker`, drawn by app.py on
every page) and then the view. AppTest sessions are not the teacher (see tests/test_teacher.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import needs_mnist
from streamlit.testing.v1 import AppTest

from softmax.model import (
    ModelFileError,
    SoftmaxClassifier,
    UnusableModel,
    default_shipped,
    shipped_path,
)
from softmax.ui import state
from softmax.ui.teacher import UNLOCKED_KEY

ROOT = Path(__file__).resolve().parents[1]


def with_picker(view: str) -> None:
    """One page as app.py runs it: the picker, then the view; the model in use is written out."""
    import importlib

    import streamlit as st

    from softmax.ui import state

    state.model_picker()
    if view == "upload":  # a PNG of a drawn 7, uploaded
        import io

        from PIL import Image

        from softmax.drawn import render_strokes
        from softmax.ui import upload

        png = io.BytesIO()
        Image.fromarray(render_strokes([[(80, 50), (200, 50), (120, 240)]], 20)).save(png, "PNG")
        upload.show_upload(png.getvalue(), "seven.png")
    else:
        importlib.import_module(f"softmax.ui.{view}").render()
    classifier = state.current_classifier()
    st.write(f"in use: {None if classifier is None else classifier.fingerprint}")


def session(view: str = "model_card", **state_values) -> AppTest:
    at = AppTest.from_function(with_picker, args=(view,), default_timeout=60)
    for key, value in state_values.items():
        at.session_state[key] = value
    return at.run()


def in_use(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("in use: ")).removeprefix(
        "in use: "
    )


def fingerprint(name: str) -> str:
    return SoftmaxClassifier.load(shipped_path(name)).fingerprint


def canvas_model(value: float, recipe: str) -> SoftmaxClassifier:
    """A model that reads the canvas, told apart by its weights and its metadata alike."""
    return SoftmaxClassifier(np.full((784, 10), value), np.arange(10), {"recipe": recipe})


@pytest.fixture(autouse=True)
def fresh(monkeypatch, tmp_path) -> Path:
    """No SOFTMAX_MODEL; "Save as default" writes into this test's folder."""
    monkeypatch.delenv(state.MODEL_ENV, raising=False)
    monkeypatch.setenv(state.SAVED_ENV, str(tmp_path / "saved" / "saved.npz"))
    return tmp_path / "saved" / "saved.npz"


# --- which model a session uses -------------------------------------------------------------------


def test_a_new_session_starts_with_the_default_model_the_cli_uses():
    at = session()
    assert not at.exception
    assert at.sidebar.selectbox(key=state.CHOICE_KEY).value == default_shipped()
    assert in_use(at) == SoftmaxClassifier.load().fingerprint


def test_a_new_session_starts_with_a_saved_default():
    saved = canvas_model(0.01, "saved")
    state.save_default(saved)
    at = session()
    assert at.sidebar.selectbox(key=state.CHOICE_KEY).value == state.SAVED
    assert in_use(at) == saved.fingerprint


def test_an_open_session_keeps_its_model_when_a_new_default_is_saved():
    at = session()
    before = in_use(at)
    state.save_default(canvas_model(0.01, "saved"))
    at.run()
    assert in_use(at) == before
    assert at.sidebar.selectbox(key=state.CHOICE_KEY).value == default_shipped()


def test_a_session_on_the_saved_default_keeps_it_until_it_asks_for_the_newer_one():
    first, second = canvas_model(0.01, "first"), canvas_model(0.02, "second")
    state.save_default(first)
    at = session()
    assert in_use(at) == first.fingerprint
    state.save_default(second)
    at.run()
    assert in_use(at) == first.fingerprint  # not switched under the pupil's pen
    assert "newer default was saved" in at.sidebar.info[0].value
    at.sidebar.button(key="model_newer").click().run()
    assert in_use(at) == second.fingerprint
    assert not at.sidebar.info


def test_picking_another_model_switches_to_it():
    at = session()
    at.sidebar.selectbox(key=state.CHOICE_KEY).set_value("default").run()
    assert in_use(at) == fingerprint("default")


# --- configured models that no view can use -------------------------------------------------------


def model_file(path: Path, weights: np.ndarray, bias: np.ndarray) -> Path:
    np.savez(path, weights=weights.astype(np.float32), bias=bias.astype(np.float32))
    return path


UNFIT = {
    "10x10 inputs": (np.zeros((100, 10)), np.zeros(10)),
    "3 classes": (np.zeros((784, 3)), np.zeros(3)),
    "1x1": (np.zeros((1, 1)), np.zeros(1)),
    "weights of 3e38": (np.full((784, 10), 3e38), np.zeros(10)),
}


@pytest.mark.parametrize("view", ["upload", "explorer", "walkthrough", "model_card"])
@pytest.mark.parametrize("unfit", UNFIT, ids=str)
def test_a_model_file_that_does_not_fit_falls_back_with_a_warning_on_every_page(
    view, unfit, monkeypatch, tmp_path
):
    path = model_file(tmp_path / "odd.npz", *UNFIT[unfit])
    monkeypatch.setenv(state.MODEL_ENV, str(path))
    at = session(view)
    assert not at.exception and not at.error
    [warning] = at.sidebar.warning
    assert "SOFTMAX_MODEL names cannot be used as the default" in warning.value
    assert str(tmp_path) not in warning.value  # no server paths for visitors
    assert not any(
        "odd.npz" in label for label in at.sidebar.selectbox(key=state.CHOICE_KEY).options
    )
    assert in_use(at) == SoftmaxClassifier.load().fingerprint


def test_a_broken_saved_default_falls_back_with_a_warning(fresh):
    fresh.parent.mkdir(parents=True)
    fresh.write_bytes(b"PK\x03\x04 half a model")
    at = session("upload")
    assert not at.exception and not at.error
    assert "The saved default model cannot be used" in at.sidebar.warning[0].value
    assert next(m for m in at.metric if m.label == "Prediction").value == "7"


def test_the_teacher_is_told_why_a_configured_model_cannot_be_used(monkeypatch, tmp_path):
    path = model_file(tmp_path / "odd.npz", *UNFIT["3 classes"])
    monkeypatch.setenv(state.MODEL_ENV, str(path))
    at = session(**{UNLOCKED_KEY: True})
    assert "it has 3 classes; a digit model has 10" in at.sidebar.warning[0].value


def test_an_8x8_model_file_is_offered_but_new_sessions_start_with_a_canvas_model(
    monkeypatch, tmp_path
):
    small = SoftmaxClassifier(np.zeros((64, 10)), np.arange(10), {"recipe": "8x8"})
    monkeypatch.setenv(state.MODEL_ENV, str(small.save(tmp_path / "small.npz")))
    at = session()
    picker = at.sidebar.selectbox(key=state.CHOICE_KEY)
    assert "File: small.npz" in picker.options and picker.value == default_shipped()
    assert "cannot be used as the default" in at.sidebar.warning[0].value


@needs_mnist
def test_the_explorer_scores_an_8x8_file_on_the_8x8_digits(monkeypatch, tmp_path):
    small = SoftmaxClassifier(np.zeros((64, 10)), np.arange(10), {"recipe": "8x8"})
    monkeypatch.setenv(state.MODEL_ENV, str(small.save(tmp_path / "small.npz")))
    at = AppTest.from_function(with_picker, args=("explorer",), default_timeout=60)
    at.session_state[state.CHOICE_KEY] = state.ENV_FILE
    at.run()
    assert not at.exception and not at.error
    assert "8×8 test digits" in at.caption[0].value


# --- saving the default ---------------------------------------------------------------------------


def test_only_a_model_that_reads_the_canvas_can_become_the_default(fresh):
    with pytest.raises(UnusableModel, match="needs a 28×28 model"):
        state.save_default(SoftmaxClassifier(np.zeros((64, 10)), np.zeros(10)))
    with pytest.raises(UnusableModel, match="scores overflow"):
        state.save_default(SoftmaxClassifier(np.full((784, 10), 3e38), np.zeros(10)))
    assert not fresh.exists()


def test_the_saved_default_is_one_file_and_an_older_sidecar_goes(fresh):
    fresh.parent.mkdir(parents=True)
    fresh.with_suffix(".json").write_text('{"recipe": "an older save"}')
    model = canvas_model(0.01, "new")
    assert state.save_default(model) == fresh
    assert [path.name for path in fresh.parent.iterdir()] == ["saved.npz"]
    assert SoftmaxClassifier.load(fresh).metadata == {"recipe": "new"}


WRITER = """
import sys, time
import numpy as np
from softmax.model import SoftmaxClassifier
from softmax.ui.state import save_default

value, seconds = float(sys.argv[1]), float(sys.argv[2])
model = SoftmaxClassifier(np.full((784, 10), value), np.arange(10), {"recipe": sys.argv[1]})
saves, deadline = 0, time.monotonic() + seconds
while time.monotonic() < deadline:
    save_default(model)
    saves += 1
print(saves)
"""


def test_two_teachers_saving_at_once_never_give_a_reader_a_mix_of_two_saves(fresh):
    """Two processes save different models in a loop while this one reads what is there: every
    read is one save whole, its weights and its metadata (in the file or beside it) alike."""
    fresh.parent.mkdir(parents=True)
    state.save_default(canvas_model(1.0, "1.0"))
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, value, "6"], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for value in ("1.0", "2.0")
    ]
    seen, mixed, reads = set(), [], 0
    deadline = time.monotonic() + 20
    while any(writer.poll() is None for writer in writers) and time.monotonic() < deadline:
        try:
            loaded = SoftmaxClassifier.load(fresh)
            beside = fresh.with_suffix(".json")
            sidecar = json.loads(beside.read_text()) if beside.exists() else loaded.metadata
        except (ModelFileError, FileNotFoundError):
            mixed.append("unreadable")  # a reader must always find a whole model
            continue
        reads += 1
        weight = f"{float(loaded.weights[0, 0]):.1f}"
        seen.add(weight)
        if not weight == loaded.metadata["recipe"] == sidecar["recipe"]:
            mixed.append((weight, loaded.metadata, sidecar))
    saves = [int(writer.communicate(timeout=30)[0]) for writer in writers]
    assert min(saves) > 20, saves  # both writers really raced
    assert seen == {"1.0", "2.0"} and reads > 50
    assert not mixed, f"{len(mixed)} of {reads} reads mixed two saves: {mixed[:3]}"
