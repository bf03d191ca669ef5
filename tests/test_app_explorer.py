"""The test-set explorer through AppTest: scores, confusion matrix, galleries, explanations, in
English and in Korean."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import needs_mnist
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest
from visible_text import english_left

from softmax.data import to_inputs
from softmax.model import SoftmaxClassifier, shipped_path
from softmax.ui import state
from softmax.ui.language import LANG_KEY
from softmax.ui.walkthrough import digits_softmax

PICK_PREFIX = "explorer_pick_"  # explorer.PICK_PREFIX; importing the page needs a running app


def page() -> None:
    from softmax.ui import explorer

    explorer.render()


def open_explorer(lang: str | None = None, **session) -> AppTest:
    at = AppTest.from_function(page, default_timeout=60)
    if lang is not None:
        at.query_params["lang"] = lang
    at.session_state[state.CHOICE_KEY] = "default"
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    return at


def gallery(at: AppTest) -> list[int]:
    """Test-set indices of the thumbnails on show."""
    return [
        int(b.key.removeprefix(PICK_PREFIX)) for b in at.button if b.key.startswith(PICK_PREFIX)
    ]


def english_left_on_the_page(at: AppTest) -> list[str]:
    """`english_left(at)` but for the test digit's reading (answer, reasons, why-not panel): those
    are the parts every page shares (softmax/ui/reading.py, why_not.py), not this page's words."""
    reading = next(
        node
        for node in at._tree
        if getattr(getattr(node, "proto", None), "id", "").endswith("-explorer_reading")
    )
    shared = Counter(english_left(SimpleNamespace(_tree=reading)))
    return list((Counter(english_left(at)) - shared).elements())


def chart_data(at: AppTest, alt_text: str):
    chart = next(c for c in at.get("vega_lite_chart") if c.proto.alt.startswith(alt_text))
    return dataframe_util.convert_arrow_bytes_to_pandas_df(chart.proto.datasets[0].data.data)


@pytest.fixture(scope="module")
def predicted(mnist) -> np.ndarray:
    """The shipped "default" model's answers (the one the sessions above pick) for the 10,000 test
    digits, computed here directly."""
    (_, _), (x_test, _) = mnist
    model = SoftmaxClassifier.load(shipped_path("default"))
    return model.logits(to_inputs(x_test)).argmax(axis=1)


@needs_mnist
def test_the_confusion_matrix_counts_all_10000_test_digits():
    cells = chart_data(open_explorer(), "Confusion matrix")
    assert len(cells) == 100
    assert cells["count"].sum() == 10_000


@needs_mnist
def test_the_accuracy_shown_is_the_models_on_the_test_set(mnist, predicted):
    (_, _), (_, y_test) = mnist
    shown = {metric.label: metric.value for metric in open_explorer().metric}
    assert shown["Test accuracy"] == f"{(predicted == y_test).mean():.1%}"
    assert shown["Mistakes"] == f"{(predicted != y_test).sum():,}"


@needs_mnist
def test_the_gallery_shows_only_misclassified_digits(mnist, predicted):
    (_, _), (_, y_test) = mnist
    shown = gallery(open_explorer())
    assert shown
    assert all(predicted[i] != y_test[i] for i in shown)


@needs_mnist
def test_picking_a_true_and_predicted_digit_shows_only_that_cell(mnist, predicted):
    (_, _), (_, y_test) = mnist
    at = open_explorer()
    at.selectbox(key="explorer_true").set_value(4)
    at.selectbox(key="explorer_predicted").set_value(9).run()
    shown = gallery(at)
    assert shown
    assert all(y_test[i] == 4 and predicted[i] == 9 for i in shown)


@needs_mnist
def test_pressing_a_thumbnail_explains_that_digit_like_a_drawing(predicted):
    at = open_explorer()
    index = gallery(at)[3]
    at.button(key=f"{PICK_PREFIX}{index}").click().run()
    assert any(s.value.startswith(f"Test digit #{index}:") for s in at.subheader)
    prediction = next(m for m in at.metric if m.label == "Prediction")
    assert prediction.value == str(predicted[index])


