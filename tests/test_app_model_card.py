"""The model card and the sidebar's model picker, as app.py draws them, in English and Korean:
no English sentence left in Korean (the tables' column names and their words included), and a
language switch keeps the chosen model."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from visible_text import english_left

from softmax.model import SoftmaxClassifier, default_shipped, shipped_path
from softmax.ui import state
from softmax.ui.language import LANG_KEY
from softmax.ui.teacher import UNLOCKED_KEY


def card_page() -> None:
    """The sidebar's picker, then the model card, as app.py runs them."""
    from softmax.ui import model_card, state

    state.model_picker()
    model_card.render()


def open_card(lang: str = "ko", **state_values) -> AppTest:
    at = AppTest.from_function(card_page, default_timeout=60)
    at.session_state[LANG_KEY] = lang
    for key, value in state_values.items():
        at.session_state[key] = value
    return at.run()


def settings_table(at: AppTest) -> dict[str, str]:
    [table] = [t.value for t in at.table if len(t.value.columns) == 2]
    return dict(zip(table.iloc[:, 0], table.iloc[:, 1], strict=True))


@pytest.fixture(autouse=True)
def fresh(monkeypatch, tmp_path):
    """No SOFTMAX_MODEL; "Save as default" writes into this test's folder."""
    monkeypatch.delenv(state.MODEL_ENV, raising=False)
    monkeypatch.setenv(state.SAVED_ENV, str(tmp_path / "saved" / "saved.npz"))


def test_the_model_card_and_picker_in_korean_have_no_english_sentence():
    at = open_card()
    assert not at.exception
    assert at.title[0].value == "모델 카드"
    assert english_left(at) == []
    picker = at.sidebar.selectbox(key=state.CHOICE_KEY)
    assert picker.label == "모델" and picker.value == default_shipped()
    assert "그림용 (손으로 그린 숫자에 맞춤)" in picker.options
    shipped = next(t.value for t in at.table if "MNIST 테스트" in t.value.columns)
    assert list(shipped.columns) == ["모델", "MNIST 테스트", "그린 숫자", "가장자리", "기본"]
    rows = settings_table(at)
    assert rows["레시피"] == "그림용" and rows["옵티마이저"] == "Adam"
    assert rows["기울기 보정한 입력"] == "예"
    assert rows["비용 함수(손실)"] == "`categorical_crossentropy`"


def test_the_model_card_in_english_keeps_its_words():
    at = open_card("en")
    assert at.title[0].value == "Model card"
    rows = settings_table(at)
    assert rows["Recipe"] == "drawn" and rows["Deskewed inputs"] == "yes"
    assert "Drawn (tuned for drawings)" in at.sidebar.selectbox(key=state.CHOICE_KEY).options


def test_every_shipped_model_reads_in_korean():
    at = open_card()
    for name in state.shipped_metadata():
        at.sidebar.selectbox(key=state.CHOICE_KEY).set_value(name).run()
        assert not at.exception
        assert at.subheader[1].value.startswith("이 모델: ")
        assert english_left(at) == [], name


def test_a_model_trained_here_reads_in_korean_with_its_settings():
    """A session's own model, trained on the Train page with an edited recipe on 8×8 digits."""
    trained = SoftmaxClassifier(
        np.zeros((64, 10)),
        np.arange(10),
        {
            "recipe": "default (edited)",
            "dataset": "digits",
            "optimizer": "sgd",
            "learning_rate": None,
            "deskew": False,
            "epochs": 7,
            "batch_size": 32,
            "weight_penalty": 0.001,
            "train_accuracy": 0.95,
            "test_accuracy": 0.93,
            "trained_at": "2026-11-26T05:00:00+00:00",
        },
    )
    at = open_card(**{state.TRAINED_KEY: trained, state.CHOICE_KEY: state.SESSION})
    assert not at.exception
    assert at.subheader[1].value == "이 모델: 이 세션에서 학습한 모델"
    rows = settings_table(at)
    assert rows["레시피"] == "기본 (수정함)"
    assert rows["데이터 세트"] == "`scikit-learn`의 8×8 숫자"
    assert rows["기울기 보정한 입력"] == "아니요"
    assert english_left(at) == []


def test_switching_the_language_keeps_the_chosen_model():
    at = open_card("en")
    at.sidebar.selectbox(key=state.CHOICE_KEY).set_value("deskew").run()
    deskew = SoftmaxClassifier.load(shipped_path("deskew")).fingerprint
    assert at.session_state[state.PINNED_KEY].classifier.fingerprint == deskew
    at.session_state[LANG_KEY] = "ko"
    at.run()
    picker = at.sidebar.selectbox(key=state.CHOICE_KEY)
    assert picker.value == "deskew"
    assert picker.options[picker.index] == "기울기 보정 (똑바로 세운 숫자)"
    assert at.session_state[state.PINNED_KEY].classifier.fingerprint == deskew
    assert english_left(at) == []
    at.session_state[LANG_KEY] = "en"
    at.run()
    assert at.sidebar.selectbox(key=state.CHOICE_KEY).value == "deskew"


def test_a_configured_model_that_cannot_be_used_is_warned_about_in_korean(monkeypatch, tmp_path):
    small = SoftmaxClassifier(np.zeros((64, 10)), np.arange(10), {"recipe": "8x8"})
    monkeypatch.setenv(state.MODEL_ENV, str(small.save(tmp_path / "small.npz")))
    at = open_card()
    [warning] = at.sidebar.warning
    assert warning.value.startswith(
        "`SOFTMAX_MODEL`이 가리키는 모델 파일은 기본 모델로 쓸 수 없습니다."
    )
    assert "파일: small.npz" in at.sidebar.selectbox(key=state.CHOICE_KEY).options
    assert english_left(at) == []
    teacher = open_card(**{UNLOCKED_KEY: True})
    assert "8×8 이미지를 읽는 모델입니다" in teacher.sidebar.warning[0].value
    assert english_left(teacher) == []


def test_a_newer_saved_default_is_told_in_korean():
    first = SoftmaxClassifier(np.full((784, 10), 0.01), np.arange(10), {"recipe": "first"})
    state.save_default(first)
    at = open_card()
    state.save_default(SoftmaxClassifier(np.full((784, 10), 0.02), np.arange(10), {}))
    at.run()
    assert at.sidebar.info[0].value.startswith("이 세션이 고른 뒤에")
    assert at.sidebar.button(key="model_newer").label == "새 기본 모델 쓰기"
    assert english_left(at) == []


def mnist_page() -> None:
    from softmax.ui import state

    state.mnist_or_stop()


def test_a_page_that_needs_mnist_says_so_in_korean(no_local_mnist):
    at = AppTest.from_function(mnist_page, default_timeout=30)
    at.session_state[LANG_KEY] = "ko"
    at.run()
    assert at.info[0].value.startswith("이 페이지에는 MNIST 데이터 세트가 필요합니다.")
    assert english_left(at) == []