def test_a_model_for_8x8_digits_is_scored_on_their_test_set():
    at = open_explorer(**{state.TRAINED_KEY: digits_softmax(), state.CHOICE_KEY: state.SESSION})
    assert "360 scikit-learn 8×8 test digits" in at.caption[0].value
    assert chart_data(at, "Confusion matrix")["count"].sum() == 360


def test_without_mnist_the_explorer_says_how_to_provide_it(monkeypatch, tmp_path):
    monkeypatch.setenv("SOFTMAX_MNIST", str(tmp_path / "missing.npz"))
    at = open_explorer()
    assert "SOFTMAX_MNIST" in at.info[0].value
    assert not at.metric


@pytest.mark.slow
def test_without_mnist_the_explorer_offers_it_and_uses_it_once_fetched(mnist_to_fetch):
    at = open_explorer()
    assert at.info[0].value.startswith("This view needs the MNIST data set")
    at.button(key="get_mnist").click().run()
    assert not at.exception and not at.info
    assert mnist_to_fetch.is_file()
    assert {m.label for m in at.metric} >= {"Test accuracy", "Mistakes"}


@needs_mnist
def test_the_explorer_speaks_korean_from_the_summary_to_the_gallery():
    at = open_explorer(lang="ko")
    assert english_left_on_the_page(at) == []
    shown = {metric.label for metric in at.metric}
    assert {"테스트 정확도", "틀린 개수", "가장 어려운 숫자"} <= shown
    assert at.subheader[0].value == "혼동 행렬"
    assert at.subheader[1].value.startswith("틀린 숫자: ")
    assert chart_data(at, "혼동 행렬")["count"].sum() == 10_000


@needs_mnist
def test_a_chosen_cell_and_its_explanation_speak_korean(predicted):
    at = open_explorer(lang="ko")
    at.selectbox(key="explorer_true").set_value(4)
    at.selectbox(key="explorer_predicted").set_value(9).run()
    index = gallery(at)[1]
    at.button(key=f"{PICK_PREFIX}{index}").click().run()
    assert not at.exception
    assert english_left_on_the_page(at) == []
    assert at.subheader[1].value.startswith("정답 4, 예측 9: 틀린 숫자 ")
    assert any(s.value == f"테스트 숫자 #{index}: 정답 4, 예측 9 (틀림)" for s in at.subheader)


def test_an_empty_cell_of_the_8x8_digits_says_so_in_korean_with_no_english_left():
    at = open_explorer(
        lang="ko", **{state.TRAINED_KEY: digits_softmax(), state.CHOICE_KEY: state.SESSION}
    )
    assert "`scikit-learn` 8×8 테스트 숫자 360개" in at.caption[0].value
    confusion = chart_data(at, "혼동 행렬").set_index(["true", "predicted"])["count"]
    true, guess = next(cell for cell, count in confusion.items() if count == 0)
    at.selectbox(key="explorer_true").set_value(true)
    at.selectbox(key="explorer_predicted").set_value(guess).run()
    assert at.info[0].value == "이 칸에는 테스트 숫자가 없습니다."
    assert not gallery(at)
    assert english_left(at) == []  # no digit to explain: every word on the page is this page's


@needs_mnist
def test_switching_language_keeps_the_chosen_cell_page_and_digit():
    at = open_explorer(lang="en")
    at.selectbox(key="explorer_true").set_value(7)
    at.selectbox(key="explorer_predicted").set_value(2).run()
    index = gallery(at)[0]
    at.button(key=f"{PICK_PREFIX}{index}").click().run()
    at.query_params["lang"] = "ko"
    at.run()
    assert not at.exception
    assert at.session_state[LANG_KEY] == "ko"
    assert at.selectbox(key="explorer_true").value == 7
    assert at.selectbox(key="explorer_predicted").value == 2
    assert gallery(at)[0] == index
    assert any(s.value.startswith(f"테스트 숫자 #{index}: 정답 7, 예측 2") for s in at.subheader)
    assert english_left_on_the_page(at) == []
